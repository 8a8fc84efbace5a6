//! UTC offset → countries, from the IANA time zone database (zone → country
//! from `zone.tab`, `zone1970.tab` and CLDR; offsets per year from the zone
//! rules), extracted once by `scripts/data/extract_cldr.py`.

use std::sync::OnceLock;

use crate::country::CountryCode;
use crate::table;

const OFFSETS_TSV: &str = include_str!("../data/utc_offsets.tsv");

/// One UTC offset that a country's clocks showed at some time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetUse {
    /// The country.
    pub country: CountryCode,
    /// Offset from UTC in minutes, east positive (UTC+05:30 → 330).
    pub minutes: i32,
    /// Daylight-saving (summer) time rather than standard time.
    pub dst: bool,
    /// First calendar year (from 1970) in which some zone of the country used it.
    pub first_year: i32,
    /// Last calendar year in which it was used; [`data_last_year`] means "still".
    pub last_year: i32,
}

fn table_offsets() -> &'static [OffsetUse] {
    static T: OnceLock<Vec<OffsetUse>> = OnceLock::new();
    T.get_or_init(|| {
        table::rows::<5>(OFFSETS_TSV, "utc_offsets.tsv")
            .filter_map(|[country, minutes, kind, first, last]| {
                Some(OffsetUse {
                    country: CountryCode::parse(country)?,
                    minutes: minutes.parse().ok()?,
                    dst: kind == "dst",
                    first_year: first.parse().ok()?,
                    last_year: last.parse().ok()?,
                })
            })
            .collect()
    })
}

/// The last year covered by the offset table: an offset whose `last_year` is
/// this one is in use under the current rules.
pub fn data_last_year() -> i32 {
    table_offsets()
        .iter()
        .map(|o| o.last_year)
        .max()
        .unwrap_or(0)
}

/// Countries whose clocks use `minutes` east of UTC under the current rules,
/// as standard or daylight-saving time, sorted by code.
pub fn countries_for_utc_offset(minutes: i32) -> Vec<CountryCode> {
    countries_for_utc_offset_in_year(minutes, data_last_year())
}

/// Countries whose clocks used `minutes` east of UTC at some time in `year`
/// (1970 to [`data_last_year`]; later years are answered with the current
/// rules, earlier ones with 1970's), sorted by code.
pub fn countries_for_utc_offset_in_year(minutes: i32, year: i32) -> Vec<CountryCode> {
    let last = data_last_year();
    let first = table_offsets()
        .iter()
        .map(|o| o.first_year)
        .min()
        .unwrap_or(0);
    let year = year.clamp(first, last);
    let mut out: Vec<CountryCode> = table_offsets()
        .iter()
        .filter(|o| o.minutes == minutes && o.first_year <= year && year <= o.last_year)
        .map(|o| o.country)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Every offset a country has used since 1970, sorted by offset.
pub fn utc_offsets_of(country: CountryCode) -> Vec<OffsetUse> {
    let mut out: Vec<OffsetUse> = table_offsets()
        .iter()
        .filter(|o| o.country == country)
        .copied()
        .collect();
    out.sort_by_key(|o| (o.minutes, o.dst, o.first_year));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(v: &[CountryCode]) -> Vec<String> {
        v.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn india_and_nepal() {
        assert_eq!(codes(&countries_for_utc_offset(330)), ["IN", "LK"]);
        assert_eq!(codes(&countries_for_utc_offset(345)), ["NP"]);
    }

    #[test]
    fn central_europe_summer() {
        let c = codes(&countries_for_utc_offset(120));
        for want in ["DE", "NL", "BE", "FR", "FI", "ZA", "EG", "UA"] {
            assert!(c.contains(&want.to_string()), "{want} missing from {c:?}");
        }
        // Iceland stays on UTC all year.
        assert!(codes(&countries_for_utc_offset(0)).contains(&"IS".to_string()));
        assert!(!c.contains(&"IS".to_string()));
    }

    #[test]
    fn history_and_unknown() {
        // Venezuela used UTC-04:30 from 2007 to 2016.
        assert_eq!(codes(&countries_for_utc_offset_in_year(-270, 2010)), ["VE"]);
        assert!(countries_for_utc_offset(-270).is_empty());
        assert!(countries_for_utc_offset(7).is_empty());
        assert!(countries_for_utc_offset(i32::MIN).is_empty());
        assert_eq!(
            countries_for_utc_offset_in_year(60, 9999),
            countries_for_utc_offset(60)
        );
        let nl = utc_offsets_of(CountryCode::parse("NL").unwrap());
        assert!(
            nl.iter()
                .any(|o| o.minutes == 60 && !o.dst && o.last_year == data_last_year())
        );
        assert!(nl.iter().any(|o| o.minutes == 120 && o.dst));
    }
}
