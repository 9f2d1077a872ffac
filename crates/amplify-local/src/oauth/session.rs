//! The managed-login browser session (an HttpOnly cookie naming a stored
//! session by hash) and authorization code issuance.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

use super::cookies;
use super::request::Authorization;
use super::store::{CodeRecord, LoginSession};
use crate::LocalError;
use crate::ids;
use crate::state::AppState;

/// The session cookie's name before its `_<port>` suffix.
const COOKIE_PREFIX: &str = "amplify_local_session";
/// Session lifetime (Cognito's managed-login session lasts one hour).
const SESSION_TTL_SECS: i64 = 3600;

/// The session cookie's name: `amplify_local_session_<port>`.
pub(crate) fn cookie_name(state: &AppState) -> String {
    cookies::name(state, COOKIE_PREFIX)
}

/// The session cookie's value in a request, if any.
fn cookie_value<'a>(state: &AppState, headers: &'a HeaderMap) -> Option<&'a str> {
    cookies::value(headers, &cookie_name(state))
}

/// The live session of this browser, if any.
pub(crate) fn current(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<LoginSession>, LocalError> {
    match cookie_value(state, headers) {
        Some(value) => state
            .store
            .login_session(&ids::sha256_hex(value), state.now()),
        None => Ok(None),
    }
}

/// Starts a session for a user; returns the `Set-Cookie` value.
pub(crate) fn start(
    state: &AppState,
    username: &str,
    auth_time: i64,
) -> Result<HeaderValue, LocalError> {
    let token = ids::opaque_token(32).map_err(|e| LocalError::PasswordMaterial(e.to_string()))?;
    let now = state.now();
    state.store.insert_login_session(
        &ids::sha256_hex(&token),
        &LoginSession {
            username: username.to_owned(),
            auth_time,
        },
        now + SESSION_TTL_SECS,
        now,
    )?;
    cookies::set(&cookie_name(state), &token, "/", SESSION_TTL_SECS)
}

/// Ends this browser's session (if any); returns the clearing `Set-Cookie`.
pub(crate) fn end(state: &AppState, headers: &HeaderMap) -> Result<HeaderValue, LocalError> {
    if let Some(value) = cookie_value(state, headers) {
        state.store.delete_login_session(&ids::sha256_hex(value))?;
    }
    cookies::clear(&cookie_name(state), "/")
}

/// Issues a single-use authorization code for a signed-in user.
pub(crate) fn issue_code(
    state: &AppState,
    authorization: &Authorization,
    username: &str,
    auth_time: i64,
) -> Result<String, LocalError> {
    let code = ids::uuid();
    let now = state.now();
    let ttl = i64::try_from(state.options.authorization_code_ttl.as_secs()).unwrap_or(i64::MAX);
    state.store.insert_code(
        &ids::sha256_hex(&code),
        &CodeRecord {
            client_id: authorization.client_id.clone(),
            redirect_uri: authorization.redirect_uri.clone(),
            username: username.to_owned(),
            scope: authorization.scope.clone(),
            code_challenge: authorization.code_challenge.clone(),
            nonce: authorization.nonce.clone(),
            auth_time,
            origin_jti: None,
            used_at: None,
            expires_at: now.saturating_add(ttl),
        },
        now,
    )?;
    Ok(code)
}

/// Finishes a sign-in: optionally starts a session (`new_session`), issues
/// a code and redirects back to the app with it.
pub(crate) fn complete(
    state: &AppState,
    authorization: &Authorization,
    username: &str,
    auth_time: i64,
    new_session: bool,
) -> Result<Response, LocalError> {
    let cookie = if new_session {
        Some(start(state, username, auth_time)?)
    } else {
        None
    };
    let code = issue_code(state, authorization, username, auth_time)?;
    tracing::info!(username, client_id = %authorization.client_id, "managed login: redirecting back with a code");
    let mut response = authorization.redirect_back(&[("code", &code)]);
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}
