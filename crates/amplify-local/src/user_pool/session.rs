//! GetUser and GlobalSignOut (access-token authenticated).

use serde::Deserialize;
use serde_json::{Value, json};

use super::common::attributes_json;
use crate::api_error::{ApiError, ErrorCode};
use crate::state::{AppState, now_secs};
use crate::tokens::verify_access_token;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AccessTokenRequest {
    access_token: String,
}

/// `GetUser`.
pub(super) fn get_user(state: &AppState, request: AccessTokenRequest) -> Result<Value, ApiError> {
    let claims = verify_access_token(state, &request.access_token)?;
    let Some(user) = state.store.user(&claims.username)? else {
        return Err(ApiError::new(
            ErrorCode::UserNotFound,
            "User does not exist.",
        ));
    };
    Ok(json!({
        "Username": user.username,
        "UserAttributes": attributes_json(&user),
    }))
}

/// `GlobalSignOut`: revokes all of the user's refresh tokens and the access
/// tokens issued with them.
pub(super) fn global_sign_out(
    state: &AppState,
    request: AccessTokenRequest,
) -> Result<Value, ApiError> {
    let claims = verify_access_token(state, &request.access_token)?;
    state.store.revoke_user(&claims.username, now_secs())?;
    tracing::info!(username = %claims.username, "global sign-out");
    Ok(json!({}))
}
