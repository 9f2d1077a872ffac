//! Route protection: [`RequireAuthLayer`] redirects signed-out users to the sign-in page, and with a
//! [`Requirement`] answers `403` to signed-in users who lack it.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::Request;
use tower::{Layer, Service, ServiceExt};

use super::{
    MissingAmplifyLayer, denied_response, forbidden_response, original_uri, sign_in_redirect,
};
use crate::context::ServerContext;
use crate::guard::{
    Access, Denied, ProtectedPaths, Requirement, SessionClaims, check_access, check_access_cached,
    check_requirement, check_requirement_cached,
};

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
///
/// Finer than "signed in": [`require_group`](Self::require_group), [`require_claims`](Self::require_claims) or
/// [`require`](Self::require) add a [`Requirement`] on the verified tokens. A signed-in user who does not meet it
/// gets `403` with a short plain-text body ([`FORBIDDEN_BODY`](crate::guard::FORBIDDEN_BODY)); a signed-out one
/// still gets the redirect to sign-in with the return path. Groups come from the access token's
/// `cognito:groups` (see [`crate::guard::Requirement`] for why).
///
/// ```
/// use amplify_ssr::axum::RequireAuthLayer;
///
/// let admins_only = RequireAuthLayer::new().require_group("admin");
/// let editors = RequireAuthLayer::only_under(["/edit"])
///     .require_claims(|claims| claims.in_group("editor") || claims.in_group("admin"));
/// # let _ = (admins_only, editors);
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct RequireAuthLayer {
    /// `None` for the plain layer, so that cloning it per request (as axum's routes do) costs what it did
    /// before requirements existed.
    rules: Option<Arc<Rules>>,
}

/// What a [`RequireAuthLayer`] checks beyond "signed in", and where.
#[derive(Clone, Debug, Default)]
struct Rules {
    paths: Option<ProtectedPaths>,
    requirement: Option<Requirement>,
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
            rules: Some(Arc::new(Rules {
                paths: Some(ProtectedPaths::new(prefixes)),
                requirement: None,
            })),
        }
    }

    /// Also requires `requirement` of a signed-in user (replacing any set before): `403` when it is not met.
    pub fn require(mut self, requirement: Requirement) -> Self {
        let mut rules = self.rules.as_deref().cloned().unwrap_or_default();
        rules.requirement = Some(requirement);
        self.rules = Some(Arc::new(rules));
        self
    }

    fn requirement(&self) -> Option<&Requirement> {
        self.rules.as_deref()?.requirement.as_ref()
    }

    /// Also requires membership of the Cognito group `group` (the access token's `cognito:groups`).
    pub fn require_group(self, group: impl Into<String>) -> Self {
        self.require(Requirement::group(group))
    }

    /// Also requires `check` to hold for the session's verified claims (see [`Requirement::claims`]).
    pub fn require_claims(
        self,
        check: impl Fn(&SessionClaims<'_>) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.require(Requirement::claims(check))
    }

    fn protects(&self, path: &str) -> bool {
        self.rules
            .as_deref()
            .and_then(|rules| rules.paths.as_ref())
            .is_none_or(|paths| paths.covers(path))
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
    type Future = RequireAuthFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        if !self.layer.protects(request.uri().path()) {
            return RequireAuthFuture::inner(self.inner.call(request));
        }
        let Some(ctx) = request.extensions().get::<ServerContext>() else {
            return RequireAuthFuture::ready(MissingAmplifyLayer.into_response());
        };
        // Most requests are decided from the caches at once, without a boxed future.
        let cached = match self.layer.requirement() {
            None => check_access_cached(ctx),
            Some(requirement) => check_requirement_cached(ctx, requirement),
        };
        match cached {
            Some(Access::Allowed) => return RequireAuthFuture::inner(self.inner.call(request)),
            Some(Access::SignedOut(None)) => {
                return RequireAuthFuture::ready(sign_in_redirect(
                    request.extensions(),
                    original_uri(request.extensions(), request.uri()),
                ));
            }
            Some(Access::Forbidden) => return RequireAuthFuture::ready(forbidden_response()),
            _ => {}
        }
        let ctx = ctx.clone();
        let requirement = self.layer.requirement().cloned();
        // The clone that was polled ready serves this request; a fresh clone stays for the next one.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        RequireAuthFuture::boxed(async move {
            let access = match &requirement {
                None => check_access(&ctx).await,
                Some(requirement) => check_requirement(&ctx, requirement).await,
            };
            match access {
                Access::Allowed => inner.oneshot(request).await,
                Access::Unavailable(e) => Ok(denied_response(&Denied::Unavailable(e))),
                Access::Forbidden => Ok(forbidden_response()),
                _ => Ok(sign_in_redirect(
                    request.extensions(),
                    original_uri(request.extensions(), request.uri()),
                )),
            }
        })
    }
}

type BoxedResponse = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

pin_project_lite::pin_project! {
    /// The response future of [`RequireAuth`]: the inner service's own future when the session was decided at
    /// once (the usual case), a boxed check otherwise.
    pub struct RequireAuthFuture<F> {
        #[pin]
        state: State<F>,
    }
}

pin_project_lite::pin_project! {
    #[project = StateProjection]
    enum State<F> {
        Inner { #[pin] future: F },
        Ready { response: Option<Response> },
        Boxed { future: BoxedResponse },
    }
}

impl<F> RequireAuthFuture<F> {
    fn inner(future: F) -> Self {
        Self {
            state: State::Inner { future },
        }
    }

    fn ready(response: Response) -> Self {
        Self {
            state: State::Ready {
                response: Some(response),
            },
        }
    }

    fn boxed(future: impl Future<Output = Result<Response, Infallible>> + Send + 'static) -> Self {
        Self {
            state: State::Boxed {
                future: Box::pin(future),
            },
        }
    }
}

impl<F> std::fmt::Debug for RequireAuthFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequireAuthFuture")
    }
}

impl<F> Future for RequireAuthFuture<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProjection::Inner { future } => future.poll(cx),
            StateProjection::Ready { response } => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                None => panic!("RequireAuthFuture polled after completion"),
            },
            StateProjection::Boxed { future } => future.as_mut().poll(cx),
        }
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
