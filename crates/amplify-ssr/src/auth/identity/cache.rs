//! The runner-wide credentials cache: bounded, expiry-aware, and single flight per key.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use super::AwsCredentials;
pub(crate) use crate::auth::single_flight::Key;
use crate::auth::single_flight::SingleFlight;
use crate::cognito::CognitoError;
pub(crate) use crate::secret::hash_key as key;

/// How long credentials without an `Expiration` are reused (aws-amplify keeps credentials 50 minutes).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(50 * 60);

/// Credentials and the identity they belong to.
#[derive(Clone, Debug)]
pub(crate) struct Fetched {
    pub(crate) identity_id: String,
    pub(crate) credentials: AwsCredentials,
}

type Outcome = Result<Fetched, CognitoError>;

/// Runner-wide cache of identity-pool credentials and of authenticated users' identity ids.
#[derive(Clone)]
pub(crate) struct CredentialsCache {
    credentials: SingleFlight<Fetched, CognitoError>,
    state: Arc<Mutex<State>>,
    capacity: usize,
    margin: Duration,
}

impl std::fmt::Debug for CredentialsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialsCache")
            .field("capacity", &self.capacity)
            .field("refresh_margin", &self.margin)
            .field("entries", &self.credentials.len())
            .field("identities", &self.lock().identities.len())
            .finish()
    }
}

#[derive(Default)]
struct State {
    /// Identity ids of signed-in users, keyed by (pool, login provider, sub): an identity id never changes for
    /// a user, so `GetId` runs once per user and process.
    identities: HashMap<Key, (String, Instant)>,
}

impl CredentialsCache {
    pub(crate) fn new(capacity: usize, margin: Duration) -> Self {
        Self {
            credentials: SingleFlight::new(
                capacity,
                (),
                move |fetched: &Fetched, _| usable_until(fetched, margin),
                |join_error| CognitoError::InvalidResponse {
                    operation: "GetCredentialsForIdentity",
                    detail: format!("the credentials task did not complete: {join_error}"),
                },
            ),
            state: Arc::default(),
            capacity,
            margin,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every update is a single insert or remove, so the map stays consistent across a panic elsewhere.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Cached credentials for `key` while they are more than the refresh margin away from expiry; otherwise
    /// the result of `fetch`, shared with every concurrent caller of the same key. `force` skips a cached value
    /// (a fetch already running is still joined: it started after the cached value was stored).
    ///
    /// `fetch` runs in its own task, so a caller that is cancelled does not cancel it: the result is stored for
    /// the next request. A failed fetch is not stored, so the next request tries again.
    pub(crate) async fn get_or_fetch<F, Fut>(&self, key: Key, force: bool, fetch: F) -> Outcome
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Outcome> + Send + 'static,
    {
        self.credentials
            .get_or_compute(key, force, |()| Ok(()), fetch)
            .await
    }

    /// Drops the credentials cached (or being fetched) under `key`; a fetch in flight still answers its
    /// waiters but is not stored.
    pub(crate) fn forget(&self, key: &Key) {
        self.credentials.forget(key, |()| ());
    }

    /// The identity id remembered for a signed-in user.
    pub(crate) fn identity_for(&self, user: &Key) -> Option<String> {
        self.lock().identities.get(user).map(|(id, _)| id.clone())
    }

    /// Remembers a signed-in user's identity id (bounded like the credentials).
    pub(crate) fn remember_identity(&self, user: Key, identity_id: &str) {
        if self.capacity == 0 {
            return;
        }
        let mut state = self.lock();
        if state.identities.len() >= self.capacity && !state.identities.contains_key(&user) {
            let mut stored: Vec<Instant> = state.identities.values().map(|(_, at)| *at).collect();
            let evict = (self.capacity / 16).clamp(1, stored.len());
            let (_, cutoff, _) = stored.select_nth_unstable(evict - 1);
            let cutoff = *cutoff;
            state.identities.retain(|_, (_, at)| *at > cutoff);
        }
        state
            .identities
            .insert(user, (identity_id.to_owned(), Instant::now()));
    }

    /// Forgets a signed-in user's identity id (Cognito no longer knows it).
    pub(crate) fn forget_identity(&self, user: &Key) {
        self.lock().identities.remove(user);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.credentials.len()
    }
}

/// Until when credentials are reused: their expiration minus the refresh margin (50 minutes from now without
/// one); `None` when that is already past.
fn usable_until(fetched: &Fetched, margin: Duration) -> Option<Instant> {
    let now = SystemTime::now();
    let until = match fetched.credentials.expiration {
        Some(expiration) => expiration
            .checked_sub(margin)
            .unwrap_or(std::time::UNIX_EPOCH),
        None => now + DEFAULT_LIFETIME,
    };
    let left = until.duration_since(now).ok()?;
    Some(Instant::now() + left)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::AwsSecretAccessKey;
    use futures_util::FutureExt as _;
    use futures_util::future::BoxFuture;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn fetched(id: &str, lifetime: Duration) -> Fetched {
        Fetched {
            identity_id: id.to_owned(),
            credentials: AwsCredentials {
                access_key_id: format!("AKIA{id}"),
                secret_access_key: AwsSecretAccessKey::new("secret"),
                session_token: None,
                expiration: Some(SystemTime::now() + lifetime),
            },
        }
    }

    fn counted(
        calls: &Arc<AtomicUsize>,
        id: &'static str,
        lifetime: Duration,
    ) -> impl FnOnce() -> BoxFuture<'static, Outcome> {
        let calls = Arc::clone(calls);
        move || {
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok(fetched(id, lifetime))
            }
            .boxed()
        }
    }

