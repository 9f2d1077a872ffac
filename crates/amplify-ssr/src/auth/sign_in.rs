//! Server-side password sign-in and sign-out.
//!
//! Upstream offers no server-side `signIn` (amplify-js #8147, #11598, #12827). Here a handler can sign a user in
//! with a username and password it received in a form post, and the session cookies are written to the
//! response, in either cookie mode. `USER_SRP_AUTH` is the default flow, so the password never leaves the server;
//! `USER_PASSWORD_AUTH` is available for app clients that only allow it.

use std::collections::BTreeMap;
use std::time::SystemTime;

use amplify_srp::{PasswordVerifierChallenge, SrpClient, cognito_timestamp};
use tracing::Instrument;

use crate::auth::session::{AuthUser, user_of};
use crate::auth::sign_out_here::{RevokeRefreshToken, end_session};
use crate::auth::tokens::{self, SignInDetails};
use crate::cognito::{
    AuthFlow, CognitoClient, CognitoError, InitiateAuthRequest, InitiateAuthResponse,
    RespondToAuthChallengeRequest,
};
use crate::context::{ContextKind, ServerContext};
use crate::error::AuthError;
use crate::secret::{Password, RefreshToken};

/// Input of [`sign_in`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignInInput {
    /// The username (or alias, such as an email address) the user typed.
    pub username: String,
    /// The password.
    pub password: Password,
    /// The auth flow: [`AuthFlow::UserSrpAuth`] (the default) or [`AuthFlow::UserPasswordAuth`].
    pub auth_flow: AuthFlow,
}

impl SignInInput {
    /// Sign in with SRP.
    #[must_use]
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            password: Password::new(password),
            auth_flow: AuthFlow::default(),
        }
    }

    /// Chooses the auth flow.
    #[must_use]
    pub fn with_auth_flow(mut self, flow: AuthFlow) -> Self {
        self.auth_flow = flow;
        self
    }
}

/// A challenge Cognito requires before it issues tokens, which [`sign_in`] does not complete by itself.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChallengeName {
    /// The user must choose a new password (created by an administrator with a temporary one).
    NewPasswordRequired,
    /// A code sent by SMS.
    SmsMfa,
    /// A code from an authenticator app.
    SoftwareTokenMfa,
    /// A code sent by email.
    EmailOtp,
    /// The user must pick an MFA method.
    SelectMfaType,
    /// The user must set up MFA.
    MfaSetup,
    /// A custom auth challenge (Lambda triggers).
    CustomChallenge,
    /// Any other challenge, by Cognito's name.
    Other(String),
}

