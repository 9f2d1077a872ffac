//! [`ServerRunnerBuilder`]: collects the settings of a [`ServerRunner`] and checks them once, in
//! [`build`](ServerRunnerBuilder::build).

use std::sync::Arc;
use std::time::Duration;

use super::{RunnerInner, ServerRunner};
use crate::auth::runtime::{AuthOptions, AuthRuntime};
use crate::config::{
    AmplifyConfig, AppOrigin, ConfigError, ENV_APP_ORIGIN, EndpointOverrides, parse_endpoint,
};
use crate::cookies::{CookieMode, CookieOptions, SameSite};
use crate::secret::CookieEncryptionKey;

/// The environment variable holding the sign-in step cookie's key: base64 of 32 bytes (see
/// [`ServerRunnerBuilder::cookie_encryption_key`]).
pub const ENV_COOKIE_SECRET: &str = "AMPLIFY_SSR_COOKIE_SECRET";

/// The environment variable holding the URL of a Redis (or Valkey) server shared by the application's instances
/// (see [`ServerRunnerBuilder::redis_url`]).
pub const ENV_REDIS_URL: &str = "AMPLIFY_SSR_REDIS_URL";

/// The environment variable holding the Redis store's key prefix (see [`ServerRunnerBuilder::store_key_prefix`]).
pub const ENV_REDIS_PREFIX: &str = "AMPLIFY_SSR_REDIS_PREFIX";

/// The environment variable holding the Redis store's timeout in milliseconds (see
/// [`ServerRunnerBuilder::store_timeout`]).
pub const ENV_REDIS_TIMEOUT_MS: &str = "AMPLIFY_SSR_REDIS_TIMEOUT_MS";

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
    /// The setters' overrides, laid over the file's and the environment's in `build`.
    endpoints: EndpointOverrides,
    endpoint_errors: Vec<ConfigError>,
    app_origin: Option<String>,
    auth: AuthOptions,
    /// The Redis URL, key prefix and timeout of the shared store (built in `build`).
    redis_url: Option<String>,
    store_prefix: Option<String>,
    store_timeout: Option<Duration>,
}

impl ServerRunnerBuilder {
    pub(super) fn new(config: AmplifyConfig) -> Self {
        Self {
            config,
            read_env: true,
            http: None,
            cookie_mode: CookieMode::JsReadable,
            cookie_mode_explicit: false,
            cookie_options: CookieOptions::default(),
            secure_cookies: true,
            endpoints: EndpointOverrides::default(),
            endpoint_errors: Vec::new(),
            app_origin: None,
            auth: AuthOptions::default(),
            redis_url: None,
            store_prefix: None,
            store_timeout: None,
        }
    }

    /// Shares refreshes and sign-outs with the application's other instances through `store` (see
    /// [`crate::store`]). Wins over [`redis_url`](Self::redis_url) and `AMPLIFY_SSR_REDIS_URL`. Needs a cookie
    /// encryption key shared by every instance ([`cookie_encryption_key`](Self::cookie_encryption_key) or
    /// `AMPLIFY_SSR_COOKIE_SECRET`): the store's entries are sealed with it.
    pub fn store(mut self, store: Arc<dyn crate::store::SharedStore>) -> Self {
        self.auth.store = Some(store);
        self
    }

    /// Shares refreshes and sign-outs with the application's other instances through the Redis (or Valkey)
    /// server at `url`: `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS (feature `redis-tls`).
    /// Wins over the `AMPLIFY_SSR_REDIS_URL` environment variable. Needs the `redis` feature (`build` says so
    /// otherwise) and a shared cookie encryption key (see [`store`](Self::store)).
    pub fn redis_url(mut self, url: &str) -> Self {
        self.redis_url = Some(url.to_owned());
        self
    }

    /// The prefix of every key the Redis store writes (default `amplify-ssr:`); applications sharing one server
    /// need different prefixes. Wins over `AMPLIFY_SSR_REDIS_PREFIX`.
    pub fn store_key_prefix(mut self, prefix: &str) -> Self {
        self.store_prefix = Some(prefix.to_owned());
        self
    }

    /// How long one call to the Redis store may take (default 250 ms) before the runner goes on without it. Wins
    /// over `AMPLIFY_SSR_REDIS_TIMEOUT_MS`. Zero is refused by [`build`](Self::build).
    pub fn store_timeout(mut self, timeout: Duration) -> Self {
        self.store_timeout = Some(timeout);
        self
    }

