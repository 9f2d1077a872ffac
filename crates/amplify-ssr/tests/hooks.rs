//! `AuthHooks`: each sign-in, sign-out, refresh and refresh failure is reported once (a refresh after its
//! cookies were written), also when planted refresh-token copies are replayed, and a panicking hook does not
//! break the request.

mod common;

use std::sync::{Arc, Mutex};

use amplify_ssr::auth::{AuthEvent, AuthHooks, RefreshFailure};
use amplify_ssr::context::{ContextKind, ServerContext};
use amplify_ssr::{FetchAuthSessionOptions, SignOutOptions, fetch_auth_session, sign_out};
use common::{Backend, signed_in_jar};
use http::StatusCode;

#[derive(Clone, Default)]
struct Recorder {
    events: Arc<Mutex<Vec<String>>>,
    /// Contexts whose cookie writes `on_refresh` looks at when it is called.
    watched: Arc<Mutex<Vec<ServerContext>>>,
    /// For each `on_refresh` call: whether a watched context had already written the new access token.
    decided_at_refresh: Arc<Mutex<Vec<bool>>>,
}

impl Recorder {
    fn events(&self) -> Vec<String> {
        self.events.lock().unwrap().clone()
    }

    fn push(&self, line: String) {
        self.events.lock().unwrap().push(line);
    }
}

impl AuthHooks for Recorder {
    fn on_sign_in(&self, event: &AuthEvent) {
        assert_eq!(event.context, ContextKind::RequestResponse);
        assert!(event.user_id.as_deref().is_some_and(|sub| !sub.is_empty()));
        self.push(format!("sign_in {}", event.username));
    }

    fn on_sign_out(&self, event: &AuthEvent) {
        self.push(format!("sign_out {}", event.username));
    }

    fn on_refresh(&self, event: &AuthEvent) {
        let decided = self.watched.lock().unwrap().iter().any(|ctx| {
            ctx.set_cookie_headers()
                .iter()
                .any(|h| h.to_str().unwrap().contains(".accessToken="))
        });
        self.decided_at_refresh.lock().unwrap().push(decided);
        self.push(format!("refresh {}", event.username));
    }

    fn on_refresh_failure(&self, failure: &RefreshFailure) {
        self.push(format!(
            "refresh_failure {} {:?} ended={}",
            failure.user.username, failure.code, failure.session_ended
        ));
    }
}

const TWO_HOURS_MS: &str = "7200000";

#[tokio::test]
async fn sign_in_refresh_and_sign_out_are_each_reported_once() {
    let local = Backend::start_with(|o| o.rotate_refresh_tokens = true).await;
    let username = local.user("hanna");
    let recorder = Recorder::default();
    let runner = local
        .builder()
        .auth_hooks(recorder.clone())
        .build()
        .unwrap();

    let mut jar = signed_in_jar(&runner, &username).await;
    assert_eq!(recorder.events(), ["sign_in hanna"]);

    // Twelve requests share one refresh: one Cognito call, one hook call.
    jar.set_ending_with(".clockDrift", TWO_HOURS_MS);
    let contexts: Vec<_> = (0..12).map(|_| jar.context(&runner)).collect();
    recorder.watched.lock().unwrap().clone_from(&contexts);
    let results = futures_util::future::join_all(
        contexts
            .iter()
            .map(|ctx| fetch_auth_session(ctx, FetchAuthSessionOptions::default())),
    )
    .await;
    assert!(results.iter().all(|r| r.as_ref().unwrap().is_signed_in()));
    assert_eq!(
        local.backend.operation_count("GetTokensFromRefreshToken"),
        1
    );
    assert_eq!(recorder.events(), ["sign_in hanna", "refresh hanna"]);
    // The reporting request had written the new tokens when the hook ran (no request writes them before the
    // reporting one: the first to store the result reports it).
    assert_eq!(*recorder.decided_at_refresh.lock().unwrap(), [true]);
    recorder.watched.lock().unwrap().clear();

    jar.apply(&contexts[0].set_cookie_headers());
    let ctx = jar.context(&runner);
    sign_out(&ctx, SignOutOptions::default()).await.unwrap();
    assert_eq!(
        recorder.events(),
        ["sign_in hanna", "refresh hanna", "sign_out hanna"]
    );
    // A signed-out request signing out reports nothing.
    let ctx = runner.context(&http::HeaderMap::new());
    sign_out(&ctx, SignOutOptions::default()).await.unwrap();
    assert_eq!(recorder.events().len(), 3);
}

