//! Series (`vidi_store::series`) as the caller's scope may see them: list,
//! one series (media, cases, agencies, clusters, VICS/ICSE series names,
//! history, pooled location hypotheses), and changes by any signed-in user
//! (create, rename, merge, split, add and remove media), each audited
//! (`series.*`).
//!
//! Need-to-know: reads pass the visible case ids, so a series none of whose
//! media is visible answers like one that does not exist, and counts, cases,
//! agencies and clusters cover visible media only. A change must name a
//! visible series, and media to add, remove or split off must be visible.
//! Series are shared by the task force: merging or renaming a series also
//! changes what other agencies see of it (audited with the user).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use vidi_store::Store;
use vidi_store::accounts::Scope;
use vidi_store::series::SeriesError;
use vidi_types::Sha256;

use crate::audit;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};
use crate::routes::locate;
use crate::routes::media::{PageQuery, parse_sha};
use crate::state::AppState;

/// The series routes (relative to `/api/v1`).
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/series", get(list).post(create))
        .route("/series/{id}", get(one).patch(rename))
        .route("/series/{id}/merge", post(merge))
        .route("/series/{id}/split", post(split))
        .route("/series/{id}/media", post(add_media))
        .route("/series/{id}/media/remove", post(remove_media))
}

impl From<SeriesError> for ApiError {
    fn from(e: SeriesError) -> Self {
        match e {
            SeriesError::NoSuchSeries { .. } => ApiError::not_found(),
            SeriesError::NameTaken { .. } => {
                ApiError::conflict("a series with this name exists already")
            }
            SeriesError::BadName => ApiError::bad_request(format!(
                "name must be 1 to {} characters, without control characters",
                vidi_store::series::MAX_NAME_CHARS
            )),
            SeriesError::SelfMerge { .. } => {
                ApiError::bad_request("cannot merge a series into itself")
            }
            SeriesError::Merged { .. } => ApiError::new(
                StatusCode::CONFLICT,
                "invalid_state",
                "this series was merged into another",
            ),
            SeriesError::NotAMember { .. } => {
                ApiError::bad_request("a media given is not in this series")
            }
            SeriesError::EmptySplit => ApiError::bad_request("a split needs at least one media"),
            SeriesError::Store(e) => ApiError::internal(&e),
            other => ApiError::internal(&other),
        }
    }
}

/// A new series, or a new name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SeriesName {
    /// Name (1 to 200 characters).
    pub(crate) name: String,
}

/// A merge: this series goes into `into`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MergeRequest {
    /// Id of the series that receives the media.
    pub(crate) into: i64,
}

/// A split: `media` move to a new series named `name`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SplitRequest {
    /// Name of the new series.
    pub(crate) name: String,
    /// Media (SHA-256 hex) that move.
    pub(crate) media: Vec<String>,
}

/// Media to add or remove.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SeriesMedia {
    /// Media (SHA-256 hex, 1 to 1000).
    pub(crate) media: Vec<String>,
}

fn visible(s: &Store, scope: &Scope) -> Result<Vec<i64>, ApiError> {
    Ok(s.visible_case_ids(scope)?)
}

/// A visible series by id or name.
fn resolve(s: &Store, key: &str, vis: &[i64]) -> Result<i64, ApiError> {
    Ok(s.resolve_series(key, Some(vis))?)
}

/// Parse media and require every one visible (else `not_found`, like an
/// absent media).
fn visible_media(s: &Store, scope: &Scope, list: &[String]) -> Result<Vec<Sha256>, ApiError> {
    if list.is_empty() || list.len() > 1000 {
        return Err(ApiError::bad_request("media must list 1 to 1000 SHA-256"));
    }
    let mut out = Vec::with_capacity(list.len());
    for h in list {
        let sha = parse_sha(h).map_err(|_| ApiError::bad_request("media must be SHA-256 hex"))?;
        if !s.media_visible(scope, &sha)? {
            return Err(ApiError::not_found());
        }
        out.push(sha);
    }
    Ok(out)
}

