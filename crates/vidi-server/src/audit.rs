//! Audit helpers: every media view, every change and every export is
//! appended to the workspace's hash-chained audit log
//! (`vidi_store::audit`). Recording fails closed: when the event cannot be
//! written the request fails (500) and nothing is served.

use std::net::IpAddr;

use vidi_store::accounts::User;
use vidi_store::audit::AuditEvent;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

/// Append an event (`action` like `media.view`, `object` like
/// `media:<sha256>`).
pub async fn record(
    state: &AppState,
    user: &User,
    client: Option<IpAddr>,
    action: &str,
    object: &str,
) -> Result<(), ApiError> {
    record_detail(state, user, client, action, object, None).await
}

/// [`record`] with a detail (free text or compact JSON).
pub async fn record_detail(
    state: &AppState,
    user: &User,
    client: Option<IpAddr>,
    action: &str,
    object: &str,
    detail: Option<String>,
) -> Result<(), ApiError> {
    let event = AuditEvent {
        user: user.username.clone(),
        agency: user.agency.code.clone(),
        action: action.to_owned(),
        object: object.to_owned(),
        client: client.map(|c| c.to_string()),
        detail,
    };
    // Group commit with the events of concurrent requests (AppState).
    state.append_audit(event).await
}

/// [`record`] for the authenticated user of a request.
pub async fn record_for(
    state: &AppState,
    auth: &AuthUser,
    action: &str,
    object: &str,
) -> Result<(), ApiError> {
    record(state, &auth.user, auth.client, action, object).await
}
