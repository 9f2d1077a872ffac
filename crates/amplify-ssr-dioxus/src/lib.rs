//! Dioxus 0.7 fullstack integration of [amplify-ssr](https://docs.rs/amplify-ssr): the user's Amplify session
//! in server functions and in server-side rendering, server-function errors the client can tell apart ("signed
//! out" from "failed"), the same-origin rule (CSRF) on every server function, and private pages.
//!
//! - [`AmplifyFnError`] (always available, also in a WASM client): the error type of server functions.
//! - With the `server` feature: [`application`] (the Dioxus router with the rules on it),
//!   [`server_context`] and [`require_user`] for server functions and rendering, and [`refuse_cross_site`].
//!   Route protection, the auth routes and the session layer are amplify-ssr's axum ones
//!   ([`amplify_ssr::axum`]), since a Dioxus server is an axum router.
//!
//! The README is the user guide: configuration, the runner, the context in server functions and rendering,
//! protected routes, the auth routes, Data and Storage, and where cookies may and may not be written.
//!
//! # Security model
//!
//! - Server functions refuse cross-site calls ([`refuse_cross_site`], installed by [`application`] on each).
//! - Every page [`application`] renders is `Cache-Control: private, no-store`: a component may read the
//!   session after a streamed page's headers left, when the response can no longer be marked private.
//! - Errors carry fixed messages; internal details go to the logs ([`AmplifyFnError::internal`]).
//! - Cookies (a refreshed or cleared session) reach the browser only before the first byte of a response: use
//!   `AmplifyLayer::refresh_eagerly` so an expired session is refreshed before a page starts streaming.
//!
//! # Features
//!
//! - `server`: the server side (amplify-ssr with axum, `dioxus/server`). Leave it off in the client build.
// Without `server` the server items are absent: their links point at the feature list instead (a reference
// definition must follow a blank line, hence the two newlines).
#![cfg_attr(
    not(feature = "server"),
    doc = "\n\n[`application`]: crate#features\n[`server_context`]: crate#features\n[`require_user`]: crate#features\n[`refuse_cross_site`]: crate#features\n[`amplify_ssr::axum`]: crate#features"
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod error;
#[cfg(feature = "server")]
mod server;

pub use error::AmplifyFnError;
#[cfg(feature = "server")]
pub use server::{application, refuse_cross_site, require_user, require_user_with, server_context};

/// The core crate, for the runner, the layers and the Data and Storage clients.
#[cfg(feature = "server")]
pub use amplify_ssr;
