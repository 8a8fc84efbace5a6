//! Agencies' users, sessions, API tokens and case grants; the need-to-know
//! scope every server query goes through.
//!
//! A [`Scope`] is the reading right of one user: the cases the user's
//! agency owns or was granted. It can only be built by the store from a
//! stored, enabled user ([`Store::scope_of_user`]), and every read the
//! server does about cases and media takes one (see [`scoped`]): media
//! that are in no visible case are reported exactly as absent media, so
//! their existence cannot be inferred.
//!
//! Secrets are never stored: passwords as argon2id PHC strings computed by
//! the caller, session ids and API tokens as the SHA-256 hex of the random
//! value (the caller hashes them). Times of sessions are Unix seconds given
//! by the caller, so that idle timeouts can be tested.

pub mod cache;
mod embedded;
pub mod scoped;
#[cfg(test)]
mod tests;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::Store;
use crate::StoreError;
use crate::error::clip;

pub use cache::{GenCache, Generation, ReadCaches};
pub use scoped::{
    Access, CaseView, CategoryView, ClueView, EvidenceFile, LinkView, MAX_MAP_POINTS, MAX_PAGE,
    MapCountry, MapPoint, MapView, MediaFilter, MediaListItem, MediaView, NoteKind, NoteView, Page,
    RestrictedAgency, VisibleLinkEnd,
};

/// Shortest password accepted by [`check_password_policy`].
pub const MIN_PASSWORD_LEN: usize = 12;

/// Errors of account management.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AccountError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No agency with this code.
    #[error("no agency with code {code:?}")]
    UnknownAgency {
        /// The code asked for (truncated).
        code: String,
    },
    /// No user with this name.
    #[error("no user {username:?}")]
    UnknownUser {
        /// The name asked for (truncated).
        username: String,
    },
    /// The case does not exist (or is not visible to the one asking).
    #[error("no case {case:?}")]
    UnknownCase {
        /// The case number asked for (truncated).
        case: String,
    },
    /// A user with this name exists already.
    #[error("user {username:?} exists already")]
    UsernameTaken {
        /// The name (truncated).
        username: String,
    },
    /// An agency code, country, username or role is not well formed.
    #[error("invalid {what}: {value:?}")]
    Invalid {
        /// Which field.
        what: &'static str,
        /// The value given (truncated).
        value: String,
    },
    /// The password is shorter than [`MIN_PASSWORD_LEN`].
    #[error("password must be at least {min} characters")]
    WeakPassword {
        /// The minimum length.
        min: usize,
    },
    /// Only an admin of the agency owning the case may do this.
    #[error("only an admin of the owning agency may grant case {case:?}")]
    NotAllowed {
        /// The case number (truncated).
        case: String,
    },
}

impl From<rusqlite::Error> for AccountError {
    fn from(e: rusqlite::Error) -> Self {
        AccountError::Store(StoreError::Sql(e))
    }
}

impl From<serde_json::Error> for AccountError {
    fn from(e: serde_json::Error) -> Self {
        AccountError::Store(StoreError::Json(e))
    }
}

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reviews material, writes leads.
    Analyst,
    /// Also approves or rejects other users' leads.
    Reviewer,
    /// Also manages grants of the agency's cases and reads the audit log.
    Admin,
}

impl Role {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Analyst => "analyst",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }

    /// Parse [`Role::as_str`].
    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "analyst" => Role::Analyst,
            "reviewer" => Role::Reviewer,
            "admin" => Role::Admin,
            _ => return None,
        })
    }
}

/// An agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    /// Code, e.g. `BE-FCCU`.
    pub code: String,
    /// Display name.
    pub name: Option<String>,
    /// ISO 3166-1 alpha-2 country.
    pub country: Option<String>,
}

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// The user's agency.
    pub agency: Agency,
    /// A disabled user cannot log in and has no scope.
    pub disabled: bool,
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Login name: 3 to 64 of `[A-Za-z0-9._@-]`.
    pub username: &'a str,
    /// argon2id PHC string (computed by the caller).
    pub password_hash: &'a str,
    /// Role.
    pub role: Role,
    /// Code of an existing agency.
    pub agency: &'a str,
}

