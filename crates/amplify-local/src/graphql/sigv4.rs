//! Verifies the SigV4 signature of a GraphQL request (`Authorization:
//! AWS4-HMAC-SHA256 …`, service `appsync`), as AppSync does for `AWS_IAM`.

use std::fmt::Write as _;

use aws_lc_rs::{constant_time, digest, hmac};
use axum::http::{HeaderMap, Method, Uri};

/// How far the request time may be from ours (AppSync's 15 minutes).
const MAX_SKEW_SECS: i64 = 15 * 60;

/// The parts of a SigV4 `Authorization` header.
#[derive(Debug)]
pub(crate) struct SignedRequest {
    pub(crate) access_key_id: String,
    date: String,
    region: String,
    service: String,
    signed_headers: Vec<String>,
    signature: String,
    amz_date: String,
}

/// Why a signature was refused; each maps to AppSync's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SignatureError {
    /// The header is not a well-formed SigV4 authorization.
    Malformed(String),
    /// The request time is too far from now.
    Skewed,
    /// Wrong region or service in the credential scope.
    WrongScope(String),
    /// The signature does not match.
    Mismatch,
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, bytes).as_ref())
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    hmac::sign(&key, data).as_ref().to_vec()
}

/// Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
pub(crate) fn parse(headers: &HeaderMap) -> Result<SignedRequest, SignatureError> {
    let malformed = |what: &str| SignatureError::Malformed(what.to_owned());
    let header = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| malformed("Authorization header requires a value"))?;
    let rest = header
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or_else(|| malformed("Unsupported signing algorithm"))?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed_headers = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature)) =
        (credential, signed_headers, signature)
    else {
        return Err(malformed(
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters",
        ));
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, "aws4_request"] = scope.as_slice() else {
        return Err(malformed("Credential should be scoped to a valid region"));
    };
    let amz_date = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| malformed("Authorization header requires existence of X-Amz-Date"))?
        .to_owned();
    let signed_headers: Vec<String> = signed_headers.split(';').map(str::to_owned).collect();
    if !signed_headers.iter().any(|h| h == "host") {
        return Err(malformed("'Host' must be a signed header"));
    }
    Ok(SignedRequest {
        access_key_id: (*access_key_id).to_owned(),
        date: (*date).to_owned(),
        region: (*region).to_owned(),
        service: (*service).to_owned(),
        signed_headers,
        signature: signature.to_owned(),
        amz_date,
    })
}

/// `YYYYMMDDTHHMMSSZ` as seconds since the epoch.
fn parse_amz_date(value: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::PrimitiveDateTime::parse(value, format)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

/// URI-encodes a path segment as SigV4 wants (unreserved characters kept).
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// The canonical URI of a non-S3 service: each segment encoded twice.
fn canonical_uri(path: &str) -> String {
    if path.is_empty() || path == "/" {
        return "/".to_owned();
    }
    path.split('/')
        .map(|segment| encode(&encode(segment)))
        .collect::<Vec<_>>()
        .join("/")
}

fn canonical_query(uri: &Uri) -> String {
    let Some(query) = uri.query() else {
        return String::new();
    };
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (encode(&k), encode(&v)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Verifies the signature of a request with the secret key of its access
/// key, the region it must be scoped to and the time now.
pub(crate) fn verify(
    request: &SignedRequest,
    secret_key: &str,
    region: &str,
    (method, uri, headers, body): (&Method, &Uri, &HeaderMap, &[u8]),
    now: i64,
) -> Result<(), SignatureError> {
    if request.service != "appsync" {
        return Err(SignatureError::WrongScope(format!(
            "Credential should be scoped to correct service: 'appsync', not '{}'",
            request.service
        )));
    }
    if request.region != region {
        return Err(SignatureError::WrongScope(format!(
            "Credential should be scoped to a valid region, not '{}'",
            request.region
        )));
    }
    let time = parse_amz_date(&request.amz_date)
        .ok_or_else(|| SignatureError::Malformed("X-Amz-Date is not a valid date".to_owned()))?;
    if !request.amz_date.starts_with(&request.date) {
        return Err(SignatureError::Malformed(
            "Date in Credential scope does not match X-Amz-Date".to_owned(),
        ));
    }
    if (now - time).abs() > MAX_SKEW_SECS {
        return Err(SignatureError::Skewed);
    }
    let payload_hash = sha256_hex(body);
    if let Some(claimed) = headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
        && claimed != payload_hash
    {
        return Err(SignatureError::Mismatch);
    }
    let mut canonical_headers = String::new();
    for name in &request.signed_headers {
        let values: Vec<String> = headers
            .get_all(name.as_str())
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        if values.is_empty() {
            return Err(SignatureError::Mismatch);
        }
        let _ = writeln!(canonical_headers, "{name}:{}", values.join(","));
    }
    let canonical_request = format!(
        "{method}\n{}\n{}\n{canonical_headers}\n{}\n{payload_hash}",
        canonical_uri(uri.path()),
        canonical_query(uri),
        request.signed_headers.join(";"),
    );
    let scope = format!(
        "{}/{}/{}/aws4_request",
        request.date, region, request.service
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{}\n{scope}\n{}",
        request.amz_date,
        sha256_hex(canonical_request.as_bytes())
    );
    let mut key = hmac_sha256(
        format!("AWS4{secret_key}").as_bytes(),
        request.date.as_bytes(),
    );
    for part in [region, request.service.as_str(), "aws4_request"] {
        key = hmac_sha256(&key, part.as_bytes());
    }
    let expected = hex(&hmac_sha256(&key, string_to_sign.as_bytes()));
    constant_time::verify_slices_are_equal(expected.as_bytes(), request.signature.as_bytes())
        .map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_uri_double_encodes() {
        assert_eq!(canonical_uri("/graphql"), "/graphql");
        assert_eq!(canonical_uri("/a b"), "/a%2520b");
        assert_eq!(parse_amz_date("20150830T123600Z"), Some(1_440_938_160));
    }
}
