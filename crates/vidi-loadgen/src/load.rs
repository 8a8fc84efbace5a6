//! The load generator: virtual investigators browsing a real server.
//!
//! Each user logs in (`POST /api/v1/auth/login`, its own session cookie and
//! HTTP/1.1 keep-alive connection), then loops over: the case list; a
//! visible case's grid (limit 100) with a filter drawn at random (none,
//! kind, new/known, has GPS, country, kind + GPS), one to three pages by
//! cursor; for each page the thumbnails of one screen
//! ([`LoadSpec::thumbs_per_screen`] image/video items); one media page
//! (`GET /media/{sha}`: metadata, hits, clues, links, cluster) and its
//! thumbnail; then back to the grid.
//!
//! Two user models:
//! - the tight loop (default): no think time, thumbnails one after the
//!   other, no client cache: a closed loop that measures throughput at
//!   saturation;
//! - the browser model ([`LoadSpec::browser`] with [`LoadSpec::think`]):
//!   after each page view an exponential pause of the given mean, a
//!   screen's thumbnails [`BROWSER_PARALLEL`] at a time on as many
//!   connections, and a per-user HTTP cache honouring the server's
//!   `max-age` and revalidating with `If-None-Match` afterwards.
//!
//! Everything runs on the calling thread (a current-thread tokio runtime):
//! the generator takes at most one core, and its CPU time is measured from
//! `/proc/thread-self/stat` and reported next to the process's.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use axum::body::Body;
use hyper::Request;
use hyper::client::conn::http1::SendRequest;
use hyper::http::{StatusCode, header};
use serde::Serialize;
use serde_json::Value;

use crate::Rng;

/// Errors that stop a load run (request failures are counted, not raised).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// Connecting or the runtime failed.
    #[error("load generator I/O failed")]
    Io(#[from] std::io::Error),
    /// A user could not log in.
    #[error("login of {username} failed ({status})")]
    Login {
        /// The user.
        username: String,
        /// What the server answered.
        status: String,
    },
    /// No users were given.
    #[error("no users to log in")]
    NoUsers,
}

/// What to run.
#[derive(Debug, Clone)]
pub struct LoadSpec {
    /// The server (plain HTTP on loopback).
    pub addr: SocketAddr,
    /// (username, password) of each virtual user.
    pub users: Vec<(String, String)>,
    /// Measured time.
    pub duration: Duration,
    /// Unmeasured time before (caches, connections).
    pub warmup: Duration,
    /// Stop a user after this many browsing sessions (tests); `None`: run
    /// for the duration.
    pub max_sessions: Option<u64>,
    /// Grid page size.
    pub page_limit: usize,
    /// Thumbnails loaded per grid page (one screen).
    pub thumbs_per_screen: usize,
    /// Seed of the users' choices.
    pub seed: u64,
    /// Mean pause after each page view (the case list, a grid page with
    /// its thumbnails, a media page), as an investigator looking at it:
    /// drawn from an exponential distribution with this mean (a Poisson
    /// process of page views per user); zero: none (saturation).
    pub think: Duration,
    /// Browse like a browser: the thumbnails of a screen fetched
    /// [`BROWSER_PARALLEL`] at a time (one keep-alive connection each),
    /// and a per-user HTTP cache: a thumbnail fetched less than
    /// [`BROWSER_MAX_AGE`] ago is not requested again, an older one is
    /// revalidated with `If-None-Match` (kind `thumbnail_revalidate`).
    /// False: every thumbnail fetched in turn, no cache (the tight loop).
    pub browser: bool,
}

/// Thumbnails a browser user fetches at once (browsers open up to six
/// HTTP/1.1 connections per host).
pub const BROWSER_PARALLEL: usize = 6;

/// How long the browser model reuses a thumbnail without asking: the
/// server's `Cache-Control: private, max-age=300`.
pub const BROWSER_MAX_AGE: Duration = Duration::from_secs(300);

impl LoadSpec {
    /// Defaults: 60 s measured after 5 s of warm-up, pages of 100, 24
    /// thumbnails per screen.
    pub fn new(addr: SocketAddr, users: Vec<(String, String)>) -> LoadSpec {
        LoadSpec {
            addr,
            users,
            duration: Duration::from_secs(60),
            warmup: Duration::from_secs(5),
            max_sessions: None,
            page_limit: 100,
            thumbs_per_screen: 24,
            seed: 7,
            think: Duration::ZERO,
            browser: false,
        }
    }
}

