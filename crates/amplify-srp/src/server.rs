//! The server side: password verifiers, `SRP_B`, and password claim checks.

use std::fmt;

use num_bigint::BigUint;

use crate::SrpError;
use crate::encoding::{decode_base64, padded_hex, parse_hex, random_bytes};
use crate::group::{GROUP, private_key, scrambling_parameter};
use crate::key::{derive_key, verify_claim};

/// Random bytes in a new salt.
const SALT_LEN: usize = 16;
/// Random bytes in the server secret b.
const SECRET_LEN: usize = 128;

/// What a user pool stores instead of a password for SRP: a salt and the
/// verifier v = g^x mod N. Both are public-ish but should stay server-side.
#[derive(Clone, PartialEq, Eq)]
pub struct SrpVerifier {
    salt: BigUint,
    verifier: BigUint,
}

impl fmt::Debug for SrpVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SrpVerifier")
            .field("salt", &self.salt_hex())
            .field("verifier", &"<redacted>")
            .finish()
    }
}

impl SrpVerifier {
    /// Registers a password: a fresh random salt and v = g^x mod N with
    /// x = H(pad(salt) ‖ H(poolName ‖ userIdForSrp ‖ ":" ‖ password)).
    pub fn create(
        pool_name: &str,
        user_id_for_srp: &str,
        password: &str,
    ) -> Result<Self, SrpError> {
        let mut salt_bytes = [0u8; SALT_LEN];
        random_bytes(&mut salt_bytes)?;
        let salt = BigUint::from_bytes_be(&salt_bytes);
        let x = private_key(pool_name, user_id_for_srp, password, &salt);
        let verifier = GROUP.g.modpow(&x, &GROUP.n);
        Ok(Self { salt, verifier })
    }

    /// Rebuilds a verifier from its stored hex values.
    pub fn from_hex(salt_hex: &str, verifier_hex: &str) -> Result<Self, SrpError> {
        Ok(Self {
            salt: parse_hex(salt_hex, "salt")?,
            verifier: parse_hex(verifier_hex, "verifier")?,
        })
    }

    /// The salt, as sent in the `SALT` challenge parameter (padded hex).
    pub fn salt_hex(&self) -> String {
        padded_hex(&self.salt)
    }

    /// The verifier v, in padded hex (for storage).
    pub fn verifier_hex(&self) -> String {
        padded_hex(&self.verifier)
    }
}

/// Checks a client's `SRP_A` before starting an exchange: it must be hex and
/// not ≡ 0 (mod N). [`ServerChallenge::verify`] checks this again.
pub fn check_client_public_value(srp_a_hex: &str) -> Result<(), SrpError> {
    let client_public = parse_hex(srp_a_hex, "SRP_A")?;
    if &client_public % &GROUP.n == BigUint::ZERO {
        return Err(SrpError::ZeroClientPublicValue);
    }
    Ok(())
}

/// A client's answer to a `PASSWORD_VERIFIER` challenge.
#[derive(Debug, Clone, Copy)]
pub struct PasswordClaim<'a> {
    /// The user pool name (after the `_` of the pool id).
    pub pool_name: &'a str,
    /// The `USER_ID_FOR_SRP` the challenge named (and the verifier was made for).
    pub user_id_for_srp: &'a str,
    /// The client's `SRP_A` (hex) from `InitiateAuth`.
    pub srp_a_hex: &'a str,
    /// `PASSWORD_CLAIM_SECRET_BLOCK` (base64), as the client echoed it.
    pub secret_block_b64: &'a str,
    /// `TIMESTAMP`, exactly as the client sent it.
    pub timestamp: &'a str,
    /// `PASSWORD_CLAIM_SIGNATURE` (base64).
    pub signature_b64: &'a str,
}

/// The server half of one exchange: a random secret b and
/// B = (k·v + g^b) mod N. Its `Debug` output never shows b.
#[derive(Clone)]
pub struct ServerChallenge {
    secret: BigUint,
    public: BigUint,
}

impl fmt::Debug for ServerChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerChallenge")
            .field("secret", &"<redacted>")
            .field("public_b", &self.public_b_hex())
            .finish()
    }
}

