//! Identity-pool credentials end to end: guests and signed-in users against an in-process amplify-local
//! (Cognito Identity on the same port), and a stub Cognito Identity for expiry, failures and wire details.
//! Calls are counted to prove what the runner's credentials cache saves.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use amplify_ssr::axum::{AmplifyLayer, RequireAuthLayer};
use amplify_ssr::{
    AmplifyConfig, AuthError, FetchAuthSessionOptions, ServerContext, ServerRunner, SignOutOptions,
    fetch_auth_session, fetch_identity_credentials, get_current_user, sign_out,
};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::response::IntoResponse;
use axum::routing::get;
use common::{Backend, Jar, signed_in_jar};
use http::{HeaderMap, Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;

const GET_ID: &str = "GetId";
const GET_CREDENTIALS: &str = "GetCredentialsForIdentity";

fn counts(local: &Backend) -> (u64, u64) {
    (
        local.backend.operation_count(GET_ID),
        local.backend.operation_count(GET_CREDENTIALS),
    )
}

fn identity_cookie_name(config: &AmplifyConfig) -> String {
    let pool = config
        .auth
        .as_ref()
        .and_then(|a| a.identity_pool_id.clone())
        .expect("amplify-local has an identity pool");
    amplify_ssr::cookies::encode_name(&amplify_ssr::cookies::identity_id_key(&pool))
}

fn set_cookie_lines(ctx: &ServerContext) -> Vec<String> {
    ctx.set_cookie_headers()
        .iter()
        .map(|h| h.to_str().unwrap().to_owned())
        .collect()
}

async fn guest_jar(runner: &ServerRunner) -> (Jar, String) {
    let ctx = runner.context(&HeaderMap::new());
    let guest = fetch_identity_credentials(&ctx, false)
        .await
        .expect("guest credentials");
    assert!(!guest.authenticated);
    let mut jar = Jar::default();
    jar.apply(&ctx.set_cookie_headers());
    (jar, guest.identity_id)
}

#[tokio::test]
async fn guest_credentials_keep_the_identity_id_in_its_cookie_and_reuse_it() {
    let local = Backend::start().await;
    let runner = local.runner();
    let cookie = identity_cookie_name(&runner.config().clone());

    let ctx = runner.context(&HeaderMap::new());
    let first = fetch_identity_credentials(&ctx, false).await.unwrap();
    assert!(!first.authenticated);
    assert!(first.identity_id.contains(':'), "{}", first.identity_id);
    assert!(first.credentials.session_token.is_some());
    assert!(
        first
            .credentials
            .remaining_lifetime(SystemTime::now())
            .is_some_and(|left| left > Duration::from_secs(300))
    );
    let lines = set_cookie_lines(&ctx);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(&format!("{cookie}={};", first.identity_id)),
        "{lines:?}"
    );
    assert!(
        lines[0].contains("Path=/") && lines[0].contains("SameSite=Lax"),
        "token-cookie attributes: {lines:?}"
    );
    // A second read in the same request sees the identity (no second GetId), and the cache answers.
    let again = fetch_identity_credentials(&ctx, false).await.unwrap();
    assert_eq!(again.identity_id, first.identity_id);
    assert_eq!(counts(&local), (1, 1));

    let mut jar = Jar::default();
    jar.apply(&ctx.set_cookie_headers());

    // The next request carries the cookie: same identity, no network at all.
    let ctx = jar.context(&runner);
    let next = fetch_identity_credentials(&ctx, false).await.unwrap();
    assert_eq!(next.identity_id, first.identity_id);
    assert_eq!(
        next.credentials.access_key_id,
        first.credentials.access_key_id
    );
    assert!(ctx.set_cookie_headers().is_empty());
    assert_eq!(counts(&local), (1, 1));

    // Another process (fresh cache) reuses the cookie's identity: no GetId.
    let other_process = local.runner();
    let ctx = jar.context(&other_process);
    let elsewhere = fetch_identity_credentials(&ctx, false).await.unwrap();
    assert_eq!(elsewhere.identity_id, first.identity_id);
    assert_eq!(counts(&local), (1, 2));

    // fetch_auth_session reports the guest identity too, from the cache.
    let session = fetch_auth_session(&jar.context(&runner), FetchAuthSessionOptions::default())
        .await
        .unwrap();
    assert!(session.tokens.is_none());
    assert_eq!(
        session.identity_id.as_deref(),
        Some(first.identity_id.as_str())
    );
    assert!(session.credentials.is_some());
    assert_eq!(counts(&local), (1, 2));
}

