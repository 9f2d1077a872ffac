//! CUSTOM_AUTH with amplify-local's built-in challenge. Cognito runs Lambda
//! triggers to define custom challenges; amplify-local has none, so its
//! CUSTOM_AUTH always asks one CUSTOM_CHALLENGE: a 6-digit one-time code,
//! logged (and readable with [`crate::LocalBackend::mfa_code`]) as the
//! other codes are. The answer is the code (`ANSWER`); a wrong answer gets
//! the challenge again with a new `Session`, up to three times, then
//! "Incorrect username or password.". CUSTOM_AUTH without a password is
//! what amplify's `CUSTOM_WITHOUT_SRP` flow sends; SRP_A is not taken.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::auth::parameter;
use super::common::{delivery, new_code, same_code};
use super::flow::{self, MAX_FAILURES};
use super::mfa_answers::Answer;
use crate::api_error::{ApiError, ErrorCode};
use crate::attempts::{Attempt, Guess};
use crate::db::{ChallengeRecord, UserStatus};
use crate::ids;
use crate::state::AppState;
use crate::tokens::sign_in_result;

const CHALLENGE: &str = "CUSTOM_CHALLENGE";

fn challenge(
    state: &AppState,
    client_id: &str,
    username: &str,
    code: String,
    failures: u32,
) -> Result<Value, ApiError> {
    let session = ids::opaque_token(96).map_err(|e| ApiError::internal(&e))?;
    let now = state.now();
    state.store.insert_challenge(
        &ids::sha256_hex(&session),
        &ChallengeRecord {
            username: username.to_owned(),
            challenge: CHALLENGE.to_owned(),
            code: Some(code),
            setup_email: None,
            client_id: client_id.to_owned(),
            failures,
            expires_at: now + flow::SESSION_TTL_SECS,
        },
        now,
    )?;
    let destination = match state.store.user(username)? {
        Some(user) => delivery(&user, "email")["Destination"].clone(),
        None => json!(super::common::mask_email(&format!(
            "{username}@example.com"
        ))),
    };
    Ok(json!({
        "ChallengeName": CHALLENGE,
        "Session": session,
        "ChallengeParameters": {
            "USERNAME": username,
            "USER_ID_FOR_SRP": username,
            "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL",
            "CODE_DELIVERY_DESTINATION": destination,
        },
    }))
}

/// `InitiateAuth` with `CUSTOM_AUTH`. An unknown user gets a challenge that
/// no answer passes, so the flow tells nothing about who exists.
pub(super) fn start(
    state: &AppState,
    client_id: &str,
    parameters: &HashMap<String, String>,
) -> Result<Value, ApiError> {
    let username = parameter(parameters, "USERNAME")?;
    if parameters.contains_key("SRP_A") {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "amplify-local's built-in CUSTOM_AUTH challenge does not start with SRP: leave SRP_A \
             out (amplify's CUSTOM_WITHOUT_SRP flow)",
        ));
    }
    let code = new_code()?;
    match state.store.user(username)? {
        Some(user) if user.enabled && user.status == UserStatus::Confirmed => {
            tracing::info!(username, code = %code, "custom challenge code (amplify-local's built-in CUSTOM_CHALLENGE)");
        }
        Some(user) if user.status == UserStatus::Unconfirmed => {
            return Err(ApiError::new(
                ErrorCode::UserNotConfirmed,
                "User is not confirmed.",
            ));
        }
        _ => {}
    }
    challenge(state, client_id, username, code, 0)
}

/// `RespondToAuthChallenge` with `CUSTOM_CHALLENGE`.
pub(super) fn answer(state: &AppState, answer: &Answer<'_>) -> Result<Value, ApiError> {
    let username = parameter(answer.responses, "USERNAME")?;
    let given = parameter(answer.responses, "ANSWER")?;
    let (key, pending) = flow::open_session(
        state,
        answer.session,
        Some(username),
        &[CHALLENGE],
        Some(answer.client_id),
    )?;
    // CUSTOM_AUTH asks no password: without a count per user, new sessions
    // would give unlimited tries at the code.
    let attempt = Attempt::start(state, Guess::Code, &pending.username)?;
    if let Err(error) = flow::consume(state, &key) {
        attempt.withdraw()?;
        return Err(error);
    }
    let user = state
        .store
        .user(&pending.username)?
        .filter(|user| user.enabled && user.status == UserStatus::Confirmed);
    let expected = pending.code.unwrap_or_default();
    match user {
        Some(user) if same_code(&expected, given) => {
            attempt.succeeded()?;
            sign_in_result(state, &user)
        }
        _ if pending.failures + 1 < MAX_FAILURES => challenge(
            state,
            &pending.client_id,
            &pending.username,
            expected,
            pending.failures + 1,
        ),
        _ => Err(ApiError::bad_credentials()),
    }
}
