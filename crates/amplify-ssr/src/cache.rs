//! [`ExpiringCache`]: per-key values that expire (a presigned `get_url`, a list of public files), kept until
//! shortly before they expire, computed once however many callers ask at the same time, in bounded memory. It
//! plays the role of a page's `revalidate` in the Next.js guide: a gallery page served to many visitors signs
//! each URL once per lifetime instead of once per visitor.
//!
//! ```no_run
//! # async fn demo(runner: amplify_ssr::ServerRunner)
//! # -> Result<(), std::sync::Arc<amplify_ssr::storage::StorageError>> {
//! use std::time::{Duration, SystemTime};
//! use amplify_ssr::cache::ExpiringCache;
//! use amplify_ssr::storage::{GetUrlInput, StoragePath, get_url};
//!
//! // Once, next to the runner: at most 1,000 URLs, refreshed a minute before they expire.
//! let urls: ExpiringCache<String, String, _> = ExpiringCache::new(1_000, Duration::from_secs(60));
//! // Per request: a public picture, the same URL for every visitor, so it is signed with guest credentials (a
//! // static context), never with the visitor's own.
//! let path = "public/gallery/cat.jpg".to_owned();
//! let (signing_ctx, signed_path) = (runner.static_context(), path.clone());
//! let url = urls
//!     .get_or_compute(path, move || async move {
//!         let input = GetUrlInput::new(StoragePath::from(signed_path));
//!         let signed = get_url(&signing_ctx, input).await?;
//!         let lifetime = signed.expires_at.duration_since(SystemTime::now()).unwrap_or_default();
//!         Ok((signed.url.to_string(), lifetime))
//!     })
//!     .await?;
//! # let _ = url; Ok(()) }
//! ```
//!
//! # When it is safe
//!
//! A cached value is handed to **every** caller of its key, whoever they are. Cache only values that are the same
//! for everyone who may ask: URLs of public files signed with guest credentials, a listing of a public prefix.
//! **Never cache per-user data** (a `protected/` or `private/` URL, a user's own list) **unless the user is part
//! of the key** (the identity id or `sub`), and never under a key a caller chooses freely. A value that someone
//! may lose the right to see (a revoked share) stays visible to cache hits until it is refreshed: keep such
//! lifetimes short, or [`forget`](ExpiringCache::forget) the key when the right changes.
//!
//! Failures are not kept: the callers waiting for a computation that fails all get its error (as an
//! [`Arc`]), and the next caller tries again.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures_util::FutureExt as _;
use futures_util::future::{BoxFuture, Shared};
use tokio::time::Instant;
use tracing::Instrument as _;

type Outcome<V, E> = Result<V, Arc<E>>;

/// A cache of values that expire; cheap to clone (clones share the entries). See the [module docs](self) for
/// when it is safe to use.
pub struct ExpiringCache<K, V, E = std::convert::Infallible> {
    shared: Arc<Mutex<Entries<K, V, E>>>,
    capacity: usize,
    refresh_before: Duration,
}

impl<K, V, E> Clone for ExpiringCache<K, V, E> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
            capacity: self.capacity,
            refresh_before: self.refresh_before,
        }
    }
}

impl<K, V, E> std::fmt::Debug for ExpiringCache<K, V, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExpiringCache")
            .field("capacity", &self.capacity)
            .field("refresh_before", &self.refresh_before)
            .field("entries", &self.lock().slots.len())
            .finish()
    }
}

struct Entries<K, V, E> {
    slots: HashMap<K, Slot<V, E>>,
    next_flight: u64,
}

enum Slot<V, E> {
    Running {
        flight: u64,
        outcome: Shared<BoxFuture<'static, Outcome<V, E>>>,
    },
    Ready {
        value: V,
        /// When callers stop getting it (shortly before it expires).
        until: Instant,
    },
}

impl<K, V, E> ExpiringCache<K, V, E> {
    fn lock(&self) -> MutexGuard<'_, Entries<K, V, E>> {
        // Every update is one insert or remove: the map stays consistent across a panic elsewhere.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many values are kept or being computed.
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().slots.len()
    }

    /// True when nothing is kept or being computed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<K, V, E> ExpiringCache<K, V, E>
