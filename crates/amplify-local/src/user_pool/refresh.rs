//! Refresh (REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken) and RevokeToken.

use serde::Deserialize;
use serde_json::{Value, json};

use super::common::check_client;
use crate::api_error::{ApiError, ErrorCode};
use crate::ids;
use crate::state::AppState;
use crate::tokens::{Grant, SignIn, Tokens, issue_for, new_refresh_token_for};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetTokensRequest {
    client_id: String,
    refresh_token: String,
    // DeviceKey, ClientSecret and ClientMetadata are accepted and ignored.
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RevokeTokenRequest {
    client_id: String,
    token: String,
}

fn invalid_refresh_token() -> ApiError {
    ApiError::new(ErrorCode::NotAuthorized, "Invalid Refresh Token")
}

/// The outcome of a refresh.
pub(crate) struct Refreshed {
    pub(crate) tokens: Tokens,
    /// The new refresh token (rotation only).
    pub(crate) refresh_token: Option<String>,
    /// The grant the tokens were issued under (client, scopes).
    pub(crate) grant: Grant,
}

/// Exchanges a refresh token for new access and id tokens; with `rotate`,
/// also for a new refresh token (the old one is retired after the grace
/// period).
pub(super) fn refresh_tokens(
    state: &AppState,
    token: &str,
    rotate: bool,
) -> Result<Value, ApiError> {
    let refreshed = refresh_for_client(state, &state.client_id, token, rotate)?;
    let mut result = json!({
        "AccessToken": refreshed.tokens.access,
        "IdToken": refreshed.tokens.id,
        "ExpiresIn": refreshed.tokens.expires_in,
        "TokenType": "Bearer",
    });
    if let Some(fresh) = refreshed.refresh_token {
        result["RefreshToken"] = json!(fresh);
    }
    Ok(json!({ "AuthenticationResult": result, "ChallengeParameters": {} }))
}

/// The refresh logic shared by the API and `/oauth2/token`: checks the
/// token (revocation, expiry, client, rotation) and issues new tokens under
/// the grant the token was first issued with.
pub(crate) fn refresh_for_client(
    state: &AppState,
    client_id: &str,
    token: &str,
    rotate: bool,
) -> Result<Refreshed, ApiError> {
    let token_hash = ids::sha256_hex(token);
    let Some(record) = state.store.refresh(&token_hash)? else {
        return Err(invalid_refresh_token());
    };
    let now = state.now();
    if record.revoked_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::NotAuthorized,
            "Refresh Token has been revoked",
        ));
    }
    if record.expires_at <= now {
        return Err(ApiError::new(
            ErrorCode::NotAuthorized,
            "Refresh Token has expired",
        ));
    }
    if record.client_id != client_id {
        return Err(invalid_refresh_token());
    }
    let grace =
        i64::try_from(state.options.refresh_token_grace_period.as_secs()).unwrap_or(i64::MAX);
    let reused = || {
        ApiError::new(
            ErrorCode::RefreshTokenReuse,
            "The refresh token has already been rotated and can no longer be used.",
        )
    };
    if let Some(replaced_at) = record.replaced_at
        && now >= replaced_at.saturating_add(grace)
    {
        return Err(reused());
    }
    let Some(user) = state.store.user(&record.username)? else {
        return Err(ApiError::new(
            ErrorCode::UserNotFound,
            "User does not exist.",
        ));
    };
    if !user.enabled {
        return Err(ApiError::new(ErrorCode::NotAuthorized, "User is disabled."));
    }
    let sign_in = SignIn {
        origin_jti: record.origin_jti.clone(),
        event_id: record.event_id.clone(),
        auth_time: record.auth_time,
    };
    let grant = match state.store.oauth_grant(&record.origin_jti)? {
        Some((grant_client, scope)) => Grant {
            client_id: grant_client,
            scope,
            nonce: None,
            oauth: true,
        },
        None => Grant {
            client_id: record.client_id.clone(),
            ..Grant::api(state)
        },
    };
    // With rotation, the token is claimed before anything is issued: of two refreshes racing with one token,
    // the one that marks it second is refused as a reuse (without a grace period), as Cognito does.
    if rotate && !state.store.mark_replaced(&token_hash, now)? && grace == 0 {
        return Err(reused());
    }
    let tokens = issue_for(state, &user, &sign_in, &grant)?;
    let refresh_token = if rotate {
        Some(new_refresh_token_for(
            state,
            client_id,
            &user.username,
            &sign_in,
        )?)
    } else {
        None
    };
    Ok(Refreshed {
        tokens,
        refresh_token,
        grant,
    })
}

/// `GetTokensFromRefreshToken`.
pub(super) fn get_tokens_from_refresh_token(
    state: &AppState,
    request: GetTokensRequest,
) -> Result<Value, ApiError> {
    check_client(state, &request.client_id)?;
    let mut result = refresh_tokens(
        state,
        &request.refresh_token,
        state.options.rotate_refresh_tokens,
    )?;
    // This operation's response has no ChallengeParameters.
    if let Some(object) = result.as_object_mut() {
        object.remove("ChallengeParameters");
    }
    Ok(result)
}

/// `RevokeToken`: revokes the refresh token's sign-in, including access
/// tokens issued from it. Unknown tokens are accepted silently (RFC 7009).
pub(super) fn revoke_token(
    state: &AppState,
    request: RevokeTokenRequest,
) -> Result<Value, ApiError> {
    check_client(state, &request.client_id)?;
    revoke_for_client(state, &request.client_id, &request.token)?;
    Ok(json!({}))
}

/// The revocation logic shared by the API and `/oauth2/revoke`.
pub(crate) fn revoke_for_client(
    state: &AppState,
    client_id: &str,
    token: &str,
) -> Result<(), ApiError> {
    if token.split('.').count() == 3 {
        return Err(ApiError::new(
            ErrorCode::UnsupportedTokenType,
            "Only refresh tokens can be revoked.",
        ));
    }
    if let Some(record) = state.store.refresh(&ids::sha256_hex(token))? {
        if record.client_id != client_id {
            return Err(ApiError::new(
                ErrorCode::NotAuthorized,
                "The token was not issued to this client.",
            ));
        }
        state.store.revoke_origin(&record.origin_jti, state.now())?;
        tracing::info!(username = %record.username, "refresh token revoked");
    }
    Ok(())
}
