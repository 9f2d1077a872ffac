//! The signed-in user's MFA, named as aws-amplify names it: [`set_up_totp`], [`verify_totp_setup`],
//! [`update_mfa_preference`], [`fetch_mfa_preference`]. Each call uses the session's access token.

use tracing::Instrument;

use super::account::signed_in;
use super::next_step::{MfaType, TotpSetupDetails};
use super::sign_up::require;
use crate::cognito::{MfaSetting, SoftwareTokenAuth};
use crate::context::ServerContext;
use crate::error::AuthError;
use crate::secret::ConfirmationCode;

/// Starts adding an authenticator app (`AssociateSoftwareToken`): show the secret (or
/// [`TotpSetupDetails::setup_uri`] as a QR code), then confirm with [`verify_totp_setup`]. TOTP is not used for
/// sign-in until [`update_mfa_preference`] enables it.
///
/// # Errors
///
/// [`AuthError::UserUnAuthenticated`] when signed out; Cognito's errors by name (`SoftwareTokenMFANotFoundException`
/// when the pool does not allow TOTP, ...).
pub async fn set_up_totp(ctx: &ServerContext) -> Result<TotpSetupDetails, AuthError> {
    let (token, username, runtime) = signed_in(ctx).await?;
    let associated = runtime
        .cognito
        .associate_software_token(SoftwareTokenAuth::AccessToken(&token))
        .instrument(tracing::info_span!("amplify_ssr.set_up_totp"))
        .await?;
    Ok(TotpSetupDetails::new(associated.secret_code, username))
}

/// Input of [`verify_totp_setup`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct VerifyTotpSetupInput {
    /// The authenticator app's current code.
    pub code: ConfirmationCode,
    /// A name for the device, recorded by Cognito.
    pub friendly_device_name: Option<String>,
}

impl VerifyTotpSetupInput {
    /// A verification with `code`.
    #[must_use]
    pub fn new(code: impl Into<String>) -> Self {
        Self {
            code: ConfirmationCode::new(code),
            friendly_device_name: None,
        }
    }

    /// Sets the device name.
    #[must_use]
    pub fn with_friendly_device_name(mut self, name: impl Into<String>) -> Self {
        self.friendly_device_name = Some(name.into());
        self
    }
}

/// Confirms the authenticator app set up by [`set_up_totp`] with its current code (`VerifySoftwareToken`).
///
/// # Errors
///
/// [`AuthError::UserUnAuthenticated`] when signed out; [`AuthError::EmptyInput`];
/// [`AuthError::TotpVerificationFailed`] when Cognito answers `Status: ERROR`; Cognito's errors by name
/// (`CodeMismatchException`, `EnableSoftwareTokenMFAException`, ...).
pub async fn verify_totp_setup(
    ctx: &ServerContext,
    input: VerifyTotpSetupInput,
) -> Result<(), AuthError> {
    require(input.code.secret(), "EmptyVerifyTOTPSetupCode", "code")?;
    let (token, _, runtime) = signed_in(ctx).await?;
    let code = ConfirmationCode::new(input.code.secret().trim());
    let answer = runtime
        .cognito
        .verify_software_token(
            SoftwareTokenAuth::AccessToken(&token),
            &code,
            input.friendly_device_name.as_deref(),
        )
        .instrument(tracing::info_span!("amplify_ssr.verify_totp_setup"))
        .await?;
    if answer.status.as_deref() == Some("ERROR") {
        return Err(AuthError::TotpVerificationFailed);
    }
    Ok(())
}

/// A method's MFA preference (aws-amplify's `MFAPreference`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MfaPreference {
    /// `ENABLED`: usable for sign-in.
    Enabled,
    /// `DISABLED`: not used.
    Disabled,
    /// `PREFERRED`: enabled and the one asked for first.
    Preferred,
    /// `NOT_PREFERRED`: enabled, and no longer the preferred one.
    NotPreferred,
}

impl MfaPreference {
    fn setting(self) -> MfaSetting {
        match self {
            Self::Enabled => MfaSetting::new(true, None),
            Self::Disabled => MfaSetting::new(false, None),
            Self::Preferred => MfaSetting::new(true, Some(true)),
            Self::NotPreferred => MfaSetting::new(true, Some(false)),
        }
    }
}

/// Input of [`update_mfa_preference`]: a method left `None` is unchanged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpdateMfaPreferenceInput {
    /// SMS.
    pub sms: Option<MfaPreference>,
    /// Authenticator app.
    pub totp: Option<MfaPreference>,
    /// Email.
    pub email: Option<MfaPreference>,
}

impl UpdateMfaPreferenceInput {
    /// Sets the SMS preference.
    #[must_use]
    pub fn sms(mut self, preference: MfaPreference) -> Self {
        self.sms = Some(preference);
        self
    }

    /// Sets the authenticator-app preference.
    #[must_use]
    pub fn totp(mut self, preference: MfaPreference) -> Self {
        self.totp = Some(preference);
        self
    }

    /// Sets the email preference.
    #[must_use]
    pub fn email(mut self, preference: MfaPreference) -> Self {
        self.email = Some(preference);
        self
    }
}

/// Enables, disables or prefers the signed-in user's MFA methods (`SetUserMFAPreference`).
///
/// # Errors
///
/// [`AuthError::UserUnAuthenticated`] when signed out; Cognito's errors by name (`InvalidParameterException` for
/// a method that is not set up, ...).
pub async fn update_mfa_preference(
    ctx: &ServerContext,
    input: UpdateMfaPreferenceInput,
) -> Result<(), AuthError> {
    let (token, _, runtime) = signed_in(ctx).await?;
    runtime
        .cognito
        .set_user_mfa_preference(
            &token,
            input.sms.map(MfaPreference::setting),
            input.totp.map(MfaPreference::setting),
            input.email.map(MfaPreference::setting),
        )
        .instrument(tracing::info_span!("amplify_ssr.update_mfa_preference"))
        .await?;
    Ok(())
}

/// The signed-in user's MFA methods (aws-amplify's `fetchMFAPreference` output).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MfaPreferences {
    /// The preferred method, if any (`PreferredMfaSetting`).
    pub preferred: Option<MfaType>,
    /// The enabled methods (`UserMFASettingList`).
    pub enabled: Vec<MfaType>,
}

/// Reads the signed-in user's MFA methods (`GetUser`).
///
/// # Errors
///
/// [`AuthError::UserUnAuthenticated`] when signed out; Cognito's errors by name.
pub async fn fetch_mfa_preference(ctx: &ServerContext) -> Result<MfaPreferences, AuthError> {
    let (token, _, runtime) = signed_in(ctx).await?;
    let user = runtime
        .cognito
        .get_user(&token)
        .instrument(tracing::info_span!("amplify_ssr.fetch_mfa_preference"))
        .await?;
    Ok(MfaPreferences {
        preferred: user
            .preferred_mfa_setting
            .as_deref()
            .and_then(MfaType::parse),
        enabled: user
            .user_mfa_setting_list
            .iter()
            .filter_map(|name| MfaType::parse(name))
            .collect(),
    })
}
