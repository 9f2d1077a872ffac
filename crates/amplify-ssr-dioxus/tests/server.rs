//! The server side of the adapter: the session in server functions (missing layer, signed out, transient
//! failure) and the same-origin rule on server functions.
#![cfg(feature = "server")]

mod common;

use amplify_ssr::ServerRunner;
use amplify_ssr::axum::AmplifyLayer;
use amplify_ssr_dioxus::{
    AmplifyFnError, refuse_cross_site, require_user, require_user_with, server_context,
};
use axum::Router;
use axum::body::Body;
use axum::routing::post;
use common::Backend;
use dioxus::fullstack::FullstackContext;
use http::{HeaderMap, Request, StatusCode, header};
use tower::ServiceExt as _;

/// A Dioxus request scope (as a server function or a page render has) for a request with `extensions`.
fn request_scope(headers: &HeaderMap, extensions: http::Extensions) -> FullstackContext {
    let mut request = Request::get("/api/x").body(()).unwrap();
    *request.headers_mut() = headers.clone();
    *request.extensions_mut() = extensions;
    FullstackContext::new(request.into_parts().0)
}

#[tokio::test]
async fn server_context_needs_a_request_and_the_layer() {
    // Outside any request.
    let outside = server_context().unwrap_err();
    assert_eq!(outside.status(), StatusCode::INTERNAL_SERVER_ERROR);

    // In a request that did not pass through the AmplifyLayer: a 500 with a fixed message (the cause is logged).
    let missing = request_scope(&HeaderMap::new(), http::Extensions::new())
        .scope(async { server_context() })
        .await
        .unwrap_err();
    assert_eq!(missing.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!missing.to_string().contains("AmplifyLayer"), "{missing}");

    // With the layer's context in the request: that very context (its writes reach the response).
    let backend = Backend::start().await;
    let ctx = backend.runner().context(&HeaderMap::new());
    let mut extensions = http::Extensions::new();
    extensions.insert(ctx.clone());
    let found = request_scope(&HeaderMap::new(), extensions)
        .scope(async { server_context() })
        .await
        .unwrap();
    let attributes = amplify_ssr::cookies::token_cookie_attributes(
        found.runner().cookie_mode(),
        found.runner().cookie_options(),
    );
    found.set_cookie("probe", "1", attributes);
    assert!(
        ctx.set_cookie_headers()
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("probe=1")),
        "the context is shared with the layer"
    );
}

#[tokio::test]
async fn require_user_tells_signed_out_from_unavailable() {
    let backend = Backend::start().await;
    let runner = backend.runner();

    let signed_out = require_user(&runner.context(&HeaderMap::new()))
        .await
        .unwrap_err();
    assert_eq!(signed_out, AmplifyFnError::SignedOut);
    assert_eq!(signed_out.status(), StatusCode::UNAUTHORIZED);

    let cookies = backend.signed_in_cookies("carol").await;
    let user = require_user(&runner.context(&cookies)).await.unwrap();
    assert_eq!(user.username, "carol");

    // The signing keys cannot be fetched: the session cannot be checked, which is not a sign-out.
    let unreachable = backend
        .builder()
        .jwks_url("http://127.0.0.1:1/jwks.json")
        .build()
        .unwrap();
    let scope = request_scope(&cookies, http::Extensions::new());
    let unavailable = scope
        .clone()
        .scope(async { require_user(&unreachable.context(&cookies)).await })
        .await
        .unwrap_err();
    assert_eq!(unavailable, AmplifyFnError::Unavailable);
    assert_eq!(unavailable.status(), StatusCode::SERVICE_UNAVAILABLE);
    let headers = scope.take_response_headers().unwrap_or_default();
    assert_eq!(
        headers
            .get(header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap()),
        Some("1")
    );
}

#[tokio::test]
async fn require_user_with_a_group_forbids_outsiders() {
    let backend = Backend::start().await;
    let runner = backend.runner();
    let admins = amplify_ssr::guard::Requirement::group("admin");

    let signed_out = require_user_with(&runner.context(&HeaderMap::new()), &admins)
        .await
        .unwrap_err();
    assert_eq!(signed_out, AmplifyFnError::SignedOut);

    let outsider = backend.signed_in_cookies_in("olga", &["users"]).await;
    let forbidden = require_user_with(&runner.context(&outsider), &admins)
        .await
        .unwrap_err();
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);

    let member = backend.signed_in_cookies_in("mia", &["admin"]).await;
    let user = require_user_with(&runner.context(&member), &admins)
        .await
        .unwrap();
    assert_eq!(user.username, "mia");
}

/// A server-function-like route behind the middleware, inside the AmplifyLayer of an app at `origin`.
fn guarded_app(runner: ServerRunner) -> Router {
    Router::new()
        .route(
            "/api/change",
            post(|| async { "changed" }).get(|| async { "read" }),
        )
        .route_layer(axum::middleware::from_fn(refuse_cross_site))
        .layer(AmplifyLayer::new(runner))
}

async fn call(app: &Router, method: &str, headers: &[(&str, &str)]) -> (StatusCode, String) {
    let mut request = Request::builder()
        .method(method)
        .uri("/api/change")
        .header(header::HOST, "app.example");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn server_functions_refuse_cross_site_calls() {
    let backend = Backend::start().await;
    let app = guarded_app(
        backend
            .builder()
            .app_origin("https://app.example")
            .build()
            .unwrap(),
    );

    for headers in [
        &[("sec-fetch-site", "cross-site")][..],
        &[("sec-fetch-site", "same-site")],
        &[("origin", "https://evil.example")],
        &[("origin", "null")],
        &[],
    ] {
        let (status, body) = call(&app, "POST", headers).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}");
        // The body is a server-function error, so a client decodes it into the same variant.
        let payload: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(payload["code"], 403);
        let error: AmplifyFnError = serde_json::from_value(payload["data"].clone()).unwrap();
        assert_eq!(error, AmplifyFnError::CrossSite);
    }
    for headers in [
        &[("sec-fetch-site", "same-origin")][..],
        &[("origin", "https://app.example")],
        &[("referer", "https://app.example/todos")],
    ] {
        assert_eq!(
            call(&app, "POST", headers).await,
            (StatusCode::OK, "changed".to_owned()),
            "{headers:?}"
        );
    }
    // Reads change nothing and pass.
    let (status, _) = call(&app, "GET", &[("sec-fetch-site", "cross-site")]).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn without_an_app_origin_the_host_stands_in() {
    let backend = Backend::start().await;
    let app = guarded_app(backend.runner());
    assert_eq!(
        call(&app, "POST", &[("origin", "http://app.example")])
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        call(&app, "POST", &[("origin", "http://evil.example")])
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}
