//! Location hypotheses: clues rolled up into ranked countries, each with
//! the evidence behind it and how much each piece weighed.
//!
//! Each clue spreads points over the countries it points to: a GPS place
//! all on its country; a written or spoken language over the countries
//! where it is spoken, in proportion to their speakers (CLDR); a UTC offset
//! evenly over the countries that use it; a country named in the text on
//! that country; a town or first-level region named in the text on its
//! country (and region), shared by population when several towns have the
//! name. Points are the kind's weight x the clue's confidence x the
//! country's share. A country's score is its points over all points, so
//! scores of one media add up to 1 and independent clues that agree (Dutch
//! text and a +01:00 offset) lift the countries they share.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{Clue, ClueKind};

/// Weight of each kind of clue.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Weights {
    /// A GPS position resolved to a country.
    pub gps: f64,
    /// A country, town or first-level region named in text read in the
    /// image (or typed).
    pub place_name: f64,
    /// Geolocation from the image content.
    pub scene_geolocation: f64,
    /// The language spoken.
    pub spoken_language: f64,
    /// The language of written text.
    pub text_language: f64,
    /// The UTC offset of the capture time.
    pub utc_offset: f64,
}

impl Default for Weights {
    /// Calibrated on the demo dataset (see `docs/accuracy.md`).
    fn default() -> Self {
        Weights {
            gps: 10.0,
            place_name: 3.0,
            scene_geolocation: 2.0,
            spoken_language: 1.5,
            text_language: 1.0,
            utc_offset: 0.6,
        }
    }
}

/// One clue's contribution to a hypothesis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// Kind of the clue.
    pub kind: &'static str,
    /// Its value.
    pub value: String,
    /// Extractor that produced it.
    pub extractor: String,
    /// Points it gave this country.
    pub weight: f64,
    /// Why (e.g. "nl is spoken by 23 % of its speakers here").
    pub why: String,
    /// The media the clue came from, when the clue names one in its
    /// detail (`"media"`: SHA-256 hex), as a series roll-up does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media: Option<String>,
}

/// A ranked country hypothesis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hypothesis {
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// English name.
    pub country_name: Option<&'static str>,
    /// First-level region, when a GPS place or a place name gives one.
    pub region: Option<String>,
    /// Share of all points, 0–1.
    pub score: f64,
    /// The clues behind it, heaviest first.
    pub evidence: Vec<Evidence>,
}

/// Countries named in a text: single words and pairs/triples of words
/// matched against English country names.
fn countries_named(text: &str) -> Vec<vidi_geo::CountryCode> {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    let mut found = Vec::new();
    for n in 1..=3 {
        for win in words.windows(n) {
            let phrase = win.join(" ");
            if phrase.chars().count() < 4 {
                continue;
            }
            if let Some(c) = vidi_geo::country_by_name(&phrase)
                && !found.contains(&c)
            {
                found.push(c);
            }
        }
    }
    found
}

/// Towns and regions named in a text: (country, share of the clue's
/// points, region, why). A name that several places carry spreads its
/// points over them: towns by population, a region as much as its largest
/// namesake town; a region counts a little less than a town.
fn places_named(text: &str) -> Vec<(String, f64, Option<String>, String)> {
    const REGION_FACTOR: f64 = 0.8;
    let mut out = Vec::new();
    for m in vidi_geo::places_named(text) {
        let biggest = m
            .places
            .iter()
            .filter_map(|p| p.population)
            .max()
            .unwrap_or(1)
            .max(1) as f64;
        let mass = |p: &vidi_geo::NamedPlace| match p.kind {
            vidi_geo::PlaceKind::Town => p.population.unwrap_or(1).max(1) as f64,
            vidi_geo::PlaceKind::Region => biggest * REGION_FACTOR,
        };
        let total: f64 = m.places.iter().map(mass).sum();
        if total <= 0.0 {
            continue;
        }
        for p in &m.places {
            let share = mass(p) / total
                * if p.kind == vidi_geo::PlaceKind::Region {
                    REGION_FACTOR
                } else {
                    1.0
                };
            let why = match (p.kind, p.region) {
                (vidi_geo::PlaceKind::Town, Some(r)) => format!(
                    "the text names {} (town in {r}, {} inhabitants)",
                    m.text,
                    p.population.unwrap_or(0)
                ),
                (vidi_geo::PlaceKind::Town, None) => format!("the text names the town {}", m.text),
                (vidi_geo::PlaceKind::Region, _) => {
                    format!("the text names the region {}", m.text)
                }
            };
            out.push((
                p.country.as_str().to_owned(),
                share,
                p.region.map(str::to_owned),
                why,
            ));
        }
    }
    out
}

