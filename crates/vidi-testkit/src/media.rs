//! Media records and evidence items for tests that write to a store
//! without ingesting files.

use vidi_types::{
    Digests, EvidenceItem, FileType, Md5, MediaKind, MediaRecord, Metadata, Sha1, Sha256,
};

/// Digests whose MD5 and SHA-1 bytes are all `fill`, with this SHA-256.
pub fn digests(fill: u8, sha256: [u8; 32]) -> Digests {
    Digests {
        md5: Md5([fill; 16]),
        sha1: Sha1([fill; 20]),
        sha256: Sha256(sha256),
    }
}

/// A media record of `kind` and `mime` with nothing derived: size 0, no
/// dimensions, hashes, video facts, metadata or thumbnails, no error,
/// pipeline version 1. Set what a test needs with struct update syntax.
pub fn bare_record(digests: Digests, kind: MediaKind, mime: &str) -> MediaRecord {
    MediaRecord {
        digests,
        size: 0,
        kind,
        mime: mime.into(),
        width: None,
        height: None,
        frame_count: None,
        duration_s: None,
        pdq: None,
        pdq_dihedral: None,
        vpdq: Vec::new(),
        video: None,
        metadata: Metadata::default(),
        thumbnails: Vec::new(),
        error: None,
        pipeline_version: 1,
    }
}

/// A regular file at `path` in `case` of `agency`, holding `media` (its
/// size), without times.
pub fn evidence_item(path: String, case: &str, agency: &str, media: &MediaRecord) -> EvidenceItem {
    EvidenceItem {
        path,
        size: media.size,
        mtime: None,
        ctime: None,
        atime: None,
        file_type: FileType::Regular,
        case: case.into(),
        agency: agency.into(),
        media: Some(media.digests.sha256),
        error: None,
    }
}
