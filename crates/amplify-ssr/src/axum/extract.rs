//! Extractors: the request's [`ServerContext`], and the signed-in user for APIs ([`CurrentUser`], 401 JSON) and
//! for pages ([`SignedInPage`], a redirect to sign-in).

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use super::{denied_response, original_uri, sign_in_redirect};
use crate::auth::AuthUser;
use crate::context::ServerContext;
use crate::error::AuthError;
use crate::guard::{Denied, require_user};

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
            Self::Unauthenticated(e) => denied_response(&Denied::SignedOut(e)),
            Self::Unavailable(e) => denied_response(&Denied::Unavailable(e)),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = CurrentUserRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = ServerContext::from_request_parts(parts, state).await?;
        match require_user(&ctx).await {
            Ok(user) => Ok(Self(user)),
            Err(Denied::Unavailable(e)) => Err(CurrentUserRejection::Unavailable(e)),
            Err(Denied::SignedOut(e)) => Err(CurrentUserRejection::Unauthenticated(e)),
        }
    }
}

/// The signed-in user, for page handlers. Signed-out visits are redirected (`302`) to the sign-in path set on
/// [`AmplifyLayer`](super::AmplifyLayer), with the current path in `redirect_to`.
#[derive(Clone, Debug)]
pub struct SignedInPage(pub AuthUser);

/// Why [`SignedInPage`] was rejected: a redirect to sign-in, a 503 or a missing layer. See
/// [`kind`](Self::kind) and [`status`](Self::status); as a response it is the redirect or error page itself.
///
/// ```
/// use amplify_ssr::axum::{SignedInPage, SignedInPageRejection, SignedInPageRejectionKind};
/// use axum::response::{IntoResponse, Response};
///
/// async fn page(user: Result<SignedInPage, SignedInPageRejection>) -> Response {
///     match user {
///         Ok(SignedInPage(user)) => format!("hello {}", user.username).into_response(),
///         // A page of its own for outages; the redirect and the missing layer as the library answers them.
///         Err(rejection) if rejection.kind() == SignedInPageRejectionKind::Unavailable => {
///             (rejection.status(), "Sign-in is unavailable right now, try again shortly").into_response()
///         }
///         Err(rejection) => rejection.into_response(),
///     }
/// }
/// ```
#[derive(Debug)]
pub struct SignedInPageRejection {
    kind: SignedInPageRejectionKind,
    response: Response,
}

/// What kind of [`SignedInPageRejection`] a request got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignedInPageRejectionKind {
    /// No signed-in user: `302` to the sign-in path, with the page in `redirect_to`.
    SignInRedirect,
    /// The session could not be checked now (Cognito or the JWKS unreachable, a refresh past its deadline):
    /// `503` with `Retry-After`; the cookies are kept.
    Unavailable,
    /// [`AmplifyLayer`](super::AmplifyLayer) is not installed on the route (a programming error): `500`.
    MissingLayer,
}

impl SignedInPageRejection {
    /// What kind of rejection this is.
    #[must_use]
    pub fn kind(&self) -> SignedInPageRejectionKind {
        self.kind
    }

    /// The status of the response it turns into: `302`, `503` or `500`.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.response.status()
    }
}

impl IntoResponse for SignedInPageRejection {
    fn into_response(self) -> Response {
        self.response
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SignedInPage {
    type Rejection = SignedInPageRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let (kind, response) = match CurrentUser::from_request_parts(parts, state).await {
            Ok(CurrentUser(user)) => return Ok(Self(user)),
            Err(CurrentUserRejection::Unauthenticated(_)) => (
                SignedInPageRejectionKind::SignInRedirect,
                sign_in_redirect(
                    &parts.extensions,
                    original_uri(&parts.extensions, &parts.uri),
                ),
            ),
            Err(unavailable @ CurrentUserRejection::Unavailable(_)) => (
                SignedInPageRejectionKind::Unavailable,
                unavailable.into_response(),
            ),
            Err(missing @ CurrentUserRejection::MissingLayer(_)) => (
                SignedInPageRejectionKind::MissingLayer,
                missing.into_response(),
            ),
        };
        Err(SignedInPageRejection { kind, response })
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;
    use crate::{AmplifyConfig, ServerRunner};

    const OUTPUTS: &str = r#"{"version":"1.4","auth":{"aws_region":"us-east-1",
        "user_pool_id":"us-east-1_Pool","user_pool_client_id":"client1"}}"#;

    /// A runner whose JWKS URL is a port nothing listens on.
    async fn runner_without_keys() -> ServerRunner {
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let jwks = format!("http://{}/jwks.json", closed.local_addr().unwrap());
        drop(closed);
        ServerRunner::builder(AmplifyConfig::from_json(OUTPUTS).unwrap())
            .ignore_env()
            .jwks_url(&jwks)
            .build()
            .unwrap()
    }

    /// The parts of `GET /account?tab=1`, with `ctx` in the extensions as the layer puts it.
    fn parts(ctx: Option<ServerContext>) -> Parts {
        let mut request = http::Request::get("/account?tab=1").body(()).unwrap();
        if let Some(ctx) = ctx {
            request.extensions_mut().insert(ctx);
        }
        request.into_parts().0
    }

    async fn rejection(mut parts: Parts) -> SignedInPageRejection {
        SignedInPage::from_request_parts(&mut parts, &())
            .await
            .expect_err("rejected")
    }

    #[tokio::test]
    async fn a_signed_out_visit_is_a_sign_in_redirect() {
        let ctx = runner_without_keys().await.context(&http::HeaderMap::new());
        let rejection = rejection(parts(Some(ctx))).await;
        assert_eq!(rejection.kind(), SignedInPageRejectionKind::SignInRedirect);
        assert_eq!(rejection.status(), StatusCode::FOUND);
        let response = rejection.into_response();
        assert_eq!(response.status(), StatusCode::FOUND);
        assert_eq!(
            response.headers()[http::header::LOCATION],
            "/sign-in?redirect_to=%2Faccount%3Ftab%3D1"
        );
    }

    #[tokio::test]
    async fn unreachable_keys_are_a_transient_failure() {
        // A well-formed RS256 token: checking it needs the JWKS, which cannot be fetched.
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","kid":"k1"}"#);
        let token = format!("{header}.e30.c2lnbmF0dXJl");
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            format!("CognitoIdentityServiceProvider.client1.username.accessToken={token}")
                .parse()
                .unwrap(),
        );
        let ctx = runner_without_keys().await.context(&headers);
        let rejection = rejection(parts(Some(ctx))).await;
        assert_eq!(rejection.kind(), SignedInPageRejectionKind::Unavailable);
        assert_eq!(rejection.status(), StatusCode::SERVICE_UNAVAILABLE);
        let response = rejection.into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[http::header::RETRY_AFTER], "1");
    }

    #[tokio::test]
    async fn a_route_without_the_layer_is_a_missing_layer() {
        let rejection = rejection(parts(None)).await;
        assert_eq!(rejection.kind(), SignedInPageRejectionKind::MissingLayer);
        assert_eq!(rejection.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            rejection.into_response().status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
