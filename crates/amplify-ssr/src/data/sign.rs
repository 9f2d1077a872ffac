//! SigV4 header signing of AppSync requests with the `aws-sigv4` crate, as aws-amplify's `signRequest` does it:
//! every request header is signed, the body's hash goes into the signature but not into a header (unlike S3, see
//! `crate::storage::sign`), and `x-amz-date` / `x-amz-security-token` are added.

use std::time::SystemTime;

use aws_sigv4::http_request::{
    SignableBody, SignableRequest, SignatureLocation, SigningParams, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use url::Url;

use super::error::DataError;
use crate::auth::AwsCredentials;

/// The SigV4 service name of AppSync.
pub(crate) const SERVICE: &str = "appsync";

/// Signs a POST to `url` with `headers` (lower-case names) and `body`; returns the headers to add
/// (`authorization`, `x-amz-date`, `x-amz-security-token`).
pub(crate) fn sign_request(
    url: &Url,
    headers: &[(String, String)],
    body: &[u8],
    credentials: &AwsCredentials,
    region: &str,
    time: SystemTime,
) -> Result<Vec<(&'static str, String)>, DataError> {
    let identity = credentials.signing_credentials().into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::Headers;
    let params: SigningParams<'_> = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(SERVICE)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| DataError::Signing(e.to_string()))?
        .into();
    let request = SignableRequest::new(
        "POST",
        url.as_str(),
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )
    .map_err(|e| DataError::Signing(e.to_string()))?;
    let (instructions, _signature) = sign(request, &params)
        .map_err(|e| DataError::Signing(e.to_string()))?
        .into_parts();
    let (added, _) = instructions.into_parts();
    Ok(added
        .into_iter()
        .map(|header| (header.name(), header.value().to_owned()))
        .collect())
}
