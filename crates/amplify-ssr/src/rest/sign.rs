//! SigV4 header signing of REST calls (service `execute-api`) with `aws-sigv4`: every request header and the
//! body's hash are signed; `authorization`, `x-amz-date` and `x-amz-security-token` are added.

use std::time::SystemTime;

use url::Url;

use super::error::RestError;
use crate::auth::AwsCredentials;
use crate::outbound::sigv4_headers::{HeaderSigning, sign_headers};

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
    let request = HeaderSigning {
        method,
        url,
        headers,
        body,
        service: SERVICE,
        region,
    };
    sign_headers(&request, credentials, time).map_err(RestError::Signing)
}
