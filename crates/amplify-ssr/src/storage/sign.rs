//! SigV4 for S3 with the `aws-sigv4` crate: query signing (presigned URLs) and header signing.
//!
//! Settings for S3: the path is neither normalised nor double-encoded (`UriPathNormalizationMode::Disabled`,
//! `PercentEncodingMode::Single`), presigned URLs carry `UNSIGNED-PAYLOAD`, and header-signed requests send
//! `x-amz-content-sha256` (the body's SHA-256).

use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SignatureLocation,
    SigningParams, SigningSettings, UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use url::Url;

use super::AwsCredentials;
use super::endpoint::encode;
use super::error::StorageError;

/// The SigV4 service name of S3.
const SERVICE: &str = "s3";

/// The body hash of a header-signed request.
#[derive(Debug, Clone)]
pub(crate) enum Payload {
    /// The lowercase hex SHA-256 of the body.
    Sha256(String),
}

impl Payload {
    /// The SHA-256 of `body`.
    pub(crate) fn of(body: &[u8]) -> Self {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, body);
        Self::Sha256(crate::store::hex(digest.as_ref()))
    }
}

fn settings(location: SignatureLocation, expires_in: Option<Duration>) -> SigningSettings {
    let mut settings = SigningSettings::default();
    settings.signature_location = location;
    settings.expires_in = expires_in;
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.payload_checksum_kind = match location {
        SignatureLocation::QueryParams => PayloadChecksumKind::NoHeader,
        _ => PayloadChecksumKind::XAmzSha256,
    };
    settings
}

fn signing_error(e: impl std::fmt::Display) -> StorageError {
    StorageError::Signing(e.to_string())
}

/// Presigns `url` (whose query already holds the operation's own parameters, RFC 3986-encoded) for `method`.
///
/// `headers` are extra headers to sign (lower-case names); the client must send them verbatim. The returned URL
/// has the `X-Amz-*` parameters appended in aws-amplify's order: Algorithm, Credential, Date, SignedHeaders,
/// Expires, Security-Token, Signature.
pub(crate) fn presign(
    method: &str,
    url: &Url,
    headers: &[(&str, &str)],
    credentials: &AwsCredentials,
    region: &str,
    expires_in: Duration,
    time: SystemTime,
) -> Result<Url, StorageError> {
    let identity = credentials.signing_credentials().into();
    let params: SigningParams<'_> = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(SERVICE)
        .time(time)
        .settings(settings(SignatureLocation::QueryParams, Some(expires_in)))
        .build()
        .map_err(signing_error)?
        .into();
    let request = SignableRequest::new(
        method,
        url.as_str(),
        headers.iter().copied(),
        SignableBody::UnsignedPayload,
    )
    .map_err(signing_error)?;
    let (instructions, _signature) = sign(request, &params).map_err(signing_error)?.into_parts();
    let (_, signed) = instructions.into_parts();
    let value = |name: &str| {
        signed
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_ref())
    };
    let mut query = url.query().unwrap_or_default().to_owned();
    for name in [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-SignedHeaders",
        "X-Amz-Expires",
        "X-Amz-Security-Token",
        "X-Amz-Signature",
    ] {
        if let Some(value) = value(name) {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(name);
            query.push('=');
            query.push_str(&encode(value));
        }
    }
    let mut out = url.clone();
    out.set_query(Some(&query));
    Ok(out)
}

/// Signs a request in its headers. `headers` are the request's own headers (all of them are signed); the
/// returned headers (`authorization`, `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token`) must be
/// added to it.
pub(crate) fn sign_headers(
    method: &str,
    url: &Url,
    headers: &[(String, String)],
    payload: &Payload,
    credentials: &AwsCredentials,
    region: &str,
    time: SystemTime,
) -> Result<Vec<(&'static str, String)>, StorageError> {
    let identity = credentials.signing_credentials().into();
    let params: SigningParams<'_> = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(SERVICE)
        .time(time)
        .settings(settings(SignatureLocation::Headers, None))
        .build()
        .map_err(signing_error)?
        .into();
    let Payload::Sha256(hash) = payload;
    let body = SignableBody::Precomputed(hash.clone());
    let request = SignableRequest::new(
        method,
        url.as_str(),
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        body,
    )
    .map_err(signing_error)?;
    let (instructions, _signature) = sign(request, &params).map_err(signing_error)?.into_parts();
    let (added, _) = instructions.into_parts();
    Ok(added
        .into_iter()
        .map(|header| (header.name(), header.value().to_owned()))
        .collect())
}
