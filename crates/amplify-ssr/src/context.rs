//! [`ServerRunner`] (built once per process) and [`ServerContext`] (one per request).
//!
//! The runner owns everything that may be shared between requests: the parsed configuration, one HTTP client,
//! the JWKS cache and token verifier, the refresh coordinator that makes concurrent requests carrying the
//! same refresh token share one Cognito call, and the list of sessions signed out through it
//! (see [`crate::auth`]). Nothing else is shared: a context holds only its request's cookies
//! and the cookie writes made while handling it, so the library stays stateless across requests (apart from
//! caches) and is safe behind a load balancer.
//!
//! # Context kinds
//!
//! | kind | reads | writes |
//! |---|---|---|
//! | [`ContextKind::RequestResponse`] | request cookies, then this request's own writes | become `Set-Cookie` headers |
//! | [`ContextKind::ReadOnly`] | request cookies, then this request's own writes | kept for later reads in the same request, never sent; a `tracing` warning says so |
//! | [`ContextKind::Static`] | nothing (no request) | kept in the context only; guest access only |
//!
//! Unlike the Next.js adapter, reads see the writes made earlier in the same context, so one request never
//! refreshes a session twice.
//!
//! # Caching
//!
//! A response whose content depended on the session must never be stored by a cache: not by a shared cache,
//! which would hand one user's page to another, and not by the browser, whose Back button would show a
//! signed-out user's pages again. So the context records every read of a session cookie (the user pool's
//! token keys, `LastAuthUser`, the guest identity id), whoever made it: the session APIs
//! ([`fetch_auth_session`](crate::fetch_auth_session), [`get_current_user`](crate::get_current_user),
//! [`fetch_user_attributes`](crate::fetch_user_attributes), Data and Storage calls with the user's session),
//! the axum extractors and `RequireAuthLayer`, or [`ServerContext::cookie`]. A read counts even when the
//! request carried no session: a signed-out page depends on the session too. Then
//! [`ServerContext::apply_to_response`] (which the axum layer calls) sets `Cache-Control: private, no-store`,
//! replacing any `Cache-Control` the handler set.
//!
//! The way out, for a response that read the session but whose content does not depend on it: put
//! [`SessionIndependent`] in the response's extensions. The handler's own `Cache-Control` (or none) then stands.
//! It does not cover a response that changes session cookies: `Set-Cookie` with tokens is always
//! `private, no-store`.
//!
//! No `Vary: Cookie` is added: `no-store` already keeps every cache from storing the response, and a response
//! marked [`SessionIndependent`] is by definition the same for every cookie.
//!
//! Only a [`ContextKind::RequestResponse`] context sets the header. A read-only context serves a response whose
//! headers are already gone: a streaming page that reads the session there must send
//! `Cache-Control: private, no-store` itself, or read the session in middleware first.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use http::{HeaderMap, HeaderValue};

use crate::auth::identity::{IdentityOptions, IdentityRuntime};
use crate::auth::refresh::RefreshCoordinator;
use crate::auth::refresh_limits::{RefreshLimits, RefreshOptions};
use crate::auth::revocations::RevokedSessions;
use crate::auth::routes::AppOrigin;
use crate::cognito::{CognitoClient, IdentityClient};
use crate::config::{AmplifyConfig, AuthConfig, ConfigError};
use crate::cookies::{
    CookieAttributes, CookieMode, CookieOptions, RequestCookies, identity_id_key,
    is_server_auth_writable, removal, set_cookie, token_cookie_attributes,
};
use crate::jwt::{JwksCache, TokenUse, TokenVerifier, VerifiedJwt, VerifyError};

/// How many verified tokens the runner remembers (a bounded map keyed by a hash of the token).
const VERIFIED_TOKEN_CACHE_CAPACITY: usize = 10_000;

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
    secure_cookies: bool,
    auth: Option<AuthRuntime>,
    app_origin: Option<AppOrigin>,
}

/// The parts of the runner that exist only when the configuration has a user pool.
#[derive(Debug)]
pub(crate) struct AuthRuntime {
    pub(crate) config: AuthConfig,
    pub(crate) verifier: TokenVerifier,
    pub(crate) cognito: CognitoClient,
    pub(crate) refresher: RefreshCoordinator,
    /// Sessions signed out through this runner, refused until their tokens expire.
    pub(crate) revoked_sessions: RevokedSessions,
    /// Identity-pool credentials and their cache; `None` without `auth.identity_pool_id`.
    pub(crate) identity: Option<IdentityRuntime>,
}

/// Builds a [`ServerRunner`]. Obtain one with [`ServerRunner::builder`].
#[derive(Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ServerRunnerBuilder {
    config: AmplifyConfig,
    read_env: bool,
    http: Option<reqwest::Client>,
    cookie_mode: CookieMode,
    /// Whether `cookie_mode` / `http_only_cookies` was called (an app origin then leaves the mode alone).
    cookie_mode_explicit: bool,
    cookie_options: CookieOptions,
    secure_cookies: bool,
    jwks_min_refetch_interval: Option<Duration>,
    endpoints: BuilderEndpoints,
    endpoint_errors: Vec<ConfigError>,
    app_origin: Option<String>,
    identity: IdentityOptions,
    refresh: RefreshOptions,
}

