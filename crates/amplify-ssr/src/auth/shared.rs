//! The runner's side of a [`SharedStore`](crate::store::SharedStore): the refresh single flight across
//! instances, the shared revocations, and the failure rules around both.
//!
//! # Refresh across instances
//!
//! Within a process, requests carrying one refresh token already share one refresh ([`super::refresh`]); the
//! process's one refresh then goes through here:
//!
//! 1. A result stored by another instance (sealed, keyed by the SHA-256 of the refresh token, kept for the reuse
//!    window) is used as is: same tokens, no Cognito call, no `on_refresh` hook (the instance that refreshed
//!    called it).
//! 2. Otherwise the instance takes the lease (`SET NX PX`, a random owner token, as long as the refresh deadline
//!    plus twice the store timeout plus a second), looks for a result once more (the previous holder may have finished between the first look
//!    and the lease), refreshes, stores the sealed result, and only then releases the lease (if it still owns it).
//! 3. An instance that finds the lease held polls for the result with backoff (5 ms doubling to 50 ms). When the
//!    lease goes away without a result (its holder died or failed), it takes the lease itself.
//!
//! **Failure rules.** Every store call is bounded by the store's timeout. A failed or slow call, a lease still
//! held after twice its lifetime, or a result that does not open, makes this process refresh on its own (the
//! per-process single flight still holds): at most one refresh per process, as without a store. The first
//! failure of an incident is logged at `warn`, later ones at `debug`, and the return of the store at `info`.
//!
//! # Sign-outs
//!
//! A sign-out updates this process's lists first, then sends its store calls in one background task
//! ([`SharedRuntime::sign_out`]): each session's revocation once, and deletions of the session's stored refresh
//! results and shared identity credentials. A revocation the store misses is kept (at most [`MAX_UNPUBLISHED`],
//! the oldest dropped first) and published again by a background task (every 50 ms doubling to 5 s) until the
//! store takes it, it expires, or the runner is dropped.
//!
//! # Why the key is the cookie key
//!
//! Stored results are sealed with the runner's cookie encryption key (`AMPLIFY_SSR_COOKIE_SECRET`), under their
//! own label and bound to their store key: every instance already needs that key (a sign-in step started on
//! one must open on another), and a second secret to distribute would add nothing, since a holder of the cookie
//! key can already read sign-in steps. A store is refused without an explicit key: a random per-process key
//! would seal results no other instance can open.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant, SystemTime};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::revocations::RevokedSessions;
use crate::cognito::AuthenticationResult;
use crate::jwt::unix_seconds;
use crate::sealing::Sealer;
use crate::secret::{AccessToken, CookieEncryptionKey, IdToken, RefreshToken};
use crate::store::{Revocation, SharedStore, StoreError, StoreFuture, hex};

/// First and longest pause between two polls for another instance's result.
const FIRST_POLL: Duration = Duration::from_millis(5);
const MAX_POLL: Duration = Duration::from_millis(50);

/// How many revocations whose publication failed are kept to publish again when the store returns.
pub(crate) const MAX_UNPUBLISHED: usize = 1_000;

/// First and longest pause between two attempts to publish the revocations the store missed.
const FIRST_RETRY: Duration = Duration::from_millis(50);
const MAX_RETRY: Duration = Duration::from_secs(5);

/// A runner's shared store, with the key that seals its entries.
pub(crate) struct SharedRuntime {
    store: Arc<dyn SharedStore>,
    sealer: Sealer,
    timeout: Duration,
    /// Set while the store is failing (one warning per incident).
    degraded: AtomicBool,
    /// Revocations the store missed (it failed when they were published), oldest first, at most
    /// [`MAX_UNPUBLISHED`]: published again, in the background, until the store takes them.
    unpublished: Mutex<VecDeque<Revocation>>,
    /// Set while a background task is publishing `unpublished`.
    retrying: AtomicBool,
}

