//! Conversions between domain types and SQL rows.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row, ToSql, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use vidi_types::{
    Digests, EvidenceItem, FileError, FileType, Md5, MediaKind, MediaRecord, PdqHash,
    PdqWithQuality, Sha1, Sha256, Thumbnail, VpdqFrame,
};

use crate::StoreError;
use crate::error::clip;

/// The stable serde name of a unit enum variant (`"too_large"`, `"exif"`).
pub(crate) fn enum_name<T: Serialize>(v: &T) -> Result<String, StoreError> {
    match serde_json::to_value(v)? {
        serde_json::Value::String(s) => Ok(s),
        other => Err(StoreError::Corrupt {
            column: "enum",
            value: clip(&other.to_string()),
        }),
    }
}

/// Parse a serde name back into a unit enum variant.
pub(crate) fn parse_enum<T: DeserializeOwned>(
    column: &'static str,
    s: &str,
) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| {
        StoreError::Corrupt {
            column,
            value: clip(s),
        }
    })
}

pub(crate) fn to_i64(v: u64, what: &'static str) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::OutOfRange { what })
}

fn to_u64(v: i64, column: &'static str) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::Corrupt {
        column,
        value: v.to_string(),
    })
}

fn hex_err(column: &'static str, s: &str) -> StoreError {
    StoreError::Corrupt {
        column,
        value: clip(s),
    }
}

pub(crate) fn parse_sha256(column: &'static str, s: &str) -> Result<Sha256, StoreError> {
    Sha256::from_hex(s).map_err(|_| hex_err(column, s))
}

fn parse_pdq(column: &'static str, s: &str) -> Result<PdqHash, StoreError> {
    PdqHash::from_hex(s).map_err(|_| hex_err(column, s))
}

fn file_error(
    column: &'static str,
    kind: Option<String>,
    message: Option<String>,
) -> Result<Option<FileError>, StoreError> {
    match kind {
        None => Ok(None),
        Some(k) => Ok(Some(FileError {
            kind: parse_enum(column, &k)?,
            message: message.unwrap_or_default(),
        })),
    }
}

fn error_columns(e: Option<&FileError>) -> Result<(Option<String>, Option<&str>), StoreError> {
    match e {
        None => Ok((None, None)),
        Some(e) => Ok((Some(enum_name(&e.kind)?), Some(e.message.as_str()))),
    }
}

