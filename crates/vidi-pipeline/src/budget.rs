//! A wall-clock budget for in-process decoders.
//!
//! A hostile file can make a decoder spin for a very long time. The work
//! runs on its own thread; if it does not answer within the budget the
//! caller moves on and the thread is abandoned (it keeps running until the
//! decoder returns, holding only its own memory). The number of abandoned
//! threads is capped so that a corpus full of such files cannot exhaust the
//! machine: past the cap, work runs inline.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

static ABANDONED: AtomicUsize = AtomicUsize::new(0);
const MAX_ABANDONED: usize = 16;

/// Why budgeted work produced no value.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BudgetError {
    /// The budget ran out.
    Timeout,
    /// The work panicked (the panic was contained).
    Panicked(String),
}

/// Run `f` with a wall-clock budget.
pub(crate) fn run_with_budget<T, F>(budget: Duration, f: F) -> Result<T, BudgetError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    if ABANDONED.load(Ordering::Relaxed) >= MAX_ABANDONED {
        return catch(f);
    }
    let (tx, rx) = mpsc::sync_channel(1);
    let spawned = std::thread::Builder::new()
        .name("vidi-decode".into())
        .stack_size(16 * 1024 * 1024)
        .spawn(move || {
            let r = catch(f);
            let _ = tx.send(r);
        });
    let handle = match spawned {
        Ok(h) => h,
        Err(_) => return Err(BudgetError::Panicked("cannot spawn decode thread".into())),
    };
    match rx.recv_timeout(budget) {
        Ok(r) => {
            let _ = handle.join();
            r
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            ABANDONED.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                budget_s = budget.as_secs_f64(),
                "decoder over budget; abandoned"
            );
            std::thread::spawn(move || {
                let _ = handle.join();
                ABANDONED.fetch_sub(1, Ordering::Relaxed);
            });
            Err(BudgetError::Timeout)
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(BudgetError::Panicked(
            "decode thread ended without a result".into(),
        )),
    }
}

fn catch<T, F: FnOnce() -> T>(f: F) -> Result<T, BudgetError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
        let msg = if let Some(s) = p.downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = p.downcast_ref::<String>() {
            s.clone()
        } else {
            "unknown panic".to_string()
        };
        BudgetError::Panicked(msg)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_value_within_budget() {
        assert_eq!(run_with_budget(Duration::from_secs(5), || 42), Ok(42));
    }

    #[test]
    fn times_out() {
        let r = run_with_budget(Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_millis(400));
            1
        });
        assert_eq!(r, Err(BudgetError::Timeout));
    }

    #[test]
    fn contains_panics() {
        let r: Result<(), _> = run_with_budget(Duration::from_secs(5), || panic!("boom"));
        assert_eq!(r, Err(BudgetError::Panicked("boom".into())));
    }
}