#[tokio::test]
async fn signed_in_users_get_authenticated_credentials_and_lose_the_guest_cookie() {
    let local = Backend::start().await;
    let username = local.user("alice");
    let runner = local.runner();
    let cookie = identity_cookie_name(runner.config());

    let (guest, guest_id) = guest_jar(&runner).await;
    let mut jar = signed_in_jar(&runner, &username).await;
    jar.cookies.extend(guest.cookies);
    assert!(jar.cookies.contains_key(&cookie));

    let ctx = jar.context(&runner);
    let user = fetch_identity_credentials(&ctx, false).await.unwrap();
    assert!(user.authenticated);
    assert_ne!(user.identity_id, guest_id);
    let lines = set_cookie_lines(&ctx);
    assert!(
        lines.iter().any(|l| l.starts_with(&format!("{cookie}=;"))),
        "the guest cookie is deleted: {lines:?}"
    );
    jar.apply(&ctx.set_cookie_headers());
    assert!(!jar.cookies.contains_key(&cookie));
    assert_eq!(counts(&local), (2, 2), "guest + user, one GetId each");

    // Cache hit, then a new sign-in (new id token): new credentials, same identity, no GetId.
    let ctx = jar.context(&runner);
    assert_eq!(
        fetch_identity_credentials(&ctx, false)
            .await
            .unwrap()
            .identity_id,
        user.identity_id
    );
    assert!(ctx.set_cookie_headers().is_empty());
    assert_eq!(counts(&local), (2, 2));
    let jar = signed_in_jar(&runner, &username).await;
    let again = fetch_identity_credentials(&jar.context(&runner), false)
        .await
        .unwrap();
    assert_eq!(again.identity_id, user.identity_id, "stable per user");
    assert_eq!(counts(&local), (2, 3));

    // Another process asks GetId again and gets the same identity.
    let other = fetch_identity_credentials(&jar.context(&local.runner()), false)
        .await
        .unwrap();
    assert_eq!(other.identity_id, user.identity_id);
    assert_eq!(counts(&local), (3, 4));

    // fetch_auth_session fills the identity fields from the cache.
    let session = fetch_auth_session(&jar.context(&runner), FetchAuthSessionOptions::default())
        .await
        .unwrap();
    assert_eq!(
        session.identity_id.as_deref(),
        Some(user.identity_id.as_str())
    );
    assert!(session.tokens.is_some());
    assert_eq!(counts(&local), (3, 4));
}

