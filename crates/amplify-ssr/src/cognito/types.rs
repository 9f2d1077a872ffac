//! Request and response types of the user-pool operations, with Cognito's PascalCase wire names.
//!
//! Secrets (passwords, tokens, challenge answers, challenge sessions) never appear in `Debug` output: parameter
//! maps print their keys only.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::secret::{
    AccessToken, IdToken, Password, Redacted, RedactedValues, RefreshToken, redacted_opt,
};

/// A Cognito authentication flow (`AuthFlow` of `InitiateAuth`): the one flow type of the crate, taken by
/// [`InitiateAuthRequest`] and by [`sign_in`](crate::sign_in), which runs the two password flows
/// ([`UserSrpAuth`](Self::UserSrpAuth), the default, and [`UserPasswordAuth`](Self::UserPasswordAuth)) and refuses
/// the others.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthFlow {
    /// `USER_SRP_AUTH`: Secure Remote Password: the password is proven, never sent (aws-amplify's default).
    #[default]
    UserSrpAuth,
    /// `USER_PASSWORD_AUTH`: the password is sent to Cognito over TLS. The app client must allow
    /// `ALLOW_USER_PASSWORD_AUTH`.
    UserPasswordAuth,
    /// `REFRESH_TOKEN_AUTH`: new tokens from a refresh token.
    RefreshTokenAuth,
    /// `CUSTOM_AUTH`: Lambda-driven custom challenges.
    CustomAuth,
    /// `USER_AUTH`: choice-based sign-in (passwordless, passkeys, password).
    UserAuth,
    /// Any other flow name, sent verbatim.
    Other(&'static str),
}

impl AuthFlow {
    /// The wire name, e.g. `USER_PASSWORD_AUTH`.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::UserSrpAuth => "USER_SRP_AUTH",
            Self::UserPasswordAuth => "USER_PASSWORD_AUTH",
            Self::RefreshTokenAuth => "REFRESH_TOKEN_AUTH",
            Self::CustomAuth => "CUSTOM_AUTH",
            Self::UserAuth => "USER_AUTH",
            Self::Other(name) => name,
        }
    }
}

impl Serialize for AuthFlow {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The body of `InitiateAuth`. `Debug` shows the names of the auth parameters, never their values.
#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct InitiateAuthRequest {
    /// `AuthFlow`.
    pub auth_flow: AuthFlow,
    /// `ClientId`: the app client.
    pub client_id: String,
    /// `AuthParameters`: `USERNAME`, `PASSWORD`, `SRP_A`, `REFRESH_TOKEN`, `SECRET_HASH`, `DEVICE_KEY`, ...
    pub auth_parameters: BTreeMap<String, String>,
    /// `ClientMetadata`, passed to Lambda triggers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<BTreeMap<String, String>>,
}

impl std::fmt::Debug for InitiateAuthRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InitiateAuthRequest")
            .field("auth_flow", &self.auth_flow)
            .field("client_id", &self.client_id)
            .field("auth_parameters", &RedactedValues(&self.auth_parameters))
            .field(
                "client_metadata",
                &self.client_metadata.as_ref().map(RedactedValues),
            )
            .finish()
    }
}

impl InitiateAuthRequest {
    /// A request for `auth_flow` by app client `client_id`, with no parameters yet.
    #[must_use]
    pub fn new(auth_flow: AuthFlow, client_id: impl Into<String>) -> Self {
        Self {
            auth_flow,
            client_id: client_id.into(),
            auth_parameters: BTreeMap::new(),
            client_metadata: None,
        }
    }

    /// `USER_PASSWORD_AUTH` with `USERNAME` and `PASSWORD`.
    #[must_use]
    pub fn user_password(
        client_id: impl Into<String>,
        username: impl Into<String>,
        password: &Password,
    ) -> Self {
        Self::new(AuthFlow::UserPasswordAuth, client_id)
            .with_parameter("USERNAME", username)
            .with_parameter("PASSWORD", password.secret())
    }

    /// `REFRESH_TOKEN_AUTH` with `REFRESH_TOKEN` and, for a remembered device, `DEVICE_KEY`.
    #[must_use]
    pub fn refresh_token(
        client_id: impl Into<String>,
        refresh_token: &RefreshToken,
        device_key: Option<&str>,
    ) -> Self {
        let request = Self::new(AuthFlow::RefreshTokenAuth, client_id)
            .with_parameter("REFRESH_TOKEN", refresh_token.secret());
        match device_key {
            Some(key) => request.with_parameter("DEVICE_KEY", key),
            None => request,
        }
    }

