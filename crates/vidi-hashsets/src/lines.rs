//! Bounded line reading: a hostile file with no newline cannot blow memory.

use std::io::BufRead;

/// Longest line we keep; longer ones are reported and skipped.
pub(crate) const MAX_LINE: usize = 1 << 20;

/// One line read from the input.
pub(crate) enum Line<'a> {
    /// A line (without `\n`/`\r\n`, BOM stripped on line 1).
    Text {
        text: &'a str,
        number: u64,
        offset: u64,
    },
    /// A line that is too long or not UTF-8.
    Bad {
        number: u64,
        offset: u64,
        reason: &'static str,
    },
}

/// Reads lines with a length cap.
pub(crate) struct Lines<R> {
    reader: R,
    buf: Vec<u8>,
    number: u64,
    offset: u64,
}

impl<R: BufRead> Lines<R> {
    pub(crate) fn new(reader: R) -> Self {
        Self {
            reader,
            buf: Vec::with_capacity(256),
            number: 0,
            offset: 0,
        }
    }

    /// Next line, or `None` at end of input.
    pub(crate) fn next_line(&mut self) -> std::io::Result<Option<Line<'_>>> {
        self.buf.clear();
        let start = self.offset;
        let mut too_long = false;
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
            if !too_long {
                if self.buf.len() + n > MAX_LINE + 2 {
                    too_long = true;
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
        if too_long {
            return Ok(Some(Line::Bad {
                number: self.number,
                offset: start,
                reason: "line too long",
            }));
        }
        let mut bytes: &[u8] = &self.buf;
        if let Some(b) = bytes.strip_suffix(b"\n") {
            bytes = b;
        }
        if let Some(b) = bytes.strip_suffix(b"\r") {
            bytes = b;
        }
        if self.number == 1
            && let Some(b) = bytes.strip_prefix(b"\xEF\xBB\xBF")
        {
            bytes = b;
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Some(Line::Text {
                text,
                number: self.number,
                offset: start,
            })),
            Err(_) => Ok(Some(Line::Bad {
                number: self.number,
                offset: start,
                reason: "line is not UTF-8",
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_bom_and_offsets() {
        let data = b"\xEF\xBB\xBFab\r\ncd\nef";
        let mut l = Lines::new(&data[..]);
        let mut got = Vec::new();
        while let Some(line) = l.next_line().unwrap() {
            match line {
                Line::Text {
                    text,
                    number,
                    offset,
                } => got.push((text.to_owned(), number, offset)),
                Line::Bad { .. } => panic!("bad"),
            }
        }
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
    fn overlong_line_is_bad_and_skipped() {
        let mut data = vec![b'a'; MAX_LINE + 10];
        data.extend_from_slice(b"\nok\n");
        let mut l = Lines::new(std::io::BufReader::new(&data[..]));
        assert!(matches!(
            l.next_line().unwrap(),
            Some(Line::Bad { number: 1, .. })
        ));
        assert!(matches!(
            l.next_line().unwrap(),
            Some(Line::Text {
                text: "ok",
                number: 2,
                ..
            })
        ));
        assert!(l.next_line().unwrap().is_none());
    }
}
