//! What several instances of an application share: the [`SharedStore`] interface, an in-memory
//! [`MemoryStore`], and `RedisStore` (feature `redis`) for instances behind a load balancer.
//!
//! Without a store, a runner keeps everything in its own process: one refresh per refresh token **per
//! process**, sign-outs refused by **this process**, identity credentials fetched by **each process**. With a
//! store set on the [runner builder](crate::ServerRunnerBuilder::store) (or
//! [`redis_url`](crate::ServerRunnerBuilder::redis_url), or `AMPLIFY_SSR_REDIS_URL`):
//!
//! * **Refresh single flight across instances.** The first instance to refresh a refresh token takes a short
//!   lease in the store (keyed by a hash of the token, owned by a random token, expiring on its own if the holder
//!   dies) and calls Cognito; it stores the result **sealed** (AES-256-GCM, with the runner's cookie encryption
//!   key, bound to the store key) for the refresh reuse window (30 s). The other instances poll for the result
//!   with backoff while the lease is held, and set the same cookies. A store that fails or is slower than the
//!   timeout makes the refresh fall back to the per-process single flight, with one warning per incident.
//! * **Revocations shared.** A sign-out publishes the session's id (a hash of `origin_jti`) and its expiry; every
//!   instance adds it to its in-process list from a subscription, and loads the live list when it (re)connects.
//!   Requests never ask the store: the in-process list is all they read, and a sign-out sends its store calls
//!   in a background task. A revocation the store missed is kept (at most 1,000) and published again until the
//!   store takes it.
//! * **Identity credentials shared, on request**
//!   ([`share_identity_credentials`](crate::ServerRunnerBuilder::share_identity_credentials)): signed-in users'
//!   identity-pool credentials are fetched once across the instances under a lease, like a refresh, and stored
//!   sealed until the refresh margin before they expire. A sign-out deletes them, with the session's stored
//!   refresh result, in the background task that publishes its revocation.
//! * Verified tokens stay per process (cheap, nothing to share).
//!
//! Store keys are the store's prefix, a purpose, and the hex SHA-256 of the secret they stand for: no token is
//! ever a key. Stored results (refreshes, identity credentials) are sealed: an entry that does not open is
//! ignored (and logged), never trusted. Lease owners and revocations are not sealed: a revocation is a session
//! hash and an expiry, and an instance keeps one it hears of for at most 24 hours, whatever expiry the store
//! gives.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use redis::RedisStore;

/// What a store operation returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A sign-out every instance must refuse: the session's id (SHA-256 of its `origin_jti`, or of its `jti`) and
/// until when (Unix seconds).
#[derive(Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Revocation {
    /// SHA-256 of the session id (never the id itself).
    pub session: [u8; 32],
    /// Unix seconds after which the session's tokens have expired anyway.
    pub until: i64,
}

impl Revocation {
    /// A revocation of the session hashed to `session` until `until` (Unix seconds).
    #[must_use]
    pub fn new(session: [u8; 32], until: i64) -> Self {
        Self { session, until }
    }
}

impl fmt::Debug for Revocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Revocation")
            .field("session", &hex(&self.session[..4]))
            .field("until", &self.until)
            .finish()
    }
}

/// Where a store delivers the revocations it hears of; returns `false` once nobody listens any more (the runner
/// was dropped), and the store stops watching.
pub type RevocationSink = Arc<dyn Fn(Revocation) -> bool + Send + Sync>;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store cannot be reached, or answered with an error.
    #[error("the shared store is unavailable: {0}")]
    Unavailable(String),
    /// The store did not answer within its timeout.
    #[error("the shared store did not answer within {0:?}")]
    TimedOut(Duration),
    /// The store's URL cannot be used.
    #[error(
        "invalid shared store URL: {0}; use redis://[user:password@]host:port[/db] or rediss:// for TLS"
    )]
    InvalidUrl(String),
}