#[tokio::test]
async fn a_refused_refresh_is_reported_once_as_the_end_of_the_session() {
    let local = Backend::start().await;
    let username = local.user("ivan");
    let jar = {
        let mut jar = signed_in_jar(&local.runner(), &username).await;
        jar.set_ending_with(".clockDrift", TWO_HOURS_MS);
        jar
    };
    let (endpoint, hits) = common::failing_endpoint(
        StatusCode::BAD_REQUEST,
        r#"{"__type":"NotAuthorizedException","message":"Refresh Token has expired"}"#,
    )
    .await;
    let recorder = Recorder::default();
    let runner = local
        .builder()
        .user_pool_endpoint(&endpoint)
        .auth_hooks(recorder.clone())
        .build()
        .unwrap();
    let contexts: Vec<_> = (0..5).map(|_| jar.context(&runner)).collect();
    let results = futures_util::future::join_all(
        contexts
            .iter()
            .map(|ctx| fetch_auth_session(ctx, FetchAuthSessionOptions::default())),
    )
    .await;
    assert!(results.iter().all(|r| !r.as_ref().unwrap().is_signed_in()));
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(
        recorder.events(),
        [r#"refresh_failure ivan Some("NotAuthorizedException") ended=true"#]
    );
}

#[tokio::test]
async fn disagreeing_refresh_token_copies_that_all_fail_are_reported_once() {
    let local = Backend::start().await;
    let username = local.user("vera");
    let mut jar = signed_in_jar(&local.runner(), &username).await;
    jar.set_ending_with(".clockDrift", TWO_HOURS_MS);
    // A second copy of the refresh-token cookie, planted beside the genuine one.
    let refresh = jar
        .cookies
        .keys()
        .find(|name| name.ends_with(".refreshToken"))
        .unwrap()
        .clone();
    let mut headers = jar.headers();
    let both = format!(
        "{}; {refresh}=planted",
        headers[http::header::COOKIE].to_str().unwrap()
    );
    headers.insert(http::header::COOKIE, both.parse().unwrap());
    let (endpoint, hits) = common::failing_endpoint(
        StatusCode::BAD_REQUEST,
        r#"{"__type":"NotAuthorizedException","message":"Invalid Refresh Token"}"#,
    )
    .await;
    let recorder = Recorder::default();
    let runner = local
        .builder()
        .user_pool_endpoint(&endpoint)
        .auth_hooks(recorder.clone())
        .build()
        .unwrap();
    // Request after request replays the copies: one Cognito call per copy, one report.
    for _ in 0..5 {
        let ctx = runner.context(&headers);
        let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
            .await
            .unwrap();
        assert!(!session.is_signed_in());
        let written = ctx.set_cookie_headers();
        assert!(
            written
                .iter()
                .all(|h| !h.to_str().unwrap().contains("Token")),
            "no token cookie is cleared: {written:?}"
        );
    }
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert_eq!(recorder.events(), ["refresh_failure vera None ended=true"]);
}

struct Panicking;

impl AuthHooks for Panicking {
    fn on_sign_in(&self, _: &AuthEvent) {
        panic!("the audit log is down");
    }
}

#[tokio::test]
async fn a_panicking_hook_does_not_break_the_sign_in() {
    let local = Backend::start().await;
    let username = local.user("judy");
    let runner = local.builder().auth_hooks(Panicking).build().unwrap();
    let jar = signed_in_jar(&runner, &username).await;
    assert!(jar.ending_with(".accessToken").is_some());
    assert!(jar.ending_with(".refreshToken").is_some());
}
