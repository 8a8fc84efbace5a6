//! Leads (potential identifications): draft, review, dissemination.
//!
//! A lead names a subject (victim, offender or place), the country it is
//! for, a title and summary, and the media (by SHA-256) and clues behind it.
//! Workflow:
//!
//! ```text
//! draft --submit--> submitted --approve--> approved --disseminate--> disseminated
//!   ^                   |
//!   |                reject
//!   +---edit--- rejected <+
//! ```
//!
//! Only the author edits (while draft or rejected; a rejected lead goes
//! back to draft) and submits; a reviewer ([`Actor::reviewer`]) who is not
//! the author approves or rejects; a reviewer disseminates. Every change
//! is a history row and an audit event, written in the same transaction.
//!
//! **Need-to-know rule**: a lead is visible to a caller only when *every*
//! one of its supporting media is in a case the caller may see
//! ([`Visibility`]); otherwise it is reported exactly as a lead that does
//! not exist. A lead without media is visible to everyone. Attaching a
//! media or a clue (of a media) the author cannot see is refused as if it
//! did not exist. Clues are copied into the lead when attached: reruns of
//! extractors replace clue rows, the lead keeps what its author saw.

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use vidi_types::Sha256;

use super::Store;
use super::audit::{AuditEvent, append_in};
use crate::StoreError;
use crate::error::clip;

#[path = "lead_types.rs"]
mod types;
pub use types::{
    Comment, HistoryEntry, Lead, LeadAction, LeadClue, LeadDetail, LeadEdit, LeadError, LeadFilter,
    LeadState, NewLead, Person, Subject,
};

#[path = "lead_packages.rs"]
mod packages;
pub use packages::{NewPackageRecord, PackageRecord};

/// Most supporting media or clues per lead.
pub const MAX_ITEMS: usize = 1000;
/// Longest title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest summary, comment or note, in characters.
pub const MAX_TEXT: usize = 20_000;

pub(crate) fn corrupt(column: &'static str, v: &str) -> StoreError {
    StoreError::Corrupt {
        column,
        value: clip(v),
    }
}

/// The user acting, as the server (or CLI) authenticated it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// User name.
    pub user: String,
    /// Agency code.
    pub agency: String,
    /// Whether the user has the reviewer role.
    pub reviewer: bool,
    /// Client address, for the audit log.
    pub client: Option<String>,
}

impl Actor {
    fn event(&self, action: &str, object: String) -> AuditEvent {
        AuditEvent::new(&self.user, &self.agency, action, object).with_client(self.client.clone())
    }
    fn is(&self, p: &Person) -> bool {
        self.user == p.user && self.agency == p.agency
    }
}

/// SQL: the ids of the cases the agency whose row id is bound to `?1` owns
/// or was granted, in parentheses (`... IN {AGENCY_CASES}`). The one
/// statement of the need-to-know rule: [`Visibility::Agency`] here and the
/// scoped reads of `accounts` (a `Scope` is an agency) use it.
pub(crate) const AGENCY_CASES: &str = "(SELECT id FROM cases WHERE agency_id = ?1
     UNION SELECT case_id FROM case_grants WHERE agency_id = ?1)";

/// Which cases the caller may see: everything (CLI, system), a list of
/// case ids (`cases.id`), or the cases an agency owns or was granted (the
/// server's need-to-know rule, as `accounts::Scope` applies it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility<'a> {
    /// No restriction.
    All,
    /// Only these cases.
    Cases(&'a [i64]),
    /// The cases the agency with this code owns or was granted.
    Agency(&'a str),
}

impl Visibility<'_> {
    /// JSON array of visible case ids, `None` for all.
    fn json(&self, conn: &Connection) -> Result<Option<String>, StoreError> {
        let ids: Vec<i64> = match self {
            Visibility::All => return Ok(None),
            Visibility::Cases(c) => c.to_vec(),
            Visibility::Agency(code) => {
                let agency: Option<i64> = conn
                    .prepare_cached("SELECT id FROM agencies WHERE code = ?1")?
                    .query_row([code], |r| r.get(0))
                    .optional()?;
                let Some(agency) = agency else {
                    return Ok(Some("[]".to_owned()));
                };
                let mut st = conn
                    .prepare_cached(&format!("SELECT id FROM cases WHERE id IN {AGENCY_CASES}"))?;
                let rows = st.query_map([agency], |r| r.get(0))?;
                rows.collect::<Result<_, _>>()?
            }
        };
        Ok(Some(serde_json::to_string(&ids)?))
    }
}

