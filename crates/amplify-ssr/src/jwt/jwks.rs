//! The user pool's signing keys: fetched lazily, parsed once, re-fetched (rate-limited) when a new `kid` shows up.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use serde_json::Value;
use tokio::time::Instant;
use tracing::Instrument as _;
use url::Url;

use super::decode::b64;
use super::error::truncated;
use super::{JwksError, VerifyError};
use crate::outbound::{TransportError, read_bounded};

/// JWKS documents larger than this are rejected (Cognito's is about 1 KiB).
const MAX_JWKS_BYTES: usize = 256 * 1024;

/// Default for [`JwksCache::with_min_refetch_interval`].
pub const DEFAULT_MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(60);

/// Default for [`JwksCache::with_fetch_timeout`].
pub const DEFAULT_JWKS_FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// A user pool's JSON Web Key Set, fetched over HTTP and cached in memory, shared by every verifier of the pool.
///
/// * **Lazy:** nothing is fetched until the first token needs a key (or [`refresh`](Self::refresh) is called).
/// * **Parsed once:** each RSA key is turned into a ready-to-use public key when the document arrives, so a
///   verification costs one RSA operation and no parsing.
/// * **Key rotation:** a token whose `kid` is not in the cached set triggers a re-fetch, at most once per
///   [`min_refetch_interval`](Self::with_min_refetch_interval) (default 60 s). Tokens with random key ids
///   therefore cannot make the server hammer the JWKS endpoint; within the interval they get
///   [`VerifyError::UnknownKey`] at no network cost.
/// * **Single flight:** concurrent callers that need a fetch share one request; those that waited for it take
///   its result (keys or error) instead of fetching again.
/// * **Failures are transient:** a failed fetch gives [`VerifyError::JwksUnavailable`]; keys from an earlier
///   successful fetch stay in use. Until a first fetch succeeds, every new verification (one at a time) retries.
///
/// The JWKS URL is configured separately from the issuer on purpose: local test servers (moto, cognito-local,
/// amplify-local) serve the JWKS from their own address while tokens name the AWS issuer.
///
/// Each fetch has its own timeout ([`with_fetch_timeout`](Self::with_fetch_timeout), default 5 s) on top of
/// whatever timeouts the `reqwest::Client` has.
pub struct JwksCache {
    http: reqwest::Client,
    url: Url,
    min_refetch_interval: Duration,
    fetch_timeout: Duration,
    state: RwLock<State>,
    fetch_lock: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    keys: Option<Arc<KeySet>>,
    /// When the last fetch attempt (successful or not) finished.
    last_attempt: Option<Instant>,
    /// The error of the last attempt, cleared by a success.
    last_error: Option<JwksError>,
    /// Incremented by every fetch attempt, so callers that waited for a fetch can see that one happened.
    generation: u64,
}

#[derive(Default)]
struct KeySet {
    keys: HashMap<String, KeyEntry>,
}

enum KeyEntry {
    Rsa(Arc<ParsedPublicKey>),
    Unusable(&'static str),
}

enum Lookup {
    Found(Arc<ParsedPublicKey>),
    Missing,
}

impl std::fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.read_state();
        f.debug_struct("JwksCache")
            .field("url", &self.url.as_str())
            .field("min_refetch_interval", &self.min_refetch_interval)
            .field("fetch_timeout", &self.fetch_timeout)
            .field("cached_keys", &state.keys.as_ref().map(|k| k.keys.len()))
            .field("fetches", &state.generation)
            .finish_non_exhaustive()
    }
}

impl JwksCache {
    /// A cache for the JWKS at `jwks_url` (for Cognito,
    /// `https://cognito-idp.{region}.amazonaws.com/{userPoolId}/.well-known/jwks.json`), fetched with `http`.
    ///
    /// Nothing is fetched until a key is needed.
    #[must_use]
    pub fn new(http: reqwest::Client, jwks_url: Url) -> Self {
        Self {
            http,
            url: jwks_url,
            min_refetch_interval: DEFAULT_MIN_REFETCH_INTERVAL,
            fetch_timeout: DEFAULT_JWKS_FETCH_TIMEOUT,
            state: RwLock::new(State::default()),
            fetch_lock: tokio::sync::Mutex::new(()),
        }
    }

