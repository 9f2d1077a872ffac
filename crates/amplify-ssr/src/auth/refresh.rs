//! Token refresh: when it happens, how Cognito is called, what happens to the cookies, and how concurrent
//! requests share one refresh.
//!
//! Upstream has no cross-request de-duplication: parallel requests from one browser each redeem the same refresh
//! token, which breaks sessions when Cognito rotates refresh tokens. Here, requests that carry the same refresh
//! token share **one** Cognito call per process, and a successful result is remembered for a short while so
//! that requests arriving just after it (the browser has not stored the new cookies yet) reuse it too.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use aws_lc_rs::digest;
use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};
use tracing::Instrument;

use crate::auth::refresh_limits::RefreshLimits;
use crate::auth::revocations::RefreshTombstones;
use crate::auth::tokens::{self, StoredSession};
use crate::cognito::{AuthenticationResult, CognitoClient, CognitoError};
use crate::context::ServerContext;
use crate::error::AuthError;
use crate::secret::RefreshToken;

/// How long a successful refresh result is reused for requests that still carry the old refresh token, and how
/// long a revoked refresh token is refused without asking Cognito.
const REUSE_WINDOW: Duration = Duration::from_secs(30);

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
    state: Arc<Mutex<Flights>>,
    /// Set once the server answered that it lacks `GetTokensFromRefreshToken`; later refreshes go straight to
    /// `InitiateAuth REFRESH_TOKEN_AUTH`.
    use_initiate_auth: Arc<AtomicBool>,
    limits: RefreshLimits,
}

#[derive(Debug, Default)]
struct Flights {
    running: HashMap<[u8; 32], Flight>,
    /// Refresh tokens revoked by this process (sign-out), refused for the reuse window; bounded.
    revoked: RefreshTombstones,
}

#[derive(Clone)]
struct Flight {
    outcome: Shared<BoxFuture<'static, Outcome>>,
    /// When the call finished successfully; `None` while it runs.
    finished: Arc<Mutex<Option<Instant>>>,
}

impl std::fmt::Debug for Flight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flight")
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The maps stay consistent across a panic in another holder (each update is a single insert or remove).
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl RefreshCoordinator {
    pub(crate) fn new(limits: RefreshLimits) -> Self {
        Self {
            state: Arc::default(),
            use_initiate_auth: Arc::default(),
            limits,
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
    ) -> Outcome {
        let key = token_key(refresh_token);
        let flight = {
            let mut flights = lock(&self.state);
            if flights.revoked.contains(&key, Instant::now()) {
                return Err(revoked_error());
            }
            flights.running.retain(|_, flight| {
                lock(&flight.finished).is_none_or(|finished| finished.elapsed() < REUSE_WINDOW)
            });
            let reusable = flights
                .running
                .get(&key)
                .filter(|flight| !force || lock(&flight.finished).is_none())
                .cloned();
            match reusable {
                Some(flight) => flight,
                None => {
                    let flight =
                        self.start(key, cognito.clone(), client_id, refresh_token, device_key);
                    flights.running.insert(key, flight.clone());
                    flight
                }
            }
        };
        flight.outcome.await
    }

    fn start(
        &self,
        key: [u8; 32],
        cognito: CognitoClient,
        client_id: &str,
        refresh_token: &RefreshToken,
        device_key: Option<&str>,
    ) -> Flight {
        let finished = Arc::new(Mutex::new(None));
        let state = Arc::clone(&self.state);
        let use_initiate_auth = Arc::clone(&self.use_initiate_auth);
        let limits = self.limits.clone();
        let (client_id, refresh_token) = (client_id.to_owned(), refresh_token.clone());
        let device_key = device_key.map(str::to_owned);
        let finished_at = Arc::clone(&finished);
        let task = tokio::spawn(
            async move {
                let outcome = limits
                    .run(call_cognito(
                        &cognito,
                        &use_initiate_auth,
                        &client_id,
                        &refresh_token,
                        device_key.as_deref(),
                    ))
                    .await;
                if outcome.is_ok() {
                    *lock(&finished_at) = Some(Instant::now());
                } else {
                    // Failures are shared with the callers that were waiting, but not remembered: a later
                    // request may retry (after a transient failure) or see the same rejection from Cognito.
                    let mut flights = lock(&state);
                    if flights
                        .running
                        .get(&key)
                        .is_some_and(|f| Arc::ptr_eq(&f.finished, &finished_at))
                    {
                        flights.running.remove(&key);
                    }
                }
                outcome
            }
            .in_current_span(),
        );
        let outcome = async move {
            task.await.unwrap_or_else(|join_error| {
                Err(CognitoError::InvalidResponse {
                    operation: "GetTokensFromRefreshToken",
                    detail: format!("the refresh task did not complete: {join_error}"),
                })
            })
        }
        .boxed()
        .shared();
        Flight { outcome, finished }
    }

    /// Refuses `refresh_token` for the reuse window and forgets any result cached for it. Called at sign-out, so
    /// old cookies replayed right after it cannot obtain tokens from the cache.
    pub(crate) fn revoke(&self, refresh_token: &RefreshToken) {
        let key = token_key(refresh_token);
        let mut flights = lock(&self.state);
        flights.running.remove(&key);
        let now = Instant::now();
        flights.revoked.insert(key, now + REUSE_WINDOW, now);
    }
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

fn token_key(token: &RefreshToken) -> [u8; 32] {
    let hash = digest::digest(&digest::SHA256, token.secret().as_bytes());
    let mut key = [0u8; 32];
    key.copy_from_slice(hash.as_ref());
    key
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
        let error = match outcome {
            Ok(result) => {
                match tokens::session_from_result(
                    &result,
                    Some(&session),
                    Some(refresh_token),
                    session.sign_in_details.clone(),
                    SystemTime::now(),
                ) {
                    Ok(refreshed) => {
                        span.record("outcome", "refreshed");
                        tokens::store(ctx, client_id, &refreshed);
                        return Ok(Some(refreshed));
                    }
                    Err(AuthError::TokenUserMismatch(_)) if disputed => {
                        span.record("outcome", "another_user");
                        continue;
                    }
                    Err(e) => {
                        span.record("outcome", "refused_answer");
                        return Err(e);
                    }
                }
            }
            Err(error) => error,
        };
        let code = error.code().unwrap_or_default().to_owned();
        if !SESSION_ENDING_CODES.contains(&code.as_str()) {
            span.record("outcome", "failed");
            tracing::warn!(error = %error, "token refresh failed; the session cookies are kept");
            return Err(AuthError::Cognito(error));
        }
        span.record("outcome", "session_ended");
        if disputed {
            tracing::debug!(
                code,
                "Cognito refused one copy of the refresh token; trying the next"
            );
            continue;
        }
        tokens::clear(ctx, client_id, &session.username);
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
    Ok(None)
}