/// The detail of a visible series as the API answers it.
fn detail_json(s: &Store, id: i64, vis: &[i64]) -> Result<Value, ApiError> {
    let d = s.series_detail(id, Some(vis))?;
    let countries: std::collections::BTreeMap<String, Option<String>> = s
        .agencies()?
        .into_iter()
        .map(|a| (a.code, a.country))
        .collect();
    let shas: Vec<Sha256> = d.media.iter().map(|m| m.sha256).collect();
    let hypotheses = locate::of_media_set(s, &shas)?;
    let mut v = serde_json::to_value(&d.summary).map_err(|e| ApiError::internal(&e))?;
    if let Some(o) = v.as_object_mut() {
        o.insert("split_from".into(), json!(d.split_from));
        o.insert(
            "merged_from".into(),
            json!(
                d.merged_from
                    .iter()
                    .map(|(i, n)| json!({"id": i, "name": n}))
                    .collect::<Vec<_>>()
            ),
        );
        o.insert("members".into(), json!(d.media));
        o.insert("case_numbers".into(), json!(d.cases));
        o.insert(
            "agency_list".into(),
            json!(
                d.agencies
                    .iter()
                    .map(|c| json!({"code": c, "country": countries.get(c).cloned().flatten()}))
                    .collect::<Vec<_>>()
            ),
        );
        o.insert("clusters".into(), json!(d.clusters));
        o.insert("external_names".into(), json!(d.hashset_names));
        o.insert("history".into(), json!(d.history));
        o.insert("hypotheses".into(), json!(hypotheses));
    }
    Ok(v)
}

/// The series the caller may see, by name (counts over visible media).
#[utoipa::path(get, path = "/api/v1/series", params(PageQuery),
    responses((status = 200, description = "`{items: [{id, name, origin, media, cases, agencies, hashset_names, created_by, created_at}], next_cursor, total}`"),
              (status = 400, body = crate::error::ErrorBody)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let limit = q.limit.unwrap_or(100);
    if limit == 0 || limit > 1000 {
        return Err(ApiError::bad_request("limit must be 1 to 1000"));
    }
    let start: usize = match q.cursor.as_deref() {
        None | Some("") => 0,
        Some(c) => c
            .parse()
            .map_err(|_| ApiError::bad_request("invalid cursor"))?,
    };
    let scope = auth.scope.clone();
    let all = state
        .db(move |s| {
            let vis = visible(s, &scope)?;
            Ok(s.list_series(Some(&vis))?)
        })
        .await?;
    let total = all.len();
    let items: Vec<_> = all.into_iter().skip(start).take(limit).collect();
    let next = (start + items.len() < total).then(|| (start + items.len()).to_string());
    Ok(Json(
        json!({ "items": items, "next_cursor": next, "total": total }),
    ))
}

