//! ChangePassword and DeleteUser (access-token authenticated).

use serde::Deserialize;
use serde_json::{Value, json};

use super::common::{check_password, existing_user};
use super::session::user_access;
use crate::api_error::ApiError;
use crate::attempts::{Attempt, Guess};
use crate::state::AppState;
use crate::users::password_material;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ChangePasswordRequest {
    access_token: String,
    #[serde(default)]
    previous_password: Option<String>,
    proposed_password: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DeleteUserRequest {
    access_token: String,
}

/// `ChangePassword`: the previous password must be right (attempts are
/// limited as sign-in's are).
pub(super) fn change_password(
    state: &AppState,
    request: ChangePasswordRequest,
) -> Result<Value, ApiError> {
    let claims = user_access(state, &request.access_token)?;
    let previous = request
        .previous_password
        .as_deref()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| ApiError::missing("PreviousPassword"))?;
    check_password(&request.proposed_password)?;
    let mut user = existing_user(state, &claims.username)?;
    let attempt = Attempt::start(state, Guess::Password, &claims.username)?;
    if !state.password_matches(previous, &user.password_hash) {
        return Err(ApiError::bad_credentials());
    }
    attempt.succeeded()?;
    let material = password_material(
        state.pool_name(),
        &user.username,
        &request.proposed_password,
    )?;
    user.password_hash = material.hash;
    user.srp_salt = material.srp_salt;
    user.srp_verifier = material.srp_verifier;
    user.updated_at = state.now();
    state.store.update_user(&user)?;
    tracing::info!(username = %user.username, "password changed");
    Ok(json!({}))
}

/// `DeleteUser`: the user and everything kept for them; their tokens stop
/// working.
pub(super) fn delete_user(state: &AppState, request: DeleteUserRequest) -> Result<Value, ApiError> {
    let claims = user_access(state, &request.access_token)?;
    existing_user(state, &claims.username)?;
    state.store.delete_user(&claims.username, state.now())?;
    tracing::info!(username = %claims.username, "user deleted");
    Ok(json!({}))
}

super::common::redacted_debug!(ChangePasswordRequest, DeleteUserRequest);
