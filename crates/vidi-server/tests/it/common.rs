//! A real server on a free loopback port over a small two-agency workspace.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::Value;
use vidi_store::accounts::{NewUser, Role};
use vidi_store::{LinkKind, NewLink, Store, Workspace, thumb_key};
use vidi_types::{
    Digests, EvidenceItem, FileType, Md5, MediaKind, MediaRecord, Metadata, Sha1, Sha256, Thumbnail,
};

pub(crate) const PASSWORD: &str = "correct horse battery staple";

pub(crate) fn sha(n: u8) -> Sha256 {
    Sha256([n; 32])
}

pub(crate) struct Server {
    pub(crate) base: String,
    pub(crate) _dir: tempfile::TempDir,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Bytes of the evidence file of media `n`.
pub(crate) fn file_bytes(n: u8) -> Vec<u8> {
    (0..1000u32).map(|i| (i as u8) ^ n).collect()
}

pub(crate) fn put(
    store: &mut Store,
    ws: &Workspace,
    dir: &std::path::Path,
    n: u8,
    case: &str,
    agency: &str,
    gps: bool,
) {
    let path = dir.join(format!("{case}-{n}.bin"));
    std::fs::write(&path, file_bytes(n)).unwrap();
    let key = thumb_key(&sha(n), None);
    ws.blobs().put(&key, &[0xff, 0xd8, 0xff, n]).unwrap();
    let record = MediaRecord {
        digests: Digests {
            md5: Md5([n; 16]),
            sha1: Sha1([n; 20]),
            sha256: sha(n),
        },
        size: 1000,
        kind: MediaKind::Image,
        mime: "image/jpeg".into(),
        width: Some(64),
        height: Some(48),
        frame_count: None,
        duration_s: None,
        pdq: None,
        pdq_dihedral: None,
        vpdq: Vec::new(),
        video: None,
        metadata: Metadata::default(),
        thumbnails: vec![Thumbnail {
            key,
            width: 64,
            height: 48,
            timestamp_s: None,
        }],
        error: None,
        pipeline_version: 1,
    };
    let item = EvidenceItem {
        path: path.to_string_lossy().into_owned(),
        size: 1000,
        mtime: None,
        ctime: None,
        atime: None,
        file_type: FileType::Regular,
        case: case.into(),
        agency: agency.into(),
        media: Some(sha(n)),
        error: None,
    };
    store.put_item(Some(&record), &item).unwrap();
    if gps {
        let conn = rusqlite::Connection::open(ws.db_path()).unwrap();
        conn.execute(
            "UPDATE media SET gps_lat = 52.37, gps_lon = 4.89 WHERE sha256 = ?1",
            [sha(n).to_hex()],
        )
        .unwrap();
    }
}

/// Agency A (BE-A) owns case A-1 with media 1, 2; agency B (NL-B) owns
/// case B-1 with media 3 (a near duplicate of 1, with GPS) and 4. Users:
/// a-analyst, a-admin (A), b-analyst, b-admin (B).
pub(crate) fn start(config: vidi_server::ServerConfig) -> Server {
    start_with(config, |_, _, _| {})
}

/// [`start`], with `extra` run on the seeded store before serving (the
/// workspace and the evidence folder given).
pub(crate) fn start_with(
    config: vidi_server::ServerConfig,
    extra: impl FnOnce(&mut Store, &Workspace, &std::path::Path),
) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(&dir.path().join("W")).unwrap();
    let files = dir.path().join("evidence");
    std::fs::create_dir_all(&files).unwrap();
    let mut store = Store::open(&ws).unwrap();
    store.add_agency("BE-A", "BE", Some("Agency A")).unwrap();
    store.add_agency("NL-B", "NL", Some("Agency B")).unwrap();
    put(&mut store, &ws, &files, 1, "A-1", "BE-A", false);
    put(&mut store, &ws, &files, 2, "A-1", "BE-A", false);
    put(&mut store, &ws, &files, 3, "B-1", "NL-B", true);
    put(&mut store, &ws, &files, 4, "B-1", "NL-B", false);
    store
        .record_links(
            &[NewLink {
                a: sha(1),
                b: sha(3),
                kind: LinkKind::Pdq,
                distance: Some(6),
                score: None,
                extractor: "test".into(),
                extractor_version: 1,
                detail: None,
            }],
            &[sha(1), sha(3)],
            1,
        )
        .unwrap();
    store.rebuild_clusters().unwrap();
    let hash = vidi_server::hash_password(PASSWORD).unwrap();
    for (name, agency, role) in [
        ("a-analyst", "BE-A", Role::Analyst),
        ("a-admin", "BE-A", Role::Admin),
        ("b-analyst", "NL-B", Role::Analyst),
        ("b-admin", "NL-B", Role::Admin),
    ] {
        store
            .add_user(&NewUser {
                username: name,
                password_hash: &hash,
                role,
                agency,
            })
            .unwrap();
    }
    extra(&mut store, &ws, &files);
    drop(store);
    let state = vidi_server::AppState::new(ws, config).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = std::sync::mpsc::channel::<SocketAddr>();
    let stop2 = stop.clone();
    let thread = std::thread::spawn(move || {
        vidi_server::serve_blocking(
            "127.0.0.1:0".parse().unwrap(),
            state,
            None,
            move |a| tx.send(a).unwrap(),
            move || stop2.load(Ordering::SeqCst),
        )
        .unwrap();
    });
    let addr = rx.recv_timeout(Duration::from_secs(30)).unwrap();
    Server {
        base: format!("http://{addr}"),
        _dir: dir,
        stop,
        thread: Some(thread),
    }
}

