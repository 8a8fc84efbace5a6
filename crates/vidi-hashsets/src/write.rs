//! Shared pieces of the hash-list writers: errors, the category policy,
//! counters and CSV quoting.
//!
//! Every writer builds one record in memory, checks it, and only then
//! writes it, so an error other than [`WriteError::Io`] leaves the output
//! untouched: the caller may skip that entry and go on.

use crate::category::{Category, Scheme};

/// A hash list could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Writing the output failed.
    #[error("writing hash list failed")]
    Io(#[from] std::io::Error),
    /// Serialising a JSON record failed.
    #[error("serialising a VICS record failed")]
    Json(#[source] serde_json::Error),
    /// Under [`CategoryPolicy::Strict`]: the entry has a category the output
    /// cannot carry (another scheme, or a second category where the format
    /// has one slot). Nothing was written for the entry.
    #[error("category {scheme:?}/{code} cannot be written: {why}")]
    Category {
        /// Scheme of the category.
        scheme: Scheme,
        /// Code of the category (as held, not input text).
        code: String,
        /// Why it cannot be written.
        why: &'static str,
    },
    /// A text field holds something the format cannot represent (e.g. a
    /// line break in a plain list's label). Nothing was written for the entry.
    #[error("field {field} cannot be written: {why}")]
    Unrepresentable {
        /// The `HashEntry` field.
        field: &'static str,
        /// Why it cannot be written.
        why: &'static str,
    },
    /// The document kind does not exist in the chosen version (a case file
    /// needs VICS 2.0).
    #[error("a VICS case file needs VICS 2.0")]
    CaseNeedsV2,
    /// `write` was called after the writer failed with an I/O error.
    #[error("the writer failed earlier and cannot go on")]
    Poisoned,
}

/// What every hash-list writer ([`VicsWriter`](crate::VicsWriter),
/// [`IcseCsvWriter`](crate::IcseCsvWriter), [`TeCsvWriter`](crate::TeCsvWriter),
/// [`PlainWriter`](crate::PlainWriter)) does, for code that writes any of
/// them. The methods are the writers' own.
pub trait EntryWriter: Sized {
    /// What [`finish`](EntryWriter::finish) gives back: the output.
    type Output;

    /// Write one entry; `Ok(false)` when it was skipped (it carries no hash
    /// the format can hold). Any error but [`WriteError::Io`] leaves the
    /// output untouched.
    fn write(&mut self, e: &crate::HashEntry) -> Result<bool, WriteError>;

    /// Counters so far.
    fn stats(&self) -> WriteStats;

    /// Complete the document, flush, and give back the output.
    fn finish(self) -> Result<Self::Output, WriteError>;

    /// Write every entry, stopping at the first error, then finish: the
    /// counters and the output.
    fn write_all<'e>(
        mut self,
        entries: impl IntoIterator<Item = &'e crate::HashEntry>,
    ) -> Result<(WriteStats, Self::Output), WriteError> {
        for e in entries {
            self.write(e)?;
        }
        let stats = self.stats();
        Ok((stats, self.finish()?))
    }
}

/// Implements [`EntryWriter`] for writers generic over their output `W`,
/// by their inherent methods.
macro_rules! entry_writer {
    ($($writer:ident),+) => {$(
        impl<W: std::io::Write> $crate::write::EntryWriter for $writer<W> {
            type Output = W;
            fn write(&mut self, e: &$crate::HashEntry) -> Result<bool, $crate::write::WriteError> {
                $writer::write(self, e)
            }
            fn stats(&self) -> $crate::write::WriteStats {
                $writer::stats(self)
            }
            fn finish(self) -> Result<W, $crate::write::WriteError> {
                $writer::finish(self)
            }
        }
    )+};
}
pub(crate) use entry_writer;

/// What a writer does with a category the output cannot carry: one in
/// another scheme than the format's, or more than the format has room for.
///
/// A category is never renumbered into another scheme: the same number
/// means different things in `vics-us`, `vics-us-2.0` and `dhs-legacy`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum CategoryPolicy {
    /// Refuse the entry with [`WriteError::Category`] (nothing is written;
    /// the caller may skip it and go on).
    #[default]
    Strict,
    /// Write the entry without that category; counted in
    /// [`WriteStats::omitted_categories`] and logged (one `warn` at
    /// `finish`, a `debug` per category).
    Omit,
}

/// Counters of one write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Entries written (an entry may give several lines in ThreatExchange CSV).
    pub written: u64,
    /// Entries skipped because they carry no hash the format can hold.
    pub skipped: u64,
    /// Categories left out under [`CategoryPolicy::Omit`].
    pub omitted_categories: u64,
}

