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
//! [`Arc`]), and the next caller tries again. When full, the cache first drops stale values, then those that go
//! stale soonest (a sixteenth of the capacity at a time).

use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::auth::single_flight::SingleFlight;

/// How long a value that never expires is kept.
const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// A cache of values that expire; cheap to clone (clones share the entries). See the [module docs](self) for
/// when it is safe to use.
pub struct ExpiringCache<K, V, E = std::convert::Infallible> {
    /// Each value kept with its lifetime; read on tokio's clock, which tests can pause.
    flights: SingleFlight<(V, Duration), Arc<E>, (), K, Instant>,
    refresh_before: Duration,
}

impl<K, V, E> Clone for ExpiringCache<K, V, E> {
    fn clone(&self) -> Self {
        Self {
            flights: self.flights.clone(),
            refresh_before: self.refresh_before,
        }
    }
}

impl<K, V, E> std::fmt::Debug for ExpiringCache<K, V, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExpiringCache")
            .field("capacity", &self.flights.capacity())
            .field("refresh_before", &self.refresh_before)
            .field("entries", &self.flights.len())
            .finish()
    }
}

impl<K, V, E> ExpiringCache<K, V, E> {
    /// How many values are kept or being computed.
    #[must_use]
    pub fn len(&self) -> usize {
        self.flights.len()
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
            flights: SingleFlight::new(
                capacity.max(1),
                (),
                // The lifetime counts from when the value was made, not from when it arrived; one beyond the
                // clock's range is kept for a century.
                move |(_, lifetime): &(V, Duration), started: Instant| {
                    let keep = lifetime.checked_sub(refresh_before)?;
                    started
                        .checked_add(keep)
                        .or_else(|| started.checked_add(CENTURY))
                },
                // The computation panicked: every waiter sees the panic, as a direct call would.
                |join_error| std::panic::resume_unwind(join_error.into_panic()),
            ),
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
        let computed = self
            .flights
            .get_or_compute(
                key,
                false,
                |()| Ok(()),
                || {
                    let computing = compute();
                    async move { computing.await.map_err(Arc::new) }
                },
            )
            .await;
        computed.map(|(value, _)| value)
    }

    /// Drops the value kept for `key` (a computation already running still answers its callers, and is not
    /// kept).
    pub fn forget(&self, key: &K) {
        self.flights.forget(key, |()| ());
    }
}

#[cfg(test)]
mod tests;
