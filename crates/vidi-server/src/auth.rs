//! Passwords (argon2id), sessions (cookie + CSRF token), API tokens
//! (Bearer), login rate limiting, and [`AuthUser`], the extractor every
//! authenticated route takes.
//!
//! [`AuthUser`] enforces CSRF: a request authenticated by the session
//! cookie with a method other than GET/HEAD/OPTIONS must carry the header
//! `X-CSRF-Token` equal to the session's token, else 403 `csrf`. Requests
//! authenticated by `Authorization: Bearer` need no CSRF token (a browser
//! never adds that header by itself).

use std::net::{IpAddr, SocketAddr};
use std::time::{SystemTime, UNIX_EPOCH};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use utoipa::ToSchema;
use vidi_store::Store;
use vidi_store::accounts::{Generation, Scope, StoredSession, User};

use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::{AppState, CachedSession};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "vidi_session";
/// Header carrying the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Errors of password hashing.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed")]
pub struct HashError;

/// argon2id PHC string of a password (random salt, default parameters).
pub fn hash_password(password: &str) -> Result<String, HashError> {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|_| HashError)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| HashError)
}

/// True when `password` matches the PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(h) => Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok(),
        Err(_) => false,
    }
}

/// A fresh random secret (256 bits, base64url).
pub(crate) fn new_secret() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// A random password of 16 characters (96 bits, base64url), for demo and
/// first accounts.
pub fn random_password() -> String {
    let mut b = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// SHA-256 hex of a secret: what the store keeps.
pub(crate) fn secret_hash(secret: &str) -> String {
    hex::encode(sha2::Sha256::digest(secret.as_bytes()))
}

pub(crate) fn now_s() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The client address of a request, when known.
pub(crate) fn client_of(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let t = v.strip_prefix("Bearer ")?.trim();
    (!t.is_empty() && t.len() <= 128).then(|| t.to_owned())
}

/// An authenticated user with its need-to-know scope.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// The user.
    pub user: User,
    /// Its reading right: pass it to every `vidi_store` scoped read.
    pub scope: Scope,
    /// The session's CSRF token (`None` for API tokens).
    pub csrf_token: Option<String>,
    /// The session id hash (`None` for API tokens).
    pub(crate) session_hash: Option<String>,
    /// Client address.
    pub client: Option<IpAddr>,
}

impl AuthUser {
    /// The client address as text for the audit log.
    pub fn client_text(&self) -> Option<String> {
        self.client.map(|c| c.to_string())
    }

    /// 403 `forbidden` unless the user is an admin.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.user.role == vidi_store::accounts::Role::Admin {
            Ok(())
        } else {
            Err(ApiError::forbidden("admins only"))
        }
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let client = client_of(parts);
        let now = now_s();
        if let Some(token) = bearer(&parts.headers) {
            let hash = secret_hash(&token);
            let found = state
                .db(move |s| {
                    let Some(user) = s.user_for_token(&hash, now)? else {
                        return Ok(None);
                    };
                    let scope = s.scope_of_user(user.id)?;
                    Ok(scope.map(|scope| (user, scope)))
                })
                .await?;
            let (user, scope) = found.ok_or_else(ApiError::unauthenticated)?;
            return Ok(AuthUser {
                user,
                scope,
                csrf_token: None,
                session_hash: None,
                client,
            });
        }
        let Some(sid) = session_cookie(&parts.headers) else {
            return Err(ApiError::unauthenticated());
        };
        let hash = secret_hash(&sid);
        let h2 = hash.clone();
        let st = state.clone();
        let found = state.db(move |s| live_session(&st, s, &h2, now)).await?;
        let info = found.ok_or_else(ApiError::unauthenticated)?;
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .map(|v| v.as_bytes())
                .unwrap_or_default();
            if !ct_eq(sent, info.csrf_token.as_bytes()) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    "missing or wrong X-CSRF-Token header",
                ));
            }
        }
        Ok(AuthUser {
            user: info.user,
            scope: info.scope,
            csrf_token: Some(info.csrf_token),
            session_hash: Some(hash),
            client,
        })
    }
}

