//! Why a token was not accepted.

use crate::outbound::TransportError;

use super::TokenUse;

/// Why [`TokenVerifier::verify`](super::TokenVerifier::verify) (or
/// [`decode_claims_unverified`](super::decode_claims_unverified)) rejected a token.
///
/// Every variant except [`JwksUnavailable`](Self::JwksUnavailable) means "this token is not a valid session
/// token": the caller should treat the user as signed out (as Amplify does, leaving the cookie in place).
/// `JwksUnavailable` means the check could not be made at all; see [`VerifyError::is_transient`].
///
/// No variant ever contains any part of the token's signature or payload other than the short header and claim
/// values named below (algorithm, key id, issuer, `token_use`), which are not secret.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The token is not a well-formed JWS compact serialization (three base64url parts, a JSON header with an
    /// `alg`, a JSON object payload), or it is larger than the size limit. The text says which part is wrong.
    #[error("malformed token: {0}")]
    Malformed(&'static str),

    /// The header names an algorithm other than RS256 (`none`, `HS256`, `RS512`, `ES256`, ...). Only RS256, the
    /// algorithm Cognito signs with, is accepted.
    #[error("unsupported token algorithm {0:?}: only RS256 is accepted")]
    UnsupportedAlgorithm(String),

    /// The header has no `kid`, so no signing key can be chosen.
    #[error("token header has no key id (kid)")]
    MissingKeyId,

    /// No key with this `kid` is in the user pool's JWKS, even after re-fetching it (or a re-fetch was not
    /// allowed yet: see [`JwksCache::with_min_refetch_interval`](super::JwksCache::with_min_refetch_interval)).
    #[error("no signing key with kid {kid:?} in the user pool's JWKS")]
    UnknownKey {
        /// The `kid` from the token header (truncated to 64 characters).
        kid: String,
    },

    /// The JWKS has a key with this `kid` but it cannot verify an RS256 signature (its `alg` is not RS256, its
    /// `kty` is not RSA, its `use` is not `sig`, or its modulus/exponent are invalid or out of range).
    #[error("JWKS key {kid:?} cannot be used for RS256: {reason}")]
    UnusableKey {
        /// The key id.
        kid: String,
        /// Why the key is unusable.
        reason: &'static str,
    },

    /// The signature does not verify with the key named by `kid` (forged, tampered or signed by another key).
    #[error("token signature is invalid")]
    BadSignature,

    /// The `iss` claim is not the configured issuer.
    #[error("token issuer {actual:?} is not the expected {expected:?}")]
    WrongIssuer {
        /// The configured issuer.
        expected: String,
        /// The token's `iss` (truncated to 256 characters).
        actual: String,
    },

    /// The `token_use` claim is not the expected one (an id token presented as an access token, or the reverse).
    #[error("token_use is {actual:?}, expected {expected:?}")]
    WrongTokenUse {
        /// The kind of token the caller asked for.
        expected: TokenUse,
        /// The token's `token_use` (truncated to 64 characters).
        actual: String,
    },

    /// An id token whose `aud` does not contain the configured app client id.
    #[error("id token audience does not include the configured client id")]
    WrongAudience,

    /// An access token whose `client_id` is not the configured app client id.
    #[error("access token client_id is not the configured client id")]
    WrongClientId,

    /// The `nbf` claim is later than now (plus [`NBF_LEEWAY`](super::NBF_LEEWAY)).
    #[error("token is not valid yet (nbf is in the future)")]
    NotYetValid,

    /// A required claim is absent (`exp`, `iss`, `token_use`, `aud` for id tokens, `client_id` for access tokens).
    #[error("token has no {0:?} claim")]
    MissingClaim(&'static str),

    /// A claim has the wrong JSON type (for example a string `exp`).
    #[error("token claim {0:?} has an invalid type")]
    InvalidClaim(&'static str),

    /// The user pool's JWKS could not be fetched or parsed, so the token could not be checked. This is transient
    /// (network trouble, a 5xx, a proxy error page): it does **not** mean the user is signed out.
    #[error("signing keys unavailable: {0}")]
    JwksUnavailable(#[from] JwksError),
}

impl VerifyError {
    /// Whether the failure is an infrastructure problem rather than a verdict on the token: `true` only for
    /// [`JwksUnavailable`](Self::JwksUnavailable). A transient failure must not sign the user out.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::JwksUnavailable(_))
    }

    /// Whether the token is syntactically broken ([`Malformed`](Self::Malformed)).
    #[must_use]
    pub fn is_malformed(&self) -> bool {
        matches!(self, Self::Malformed(_))
    }

    /// Whether the token's signature or signing key was rejected (bad signature, unknown/unusable key, wrong
    /// algorithm).
    #[must_use]
    pub fn is_signature_error(&self) -> bool {
        matches!(
            self,
            Self::BadSignature
                | Self::UnknownKey { .. }
                | Self::UnusableKey { .. }
                | Self::UnsupportedAlgorithm(_)
                | Self::MissingKeyId
        )
    }
}

/// Why the JWKS could not be obtained. Cheap to clone: concurrent callers that waited on the same fetch all get
/// the same error.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum JwksError {
    /// The HTTP request failed: connection refused, DNS failure, TLS error, timeout, or the body could not be
    /// read.
    #[error("JWKS request failed: {0}")]
    Request(#[source] TransportError),

    /// The JWKS endpoint answered with a non-success HTTP status.
    #[error("JWKS endpoint answered HTTP {status}")]
    Status {
        /// The HTTP status code.
        status: u16,
    },

    /// The response is not a JWKS document (not JSON, no `keys` array, or larger than the size limit). The text
    /// describes the problem, never the document.
    #[error("invalid JWKS document: {0}")]
    InvalidDocument(String),
}

impl JwksError {
    /// Whether the fetch failed because it timed out.
    #[must_use]
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Request(e) if e.is_timeout())
    }

    /// Whether the fetch failed because no connection could be made.
    #[must_use]
    pub fn is_connect(&self) -> bool {
        matches!(self, Self::Request(e) if e.is_connect())
    }
}

/// Truncates an attacker-controlled string for inclusion in an error (at a character boundary).
pub(super) fn truncated(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((idx, _)) => format!("{}…", &s[..idx]),
        None => s.to_owned(),
    }
}
