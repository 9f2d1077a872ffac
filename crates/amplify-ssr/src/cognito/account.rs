//! The account operations of the user-pool API: password reset, sign-up codes, password change, attribute
//! updates and verification, user deletion, TOTP set-up and MFA preferences.
//!
//! Every request body carries its secrets (codes, passwords, tokens, sessions) only on the wire; the answers'
//! secrets (the TOTP `SecretCode`, a `Session`) come back in newtypes with a redacted `Debug`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{CodeDeliveryDetails, CognitoClient, CognitoError};
use crate::secret::{AccessToken, CognitoSession, ConfirmationCode, Password, TotpSecret};

/// What authorises a software-token (TOTP) set-up call: the signed-in user's access token, or the `Session` of
/// a sign-in at its `MFA_SETUP` step.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum SoftwareTokenAuth<'a> {
    /// `AccessToken`: a signed-in user adds an authenticator app.
    AccessToken(&'a AccessToken),
    /// `Session`: a sign-in that requires MFA set-up.
    Session(&'a CognitoSession),
}

impl SoftwareTokenAuth<'_> {
    fn insert_into(self, body: &mut Value) {
        match self {
            Self::AccessToken(token) => body["AccessToken"] = json!(token.secret()),
            Self::Session(session) => body["Session"] = json!(session.secret()),
        }
    }
}

/// The answer to `AssociateSoftwareToken`. `Debug` hides the secret and the session.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AssociateSoftwareTokenResponse {
    /// `SecretCode`: the base32 shared secret to put in the authenticator app.
    pub secret_code: TotpSecret,
    /// `Session`: the sign-in's next session, when the call was made with one.
    pub session: Option<CognitoSession>,
}

/// The answer to `VerifySoftwareToken`. `Debug` hides the session (its type's does).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct VerifySoftwareTokenResponse {
    /// `Status`: `SUCCESS` or `ERROR`.
    pub status: Option<String>,
    /// `Session`: the sign-in's next session, when the call was made with one.
    pub session: Option<CognitoSession>,
}

/// One MFA method's setting in `SetUserMFAPreference` (`SMSMfaSettings`, `SoftwareTokenMfaSettings`,
/// `EmailMfaSettings`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MfaSetting {
    /// `Enabled`.
    pub enabled: bool,
    /// `PreferredMfa`; `None` leaves it out.
    pub preferred: Option<bool>,
}

impl MfaSetting {
    /// A setting with `Enabled` and, optionally, `PreferredMfa`.
    #[must_use]
    pub fn new(enabled: bool, preferred: Option<bool>) -> Self {
        Self { enabled, preferred }
    }

