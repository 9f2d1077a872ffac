//! AWS credentials from the Cognito identity pool, for a signed-in user or a guest.
//!
//! [`fetch_identity_credentials`] returns an identity id and temporary AWS credentials (what the Storage APIs
//! sign with); [`fetch_auth_session`](crate::fetch_auth_session) fills its `identity_id` and `credentials`
//! the same way.
//!
//! # Flows (reference §4.5)
//!
//! * **Signed in**: the verified id token is the login, under the key `iss` without its scheme. `GetId` gives
//!   the user's identity id, `GetCredentialsForIdentity` the credentials. A guest identity-id cookie the request
//!   carries is deleted once the authenticated identity is known, as upstream. Unlike upstream, the guest id is
//!   not presented to Cognito for the signed-in user: the identity always comes from `GetId` with the login, so
//!   it is the same on every device and does not depend on a client-controlled cookie.
//! * **Guest** (signed out, `auth.unauthenticated_identities_enabled`): the identity id is read from the cookie
//!   `com.amplify.Cognito.<identityPoolId>.identityId`, or obtained with `GetId` (`"Logins": {}`) and written to
//!   it with the token-cookie attributes. `GetCredentialsForIdentity` is sent without a `Logins` key. A cookie
//!   naming an identity Cognito refuses or no longer knows is replaced by a new guest identity. With guest
//!   access off, the result is [`AuthError::NoCredentials`].
//! * **Planted guest cookies (cookie tossing).** A sibling host can plant a copy of the identity-id cookie that
//!   names its own guest identity; used, it would put a signed-out victim's uploads under the attacker's
//!   `private/{id}/`. When copies name different identities, none is used: the request gets a new guest identity
//!   that is kept for that request only. Nothing is written, since a `Set-Cookie` would replace the browser's
//!   genuine cookie and leave the planted one; once the planted copy is gone, the genuine identity is used again.
//!   (Copies that are not identity ids at all are ignored.)
//! * **Static contexts** (no request): guest only; the guest identity id is kept in the runner, so `GetId` runs
//!   once per process, as upstream.
//!
//! # Server-side-auth (HttpOnly) mode
//!
//! As upstream, the identity-id cookie is neither written nor deleted in this mode (the server-auth write filter
//! lets only the token cookies through), so that an HttpOnly copy never shadows the one browser-side Amplify
//! keeps. The id is still remembered for the rest of the request. The cost: a guest without the cookie gets a
//! new identity on every request. [`ServerRunnerBuilder::http_only_guest_identity_cookie`] opts in to writing
//! it (HttpOnly) in that mode.
//!
//! # Caching (unlike upstream, amplify-js #14079)
//!
//! Upstream calls Cognito Identity on every request that needs credentials. Here the runner keeps a cache of
//! credentials keyed by (identity pool, guest or signed in, the guest identity id or a SHA-256 of the id token),
//! used until [`ServerRunnerBuilder::credentials_refresh_margin`] (5 minutes by default) before they expire and
//! bounded by [`ServerRunnerBuilder::credentials_cache_capacity`] entries (10 000 by default; expired entries go
//! first, then those that expire soonest). Concurrent requests for the same key share one fetch, which runs in its own task so
//! a cancelled request does not lose it. Signed-in users' identity ids are remembered per user (`sub`), so
//! `GetId` runs once per user and process. `force_refresh` bypasses the cached credentials, and
//! [`sign_out`](crate::sign_out) drops the signed-out session's entry.
//!
//! The route guard ([`RequireAuthLayer`]) and
//! [`get_current_user`](crate::get_current_user) read tokens only and never call Cognito Identity.
//!
//! [`ServerRunnerBuilder::http_only_guest_identity_cookie`]: crate::ServerRunnerBuilder::http_only_guest_identity_cookie
//! [`ServerRunnerBuilder::credentials_refresh_margin`]: crate::ServerRunnerBuilder::credentials_refresh_margin
//! [`ServerRunnerBuilder::credentials_cache_capacity`]: crate::ServerRunnerBuilder::credentials_cache_capacity
#![cfg_attr(
    feature = "axum",
    doc = "[`RequireAuthLayer`]: crate::axum::RequireAuthLayer"
)]
#![cfg_attr(not(feature = "axum"), doc = "[`RequireAuthLayer`]: crate#features")]