#[tokio::test]
async fn force_refresh_bypasses_the_cache_and_sign_out_drops_it() {
    let local = Backend::start().await;
    let username = local.user("alice");
    let runner = local.runner();
    let jar = signed_in_jar(&runner, &username).await;

    let first = fetch_identity_credentials(&jar.context(&runner), false)
        .await
        .unwrap();
    assert_eq!(counts(&local), (1, 1));
    let forced = fetch_identity_credentials(&jar.context(&runner), true)
        .await
        .unwrap();
    assert_eq!(forced.identity_id, first.identity_id);
    assert_ne!(
        forced.credentials.access_key_id,
        first.credentials.access_key_id
    );
    assert_eq!(counts(&local), (1, 2));
    // The forced result replaced the cached one.
    let cached = fetch_identity_credentials(&jar.context(&runner), false)
        .await
        .unwrap();
    assert_eq!(
        cached.credentials.access_key_id,
        forced.credentials.access_key_id
    );
    // fetch_auth_session's force_refresh refreshes the tokens and the credentials.
    let mut jar = jar;
    let ctx = jar.context(&runner);
    let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::force_refresh())
        .await
        .unwrap();
    jar.apply(&ctx.set_cookie_headers());
    assert_ne!(
        session.credentials.unwrap().access_key_id,
        forced.credentials.access_key_id
    );
    assert_eq!(counts(&local), (1, 3));
    fetch_identity_credentials(&jar.context(&runner), false)
        .await
        .unwrap();
    assert_eq!(counts(&local), (1, 3), "cached under the new id token");

    // Sign out; the same cookies replayed afterwards are signed out here (see session_integrity.rs), so they get
    // nothing of alice's: neither her cached credentials nor her identity, only a guest's.
    sign_out(&jar.context(&runner), SignOutOptions::default())
        .await
        .unwrap();
    let replayed = fetch_identity_credentials(&jar.context(&runner), false)
        .await
        .expect("guest credentials");
    assert!(!replayed.authenticated);
    assert_ne!(replayed.identity_id, first.identity_id);
    assert_eq!(
        counts(&local),
        (2, 4),
        "a guest identity, not a cached entry"
    );
}

#[tokio::test]
async fn concurrent_requests_share_one_fetch() {
    let local = Backend::start().await;
    let username = local.user("alice");
    let runner = local.runner();
    let jar = signed_in_jar(&runner, &username).await;

    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let ctx = jar.context(&runner);
            tokio::spawn(async move { fetch_identity_credentials(&ctx, false).await })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap().unwrap().credentials.access_key_id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1);
    assert_eq!(counts(&local), (1, 1));

    // Guests sharing one identity cookie share one fetch too.
    let (guest, _) = guest_jar(&local.runner()).await;
    let before = counts(&local);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let ctx = guest.context(&runner);
            tokio::spawn(async move { fetch_identity_credentials(&ctx, false).await })
        })
        .collect();
    for task in tasks {
        assert!(!task.await.unwrap().unwrap().authenticated);
    }
    assert_eq!(counts(&local), (before.0, before.1 + 1));
}

