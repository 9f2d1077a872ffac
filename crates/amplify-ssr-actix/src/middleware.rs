//! [`AmplifyMiddleware`]: gives every request a [`ServerContext`], refreshes an expired session before the
//! handler runs, and writes the context's cookie changes to every response.

use std::rc::Rc;

use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::error::InternalError;
use actix_web::{Error, HttpMessage};
use amplify_ssr::ServerRunner;
use amplify_ssr::guard::{SignInPath, refresh_ahead};
use futures_util::future::{LocalBoxFuture, Ready, ready};

use crate::headers::{to_http_headers, write_context};

/// An actix-web middleware ([`Transform`]) that gives each request a [`ServerContext`](amplify_ssr::ServerContext)
/// (in its extensions, read by [`AmplifyContext`](crate::AmplifyContext) and the other extractors) and writes the
/// context's pending `Set-Cookie` headers to the response, plus `Cache-Control: private, no-store` when a session
/// cookie changed or the request read the session, replacing the handler's own `Cache-Control`. A handler whose
/// response does not depend on the session opts out by putting
/// [`SessionIndependent`](amplify_ssr::SessionIndependent) in the response's extensions. The same happens for
/// error responses and redirects (an extractor's rejection, [`RequireAuth`](crate::RequireAuth)'s redirect, an
/// error returned by an inner middleware). See [`amplify_ssr::context`] (Caching).
///
/// Register it with `App::wrap` last, so that it is outermost and every response passes through it.
///
/// # When expired tokens are refreshed
///
/// By default (unlike axum's `AmplifyLayer`) the middleware reads the session, and refreshes it if its tokens
/// expired, **before** the request reaches the handler ([`amplify_ssr::guard::refresh_ahead`]): actix-web sends
/// the headers when the handler returns its response, so a streamed body that reads the session while streaming
/// could no longer send the refreshed cookies. The read costs one token verification per request that carries
/// session cookies (remembered for the rest of the request, so the handler's reads do not repeat it) and nothing
/// for requests without them; it does not by itself make the response session-dependent. Turn it off with
/// [`refresh_eagerly(false)`](Self::refresh_eagerly) when no response streams a body that reads the session:
/// the session is then refreshed where it is read (extractors, `RequireAuth`, the handler's calls).
#[derive(Clone, Debug)]
#[must_use]
pub struct AmplifyMiddleware {
    runner: ServerRunner,
    sign_in_path: SignInPath,
    refresh_eagerly: bool,
}

impl AmplifyMiddleware {
    /// The middleware for `runner`. Signed-out page visits are redirected to `/sign-in` unless
    /// [`sign_in_path`](Self::sign_in_path) says otherwise.
    pub fn new(runner: ServerRunner) -> Self {
        Self {
            runner,
            sign_in_path: SignInPath::default(),
            refresh_eagerly: true,
        }
    }

    /// Whether to refresh an expired session before the handler runs (default `true`; see the type's docs).
    pub fn refresh_eagerly(mut self, eagerly: bool) -> Self {
        self.refresh_eagerly = eagerly;
        self
    }

    /// Where [`RequireAuth`](crate::RequireAuth) and [`SignedInPage`](crate::SignedInPage) send signed-out
    /// users. Must be a same-site relative path (otherwise the problem is logged and `/sign-in` kept).
    pub fn sign_in_path(mut self, path: impl Into<String>) -> Self {
        self.sign_in_path = SignInPath::or_default(path);
        self
    }
}

impl<S, B> Transform<S, ServiceRequest> for AmplifyMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Transform = AmplifyService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(AmplifyService {
            service: Rc::new(service),
            settings: self.clone(),
        }))
    }
}

/// The service [`AmplifyMiddleware`] wraps around the app.
#[derive(Debug)]
pub struct AmplifyService<S> {
    service: Rc<S>,
    settings: AmplifyMiddleware,
}

impl<S, B> Service<ServiceRequest> for AmplifyService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let ctx = self
            .settings
            .runner
            .context(&to_http_headers(request.headers()))
            .with_sign_in_path(self.settings.sign_in_path.clone());
        request.extensions_mut().insert(ctx.clone());
        let service = Rc::clone(&self.service);
        let eagerly = self.settings.refresh_eagerly;
        Box::pin(async move {
            if eagerly {
                refresh_ahead(&ctx).await;
            }
            match service.call(request).await {
                Ok(mut response) => {
                    write_context(&ctx, response.response_mut());
                    Ok(response)
                }
                // An inner middleware's error becomes its response outside this middleware: build that response
                // here, so it carries the cookie changes too.
                Err(error) => {
                    let mut response = error.error_response();
                    write_context(&ctx, &mut response);
                    Err(InternalError::from_response(error, response).into())
                }
            }
        })
    }
}
