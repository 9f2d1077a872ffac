//! SetUserMFAPreference, AdminSetUserMFAPreference, and the MFA fields of
//! GetUser and AdminGetUser.

use serde::Deserialize;
use serde_json::{Value, json};

use super::common::{check_pool, existing_user};
use super::session::user_access;
use crate::MfaFactor;
use crate::api_error::{ApiError, ErrorCode};
use crate::db::UserRecord;
use crate::state::AppState;

/// `{"Enabled": …, "PreferredMfa": …}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct FactorSettings {
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    preferred_mfa: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct PreferenceRequest {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    user_pool_id: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default, rename = "SMSMfaSettings")]
    sms: Option<FactorSettings>,
    #[serde(default, rename = "SoftwareTokenMfaSettings")]
    totp: Option<FactorSettings>,
    #[serde(default, rename = "EmailMfaSettings")]
    email: Option<FactorSettings>,
}

/// Applies the settings to a user.
fn apply(state: &AppState, user: &UserRecord, request: &PreferenceRequest) -> Result<(), ApiError> {
    let mut mfa = state.store.mfa(&user.username)?;
    for (factor, settings) in [
        (MfaFactor::Sms, &request.sms),
        (MfaFactor::Totp, &request.totp),
        (MfaFactor::Email, &request.email),
    ] {
        let Some(settings) = settings else { continue };
        let enable = settings.enabled.unwrap_or(false) || settings.preferred_mfa == Some(true);
        if enable {
            let ready = match factor {
                MfaFactor::Sms => user.attribute("phone_number").is_some(),
                MfaFactor::Email => user.attribute("email").is_some(),
                MfaFactor::Totp => mfa.totp_secret.is_some(),
            };
            if !ready {
                return Err(ApiError::new(
                    ErrorCode::InvalidParameter,
                    match factor {
                        MfaFactor::Totp => "User has not verified software token mfa",
                        MfaFactor::Sms => {
                            "User does not have delivery config set to turn on SMS_MFA"
                        }
                        MfaFactor::Email => {
                            "User does not have delivery config set to turn on EMAIL_OTP"
                        }
                    },
                ));
            }
            if !state.options().mfa_allows(factor) {
                return Err(ApiError::new(
                    ErrorCode::InvalidParameter,
                    format!(
                        "{} is not enabled for this user pool (start amplify-local with --mfa \
                         optional or required and --mfa-factors including {})",
                        factor.challenge_name(),
                        factor.outputs_name().to_lowercase()
                    ),
                ));
            }
        }
        if settings.enabled.is_some() || settings.preferred_mfa == Some(true) {
            mfa.set_enabled(factor, enable);
        }
        match settings.preferred_mfa {
            Some(true) => mfa.preferred = Some(factor),
            Some(false) if mfa.preferred == Some(factor) => mfa.preferred = None,
            _ => {}
        }
    }
    state.store.save_mfa(&user.username, &mfa)?;
    Ok(())
}

/// `SetUserMFAPreference`.
pub(super) fn set_user_mfa_preference(
    state: &AppState,
    request: PreferenceRequest,
) -> Result<Value, ApiError> {
    let token = request
        .access_token
        .as_deref()
        .ok_or_else(|| ApiError::missing("AccessToken"))?;
    let claims = user_access(state, token)?;
    let user = existing_user(state, &claims.username)?;
    apply(state, &user, &request)?;
    Ok(json!({}))
}

/// `AdminSetUserMFAPreference`.
pub(super) fn admin_set_user_mfa_preference(
    state: &AppState,
    request: PreferenceRequest,
) -> Result<Value, ApiError> {
    check_pool(state, request.user_pool_id.as_deref().unwrap_or_default())?;
    let username = request
        .username
        .as_deref()
        .ok_or_else(|| ApiError::missing("Username"))?;
    let user = existing_user(state, username)?;
    apply(state, &user, &request)?;
    Ok(json!({}))
}

/// Adds `UserMFASettingList` and `PreferredMfaSetting` to a GetUser or
/// AdminGetUser answer, as Cognito does when the user enabled a factor.
pub(super) fn add_mfa_fields(
    state: &AppState,
    user: &UserRecord,
    body: &mut Value,
) -> Result<(), ApiError> {
    let mfa = state.store.mfa(&user.username)?;
    let enabled: Vec<&str> = MfaFactor::ALL
        .into_iter()
        .filter(|f| mfa.enabled(*f))
        .map(MfaFactor::challenge_name)
        .collect();
    if !enabled.is_empty() {
        body["UserMFASettingList"] = json!(enabled);
    }
    if let Some(preferred) = mfa.preferred {
        body["PreferredMfaSetting"] = json!(preferred.challenge_name());
    }
    Ok(())
}

super::common::redacted_debug!(PreferenceRequest);
