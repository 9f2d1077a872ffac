//! Marking a streamed page private: the header must be set while the page renders its shell, because
//! leptos_axum sends the headers with the first chunk, before the page's pending parts resolve.

use std::sync::{Arc, Mutex};

use amplify_local::{LocalBackend, LocalOptions};
use amplify_ssr::{AmplifyConfig, ServerRunner};
use amplify_ssr_leptos::{Amplify, AmplifyRouterExt, private_page, server_context};
use axum::Router;
use axum::body::Body;
use axum::routing::get;
use http::{Request, header};
use leptos::prelude::*;
use tokio::sync::oneshot;
use tower::ServiceExt;

/// How the page's component treats the session.
#[derive(Clone, Copy, Debug)]
enum Marking {
    None,
    PrivatePage,
    ServerContext,
}

/// Lets the test decide when the page's pending part resolves.
#[derive(Clone)]
struct Gate(Arc<Mutex<Option<oneshot::Receiver<()>>>>);

#[component]
fn Page(marking: Marking) -> impl IntoView {
    match marking {
        Marking::None => {}
        Marking::PrivatePage => private_page(),
        Marking::ServerContext => drop(server_context().expect("the layer provides the context")),
    }
    let gate = use_context::<Gate>().and_then(|gate| gate.0.lock().unwrap().take());
    view! {
        <p>"shell"</p>
        <Suspense fallback=|| "waiting">
            {Suspend::new(async move {
                if let Some(gate) = gate {
                    let _ = gate.await;
                }
                "resolved"
            })}
        </Suspense>
    }
}

/// Renders the page out of order (leptos_axum's default streaming) behind the Amplify layers, and returns its
/// response once the headers are out, with the sender that lets the page finish.
async fn render(
    local: &LocalBackend,
    marking: Marking,
    cacheable_pages: bool,
) -> (http::Response<Body>, oneshot::Sender<()>) {
    let config = AmplifyConfig::from_value(&local.outputs()).unwrap();
    let runner = ServerRunner::builder(config).ignore_env().build().unwrap();
    let (release, gate) = oneshot::channel();
    let gate = Gate(Arc::new(Mutex::new(Some(gate))));
    let handler = leptos_axum::render_app_to_stream_with_context(
        move || provide_context(gate.clone()),
        move || view! { <Page marking/> },
    );
    let setup = Amplify::new(runner);
    let setup = if cacheable_pages {
        setup.cacheable_pages()
    } else {
        setup
    };
    let app: Router = Router::new().route("/", get(handler)).amplify(setup);
    let request = Request::get("/").body(Body::empty()).unwrap();
    (app.oneshot(request).await.unwrap(), release)
}

async fn body_text(response: http::Response<Body>) -> String {
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn pages_are_marked_private_before_their_headers_leave() {
    // `leptos_routes` does this in an app; the bare render handler used here does not.
    any_spawner::Executor::init_tokio().expect("the first executor of this test binary");
    let dir = tempfile::tempdir().unwrap();
    let mut options = LocalOptions::new(dir.path().to_path_buf());
    options.port = 0;
    let local = LocalBackend::start(options).await.unwrap();
    for (marking, cacheable_pages, expected) in [
        (Marking::PrivatePage, true, Some("private, no-store")),
        (Marking::ServerContext, true, Some("private, no-store")),
        // Nothing read the session, so nothing marks the page: the others are marked by the adapter alone.
        (Marking::None, true, None),
        // By default every page is private, marked or not.
        (Marking::None, false, Some("private, no-store")),
    ] {
        let (response, release) = render(&local, marking, cacheable_pages).await;
        let cache_control = response
            .headers()
            .get(header::CACHE_CONTROL)
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(
            cache_control.as_deref(),
            expected,
            "{marking:?}, cacheable pages: {cacheable_pages}"
        );
        // The headers left while the page was still pending.
        release.send(()).unwrap();
        let html = body_text(response).await;
        assert!(
            html.contains("shell") && html.contains("resolved"),
            "{marking:?}: {html}"
        );
    }
    local.shutdown().await;
}
