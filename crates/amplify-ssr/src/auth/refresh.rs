//! Token refresh: when it happens, how Cognito is called, what happens to the cookies, and how concurrent
//! requests share one refresh.
//!
//! Upstream has no cross-request de-duplication: parallel requests from one browser each redeem the same refresh
//! token, which breaks sessions when Cognito rotates refresh tokens. Here, requests that carry the same refresh
//! token share **one** Cognito call per process, and a successful result is remembered for a short while so
//! that requests arriving just after it (the browser has not stored the new cookies yet) reuse it too.
//!
//! With a shared store ([`crate::store`]), the process's one refresh is shared across instances too: see
//! [`super::shared`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use tracing::Instrument;

use crate::auth::hooks::{self, AuthEvent, RefreshFailure};
use crate::auth::refresh_limits::RefreshLimits;
use crate::auth::revocations::RefreshTombstones;
use crate::auth::shared::{SharedRefresh, SharedRuntime};
use crate::auth::single_flight::{Key, SingleFlight};
use crate::auth::tokens::{self, StoredSession};
use crate::cognito::{AuthenticationResult, CognitoClient, CognitoError};
use crate::context::ServerContext;
use crate::error::AuthError;
use crate::secret::{RefreshToken, hash_key};

/// How long a successful refresh result is reused for requests that still carry the old refresh token, and how
/// long a revoked refresh token is refused without asking Cognito.
pub(crate) const REUSE_WINDOW: Duration = Duration::from_secs(30);

/// How much longer than the refresh deadline and two store calls (storing the result, releasing the lease) a
/// refresh lease lasts in a shared store.
const LEASE_MARGIN: Duration = Duration::from_secs(1);

/// How long a refresh lease lasts in a shared store: the refresh deadline, two store calls after Cognito answers
/// (storing the result, releasing the lease), and a margin. A lease any shorter could expire while its holder
/// still stores the result, and let a second instance refresh the same token.
fn lease_lifetime(refresh_deadline: Duration, store_timeout: Duration) -> Duration {
    refresh_deadline + store_timeout * 2 + LEASE_MARGIN
}

#[cfg(test)]
mod lease_tests {
    use super::*;

    #[test]
    fn a_lease_outlasts_the_refresh_and_two_store_calls() {
        assert_eq!(
            lease_lifetime(Duration::from_secs(10), Duration::from_millis(250)),
            Duration::from_millis(11_500)
        );
    }
}

/// Cognito error codes after which the session cannot be refreshed any more, so its cookies are cleared.
const SESSION_ENDING_CODES: &[&str] = &[
    "NotAuthorizedException",
    "TokenRevokedException",
    "UserNotFoundException",
    "PasswordResetRequiredException",
    "UserNotConfirmedException",
    "RefreshTokenReuseException",
];

type Outcome = Result<AuthenticationResult, CognitoError>;

/// A refresh call's result or error as every request that shares the call gets it, with a flag the first
/// request to report it (to the [hooks](super::hooks)) sets: one Cognito call, one hook call.
#[derive(Clone, Debug)]
struct Shared<T> {
    value: T,
    reported: Arc<AtomicBool>,
}

impl<T> Shared<T> {
    fn new(value: T) -> Self {
        Self {
            value,
            reported: Arc::default(),
        }
    }

    /// A value already reported elsewhere (another instance refreshed and called its hook).
    fn reported(value: T) -> Self {
        Self {
            value,
            reported: Arc::new(AtomicBool::new(true)),
        }
    }

    /// True for the first caller only.
    fn first_report(&self) -> bool {
        !self.reported.swap(true, Ordering::AcqRel)
    }
}

type SharedOutcome = Result<Shared<AuthenticationResult>, Shared<CognitoError>>;

/// Process-wide single flight for refresh calls, keyed by a hash of the refresh token.
///
/// The Cognito call runs in its own task, so a request that is cancelled (the client went away) while leading a
/// refresh does not lose the result: the task finishes, and every waiter, and every request in the next
/// [`REUSE_WINDOW`], gets it. With refresh-token rotation that matters: Cognito has already rotated.
///
/// Each call takes a turn from the runner's [`RefreshLimits`] and ends at its deadline; a call given up at the
/// deadline is a failure like any other, so it is not remembered and the next request starts a new one.
#[derive(Debug)]
pub(crate) struct RefreshCoordinator {
    /// Results by refresh token; beside them, under the same lock, the refresh tokens revoked by this process
    /// (sign-out), refused for the reuse window.
    /// A refusal that ends the session (e.g. `RefreshTokenReuseException`) is kept like a success, for the reuse
    /// window: the token will not work again, and asking again would only add calls (and hook reports).
    flights: SingleFlight<SharedOutcome, Shared<CognitoError>, RefreshTombstones>,
    /// Set once the server answered that it lacks `GetTokensFromRefreshToken`; later refreshes go straight to
    /// `InitiateAuth REFRESH_TOKEN_AUTH`.
    use_initiate_auth: Arc<AtomicBool>,
    limits: RefreshLimits,
    /// The store that shares refreshes with other instances, if any.
    shared: Option<Arc<SharedRuntime>>,
}

