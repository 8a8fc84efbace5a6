//! Ingest runs: one row per `vidi ingest`, so an interrupted run is visible.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{Store, codec};
use crate::StoreError;
use crate::error::clip;

/// How an ingest run ended (or that it has not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunStatus {
    /// Started and not finished (yet, or its process died).
    Running,
    /// Finished normally.
    Completed,
    /// Stopped by the user.
    Cancelled,
    /// Stopped by an error.
    Failed,
    /// The process noticed it was crashing.
    Crashed,
    /// Was still `running` when a later run began: its process died.
    Interrupted,
}

impl RunStatus {
    /// Stable lower-case name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::Failed => "failed",
            Self::Crashed => "crashed",
            Self::Interrupted => "interrupted",
        }
    }

    /// Parse the stable name.
    pub fn parse(s: &str) -> Option<RunStatus> {
        Some(match s {
            "running" => Self::Running,
            "completed" => Self::Completed,
            "cancelled" => Self::Cancelled,
            "failed" => Self::Failed,
            "crashed" => Self::Crashed,
            "interrupted" => Self::Interrupted,
            _ => return None,
        })
    }
}

/// What a run was asked to do. No host names or user names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunInfo {
    /// Case number the evidence is ingested into.
    pub case: String,
    /// Agency code of the case owner.
    pub agency: String,
    /// Files and folders given to the run (lossy UTF-8).
    pub roots: Vec<String>,
    /// The ingest pipeline version.
    pub pipeline_version: u32,
}

/// One ingest run as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    /// Run id.
    pub id: i64,
    /// Start time, UTC ISO 8601.
    pub started_at: String,
    /// End time, UTC ISO 8601, when finished.
    pub finished_at: Option<String>,
    /// Status.
    pub status: RunStatus,
    /// The vidi version that ran it.
    pub vidi_version: String,
    /// The pipeline version.
    pub pipeline_version: u32,
    /// Case number.
    pub case: String,
    /// Agency code.
    pub agency: String,
    /// Files and folders given to the run.
    pub roots: Vec<String>,
    /// The summary given to [`Store::finish_run`].
    pub summary: Option<serde_json::Value>,
}

impl Store {
    /// Record the start of an ingest run; returns its id. The agency and
    /// the case (owned by that agency) are created when new. Runs still
    /// `running` from before are marked `interrupted` (their process is
    /// gone, or this is a concurrent run and the mark is pessimistic).
    pub fn begin_run(&mut self, info: &RunInfo) -> Result<i64, StoreError> {
        let roots = serde_json::to_string(&info.roots)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let agency_id = codec::agency_id(&tx, &info.agency)?;
        codec::case_id(&tx, &info.case, agency_id)?;
        let stale = tx.execute(
            "UPDATE ingest_runs SET status = 'interrupted' WHERE status = 'running'",
            [],
        )?;
        if stale > 0 {
            tracing::warn!(
                runs = stale,
                "earlier ingest runs did not finish; marked interrupted"
            );
        }
        tx.execute(
            "INSERT INTO ingest_runs (status, vidi_version, pipeline_version, case_number,
                agency, roots_json)
             VALUES ('running', ?1, ?2, ?3, ?4, ?5)",
            params![
                env!("CARGO_PKG_VERSION"),
                info.pipeline_version,
                info.case,
                info.agency,
                roots
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(id)
    }

    /// Record the end of a run: `status` is `completed`, `cancelled`,
    /// `failed` or `crashed`; `summary` is any JSON the caller wants kept
    /// (counts, durations).
    pub fn finish_run(
        &mut self,
        id: i64,
        status: &str,
        summary: &serde_json::Value,
    ) -> Result<(), StoreError> {
        match RunStatus::parse(status) {
            Some(
                RunStatus::Completed
                | RunStatus::Cancelled
                | RunStatus::Failed
                | RunStatus::Crashed,
            ) => {}
            _ => {
                return Err(StoreError::InvalidRunStatus {
                    status: clip(status),
                });
            }
        }
        let n = self.conn.execute(
            "UPDATE ingest_runs SET status = ?2, summary_json = ?3,
                finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             WHERE id = ?1",
            params![id, status, serde_json::to_string(summary)?],
        )?;
        if n == 0 {
            return Err(StoreError::NoSuchRun { id });
        }
        Ok(())
    }

    /// All runs, newest first.
    pub fn runs(&self) -> Result<Vec<RunRow>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, started_at, finished_at, status, vidi_version, pipeline_version,
                case_number, agency, roots_json, summary_json
             FROM ingest_runs ORDER BY id DESC",
        )?;
        let mut rows = st.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let status: String = r.get(3)?;
            let roots: String = r.get(8)?;
            let summary: Option<String> = r.get(9)?;
            out.push(RunRow {
                id: r.get(0)?,
                started_at: r.get(1)?,
                finished_at: r.get(2)?,
                status: RunStatus::parse(&status).ok_or_else(|| StoreError::Corrupt {
                    column: "ingest_runs.status",
                    value: clip(&status),
                })?,
                vidi_version: r.get(4)?,
                pipeline_version: r.get(5)?,
                case: r.get(6)?,
                agency: r.get(7)?,
                roots: serde_json::from_str(&roots)?,
                summary: summary.map(|s| serde_json::from_str(&s)).transpose()?,
            });
        }
        Ok(out)
    }

    /// One run by id.
    pub fn run(&self, id: i64) -> Result<Option<RunRow>, StoreError> {
        let exists = self
            .conn
            .prepare_cached("SELECT 1 FROM ingest_runs WHERE id = ?1")?
            .query_row([id], |_| Ok(()))
            .optional()?;
        if exists.is_none() {
            return Ok(None);
        }
        Ok(self.runs()?.into_iter().find(|r| r.id == id))
    }
}
