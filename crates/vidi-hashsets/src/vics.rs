//! Project VIC / VICS JSON (OData): CAID 1.2, VICS 1.3, VICS 2.0 hash sets
//! (`value[]` of Media) and 2.0 case files (`value[]` of Cases with nested
//! `Media[]`).
//!
//! The envelope is walked with a serde visitor so only one record of the
//! `value` array is in memory at a time (a case file's case, with its media,
//! is one record).

use std::fmt;
use std::io::BufRead;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::category::{Category, Scheme};
use crate::{HashEntry, HashSetError, Md5, PdqHash, Sha1, Sha256, Sink, truncate};

pub(crate) fn read(mut reader: impl BufRead, sink: &mut Sink<'_>) -> Result<(), HashSetError> {
    if reader.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    let mut de = serde_json::Deserializer::from_reader(reader);
    let found = Envelope { sink }.deserialize(&mut de).map_err(json_err)?;
    de.end().map_err(json_err)?;
    if !found {
        return Err(HashSetError::NotVics);
    }
    Ok(())
}

fn json_err(e: serde_json::Error) -> HashSetError {
    if e.is_io() {
        HashSetError::Io(e.into())
    } else {
        HashSetError::Json {
            line: e.line(),
            column: e.column(),
            source: e,
        }
    }
}

/// Seed for the root object; yields whether a `value` array was seen.
struct Envelope<'s, 'a> {
    sink: &'s mut Sink<'a>,
}

impl<'de> DeserializeSeed<'de> for Envelope<'_, '_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Envelope<'_, '_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a VICS OData envelope object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut scheme: Option<Scheme> = None;
        let mut found = false;
        let mut index = 0u64;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "odata.metadata" | "@odata.context" => {
                    let v: Value = map.next_value()?;
                    if let Some(s) = v.as_str() {
                        scheme = Some(if s.contains("/2.0.xml") {
                            Scheme::Vics20
                        } else {
                            Scheme::VicsUs
                        });
                        tracing::debug!(context = s, "VICS envelope");
                    }
                }
                "value" => {
                    found = true;
                    map.next_value_seed(Records {
                        sink: &mut *self.sink,
                        scheme,
                        index: &mut index,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
}

/// Seed for the `value` array.
struct Records<'s, 'a, 'i> {
    sink: &'s mut Sink<'a>,
    scheme: Option<Scheme>,
    index: &'i mut u64,
}

impl<'de> DeserializeSeed<'de> for Records<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Records<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of Media or Case records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let record = RecordSeed {
                sink: &mut *self.sink,
                scheme: self.scheme,
                index: *self.index + 1,
            };
            if seq.next_element_seed(record)?.is_none() {
                return Ok(());
            }
            *self.index += 1;
        }
    }
}

/// Non-container values where a container was expected: report, go on.
macro_rules! reject_scalars {
    () => {
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
            self.wrong_type();
            Ok(())
        }
        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
            self.wrong_type();
            Ok(())
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
            self.wrong_type();
            Ok(())
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
            self.wrong_type();
            Ok(())
        }
        fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
            self.wrong_type();
            Ok(())
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
            self.wrong_type();
            Ok(())
        }
    };
}

/// Seed for one element of `value`: a Media record, or a Case whose
/// `Media[]` is streamed one media at a time.
struct RecordSeed<'s, 'a> {
    sink: &'s mut Sink<'a>,
    scheme: Option<Scheme>,
    index: u64,
}

impl RecordSeed<'_, '_> {
    fn wrong_type(self) {
        let i = self.index;
        self.sink
            .reject(None, None, format!("record {i}: not an object"));
    }
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Media or Case object")
    }
    reject_scalars!();
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.wrong_type();
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let i = self.index;
        let mut fields = Map::new();
        let mut is_case = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "Media" {
                // A 2.0 case: every nested Media is one entry.
                is_case = true;
                map.next_value_seed(CaseMedia {
                    sink: &mut *self.sink,
                    scheme: self.scheme.unwrap_or(Scheme::Vics20),
                    record: i,
                })?;
            } else {
                fields.insert(key, map.next_value::<Value>()?);
            }
        }
        if !is_case {
            let scheme = self.scheme.unwrap_or_else(|| guess_scheme(&fields));
            match media_entry(&fields, scheme) {
                Ok(e) => self.sink.accept(e),
                Err(r) => self.sink.reject(None, None, format!("record {i}: {r}")),
            }
        }
        Ok(())
    }
}

