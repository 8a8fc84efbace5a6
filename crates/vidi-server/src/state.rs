//! Shared server state: the workspace, a pool of store connections, the
//! audit writer, the configuration and the login rate limiter.
//!
//! Store work runs on tokio's blocking pool, but at most
//! [`ServerConfig::db_connections`] closures at a time (a semaphore): the
//! others wait in the async queue, holding no thread, and every connection
//! (with its prepared-statement cache) is kept and reused instead of being
//! opened per request. On a 2-core machine a few connections saturate the
//! CPU; more only add context switches.
//!
//! Audit events go to one writer thread with its own connection, which
//! appends whatever events are waiting in ONE transaction (group commit)
//! and then answers each request: an event is still stored before its
//! request is answered (fail closed), but concurrent views share a commit
//! instead of queueing on SQLite's write lock one by one.
//!
//! Caches (see `vidi_store::accounts::cache`): filtered totals, case media
//! counts and grid items ([`ReadCaches`]), each media's best country and
//! each case's country map are kept while the store's data generation is
//! unchanged; sessions (user, scope, CSRF token) while its auth generation
//! is unchanged. Every request still reads the generation (one indexed
//! read), so writes by any process, the command line included, take effect
//! at once; visibility of cases and media is checked by the store on every
//! request, never cached.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use vidi_store::accounts::{GenCache, ReadCaches, Scope, User};
use vidi_store::audit::AuditEvent;
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
    /// Store connections working at the same time (and kept open); 0: two
    /// per core, at least 4.
    pub db_connections: usize,
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
            db_connections: 0,
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

/// One audit event waiting for the writer, and where to answer.
struct AuditJob {
    event: AuditEvent,
    reply: tokio::sync::oneshot::Sender<Result<(), Arc<StoreError>>>,
}

/// Most events appended in one transaction.
const MAX_AUDIT_BATCH: usize = 512;

/// The audit writer: appends waiting events in one transaction each turn.
/// Ends when every sender (the state) is gone.
fn audit_writer(ws: Workspace, rx: mpsc::Receiver<AuditJob>) {
    let mut store: Option<Store> = None;
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_AUDIT_BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let events: Vec<AuditEvent> = jobs.iter().map(|j| j.event.clone()).collect();
        let result = match store.take() {
            Some(s) => Ok(s),
            None => Store::open(&ws),
        }
        .and_then(|mut s| {
            let r = s.append_audit_batch(&events);
            store = Some(s);
            r
        });
        let result = match result {
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::error!(error = %e, events = events.len(), "audit append failed");
                Err(Arc::new(e))
            }
        };
        for j in jobs {
            // The request may have gone away; its event is stored anyway.
            let _ = j.reply.send(result.clone());
        }
    }
}

/// A session as the server keeps it between requests.
#[derive(Debug, Clone)]
pub(crate) struct CachedSession {
    pub(crate) user: User,
    pub(crate) scope: Scope,
    pub(crate) csrf_token: String,
    /// Last request (Unix seconds), exact: the idle timeout is checked
    /// against it.
    pub(crate) last_seen: i64,
    /// `last_seen` as last written to the store (writes are coalesced).
    pub(crate) stored_seen: i64,
    pub(crate) idle_timeout: i64,
}

/// The in-memory caches of the server (all bounded).
pub(crate) struct Caches {
    /// Totals, case counts and grid items (data generation).
    pub(crate) reads: ReadCaches,
    /// Best country of a media, by SHA-256 hex (data generation).
    pub(crate) country: GenCache<String, Option<String>>,
    /// Best country of every media of a case with clues, by (agency code,
    /// case number) (data generation).
    pub(crate) case_countries: GenCache<(String, String), Arc<BTreeMap<String, String>>>,
    /// Sessions by id hash (auth generation).
    pub(crate) sessions: GenCache<String, CachedSession>,
}

impl Default for Caches {
    fn default() -> Self {
        Caches {
            reads: ReadCaches::default(),
            country: GenCache::new(200_000),
            case_countries: GenCache::new(1_000),
            sessions: GenCache::new(100_000),
        }
    }
}

pub(crate) struct Inner {
    pub(crate) ws: Workspace,
    pub(crate) caches: Caches,
    pub(crate) pool: Mutex<Vec<Store>>,
    pub(crate) config: ServerConfig,
    pub(crate) limiter: RateLimiter,
    permits: tokio::sync::Semaphore,
    audit: Mutex<mpsc::Sender<AuditJob>>,
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

impl AppState {
    /// State for a workspace (the schema is migrated when opened).
    pub fn new(ws: Workspace, config: ServerConfig) -> Result<AppState, StoreError> {
        let first = Store::open(&ws)?;
        let connections = match config.db_connections {
            0 => std::thread::available_parallelism()
                .map_or(4, |n| n.get() * 2)
                .max(4),
            n => n,
        };
        let (tx, rx) = mpsc::channel();
        let writer_ws = ws.clone();
        std::thread::Builder::new()
            .name("vidi-audit".into())
            .spawn(move || audit_writer(writer_ws, rx))
            .map_err(|source| StoreError::Io {
                path: ws.root().to_path_buf(),
                source,
            })?;
        Ok(AppState {
            inner: Arc::new(Inner {
                ws,
                pool: Mutex::new(vec![first]),
                caches: Caches::default(),
                config,
                limiter: RateLimiter::default(),
                permits: tokio::sync::Semaphore::new(connections),
                audit: Mutex::new(tx),
            }),
        })
    }

    /// Append an audit event through the group-commit writer; returns once
    /// it is stored (an error when it could not be).
    pub async fn append_audit(&self, event: AuditEvent) -> Result<(), ApiError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let sent = self
            .inner
            .audit
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(AuditJob { event, reply });
        if sent.is_err() {
            return Err(ApiError::internal(&std::io::Error::other(
                "the audit writer stopped",
            )));
        }
        match answer.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(ApiError::internal(&*e)),
            Err(e) => Err(ApiError::internal(&e)),
        }
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

    pub(crate) fn caches(&self) -> &Caches {
        &self.inner.caches
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
        // Wait for a connection slot without holding a thread.
        let permit = self
            .inner
            .permits
            .acquire()
            .await
            .map_err(|e| ApiError::internal(&e))?;
        let out = tokio::task::spawn_blocking(move || {
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
            // At most one connection per permit exists: keep them all.
            state
                .inner
                .pool
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(store);
            out
        })
        .await;
        drop(permit);
        out?
    }
}