    /// With a shared store ([`store`](Self::store) or [`redis_url`](Self::redis_url)), also share signed-in
    /// users' identity-pool credentials: one `GetCredentialsForIdentity` per session across the instances, stored
    /// sealed until the refresh margin before they expire. Off by default: credentials are cheap to fetch, and
    /// some deployments prefer them never to leave the process.
    pub fn share_identity_credentials(mut self, share: bool) -> Self {
        self.auth.identity.shared = share;
        self
    }

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
    ///
    /// It never silently overrides a setting that asks for `Secure`: [`build`](Self::build) fails with
    /// [`ConfigError::ConflictingSettings`] when it is combined with `http_only_cookies(true)` (or
    /// `cookie_mode(CookieMode::ServerAuth { secure: true })`), with an https [`app_origin`](Self::app_origin),
    /// or with `SameSite::None` in the [cookie options](Self::cookie_options), which browsers refuse without
    /// `Secure`.
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
    /// full, expired entries are dropped first, then those that expire soonest. `0` turns caching off (concurrent requests
    /// still share one fetch). See [`crate::auth::identity`].
    pub fn credentials_cache_capacity(mut self, capacity: usize) -> Self {
        self.auth.identity.cache_capacity = capacity;
        self
    }

    /// How long before they expire cached identity-pool credentials are replaced (default
    /// [`DEFAULT_CREDENTIALS_REFRESH_MARGIN`](crate::auth::DEFAULT_CREDENTIALS_REFRESH_MARGIN), 5 minutes), so
    /// credentials handed out always have at least this much lifetime left.
    pub fn credentials_refresh_margin(mut self, margin: Duration) -> Self {
        self.auth.identity.refresh_margin = margin;
        self
    }

    /// In server-side-auth (HttpOnly) mode, keep the guest identity id in its cookie too, as an HttpOnly cookie.
    /// Upstream never writes it in that mode (and neither does this library by default), so guests without the
    /// cookie get a new identity, and two Cognito Identity calls, on every request. An HttpOnly copy hides the
    /// cookie from browser-side Amplify, so only enable this when the browser does not fetch guest credentials
    /// itself.
    pub fn http_only_guest_identity_cookie(mut self) -> Self {
        self.auth.identity.http_only_guest_cookie = true;
        self
    }

    /// The most time a token refresh may take in all (default
    /// [`DEFAULT_REFRESH_TIMEOUT`](crate::auth::DEFAULT_REFRESH_TIMEOUT), 10 s): the wait for a free refresh slot
    /// (see [`max_concurrent_refreshes`](Self::max_concurrent_refreshes)), every attempt and the backoff between
    /// them. A refresh that runs out of time is a transient error: the request gets `503` from the axum
    /// integration, the session cookies are kept, and a later request starts a new refresh. Keep it under your
    /// reverse proxy's timeout. Zero is refused by [`build`](Self::build).
    pub fn refresh_timeout(mut self, timeout: Duration) -> Self {
        self.auth.refresh.timeout = timeout;
        self
    }

    /// How many token refresh calls this runner sends to Cognito at once (default
    /// [`DEFAULT_REFRESH_CONCURRENCY`](crate::auth::DEFAULT_REFRESH_CONCURRENCY), 16). Further refreshes wait for a
    /// free slot in arrival order, within their [`refresh_timeout`](Self::refresh_timeout); requests carrying the
    /// same refresh token share one call and one slot. Zero is refused by [`build`](Self::build).
    pub fn max_concurrent_refreshes(mut self, limit: usize) -> Self {
        self.auth.refresh.max_concurrent = limit;
        self
    }

    /// Callbacks on sign-in, sign-out, refresh and refresh failure, for audit logs and metrics (replacing any
    /// set before). Each event is reported once, after the request's cookies were decided; a hook cannot change
    /// them, and one that panics does not break the request. See [`AuthHooks`](crate::auth::AuthHooks).
    pub fn auth_hooks(mut self, hooks: impl crate::auth::AuthHooks) -> Self {
        self.auth.hooks = crate::auth::hooks::HookSlot(Some(Arc::new(hooks)));
        self
    }

    /// How often, at most, an unknown `kid` may trigger a JWKS re-fetch (default 60 s).
    pub fn jwks_min_refetch_interval(mut self, interval: Duration) -> Self {
        self.auth.jwks_min_refetch_interval = Some(interval);
        self
    }

