//! Login, cookies, CSRF, tokens, rate limiting, idle timeout.

use std::time::Duration;

use serde_json::json;
use vidi_server::ServerConfig;

use crate::common::{Client, PASSWORD, Server, sha, start};

fn server() -> Server {
    start(ServerConfig::default())
}

#[test]
fn login_sets_a_strict_http_only_cookie() {
    let s = server();
    let anon = Client::anon(&s);
    let r = anon.post(
        "/api/v1/auth/login",
        &json!({"username": "a-analyst", "password": PASSWORD}),
    );
    assert_eq!(r.status, 200);
    let cookie = r.set_cookie.clone().unwrap();
    assert!(cookie.starts_with("vidi_session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Strict"));
    assert!(cookie.contains("Path=/"));
    assert!(!cookie.contains("Secure"), "no TLS here: {cookie}");
    let body = r.json();
    assert_eq!(body["user"]["username"], "a-analyst");
    assert_eq!(body["user"]["agency"]["code"], "BE-A");
    assert_eq!(body["user"]["agency"]["country"], "BE");
    assert_eq!(body["user"]["role"], "analyst");
    assert!(body["csrf_token"].as_str().unwrap().len() >= 32);

    let c = Client::login(&s, "a-analyst");
    let me = c.get("/api/v1/auth/me");
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["csrf_token"].as_str(), c.csrf.as_deref());

    // Logout ends the session.
    assert_eq!(c.post("/api/v1/auth/logout", &json!({})).status, 204);
    let r = c.get("/api/v1/auth/me");
    assert_eq!((r.status, r.code().as_str()), (401, "unauthenticated"));
}

#[test]
fn wrong_password_and_unknown_user_look_the_same() {
    let s = server();
    let anon = Client::anon(&s);
    let a = anon.post(
        "/api/v1/auth/login",
        &json!({"username": "a-analyst", "password": "wrong password!!"}),
    );
    let b = anon.post(
        "/api/v1/auth/login",
        &json!({"username": "nobody", "password": "wrong password!!"}),
    );
    assert_eq!((a.status, a.code().as_str()), (401, "bad_credentials"));
    assert_eq!(a.body, b.body);
    assert!(a.set_cookie.is_none());
    let r = anon.get("/api/v1/cases");
    assert_eq!((r.status, r.code().as_str()), (401, "unauthenticated"));
    let r = Client {
        cookie: Some("vidi_session=forged".into()),
        ..anon.clone()
    }
    .get("/api/v1/cases");
    assert_eq!(r.status, 401);
}

#[test]
fn csrf_header_is_required_with_the_cookie_but_not_with_a_token() {
    let s = server();
    let c = Client::login(&s, "a-analyst");
    let path = format!("/api/v1/media/{}/tags", sha(1).to_hex());
    let no_csrf = Client {
        csrf: None,
        ..c.clone()
    };
    let r = no_csrf.post(&path, &json!({"tag": "red door"}));
    assert_eq!((r.status, r.code().as_str()), (403, "csrf"));
    let wrong = Client {
        csrf: Some("x".repeat(43)),
        ..c.clone()
    };
    assert_eq!(
        wrong.post(&path, &json!({"tag": "red door"})).code(),
        "csrf"
    );
    assert_eq!(c.post(&path, &json!({"tag": "red door"})).status, 201);

    // API token: Bearer, no cookie, no CSRF.
    let r = c.post("/api/v1/auth/tokens", &json!({"name": "script"}));
    assert_eq!(r.status, 200);
    let token = r.json()["token"].as_str().unwrap().to_owned();
    let t = Client {
        base: s.base.clone(),
        bearer: Some(token),
        ..Client::default()
    };
    assert_eq!(t.post(&path, &json!({"tag": "window"})).status, 201);
    let v = t.get(&format!("/api/v1/media/{}", sha(1).to_hex())).json();
    let tags: Vec<_> = v["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["text"].clone())
        .collect();
    assert_eq!(tags, vec![json!("red door"), json!("window")]);
    let bad = Client {
        bearer: Some("not-a-token".into()),
        ..t.clone()
    };
    assert_eq!(bad.get("/api/v1/cases").status, 401);
}

#[test]
fn failed_logins_are_rate_limited() {
    let s = start(ServerConfig {
        login_failures_per_user: 3,
        login_failures_per_client: 5,
        ..ServerConfig::default()
    });
    let anon = Client::anon(&s);
    let attempt = |user: &str, pw: &str| {
        anon.post(
            "/api/v1/auth/login",
            &json!({"username": user, "password": pw}),
        )
    };
    for _ in 0..3 {
        assert_eq!(attempt("a-analyst", "wrong password!!").status, 401);
    }
    // Blocked even with the right password now.
    let r = attempt("a-analyst", PASSWORD);
    assert_eq!((r.status, r.code().as_str()), (429, "rate_limited"));
    // Per client address: 2 more failures on other names reach 5.
    assert_eq!(attempt("b-analyst", "wrong password!!").status, 401);
    assert_eq!(attempt("nobody", "wrong password!!").status, 401);
    assert_eq!(attempt("b-admin", PASSWORD).status, 429);
}

#[test]
fn idle_sessions_expire() {
    let s = start(ServerConfig {
        idle_timeout: Duration::from_secs(1),
        ..ServerConfig::default()
    });
    let c = Client::login(&s, "a-analyst");
    assert_eq!(c.get("/api/v1/auth/me").status, 200);
    std::thread::sleep(Duration::from_millis(2600));
    let r = c.get("/api/v1/auth/me");
    assert_eq!((r.status, r.code().as_str()), (401, "unauthenticated"));
}