    fn to_json(self) -> Value {
        let mut value = json!({ "Enabled": self.enabled });
        if let Some(preferred) = self.preferred {
            value["PreferredMfa"] = json!(preferred);
        }
        value
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireDelivery {
    code_delivery_details: Option<CodeDeliveryDetails>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireDeliveryList {
    code_delivery_details_list: Option<Vec<CodeDeliveryDetails>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireAssociate {
    secret_code: Option<String>,
    session: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireVerify {
    status: Option<String>,
    session: Option<String>,
}

fn with_metadata(mut body: Value, metadata: Option<&BTreeMap<String, String>>) -> Value {
    if let Some(metadata) = metadata {
        body["ClientMetadata"] = json!(metadata);
    }
    body
}

impl CognitoClient {
    async fn call_ignoring_answer(
        &self,
        operation: &'static str,
        body: &Value,
    ) -> Result<(), CognitoError> {
        let _: serde::de::IgnoredAny = self.transport.call(operation, body).await?;
        Ok(())
    }

    /// `ResendConfirmationCode`: sends the sign-up confirmation code again.
    ///
    /// # Errors
    ///
    /// See [`CognitoError`] (`UserNotFoundException`, `LimitExceededException`, ...).
    pub async fn resend_confirmation_code(
        &self,
        client_id: &str,
        username: &str,
        client_metadata: Option<&BTreeMap<String, String>>,
    ) -> Result<Option<CodeDeliveryDetails>, CognitoError> {
        let body = json!({ "ClientId": client_id, "Username": username });
        let wire: WireDelivery = self
            .transport
            .call(
                "ResendConfirmationCode",
                &with_metadata(body, client_metadata),
            )
            .await?;
        Ok(wire.code_delivery_details)
    }

    /// `ForgotPassword`: sends a password-reset code.
    ///
    /// # Errors
    ///
    /// See [`CognitoError`] (`UserNotFoundException`, `LimitExceededException`, ...).
    pub async fn forgot_password(
        &self,
        client_id: &str,
        username: &str,
        client_metadata: Option<&BTreeMap<String, String>>,
    ) -> Result<Option<CodeDeliveryDetails>, CognitoError> {
        let body = json!({ "ClientId": client_id, "Username": username });
        let wire: WireDelivery = self
            .transport
            .call("ForgotPassword", &with_metadata(body, client_metadata))
            .await?;
        Ok(wire.code_delivery_details)
    }

    /// `ConfirmForgotPassword`: sets a new password with the reset code.
    ///
    /// # Errors
    ///
    /// See [`CognitoError`] (`CodeMismatchException`, `ExpiredCodeException`, `InvalidPasswordException`, ...).
    pub async fn confirm_forgot_password(
        &self,
        client_id: &str,
        username: &str,
        code: &ConfirmationCode,
        new_password: &Password,
        client_metadata: Option<&BTreeMap<String, String>>,
    ) -> Result<(), CognitoError> {
        let body = json!({
            "ClientId": client_id,
            "Username": username,
            "ConfirmationCode": code.secret(),
            "Password": new_password.secret(),
        });
        self.call_ignoring_answer(
            "ConfirmForgotPassword",
            &with_metadata(body, client_metadata),
        )
        .await
    }

    /// `ChangePassword`: the signed-in user changes their password.
    ///
    /// # Errors
    ///
    /// See [`CognitoError`] (`NotAuthorizedException` for a wrong old password, `InvalidPasswordException`, ...).
    pub async fn change_password(
        &self,
        access_token: &AccessToken,
        previous: &Password,
        proposed: &Password,
    ) -> Result<(), CognitoError> {
        let body = json!({
            "AccessToken": access_token.secret(),
            "PreviousPassword": previous.secret(),
            "ProposedPassword": proposed.secret(),
        });
        self.call_ignoring_answer("ChangePassword", &body).await
    }

    /// `UpdateUserAttributes`: updates the signed-in user's attributes; returns where verification codes were
    /// sent (for `email` and `phone_number` when the pool verifies them).
    ///
    /// # Errors
    ///
    /// See [`CognitoError`] (`InvalidParameterException`, `AliasExistsException`, ...).
    pub async fn update_user_attributes(
        &self,
        access_token: &AccessToken,
        attributes: &BTreeMap<String, String>,
        client_metadata: Option<&BTreeMap<String, String>>,
    ) -> Result<Vec<CodeDeliveryDetails>, CognitoError> {
        let list: Vec<Value> = attributes
            .iter()
            .map(|(name, value)| json!({ "Name": name, "Value": value }))
            .collect();
        let body = json!({ "AccessToken": access_token.secret(), "UserAttributes": list });
        let wire: WireDeliveryList = self
            .transport
            .call(
                "UpdateUserAttributes",
                &with_metadata(body, client_metadata),
            )
            .await?;
        Ok(wire.code_delivery_details_list.unwrap_or_default())
    }

    /// `VerifyUserAttribute`: confirms an attribute (e.g. `email`) with the code sent to it.
    ///
    /// # Errors
    ///
    /// See [`CognitoError`] (`CodeMismatchException`, `ExpiredCodeException`, ...).
    pub async fn verify_user_attribute(
        &self,
        access_token: &AccessToken,
        attribute_name: &str,
        code: &ConfirmationCode,
    ) -> Result<(), CognitoError> {
        let body = json!({
            "AccessToken": access_token.secret(),
            "AttributeName": attribute_name,
            "Code": code.secret(),
        });
        self.call_ignoring_answer("VerifyUserAttribute", &body)
            .await
    }

    /// `GetUserAttributeVerificationCode`: sends a verification code for an attribute.
    ///
    /// # Errors
    ///
    /// See [`CognitoError`].
    pub async fn get_user_attribute_verification_code(
        &self,
        access_token: &AccessToken,
        attribute_name: &str,
        client_metadata: Option<&BTreeMap<String, String>>,
    ) -> Result<Option<CodeDeliveryDetails>, CognitoError> {
        let body = json!({ "AccessToken": access_token.secret(), "AttributeName": attribute_name });
        let wire: WireDelivery = self
            .transport
            .call(
                "GetUserAttributeVerificationCode",
                &with_metadata(body, client_metadata),
            )
            .await?;
        Ok(wire.code_delivery_details)
    }

    /// `DeleteUser`: deletes the signed-in user.
    ///
    /// # Errors
    ///
    /// See [`CognitoError`].
    pub async fn delete_user(&self, access_token: &AccessToken) -> Result<(), CognitoError> {
        let body = json!({ "AccessToken": access_token.secret() });
        self.call_ignoring_answer("DeleteUser", &body).await
    }

    /// `AssociateSoftwareToken`: starts an authenticator-app (TOTP) set-up and returns its shared secret.
    ///
    /// # Errors
    ///
    /// See [`CognitoError`]; an answer without `SecretCode` is [`CognitoError::InvalidResponse`].
    pub async fn associate_software_token(
        &self,
        auth: SoftwareTokenAuth<'_>,
    ) -> Result<AssociateSoftwareTokenResponse, CognitoError> {
        const OP: &str = "AssociateSoftwareToken";
        let mut body = json!({});
        auth.insert_into(&mut body);
        let wire: WireAssociate = self.transport.call(OP, &body).await?;
        let secret_code = wire.secret_code.filter(|code| !code.is_empty()).ok_or(
            CognitoError::InvalidResponse {
                operation: OP,
                detail: "no SecretCode in the response".to_owned(),
            },
        )?;
        Ok(AssociateSoftwareTokenResponse {
            secret_code: TotpSecret::new(secret_code),
            session: wire.session.map(CognitoSession::new),
        })
    }

    /// `VerifySoftwareToken`: confirms an authenticator-app set-up with a code computed from the new secret.
    ///
    /// # Errors
    ///
    /// See [`CognitoError`] (`CodeMismatchException`, `EnableSoftwareTokenMFAException`, ...).
    pub async fn verify_software_token(
        &self,
        auth: SoftwareTokenAuth<'_>,
        code: &ConfirmationCode,
        friendly_device_name: Option<&str>,
    ) -> Result<VerifySoftwareTokenResponse, CognitoError> {
        let mut body = json!({ "UserCode": code.secret() });
        auth.insert_into(&mut body);
        if let Some(name) = friendly_device_name {
            body["FriendlyDeviceName"] = json!(name);
        }
        let wire: WireVerify = self.transport.call("VerifySoftwareToken", &body).await?;
        Ok(VerifySoftwareTokenResponse {
            status: wire.status,
            session: wire.session.map(CognitoSession::new),
        })
    }

    /// `SetUserMFAPreference`: enables, disables or prefers the signed-in user's MFA methods; a method passed as
    /// `None` is left unchanged.
    ///
    /// # Errors
    ///
    /// See [`CognitoError`] (`InvalidParameterException` for a method that is not set up, ...).
    pub async fn set_user_mfa_preference(
        &self,
        access_token: &AccessToken,
        sms: Option<MfaSetting>,
        software_token: Option<MfaSetting>,
        email: Option<MfaSetting>,
    ) -> Result<(), CognitoError> {
        let mut body = json!({ "AccessToken": access_token.secret() });
        for (key, setting) in [
            ("SMSMfaSettings", sms),
            ("SoftwareTokenMfaSettings", software_token),
            ("EmailMfaSettings", email),
        ] {
            if let Some(setting) = setting {
                body[key] = setting.to_json();
            }
        }
        self.call_ignoring_answer("SetUserMFAPreference", &body)
            .await
    }
}
