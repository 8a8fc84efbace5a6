//! The evidence file of a visible media, streamed from disk (Range
//! supported). The path comes from the store only (`scoped_file`); it must
//! still be a regular file (not a symlink) of the recorded size, otherwise
//! the answer is 404 `not_available`. Bytes are read in chunks as the
//! client takes them: memory does not grow with the file size.

use std::io::{self, Seek as _, SeekFrom};
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use hyper::body::{Frame, SizeHint};
use tokio::io::{AsyncRead, ReadBuf};

use crate::audit;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::routes::media::parse_sha;
use crate::state::AppState;

/// Bytes read from disk per body frame.
const CHUNK: usize = 256 * 1024;

/// A body of `remaining` bytes read from an open file.
struct FileBody {
    file: tokio::fs::File,
    remaining: u64,
    buf: Vec<u8>,
}

impl hyper::body::Body for FileBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        if this.remaining == 0 {
            return Poll::Ready(None);
        }
        let want = usize::try_from(this.remaining).unwrap_or(CHUNK).min(CHUNK);
        this.buf.resize(want, 0);
        let mut rb = ReadBuf::new(&mut this.buf[..want]);
        match Pin::new(&mut this.file).poll_read(cx, &mut rb) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
            Poll::Ready(Ok(())) => {
                let n = rb.filled().len();
                if n == 0 {
                    // The file shrank while being sent.
                    this.remaining = 0;
                    return Poll::Ready(Some(Err(io::ErrorKind::UnexpectedEof.into())));
                }
                this.remaining -= n as u64;
                Poll::Ready(Some(Ok(Frame::data(Bytes::copy_from_slice(
                    &this.buf[..n],
                )))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// Parse `bytes=a-b`, `bytes=a-`, `bytes=-n` against a size.
pub(crate) fn parse_range(v: &str, size: u64) -> Option<(u64, u64)> {
    let spec = v.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || size == 0 {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (start, end) = if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        if n == 0 {
            return None;
        }
        (size.saturating_sub(n), size - 1)
    } else {
        let start: u64 = a.parse().ok()?;
        let end = if b.is_empty() {
            size - 1
        } else {
            b.parse::<u64>().ok()?.min(size - 1)
        };
        (start, end)
    };
    (start <= end && start < size).then_some((start, end))
}

fn unavailable() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_available",
        "the evidence file is not available on the server",
    )
}

fn bad_range() -> ApiError {
    ApiError::new(
        StatusCode::RANGE_NOT_SATISFIABLE,
        "bad_range",
        "invalid Range: give one range `bytes=start-end` inside the file",
    )
}

/// An open file positioned at the range's start, the range, the file size.
type Opened = (std::fs::File, Option<(u64, u64)>, u64);

/// Open the stored path (a regular file, not a symlink, of the recorded
/// size) positioned at the range's start: (file, start, length, size).
fn open_at(path: &str, recorded: u64, range: Option<&str>) -> Result<Opened, ApiError> {
    let meta = std::fs::symlink_metadata(path).map_err(|_| unavailable())?;
    if !meta.file_type().is_file() {
        return Err(unavailable());
    }
    let mut f = std::fs::File::open(path).map_err(|_| unavailable())?;
    let m = f.metadata().map_err(|_| unavailable())?;
    let size = m.len();
    if !m.is_file() || size != recorded {
        return Err(unavailable());
    }
    let span = match range {
        Some(r) => Some(parse_range(r, size).ok_or_else(bad_range)?),
        None => None,
    };
    if let Some((a, _)) = span {
        f.seek(SeekFrom::Start(a)).map_err(|_| unavailable())?;
    }
    Ok((f, span, size))
}

/// The evidence file of a visible media, streamed (Range supported: one
/// range, answered 206; audited as `media.file`).
#[utoipa::path(get, path = "/api/v1/media/{sha256}/file", params(("sha256" = String, Path)),
    responses((status = 200, description = "the whole file"), (status = 206, description = "the asked range"),
              (status = 404, body = crate::error::ErrorBody, description = "`not_found`, or `not_available` when the file is gone or changed"),
              (status = 416, body = crate::error::ErrorBody)))]
pub(crate) async fn file(
    State(state): State<AppState>,
    auth: AuthUser,
    headers: HeaderMap,
    Path(sha): Path<String>,
) -> Result<Response, ApiError> {
    let sha = parse_sha(&sha)?;
    let scope = auth.scope.clone();
    let ev = state
        .db(move |s| Ok(s.scoped_file(&scope, &sha)?))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mime = HeaderValue::from_str(&ev.mime)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let (f, span, size) =
        tokio::task::spawn_blocking(move || open_at(&ev.path, ev.size, range.as_deref())).await??;
    audit::record_for(
        &state,
        &auth,
        "media.file",
        &format!("media:{}", sha.to_hex()),
    )
    .await?;
    let len = match span {
        Some((a, b)) => b - a + 1,
        None => size,
    };
    let body = FileBody {
        file: tokio::fs::File::from_std(f),
        remaining: len,
        buf: Vec::new(),
    };
    let mut resp = Response::new(Body::new(body));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, mime);
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    if let Some((a, b)) = span {
        *resp.status_mut() = StatusCode::PARTIAL_CONTENT;
        if let Ok(v) = HeaderValue::from_str(&format!("bytes {a}-{b}/{size}")) {
            resp.headers_mut().insert(header::CONTENT_RANGE, v);
        }
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Some((0, 9)));
        assert_eq!(parse_range("bytes=90-", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=-10", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=50-500", 100), Some((50, 99)));
        assert_eq!(parse_range("bytes=100-", 100), None);
        assert_eq!(parse_range("bytes=5-1", 100), None);
        assert_eq!(parse_range("bytes=0-1,3-4", 100), None);
        assert_eq!(parse_range("items=0-1", 100), None);
    }
}
