//! [`RequireAuth`]: protects a scope (or a resource, or the whole app), redirecting signed-out visitors to sign-in.

use std::rc::Rc;

use actix_web::body::EitherBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::{Error, HttpMessage, ResponseError};
use amplify_ssr::ServerContext;
use amplify_ssr::guard::{
    Access, Denied, FORBIDDEN_BODY, Requirement, SessionClaims, check_access, check_requirement,
};
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
///
/// Finer than "signed in": [`require_group`](Self::require_group) / [`require_claims`](Self::require_claims)
/// answer `403` (plain text, [`FORBIDDEN_BODY`]) to a signed-in user who lacks the group (the access token's
/// `cognito:groups`) or fails the predicate over the verified claims; a signed-out one is still redirected to
/// sign-in. `web::scope("/admin").wrap(RequireAuth::new().require_group("admin"))`.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct RequireAuth {
    requirement: Option<Requirement>,
}

impl RequireAuth {
    /// The middleware.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also requires `requirement` of a signed-in user (replacing any set before): `403` when it is not met.
    pub fn require(mut self, requirement: Requirement) -> Self {
        self.requirement = Some(requirement);
        self
    }

    /// Also requires membership of the Cognito group `group`.
    pub fn require_group(self, group: impl Into<String>) -> Self {
        self.require(Requirement::group(group))
    }

    /// Also requires `check` to hold for the session's verified claims.
    pub fn require_claims(
        self,
        check: impl Fn(&SessionClaims<'_>) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.require(Requirement::claims(check))
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
            requirement: self.requirement.clone(),
        }))
    }
}

/// The service [`RequireAuth`] wraps around a scope.
#[derive(Debug)]
pub struct RequireAuthService<S> {
    service: Rc<S>,
    requirement: Option<Requirement>,
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
        let requirement = self.requirement.clone();
        Box::pin(async move {
            let ctx = request.extensions().get::<ServerContext>().cloned();
            let Some(ctx) = ctx else {
                let response = MissingAmplifyMiddleware.error_response();
                return Ok(request.into_response(response).map_into_right_body());
            };
            let access = match &requirement {
                None => check_access(&ctx).await,
                Some(requirement) => check_requirement(&ctx, requirement).await,
            };
            let refusal = match access {
                Access::Allowed => {
                    return Ok(service.call(request).await?.map_into_left_body());
                }
                Access::Unavailable(e) => denied_response(&Denied::Unavailable(e)),
                Access::Forbidden => actix_web::HttpResponse::Forbidden()
                    .content_type("text/plain; charset=utf-8")
                    .body(FORBIDDEN_BODY),
                _ => sign_in_redirect(&sign_in_location(request.request())),
            };
            Ok(request.into_response(refusal).map_into_right_body())
        })
    }
}
