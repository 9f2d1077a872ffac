//! How failed calls are retried: [`RetryPolicy`] (how often, how long to wait) and the one driver that runs the
//! attempts of any service, told by a classifier which outcomes are worth another attempt.

use std::future::Future;
use std::time::Duration;

use tracing::Instrument as _;

/// How many times an outbound call is attempted and how long to wait between attempts.
///
/// The wait after failed attempt `n` (1-based) is `2^n × base_delay + random(0..base_delay)`, capped at
/// `max_delay`: with the defaults (3 attempts, 100 ms, 5 s) about 200–300 ms, then 400–500 ms. Which failures
/// are retried is each service's call: for Cognito [`CognitoError::is_retryable`](crate::cognito::CognitoError::is_retryable),
/// for S3 [`StorageError::is_retryable`]; AppSync retries network failures, 429 and 5xx; managed login retries
/// what cannot have consumed the request.
///
#[cfg_attr(
    feature = "storage",
    doc = "[`StorageError::is_retryable`]: crate::storage::StorageError::is_retryable"
)]
#[cfg_attr(
    not(feature = "storage"),
    doc = "[`StorageError::is_retryable`]: crate#features"
)]
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

/// What one attempt's outcome calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The outcome is the answer (a success, or a failure the caller reports as it is).
    Done,
    /// A failure another attempt may cure; the text says what failed (for the log, never a secret).
    Retry(String),
    /// A failure no attempt will cure; the text says what failed.
    GiveUp(String),
}

impl Verdict {
    /// The verdict on a `Result`: `Ok` is done, an error is retried when `retryable` says so.
    pub(crate) fn of_result<T, E: std::fmt::Display>(
        outcome: &Result<T, E>,
        retryable: impl FnOnce(&E) -> bool,
    ) -> Self {
        match outcome {
            Ok(_) => Self::Done,
            Err(error) if retryable(error) => Self::Retry(error.to_string()),
            Err(error) => Self::GiveUp(error.to_string()),
        }
    }
}

impl RetryPolicy {
    /// Runs `attempt` (given the 1-based attempt number) until `classify` calls its outcome done or final, or
    /// `max_attempts` attempts have run, and returns the last outcome. Each attempt runs in the span
    /// `span(attempt)`; between attempts it sleeps [`delay_after`](Self::delay_after). Failures are logged at
    /// debug level in the attempt's span as "`{service}` call failed[; retrying]".
    pub(crate) async fn drive<O, Fut>(
        &self,
        max_attempts: u32,
        service: &str,
        span: impl Fn(u32) -> tracing::Span,
        mut attempt: impl FnMut(u32) -> Fut,
        classify: impl Fn(&O) -> Verdict,
    ) -> O
    where
        Fut: Future<Output = O>,
    {
        let mut number = 1;
        loop {
            let span = span(number);
            let outcome = attempt(number).instrument(span.clone()).await;
            let reason = match classify(&outcome) {
                Verdict::Done => return outcome,
                Verdict::Retry(reason) if number < max_attempts => reason,
                Verdict::Retry(reason) | Verdict::GiveUp(reason) => {
                    span.in_scope(|| tracing::debug!(error = %reason, "{service} call failed"));
                    return outcome;
                }
            };
            let delay = self.delay_after(number);
            span.in_scope(|| {
                tracing::debug!(
                    error = %reason,
                    delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    "{service} call failed; retrying"
                );
            });
            tokio::time::sleep(delay).await;
            number += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// Drives scripted outcomes; returns the final one and the attempt numbers that ran.
    async fn drive_script(
        policy: &RetryPolicy,
        max: u32,
        script: &[Result<&'static str, &'static str>],
        retryable: fn(&&'static str) -> bool,
    ) -> (Result<&'static str, &'static str>, Vec<u32>) {
        let ran = Mutex::new(Vec::new());
        let outcome = policy
            .drive(
                max,
                "test",
                |n| tracing::debug_span!("attempt", n),
                |n| {
                    ran.lock().expect("lock").push(n);
                    let step = script[(n - 1) as usize];
                    async move { step }
                },
                |outcome| Verdict::of_result(outcome, retryable),
            )
            .await;
        (outcome, ran.into_inner().expect("lock"))
    }

    /// Every wait is exactly `delay` (the cap is below the smallest backoff).
    fn fixed(delay: Duration) -> RetryPolicy {
        RetryPolicy::new()
            .with_base_delay(delay)
            .with_max_delay(delay)
    }

    #[tokio::test(start_paused = true)]
    async fn retries_until_done_and_waits_the_policys_delays() {
        let policy = fixed(Duration::from_secs(1));
        let started = tokio::time::Instant::now();
        let (outcome, ran) = drive_script(
            &policy,
            5,
            &[Err("busy"), Err("busy"), Ok("answer")],
            |_| true,
        )
        .await;
        assert_eq!(outcome, Ok("answer"));
        assert_eq!(ran, [1, 2, 3]);
        // Two waits, each capped at exactly 1 s on the paused clock.
        assert_eq!(started.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn a_final_failure_stops_at_once_and_is_returned() {
        let (outcome, ran) = drive_script(
            &fixed(Duration::ZERO),
            5,
            &[Err("busy"), Err("refused"), Ok("never")],
            |e| *e == "busy",
        )
        .await;
        assert_eq!(outcome, Err("refused"));
        assert_eq!(ran, [1, 2]);
    }

    #[tokio::test(start_paused = true)]
    async fn the_last_retryable_outcome_is_returned_after_max_attempts() {
        let started = tokio::time::Instant::now();
        let (outcome, ran) = drive_script(
            &fixed(Duration::from_millis(10)),
            2,
            &[Err("first"), Err("second"), Ok("never")],
            |_| true,
        )
        .await;
        assert_eq!(outcome, Err("second"));
        assert_eq!(ran, [1, 2]);
        assert_eq!(
            started.elapsed(),
            Duration::from_millis(10),
            "no wait after the last"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_classifier_can_retry_a_successful_answer() {
        // As AppSync's 5xx with a GraphQL body: an `Ok` outcome the classifier still retries.
        let ran = Mutex::new(0u32);
        let outcome: Result<u16, ()> = fixed(Duration::ZERO)
            .drive(
                3,
                "test",
                |n| tracing::debug_span!("attempt", n),
                |n| {
                    *ran.lock().expect("lock") = n;
                    async move { Ok(if n < 3 { 503 } else { 200 }) }
                },
                |outcome| match outcome {
                    Ok(503) => Verdict::Retry("HTTP 503".to_owned()),
                    _ => Verdict::Done,
                },
            )
            .await;
        assert_eq!(outcome, Ok(200));
        assert_eq!(*ran.lock().expect("lock"), 3);
    }
}
