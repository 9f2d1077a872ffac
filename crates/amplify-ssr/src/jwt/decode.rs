//! Splitting and decoding a JWS compact serialization, with no trust in its content.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::Value;

use super::{Claims, VerifyError};

/// Tokens longer than this are rejected before any decoding (Cognito tokens are a few kilobytes; a cookie
/// cannot exceed 4 KiB, but a bearer header could).
pub const MAX_TOKEN_LEN: usize = 64 * 1024;

/// base64url without padding as JWS requires, but tolerant of `=` padding, which some encoders emit.
const B64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The three parts of a compact JWS, still encoded.
#[derive(Debug, Clone, Copy)]
pub(super) struct Parts<'a> {
    /// `header.payload`: the bytes the signature covers.
    pub(super) signing_input: &'a str,
    pub(super) header: &'a str,
    pub(super) payload: &'a str,
    pub(super) signature: &'a str,
}

/// The header fields the verifier looks at.
#[derive(Debug)]
pub(super) struct Header {
    pub(super) alg: String,
    pub(super) kid: Option<String>,
}

pub(super) fn split(token: &str) -> Result<Parts<'_>, VerifyError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(VerifyError::Malformed(
            "token is larger than the size limit",
        ));
    }
    let mut it = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (it.next(), it.next(), it.next(), it.next())
    else {
        return Err(VerifyError::Malformed(
            "token does not have three dot-separated parts",
        ));
    };
    if header.is_empty() || payload.is_empty() {
        return Err(VerifyError::Malformed("token header or payload is empty"));
    }
    let signing_input = &token[..header.len() + 1 + payload.len()];
    Ok(Parts {
        signing_input,
        header,
        payload,
        signature,
    })
}

pub(super) fn b64(part: &str, what: &'static str) -> Result<Vec<u8>, VerifyError> {
    B64URL
        .decode(part)
        .map_err(|_| VerifyError::Malformed(what))
}

pub(super) fn header(parts: &Parts<'_>) -> Result<Header, VerifyError> {
    let bytes = b64(parts.header, "header is not valid base64url")?;
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&bytes) else {
        return Err(VerifyError::Malformed("header is not a JSON object"));
    };
    let alg = match map.get("alg") {
        Some(Value::String(alg)) => alg.clone(),
        _ => return Err(VerifyError::Malformed("header has no string \"alg\"")),
    };
    let kid = match map.get("kid") {
        None | Some(Value::Null) => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(VerifyError::Malformed("header \"kid\" is not a string")),
    };
    // RFC 7515 §4.1.11: extensions listed in "crit" must be understood; this verifier understands none.
    if map.contains_key("crit") {
        return Err(VerifyError::Malformed(
            "header has critical extensions (\"crit\")",
        ));
    }
    Ok(Header { alg, kid })
}

pub(super) fn payload(parts: &Parts<'_>) -> Result<Claims, VerifyError> {
    let bytes = b64(parts.payload, "payload is not valid base64url")?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(Claims::from_map(map)),
        Ok(_) => Err(VerifyError::Malformed("payload is not a JSON object")),
        Err(_) => Err(VerifyError::Malformed("payload is not valid JSON")),
    }
}

/// Decodes a token's claims **without verifying anything**: no signature, issuer, audience or expiry check.
///
/// Use it only for tokens whose origin is already trusted, such as those Cognito has just returned over TLS from
/// `InitiateAuth` or `GetTokensFromRefreshToken`. Never use it on a token that came from a request (a cookie or
/// an `Authorization` header): use [`TokenVerifier::verify`](super::TokenVerifier::verify).
///
/// # Errors
///
/// [`VerifyError::Malformed`] if the token is not three dot-separated parts or its payload is not a base64url
/// JSON object.
pub fn decode_claims_unverified(token: &str) -> Result<Claims, VerifyError> {
    let parts = split(token)?;
    payload(&parts)
}

/// Encodes bytes as unpadded base64url (for minting test tokens).
#[cfg(test)]
pub(super) fn b64_encode(bytes: &[u8]) -> String {
    B64URL.encode(bytes)
}
