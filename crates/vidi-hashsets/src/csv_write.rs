//! Line-format writers: INTERPOL ICSE CSV, ThreatExchange CSV, plain lists.
//!
//! Hex is written lower-case. Line breaks inside a quoted CSV value are
//! written as they are; the readers give them back as `\n` (a `\r\n`
//! inside a value reads back as `\n`).

use std::io::Write;

use crate::HashEntry;
use crate::category::Scheme;
use crate::write::{
    CategoryPolicy, Out, WriteError, WriteStats, bool_text, push_field, select_categories,
};

/// The ICSE header, exactly as the export has it.
pub const ICSE_HEADER: &str = "MD5;SHA1;PhotoDNA;Image ID;Is distributed;Victim identified;Offender identified;Series name;Number of submissions;File Available;Media Type;Baseline";

/// The ThreatExchange CLI CSV header.
pub const TE_HEADER: &str = "signal_type,signal_str,collab,category,tags";

/// What the three line writers share: the output, the category policy, the
/// counters and a reused line buffer.
struct LineSink<W: Write> {
    out: Out<W>,
    policy: CategoryPolicy,
    stats: WriteStats,
    line: String,
    format: &'static str,
}

impl<W: Write> LineSink<W> {
    /// A sink for `format`; writes `header` and a CRLF first when given.
    fn new(w: W, header: Option<&str>, format: &'static str) -> Result<Self, WriteError> {
        let mut out = Out::new(w);
        if let Some(h) = header {
            out.put(h.as_bytes())?;
            out.put(b"\r\n")?;
        }
        Ok(Self {
            out,
            policy: CategoryPolicy::default(),
            stats: WriteStats::default(),
            line: String::new(),
            format,
        })
    }

    /// An entry not written (it lacks what the format needs).
    fn skip(&mut self) -> Result<bool, WriteError> {
        self.stats.skipped += 1;
        Ok(false)
    }

    /// Write the line built in `self.line` for one entry.
    fn emit(&mut self, omitted_categories: u64) -> Result<bool, WriteError> {
        self.out.put(self.line.as_bytes())?;
        self.stats.written += 1;
        self.stats.omitted_categories += omitted_categories;
        Ok(true)
    }

    fn finish(self) -> Result<W, WriteError> {
        self.stats.log_finish(self.format);
        self.out.finish()
    }
}

/// Writes an INTERPOL ICSE `;`-separated CSV export.
///
/// Carried: MD5, SHA-1, PhotoDNA, `source_id` (Image ID), distributed /
/// victim / offender flags (`true`/`false`, empty = not stated), series,
/// and the `icse-flags` `baseline` category (Baseline `true`). Number of
/// submissions, File Available and Media Type are left empty. Not carried:
/// SHA-256, PDQ, label, size, file name, suspected / self-generated flags.
/// Entries with no MD5, SHA-1 or PhotoDNA are skipped (`write` gives
/// `Ok(false)`). Other categories follow the [`CategoryPolicy`].
pub struct IcseCsvWriter<W: Write> {
    sink: LineSink<W>,
}

impl<W: Write> IcseCsvWriter<W> {
    /// Start an export: writes the header line.
    pub fn new(w: W) -> Result<Self, WriteError> {
        Ok(Self {
            sink: LineSink::new(w, Some(ICSE_HEADER), "icse-csv")?,
        })
    }

    /// Set what happens to categories ICSE cannot carry.
    pub fn with_category_policy(mut self, policy: CategoryPolicy) -> Self {
        self.sink.policy = policy;
        self
    }

    /// Write one entry; `Ok(false)` when it was skipped (no MD5, SHA-1 or PhotoDNA).
    pub fn write(&mut self, e: &HashEntry) -> Result<bool, WriteError> {
        if e.md5.is_none() && e.sha1.is_none() && e.photodna.is_none() {
            return self.sink.skip();
        }
        let is_baseline =
            |c: &crate::Category| c.scheme == Scheme::IcseFlags && c.code == "baseline";
        let (kept, omitted) = select_categories(&e.categories, is_baseline, 1, self.sink.policy)?;
        let l = &mut self.sink.line;
        l.clear();
        let hex = |h: Option<String>| h.unwrap_or_default();
        let fields: [&str; 12] = [
            &hex(e.md5.map(|h| h.to_hex())),
            &hex(e.sha1.map(|h| h.to_hex())),
            e.photodna.as_deref().unwrap_or(""),
            e.source_id.as_deref().unwrap_or(""),
            bool_text(e.flags.distributed),
            bool_text(e.flags.victim_identified),
            bool_text(e.flags.offender_identified),
            e.series.as_deref().unwrap_or(""),
            "",
            "",
            "",
            if kept.is_empty() { "" } else { "true" },
        ];
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                l.push(';');
            }
            push_field(l, f, ';');
        }
        l.push_str("\r\n");
        self.sink.emit(omitted)
    }

    /// Counters so far.
    pub fn stats(&self) -> WriteStats {
        self.sink.stats
    }

    /// Flush and give back the output.
    pub fn finish(self) -> Result<W, WriteError> {
        self.sink.finish()
    }
}