/// What a sign-out tells the store, sent in one background task so that the response never waits on the store:
/// the sessions to revoke (once each) and the stored results to forget.
#[derive(Debug, Default)]
pub(crate) struct SignOutNotice {
    revocations: Vec<Revocation>,
    refresh_results: Vec<[u8; 32]>,
    credential_results: Vec<[u8; 32]>,
}

impl SignOutNotice {
    /// Revokes a session once, however many of its tokens (access, id, copies) name it, until the latest expiry.
    pub(crate) fn revoke(&mut self, revocation: Revocation) {
        match self
            .revocations
            .iter_mut()
            .find(|known| known.session == revocation.session)
        {
            Some(known) => known.until = known.until.max(revocation.until),
            None => self.revocations.push(revocation),
        }
    }

    /// Forgets the result stored for the refresh token hashed to `key`.
    pub(crate) fn forget_refresh(&mut self, key: [u8; 32]) {
        if !self.refresh_results.contains(&key) {
            self.refresh_results.push(key);
        }
    }

    /// Forgets the identity credentials stored for the id token hashed to `key`.
    pub(crate) fn forget_credentials(&mut self, key: [u8; 32]) {
        if !self.credential_results.contains(&key) {
            self.credential_results.push(key);
        }
    }

    fn is_empty(&self) -> bool {
        self.revocations.is_empty()
            && self.refresh_results.is_empty()
            && self.credential_results.is_empty()
    }
}

impl std::fmt::Debug for SharedRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedRuntime")
            .field("store", &self.store)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// What a shared computation produced.
pub(crate) enum SharedRefresh<T, E> {
    /// Another instance computed it: its result.
    Stored(T),
    /// This instance called Cognito (alone, or because the store failed).
    Called(Result<T, E>),
}

/// A refresh result as stored (sealed): the tokens and their lifetime.
#[derive(Serialize, Deserialize)]
struct StoredResult {
    access: String,
    id: Option<String>,
    refresh: Option<String>,
    expires_in: Option<i64>,
    token_type: Option<String>,
}

impl SharedRuntime {
    pub(crate) fn new(store: Arc<dyn SharedStore>, key: &CookieEncryptionKey) -> Self {
        let timeout = store.timeout();
        Self {
            store,
            sealer: Sealer::new(key),
            timeout,
            degraded: AtomicBool::new(false),
            unpublished: Mutex::default(),
            retrying: AtomicBool::new(false),
        }
    }

    /// Connects to the store in the background, so the first refresh does not pay for the connection.
    pub(crate) fn connect_in_background(&self) {
        let store = Arc::clone(&self.store);
        tokio::spawn(async move {
            if let Err(error) = store.connect().await {
                tracing::warn!(%error, "the shared store cannot be reached yet; refreshes stay per instance until it can");
            }
        });
    }

    /// Feeds the store's revocations into `revoked` (for as long as it lives).
    pub(crate) fn watch_revocations(&self, revoked: &Arc<RevokedSessions>) {
        let revoked: Weak<RevokedSessions> = Arc::downgrade(revoked);
        self.store.watch_revocations(Arc::new(move |revocation| {
            let Some(revoked) = revoked.upgrade() else {
                return false;
            };
            revoked.insert_shared(revocation);
            true
        }));
    }

    /// Runs one store call within the timeout; `None` (logged once per incident) when it fails.
    async fn call<T>(&self, what: &'static str, call: StoreFuture<'_, T>) -> Option<T> {
        let outcome = match tokio::time::timeout(self.timeout, call).await {
            Ok(outcome) => outcome,
            Err(_) => Err(StoreError::TimedOut(self.timeout)),
        };
        match outcome {
            Ok(value) => {
                if self.degraded.swap(false, Ordering::AcqRel) {
                    tracing::info!("the shared store answers again; sharing resumes");
                }
                Some(value)
            }
            Err(error) => {
                if self.degraded.swap(true, Ordering::AcqRel) {
                    tracing::debug!(%error, what, "shared store call failed");
                } else {
                    tracing::warn!(
                        %error,
                        what,
                        "the shared store failed; refreshes fall back to one per instance, and sign-outs \
                         reach the other instances when it returns"
                    );
                }
                None
            }
        }
    }

