//! The append-only, hash-chained audit log.
//!
//! Every view of media, every change and every export is one [`AuditEvent`]
//! appended with [`Store::append_audit`]. Rows are numbered `seq` = 1, 2, 3,
//! ... without gaps, and each row stores
//!
//! ```text
//! hash = SHA-256( prev_hash (32 bytes) || canonical(row) )
//! ```
//!
//! where `prev_hash` is the previous row's `hash` (32 zero bytes for row 1)
//! and `canonical(row)` is the domain tag `vidi-audit/1\n` followed by the
//! fields `seq` (decimal), `at`, `user`, `agency`, `action`, `object`,
//! `client`, `detail`, each as an 8-byte big-endian length and its UTF-8
//! bytes (an absent optional field is the length `u64::MAX` with no bytes).
//! The time `at` is taken by SQLite inside the appending transaction.
//!
//! SQLite triggers refuse `UPDATE` and `DELETE` on the table; appenders are
//! serialised by an immediate (write-locked) transaction. The last `seq` and
//! hash are also kept in the `meta` table (`audit_head`) so that removing
//! the newest events is detected too.
//!
//! [`Store::verify_audit`] recomputes the chain and names the first bad
//! event: edited (hash mismatch), deleted, inserted or reordered (sequence
//! gap or chain link broken), even when someone with the file dropped the
//! triggers first. A plain hash chain has no secret: someone who rewrites
//! the whole chain from some event on *and* the head record is caught only
//! by comparing with a head recorded elsewhere ([`AuditHead`], printed by
//! `vidi audit verify`; see [`Store::verify_audit_against`]).

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;
use sha2::{Digest, Sha256 as Sha256Hasher};

use super::Store;
use crate::StoreError;

/// One thing a user did, as given by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    /// User name (or `system` / a CLI user name).
    pub user: String,
    /// The user's agency code.
    pub agency: String,
    /// What was done, a stable dotted name (`media.view`, `lead.approve`,
    /// `package.download`).
    pub action: String,
    /// The object acted on (`media:<sha256>`, `lead:12`, `package:3`).
    pub object: String,
    /// The client address, when the action came over the network.
    pub client: Option<String>,
    /// Optional details (free text or compact JSON).
    pub detail: Option<String>,
}

impl AuditEvent {
    /// An event without client address or detail.
    pub fn new(
        user: impl Into<String>,
        agency: impl Into<String>,
        action: impl Into<String>,
        object: impl Into<String>,
    ) -> Self {
        AuditEvent {
            user: user.into(),
            agency: agency.into(),
            action: action.into(),
            object: object.into(),
            client: None,
            detail: None,
        }
    }

    /// The same event with a client address.
    pub fn with_client(mut self, client: Option<String>) -> Self {
        self.client = client;
        self
    }

    /// The same event with a detail.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// One stored audit row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// Position in the log, from 1.
    pub seq: i64,
    /// When it was appended (UTC, `2026-11-30T06:10:14.123Z`).
    pub at: String,
    /// The event.
    #[serde(flatten)]
    pub event: AuditEvent,
    /// The previous row's hash (hex).
    pub prev_hash: String,
    /// This row's chain hash (hex).
    pub hash: String,
}

/// The newest event of the log: record it elsewhere to detect a rewrite
/// of the whole chain later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditHead {
    /// The newest event's `seq`.
    pub seq: i64,
    /// Its chain hash (hex).
    pub hash: String,
}

/// What is wrong with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditProblemKind {
    /// The row's content does not match its hash: it was edited.
    Edited,
    /// The row does not follow the previous one (`prev_hash` differs):
    /// an event before it was deleted, inserted or moved.
    ChainBroken,
    /// `seq` is not the expected next number: events deleted or inserted.
    SequenceGap,
    /// A column holds a value of the wrong type (edited through raw SQL).
    Unreadable,
    /// The log ends before (or differs from) the recorded head: the newest
    /// events were deleted or the chain was rewritten.
    HeadMismatch,
}

/// The first bad event found by [`Store::verify_audit`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditProblem {
    /// The `seq` of the first bad event (for a missing tail: the first
    /// missing `seq`).
    pub seq: i64,
    /// What is wrong.
    pub kind: AuditProblemKind,
}