#[tokio::test]
async fn tokens_only_checks_never_touch_cognito_identity() {
    let local = Backend::start().await;
    let username = local.user("alice");
    let runner = local.runner();
    let jar = signed_in_jar(&runner, &username).await;

    let app = Router::new()
        .route("/dashboard", get(|| async { "dashboard" }))
        .route_layer(RequireAuthLayer::new())
        .layer(AmplifyLayer::new(runner.clone()).sign_in_path("/sign-in"));
    for cookies in [jar.header(), String::new()] {
        let mut request = Request::get("/dashboard");
        if !cookies.is_empty() {
            request = request.header(header::COOKIE, cookies);
        }
        let response = app
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert!(
            matches!(response.status(), StatusCode::OK | StatusCode::FOUND),
            "{}",
            response.status()
        );
    }
    get_current_user(&jar.context(&runner)).await.unwrap();
    assert!(
        get_current_user(&runner.context(&HeaderMap::new()))
            .await
            .is_err()
    );
    // The tokens and their claims, for rendering a page: no credentials either.
    let tokens = amplify_ssr::fetch_auth_tokens(&jar.context(&runner))
        .await
        .unwrap()
        .expect("signed in");
    let id_claims = tokens.id_token_claims.expect("an id token");
    assert_eq!(id_claims.cognito_username(), Some(username.as_str()));
    assert_eq!(
        tokens.access_token_claims.username(),
        Some(username.as_str())
    );
    assert!(
        amplify_ssr::fetch_auth_tokens(&runner.context(&HeaderMap::new()))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(counts(&local), (0, 0));
}

#[tokio::test]
async fn guest_access_off_means_no_credentials_but_a_session() {
    let local = Backend::start_with(|options| options.allow_guest_access = false).await;
    let username = local.user("alice");
    let runner = local.runner();
    assert!(!runner.config().auth.as_ref().unwrap().allow_guest_access);

    let ctx = runner.context(&HeaderMap::new());
    let error = fetch_identity_credentials(&ctx, false).await.unwrap_err();
    assert!(
        matches!(error, AuthError::NoCredentials { .. }),
        "{error:?}"
    );
    assert_eq!(error.name(), "NoCredentials");
    let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
        .await
        .unwrap();
    assert!(session.identity_id.is_none() && session.credentials.is_none());
    assert!(ctx.set_cookie_headers().is_empty());
    assert_eq!(counts(&local), (0, 0));

    // Signed-in users still get credentials.
    let jar = signed_in_jar(&runner, &username).await;
    let session = fetch_auth_session(&jar.context(&runner), FetchAuthSessionOptions::default())
        .await
        .unwrap();
    assert!(session.identity_id.is_some() && session.credentials.is_some());
}

#[tokio::test]
async fn guest_access_refused_by_the_pool_is_an_error() {
    // The outputs say guests are allowed, the pool says no (amplify-js #12648): upstream throws.
    let local = Backend::start_with(|options| options.allow_guest_access = false).await;
    let mut outputs = local.backend.outputs();
    outputs["auth"]["unauthenticated_identities_enabled"] = json!(true);
    let runner = ServerRunner::builder(AmplifyConfig::from_value(&outputs).unwrap())
        .ignore_env()
        .build()
        .unwrap();
    let ctx = runner.context(&HeaderMap::new());
    let error = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
        .await
        .unwrap_err();
    assert_eq!(error.name(), "NotAuthorizedException", "{error:?}");
    assert!(!error.is_transient() && !error.is_unauthenticated());
}

#[tokio::test]
async fn without_an_identity_pool_the_fields_stay_empty() {
    let local = Backend::start().await;
    let username = local.user("alice");
    let mut outputs = local.backend.outputs();
    outputs["auth"]
        .as_object_mut()
        .unwrap()
        .remove("identity_pool_id");
    let runner = ServerRunner::builder(AmplifyConfig::from_value(&outputs).unwrap())
        .ignore_env()
        .build()
        .unwrap();
    let jar = signed_in_jar(&runner, &username).await;
    for ctx in [jar.context(&runner), runner.context(&HeaderMap::new())] {
        let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
            .await
            .unwrap();
        assert!(session.identity_id.is_none() && session.credentials.is_none());
        let error = fetch_identity_credentials(&ctx, false).await.unwrap_err();
        assert!(
            matches!(error, AuthError::NoCredentials { .. }),
            "{error:?}"
        );
    }
    assert_eq!(counts(&local), (0, 0));
}

#[tokio::test]
async fn static_contexts_get_guest_credentials_with_one_get_id_per_process() {
    let local = Backend::start().await;
    let runner = local.runner();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let ctx = runner.static_context();
            tokio::spawn(async move { fetch_identity_credentials(&ctx, false).await })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        let credentials = task.await.unwrap().unwrap();
        assert!(!credentials.authenticated);
        ids.push(credentials.identity_id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1);
    // Later renders reuse the identity (and the cached credentials); a forced refresh asks for new
    // credentials only.
    let ctx = runner.static_context();
    fetch_identity_credentials(&ctx, false).await.unwrap();
    let forced = fetch_identity_credentials(&ctx, true).await.unwrap();
    assert_eq!(forced.identity_id, ids[0]);
    assert_eq!(counts(&local), (1, 2));
    assert!(ctx.set_cookie_headers().is_empty());
}

#[tokio::test]
async fn server_auth_mode_keeps_the_guest_id_for_the_request_only_unless_asked() {
    let local = Backend::start().await;
    let cookie = identity_cookie_name(&local.config());
    let runner = ServerRunner::builder(local.config())
        .ignore_env()
        .http_only_cookies(true)
        .build()
        .unwrap();
    let ctx = runner.context(&HeaderMap::new());
    let first = fetch_identity_credentials(&ctx, false).await.unwrap();
    let second = fetch_identity_credentials(&ctx, false).await.unwrap();
    assert_eq!(first.identity_id, second.identity_id);
    assert_eq!(counts(&local), (1, 1));
    assert!(
        set_cookie_lines(&ctx).is_empty(),
        "as upstream: not written"
    );

    let opted_in = ServerRunner::builder(local.config())
        .ignore_env()
        .http_only_cookies(true)
        .http_only_guest_identity_cookie()
        .build()
        .unwrap();
    let ctx = opted_in.context(&HeaderMap::new());
    fetch_identity_credentials(&ctx, false).await.unwrap();
    let lines = set_cookie_lines(&ctx);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with(&format!("{cookie}=")) && lines[0].contains("HttpOnly"),
        "{lines:?}"
    );
}

