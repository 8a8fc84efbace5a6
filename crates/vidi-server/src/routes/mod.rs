//! The `/api/v1` routes.

pub(crate) mod admin;
pub(crate) mod file;
pub(crate) mod leads;
pub(crate) mod locate;
pub(crate) mod media;
pub(crate) mod packages;
pub(crate) mod series;
pub(crate) mod similar;

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
        .merge(series::router())
        .fallback(|| async { ApiError::not_found() })
}
