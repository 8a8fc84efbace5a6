//! Unit tests of the leads workflow (beside `leads.rs`).

use super::*;
use crate::Workspace;

fn sha(n: u8) -> Sha256 {
    Sha256([n; 32])
}

/// A workspace with agencies A (cases 1) and B (case 2); media 1 in case
/// A-1, media 2 in case B-1, each with one clue.
fn setup() -> (tempfile::TempDir, Store, i64, i64) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::init(&dir.path().join("W")).unwrap();
    let store = Store::open(&ws).unwrap();
    let c = &store.conn;
    c.execute_batch(
        "INSERT INTO agencies (id, code, country) VALUES (1, 'A', 'BE'), (2, 'B', 'NL');
         INSERT INTO cases (id, number, agency_id) VALUES (1, 'A-1', 1), (2, 'B-1', 2);",
    )
    .unwrap();
    for (n, case) in [(1u8, 1i64), (2, 2)] {
        let hex = sha(n).to_hex();
        c.execute(
            "INSERT INTO media (sha256, md5, sha1, size, kind, mime, metadata_json, pipeline_version)
             VALUES (?1, ?2, ?3, 10, 'image', 'image/jpeg', '{}', 1)",
            params![hex, "0".repeat(32), "0".repeat(40)],
        )
        .unwrap();
        c.execute(
            "INSERT INTO evidence (case_id, path, size, file_type, agency_id, media_sha256)
             VALUES (?1, ?2, 10, 'regular', ?1, ?3)",
            params![case, format!("/e/{n}.jpg"), hex],
        )
        .unwrap();
        c.execute(
            "INSERT INTO clues (media_sha256, extractor, kind, value, confidence, version, region_json)
             VALUES (?1, 'ocr', 'text', 'Hotel Sol', 0.9, 3, '{\"x\":1,\"y\":2,\"w\":3,\"h\":4}')",
            [hex],
        )
        .unwrap();
    }
    (dir, store, 1, 2)
}

fn analyst() -> Actor {
    Actor {
        user: "ana".into(),
        agency: "A".into(),
        reviewer: false,
        client: Some("10.0.0.1".into()),
    }
}

fn reviewer() -> Actor {
    Actor {
        user: "rev".into(),
        agency: "A".into(),
        reviewer: true,
        client: None,
    }
}

fn new_lead(media: Vec<Sha256>, clues: Vec<i64>) -> NewLead {
    NewLead {
        subject: Subject::Place,
        target_country: "es".into(),
        title: "Hotel room".into(),
        summary: "Same room as series X".into(),
        media,
        clues,
    }
}

const A: Visibility<'static> = Visibility::Cases(&[1]);
const B: Visibility<'static> = Visibility::Cases(&[2]);

#[test]
fn full_workflow_with_history_and_audit() {
    let (_d, mut s, clue_a, _) = setup();
    let lead = s
        .create_lead(&analyst(), &new_lead(vec![sha(1)], vec![clue_a]), A)
        .unwrap();
    assert_eq!(lead.state, LeadState::Draft);
    assert_eq!(lead.target_country, "ES");
    assert_eq!(lead.clues[0].value, "Hotel Sol");
    assert_eq!(lead.clues[0].region.as_ref().unwrap()["w"], 3);
    let id = lead.id;
    let l = s
        .transition_lead(&analyst(), id, LeadAction::Submit, None, A)
        .unwrap();
    assert_eq!(l.state, LeadState::Submitted);
    let l = s
        .transition_lead(&reviewer(), id, LeadAction::Approve, Some("good"), A)
        .unwrap();
    assert_eq!(l.state, LeadState::Approved);
    assert_eq!(l.reviewer.as_ref().unwrap().user, "rev");
    assert_eq!(l.review_note.as_deref(), Some("good"));
    assert_eq!(s.approved_leads("ES", A).unwrap().len(), 1);
    s.comment_lead(&reviewer(), id, "sent soon", A).unwrap();
    let l = s
        .transition_lead(&reviewer(), id, LeadAction::Disseminate, None, A)
        .unwrap();
    assert_eq!(l.state, LeadState::Disseminated);
    let d = s.lead(id, A).unwrap();
    let steps: Vec<_> = d.history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(steps, ["create", "submit", "approve", "disseminate"]);
    assert_eq!(d.history[2].from, Some(LeadState::Submitted));
    assert_eq!(d.history[2].to, LeadState::Approved);
    assert_eq!(d.comments[0].text, "sent soon");
    let audit = s.list_audit(0, 100).unwrap();
    let actions: Vec<_> = audit.iter().map(|a| a.event.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "lead.create",
            "lead.submit",
            "lead.approve",
            "lead.comment",
            "lead.disseminate"
        ]
    );
    assert_eq!(audit[0].event.client.as_deref(), Some("10.0.0.1"));
    assert_eq!(audit[0].event.object, format!("lead:{id}"));
    assert!(s.verify_audit().unwrap().is_ok());
}