#[tokio::test]
async fn debug_output_shows_no_secret() {
    let local = Backend::start().await;
    let username = local.user("alice");
    let runner = local.runner();
    let jar = signed_in_jar(&runner, &username).await;
    let ctx = jar.context(&runner);
    let credentials = fetch_identity_credentials(&ctx, false).await.unwrap();
    let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
        .await
        .unwrap();
    let secret = credentials
        .credentials
        .secret_access_key
        .secret()
        .to_owned();
    let token = credentials
        .credentials
        .session_token
        .as_ref()
        .unwrap()
        .secret()
        .to_owned();
    for text in [
        format!("{credentials:?}"),
        format!("{:?}", credentials.credentials),
        format!("{session:?}"),
        format!("{session:#?}"),
    ] {
        assert!(
            text.contains(&credentials.credentials.access_key_id),
            "{text}"
        );
        assert!(!text.contains(&secret), "{text}");
        assert!(!text.contains(&token), "{text}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// A stub Cognito Identity: scripted answers, recorded requests.

#[derive(Clone, Default)]
struct Stub {
    requests: Arc<Mutex<Vec<(String, Value)>>>,
    /// Failures to answer before succeeding, per call: (status, body).
    failures: Arc<Mutex<Vec<(u16, &'static str)>>>,
    lifetime_secs: Arc<AtomicUsize>,
    omit_secret: Arc<std::sync::atomic::AtomicBool>,
    issued: Arc<AtomicUsize>,
}

impl Stub {
    fn calls(&self, operation: &str) -> usize {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|(op, _)| op == operation)
            .count()
    }

    fn bodies(&self, operation: &str) -> Vec<Value> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|(op, _)| op == operation)
            .map(|(_, body)| body.clone())
            .collect()
    }

    async fn start(&self) -> String {
        let stub = self.clone();
        let app = Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
            let stub = stub.clone();
            async move { stub.answer(&headers, &body) }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}/")
    }

    fn answer(&self, headers: &HeaderMap, body: &[u8]) -> axum::response::Response {
        let target = headers["x-amz-target"].to_str().unwrap().to_owned();
        let operation = target
            .strip_prefix("AWSCognitoIdentityService.")
            .unwrap_or("wrong-service")
            .to_owned();
        let body: Value = serde_json::from_slice(body).unwrap();
        self.requests
            .lock()
            .unwrap()
            .push((operation.clone(), body.clone()));
        let failure = {
            let mut failures = self.failures.lock().unwrap();
            (!failures.is_empty()).then(|| failures.remove(0))
        };
        if let Some((status, body)) = failure {
            return (
                StatusCode::from_u16(status).unwrap(),
                [("content-type", "application/x-amz-json-1.1")],
                body,
            )
                .into_response();
        }
        let reply = match operation.as_str() {
            "GetId" => {
                let authenticated = body["Logins"].as_object().is_some_and(|m| !m.is_empty());
                json!({ "IdentityId": if authenticated { "us-east-1:user-identity" } else { "us-east-1:guest-identity" } })
            }
            "GetCredentialsForIdentity" => {
                let n = self.issued.fetch_add(1, Ordering::SeqCst);
                let expiration = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_secs()
                    + self.lifetime_secs.load(Ordering::SeqCst) as u64;
                let mut credentials = json!({
                    "AccessKeyId": format!("ASIASTUB{n}"),
                    "SecretKey": format!("stub-secret-{n}"),
                    "SessionToken": format!("stub-session-{n}"),
                    "Expiration": expiration,
                });
                if self.omit_secret.load(Ordering::SeqCst) {
                    credentials.as_object_mut().unwrap().remove("SecretKey");
                }
                json!({ "IdentityId": body["IdentityId"], "Credentials": credentials })
            }
            _ => json!({ "__type": "UnknownOperationException" }),
        };
        (
            [("content-type", "application/x-amz-json-1.1")],
            reply.to_string(),
        )
            .into_response()
    }
}