/// Environment variable holding the application's public origin (see [`ServerRunnerBuilder::app_origin`]).
pub const ENV_APP_ORIGIN: &str = "AMPLIFY_APP_ORIGIN";

/// Endpoint overrides set on the builder; applied after the environment so they win over it.
#[derive(Debug, Default)]
struct BuilderEndpoints {
    user_pool: Option<url::Url>,
    identity_pool: Option<url::Url>,
    oauth: Option<url::Url>,
    jwks_url: Option<url::Url>,
    token_issuer: Option<String>,
    storage: Option<url::Url>,
}

impl ServerRunner {
    /// Starts building a runner for `config`.
    ///
    /// Endpoint overrides are applied in this order, later ones winning: the `custom.amplify_ssr.endpoints`
    /// block of the outputs file, the `AMPLIFY_SSR_*` environment variables (unless
    /// [`ServerRunnerBuilder::ignore_env`] is called), then the builder's own setters.
    pub fn builder(config: AmplifyConfig) -> ServerRunnerBuilder {
        ServerRunnerBuilder {
            config,
            read_env: true,
            http: None,
            cookie_mode: CookieMode::JsReadable,
            cookie_mode_explicit: false,
            cookie_options: CookieOptions::default(),
            secure_cookies: true,
            jwks_min_refetch_interval: None,
            endpoints: BuilderEndpoints::default(),
            endpoint_errors: Vec::new(),
            app_origin: None,
            identity: IdentityOptions::default(),
            refresh: RefreshOptions::default(),
        }
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
}

impl ServerRunnerBuilder {
    /// Do not read the `AMPLIFY_SSR_*` environment variables.
    pub fn ignore_env(mut self) -> Self {
        self.read_env = false;
        self
    }

    /// Use this HTTP client for every outbound call (Cognito, JWKS). By default the runner builds one with
    /// connect and request timeouts and no redirects.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Runtime cookie options: domain, SameSite, expires / max-age.
    pub fn cookie_options(mut self, options: CookieOptions) -> Self {
        self.cookie_options = options;
        self
    }

    /// Write token cookies as HttpOnly (server-side auth mode). `secure` should be true whenever the app is
    /// served over https. In this mode, as upstream, only the access, id and refresh token cookies and
    /// `LastAuthUser` are written; browser-side Amplify can no longer read the session.
    pub fn http_only_cookies(mut self, secure: bool) -> Self {
        self.cookie_mode = CookieMode::ServerAuth { secure };
        self.cookie_mode_explicit = true;
        self
    }

    /// Leave `Secure` off the session cookies. **Only for local development over plain http**: Safari and
    /// WebKit drop `Secure` cookies on `http://` origins, even on localhost (amplify-js #13513), so a dev server
    /// on `http://127.0.0.1` signs users in but never sees the session. Never use this in production.
    pub fn insecure_cookies_for_local_http(mut self) -> Self {
        self.secure_cookies = false;
        self
    }

    /// Sets the cookie mode directly.
    pub fn cookie_mode(mut self, mode: CookieMode) -> Self {
        self.cookie_mode = mode;
        self.cookie_mode_explicit = true;
        self
    }

    /// The application's public origin, e.g. `https://app.example.com`, for the server-side sign-in routes
    /// ([`crate::auth::routes`]). Wins over the `AMPLIFY_APP_ORIGIN` environment variable, which is read when the
    /// builder reads the environment (empty values are ignored).
    ///
    /// The value is validated by [`AppOrigin::parse`] when [`build`](Self::build) runs (upper case is
    /// normalised, one trailing slash is trimmed; a path, query, fragment or user info is an error).
    ///
    /// **Setting an origin switches the token cookies to server-side-auth mode** (`HttpOnly`, `SameSite=Strict`
    /// unless the cookie options say otherwise, `Secure` iff the origin is https), as upstream does, unless
    /// [`cookie_mode`](Self::cookie_mode) or [`http_only_cookies`](Self::http_only_cookies) was called: an
    /// explicit mode always wins. Upstream flips the whole process silently when the variable is present; here the
    /// switch is documented, per runner, and can be overridden. Browser-side Amplify can no longer read an
    /// HttpOnly session, so only set an origin when the server owns sign-in.
    pub fn app_origin(mut self, origin: &str) -> Self {
        self.app_origin = Some(origin.to_owned());
        self
    }

    /// How many identity-pool credentials the runner caches (default
    /// [`DEFAULT_CREDENTIALS_CACHE_CAPACITY`](crate::auth::DEFAULT_CREDENTIALS_CACHE_CAPACITY), 10 000). When
    /// full, expired entries are dropped first, then the oldest. `0` turns caching off (concurrent requests
    /// still share one fetch). See [`crate::auth::identity`].
    pub fn credentials_cache_capacity(mut self, capacity: usize) -> Self {
        self.identity.cache_capacity = capacity;
        self
    }

    /// How long before they expire cached identity-pool credentials are replaced (default
    /// [`DEFAULT_CREDENTIALS_REFRESH_MARGIN`](crate::auth::DEFAULT_CREDENTIALS_REFRESH_MARGIN), 5 minutes), so
    /// credentials handed out always have at least this much lifetime left.
    pub fn credentials_refresh_margin(mut self, margin: Duration) -> Self {
        self.identity.refresh_margin = margin;
        self
    }

