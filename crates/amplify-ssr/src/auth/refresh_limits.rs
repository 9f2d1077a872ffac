//! Limits on token refreshes: an overall deadline per refresh, and a cap on the refresh calls one runner makes at
//! once.
//!
//! When many sessions expire together (after a deploy, at the start of a working day) each needs a refresh, and
//! Cognito throttles bursts; when Cognito hangs, a refresh would hold its request for every attempt's timeout in
//! turn. So a runner lets at most [`DEFAULT_REFRESH_CONCURRENCY`] refresh calls run at once (the others wait for a
//! turn, first come first served), and gives each refresh [`DEFAULT_REFRESH_TIMEOUT`] in all: the wait for a turn,
//! every attempt and the backoff between them. Both are set on the
//! [`ServerRunnerBuilder`](crate::ServerRunnerBuilder). A refresh that runs out of time fails with
//! [`CognitoError::DeadlineExceeded`], a transient error: the session cookies are kept, and a later request
//! starts a new refresh.
//!
//! Requests that carry the same refresh token share one refresh (see the refresh coordinator), so they take one
//! turn between them.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::cognito::CognitoError;
use crate::config::ConfigError;

/// Default of [`ServerRunnerBuilder::refresh_timeout`](crate::ServerRunnerBuilder::refresh_timeout): 10 s, under
/// the 30 s after which common reverse proxies give up on a request.
pub const DEFAULT_REFRESH_TIMEOUT: Duration = Duration::from_secs(10);

/// Default of [`ServerRunnerBuilder::max_concurrent_refreshes`](crate::ServerRunnerBuilder::max_concurrent_refreshes):
/// 16 refresh calls at once per runner. At Cognito's usual latency that is a few hundred refreshes a second,
/// the order of a user pool's default request quota for token refreshes.
pub const DEFAULT_REFRESH_CONCURRENCY: usize = 16;

/// The limits as set on the builder.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RefreshOptions {
    pub(crate) timeout: Duration,
    pub(crate) max_concurrent: usize,
}

impl Default for RefreshOptions {
    fn default() -> Self {
        Self {
            timeout: DEFAULT_REFRESH_TIMEOUT,
            max_concurrent: DEFAULT_REFRESH_CONCURRENCY,
        }
    }
}

impl RefreshOptions {
    /// Refuses limits under which no refresh could ever succeed.
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if self.timeout.is_zero() {
            return Err(ConfigError::Invalid {
                path: "ServerRunnerBuilder::refresh_timeout".to_owned(),
                expected: "a duration longer than zero".to_owned(),
                found: "0".to_owned(),
                fix: "leave the default (10 s) or give a few seconds, e.g. Duration::from_secs(10)"
                    .to_owned(),
            });
        }
        if self.max_concurrent == 0 {
            return Err(ConfigError::Invalid {
                path: "ServerRunnerBuilder::max_concurrent_refreshes".to_owned(),
                expected: "at least 1".to_owned(),
                found: "0".to_owned(),
                fix: "leave the default (16) or give a positive number".to_owned(),
            });
        }
        Ok(())
    }
}

/// The deadline and the turns shared by every refresh of one runner. Cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct RefreshLimits {
    turns: Arc<Semaphore>,
    max_concurrent: usize,
    timeout: Duration,
}

impl RefreshLimits {
    pub(crate) fn new(options: RefreshOptions) -> Self {
        let max_concurrent = options.max_concurrent.clamp(1, Semaphore::MAX_PERMITS);
        Self {
            turns: Arc::new(Semaphore::new(max_concurrent)),
            max_concurrent,
            timeout: options.timeout,
        }
    }

    /// The deadline of one refresh call.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Runs `call` when a turn is free (tokio's semaphore queues waiters in order), and gives up on it, dropping
    /// whatever it was waiting for, once the deadline has passed since this function was called.
    pub(crate) async fn run<T>(
        &self,
        call: impl Future<Output = Result<T, CognitoError>>,
    ) -> Result<T, CognitoError> {
        let limited = async {
            if self.turns.available_permits() == 0 {
                tracing::debug!(
                    max_concurrent = self.max_concurrent,
                    "every refresh slot is taken; waiting for a turn"
                );
            }
            // The semaphore is never closed, so `acquire` only returns once a turn is free.
            let _turn = self.turns.acquire().await.ok();
            call.await
        };
        match tokio::time::timeout(self.timeout, limited).await {
            Ok(outcome) => outcome,
            Err(_) => {
                let deadline_ms = u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX);
                tracing::warn!(
                    deadline_ms,
                    "the token refresh did not complete within its deadline; giving up on it"
                );
                Err(CognitoError::DeadlineExceeded {
                    deadline: self.timeout,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::task::Poll;

    use super::*;

    fn limits(timeout: Duration, max_concurrent: usize) -> RefreshLimits {
        RefreshLimits::new(RefreshOptions {
            timeout,
            max_concurrent,
        })
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_past_the_deadline_is_a_transient_deadline_error() {
        let limits = limits(Duration::from_millis(200), 1);
        let error = limits
            .run(std::future::pending::<Result<(), CognitoError>>())
            .await
            .expect_err("the call never ends");
        assert!(
            matches!(error, CognitoError::DeadlineExceeded { deadline } if deadline == Duration::from_millis(200)),
            "{error:?}"
        );
        assert!(error.is_transient() && error.is_timeout() && !error.is_retryable());
        // The abandoned call gave its turn back.
        assert_eq!(limits.turns.available_permits(), 1);
        limits
            .run(async { Ok(()) })
            .await
            .expect("the next call runs");
    }

    #[tokio::test(start_paused = true)]
    async fn the_wait_for_a_turn_counts_against_the_deadline() {
        let limits = limits(Duration::from_secs(1), 1);
        let held = Arc::clone(&limits.turns)
            .acquire_owned()
            .await
            .expect("turn");
        let error = limits
            .run(async { Ok(()) })
            .await
            .expect_err("no turn is ever free");
        assert!(
            matches!(error, CognitoError::DeadlineExceeded { .. }),
            "{error:?}"
        );
        drop(held);
        limits.run(async { Ok(()) }).await.expect("a turn is free");
    }

    #[tokio::test]
    async fn turns_are_given_in_arrival_order() {
        let limits = limits(Duration::from_secs(3600), 1);
        let held = Arc::clone(&limits.turns)
            .acquire_owned()
            .await
            .expect("turn");
        let order = std::sync::Mutex::new(Vec::new());
        let mut calls: Vec<_> = (0..5)
            .map(|n| {
                let order = &order;
                Box::pin(limits.run(async move {
                    order.lock().expect("lock").push(n);
                    Ok(())
                }))
            })
            .collect();
        for call in &mut calls {
            // One poll queues the caller for a turn.
            let polled = std::future::poll_fn(|cx| Poll::Ready(call.as_mut().poll(cx))).await;
            assert!(polled.is_pending());
        }
        drop(held);
        // Polled last-first: a turn still goes to the caller that queued first.
        calls.reverse();
        for outcome in futures_util::future::join_all(calls).await {
            outcome.expect("ran");
        }
        assert_eq!(*order.lock().expect("lock"), vec![0, 1, 2, 3, 4]);
    }
}
