//! RespondToAuthChallenge: PASSWORD_VERIFIER and NEW_PASSWORD_REQUIRED here;
//! the second factor in [`super::mfa_answers`], CUSTOM_CHALLENGE in
//! [`super::custom_auth`].

use std::collections::HashMap;

use amplify_srp::{PasswordClaim, ServerChallenge};
use serde::Deserialize;
use serde_json::Value;

use super::attributes::{self, Writer};
use super::auth::{after_password_proof, srp_verifier_of};
use super::common::{check_client, check_password};
use super::flow::{Next, invalid_session};
use super::mfa_answers;
use crate::MfaFactor;
use crate::api_error::{ApiError, ErrorCode};
use crate::attempts::{Attempt, Guess};
use crate::db::UserStatus;
use crate::ids;
use crate::state::AppState;
use crate::users::password_material;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RespondRequest {
    challenge_name: String,
    client_id: String,
    #[serde(default)]
    challenge_responses: HashMap<String, String>,
    #[serde(default)]
    session: Option<String>,
}

fn response<'a>(responses: &'a HashMap<String, String>, name: &str) -> Result<&'a str, ApiError> {
    responses
        .get(name)
        .map(String::as_str)
        .filter(|value| !value.is_empty())
        .ok_or_else(|| ApiError::missing(name))
}

/// `RespondToAuthChallenge`.
pub(super) fn respond_to_auth_challenge(
    state: &AppState,
    request: RespondRequest,
) -> Result<Value, ApiError> {
    check_client(state, &request.client_id)?;
    match request.challenge_name.as_str() {
        "PASSWORD_VERIFIER" => {
            password_verifier(state, &request.client_id, &request.challenge_responses)
        }
        "CUSTOM_CHALLENGE" => super::custom_auth::answer(state, &answer(&request)),
        name => answer_challenge(
            state,
            &request.client_id,
            name,
            request.session.as_deref(),
            &request.challenge_responses,
        )?
        .into_json(state),
    }
}

/// Answers a challenge that follows the password (NEW_PASSWORD_REQUIRED and
/// the second factor): the JSON API's and managed login's shared step.
pub(crate) fn answer_challenge(
    state: &AppState,
    client_id: &str,
    name: &str,
    session: Option<&str>,
    responses: &HashMap<String, String>,
) -> Result<Next, ApiError> {
    let answer = mfa_answers::Answer {
        responses,
        session,
        client_id,
    };
    match name {
        "NEW_PASSWORD_REQUIRED" => new_password(state, client_id, responses, session),
        "SMS_MFA" | "EMAIL_OTP" | "SOFTWARE_TOKEN_MFA" => {
            let factor = MfaFactor::from_challenge_name(name)
                .ok_or_else(|| ApiError::internal(&"factor of a factor challenge"))?;
            mfa_answers::factor_code(state, factor, &answer)
        }
        "SELECT_MFA_TYPE" => mfa_answers::select_mfa_type(state, &answer),
        "MFA_SETUP" => mfa_answers::mfa_setup(state, &answer),
        other => Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("Unsupported ChallengeName {other}"),
        )),
    }
}

fn answer(request: &RespondRequest) -> mfa_answers::Answer<'_> {
    mfa_answers::Answer {
        responses: &request.challenge_responses,
        session: request.session.as_deref(),
        client_id: &request.client_id,
    }
}

fn password_verifier(
    state: &AppState,
    client_id: &str,
    responses: &HashMap<String, String>,
) -> Result<Value, ApiError> {
    let username = response(responses, "USERNAME")?;
    let secret_block = response(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
    let signature = response(responses, "PASSWORD_CLAIM_SIGNATURE")?;
    let timestamp = response(responses, "TIMESTAMP")?;

    // The secret block is 128 random bytes we issued; only its hash is
    // stored, so it cannot be forged, and each one is usable once.
    let Some(pending) = state
        .store
        .take_srp_challenge(&ids::sha256_hex(secret_block))?
    else {
        return Err(ApiError::bad_credentials());
    };
    if pending.expires_at < state.now() || pending.username != username {
        return Err(ApiError::bad_credentials());
    }
    // Unknown users get the same checks, against their decoy verifier.
    let attempt = Attempt::start(state, Guess::Password, &pending.username)?;
    let (verifier, user) = srp_verifier_of(state, &pending.username)?;
    let server = ServerChallenge::restore(&verifier, &pending.secret_b)
        .map_err(|e| ApiError::internal(&e))?;
    let claim = PasswordClaim {
        pool_name: state.pool_name(),
        user_id_for_srp: &pending.username,
        srp_a_hex: &pending.srp_a,
        secret_block_b64: secret_block,
        timestamp,
        signature_b64: signature,
    };
    state.count_password_check();
    let proven = server.verify(&verifier, &claim);
    let Some(user) = user.filter(|_| proven.is_ok()) else {
        if let Err(error) = proven {
            tracing::debug!(username = %pending.username, %error, "SRP password claim rejected");
        }
        return Err(ApiError::bad_credentials());
    };
    attempt.succeeded()?;
    after_password_proof(state, client_id, user)
}

fn new_password(
    state: &AppState,
    client_id: &str,
    responses: &HashMap<String, String>,
    session: Option<&str>,
) -> Result<Next, ApiError> {
    let username = response(responses, "USERNAME")?;
    let new_password = response(responses, "NEW_PASSWORD")?;
    // Checked before the session is used up, so a typo costs nothing.
    let new_attributes: Vec<(&str, &str)> = responses
        .iter()
        .filter_map(|(key, value)| {
            key.strip_prefix("userAttributes.")
                .map(|name| (name, value.as_str()))
        })
        .collect();
    for (name, value) in &new_attributes {
        attributes::check(state, name, value, Writer::User)?;
    }
    let (key, pending) = super::flow::open_session(
        state,
        session,
        Some(username),
        &["NEW_PASSWORD_REQUIRED"],
        Some(client_id),
    )?;
    let Some(mut user) = state.store.user(&pending.username)? else {
        return Err(invalid_session());
    };
    // Disabled since the password step (AdminDisableUser): the session gives nothing any more.
    if !user.enabled {
        return Err(ApiError::new(ErrorCode::NotAuthorized, "User is disabled."));
    }
    if user.status != UserStatus::ForceChangePassword {
        return Err(invalid_session());
    }
    let missing: Vec<String> = super::auth::missing_required(&user)
        .into_iter()
        .filter(|name| !responses.contains_key(name))
        .collect();
    if let Some(name) = missing.first() {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!(
                "Invalid attributes given, {} is missing",
                name.trim_start_matches("userAttributes.")
            ),
        ));
    }
    // A weak password uses the session up, as in Cognito.
    super::flow::consume(state, &key)?;
    check_password(new_password)?;
    let material = password_material(state.pool_name(), &user.username, new_password)?;
    user.password_hash = material.hash;
    user.srp_salt = material.srp_salt;
    user.srp_verifier = material.srp_verifier;
    user.status = UserStatus::Confirmed;
    for (name, value) in new_attributes {
        user.set_attribute(name, value);
    }
    user.updated_at = state.now();
    state.store.update_user(&user)?;
    super::flow::next_after_first_factor(state, client_id, &user)
}
