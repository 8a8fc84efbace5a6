//! A small, safe wrapper over libtesseract's C API (`tesseract/capi.h`).
//!
//! Only the handful of calls vidi needs are declared: create/init an API
//! handle, hand it raw 8-bit grey pixels, recognise with a deadline and a
//! cancel callback, and walk the result iterator. Declaring them by hand
//! (rather than through bindgen) keeps libclang out of the build.

use std::ffi::{CStr, CString, c_char, c_float, c_int, c_uchar, c_void};
use std::ptr::NonNull;

use vidi_types::Cancel;

#[repr(C)]
struct TessBaseApi {
    _private: [u8; 0],
}
#[repr(C)]
struct TessResultIterator {
    _private: [u8; 0],
}
#[repr(C)]
struct TessPageIterator {
    _private: [u8; 0],
}
#[repr(C)]
struct EtextDesc {
    _private: [u8; 0],
}

/// OCR engine mode: LSTM only (the accurate engine; Debian's traineddata
/// carry both).
pub(crate) const OEM_LSTM: i32 = 1;
/// OCR engine mode: legacy only (osd.traineddata has no LSTM model).
pub(crate) const OEM_LEGACY: i32 = 0;

/// `TessPageIteratorLevel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C)]
#[allow(dead_code)] // every level exists in the C enum; not all are used
pub(crate) enum Level {
    Block = 0,
    Para = 1,
    TextLine = 2,
    Word = 3,
    Symbol = 4,
}

type CancelFunc = unsafe extern "C" fn(*mut c_void, c_int) -> bool;

#[link(name = "tesseract")]
unsafe extern "C" {
    fn TessVersion() -> *const c_char;
    fn TessDeleteText(text: *const c_char);

    fn TessBaseAPICreate() -> *mut TessBaseApi;
    fn TessBaseAPIDelete(handle: *mut TessBaseApi);
    fn TessBaseAPIInit2(
        handle: *mut TessBaseApi,
        datapath: *const c_char,
        language: *const c_char,
        oem: c_int,
    ) -> c_int;
    fn TessBaseAPISetVariable(
        handle: *mut TessBaseApi,
        name: *const c_char,
        value: *const c_char,
    ) -> c_int;
    fn TessBaseAPISetPageSegMode(handle: *mut TessBaseApi, mode: c_int);
    fn TessBaseAPISetImage(
        handle: *mut TessBaseApi,
        imagedata: *const c_uchar,
        width: c_int,
        height: c_int,
        bytes_per_pixel: c_int,
        bytes_per_line: c_int,
    );
    fn TessBaseAPISetSourceResolution(handle: *mut TessBaseApi, ppi: c_int);
    fn TessBaseAPIRecognize(handle: *mut TessBaseApi, monitor: *mut EtextDesc) -> c_int;
    fn TessBaseAPIGetIterator(handle: *mut TessBaseApi) -> *mut TessResultIterator;
    fn TessBaseAPIClear(handle: *mut TessBaseApi);
    fn TessBaseAPIDetectOrientationScript(
        handle: *mut TessBaseApi,
        orient_deg: *mut c_int,
        orient_conf: *mut c_float,
        script_name: *mut *const c_char,
        script_conf: *mut c_float,
    ) -> c_int;

    fn TessResultIteratorDelete(handle: *mut TessResultIterator);
    fn TessResultIteratorGetPageIterator(handle: *mut TessResultIterator) -> *mut TessPageIterator;
    fn TessResultIteratorNext(handle: *mut TessResultIterator, level: Level) -> c_int;
    fn TessResultIteratorGetUTF8Text(
        handle: *const TessResultIterator,
        level: Level,
    ) -> *mut c_char;
    fn TessResultIteratorConfidence(handle: *const TessResultIterator, level: Level) -> c_float;
    fn TessResultIteratorWordRecognitionLanguage(
        handle: *const TessResultIterator,
    ) -> *const c_char;
    fn TessPageIteratorIsAtBeginningOf(handle: *const TessPageIterator, level: Level) -> c_int;
    fn TessPageIteratorBoundingBox(
        handle: *const TessPageIterator,
        level: Level,
        left: *mut c_int,
        top: *mut c_int,
        right: *mut c_int,
        bottom: *mut c_int,
    ) -> c_int;

    fn TessMonitorCreate() -> *mut EtextDesc;
    fn TessMonitorDelete(monitor: *mut EtextDesc);
    fn TessMonitorSetCancelFunc(monitor: *mut EtextDesc, cancel_func: Option<CancelFunc>);
    fn TessMonitorSetCancelThis(monitor: *mut EtextDesc, cancel_this: *mut c_void);
    fn TessMonitorSetDeadlineMSecs(monitor: *mut EtextDesc, deadline: c_int);
}