    /// In server-side-auth (HttpOnly) mode, keep the guest identity id in its cookie too, as an HttpOnly cookie.
    /// Upstream never writes it in that mode (and neither does this library by default), so guests without the
    /// cookie get a new identity, and two Cognito Identity calls, on every request. An HttpOnly copy hides the
    /// cookie from browser-side Amplify, so only enable this when the browser does not fetch guest credentials
    /// itself.
    pub fn http_only_guest_identity_cookie(mut self) -> Self {
        self.identity.http_only_guest_cookie = true;
        self
    }

    /// The most time a token refresh may take in all (default
    /// [`DEFAULT_REFRESH_TIMEOUT`](crate::auth::DEFAULT_REFRESH_TIMEOUT), 10 s): the wait for a free refresh slot
    /// (see [`max_concurrent_refreshes`](Self::max_concurrent_refreshes)), every attempt and the backoff between
    /// them. A refresh that runs out of time is a transient error: the request gets `503` from the axum
    /// integration, the session cookies are kept, and a later request starts a new refresh. Keep it under your
    /// reverse proxy's timeout. Zero is refused by [`build`](Self::build).
    pub fn refresh_timeout(mut self, timeout: Duration) -> Self {
        self.refresh.timeout = timeout;
        self
    }

    /// How many token refresh calls this runner sends to Cognito at once (default
    /// [`DEFAULT_REFRESH_CONCURRENCY`](crate::auth::DEFAULT_REFRESH_CONCURRENCY), 16). Further refreshes wait for a
    /// free slot in arrival order, within their [`refresh_timeout`](Self::refresh_timeout); requests carrying the
    /// same refresh token share one call and one slot. Zero is refused by [`build`](Self::build).
    pub fn max_concurrent_refreshes(mut self, limit: usize) -> Self {
        self.refresh.max_concurrent = limit;
        self
    }

    /// How often, at most, an unknown `kid` may trigger a JWKS re-fetch (default 60 s).
    pub fn jwks_min_refetch_interval(mut self, interval: Duration) -> Self {
        self.jwks_min_refetch_interval = Some(interval);
        self
    }

    /// Overrides the Cognito user-pool API endpoint (e.g. `http://127.0.0.1:4000/`).
    pub fn user_pool_endpoint(self, url: &str) -> Self {
        self.endpoint(url, |endpoints, url| endpoints.user_pool = Some(url))
    }

    /// Overrides the Cognito identity-pool API endpoint.
    pub fn identity_pool_endpoint(self, url: &str) -> Self {
        self.endpoint(url, |endpoints, url| endpoints.identity_pool = Some(url))
    }

    /// Overrides the managed-login / OAuth base URL, scheme included.
    pub fn oauth_base_url(self, url: &str) -> Self {
        self.endpoint(url, |endpoints, url| endpoints.oauth = Some(url))
    }

    /// Overrides where the user pool's JWKS is fetched from.
    pub fn jwks_url(self, url: &str) -> Self {
        self.endpoint(url, |endpoints, url| endpoints.jwks_url = Some(url))
    }

    /// Overrides the S3 endpoint used by [`crate::storage`] (e.g. `http://127.0.0.1:9000`): requests go
    /// path-style to `{endpoint}/{bucket}/{key}`, scheme and port kept.
    pub fn storage_endpoint(self, url: &str) -> Self {
        self.endpoint(url, |endpoints, url| endpoints.storage = Some(url))
    }

    /// Overrides the `iss` claim tokens must carry.
    pub fn token_issuer(mut self, issuer: &str) -> Self {
        self.endpoints.token_issuer = Some(issuer.to_owned());
        self
    }

    fn endpoint(mut self, url: &str, apply: impl FnOnce(&mut BuilderEndpoints, url::Url)) -> Self {
        match url::Url::parse(url) {
            Ok(parsed)
                if matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some() =>
            {
                apply(&mut self.endpoints, parsed);
            }
            _ => self.endpoint_errors.push(ConfigError::invalid_endpoint(
                "ServerRunnerBuilder",
                url,
                "an absolute http(s) URL with a host, e.g. http://127.0.0.1:4000/",
            )),
        }
        self
    }

