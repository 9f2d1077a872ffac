//! Token cookies too large for one cookie: split into chunks in the HttpOnly server-auth mode (written, read,
//! refreshed, cleared), a broken access-token chunk set is signed out, a broken id-token chunk set leaves the
//! session without id claims and is cleared, and the JS-readable mode keeps one cookie.

mod common;

use amplify_ssr::axum::{AmplifyLayer, RequireAuthLayer};
use amplify_ssr::cookies::{
    CookieMode, CookieOptions, MAX_SET_COOKIE_LEN, token_cookie_attributes,
};
use amplify_ssr::{
    AmplifyConfig, AuthError, FetchAuthSessionOptions, ServerRunner, SignOutOptions,
    fetch_auth_session, get_current_user, sign_out,
};
use axum::Router;
use axum::routing::get;
use common::{Backend, Jar, PASSWORD, call, signed_in_jar};
use http::{HeaderMap, HeaderValue, StatusCode};

/// A user whose id token is over 6 KB: two large custom attributes.
fn big_user(local: &Backend, username: &str) -> String {
    let bio = "b".repeat(3200);
    let notes = "n".repeat(3200);
    local
        .backend
        .create_user(
            username,
            PASSWORD,
            &[
                ("email", "big@example.com"),
                ("custom:bio", &bio),
                ("custom:notes", &notes),
            ],
        )
        .expect("create user");
    username.to_owned()
}

fn server_auth(local: &Backend) -> ServerRunner {
    local.builder().http_only_cookies(false).build().unwrap()
}

fn names(jar: &Jar, part: &str) -> Vec<String> {
    jar.cookies
        .keys()
        .filter(|name| name.contains(part))
        .cloned()
        .collect()
}

