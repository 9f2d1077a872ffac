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

secret_type!(
    /// Cognito's `Session`: the opaque value that links one step of a sign-in to the next. Whoever holds it can
    /// answer the pending challenge, so between requests it is only kept sealed (see [`crate::auth`]'s
    /// sign-in steps).
    CognitoSession
);
secret_type!(
    /// The user's answer to a sign-in step: an MFA code, a new password, an MFA type, a custom answer.
    ChallengeResponse
);
secret_type!(
    /// A one-time code: sign-up confirmation, password reset, attribute verification, TOTP.
    ConfirmationCode
);
secret_type!(
    /// The shared secret of an authenticator app (TOTP), base32 as Cognito's `SecretCode`.
    TotpSecret
);

/// The 32-byte AES-256-GCM key that seals the sign-in step cookie and, with a shared store
/// ([`crate::store`]), the refresh results and identity credentials kept there (see
/// [`ServerRunnerBuilder::cookie_encryption_key`](crate::ServerRunnerBuilder::cookie_encryption_key)).
///
/// Its `Debug` is redacted and it has no accessor: the bytes only ever reach the cipher.
#[derive(Clone, PartialEq, Eq)]
pub struct CookieEncryptionKey([u8; 32]);

/// Why a [`CookieEncryptionKey`] could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidCookieKey {
    /// The text is not standard or URL-safe base64.
    #[error("the cookie encryption key is not base64; generate one with `openssl rand -base64 32`")]
    NotBase64,
    /// The decoded key does not have 32 bytes.
    #[error(
        "the cookie encryption key decodes to {0} bytes, AES-256-GCM needs exactly 32; generate one with \
         `openssl rand -base64 32`"
    )]
    WrongLength(usize),
}

impl CookieEncryptionKey {
    /// A key from its 32 raw bytes.
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A key from base64 (standard or URL-safe, padding optional), e.g. the output of
    /// `openssl rand -base64 32`. Surrounding whitespace is ignored.
    ///
    /// # Errors
    ///
    /// [`InvalidCookieKey`] when the text is not base64 or does not decode to 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self, InvalidCookieKey> {
        use base64::Engine as _;
        use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
        let text = text.trim().trim_end_matches('=');
        let bytes = STANDARD_NO_PAD
            .decode(text)
            .or_else(|_| URL_SAFE_NO_PAD.decode(text))
            .map_err(|_| InvalidCookieKey::NotBase64)?;
        let len = bytes.len();
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| InvalidCookieKey::WrongLength(len))?;
        Ok(Self(bytes))
    }

    /// A random key from the system's generator, for this process only.
    ///
    /// # Errors
    ///
    /// When the system's random generator fails.
    pub fn generate() -> Result<Self, aws_lc_rs::error::Unspecified> {
        let mut bytes = [0u8; 32];
        aws_lc_rs::rand::fill(&mut bytes)?;
        Ok(Self(bytes))
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for CookieEncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CookieEncryptionKey")
            .field(&Redacted(()))
            .finish()
    }
}

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
    fn cookie_keys_are_read_from_base64_with_clear_errors() {
        let key =
            CookieEncryptionKey::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n")
                .expect("standard base64 of 32 bytes");
        assert_eq!(key.bytes()[31], 31);
        let url_safe =
            CookieEncryptionKey::from_base64("__________________________________________4")
                .expect("url-safe, unpadded");
        assert_eq!(url_safe.bytes()[0], 255);
        assert_eq!(
            CookieEncryptionKey::from_base64("c2hvcnQ="),
            Err(InvalidCookieKey::WrongLength(5))
        );
        assert_eq!(
            CookieEncryptionKey::from_base64("not base64!"),
            Err(InvalidCookieKey::NotBase64)
        );
        assert_eq!(format!("{key:?}"), "CookieEncryptionKey([redacted])");
        assert_ne!(
            CookieEncryptionKey::generate().unwrap(),
            CookieEncryptionKey::generate().unwrap()
        );
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