    /// Builds the runner. No network call happens here: the JWKS is fetched on first use.
    ///
    /// # Errors
    ///
    /// An invalid endpoint override or environment variable, or refresh limits under which no refresh could
    /// succeed.
    pub fn build(mut self) -> Result<ServerRunner, ConfigError> {
        if let Some(error) = self.endpoint_errors.into_iter().next() {
            return Err(error);
        }
        self.refresh.validate()?;
        if self.read_env {
            self.config.apply_env()?;
        }
        let BuilderEndpoints {
            user_pool,
            identity_pool,
            oauth,
            jwks_url,
            token_issuer,
            storage,
        } = self.endpoints;
        let mut config = self.config;
        if let Some(url) = user_pool {
            config = config.with_user_pool_endpoint(url);
        }
        if let Some(url) = identity_pool {
            config = config.with_identity_pool_endpoint(url);
        }
        if let Some(url) = oauth {
            config = config.with_oauth_base_url(url);
        }
        if let Some(url) = jwks_url {
            config = config.with_jwks_url(url);
        }
        if let Some(issuer) = token_issuer {
            config = config.with_token_issuer(issuer);
        }
        if let Some(url) = storage {
            config = config.with_storage_endpoint(url);
        }
        self.config = config;
        let app_origin = match self.app_origin.as_deref() {
            Some(text) => Some(parse_app_origin("ServerRunnerBuilder::app_origin", text)?),
            None if self.read_env => match std::env::var(ENV_APP_ORIGIN) {
                Ok(text) if !text.trim().is_empty() => {
                    Some(parse_app_origin(ENV_APP_ORIGIN, &text)?)
                }
                _ => None,
            },
            None => None,
        };
        if let Some(origin) = &app_origin
            && !self.cookie_mode_explicit
        {
            self.cookie_mode = CookieMode::ServerAuth {
                secure: origin.is_https(),
            };
        }
        let http = match self.http {
            Some(client) => client,
            None => default_http_client()?,
        };
        let auth = match &self.config.auth {
            Some(auth_config) => {
                let jwks_url = self.config.jwks_url()?;
                let mut jwks = JwksCache::new(http.clone(), jwks_url);
                if let Some(interval) = self.jwks_min_refetch_interval {
                    jwks = jwks.with_min_refetch_interval(interval);
                }
                // Repeated requests with the same cookies skip the RSA verification (claims are re-checked).
                let verifier = TokenVerifier::new(
                    Arc::new(jwks),
                    self.config.token_issuer()?,
                    auth_config.user_pool_client_id.clone(),
                )
                .with_verified_cache(VERIFIED_TOKEN_CACHE_CAPACITY);
                let cognito = CognitoClient::new(http.clone(), self.config.user_pool_endpoint()?);
                let identity = match &auth_config.identity_pool_id {
                    Some(pool_id) => Some(IdentityRuntime::new(
                        IdentityClient::new(http.clone(), self.config.identity_pool_endpoint()?),
                        pool_id.clone(),
                        auth_config.allow_guest_access,
                        &self.identity,
                    )),
                    None => None,
                };
                Some(AuthRuntime {
                    config: auth_config.clone(),
                    verifier,
                    cognito,
                    refresher: RefreshCoordinator::new(RefreshLimits::new(self.refresh)),
                    revoked_sessions: RevokedSessions::default(),
                    identity,
                })
            }
            None => None,
        };
        Ok(ServerRunner {
            inner: Arc::new(RunnerInner {
                config: self.config,
                http,
                cookie_mode: self.cookie_mode,
                cookie_options: self.cookie_options,
                secure_cookies: self.secure_cookies,
                auth,
                app_origin,
            }),
        })
    }
}

/// Parses an application origin, reporting a bad value as a configuration error naming its source.
fn parse_app_origin(source: &str, text: &str) -> Result<AppOrigin, ConfigError> {
    AppOrigin::parse(text).map_err(|e| ConfigError::Invalid {
        path: source.to_owned(),
        expected: "the application's origin: http(s), a host and an optional port, nothing else".to_owned(),
        found: format!("`{}` ({})", e.value, e.problem),
        fix: "write it like `https://app.example.com` or `http://localhost:3000` (no path, query or fragment)"
            .to_owned(),
    })
}

fn default_http_client() -> Result<reqwest::Client, ConfigError> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| ConfigError::http_client(e.to_string()))
}

/// Which kind of request a [`ServerContext`] serves. See the [module docs](self).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContextKind {
    /// Request and response: writes become `Set-Cookie`.
    RequestResponse,
    /// A render that can no longer set headers: writes are dropped with a warning.
    ReadOnly,
    /// No request at all: guest access only.
    Static,
}

/// One request's view of the session cookies, and the cookie writes made while handling it.
///
/// Cheap to clone; clones share the same pending writes.
#[derive(Clone)]
pub struct ServerContext {
    inner: Arc<ContextInner>,
}

/// Prints the kind and the cookie *names* only: values are tokens.
impl std::fmt::Debug for ServerContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let writes = self.writes();
        f.debug_struct("ServerContext")
            .field("kind", &self.inner.kind)
            .field(
                "request_cookies",
                &self
                    .inner
                    .request
                    .iter()
                    .map(|(name, _)| name)
                    .collect::<Vec<_>>(),
            )
            .field("pending_writes", &writes.order)
            .finish_non_exhaustive()
    }
}

struct ContextInner {
    runner: ServerRunner,
    kind: ContextKind,
    request: RequestCookies,
    writes: Mutex<Writes>,
    /// Tokens already verified in this request (with the use they were verified for), so several session
    /// reads cost one verification each.
    verified: Mutex<Vec<(String, TokenUse, VerifiedJwt)>>,
    /// Whether a session cookie was read: the response then depends on the session (see the module docs).
    session_read: AtomicBool,
}

/// Marks a response whose content does not depend on the session although the handler read it, so the
/// [`ServerContext`] leaves its `Cache-Control` alone. See the [module docs](self#caching).
///
/// Put it in the response's extensions (`response.extensions_mut().insert(SessionIndependent)`); with axum,
/// return it as a response part: `(SessionIndependent, Html(page))`. Only use it when every visitor, signed in or
/// not, gets the same content: a page that greets the user by name is not session-independent. It has no effect
/// when the request changed session cookies (a refresh, a sign-out): those responses are always
/// `private, no-store`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionIndependent;

/// Cookie writes, keyed by raw name: the last write to a name wins, as in a browser's jar.
#[derive(Default)]
struct Writes {
    order: Vec<String>,
    values: HashMap<String, Write>,
    auth_changed: bool,
    /// Names whose writes are kept for reads in this context but never sent (the guest identity cookie in
    /// server-side-auth mode).
    unsent: std::collections::HashSet<String>,
}

