//! SignUp, ConfirmSignUp, ResendConfirmationCode.

use serde::Deserialize;
use serde_json::{Value, json};

use super::attributes::{self, AttributeRefusal, Writer};
use super::common::{AttributeType, attribute_pairs, check_client, check_password};
use crate::api_error::{ApiError, ErrorCode};
use crate::attempts::{Attempt, Guess};
use crate::db::{UserRecord, UserStatus};
use crate::ids;
use crate::state::AppState;
use crate::users::{UsernameRefusal, check_username, new_user, plausible_email};

/// Confirmation codes are valid for 24 hours, as in Cognito.
const CODE_TTL_SECS: i64 = 24 * 3600;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct SignUpRequest {
    client_id: String,
    username: String,
    password: String,
    #[serde(default)]
    user_attributes: Option<Vec<AttributeType>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ConfirmSignUpRequest {
    client_id: String,
    username: String,
    confirmation_code: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ResendRequest {
    client_id: String,
    username: String,
}

fn code_delivery(user: &UserRecord) -> Value {
    super::common::delivery(user, "email")
}

/// Gives the user a fresh code and logs it (this is how a developer reads it).
fn issue_code(state: &AppState, user: &mut UserRecord) -> Result<(), ApiError> {
    let code = ids::confirmation_code().map_err(|e| ApiError::internal(&e))?;
    tracing::info!(username = %user.username, code = %code, "confirmation code (amplify-local does not send email)");
    user.confirmation_code = Some(code);
    user.code_expires_at = Some(state.now() + CODE_TTL_SECS);
    Ok(())
}

/// `SignUp`.
pub(super) fn sign_up(state: &AppState, request: SignUpRequest) -> Result<Value, ApiError> {
    check_client(state, &request.client_id)?;
    let attributes = attribute_pairs(request.user_attributes)?;
    let user = register(state, &request.username, &request.password, &attributes)?;
    Ok(json!({
        "UserConfirmed": false,
        "UserSub": user.sub,
        "CodeDeliveryDetails": code_delivery(&user),
    }))
}

/// Why [`register`] refused a sign-up: the user's mistakes that the
/// managed sign-up page explains in the user's language, or another API
/// error.
#[derive(Debug)]
pub(crate) enum SignUpError {
    /// The username is refused.
    Username(UsernameRefusal),
    /// An attribute is refused.
    Attribute(AttributeRefusal),
    /// No email was given.
    MissingEmail,
    /// Usernames are email addresses and this one is not.
    UsernameNotEmail,
    /// Usernames are email addresses and the `email` attribute names
    /// another one.
    EmailMismatch,
    /// Anything else (password policy, existing user, storage).
    Api(ApiError),
}

impl From<SignUpError> for ApiError {
    fn from(error: SignUpError) -> Self {
        match error {
            SignUpError::Username(reason) => {
                ApiError::new(ErrorCode::InvalidParameter, reason.to_string())
            }
            SignUpError::Attribute(refusal) => refusal.into(),
            SignUpError::MissingEmail => ApiError::new(
                ErrorCode::InvalidParameter,
                "Attributes did not conform to the schema: email: The attribute is required",
            ),
            SignUpError::UsernameNotEmail => {
                ApiError::new(ErrorCode::InvalidParameter, "Username should be an email.")
            }
            SignUpError::EmailMismatch => ApiError::new(
                ErrorCode::InvalidParameter,
                "The email attribute must be the username when usernames are emails.",
            ),
            SignUpError::Api(error) => error,
        }
    }
}

impl From<ApiError> for SignUpError {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

impl From<crate::LocalError> for SignUpError {
    fn from(error: crate::LocalError) -> Self {
        Self::Api(error.into())
    }
}

/// Creates an unconfirmed user with a fresh (logged) confirmation code:
/// SignUp's checks and effects, shared with the managed sign-up page.
/// When usernames are email addresses ([`crate::LocalOptions::email_usernames`]),
/// the username must be one, and it is the `email` attribute.
pub(crate) fn register(
    state: &AppState,
    username: &str,
    password: &str,
    attributes: &[(String, String)],
) -> Result<UserRecord, SignUpError> {
    check_username(username).map_err(SignUpError::Username)?;
    let mut attributes = attributes.to_vec();
    if state.options().email_usernames {
        email_from_username(username, &mut attributes)?;
    }
    let attributes = attributes.as_slice();
    check_password(password)?;
    attributes::check_all(state, attributes, Writer::User).map_err(SignUpError::Attribute)?;
    if !attributes
        .iter()
        .any(|(n, v)| n == "email" && !v.is_empty())
    {
        return Err(SignUpError::MissingEmail);
    }
    if state.store.user(username)?.is_some() {
        return Err(ApiError::new(ErrorCode::UsernameExists, "User already exists").into());
    }
    let mut user = new_user(
        state.pool_name(),
        username,
        password,
        attributes,
        UserStatus::Unconfirmed,
        state.now(),
    )?;
    issue_code(state, &mut user)?;
    if !state.store.insert_user(&user)? {
        return Err(ApiError::new(ErrorCode::UsernameExists, "User already exists").into());
    }
    Ok(user)
}

/// Checks that `username` is an email address and makes it the `email`
/// attribute: added when absent, refused when another address is given
/// (addresses differing only in ASCII case are the same).
fn email_from_username(
    username: &str,
    attributes: &mut Vec<(String, String)>,
) -> Result<(), SignUpError> {
    if !plausible_email(username) {
        return Err(SignUpError::UsernameNotEmail);
    }
    match attributes.iter().find(|(name, _)| name == "email") {
        Some((_, email)) if email.eq_ignore_ascii_case(username) => Ok(()),
        Some(_) => Err(SignUpError::EmailMismatch),
        None => {
            attributes.push(("email".to_owned(), username.to_owned()));
            Ok(())
        }
    }
}

/// `ConfirmSignUp`.
pub(super) fn confirm_sign_up(
    state: &AppState,
    request: ConfirmSignUpRequest,
) -> Result<Value, ApiError> {
    check_client(state, &request.client_id)?;
    confirm_with_code(state, &request.username, &request.confirmation_code)?;
    Ok(json!({}))
}

/// ConfirmSignUp's checks and effects, shared with the managed confirm page.
/// Wrong codes count towards the attempt limits ([`crate::attempts`]):
/// during a lockout, `LimitExceededException`.
pub(crate) fn confirm_with_code(
    state: &AppState,
    username: &str,
    code: &str,
) -> Result<UserRecord, ApiError> {
    let mismatch = || {
        ApiError::new(
            ErrorCode::CodeMismatch,
            "Invalid verification code provided, please try again.",
        )
    };
    let attempt = Attempt::start(state, Guess::Code, username)?;
    let Some(mut user) = state.store.user(username)? else {
        return Err(mismatch());
    };
    if user.status != UserStatus::Unconfirmed {
        attempt.withdraw()?;
        return Err(ApiError::new(
            ErrorCode::NotAuthorized,
            format!(
                "User cannot be confirmed. Current status is {}",
                user.status.as_str()
            ),
        ));
    }
    if !user
        .confirmation_code
        .as_deref()
        .is_some_and(|expected| super::common::same_code(expected, code))
    {
        return Err(mismatch());
    }
    if user.code_expires_at.is_some_and(|at| at < state.now()) {
        attempt.withdraw()?;
        return Err(ApiError::new(
            ErrorCode::ExpiredCode,
            "Invalid code provided, please request a code again.",
        ));
    }
    attempt.succeeded()?;
    user.confirm(true, state.now());
    state.store.update_user(&user)?;
    Ok(user)
}

/// `ResendConfirmationCode`.
pub(super) fn resend_confirmation_code(
    state: &AppState,
    request: ResendRequest,
) -> Result<Value, ApiError> {
    check_client(state, &request.client_id)?;
    let Some(mut user) = state.store.user(&request.username)? else {
        return Err(ApiError::new(
            ErrorCode::UserNotFound,
            "Username/client id combination not found.",
        ));
    };
    if user.status != UserStatus::Unconfirmed {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "User is already confirmed.",
        ));
    }
    issue_code(state, &mut user)?;
    user.updated_at = state.now();
    state.store.update_user(&user)?;
    Ok(json!({ "CodeDeliveryDetails": code_delivery(&user) }))
}
