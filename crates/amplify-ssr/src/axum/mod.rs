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
pub use protect::{RequireAuth, RequireAuthLayer};
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

/// Per-app settings the layer puts in request extensions for the extractors and route protection.
#[derive(Clone, Debug)]
pub(crate) struct AuthPages {
    pub(crate) sign_in_path: String,
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

/// Builds the redirect to the sign-in page, keeping `original` (path and query) in `redirect_to`.
pub(crate) fn sign_in_redirect(
    sign_in_path: &str,
    original: &http::Uri,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let original = original
        .path_and_query()
        .map_or("/", http::uri::PathAndQuery::as_str);
    let mut location = sign_in_path.to_owned();
    if crate::redirect::safe_redirect_path(original).is_some() && original != sign_in_path {
        location.push(if sign_in_path.contains('?') { '&' } else { '?' });
        location.push_str("redirect_to=");
        location.extend(url::form_urlencoded::byte_serialize(original.as_bytes()));
    }
    (
        http::StatusCode::FOUND,
        [(http::header::LOCATION, location)],
    )
        .into_response()
}

/// The 503 answered when the session could not be checked because of a transient failure.
pub(crate) fn temporarily_unavailable(error: &crate::AuthError) -> axum::response::Response {
    use axum::response::IntoResponse;
    tracing::warn!(error = %error, "session check failed transiently; answering 503");
    (
        http::StatusCode::SERVICE_UNAVAILABLE,
        [(http::header::RETRY_AFTER, "1")],
        axum::Json(serde_json::json!({
            "error": error.name(),
            "message": error.public_message(),
        })),
    )
        .into_response()
}