    /// Adds (or replaces) one `AuthParameters` entry.
    #[must_use]
    pub fn with_parameter(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.auth_parameters.insert(name.into(), value.into());
        self
    }

    /// Sets `ClientMetadata`.
    #[must_use]
    pub fn with_client_metadata(mut self, metadata: BTreeMap<String, String>) -> Self {
        self.client_metadata = Some(metadata);
        self
    }
}

/// The body of `RespondToAuthChallenge`. `Debug` hides the challenge answers and the session.
#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct RespondToAuthChallengeRequest {
    /// `ClientId`.
    pub client_id: String,
    /// `ChallengeName`: the `ChallengeName` being answered (`PASSWORD_VERIFIER`, `SMS_MFA`,
    /// `NEW_PASSWORD_REQUIRED`, ...).
    pub challenge_name: String,
    /// `ChallengeResponses`: `USERNAME`, `PASSWORD_CLAIM_SIGNATURE`, `SMS_MFA_CODE`, `NEW_PASSWORD`, ...
    pub challenge_responses: BTreeMap<String, String>,
    /// `Session`: the opaque session from the previous step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// `ClientMetadata`, passed to Lambda triggers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<BTreeMap<String, String>>,
}

impl std::fmt::Debug for RespondToAuthChallengeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RespondToAuthChallengeRequest")
            .field("client_id", &self.client_id)
            .field("challenge_name", &self.challenge_name)
            .field(
                "challenge_responses",
                &RedactedValues(&self.challenge_responses),
            )
            .field("session", &redacted_opt(self.session.as_ref()))
            .field(
                "client_metadata",
                &self.client_metadata.as_ref().map(RedactedValues),
            )
            .finish()
    }
}

impl RespondToAuthChallengeRequest {
    /// An answer to `challenge_name` with no responses yet.
    #[must_use]
    pub fn new(
        client_id: impl Into<String>,
        challenge_name: impl Into<String>,
        session: Option<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            challenge_name: challenge_name.into(),
            challenge_responses: BTreeMap::new(),
            session,
            client_metadata: None,
        }
    }

    /// Adds (or replaces) one `ChallengeResponses` entry.
    #[must_use]
    pub fn with_response(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.challenge_responses.insert(name.into(), value.into());
        self
    }

    /// Sets `ClientMetadata`.
    #[must_use]
    pub fn with_client_metadata(mut self, metadata: BTreeMap<String, String>) -> Self {
        self.client_metadata = Some(metadata);
        self
    }
}

/// The answer to `InitiateAuth` and `RespondToAuthChallenge`: tokens, or the next challenge.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct InitiateAuthResponse {
    /// `AuthenticationResult`: present when authentication is complete.
    pub authentication_result: Option<AuthenticationResult>,
    /// `ChallengeName`: the next challenge, when authentication is not complete.
    pub challenge_name: Option<String>,
    /// `ChallengeParameters` (`SRP_B`, `SALT`, `SECRET_BLOCK`, `USER_ID_FOR_SRP`, `CODE_DELIVERY_DESTINATION`,
    /// ...). `Debug` shows the names only.
    pub challenge_parameters: BTreeMap<String, String>,
    /// `Session`: to send back with the challenge answer. `Debug` hides it.
    pub session: Option<String>,
    /// `AvailableChallenges` (`USER_AUTH` flow).
    pub available_challenges: Vec<String>,
}

impl std::fmt::Debug for InitiateAuthResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InitiateAuthResponse")
            .field("authentication_result", &self.authentication_result)
            .field("challenge_name", &self.challenge_name)
            .field(
                "challenge_parameters",
                &RedactedValues(&self.challenge_parameters),
            )
            .field("session", &redacted_opt(self.session.as_ref()))
            .field("available_challenges", &self.available_challenges)
            .finish()
    }
}

/// Tokens issued by a sign-in or a refresh (`AuthenticationResult`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthenticationResult {
    /// `AccessToken`.
    pub access_token: AccessToken,
    /// `IdToken` (absent for some flows, e.g. without the `openid` scope).
    pub id_token: Option<IdToken>,
    /// `RefreshToken`: returned by sign-in, and by a refresh only when refresh-token rotation is on (otherwise
    /// keep the old one).
    pub refresh_token: Option<RefreshToken>,
    /// `ExpiresIn`: access token lifetime in seconds.
    pub expires_in: Option<i64>,
    /// `TokenType`: `Bearer`.
    pub token_type: Option<String>,
    /// `NewDeviceMetadata`: present when the pool tracks devices and this sign-in created a device.
    pub new_device_metadata: Option<NewDeviceMetadata>,
}

