//! The errors of the auth APIs, named as Amplify names them.

use crate::cognito::{AuthFlow, CognitoError};
use crate::config::ConfigError;
use crate::jwt::VerifyError;

/// What went wrong in an auth API call (`fetch_auth_session`, `get_current_user`, `sign_in`, ...).
///
/// [`AuthError::name`] returns the name aws-amplify gives the same failure (`UserUnAuthenticatedException`,
/// `TokenRefreshException`, a Cognito service code, ...), so logs and client code can match on familiar names.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// There is no signed-in user in this context (no valid session cookies).
    #[error(
        "User needs to be authenticated to call this API. Sign in before calling this API again."
    )]
    UserUnAuthenticated,

    /// The configuration has no usable user pool.
    #[error(transparent)]
    UserPoolNotConfigured(ConfigError),

    /// The tokens have expired and there is no refresh token to renew them (for example after an implicit-grant
    /// sign-in). The cookies are left as they are.
    #[error(
        "the session's tokens have expired and there is no refresh token to renew them; sign in again \
         (token refresh is not supported for sessions created with the implicit grant)"
    )]
    TokenRefresh,

    /// Cognito rejected the refresh token (revoked, reused or expired, or the user is gone). The session cookies
    /// have been cleared, unless the request carried disagreeing copies of the refresh-token cookie (the refused
    /// copy may then have been planted by another site, and a removal would hit the genuine cookie).
    #[error("the session can no longer be refreshed ({code}): {message}; sign in again")]
    SessionRevoked {
        /// Cognito's error code, e.g. `TokenRevokedException`.
        code: String,
        /// Cognito's message.
        message: String,
    },

    /// A call to Cognito failed. Throttling, 5xx and network failures were retried first; the session cookies
    /// are unchanged.
    #[error("Cognito call failed: {0}")]
    Cognito(#[from] CognitoError),

    /// The user pool's signing keys could not be fetched, so the session could not be checked. This is a
    /// transient infrastructure problem, not a signed-out user; the cookies are unchanged.
    #[error("could not verify the session tokens: {0}")]
    KeysUnavailable(VerifyError),

    /// Tokens that must belong to one user do not: Cognito answered with an id token of another user than its
    /// access token, or a refresh returned tokens of another user than the session being refreshed (a backend
    /// fault, when the request carried one refresh-token copy; with several, such a copy is passed over for the
    /// next, see [`crate::auth`]). Nothing was stored and the session cookies are unchanged; the failure counts as
    /// transient (a `503`, not a sign-out and never another user's session).
    #[error("{0}; nothing was stored and the session cookies are unchanged")]
    TokenUserMismatch(&'static str),

    /// Cognito answered a sign-in or refresh with something the library cannot use (for example tokens that
    /// cannot be decoded). A fault of the backend, not of the user's session: transient, the cookies are kept.
    #[error("unexpected response from Cognito: {0}")]
    UnexpectedResponse(String),

    /// The operation must write session cookies, but the context cannot send them: a static context (no
    /// request) or a read-only one (the response headers are gone). Use a request/response context, e.g. the one
    /// [`AmplifyLayer`] provides.
    ///
    #[cfg_attr(feature = "axum", doc = "[`AmplifyLayer`]: crate::axum::AmplifyLayer")]
    #[cfg_attr(not(feature = "axum"), doc = "[`AmplifyLayer`]: crate#features")]
    #[error(
        "this operation writes session cookies, but a {0:?} context cannot send them; call it with a \
         request/response context (ServerRunner::context)"
    )]
    CookiesNotWritable(crate::context::ContextKind),

    /// No AWS credentials can be had in this context: the configuration has no identity pool (or no auth), or the
    /// user is signed out and guest access (`unauthenticated_identities_enabled`) is off. Named after Amplify's
    /// `NoCredentials`. [`fetch_auth_session`](crate::fetch_auth_session) does not report it: it leaves
    /// `identity_id` and `credentials` empty instead.
    #[error("no AWS credentials: {reason}")]
    NoCredentials {
        /// Why, in words.
        reason: String,
    },

    /// [`sign_in`](crate::sign_in) was asked for a flow it does not run: it runs `USER_SRP_AUTH`,
    /// `USER_PASSWORD_AUTH` and `CUSTOM_AUTH`. Nothing was sent to Cognito and no cookie was written.
    #[error(
        "sign_in runs the USER_SRP_AUTH, USER_PASSWORD_AUTH and CUSTOM_AUTH flows, not {}; choose one of them \
         with SignInInput::with_auth_flow",
        .0.as_str()
    )]
    UnsupportedSignInFlow(AuthFlow),

    /// [`confirm_sign_in`](crate::confirm_sign_in) found no sign-in to continue: the sign-in step cookie is
    /// missing, expired (after 3 minutes, as Cognito's `Session`), altered, sealed with another key or for
    /// another app client, or the request carried disagreeing copies of it. Start again with
    /// [`sign_in`](crate::sign_in). The session cookies are unchanged.
    #[error("no sign-in in progress ({0}); call sign_in again")]
    NoSignInInProgress(crate::auth::NoSignInReason),

    /// The answer to a sign-in step cannot be used for the step in progress (e.g. an MFA type that was not
    /// offered, or an MFA setup answer that is neither `TOTP`, `EMAIL`, a code nor an email address). Nothing was
    /// sent to Cognito; the step is still in progress.
    #[error("invalid answer to the sign-in step {step}: {problem}")]
    InvalidChallengeResponse {
        /// The step being answered (upstream's `signInStep` name).
        step: &'static str,
        /// What is wrong with the answer, and what is expected.
        problem: String,
    },

    /// Cognito asked for a sign-in challenge the library cannot continue (e.g. `DEVICE_SRP_AUTH`, `WEB_AUTHN`), or
    /// for MFA set-up with no method this library can set up. The sign-in was abandoned.
    #[error("the sign-in challenge {0} is not supported by the server-side sign-in")]
    UnsupportedChallenge(String),

    /// A required input is empty (a username, a code, a password). Nothing was sent to Cognito.
    #[error("{field} is empty; pass a value")]
    EmptyInput {
        /// aws-amplify's validation error name, e.g. `EmptyChallengeResponse`.
        code: &'static str,
        /// Which input.
        field: &'static str,
    },

    /// Cognito answered `VerifySoftwareToken` with `Status: ERROR`: the code does not match the new secret.
    #[error(
        "the authenticator app code was not accepted; check the device's clock and try the next code"
    )]
    TotpVerificationFailed,

    /// Cognito Identity answered with success but without what the call returns: no `IdentityId` from `GetId`
    /// (`GetIdResponseException`), or no access key id or secret key from `GetCredentialsForIdentity`
    /// (`CredentialsNotFoundException` for a guest, `CredentialsException` for a signed-in user).
    #[error("{code}: {detail}")]
    InvalidIdentityResponse {
        /// Amplify's name for the failure.
        code: &'static str,
        /// What was missing (never the response body).
        detail: String,
    },
}

