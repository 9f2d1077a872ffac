//! The axum layer, extractors and route protection, driven in-process with `tower::ServiceExt::oneshot`.

mod common;

use amplify_ssr::ServerRunner;
use amplify_ssr::axum::{AmplifyLayer, CurrentUser, RequireAuthLayer, SignedInPage};
use axum::Router;
use axum::body::Body;
use axum::routing::get;
use common::{Backend, Jar, signed_in_jar};
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

async fn call(app: &Router, path: &str, jar: &Jar) -> http::Response<Body> {
    let mut request = Request::get(path);
    if !jar.cookies.is_empty() {
        request = request.header(header::COOKIE, jar.header());
    }
    app.clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

async fn body_text(response: http::Response<Body>) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
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
