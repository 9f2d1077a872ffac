//! Hex and base64 helpers shared by the client and the server side.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use num_bigint::BigUint;

use crate::SrpError;

/// Lenient base64 decoding: standard or URL-safe alphabet, padding optional
/// (amplify-js accepts both alphabets for `SECRET_BLOCK`).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes standard or URL-safe base64, with or without padding.
pub(crate) fn decode_base64(value: &str, field: &'static str) -> Result<Vec<u8>, SrpError> {
    let normalised: String = value
        .trim()
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            other => other,
        })
        .collect();
    LENIENT
        .decode(normalised.as_bytes())
        .map_err(|_| SrpError::InvalidBase64 { field })
}

/// Encodes bytes as standard, padded base64.
pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Parses a non-empty hexadecimal string (either case, no prefix).
pub(crate) fn parse_hex(value: &str, field: &'static str) -> Result<BigUint, SrpError> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(SrpError::InvalidHex { field });
    }
    BigUint::parse_bytes(value.as_bytes(), 16).ok_or(SrpError::InvalidHex { field })
}

/// The amplify-js "padded hex" byte encoding of a non-negative integer: the
/// minimal big-endian bytes, with a `0x00` byte prepended when the most
/// significant bit is set (so the value reads as positive in two's complement).
pub(crate) fn padded_bytes(value: &BigUint) -> Vec<u8> {
    let bytes = value.to_bytes_be();
    match bytes.first() {
        Some(first) if *first >= 0x80 => {
            let mut out = Vec::with_capacity(bytes.len() + 1);
            out.push(0);
            out.extend_from_slice(&bytes);
            out
        }
        _ => bytes,
    }
}

/// Lowercase hex of [`padded_bytes`].
pub(crate) fn padded_hex(value: &BigUint) -> String {
    hex_lower(&padded_bytes(value))
}

/// Lowercase hex of a byte string.
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// Fills a buffer from the operating system's CSPRNG (via aws-lc-rs).
pub(crate) fn random_bytes(buffer: &mut [u8]) -> Result<(), SrpError> {
    aws_lc_rs::rand::fill(buffer).map_err(|_| SrpError::RandomUnavailable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_follows_the_twos_complement_rule() {
        assert_eq!(padded_hex(&BigUint::from(20u32)), "14");
        assert_eq!(padded_hex(&BigUint::from(236u32)), "00ec");
        assert_eq!(padded_hex(&BigUint::from(0x123u32)), "0123");
        assert_eq!(padded_hex(&BigUint::from(0x8123u32)), "008123");
    }

    #[test]
    fn lenient_base64_accepts_both_alphabets() {
        assert_eq!(decode_base64("-_8", "x"), Ok(vec![0xfb, 0xff]));
        assert_eq!(decode_base64("+/8=", "x"), Ok(vec![0xfb, 0xff]));
        assert!(decode_base64("***", "x").is_err());
    }

    #[test]
    fn hex_parsing_rejects_garbage() {
        assert!(parse_hex("", "x").is_err());
        assert!(parse_hex("0xff", "x").is_err());
        assert_eq!(parse_hex("FF", "x"), Ok(BigUint::from(255u32)));
    }
}