impl ChallengeName {
    fn parse(name: &str) -> Self {
        match name {
            "NEW_PASSWORD_REQUIRED" => Self::NewPasswordRequired,
            "SMS_MFA" => Self::SmsMfa,
            "SOFTWARE_TOKEN_MFA" => Self::SoftwareTokenMfa,
            "EMAIL_OTP" => Self::EmailOtp,
            "SELECT_MFA_TYPE" => Self::SelectMfaType,
            "MFA_SETUP" => Self::MfaSetup,
            "CUSTOM_CHALLENGE" => Self::CustomChallenge,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// A sign-in step the user still has to complete.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignInChallenge {
    /// The challenge.
    pub name: ChallengeName,
    /// Cognito's challenge parameters (e.g. `CODE_DELIVERY_DESTINATION`, `requiredAttributes`).
    pub parameters: BTreeMap<String, String>,
}

/// The result of [`sign_in`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum SignInOutcome {
    /// Signed in; the session cookies have been written to the context.
    SignedIn(AuthUser),
    /// Cognito requires another step (MFA, a new password, ...). No cookies were written.
    ChallengeRequired(SignInChallenge),
}

/// Signs a user in from the server with a username and password, and writes the session cookies.
///
/// Any session of another user found in the request's cookies is cleared first, so stale tokens do not pile up
/// in the browser.
///
/// # Errors
///
/// Cognito's errors, by name: `NotAuthorizedException` (wrong username or password), `UserNotConfirmedException`,
/// `PasswordResetRequiredException`, ...; [`AuthError::CookiesNotWritable`] in a static or read-only context;
/// [`AuthError::UnsupportedSignInFlow`] for a flow other than SRP or password, before any call to Cognito.
pub async fn sign_in(ctx: &ServerContext, input: SignInInput) -> Result<SignInOutcome, AuthError> {
    if ctx.kind() != ContextKind::RequestResponse {
        return Err(AuthError::CookiesNotWritable(ctx.kind()));
    }
    let span = tracing::info_span!("amplify_ssr.sign_in", flow = input.auth_flow.as_str());
    async {
        let runtime = ctx
            .runner()
            .auth_runtime()
            .map_err(AuthError::UserPoolNotConfigured)?;
        let client_id = runtime.config.user_pool_client_id.as_str();
        let response = match input.auth_flow {
            AuthFlow::UserPasswordAuth => {
                runtime
                    .cognito
                    .initiate_auth(&InitiateAuthRequest::user_password(
                        client_id,
                        &input.username,
                        &input.password,
                    ))
                    .await?
            }
            AuthFlow::UserSrpAuth => {
                let srp = SrpClient::new();
                let challenge = runtime
                    .cognito
                    .initiate_auth(
                        &InitiateAuthRequest::new(AuthFlow::UserSrpAuth, client_id)
                            .with_parameter("USERNAME", input.username.as_str())
                            .with_parameter("SRP_A", srp.public_a_hex()),
                    )
                    .await?;
                answer_password_verifier(ctx, &srp, &input, challenge).await?
            }
            other => return Err(AuthError::UnsupportedSignInFlow(other)),
        };
        finish(ctx, &input, response)
    }
    .instrument(span)
    .await
}

async fn answer_password_verifier(
    ctx: &ServerContext,
    srp: &SrpClient,
    input: &SignInInput,
    response: InitiateAuthResponse,
) -> Result<InitiateAuthResponse, AuthError> {
    if response.challenge_name.as_deref() != Some("PASSWORD_VERIFIER") {
        return Ok(response);
    }
    let runtime = ctx
        .runner()
        .auth_runtime()
        .map_err(AuthError::UserPoolNotConfigured)?;
    let param = |name: &str| {
        response
            .challenge_parameters
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| {
                AuthError::UnexpectedResponse(format!(
                    "the PASSWORD_VERIFIER challenge has no {name} parameter"
                ))
            })
    };
    let user_id_for_srp = param("USER_ID_FOR_SRP")?;
    let secret_block = param("SECRET_BLOCK")?;
    let timestamp = cognito_timestamp(time::OffsetDateTime::now_utc());
    let signature = srp
        .password_claim(
            &PasswordVerifierChallenge {
                pool_name: runtime.config.pool_name(),
                user_id_for_srp,
                salt_hex: param("SALT")?,
                srp_b_hex: param("SRP_B")?,
                secret_block_b64: secret_block,
            },
            input.password.secret(),
            &timestamp,
        )
        .map_err(|e| {
            AuthError::UnexpectedResponse(format!("the SRP challenge could not be answered: {e}"))
        })?;
    let username = response
        .challenge_parameters
        .get("USERNAME")
        .map_or(user_id_for_srp, String::as_str);
    let request = RespondToAuthChallengeRequest::new(
        runtime.config.user_pool_client_id.as_str(),
        "PASSWORD_VERIFIER",
        response.session.clone(),
    )
    .with_response("USERNAME", username)
    .with_response("PASSWORD_CLAIM_SECRET_BLOCK", secret_block)
    .with_response("PASSWORD_CLAIM_SIGNATURE", signature)
    .with_response("TIMESTAMP", timestamp.as_str());
    Ok(runtime.cognito.respond_to_auth_challenge(&request).await?)
}

fn finish(
    ctx: &ServerContext,
    input: &SignInInput,
    response: InitiateAuthResponse,
) -> Result<SignInOutcome, AuthError> {
    let runtime = ctx
        .runner()
        .auth_runtime()
        .map_err(AuthError::UserPoolNotConfigured)?;
    let client_id = runtime.config.user_pool_client_id.as_str();
    let Some(result) = response.authentication_result else {
        let Some(name) = response.challenge_name else {
            return Err(AuthError::UnexpectedResponse(
                "Cognito answered the sign-in with neither tokens nor a challenge".into(),
            ));
        };
        return Ok(SignInOutcome::ChallengeRequired(SignInChallenge {
            name: ChallengeName::parse(&name),
            parameters: response.challenge_parameters.into_iter().collect(),
        }));
    };
    let details = SignInDetails {
        login_id: Some(input.username.clone()),
        auth_flow_type: Some(input.auth_flow.as_str().to_owned()),
    };
    let session =
        tokens::session_from_result(&result, None, None, Some(details), SystemTime::now())?;
    tokens::replace(ctx, client_id, &session);
    Ok(SignInOutcome::SignedIn(user_of(&session)?))
}

