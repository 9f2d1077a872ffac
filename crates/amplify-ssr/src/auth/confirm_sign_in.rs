//! [`confirm_sign_in`]: continues a sign-in from the step in its sealed cookie, and [`advance`], which turns
//! every Cognito answer of a sign-in (from [`sign_in`](crate::sign_in) or here) into tokens or the next step.
//!
//! Answers are sent as upstream sends them (`RespondToAuthChallenge` with `USERNAME` and):
//!
//! | step | challenge responses |
//! |---|---|
//! | new password | `NEW_PASSWORD`, and `userAttributes.<name>` for each attribute given |
//! | SMS / email / TOTP code | `SMS_MFA_CODE` (`SMS_OTP_CODE`), `EMAIL_OTP_CODE`, `SOFTWARE_TOKEN_MFA_CODE` |
//! | MFA selection | `ANSWER` = `SMS_MFA`, `SOFTWARE_TOKEN_MFA` or `EMAIL_OTP` (the answer may be `SMS`, `TOTP`, `EMAIL`) |
//! | MFA set-up selection | nothing is sent: `TOTP` calls `AssociateSoftwareToken`, `EMAIL` asks for the address |
//! | TOTP set-up | `VerifySoftwareToken` with the code and the session, then `MFA_SETUP` with its new session |
//! | email set-up | `MFA_SETUP` with `EMAIL` = the address |
//! | custom challenge | `ANSWER` |
//!
//! The step cookie is replaced by the next step's, and cleared once the sign-in succeeds or fails for good. It
//! is kept when the answer can be corrected and sent again: a wrong code (`CodeMismatchException`), a password
//! the pool refuses (`InvalidPasswordException`, `InvalidParameterException`), a failed TOTP verification, an
//! answer refused before any call, or a transient failure.

use std::collections::BTreeMap;
use std::time::SystemTime;

use tracing::Instrument;

use super::challenge_cookie::{self, PendingSignIn};
use super::next_step::{
    Mapped, MfaType, SignInNextStep, SignInOutcome, TotpSetupDetails, map_challenge,
};
use super::runtime::AuthRuntime;
use super::session::user_of;
use super::sign_up::{require, runtime};
use super::tokens::{self, SignInDetails};
use crate::cognito::{InitiateAuthResponse, RespondToAuthChallengeRequest, SoftwareTokenAuth};
use crate::context::{ContextKind, ServerContext};
use crate::error::AuthError;
use crate::secret::{ChallengeResponse, CognitoSession, ConfirmationCode, RedactedValues};

/// Input of [`confirm_sign_in`]. `Debug` hides the answer and the client metadata values.
#[derive(Clone)]
#[non_exhaustive]
pub struct ConfirmSignInInput {
    /// The answer: a code, a new password, an MFA type (`SMS`, `TOTP`, `EMAIL`), an email address (email MFA
    /// set-up) or a custom challenge's answer.
    pub challenge_response: ChallengeResponse,
    /// With a new password: the attributes the step listed as missing (and any other to set), by name
    /// (`name`, `phone_number`, `custom:team`, ...), without the `userAttributes.` prefix.
    pub user_attributes: BTreeMap<String, String>,
    /// The device name `VerifySoftwareToken` records for a TOTP set-up.
    pub friendly_device_name: Option<String>,
    /// `ClientMetadata` for the pool's Lambda triggers.
    pub client_metadata: Option<BTreeMap<String, String>>,
}

impl std::fmt::Debug for ConfirmSignInInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfirmSignInInput")
            .field("challenge_response", &self.challenge_response)
            .field("user_attributes", &self.user_attributes)
            .field("friendly_device_name", &self.friendly_device_name)
            .field(
                "client_metadata",
                &self.client_metadata.as_ref().map(RedactedValues),
            )
            .finish()
    }
}

impl ConfirmSignInInput {
    /// An answer with no attributes.
    #[must_use]
    pub fn new(challenge_response: impl Into<String>) -> Self {
        Self {
            challenge_response: ChallengeResponse::new(challenge_response),
            user_attributes: BTreeMap::new(),
            friendly_device_name: None,
            client_metadata: None,
        }
    }

    /// Adds (or replaces) a user attribute sent with a new password.
    #[must_use]
    pub fn with_user_attribute(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.user_attributes.insert(name.into(), value.into());
        self
    }

    /// Sets the TOTP device name.
    #[must_use]
    pub fn with_friendly_device_name(mut self, name: impl Into<String>) -> Self {
        self.friendly_device_name = Some(name.into());
        self
    }

