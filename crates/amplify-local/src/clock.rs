//! The backend's one clock ([`Clock`]).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How the clock reads, in milliseconds.
#[derive(Debug, Clone, Copy)]
enum Reading {
    /// The system clock plus an offset.
    Live { offset_ms: i64 },
    /// A fixed time since the Unix epoch.
    Frozen { at_ms: i64 },
}

/// amplify-local's one clock. Every time that decides whether something is
/// still valid is read here: token issuance and expiry (access, id, refresh),
/// authorization and confirmation codes, managed-login sessions and flows,
/// identity credentials, the GraphQL API key, SigV4 request times (admin
/// operations, `AWS_IAM` GraphQL, S3 requests and presigned URLs) and the
/// attempt lockouts. So are the times records carry: users' creation and
/// change times, GraphQL's `createdAt`/`updatedAt`.
///
/// It follows the system clock until it is frozen or moved ([`freeze`],
/// [`advance`], [`rewind`]), which is how tests cross a lifetime without
/// sleeping. Lifetimes are checked in whole seconds (as tokens state them);
/// the clock keeps milliseconds for GraphQL's `createdAt`/`updatedAt`.
/// Clones share one reading, so a clock given to
/// [`LocalOptions::with_clock`](crate::LocalOptions::with_clock) can be handed
/// to the next start on the same data directory and time passes across the
/// restart too.
///
/// Users added to a data directory with no server running
/// ([`add_user_to_data_dir`](crate::add_user_to_data_dir)) are dated by the
/// system clock. Besides amplify-local's own checks, s3s refuses presigned
/// URLs that have expired by the system clock, so a URL signed at a rewound
/// time may be refused.
///
/// [`freeze`]: Self::freeze
/// [`advance`]: Self::advance
/// [`rewind`]: Self::rewind
///
/// ```
/// use std::time::Duration;
/// let clock = amplify_local::Clock::default();
/// clock.freeze();
/// let start = clock.now();
/// clock.advance(Duration::from_secs(3600));
/// assert_eq!(clock.now(), start + Duration::from_secs(3600));
/// ```
#[derive(Debug, Clone)]
pub struct Clock {
    reading: Arc<Mutex<Reading>>,
}

impl Default for Clock {
    /// A clock that follows the system clock.
    fn default() -> Self {
        Self {
            reading: Arc::new(Mutex::new(Reading::Live { offset_ms: 0 })),
        }
    }
}

/// The system clock, in milliseconds since the Unix epoch.
fn system_now_ms() -> i64 {
    millis_since_epoch(SystemTime::now())
}

/// The system clock, in whole seconds since the Unix epoch.
pub(crate) fn system_now() -> i64 {
    system_now_ms().div_euclid(1000)
}

fn millis_since_epoch(time: SystemTime) -> i64 {
    let millis = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => millis(after),
        Err(before) => millis(before.duration()).saturating_neg(),
    }
}

impl Clock {
    fn reading(&self) -> std::sync::MutexGuard<'_, Reading> {
        // A plain value: a panic elsewhere cannot leave it half-written.
        self.reading
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn now_ms(&self) -> i64 {
        match *self.reading() {
            Reading::Live { offset_ms } => system_now_ms().saturating_add(offset_ms),
            Reading::Frozen { at_ms } => at_ms,
        }
    }

    /// Now, in whole seconds since the Unix epoch: what lifetimes are
    /// checked against.
    pub(crate) fn now_secs(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    /// The time by this clock (to the millisecond).
    pub fn now(&self) -> SystemTime {
        let ms = self.now_ms();
        let magnitude = Duration::from_millis(ms.unsigned_abs());
        if ms >= 0 {
            UNIX_EPOCH + magnitude
        } else {
            UNIX_EPOCH - magnitude
        }
    }

    /// Stops the clock at its current reading: from now on it moves only
    /// when [`advance`](Self::advance)d or [`rewind`](Self::rewind)ed.
    pub fn freeze(&self) {
        let mut reading = self.reading();
        if let Reading::Live { offset_ms } = *reading {
            *reading = Reading::Frozen {
                at_ms: system_now_ms().saturating_add(offset_ms),
            };
        }
    }

    /// Moves the clock forward by `by`, frozen or not: tokens, codes,
    /// credentials and lockouts expire as if that time had passed.
    pub fn advance(&self, by: Duration) {
        self.shift(i64::try_from(by.as_millis()).unwrap_or(i64::MAX));
    }

    /// Moves the clock back by `by`, frozen or not: what is issued
    /// afterwards is dated in the past (tokens that are already expired by
    /// the system clock, for example).
    pub fn rewind(&self, by: Duration) {
        self.shift(
            i64::try_from(by.as_millis())
                .unwrap_or(i64::MAX)
                .saturating_neg(),
        );
    }

    /// Follows the system clock again, unfrozen and without an offset.
    pub fn reset(&self) {
        *self.reading() = Reading::Live { offset_ms: 0 };
    }

    fn shift(&self, ms: i64) {
        let mut reading = self.reading();
        *reading = match *reading {
            Reading::Live { offset_ms } => Reading::Live {
                offset_ms: offset_ms.saturating_add(ms),
            },
            Reading::Frozen { at_ms } => Reading::Frozen {
                at_ms: at_ms.saturating_add(ms),
            },
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn a_frozen_clock_moves_only_when_told() {
        let clock = Clock::default();
        clock.freeze();
        let at = clock.now();
        assert_eq!(clock.now(), at);
        clock.advance(Duration::from_millis(90_500));
        assert_eq!(clock.now(), at + Duration::from_millis(90_500));
        clock.freeze();
        assert_eq!(clock.now(), at + Duration::from_millis(90_500));
        clock.rewind(HOUR);
        let expected = at + Duration::from_millis(90_500) - HOUR;
        assert_eq!(clock.now(), expected);
        assert_eq!(
            clock.now_secs(),
            millis_since_epoch(expected).div_euclid(1000)
        );
    }

    #[test]
    fn a_moved_live_clock_keeps_its_offset_until_reset() {
        let clock = Clock::default();
        let shared = clock.clone();
        shared.rewind(2 * HOUR);
        let before = system_now_ms();
        let reading = clock.now_ms();
        assert!((before - 7_200_000..=system_now_ms() - 7_200_000).contains(&reading));
        clock.reset();
        let before = system_now_ms();
        let reading = shared.now_ms();
        assert!((before..=system_now_ms()).contains(&reading));
    }

    #[test]
    fn times_before_the_epoch_read_back() {
        let clock = Clock::default();
        clock.freeze();
        clock.rewind(SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + HOUR);
        assert!(clock.now() < UNIX_EPOCH);
        assert!(clock.now_secs() < 0);
    }
}