#[test]
fn author_may_not_review_and_analyst_may_not_approve() {
    let (_d, mut s, _, _) = setup();
    let mut author = analyst();
    author.reviewer = true;
    let id = s
        .create_lead(&author, &new_lead(vec![sha(1)], vec![]), A)
        .unwrap()
        .id;
    s.transition_lead(&author, id, LeadAction::Submit, None, A)
        .unwrap();
    let err = s
        .transition_lead(&author, id, LeadAction::Approve, None, A)
        .unwrap_err();
    assert!(matches!(err, LeadError::Forbidden { .. }), "{err}");
    let other = Actor {
        user: "bob".into(),
        ..analyst()
    };
    let err = s
        .transition_lead(&other, id, LeadAction::Approve, None, A)
        .unwrap_err();
    assert!(matches!(err, LeadError::Forbidden { .. }));
    // Same user name in another agency is another person.
    let twin = Actor {
        agency: "B".into(),
        reviewer: true,
        ..analyst()
    };
    s.transition_lead(&twin, id, LeadAction::Approve, None, Visibility::All)
        .unwrap();
}

#[test]
fn invalid_states_are_refused() {
    let (_d, mut s, _, _) = setup();
    let id = s
        .create_lead(&analyst(), &new_lead(vec![], vec![]), A)
        .unwrap()
        .id;
    for a in [
        LeadAction::Approve,
        LeadAction::Reject,
        LeadAction::Disseminate,
    ] {
        let err = s
            .transition_lead(&reviewer(), id, a, Some("x"), A)
            .unwrap_err();
        assert!(
            matches!(
                err,
                LeadError::InvalidState {
                    state: LeadState::Draft,
                    ..
                }
            ),
            "{err}"
        );
    }
    s.transition_lead(&analyst(), id, LeadAction::Submit, None, A)
        .unwrap();
    let err = s
        .edit_lead(&analyst(), id, &LeadEdit::default(), A)
        .unwrap_err();
    assert!(matches!(err, LeadError::InvalidState { .. }));
    let err = s
        .transition_lead(&analyst(), id, LeadAction::Submit, None, A)
        .unwrap_err();
    assert!(matches!(err, LeadError::InvalidState { .. }));
}

#[test]
fn rejected_lead_goes_back_to_draft_when_edited() {
    let (_d, mut s, _, _) = setup();
    let id = s
        .create_lead(&analyst(), &new_lead(vec![sha(1)], vec![]), A)
        .unwrap()
        .id;
    s.transition_lead(&analyst(), id, LeadAction::Submit, None, A)
        .unwrap();
    let err = s
        .transition_lead(&reviewer(), id, LeadAction::Reject, Some("  "), A)
        .unwrap_err();
    assert!(matches!(
        err,
        LeadError::Invalid {
            field: "reason",
            ..
        }
    ));
    let l = s
        .transition_lead(&reviewer(), id, LeadAction::Reject, Some("not enough"), A)
        .unwrap();
    assert_eq!(l.state, LeadState::Rejected);
    let err = s
        .edit_lead(&reviewer(), id, &LeadEdit::default(), A)
        .unwrap_err();
    assert!(matches!(err, LeadError::Forbidden { .. }));
    let edit = LeadEdit {
        summary: Some("more detail".into()),
        media: Some(vec![]),
        ..LeadEdit::default()
    };
    let l = s.edit_lead(&analyst(), id, &edit, A).unwrap();
    assert_eq!(l.state, LeadState::Draft);
    assert_eq!(l.summary, "more detail");
    assert!(l.media.is_empty());
    let h = s.lead(id, A).unwrap().history;
    assert_eq!(h.last().unwrap().from, Some(LeadState::Rejected));
    assert_eq!(h.last().unwrap().to, LeadState::Draft);
    assert_eq!(h[2].note.as_deref(), Some("not enough"));
}