    /// Sends what a sign-out tells the store in one background task (the in-process list is already updated):
    /// the revocations, published to every instance (those the store misses are kept and published again when
    /// it returns), and the stored refresh results and identity credentials, deleted.
    pub(crate) fn sign_out(self: &Arc<Self>, notice: SignOutNotice) {
        if notice.is_empty() {
            return;
        }
        let this = Arc::clone(self);
        tokio::spawn(async move {
            for revocation in notice.revocations {
                if this
                    .call(
                        "publish_revocation",
                        this.store.publish_revocation(revocation),
                    )
                    .await
                    .is_none()
                {
                    this.keep_unpublished(revocation);
                }
            }
            for (purpose, secrets) in [
                ("refresh", &notice.refresh_results),
                ("credentials", &notice.credential_results),
            ] {
                for secret in secrets {
                    let (result, _) = keys(purpose, secret);
                    this.call("delete", this.store.delete(&result)).await;
                }
            }
        });
    }

    /// Keeps a revocation the store missed, and makes sure a background task publishes it when the store returns.
    fn keep_unpublished(self: &Arc<Self>, revocation: Revocation) {
        {
            let mut unpublished = self.unpublished();
            let now = unix_seconds(SystemTime::now());
            unpublished.retain(|kept| kept.until > now && kept.session != revocation.session);
            if unpublished.len() >= MAX_UNPUBLISHED {
                tracing::warn!(
                    "too many sign-outs wait for the shared store; the oldest will not reach the other instances"
                );
                unpublished.pop_front();
            }
            unpublished.push_back(revocation);
        }
        if self.retrying.swap(true, Ordering::AcqRel) {
            return;
        }
        let runtime = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut pause = FIRST_RETRY;
            loop {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(MAX_RETRY);
                // The runner was dropped: nobody left to publish for.
                let Some(this) = runtime.upgrade() else {
                    return;
                };
                if this.publish_unpublished().await {
                    this.retrying.store(false, Ordering::Release);
                    // One kept between the last look and the flag's reset would wait for the next sign-out.
                    if this.unpublished().is_empty() || this.retrying.swap(true, Ordering::AcqRel) {
                        return;
                    }
                }
            }
        });
    }

    /// Publishes the revocations the store missed; `true` when none is left.
    async fn publish_unpublished(&self) -> bool {
        loop {
            let next = {
                let mut unpublished = self.unpublished();
                let now = unix_seconds(SystemTime::now());
                unpublished.retain(|kept| kept.until > now);
                unpublished.front().copied()
            };
            let Some(revocation) = next else {
                return true;
            };
            if self
                .call(
                    "publish_revocation",
                    self.store.publish_revocation(revocation),
                )
                .await
                .is_none()
            {
                return false;
            }
            let mut unpublished = self.unpublished();
            if unpublished.front() == Some(&revocation) {
                unpublished.pop_front();
            }
        }
    }

    fn unpublished(&self) -> std::sync::MutexGuard<'_, VecDeque<Revocation>> {
        self.unpublished
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// How long one store call may take.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Refreshes once across the instances (see the [module docs](self)): `call` is Cognito, `lease` how long
    /// the lease lasts (the refresh deadline and a margin). With `force`, a result another instance stored is
    /// not used (the lease is still taken, so one refresh runs at a time).
    pub(crate) async fn refresh<E, F>(
        &self,
        token_key: &[u8; 32],
        lease: Duration,
        force: bool,
        call: F,
    ) -> SharedRefresh<AuthenticationResult, E>
    where
        F: AsyncFnOnce() -> Result<AuthenticationResult, E>,
    {
        let outcome = self
            .once(
                "refresh",
                token_key,
                lease,
                force,
                |_: &StoredResult| Some(super::refresh::REUSE_WINDOW),
                async || call().await.map(|result| StoredResult::from(&result)),
            )
            .await;
        match outcome {
            SharedRefresh::Stored(stored) => SharedRefresh::Stored(stored.into()),
            SharedRefresh::Called(outcome) => SharedRefresh::Called(outcome.map(Into::into)),
        }
    }

    /// Computes `call` once across the instances for the secret hashed to `secret_key`, under `purpose`: a
    /// sealed result another instance stored, or this instance's own call under the lease (its result stored
    /// for as long as `keep` says). Falls back to `call` whenever the store fails (see the [module docs](self)).
    /// With `force`, stored results are not read (this instance computes under the lease and stores its result).
    pub(crate) async fn once<T, E, F>(
        &self,
        purpose: &'static str,
        secret_key: &[u8; 32],
        lease: Duration,
        mut force: bool,
        keep: impl Fn(&T) -> Option<Duration>,
        call: F,
    ) -> SharedRefresh<T, E>
    where
        T: Serialize + DeserializeOwned,
        F: AsyncFnOnce() -> Result<T, E>,
    {
        let (result_key, lease_key) = keys(purpose, secret_key);
        let label = format!("amplify-ssr shared {purpose} v1");
        let Some(owner) = owner_token() else {
            return SharedRefresh::Called(call().await);
        };
        let give_up = Instant::now() + lease * 2;
        let mut pause = FIRST_POLL;
        loop {
            let look = if force {
                Some(None)
            } else {
                self.call("get", self.store.get(&result_key)).await
            };
            match look {
                Some(Some(sealed)) => match self.open(sealed, &label, &result_key) {
                    Some(result) => return SharedRefresh::Stored(result),
                    None => {
                        tracing::warn!(
                            purpose,
                            "a stored result does not open (another key?); ignored, computing here"
                        );
                        return SharedRefresh::Called(call().await);
                    }
                },
                Some(None) => {}
                None => return SharedRefresh::Called(call().await),
            }
            match self
                .call("lease", self.store.try_lease(&lease_key, &owner, lease))
                .await
            {
                Some(true) => {
                    // The holder before us stores its result before it releases the lease: a lease taken between
                    // our first look and now may follow a finished computation, so look again.
                    if !force
                        && let Some(Some(sealed)) =
                            self.call("get", self.store.get(&result_key)).await
                        && let Some(result) = self.open(sealed, &label, &result_key)
                    {
                        self.call("release", self.store.release_lease(&lease_key, &owner))
                            .await;
                        return SharedRefresh::Stored(result);
                    }
                    let outcome = call().await;
                    if let Ok(result) = &outcome
                        && let Some(ttl) = keep(result).filter(|ttl| !ttl.is_zero())
                        && let Some(sealed) = self.seal(result, &label, &result_key)
                    {
                        self.call("put", self.store.put(&result_key, sealed, ttl))
                            .await;
                    }
                    self.call("release", self.store.release_lease(&lease_key, &owner))
                        .await;
                    return SharedRefresh::Called(outcome);
                }
                Some(false) if Instant::now() < give_up => {
                    // Another instance is computing now: a forced call takes its result, as a forced refresh joins
                    // one running in this process (computing again would reuse a token it is rotating).
                    force = false;
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(MAX_POLL);
                }
                Some(false) => {
                    tracing::warn!(
                        purpose,
                        "another instance held the lease past its lifetime; computing here"
                    );
                    return SharedRefresh::Called(call().await);
                }
                None => return SharedRefresh::Called(call().await),
            }
        }
    }

    fn seal<T: Serialize>(&self, value: &T, label: &str, key: &str) -> Option<Vec<u8>> {
        let plain = serde_json::to_vec(value).ok()?;
        self.sealer.seal(plain, label, &[key])
    }

    fn open<T: DeserializeOwned>(&self, mut sealed: Vec<u8>, label: &str, key: &str) -> Option<T> {
        let plain = self.sealer.open(&mut sealed, label, &[key])?;
        serde_json::from_slice(plain).ok()
    }
}

