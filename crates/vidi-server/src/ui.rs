//! The web UI: the files of `crates/vidi-server/ui/`, embedded at build
//! time (see `build.rs`), served at `/` (index.html) and `/ui/<file>`.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/ui_files.rs"));

/// The bytes of one UI file.
pub(crate) fn file(name: &str) -> Option<&'static [u8]> {
    UI_FILES.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
}

fn mime(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, e)| e) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("geojson") => "application/geo+json",
        Some("png") => "image/png",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn serve(name: &str) -> Response {
    match file(name) {
        Some(b) => ([(header::CONTENT_TYPE, mime(name))], b).into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

pub(crate) async fn index() -> Response {
    serve("index.html")
}

pub(crate) async fn asset(Path(name): Path<String>) -> Response {
    serve(&name)
}

/// Content-Security-Policy of every response: no external origin.
pub(crate) const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; font-src 'self'; \
     object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
