//! [`ServerRunner`], built once per process by its [`ServerRunnerBuilder`], and the per-request contexts it
//! creates.
//!
//! The runner owns everything that may be shared between requests: the parsed configuration, one HTTP client,
//! the cookie settings, the application origin, and (with a user pool) the [`AuthRuntime`]: JWKS cache and token
//! verifier, the refresh coordinator that makes concurrent requests carrying the same refresh token share one
//! Cognito call, and the list of sessions signed out through it (see [`crate::auth`]). Everything per request is
//! in the [`ServerContext`] (see [`crate::context`]).

mod builder;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use http::HeaderMap;

pub use builder::{
    ENV_COOKIE_SECRET, ENV_REDIS_PREFIX, ENV_REDIS_TIMEOUT_MS, ENV_REDIS_URL, ServerRunnerBuilder,
};

use crate::auth::runtime::AuthRuntime;
use crate::config::{AmplifyConfig, AppOrigin, ConfigError};
use crate::context::{ContextKind, ServerContext};
use crate::cookies::{
    CookieAttributes, CookieMode, CookieOptions, RequestCookies, token_cookie_attributes,
};

/// Built once per process from an [`AmplifyConfig`]; creates a [`ServerContext`] per request.
///
/// Cheap to clone (an `Arc` inside).
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use amplify_ssr::{AmplifyConfig, ServerRunner};
///
/// let config = AmplifyConfig::from_path("amplify_outputs.json")?;
/// let runner = ServerRunner::builder(config).build()?;
///
/// // Per request (normally done for you by the axum layer):
/// let headers = http::HeaderMap::new();
/// let ctx = runner.context(&headers);
/// let session = amplify_ssr::fetch_auth_session(&ctx, Default::default()).await?;
/// println!("signed in: {}", session.tokens.is_some());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ServerRunner {
    inner: Arc<RunnerInner>,
}

#[derive(Debug)]
struct RunnerInner {
    config: AmplifyConfig,
    http: reqwest::Client,
    cookie_mode: CookieMode,
    cookie_options: CookieOptions,
    /// False only with [`ServerRunnerBuilder::insecure_cookies_for_local_http`].
    secure_cookies: bool,
    auth: Option<AuthRuntime>,
    app_origin: Option<AppOrigin>,
}

impl ServerRunner {
    /// Starts building a runner for `config`.
    ///
    /// Endpoint overrides are applied in this order, later ones winning: the `custom.amplify_ssr.endpoints`
    /// block of the outputs file, the `AMPLIFY_SSR_*` environment variables (unless
    /// [`ServerRunnerBuilder::ignore_env`] is called), then the builder's own setters.
    pub fn builder(config: AmplifyConfig) -> ServerRunnerBuilder {
        ServerRunnerBuilder::new(config)
    }

    /// The configuration this runner was built with (overrides applied).
    #[must_use]
    pub fn config(&self) -> &AmplifyConfig {
        &self.inner.config
    }

    /// The cookie mode: JS-readable cookies (the default) or HttpOnly server-side auth.
    #[must_use]
    pub fn cookie_mode(&self) -> CookieMode {
        self.inner.cookie_mode
    }

    /// The runtime cookie options (domain, SameSite, lifetime).
    #[must_use]
    pub fn cookie_options(&self) -> &CookieOptions {
        &self.inner.cookie_options
    }

    /// The application's public origin, from [`ServerRunnerBuilder::app_origin`] or `AMPLIFY_APP_ORIGIN`; `None`
    /// when neither is set. The server-side sign-in routes ([`crate::auth::routes`]) need it.
    #[must_use]
    pub fn app_origin(&self) -> Option<&AppOrigin> {
        self.inner.app_origin.as_ref()
    }

    /// The HTTP client shared by every outbound call.
    #[must_use]
    pub fn http_client(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// A context for a request whose response can still carry headers: cookie writes become `Set-Cookie`.
    #[must_use]
    pub fn context(&self, request_headers: &HeaderMap) -> ServerContext {
        ServerContext::new(
            self.clone(),
            ContextKind::RequestResponse,
            RequestCookies::from_headers(request_headers),
        )
    }

    /// A context for a render that can no longer set headers (the response is already streaming): cookie writes
    /// are visible to later reads in the same context but are dropped, with a `tracing` warning.
    #[must_use]
    pub fn read_only_context(&self, request_headers: &HeaderMap) -> ServerContext {
        ServerContext::new(
            self.clone(),
            ContextKind::ReadOnly,
            RequestCookies::from_headers(request_headers),
        )
    }

    /// A context with no request at all (static rendering, build time): guest access only.
    #[must_use]
    pub fn static_context(&self) -> ServerContext {
        ServerContext::new(self.clone(), ContextKind::Static, RequestCookies::default())
    }

    /// The user-pool runtime, or the reason there is none.
    pub(crate) fn auth_runtime(&self) -> Result<&AuthRuntime, ConfigError> {
        match &self.inner.auth {
            Some(auth) => Ok(auth),
            None => Err(self
                .inner
                .config
                .auth()
                .err()
                .unwrap_or_else(ConfigError::auth_not_configured)),
        }
    }

    /// The user-pool runtime, when the configuration has a user pool.
    pub(crate) fn auth(&self) -> Option<&AuthRuntime> {
        self.inner.auth.as_ref()
    }

    /// The attributes of the session cookies this runner writes: the mode's and the options', without `Secure`
    /// after [`ServerRunnerBuilder::insecure_cookies_for_local_http`].
    pub(crate) fn token_cookie_attributes(&self) -> CookieAttributes {
        let mut attributes =
            token_cookie_attributes(self.inner.cookie_mode, &self.inner.cookie_options);
        if !self.inner.secure_cookies {
            attributes.secure = false;
        }
        attributes
    }
}
