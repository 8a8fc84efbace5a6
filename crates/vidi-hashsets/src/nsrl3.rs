//! NIST NSRL RDS v3: a SQLite database; the rows come from `FILE` (a view
//! over `METADATA` and `PACKAGE_OBJECT` in the full RDS, a plain table in
//! the minimal sets) with `sha256`, `sha1`, `md5`, `file_name`, `file_size`
//! and `package_id`.
//!
//! The database is opened read-only and rows are streamed one at a time.
//! A rejected row's [`crate::Rejected::line`] is the row's `rowid` when
//! `FILE` is a table, or its 1-based position in the scan when `FILE` is a
//! view (views have no rowid).

use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use crate::category::{Category, Scheme};
use crate::{HashEntry, HashSetError, Md5, ReadSummary, Rejected, Sha1, Sha256, Sink, truncate};

/// Columns `FILE` must have.
const REQUIRED: [&str; 5] = ["sha256", "sha1", "md5", "file_name", "file_size"];

/// Read an NSRL RDS v3 SQLite database, calling `on_entry` for every good
/// `FILE` row (category `nsrl`/`known`, `package_id` as `source_id`) and
/// `on_reject` for every malformed one.
///
/// A file that is not SQLite, or SQLite without a `FILE` table or view with
/// the RDS columns, gives [`HashSetError::Sqlite`] or
/// [`HashSetError::NotRds3`] naming what is missing.
pub fn read_nsrl3(
    path: &Path,
    on_entry: &mut dyn FnMut(HashEntry),
    on_reject: &mut dyn FnMut(Rejected),
) -> Result<ReadSummary, HashSetError> {
    let sql = |source| HashSetError::Sqlite {
        path: path.to_owned(),
        source,
    };
    let missing = |what: String| HashSetError::NotRds3 {
        path: path.to_owned(),
        missing: what,
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql)?;
    let kind: Option<String> = conn
        .query_row(
            "SELECT type FROM sqlite_master WHERE name = 'FILE' COLLATE NOCASE \
             AND type IN ('table', 'view') LIMIT 1",
            [],
            |r| r.get(0),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })
        .map_err(sql)?;
    let Some(kind) = kind else {
        return Err(missing("table or view FILE".into()));
    };
    let mut columns = Vec::new();
    {
        let mut info = conn.prepare("PRAGMA table_info(FILE)").map_err(sql)?;
        let mut rows = info.query([]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let name: String = r.get(1).map_err(sql)?;
            columns.push(name.to_ascii_lowercase());
        }
    }
    for c in REQUIRED {
        if !columns.iter().any(|n| n == c) {
            return Err(missing(format!("column FILE.{c}")));
        }
    }
    let package = if columns.iter().any(|n| n == "package_id") {
        "package_id"
    } else {
        "NULL"
    };
    let query = |id: &str| {
        format!("SELECT {id}, sha256, sha1, md5, file_name, file_size, {package} FROM FILE")
    };
    let mut stmt = match kind.as_str() {
        "table" => conn
            .prepare(&query("rowid"))
            .or_else(|_| conn.prepare(&query("NULL"))),
        _ => conn.prepare(&query("NULL")),
    }
    .map_err(sql)?;

    let mut sink = Sink {
        on_entry,
        on_reject,
        summary: ReadSummary::default(),
    };
    let mut rows = stmt.query([]).map_err(sql)?;
    let mut ordinal = 0u64;
    while let Some(row) = rows.next().map_err(sql)? {
        ordinal += 1;
        let id = match row.get_ref(0).map_err(sql)? {
            ValueRef::Integer(i) => u64::try_from(i).unwrap_or(ordinal),
            _ => ordinal,
        };
        match parse_row(row).map_err(sql)? {
            Ok(e) => sink.accept(e),
            Err(reason) => sink.reject(Some(id), None, format!("row {id}: {reason}")),
        }
    }
    tracing::debug!(
        path = %path.display(),
        read = sink.summary.read,
        rejected = sink.summary.rejected,
        "NSRL RDS v3 read"
    );
    Ok(sink.summary)
}

/// Text of a column; NULL or blank = None; a blob or non-UTF-8 text is bad.
fn text<'r>(v: ValueRef<'r>, col: &str) -> Result<Option<std::borrow::Cow<'r, str>>, String> {
    match v {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => {
            let s = std::str::from_utf8(t).map_err(|_| format!("{col}: not UTF-8"))?;
            Ok((!s.trim().is_empty()).then(|| s.trim().into()))
        }
        ValueRef::Integer(i) => Ok(Some(i.to_string().into())),
        ValueRef::Real(_) | ValueRef::Blob(_) => Err(format!("{col}: not text")),
    }
}

fn hash<T>(
    v: ValueRef<'_>,
    col: &str,
    parse: fn(&str) -> Result<T, vidi_types::HexError>,
) -> Result<Option<T>, String> {
    match text(v, col)? {
        None => Ok(None),
        Some(s) => parse(&s)
            .map(Some)
            .map_err(|_| format!("bad {col} {:?}", truncate(&s))),
    }
}

/// One row → entry, or why it is bad (the outer error is SQLite's own).
fn parse_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<HashEntry, String>> {
    let v = |i| row.get_ref(i);
    let (sha256, sha1, md5, name, size, pkg) = (v(1)?, v(2)?, v(3)?, v(4)?, v(5)?, v(6)?);
    Ok((|| {
        let e = HashEntry {
            sha256: hash(sha256, "sha256", Sha256::from_hex)?,
            sha1: hash(sha1, "sha1", Sha1::from_hex)?,
            md5: hash(md5, "md5", Md5::from_hex)?,
            file_name: text(name, "file_name")?.map(|s| s.into_owned()),
            size: match size {
                ValueRef::Null => None,
                ValueRef::Integer(i) => {
                    Some(u64::try_from(i).map_err(|_| "file_size: negative".to_owned())?)
                }
                other => match text(other, "file_size")? {
                    None => None,
                    Some(s) => Some(
                        s.parse::<u64>()
                            .map_err(|_| format!("bad file_size {:?}", truncate(&s)))?,
                    ),
                },
            },
            source_id: text(pkg, "package_id")?.map(|s| s.into_owned()),
            categories: vec![Category::new(Scheme::Nsrl, "known")],
            ..HashEntry::default()
        };
        if e.sha256.is_none() && e.sha1.is_none() && e.md5.is_none() {
            return Err("no sha256, sha1 or md5".to_owned());
        }
        Ok(e)
    })())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_values() {
        assert_eq!(text(ValueRef::Null, "c").unwrap(), None);
        assert_eq!(text(ValueRef::Text(b"  "), "c").unwrap(), None);
        assert_eq!(
            text(ValueRef::Integer(5), "c").unwrap().as_deref(),
            Some("5")
        );
        assert!(text(ValueRef::Text(b"\xff"), "c").is_err());
        assert!(text(ValueRef::Blob(b"x"), "c").is_err());
    }
}