impl RefreshCoordinator {
    pub(crate) fn new(limits: RefreshLimits, shared: Option<Arc<SharedRuntime>>) -> Self {
        Self {
            flights: SingleFlight::new(
                usize::MAX,
                RefreshTombstones::default(),
                |_, _| Some(Instant::now() + REUSE_WINDOW),
                |join_error| {
                    Shared::new(CognitoError::InvalidResponse {
                        operation: "GetTokensFromRefreshToken",
                        detail: format!("the refresh task did not complete: {join_error}"),
                    })
                },
            ),
            use_initiate_auth: Arc::default(),
            limits,
            shared,
        }
    }

    /// Refreshes `refresh_token`, sharing the call with every concurrent caller that holds the same token.
    /// With `force`, a result completed earlier is not reused (a call still running is).
    async fn refresh(
        &self,
        cognito: &CognitoClient,
        client_id: &str,
        refresh_token: &RefreshToken,
        device_key: Option<&str>,
        force: bool,
    ) -> SharedOutcome {
        let key = token_key(refresh_token);
        let use_initiate_auth = Arc::clone(&self.use_initiate_auth);
        let limits = self.limits.clone();
        let shared = self.shared.clone();
        let cognito = cognito.clone();
        let (client_id, refresh_token) = (client_id.to_owned(), refresh_token.clone());
        let device_key = device_key.map(str::to_owned);
        self.flights
            .get_or_compute(
                key,
                force,
                |revoked| {
                    if revoked.contains(&key, Instant::now()) {
                        Err(Shared::new(revoked_error()))
                    } else {
                        Ok(())
                    }
                },
                move || async move {
                    // Failures are shared with the callers that were waiting, but not remembered: a later
                    // request may retry (after a transient failure) or see the same rejection from Cognito.
                    let call = async || {
                        limits
                            .run(call_cognito(
                                &cognito,
                                &use_initiate_auth,
                                &client_id,
                                &refresh_token,
                                device_key.as_deref(),
                            ))
                            .await
                    };
                    let outcome = match shared {
                        None => call().await,
                        Some(shared) => {
                            let lease = lease_lifetime(limits.timeout(), shared.timeout());
                            match shared.refresh(&key, lease, force, call).await {
                                SharedRefresh::Stored(result) => {
                                    return Ok(Ok(Shared::reported(result)));
                                }
                                SharedRefresh::Called(outcome) => outcome,
                            }
                        }
                    };
                    match outcome {
                        Ok(result) => Ok(Ok(Shared::new(result))),
                        Err(error) if ends_session(&error) => Ok(Err(Shared::new(error))),
                        Err(error) => Err(Shared::new(error)),
                    }
                },
            )
            .await
            .and_then(|kept| kept)
    }

    /// Refuses `refresh_token` for the reuse window and forgets any result cached for it in this process. Called
    /// at sign-out, so old cookies replayed right after it cannot obtain tokens from the cache. Returns the
    /// token's key, whose stored result the sign-out forgets in the shared store too.
    pub(crate) fn revoke(&self, refresh_token: &RefreshToken) -> [u8; 32] {
        let key = token_key(refresh_token);
        self.flights.forget(&key, |revoked| {
            let now = Instant::now();
            revoked.insert(key, now + REUSE_WINDOW, now);
        });
        key
    }
}

/// Whether Cognito's answer ends the session (the refresh token will not work again).
fn ends_session(error: &CognitoError) -> bool {
    error
        .code()
        .is_some_and(|code| SESSION_ENDING_CODES.contains(&code))
}

fn revoked_error() -> CognitoError {
    CognitoError::Service {
        code: "NotAuthorizedException".to_owned(),
        message: "Refresh Token has been revoked".to_owned(),
        status: 400,
        request_id: None,
    }
}

async fn call_cognito(
    cognito: &CognitoClient,
    use_initiate_auth: &AtomicBool,
    client_id: &str,
    refresh_token: &RefreshToken,
    device_key: Option<&str>,
) -> Outcome {
    if !use_initiate_auth.load(Ordering::Relaxed) {
        match cognito
            .get_tokens_from_refresh_token(client_id, refresh_token, device_key)
            .await
        {
            Err(e) if e.is_unknown_operation() => {
                tracing::info!(
                    "the user-pool endpoint does not support GetTokensFromRefreshToken; \
                     falling back to InitiateAuth REFRESH_TOKEN_AUTH"
                );
                use_initiate_auth.store(true, Ordering::Relaxed);
            }
            other => return other,
        }
    }
    cognito
        .refresh_with_initiate_auth(client_id, refresh_token, device_key)
        .await
}

fn token_key(token: &RefreshToken) -> Key {
    hash_key(&["refresh", token.secret()])
}

