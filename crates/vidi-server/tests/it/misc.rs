//! Bodies, errors, files, thumbnails, settings, OpenAPI, UI, audit.

use serde_json::json;
use vidi_server::ServerConfig;

use crate::common::{Client, file_bytes, sha, start};

#[test]
fn bad_and_oversized_bodies_get_4xx_with_a_code() {
    let s = start(ServerConfig {
        max_body_bytes: 1024,
        ..ServerConfig::default()
    });
    let c = Client::login(&s, "a-analyst");
    let path = format!("/api/v1/media/{}/notes", sha(1).to_hex());
    let r = c.post_raw(&path, b"{not json");
    assert_eq!((r.status, r.code().as_str()), (400, "bad_request"));
    let r = c.post(&path, &json!({"texte": "typo"}));
    assert_eq!((r.status, r.code().as_str()), (400, "bad_request"));
    let big = json!({"text": "x".repeat(4096)});
    let r = c.post(&path, &big);
    assert_eq!((r.status, r.code().as_str()), (413, "too_large"));
    let r = c.get("/api/v1/cases/A-1/media?limit=0");
    assert_eq!((r.status, r.code().as_str()), (400, "bad_request"));
    let r = c.get("/api/v1/cases/A-1/media?has_gps=maybe");
    assert_eq!((r.status, r.code().as_str()), (400, "bad_request"));
    let r = c.get("/api/v1/no/such/route");
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
    let r = c.put_settings(
        &json!({"blur": false, "greyscale": true, "thumb_size": "huge", "muted": true}),
    );
    assert_eq!((r.status, r.code().as_str()), (400, "bad_request"));
    // Nothing was written by the refused requests.
    let v = c.get(&format!("/api/v1/media/{}", sha(1).to_hex())).json();
    assert!(v["notes"].as_array().unwrap().is_empty());
}

#[test]
fn files_thumbnails_and_pagination() {
    let s = start(ServerConfig::default());
    let c = Client::login(&s, "a-analyst");
    let h = sha(2).to_hex();
    let t = c.get(&format!("/api/v1/media/{h}/thumbnail"));
    assert_eq!(t.status, 200);
    assert_eq!(t.content_type.as_deref(), Some("image/jpeg"));
    let f = c.get(&format!("/api/v1/media/{h}/file"));
    assert_eq!(f.status, 200);
    assert_eq!(f.body, file_bytes(2));
    let p = c.get_with(&format!("/api/v1/media/{h}/file"), ("Range", "bytes=10-19"));
    assert_eq!(p.status, 206);
    assert_eq!(p.body, file_bytes(2)[10..20].to_vec());
    assert_eq!(p.content_range.as_deref(), Some("bytes 10-19/1000"));
    let p = c.get_with(&format!("/api/v1/media/{h}/file"), ("Range", "bytes=5000-"));
    assert_eq!(p.status, 416);
    let page = c.get("/api/v1/cases/A-1/media?limit=1").json();
    assert_eq!(page["total"], 2);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let next = page["next_cursor"].as_str().unwrap().to_owned();
    let page2 = c
        .get(&format!("/api/v1/cases/A-1/media?limit=1&cursor={next}"))
        .json();
    assert_eq!(page2["items"].as_array().unwrap().len(), 1);
    assert!(page2["next_cursor"].is_null());
    assert_ne!(page["items"][0]["sha256"], page2["items"][0]["sha256"]);
    assert_eq!(page["items"][0]["status"], "new");
}

#[test]
fn settings_default_to_wellness_and_persist() {
    let s = start(ServerConfig::default());
    let c = Client::login(&s, "a-analyst");
    let d = c.get("/api/v1/me/settings").json();
    assert_eq!(
        d,
        json!({"blur": true, "greyscale": true, "thumb_size": "small", "muted": true})
    );
    let new = json!({"blur": false, "greyscale": true, "thumb_size": "large", "muted": true});
    assert_eq!(c.put_settings(&new).status, 200);
    assert_eq!(c.get("/api/v1/me/settings").json(), new);
    // Per user.
    let other = Client::login(&s, "a-admin");
    assert_eq!(other.get("/api/v1/me/settings").json()["blur"], true);
}

#[test]
fn openapi_ui_and_security_headers() {
    let s = start(ServerConfig::default());
    let anon = Client::anon(&s);
    let doc = anon.get("/api/openapi.json");
    assert_eq!(doc.status, 200);
    let v = doc.json();
    assert!(v["openapi"].as_str().unwrap().starts_with("3."));
    for p in [
        "/api/v1/auth/login",
        "/api/v1/cases",
        "/api/v1/media/{sha256}",
        "/api/v1/map",
    ] {
        assert!(v["paths"].get(p).is_some(), "{p} missing");
    }
    let index = anon.get("/");
    assert_eq!(index.status, 200);
    assert!(
        index.text().contains("<html")
            || index.text().contains("<!doctype")
            || index.text().contains("<!DOCTYPE")
    );
    let csp = index.csp.unwrap();
    assert!(csp.contains("default-src 'self'"));
    assert!(!csp.contains("http"), "no external origin: {csp}");
    assert_eq!(anon.get("/ui/app.js").status, 200);
    assert_eq!(anon.get("/ui/../Cargo.toml").status, 404);
}

#[test]
fn views_and_changes_are_audited_per_agency() {
    let s = start(ServerConfig::default());
    let a = Client::login(&s, "a-analyst");
    let h = sha(1).to_hex();
    assert_eq!(a.get(&format!("/api/v1/media/{h}")).status, 200);
    assert_eq!(
        a.post(&format!("/api/v1/media/{h}/notes"), &json!({"text": "n"}))
            .status,
        201
    );
    let r = a.get("/api/v1/audit");
    assert_eq!((r.status, r.code().as_str()), (403, "forbidden"));
    let b = Client::login(&s, "b-admin");
    let _ = b.get(&format!("/api/v1/media/{}", sha(3).to_hex()));
    let admin = Client::login(&s, "a-admin");
    let log = admin.get("/api/v1/audit?limit=1000").json();
    let items = log["items"].as_array().unwrap();
    let actions: Vec<&str> = items
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"media.view"));
    assert!(actions.contains(&"media.note"));
    assert!(items.iter().all(|e| e["agency"] == "BE-A"));
    let view = items.iter().find(|e| e["action"] == "media.view").unwrap();
    assert_eq!(view["user"], "a-analyst");
    assert_eq!(view["object"], json!(format!("media:{h}")));
    assert_eq!(view["client"], "127.0.0.1");
}