/// SQL: true when lead `l.id` is visible with `?V` = the JSON case list (or NULL).
const LEAD_VISIBLE: &str = "(?V IS NULL OR NOT EXISTS (
    SELECT 1 FROM lead_media lm WHERE lm.lead_id = l.id AND NOT EXISTS (
        SELECT 1 FROM evidence e WHERE e.media_sha256 = lm.media_sha256
          AND e.case_id IN (SELECT value FROM json_each(?V)))))";

fn lead_visible_sql(param: usize) -> String {
    LEAD_VISIBLE.replace("?V", &format!("?{param}"))
}

/// Validate and normalise an ISO 3166-1 alpha-2 code (upper case).
pub fn normalise_country(s: &str) -> Result<String, LeadError> {
    let up = s.trim().to_ascii_uppercase();
    if up.len() == 2 && up.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(up)
    } else {
        Err(LeadError::Invalid {
            field: "target_country",
            reason: "must be an ISO 3166-1 alpha-2 code",
        })
    }
}

fn check_text(field: &'static str, s: &str, max: usize, empty_ok: bool) -> Result<(), LeadError> {
    if !empty_ok && s.trim().is_empty() {
        return Err(LeadError::Invalid {
            field,
            reason: "must not be empty",
        });
    }
    if s.chars().count() > max {
        return Err(LeadError::Invalid {
            field,
            reason: "is too long",
        });
    }
    Ok(())
}

fn media_visible(conn: &Connection, hex: &str, vis: Option<&str>) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM evidence e JOIN media m ON m.sha256 = e.media_sha256
             WHERE e.media_sha256 = ?1
               AND (?2 IS NULL OR e.case_id IN (SELECT value FROM json_each(?2))) LIMIT 1",
        )?
        .query_row(params![hex, vis], |_| Ok(()))
        .optional()?
        .is_some())
}

fn attach(
    tx: &Connection,
    id: i64,
    media: &[Sha256],
    clues: &[i64],
    vis: Option<&str>,
) -> Result<(), LeadError> {
    if media.len() > MAX_ITEMS || clues.len() > MAX_ITEMS {
        return Err(LeadError::Invalid {
            field: "media",
            reason: "too many supporting items",
        });
    }
    tx.execute("DELETE FROM lead_media WHERE lead_id = ?1", [id])?;
    tx.execute("DELETE FROM lead_clues WHERE lead_id = ?1", [id])?;
    for (pos, m) in media.iter().enumerate() {
        let hex = m.to_hex();
        if !media_visible(tx, &hex, vis)? {
            return Err(LeadError::UnknownMedia { sha256: hex });
        }
        tx.prepare_cached(
            "INSERT OR IGNORE INTO lead_media (lead_id, pos, media_sha256) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![id, pos as i64, hex])?;
    }
    for (pos, &cid) in clues.iter().enumerate() {
        let row = tx
            .prepare_cached(
                "SELECT media_sha256, kind, value, confidence, extractor, version,
                        region_json, time_range_json FROM clues WHERE id = ?1",
            )?
            .query_row([cid], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, f64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            })
            .optional()?;
        let Some((media, kind, value, confidence, extractor, version, region, time_range)) = row
        else {
            return Err(LeadError::UnknownClue { id: cid });
        };
        if !media_visible(tx, &media, vis)? {
            return Err(LeadError::UnknownClue { id: cid });
        }
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        let clue = LeadClue {
            id: cid,
            media,
            kind,
            value,
            confidence,
            extractor,
            version,
            region: parse(region),
            time_range: parse(time_range),
        };
        tx.prepare_cached(
            "INSERT OR IGNORE INTO lead_clues (lead_id, pos, clue_id, clue_json) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![id, pos as i64, cid, serde_json::to_string(&clue)?])?;
    }
    Ok(())
}

fn history(
    tx: &Connection,
    id: i64,
    actor: &Actor,
    action: &str,
    from: Option<LeadState>,
    to: LeadState,
    note: Option<&str>,
) -> Result<(), LeadError> {
    tx.prepare_cached(
        "INSERT INTO lead_history (lead_id, user, agency, action, from_state, to_state, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        id,
        actor.user,
        actor.agency,
        action,
        from.map(LeadState::as_str),
        to.as_str(),
        note
    ])?;
    let mut ev = actor.event(&format!("lead.{action}"), format!("lead:{id}"));
    ev.detail = Some(match from {
        Some(f) => format!("{f}->{to}"),
        None => to.to_string(),
    });
    append_in(tx, &ev)?;
    Ok(())
}

