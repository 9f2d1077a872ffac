//! [`RequireAuth`]: protects a scope (or a resource, or the whole app), redirecting signed-out visitors to sign-in.

use std::rc::Rc;

use actix_web::body::EitherBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::{Error, HttpMessage, ResponseError};
use amplify_ssr::ServerContext;
use amplify_ssr::guard::{Access, Denied, check_access};
use futures_util::future::{LocalBoxFuture, Ready, ready};

use crate::{MissingAmplifyMiddleware, denied_response, sign_in_location, sign_in_redirect};

/// An actix-web middleware that lets through only requests with a valid (or refreshable) session. Others are
/// redirected with `302` to the sign-in path set on [`AmplifyMiddleware`](crate::AmplifyMiddleware), with the
/// original path and query in `redirect_to`; a session that could not be checked now (Cognito or the JWKS
/// unreachable) gets `503` with `Retry-After: 1`, and the cookies are kept. The check reads the session tokens
/// only (no identity-pool call), refreshing them if they expired; the refreshed cookies reach the browser through
/// `AmplifyMiddleware`.
///
/// Wrap the scope to protect, inside an `AmplifyMiddleware` on the `App`:
///
/// ```no_run
/// use actix_web::{App, web};
/// use amplify_ssr_actix::{AmplifyMiddleware, RequireAuth};
///
/// # fn demo(runner: amplify_ssr::ServerRunner) {
/// let app = App::new()
///     .service(
///         web::scope("/account")
///             .wrap(RequireAuth::new())
///             .route("", web::get().to(|| async { "only for signed-in users" })),
///     )
///     .wrap(AmplifyMiddleware::new(runner));
/// # let _ = app;
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default)]
#[must_use]
pub struct RequireAuth;

impl RequireAuth {
    /// The middleware.
    pub fn new() -> Self {
        Self
    }
}

impl<S, B> Transform<S, ServiceRequest> for RequireAuth
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = RequireAuthService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RequireAuthService {
            service: Rc::new(service),
        }))
    }
}

/// The service [`RequireAuth`] wraps around a scope.
#[derive(Debug)]
pub struct RequireAuthService<S> {
    service: Rc<S>,
}

impl<S, B> Service<ServiceRequest> for RequireAuthService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        Box::pin(async move {
            let ctx = request.extensions().get::<ServerContext>().cloned();
            let Some(ctx) = ctx else {
                let response = MissingAmplifyMiddleware.error_response();
                return Ok(request.into_response(response).map_into_right_body());
            };
            let refusal = match check_access(&ctx).await {
                Access::Allowed => {
                    return Ok(service.call(request).await?.map_into_left_body());
                }
                Access::Unavailable(e) => denied_response(&Denied::Unavailable(e)),
                _ => sign_in_redirect(&sign_in_location(request.request())),
            };
            Ok(request.into_response(refusal).map_into_right_body())
        })
    }
}