/// Insert or overwrite a media row, and insert its derived rows. The caller
/// deletes old derived rows first ([`delete_media_children`]).
pub(crate) fn upsert_media(conn: &Connection, m: &MediaRecord) -> Result<(), StoreError> {
    let sha = m.digests.sha256.to_hex();
    let md = &m.metadata;
    let gps = md.gps.as_ref();
    let gps_source = gps.map(|g| enum_name(&g.source)).transpose()?;
    let gps_flags = match gps {
        Some(g) if !g.flags.is_empty() => Some(
            g.flags
                .iter()
                .map(enum_name)
                .collect::<Result<Vec<_>, _>>()?
                .join(","),
        ),
        _ => None,
    };
    let (error_kind, error_message) = error_columns(m.error.as_ref())?;
    let video_json = m.video.as_ref().map(serde_json::to_string).transpose()?;
    let dihedral_count = m
        .pdq_dihedral
        .as_ref()
        .map(|d| to_i64(d.len() as u64, "pdq_dihedral"))
        .transpose()?;
    conn.prepare_cached(
        "INSERT INTO media (sha256, md5, sha1, size, kind, mime, width, height, frame_count,
            duration_s, pdq, pdq_quality, dihedral_count, video_json, taken_at, camera_make,
            camera_model, camera_serial, gps_lat, gps_lon, gps_alt, gps_source, gps_flags,
            metadata_json, error_kind, error_message, pipeline_version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
            ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)
         ON CONFLICT(sha256) DO UPDATE SET md5 = excluded.md5, sha1 = excluded.sha1,
            size = excluded.size, kind = excluded.kind, mime = excluded.mime,
            width = excluded.width, height = excluded.height,
            frame_count = excluded.frame_count, duration_s = excluded.duration_s,
            pdq = excluded.pdq, pdq_quality = excluded.pdq_quality,
            dihedral_count = excluded.dihedral_count, video_json = excluded.video_json,
            taken_at = excluded.taken_at, camera_make = excluded.camera_make,
            camera_model = excluded.camera_model, camera_serial = excluded.camera_serial,
            gps_lat = excluded.gps_lat, gps_lon = excluded.gps_lon, gps_alt = excluded.gps_alt,
            gps_source = excluded.gps_source, gps_flags = excluded.gps_flags,
            metadata_json = excluded.metadata_json, error_kind = excluded.error_kind,
            error_message = excluded.error_message,
            pipeline_version = excluded.pipeline_version,
            updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
    )?
    .execute(params![
        sha,
        m.digests.md5.to_hex(),
        m.digests.sha1.to_hex(),
        to_i64(m.size, "media size")?,
        m.kind.as_str(),
        m.mime,
        m.width,
        m.height,
        m.frame_count,
        m.duration_s,
        m.pdq.map(|p| p.hash.to_hex()),
        m.pdq.map(|p| p.quality),
        dihedral_count,
        video_json,
        md.taken_at,
        md.camera.make,
        md.camera.model,
        md.camera.serial,
        gps.and_then(|g| g.lat),
        gps.and_then(|g| g.lon),
        gps.and_then(|g| g.alt),
        gps_source,
        gps_flags,
        serde_json::to_string(md)?,
        error_kind,
        error_message,
        m.pipeline_version,
    ])?;
    if let Some(dihedral) = &m.pdq_dihedral {
        let mut st = conn.prepare_cached(
            "INSERT INTO pdq_dihedral (sha256, variant, pdq) VALUES (?1, ?2, ?3)",
        )?;
        for (i, h) in dihedral.iter().enumerate() {
            st.execute(params![sha, to_i64(i as u64, "dihedral")?, h.to_hex()])?;
        }
    }
    let mut st = conn.prepare_cached(
        "INSERT INTO vpdq_frames (sha256, seq, frame_number, timestamp_s, pdq, quality)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, f) in m.vpdq.iter().enumerate() {
        st.execute(params![
            sha,
            to_i64(i as u64, "vpdq frame")?,
            f.frame_number,
            f.timestamp_s,
            f.hash.to_hex(),
            f.quality
        ])?;
    }
    let mut st = conn.prepare_cached(
        "INSERT INTO thumbnails (sha256, seq, blob_key, width, height, timestamp_s)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, t) in m.thumbnails.iter().enumerate() {
        st.execute(params![
            sha,
            to_i64(i as u64, "thumbnail")?,
            t.key,
            t.width,
            t.height,
            t.timestamp_s
        ])?;
    }
    Ok(())
}

/// Delete a media's derived rows (pdq dihedral, vPDQ frames, thumbnails).
pub(crate) fn delete_media_children(conn: &Connection, sha: &str) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM pdq_dihedral WHERE sha256 = ?1",
        "DELETE FROM vpdq_frames WHERE sha256 = ?1",
        "DELETE FROM thumbnails WHERE sha256 = ?1",
    ] {
        conn.prepare_cached(sql)?.execute([sha])?;
    }
    Ok(())
}

/// Columns read by [`media_from_row`], for `SELECT {MEDIA_COLUMNS} FROM media`.
pub(crate) const MEDIA_COLUMNS: &str = "sha256, md5, sha1, size, kind, mime, width, height, \
    frame_count, duration_s, pdq, pdq_quality, dihedral_count, video_json, metadata_json, \
    error_kind, error_message, pipeline_version";

