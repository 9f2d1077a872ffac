//! [`SameOrigin`]: refuses cross-site requests to a handler (for form posts that change state);
//! [`RefuseCrossSite`]: the same for every state-changing request to an app.

use actix_web::body::EitherBody;
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::StatusCode;
use actix_web::http::header::CACHE_CONTROL;
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use amplify_ssr::ServerContext;
use amplify_ssr::same_origin::{CrossOriginRequest, check, check_unless_safe};
use futures_util::TryFutureExt as _;
use futures_util::future::{Either, MapOk, Ready, ready};

use crate::headers::to_http_headers;

/// Extracting it refuses, with `403`, a request that another site (or another origin of the same site) caused:
/// put it in the arguments of every handler that changes state, and make those handlers `POST`s.
///
/// The rules are [`amplify_ssr::same_origin::check`]'s. The application's origin is the runner's
/// [`app_origin`](amplify_ssr::ServerRunner::app_origin) when [`AmplifyMiddleware`](crate::AmplifyMiddleware)
/// wraps the route and the runner has one, else the request's `Host`. Put it first among the handler's
/// arguments: actix-web runs extractors in argument order and stops at the first refusal, so a cross-site request
/// is refused before any other extractor does its work (a user check, reading the body).
///
/// ```no_run
/// use amplify_ssr_actix::SameOrigin;
///
/// async fn delete_todo(_: SameOrigin) -> &'static str {
///     "deleted"
/// }
/// let app = actix_web::App::new().route("/todos/delete", actix_web::web::post().to(delete_todo));
/// # let _ = app;
/// ```
#[derive(Clone, Copy, Debug)]
pub struct SameOrigin;

/// Why [`SameOrigin`] refused a request: answered `403` with a fixed text (the reason is logged, not sent).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct CrossOriginError(pub CrossOriginRequest);

impl ResponseError for CrossOriginError {
    fn status_code(&self) -> StatusCode {
        StatusCode::FORBIDDEN
    }

    fn error_response(&self) -> HttpResponse {
        tracing::info!(reason = %self.0, "refused a cross-origin request");
        HttpResponse::Forbidden()
            .insert_header((CACHE_CONTROL, "no-store"))
            .body(
                "This request came from another site and was refused. Go back to the application and try again.",
            )
    }
}

impl FromRequest for SameOrigin {
    type Error = CrossOriginError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let runner = request
            .extensions()
            .get::<ServerContext>()
            .map(|ctx| ctx.runner().clone());
        let app_origin = runner.as_ref().and_then(|r| r.app_origin());
        ready(
            check(&to_http_headers(request.headers()), app_origin)
                .map(|()| Self)
                .map_err(CrossOriginError),
        )
    }
}

/// An actix-web middleware that refuses, with `403` (as [`SameOrigin`]), every state-changing request another
/// site caused: every method but `GET`, `HEAD`, `OPTIONS` and `TRACE`, and WebSocket upgrades (see
/// [`amplify_ssr::same_origin::changes_state`]). Wrap the whole `App` with it, inside
/// [`AmplifyMiddleware`](crate::AmplifyMiddleware) (so that it knows the runner's app origin), and no handler can
/// forget the check; [`SameOrigin`] stays for a handler outside it.
///
/// ```no_run
/// use actix_web::App;
/// use amplify_ssr_actix::{AmplifyMiddleware, RefuseCrossSite};
///
/// # fn demo(runner: amplify_ssr::ServerRunner) {
/// let app = App::new()
///     // .service(...) / .route(...)
///     .wrap(RefuseCrossSite)
///     .wrap(AmplifyMiddleware::new(runner)); // registered last: outermost
/// # let _ = app;
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct RefuseCrossSite;

impl<S, B> Transform<S, ServiceRequest> for RefuseCrossSite
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = RefuseCrossSiteService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RefuseCrossSiteService { service }))
    }
}

/// The service [`RefuseCrossSite`] wraps around the app.
#[derive(Debug)]
pub struct RefuseCrossSiteService<S> {
    service: S,
}

impl<S, B> Service<ServiceRequest> for RefuseCrossSiteService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = Either<
        MapOk<S::Future, fn(ServiceResponse<B>) -> Self::Response>,
        Ready<Result<Self::Response, Error>>,
    >;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let headers = to_http_headers(request.headers());
        // Any method actix accepts is a valid token, so this conversion cannot fail; were it to, refusing is safe.
        let method = http::Method::from_bytes(request.method().as_str().as_bytes())
            .unwrap_or(http::Method::POST);
        let runner = request
            .extensions()
            .get::<ServerContext>()
            .map(|ctx| ctx.runner().clone());
        match check_unless_safe(
            &method,
            &headers,
            runner.as_ref().and_then(|r| r.app_origin()),
        ) {
            Ok(()) => Either::Left(
                self.service
                    .call(request)
                    .map_ok(ServiceResponse::map_into_left_body as fn(_) -> _),
            ),
            Err(reason) => {
                let response = CrossOriginError(reason).error_response();
                Either::Right(ready(Ok(request
                    .into_response(response)
                    .map_into_right_body())))
            }
        }
    }
}