    /// The shortest time between two fetches triggered by unknown key ids (default 60 s). The first fetch, and
    /// fetches while no key set has been loaded yet, are not limited.
    #[must_use]
    pub fn with_min_refetch_interval(mut self, interval: Duration) -> Self {
        self.min_refetch_interval = interval;
        self
    }

    /// The time limit of one JWKS request, connection to last body byte (default 5 s).
    #[must_use]
    pub fn with_fetch_timeout(mut self, timeout: Duration) -> Self {
        self.fetch_timeout = timeout;
        self
    }

    /// The JWKS URL.
    #[must_use]
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Fetches the key set now, ignoring the re-fetch interval (for example to warm the cache at start-up).
    /// If a fetch is already running, waits for it and returns its outcome instead of starting another.
    ///
    /// # Errors
    ///
    /// The fetch failed; keys loaded earlier stay in use.
    pub async fn refresh(&self) -> Result<(), JwksError> {
        let generation = self.read_state().generation;
        let _guard = self.fetch_lock.lock().await;
        {
            let state = self.read_state();
            if state.generation != generation {
                return state.last_error.clone().map_or(Ok(()), Err);
            }
        }
        self.fetch_and_store().await;
        self.read_state().last_error.clone().map_or(Ok(()), Err)
    }

    /// The key for `kid`, fetching or re-fetching the key set if needed and allowed.
    pub(super) async fn key(&self, kid: &str) -> Result<Arc<ParsedPublicKey>, VerifyError> {
        let generation = {
            let state = self.read_state();
            if let Some(keys) = &state.keys {
                if let Lookup::Found(key) = keys.lookup(kid)? {
                    return Ok(key);
                }
                if !self.refetch_allowed(&state) {
                    return Err(missing(&state, kid));
                }
            }
            state.generation
        };

        let _guard = self.fetch_lock.lock().await;
        {
            let state = self.read_state();
            if state.generation != generation {
                // Another caller fetched while this one waited: use its result.
                return found_or_missing(&state, kid);
            }
            if state.keys.is_some() && !self.refetch_allowed(&state) {
                return Err(missing(&state, kid));
            }
        }
        tracing::debug!(kid = %truncated(kid, 64), "JWKS fetch for a key id not in the cache");
        self.fetch_and_store().await;
        found_or_missing(&self.read_state(), kid)
    }

    fn refetch_allowed(&self, state: &State) -> bool {
        state
            .last_attempt
            .is_none_or(|t| t.elapsed() >= self.min_refetch_interval)
    }

    fn read_state(&self) -> std::sync::RwLockReadGuard<'_, State> {
        // A poisoned lock only means a panic elsewhere while holding it; the state itself is always consistent.
        self.state
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs one fetch (the caller holds `fetch_lock`) and records its outcome.
    async fn fetch_and_store(&self) {
        let result = self.fetch().await;
        let mut state = self
            .state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.generation = state.generation.wrapping_add(1);
        state.last_attempt = Some(Instant::now());
        match result {
            Ok(keys) => {
                state.keys = Some(Arc::new(keys));
                state.last_error = None;
            }
            Err(err) => {
                tracing::warn!(error = %err, "JWKS fetch failed");
                state.last_error = Some(err);
            }
        }
    }

    async fn fetch(&self) -> Result<KeySet, JwksError> {
        let span = tracing::info_span!(
            "jwks_fetch",
            operation = "GetJwks",
            attempt = 1u32,
            url = %self.url,
            status = tracing::field::Empty,
        );
        async {
            let mut response = self
                .http
                .get(self.url.clone())
                .timeout(self.fetch_timeout)
                .header(http::header::ACCEPT, "application/json")
                .send()
                .await
                .map_err(|e| JwksError::Request(TransportError::new(e)))?;
            let status = response.status();
            tracing::Span::current().record("status", status.as_u16());
            if !status.is_success() {
                return Err(JwksError::Status {
                    status: status.as_u16(),
                });
            }
            if response
                .content_length()
                .is_some_and(|len| len > MAX_JWKS_BYTES as u64)
            {
                return Err(JwksError::InvalidDocument(
                    "document is larger than 256 KiB".to_owned(),
                ));
            }
            let body = read_bounded(&mut response, MAX_JWKS_BYTES)
                .await
                .map_err(JwksError::Request)?;
            if body.truncated {
                return Err(JwksError::InvalidDocument(
                    "document is larger than 256 KiB".to_owned(),
                ));
            }
            let set = KeySet::parse(&body.bytes)?;
            tracing::debug!(keys = set.keys.len(), "JWKS fetched");
            Ok(set)
        }
        .instrument(span)
        .await
    }
}

