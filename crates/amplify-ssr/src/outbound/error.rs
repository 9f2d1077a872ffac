//! [`TransportError`]: a request that did not complete, without exposing the HTTP client's own error type.

use std::sync::Arc;

/// An outbound request that did not complete: the connection could not be made, the attempt timed out, or the
/// connection broke while the answer was read.
///
/// The HTTP client's error stays reachable through [`std::error::Error::source`], so error reporters still show
/// the whole chain; use the predicates ([`is_timeout`](Self::is_timeout), [`is_connect`](Self::is_connect),
/// [`is_body`](Self::is_body)) to tell the cases apart. `Display` names the problem and its cause, never the
/// request's URL or body. Cheap to clone.
#[derive(Clone)]
pub struct TransportError {
    inner: Arc<reqwest::Error>,
}

impl TransportError {
    pub(crate) fn new(error: reqwest::Error) -> Self {
        Self {
            inner: Arc::new(error),
        }
    }

    /// The attempt ran out of time (connecting, sending or reading the answer).
    #[must_use]
    pub fn is_timeout(&self) -> bool {
        self.inner.is_timeout()
    }

    /// No connection could be made (refused, DNS failure, TLS handshake): the request never reached the server.
    #[must_use]
    pub fn is_connect(&self) -> bool {
        self.inner.is_connect()
    }

    /// The connection broke while the answer's body was read.
    #[must_use]
    pub fn is_body(&self) -> bool {
        self.inner.is_body() || self.inner.is_decode()
    }

    /// What went wrong, in a few words.
    fn problem(&self) -> &'static str {
        if self.is_connect() {
            "connection failed"
        } else if self.is_timeout() {
            "timed out"
        } else if self.is_body() {
            "the connection broke while reading the answer"
        } else {
            "request failed"
        }
    }
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The client error's own text names the URL; its cause (the socket's or TLS's error) does not.
        match std::error::Error::source(&*self.inner) {
            Some(cause) => write!(f, "{}: {cause}", self.problem()),
            None => f.write_str(self.problem()),
        }
    }
}

impl std::fmt::Debug for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransportError")
            .field("timeout", &self.is_timeout())
            .field("connect", &self.is_connect())
            .field("body", &self.is_body())
            .field("source", &self.inner)
            .finish()
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_refused_connection_is_named_and_keeps_its_chain() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!(
            "http://{}/secret-path",
            listener.local_addr().expect("addr")
        );
        drop(listener);
        let error = TransportError::new(
            reqwest::Client::new()
                .get(url)
                .send()
                .await
                .expect_err("refused"),
        );
        assert!(error.is_connect() && !error.is_timeout() && !error.is_body());
        let shown = error.to_string();
        assert!(shown.starts_with("connection failed"), "{shown}");
        assert!(!shown.contains("secret-path"), "{shown}");
        let source = std::error::Error::source(&error).expect("the client error");
        assert!(source.is::<reqwest::Error>());
    }
}
