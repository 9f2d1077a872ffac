//! Runners sharing a store ([`MemoryStore`]: the same contract as Redis, in one process) against amplify-local
//! with refresh-token rotation and no grace period: one refresh and one hook call across runners, sign-outs
//! refused by every runner, the fall-back when the store fails, entries sealed with another key ignored, and
//! identity credentials shared on request.

mod common;
#[path = "common/eventually.rs"]
mod eventually;
use eventually::eventually;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use amplify_ssr::auth::{AuthEvent, AuthHooks};
use amplify_ssr::secret::CookieEncryptionKey;
use std::time::Duration;

use amplify_ssr::store::{MemoryStore, Revocation, RevocationSink, SharedStore, StoreFuture};
use amplify_ssr::{
    FetchAuthSessionOptions, ServerRunner, SignOutOptions, fetch_auth_session,
    fetch_identity_credentials, sign_out,
};
use common::{Backend, Jar, signed_in_jar};

const REFRESH: &str = "GetTokensFromRefreshToken";
const TWO_HOURS_MS: &str = "7200000";

#[derive(Clone, Default)]
struct RefreshCount(Arc<AtomicUsize>);

impl AuthHooks for RefreshCount {
    fn on_refresh(&self, _: &AuthEvent) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn key(byte: u8) -> CookieEncryptionKey {
    CookieEncryptionKey::from_bytes([byte; 32])
}

fn runners(
    local: &Backend,
    store: &MemoryStore,
    keys: [u8; 3],
    hooks: &RefreshCount,
) -> Vec<ServerRunner> {
    keys.iter()
        .map(|byte| {
            local
                .builder()
                .store(Arc::new(store.clone()))
                .cookie_encryption_key(key(*byte))
                .share_identity_credentials(true)
                .auth_hooks(hooks.clone())
                .build()
                .unwrap()
        })
        .collect()
}

async fn signed_in(ctx: &amplify_ssr::ServerContext) -> bool {
    fetch_auth_session(ctx, FetchAuthSessionOptions::default())
        .await
        .is_ok_and(|s| s.is_signed_in())
}

async fn expired(local: &Backend, runner: &ServerRunner, name: &str) -> Jar {
    let username = local.user(name);
    let mut jar = signed_in_jar(runner, &username).await;
    jar.set_ending_with(".clockDrift", TWO_HOURS_MS);
    jar
}

/// Each of `count` requests, spread over `runners`, reads the session; returns the refresh tokens they set.
async fn storm(runners: &[ServerRunner], jar: &Jar, count: usize) -> Vec<Option<String>> {
    let contexts: Vec<_> = (0..count)
        .map(|n| jar.context(&runners[n % runners.len()]))
        .collect();
    let results = futures_util::future::join_all(
        contexts
            .iter()
            .map(|ctx| fetch_auth_session(ctx, FetchAuthSessionOptions::default())),
    )
    .await;
    contexts
        .iter()
        .zip(results)
        .map(|(ctx, result)| {
            let signed_in = result.is_ok_and(|session| session.is_signed_in());
            let mut jar = jar.clone();
            jar.apply(&ctx.set_cookie_headers());
            signed_in.then(|| jar.ending_with(".refreshToken").unwrap().to_owned())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn runners_sharing_a_store_refresh_once_and_report_once() {
    let local = Backend::start_with(|o| o.rotate_refresh_tokens = true).await;
    let store = MemoryStore::new();
    let hooks = RefreshCount::default();
    let runners = runners(&local, &store, [7, 7, 7], &hooks);
    let jar = expired(&local, &runners[0], "ada").await;

    let tokens = storm(&runners, &jar, 30).await;
    assert_eq!(local.backend.operation_count(REFRESH), 1);
    assert_eq!(
        hooks.0.load(Ordering::SeqCst),
        1,
        "one refresh, one hook call"
    );
    let first = tokens[0].clone().expect("signed in");
    assert!(
        tokens.iter().all(|t| t.as_deref() == Some(&first)),
        "{tokens:?}"
    );
    assert_ne!(
        Some(first.as_str()),
        jar.ending_with(".refreshToken"),
        "rotated"
    );
}

#[tokio::test]
async fn a_sign_out_on_one_runner_is_refused_by_the_others() {
    let local = Backend::start().await;
    let store = MemoryStore::new();
    let runners = runners(&local, &store, [7, 7, 7], &RefreshCount::default());
    let username = local.user("bo");
    let jar = signed_in_jar(&runners[0], &username).await;
    let mut access_only = jar.clone();
    access_only
        .cookies
        .retain(|name, _| !name.ends_with(".refreshToken"));
    for runner in &runners {
        let ctx = access_only.context(runner);
        assert!(
            fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
                .await
                .unwrap()
                .is_signed_in()
        );
    }
    sign_out(&jar.context(&runners[1]), SignOutOptions::default())
        .await
        .unwrap();
    assert!(
        !signed_in(&access_only.context(&runners[1])).await,
        "the runner that signed out refuses it at once"
    );
    for runner in &runners {
        // The store is told in the background, after the response.
        eventually("every runner refuses the signed-out session", async || {
            !signed_in(&access_only.context(runner)).await
        })
        .await;
    }
    // A runner that starts later loads the list.
    let late = runners_from(&local, &store);
    let ctx = access_only.context(&late);
    let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::default()).await;
    assert!(!session.is_ok_and(|s| s.is_signed_in()));
}

#[tokio::test]
async fn a_sign_out_while_the_store_is_down_reaches_the_others_when_it_returns() {
    let local = Backend::start().await;
    let store = MemoryStore::new();
    let runners = runners(&local, &store, [7, 7, 7], &RefreshCount::default());
    let jar = signed_in_jar(&runners[0], &local.user("ike")).await;
    let mut access_only = jar.clone();
    access_only
        .cookies
        .retain(|name, _| !name.ends_with(".refreshToken"));
    for runner in &runners {
        // Verified once: later reads go by the runner's own list, not Cognito.
        assert!(signed_in(&access_only.context(runner)).await);
    }
    store.set_available(false);
    sign_out(&jar.context(&runners[1]), SignOutOptions::default())
        .await
        .unwrap();
    assert!(!signed_in(&access_only.context(&runners[1])).await);
    assert!(
        signed_in(&access_only.context(&runners[0])).await,
        "the store is down: the others have not heard of it"
    );
    store.set_available(true);
    for runner in &runners {
        eventually("the sign-out reaches every runner", async || {
            !signed_in(&access_only.context(runner)).await
        })
        .await;
    }
    let late = runners_from(&local, &store);
    assert!(
        !signed_in(&access_only.context(&late)).await,
        "and the store kept it"
    );
}

#[tokio::test]
async fn a_sign_out_publishes_its_session_once_and_forgets_its_shared_credentials() {
    let local = Backend::start().await;
    let store = Arc::new(Counting::default());
    let runner = local
        .builder()
        .store(store.clone())
        .cookie_encryption_key(key(7))
        .share_identity_credentials(true)
        .build()
        .unwrap();
    let jar = signed_in_jar(&runner, &local.user("jo")).await;
    fetch_identity_credentials(&jar.context(&runner), false)
        .await
        .unwrap();
    let stored = store.inner.clone();
    sign_out(&jar.context(&runner), SignOutOptions::default())
        .await
        .unwrap();
    eventually("the shared credentials are deleted", async || {
        store
            .deleted()
            .iter()
            .any(|k| k.starts_with("credentials:result:"))
    })
    .await;
    let credentials = store
        .deleted()
        .into_iter()
        .find(|k| k.starts_with("credentials:result:"))
        .unwrap();
    assert_eq!(stored.get(&credentials).await.unwrap(), None);
    assert_eq!(
        store.publishes.load(Ordering::SeqCst),
        1,
        "the access and id tokens name one session"
    );
}

/// A store whose calls never complete (a Redis that stopped answering), with the timeout it says.
#[derive(Debug)]
struct Stuck(Duration);

impl Stuck {
    fn never<'a, T: Send + 'a>() -> StoreFuture<'a, T> {
        Box::pin(std::future::pending())
    }
}

impl SharedStore for Stuck {
    fn get<'a>(&'a self, _: &'a str) -> StoreFuture<'a, Option<Vec<u8>>> {
        Self::never()
    }
    fn put<'a>(&'a self, _: &'a str, _: Vec<u8>, _: Duration) -> StoreFuture<'a, ()> {
        Self::never()
    }
    fn delete<'a>(&'a self, _: &'a str) -> StoreFuture<'a, ()> {
        Self::never()
    }
    fn try_lease<'a>(&'a self, _: &'a str, _: &'a str, _: Duration) -> StoreFuture<'a, bool> {
        Self::never()
    }
    fn release_lease<'a>(&'a self, _: &'a str, _: &'a str) -> StoreFuture<'a, ()> {
        Self::never()
    }
    fn publish_revocation(&self, _: Revocation) -> StoreFuture<'_, ()> {
        Self::never()
    }
    fn watch_revocations(&self, _: RevocationSink) {}
    fn connect(&self) -> StoreFuture<'_, ()> {
        Self::never()
    }
    fn timeout(&self) -> Duration {
        self.0
    }
}

