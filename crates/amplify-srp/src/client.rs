//! The client side: `SRP_A` and the `PASSWORD_CLAIM_SIGNATURE`.

use std::fmt;

use num_bigint::BigUint;

use crate::SrpError;
use crate::encoding::{decode_base64, encode_base64, parse_hex, random_bytes};
use crate::group::{GROUP, private_key, scrambling_parameter};
use crate::key::{derive_key, sign_claim};

/// Number of random bytes in the client secret a (as amplify-js: 128).
const SECRET_LEN: usize = 128;

/// The challenge parameters of a `PASSWORD_VERIFIER` challenge, as returned by
/// `InitiateAuth` with `USER_SRP_AUTH`.
#[derive(Debug, Clone, Copy)]
pub struct PasswordVerifierChallenge<'a> {
    /// The user pool name (the part of the pool id after `_`), see [`crate::pool_name`].
    pub pool_name: &'a str,
    /// `USER_ID_FOR_SRP` from the challenge parameters.
    pub user_id_for_srp: &'a str,
    /// `SALT` (hex) from the challenge parameters.
    pub salt_hex: &'a str,
    /// `SRP_B` (hex) from the challenge parameters.
    pub srp_b_hex: &'a str,
    /// `SECRET_BLOCK` (base64) from the challenge parameters.
    pub secret_block_b64: &'a str,
}

/// One client SRP exchange: a random secret a and its public value A = g^a mod N.
///
/// Create one per sign-in attempt; its `Debug` output never shows a.
pub struct SrpClient {
    secret: BigUint,
    public: BigUint,
}

impl fmt::Debug for SrpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SrpClient")
            .field("secret", &"<redacted>")
            .field("public_a_bits", &self.public.bits())
            .finish()
    }
}

impl Default for SrpClient {
    fn default() -> Self {
        Self::new()
    }
}

impl SrpClient {
    /// Starts an exchange with a fresh random secret from aws-lc-rs's CSPRNG.
    ///
    /// # Panics
    ///
    /// Only if the operating system's secure random generator is unavailable
    /// (see [`SrpClient::try_new`] for a fallible variant).
    pub fn new() -> Self {
        match Self::try_new() {
            Ok(client) => client,
            Err(error) => panic!("cannot start an SRP exchange: {error}"),
        }
    }

    /// Starts an exchange, reporting a failure of the secure random generator
    /// as [`SrpError::RandomUnavailable`].
    pub fn try_new() -> Result<Self, SrpError> {
        loop {
            let mut bytes = [0u8; SECRET_LEN];
            random_bytes(&mut bytes)?;
            let secret = BigUint::from_bytes_be(&bytes);
            let public = GROUP.g.modpow(&secret, &GROUP.n);
            if public != BigUint::ZERO {
                return Ok(Self { secret, public });
            }
        }
    }

    /// `SRP_A` for `InitiateAuth`: A in lowercase hex, without padding.
    pub fn public_a_hex(&self) -> String {
        self.public.to_str_radix(16)
    }

    /// Computes the base64 `PASSWORD_CLAIM_SIGNATURE` for a
    /// `PASSWORD_VERIFIER` challenge. `timestamp` must be the exact string
    /// sent as `TIMESTAMP` (see [`crate::cognito_timestamp`]).
    ///
    /// Fails on malformed challenge parameters, and when B ≡ 0 (mod N) or
    /// u = 0 (a server that would let anyone learn the session key).
    pub fn password_claim(
        &self,
        challenge: &PasswordVerifierChallenge<'_>,
        password: &str,
        timestamp: &str,
    ) -> Result<String, SrpError> {
        let group = &*GROUP;
        let salt = parse_hex(challenge.salt_hex, "SALT")?;
        let server_public = parse_hex(challenge.srp_b_hex, "SRP_B")?;
        let secret_block = decode_base64(challenge.secret_block_b64, "SECRET_BLOCK")?;
        if &server_public % &group.n == BigUint::ZERO {
            return Err(SrpError::ZeroServerPublicValue);
        }
        let scrambler = scrambling_parameter(&self.public, &server_public);
        if scrambler == BigUint::ZERO {
            return Err(SrpError::ZeroScramblingParameter);
        }
        let x = private_key(
            challenge.pool_name,
            challenge.user_id_for_srp,
            password,
            &salt,
        );
        // S = (B - k·g^x)^(a + u·x) mod N, kept non-negative modulo N.
        let kgx = (&group.k * group.g.modpow(&x, &group.n)) % &group.n;
        let base = ((&server_public % &group.n) + &group.n - kgx) % &group.n;
        let exponent = &self.secret + &scrambler * &x;
        let premaster = base.modpow(&exponent, &group.n);
        let key = derive_key(&premaster, &scrambler)?;
        let signature = sign_claim(
            &key,
            challenge.pool_name,
            challenge.user_id_for_srp,
            &secret_block,
            timestamp,
        );
        Ok(encode_base64(&signature))
    }
}
