//! The time checks of S3 requests, on the backend's clock ([`crate::Clock`])
//! so that tests can move through them: a header-signed request must be
//! signed within 15 minutes of now, and a presigned URL must not be signed
//! more than 15 minutes ahead nor used after its `X-Amz-Expires`. s3s's own
//! skew check (on the system clock) is turned off for that; its presigned
//! expiry check, also on the system clock, stays as a second check.

use std::sync::Arc;

use s3s::config::{S3Config, StaticConfigProvider};
use s3s::{S3Result, s3_error};

use super::access::query_param;
use crate::sigv4::{MAX_SKEW_SECS, parse_amz_date};

/// s3s's configuration: its defaults, without its skew check.
pub(super) fn s3s_config() -> Arc<StaticConfigProvider> {
    let mut config = S3Config::default();
    config.presigned_url_max_skew_time_secs = u32::MAX;
    Arc::new(StaticConfigProvider::new(Arc::new(config)))
}

fn skewed() -> s3s::S3Error {
    s3_error!(
        RequestTimeTooSkewed,
        "The difference between the request time and the server's time is too large."
    )
}

/// Checks the signing time of a request whose signature s3s verified, as of
/// `now` (seconds since the Unix epoch).
pub(super) fn check(headers: &http::HeaderMap, uri: &http::Uri, now: i64) -> S3Result<()> {
    let signed_at = |value: &str| {
        parse_amz_date(value)
            .ok_or_else(|| s3_error!(AccessDenied, "X-Amz-Date is not a valid date"))
    };
    if let Some(date) = query_param(uri, "X-Amz-Date") {
        let signed_at = signed_at(&date)?;
        let expires = query_param(uri, "X-Amz-Expires")
            .and_then(|value| value.parse::<i64>().ok())
            .ok_or_else(|| {
                s3_error!(
                    AuthorizationQueryParametersError,
                    "X-Amz-Expires is invalid"
                )
            })?;
        if signed_at.saturating_sub(now) > MAX_SKEW_SECS {
            return Err(skewed());
        }
        if now.saturating_sub(signed_at) > expires {
            return Err(s3_error!(AccessDenied, "Request has expired"));
        }
        return Ok(());
    }
    if let Some(date) = headers.get("x-amz-date").and_then(|v| v.to_str().ok())
        && now.saturating_sub(signed_at(date)?).abs() > MAX_SKEW_SECS
    {
        return Err(skewed());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-01-02T03:04:05Z.
    const SIGNED_AT: i64 = 1_704_164_645;

    fn presigned(expires: u32) -> http::Uri {
        format!("/bkt/key?X-Amz-Date=20240102T030405Z&X-Amz-Expires={expires}&X-Amz-Signature=00")
            .parse()
            .unwrap()
    }

    fn code(result: S3Result<()>) -> String {
        result.unwrap_err().code().as_str().to_owned()
    }

    #[test]
    fn a_presigned_url_lives_exactly_its_lifetime_on_the_clock() {
        let headers = http::HeaderMap::new();
        let uri = presigned(60);
        assert!(check(&headers, &uri, SIGNED_AT + 60).is_ok());
        assert_eq!(code(check(&headers, &uri, SIGNED_AT + 61)), "AccessDenied");
        assert!(check(&headers, &uri, SIGNED_AT - MAX_SKEW_SECS).is_ok());
        assert_eq!(
            code(check(&headers, &uri, SIGNED_AT - MAX_SKEW_SECS - 1)),
            "RequestTimeTooSkewed"
        );
    }

    #[test]
    fn a_header_signed_request_is_within_fifteen_minutes_of_the_clock() {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-amz-date", "20240102T030405Z".parse().unwrap());
        let uri: http::Uri = "/bkt/key".parse().unwrap();
        for now in [SIGNED_AT - MAX_SKEW_SECS, SIGNED_AT + MAX_SKEW_SECS] {
            assert!(check(&headers, &uri, now).is_ok());
        }
        for now in [SIGNED_AT - MAX_SKEW_SECS - 1, SIGNED_AT + MAX_SKEW_SECS + 1] {
            assert_eq!(code(check(&headers, &uri, now)), "RequestTimeTooSkewed");
        }
    }
}
