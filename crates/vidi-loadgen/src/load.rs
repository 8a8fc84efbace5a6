//! The load generator: virtual investigators browsing a real server.
//!
//! Each user logs in (`POST /api/v1/auth/login`, its own session cookie and
//! HTTP/1.1 keep-alive connection), then loops with no think time over:
//! the case list; a visible case's grid (limit 100) with a filter drawn at
//! random (none, kind, new/known, has GPS, country, kind + GPS), one to
//! three pages by cursor; for each page the thumbnails of one screen
//! ([`LoadSpec::thumbs_per_screen`] image/video items); one media page
//! (`GET /media/{sha}`: metadata, hits, clues, links, cluster) and its
//! thumbnail; then back to the grid.
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
    /// Pause after each screen (a grid page with its thumbnails, a media
    /// page), as an investigator looking at it; zero: none.
    pub think: Duration,
}

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
                    let bytes = axum::body::to_bytes(Body::new(resp.into_body()), 64 << 20)
                        .await
                        .map_err(|e| e.to_string())?;
                    return Ok((status, bytes, cookie));
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

async fn think(spec: &LoadSpec) {
    if !spec.think.is_zero() {
        tokio::time::sleep(spec.think).await;
    }
}

async fn browse(
    client: &mut Client,
    sh: &Shared,
    spec: &LoadSpec,
    rng: &mut Rng,
) -> Result<(), ()> {
    let t = Instant::now();
    let cases = client.get_json("/api/v1/cases").await;
    let ok = cases.as_ref().map(|_| ()).map_err(Clone::clone);
    sh.record("cases", t, ok);
    let Ok(cases) = cases else { return Err(()) };
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
        let page = client.get_json(&path).await;
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
        for sha in with_thumb.iter().take(spec.thumbs_per_screen) {
            let t = Instant::now();
            let r = client
                .get_bytes(&format!("/api/v1/media/{sha}/thumbnail"))
                .await;
            sh.record("thumbnail", t, r.map(|_| ()));
        }
        think(spec).await;
        if let Some((sha, k)) = rng.pick(&items) {
            let t = Instant::now();
            let r = client.get_json(&format!("/api/v1/media/{sha}")).await;
            sh.record("media", t, r.map(|_| ()));
            if k == "image" || k == "video" {
                let t = Instant::now();
                let r = client
                    .get_bytes(&format!("/api/v1/media/{sha}/thumbnail"))
                    .await;
                sh.record("thumbnail", t, r.map(|_| ()));
            }
            think(spec).await;
        }
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    Ok(())
}

async fn user_loop(client: Client, sh: Rc<Shared>, spec: Rc<LoadSpec>, k: usize) {
    let mut client = client;
    let (sh, spec) = (&*sh, &*spec);
    let mut rng = Rng::new(spec.seed ^ (k as u64).wrapping_mul(0x9E37_79B9));
    let mut done = 0u64;
    while Instant::now() < sh.stop_at {
        if spec.max_sessions.is_some_and(|m| done >= m) {
            break;
        }
        let started = Instant::now();
        let ok = browse(&mut client, sh, spec, &mut rng).await.is_ok();
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
                clients.push(c?);
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
    fn cpu_of_this_thread_is_readable() {
        let s = proc_cpu_seconds("/proc/thread-self/stat");
        assert!(s >= 0.0);
        assert_eq!(proc_cpu_seconds("/nonexistent"), 0.0);
    }
}