const LEAD_COLS: &str = "l.id, l.subject, l.target_country, l.title, l.summary, l.state,
    l.author_user, l.author_agency, l.reviewer_user, l.reviewer_agency, l.reviewed_at,
    l.review_note, l.created_at, l.updated_at";

fn read_lead(conn: &Connection, r: &rusqlite::Row<'_>) -> Result<Lead, LeadError> {
    let id: i64 = r.get(0)?;
    let subject: String = r.get(1)?;
    let state: String = r.get(5)?;
    let reviewer = match (
        r.get::<_, Option<String>>(8)?,
        r.get::<_, Option<String>>(9)?,
    ) {
        (Some(user), Some(agency)) => Some(Person { user, agency }),
        _ => None,
    };
    let mut media = Vec::new();
    let mut st =
        conn.prepare_cached("SELECT media_sha256 FROM lead_media WHERE lead_id = ?1 ORDER BY pos")?;
    for m in st.query_map([id], |r| r.get::<_, String>(0))? {
        media.push(m?);
    }
    let mut clues = Vec::new();
    let mut st =
        conn.prepare_cached("SELECT clue_json FROM lead_clues WHERE lead_id = ?1 ORDER BY pos")?;
    for c in st.query_map([id], |r| r.get::<_, String>(0))? {
        clues.push(serde_json::from_str(&c?)?);
    }
    Ok(Lead {
        id,
        subject: Subject::parse(&subject)?,
        target_country: r.get(2)?,
        title: r.get(3)?,
        summary: r.get(4)?,
        state: LeadState::parse(&state).ok_or_else(|| corrupt("leads.state", &state))?,
        author: Person {
            user: r.get(6)?,
            agency: r.get(7)?,
        },
        reviewer,
        reviewed_at: r.get(10)?,
        review_note: r.get(11)?,
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
        media,
        clues,
    })
}

fn load(conn: &Connection, id: i64, vis: Option<&str>) -> Result<Lead, LeadError> {
    let sql = format!(
        "SELECT {LEAD_COLS} FROM leads l WHERE l.id = ?1 AND {}",
        lead_visible_sql(2)
    );
    let mut st = conn.prepare_cached(&sql)?;
    let mut rows = st.query(params![id, vis])?;
    match rows.next()? {
        Some(r) => read_lead(conn, r),
        None => Err(LeadError::NotFound { id }),
    }
}

fn set_state(tx: &Connection, id: i64, to: LeadState) -> Result<(), LeadError> {
    tx.prepare_cached(
        "UPDATE leads SET state = ?2, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE id = ?1",
    )?
    .execute(params![id, to.as_str()])?;
    Ok(())
}

