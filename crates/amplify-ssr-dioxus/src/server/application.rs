//! [`application`]: the Dioxus fullstack router (server functions and server-side rendering) for an app that uses
//! amplify-ssr.

use axum::Router;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::get;
use dioxus::core::ComponentFunction;
use dioxus::prelude::{DioxusRouterExt, ServeConfig, ServerFunction};
use dioxus::server::FullstackState;
use http::HeaderValue;
use http::header::CACHE_CONTROL;

use super::refuse_cross_site;

/// What Dioxus's `Router::serve_dioxus_application` builds, with the amplify-ssr rules on it: the app's server
/// functions, each behind [`refuse_cross_site`]; the static assets of a `dx` build when there are any (the
/// `public` folder beside the executable, or `DIOXUS_PUBLIC_PATH`); and every other `GET` rendered by `app`,
/// with `Cache-Control: private, no-store`.
///
/// Why `no-store` on every page: a page's components may read the session while the page streams, after the
/// headers were sent, when nothing can mark the response as private any more. A page that must be cacheable
/// does not belong in this router (serve it beside it, as an axum route).
///
/// Add the auth routes and the layers around it:
///
/// ```no_run
/// use amplify_ssr::axum::{AmplifyLayer, RequireAuthLayer, auth_router};
/// use amplify_ssr::{AmplifyConfig, AuthRoutes, AuthRoutesOptions, ServerRunner};
/// use dioxus::core::{Element, VNode};
/// use dioxus::server::ServeConfig;
///
/// fn app() -> Element {
///     VNode::empty() // the app's root component
/// }
///
/// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let runner = ServerRunner::builder(AmplifyConfig::from_path("amplify_outputs.json")?).build()?;
/// let routes = AuthRoutes::new(runner.clone(), AuthRoutesOptions::default())?;
/// let router: axum::Router = amplify_ssr_dioxus::application(ServeConfig::new(), app)
///     .nest("/api/auth", auth_router(routes))
///     .layer(RequireAuthLayer::only_under(["/account"]))
///     // Members of the Cognito group `admin` only (others get 403, the signed out the sign-in redirect).
///     .layer(RequireAuthLayer::only_under(["/admin"]).require_group("admin"))
///     .layer(AmplifyLayer::new(runner).refresh_eagerly().sign_in_path("/api/auth/sign-in"));
/// # Ok(()) }
/// ```
pub fn application<M: 'static>(
    config: ServeConfig,
    app: impl ComponentFunction<(), M> + Send + Sync,
) -> Router {
    let mut router = Router::<FullstackState>::new().register_server_functions();
    // `route_layer` on a router without routes panics: an app may have no server functions.
    if !ServerFunction::collect().is_empty() {
        router = router.route_layer(axum::middleware::from_fn(refuse_cross_site));
    }
    if has_public_assets() {
        router = router.serve_static_assets();
    }
    router
        .fallback(get(render_page))
        .with_state(FullstackState::new(config, app))
}

/// Dioxus's page renderer, with the page marked private.
async fn render_page(state: State<FullstackState>, request: Request) -> Response {
    let mut response = FullstackState::render_handler(state, request).await;
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}

/// Whether a `dx` build left static assets to serve (Dioxus panics when asked to serve a missing folder).
fn has_public_assets() -> bool {
    let public = match std::env::var_os("DIOXUS_PUBLIC_PATH") {
        Some(path) => std::path::PathBuf::from(path),
        None => match std::env::current_exe() {
            Ok(exe) => exe.with_file_name("public"),
            Err(_) => return false,
        },
    };
    public.is_dir()
}