#[derive(Clone)]
enum Write {
    Set {
        value: String,
        attributes: CookieAttributes,
    },
    Remove {
        attributes: CookieAttributes,
    },
}

impl ServerContext {
    fn new(runner: ServerRunner, kind: ContextKind, request: RequestCookies) -> Self {
        Self {
            inner: Arc::new(ContextInner {
                runner,
                kind,
                request,
                writes: Mutex::new(Writes::default()),
                verified: Mutex::new(Vec::new()),
                session_read: AtomicBool::new(false),
            }),
        }
    }

    /// The runner this context belongs to.
    #[must_use]
    pub fn runner(&self) -> &ServerRunner {
        &self.inner.runner
    }

    /// The kind of context.
    #[must_use]
    pub fn kind(&self) -> ContextKind {
        self.inner.kind
    }

    /// Reads a cookie by its raw (unencoded) name, seeing this context's own earlier writes first.
    ///
    /// Reading a session cookie (present or not) makes the response session-dependent: see the
    /// [module docs](self#caching).
    #[must_use]
    pub fn cookie(&self, raw_name: &str) -> Option<String> {
        if is_session_key(raw_name, &self.inner.runner) {
            self.inner.session_read.store(true, Ordering::Relaxed);
        }
        self.lookup(raw_name)
    }

    /// True when this context read the session: the response's content depended on it, so no cache may
    /// store it. See the [module docs](self#caching).
    #[must_use]
    pub fn session_was_read(&self) -> bool {
        self.inner.session_read.load(Ordering::Relaxed)
    }

    /// The cookie's current value (this context's writes first) without recording a session read.
    fn lookup(&self, raw_name: &str) -> Option<String> {
        if let Some(write) = self.writes().values.get(raw_name) {
            return match write {
                Write::Set { value, .. } => Some(value.clone()),
                Write::Remove { .. } => None,
            };
        }
        self.inner.request.get(raw_name).map(str::to_owned)
    }

    /// Every copy of a cookie the request carried, in the order sent (see [`RequestCookies::get_all`]); after a
    /// write in this context, only the written value (none after a removal).
    ///
    /// Like [`cookie`](Self::cookie), reading a session cookie this way records a session read.
    pub(crate) fn cookie_copies(&self, raw_name: &str) -> Vec<String> {
        if is_session_key(raw_name, &self.inner.runner) {
            self.inner.session_read.store(true, Ordering::Relaxed);
        }
        if let Some(write) = self.writes().values.get(raw_name) {
            return match write {
                Write::Set { value, .. } => vec![value.clone()],
                Write::Remove { .. } => Vec::new(),
            };
        }
        self.inner
            .request
            .get_all(raw_name)
            .map(str::to_owned)
            .collect()
    }

    /// Sets a session cookie with the runner's token-cookie attributes.
    pub(crate) fn set_auth_cookie(&self, raw_name: &str, value: &str) {
        let attributes = self.token_attributes();
        self.write(
            raw_name,
            Write::Set {
                value: value.to_owned(),
                attributes,
            },
        );
    }

    /// Removes a session cookie (with matching Path/Domain so the browser drops it).
    pub(crate) fn remove_auth_cookie(&self, raw_name: &str) {
        if self.lookup(raw_name).is_none() && !self.inner.request.contains(raw_name) {
            return;
        }
        let attributes = self.token_attributes();
        self.write(raw_name, Write::Remove { attributes });
    }

    /// Sets the guest identity-id cookie with the token-cookie attributes. With `send` false the value is only
    /// remembered for later reads in this context (server-side-auth mode, where upstream never writes it).
    pub(crate) fn set_identity_cookie(&self, raw_name: &str, value: &str, send: bool) {
        let attributes = self.token_attributes();
        self.write_identity(
            raw_name,
            Write::Set {
                value: value.to_owned(),
                attributes,
            },
            send,
        );
    }

    /// Removes the guest identity-id cookie (when present); with `send` false only for this context's reads.
    pub(crate) fn remove_identity_cookie(&self, raw_name: &str, send: bool) {
        if self.lookup(raw_name).is_none() && !self.inner.request.contains(raw_name) {
            return;
        }
        let attributes = self.token_attributes();
        self.write_identity(raw_name, Write::Remove { attributes }, send);
    }

    fn write_identity(&self, raw_name: &str, write: Write, send: bool) {
        self.write(raw_name, write);
        let mut writes = self.writes();
        if send {
            writes.unsent.remove(raw_name);
            // A per-browser identity: a shared cache must not store the response.
            writes.auth_changed = true;
        } else {
            writes.unsent.insert(raw_name.to_owned());
        }
    }

    /// Sets any cookie with explicit attributes (used by flows that need other attributes than tokens).
    pub fn set_cookie(&self, raw_name: &str, value: &str, attributes: CookieAttributes) {
        self.write(
            raw_name,
            Write::Set {
                value: value.to_owned(),
                attributes,
            },
        );
    }

    /// Removes any cookie, with the Path/Domain given in `attributes`.
    pub fn remove_cookie(&self, raw_name: &str, attributes: CookieAttributes) {
        self.write(raw_name, Write::Remove { attributes });
    }

