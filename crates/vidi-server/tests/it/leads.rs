//! Leads workflow and dissemination packages over HTTP.

use serde_json::{Value, json};
use vidi_server::ServerConfig;
use vidi_store::accounts::{NewUser, Role};
use vidi_store::{Store, Workspace};

use crate::common::{Client, PASSWORD, Server, sha, start};

/// Add a user to the running server's workspace.
fn add_user(s: &Server, name: &str, agency: &str, role: Role) {
    let ws = Workspace::open(&s._dir.path().join("W")).unwrap();
    let mut store = Store::open(&ws).unwrap();
    let hash = vidi_server::hash_password(PASSWORD).unwrap();
    store
        .add_user(&NewUser {
            username: name,
            password_hash: &hash,
            role,
            agency,
        })
        .unwrap();
}

/// PATCH with the client's session (the shared client has no PATCH).
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
        Err(e) => panic!("transport error: {e}"),
    };
    let status = resp.status();
    (status, resp.into_json().unwrap_or(Value::Null))
}

fn new_lead(media: &[u8]) -> Value {
    json!({
        "subject": "place",
        "target_country": "es",
        "title": "Hotel room",
        "summary": "Same room as in case B-1.",
        "media": media.iter().map(|&n| sha(n).to_hex()).collect::<Vec<_>>(),
        "clues": [],
    })
}

