//! ThreatExchange CLI CSV export: `signal_type,signal_str,collab,category,tags`.

use std::io::BufRead;

use crate::category::{Category, Scheme};
use crate::lines::Lines;
use crate::{HashEntry, HashSetError, Md5, PdqHash, Sha256, Sink, csvline, opt_str, truncate};

pub(crate) fn read(reader: impl BufRead, sink: &mut Sink<'_>) -> Result<(), HashSetError> {
    let mut lines = Lines::new(reader);
    let mut fields = Vec::with_capacity(5);
    let mut joined = String::new();
    while let Some((number, offset, split)) =
        csvline::next_record(&mut lines, ',', &mut fields, &mut joined, sink)?
    {
        let blank = fields.len() == 1 && fields[0].trim().is_empty();
        if split.is_ok() && (blank || (number == 1 && fields[0] == "signal_type")) {
            continue;
        }
        match split.map_err(String::from).and_then(|()| parse(&fields)) {
            Ok(e) => sink.accept(e),
            Err(reason) => sink.reject(Some(number), Some(offset), reason),
        }
    }
    Ok(())
}

fn parse(fields: &[String]) -> Result<HashEntry, String> {
    if fields.len() < 2 {
        return Err("fewer than 2 fields".into());
    }
    let ty = fields[0].trim();
    let sig = fields[1].trim();
    let mut e = HashEntry::default();
    let bad = |what: &str| format!("{ty}: not a {what}: {:?}", truncate(sig));
    match ty {
        "pdq" => e.pdq = Some(PdqHash::from_hex(sig).map_err(|_| bad("64-hex PDQ"))?),
        "md5" | "video_md5" | "photo_md5" => {
            e.md5 = Some(Md5::from_hex(sig).map_err(|_| bad("32-hex MD5"))?)
        }
        "sha256" | "video_sha256" | "photo_sha256" => {
            e.sha256 = Some(Sha256::from_hex(sig).map_err(|_| bad("64-hex SHA-256"))?)
        }
        other => return Err(format!("unsupported signal type {:?}", truncate(other))),
    }
    if let Some(c) = fields.get(3).and_then(|c| opt_str(c)) {
        e.categories.push(Category::new(Scheme::ThreatExchange, c));
    }
    e.label = fields.get(4).and_then(|t| opt_str(t));
    e.source_id = fields.get(2).and_then(|c| opt_str(c));
    Ok(e)
}

#[cfg(test)]
mod tests {
    use crate::{Format, Scheme, read};

    #[test]
    fn sample_lines() {
        let data = "signal_type,signal_str,collab,category,tags\n\
pdq,f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22,Sample Signals,INVESTIGATION_SEED,\n\
video_md5,d41d8cd98f00b204e9800998ecf8427e,Sample Signals,INVESTIGATION_SEED,\"a b\"\n\
url,https://example.invalid/,Sample Signals,INVESTIGATION_SEED,\n\
pdq,zz,Sample Signals,,\n\
pdq,\"unterminated\n";
        let (mut ok, mut bad) = (Vec::new(), Vec::new());
        let s = read(
            Format::ThreatExchangeCsv,
            data.as_bytes(),
            &mut |e| ok.push(e),
            &mut |r| bad.push(r),
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert!(ok[0].pdq.is_some());
        assert_eq!(ok[0].categories[0].scheme, Scheme::ThreatExchange);
        assert_eq!(ok[0].categories[0].code, "INVESTIGATION_SEED");
        assert_eq!(ok[1].label.as_deref(), Some("a b"));
        assert_eq!(
            bad.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![Some(4), Some(5), Some(6)]
        );
        assert_eq!(s.read, 5);
    }
}
