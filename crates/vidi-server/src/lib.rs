//! The task-force server: HTTP API under `/api/v1` and the web UI.
//!
//! [`app`] builds the axum router for an [`AppState`] (a workspace, a pool of
//! store connections and a [`ServerConfig`]); [`serve`] runs it on a
//! listener, over TLS (rustls) when given a [`TlsConfig`].
//!
//! Need-to-know is enforced in the store: every handler reads through the
//! scoped functions of `vidi_store::accounts` with the [`Scope`] of the
//! authenticated user, which answer "not visible" exactly like "absent".
//!
//! # For route modules (`routes/leads.rs`, `routes/packages.rs`)
//! Each exposes `pub(crate) fn router() -> axum::Router<AppState>` with
//! paths relative to `/api/v1`; it is merged into the API router. Tools:
//! - [`AuthUser`]: extractor of the authenticated user (session cookie or
//!   Bearer token) with `user`, `scope` (pass to scoped store reads such as
//!   `Store::media_visible` / `Store::visible_media`) and `client`; it
//!   already enforces CSRF on non-GET requests. `require_admin()`.
//! - [`ApiError`]: `ApiError::bad_request`, `not_found`, `forbidden`,
//!   `conflict`, `ApiError::new(status, "invalid_state", msg)`; store errors
//!   convert with `?` into a 500 `internal` that leaks nothing.
//! - [`ApiJson`] / [`ApiQuery`]: body and query extractors with API errors
//!   (413 `too_large`, 400 `bad_request`).
//! - [`AppState::db`]: run a closure with a `&mut Store` on the blocking
//!   pool.
//! - [`audit::record`], [`audit::record_for`], [`audit::record_detail`]:
//!   append an audit event (every view, change and export).
//! - OpenAPI: add `#[utoipa::path]` handlers to the list in `openapi.rs`.
#![warn(missing_docs)]

pub mod audit;
mod auth;
mod error;
mod extract;
mod openapi;
mod routes;
mod state;
mod ui;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::get;

pub use auth::{
    AgencyDto, AuthResponse, HashError, LoginRequest, TokenRequest, TokenResponse, UserDto,
};
pub use auth::{
    AuthUser, CSRF_HEADER, SESSION_COOKIE, hash_password, random_password, verify_password,
};
pub use error::{ApiError, ErrorBody, ErrorDetail};
pub use extract::{ApiJson, ApiQuery};
pub use openapi::openapi_json;
pub use routes::admin::{AuditQuery, GrantRequest, MapQuery, Settings};
pub use routes::media::{
    CategoryRequest, ClueRequest, MediaQuery, NoteRequest, PageQuery, SimilarQuery, TagRequest,
    parse_sha,
};
pub use state::{AppState, ServerConfig};
pub use vidi_store::accounts::Scope;

/// Errors of starting the server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// A TLS file could not be read.
    #[error("cannot read TLS file {path}")]
    TlsFile {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The TLS files hold no usable certificate or key.
    #[error("no usable {what} in {path}")]
    TlsContent {
        /// `certificate` or `private key`.
        what: &'static str,
        /// The file.
        path: std::path::PathBuf,
    },
    /// rustls refused the certificate and key.
    #[error("invalid TLS certificate or key")]
    Tls(#[from] tokio_rustls::rustls::Error),
}

/// A loaded TLS configuration.
#[derive(Clone)]
pub struct TlsConfig(Arc<tokio_rustls::rustls::ServerConfig>);

impl std::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsConfig")
    }
}

impl TlsConfig {
    /// Load a PEM certificate chain and private key.
    pub fn load(cert: &Path, key: &Path) -> Result<TlsConfig, ServerError> {
        use tokio_rustls::rustls;
        let read = |p: &Path| {
            std::fs::read(p).map_err(|source| ServerError::TlsFile {
                path: p.to_path_buf(),
                source,
            })
        };
        let cert_pem = read(cert)?;
        let key_pem = read(key)?;
        let certs: Vec<_> = rustls_pemfile::certs(&mut cert_pem.as_slice())
            .filter_map(Result::ok)
            .collect();
        if certs.is_empty() {
            return Err(ServerError::TlsContent {
                what: "certificate",
                path: cert.to_path_buf(),
            });
        }
        let key_der = rustls_pemfile::private_key(&mut key_pem.as_slice())
            .ok()
            .flatten()
            .ok_or_else(|| ServerError::TlsContent {
                what: "private key",
                path: key.to_path_buf(),
            })?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let cfg = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(certs, key_der)?;
        Ok(TlsConfig(Arc::new(cfg)))
    }
}

async fn security_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(ui::CSP),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// The whole application: API, OpenAPI document, UI, security headers and
/// the body size limit.
pub fn app(state: AppState) -> Router {
    let limit = state.config().max_body_bytes;
    Router::new()
        .nest("/api/v1", routes::api())
        .route(
            "/api/openapi.json",
            get(|| async { ([(header::CONTENT_TYPE, "application/json")], openapi_json()) }),
        )
        .route("/", get(ui::index))
        .route("/ui/{*name}", get(ui::asset))
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// Serve `app` on `listener` (TLS when `tls` is given) until `shutdown`
/// completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    tls: Option<TlsConfig>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let app = app(state);
    let Some(TlsConfig(cfg)) = tls else {
        return axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
    };
    let acceptor = tokio_rustls::TlsAcceptor::from(cfg);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, addr) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => return Ok(()),
        };
        let acceptor = acceptor.clone();
        let app = app.clone();
        tokio::spawn(async move {
            let handshake =
                tokio::time::timeout(std::time::Duration::from_secs(10), acceptor.accept(tcp));
            let Ok(Ok(stream)) = handshake.await else {
                return;
            };
            let svc = hyper::service::service_fn(
                move |mut req: hyper::Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(ConnectInfo(addr));
                    let mut app = app.clone();
                    async move {
                        use tower::Service as _;
                        app.call(req.map(axum::body::Body::new)).await
                    }
                },
            );
            let io = hyper_util::rt::TokioIo::new(stream);
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, svc)
                .await
            {
                tracing::debug!(error = %e, "TLS connection ended with an error");
            }
        });
    }
}

/// Bind `listen`, call `on_listening` with the bound address, and serve on
/// a runtime of its own until `stop()` returns true (polled every 200 ms).
/// For callers without an async runtime (the command line).
pub fn serve_blocking(
    listen: SocketAddr,
    state: AppState,
    tls: Option<TlsConfig>,
    on_listening: impl FnOnce(SocketAddr),
    stop: impl Fn() -> bool + Send + 'static,
) -> io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        on_listening(listener.local_addr()?);
        let shutdown = async move {
            while !stop() {
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        };
        serve(listener, state, tls, shutdown).await
    })
}
