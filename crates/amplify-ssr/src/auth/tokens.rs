//! The token store: reads the session from a context's cookies, writes refreshed or new sessions back, and
//! clears it. Key names and write order follow aws-amplify's cookie layout. Reading goes through every copy of
//! the cookies ([`super::copies`]), and tokens are combined only under the one-user rule
//! ([`super::token_user`]).

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::copies;
use super::hooks::{self, AuthEvent};
use super::token_user::same_user;
use crate::cognito::AuthenticationResult;
use crate::context::ServerContext;
use crate::cookies::{AuthCookieNames, CookieMode, TokenSlot};
use crate::error::AuthError;
use crate::jwt::{Claims, decode_claims_unverified};
use crate::secret::{AccessToken, IdToken, RefreshToken};

/// How close to `exp` a token already counts as expired (aws-amplify's rule).
const EXPIRY_TOLERANCE_MS: i64 = 5_000;

/// The largest clock drift believed from the `clockDrift` cookie (±24 h). The cookie is client-controlled; it
/// can only shift when a refresh happens, never keep an expired token alive (the verifier's own expiry check
/// always applies).
const MAX_CLOCK_DRIFT_MS: i64 = 24 * 60 * 60 * 1000;

/// How the user signed in, as aws-amplify records it in the `signInDetails` cookie.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInDetails {
    /// The name the user typed to sign in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_id: Option<String>,
    /// The auth flow used, e.g. `USER_SRP_AUTH`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_flow_type: Option<String>,
}

/// A session as stored in the cookies, after verification.
#[derive(Clone, Debug)]
pub(crate) struct StoredSession {
    pub(crate) username: String,
    pub(crate) access_token: AccessToken,
    pub(crate) access_claims: Claims,
    pub(crate) id_token: Option<IdToken>,
    pub(crate) id_claims: Option<Claims>,
    /// The distinct refresh-token copies under the session's keys, in the order sent (at most
    /// [`copies::MAX_COPIES`]); after a refresh or a sign-in, the one token in use. Empty without one.
    pub(crate) refresh_tokens: Vec<RefreshToken>,
    /// The request carried disagreeing copies of the refresh-token cookie (or more than are looked at): one of
    /// them may be planted.
    pub(crate) refresh_token_disputed: bool,
    /// The verifier found a token past its `exp` by the server's own clock.
    pub(crate) verified_expired: bool,
    pub(crate) clock_drift_ms: i64,
    pub(crate) sign_in_details: Option<SignInDetails>,
    pub(crate) device_key: Option<String>,
}

impl StoredSession {
    /// aws-amplify's expiry rule: `now + clockDrift + 5 s > exp`, for the access token and (if present) the id
    /// token.
    ///
    /// A token the verifier found expired is expired whatever the `clockDrift` cookie says.
    pub(crate) fn is_expired(&self, now: SystemTime) -> bool {
        self.verified_expired
            || expired_by_rule(
                &self.access_claims,
                self.id_claims.as_ref(),
                self.clock_drift_ms,
                now,
            )
    }
}

/// aws-amplify's expiry rule for a session's tokens: `now + clockDrift + 5 s > exp`, for the access token and
/// (if present) the id token.
pub(crate) fn expired_by_rule(
    access: &Claims,
    id: Option<&Claims>,
    clock_drift_ms: i64,
    now: SystemTime,
) -> bool {
    let shifted_now = unix_millis(now)
        .saturating_add(clock_drift_ms)
        .saturating_add(EXPIRY_TOLERANCE_MS);
    let expired = |claims: &Claims| match claims.exp() {
        Some(exp) => shifted_now > exp.saturating_mul(1000),
        None => true,
    };
    expired(access) || id.is_some_and(expired)
}

/// The `clockDrift` cookie's value, as the session uses it: ignored in server-side-auth mode (the server never
/// writes it, as upstream, where it is always 0 there), clamped to [`MAX_CLOCK_DRIFT_MS`], 0 when unreadable.
pub(crate) fn clock_drift_ms(mode: CookieMode, cookie: Option<&str>) -> i64 {
    if matches!(mode, CookieMode::ServerAuth { .. }) {
        return 0;
    }
    cookie
        .and_then(|v| v.trim().parse::<i64>().ok())
        .map_or(0, |drift| {
            drift.clamp(-MAX_CLOCK_DRIFT_MS, MAX_CLOCK_DRIFT_MS)
        })
}

