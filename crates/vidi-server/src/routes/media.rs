//! Cases, media lists, one media, thumbnails, and investigators' writes on
//! media (files: `file.rs`, similar: `similar.rs`). Every read goes through a scoped
//! `vidi_store` function; every media view and change is audited.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;
use vidi_store::accounts::{Generation, MediaFilter, MediaView, NoteKind};
use vidi_types::Sha256;

use crate::audit;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};
use crate::routes::locate;
use crate::state::AppState;

pub use super::similar::SimilarQuery;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/cases", get(cases))
        .route("/cases/{number}/media", get(case_media))
        .route("/media/{sha256}", get(media))
        .route("/media/{sha256}/thumbnail", get(thumbnail))
        .route("/media/{sha256}/file", get(super::file::file))
        .route("/media/{sha256}/similar", get(super::similar::similar))
        .route("/media/{sha256}/tags", post(add_tag))
        .route("/media/{sha256}/notes", post(add_note))
        .route("/media/{sha256}/categories", post(add_category))
        .route("/media/{sha256}/clues", post(add_clue))
}

/// Parse a full SHA-256 path segment; anything else is `not_found`.
pub fn parse_sha(s: &str) -> Result<Sha256, ApiError> {
    if s.len() != 64 {
        return Err(ApiError::not_found());
    }
    Sha256::from_hex(&s.to_ascii_lowercase()).map_err(|_| ApiError::not_found())
}

/// Paging query.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct PageQuery {
    /// Items per page (default 100, max 1000).
    pub limit: Option<usize>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The visible cases.
#[utoipa::path(get, path = "/api/v1/cases",
    responses((status = 200, description = "`{items: [{number, agency, access, media_count}], next_cursor, total}`")))]