/// amplify-local for the user pool, the stub for Cognito Identity.
async fn with_stub(lifetime: Duration) -> (Backend, Stub, ServerRunner) {
    let local = Backend::start().await;
    let stub = Stub::default();
    stub.lifetime_secs
        .store(lifetime.as_secs() as usize, Ordering::SeqCst);
    let url = stub.start().await;
    let runner = ServerRunner::builder(local.config())
        .ignore_env()
        .identity_pool_endpoint(&url)
        .build()
        .unwrap();
    (local, stub, runner)
}

#[tokio::test]
async fn the_wire_format_follows_aws_amplify() {
    let (local, stub, runner) = with_stub(Duration::from_secs(3600)).await;
    let username = local.user("alice");
    let pool = runner
        .config()
        .auth
        .as_ref()
        .unwrap()
        .identity_pool_id
        .clone()
        .unwrap();

    guest_jar(&runner).await;
    let jar = signed_in_jar(&runner, &username).await;
    let ctx = jar.context(&runner);
    let user = fetch_identity_credentials(&ctx, false).await.unwrap();
    assert_eq!(user.identity_id, "us-east-1:user-identity");

    let issuer = runner.config().token_issuer().unwrap();
    let login = issuer.split_once("://").unwrap().1.to_owned();
    let id_token = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
        .await
        .unwrap()
        .tokens
        .unwrap()
        .id_token
        .unwrap()
        .secret()
        .to_owned();
    let get_id = stub.bodies("GetId");
    assert_eq!(get_id[0], json!({ "IdentityPoolId": pool, "Logins": {} }));
    assert_eq!(
        get_id[1],
        json!({ "IdentityPoolId": pool, "Logins": { login.clone(): id_token.clone() } })
    );
    let get_credentials = stub.bodies("GetCredentialsForIdentity");
    assert_eq!(
        get_credentials[0],
        json!({ "IdentityId": "us-east-1:guest-identity" }),
        "no Logins key for guests"
    );
    assert_eq!(
        get_credentials[1],
        json!({ "IdentityId": "us-east-1:user-identity", "Logins": { login: id_token } })
    );
    assert_eq!(
        get_credentials.len(),
        2,
        "fetch_auth_session used the cache"
    );
}

