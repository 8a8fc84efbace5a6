//! Bulk writes: many evidence items (with their media) or many extractors'
//! clues in ONE transaction with cached prepared statements. For seeding
//! large workspaces (benchmarks, tests); the per-item paths
//! ([`Store::put_item`], [`Store::put_clues`]) stay the ones ingest uses.

use rusqlite::{TransactionBehavior, params};
use vidi_types::{EvidenceItem, MediaRecord, Sha256};

use super::audit::{AuditEvent, append_in};
use super::clues::insert_clue_rows;
use super::{ClueRow, Store, codec};
use crate::StoreError;
use crate::error::clip;

/// The clues of one extractor on one media, for [`Store::put_clues_bulk`].
#[derive(Debug, Clone, PartialEq)]
pub struct ClueBatch {
    /// The media.
    pub media: Sha256,
    /// Extractor id.
    pub extractor: String,
    /// Its fingerprint.
    pub fingerprint: String,
    /// The clues (replacing the extractor's earlier clues of the media).
    pub clues: Vec<ClueRow>,
}

impl Store {
    /// [`Store::put_item`] for many items in one transaction: a media is
    /// inserted when new or stored by an older pipeline (its derived rows
    /// replaced), an evidence item inserted or overwritten. Either all are
    /// stored or none. Returns the number of media rows written.
    pub fn put_items_bulk(
        &mut self,
        items: &[(Option<&MediaRecord>, &EvidenceItem)],
    ) -> Result<u64, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut written = 0u64;
        for (media, item) in items {
            if let Some(m) = media {
                if item.media != Some(m.digests.sha256) {
                    return Err(StoreError::MediaMismatch {
                        path: item.path.clone(),
                        item: item.media.map(|s| s.to_hex()),
                        given: m.digests.sha256.to_hex(),
                    });
                }
                let sha = m.digests.sha256.to_hex();
                match codec::media_version(&tx, &sha)? {
                    None => {
                        codec::upsert_media(&tx, m)?;
                        written += 1;
                    }
                    Some(stored) if stored < m.pipeline_version => {
                        codec::delete_media_children(&tx, &sha)?;
                        codec::upsert_media(&tx, m)?;
                        written += 1;
                    }
                    Some(_) => {}
                }
            } else if let Some(sha) = item.media
                && codec::media_version(&tx, &sha.to_hex())?.is_none()
            {
                return Err(StoreError::MissingMedia {
                    path: item.path.clone(),
                    sha256: sha.to_hex(),
                });
            }
            let agency_id = codec::agency_id(&tx, &item.agency)?;
            let case_id = codec::case_id(&tx, &item.case, agency_id)?;
            codec::write_evidence(&tx, case_id, agency_id, item)?;
        }
        tx.commit()?;
        Ok(written)
    }

    /// [`Store::append_audit`] for several events in ONE write transaction
    /// (group commit: a server appends the events of concurrent requests
    /// together): all are chained and stored, or none. Their `seq`s in
    /// order.
    pub fn append_audit_batch(&mut self, events: &[AuditEvent]) -> Result<Vec<i64>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut seqs = Vec::with_capacity(events.len());
        for e in events {
            seqs.push(append_in(&tx, e)?);
        }
        tx.commit()?;
        Ok(seqs)
    }

    /// [`Store::put_clues`] (without errors) for many (media, extractor)
    /// pairs in one transaction.
    pub fn put_clues_bulk(&mut self, batches: &[ClueBatch]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        for b in batches {
            let sha = b.media.to_hex();
            tx.prepare_cached("DELETE FROM clues WHERE media_sha256 = ?1 AND extractor = ?2")?
                .execute(params![sha, b.extractor])?;
            insert_clue_rows(&tx, &sha, &b.extractor, &b.clues)?;
            tx.prepare_cached(
                "INSERT INTO clue_runs (media_sha256, extractor, fingerprint, error)
                 VALUES (?1, ?2, ?3, NULL)
                 ON CONFLICT (media_sha256, extractor) DO UPDATE SET
                     fingerprint = excluded.fingerprint, error = NULL,
                     ran_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
            )?
            .execute(params![sha, b.extractor, clip(&b.fingerprint)])?;
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Workspace;
    use vidi_testkit::media::{bare_record, digests};
    use vidi_types::{FileType, MediaKind};

    fn media(i: u8) -> MediaRecord {
        MediaRecord {
            size: 10,
            width: Some(4),
            height: Some(3),
            ..bare_record(digests(i, [i; 32]), MediaKind::Image, "image/jpeg")
        }
    }

    fn item(i: u8, case: &str) -> EvidenceItem {
        EvidenceItem {
            path: format!("/e/{case}/{i}.jpg"),
            size: 10,
            mtime: Some(1),
            ctime: None,
            atime: None,
            file_type: FileType::Regular,
            case: case.into(),
            agency: "AG".into(),
            media: Some(Sha256([i; 32])),
            error: None,
        }
    }

    #[test]
    fn bulk_items_and_clues_are_stored_like_single_ones() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(dir.path()).unwrap();
        let mut store = Store::open(&ws).unwrap();
        let ms: Vec<MediaRecord> = (1..=3).map(media).collect();
        let its: Vec<EvidenceItem> = (1..=3).map(|i| item(i, "C1")).collect();
        let mut rows: Vec<(Option<&MediaRecord>, &EvidenceItem)> =
            ms.iter().map(Some).zip(its.iter()).collect();
        let again = item(1, "C2");
        rows.push((None, &again));
        assert_eq!(store.put_items_bulk(&rows).unwrap(), 3);
        // Same content again: nothing new.
        assert_eq!(store.put_items_bulk(&rows).unwrap(), 0);
        assert_eq!(store.counts().unwrap().media, 3);
        assert_eq!(store.counts().unwrap().evidence, 4);
        // A dangling evidence item rolls the whole batch back.
        let dangling = item(9, "C3");
        let bad = [(None, &its[0]), (None, &dangling)];
        assert!(matches!(
            store.put_items_bulk(&bad),
            Err(StoreError::MissingMedia { .. })
        ));
        assert_eq!(store.counts().unwrap().evidence, 4);
        let clue = ClueRow {
            kind: "gps_place".into(),
            value: "BE".into(),
            confidence: 0.9,
            extractor: "gps".into(),
            version: 1,
            model_name: None,
            model_sha256: None,
            region: None,
            time_range: None,
            detail: serde_json::Value::Null,
        };
        let batch = ClueBatch {
            media: Sha256([2; 32]),
            extractor: "gps".into(),
            fingerprint: "gps/1".into(),
            clues: vec![clue.clone(), clue],
        };
        store.put_clues_bulk(std::slice::from_ref(&batch)).unwrap();
        store.put_clues_bulk(&[batch]).unwrap();
        assert_eq!(store.clues_for_media(&Sha256([2; 32])).unwrap().len(), 2);
        assert_eq!(
            store
                .clue_fingerprint(&Sha256([2; 32]), "gps")
                .unwrap()
                .as_deref(),
            Some("gps/1")
        );
    }

    #[test]
    fn audit_batch_chains_like_single_appends() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::init(dir.path()).unwrap();
        let mut store = Store::open(&ws).unwrap();
        let e = |o: &str| AuditEvent::new("u", "AG", "media.view", o);
        assert_eq!(store.append_audit(&e("media:1")).unwrap(), 1);
        let seqs = store
            .append_audit_batch(&[e("media:2"), e("media:3"), e("media:4")])
            .unwrap();
        assert_eq!(seqs, vec![2, 3, 4]);
        assert!(store.append_audit_batch(&[]).unwrap().is_empty());
        assert_eq!(store.append_audit(&e("media:5")).unwrap(), 5);
        let report = store.verify_audit().unwrap();
        assert!(report.is_ok(), "{report:?}");
        assert_eq!(store.list_audit(0, 10).unwrap().len(), 5);
    }
}
