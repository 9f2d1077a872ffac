//! [`SameOrigin`]: refuses cross-site requests to a handler (for form posts that change state).

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use crate::context::ServerContext;
use crate::same_origin::{CrossOriginRequest, check};

/// Extracting it refuses, with `403`, a request that another site (or another origin of the same site) caused:
/// put it in the arguments of every handler that changes state, and make those handlers `POST`s.
///
/// The rules are [`crate::same_origin::check`]'s. The application's origin is the runner's
/// [`app_origin`](crate::ServerRunner::app_origin) when [`AmplifyLayer`](super::AmplifyLayer) is installed and
/// the runner has one, else the request's `Host`.
///
/// ```no_run
/// use amplify_ssr::axum::SameOrigin;
/// use axum::{Router, routing::post};
///
/// async fn delete_todo(_: SameOrigin) -> &'static str {
///     "deleted"
/// }
/// let app: Router = Router::new().route("/todos/delete", post(delete_todo));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct SameOrigin;

/// Why [`SameOrigin`] refused a request: answered `403` with a fixed text (the reason is logged, not sent).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct CrossOriginRejection(pub CrossOriginRequest);

impl IntoResponse for CrossOriginRejection {
    fn into_response(self) -> Response {
        tracing::info!(reason = %self.0, "refused a cross-origin request");
        (
            StatusCode::FORBIDDEN,
            [(http::header::CACHE_CONTROL, "no-store")],
            "This request came from another site and was refused. Go back to the application and try again.",
        )
            .into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SameOrigin {
    type Rejection = CrossOriginRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let runner = parts
            .extensions
            .get::<ServerContext>()
            .map(|ctx| ctx.runner().clone());
        let app_origin = runner.as_ref().and_then(|r| r.app_origin());
        check(&parts.headers, app_origin)
            .map(|()| Self)
            .map_err(CrossOriginRejection)
    }
}
