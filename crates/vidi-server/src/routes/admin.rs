//! Settings, agencies, grants, the audit listing and the map.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use crate::audit;
use crate::auth::{AgencyDto, AuthUser};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/me/settings", get(get_settings).put(put_settings))
        .route("/agencies", get(agencies))
        .route("/cases/{number}/grants", get(list_grants).post(grant))
        .route("/audit", get(audit_list))
        .route("/map", get(map))
        .route("/geo/countries", get(geo_countries))
}

/// Per-user wellness settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Blur thumbnails.
    pub blur: bool,
    /// Show thumbnails in greyscale.
    pub greyscale: bool,
    /// `small`, `medium` or `large`.
    pub thumb_size: String,
    /// Videos start muted.
    pub muted: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            blur: true,
            greyscale: true,
            thumb_size: "small".into(),
            muted: true,
        }
    }
}

/// The user's settings (defaults when never saved).
#[utoipa::path(get, path = "/api/v1/me/settings", responses((status = 200, body = Settings)))]
pub(crate) async fn get_settings(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<Json<Settings>, ApiError> {
    let uid = auth.user.id;
    let stored = state.db(move |s| Ok(s.user_settings(uid)?)).await?;
    let settings = stored
        .and_then(|v| serde_json::from_value::<Settings>(v).ok())
        .unwrap_or_default();
    Ok(Json(settings))
}

/// Save the user's settings.
#[utoipa::path(put, path = "/api/v1/me/settings", request_body = Settings,
    responses((status = 200, body = Settings), (status = 400, body = crate::error::ErrorBody)))]
pub(crate) async fn put_settings(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(new): ApiJson<Settings>,
) -> Result<Json<Settings>, ApiError> {
    if !["small", "medium", "large"].contains(&new.thumb_size.as_str()) {
        return Err(ApiError::bad_request(
            "thumb_size must be small, medium or large",
        ));
    }
    let uid = auth.user.id;
    let v = serde_json::to_value(&new).map_err(|e| ApiError::internal(&e))?;
    state.db(move |s| Ok(s.put_user_settings(uid, &v)?)).await?;
    audit::record_for(
        &state,
        &auth,
        "settings.update",
        &format!("user:{}", auth.user.username),
    )
    .await?;
    Ok(Json(new))
}

/// Every agency (code, name, country).
#[utoipa::path(get, path = "/api/v1/agencies", responses((status = 200, description = "`{items: [Agency], next_cursor, total}`")))]
pub(crate) async fn agencies(
    State(state): State<AppState>,
    _auth: AuthUser,
) -> Result<Json<Value>, ApiError> {
    let list = state.db(|s| Ok(s.agencies()?)).await?;
    let items: Vec<AgencyDto> = list.iter().map(AgencyDto::from).collect();
    let total = items.len();
    Ok(Json(
        json!({ "items": items, "next_cursor": null, "total": total }),
    ))
}

/// A grant request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GrantRequest {
    /// Code of the agency to give access.
    pub agency: String,
}

/// Grants of a case the user's agency owns.
#[utoipa::path(get, path = "/api/v1/cases/{number}/grants", params(("number" = String, Path)),
    responses((status = 200), (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn list_grants(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(number): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let scope = auth.scope.clone();
    let grants = state
        .db(move |s| {
            let owned = s
                .scoped_cases(&scope)?
                .into_iter()
                .any(|c| c.number == number && c.access == vidi_store::accounts::Access::Owner);
            if !owned {
                return Ok(None);
            }
            let all = s.grants(&scope)?;
            Ok(Some(
                all.into_iter()
                    .filter(|g| g.case == number)
                    .collect::<Vec<_>>(),
            ))
        })
        .await?
        .ok_or_else(ApiError::not_found)?;
    let total = grants.len();
    Ok(Json(
        json!({ "items": grants, "next_cursor": null, "total": total }),
    ))
}

/// Give another agency access to a case (admin of the owning agency).
#[utoipa::path(post, path = "/api/v1/cases/{number}/grants", params(("number" = String, Path)),
    request_body = GrantRequest,
    responses((status = 201), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn grant(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(number): Path<String>,
    ApiJson(req): ApiJson<GrantRequest>,
) -> Result<Response, ApiError> {
    let scope = auth.scope.clone();
    let n2 = number.clone();
    let agency = req.agency.clone();
    let g = state
        .db(move |s| Ok(s.grant_case(&scope, &n2, &agency)?))
        .await?;
    audit::record_detail(
        &state,
        &auth.user,
        auth.client,
        "case.grant",
        &format!("case:{number}"),
        Some(format!("agency={}", req.agency)),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(g)).into_response())
}

/// Audit listing query.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Items per page (default 100, max 1000).
    pub limit: Option<usize>,
    /// `next_cursor` of the previous page (an event sequence number).
    pub cursor: Option<String>,
}

/// The audit events of the admin's agency, oldest first.
#[utoipa::path(get, path = "/api/v1/audit", params(AuditQuery),
    responses((status = 200), (status = 403, body = crate::error::ErrorBody)))]
