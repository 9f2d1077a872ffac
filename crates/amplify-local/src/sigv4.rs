//! Verifies header-signed SigV4 requests (`Authorization: AWS4-HMAC-SHA256 …`):
//! GraphQL requests (service `appsync`, as AppSync does for `AWS_IAM`) and
//! the user-pool admin operations (service `cognito-idp`).

use std::fmt::Write as _;
use std::time::{Duration, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_lc_rs::{constant_time, digest};
use aws_sigv4::http_request::{
    PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use axum::http::{HeaderMap, Method, Uri};

/// How far the request time may be from ours (AppSync's and S3's 15
/// minutes).
pub(crate) const MAX_SKEW_SECS: i64 = 15 * 60;

/// What a signature must be scoped to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope<'a> {
    /// The signing name (`appsync`, `cognito-idp`).
    pub(crate) service: &'a str,
    /// The region.
    pub(crate) region: &'a str,
}

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

/// The `Authorization` parameters of a SigV4 header, each given once.
#[derive(Default)]
struct Parameters<'a> {
    credential: Option<&'a str>,
    signed_headers: Option<&'a str>,
    signature: Option<&'a str>,
}

impl<'a> Parameters<'a> {
    fn read(rest: &'a str) -> Result<Self, SignatureError> {
        let mut found = Self::default();
        for part in rest.split(',') {
            let part = part.trim();
            let (slot, value) = if let Some(v) = part.strip_prefix("Credential=") {
                (&mut found.credential, v)
            } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
                (&mut found.signed_headers, v)
            } else if let Some(v) = part.strip_prefix("Signature=") {
                (&mut found.signature, v)
            } else {
                continue;
            };
            if slot.replace(value).is_some() {
                return Err(malformed(
                    "Authorization header gives 'Credential', 'SignedHeaders' or 'Signature' \
                     more than once",
                ));
            }
        }
        Ok(found)
    }
}

fn malformed(what: &str) -> SignatureError {
    SignatureError::Malformed(what.to_owned())
}

/// `Credential=<key id>/<yyyymmdd>/<region>/<service>/aws4_request`.
struct Credential<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
}

fn parse_credential(credential: &str) -> Result<Credential<'_>, SignatureError> {
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, "aws4_request"] = scope.as_slice() else {
        return Err(malformed(
            "Credential must be '<access key id>/<yyyymmdd>/<region>/<service>/aws4_request'",
        ));
    };
    if access_key_id.is_empty() || !access_key_id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(malformed(
            "Credential must start with an access key id (any non-empty id works unless \
             credentials are pinned)",
        ));
    }
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed(
            "Credential scope must carry the signing date as yyyymmdd",
        ));
    }
    if region.is_empty() || service.is_empty() {
        return Err(malformed(
            "Credential scope must name a region and a service",
        ));
    }
    Ok(Credential {
        access_key_id,
        date,
        region,
        service,
    })
}

/// `SignedHeaders=a;b;c`: lowercase names, sorted, each once, as every
/// SigV4 signer writes them, and each present in the request. A name is any
/// HTTP header name (RFC 9110 token characters such as `|` or `~` included,
/// which SDKs sign like any other), written in lowercase.
fn parse_signed_headers(list: &str, headers: &HeaderMap) -> Result<Vec<String>, SignatureError> {
    let names: Vec<&str> = list.split(';').collect();
    let well_formed = |name: &&str| {
        http::HeaderName::from_bytes(name.as_bytes()).is_ok_and(|parsed| parsed.as_str() == *name)
    };
    if !names.iter().all(well_formed) || !names.windows(2).all(|pair| pair[0] < pair[1]) {
        return Err(malformed(
            "SignedHeaders must list lowercase header names, sorted and separated by ';'",
        ));
    }
    for required in ["host", "x-amz-date"] {
        if !names.contains(&required) {
            return Err(SignatureError::Malformed(format!(
                "'{required}' must be a signed header"
            )));
        }
    }
    if let Some(absent) = names.iter().find(|name| !headers.contains_key(**name)) {
        return Err(SignatureError::Malformed(format!(
            "SignedHeaders names '{absent}', which the request does not carry"
        )));
    }
    Ok(names.into_iter().map(str::to_owned).collect())
}

