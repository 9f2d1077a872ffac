//! The axum layer, extractors and route protection, driven in-process with `tower::ServiceExt::oneshot`.

mod common;

use amplify_ssr::ServerRunner;
use amplify_ssr::axum::{AmplifyLayer, CurrentUser, RequireAuthLayer, SignedInPage};
use axum::Router;
use axum::body::Body;
use axum::routing::get;
use common::{Backend, Jar, body_text, call, failing_endpoint, signed_in_jar};
use http::{Request, StatusCode, header};
use tower::ServiceExt;

fn app(runner: ServerRunner) -> Router {
    Router::new()
        .route("/dashboard", get(|| async { "secret dashboard" }))
        .route_layer(RequireAuthLayer::new())
        .route(
            "/profile",
            get(|SignedInPage(user): SignedInPage| async move { user.username }),
        )
        .route(
            "/apis/get-current-user",
            get(|CurrentUser(user): CurrentUser| async move { axum::Json(user) }),
        )
        .route("/", get(|| async { "public" }))
        .layer(AmplifyLayer::new(runner).sign_in_path("/sign-in"))
}

#[tokio::test]
async fn protected_routes_redirect_signed_out_users_and_keep_the_path() {
    let local = Backend::start().await;
    let app = app(local.runner());
    let empty = Jar::default();

    let response = call(&app, "/dashboard?tab=keys&x=1", &empty).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        response.headers()[header::LOCATION],
        "/sign-in?redirect_to=%2Fdashboard%3Ftab%3Dkeys%26x%3D1"
    );

    let response = call(&app, "/profile", &empty).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        response.headers()[header::LOCATION],
        "/sign-in?redirect_to=%2Fprofile"
    );

    let response = call(&app, "/apis/get-current-user", &empty).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = serde_json::from_str(&body_text(response).await).unwrap();
    assert_eq!(body["error"], "UserUnAuthenticatedException");

    let response = call(&app, "/", &empty).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get(header::SET_COOKIE).is_none());
    assert!(response.headers().get(header::CACHE_CONTROL).is_none());
}

#[tokio::test]
async fn signed_in_users_pass_and_get_their_user() {
    let local = Backend::start().await;
    let username = local.user("alice@example.com");
    let runner = local.runner();
    let jar = signed_in_jar(&runner, &username).await;
    let app = app(runner);

    let response = call(&app, "/dashboard", &jar).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers().get(header::SET_COOKIE).is_none(),
        "a valid session writes nothing"
    );
    assert_eq!(body_text(response).await, "secret dashboard");

    let response = call(&app, "/apis/get-current-user", &jar).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = serde_json::from_str(&body_text(response).await).unwrap();
    assert_eq!(body["username"], "alice@example.com");
    assert!(body["userId"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(body["signInDetails"]["authFlowType"], "USER_SRP_AUTH");
}

#[tokio::test]
async fn expired_sessions_are_refreshed_in_the_layer_with_set_cookie_and_no_store() {
    let local = Backend::start().await;
    let username = local.user("bob");
    let runner = local.runner();
    let mut jar = signed_in_jar(&runner, &username).await;
    jar.set_ending_with(".clockDrift", "7200000");
    let app = app(runner);

    let response = call(&app, "/dashboard", &jar).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CACHE_CONTROL],
        "private, no-store"
    );
    let set_cookies: Vec<_> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .cloned()
        .collect();
    assert!(
        set_cookies
            .iter()
            .any(|h| h.to_str().unwrap().contains(".accessToken=")),
        "{set_cookies:?}"
    );
    assert_eq!(
        local.backend.operation_count("GetTokensFromRefreshToken"),
        1
    );

    jar.apply(&set_cookies);
    let response = call(&app, "/dashboard", &jar).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get(header::SET_COOKIE).is_none());
    assert_eq!(
        local.backend.operation_count("GetTokensFromRefreshToken"),
        1
    );
}

#[tokio::test]
async fn a_revoked_session_is_cleared_on_the_redirect_response() {
    let local = Backend::start().await;
    let username = local.user("carol");
    let runner = local.runner();
    let mut jar = signed_in_jar(&runner, &username).await;
    // Signed out through another instance of the app: this one learns of it from Cognito at the refresh (one
    // that served the sign-out itself refuses the session at once and writes nothing).
    let ctx = jar.context(&local.runner());
    amplify_ssr::sign_out(&ctx, amplify_ssr::SignOutOptions::default())
        .await
        .unwrap();
    jar.set_ending_with(".clockDrift", "7200000");
    let app = app(runner);

    let response = call(&app, "/dashboard", &jar).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let set_cookies: Vec<_> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .cloned()
        .collect();
    jar.apply(&set_cookies);
    assert!(
        jar.cookies.is_empty(),
        "the redirect carries the cookie removals: {set_cookies:?}"
    );
}

