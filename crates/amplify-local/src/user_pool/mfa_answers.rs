//! RespondToAuthChallenge for the second factor: SMS_MFA, EMAIL_OTP,
//! SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE and MFA_SETUP.

use std::collections::HashMap;

use super::attributes::{self, Writer};
use super::common::{required, same_code};
use super::flow::{self, Next, SETUP_DONE, code_mismatch, invalid_session};
use crate::MfaFactor;
use crate::api_error::{ApiError, ErrorCode};
use crate::attempts::{Attempt, Guess};
use crate::db::UserRecord;
use crate::state::AppState;

/// The responses and `Session` of one answer.
pub(super) struct Answer<'a> {
    pub(super) responses: &'a HashMap<String, String>,
    pub(super) session: Option<&'a str>,
    /// The app client answering.
    pub(super) client_id: &'a str,
}

impl Answer<'_> {
    fn get(&self, name: &str) -> Result<&str, ApiError> {
        required(self.responses.get(name).map(String::as_str), name)
    }
}

fn session_user(state: &AppState, username: &str) -> Result<UserRecord, ApiError> {
    state
        .store
        .user(username)?
        .filter(|user| user.enabled)
        .ok_or_else(invalid_session)
}

/// Checks a TOTP code against a secret at the backend's time, one step
/// either side, and uses its step up: a code never works twice.
pub(super) fn totp_matches(
    state: &AppState,
    username: &str,
    secret: &str,
    code: &str,
) -> Result<bool, ApiError> {
    let Some(step) = crate::totp::matching_step(secret, code, state.now()) else {
        return Ok(false);
    };
    Ok(state.store.use_totp_step(username, step)?)
}

/// `SMS_MFA`, `EMAIL_OTP` or `SOFTWARE_TOKEN_MFA`.
pub(super) fn factor_code(
    state: &AppState,
    factor: MfaFactor,
    answer: &Answer<'_>,
) -> Result<Next, ApiError> {
    let username = answer.get("USERNAME")?;
    let field = match factor {
        MfaFactor::Sms => "SMS_MFA_CODE",
        MfaFactor::Email => "EMAIL_OTP_CODE",
        MfaFactor::Totp => "SOFTWARE_TOKEN_MFA_CODE",
    };
    let code = answer.get(field)?;
    let (key, pending) = flow::open_session(
        state,
        answer.session,
        Some(username),
        &[factor.challenge_name()],
        Some(answer.client_id),
    )?;
    let user = session_user(state, &pending.username)?;
    // Counted before the answer is checked, per user (across sessions) and
    // per session, so that neither new sessions nor parallel answers add
    // tries.
    let attempt = Attempt::start(state, Guess::Code, &user.username)?;
    let failures = match flow::claim_try(state, &key) {
        Ok(failures) => failures,
        Err(error) => {
            attempt.withdraw()?;
            return Err(error);
        }
    };
    let right = match factor {
        MfaFactor::Totp => match state.store.mfa(&user.username)?.totp_secret {
            Some(secret) => totp_matches(state, &user.username, &secret, code)?,
            None => false,
        },
        _ => pending
            .code
            .as_deref()
            .is_some_and(|expected| same_code(expected, code)),
    };
    if !right {
        flow::after_wrong(state, &key, failures)?;
        return Err(code_mismatch());
    }
    flow::consume(state, &key)?;
    attempt.succeeded()?;
    let mut user = user;
    if let Some(email) = pending.setup_email.as_deref() {
        finish_email_setup(state, &mut user, email)?;
    }
    Ok(Next::SignedIn(Box::new(user)))
}

/// `SELECT_MFA_TYPE`: the chosen factor's challenge, with a new session.
pub(super) fn select_mfa_type(state: &AppState, answer: &Answer<'_>) -> Result<Next, ApiError> {
    let username = answer.get("USERNAME")?;
    let choice = answer.get("ANSWER")?;
    let (key, pending) = flow::open_session(
        state,
        answer.session,
        Some(username),
        &["SELECT_MFA_TYPE"],
        Some(answer.client_id),
    )?;
    let user = session_user(state, &pending.username)?;
    let mfa = state.store.mfa(&user.username)?;
    let usable = flow::usable_factors(state, &user, &mfa);
    let Some(factor) = MfaFactor::from_challenge_name(choice).filter(|f| usable.contains(f)) else {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!(
                "ANSWER must be one of MFAS_CAN_CHOOSE ({}), not {choice:?}",
                usable
                    .iter()
                    .map(|f| f.challenge_name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    };
    flow::consume(state, &key)?;
    flow::factor_challenge(state, &pending.client_id, &user, factor).map(Next::Challenge)
}

/// `MFA_SETUP`: after VerifySoftwareToken (with this session), tokens; with
/// an `EMAIL` response, email MFA is set up and an EMAIL_OTP challenge
/// follows.
pub(super) fn mfa_setup(state: &AppState, answer: &Answer<'_>) -> Result<Next, ApiError> {
    let username = answer.get("USERNAME")?;
    let (key, pending) = flow::open_session(
        state,
        answer.session,
        Some(username),
        &["MFA_SETUP"],
        Some(answer.client_id),
    )?;
    let user = session_user(state, &pending.username)?;
    if pending.code.as_deref() == Some(SETUP_DONE) {
        flow::consume(state, &key)?;
        return Ok(Next::SignedIn(Box::new(user)));
    }
    let Some(email) = answer
        .responses
        .get("EMAIL")
        .filter(|email| !email.is_empty())
    else {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "MFA_SETUP needs a set-up factor: verify a TOTP code with VerifySoftwareToken \
             (AssociateSoftwareToken with this Session first), or answer with EMAIL",
        ));
    };
    if !state.options().mfa_allows(MfaFactor::Email) {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "Email MFA is not enabled for this user pool (start amplify-local with --mfa-factors \
             including email)",
        ));
    }
    attributes::check(state, "email", email, Writer::User)?;
    flow::consume(state, &key)?;
    flow::email_setup_challenge(state, &pending.client_id, &user, email).map(Next::Challenge)
}

/// The right EMAIL_OTP code of an email MFA set-up: the address it went to
/// becomes the user's (verified), and email MFA is enabled.
fn finish_email_setup(
    state: &AppState,
    user: &mut UserRecord,
    email: &str,
) -> Result<(), ApiError> {
    user.set_attribute("email", email);
    user.set_attribute("email_verified", "true");
    user.updated_at = state.now();
    state.store.update_user(user)?;
    let mut mfa = state.store.mfa(&user.username)?;
    mfa.set_enabled(MfaFactor::Email, true);
    mfa.preferred.get_or_insert(MfaFactor::Email);
    state.store.save_mfa(&user.username, &mfa)?;
    Ok(())
}
