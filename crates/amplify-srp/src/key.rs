//! The session key derivation (HKDF "Caldera Derived Key") and the password
//! claim signature, identical on both sides.

use aws_lc_rs::{hkdf, hmac};
use num_bigint::BigUint;

use crate::SrpError;
use crate::encoding::padded_bytes;

/// The HKDF `info` Cognito uses.
const KEY_INFO: &[u8] = b"Caldera Derived Key";
/// Length of the derived key K, in bytes.
const KEY_LEN: usize = 16;

/// Output length marker for aws-lc-rs's HKDF.
struct KeyLen;

impl hkdf::KeyType for KeyLen {
    fn len(&self) -> usize {
        KEY_LEN
    }
}

/// K = HKDF-SHA256(ikm = pad(S), salt = pad(u), info = "Caldera Derived Key"), 16 bytes.
pub(crate) fn derive_key(
    premaster: &BigUint,
    scrambler: &BigUint,
) -> Result<[u8; KEY_LEN], SrpError> {
    let salt = hkdf::Salt::new(hkdf::HKDF_SHA256, &padded_bytes(scrambler));
    let prk = salt.extract(&padded_bytes(premaster));
    let okm = prk
        .expand(&[KEY_INFO], KeyLen)
        .map_err(|_| SrpError::KeyDerivation)?;
    let mut key = [0u8; KEY_LEN];
    okm.fill(&mut key).map_err(|_| SrpError::KeyDerivation)?;
    Ok(key)
}

/// The message signed by the password claim.
fn claim_message(
    pool_name: &str,
    user_id_for_srp: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> Vec<u8> {
    let mut message = Vec::with_capacity(
        pool_name.len() + user_id_for_srp.len() + secret_block.len() + timestamp.len(),
    );
    message.extend_from_slice(pool_name.as_bytes());
    message.extend_from_slice(user_id_for_srp.as_bytes());
    message.extend_from_slice(secret_block);
    message.extend_from_slice(timestamp.as_bytes());
    message
}

/// HMAC-SHA256(K, poolName ‖ userId ‖ secretBlock ‖ timestamp).
pub(crate) fn sign_claim(
    key: &[u8],
    pool_name: &str,
    user_id_for_srp: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> Vec<u8> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    let message = claim_message(pool_name, user_id_for_srp, secret_block, timestamp);
    hmac::sign(&key, &message).as_ref().to_vec()
}

/// Constant-time check of a claim signature.
pub(crate) fn verify_claim(
    key: &[u8],
    pool_name: &str,
    user_id_for_srp: &str,
    secret_block: &[u8],
    timestamp: &str,
    signature: &[u8],
) -> Result<(), SrpError> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    let message = claim_message(pool_name, user_id_for_srp, secret_block, timestamp);
    hmac::verify(&key, &message, signature).map_err(|_| SrpError::SignatureMismatch)
}
