//! Amplify Auth sessions, managed login, Data and Storage for [Leptos](https://leptos.dev) 0.8 apps served by
//! `leptos_axum`, over [`amplify-ssr`](https://docs.rs/amplify-ssr).
//!
//! - [`AuthFnError`]: the error of server functions that need a session. It is compiled on both sides, so an
//!   app's `#[server]` functions build for the hydrating client too.
//! - With the `ssr` feature (the server build):
//!   - [`server_context`]: the request's `ServerContext` in components, resources and server functions;
//!   - [`private_page`] (also without `ssr`): marks a session-dependent page `no-store`;
//!   - [`require_user`]: the signed-in user, or `SignedOut` (`401`) / `Unavailable` (`503`);
//!   - [`AmplifyRouterExt`]: the auth routes under `/api/auth` in one call, and in one more the
//!     `AmplifyLayer` (eager refresh, for streamed pages), CSRF protection of every server function
//!     ([`refuse_cross_site`]) and route protection ([`Amplify::protect`]).
//!
//! See the crate's README for the guide: where cookies may be written, caching, static pages.
//!
//! # Security model
//!
//! The core's rules apply (see `amplify_ssr::axum`): tokens are verified on every request, refreshed cookies and
//! `Cache-Control: private, no-store` are added by the layer, cross-site state-changing requests are refused,
//! `redirect_to` only brings users back to same-site paths, and a transient failure is never reported as a
//! sign-out. Leptos-specific:
//!
//! - A streamed page sends its headers after its first chunk, before its resources finish. Cookies written
//!   after that (a refresh inside a resource) cannot reach the browser; the eager refresh installed by
//!   [`AmplifyRouterExt::amplify`] makes sure there is nothing left to write by then.
//! - Likewise a page is only marked `no-store` if the session was read before its headers left: protected
//!   prefixes are (the route protection reads it), and [`server_context`] marks the page when called in the
//!   component's body.
//! - Server functions declared as `GET`s are not checked for cross-site calls: keep them free of side effects.
//!
//! # Features
//!
//! - `ssr`: the server side (everything above but [`AuthFnError`] and [`private_page`]). Turn it on in the server
//!   build only, as Leptos' own `ssr` feature.
//!
#![cfg_attr(feature = "ssr", doc = "[`server_context`]: crate::server_context")]
#![cfg_attr(feature = "ssr", doc = "[`require_user`]: crate::require_user")]
#![cfg_attr(feature = "ssr", doc = "[`AmplifyRouterExt`]: crate::AmplifyRouterExt")]
#![cfg_attr(
    feature = "ssr",
    doc = "[`AmplifyRouterExt::amplify`]: crate::AmplifyRouterExt::amplify"
)]
#![cfg_attr(
    feature = "ssr",
    doc = "[`refuse_cross_site`]: crate::refuse_cross_site"
)]
#![cfg_attr(feature = "ssr", doc = "[`Amplify::protect`]: crate::Amplify::protect")]
#![cfg_attr(not(feature = "ssr"), doc = "[`server_context`]: crate#features")]
#![cfg_attr(not(feature = "ssr"), doc = "[`require_user`]: crate#features")]
#![cfg_attr(not(feature = "ssr"), doc = "[`AmplifyRouterExt`]: crate#features")]
#![cfg_attr(
    not(feature = "ssr"),
    doc = "[`AmplifyRouterExt::amplify`]: crate#features"
)]
#![cfg_attr(not(feature = "ssr"), doc = "[`refuse_cross_site`]: crate#features")]
#![cfg_attr(not(feature = "ssr"), doc = "[`Amplify::protect`]: crate#features")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod error;

pub use error::AuthFnError;

#[cfg(feature = "ssr")]
mod context;
#[cfg(feature = "ssr")]
mod router;
#[cfg(feature = "ssr")]
mod same_origin;

#[cfg(feature = "ssr")]
pub use context::{require_user, require_user_with, server_context};
#[cfg(feature = "ssr")]
pub use router::{AUTH_ROUTES_PREFIX, Amplify, AmplifyRouterExt, DEFAULT_SIGN_IN_PATH};
#[cfg(feature = "ssr")]
pub use same_origin::refuse_cross_site;

/// Marks the page being rendered on the server as private (`Cache-Control: private, no-store`): call it in the
/// body of a component whose content depends on the session, such as one showing the user in a resource.
/// `server_context()` does it too; pages under a protected prefix are marked by the route protection. A
/// no-op in the browser (and outside a leptos_axum render), so isomorphic components can call it.
///
/// Call it before the first `.await` of the render (in the component's body): a streamed page sends its
/// headers after its first chunk, and a header set later is lost.
pub fn private_page() {
    #[cfg(feature = "ssr")]
    context::mark_private();
}
