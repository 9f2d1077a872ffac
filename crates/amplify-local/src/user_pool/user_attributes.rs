//! UpdateUserAttributes, GetUserAttributeVerificationCode,
//! VerifyUserAttribute and DeleteUserAttributes (access-token
//! authenticated). A changed email or phone number is unverified until its
//! code (logged, and readable with
//! [`crate::LocalBackend::attribute_verification_code`]) is confirmed.

use serde::Deserialize;
use serde_json::{Value, json};

use super::attributes::{self, Writer};
use super::common::{
    AttributeType, attribute_pairs, delivery, existing_user, new_code, redeem_code,
};
use super::session::user_access;
use crate::api_error::{ApiError, ErrorCode};
use crate::attempts::{Attempt, Guess};
use crate::db::UserRecord;
use crate::state::AppState;

/// Verification codes are valid for 24 hours, as sign-up codes are.
const CODE_TTL_SECS: i64 = 24 * 3600;
/// The attributes that are verified with a code.
const VERIFIABLE: [&str; 2] = ["email", "phone_number"];
/// Attributes a user cannot delete (the pool requires them, or Cognito
/// keeps them).
const UNDELETABLE: [&str; 2] = ["sub", "email"];

/// The storage purpose of an attribute's verification code.
pub(crate) fn purpose(attribute: &str) -> String {
    format!("verify_{attribute}")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UpdateRequest {
    access_token: String,
    user_attributes: Option<Vec<AttributeType>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CodeRequest {
    access_token: String,
    attribute_name: String,
    #[serde(default)]
    code: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DeleteRequest {
    access_token: String,
    user_attribute_names: Vec<String>,
}

/// Issues (and logs) a verification code for an attribute.
fn issue(state: &AppState, user: &UserRecord, attribute: &str) -> Result<Value, ApiError> {
    let code = new_code()?;
    tracing::info!(username = %user.username, attribute, code = %code,
        "attribute verification code (amplify-local does not send email or SMS)");
    state.store.set_code(
        &user.username,
        &purpose(attribute),
        &code,
        state.now() + CODE_TTL_SECS,
    )?;
    Ok(delivery(user, attribute))
}

fn signed_in_user(state: &AppState, access_token: &str) -> Result<UserRecord, ApiError> {
    let claims = user_access(state, access_token)?;
    existing_user(state, &claims.username)
}

/// `UpdateUserAttributes`.
pub(super) fn update_user_attributes(
    state: &AppState,
    request: UpdateRequest,
) -> Result<Value, ApiError> {
    let mut user = signed_in_user(state, &request.access_token)?;
    let pairs = attribute_pairs(request.user_attributes)?;
    attributes::check_all(state, &pairs, Writer::User)?;
    let mut changed = Vec::new();
    for (name, value) in &pairs {
        if VERIFIABLE.contains(&name.as_str()) && user.attribute(name) != Some(value.as_str()) {
            changed.push(name.clone());
            user.set_attribute(&format!("{name}_verified"), "false");
        }
        user.set_attribute(name, value);
    }
    user.updated_at = state.now();
    state.store.update_user(&user)?;
    let mut deliveries = Vec::new();
    for name in &changed {
        deliveries.push(issue(state, &user, name)?);
    }
    Ok(json!({ "CodeDeliveryDetailsList": deliveries }))
}

fn check_verifiable<'a>(user: &UserRecord, name: &'a str) -> Result<&'a str, ApiError> {
    if !VERIFIABLE.contains(&name) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("Only email and phone_number are verified with a code, not {name:?}"),
        ));
    }
    if user.attribute(name).is_none() {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("The user has no {name} to verify"),
        ));
    }
    Ok(name)
}

/// `GetUserAttributeVerificationCode`.
pub(super) fn get_user_attribute_verification_code(
    state: &AppState,
    request: CodeRequest,
) -> Result<Value, ApiError> {
    let user = signed_in_user(state, &request.access_token)?;
    let name = check_verifiable(&user, &request.attribute_name)?;
    Ok(json!({ "CodeDeliveryDetails": issue(state, &user, name)? }))
}

/// `VerifyUserAttribute`: the code marks the attribute verified.
pub(super) fn verify_user_attribute(
    state: &AppState,
    request: CodeRequest,
) -> Result<Value, ApiError> {
    let mut user = signed_in_user(state, &request.access_token)?;
    let name = check_verifiable(&user, &request.attribute_name)?;
    let code = request
        .code
        .as_deref()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| ApiError::missing("Code"))?;
    let attempt = Attempt::start(state, Guess::Code, &user.username)?;
    redeem_code(state, attempt, &user.username, &purpose(name), code)?;
    user.set_attribute(&format!("{name}_verified"), "true");
    user.updated_at = state.now();
    state.store.update_user(&user)?;
    Ok(json!({}))
}

/// `DeleteUserAttributes`.
pub(super) fn delete_user_attributes(
    state: &AppState,
    request: DeleteRequest,
) -> Result<Value, ApiError> {
    let mut user = signed_in_user(state, &request.access_token)?;
    for name in &request.user_attribute_names {
        if UNDELETABLE.contains(&name.as_str()) {
            return Err(ApiError::new(
                ErrorCode::InvalidParameter,
                format!("Attribute {name} is required and cannot be deleted"),
            ));
        }
        attributes::check(state, name, "", Writer::User)?;
    }
    for name in &request.user_attribute_names {
        user.attributes.retain(|(n, _)| n != name);
        if VERIFIABLE.contains(&name.as_str()) {
            let flag = format!("{name}_verified");
            user.attributes.retain(|(n, _)| *n != flag);
        }
    }
    user.updated_at = state.now();
    state.store.update_user(&user)?;
    Ok(json!({}))
}

super::common::redacted_debug!(UpdateRequest, CodeRequest, DeleteRequest);
