//! axum integration (feature `axum`): a layer that gives every request a [`ServerContext`](crate::ServerContext), extractors for the
//! context and the signed-in user, and route protection.
//!
//! # Security model
//!
//! - The session is whatever the request's Amplify cookies prove: tokens are verified against the user pool's
//!   JWKS (signature, issuer, client, `token_use`, expiry) on every request. Nothing is trusted from the
//!   browser beyond that.
//! - Refreshed or cleared cookies are appended to the response by [`AmplifyLayer`], together with
//!   `Cache-Control: private, no-store`, so a shared cache never stores one user's tokens. Put the layer
//!   outermost (after routing, before anything that builds responses), so redirects and errors also carry the
//!   cookie changes. Expired tokens are refreshed where the session is read (the extractors,
//!   [`RequireAuthLayer`], the handler's calls), or before the handler with [`AmplifyLayer::refresh_eagerly`],
//!   which a body that reads the session while streaming needs (see [`AmplifyLayer`]).
//! - Every response that read the session (the extractors, [`RequireAuthLayer`] and its redirect to sign-in,
//!   any session API called with the request's context) also gets `Cache-Control: private, no-store`, over the
//!   handler's own value, so neither a shared cache nor the browser's Back button shows a private page after
//!   sign-out. A handler whose content is the same for everyone returns
//!   [`SessionIndependent`](crate::SessionIndependent) to keep its own caching (see [`crate::context`]).
//! - [`SameOrigin`] refuses cross-site form posts (see [`crate::same_origin`]).
//! - Redirects to the sign-in page carry the original path in `redirect_to`; only same-site relative paths are
//!   accepted back (see [`crate::redirect`]), so the parameter cannot be used as an open redirect.
//! - A transient failure (Cognito or the JWKS unreachable, a refresh past its deadline, an answer from Cognito that
//!   is not a token response) is answered with `503` and the cookies kept, rather than pretending the user signed
//!   out.
//! - Error responses (`401`, `503`) carry the error's name and a fixed message
//!   ([`AuthError::public_message`](crate::AuthError::public_message)); the details go to the `tracing` logs.
//!
//! ```no_run
//! use amplify_ssr::axum::{AmplifyLayer, CurrentUser, RequireAuthLayer};
//! use amplify_ssr::{AmplifyConfig, ServerRunner};
//! use axum::{Json, Router, routing::get};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let runner = ServerRunner::builder(AmplifyConfig::from_path("amplify_outputs.json")?).build()?;
//! let app = Router::new()
//!     .route("/dashboard", get(|| async { "only for signed-in users" }))
//!     .route_layer(RequireAuthLayer::new())
//!     .route("/apis/get-current-user", get(|CurrentUser(user): CurrentUser| async move { Json(user) }))
//!     .route("/", get(|| async { "public" }))
//!     .layer(AmplifyLayer::new(runner).sign_in_path("/sign-in"));
//! # let _: Router = app;
//! # Ok(()) }
//! ```

mod extract;
mod layer;
mod protect;
mod routes;
mod same_origin;

pub use extract::{
    CurrentUser, CurrentUserRejection, MissingAmplifyLayer, SignedInPage, SignedInPageRejection,
    SignedInPageRejectionKind,
};
pub use layer::{AmplifyLayer, AmplifyService, ResponseFuture};
pub use protect::{RequireAuth, RequireAuthFuture, RequireAuthLayer};
pub use routes::auth_router;
pub use same_origin::{CrossOriginRejection, SameOrigin};

/// `(SessionIndependent, body)`: see [`SessionIndependent`](crate::SessionIndependent).
impl axum::response::IntoResponseParts for crate::SessionIndependent {
    type Error = std::convert::Infallible;

    fn into_response_parts(
        self,
        mut parts: axum::response::ResponseParts,
    ) -> Result<axum::response::ResponseParts, Self::Error> {
        parts.extensions_mut().insert(self);
        Ok(parts)
    }
}

/// The request's URI as the client sent it: inside a nested router axum strips the prefix from the request URI
/// and keeps the original in the `OriginalUri` extension.
pub(crate) fn original_uri<'a>(
    extensions: &'a http::Extensions,
    uri: &'a http::Uri,
) -> &'a http::Uri {
    extensions
        .get::<axum::extract::OriginalUri>()
        .map_or(uri, |original| &original.0)
}

/// Builds the redirect to the sign-in page set on the layer (kept in the request's context), keeping `original` (path and
/// query) in `redirect_to`.
pub(crate) fn sign_in_redirect(
    extensions: &http::Extensions,
    original: &http::Uri,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let original = original
        .path_and_query()
        .map_or("/", http::uri::PathAndQuery::as_str);
    let location = match extensions
        .get::<crate::ServerContext>()
        .and_then(crate::ServerContext::sign_in_path)
    {
        Some(path) => path.location_for(original),
        None => crate::guard::SignInPath::default().location_for(original),
    };
    (
        http::StatusCode::FOUND,
        [(http::header::LOCATION, location)],
    )
        .into_response()
}

/// The plain `403` answered to a signed-in user who lacks a guard's requirement.
pub(crate) fn forbidden_response() -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        http::StatusCode::FORBIDDEN,
        [(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        crate::guard::FORBIDDEN_BODY,
    )
        .into_response()
}

/// The JSON `401` or `503` answered for `denied`.
pub(crate) fn denied_response(denied: &crate::guard::Denied) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut headers = vec![(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    )];
    if matches!(denied, crate::guard::Denied::Unavailable(_)) {
        tracing::warn!(error = %denied.error(), "session check failed transiently; answering 503");
        headers.push((
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("1"),
        ));
    }
    let mut response = (denied.status(), crate::guard::error_body(denied.error())).into_response();
    response.headers_mut().extend(headers);
    response
}