/// A media row without its child rows (filled by [`load_media_children`]).
pub(crate) fn media_from_row(row: &Row<'_>) -> Result<MediaRecord, StoreError> {
    let sha: String = row.get(0)?;
    let md5: String = row.get(1)?;
    let sha1: String = row.get(2)?;
    let kind: String = row.get(4)?;
    let pdq: Option<String> = row.get(10)?;
    let pdq_quality: Option<u8> = row.get(11)?;
    let dihedral_count: Option<i64> = row.get(12)?;
    let video_json: Option<String> = row.get(13)?;
    let metadata_json: String = row.get(14)?;
    let pdq = match (pdq, pdq_quality) {
        (Some(h), Some(q)) => Some(PdqWithQuality {
            hash: parse_pdq("media.pdq", &h)?,
            quality: q,
        }),
        _ => None,
    };
    Ok(MediaRecord {
        digests: Digests {
            md5: Md5::from_hex(&md5).map_err(|_| hex_err("media.md5", &md5))?,
            sha1: Sha1::from_hex(&sha1).map_err(|_| hex_err("media.sha1", &sha1))?,
            sha256: parse_sha256("media.sha256", &sha)?,
        },
        size: to_u64(row.get(3)?, "media.size")?,
        kind: MediaKind::parse(&kind).ok_or_else(|| StoreError::Corrupt {
            column: "media.kind",
            value: clip(&kind),
        })?,
        mime: row.get(5)?,
        width: row.get(6)?,
        height: row.get(7)?,
        frame_count: row.get(8)?,
        duration_s: row.get(9)?,
        pdq,
        pdq_dihedral: dihedral_count.map(|_| Vec::new()),
        vpdq: Vec::new(),
        video: video_json.map(|j| serde_json::from_str(&j)).transpose()?,
        metadata: serde_json::from_str(&metadata_json)?,
        thumbnails: Vec::new(),
        error: file_error("media.error_kind", row.get(15)?, row.get(16)?)?,
        pipeline_version: row.get(17)?,
    })
}

fn vpdq_from_row(r: &Row<'_>, at: usize) -> Result<VpdqFrame, StoreError> {
    let h: String = r.get(at + 2)?;
    let ts: Option<f64> = r.get(at + 1)?;
    Ok(VpdqFrame {
        frame_number: r.get(at)?,
        // SQLite stores NaN as NULL.
        timestamp_s: ts.unwrap_or(f64::NAN),
        hash: parse_pdq("vpdq_frames.pdq", &h)?,
        quality: r.get(at + 3)?,
    })
}

fn thumb_from_row(r: &Row<'_>, at: usize) -> Result<Thumbnail, StoreError> {
    Ok(Thumbnail {
        key: r.get(at)?,
        width: r.get(at + 1)?,
        height: r.get(at + 2)?,
        timestamp_s: r.get(at + 3)?,
    })
}

/// Fill the dihedral hashes, vPDQ frames and thumbnails of a media.
pub(crate) fn load_media_children(
    conn: &Connection,
    m: &mut MediaRecord,
) -> Result<(), StoreError> {
    let sha = m.digests.sha256.to_hex();
    if let Some(dihedral) = m.pdq_dihedral.as_mut() {
        let mut st =
            conn.prepare_cached("SELECT pdq FROM pdq_dihedral WHERE sha256 = ?1 ORDER BY variant")?;
        let mut rows = st.query([&sha])?;
        while let Some(r) = rows.next()? {
            let h: String = r.get(0)?;
            dihedral.push(parse_pdq("pdq_dihedral.pdq", &h)?);
        }
    }
    let mut st = conn.prepare_cached(
        "SELECT frame_number, timestamp_s, pdq, quality FROM vpdq_frames
         WHERE sha256 = ?1 ORDER BY seq",
    )?;
    let mut rows = st.query([&sha])?;
    while let Some(r) = rows.next()? {
        m.vpdq.push(vpdq_from_row(r, 0)?);
    }
    let mut st = conn.prepare_cached(
        "SELECT blob_key, width, height, timestamp_s FROM thumbnails
         WHERE sha256 = ?1 ORDER BY seq",
    )?;
    let mut rows = st.query([&sha])?;
    while let Some(r) = rows.next()? {
        m.thumbnails.push(thumb_from_row(r, 0)?);
    }
    Ok(())
}

