//! Cookie interop between amplify-ssr and the real aws-amplify 6.22.1 client (Node, `ssr: true`), both ways:
//! the browser signs in and the Rust server reads and refreshes that session; the Rust server writes cookies and
//! the browser reads them and refreshes from them.

use amplify_integration_tests::cookies::{self, parse_header, to_header};
use amplify_integration_tests::{TestBackend, assert_no_peer_error, run_node};
use amplify_ssr::{
    AmplifyConfig, FetchAuthSessionOptions, ServerContext, ServerRunner, SignInInput,
    fetch_auth_session, fetch_user_attributes, get_current_user,
};
use http::{HeaderMap, HeaderValue};

const PASSWORD: &str = "Correct-Horse-9!";
const EMAIL_USER: &str = "dana+ssr@example.com";

fn runner(backend: &TestBackend) -> ServerRunner {
    let config = AmplifyConfig::from_value(backend.outputs()).expect("amplify-local outputs parse");
    ServerRunner::builder(config)
        .ignore_env()
        .build()
        .expect("runner")
}

fn context(runner: &ServerRunner, cookie_header: &str) -> ServerContext {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::COOKIE,
        HeaderValue::from_str(cookie_header).expect("cookie header"),
    );
    runner.context(&headers)
}

/// Applies a context's `Set-Cookie` headers to a browser jar (encoded pairs), as a browser would.
fn apply(jar: &mut Vec<(String, String)>, ctx: &ServerContext) {
    for header in ctx.set_cookie_headers() {
        let line = header.to_str().expect("ascii");
        let write = cookies::CookieWrite::parse(line);
        jar.retain(|(name, _)| *name != write.name);
        if !write.is_deletion() {
            jar.push((write.name, write.value));
        }
    }
}

fn value_ending_with<'a>(jar: &'a [(String, String)], suffix: &str) -> &'a str {
    jar.iter()
        .find(|(n, _)| n.ends_with(suffix))
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {suffix}"))
}

