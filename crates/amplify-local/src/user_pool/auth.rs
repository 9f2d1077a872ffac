//! InitiateAuth: USER_PASSWORD_AUTH, USER_SRP_AUTH, REFRESH_TOKEN_AUTH.

use std::collections::HashMap;

use amplify_srp::{ServerChallenge, SrpVerifier};
use serde::Deserialize;
use serde_json::{Value, json};

use super::common::check_client;
use super::refresh::refresh_tokens;
use crate::api_error::{ApiError, ErrorCode};
use crate::attempts::{Attempt, Guess};
use crate::db::{SrpChallengeRecord, UserRecord, UserStatus};
use crate::ids;
use crate::state::AppState;

/// Pending SRP exchanges (USER_SRP_AUTH until PASSWORD_VERIFIER) expire
/// after 5 minutes; challenge sessions expire after
/// [`super::flow::SESSION_TTL_SECS`].
pub(super) const CHALLENGE_TTL_SECS: i64 = 300;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct InitiateAuthRequest {
    auth_flow: String,
    client_id: String,
    #[serde(default)]
    auth_parameters: HashMap<String, String>,
}

pub(super) fn parameter<'a>(
    parameters: &'a HashMap<String, String>,
    name: &str,
) -> Result<&'a str, ApiError> {
    parameters
        .get(name)
        .map(String::as_str)
        .filter(|value| !value.is_empty())
        .ok_or_else(|| ApiError::missing(name))
}

/// `InitiateAuth`.
pub(super) fn initiate_auth(
    state: &AppState,
    request: InitiateAuthRequest,
) -> Result<Value, ApiError> {
    check_client(state, &request.client_id)?;
    let parameters = &request.auth_parameters;
    match request.auth_flow.as_str() {
        "USER_PASSWORD_AUTH" => {
            let username = parameter(parameters, "USERNAME")?;
            let password = parameter(parameters, "PASSWORD")?;
            let Some(user) = user_with_password(state, username, password)? else {
                return Err(ApiError::bad_credentials());
            };
            after_password_proof(state, &request.client_id, user)
        }
        "CUSTOM_AUTH" => super::custom_auth::start(state, &request.client_id, parameters),
        "USER_SRP_AUTH" => {
            let username = parameter(parameters, "USERNAME")?;
            let srp_a = parameter(parameters, "SRP_A")?;
            start_srp(state, username, srp_a)
        }
        "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
            if state.options.rotate_refresh_tokens {
                return Err(ApiError::new(
                    ErrorCode::NotAuthorized,
                    "Refresh token rotation is enabled for this client; use GetTokensFromRefreshToken.",
                ));
            }
            let token = parameter(parameters, "REFRESH_TOKEN")?;
            refresh_tokens(state, token, false)
        }
        other => Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("Unsupported AuthFlow {other}"),
        )),
    }
}

/// The user, if `password` is theirs (USER_PASSWORD_AUTH's check, also used
/// by the managed login form). Status checks are the caller's. An unknown
/// user costs the same hash check as a known one ([`crate::decoy`]), and
/// both are subject to the attempt limits ([`crate::attempts`]): during a
/// lockout, `NotAuthorizedException` "Password attempts exceeded".
pub(crate) fn user_with_password(
    state: &AppState,
    username: &str,
    password: &str,
) -> Result<Option<UserRecord>, ApiError> {
    let attempt = Attempt::start(state, Guess::Password, username)?;
    let user = state.store.user(username)?;
    let stored: &str = match &user {
        Some(user) => &user.password_hash,
        None => crate::decoy::password_hash(),
    };
    let matches = state.password_matches(password, stored);
    match user.filter(|user| matches && user.status != UserStatus::ExternalProvider) {
        Some(user) => {
            attempt.succeeded()?;
            Ok(Some(user))
        }
        None => Ok(None),
    }
}