    /// Sets `ClientMetadata`.
    #[must_use]
    pub fn with_client_metadata(mut self, metadata: BTreeMap<String, String>) -> Self {
        self.client_metadata = Some(metadata);
        self
    }
}

/// Continues the sign-in whose step the request's sign-in step cookie holds, with the user's answer, and writes
/// the session cookies once Cognito issues tokens (or the next step's cookie).
///
/// # Errors
///
/// [`AuthError::NoSignInInProgress`] without a valid, unexpired step cookie (the session cookies are untouched);
/// [`AuthError::EmptyInput`] for an empty answer; [`AuthError::InvalidChallengeResponse`] for an answer the step
/// cannot take; Cognito's errors by name (`CodeMismatchException`, `NotAuthorizedException` when the `Session`
/// is no longer valid, `InvalidPasswordException`, ...); [`AuthError::CookiesNotWritable`] in a static or
/// read-only context.
pub async fn confirm_sign_in(
    ctx: &ServerContext,
    input: ConfirmSignInInput,
) -> Result<SignInOutcome, AuthError> {
    if ctx.kind() != ContextKind::RequestResponse {
        return Err(AuthError::CookiesNotWritable(ctx.kind()));
    }
    let runtime = runtime(ctx)?;
    let client_id = runtime.config.user_pool_client_id.as_str();
    let pending = challenge_cookie::load(ctx, &runtime.step_sealer, client_id, SystemTime::now())
        .map_err(AuthError::NoSignInInProgress)?;
    require(
        input.challenge_response.secret(),
        "EmptyChallengeResponse",
        "challenge_response",
    )?;
    let span = tracing::info_span!("amplify_ssr.confirm_sign_in", challenge = %pending.challenge);
    async {
        let result = answer(ctx, runtime, &pending, &input).await;
        match result {
            Ok(outcome) => Ok(outcome),
            Err(error) => {
                if ends_the_sign_in(&error) {
                    challenge_cookie::clear(ctx);
                }
                Err(error)
            }
        }
    }
    .instrument(span)
    .await
}

/// Whether a failed answer ends the sign-in (the step cookie is then cleared).
fn ends_the_sign_in(error: &AuthError) -> bool {
    match error {
        AuthError::Cognito(e) => {
            !e.is_transient()
                && !matches!(
                    e.code(),
                    Some(
                        "CodeMismatchException"
                            | "InvalidPasswordException"
                            | "InvalidParameterException"
                            | "EnableSoftwareTokenMFAException"
                    )
                )
        }
        AuthError::InvalidChallengeResponse { .. }
        | AuthError::EmptyInput { .. }
        | AuthError::TotpVerificationFailed => false,
        other => !other.is_transient(),
    }
}

/// The step being answered, by upstream's name, for error messages.
fn step_name(pending: &PendingSignIn) -> &'static str {
    match pending.challenge.as_str() {
        "MFA_SETUP" => match pending.mfa_types.as_slice() {
            [t] if t == MfaType::Totp.challenge_name() => "CONTINUE_SIGN_IN_WITH_TOTP_SETUP",
            [t] if t == MfaType::Email.challenge_name() => "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP",
            _ => "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION",
        },
        "SELECT_MFA_TYPE" => "CONTINUE_SIGN_IN_WITH_MFA_SELECTION",
        _ => "CONFIRM_SIGN_IN",
    }
}

fn offered(pending: &PendingSignIn, t: MfaType) -> bool {
    pending
        .mfa_types
        .iter()
        .any(|name| name == t.challenge_name())
}