/// Latency of one request kind (milliseconds).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KindStats {
    /// `cases`, `grid`, `grid_filtered`, `thumbnail`, `media`, or `all`.
    pub kind: String,
    /// Requests measured.
    pub requests: u64,
    /// Requests that failed (transport error or non-2xx status).
    pub errors: u64,
    /// Mean.
    pub mean_ms: f64,
    /// Median.
    pub p50_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Slowest.
    pub max_ms: f64,
}

/// The result of a run.
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    /// Virtual users.
    pub users: usize,
    /// Measured seconds.
    pub seconds: f64,
    /// Requests per second over the measured window.
    pub requests_per_s: f64,
    /// All kinds together.
    pub overall: KindStats,
    /// Per kind.
    pub kinds: Vec<KindStats>,
    /// Browsing sessions completed in the window.
    pub sessions: u64,
    /// CPU seconds used by the generator's thread in the window.
    pub client_cpu_s: f64,
    /// CPU seconds used by the whole process in the window (includes the
    /// server when it runs in-process).
    pub process_cpu_s: f64,
    /// `client_cpu_s / process_cpu_s`: the generator's share of the CPU the
    /// process used.
    pub client_cpu_share: f64,
    /// Thumbnails the browser model did not request (fresh in its cache).
    pub cache_hits: u64,
    /// The first few failures, for diagnosis.
    pub first_errors: Vec<String>,
}

/// CPU seconds (user + system) from a `/proc/.../stat` file (clock ticks
/// of 1/100 s, Linux's USER_HZ); 0 when unavailable.
pub fn proc_cpu_seconds(stat_path: &str) -> f64 {
    let Ok(s) = std::fs::read_to_string(stat_path) else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) in parentheses.
    let Some(rest) = s.rfind(')').and_then(|i| s.get(i + 2..)) else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime, stime are fields 14 and 15 (1-based), here 11 and 12 (0-based).
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

#[derive(Default)]
struct Recorder {
    samples: BTreeMap<&'static str, Vec<u32>>,
    errors: BTreeMap<&'static str, u64>,
    first_errors: Vec<String>,
    sessions: u64,
    cache_hits: u64,
}

struct Shared {
    rec: std::cell::RefCell<Recorder>,
    measure_from: Instant,
    stop_at: Instant,
}

impl Shared {
    fn measuring(&self, at: Instant) -> bool {
        at >= self.measure_from && at < self.stop_at
    }

    fn record(&self, kind: &'static str, started: Instant, ok: Result<(), String>) {
        if !self.measuring(started) {
            return;
        }
        let us = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
        let mut r = self.rec.borrow_mut();
        r.samples.entry(kind).or_default().push(us);
        if let Err(e) = ok {
            *r.errors.entry(kind).or_default() += 1;
            if r.first_errors.len() < 10 {
                r.first_errors.push(format!("{kind}: {e}"));
            }
        }
    }
}

struct Client {
    addr: SocketAddr,
    sender: Option<SendRequest<Body>>,
    cookie: String,
}

