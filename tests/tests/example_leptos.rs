//! The Leptos example (`examples/leptos`, on `amplify-ssr-leptos`) end to end: the browser flows every
//! framework example passes (headless Chromium, JavaScript off), and over HTTP what is specific to a streamed,
//! server-function app: an expired session refreshed while a page streams, signed-out server-function answers
//! told apart from failures, cross-site calls refused, and private pages kept out of caches.

use std::time::Duration;

use amplify_examples_support::{DEMO_PASSWORD, DEMO_USERS};
use amplify_ssr::{AmplifyConfig, ServerRunner, SignInInput, SignInOutcome};
use amplify_ssr_leptos::AuthFnError;
use example_leptos::functions::{CreateTodo, ListTodos};
use example_leptos::{ExampleOptions, RunningExample};
use leptos::server_fn::ServerFn;
use leptos::server_fn::error::FromServerFnError;
use reqwest::header::{CACHE_CONTROL, COOKIE, LOCATION, SET_COOKIE};

struct Example {
    running: RunningExample,
    _data_dir: tempfile::TempDir,
}

async fn start() -> Example {
    let data_dir = tempfile::Builder::new()
        .prefix("example-leptos-")
        .tempdir()
        .expect("a temporary data directory");
    let mut options = ExampleOptions::new(data_dir.path());
    options.port = 0;
    let running = example_leptos::start(options)
        .await
        .unwrap_or_else(|e| panic!("start the Leptos example: {e}"));
    Example {
        running,
        _data_dir: data_dir,
    }
}

use amplify_integration_tests::example_flows::CookieJar as Jar;

