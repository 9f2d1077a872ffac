//! [`AuthRuntime`]: the parts of a [`ServerRunner`](crate::ServerRunner) that exist only when the configuration
//! has a user pool (verifier, Cognito client, refresh coordinator, sign-outs seen here, identity pool).

use std::sync::Arc;
use std::time::Duration;

use super::challenge_cookie::StepSealer;
use super::hooks::HookSlot;
use super::identity::{IdentityOptions, IdentityRuntime};
use super::refresh::RefreshCoordinator;
use super::refresh_limits::{RefreshLimits, RefreshOptions};
use super::revocations::RevokedSessions;
use super::shared::SharedRuntime;
use crate::cognito::{CognitoClient, IdentityClient};
use crate::config::{AmplifyConfig, AuthConfig, ConfigError};
use crate::cookies::{AuthCookieNames, identity_id_key};
use crate::jwt::{JwksCache, TokenVerifier};
use crate::secret::CookieEncryptionKey;
use crate::store::SharedStore;

/// How many verified tokens the runner remembers (a bounded map keyed by a hash of the token).
const VERIFIED_TOKEN_CACHE_CAPACITY: usize = 10_000;

/// The auth settings a runner's builder collects.
#[derive(Debug, Default)]
pub(crate) struct AuthOptions {
    pub(crate) jwks_min_refetch_interval: Option<Duration>,
    pub(crate) identity: IdentityOptions,
    pub(crate) refresh: RefreshOptions,
    pub(crate) hooks: HookSlot,
    /// The key that seals the sign-in step cookie; `None` draws a random one (see [`super::challenge_cookie`]).
    pub(crate) cookie_key: Option<CookieEncryptionKey>,
    /// The store shared with other instances (see [`crate::store`]).
    pub(crate) store: Option<Arc<dyn SharedStore>>,
}

/// The parts of the runner that exist only when the configuration has a user pool.
#[derive(Debug)]
pub(crate) struct AuthRuntime {
    pub(crate) config: AuthConfig,
    pub(crate) verifier: TokenVerifier,
    pub(crate) cognito: CognitoClient,
    pub(crate) refresher: RefreshCoordinator,
    /// Sessions signed out through this runner, refused until their tokens expire.
    pub(crate) revoked_sessions: Arc<RevokedSessions>,
    /// The store shared with other instances, if any (see [`super::shared`]).
    pub(crate) shared: Option<Arc<SharedRuntime>>,
    /// Identity-pool credentials and their cache; `None` without `auth.identity_pool_id`.
    pub(crate) identity: Option<IdentityRuntime>,
    /// The user-pool cookie keys of this app client.
    pub(crate) cookie_names: AuthCookieNames,
    /// The guest identity-id cookie key; `None` without an identity pool.
    identity_cookie: Option<String>,
    /// The application's callbacks on sign-in, sign-out and refresh.
    pub(crate) hooks: HookSlot,
    /// Seals the sign-in step cookie (see [`super::challenge_cookie`]).
    pub(crate) step_sealer: StepSealer,
}

impl AuthRuntime {
    /// Builds the runtime for `auth` (the user pool of `config`, whose overrides are already applied). No
    /// network call happens here: the JWKS is fetched on first use.
    pub(crate) fn new(
        config: &AmplifyConfig,
        auth: &AuthConfig,
        http: &reqwest::Client,
        options: &AuthOptions,
    ) -> Result<Self, ConfigError> {
        let mut jwks = JwksCache::new(http.clone(), config.jwks_url()?);
        if let Some(interval) = options.jwks_min_refetch_interval {
            jwks = jwks.with_min_refetch_interval(interval);
        }
        // Repeated requests with the same cookies skip the RSA verification (claims are re-checked).
        let verifier = TokenVerifier::new(
            Arc::new(jwks),
            config.token_issuer()?,
            auth.user_pool_client_id.clone(),
        )
        .with_verified_cache(VERIFIED_TOKEN_CACHE_CAPACITY);
        let cognito = CognitoClient::new(http.clone(), config.user_pool_endpoint()?);
        let shared = match (&options.store, &options.cookie_key) {
            (None, _) => None,
            (Some(store), Some(key)) => Some(Arc::new(SharedRuntime::new(Arc::clone(store), key))),
            (Some(_), None) => {
                return Err(ConfigError::NotConfigured {
                    what: "a cookie encryption key shared by every instance (a shared store seals its entries \
                           with it)"
                        .to_owned(),
                    fix: "set AMPLIFY_SSR_COOKIE_SECRET (`openssl rand -base64 32`) to the same value on every \
                          instance, or call ServerRunnerBuilder::cookie_encryption_key"
                        .to_owned(),
                });
            }
        };
        if shared.is_some() && tokio::runtime::Handle::try_current().is_err() {
            return Err(ConfigError::NotConfigured {
                what: "a tokio runtime (the shared store watches revocations in the background)"
                    .to_owned(),
                fix: "build the runner inside the application's tokio runtime".to_owned(),
            });
        }
        let identity = match &auth.identity_pool_id {
            Some(pool_id) => Some(IdentityRuntime::new(
                IdentityClient::new(http.clone(), config.identity_pool_endpoint()?),
                pool_id.clone(),
                auth.allow_guest_access,
                &options.identity,
                shared.clone(),
            )),
            None => None,
        };
        let revoked_sessions = Arc::new(RevokedSessions::default());
        if let Some(shared) = &shared {
            shared.connect_in_background();
            shared.watch_revocations(&revoked_sessions);
        }
        let step_sealer = match &options.cookie_key {
            Some(key) => StepSealer::new(key),
            None => StepSealer::new(&CookieEncryptionKey::generate().map_err(|_| {
                ConfigError::NotConfigured {
                    what: "a random cookie encryption key (the system's random generator failed)".to_owned(),
                    fix: "set ServerRunnerBuilder::cookie_encryption_key or AMPLIFY_SSR_COOKIE_SECRET".to_owned(),
                }
            })?),
        };
        Ok(Self {
            step_sealer,
            config: auth.clone(),
            verifier,
            cognito,
            refresher: RefreshCoordinator::new(RefreshLimits::new(options.refresh), shared.clone()),
            revoked_sessions,
            shared,
            identity,
            cookie_names: AuthCookieNames::new(&auth.user_pool_client_id),
            identity_cookie: auth.identity_pool_id.as_deref().map(identity_id_key),
            hooks: options.hooks.clone(),
        })
    }

    /// Whether `raw_name` is a user-pool cookie of this app client.
    pub(crate) fn is_auth_cookie(&self, raw_name: &str) -> bool {
        self.cookie_names.owns(raw_name)
    }

    /// Whether reading `raw_name` reads the session: a user-pool cookie of this app client, or the guest
    /// identity id of this identity pool (per browser, so content built with it is private too).
    pub(crate) fn is_session_cookie(&self, raw_name: &str) -> bool {
        self.is_auth_cookie(raw_name) || self.identity_cookie.as_deref() == Some(raw_name)
    }
}
