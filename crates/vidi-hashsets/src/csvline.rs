//! Minimal RFC 4180 field splitter for one line (quoted fields, `""` escapes).

/// Split `line` on `delim`, honouring double quotes. Fields are appended to
/// `out` (cleared first). Returns an error for an unterminated quote.
pub(crate) fn split(line: &str, delim: char, out: &mut Vec<String>) -> Result<(), &'static str> {
    out.clear();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut in_quotes = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    in_quotes = false;
                }
            } else {
                field.push(c);
            }
        } else if c == delim {
            out.push(std::mem::take(&mut field));
            at_start = true;
            continue;
        } else if c == '"' && at_start {
            in_quotes = true;
        } else {
            field.push(c);
        }
        at_start = false;
    }
    if in_quotes {
        return Err("unterminated quoted field");
    }
    out.push(field);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_and_escaped() {
        let mut v = Vec::new();
        split(r#""a,b",c,"d""e",,"#, ',', &mut v).unwrap();
        assert_eq!(v, vec!["a,b", "c", "d\"e", "", ""]);
        assert!(split(r#""abc"#, ',', &mut v).is_err());
        split("x;y", ';', &mut v).unwrap();
        assert_eq!(v, vec!["x", "y"]);
    }
}
