//! AdminCreateUser, AdminSetUserPassword, AdminConfirmSignUp, AdminGetUser.

use serde::Deserialize;
use serde_json::{Value, json};

use super::attributes::{self, Writer};
use super::common::{
    AttributeType, attribute_pairs, attributes_json, check_password, check_pool, check_username,
    epoch, existing_user,
};
use crate::api_error::{ApiError, ErrorCode};
use crate::db::{UserRecord, UserStatus};
use crate::ids;
use crate::state::AppState;
use crate::users::{new_user, password_material};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AdminCreateUserRequest {
    user_pool_id: String,
    username: String,
    #[serde(default)]
    temporary_password: Option<String>,
    #[serde(default)]
    user_attributes: Option<Vec<AttributeType>>,
    #[serde(default)]
    message_action: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AdminSetUserPasswordRequest {
    user_pool_id: String,
    username: String,
    password: String,
    #[serde(default)]
    permanent: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AdminUserRequest {
    user_pool_id: String,
    username: String,
}

/// A `UserType` as the admin and list operations answer it.
pub(super) fn user_json(user: &UserRecord) -> Value {
    json!({
        "Username": user.username,
        "Attributes": attributes_json(user),
        "UserCreateDate": epoch(user.created_at),
        "UserLastModifiedDate": epoch(user.updated_at),
        "Enabled": user.enabled,
        "UserStatus": user.status.as_str(),
    })
}

/// `AdminCreateUser`: a user in `FORCE_CHANGE_PASSWORD`.
pub(super) fn admin_create_user(
    state: &AppState,
    request: AdminCreateUserRequest,
) -> Result<Value, ApiError> {
    check_pool(state, &request.user_pool_id)?;
    check_username(&request.username)?;
    let attributes = attribute_pairs(request.user_attributes)?;
    attributes::check_all(state, &attributes, Writer::Admin)?;
    match request.message_action.as_deref() {
        None | Some("SUPPRESS") => {}
        Some("RESEND") => {
            if state.store.user(&request.username)?.is_none() {
                return Err(ApiError::new(
                    ErrorCode::UserNotFound,
                    "User does not exist.",
                ));
            }
            return Err(ApiError::new(
                ErrorCode::InvalidParameter,
                "amplify-local does not send invitation messages; MessageAction RESEND is not supported",
            ));
        }
        Some(other) => {
            return Err(ApiError::new(
                ErrorCode::InvalidParameter,
                format!("Invalid MessageAction {other:?}"),
            ));
        }
    }
    let temporary = match request.temporary_password {
        Some(password) => {
            check_password(&password)?;
            password
        }
        None => ids::temporary_password().map_err(|e| ApiError::internal(&e))?,
    };
    if state.store.user(&request.username)?.is_some() {
        return Err(ApiError::new(
            ErrorCode::UsernameExists,
            "User account already exists",
        ));
    }
    let user = new_user(
        state.pool_name(),
        &request.username,
        &temporary,
        &attributes,
        UserStatus::ForceChangePassword,
        state.now(),
    )?;
    if !state.store.insert_user(&user)? {
        return Err(ApiError::new(
            ErrorCode::UsernameExists,
            "User account already exists",
        ));
    }
    Ok(json!({ "User": user_json(&user) }))
}

/// `AdminSetUserPassword`.
pub(super) fn admin_set_user_password(
    state: &AppState,
    request: AdminSetUserPasswordRequest,
) -> Result<Value, ApiError> {
    check_pool(state, &request.user_pool_id)?;
    check_password(&request.password)?;
    let mut user = existing_user(state, &request.username)?;
    let material = password_material(state.pool_name(), &user.username, &request.password)?;
    user.password_hash = material.hash;
    user.srp_salt = material.srp_salt;
    user.srp_verifier = material.srp_verifier;
    user.status = if request.permanent {
        UserStatus::Confirmed
    } else {
        UserStatus::ForceChangePassword
    };
    user.updated_at = state.now();
    state.store.update_user(&user)?;
    Ok(json!({}))
}

/// `AdminConfirmSignUp`.
pub(super) fn admin_confirm_sign_up(
    state: &AppState,
    request: AdminUserRequest,
) -> Result<Value, ApiError> {
    check_pool(state, &request.user_pool_id)?;
    let mut user = existing_user(state, &request.username)?;
    if user.status != UserStatus::Unconfirmed {
        return Err(ApiError::new(
            ErrorCode::NotAuthorized,
            format!(
                "User cannot be confirmed. Current status is {}",
                user.status.as_str()
            ),
        ));
    }
    user.confirm(false, state.now());
    state.store.update_user(&user)?;
    Ok(json!({}))
}

/// `AdminDisableUser`: the user can no longer sign in, refresh or reset a password, and, as in Cognito, every
/// token issued so far is revoked.
pub(super) fn admin_disable_user(
    state: &AppState,
    request: AdminUserRequest,
) -> Result<Value, ApiError> {
    set_enabled(state, request, false)
}

/// `AdminEnableUser`.
pub(super) fn admin_enable_user(
    state: &AppState,
    request: AdminUserRequest,
) -> Result<Value, ApiError> {
    set_enabled(state, request, true)
}

fn set_enabled(
    state: &AppState,
    request: AdminUserRequest,
    enabled: bool,
) -> Result<Value, ApiError> {
    check_pool(state, &request.user_pool_id)?;
    let mut user = existing_user(state, &request.username)?;
    user.enabled = enabled;
    user.updated_at = state.now();
    state.store.update_user(&user)?;
    if !enabled {
        state.store.revoke_user(&user.username, state.now())?;
    }
    tracing::info!(username = %user.username, enabled, "user enabled or disabled");
    Ok(json!({}))
}

/// `AdminGetUser`.
pub(super) fn admin_get_user(
    state: &AppState,
    request: AdminUserRequest,
) -> Result<Value, ApiError> {
    check_pool(state, &request.user_pool_id)?;
    let user = existing_user(state, &request.username)?;
    let mut body = json!({
        "Username": user.username,
        "UserAttributes": attributes_json(&user),
        "UserCreateDate": epoch(user.created_at),
        "UserLastModifiedDate": epoch(user.updated_at),
        "Enabled": user.enabled,
        "UserStatus": user.status.as_str(),
    });
    super::mfa_preference::add_mfa_fields(state, &user, &mut body)?;
    Ok(body)
}