/// Longest delay before a session's activity is written to the store: a
/// tenth of the idle timeout, at most 60 s. The idle timeout itself is
/// checked against the exact time of the last request kept in memory; the
/// stored time only matters after a restart (or for housekeeping), where a
/// session may then end up to this much early.
fn seen_write_interval(idle_timeout: i64) -> i64 {
    (idle_timeout / 10).clamp(0, 60)
}

/// The live session with this id hash (cached while the store's auth
/// generation is unchanged), its idle clock restarted; `None` when unknown,
/// idle for longer than its timeout (then deleted) or its user disabled.
fn live_session(
    state: &AppState,
    s: &mut Store,
    hash: &str,
    now: i64,
) -> Result<Option<CachedSession>, ApiError> {
    let cache = &state.caches().sessions;
    let generation = s.generation(Generation::Auth)?;
    let mut cs = match cache.get(generation, &hash.to_owned()) {
        Some(cs) => cs,
        None => {
            let Some(row) = s.session_row(hash)? else {
                return Ok(None);
            };
            let Some(scope) = s.scope_of_user(row.info.user.id)? else {
                return Ok(None);
            };
            CachedSession {
                user: row.info.user,
                scope,
                csrf_token: row.info.csrf_token,
                last_seen: row.last_seen,
                stored_seen: row.last_seen,
                idle_timeout: row.idle_timeout,
            }
        }
    };
    if StoredSession::idle_at(now, cs.last_seen, cs.idle_timeout) {
        cache.remove(&hash.to_owned());
        s.delete_session(hash)?;
        return Ok(None);
    }
    cs.last_seen = cs.last_seen.max(now);
    if cs.last_seen - cs.stored_seen > seen_write_interval(cs.idle_timeout) {
        s.record_session_seen(hash, cs.last_seen)?;
        cs.stored_seen = cs.last_seen;
    }
    cache.put(generation, hash.to_owned(), cs.clone());
    Ok(Some(cs))
}

/// A user as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserDto {
    /// Id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Agency.
    pub agency: AgencyDto,
    /// `analyst`, `reviewer` or `admin`.
    pub role: String,
}

/// An agency as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyDto {
    /// Code.
    pub code: String,
    /// Name.
    pub name: Option<String>,
    /// ISO country.
    pub country: Option<String>,
}

impl From<&vidi_store::accounts::Agency> for AgencyDto {
    fn from(a: &vidi_store::accounts::Agency) -> Self {
        AgencyDto {
            code: a.code.clone(),
            name: a.name.clone(),
            country: a.country.clone(),
        }
    }
}

impl From<&User> for UserDto {
    fn from(u: &User) -> Self {
        UserDto {
            id: u.id,
            username: u.username.clone(),
            agency: (&u.agency).into(),
            role: u.role.as_str().to_owned(),
        }
    }
}

/// Login request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// Username.
    pub username: String,
    /// Password.
    pub password: String,
}

/// The session's user and CSRF token.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthResponse {
    /// The user.
    pub user: UserDto,
    /// Send as `X-CSRF-Token` on every non-GET request.
    pub csrf_token: String,
}

/// Token request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// A name to recognise the token by.
    pub name: String,
}

/// A new API token (shown once).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me))
        .route("/auth/tokens", post(create_token))
}

fn cookie(state: &AppState, value: &str, max_age: Option<u64>) -> HeaderValue {
    let secure = if state.config().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    let s = format!("{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/{secure}{age}");
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("vidi_session=; Path=/"))
}

/// Open a session.
#[utoipa::path(post, path = "/api/v1/auth/login", request_body = LoginRequest,
    responses((status = 200, body = AuthResponse), (status = 401, body = crate::error::ErrorBody),
              (status = 429, body = crate::error::ErrorBody)))]
