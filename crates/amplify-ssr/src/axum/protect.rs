//! Route protection: [`RequireAuthLayer`] redirects signed-out users to the sign-in page.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::Request;
use tower::{Layer, Service, ServiceExt};

use super::{MissingAmplifyLayer, denied_response, original_uri, sign_in_redirect};
use crate::context::ServerContext;
use crate::guard::{Access, Denied, ProtectedPaths, check_access};

/// Protects the routes it wraps: a request without a valid (or refreshable) session is redirected with `302` to
/// the sign-in path configured on [`AmplifyLayer`](super::AmplifyLayer), with the original path and query in
/// `redirect_to`. The check reads the session tokens only (no identity-pool call), refreshing them if they
/// expired; the refreshed cookies reach the browser through the outer `AmplifyLayer`.
///
/// Must sit inside an `AmplifyLayer` (use `Router::route_layer` for the protected routes and `Router::layer`
/// for the `AmplifyLayer`).
///
/// Where routes are not added one by one (the routes a Leptos or Dioxus app generates), protect paths instead:
/// [`only_under`](Self::only_under) leaves every other request alone.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct RequireAuthLayer {
    paths: Option<Arc<ProtectedPaths>>,
}

impl RequireAuthLayer {
    /// The layer: protects every request it sees.
    pub fn new() -> Self {
        Self::default()
    }

    /// Protects only the requests whose path is one of `prefixes` or lies under one (`/account` covers
    /// `/account` and `/account/settings`, not `/accounts`); the others pass through unchecked. The paths are
    /// those the router sees (inside `Router::nest`, without the nesting prefix). Every spelling of a covered
    /// path is covered (`/%61ccount`, `/x/../account`, `/Account`): see [`ProtectedPaths`].
    pub fn only_under<I, P>(prefixes: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        Self {
            paths: Some(Arc::new(ProtectedPaths::new(prefixes))),
        }
    }

    fn protects(&self, path: &str) -> bool {
        self.paths.as_deref().is_none_or(|paths| paths.covers(path))
    }
}

impl<S> Layer<S> for RequireAuthLayer {
    type Service = RequireAuth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireAuth {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`RequireAuthLayer`] produces.
#[derive(Clone, Debug)]
pub struct RequireAuth<S> {
    inner: S,
    layer: RequireAuthLayer,
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
        let protected = self.layer.protects(request.uri().path());
        Box::pin(async move {
            if !protected {
                return inner.oneshot(request).await;
            }
            let Some(ctx) = request.extensions().get::<ServerContext>().cloned() else {
                return Ok(MissingAmplifyLayer.into_response());
            };
            match check_access(&ctx).await {
                Access::Allowed => inner.oneshot(request).await,
                Access::Unavailable(e) => Ok(denied_response(&Denied::Unavailable(e))),
                _ => Ok(sign_in_redirect(
                    request.extensions(),
                    original_uri(request.extensions(), request.uri()),
                )),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::RequireAuthLayer;

    #[test]
    fn prefixes_cover_their_subtree_only() {
        let layer = RequireAuthLayer::only_under(["/account", "/todos/"]);
        for path in [
            "/account",
            "/account/",
            "/account/settings",
            "/todos",
            "/todos/1",
        ] {
            assert!(layer.protects(path), "{path}");
        }
        for path in ["/", "/accounts", "/todo", "/public/account"] {
            assert!(!layer.protects(path), "{path}");
        }
        assert!(RequireAuthLayer::new().protects("/anything"));
    }
}
