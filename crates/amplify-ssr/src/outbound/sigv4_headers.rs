//! SigV4 header signing with `aws-sigv4`, for the services signed in headers with the body's hash inside the
//! signature only (AppSync, API Gateway): every request header is signed, and `authorization`, `x-amz-date` and
//! `x-amz-security-token` come back to be added. S3 signs differently (`crate::storage`).

use std::time::SystemTime;

use aws_sigv4::http_request::{
    SignableBody, SignableRequest, SignatureLocation, SigningParams, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use url::Url;

use crate::auth::AwsCredentials;

/// What a request to sign is: `method` to `url` with `headers` (lower-case names) and `body`, for `service` in
/// `region`.
pub(crate) struct HeaderSigning<'a> {
    pub(crate) method: &'a str,
    pub(crate) url: &'a Url,
    pub(crate) headers: &'a [(String, String)],
    pub(crate) body: &'a [u8],
    pub(crate) service: &'a str,
    pub(crate) region: &'a str,
}

/// The headers to add, or `aws-sigv4`'s error as text (each service wraps it in its own error).
pub(crate) fn sign_headers(
    request: &HeaderSigning<'_>,
    credentials: &AwsCredentials,
    time: SystemTime,
) -> Result<Vec<(&'static str, String)>, String> {
    let identity = credentials.signing_credentials().into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::Headers;
    let params: SigningParams<'_> = v4::SigningParams::builder()
        .identity(&identity)
        .region(request.region)
        .name(request.service)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let signable = SignableRequest::new(
        request.method,
        request.url.as_str(),
        request
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(request.body),
    )
    .map_err(|e| e.to_string())?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| e.to_string())?
        .into_parts();
    let (added, _) = instructions.into_parts();
    Ok(added
        .into_iter()
        .map(|header| (header.name(), header.value().to_owned()))
        .collect())
}
