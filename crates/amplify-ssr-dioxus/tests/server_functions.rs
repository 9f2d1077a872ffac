//! Server functions served by [`application`]: a refresh made inside one reaches the browser, the same-origin
//! rule guards them, and a signed-out call answers the `SignedOut` variant.
#![cfg(feature = "server")]

use std::time::Duration;

mod common;

use amplify_ssr::ServerContext;
use amplify_ssr::axum::AmplifyLayer;
use amplify_ssr_dioxus::{AmplifyFnError, application};
use common::Backend;
use dioxus::core::{Element, VNode};
use dioxus::prelude::*;
use http::header;

/// The signed-in user's name.
#[post("/api/test/username", ctx: ServerContext)]
async fn username() -> Result<String, AmplifyFnError> {
    Ok(amplify_ssr_dioxus::require_user(&ctx).await?.username)
}

fn app() -> Element {
    VNode::empty()
}

fn set_cookie_names(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split('=').next().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_functions_write_refreshed_cookies_refuse_other_sites_and_tell_signed_out() {
    let backend = Backend::start().await;
    // Tokens issued two hours ago: expired by the app's clock, their refresh token still valid.
    backend
        .backend
        .clock()
        .rewind(Duration::from_secs(2 * 3600));
    let cookies = backend.signed_in_cookies("erin").await;
    backend.backend.advance_clock(Duration::from_secs(2 * 3600));

    // No eager refresh: the server function's own session read refreshes.
    let router = application(ServeConfig::new(), app).layer(AmplifyLayer::new(backend.runner()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/api/test/username",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    let client = reqwest::Client::new();
    let call = |site: &'static str, with_cookies: bool| {
        let mut request = client
            .post(&url)
            .header("sec-fetch-site", site)
            .header(header::CONTENT_TYPE, "application/json")
            .body("{}");
        if with_cookies {
            request = request.headers(cookies.clone());
        }
        request.send()
    };

    let refused = call("cross-site", true).await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(
        set_cookie_names(&refused).is_empty(),
        "refused before the session was read"
    );

    let answered = call("same-origin", true).await.unwrap();
    assert_eq!(answered.status(), StatusCode::OK);
    assert!(
        set_cookie_names(&answered)
            .iter()
            .any(|name| name.ends_with(".accessToken")),
        "{:?}",
        answered.headers()
    );
    assert_eq!(
        answered
            .headers()
            .get(header::CACHE_CONTROL)
            .map(|v| v.to_str().unwrap()),
        Some("private, no-store")
    );
    assert_eq!(answered.json::<String>().await.unwrap(), "erin");

    let signed_out = call("same-origin", false).await.unwrap();
    assert_eq!(signed_out.status(), StatusCode::UNAUTHORIZED);
    let payload: serde_json::Value = signed_out.json().await.unwrap();
    let error: AmplifyFnError = serde_json::from_value(payload["data"].clone()).unwrap();
    assert_eq!(error, AmplifyFnError::SignedOut);
}