#[tokio::test]
async fn the_context_extractor_without_the_layer_is_a_clear_500() {
    let local = Backend::start().await;
    let _ = local.runner();
    let app = Router::new().route(
        "/",
        get(|ctx: amplify_ssr::ServerContext| async move { format!("{:?}", ctx.kind()) }),
    );
    let response = app
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body_text(response).await.contains("AmplifyLayer"));
}

#[tokio::test]
async fn redirects_from_nested_routers_keep_the_full_original_path() {
    let local = Backend::start().await;
    let inner = Router::new()
        .route("/dashboard", get(|| async { "nested dashboard" }))
        .route_layer(RequireAuthLayer::new())
        .route(
            "/profile",
            get(|SignedInPage(user): SignedInPage| async move { user.username }),
        );
    let app = Router::new()
        .nest("/app", inner)
        .layer(AmplifyLayer::new(local.runner()));
    for (path, expected) in [
        (
            "/app/dashboard?x=1",
            "/sign-in?redirect_to=%2Fapp%2Fdashboard%3Fx%3D1",
        ),
        ("/app/profile", "/sign-in?redirect_to=%2Fapp%2Fprofile"),
    ] {
        let response = call(&app, path, &Jar::default()).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{path}");
        assert_eq!(response.headers()[header::LOCATION], expected, "{path}");
    }
}

#[tokio::test]
async fn an_unreachable_jwks_answers_503_and_keeps_the_cookies() {
    let local = Backend::start().await;
    let username = local.user("dora");
    let jar = signed_in_jar(&local.runner(), &username).await;
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let jwks = format!("http://{}/jwks.json", closed.local_addr().unwrap());
    drop(closed);
    let runner = ServerRunner::builder(local.config())
        .ignore_env()
        .jwks_url(&jwks)
        .build()
        .unwrap();
    let app = app(runner);
    for path in ["/dashboard", "/apis/get-current-user", "/profile"] {
        let response = call(&app, path, &jar).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert_eq!(response.headers()[header::RETRY_AFTER], "1", "{path}");
        assert!(
            response.headers().get(header::SET_COOKIE).is_none(),
            "{path}: the session is kept"
        );
    }
}

