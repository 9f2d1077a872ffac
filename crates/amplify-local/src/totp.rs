//! Time-based one-time passwords (RFC 6238): HMAC-SHA-1, 6 digits, 30-second
//! steps, as authenticator apps and Cognito use them. Secrets are base32
//! (RFC 4648, no padding), as Cognito's `SecretCode`.

use aws_lc_rs::hmac;

use crate::ids;

/// Seconds per step.
const STEP_SECS: i64 = 30;
/// Digits per code.
const DIGITS: u32 = 6;
/// Secret length in bytes (160 bits, RFC 4226's recommendation).
const SECRET_BYTES: usize = 20;

/// Why a TOTP code could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TotpError {
    /// The secret is not base32 (RFC 4648 alphabet, upper or lower case,
    /// padding and spaces allowed).
    #[error("the TOTP secret is not base32: give the SecretCode of AssociateSoftwareToken")]
    NotBase32,
    /// The time is before the Unix epoch.
    #[error("the time is before 1970")]
    BeforeEpoch,
}

/// A new random secret, base32 without padding.
pub(crate) fn new_secret() -> Result<String, ids::RandomUnavailable> {
    let mut bytes = [0u8; SECRET_BYTES];
    ids::fill_random(&mut bytes)?;
    Ok(data_encoding::BASE32_NOPAD.encode(&bytes))
}

/// Decodes a base32 secret as authenticator apps accept it.
fn decode_secret(secret: &str) -> Result<Vec<u8>, TotpError> {
    let cleaned: String = secret
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    data_encoding::BASE32_NOPAD
        .decode(cleaned.as_bytes())
        .map_err(|_| TotpError::NotBase32)
}

/// The time step of a Unix time.
pub(crate) fn step_of(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// The HOTP value (RFC 4226) of a key and counter.
fn hotp(key: &[u8], counter: u64, digits: u32) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, key);
    let tag = hmac::sign(&key, &counter.to_be_bytes());
    let mac = tag.as_ref();
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        mac[offset],
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]) & 0x7fff_ffff;
    let modulus = 10u32.pow(digits);
    format!("{:0width$}", binary % modulus, width = digits as usize)
}

/// The code of a base32 secret at a Unix time, as an authenticator app
/// shows it. Tests use it to answer `SOFTWARE_TOKEN_MFA` challenges.
pub fn totp_code(secret: &str, unix_secs: i64) -> Result<String, TotpError> {
    if unix_secs < 0 {
        return Err(TotpError::BeforeEpoch);
    }
    let key = decode_secret(secret)?;
    let step = u64::try_from(step_of(unix_secs)).map_err(|_| TotpError::BeforeEpoch)?;
    Ok(hotp(&key, step, DIGITS))
}

/// The step a code matches at `now`, within one step either side; `None`
/// when it matches none (or the secret is unusable). Compared in constant
/// time.
pub(crate) fn matching_step(secret: &str, code: &str, now: i64) -> Option<i64> {
    let key = decode_secret(secret).ok()?;
    let current = step_of(now);
    (current - 1..=current + 1).find(|step| {
        u64::try_from(*step).is_ok_and(|counter| {
            let expected = hotp(&key, counter, DIGITS);
            aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_bytes(), code.as_bytes())
                .is_ok()
        })
    })
}

/// The `otpauth://` URI an authenticator app scans.
pub(crate) fn otpauth_uri(issuer: &str, account: &str, secret: &str) -> String {
    let issuer_enc = url::form_urlencoded::byte_serialize(issuer.as_bytes()).collect::<String>();
    let account_enc = url::form_urlencoded::byte_serialize(account.as_bytes()).collect::<String>();
    format!("otpauth://totp/{issuer_enc}:{account_enc}?secret={secret}&issuer={issuer_enc}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 appendix B (SHA-1 key "12345678901234567890"), 8 digits.
        let key = b"12345678901234567890";
        for (time, expected) in [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_234_567_890, "89005924"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(hotp(key, time / 30, 8), expected, "t={time}");
        }
        let secret = data_encoding::BASE32_NOPAD.encode(key);
        assert_eq!(totp_code(&secret, 59).as_deref(), Ok("287082"));
        assert_eq!(
            totp_code(&secret.to_lowercase(), 59).as_deref(),
            Ok("287082")
        );
    }

    #[test]
    fn codes_match_one_step_either_side() {
        let secret = new_secret().expect("random");
        let now = 1_700_000_015;
        for (offset, step) in [(-30, -1), (0, 0), (30, 1)] {
            let code = totp_code(&secret, now + offset).expect("code");
            assert_eq!(
                matching_step(&secret, &code, now),
                Some(step_of(now) + step)
            );
        }
        let far = totp_code(&secret, now + 90).expect("code");
        assert_eq!(matching_step(&secret, &far, now), None);
        assert_eq!(matching_step("not base32!", "000000", now), None);
        assert_eq!(totp_code("1!", 0), Err(TotpError::NotBase32));
    }
}