#[test]
fn need_to_know_hides_leads_and_refuses_invisible_media() {
    let (_d, mut s, clue_a, clue_b) = setup();
    // A cannot attach B's media or clue: reported as unknown.
    let err = s
        .create_lead(&analyst(), &new_lead(vec![sha(2)], vec![]), A)
        .unwrap_err();
    assert!(matches!(err, LeadError::UnknownMedia { .. }));
    let err = s
        .create_lead(&analyst(), &new_lead(vec![], vec![clue_b]), A)
        .unwrap_err();
    assert!(matches!(err, LeadError::UnknownClue { .. }));
    let err = s
        .create_lead(&analyst(), &new_lead(vec![sha(9)], vec![]), A)
        .unwrap_err();
    assert!(matches!(err, LeadError::UnknownMedia { .. }));
    // Nothing half-written stays behind.
    assert_eq!(
        s.list_leads(&LeadFilter::default(), Visibility::All)
            .unwrap()
            .1,
        0
    );
    let id = s
        .create_lead(&analyst(), &new_lead(vec![sha(1)], vec![clue_a]), A)
        .unwrap()
        .id;
    let open = s
        .create_lead(&analyst(), &new_lead(vec![], vec![]), A)
        .unwrap()
        .id;
    // B sees only the lead without media.
    let err = s.lead(id, B).unwrap_err();
    assert!(matches!(err, LeadError::NotFound { .. }));
    let (list, total) = s.list_leads(&LeadFilter::default(), B).unwrap();
    assert_eq!(total, 1);
    assert_eq!(list[0].id, open);
    let err = s.comment_lead(&reviewer(), id, "x", B).unwrap_err();
    assert!(matches!(err, LeadError::NotFound { .. }));
    // Both see everything with both cases.
    let both = Visibility::Cases(&[1, 2]);
    assert_eq!(s.list_leads(&LeadFilter::default(), both).unwrap().1, 2);
}

#[test]
fn lists_filter_and_page() {
    let (_d, mut s, _, _) = setup();
    for i in 0..5 {
        let mut n = new_lead(vec![], vec![]);
        if i % 2 == 0 {
            n.target_country = "FR".into();
        }
        s.create_lead(&analyst(), &n, A).unwrap();
    }
    let f = LeadFilter {
        country: Some("fr".into()),
        limit: 2,
        ..LeadFilter::default()
    };
    let (page, total) = s.list_leads(&f, A).unwrap();
    assert_eq!((page.len(), total), (2, 3));
    let f2 = LeadFilter {
        after_id: Some(page[1].id),
        ..f.clone()
    };
    assert_eq!(s.list_leads(&f2, A).unwrap().0.len(), 1);
    let f3 = LeadFilter {
        state: Some(LeadState::Approved),
        ..LeadFilter::default()
    };
    assert_eq!(s.list_leads(&f3, A).unwrap().1, 0);
}

#[test]
fn bad_input_is_refused() {
    let (_d, mut s, _, _) = setup();
    for c in ["", "E", "ESP", "1A", "é"] {
        let mut n = new_lead(vec![], vec![]);
        n.target_country = c.into();
        assert!(matches!(
            s.create_lead(&analyst(), &n, A).unwrap_err(),
            LeadError::Invalid { .. }
        ));
    }
    let mut n = new_lead(vec![], vec![]);
    n.title = " ".into();
    assert!(s.create_lead(&analyst(), &n, A).is_err());
    n.title = "x".repeat(MAX_TITLE + 1);
    assert!(s.create_lead(&analyst(), &n, A).is_err());
    let n = new_lead(vec![sha(1); MAX_ITEMS + 1], vec![]);
    assert!(s.create_lead(&analyst(), &n, Visibility::All).is_err());
    assert!(matches!(
        s.lead(999, A).unwrap_err(),
        LeadError::NotFound { id: 999 }
    ));
}

#[test]
fn agency_visibility_follows_ownership_and_grants() {
    let (_d, mut s, _, _) = setup();
    s.conn
        .execute_batch(
            "CREATE TABLE IF NOT EXISTS case_grants (case_id INTEGER NOT NULL,
                 agency_id INTEGER NOT NULL, PRIMARY KEY (case_id, agency_id));",
        )
        .unwrap();
    let id = s
        .create_lead(
            &analyst(),
            &new_lead(vec![sha(1)], vec![]),
            Visibility::Agency("A"),
        )
        .unwrap()
        .id;
    assert!(s.lead(id, Visibility::Agency("B")).is_err());
    assert!(
        s.create_lead(
            &analyst(),
            &new_lead(vec![sha(2)], vec![]),
            Visibility::Agency("A")
        )
        .is_err()
    );
    s.conn
        .execute(
            "INSERT INTO case_grants (case_id, agency_id) VALUES (1, 2)",
            [],
        )
        .unwrap();
    assert_eq!(s.lead(id, Visibility::Agency("B")).unwrap().lead.id, id);
    assert!(s.lead(id, Visibility::Agency("nobody")).is_err());
}
