//! What can go wrong in a call to a Cognito JSON API.

use std::time::Duration;

use crate::outbound::TransportError;

/// Error codes that mean "slow down"; retried with backoff.
const THROTTLING_CODES: &[&str] = &[
    "ThrottlingException",
    "Throttling",
    "ThrottledException",
    "RequestThrottledException",
    "RequestThrottled",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes for a server-side timeout; retried.
const TIMEOUT_CODES: &[&str] = &["RequestTimeout", "RequestTimeoutException"];

/// Error codes a server uses for an operation it does not have.
const UNKNOWN_OPERATION_CODES: &[&str] = &[
    "UnknownOperationException",
    "UnknownOperation",
    "InvalidAction",
    "NotImplemented",
    "NotImplementedError",
    "NotImplementedException",
    "UnsupportedOperation",
    "UnsupportedOperationException",
];

/// Message fragments (lower case) a server uses for an operation it does not have: cognito-local's
/// "Unsupported x-amz-target header", moto's "... action has not been implemented".
const UNKNOWN_OPERATION_MESSAGES: &[&str] = &[
    "unsupported x-amz-target",
    "has not been implemented",
    "unknown operation",
    "unrecognized operation",
];

/// A failed call to a Cognito JSON API (user pools or identity pools).
///
/// Use the predicates ([`is_not_authorized`](Self::is_not_authorized), [`is_retryable`](Self::is_retryable),
/// [`is_unknown_operation`](Self::is_unknown_operation), ...) rather than matching on codes by hand. No variant
/// contains a request or response body; messages from the service are truncated and scrubbed of anything that
/// looks like a JWT.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum CognitoError {
    /// The service answered with an error status. This includes non-JSON error pages (an HTML 502 from a proxy,
    /// a plain-text 500), reported with code `UnknownError` (unless a header names one) and a short excerpt of
    /// the page as the message.
    #[error("{code}: {message} (HTTP {status})")]
    Service {
        /// The error name without namespace, e.g. `NotAuthorizedException`.
        code: String,
        /// The service's message (at most 512 characters).
        message: String,
        /// The HTTP status code.
        status: u16,
        /// The `x-amzn-requestid` response header, for AWS support.
        request_id: Option<String>,
    },

    /// The request did not complete: connection refused, DNS failure, TLS error, timeout, or the connection broke
    /// while reading the response.
    #[error("network error calling Cognito: {0}")]
    Network(#[source] TransportError),

    /// The service answered with success but the body is not what the operation returns (not JSON, or a
    /// required field is missing).
    #[error("invalid {operation} response: {detail}")]
    InvalidResponse {
        /// The operation, e.g. `GetTokensFromRefreshToken`.
        operation: &'static str,
        /// What is wrong with the body (never the body itself).
        detail: String,
    },

    /// The call, with all its attempts (and any wait for its turn), did not complete within its overall deadline
    /// (for a token refresh, [`ServerRunnerBuilder::refresh_timeout`](crate::ServerRunnerBuilder::refresh_timeout)).
    #[error("no answer within the {} ms deadline", deadline.as_millis())]
    DeadlineExceeded {
        /// The deadline that passed.
        deadline: Duration,
    },

    /// The request could not be encoded (for example a client metadata value that cannot be serialized).
    #[error("could not encode the {operation} request: {detail}")]
    InvalidRequest {
        /// The operation.
        operation: &'static str,
        /// What went wrong.
        detail: String,
    },
}

impl CognitoError {
    /// The service's error code (e.g. `NotAuthorizedException`), for [`Service`](Self::Service) errors.
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The service's message, for [`Service`](Self::Service) errors.
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Service { message, .. } => Some(message),
            _ => None,
        }
    }

    /// The HTTP status, for [`Service`](Self::Service) errors.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Service { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The request id the service returned, if any.
    #[must_use]
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Service { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// `NotAuthorizedException`: wrong credentials, or an expired, revoked or invalid token (for a refresh:
    /// the session is over).
    #[must_use]
    pub fn is_not_authorized(&self) -> bool {
        self.code() == Some("NotAuthorizedException")
    }

    /// The service asked the caller to slow down: HTTP 429 or a throttling code (`ThrottlingException`,
    /// `TooManyRequestsException`, `LimitExceededException`, `RequestLimitExceeded`, ...).
    #[must_use]
    pub fn is_throttling(&self) -> bool {
        match self {
            Self::Service { code, status, .. } => {
                *status == 429 || THROTTLING_CODES.contains(&code.as_str())
            }
            _ => false,
        }
    }

    /// The call timed out (client-side timeout, an overall deadline, or a server-reported request timeout).
    #[must_use]
    pub fn is_timeout(&self) -> bool {
        match self {
            Self::Network(e) => e.is_timeout(),
            Self::DeadlineExceeded { .. } => true,
            Self::Service { code, .. } => TIMEOUT_CODES.contains(&code.as_str()),
            _ => false,
        }
    }

    /// No connection could be made to the endpoint.
    #[must_use]
    pub fn is_connect(&self) -> bool {
        matches!(self, Self::Network(e) if e.is_connect())
    }

    /// The server does not implement the operation: `UnknownOperationException` (AWS), `InvalidAction`,
    /// cognito-local's "Unsupported x-amz-target header", moto's HTTP 500 "... has not been implemented",
    /// HTTP 501. Callers use it to fall back to an older operation (e.g. from `GetTokensFromRefreshToken` to
    /// `InitiateAuth` with `REFRESH_TOKEN_AUTH`).
    #[must_use]
    pub fn is_unknown_operation(&self) -> bool {
        let Self::Service {
            code,
            message,
            status,
            ..
        } = self
        else {
            return false;
        };
        if *status == 501 || UNKNOWN_OPERATION_CODES.contains(&code.as_str()) {
            return true;
        }
        let message = message.to_ascii_lowercase();
        UNKNOWN_OPERATION_MESSAGES
            .iter()
            .any(|m| message.contains(m))
    }

    /// Whether the transport retries this error: network errors, HTTP 429/500/502/503/504, throttling and
    /// timeout codes, except when the server does not implement the operation. Client errors
    /// (`NotAuthorizedException` and other 4xx) are never retried.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Network(_) => true,
            Self::Service { status, .. } => {
                if self.is_unknown_operation() {
                    return false;
                }
                matches!(status, 429 | 500 | 502 | 503 | 504)
                    || self.is_throttling()
                    || self.is_timeout()
            }
            Self::InvalidResponse { .. }
            | Self::InvalidRequest { .. }
            | Self::DeadlineExceeded { .. } => false,
        }
    }

    /// Whether the fault lies with the service or the way to it rather than with the request or the caller's
    /// credentials, so that the same call may succeed later: everything [`is_retryable`](Self::is_retryable)
    /// covers, any HTTP 5xx, a passed deadline, and a success answer that is not what the operation returns (an
    /// HTML page from a proxy, `{}`, truncated JSON). Such an answer is not retried at once (the call may have
    /// taken effect), but it says nothing about the caller's session: a refresh that gets one keeps the cookies.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Network(_) | Self::DeadlineExceeded { .. } | Self::InvalidResponse { .. } => true,
            Self::Service { status, .. } => *status >= 500 || self.is_retryable(),
            Self::InvalidRequest { .. } => false,
        }
    }
}
