//! RFC 6238 TOTP codes for the tests, computed from a shared secret as an authenticator app does (HMAC from
//! aws-lc-rs, base32 from data-encoding), checked against the RFC's published SHA-1 vectors.

use aws_lc_rs::hmac;

/// RFC 4226 HOTP with HMAC-SHA-1: the dynamically truncated HMAC of the counter, as `digits` decimal digits.
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> String {
    let tag = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, key),
        &counter.to_be_bytes(),
    );
    let mac = tag.as_ref();
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        mac[offset],
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]) & 0x7fff_ffff;
    let code = u64::from(binary) % 10u64.pow(digits);
    format!("{code:0width$}", width = digits as usize)
}

/// RFC 6238 TOTP (T0 = 0, 30-second steps) of a raw key at `unix_seconds`.
pub fn totp_raw(key: &[u8], unix_seconds: u64, digits: u32) -> String {
    hotp(key, unix_seconds / 30, digits)
}

/// The 6-digit code an authenticator app shows for Cognito's base32 `SecretCode` at `at`.
pub fn totp(secret_base32: &str, at: std::time::SystemTime) -> String {
    let key = data_encoding::BASE32_NOPAD
        .decode(
            secret_base32
                .trim_end_matches('=')
                .to_ascii_uppercase()
                .as_bytes(),
        )
        .expect("the shared secret is base32");
    let seconds = at
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    totp_raw(&key, seconds, 6)
}
