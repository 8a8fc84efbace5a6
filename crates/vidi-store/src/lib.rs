//! The embedded store: SQLite (WAL, migrations) and the content-addressed
//! blob folder. The only crate that knows SQL.
//!
//! A workspace is one folder `W/` holding `W/vidi.db` (SQLite) and
//! `W/blobs/` (thumbnails and other derived files), all private to the user
//! (folders 0700, files 0600).
//!
//! ```no_run
//! # fn main() -> Result<(), vidi_store::StoreError> {
//! let ws = vidi_store::Workspace::init(std::path::Path::new("/tmp/W"))?;
//! let store = vidi_store::Store::open(&ws)?;
//! let counts = store.counts()?;
//! # let _ = counts; Ok(()) }
//! ```
//!
//! Every evidence item is written with its media in one transaction
//! ([`Store::put_item`]), so a crash never leaves an item without its media.
//! The schema is an ordered list of migrations; its version is in
//! `PRAGMA user_version` ([`SCHEMA_VERSION`]), and the `meta` table records
//! the vidi version that created the database.
//!
//! Tables (schema 2): `meta`, `agencies`, `cases`, `media` (one row per
//! SHA-256: normalised columns for queries plus the full metadata JSON),
//! `pdq_dihedral`, `vpdq_frames`, `thumbnails` (derived rows of a media,
//! replaced together when a newer pipeline re-processes it), `evidence`
//! (identity: case + path) and `ingest_runs`. Hashes are lower-case hex
//! text.
//!
//! Durability: WAL with `synchronous = NORMAL`: a committed item survives
//! the process being killed; an OS crash may lose the last few items but
//! never corrupts the database. Several threads or processes may open the
//! same workspace (one [`Store`] each); writers wait for each other.
#![warn(missing_docs)]

mod blob;
mod error;
mod schema;
mod store;
mod workspace;

pub use blob::{BlobStore, thumb_key, validate_key};
pub use error::StoreError;
pub use schema::{SCHEMA_VERSION, migration_sql};
pub use store::{
    CategoryRecord, Change, ClueBatch, ClueRow, ClueRun, Counts, EvidenceRow, HashSetInfo,
    HashSetStatus, HashSetWriter, HitRow, HitRule, IMPORT_BATCH, MIN_PREFIX, MatchMedia, NewHit,
    PutOutcome, RunInfo, RunRow, RunStatus, Store, StoredEntry,
};
pub use store::{LinkEnd, LinkKind, LinkRow, NewLink, RecordedLinks};
pub use store::{accounts, audit, embeddings, leads, series};
pub use workspace::{BLOBS_DIR, DB_FILE, INDEXES_DIR, Workspace};