pub(crate) async fn login(
    State(state): State<AppState>,
    parts: axum::extract::Request,
) -> Result<Response, ApiError> {
    let (parts, body) = parts.into_parts();
    let client = client_of(&parts);
    let req = axum::extract::Request::from_parts(parts, body);
    let ApiJson(req) =
        <ApiJson<LoginRequest> as axum::extract::FromRequest<AppState>>::from_request(req, &state)
            .await?;
    let cfg = state.config().clone();
    let user_key = format!("u:{}", req.username.to_lowercase());
    let client_key = format!("c:{}", client.map(|c| c.to_string()).unwrap_or_default());
    let limiter = state.limiter();
    if limiter.blocked(&user_key, cfg.login_failures_per_user, cfg.login_window)
        || limiter.blocked(&client_key, cfg.login_failures_per_client, cfg.login_window)
    {
        tracing::warn!(username = %req.username, client = ?client, "login rate limited");
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many failed logins; try again later",
        ));
    }
    if req.username.len() > 256 || req.password.len() > 1024 {
        return Err(ApiError::bad_request("username or password too long"));
    }
    let sid = new_secret();
    let csrf = new_secret();
    let (sid_hash, csrf2) = (secret_hash(&sid), csrf.clone());
    let idle = i64::try_from(cfg.idle_timeout.as_secs()).unwrap_or(i64::MAX);
    let client_s = client.map(|c| c.to_string());
    let user = state
        .db(move |s| {
            let cand = s.login_candidate(&req.username)?;
            let ok = match &cand {
                Some((_, phc)) => verify_password(&req.password, phc),
                None => {
                    // Same work as a real check: no user enumeration by timing.
                    let _ = verify_password(&req.password, DUMMY_PHC);
                    false
                }
            };
            match cand {
                Some((user, _)) if ok => {
                    s.create_session(
                        user.id,
                        &sid_hash,
                        &csrf2,
                        now_s(),
                        idle,
                        client_s.as_deref(),
                    )?;
                    Ok(Some(user))
                }
                _ => Ok(None),
            }
        })
        .await?;
    let Some(user) = user else {
        limiter.fail(&user_key, cfg.login_window);
        limiter.fail(&client_key, cfg.login_window);
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            "wrong username or password",
        ));
    };
    limiter.clear(&user_key);
    crate::audit::record(
        &state,
        &user,
        client,
        "auth.login",
        &format!("user:{}", user.username),
    )
    .await?;
    let body = AuthResponse {
        user: (&user).into(),
        csrf_token: csrf,
    };
    let mut resp = Json(body).into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, cookie(&state, &sid, None));
    Ok(resp)
}

/// A valid argon2id hash of a random password, verified against when the
/// user does not exist.
const DUMMY_PHC: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";

/// End the session.
#[utoipa::path(post, path = "/api/v1/auth/logout", responses((status = 204)))]
pub(crate) async fn logout(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<Response, ApiError> {
    if let Some(h) = auth.session_hash.clone() {
        state.caches().sessions.remove(&h);
        state.db(move |s| Ok(s.delete_session(&h)?)).await?;
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, cookie(&state, "", Some(0)));
    Ok(resp)
}

/// The session's user.
#[utoipa::path(get, path = "/api/v1/auth/me",
    responses((status = 200, body = AuthResponse), (status = 401, body = crate::error::ErrorBody)))]
pub(crate) async fn me(auth: AuthUser) -> Json<AuthResponse> {
    Json(AuthResponse {
        user: (&auth.user).into(),
        csrf_token: auth.csrf_token.clone().unwrap_or_default(),
    })
}

/// Create an API token for the current user.
#[utoipa::path(post, path = "/api/v1/auth/tokens", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse)))]
pub(crate) async fn create_token(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(req): ApiJson<TokenRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let name = req.name.trim().to_owned();
    if name.is_empty() || name.len() > 100 {
        return Err(ApiError::bad_request("name must be 1 to 100 characters"));
    }
    let token = new_secret();
    let hash = secret_hash(&token);
    let uid = auth.user.id;
    state
        .db(move |s| Ok(s.create_api_token(uid, &hash, &name)?))
        .await?;
    crate::audit::record_for(
        &state,
        &auth,
        "token.create",
        &format!("user:{}", auth.user.username),
    )
    .await?;
    Ok(Json(TokenResponse { token }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(PasswordHash::new(DUMMY_PHC).is_ok());
    }

    #[test]
    fn secrets_are_random_and_hashed() {
        let a = new_secret();
        assert_ne!(a, new_secret());
        assert_eq!(secret_hash(&a).len(), 64);
    }
}