/// A bound far beyond what a busy machine needs, and far below a stuck store's hour.
const SAFETY_NET: Duration = Duration::from_secs(120);

#[tokio::test]
async fn a_store_that_never_answers_delays_neither_refresh_nor_sign_out_past_its_timeout() {
    let local = Backend::start().await;
    let runner_with = |timeout: Duration| {
        local
            .builder()
            .store(Arc::new(Stuck(timeout)))
            .cookie_encryption_key(key(7))
            .build()
            .unwrap()
    };
    // A refresh waits for the store no longer than its timeout, then refreshes here.
    let runner = runner_with(Duration::from_millis(20));
    let jar = expired(&local, &runner, "kim").await;
    let tokens = tokio::time::timeout(SAFETY_NET, storm(std::slice::from_ref(&runner), &jar, 1))
        .await
        .expect("the refresh waited on the stuck store");
    assert!(tokens[0].is_some(), "refreshed here after the timeout");
    assert_eq!(local.backend.operation_count(REFRESH), 1);
    // A sign-out never waits for the store: with an hour's timeout it still answers at once.
    let patient = runner_with(Duration::from_secs(3600));
    let ctx = jar.context(&patient);
    tokio::time::timeout(SAFETY_NET, sign_out(&ctx, SignOutOptions::default()))
        .await
        .expect("the sign-out waited on the stuck store")
        .unwrap();
    assert!(!signed_in(&jar.context(&patient)).await);
}