/// The libtesseract version string (e.g. `5.3.0`).
pub(crate) fn version() -> String {
    // SAFETY: TessVersion returns a pointer to a static NUL-terminated string.
    let p = unsafe { TessVersion() };
    if p.is_null() {
        return String::new();
    }
    // SAFETY: non-null, static, NUL-terminated (see above).
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// Why a tesseract call failed (mapped to `OcrError` by the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FfiError {
    /// `TessBaseAPICreate` returned null.
    Create,
    /// `Init` failed (missing traineddata).
    Init,
    /// `Recognize` returned an error (includes deadline and cancel).
    Recognize,
}

/// One initialised `TessBaseAPI`. Owns the handle; deleted on drop.
///
/// Tesseract's API object may be moved between threads but not shared:
/// this type is `Send` and not `Sync`.
#[derive(Debug)]
pub(crate) struct Api {
    raw: NonNull<TessBaseApi>,
}

// SAFETY: a TessBaseAPI holds no thread-local state; it may be used from any
// one thread at a time. `&mut self` on every call that mutates it, and the
// absence of `Sync`, guarantee exclusive use.
unsafe impl Send for Api {}

impl Api {
    /// Create and initialise for `languages` (tesseract syntax, `eng+fra`),
    /// reading traineddata from `datapath` (None: the library default),
    /// with engine mode `oem` ([`OEM_LSTM`] or [`OEM_LEGACY`]).
    pub(crate) fn new(
        datapath: Option<&CStr>,
        languages: &CStr,
        oem: i32,
    ) -> Result<Self, FfiError> {
        // SAFETY: plain constructor, no arguments.
        let raw = NonNull::new(unsafe { TessBaseAPICreate() }).ok_or(FfiError::Create)?;
        let mut api = Self { raw };
        // Tesseract writes diagnostics to stderr by default; a library must
        // not print, so send them nowhere.
        api.set_variable(c"debug_file", c"/dev/null");
        let dp = datapath.map_or(std::ptr::null(), CStr::as_ptr);
        // SAFETY: handle valid; strings NUL-terminated and outlive the call.
        let rc = unsafe { TessBaseAPIInit2(api.raw.as_ptr(), dp, languages.as_ptr(), oem) };
        if rc != 0 {
            return Err(FfiError::Init);
        }
        api.set_variable(c"debug_file", c"/dev/null");
        Ok(api)
    }

    /// Set a tesseract variable; false when the name is unknown.
    pub(crate) fn set_variable(&mut self, name: &CStr, value: &CStr) -> bool {
        // SAFETY: handle valid; strings NUL-terminated.
        unsafe { TessBaseAPISetVariable(self.raw.as_ptr(), name.as_ptr(), value.as_ptr()) != 0 }
    }

    /// Set the page segmentation mode (`PSM_*` number).
    pub(crate) fn set_psm(&mut self, psm: i32) {
        // SAFETY: handle valid; tesseract ignores out-of-range modes.
        unsafe { TessBaseAPISetPageSegMode(self.raw.as_ptr(), psm) }
    }

    /// Recognise 8-bit grey pixels (`width * height` bytes, no padding).
    ///
    /// `deadline_ms` bounds the recognition time; `cancel` is polled by
    /// tesseract between words. Returns the words found.
    pub(crate) fn recognize_gray(
        &mut self,
        gray: &[u8],
        width: u32,
        height: u32,
        ppi: i32,
        deadline_ms: i32,
        cancel: Option<&Cancel>,
    ) -> Result<Vec<RawWord>, FfiError> {
        let (Ok(w), Ok(h)) = (c_int::try_from(width), c_int::try_from(height)) else {
            return Err(FfiError::Recognize);
        };
        if gray.len() as u64 != u64::from(width) * u64::from(height) || w == 0 || h == 0 {
            return Err(FfiError::Recognize);
        }
        let monitor = Monitor::new(deadline_ms, cancel).ok_or(FfiError::Recognize)?;
        // SAFETY: `gray` holds exactly w*h bytes and outlives Recognize below
        // (tesseract copies the pixels into its own Pix in SetImage anyway).
        unsafe {
            TessBaseAPISetImage(self.raw.as_ptr(), gray.as_ptr(), w, h, 1, w);
            TessBaseAPISetSourceResolution(self.raw.as_ptr(), ppi);
        }
        // SAFETY: handle and monitor valid for the duration of the call.
        let rc = unsafe { TessBaseAPIRecognize(self.raw.as_ptr(), monitor.raw.as_ptr()) };
        let out = if rc != 0 {
            Err(FfiError::Recognize)
        } else {
            Ok(self.collect_words())
        };
        // SAFETY: handle valid; frees the page results and the image copy.
        unsafe { TessBaseAPIClear(self.raw.as_ptr()) };
        drop(monitor);
        out
    }

