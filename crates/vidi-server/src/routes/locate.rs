//! Location hypotheses from `vidi_clues::locate`: the same ranking, weights
//! and evidence `vidi locate` prints, for a media, a series (the clues of
//! its visible media pooled, each naming its media), the map and the grid's
//! country filter (a media's country is its best hypothesis).

use std::collections::BTreeMap;
use std::sync::Arc;

use vidi_clues::{Clue, Hypothesis, Weights};
use vidi_pipeline::clues::clue_from_row;
use vidi_store::accounts::Scope;
use vidi_store::{ClueRow, Store, StoreError};
use vidi_types::Sha256;

use crate::error::ApiError;
use crate::state::Caches;

/// Hypotheses listed per media or series.
pub(crate) const LIMIT: usize = 10;

fn typed(rows: &[ClueRow]) -> Vec<Clue> {
    rows.iter().filter_map(clue_from_row).collect()
}

/// Ranked countries of one media's clues.
pub(crate) fn of_rows(rows: &[ClueRow], limit: usize) -> Vec<Hypothesis> {
    vidi_clues::locate(&typed(rows), &Weights::default(), limit)
}

/// The best country of one media's clues.
pub(crate) fn top_country(rows: &[ClueRow]) -> Option<String> {
    of_rows(rows, 1).into_iter().next().map(|h| h.country)
}

/// Ranked countries of a media (the caller checked it is visible).
pub(crate) fn of_media(s: &Store, sha: &Sha256) -> Result<Vec<Hypothesis>, StoreError> {
    Ok(of_rows(&s.clues_for_media(sha)?, LIMIT))
}

/// Ranked countries of a series: the clues of its (visible) media pooled,
/// each naming its media in the evidence.
pub(crate) fn of_media_set(s: &Store, media: &[Sha256]) -> Result<Vec<Hypothesis>, StoreError> {
    let mut clues = Vec::new();
    for m in media {
        let hex = m.to_hex();
        for mut c in typed(&s.clues_for_media(m)?) {
            match &mut c.detail {
                serde_json::Value::Object(o) => {
                    o.insert("media".into(), serde_json::Value::String(hex.clone()));
                }
                other => *other = serde_json::json!({ "media": hex }),
            }
            clues.push(c);
        }
    }
    Ok(vidi_clues::locate(&clues, &Weights::default(), LIMIT))
}

/// The best country of every visible media with clues (of one visible
/// case, or all); `None` when the case is given and not visible.
pub(crate) fn countries(
    s: &Store,
    scope: &Scope,
    case: Option<&str>,
) -> Result<Option<BTreeMap<String, String>>, StoreError> {
    let mut out = BTreeMap::new();
    let seen = s.scoped_clues_by_media(scope, case, |sha, rows| {
        if let Some(c) = top_country(&rows) {
            out.insert(sha.to_owned(), c);
        }
    })?;
    Ok(seen.map(|()| out))
}

/// The best country of one media (by SHA-256 hex), cached per data
/// generation (`generation` read before any of the data).
pub(crate) fn media_country(
    s: &Store,
    caches: &Caches,
    generation: u64,
    hex: &str,
) -> Result<Option<String>, ApiError> {
    let key = hex.to_owned();
    if let Some(c) = caches.country.get(generation, &key) {
        return Ok(c);
    }
    let sha = crate::routes::media::parse_sha(hex)?;
    let c = top_country(&s.clues_for_media(&sha)?);
    caches.country.put(generation, key, c.clone());
    Ok(c)
}

/// [`countries`] of one visible case, cached per (agency, case) and data
/// generation; `None` when the case is not visible (never cached).
pub(crate) fn case_countries(
    s: &Store,
    caches: &Caches,
    generation: u64,
    scope: &Scope,
    case: &str,
) -> Result<Option<Arc<BTreeMap<String, String>>>, ApiError> {
    let key = (scope.agency_code().to_owned(), case.to_owned());
    // Visibility is checked every time, even when the map is cached.
    if !s.case_visible(scope, case)? {
        return Ok(None);
    }
    if let Some(m) = caches.case_countries.get(generation, &key) {
        return Ok(Some(m));
    }
    let Some(m) = countries(s, scope, Some(case))? else {
        return Ok(None);
    };
    let m = Arc::new(m);
    caches.case_countries.put(generation, key, m.clone());
    Ok(Some(m))
}