/// What several instances share (see the [module docs](self)). Object safe: a runner holds an
/// `Arc<dyn SharedStore>`. Keys come without the store's prefix: the store adds it.
pub trait SharedStore: Send + Sync + fmt::Debug + 'static {
    /// The value stored under `key`, if any and not expired.
    fn get<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Vec<u8>>>;
    /// Stores `value` under `key` for `ttl`.
    fn put<'a>(&'a self, key: &'a str, value: Vec<u8>, ttl: Duration) -> StoreFuture<'a, ()>;
    /// Removes `key`.
    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()>;
    /// Takes the lease `key` for `owner` for `ttl` if nobody holds it; `true` when taken.
    fn try_lease<'a>(
        &'a self,
        key: &'a str,
        owner: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, bool>;
    /// Releases the lease `key` if `owner` still holds it (a lease that expired and was taken over is left alone).
    fn release_lease<'a>(&'a self, key: &'a str, owner: &'a str) -> StoreFuture<'a, ()>;
    /// Records `revocation` for every instance, until it expires, and tells the instances watching.
    fn publish_revocation(&self, revocation: Revocation) -> StoreFuture<'_, ()>;
    /// Delivers to `sink` the live revocations now and every one published later, and the live list again after
    /// each reconnection, until `sink` returns `false`. Called once per runner; runs in the background (needs a
    /// tokio runtime).
    fn watch_revocations(&self, sink: RevocationSink);
    /// Connects ahead of the first request that needs the store (called once, in the background, when the
    /// runner is built); a failure here is only logged. Nothing to do by default.
    fn connect(&self) -> StoreFuture<'_, ()> {
        Box::pin(async { Ok(()) })
    }
    /// How long one operation may take before the library gives up on it and falls back to this process alone.
    fn timeout(&self) -> Duration {
        DEFAULT_TIMEOUT
    }
}

/// Default time one store operation may take: 250 ms.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);

/// Default prefix of every key a store writes: `amplify-ssr:`.
pub const DEFAULT_PREFIX: &str = "amplify-ssr:";

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// How many live revocations a [`MemoryStore`] keeps (as many as a runner's list).
const MEMORY_REVOCATIONS: usize = 50_000;

fn unix_seconds() -> i64 {
    crate::jwt::unix_seconds(std::time::SystemTime::now())
}

/// A store in this process's memory: shares between runners of one process (tests, several apps in one
/// binary), not between processes. Expired values are swept on every write, and expired revocations on every
/// publication (at most 50,000 live ones are kept). It can be switched [unavailable](Self::set_available) to exercise the
/// failure rules.
#[derive(Clone, Default)]
pub struct MemoryStore {
    inner: Arc<MemoryInner>,
}

#[derive(Default)]
struct MemoryInner {
    entries: Mutex<MemoryState>,
    unavailable: AtomicBool,
}