where
    K: Eq + Hash + Clone + Send + 'static,
    V: Clone + Send + Sync + 'static,
    E: Send + Sync + 'static,
{
    /// A cache of at most `capacity` values (at least one), each handed out until `refresh_before` before it
    /// expires; the next caller then computes a fresh one.
    #[must_use]
    pub fn new(capacity: usize, refresh_before: Duration) -> Self {
        Self {
            shared: Arc::new(Mutex::new(Entries {
                slots: HashMap::new(),
                next_flight: 0,
            })),
            capacity: capacity.max(1),
            refresh_before,
        }
    }

    /// The value kept for `key` while it is fresh; otherwise the result of `compute` (the value and how long it
    /// stays valid from now), shared with every caller that asks for `key` while it runs. `compute` runs in its
    /// own task: a caller that gives up does not cancel it for the others. A value whose lifetime is not longer
    /// than the refresh margin is returned but not kept.
    ///
    /// # Errors
    ///
    /// The error of the computation this call joined (not kept: the next caller computes again).
    pub async fn get_or_compute<F, Fut>(&self, key: K, compute: F) -> Result<V, Arc<E>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(V, Duration), E>> + Send + 'static,
    {
        let outcome = {
            let mut entries = self.lock();
            match entries.slots.get(&key) {
                Some(Slot::Ready { value, until }) if Instant::now() < *until => {
                    return Ok(value.clone());
                }
                Some(Slot::Running { outcome, .. }) => outcome.clone(),
                _ => {
                    let flight = entries.next_flight;
                    entries.next_flight += 1;
                    let outcome = self.start(key.clone(), flight, compute());
                    entries.slots.insert(
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

    /// Drops the value kept for `key` (a computation already running still answers its callers, and is not
    /// kept).
    pub fn forget(&self, key: &K) {
        self.lock().slots.remove(key);
    }

    fn start(
        &self,
        key: K,
        flight: u64,
        compute: impl Future<Output = Result<(V, Duration), E>> + Send + 'static,
    ) -> Shared<BoxFuture<'static, Outcome<V, E>>> {
        let cache = self.clone();
        let task = tokio::spawn(
            async move {
                let started = Instant::now();
                let outcome = compute.await.map_err(Arc::new);
                cache.finish(key, flight, started, outcome.as_ref().ok());
                outcome.map(|(value, _)| value)
            }
            .in_current_span(),
        );
        async move {
            match task.await {
                Ok(outcome) => outcome,
                // The computation panicked: every waiter sees the panic, as a direct call would.
                Err(error) => std::panic::resume_unwind(error.into_panic()),
            }
        }
        .boxed()
        .shared()
    }

    /// Keeps a fresh value (unless its entry was forgotten meanwhile); drops a failed one.
    fn finish(&self, key: K, flight: u64, started: Instant, value: Option<&(V, Duration)>) {
        let mut entries = self.lock();
        let ours = matches!(
            entries.slots.get(&key),
            Some(Slot::Running { flight: f, .. }) if *f == flight
        );
        if !ours {
            return;
        }
        entries.slots.remove(&key);
        let Some((value, lifetime)) = value else {
            return;
        };
        // The lifetime counts from when the value was made, not from when it arrived.
        let Some(keep) = lifetime.checked_sub(self.refresh_before) else {
            return;
        };
        let until = started + keep;
        if until <= Instant::now() {
            return;
        }
        self.make_room(&mut entries);
        entries.slots.insert(
            key,
            Slot::Ready {
                value: value.clone(),
                until,
            },
        );
    }

    /// Below capacity before an insert: drop stale values, then those that go stale soonest.
    fn make_room(&self, entries: &mut Entries<K, V, E>) {
        if entries.slots.len() < self.capacity {
            return;
        }
        let now = Instant::now();
        entries
            .slots
            .retain(|_, slot| !matches!(slot, Slot::Ready { until, .. } if *until <= now));
        while entries.slots.len() >= self.capacity {
            let soonest = entries
                .slots
                .iter()
                .filter_map(|(key, slot)| match slot {
                    Slot::Ready { until, .. } => Some((key.clone(), *until)),
                    Slot::Running { .. } => None,
                })
                .min_by_key(|(_, until)| *until);
            match soonest {
                Some((key, _)) => {
                    entries.slots.remove(&key);
                }
                // Only computations in flight: they are bounded by the callers waiting for them.
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests;