/// Seed for a Case's `Media` array.
struct CaseMedia<'s, 'a> {
    sink: &'s mut Sink<'a>,
    scheme: Scheme,
    record: u64,
}

impl CaseMedia<'_, '_> {
    fn wrong_type(self) {
        let i = self.record;
        self.sink.reject(
            None,
            None,
            format!("record {i}: Case.Media is not an array"),
        );
    }
}

impl<'de> DeserializeSeed<'de> for CaseMedia<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CaseMedia<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of Media")
    }
    reject_scalars!();
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        self.wrong_type();
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut j = 0u64;
        while let Some(m) = seq.next_element::<Value>()? {
            j += 1;
            let entry = match &m {
                Value::Object(m) => media_entry(m, self.scheme),
                _ => Err("not an object".to_owned()),
            };
            match entry {
                Ok(e) => self.sink.accept(e),
                Err(r) => {
                    let i = self.record;
                    self.sink
                        .reject(None, None, format!("record {i}, media {j}: {r}"));
                }
            }
        }
        Ok(())
    }
}

fn guess_scheme(obj: &Map<String, Value>) -> Scheme {
    if obj.contains_key("IsSuspected") || obj.contains_key("SelfGenerated") {
        Scheme::Vics20
    } else {
        Scheme::VicsUs
    }
}

/// A string, or a number/bool rendered as text; null/empty = None.
fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn boolean(obj: &Map<String, Value>, key: &str) -> Result<Option<bool>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) => crate::parse_bool(s).map_err(|r| format!("{key}: {r}")),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(0) => Ok(Some(false)),
            Some(1) => Ok(Some(true)),
            _ => Err(format!("{key}: not a boolean")),
        },
        Some(_) => Err(format!("{key}: not a boolean")),
    }
}

fn hash<T>(
    obj: &Map<String, Value>,
    key: &str,
    parse: fn(&str) -> Result<T, vidi_types::HexError>,
) -> Result<Option<T>, String> {
    match text(obj.get(key)) {
        None => Ok(None),
        Some(s) => parse(&s)
            .map(Some)
            .map_err(|_| format!("bad {key} {:?}", truncate(&s))),
    }
}

