//! Sign-up and password reset on the server, named as aws-amplify names them: [`sign_up`],
//! [`confirm_sign_up`], [`resend_sign_up_code`], [`reset_password`], [`confirm_reset_password`].
//!
//! None of them needs or writes a session: they work in any context. Cognito's errors keep their names
//! (`UsernameExistsException`, `CodeMismatchException`, `ExpiredCodeException`, `InvalidPasswordException`,
//! `LimitExceededException`, ...), see [`AuthError::name`].

use std::collections::BTreeMap;

use tracing::Instrument;

use crate::cognito::{CodeDeliveryDetails, ConfirmSignUpRequest, SignUpRequest};
use crate::context::ServerContext;
use crate::error::AuthError;
use crate::secret::{ConfirmationCode, Password, RedactedValues};

use super::runtime::AuthRuntime;

/// The runner's user-pool runtime, or [`AuthError::UserPoolNotConfigured`].
pub(crate) fn runtime(ctx: &ServerContext) -> Result<&AuthRuntime, AuthError> {
    ctx.runner()
        .auth_runtime()
        .map_err(AuthError::UserPoolNotConfigured)
}

/// [`AuthError::EmptyInput`] with `code` and `field` when `value` is empty or only whitespace.
pub(crate) fn require(
    value: &str,
    code: &'static str,
    field: &'static str,
) -> Result<(), AuthError> {
    if value.trim().is_empty() {
        return Err(AuthError::EmptyInput { code, field });
    }
    Ok(())
}

/// Input of [`sign_up`]. `Debug` hides the password and the client metadata values.
#[derive(Clone)]
#[non_exhaustive]
pub struct SignUpInput {
    /// The username (or, in a pool that signs in with email, the address).
    pub username: String,
    /// The password.
    pub password: Password,
    /// Attributes (`email`, `phone_number`, `name`, `custom:*`, ...).
    pub user_attributes: BTreeMap<String, String>,
    /// `ClientMetadata` for the pool's Lambda triggers.
    pub client_metadata: Option<BTreeMap<String, String>>,
}

impl std::fmt::Debug for SignUpInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignUpInput")
            .field("username", &self.username)
            .field("password", &self.password)
            .field("user_attributes", &self.user_attributes)
            .field(
                "client_metadata",
                &self.client_metadata.as_ref().map(RedactedValues),
            )
            .finish()
    }
}

impl SignUpInput {
    /// A sign-up with no attributes.
    #[must_use]
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            password: Password::new(password),
            user_attributes: BTreeMap::new(),
            client_metadata: None,
        }
    }

    /// Adds (or replaces) a user attribute.
    #[must_use]
    pub fn with_user_attribute(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.user_attributes.insert(name.into(), value.into());
        self
    }

    /// Sets `ClientMetadata`.
    #[must_use]
    pub fn with_client_metadata(mut self, metadata: BTreeMap<String, String>) -> Self {
        self.client_metadata = Some(metadata);
        self
    }
}

/// What a sign-up needs next (aws-amplify's `nextStep.signUpStep`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignUpNextStep {
    /// `CONFIRM_SIGN_UP`: enter the code sent to the user with [`confirm_sign_up`].
    ConfirmSignUp {
        /// Where the code was sent (masked), when Cognito says.
        code_delivery_details: Option<CodeDeliveryDetails>,
    },
    /// `DONE`: the user can sign in.
    Done,
}

impl SignUpNextStep {
    /// aws-amplify's `signUpStep` name.
    #[must_use]
    pub fn sign_up_step(&self) -> &'static str {
        match self {
            Self::ConfirmSignUp { .. } => "CONFIRM_SIGN_UP",
            Self::Done => "DONE",
        }
    }
}

/// The result of [`sign_up`] and [`confirm_sign_up`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignUpOutcome {
    /// aws-amplify's `isSignUpComplete`.
    pub is_sign_up_complete: bool,
    /// The new user's `sub` (from [`sign_up`]; `None` from [`confirm_sign_up`]).
    pub user_id: Option<String>,
    /// What comes next.
    pub next_step: SignUpNextStep,
}