/// Every media whose SHA-256 hex is returned by `subquery` (one column,
/// one parameter `?1`), complete with derived rows, keyed by SHA-256 hex.
/// Four queries however many media: for listings.
pub(crate) fn load_media_in(
    conn: &Connection,
    subquery: &str,
    param: &dyn ToSql,
) -> Result<HashMap<String, MediaRecord>, StoreError> {
    let mut out = HashMap::new();
    let sql = format!("SELECT {MEDIA_COLUMNS} FROM media WHERE sha256 IN ({subquery})");
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query([param])?;
    while let Some(r) = rows.next()? {
        let m = media_from_row(r)?;
        out.insert(m.digests.sha256.to_hex(), m);
    }
    let sql = format!(
        "SELECT sha256, pdq FROM pdq_dihedral WHERE sha256 IN ({subquery})
         ORDER BY sha256, variant"
    );
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query([param])?;
    while let Some(r) = rows.next()? {
        let sha: String = r.get(0)?;
        if let Some(d) = out.get_mut(&sha).and_then(|m| m.pdq_dihedral.as_mut()) {
            let h: String = r.get(1)?;
            d.push(parse_pdq("pdq_dihedral.pdq", &h)?);
        }
    }
    let sql = format!(
        "SELECT sha256, frame_number, timestamp_s, pdq, quality FROM vpdq_frames
         WHERE sha256 IN ({subquery}) ORDER BY sha256, seq"
    );
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query([param])?;
    while let Some(r) = rows.next()? {
        let sha: String = r.get(0)?;
        if let Some(m) = out.get_mut(&sha) {
            m.vpdq.push(vpdq_from_row(r, 1)?);
        }
    }
    let sql = format!(
        "SELECT sha256, blob_key, width, height, timestamp_s FROM thumbnails
         WHERE sha256 IN ({subquery}) ORDER BY sha256, seq"
    );
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query([param])?;
    while let Some(r) = rows.next()? {
        let sha: String = r.get(0)?;
        if let Some(m) = out.get_mut(&sha) {
            m.thumbnails.push(thumb_from_row(r, 1)?);
        }
    }
    Ok(out)
}

/// One full media record by SHA-256 hex.
pub(crate) fn load_media(conn: &Connection, sha: &str) -> Result<Option<MediaRecord>, StoreError> {
    let sql = format!("SELECT {MEDIA_COLUMNS} FROM media WHERE sha256 = ?1");
    let mut st = conn.prepare_cached(&sql)?;
    let mut rows = st.query([sha])?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let mut m = media_from_row(row)?;
    load_media_children(conn, &mut m)?;
    Ok(Some(m))
}

/// Columns read by [`evidence_from_row`]; the query must join `cases c` and
/// `agencies a` to `evidence e`.
pub(crate) const EVIDENCE_COLUMNS: &str = "e.path, e.size, e.mtime, e.ctime, e.atime, \
    e.file_type, e.link_target, e.special_kind, c.number, a.code, e.media_sha256, \
    e.error_kind, e.error_message";

/// The `FROM` clause matching [`EVIDENCE_COLUMNS`].
pub(crate) const EVIDENCE_FROM: &str = "evidence e JOIN cases c ON c.id = e.case_id \
    JOIN agencies a ON a.id = e.agency_id";

pub(crate) fn evidence_from_row(row: &Row<'_>) -> Result<EvidenceItem, StoreError> {
    let file_type: String = row.get(5)?;
    let file_type = match file_type.as_str() {
        "regular" => FileType::Regular,
        "symlink" => FileType::Symlink {
            target: row.get::<_, Option<String>>(6)?.unwrap_or_default(),
        },
        "special" => FileType::Special {
            what: row.get::<_, Option<String>>(7)?.unwrap_or_default(),
        },
        other => {
            return Err(StoreError::Corrupt {
                column: "evidence.file_type",
                value: clip(other),
            });
        }
    };
    let media: Option<String> = row.get(10)?;
    Ok(EvidenceItem {
        path: row.get(0)?,
        size: to_u64(row.get(1)?, "evidence.size")?,
        mtime: row.get(2)?,
        ctime: row.get(3)?,
        atime: row.get(4)?,
        file_type,
        case: row.get(8)?,
        agency: row.get(9)?,
        media: media
            .map(|s| parse_sha256("evidence.media_sha256", &s))
            .transpose()?,
        error: file_error("evidence.error_kind", row.get(11)?, row.get(12)?)?,
    })
}