/// aws-amplify's `getTokens`: loads the session and refreshes it when it has expired (or when forced).
///
/// `Ok(None)` means signed out. A rejected refresh token clears the cookies and also yields `Ok(None)` for
/// `NotAuthorizedException` (as upstream), or [`AuthError::SessionRevoked`] for the other session-ending codes.
///
/// When the request carries disagreeing copies of the refresh-token cookie, one may have been planted by another
/// site (see [`super::copies`]): each copy is tried in turn, one at a time, and a copy Cognito refuses, or whose
/// refresh returns another user's tokens, is passed over. The session is the one whose copy works; when none
/// does, the request is signed out and nothing is cleared (a removal would hit the genuine cookie). A transient
/// failure ends the attempts at once (`503`, cookies kept).
pub(crate) async fn get_tokens(
    ctx: &ServerContext,
    force_refresh: bool,
) -> Result<Option<StoredSession>, AuthError> {
    let now = SystemTime::now();
    let Some(session) = tokens::load(ctx, now).await? else {
        return Ok(None);
    };
    if !force_refresh && !session.is_expired(now) {
        return Ok(Some(session));
    }
    if session.refresh_tokens.is_empty() {
        return Err(AuthError::TokenRefresh);
    }
    let runtime = ctx
        .runner()
        .auth_runtime()
        .map_err(AuthError::UserPoolNotConfigured)?;
    let client_id = runtime.config.user_pool_client_id.as_str();
    let disputed = session.refresh_token_disputed;
    // Whether this request was the first to get one of the refused copies' answers: it then reports the
    // failure, so requests replaying a planted copy within the reuse window report nothing more.
    let mut first_refusal = false;
    for (copy, refresh_token) in session.refresh_tokens.iter().enumerate() {
        let span = tracing::info_span!(
            "amplify_ssr.refresh",
            forced = force_refresh,
            copy,
            outcome = tracing::field::Empty
        );
        let outcome = runtime
            .refresher
            .refresh(
                &runtime.cognito,
                client_id,
                refresh_token,
                session.device_key.as_deref(),
                force_refresh,
            )
            .instrument(span.clone())
            .await;
        let (error, failure) = match outcome {
            Ok(shared) => {
                match tokens::session_from_result(
                    &shared.value,
                    Some(&session),
                    Some(refresh_token),
                    session.sign_in_details.clone(),
                    SystemTime::now(),
                ) {
                    Ok(refreshed) => {
                        span.record("outcome", "refreshed");
                        tokens::store(ctx, client_id, &refreshed);
                        if shared.first_report() {
                            let event =
                                AuthEvent::of(ctx, &refreshed.access_claims, &refreshed.username);
                            hooks::fire(ctx, "refresh", |hooks| hooks.on_refresh(&event));
                        }
                        return Ok(Some(refreshed));
                    }
                    Err(AuthError::TokenUserMismatch(_)) if disputed => {
                        span.record("outcome", "another_user");
                        continue;
                    }
                    Err(e) => {
                        span.record("outcome", "refused_answer");
                        if shared.first_report() {
                            report_failure(ctx, &session, None, false);
                        }
                        return Err(e);
                    }
                }
            }
            Err(shared) => {
                let first = shared.first_report();
                (shared.value, first)
            }
        };
        let code = error.code().unwrap_or_default().to_owned();
        if !SESSION_ENDING_CODES.contains(&code.as_str()) {
            span.record("outcome", "failed");
            tracing::warn!(error = %error, "token refresh failed; the session cookies are kept");
            if failure {
                report_failure(ctx, &session, error.code(), false);
            }
            return Err(AuthError::Cognito(error));
        }
        span.record("outcome", "session_ended");
        if disputed {
            tracing::debug!(
                code,
                "Cognito refused one copy of the refresh token; trying the next"
            );
            first_refusal |= failure;
            continue;
        }
        tokens::clear(ctx, client_id, &session.username);
        if failure {
            report_failure(ctx, &session, Some(&code), true);
        }
        if code == "NotAuthorizedException" {
            return Ok(None);
        }
        let message = match &error {
            CognitoError::Service { message, .. } => message.clone(),
            other => other.to_string(),
        };
        return Err(AuthError::SessionRevoked { code, message });
    }
    tracing::warn!(
        "no copy of the refresh-token cookie refreshes this session (a cookie planted by another site?); \
         signing the request out without clearing the cookies"
    );
    if first_refusal {
        report_failure(ctx, &session, None, true);
    }
    Ok(None)
}

/// Tells the hooks a refresh of `session` failed (after the request's cookies were decided).
fn report_failure(
    ctx: &ServerContext,
    session: &StoredSession,
    code: Option<&str>,
    session_ended: bool,
) {
    let failure = RefreshFailure {
        user: AuthEvent::of(ctx, &session.access_claims, &session.username),
        code: code.map(str::to_owned),
        session_ended,
    };
    hooks::fire(ctx, "refresh_failure", |hooks| {
        hooks.on_refresh_failure(&failure);
    });
}
