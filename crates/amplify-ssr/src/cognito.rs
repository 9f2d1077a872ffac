//! A client for the Cognito user-pool JSON API (`AWSCognitoIdentityProviderService`): sign-in, challenges,
//! token refresh, user attributes, sign-out, sign-up; and [`IdentityClient`] for the identity-pool API
//! (`AWSCognitoIdentityService`: `GetId`, `GetCredentialsForIdentity`).
//!
//! # Wire protocol
//!
//! Every call is an unsigned `POST` of a JSON body to the user-pool endpoint (used verbatim, so it can point at
//! `https://cognito-idp.{region}.amazonaws.com/`, amplify-local, moto or cognito-local), with the same headers as
//! aws-amplify: `content-type: application/x-amz-json-1.1`, `x-amz-target: AWSCognitoIdentityProviderService.<Op>`,
//! `cache-control: no-store`, `x-amz-user-agent: amplify-ssr/<version>`, `amz-sdk-invocation-id` (one UUID per
//! call, the same on every retry) and `amz-sdk-request: attempt=<n>; max=<m>`.
//!
//! # Retries
//!
//! Network errors, HTTP 429/500/502/503/504 and throttling or timeout codes are retried with jittered exponential
//! backoff (see [`RetryPolicy`]): 3 attempts by default, like aws-amplify. `NotAuthorizedException` and other
//! client errors are never retried, and neither is an operation the server does not implement
//! ([`CognitoError::is_unknown_operation`]). Unlike aws-amplify, clock-skew codes (`InvalidSignatureException`,
//! `RequestTimeTooSkewed`, ...) are not retried: these requests are unsigned, so a retry cannot help.
//!
//! Each attempt has its own timeout ([`CognitoClient::with_attempt_timeout`], default 10 s) on top of the
//! `reqwest::Client`'s. Token refreshes made by a [`ServerRunner`](crate::ServerRunner) also have an overall
//! deadline across their attempts ([`ServerRunnerBuilder::refresh_timeout`](crate::ServerRunnerBuilder::refresh_timeout)). The client should not follow redirects for these `POST`s (reqwest's default policy would
//! turn a 302 into a `GET`); build it with `redirect::Policy::none()` if the endpoint is not trusted.
//!
//! # Logging
//!
//! Each attempt runs in a `cognito` tracing span with the service, operation, attempt number, invocation id, HTTP
//! status and error code. Request and response bodies, tokens and passwords are never logged, and error messages
//! taken from responses are truncated and scrubbed of anything that looks like a JWT.

mod account;
mod error;
mod identity;
mod transport;
mod types;

#[cfg(test)]
pub(crate) mod test_http;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use url::Url;

pub use crate::outbound::RetryPolicy;
pub use account::{
    AssociateSoftwareTokenResponse, MfaSetting, SoftwareTokenAuth, VerifySoftwareTokenResponse,
};
pub use error::CognitoError;
pub use identity::{GetCredentialsForIdentityResponse, IdentityClient, logins_key};
pub use transport::DEFAULT_ATTEMPT_TIMEOUT;
pub(crate) use transport::{JsonTransport, Service, is_plain_code};
pub use types::{
    AuthFlow, AuthenticationResult, CodeDeliveryDetails, ConfirmSignUpRequest,
    ConfirmSignUpResponse, GetUserResponse, InitiateAuthRequest, InitiateAuthResponse,
    NewDeviceMetadata, RespondToAuthChallengeRequest, SignUpRequest, SignUpResponse,
};

use crate::secret::{AccessToken, RefreshToken};
use types::{
    WireAttributeRef, WireAuthResultResponse, WireConfirmSignUp, WireGetUserResponse,
    WireInitiateAuthResponse, WireSignUp,
};

/// A client for one Cognito user-pool endpoint. Cheap to clone (an `Arc` inside); share one per process.
///
/// ```no_run
/// # async fn run(refresh_token: amplify_ssr::secret::RefreshToken) -> Result<(), Box<dyn std::error::Error>> {
/// use amplify_ssr::cognito::CognitoClient;
///
/// let cognito = CognitoClient::new(reqwest::Client::new(), "https://cognito-idp.eu-west-1.amazonaws.com/".parse()?);
/// let tokens = cognito.get_tokens_from_refresh_token("app-client-id", &refresh_token, None).await?;
/// # let _ = tokens;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct CognitoClient {
    transport: Arc<JsonTransport>,
}

impl CognitoClient {
    /// A client that sends every call to `endpoint` verbatim (for AWS, `https://cognito-idp.{region}.amazonaws.com/`).
    #[must_use]
    pub fn new(http: reqwest::Client, endpoint: Url) -> Self {
        Self {
            transport: Arc::new(JsonTransport::new(http, endpoint, Service::UserPools)),
        }
    }

