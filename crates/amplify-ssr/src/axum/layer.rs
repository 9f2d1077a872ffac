//! [`AmplifyLayer`]: creates the per-request [`ServerContext`] and writes its cookie changes to the response.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Request, Response};
use tower::{Layer, Service};

use super::AuthPages;
use crate::context::{ServerContext, ServerRunner};

/// A tower [`Layer`] that gives each request a [`ServerContext`] (in its extensions) and appends the context's
/// pending `Set-Cookie` headers to the response, plus `Cache-Control: private, no-store` when a session cookie
/// changed or the request read the session (an extractor, [`RequireAuthLayer`](super::RequireAuthLayer), any
/// session API called with the context), replacing the handler's own `Cache-Control`. A handler whose response
/// does not depend on the session opts out by returning [`SessionIndependent`](crate::SessionIndependent) as a
/// response part. See [`crate::context`] (Caching). Cheap to clone.
#[derive(Clone, Debug)]
#[must_use]
pub struct AmplifyLayer {
    runner: ServerRunner,
    pages: AuthPages,
}

impl AmplifyLayer {
    /// A layer for `runner`. Signed-out page visits are redirected to `/sign-in` unless
    /// [`sign_in_path`](Self::sign_in_path) says otherwise.
    pub fn new(runner: ServerRunner) -> Self {
        Self {
            runner,
            pages: AuthPages {
                sign_in_path: "/sign-in".to_owned(),
            },
        }
    }

    /// Where [`RequireAuthLayer`](super::RequireAuthLayer) and [`SignedInPage`](super::SignedInPage) send
    /// signed-out users. Must be a same-site relative path.
    pub fn sign_in_path(mut self, path: impl Into<String>) -> Self {
        let path = path.into();
        self.pages.sign_in_path = match crate::redirect::safe_redirect_path(&path) {
            Some(_) => path,
            None => {
                tracing::error!(path = %path, "sign_in_path must be a relative path like /sign-in; keeping /sign-in");
                "/sign-in".to_owned()
            }
        };
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
        let context = self.layer.runner.context(request.headers());
        request.extensions_mut().insert(context.clone());
        request.extensions_mut().insert(self.layer.pages.clone());
        ResponseFuture {
            inner: self.inner.call(request),
            context: Some(context),
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`AmplifyService`].
    #[derive(Debug)]
    pub struct ResponseFuture<F> {
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