mod cache;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use tracing::Instrument as _;

use crate::auth::refresh::get_tokens;
use crate::auth::runtime::AuthRuntime;
use crate::auth::shared::{SharedRefresh, SharedRuntime, SignOutNotice};
use crate::auth::tokens::StoredSession;
use crate::cognito::{CognitoError, IdentityClient, logins_key};
use crate::context::{ContextKind, ServerContext};
use crate::cookies::{AuthCookieNames, CookieMode, TokenSlot, identity_id_key};
use crate::error::AuthError;
use crate::secret::{AwsSecretAccessKey, AwsSessionToken, IdToken};

use cache::{CredentialsCache, Fetched, Key};

/// Default of [`ServerRunnerBuilder::credentials_cache_capacity`](crate::ServerRunnerBuilder::credentials_cache_capacity).
pub const DEFAULT_CREDENTIALS_CACHE_CAPACITY: usize = 10_000;

/// Default of [`ServerRunnerBuilder::credentials_refresh_margin`](crate::ServerRunnerBuilder::credentials_refresh_margin).
pub const DEFAULT_CREDENTIALS_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// Temporary AWS credentials.
///
/// `Debug` shows the access key id and the expiration only; the secret key and the session token are secret
/// types whose `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct AwsCredentials {
    /// The access key id (`ASIA...` for temporary credentials).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: AwsSecretAccessKey,
    /// The session token of temporary credentials.
    pub session_token: Option<AwsSessionToken>,
    /// When the credentials stop working.
    pub expiration: Option<SystemTime>,
}

impl AwsCredentials {
    /// These credentials as the `aws-sigv4` signer takes them (for the Storage and Data signers).
    #[cfg(any(feature = "storage", feature = "data", feature = "rest"))]
    pub(crate) fn signing_credentials(&self) -> aws_credential_types::Credentials {
        aws_credential_types::Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.secret().to_owned(),
            self.session_token
                .as_ref()
                .map(|token| token.secret().to_owned()),
            self.expiration,
            "amplify-ssr",
        )
    }

    /// Credentials from their parts, without an expiration.
    #[must_use]
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: AwsSecretAccessKey::new(secret_access_key),
            session_token: session_token.map(AwsSessionToken::new),
            expiration: None,
        }
    }

    /// How long the credentials remain valid after `now` (zero once expired); `None` when they carry no
    /// expiration.
    #[must_use]
    pub fn remaining_lifetime(&self, now: SystemTime) -> Option<Duration> {
        self.expiration
            .map(|expiration| expiration.duration_since(now).unwrap_or(Duration::ZERO))
    }
}

impl std::fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("expiration", &self.expiration)
            .finish_non_exhaustive()
    }
}

/// An identity id and its AWS credentials, as [`fetch_identity_credentials`] returns them.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct IdentityCredentials {
    /// The Cognito identity id, `<region>:<uuid>`.
    pub identity_id: String,
    /// Temporary AWS credentials of that identity.
    pub credentials: AwsCredentials,
    /// True for a signed-in user's (authenticated) identity, false for a guest's.
    pub authenticated: bool,
}

impl IdentityCredentials {
    /// Builds a value (for tests and custom credential sources).
    #[must_use]
    pub fn new(
        identity_id: impl Into<String>,
        credentials: AwsCredentials,
        authenticated: bool,
    ) -> Self {
        Self {
            identity_id: identity_id.into(),
            credentials,
            authenticated,
        }
    }
}

/// Settings of the identity-pool runtime, set on the runner builder.
#[derive(Clone, Debug)]
pub(crate) struct IdentityOptions {
    pub(crate) cache_capacity: usize,
    pub(crate) refresh_margin: Duration,
    pub(crate) http_only_guest_cookie: bool,
    /// Whether signed-in users' credentials are shared through the runner's store.
    pub(crate) shared: bool,
}

