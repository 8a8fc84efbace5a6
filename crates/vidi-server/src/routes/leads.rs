//! Leads (potential identifications) and their workflow, mounted under
//! `/api/v1`. The rules live in `vidi_store::leads` (author vs reviewer,
//! states, need-to-know, audit in the same transaction); this module maps
//! HTTP to them.
//!
//! Review: reviewers and admins of any agency that may see the lead decide
//! on it, never on a lead they wrote (the store refuses it: 403).
//!
//! Need-to-know: a lead is visible only when every one of its supporting
//! media is in a case the user's agency owns or was granted; otherwise it
//! is answered exactly as a lead that does not exist (404).

use axum::extract::{FromRequest, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use vidi_store::accounts::Role;
use vidi_store::leads::{
    Actor, LeadAction, LeadEdit, LeadError, LeadFilter, LeadState, NewLead, Visibility,
};

use crate::audit;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

/// The leads routes (relative to `/api/v1`).
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/leads", get(list).post(create))
        .route("/leads/{id}", get(one).patch(edit))
        .route("/leads/{id}/submit", post(submit))
        .route("/leads/{id}/approve", post(approve))
        .route("/leads/{id}/reject", post(reject))
        .route("/leads/{id}/disseminate", post(disseminate))
        .route("/leads/{id}/comments", post(comment))
}

impl From<LeadError> for ApiError {
    fn from(e: LeadError) -> Self {
        match e {
            LeadError::NotFound { .. } => ApiError::not_found(),
            LeadError::InvalidState { state, action, .. } => ApiError::new(
                StatusCode::CONFLICT,
                "invalid_state",
                format!("cannot {action} a lead that is {state}"),
            ),
            LeadError::Forbidden { reason, .. } => ApiError::forbidden(reason),
            LeadError::Invalid { field, reason } => {
                ApiError::bad_request(format!("invalid {field}: {reason}"))
            }
            LeadError::UnknownMedia { sha256 } => {
                ApiError::bad_request(format!("no media {sha256}"))
            }
            LeadError::UnknownClue { id } => ApiError::bad_request(format!("no clue {id}")),
            other => ApiError::internal(&other),
        }
    }
}

/// The acting user as the store's workflow sees it. Reviewers and admins
/// may review (never their own leads).
pub(crate) fn actor(auth: &AuthUser) -> Actor {
    Actor {
        user: auth.user.username.clone(),
        agency: auth.user.agency.code.clone(),
        reviewer: matches!(auth.user.role, Role::Reviewer | Role::Admin),
        client: auth.client_text(),
    }
}

/// The API shape of a person: `{"username", "agency"}`.
fn person(p: &Value) -> Value {
    json!({ "username": p["user"], "agency": p["agency"] })
}

/// A store lead (or lead detail) as the API answers it.
fn lead_json<T: Serialize>(lead: &T) -> Result<Value, ApiError> {
    let mut v = serde_json::to_value(lead).map_err(|e| ApiError::internal(&e))?;
    if let Some(o) = v.as_object_mut() {
        if let Some(a) = o.get("author").map(person) {
            o.insert("author".into(), a);
        }
        let r = match o.get("reviewer") {
            Some(r) if !r.is_null() => person(r),
            _ => Value::Null,
        };
        o.insert("reviewer".into(), r);
    }
    Ok(v)
}

/// Query of `GET /leads`.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct LeadsQuery {
    /// Only this state (`draft`, `submitted`, `approved`, `rejected`, `disseminated`).
    pub(crate) state: Option<String>,
    /// Only this target country (ISO 3166-1 alpha-2).
    pub(crate) country: Option<String>,
    /// Items per page (default 100, max 1000).
    pub(crate) limit: Option<usize>,
    /// `next_cursor` of the previous page.
    pub(crate) cursor: Option<String>,
}

/// A new lead.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LeadRequest {
    /// `victim`, `offender` or `place`.
    pub(crate) subject: String,
    /// ISO 3166-1 alpha-2 code of the country it is for.
    pub(crate) target_country: String,
    /// Short title.
    pub(crate) title: String,
    /// Summary.
    #[serde(default)]
    pub(crate) summary: String,
    /// Supporting media (SHA-256 hex).
    #[serde(default)]
    pub(crate) media: Vec<String>,
    /// Supporting clue ids.
    #[serde(default)]
    pub(crate) clues: Vec<i64>,
}