fn set_ending_with(jar: &mut [(String, String)], suffix: &str, value: &str) {
    let pair = jar
        .iter_mut()
        .find(|(n, _)| n.ends_with(suffix))
        .unwrap_or_else(|| panic!("no {suffix}"));
    pair.1 = value.to_owned();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_reads_and_refreshes_a_session_the_browser_client_signed_in() {
    let backend = TestBackend::start().await;
    let user = backend.create_user(EMAIL_USER, PASSWORD, &[("email", EMAIL_USER)]);
    let signed_in = run_node(
        "sign_in.mjs",
        backend.amplify_env_with(&[("USERNAME", EMAIL_USER), ("PASSWORD", PASSWORD)]),
    )
    .await;
    assert_no_peer_error(&signed_in);
    let mut jar = parse_header(&cookies::header_of(&signed_in));
    assert!(
        jar.iter()
            .any(|(n, _)| n.ends_with(".dana+ssr%40example.com.accessToken")),
        "js-cookie encodes '@' in the name: {jar:?}"
    );

    // The Rust server reads the browser's session as is.
    let runner = runner(&backend);
    let ctx = context(&runner, &to_header(&jar));
    let current = get_current_user(&ctx)
        .await
        .expect("the server sees the browser's session");
    assert_eq!(current.username, EMAIL_USER);
    assert_eq!(current.user_id, user.sub);
    let details = current
        .sign_in_details
        .expect("js-cookie-encoded signInDetails JSON decodes");
    assert_eq!(details.login_id.as_deref(), Some(EMAIL_USER));
    assert_eq!(details.auth_flow_type.as_deref(), Some("USER_SRP_AUTH"));
    let attributes = fetch_user_attributes(&ctx)
        .await
        .expect("GetUser with the browser's access token");
    assert_eq!(
        attributes.get("email").map(String::as_str),
        Some(EMAIL_USER)
    );
    assert!(
        ctx.set_cookie_headers().is_empty(),
        "a valid session is not rewritten"
    );

    // Make the tokens look expired; the server refreshes and writes cookies the browser reads back.
    set_ending_with(&mut jar, ".clockDrift", "7200000");
    let old_access = value_ending_with(&jar, ".accessToken").to_owned();
    let ctx = context(&runner, &to_header(&jar));
    let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
        .await
        .expect("refresh");
    assert!(session.is_signed_in());
    assert_eq!(backend.operation_count("GetTokensFromRefreshToken"), 1);
    apply(&mut jar, &ctx);
    assert_ne!(value_ending_with(&jar, ".accessToken"), old_access);

    let read_back = run_node(
        "read_session.mjs",
        backend.amplify_env_with(&[("COOKIE", &to_header(&jar))]),
    )
    .await;
    assert_no_peer_error(&read_back);
    assert_eq!(read_back["currentUser"]["username"], EMAIL_USER);
    assert_eq!(read_back["currentUser"]["userId"], user.sub.as_str());
    assert_eq!(read_back["session"]["signedIn"], true);
    assert_eq!(
        backend.operation_count("GetTokensFromRefreshToken"),
        1,
        "the browser accepts the server's refreshed tokens and clockDrift without refreshing again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_client_reads_and_refreshes_from_cookies_the_server_wrote() {
    let backend = TestBackend::start().await;
    let user = backend.create_user(EMAIL_USER, PASSWORD, &[("email", EMAIL_USER)]);
    let runner = runner(&backend);

    // Server-side SRP sign-in writes the session cookies.
    let ctx = runner.context(&HeaderMap::new());
    amplify_ssr::sign_in(&ctx, SignInInput::new(EMAIL_USER, PASSWORD))
        .await
        .expect("server sign-in");
    let mut jar = Vec::new();
    apply(&mut jar, &ctx);

    let read = run_node(
        "read_session.mjs",
        backend.amplify_env_with(&[("COOKIE", &to_header(&jar)), ("ATTRIBUTES", "1")]),
    )
    .await;
    assert_no_peer_error(&read);
    assert_eq!(read["currentUser"]["username"], EMAIL_USER);
    assert_eq!(read["currentUser"]["userId"], user.sub.as_str());
    assert_eq!(
        read["currentUser"]["signInDetails"]["authFlowType"],
        "USER_SRP_AUTH"
    );
    assert_eq!(read["currentUser"]["signInDetails"]["loginId"], EMAIL_USER);
    assert_eq!(read["attributes"]["email"], EMAIL_USER);
    assert_eq!(read["session"]["signedIn"], true);

    // The browser refreshes from the server's cookies and rewrites them; the server reads the result.
    let refreshed = run_node(
        "read_session.mjs",
        backend.amplify_env_with(&[("COOKIE", &to_header(&jar)), ("FORCE_REFRESH", "1")]),
    )
    .await;
    assert_no_peer_error(&refreshed);
    assert_eq!(refreshed["session"]["signedIn"], true);
    assert_eq!(backend.operation_count("GetTokensFromRefreshToken"), 1);
    let browser_jar = parse_header(&cookies::header_of(&refreshed));
    assert_ne!(
        value_ending_with(&browser_jar, ".accessToken"),
        value_ending_with(&jar, ".accessToken")
    );

    let ctx = context(&runner, &to_header(&browser_jar));
    let current = get_current_user(&ctx)
        .await
        .expect("the server reads the browser-refreshed session");
    assert_eq!(current.username, EMAIL_USER);
    assert!(ctx.set_cookie_headers().is_empty());
    assert_eq!(backend.operation_count("GetTokensFromRefreshToken"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_sign_out_leaves_nothing_the_browser_client_can_use() {
    let backend = TestBackend::start().await;
    backend.create_user("erin", PASSWORD, &[("email", "erin@example.com")]);
    let runner = runner(&backend);
    let ctx = runner.context(&HeaderMap::new());
    amplify_ssr::sign_in(&ctx, SignInInput::new("erin", PASSWORD))
        .await
        .expect("sign-in");
    let mut jar = Vec::new();
    apply(&mut jar, &ctx);
    let stale = jar.clone();

    let ctx = context(&runner, &to_header(&jar));
    let report = amplify_ssr::sign_out(&ctx, amplify_ssr::SignOutOptions::default())
        .await
        .expect("sign-out");
    assert!(report.revoked);
    apply(&mut jar, &ctx);
    assert!(jar.is_empty(), "every session cookie removed: {jar:?}");

    let read = run_node(
        "read_session.mjs",
        backend.amplify_env_with(&[("COOKIE", &to_header(&jar))]),
    )
    .await;
    assert_eq!(read["session"]["signedIn"], false);
    // The old cookies replayed: their refresh token is revoked, so a forced refresh fails.
    let replay = run_node(
        "read_session.mjs",
        backend.amplify_env_with(&[("COOKIE", &to_header(&stale)), ("FORCE_REFRESH", "1")]),
    )
    .await;
    assert_ne!(replay["session"]["signedIn"], true, "{replay:#}");
}
