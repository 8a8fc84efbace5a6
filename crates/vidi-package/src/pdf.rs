//! A small PDF 1.4 writer for text reports.
//!
//! Pages are A4, set in the standard Courier font (one of the 14 fonts
//! every PDF reader has, so nothing is embedded) at 9.5 points. Courier is
//! monospaced (600/1000 em per glyph), so lines wrap exactly by counting
//! characters. Text is encoded in WinAnsi (Latin-1 for printable
//! characters); other characters are written as `?` (the HTML report
//! and the JSON keep them). The output is deterministic.

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 50.0;
const SIZE: f32 = 9.5;
const LEADING: f32 = 12.0;
/// Characters per line: (page width - margins) / (0.6 em).
pub(crate) const COLUMNS: usize = ((PAGE_W - 2.0 * MARGIN) / (0.6 * SIZE)) as usize;
const ROWS: usize = ((PAGE_H - 2.0 * MARGIN) / LEADING) as usize;

/// One line of text, optionally bold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub(crate) text: String,
    pub(crate) bold: bool,
}

/// Collects lines, wraps them and renders pages.
#[derive(Debug, Default)]
pub(crate) struct Doc {
    lines: Vec<Line>,
}

impl Doc {
    /// Add text, wrapped at word boundaries to the page width.
    pub(crate) fn text(&mut self, s: &str) {
        self.push(s, false, "");
    }

    /// Add a bold heading.
    pub(crate) fn heading(&mut self, s: &str) {
        self.push(s, true, "");
    }

    /// Add text indented by `indent` (continuation lines too).
    pub(crate) fn indented(&mut self, indent: &str, s: &str) {
        self.push(s, false, indent);
    }

    /// An empty line.
    pub(crate) fn blank(&mut self) {
        self.lines.push(Line {
            text: String::new(),
            bold: false,
        });
    }

    /// Start a new page (when not already at the top of one).
    pub(crate) fn page_break(&mut self) {
        let used = self.lines.len() % ROWS;
        if used != 0 {
            for _ in used..ROWS {
                self.blank();
            }
        }
    }

    fn push(&mut self, s: &str, bold: bool, indent: &str) {
        for para in s.split('\n') {
            for l in wrap(para, COLUMNS.saturating_sub(indent.chars().count()).max(10)) {
                self.lines.push(Line {
                    text: format!("{indent}{l}"),
                    bold,
                });
            }
        }
    }

    /// Render to PDF bytes. `title` goes in the document information.
    pub(crate) fn render(&self, title: &str) -> Vec<u8> {
        let pages: Vec<&[Line]> = if self.lines.is_empty() {
            vec![&[][..]]
        } else {
            self.lines.chunks(ROWS).collect()
        };
        let n = pages.len();
        // Objects: 1 catalog, 2 pages, 3 font, 4 bold font, 5 info,
        // then per page: page object and content stream.
        let mut objects: Vec<Vec<u8>> = Vec::new();
        objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
        let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 6 + 2 * i)).collect();
        objects
            .push(format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes());
        objects.push(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>"
                .to_vec(),
        );
        objects.push(
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier-Bold /Encoding /WinAnsiEncoding >>"
                .to_vec(),
        );
        let mut info = b"<< /Producer (vidi) /Title ".to_vec();
        info.extend_from_slice(&pdf_string(title));
        info.extend_from_slice(b" >>");
        objects.push(info);
        for (i, lines) in pages.iter().enumerate() {
            let content = page_content(lines, i + 1, n);
            objects.push(
                format!(
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] \
                     /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                    7 + 2 * i
                )
                .into_bytes(),
            );
            let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
            stream.extend_from_slice(&content);
            stream.extend_from_slice(b"\nendstream");
            objects.push(stream);
        }
        let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let mut offsets = Vec::with_capacity(objects.len());
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for off in offsets {
            out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        out
    }
}

fn page_content(lines: &[Line], page: usize, pages: usize) -> Vec<u8> {
    let mut c = Vec::new();
    let top = PAGE_H - MARGIN;
    c.extend_from_slice(format!("BT\n/F1 {SIZE} Tf\n{LEADING} TL\n{MARGIN} {top} Td\n").as_bytes());
    let mut bold = false;
    for l in lines {
        if l.bold != bold {
            bold = l.bold;
            c.extend_from_slice(
                format!("/{} {SIZE} Tf\n", if bold { "F2" } else { "F1" }).as_bytes(),
            );
        }
        c.extend_from_slice(&pdf_string(&l.text));
        c.extend_from_slice(b" Tj T*\n");
    }
    c.extend_from_slice(b"ET\n");
    let footer = format!("page {page} of {pages}");
    c.extend_from_slice(format!("BT\n/F1 8 Tf\n{MARGIN} {} Td\n", MARGIN / 2.0).as_bytes());
    c.extend_from_slice(&pdf_string(&footer));
    c.extend_from_slice(b" Tj\nET");
    c
}

/// A PDF literal string in WinAnsi: `(...)` with `\`, `(` and `)` escaped.
pub(crate) fn pdf_string(s: &str) -> Vec<u8> {
    let mut out = vec![b'('];
    for ch in s.chars() {
        let b = match u32::from(ch) {
            0x20..=0x7e | 0xa0..=0xff => u32::from(ch) as u8,
            0x09 => b' ',
            _ => b'?',
        };
        if matches!(b, b'\\' | b'(' | b')') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b')');
    out
}

/// Wrap one paragraph at spaces to `width` characters (long words are cut).
pub(crate) fn wrap(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut line = String::new();
    let mut len = 0usize;
    for word in s.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let wl = word.len();
            let need = if len == 0 { wl } else { len + 1 + wl };
            if need <= width {
                if len > 0 {
                    line.push(' ');
                }
                line.extend(word.iter());
                len = need;
                break;
            }
            if len > 0 {
                out.push(std::mem::take(&mut line));
                len = 0;
                continue;
            }
            let rest = word.split_off(width);
            out.push(word.iter().collect());
            word = rest;
        }
    }
    out.push(line);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_words_and_cuts_long_words() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("", 5), [""]);
        for l in wrap(&"word ".repeat(100), COLUMNS) {
            assert!(l.chars().count() <= COLUMNS);
        }
    }

    #[test]
    fn strings_are_escaped_and_latin1() {
        assert_eq!(pdf_string("a(b)\\c"), b"(a\\(b\\)\\\\c)");
        assert_eq!(pdf_string("é漢"), vec![b'(', 0xe9, b'?', b')']);
    }

    #[test]
    fn renders_a_valid_looking_pdf_with_pages_and_xref() {
        let mut d = Doc::default();
        d.heading("Title");
        for i in 0..200 {
            d.text(&format!("line {i}"));
        }
        let pdf = d.render("t");
        assert!(pdf.starts_with(b"%PDF-1.4"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/Count 4"));
        // Every xref offset points at its object (offsets are in bytes).
        let tail = String::from_utf8(pdf[pdf.len() - 40..].to_vec()).unwrap();
        let xref_at: usize = tail
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let table = String::from_utf8(pdf[xref_at..].to_vec()).unwrap();
        assert!(table.starts_with("xref\n0 14\n"));
        for (i, l) in table.lines().skip(3).take(13).enumerate() {
            let off: usize = l[..10].parse().unwrap();
            let want = format!("{} 0 obj", i + 1);
            assert!(pdf[off..].starts_with(want.as_bytes()), "object {}", i + 1);
        }
        assert_eq!(d.render("t"), pdf);
    }
}