impl AuthError {
    /// The name aws-amplify uses for this error.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::UserUnAuthenticated => "UserUnAuthenticatedException",
            Self::UserPoolNotConfigured(_) => "AuthUserPoolException",
            Self::TokenRefresh => "TokenRefreshException",
            Self::SessionRevoked { code, .. } => code,
            Self::Cognito(e) => e.code().unwrap_or(if e.is_retryable() || e.is_timeout() {
                "NetworkError"
            } else {
                "Unknown"
            }),
            Self::KeysUnavailable(_) => "NetworkError",
            Self::UnexpectedResponse(_) | Self::TokenUserMismatch(_) => "Unknown",
            Self::CookiesNotWritable(_) => "AmplifyServerContextError",
            Self::NoCredentials { .. } => "NoCredentials",
            Self::UnsupportedSignInFlow(_) => "UnsupportedAuthFlow",
            Self::InvalidIdentityResponse { code, .. } => code,
            Self::NoSignInInProgress(_)
            | Self::InvalidChallengeResponse { .. }
            | Self::UnsupportedChallenge(_) => "SignInException",
            Self::EmptyInput { code, .. } => code,
            Self::TotpVerificationFailed => "EnableSoftwareTokenMFAException",
        }
    }

    /// True when the failure is transient (network, throttling, 5xx, a passed refresh deadline, an answer from
    /// Cognito that is not what the call returns, a refresh that returned another user's tokens, unreachable
    /// JWKS): the fault is the backend's, retrying later may succeed, and the user's session is still intact. See
    /// [`CognitoError::is_transient`].
    #[must_use]
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Cognito(e) => e.is_transient(),
            Self::KeysUnavailable(_) | Self::UnexpectedResponse(_) | Self::TokenUserMismatch(_) => {
                true
            }
            _ => false,
        }
    }

    /// A fixed, user-safe sentence for this kind of error, to put in an HTTP response next to
    /// [`name`](Self::name). Unlike the `Display` text it never carries detail from Cognito, the network or the
    /// library's internals (log the error itself for those).
    #[must_use]
    pub fn public_message(&self) -> &'static str {
        match self {
            Self::UserUnAuthenticated => {
                "User needs to be authenticated to call this API. Sign in before calling this API again."
            }
            Self::TokenRefresh | Self::SessionRevoked { .. } => {
                "The session has ended. Sign in again."
            }
            _ if self.is_transient() => {
                "The session could not be checked right now. Try again shortly."
            }
            _ => "The request could not be authenticated.",
        }
    }

    /// True when the caller should treat the user as signed out.
    #[must_use]
    pub fn is_unauthenticated(&self) -> bool {
        matches!(
            self,
            Self::UserUnAuthenticated | Self::SessionRevoked { .. } | Self::TokenRefresh
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid_response() -> CognitoError {
        CognitoError::InvalidResponse {
            operation: "GetTokensFromRefreshToken",
            detail: "expected value at line 1 column 1".into(),
        }
    }

    #[test]
    fn answers_cognito_should_not_give_are_the_backends_fault() {
        for error in [
            AuthError::Cognito(invalid_response()),
            AuthError::UnexpectedResponse("the access token Cognito returned is unreadable".into()),
            AuthError::Cognito(CognitoError::DeadlineExceeded {
                deadline: std::time::Duration::from_secs(10),
            }),
        ] {
            assert!(error.is_transient(), "{error:?}");
            assert!(!error.is_unauthenticated(), "{error:?}");
        }
        assert_eq!(
            AuthError::Cognito(CognitoError::DeadlineExceeded {
                deadline: std::time::Duration::from_secs(10),
            })
            .name(),
            "NetworkError"
        );
        let refused = AuthError::Cognito(CognitoError::Service {
            code: "NotAuthorizedException".into(),
            message: "Invalid Refresh Token".into(),
            status: 400,
            request_id: None,
        });
        assert!(!refused.is_transient());
    }

    #[test]
    fn public_messages_carry_no_detail() {
        let errors = [
            AuthError::UserUnAuthenticated,
            AuthError::TokenRefresh,
            AuthError::SessionRevoked {
                code: "UserNotFoundException".into(),
                message: "User does not exist (shard internal-7f3a)".into(),
            },
            AuthError::Cognito(invalid_response()),
            AuthError::UnexpectedResponse("unreadable: base64 error at 17".into()),
            AuthError::NoCredentials {
                reason: "no identity pool in amplify_outputs.json".into(),
            },
        ];
        for error in errors {
            let public = error.public_message();
            for detail in [
                "internal-7f3a",
                "line 1",
                "base64",
                "amplify_outputs",
                "Cognito",
            ] {
                assert!(!public.contains(detail), "{error:?}: {public}");
            }
        }
        assert_eq!(
            AuthError::Cognito(invalid_response()).public_message(),
            "The session could not be checked right now. Try again shortly."
        );
    }
}