#[tokio::test]
async fn credentials_close_to_expiry_are_fetched_again() {
    // Four minutes left: inside the default five-minute margin, so never reused.
    let (local, stub, runner) = with_stub(Duration::from_secs(240)).await;
    let jar = signed_in_jar(&runner, &local.user("alice")).await;
    for expected in 1..=3 {
        let credentials = fetch_identity_credentials(&jar.context(&runner), false)
            .await
            .unwrap();
        assert_eq!(stub.calls(GET_CREDENTIALS), expected);
        // The ones just issued, not the cached ones.
        assert_eq!(
            credentials.credentials.access_key_id,
            format!("ASIASTUB{}", expected - 1)
        );
    }
    assert_eq!(stub.calls(GET_ID), 1, "the identity id is remembered");

    // A smaller margin makes the same credentials reusable.
    let relaxed = ServerRunner::builder(runner.config().clone())
        .ignore_env()
        .credentials_refresh_margin(Duration::from_secs(60))
        .build()
        .unwrap();
    for _ in 0..3 {
        fetch_identity_credentials(&jar.context(&relaxed), false)
            .await
            .unwrap();
    }
    assert_eq!(stub.calls(GET_CREDENTIALS), 4);

    // Capacity 0: no caching at all.
    let uncached = ServerRunner::builder(runner.config().clone())
        .ignore_env()
        .credentials_cache_capacity(0)
        .credentials_refresh_margin(Duration::ZERO)
        .build()
        .unwrap();
    for _ in 0..2 {
        fetch_identity_credentials(&jar.context(&uncached), false)
            .await
            .unwrap();
    }
    assert_eq!(stub.calls(GET_CREDENTIALS), 6);
}

#[tokio::test]
async fn identity_failures_are_typed_and_transient_ones_retried() {
    let (local, stub, runner) = with_stub(Duration::from_secs(3600)).await;
    let jar = signed_in_jar(&runner, &local.user("alice")).await;

    // Two 5xx, then success: retried inside one call.
    stub.failures.lock().unwrap().extend([
        (
            500,
            r#"{"__type":"InternalErrorException","message":"boom"}"#,
        ),
        (503, "<html>unavailable</html>"),
    ]);
    let credentials = fetch_identity_credentials(&jar.context(&runner), false).await;
    assert!(credentials.is_ok(), "{credentials:?}");
    assert_eq!(stub.calls(GET_ID), 3);

    // Persistent throttling: three attempts, then a transient error; nothing is cached.
    stub.failures.lock().unwrap().extend([
        (
            400,
            r#"{"__type":"TooManyRequestsException","message":"slow down"}"#,
        ),
        (
            400,
            r#"{"__type":"TooManyRequestsException","message":"slow down"}"#,
        ),
        (
            400,
            r#"{"__type":"TooManyRequestsException","message":"slow down"}"#,
        ),
    ]);
    let error = fetch_identity_credentials(&jar.context(&runner), true)
        .await
        .unwrap_err();
    assert_eq!(error.name(), "TooManyRequestsException");
    assert!(error.is_transient());
    assert_eq!(stub.calls(GET_CREDENTIALS), 1 + 3);

    // A refusal is not retried.
    stub.failures.lock().unwrap().push((
        400,
        r#"{"__type":"NotAuthorizedException","message":"Invalid login token."}"#,
    ));
    let error = fetch_identity_credentials(&jar.context(&runner), true)
        .await
        .unwrap_err();
    assert_eq!(error.name(), "NotAuthorizedException");
    assert!(!error.is_transient());
    assert_eq!(stub.calls(GET_CREDENTIALS), 5);

    // Success without a secret key is a typed error, named as upstream names it.
    stub.omit_secret.store(true, Ordering::SeqCst);
    let error = fetch_identity_credentials(&jar.context(&runner), true)
        .await
        .unwrap_err();
    assert!(
        matches!(error, AuthError::InvalidIdentityResponse { .. }),
        "{error:?}"
    );
    assert_eq!(error.name(), "CredentialsException");
    let error = fetch_identity_credentials(&runner.context(&HeaderMap::new()), false)
        .await
        .unwrap_err();
    assert_eq!(error.name(), "CredentialsNotFoundException");
    // The session API reports a signed-in user's identity failure, as upstream.
    assert!(
        fetch_auth_session(
            &jar.context(&runner),
            FetchAuthSessionOptions::force_refresh()
        )
        .await
        .is_err()
    );
}

