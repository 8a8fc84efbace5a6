//! Series (list, detail, grid filter, changes, need-to-know) and location
//! hypotheses from `vidi_clues::locate` (media, series, map, grid filter).

use serde_json::{Value, json};
use vidi_server::ServerConfig;
use vidi_store::{ClueRow, Store};
use vidi_types::Sha256;

use crate::common::{Client, sha, start_with};

fn clue(kind: &str, value: &str, confidence: f64) -> ClueRow {
    ClueRow {
        kind: kind.into(),
        value: value.into(),
        confidence,
        extractor: "test".into(),
        version: 1,
        model_name: None,
        model_sha256: None,
        region: None,
        time_range: None,
        detail: Value::Null,
    }
}

/// Series "Shared" holds media 1 (A) and 3 (B); "B only" holds media 4.
/// Media 1 has a GPS place in BE; media 2 only Dutch text (no GPS place:
/// the old roll-up placed it nowhere, locate says NL); media 3 a GPS place
/// in NL.
fn seed(store: &mut Store) {
    let shared = store.create_series("Shared", "seed").unwrap();
    store
        .add_to_series(shared, &[sha(1), sha(3)], "seed")
        .unwrap();
    let b_only = store.create_series("B only", "seed").unwrap();
    store.add_to_series(b_only, &[sha(4)], "seed").unwrap();
    let put = |store: &mut Store, s: Sha256, rows: &[ClueRow]| {
        store.put_clues(&s, "test", "test/1", rows, None).unwrap();
    };
    put(store, sha(1), &[clue("gps_place", "BE", 1.0)]);
    put(store, sha(2), &[clue("text_language", "nl", 0.9)]);
    put(store, sha(3), &[clue("gps_place", "NL", 1.0)]);
}

fn patch(c: &Client, path: &str, body: &Value) -> (u16, Value) {
    let mut r = ureq::request("PATCH", &format!("{}{}", c.base, path));
    if let Some(k) = &c.cookie {
        r = r.set("Cookie", k);
    }
    if let Some(t) = &c.csrf {
        r = r.set("X-CSRF-Token", t);
    }
    let resp = match r.send_json(body.clone()) {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    (resp.status(), resp.into_json().unwrap_or(Value::Null))
}

#[test]
fn series_are_scoped_and_editable_with_audit() {
    let s = start_with(ServerConfig::default(), |st, _, _| seed(st));
    let a = Client::login(&s, "a-analyst");
    let b = Client::login(&s, "b-analyst");

    // A sees "Shared" with its own media only; not "B only".
    let list = a.get("/api/v1/series").json();
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Shared"]);
    assert_eq!(list["items"][0]["media"], 1);
    assert_eq!(list["items"][0]["agencies"], 1);
    let id = list["items"][0]["id"].as_i64().unwrap();
    let d = a.get(&format!("/api/v1/series/{id}")).json();
    assert_eq!(d["name"], "Shared");
    assert_eq!(d["members"].as_array().unwrap().len(), 1);
    assert_eq!(d["members"][0]["sha256"], sha(1).to_hex());
    assert_eq!(d["case_numbers"], json!(["A-1"]));
    assert_eq!(d["agency_list"][0]["code"], "BE-A");
    let text = d.to_string();
    assert!(!text.contains(&sha(3).to_hex()) && !text.contains("B-1") && !text.contains("NL-B"));
    // Its hypotheses pool the visible media's clues only (BE, not NL).
    assert_eq!(d["hypotheses"][0]["country"], "BE");
    assert_eq!(d["hypotheses"][0]["evidence"][0]["media"], sha(1).to_hex());
    assert_eq!(d["hypotheses"].as_array().unwrap().len(), 1);
    // By name too.
    assert_eq!(a.get("/api/v1/series/Shared").json()["id"], id);

    // B's own series: to A exactly like a series that does not exist.
    let b_list = b.get("/api/v1/series").json();
    let b_only = b_list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "B only")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let hidden = a.get(&format!("/api/v1/series/{b_only}"));
    let absent = a.get("/api/v1/series/9999");
    assert_eq!((hidden.status, hidden.code().as_str()), (404, "not_found"));
    assert_eq!(hidden.body, absent.body);
    let r = a.post(
        &format!("/api/v1/series/{b_only}/media"),
        &json!({"media": [sha(1).to_hex()]}),
    );
    assert_eq!(
        r.body,
        a.post(
            "/api/v1/series/9999/media",
            &json!({"media": [sha(1).to_hex()]})
        )
        .body
    );
    assert_eq!(r.status, 404);

    // The grid filters by series (id or name), within the visible case.
    let page = a
        .get(&format!("/api/v1/cases/A-1/media?series={id}"))
        .json();
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["series"], json!(["Shared"]));
    let page = a.get("/api/v1/cases/A-1/media?series=Shared").json();
    assert_eq!(page["total"], 1);
    let page = a
        .get(&format!("/api/v1/cases/A-1/media?series={b_only}"))
        .json();
    assert_eq!(page["total"], 0);

    // Changes by an analyst.
    let r = a.post("/api/v1/series", &json!({"name": "Garden"}));
    assert_eq!(r.status, 201, "{}", r.text());
    let garden = r.json()["id"].as_i64().unwrap();
    let r = a.post("/api/v1/series", &json!({"name": "Garden"}));
    assert_eq!((r.status, r.code().as_str()), (409, "conflict"));
    let r = a.post("/api/v1/series", &json!({"name": "  "}));
    assert_eq!((r.status, r.code().as_str()), (400, "bad_request"));
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("name")
    );
    let r = a.post(
        &format!("/api/v1/series/{garden}/media"),
        &json!({"media": [sha(2).to_hex()]}),
    );
    assert_eq!(r.json()["added"], 1, "{}", r.text());
    // A hidden media cannot be added (not found, like an absent one).
    let r = a.post(
        &format!("/api/v1/series/{garden}/media"),
        &json!({"media": [sha(3).to_hex()]}),
    );
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
    let r = a.post(
        &format!("/api/v1/series/{garden}/media"),
        &json!({"media": ["nothex"]}),
    );
    assert_eq!((r.status, r.code().as_str()), (400, "bad_request"));
    let (st, v) = patch(
        &a,
        &format!("/api/v1/series/{garden}"),
        &json!({"name": "Garden scenes"}),
    );
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["name"], "Garden scenes");
    let r = a.post(
        &format!("/api/v1/series/{garden}/split"),
        &json!({"name": "Garden 2", "media": [sha(2).to_hex()]}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let g2 = r.json()["id"].as_i64().unwrap();
    let r = a.post(
        &format!("/api/v1/series/{g2}/merge"),
        &json!({"into": garden}),
    );
    assert_eq!(r.json()["joined"], 1, "{}", r.text());
    // A merged series' id now names the series it went into.
    let r = a.post(
        &format!("/api/v1/series/{g2}/merge"),
        &json!({"into": garden}),
    );
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "bad_request"),
        "{}",
        r.text()
    );
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("itself")
    );
    let r = a.post(
        &format!("/api/v1/series/{garden}/media/remove"),
        &json!({"media": [sha(2).to_hex()]}),
    );
    assert_eq!(r.json()["removed"], 1, "{}", r.text());
    let r = a.post(
        &format!("/api/v1/series/{garden}/media/remove"),
        &json!({"media": [sha(2).to_hex()]}),
    );
    assert_eq!((r.status, r.code().as_str()), (400, "bad_request"));
    let d = a.get(&format!("/api/v1/series/{garden}")).json();
    let actions: Vec<&str> = d["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"rename") && actions.contains(&"merge-in"),
        "{actions:?}"
    );

    // Every change audited.
    let admin = Client::login(&s, "a-admin");
    let audit = admin.get("/api/v1/audit?limit=1000").json().to_string();
    for action in [
        "series.create",
        "series.add",
        "series.rename",
        "series.split",
        "series.merge",
        "series.remove",
        "series.view",
    ] {
        assert!(audit.contains(action), "{action} not audited");
    }
}

