//! Every kind of 4xx answer carries a stable code and a clear message that
//! leaks no internals.

use serde_json::json;
use vidi_server::ServerConfig;

use crate::common::{Client, Resp, sha, start};

/// The answer is `status` with `code`, a message a person can act on, and
/// nothing from inside the server.
fn check(what: &str, r: &Resp, status: u16, code: &str) {
    assert_eq!(
        (r.status, r.code().as_str()),
        (status, code),
        "{what}: {}",
        r.text()
    );
    let msg = r.json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(msg.len() >= 8, "{what}: message too short: {msg:?}");
    for internal in [
        "rusqlite", "SQL", "sqlite", "/tmp", "panicked", "src/", "Error {", "thread",
    ] {
        assert!(!msg.contains(internal), "{what}: leaks {internal:?}: {msg}");
    }
}

#[test]
fn every_4xx_has_a_code_and_a_clear_message() {
    let s = start(ServerConfig {
        max_body_bytes: 4096,
        ..ServerConfig::default()
    });
    let anon = Client::anon(&s);
    let a = Client::login(&s, "a-analyst");
    let admin = Client::login(&s, "a-admin");
    let m = sha(1).to_hex();
    let media = |p: &str| format!("/api/v1/media/{m}{p}");

    check(
        "anonymous",
        &anon.get("/api/v1/cases"),
        401,
        "unauthenticated",
    );
    let r = anon.post(
        "/api/v1/auth/login",
        &json!({"username": "a-analyst", "password": "wrong password"}),
    );
    check("wrong password", &r, 401, "bad_credentials");
    check(
        "login without JSON",
        &anon.post_raw("/api/v1/auth/login", b"{"),
        400,
        "bad_request",
    );
    let no_csrf = Client {
        csrf: None,
        ..a.clone()
    };
    check(
        "no CSRF token",
        &no_csrf.post(&media("/tags"), &json!({"tag": "x"})),
        403,
        "csrf",
    );

    check("unknown route", &a.get("/api/v1/nope"), 404, "not_found");
    check("bad sha", &a.get("/api/v1/media/xyz"), 404, "not_found");
    check(
        "unknown case",
        &a.get("/api/v1/cases/NOPE/media"),
        404,
        "not_found",
    );
    check(
        "limit 0",
        &a.get("/api/v1/cases/A-1/media?limit=0"),
        400,
        "bad_request",
    );
    check(
        "bad status",
        &a.get("/api/v1/cases/A-1/media?status=old"),
        400,
        "bad_request",
    );
    check(
        "bad bool",
        &a.get("/api/v1/cases/A-1/media?has_gps=maybe"),
        400,
        "bad_request",
    );
    check(
        "k too big",
        &a.get(&media("/similar?k=999")),
        400,
        "bad_request",
    );
    check(
        "bad range",
        &a.get_with(&media("/file"), ("Range", "bytes=99999-")),
        416,
        "bad_range",
    );
    check(
        "map of unknown case",
        &a.get("/api/v1/map?case=NOPE"),
        404,
        "not_found",
    );

    check(
        "tag missing",
        &a.post(&media("/tags"), &json!({})),
        400,
        "bad_request",
    );
    check(
        "tag too long",
        &a.post(&media("/tags"), &json!({"tag": "x".repeat(101)})),
        400,
        "bad_request",
    );
    check(
        "note too large",
        &a.post(&media("/notes"), &json!({"text": "x".repeat(5000)})),
        413,
        "too_large",
    );
    check(
        "unknown scheme",
        &a.post(
            &media("/categories"),
            &json!({"scheme": "nope", "code": "1"}),
        ),
        400,
        "bad_request",
    );
    for (what, body) in [
        (
            "confidence",
            json!({"kind": "text", "value": "x", "confidence": 2.0}),
        ),
        (
            "kind",
            json!({"kind": "Bad Kind", "value": "x", "confidence": 0.5}),
        ),
        (
            "region",
            json!({"kind": "text", "value": "x", "confidence": 0.5, "region": {"x": -1}}),
        ),
    ] {
        check(what, &a.post(&media("/clues"), &body), 400, "bad_request");
    }
    check(
        "settings",
        &a.put_settings(
            &json!({"blur": true, "greyscale": true, "thumb_size": "huge", "muted": true}),
        ),
        400,
        "bad_request",
    );

    check(
        "audit as analyst",
        &a.get("/api/v1/audit"),
        403,
        "forbidden",
    );
    check(
        "audit bad cursor",
        &admin.get("/api/v1/audit?cursor=x"),
        400,
        "bad_request",
    );
    check(
        "grant as analyst",
        &a.post("/api/v1/cases/A-1/grants", &json!({"agency": "NL-B"})),
        403,
        "forbidden",
    );
    check(
        "grant to unknown agency",
        &admin.post("/api/v1/cases/A-1/grants", &json!({"agency": "XX-NONE"})),
        400,
        "bad_request",
    );

    check(
        "bad lead state",
        &a.get("/api/v1/leads?state=bogus"),
        400,
        "bad_request",
    );
    check(
        "unknown lead",
        &a.get("/api/v1/leads/999"),
        404,
        "not_found",
    );
    check(
        "bad lead",
        &a.post(
            "/api/v1/leads",
            &json!({"subject": "witness", "target_country": "ES", "title": "t"}),
        ),
        400,
        "bad_request",
    );
    check(
        "package as analyst",
        &a.post("/api/v1/packages", &json!({"country": "ES"})),
        403,
        "forbidden",
    );
    check(
        "package bad country",
        &admin.post("/api/v1/packages", &json!({"country": "Spain"})),
        400,
        "bad_request",
    );
    check(
        "package without leads",
        &admin.post("/api/v1/packages", &json!({"country": "ES"})),
        409,
        "conflict",
    );
    check(
        "unknown package",
        &a.get("/api/v1/packages/999/file"),
        404,
        "not_found",
    );

    check(
        "series limit",
        &a.get("/api/v1/series?limit=0"),
        400,
        "bad_request",
    );
    check(
        "series cursor",
        &a.get("/api/v1/series?cursor=x"),
        400,
        "bad_request",
    );
    check(
        "unknown series",
        &a.get("/api/v1/series/999"),
        404,
        "not_found",
    );
    check(
        "series no name",
        &a.post("/api/v1/series", &json!({})),
        400,
        "bad_request",
    );
    check(
        "series blank name",
        &a.post("/api/v1/series", &json!({"name": " "})),
        400,
        "bad_request",
    );
    let id = a.post("/api/v1/series", &json!({"name": "S"})).json()["id"]
        .as_i64()
        .unwrap();
    check(
        "series name taken",
        &a.post("/api/v1/series", &json!({"name": "S"})),
        409,
        "conflict",
    );
    check(
        "series empty media",
        &a.post(&format!("/api/v1/series/{id}/media"), &json!({"media": []})),
        400,
        "bad_request",
    );
    check(
        "series remove non-member",
        &a.post(
            &format!("/api/v1/series/{id}/media/remove"),
            &json!({"media": [m]}),
        ),
        400,
        "bad_request",
    );
    check(
        "series self merge",
        &a.post(&format!("/api/v1/series/{id}/merge"), &json!({"into": id})),
        400,
        "bad_request",
    );
    check(
        "series empty split",
        &a.post(
            &format!("/api/v1/series/{id}/split"),
            &json!({"name": "T", "media": []}),
        ),
        400,
        "bad_request",
    );
}
