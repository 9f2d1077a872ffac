//! Server-side password sign-in and sign-out.
//!
//! Upstream offers no server-side `signIn` (amplify-js #8147, #11598, #12827). Here a handler can sign a user in
//! with a username and password it received in a form post, and the session cookies are written to the
//! response, in either cookie mode. `USER_SRP_AUTH` is the default flow, so the password never leaves the server;
//! `USER_PASSWORD_AUTH` is available for app clients that only allow it.

use amplify_srp::{PasswordVerifierChallenge, SrpClient, cognito_timestamp};
use tracing::Instrument;

use crate::auth::challenge_cookie;
use crate::auth::confirm_sign_in::{SignInContext, advance};
use crate::auth::next_step::{SignInNextStep, SignInOutcome};
use crate::auth::runtime::AuthRuntime;
use crate::auth::sign_out_here::{RevokeRefreshToken, end_session};
use crate::auth::sign_up::{require, runtime};
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
    /// The auth flow: [`AuthFlow::UserSrpAuth`] (the default), [`AuthFlow::UserPasswordAuth`] or
    /// [`AuthFlow::CustomAuth`].
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

    /// A custom-auth sign-in (`CUSTOM_AUTH`, the pool's Lambda challenges) with no password; add one with
    /// [`with_password`](Self::with_password) to prove it with SRP first (upstream's `CUSTOM_WITH_SRP`).
    #[must_use]
    pub fn custom_auth(username: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            password: Password::new(String::new()),
            auth_flow: AuthFlow::CustomAuth,
        }
    }

    /// Sets the password.
    #[must_use]
    pub fn with_password(mut self, password: impl Into<String>) -> Self {
        self.password = Password::new(password);
        self
    }
}

/// Signs a user in from the server, and writes the session cookies, or the sealed sign-in step cookie when
/// Cognito asks for another step (MFA, a new password, MFA set-up, a custom challenge): answer it with
/// [`confirm_sign_in`](crate::confirm_sign_in). See [`SignInOutcome`] and [`crate::auth`]'s sign-in steps.
///
/// Any session of another user found in the request's cookies is cleared when the sign-in completes, so stale
/// tokens do not pile up in the browser. As upstream, `UserNotConfirmedException` and
/// `PasswordResetRequiredException` are not errors but the steps [`SignInNextStep::ConfirmSignUp`] and
/// [`SignInNextStep::ResetPassword`].
///
/// # Errors
///
/// Cognito's errors, by name: `NotAuthorizedException` (wrong username or password), `UserNotFoundException`,
/// ...; [`AuthError::CookiesNotWritable`] in a static or read-only context; [`AuthError::EmptyInput`] for an
/// empty username; [`AuthError::UnsupportedSignInFlow`] for a flow other than SRP, password or custom auth, and
/// [`AuthError::UnsupportedChallenge`] for a challenge the library cannot continue.
pub async fn sign_in(ctx: &ServerContext, input: SignInInput) -> Result<SignInOutcome, AuthError> {
    if ctx.kind() != ContextKind::RequestResponse {
        return Err(AuthError::CookiesNotWritable(ctx.kind()));
    }
    require(&input.username, "EmptySignInUsername", "username")?;
    let span = tracing::info_span!("amplify_ssr.sign_in", flow = input.auth_flow.as_str());
    async {
        let runtime = runtime(ctx)?;
        // A sign-in started anew abandons the one in progress.
        challenge_cookie::clear(ctx);
        let response = match start(ctx, runtime, &input).await {
            Ok(response) => response,
            Err(AuthError::Cognito(e)) => {
                return match e.code() {
                    Some("UserNotConfirmedException") => {
                        Ok(SignInOutcome::NextStep(SignInNextStep::ConfirmSignUp))
                    }
                    Some("PasswordResetRequiredException") => {
                        Ok(SignInOutcome::NextStep(SignInNextStep::ResetPassword))
                    }
                    _ => Err(AuthError::Cognito(e)),
                };
            }
            Err(other) => return Err(other),
        };
        let context = SignInContext {
            username: input.username.clone(),
            login_id: input.username.clone(),
            flow: input.auth_flow.as_str().to_owned(),
        };
        advance(ctx, runtime, context, response).await
    }
    .instrument(span)
    .await
}

/// The first call(s) of a sign-in: `InitiateAuth`, and the SRP password proof when the flow uses SRP.
async fn start(
    ctx: &ServerContext,
    runtime: &AuthRuntime,
    input: &SignInInput,
) -> Result<InitiateAuthResponse, AuthError> {
    let client_id = runtime.config.user_pool_client_id.as_str();
    match input.auth_flow {
        AuthFlow::UserPasswordAuth => Ok(runtime
            .cognito
            .initiate_auth(&InitiateAuthRequest::user_password(
                client_id,
                &input.username,
                &input.password,
            ))
            .await?),
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
            answer_password_verifier(ctx, &srp, input, challenge).await
        }
        // Without a password: the custom challenges alone. With one: SRP first (upstream's CUSTOM_WITH_SRP).
        AuthFlow::CustomAuth if input.password.secret().is_empty() => Ok(runtime
            .cognito
            .initiate_auth(
                &InitiateAuthRequest::new(AuthFlow::CustomAuth, client_id)
                    .with_parameter("USERNAME", input.username.as_str()),
            )
            .await?),
        AuthFlow::CustomAuth => {
            let srp = SrpClient::new();
            let challenge = runtime
                .cognito
                .initiate_auth(
                    &InitiateAuthRequest::new(AuthFlow::CustomAuth, client_id)
                        .with_parameter("USERNAME", input.username.as_str())
                        .with_parameter("SRP_A", srp.public_a_hex())
                        .with_parameter("CHALLENGE_NAME", "SRP_A"),
                )
                .await?;
            answer_password_verifier(ctx, &srp, input, challenge).await
        }
        other => Err(AuthError::UnsupportedSignInFlow(other)),
    }
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
    let runtime = runtime(ctx)?;
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
    let mut next = runtime.cognito.respond_to_auth_challenge(&request).await?;
    // Later steps answer with the name Cognito gave here (the user's, not an alias they typed), as upstream.
    if next.challenge_name.is_some() && !next.challenge_parameters.contains_key("USERNAME") {
        next.challenge_parameters
            .insert("USERNAME".to_owned(), username.to_owned());
    }
    Ok(next)
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
    let runtime = runtime(ctx)?;
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