#[test]
fn hypotheses_map_and_country_filter_come_from_locate() {
    let s = start_with(ServerConfig::default(), |st, _, _| seed(st));
    let a = Client::login(&s, "a-analyst");
    // Media 2 has only Dutch text: locate ranks NL first, with evidence and
    // weights, exactly as vidi_clues::locate does.
    let m = a.get(&format!("/api/v1/media/{}", sha(2).to_hex())).json();
    let expected = vidi_clues::locate(
        &[vidi_pipeline::clues::clue_from_row(&clue("text_language", "nl", 0.9)).unwrap()],
        &vidi_clues::Weights::default(),
        10,
    );
    assert_eq!(m["hypotheses"], serde_json::to_value(&expected).unwrap());
    assert_eq!(m["hypotheses"][0]["country"], "NL");
    assert_eq!(m["hypotheses"][0]["evidence"][0]["kind"], "text_language");
    assert!(
        m["hypotheses"][0]["evidence"][0]["weight"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    assert_eq!(m["country"], "NL");
    let m1 = a.get(&format!("/api/v1/media/{}", sha(1).to_hex())).json();
    assert_eq!(m1["hypotheses"][0]["country"], "BE");
    assert_eq!(m1["hypotheses"][0]["score"], 1.0);

    // The grid's country filter and item countries use the same ranking.
    let page = a.get("/api/v1/cases/A-1/media?country=NL").json();
    assert_eq!(page["total"], 1, "{page}");
    assert_eq!(page["items"][0]["sha256"], sha(2).to_hex());
    assert_eq!(page["items"][0]["country"], "NL");
    let page = a.get("/api/v1/cases/A-1/media?country=be").json();
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["sha256"], sha(1).to_hex());
    let page = a.get("/api/v1/cases/A-1/media?country=FR").json();
    assert_eq!(page["total"], 0);
    // B's media 3 (placed in NL) is not counted for A.
    let map = a.get("/api/v1/map").json();
    assert_eq!(
        map["countries"],
        json!([{"country": "BE", "media": 1}, {"country": "NL", "media": 1}])
    );
    let r = a.get("/api/v1/cases/B-1/media?country=NL");
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
    let map_b = Client::login(&s, "b-analyst").get("/api/v1/map").json();
    assert_eq!(map_b["countries"], json!([{"country": "NL", "media": 1}]));
}