    /// Orientation and script detection (an API initialised with `osd`).
    pub(crate) fn detect_script(
        &mut self,
        gray: &[u8],
        width: u32,
        height: u32,
        ppi: i32,
    ) -> Option<Osd> {
        let (Ok(w), Ok(h)) = (c_int::try_from(width), c_int::try_from(height)) else {
            return None;
        };
        if gray.len() as u64 != u64::from(width) * u64::from(height) || w == 0 || h == 0 {
            return None;
        }
        let mut deg: c_int = 0;
        let mut oconf: c_float = 0.0;
        let mut name: *const c_char = std::ptr::null();
        let mut sconf: c_float = 0.0;
        // SAFETY: pixels are w*h bytes; out-pointers are valid locals.
        let ok = unsafe {
            TessBaseAPISetImage(self.raw.as_ptr(), gray.as_ptr(), w, h, 1, w);
            TessBaseAPISetSourceResolution(self.raw.as_ptr(), ppi);
            TessBaseAPIDetectOrientationScript(
                self.raw.as_ptr(),
                &mut deg,
                &mut oconf,
                &mut name,
                &mut sconf,
            ) != 0
        };
        let script = if ok && !name.is_null() {
            // SAFETY: a NUL-terminated name owned by the OSD unicharset.
            // Despite the comment in capi.h, tesseract 5 returns a pointer
            // into its unicharset (baseapi.cpp), not a copy: freeing it with
            // TessDeleteText corrupts the heap, so it is only copied here.
            let s = unsafe { CStr::from_ptr(name) }
                .to_string_lossy()
                .into_owned();
            Some(Osd {
                degrees: deg,
                orientation_confidence: oconf,
                script: s,
                script_confidence: sconf,
            })
        } else {
            None
        };
        // SAFETY: handle valid.
        unsafe { TessBaseAPIClear(self.raw.as_ptr()) };
        script
    }

    fn collect_words(&mut self) -> Vec<RawWord> {
        let mut words = Vec::new();
        // SAFETY: handle valid and recognised; the iterator is deleted below.
        let it = unsafe { TessBaseAPIGetIterator(self.raw.as_ptr()) };
        if it.is_null() {
            return words;
        }
        let mut block = 0u32;
        let mut line = 0u32;
        let mut first = true;
        loop {
            // SAFETY: `it` is a live result iterator; its page iterator is a
            // view into it (not separately owned).
            let page = unsafe { TessResultIteratorGetPageIterator(it) };
            if !first && !page.is_null() {
                // SAFETY: page iterator valid while `it` lives.
                unsafe {
                    if TessPageIteratorIsAtBeginningOf(page, Level::Block) != 0 {
                        block += 1;
                        line += 1;
                    } else if TessPageIteratorIsAtBeginningOf(page, Level::TextLine) != 0 {
                        line += 1;
                    }
                }
            }
            first = false;
            // SAFETY: iterator valid; returned text is freed with TessDeleteText.
            let text_ptr = unsafe { TessResultIteratorGetUTF8Text(it, Level::Word) };
            let text = if text_ptr.is_null() {
                String::new()
            } else {
                // SAFETY: NUL-terminated string owned by us until deleted.
                let s = unsafe { CStr::from_ptr(text_ptr) }
                    .to_string_lossy()
                    .into_owned();
                // SAFETY: allocated by tesseract for the caller.
                unsafe { TessDeleteText(text_ptr) };
                s
            };
            // SAFETY: iterator valid.
            let conf = unsafe { TessResultIteratorConfidence(it, Level::Word) };
            // SAFETY: iterator valid; returned pointer is owned by tesseract.
            let lang_ptr = unsafe { TessResultIteratorWordRecognitionLanguage(it) };
            let lang = if lang_ptr.is_null() {
                String::new()
            } else {
                // SAFETY: NUL-terminated, owned by tesseract, copied at once.
                unsafe { CStr::from_ptr(lang_ptr) }
                    .to_string_lossy()
                    .into_owned()
            };
            let (mut l, mut t, mut r, mut b) = (0, 0, 0, 0);
            // SAFETY: page iterator valid; out-pointers are locals.
            let has_box = !page.is_null()
                && unsafe {
                    TessPageIteratorBoundingBox(page, Level::Word, &mut l, &mut t, &mut r, &mut b)
                } != 0;
            if has_box && !text.trim().is_empty() {
                words.push(RawWord {
                    text: text.trim().to_owned(),
                    conf,
                    left: l,
                    top: t,
                    right: r,
                    bottom: b,
                    block,
                    line,
                    lang,
                });
            }
            // SAFETY: iterator valid.
            if unsafe { TessResultIteratorNext(it, Level::Word) } == 0 {
                break;
            }
        }
        // SAFETY: created by GetIterator above and not used afterwards.
        unsafe { TessResultIteratorDelete(it) };
        words
    }
}

