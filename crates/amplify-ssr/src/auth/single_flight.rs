//! One single-flight cache for every shared computation of the crate: the runner's token refreshes and
//! identity-pool credentials, and the public [`ExpiringCache`](crate::cache::ExpiringCache). Callers of the same
//! key share one computation; a success is kept while the cache's expiry rule allows, a failure is shared with
//! the callers that waited for it and then forgotten, so the next caller tries again.
//!
//! The runner's caches key by SHA-256 hashes of their parts (`crate::secret::hash_key`, the default key type),
//! so no token is kept in memory as a map key.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures_util::FutureExt as _;
use futures_util::future::{BoxFuture, Shared};
use tracing::Instrument as _;

/// The runner's cache key: [`hash_key`](crate::secret::hash_key) of the key's parts.
pub(crate) type Key = crate::secret::HashKey;

/// The clock a cache reads: `std::time::Instant` for the runner's caches, tokio's (which tests can pause) for
/// [`ExpiringCache`](crate::cache::ExpiringCache).
pub(crate) trait Clock: Copy + Ord + Send + Sync + 'static {
    /// The current time.
    fn now() -> Self;
}

impl Clock for std::time::Instant {
    fn now() -> Self {
        Self::now()
    }
}

impl Clock for tokio::time::Instant {
    fn now() -> Self {
        Self::now()
    }
}

/// The expiry rule: until when a value may be reused (`None`: not at all), given the value and when its
/// computation started; decided when the computation succeeds.
type KeepUntil<V, T> = dyn Fn(&V, T) -> Option<T> + Send + Sync;

/// Fewest entries before expired ones are swept (sweeps are amortised: the next one waits for twice as many).
const MIN_SWEEP: usize = 64;

/// The single-flight cache of values `V` under keys `K`, read on clock `T`. `S` is state the owner keeps under
/// the same lock (checked and updated atomically with the entries, e.g. refresh tokens refused after a
/// sign-out). Cheap to clone: clones share the cache.
pub(crate) struct SingleFlight<V, E, S = (), K = Key, T = std::time::Instant> {
    state: Locked<K, V, E, S, T>,
    capacity: usize,
    keep_until: Arc<KeepUntil<V, T>>,
    /// The error of a computation whose task did not complete (a panic).
    lost: fn(tokio::task::JoinError) -> E,
}

impl<V, E, S, K, T> Clone for SingleFlight<V, E, S, K, T> {
    fn clone(&self) -> Self {
        Self {
            state: Arc::clone(&self.state),
            capacity: self.capacity,
            keep_until: Arc::clone(&self.keep_until),
            lost: self.lost,
        }
    }
}

/// The entries and the owner's state, behind one lock shared by the clones.
type Locked<K, V, E, S, T> = Arc<Mutex<State<K, V, E, S, T>>>;

struct State<K, V, E, S, T> {
    slots: HashMap<K, Slot<V, E, T>>,
    next_flight: u64,
    sweep_at: usize,
    side: S,
}

enum Slot<V, E, T> {
    Running {
        flight: u64,
        outcome: Shared<BoxFuture<'static, Result<V, E>>>,
    },
    Ready {
        value: V,
        /// When callers stop getting it.
        until: T,
    },
}

impl<V, E, S, K, T> std::fmt::Debug for SingleFlight<V, E, S, K, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SingleFlight")
            .field("capacity", &self.capacity)
            .field("entries", &self.len())
            .finish_non_exhaustive()
    }
}

impl<V, E, S, K, T> SingleFlight<V, E, S, K, T> {
    fn lock(&self) -> MutexGuard<'_, State<K, V, E, S, T>> {
        // Every update is a single insert or remove, so the maps stay consistent across a panic elsewhere.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Entries, running or kept.
    pub(crate) fn len(&self) -> usize {
        self.lock().slots.len()
    }

    /// The most values kept.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }
}

impl<V, E, S, K: Eq + Hash, T> SingleFlight<V, E, S, K, T> {
    /// Drops what is kept (or being computed) under `key`, and updates the owner's state under the same lock. A
    /// computation in flight still answers its waiters but is not kept.
    pub(crate) fn forget(&self, key: &K, side: impl FnOnce(&mut S)) {
        let mut state = self.lock();
        state.slots.remove(key);
        side(&mut state.side);
    }
}

/// A computation's entry while it runs: dropped without finishing (the computation panicked, or its task was
/// cancelled), it takes the entry out, so the next caller computes again instead of joining a dead flight.
struct Running<V, E, S, K: Eq + Hash, T> {
    cache: SingleFlight<V, E, S, K, T>,
    /// `None` once the computation finished.
    key: Option<K>,
    flight: u64,
}

impl<V, E, S, K: Eq + Hash, T> Drop for Running<V, E, S, K, T> {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else {
            return;
        };
        let mut state = self.cache.lock();
        if matches!(
            state.slots.get(&key),
            Some(Slot::Running { flight, .. }) if *flight == self.flight
        ) {
            state.slots.remove(&key);
        }
    }
}

