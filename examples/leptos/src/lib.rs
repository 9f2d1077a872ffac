//! example-leptos: a server-rendered Leptos 0.8 app (leptos_axum, no hydration) on `amplify-ssr-leptos`, with
//! the pages of `examples/README.md`: who is signed in, a protected page, managed login, a per-user todo list
//! (Amplify Data) and files with presigned links (Storage), on the embedded amplify-local.
//!
//! `cargo run -p example-leptos` serves it on <http://127.0.0.1:3001>.

pub mod app;
pub mod functions;

use amplify_ssr::auth::routes::AuthRoutes;
use amplify_ssr_leptos::{Amplify, AmplifyRouterExt};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos_axum::{LeptosRoutes, generate_route_list};

/// The example's default port.
pub const DEFAULT_PORT: u16 = 3001;

/// The pages only signed-in users may see (their server functions check the session themselves).
pub const PROTECTED: [&str; 3] = ["/protected", "/todos", "/files"];

pub use amplify_examples_support::{ExampleOptions, RunningExample, StartError};

/// Starts the backend and the app; returns once it listens.
///
/// # Errors
///
/// The port is taken, or the backend cannot start.
pub async fn start(options: ExampleOptions) -> Result<RunningExample, StartError> {
    amplify_examples_support::serve_axum("example-leptos", options, |runner, auth_routes| {
        Ok(router(runner, auth_routes))
    })
    .await
}

/// The app: the Leptos pages and server functions, the auth routes, and the Amplify layers around them.
pub fn router(runner: amplify_ssr::ServerRunner, auth_routes: AuthRoutes) -> Router {
    let leptos_options = LeptosOptions::builder()
        .output_name("example-leptos")
        .build();
    let routes = generate_route_list(app::App);
    Router::new()
        .leptos_routes(&leptos_options, routes, app::shell)
        .amplify_auth_routes(auth_routes)
        .amplify(Amplify::new(runner).protect(PROTECTED))
        .with_state(leptos_options)
}
