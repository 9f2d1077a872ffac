//! Checks and conversions shared by the operations.

/// `Debug` for requests that carry a token, a password, a code or a
/// `Session`: it names the type and shows nothing else.
macro_rules! redacted_debug {
    ($($name:ident),+ $(,)?) => {
        $(impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), " { <redacted> }"))
            }
        })+
    };
}
pub(super) use redacted_debug;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::api_error::{ApiError, ErrorCode};
use crate::db::UserRecord;
use crate::state::AppState;

/// `{"Name": ..., "Value": ...}` as in `UserAttributes`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AttributeType {
    pub(super) name: String,
    #[serde(default)]
    pub(super) value: Option<String>,
}

/// Converts request attributes to pairs, rejecting empty or overlong names
/// (which attributes may be written is [`super::attributes`]' job).
pub(super) fn attribute_pairs(
    attributes: Option<Vec<AttributeType>>,
) -> Result<Vec<(String, String)>, ApiError> {
    let mut pairs = Vec::new();
    for attribute in attributes.unwrap_or_default() {
        if attribute.name.trim().is_empty() || attribute.name.len() > 32 + 7 {
            return Err(ApiError::new(
                ErrorCode::InvalidParameter,
                "Attribute names must be 1 to 32 characters (plus an optional custom: prefix)",
            ));
        }
        pairs.push((attribute.name, attribute.value.unwrap_or_default()));
    }
    Ok(pairs)
}

/// `UserAttributes` for responses.
pub(super) fn attributes_json(user: &UserRecord) -> Value {
    Value::Array(
        user.attributes
            .iter()
            .map(|(name, value)| json!({ "Name": name, "Value": value }))
            .collect(),
    )
}

/// Checks an app client id.
pub(super) fn check_client(state: &AppState, client_id: &str) -> Result<(), ApiError> {
    if client_id == state.client_id {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::ResourceNotFound,
            format!("User pool client {client_id} does not exist."),
        ))
    }
}

/// Checks a user pool id.
pub(super) fn check_pool(state: &AppState, user_pool_id: &str) -> Result<(), ApiError> {
    if user_pool_id == state.user_pool_id {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::ResourceNotFound,
            format!("User pool {user_pool_id} does not exist."),
        ))
    }
}

/// Checks a new password against the pool policy.
pub(super) fn check_password(password: &str) -> Result<(), ApiError> {
    crate::password::check_policy(password).map_err(|reason| {
        ApiError::new(
            ErrorCode::InvalidPassword,
            format!("Password did not conform with policy: {reason}"),
        )
    })
}

/// Checks a username's shape.
pub(super) fn check_username(username: &str) -> Result<(), ApiError> {
    crate::users::check_username(username)
        .map_err(|reason| ApiError::new(ErrorCode::InvalidParameter, reason.to_string()))
}

/// Loads a user that an admin call names; `UserNotFoundException` otherwise.
pub(super) fn existing_user(state: &AppState, username: &str) -> Result<UserRecord, ApiError> {
    state
        .store
        .user(username)?
        .ok_or_else(|| ApiError::new(ErrorCode::UserNotFound, "User does not exist."))
}

/// A date as AWS JSON writes it (epoch seconds).
pub(super) fn epoch(seconds: i64) -> Value {
    json!(seconds)
}

/// Masks an email address like Cognito (`a***@e***`).
pub(super) fn mask_email(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    format!("{}***@{}***", first(local), first(domain))
}

/// Masks a phone number like Cognito (`+*******1234`).
pub(super) fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().collect();
    let keep = digits.len().min(4);
    let tail: String = digits[digits.len() - keep..].iter().collect();
    format!(
        "+{}{tail}",
        "*".repeat(digits.len().saturating_sub(keep + 1))
    )
}

/// Where a code for an attribute "goes": Cognito's `CodeDeliveryDetails`.
pub(super) fn delivery(user: &UserRecord, attribute: &str) -> Value {
    let value = user.attribute(attribute).unwrap_or_default();
    if attribute == "phone_number" {
        json!({ "Destination": mask_phone(value), "DeliveryMedium": "SMS", "AttributeName": attribute })
    } else {
        json!({ "Destination": mask_email(value), "DeliveryMedium": "EMAIL", "AttributeName": attribute })
    }
}

/// A new 6-digit code, or an internal error.
pub(super) fn new_code() -> Result<String, ApiError> {
    crate::ids::confirmation_code().map_err(|e| ApiError::internal(&e))
}

/// Compares codes in constant time.
pub(super) fn same_code(expected: &str, given: &str) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_bytes(), given.as_bytes()).is_ok()
}

/// Wrong answers a stored code (a password reset's, an attribute verification's) takes before it is void.
pub(super) const MAX_CODE_FAILURES: u32 = 5;

/// Redeems the code `username` has pending for `purpose` (ForgotPassword's, GetUserAttributeVerificationCode's)
/// with `given`, under `attempt` (started by the caller before it looked anything up, so that unknown users count
/// towards lockouts as known ones do). A wrong code counts against the code (void after [`MAX_CODE_FAILURES`]) and
/// the attempt; an expired or void one is `ExpiredCodeException`; the right one is deleted, so it works once.
pub(super) fn redeem_code(
    state: &AppState,
    attempt: crate::attempts::Attempt<'_>,
    username: &str,
    purpose: &str,
    given: &str,
) -> Result<(), ApiError> {
    let mismatch = || {
        ApiError::new(
            ErrorCode::CodeMismatch,
            "Invalid verification code provided, please try again.",
        )
    };
    let expired = || {
        ApiError::new(
            ErrorCode::ExpiredCode,
            "Invalid code provided, please request a code again.",
        )
    };
    let Some(pending) = state.store.user_code(username, purpose)? else {
        return Err(mismatch());
    };
    if pending.failures >= MAX_CODE_FAILURES {
        attempt.withdraw()?;
        return Err(expired());
    }
    if !same_code(&pending.code, given) {
        state.store.fail_code(username, purpose)?;
        return Err(mismatch());
    }
    if pending.expires_at < state.now() {
        attempt.withdraw()?;
        return Err(expired());
    }
    attempt.succeeded()?;
    state.store.delete_code(username, purpose)?;
    Ok(())
}

/// A required request parameter (present and non-empty).
pub(super) fn required<'a>(value: Option<&'a str>, name: &str) -> Result<&'a str, ApiError> {
    value
        .filter(|value| !value.is_empty())
        .ok_or_else(|| ApiError::missing(name))
}
