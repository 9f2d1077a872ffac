//! The signed-in user's account, named as aws-amplify names it: [`update_password`],
//! [`update_user_attributes`], [`confirm_user_attribute`], [`send_user_attribute_verification_code`],
//! [`delete_user`].
//!
//! Each call is made with the session's access token, read from the context as every session API reads it
//! (refreshed first when it has expired, see [`fetch_auth_session`](crate::fetch_auth_session)); Cognito's
//! errors keep their names.

use std::collections::BTreeMap;

use tracing::Instrument;

use super::refresh::get_tokens;
use super::runtime::AuthRuntime;
use super::sign_out_here::end_session;
use super::sign_up::{require, runtime};
use crate::cognito::CodeDeliveryDetails;
use crate::context::{ContextKind, ServerContext};
use crate::error::AuthError;
use crate::secret::{AccessToken, ConfirmationCode, Password};

/// The signed-in user's access token (refreshed when due) and the user-pool runtime.
pub(crate) async fn signed_in(
    ctx: &ServerContext,
) -> Result<(AccessToken, String, &AuthRuntime), AuthError> {
    let runtime = runtime(ctx)?;
    let session = get_tokens(ctx, false)
        .await?
        .ok_or(AuthError::UserUnAuthenticated)?;
    Ok((session.access_token, session.username, runtime))
}

/// Input of [`update_password`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct UpdatePasswordInput {
    /// The current password.
    pub old_password: Password,
    /// The new password.
    pub new_password: Password,
}

impl UpdatePasswordInput {
    /// A change from `old_password` to `new_password`.
    #[must_use]
    pub fn new(old_password: impl Into<String>, new_password: impl Into<String>) -> Self {
        Self {
            old_password: Password::new(old_password),
            new_password: Password::new(new_password),
        }
    }
}

/// Changes the signed-in user's password (`ChangePassword`). The session stays signed in: Cognito keeps its
/// tokens valid, and no cookie changes (unless the session had to be refreshed first).
///
/// # Errors
///
/// [`AuthError::UserUnAuthenticated`] when signed out; [`AuthError::EmptyInput`]; Cognito's errors by name
/// (`NotAuthorizedException` for a wrong current password, `InvalidPasswordException`, `LimitExceededException`,
/// ...).
pub async fn update_password(
    ctx: &ServerContext,
    input: UpdatePasswordInput,
) -> Result<(), AuthError> {
    require(
        input.old_password.secret(),
        "EmptyUpdatePassword",
        "old_password",
    )?;
    require(
        input.new_password.secret(),
        "EmptyUpdatePassword",
        "new_password",
    )?;
    let (token, _, runtime) = signed_in(ctx).await?;
    runtime
        .cognito
        .change_password(&token, &input.old_password, &input.new_password)
        .instrument(tracing::info_span!("amplify_ssr.update_password"))
        .await?;
    Ok(())
}

/// What an attribute update needs next (aws-amplify's `nextStep.updateAttributeStep`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UpdateAttributeNextStep {
    /// `CONFIRM_ATTRIBUTE_WITH_CODE`: the new value must be verified with the code sent to it
    /// ([`confirm_user_attribute`]); until then Cognito keeps the old value for sign-in, if the pool says so.
    ConfirmAttributeWithCode {
        /// Where the code was sent (masked).
        code_delivery_details: CodeDeliveryDetails,
    },
    /// `DONE`: the attribute is updated.
    Done,
}

impl UpdateAttributeNextStep {
    /// aws-amplify's `updateAttributeStep` name.
    #[must_use]
    pub fn update_attribute_step(&self) -> &'static str {
        match self {
            Self::ConfirmAttributeWithCode { .. } => "CONFIRM_ATTRIBUTE_WITH_CODE",
            Self::Done => "DONE",
        }
    }
}

/// The result of updating one attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpdateUserAttributeOutcome {
    /// aws-amplify's `isUpdated`: false while a verification code is pending.
    pub is_updated: bool,
    /// What comes next.
    pub next_step: UpdateAttributeNextStep,
}