    /// The AES-256-GCM key that seals the sign-in step cookie, which carries Cognito's `Session` between
    /// [`sign_in`](crate::sign_in) and [`confirm_sign_in`](crate::confirm_sign_in) (see
    /// [`crate::auth`]'s sign-in steps). Wins over the `AMPLIFY_SSR_COOKIE_SECRET` environment variable (base64 of
    /// 32 bytes, e.g. `openssl rand -base64 32`), which is read when the builder reads the environment.
    ///
    /// Without either, each process draws a random key: fine for one instance, but **instances behind a load
    /// balancer need the same key**, or a step started on one cannot be continued on another (the user gets
    /// [`AuthError::NoSignInInProgress`](crate::AuthError::NoSignInInProgress) and signs in again). Only the
    /// sign-in in progress depends on it, never the session cookies.
    pub fn cookie_encryption_key(mut self, key: CookieEncryptionKey) -> Self {
        self.auth.cookie_key = Some(key);
        self
    }

    /// Overrides the Cognito user-pool API endpoint (e.g. `http://127.0.0.1:4000/`).
    pub fn user_pool_endpoint(self, url: &str) -> Self {
        self.endpoint("user_pool_endpoint", url, |endpoints, url| {
            endpoints.user_pool = Some(url);
        })
    }

    /// Overrides the Cognito identity-pool API endpoint.
    pub fn identity_pool_endpoint(self, url: &str) -> Self {
        self.endpoint("identity_pool_endpoint", url, |endpoints, url| {
            endpoints.identity_pool = Some(url);
        })
    }

    /// Overrides the managed-login / OAuth base URL, scheme included.
    pub fn oauth_base_url(self, url: &str) -> Self {
        self.endpoint("oauth_base_url", url, |endpoints, url| {
            endpoints.oauth = Some(url);
        })
    }

    /// Overrides where the user pool's JWKS is fetched from.
    pub fn jwks_url(self, url: &str) -> Self {
        self.endpoint("jwks_url", url, |endpoints, url| {
            endpoints.jwks_url = Some(url);
        })
    }

    /// Overrides the S3 endpoint used by [`storage`] (e.g. `http://127.0.0.1:9000`): requests go
    /// path-style to `{endpoint}/{bucket}/{key}`, scheme and port kept.
    ///
    #[cfg_attr(feature = "storage", doc = "[`storage`]: crate::storage")]
    #[cfg_attr(not(feature = "storage"), doc = "[`storage`]: crate#features")]
    pub fn storage_endpoint(self, url: &str) -> Self {
        self.endpoint("storage_endpoint", url, |endpoints, url| {
            endpoints.storage = Some(url);
        })
    }

    /// Overrides the `iss` claim tokens must carry.
    pub fn token_issuer(mut self, issuer: &str) -> Self {
        self.endpoints.token_issuer = Some(issuer.to_owned());
        self
    }

    /// Records an endpoint setter's URL, or the error `build` will report for it.
    fn endpoint(
        mut self,
        setter: &str,
        url: &str,
        apply: impl FnOnce(&mut EndpointOverrides, url::Url),
    ) -> Self {
        match parse_endpoint(&format!("ServerRunnerBuilder::{setter}"), url) {
            Ok(parsed) => apply(&mut self.endpoints, parsed),
            Err(error) => self.endpoint_errors.push(error),
        }
        self
    }

