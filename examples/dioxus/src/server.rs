//! Starting the example: the embedded backend, the runner, the Dioxus router with the amplify-ssr layers, and
//! the HTTP server.

use amplify_ssr::axum::{AmplifyLayer, RequireAuthLayer, auth_router};
use dioxus::prelude::ServeConfig;

use crate::pages::App;

/// The pages only signed-in users may see; the others are redirected to sign in and come back.
pub const PROTECTED_PAGES: [&str; 3] = ["/protected", "/todos", "/files"];

pub use amplify_examples_support::{ExampleOptions, RunningExample, StartError};

/// The example's default port.
pub const DEFAULT_PORT: u16 = 3002;

/// Starts the example and returns once it is listening.
///
/// # Errors
///
/// The port is taken, or the embedded backend cannot start.
pub async fn start(options: ExampleOptions) -> Result<RunningExample, StartError> {
    amplify_examples_support::serve_axum("example-dioxus", options, |runner, auth_routes| {
        // Out-of-order streaming: a page's first bytes leave before its suspended parts have rendered.
        let config = ServeConfig::builder().enable_out_of_order_streaming();
        Ok(amplify_ssr_dioxus::application(config, App)
            .nest("/api/auth", auth_router(auth_routes))
            .layer(RequireAuthLayer::only_under(PROTECTED_PAGES))
            .layer(
                AmplifyLayer::new(runner)
                    .refresh_eagerly()
                    .sign_in_path("/api/auth/sign-in"),
            ))
    })
    .await
}
