//! ISO 3166-1 alpha-2 country codes, English names and populations
//! (Unicode CLDR), and ISO 3166-2 subdivision names (Debian `iso-codes`).
//! The tables are compiled in and parsed once on first use.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use crate::table;

const COUNTRIES_TSV: &str = include_str!("../data/countries.tsv");
const SUBDIVISIONS_TSV: &str = include_str!("../data/subdivisions.tsv");

/// An ISO 3166-1 alpha-2 code (two ASCII upper-case letters), such as `NL`.
///
/// Any two letters parse; [`CountryCode::name`] tells whether the code is in
/// the shipped country table.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Parses two ASCII letters, either case (`"nl"` and `"NL"` both give `NL`).
    /// Anything else (length, digits, non-ASCII) gives `None`.
    pub fn parse(code: &str) -> Option<Self> {
        match code.as_bytes() {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                Some(Self([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
            }
            _ => None,
        }
    }

    /// The code as a string slice, always two upper-case ASCII letters.
    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// English name (CLDR), when the code is in the shipped table.
    pub fn name(&self) -> Option<&'static str> {
        country(*self).map(|c| c.name)
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CountryCode({})", self.as_str())
    }
}

/// One row of the shipped country table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Country {
    /// ISO 3166-1 alpha-2 code (plus the user-assigned `XK`, Kosovo).
    pub code: CountryCode,
    /// English short name from CLDR, e.g. "United Kingdom", "Congo - Kinshasa".
    pub name: &'static str,
    /// Population estimate from CLDR `territoryInfo`, when known.
    pub population: Option<u64>,
}

struct Countries {
    rows: Vec<Country>,
    by_code: HashMap<CountryCode, usize>,
    by_name: HashMap<String, usize>,
}

fn table_countries() -> &'static Countries {
    static T: OnceLock<Countries> = OnceLock::new();
    T.get_or_init(|| {
        let mut rows = Vec::new();
        for fields in table::rows::<3>(COUNTRIES_TSV, "countries.tsv") {
            let [code, name, population] = fields;
            let Some(code) = CountryCode::parse(code) else {
                tracing::warn!(code, "countries.tsv: bad country code");
                continue;
            };
            rows.push(Country {
                code,
                name,
                population: population.parse().ok(),
            });
        }
        let by_code = rows.iter().enumerate().map(|(i, c)| (c.code, i)).collect();
        let by_name = rows
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.to_lowercase(), i))
            .collect();
        Countries {
            rows,
            by_code,
            by_name,
        }
    })
}

/// Every country in the shipped table, sorted by code.
pub fn countries() -> &'static [Country] {
    &table_countries().rows
}

/// The table row for `code`, if it is a known country.
pub fn country(code: CountryCode) -> Option<&'static Country> {
    let t = table_countries();
    t.by_code.get(&code).and_then(|&i| t.rows.get(i))
}

/// English name of a country code (`"de"` or `"DE"` → "Germany").
pub fn country_name(code: &str) -> Option<&'static str> {
    CountryCode::parse(code).and_then(|c| c.name())
}

/// Looks a country up by its English CLDR name, case-insensitively
/// ("united kingdom" → `GB`). A few common alternative spellings used by
/// GeoNames-based tools are accepted too.
pub fn country_by_name(name: &str) -> Option<CountryCode> {
    let key = name.trim().to_lowercase();
    let key = match key.as_str() {
        "usa" | "united states of america" => "united states",
        "uk" | "great britain" => "united kingdom",
        "czech republic" => "czechia",
        "burma" | "myanmar" => "myanmar (burma)",
        "ivory coast" | "cote d'ivoire" => "côte d’ivoire",
        "democratic republic of the congo" => "congo - kinshasa",
        "republic of the congo" => "congo - brazzaville",
        other => other,
    };
    let t = table_countries();
    t.by_name
        .get(key)
        .and_then(|&i| t.rows.get(i))
        .map(|c| c.code)
}

/// English (or local romanised) name of an ISO 3166-2 subdivision code,
/// such as `"GB-SCT"` → "Scotland", from Debian `iso-codes`.
pub fn subdivision_name(code: &str) -> Option<&'static str> {
    static T: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    T.get_or_init(|| {
        table::rows::<2>(SUBDIVISIONS_TSV, "subdivisions.tsv")
            .map(|[code, name]| (code, name))
            .collect()
    })
    .get(code.trim())
    .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_codes() {
        assert_eq!(
            CountryCode::parse("nl").map(|c| c.to_string()).as_deref(),
            Some("NL")
        );
        assert!(CountryCode::parse("N").is_none());
        assert!(CountryCode::parse("NLD").is_none());
        assert!(CountryCode::parse("N1").is_none());
        assert!(CountryCode::parse("É1").is_none());
        assert!(CountryCode::parse("").is_none());
    }

    #[test]
    fn table_is_complete() {
        let all = countries();
        assert!(all.len() >= 249, "{} countries", all.len());
        assert!(all.iter().all(|c| !c.name.is_empty()));
        assert!(
            all.iter().all(|c| c.population.is_some()),
            "population missing"
        );
        assert_eq!(country_name("gb"), Some("United Kingdom"));
        assert_eq!(country_name("XK"), Some("Kosovo"));
        assert_eq!(country_name("ZZ"), None);
        assert_eq!(
            country_by_name("United States")
                .map(|c| c.to_string())
                .as_deref(),
            Some("US")
        );
        assert_eq!(
            country_by_name("mauritius")
                .map(|c| c.to_string())
                .as_deref(),
            Some("MU")
        );
        assert_eq!(country_by_name("Atlantis"), None);
    }

    #[test]
    fn subdivisions() {
        assert_eq!(subdivision_name("GB-SCT"), Some("Scotland"));
        assert_eq!(subdivision_name("US-TX"), Some("Texas"));
        assert_eq!(subdivision_name("XX-YY"), None);
    }
}
