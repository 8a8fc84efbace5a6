//! The readable reports of a package: HTML (self-contained, no external
//! URL) and PDF (see [`crate::pdf`]).

use std::fmt::Write as _;

use crate::pdf;
use crate::{PackageDoc, PackageLead};

/// Escape text for HTML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn who(p: &crate::Person) -> String {
    format!("{} ({})", p.user, p.agency)
}

const CSS: &str = "body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#111}\
h1{font-size:1.5em}h2{font-size:1.2em;border-top:1px solid #999;padding-top:.5em}\
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:.2em .4em;\
text-align:left;vertical-align:top;font-size:.9em}code{font-size:.85em;word-break:break-all}\
img.redacted{width:96px;image-rendering:pixelated;filter:blur(2px)}.meta{color:#444}";

/// The HTML report.
pub(crate) fn html(doc: &PackageDoc) -> String {
    let p = &doc.package;
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Dissemination package {id}</title><style>{CSS}</style></head><body>\n\
         <h1>Dissemination package {id}</h1>\n\
         <p class=\"meta\">For country <b>{country}</b>, version {version}, built {at} by {by}; \
         {n} lead(s); format {fmt} version {fv}; made with {tool}.</p>\n\
         <p class=\"meta\">Signed with Ed25519 key <code>{key}</code>. Check the package with \
         <code>vidi package verify FILE --key KEY</code> before relying on it.</p>\n",
        id = esc(&p.id),
        country = esc(&p.country),
        version = p.version,
        at = esc(&p.created_at),
        by = esc(&who(&p.created_by)),
        n = doc.leads.len(),
        fmt = esc(&doc.format),
        fv = doc.format_version,
        tool = esc(&p.tool),
        key = esc(&p.signing_key),
    );
    for l in &doc.leads {
        lead_html(&mut s, l);
    }
    s.push_str("</body></html>\n");
    s
}

fn lead_html(s: &mut String, l: &PackageLead) {
    let _ = write!(
        s,
        "<h2>Lead {id}: {title}</h2>\n<table>\
         <tr><th>Subject</th><td>{subject}</td></tr>\
         <tr><th>Target country</th><td>{country}</td></tr>\
         <tr><th>Author</th><td>{author}, {created}</td></tr>\
         <tr><th>Approved by</th><td>{rev}</td></tr>",
        id = l.id,
        title = esc(&l.title),
        subject = esc(&l.subject),
        country = esc(&l.target_country),
        author = esc(&who(&l.author)),
        created = esc(&l.created_at),
        rev = match (&l.approved_by, &l.approved_at) {
            (Some(r), Some(at)) => esc(&format!("{}, {at}", who(r))),
            (Some(r), None) => esc(&who(r)),
            _ => "-".to_owned(),
        },
    );
    if let Some(n) = &l.review_note {
        let _ = write!(s, "<tr><th>Reviewer's note</th><td>{}</td></tr>", esc(n));
    }
    let _ = write!(
        s,
        "</table>\n<p>{}</p>\n",
        esc(&l.summary).replace('\n', "<br>")
    );
    if !l.media.is_empty() {
        s.push_str("<h3>Media</h3>\n<table><tr><th>SHA-256</th><th>MD5</th><th>SHA-1</th><th>PDQ</th><th>Kind</th><th>Size</th><th></th></tr>\n");
        for m in &l.media {
            let thumb = match &m.thumbnail {
                Some(t) => format!(
                    "<img class=\"redacted\" alt=\"redacted\" src=\"{}\">",
                    esc(t)
                ),
                None => String::new(),
            };
            let _ = writeln!(
                s,
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td>\
                 <td><code>{}</code></td><td>{}</td><td>{}</td><td>{thumb}</td></tr>",
                esc(&m.sha256),
                esc(m.md5.as_deref().unwrap_or("")),
                esc(m.sha1.as_deref().unwrap_or("")),
                esc(m.pdq.as_deref().unwrap_or("")),
                esc(m.kind.as_deref().unwrap_or("")),
                m.size.map(|n| n.to_string()).unwrap_or_default(),
            );
        }
        s.push_str("</table>\n");
    }
    if !l.clues.is_empty() {
        s.push_str("<h3>Clues</h3>\n<table><tr><th>Kind</th><th>Value</th><th>Confidence</th><th>Extractor</th><th>Media</th></tr>\n");
        for c in &l.clues {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{:.2}</td><td>{} v{}</td><td><code>{}</code></td></tr>",
                esc(&c.kind),
                esc(&c.value),
                c.confidence,
                esc(&c.extractor),
                c.version,
                esc(&c.media),
            );
        }
        s.push_str("</table>\n");
    }
    if !l.history.is_empty() {
        s.push_str("<h3>History</h3>\n<table><tr><th>When</th><th>Who</th><th>Step</th><th>Note</th></tr>\n");
        for h in &l.history {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{} ({} &rarr; {})</td><td>{}</td></tr>",
                esc(&h.at),
                esc(&format!("{} ({})", h.user, h.agency)),
                esc(&h.action),
                esc(h.from.as_deref().unwrap_or("-")),
                esc(&h.to),
                esc(h.note.as_deref().unwrap_or("")),
            );
        }
        s.push_str("</table>\n");
    }
}

