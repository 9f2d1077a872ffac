//! Serving an axum [`Router`] to clients that may be slow or many: a listen backlog that absorbs bursts, a
//! header-read timeout, a deadline for each request, and a cap on open connections.
//!
//! `axum::serve` has none of these knobs: a client that sends half a request line keeps its connection (and a
//! task) forever, and a burst of new connections overflows tokio's default backlog of 128. [`serve`] runs
//! hyper-util's connection builder instead. It is amplify-local's own server (both its ports) and the demo
//! app's. An app's production server should set the same limits with hyper-util and tower-http directly (the
//! README shows how) rather than depend on amplify-local, a development backend.
//!
//! Limits it does not have: none per client (one peer may hold every slot); idle keep-alive connections are
//! closed by the header-read timeout; no timeout on writing a response (a client that stops reading keeps its
//! connection while it stays connected); a body that takes longer than the request timeout to arrive gets `408`.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::Semaphore;

/// How long to pause accepting after an error that is not about one connection (the process is out of file
/// descriptors, say): retrying at once would spin.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// Limits for a server facing clients it does not control. Build with [`ServerLimits::default`] and adjust
/// the public fields or use the `with_*` methods.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerLimits {
    /// How long a client may take to send a request's line and headers (default 10 s). It also bounds how long
    /// an idle keep-alive connection stays open waiting for its next request. A client that is too slow has
    /// its connection closed.
    pub header_read_timeout: Duration,
    /// How long a request may take from its headers to its response headers, reading its body included
    /// (default 120 s). A request over it is answered `408 Request Timeout`, and its work is dropped.
    pub request_timeout: Duration,
    /// How many connections are served at once (default 512). Further connections wait in the listen
    /// backlog, in arrival order, until one closes.
    pub max_connections: usize,
    /// The listen backlog: how many established connections the kernel queues until they are accepted
    /// (default 1024; the kernel caps it at `net.core.somaxconn`).
    pub backlog: u32,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(120),
            max_connections: 512,
            backlog: 1024,
        }
    }
}

impl ServerLimits {
    /// Sets the header-read (and keep-alive idle) timeout.
    #[must_use]
    pub fn with_header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Sets the deadline of a request.
    #[must_use]
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sets how many connections are served at once (at least 1).
    #[must_use]
    pub fn with_max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections;
        self
    }

    /// Sets the listen backlog.
    #[must_use]
    pub fn with_backlog(mut self, backlog: u32) -> Self {
        self.backlog = backlog;
        self
    }
}

/// Binds a TCP listener on `addr` with this listen `backlog` (tokio's `TcpListener::bind` always uses 128,
/// which drops connections from a burst).
///
/// # Errors
///
/// The address is taken or cannot be bound.
pub fn listen(addr: SocketAddr, backlog: u32) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    // As std's and tokio's bind: a restarted server can take its port back while old connections linger.
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(backlog)
}

/// Serves `app` on `listener` under `limits` until `shutdown` completes; then stops accepting, lets requests
/// in flight finish, and returns.
///
/// Connections are HTTP/1.1 (keep-alive). One over [`ServerLimits::max_connections`] is accepted only when
/// another closes. Failures of single connections (timeouts, resets, malformed requests) are logged at debug
/// level and never stop the server.
pub async fn serve<F>(listener: TcpListener, app: Router, limits: &ServerLimits, shutdown: F)
where
    F: Future<Output = ()> + Send,
{
    let app = app.layer(axum::middleware::from_fn_with_state(
        limits.request_timeout,
        request_deadline,
    ));
    let mut builder = Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        // Take a slot before accepting: over the limit, new connections wait in the kernel's backlog.
        let slot = tokio::select! {
            () = &mut shutdown => break,
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let stream = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    if !is_connection_error(&error) {
                        tracing::warn!(%error, "accepting a connection failed");
                        tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                    }
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let connection = builder
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                // Slow clients, resets and malformed requests end up here; they are the client's problem.
                tracing::debug!(%error, "connection closed with an error");
            }
            // The connection is closed now: its slot goes to the next one waiting.
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Errors about one connection (it went away before it was accepted); the listener itself is fine.
fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Answers `408 Request Timeout` (and closes the connection) when the request, its body included, is not
/// handled within the deadline.
async fn request_deadline(
    State(deadline): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            let mut response = (
                StatusCode::REQUEST_TIMEOUT,
                "The request took too long to arrive or to handle.\n",
            )
                .into_response();
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}
