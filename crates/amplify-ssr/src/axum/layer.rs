//! [`AmplifyLayer`]: creates the per-request [`ServerContext`] and writes its cookie changes to the response;
//! optionally refreshes an expired session before the handler runs.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Request, Response};
use tower::{Layer, Service};

use crate::context::{ServerContext, ServerRunner};
use crate::guard::{SignInPath, needs_refresh_ahead, refresh_ahead};

/// A tower [`Layer`] that gives each request a [`ServerContext`] (in its extensions) and appends the context's
/// pending `Set-Cookie` headers to the response, plus `Cache-Control: private, no-store` when a session cookie
/// changed or the request read the session (an extractor, [`RequireAuthLayer`](super::RequireAuthLayer), any
/// session API called with the context), replacing the handler's own `Cache-Control`. A handler whose response
/// does not depend on the session opts out by returning [`SessionIndependent`](crate::SessionIndependent) as a
/// response part. See [`crate::context`] (Caching). Cheap to clone.
///
/// # When expired tokens are refreshed
///
/// By default the layer itself refreshes nothing: a session is read, and refreshed when its tokens expired, where
/// it is used: by [`RequireAuthLayer`](super::RequireAuthLayer), by the extractors, or by a session, Data or
/// Storage call in the handler. The new cookies go out with the response as long as that happens before the
/// handler returns it. A response whose body is streamed and reads the session while streaming (after the
/// headers were sent) refreshes too, but its new cookies are lost (a `tracing` warning says so): the browser
/// keeps the expired tokens, so every such request refreshes again. For such responses turn on
/// [`refresh_eagerly`](Self::refresh_eagerly).
#[derive(Clone, Debug)]
#[must_use]
pub struct AmplifyLayer {
    runner: ServerRunner,
    sign_in_path: SignInPath,
    refresh_eagerly: bool,
}

impl AmplifyLayer {
    /// A layer for `runner`. Signed-out page visits are redirected to `/sign-in` unless
    /// [`sign_in_path`](Self::sign_in_path) says otherwise.
    pub fn new(runner: ServerRunner) -> Self {
        Self {
            runner,
            sign_in_path: SignInPath::default(),
            refresh_eagerly: false,
        }
    }

    /// Reads the session, and refreshes it if its tokens expired, before the request reaches the inner service
    /// (for axum routes: before the extractors and the handler run), so the new cookies are in the response
    /// headers even when the body is streamed and only reads the session while streaming.
    ///
    /// The read costs a token verification per request that carries session cookies (the result is remembered
    /// for the rest of the request, so the handler's own reads do not repeat it) and nothing for requests without
    /// them. It does not by itself make a response session-dependent (`Cache-Control` is left alone unless the
    /// refresh changed cookies or the handler reads the session before returning the response), so a streamed
    /// page that shows the session must still send `Cache-Control: private, no-store` itself. A failure here (Cognito or the JWKS
    /// unreachable) is logged and the request goes on: whatever reads the session next meets the failure and
    /// answers it as usual (`503` from the extractors and `RequireAuthLayer`).
    pub fn refresh_eagerly(mut self) -> Self {
        self.refresh_eagerly = true;
        self
    }

    /// Where [`RequireAuthLayer`](super::RequireAuthLayer) and [`SignedInPage`](super::SignedInPage) send
    /// signed-out users. Must be a same-site relative path.
    pub fn sign_in_path(mut self, path: impl Into<String>) -> Self {
        self.sign_in_path = SignInPath::or_default(path);
        self
    }
}

impl<S> Layer<S> for AmplifyLayer {
    type Service = AmplifyService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AmplifyService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`AmplifyLayer`] produces.
#[derive(Clone, Debug)]
pub struct AmplifyService<S> {
    inner: S,
    layer: AmplifyLayer,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for AmplifyService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let context = self
            .layer
            .runner
            .context(request.headers())
            .with_sign_in_path(self.layer.sign_in_path.clone());
        request.extensions_mut().insert(context.clone());
        // The inner future is created now but first polled after the refresh: axum runs routing, extractors and
        // the handler when the future is polled.
        // Most requests carry a session the caches show valid (or none): nothing to refresh, nothing to box.
        let refresh = (self.layer.refresh_eagerly && needs_refresh_ahead(&context)).then(|| {
            let ctx = context.clone();
            EagerRefresh(Box::pin(async move { refresh_ahead(&ctx).await }))
        });
        ResponseFuture {
            refresh,
            inner: self.inner.call(request),
            context: Some(context),
        }
    }
}

/// The boxed eager-refresh future (its type cannot be named).
struct EagerRefresh(Pin<Box<dyn Future<Output = ()> + Send>>);

impl std::fmt::Debug for EagerRefresh {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EagerRefresh")
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`AmplifyService`].
    #[derive(Debug)]
    pub struct ResponseFuture<F> {
        refresh: Option<EagerRefresh>,
        #[pin]
        inner: F,
        context: Option<ServerContext>,
    }
}

impl<F, ResBody, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
{
    type Output = Result<Response<ResBody>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Some(refresh) = this.refresh {
            if refresh.0.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            *this.refresh = None;
        }
        let mut response = match this.inner.poll(cx) {
            Poll::Ready(Ok(response)) => response,
            other => return other,
        };
        if let Some(context) = this.context.take() {
            context.apply_to_response(&mut response);
        }
        Poll::Ready(Ok(response))
    }
}