impl<V, E, S, K, T> SingleFlight<V, E, S, K, T>
where
    V: Clone + Send + Sync + 'static,
    E: Clone + Send + Sync + 'static,
    S: Send + 'static,
    K: Eq + Hash + Clone + Send + 'static,
    T: Clock,
{
    /// A cache of at most `capacity` kept values (those that expire soonest go first), each reused until
    /// `keep_until` says (given the value and when its computation started).
    pub(crate) fn new(
        capacity: usize,
        side: S,
        keep_until: impl Fn(&V, T) -> Option<T> + Send + Sync + 'static,
        lost: fn(tokio::task::JoinError) -> E,
    ) -> Self {
        Self {
            state: Arc::new(Mutex::new(State {
                slots: HashMap::new(),
                next_flight: 0,
                sweep_at: MIN_SWEEP,
                side,
            })),
            capacity,
            keep_until: Arc::new(keep_until),
            lost,
        }
    }

    /// The value kept for `key`, the computation running for it, or the result of `compute`, shared with every
    /// concurrent caller of the same key. `force` skips a kept value (a computation already running is still
    /// joined: it started after that value). `admit` runs first, under the cache's lock, on the owner's state:
    /// its error is returned at once.
    ///
    /// `compute` runs in its own task, so a caller that is cancelled does not cancel it: its result is kept for
    /// the next caller.
    pub(crate) async fn get_or_compute<Fut>(
        &self,
        key: K,
        force: bool,
        admit: impl FnOnce(&mut S) -> Result<(), E>,
        compute: impl FnOnce() -> Fut,
    ) -> Result<V, E>
    where
        Fut: Future<Output = Result<V, E>> + Send + 'static,
    {
        let outcome = {
            let mut state = self.lock();
            admit(&mut state.side)?;
            match state.slots.get(&key) {
                Some(Slot::Ready { value, until }) if !force && T::now() < *until => {
                    tracing::debug!("single-flight cache hit");
                    return Ok(value.clone());
                }
                Some(Slot::Running { outcome, .. }) => outcome.clone(),
                _ => {
                    let flight = state.next_flight;
                    state.next_flight += 1;
                    let outcome = self.start(key.clone(), flight, compute());
                    state.slots.insert(
                        key,
                        Slot::Running {
                            flight,
                            outcome: outcome.clone(),
                        },
                    );
                    outcome
                }
            }
        };
        outcome.await
    }

    fn start(
        &self,
        key: K,
        flight: u64,
        compute: impl Future<Output = Result<V, E>> + Send + 'static,
    ) -> Shared<BoxFuture<'static, Result<V, E>>> {
        let mut running = Running {
            cache: self.clone(),
            key: Some(key),
            flight,
        };
        let task = tokio::spawn(
            async move {
                let started = T::now();
                let outcome = compute.await;
                if let Some(key) = running.key.take() {
                    running.cache.finish(key, flight, started, &outcome);
                }
                outcome
            }
            .in_current_span(),
        );
        let lost = self.lost;
        async move {
            task.await
                .unwrap_or_else(|join_error| Err(lost(join_error)))
        }
        .boxed()
        .shared()
    }

    /// Keeps a success (unless its entry was dropped meanwhile, e.g. by [`forget`](Self::forget)); forgets a
    /// failure.
    fn finish(&self, key: K, flight: u64, started: T, outcome: &Result<V, E>) {
        let mut state = self.lock();
        let ours = matches!(
            state.slots.get(&key),
            Some(Slot::Running { flight: f, .. }) if *f == flight
        );
        if !ours {
            return;
        }
        state.slots.remove(&key);
        let Ok(value) = outcome else {
            return;
        };
        let now = T::now();
        let Some(until) = (self.keep_until)(value, started).filter(|until| *until > now) else {
            return;
        };
        if self.capacity == 0 {
            return;
        }
        self.make_room(&mut state, now);
        state.slots.insert(
            key,
            Slot::Ready {
                value: value.clone(),
                until,
            },
        );
    }

    /// Sweeps out values past their time (amortised), then, when still full, the sixteenth of the kept values
    /// that expire soonest (a batch, so a full cache does not scan the map on every insert).
    fn make_room(&self, state: &mut State<K, V, E, S, T>, now: T) {
        if state.slots.len() >= state.sweep_at.min(self.capacity) {
            state.slots.retain(|_, slot| match slot {
                Slot::Running { .. } => true,
                Slot::Ready { until, .. } => now < *until,
            });
            state.sweep_at = (state.slots.len() * 2).max(MIN_SWEEP);
        }
        if state.slots.len() < self.capacity {
            return;
        }
        let mut kept: Vec<(T, K)> = state
            .slots
            .iter()
            .filter_map(|(key, slot)| match slot {
                Slot::Ready { until, .. } => Some((*until, key.clone())),
                // Computations in flight are bounded by the callers waiting for them.
                Slot::Running { .. } => None,
            })
            .collect();
        if kept.is_empty() {
            return;
        }
        let evict = (self.capacity / 16).clamp(1, kept.len());
        kept.select_nth_unstable_by_key(evict - 1, |(until, _)| *until);
        for (_, key) in &kept[..evict] {
            state.slots.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use tokio::sync::oneshot;

    use super::*;
    use crate::secret::hash_key as key;

    type Cache = SingleFlight<u32, String>;

    fn cache(capacity: usize, keep: Option<Duration>) -> Cache {
        SingleFlight::new(
            capacity,
            (),
            move |_, _| keep.map(|keep| Instant::now() + keep),
            |e| format!("lost: {e}"),
        )
    }

    fn admit(_: &mut ()) -> Result<(), String> {
        Ok(())
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_computation() {
        let cache = cache(8, Some(Duration::from_secs(3600)));
        let runs = Arc::new(AtomicUsize::new(0));
        let (release, released) = oneshot::channel::<u32>();
        let first = {
            let runs = Arc::clone(&runs);
            cache.get_or_compute(key(&["k"]), false, admit, move || async move {
                runs.fetch_add(1, Ordering::SeqCst);
                released.await.map_err(|e| e.to_string())
            })
        };
        // The second caller arrives while the first computation is still waiting for its answer.
        let second = cache.get_or_compute(key(&["k"]), false, admit, || async {
            panic!("a second computation for a key in flight")
        });
        let both = async { tokio::join!(first, second) };
        let answer = async {
            release.send(7).expect("the computation waits");
        };
        let ((a, b), ()) = tokio::join!(both, answer);
        assert_eq!((a, b), (Ok(7), Ok(7)));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // Kept: a later caller gets the value without computing.
        let later = cache
            .get_or_compute(key(&["k"]), false, admit, || async { Ok(8) })
            .await;
        assert_eq!(later, Ok(7));
        // `force` computes anew.
        let forced = cache
            .get_or_compute(key(&["k"]), true, admit, || async { Ok(9) })
            .await;
        assert_eq!(forced, Ok(9));
    }

    #[tokio::test]
    async fn a_failure_reaches_its_waiters_and_is_not_kept() {
        let cache = cache(8, Some(Duration::from_secs(3600)));
        let (release, released) = oneshot::channel::<()>();
        let first = cache.get_or_compute(key(&["k"]), false, admit, move || async move {
            released.await.map_err(|e| e.to_string())?;
            Err::<u32, _>("refused".to_owned())
        });
        let second = cache.get_or_compute(key(&["k"]), false, admit, || async { Ok(1) });
        let (results, ()) = tokio::join!(async { tokio::join!(first, second) }, async {
            release.send(()).expect("the computation waits");
        });
        assert_eq!(
            results,
            (Err("refused".to_owned()), Err("refused".to_owned()))
        );
        assert_eq!(cache.len(), 0, "the failure is forgotten");
        let next = cache
            .get_or_compute(key(&["k"]), false, admit, || async { Ok(2) })
            .await;
        assert_eq!(next, Ok(2), "the next caller computes again");
    }

    #[tokio::test]
    async fn values_are_kept_until_their_time_and_the_size_is_bounded() {
        let cache = cache(32, Some(Duration::from_secs(30)));
        let first = cache
            .get_or_compute(key(&["k"]), false, admit, || async { Ok(1) })
            .await;
        assert_eq!(first, Ok(1));
        for i in 0..200 {
            let k = key(&["n", &i.to_string()]);
            cache
                .get_or_compute(k, false, admit, || async { Ok(0) })
                .await
                .expect("computed");
            assert!(cache.len() <= 32, "{}", cache.len());
        }
        let unkept = self::cache(8, None);
        unkept
            .get_or_compute(key(&["k"]), false, admit, || async { Ok(1) })
            .await
            .expect("computed");
        assert_eq!(unkept.len(), 0, "a value with no time to live is not kept");
    }

    #[tokio::test]
    async fn admit_and_forget_share_the_lock_with_the_entries() {
        let cache: SingleFlight<u32, String, Vec<Key>> = SingleFlight::new(
            8,
            Vec::new(),
            |_, _| Some(Instant::now() + Duration::from_secs(3600)),
            |e| e.to_string(),
        );
        let k = key(&["token"]);
        let refuse_forgotten = |refused: &mut Vec<Key>| {
            if refused.contains(&k) {
                Err("refused".to_owned())
            } else {
                Ok(())
            }
        };
        cache
            .get_or_compute(k, false, refuse_forgotten, || async { Ok(1) })
            .await
            .expect("computed");
        cache.forget(&k, |refused| refused.push(k));
        assert_eq!(cache.len(), 0);
        let after = cache
            .get_or_compute(k, false, refuse_forgotten, || async { Ok(2) })
            .await;
        assert_eq!(after, Err("refused".to_owned()));
    }

    #[tokio::test]
    async fn a_panicked_computation_is_reported_and_the_next_caller_computes_again() {
        let cache = cache(8, Some(Duration::from_secs(3600)));
        let lost = cache
            .get_or_compute(key(&["k"]), false, admit, || async {
                panic!("the computation failed")
            })
            .await;
        assert!(lost.is_err_and(|e| e.starts_with("lost: ")));
        assert_eq!(cache.len(), 0, "no dead flight is left to join");
        let next = cache
            .get_or_compute(key(&["k"]), false, admit, || async { Ok(3) })
            .await;
        assert_eq!(next, Ok(3));
    }
}
