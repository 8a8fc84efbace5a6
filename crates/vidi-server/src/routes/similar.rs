//! Find-similar for one visible media (`vidi_pipeline::embed::find_similar`).
//!
//! Need-to-know: the visible hits are searched among the visible cases only
//! (`visible_cases` = the caller's scope), and the search is widened until it
//! has `k` visible hits or has looked at every indexed vector, so media the
//! caller may not see never push visible ones out of the list (no score
//! gaps). Media held only in cases the caller may not see are reported like
//! restricted links: only the holding agency (code and country), once per
//! agency, without score, region or rank, and only for a close match
//! (cosine at least [`RESTRICTED_MIN_COSINE`]), so that access can be asked
//! for.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;
use vidi_pipeline::embed::{SimilarError, SimilarHit, SimilarIndex, find_similar};
use vidi_store::Store;
use vidi_store::accounts::Scope;
use vidi_store::embeddings::{EmbeddingStats, ModelKey};
use vidi_types::Sha256;

use crate::audit;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::routes::media::parse_sha;
use crate::state::AppState;

/// Smallest cosine of the best region pair for a media the caller may not
/// see to be reported (as its agency only).
pub(crate) const RESTRICTED_MIN_COSINE: f32 = 0.85;

/// Largest `k`.
const MAX_K: usize = 200;

/// Similar query.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct SimilarQuery {
    /// How many (default 20, max 200).
    pub k: Option<usize>,
}

type CacheKey = (PathBuf, String, String);
type Cache = HashMap<CacheKey, (EmbeddingStats, Arc<SimilarIndex>)>;

/// Loaded indexes, per workspace and model, with the embedding counts they
/// were loaded at (a change reloads).
static INDEXES: Mutex<Option<Cache>> = Mutex::new(None);

/// Held while an index is loaded or rebuilt.
static OPENING: Mutex<()> = Mutex::new(());

fn cached(ck: &CacheKey, now: &EmbeddingStats) -> Option<Arc<SimilarIndex>> {
    let guard = INDEXES.lock().unwrap_or_else(|p| p.into_inner());
    match guard.as_ref().and_then(|m| m.get(ck)) {
        Some((stats, idx)) if stats == now => Some(idx.clone()),
        _ => None,
    }
}

fn index_for(state: &AppState, s: &Store, key: &ModelKey) -> Result<Arc<SimilarIndex>, ApiError> {
    let ck = (state.root(), key.name.clone(), key.sha256.clone());
    let now = s.embedding_stats(key)?;
    if let Some(idx) = cached(&ck, &now) {
        return Ok(idx);
    }
    // One load or rebuild at a time (it may write the index file).
    let _opening = OPENING.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(idx) = cached(&ck, &now) {
        return Ok(idx);
    }
    let idx = Arc::new(SimilarIndex::open(state.workspace(), key).map_err(|e| internal(&e))?);
    let mut guard = INDEXES.lock().unwrap_or_else(|p| p.into_inner());
    let map = guard.get_or_insert_with(HashMap::new);
    if map.len() > 16 {
        map.clear();
    }
    map.insert(ck, (now, idx.clone()));
    Ok(idx)
}

fn internal(e: &SimilarError) -> ApiError {
    ApiError::internal(e)
}

fn unavailable(code: &str, message: &str) -> Value {
    json!({
        "items": [], "restricted": [], "next_cursor": null, "total": 0,
        "available": false, "code": code, "message": message,
    })
}

fn region(r: &vidi_pipeline::embed::MatchedRegion) -> Value {
    json!({ "index": r.index, "x": r.rect[0], "y": r.rect[1], "w": r.rect[2], "h": r.rect[3] })
}