/// Writes a ThreatExchange CLI CSV export (`signal_type,signal_str,collab,category,tags`).
///
/// One line per hash the entry carries, in this order: PDQ (`pdq`), MD5
/// (`video_md5`), SHA-256 (`video_sha256`) — the file-hash signal types the
/// ThreatExchange CLI defines. Each line carries `source_id` as collab, the
/// entry's `threatexchange` category, and the label as tags. Not carried:
/// SHA-1, PhotoDNA, PDQ quality, flags, series, size, file name. Entries
/// with none of those hashes are skipped (`Ok(false)`).
pub struct TeCsvWriter<W: Write> {
    sink: LineSink<W>,
}

impl<W: Write> TeCsvWriter<W> {
    /// Start an export: writes the header line.
    pub fn new(w: W) -> Result<Self, WriteError> {
        Ok(Self {
            sink: LineSink::new(w, Some(TE_HEADER), "threatexchange-csv")?,
        })
    }

    /// Set what happens to categories ThreatExchange CSV cannot carry.
    pub fn with_category_policy(mut self, policy: CategoryPolicy) -> Self {
        self.sink.policy = policy;
        self
    }

    /// Write one entry (one line per hash); `Ok(false)` when it was skipped.
    pub fn write(&mut self, e: &HashEntry) -> Result<bool, WriteError> {
        let signals: Vec<(&str, String)> = [
            e.pdq.map(|h| ("pdq", h.to_hex())),
            e.md5.map(|h| ("video_md5", h.to_hex())),
            e.sha256.map(|h| ("video_sha256", h.to_hex())),
        ]
        .into_iter()
        .flatten()
        .collect();
        if signals.is_empty() {
            return self.sink.skip();
        }
        let is_te = |c: &crate::Category| c.scheme == Scheme::ThreatExchange;
        let (kept, omitted) = select_categories(&e.categories, is_te, 1, self.sink.policy)?;
        let category = kept.first().map_or("", |c| c.code.as_str());
        let l = &mut self.sink.line;
        l.clear();
        for (ty, hex) in &signals {
            l.push_str(ty);
            l.push(',');
            l.push_str(hex);
            for f in [
                e.source_id.as_deref().unwrap_or(""),
                category,
                e.label.as_deref().unwrap_or(""),
            ] {
                l.push(',');
                push_field(l, f, ',');
            }
            l.push_str("\r\n");
        }
        self.sink.emit(omitted)
    }

    /// Counters so far.
    pub fn stats(&self) -> WriteStats {
        self.sink.stats
    }

    /// Flush and give back the output.
    pub fn finish(self) -> Result<W, WriteError> {
        self.sink.finish()
    }
}

/// Which hash a plain list holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum PlainHash {
    /// SHA-256, else SHA-1, else MD5 (never PDQ: read back as SHA-256).
    #[default]
    Strongest,
    /// MD5 only.
    Md5,
    /// SHA-1 only.
    Sha1,
    /// SHA-256 only.
    Sha256,
    /// PDQ only (read it back with [`crate::PlainKind::Pdq`]).
    Pdq,
}

/// Writes a plain list: one hash per line, `,label` when the entry has one.
///
/// Carried: the chosen hash and the label. Entries without the chosen hash
/// are skipped (`Ok(false)`). A plain list has no category column, so any
/// category follows the [`CategoryPolicy`] (`Strict` refuses the entry). A
/// label holding a line break is refused with [`WriteError::Unrepresentable`].
pub struct PlainWriter<W: Write> {
    sink: LineSink<W>,
    hash: PlainHash,
}

impl<W: Write> PlainWriter<W> {
    /// Start a list holding `hash` (no header line is written).
    pub fn new(w: W, hash: PlainHash) -> Self {
        Self {
            // No header: building the sink cannot fail.
            sink: LineSink {
                out: Out::new(w),
                policy: CategoryPolicy::default(),
                stats: WriteStats::default(),
                line: String::new(),
                format: "plain",
            },
            hash,
        }
    }

