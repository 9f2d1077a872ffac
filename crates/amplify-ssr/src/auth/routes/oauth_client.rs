//! The two back-channel calls to managed login: the token exchange and the refresh-token revocation.
//!
//! Neither function logs or returns a token, code or verifier; errors carry only OAuth error codes, HTTP
//! statuses and error kinds.

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use url::Url;

use crate::cognito::{AuthenticationResult, DEFAULT_ATTEMPT_TIMEOUT, is_plain_code};
use crate::outbound::{RetryPolicy, TransportError, Verdict, read_bounded};
use crate::secret::{AccessToken, AuthorizationCode, IdToken, PkceVerifier, RefreshToken};

/// Token responses larger than this are refused (three tokens are a few kilobytes).
const MAX_BODY_BYTES: usize = 256 * 1024;

/// The OAuth error code used when the server's answer carries no usable one.
pub(crate) const SERVER_ERROR: &str = "server_error";

/// What the token or revocation endpoint answered, when it was not a success.
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum OAuthCallError {
    /// A JSON `{"error": "..."}` answer (`invalid_grant`, `invalid_client`, ...).
    #[error("the endpoint answered HTTP {status} with OAuth error `{code}`")]
    OAuth { status: u16, code: String },
    /// A non-JSON answer, a 5xx, or a success body without the expected fields.
    #[error("unexpected answer from the endpoint (HTTP {status}): {detail}")]
    Unexpected { status: u16, detail: &'static str },
    /// The request did not complete (connect error, timeout, broken connection).
    #[error("network error: {0}")]
    Network(String),
}

impl OAuthCallError {
    /// The OAuth error code to show the application: the server's (sanitised) or `server_error`.
    pub(crate) fn oauth_code(&self) -> &str {
        match self {
            Self::OAuth { code, .. } => code,
            Self::Unexpected { .. } | Self::Network(_) => SERVER_ERROR,
        }
    }
}

/// Input of the authorization-code exchange.
pub(crate) struct CodeExchange<'a> {
    pub(crate) client_id: &'a str,
    pub(crate) code: &'a AuthorizationCode,
    pub(crate) redirect_uri: &'a str,
    pub(crate) verifier: &'a PkceVerifier,
}

/// `POST {base}/oauth2/token` with `grant_type=authorization_code`.
///
/// Only connection failures (nothing reached the server) are retried: once a request has been sent, the code
/// may have been consumed and a second attempt would fail with `invalid_grant` anyway.
pub(crate) async fn exchange_code(
    http: &reqwest::Client,
    token_url: &Url,
    input: &CodeExchange<'_>,
    retry: &RetryPolicy,
) -> Result<AuthenticationResult, OAuthCallError> {
    let form = [
        ("client_id", input.client_id),
        ("code", input.code.secret()),
        ("redirect_uri", input.redirect_uri),
        ("code_verifier", input.verifier.secret()),
        ("grant_type", "authorization_code"),
    ];
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let (status, bytes) = post_form(http, token_url, "token", body, retry, |e| {
        matches!(e, Failure::Connect)
    })
    .await?;
    if !(200..300).contains(&status) {
        return Err(error_from_body(status, &bytes));
    }
    parse_tokens(status, &bytes)
}

/// `POST {base}/oauth2/revoke` with the refresh token. Connection failures, timeouts and 5xx answers are retried
/// (revocation is idempotent). Success is any 2xx.
pub(crate) async fn revoke(
    http: &reqwest::Client,
    revoke_url: &Url,
    client_id: &str,
    token: &RefreshToken,
    retry: &RetryPolicy,
) -> Result<(), OAuthCallError> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("token", token.secret()), ("client_id", client_id)])
        .finish();
    let (status, bytes) = post_form(http, revoke_url, "revoke", body, retry, |e| match e {
        Failure::Connect | Failure::Other => true,
        Failure::Status(status) => *status >= 500,
    })
    .await?;
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(error_from_body(status, &bytes))
    }
}

/// Why one attempt did not produce an answer the caller can use.
#[derive(Clone)]
enum Failure {
    /// The connection could not be established: the request never reached the server.
    Connect,
    /// Timeout or broken connection after the request may have been sent.
    Other,
    /// An HTTP answer with this status (only consulted for retries).
    Status(u16),
}

/// Posts a form, retrying per `retry` while `retryable` says so. Returns the final status and (bounded) body.
async fn post_form(
    http: &reqwest::Client,
    url: &Url,
    endpoint: &'static str,
    body: String,
    retry: &RetryPolicy,
    retryable: impl Fn(&Failure) -> bool,
) -> Result<(u16, Bytes), OAuthCallError> {
    let outcome = retry
        .drive(
            retry.max_attempts(),
            "managed-login",
            |attempt| {
                tracing::info_span!(
                    "amplify_ssr.oauth",
                    endpoint,
                    attempt,
                    max_attempts = retry.max_attempts(),
                    status = tracing::field::Empty,
                )
            },
            |_| send_once(http, url, body.clone()),
            |outcome| {
                let (failure, reason) = match outcome {
                    Ok((status, _)) if *status < 500 => return Verdict::Done,
                    Ok((status, _)) => (Failure::Status(*status), format!("HTTP {status}")),
                    Err((failure, error)) => (failure.clone(), error.to_string()),
                };
                if retryable(&failure) {
                    Verdict::Retry(reason)
                } else {
                    Verdict::GiveUp(reason)
                }
            },
        )
        .await;
    outcome.map_err(|(_, error)| {
        tracing::warn!(endpoint, error = %error, "managed-login call failed");
        error
    })
}

