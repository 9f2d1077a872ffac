//! `Cache-Control` on responses that read the session: every way of reading it (extractors, route protection,
//! the session APIs, Data and Storage, a cookie read) makes the response `private, no-store`, signed in or not,
//! over the handler's own value; public responses keep theirs; `SessionIndependent` opts out, except when the
//! session cookies changed.

mod common;

use amplify_ssr::axum::{AmplifyLayer, CurrentUser, RequireAuthLayer, SignedInPage};
use amplify_ssr::data::{DataClient, ListOptions};
use amplify_ssr::storage::{ListInput, StorageTarget, list_all};
use amplify_ssr::{
    FetchAuthSessionOptions, ServerContext, ServerRunner, SessionIndependent, fetch_auth_session,
    fetch_identity_credentials, fetch_user_attributes, get_current_user,
};
use axum::Router;
use axum::body::Body;
use axum::routing::get;
use common::{Backend, Jar, body_text, call, signed_in_jar};
use http::{StatusCode, header};

const PUBLIC_CACHE: &str = "public, max-age=60";
const PRIVATE: &str = "private, no-store";

/// Whether the handler's call succeeded, as text (the body does not matter here, the headers do).
fn outcome<T, E>(result: Result<T, E>) -> &'static str {
    if result.is_ok() { "ok" } else { "error" }
}

fn app(runner: ServerRunner) -> Router {
    let data = DataClient::new(&runner).expect("amplify-local has a data section");
    let last_auth_user = format!(
        "CognitoIdentityServiceProvider.{}.LastAuthUser",
        runner.config().auth().unwrap().user_pool_client_id
    );
    Router::new()
        .route("/protected", get(|| async { "for signed-in users" }))
        .route_layer(RequireAuthLayer::new())
        .route(
            "/page",
            get(|SignedInPage(user): SignedInPage| async move { user.username }),
        )
        .route(
            "/api",
            get(|CurrentUser(user): CurrentUser| async move { user.username }),
        )
        .route(
            "/session",
            get(|ctx: ServerContext| async move {
                outcome(fetch_auth_session(&ctx, FetchAuthSessionOptions::default()).await)
            }),
        )
        .route(
            "/user",
            get(|ctx: ServerContext| async move { outcome(get_current_user(&ctx).await) }),
        )
        .route(
            "/attributes",
            get(|ctx: ServerContext| async move { outcome(fetch_user_attributes(&ctx).await) }),
        )
        .route(
            "/credentials",
            get(|ctx: ServerContext| async move {
                outcome(fetch_identity_credentials(&ctx, false).await)
            }),
        )
        .route(
            "/storage",
            get(|ctx: ServerContext| async move {
                outcome(list_all(&ctx, ListInput::new(StorageTarget::path("public/"))).await)
            }),
        )
        .route(
            "/data",
            get(move |ctx: ServerContext| {
                let data = data.clone();
                async move {
                    let todos = data.model("Todo").expect("Todo model");
                    outcome(todos.list(&ctx, ListOptions::new()).await)
                }
            }),
        )
        .route(
            "/cookie",
            get(move |ctx: ServerContext| {
                let name = last_auth_user.clone();
                async move { ctx.cookie(&name).unwrap_or_default() }
            }),
        )
        .route(
            "/reads-but-says-public",
            get(|ctx: ServerContext| async move {
                let _ = get_current_user(&ctx).await;
                (
                    [(header::CACHE_CONTROL, PUBLIC_CACHE)],
                    "claims to be public",
                )
            }),
        )
        .route(
            "/independent",
            get(|ctx: ServerContext| async move {
                // Reads the session (e.g. for a log line) but shows everyone the same thing.
                let _ = get_current_user(&ctx).await;
                (
                    SessionIndependent,
                    [(header::CACHE_CONTROL, PUBLIC_CACHE)],
                    "the same for everyone",
                )
            }),
        )
        .route(
            "/independent-bare",
            get(|ctx: ServerContext| async move {
                let _ = get_current_user(&ctx).await;
                (SessionIndependent, "the same for everyone")
            }),
        )
        .route("/public", get(|| async { "public" }))
        .route(
            "/public-cached",
            get(|| async { ([(header::CACHE_CONTROL, PUBLIC_CACHE)], "public") }),
        )
        .layer(AmplifyLayer::new(runner).sign_in_path("/sign-in"))
}

