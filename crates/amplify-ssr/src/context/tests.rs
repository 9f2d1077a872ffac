//! Unit tests of the per-request cookie jar, session-read tracking and the runner's cookie settings.

use super::*;
use crate::config::AmplifyConfig;
use crate::cookies::{CookieOptions, identity_id_key, token_cookie_attributes};

const OUTPUTS: &str = r#"{"version":"1.4","auth":{"aws_region":"us-east-1",
    "user_pool_id":"us-east-1_Pool","user_pool_client_id":"client1"}}"#;

fn runner(configure: impl FnOnce(ServerRunnerBuilder) -> ServerRunnerBuilder) -> ServerRunner {
    let config = AmplifyConfig::from_json(OUTPUTS).expect("config");
    configure(ServerRunner::builder(config).ignore_env())
        .build()
        .expect("runner")
}

fn headers(cookie: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::COOKIE,
        HeaderValue::from_str(cookie).expect("header"),
    );
    headers
}

const LAST: &str = "CognitoIdentityServiceProvider.client1.LastAuthUser";
const DRIFT: &str = "CognitoIdentityServiceProvider.client1.alice.clockDrift";

#[test]
fn reads_see_earlier_writes_and_removals() {
    let ctx = runner(|b| b).context(&headers(&format!("{LAST}=alice; other=1")));
    assert_eq!(ctx.cookie(LAST).as_deref(), Some("alice"));
    ctx.set_auth_cookie(LAST, "bob");
    assert_eq!(ctx.cookie(LAST).as_deref(), Some("bob"));
    ctx.remove_auth_cookie(LAST);
    assert_eq!(ctx.cookie(LAST), None);
    assert_eq!(ctx.cookie("other").as_deref(), Some("1"));
    // One header per name: the last write wins, in first-write order.
    let lines = ctx.set_cookie_headers();
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0].to_str().unwrap().starts_with(&format!("{LAST}=;")),
        "{lines:?}"
    );
    assert!(ctx.auth_cookies_changed());
}

#[test]
fn removing_an_absent_cookie_writes_nothing() {
    let ctx = runner(|b| b).context(&HeaderMap::new());
    ctx.remove_auth_cookie(LAST);
    assert!(ctx.set_cookie_headers().is_empty());
    assert!(!ctx.auth_cookies_changed());
}

#[test]
fn read_only_and_static_contexts_emit_no_headers_but_remember_writes() {
    let runner = runner(|b| b);
    for ctx in [
        runner.read_only_context(&HeaderMap::new()),
        runner.static_context(),
    ] {
        ctx.set_auth_cookie(LAST, "alice");
        assert_eq!(ctx.cookie(LAST).as_deref(), Some("alice"));
        assert!(ctx.set_cookie_headers().is_empty(), "{:?}", ctx.kind());
        assert!(!ctx.auth_cookies_changed());
        let mut response = HeaderMap::new();
        ctx.apply_to_response_headers(&mut response);
        assert!(response.is_empty());
    }
}

#[test]
fn server_auth_mode_writes_only_whitelisted_keys_as_http_only() {
    let ctx = runner(|b| b.http_only_cookies(true)).context(&HeaderMap::new());
    ctx.set_auth_cookie(DRIFT, "0");
    ctx.set_auth_cookie(LAST, "alice");
    let lines: Vec<_> = ctx
        .set_cookie_headers()
        .iter()
        .map(|h| h.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("HttpOnly") && lines[0].contains("SameSite=Strict"),
        "{lines:?}"
    );
}

#[test]
fn response_headers_get_no_store_when_a_session_cookie_changes() {
    let ctx = runner(|b| b).context(&HeaderMap::new());
    ctx.set_cookie(
        "unrelated",
        "1",
        token_cookie_attributes(CookieMode::JsReadable, &CookieOptions::default()),
    );
    let mut response = HeaderMap::new();
    ctx.apply_to_response_headers(&mut response);
    assert_eq!(response.get_all(http::header::SET_COOKIE).iter().count(), 1);
    assert!(response.get(http::header::CACHE_CONTROL).is_none());

    ctx.set_auth_cookie(LAST, "alice");
    let mut response = HeaderMap::new();
    ctx.apply_to_response_headers(&mut response);
    assert_eq!(response[http::header::CACHE_CONTROL], "private, no-store");
}

