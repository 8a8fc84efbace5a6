//! JPEG decoding through the system libjpeg-turbo (TurboJPEG 2.x API), the
//! same library and defaults (accurate integer IDCT, fancy upsampling) Pillow
//! uses, so decoded pixels, and therefore PDQ hashes, agree with
//! Pillow-based references.

use std::ffi::{CStr, c_char, c_int, c_uchar, c_ulong, c_void};

use crate::error::MediaError;

const TJPF_RGB: c_int = 0;
const TJCS_CMYK: c_int = 3;
const TJCS_YCCK: c_int = 4;
/// `tjGetErrorCode`: the last error was only a warning (output is usable).
const TJERR_WARNING: c_int = 0;
/// Refuse progressive JPEGs with absurd scan counts (CPU bombs).
const TJFLAG_LIMITSCANS: c_int = 32768;

#[link(name = "turbojpeg")]
unsafe extern "C" {
    fn tjInitDecompress() -> *mut c_void;
    fn tjDestroy(handle: *mut c_void) -> c_int;
    fn tjDecompressHeader3(
        handle: *mut c_void,
        jpeg: *const c_uchar,
        size: c_ulong,
        width: *mut c_int,
        height: *mut c_int,
        subsamp: *mut c_int,
        colorspace: *mut c_int,
    ) -> c_int;
    fn tjDecompress2(
        handle: *mut c_void,
        jpeg: *const c_uchar,
        size: c_ulong,
        dst: *mut c_uchar,
        width: c_int,
        pitch: c_int,
        height: c_int,
        pixel_format: c_int,
        flags: c_int,
    ) -> c_int;
    fn tjGetErrorStr2(handle: *mut c_void) -> *mut c_char;
    fn tjGetErrorCode(handle: *mut c_void) -> c_int;
}

/// An owned TurboJPEG decompressor.
struct Handle(*mut c_void);

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: the handle came from tjInitDecompress and is destroyed once.
        unsafe {
            tjDestroy(self.0);
        }
    }
}

impl Handle {
    fn error(&self) -> String {
        // SAFETY: the handle is valid; the library returns a NUL-terminated
        // string it owns (valid until the next call on this handle).
        unsafe {
            let p = tjGetErrorStr2(self.0);
            if p.is_null() {
                return "unknown libjpeg-turbo error".to_owned();
            }
            CStr::from_ptr(p).to_string_lossy().into_owned()
        }
    }
}

/// JPEG header facts needed before allocating.
pub(crate) struct Header {
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// CMYK/YCCK JPEGs are left to the `image` crate's decoder path.
    pub(crate) cmyk: bool,
}

fn corrupt(detail: String) -> MediaError {
    if detail.contains("Premature end") || detail.contains("premature end") {
        MediaError::Truncated { format: "jpeg" }
    } else {
        MediaError::Corrupt {
            format: "jpeg",
            detail,
        }
    }
}

fn new_handle() -> Result<Handle, MediaError> {
    // SAFETY: plain constructor; a null return means allocation failure.
    let h = unsafe { tjInitDecompress() };
    if h.is_null() {
        return Err(MediaError::Corrupt {
            format: "jpeg",
            detail: "libjpeg-turbo could not create a decompressor".to_owned(),
        });
    }
    Ok(Handle(h))
}

/// Read the header only.
pub(crate) fn header(jpeg: &[u8]) -> Result<Header, MediaError> {
    let h = new_handle()?;
    let (mut w, mut hh, mut ss, mut cs) = (0, 0, 0, 0);
    // SAFETY: valid handle, buffer pointer and length from a slice, and
    // out-pointers to locals.
    let rc = unsafe {
        tjDecompressHeader3(
            h.0,
            jpeg.as_ptr(),
            jpeg.len() as c_ulong,
            &mut w,
            &mut hh,
            &mut ss,
            &mut cs,
        )
    };
    if rc != 0 {
        return Err(corrupt(h.error()));
    }
    if w <= 0 || hh <= 0 {
        return Err(corrupt("zero-sized image".to_owned()));
    }
    Ok(Header {
        width: w as u32,
        height: hh as u32,
        cmyk: cs == TJCS_CMYK || cs == TJCS_YCCK,
    })
}

/// Decode to interleaved RGB8. The caller has checked `header` against its limits.
/// The second value is the damage libjpeg-turbo recovered from (a warning such
/// as premature end of data, where the rest of the image is filled in).
pub(crate) fn decode_rgb(
    jpeg: &[u8],
    hdr: &Header,
) -> Result<(Vec<u8>, Option<MediaError>), MediaError> {
    let h = new_handle()?;
    let (w, hh) = (hdr.width as usize, hdr.height as usize);
    let mut out = vec![0u8; w * hh * 3];
    // SAFETY: `out` holds exactly width*height*3 bytes, which is what
    // TJPF_RGB with pitch width*3 writes; the header dimensions were read from
    // the same buffer by the same library.
    let rc = unsafe {
        tjDecompress2(
            h.0,
            jpeg.as_ptr(),
            jpeg.len() as c_ulong,
            out.as_mut_ptr(),
            w as c_int,
            (w * 3) as c_int,
            hh as c_int,
            TJPF_RGB,
            TJFLAG_LIMITSCANS,
        )
    };
    if rc != 0 {
        let detail = h.error();
        // SAFETY: valid handle.
        let warning = unsafe { tjGetErrorCode(h.0) } == TJERR_WARNING;
        // Like Pillow: warnings (extraneous bytes, premature end of data
        // with the rest of the image filled in) keep the decoded image.
        if !warning {
            return Err(corrupt(detail));
        }
        tracing::debug!(%detail, "libjpeg-turbo warning");
        return Ok((out, Some(corrupt(detail))));
    }
    Ok((out, None))
}