/// A live session found by [`Store::touch_session`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// Its user.
    pub user: User,
    /// The CSRF token to expect on state-changing requests.
    pub csrf_token: String,
}

/// A stored session as [`Store::session_row`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// Its user and CSRF token.
    pub info: SessionInfo,
    /// Last recorded activity (Unix seconds).
    pub last_seen: i64,
    /// Idle timeout in seconds.
    pub idle_timeout: i64,
}

impl StoredSession {
    /// True when a request at `now` after activity at `last_seen` comes
    /// too late (the same rule as [`Store::touch_session`]).
    pub fn idle_at(now: i64, last_seen: i64, idle_timeout: i64) -> bool {
        now.saturating_sub(last_seen) > idle_timeout
    }
}

/// A case shared with another agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// Case number.
    pub case: String,
    /// The agency given access.
    pub agency: Agency,
    /// Username of the admin who granted it (None: the workspace operator).
    pub granted_by: Option<String>,
    /// When (ISO 8601 UTC).
    pub granted_at: String,
}

/// The reading right of one user: the cases its agency owns or was
/// granted. Built only by [`Store::scope_of_user`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    user_id: i64,
    username: String,
    agency_id: i64,
    agency_code: String,
    role: Role,
}

impl Scope {
    /// The user's id.
    pub fn user_id(&self) -> i64 {
        self.user_id
    }
    /// The user's name.
    pub fn username(&self) -> &str {
        &self.username
    }
    /// The user's agency code.
    pub fn agency_code(&self) -> &str {
        &self.agency_code
    }
    /// The user's role.
    pub fn role(&self) -> Role {
        self.role
    }
    pub(crate) fn agency_id(&self) -> i64 {
        self.agency_id
    }
}

/// Refuse passwords shorter than [`MIN_PASSWORD_LEN`] characters.
pub fn check_password_policy(password: &str) -> Result<(), AccountError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(AccountError::WeakPassword {
            min: MIN_PASSWORD_LEN,
        });
    }
    Ok(())
}

fn invalid(what: &'static str, value: &str) -> AccountError {
    AccountError::Invalid {
        what,
        value: clip(value),
    }
}

fn check_code(code: &str) -> Result<(), AccountError> {
    let ok = (1..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(invalid("agency code", code))
    }
}

fn check_country(country: &str) -> Result<(), AccountError> {
    if country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(invalid("country (ISO 3166-1 alpha-2, upper case)", country))
    }
}

fn check_username(name: &str) -> Result<(), AccountError> {
    let ok = (3..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._@-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(invalid("username", name))
    }
}

const USER_SELECT: &str = "SELECT u.id, u.username, u.role, u.disabled, a.code, a.name, a.country
     FROM users u JOIN agencies a ON a.id = u.agency_id";

fn user_from_row(r: &rusqlite::Row<'_>) -> Result<User, StoreError> {
    let role: String = r.get(2)?;
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt {
            column: "users.role",
            value: clip(&role),
        })?,
        disabled: r.get(3)?,
        agency: Agency {
            code: r.get(4)?,
            name: r.get(5)?,
            country: r.get(6)?,
        },
    })
}

impl Store {
    /// Create an agency, or set the name and country of an existing one.
    pub fn add_agency(
        &mut self,
        code: &str,
        country: &str,
        name: Option<&str>,
    ) -> Result<(), AccountError> {
        check_code(code)?;
        check_country(country)?;
        self.conn
            .prepare_cached(
                "INSERT INTO agencies (code, country, name) VALUES (?1, ?2, ?3)
                 ON CONFLICT(code) DO UPDATE SET country = excluded.country,
                     name = coalesce(excluded.name, name)",
            )?
            .execute(params![code, country, name])?;
        Ok(())
    }

