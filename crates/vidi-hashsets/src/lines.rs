//! Bounded line reading: a hostile file with no newline cannot blow memory.

use std::io::BufRead;

/// Longest line we keep; longer ones are reported and skipped.
pub(crate) const MAX_LINE: usize = 1 << 20;

/// Reads lines with a length cap.
pub(crate) struct Lines<R> {
    reader: R,
    buf: Vec<u8>,
    number: u64,
    offset: u64,
    /// The line in `buf` exceeded `MAX_LINE` (and was dropped).
    too_long: bool,
}

impl<R: BufRead> Lines<R> {
    pub(crate) fn new(reader: R) -> Self {
        Self {
            reader,
            buf: Vec::with_capacity(256),
            number: 0,
            offset: 0,
            too_long: false,
        }
    }

    /// Next good line as `(text, number, byte offset)`; each bad line (too
    /// long, not UTF-8) is reported to `sink` and skipped.
    pub(crate) fn next_text(
        &mut self,
        sink: &mut crate::Sink<'_>,
    ) -> std::io::Result<Option<(&str, u64, u64)>> {
        loop {
            let Some(start) = self.fill()? else {
                return Ok(None);
            };
            match self.classify() {
                Ok(range) => {
                    // SAFETY: `classify` checked these bytes are UTF-8, and
                    // the buffer has not changed since.
                    let text = unsafe { std::str::from_utf8_unchecked(&self.buf[range]) };
                    return Ok(Some((text, self.number, start)));
                }
                Err(reason) => sink.reject(Some(self.number), Some(start), reason),
            }
        }
    }

    /// Read the next raw line into `buf` (emptied when too long); returns
    /// its start offset, or `None` at end of input.
    fn fill(&mut self) -> std::io::Result<Option<u64>> {
        self.buf.clear();
        self.too_long = false;
        let start = self.offset;
        let mut consumed_any = false;
        loop {
            let avail = self.reader.fill_buf()?;
            if avail.is_empty() {
                break;
            }
            consumed_any = true;
            let (chunk, done) = match avail.iter().position(|&b| b == b'\n') {
                Some(i) => (&avail[..=i], true),
                None => (avail, false),
            };
            let n = chunk.len();
            if !self.too_long {
                if self.buf.len() + n > MAX_LINE + 2 {
                    self.too_long = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(chunk);
                }
            }
            self.reader.consume(n);
            self.offset += n as u64;
            if done {
                break;
            }
        }
        if !consumed_any {
            return Ok(None);
        }
        self.number += 1;
        Ok(Some(start))
    }

    /// The text of the line in `buf` (without `\n`/`\r\n`, BOM stripped on
    /// line 1) as a byte range, checked to be UTF-8; or why it is bad.
    fn classify(&self) -> Result<std::ops::Range<usize>, &'static str> {
        if self.too_long {
            return Err("line too long");
        }
        let mut end = self.buf.len();
        if self.buf[..end].ends_with(b"\n") {
            end -= 1;
        }
        if self.buf[..end].ends_with(b"\r") {
            end -= 1;
        }
        let begin = if self.number == 1 && self.buf[..end].starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        match std::str::from_utf8(&self.buf[begin..end]) {
            Ok(_) => Ok(begin..end),
            Err(_) => Err("line is not UTF-8"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ReadSummary, Rejected, Sink};

    /// Every good line, and the (line, offset, reason) of every bad one.
    fn collect(data: &[u8]) -> (Vec<(String, u64, u64)>, Vec<Rejected>) {
        let mut bad = Vec::new();
        let mut on_entry = |_| {};
        let mut on_reject = |r| bad.push(r);
        let mut sink = Sink {
            on_entry: &mut on_entry,
            on_reject: &mut on_reject,
            summary: ReadSummary::default(),
        };
        let mut l = Lines::new(std::io::BufReader::new(data));
        let mut got = Vec::new();
        while let Some((text, number, offset)) = l.next_text(&mut sink).unwrap() {
            got.push((text.to_owned(), number, offset));
        }
        (got, bad)
    }

    #[test]
    fn crlf_bom_and_offsets() {
        let (got, bad) = collect(b"\xEF\xBB\xBFab\r\ncd\nef");
        assert!(bad.is_empty());
        assert_eq!(
            got,
            vec![
                ("ab".into(), 1, 0),
                ("cd".into(), 2, 7),
                ("ef".into(), 3, 10)
            ]
        );
    }

    #[test]
    fn overlong_and_non_utf8_lines_are_reported_and_skipped() {
        let mut data = vec![b'a'; MAX_LINE + 10];
        data.extend_from_slice(b"\nok\n\xff\xfe\nlast\n");
        let (got, bad) = collect(&data);
        assert_eq!(
            got,
            vec![
                ("ok".into(), 2, MAX_LINE as u64 + 11),
                ("last".into(), 4, MAX_LINE as u64 + 17)
            ]
        );
        assert_eq!(bad.len(), 2);
        assert_eq!(
            (bad[0].line, bad[0].reason.as_str()),
            (Some(1), "line too long")
        );
        assert_eq!(
            (bad[1].line, bad[1].reason.as_str()),
            (Some(3), "line is not UTF-8")
        );
    }
}
