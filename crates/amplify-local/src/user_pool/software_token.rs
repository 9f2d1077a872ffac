//! AssociateSoftwareToken and VerifySoftwareToken: setting up TOTP, either
//! while signed in (`AccessToken`) or during sign-in (`Session` of an
//! MFA_SETUP challenge).

use serde::Deserialize;
use serde_json::{Value, json};

use super::flow::{self, SETUP_DONE};
use super::mfa_answers::totp_matches;
use super::session::user_access;
use crate::MfaFactor;
use crate::api_error::{ApiError, ErrorCode};
use crate::attempts::{Attempt, Guess};
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AssociateRequest {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    session: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct VerifyRequest {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    session: Option<String>,
    user_code: String,
    #[serde(default)]
    #[allow(dead_code)]
    friendly_device_name: Option<String>,
}

/// Whose token is being set up: a signed-in user, or the user of an
/// MFA_SETUP session (whose session is used up and replaced).
enum Setter {
    Signed(String),
    /// The user and app client of an MFA_SETUP session.
    Session(String, String),
}

fn setter(
    state: &AppState,
    access_token: Option<&str>,
    session: Option<&str>,
) -> Result<Setter, ApiError> {
    match (access_token.filter(|t| !t.is_empty()), session) {
        (Some(_), Some(_)) => Err(both()),
        (Some(token), None) => Ok(Setter::Signed(user_access(state, token)?.username)),
        (None, Some(session)) => {
            let (key, pending) =
                flow::open_session(state, Some(session), None, &["MFA_SETUP"], None)?;
            flow::consume(state, &key)?;
            Ok(Setter::Session(pending.username, pending.client_id))
        }
        (None, None) => Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "Give either AccessToken (a signed-in user) or Session (an MFA_SETUP challenge)",
        )),
    }
}

/// Cognito takes an access token or a session, not both.
fn both() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidParameter,
        "Give either AccessToken or Session, not both",
    )
}

fn not_allowed() -> ApiError {
    ApiError::new(
        ErrorCode::SoftwareTokenMfaNotFound,
        "Software Token MFA has not been enabled by the userPool. (Start amplify-local with --mfa \
         optional or required and --mfa-factors including totp.)",
    )
}

/// `AssociateSoftwareToken`: a new secret, pending until verified.
pub(super) fn associate_software_token(
    state: &AppState,
    request: AssociateRequest,
) -> Result<Value, ApiError> {
    let setter = setter(
        state,
        request.access_token.as_deref(),
        request.session.as_deref(),
    )?;
    let username = match &setter {
        Setter::Signed(name) | Setter::Session(name, _) => name,
    };
    if !state.options().mfa_allows(MfaFactor::Totp) {
        return Err(not_allowed());
    }
    let secret = crate::totp::new_secret().map_err(|e| ApiError::internal(&e))?;
    let mut mfa = state.store.mfa(username)?;
    mfa.totp_pending = Some(secret.clone());
    state.store.save_mfa(username, &mfa)?;
    // The secret itself is never logged: it is in the answer only.
    tracing::info!(username = %username, "TOTP secret associated");
    let mut body = json!({ "SecretCode": secret });
    if let Setter::Session(_, client_id) = &setter {
        body["Session"] = json!(flow::new_session(
            state,
            client_id,
            username,
            "MFA_SETUP",
            None
        )?);
    }
    Ok(body)
}

/// `VerifySoftwareToken`: the pending secret becomes the user's. During
/// sign-in it is enabled and preferred at once; a signed-in user enables
/// it with SetUserMFAPreference, as in Cognito.
pub(super) fn verify_software_token(
    state: &AppState,
    request: VerifyRequest,
) -> Result<Value, ApiError> {
    let access_token = request.access_token.as_deref();
    let session = request.session.as_deref();
    // Read first, so that a wrong code leaves a sign-in session usable.
    let username = match (access_token.filter(|t| !t.is_empty()), session) {
        (Some(_), Some(_)) => return Err(both()),
        (Some(token), None) => user_access(state, token)?.username,
        (None, Some(session)) => {
            flow::open_session(state, Some(session), None, &["MFA_SETUP"], None)?
                .1
                .username
        }
        (None, None) => return setter(state, None, None).map(|_| json!({})),
    };
    let mut mfa = state.store.mfa(&username)?;
    let Some(secret) = mfa.totp_pending.clone() else {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "No software token is being set up: call AssociateSoftwareToken first",
        ));
    };
    // A signed-in caller's guesses count towards the lockout; a sign-in
    // session's are limited by the session.
    let attempt = match access_token.filter(|t| !t.is_empty()) {
        Some(_) => Some(Attempt::start(state, Guess::Code, &username)?),
        None => None,
    };
    // A session's try is counted before the code is checked, so parallel guesses get no more than its limit.
    let session_try = match session.filter(|_| attempt.is_none()) {
        Some(session) => {
            let key = crate::ids::sha256_hex(session);
            let failures = flow::claim_try(state, &key)?;
            Some((key, failures))
        }
        None => None,
    };
    if !totp_matches(state, &username, &secret, &request.user_code)? {
        if let Some((key, failures)) = &session_try {
            flow::after_wrong(state, key, *failures)?;
        }
        return Err(ApiError::new(
            ErrorCode::EnableSoftwareTokenMfa,
            "Code mismatch and fail enable Software Token MFA",
        ));
    }
    if let Some(attempt) = attempt {
        attempt.succeeded()?;
    }
    let setter = setter(state, access_token, session)?;
    mfa.totp_secret = Some(secret);
    mfa.totp_pending = None;
    if let Setter::Session(..) = setter {
        mfa.set_enabled(MfaFactor::Totp, true);
        mfa.preferred.get_or_insert(MfaFactor::Totp);
    }
    state.store.save_mfa(&username, &mfa)?;
    let mut body = json!({ "Status": "SUCCESS" });
    if let Setter::Session(_, client_id) = &setter {
        body["Session"] = json!(flow::new_session(
            state,
            client_id,
            &username,
            "MFA_SETUP",
            Some(SETUP_DONE.to_owned())
        )?);
    }
    Ok(body)
}

/// Managed login's TOTP set-up step: a new secret for the user of an
/// MFA_SETUP session; returns the secret and the session that replaces it.
pub(crate) fn associate_in_sign_in(
    state: &AppState,
    session: &str,
) -> Result<(String, String), ApiError> {
    let body = associate_software_token(
        state,
        AssociateRequest {
            access_token: None,
            session: Some(session.to_owned()),
        },
    )?;
    let field = |name: &str| body[name].as_str().unwrap_or_default().to_owned();
    Ok((field("SecretCode"), field("Session")))
}

/// Managed login's TOTP verification step; returns the session that
/// finishes the sign-in (MFA_SETUP).
pub(crate) fn verify_in_sign_in(
    state: &AppState,
    session: &str,
    code: &str,
) -> Result<String, ApiError> {
    let body = verify_software_token(
        state,
        VerifyRequest {
            access_token: None,
            session: Some(session.to_owned()),
            user_code: code.to_owned(),
            friendly_device_name: None,
        },
    )?;
    Ok(body["Session"].as_str().unwrap_or_default().to_owned())
}

super::common::redacted_debug!(AssociateRequest, VerifyRequest);