    /// Every agency, by code.
    pub fn agencies(&self) -> Result<Vec<Agency>, AccountError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT code, name, country FROM agencies ORDER BY code")?;
        let rows = st.query_map([], |r| {
            Ok(Agency {
                code: r.get(0)?,
                name: r.get(1)?,
                country: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn agency_row_id(&self, code: &str) -> Result<i64, AccountError> {
        self.conn
            .prepare_cached("SELECT id FROM agencies WHERE code = ?1")?
            .query_row([code], |r| r.get(0))
            .optional()?
            .ok_or_else(|| AccountError::UnknownAgency { code: clip(code) })
    }

    /// Create a user; returns its id.
    pub fn add_user(&mut self, u: &NewUser<'_>) -> Result<i64, AccountError> {
        check_username(u.username)?;
        let agency = self.agency_row_id(u.agency)?;
        let taken = self
            .conn
            .prepare_cached("SELECT 1 FROM users WHERE username = ?1")?
            .query_row([u.username], |_| Ok(()))
            .optional()?
            .is_some();
        if taken {
            return Err(AccountError::UsernameTaken {
                username: clip(u.username),
            });
        }
        self.conn
            .prepare_cached(
                "INSERT INTO users (username, password_hash, role, agency_id)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                u.username,
                u.password_hash,
                u.role.as_str(),
                agency
            ])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Replace a user's password hash and end all the user's sessions.
    pub fn set_password(
        &mut self,
        username: &str,
        password_hash: &str,
    ) -> Result<(), AccountError> {
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "UPDATE users SET password_hash = ?2 WHERE username = ?1",
            params![username, password_hash],
        )?;
        if n == 0 {
            return Err(AccountError::UnknownUser {
                username: clip(username),
            });
        }
        tx.execute(
            "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = ?1)",
            [username],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every user, by name.
    pub fn users(&self) -> Result<Vec<User>, AccountError> {
        let mut st = self
            .conn
            .prepare_cached(&format!("{USER_SELECT} ORDER BY u.username"))?;
        let mut rows = st.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(user_from_row(r)?);
        }
        Ok(out)
    }

    /// One user by id.
    pub fn user(&self, id: i64) -> Result<Option<User>, AccountError> {
        let mut st = self
            .conn
            .prepare_cached(&format!("{USER_SELECT} WHERE u.id = ?1"))?;
        let mut rows = st.query([id])?;
        match rows.next()? {
            Some(r) => Ok(Some(user_from_row(r)?)),
            None => Ok(None),
        }
    }

    /// An enabled user and the stored password hash, for a login attempt.
    pub fn login_candidate(&self, username: &str) -> Result<Option<(User, String)>, AccountError> {
        let mut st = self.conn.prepare_cached(
            "SELECT u.id, u.username, u.role, u.disabled, a.code, a.name, a.country,
                    u.password_hash
             FROM users u JOIN agencies a ON a.id = u.agency_id
             WHERE u.username = ?1 AND u.disabled = 0",
        )?;
        let mut rows = st.query([username])?;
        match rows.next()? {
            Some(r) => Ok(Some((user_from_row(r)?, r.get(7)?))),
            None => Ok(None),
        }
    }

    /// Record a new session (`id_hash`: SHA-256 hex of the random id).
    pub fn create_session(
        &mut self,
        user_id: i64,
        id_hash: &str,
        csrf_token: &str,
        now: i64,
        idle_timeout_s: i64,
        client: Option<&str>,
    ) -> Result<(), AccountError> {
        // Housekeeping: forget sessions idle for long.
        self.conn
            .prepare_cached("DELETE FROM sessions WHERE last_seen + idle_timeout < ?1")?
            .execute([now])?;
        self.conn
            .prepare_cached(
                "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen,
                     idle_timeout, client)
                 VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)",
            )?
            .execute(params![
                id_hash,
                user_id,
                csrf_token,
                now,
                idle_timeout_s,
                client
            ])?;
        Ok(())
    }

    /// The live session with this id hash, its idle clock restarted; `None`
    /// when unknown, idle for longer than its timeout (then deleted) or its
    /// user is disabled.
    pub fn touch_session(
        &mut self,
        id_hash: &str,
        now: i64,
    ) -> Result<Option<SessionInfo>, AccountError> {
        let row: Option<(i64, String, i64, i64)> = self
            .conn
            .prepare_cached(
                "SELECT user_id, csrf_token, last_seen, idle_timeout FROM sessions
                 WHERE id_hash = ?1",
            )?
            .query_row([id_hash], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let Some((user_id, csrf_token, last_seen, idle)) = row else {
            return Ok(None);
        };
        if StoredSession::idle_at(now, last_seen, idle) {
            self.delete_session(id_hash)?;
            return Ok(None);
        }
        let Some(user) = self.user(user_id)?.filter(|u| !u.disabled) else {
            return Ok(None);
        };
        // Write only when the clock moved, to keep reads cheap.
        if now > last_seen {
            self.conn
                .prepare_cached("UPDATE sessions SET last_seen = ?2 WHERE id_hash = ?1")?
                .execute(params![id_hash, now])?;
        }
        Ok(Some(SessionInfo { user, csrf_token }))
    }

    /// The stored session with this id hash, without touching it: `None`
    /// when unknown or its user is disabled. The caller checks the idle
    /// time ([`StoredSession::idle_at`]) and records activity with
    /// [`Store::record_session_seen`] (a server coalesces those writes).
    pub fn session_row(&self, id_hash: &str) -> Result<Option<StoredSession>, AccountError> {
        let row: Option<(i64, String, i64, i64)> = self
            .conn
            .prepare_cached(
                "SELECT user_id, csrf_token, last_seen, idle_timeout FROM sessions
                 WHERE id_hash = ?1",
            )?
            .query_row([id_hash], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let Some((user_id, csrf_token, last_seen, idle_timeout)) = row else {
            return Ok(None);
        };
        let Some(user) = self.user(user_id)?.filter(|u| !u.disabled) else {
            return Ok(None);
        };
        Ok(Some(StoredSession {
            info: SessionInfo { user, csrf_token },
            last_seen,
            idle_timeout,
        }))
    }

    /// Record activity of a session at `now` (never moves the clock back).
    pub fn record_session_seen(&mut self, id_hash: &str, now: i64) -> Result<(), AccountError> {
        self.conn
            .prepare_cached(
                "UPDATE sessions SET last_seen = ?2 WHERE id_hash = ?1 AND last_seen < ?2",
            )?
            .execute(params![id_hash, now])?;
        Ok(())
    }

    /// End a session.
    pub fn delete_session(&mut self, id_hash: &str) -> Result<(), AccountError> {
        self.conn
            .prepare_cached("DELETE FROM sessions WHERE id_hash = ?1")?
            .execute([id_hash])?;
        Ok(())
    }

    /// Record an API token (`token_hash`: SHA-256 hex of the random token).
    pub fn create_api_token(
        &mut self,
        user_id: i64,
        token_hash: &str,
        name: &str,
    ) -> Result<i64, AccountError> {
        self.conn
            .prepare_cached(
                "INSERT INTO api_tokens (token_hash, user_id, name) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![token_hash, user_id, name])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The enabled user holding this API token.
    pub fn user_for_token(
        &mut self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<User>, AccountError> {
        let uid: Option<i64> = self
            .conn
            .prepare_cached("SELECT user_id FROM api_tokens WHERE token_hash = ?1")?
            .query_row([token_hash], |r| r.get(0))
            .optional()?;
        let Some(uid) = uid else { return Ok(None) };
        self.conn
            .prepare_cached("UPDATE api_tokens SET last_used = ?2 WHERE token_hash = ?1")?
            .execute(params![token_hash, now])?;
        Ok(self.user(uid)?.filter(|u| !u.disabled))
    }

    /// The reading right of an enabled user; `None` when the user does not
    /// exist or is disabled.
    pub fn scope_of_user(&self, user_id: i64) -> Result<Option<Scope>, AccountError> {
        let row: Option<(String, i64, String, String)> = self
            .conn
            .prepare_cached(
                "SELECT u.username, u.agency_id, a.code, u.role FROM users u
                 JOIN agencies a ON a.id = u.agency_id WHERE u.id = ?1 AND u.disabled = 0",
            )?
            .query_row([user_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let Some((username, agency_id, agency_code, role)) = row else {
            return Ok(None);
        };
        let role = Role::parse(&role).ok_or_else(|| StoreError::Corrupt {
            column: "users.role",
            value: clip(&role),
        })?;
        Ok(Some(Scope {
            user_id,
            username,
            agency_id,
            agency_code,
            role,
        }))
    }

    /// Grant `agency` access to `case`, as an admin of the agency owning it.
    /// The case must be visible to (in fact owned by) the admin: otherwise
    /// [`AccountError::UnknownCase`], whether it exists or not.
    pub fn grant_case(
        &mut self,
        by: &Scope,
        case: &str,
        agency: &str,
    ) -> Result<Grant, AccountError> {
        let owner: Option<(i64, i64)> = self
            .conn
            .prepare_cached("SELECT id, agency_id FROM cases WHERE number = ?1")?
            .query_row([case], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let case_id = match owner {
            Some((id, owner)) if owner == by.agency_id => id,
            Some(_) if self.case_visible(by, case)? => {
                return Err(AccountError::NotAllowed { case: clip(case) });
            }
            _ => return Err(AccountError::UnknownCase { case: clip(case) }),
        };
        if by.role != Role::Admin {
            return Err(AccountError::NotAllowed { case: clip(case) });
        }
        self.insert_grant(case_id, case, agency, Some(by.user_id))
    }

    /// Grant `agency` access to `case` as the workspace operator (the
    /// command line, which has the workspace files anyway).
    pub fn grant_case_as_operator(
        &mut self,
        case: &str,
        agency: &str,
    ) -> Result<Grant, AccountError> {
        let case_id: i64 = self
            .conn
            .prepare_cached("SELECT id FROM cases WHERE number = ?1")?
            .query_row([case], |r| r.get(0))
            .optional()?
            .ok_or_else(|| AccountError::UnknownCase { case: clip(case) })?;
        self.insert_grant(case_id, case, agency, None)
    }

    fn insert_grant(
        &mut self,
        case_id: i64,
        case: &str,
        agency: &str,
        by: Option<i64>,
    ) -> Result<Grant, AccountError> {
        let agency_id = self.agency_row_id(agency)?;
        self.conn
            .prepare_cached(
                "INSERT INTO case_grants (case_id, agency_id, granted_by) VALUES (?1, ?2, ?3)
                 ON CONFLICT (case_id, agency_id) DO NOTHING",
            )?
            .execute(params![case_id, agency_id, by])?;
        self.grants_where(
            "g.case_id = ?1 AND g.agency_id = ?2",
            params![case_id, agency_id],
        )?
        .pop()
        .ok_or_else(|| AccountError::UnknownCase { case: clip(case) })
    }

    /// Grants of the cases the scope's agency owns.
    pub fn grants(&self, scope: &Scope) -> Result<Vec<Grant>, AccountError> {
        self.grants_where("c.agency_id = ?1", params![scope.agency_id])
    }

    /// Every grant (workspace operator).
    pub fn all_grants(&self) -> Result<Vec<Grant>, AccountError> {
        self.grants_where("?1 IS NULL", params![Option::<i64>::None])
    }

    fn grants_where(
        &self,
        filter: &str,
        p: impl rusqlite::Params,
    ) -> Result<Vec<Grant>, AccountError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT c.number, a.code, a.name, a.country, u.username, g.granted_at
             FROM case_grants g JOIN cases c ON c.id = g.case_id
             JOIN agencies a ON a.id = g.agency_id LEFT JOIN users u ON u.id = g.granted_by
             WHERE {filter} ORDER BY c.number, a.code"
        ))?;
        let rows = st.query_map(p, |r| {
            Ok(Grant {
                case: r.get(0)?,
                agency: Agency {
                    code: r.get(1)?,
                    name: r.get(2)?,
                    country: r.get(3)?,
                },
                granted_by: r.get(4)?,
                granted_at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A user's stored settings (JSON object), `None` when never saved.
    pub fn user_settings(&self, user_id: i64) -> Result<Option<serde_json::Value>, AccountError> {
        let s: Option<String> = self
            .conn
            .prepare_cached("SELECT settings_json FROM user_settings WHERE user_id = ?1")?
            .query_row([user_id], |r| r.get(0))
            .optional()?;
        Ok(s.map(|s| serde_json::from_str(&s)).transpose()?)
    }

    /// Save a user's settings (JSON object).
    pub fn put_user_settings(
        &mut self,
        user_id: i64,
        settings: &serde_json::Value,
    ) -> Result<(), AccountError> {
        self.conn
            .prepare_cached(
                "INSERT INTO user_settings (user_id, settings_json) VALUES (?1, ?2)
                 ON CONFLICT (user_id) DO UPDATE SET settings_json = excluded.settings_json",
            )?
            .execute(params![user_id, serde_json::to_string(settings)?])?;
        Ok(())
    }
}
