//! Token refresh: when it happens, how Cognito is called, what happens to the cookies, and how concurrent
//! requests share one refresh.
//!
//! Upstream has no cross-request de-duplication: parallel requests from one browser each redeem the same refresh
//! token, which breaks sessions when Cognito rotates refresh tokens. Here, requests that carry the same refresh
//! token share **one** Cognito call per process, and a successful result is remembered for a short while so
//! that requests arriving just after it (the browser has not stored the new cookies yet) reuse it too.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use aws_lc_rs::digest;
use tokio::sync::OnceCell;
use tracing::Instrument;

use crate::auth::tokens::{self, StoredSession};
use crate::cognito::{AuthenticationResult, CognitoError};
use crate::context::{AuthRuntime, ServerContext};
use crate::error::AuthError;
use crate::secret::RefreshToken;

/// How long a successful refresh result is reused for requests that still carry the old refresh token.
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
#[derive(Debug, Default)]
pub(crate) struct RefreshCoordinator {
    flights: Mutex<HashMap<[u8; 32], Flight>>,
    /// Set once the server answered that it lacks `GetTokensFromRefreshToken`; later refreshes go straight to
    /// `InitiateAuth REFRESH_TOKEN_AUTH`.
    use_initiate_auth: AtomicBool,
}

#[derive(Debug, Clone)]
struct Flight {
    cell: Arc<OnceCell<Outcome>>,
    started: Instant,
}

impl RefreshCoordinator {
    /// Refreshes `refresh_token`, sharing the call with every concurrent caller that holds the same token.
    async fn refresh(
        &self,
        runtime: &AuthRuntime,
        refresh_token: &RefreshToken,
        device_key: Option<&str>,
    ) -> Outcome {
        let key = token_key(refresh_token);
        let flight = {
            let mut flights = self
                .flights
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            flights.retain(|_, f| f.started.elapsed() < REUSE_WINDOW || !f.cell.initialized());
            flights
                .entry(key)
                .or_insert_with(|| Flight {
                    cell: Arc::new(OnceCell::new()),
                    started: Instant::now(),
                })
                .clone()
        };
        let outcome = flight
            .cell
            .get_or_init(|| self.call_cognito(runtime, refresh_token, device_key))
            .await
            .clone();
        if outcome.is_err() {
            // Failures are shared with the callers that were waiting, but not remembered: a later request may
            // retry (after a transient failure) or see the same rejection from Cognito.
            let mut flights = self
                .flights
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if flights
                .get(&key)
                .is_some_and(|f| Arc::ptr_eq(&f.cell, &flight.cell))
            {
                flights.remove(&key);
            }
        }
        outcome
    }

    async fn call_cognito(
        &self,
        runtime: &AuthRuntime,
        refresh_token: &RefreshToken,
        device_key: Option<&str>,
    ) -> Result<AuthenticationResult, CognitoError> {
        let client_id = runtime.config.user_pool_client_id.as_str();
        if !self.use_initiate_auth.load(Ordering::Relaxed) {
            match runtime
                .cognito
                .get_tokens_from_refresh_token(client_id, refresh_token, device_key)
                .await
            {
                Err(e) if e.is_unknown_operation() => {
                    tracing::info!(
                        "the user-pool endpoint does not support GetTokensFromRefreshToken; \
                         falling back to InitiateAuth REFRESH_TOKEN_AUTH"
                    );
                    self.use_initiate_auth.store(true, Ordering::Relaxed);
                }
                other => return other,
            }
        }
        runtime
            .cognito
            .refresh_with_initiate_auth(client_id, refresh_token, device_key)
            .await
    }
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
    let Some(refresh_token) = session.refresh_token.clone() else {
        return Err(AuthError::TokenRefresh);
    };
    let runtime = ctx
        .runner()
        .auth_runtime()
        .map_err(AuthError::UserPoolNotConfigured)?;
    let client_id = runtime.config.user_pool_client_id.clone();
    let span = tracing::info_span!(
        "amplify_ssr.refresh",
        forced = force_refresh,
        outcome = tracing::field::Empty
    );
    let outcome = runtime
        .refresher
        .refresh(runtime, &refresh_token, session.device_key.as_deref())
        .instrument(span.clone())
        .await;
    match outcome {
        Ok(result) => {
            span.record("outcome", "refreshed");
            let refreshed = tokens::session_from_result(
                &result,
                Some(&session.username),
                Some(&refresh_token),
                session.sign_in_details.clone(),
                SystemTime::now(),
            )?;
            tokens::store(ctx, &client_id, &refreshed);
            Ok(Some(refreshed))
        }
        Err(error) => {
            let code = error.code().unwrap_or_default().to_owned();
            if SESSION_ENDING_CODES.contains(&code.as_str()) {
                span.record("outcome", "session_ended");
                tokens::clear(ctx, &client_id, &session.username);
                if code == "NotAuthorizedException" {
                    return Ok(None);
                }
                let message = match &error {
                    CognitoError::Service { message, .. } => message.clone(),
                    other => other.to_string(),
                };
                return Err(AuthError::SessionRevoked { code, message });
            }
            span.record("outcome", "failed");
            tracing::warn!(error = %error, "token refresh failed; the session cookies are kept");
            Err(AuthError::Cognito(error))
        }
    }
}
