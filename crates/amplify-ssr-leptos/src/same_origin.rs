//! [`refuse_cross_site`]: refuses cross-site server-function calls and form posts, for the whole router at once.

use amplify_ssr::ServerContext;
use amplify_ssr::axum::CrossOriginRejection;
use amplify_ssr::same_origin::check_unless_safe;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// axum middleware (`axum::middleware::from_fn(refuse_cross_site)`) that refuses, with `403`, every request
/// with a state-changing method (anything but `GET`, `HEAD`, `OPTIONS` and `TRACE`, or a WebSocket upgrade) that another site caused,
/// by the rules of [`amplify_ssr::same_origin::check`].
///
/// On a Leptos router it covers every server function (they are `POST`s unless declared otherwise) and every
/// form handler beside them, so no server function can forget the check.
/// [`AmplifyRouterExt::amplify`](crate::AmplifyRouterExt::amplify) installs it; when you install it yourself,
/// put it inside [`AmplifyLayer`](amplify_ssr::axum::AmplifyLayer), whose runner supplies the application's
/// origin (without one, the request's `Host` stands in).
///
/// A server function declared with `input = GetUrl` is a `GET` and is not checked: keep such functions free of
/// side effects. Routes that must accept posts from other sites (webhooks) belong outside the middleware.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    let runner = request
        .extensions()
        .get::<ServerContext>()
        .map(|ctx| ctx.runner().clone());
    if let Err(refused) = check_unless_safe(
        request.method(),
        request.headers(),
        runner.as_ref().and_then(|r| r.app_origin()),
    ) {
        return refusal(&request, refused);
    }
    next.run(request).await
}

/// The `403` for a refused request: [`AuthFnError::CrossSite`](crate::AuthFnError::CrossSite) in the server
/// functions' JSON encoding, which Leptos' client decodes into the same value, unless a browser is navigating (a
/// plain form post, JavaScript off), which gets the plain page.
fn refusal(request: &Request, refused: amplify_ssr::same_origin::CrossOriginRequest) -> Response {
    let navigating = request
        .headers()
        .get(http::header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if navigating {
        return CrossOriginRejection(refused).into_response();
    }
    tracing::info!(reason = %refused, path = %request.uri().path(), "refused a cross-site server function call");
    let body = leptos::server_fn::error::FromServerFnError::ser(&crate::AuthFnError::CrossSite);
    (
        http::StatusCode::FORBIDDEN,
        [
            (http::header::CONTENT_TYPE, "application/json"),
            (http::header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}