    fn token_attributes(&self) -> CookieAttributes {
        let runner = &self.inner.runner.inner;
        let mut attributes = token_cookie_attributes(runner.cookie_mode, &runner.cookie_options);
        if !runner.secure_cookies {
            attributes.secure = false;
        }
        attributes
    }

    /// Whether a write to `raw_name` may become a `Set-Cookie`. In server-side-auth mode only the token
    /// cookies and LastAuthUser are sent, as upstream: the other keys are client-side bookkeeping that HttpOnly
    /// cookies would hide from the browser anyway. Filtered writes still count for reads in this context, and
    /// removals are always sent.
    fn is_emitted(&self, raw_name: &str) -> bool {
        !(matches!(
            self.inner.runner.cookie_mode(),
            CookieMode::ServerAuth { .. }
        ) && is_auth_key(raw_name, &self.inner.runner)
            && !is_server_auth_writable(raw_name))
    }

    fn write(&self, raw_name: &str, write: Write) {
        match self.inner.kind {
            ContextKind::ReadOnly => {
                tracing::warn!(
                    cookie = raw_name,
                    "cookie write in a read-only context is dropped (the response can no longer carry \
                     Set-Cookie); refresh the session in middleware so the browser receives the new cookies"
                );
            }
            ContextKind::Static | ContextKind::RequestResponse => {}
        }
        let mut writes = self.writes();
        if is_auth_key(raw_name, &self.inner.runner) {
            writes.auth_changed = true;
        }
        if !writes.values.contains_key(raw_name) {
            writes.order.push(raw_name.to_owned());
        }
        writes.values.insert(raw_name.to_owned(), write);
    }

    /// True when this context changed a session cookie (the response should then not be cached).
    #[must_use]
    pub fn auth_cookies_changed(&self) -> bool {
        self.inner.kind == ContextKind::RequestResponse && self.writes().auth_changed
    }

    /// The `Set-Cookie` header values for the writes made so far, in write order. Empty for read-only and
    /// static contexts. Calling it again returns the same headers: writes are not consumed.
    #[must_use]
    pub fn set_cookie_headers(&self) -> Vec<HeaderValue> {
        if self.inner.kind != ContextKind::RequestResponse {
            return Vec::new();
        }
        let writes = self.writes();
        writes
            .order
            .iter()
            .filter_map(|name| {
                if writes.unsent.contains(name) {
                    return None;
                }
                let line = match writes.values.get(name)? {
                    // Removals always go out: they clean up what a browser-side client left behind.
                    Write::Set { .. } if !self.is_emitted(name) => return None,
                    Write::Set { value, attributes } => set_cookie(name, value, attributes),
                    Write::Remove { attributes } => removal(name, attributes),
                };
                match HeaderValue::from_str(&line) {
                    Ok(value) => Some(value),
                    Err(_) => {
                        tracing::error!(cookie = %name, "a Set-Cookie line was not a valid header value; dropped");
                        None
                    }
                }
            })
            .collect()
    }

    /// Appends this context's `Set-Cookie` headers to `response` and, when the response must not be cached,
    /// sets `Cache-Control: private, no-store` (replacing the handler's): when a session cookie changed, or when
    /// the session was read and the response does not carry [`SessionIndependent`] in its extensions. See the
    /// [module docs](self#caching). The axum layer calls this for every response.
    pub fn apply_to_response<B>(&self, response: &mut http::Response<B>) {
        let independent = response.extensions().get::<SessionIndependent>().is_some();
        self.apply(response.headers_mut(), independent);
    }

    /// Like [`apply_to_response`](Self::apply_to_response) for a response whose extensions are not at hand: the
    /// `Set-Cookie` headers, and `Cache-Control: private, no-store` when a session cookie changed or the session
    /// was read (there is no way out here).
    pub fn apply_to_response_headers(&self, headers: &mut HeaderMap) {
        self.apply(headers, false);
    }