/// What happens once a user has proven their password: status checks, then
/// tokens or a NEW_PASSWORD_REQUIRED challenge.
pub(super) fn after_password_proof(
    state: &AppState,
    client_id: &str,
    user: UserRecord,
) -> Result<Value, ApiError> {
    if !user.enabled {
        return Err(ApiError::new(ErrorCode::NotAuthorized, "User is disabled."));
    }
    match user.status {
        UserStatus::Unconfirmed => Err(ApiError::new(
            ErrorCode::UserNotConfirmed,
            "User is not confirmed.",
        )),
        UserStatus::ForceChangePassword => new_password_challenge(state, client_id, &user),
        UserStatus::Confirmed => super::flow::after_first_factor(state, client_id, &user),
        UserStatus::ExternalProvider => Err(ApiError::bad_credentials()),
    }
}

/// The SRP verifier of a user (and the user), or the decoy verifier of an
/// unknown user.
pub(super) fn srp_verifier_of(
    state: &AppState,
    username: &str,
) -> Result<(SrpVerifier, Option<UserRecord>), ApiError> {
    let user = state.store.user(username)?;
    let verifier = match &user {
        Some(user) => SrpVerifier::from_hex(&user.srp_salt, &user.srp_verifier)
            .map_err(|e| ApiError::internal(&e))?,
        None => state.decoys.srp_verifier(username)?,
    };
    Ok((verifier, user))
}

/// The attributes the pool requires (`email`) that a user lacks, as
/// NEW_PASSWORD_REQUIRED names them (`userAttributes.email`).
pub(crate) fn missing_required(user: &UserRecord) -> Vec<String> {
    ["email"]
        .into_iter()
        .filter(|name| user.attribute(name).is_none_or(str::is_empty))
        .map(|name| format!("userAttributes.{name}"))
        .collect()
}

/// The NEW_PASSWORD_REQUIRED challenge of a user with a temporary password.
pub(crate) fn new_password_challenge(
    state: &AppState,
    client_id: &str,
    user: &UserRecord,
) -> Result<Value, ApiError> {
    let session = super::flow::new_session(
        state,
        client_id,
        &user.username,
        "NEW_PASSWORD_REQUIRED",
        None,
    )?;
    let attributes: serde_json::Map<String, Value> = user
        .attributes
        .iter()
        .filter(|(name, _)| name != "sub")
        .map(|(name, value)| (name.clone(), json!(value)))
        .collect();
    Ok(super::flow::challenge_json(
        "NEW_PASSWORD_REQUIRED",
        &session,
        user,
        [
            (
                "requiredAttributes",
                json!(json!(missing_required(user)).to_string()),
            ),
            (
                "userAttributes",
                json!(Value::Object(attributes).to_string()),
            ),
        ],
    ))
}

/// Starts an SRP exchange. For an unknown user, a decoy challenge is issued
/// (as Cognito does with user-existence errors prevented), with the stable
/// salt such a user would have ([`crate::decoy`]), and the answer will fail
/// with "Incorrect username or password.".
fn start_srp(state: &AppState, username: &str, srp_a: &str) -> Result<Value, ApiError> {
    let invalid_a = || ApiError::new(ErrorCode::InvalidParameter, "SRP_A is not a valid value");
    if srp_a.len() > 2048 || amplify_srp::check_client_public_value(srp_a).is_err() {
        return Err(invalid_a());
    }
    let (verifier, _) = srp_verifier_of(state, username)?;
    let challenge = ServerChallenge::start(&verifier).map_err(|e| ApiError::internal(&e))?;
    let secret_block = {
        let mut bytes = vec![0u8; 128];
        ids::fill_random(&mut bytes).map_err(|e| ApiError::internal(&e))?;
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    };
    let now = state.now();
    state.store.insert_srp_challenge(
        &ids::sha256_hex(&secret_block),
        &SrpChallengeRecord {
            username: username.to_owned(),
            secret_b: challenge.secret_b_hex(),
            srp_a: srp_a.to_owned(),
            expires_at: now + CHALLENGE_TTL_SECS,
        },
        now,
    )?;
    Ok(json!({
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeParameters": {
            "SALT": verifier.salt_hex(),
            "SRP_B": challenge.public_b_hex(),
            "SECRET_BLOCK": secret_block,
            "USER_ID_FOR_SRP": username,
            "USERNAME": username,
        },
    }))
}
