//! The AWS JSON 1.1 protocol over HTTP, shared by the user-pool client and (later) the identity-pool client.

use std::time::Duration;

use http::HeaderMap;
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use super::{CognitoError, RetryPolicy};
use crate::outbound::{TransportError, Verdict, read_bounded};

/// The `x-amz-user-agent` sent with every call.
const USER_AGENT: &str = concat!("amplify-ssr/", env!("CARGO_PKG_VERSION"));

/// Success bodies larger than this are rejected.
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// Only this much of an error body is read.
const MAX_ERROR_BYTES: usize = 64 * 1024;

/// Longest error code kept from an error response (Cognito's and OAuth's longest are well under this).
const MAX_CODE_CHARS: usize = 64;

/// Longest message kept from an error response.
const MAX_MESSAGE_CHARS: usize = 512;

/// Longest excerpt kept from a non-JSON error page.
const MAX_PAGE_EXCERPT_CHARS: usize = 200;

/// Default for [`CognitoClient::with_attempt_timeout`](super::CognitoClient::with_attempt_timeout).
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// The `x-amz-target` prefix that routes a call to a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    /// Cognito user pools: `AWSCognitoIdentityProviderService`.
    UserPools,
    /// Cognito identity pools: `AWSCognitoIdentityService`.
    IdentityPools,
}

impl Service {
    pub(crate) const fn target_prefix(self) -> &'static str {
        match self {
            Self::UserPools => "AWSCognitoIdentityProviderService",
            Self::IdentityPools => "AWSCognitoIdentityService",
        }
    }
}

/// Unsigned AWS JSON 1.1 calls to one endpoint, with retries.
#[derive(Debug, Clone)]
pub(crate) struct JsonTransport {
    http: reqwest::Client,
    endpoint: Url,
    service: Service,
    retry: RetryPolicy,
    attempt_timeout: Option<Duration>,
}

impl JsonTransport {
    pub(crate) fn new(http: reqwest::Client, endpoint: Url, service: Service) -> Self {
        Self {
            http,
            endpoint,
            service,
            retry: RetryPolicy::default(),
            attempt_timeout: Some(DEFAULT_ATTEMPT_TIMEOUT),
        }
    }

    pub(crate) fn set_retry(&mut self, retry: RetryPolicy) {
        self.retry = retry;
    }

    pub(crate) fn set_attempt_timeout(&mut self, timeout: Option<Duration>) {
        self.attempt_timeout = timeout;
    }

    pub(crate) fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// Calls `operation` with `request` as the JSON body and decodes the JSON answer.
    pub(crate) async fn call<Req, Resp>(
        &self,
        operation: &'static str,
        request: &Req,
    ) -> Result<Resp, CognitoError>
    where
        Req: Serialize + ?Sized,
        Resp: DeserializeOwned,
    {
        let body = serde_json::to_vec(request).map_err(|e| CognitoError::InvalidRequest {
            operation,
            detail: e.to_string(),
        })?;
        let bytes = self.call_raw(operation, body).await?;
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        serde_json::from_slice(bytes).map_err(|e| CognitoError::InvalidResponse {
            operation,
            detail: describe_json_error(&e),
        })
    }

    /// Sends `body` (already JSON) to `operation`, retrying per the policy; returns the success body.
    pub(crate) async fn call_raw(
        &self,
        operation: &'static str,
        body: Vec<u8>,
    ) -> Result<bytes::Bytes, CognitoError> {
        let body = bytes::Bytes::from(body);
        let target = format!("{}.{operation}", self.service.target_prefix());
        let invocation_id = uuid::Uuid::new_v4().to_string();
        let max = self.retry.max_attempts();
        self.retry
            .drive(
                max,
                "Cognito",
                |attempt| {
                    tracing::info_span!(
                        "cognito",
                        service = self.service.target_prefix(),
                        operation,
                        attempt,
                        max_attempts = max,
                        invocation_id = %invocation_id,
                        status = tracing::field::Empty,
                        error_code = tracing::field::Empty,
                    )
                },
                |attempt| {
                    self.attempt(
                        operation,
                        &target,
                        &invocation_id,
                        attempt,
                        max,
                        body.clone(),
                    )
                },
                |outcome| Verdict::of_result(outcome, CognitoError::is_retryable),
            )
            .await
    }