impl Client {
    async fn connect(addr: SocketAddr) -> Result<SendRequest<Body>, String> {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| e.to_string())?;
        tcp.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
                .await
                .map_err(|e| e.to_string())?;
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "load connection ended");
            }
        });
        Ok(sender)
    }

    /// One request; (status, body). Reconnects once when the connection
    /// was closed.
    async fn call(
        &mut self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<(StatusCode, axum::body::Bytes, Option<String>), String> {
        self.call_with(method, path, body, None)
            .await
            .map(|(s, b, c, _)| (s, b, c))
    }

    /// [`Client::call`] with an optional `If-None-Match`; also returns the
    /// answer's `ETag`.
    async fn call_with(
        &mut self,
        method: &str,
        path: &str,
        body: Option<String>,
        if_none_match: Option<&str>,
    ) -> Result<Reply, String> {
        for attempt in 0..2 {
            if self.sender.is_none() {
                self.sender = Some(Client::connect(self.addr).await?);
            }
            let Some(sender) = self.sender.as_mut() else {
                continue;
            };
            if sender.ready().await.is_err() {
                self.sender = None;
                continue;
            }
            let mut req = Request::builder()
                .method(method)
                .uri(path)
                .header(header::HOST, "127.0.0.1");
            if !self.cookie.is_empty() {
                req = req.header(header::COOKIE, &self.cookie);
            }
            if let Some(tag) = if_none_match {
                req = req.header(header::IF_NONE_MATCH, tag);
            }
            let req = match body {
                Some(ref b) => req
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(b.clone())),
                None => req.body(Body::empty()),
            }
            .map_err(|e| e.to_string())?;
            match sender.send_request(req).await {
                Ok(resp) => {
                    let status = resp.status();
                    let cookie = resp
                        .headers()
                        .get_all(header::SET_COOKIE)
                        .iter()
                        .filter_map(|v| v.to_str().ok())
                        .find(|v| v.starts_with(vidi_server::SESSION_COOKIE))
                        .and_then(|v| v.split(';').next())
                        .map(str::to_owned);
                    let etag = resp
                        .headers()
                        .get(header::ETAG)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let bytes = axum::body::to_bytes(Body::new(resp.into_body()), 64 << 20)
                        .await
                        .map_err(|e| e.to_string())?;
                    return Ok((status, bytes, cookie, etag));
                }
                Err(e) if attempt == 0 => {
                    tracing::debug!(error = %e, "request failed; reconnecting");
                    self.sender = None;
                }
                Err(e) => return Err(e.to_string()),
            }
        }
        Err("connection closed".into())
    }

    async fn get_json(&mut self, path: &str) -> Result<Value, String> {
        let (status, body, _) = self.call("GET", path, None).await?;
        if !status.is_success() {
            return Err(format!("{status} for {path}"));
        }
        serde_json::from_slice(&body).map_err(|e| e.to_string())
    }

    async fn get_bytes(&mut self, path: &str) -> Result<usize, String> {
        let (status, body, _) = self.call("GET", path, None).await?;
        if !status.is_success() {
            return Err(format!("{status} for {path}"));
        }
        Ok(body.len())
    }

    /// A GET that may be answered 304 to `if_none_match`; the answer's
    /// entity tag.
    async fn get_cached(
        &mut self,
        path: &str,
        if_none_match: Option<&str>,
    ) -> Result<Option<String>, String> {
        let (status, _, _, etag) = self.call_with("GET", path, None, if_none_match).await?;
        let fresh = status == StatusCode::NOT_MODIFIED && if_none_match.is_some();
        if !status.is_success() && !fresh {
            return Err(format!("{status} for {path}"));
        }
        Ok(etag)
    }
}

/// Status, body, `Set-Cookie` session value and `ETag` of an answer.
type Reply = (
    StatusCode,
    axum::body::Bytes,
    Option<String>,
    Option<String>,
);

/// One virtual user: its main connection, the extra connections of the
/// browser model (same session) and its HTTP cache of thumbnails.
struct User {
    main: Client,
    extra: Vec<Client>,
    /// Thumbnail path -> (entity tag, fetched at).
    cache: std::collections::HashMap<String, (Option<String>, Instant)>,
}

const FILTERS: [&str; 9] = [
    "",
    "",
    "",
    "&kind=video",
    "&status=known",
    "&status=new",
    "&has_gps=true",
    "&country=BE",
    "&kind=image&has_gps=true",
];

/// An exponentially distributed pause of mean `spec.think` (capped at ten
/// means, so that one draw cannot stall a user for the whole run).
fn think_time(spec: &LoadSpec, rng: &mut Rng) -> Duration {
    if spec.think.is_zero() {
        return Duration::ZERO;
    }
    // 1 - u is in (0, 1]: its logarithm is finite.
    let e = -(1.0 - rng.unit()).ln();
    spec.think.mul_f64(e.min(10.0))
}

async fn think(spec: &LoadSpec, rng: &mut Rng) {
    let t = think_time(spec, rng);
    if !t.is_zero() {
        tokio::time::sleep(t).await;
    }
}

