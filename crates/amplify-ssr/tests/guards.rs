//! Guards finer than "signed in": `RequireAuthLayer::require_group` / `require_claims`, driven in-process.
//!
//! amplify-local issues `cognito:groups` only for federated users, so the grouped sessions here are fixture
//! tokens: a real session's access token with the groups added, signed with the backend's own key.

mod common;

use amplify_ssr::ServerRunner;
use amplify_ssr::axum::{AmplifyLayer, RequireAuthLayer};
use amplify_ssr::guard::FORBIDDEN_BODY;
use amplify_ssr::jwt::decode_claims_unverified;
use axum::Router;
use axum::routing::get;
use common::{Backend, Jar, body_text, call, signed_in_jar};
use http::{StatusCode, header};

fn app(runner: ServerRunner) -> Router {
    Router::new()
        .route("/admin", get(|| async { "admin page" }))
        .route_layer(RequireAuthLayer::new().require_group("admin"))
        .nest(
            "/staff",
            Router::new()
                .route("/", get(|| async { "staff page" }))
                .route_layer(
                    RequireAuthLayer::new()
                        .require_claims(|c| c.in_group("support") || c.in_group("admin")),
                ),
        )
        .route("/panics", get(|| async { "never" }))
        .route_layer(RequireAuthLayer::only_under(["/panics"]).require_claims(|_| panic!("boom")))
        .layer(AmplifyLayer::new(runner).sign_in_path("/sign-in"))
}

/// `jar` with its access token replaced by one carrying `groups` (signed by the backend).
fn with_groups(local: &Backend, jar: &Jar, groups: &[&str]) -> Jar {
    let token = jar.ending_with(".accessToken").expect("access token");
    let mut claims = decode_claims_unverified(token).expect("claims").into_map();
    claims.insert("cognito:groups".into(), serde_json::json!(groups));
    let signed =
        amplify_local::fuzzing::sign_jwt(&local.backend.state(), &claims.into()).expect("signs");
    let mut jar = jar.clone();
    jar.set_ending_with(".accessToken", &signed);
    jar
}

#[tokio::test]
async fn a_group_guard_redirects_the_signed_out_forbids_outsiders_and_serves_members() {
    let local = Backend::start().await;
    let username = local.user("alice");
    let runner = local.runner();
    let jar = signed_in_jar(&runner, &username).await;
    let app = app(runner);

    let response = call(&app, "/admin?x=1", &Jar::default()).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        response.headers()[header::LOCATION],
        "/sign-in?redirect_to=%2Fadmin%3Fx%3D1"
    );

    for outsider in [jar.clone(), with_groups(&local, &jar, &["users", "Admin"])] {
        // Twice: the first visit verifies the token in full, the second is decided from the caches.
        for _ in 0..2 {
            let response = call(&app, "/admin", &outsider).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN);
            assert_eq!(
                response.headers()[header::CACHE_CONTROL],
                "private, no-store"
            );
            assert!(response.headers().get(header::SET_COOKIE).is_none());
            assert_eq!(body_text(response).await, FORBIDDEN_BODY);
        }
    }

    let member = with_groups(&local, &jar, &["users", "admin"]);
    for _ in 0..2 {
        let response = call(&app, "/admin", &member).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(body_text(response).await, "admin page");
    }
}

#[tokio::test]
async fn a_claims_predicate_guards_a_nested_router_and_a_panicking_one_denies() {
    let local = Backend::start().await;
    let username = local.user("bob");
    let runner = local.runner();
    let jar = signed_in_jar(&runner, &username).await;
    let app = app(runner);

    let response = call(&app, "/staff", &Jar::default()).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        response.headers()[header::LOCATION],
        "/sign-in?redirect_to=%2Fstaff"
    );
    assert_eq!(
        call(&app, "/staff", &jar).await.status(),
        StatusCode::FORBIDDEN
    );
    let support = with_groups(&local, &jar, &["support"]);
    let response = call(&app, "/staff", &support).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_text(response).await, "staff page");

    let admin = with_groups(&local, &jar, &["admin"]);
    assert_eq!(
        call(&app, "/panics", &admin).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&app, "/panics", &Jar::default()).await.status(),
        StatusCode::FOUND
    );
}

#[tokio::test]
async fn an_expired_session_is_refreshed_before_the_group_is_checked() {
    let local = Backend::start().await;
    let username = local.user("carol");
    let runner = local.runner();
    let mut jar = signed_in_jar(&runner, &username).await;
    jar.set_ending_with(".clockDrift", "7200000");
    let app = app(runner);

    // The refreshed tokens carry no group: the refresh goes through, then the guard refuses.
    let response = call(&app, "/admin", &jar).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|h| h.to_str().unwrap().contains(".accessToken=")),
        "the refreshed cookies still reach the browser"
    );
}