#[test]
fn a_cookie_the_response_sets_itself_is_not_overwritten() {
    let ctx = runner(|b| b).context(&HeaderMap::new());
    // Written before the handler ran (an eager refresh), then cleared by the handler itself (a sign-out).
    ctx.set_auth_cookie(LAST, "alice");
    ctx.set_auth_cookie(DRIFT, "0");
    let mut response = HeaderMap::new();
    response.append(
        http::header::SET_COOKIE,
        HeaderValue::from_str(&format!("{LAST}=; Path=/; Max-Age=0")).unwrap(),
    );
    ctx.apply_to_response_headers(&mut response);
    let lines: Vec<&str> = response
        .get_all(http::header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0], format!("{LAST}=; Path=/; Max-Age=0"));
    assert!(lines[1].starts_with(&format!("{DRIFT}=0;")), "{lines:?}");
    assert_eq!(response[http::header::CACHE_CONTROL], "private, no-store");
}

const IDENTITY_OUTPUTS: &str = r#"{"version":"1.4","auth":{"aws_region":"us-east-1",
    "user_pool_id":"us-east-1_Pool","user_pool_client_id":"client1",
    "identity_pool_id":"us-east-1:pool"}}"#;

fn cache_control(ctx: &ServerContext, response: http::Response<()>) -> Option<String> {
    let mut response = response;
    ctx.apply_to_response(&mut response);
    response
        .headers()
        .get(http::header::CACHE_CONTROL)
        .map(|v| v.to_str().unwrap().to_owned())
}

#[test]
fn reading_a_session_cookie_makes_the_response_private_even_when_absent() {
    let runner = runner(|b| b);
    // Other cookies, and another app client's keys, are not the session.
    let ctx = runner.context(&headers("other=1"));
    assert_eq!(ctx.cookie("other").as_deref(), Some("1"));
    let _ = ctx.cookie("CognitoIdentityServiceProvider.client2.LastAuthUser");
    assert!(!ctx.session_was_read());
    assert_eq!(cache_control(&ctx, http::Response::new(())), None);

    // A read of a missing LastAuthUser still decides what the page shows (signed out).
    assert_eq!(ctx.cookie(LAST), None);
    assert!(ctx.session_was_read());
    assert_eq!(
        cache_control(&ctx, http::Response::new(())).as_deref(),
        Some("private, no-store")
    );
    let mut headers_only = HeaderMap::new();
    ctx.apply_to_response_headers(&mut headers_only);
    assert_eq!(
        headers_only[http::header::CACHE_CONTROL],
        "private, no-store"
    );
}

#[test]
fn the_guest_identity_id_is_a_session_cookie() {
    let config = AmplifyConfig::from_json(IDENTITY_OUTPUTS).expect("config");
    let runner = ServerRunner::builder(config)
        .ignore_env()
        .build()
        .expect("runner");
    let ctx = runner.context(&HeaderMap::new());
    let _ = ctx.cookie(&identity_id_key("us-east-1:other"));
    assert!(!ctx.session_was_read());
    let _ = ctx.cookie(&identity_id_key("us-east-1:pool"));
    assert!(ctx.session_was_read());
}

#[test]
fn no_store_wins_over_the_handlers_cache_control_unless_it_opted_out() {
    let ctx = runner(|b| b).context(&headers(&format!("{LAST}=alice")));
    let _ = ctx.cookie(LAST);
    let public = || {
        http::Response::builder()
            .header(http::header::CACHE_CONTROL, "public, max-age=600")
            .body(())
            .unwrap()
    };
    assert_eq!(
        cache_control(&ctx, public()).as_deref(),
        Some("private, no-store")
    );

    // Opted out: the handler's value, or none, stands.
    let mut opted_out = public();
    opted_out.extensions_mut().insert(SessionIndependent);
    assert_eq!(
        cache_control(&ctx, opted_out).as_deref(),
        Some("public, max-age=600")
    );
    let mut bare = http::Response::new(());
    bare.extensions_mut().insert(SessionIndependent);
    assert_eq!(cache_control(&ctx, bare), None);

    // But never over a session cookie change.
    ctx.set_auth_cookie(LAST, "bob");
    let mut changed = public();
    changed.extensions_mut().insert(SessionIndependent);
    assert_eq!(
        cache_control(&ctx, changed).as_deref(),
        Some("private, no-store")
    );
}

#[test]
fn session_reads_in_read_only_and_static_contexts_set_no_header() {
    let runner = runner(|b| b);
    for ctx in [
        runner.read_only_context(&headers(&format!("{LAST}=alice"))),
        runner.static_context(),
    ] {
        let _ = ctx.cookie(LAST);
        assert!(ctx.session_was_read(), "{:?}", ctx.kind());
        assert_eq!(cache_control(&ctx, http::Response::new(())), None);
    }
}
