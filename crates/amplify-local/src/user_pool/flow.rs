//! What follows a proven password: challenge sessions and the choice of a
//! second factor (SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE,
//! MFA_SETUP), as Cognito decides them from the pool's MFA mode and the
//! user's settings.
//!
//! A `Session` is 96 random bytes; only its hash is stored. It expires after
//! [`SESSION_TTL_SECS`] by the backend's clock, works for one right answer,
//! and is dropped after [`MAX_FAILURES`] wrong ones.

use serde_json::{Map, Value, json};

use super::common::{delivery, mask_email, new_code};
use crate::api_error::{ApiError, ErrorCode};
use crate::db::{ChallengeRecord, MfaRecord, UserRecord};
use crate::ids;
use crate::state::AppState;
use crate::tokens::sign_in_result;
use crate::{MfaFactor, MfaMode};

/// Challenge sessions expire after 3 minutes, as Cognito's do.
pub(super) const SESSION_TTL_SECS: i64 = 180;
/// Wrong answers a session takes before it is dropped.
pub(super) const MAX_FAILURES: u32 = 3;
/// The marker of an MFA_SETUP session whose TOTP was verified.
pub(super) const SETUP_DONE: &str = "setup:verified";

/// Cognito's answer to a missing, expired, used-up or foreign session.
pub(super) fn invalid_session() -> ApiError {
    ApiError::new(
        ErrorCode::NotAuthorized,
        "Invalid session for the user, session is expired.",
    )
}

/// Cognito's answer to a wrong MFA code.
pub(super) fn code_mismatch() -> ApiError {
    ApiError::new(
        ErrorCode::CodeMismatch,
        "Invalid code or auth state for the user.",
    )
}

/// Starts a challenge session; returns the `Session` value.
pub(super) fn new_session(
    state: &AppState,
    client_id: &str,
    username: &str,
    challenge: &str,
    code: Option<String>,
) -> Result<String, ApiError> {
    insert_session(state, client_id, username, challenge, code, None)
}

fn insert_session(
    state: &AppState,
    client_id: &str,
    username: &str,
    challenge: &str,
    code: Option<String>,
    setup_email: Option<String>,
) -> Result<String, ApiError> {
    let session = ids::opaque_token(96).map_err(|e| ApiError::internal(&e))?;
    let now = state.now();
    state.store.insert_challenge(
        &ids::sha256_hex(&session),
        &ChallengeRecord {
            username: username.to_owned(),
            challenge: challenge.to_owned(),
            code,
            setup_email,
            client_id: client_id.to_owned(),
            failures: 0,
            expires_at: now + SESSION_TTL_SECS,
        },
        now,
    )?;
    Ok(session)
}

/// A live session of one of `challenge` (any challenge when empty), and its key. `username`, when given, must
/// be the session's (Cognito checks the answer's USERNAME); so must
/// `client_id`, the app client answering (a session started with one client
/// is not answered with another).
pub(super) fn open_session(
    state: &AppState,
    session: Option<&str>,
    username: Option<&str>,
    challenge: &[&str],
    client_id: Option<&str>,
) -> Result<(String, ChallengeRecord), ApiError> {
    let session = session
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::missing("Session"))?;
    let key = ids::sha256_hex(session);
    let Some(record) = state.store.challenge(&key)? else {
        return Err(invalid_session());
    };
    if record.expires_at < state.now() {
        state.store.delete_challenge(&key)?;
        return Err(invalid_session());
    }
    if (!challenge.is_empty() && !challenge.contains(&record.challenge.as_str()))
        || username.is_some_and(|name| name != record.username)
        || client_id.is_some_and(|client| client != record.client_id)
    {
        return Err(invalid_session());
    }
    Ok((key, record))
}

/// The user of a live session, whatever its challenge: managed login's
/// challenge pages take the username from here, never from the form.
pub(crate) fn session_username(state: &AppState, session: &str) -> Result<String, ApiError> {
    Ok(open_session(state, Some(session), None, &[], None)?
        .1
        .username)
}