/// The search, on the blocking pool. `None` when the media is not visible.
fn search(
    state: &AppState,
    s: &Store,
    scope: &Scope,
    sha: &Sha256,
    k: usize,
) -> Result<Option<Value>, ApiError> {
    if !s.media_visible(scope, sha)? {
        return Ok(None);
    }
    let Some(key) = s.embedding_models()?.into_iter().next() else {
        return Ok(Some(unavailable(
            "no_embeddings",
            "this workspace has no image embeddings: run `vidi similar` or an ingest with the embedding model installed",
        )));
    };
    let index = index_for(state, s, &key)?;
    let visible = s.visible_case_ids(scope)?;
    // Every other visible embedded media may be a hit.
    let reachable = usize::try_from(s.scoped_embedded_count(scope, &key)?)
        .unwrap_or(usize::MAX)
        .saturating_sub(1);
    let target = k.min(reachable);
    let total_vectors = index.ann().len();
    let mut kk = k;
    let hits: Vec<SimilarHit> = loop {
        let hits = match find_similar(state.workspace(), &index, &key, sha, kk, Some(&visible)) {
            Ok(h) => h,
            Err(SimilarError::NotEmbedded { .. }) => {
                return Ok(Some(unavailable(
                    "not_embedded",
                    "this media has no embedding (it could not be decoded, or was added after the last embedding run)",
                )));
            }
            Err(e) => return Err(internal(&e)),
        };
        // find_similar looks at max(200, 10 k) vectors per query region.
        let exhaustive = 200usize.max(kk.saturating_mul(10)) >= total_vectors;
        if hits.len() >= target || exhaustive || kk >= total_vectors {
            break hits;
        }
        kk = kk.saturating_mul(4);
    };
    let countries: BTreeMap<String, Option<String>> = s
        .agencies()?
        .into_iter()
        .map(|a| (a.code, a.country))
        .collect();
    let agency =
        |code: &str| json!({ "code": code, "country": countries.get(code).cloned().flatten() });
    let items: Vec<Value> = hits
        .iter()
        .take(k)
        .map(|h| {
            json!({
                "sha256": h.sha256.to_hex(),
                "score": h.score,
                "cosine": h.cosine,
                "query_region": region(&h.query_region),
                "hit_region": region(&h.hit_region),
                "cases": h.cases,
                "agencies": h.agencies.iter().map(|c| agency(c)).collect::<Vec<_>>(),
            })
        })
        .collect();
    // Close matches the caller may not see: their agencies only.
    let all =
        find_similar(state.workspace(), &index, &key, sha, k, None).map_err(|e| internal(&e))?;
    let mut hidden_agencies = BTreeSet::new();
    for h in all.iter().filter(|h| h.cosine >= RESTRICTED_MIN_COSINE) {
        if !s.media_visible(scope, &h.sha256)? {
            hidden_agencies.extend(s.media_holders(&h.sha256, None)?.agencies);
        }
    }
    let restricted: Vec<Value> = hidden_agencies
        .iter()
        .map(|c| json!({ "restricted": true, "other_agency": agency(c) }))
        .collect();
    let total = items.len();
    Ok(Some(json!({
        "items": items,
        "restricted": restricted,
        "next_cursor": null,
        "total": total,
        "available": true,
        "model": key.name,
    })))
}

/// Visually similar media: the visible ones with score and the region pair
/// that matched (query region, hit region; boxes in the embedded picture's
/// pixels), their visible cases and agencies; media held only in cases the
/// caller may not see as `restricted` agencies (code, country) so access
/// can be asked for. Without embeddings: `available: false` with code
/// `no_embeddings` (workspace) or `not_embedded` (this media). Audited
/// (`media.similar`).
#[utoipa::path(get, path = "/api/v1/media/{sha256}/similar", params(("sha256" = String, Path), SimilarQuery),
    responses((status = 200, description = "`{items: [{sha256, score, cosine, query_region, hit_region, cases, agencies: [{code, country}]}], restricted: [{restricted: true, other_agency: {code, country}}], total, available, code?, message?, model?}`"),
              (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn similar(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(sha): Path<String>,
    ApiQuery(q): ApiQuery<SimilarQuery>,
) -> Result<Json<Value>, ApiError> {
    let sha = parse_sha(&sha)?;
    let k = q.k.unwrap_or(20);
    if k == 0 || k > MAX_K {
        return Err(ApiError::bad_request(format!("k must be 1 to {MAX_K}")));
    }
    let scope = auth.scope.clone();
    let st = state.clone();
    let out = state
        .db(move |s| search(&st, s, &scope, &sha, k))
        .await?
        .ok_or_else(ApiError::not_found)?;
    audit::record_for(
        &state,
        &auth,
        "media.similar",
        &format!("media:{}", sha.to_hex()),
    )
    .await?;
    Ok(Json(out))
}