fn found_or_missing(state: &State, kid: &str) -> Result<Arc<ParsedPublicKey>, VerifyError> {
    if let Some(keys) = &state.keys
        && let Lookup::Found(key) = keys.lookup(kid)?
    {
        return Ok(key);
    }
    Err(missing(state, kid))
}

/// The error for a `kid` that is not in the cached set: the last fetch's failure if it failed (the key may well
/// exist), otherwise "unknown key".
fn missing(state: &State, kid: &str) -> VerifyError {
    match &state.last_error {
        Some(err) => VerifyError::JwksUnavailable(err.clone()),
        None => VerifyError::UnknownKey {
            kid: truncated(kid, 64),
        },
    }
}

impl KeySet {
    fn lookup(&self, kid: &str) -> Result<Lookup, VerifyError> {
        match self.keys.get(kid) {
            Some(KeyEntry::Rsa(key)) => Ok(Lookup::Found(Arc::clone(key))),
            Some(KeyEntry::Unusable(reason)) => Err(VerifyError::UnusableKey {
                kid: truncated(kid, 64),
                reason,
            }),
            None => Ok(Lookup::Missing),
        }
    }

    fn parse(body: &[u8]) -> Result<Self, JwksError> {
        let doc: Value = serde_json::from_slice(body)
            .map_err(|_| JwksError::InvalidDocument("response is not JSON".to_owned()))?;
        let Some(keys) = doc.get("keys").and_then(Value::as_array) else {
            return Err(JwksError::InvalidDocument("no \"keys\" array".to_owned()));
        };
        let mut set = Self::default();
        for jwk in keys {
            // A key without a kid cannot be selected by a Cognito token; skip it.
            let Some(kid) = jwk.get("kid").and_then(Value::as_str) else {
                continue;
            };
            set.keys
                .entry(kid.to_owned())
                .or_insert_with(|| parse_jwk(jwk));
        }
        Ok(set)
    }
}

fn parse_jwk(jwk: &Value) -> KeyEntry {
    let field = |name: &str| jwk.get(name).and_then(Value::as_str);
    if field("kty") != Some("RSA") {
        return KeyEntry::Unusable("key type (kty) is not RSA");
    }
    if jwk.get("use").is_some() && field("use") != Some("sig") {
        return KeyEntry::Unusable("key use is not \"sig\"");
    }
    if jwk.get("alg").is_some() && field("alg") != Some("RS256") {
        return KeyEntry::Unusable("key alg is not RS256");
    }
    let (Some(n), Some(e)) = (field("n"), field("e")) else {
        return KeyEntry::Unusable("key has no modulus (n) or exponent (e)");
    };
    let (Ok(n), Ok(e)) = (b64(n, ""), b64(e, "")) else {
        return KeyEntry::Unusable("key modulus or exponent is not valid base64url");
    };
    let n = strip_leading_zeros(&n);
    let e = strip_leading_zeros(&e);
    let bits = n.first().map_or(0, |first| {
        (n.len() - 1) * 8 + (8 - first.leading_zeros() as usize)
    });
    if !(2048..=8192).contains(&bits) {
        return KeyEntry::Unusable("RSA modulus is not between 2048 and 8192 bits");
    }
    if e.is_empty() || e.len() > 4 {
        return KeyEntry::Unusable("RSA exponent is out of range");
    }
    match (RsaPublicKeyComponents { n, e }).to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256) {
        Ok(key) => KeyEntry::Rsa(Arc::new(key)),
        Err(_) => KeyEntry::Unusable("not a valid RSA public key"),
    }
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}
