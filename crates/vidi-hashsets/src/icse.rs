//! INTERPOL ICSE `;`-separated CSV export.
//!
//! Columns are located by header name (case-insensitive), so reordered or
//! extra columns are fine; without a header the documented order is assumed.

use std::io::BufRead;

use crate::category::{Category, Scheme};
use crate::lines::Lines;
use crate::{HashEntry, HashSetError, Md5, Sha1, Sink, csvline, opt_str, parse_bool, truncate};

const COLUMNS: [&str; 12] = [
    "md5",
    "sha1",
    "photodna",
    "image id",
    "is distributed",
    "victim identified",
    "offender identified",
    "series name",
    "number of submissions",
    "file available",
    "media type",
    "baseline",
];

/// Column index of each of `COLUMNS` (None = absent).
type Map = [Option<usize>; 12];

pub(crate) fn read(reader: impl BufRead, sink: &mut Sink<'_>) -> Result<(), HashSetError> {
    let mut lines = Lines::new(reader);
    let mut fields = Vec::with_capacity(12);
    let mut joined = String::new();
    let mut map: Map = std::array::from_fn(Some);
    let mut first = true;
    while let Some((number, offset, split)) =
        csvline::next_record(&mut lines, ';', &mut fields, &mut joined, sink)?
    {
        if split.is_ok() && fields.len() == 1 && fields[0].trim().is_empty() {
            continue;
        }
        if first {
            first = false;
            if split.is_ok() && fields[0].trim().eq_ignore_ascii_case("md5") {
                let names: Vec<String> = fields
                    .iter()
                    .map(|f| f.trim().to_ascii_lowercase())
                    .collect();
                map = std::array::from_fn(|i| names.iter().position(|n| n == COLUMNS[i]));
                continue;
            }
        }
        match split
            .map_err(String::from)
            .and_then(|()| parse(&map, &fields))
        {
            Ok(e) => sink.accept(e),
            Err(reason) => sink.reject(Some(number), Some(offset), reason),
        }
    }
    Ok(())
}

fn parse(map: &Map, fields: &[String]) -> Result<HashEntry, String> {
    let get = |i: usize| {
        map[i]
            .and_then(|c| fields.get(c))
            .map(|s| s.trim())
            .unwrap_or("")
    };
    let flag = |i: usize| parse_bool(get(i)).map_err(|r| format!("{}: {r}", COLUMNS[i]));
    let mut e = HashEntry::default();
    let md5 = get(0);
    if !md5.is_empty() {
        e.md5 = Some(Md5::from_hex(md5).map_err(|_| format!("bad MD5 {:?}", truncate(md5)))?);
    }
    let sha1 = get(1);
    if !sha1.is_empty() {
        e.sha1 = Some(Sha1::from_hex(sha1).map_err(|_| format!("bad SHA-1 {:?}", truncate(sha1)))?);
    }
    e.photodna = opt_str(get(2));
    if e.md5.is_none() && e.sha1.is_none() && e.photodna.is_none() {
        return Err("no MD5, SHA-1 or PhotoDNA".into());
    }
    e.source_id = opt_str(get(3));
    e.flags.distributed = flag(4)?;
    e.flags.victim_identified = flag(5)?;
    e.flags.offender_identified = flag(6)?;
    e.series = opt_str(get(7));
    if flag(11)? == Some(true) {
        e.categories
            .push(Category::new(Scheme::IcseFlags, "baseline"));
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use crate::{Format, Scheme, read};

    #[test]
    fn header_booleans_series_and_bad_rows() {
        let data = "MD5;SHA1;PhotoDNA;Image ID;Is distributed;Victim identified;Offender identified;Series name;Number of submissions;File Available;Media Type;Baseline\r\n\
d41d8cd98f00b204e9800998ecf8427e;da39a3ee5e6b4b0d3255bfef95601890afd80709;;1234;true;false;;Test Series;3;Yes;Image;1\r\n\
zz;;;;;;;;;;;\r\n\
d41d8cd98f00b204e9800998ecf8427e;;;9;maybe;;;;;;;\r\n\
;;AAAA;77;no;yes;no;\"Semi;colon\";;;;0\r\n";
        let (mut ok, mut bad) = (Vec::new(), Vec::new());
        let s = read(
            Format::IcseCsv,
            data.as_bytes(),
            &mut |e| ok.push(e),
            &mut |r| bad.push(r),
        )
        .unwrap();
        assert_eq!(s.accepted, 2);
        assert_eq!(ok[0].series.as_deref(), Some("Test Series"));
        assert_eq!(ok[0].flags.distributed, Some(true));
        assert_eq!(ok[0].flags.victim_identified, Some(false));
        assert_eq!(ok[0].flags.offender_identified, None);
        assert_eq!(ok[0].categories[0].scheme, Scheme::IcseFlags);
        assert_eq!(ok[0].source_id.as_deref(), Some("1234"));
        assert_eq!(ok[1].photodna.as_deref(), Some("AAAA"));
        assert_eq!(ok[1].series.as_deref(), Some("Semi;colon"));
        assert!(ok[1].categories.is_empty());
        assert_eq!(
            bad.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![Some(3), Some(4)]
        );
    }
}