    /// Replaces the retry policy (default: [`RetryPolicy::default`]).
    #[must_use]
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        Arc::make_mut(&mut self.transport).set_retry(policy);
        self
    }

    /// The time limit of one attempt, connection to last body byte (default [`DEFAULT_ATTEMPT_TIMEOUT`], 10 s);
    /// `None` leaves only the `reqwest::Client`'s own timeouts.
    #[must_use]
    pub fn with_attempt_timeout(mut self, timeout: Option<Duration>) -> Self {
        Arc::make_mut(&mut self.transport).set_attempt_timeout(timeout);
        self
    }

    /// The endpoint calls are sent to.
    #[must_use]
    pub fn endpoint(&self) -> &Url {
        self.transport.endpoint()
    }

    /// `InitiateAuth`: starts a sign-in (or a `REFRESH_TOKEN_AUTH` refresh).
    ///
    /// # Errors
    ///
    /// See [`CognitoError`]; a wrong password is [`CognitoError::is_not_authorized`].
    pub async fn initiate_auth(
        &self,
        request: &InitiateAuthRequest,
    ) -> Result<InitiateAuthResponse, CognitoError> {
        const OP: &str = "InitiateAuth";
        let wire: WireInitiateAuthResponse = self.transport.call(OP, request).await?;
        auth_response(OP, wire)
    }

    /// `RespondToAuthChallenge`: answers the challenge from a previous step.
    ///
    /// # Errors
    ///
    /// See [`CognitoError`].
    pub async fn respond_to_auth_challenge(
        &self,
        request: &RespondToAuthChallengeRequest,
    ) -> Result<InitiateAuthResponse, CognitoError> {
        const OP: &str = "RespondToAuthChallenge";
        let wire: WireInitiateAuthResponse = self.transport.call(OP, request).await?;
        auth_response(OP, wire)
    }

    /// `GetTokensFromRefreshToken`: new tokens from a refresh token (what aws-amplify ≥ 6.15 calls; required by
    /// app clients with refresh-token rotation, in which case the result carries a new refresh token).
    ///
    /// Servers without this operation (moto, cognito-local) give an error for which
    /// [`CognitoError::is_unknown_operation`] is true; fall back to [`Self::refresh_with_initiate_auth`].
    ///
    /// # Errors
    ///
    /// See [`CognitoError`]; an expired or revoked refresh token is [`CognitoError::is_not_authorized`].
    pub async fn get_tokens_from_refresh_token(
        &self,
        client_id: &str,
        refresh_token: &RefreshToken,
        device_key: Option<&str>,
    ) -> Result<AuthenticationResult, CognitoError> {
        const OP: &str = "GetTokensFromRefreshToken";
        let mut body = json!({ "ClientId": client_id, "RefreshToken": refresh_token.secret() });
        if let Some(key) = device_key {
            body["DeviceKey"] = json!(key);
        }
        let wire: WireAuthResultResponse = self.transport.call(OP, &body).await?;
        wire.authentication_result
            .and_then(types::WireAuthResult::into_result)
            .ok_or(CognitoError::InvalidResponse {
                operation: OP,
                detail: "no AuthenticationResult.AccessToken in the response".to_owned(),
            })
    }

    /// `InitiateAuth` with `REFRESH_TOKEN_AUTH`: the refresh call of aws-amplify before 6.15, for servers that
    /// lack `GetTokensFromRefreshToken`. Rejected by app clients with refresh-token rotation.
    ///
    /// # Errors
    ///
    /// See [`CognitoError`]; a challenge instead of tokens is [`CognitoError::InvalidResponse`].
    pub async fn refresh_with_initiate_auth(
        &self,
        client_id: &str,
        refresh_token: &RefreshToken,
        device_key: Option<&str>,
    ) -> Result<AuthenticationResult, CognitoError> {
        const OP: &str = "InitiateAuth";
        let request = InitiateAuthRequest::refresh_token(client_id, refresh_token, device_key);
        let wire: WireInitiateAuthResponse = self.transport.call(OP, &request).await?;
        auth_response(OP, wire)?
            .authentication_result
            .ok_or(CognitoError::InvalidResponse {
                operation: OP,
                detail: "a refresh returned a challenge instead of AuthenticationResult".to_owned(),
            })
    }

    /// `GetUser`: the user's name and attributes, authorised by an access token.
    ///
    /// # Errors
    ///
    /// See [`CognitoError`]; an invalid, expired or signed-out token is [`CognitoError::is_not_authorized`].
    pub async fn get_user(
        &self,
        access_token: &AccessToken,
    ) -> Result<GetUserResponse, CognitoError> {
        let wire: WireGetUserResponse = self
            .transport
            .call("GetUser", &json!({ "AccessToken": access_token.secret() }))
            .await?;
        Ok(GetUserResponse {
            username: wire.username,
            user_attributes: wire
                .user_attributes
                .unwrap_or_default()
                .into_iter()
                .filter_map(|a| Some((a.name, a.value?)))
                .collect(),
            preferred_mfa_setting: wire.preferred_mfa_setting,
            user_mfa_setting_list: wire.user_mfa_setting_list.unwrap_or_default(),
        })
    }

    /// `RevokeToken`: revokes a refresh token and the tokens issued from it (app clients with token revocation).
    ///
    /// Servers without this operation (moto) give an error for which [`CognitoError::is_unknown_operation`] is
    /// true.
    ///
    /// # Errors
    ///
    /// See [`CognitoError`].
    pub async fn revoke_token(
        &self,
        client_id: &str,
        refresh_token: &RefreshToken,
    ) -> Result<(), CognitoError> {
        let body = json!({ "ClientId": client_id, "Token": refresh_token.secret() });
        let _: serde::de::IgnoredAny = self.transport.call("RevokeToken", &body).await?;
        Ok(())
    }

    /// `GlobalSignOut`: signs the user out of every device (invalidates all their refresh tokens).
    ///
    /// # Errors
    ///
    /// See [`CognitoError`].
    pub async fn global_sign_out(&self, access_token: &AccessToken) -> Result<(), CognitoError> {
        let body = json!({ "AccessToken": access_token.secret() });
        let _: serde::de::IgnoredAny = self.transport.call("GlobalSignOut", &body).await?;
        Ok(())
    }

    /// `SignUp`: registers a user.
    ///
    /// # Errors
    ///
    /// See [`CognitoError`] (`UsernameExistsException`, `InvalidPasswordException`, ...).
    pub async fn sign_up(&self, request: &SignUpRequest) -> Result<SignUpResponse, CognitoError> {
        let wire = WireSignUp {
            client_id: &request.client_id,
            username: &request.username,
            password: request.password.secret(),
            user_attributes: request
                .user_attributes
                .iter()
                .map(|(name, value)| WireAttributeRef { name, value })
                .collect(),
            secret_hash: request.secret_hash.as_deref(),
            client_metadata: request.client_metadata.as_ref(),
        };
        self.transport.call("SignUp", &wire).await
    }

    /// `ConfirmSignUp`: confirms a registration with the code sent to the user.
    ///
    /// # Errors
    ///
    /// See [`CognitoError`] (`CodeMismatchException`, `ExpiredCodeException`, ...).
    pub async fn confirm_sign_up(
        &self,
        request: &ConfirmSignUpRequest,
    ) -> Result<ConfirmSignUpResponse, CognitoError> {
        let wire = WireConfirmSignUp {
            client_id: &request.client_id,
            username: &request.username,
            confirmation_code: &request.confirmation_code,
            secret_hash: request.secret_hash.as_deref(),
            session: request.session.as_deref(),
            client_metadata: request.client_metadata.as_ref(),
        };
        self.transport.call("ConfirmSignUp", &wire).await
    }

    /// Any other user-pool operation, with a JSON body and a JSON answer (`{}` for an empty body), using the
    /// same headers, retries and error handling as the typed calls.
    ///
    /// # Errors
    ///
    /// See [`CognitoError`].
    pub async fn call_json(
        &self,
        operation: &'static str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, CognitoError> {
        self.transport.call(operation, body).await
    }
}

fn auth_response(
    operation: &'static str,
    wire: WireInitiateAuthResponse,
) -> Result<InitiateAuthResponse, CognitoError> {
    let authentication_result = match wire.authentication_result {
        Some(result) => Some(result.into_result().ok_or(CognitoError::InvalidResponse {
            operation,
            detail: "AuthenticationResult has no AccessToken".to_owned(),
        })?),
        None => None,
    };
    if authentication_result.is_none() && wire.challenge_name.is_none() {
        return Err(CognitoError::InvalidResponse {
            operation,
            detail: "neither AuthenticationResult nor ChallengeName in the response".to_owned(),
        });
    }
    Ok(InitiateAuthResponse {
        authentication_result,
        challenge_name: wire.challenge_name,
        challenge_parameters: wire.challenge_parameters.unwrap_or_default(),
        session: wire.session,
        available_challenges: wire.available_challenges.unwrap_or_default(),
    })
}
