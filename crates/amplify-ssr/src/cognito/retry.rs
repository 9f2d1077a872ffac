//! How failed calls are retried.

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

use tracing::Instrument as _;

/// How many times a Cognito call is attempted and how long to wait between attempts.
///
/// The wait after failed attempt `n` (1-based) is `2^n × base_delay + random(0..base_delay)`, capped at
/// `max_delay`: with the defaults (3 attempts, 100 ms, 5 s) about 200–300 ms, then 400–500 ms. Which errors are
/// retried is decided by [`CognitoError::is_retryable`](super::CognitoError::is_retryable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The default policy: 3 attempts, 100 ms base delay, 5 s cap (the same numbers as aws-amplify, except the
    /// cap, which aws-amplify puts at 5 minutes and which 3 attempts never reach).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A single attempt, no retries.
    #[must_use]
    pub fn no_retries() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Total attempts including the first (at least 1; `0` is treated as 1).
    #[must_use]
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The base of the exponential backoff.
    #[must_use]
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest wait between two attempts.
    #[must_use]
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Total attempts including the first.
    #[must_use]
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait after failed attempt `attempt` (1-based), with jitter.
    #[must_use]
    pub fn delay_after(&self, attempt: u32) -> Duration {
        let base = self.base_delay.as_nanos().min(u128::from(u64::MAX)) as u64;
        let exponential =
            base.saturating_mul(1u64.checked_shl(attempt.min(63)).unwrap_or(u64::MAX));
        let jitter = if base == 0 {
            0
        } else {
            rand::random_range(0..base)
        };
        Duration::from_nanos(exponential.saturating_add(jitter)).min(self.max_delay)
    }
}

impl RetryPolicy {
    /// Runs `attempt` (given the 1-based attempt number) up to `max_attempts` times, each in the span
    /// `span(attempt)`, sleeping [`delay_after`](Self::delay_after) between attempts. An error is recorded as the
    /// span's `error_code` (when `error_code` gives one) and retried only while `is_retryable` says so; failures
    /// are logged at debug level as "`{service}` call failed[; retrying]".
    pub(crate) async fn run<T, E, Fut>(
        &self,
        max_attempts: u32,
        service: &str,
        span: impl Fn(u32) -> tracing::Span,
        mut attempt: impl FnMut(u32) -> Fut,
        error_code: impl Fn(&E) -> Option<&str>,
        is_retryable: impl Fn(&E) -> bool,
    ) -> Result<T, E>
    where
        Fut: Future<Output = Result<T, E>>,
        E: Display,
    {
        let mut number = 1;
        loop {
            let span = span(number);
            let err = match attempt(number).instrument(span.clone()).await {
                Ok(value) => return Ok(value),
                Err(err) => err,
            };
            if let Some(code) = error_code(&err) {
                span.record("error_code", code);
            }
            if number >= max_attempts || !is_retryable(&err) {
                span.in_scope(|| tracing::debug!(error = %err, "{service} call failed"));
                return Err(err);
            }
            let delay = self.delay_after(number);
            span.in_scope(|| {
                tracing::debug!(error = %err, delay_ms = delay.as_millis() as u64, "{service} call failed; retrying");
            });
            tokio::time::sleep(delay).await;
            number += 1;
        }
    }
}
