//! The expiring-value cache under tokio's paused clock: no test depends on wall-clock margins.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::ExpiringCache;

const HOUR: Duration = Duration::from_secs(3600);
const MINUTE: Duration = Duration::from_secs(60);

/// A stand-in for `get_url`: counts signings, takes a second, answers a URL valid for an hour.
async fn sign(signings: Arc<AtomicUsize>, key: String) -> Result<(String, Duration), String> {
    let n = signings.fetch_add(1, Ordering::SeqCst) + 1;
    tokio::time::sleep(Duration::from_secs(1)).await;
    Ok((format!("https://bucket/{key}?signature={n}"), HOUR))
}

async fn get(cache: &ExpiringCache<String, String, String>, signings: &Arc<AtomicUsize>) -> String {
    let signings = Arc::clone(signings);
    cache
        .get_or_compute("cat.jpg".to_owned(), move || {
            sign(signings, "cat.jpg".to_owned())
        })
        .await
        .expect("signed")
}

#[tokio::test(start_paused = true)]
async fn one_signing_per_lifetime_under_100_concurrent_callers_refreshed_before_expiry() {
    let cache = ExpiringCache::new(100, MINUTE);
    let signings = Arc::new(AtomicUsize::new(0));
    let callers: Vec<_> = (0..100)
        .map(|_| {
            let (cache, signings) = (cache.clone(), Arc::clone(&signings));
            tokio::spawn(async move { get(&cache, &signings).await })
        })
        .collect();
    let mut urls = Vec::new();
    for caller in callers {
        urls.push(caller.await.expect("caller"));
    }
    assert_eq!(
        signings.load(Ordering::SeqCst),
        1,
        "one signing for 100 callers"
    );
    assert!(urls.iter().all(|u| u.ends_with("signature=1")), "{urls:?}");

    // The signing started at 0 s and ended at 1 s; the URL is served until 60 s before it expires (3,540 s).
    tokio::time::advance(HOUR - MINUTE - Duration::from_secs(2)).await;
    assert!(get(&cache, &signings).await.ends_with("signature=1"));
    assert_eq!(signings.load(Ordering::SeqCst), 1);
    // Past the refresh point, still before the URL expires: one new signing, shared again.
    tokio::time::advance(Duration::from_secs(2)).await;
    let (a, b) = tokio::join!(get(&cache, &signings), get(&cache, &signings));
    assert!(a.ends_with("signature=2") && b == a, "{a} {b}");
    assert_eq!(signings.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn failures_are_shared_but_not_kept() {
    let cache: ExpiringCache<u8, u8, String> = ExpiringCache::new(10, MINUTE);
    let attempts = Arc::new(AtomicUsize::new(0));
    let fail = |attempts: Arc<AtomicUsize>| async move {
        attempts.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_secs(1)).await;
        Err::<(u8, Duration), _>("denied".to_owned())
    };
    let (a, b) = tokio::join!(
        cache.get_or_compute(1, || fail(Arc::clone(&attempts))),
        cache.get_or_compute(1, || fail(Arc::clone(&attempts))),
    );
    assert_eq!(*a.unwrap_err(), "denied");
    assert_eq!(*b.unwrap_err(), "denied");
    assert_eq!(attempts.load(Ordering::SeqCst), 1);
    assert!(cache.is_empty());
    let _ = cache
        .get_or_compute(1, || fail(Arc::clone(&attempts)))
        .await;
    assert_eq!(
        attempts.load(Ordering::SeqCst),
        2,
        "the next caller tries again"
    );
}

#[tokio::test(start_paused = true)]
async fn memory_is_bounded_and_short_lived_values_are_not_kept() {
    let cache: ExpiringCache<u32, u32, String> = ExpiringCache::new(3, MINUTE);
    for key in 0..10u32 {
        // Key k lives 2 + k minutes: the oldest-expiring go first.
        let lifetime = MINUTE * (2 + key);
        cache
            .get_or_compute(key, move || async move { Ok((key, lifetime)) })
            .await
            .unwrap();
        assert!(cache.len() <= 3, "{} entries", cache.len());
    }
    let computed = Arc::new(AtomicUsize::new(0));
    for key in [7u32, 8, 9] {
        let computed = Arc::clone(&computed);
        cache
            .get_or_compute(key, move || async move {
                computed.fetch_add(1, Ordering::SeqCst);
                Ok((key, HOUR))
            })
            .await
            .unwrap();
    }
    assert_eq!(
        computed.load(Ordering::SeqCst),
        0,
        "the three longest-lived stayed"
    );

    // A value that expires within the refresh margin is answered, not kept.
    let short = ExpiringCache::<u8, u8, String>::new(3, MINUTE);
    short
        .get_or_compute(1, || async { Ok((1, MINUTE)) })
        .await
        .unwrap();
    assert!(short.is_empty());
    // Forgotten values are computed again.
    cache.forget(&9);
    assert_eq!(cache.len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_panicking_computation_panics_its_caller_and_is_not_kept() {
    let cache: ExpiringCache<u8, u8, String> = ExpiringCache::new(3, MINUTE);
    let panicked = tokio::spawn({
        let cache = cache.clone();
        async move {
            cache
                .get_or_compute(1, || async { panic!("the computation failed") })
                .await
        }
    })
    .await;
    assert!(panicked.expect_err("the caller panics").is_panic());
    assert!(cache.is_empty());
    let next = cache.get_or_compute(1, || async { Ok((2, HOUR)) }).await;
    assert_eq!(next.ok(), Some(2), "the next caller computes again");
}

#[tokio::test(start_paused = true)]
async fn a_value_that_never_expires_is_kept() {
    let cache: ExpiringCache<u8, u8, String> = ExpiringCache::new(3, MINUTE);
    let first = cache
        .get_or_compute(1, || async { Ok((1, Duration::MAX)) })
        .await;
    assert_eq!(first.ok(), Some(1));
    let again = cache.get_or_compute(1, || async { Ok((2, HOUR)) }).await;
    assert_eq!(again.ok(), Some(1), "kept, not computed again");
}