    async fn attempt(
        &self,
        operation: &'static str,
        target: &str,
        invocation_id: &str,
        attempt: u32,
        max: u32,
        body: bytes::Bytes,
    ) -> Result<bytes::Bytes, CognitoError> {
        let mut request = self
            .http
            .post(self.endpoint.clone())
            .header(CONTENT_TYPE, "application/x-amz-json-1.1")
            .header("x-amz-target", target)
            .header(CACHE_CONTROL, "no-store")
            .header("x-amz-user-agent", USER_AGENT)
            .header("amz-sdk-invocation-id", invocation_id)
            .header("amz-sdk-request", format!("attempt={attempt}; max={max}"))
            .body(body);
        if let Some(timeout) = self.attempt_timeout {
            request = request.timeout(timeout);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| CognitoError::Network(TransportError::new(e)))?;
        let status = response.status();
        tracing::Span::current().record("status", status.as_u16());

        let limit = if status.is_success() {
            MAX_RESPONSE_BYTES
        } else {
            MAX_ERROR_BYTES
        };
        let body = read_bounded(&mut response, limit)
            .await
            .map_err(CognitoError::Network)?;
        if status.is_success() {
            if body.truncated {
                return Err(CognitoError::InvalidResponse {
                    operation,
                    detail: format!("response is larger than {MAX_RESPONSE_BYTES} bytes"),
                });
            }
            return Ok(body.bytes);
        }
        Err(service_error(
            status.as_u16(),
            response.headers(),
            &body.bytes,
        ))
    }
}

/// Builds a [`CognitoError::Service`] from an error response.
pub(crate) fn service_error(status: u16, headers: &HeaderMap, body: &[u8]) -> CognitoError {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let request_id = header("x-amzn-requestid")
        .or_else(|| header("x-amz-request-id"))
        .map(str::to_owned);
    let header_code = header("x-amzn-errortype")
        .map(sanitize_code)
        .filter(|c| !c.is_empty());

    let json = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .filter(serde_json::Value::is_object);
    let (code, message) = match &json {
        Some(doc) => {
            let field = |names: &[&str]| {
                names
                    .iter()
                    .find_map(|n| doc.get(*n).and_then(|v| v.as_str()))
            };
            let body_code = field(&["__type", "code", "Code"])
                .map(sanitize_code)
                .filter(|c| !c.is_empty());
            let message = field(&["message", "Message", "errorMessage"]).unwrap_or_default();
            (header_code.or(body_code), scrub(message, MAX_MESSAGE_CHARS))
        }
        None => (header_code, page_excerpt(body)),
    };
    CognitoError::Service {
        code: code.unwrap_or_else(|| "UnknownError".to_owned()),
        message,
        status,
        request_id,
    }
}

/// `aws.protocol#NotAuthorizedException:http://...` → `NotAuthorizedException`. Anything but a plain name
/// (letters, digits, `_`, `.`, `-`) becomes empty: error names reach HTTP responses
/// ([`AuthError::name`](crate::AuthError::name)), so no free text from a server may pass as one.
fn sanitize_code(raw: &str) -> String {
    let before_colon = raw.split([',', ':']).next().unwrap_or_default();
    let name = before_colon.rsplit('#').next().unwrap_or_default().trim();
    if is_plain_code(name) {
        name.to_owned()
    } else {
        String::new()
    }
}

/// Whether `code` looks like an error code (`[A-Za-z0-9_.-]`, 1 to 64 characters) rather than free text.
pub(crate) fn is_plain_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= MAX_CODE_CHARS
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// A short, single-line, tag-free excerpt of a non-JSON error page.
fn page_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            c if c.is_whitespace() || c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return "(non-JSON error response with no text)".to_owned();
    }
    scrub(&collapsed, MAX_PAGE_EXCERPT_CHARS)
}

/// Truncates to `max_chars` and replaces anything that looks like a JWT/JWE (`eyJ...`) with `[redacted]`.
pub(crate) fn scrub(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    let mut rest = text;
    while let Some(pos) = rest.find("eyJ") {
        out.push_str(&rest[..pos]);
        let token_len = rest[pos..]
            .find(|c: char| {
                !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=' | '+' | '/'))
            })
            .unwrap_or(rest.len() - pos);
        out.push_str(crate::secret::REDACTED);
        rest = &rest[pos + token_len..];
    }
    out.push_str(rest);
    match out.char_indices().nth(max_chars) {
        Some((idx, _)) => {
            out.truncate(idx);
            out.push('…');
            out
        }
        None => out,
    }
}

/// Describes a JSON decoding error without quoting the response (serde quotes offending string values, which
/// could be tokens).
fn describe_json_error(err: &serde_json::Error) -> String {
    let message = err.to_string();
    let mut out = String::with_capacity(message.len());
    let mut in_quotes = false;
    for c in message.chars() {
        if c == '"' {
            if !in_quotes {
                out.push_str("\"…");
            }
            in_quotes = !in_quotes;
            if !in_quotes {
                out.push('"');
            }
        } else if !in_quotes {
            out.push(c);
        }
    }
    out
}