    const HOUR: Duration = Duration::from_secs(3600);

    #[tokio::test]
    async fn hits_share_flights_and_respect_the_margin() {
        let cache = CredentialsCache::new(100, Duration::from_secs(300));
        let calls = Arc::new(AtomicUsize::new(0));
        let k = key(&["guest", "pool", "id1"]);
        let (a, b) = tokio::join!(
            cache.get_or_fetch(k, false, counted(&calls, "1", HOUR)),
            cache.get_or_fetch(k, false, counted(&calls, "1", HOUR)),
        );
        assert_eq!(a.unwrap().identity_id, b.unwrap().identity_id);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        cache
            .get_or_fetch(k, false, counted(&calls, "1", HOUR))
            .await
            .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1, "cache hit");
        cache
            .get_or_fetch(k, true, counted(&calls, "1", HOUR))
            .await
            .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2, "forced");

        // Credentials within the margin of their expiry are never reused.
        let near = key(&["guest", "pool", "near"]);
        for expected in 1..=2 {
            cache
                .get_or_fetch(near, false, counted(&calls, "2", Duration::from_secs(200)))
                .await
                .unwrap();
            assert_eq!(calls.load(Ordering::SeqCst), 2 + expected);
        }
    }

    // On tokio's paused clock: the caller gives up after 1 ms and the fetch ends at 20 ms, whatever the load.
    #[tokio::test(start_paused = true)]
    async fn a_cancelled_caller_does_not_lose_the_result_and_forget_drops_it() {
        let cache = CredentialsCache::new(100, Duration::ZERO);
        let calls = Arc::new(AtomicUsize::new(0));
        let k = key(&["auth", "pool", "token"]);
        let cancelled = tokio::time::timeout(
            Duration::from_millis(1),
            cache.get_or_fetch(k, false, counted(&calls, "1", HOUR)),
        )
        .await;
        assert!(cancelled.is_err());
        tokio::time::sleep(Duration::from_millis(60)).await;
        cache
            .get_or_fetch(k, false, counted(&calls, "1", HOUR))
            .await
            .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        cache.forget(&k);
        cache
            .get_or_fetch(k, false, counted(&calls, "1", HOUR))
            .await
            .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn failures_are_not_cached_and_the_size_is_bounded() {
        let cache = CredentialsCache::new(32, Duration::ZERO);
        let k = key(&["x"]);
        let failed = cache
            .get_or_fetch(k, false, || async {
                Err(CognitoError::InvalidResponse {
                    operation: "GetId",
                    detail: "x".into(),
                })
            })
            .await;
        assert!(failed.is_err());
        assert_eq!(cache.len(), 0);
        let calls = Arc::new(AtomicUsize::new(0));
        for i in 0..200 {
            let k = key(&["guest", &i.to_string()]);
            cache
                .get_or_fetch(k, false, counted(&calls, "n", HOUR))
                .await
                .unwrap();
            assert!(cache.len() <= 32, "{}", cache.len());
        }
        for i in 0..200 {
            cache.remember_identity(key(&["sub", &i.to_string()]), "id");
        }
        assert!(cache.lock().identities.len() <= 32);
    }
}
