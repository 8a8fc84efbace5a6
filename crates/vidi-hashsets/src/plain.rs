//! Plain lists: one hash per line, optional `,label`, `#` comments.

use std::io::BufRead;

use crate::lines::Lines;
use crate::{
    HashEntry, HashSetError, Md5, PdqHash, PlainKind, Sha1, Sha256, Sink, opt_str, truncate,
};

pub(crate) fn read(
    reader: impl BufRead,
    kind: PlainKind,
    sink: &mut Sink<'_>,
) -> Result<(), HashSetError> {
    let mut lines = Lines::new(reader);
    while let Some((text, number, offset)) = lines.next_text(sink)? {
        let t = text.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        match parse_line(t, kind) {
            Ok(e) => sink.accept(e),
            Err(reason) => sink.reject(Some(number), Some(offset), reason),
        }
    }
    Ok(())
}

/// Parse one non-comment line into an entry.
pub(crate) fn parse_line(t: &str, kind: PlainKind) -> Result<HashEntry, String> {
    let (hash, label) = match t.split_once(',') {
        Some((h, l)) => (h.trim(), opt_str(l)),
        None => (t, None),
    };
    let mut e = HashEntry {
        label,
        ..HashEntry::default()
    };
    let bad = || format!("not a 32/40/64-hex hash: {:?}", truncate(hash));
    if !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    match hash.len() {
        32 => e.md5 = Some(Md5::from_hex(hash).map_err(|_| bad())?),
        40 => e.sha1 = Some(Sha1::from_hex(hash).map_err(|_| bad())?),
        64 if kind == PlainKind::Pdq => e.pdq = Some(PdqHash::from_hex(hash).map_err(|_| bad())?),
        64 => e.sha256 = Some(Sha256::from_hex(hash).map_err(|_| bad())?),
        _ => return Err(bad()),
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use crate::{Format, HashEntry, PlainKind, ReadOptions, Rejected, read_with};

    pub(crate) fn run(
        data: &[u8],
        kind: PlainKind,
    ) -> (Vec<HashEntry>, Vec<Rejected>, crate::ReadSummary) {
        let (mut ok, mut bad) = (Vec::new(), Vec::new());
        let s = read_with(
            Format::Plain,
            ReadOptions { plain_kind: kind },
            data,
            &mut |e| ok.push(e),
            &mut |r| bad.push(r),
        )
        .unwrap();
        (ok, bad, s)
    }

    #[test]
    fn kinds_labels_comments_crlf_bom() {
        let data = "\u{feff}# comment\r\nd41d8cd98f00b204e9800998ecf8427e,empty file\r\n\r\nDA39A3EE5E6B4B0D3255BFEF95601890AFD80709\n\
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nnot-a-hash\nabc\n";
        let (ok, bad, s) = run(data.as_bytes(), PlainKind::Auto);
        assert_eq!(ok.len(), 3);
        assert_eq!(
            ok[0].md5.unwrap().to_hex(),
            "d41d8cd98f00b204e9800998ecf8427e"
        );
        assert_eq!(ok[0].label.as_deref(), Some("empty file"));
        assert!(ok[1].sha1.is_some());
        assert!(ok[2].sha256.is_some() && ok[2].pdq.is_none());
        assert_eq!(
            bad.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![Some(6), Some(7)]
        );
        assert_eq!(
            s,
            crate::ReadSummary {
                read: 5,
                accepted: 3,
                rejected: 2
            }
        );
    }

    #[test]
    fn pdq_kind() {
        let (ok, _, _) = run(
            b"f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22\n",
            PlainKind::Pdq,
        );
        assert!(ok[0].pdq.is_some() && ok[0].sha256.is_none());
    }

    #[test]
    fn non_utf8_line_rejected_rest_read() {
        let (ok, bad, _) = run(
            b"\xff\xfe\nd41d8cd98f00b204e9800998ecf8427e\n",
            PlainKind::Auto,
        );
        assert_eq!(ok.len(), 1);
        assert_eq!(bad[0].line, Some(1));
    }
}