impl Store {
    fn write_tx(&self) -> Result<Transaction<'_>, LeadError> {
        Ok(Transaction::new_unchecked(
            &self.conn,
            TransactionBehavior::Immediate,
        )?)
    }

    /// Create a draft lead written by `actor`.
    pub fn create_lead(
        &mut self,
        actor: &Actor,
        new: &NewLead,
        vis: Visibility<'_>,
    ) -> Result<Lead, LeadError> {
        let country = normalise_country(&new.target_country)?;
        check_text("title", &new.title, MAX_TITLE, false)?;
        check_text("summary", &new.summary, MAX_TEXT, true)?;
        let tx = self.write_tx()?;
        let v = vis.json(&tx)?;
        tx.prepare_cached(
            "INSERT INTO leads (subject, target_country, title, summary, state, author_user, author_agency)
             VALUES (?1, ?2, ?3, ?4, 'draft', ?5, ?6)",
        )?
        .execute(params![
            new.subject.as_str(),
            country,
            new.title.trim(),
            new.summary,
            actor.user,
            actor.agency
        ])?;
        let id = tx.last_insert_rowid();
        attach(&tx, id, &new.media, &new.clues, v.as_deref())?;
        history(&tx, id, actor, "create", None, LeadState::Draft, None)?;
        let lead = load(&tx, id, None)?;
        tx.commit()?;
        Ok(lead)
    }

    /// Edit a lead (its author, while draft or rejected; a rejected lead
    /// goes back to draft).
    pub fn edit_lead(
        &mut self,
        actor: &Actor,
        id: i64,
        edit: &LeadEdit,
        vis: Visibility<'_>,
    ) -> Result<Lead, LeadError> {
        let tx = self.write_tx()?;
        let v = vis.json(&tx)?;
        let lead = load(&tx, id, v.as_deref())?;
        if !actor.is(&lead.author) {
            return Err(LeadError::Forbidden {
                id,
                reason: "only the author edits a lead",
            });
        }
        if !matches!(lead.state, LeadState::Draft | LeadState::Rejected) {
            return Err(LeadError::InvalidState {
                id,
                state: lead.state,
                action: "edit",
            });
        }
        let country = match &edit.target_country {
            Some(c) => normalise_country(c)?,
            None => lead.target_country.clone(),
        };
        let title = edit
            .title
            .as_deref()
            .unwrap_or(&lead.title)
            .trim()
            .to_owned();
        let summary = edit.summary.as_deref().unwrap_or(&lead.summary);
        check_text("title", &title, MAX_TITLE, false)?;
        check_text("summary", summary, MAX_TEXT, true)?;
        let subject = edit.subject.unwrap_or(lead.subject);
        tx.prepare_cached(
            "UPDATE leads SET subject = ?2, target_country = ?3, title = ?4, summary = ?5,
                    state = 'draft', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             WHERE id = ?1",
        )?
        .execute(params![id, subject.as_str(), country, title, summary])?;
        if edit.media.is_some() || edit.clues.is_some() {
            let media: Vec<Sha256> = match &edit.media {
                Some(m) => m.clone(),
                None => lead
                    .media
                    .iter()
                    .map(|h| crate::store::codec::parse_sha256("lead_media.media_sha256", h))
                    .collect::<Result<_, _>>()?,
            };
            let clues: Vec<i64> = match &edit.clues {
                Some(c) => c.clone(),
                None => lead.clues.iter().map(|c| c.id).collect(),
            };
            attach(&tx, id, &media, &clues, v.as_deref())?;
        }
        history(
            &tx,
            id,
            actor,
            "edit",
            Some(lead.state),
            LeadState::Draft,
            None,
        )?;
        let lead = load(&tx, id, None)?;
        tx.commit()?;
        Ok(lead)
    }

    /// Move a lead along the workflow: `submit` (author, from draft),
    /// `approve` / `reject` (a reviewer who is not the author, from
    /// submitted; a rejection needs a reason), `disseminate` (a reviewer,
    /// from approved).
    pub fn transition_lead(
        &mut self,
        actor: &Actor,
        id: i64,
        action: LeadAction,
        note: Option<&str>,
        vis: Visibility<'_>,
    ) -> Result<Lead, LeadError> {
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if let Some(n) = note {
            check_text("note", n, MAX_TEXT, true)?;
        }
        let tx = self.write_tx()?;
        let v = vis.json(&tx)?;
        let lead = load(&tx, id, v.as_deref())?;
        let (from, to) = match action {
            LeadAction::Submit => (LeadState::Draft, LeadState::Submitted),
            LeadAction::Approve => (LeadState::Submitted, LeadState::Approved),
            LeadAction::Reject => (LeadState::Submitted, LeadState::Rejected),
            LeadAction::Disseminate => (LeadState::Approved, LeadState::Disseminated),
        };
        match action {
            LeadAction::Submit if !actor.is(&lead.author) => {
                return Err(LeadError::Forbidden {
                    id,
                    reason: "only the author submits a lead",
                });
            }
            LeadAction::Approve | LeadAction::Reject | LeadAction::Disseminate
                if !actor.reviewer =>
            {
                return Err(LeadError::Forbidden {
                    id,
                    reason: "only a reviewer may do this",
                });
            }
            LeadAction::Approve | LeadAction::Reject if actor.is(&lead.author) => {
                return Err(LeadError::Forbidden {
                    id,
                    reason: "the author may not review their own lead",
                });
            }
            _ => {}
        }
        if lead.state != from {
            return Err(LeadError::InvalidState {
                id,
                state: lead.state,
                action: action.as_str(),
            });
        }
        if action == LeadAction::Reject && note.is_none() {
            return Err(LeadError::Invalid {
                field: "reason",
                reason: "a rejection needs a reason",
            });
        }
        set_state(&tx, id, to)?;
        if matches!(action, LeadAction::Approve | LeadAction::Reject) {
            tx.prepare_cached(
                "UPDATE leads SET reviewer_user = ?2, reviewer_agency = ?3, review_note = ?4,
                        reviewed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1",
            )?
            .execute(params![id, actor.user, actor.agency, note])?;
        }
        history(&tx, id, actor, action.as_str(), Some(from), to, note)?;
        let lead = load(&tx, id, None)?;
        tx.commit()?;
        Ok(lead)
    }

    /// Add a comment (anyone who may see the lead).
    pub fn comment_lead(
        &mut self,
        actor: &Actor,
        id: i64,
        text: &str,
        vis: Visibility<'_>,
    ) -> Result<Comment, LeadError> {
        check_text("text", text, MAX_TEXT, false)?;
        let tx = self.write_tx()?;
        let v = vis.json(&tx)?;
        load(&tx, id, v.as_deref())?;
        tx.prepare_cached(
            "INSERT INTO lead_comments (lead_id, user, agency, text) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![id, actor.user, actor.agency, text])?;
        let cid = tx.last_insert_rowid();
        append_in(
            &tx,
            &actor
                .event("lead.comment", format!("lead:{id}"))
                .with_detail(format!("comment:{cid}")),
        )?;
        let at: String =
            tx.query_row("SELECT at FROM lead_comments WHERE id = ?1", [cid], |r| {
                r.get(0)
            })?;
        tx.commit()?;
        Ok(Comment {
            id: cid,
            at,
            user: actor.user.clone(),
            agency: actor.agency.clone(),
            text: text.to_owned(),
        })
    }

    /// One lead with history and comments, `NotFound` when absent or not visible.
    pub fn lead(&self, id: i64, vis: Visibility<'_>) -> Result<LeadDetail, LeadError> {
        let v = vis.json(&self.conn)?;
        let lead = load(&self.conn, id, v.as_deref())?;
        let mut history = Vec::new();
        let mut st = self.conn.prepare_cached(
            "SELECT at, user, agency, action, from_state, to_state, note FROM lead_history
             WHERE lead_id = ?1 ORDER BY id",
        )?;
        let mut rows = st.query([id])?;
        while let Some(r) = rows.next()? {
            let from: Option<String> = r.get(4)?;
            let to: String = r.get(5)?;
            history.push(HistoryEntry {
                at: r.get(0)?,
                user: r.get(1)?,
                agency: r.get(2)?,
                action: r.get(3)?,
                from: match from {
                    Some(f) => {
                        Some(LeadState::parse(&f).ok_or_else(|| corrupt("lead_history.from", &f))?)
                    }
                    None => None,
                },
                to: LeadState::parse(&to).ok_or_else(|| corrupt("lead_history.to", &to))?,
                note: r.get(6)?,
            });
        }
        let mut comments = Vec::new();
        let mut st = self.conn.prepare_cached(
            "SELECT id, at, user, agency, text FROM lead_comments WHERE lead_id = ?1 ORDER BY id",
        )?;
        let mut rows = st.query([id])?;
        while let Some(r) = rows.next()? {
            comments.push(Comment {
                id: r.get(0)?,
                at: r.get(1)?,
                user: r.get(2)?,
                agency: r.get(3)?,
                text: r.get(4)?,
            });
        }
        Ok(LeadDetail {
            lead,
            history,
            comments,
        })
    }

    /// Leads by ascending id, with the total matching the filter (before
    /// the cursor and limit).
    pub fn list_leads(
        &self,
        f: &LeadFilter,
        vis: Visibility<'_>,
    ) -> Result<(Vec<Lead>, u64), LeadError> {
        let v = vis.json(&self.conn)?;
        let country = f.country.as_deref().map(normalise_country).transpose()?;
        let limit = match f.limit {
            0 => 100,
            n => n.min(1000),
        } as i64;
        let cond = format!(
            "(?1 IS NULL OR l.state = ?1) AND (?2 IS NULL OR l.target_country = ?2) AND {}",
            lead_visible_sql(3)
        );
        let state = f.state.map(LeadState::as_str);
        let total: i64 = self.conn.query_row(
            &format!("SELECT count(*) FROM leads l WHERE {cond}"),
            params![state, country, v],
            |r| r.get(0),
        )?;
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {LEAD_COLS} FROM leads l WHERE {cond} AND l.id > ?4 ORDER BY l.id LIMIT ?5"
        ))?;
        let mut rows = st.query(params![state, country, v, f.after_id.unwrap_or(0), limit])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(read_lead(&self.conn, r)?);
        }
        Ok((out, u64::try_from(total).unwrap_or(0)))
    }

    /// All approved leads for a country that `vis` may see, by id (what a
    /// dissemination package holds).
    pub fn approved_leads(
        &self,
        country: &str,
        vis: Visibility<'_>,
    ) -> Result<Vec<LeadDetail>, LeadError> {
        let mut out = Vec::new();
        let mut after = 0;
        loop {
            let (page, _) = self.list_leads(
                &LeadFilter {
                    state: Some(LeadState::Approved),
                    country: Some(country.to_owned()),
                    after_id: Some(after),
                    limit: 1000,
                },
                vis,
            )?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for l in page {
                out.push(self.lead(l.id, vis)?);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
#[path = "leads_tests.rs"]
mod tests;