fn media_entry(obj: &Map<String, Value>, scheme: Scheme) -> Result<HashEntry, String> {
    let mut e = HashEntry {
        md5: hash(obj, "MD5", Md5::from_hex)?,
        sha1: hash(obj, "SHA1", Sha1::from_hex)?,
        sha256: hash(obj, "SHA256", Sha256::from_hex)?,
        ..HashEntry::default()
    };
    e.photodna = match obj.get("PhotoDNA") {
        Some(Value::Array(items)) => items.iter().find_map(|h| {
            let name = h
                .get("HashName")
                .and_then(Value::as_str)
                .unwrap_or("PhotoDNA");
            if name.eq_ignore_ascii_case("photodna") {
                text(h.get("HashValue"))
            } else {
                None
            }
        }),
        other => text(other),
    };
    // `PDQ` / `PDQQuality` are vidi's extension (see `vics_write`).
    e.pdq = hash(obj, "PDQ", PdqHash::from_hex)?;
    e.pdq_quality = match obj.get("PDQQuality") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(
            n.as_u64()
                .and_then(|q| u8::try_from(q).ok())
                .filter(|&q| q <= 100)
                .ok_or("PDQQuality: not 0-100")?,
        ),
        Some(_) => return Err("PDQQuality: not a number".into()),
    };
    if e.md5.is_none()
        && e.sha1.is_none()
        && e.sha256.is_none()
        && e.photodna.is_none()
        && e.pdq.is_none()
    {
        return Err("no MD5, SHA1, SHA256, PhotoDNA or PDQ".into());
    }
    e.size = match obj.get("MediaSize") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(n.as_u64().ok_or("MediaSize: not a non-negative integer")?),
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(
            s.trim()
                .parse()
                .map_err(|_| format!("MediaSize: bad number {:?}", truncate(s)))?,
        ),
        Some(_) => return Err("MediaSize: not a number".into()),
    };
    match obj.get("Category") {
        None | Some(Value::Null) => {}
        Some(Value::Number(n)) => e.categories.push(Category::new(scheme, n.to_string())),
        Some(Value::String(s)) if s.trim().is_empty() => {}
        Some(Value::String(s)) => e.categories.push(Category::new(scheme, s.trim())),
        Some(_) => return Err("Category: not a number".into()),
    }
    e.series = text(obj.get("Series"));
    e.flags.victim_identified = boolean(obj, "VictimIdentified")?;
    e.flags.offender_identified = boolean(obj, "OffenderIdentified")?;
    e.flags.distributed = boolean(obj, "IsDistributed")?;
    e.flags.suspected = boolean(obj, "IsSuspected")?;
    e.flags.self_generated = boolean(obj, "SelfGenerated")?;
    e.label = match obj.get("Tags") {
        Some(Value::Array(tags)) => {
            let t: Vec<String> = tags.iter().filter_map(|t| text(Some(t))).collect();
            if t.is_empty() {
                None
            } else {
                Some(t.join(", "))
            }
        }
        other => text(other),
    };
    e.source_id = text(obj.get("MediaID"));
    e.file_name = obj
        .get("MediaFiles")
        .and_then(Value::as_array)
        .and_then(|f| f.iter().find_map(|f| text(f.get("FileName"))))
        .or_else(|| {
            text(obj.get("RelativeFilePath"))
                .map(|p| p.rsplit(['/', '\\']).next().unwrap_or(&p).to_owned())
        });
    if let Some(d) = obj.get("DateUpdated")
        && !d.is_null()
        && parse_date_ms(d).is_none()
    {
        return Err("DateUpdated: neither ISO 8601 nor /Date(ms)/".into());
    }
    Ok(e)
}

