//! The error type of this crate.

/// What went wrong while computing or checking an SRP value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SrpError {
    /// A value that must be a hexadecimal number was not.
    #[error("{field} is not a valid hexadecimal number")]
    InvalidHex {
        /// Which value was malformed (for example `SRP_B`).
        field: &'static str,
    },
    /// A value that must be base64 was not.
    #[error("{field} is not valid base64")]
    InvalidBase64 {
        /// Which value was malformed (for example `SECRET_BLOCK`).
        field: &'static str,
    },
    /// The server's public value B is zero modulo N (a malicious or broken server).
    #[error("the server's public value B is zero modulo N")]
    ZeroServerPublicValue,
    /// The client's public value A is zero modulo N (a malicious or broken client).
    #[error("the client's public value A is zero modulo N")]
    ZeroClientPublicValue,
    /// The scrambling parameter u = H(A, B) is zero.
    #[error("the scrambling parameter u is zero")]
    ZeroScramblingParameter,
    /// The password claim signature does not match the expected one: wrong
    /// password, or a tampered secret block, timestamp or signature.
    #[error("the password claim signature does not match")]
    SignatureMismatch,
    /// The user pool id has no pool name after its `_`.
    #[error("the user pool id has no pool name part")]
    InvalidUserPoolId,
    /// The system's secure random generator failed.
    #[error("the secure random generator failed")]
    RandomUnavailable,
    /// HKDF key derivation failed.
    #[error("key derivation failed")]
    KeyDerivation,
}
