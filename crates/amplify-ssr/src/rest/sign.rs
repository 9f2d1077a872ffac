//! SigV4 header signing of REST calls (service `execute-api`) with `aws-sigv4`: every request header and the
//! body's hash are signed; `authorization`, `x-amz-date` and `x-amz-security-token` are added.

use std::time::SystemTime;

use aws_sigv4::http_request::{
    SignableBody, SignableRequest, SignatureLocation, SigningParams, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use url::Url;

use super::error::RestError;
use crate::auth::AwsCredentials;

/// API Gateway's signing name.
pub(crate) const SERVICE: &str = "execute-api";

/// The headers to add to a `method` request of `url` with `headers` (lower-case names) and `body`.
pub(crate) fn sign_request(
    method: &str,
    url: &Url,
    headers: &[(String, String)],
    body: &[u8],
    credentials: &AwsCredentials,
    region: &str,
    time: SystemTime,
) -> Result<Vec<(&'static str, String)>, RestError> {
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
        .map_err(|e| RestError::Signing(e.to_string()))?
        .into();
    let request = SignableRequest::new(
        method,
        url.as_str(),
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )
    .map_err(|e| RestError::Signing(e.to_string()))?;
    let (instructions, _signature) = sign(request, &params)
        .map_err(|e| RestError::Signing(e.to_string()))?
        .into_parts();
    let (added, _) = instructions.into_parts();
    Ok(added
        .into_iter()
        .map(|header| (header.name(), header.value().to_owned()))
        .collect())
}
