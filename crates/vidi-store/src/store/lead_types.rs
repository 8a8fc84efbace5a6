//! The types of the leads workflow (beside `leads.rs`).

use serde::{Deserialize, Serialize};
use vidi_types::Sha256;

use super::corrupt;
use crate::StoreError;

/// Errors of the leads workflow.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LeadError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No lead with this id (or not visible to the caller).
    #[error("no lead {id}")]
    NotFound {
        /// The id asked for.
        id: i64,
    },
    /// The action is not possible in the lead's current state.
    #[error("lead {id} is {state}: cannot {action}")]
    InvalidState {
        /// The lead.
        id: i64,
        /// Its state.
        state: LeadState,
        /// What was attempted.
        action: &'static str,
    },
    /// The caller may not do this.
    #[error("not allowed on lead {id}: {reason}")]
    Forbidden {
        /// The lead.
        id: i64,
        /// Why.
        reason: &'static str,
    },
    /// A field is not acceptable.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// Which field.
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// A supporting media is not stored or not visible to the caller.
    #[error("no media {sha256}")]
    UnknownMedia {
        /// SHA-256 hex.
        sha256: String,
    },
    /// A clue is not stored or its media is not visible to the caller.
    #[error("no clue {id}")]
    UnknownClue {
        /// Clue id.
        id: i64,
    },
}

impl From<rusqlite::Error> for LeadError {
    fn from(e: rusqlite::Error) -> Self {
        LeadError::Store(StoreError::Sql(e))
    }
}

impl From<serde_json::Error> for LeadError {
    fn from(e: serde_json::Error) -> Self {
        LeadError::Store(StoreError::Json(e))
    }
}

/// Who or what a lead identifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// A victim.
    Victim,
    /// An offender.
    Offender,
    /// A place.
    Place,
}

impl Subject {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Victim => "victim",
            Subject::Offender => "offender",
            Subject::Place => "place",
        }
    }
    pub(super) fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "victim" => Subject::Victim,
            "offender" => Subject::Offender,
            "place" => Subject::Place,
            _ => return Err(corrupt("leads.subject", s)),
        })
    }
}

/// Where a lead is in its workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadState {
    /// Being written by its author.
    Draft,
    /// Waiting for a reviewer.
    Submitted,
    /// Approved by a reviewer: goes into the country's next package.
    Approved,
    /// Rejected by a reviewer; editing brings it back to draft.
    Rejected,
    /// Sent to the country concerned.
    Disseminated,
}

impl LeadState {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            LeadState::Draft => "draft",
            LeadState::Submitted => "submitted",
            LeadState::Approved => "approved",
            LeadState::Rejected => "rejected",
            LeadState::Disseminated => "disseminated",
        }
    }
    /// Parse [`LeadState::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "draft" => LeadState::Draft,
            "submitted" => LeadState::Submitted,
            "approved" => LeadState::Approved,
            "rejected" => LeadState::Rejected,
            "disseminated" => LeadState::Disseminated,
            _ => return None,
        })
    }
}

impl std::fmt::Display for LeadState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user, by name and agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// User name.
    pub user: String,
    /// Agency code.
    pub agency: String,
}

/// A clue as attached to a lead (a copy taken when attached).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadClue {
    /// The clue's id in the workspace when attached.
    pub id: i64,
    /// The media it is about (hex).
    pub media: String,
    /// Kind.
    pub kind: String,
    /// Value.
    pub value: String,
    /// 0 to 1.
    pub confidence: f64,
    /// Extractor id (`manual` for user clues).
    pub extractor: String,
    /// Extractor version.
    pub version: i64,
    /// Box in pixels, when about a region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<serde_json::Value>,
    /// Time range in seconds, when about a stretch of video.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_range: Option<serde_json::Value>,
}

/// A new lead, as its author writes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NewLead {
    /// Subject.
    pub subject: Subject,
    /// ISO 3166-1 alpha-2 code of the country it is for.
    pub target_country: String,
    /// Short title.
    pub title: String,
    /// Summary of the identification.
    pub summary: String,
    /// Supporting media.
    #[serde(default)]
    pub media: Vec<Sha256>,
    /// Supporting clue ids.
    #[serde(default)]
    pub clues: Vec<i64>,
}

/// An edit: the fields given replace the stored ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct LeadEdit {
    /// New subject.
    pub subject: Option<Subject>,
    /// New target country.
    pub target_country: Option<String>,
    /// New title.
    pub title: Option<String>,
    /// New summary.
    pub summary: Option<String>,
    /// New supporting media (all of them).
    pub media: Option<Vec<Sha256>>,
    /// New supporting clues (all of them).
    pub clues: Option<Vec<i64>>,
}

/// A lead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lead {
    /// Id.
    pub id: i64,
    /// Subject.
    pub subject: Subject,
    /// Country it is for.
    pub target_country: String,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: String,
    /// State.
    pub state: LeadState,
    /// Who wrote it.
    pub author: Person,
    /// Who approved or rejected it last.
    pub reviewer: Option<Person>,
    /// When.
    pub reviewed_at: Option<String>,
    /// The reviewer's note or rejection reason.
    pub review_note: Option<String>,
    /// Created (UTC).
    pub created_at: String,
    /// Last changed (UTC).
    pub updated_at: String,
    /// Supporting media (hex), in the author's order.
    pub media: Vec<String>,
    /// Supporting clues, in the author's order.
    pub clues: Vec<LeadClue>,
}

/// One step of a lead's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    /// When (UTC).
    pub at: String,
    /// Who.
    pub user: String,
    /// Their agency.
    pub agency: String,
    /// `create`, `edit`, `submit`, `approve`, `reject`, `disseminate`.
    pub action: String,
    /// State before (`None` at creation).
    pub from: Option<LeadState>,
    /// State after.
    pub to: LeadState,
    /// Note (rejection reason, approval note).
    pub note: Option<String>,
}

/// A comment on a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    /// Id.
    pub id: i64,
    /// When (UTC).
    pub at: String,
    /// Who.
    pub user: String,
    /// Their agency.
    pub agency: String,
    /// Text.
    pub text: String,
}

/// A lead with its history and comments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadDetail {
    /// The lead.
    #[serde(flatten)]
    pub lead: Lead,
    /// Every step, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Comments, oldest first.
    pub comments: Vec<Comment>,
}

/// Which leads to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadFilter {
    /// Only this state.
    pub state: Option<LeadState>,
    /// Only this target country.
    pub country: Option<String>,
    /// Only ids greater than this (cursor).
    pub after_id: Option<i64>,
    /// At most this many (capped at 1000; 0 means 100).
    pub limit: usize,
}

/// A workflow step (see [`Store::transition_lead`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadAction {
    /// Draft to submitted.
    Submit,
    /// Submitted to approved.
    Approve,
    /// Submitted to rejected.
    Reject,
    /// Approved to disseminated.
    Disseminate,
}

impl LeadAction {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            LeadAction::Submit => "submit",
            LeadAction::Approve => "approve",
            LeadAction::Reject => "reject",
            LeadAction::Disseminate => "disseminate",
        }
    }
}