impl From<&AuthenticationResult> for StoredResult {
    fn from(result: &AuthenticationResult) -> Self {
        Self {
            access: result.access_token.secret().to_owned(),
            id: result.id_token.as_ref().map(|t| t.secret().to_owned()),
            refresh: result.refresh_token.as_ref().map(|t| t.secret().to_owned()),
            expires_in: result.expires_in,
            token_type: result.token_type.clone(),
        }
    }
}

impl From<StoredResult> for AuthenticationResult {
    fn from(stored: StoredResult) -> Self {
        let mut result = AuthenticationResult::new(AccessToken::new(stored.access));
        result.id_token = stored.id.map(IdToken::new);
        result.refresh_token = stored.refresh.map(RefreshToken::new);
        result.expires_in = stored.expires_in;
        result.token_type = stored.token_type;
        result
    }
}

/// The store keys of a computation for the secret hashed to `secret_key` under `purpose`: its result and its
/// lease.
fn keys(purpose: &str, secret_key: &[u8; 32]) -> (String, String) {
    let secret = hex(secret_key);
    (
        format!("{purpose}:result:{secret}"),
        format!("{purpose}:lease:{secret}"),
    )
}

/// A random lease owner (128 bits).
fn owner_token() -> Option<String> {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).ok()?;
    Some(hex(&bytes))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use tokio::sync::oneshot;

    use super::*;
    use crate::store::MemoryStore;

    const LEASE: Duration = Duration::from_secs(10);

    fn runtime(store: &MemoryStore, key: u8) -> SharedRuntime {
        SharedRuntime::new(
            Arc::new(store.clone()),
            &CookieEncryptionKey::from_bytes([key; 32]),
        )
    }

    fn keep(_: &u32) -> Option<Duration> {
        Some(Duration::from_secs(30))
    }

    fn value(outcome: SharedRefresh<u32, ()>) -> (bool, u32) {
        match outcome {
            SharedRefresh::Stored(v) => (true, v),
            SharedRefresh::Called(v) => (false, v.expect("computed")),
        }
    }

    #[tokio::test]
    async fn a_second_instance_waits_for_the_first_and_gets_its_result() {
        let store = MemoryStore::new();
        let (a, b) = (runtime(&store, 1), runtime(&store, 1));
        let (release, released) = oneshot::channel::<()>();
        let calls = AtomicUsize::new(0);
        let first = a.once("t", &[9; 32], LEASE, false, keep, async || {
            calls.fetch_add(1, Ordering::SeqCst);
            released.await.map_err(drop)?;
            Ok::<_, ()>(7)
        });
        let second = async {
            // Starts once the first holds the lease.
            while store
                .get(&format!("t:lease:{}", hex(&[9; 32])))
                .await
                .unwrap()
                .is_none()
            {
                tokio::task::yield_now().await;
            }
            let second = b.once("t", &[9; 32], LEASE, false, keep, async || {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok::<_, ()>(8)
            });
            let (outcome, ()) = tokio::join!(second, async {
                release.send(()).expect("the first waits");
            });
            outcome
        };
        let (first, second) = tokio::join!(first, second);
        assert_eq!(value(first), (false, 7));
        assert_eq!(
            value(second),
            (true, 7),
            "the stored result, not a second call"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_lease_whose_holder_died_is_taken_over_when_it_expires() {
        let store = MemoryStore::new();
        let lease_key = format!("t:lease:{}", hex(&[3; 32]));
        assert!(
            store
                .try_lease(&lease_key, "dead", Duration::from_millis(1))
                .await
                .unwrap()
        );
        let outcome = runtime(&store, 1)
            .once("t", &[3; 32], LEASE, false, keep, async || Ok::<_, ()>(5))
            .await;
        assert_eq!(value(outcome), (false, 5));
    }

    #[tokio::test]
    async fn a_result_sealed_with_another_key_or_for_another_secret_is_not_used() {
        let store = MemoryStore::new();
        let stored = runtime(&store, 1)
            .once("t", &[4; 32], LEASE, false, keep, async || Ok::<_, ()>(1))
            .await;
        assert_eq!(value(stored), (false, 1));
        let other_key = runtime(&store, 2)
            .once("t", &[4; 32], LEASE, false, keep, async || Ok::<_, ()>(2))
            .await;
        assert_eq!(value(other_key), (false, 2), "does not open: computed here");
        // A sealed value moved under another secret's key does not open either (bound to its key).
        let moved = store
            .get(&format!("t:result:{}", hex(&[4; 32])))
            .await
            .unwrap()
            .unwrap();
        let other = format!("t:result:{}", hex(&[5; 32]));
        store.put(&other, moved, LEASE).await.unwrap();
        let outcome = runtime(&store, 1)
            .once("t", &[5; 32], LEASE, false, keep, async || Ok::<_, ()>(3))
            .await;
        assert_eq!(value(outcome), (false, 3));
    }

    #[tokio::test]
    async fn a_forced_computation_does_not_use_a_stored_result() {
        let store = MemoryStore::new();
        let first = runtime(&store, 1)
            .once("t", &[8; 32], LEASE, false, keep, async || Ok::<_, ()>(1))
            .await;
        assert_eq!(value(first), (false, 1));
        let reused = runtime(&store, 1)
            .once("t", &[8; 32], LEASE, false, keep, async || Ok::<_, ()>(2))
            .await;
        assert_eq!(value(reused), (true, 1), "not forced: the stored result");
        let forced = runtime(&store, 1)
            .once("t", &[8; 32], LEASE, true, keep, async || Ok::<_, ()>(3))
            .await;
        assert_eq!(value(forced), (false, 3), "forced: computed here");
        let after = runtime(&store, 1)
            .once("t", &[8; 32], LEASE, false, keep, async || Ok::<_, ()>(4))
            .await;
        assert_eq!(value(after), (true, 3), "the forced result is stored");
    }

    #[tokio::test]
    async fn a_forced_computation_joins_one_running_on_another_instance() {
        let store = MemoryStore::new();
        let (started_tx, started) = oneshot::channel::<()>();
        let (finish, finish_rx) = oneshot::channel::<()>();
        let holder = tokio::spawn({
            let store = store.clone();
            async move {
                runtime(&store, 1)
                    .once("t", &[5; 32], LEASE, false, keep, async move || {
                        let _ = started_tx.send(());
                        let _ = finish_rx.await;
                        Ok::<_, ()>(7)
                    })
                    .await
            }
        });
        started.await.expect("the holder computes");
        let calls = AtomicUsize::new(0);
        let other = runtime(&store, 1);
        let forced = other.once("t", &[5; 32], LEASE, true, keep, async || {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok::<_, ()>(8)
        });
        let (forced, ()) = tokio::join!(forced, async {
            let _ = finish.send(());
        });
        assert_eq!(value(holder.await.expect("holder")), (false, 7));
        assert_eq!(value(forced), (true, 7), "the running computation's result");
        assert_eq!(calls.load(Ordering::SeqCst), 0, "no second computation");
    }

    #[tokio::test]
    async fn an_unavailable_store_means_computing_here() {
        let store = MemoryStore::new();
        store.set_available(false);
        let outcome = runtime(&store, 1)
            .once("t", &[6; 32], LEASE, false, keep, async || Ok::<_, ()>(4))
            .await;
        assert_eq!(value(outcome), (false, 4));
    }
}
