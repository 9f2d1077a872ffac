//! GetUser and GlobalSignOut (access-token authenticated, with the
//! `aws.cognito.signin.user.admin` scope).

use serde::Deserialize;
use serde_json::{Value, json};

use super::common::attributes_json;
use crate::api_error::{ApiError, ErrorCode};
use crate::state::AppState;
use crate::tokens::{API_SCOPE, AccessClaims, verify_access_token};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AccessTokenRequest {
    access_token: String,
}

/// Verifies the access token of an operation a signed-in user calls on
/// their own account: as in Cognito, it needs the
/// `aws.cognito.signin.user.admin` scope, which the user-pool API's tokens
/// always have and managed-login tokens have only when it was requested.
pub(super) fn user_access(state: &AppState, access_token: &str) -> Result<AccessClaims, ApiError> {
    let claims = verify_access_token(state, access_token)?;
    if !claims.scope.split(' ').any(|scope| scope == API_SCOPE) {
        return Err(ApiError::new(
            ErrorCode::NotAuthorized,
            "Access Token does not have required scopes",
        ));
    }
    Ok(claims)
}

/// `GetUser`.
pub(super) fn get_user(state: &AppState, request: AccessTokenRequest) -> Result<Value, ApiError> {
    let claims = user_access(state, &request.access_token)?;
    let Some(user) = state.store.user(&claims.username)? else {
        return Err(ApiError::new(
            ErrorCode::UserNotFound,
            "User does not exist.",
        ));
    };
    let mut body = json!({
        "Username": user.username,
        "UserAttributes": attributes_json(&user),
    });
    super::mfa_preference::add_mfa_fields(state, &user, &mut body)?;
    Ok(body)
}

/// `GlobalSignOut`: revokes all of the user's refresh tokens and the access
/// tokens issued with them.
pub(super) fn global_sign_out(
    state: &AppState,
    request: AccessTokenRequest,
) -> Result<Value, ApiError> {
    let claims = user_access(state, &request.access_token)?;
    state.store.revoke_user(&claims.username, state.now())?;
    tracing::info!(username = %claims.username, "global sign-out");
    Ok(json!({}))
}