impl Default for IdentityOptions {
    fn default() -> Self {
        Self {
            cache_capacity: DEFAULT_CREDENTIALS_CACHE_CAPACITY,
            refresh_margin: DEFAULT_CREDENTIALS_REFRESH_MARGIN,
            http_only_guest_cookie: false,
            shared: false,
        }
    }
}

/// The parts of the runner that exist only when the configuration has an identity pool.
#[derive(Debug)]
pub(crate) struct IdentityRuntime {
    client: IdentityClient,
    pool_id: String,
    allow_guest: bool,
    http_only_guest_cookie: bool,
    cache: CredentialsCache,
    /// The guest identity of static contexts (no request, no cookie): one `GetId` per process.
    static_guest: tokio::sync::Mutex<Option<String>>,
    /// The store that shares signed-in users' credentials with other instances, when the deployment asks for it.
    shared: Option<Arc<SharedRuntime>>,
    /// How long before their expiry credentials are fetched anew.
    margin: Duration,
}

/// How long one instance may hold the lease on fetching a user's credentials for the fleet.
const SHARED_CREDENTIALS_LEASE: Duration = Duration::from_secs(10);

/// Credentials as stored for the other instances (sealed).
#[derive(Serialize, Deserialize)]
struct StoredCredentials {
    identity_id: String,
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    /// Unix milliseconds.
    expiration: Option<u64>,
}

impl StoredCredentials {
    /// How long the other instances may use them: until `margin` before they expire (not at all without an
    /// expiry, which Cognito always sends).
    fn keep(&self, margin: Duration) -> Option<Duration> {
        let expiration = UNIX_EPOCH + Duration::from_millis(self.expiration?);
        expiration
            .checked_sub(margin)?
            .duration_since(SystemTime::now())
            .ok()
    }
}

impl From<&Fetched> for StoredCredentials {
    fn from(fetched: &Fetched) -> Self {
        let credentials = &fetched.credentials;
        Self {
            identity_id: fetched.identity_id.clone(),
            access_key_id: credentials.access_key_id.clone(),
            secret_access_key: credentials.secret_access_key.secret().to_owned(),
            session_token: credentials
                .session_token
                .as_ref()
                .map(|token| token.secret().to_owned()),
            expiration: credentials
                .expiration
                .and_then(|at| u64::try_from(at.duration_since(UNIX_EPOCH).ok()?.as_millis()).ok()),
        }
    }
}

impl From<StoredCredentials> for Fetched {
    fn from(stored: StoredCredentials) -> Self {
        Self {
            identity_id: stored.identity_id,
            credentials: AwsCredentials {
                access_key_id: stored.access_key_id,
                secret_access_key: AwsSecretAccessKey::new(stored.secret_access_key),
                session_token: stored.session_token.map(AwsSessionToken::new),
                expiration: stored
                    .expiration
                    .map(|ms| UNIX_EPOCH + Duration::from_millis(ms)),
            },
        }
    }
}

impl IdentityRuntime {
    pub(crate) fn new(
        client: IdentityClient,
        pool_id: String,
        allow_guest: bool,
        options: &IdentityOptions,
        shared: Option<Arc<SharedRuntime>>,
    ) -> Self {
        Self {
            client,
            pool_id,
            allow_guest,
            http_only_guest_cookie: options.http_only_guest_cookie,
            cache: CredentialsCache::new(options.cache_capacity, options.refresh_margin),
            static_guest: tokio::sync::Mutex::new(None),
            shared: shared.filter(|_| options.shared),
            margin: options.refresh_margin,
        }
    }
}

