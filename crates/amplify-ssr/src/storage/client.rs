//! Header-signed S3 requests: signing, retries with jittered backoff, a `tracing` span per call, and error
//! parsing.

use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderMap, Method};
use url::Url;

use crate::auth::AwsCredentials;
use crate::auth::identity::client_credentials;
use crate::context::ServerContext;
use crate::outbound::{RetryPolicy, TransportError, Verdict, read_bounded};

use super::error::StorageError;
use super::sign::{Payload, sign_headers};
use super::xml;

/// Success bodies larger than this are refused (a full ListObjectsV2 page is far smaller).
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
/// Only this much of an error body is read.
const MAX_ERROR_BYTES: usize = 64 * 1024;

/// One S3 request before signing.
#[derive(Debug, Clone)]
pub(crate) struct S3Request {
    pub(crate) operation: &'static str,
    pub(crate) method: Method,
    pub(crate) url: Url,
    /// Lower-case names; all of them are signed.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Bytes,
    /// Whether the request may be sent again after a failure that may have reached S3.
    pub(crate) idempotent: bool,
}

impl S3Request {
    pub(crate) fn new(operation: &'static str, method: Method, url: Url) -> Self {
        Self {
            operation,
            method,
            url,
            headers: Vec::new(),
            body: Bytes::new(),
            idempotent: true,
        }
    }

    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    pub(crate) fn opt_header(self, name: &str, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.header(name, value),
            None => self,
        }
    }

    pub(crate) fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    pub(crate) fn not_idempotent(mut self) -> Self {
        self.idempotent = false;
        self
    }
}

/// A successful answer.
#[derive(Debug)]
pub(crate) struct S3Response {
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl S3Response {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The credentials of one storage call, and where to get fresh ones.
#[derive(Debug)]
pub(crate) struct Session<'a> {
    pub(crate) ctx: &'a ServerContext,
    pub(crate) credentials: AwsCredentials,
    pub(crate) identity_id: Option<String>,
    /// Credentials came from the context (not given explicitly), so they can be re-fetched once.
    pub(crate) refreshable: bool,
    pub(crate) region: String,
    pub(crate) retry: RetryPolicy,
}

impl Session<'_> {
    /// Sends `request`, signed, retrying transient failures of idempotent requests; re-fetches the credentials
    /// once when S3 says they expired.
    pub(crate) async fn send(&mut self, request: &S3Request) -> Result<S3Response, StorageError> {
        match self.send_with_retries(request).await {
            Err(error) if error.is_expired_credentials() && self.refreshable => {
                self.refreshable = false;
                let fresh = client_credentials::<StorageError>(self.ctx, true).await?;
                self.credentials = fresh.credentials;
                self.send_with_retries(request).await
            }
            other => other,
        }
    }

    async fn send_with_retries(&self, request: &S3Request) -> Result<S3Response, StorageError> {
        let max = if request.idempotent {
            self.retry.max_attempts()
        } else {
            1
        };
        let payload = if request.body.is_empty() {
            Payload::of(&[])
        } else {
            Payload::of(&request.body)
        };
        self.retry
            .drive(
                max,
                "S3",
                |attempt| {
                    tracing::info_span!(
                        "s3",
                        operation = request.operation,
                        method = %request.method,
                        host = request.url.host_str().unwrap_or_default(),
                        attempt,
                        max_attempts = max,
                        status = tracing::field::Empty,
                        error_code = tracing::field::Empty,
                    )
                },
                |_| async {
                    let outcome = self.attempt(request, &payload).await;
                    if let Err(error) = &outcome {
                        tracing::Span::current().record("error_code", error.name());
                    }
                    outcome
                },
                |outcome| Verdict::of_result(outcome, StorageError::is_retryable),
            )
            .await
    }

    async fn attempt(
        &self,
        request: &S3Request,
        payload: &Payload,
    ) -> Result<S3Response, StorageError> {
        let signed = sign_headers(
            request.method.as_str(),
            &request.url,
            &request.headers,
            payload,
            &self.credentials,
            &self.region,
            SystemTime::now(),
        )?;
        let mut builder = self
            .ctx
            .runner()
            .http_client()
            .request(request.method.clone(), request.url.clone());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        for (name, value) in signed {
            let mut value = http::HeaderValue::from_str(&value).map_err(|e| {
                StorageError::Signing(format!("signed header {name} is not a header value: {e}"))
            })?;
            if matches!(name, "authorization" | "x-amz-security-token") {
                value.set_sensitive(true);
            }
            builder = builder.header(name, value);
        }
        if !request.body.is_empty()
            || request.method == Method::PUT
            || request.method == Method::POST
        {
            builder = builder.body(request.body.clone());
        }
        let mut response = builder
            .send()
            .await
            .map_err(|e| StorageError::Network(TransportError::new(e)))?;
        let status = response.status();
        tracing::Span::current().record("status", status.as_u16());
        let limit = if status.is_success() {
            MAX_RESPONSE_BYTES
        } else {
            MAX_ERROR_BYTES
        };
        let body = read_bounded(&mut response, limit)
            .await
            .map_err(StorageError::Network)?;
        let headers = response.headers().clone();
        if status.is_success() {
            if body.truncated {
                return Err(StorageError::InvalidResponse(format!(
                    "{}: the answer is larger than {MAX_RESPONSE_BYTES} bytes",
                    request.operation
                )));
            }
            return Ok(S3Response {
                headers,
                body: body.bytes,
            });
        }
        let request_id = headers
            .get("x-amz-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Err(xml::service_error(status.as_u16(), request_id, &body.bytes))
    }
}
