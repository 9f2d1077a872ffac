//! [`refuse_cross_site`]: the same-origin rule (CSRF) on server functions.

use amplify_ssr::ServerContext;
use amplify_ssr::same_origin::check_unless_safe;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::CACHE_CONTROL;

use crate::AmplifyFnError;

/// axum middleware (`axum::middleware::from_fn(refuse_cross_site)`) that refuses, with `403` and
/// [`AmplifyFnError::CrossSite`], every state-changing request (any method but `GET`, `HEAD`, `OPTIONS` and
/// `TRACE`, and WebSocket upgrades; see [`amplify_ssr::same_origin::changes_state`]) that another site caused, by [`amplify_ssr::same_origin::check`]'s rules (the browser's
/// `Sec-Fetch-Site`, else `Origin`, else `Referer`). [`application`](crate::application) puts it on every server
/// function, so none can forget it; an app that builds its own router puts it there with `route_layer`.
///
/// The application's origin is the runner's app origin when the `AmplifyLayer` is outside this middleware and
/// the runner has one, else the request's `Host`.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    let runner = request
        .extensions()
        .get::<ServerContext>()
        .map(|ctx| ctx.runner().clone());
    match check_unless_safe(
        request.method(),
        request.headers(),
        runner.as_ref().and_then(|r| r.app_origin()),
    ) {
        Ok(()) => next.run(request).await,
        Err(reason) => {
            tracing::info!(%reason, path = %request.uri().path(), "refused a cross-site server function call");
            error_response(&AmplifyFnError::CrossSite)
        }
    }
}

/// `error` as Dioxus answers a server function's error (`{"message", "code", "data"}`), so a client decodes it
/// into the same [`AmplifyFnError`].
pub(crate) fn error_response(error: &AmplifyFnError) -> Response {
    let status = error.status();
    let body = serde_json::json!({
        "message": error.to_string(),
        "code": status.as_u16(),
        "data": error,
    });
    (status, [(CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
}
