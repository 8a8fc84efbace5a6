//! Which languages are spoken where: Unicode CLDR territory–language data
//! (population percentage and official status), extracted once from PyPI
//! `babel` by `scripts/data/extract_cldr.py`.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::country::{CountryCode, country};
use crate::table;

const LANGUAGES_TSV: &str = include_str!("../data/territory_languages.tsv");
const NAMES_TSV: &str = include_str!("../data/languages.tsv");

struct Names {
    /// code → English name
    names: HashMap<&'static str, &'static str>,
    /// ISO 639-2/T or /B three-letter code → the table's code (`deu`, `ger` → `de`)
    alpha3: HashMap<&'static str, &'static str>,
}

fn table_names() -> &'static Names {
    static T: OnceLock<Names> = OnceLock::new();
    T.get_or_init(|| {
        let mut names = HashMap::new();
        let mut alpha3 = HashMap::new();
        for [code, name, t, b] in table::rows::<4>(NAMES_TSV, "languages.tsv") {
            names.insert(code, name);
            for three in [t, b] {
                if three.len() == 3 && three != code {
                    alpha3.insert(three, code);
                }
            }
        }
        Names { names, alpha3 }
    })
}

/// English name (CLDR, else ISO 639) of a language code or tag
/// (`"nl"`, `"nl-BE"`, `"dut"` → "Dutch").
pub fn language_name(tag: &str) -> Option<&'static str> {
    table_names()
        .names
        .get(normalize_language(tag).as_str())
        .copied()
}

/// Official status of a language in a territory (CLDR `officialStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum OfficialStatus {
    /// No official status.
    None,
    /// Official in a region only (`official_regional`).
    Regional,
    /// Official in practice, not in law (`de_facto_official`).
    DeFacto,
    /// Official for the whole territory.
    Official,
}

impl OfficialStatus {
    fn parse(text: &str) -> Self {
        match text {
            "official" => Self::Official,
            "de_facto" => Self::DeFacto,
            "regional" => Self::Regional,
            _ => Self::None,
        }
    }

    /// Official nationally, in law or in fact.
    pub fn is_national(&self) -> bool {
        matches!(self, Self::Official | Self::DeFacto)
    }
}

/// A language as used in one country.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LanguageUse {
    /// ISO 639-1 code where one exists (`nl`, `zh`), else CLDR's ISO 639-2/3
    /// code (`gsw`, `fil`, `yue`). Script variants are merged (`zh_Hant` → `zh`).
    pub lang: &'static str,
    /// CLDR estimate of the share of the population that speaks it, 0–100
    /// (first or second language; the percentages of one country overlap).
    pub percent: f64,
    /// Official status.
    pub status: OfficialStatus,
}

/// A country where a language is spoken, with its weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CountryShare {
    /// The country.
    pub country: CountryCode,
    /// Estimated fraction (0–1) of all the language's speakers who live in
    /// this country: `percent / 100 × population`, divided by the sum over
    /// all countries. The shares of one language add up to 1.
    pub share: f64,
    /// Estimated number of speakers in this country.
    pub speakers: f64,
    /// Percentage of the country's population speaking it (CLDR).
    pub percent: f64,
    /// Official status there.
    pub status: OfficialStatus,
}

struct Languages {
    by_country: HashMap<CountryCode, Vec<LanguageUse>>,
    by_lang: HashMap<&'static str, Vec<CountryShare>>,
}

fn table_languages() -> &'static Languages {
    static T: OnceLock<Languages> = OnceLock::new();
    T.get_or_init(|| {
        let mut by_country: HashMap<CountryCode, Vec<LanguageUse>> = HashMap::new();
        let mut by_lang: HashMap<&'static str, Vec<CountryShare>> = HashMap::new();
        for [territory, lang, percent, status, _codes] in
            table::rows::<5>(LANGUAGES_TSV, "territory_languages.tsv")
        {
            // Territories that are not ISO 3166-1 countries (AC, EA, IC, ...)
            // are left out: their populations are counted in their country.
            let Some(code) = CountryCode::parse(territory).filter(|c| country(*c).is_some()) else {
                continue;
            };
            let percent: f64 = percent.parse().unwrap_or(0.0);
            let status = OfficialStatus::parse(status);
            by_country.entry(code).or_default().push(LanguageUse {
                lang,
                percent,
                status,
            });
            let population = country(code).and_then(|c| c.population).unwrap_or(0) as f64;
            by_lang.entry(lang).or_default().push(CountryShare {
                country: code,
                share: 0.0,
                speakers: percent / 100.0 * population,
                percent,
                status,
            });
        }
        for uses in by_country.values_mut() {
            uses.sort_by(|a, b| b.percent.total_cmp(&a.percent).then(a.lang.cmp(b.lang)));
        }
        for shares in by_lang.values_mut() {
            let total: f64 = shares.iter().map(|s| s.speakers).sum();
            for s in shares.iter_mut() {
                s.share = if total > 0.0 { s.speakers / total } else { 0.0 };
            }
            shares.sort_by(|a, b| {
                b.share
                    .total_cmp(&a.share)
                    .then(b.status.cmp(&a.status))
                    .then(a.country.cmp(&b.country))
            });
        }
        Languages {
            by_country,
            by_lang,
        }
    })
}

