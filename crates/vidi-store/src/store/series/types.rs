//! The types of the series store: errors, listings, details, history.

use serde::Serialize;
use vidi_types::Sha256;

use crate::StoreError;
use crate::error::clip;

/// Longest series name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// What can go wrong with series.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SeriesError {
    /// No (visible) series with this id or name.
    #[error("no series {key:?}")]
    NoSuchSeries {
        /// The id or name asked for (truncated).
        key: String,
    },
    /// A live series already has this name.
    #[error("a series named {name:?} already exists (id {id})")]
    NameTaken {
        /// The name (truncated).
        name: String,
        /// The series that has it.
        id: i64,
    },
    /// A name that is blank or too long.
    #[error("a series name must be 1 to {MAX_NAME_CHARS} characters and not blank")]
    BadName,
    /// Merging a series into itself.
    #[error("cannot merge series {id} into itself")]
    SelfMerge {
        /// The series.
        id: i64,
    },
    /// The series was merged into another and can no longer change.
    #[error("series {id} was merged into series {into}")]
    Merged {
        /// The merged series.
        id: i64,
        /// Where its media went.
        into: i64,
    },
    /// A media to remove or split off is not a current member.
    #[error("media {sha256} is not in series {series}")]
    NotAMember {
        /// The series.
        series: i64,
        /// SHA-256 hex.
        sha256: String,
    },
    /// A split needs at least one media.
    #[error("a split needs at least one media")]
    EmptySplit,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for SeriesError {
    fn from(e: rusqlite::Error) -> Self {
        SeriesError::Store(StoreError::Sql(e))
    }
}

/// How a media came into a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberOrigin {
    /// Added by hand.
    Manual,
    /// A hash-set hit named the series.
    Hashset,
    /// Came with a merged series.
    Merge,
    /// Moved here by a split.
    Split,
}

impl MemberOrigin {
    pub(super) fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "manual" => Self::Manual,
            "hashset" => Self::Hashset,
            "merge" => Self::Merge,
            "split" => Self::Split,
            other => {
                return Err(StoreError::Corrupt {
                    column: "series_media.origin",
                    value: clip(other),
                });
            }
        })
    }
}

/// A series in a listing (counts over what the caller may see).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesSummary {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// `manual`, `hashset` or `split`.
    pub origin: String,
    /// Current (visible) media.
    pub media: u64,
    /// Cases of those media.
    pub cases: u64,
    /// Agencies of those media.
    pub agencies: u64,
    /// VICS/ICSE series names from hash sets mapped to it.
    pub hashset_names: Vec<String>,
    /// Who created it.
    pub created_by: String,
    /// When (UTC, ISO 8601).
    pub created_at: String,
}

/// A current member of a series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesMember {
    /// The media.
    pub sha256: Sha256,
    /// How it came in.
    pub origin: MemberOrigin,
    /// Hash set id (origin `hashset`) or series id (`merge`, `split`).
    pub source_id: Option<i64>,
    /// Who added it.
    pub added_by: String,
    /// When.
    pub added_at: String,
    /// Its (visible) cases.
    pub cases: Vec<String>,
}

/// A series name given by a hash set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExternalName {
    /// The name as the set gives it.
    pub name: String,
    /// The set that first gave it.
    pub set_id: Option<i64>,
    /// That set's name.
    pub set_name: Option<String>,
    /// When it was first seen.
    pub recorded_at: String,
}

/// One change of a series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesEvent {
    /// Increasing id.
    pub id: i64,
    /// `create`, `rename`, `merge-in`, `merged-into`, `split-out`,
    /// `split-from`, `add`, `remove`, `hashset-name`, `hashset-add`.
    pub action: String,
    /// The other series (merge, split).
    pub other_id: Option<i64>,
    /// Detail (old and new name, media SHA-256...).
    pub detail: Option<String>,
    /// Who.
    pub actor: String,
    /// When.
    pub at: String,
}

/// The link clusters a series' media belong to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesCluster {
    /// The cluster id (its smallest visible media).
    pub cluster: Sha256,
    /// The series' media in it.
    pub media: Vec<Sha256>,
}

/// A series with everything it groups (as far as the caller may see).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesDetail {
    /// Id, name, counts.
    #[serde(flatten)]
    pub summary: SeriesSummary,
    /// The series it was split from.
    pub split_from: Option<i64>,
    /// Series merged into this one (id, name).
    pub merged_from: Vec<(i64, String)>,
    /// Current media.
    pub media: Vec<SeriesMember>,
    /// Cases of those media.
    pub cases: Vec<String>,
    /// Agencies of those media.
    pub agencies: Vec<String>,
    /// Link clusters of those media.
    pub clusters: Vec<SeriesCluster>,
    /// Names from hash sets.
    pub hashset_names: Vec<ExternalName>,
    /// Every change, oldest first.
    pub history: Vec<SeriesEvent>,
}
