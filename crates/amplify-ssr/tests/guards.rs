//! Guards finer than "signed in": `RequireAuthLayer::require_group` / `require_claims`, driven in-process
//! against amplify-local's groups (`cognito:groups` in the tokens it issues).

mod common;

use amplify_ssr::ServerRunner;
use amplify_ssr::axum::{AmplifyLayer, RequireAuthLayer};
use amplify_ssr::guard::FORBIDDEN_BODY;
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

/// A session of a new user `username` in `groups`.
async fn member(local: &Backend, runner: &ServerRunner, username: &str, groups: &[&str]) -> Jar {
    let username = local.user(username);
    for group in groups {
        local
            .backend
            .add_user_to_group(&username, group)
            .expect("add to group");
    }
    signed_in_jar(runner, &username).await
}

#[tokio::test]
async fn a_group_guard_redirects_the_signed_out_forbids_outsiders_and_serves_members() {
    let local = Backend::start().await;
    let runner = local.runner();
    let jar = member(&local, &runner, "alice", &[]).await;
    let users = member(&local, &runner, "amy", &["users", "Admin"]).await;
    let admin = member(&local, &runner, "ann", &["users", "admin"]).await;
    let app = app(runner);

    let response = call(&app, "/admin?x=1", &Jar::default()).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        response.headers()[header::LOCATION],
        "/sign-in?redirect_to=%2Fadmin%3Fx%3D1"
    );

    for outsider in [jar, users] {
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

    for _ in 0..2 {
        let response = call(&app, "/admin", &admin).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(body_text(response).await, "admin page");
    }
}

#[tokio::test]
async fn a_claims_predicate_guards_a_nested_router_and_a_panicking_one_denies() {
    let local = Backend::start().await;
    let runner = local.runner();
    let jar = member(&local, &runner, "bob", &[]).await;
    let support = member(&local, &runner, "ben", &["support"]).await;
    let admin = member(&local, &runner, "bea", &["admin"]).await;
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
    let response = call(&app, "/staff", &support).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_text(response).await, "staff page");

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
