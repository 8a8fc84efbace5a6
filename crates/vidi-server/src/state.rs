//! Shared server state: the workspace, a pool of store connections, the
//! configuration and the login rate limiter.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use vidi_store::{Store, StoreError, Workspace};

use crate::error::ApiError;

/// How the server behaves; [`ServerConfig::default`] is production-ready.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Sessions end after this long without a request.
    pub idle_timeout: Duration,
    /// Largest request body accepted (413 `too_large` above).
    pub max_body_bytes: usize,
    /// Failed logins per username within [`ServerConfig::login_window`]
    /// before 429 `rate_limited`.
    pub login_failures_per_user: usize,
    /// Failed logins per client address within the window.
    pub login_failures_per_client: usize,
    /// The rate-limit window.
    pub login_window: Duration,
    /// Mark cookies `Secure` (set when serving TLS).
    pub secure_cookies: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            idle_timeout: Duration::from_secs(30 * 60),
            max_body_bytes: 1024 * 1024,
            login_failures_per_user: 5,
            login_failures_per_client: 20,
            login_window: Duration::from_secs(15 * 60),
            secure_cookies: false,
        }
    }
}

/// Recent failures per key, forgotten after the window.
#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    fn prune(q: &mut VecDeque<Instant>, window: Duration, now: Instant) {
        while q.front().is_some_and(|t| now.duration_since(*t) > window) {
            q.pop_front();
        }
    }

    /// True when `key` has `max` or more failures within `window`.
    pub(crate) fn blocked(&self, key: &str, max: usize, window: Duration) -> bool {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        match map.get_mut(key) {
            Some(q) => {
                Self::prune(q, window, now);
                q.len() >= max
            }
            None => false,
        }
    }

    /// Record a failure of `key`.
    pub(crate) fn fail(&self, key: &str, window: Duration) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Bound memory under a flood of distinct keys.
        if map.len() > 100_000 {
            map.retain(|_, q| {
                Self::prune(q, window, now);
                !q.is_empty()
            });
        }
        let q = map.entry(key.to_owned()).or_default();
        Self::prune(q, window, now);
        q.push_back(now);
    }

    /// Forget the failures of `key` (after a successful login).
    pub(crate) fn clear(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(key);
    }
}

pub(crate) struct Inner {
    pub(crate) ws: Workspace,
    pub(crate) pool: Mutex<Vec<Store>>,
    pub(crate) config: ServerConfig,
    pub(crate) limiter: RateLimiter,
}

/// The state every handler gets: cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("workspace", &self.inner.ws.root())
            .finish_non_exhaustive()
    }
}

const POOL_KEEP: usize = 16;

impl AppState {
    /// State for a workspace (the schema is migrated when opened).
    pub fn new(ws: Workspace, config: ServerConfig) -> Result<AppState, StoreError> {
        let first = Store::open(&ws)?;
        Ok(AppState {
            inner: Arc::new(Inner {
                ws,
                pool: Mutex::new(vec![first]),
                config,
                limiter: RateLimiter::default(),
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// The workspace.
    pub fn workspace(&self) -> &Workspace {
        &self.inner.ws
    }

    /// The workspace root.
    pub fn root(&self) -> PathBuf {
        self.inner.ws.root().to_path_buf()
    }

    pub(crate) fn limiter(&self) -> &RateLimiter {
        &self.inner.limiter
    }

    /// Run `f` with a store connection on the blocking pool (SQLite and
    /// argon2 must not block the async workers).
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, ApiError> + Send + 'static,
    {
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            let taken = state
                .inner
                .pool
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .pop();
            let mut store = match taken {
                Some(s) => s,
                None => Store::open(&state.inner.ws)?,
            };
            let out = f(&mut store);
            let mut pool = state.inner.pool.lock().unwrap_or_else(|p| p.into_inner());
            if pool.len() < POOL_KEEP {
                pool.push(store);
            }
            out
        })
        .await?
    }
}