impl Drop for Api {
    fn drop(&mut self) {
        // SAFETY: the handle came from TessBaseAPICreate and is deleted once.
        unsafe { TessBaseAPIDelete(self.raw.as_ptr()) }
    }
}

/// What orientation and script detection found.
#[derive(Debug, Clone)]
pub(crate) struct Osd {
    /// How far the page is turned: rotating the image counter-clockwise by
    /// this many degrees makes it upright (0, 90, 180, 270).
    pub(crate) degrees: i32,
    /// Tesseract's orientation confidence (about 10 on a clean page).
    pub(crate) orientation_confidence: f32,
    /// Script name (`Latin`, `Cyrillic`, `Arabic`, `Thai`, `Han`...).
    pub(crate) script: String,
    /// Tesseract's script confidence.
    pub(crate) script_confidence: f32,
}

/// One word straight from the iterator, in the pixels given to tesseract.
#[derive(Debug, Clone)]
pub(crate) struct RawWord {
    pub(crate) text: String,
    /// 0–100.
    pub(crate) conf: f32,
    pub(crate) left: i32,
    pub(crate) top: i32,
    pub(crate) right: i32,
    pub(crate) bottom: i32,
    pub(crate) block: u32,
    pub(crate) line: u32,
    /// Traineddata that recognised the word (`eng`, `fra`...).
    pub(crate) lang: String,
}

/// An `ETEXT_DESC` with a deadline and an optional cancel callback.
struct Monitor {
    raw: NonNull<EtextDesc>,
}

unsafe extern "C" fn cancel_cb(this: *mut c_void, _words: c_int) -> bool {
    if this.is_null() {
        return false;
    }
    // SAFETY: `this` is the `&Cancel` installed by Monitor::new, which
    // outlives the Recognize call the monitor is passed to.
    let cancel = unsafe { &*(this as *const Cancel) };
    cancel.is_cancelled()
}

impl Monitor {
    fn new(deadline_ms: i32, cancel: Option<&Cancel>) -> Option<Self> {
        // SAFETY: plain constructor.
        let raw = NonNull::new(unsafe { TessMonitorCreate() })?;
        // SAFETY: monitor valid. The cancel pointer is borrowed for the
        // lifetime of `cancel`, which spans the Recognize call (see caller).
        unsafe {
            TessMonitorSetDeadlineMSecs(raw.as_ptr(), deadline_ms.max(1));
            if let Some(c) = cancel {
                TessMonitorSetCancelThis(raw.as_ptr(), (c as *const Cancel).cast_mut().cast());
                TessMonitorSetCancelFunc(raw.as_ptr(), Some(cancel_cb));
            }
        }
        Some(Self { raw })
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        // SAFETY: created by TessMonitorCreate, deleted once.
        unsafe { TessMonitorDelete(self.raw.as_ptr()) }
    }
}

/// A `CString` from a language list, or None if it contains NUL.
pub(crate) fn cstring(s: &str) -> Option<CString> {
    CString::new(s).ok()
}