/// Fetch the thumbnails of one screen: in turn on the main connection
/// (tight loop), or as a browser does (see [`LoadSpec::browser`]).
async fn screen_thumbnails(user: &mut User, sh: &Shared, spec: &LoadSpec, shas: &[&String]) {
    let paths: Vec<String> = shas
        .iter()
        .map(|sha| format!("/api/v1/media/{sha}/thumbnail"))
        .collect();
    if !spec.browser {
        for path in &paths {
            let t = Instant::now();
            let r = user.main.get_bytes(path).await;
            sh.record("thumbnail", t, r.map(|_| ()));
        }
        return;
    }
    let now = Instant::now();
    let mut queue = std::collections::VecDeque::new();
    for path in paths {
        match user.cache.get(&path) {
            Some((_, at)) if now.duration_since(*at) < BROWSER_MAX_AGE => {
                if sh.measuring(now) {
                    sh.rec.borrow_mut().cache_hits += 1;
                }
            }
            Some((tag, _)) => queue.push_back((path.clone(), tag.clone())),
            None => queue.push_back((path, None)),
        }
    }
    let queue = std::cell::RefCell::new(queue);
    let fetched = std::cell::RefCell::new(Vec::new());
    let lanes = std::iter::once(&mut user.main)
        .chain(user.extra.iter_mut())
        .take(BROWSER_PARALLEL)
        .map(|client| {
            let (queue, fetched) = (&queue, &fetched);
            async move {
                loop {
                    let Some((path, tag)) = queue.borrow_mut().pop_front() else {
                        break;
                    };
                    let kind = if tag.is_some() {
                        "thumbnail_revalidate"
                    } else {
                        "thumbnail"
                    };
                    let t = Instant::now();
                    let r = client.get_cached(&path, tag.as_deref()).await;
                    let ok = r.as_ref().map(|_| ()).map_err(Clone::clone);
                    sh.record(kind, t, ok);
                    if let Ok(etag) = r {
                        fetched.borrow_mut().push((path, etag.or(tag)));
                    }
                }
            }
        });
    futures_join_all(lanes).await;
    let at = Instant::now();
    for (path, tag) in fetched.into_inner() {
        user.cache.insert(path, (tag, at));
    }
}

