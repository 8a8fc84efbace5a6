//! NIST NSRL RDS v2 `NSRLFile.txt`: quoted CSV, known software files.

use std::io::BufRead;

use crate::category::{Category, Scheme};
use crate::lines::Lines;
use crate::{HashEntry, HashSetError, Md5, Sha1, Sink, csvline, opt_str, truncate};

pub(crate) fn read(reader: impl BufRead, sink: &mut Sink<'_>) -> Result<(), HashSetError> {
    let mut lines = Lines::new(reader);
    let mut fields = Vec::with_capacity(8);
    while let Some((text, number, offset)) = lines.next_text(sink)? {
        if text.trim().is_empty() || (number == 1 && text.starts_with("\"SHA-1\"")) {
            continue;
        }
        match parse(text, &mut fields) {
            Ok(e) => sink.accept(e),
            Err(reason) => sink.reject(Some(number), Some(offset), reason),
        }
    }
    Ok(())
}

fn parse(text: &str, f: &mut Vec<String>) -> Result<HashEntry, String> {
    csvline::split(text, ',', f)?;
    if f.len() < 8 {
        return Err(format!("expected 8 fields, got {}", f.len()));
    }
    let sha1 = Sha1::from_hex(&f[0]).map_err(|_| format!("bad SHA-1 {:?}", truncate(&f[0])))?;
    let md5 = Md5::from_hex(&f[1]).map_err(|_| format!("bad MD5 {:?}", truncate(&f[1])))?;
    let size = match f[4].trim() {
        "" => None,
        s => Some(
            s.parse::<u64>()
                .map_err(|_| format!("bad FileSize {:?}", truncate(s)))?,
        ),
    };
    Ok(HashEntry {
        sha1: Some(sha1),
        md5: Some(md5),
        size,
        file_name: opt_str(&f[3]),
        source_id: opt_str(&f[5]),
        categories: vec![Category::new(Scheme::Nsrl, "known")],
        ..HashEntry::default()
    })
}

#[cfg(test)]
mod tests {
    use crate::{Format, Scheme, read};

    #[test]
    fn rds2_rows() {
        let data = "\"SHA-1\",\"MD5\",\"CRC32\",\"FileName\",\"FileSize\",\"ProductCode\",\"OpSystemCode\",\"SpecialCode\"\n\
\"0000002D9D62AEBE1E0E9DB6C4C4C7C16A163D2C\",\"1D6EBB5A789ABD108FF578263E1F40F3\",\"FFFFFFFF\",\"a, b.dll\",\"4109\",\"21000\",\"358\",\"\"\n\
\"XYZ\",\"1D6EBB5A789ABD108FF578263E1F40F3\",\"FFFFFFFF\",\"x\",\"1\",\"1\",\"1\",\"\"\n\
\"0000002D9D62AEBE1E0E9DB6C4C4C7C16A163D2C\",\"1D6EBB5A789ABD108FF578263E1F40F3\",\"FFFFFFFF\",\"x\",\"-1\",\"1\",\"1\",\"\"\n\
\"short\"\n";
        let (mut ok, mut bad) = (Vec::new(), Vec::new());
        read(
            Format::Nsrl2,
            data.as_bytes(),
            &mut |e| ok.push(e),
            &mut |r| bad.push(r),
        )
        .unwrap();
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].file_name.as_deref(), Some("a, b.dll"));
        assert_eq!(ok[0].size, Some(4109));
        assert_eq!(ok[0].categories[0].scheme, Scheme::Nsrl);
        assert_eq!(
            ok[0].md5.unwrap().to_hex(),
            "1d6ebb5a789abd108ff578263e1f40f3"
        );
        assert_eq!(
            bad.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![Some(3), Some(4), Some(5)]
        );
    }
}