impl std::fmt::Display for AuditProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.kind {
            AuditProblemKind::Edited => "was edited (its content does not match its hash)",
            AuditProblemKind::ChainBroken => {
                "does not follow the previous event (an event was deleted, inserted or moved)"
            }
            AuditProblemKind::SequenceGap => "is out of sequence (events were deleted or inserted)",
            AuditProblemKind::Unreadable => "holds a value of the wrong type (edited)",
            AuditProblemKind::HeadMismatch => {
                "is missing or differs from the recorded head (newest events deleted or chain rewritten)"
            }
        };
        write!(f, "audit event {} {what}", self.seq)
    }
}

/// The result of [`Store::verify_audit`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// Number of events read.
    pub events: u64,
    /// The newest event read, if any.
    pub head: Option<AuditHead>,
    /// Whether both append-only triggers are in place.
    pub triggers_intact: bool,
    /// The first bad event, `None` when the chain is intact.
    pub problem: Option<AuditProblem>,
}

impl AuditReport {
    /// True when the chain is intact and the triggers are in place.
    pub fn is_ok(&self) -> bool {
        self.problem.is_none() && self.triggers_intact
    }
}

const GENESIS: [u8; 32] = [0; 32];
const DOMAIN: &[u8] = b"vidi-audit/1\n";
const HEAD_KEY: &str = "audit_head";

fn put_field(h: &mut Sha256Hasher, v: Option<&str>) {
    match v {
        Some(s) => {
            h.update((s.len() as u64).to_be_bytes());
            h.update(s.as_bytes());
        }
        None => h.update(u64::MAX.to_be_bytes()),
    }
}

/// The chain hash of one row (see the module documentation).
pub fn chain_hash(prev: &[u8; 32], seq: i64, at: &str, e: &AuditEvent) -> [u8; 32] {
    let mut h = Sha256Hasher::new();
    h.update(prev);
    h.update(DOMAIN);
    put_field(&mut h, Some(&seq.to_string()));
    put_field(&mut h, Some(at));
    put_field(&mut h, Some(&e.user));
    put_field(&mut h, Some(&e.agency));
    put_field(&mut h, Some(&e.action));
    put_field(&mut h, Some(&e.object));
    put_field(&mut h, e.client.as_deref());
    put_field(&mut h, e.detail.as_deref());
    h.finalize().into()
}

fn to_hex(b: &[u8; 32]) -> String {
    vidi_types::Sha256(*b).to_hex()
}

fn from_hex(s: &str) -> Option<[u8; 32]> {
    vidi_types::Sha256::from_hex(s).ok().map(|d| d.0)
}

/// Append one event inside an open (write) transaction; returns its `seq`.
pub(crate) fn append_in(conn: &Connection, e: &AuditEvent) -> Result<i64, StoreError> {
    let last: Option<(i64, String)> = conn
        .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev) = match last {
        None => (1, GENESIS),
        Some((seq, hash)) => {
            let prev = from_hex(&hash).ok_or_else(|| StoreError::Corrupt {
                column: "audit_log.hash",
                value: crate::error::clip(&hash),
            })?;
            let next = seq.checked_add(1).ok_or(StoreError::OutOfRange {
                what: "audit sequence",
            })?;
            (next, prev)
        }
    };
    let at: String = conn.query_row("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')", [], |r| {
        r.get(0)
    })?;
    let hash = to_hex(&chain_hash(&prev, seq, &at, e));
    conn.prepare_cached(
        "INSERT INTO audit_log (seq, at, user, agency, action, object, client, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        seq,
        at,
        e.user,
        e.agency,
        e.action,
        e.object,
        e.client,
        e.detail,
        to_hex(&prev),
        hash
    ])?;
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![HEAD_KEY, format!("{seq}:{hash}")])?;
    tracing::debug!(seq, action = %e.action, object = %e.object, "audit event");
    Ok(seq)
}

fn text(v: Value) -> Option<String> {
    match v {
        Value::Text(s) => Some(s),
        _ => None,
    }
}

fn opt_text(v: Value) -> Option<Option<String>> {
    match v {
        Value::Null => Some(None),
        Value::Text(s) => Some(Some(s)),
        _ => None,
    }
}