impl AuthenticationResult {
    /// A result holding only an access token (other fields empty); for tests and fakes.
    #[must_use]
    pub fn new(access_token: AccessToken) -> Self {
        Self {
            access_token,
            id_token: None,
            refresh_token: None,
            expires_in: None,
            token_type: None,
            new_device_metadata: None,
        }
    }
}

/// A device created by a sign-in (`NewDeviceMetadata`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct NewDeviceMetadata {
    /// `DeviceKey`.
    pub device_key: Option<String>,
    /// `DeviceGroupKey`.
    pub device_group_key: Option<String>,
}

/// The answer to `GetUser`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct GetUserResponse {
    /// `Username`.
    pub username: String,
    /// `UserAttributes` as a flat map, as Amplify's `fetchUserAttributes` returns it (`sub`, `email`,
    /// `email_verified` as the string `"true"`, `custom:*`, ...). Attributes without a value are left out.
    pub user_attributes: BTreeMap<String, String>,
    /// `PreferredMfaSetting`.
    pub preferred_mfa_setting: Option<String>,
    /// `UserMFASettingList`.
    pub user_mfa_setting_list: Vec<String>,
}

/// The body of `SignUp`. `Debug` hides the password, the secret hash and the client metadata values.
#[derive(Clone)]
#[non_exhaustive]
pub struct SignUpRequest {
    /// `ClientId`.
    pub client_id: String,
    /// `Username`.
    pub username: String,
    /// `Password`.
    pub password: Password,
    /// `UserAttributes` (`email`, `phone_number`, `custom:*`, ...).
    pub user_attributes: BTreeMap<String, String>,
    /// `SecretHash`, for app clients with a secret.
    pub secret_hash: Option<String>,
    /// `ClientMetadata`, passed to Lambda triggers.
    pub client_metadata: Option<BTreeMap<String, String>>,
}

impl SignUpRequest {
    /// A sign-up with no attributes.
    #[must_use]
    pub fn new(
        client_id: impl Into<String>,
        username: impl Into<String>,
        password: Password,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            username: username.into(),
            password,
            user_attributes: BTreeMap::new(),
            secret_hash: None,
            client_metadata: None,
        }
    }

    /// Adds (or replaces) a user attribute.
    #[must_use]
    pub fn with_attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.user_attributes.insert(name.into(), value.into());
        self
    }
}

/// Where a confirmation code was sent (`CodeDeliveryDetails`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct CodeDeliveryDetails {
    /// `Destination`: the masked address or number.
    pub destination: Option<String>,
    /// `DeliveryMedium`: `EMAIL` or `SMS`.
    pub delivery_medium: Option<String>,
    /// `AttributeName`: `email` or `phone_number`.
    pub attribute_name: Option<String>,
}

/// The answer to `SignUp`. `Debug` hides the session.
#[derive(Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct SignUpResponse {
    /// `UserConfirmed`: `false` when a confirmation code must be entered.
    #[serde(default)]
    pub user_confirmed: bool,
    /// `UserSub`: the new user's `sub`.
    #[serde(default)]
    pub user_sub: String,
    /// `CodeDeliveryDetails`.
    pub code_delivery_details: Option<CodeDeliveryDetails>,
    /// `Session`: for auto sign-in with the `USER_AUTH` flow.
    pub session: Option<String>,
}

/// The body of `ConfirmSignUp`. `Debug` hides the code and the session.
#[derive(Clone)]
#[non_exhaustive]
pub struct ConfirmSignUpRequest {
    /// `ClientId`.
    pub client_id: String,
    /// `Username`.
    pub username: String,
    /// `ConfirmationCode`.
    pub confirmation_code: String,
    /// `SecretHash`, for app clients with a secret.
    pub secret_hash: Option<String>,
    /// `Session`, from `SignUp` (auto sign-in).
    pub session: Option<String>,
    /// `ClientMetadata`, passed to Lambda triggers.
    pub client_metadata: Option<BTreeMap<String, String>>,
}