fn runners_from(local: &Backend, store: &MemoryStore) -> ServerRunner {
    local
        .builder()
        .store(Arc::new(store.clone()))
        .cookie_encryption_key(key(7))
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_store_falls_back_to_one_refresh_per_runner_and_keeps_valid_sessions() {
    let local = Backend::start().await;
    let store = MemoryStore::new();
    let runners = runners(&local, &store, [7, 7, 7], &RefreshCount::default());
    let valid = signed_in_jar(&runners[0], &local.user("cy")).await;
    store.set_available(false);
    for runner in &runners {
        let ctx = valid.context(runner);
        assert!(
            fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
                .await
                .unwrap()
                .is_signed_in()
        );
    }
    let jar = expired(&local, &runners[0], "dee").await;
    let tokens = storm(&runners, &jar, 30).await;
    assert!(
        tokens.iter().all(Option::is_some),
        "no rotation here: every refresh succeeds"
    );
    assert_eq!(
        local.backend.operation_count(REFRESH),
        3,
        "one refresh per runner"
    );

    store.set_available(true);
    let jar = expired(&local, &runners[0], "eve").await;
    storm(&runners, &jar, 30).await;
    assert_eq!(local.backend.operation_count(REFRESH), 4, "shared again");
}

#[tokio::test]
async fn a_stored_result_sealed_with_another_key_is_ignored() {
    let local = Backend::start().await;
    let store = MemoryStore::new();
    let runners = runners(&local, &store, [7, 8, 9], &RefreshCount::default());
    let jar = expired(&local, &runners[0], "fay").await;
    for (n, runner) in runners.iter().enumerate() {
        let tokens = storm(std::slice::from_ref(runner), &jar, 1).await;
        assert!(tokens[0].is_some());
        assert_eq!(
            local.backend.operation_count(REFRESH),
            n as u64 + 1,
            "refreshed itself"
        );
    }
}

#[tokio::test]
async fn identity_credentials_are_fetched_once_across_runners_on_request() {
    let local = Backend::start().await;
    let store = MemoryStore::new();
    let runners = runners(&local, &store, [7, 7, 7], &RefreshCount::default());
    let jar = signed_in_jar(&runners[0], &local.user("gus")).await;
    let mut keys = Vec::new();
    for runner in &runners {
        let credentials = fetch_identity_credentials(&jar.context(runner), false)
            .await
            .unwrap();
        assert!(credentials.authenticated);
        keys.push(credentials.credentials.access_key_id);
    }
    assert_eq!(
        local.backend.operation_count("GetCredentialsForIdentity"),
        1
    );
    assert!(keys.iter().all(|k| k == &keys[0]));
}

#[test]
fn a_store_needs_a_cookie_key_and_a_runtime() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let local = runtime.block_on(Backend::start());
    let error = runtime
        .block_on(async { local.builder().store(Arc::new(MemoryStore::new())).build() })
        .expect_err("no cookie key");
    assert!(
        error.to_string().contains("AMPLIFY_SSR_COOKIE_SECRET"),
        "{error}"
    );
    let error = local
        .builder()
        .store(Arc::new(MemoryStore::new()))
        .cookie_encryption_key(key(1))
        .build()
        .expect_err("no runtime");
    assert!(error.to_string().contains("tokio runtime"), "{error}");
    let error = runtime
        .block_on(async {
            local
                .builder()
                .store(Arc::new(MemoryStore::new()))
                .cookie_encryption_key(key(1))
                .store_timeout(Duration::ZERO)
                .build()
        })
        .expect_err("a zero store timeout");
    assert!(error.to_string().contains("above 0"), "{error}");
    #[cfg(not(feature = "redis"))]
    {
        let error = local
            .builder()
            .redis_url("redis://127.0.0.1:1/")
            .build()
            .expect_err("no feature");
        assert!(error.to_string().contains("`redis` feature"), "{error}");
    }
}

