//! The token store: reads the session from a context's cookies, writes refreshed or new sessions back, and
//! clears it. Key names and write order follow aws-amplify's cookie layout.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::cognito::AuthenticationResult;
use crate::context::ServerContext;
use crate::cookies::{AuthCookieNames, CookieMode, TokenSlot};
use crate::error::AuthError;
use crate::jwt::{Claims, TokenUse, VerifyError, decode_claims_unverified};
use crate::secret::{AccessToken, IdToken, RefreshToken};

/// Username aws-amplify falls back to when the `LastAuthUser` cookie is missing.
pub(crate) const DEFAULT_USERNAME: &str = "username";

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
    pub(crate) refresh_token: Option<RefreshToken>,
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
        let shifted_now = unix_millis(now)
            .saturating_add(self.clock_drift_ms)
            .saturating_add(EXPIRY_TOLERANCE_MS);
        let expired = |claims: &Claims| match claims.exp() {
            Some(exp) => shifted_now > exp.saturating_mul(1000),
            None => true,
        };
        self.verified_expired
            || expired(&self.access_claims)
            || self.id_claims.as_ref().is_some_and(expired)
    }
}

pub(crate) fn unix_millis(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// Reads and verifies the session. `Ok(None)` means signed out: no access token, or one that fails
/// verification (forged, another pool or client, malformed). The cookies are never modified here.
pub(crate) async fn load(
    ctx: &ServerContext,
    now: SystemTime,
) -> Result<Option<StoredSession>, AuthError> {
    let runtime = ctx
        .runner()
        .auth_runtime()
        .map_err(AuthError::UserPoolNotConfigured)?;
    let names = AuthCookieNames::new(&runtime.config.user_pool_client_id);
    let username = ctx
        .cookie(&names.last_auth_user())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| DEFAULT_USERNAME.to_owned());
    let read = |slot| {
        ctx.cookie(&names.user_key(&username, slot))
            .filter(|v| !v.is_empty())
    };

    let Some(access_raw) = read(TokenSlot::AccessToken) else {
        return Ok(None);
    };
    let (access_claims, mut verified_expired) = match ctx
        .verify_token(&runtime.verifier, &access_raw, TokenUse::Access, now)
        .await
    {
        Ok(verified) => (verified.claims, verified.expired),
        Err(e) => return signed_out_unless_transient(e, "access"),
    };

    let mut id_token = None;
    let mut id_claims = None;
    // aws-amplify's route handlers once wrote the literal "undefined" when no id token came back.
    if let Some(id_raw) = read(TokenSlot::IdToken).filter(|v| v != "undefined") {
        match ctx
            .verify_token(&runtime.verifier, &id_raw, TokenUse::Id, now)
            .await
        {
            Ok(verified) => {
                verified_expired |= verified.expired;
                id_claims = Some(verified.claims);
                id_token = Some(IdToken::new(id_raw));
            }
            Err(e) if e.is_transient() => return Err(AuthError::KeysUnavailable(e)),
            Err(e) => {
                tracing::debug!(error = %e, "id token cookie failed verification; ignoring it")
            }
        }
    }

    let refresh_token = read(TokenSlot::RefreshToken).map(RefreshToken::new);
    // In server-side-auth mode the server never writes clockDrift, so a leftover browser value is ignored (as
    // upstream, where it is always 0 in that mode).
    let clock_drift_ms = if matches!(ctx.runner().cookie_mode(), CookieMode::ServerAuth { .. }) {
        0
    } else {
        read(TokenSlot::ClockDrift)
            .and_then(|v| v.trim().parse::<i64>().ok())
            .map_or(0, |drift| {
                drift.clamp(-MAX_CLOCK_DRIFT_MS, MAX_CLOCK_DRIFT_MS)
            })
    };
    let sign_in_details =
        read(TokenSlot::SignInDetails).and_then(|v| serde_json::from_str(&v).ok());
    // Device metadata is only usable when all three keys exist (aws-amplify's rule).
    let device_key = match (
        read(TokenSlot::DeviceKey),
        read(TokenSlot::DeviceGroupKey),
        read(TokenSlot::RandomPasswordKey),
    ) {
        (Some(key), Some(_), Some(_)) => Some(key),
        _ => None,
    };

    Ok(Some(StoredSession {
        username,
        access_token: AccessToken::new(access_raw),
        access_claims,
        id_token,
        id_claims,
        refresh_token,
        verified_expired,
        clock_drift_ms,
        sign_in_details,
        device_key,
    }))
}

fn signed_out_unless_transient(
    e: VerifyError,
    which: &str,
) -> Result<Option<StoredSession>, AuthError> {
    if e.is_transient() {
        return Err(AuthError::KeysUnavailable(e));
    }
    tracing::debug!(error = %e, token = which, "session cookie failed verification; treating the request as signed out");
    Ok(None)
}

/// Builds the session to store from a Cognito authentication result.
///
/// `previous_refresh` is kept when Cognito did not rotate the refresh token.
pub(crate) fn session_from_result(
    result: &AuthenticationResult,
    username_hint: Option<&str>,
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
    let iat = access_claims.iat().ok_or_else(|| {
        AuthError::UnexpectedResponse("the access token Cognito returned has no iat claim".into())
    })?;
    let username = match username_hint {
        Some(u) => u.to_owned(),
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
        refresh_token: result
            .refresh_token
            .clone()
            .or_else(|| previous_refresh.cloned()),
        verified_expired: false,
        clock_drift_ms: iat
            .saturating_mul(1000)
            .saturating_sub(unix_millis(now))
            .clamp(-MAX_CLOCK_DRIFT_MS, MAX_CLOCK_DRIFT_MS),
        sign_in_details,
        device_key: None,
    })
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
    if let Some(token) = &session.refresh_token {
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

/// The username whose keys the cookies currently point at, if any.
pub(crate) fn current_username(ctx: &ServerContext, client_id: &str) -> Option<String> {
    ctx.cookie(&AuthCookieNames::new(client_id).last_auth_user())
        .filter(|u| !u.is_empty())
}