/// An edit: only the fields given change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LeadPatch {
    /// New subject.
    pub(crate) subject: Option<String>,
    /// New target country.
    pub(crate) target_country: Option<String>,
    /// New title.
    pub(crate) title: Option<String>,
    /// New summary.
    pub(crate) summary: Option<String>,
    /// New supporting media (all of them).
    pub(crate) media: Option<Vec<String>>,
    /// New supporting clues (all of them).
    pub(crate) clues: Option<Vec<i64>>,
}

/// A rejection.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct RejectRequest {
    /// Why (required).
    pub(crate) reason: String,
}

/// An optional note (approve, submit, disseminate).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub(crate) struct NoteRequest {
    /// Note.
    pub(crate) note: Option<String>,
}

/// A comment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CommentRequest {
    /// Text.
    pub(crate) text: String,
}

fn subject(s: &str) -> Result<vidi_store::leads::Subject, ApiError> {
    serde_json::from_value(Value::String(s.to_owned()))
        .map_err(|_| ApiError::bad_request("subject must be victim, offender or place"))
}

fn shas(list: &[String]) -> Result<Vec<vidi_types::Sha256>, ApiError> {
    list.iter()
        .map(|s| {
            vidi_types::Sha256::from_hex(&s.to_ascii_lowercase())
                .map_err(|_| ApiError::bad_request("media must be SHA-256 hex strings"))
        })
        .collect()
}

/// The visible leads, oldest first.
#[utoipa::path(get, path = "/api/v1/leads", params(LeadsQuery),
    responses((status = 200, description = "`{items: [Lead], next_cursor, total}`"),
              (status = 400, body = crate::error::ErrorBody)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<LeadsQuery>,
) -> Result<Json<Value>, ApiError> {
    let st = match q.state.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(LeadState::parse(s).ok_or_else(|| ApiError::bad_request("unknown state"))?),
        None => None,
    };
    let after_id = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(
            c.parse::<i64>()
                .map_err(|_| ApiError::bad_request("bad cursor"))?,
        ),
        None => None,
    };
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let filter = LeadFilter {
        state: st,
        country: q.country.filter(|c| !c.is_empty()),
        after_id,
        limit,
    };
    let agency = auth.user.agency.code.clone();
    let (items, total) = state
        .db(move |s| Ok(s.list_leads(&filter, Visibility::Agency(&agency))?))
        .await?;
    let next = (items.len() == limit)
        .then(|| items.last().map(|l| l.id.to_string()))
        .flatten();
    let items: Vec<Value> = items.iter().map(lead_json).collect::<Result<_, _>>()?;
    Ok(Json(
        json!({ "items": items, "next_cursor": next, "total": total }),
    ))
}

/// Create a draft lead.
#[utoipa::path(post, path = "/api/v1/leads", request_body = LeadRequest,
    responses((status = 201, description = "the Lead"), (status = 400, body = crate::error::ErrorBody)))]
pub(crate) async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<LeadRequest>,
) -> Result<Response, ApiError> {
    let new = NewLead {
        subject: subject(&req.subject)?,
        target_country: req.target_country,
        title: req.title,
        summary: req.summary,
        media: shas(&req.media)?,
        clues: req.clues,
    };
    let actor = actor(&auth);
    let lead = state
        .db(move |s| {
            let agency = actor.agency.clone();
            Ok(s.create_lead(&actor, &new, Visibility::Agency(&agency))?)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(lead_json(&lead)?)).into_response())
}