/// Registers a user (`SignUp`).
///
/// # Errors
///
/// [`AuthError::EmptyInput`] for an empty username or password; Cognito's errors by name
/// (`UsernameExistsException`, `InvalidPasswordException`, `InvalidParameterException`, ...).
pub async fn sign_up(ctx: &ServerContext, input: SignUpInput) -> Result<SignUpOutcome, AuthError> {
    require(&input.username, "EmptySignUpUsername", "username")?;
    require(input.password.secret(), "EmptySignUpPassword", "password")?;
    let runtime = runtime(ctx)?;
    let mut request = SignUpRequest::new(
        runtime.config.user_pool_client_id.as_str(),
        input.username,
        input.password,
    );
    request.user_attributes = input.user_attributes;
    request.client_metadata = input.client_metadata;
    let response = runtime
        .cognito
        .sign_up(&request)
        .instrument(tracing::info_span!("amplify_ssr.sign_up"))
        .await?;
    let user_id = Some(response.user_sub).filter(|sub| !sub.is_empty());
    Ok(if response.user_confirmed {
        SignUpOutcome {
            is_sign_up_complete: true,
            user_id,
            next_step: SignUpNextStep::Done,
        }
    } else {
        SignUpOutcome {
            is_sign_up_complete: false,
            user_id,
            next_step: SignUpNextStep::ConfirmSignUp {
                code_delivery_details: response.code_delivery_details,
            },
        }
    })
}

/// Input of [`confirm_sign_up`]. `Debug` hides the secrets and the client metadata values.
#[derive(Clone)]
#[non_exhaustive]
pub struct ConfirmSignUpInput {
    /// The username given to [`sign_up`].
    pub username: String,
    /// The code sent to the user.
    pub confirmation_code: ConfirmationCode,
    /// `ClientMetadata` for the pool's Lambda triggers.
    pub client_metadata: Option<BTreeMap<String, String>>,
}

impl std::fmt::Debug for ConfirmSignUpInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfirmSignUpInput")
            .field("username", &self.username)
            .field("confirmation_code", &self.confirmation_code)
            .field(
                "client_metadata",
                &self.client_metadata.as_ref().map(RedactedValues),
            )
            .finish()
    }
}

impl ConfirmSignUpInput {
    /// A confirmation of `username` with `code`.
    #[must_use]
    pub fn new(username: impl Into<String>, code: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            confirmation_code: ConfirmationCode::new(code),
            client_metadata: None,
        }
    }
}

/// Confirms a sign-up with the code sent to the user (`ConfirmSignUp`). The user then signs in with
/// [`sign_in`](crate::sign_in).
///
/// # Errors
///
/// [`AuthError::EmptyInput`]; Cognito's errors by name (`CodeMismatchException`, `ExpiredCodeException`,
/// `NotAuthorizedException` for an already-confirmed user, ...).
pub async fn confirm_sign_up(
    ctx: &ServerContext,
    input: ConfirmSignUpInput,
) -> Result<SignUpOutcome, AuthError> {
    require(&input.username, "EmptyConfirmSignUpUsername", "username")?;
    require(
        input.confirmation_code.secret(),
        "EmptyConfirmSignUpCode",
        "confirmation_code",
    )?;
    let runtime = runtime(ctx)?;
    let mut request = ConfirmSignUpRequest::new(
        runtime.config.user_pool_client_id.as_str(),
        input.username,
        input.confirmation_code.secret().trim(),
    );
    request.client_metadata = input.client_metadata;
    runtime
        .cognito
        .confirm_sign_up(&request)
        .instrument(tracing::info_span!("amplify_ssr.confirm_sign_up"))
        .await?;
    Ok(SignUpOutcome {
        is_sign_up_complete: true,
        user_id: None,
        next_step: SignUpNextStep::Done,
    })
}

/// Sends the sign-up confirmation code again (`ResendConfirmationCode`) and says where it went.
///
/// # Errors
///
/// [`AuthError::EmptyInput`]; Cognito's errors by name (`UserNotFoundException`, `InvalidParameterException` for
/// a confirmed user, `LimitExceededException`, ...).
pub async fn resend_sign_up_code(
    ctx: &ServerContext,
    username: &str,
) -> Result<CodeDeliveryDetails, AuthError> {
    require(username, "EmptySignUpUsername", "username")?;
    let runtime = runtime(ctx)?;
    let details = runtime
        .cognito
        .resend_confirmation_code(runtime.config.user_pool_client_id.as_str(), username, None)
        .instrument(tracing::info_span!("amplify_ssr.resend_sign_up_code"))
        .await?;
    Ok(details.unwrap_or_default())
}