impl WriteStats {
    pub(crate) fn log_finish(&self, format: &'static str) {
        if self.omitted_categories > 0 {
            tracing::warn!(
                format,
                omitted = self.omitted_categories,
                "categories the output cannot carry were left out"
            );
        }
        tracing::debug!(
            format,
            written = self.written,
            skipped = self.skipped,
            "hash list written"
        );
    }
}

/// Pick the categories a format can carry: those in `scheme` (all of them
/// when `max` is `None`, else at most `max`). The others follow `policy`.
/// Returns the kept categories and how many were omitted.
pub(crate) fn select_categories(
    categories: &[Category],
    accepts: impl Fn(&Category) -> bool,
    max: usize,
    policy: CategoryPolicy,
) -> Result<(Vec<&Category>, u64), WriteError> {
    let mut kept = Vec::new();
    let mut omitted = 0u64;
    for c in categories {
        let why = if !accepts(c) {
            "scheme not carried by this format"
        } else if kept.len() >= max {
            "the format holds fewer categories than the entry has"
        } else {
            kept.push(c);
            continue;
        };
        match policy {
            CategoryPolicy::Strict => {
                return Err(WriteError::Category {
                    scheme: c.scheme,
                    code: c.code.clone(),
                    why,
                });
            }
            CategoryPolicy::Omit => {
                tracing::debug!(scheme = c.scheme.as_str(), code = %c.code, why, "category left out");
                omitted += 1;
            }
        }
    }
    Ok((kept, omitted))
}

/// Append `value` to `out` as one CSV field, quoted when it holds the
/// delimiter, a quote, a line break or surrounding whitespace (quotes
/// doubled inside).
pub(crate) fn push_field(out: &mut String, value: &str, delim: char) {
    let needs = value.contains([delim, '"', '\n', '\r'])
        || value.starts_with(char::is_whitespace)
        || value.ends_with(char::is_whitespace);
    if needs {
        out.push('"');
        for c in value.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// `Some(true)` → `true`, `Some(false)` → `false`, `None` → empty.
pub(crate) fn bool_text(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "true",
        Some(false) => "false",
        None => "",
    }
}

/// Writes through `inner`, remembering an I/O failure so later calls fail
/// with [`WriteError::Poisoned`] instead of producing a corrupt file.
pub(crate) struct Out<W> {
    pub(crate) inner: W,
    poisoned: bool,
}

impl<W: std::io::Write> Out<W> {
    pub(crate) fn new(inner: W) -> Self {
        Self {
            inner,
            poisoned: false,
        }
    }

    pub(crate) fn put(&mut self, bytes: &[u8]) -> Result<(), WriteError> {
        if self.poisoned {
            return Err(WriteError::Poisoned);
        }
        self.inner.write_all(bytes).map_err(|e| {
            self.poisoned = true;
            WriteError::Io(e)
        })
    }

    pub(crate) fn finish(mut self) -> Result<W, WriteError> {
        if self.poisoned {
            return Err(WriteError::Poisoned);
        }
        self.inner.flush()?;
        Ok(self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        let mut s = String::new();
        for v in [
            "plain",
            "a;b",
            "say \"hi\"",
            "two\nlines",
            " pad",
            "",
            "a,b",
        ] {
            push_field(&mut s, v, ';');
            s.push('|');
        }
        assert_eq!(
            s,
            "plain|\"a;b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|\" pad\"||a,b|"
        );
    }

    struct Failing;
    impl std::io::Write for Failing {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn io_failure_poisons() {
        let mut out = Out::new(Failing);
        assert!(matches!(out.put(b"x"), Err(WriteError::Io(_))));
        assert!(matches!(out.put(b"y"), Err(WriteError::Poisoned)));
        assert!(matches!(out.finish(), Err(WriteError::Poisoned)));
    }

    #[test]
    fn policy() {
        let cats = [
            Category::new(Scheme::Vics20, "1"),
            Category::new(Scheme::DhsLegacy, "1"),
            Category::new(Scheme::Vics20, "2"),
        ];
        let ok = |c: &Category| c.scheme == Scheme::Vics20;
        let e = select_categories(&cats, ok, 1, CategoryPolicy::Strict).unwrap_err();
        assert!(matches!(
            e,
            WriteError::Category {
                scheme: Scheme::DhsLegacy,
                ..
            }
        ));
        let (kept, omitted) = select_categories(&cats, ok, 1, CategoryPolicy::Omit).unwrap();
        assert_eq!((kept, omitted), (vec![&cats[0]], 2));
    }
}