/// A response: status, headers of interest, body.
#[derive(Debug)]
pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) set_cookie: Option<String>,
    pub(crate) content_type: Option<String>,
    pub(crate) csp: Option<String>,
    pub(crate) content_range: Option<String>,
    pub(crate) etag: Option<String>,
    pub(crate) cache_control: Option<String>,
    pub(crate) body: Vec<u8>,
}

impl Resp {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    pub(crate) fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    }
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn finish(r: Result<ureq::Response, ureq::Error>) -> Resp {
    let resp = match r {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error: {e}"),
    };
    let h = |n: &str| resp.header(n).map(str::to_owned);
    let (set_cookie, content_type, csp, content_range) = (
        h("set-cookie"),
        h("content-type"),
        h("content-security-policy"),
        h("content-range"),
    );
    let (etag, cache_control) = (h("etag"), h("cache-control"));
    let status = resp.status();
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut resp.into_reader(), &mut body).unwrap();
    Resp {
        status,
        set_cookie,
        content_type,
        csp,
        content_range,
        etag,
        cache_control,
        body,
    }
}

/// A logged-in (or anonymous) client.
#[derive(Debug, Clone, Default)]
pub(crate) struct Client {
    pub(crate) base: String,
    pub(crate) cookie: Option<String>,
    pub(crate) csrf: Option<String>,
    pub(crate) bearer: Option<String>,
}

impl Client {
    pub(crate) fn anon(s: &Server) -> Client {
        Client {
            base: s.base.clone(),
            ..Client::default()
        }
    }

    pub(crate) fn login(s: &Server, user: &str) -> Client {
        let mut c = Client::anon(s);
        let r = c.post(
            "/api/v1/auth/login",
            &serde_json::json!({"username": user, "password": PASSWORD}),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        let cookie = r.set_cookie.clone().unwrap();
        c.cookie = Some(cookie.split(';').next().unwrap().to_owned());
        c.csrf = r.json()["csrf_token"].as_str().map(str::to_owned);
        c
    }

    fn req(&self, method: &str, path: &str) -> ureq::Request {
        let mut r = ureq::request(method, &format!("{}{}", self.base, path));
        if let Some(c) = &self.cookie {
            r = r.set("Cookie", c);
        }
        if let Some(t) = &self.bearer {
            r = r.set("Authorization", &format!("Bearer {t}"));
        }
        if method != "GET"
            && let Some(t) = &self.csrf
        {
            r = r.set("X-CSRF-Token", t);
        }
        r
    }

    pub(crate) fn get(&self, path: &str) -> Resp {
        finish(self.req("GET", path).call())
    }

    pub(crate) fn get_with(&self, path: &str, header: (&str, &str)) -> Resp {
        finish(self.req("GET", path).set(header.0, header.1).call())
    }

    pub(crate) fn post(&self, path: &str, body: &Value) -> Resp {
        finish(self.req("POST", path).send_json(body.clone()))
    }

    pub(crate) fn post_raw(&self, path: &str, body: &[u8]) -> Resp {
        finish(
            self.req("POST", path)
                .set("Content-Type", "application/json")
                .send_bytes(body),
        )
    }
}

impl Client {
    pub(crate) fn put_settings(&self, body: &Value) -> Resp {
        finish(
            self.req("PUT", "/api/v1/me/settings")
                .send_json(body.clone()),
        )
    }
}
