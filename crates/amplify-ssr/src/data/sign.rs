//! SigV4 header signing of AppSync requests with the `aws-sigv4` crate, as aws-amplify's `signRequest` does it:
//! every request header is signed, the body's hash goes into the signature but not into a header (unlike S3, see
//! `crate::storage::sign`), and `x-amz-date` / `x-amz-security-token` are added.

use std::time::SystemTime;

use url::Url;

use super::error::DataError;
use crate::auth::AwsCredentials;
use crate::outbound::sigv4_headers::{HeaderSigning, sign_headers};

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
    let request = HeaderSigning {
        method: "POST",
        url,
        headers,
        body,
        service: SERVICE,
        region,
    };
    sign_headers(&request, credentials, time).map_err(DataError::Signing)
}