/// Options for [`sign_out`].
#[derive(Clone, Copy, Debug, Default)]
#[non_exhaustive]
pub struct SignOutOptions {
    /// Sign the user out of every device (`GlobalSignOut`) instead of revoking this session's refresh token.
    pub global: bool,
}

impl SignOutOptions {
    /// Sign out of every device (`GlobalSignOut`).
    #[must_use]
    pub fn global() -> Self {
        Self { global: true }
    }
}

/// What [`sign_out`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignOutReport {
    /// Whether Cognito confirmed that the session's own refresh token was revoked: by `GlobalSignOut` with the
    /// session's own access token, or by `RevokeToken` of every refresh-token copy under the session's keys.
    /// False when it failed (the reason was logged), when the request carried no session, or when copies planted
    /// by another site hid which refresh token is the session's. The cookies are cleared anyway.
    pub revoked: bool,
}

/// Signs the user out: revokes the refresh token with Cognito (`RevokeToken`, after `GlobalSignOut` with
/// `options.global`) and clears the session cookies. The cookies are cleared even when revocation fails (the
/// failure is logged and reported), so the user is always signed out locally.
///
/// This runner also refuses the session's access and id tokens from then on, until they expire, even when they
/// are replayed from elsewhere; other instances of the application do not know of the sign-out and accept
/// them until they expire (see [`crate::auth`]). Every copy of the session cookies is covered, so a copy planted
/// by another site cannot keep the session alive, and none can stand in for the session's own tokens at Cognito:
/// `GlobalSignOut` is only made with the session's own verified access token (not at all when valid copies of two
/// users arrive together), and the session's own refresh token is revoked first, and always.
///
/// # Errors
///
/// [`AuthError::CookiesNotWritable`] in a static or read-only context. A signed-out request is not an error.
pub async fn sign_out(
    ctx: &ServerContext,
    options: SignOutOptions,
) -> Result<SignOutReport, AuthError> {
    if ctx.kind() != ContextKind::RequestResponse {
        return Err(AuthError::CookiesNotWritable(ctx.kind()));
    }
    let runtime = ctx
        .runner()
        .auth_runtime()
        .map_err(AuthError::UserPoolNotConfigured)?;
    let client_id = runtime.config.user_pool_client_id.clone();
    let span = tracing::info_span!("amplify_ssr.sign_out", global = options.global);
    async {
        // The cookies are read without refresh: an expired session must still be revocable.
        let found = end_session(ctx, runtime).await;
        if found.is_empty() {
            return Ok(SignOutReport { revoked: false });
        }
        let mut revoked = false;
        if options.global {
            match &found.access_token {
                Some(token) => match runtime.cognito.global_sign_out(token).await {
                    Ok(()) => revoked = true,
                    // An expired access token cannot sign out globally; the refresh token is still revoked.
                    Err(e) => tracing::warn!(error = %e, "global sign-out failed; revoking this session's token"),
                },
                None => tracing::warn!(
                    "no access token of the session's own to sign out globally with (none verifies, or copies of \
                     two users arrived); revoking the refresh tokens instead"
                ),
            }
        }
        // Revoked even after a global sign-out: the copies found are dealt with whatever the global sign-out
        // covered, and the session's own revocation never depends on which access token came first.
        let own_revoked = found
            .revoke_refresh_tokens(&RevokeWithApi {
                cognito: &runtime.cognito,
                client_id: &client_id,
            })
            .await;
        Ok(SignOutReport {
            revoked: revoked || own_revoked,
        })
    }
    .instrument(span)
    .await
}

/// Revocation through Cognito's `RevokeToken` API.
struct RevokeWithApi<'a> {
    cognito: &'a CognitoClient,
    client_id: &'a str,
}

impl RevokeRefreshToken for RevokeWithApi<'_> {
    type Error = CognitoError;

    async fn revoke(&self, token: &RefreshToken) -> Result<(), CognitoError> {
        self.cognito.revoke_token(self.client_id, token).await
    }
}
