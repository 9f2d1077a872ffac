//! Random identifiers, codes and opaque tokens, all from aws-lc-rs's CSPRNG.

use aws_lc_rs::digest;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const DIGITS: &[u8] = b"0123456789";
const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Fills `buffer` with secure random bytes.
pub(crate) fn fill_random(buffer: &mut [u8]) -> Result<(), RandomUnavailable> {
    aws_lc_rs::rand::fill(buffer).map_err(|_| RandomUnavailable)
}

/// The system's secure random generator failed.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the secure random generator failed")]
pub(crate) struct RandomUnavailable;

/// A uniformly random string over `alphabet` (rejection sampling, no bias).
fn random_string(alphabet: &[u8], len: usize) -> Result<String, RandomUnavailable> {
    let limit = 256 - (256 % alphabet.len());
    let mut out = String::with_capacity(len);
    let mut buffer = [0u8; 64];
    while out.len() < len {
        fill_random(&mut buffer)?;
        for byte in buffer {
            if usize::from(byte) < limit && out.len() < len {
                out.push(char::from(alphabet[usize::from(byte) % alphabet.len()]));
            }
        }
    }
    Ok(out)
}

/// A user pool id: `<region>_` + 9 alphanumerics.
pub(crate) fn user_pool_id(region: &str) -> Result<String, RandomUnavailable> {
    Ok(format!("{region}_{}", random_string(ALNUM, 9)?))
}

/// An app client id: 26 lowercase alphanumerics.
pub(crate) fn client_id() -> Result<String, RandomUnavailable> {
    random_string(LOWER_ALNUM, 26)
}

/// An app client secret: 52 lowercase alphanumerics (Cognito's length).
pub(crate) fn client_secret() -> Result<String, RandomUnavailable> {
    random_string(LOWER_ALNUM, 52)
}

/// A temporary AWS access key id: `ASIA` + 16 uppercase alphanumerics
/// (20 characters, the shape of STS keys).
pub(crate) fn access_key_id() -> Result<String, RandomUnavailable> {
    Ok(format!("ASIA{}", random_string(UPPER_ALNUM, 16)?))
}

/// An AWS secret access key: 40 characters of base64's alphabet.
pub(crate) fn secret_access_key() -> Result<String, RandomUnavailable> {
    random_string(SECRET_ALPHABET, 40)
}

/// A 6-digit confirmation code.
pub(crate) fn confirmation_code() -> Result<String, RandomUnavailable> {
    random_string(DIGITS, 6)
}

/// A long opaque token (refresh tokens, secret blocks, sessions): `bytes`
/// random bytes, base64url without padding.
pub(crate) fn opaque_token(bytes: usize) -> Result<String, RandomUnavailable> {
    let mut buffer = vec![0u8; bytes];
    fill_random(&mut buffer)?;
    Ok(URL_SAFE_NO_PAD.encode(buffer))
}

/// A temporary password that satisfies the default policy.
pub(crate) fn temporary_password() -> Result<String, RandomUnavailable> {
    Ok(format!("{}aA1!", random_string(ALNUM, 12)?))
}

/// Lowercase hex SHA-256, used to store tokens by hash only.
pub(crate) fn sha256_hex(value: &str) -> String {
    let hash = digest::digest(&digest::SHA256, value.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in hash.as_ref() {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// A random UUID v4 string (sub, jti, origin_jti, event_id).
pub(crate) fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_have_cognito_shapes() {
        let pool = user_pool_id("us-east-1").expect("random");
        let (region, name) = pool.split_once('_').expect("underscore");
        assert_eq!(region, "us-east-1");
        assert_eq!(name.len(), 9);
        assert!(name.bytes().all(|b| b.is_ascii_alphanumeric()));
        let client = client_id().expect("random");
        assert_eq!(client.len(), 26);
        assert!(
            client
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
        let code = confirmation_code().expect("random");
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
    }
}
