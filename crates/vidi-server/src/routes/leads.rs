//! Owned by the leads work (placeholder until it lands): routes under /api/v1.

use axum::Router;

use crate::state::AppState;

/// The routes of this module (relative to `/api/v1`).
pub(crate) fn router() -> Router<AppState> {
    Router::new()
}