async fn answer(
    ctx: &ServerContext,
    runtime: &AuthRuntime,
    pending: &PendingSignIn,
    input: &ConfirmSignInInput,
) -> Result<SignInOutcome, AuthError> {
    let client_id = runtime.config.user_pool_client_id.as_str();
    let answer = input.challenge_response.secret().trim();
    let invalid = |problem: String| AuthError::InvalidChallengeResponse {
        step: step_name(pending),
        problem,
    };
    let mut request = RespondToAuthChallengeRequest::new(
        client_id,
        pending.challenge.as_str(),
        pending.session.clone(),
    )
    .with_response("USERNAME", pending.username.as_str());
    request.client_metadata.clone_from(&input.client_metadata);
    let request = match pending.challenge.as_str() {
        "SMS_MFA" => request.with_response("SMS_MFA_CODE", answer),
        "SMS_OTP" => request.with_response("SMS_OTP_CODE", answer),
        "EMAIL_OTP" => request.with_response("EMAIL_OTP_CODE", answer),
        "SOFTWARE_TOKEN_MFA" => request.with_response("SOFTWARE_TOKEN_MFA_CODE", answer),
        "CUSTOM_CHALLENGE" => request.with_response("ANSWER", input.challenge_response.secret()),
        "NEW_PASSWORD_REQUIRED" => {
            // The password is sent as typed: leading or trailing spaces may be part of it.
            let mut request =
                request.with_response("NEW_PASSWORD", input.challenge_response.secret());
            for (name, value) in &input.user_attributes {
                request = request.with_response(format!("userAttributes.{name}"), value.as_str());
            }
            request
        }
        "SELECT_MFA_TYPE" => {
            let chosen = MfaType::parse(answer)
                .filter(|t| offered(pending, *t))
                .ok_or_else(|| invalid(format!("expected one of {}", offered_names(pending))))?;
            request.with_response("ANSWER", chosen.challenge_name())
        }
        "MFA_SETUP" => return answer_mfa_setup(ctx, runtime, pending, input, request).await,
        other => return Err(AuthError::UnsupportedChallenge(other.to_owned())),
    };
    let response = runtime.cognito.respond_to_auth_challenge(&request).await?;
    advance(ctx, runtime, pending.context(), response).await
}