async fn send_once(
    http: &reqwest::Client,
    url: &Url,
    body: String,
) -> Result<(u16, Bytes), (Failure, OAuthCallError)> {
    let request = http
        .post(url.clone())
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(CACHE_CONTROL, "no-cache")
        .timeout(DEFAULT_ATTEMPT_TIMEOUT)
        .body(body);
    let network = |e: TransportError| {
        let failure = if e.is_connect() {
            Failure::Connect
        } else {
            Failure::Other
        };
        (failure, OAuthCallError::Network(e.to_string()))
    };
    let mut response = request
        .send()
        .await
        .map_err(|e| network(TransportError::new(e)))?;
    let status = response.status().as_u16();
    tracing::Span::current().record("status", status);
    let body = read_bounded(&mut response, MAX_BODY_BYTES)
        .await
        .map_err(network)?;
    if body.truncated {
        return Err((
            Failure::Other,
            OAuthCallError::Unexpected {
                status,
                detail: "the answer is too large",
            },
        ));
    }
    Ok((status, body.bytes))
}

/// Reads `{"error": "..."}` from an error answer; anything else is `server_error`.
fn error_from_body(status: u16, body: &[u8]) -> OAuthCallError {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        error: Option<String>,
    }
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(ErrorBody { error: Some(code) }) => OAuthCallError::OAuth {
            status,
            code: sanitize_code(&code),
        },
        _ => OAuthCallError::Unexpected {
            status,
            detail: "no OAuth error code in the answer",
        },
    }
}

/// Keeps OAuth error codes that look like codes (`[A-Za-z0-9_.-]`, at most 64 characters); anything else becomes
/// `server_error` so arbitrary server text is never reflected into the application's URLs.
pub(super) fn sanitize_code(code: &str) -> String {
    if is_plain_code(code) {
        code.to_owned()
    } else {
        SERVER_ERROR.to_owned()
    }
}

fn parse_tokens(status: u16, body: &[u8]) -> Result<AuthenticationResult, OAuthCallError> {
    // No Debug: the fields are tokens.
    #[derive(serde::Deserialize)]
    struct TokenBody {
        access_token: Option<String>,
        id_token: Option<String>,
        refresh_token: Option<String>,
        expires_in: Option<i64>,
        token_type: Option<String>,
        error: Option<String>,
    }
    let parsed: TokenBody =
        serde_json::from_slice(body).map_err(|_| OAuthCallError::Unexpected {
            status,
            detail: "the token answer is not JSON",
        })?;
    if let Some(code) = parsed.error {
        return Err(OAuthCallError::OAuth {
            status,
            code: sanitize_code(&code),
        });
    }
    let access =
        parsed
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or(OAuthCallError::Unexpected {
                status,
                detail: "the token answer has no access_token",
            })?;
    let mut result = AuthenticationResult::new(AccessToken::new(access));
    result.id_token = parsed.id_token.filter(|t| !t.is_empty()).map(IdToken::new);
    result.refresh_token = parsed
        .refresh_token
        .filter(|t| !t.is_empty())
        .map(RefreshToken::new);
    result.expires_in = parsed.expires_in;
    result.token_type = parsed.token_type;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_sanitised() {
        assert_eq!(sanitize_code("invalid_grant"), "invalid_grant");
        assert_eq!(sanitize_code("<script>"), SERVER_ERROR);
        assert_eq!(sanitize_code(&"a".repeat(65)), SERVER_ERROR);
        assert_eq!(
            error_from_body(400, br#"{"error":"invalid_grant"}"#).oauth_code(),
            "invalid_grant"
        );
        assert_eq!(
            error_from_body(502, b"<html>bad gateway</html>").oauth_code(),
            SERVER_ERROR
        );
    }

    #[test]
    fn token_bodies() {
        let ok = parse_tokens(
            200,
            br#"{"access_token":"a","refresh_token":"r","token_type":"Bearer"}"#,
        )
        .ok()
        .unwrap();
        assert!(ok.id_token.is_none());
        assert_eq!(
            ok.refresh_token.as_ref().map(RefreshToken::secret),
            Some("r")
        );
        assert_eq!(
            parse_tokens(200, b"not json").err().unwrap().oauth_code(),
            SERVER_ERROR
        );
        assert_eq!(
            parse_tokens(200, b"{}").err().unwrap().oauth_code(),
            SERVER_ERROR
        );
        assert_eq!(
            parse_tokens(200, br#"{"error":"invalid_request"}"#)
                .err()
                .unwrap()
                .oauth_code(),
            "invalid_request"
        );
    }
}