#[test]
fn lead_workflow_with_analyst_and_reviewer_then_package() {
    let s = start(ServerConfig::default());
    add_user(&s, "a-reviewer", "BE-A", Role::Reviewer);
    let analyst = Client::login(&s, "a-analyst");
    let reviewer = Client::login(&s, "a-reviewer");

    // Create (draft), edit, submit.
    let r = analyst.post("/api/v1/leads", &new_lead(&[1, 2]));
    assert_eq!(r.status, 201, "{}", r.text());
    let lead = r.json();
    let id = lead["id"].as_i64().unwrap();
    assert_eq!(lead["state"], "draft");
    assert_eq!(lead["target_country"], "ES");
    assert_eq!(lead["author"]["username"], "a-analyst");
    let (st, v) = patch(
        &analyst,
        &format!("/api/v1/leads/{id}"),
        &json!({"summary": "Tiles match."}),
    );
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["summary"], "Tiles match.");
    // The reviewer may not edit someone else's lead.
    let (st, v) = patch(
        &reviewer,
        &format!("/api/v1/leads/{id}"),
        &json!({"title": "x"}),
    );
    assert_eq!((st, v["error"]["code"].as_str()), (403, Some("forbidden")));
    // Approving a draft is an invalid state.
    let r = reviewer.post(&format!("/api/v1/leads/{id}/approve"), &json!({}));
    assert_eq!((r.status, r.code().as_str()), (409, "invalid_state"));
    let r = analyst.post(&format!("/api/v1/leads/{id}/submit"), &json!({}));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["state"], "submitted");
    // An analyst cannot approve.
    let r = analyst.post(&format!("/api/v1/leads/{id}/approve"), &json!({}));
    assert_eq!((r.status, r.code().as_str()), (403, "forbidden"));

    // Reject (reason required), edit back to draft, resubmit, approve.
    let r = reviewer.post(
        &format!("/api/v1/leads/{id}/reject"),
        &json!({"reason": ""}),
    );
    assert_eq!((r.status, r.code().as_str()), (400, "bad_request"));
    let r = reviewer.post(
        &format!("/api/v1/leads/{id}/reject"),
        &json!({"reason": "Say which tiles."}),
    );
    assert_eq!(r.json()["state"], "rejected");
    let (st, v) = patch(
        &analyst,
        &format!("/api/v1/leads/{id}"),
        &json!({"summary": "Blue tiles, same sign."}),
    );
    assert_eq!((st, v["state"].as_str()), (200, Some("draft")));
    analyst.post(&format!("/api/v1/leads/{id}/submit"), &json!({}));
    let r = reviewer.post(
        &format!("/api/v1/leads/{id}/approve"),
        &json!({"note": "Convincing."}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["state"], "approved");
    assert_eq!(v["reviewer"]["username"], "a-reviewer");

    // Comments and full history.
    let r = reviewer.post(
        &format!("/api/v1/leads/{id}/comments"),
        &json!({"text": "Sending to ES."}),
    );
    assert_eq!(r.status, 201);
    let d = analyst.get(&format!("/api/v1/leads/{id}")).json();
    let steps: Vec<&str> = d["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "create", "edit", "submit", "reject", "edit", "submit", "approve"
        ]
    );
    assert_eq!(d["history"][3]["note"], "Say which tiles.");
    assert_eq!(d["history"][4]["from"], "rejected");
    assert_eq!(d["comments"][0]["text"], "Sending to ES.");
    let list = analyst
        .get("/api/v1/leads?state=approved&country=ES")
        .json();
    assert_eq!(list["total"], 1);

    // An analyst may not build a package; the reviewer does.
    let r = analyst.post("/api/v1/packages", &json!({"country": "ES"}));
    assert_eq!((r.status, r.code().as_str()), (403, "forbidden"));
    let r = reviewer.post("/api/v1/packages", &json!({"country": "FR"}));
    assert_eq!((r.status, r.code().as_str()), (409, "conflict"));
    let r = reviewer.post(
        "/api/v1/packages",
        &json!({"country": "ES", "thumbnails": true}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let pkg = r.json();
    assert_eq!(pkg["version"], 1);
    assert_eq!(pkg["leads"], 1);
    assert_eq!(pkg["file_name"], "vidi-package-ES-v1.tar");
    let pid = pkg["id"].as_i64().unwrap();

    // Download and verify with the workspace's public key.
    let f = reviewer.get(&format!("/api/v1/packages/{pid}/file"));
    assert_eq!(f.status, 200);
    assert_eq!(f.content_type.as_deref(), Some("application/x-tar"));
    let digest: String = {
        use sha2::Digest;
        sha2::Sha256::digest(&f.body)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    assert_eq!(digest, pkg["sha256"].as_str().unwrap());
    let key = reviewer.get("/api/v1/packages/signing-key").json();
    let key = vidi_package::keys::parse_public_key(key["public_key"].as_str().unwrap()).unwrap();
    let opened = vidi_package::open(&f.body, Some(&key)).unwrap();
    let l = &opened.doc.leads[0];
    assert_eq!(l.id, id);
    assert_eq!(l.approved_by.as_ref().unwrap().user, "a-reviewer");
    assert_eq!(l.media.len(), 2);
    assert_eq!(l.media[0].md5.as_deref(), Some(&*"01".repeat(16)));
    assert_eq!(l.history.len(), 7);
    let mut tampered = f.body.clone();
    let mid = tampered.len() / 2;
    tampered[mid] ^= 1;
    assert!(!vidi_package::verify(&tampered, Some(&key)).is_ok());
    let listed = reviewer.get("/api/v1/packages").json();
    assert_eq!(listed["items"][0]["sha256"], pkg["sha256"]);

    // Then the lead is sent.
    let r = reviewer.post(&format!("/api/v1/leads/{id}/disseminate"), &json!({}));
    assert_eq!(r.json()["state"], "disseminated");

    // Everything was audited, and the chain verifies.
    let ws = Workspace::open(&s._dir.path().join("W")).unwrap();
    let store = Store::open(&ws).unwrap();
    let actions: Vec<String> = store
        .list_audit(0, 1000)
        .unwrap()
        .into_iter()
        .map(|a| a.event.action)
        .collect();
    for want in [
        "lead.create",
        "lead.edit",
        "lead.submit",
        "lead.reject",
        "lead.approve",
        "lead.comment",
        "lead.view",
        "package.build",
        "package.download",
        "lead.disseminate",
    ] {
        assert!(
            actions.iter().any(|a| a == want),
            "{want} not audited: {actions:?}"
        );
    }
    assert!(store.verify_audit().unwrap().is_ok());
}

#[test]
fn author_may_not_review_own_lead() {
    let s = start(ServerConfig::default());
    // An admin counts as a reviewer, but not for their own lead.
    let admin = Client::login(&s, "a-admin");
    let id = admin.post("/api/v1/leads", &new_lead(&[1])).json()["id"]
        .as_i64()
        .unwrap();
    admin.post(&format!("/api/v1/leads/{id}/submit"), &json!({}));
    let r = admin.post(&format!("/api/v1/leads/{id}/approve"), &json!({}));
    assert_eq!((r.status, r.code().as_str()), (403, "forbidden"));
    let r = admin.post(
        &format!("/api/v1/leads/{id}/reject"),
        &json!({"reason": "mine"}),
    );
    assert_eq!((r.status, r.code().as_str()), (403, "forbidden"));
    assert_eq!(
        admin.get(&format!("/api/v1/leads/{id}")).json()["state"],
        "submitted"
    );
}

#[test]
fn leads_follow_need_to_know() {
    let s = start(ServerConfig::default());
    let a = Client::login(&s, "a-analyst");
    let b = Client::login(&s, "b-analyst");
    // A cannot attach B's media: answered like a media that does not exist.
    let r = a.post("/api/v1/leads", &new_lead(&[3]));
    let r2 = a.post("/api/v1/leads", &new_lead(&[99]));
    assert_eq!((r.status, r2.status), (400, 400));
    assert_eq!(
        r.json()["error"]["message"]
            .as_str()
            .map(|m| m.starts_with("no media")),
        Some(true)
    );
    let id = a.post("/api/v1/leads", &new_lead(&[1])).json()["id"]
        .as_i64()
        .unwrap();
    // B does not see A's lead on A's ungranted media.
    let r = b.get(&format!("/api/v1/leads/{id}"));
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
    assert_eq!(b.get("/api/v1/leads").json()["total"], 0);
    let r = b.post(
        &format!("/api/v1/leads/{id}/comments"),
        &json!({"text": "x"}),
    );
    assert_eq!(r.status, 404);
    // Bad input.
    let mut bad = new_lead(&[1]);
    bad["subject"] = json!("witness");
    assert_eq!(a.post("/api/v1/leads", &bad).status, 400);
    let mut bad = new_lead(&[1]);
    bad["target_country"] = json!("Spain");
    assert_eq!(a.post("/api/v1/leads", &bad).status, 400);
    assert_eq!(a.get("/api/v1/leads?state=bogus").status, 400);
    assert_eq!(a.get("/api/v1/leads/999").status, 404);
}

#[test]
fn simultaneous_package_builds_conflict_and_receivers_download() {
    let s = start(ServerConfig::default());
    add_user(&s, "a-reviewer", "BE-A", Role::Reviewer);
    {
        let ws = Workspace::open(&s._dir.path().join("W")).unwrap();
        let mut store = Store::open(&ws).unwrap();
        store.add_agency("FR-C", "FR", Some("Agency C")).unwrap();
    }
    add_user(&s, "c-analyst", "FR-C", Role::Analyst);
    let analyst = Client::login(&s, "a-analyst");
    let reviewer = Client::login(&s, "a-reviewer");
    let mut lead = new_lead(&[1, 2]);
    lead["target_country"] = json!("NL");
    let id = analyst.post("/api/v1/leads", &lead).json()["id"]
        .as_i64()
        .unwrap();
    analyst.post(&format!("/api/v1/leads/{id}/submit"), &json!({}));
    let r = reviewer.post(&format!("/api/v1/leads/{id}/approve"), &json!({}));
    assert_eq!(r.json()["state"], "approved", "{}", r.text());

    // Builds for one country at the same moment: one at a time, the others
    // 409 conflict (never 500).
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(6));
    let threads: Vec<_> = (0..6)
        .map(|_| {
            let c = reviewer.clone();
            let b = barrier.clone();
            std::thread::spawn(move || {
                b.wait();
                let r = c.post(
                    "/api/v1/packages",
                    &json!({"country": "NL", "thumbnails": true}),
                );
                (r.status, r.code(), r.json())
            })
        })
        .collect();
    let results: Vec<(u16, String, Value)> =
        threads.into_iter().map(|t| t.join().unwrap()).collect();
    let built: Vec<&Value> = results
        .iter()
        .filter(|r| r.0 == 201)
        .map(|r| &r.2)
        .collect();
    let conflicts = results
        .iter()
        .filter(|r| r.0 == 409 && r.1 == "conflict")
        .count();
    assert_eq!(built.len() + conflicts, 6, "{results:?}");
    assert!(!built.is_empty() && conflicts > 0, "{results:?}");
    let mut versions: Vec<i64> = built
        .iter()
        .map(|p| p["version"].as_i64().unwrap())
        .collect();
    versions.sort_unstable();
    versions.dedup();
    assert_eq!(versions.len(), built.len(), "versions are distinct");
    let msg = results.iter().find(|r| r.0 == 409).unwrap().2["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(msg.contains("NL"), "{msg}");
    let pid = built[0]["id"].as_i64().unwrap();

    // The receiving country's agency (NL-B) sees and downloads it; an
    // agency of another country (FR-C) does not, like an absent package.
    let nl = Client::login(&s, "b-analyst");
    let listed = nl.get("/api/v1/packages").json();
    assert_eq!(listed["total"].as_u64().unwrap() as usize, built.len());
    let f = nl.get(&format!("/api/v1/packages/{pid}/file"));
    assert_eq!(f.status, 200);
    let fr = Client::login(&s, "c-analyst");
    assert_eq!(fr.get("/api/v1/packages").json()["total"], 0);
    let r = fr.get(&format!("/api/v1/packages/{pid}/file"));
    let r2 = fr.get("/api/v1/packages/99999/file");
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
    assert_eq!(r.body, r2.body);
    // The receiver's download is audited under its name.
    let ws = Workspace::open(&s._dir.path().join("W")).unwrap();
    let store = Store::open(&ws).unwrap();
    assert!(
        store
            .list_audit(0, 10_000)
            .unwrap()
            .iter()
            .any(|e| { e.event.action == "package.download" && e.event.user == "b-analyst" })
    );
}