    fn apply(&self, headers: &mut HeaderMap, session_independent: bool) {
        for value in self.set_cookie_headers() {
            headers.append(http::header::SET_COOKIE, value);
        }
        if self.inner.kind != ContextKind::RequestResponse {
            return;
        }
        let depends_on_session = self.session_was_read() && !session_independent;
        if self.auth_cookies_changed() || depends_on_session {
            // Deliberately wins over the handler's own Cache-Control (see the module docs).
            headers.insert(
                http::header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
        }
    }

    /// Verifies `token` with the runner's verifier, remembering the result for the rest of this request.
    pub(crate) async fn verify_token(
        &self,
        verifier: &TokenVerifier,
        token: &str,
        expected: TokenUse,
        now: std::time::SystemTime,
    ) -> Result<VerifiedJwt, VerifyError> {
        let remembered = {
            let verified = self
                .inner
                .verified
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            verified
                .iter()
                .find(|(raw, used_as, _)| *used_as == expected && raw == token)
                .map(|(_, _, v)| v.clone())
        };
        if let Some(verified) = remembered {
            return Ok(verified);
        }
        let verified = verifier.verify(token, expected, now).await?;
        self.inner
            .verified
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((token.to_owned(), expected, verified.clone()));
        Ok(verified)
    }

    fn writes(&self) -> MutexGuard<'_, Writes> {
        // A panic while holding this lock cannot leave the map half-updated in a harmful way, so recover.
        self.inner
            .writes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Whether reading `raw_name` reads the session: a user-pool key of this runner's app client, or the guest
/// identity id of its identity pool (per browser, so content built with it is private too).
fn is_session_key(raw_name: &str, runner: &ServerRunner) -> bool {
    is_auth_key(raw_name, runner)
        || runner.inner.auth.as_ref().is_some_and(|auth| {
            auth.config
                .identity_pool_id
                .as_deref()
                .is_some_and(|pool| identity_id_key(pool) == raw_name)
        })
}

/// Whether a raw cookie name belongs to the Amplify session of this runner's app client.
fn is_auth_key(raw_name: &str, runner: &ServerRunner) -> bool {
    match &runner.inner.auth {
        Some(auth) => raw_name
            .strip_prefix("CognitoIdentityServiceProvider.")
            .and_then(|rest| rest.strip_prefix(auth.config.user_pool_client_id.as_str()))
            .is_some_and(|rest| rest.starts_with('.')),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUTS: &str = r#"{"version":"1.4","auth":{"aws_region":"us-east-1",
        "user_pool_id":"us-east-1_Pool","user_pool_client_id":"client1"}}"#;

    fn runner(configure: impl FnOnce(ServerRunnerBuilder) -> ServerRunnerBuilder) -> ServerRunner {
        let config = AmplifyConfig::from_json(OUTPUTS).expect("config");
        configure(ServerRunner::builder(config).ignore_env())
            .build()
            .expect("runner")
    }

    fn headers(cookie: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            HeaderValue::from_str(cookie).expect("header"),
        );
        headers
    }

    const LAST: &str = "CognitoIdentityServiceProvider.client1.LastAuthUser";
    const DRIFT: &str = "CognitoIdentityServiceProvider.client1.alice.clockDrift";

    #[test]
    fn reads_see_earlier_writes_and_removals() {
        let ctx = runner(|b| b).context(&headers(&format!("{LAST}=alice; other=1")));
        assert_eq!(ctx.cookie(LAST).as_deref(), Some("alice"));
        ctx.set_auth_cookie(LAST, "bob");
        assert_eq!(ctx.cookie(LAST).as_deref(), Some("bob"));
        ctx.remove_auth_cookie(LAST);
        assert_eq!(ctx.cookie(LAST), None);
        assert_eq!(ctx.cookie("other").as_deref(), Some("1"));
        // One header per name: the last write wins, in first-write order.
        let lines = ctx.set_cookie_headers();
        assert_eq!(lines.len(), 1);
        assert!(
            lines[0].to_str().unwrap().starts_with(&format!("{LAST}=;")),
            "{lines:?}"
        );
        assert!(ctx.auth_cookies_changed());
    }

    #[test]
    fn removing_an_absent_cookie_writes_nothing() {
        let ctx = runner(|b| b).context(&HeaderMap::new());
        ctx.remove_auth_cookie(LAST);
        assert!(ctx.set_cookie_headers().is_empty());
        assert!(!ctx.auth_cookies_changed());
    }

    #[test]
    fn read_only_and_static_contexts_emit_no_headers_but_remember_writes() {
        let runner = runner(|b| b);
        for ctx in [
            runner.read_only_context(&HeaderMap::new()),
            runner.static_context(),
        ] {
            ctx.set_auth_cookie(LAST, "alice");
            assert_eq!(ctx.cookie(LAST).as_deref(), Some("alice"));
            assert!(ctx.set_cookie_headers().is_empty(), "{:?}", ctx.kind());
            assert!(!ctx.auth_cookies_changed());
            let mut response = HeaderMap::new();
            ctx.apply_to_response_headers(&mut response);
            assert!(response.is_empty());
        }
    }

