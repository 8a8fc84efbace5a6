//! Minimal RFC 4180 field splitter (quoted fields, `""` escapes), and a
//! record reader that lets a quoted field run over several lines.

use std::io::BufRead;

use crate::lines::{Lines, MAX_LINE};

/// Most physical lines one record may span; a stray quote cannot swallow
/// more of the file than this.
pub(crate) const MAX_RECORD_LINES: u64 = 256;

/// Whether a quoted field is still open at the end of `line`, given the
/// state at its start (`at_start`: at the start of a field).
fn open_at_end(line: &str, delim: char, mut in_quotes: bool, mut at_start: bool) -> bool {
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                } else {
                    in_quotes = false;
                }
            }
            at_start = false;
        } else if c == delim {
            at_start = true;
        } else {
            in_quotes = c == '"' && at_start;
            at_start = false;
        }
    }
    in_quotes
}

/// First line number, its byte offset, and whether the record split.
pub(crate) type Record = (u64, u64, Result<(), &'static str>);

/// Read the next CSV record into `fields`, joining lines (with `\n`) while
/// a quoted field is open. Returns the first line's number and byte offset,
/// and whether the record is well-formed (an unterminated quote at end of
/// input, or past [`MAX_RECORD_LINES`] / `MAX_LINE` bytes, is an error; the
/// lines it took are consumed). `None` at end of input.
pub(crate) fn next_record<R: BufRead>(
    lines: &mut Lines<R>,
    delim: char,
    fields: &mut Vec<String>,
    joined: &mut String,
    sink: &mut crate::Sink<'_>,
) -> std::io::Result<Option<Record>> {
    let Some((text, number, offset)) = lines.next_text(sink)? else {
        return Ok(None);
    };
    if !open_at_end(text, delim, false, true) {
        return Ok(Some((number, offset, split(text, delim, fields))));
    }
    joined.clear();
    joined.push_str(text);
    let mut taken = 1;
    loop {
        let Some((more, _, _)) = lines.next_text(sink)? else {
            return Ok(Some((number, offset, Err("unterminated quoted field"))));
        };
        taken += 1;
        if taken > MAX_RECORD_LINES || joined.len() + more.len() > MAX_LINE {
            return Ok(Some((number, offset, Err("quoted field too long"))));
        }
        joined.push('\n');
        joined.push_str(more);
        if !open_at_end(more, delim, true, false) {
            return Ok(Some((number, offset, split(joined, delim, fields))));
        }
    }
}

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

    #[test]
    fn open_quote_tracking() {
        assert!(open_at_end(r#"a,"b"#, ',', false, true));
        assert!(!open_at_end(r#"a,"b""c""#, ',', false, true));
        assert!(
            !open_at_end(r#"a,b"c"#, ',', false, true),
            "a quote inside a field is literal"
        );
        assert!(open_at_end(r#"x""y"#, ',', true, false));
        assert!(!open_at_end(r#"x",z"#, ',', true, false));
    }

    #[test]
    fn records_span_lines() {
        let data = "a;\"one\ntwo;\"\"x\"\"\";b\r\nc;d\n\"never closed\nlast\n";
        let mut bad = Vec::new();
        let mut on_entry = |_| {};
        let mut on_reject = |r| bad.push(r);
        let mut sink = crate::Sink {
            on_entry: &mut on_entry,
            on_reject: &mut on_reject,
            summary: crate::ReadSummary::default(),
        };
        let mut lines = Lines::new(data.as_bytes());
        let (mut f, mut j) = (Vec::new(), String::new());
        let mut got = Vec::new();
        while let Some((n, _, r)) = next_record(&mut lines, ';', &mut f, &mut j, &mut sink).unwrap()
        {
            got.push((n, r.map(|()| f.clone())));
        }
        assert_eq!(
            got,
            vec![
                (1, Ok(vec!["a".into(), "one\ntwo;\"x\"".into(), "b".into()])),
                (3, Ok(vec!["c".into(), "d".into()])),
                (4, Err("unterminated quoted field")),
            ]
        );
    }
}
