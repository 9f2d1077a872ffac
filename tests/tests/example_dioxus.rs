//! The Dioxus example (`examples/dioxus`): the flows every framework example passes, in headless Chromium with
//! JavaScript off (see `amplify_integration_tests::example_flows`); and over HTTP, as a browser without
//! JavaScript uses it: the pages and their protection, an expired session refreshed before a streamed page's
//! first byte, server functions that tell "signed out" from "failed", the same-origin rule on server functions,
//! private pages, and the todo and file forms.

use std::time::Duration;

use amplify_examples_support::{DEMO_PASSWORD, DEMO_USERS};
use amplify_ssr::{AmplifyConfig, ServerRunner, SignInInput, SignInOutcome};
use example_dioxus::{ExampleOptions, RunningExample};
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, COOKIE, LOCATION, SET_COOKIE};
use serde_json::Value;

struct Example {
    url: String,
    example: RunningExample,
    _dir: tempfile::TempDir,
}

async fn start() -> Example {
    let dir = tempfile::tempdir().unwrap();
    let mut options = ExampleOptions::new(dir.path());
    options.port = 0;
    let example = example_dioxus::start(options).await.unwrap();
    Example {
        url: example.url.clone(),
        example,
        _dir: dir,
    }
}

use amplify_integration_tests::example_flows::CookieJar as Jar;

/// Signs `username` in (as managed login would) and returns the browser's cookies.
async fn signed_in(example: &Example, username: &str) -> Jar {
    let config = AmplifyConfig::from_value(&example.example.backend().outputs()).unwrap();
    let runner = ServerRunner::builder(config).ignore_env().build().unwrap();
    let ctx = runner.context(&http::HeaderMap::new());
    let outcome = amplify_ssr::sign_in(&ctx, SignInInput::new(username, DEMO_PASSWORD))
        .await
        .unwrap();
    assert!(matches!(outcome, SignInOutcome::SignedIn(_)), "{outcome:?}");
    let mut jar = Jar::default();
    for header in ctx.set_cookie_headers() {
        let line = header.to_str().unwrap();
        let (name, value) = line.split(';').next().unwrap().split_once('=').unwrap();
        jar.insert(name, value);
    }
    jar
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn get(example: &Example, path: &str, jar: &Jar) -> reqwest::Response {
    let mut request = client().get(format!("{}{path}", example.url));
    if !jar.is_empty() {
        request = request.header(COOKIE, jar.header());
    }
    request.send().await.unwrap()
}

/// A plain HTML form post from the app's own page (`Sec-Fetch-Site: same-origin`, as browsers send).
async fn post_form(
    example: &Example,
    path: &str,
    jar: &Jar,
    site: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client()
        .post(format!("{}{path}", example.url))
        .header(COOKIE, jar.header())
        .header("sec-fetch-site", site)
        .header("accept", "text/html")
        .form(form)
        .send()
        .await
        .unwrap()
}

fn cache_control(response: &reqwest::Response) -> &str {
    response
        .headers()
        .get(CACHE_CONTROL)
        .map_or("", |v| v.to_str().unwrap())
}

fn set_cookie_names(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split('=').next().unwrap().to_owned())
        .collect()
}