/// Counts an answer as a wrong one before it is checked; returns the
/// failures so far. A session past [`MAX_FAILURES`] is dropped and refused.
pub(super) fn claim_try(state: &AppState, key: &str) -> Result<u32, ApiError> {
    match state.store.claim_challenge_try(key, MAX_FAILURES)? {
        Some(failures) => Ok(failures),
        None => {
            state.store.delete_challenge(key)?;
            Err(invalid_session())
        }
    }
}

/// After a wrong answer counted by [`claim_try`]: the session is dropped
/// at the limit.
pub(super) fn after_wrong(state: &AppState, key: &str, failures: u32) -> Result<(), ApiError> {
    if failures >= MAX_FAILURES {
        state.store.delete_challenge(key)?;
    }
    Ok(())
}

/// Uses a session up; a session answered twice at once works once.
pub(super) fn consume(state: &AppState, key: &str) -> Result<(), ApiError> {
    if state.store.delete_challenge(key)? {
        Ok(())
    } else {
        Err(invalid_session())
    }
}

/// The factors a user can be challenged with now: enabled by the pool and
/// the user, with the needed attribute or secret. With MFA required and
/// none enabled, a user with a phone number gets SMS, as in Cognito.
pub(super) fn usable_factors(
    state: &AppState,
    user: &UserRecord,
    mfa: &MfaRecord,
) -> Vec<MfaFactor> {
    let options = state.options();
    let has = |factor: MfaFactor| match factor {
        MfaFactor::Sms => user.attribute("phone_number").is_some(),
        MfaFactor::Email => user.attribute("email").is_some(),
        MfaFactor::Totp => mfa.totp_secret.is_some(),
    };
    let mut factors: Vec<MfaFactor> = MfaFactor::ALL
        .into_iter()
        .filter(|f| options.mfa_allows(*f) && mfa.enabled(*f) && has(*f))
        .collect();
    if factors.is_empty() && options.mfa == MfaMode::Required && options.mfa_allows(MfaFactor::Sms)
    {
        factors.extend(Some(MfaFactor::Sms).filter(|f| has(*f)));
    }
    factors
}

/// The factors MFA_SETUP offers (Cognito sets up TOTP and email at sign-in).
fn setup_factors(state: &AppState) -> Vec<&'static str> {
    [MfaFactor::Totp, MfaFactor::Email]
        .into_iter()
        .filter(|f| state.options().mfa_allows(*f))
        .map(MfaFactor::challenge_name)
        .collect()
}

/// What comes next in a sign-in: it is done (the JSON API issues tokens,
/// managed login redirects with a code), or a challenge is asked.
#[derive(Debug)]
pub(crate) enum Next {
    /// The user is signed in.
    SignedIn(Box<UserRecord>),
    /// A challenge: `ChallengeName`, `Session`, `ChallengeParameters`.
    Challenge(Value),
}

impl Next {
    /// The JSON API's answer.
    pub(super) fn into_json(self, state: &AppState) -> Result<Value, ApiError> {
        match self {
            Self::SignedIn(user) => sign_in_result(state, &user),
            Self::Challenge(body) => Ok(body),
        }
    }
}

/// The JSON answer after the first factor: tokens, or the next challenge.
pub(super) fn after_first_factor(
    state: &AppState,
    client_id: &str,
    user: &UserRecord,
) -> Result<Value, ApiError> {
    next_after_first_factor(state, client_id, user)?.into_json(state)
}