/// Updates the signed-in user's attributes (`UpdateUserAttributes`) and returns, per attribute, whether it is
/// done or needs a code (for `email` and `phone_number` in pools that verify them), as upstream.
///
/// The session's id token still carries the old values until the next refresh; call
/// [`fetch_user_attributes`](crate::fetch_user_attributes) for the current ones.
///
/// # Errors
///
/// [`AuthError::UserUnAuthenticated`] when signed out; Cognito's errors by name (`InvalidParameterException`,
/// `AliasExistsException`, `CodeDeliveryFailureException`, ...).
pub async fn update_user_attributes(
    ctx: &ServerContext,
    user_attributes: BTreeMap<String, String>,
) -> Result<BTreeMap<String, UpdateUserAttributeOutcome>, AuthError> {
    let (token, _, runtime) = signed_in(ctx).await?;
    let deliveries = runtime
        .cognito
        .update_user_attributes(&token, &user_attributes, None)
        .instrument(tracing::info_span!("amplify_ssr.update_user_attributes"))
        .await?;
    Ok(user_attributes
        .into_keys()
        .map(|name| {
            let delivery = deliveries
                .iter()
                .find(|d| d.attribute_name.as_deref() == Some(name.as_str()));
            let outcome = match delivery {
                Some(details) => UpdateUserAttributeOutcome {
                    is_updated: false,
                    next_step: UpdateAttributeNextStep::ConfirmAttributeWithCode {
                        code_delivery_details: details.clone(),
                    },
                },
                None => UpdateUserAttributeOutcome {
                    is_updated: true,
                    next_step: UpdateAttributeNextStep::Done,
                },
            };
            (name, outcome)
        })
        .collect())
}

/// Verifies an attribute (`email`, `phone_number`) with the code sent to it (`VerifyUserAttribute`).
///
/// # Errors
///
/// [`AuthError::UserUnAuthenticated`] when signed out; [`AuthError::EmptyInput`]; Cognito's errors by name
/// (`CodeMismatchException`, `ExpiredCodeException`, ...).
pub async fn confirm_user_attribute(
    ctx: &ServerContext,
    attribute_name: &str,
    confirmation_code: &ConfirmationCode,
) -> Result<(), AuthError> {
    require(
        attribute_name,
        "EmptyConfirmUserAttributeKey",
        "attribute_name",
    )?;
    require(
        confirmation_code.secret(),
        "EmptyConfirmUserAttributeCode",
        "confirmation_code",
    )?;
    let (token, _, runtime) = signed_in(ctx).await?;
    let code = ConfirmationCode::new(confirmation_code.secret().trim());
    runtime
        .cognito
        .verify_user_attribute(&token, attribute_name, &code)
        .instrument(tracing::info_span!("amplify_ssr.confirm_user_attribute"))
        .await?;
    Ok(())
}

/// Sends a verification code to an attribute (`GetUserAttributeVerificationCode`) and says where it went.
///
/// # Errors
///
/// [`AuthError::UserUnAuthenticated`] when signed out; [`AuthError::EmptyInput`]; Cognito's errors by name.
pub async fn send_user_attribute_verification_code(
    ctx: &ServerContext,
    attribute_name: &str,
) -> Result<CodeDeliveryDetails, AuthError> {
    require(attribute_name, "EmptyUserAttributeKey", "attribute_name")?;
    let (token, _, runtime) = signed_in(ctx).await?;
    let details = runtime
        .cognito
        .get_user_attribute_verification_code(&token, attribute_name, None)
        .instrument(tracing::info_span!(
            "amplify_ssr.send_user_attribute_verification_code"
        ))
        .await?;
    Ok(details.unwrap_or_default())
}

/// Deletes the signed-in user (`DeleteUser`), then ends the session here as [`sign_out`](crate::sign_out)
/// does: the session cookies are cleared and this runner refuses the session's tokens until they expire (Cognito
/// refuses them already).
///
/// # Errors
///
/// [`AuthError::CookiesNotWritable`] in a static or read-only context (checked before anything is deleted);
/// [`AuthError::UserUnAuthenticated`] when signed out; Cognito's errors by name. When `DeleteUser` fails the
/// session is kept.
pub async fn delete_user(ctx: &ServerContext) -> Result<(), AuthError> {
    if ctx.kind() != ContextKind::RequestResponse {
        return Err(AuthError::CookiesNotWritable(ctx.kind()));
    }
    let (token, _, runtime) = signed_in(ctx).await?;
    async {
        runtime.cognito.delete_user(&token).await?;
        // The refresh tokens died with the user: nothing is left to revoke with Cognito.
        let _found = end_session(ctx, runtime).await;
        Ok(())
    }
    .instrument(tracing::info_span!("amplify_ssr.delete_user"))
    .await
}