struct RawRow {
    seq: Value,
    at: Value,
    user: Value,
    agency: Value,
    action: Value,
    object: Value,
    client: Value,
    detail: Value,
    prev_hash: Value,
    hash: Value,
}

fn decode(r: RawRow) -> Option<AuditRecord> {
    let seq = match r.seq {
        Value::Integer(i) => i,
        _ => return None,
    };
    Some(AuditRecord {
        seq,
        at: text(r.at)?,
        event: AuditEvent {
            user: text(r.user)?,
            agency: text(r.agency)?,
            action: text(r.action)?,
            object: text(r.object)?,
            client: opt_text(r.client)?,
            detail: opt_text(r.detail)?,
        },
        prev_hash: text(r.prev_hash)?,
        hash: text(r.hash)?,
    })
}

const SELECT_ROWS: &str =
    "SELECT seq, at, user, agency, action, object, client, detail, prev_hash, hash
     FROM audit_log";

fn raw_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok(RawRow {
        seq: r.get(0)?,
        at: r.get(1)?,
        user: r.get(2)?,
        agency: r.get(3)?,
        action: r.get(4)?,
        object: r.get(5)?,
        client: r.get(6)?,
        detail: r.get(7)?,
        prev_hash: r.get(8)?,
        hash: r.get(9)?,
    })
}

impl Store {
    /// Append one audit event; returns its `seq`. Appenders (threads or
    /// processes) are serialised by a write-locked transaction. When the
    /// connection is already inside a transaction, the event joins it.
    pub fn append_audit(&self, e: &AuditEvent) -> Result<i64, StoreError> {
        if !self.conn.is_autocommit() {
            return append_in(&self.conn, e);
        }
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        let seq = append_in(&tx, e)?;
        tx.commit()?;
        Ok(seq)
    }