    #[test]
    fn server_auth_mode_writes_only_whitelisted_keys_as_http_only() {
        let ctx = runner(|b| b.http_only_cookies(true)).context(&HeaderMap::new());
        ctx.set_auth_cookie(DRIFT, "0");
        ctx.set_auth_cookie(LAST, "alice");
        let lines: Vec<_> = ctx
            .set_cookie_headers()
            .iter()
            .map(|h| h.to_str().unwrap().to_owned())
            .collect();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].contains("HttpOnly") && lines[0].contains("SameSite=Strict"),
            "{lines:?}"
        );
    }

    #[test]
    fn response_headers_get_no_store_when_a_session_cookie_changes() {
        let ctx = runner(|b| b).context(&HeaderMap::new());
        ctx.set_cookie(
            "unrelated",
            "1",
            token_cookie_attributes(CookieMode::JsReadable, &CookieOptions::default()),
        );
        let mut response = HeaderMap::new();
        ctx.apply_to_response_headers(&mut response);
        assert_eq!(response.get_all(http::header::SET_COOKIE).iter().count(), 1);
        assert!(response.get(http::header::CACHE_CONTROL).is_none());

        ctx.set_auth_cookie(LAST, "alice");
        let mut response = HeaderMap::new();
        ctx.apply_to_response_headers(&mut response);
        assert_eq!(response[http::header::CACHE_CONTROL], "private, no-store");
    }

    const IDENTITY_OUTPUTS: &str = r#"{"version":"1.4","auth":{"aws_region":"us-east-1",
        "user_pool_id":"us-east-1_Pool","user_pool_client_id":"client1",
        "identity_pool_id":"us-east-1:pool"}}"#;

    fn cache_control(ctx: &ServerContext, response: http::Response<()>) -> Option<String> {
        let mut response = response;
        ctx.apply_to_response(&mut response);
        response
            .headers()
            .get(http::header::CACHE_CONTROL)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    #[test]
    fn reading_a_session_cookie_makes_the_response_private_even_when_absent() {
        let runner = runner(|b| b);
        // Other cookies, and another app client's keys, are not the session.
        let ctx = runner.context(&headers("other=1"));
        assert_eq!(ctx.cookie("other").as_deref(), Some("1"));
        let _ = ctx.cookie("CognitoIdentityServiceProvider.client2.LastAuthUser");
        assert!(!ctx.session_was_read());
        assert_eq!(cache_control(&ctx, http::Response::new(())), None);

        // A read of a missing LastAuthUser still decides what the page shows (signed out).
        assert_eq!(ctx.cookie(LAST), None);
        assert!(ctx.session_was_read());
        assert_eq!(
            cache_control(&ctx, http::Response::new(())).as_deref(),
            Some("private, no-store")
        );
        let mut headers_only = HeaderMap::new();
        ctx.apply_to_response_headers(&mut headers_only);
        assert_eq!(
            headers_only[http::header::CACHE_CONTROL],
            "private, no-store"
        );
    }

    #[test]
    fn the_guest_identity_id_is_a_session_cookie() {
        let config = AmplifyConfig::from_json(IDENTITY_OUTPUTS).expect("config");
        let runner = ServerRunner::builder(config)
            .ignore_env()
            .build()
            .expect("runner");
        let ctx = runner.context(&HeaderMap::new());
        let _ = ctx.cookie(&identity_id_key("us-east-1:other"));
        assert!(!ctx.session_was_read());
        let _ = ctx.cookie(&identity_id_key("us-east-1:pool"));
        assert!(ctx.session_was_read());
    }

    #[test]
    fn no_store_wins_over_the_handlers_cache_control_unless_it_opted_out() {
        let ctx = runner(|b| b).context(&headers(&format!("{LAST}=alice")));
        let _ = ctx.cookie(LAST);
        let public = || {
            http::Response::builder()
                .header(http::header::CACHE_CONTROL, "public, max-age=600")
                .body(())
                .unwrap()
        };
        assert_eq!(
            cache_control(&ctx, public()).as_deref(),
            Some("private, no-store")
        );

        // Opted out: the handler's value, or none, stands.
        let mut opted_out = public();
        opted_out.extensions_mut().insert(SessionIndependent);
        assert_eq!(
            cache_control(&ctx, opted_out).as_deref(),
            Some("public, max-age=600")
        );
        let mut bare = http::Response::new(());
        bare.extensions_mut().insert(SessionIndependent);
        assert_eq!(cache_control(&ctx, bare), None);

        // But never over a session cookie change.
        ctx.set_auth_cookie(LAST, "bob");
        let mut changed = public();
        changed.extensions_mut().insert(SessionIndependent);
        assert_eq!(
            cache_control(&ctx, changed).as_deref(),
            Some("private, no-store")
        );
    }

    #[test]
    fn session_reads_in_read_only_and_static_contexts_set_no_header() {
        let runner = runner(|b| b);
        for ctx in [
            runner.read_only_context(&headers(&format!("{LAST}=alice"))),
            runner.static_context(),
        ] {
            let _ = ctx.cookie(LAST);
            assert!(ctx.session_was_read(), "{:?}", ctx.kind());
            assert_eq!(cache_control(&ctx, http::Response::new(())), None);
        }
    }

    #[test]
    fn secure_is_on_by_default_and_can_be_dropped_for_local_http() {
        let secure = runner(|b| b).context(&HeaderMap::new());
        secure.set_auth_cookie(LAST, "alice");
        assert!(
            secure.set_cookie_headers()[0]
                .to_str()
                .unwrap()
                .contains("Secure")
        );
        let local =
            runner(ServerRunnerBuilder::insecure_cookies_for_local_http).context(&HeaderMap::new());
        local.set_auth_cookie(LAST, "alice");
        assert!(
            !local.set_cookie_headers()[0]
                .to_str()
                .unwrap()
                .contains("Secure")
        );
    }

    #[test]
    fn builder_endpoints_win_over_the_environment_and_bad_ones_are_errors() {
        let config = AmplifyConfig::from_json(OUTPUTS).expect("config");
        let runner = ServerRunner::builder(config.clone())
            .ignore_env()
            .user_pool_endpoint("http://127.0.0.1:9/")
            .jwks_url("http://127.0.0.1:9/keys.json")
            .token_issuer("http://issuer.example/pool")
            .build()
            .expect("runner");
        assert_eq!(
            runner.config().user_pool_endpoint().unwrap().as_str(),
            "http://127.0.0.1:9/"
        );
        assert_eq!(
            runner.config().jwks_url().unwrap().as_str(),
            "http://127.0.0.1:9/keys.json"
        );
        assert_eq!(
            runner.config().token_issuer().unwrap(),
            "http://issuer.example/pool"
        );

        let error = ServerRunner::builder(config)
            .ignore_env()
            .user_pool_endpoint("ftp://x")
            .build()
            .unwrap_err();
        assert!(error.to_string().contains("ftp://x"), "{error}");
    }
}