pub(crate) async fn audit_list(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Value>, ApiError> {
    auth.require_admin()?;
    let limit = q.limit.unwrap_or(100);
    if limit == 0 || limit > 1000 {
        return Err(ApiError::bad_request("limit must be 1 to 1000"));
    }
    let mut after: i64 = match q.cursor.as_deref() {
        None | Some("") => 0,
        Some(c) => c
            .parse()
            .map_err(|_| ApiError::bad_request("invalid cursor"))?,
    };
    let agency = auth.user.agency.code.clone();
    let (items, next) = state
        .db(move |s| {
            let mut items = Vec::new();
            loop {
                let batch = s.list_audit(after, 1000)?;
                let Some(last) = batch.last() else {
                    return Ok((items, None));
                };
                let last_seq = last.seq;
                for r in batch {
                    after = r.seq;
                    if r.event.agency == agency {
                        items.push(r);
                        if items.len() == limit {
                            return Ok((items, Some(after.to_string())));
                        }
                    }
                }
                after = last_seq;
            }
        })
        .await?;
    let n = items.len();
    Ok(Json(
        json!({ "items": items, "next_cursor": next, "total": n }),
    ))
}

/// Map query.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct MapQuery {
    /// Restrict to one visible case.
    pub case: Option<String>,
}

/// GPS points and countries of the visible media.
#[utoipa::path(get, path = "/api/v1/map", params(MapQuery),
    responses((status = 200, description = "`{points: [{sha256, lat, lon}], countries: [{country, media}]}`: countries count each visible media under its best location hypothesis (`vidi_clues::locate`)"),
              (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn map(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<MapQuery>,
) -> Result<Json<Value>, ApiError> {
    let scope = auth.scope.clone();
    let case = q.case.filter(|c| !c.is_empty());
    let (view, best) = state
        .db(move |s| {
            let Some(view) = s.scoped_map(&scope, case.as_deref())? else {
                return Ok(None);
            };
            let best = crate::routes::locate::countries(s, &scope, case.as_deref())?;
            Ok(best.map(|b| (view, b)))
        })
        .await?
        .ok_or_else(ApiError::not_found)?;
    // Countries: each visible media's best location hypothesis
    // (`vidi_clues::locate`, as `vidi locate` and the grid filter).
    let mut per: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for c in best.values() {
        *per.entry(c.clone()).or_default() += 1;
    }
    let mut countries: Vec<(String, u64)> = per.into_iter().collect();
    countries.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut v = serde_json::to_value(view).map_err(|e| ApiError::internal(&e))?;
    v["countries"] = json!(
        countries
            .iter()
            .map(|(c, n)| json!({ "country": c, "media": n }))
            .collect::<Vec<_>>()
    );
    Ok(Json(v))
}

/// Country shapes (GeoJSON, shipped with the UI: works offline).
#[utoipa::path(get, path = "/api/v1/geo/countries", responses((status = 200, content_type = "application/geo+json")))]
pub(crate) async fn geo_countries(_auth: AuthUser) -> Result<Response, ApiError> {
    match crate::ui::file("countries.geojson") {
        Some(bytes) => Ok((
            [(axum::http::header::CONTENT_TYPE, "application/geo+json")],
            bytes,
        )
            .into_response()),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_available",
            "country shapes are not bundled in this build",
        )),
    }
}
