//! [`auth_router`]: the managed-login routes of [`AuthRoutes`] as an axum [`Router`].

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::any;

use crate::auth::routes::AuthRoutes;

/// A router serving `/{slug}` (`sign-in`, `sign-up`, `sign-out`, `sign-in-callback`, `sign-out-callback`) with
/// `routes`. Mount it under any prefix; the app client's callback URLs must match it:
///
/// ```no_run
/// use amplify_ssr::auth::routes::{AuthRoutes, AuthRoutesOptions};
/// use amplify_ssr::axum::{AmplifyLayer, auth_router};
/// use amplify_ssr::{AmplifyConfig, ServerRunner};
/// use axum::Router;
///
/// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let runner = ServerRunner::builder(AmplifyConfig::from_path("amplify_outputs.json")?)
///     .app_origin("https://app.example.com")
///     .build()?;
/// let routes = AuthRoutes::new(runner.clone(), AuthRoutesOptions::default())?;
/// // Callback URLs: https://app.example.com/api/auth/sign-in-callback and .../sign-out-callback
/// let app: Router = Router::new()
///     .nest("/api/auth", auth_router(routes))
///     .layer(AmplifyLayer::new(runner));
/// # Ok(()) }
/// ```
///
/// Every method reaches the handler, so non-`GET` requests get `405` with `Allow: GET`; other paths under the
/// prefix get `404`.
pub fn auth_router<S>(routes: AuthRoutes) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route("/{slug}", any(handle))
        .with_state(routes)
}

async fn handle(
    State(routes): State<AuthRoutes>,
    method: http::Method,
    slug: Result<Path<String>, PathRejection>,
    uri: http::Uri,
    headers: http::HeaderMap,
) -> Response {
    let slug = slug.map(|Path(slug)| slug).unwrap_or_default();
    routes
        .handle(&method, &slug, &uri, &headers)
        .await
        .map(Body::from)
}
