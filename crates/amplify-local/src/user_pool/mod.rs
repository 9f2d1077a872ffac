//! The Cognito user-pool JSON 1.1 API on `POST /`.

mod account;
mod admin;
mod admin_auth;
mod attributes;
mod auth;
mod challenge;
mod common;
mod custom_auth;
mod flow;
mod forgot_password;
mod groups;
mod mfa_answers;
mod mfa_preference;
mod refresh;
mod session;
mod sign_up;
mod software_token;
mod user_attributes;

pub(crate) use attributes::AttributeRefusal;
pub(crate) use attributes::check_declared as check_declared_attribute;
pub(crate) use auth::user_with_password;
pub(crate) use auth::{missing_required, new_password_challenge};
pub(crate) use challenge::answer_challenge;
pub(crate) use flow::{Next, next_after_first_factor, session_code, session_username};
pub(crate) use forgot_password::{
    PURPOSE as RESET_PURPOSE, decoy_reset_code, finish_reset, start_reset,
};
pub(crate) use groups::{check_group_name, create as create_group};
pub(crate) use refresh::{refresh_for_client, revoke_for_client};
pub(crate) use sign_up::{SignUpError, confirm_with_code, register};
pub(crate) use software_token::{associate_in_sign_in, verify_in_sign_in};
pub(crate) use user_attributes::purpose as verification_purpose;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api_error::{ApiError, ErrorCode};
use crate::state::AppState;

/// The `X-Amz-Target` prefix of the user-pool service.
pub(crate) const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";

/// The operations a browser client (aws-amplify) calls: the only ones CORS
/// opens to the app origins. Admin operations are never among them.
pub(crate) const BROWSER_OPERATIONS: [&str; 20] = [
    "SignUp",
    "ConfirmSignUp",
    "ResendConfirmationCode",
    "InitiateAuth",
    "RespondToAuthChallenge",
    "GetTokensFromRefreshToken",
    "RevokeToken",
    "GetUser",
    "GlobalSignOut",
    "ForgotPassword",
    "ConfirmForgotPassword",
    "ChangePassword",
    "DeleteUser",
    "UpdateUserAttributes",
    "GetUserAttributeVerificationCode",
    "VerifyUserAttribute",
    "DeleteUserAttributes",
    "AssociateSoftwareToken",
    "VerifySoftwareToken",
    "SetUserMFAPreference",
];

/// Handles one JSON 1.1 request of either service on `POST /`: the
/// identity pool's (`AWSCognitoIdentityService.*`) or the user pool's.
pub(crate) async fn handle_any(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let is_identity = headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|target| target.starts_with(crate::identity::TARGET_PREFIX));
    if is_identity {
        crate::identity::handle(state, headers, body).await
    } else {
        handle(State(state), method, uri, headers, body).await
    }
}

/// Handles one user-pool JSON 1.1 request. Admin operations must be signed
/// ([`admin_auth`]).
pub(crate) async fn handle(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let target = headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let result = match target.strip_prefix(TARGET_PREFIX) {
        Some(operation) => {
            state.count(operation);
            if admin_auth::is_admin(operation)
                && let Err(refused) =
                    admin_auth::authorize(&state, (&method, &uri, &headers, &body))
            {
                tracing::info!(
                    operation,
                    code = refused.code.as_str(),
                    "admin operation refused"
                );
                return json_response(Err(refused), &request_id, target);
            }
            let operation = operation.to_owned();
            let shared = Arc::clone(&state);
            // Password hashing and SRP arithmetic are CPU-bound; keep them
            // off the async workers.
            tokio::task::spawn_blocking(move || dispatch(&shared, &operation, &body))
                .await
                .unwrap_or_else(|error| Err(ApiError::internal(&error)))
        }
        None => Err(ApiError::new(
            ErrorCode::UnknownOperation,
            format!("Unknown operation {target:?}"),
        )),
    };
    json_response(result, &request_id, target)
}

/// The HTTP answer of a JSON 1.1 operation: the body with
/// `application/x-amz-json-1.1`, or a Cognito-shaped error.
pub(crate) fn json_response(
    result: Result<Value, ApiError>,
    request_id: &str,
    target: &str,
) -> Response {
    match result {
        Ok(body) => {
            let mut response = (StatusCode::OK, body.to_string()).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-amz-json-1.1"),
            );
            if let Ok(value) = HeaderValue::from_str(request_id) {
                headers.insert("x-amzn-RequestId", value);
            }
            response
        }
        Err(error) => {
            tracing::debug!(target, code = error.code.as_str(), message = %error.message, "request failed");
            error.into_response_with_id(request_id)
        }
    }
}

