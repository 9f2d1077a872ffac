//! Newtypes for secrets: tokens, refresh tokens, passwords, PKCE verifiers.
//!
//! Their `Debug` prints `Name([redacted])`, they have no `Display`, and the raw value is reached only through
//! [`secret`](AccessToken::secret), so a `{:?}` in a log line or an error message never leaks a credential.

macro_rules! secret_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            /// Wraps a raw value.
            #[must_use]
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The raw value.
            ///
            /// **Security warning:** this is a bearer credential. Never log it or put it in an error message.
            #[must_use]
            pub fn secret(&self) -> &str {
                &self.0
            }

            /// Consumes the wrapper and returns the raw value. The same warning as for [`Self::secret`] applies.
            #[must_use]
            pub fn into_secret(self) -> String {
                self.0
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret_type!(
    /// A Cognito access token (a JWT).
    AccessToken
);
secret_type!(
    /// A Cognito id token (a JWT).
    IdToken
);
secret_type!(
    /// A Cognito refresh token (opaque).
    RefreshToken
);
secret_type!(
    /// A user's password, held only for the length of a sign-in call.
    Password
);
secret_type!(
    /// An AppSync API key (`data.api_key`).
    ApiKey
);
secret_type!(
    /// An OAuth 2.0 PKCE code verifier (RFC 7636): 128 characters from `[A-Za-z0-9]`, kept in an HttpOnly cookie
    /// for the length of a managed-login round trip.
    PkceVerifier
);
secret_type!(
    /// An OAuth 2.0 `state` value: binds the managed-login callback to the browser that started the flow.
    OAuthState
);
secret_type!(
    /// An OAuth 2.0 authorization code, exchanged once for tokens.
    AuthorizationCode
);

secret_type!(
    /// The secret half of a pair of AWS credentials (`SecretKey` in Cognito Identity's answer).
    AwsSecretAccessKey
);
secret_type!(
    /// The session token of temporary AWS credentials (`SessionToken`), sent as `x-amz-security-token`.
    AwsSessionToken
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let t = RefreshToken::new("very-secret");
        assert_eq!(format!("{t:?}"), "RefreshToken([redacted])");
        assert_eq!(t.secret(), "very-secret");
    }
}