/// The text of the element with `id` (its first text node, the framework's markers removed).
fn text_of(html: &str, id: &str) -> Option<String> {
    let start = html.find(&format!(r#"id="{id}""#))?;
    let rest = &html[start..];
    let rest = &rest[rest.find('>')? + 1..];
    let text = &rest[..rest.find("</")?];
    let mut clean = String::new();
    let mut in_comment = false;
    for part in text.split("<!--") {
        let part = if in_comment {
            part.split_once("-->").map_or("", |(_, t)| t)
        } else {
            part
        };
        clean.push_str(part);
        in_comment = true;
    }
    Some(clean.trim().to_owned())
}

fn refreshes(example: &Example) -> u64 {
    let backend = example.example.backend();
    backend.operation_count("GetTokensFromRefreshToken") + backend.operation_count("InitiateAuth")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_out_visitors_see_the_public_pages_and_are_sent_to_sign_in() {
    let example = start().await;
    let none = Jar::default();

    let home = get(&example, "/", &none).await;
    assert_eq!(home.status(), StatusCode::OK);
    assert_eq!(cache_control(&home), "private, no-store");
    let html = home.text().await.unwrap();
    assert_eq!(
        text_of(&html, "whoami").as_deref(),
        Some("signed out"),
        "{html}"
    );
    for (id, href) in [
        ("sign-in", "/api/auth/sign-in"),
        ("sign-up", "/api/auth/sign-up"),
        ("sign-out", "/api/auth/sign-out"),
        ("protected", "/protected"),
        ("todos", "/todos"),
        ("files", "/files"),
    ] {
        assert!(
            html.contains(&format!(r#"<a id="{id}" href="{href}""#)),
            "{id}: {html}"
        );
    }

    for page in ["/protected", "/todos", "/files"] {
        let response = get(&example, page, &none).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{page}");
        let expected = format!("/api/auth/sign-in?redirect_to=%2F{}", &page[1..]);
        assert_eq!(response.headers()[LOCATION], expected.as_str());
    }
    // The Dioxus router percent-decodes paths, so other spellings of a protected page must be protected too
    // (the page rendered for `/%70rotected` before the protection matched canonical paths).
    for spelling in [
        "/%70rotected",
        "/%2570rotected",
        "/PROTECTED",
        "//protected",
    ] {
        let response = get(&example, spelling, &none).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{spelling}");
        let location = response.headers()[LOCATION].to_str().unwrap();
        assert!(
            location.starts_with("/api/auth/sign-in"),
            "{spelling}: {location}"
        );
    }

    // Managed login starts from the auth routes mounted beside the app.
    let sign_in = get(
        &example,
        "/api/auth/sign-in?redirect_to=%2Fprotected",
        &none,
    )
    .await;
    assert_eq!(sign_in.status(), StatusCode::FOUND);
    assert!(
        sign_in.headers()[LOCATION]
            .to_str()
            .unwrap()
            .contains("/oauth2/authorize")
    );

    let error = get(&example, "/auth-error?error=access_denied", &none).await;
    assert_eq!(error.status(), StatusCode::OK);
    assert!(error.text().await.unwrap().contains("access_denied"));

    example.example.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_is_refreshed_before_a_streamed_page_starts() {
    let example = start().await;
    let backend = example.example.backend();
    // Tokens issued two hours ago have expired by the app's clock (the refresh token has not).
    backend.clock().rewind(Duration::from_secs(2 * 3600));
    let mut jar = signed_in(&example, DEMO_USERS[0]).await;
    backend.advance_clock(Duration::from_secs(2 * 3600));
    let old_access = jar.ending_with(".accessToken").unwrap().to_owned();
    let before = refreshes(&example);

    // This page streams: its greeting is behind a suspense boundary, so the page's first bytes (and headers)
    // leave before it renders and reads the session. Without the layer's eager refresh the new cookies would be
    // lost (this assertion fails then); with it they arrive with the page.
    let page = get(&example, "/streamed", &jar).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(cache_control(&page), "private, no-store");
    assert!(
        set_cookie_names(&page)
            .iter()
            .any(|n| n.ends_with(".accessToken")),
        "{:?}",
        page.headers()
    );
    jar.apply(&page);
    assert_ne!(jar.ending_with(".accessToken").unwrap(), old_access);
    let html = page.text().await.unwrap();
    let greeting = format!("Welcome back, {}.", DEMO_USERS[0]);
    assert!(html.contains(&greeting), "{html}");
    assert_eq!(refreshes(&example), before + 1, "one refresh");

    // The next request uses the new tokens: no refresh, no cookie written.
    let again = get(&example, "/", &jar).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert!(set_cookie_names(&again).is_empty(), "{:?}", again.headers());
    assert_eq!(refreshes(&example), before + 1, "no second refresh");
    let html = again.text().await.unwrap();
    assert_eq!(
        text_of(&html, "whoami").as_deref(),
        Some(DEMO_USERS[0]),
        "{html}"
    );

    // A page that reads the session only while it streams is private all the same (the headers left before
    // the read could mark it).
    let streamed = get(&example, "/streamed", &jar).await;
    assert_eq!(cache_control(&streamed), "private, no-store");
    assert!(streamed.text().await.unwrap().contains(DEMO_USERS[0]));

    // The protected page is private too.
    let protected = get(&example, "/protected", &jar).await;
    assert_eq!(protected.status(), StatusCode::OK);
    assert_eq!(cache_control(&protected), "private, no-store");
    let html = protected.text().await.unwrap();
    assert_eq!(
        text_of(&html, "protected-user").as_deref(),
        Some(DEMO_USERS[0]),
        "{html}"
    );

    example.example.shutdown().await;
}

/// The error a server function answered, as the client decodes it.
async fn server_fn_error(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    (status, body["data"].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_functions_tell_signed_out_from_failed_and_refuse_other_sites() {
    let example = start().await;
    let none = Jar::default();

    let (status, error) = server_fn_error(get(&example, "/api/session/user", &none).await).await;
    assert_eq!(
        (status, error),
        (
            StatusCode::UNAUTHORIZED,
            serde_json::json!({ "kind": "signed_out" })
        )
    );
    let (status, error) = server_fn_error(
        post_form(
            &example,
            "/api/todos/create",
            &none,
            "same-origin",
            &[("content", "x")],
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, error["kind"].clone()),
        (StatusCode::UNAUTHORIZED, "signed_out".into())
    );

    let jar = signed_in(&example, DEMO_USERS[0]).await;
    let user = get(&example, "/api/session/user", &jar).await;
    assert_eq!(user.status(), StatusCode::OK);
    assert_eq!(cache_control(&user), "private, no-store");
    assert_eq!(user.json::<Value>().await.unwrap(), DEMO_USERS[0]);

    // A failure is not a sign-out: an empty todo is refused with 400.
    let (status, error) = server_fn_error(
        post_form(
            &example,
            "/api/todos/create",
            &jar,
            "same-origin",
            &[("content", " ")],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error["kind"], "failed", "{error}");

    // Another site's form posting to a server function with the user's cookies is refused, and changes nothing.
    for site in ["cross-site", "same-site"] {
        let (status, error) = server_fn_error(
            post_form(
                &example,
                "/api/todos/create",
                &jar,
                site,
                &[("content", "forged")],
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, error),
            (
                StatusCode::FORBIDDEN,
                serde_json::json!({ "kind": "cross_site" })
            )
        );
    }
    let forged = client()
        .post(format!("{}/api/todos/create", example.url))
        .header(COOKIE, jar.header())
        .header("origin", "http://evil.example")
        .form(&[("content", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let todos = get(&example, "/api/todos", &jar)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(todos, serde_json::json!([]), "nothing was created");

    example.example.shutdown().await;
}

/// The `value` of each hidden `id` input (one per todo form).
fn todo_ids(html: &str) -> Vec<String> {
    let mut ids: Vec<String> = html
        .split(r#"name="id" value=""#)
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_owned))
        .collect();
    ids.dedup();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn todos_through_plain_forms_are_per_user() {
    let example = start().await;
    let alice = signed_in(&example, DEMO_USERS[0]).await;
    let bob = signed_in(&example, DEMO_USERS[1]).await;

    let created = post_form(
        &example,
        "/api/todos/create",
        &alice,
        "same-origin",
        &[("content", "buy milk")],
    )
    .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    assert_eq!(created.headers()[LOCATION], "/todos");

    let page = get(&example, "/todos", &alice).await;
    assert_eq!(cache_control(&page), "private, no-store");
    let html = page.text().await.unwrap();
    assert!(
        html.contains(r#"id="create-todo""#) && html.contains(r#"id="todos""#),
        "{html}"
    );
    assert!(html.contains(r#"class="todo" data-done="false""#), "{html}");
    assert!(html.contains("buy milk"), "{html}");
    let ids = todo_ids(&html);
    assert_eq!(ids.len(), 1, "{html}");

    let bobs = get(&example, "/todos", &bob).await.text().await.unwrap();
    assert!(
        !bobs.contains("buy milk") && todo_ids(&bobs).is_empty(),
        "{bobs}"
    );
    // Bob cannot change Alice's item either.
    let _ = post_form(
        &example,
        "/api/todos/delete",
        &bob,
        "same-origin",
        &[("id", &ids[0])],
    )
    .await;

    let toggled = post_form(
        &example,
        "/api/todos/toggle",
        &alice,
        "same-origin",
        &[("id", &ids[0]), ("done", "true")],
    )
    .await;
    assert_eq!(toggled.status(), StatusCode::SEE_OTHER);
    let html = get(&example, "/todos", &alice).await.text().await.unwrap();
    assert!(html.contains(r#"class="todo" data-done="true""#), "{html}");

    let deleted = post_form(
        &example,
        "/api/todos/delete",
        &alice,
        "same-origin",
        &[("id", &ids[0])],
    )
    .await;
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    let html = get(&example, "/todos", &alice).await.text().await.unwrap();
    assert!(
        todo_ids(&html).is_empty() && !html.contains("buy milk"),
        "{html}"
    );

    example.example.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multipart_upload_lists_a_presigned_link() {
    let example = start().await;
    let alice = signed_in(&example, DEMO_USERS[0]).await;

    let boundary = "dioxus-example-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\n\
         Content-Type: text/plain\r\n\r\nhello from dioxus\r\n--{boundary}--\r\n"
    );
    let uploaded = client()
        .post(format!("{}/api/files/upload", example.url))
        .header(COOKIE, alice.header())
        .header("sec-fetch-site", "same-origin")
        .header("accept", "text/html")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        uploaded.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        uploaded.text().await
    );
    assert_eq!(uploaded.headers()[LOCATION], "/files");

    let html = get(&example, "/files", &alice).await.text().await.unwrap();
    assert!(
        html.contains(r#"id="upload""#) && html.contains(r#"enctype="multipart/form-data""#),
        "{html}"
    );
    let link = html
        .split(r#"class="file-link" href=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a file link")
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    assert!(html.contains(">notes.txt<"), "{html}");
    let download = client().get(&link).send().await.unwrap();
    assert_eq!(download.status(), StatusCode::OK, "{link}");
    assert_eq!(download.text().await.unwrap(), "hello from dioxus");

    example.example.shutdown().await;
}

amplify_integration_tests::example_browser_tests!("dioxus", example_dioxus::start);