    /// Builds the runner. No network call happens here: the JWKS is fetched on first use.
    ///
    /// # Errors
    ///
    /// An invalid endpoint override or environment variable, refresh limits under which no refresh could
    /// succeed, or [`ConfigError::ConflictingSettings`] when
    /// [`insecure_cookies_for_local_http`](Self::insecure_cookies_for_local_http) contradicts an explicit cookie
    /// setting.
    pub fn build(mut self) -> Result<ServerRunner, ConfigError> {
        if let Some(error) = self.endpoint_errors.into_iter().next() {
            return Err(error);
        }
        self.auth.refresh.validate()?;
        if self.store_timeout == Some(Duration::ZERO) {
            // As from AMPLIFY_SSR_REDIS_TIMEOUT_MS: a zero timeout would fail every store call.
            return Err(ConfigError::NotConfigured {
                what: "a store timeout above 0 (ServerRunnerBuilder::store_timeout)".to_owned(),
                fix: "pass a duration above 0, e.g. 250 ms, or leave the default".to_owned(),
            });
        }
        if self.read_env {
            self.config.apply_env()?;
        }
        self.config.endpoints.override_with(self.endpoints);
        if self.auth.cookie_key.is_none()
            && self.read_env
            && let Ok(text) = std::env::var(ENV_COOKIE_SECRET)
            && !text.trim().is_empty()
        {
            self.auth.cookie_key = Some(cookie_key_from_env(&text)?);
        }
        if self.auth.store.is_none() {
            let url = match self.redis_url.take() {
                Some(url) => Some((url, "ServerRunnerBuilder::redis_url")),
                None if self.read_env => std::env::var(ENV_REDIS_URL)
                    .ok()
                    .filter(|url| !url.trim().is_empty())
                    .map(|url| (url, ENV_REDIS_URL)),
                None => None,
            };
            if self.read_env {
                if self.store_prefix.is_none() {
                    self.store_prefix = std::env::var(ENV_REDIS_PREFIX)
                        .ok()
                        .filter(|prefix| !prefix.trim().is_empty());
                }
                if self.store_timeout.is_none()
                    && let Ok(text) = std::env::var(ENV_REDIS_TIMEOUT_MS)
                    && !text.trim().is_empty()
                {
                    self.store_timeout = Some(timeout_from_env(&text)?);
                }
            }
            if let Some((url, origin)) = url {
                self.auth.store = Some(redis_store(
                    url.trim(),
                    origin,
                    self.store_prefix.as_deref(),
                    self.store_timeout,
                )?);
            }
        }
        let app_origin = match self.app_origin.as_deref() {
            Some(text) => Some(AppOrigin::from_setting(
                "ServerRunnerBuilder::app_origin",
                text,
            )?),
            None if self.read_env => match std::env::var(ENV_APP_ORIGIN) {
                Ok(text) if !text.trim().is_empty() => {
                    Some(AppOrigin::from_setting(ENV_APP_ORIGIN, &text)?)
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
        if !self.secure_cookies {
            check_insecure_cookies(
                self.cookie_mode,
                self.cookie_mode_explicit,
                &self.cookie_options,
                app_origin.as_ref(),
            )?;
        }
        let http = match self.http {
            Some(client) => client,
            None => default_http_client()?,
        };
        let auth = match &self.config.auth {
            Some(auth) => Some(AuthRuntime::new(&self.config, auth, &http, &self.auth)?),
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

/// The store timeout in `AMPLIFY_SSR_REDIS_TIMEOUT_MS`: whole milliseconds, at least 1.
fn timeout_from_env(text: &str) -> Result<Duration, ConfigError> {
    match text.trim().parse::<u64>() {
        Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
        _ => Err(ConfigError::NotConfigured {
            what: format!(
                "a valid {ENV_REDIS_TIMEOUT_MS} (`{}` is not a number of milliseconds above 0)",
                text.trim()
            ),
            fix: format!("set {ENV_REDIS_TIMEOUT_MS} to whole milliseconds, e.g. 250, or unset it"),
        }),
    }
}

/// The Redis store at `url` (read from `origin`).
#[cfg(feature = "redis")]
fn redis_store(
    url: &str,
    origin: &str,
    prefix: Option<&str>,
    timeout: Option<Duration>,
) -> Result<Arc<dyn crate::store::SharedStore>, ConfigError> {
    let mut store = crate::store::RedisStore::open(url).map_err(|e| ConfigError::NotConfigured {
        what: format!("a valid Redis URL in {origin} ({e})"),
        fix: "use redis://[user:password@]host:port[/db], or rediss:// for TLS (feature `redis-tls`)".to_owned(),
    })?;
    if let Some(prefix) = prefix {
        store = store.with_prefix(prefix);
    }
    if let Some(timeout) = timeout {
        store = store.with_timeout(timeout);
    }
    Ok(Arc::new(store))
}

/// Without the `redis` feature, a Redis URL is a configuration error (rather than silently unshared instances).
#[cfg(not(feature = "redis"))]
fn redis_store(
    _url: &str,
    origin: &str,
    _prefix: Option<&str>,
    _timeout: Option<Duration>,
) -> Result<Arc<dyn crate::store::SharedStore>, ConfigError> {
    Err(ConfigError::NotConfigured {
        what: format!("the Redis store named by {origin}"),
        fix: "enable amplify-ssr's `redis` feature (and `redis-tls` for rediss:// URLs)".to_owned(),
    })
}

/// Refuses [`ServerRunnerBuilder::insecure_cookies_for_local_http`] together with a setting that asks for
/// `Secure` cookies: dropping `Secure` would silently override it.
fn check_insecure_cookies(
    mode: CookieMode,
    mode_explicit: bool,
    options: &CookieOptions,
    app_origin: Option<&AppOrigin>,
) -> Result<(), ConfigError> {
    let conflict = |other: String, problem: &str, fix: &str| ConfigError::ConflictingSettings {
        setting: "ServerRunnerBuilder::insecure_cookies_for_local_http()".to_owned(),
        other,
        problem: problem.to_owned(),
        fix: fix.to_owned(),
    };
    let secure_mode = matches!(mode, CookieMode::ServerAuth { secure: true });
    if secure_mode && mode_explicit {
        return Err(conflict(
            "an explicit Secure cookie mode (`http_only_cookies(true)` or `cookie_mode(ServerAuth { secure: true })`)"
                .to_owned(),
            "one drops `Secure` from the session cookies, the other asks for it",
            "for local http use `http_only_cookies(false)` alone; over https drop `insecure_cookies_for_local_http()`",
        ));
    }
    if secure_mode && let Some(origin) = app_origin {
        return Err(conflict(
            format!("the https application origin `{origin}`"),
            "an https origin makes the session cookies `Secure`, and they are only insecure for local http",
            "drop `insecure_cookies_for_local_http()`, or set an http origin such as `http://localhost:3000` for \
             local development",
        ));
    }
    if options.same_site == Some(SameSite::None) {
        return Err(conflict(
            "`CookieOptions::same_site` = `SameSite::None`".to_owned(),
            "browsers refuse `SameSite=None` cookies without `Secure`",
            "use `SameSite::Lax` (or leave it unset) for local http, or drop `insecure_cookies_for_local_http()`",
        ));
    }
    Ok(())
}

/// The cookie encryption key in `AMPLIFY_SSR_COOKIE_SECRET`, or an error that names the variable and the fix
/// (never the value).
pub(super) fn cookie_key_from_env(text: &str) -> Result<CookieEncryptionKey, ConfigError> {
    CookieEncryptionKey::from_base64(text).map_err(|e| ConfigError::Invalid {
        path: ENV_COOKIE_SECRET.to_owned(),
        expected: "base64 of 32 random bytes".to_owned(),
        found: match e {
            crate::secret::InvalidCookieKey::WrongLength(n) => format!("{n} bytes"),
            _ => "text that is not base64".to_owned(),
        },
        fix:
            "generate one with `openssl rand -base64 32`, or unset it for a per-process random key"
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

#[cfg(test)]
mod cookie_key_tests {
    use super::*;

    #[test]
    fn redis_timeouts_from_the_environment_are_whole_milliseconds() {
        assert_eq!(
            timeout_from_env(" 250 ").unwrap(),
            Duration::from_millis(250)
        );
        for bad in ["0", "-1", "1.5", "soon"] {
            let error = timeout_from_env(bad).expect_err(bad).to_string();
            assert!(error.contains(ENV_REDIS_TIMEOUT_MS), "{error}");
        }
    }

    #[test]
    fn a_bad_cookie_secret_names_the_variable_and_the_fix_not_the_value() {
        let error = cookie_key_from_env("c2VjcmV0LXRvby1zaG9ydA==").expect_err("too short");
        let message = error.to_string();
        assert!(message.contains(ENV_COOKIE_SECRET), "{message}");
        assert!(message.contains("openssl rand -base64 32"), "{message}");
        assert!(message.contains("found 16 bytes"), "{message}");
        assert!(!message.contains("c2VjcmV0"), "{message}");
        assert!(cookie_key_from_env("%%%").is_err());
        assert!(cookie_key_from_env(" AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8= ").is_ok());
    }

    #[test]
    fn a_runner_without_a_key_draws_its_own() {
        let config = AmplifyConfig::from_json(
            r#"{"version":"1.4","auth":{"aws_region":"us-east-1",
                "user_pool_id":"us-east-1_Pool","user_pool_client_id":"client1"}}"#,
        )
        .expect("config");
        let runner = ServerRunner::builder(config)
            .ignore_env()
            .build()
            .expect("runner");
        assert!(runner.auth().is_some());
    }
}
