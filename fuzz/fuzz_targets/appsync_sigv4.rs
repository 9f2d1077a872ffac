//! amplify-local's SigV4 check of AppSync requests (`graphql/sigv4.rs`: the `Authorization` header's parser, the
//! credential scope, `X-Amz-Date`, the payload hash and the re-signing with `aws-sigv4`).
//!
//! Input: one mode byte, then a request in the harness's text format (`METHOD /path?query`, header lines, an
//! empty line, the body).
//! * mode 0: the request is checked as sent (secret `secret`, region `us-east-1`, a fixed clock).
//! * mode 1: the request is first signed the way an AWS SDK signs it (with a session token if bit 1 of the mode
//!   byte is set, and `x-amz-content-sha256` if bit 2 is), and then must verify.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use amplify_fuzz::TextRequest;
use amplify_local::fuzzing::verify_appsync_signature;
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use http::{HeaderValue, Request, Uri};
use libfuzzer_sys::fuzz_target;

const NOW: i64 = 1_750_000_000;
const SECRET: &str = "secret";
const REGION: &str = "us-east-1";

/// Signs `request` as a client would (an absolute URL built from its `Host`), in place.
fn sign_as_client(request: &mut TextRequest, token: bool, content_sha256: bool) -> Option<()> {
    // The signer writes these itself.
    for name in [
        "authorization",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-content-sha256",
    ] {
        request.headers.remove(name);
    }
    if !request.headers.contains_key(http::header::HOST) {
        request.headers.insert(
            http::header::HOST,
            HeaderValue::from_static("api.example.com"),
        );
    }
    // A client signs the URL it sends to: the `Host` must be the URL's authority.
    let host = request
        .headers
        .get(http::header::HOST)?
        .to_str()
        .ok()?
        .to_owned();
    let authority: http::uri::Authority = host.parse().ok()?;
    if authority.as_str() != host || host.contains('@') {
        return None;
    }
    let path = request.uri.path_and_query().map_or("/", |pq| pq.as_str());
    if !path.starts_with('/') {
        return None;
    }
    let url = format!("https://{host}{path}");
    let pairs: Vec<(String, String)> = request
        .headers
        .iter()
        .filter_map(|(name, value)| {
            Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect();
    let identity = Credentials::new(
        "ASIAFUZZ",
        SECRET,
        token.then(|| "session-token".to_owned()),
        None,
        "fuzz",
    )
    .into();
    let mut settings = SigningSettings::default();
    if content_sha256 {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(REGION)
        .name("appsync")
        .time(UNIX_EPOCH + Duration::from_secs(NOW as u64))
        .settings(settings)
        .build()
        .ok()?
        .into();
    let signable = SignableRequest::new(
        request.method.as_str(),
        url.as_str(),
        pairs
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str())),
        SignableBody::Bytes(&request.body),
    )
    .ok()?;
    let (instructions, _) = sign(signable, &params).ok()?.into_parts();
    let mut signed = Request::builder()
        .method(request.method.clone())
        .uri(url.parse::<Uri>().ok()?)
        .body(())
        .ok()?;
    *signed.headers_mut() = request.headers.clone();
    instructions.apply_to_request_http1x(&mut signed);
    request.headers = signed.headers().clone();
    Some(())
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Some(mut request) = TextRequest::parse(rest) else {
        return;
    };
    let signs = mode & 1 == 1;
    if signs && sign_as_client(&mut request, mode & 2 != 0, mode & 4 != 0).is_none() {
        return;
    }
    let result = verify_appsync_signature(
        (
            &request.method,
            &request.uri,
            &request.headers,
            &request.body,
        ),
        SECRET,
        REGION,
        NOW,
    );
    if signs {
        assert_eq!(result, Ok(()), "a request signed by aws-sigv4 was refused");
    }
});
