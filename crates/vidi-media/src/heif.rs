//! HEIF/HEIC/AVIF decoding through the system libheif (1.15 API), with a
//! small hand-written FFI: primary image only, decoded to interleaved RGB8.

use std::ffi::{CStr, c_char, c_int, c_void};

use crate::error::MediaError;

#[repr(C)]
struct HeifError {
    code: c_int,
    subcode: c_int,
    message: *const c_char,
}

const HEIF_COLORSPACE_RGB: c_int = 1;
const HEIF_CHROMA_INTERLEAVED_RGB: c_int = 10;
const HEIF_CHANNEL_INTERLEAVED: c_int = 10;
/// `heif_error_Unsupported_filetype`, `..._feature`, `..._Unsupported_codec`-ish codes.
const HEIF_ERROR_UNSUPPORTED_FILETYPE: c_int = 3;
const HEIF_ERROR_UNSUPPORTED_FEATURE: c_int = 4;
/// `heif_error_Memory_allocation_error`.
const HEIF_ERROR_MEMORY: c_int = 6;

#[link(name = "heif")]
unsafe extern "C" {
    fn heif_context_alloc() -> *mut c_void;
    fn heif_context_free(ctx: *mut c_void);
    fn heif_context_set_maximum_image_size_limit(ctx: *mut c_void, max_width: c_int);
    fn heif_context_read_from_memory_without_copy(
        ctx: *mut c_void,
        mem: *const c_void,
        size: usize,
        options: *const c_void,
    ) -> HeifError;
    fn heif_context_get_primary_image_handle(
        ctx: *mut c_void,
        handle: *mut *mut c_void,
    ) -> HeifError;
    fn heif_image_handle_release(handle: *const c_void);
    fn heif_image_handle_get_width(handle: *const c_void) -> c_int;
    fn heif_image_handle_get_height(handle: *const c_void) -> c_int;
    fn heif_decode_image(
        handle: *const c_void,
        out: *mut *mut c_void,
        colorspace: c_int,
        chroma: c_int,
        options: *const c_void,
    ) -> HeifError;
    fn heif_image_get_width(img: *const c_void, channel: c_int) -> c_int;
    fn heif_image_get_height(img: *const c_void, channel: c_int) -> c_int;
    fn heif_image_get_plane_readonly(
        img: *const c_void,
        channel: c_int,
        stride: *mut c_int,
    ) -> *const u8;
    fn heif_image_release(img: *const c_void);
}

struct Ctx(*mut c_void);
impl Drop for Ctx {
    fn drop(&mut self) {
        // SAFETY: allocated by heif_context_alloc, freed once.
        unsafe { heif_context_free(self.0) }
    }
}
struct ImgHandle(*mut c_void);
impl Drop for ImgHandle {
    fn drop(&mut self) {
        // SAFETY: obtained from libheif, released once.
        unsafe { heif_image_handle_release(self.0) }
    }
}
struct Img(*mut c_void);
impl Drop for Img {
    fn drop(&mut self) {
        // SAFETY: obtained from heif_decode_image, released once.
        unsafe { heif_image_release(self.0) }
    }
}

fn check(e: HeifError, format: &'static str) -> Result<(), MediaError> {
    if e.code == 0 {
        return Ok(());
    }
    let detail = if e.message.is_null() {
        format!("libheif error {}/{}", e.code, e.subcode)
    } else {
        // SAFETY: libheif returns static NUL-terminated messages.
        unsafe { CStr::from_ptr(e.message) }
            .to_string_lossy()
            .into_owned()
    };
    Err(match e.code {
        HEIF_ERROR_UNSUPPORTED_FILETYPE | HEIF_ERROR_UNSUPPORTED_FEATURE => {
            MediaError::Unsupported { format }
        }
        HEIF_ERROR_MEMORY => MediaError::TooLarge {
            format,
            width: 0,
            height: 0,
            reason: "decoder memory",
        },
        _ => MediaError::Corrupt { format, detail },
    })
}

/// Decode the primary image. `check_dims` vets the declared size before any
/// pixel memory is allocated.
pub(crate) fn decode(
    data: &[u8],
    format: &'static str,
    max_dimension: u32,
    check_dims: impl Fn(u32, u32) -> Result<(), MediaError>,
) -> Result<(u32, u32, Vec<u8>), MediaError> {
    // SAFETY: all pointers passed below are either from libheif (wrapped in
    // RAII guards that release them once) or derived from `data`, which
    // outlives the context (read "without copy").
    unsafe {
        let ctx = Ctx(heif_context_alloc());
        if ctx.0.is_null() {
            return Err(MediaError::Unsupported { format });
        }
        heif_context_set_maximum_image_size_limit(
            ctx.0,
            max_dimension.min(i32::MAX as u32) as c_int,
        );
        check(
            heif_context_read_from_memory_without_copy(
                ctx.0,
                data.as_ptr().cast(),
                data.len(),
                std::ptr::null(),
            ),
            format,
        )?;
        let mut h: *mut c_void = std::ptr::null_mut();
        check(heif_context_get_primary_image_handle(ctx.0, &mut h), format)?;
        if h.is_null() {
            return Err(MediaError::Corrupt {
                format,
                detail: "no primary image".to_owned(),
            });
        }
        let handle = ImgHandle(h);
        let (w, hh) = (
            heif_image_handle_get_width(handle.0),
            heif_image_handle_get_height(handle.0),
        );
        if w <= 0 || hh <= 0 {
            return Err(MediaError::Corrupt {
                format,
                detail: "zero-sized image".to_owned(),
            });
        }
        check_dims(w as u32, hh as u32)?;
        let mut img: *mut c_void = std::ptr::null_mut();
        check(
            heif_decode_image(
                handle.0,
                &mut img,
                HEIF_COLORSPACE_RGB,
                HEIF_CHROMA_INTERLEAVED_RGB,
                std::ptr::null(),
            ),
            format,
        )?;
        if img.is_null() {
            return Err(MediaError::Corrupt {
                format,
                detail: "decoder returned no image".to_owned(),
            });
        }
        let img = Img(img);
        let iw = heif_image_get_width(img.0, HEIF_CHANNEL_INTERLEAVED);
        let ih = heif_image_get_height(img.0, HEIF_CHANNEL_INTERLEAVED);
        let mut stride: c_int = 0;
        let plane = heif_image_get_plane_readonly(img.0, HEIF_CHANNEL_INTERLEAVED, &mut stride);
        if plane.is_null() || iw <= 0 || ih <= 0 || (stride as i64) < (iw as i64) * 3 {
            return Err(MediaError::Corrupt {
                format,
                detail: "decoded plane missing".to_owned(),
            });
        }
        check_dims(iw as u32, ih as u32)?;
        let (iw, ih, stride) = (iw as usize, ih as usize, stride as usize);
        let mut out = Vec::with_capacity(iw * ih * 3);
        for y in 0..ih {
            let row = std::slice::from_raw_parts(plane.add(y * stride), iw * 3);
            out.extend_from_slice(row);
        }
        Ok((iw as u32, ih as u32, out))
    }
}