    /// Audit events, oldest first, with `seq > after`, at most `limit`.
    /// Rows that do not decode (tampered types) are skipped; use
    /// [`Store::verify_audit`] to check the log.
    pub fn list_audit(&self, after: i64, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(&format!(
            "{SELECT_ROWS} WHERE seq > ?1 ORDER BY seq LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![after, limit], raw_row)?;
        let mut out = Vec::new();
        for row in rows {
            if let Some(rec) = decode(row?) {
                out.push(rec);
            }
        }
        Ok(out)
    }

    /// Number of audit events stored.
    pub fn audit_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Recompute the whole chain; see the module documentation.
    pub fn verify_audit(&self) -> Result<AuditReport, StoreError> {
        // One read transaction: a consistent snapshot while others append.
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Deferred)?;
        let report = verify_in(&tx)?;
        tx.commit()?;
        if let Some(p) = &report.problem {
            tracing::warn!(seq = p.seq, kind = ?p.kind, "audit log broken");
        }
        Ok(report)
    }

    /// [`Store::verify_audit`], and also check that the event `anchor.seq`
    /// still has the hash recorded elsewhere (catches a rewrite of the
    /// chain together with its head record).
    pub fn verify_audit_against(&self, anchor: &AuditHead) -> Result<AuditReport, StoreError> {
        let mut report = self.verify_audit()?;
        let stored: Option<Value> = self
            .conn
            .query_row(
                "SELECT hash FROM audit_log WHERE seq = ?1",
                [anchor.seq],
                |r| r.get(0),
            )
            .optional()?;
        let matches = matches!(stored, Some(Value::Text(ref h)) if *h == anchor.hash);
        if !matches {
            let earlier = report.problem.as_ref().is_some_and(|p| p.seq <= anchor.seq);
            if !earlier {
                report.problem = Some(AuditProblem {
                    seq: anchor.seq,
                    kind: AuditProblemKind::HeadMismatch,
                });
            }
        }
        Ok(report)
    }
}

fn verify_in(conn: &Connection) -> Result<AuditReport, StoreError> {
    let triggers: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'
         AND name IN ('audit_log_no_update', 'audit_log_no_delete')",
        [],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(&format!("{SELECT_ROWS} ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS;
    let mut expected: i64 = 1;
    let mut events = 0u64;
    let mut head = None;
    let mut problem = None;
    while let Some(r) = rows.next()? {
        events += 1;
        let raw = raw_row(r)?;
        let Some(rec) = decode(raw) else {
            problem = Some(AuditProblem {
                seq: expected,
                kind: AuditProblemKind::Unreadable,
            });
            break;
        };
        let bad = |kind| Some(AuditProblem { seq: rec.seq, kind });
        if rec.seq != expected {
            problem = Some(AuditProblem {
                seq: expected.min(rec.seq),
                kind: AuditProblemKind::SequenceGap,
            });
            break;
        }
        if from_hex(&rec.prev_hash) != Some(prev) {
            problem = bad(AuditProblemKind::ChainBroken);
            break;
        }
        let hash = chain_hash(&prev, rec.seq, &rec.at, &rec.event);
        if from_hex(&rec.hash) != Some(hash) {
            problem = bad(AuditProblemKind::Edited);
            break;
        }
        prev = hash;
        head = Some(AuditHead {
            seq: rec.seq,
            hash: rec.hash,
        });
        expected += 1;
    }
    drop(rows);
    if problem.is_none() {
        let recorded: Option<Value> = conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [HEAD_KEY], |r| {
                r.get(0)
            })
            .optional()?;
        let want = head.as_ref().map(|h| format!("{}:{}", h.seq, h.hash));
        let ok = match (&recorded, &want) {
            (None, None) => true,
            (Some(Value::Text(r)), Some(w)) => r == w,
            _ => false,
        };
        if !ok {
            problem = Some(AuditProblem {
                seq: expected,
                kind: AuditProblemKind::HeadMismatch,
            });
        }
    }
    Ok(AuditReport {
        events,
        head,
        triggers_intact: triggers == 2,
        problem,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Workspace;

    fn setup(n: usize) -> (tempfile::TempDir, Workspace, Store) {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(&dir.path().join("W")).unwrap();
        let store = Store::open(&ws).unwrap();
        for i in 0..n {
            let e = AuditEvent::new(
                format!("user{i}"),
                "BE-FCCU",
                "media.view",
                format!("media:{i}"),
            )
            .with_client(Some("127.0.0.1".into()));
            assert_eq!(store.append_audit(&e).unwrap(), i as i64 + 1);
        }
        (dir, ws, store)
    }

    /// A second, raw connection to the same database file, as someone with
    /// the file would use (triggers dropped first).
    fn raw(ws: &Workspace) -> Connection {
        let c = Connection::open(ws.db_path()).unwrap();
        c.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
            .unwrap();
        c
    }

    fn problem(store: &Store) -> AuditProblem {
        let r = store.verify_audit().unwrap();
        assert!(!r.is_ok());
        r.problem.expect("a problem")
    }

    #[test]
    fn intact_chain_verifies() {
        let (_d, _ws, store) = setup(5);
        let r = store.verify_audit().unwrap();
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(r.events, 5);
        assert_eq!(r.head.as_ref().unwrap().seq, 5);
        let list = store.list_audit(0, 100).unwrap();
        assert_eq!(list.len(), 5);
        assert_eq!(list[0].prev_hash, "0".repeat(64));
        assert_eq!(list[1].prev_hash, list[0].hash);
        assert_eq!(list[4].event.client.as_deref(), Some("127.0.0.1"));
        assert_eq!(store.list_audit(3, 1).unwrap()[0].seq, 4);
        assert_eq!(store.audit_count().unwrap(), 5);
    }

    #[test]
    fn empty_log_verifies() {
        let (_d, _ws, store) = setup(0);
        let r = store.verify_audit().unwrap();
        assert!(r.is_ok());
        assert_eq!(r.events, 0);
        assert!(r.head.is_none());
    }

    #[test]
    fn triggers_refuse_update_and_delete() {
        let (_d, ws, store) = setup(2);
        let c = Connection::open(ws.db_path()).unwrap();
        assert!(
            c.execute("UPDATE audit_log SET user = 'x' WHERE seq = 1", [])
                .is_err()
        );
        assert!(
            c.execute("DELETE FROM audit_log WHERE seq = 2", [])
                .is_err()
        );
        assert!(store.verify_audit().unwrap().is_ok());
    }

    #[test]
    fn dropped_triggers_are_reported() {
        let (_d, ws, store) = setup(2);
        let _c = raw(&ws);
        let r = store.verify_audit().unwrap();
        assert!(!r.triggers_intact);
        assert!(r.problem.is_none());
        assert!(!r.is_ok());
    }

    #[test]
    fn every_edited_column_is_detected() {
        for col in [
            "at", "user", "agency", "action", "object", "client", "detail",
        ] {
            let (_d, ws, store) = setup(5);
            raw(&ws)
                .execute(
                    &format!("UPDATE audit_log SET {col} = 'forged' WHERE seq = 3"),
                    [],
                )
                .unwrap();
            let p = problem(&store);
            assert_eq!(
                p,
                AuditProblem {
                    seq: 3,
                    kind: AuditProblemKind::Edited
                },
                "{col}"
            );
        }
    }

    #[test]
    fn nulled_client_is_detected() {
        let (_d, ws, store) = setup(4);
        raw(&ws)
            .execute("UPDATE audit_log SET client = NULL WHERE seq = 2", [])
            .unwrap();
        assert_eq!(problem(&store).seq, 2);
    }

    #[test]
    fn wrong_type_is_detected() {
        let (_d, ws, store) = setup(4);
        raw(&ws)
            .execute("UPDATE audit_log SET user = x'00ff' WHERE seq = 2", [])
            .unwrap();
        let p = problem(&store);
        assert_eq!(
            p,
            AuditProblem {
                seq: 2,
                kind: AuditProblemKind::Unreadable
            }
        );
    }

    #[test]
    fn edited_hash_is_detected() {
        let (_d, ws, store) = setup(4);
        raw(&ws)
            .execute("UPDATE audit_log SET hash = prev_hash WHERE seq = 4", [])
            .unwrap();
        assert_eq!(problem(&store).seq, 4);
    }

    #[test]
    fn deleted_event_in_the_middle_is_detected() {
        let (_d, ws, store) = setup(5);
        raw(&ws)
            .execute("DELETE FROM audit_log WHERE seq = 2", [])
            .unwrap();
        let p = problem(&store);
        assert_eq!(
            p,
            AuditProblem {
                seq: 2,
                kind: AuditProblemKind::SequenceGap
            }
        );
    }

    #[test]
    fn deleted_and_renumbered_is_detected() {
        let (_d, ws, store) = setup(5);
        let c = raw(&ws);
        c.execute("DELETE FROM audit_log WHERE seq = 2", [])
            .unwrap();
        c.execute("UPDATE audit_log SET seq = seq - 1 WHERE seq > 2", [])
            .unwrap();
        let p = problem(&store);
        assert_eq!(p.seq, 2);
        assert_eq!(p.kind, AuditProblemKind::ChainBroken);
    }

    #[test]
    fn deleted_newest_event_is_detected() {
        let (_d, ws, store) = setup(5);
        raw(&ws)
            .execute("DELETE FROM audit_log WHERE seq = 5", [])
            .unwrap();
        let p = problem(&store);
        assert_eq!(
            p,
            AuditProblem {
                seq: 5,
                kind: AuditProblemKind::HeadMismatch
            }
        );
    }

    #[test]
    fn deleted_everything_is_detected() {
        let (_d, ws, store) = setup(3);
        raw(&ws).execute("DELETE FROM audit_log", []).unwrap();
        assert_eq!(problem(&store).kind, AuditProblemKind::HeadMismatch);
    }

    #[test]
    fn inserted_event_is_detected() {
        let (_d, ws, store) = setup(5);
        let c = raw(&ws);
        c.execute_batch(
            "UPDATE audit_log SET seq = seq + 100 WHERE seq >= 3;
             UPDATE audit_log SET seq = seq - 99 WHERE seq >= 100;",
        )
        .unwrap();
        // A forged row with a correct-looking hash over its own content.
        let prev: String = c
            .query_row("SELECT hash FROM audit_log WHERE seq = 2", [], |r| r.get(0))
            .unwrap();
        let e = AuditEvent::new("mallory", "XX", "media.view", "media:x");
        let at = "2026-01-01T00:00:00.000Z";
        let h = chain_hash(&from_hex(&prev).unwrap(), 3, at, &e);
        c.execute(
            "INSERT INTO audit_log (seq, at, user, agency, action, object, prev_hash, hash)
             VALUES (3, ?1, 'mallory', 'XX', 'media.view', 'media:x', ?2, ?3)",
            params![at, prev, to_hex(&h)],
        )
        .unwrap();
        let p = problem(&store);
        assert_eq!(
            p,
            AuditProblem {
                seq: 4,
                kind: AuditProblemKind::ChainBroken
            }
        );
    }

    #[test]
    fn appended_forgery_without_head_is_detected() {
        let (_d, ws, store) = setup(3);
        let c = raw(&ws);
        c.execute(
            "INSERT INTO audit_log (seq, at, user, agency, action, object, prev_hash, hash)
             SELECT 4, at, user, agency, action, object, hash, hash FROM audit_log WHERE seq = 3",
            [],
        )
        .unwrap();
        assert_eq!(problem(&store).seq, 4);
    }

    #[test]
    fn reordered_events_are_detected() {
        let (_d, ws, store) = setup(5);
        let c = raw(&ws);
        c.execute_batch(
            "UPDATE audit_log SET seq = -1 WHERE seq = 2;
             UPDATE audit_log SET seq = 2 WHERE seq = 3;
             UPDATE audit_log SET seq = 3 WHERE seq = -1;",
        )
        .unwrap();
        let p = problem(&store);
        assert_eq!(p.seq, 2);
        assert_eq!(p.kind, AuditProblemKind::ChainBroken);
    }

    #[test]
    fn swapped_contents_are_detected() {
        let (_d, ws, store) = setup(5);
        let c = raw(&ws);
        c.execute_batch(
            "UPDATE audit_log SET user = (SELECT user FROM audit_log WHERE seq = 4) WHERE seq = 3;",
        )
        .unwrap();
        assert_eq!(problem(&store).seq, 3);
    }

    #[test]
    fn rewritten_chain_is_caught_by_an_external_anchor() {
        let (_d, ws, store) = setup(4);
        let anchor = store.verify_audit().unwrap().head.unwrap();
        // Rewrite event 2 and re-hash everything from there, head included.
        let c = raw(&ws);
        c.execute("UPDATE audit_log SET user = 'forged' WHERE seq = 2", [])
            .unwrap();
        let rows = store.list_audit(0, 10).unwrap();
        let mut prev = GENESIS;
        for r in rows {
            let h = chain_hash(&prev, r.seq, &r.at, &r.event);
            c.execute(
                "UPDATE audit_log SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
                params![to_hex(&prev), to_hex(&h), r.seq],
            )
            .unwrap();
            c.execute(
                "UPDATE meta SET value = ?1 WHERE key = 'audit_head'",
                [format!("{}:{}", r.seq, to_hex(&h))],
            )
            .unwrap();
            prev = h;
        }
        assert!(store.verify_audit().unwrap().problem.is_none());
        let r = store.verify_audit_against(&anchor).unwrap();
        assert_eq!(r.problem.unwrap().kind, AuditProblemKind::HeadMismatch);
    }

    #[test]
    fn concurrent_appenders_keep_one_chain() {
        let (_d, ws, store) = setup(0);
        std::thread::scope(|s| {
            for t in 0..4 {
                let ws = &ws;
                s.spawn(move || {
                    let st = Store::open(ws).unwrap();
                    for i in 0..25 {
                        st.append_audit(&AuditEvent::new(
                            format!("t{t}"),
                            "A",
                            "x",
                            format!("{i}"),
                        ))
                        .unwrap();
                    }
                });
            }
        });
        let r = store.verify_audit().unwrap();
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(r.events, 100);
    }

    #[test]
    fn appends_join_an_open_transaction() {
        let (_d, _ws, store) = setup(1);
        store.conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        store
            .append_audit(&AuditEvent::new("u", "A", "x", "y"))
            .unwrap();
        store.conn.execute_batch("ROLLBACK").unwrap();
        assert_eq!(store.audit_count().unwrap(), 1);
        assert!(store.verify_audit().unwrap().is_ok());
    }
}
