//! Agency A cannot read, list, search or infer agency B's ungranted media
//! through any endpoint; links into B's case are restricted.

use serde_json::json;
use vidi_server::ServerConfig;

use crate::common::{Client, file_bytes, sha, start};

#[test]
fn every_endpoint_hides_ungranted_media_like_absent_media() {
    let s = start(ServerConfig::default());
    let a = Client::login(&s, "a-admin");
    let hidden = sha(3).to_hex();
    let absent = sha(99).to_hex();

    // Case list and case media.
    let cases = a.get("/api/v1/cases").json();
    let numbers: Vec<_> = cases["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].clone())
        .collect();
    assert_eq!(numbers, vec![json!("A-1")]);
    assert_eq!(cases["items"][0]["access"], "owner");
    assert_eq!(cases["items"][0]["media_count"], 2);
    let r = a.get("/api/v1/cases/B-1/media");
    let r2 = a.get("/api/v1/cases/NO-SUCH/media");
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
    assert_eq!(r.body, r2.body);
    let own = a.get("/api/v1/cases/A-1/media").json();
    assert_eq!(own["total"], 2);
    assert!(!own.to_string().contains(&hidden));

    // Every per-media GET: same answer as for a media that does not exist.
    for suffix in ["", "/thumbnail", "/file", "/similar"] {
        let h = a.get(&format!("/api/v1/media/{hidden}{suffix}"));
        let n = a.get(&format!("/api/v1/media/{absent}{suffix}"));
        assert_eq!(h.status, 404, "{suffix}");
        assert_eq!(
            (h.status, h.body.clone()),
            (n.status, n.body.clone()),
            "{suffix}"
        );
    }
    // Writes as well.
    for (path, body) in [
        ("tags", json!({"tag": "x"})),
        ("notes", json!({"text": "x"})),
        ("categories", json!({"scheme": "vics-us", "code": "1"})),
        (
            "clues",
            json!({"kind": "text", "value": "x", "confidence": 0.5}),
        ),
    ] {
        let h = a.post(&format!("/api/v1/media/{hidden}/{path}"), &body);
        let n = a.post(&format!("/api/v1/media/{absent}/{path}"), &body);
        assert_eq!(h.status, 404, "{path}: {}", h.text());
        assert_eq!(h.body, n.body, "{path}");
    }
    // Search by cluster: naming B's media finds nothing.
    let r = a
        .get(&format!("/api/v1/cases/A-1/media?cluster={hidden}"))
        .json();
    assert_eq!(r["total"], 0);
    // Map: B's GPS point is not there; B's case is not found.
    let map = a.get("/api/v1/map");
    assert_eq!(map.status, 200);
    assert!(map.json()["points"].as_array().unwrap().is_empty());
    assert_eq!(a.get("/api/v1/map?case=B-1").status, 404);
    // Grants: A's admin cannot grant B's case, nor list its grants.
    assert_eq!(
        a.post("/api/v1/cases/B-1/grants", &json!({"agency": "BE-A"}))
            .status,
        404
    );
    assert_eq!(a.get("/api/v1/cases/B-1/grants").status, 404);

    // B sees its own media, with its GPS point.
    let b = Client::login(&s, "b-analyst");
    assert_eq!(b.get(&format!("/api/v1/media/{hidden}")).status, 200);
    assert_eq!(
        b.get("/api/v1/map").json()["points"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_link_into_an_ungranted_case_is_restricted() {
    let s = start(ServerConfig::default());
    let a = Client::login(&s, "a-analyst");
    let r = a.get(&format!("/api/v1/media/{}", sha(1).to_hex()));
    assert_eq!(r.status, 200);
    let v = r.json();
    let links = v["links"].as_array().unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0]["restricted"], true);
    assert_eq!(links[0]["kind"], "pdq");
    assert_eq!(
        links[0]["other_agency"],
        json!({"code": "NL-B", "country": "NL"})
    );
    let text = r.text();
    assert!(!text.contains(&sha(3).to_hex()));
    assert!(!text.contains("B-1"));
    // The cluster is named by a visible member only.
    assert_eq!(v["cluster"], json!(sha(1).to_hex()));
}

#[test]
fn a_grant_opens_the_case() {
    let s = start(ServerConfig::default());
    let a = Client::login(&s, "a-analyst");
    let b_analyst = Client::login(&s, "b-analyst");
    let r = b_analyst.post("/api/v1/cases/B-1/grants", &json!({"agency": "BE-A"}));
    assert_eq!((r.status, r.code().as_str()), (403, "forbidden"));
    let b = Client::login(&s, "b-admin");
    let r = b.post("/api/v1/cases/B-1/grants", &json!({"agency": "BE-A"}));
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(b.get("/api/v1/cases/B-1/grants").json()["total"], 1);
    let cases = a.get("/api/v1/cases").json();
    assert_eq!(cases["total"], 2);
    assert_eq!(cases["items"][1]["access"], "granted");
    assert_eq!(
        a.get(&format!("/api/v1/media/{}", sha(3).to_hex())).status,
        200
    );
    let v = a.get(&format!("/api/v1/media/{}", sha(1).to_hex())).json();
    assert_eq!(v["links"][0]["restricted"], false);
    assert_eq!(v["links"][0]["other"]["sha256"], json!(sha(3).to_hex()));
    let f = a.get(&format!("/api/v1/media/{}/file", sha(3).to_hex()));
    assert_eq!(f.body, file_bytes(3));
}