#[tokio::test]
async fn a_refresh_answered_200_without_tokens_is_a_backend_fault_503_and_the_session_is_kept() {
    let local = Backend::start().await;
    let jar = local.expired_session("erin").await;

    // Each answer is a failure, not retried at once, so every refresh calls once; except the last, whose
    // decoding fails after the call succeeded: that answer is shared for the refresh reuse window.
    for (body, calls) in [
        (
            "<!DOCTYPE html><html><body><h1>Welcome to the guest network</h1></body></html>",
            4,
        ),
        ("{}", 4),
        (
            r#"{"AuthenticationResult":{"ExpiresIn":3600,"TokenType":"Bearer"}}"#,
            4,
        ),
        (
            r#"{"AuthenticationResult":{"AccessToken":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOi"#,
            4,
        ),
        (
            r#"{"AuthenticationResult":{"AccessToken":"not-a-jwt","ExpiresIn":3600}}"#,
            1,
        ),
    ] {
        let (endpoint, hits) = failing_endpoint(StatusCode::OK, body).await;
        let runner = local.runner_calling(&endpoint);

        let ctx = jar.context(&runner);
        let error = amplify_ssr::fetch_auth_session(&ctx, Default::default())
            .await
            .unwrap_err();
        assert!(
            error.is_transient() && !error.is_unauthenticated(),
            "{body}: {error:?}"
        );
        assert!(ctx.set_cookie_headers().is_empty(), "{body}: cookies kept");

        let app = app(runner);
        for path in ["/dashboard", "/apis/get-current-user", "/profile"] {
            let response = call(&app, path, &jar).await;
            assert_eq!(
                response.status(),
                StatusCode::SERVICE_UNAVAILABLE,
                "{body}: {path}"
            );
            assert!(
                response.headers().get(header::SET_COOKIE).is_none(),
                "{body}: {path}: the session is kept"
            );
            let answer: serde_json::Value =
                serde_json::from_str(&body_text(response).await).unwrap();
            assert_eq!(
                answer["message"], "The session could not be checked right now. Try again shortly.",
                "{body}: {path}"
            );
        }
        assert_eq!(
            hits.load(std::sync::atomic::Ordering::SeqCst),
            calls,
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_401_names_the_error_but_shows_no_text_from_cognito_or_the_library() {
    let local = Backend::start().await;
    let jar = local.expired_session("fred").await;
    let (endpoint, _) = failing_endpoint(
        StatusCode::BAD_REQUEST,
        r#"{"__type":"UserNotFoundException","message":"User does not exist (shard internal-7f3a)"}"#,
    )
    .await;
    let app = app(local.runner_calling(&endpoint));

    let response = call(&app, "/apis/get-current-user", &jar).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let text = body_text(response).await;
    assert!(!text.contains("internal-7f3a"), "{text}");
    let answer: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answer["error"], "UserNotFoundException");
    assert_eq!(answer["message"], "The session has ended. Sign in again.");
}

/// A page whose body is streamed and reads the session only while streaming (after the headers are built), and
/// a page that never reads it.
fn streaming_app(layer: AmplifyLayer) -> Router {
    Router::new()
        .route(
            "/stream",
            get(|ctx: amplify_ssr::ServerContext| async move {
                let chunk = futures_util::stream::once(async move {
                    let user = match amplify_ssr::get_current_user(&ctx).await {
                        Ok(user) => user.username,
                        Err(e) => format!("error {}", e.name()),
                    };
                    Ok::<_, std::convert::Infallible>(format!("hello {user}"))
                });
                Body::from_stream(chunk)
            }),
        )
        .route("/public", get(|| async { "public" }))
        .layer(layer)
}

fn set_cookies(response: &http::Response<Body>) -> Vec<http::HeaderValue> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .cloned()
        .collect()
}

#[tokio::test]
async fn an_eager_layer_refreshes_before_a_streamed_body_so_its_cookies_go_out() {
    let local = Backend::start().await;
    let mut jar = local.expired_session("gina").await;
    let app = streaming_app(AmplifyLayer::new(local.runner()).refresh_eagerly());
    let refreshes = || local.backend.operation_count("GetTokensFromRefreshToken");

    let response = call(&app, "/stream", &jar).await;
    assert_eq!(response.status(), StatusCode::OK);
    // The body has not been polled yet: the refresh happened before the headers.
    assert_eq!(refreshes(), 1);
    let refreshed = set_cookies(&response);
    assert!(
        refreshed
            .iter()
            .any(|h| h.to_str().unwrap().contains(".accessToken=")),
        "{refreshed:?}"
    );
    assert_eq!(
        response.headers()[header::CACHE_CONTROL],
        "private, no-store"
    );
    // The stream reads the refreshed session from the context: no second refresh.
    assert_eq!(body_text(response).await, "hello gina");
    assert_eq!(refreshes(), 1);

    jar.apply(&refreshed);
    let response = call(&app, "/stream", &jar).await;
    assert!(set_cookies(&response).is_empty());
    assert_eq!(body_text(response).await, "hello gina");
    assert_eq!(refreshes(), 1);

    // The layer's own read of a valid session leaves a page that does not read it cacheable.
    let response = call(&app, "/public", &jar).await;
    assert!(set_cookies(&response).is_empty());
    assert!(response.headers().get(header::CACHE_CONTROL).is_none());
}

#[tokio::test]
async fn without_eager_refresh_a_streamed_body_refreshes_too_late_to_send_the_cookies() {
    let local = Backend::start().await;
    let jar = local.expired_session("hal").await;
    let app = streaming_app(AmplifyLayer::new(local.runner()));
    let refreshes = || local.backend.operation_count("GetTokensFromRefreshToken");

    let response = call(&app, "/stream", &jar).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        refreshes(),
        0,
        "nothing read the session before the headers"
    );
    assert!(set_cookies(&response).is_empty());
    assert!(response.headers().get(header::CACHE_CONTROL).is_none());
    // The stream refreshes, but its cookies can no longer reach the browser...
    assert_eq!(body_text(response).await, "hello hal");
    assert_eq!(refreshes(), 1);
    // ...so the browser keeps its expired cookies, and the next request is in the same place.
    let response = call(&app, "/stream", &jar).await;
    assert!(set_cookies(&response).is_empty());
    assert_eq!(body_text(response).await, "hello hal");
}

/// A thousand requests at once carrying one expired session (the browser fired them before any answer came
/// back): exactly one refresh reaches Cognito, every request is served, and every response carries the same new
/// tokens. Refresh-token rotation is on, so a second refresh with the old token would be refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_requests_with_one_expired_session_make_one_refresh() {
    let local = Backend::start_with(|o| o.rotate_refresh_tokens = true).await;
    let jar = local.expired_session("storm").await;
    let app = app(local.runner());
    let requests = (0..1_000).map(|_| {
        let app = app.clone();
        let cookie = jar.header();
        tokio::spawn(async move {
            let request = Request::get("/dashboard")
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap();
            app.oneshot(request).await.unwrap()
        })
    });
    let responses = futures_util::future::join_all(requests).await;

    let mut new_access_tokens = std::collections::BTreeSet::new();
    for response in responses {
        let response = response.expect("request task");
        assert_eq!(response.status(), StatusCode::OK);
        let mut after = jar.clone();
        after.apply(
            &response
                .headers()
                .get_all(header::SET_COOKIE)
                .iter()
                .cloned()
                .collect::<Vec<_>>(),
        );
        new_access_tokens.insert(after.ending_with(".accessToken").unwrap().to_owned());
        assert_eq!(body_text(response).await, "secret dashboard");
    }
    assert_eq!(
        local.backend.operation_count("GetTokensFromRefreshToken"),
        1,
        "one refresh for the whole storm"
    );
    assert_eq!(
        new_access_tokens.len(),
        1,
        "every response carries the same new tokens"
    );
    assert_ne!(
        new_access_tokens.first().map(String::as_str),
        jar.ending_with(".accessToken"),
        "the tokens were refreshed"
    );
}
