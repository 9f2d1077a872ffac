//! ForgotPassword and ConfirmForgotPassword: a reset code "sent" to the
//! user's verified email (or phone), shown in the log and readable with
//! [`crate::LocalBackend::password_reset_code`], valid for an hour and
//! for [`MAX_CODE_FAILURES`](super::common::MAX_CODE_FAILURES) wrong answers; wrong answers also count
//! towards the username's lockout ([`crate::attempts`]).

use serde::Deserialize;
use serde_json::{Value, json};

use super::common::{check_client, check_password, delivery, mask_email, new_code, redeem_code};
use crate::api_error::{ApiError, ErrorCode};
use crate::attempts::{Attempt, Guess};
use crate::db::{UserRecord, UserStatus};
use crate::state::AppState;
use crate::users::password_material;

/// The purpose under which reset codes are stored.
pub(crate) const PURPOSE: &str = "reset";
/// Reset codes are valid for an hour, as in Cognito.
const CODE_TTL_SECS: i64 = 3600;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ForgotRequest {
    client_id: String,
    username: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ConfirmRequest {
    client_id: String,
    username: String,
    confirmation_code: String,
    password: String,
}

/// Where a reset code goes: a verified email, else a verified phone.
fn reset_attribute(user: &UserRecord) -> Option<&'static str> {
    [
        ("email", "email_verified"),
        ("phone_number", "phone_number_verified"),
    ]
    .into_iter()
    .find(|(name, verified)| {
        user.attribute(name).is_some() && user.attribute(verified) == Some("true")
    })
    .map(|(name, _)| name)
}

/// A reset started: where the code "went" (ForgotPassword's `CodeDeliveryDetails`) and the code, which managed
/// login shows instead of sending it.
pub(crate) struct StartedReset {
    pub(crate) delivery: Value,
    /// The stored code; for an unknown username, a decoy of the same shape that no answer matches.
    pub(crate) code: String,
}

/// Starts a reset: ForgotPassword's checks and effects, shared with the
/// managed-login page. An unknown user gets a plausible answer, so the page
/// tells nothing about who exists.
pub(crate) fn start_reset(state: &AppState, username: &str) -> Result<StartedReset, ApiError> {
    let Some(user) = state.store.user(username)? else {
        return Ok(StartedReset {
            delivery: json!({
                "Destination": mask_email(&format!("{username}@example.com")),
                "DeliveryMedium": "EMAIL",
                "AttributeName": "email",
            }),
            code: new_code()?,
        });
    };
    if !user.enabled {
        return Err(ApiError::new(ErrorCode::NotAuthorized, "User is disabled."));
    }
    if matches!(
        user.status,
        UserStatus::ForceChangePassword | UserStatus::ExternalProvider
    ) {
        return Err(ApiError::new(
            ErrorCode::NotAuthorized,
            "User password cannot be reset in the current state.",
        ));
    }
    let Some(attribute) = reset_attribute(&user) else {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "Cannot reset password for the user as there is no registered/verified email or \
             phone_number",
        ));
    };
    let code = new_code()?;
    tracing::info!(username, code = %code, "password reset code (amplify-local does not send email or SMS)");
    state
        .store
        .set_code(&user.username, PURPOSE, &code, state.now() + CODE_TTL_SECS)?;
    Ok(StartedReset {
        delivery: delivery(&user, attribute),
        code,
    })
}

/// A code shaped like a reset code that no answer matches (none is stored), for a refused reset's page.
pub(crate) fn decoy_reset_code() -> Result<String, ApiError> {
    new_code()
}

/// `ForgotPassword`.
pub(super) fn forgot_password(state: &AppState, request: ForgotRequest) -> Result<Value, ApiError> {
    check_client(state, &request.client_id)?;
    let started = start_reset(state, &request.username)?;
    Ok(json!({ "CodeDeliveryDetails": started.delivery }))
}

/// Finishes a reset: ConfirmForgotPassword's checks and effects, shared
/// with the managed-login page.
pub(crate) fn finish_reset(
    state: &AppState,
    username: &str,
    code: &str,
    password: &str,
) -> Result<(), ApiError> {
    check_password(password)?;
    let attempt = Attempt::start(state, Guess::Code, username)?;
    let Some(mut user) = state.store.user(username)? else {
        return Err(ApiError::new(
            ErrorCode::CodeMismatch,
            "Invalid verification code provided, please try again.",
        ));
    };
    // Disabled after the code was sent: as Cognito, the code no longer resets anything.
    if !user.enabled {
        attempt.withdraw()?;
        return Err(ApiError::new(ErrorCode::NotAuthorized, "User is disabled."));
    }
    redeem_code(state, attempt, &user.username, PURPOSE, code)?;
    let material = password_material(state.pool_name(), &user.username, password)?;
    user.password_hash = material.hash;
    user.srp_salt = material.srp_salt;
    user.srp_verifier = material.srp_verifier;
    user.updated_at = state.now();
    state.store.update_user(&user)?;
    tracing::info!(username, "password reset");
    Ok(())
}

/// `ConfirmForgotPassword`.
pub(super) fn confirm_forgot_password(
    state: &AppState,
    request: ConfirmRequest,
) -> Result<Value, ApiError> {
    check_client(state, &request.client_id)?;
    finish_reset(
        state,
        &request.username,
        &request.confirmation_code,
        &request.password,
    )?;
    Ok(json!({}))
}

super::common::redacted_debug!(ConfirmRequest);
