//! What one GraphQL request may cost: a number of item reads and a time limit, shared by all its fields
//! (aliases and nested connections included).
//!
//! The document's shape (depth, field count) says little about the work: one `listTodos(limit: 1)` can read
//! one item or every item of a model. So the data operations charge the budget for the work they actually
//! do (one unit per lookup and one per stored item read) and check the clock as they go; a request over
//! either limit has its remaining fields fail, and reads stop where they are.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::ops::OpError;

/// A request's remaining reads and its deadline.
pub(crate) struct Budget {
    reads: u64,
    reads_left: AtomicU64,
    expired: Box<dyn Fn() -> bool + Send + Sync>,
    cancelled: AtomicBool,
}

impl std::fmt::Debug for Budget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Budget")
            .field("reads", &self.reads)
            .field("reads_left", &self.reads_left)
            .field("cancelled", &self.cancelled)
            .finish_non_exhaustive()
    }
}

impl Budget {
    /// `reads` item reads, until `time` from now.
    pub(crate) fn new(reads: u64, time: Duration) -> Self {
        let deadline = Instant::now().checked_add(time);
        Self::with_expiry(reads, move || {
            deadline.is_some_and(|deadline| Instant::now() >= deadline)
        })
    }

    /// `reads` item reads, until `expired` says the time is up (tests drive it without a clock).
    pub(crate) fn with_expiry(
        reads: u64,
        expired: impl Fn() -> bool + Send + Sync + 'static,
    ) -> Self {
        Self {
            reads,
            reads_left: AtomicU64::new(reads),
            expired: Box::new(expired),
            cancelled: AtomicBool::new(false),
        }
    }

    /// Stops the request's remaining work (its time is up).
    pub(crate) fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// Charges `reads` units before doing that work; refuses once the request ran out of time or reads.
    pub(crate) fn charge(&self, reads: u64) -> Result<(), OpError> {
        if self.cancelled.load(Ordering::Relaxed) || (self.expired)() {
            self.cancel();
            return Err(OpError::timed_out());
        }
        self.reads_left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(reads)
            })
            .map(drop)
            .map_err(|_| OpError::over_budget(self.reads))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn reads_are_counted_down_and_refused_past_the_budget() {
        let budget = Budget::new(3, Duration::from_secs(3600));
        assert!(budget.charge(2).is_ok());
        assert!(budget.charge(1).is_ok());
        let error = budget.charge(1).expect_err("over budget");
        assert_eq!(error.error_type, "ExecutionLimitExceeded");
        assert!(error.message.contains('3'), "{}", error.message);
    }

    #[test]
    fn expiry_and_cancellation_stop_everything() {
        let expired = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&expired);
        let budget = Budget::with_expiry(100, move || flag.load(Ordering::Relaxed));
        assert!(budget.charge(1).is_ok());
        expired.store(true, Ordering::Relaxed);
        assert_eq!(
            budget.charge(1).expect_err("expired").error_type,
            "ExecutionTimeout"
        );
        // Once up, it stays up.
        expired.store(false, Ordering::Relaxed);
        assert!(budget.charge(1).is_err());

        let cancelled = Budget::new(100, Duration::from_secs(3600));
        cancelled.cancel();
        assert_eq!(
            cancelled.charge(1).expect_err("cancelled").error_type,
            "ExecutionTimeout"
        );
        // A zero time budget is over before anything runs.
        assert!(Budget::new(100, Duration::ZERO).charge(1).is_err());
    }
}