/// The id of an agency, created when missing.
pub(crate) fn agency_id(conn: &Connection, code: &str) -> Result<i64, StoreError> {
    conn.prepare_cached("INSERT INTO agencies (code) VALUES (?1) ON CONFLICT(code) DO NOTHING")?
        .execute([code])?;
    Ok(conn
        .prepare_cached("SELECT id FROM agencies WHERE code = ?1")?
        .query_row([code], |r| r.get(0))?)
}

/// The id of a case, created (owned by `agency_id`) when missing.
pub(crate) fn case_id(conn: &Connection, number: &str, agency_id: i64) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO cases (number, agency_id) VALUES (?1, ?2) ON CONFLICT(number) DO NOTHING",
    )?
    .execute(params![number, agency_id])?;
    Ok(conn
        .prepare_cached("SELECT id FROM cases WHERE number = ?1")?
        .query_row([number], |r| r.get(0))?)
}

/// The stored evidence item for (case id, path), if any, with its row id.
pub(crate) fn find_evidence(
    conn: &Connection,
    case_id: i64,
    path: &str,
) -> Result<Option<(i64, EvidenceItem)>, StoreError> {
    let sql = format!(
        "SELECT {EVIDENCE_COLUMNS}, e.id FROM {EVIDENCE_FROM} WHERE e.case_id = ?1 AND e.path = ?2"
    );
    let mut st = conn.prepare_cached(&sql)?;
    let mut rows = st.query(params![case_id, path])?;
    match rows.next()? {
        None => Ok(None),
        Some(row) => Ok(Some((row.get(13)?, evidence_from_row(row)?))),
    }
}

/// Insert the evidence row of (case, path), or overwrite it when it exists.
pub(crate) fn write_evidence(
    conn: &Connection,
    case_id: i64,
    agency_id: i64,
    item: &EvidenceItem,
) -> Result<(), StoreError> {
    let (file_type, link_target, special_kind) = match &item.file_type {
        FileType::Regular => ("regular", None, None),
        FileType::Symlink { target } => ("symlink", Some(target.as_str()), None),
        FileType::Special { what } => ("special", None, Some(what.as_str())),
    };
    let (error_kind, error_message) = error_columns(item.error.as_ref())?;
    let media = item.media.map(|s| s.to_hex());
    let size = to_i64(item.size, "evidence size")?;
    conn.prepare_cached(
        "INSERT INTO evidence (case_id, path, size, mtime, ctime, atime, file_type,
            link_target, special_kind, agency_id, media_sha256, error_kind, error_message)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (case_id, path) DO UPDATE SET size = excluded.size,
            mtime = excluded.mtime, ctime = excluded.ctime, atime = excluded.atime,
            file_type = excluded.file_type, link_target = excluded.link_target,
            special_kind = excluded.special_kind, agency_id = excluded.agency_id,
            media_sha256 = excluded.media_sha256, error_kind = excluded.error_kind,
            error_message = excluded.error_message,
            updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
    )?
    .execute(params![
        case_id,
        item.path,
        size,
        item.mtime,
        item.ctime,
        item.atime,
        file_type,
        link_target,
        special_kind,
        agency_id,
        media,
        error_kind,
        error_message
    ])?;
    Ok(())
}

/// The pipeline version of a stored media, if stored.
pub(crate) fn media_version(conn: &Connection, sha: &str) -> Result<Option<u32>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT pipeline_version FROM media WHERE sha256 = ?1")?
        .query_row([sha], |r| r.get(0))
        .optional()?)
}