/// What follows the first factor.
pub(crate) fn next_after_first_factor(
    state: &AppState,
    client_id: &str,
    user: &UserRecord,
) -> Result<Next, ApiError> {
    let done = || Ok(Next::SignedIn(Box::new(user.clone())));
    if state.options().mfa == MfaMode::Off {
        return done();
    }
    let mfa = state.store.mfa(&user.username)?;
    let factors = usable_factors(state, user, &mfa);
    let chosen = match factors.as_slice() {
        [] if state.options().mfa == MfaMode::Required => {
            let can_setup = setup_factors(state);
            let session = new_session(state, client_id, &user.username, "MFA_SETUP", None)?;
            return Ok(Next::Challenge(challenge_json(
                "MFA_SETUP",
                &session,
                user,
                [("MFAS_CAN_SETUP", json!(json!(can_setup).to_string()))],
            )));
        }
        [] => return done(),
        [only] => *only,
        several => match mfa.preferred.filter(|p| several.contains(p)) {
            Some(preferred) => preferred,
            None => {
                let names: Vec<&str> = several.iter().map(|f| f.challenge_name()).collect();
                let session =
                    new_session(state, client_id, &user.username, "SELECT_MFA_TYPE", None)?;
                return Ok(Next::Challenge(challenge_json(
                    "SELECT_MFA_TYPE",
                    &session,
                    user,
                    [("MFAS_CAN_CHOOSE", json!(json!(names).to_string()))],
                )));
            }
        },
    };
    factor_challenge(state, client_id, user, chosen).map(Next::Challenge)
}

/// The code a live session expects (SMS, email), for the managed-login
/// page that shows it.
pub(crate) fn session_code(state: &AppState, session: &str) -> Result<Option<String>, ApiError> {
    Ok(state
        .store
        .challenge(&ids::sha256_hex(session))?
        .filter(|record| record.expires_at >= state.now())
        .and_then(|record| record.code)
        .filter(|code| code.bytes().all(|b| b.is_ascii_digit())))
}

/// Issues the challenge of one factor (with a fresh code for SMS and email,
/// logged: nothing is sent).
pub(super) fn factor_challenge(
    state: &AppState,
    client_id: &str,
    user: &UserRecord,
    factor: MfaFactor,
) -> Result<Value, ApiError> {
    let name = factor.challenge_name();
    if factor == MfaFactor::Totp {
        let session = new_session(state, client_id, &user.username, name, None)?;
        return Ok(challenge_json(name, &session, user, []));
    }
    let attribute = if factor == MfaFactor::Sms {
        "phone_number"
    } else {
        "email"
    };
    let code = new_code()?;
    tracing::info!(username = %user.username, challenge = name, code = %code,
        "sign-in code (amplify-local does not send SMS or email)");
    let session = new_session(state, client_id, &user.username, name, Some(code))?;
    let sent = delivery(user, attribute);
    Ok(challenge_json(
        name,
        &session,
        user,
        [
            (
                "CODE_DELIVERY_DELIVERY_MEDIUM",
                sent["DeliveryMedium"].clone(),
            ),
            ("CODE_DELIVERY_DESTINATION", sent["Destination"].clone()),
        ],
    ))
}

/// The EMAIL_OTP challenge of an email MFA set-up: the code goes to
/// `email`, which the session keeps; the user is changed only when the code
/// is answered.
pub(super) fn email_setup_challenge(
    state: &AppState,
    client_id: &str,
    user: &UserRecord,
    email: &str,
) -> Result<Value, ApiError> {
    let name = MfaFactor::Email.challenge_name();
    let code = new_code()?;
    tracing::info!(username = %user.username, challenge = name, code = %code,
        "email MFA set-up code (amplify-local does not send email)");
    let session = insert_session(
        state,
        client_id,
        &user.username,
        name,
        Some(code),
        Some(email.to_owned()),
    )?;
    Ok(challenge_json(
        name,
        &session,
        user,
        [
            ("CODE_DELIVERY_DELIVERY_MEDIUM", json!("EMAIL")),
            ("CODE_DELIVERY_DESTINATION", json!(mask_email(email))),
        ],
    ))
}

/// A challenge answer: name, `Session` and `ChallengeParameters` (always
/// with `USER_ID_FOR_SRP`).
pub(super) fn challenge_json<const N: usize>(
    name: &str,
    session: &str,
    user: &UserRecord,
    parameters: [(&str, Value); N],
) -> Value {
    let mut map = Map::new();
    for (key, value) in parameters {
        map.insert(key.to_owned(), value);
    }
    map.insert("USER_ID_FOR_SRP".to_owned(), json!(user.username));
    json!({
        "ChallengeName": name,
        "Session": session,
        "ChallengeParameters": Value::Object(map),
    })
}
