//! Records of the dissemination packages built from approved leads (the
//! package file itself is a blob; `vidi-package` writes it).
//!
//! A package is visible to the users of the agency that built it.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Actor, LeadError};
use crate::Store;
use crate::store::audit::append_in;

/// A stored package record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageRecord {
    /// Id.
    pub id: i64,
    /// Receiving country.
    pub country: String,
    /// Version (per country, from 1).
    pub version: u32,
    /// The leads it holds.
    pub leads: Vec<i64>,
    /// SHA-256 of the package file (hex).
    pub sha256: String,
    /// File name offered for download.
    pub file_name: String,
    /// Blob key of the file.
    #[serde(skip)]
    pub blob_key: String,
    /// Size in bytes.
    pub size: u64,
    /// Who built it.
    pub built_by: String,
    /// Their agency.
    pub agency: String,
    /// When (UTC).
    pub built_at: String,
}

/// What [`Store::record_package`] stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPackageRecord<'a> {
    /// Receiving country.
    pub country: &'a str,
    /// Version (from [`Store::next_package_version`]).
    pub version: u32,
    /// The leads it holds.
    pub leads: &'a [i64],
    /// SHA-256 of the file (hex).
    pub sha256: &'a str,
    /// File name.
    pub file_name: &'a str,
    /// Blob key of the stored file.
    pub blob_key: &'a str,
    /// Size in bytes.
    pub size: u64,
}

const COLS: &str =
    "id, country, version, lead_ids, sha256, file_name, blob_key, size, built_by, agency, built_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(PackageRecord, String)> {
    Ok((
        PackageRecord {
            id: r.get(0)?,
            country: r.get(1)?,
            version: r.get(2)?,
            leads: Vec::new(),
            sha256: r.get(4)?,
            file_name: r.get(5)?,
            blob_key: r.get(6)?,
            size: r.get::<_, i64>(7)?.try_into().unwrap_or(0),
            built_by: r.get(8)?,
            agency: r.get(9)?,
            built_at: r.get(10)?,
        },
        r.get(3)?,
    ))
}

fn finish((mut p, leads): (PackageRecord, String)) -> Result<PackageRecord, LeadError> {
    p.leads = serde_json::from_str(&leads)?;
    Ok(p)
}

impl Store {
    /// The next version number of a country's packages (1 for the first).
    pub fn next_package_version(&self, country: &str) -> Result<u32, LeadError> {
        let v: i64 = self.conn.query_row(
            "SELECT coalesce(max(version), 0) + 1 FROM packages WHERE country = ?1",
            [country],
            |r| r.get(0),
        )?;
        u32::try_from(v).map_err(|_| LeadError::Invalid {
            field: "version",
            reason: "out of range",
        })
    }

    /// Record a built package and audit it (`package.build`).
    pub fn record_package(
        &mut self,
        actor: &Actor,
        p: &NewPackageRecord<'_>,
    ) -> Result<PackageRecord, LeadError> {
        let tx = self.write_tx()?;
        tx.execute(
            "INSERT INTO packages (country, version, lead_ids, sha256, file_name, blob_key, size,
                                   built_by, agency)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                p.country,
                p.version,
                serde_json::to_string(p.leads)?,
                p.sha256,
                p.file_name,
                p.blob_key,
                i64::try_from(p.size).unwrap_or(i64::MAX),
                actor.user,
                actor.agency
            ],
        )?;
        let id = tx.last_insert_rowid();
        append_in(
            &tx,
            &actor
                .event("package.build", format!("package:{id}"))
                .with_detail(format!("{} v{} sha256 {}", p.country, p.version, p.sha256)),
        )?;
        let rec = tx.query_row(
            &format!("SELECT {COLS} FROM packages WHERE id = ?1"),
            [id],
            row,
        )?;
        tx.commit()?;
        finish(rec)
    }

    /// Packages built by `agency` (all when `None`), newest first.
    pub fn packages(&self, agency: Option<&str>) -> Result<Vec<PackageRecord>, LeadError> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {COLS} FROM packages WHERE ?1 IS NULL OR agency = ?1 ORDER BY id DESC"
        ))?;
        let rows = st.query_map([agency], row)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(finish(r?)?);
        }
        Ok(out)
    }

    /// One package, when it exists and (with `agency`) that agency built it.
    pub fn package_record(
        &self,
        id: i64,
        agency: Option<&str>,
    ) -> Result<Option<PackageRecord>, LeadError> {
        let r = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLS} FROM packages WHERE id = ?1 AND (?2 IS NULL OR agency = ?2)"
            ))?
            .query_row(params![id, agency], row)
            .optional()?;
        r.map(finish).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Workspace;

    #[test]
    fn records_versions_and_audits() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(&dir.path().join("W")).unwrap();
        let mut s = Store::open(&ws).unwrap();
        let actor = Actor {
            user: "rev".into(),
            agency: "A".into(),
            reviewer: true,
            client: None,
        };
        assert_eq!(s.next_package_version("ES").unwrap(), 1);
        let sha = "ab".repeat(32);
        let rec = NewPackageRecord {
            country: "ES",
            version: 1,
            leads: &[3, 4],
            sha256: &sha,
            file_name: "p.tar",
            blob_key: "packages/x.tar",
            size: 10,
        };
        let p = s.record_package(&actor, &rec).unwrap();
        assert_eq!(p.leads, [3, 4]);
        assert_eq!(s.next_package_version("ES").unwrap(), 2);
        assert!(
            s.record_package(&actor, &rec).is_err(),
            "same version twice"
        );
        assert_eq!(s.packages(Some("A")).unwrap().len(), 1);
        assert!(s.packages(Some("B")).unwrap().is_empty());
        assert!(s.package_record(p.id, Some("B")).unwrap().is_none());
        assert_eq!(s.package_record(p.id, None).unwrap().unwrap().sha256, sha);
        let audit = s.list_audit(0, 10).unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].event.action, "package.build");
    }
}