/// Returns the identity id and AWS credentials of this context: the signed-in user's (authenticated) or, when
/// signed out and guest access is enabled, a guest's. Cached in the runner until shortly before they expire
/// (see the [module docs](self)); `force_refresh` fetches new credentials from Cognito Identity (the session's
/// tokens are refreshed only if they have expired).
///
/// # Errors
///
/// * [`AuthError::NoCredentials`]: no auth or no identity pool in the configuration, or signed out with guest
///   access off;
/// * [`AuthError::UserUnAuthenticated`]: signed in but the session has no valid id token;
/// * [`AuthError::Cognito`]: Cognito Identity refused (`NotAuthorizedException`, e.g. an identity pool that
///   does not allow guests) or failed (transient errors were retried first; [`AuthError::is_transient`]);
/// * [`AuthError::InvalidIdentityResponse`]: Cognito Identity answered without an identity id or credentials;
/// * the session errors of [`fetch_auth_session`](crate::fetch_auth_session) (refresh failures).
pub async fn fetch_identity_credentials(
    ctx: &ServerContext,
    force_refresh: bool,
) -> Result<IdentityCredentials, AuthError> {
    let span = tracing::debug_span!(
        "amplify_ssr.fetch_identity_credentials",
        force_refresh,
        authenticated = tracing::field::Empty,
    );
    async {
        identity_runtime(ctx)?;
        let session = get_tokens(ctx, false).await?;
        let result = credentials_for(ctx, session.as_ref(), force_refresh).await;
        if let Ok(credentials) = &result {
            tracing::Span::current().record("authenticated", credentials.authenticated);
        }
        result
    }
    .instrument(span)
    .await
}

/// The identity-pool runtime, or `NoCredentials` explaining why there is none.
fn identity_runtime(ctx: &ServerContext) -> Result<(&AuthRuntime, &IdentityRuntime), AuthError> {
    let runtime = ctx
        .runner()
        .auth_runtime()
        .map_err(|_| no_credentials("the configuration has no auth (Cognito) section"))?;
    let identity = runtime.identity.as_ref().ok_or_else(|| {
        no_credentials(
            "the configuration has no identity pool (`auth.identity_pool_id`); add one to the auth resource to \
             get AWS credentials",
        )
    })?;
    Ok((runtime, identity))
}

/// A client error (Storage, Data, REST) that reports a failed [`fetch_identity_credentials`]: no credentials
/// to be had, or another failure as it is.
#[cfg(any(feature = "storage", feature = "data", feature = "rest"))]
pub(crate) trait CredentialsError {
    /// No credentials: no identity pool, guest access off, or a session without a valid id token (Amplify's
    /// `NoCredentials`).
    fn no_credentials(reason: String) -> Self;
    /// Any other failure (Cognito refused or was unreachable, the session could not be read).
    fn auth(error: AuthError) -> Self;
}

/// The context's identity credentials for a client's request, a failure read as the client's error
/// ([`credentials_error`]).
#[cfg(any(feature = "storage", feature = "data", feature = "rest"))]
pub(crate) async fn client_credentials<E: CredentialsError>(
    ctx: &ServerContext,
    force_refresh: bool,
) -> Result<IdentityCredentials, E> {
    fetch_identity_credentials(ctx, force_refresh)
        .await
        .map_err(credentials_error)
}

/// Reads a failed [`fetch_identity_credentials`] as a client's error: the absence of credentials (including a
/// session without a valid id token) is `NoCredentials`, anything else is kept.
#[cfg(any(feature = "storage", feature = "data", feature = "rest"))]
pub(crate) fn credentials_error<E: CredentialsError>(error: AuthError) -> E {
    match error {
        AuthError::NoCredentials { reason } => E::no_credentials(reason),
        AuthError::UserUnAuthenticated => {
            E::no_credentials("the session has no valid id token".to_owned())
        }
        other => E::auth(other),
    }
}

fn no_credentials(reason: &str) -> AuthError {
    AuthError::NoCredentials {
        reason: reason.to_owned(),
    }
}