/// Routes an operation name to its handler.
fn dispatch(state: &AppState, operation: &str, body: &[u8]) -> Result<Value, ApiError> {
    match operation {
        "SignUp" => run(state, body, sign_up::sign_up),
        "ConfirmSignUp" => run(state, body, sign_up::confirm_sign_up),
        "ResendConfirmationCode" => run(state, body, sign_up::resend_confirmation_code),
        "AdminCreateUser" => run(state, body, admin::admin_create_user),
        "AdminSetUserPassword" => run(state, body, admin::admin_set_user_password),
        "AdminConfirmSignUp" => run(state, body, admin::admin_confirm_sign_up),
        "AdminGetUser" => run(state, body, admin::admin_get_user),
        "AdminDisableUser" => run(state, body, admin::admin_disable_user),
        "AdminEnableUser" => run(state, body, admin::admin_enable_user),
        "InitiateAuth" => run(state, body, auth::initiate_auth),
        "RespondToAuthChallenge" => run(state, body, challenge::respond_to_auth_challenge),
        "GetTokensFromRefreshToken" => run(state, body, refresh::get_tokens_from_refresh_token),
        "RevokeToken" => run(state, body, refresh::revoke_token),
        "GetUser" => run(state, body, session::get_user),
        "GlobalSignOut" => run(state, body, session::global_sign_out),
        "ForgotPassword" => run(state, body, forgot_password::forgot_password),
        "ConfirmForgotPassword" => run(state, body, forgot_password::confirm_forgot_password),
        "ChangePassword" => run(state, body, account::change_password),
        "DeleteUser" => run(state, body, account::delete_user),
        "UpdateUserAttributes" => run(state, body, user_attributes::update_user_attributes),
        "GetUserAttributeVerificationCode" => run(
            state,
            body,
            user_attributes::get_user_attribute_verification_code,
        ),
        "VerifyUserAttribute" => run(state, body, user_attributes::verify_user_attribute),
        "DeleteUserAttributes" => run(state, body, user_attributes::delete_user_attributes),
        "AssociateSoftwareToken" => run(state, body, software_token::associate_software_token),
        "VerifySoftwareToken" => run(state, body, software_token::verify_software_token),
        "SetUserMFAPreference" => run(state, body, mfa_preference::set_user_mfa_preference),
        "AdminSetUserMFAPreference" => {
            run(state, body, mfa_preference::admin_set_user_mfa_preference)
        }
        "CreateGroup" => run(state, body, groups::create_group),
        "GetGroup" => run(state, body, groups::get_group),
        "UpdateGroup" => run(state, body, groups::update_group),
        "DeleteGroup" => run(state, body, groups::delete_group),
        "ListGroups" => run(state, body, groups::list_groups),
        "AdminAddUserToGroup" => run(state, body, groups::admin_add_user_to_group),
        "AdminRemoveUserFromGroup" => run(state, body, groups::admin_remove_user_from_group),
        "AdminListGroupsForUser" => run(state, body, groups::admin_list_groups_for_user),
        "ListUsersInGroup" => run(state, body, groups::list_users_in_group),
        other => Err(ApiError::new(
            ErrorCode::UnknownOperation,
            format!("Unknown operation {other}"),
        )),
    }
}

/// Parses the body and calls the handler. Malformed JSON is a
/// `SerializationException`; a well-formed body with missing or mistyped
/// fields is an `InvalidParameterException`.
pub(crate) fn run<T: DeserializeOwned>(
    state: &AppState,
    body: &[u8],
    handler: fn(&AppState, T) -> Result<Value, ApiError>,
) -> Result<Value, ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|error| {
        ApiError::new(
            ErrorCode::Serialization,
            format!("The request body is not valid JSON: {error}"),
        )
    })?;
    if !value.is_object() {
        return Err(ApiError::new(
            ErrorCode::Serialization,
            "The request body must be a JSON object",
        ));
    }
    let request = serde_json::from_value(value).map_err(|error| {
        ApiError::new(
            ErrorCode::InvalidParameter,
            format!("1 validation error detected: {error}"),
        )
    })?;
    handler(state, request)
}