    /// Set what happens to categories (a plain list carries none).
    pub fn with_category_policy(mut self, policy: CategoryPolicy) -> Self {
        self.sink.policy = policy;
        self
    }

    /// Write one entry; `Ok(false)` when it lacks the chosen hash.
    pub fn write(&mut self, e: &HashEntry) -> Result<bool, WriteError> {
        let hex = match self.hash {
            PlainHash::Strongest => e
                .sha256
                .map(|h| h.to_hex())
                .or_else(|| e.sha1.map(|h| h.to_hex()))
                .or_else(|| e.md5.map(|h| h.to_hex())),
            PlainHash::Md5 => e.md5.map(|h| h.to_hex()),
            PlainHash::Sha1 => e.sha1.map(|h| h.to_hex()),
            PlainHash::Sha256 => e.sha256.map(|h| h.to_hex()),
            PlainHash::Pdq => e.pdq.map(|h| h.to_hex()),
        };
        let Some(hex) = hex else {
            return self.sink.skip();
        };
        let (_, omitted) = select_categories(&e.categories, |_| false, 0, self.sink.policy)?;
        check_line_free(e.label.as_deref(), "label")?;
        let l = &mut self.sink.line;
        l.clear();
        l.push_str(&hex);
        if let Some(label) = e.label.as_deref().filter(|s| !s.trim().is_empty()) {
            l.push(',');
            l.push_str(label);
        }
        l.push('\n');
        self.sink.emit(omitted)
    }

    /// Counters so far.
    pub fn stats(&self) -> WriteStats {
        self.sink.stats
    }

    /// Flush and give back the output.
    pub fn finish(self) -> Result<W, WriteError> {
        self.sink.finish()
    }
}

crate::write::entry_writer!(IcseCsvWriter, TeCsvWriter, PlainWriter);

/// Refuse a value with a line break where the format has no quoting.
fn check_line_free(v: Option<&str>, field: &'static str) -> Result<(), WriteError> {
    match v {
        Some(s) if s.contains(['\n', '\r']) => Err(WriteError::Unrepresentable {
            field,
            why: "holds a line break",
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Category, Md5, Sha256};

    fn md5() -> Md5 {
        Md5::from_hex("d41d8cd98f00b204e9800998ecf8427e").unwrap()
    }

    #[test]
    fn plain_choice_skip_and_refusals() {
        let mut w = PlainWriter::new(Vec::new(), PlainHash::Sha256);
        assert!(
            !w.write(&HashEntry {
                md5: Some(md5()),
                ..HashEntry::default()
            })
            .unwrap()
        );
        let mut e = HashEntry {
            sha256: Some(Sha256([0xab; 32])),
            label: Some("x\ny".into()),
            ..HashEntry::default()
        };
        assert!(matches!(
            w.write(&e),
            Err(WriteError::Unrepresentable { field: "label", .. })
        ));
        e.label = Some("a, b".into());
        e.categories.push(Category::new(Scheme::Nsrl, "known"));
        assert!(matches!(
            w.write(&e),
            Err(WriteError::Category {
                scheme: Scheme::Nsrl,
                ..
            })
        ));
        let mut w = w.with_category_policy(CategoryPolicy::Omit);
        assert!(w.write(&e).unwrap());
        let s = w.stats();
        assert_eq!((s.written, s.skipped, s.omitted_categories), (1, 1, 1));
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(out, format!("{},a, b\n", "ab".repeat(32)));
    }

    #[test]
    fn te_one_line_per_hash() {
        let mut w = TeCsvWriter::new(Vec::new()).unwrap();
        let e = HashEntry {
            md5: Some(md5()),
            sha256: Some(Sha256([1; 32])),
            source_id: Some("Collab, One".into()),
            categories: vec![Category::new(Scheme::ThreatExchange, "INVESTIGATION_SEED")],
            ..HashEntry::default()
        };
        assert!(w.write(&e).unwrap());
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[1],
            "video_md5,d41d8cd98f00b204e9800998ecf8427e,\"Collab, One\",INVESTIGATION_SEED,"
        );
        assert!(lines[2].starts_with("video_sha256,0101"));
    }

    #[test]
    fn icse_strict_refuses_foreign_category_and_writes_nothing() {
        let mut w = IcseCsvWriter::new(Vec::new()).unwrap();
        let e = HashEntry {
            md5: Some(md5()),
            categories: vec![Category::new(Scheme::VicsUs, "1")],
            ..HashEntry::default()
        };
        assert!(w.write(&e).is_err());
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(out, format!("{ICSE_HEADER}\r\n"));
    }
}