impl ServerChallenge {
    /// Starts an exchange for a user with a fresh random b.
    pub fn start(verifier: &SrpVerifier) -> Result<Self, SrpError> {
        loop {
            let mut bytes = [0u8; SECRET_LEN];
            random_bytes(&mut bytes)?;
            let challenge = Self::with_secret(verifier, BigUint::from_bytes_be(&bytes));
            if challenge.public != BigUint::ZERO {
                return Ok(challenge);
            }
        }
    }

    /// Restores an exchange from the secret b saved by [`ServerChallenge::secret_b_hex`].
    pub fn restore(verifier: &SrpVerifier, secret_b_hex: &str) -> Result<Self, SrpError> {
        Ok(Self::with_secret(verifier, parse_hex(secret_b_hex, "b")?))
    }

    fn with_secret(verifier: &SrpVerifier, secret: BigUint) -> Self {
        let group = &*GROUP;
        let public = (&group.k * &verifier.verifier + group.g.modpow(&secret, &group.n)) % &group.n;
        Self { secret, public }
    }

    /// `SRP_B` for the challenge parameters: B in lowercase hex, unpadded.
    pub fn public_b_hex(&self) -> String {
        self.public.to_str_radix(16)
    }

    /// The secret b in hex, to persist the exchange between the two requests.
    /// Treat it like a key: never log it.
    pub fn secret_b_hex(&self) -> String {
        self.secret.to_str_radix(16)
    }

