//! The demo end to end over HTTP: embedded amplify-local, the sign-in form, the protected dashboard, the JSON API
//! and sign-out, with a cookie-keeping client as a browser would be.

use amplify_demo::app::{DEMO_PASSWORD, DEMO_USERNAME};
use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};

struct Demo {
    url: String,
    demo: amplify_demo::RunningDemo,
    _dir: tempfile::TempDir,
}

async fn start_demo() -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let mut options = amplify_demo::DemoOptions::new(dir.path());
    options.port = 0;
    options.backend_port = 0;
    let demo = amplify_demo::start(options).await.unwrap();
    Demo {
        url: demo.url.clone(),
        demo,
        _dir: dir,
    }
}

/// A cookie-keeping client that, like a browser on the demo's own pages, says its requests are same-origin
/// (`Sec-Fetch-Site`), so the demo's form posts accept it.
fn browser() -> reqwest::Client {
    browser_with_jar(std::sync::Arc::default())
}

fn browser_with_jar(jar: std::sync::Arc<reqwest::cookie::Jar>) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "sec-fetch-site",
        reqwest::header::HeaderValue::from_static("same-origin"),
    );
    reqwest::Client::builder()
        .cookie_provider(jar)
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn sign_in_form_dashboard_api_and_sign_out() {
    let demo = start_demo().await;
    let client = browser();

    // Public home page.
    let home = client.get(format!("{}/", demo.url)).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    assert!(home.text().await.unwrap().contains("Sign in"));

    // The protected page sends us to sign in, remembering where we were going.
    let response = client
        .get(format!("{}/dashboard?tab=profile", demo.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        "/api/auth/sign-in?redirect_to=%2Fdashboard%3Ftab%3Dprofile"
    );

    // The password form keeps the destination too.
    let form = page_text(
        &client,
        format!(
            "{}/sign-in?redirect_to=%2Fdashboard%3Ftab%3Dprofile",
            demo.url
        ),
    )
    .await;
    assert!(
        form.contains(r#"name="redirect_to" value="/dashboard?tab=profile""#),
        "{form}"
    );

    // The API says 401 while signed out.
    let api = client
        .get(format!("{}/apis/get-current-user", demo.url))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);

    // A wrong password shows an error next to the form.
    let wrong = client
        .post(format!("{}/sign-in", demo.url))
        .form(&[
            ("username", DEMO_USERNAME),
            ("password", "nope-Nope-1!"),
            ("redirect_to", "/dashboard"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("Incorrect username or password.")
    );

    // Sign in, come back to the page we wanted.
    let signed_in = client
        .post(format!("{}/sign-in", demo.url))
        .form(&[
            ("username", DEMO_USERNAME),
            ("password", DEMO_PASSWORD),
            ("redirect_to", "/dashboard?tab=profile"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed_in.headers()[LOCATION], "/dashboard?tab=profile");
    let cookies: Vec<_> = signed_in
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(
        cookies.iter().any(|c| c.contains(".accessToken=")),
        "{cookies:?}"
    );

    let dashboard = client
        .get(format!("{}/dashboard?tab=profile", demo.url))
        .send()
        .await
        .unwrap();
    assert_eq!(dashboard.status(), StatusCode::OK);
    let html = dashboard.text().await.unwrap();
    assert!(
        html.contains(DEMO_USERNAME) && html.contains("Demo User"),
        "{html}"
    );

    let api = client
        .get(format!("{}/apis/get-current-user", demo.url))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::OK);
    let user: serde_json::Value = api.json().await.unwrap();
    assert_eq!(user["username"], DEMO_USERNAME);

    // An open redirect is refused: we land on the dashboard instead.
    let evil = client
        .post(format!("{}/sign-in", demo.url))
        .form(&[
            ("username", DEMO_USERNAME),
            ("password", DEMO_PASSWORD),
            ("redirect_to", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(evil.headers()[LOCATION], "/dashboard");

    // Sign out: cookies cleared, the refresh token revoked, the API says 401 again.
    let backend = demo.demo.backend().unwrap();
    let revocations = backend.operation_count("RevokeToken");
    let out = client
        .post(format!("{}/sign-out", demo.url))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(backend.operation_count("RevokeToken"), revocations + 1);
    let api = client
        .get(format!("{}/apis/get-current-user", demo.url))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn cross_site_form_posts_are_refused() {
    let demo = start_demo().await;
    let response = browser()
        .post(format!("{}/sign-in", demo.url))
        .header("sec-fetch-site", "cross-site")
        .form(&[("username", DEMO_USERNAME), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn form_posts_need_a_same_origin_signal() {
    let demo = start_demo().await;
    let form = [("username", DEMO_USERNAME), ("password", DEMO_PASSWORD)];
    // No Sec-Fetch-Site: the Origin decides, and with nothing at all the post is refused.
    let bare = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let sign_in = format!("{}/sign-in", demo.url);
    let refused = bare.post(&sign_in).form(&form).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let foreign = bare
        .post(&sign_in)
        .header("origin", "http://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    let own = bare
        .post(&sign_in)
        .header("origin", demo.url.as_str())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn private_pages_are_never_cached_and_public_ones_may_be() {
    let demo = start_demo().await;
    let client = signed_in_browser(&demo).await;
    let cache_control = |response: &reqwest::Response| {
        response
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap().to_owned())
    };
    for path in [
        "/dashboard",
        "/todos",
        "/files",
        "/apis/get-current-user",
        "/",
    ] {
        let response = client
            .get(format!("{}{path}", demo.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            cache_control(&response).as_deref(),
            Some("private, no-store"),
            "{path}"
        );
    }
    // Signed out, the redirect to sign-in and the 401 depended on the session too.
    for (path, status) in [
        ("/dashboard", StatusCode::FOUND),
        ("/apis/get-current-user", StatusCode::UNAUTHORIZED),
    ] {
        let response = browser()
            .get(format!("{}{path}", demo.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{path}");
        assert_eq!(
            cache_control(&response).as_deref(),
            Some("private, no-store"),
            "{path}"
        );
    }
    // The gallery's content is rendered without the request's session, but its header names the visitor: the
    // page is private too. The stylesheet and the script read no session and may be kept.
    let gallery = client
        .get(format!("{}/gallery", demo.url))
        .send()
        .await
        .unwrap();
    assert_eq!(gallery.status(), StatusCode::OK);
    assert_eq!(
        cache_control(&gallery).as_deref(),
        Some("private, no-store")
    );
    for path in ["/assets/site.css", "/assets/app.js"] {
        let asset = client
            .get(format!("{}{path}", demo.url))
            .send()
            .await
            .unwrap();
        assert_eq!(asset.status(), StatusCode::OK, "{path}");
        assert_eq!(
            cache_control(&asset).as_deref(),
            Some("public, max-age=86400"),
            "{path}"
        );
    }
}

/// The decoded value of the first cookie in `jar` for `url` whose name ends with `suffix`.
fn cookie_value(jar: &reqwest::cookie::Jar, url: &str, suffix: &str) -> Option<String> {
    use reqwest::cookie::CookieStore as _;
    let header = jar.cookies(&url.parse().unwrap())?;
    header
        .to_str()
        .unwrap()
        .split("; ")
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| name.ends_with(suffix))
        .map(|(_, value)| amplify_ssr::cookies::decode(value))
}

/// The token endpoint's answer to a refresh with `refresh_token`: 200 while it is valid.
async fn refresh_status(demo: &Demo, refresh_token: &str) -> StatusCode {
    let backend = demo.demo.backend().unwrap();
    reqwest::Client::new()
        .post(format!("{}/oauth2/token", backend.base_url()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", backend.client_id()),
            ("refresh_token", refresh_token),
        ])
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn sign_out_from_another_site_is_confirmed_first_and_revokes_nothing() {
    let demo = start_demo().await;
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = browser_with_jar(jar.clone());
    let signed_in = client
        .post(format!("{}/sign-in", demo.url))
        .form(&[("username", DEMO_USERNAME), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let refresh = cookie_value(&jar, &demo.url, ".refreshToken").expect("a refresh-token cookie");
    assert_eq!(refresh_status(&demo, &refresh).await, StatusCode::OK);

    // Another site links to (or loads) the sign-out route: a confirmation page, nothing else.
    let sign_out = format!("{}/api/auth/sign-out", demo.url);
    let forced = client
        .get(&sign_out)
        .header("sec-fetch-site", "cross-site")
        .header("sec-fetch-user", "?1")
        .send()
        .await
        .unwrap();
    assert_eq!(forced.status(), StatusCode::OK);
    assert!(forced.headers().get(SET_COOKIE).is_none());
    let page = forced.text().await.unwrap();
    assert!(
        page.contains("Sign out?") && page.contains("<form method=\"post\">"),
        "{page}"
    );
    // Nor does its next step, the sign-out callback, do anything.
    let callback = client
        .get(format!("{}/api/auth/sign-out-callback", demo.url))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(callback.status(), StatusCode::FOUND);
    assert!(callback.headers().get(SET_COOKIE).is_none());
    let api = client
        .get(format!("{}/apis/get-current-user", demo.url))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::OK, "still signed in");
    assert_eq!(
        refresh_status(&demo, &refresh).await,
        StatusCode::OK,
        "not revoked"
    );

    // The user's own click signs out: managed login's logout, then the callback twice, then revoked.
    let clicked = client
        .get(&sign_out)
        .header("sec-fetch-user", "?1")
        .send()
        .await
        .unwrap();
    assert_eq!(clicked.status(), StatusCode::FOUND);
    let logout = clicked.headers()[LOCATION].to_str().unwrap().to_owned();
    let back = client.get(&logout).send().await.unwrap();
    assert!(back.status().is_redirection(), "{}", back.status());
    let callback = back.headers()[LOCATION].to_str().unwrap().to_owned();
    let first = client.get(&callback).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let second = client.get(&callback).send().await.unwrap();
    assert_eq!(second.status(), StatusCode::FOUND);
    let api = client
        .get(format!("{}/apis/get-current-user", demo.url))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        refresh_status(&demo, &refresh).await,
        StatusCode::BAD_REQUEST,
        "revoked"
    );
}

async fn signed_in_browser(demo: &Demo) -> reqwest::Client {
    let client = browser();
    let response = client
        .post(format!("{}/sign-in", demo.url))
        .form(&[
            ("username", DEMO_USERNAME),
            ("password", DEMO_PASSWORD),
            ("redirect_to", "/files"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    client
}

async fn upload(
    client: &reqwest::Client,
    demo: &Demo,
    name: &str,
    area: &str,
    body: &'static str,
) -> String {
    let answer: serde_json::Value = client
        .post(format!("{}/files/upload-url", demo.url))
        .json(&serde_json::json!({ "name": name, "area": area, "contentType": "text/plain" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = answer["url"].as_str().expect("a presigned URL").to_owned();
    let mut put = reqwest::Client::new().put(&url).body(body);
    for (name, value) in answer["headers"].as_object().unwrap() {
        put = put.header(name.as_str(), value.as_str().unwrap());
    }
    let put = put.send().await.unwrap();
    assert!(
        put.status().is_success(),
        "presigned PUT: {} {:?}",
        put.status(),
        put.text().await
    );
    answer["path"].as_str().unwrap().to_owned()
}

fn links(html: &str, class: &str) -> Vec<String> {
    let marker = format!("<a class=\"{class}\" href=\"");
    html.split(&marker)
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().replace("&amp;", "&"))
        .collect()
}

#[tokio::test]
async fn files_upload_through_presigned_put_list_download_and_delete() {
    let demo = start_demo().await;
    let client = signed_in_browser(&demo).await;

    let private = upload(&client, &demo, "notes.txt", "private", "my private notes").await;
    assert!(
        private.starts_with("private/us-east-1:") && private.ends_with("/notes.txt"),
        "{private}"
    );
    upload(&client, &demo, "hello.png", "public", "hello everyone").await;

    let html = page_text(&client, format!("{}/files", demo.url)).await;
    assert!(
        html.contains("notes.txt") && html.contains("hello.png"),
        "{html}"
    );
    let downloads = links(&html, "download");
    assert_eq!(downloads.len(), 2, "{html}");
    let mut bodies = Vec::new();
    for url in &downloads {
        let response = reqwest::get(url).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        assert!(
            response.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        bodies.push(response.text().await.unwrap());
    }
    bodies.sort();
    assert_eq!(bodies, ["hello everyone", "my private notes"]);

    // The gallery is rendered without the request: guest credentials, presigned image URLs.
    let gallery = page_text(&browser(), format!("{}/gallery", demo.url)).await;
    assert!(
        gallery.contains("hello.png") && !gallery.contains("notes.txt"),
        "{gallery}"
    );
    let src = gallery
        .split("<img src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    assert!(src.contains("X-Amz-Signature="), "{src}");
    assert_eq!(
        reqwest::get(&src).await.unwrap().text().await.unwrap(),
        "hello everyone"
    );

    // Nobody can delete another identity's file through the demo, and deleting one's own works.
    let refused = client
        .post(format!("{}/files/delete", demo.url))
        .form(&[(
            "path",
            "private/us-east-1:00000000-0000-0000-0000-000000000000/x.txt",
        )])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let deleted = client
        .post(format!("{}/files/delete", demo.url))
        .form(&[("path", private.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    let html = page_text(&client, format!("{}/files", demo.url)).await;
    assert!(!html.contains("notes.txt"), "{html}");
}

#[tokio::test]
async fn signed_out_visitors_cannot_get_upload_urls() {
    let demo = start_demo().await;
    let response = browser()
        .post(format!("{}/files/upload-url", demo.url))
        .json(&serde_json::json!({ "name": "x.txt", "area": "public" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND, "sent to sign in");
}

async fn browser_signed_in_as(demo: &Demo, username: &str, password: &str) -> reqwest::Client {
    let client = browser();
    let response = client
        .post(format!("{}/sign-in", demo.url))
        .form(&[
            ("username", username),
            ("password", password),
            ("redirect_to", "/todos"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{username} signs in"
    );
    client
}

/// The body of a GET of `url` as text.
async fn page_text(client: &reqwest::Client, url: String) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

fn hidden_ids(html: &str) -> Vec<String> {
    html.split(r#"name="id" value=""#)
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn todos_are_per_user_through_the_typed_client() {
    let demo = start_demo().await;
    demo.demo
        .backend()
        .unwrap()
        .create_user(
            "bob@example.com",
            "Bob-passw0rd!",
            &[("email", "bob@example.com")],
        )
        .unwrap();
    let alice = browser_signed_in_as(&demo, DEMO_USERNAME, DEMO_PASSWORD).await;
    let bob = browser_signed_in_as(&demo, "bob@example.com", "Bob-passw0rd!").await;

    let page = page_text(&alice, format!("{}/todos", demo.url)).await;
    assert!(page.contains(r#"id="no-todos""#), "{page}");
    assert!(
        page.contains("0 open of 0"),
        "the summary custom query: {page}"
    );
    for content in ["buy milk", "write <tests>"] {
        let created = alice
            .post(format!("{}/todos", demo.url))
            .form(&[("content", content)])
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), StatusCode::SEE_OTHER);
    }
    let page = page_text(&alice, format!("{}/todos", demo.url)).await;
    assert!(
        page.contains("buy milk") && page.contains("write &lt;tests&gt;"),
        "{page}"
    );
    let ids = hidden_ids(&page);
    assert_eq!(ids.len(), 4, "a toggle and a delete form per todo: {page}");
    assert!(page.contains("2 open of 2"), "{page}");

    // Bob sees none of them and can change none of them.
    let bobs = page_text(&bob, format!("{}/todos", demo.url)).await;
    assert!(
        !bobs.contains("buy milk") && bobs.contains(r#"id="no-todos""#),
        "{bobs}"
    );
    assert!(
        bobs.contains("0 open of 0"),
        "bob's summary counts his own: {bobs}"
    );
    let refused = bob
        .post(format!("{}/todos/toggle", demo.url))
        .form(&[("id", ids[0].as_str()), ("done", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let refused = bob
        .post(format!("{}/todos/delete", demo.url))
        .form(&[("id", ids[0].as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // Alice toggles and deletes her own.
    let toggled = alice
        .post(format!("{}/todos/toggle", demo.url))
        .form(&[("id", ids[0].as_str()), ("done", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(toggled.status(), StatusCode::SEE_OTHER);
    let page = page_text(&alice, format!("{}/todos", demo.url)).await;
    assert_eq!(page.matches(r#"class="todo done""#).count(), 1, "{page}");
    assert!(page.contains("1 open of 2"), "{page}");
    let deleted = alice
        .post(format!("{}/todos/delete", demo.url))
        .form(&[("id", ids[0].as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
    let page = page_text(&alice, format!("{}/todos", demo.url)).await;
    assert_eq!(hidden_ids(&page).len(), 2, "{page}");
}

#[tokio::test]
async fn announcements_are_public_through_the_api_key() {
    let demo = start_demo().await;
    let page = browser()
        .get(format!("{}/announcements", demo.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.matches("<li><strong>").count() >= 1,
        "the seeded announcements: {html}"
    );
}

#[test]
fn the_typed_models_are_generated_from_the_schema_the_embedded_backend_serves() {
    let file: serde_json::Value =
        serde_json::from_str(include_str!("../amplify_models.json")).expect("amplify_models.json");
    // amplify-local's default schema, plus the demo's `summary` query.
    let mut served = amplify_local::default_model_introspection();
    for (group, entries) in amplify_demo::summary::custom_operations()
        .as_object()
        .expect("an object")
    {
        let target = served[group.as_str()]
            .as_object_mut()
            .map(std::mem::take)
            .unwrap_or_default();
        let mut merged = target;
        for (name, entry) in entries.as_object().expect("entries") {
            merged.insert(name.clone(), entry.clone());
        }
        served[group.as_str()] = serde_json::Value::Object(merged);
    }
    assert_eq!(
        file["data"]["model_introspection"], served,
        "apps/amplify-demo/amplify_models.json is out of date: copy data.model_introspection from a fresh \
         amplify-demo's embedded amplify-local outputs file"
    );
}

#[tokio::test]
async fn the_summary_function_fails_rather_than_counting_what_it_cannot_read() {
    let demo = start_demo().await;
    let client = reqwest::Client::new();
    // An event whose caller token AppSync refuses: the function answers an error, never `{"open":0,"total":0}`.
    let answer = client
        .post(format!("{}/functions/summary", demo.url))
        .json(&serde_json::json!({
            "arguments": {},
            "request": {"headers": {"authorization": "eyJhbGciOiJSUzI1NiJ9.e30.forged"}},
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_GATEWAY);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["errorType"], "Unavailable", "{body}");
    assert!(body.get("open").is_none(), "{body}");
}

/// Every answer carries the security headers; the pages' policy allows no inline script or style, and the
/// stylesheet and script it loads are the app's own.
#[tokio::test]
async fn pages_carry_security_headers_and_no_inline_code() {
    let demo = start_demo().await;
    let alice = browser_signed_in_as(&demo, DEMO_USERNAME, DEMO_PASSWORD).await;
    for path in [
        "/",
        "/dashboard",
        "/todos",
        "/files",
        "/gallery",
        "/announcements",
        "/no-such-page",
    ] {
        let response = alice
            .get(format!("{}{path}", demo.url))
            .send()
            .await
            .unwrap();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        };
        let csp = header("content-security-policy");
        assert!(
            csp.contains("script-src 'self';") && csp.contains("style-src 'self';"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "same-origin", "{path}");
        let html = response.text().await.unwrap();
        assert!(
            !html.contains("<script>") && !html.contains("<style") && !html.contains(" style="),
            "{path} has inline code: {html}"
        );
        assert!(
            html.contains(r##"<a class="skip-link" href="#main">"##)
                && html.contains(r#"<main id="main""#),
            "{path}: {html}"
        );
    }
}

/// A browser gets the site's pages for failures: a 404 in the layout, a refusal turned into a page with the
/// original text folded away; a program (no `Accept: text/html`) keeps the plain answer.
#[tokio::test]
async fn failures_are_pages_for_browsers_and_plain_for_programs() {
    let demo = start_demo().await;
    let alice = browser_signed_in_as(&demo, DEMO_USERNAME, DEMO_PASSWORD).await;
    let missing = alice
        .get(format!("{}/no-such-page", demo.url))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let html = missing.text().await.unwrap();
    assert!(
        html.contains("<h1>Page not found</h1>") && html.contains(r#"href="/""#),
        "{html}"
    );
    // Under the paths programs call, an unknown path stays a plain 404, even for a browser.
    let asset = alice
        .get(format!("{}/assets/nope.css", demo.url))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(asset.status(), StatusCode::NOT_FOUND);
    assert!(asset.text().await.unwrap().is_empty());
    // Deleting a path outside one's own areas: refused in plain text, shown to a browser as a page.
    let forbidden = |accept: &'static str| {
        alice
            .post(format!("{}/files/delete", demo.url))
            .header("accept", accept)
            .form(&[("path", "private/someone-else/secret.txt")])
            .send()
    };
    let page = forbidden("text/html,application/xhtml+xml").await.unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<h1>Not allowed</h1>")
            && html.contains(r#"<pre id="problem-detail">you can only delete your own files and public files</pre>"#),
        "{html}"
    );
    let plain = forbidden("*/*").await.unwrap();
    assert_eq!(plain.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        plain.text().await.unwrap(),
        "you can only delete your own files and public files"
    );
}

/// A blank todo gets the todo page back (400) with the reason next to the field; nothing is created.
#[tokio::test]
async fn a_blank_todo_is_refused_next_to_its_field() {
    let demo = start_demo().await;
    let alice = browser_signed_in_as(&demo, DEMO_USERNAME, DEMO_PASSWORD).await;
    let refused = alice
        .post(format!("{}/todos", demo.url))
        .form(&[("content", "   ")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains(r#"aria-describedby="content-error""#)
            && html.contains(r#"<p class="field-error" id="content-error">"#)
            && html.contains(r#"id="no-todos""#),
        "{html}"
    );
}

/// Without JavaScript the upload form posts to the server, which says why nothing was uploaded.
#[tokio::test]
async fn an_upload_without_javascript_says_why_nothing_happened() {
    let demo = start_demo().await;
    let alice = browser_signed_in_as(&demo, DEMO_USERNAME, DEMO_PASSWORD).await;
    let files = page_text(&alice, format!("{}/files", demo.url)).await;
    assert!(
        files.contains(r#"<noscript><p class="notice" id="upload-needs-js">"#)
            && files.contains(r#"action="/files/upload""#),
        "{files}"
    );
    let answer = alice
        .post(format!("{}/files/upload", demo.url))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    assert!(
        answer
            .text()
            .await
            .unwrap()
            .contains("<h1>Uploading needs JavaScript</h1>")
    );
}

/// Signed-in users post news with their own token; a signed-out visitor is sent to sign in, and a blank
/// title gets the form back.
#[tokio::test]
async fn signed_in_users_post_news() {
    let demo = start_demo().await;
    let signed_out = browser()
        .post(format!("{}/announcements", demo.url))
        .form(&[("title", "hello")])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), StatusCode::FOUND, "sent to sign in");
    let alice = browser_signed_in_as(&demo, DEMO_USERNAME, DEMO_PASSWORD).await;
    // Posted from another site, with the user's cookies: refused, nothing posted.
    let cross_site = alice
        .post(format!("{}/announcements", demo.url))
        .header("sec-fetch-site", "cross-site")
        .form(&[("title", "planted")])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    let blank = alice
        .post(format!("{}/announcements", demo.url))
        .form(&[("title", " "), ("body", "kept")])
        .send()
        .await
        .unwrap();
    assert_eq!(blank.status(), StatusCode::BAD_REQUEST);
    let html = blank.text().await.unwrap();
    assert!(
        html.contains(r#"id="news-error""#) && html.contains(">kept</textarea>"),
        "{html}"
    );
    let posted = alice
        .post(format!("{}/announcements", demo.url))
        .form(&[("title", "Launch <day>"), ("body", "We ship.")])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    // Anyone reads it, with the API key.
    let news = page_text(&browser(), format!("{}/announcements", demo.url)).await;
    assert!(
        news.contains("Launch &lt;day&gt;")
            && news.contains("We ship.")
            && !news.contains("planted")
            && !news.contains(r#"id="news-form""#),
        "{news}"
    );
}