#[derive(Default)]
struct MemoryState {
    values: HashMap<String, (Vec<u8>, Instant)>,
    revocations: Vec<Revocation>,
    sinks: Vec<RevocationSink>,
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("entries", &self.lock().values.len())
            .finish_non_exhaustive()
    }
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes every operation fail (`false`) or work again (`true`); on return, watchers get the live list again,
    /// as after a reconnection.
    pub fn set_available(&self, available: bool) {
        let was = !self.inner.unavailable.swap(!available, Ordering::SeqCst);
        if available && !was {
            let (live, sinks) = {
                let state = self.lock();
                (state.revocations.clone(), state.sinks.clone())
            };
            for sink in sinks {
                for revocation in &live {
                    sink(*revocation);
                }
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, MemoryState> {
        self.inner
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn check(&self) -> Result<(), StoreError> {
        if self.inner.unavailable.load(Ordering::SeqCst) {
            Err(StoreError::Unavailable(
                "the memory store is switched off".to_owned(),
            ))
        } else {
            Ok(())
        }
    }

    fn live(&self, key: &str) -> Option<Vec<u8>> {
        let mut state = self.lock();
        match state.values.get(key) {
            Some((value, until)) if Instant::now() < *until => Some(value.clone()),
            Some(_) => {
                state.values.remove(key);
                None
            }
            None => None,
        }
    }
}

impl SharedStore for MemoryStore {
    fn get<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            self.check()?;
            Ok(self.live(key))
        })
    }

    fn put<'a>(&'a self, key: &'a str, value: Vec<u8>, ttl: Duration) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.check()?;
            let now = Instant::now();
            let mut state = self.lock();
            // Expired values (results, leases) go on every write: memory follows the live entries.
            state.values.retain(|_, (_, until)| now < *until);
            state.values.insert(key.to_owned(), (value, now + ttl));
            Ok(())
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.check()?;
            self.lock().values.remove(key);
            Ok(())
        })
    }

    fn try_lease<'a>(
        &'a self,
        key: &'a str,
        owner: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            self.check()?;
            // Checked and taken under one guard: two runners cannot both take it.
            let mut state = self.lock();
            let now = Instant::now();
            if state.values.get(key).is_some_and(|(_, until)| now < *until) {
                return Ok(false);
            }
            state
                .values
                .insert(key.to_owned(), (owner.as_bytes().to_vec(), now + ttl));
            Ok(true)
        })
    }

    fn release_lease<'a>(&'a self, key: &'a str, owner: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.check()?;
            let mut state = self.lock();
            if state
                .values
                .get(key)
                .is_some_and(|(held, _)| held == owner.as_bytes())
            {
                state.values.remove(key);
            }
            Ok(())
        })
    }

    fn publish_revocation(&self, revocation: Revocation) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            self.check()?;
            let sinks = {
                let mut state = self.lock();
                let now = unix_seconds();
                state
                    .revocations
                    .retain(|kept| kept.until > now && kept.session != revocation.session);
                if state.revocations.len() >= MEMORY_REVOCATIONS {
                    // Full of live entries: the one that expires first goes.
                    if let Some(first) = state
                        .revocations
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, kept)| kept.until)
                        .map(|(n, _)| n)
                    {
                        state.revocations.swap_remove(first);
                    }
                }
                state.revocations.push(revocation);
                state.sinks.clone()
            };
            let gone: Vec<usize> = sinks
                .iter()
                .enumerate()
                .filter_map(|(n, sink)| (!sink(revocation)).then_some(n))
                .collect();
            if !gone.is_empty() {
                // Runners that were dropped: forget their sinks.
                self.lock()
                    .sinks
                    .retain(|sink| !gone.iter().any(|n| Arc::ptr_eq(sink, &sinks[*n])));
            }
            Ok(())
        })
    }

    fn watch_revocations(&self, sink: RevocationSink) {
        let live = {
            let mut state = self.lock();
            state.sinks.push(Arc::clone(&sink));
            state.revocations.clone()
        };
        for revocation in live {
            sink(revocation);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn one_lease_taker_wins_among_concurrent_ones() {
        let store = MemoryStore::new();
        for round in 0..200 {
            let key = format!("lease:{round}");
            let takers: Vec<_> = (0..8)
                .map(|n| {
                    let (store, key) = (store.clone(), key.clone());
                    tokio::spawn(async move {
                        store
                            .try_lease(&key, &n.to_string(), Duration::from_secs(60))
                            .await
                            .unwrap()
                    })
                })
                .collect();
            let mut won = 0;
            for taker in takers {
                won += usize::from(taker.await.unwrap());
            }
            assert_eq!(won, 1, "round {round}");
        }
    }

    #[tokio::test]
    async fn expired_values_and_revocations_are_swept() {
        let store = MemoryStore::new();
        for n in 0..100 {
            store
                .put(&format!("gone:{n}"), vec![0; 64], Duration::ZERO)
                .await
                .unwrap();
        }
        store
            .put("live", vec![1], Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(store.lock().values.len(), 1, "only the live value is left");

        let now = unix_seconds();
        for n in 0..100u8 {
            store
                .publish_revocation(Revocation::new([n; 32], now - 1))
                .await
                .unwrap();
        }
        store
            .publish_revocation(Revocation::new([200; 32], now + 60))
            .await
            .unwrap();
        assert_eq!(
            store.lock().revocations.len(),
            1,
            "only the live revocation"
        );
        // The same session published twice is kept once.
        store
            .publish_revocation(Revocation::new([200; 32], now + 60))
            .await
            .unwrap();
        assert_eq!(store.lock().revocations.len(), 1);
    }
}
