//! `RedisStore` against Debian's `redis-server`, started here on a free port: the lease belongs to its owner,
//! values expire, prefixes keep applications apart, and revocations reach a watcher (also one that starts later
//! or comes back after the server restarts).

#![cfg(feature = "redis")]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use amplify_ssr::store::{RedisStore, Revocation, SharedStore};

#[path = "common/eventually.rs"]
mod eventually;
use eventually::{PATIENCE, eventually};
#[path = "common/redis_server.rs"]
mod redis_server;

use redis_server::RedisServer as Server;

/// A store of `server`, under `prefix`.
fn store_of(server: &Server, prefix: &str) -> RedisStore {
    RedisStore::open(&server.url())
        .unwrap()
        .with_prefix(prefix)
        .with_timeout(Duration::from_secs(2))
}

#[tokio::test]
async fn leases_values_and_prefixes() {
    let server = Server::start();
    let store = store_of(&server, "app-a:");
    let other_app = store_of(&server, "app-b:");
    let hour = Duration::from_secs(3600);

    assert!(store.try_lease("lease", "owner-1", hour).await.unwrap());
    assert!(
        !store.try_lease("lease", "owner-2", hour).await.unwrap(),
        "held"
    );
    assert!(
        other_app.try_lease("lease", "owner-2", hour).await.unwrap(),
        "another prefix"
    );
    store.release_lease("lease", "owner-2").await.unwrap();
    assert!(
        !store.try_lease("lease", "owner-3", hour).await.unwrap(),
        "only the owner releases"
    );
    store.release_lease("lease", "owner-1").await.unwrap();
    assert!(store.try_lease("lease", "owner-3", hour).await.unwrap());

    store.put("value", b"sealed".to_vec(), hour).await.unwrap();
    assert_eq!(
        store.get("value").await.unwrap().as_deref(),
        Some(&b"sealed"[..])
    );
    assert_eq!(other_app.get("value").await.unwrap(), None);
    store.delete("value").await.unwrap();
    assert_eq!(store.get("value").await.unwrap(), None);

    // A lease whose holder died expires by itself (1 ms: no waiting on a wall-clock margin, only polling).
    assert!(
        store
            .try_lease("short", "gone", Duration::from_millis(1))
            .await
            .unwrap()
    );
    let deadline = Instant::now() + PATIENCE;
    while !store.try_lease("short", "next", hour).await.unwrap() {
        assert!(Instant::now() < deadline, "the lease never expired");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn revocations_reach_watchers_now_later_and_after_a_restart() {
    let mut server = Server::start();
    let store = store_of(&server, "rev:");
    let seen = Arc::new(Mutex::new(Vec::<Revocation>::new()));
    let sink = {
        let seen = Arc::clone(&seen);
        Arc::new(move |r: Revocation| {
            seen.lock().unwrap().push(r);
            true
        })
    };
    store.watch_revocations(sink);
    let far = 4_000_000_000;
    // The watcher subscribes in the background: publish until it has heard one.
    let first = Revocation::new([1; 32], far);
    eventually("the watcher hears a revocation", async || {
        let seen = seen.lock().unwrap().contains(&first);
        if !seen {
            let store = store_of(&server, "rev:");
            tokio::spawn(async move {
                let _ = store.publish_revocation(first).await;
            });
        }
        seen
    })
    .await;

    // A watcher that starts later loads the live list; an expired revocation is not in it.
    store
        .publish_revocation(Revocation::new([2; 32], 1))
        .await
        .unwrap();
    let late = Arc::new(Mutex::new(Vec::<Revocation>::new()));
    let late_sink = {
        let late = Arc::clone(&late);
        Arc::new(move |r: Revocation| {
            late.lock().unwrap().push(r);
            true
        })
    };
    store_of(&server, "rev:").watch_revocations(late_sink);
    eventually("a late watcher loads the list", async || {
        late.lock().unwrap().contains(&first)
    })
    .await;
    assert!(!late.lock().unwrap().iter().any(|r| r.session == [2; 32]));

    // The server restarts (empty): the watcher reconnects and hears what is published next.
    server.stop();
    server.spawn();
    let after = Revocation::new([3; 32], far);
    eventually(
        "the watcher hears a revocation after the restart",
        async || {
            let heard = seen.lock().unwrap().contains(&after);
            if !heard {
                let store = store_of(&server, "rev:");
                tokio::spawn(async move {
                    let _ = store.publish_revocation(after).await;
                });
            }
            heard
        },
    )
    .await;
}
