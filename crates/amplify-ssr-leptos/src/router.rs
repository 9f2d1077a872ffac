//! [`AmplifyRouterExt`]: the auth routes and the Amplify layers on a leptos_axum router, each in one call.

use amplify_ssr::ServerRunner;
use amplify_ssr::auth::routes::AuthRoutes;
use amplify_ssr::axum::{AmplifyLayer, RequireAuthLayer, auth_router};
use amplify_ssr::guard::{Requirement, SignInPath};
use axum::Router;

use crate::refuse_cross_site;

/// Where [`AmplifyRouterExt::amplify_auth_routes`] mounts the managed-login routes (the app client's callback
/// URLs are `<origin>/api/auth/sign-in-callback` and `/sign-out-callback`).
pub const AUTH_ROUTES_PREFIX: &str = "/api/auth";

/// Where signed-out visitors of protected pages go unless [`Amplify::sign_in_path`] says otherwise: the
/// managed-login route.
pub const DEFAULT_SIGN_IN_PATH: &str = "/api/auth/sign-in";

/// What [`AmplifyRouterExt::amplify`] installs: the runner, the protected path prefixes and the sign-in page.
#[derive(Clone, Debug)]
#[must_use]
pub struct Amplify {
    runner: ServerRunner,
    sign_in_path: SignInPath,
    protected: Vec<String>,
    /// Prefixes with a requirement finer than "signed in", each protected by its own layer.
    guarded: Vec<(Vec<String>, Requirement)>,
    private_pages: bool,
}

impl Amplify {
    /// The layers for `runner`, protecting nothing, sending signed-out visitors to [`DEFAULT_SIGN_IN_PATH`].
    pub fn new(runner: ServerRunner) -> Self {
        Self {
            runner,
            sign_in_path: SignInPath::or_default(DEFAULT_SIGN_IN_PATH),
            protected: Vec::new(),
            guarded: Vec::new(),
            private_pages: true,
        }
    }

    /// Lets caches store HTML pages that did not read the session before their headers left. By default every
    /// HTML response is `Cache-Control: private, no-store`: a streamed page may show the session in a resource
    /// that resolves after the headers are gone, when it is too late to mark it (see the crate's README). Turn
    /// this on only when every page that shows the session calls [`private_page`](crate::private_page) or sits
    /// under a protected prefix.
    pub fn cacheable_pages(mut self) -> Self {
        self.private_pages = false;
        self
    }

    /// Protects the pages at these paths and under them (`/account` covers `/account/settings`): a signed-out
    /// visitor is redirected to the sign-in page and brought back after. Server functions check the session
    /// themselves ([`require_user`](crate::require_user)), which answers their callers with a typed error rather
    /// than a redirect.
    pub fn protect<I, P>(mut self, prefixes: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        self.protected.extend(prefixes.into_iter().map(Into::into));
        self
    }

    /// Protects these prefixes like [`protect`](Self::protect), and also requires `requirement` of the signed-in
    /// user (a Cognito group, a predicate over the verified claims): one who lacks it gets `403` with a short
    /// plain-text body, a signed-out one the redirect to sign-in. Server functions check it themselves with
    /// [`require_user_with`](crate::require_user_with).
    ///
    /// `Amplify::new(runner).protect_with(["/admin"], Requirement::group("admin"))`
    pub fn protect_with<I, P>(mut self, prefixes: I, requirement: Requirement) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        self.guarded
            .push((prefixes.into_iter().map(Into::into).collect(), requirement));
        self
    }

    /// Where signed-out visitors are sent (a same-site relative path; an invalid one is logged and the default
    /// kept).
    pub fn sign_in_path(mut self, path: impl Into<String>) -> Self {
        self.sign_in_path = SignInPath::or_default(path);
        self
    }
}

/// One-call setup of an axum [`Router`] that serves a Leptos app.
pub trait AmplifyRouterExt {
    /// Serves the managed-login routes (`sign-in`, `sign-up`, `sign-out` and both callbacks) under
    /// [`AUTH_ROUTES_PREFIX`].
    #[must_use]
    fn amplify_auth_routes(self, routes: AuthRoutes) -> Self;

    /// Installs, around every route added so far (call it last, after `leptos_routes` and your own routes):
    ///
    /// 1. [`AmplifyLayer`] with [`refresh_eagerly`](AmplifyLayer::refresh_eagerly): each request gets its
    ///    [`ServerContext`](amplify_ssr::ServerContext), and an expired session is refreshed before Leptos
    ///    starts rendering, so the new cookies go out with the headers of a streamed page;
    /// 2. [`refuse_cross_site`]: cross-site server-function calls and form posts are refused;
    /// 3. [`RequireAuthLayer::only_under`] the protected prefixes (and one per
    ///    [`protect_with`](Amplify::protect_with) requirement), which also makes those pages
    ///    `Cache-Control: private, no-store`;
    /// 4. unless [`Amplify::cacheable_pages`]: `Cache-Control: private, no-store` on every HTML response, since a
    ///    streamed page may read the session after its headers left.
    #[must_use]
    fn amplify(self, setup: Amplify) -> Self;
}

impl<S> AmplifyRouterExt for Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    fn amplify_auth_routes(self, routes: AuthRoutes) -> Self {
        self.nest(AUTH_ROUTES_PREFIX, auth_router(routes))
    }

    fn amplify(self, setup: Amplify) -> Self {
        let router = if setup.protected.is_empty() {
            self
        } else {
            self.layer(RequireAuthLayer::only_under(setup.protected))
        };
        let router = setup
            .guarded
            .into_iter()
            .fold(router, |router, (prefixes, requirement)| {
                router.layer(RequireAuthLayer::only_under(prefixes).require(requirement))
            });
        let router = if setup.private_pages {
            router.layer(axum::middleware::map_response(mark_html_private))
        } else {
            router
        };
        // Later layers wrap earlier ones: AmplifyLayer is outermost, so the others find the context.
        router
            .layer(axum::middleware::from_fn(refuse_cross_site))
            .layer(
                AmplifyLayer::new(setup.runner)
                    .sign_in_path(setup.sign_in_path.as_str())
                    .refresh_eagerly(),
            )
    }
}

/// `Cache-Control: private, no-store` on an HTML response (a rendered page), unless it is marked
/// [`SessionIndependent`](amplify_ssr::SessionIndependent).
async fn mark_html_private(mut response: axum::response::Response) -> axum::response::Response {
    let html = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if html
        && response
            .extensions()
            .get::<amplify_ssr::SessionIndependent>()
            .is_none()
    {
        response.headers_mut().insert(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("private, no-store"),
        );
    }
    response
}
