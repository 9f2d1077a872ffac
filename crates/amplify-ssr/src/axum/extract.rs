//! Extractors: the request's [`ServerContext`], and the signed-in user for APIs ([`CurrentUser`], 401 JSON) and
//! for pages ([`SignedInPage`], a redirect to sign-in).

use axum::Json;
use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use super::{AuthPages, original_uri, sign_in_redirect, temporarily_unavailable};
use crate::auth::{AuthUser, get_current_user};
use crate::context::ServerContext;
use crate::error::AuthError;

/// Rejection when a handler asks for the Amplify context but [`AmplifyLayer`](super::AmplifyLayer) is not
/// installed on its route. A programming error: answered with 500 and logged.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error(
    "AmplifyLayer is not installed on this route: add `.layer(AmplifyLayer::new(runner))` to the Router"
)]
pub struct MissingAmplifyLayer;

impl IntoResponse for MissingAmplifyLayer {
    fn into_response(self) -> Response {
        tracing::error!("{self}");
        (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ServerContext {
    type Rejection = MissingAmplifyLayer;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<ServerContext>()
            .cloned()
            .ok_or(MissingAmplifyLayer)
    }
}

/// The signed-in user, for API handlers. Signed-out requests are rejected with `401` and a JSON body
/// `{"error": "UserUnAuthenticatedException", "message": ...}`.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub AuthUser);

/// Why [`CurrentUser`] was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CurrentUserRejection {
    /// The layer is missing (500).
    #[error(transparent)]
    MissingLayer(#[from] MissingAmplifyLayer),
    /// No signed-in user (401).
    #[error("{0}")]
    Unauthenticated(AuthError),
    /// The session could not be checked now (503); the cookies are kept.
    #[error("{0}")]
    Unavailable(AuthError),
}

impl IntoResponse for CurrentUserRejection {
    fn into_response(self) -> Response {
        match self {
            Self::MissingLayer(e) => e.into_response(),
            Self::Unauthenticated(e) => (
                StatusCode::UNAUTHORIZED,
                Json(serde_json::json!({ "error": e.name(), "message": e.public_message() })),
            )
                .into_response(),
            Self::Unavailable(e) => temporarily_unavailable(&e),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = CurrentUserRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = ServerContext::from_request_parts(parts, state).await?;
        match get_current_user(&ctx).await {
            Ok(user) => Ok(Self(user)),
            Err(e) if e.is_transient() => Err(CurrentUserRejection::Unavailable(e)),
            Err(e) => {
                if !e.is_unauthenticated() {
                    tracing::warn!(error = %e, "session check failed; treating the request as signed out");
                }
                Err(CurrentUserRejection::Unauthenticated(e))
            }
        }
    }
}

/// The signed-in user, for page handlers. Signed-out visits are redirected (`302`) to the sign-in path set on
/// [`AmplifyLayer`](super::AmplifyLayer), with the current path in `redirect_to`.
#[derive(Clone, Debug)]
pub struct SignedInPage(pub AuthUser);

/// Why [`SignedInPage`] was rejected: a redirect to sign-in, a 503 or a missing layer.
#[derive(Debug)]
pub struct SignedInPageRejection(Response);

impl IntoResponse for SignedInPageRejection {
    fn into_response(self) -> Response {
        self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SignedInPage {
    type Rejection = SignedInPageRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match CurrentUser::from_request_parts(parts, state).await {
            Ok(CurrentUser(user)) => Ok(Self(user)),
            Err(CurrentUserRejection::Unauthenticated(_)) => {
                let sign_in = parts
                    .extensions
                    .get::<AuthPages>()
                    .map_or("/sign-in", |p| p.sign_in_path.as_str());
                Err(SignedInPageRejection(sign_in_redirect(
                    sign_in,
                    original_uri(&parts.extensions, &parts.uri),
                )))
            }
            Err(other) => Err(SignedInPageRejection(other.into_response())),
        }
    }
}
