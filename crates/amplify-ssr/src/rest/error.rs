//! [`RestError`]: why a REST call failed.

use crate::error::AuthError;
use crate::outbound::TransportError;

/// Why a REST API call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RestError {
    /// The configuration has no REST API of this name.
    #[error(
        "no REST API named `{name}` in the configuration (custom.API or aws_cloud_logic_custom); it has: {known}"
    )]
    UnknownApi {
        /// The name asked for.
        name: String,
        /// The names it has, comma-separated (`none` when empty).
        known: String,
    },

    /// The API answered with a status outside 2xx. Its status, headers and body are kept.
    #[error("the REST API answered HTTP {status}")]
    Http {
        /// The status code.
        status: u16,
        /// The response headers.
        headers: http::HeaderMap,
        /// The body (its first 64 MiB when it is longer).
        body: Vec<u8>,
    },
    /// A successful answer whose body is longer than the client reads (64 MiB).
    #[error("the REST API's answer (HTTP {status}) is longer than {limit} bytes")]
    ResponseTooLarge {
        /// The status code.
        status: u16,
        /// The most the client reads.
        limit: usize,
    },

    /// IAM mode without identity-pool credentials (no identity pool, or signed out with guest access off).
    #[error("No credentials ({reason})")]
    NoCredentials {
        /// Why, in words.
        reason: String,
    },

    /// Token mode and nobody is signed in.
    #[error("No federated jwt: sign in to call this API with the user's token")]
    NoValidAuthTokens,

    /// Token mode and the session could not be read, or identity-pool credentials failed for another reason.
    #[error("could not authenticate the call: {0}")]
    Auth(#[source] AuthError),

    /// The request could not be sent or the answer not read (`NetworkError`).
    #[error("network error calling the REST API: {0}")]
    Transport(#[source] TransportError),

    /// The request is not usable: a bad path, header or body.
    #[error("{0}")]
    InvalidInput(String),

    /// SigV4 signing failed.
    #[error("could not sign the request: {0}")]
    Signing(String),
}

impl RestError {
    /// The status of an HTTP error.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The body of an HTTP error.
    #[must_use]
    pub fn body(&self) -> Option<&[u8]> {
        match self {
            Self::Http { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The body of an HTTP error as JSON, when it is JSON (API Gateway answers `{"message": …}`).
    #[must_use]
    pub fn json_body(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(self.body()?).ok()
    }
}

impl crate::auth::identity::CredentialsError for RestError {
    fn no_credentials(reason: String) -> Self {
        Self::NoCredentials { reason }
    }

    fn auth(error: AuthError) -> Self {
        Self::Auth(error)
    }
}
