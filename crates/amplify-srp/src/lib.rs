//! Cognito's SRP-6a variant, as used by the `USER_SRP_AUTH` flow and its
//! `PASSWORD_VERIFIER` challenge, for both sides of the exchange.
//!
//! * The **client** side ([`SrpClient`]) produces `SRP_A` for `InitiateAuth`
//!   and the `PASSWORD_CLAIM_SIGNATURE` for `RespondToAuthChallenge`.
//! * The **server** side ([`SrpVerifier`], [`ServerChallenge`]) lets an
//!   offline user pool register a password verifier, issue `SRP_B`, and check
//!   a client's password claim.
//!
//! Group and derivation rules (all matching Cognito and amplify-js):
//!
//! * N is the 3072-bit MODP prime of RFC 3526 (group 15), g = 2,
//!   k = H(pad(N) ‖ pad(g)), H = SHA-256.
//! * `pad` is the two's-complement style hex encoding used by amplify-js:
//!   even length, with a `00` byte prepended when the top bit is set.
//! * u = H(pad(A) ‖ pad(B)); x = H(pad(salt) ‖ H(poolName ‖ userId ‖ ":" ‖ password)).
//! * K = HKDF-SHA256(ikm = pad(S), salt = pad(u), info = "Caldera Derived Key"), 16 bytes.
//! * signature = base64(HMAC-SHA256(K, poolName ‖ userId ‖ secretBlock ‖ timestamp)).

mod client;
mod encoding;
mod error;
mod group;
mod key;
mod server;
mod timestamp;

// The README's examples run as doc tests, so the published README stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub use client::{PasswordVerifierChallenge, SrpClient};
pub use error::SrpError;
pub use server::{PasswordClaim, ServerChallenge, SrpVerifier, check_client_public_value};
pub use timestamp::{cognito_timestamp, pool_name};