pub(crate) async fn cases(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<Json<Value>, ApiError> {
    let scope = auth.scope.clone();
    let st = state.clone();
    let cases = state
        .db(move |s| Ok(s.scoped_cases_cached(&st.caches().reads, &scope)?))
        .await?;
    let total = cases.len();
    Ok(Json(
        json!({ "items": cases, "next_cursor": null, "total": total }),
    ))
}

/// Filters of a case's media list.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct MediaQuery {
    /// Items per page (default 100, max 1000).
    pub limit: Option<usize>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// `new` or `known`.
    pub status: Option<String>,
    /// Category code.
    pub category: Option<String>,
    /// `image`, `video`, `audio`, `other`.
    pub kind: Option<String>,
    /// Has a GPS position.
    pub has_gps: Option<bool>,
    /// Has speech.
    pub has_speech: Option<bool>,
    /// Series: id or name of a visible series.
    pub series: Option<String>,
    /// Cluster id as shown.
    pub cluster: Option<String>,
    /// ISO country: media whose best location hypothesis
    /// (`vidi_clues::locate`) is this country.
    pub country: Option<String>,
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

/// One page of a visible case's media.
#[utoipa::path(get, path = "/api/v1/cases/{number}/media", params(("number" = String, Path), MediaQuery),
    responses((status = 200, description = "`{items: [media list item], next_cursor, total}`"),
              (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn case_media(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(number): Path<String>,
    ApiQuery(q): ApiQuery<MediaQuery>,
) -> Result<Json<Value>, ApiError> {
    let known = match q.status.as_deref() {
        None | Some("") => None,
        Some("known") => Some(true),
        Some("new") => Some(false),
        Some(_) => return Err(ApiError::bad_request("status must be new or known")),
    };
    let filter = MediaFilter {
        known,
        category: nonempty(q.category),
        kind: nonempty(q.kind),
        has_gps: q.has_gps,
        has_speech: q.has_speech,
        series: nonempty(q.series),
        cluster: nonempty(q.cluster),
        country: None,
        media_in: None,
    };
    let country = nonempty(q.country);
    let limit = q.limit.unwrap_or(100);
    if limit == 0 || limit > 1000 {
        return Err(ApiError::bad_request("limit must be 1 to 1000"));
    }
    let cursor = nonempty(q.cursor);
    let scope = auth.scope.clone();
    let st = state.clone();
    let page = state
        .db(move |s| {
            let caches = st.caches();
            // Read first: whatever is computed below is at least this new.
            let generation = s.generation(Generation::Data)?;
            let mut filter = filter;
            if let Some(c) = country {
                // The country filter keeps the media whose best location
                // hypothesis (`vidi_clues::locate`) is that country.
                let Some(best) = locate::case_countries(s, caches, generation, &scope, &number)?
                else {
                    return Ok(None);
                };
                let c = c.to_ascii_uppercase();
                filter.media_in = Some(
                    best.iter()
                        .filter(|(_, b)| **b == c)
                        .map(|(sha, _)| sha.clone())
                        .collect(),
                );
            }
            let Some(mut page) = s.scoped_media_page_cached(
                &caches.reads,
                &scope,
                &number,
                &filter,
                limit,
                cursor.as_deref(),
            )?
            else {
                return Ok(None);
            };
            for item in &mut page.items {
                item.country = locate::media_country(s, caches, generation, &item.sha256)?;
            }
            Ok(Some(page))
        })
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(
        serde_json::to_value(page).map_err(|e| ApiError::internal(&e))?,
    ))
}

/// Links as the UI reads them: a visible link also carries the other end's
/// `sha256` and first visible `case` at the top level.
fn links_json(v: &MediaView) -> Value {
    let mut links = serde_json::to_value(&v.links).unwrap_or(Value::Array(Vec::new()));
    if let Some(arr) = links.as_array_mut() {
        for l in arr {
            let other = l.get("other").cloned();
            if let (Some(obj), Some(other)) = (l.as_object_mut(), other) {
                obj.insert("sha256".into(), other["sha256"].clone());
                obj.insert("case".into(), other["cases"][0].clone());
            }
        }
    }
    links
}

fn media_json(v: &MediaView, hypotheses: &[vidi_clues::Hypothesis]) -> Value {
    let r = &v.record;
    let hits: Vec<Value> = v
        .hits
        .iter()
        .map(|h| {
            json!({
                "set": h.set_name,
                "rule": h.rule.as_str(),
                "distance": h.distance,
                "series": h.series,
                "matched_at": h.matched_at,
                "categories": h.categories.iter().map(|c| json!({
                    "scheme": c.scheme.as_str(), "code": c.code, "label": c.label,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "sha256": r.digests.sha256.to_hex(),
        "md5": r.digests.md5.to_hex(),
        "sha1": r.digests.sha1.to_hex(),
        "pdq": r.pdq.as_ref().map(|p| p.hash.to_hex()),
        "kind": r.kind.as_str(),
        "mime": r.mime,
        "size": r.size,
        "width": r.width,
        "height": r.height,
        "duration_s": r.duration_s,
        "metadata": r.metadata,
        "video": r.video,
        "thumbnails": r.thumbnails.iter().map(|t| json!({
            "width": t.width, "height": t.height, "timestamp_s": t.timestamp_s})).collect::<Vec<_>>(),
        "evidence": v.evidence.iter().map(|(c, p)| json!({"case": c, "path": p})).collect::<Vec<_>>(),
        "hits": hits,
        "status": if v.hits.is_empty() { "new" } else { "known" },
        "categories": v.categories,
        "clues": v.clues,
        "links": links_json(v),
        "cluster": v.cluster,
        "series": v.series,
        "country": hypotheses.first().map(|h| h.country.clone()),
        "hypotheses": hypotheses,
        "tags": v.tags,
        "notes": v.notes,
    })
}

/// Everything about one visible media (a view: audited).
#[utoipa::path(get, path = "/api/v1/media/{sha256}", params(("sha256" = String, Path)),
    responses((status = 200, description = "media detail"), (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn media(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(sha): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let sha = parse_sha(&sha)?;
    let scope = auth.scope.clone();
    let (view, hyp) = state
        .db(move |s| {
            let Some(view) = s.scoped_media(&scope, &sha)? else {
                return Ok(None);
            };
            Ok(Some((view, locate::of_media(s, &sha)?)))
        })
        .await?
        .ok_or_else(ApiError::not_found)?;
    audit::record_for(
        &state,
        &auth,
        "media.view",
        &format!("media:{}", sha.to_hex()),
    )
    .await?;
    Ok(Json(media_json(&view, &hyp)))
}

/// The media's thumbnail (JPEG).
#[utoipa::path(get, path = "/api/v1/media/{sha256}/thumbnail", params(("sha256" = String, Path)),
    responses((status = 200, content_type = "image/jpeg"), (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn thumbnail(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(sha): Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    let sha = parse_sha(&sha)?;
    let scope = auth.scope.clone();
    let ws = state.workspace().clone();
    let bytes = state
        .db(move |s| {
            let Some(key) = s.scoped_thumbnail_key(&scope, &sha)? else {
                return Ok(None);
            };
            match ws.blobs().get(&key) {
                Ok(b) => Ok(Some(b)),
                Err(vidi_store::StoreError::BlobNotFound { .. }) => Ok(None),
                Err(e) => Err(e.into()),
            }
        })
        .await?
        .ok_or_else(ApiError::not_found)?;
    audit::record_for(
        &state,
        &auth,
        "media.thumbnail",
        &format!("media:{}", sha.to_hex()),
    )
    .await?;
    let mime = if bytes.starts_with(&[0xff, 0xd8]) {
        "image/jpeg"
    } else if bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else {
        "application/octet-stream"
    };
    let etag = etag_of(&bytes);
    let headers_out = [
        (header::CACHE_CONTROL, THUMBNAIL_CACHE.to_owned()),
        (header::ETAG, etag.clone()),
    ];
    // A revalidation is still a view of the media: audited above.
    if if_none_match(&headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, headers_out).into_response());
    }
    Ok((
        [(header::CONTENT_TYPE, mime.to_owned())],
        headers_out,
        bytes,
    )
        .into_response())
}

/// Cache policy of thumbnails: private (never shared caches), reused for
/// five minutes, then revalidated with `If-None-Match`.
pub(crate) const THUMBNAIL_CACHE: &str = "private, max-age=300";

/// Strong entity tag of a response body: its SHA-256 (first 128 bits).
pub(crate) fn etag_of(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    let d = sha2::Sha256::digest(bytes);
    format!("\"{}\"", hex::encode(&d[..16]))
}

/// True when the request's `If-None-Match` lists `etag` (or `*`).
pub(crate) fn if_none_match(headers: &axum::http::HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim())
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag)
}

/// A tag.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TagRequest {
    /// The tag (1 to 100 characters).
    pub tag: String,
}

/// A note.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NoteRequest {
    /// The note (1 to 10,000 characters).
    pub text: String,
}

/// A category.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CategoryRequest {
    /// Scheme name (e.g. `interpol`).
    pub scheme: String,
    /// Code in the scheme.
    pub code: String,
}

/// A manual clue.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ClueRequest {
    /// Clue kind (e.g. `text`, `gps_place`).
    pub kind: String,
    /// Value.
    pub value: String,
    /// Confidence 0..1.
    pub confidence: f64,
    /// Box `{x, y, w, h}` in pixels.
    #[schema(value_type = Object)]
    pub region: Option<Value>,
}

fn check_len(what: &str, s: &str, max: usize) -> Result<String, ApiError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(ApiError::bad_request(format!(
            "{what} must be 1 to {max} characters"
        )));
    }
    Ok(t.to_owned())
}

async fn note(
    state: AppState,
    auth: AuthUser,
    sha: String,
    kind: NoteKind,
    text: String,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let sha = parse_sha(&sha)?;
    let scope = auth.scope.clone();
    let id = state
        .db(move |s| Ok(s.scoped_add_note(&scope, &sha, kind, &text)?))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let action = if kind == NoteKind::Tag {
        "media.tag"
    } else {
        "media.note"
    };
    audit::record_for(&state, &auth, action, &format!("media:{}", sha.to_hex())).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// Tag a visible media.
#[utoipa::path(post, path = "/api/v1/media/{sha256}/tags", request_body = TagRequest,
    responses((status = 201), (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn add_tag(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(sha): Path<String>,
    ApiJson(req): ApiJson<TagRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let tag = check_len("tag", &req.tag, 100)?;
    note(state, auth, sha, NoteKind::Tag, tag).await
}

/// Add a note to a visible media.
#[utoipa::path(post, path = "/api/v1/media/{sha256}/notes", request_body = NoteRequest,
    responses((status = 201), (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn add_note(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(sha): Path<String>,
    ApiJson(req): ApiJson<NoteRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let text = check_len("text", &req.text, 10_000)?;
    note(state, auth, sha, NoteKind::Note, text).await
}

/// Set a category on a visible media.
#[utoipa::path(post, path = "/api/v1/media/{sha256}/categories", request_body = CategoryRequest,
    responses((status = 201), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn add_category(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(sha): Path<String>,
    ApiJson(req): ApiJson<CategoryRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let sha = parse_sha(&sha)?;
    let scheme = vidi_hashsets::Scheme::parse(&req.scheme)
        .ok_or_else(|| ApiError::bad_request("unknown category scheme"))?;
    let code = check_len("code", &req.code, 32)?;
    let cat = vidi_hashsets::Category::new(scheme, code);
    let scope = auth.scope.clone();
    let id = state
        .db(move |s| Ok(s.scoped_set_category(&scope, &sha, &cat)?))
        .await?
        .ok_or_else(ApiError::not_found)?;
    audit::record_for(
        &state,
        &auth,
        "media.category",
        &format!("media:{}", sha.to_hex()),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// Add a manual clue to a visible media.
#[utoipa::path(post, path = "/api/v1/media/{sha256}/clues", request_body = ClueRequest,
    responses((status = 201), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn add_clue(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(sha): Path<String>,
    ApiJson(req): ApiJson<ClueRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let sha = parse_sha(&sha)?;
    let kind = check_len("kind", &req.kind, 40)?;
    if !kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return Err(ApiError::bad_request("kind must be snake_case"));
    }
    let value = check_len("value", &req.value, 2000)?;
    if !req.confidence.is_finite() || !(0.0..=1.0).contains(&req.confidence) {
        return Err(ApiError::bad_request("confidence must be between 0 and 1"));
    }
    if let Some(r) = &req.region {
        let ok = ["x", "y", "w", "h"]
            .iter()
            .all(|k| r.get(k).is_some_and(Value::is_u64));
        if !ok {
            return Err(ApiError::bad_request(
                "region must be {x, y, w, h} in pixels",
            ));
        }
    }
    let scope = auth.scope.clone();
    let conf = req.confidence;
    let region = req.region;
    let id = state
        .db(move |s| Ok(s.scoped_add_clue(&scope, &sha, &kind, &value, conf, region.as_ref())?))
        .await?
        .ok_or_else(ApiError::not_found)?;
    audit::record_for(
        &state,
        &auth,
        "media.clue",
        &format!("media:{}", sha.to_hex()),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_match_if_none_match() {
        let tag = etag_of(b"abc");
        assert_eq!(tag.len(), 34);
        assert_ne!(tag, etag_of(b"abd"));
        let mut h = axum::http::HeaderMap::new();
        assert!(!if_none_match(&h, &tag));
        h.insert(
            header::IF_NONE_MATCH,
            format!("\"x\", W/{tag}").parse().unwrap(),
        );
        assert!(if_none_match(&h, &tag));
        h.insert(header::IF_NONE_MATCH, "\"other\"".parse().unwrap());
        assert!(!if_none_match(&h, &tag));
        h.insert(header::IF_NONE_MATCH, "*".parse().unwrap());
        assert!(if_none_match(&h, &tag));
    }

    #[test]
    fn sha_paths() {
        assert!(parse_sha(&"ab".repeat(32)).is_ok());
        assert!(parse_sha("abcd").is_err());
        assert!(parse_sha(&"zz".repeat(32)).is_err());
    }
}
