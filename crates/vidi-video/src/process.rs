//! Running ffmpeg/ffprobe as bounded, killable subprocesses.
//!
//! Every child gets a null stdin, a piped stdout read by the caller, and a
//! piped stderr drained by a thread that keeps only the last
//! [`STDERR_TAIL`] bytes. A watchdog thread kills the child when the deadline
//! passes or the cancel token fires. [`Proc::finish`] always waits for the
//! child, so none is left as a zombie, and `Drop` kills and reaps a child
//! whose owner gave up early.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use vidi_types::Cancel;

use crate::error::{Tool, VideoError, looks_corrupt};

/// How much of a child's stderr is kept (the tail).
pub(crate) const STDERR_TAIL: usize = 4096;

/// How often the watchdog looks at the clock and the cancel token.
const POLL: Duration = Duration::from_millis(20);

const NOT_KILLED: u8 = 0;
const KILLED_TIMEOUT: u8 = 1;
const KILLED_CANCEL: u8 = 2;

/// What the caller needs to turn an outcome into an error.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub(crate) path: PathBuf,
    pub(crate) tool: Tool,
    pub(crate) budget: Duration,
}

impl Ctx {
    pub(crate) fn new(path: &Path, tool: Tool, budget: Duration) -> Self {
        Self {
            path: path.to_path_buf(),
            tool,
            budget,
        }
    }

    pub(crate) fn io(&self, source: std::io::Error) -> VideoError {
        VideoError::Io {
            path: self.path.clone(),
            tool: self.tool,
            source,
        }
    }
}

/// A running child process.
pub(crate) struct Proc {
    ctx: Ctx,
    child: Arc<Mutex<Child>>,
    stdout: Option<ChildStdout>,
    stderr: Option<JoinHandle<Vec<u8>>>,
    watchdog: Option<JoinHandle<()>>,
    done: Arc<AtomicBool>,
    killed: Arc<AtomicU8>,
}

/// How a child ended.
pub(crate) struct Finished {
    pub(crate) status: ExitStatus,
    pub(crate) stderr_tail: String,
}

impl Finished {
    /// The most informative last line of stderr.
    pub(crate) fn last_line(&self) -> String {
        last_line(&self.stderr_tail)
    }
}

/// ffmpeg's closing lines that say nothing about the cause.
const GENERIC_LINES: &[&str] = &[
    "error marking filters as finished",
    "conversion failed!",
    "error while filtering: end of file",
    "nothing was written into output file",
];

/// The last non-empty stderr line that is not a generic closing line, with
/// ffmpeg's `file:<path>: ` prefix removed (the path is in the error
/// already), at most 400 characters.
pub(crate) fn last_line(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let line = lines
        .iter()
        .rev()
        .find(|l| {
            let low = l.to_ascii_lowercase();
            !GENERIC_LINES.iter().any(|g| low.starts_with(g))
        })
        .or(lines.last())
        .copied()
        .unwrap_or("");
    let line = match line.strip_prefix("file:") {
        Some(rest) => rest.split_once(": ").map_or(line, |(_, msg)| msg),
        None => line,
    };
    line.chars().take(400).collect()
}