/// A store that counts the calls requests make (the revocation watch, started once per runner, is not one).
#[derive(Debug, Default)]
struct Counting {
    inner: MemoryStore,
    calls: AtomicUsize,
    publishes: AtomicUsize,
    deleted: Mutex<Vec<String>>,
}

impl Counting {
    fn count(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }

    fn deleted(&self) -> Vec<String> {
        self.deleted.lock().unwrap().clone()
    }
}

impl SharedStore for Counting {
    fn get<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Vec<u8>>> {
        self.count();
        self.inner.get(key)
    }
    fn put<'a>(&'a self, key: &'a str, value: Vec<u8>, ttl: Duration) -> StoreFuture<'a, ()> {
        self.count();
        self.inner.put(key, value, ttl)
    }
    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
        self.count();
        self.deleted.lock().unwrap().push(key.to_owned());
        self.inner.delete(key)
    }
    fn try_lease<'a>(
        &'a self,
        key: &'a str,
        owner: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        self.count();
        self.inner.try_lease(key, owner, ttl)
    }
    fn release_lease<'a>(&'a self, key: &'a str, owner: &'a str) -> StoreFuture<'a, ()> {
        self.count();
        self.inner.release_lease(key, owner)
    }
    fn publish_revocation(&self, revocation: Revocation) -> StoreFuture<'_, ()> {
        self.count();
        self.publishes.fetch_add(1, Ordering::SeqCst);
        self.inner.publish_revocation(revocation)
    }
    fn watch_revocations(&self, sink: RevocationSink) {
        self.inner.watch_revocations(sink);
    }
}

#[tokio::test]
async fn requests_with_a_valid_session_never_call_the_store() {
    let local = Backend::start().await;
    let store = Arc::new(Counting::default());
    let runner = local
        .builder()
        .store(store.clone())
        .cookie_encryption_key(key(7))
        .build()
        .unwrap();
    let jar = signed_in_jar(&runner, &local.user("hal")).await;
    for _ in 0..50 {
        let ctx = jar.context(&runner);
        assert!(
            fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
                .await
                .unwrap()
                .is_signed_in()
        );
        // Verified once: the cached check answers without awaiting anything.
        assert!(matches!(
            amplify_ssr::guard::check_access_cached(&jar.context(&runner)),
            Some(amplify_ssr::guard::Access::Allowed)
        ));
    }
    assert_eq!(store.calls.load(Ordering::SeqCst), 0);
    // A refresh is what reaches the store.
    let mut expired = jar.clone();
    expired.set_ending_with(".clockDrift", TWO_HOURS_MS);
    fetch_auth_session(
        &expired.context(&runner),
        FetchAuthSessionOptions::default(),
    )
    .await
    .unwrap();
    assert!(store.calls.load(Ordering::SeqCst) > 0);
}