/// Signs `username` in as the app's server would (same runner settings, so the same cookies); with `expired`,
/// the tokens were issued two hours ago by the backend's clock and are due for a refresh.
async fn session(example: &Example, username: &str, expired: bool) -> Jar {
    let backend = example.running.backend();
    let config = AmplifyConfig::from_value(&backend.outputs()).expect("outputs");
    let runner = ServerRunner::builder(config)
        .ignore_env()
        .app_origin(&example.running.origin)
        .build()
        .expect("runner");
    if expired {
        backend.clock().rewind(Duration::from_secs(2 * 3600));
    }
    let ctx = runner.context(&http::HeaderMap::new());
    let outcome = amplify_ssr::sign_in(&ctx, SignInInput::new(username, DEMO_PASSWORD)).await;
    backend.clock().reset();
    assert!(
        matches!(outcome, Ok(SignInOutcome::SignedIn(_))),
        "{outcome:?}"
    );
    let mut jar = Jar::default();
    let lines = ctx.set_cookie_headers();
    jar.apply_lines(lines.iter().map(|v| v.to_str().unwrap()));
    jar
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The text of `#id` in `html` (the examples' elements hold plain text).
fn text_of(html: &str, id: &str) -> Option<String> {
    let start = html.find(&format!("id=\"{id}\""))?;
    let open_end = start + html[start..].find('>')? + 1;
    let close = open_end + html[open_end..].find('<')?;
    Some(html[open_end..close].to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_is_refreshed_before_a_streamed_page_and_the_next_request_uses_it() {
    let example = start().await;
    let user = DEMO_USERS[0];
    let mut jar = session(&example, user, true).await;
    let refreshes = || {
        let backend = example.running.backend();
        backend.operation_count("GetTokensFromRefreshToken")
            + backend.operation_count("InitiateAuth")
    };
    let before = refreshes();

    // `/` streams (in order): the user comes from a resource, which reads the session after the headers left.
    let response = client()
        .get(format!("{}/", example.running.url))
        .header(COOKIE, jar.header())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response
            .headers()
            .get("transfer-encoding")
            .is_some_and(|v| v == "chunked"),
        "the page is streamed: {:?}",
        response.headers()
    );
    let refreshed = set_cookies(&response);
    assert!(
        refreshed.iter().any(|c| c.contains(".accessToken=")),
        "the refreshed tokens reach the browser with the streamed page's headers: {refreshed:?}"
    );
    assert_eq!(response.headers()[CACHE_CONTROL], "private, no-store");
    let html = response.text().await.unwrap();
    assert_eq!(text_of(&html, "whoami").as_deref(), Some(user), "{html}");
    assert_eq!(refreshes(), before + 1, "one refresh, before the render");

    // The browser keeps the new cookies: the next page uses them and refreshes nothing.
    jar.apply_lines(refreshed.iter().map(String::as_str));
    let response = client()
        .get(format!("{}/protected", example.running.url))
        .header(COOKIE, jar.header())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        set_cookies(&response).is_empty(),
        "{:?}",
        set_cookies(&response)
    );
    let html = response.text().await.unwrap();
    assert_eq!(
        text_of(&html, "protected-user").as_deref(),
        Some(user),
        "{html}"
    );
    assert_eq!(refreshes(), before + 1);
    example.running.shutdown().await;
}

/// Calls a server function as Leptos' client does (`fetch`, same origin, not a navigation).
async fn call_server_fn(
    example: &Example,
    path: &str,
    body: &str,
    jar: Option<&Jar>,
) -> reqwest::Response {
    let mut request = client()
        .post(format!("{}{path}", example.running.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("origin", &example.running.origin)
        .body(body.to_owned());
    if let Some(jar) = jar {
        request = request.header(COOKIE, jar.header());
    }
    request.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_functions_tell_signed_out_from_failed() {
    let example = start().await;

    let response = call_server_fn(&example, ListTodos::PATH, "", None).await;
    assert_eq!(response.status(), 401);
    let error = AuthFnError::de(response.bytes().await.unwrap());
    assert_eq!(error, AuthFnError::SignedOut);

    // Signed in, a call that fails is a failure with its message, not a sign-out.
    let jar = session(&example, DEMO_USERS[1], false).await;
    let response = call_server_fn(&example, CreateTodo::PATH, "content=", Some(&jar)).await;
    assert_eq!(response.status(), 500);
    let error = AuthFnError::de(response.bytes().await.unwrap());
    assert!(
        matches!(&error, AuthFnError::Failed(text) if text.contains("1 to 500")),
        "{error:?}"
    );
    assert!(!error.is_signed_out());

    // A plain form (JavaScript off) of a signed-out visitor is sent to sign in, then back to its page.
    let response = client()
        .post(format!("{}{}", example.running.url, CreateTodo::PATH))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .header("origin", &example.running.origin)
        .header("referer", format!("{}/todos", example.running.url))
        .body("content=milk")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(
        response.headers()[LOCATION],
        "/api/auth/sign-in?redirect_to=%2Ftodos"
    );
    example.running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_server_function_calls_are_refused_and_change_nothing() {
    let example = start().await;
    let jar = session(&example, DEMO_USERS[0], false).await;
    let list = || async {
        let response = call_server_fn(&example, ListTodos::PATH, "", Some(&jar)).await;
        assert_eq!(response.status(), 200);
        response.text().await.unwrap()
    };
    let before = list().await;
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("origin", "http://evil.example"),
    ] {
        let response = client()
            .post(format!("{}{}", example.running.url, CreateTodo::PATH))
            .header("content-type", "application/x-www-form-urlencoded")
            .header(COOKIE, jar.header())
            .header(name, value)
            .body("content=forged")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{name}: {value}");
    }
    assert_eq!(list().await, before, "nothing was created");
    example.running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_that_show_the_session_are_not_stored_by_caches() {
    let example = start().await;
    let jar = session(&example, DEMO_USERS[0], false).await;
    for path in ["/", "/protected", "/todos", "/files"] {
        let response = client()
            .get(format!("{}{path}", example.running.url))
            .header(COOKIE, jar.header())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            response.headers()[CACHE_CONTROL],
            "private, no-store",
            "{path}"
        );
    }
    // Signed out too: the home page says "signed out", which is no less private; the protected pages'
    // redirects to sign-in are not stored either.
    let response = client()
        .get(format!("{}/", example.running.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()[CACHE_CONTROL], "private, no-store");
    let response = client()
        .get(format!("{}/todos", example.running.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()[CACHE_CONTROL], "private, no-store");
    example.running.shutdown().await;
}

amplify_integration_tests::example_browser_tests!("leptos", example_leptos::start);
