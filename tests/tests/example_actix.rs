//! The actix-web example (`examples/actix`): in headless Chromium with JavaScript off, the flows every framework
//! example passes (see `amplify_integration_tests::example_flows`); over HTTP, the streamed home page refreshing
//! an expired session, signed-out posts told apart, cross-site posts refused, private pages `no-store`, and the
//! todo and file pages per user.

use std::time::Duration;

use amplify_examples_support::{DEMO_PASSWORD, DEMO_USERS};
use amplify_ssr::{AmplifyConfig, ServerRunner, SignInInput};
use example_actix::{ExampleOptions, RunningExample};
use reqwest::header::{CACHE_CONTROL, COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use reqwest::{Response, StatusCode};

const REFRESH: &str = "GetTokensFromRefreshToken";

async fn start() -> (RunningExample, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let running = example_actix::start(ExampleOptions::new(dir.path()))
        .await
        .unwrap();
    (running, dir)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

use amplify_integration_tests::example_flows::CookieJar as Jar;

/// Signs `username` in through the library (as the app's managed login would) and returns the cookies. With
/// `expired`, the tokens are issued two hours in the past by the backend's clock: expired by the app's.
async fn session(running: &RunningExample, username: &str, expired: bool) -> Jar {
    let backend = running.backend();
    let runner = ServerRunner::builder(AmplifyConfig::from_value(&backend.outputs()).unwrap())
        .ignore_env()
        .app_origin(&running.origin)
        .build()
        .unwrap();
    if expired {
        backend.clock().rewind(Duration::from_secs(2 * 3600));
    }
    let ctx = runner.context(&http::HeaderMap::new());
    let signed_in = amplify_ssr::sign_in(&ctx, SignInInput::new(username, DEMO_PASSWORD)).await;
    backend.clock().reset();
    signed_in.unwrap();
    let mut jar = Jar::default();
    for line in ctx.set_cookie_headers() {
        let line = line.to_str().unwrap();
        let pair = line.split(';').next().unwrap();
        let (name, value) = pair.split_once('=').unwrap();
        jar.insert(name, value);
    }
    assert!(jar.ending_with(".accessToken").is_some(), "{jar:?}");
    jar
}

async fn get(running: &RunningExample, path: &str, jar: Option<&Jar>) -> Response {
    let mut request = client().get(format!("{}{path}", running.url));
    if let Some(jar) = jar {
        request = request.header(COOKIE, jar.header());
    }
    request.send().await.unwrap()
}

/// Checks that the home page in `response` shows the first demo user signed in.
async fn assert_shows_alice(response: Response) {
    let html = response.text().await.unwrap();
    let whoami = format!(r#"id="whoami">{}<"#, DEMO_USERS[0]);
    assert!(html.contains(&whoami), "{html}");
}

/// The HTML of `path`.
async fn html_of(running: &RunningExample, path: &str, jar: Option<&Jar>) -> String {
    get(running, path, jar).await.text().await.unwrap()
}

/// A form handler's `303` back to `location`.
fn assert_back(response: &Response, location: &str) {
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{location}");
    assert_eq!(header(response, LOCATION), Some(location));
}

/// A form post from the app's own page (as a browser sends it).
async fn post(
    running: &RunningExample,
    path: &str,
    jar: Option<&Jar>,
    form: &[(&str, &str)],
) -> Response {
    let mut request = client()
        .post(format!("{}{path}", running.url))
        .header(ORIGIN, &running.origin)
        .header("sec-fetch-site", "same-origin")
        .form(form);
    if let Some(jar) = jar {
        request = request.header(COOKIE, jar.header());
    }
    request.send().await.unwrap()
}

fn header(response: &Response, name: reqwest::header::HeaderName) -> Option<&str> {
    response.headers().get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_page_refreshes_an_expired_session_and_the_next_request_keeps_it() {
    let (running, _dir) = start().await;
    let mut jar = session(&running, DEMO_USERS[0], true).await;
    let old_access = jar.ending_with(".accessToken").unwrap().to_owned();
    let refreshes = running.backend().operation_count(REFRESH);

    let response = get(&running, "/", Some(&jar)).await;
    assert_eq!(response.status(), StatusCode::OK);
    // Streamed: no length known when the headers went out.
    assert_eq!(
        header(&response, reqwest::header::TRANSFER_ENCODING),
        Some("chunked")
    );
    assert_eq!(header(&response, CACHE_CONTROL), Some("private, no-store"));
    jar.apply(&response);
    let new_access = jar.ending_with(".accessToken").unwrap().to_owned();
    assert_ne!(
        new_access, old_access,
        "the refreshed tokens arrived with the streamed page"
    );
    assert_shows_alice(response).await;
    assert_eq!(running.backend().operation_count(REFRESH), refreshes + 1);

    let response = get(&running, "/", Some(&jar)).await;
    assert!(
        response.headers().get(SET_COOKIE).is_none(),
        "nothing to refresh again"
    );
    assert_shows_alice(response).await;
    assert_eq!(
        running.backend().operation_count(REFRESH),
        refreshes + 1,
        "the new tokens were used"
    );
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_out_visitors_are_sent_to_sign_in_and_signed_out_posts_get_401() {
    let (running, _dir) = start().await;
    for path in ["/protected", "/todos", "/files"] {
        let response = get(&running, path, None).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{path}");
        let back = path.replace('/', "%2F");
        assert_eq!(
            header(&response, LOCATION).unwrap(),
            format!("/api/auth/sign-in?redirect_to={back}")
        );
    }
    let home = html_of(&running, "/", None).await;
    assert!(home.contains(r#"id="whoami">signed out<"#), "{home}");

    // A signed-out post is a 401 with the library's error name, not a failure (those are 503s).
    for (path, form) in [
        ("/todos", vec![("content", "x")]),
        ("/todos/delete", vec![("id", "1")]),
    ] {
        let response = post(&running, path, None, &form).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"], "UserUnAuthenticatedException", "{path}");
    }
    let me = get(&running, "/api/me", None).await;
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_posts_are_refused_and_change_nothing() {
    let (running, _dir) = start().await;
    let jar = session(&running, DEMO_USERS[0], false).await;
    let forged = [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "http://evil.example"),
    ];
    for (name, value) in forged {
        let response = client()
            .post(format!("{}/todos", running.url))
            .header(COOKIE, jar.header())
            .header(name, value)
            .form(&[("content", "forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}: {value}");
    }
    let html = html_of(&running, "/todos", Some(&jar)).await;
    assert!(!html.contains("forged"), "{html}");
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_pages_are_no_store_and_todos_and_files_belong_to_their_owner() {
    let (running, _dir) = start().await;
    let alice = session(&running, DEMO_USERS[0], false).await;
    let bob = session(&running, DEMO_USERS[1], false).await;
    for path in ["/", "/protected", "/todos", "/files"] {
        let response = get(&running, path, Some(&alice)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            header(&response, CACHE_CONTROL),
            Some("private, no-store"),
            "{path}"
        );
    }
    let protected = html_of(&running, "/protected", Some(&alice)).await;
    assert!(protected.contains(&format!(r#"id="protected-user">{}<"#, DEMO_USERS[0])));

    let created = post(
        &running,
        "/todos",
        Some(&alice),
        &[("content", "alice's <todo>")],
    )
    .await;
    assert_back(&created, "/todos");
    let html = html_of(&running, "/todos", Some(&alice)).await;
    assert!(
        html.contains(r#"<span class="content">alice&#39;s &lt;todo&gt;</span>"#),
        "{html}"
    );
    assert!(html.contains(r#"data-done="false""#), "{html}");
    let id = html
        .split(r#"name="id" value=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let bobs = html_of(&running, "/todos", Some(&bob)).await;
    assert!(!bobs.contains("alice"), "{bobs}");
    // Bob cannot touch Alice's item.
    let refused = post(&running, "/todos/delete", Some(&bob), &[("id", &id)]).await;
    assert_eq!(refused.status(), StatusCode::BAD_GATEWAY);
    assert!(
        html_of(&running, "/todos", Some(&alice))
            .await
            .contains("alice&#39;s")
    );

    let toggled = post(
        &running,
        "/todos/toggle",
        Some(&alice),
        &[("id", &id), ("done", "true")],
    )
    .await;
    assert_back(&toggled, "/todos");
    let html = html_of(&running, "/todos", Some(&alice)).await;
    assert!(html.contains(r#"data-done="true""#), "{html}");
    let deleted = post(&running, "/todos/delete", Some(&alice), &[("id", &id)]).await;
    assert_back(&deleted, "/todos");
    let html = html_of(&running, "/todos", Some(&alice)).await;
    assert!(!html.contains(r#"class="todo""#), "{html}");

    let empty = post(&running, "/todos", Some(&alice), &[("content", "  ")]).await;
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
    assert!(empty.text().await.unwrap().contains(r#"class="error""#));

    // A multipart upload, then its presigned link.
    let boundary = "actix-example-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\n\
         Content-Type: text/plain\r\n\r\nhello from actix\r\n--{boundary}--\r\n"
    );
    let uploaded = client()
        .post(format!("{}/files", running.url))
        .header(COOKIE, alice.header())
        .header(ORIGIN, &running.origin)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_back(&uploaded, "/files");
    let html = html_of(&running, "/files", Some(&alice)).await;
    let link = html
        .split(r#"<a class="file-link" href=""#)
        .nth(1)
        .unwrap_or_else(|| panic!("no file link in {html}"))
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    assert!(html.contains(">notes.txt</a>"), "{html}");
    let download = client().get(&link).send().await.unwrap();
    assert_eq!(download.status(), StatusCode::OK, "{link}");
    assert_eq!(download.text().await.unwrap(), "hello from actix");
    let bobs = html_of(&running, "/files", Some(&bob)).await;
    assert!(!bobs.contains("notes.txt"), "{bobs}");

    let not_multipart = post(&running, "/files", Some(&alice), &[("file", "x")]).await;
    assert_eq!(not_multipart.status(), StatusCode::BAD_REQUEST);
    running.shutdown().await;
}

amplify_integration_tests::example_browser_tests!("actix", example_actix::start);
