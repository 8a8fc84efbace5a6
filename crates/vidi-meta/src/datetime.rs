//! Date and time normalisation to ISO 8601.

/// A parsed calendar time with optional fraction and UTC offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DateTime {
    date: (u32, u32, u32),
    time: Option<(u32, u32, u32)>,
    frac: Option<String>,
    offset: Option<String>,
}

impl DateTime {
    /// ISO 8601: `YYYY-MM-DD[THH:MM:SS[.fff][+HH:MM]]`.
    pub(crate) fn iso(&self) -> String {
        let (y, mo, d) = self.date;
        let mut s = format!("{y:04}-{mo:02}-{d:02}");
        if let Some((h, mi, se)) = self.time {
            s.push_str(&format!("T{h:02}:{mi:02}:{se:02}"));
            if let Some(f) = &self.frac {
                s.push('.');
                s.push_str(f);
            }
            if let Some(o) = &self.offset {
                s.push_str(o);
            }
        }
        s
    }

    pub(crate) fn set_frac(&mut self, subsec: &str) {
        let digits: String = subsec
            .trim()
            .chars()
            .take_while(char::is_ascii_digit)
            .take(9)
            .collect();
        if !digits.is_empty() && self.time.is_some() {
            self.frac = Some(digits);
        }
    }

    pub(crate) fn set_offset(&mut self, offset: &str) {
        if let Some(o) = parse_offset(offset.trim())
            && self.time.is_some()
        {
            self.offset = Some(o);
        }
    }
}

fn num(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(s).ok()?.parse().ok()
}

/// Normalise an offset (`+02:00`, `+0200`, `-05`, `Z`) to `+HH:MM`.
pub(crate) fn parse_offset(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if s == "Z" || s == "z" {
        return Some("+00:00".to_string());
    }
    let sign = match b.first()? {
        b'+' => '+',
        b'-' => '-',
        _ => return None,
    };
    let rest = &b[1..];
    let (h, m) = match rest.len() {
        2 => (num(rest)?, 0),
        4 => (num(&rest[..2])?, num(&rest[2..])?),
        5 if rest[2] == b':' => (num(&rest[..2])?, num(&rest[3..])?),
        _ => return None,
    };
    if h > 14 || m > 59 {
        return None;
    }
    Some(format!("{sign}{h:02}:{m:02}"))
}

/// Parse EXIF (`2019:02:12 15:27:12`), XMP/ISO (`2019-02-12T15:27:12.5+08:00`)
/// and QuickTime (`2019-02-12T15:27:12+0800`) forms. Invalid or all-zero
/// dates give `None`.
pub(crate) fn parse(s: &str) -> Option<DateTime> {
    let s = s.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    let b = s.as_bytes();
    if b.len() < 10 {
        return None;
    }
    let y = num(&b[0..4])?;
    if !matches!(b[4], b'-' | b':') || !matches!(b[7], b'-' | b':') {
        return None;
    }
    let mo = num(&b[5..7])?;
    let d = num(&b[8..10])?;
    if y == 0 || !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let mut dt = DateTime {
        date: (y, mo, d),
        time: None,
        frac: None,
        offset: None,
    };
    let rest = &b[10..];
    if rest.is_empty() {
        return Some(dt);
    }
    if !matches!(rest[0], b'T' | b' ') || rest.len() < 6 {
        return Some(dt);
    }
    let t = &rest[1..];
    let h = num(t.get(0..2)?)?;
    if t.get(2) != Some(&b':') {
        return Some(dt);
    }
    let mi = num(t.get(3..5)?)?;
    let mut i = 5;
    let mut se = 0;
    if t.get(5) == Some(&b':') {
        se = num(t.get(6..8)?)?;
        i = 8;
    }
    if h > 24 || mi > 59 || se > 60 {
        return Some(dt);
    }
    dt.time = Some((h, mi, se));
    if t.get(i) == Some(&b'.') {
        let n = t[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n > 0 {
            dt.set_frac(std::str::from_utf8(&t[i + 1..i + 1 + n]).unwrap_or(""));
        }
        i += 1 + n;
    }
    if let Some(tail) = t.get(i..) {
        let tail = std::str::from_utf8(tail).unwrap_or("").trim();
        if !tail.is_empty() {
            dt.set_offset(tail);
        }
    }
    Some(dt)
}

/// Seconds since 1904-01-01 (QuickTime epoch) as ISO 8601 UTC.
pub(crate) fn from_mac_epoch(secs: u64) -> Option<String> {
    // 1904-01-01 to 1970-01-01: 24,107 days.
    const OFFSET: i64 = 2_082_844_800;
    let unix = i64::try_from(secs).ok()?.checked_sub(OFFSET)?;
    from_unix(unix)
}

/// Unix seconds as ISO 8601 UTC (`+00:00`).
pub(crate) fn from_unix(unix: i64) -> Option<String> {
    let days = unix.div_euclid(86_400);
    let sod = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    if !(1..=9999).contains(&y) {
        return None;
    }
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+00:00",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    ))
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> Option<String> {
        parse(s).map(|d| d.iso())
    }

    #[test]
    fn exif_and_iso_forms() {
        assert_eq!(
            iso("2019:02:12 15:27:12").as_deref(),
            Some("2019-02-12T15:27:12")
        );
        assert_eq!(
            iso("2019-02-12T15:27:12+0800").as_deref(),
            Some("2019-02-12T15:27:12+08:00")
        );
        assert_eq!(
            iso("2019-02-12T15:27:12.25Z").as_deref(),
            Some("2019-02-12T15:27:12.25+00:00")
        );
        assert_eq!(iso("2019-02-12").as_deref(), Some("2019-02-12"));
        assert_eq!(iso("0000:00:00 00:00:00"), None);
        assert_eq!(iso("1999:99:99 99:99:99"), None);
        assert_eq!(iso("    :  :     :  :  "), None);
        assert_eq!(iso("2019"), None);
        let mut d = parse("2008:10:22 16:28:39").unwrap();
        d.set_frac("24 ");
        d.set_offset("+02:00");
        assert_eq!(d.iso(), "2008-10-22T16:28:39.24+02:00");
    }

    #[test]
    fn epochs() {
        assert_eq!(from_unix(0).as_deref(), Some("1970-01-01T00:00:00+00:00"));
        assert_eq!(
            from_unix(951_782_400).as_deref(),
            Some("2000-02-29T00:00:00+00:00")
        );
        assert_eq!(
            from_mac_epoch(3_789_788_738).as_deref(),
            Some("2024-02-03T07:05:38+00:00")
        );
        assert_eq!(from_mac_epoch(u64::MAX), None);
        assert_eq!(parse_offset("+0530").as_deref(), Some("+05:30"));
        assert_eq!(parse_offset("junk"), None);
    }
}