#[tokio::test]
async fn a_refused_guest_cookie_is_replaced_by_a_new_identity() {
    let (_local, stub, runner) = with_stub(Duration::from_secs(3600)).await;
    let cookie = identity_cookie_name(runner.config());
    let mut jar = Jar::default();
    jar.cookies
        .insert(cookie.clone(), "us-east-1:gone".to_owned());
    stub.failures.lock().unwrap().push((
        400,
        r#"{"__type":"ResourceNotFoundException","message":"Identity 'us-east-1:gone' not found."}"#,
    ));
    let ctx = jar.context(&runner);
    let guest = fetch_identity_credentials(&ctx, false).await.unwrap();
    assert_eq!(guest.identity_id, "us-east-1:guest-identity");
    jar.apply(&ctx.set_cookie_headers());
    assert_eq!(
        jar.cookies.get(&cookie).map(String::as_str),
        Some("us-east-1:guest-identity")
    );
    // Junk in the cookie is never sent to Cognito.
    jar.cookies.insert(cookie, "not an id".to_owned());
    fetch_identity_credentials(&jar.context(&runner), false)
        .await
        .unwrap();
    assert!(
        stub.bodies(GET_CREDENTIALS)
            .iter()
            .all(|b| b["IdentityId"] != "not an id")
    );
}

#[tokio::test]
async fn a_session_without_an_id_token_gets_no_credentials() {
    let local = Backend::start().await;
    let runner = local.runner();
    let mut jar = signed_in_jar(&runner, &local.user("alice")).await;
    let key = jar
        .cookies
        .keys()
        .find(|k| k.ends_with(".idToken"))
        .cloned()
        .unwrap();
    jar.cookies.remove(&key);
    let ctx = jar.context(&runner);
    let error = fetch_identity_credentials(&ctx, false).await.unwrap_err();
    assert!(matches!(error, AuthError::UserUnAuthenticated), "{error:?}");
    // The session API still reports the signed-in user (upstream would throw), without credentials.
    let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
        .await
        .unwrap();
    assert!(session.is_signed_in());
    assert!(session.identity_id.is_none() && session.credentials.is_none());
    assert_eq!(counts(&local), (0, 0));
}

#[tokio::test]
async fn a_planted_guest_identity_cookie_is_never_used() {
    let local = Backend::start().await;
    let runner = local.runner();
    let cookie = identity_cookie_name(runner.config());
    let (_, victim_id) = guest_jar(&runner).await;
    let (_, attacker_id) = guest_jar(&runner).await;
    assert_ne!(victim_id, attacker_id);
    // Another site plants the attacker's guest identity beside the victim's own, sent first or after it.
    for planted_first in [true, false] {
        let (a, b) = if planted_first {
            (&attacker_id, &victim_id)
        } else {
            (&victim_id, &attacker_id)
        };
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            format!("{cookie}={a}; {cookie}={b}").parse().unwrap(),
        );
        let ctx = runner.context(&headers);
        let guest = fetch_identity_credentials(&ctx, false).await.unwrap();
        assert!(!guest.authenticated);
        assert_ne!(
            guest.identity_id, attacker_id,
            "planted first={planted_first}: the attacker's identity is never used"
        );
        assert_ne!(
            guest.identity_id, victim_id,
            "which copy is genuine cannot be told: a new identity, for this request"
        );
        // The same identity for the rest of the request, and no Set-Cookie: a write would replace the victim's
        // genuine cookie, not the planted one.
        let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
            .await
            .unwrap();
        assert_eq!(
            session.identity_id.as_deref(),
            Some(guest.identity_id.as_str())
        );
        assert!(
            set_cookie_lines(&ctx).is_empty(),
            "{:?}",
            set_cookie_lines(&ctx)
        );
    }
    // A copy that is not an identity id at all is no rival: the victim's own is used.
    let mut headers = HeaderMap::new();
    headers.insert(
        header::COOKIE,
        format!("{cookie}=junk; {cookie}={victim_id}")
            .parse()
            .unwrap(),
    );
    let guest = fetch_identity_credentials(&runner.context(&headers), false)
        .await
        .unwrap();
    assert_eq!(guest.identity_id, victim_id);
}
