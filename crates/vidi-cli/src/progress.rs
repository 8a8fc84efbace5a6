//! The progress bar: an indicatif rendering of the pipeline's progress
//! events. Shown only on a terminal, and never with `--quiet` or
//! `VIDI_NO_PROGRESS`.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use vidi_pipeline::{ItemOutcome, ProgressSink};

/// A progress bar drawn on stderr with `template`, hidden unless stderr is a
/// terminal and neither `--quiet` nor `VIDI_NO_PROGRESS` is set. Every
/// command's bar is made here.
pub(crate) fn styled_bar(quiet: bool, template: &str) -> ProgressBar {
    let visible =
        !quiet && std::io::stderr().is_terminal() && std::env::var_os("VIDI_NO_PROGRESS").is_none();
    let bar = if visible {
        ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(5))
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

pub(crate) struct Bar {
    bar: ProgressBar,
    files_found: AtomicU64,
    files_done: AtomicU64,
    bytes_found: AtomicU64,
    bytes_done: AtomicU64,
}

impl Bar {
    pub(crate) fn new(quiet: bool) -> Self {
        let bar = styled_bar(
            quiet,
            "{spinner} [{elapsed_precise}] {bar:30} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}  {msg}",
        );
        Bar {
            bar,
            files_found: AtomicU64::new(0),
            files_done: AtomicU64::new(0),
            bytes_found: AtomicU64::new(0),
            bytes_done: AtomicU64::new(0),
        }
    }

    fn refresh_msg(&self) {
        let done = self.files_done.load(Ordering::Relaxed);
        let found = self.files_found.load(Ordering::Relaxed);
        self.bar.set_message(format!("{done}/{found} files"));
    }

    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl ProgressSink for Bar {
    fn discovered(&self, bytes: u64) {
        self.files_found.fetch_add(1, Ordering::Relaxed);
        let total = self.bytes_found.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.bar.set_length(total);
        self.refresh_msg();
    }

    fn item_done(&self, bytes: u64, _outcome: &ItemOutcome) {
        self.files_done.fetch_add(1, Ordering::Relaxed);
        self.bytes_done.fetch_add(bytes, Ordering::Relaxed);
        self.bar
            .set_position(self.bytes_done.load(Ordering::Relaxed));
        self.refresh_msg();
    }
}
