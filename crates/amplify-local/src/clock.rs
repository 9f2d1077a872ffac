//! amplify-local's clock for the checks that tests must be able to move
//! through time without sleeping (attempt lockouts). It follows the system
//! clock until [`Clock::freeze`] or [`Clock::advance`] is called.

use std::sync::Mutex;

use crate::state::now_secs;

/// How the clock reads.
#[derive(Debug, Clone, Copy)]
enum Reading {
    /// The system clock plus an offset in seconds.
    Live { offset: i64 },
    /// A fixed time (seconds since the Unix epoch).
    Frozen { at: i64 },
}

/// A clock that tests can freeze and move forward.
#[derive(Debug)]
pub(crate) struct Clock {
    reading: Mutex<Reading>,
}

impl Default for Clock {
    fn default() -> Self {
        Self {
            reading: Mutex::new(Reading::Live { offset: 0 }),
        }
    }
}

impl Clock {
    fn reading(&self) -> std::sync::MutexGuard<'_, Reading> {
        // A plain value: a panic elsewhere cannot leave it half-written.
        self.reading
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Now, in whole seconds since the Unix epoch.
    pub(crate) fn now(&self) -> i64 {
        match *self.reading() {
            Reading::Live { offset } => now_secs().saturating_add(offset),
            Reading::Frozen { at } => at,
        }
    }

    /// Stops the clock at its current reading.
    pub(crate) fn freeze(&self) {
        let mut reading = self.reading();
        if let Reading::Live { offset } = *reading {
            *reading = Reading::Frozen {
                at: now_secs().saturating_add(offset),
            };
        }
    }

    /// Moves the clock forward by `seconds`, frozen or not.
    pub(crate) fn advance(&self, seconds: i64) {
        let mut reading = self.reading();
        *reading = match *reading {
            Reading::Live { offset } => Reading::Live {
                offset: offset.saturating_add(seconds),
            },
            Reading::Frozen { at } => Reading::Frozen {
                at: at.saturating_add(seconds),
            },
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_moves_only_when_advanced() {
        let clock = Clock::default();
        clock.freeze();
        let at = clock.now();
        assert_eq!(clock.now(), at);
        clock.advance(90);
        assert_eq!(clock.now(), at + 90);
        clock.freeze();
        assert_eq!(clock.now(), at + 90);
    }
}
