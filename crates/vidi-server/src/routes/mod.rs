//! The `/api/v1` routes.

pub(crate) mod admin;
pub(crate) mod leads;
pub(crate) mod media;
pub(crate) mod packages;

use axum::Router;

use crate::error::ApiError;
use crate::state::AppState;

/// Every API route, relative to `/api/v1`.
pub(crate) fn api() -> Router<AppState> {
    Router::new()
        .merge(crate::auth::router())
        .merge(media::router())
        .merge(admin::router())
        .merge(leads::router())
        .merge(packages::router())
        .fallback(|| async { ApiError::not_found() })
}
