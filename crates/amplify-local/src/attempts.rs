//! Limits on guessing, like Cognito's: after [`FREE_FAILURES`] wrong
//! passwords (or confirmation codes) in a row for a username, further
//! attempts are refused for a lockout that doubles with each further
//! failure, from one second up to 15 minutes. A correct answer during the
//! lockout is refused too; a success clears the count. Unknown usernames are
//! counted the same way, so the limits tell nothing about who exists.
//!
//! An attempt is counted as a failure when it starts, before the answer is
//! checked, so that a burst of parallel guesses cannot all get past the
//! limit; a success clears the count and an attempt that turned out not to
//! be a guess is withdrawn. Times come from [`AppState::now`].

use crate::api_error::{ApiError, ErrorCode};
use crate::state::AppState;

/// Failures allowed before the first lockout.
pub(crate) const FREE_FAILURES: u32 = 5;
/// The longest lockout.
const MAX_LOCKOUT_SECS: i64 = 15 * 60;
/// A count is forgotten after an hour without failures.
const FORGET_AFTER_SECS: i64 = 3600;

/// What is being guessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Guess {
    /// A password (sign-in).
    Password,
    /// A one-time code: sign-up or reset confirmation, an MFA code, a
    /// CUSTOM_CHALLENGE answer.
    Code,
}

impl Guess {
    fn key(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::Code => "code",
        }
    }

    /// Cognito's answer during a lockout.
    fn refusal(self) -> ApiError {
        match self {
            Self::Password => ApiError::new(ErrorCode::NotAuthorized, "Password attempts exceeded"),
            Self::Code => ApiError::new(
                ErrorCode::LimitExceeded,
                "Attempt limit exceeded, please try after some time.",
            ),
        }
    }
}

/// How long `failures` failures in a row lock a username out: nothing up to
/// [`FREE_FAILURES`], then 1 s, doubling with each failure, at most 15 min.
pub(crate) fn lockout_secs(failures: u32) -> i64 {
    match failures.checked_sub(FREE_FAILURES) {
        None => 0,
        Some(extra) => 1i64
            .checked_shl(extra)
            .filter(|secs| *secs > 0 && *secs <= MAX_LOCKOUT_SECS)
            .unwrap_or(MAX_LOCKOUT_SECS),
    }
}

/// One started attempt. Dropping it leaves it counted as a failure.
#[derive(Debug)]
#[must_use = "an attempt must end with succeeded() or withdraw(), or count as a failure"]
pub(crate) struct Attempt<'a> {
    state: &'a AppState,
    guess: Guess,
    username: &'a str,
}

impl<'a> Attempt<'a> {
    /// Starts an attempt at guessing for `username`, or refuses it with
    /// Cognito's error while the username is locked out.
    pub(crate) fn start(
        state: &'a AppState,
        guess: Guess,
        username: &'a str,
    ) -> Result<Self, ApiError> {
        let attempt = Self {
            state,
            guess,
            username,
        };
        // A name outside the username pattern cannot exist: nothing to count.
        if crate::users::check_username(username).is_err() {
            return Ok(attempt);
        }
        let now = state.now();
        let started = state.store.start_attempt(
            guess.key(),
            username,
            now,
            now.saturating_sub(FORGET_AFTER_SECS),
            |failures, last_at| now < last_at.saturating_add(lockout_secs(failures)),
        )?;
        if !started {
            tracing::info!(username, guess = guess.key(), "attempt refused: locked out");
            return Err(guess.refusal());
        }
        Ok(attempt)
    }

    /// The answer was right: the count starts over.
    pub(crate) fn succeeded(self) -> Result<(), ApiError> {
        Ok(self
            .state
            .store
            .clear_attempts(self.guess.key(), self.username)?)
    }

    /// The attempt was not a guess after all (for example, the account was
    /// already confirmed): it does not count.
    pub(crate) fn withdraw(self) -> Result<(), ApiError> {
        Ok(self
            .state
            .store
            .withdraw_attempt(self.guess.key(), self.username)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockout_doubles_from_the_sixth_attempt_up_to_fifteen_minutes() {
        assert_eq!(lockout_secs(0), 0);
        assert_eq!(lockout_secs(4), 0);
        assert_eq!(lockout_secs(5), 1);
        assert_eq!(lockout_secs(6), 2);
        assert_eq!(lockout_secs(7), 4);
        assert_eq!(lockout_secs(14), 512);
        assert_eq!(lockout_secs(15), MAX_LOCKOUT_SECS);
        assert_eq!(lockout_secs(70), MAX_LOCKOUT_SECS);
        assert_eq!(lockout_secs(u32::MAX), MAX_LOCKOUT_SECS);
    }
}