/// The identity fields of [`fetch_auth_session`](crate::fetch_auth_session): `None` without an identity pool,
/// or for a guest when guest access is off; errors otherwise propagate, as upstream.
///
/// One deviation: a signed-in session without a valid id token (the browser drops id-token cookies over
/// ~4 KB, amplify-js #11649) leaves the fields `None` with a warning instead of failing the whole session
/// with `UserUnAuthenticatedException`, which would make a signed-in user look signed out.
/// [`fetch_identity_credentials`] does report that error.
pub(crate) async fn session_credentials(
    ctx: &ServerContext,
    session: Option<&StoredSession>,
    force_refresh: bool,
) -> Result<Option<IdentityCredentials>, AuthError> {
    match credentials_for(ctx, session, force_refresh).await {
        Ok(credentials) => Ok(Some(credentials)),
        Err(AuthError::NoCredentials { reason }) => {
            tracing::debug!(%reason, "no identity-pool credentials for this session");
            Ok(None)
        }
        Err(AuthError::UserUnAuthenticated) if session.is_some() => {
            tracing::warn!(
                "signed in without a valid id token: the session has no identity-pool credentials \
                 (is the id-token cookie missing or too large?)"
            );
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

/// Credentials for an already loaded session (`None` = signed out).
pub(crate) async fn credentials_for(
    ctx: &ServerContext,
    session: Option<&StoredSession>,
    force_refresh: bool,
) -> Result<IdentityCredentials, AuthError> {
    let (_, identity) = identity_runtime(ctx)?;
    match session {
        Some(session) => authenticated(ctx, identity, session, force_refresh).await,
        None => guest(ctx, identity, force_refresh).await,
    }
}

fn credentials_key(pool_id: &str, id_token: &IdToken) -> Key {
    cache::key(&["authenticated", pool_id, id_token.secret()])
}

fn guest_key(pool_id: &str, identity_id: &str) -> Key {
    cache::key(&["guest", pool_id, identity_id])
}

async fn authenticated(
    ctx: &ServerContext,
    identity: &IdentityRuntime,
    session: &StoredSession,
    force_refresh: bool,
) -> Result<IdentityCredentials, AuthError> {
    // As upstream: the authenticated flow needs the id token.
    let (Some(id_token), Some(claims)) = (&session.id_token, &session.id_claims) else {
        tracing::debug!("signed in without a valid id token; no identity-pool credentials");
        return Err(AuthError::UserUnAuthenticated);
    };
    let issuer = claims.iss().ok_or_else(|| {
        AuthError::UnexpectedResponse(
            "the id token has no iss claim (InvalidIdTokenException)".into(),
        )
    })?;
    let login = logins_key(issuer).to_owned();
    let sub = claims
        .sub()
        .or_else(|| session.access_claims.sub())
        .ok_or_else(|| {
            AuthError::UnexpectedResponse("the session's tokens carry no sub claim".into())
        })?;
    let user = cache::key(&["identity", &identity.pool_id, &login, sub]);
    let key = credentials_key(&identity.pool_id, id_token);

    let (client, cache, pool) = (
        identity.client.clone(),
        identity.cache.clone(),
        identity.pool_id.clone(),
    );
    let token = id_token.clone();
    // A forced fetch wants new credentials, not another instance's.
    let shared = identity.shared.clone().filter(|_| !force_refresh);
    let margin = identity.margin;
    let fetched = identity
        .cache
        .get_or_fetch(key, force_refresh, move || async move {
            let fetch = async move || {
                let logins = Some((login.as_str(), &token));
                let remembered = cache.identity_for(&user);
                let identity_id = match &remembered {
                    Some(id) => id.clone(),
                    None => client.get_id(&pool, logins).await?,
                };
                let answer = match client
                    .get_credentials_for_identity(&identity_id, logins)
                    .await
                {
                    // The remembered identity is gone (deleted from the pool): ask again.
                    Err(e) if remembered.is_some() && identity_gone(&e) => {
                        cache.forget_identity(&user);
                        let fresh = client.get_id(&pool, logins).await?;
                        let answer = client.get_credentials_for_identity(&fresh, logins).await?;
                        (fresh, answer)
                    }
                    other => (identity_id, other?),
                };
                let (asked, answer) = answer;
                let identity_id = answer.identity_id.unwrap_or(asked);
                cache.remember_identity(user, &identity_id);
                Ok(Fetched {
                    identity_id,
                    credentials: answer.credentials,
                })
            };
            let Some(shared) = shared else {
                return fetch().await;
            };
            let outcome = shared
                .once(
                    "credentials",
                    &key,
                    SHARED_CREDENTIALS_LEASE,
                    false,
                    |stored: &StoredCredentials| stored.keep(margin),
                    async || {
                        fetch()
                            .await
                            .map(|fetched| StoredCredentials::from(&fetched))
                    },
                )
                .await;
            match outcome {
                SharedRefresh::Stored(stored) => Ok(stored.into()),
                SharedRefresh::Called(outcome) => outcome.map(Into::into),
            }
        })
        .await
        .map_err(|e| identity_error(e, true))?;

    // The authenticated identity is known: the guest identity cookie has served its purpose (as upstream).
    if ctx.kind() != ContextKind::Static {
        let name = identity_id_key(&identity.pool_id);
        if ctx.cookie(&name).is_some() {
            ctx.remove_identity_cookie(&name, guest_cookie_sent(ctx, identity));
        }
    }
    Ok(IdentityCredentials {
        identity_id: fetched.identity_id,
        credentials: fetched.credentials,
        authenticated: true,
    })
}

async fn guest(
    ctx: &ServerContext,
    identity: &IdentityRuntime,
    force_refresh: bool,
) -> Result<IdentityCredentials, AuthError> {
    if !identity.allow_guest {
        return Err(no_credentials(
            "signed out, and guest access is off (`auth.unauthenticated_identities_enabled` is not true)",
        ));
    }
    let fetched = if ctx.kind() == ContextKind::Static {
        let mut remembered = identity.static_guest.lock().await;
        let identity_id = match remembered.as_ref() {
            Some(id) => id.clone(),
            None => {
                let id = identity
                    .client
                    .get_id(&identity.pool_id, None)
                    .await
                    .map_err(|e| identity_error(e, false))?;
                *remembered = Some(id.clone());
                id
            }
        };
        drop(remembered);
        let fetched = guest_credentials(identity, &identity_id, true, force_refresh).await?;
        if fetched.identity_id != identity_id {
            *identity.static_guest.lock().await = Some(fetched.identity_id.clone());
        }
        fetched
    } else {
        let name = identity_id_key(&identity.pool_id);
        let (from_cookie, disputed) = guest_cookie(ctx, &name);
        let identity_id = match &from_cookie {
            Some(id) => id.clone(),
            None => identity
                .client
                .get_id(&identity.pool_id, None)
                .await
                .map_err(|e| identity_error(e, false))?,
        };
        let fetched =
            guest_credentials(identity, &identity_id, from_cookie.is_some(), force_refresh).await?;
        if from_cookie.as_deref() != Some(fetched.identity_id.as_str()) {
            // With disputed copies the new identity is kept for this request only: a Set-Cookie would replace
            // the browser's own cookie, and leave the planted one in place.
            let send = !disputed && guest_cookie_sent(ctx, identity);
            ctx.set_identity_cookie(&name, &fetched.identity_id, send);
        }
        fetched
    };
    Ok(IdentityCredentials {
        identity_id: fetched.identity_id,
        credentials: fetched.credentials,
        authenticated: false,
    })
}

/// Guest credentials for `identity_id`; when the id came from a cookie (or the runner) and Cognito refuses it
/// or no longer knows it, a new guest identity replaces it.
async fn guest_credentials(
    identity: &IdentityRuntime,
    identity_id: &str,
    replaceable: bool,
    force_refresh: bool,
) -> Result<Fetched, AuthError> {
    let (client, pool, asked) = (
        identity.client.clone(),
        identity.pool_id.clone(),
        identity_id.to_owned(),
    );
    identity
        .cache
        .get_or_fetch(guest_key(&pool, identity_id), force_refresh, move || async move {
            let (asked, answer) = match client.get_credentials_for_identity(&asked, None).await {
                Err(e) if replaceable && (identity_gone(&e) || e.is_not_authorized()) => {
                    tracing::debug!(error = %e, "the guest identity id was refused; getting a new one");
                    let fresh = client.get_id(&pool, None).await?;
                    let answer = client.get_credentials_for_identity(&fresh, None).await?;
                    (fresh, answer)
                }
                other => (asked, other?),
            };
            Ok(Fetched {
                identity_id: answer.identity_id.unwrap_or(asked),
                credentials: answer.credentials,
            })
        })
        .await
        .map_err(|e| identity_error(e, false))
}

fn identity_gone(error: &CognitoError) -> bool {
    error.code() == Some("ResourceNotFoundException")
}

/// Maps a Cognito Identity failure; missing fields in a success answer get Amplify's names.
fn identity_error(error: CognitoError, authenticated: bool) -> AuthError {
    match error {
        CognitoError::InvalidResponse { operation, detail } => AuthError::InvalidIdentityResponse {
            code: match (operation, authenticated) {
                ("GetId", _) => "GetIdResponseException",
                (_, true) => "CredentialsException",
                (_, false) => "CredentialsNotFoundException",
            },
            detail: format!("{operation}: {detail}"),
        },
        other => AuthError::Cognito(other),
    }
}

/// Whether a cookie value looks like an identity id (`<region>:<uuid>`), so junk never reaches Cognito or
/// the cache.
fn plausible_identity_id(value: &str) -> bool {
    (3..=128).contains(&value.len())
        && value.contains(':')
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'-' | b'_'))
}

/// The guest identity id the request's cookie names, and whether its copies disagree. Copies that are not
/// identity ids are ignored. Copies naming different identities give none: another site may have planted its
/// own guest identity (the victim's uploads would then land under the attacker's `private/{id}/`), and which
/// copy is the browser's own cannot be told.
fn guest_cookie(ctx: &ServerContext, name: &str) -> (Option<String>, bool) {
    let mut ids = ctx.cookie_copies(name);
    ids.retain(|id| plausible_identity_id(id));
    ids.sort_unstable();
    ids.dedup();
    match ids.len() {
        0 => (None, false),
        1 => (ids.pop(), false),
        _ => {
            tracing::warn!(
                "the guest identity cookie comes in copies naming different identities (one planted by another \
                 site?); using a new guest identity for this request"
            );
            (None, true)
        }
    }
}

/// Whether writes of the guest identity cookie become `Set-Cookie` headers (see the module docs).
fn guest_cookie_sent(ctx: &ServerContext, identity: &IdentityRuntime) -> bool {
    !matches!(ctx.runner().cookie_mode(), CookieMode::ServerAuth { .. })
        || identity.http_only_guest_cookie
}

/// Drops the cached credentials of the session being signed out (called by [`sign_out`](crate::sign_out)), for
/// every copy of its id-token cookie; when they are shared, `notice` forgets them in the store too.
pub(crate) fn forget_session_credentials(
    ctx: &ServerContext,
    runtime: &AuthRuntime,
    username: &str,
    notice: &mut SignOutNotice,
) {
    let Some(identity) = &runtime.identity else {
        return;
    };
    let names = AuthCookieNames::new(&runtime.config.user_pool_client_id);
    for raw in ctx.cookie_copies(&names.user_key(username, TokenSlot::IdToken)) {
        if !raw.is_empty() {
            let key = credentials_key(&identity.pool_id, &IdToken::new(raw));
            identity.cache.forget(&key);
            if identity.shared.is_some() {
                notice.forget_credentials(key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_of_credentials_is_redacted() {
        let mut credentials =
            AwsCredentials::new("ASIAKEY", "top-secret", Some("session-tok".into()));
        credentials.expiration = Some(SystemTime::UNIX_EPOCH);
        let identity = IdentityCredentials::new("us-east-1:abc", credentials, false);
        let text = format!("{identity:?}");
        assert!(
            text.contains("ASIAKEY") && text.contains("us-east-1:abc"),
            "{text}"
        );
        assert!(
            !text.contains("top-secret") && !text.contains("session-tok"),
            "{text}"
        );
    }

    #[test]
    fn identity_ids_are_checked_before_use() {
        assert!(plausible_identity_id(
            "us-east-1:0d6b1c3a-1111-2222-3333-444455556666"
        ));
        assert!(!plausible_identity_id(""));
        assert!(!plausible_identity_id("no-colon"));
        assert!(!plausible_identity_id("us-east-1:a\"b"));
    }

    #[test]
    fn remaining_lifetime_saturates() {
        let mut credentials = AwsCredentials::new("A", "s", None);
        assert_eq!(credentials.remaining_lifetime(SystemTime::now()), None);
        credentials.expiration = Some(SystemTime::UNIX_EPOCH);
        assert_eq!(
            credentials.remaining_lifetime(SystemTime::now()),
            Some(Duration::ZERO)
        );
    }
}