/// Validate and convert `DateUpdated`: .NET `/Date(ms[+zone])/` to epoch
/// milliseconds; ISO 8601 strings are accepted as-is (returns 0 when only
/// shape-checked).
pub(crate) fn parse_date_ms(v: &Value) -> Option<i64> {
    let s = v.as_str()?.trim();
    if let Some(inner) = s.strip_prefix("/Date(").and_then(|r| r.strip_suffix(")/")) {
        // The millisecond count may be negative; a zone offset may follow it.
        let end = inner
            .char_indices()
            .skip(1)
            .find(|&(_, c)| c == '+' || c == '-')
            .map_or(inner.len(), |(i, _)| i);
        return inner.get(..end)?.parse().ok();
    }
    let b = s.as_bytes();
    // `b.len() >= 10` keeps the indexes below in bounds.
    let iso =
        b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && b[..4].iter().all(u8::is_ascii_digit);
    iso.then_some(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Format, HashEntry, ReadSummary, Rejected};

    fn run(data: &str) -> (Vec<HashEntry>, Vec<Rejected>, ReadSummary) {
        let (mut ok, mut bad) = (Vec::new(), Vec::new());
        let s = crate::read(
            Format::Vics,
            data.as_bytes(),
            &mut |e| ok.push(e),
            &mut |r| bad.push(r),
        )
        .unwrap();
        (ok, bad, s)
    }

    #[test]
    fn pdq_extension() {
        let pdq = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
        let data = format!(
            r#"{{"value":[{{"PDQ":"{pdq}","PDQQuality":90}},{{"PDQ":"{pdq}","PDQQuality":101}},{{"PDQ":"xyz"}},{{"PDQQuality":5}}]}}"#
        );
        let (ok, bad, _) = run(&data);
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].pdq.unwrap().to_hex(), pdq);
        assert_eq!(ok[0].pdq_quality, Some(90));
        let reasons: Vec<&str> = bad.iter().map(|r| r.reason.as_str()).collect();
        assert!(reasons[0].contains("PDQQuality"), "{reasons:?}");
        assert!(reasons[1].contains("bad PDQ"), "{reasons:?}");
        assert!(reasons[2].contains("no MD5"), "{reasons:?}");
    }

    #[test]
    fn case_media_streamed_and_odd_shapes_rejected() {
        let data = r#"{"value":[{"CaseID":1,"Media":[{"MD5":"d41d8cd98f00b204e9800998ecf8427e","Category":1},7,{"MD5":"x"}],"TotalMediaFiles":99},
{"CaseID":2,"Media":null},{"CaseID":3,"Media":{"a":[1]}},[1,[2]],"s",null]}"#;
        let (ok, bad, s) = run(data);
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].categories, vec![Category::new(Scheme::Vics20, "1")]);
        let reasons: Vec<&str> = bad.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(reasons.len(), 7, "{reasons:?}");
        assert!(reasons[0].starts_with("record 1, media 2"));
        assert!(reasons[2].starts_with("record 2: Case.Media"));
        assert_eq!(s.read, 8);
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse_date_ms(&Value::from("/Date(1500000000000)/")),
            Some(1_500_000_000_000)
        );
        assert_eq!(parse_date_ms(&Value::from("/Date(-5+0100)/")), Some(-5));
        assert_eq!(parse_date_ms(&Value::from("2020-01-02T03:04:05Z")), Some(0));
        assert_eq!(parse_date_ms(&Value::from("yesterday")), None);
        assert_eq!(parse_date_ms(&Value::from("/Date()/")), None);
        assert_eq!(parse_date_ms(&Value::from("/Date(é-)/")), None);
    }

    #[test]
    fn v13_quirks() {
        let data = "\u{feff}{\"odata.metadata\":\"http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media\",\"value\":[\
{\"MediaID\":7,\"Category\":null,\"MD5\":\"d41d8cd98f00b204e9800998ecf8427e\",\"MediaSize\":\"12\",\"VictimIdentified\":\"true\",\"IsDistributed\":false,\"DateUpdated\":\"/Date(1500000000000)/\",\"PhotoDNA\":\"QUJD\"},\
{\"MediaID\":8,\"Category\":2,\"SHA1\":\"da39a3ee5e6b4b0d3255bfef95601890afd80709\",\"MediaSize\":34,\"Series\":\"S\",\"PhotoDNA\":[{\"HashName\":\"PhotoDNA\",\"HashValue\":\"REVG\"}]},\
{\"MediaID\":9,\"MD5\":\"nothex\"},\
{\"MediaID\":10},\
{\"MediaID\":11,\"MD5\":\"d41d8cd98f00b204e9800998ecf8427e\",\"VictimIdentified\":\"perhaps\"},\
5]}";
        let (ok, bad, s) = run(data);
        assert_eq!(
            s,
            ReadSummary {
                read: 6,
                accepted: 2,
                rejected: 4
            }
        );
        assert!(ok[0].categories.is_empty());
        assert_eq!(ok[0].size, Some(12));
        assert_eq!(ok[0].flags.victim_identified, Some(true));
        assert_eq!(ok[0].flags.distributed, Some(false));
        assert_eq!(ok[0].photodna.as_deref(), Some("QUJD"));
        assert_eq!(ok[1].categories, vec![Category::new(Scheme::VicsUs, "2")]);
        assert_eq!(ok[1].photodna.as_deref(), Some("REVG"));
        assert_eq!(ok[1].size, Some(34));
        assert!(bad[0].reason.starts_with("record 3"));
    }

    #[test]
    fn broken_json_and_non_envelope_are_errors() {
        let mut n = |_e: HashEntry| {};
        let mut r = |_r: Rejected| {};
        let e =
            crate::read(Format::Vics, &b"{\"value\":[{\"MD5\":"[..], &mut n, &mut r).unwrap_err();
        assert!(matches!(e, HashSetError::Json { .. }));
        let e = crate::read(Format::Vics, &b"{\"other\":1}"[..], &mut n, &mut r).unwrap_err();
        assert!(matches!(e, HashSetError::NotVics));
        let e = crate::read(Format::Vics, &b"[1]"[..], &mut n, &mut r).unwrap_err();
        assert!(matches!(e, HashSetError::Json { .. }));
        let e = crate::read(Format::Vics, &b"{\"value\":[] } x"[..], &mut n, &mut r).unwrap_err();
        assert!(matches!(e, HashSetError::Json { .. }));
    }
}
