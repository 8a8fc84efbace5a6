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
//! `PRAGMA user_version`.
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
    Change, Counts, EvidenceRow, MIN_PREFIX, PutOutcome, RunInfo, RunRow, RunStatus, Store,
};
pub use workspace::{BLOBS_DIR, DB_FILE, Workspace};