/// One lead with its history and comments; viewing is audited.
#[utoipa::path(get, path = "/api/v1/leads/{id}", params(("id" = i64, Path)),
    responses((status = 200, description = "Lead with `history` and `comments`"),
              (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn one(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let agency = auth.user.agency.code.clone();
    let detail = state
        .db(move |s| Ok(s.lead(id, Visibility::Agency(&agency))?))
        .await?;
    audit::record_for(&state, &auth, "lead.view", &format!("lead:{id}")).await?;
    Ok(Json(lead_json(&detail)?))
}

/// Edit a lead (its author, while draft or rejected).
#[utoipa::path(patch, path = "/api/v1/leads/{id}", params(("id" = i64, Path)), request_body = LeadPatch,
    responses((status = 200, description = "the Lead"), (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub(crate) async fn edit(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<i64>,
    ApiJson(p): ApiJson<LeadPatch>,
) -> Result<Json<Value>, ApiError> {
    let edit = LeadEdit {
        subject: p.subject.as_deref().map(subject).transpose()?,
        target_country: p.target_country,
        title: p.title,
        summary: p.summary,
        media: p.media.as_deref().map(shas).transpose()?,
        clues: p.clues,
    };
    let actor = actor(&auth);
    let lead = state
        .db(move |s| {
            let agency = actor.agency.clone();
            Ok(s.edit_lead(&actor, id, &edit, Visibility::Agency(&agency))?)
        })
        .await?;
    Ok(Json(lead_json(&lead)?))
}

async fn step(
    state: AppState,
    auth: AuthUser,
    id: i64,
    action: LeadAction,
    note: Option<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = actor(&auth);
    let lead = state
        .db(move |s| {
            let agency = actor.agency.clone();
            Ok(s.transition_lead(
                &actor,
                id,
                action,
                note.as_deref(),
                Visibility::Agency(&agency),
            )?)
        })
        .await?;
    Ok(Json(lead_json(&lead)?))
}

/// An optional `{"note"}` body: empty bodies are allowed for the workflow
/// steps.
#[derive(Debug, Default)]
pub(crate) struct OptionalNote(Option<String>);

impl<S: Send + Sync> FromRequest<S> for OptionalNote {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let body = <axum::body::Bytes as FromRequest<S>>::from_request(req, state)
            .await
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "too_large",
                        "request body too large",
                    )
                } else {
                    ApiError::bad_request("cannot read the request body")
                }
            })?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalNote(None));
        }
        let n: NoteRequest = serde_json::from_slice(&body)
            .map_err(|_| ApiError::bad_request("the body is not valid JSON"))?;
        Ok(OptionalNote(n.note))
    }
}

/// Submit a draft for review (its author).
#[utoipa::path(post, path = "/api/v1/leads/{id}/submit", params(("id" = i64, Path)),
    responses((status = 200, description = "the Lead"), (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub(crate) async fn submit(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<i64>,
    OptionalNote(note): OptionalNote,
) -> Result<Json<Value>, ApiError> {
    step(state, auth, id, LeadAction::Submit, note).await
}

/// Approve a submitted lead (a reviewer, or an admin, who is not the
/// author: admins review too, never their own leads).
#[utoipa::path(post, path = "/api/v1/leads/{id}/approve", params(("id" = i64, Path)),
    responses((status = 200, description = "the Lead"), (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub(crate) async fn approve(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<i64>,
    OptionalNote(note): OptionalNote,
) -> Result<Json<Value>, ApiError> {
    step(state, auth, id, LeadAction::Approve, note).await
}

/// Reject a submitted lead with a reason (a reviewer, or an admin, who is
/// not the author).
#[utoipa::path(post, path = "/api/v1/leads/{id}/reject", params(("id" = i64, Path)), request_body = RejectRequest,
    responses((status = 200, description = "the Lead"), (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub(crate) async fn reject(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<RejectRequest>,
) -> Result<Json<Value>, ApiError> {
    step(state, auth, id, LeadAction::Reject, Some(r.reason)).await
}

/// Mark an approved lead as sent to its country (a reviewer).
#[utoipa::path(post, path = "/api/v1/leads/{id}/disseminate", params(("id" = i64, Path)),
    responses((status = 200, description = "the Lead"), (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody)))]
pub(crate) async fn disseminate(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<i64>,
    OptionalNote(note): OptionalNote,
) -> Result<Json<Value>, ApiError> {
    step(state, auth, id, LeadAction::Disseminate, note).await
}

/// Comment on a lead (anyone who may see it); answers the Lead with its
/// history and comments.
#[utoipa::path(post, path = "/api/v1/leads/{id}/comments", params(("id" = i64, Path)), request_body = CommentRequest,
    responses((status = 201, description = "the Lead with `history` and `comments`"),
              (status = 404, body = crate::error::ErrorBody)))]
pub(crate) async fn comment(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<i64>,
    ApiJson(c): ApiJson<CommentRequest>,
) -> Result<Response, ApiError> {
    let actor = actor(&auth);
    let detail = state
        .db(move |s| {
            let agency = actor.agency.clone();
            s.comment_lead(&actor, id, &c.text, Visibility::Agency(&agency))?;
            Ok(s.lead(id, Visibility::Agency(&agency))?)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(lead_json(&detail)?)).into_response())
}