fn lock(child: &Mutex<Child>) -> std::sync::MutexGuard<'_, Child> {
    child.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Proc {
    /// Start `tool` with `args`, to be killed at `deadline` or on `cancel`.
    pub(crate) fn spawn(
        ctx: Ctx,
        args: &[std::ffi::OsString],
        deadline: Instant,
        cancel: &Cancel,
    ) -> Result<Self, VideoError> {
        let program = ctx.tool.program();
        Self::spawn_program(program, ctx, args, deadline, cancel)
    }

    /// [`Proc::spawn`] with an explicit program name (tests use a missing
    /// one).
    fn spawn_program(
        program: &str,
        ctx: Ctx,
        args: &[std::ffi::OsString],
        deadline: Instant,
        cancel: &Cancel,
    ) -> Result<Self, VideoError> {
        tracing::debug!(tool = %ctx.tool, ?args, "spawning");
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
                    VideoError::ToolMissing {
                        tool: ctx.tool,
                        source,
                    }
                }
                _ => ctx.io(source),
            })?;
        let stdout = child.stdout.take();
        let stderr_pipe = child.stderr.take();
        let stderr = stderr_pipe.map(|mut pipe| {
            std::thread::spawn(move || {
                let mut tail: Vec<u8> = Vec::with_capacity(STDERR_TAIL * 2);
                let mut buf = [0u8; 4096];
                loop {
                    match pipe.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            tail.extend_from_slice(&buf[..n]);
                            if tail.len() > STDERR_TAIL * 2 {
                                let cut = tail.len() - STDERR_TAIL;
                                tail.drain(..cut);
                            }
                        }
                    }
                }
                if tail.len() > STDERR_TAIL {
                    let cut = tail.len() - STDERR_TAIL;
                    tail.drain(..cut);
                }
                tail
            })
        });
        let child = Arc::new(Mutex::new(child));
        let done = Arc::new(AtomicBool::new(false));
        let killed = Arc::new(AtomicU8::new(NOT_KILLED));
        let watchdog = {
            let child = Arc::clone(&child);
            let done = Arc::clone(&done);
            let killed = Arc::clone(&killed);
            let cancel = cancel.clone();
            std::thread::spawn(move || {
                while !done.load(Ordering::SeqCst) {
                    let why = if cancel.is_cancelled() {
                        KILLED_CANCEL
                    } else if Instant::now() >= deadline {
                        KILLED_TIMEOUT
                    } else {
                        std::thread::sleep(POLL);
                        continue;
                    };
                    killed.store(why, Ordering::SeqCst);
                    // Kill only while the child has not been reaped (std
                    // guarantees no signal is sent to a reaped pid).
                    let _ = lock(&child).kill();
                    break;
                }
            })
        };
        Ok(Self {
            ctx,
            child,
            stdout,
            stderr,
            watchdog: Some(watchdog),
            done,
            killed,
        })
    }

    /// Take the child's stdout (to read it on another thread).
    pub(crate) fn take_stdout(&mut self) -> Option<ChildStdout> {
        self.stdout.take()
    }

    /// The child's stdout.
    pub(crate) fn stdout(&mut self) -> Option<&mut ChildStdout> {
        self.stdout.as_mut()
    }

    /// The error for a child killed by the watchdog, if it was.
    pub(crate) fn kill_reason(&self) -> Option<VideoError> {
        match self.killed.load(Ordering::SeqCst) {
            KILLED_TIMEOUT => Some(VideoError::Timeout {
                path: self.ctx.path.clone(),
                tool: self.ctx.tool,
                budget: self.ctx.budget,
            }),
            KILLED_CANCEL => Some(VideoError::Cancelled {
                path: self.ctx.path.clone(),
                tool: self.ctx.tool,
            }),
            _ => None,
        }
    }

    /// Kill the child now (e.g. enough output was read).
    pub(crate) fn kill(&mut self) {
        let _ = lock(&self.child).kill();
    }

    /// Close stdout, wait for the child and the helper threads. Returns the
    /// exit status and stderr tail, or the timeout/cancel error when the
    /// watchdog killed the child.
    pub(crate) fn finish(mut self) -> Result<Finished, VideoError> {
        self.stdout = None;
        let status = self.wait();
        self.done.store(true, Ordering::SeqCst);
        if let Some(w) = self.watchdog.take() {
            let _ = w.join();
        }
        let tail = self
            .stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        if let Some(e) = self.kill_reason() {
            return Err(e);
        }
        let status = status.map_err(|e| self.ctx.io(e))?;
        Ok(Finished {
            status,
            stderr_tail: String::from_utf8_lossy(&tail).into_owned(),
        })
    }

    fn wait(&self) -> std::io::Result<ExitStatus> {
        // Poll so the watchdog can take the lock to kill.
        loop {
            if let Some(s) = lock(&self.child).try_wait()? {
                return Ok(s);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Turn a non-zero exit into an error.
    pub(crate) fn check(ctx: &Ctx, fin: &Finished) -> Result<(), VideoError> {
        if fin.status.success() {
            return Ok(());
        }
        let last_line = fin.last_line();
        if looks_corrupt(&last_line) {
            Err(VideoError::Corrupt {
                path: ctx.path.clone(),
                tool: ctx.tool,
                last_line,
            })
        } else {
            Err(VideoError::Failed {
                path: ctx.path.clone(),
                tool: ctx.tool,
                status: fin.status.to_string(),
                last_line,
            })
        }
    }

    /// The context this process runs in.
    pub(crate) fn ctx(&self) -> &Ctx {
        &self.ctx
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.stdout = None;
        if !self.done.load(Ordering::SeqCst) {
            let mut c = lock(&self.child);
            let _ = c.kill();
            let _ = c.wait();
            drop(c);
            self.done.store(true, Ordering::SeqCst);
        }
        if let Some(w) = self.watchdog.take() {
            let _ = w.join();
        }
        if let Some(h) = self.stderr.take() {
            let _ = h.join();
        }
    }
}

/// Run a tool to completion, collecting at most `max_stdout` bytes of stdout.
pub(crate) fn run_capture(
    ctx: Ctx,
    args: &[std::ffi::OsString],
    deadline: Instant,
    cancel: &Cancel,
    max_stdout: usize,
) -> Result<(Vec<u8>, Finished), VideoError> {
    let mut p = Proc::spawn(ctx, args, deadline, cancel)?;
    let mut out = Vec::new();
    let mut too_large = false;
    if let Some(stdout) = p.stdout() {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match stdout.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if out.len() + n > max_stdout {
                        too_large = true;
                        break;
                    }
                    out.extend_from_slice(&buf[..n]);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    if let Some(k) = p.kill_reason() {
                        return Err(k);
                    }
                    return Err(p.ctx().io(e));
                }
            }
        }
    }
    if too_large {
        p.kill();
        let ctx = p.ctx().clone();
        // Surface timeout/cancel first if that is what happened.
        p.finish()?;
        return Err(VideoError::OutputTooLarge {
            path: ctx.path,
            tool: ctx.tool,
            limit: max_stdout,
        });
    }
    let ctx = p.ctx().clone();
    let fin = p.finish()?;
    Proc::check(&ctx, &fin)?;
    Ok((out, fin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_line_skips_generic_lines_and_the_path() {
        let t = "warning\nfile:/a/b.mp4: Invalid data found when processing input\n\n";
        assert_eq!(last_line(t), "Invalid data found when processing input");
        let t = "Cannot determine format of input stream 0:0 after EOF\nError marking filters as finished\n";
        assert_eq!(
            last_line(t),
            "Cannot determine format of input stream 0:0 after EOF"
        );
        assert_eq!(last_line("Conversion failed!\n"), "Conversion failed!");
        assert_eq!(last_line(""), "");
    }

    #[test]
    fn a_missing_tool_is_tool_missing() {
        let ctx = Ctx::new(Path::new("x.mp4"), Tool::Ffprobe, Duration::from_secs(5));
        let deadline = Instant::now() + ctx.budget;
        let err = Proc::spawn_program(
            "vidi-no-such-ffprobe-binary",
            ctx,
            &[],
            deadline,
            &Cancel::new(),
        )
        .err()
        .expect("spawn fails");
        let fe = err.to_file_error();
        assert_eq!(fe.kind, vidi_types::FileErrorKind::ToolMissing);
        assert!(fe.message.contains("ffprobe is not installed"), "{fe}");
    }

    #[test]
    fn stderr_is_bounded_and_the_child_reaped() {
        // Debug logging of a 2 s synthetic decode writes far more than the
        // tail to stderr.
        let ctx = Ctx::new(Path::new(""), Tool::Ffmpeg, Duration::from_secs(60));
        let deadline = Instant::now() + ctx.budget;
        let args: Vec<std::ffi::OsString> = [
            "-nostdin",
            "-v",
            "debug",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=2",
            "-f",
            "null",
            "-",
        ]
        .iter()
        .map(std::ffi::OsString::from)
        .collect();
        let (_, fin) =
            run_capture(ctx, &args, deadline, &Cancel::new(), 1024).expect("ffmpeg runs");
        assert!(fin.status.success());
        assert!(fin.stderr_tail.len() <= STDERR_TAIL);
        assert!(
            fin.stderr_tail.len() > STDERR_TAIL / 2,
            "{}",
            fin.stderr_tail.len()
        );
    }
}