/// A SigV4 signature: a hex-encoded HMAC-SHA256, 64 lowercase characters.
fn is_signature(value: &str) -> bool {
    value.len() == 64
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`
/// and checks that it is well formed: what any SigV4 signer produces,
/// whatever its keys.
pub(crate) fn parse(headers: &HeaderMap) -> Result<SignedRequest, SignatureError> {
    let header = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| malformed("Authorization header requires a value"))?;
    let rest = header.strip_prefix("AWS4-HMAC-SHA256 ").ok_or_else(|| {
        malformed("Unsupported signing algorithm: sign with AWS4-HMAC-SHA256 (SigV4)")
    })?;
    let Parameters {
        credential: Some(credential),
        signed_headers: Some(signed_headers),
        signature: Some(signature),
    } = Parameters::read(rest)?
    else {
        return Err(malformed(
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters",
        ));
    };
    let credential = parse_credential(credential)?;
    let amz_date = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| malformed("Authorization header requires existence of X-Amz-Date"))?
        .to_owned();
    let signed_headers = parse_signed_headers(signed_headers, headers)?;
    if !is_signature(signature) {
        return Err(malformed(
            "Signature must be 64 lowercase hexadecimal characters (a SigV4 signature)",
        ));
    }
    Ok(SignedRequest {
        access_key_id: credential.access_key_id.to_owned(),
        date: credential.date.to_owned(),
        region: credential.region.to_owned(),
        service: credential.service.to_owned(),
        signed_headers,
        signature: signature.to_owned(),
        amz_date,
    })
}

impl SignedRequest {
    /// Whether the client signed the header `name` (lowercase).
    pub(crate) fn signs(&self, name: &str) -> bool {
        self.signed_headers.iter().any(|h| h == name)
    }
}

/// `YYYYMMDDTHHMMSSZ` as seconds since the epoch.
pub(crate) fn parse_amz_date(value: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::PrimitiveDateTime::parse(value, format)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

/// Headers `aws-sigv4`'s default settings never sign; a client that signed
/// one could not be re-signed the same way.
const UNSIGNABLE: [&str; 4] = [
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "transfer-encoding",
];

/// Checks what needs no secret key: the credential scope names `scope`,
/// `X-Amz-Date` is valid, agrees with the scope's date and is within the
/// allowed clock skew of `now`. Returns the signing time.
pub(crate) fn check_scope(
    request: &SignedRequest,
    scope: Scope<'_>,
    now: i64,
) -> Result<i64, SignatureError> {
    if request.service != scope.service {
        return Err(SignatureError::WrongScope(format!(
            "Credential should be scoped to correct service: '{}', not '{}'",
            scope.service, request.service
        )));
    }
    if request.region != scope.region {
        return Err(SignatureError::WrongScope(format!(
            "Credential should be scoped to a valid region, not '{}'",
            request.region
        )));
    }
    let time = parse_amz_date(&request.amz_date)
        .ok_or_else(|| SignatureError::Malformed("X-Amz-Date is not a valid date".to_owned()))?;
    if request.amz_date.get(..8) != Some(request.date.as_str()) {
        return Err(SignatureError::Malformed(
            "Date in Credential scope does not match X-Amz-Date".to_owned(),
        ));
    }
    if (now - time).abs() > MAX_SKEW_SECS {
        return Err(SignatureError::Skewed);
    }
    Ok(time)
}

/// Verifies the signature of a request with the secret key of its access
/// key, the scope it must have and the time now: after [`check_scope`], the
/// request is rebuilt from exactly the headers the client signed and
/// re-signed with `aws-sigv4`, and the two signatures are compared in
/// constant time.
pub(crate) fn verify(
    request: &SignedRequest,
    secret_key: &str,
    scope: Scope<'_>,
    (method, uri, headers, body): (&Method, &Uri, &HeaderMap, &[u8]),
    now: i64,
) -> Result<(), SignatureError> {
    let time = check_scope(request, scope, now)?;
    let payload_hash = sha256_hex(body);
    if let Some(claimed) = headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
        && claimed != payload_hash
    {
        return Err(SignatureError::Mismatch);
    }
    if let Some(name) = request
        .signed_headers
        .iter()
        .find(|name| UNSIGNABLE.contains(&name.as_str()))
    {
        return Err(SignatureError::Malformed(format!(
            "'{name}' cannot be a signed header"
        )));
    }
    let signs = |name: &str| request.signs(name);
    // The headers the client signed, as presented. `x-amz-date`,
    // `x-amz-security-token` and `x-amz-content-sha256` are added by the
    // signer itself (from the signing time, the session token and the body
    // hash checked above).
    let mut signed_values: Vec<(&str, &str)> = Vec::new();
    for name in &request.signed_headers {
        let values: Vec<&str> = headers
            .get_all(name.as_str())
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if values.is_empty() {
            return Err(SignatureError::Mismatch);
        }
        if matches!(
            name.as_str(),
            "x-amz-date" | "x-amz-security-token" | "x-amz-content-sha256"
        ) {
            continue;
        }
        signed_values.extend(values.into_iter().map(|v| (name.as_str(), v)));
    }
    // The token the client signed: whether it is the one issued with this
    // access key is checked by the caller, which answers that differently.
    let session_token = if signs("x-amz-security-token") {
        headers
            .get("x-amz-security-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    } else {
        None
    };
    let identity = Credentials::new(
        request.access_key_id.as_str(),
        secret_key,
        session_token,
        None,
        "amplify-local",
    )
    .into();
    let mut settings = SigningSettings::default();
    if signs("x-amz-content-sha256") {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    let signing_time = u64::try_from(time)
        .ok()
        .map(|secs| UNIX_EPOCH + Duration::from_secs(secs))
        .ok_or_else(|| SignatureError::Malformed("X-Amz-Date is not a valid date".to_owned()))?;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(scope.region)
        .name(scope.service)
        .time(signing_time)
        .settings(settings)
        .build()
        .map_err(|_| SignatureError::Mismatch)?
        .into();
    let path_and_query = uri.path_and_query().map_or("/", |pq| pq.as_str());
    let signable = SignableRequest::new(
        method.as_str(),
        path_and_query,
        signed_values.into_iter(),
        SignableBody::Bytes(body),
    )
    .map_err(|_| SignatureError::Malformed("The request cannot be signed".to_owned()))?;
    let output = sign(signable, &params).map_err(|_| SignatureError::Mismatch)?;
    let produced = output
        .output()
        .headers()
        .find(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        .and_then(|(_, value)| {
            value
                .split(',')
                .find_map(|part| part.trim().strip_prefix("SignedHeaders="))
        })
        .ok_or(SignatureError::Mismatch)?;
    let presented = request.signed_headers.join(";");
    if produced != presented {
        return Err(SignatureError::Malformed(format!(
            "SignedHeaders '{presented}' do not match the headers AWS signers sign: '{produced}'"
        )));
    }
    constant_time::verify_slices_are_equal(
        output.signature().as_bytes(),
        request.signature.as_bytes(),
    )
    .map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_440_938_160;
    const BODY: &[u8] = br#"{"query":"{ listTodos { items { id } } }"}"#;

    /// A request signed by `aws-sigv4` as an AppSync client would sign it.
    fn signed(
        extra: &[(&str, &str)],
        token: Option<&str>,
        settings: SigningSettings,
    ) -> (Method, Uri, HeaderMap) {
        let url = "https://api.example.com/graphql?a=b%20c";
        let mut pairs = vec![("content-type", "application/json")];
        pairs.extend_from_slice(extra);
        let identity = Credentials::new(
            "ASIAEXAMPLE",
            "secret",
            token.map(str::to_owned),
            None,
            "test",
        )
        .into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("appsync")
            .time(UNIX_EPOCH + Duration::from_secs(NOW.unsigned_abs()))
            .settings(settings)
            .build()
            .expect("params")
            .into();
        let signable = SignableRequest::new(
            "POST",
            url,
            pairs.iter().copied(),
            SignableBody::Bytes(BODY),
        )
        .expect("signable");
        let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
        let mut request = http::Request::builder().method("POST").uri(url);
        for (name, value) in &pairs {
            request = request.header(*name, *value);
        }
        request = request.header("host", "api.example.com");
        let mut request = request.body(()).expect("request");
        instructions.apply_to_request_http1x(&mut request);
        let (parts, ()) = request.into_parts();
        let uri: Uri = parts
            .uri
            .path_and_query()
            .expect("path")
            .as_str()
            .parse()
            .expect("uri");
        (parts.method, uri, parts.headers)
    }

    fn check(request: &(Method, Uri, HeaderMap), secret: &str) -> Result<(), SignatureError> {
        let (method, uri, headers) = request;
        let parsed = parse(headers)?;
        verify(
            &parsed,
            secret,
            Scope {
                service: "appsync",
                region: "us-east-1",
            },
            (method, uri, headers, BODY),
            NOW + 60,
        )
    }

    #[test]
    fn parses_amz_date() {
        assert_eq!(parse_amz_date("20150830T123600Z"), Some(NOW));
        assert_eq!(parse_amz_date("2015-08-30T12:36:00Z"), None);
    }

    #[test]
    fn accepts_what_aws_sigv4_signs() {
        let plain = signed(&[], None, SigningSettings::default());
        assert_eq!(check(&plain, "secret"), Ok(()));
        let with_token = signed(&[], Some("token"), SigningSettings::default());
        assert_eq!(check(&with_token, "secret"), Ok(()));
        let mut settings = SigningSettings::default();
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        let with_hash = signed(&[("x-amz-user-agent", "test/1")], Some("t"), settings);
        assert_eq!(check(&with_hash, "secret"), Ok(()));
    }

    /// Found by the `appsync_sigv4` fuzz target: a header name with token
    /// characters other than letters, digits, `-` and `_` (here `|` and
    /// `~`) is signed by aws-sigv4 and was refused as malformed.
    #[test]
    fn accepts_signed_header_names_with_any_token_character() {
        let request = signed(
            &[("hos|", "api.example.com"), ("x~tag", "1")],
            None,
            SigningSettings::default(),
        );
        let authorization = request.2[http::header::AUTHORIZATION]
            .to_str()
            .expect("authorization");
        assert!(authorization.contains("hos|") && authorization.contains("x~tag"));
        assert_eq!(check(&request, "secret"), Ok(()));
    }

    #[test]
    fn refuses_signed_header_names_that_are_not_lowercase_tokens() {
        let (method, uri, mut headers) = signed(&[], None, SigningSettings::default());
        let authorization = headers[http::header::AUTHORIZATION]
            .to_str()
            .expect("authorization")
            .to_owned();
        for bad in [";Host;", "; host;", ";ho\"st;", ";;"] {
            headers.insert(
                http::header::AUTHORIZATION,
                http::HeaderValue::from_str(&authorization.replace(";host;", bad)).expect("value"),
            );
            assert!(
                matches!(
                    check(&(method.clone(), uri.clone(), headers.clone()), "secret"),
                    Err(SignatureError::Malformed(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn refuses_a_wrong_secret_or_altered_request() {
        let request = signed(&[], Some("token"), SigningSettings::default());
        assert_eq!(check(&request, "other"), Err(SignatureError::Mismatch));
        let (method, _, mut headers) = request.clone();
        let moved: Uri = "/graphql?a=d".parse().expect("uri");
        assert_eq!(
            check(&(method.clone(), moved, headers.clone()), "secret"),
            Err(SignatureError::Mismatch)
        );
        headers.insert("content-type", "text/plain".parse().expect("value"));
        let uri = request.1.clone();
        assert_eq!(
            check(&(method, uri, headers), "secret"),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn refuses_signed_headers_aws_sigv4_would_not_sign_alike() {
        let (method, uri, mut headers) = signed(&[], None, SigningSettings::default());
        let authorization = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .expect("authorization")
            .to_owned();
        let rewrite = |from: &str, to: &str| {
            http::HeaderValue::from_str(&authorization.replace(from, to)).expect("value")
        };
        headers.insert("user-agent", "curl".parse().expect("value"));
        headers.insert(
            http::header::AUTHORIZATION,
            rewrite(";host;", ";host;user-agent;"),
        );
        assert_eq!(
            check(&(method.clone(), uri.clone(), headers.clone()), "secret"),
            Err(SignatureError::Malformed(
                "'user-agent' cannot be a signed header".to_owned()
            ))
        );
        headers.insert(http::header::AUTHORIZATION, rewrite(";x-amz-date", ""));
        assert!(matches!(
            check(&(method, uri, headers), "secret"),
            Err(SignatureError::Malformed(_))
        ));
    }
}
