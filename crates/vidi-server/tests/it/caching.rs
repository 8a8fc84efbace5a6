//! The server's caches (totals, grid items, countries, sessions) never
//! serve stale answers: every write, by the API or by another process on
//! the same workspace, shows in the next request; thumbnails revalidate
//! with ETag and every view (304 too) is audited.

use serde_json::json;
use vidi_server::ServerConfig;
use vidi_store::{Store, Workspace};

use crate::common::{Client, Server, put, sha, start};

/// A second connection to the server's workspace, as another process
/// (the command line) would open it.
fn other_process(s: &Server) -> (Workspace, Store) {
    let ws = Workspace::open(&s._dir.path().join("W")).unwrap();
    let store = Store::open(&ws).unwrap();
    (ws, store)
}

fn total(c: &Client, query: &str) -> u64 {
    let r = c.get(&format!("/api/v1/cases/A-1/media?limit=1{query}"));
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["total"].as_u64().unwrap()
}

#[test]
fn totals_items_and_case_counts_follow_writes() {
    let s = start(ServerConfig::default());
    let a = Client::login(&s, "a-analyst");
    let cat = "&category=3";
    assert_eq!(total(&a, ""), 2);
    assert_eq!(total(&a, cat), 0);
    // Twice: the second answer comes from the caches.
    assert_eq!(total(&a, cat), 0);
    // A category set through the API changes the next filtered total and
    // the item's categories.
    let h = sha(1).to_hex();
    let r = a.post(
        &format!("/api/v1/media/{h}/categories"),
        &json!({"scheme": "plain", "code": "3"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(total(&a, cat), 1);
    let page = a.get("/api/v1/cases/A-1/media").json();
    let item = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["sha256"] == json!(h))
        .unwrap()
        .clone();
    assert_eq!(item["categories"][0]["code"], "3");
    // A write by another process (a new media ingested into the case, a
    // clue placing a media) shows at once as well.
    let cases = |c: &Client| {
        c.get("/api/v1/cases").json()["items"][0]["media_count"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(cases(&a), 2);
    let (ws, mut other) = other_process(&s);
    let files = s._dir.path().join("evidence");
    put(&mut other, &ws, &files, 9, "A-1", "BE-A", false);
    assert_eq!(total(&a, ""), 3);
    assert_eq!(cases(&a), 3);
    let before = a.get("/api/v1/cases/A-1/media?country=ES").json()["total"].clone();
    assert_eq!(before, 0);
    let r = a.post(
        &format!("/api/v1/media/{}/clues", sha(9).to_hex()),
        &json!({"kind": "gps_place", "value": "ES", "confidence": 0.9}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let page = a.get("/api/v1/cases/A-1/media?country=ES").json();
    assert_eq!(page["total"], 1, "{page}");
    assert_eq!(page["items"][0]["country"], "ES");
}

#[test]
fn thumbnails_revalidate_and_every_view_is_audited() {
    let s = start(ServerConfig::default());
    let a = Client::login(&s, "a-analyst");
    let path = format!("/api/v1/media/{}/thumbnail", sha(1).to_hex());
    let first = a.get(&path);
    assert_eq!(first.status, 200);
    let tag = first.etag.clone().unwrap();
    assert!(tag.starts_with('"') && tag.ends_with('"'), "{tag}");
    assert_eq!(first.cache_control.as_deref(), Some("private, max-age=300"));
    let again = a.get_with(&path, ("If-None-Match", &tag));
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.etag.as_deref(), Some(tag.as_str()));
    assert_eq!(
        a.get_with(&path, ("If-None-Match", "\"other\"")).status,
        200
    );
    // Not visible: 404 whatever the tag.
    let hidden = format!("/api/v1/media/{}/thumbnail", sha(4).to_hex());
    assert_eq!(a.get_with(&hidden, ("If-None-Match", "*")).status, 404);
    let admin = Client::login(&s, "a-admin");
    let log = admin.get("/api/v1/audit?limit=1000").json();
    let n = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "media.thumbnail")
        .count();
    assert_eq!(n, 3);
}

#[test]
fn a_disabled_user_and_a_removed_session_end_at_once() {
    let s = start(ServerConfig::default());
    let a = Client::login(&s, "a-analyst");
    let b = Client::login(&s, "b-analyst");
    assert_eq!(a.get("/api/v1/cases").status, 200);
    assert_eq!(b.get("/api/v1/cases").status, 200);
    // Disabled by another process: the cached session is not trusted.
    let (ws, _) = other_process(&s);
    rusqlite::Connection::open(ws.db_path())
        .unwrap()
        .execute(
            "UPDATE users SET disabled = 1 WHERE username = 'a-analyst'",
            [],
        )
        .unwrap();
    let r = a.get("/api/v1/cases");
    assert_eq!((r.status, r.code().as_str()), (401, "unauthenticated"));
    assert_eq!(b.get("/api/v1/cases").status, 200);
    // Logout ends only that session, at once.
    let b2 = Client::login(&s, "b-analyst");
    assert_eq!(b2.post("/api/v1/auth/logout", &json!({})).status, 204);
    assert_eq!(b2.get("/api/v1/cases").status, 401);
    assert_eq!(b.get("/api/v1/cases").status, 200);
}