/// Normalises a language tag to the code used in the table: lower case,
/// script and region dropped (`pt-BR`, `zh_Hant` → `pt`, `zh`), ISO 639-2
/// three-letter codes mapped to ISO 639-1 where one exists (`deu`, `ger` →
/// `de`; Tesseract's `chi_sim` → `zh`), and a few deprecated codes mapped
/// (`iw` → `he`, `in` → `id`, `ji` → `yi`, `jw` → `jv`, `mo` → `ro`,
/// `tl` → `fil`).
pub fn normalize_language(tag: &str) -> String {
    let base = tag
        .trim()
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match base.as_str() {
        "iw" => "he".into(),
        "in" => "id".into(),
        "ji" => "yi".into(),
        "jw" => "jv".into(),
        "mo" => "ro".into(),
        "tl" => "fil".into(),
        _ => match table_names().alpha3.get(base.as_str()) {
            Some(code) => (*code).to_owned(),
            None => base,
        },
    }
}

/// Countries where a language is spoken, largest share of its speakers first.
/// `lang` is an ISO 639-1 code or any BCP 47 tag (see [`normalize_language`]).
/// Unknown languages give an empty list.
pub fn countries_for_language(lang: &str) -> Vec<CountryShare> {
    let key = normalize_language(lang);
    table_languages()
        .by_lang
        .get(key.as_str())
        .cloned()
        .unwrap_or_default()
}

/// Languages of a country, most widely spoken first. Unknown codes give an
/// empty list.
pub fn languages_of(country: CountryCode) -> Vec<LanguageUse> {
    table_languages()
        .by_country
        .get(&country)
        .cloned()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cc(s: &str) -> CountryCode {
        CountryCode::parse(s).unwrap()
    }

    #[test]
    fn dutch() {
        let nl = countries_for_language("nl");
        // CLDR counts second-language speakers: 9 % of Germany outweighs
        // Belgium's 55 % in head count.
        let top: Vec<String> = nl.iter().take(3).map(|s| s.country.to_string()).collect();
        assert_eq!(top, ["NL", "DE", "BE"]);
        assert_eq!(nl[1].status, OfficialStatus::None);
        assert_eq!(nl[2].status, OfficialStatus::Official);
        let total: f64 = nl.iter().map(|s| s.share).sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        assert!(nl.iter().any(|s| s.country == cc("SR")));
        assert_eq!(countries_for_language("nl-BE"), nl);
    }

    #[test]
    fn script_variants_merge() {
        let zh = countries_for_language("zh_Hant");
        assert_eq!(zh.first().map(|s| s.country), Some(cc("CN")));
        assert!(
            zh.iter()
                .any(|s| s.country == cc("TW") && s.status == OfficialStatus::Official)
        );
        let pt = countries_for_language("pt");
        assert_eq!(pt.first().map(|s| s.country), Some(cc("BR")));
    }

    #[test]
    fn aliases_and_unknown() {
        assert_eq!(normalize_language(" IW "), "he");
        assert_eq!(
            countries_for_language("iw").first().map(|s| s.country),
            Some(cc("IL"))
        );
        assert_eq!(
            countries_for_language("tl").first().map(|s| s.country),
            Some(cc("PH"))
        );
        assert!(countries_for_language("").is_empty());
        assert!(countries_for_language("qqq").is_empty());
        assert!(countries_for_language("\u{1F600}").is_empty());
    }

    #[test]
    fn three_letter_codes_and_names() {
        assert_eq!(normalize_language("deu"), "de");
        assert_eq!(normalize_language("ger"), "de");
        assert_eq!(normalize_language("chi_sim"), "zh");
        assert_eq!(normalize_language("nld"), "nl");
        assert_eq!(normalize_language("gsw"), "gsw");
        assert_eq!(language_name("nl-BE"), Some("Dutch"));
        assert_eq!(language_name("dut"), Some("Dutch"));
        assert_eq!(language_name("gsw"), Some("Swiss German"));
        assert_eq!(language_name("xx"), None);
        assert_eq!(
            countries_for_language("fra").first().map(|s| s.country),
            countries_for_language("fr").first().map(|s| s.country)
        );
        // Every language of the territory table has a name.
        for uses in table_languages().by_country.values() {
            for u in uses {
                assert!(language_name(u.lang).is_some(), "{} has no name", u.lang);
            }
        }
    }

    #[test]
    fn languages_of_switzerland() {
        let ch = languages_of(cc("CH"));
        let official: Vec<&str> = ch
            .iter()
            .filter(|l| l.status == OfficialStatus::Official)
            .map(|l| l.lang)
            .collect();
        assert_eq!(official, ["de", "fr", "it"]);
        assert!(
            ch.iter()
                .any(|l| l.lang == "rm" && l.status == OfficialStatus::Regional)
        );
        assert!(ch.windows(2).all(|w| w[0].percent >= w[1].percent));
        assert!(languages_of(cc("ZZ")).is_empty());
    }
}
