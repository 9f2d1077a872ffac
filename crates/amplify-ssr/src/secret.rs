//! Newtypes for secrets: tokens, refresh tokens, passwords, PKCE verifiers.
//!
//! Their `Debug` prints `Name([redacted])`, they have no `Display`, and the raw value is reached only through
//! [`secret`](AccessToken::secret), so a `{:?}` in a log line or an error message never leaks a credential.
//! Every redacted `Debug` in the crate (these newtypes, secrets kept in other types, parameter maps) prints
//! through one type, `Redacted`.

use std::collections::BTreeMap;
use std::fmt;

/// A map key derived from secrets (tokens, token ids): a SHA-256, so no secret is kept in memory as a key.
pub(crate) type HashKey = [u8; 32];

/// The one way the crate turns secrets into map keys: a SHA-256 of domain-separated parts (each part is
/// length-prefixed, so `["ab", "c"]` and `["a", "bc"]` differ). Name the key's use in the first part.
pub(crate) fn hash_key(parts: &[&str]) -> HashKey {
    let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    for part in parts {
        context.update(&(part.len() as u64).to_be_bytes());
        context.update(part.as_bytes());
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(context.finish().as_ref());
    out
}

/// What a redacted value prints as.
pub(crate) const REDACTED: &str = "[redacted]";

/// A value whose `Debug` is `[redacted]`: the one redaction of the crate, for secrets held in other types.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct Redacted<T>(pub(crate) T);

impl<T> fmt::Debug for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// `Some([redacted])` or `None`: whether an optional secret is there, never what it is.
pub(crate) fn redacted_opt<T>(value: Option<&T>) -> Option<Redacted<()>> {
    value.map(|_| Redacted(()))
}

/// A string map with its keys shown and every value redacted (parameter maps that carry answers and tokens).
pub(crate) struct RedactedValues<'a>(pub(crate) &'a BTreeMap<String, String>);

impl fmt::Debug for RedactedValues<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.keys().map(|k| (k, Redacted(()))))
            .finish()
    }
}

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
                f.debug_tuple(stringify!($name)).field(&Redacted(())).finish()
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
        assert_eq!(format!("{t:#?}"), "RefreshToken(\n    [redacted],\n)");
    }

    #[test]
    fn keys_are_domain_separated() {
        assert_ne!(hash_key(&["ab", "c"]), hash_key(&["a", "bc"]));
        assert_ne!(hash_key(&["jti", "x"]), hash_key(&["origin_jti", "x"]));
    }

    #[test]
    fn held_secrets_maps_and_options_print_redacted() {
        assert_eq!(format!("{:?}", Redacted("key".to_owned())), "[redacted]");
        assert_eq!(
            format!("{:?}", redacted_opt(Some(&"s"))),
            "Some([redacted])"
        );
        assert_eq!(format!("{:?}", redacted_opt::<&str>(None)), "None");
        let map = BTreeMap::from([("PASSWORD".to_owned(), "hunter2".to_owned())]);
        assert_eq!(
            format!("{:?}", RedactedValues(&map)),
            "{\"PASSWORD\": [redacted]}"
        );
    }
}
