//! Find-similar over synthetic embeddings: visible hits with score and
//! region pair, restricted hits as agencies only, no score gaps from hidden
//! media, and a clear code without embeddings.

use serde_json::Value;
use vidi_server::ServerConfig;
use vidi_store::embeddings::{ModelKey, StoredRegion};
use vidi_store::{Store, Workspace};
use vidi_types::Sha256;

use crate::common::{Client, put, sha, start, start_with};

const DIM: usize = 8;

fn key() -> ModelKey {
    ModelKey {
        name: "test-backbone@regions-1".into(),
        sha256: "ab".repeat(32),
        dim: DIM,
    }
}

/// A unit vector: mostly axis 0, with `off` on axis `axis`.
fn vector(off: f32, axis: usize) -> Vec<f32> {
    let mut v = [0.0f32; DIM];
    v[0] = 1.0;
    v[axis] += off;
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter().map(|x| x / n).collect()
}

fn embed(store: &mut Store, sha: &Sha256, v: Vec<f32>) {
    let regions = vec![StoredRegion {
        index: 0,
        x: 0,
        y: 0,
        width: 64,
        height: 48,
        vector: v,
    }];
    store.put_embeddings(sha, &key(), &regions).unwrap();
}

/// Media 1 (A) is the query; 3 (B, hidden from A) is nearly the same; 2 (A)
/// is further; with `crowd`, 200+ more media of B lie between 1 and 2, so
/// that a search that filtered hidden media after taking the nearest 200
/// would return nothing to A.
fn seed(store: &mut Store, ws: &Workspace, files: &std::path::Path, crowd: bool) {
    embed(store, &sha(1), vector(0.0, 1));
    embed(store, &sha(2), vector(0.9, 2));
    embed(store, &sha(3), vector(0.05, 3));
    embed(store, &sha(4), vector(2.0, 4));
    if crowd {
        for n in 10..=240u8 {
            put(store, ws, files, n, "B-1", "NL-B", false);
            embed(store, &sha(n), vector(0.3 + f32::from(n) / 1000.0, 5));
        }
    }
}

fn similar(c: &Client, n: u8) -> Value {
    let r = c.get(&format!("/api/v1/media/{}/similar?k=5", sha(n).to_hex()));
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

#[test]
fn no_embeddings_is_a_clear_code() {
    let s = start(ServerConfig::default());
    let a = Client::login(&s, "a-analyst");
    let v = similar(&a, 1);
    assert_eq!(v["available"], false);
    assert_eq!(v["code"], "no_embeddings");
    assert_eq!(v["total"], 0);
    let r = a.get(&format!("/api/v1/media/{}/similar?k=0", sha(1).to_hex()));
    assert_eq!((r.status, r.code().as_str()), (400, "bad_request"));
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("k must be")
    );
}

#[test]
fn visible_hits_with_regions_and_hidden_ones_as_agencies_only() {
    let s = start_with(ServerConfig::default(), |st, ws, f| seed(st, ws, f, false));
    let a = Client::login(&s, "a-analyst");
    let v = similar(&a, 1);
    assert_eq!(v["available"], true, "{v}");
    // Only media 2 is visible to A; 3 and 4 are B's.
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{v}");
    let hit = &items[0];
    assert_eq!(hit["sha256"], sha(2).to_hex());
    let expected = vector(0.0, 1)
        .iter()
        .zip(vector(0.9, 2))
        .map(|(x, y)| x * y)
        .sum::<f32>();
    let score = hit["score"].as_f64().unwrap() as f32;
    assert!((score - expected).abs() < 1e-4, "{score} vs {expected}");
    assert_eq!(hit["query_region"]["index"], 0);
    assert_eq!(hit["hit_region"]["index"], 0);
    assert_eq!(hit["hit_region"]["w"], 64);
    assert_eq!(hit["cases"], serde_json::json!(["A-1"]));
    assert_eq!(hit["agencies"][0]["code"], "BE-A");
    assert_eq!(hit["agencies"][0]["country"], "BE");
    // Media 3 (cosine ~1) exists in a case of agency B: only that is said.
    let restricted = v["restricted"].as_array().unwrap();
    assert_eq!(restricted.len(), 1, "{v}");
    assert_eq!(restricted[0]["restricted"], true);
    assert_eq!(restricted[0]["other_agency"]["code"], "NL-B");
    assert_eq!(restricted[0]["other_agency"]["country"], "NL");
    assert_eq!(
        restricted[0].as_object().unwrap().len(),
        2,
        "nothing but the agency: {v}"
    );
    let text = v.to_string();
    for hidden in [3u8, 4] {
        assert!(!text.contains(&sha(hidden).to_hex()), "{hidden} leaked");
    }
    assert!(!text.contains("B-1"));

    // B sees its own media with scores, and A's close media 1 as BE-A only.
    let b = Client::login(&s, "b-analyst");
    let v = similar(&b, 3);
    let shas: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["sha256"].as_str().unwrap())
        .collect();
    assert_eq!(shas, vec![sha(4).to_hex()]);
    assert_eq!(v["restricted"][0]["other_agency"]["code"], "BE-A");
    assert!(!v.to_string().contains(&sha(1).to_hex()));

    // A grant makes B's media ordinary hits.
    let admin_b = Client::login(&s, "b-admin");
    let r = admin_b.post(
        "/api/v1/cases/B-1/grants",
        &serde_json::json!({"agency": "BE-A"}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let v = similar(&a, 1);
    let first = &v["items"][0];
    assert_eq!(first["sha256"], sha(3).to_hex());
    assert_eq!(first["cases"], serde_json::json!(["B-1"]));
    assert_eq!(v["restricted"], serde_json::json!([]));

    // Views of similar lists are audited.
    let admin = Client::login(&s, "a-admin");
    let audit = admin.get("/api/v1/audit?limit=1000").json();
    assert!(audit.to_string().contains("media.similar"));
}

#[test]
fn hidden_media_never_push_visible_ones_out() {
    // Same query with and without 231 hidden media of B nearer than media 2:
    // A's answer is identical.
    let plain = start_with(ServerConfig::default(), |st, ws, f| seed(st, ws, f, false));
    let crowded = start_with(ServerConfig::default(), |st, ws, f| seed(st, ws, f, true));
    let a1 = similar(&Client::login(&plain, "a-analyst"), 1);
    let a2 = similar(&Client::login(&crowded, "a-analyst"), 1);
    assert_eq!(a1["items"], a2["items"]);
    assert_eq!(a1["total"], 1);
    assert_eq!(a1["restricted"], a2["restricted"]);
    // B, who sees them, gets them.
    let b = similar(&Client::login(&crowded, "b-analyst"), 3);
    assert_eq!(b["items"].as_array().unwrap().len(), 5);
}