fn cache_control(response: &http::Response<Body>) -> Option<&str> {
    response
        .headers()
        .get(header::CACHE_CONTROL)
        .map(|v| v.to_str().unwrap())
}

/// A signed-in jar, a signed-out one, and the app.
async fn setup() -> (Backend, Router, Jar, Jar) {
    let local = Backend::start().await;
    let username = local.user("alice");
    let runner = local.runner();
    let signed_in = signed_in_jar(&runner, &username).await;
    (local, app(runner), signed_in, Jar::default())
}

#[tokio::test]
async fn every_response_that_read_the_session_is_private_signed_in_or_not() {
    let (_local, app, signed_in, signed_out) = setup().await;
    // (path, status signed in, status signed out, whether a signed-out visit creates a guest identity cookie)
    for (path, status_signed_in, status_signed_out, guest_identity) in [
        ("/protected", StatusCode::OK, StatusCode::FOUND, false),
        ("/page", StatusCode::OK, StatusCode::FOUND, false),
        ("/api", StatusCode::OK, StatusCode::UNAUTHORIZED, false),
        ("/session", StatusCode::OK, StatusCode::OK, true),
        ("/user", StatusCode::OK, StatusCode::OK, false),
        ("/attributes", StatusCode::OK, StatusCode::OK, false),
        ("/credentials", StatusCode::OK, StatusCode::OK, true),
        ("/storage", StatusCode::OK, StatusCode::OK, true),
        ("/data", StatusCode::OK, StatusCode::OK, false),
        ("/cookie", StatusCode::OK, StatusCode::OK, false),
    ] {
        for (jar, status, writes, who) in [
            (&signed_in, status_signed_in, false, "signed in"),
            (&signed_out, status_signed_out, guest_identity, "signed out"),
        ] {
            let response = call(&app, path, jar).await;
            assert_eq!(response.status(), status, "{path} {who}");
            assert_eq!(cache_control(&response), Some(PRIVATE), "{path} {who}");
            // Without a cookie change, the header can only come from the read.
            assert_eq!(
                response.headers().get(header::SET_COOKIE).is_some(),
                writes,
                "{path} {who}"
            );
        }
    }
    // The calls did what they say, so the session really was read both ways.
    assert_eq!(body_text(call(&app, "/user", &signed_in).await).await, "ok");
    assert_eq!(
        body_text(call(&app, "/user", &signed_out).await).await,
        "error"
    );
    assert_eq!(body_text(call(&app, "/data", &signed_in).await).await, "ok");
    assert_eq!(
        body_text(call(&app, "/cookie", &signed_in).await).await,
        "alice"
    );
}

#[tokio::test]
async fn no_store_replaces_the_cache_control_of_a_handler_that_read_the_session() {
    let (_local, app, signed_in, signed_out) = setup().await;
    for jar in [&signed_in, &signed_out] {
        let response = call(&app, "/reads-but-says-public", jar).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(cache_control(&response), Some(PRIVATE));
        assert_eq!(
            response
                .headers()
                .get_all(header::CACHE_CONTROL)
                .iter()
                .count(),
            1
        );
    }
}

#[tokio::test]
async fn public_responses_keep_their_own_caching() {
    let (_local, app, signed_in, signed_out) = setup().await;
    for jar in [&signed_in, &signed_out] {
        let response = call(&app, "/public", jar).await;
        assert_eq!(cache_control(&response), None);
        let response = call(&app, "/public-cached", jar).await;
        assert_eq!(cache_control(&response), Some(PUBLIC_CACHE));
        // Read the session, but declared the same for everyone.
        let response = call(&app, "/independent", jar).await;
        assert_eq!(cache_control(&response), Some(PUBLIC_CACHE));
        let response = call(&app, "/independent-bare", jar).await;
        assert_eq!(cache_control(&response), None);
    }
}

#[tokio::test]
async fn session_independent_does_not_cover_a_session_cookie_change() {
    let (_local, app, mut signed_in, _) = setup().await;
    // The tokens look expired: the session is refreshed and the new cookies go out with this response.
    signed_in.set_ending_with(".clockDrift", "7200000");
    let response = call(&app, "/independent", &signed_in).await;
    assert!(
        response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|c| c.to_str().unwrap().contains(".accessToken=")),
        "the session was refreshed"
    );
    assert_eq!(cache_control(&response), Some(PRIVATE));
}