fn lines(headers: &[HeaderValue]) -> Vec<String> {
    headers
        .iter()
        .map(|h| h.to_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_large_id_token_is_split_read_refreshed_and_cleared_in_server_auth_mode() {
    let local = Backend::start().await;
    let username = big_user(&local, "big");
    let runner = server_auth(&local);

    // Sign-in writes chunks, each line within the limit, and no unsplit id token.
    let ctx = runner.context(&HeaderMap::new());
    amplify_ssr::sign_in(&ctx, amplify_ssr::SignInInput::new(&username, PASSWORD))
        .await
        .unwrap();
    let written = ctx.set_cookie_headers();
    for line in lines(&written) {
        assert!(line.len() <= MAX_SET_COOKIE_LEN, "{}", line.len());
    }
    let mut jar = Jar::default();
    jar.apply(&written);
    let id_chunks = names(&jar, ".idToken");
    assert!(id_chunks.len() >= 2, "{id_chunks:?}");
    assert!(
        id_chunks.iter().all(|n| n.contains(".idToken.")),
        "{id_chunks:?}"
    );
    let joined: usize = id_chunks.iter().map(|n| jar.cookies[n].len()).sum();
    assert!(joined > 6 * 1024, "{joined}");

    // Reads join them: the id token's claims are the large ones.
    let session = fetch_auth_session(&jar.context(&runner), FetchAuthSessionOptions::default())
        .await
        .unwrap();
    let tokens = session.tokens.expect("signed in");
    let id = tokens
        .id_token_claims
        .expect("the joined id token verifies");
    assert_eq!(id.str("custom:bio").map(str::len), Some(3200));
    assert_eq!(
        get_current_user(&jar.context(&runner))
            .await
            .unwrap()
            .username,
        "big"
    );

    // A protected page passes, twice (the second from the caches), and writes nothing.
    let app = Router::new()
        .route("/account", get(|| async { "account" }))
        .route_layer(RequireAuthLayer::new())
        .layer(AmplifyLayer::new(runner.clone()));
    for _ in 0..2 {
        let response = call(&app, "/account", &jar).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers().get(http::header::SET_COOKIE).is_none());
    }

    // A refresh writes the new chunks over the old ones.
    let ctx = jar.context(&runner);
    fetch_auth_session(&ctx, FetchAuthSessionOptions::force_refresh())
        .await
        .unwrap();
    let before = jar.clone();
    jar.apply(&ctx.set_cookie_headers());
    assert_eq!(names(&jar, ".idToken"), id_chunks);
    assert_ne!(jar.cookies, before.cookies, "new tokens were written");
    assert!(get_current_user(&jar.context(&runner)).await.is_ok());

    // Sign-out clears every chunk.
    let ctx = jar.context(&runner);
    sign_out(&ctx, SignOutOptions::default()).await.unwrap();
    let cleared = lines(&ctx.set_cookie_headers());
    for name in &id_chunks {
        assert!(
            cleared
                .iter()
                .any(|l| l.starts_with(&format!("{name}=;")) && l.contains("Max-Age=0")),
            "{name} not cleared: {cleared:?}"
        );
    }
    jar.apply(&ctx.set_cookie_headers());
    assert!(names(&jar, "Token").is_empty(), "{:?}", jar.cookies.keys());
}

#[tokio::test]
async fn a_missing_extra_or_mismatched_chunk_is_signed_out() {
    let local = Backend::start().await;
    let username = big_user(&local, "big2");
    let other = big_user(&local, "big3");
    let runner = server_auth(&local);
    let jar = signed_in_jar(&runner, &username).await;
    let other_jar = signed_in_jar(&runner, &other).await;
    let chunks = names(&jar, ".idToken.");
    assert!(chunks.len() >= 2);
    let access = names(&jar, ".accessToken").pop().unwrap();

    let signed_out = |jar: Jar| {
        let runner = runner.clone();
        async move {
            let result = get_current_user(&jar.context(&runner)).await;
            matches!(result, Err(AuthError::UserUnAuthenticated))
        }
    };
    assert!(!signed_out(jar.clone()).await);

    // The access token's cookie split by hand, then broken in each way.
    let token = jar.cookies[&access].clone();
    let mut split = jar.clone();
    split.cookies.remove(&access);
    let (a, b) = token.split_at(token.len() / 2);
    split.cookies.insert(format!("{access}.0"), a.to_owned());
    split.cookies.insert(format!("{access}.1"), b.to_owned());
    assert!(!signed_out(split.clone()).await, "hand-split chunks join");

    let mut missing = split.clone();
    missing.cookies.remove(&format!("{access}.0"));
    assert!(signed_out(missing).await);

    let mut gap = split.clone();
    let second = gap.cookies.remove(&format!("{access}.1")).unwrap();
    gap.cookies.insert(format!("{access}.2"), second);
    assert!(signed_out(gap).await);

    let mut extra = split.clone();
    extra.cookies.insert(format!("{access}.2"), "x".to_owned());
    assert!(signed_out(extra).await);

    let mut garbage = split.clone();
    garbage
        .cookies
        .insert(format!("{access}.1"), "garbage".to_owned());
    assert!(signed_out(garbage).await);

    // Another user's chunk of the id token does not join: the id token is not part of the session.
    let mut mixed = jar.clone();
    // The last chunk: the middle ones of two such users can be byte for byte the same.
    let last = chunks.last().unwrap();
    let other_chunk = names(&other_jar, &last[last.len() - 10..]).pop().unwrap();
    assert_ne!(other_jar.cookies[&other_chunk], jar.cookies[last]);
    mixed
        .cookies
        .insert(last.clone(), other_jar.cookies[&other_chunk].clone());
    let ctx = mixed.context(&runner);
    let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
        .await
        .unwrap();
    assert!(session.tokens.unwrap().id_token_claims.is_none());
    // The unusable chunks are cleared, and nothing else is written.
    let written = lines(&ctx.set_cookie_headers());
    assert_eq!(written.len(), chunks.len(), "{written:#?}");
    for name in &chunks {
        assert!(
            written
                .iter()
                .any(|l| l.starts_with(&format!("{name}=;")) && l.contains("Max-Age=0")),
            "{name} not cleared: {written:#?}"
        );
    }
    // Without them the session is the access token's, and nothing more is written.
    mixed.apply(&ctx.set_cookie_headers());
    assert!(names(&mixed, ".idToken").is_empty(), "{:?}", mixed.cookies);
    let ctx = mixed.context(&runner);
    let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
        .await
        .unwrap();
    assert!(session.tokens.unwrap().id_token_claims.is_none());
    assert!(ctx.set_cookie_headers().is_empty());

    // Chunks that do not join (the first one missing) are cleared in the same way.
    let mut gap = jar.clone();
    gap.cookies.remove(&chunks[0]);
    let ctx = gap.context(&runner);
    let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
        .await
        .unwrap();
    assert!(session.tokens.unwrap().id_token_claims.is_none());
    let written = lines(&ctx.set_cookie_headers());
    assert_eq!(written.len(), chunks.len() - 1, "{written:#?}");
    assert!(
        chunks[1..].iter().all(|name| written
            .iter()
            .any(|l| l.starts_with(&format!("{name}=;")) && l.contains("Max-Age=0"))),
        "{written:#?}"
    );

    // A session whose chunks join and verify writes nothing.
    let ctx = jar.context(&runner);
    let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
        .await
        .unwrap();
    assert!(session.tokens.unwrap().id_token_claims.is_some());
    assert!(ctx.set_cookie_headers().is_empty());
}

#[tokio::test]
async fn the_js_readable_mode_keeps_one_cookie_and_knows_the_user_by_the_access_token() {
    let local = Backend::start().await;
    let username = big_user(&local, "big4");
    let runner = local.runner();
    let jar = signed_in_jar(&runner, &username).await;
    assert!(
        names(&jar, ".idToken").is_empty(),
        "{:?}",
        jar.cookies.keys()
    );
    assert!(
        names(&jar, "Token.").is_empty(),
        "no chunks: {:?}",
        jar.cookies.keys()
    );
    let user = get_current_user(&jar.context(&runner)).await.unwrap();
    assert_eq!(user.username, "big4");
    assert!(!user.user_id.is_empty());
}

#[tokio::test]
async fn a_refused_refresh_and_a_sign_in_as_someone_else_clear_every_chunk() {
    let local = Backend::start().await;
    let username = big_user(&local, "big5");
    let jar = signed_in_jar(&server_auth(&local), &username).await;
    let chunks = names(&jar, "Token.");
    assert!(chunks.len() >= 2, "{chunks:?}");
    let cleared = |lines: &[String]| {
        chunks.iter().all(|name| {
            lines
                .iter()
                .any(|l| l.starts_with(&format!("{name}=;")) && l.contains("Max-Age=0"))
        })
    };

    // Cognito refuses the refresh token: the session ends and every chunk goes.
    let (endpoint, _) = common::failing_endpoint(
        StatusCode::BAD_REQUEST,
        r#"{"__type":"NotAuthorizedException","message":"Refresh Token has been revoked"}"#,
    )
    .await;
    let refusing = local
        .builder()
        .http_only_cookies(false)
        .user_pool_endpoint(&endpoint)
        .build()
        .unwrap();
    let ctx = jar.context(&refusing);
    let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::force_refresh())
        .await
        .unwrap();
    assert!(!session.is_signed_in());
    let written = lines(&ctx.set_cookie_headers());
    assert!(cleared(&written), "{written:#?}");

    // Another user signs in in the same browser: the previous user's chunks go.
    let other = local.user("small");
    let ctx = jar.context(&server_auth(&local));
    amplify_ssr::sign_in(&ctx, amplify_ssr::SignInInput::new(&other, PASSWORD))
        .await
        .unwrap();
    let written = lines(&ctx.set_cookie_headers());
    assert!(cleared(&written), "{written:#?}");
}