/// One visible series (by id or name): media with their visible cases,
/// cases, agencies, clusters, VICS/ICSE names, history and the location
/// hypotheses of its media's clues pooled (`vidi_clues::locate`).
#[utoipa::path(get, path = "/api/v1/series/{id}", params(("id" = String, Path, description = "id or name")),
    responses((status = 200, description = "series detail"), (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn one(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(key): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let scope = auth.scope.clone();
    let (id, v) = state
        .db(move |s| {
            let vis = visible(s, &scope)?;
            let id = resolve(s, &key, &vis)?;
            Ok((id, detail_json(s, id, &vis)?))
        })
        .await?;
    audit::record_for(&state, &auth, "series.view", &format!("series:{id}")).await?;
    Ok(Json(v))
}

/// Create a series (any signed-in user; audited).
#[utoipa::path(post, path = "/api/v1/series", request_body = SeriesName,
    responses((status = 201, description = "`{id}`"), (status = 400, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub(crate) async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<SeriesName>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let actor = auth.user.username.clone();
    let id = state
        .db(move |s| Ok(s.create_series(&req.name, &actor)?))
        .await?;
    audit::record_for(&state, &auth, "series.create", &format!("series:{id}")).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// Run a change on a visible series and audit it.
async fn change<T: Send + 'static>(
    state: &AppState,
    auth: &AuthUser,
    key: String,
    action: &'static str,
    f: impl FnOnce(&mut Store, &Scope, i64, &[i64]) -> Result<(T, Option<String>), ApiError>
    + Send
    + 'static,
) -> Result<(i64, T), ApiError> {
    let scope = auth.scope.clone();
    let (id, out, detail) = state
        .db(move |s| {
            let vis = visible(s, &scope)?;
            let id = resolve(s, &key, &vis)?;
            let (out, detail) = f(s, &scope, id, &vis)?;
            Ok((id, out, detail))
        })
        .await?;
    audit::record_detail(
        state,
        &auth.user,
        auth.client,
        action,
        &format!("series:{id}"),
        detail,
    )
    .await?;
    Ok((id, out))
}

/// Rename a visible series.
#[utoipa::path(patch, path = "/api/v1/series/{id}", params(("id" = String, Path)), request_body = SeriesName,
    responses((status = 200, description = "series detail"), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub(crate) async fn rename(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(key): Path<String>,
    ApiJson(req): ApiJson<SeriesName>,
) -> Result<Json<Value>, ApiError> {
    let actor = auth.user.username.clone();
    let (_, v) = change(&state, &auth, key, "series.rename", move |s, _, id, vis| {
        s.rename_series(id, &req.name, &actor)?;
        Ok((detail_json(s, id, vis)?, Some(req.name.trim().to_owned())))
    })
    .await?;
    Ok(Json(v))
}

/// Merge a visible series into another visible one.
#[utoipa::path(post, path = "/api/v1/series/{id}/merge", params(("id" = String, Path)), request_body = MergeRequest,
    responses((status = 200, description = "`{into, joined}`"), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub(crate) async fn merge(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(key): Path<String>,
    ApiJson(req): ApiJson<MergeRequest>,
) -> Result<Json<Value>, ApiError> {
    let actor = auth.user.username.clone();
    let (_, v) = change(&state, &auth, key, "series.merge", move |s, _, id, vis| {
        let into = resolve(s, &req.into.to_string(), vis)?;
        let joined = s.merge_series(id, into, &actor)?;
        Ok((
            json!({ "into": into, "joined": joined }),
            Some(format!("into=series:{into}")),
        ))
    })
    .await?;
    Ok(Json(v))
}

/// Split visible media of a visible series off into a new series.
#[utoipa::path(post, path = "/api/v1/series/{id}/split", params(("id" = String, Path)), request_body = SplitRequest,
    responses((status = 201, description = "`{id}` of the new series"), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub(crate) async fn split(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(key): Path<String>,
    ApiJson(req): ApiJson<SplitRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let actor = auth.user.username.clone();
    let (_, v) = change(
        &state,
        &auth,
        key,
        "series.split",
        move |s, scope, id, _| {
            let media = visible_media(s, scope, &req.media)?;
            let new = s.split_series(id, &req.name, &media, &actor)?;
            Ok((
                json!({ "id": new }),
                Some(format!("new=series:{new} media={}", media.len())),
            ))
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Add visible media to a visible series.
#[utoipa::path(post, path = "/api/v1/series/{id}/media", params(("id" = String, Path)), request_body = SeriesMedia,
    responses((status = 200, description = "`{added}`"), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn add_media(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(key): Path<String>,
    ApiJson(req): ApiJson<SeriesMedia>,
) -> Result<Json<Value>, ApiError> {
    let actor = auth.user.username.clone();
    let (_, v) = change(&state, &auth, key, "series.add", move |s, scope, id, _| {
        let media = visible_media(s, scope, &req.media)?;
        let added = s.add_to_series(id, &media, &actor)?;
        let list: Vec<String> = media.iter().map(Sha256::to_hex).collect();
        Ok((json!({ "added": added }), Some(list.join(","))))
    })
    .await?;
    Ok(Json(v))
}

/// Remove visible media from a visible series (kept as history).
#[utoipa::path(post, path = "/api/v1/series/{id}/media/remove", params(("id" = String, Path)), request_body = SeriesMedia,
    responses((status = 200, description = "`{removed}`"), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn remove_media(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(key): Path<String>,
    ApiJson(req): ApiJson<SeriesMedia>,
) -> Result<Json<Value>, ApiError> {
    let actor = auth.user.username.clone();
    let (_, v) = change(
        &state,
        &auth,
        key,
        "series.remove",
        move |s, scope, id, _| {
            let media = visible_media(s, scope, &req.media)?;
            s.remove_from_series(id, &media, &actor)?;
            let list: Vec<String> = media.iter().map(Sha256::to_hex).collect();
            Ok((json!({ "removed": media.len() }), Some(list.join(","))))
        },
    )
    .await?;
    Ok(Json(v))
}