/// The PDF report.
pub(crate) fn pdf(doc: &PackageDoc) -> Vec<u8> {
    let p = &doc.package;
    let mut d = pdf::Doc::default();
    d.heading(&format!("Dissemination package {}", p.id));
    d.text(&format!(
        "For country {}, version {}, built {} by {}; {} lead(s).",
        p.country,
        p.version,
        p.created_at,
        who(&p.created_by),
        doc.leads.len()
    ));
    d.text(&format!(
        "Format {} version {}; made with {}.",
        doc.format, doc.format_version, p.tool
    ));
    d.text(&format!("Ed25519 signing key: {}", p.signing_key));
    d.text("Check the package with `vidi package verify FILE --key KEY` before relying on it.");
    for l in &doc.leads {
        d.page_break();
        d.heading(&format!("Lead {}: {}", l.id, l.title));
        d.text(&format!(
            "Subject: {}   Target country: {}",
            l.subject, l.target_country
        ));
        d.text(&format!("Author: {}, {}", who(&l.author), l.created_at));
        if let Some(r) = &l.approved_by {
            d.text(&format!(
                "Approved by: {}, {}",
                who(r),
                l.approved_at.as_deref().unwrap_or("")
            ));
        }
        if let Some(n) = &l.review_note {
            d.text(&format!("Reviewer's note: {n}"));
        }
        d.blank();
        d.text(&l.summary);
        if !l.media.is_empty() {
            d.blank();
            d.heading("Media");
            for m in &l.media {
                d.indented("  ", &format!("SHA-256 {}", m.sha256));
                if let Some(v) = &m.md5 {
                    d.indented("    ", &format!("MD5 {v}"));
                }
                if let Some(v) = &m.sha1 {
                    d.indented("    ", &format!("SHA-1 {v}"));
                }
                if let Some(v) = &m.pdq {
                    d.indented("    ", &format!("PDQ {v}"));
                }
                let kind = m.kind.as_deref().unwrap_or("?");
                let size = m.size.map(|n| format!(", {n} bytes")).unwrap_or_default();
                d.indented("    ", &format!("{kind}{size}"));
            }
        }
        if !l.clues.is_empty() {
            d.blank();
            d.heading("Clues");
            for c in &l.clues {
                d.indented(
                    "  ",
                    &format!(
                        "{}: {} (confidence {:.2}, {} v{}, media {})",
                        c.kind,
                        c.value,
                        c.confidence,
                        c.extractor,
                        c.version,
                        &c.media.get(..16).unwrap_or(&c.media)
                    ),
                );
            }
        }
        if !l.history.is_empty() {
            d.blank();
            d.heading("History");
            for h in &l.history {
                let note = h
                    .note
                    .as_deref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default();
                d.indented(
                    "  ",
                    &format!(
                        "{} {} ({}) {} {} -> {}{note}",
                        h.at,
                        h.user,
                        h.agency,
                        h.action,
                        h.from.as_deref().unwrap_or("-"),
                        h.to
                    ),
                );
            }
        }
    }
    d.render(&format!("Dissemination package {}", p.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            esc("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
    }
}
