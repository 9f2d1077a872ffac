//! Verification of Cognito JWTs (access and id tokens): RS256 signatures against the user pool's JWKS, then
//! Cognito's claim rules.
//!
//! # Security model
//!
//! Tokens read from cookies or headers are attacker-controlled. [`TokenVerifier::verify`] accepts a token only if
//! it is signed with RS256 by a key from the configured pool's JWKS, names the configured issuer, has the expected
//! `token_use` and was issued to the configured app client. Nothing from the payload is trusted before the
//! signature is verified. Algorithm confusion (`alg: none`, `HS256` keyed with the public key, ...) is impossible:
//! the only algorithm is RS256 and keys come only from the JWKS, never from the token.
//!
//! An expired but otherwise valid token is returned as `Ok` with [`VerifiedJwt::expired`] set, so the caller can
//! refresh the session; unlike Amplify, that happens only after the issuer, `token_use` and client checks have
//! passed (see [`TokenVerifier`]).
//!
//! A failure to obtain the signing keys is [`VerifyError::JwksUnavailable`], which
//! [`is_transient`](VerifyError::is_transient): the caller should answer with a temporary error rather than
//! sign the user out.
//!
//! The signature check uses aws-lc-rs (RSASSA-PKCS1-v1_5, SHA-256, 2048 to 8192-bit keys); no cryptography is
//! implemented here.
//!
//! # Example
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use std::time::SystemTime;
//! use amplify_ssr::jwt::{JwksCache, TokenUse, TokenVerifier};
//!
//! let issuer = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123";
//! let jwks = Arc::new(JwksCache::new(
//!     reqwest::Client::new(),
//!     format!("{issuer}/.well-known/jwks.json").parse()?,
//! ));
//! let verifier = TokenVerifier::new(jwks, issuer, "app-client-id");
//! # let token_from_cookie = "";
//! let verified = verifier.verify(token_from_cookie, TokenUse::Access, SystemTime::now()).await?;
//! if verified.expired {
//!     // refresh the session
//! }
//! println!("signed in as {:?}", verified.claims.username());
//! # Ok(()) }
//! ```

mod claims;
mod decode;
mod error;
mod jwks;
mod verify;

#[cfg(test)]
mod tests;

pub use claims::{Claims, TokenUse};
pub use decode::{MAX_TOKEN_LEN, decode_claims_unverified};
pub use error::{JwksError, VerifyError};
pub use jwks::{DEFAULT_JWKS_FETCH_TIMEOUT, DEFAULT_MIN_REFETCH_INTERVAL, JwksCache};
pub(crate) use verify::unix_seconds;
pub use verify::{NBF_LEEWAY, TokenVerifier, VerifiedJwt};