impl ConfirmSignUpRequest {
    /// A confirmation of `username` with `code`.
    #[must_use]
    pub fn new(
        client_id: impl Into<String>,
        username: impl Into<String>,
        code: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            username: username.into(),
            confirmation_code: code.into(),
            secret_hash: None,
            session: None,
            client_metadata: None,
        }
    }
}

/// The answer to `ConfirmSignUp`. `Debug` hides the session.
#[derive(Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ConfirmSignUpResponse {
    /// `Session`: for auto sign-in with the `USER_AUTH` flow.
    pub session: Option<String>,
}

impl std::fmt::Debug for SignUpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignUpRequest")
            .field("client_id", &self.client_id)
            .field("username", &self.username)
            .field("password", &self.password)
            .field("user_attributes", &self.user_attributes)
            .field("secret_hash", &redacted_opt(self.secret_hash.as_ref()))
            .field(
                "client_metadata",
                &self.client_metadata.as_ref().map(RedactedValues),
            )
            .finish()
    }
}

impl std::fmt::Debug for SignUpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignUpResponse")
            .field("user_confirmed", &self.user_confirmed)
            .field("user_sub", &self.user_sub)
            .field("code_delivery_details", &self.code_delivery_details)
            .field("session", &redacted_opt(self.session.as_ref()))
            .finish()
    }
}

impl std::fmt::Debug for ConfirmSignUpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfirmSignUpRequest")
            .field("client_id", &self.client_id)
            .field("username", &self.username)
            .field("confirmation_code", &Redacted(()))
            .field("secret_hash", &redacted_opt(self.secret_hash.as_ref()))
            .field("session", &redacted_opt(self.session.as_ref()))
            .field(
                "client_metadata",
                &self.client_metadata.as_ref().map(RedactedValues),
            )
            .finish()
    }
}

impl std::fmt::Debug for ConfirmSignUpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfirmSignUpResponse")
            .field("session", &redacted_opt(self.session.as_ref()))
            .finish()
    }
}

// ---- wire shapes (private) ----

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct WireAuthResult {
    access_token: Option<String>,
    id_token: Option<String>,
    refresh_token: Option<String>,
    expires_in: Option<i64>,
    token_type: Option<String>,
    new_device_metadata: Option<NewDeviceMetadata>,
}

impl WireAuthResult {
    pub(super) fn into_result(self) -> Option<AuthenticationResult> {
        Some(AuthenticationResult {
            access_token: AccessToken::new(self.access_token.filter(|t| !t.is_empty())?),
            id_token: self.id_token.filter(|t| !t.is_empty()).map(IdToken::new),
            refresh_token: self
                .refresh_token
                .filter(|t| !t.is_empty())
                .map(RefreshToken::new),
            expires_in: self.expires_in,
            token_type: self.token_type,
            new_device_metadata: self.new_device_metadata,
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct WireInitiateAuthResponse {
    pub(super) authentication_result: Option<WireAuthResult>,
    pub(super) challenge_name: Option<String>,
    #[serde(default)]
    pub(super) challenge_parameters: Option<BTreeMap<String, String>>,
    pub(super) session: Option<String>,
    #[serde(default)]
    pub(super) available_challenges: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct WireAuthResultResponse {
    pub(super) authentication_result: Option<WireAuthResult>,
}

#[derive(Deserialize)]
pub(super) struct WireAttribute {
    #[serde(rename = "Name")]
    pub(super) name: String,
    #[serde(rename = "Value")]
    pub(super) value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct WireGetUserResponse {
    pub(super) username: String,
    #[serde(default)]
    pub(super) user_attributes: Option<Vec<WireAttribute>>,
    pub(super) preferred_mfa_setting: Option<String>,
    #[serde(rename = "UserMFASettingList", default)]
    pub(super) user_mfa_setting_list: Option<Vec<String>>,
}

#[derive(Serialize)]
pub(super) struct WireAttributeRef<'a> {
    #[serde(rename = "Name")]
    pub(super) name: &'a str,
    #[serde(rename = "Value")]
    pub(super) value: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct WireSignUp<'a> {
    pub(super) client_id: &'a str,
    pub(super) username: &'a str,
    pub(super) password: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) user_attributes: Vec<WireAttributeRef<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) secret_hash: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) client_metadata: Option<&'a BTreeMap<String, String>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct WireConfirmSignUp<'a> {
    pub(super) client_id: &'a str,
    pub(super) username: &'a str,
    pub(super) confirmation_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) secret_hash: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) session: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) client_metadata: Option<&'a BTreeMap<String, String>>,
}