async fn browse(user: &mut User, sh: &Shared, spec: &LoadSpec, rng: &mut Rng) -> Result<(), ()> {
    let t = Instant::now();
    let cases = user.main.get_json("/api/v1/cases").await;
    let ok = cases.as_ref().map(|_| ()).map_err(Clone::clone);
    sh.record("cases", t, ok);
    let Ok(cases) = cases else { return Err(()) };
    if spec.browser {
        think(spec, rng).await;
    }
    let numbers: Vec<String> = cases["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|c| c["media_count"].as_u64().unwrap_or(0) > 0)
                .filter_map(|c| c["number"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let Some(case) = rng.pick(&numbers).cloned() else {
        return Err(());
    };
    let filter = rng.pick(&FILTERS).copied().unwrap_or("");
    let kind = if filter.is_empty() {
        "grid"
    } else {
        "grid_filtered"
    };
    let pages = 1 + rng.below(3);
    let mut cursor: Option<String> = None;
    for _ in 0..pages {
        if Instant::now() >= sh.stop_at {
            return Ok(());
        }
        let mut path = format!(
            "/api/v1/cases/{case}/media?limit={}{filter}",
            spec.page_limit
        );
        if let Some(c) = &cursor {
            path.push_str("&cursor=");
            path.push_str(c);
        }
        let t = Instant::now();
        let page = user.main.get_json(&path).await;
        sh.record(kind, t, page.as_ref().map(|_| ()).map_err(Clone::clone));
        let Ok(page) = page else { return Err(()) };
        let items: Vec<(String, String)> = page["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|i| {
                        Some((
                            i["sha256"].as_str()?.to_owned(),
                            i["kind"].as_str()?.to_owned(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let with_thumb: Vec<&String> = items
            .iter()
            .filter(|(_, k)| k == "image" || k == "video")
            .map(|(s, _)| s)
            .collect();
        let screen: Vec<&String> = with_thumb
            .iter()
            .take(spec.thumbs_per_screen)
            .copied()
            .collect();
        screen_thumbnails(user, sh, spec, &screen).await;
        think(spec, rng).await;
        if let Some((sha, k)) = rng.pick(&items) {
            let t = Instant::now();
            let r = user.main.get_json(&format!("/api/v1/media/{sha}")).await;
            sh.record("media", t, r.map(|_| ()));
            if k == "image" || k == "video" {
                screen_thumbnails(user, sh, spec, &[sha]).await;
            }
            think(spec, rng).await;
        }
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    Ok(())
}

async fn user_loop(user: User, sh: Rc<Shared>, spec: Rc<LoadSpec>, k: usize) {
    let mut user = user;
    let (sh, spec) = (&*sh, &*spec);
    let mut rng = Rng::new(spec.seed ^ (k as u64).wrapping_mul(0x9E37_79B9));
    let mut done = 0u64;
    while Instant::now() < sh.stop_at {
        if spec.max_sessions.is_some_and(|m| done >= m) {
            break;
        }
        let started = Instant::now();
        let ok = browse(&mut user, sh, spec, &mut rng).await.is_ok();
        done += 1;
        if ok && sh.measuring(started) {
            sh.rec.borrow_mut().sessions += 1;
        }
    }
}

async fn login(addr: SocketAddr, user: &str, password: &str) -> Result<Client, LoadError> {
    let mut c = Client {
        addr,
        sender: None,
        cookie: String::new(),
    };
    let body = serde_json::json!({ "username": user, "password": password }).to_string();
    let fail = |status: String| LoadError::Login {
        username: user.to_owned(),
        status,
    };
    let (status, _, cookie) = c
        .call("POST", "/api/v1/auth/login", Some(body))
        .await
        .map_err(fail)?;
    match cookie {
        Some(cookie) if status.is_success() => {
            c.cookie = cookie;
            Ok(c)
        }
        _ => Err(fail(status.to_string())),
    }
}

fn stats(kind: &str, mut v: Vec<u32>, errors: u64) -> KindStats {
    v.sort_unstable();
    let n = v.len();
    let ms = |us: u32| f64::from(us) / 1000.0;
    let pct = |p: f64| {
        if n == 0 {
            return 0.0;
        }
        let i = ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
        ms(v[i])
    };
    let sum: u64 = v.iter().map(|&x| u64::from(x)).sum();
    KindStats {
        kind: kind.to_owned(),
        requests: n as u64,
        errors,
        mean_ms: if n == 0 {
            0.0
        } else {
            sum as f64 / n as f64 / 1000.0
        },
        p50_ms: pct(0.50),
        p95_ms: pct(0.95),
        p99_ms: pct(0.99),
        max_ms: v.last().copied().map_or(0.0, ms),
    }
}

/// Log every user in, then browse until the duration is over (or every
/// user did [`LoadSpec::max_sessions`]). Blocks the calling thread, which
/// runs the whole generator.
pub fn run_load(spec: &LoadSpec) -> Result<LoadReport, LoadError> {
    if spec.users.is_empty() {
        return Err(LoadError::NoUsers);
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        // Log in a few at a time: argon2 is deliberately slow.
        let mut clients = Vec::with_capacity(spec.users.len());
        for chunk in spec.users.chunks(8) {
            let logins = chunk.iter().map(|(u, p)| login(spec.addr, u, p));
            for c in futures_join_all(logins).await {
                let main = c?;
                // The browser's other connections share the session (they
                // connect on first use).
                let extra = if spec.browser {
                    (1..BROWSER_PARALLEL)
                        .map(|_| Client {
                            addr: spec.addr,
                            sender: None,
                            cookie: main.cookie.clone(),
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                clients.push(User {
                    main,
                    extra,
                    cache: std::collections::HashMap::new(),
                });
            }
        }
        let start = Instant::now();
        let sh = Rc::new(Shared {
            rec: std::cell::RefCell::new(Recorder::default()),
            measure_from: start + spec.warmup,
            stop_at: start + spec.warmup + spec.duration,
        });
        let shared_spec = Rc::new(spec.clone());
        let local = tokio::task::LocalSet::new();
        let mut handles = Vec::with_capacity(clients.len());
        for (k, c) in clients.into_iter().enumerate() {
            handles.push(local.spawn_local(user_loop(c, sh.clone(), shared_spec.clone(), k)));
        }
        let measure_from = sh.measure_from;
        let measured_end = local
            .run_until(async move {
                tokio::time::sleep_until(measure_from.into()).await;
                let cpu0 = Some((
                    proc_cpu_seconds("/proc/thread-self/stat"),
                    proc_cpu_seconds("/proc/self/stat"),
                ));
                for h in handles {
                    if let Err(e) = h.await {
                        tracing::warn!(error = %e, "a virtual user failed");
                    }
                }
                (
                    Instant::now(),
                    proc_cpu_seconds("/proc/thread-self/stat"),
                    proc_cpu_seconds("/proc/self/stat"),
                    cpu0,
                )
            })
            .await;
        let (end, client_cpu1, process_cpu1, cpu0) = measured_end;
        let end = end.min(sh.stop_at);
        let (client_cpu0, process_cpu0) = cpu0.unwrap_or((client_cpu1, process_cpu1));
        let seconds = end
            .saturating_duration_since(sh.measure_from)
            .as_secs_f64()
            .max(1e-9);
        let rec = std::mem::take(&mut *sh.rec.borrow_mut());
        let mut all = Vec::new();
        let mut kinds = Vec::new();
        let mut total_errors = 0;
        for (kind, v) in rec.samples {
            let e = rec.errors.get(kind).copied().unwrap_or(0);
            total_errors += e;
            all.extend_from_slice(&v);
            kinds.push(stats(kind, v, e));
        }
        let overall = stats("all", all, total_errors);
        Ok(LoadReport {
            users: spec.users.len(),
            seconds,
            requests_per_s: overall.requests as f64 / seconds,
            overall,
            kinds,
            sessions: rec.sessions,
            client_cpu_s: client_cpu1 - client_cpu0,
            process_cpu_s: process_cpu1 - process_cpu0,
            client_cpu_share: if process_cpu1 > process_cpu0 {
                (client_cpu1 - client_cpu0) / (process_cpu1 - process_cpu0)
            } else {
                0.0
            },
            cache_hits: rec.cache_hits,
            first_errors: rec.first_errors,
        })
    })
}

/// Serve `state` in this process on a loopback port (the server's own
/// multi-thread runtime, one worker per core), run the load made by
/// `spec` for that address on the calling thread, then stop the server.
pub fn run_in_process(
    state: vidi_server::AppState,
    spec: impl FnOnce(SocketAddr) -> LoadSpec,
) -> Result<LoadReport, LoadError> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = std::sync::mpsc::channel();
    let server = {
        let stop = stop.clone();
        std::thread::Builder::new()
            .name("vidi-serve".into())
            .spawn(move || {
                let listen = SocketAddr::from(([127, 0, 0, 1], 0));
                let r = vidi_server::serve_blocking(
                    listen,
                    state,
                    None,
                    |a| {
                        let _ = tx.send(a);
                    },
                    move || stop.load(Ordering::Relaxed),
                );
                if let Err(e) = r {
                    tracing::error!(error = %e, "bench server failed");
                }
            })?
    };
    let result = match rx.recv() {
        Ok(addr) => run_load(&spec(addr)),
        Err(_) => Err(LoadError::Io(std::io::Error::other(
            "the server did not start",
        ))),
    };
    stop.store(true, Ordering::Relaxed);
    if server.join().is_err() {
        tracing::error!("bench server thread panicked");
    }
    result
}

/// Await all futures concurrently on the current task (no extra crate).
async fn futures_join_all<F: std::future::Future>(
    futs: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futs {
        set.push(Box::pin(f));
    }
    let mut out: Vec<Option<F::Output>> = set.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if out[i].is_some() {
                continue;
            }
            match f.as_mut().poll(cx) {
                std::task::Poll::Ready(v) => out[i] = Some(v),
                std::task::Poll::Pending => pending = true,
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let s = stats("x", (1..=100).map(|i| i * 1000).collect(), 2);
        assert_eq!(s.requests, 100);
        assert_eq!(s.p50_ms, 50.0);
        assert_eq!(s.p99_ms, 99.0);
        assert_eq!(s.max_ms, 100.0);
        assert_eq!(s.errors, 2);
        assert_eq!(stats("e", Vec::new(), 0).p99_ms, 0.0);
    }

    #[test]
    fn think_times_are_exponential_with_the_given_mean() {
        let mut spec = LoadSpec::new(SocketAddr::from(([127, 0, 0, 1], 1)), Vec::new());
        let mut rng = Rng::new(3);
        assert_eq!(think_time(&spec, &mut rng), Duration::ZERO);
        spec.think = Duration::from_millis(2000);
        let n = 20_000;
        let draws: Vec<f64> = (0..n)
            .map(|_| think_time(&spec, &mut rng).as_secs_f64())
            .collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        assert!((mean - 2.0).abs() < 0.1, "{mean}");
        // Exponential: about 1 - 1/e of the draws are below the mean.
        let below = draws.iter().filter(|d| **d < 2.0).count() as f64 / n as f64;
        assert!((below - 0.632).abs() < 0.02, "{below}");
        assert!(draws.iter().all(|d| *d <= 20.0));
    }

    #[test]
    fn cpu_of_this_thread_is_readable() {
        let s = proc_cpu_seconds("/proc/thread-self/stat");
        assert!(s >= 0.0);
        assert_eq!(proc_cpu_seconds("/nonexistent"), 0.0);
    }
}