    /// Checks a password claim: recomputes S = (A·v^u)^b mod N and K, and
    /// compares the HMAC in constant time.
    ///
    /// The caller must separately check that `claim.secret_block_b64` is the
    /// secret block it issued for this exchange.
    pub fn verify(
        &self,
        verifier: &SrpVerifier,
        claim: &PasswordClaim<'_>,
    ) -> Result<(), SrpError> {
        let group = &*GROUP;
        let client_public = parse_hex(claim.srp_a_hex, "SRP_A")?;
        if &client_public % &group.n == BigUint::ZERO {
            return Err(SrpError::ZeroClientPublicValue);
        }
        let secret_block = decode_base64(claim.secret_block_b64, "PASSWORD_CLAIM_SECRET_BLOCK")?;
        let signature = decode_base64(claim.signature_b64, "PASSWORD_CLAIM_SIGNATURE")?;
        let scrambler = scrambling_parameter(&client_public, &self.public);
        if scrambler == BigUint::ZERO {
            return Err(SrpError::ZeroScramblingParameter);
        }
        let base = (&client_public * verifier.verifier.modpow(&scrambler, &group.n)) % &group.n;
        let premaster = base.modpow(&self.secret, &group.n);
        let key = derive_key(&premaster, &scrambler)?;
        verify_claim(
            &key,
            claim.pool_name,
            claim.user_id_for_srp,
            &secret_block,
            claim.timestamp,
            &signature,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PasswordVerifierChallenge, SrpClient};

    const POOL: &str = "AbCdEf123";
    const USER: &str = "7d5c2a9e-0000-4000-8000-000000000001";
    const PASSWORD: &str = "Correct-Horse-1";
    const TIMESTAMP: &str = "Thu Nov 5 09:03:07 UTC 2026";
    const SECRET_BLOCK: &str = "c2VjcmV0IGJsb2NrIGJ5dGVz";

    struct Exchange {
        verifier: SrpVerifier,
        server: ServerChallenge,
        client: SrpClient,
    }

    fn exchange() -> Exchange {
        let verifier = SrpVerifier::create(POOL, USER, PASSWORD).expect("verifier");
        let server = ServerChallenge::start(&verifier).expect("challenge");
        Exchange {
            verifier,
            server,
            client: SrpClient::new(),
        }
    }

    fn sign(ex: &Exchange, password: &str) -> String {
        let salt = ex.verifier.salt_hex();
        let b = ex.server.public_b_hex();
        ex.client
            .password_claim(
                &PasswordVerifierChallenge {
                    pool_name: POOL,
                    user_id_for_srp: USER,
                    salt_hex: &salt,
                    srp_b_hex: &b,
                    secret_block_b64: SECRET_BLOCK,
                },
                password,
                TIMESTAMP,
            )
            .expect("claim")
    }

    fn claim<'a>(a: &'a str, signature: &'a str) -> PasswordClaim<'a> {
        PasswordClaim {
            pool_name: POOL,
            user_id_for_srp: USER,
            srp_a_hex: a,
            secret_block_b64: SECRET_BLOCK,
            timestamp: TIMESTAMP,
            signature_b64: signature,
        }
    }

    #[test]
    fn round_trip_succeeds() {
        let ex = exchange();
        let signature = sign(&ex, PASSWORD);
        let a = ex.client.public_a_hex();
        assert_eq!(
            ex.server.verify(&ex.verifier, &claim(&a, &signature)),
            Ok(())
        );
    }

    #[test]
    fn restored_verifier_and_challenge_still_verify() {
        let ex = exchange();
        let signature = sign(&ex, PASSWORD);
        let a = ex.client.public_a_hex();
        let verifier = SrpVerifier::from_hex(&ex.verifier.salt_hex(), &ex.verifier.verifier_hex())
            .expect("hex");
        let server =
            ServerChallenge::restore(&verifier, &ex.server.secret_b_hex()).expect("restore");
        assert_eq!(server.public_b_hex(), ex.server.public_b_hex());
        assert_eq!(server.verify(&verifier, &claim(&a, &signature)), Ok(()));
    }

    #[test]
    fn wrong_password_fails() {
        let ex = exchange();
        let signature = sign(&ex, "Wrong-Horse-1");
        let a = ex.client.public_a_hex();
        assert_eq!(
            ex.server.verify(&ex.verifier, &claim(&a, &signature)),
            Err(SrpError::SignatureMismatch)
        );
    }

    #[test]
    fn tampered_fields_fail() {
        let ex = exchange();
        let signature = sign(&ex, PASSWORD);
        let a = ex.client.public_a_hex();

        let mut tampered = claim(&a, &signature);
        tampered.secret_block_b64 = "c2VjcmV0IGJsb2NrIGJ5dGVa";
        assert_eq!(
            ex.server.verify(&ex.verifier, &tampered),
            Err(SrpError::SignatureMismatch)
        );

        let mut tampered = claim(&a, &signature);
        tampered.timestamp = "Thu Nov 5 09:03:08 UTC 2026";
        assert_eq!(
            ex.server.verify(&ex.verifier, &tampered),
            Err(SrpError::SignatureMismatch)
        );

        let mut bytes = decode_base64(&signature, "sig").expect("b64");
        bytes[0] ^= 1;
        let forged = crate::encoding::encode_base64(&bytes);
        assert_eq!(
            ex.server.verify(&ex.verifier, &claim(&a, &forged)),
            Err(SrpError::SignatureMismatch)
        );

        let other_user = PasswordClaim {
            user_id_for_srp: "someone-else",
            ..claim(&a, &signature)
        };
        assert_eq!(
            ex.server.verify(&ex.verifier, &other_user),
            Err(SrpError::SignatureMismatch)
        );
    }

    #[test]
    fn degenerate_client_public_values_are_rejected() {
        let ex = exchange();
        let n_hex = GROUP.n.to_str_radix(16);
        let two_n_hex = (&GROUP.n * 2u32).to_str_radix(16);
        for a in ["0", "00", n_hex.as_str(), two_n_hex.as_str()] {
            assert_eq!(
                ex.server.verify(&ex.verifier, &claim(a, "AAAA")),
                Err(SrpError::ZeroClientPublicValue),
                "A = {a}"
            );
        }
        assert_eq!(
            ex.server.verify(&ex.verifier, &claim("xyz", "AAAA")),
            Err(SrpError::InvalidHex { field: "SRP_A" })
        );
    }

    #[test]
    fn degenerate_server_public_values_are_rejected() {
        let client = SrpClient::new();
        let n_hex = GROUP.n.to_str_radix(16);
        for b in ["0", n_hex.as_str()] {
            let result = client.password_claim(
                &PasswordVerifierChallenge {
                    pool_name: POOL,
                    user_id_for_srp: USER,
                    salt_hex: "0a",
                    srp_b_hex: b,
                    secret_block_b64: SECRET_BLOCK,
                },
                PASSWORD,
                TIMESTAMP,
            );
            assert_eq!(result, Err(SrpError::ZeroServerPublicValue));
        }
    }

    #[test]
    fn debug_output_hides_secrets() {
        let ex = exchange();
        let client_debug = format!("{:?}", ex.client);
        assert!(client_debug.contains("<redacted>"));
        assert!(!client_debug.contains("secret: 0x") && client_debug.len() < 2000);
        let server_debug = format!("{:?}", ex.server);
        assert!(!server_debug.contains(&ex.server.secret_b_hex()));
    }
}
