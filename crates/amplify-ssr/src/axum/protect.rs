//! Route protection: [`RequireAuthLayer`] redirects signed-out users to the sign-in page.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::Request;
use tower::{Layer, Service, ServiceExt};

use super::{
    AuthPages, MissingAmplifyLayer, original_uri, sign_in_redirect, temporarily_unavailable,
};
use crate::auth::refresh::get_tokens;
use crate::context::ServerContext;

/// Protects the routes it wraps: a request without a valid (or refreshable) session is redirected with `302` to
/// the sign-in path configured on [`AmplifyLayer`](super::AmplifyLayer), with the original path and query in
/// `redirect_to`. The check reads the session tokens only (no identity-pool call), refreshing them if they
/// expired; the refreshed cookies reach the browser through the outer `AmplifyLayer`.
///
/// Must sit inside an `AmplifyLayer` (use `Router::route_layer` for the protected routes and `Router::layer`
/// for the `AmplifyLayer`).
#[derive(Clone, Copy, Debug, Default)]
#[must_use]
pub struct RequireAuthLayer;

impl RequireAuthLayer {
    /// The layer.
    pub fn new() -> Self {
        Self
    }
}

impl<S> Layer<S> for RequireAuthLayer {
    type Service = RequireAuth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireAuth { inner }
    }
}

/// The service [`RequireAuthLayer`] produces.
#[derive(Clone, Debug)]
pub struct RequireAuth<S> {
    inner: S,
}

impl<S> Service<Request<Body>> for RequireAuth<S>
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        // The clone that was polled ready serves this request; a fresh clone stays for the next one.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            let Some(ctx) = request.extensions().get::<ServerContext>().cloned() else {
                return Ok(MissingAmplifyLayer.into_response());
            };
            match get_tokens(&ctx, false).await {
                Ok(Some(_)) => inner.oneshot(request).await,
                Err(e) if e.is_transient() => Ok(temporarily_unavailable(&e)),
                outcome => {
                    if let Err(e) = outcome {
                        tracing::debug!(error = %e, "protected route visited without a usable session");
                    }
                    let sign_in = request
                        .extensions()
                        .get::<AuthPages>()
                        .map_or("/sign-in", |p| p.sign_in_path.as_str());
                    Ok(sign_in_redirect(
                        sign_in,
                        original_uri(request.extensions(), request.uri()),
                    ))
                }
            }
        })
    }
}
