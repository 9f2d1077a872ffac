//! actix-web 4 integration of [`amplify_ssr`]: the same sessions, route protection, managed-login routes, CSRF
//! check and private-page caching as `amplify-ssr`'s axum module, in actix-web's idiom. It is a thin layer over the
//! framework-neutral core, and pulls in no axum or tower.
//!
//! - [`AmplifyMiddleware`] (a `Transform`, `App::wrap`): one [`ServerContext`](amplify_ssr::ServerContext) per
//!   request, the eager refresh before the handler, and the context's cookie changes and `no-store` written to
//!   every response.
//! - Extractors ([`FromRequest`](actix_web::FromRequest)): [`AmplifyContext`] (the context), [`CurrentUser`]
//!   (`401` JSON / `503`), [`SignedInPage`] (`302` to sign-in / `503`), [`SameOrigin`] (CSRF, `403`). Each
//!   answers `500` with a message naming the fix when the middleware is missing.
//! - [`RequireAuth`]: protects a scope.
//! - [`auth_scope`]: the managed-login routes (`/api/auth/sign-in`, ...) in one line.
//!
//! actix-web 4 is built on `http` 0.2; `amplify-ssr` on `http` 1. Request headers are converted at the edge
//! ([`to_http_headers`]), and the context's `Set-Cookie` and `Cache-Control` written back onto actix-web's
//! response.
//!
//! # Where the context comes from
//!
//! | where | how |
//! |---|---|
//! | a handler | the [`AmplifyContext`] extractor (or [`CurrentUser`] / [`SignedInPage`] for the user) |
//! | your own middleware (inside `AmplifyMiddleware`) | `request.extensions().get::<ServerContext>()` |
//! | a static or pre-rendered page (no request) | [`ServerRunner::static_context`](amplify_ssr::ServerRunner::static_context): guest access only, nothing written |
//! | a background task after the response | [`ServerRunner::read_only_context`](amplify_ssr::ServerRunner::read_only_context) with the request's [`to_http_headers`]: writes are dropped |
//!
//! # Where cookies may be written
//!
//! A refresh (or any other cookie write) made with the request's context before the handler returns its
//! `HttpResponse` reaches the browser: the middleware writes it onto that response. A write made while a
//! streamed body is being sent (after the headers went out) cannot: the eager refresh of [`AmplifyMiddleware`]
//! exists so that reading the session there never needs one. Work spawned to outlive the response must use a
//! read-only context.
//!
//! # Security model
//!
//! As in `amplify-ssr`'s axum module: tokens are verified against the user pool's JWKS on every request;
//! refreshed or cleared cookies go out with `Cache-Control: private, no-store`, and so does every response
//! that read the session (unless it carries [`SessionIndependent`](amplify_ssr::SessionIndependent) in its
//! extensions); [`SameOrigin`] refuses cross-site posts; `redirect_to` only takes same-site relative paths; a
//! transient failure answers `503` and keeps the cookies rather than signing the user out; error bodies carry
//! fixed messages, the details go to the `tracing` logs.

mod extract;
mod headers;
mod middleware;
mod protect;
mod routes;
mod same_origin;

pub use extract::{
    AmplifyContext, CurrentUser, CurrentUserError, MissingAmplifyMiddleware, SignedInPage,
    SignedInPageError, SignedInPageErrorKind,
};
pub use headers::to_http_headers;
pub use middleware::{AmplifyMiddleware, AmplifyService};
pub use protect::{RequireAuth, RequireAuthService};
pub use routes::auth_scope;
pub use same_origin::{CrossOriginError, RefuseCrossSite, RefuseCrossSiteService, SameOrigin};

use actix_web::http::header::{CONTENT_TYPE, LOCATION, RETRY_AFTER};
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use amplify_ssr::guard::{Denied, SignInPath, error_body};

/// Where a signed-out visitor of `request` is sent: the sign-in path set on the middleware, with the request's
/// path and query in `redirect_to` (actix-web scopes keep the full path, so this is the page as requested).
pub(crate) fn sign_in_location(request: &HttpRequest) -> String {
    let original = request.uri().path_and_query().map_or("/", |p| p.as_str());
    match request
        .extensions()
        .get::<amplify_ssr::ServerContext>()
        .and_then(amplify_ssr::ServerContext::sign_in_path)
    {
        Some(path) => path.location_for(original),
        None => SignInPath::default().location_for(original),
    }
}

/// The `302` to `location`.
pub(crate) fn sign_in_redirect(location: &str) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((LOCATION, location))
        .finish()
}

/// The JSON `401` or `503` answered for `denied`.
pub(crate) fn denied_response(denied: &Denied) -> HttpResponse {
    let mut response = HttpResponse::build(headers::to_actix_status(denied.status()));
    response.insert_header((CONTENT_TYPE, "application/json"));
    if matches!(denied, Denied::Unavailable(_)) {
        tracing::warn!(error = %denied.error(), "session check failed transiently; answering 503");
        response.insert_header((RETRY_AFTER, "1"));
    }
    response.body(error_body(denied.error()))
}

// The README's examples compile as doc tests, so the published guide stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
