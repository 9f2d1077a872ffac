//! Pages rendered by [`application`]: a page whose components read the session only after its first bytes
//! left (out-of-order streaming) is private all the same, and sees the request's session.
#![cfg(feature = "server")]

use std::sync::LazyLock;

mod common;

use amplify_ssr::axum::AmplifyLayer;
use amplify_ssr_dioxus::{AmplifyFnError, application, require_user, server_context};
use common::Backend;
use dioxus::fullstack::commit_initial_chunk;
use dioxus::prelude::*;
use http::header;
use tokio::sync::Notify;

/// Lets the late component read the session: the test releases it once the response headers are in.
static RELEASE: LazyLock<Notify> = LazyLock::new(Notify::new);

#[allow(non_snake_case)]
fn App() -> Element {
    // Start streaming at once: what is below the boundary renders after the headers left.
    use_hook(commit_initial_chunk);
    rsx! {
        SuspenseBoundary {
            fallback: |_| rsx! { "waiting" },
            Late {}
        }
    }
}

#[allow(non_snake_case)]
fn Late() -> Element {
    let user = use_server_future(|| async {
        RELEASE.notified().await;
        let ctx = server_context()?;
        Ok::<_, AmplifyFnError>(require_user(&ctx).await?.username)
    })?;
    let text = match &*user.read() {
        Some(Ok(name)) => format!("late user: {name}"),
        other => format!("late error: {other:?}"),
    };
    rsx! { p { "{text}" } }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_reading_the_session_while_it_streams_is_private_and_sees_the_session() {
    let backend = Backend::start().await;
    let runner = backend.runner();
    let cookies = backend.signed_in_cookies("dana").await;

    let router = application(ServeConfig::builder().enable_out_of_order_streaming(), App)
        .layer(AmplifyLayer::new(runner));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });

    let client = reqwest::Client::new();
    let response = client.get(&url).headers(cookies).send().await.unwrap();
    // The headers are here and nothing has read the session yet: only the adapter can have marked the page.
    assert_eq!(
        response
            .headers()
            .get(header::CACHE_CONTROL)
            .map(|v| v.to_str().unwrap()),
        Some("private, no-store")
    );
    RELEASE.notify_one();
    let body = response.text().await.unwrap();
    assert!(body.contains("late user: dana"), "{body}");
}