/// What a password reset needs next (aws-amplify's `nextStep.resetPasswordStep`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResetPasswordNextStep {
    /// `CONFIRM_RESET_PASSWORD_WITH_CODE`: enter the code and a new password with [`confirm_reset_password`].
    ConfirmResetPasswordWithCode {
        /// Where the code was sent (masked).
        code_delivery_details: CodeDeliveryDetails,
    },
    /// `DONE`.
    Done,
}

/// The result of [`reset_password`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResetPasswordOutcome {
    /// aws-amplify's `isPasswordReset`: false until [`confirm_reset_password`] succeeds.
    pub is_password_reset: bool,
    /// What comes next.
    pub next_step: ResetPasswordNextStep,
}

/// Starts a password reset (`ForgotPassword`): Cognito sends a code to the user.
///
/// # Errors
///
/// [`AuthError::EmptyInput`]; Cognito's errors by name (`UserNotFoundException` unless the pool hides unknown
/// users, `LimitExceededException`, `InvalidParameterException` when the user has no verified address, ...).
pub async fn reset_password(
    ctx: &ServerContext,
    username: &str,
) -> Result<ResetPasswordOutcome, AuthError> {
    require(username, "EmptyResetPasswordUsername", "username")?;
    let runtime = runtime(ctx)?;
    let details = runtime
        .cognito
        .forgot_password(runtime.config.user_pool_client_id.as_str(), username, None)
        .instrument(tracing::info_span!("amplify_ssr.reset_password"))
        .await?;
    Ok(ResetPasswordOutcome {
        is_password_reset: false,
        next_step: ResetPasswordNextStep::ConfirmResetPasswordWithCode {
            code_delivery_details: details.unwrap_or_default(),
        },
    })
}

/// Input of [`confirm_reset_password`]. `Debug` hides the secrets and the client metadata values.
#[derive(Clone)]
#[non_exhaustive]
pub struct ConfirmResetPasswordInput {
    /// The username given to [`reset_password`].
    pub username: String,
    /// The code sent to the user.
    pub confirmation_code: ConfirmationCode,
    /// The new password.
    pub new_password: Password,
    /// `ClientMetadata` for the pool's Lambda triggers.
    pub client_metadata: Option<BTreeMap<String, String>>,
}

impl std::fmt::Debug for ConfirmResetPasswordInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfirmResetPasswordInput")
            .field("username", &self.username)
            .field("confirmation_code", &self.confirmation_code)
            .field("new_password", &self.new_password)
            .field(
                "client_metadata",
                &self.client_metadata.as_ref().map(RedactedValues),
            )
            .finish()
    }
}

impl ConfirmResetPasswordInput {
    /// A reset of `username`'s password to `new_password` with `code`.
    #[must_use]
    pub fn new(
        username: impl Into<String>,
        code: impl Into<String>,
        new_password: impl Into<String>,
    ) -> Self {
        Self {
            username: username.into(),
            confirmation_code: ConfirmationCode::new(code),
            new_password: Password::new(new_password),
            client_metadata: None,
        }
    }
}

/// Sets a new password with the reset code (`ConfirmForgotPassword`). The user then signs in with it.
///
/// # Errors
///
/// [`AuthError::EmptyInput`]; Cognito's errors by name (`CodeMismatchException`, `ExpiredCodeException`,
/// `InvalidPasswordException`, ...).
pub async fn confirm_reset_password(
    ctx: &ServerContext,
    input: ConfirmResetPasswordInput,
) -> Result<(), AuthError> {
    require(
        &input.username,
        "EmptyConfirmResetPasswordUsername",
        "username",
    )?;
    require(
        input.confirmation_code.secret(),
        "EmptyConfirmResetPasswordConfirmationCode",
        "confirmation_code",
    )?;
    require(
        input.new_password.secret(),
        "EmptyConfirmResetPasswordNewPassword",
        "new_password",
    )?;
    let runtime = runtime(ctx)?;
    let code = ConfirmationCode::new(input.confirmation_code.secret().trim());
    runtime
        .cognito
        .confirm_forgot_password(
            runtime.config.user_pool_client_id.as_str(),
            &input.username,
            &code,
            &input.new_password,
            input.client_metadata.as_ref(),
        )
        .instrument(tracing::info_span!("amplify_ssr.confirm_reset_password"))
        .await?;
    Ok(())
}
