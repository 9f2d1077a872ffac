//! The `SameOrigin` extractor for the application's own form posts: the runner's app origin behind
//! `AmplifyLayer`, the `Host` header without it, and a fixed `403` that echoes nothing.

use amplify_ssr::axum::{AmplifyLayer, SameOrigin};
use amplify_ssr::{AmplifyConfig, ServerRunner};
use axum::Router;
use axum::body::Body;
use axum::routing::post;
use http::{Request, StatusCode};
use tower::ServiceExt;

const OUTPUTS: &str = r#"{"version":"1.4","auth":{"aws_region":"us-east-1",
    "user_pool_id":"us-east-1_Pool","user_pool_client_id":"client1"}}"#;

fn routes() -> Router {
    Router::new().route("/todos", post(|_: SameOrigin| async { "created" }))
}

fn with_layer(app_origin: &str) -> Router {
    let runner = ServerRunner::builder(AmplifyConfig::from_json(OUTPUTS).unwrap())
        .ignore_env()
        .app_origin(app_origin)
        .build()
        .unwrap();
    routes().layer(AmplifyLayer::new(runner))
}

async fn post_with(app: &Router, headers: &[(&str, &str)]) -> (StatusCode, String) {
    let mut request = Request::post("/todos");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn the_apps_own_posts_pass_and_other_sites_get_403() {
    let app = with_layer("https://app.example.com");
    for ok in [
        vec![("sec-fetch-site", "same-origin")],
        vec![("sec-fetch-site", "none")],
        vec![("origin", "https://app.example.com")],
        vec![("referer", "https://app.example.com/todos")],
    ] {
        assert_eq!(
            post_with(&app, &ok).await,
            (StatusCode::OK, "created".to_owned()),
            "{ok:?}"
        );
    }
    for refused in [
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site")],
        vec![("origin", "https://evil.example")],
        vec![("origin", "null")],
        // The Host header does not count when the app origin is known.
        vec![("host", "evil.example"), ("origin", "https://evil.example")],
        vec![],
    ] {
        let (status, body) = post_with(&app, &refused).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused:?}");
        assert!(
            !body.contains("evil"),
            "the refusal echoes no header: {body}"
        );
    }
}

#[tokio::test]
async fn without_the_layer_the_host_header_is_the_apps_origin() {
    let app = routes();
    let ok = [
        ("host", "127.0.0.1:3000"),
        ("origin", "http://127.0.0.1:3000"),
    ];
    assert_eq!(post_with(&app, &ok).await.0, StatusCode::OK);
    let other_port = [
        ("host", "127.0.0.1:3000"),
        ("origin", "http://127.0.0.1:4000"),
    ];
    assert_eq!(post_with(&app, &other_port).await.0, StatusCode::FORBIDDEN);
    let rejection = post_with(&app, &[("sec-fetch-site", "cross-site")]).await;
    assert_eq!(rejection.0, StatusCode::FORBIDDEN);
}
