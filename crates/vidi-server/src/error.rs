//! The API error: an HTTP status, a stable code and a human message that
//! never carries internals (paths, SQL, source errors are logged, not sent).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// An error answered as `{"error": {"code", "message"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable snake_case code.
    pub code: &'static str,
    /// Human text, no internals.
    pub message: String,
}

/// The body of an error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// Code and message of an error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable code: `bad_request`, `unauthenticated`, `bad_credentials`,
    /// `forbidden`, `not_found`, `csrf`, `rate_limited`, `too_large`,
    /// `conflict`, `invalid_state`, `not_available`, `internal`.
    pub code: String,
    /// Human text.
    pub message: String,
}

impl ApiError {
    /// Any status and code.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
    /// 400 `bad_request`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    /// 401 `unauthenticated`.
    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "log in first")
    }
    /// 403 `forbidden`.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }
    /// 404 `not_found` (also for what exists but is not visible).
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "not found")
    }
    /// 409 `conflict`.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }
    /// 500 `internal`: the cause is logged, never sent.
    pub fn internal(cause: &dyn std::error::Error) -> Self {
        let mut chain = cause.to_string();
        let mut src = cause.source();
        while let Some(s) = src {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            src = s.source();
        }
        tracing::error!(error = %chain, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; see the server log",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<vidi_store::StoreError> for ApiError {
    fn from(e: vidi_store::StoreError) -> Self {
        ApiError::internal(&e)
    }
}

impl From<vidi_store::accounts::AccountError> for ApiError {
    fn from(e: vidi_store::accounts::AccountError) -> Self {
        use vidi_store::accounts::AccountError as E;
        match e {
            E::UnknownAgency { .. } => Self::bad_request("no such agency"),
            E::UnknownCase { .. } | E::UnknownUser { .. } => Self::not_found(),
            E::UsernameTaken { .. } => Self::conflict("this username exists already"),
            E::Invalid { what, .. } => Self::bad_request(format!("invalid {what}")),
            E::WeakPassword { min } => {
                Self::bad_request(format!("password must be at least {min} characters"))
            }
            E::NotAllowed { .. } => {
                Self::forbidden("only an admin of the owning agency may do this")
            }
            other => Self::internal(&other),
        }
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        ApiError::internal(&e)
    }
}