pub(crate) fn unix_millis(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// Reads and verifies the session. `Ok(None)` means signed out: no access token, or none that verifies (forged,
/// another pool or client, malformed, signed out here), or copies of more than one user's (see
/// [`super::copies`]). The only write made here clears an id-token chunk set that cannot be part of the session
/// (see [`ServerContext::clear_unusable_chunks`]): the session goes on without id claims, and the browser stops
/// sending the broken chunks.
pub(crate) async fn load(
    ctx: &ServerContext,
    now: SystemTime,
) -> Result<Option<StoredSession>, AuthError> {
    let runtime = ctx
        .runner()
        .auth_runtime()
        .map_err(AuthError::UserPoolNotConfigured)?;
    let names = &runtime.cookie_names;
    let Some(access) = copies::access_token(ctx, runtime, names, now).await? else {
        return Ok(None);
    };
    let id = copies::id_token(ctx, runtime, names, &access, now).await?;
    let username = access.username.clone();
    let key = |slot| names.user_key(&username, slot);
    ctx.clear_unusable_chunks(
        &key(TokenSlot::IdToken),
        id.as_ref().map(|id| id.raw.as_str()),
    );
    let agreed = |slot| copies::unanimous(ctx, &key(slot));

    // Refresh tokens are opaque: every copy is kept, and a refresh tries them in turn (see `copies`).
    let refresh_copies = copies::copies(ctx, &key(TokenSlot::RefreshToken));
    let refresh_token_disputed = refresh_copies.disagree();
    let refresh_tokens = refresh_copies
        .values
        .into_iter()
        .map(RefreshToken::new)
        .collect();
    let clock_drift_ms = clock_drift_ms(
        ctx.runner().cookie_mode(),
        agreed(TokenSlot::ClockDrift).as_deref(),
    );
    let sign_in_details =
        agreed(TokenSlot::SignInDetails).and_then(|v| serde_json::from_str(&v).ok());
    // Device metadata is only usable when all three keys exist (aws-amplify's rule).
    let device_key = match (
        agreed(TokenSlot::DeviceKey),
        agreed(TokenSlot::DeviceGroupKey),
        agreed(TokenSlot::RandomPasswordKey),
    ) {
        (Some(key), Some(_), Some(_)) => Some(key),
        _ => None,
    };

    Ok(Some(StoredSession {
        verified_expired: access.expired || id.as_ref().is_some_and(|id| id.expired),
        username,
        access_token: AccessToken::new(access.raw),
        access_claims: access.claims,
        id_token: id.as_ref().map(|id| IdToken::new(id.raw.clone())),
        id_claims: id.map(|id| id.claims),
        refresh_tokens,
        refresh_token_disputed,
        clock_drift_ms,
        sign_in_details,
        device_key,
    }))
}

/// Builds the session to store from a Cognito authentication result.
///
/// With `previous` (a refresh), the key username is kept and the result must belong to the previous session's
/// user; `previous_refresh` is kept when Cognito did not rotate the refresh token.
///
/// # Errors
///
/// [`AuthError::TokenUserMismatch`] when the result's id token names another user than its access token, or
/// its access token another user than `previous` (the one-user rule, [`super::token_user`]);
/// [`AuthError::UnexpectedResponse`] when a token is unreadable.
pub(crate) fn session_from_result(
    result: &AuthenticationResult,
    previous: Option<&StoredSession>,
    previous_refresh: Option<&RefreshToken>,
    sign_in_details: Option<SignInDetails>,
    now: SystemTime,
) -> Result<StoredSession, AuthError> {
    // These tokens come straight from Cognito over TLS; they are verified on their next read from the cookies.
    let access_claims = decode_claims_unverified(result.access_token.secret()).map_err(|e| {
        AuthError::UnexpectedResponse(format!(
            "the access token Cognito returned is unreadable: {e}"
        ))
    })?;
    let id_claims = match &result.id_token {
        Some(token) => Some(decode_claims_unverified(token.secret()).map_err(|e| {
            AuthError::UnexpectedResponse(format!(
                "the id token Cognito returned is unreadable: {e}"
            ))
        })?),
        None => None,
    };
    if let Some(id_claims) = &id_claims
        && !same_user(&access_claims, id_claims)
    {
        return Err(refused(
            "Cognito returned an id token of another user than its access token",
        ));
    }
    if let Some(previous) = previous
        && !same_user(&previous.access_claims, &access_claims)
    {
        return Err(refused(
            "the refresh returned tokens of another user than the session's",
        ));
    }
    let iat = access_claims.iat().ok_or_else(|| {
        AuthError::UnexpectedResponse("the access token Cognito returned has no iat claim".into())
    })?;
    let username = match previous {
        Some(previous) => previous.username.clone(),
        None => access_claims
            .username()
            .or_else(|| id_claims.as_ref().and_then(|c| c.cognito_username()))
            .ok_or_else(|| {
                AuthError::UnexpectedResponse("the access token has no username claim".into())
            })?
            .to_owned(),
    };
    Ok(StoredSession {
        username,
        access_token: result.access_token.clone(),
        access_claims,
        id_token: result.id_token.clone(),
        id_claims,
        refresh_tokens: result
            .refresh_token
            .clone()
            .or_else(|| previous_refresh.cloned())
            .into_iter()
            .collect(),
        refresh_token_disputed: false,
        verified_expired: false,
        clock_drift_ms: iat
            .saturating_mul(1000)
            .saturating_sub(unix_millis(now))
            .clamp(-MAX_CLOCK_DRIFT_MS, MAX_CLOCK_DRIFT_MS),
        sign_in_details,
        device_key: None,
    })
}

/// Logs and reports tokens refused under the one-user rule.
fn refused(what: &'static str) -> AuthError {
    tracing::warn!("{what}; refusing them");
    AuthError::TokenUserMismatch(what)
}

/// Writes a session, in aws-amplify's order: LastAuthUser, accessToken, idToken (or its removal),
/// refreshToken, signInDetails (or its removal), clockDrift.
pub(crate) fn store(ctx: &ServerContext, client_id: &str, session: &StoredSession) {
    let names = AuthCookieNames::new(client_id);
    let key = |slot| names.user_key(&session.username, slot);
    ctx.set_auth_cookie(&names.last_auth_user(), &session.username);
    ctx.set_auth_cookie(&key(TokenSlot::AccessToken), session.access_token.secret());
    match &session.id_token {
        Some(token) => ctx.set_auth_cookie(&key(TokenSlot::IdToken), token.secret()),
        None => ctx.remove_auth_cookie(&key(TokenSlot::IdToken)),
    }
    if let Some(token) = session.refresh_tokens.first() {
        ctx.set_auth_cookie(&key(TokenSlot::RefreshToken), token.secret());
    }
    match session
        .sign_in_details
        .as_ref()
        .and_then(|d| serde_json::to_string(d).ok())
    {
        Some(json) => ctx.set_auth_cookie(&key(TokenSlot::SignInDetails), &json),
        None => ctx.remove_auth_cookie(&key(TokenSlot::SignInDetails)),
    }
    ctx.set_auth_cookie(
        &key(TokenSlot::ClockDrift),
        &session.clock_drift_ms.to_string(),
    );
}

/// Stores a new sign-in's session, first clearing the session cookies of every other username the
/// `LastAuthUser` copies point at, so stale tokens do not pile up in the browser.
pub(crate) fn replace(ctx: &ServerContext, client_id: &str, session: &StoredSession) {
    for previous in usernames(ctx, client_id) {
        if previous != session.username {
            clear(ctx, client_id, &previous);
        }
    }
    store(ctx, client_id, session);
    // Every sign-in path stores its session here, so each reports it once, after its cookies are written.
    let event = AuthEvent::of(ctx, &session.access_claims, &session.username);
    hooks::fire(ctx, "sign_in", |hooks| hooks.on_sign_in(&event));
}

/// Removes every session cookie of `username` and `LastAuthUser` (aws-amplify's clear list).
pub(crate) fn clear(ctx: &ServerContext, client_id: &str, username: &str) {
    let names = AuthCookieNames::new(client_id);
    for slot in [
        TokenSlot::AccessToken,
        TokenSlot::IdToken,
        TokenSlot::ClockDrift,
        TokenSlot::RefreshToken,
        TokenSlot::SignInDetails,
        TokenSlot::OauthMetadata,
    ] {
        ctx.remove_auth_cookie(&names.user_key(username, slot));
    }
    ctx.remove_auth_cookie(&names.last_auth_user());
}

/// The usernames whose keys the `LastAuthUser` copies point at (at most [`copies::MAX_COPIES`]), in the order
/// sent; empty when the cookie is absent.
pub(crate) fn usernames(ctx: &ServerContext, client_id: &str) -> Vec<String> {
    copies::usernames(ctx, &AuthCookieNames::new(client_id)).values
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use serde_json::json;

    use super::*;

    /// An unsigned JWT with these claims (session_from_result reads claims without verifying them).
    fn jwt(claims: serde_json::Value) -> String {
        let b64 = |v: &serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        format!("{}.{}.sig", b64(&json!({"alg": "RS256"})), b64(&claims))
    }

    fn access(sub: &str, username: &str) -> AccessToken {
        AccessToken::new(jwt(json!({
            "token_use": "access", "sub": sub, "username": username, "iat": 1_000, "exp": 4_600
        })))
    }

    fn id(sub: &str, username: &str) -> IdToken {
        IdToken::new(jwt(json!({
            "token_use": "id", "sub": sub, "cognito:username": username, "iat": 1_000, "exp": 4_600
        })))
    }

    fn result(access: AccessToken, id: Option<IdToken>) -> AuthenticationResult {
        let mut result = AuthenticationResult::new(access);
        result.id_token = id;
        result
    }

    fn from(
        result: &AuthenticationResult,
        previous: Option<&StoredSession>,
    ) -> Result<StoredSession, AuthError> {
        session_from_result(result, previous, None, None, UNIX_EPOCH)
    }

    #[test]
    fn an_answer_of_one_user_makes_a_session() {
        let session = from(
            &result(access("s-a", "alice"), Some(id("s-a", "alice"))),
            None,
        )
        .unwrap();
        assert_eq!(session.username, "alice");
        assert!(session.id_claims.is_some());
        // No id token (no openid scope) is fine.
        assert!(from(&result(access("s-a", "alice"), None), None).is_ok());
    }

    #[test]
    fn an_answer_whose_id_token_names_another_user_is_refused() {
        for other in [id("s-b", "bob"), id("s-a", "bob"), id("s-b", "alice")] {
            let error = from(&result(access("s-a", "alice"), Some(other)), None).unwrap_err();
            assert!(matches!(error, AuthError::TokenUserMismatch(_)), "{error}");
            assert!(error.is_transient(), "a backend fault, not a sign-out");
        }
    }

    #[test]
    fn a_refresh_must_return_the_sessions_user() {
        let mut previous = from(
            &result(access("s-a", "alice"), Some(id("s-a", "alice"))),
            None,
        )
        .unwrap();
        // The key username is kept, whatever the token's username (aws-amplify may store under an alias).
        previous.username = "alice@example.com".to_owned();
        let refreshed = from(
            &result(access("s-a", "alice"), Some(id("s-a", "alice"))),
            Some(&previous),
        )
        .unwrap();
        assert_eq!(refreshed.username, "alice@example.com");

        let error = from(
            &result(access("s-b", "bob"), Some(id("s-b", "bob"))),
            Some(&previous),
        )
        .unwrap_err();
        assert!(matches!(error, AuthError::TokenUserMismatch(_)), "{error}");
        assert!(error.is_transient());
        assert!(!error.is_unauthenticated());
    }
}