/// The exact lines of a token write just under and just over the limit, pinned: a multi-byte username (its
/// name is percent-encoded) and a value the codec escapes (`,` to `%2C`, `é` to `%C3%AB`), replacing what the
/// request carried.
#[test]
fn token_write_lines_are_exact_just_under_and_just_over_the_limit() {
    let config = AmplifyConfig::from_value(&serde_json::json!({
        "version": "1.3",
        "auth": {
            "aws_region": "us-east-1",
            "user_pool_id": "us-east-1_Pinned",
            "user_pool_client_id": "pinclient"
        }
    }))
    .unwrap();
    let options = CookieOptions::default().with_domain("example.com");
    let runner = ServerRunner::builder(config)
        .ignore_env()
        .http_only_cookies(true)
        .cookie_options(options.clone())
        .build()
        .unwrap();
    let attributes = token_cookie_attributes(CookieMode::ServerAuth { secure: true }, &options);
    let name = "CognitoIdentityServiceProvider.pinclient.zo\u{eb}.idToken";
    let sent = "CognitoIdentityServiceProvider.pinclient.zo%C3%AB.idToken";
    let kept = "; HttpOnly; SameSite=Strict; Secure; Path=/; Domain=example.com; Max-Age=31536000";
    let cleared = "; HttpOnly; SameSite=Strict; Secure; Path=/; Domain=example.com; Max-Age=0; \
                   Expires=Thu, 01 Jan 1970 00:00:00 GMT";
    let write = |cookie: &str, value: &str| {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::COOKIE, HeaderValue::from_str(cookie).unwrap());
        let ctx = runner.context(&headers);
        ctx.set_cookie(name, value, attributes.clone());
        lines(&ctx.set_cookie_headers())
    };
    let (commas, accents) = (",".repeat(186), "\u{e9}".repeat(400));
    let encoded_commas = "%2C".repeat(186);
    let encoded_accents = |n: usize| "%C3%A9".repeat(n);

    // Just under: exactly 4,096 bytes, one line; the chunks the request carried are cleared.
    let under = format!("{}{commas}{accents}", "x".repeat(999));
    let whole = format!(
        "{sent}={}{encoded_commas}{}{kept}",
        "x".repeat(999),
        encoded_accents(400)
    );
    assert_eq!(whole.len(), MAX_SET_COOKIE_LEN);
    assert_eq!(
        write(&format!("{sent}.0=a; {sent}.1=b"), &under),
        [
            whole,
            format!("{sent}.0={cleared}"),
            format!("{sent}.1={cleared}")
        ]
    );

    // One byte over: two chunks, the first cut before the accent whose escapes no longer all fit; the unsplit
    // cookie the request carried is cleared.
    let over = format!("{}{commas}{accents}", "x".repeat(1000));
    let first = format!(
        "{sent}.0={}{encoded_commas}{}{kept}",
        "x".repeat(1000),
        encoded_accents(399)
    );
    assert_eq!(first.len(), MAX_SET_COOKIE_LEN - 3);
    assert_eq!(
        write(&format!("{sent}=a"), &over),
        [
            first,
            format!("{sent}.1={}{kept}", encoded_accents(1)),
            format!("{sent}={cleared}")
        ]
    );

    // One byte over with literal characters only: the first chunk fills the limit exactly.
    let first = format!("{sent}.0={}{kept}", "x".repeat(3955));
    assert_eq!(first.len(), MAX_SET_COOKIE_LEN);
    assert_eq!(
        write("other=1", &"x".repeat(3958)),
        [first, format!("{sent}.1=xxx{kept}")]
    );
}