fn offered_names(pending: &PendingSignIn) -> String {
    pending
        .mfa_types
        .iter()
        .filter_map(|name| MfaType::parse(name))
        .map(MfaType::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Answers an `MFA_SETUP` step, as upstream: `TOTP` / `EMAIL` choose, digits verify the TOTP set-up, an address
/// sets up email.
async fn answer_mfa_setup(
    ctx: &ServerContext,
    runtime: &AuthRuntime,
    pending: &PendingSignIn,
    input: &ConfirmSignInInput,
    request: RespondToAuthChallengeRequest,
) -> Result<SignInOutcome, AuthError> {
    let answer = input.challenge_response.secret().trim();
    let invalid = |problem: &str| AuthError::InvalidChallengeResponse {
        step: step_name(pending),
        problem: problem.to_owned(),
    };
    let only = |t: MfaType| pending.mfa_types.len() == 1 && offered(pending, t);
    match answer {
        "TOTP" | "EMAIL" if pending.mfa_types.len() > 1 => {
            let chosen = MfaType::parse(answer)
                .filter(|t| offered(pending, *t))
                .ok_or_else(|| invalid("that MFA type cannot be set up here"))?;
            let mut next = pending.clone();
            next.mfa_types = vec![chosen.challenge_name().to_owned()];
            if chosen == MfaType::Totp {
                return associate_totp(ctx, runtime, next).await;
            }
            save(ctx, runtime, &next)?;
            Ok(SignInOutcome::NextStep(
                SignInNextStep::ContinueSignInWithEmailSetup,
            ))
        }
        code if only(MfaType::Totp)
            && !code.is_empty()
            && code.bytes().all(|b| b.is_ascii_digit()) =>
        {
            let session = pending
                .session
                .clone()
                .map(CognitoSession::new)
                .ok_or_else(|| invalid("the sign-in has no Cognito session to verify with"))?;
            let verified = runtime
                .cognito
                .verify_software_token(
                    SoftwareTokenAuth::Session(&session),
                    &ConfirmationCode::new(code),
                    input.friendly_device_name.as_deref(),
                )
                .await?;
            if verified.status.as_deref() == Some("ERROR") {
                return Err(AuthError::TotpVerificationFailed);
            }
            let mut request = request;
            request.session = verified
                .session
                .map(CognitoSession::into_secret)
                .or(pending.session.clone());
            let response = runtime.cognito.respond_to_auth_challenge(&request).await?;
            advance(ctx, runtime, pending.context(), response).await
        }
        address if only(MfaType::Email) && address.contains('@') => {
            let response = runtime
                .cognito
                .respond_to_auth_challenge(&request.with_response("EMAIL", address))
                .await?;
            advance(ctx, runtime, pending.context(), response).await
        }
        _ => Err(invalid(if only(MfaType::Totp) {
            "expected the authenticator app's code (digits)"
        } else if only(MfaType::Email) {
            "expected the email address to send codes to"
        } else {
            "expected TOTP or EMAIL"
        })),
    }
}

/// What carries from one step of a sign-in to the next.
#[derive(Clone, Debug)]
pub(crate) struct SignInContext {
    /// The username Cognito expects in `USERNAME`.
    pub(crate) username: String,
    /// What the user typed.
    pub(crate) login_id: String,
    /// The auth flow's wire name.
    pub(crate) flow: String,
}

impl PendingSignIn {
    fn context(&self) -> SignInContext {
        SignInContext {
            username: self.username.clone(),
            login_id: self.login_id.clone(),
            flow: self.flow.clone(),
        }
    }
}

fn save(ctx: &ServerContext, runtime: &AuthRuntime, step: &PendingSignIn) -> Result<(), AuthError> {
    challenge_cookie::save(
        ctx,
        &runtime.step_sealer,
        runtime.config.user_pool_client_id.as_str(),
        step,
    )
}

/// Calls `AssociateSoftwareToken` with the sign-in's session and returns the TOTP set-up step.
async fn associate_totp(
    ctx: &ServerContext,
    runtime: &AuthRuntime,
    mut pending: PendingSignIn,
) -> Result<SignInOutcome, AuthError> {
    let session = pending
        .session
        .clone()
        .map(CognitoSession::new)
        .ok_or_else(|| AuthError::UnexpectedResponse("MFA_SETUP came without a Session".into()))?;
    let associated = runtime
        .cognito
        .associate_software_token(SoftwareTokenAuth::Session(&session))
        .await?;
    if let Some(next) = associated.session {
        pending.session = Some(next.into_secret());
    }
    pending.mfa_types = vec![MfaType::Totp.challenge_name().to_owned()];
    pending.expires_at = PendingSignIn::expiry_from(SystemTime::now());
    save(ctx, runtime, &pending)?;
    Ok(SignInOutcome::NextStep(
        SignInNextStep::ContinueSignInWithTotpSetup {
            totp_setup_details: TotpSetupDetails::new(associated.secret_code, pending.username),
        },
    ))
}

/// Turns Cognito's answer to a sign-in step into the outcome: tokens are stored as the session (and the step
/// cookie cleared), a challenge becomes the next step (and its sealed cookie).
pub(crate) async fn advance(
    ctx: &ServerContext,
    runtime: &AuthRuntime,
    mut context: SignInContext,
    response: InitiateAuthResponse,
) -> Result<SignInOutcome, AuthError> {
    let client_id = runtime.config.user_pool_client_id.as_str();
    if let Some(result) = response.authentication_result {
        let details = SignInDetails {
            login_id: Some(context.login_id),
            auth_flow_type: Some(context.flow),
        };
        let session =
            tokens::session_from_result(&result, None, None, Some(details), SystemTime::now())?;
        tokens::replace(ctx, client_id, &session);
        challenge_cookie::clear(ctx);
        return Ok(SignInOutcome::SignedIn(user_of(&session)?));
    }
    let Some(name) = response.challenge_name else {
        challenge_cookie::clear(ctx);
        return Err(AuthError::UnexpectedResponse(
            "Cognito answered the sign-in with neither tokens nor a challenge".into(),
        ));
    };
    // Later challenges name the user as Cognito knows them (not an alias): answer with that name.
    if let Some(username) = response
        .challenge_parameters
        .get("USERNAME")
        .or_else(|| response.challenge_parameters.get("USER_ID_FOR_SRP"))
        .filter(|u| !u.is_empty())
    {
        context.username.clone_from(username);
    }
    let mapped = match map_challenge(&name, &response.challenge_parameters) {
        Ok(mapped) => mapped,
        Err(error) => {
            challenge_cookie::clear(ctx);
            return Err(error);
        }
    };
    let pending = PendingSignIn {
        session: response.session,
        username: context.username,
        challenge: name,
        flow: context.flow,
        login_id: context.login_id,
        mfa_types: Vec::new(),
        expires_at: PendingSignIn::expiry_from(SystemTime::now()),
    };
    match mapped {
        Mapped::AssociateTotp => associate_totp(ctx, runtime, pending).await,
        Mapped::Step(step, types) => {
            let pending = PendingSignIn {
                mfa_types: types
                    .into_iter()
                    .map(|t| t.challenge_name().to_owned())
                    .collect(),
                ..pending
            };
            save(ctx, runtime, &pending)?;
            Ok(SignInOutcome::NextStep(step))
        }
    }
}

#[cfg(test)]
mod tests;