/// Rank countries from clues, best first; at most `limit` hypotheses.
pub fn locate(clues: &[Clue], weights: &Weights, limit: usize) -> Vec<Hypothesis> {
    // Per country: points, points per region named, evidence.
    type Acc = (f64, BTreeMap<String, f64>, Vec<Evidence>);
    let mut acc: BTreeMap<String, Acc> = BTreeMap::new();
    let mut add = |country: &str, points: f64, region: Option<String>, e: Evidence| {
        if points <= 0.0 || !points.is_finite() {
            return;
        }
        let entry = acc
            .entry(country.to_owned())
            .or_insert((0.0, BTreeMap::new(), Vec::new()));
        entry.0 += points;
        if let Some(r) = region {
            *entry.1.entry(r).or_insert(0.0) += points;
        }
        entry.2.push(e);
    };
    for c in clues {
        let conf = f64::from(c.confidence.clamp(0.0, 1.0));
        let media = c
            .detail
            .get("media")
            .and_then(|m| m.as_str())
            .map(str::to_owned);
        let ev = |weight: f64, why: String| Evidence {
            kind: c.kind.as_str(),
            value: c.value.clone(),
            extractor: c.extractor.clone(),
            weight,
            why,
            media: media.clone(),
        };
        match c.kind {
            ClueKind::GpsPlace | ClueKind::SceneGeolocation => {
                let w = if c.kind == ClueKind::GpsPlace {
                    weights.gps
                } else {
                    weights.scene_geolocation
                };
                let region = c
                    .detail
                    .get("region")
                    .and_then(|r| r.as_str())
                    .map(str::to_owned);
                let why = match c.detail.get("nearest_town").and_then(|t| t.as_str()) {
                    Some(t) => format!("position in {}, near {t}", c.value),
                    None => format!("position in {}", c.value),
                };
                add(&c.value, w * conf, region, ev(w * conf, why));
            }
            ClueKind::TextLanguage | ClueKind::SpokenLanguage => {
                let w = if c.kind == ClueKind::TextLanguage {
                    weights.text_language
                } else {
                    weights.spoken_language
                };
                for s in vidi_geo::countries_for_language(&c.value) {
                    let p = w * conf * s.share;
                    add(
                        s.country.as_str(),
                        p,
                        None,
                        ev(
                            p,
                            format!(
                                "{} is spoken by {:.0} % here ({:.1} % of its speakers live here)",
                                c.value,
                                s.percent,
                                s.share * 100.0
                            ),
                        ),
                    );
                }
            }
            ClueKind::UtcOffset => {
                let minutes = c.detail.get("minutes").and_then(serde_json::Value::as_i64);
                let Some(minutes) = minutes.and_then(|m| i32::try_from(m).ok()) else {
                    continue;
                };
                let countries = vidi_geo::countries_for_utc_offset(minutes);
                let n = countries.len().max(1) as f64;
                for country in countries {
                    let p = weights.utc_offset * conf / n;
                    add(
                        country.as_str(),
                        p,
                        None,
                        ev(p, format!("UTC{} is used here", c.value)),
                    );
                }
            }
            ClueKind::Text => {
                for country in countries_named(&c.value) {
                    let p = weights.place_name * conf;
                    add(
                        country.as_str(),
                        p,
                        None,
                        ev(p, "the text names this country".into()),
                    );
                }
                for (country, share, region, why) in places_named(&c.value) {
                    let p = weights.place_name * conf * share;
                    add(&country, p, region, ev(p, why));
                }
            }
            ClueKind::Camera | ClueKind::CameraSerial | ClueKind::Scene => {}
        }
    }
    let total: f64 = acc.values().map(|v| v.0).sum();
    let mut out: Vec<Hypothesis> = acc
        .into_iter()
        .map(|(country, (points, regions, mut evidence))| {
            evidence.sort_by(|a, b| b.weight.total_cmp(&a.weight));
            // The region with the most points (ties: first by name).
            let region = regions
                .into_iter()
                .fold(None::<(String, f64)>, |best, (r, p)| match best {
                    Some((_, bp)) if bp >= p => best,
                    _ => Some((r, p)),
                })
                .map(|(r, _)| r);
            Hypothesis {
                country_name: vidi_geo::country_name(&country),
                country,
                region,
                score: if total > 0.0 { points / total } else { 0.0 },
                evidence,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.country.cmp(&b.country))
    });
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clue(kind: ClueKind, value: &str, detail: serde_json::Value) -> Clue {
        Clue {
            kind,
            value: value.into(),
            confidence: 1.0,
            extractor: "test".into(),
            version: 1,
            model: None,
            region: None,
            time_range: None,
            detail,
        }
    }

    #[test]
    fn gps_dominates_and_scores_add_up() {
        let h = locate(
            &[
                clue(
                    ClueKind::GpsPlace,
                    "BE",
                    serde_json::json!({"region": "Vlaanderen"}),
                ),
                clue(ClueKind::TextLanguage, "nl", serde_json::Value::Null),
            ],
            &Weights::default(),
            10,
        );
        assert_eq!(h[0].country, "BE");
        assert_eq!(h[0].region.as_deref(), Some("Vlaanderen"));
        assert_eq!(h[0].evidence.len(), 2);
        let sum: f64 = h.iter().map(|x| x.score).sum();
        assert!(sum <= 1.0 + 1e-9);
    }

    #[test]
    fn agreeing_clues_lift_the_shared_country() {
        // Dutch is spoken mostly in NL; with +01:00 NL and BE both gain.
        let h = locate(
            &[
                clue(ClueKind::TextLanguage, "nl", serde_json::Value::Null),
                clue(
                    ClueKind::UtcOffset,
                    "+01:00",
                    serde_json::json!({"minutes": 60}),
                ),
            ],
            &Weights::default(),
            5,
        );
        assert_eq!(h[0].country, "NL");
        assert!(h.iter().any(|x| x.country == "BE"));
        // Thai text: Thailand first.
        let h = locate(
            &[clue(ClueKind::TextLanguage, "th", serde_json::Value::Null)],
            &Weights::default(),
            3,
        );
        assert_eq!(h[0].country, "TH");
    }

    #[test]
    fn countries_named_in_text() {
        let h = locate(
            &[clue(
                ClueKind::Text,
                "Welcome to Brazil - Bem-vindo",
                serde_json::Value::Null,
            )],
            &Weights::default(),
            3,
        );
        assert_eq!(h[0].country, "BR");
        assert!(locate(&[], &Weights::default(), 3).is_empty());
    }

    #[test]
    fn towns_and_regions_named_in_text() {
        // Real sign texts (as tesseract reads them).
        let sign = |t: &str| {
            locate(
                &[clue(ClueKind::Text, t, serde_json::Value::Null)],
                &Weights::default(),
                5,
            )
        };
        let h = sign("Antwerp 12\nGhent 48");
        assert_eq!(h[0].country, "BE");
        assert_eq!(h[0].region.as_deref(), Some("Flanders"));
        assert!(
            h[0].evidence[0].why.contains("Antwerp"),
            "{:?}",
            h[0].evidence
        );
        let h = sign("AUTOBAHN A9 NUREMBERG / Bavaria");
        assert_eq!(h[0].country, "DE");
        assert_eq!(h[0].region.as_deref(), Some("Bavaria"));
        let h = sign("Rio de Janeiro");
        assert_eq!(h[0].country, "BR");
        // Common words and lower case give nothing.
        assert!(sign("Have a nice day - SALE - split").is_empty());
        // A GPS region outweighs a region read in text.
        let h = locate(
            &[
                clue(
                    ClueKind::GpsPlace,
                    "BE",
                    serde_json::json!({"region": "Wallonia"}),
                ),
                clue(ClueKind::Text, "Antwerp", serde_json::Value::Null),
            ],
            &Weights::default(),
            3,
        );
        assert_eq!(h[0].region.as_deref(), Some("Wallonia"));
    }

    #[test]
    fn evidence_names_its_media() {
        let mut c = clue(
            ClueKind::TextLanguage,
            "nl",
            serde_json::json!({"media": "ab12"}),
        );
        c.confidence = 0.9;
        let h = locate(&[c], &Weights::default(), 1);
        assert_eq!(h[0].evidence[0].media.as_deref(), Some("ab12"));
    }
}
