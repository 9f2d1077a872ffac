//! Backends that are down or failing: the session stays intact, errors are typed and transient, and retries are
//! bounded.

mod common;

use std::sync::atomic::Ordering;

use amplify_ssr::{FetchAuthSessionOptions, ServerRunner, fetch_auth_session, get_current_user};
use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use common::{Backend, failing_endpoint, forward_to, signed_in_jar};

/// A port on which nothing listens.
async fn closed_port_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/")
}

#[tokio::test]
async fn refresh_against_a_failing_backend_is_retried_then_reported_and_keeps_the_cookies() {
    let local = Backend::start().await;
    let jar = local.expired_session("alice").await;

    for (status, body, expected_hits) in [
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            r#"{"__type":"InternalErrorException","message":"boom"}"#,
            3,
        ),
        (
            StatusCode::BAD_REQUEST,
            r#"{"__type":"TooManyRequestsException","message":"slow down"}"#,
            3,
        ),
        (StatusCode::BAD_GATEWAY, "<html>bad gateway</html>", 3),
    ] {
        let (endpoint, hits) = failing_endpoint(status, body).await;
        let runner = local.runner_calling(&endpoint);
        let ctx = jar.context(&runner);
        let error = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
            .await
            .unwrap_err();
        assert!(error.is_transient(), "{status}: {error}");
        assert!(!error.is_unauthenticated());
        assert_eq!(
            hits.load(Ordering::SeqCst),
            expected_hits,
            "{status}: three attempts"
        );
        assert!(
            ctx.set_cookie_headers().is_empty(),
            "{status}: the cookies are kept"
        );
    }
}

#[tokio::test]
async fn refresh_against_an_unreachable_backend_is_a_network_error() {
    let local = Backend::start().await;
    let jar = local.expired_session("bob").await;
    let runner = local.runner_calling(&closed_port_url().await);
    let ctx = jar.context(&runner);
    let error = get_current_user(&ctx).await.unwrap_err();
    assert!(error.is_transient(), "{error}");
    assert_eq!(error.name(), "NetworkError");
    assert!(ctx.set_cookie_headers().is_empty());
}

#[tokio::test]
async fn an_unreachable_jwks_is_transient_not_signed_out() {
    let local = Backend::start().await;
    let username = local.user("carol");
    let jar = signed_in_jar(&local.runner(), &username).await;
    let runner = ServerRunner::builder(local.config())
        .ignore_env()
        .jwks_url(&format!("{}jwks.json", closed_port_url().await))
        .build()
        .unwrap();
    let ctx = jar.context(&runner);
    let error = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
        .await
        .unwrap_err();
    assert!(error.is_transient(), "{error}");
    assert!(ctx.set_cookie_headers().is_empty());
}

#[tokio::test]
async fn a_backend_without_get_tokens_from_refresh_token_falls_back_to_initiate_auth() {
    // A proxy in front of amplify-local that pretends not to know GetTokensFromRefreshToken, like moto or
    // cognito-local.
    let local = Backend::start().await;
    let jar = local.expired_session("dave").await;
    let upstream = local.backend.base_url();
    let app = Router::new().fallback(move |request: axum::extract::Request| {
        let upstream = upstream.clone();
        async move {
            let target =
                request.headers().get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            if target.ends_with("GetTokensFromRefreshToken") {
                return (
                    StatusCode::BAD_REQUEST,
                    r#"{"__type":"UnknownOperationException","message":"Unsupported x-amz-target"}"#,
                )
                    .into_response();
            }
            let body = axum::body::to_bytes(request.into_body(), 1 << 20).await.unwrap();
            forward_to(&upstream, &target, body).await
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let runner = local.runner_calling(&format!("http://{addr}/"));
    let ctx = jar.context(&runner);
    let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
        .await
        .unwrap();
    assert!(session.is_signed_in());
    assert_eq!(
        local.backend.operation_count("InitiateAuth"),
        2,
        "the sign-in, then the fallback refresh"
    );
    assert!(
        ctx.set_cookie_headers()
            .iter()
            .any(|h| h.to_str().unwrap().contains(".accessToken="))
    );
}
