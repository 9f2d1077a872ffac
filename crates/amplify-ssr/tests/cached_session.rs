//! The cached session check ([`guard::check_access_cached`]) against the full one ([`guard::check_access`]),
//! end to end with an in-process amplify-local: it answers only where the caches can tell, and then exactly as
//! the full check does; every other request is left to the full check.

mod common;

use amplify_ssr::guard::{Access, check_access, check_access_cached};
use amplify_ssr::{ServerContext, SignOutOptions, get_current_user, sign_out};
use common::{Backend, Jar, signed_in_jar};

fn cached(ctx: &ServerContext) -> &'static str {
    match check_access_cached(ctx) {
        None => "undecided",
        Some(Access::Allowed) => "allowed",
        Some(Access::SignedOut(None)) => "no session",
        Some(other) => panic!("the cached check answered {other:?}"),
    }
}

async fn full(ctx: &ServerContext) -> &'static str {
    match check_access(ctx).await {
        Access::Allowed => "allowed",
        Access::SignedOut(_) => "signed out",
        Access::Unavailable(e) => panic!("unavailable: {e}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn new_tokens_are_verified_in_full_once_then_answered_from_the_cache() {
    let local = Backend::start().await;
    let runner = local.runner();
    let username = local.user("cached");
    let jar = signed_in_jar(&runner, &username).await;

    // Tokens fresh from Cognito have not been verified by this runner yet.
    assert_eq!(cached(&jar.context(&runner)), "undecided");
    assert_eq!(full(&jar.context(&runner)).await, "allowed");
    // Now they are: the next request is decided at once, and records the session read (no-store).
    let ctx = jar.context(&runner);
    assert_eq!(cached(&ctx), "allowed");
    assert!(ctx.session_was_read());
    assert!(ctx.set_cookie_headers().is_empty(), "nothing written");
    let user = get_current_user(&jar.context(&runner)).await.unwrap();
    assert_eq!(user.username, username);
    assert!(!user.user_id.is_empty());

    // Another runner (another process) has its own cache and verifies again.
    assert_eq!(cached(&jar.context(&local.runner())), "undecided");
}

#[tokio::test]
async fn requests_without_an_access_token_are_signed_out_at_once() {
    let local = Backend::start().await;
    let runner = local.runner();
    let username = local.user("nobody");
    let jar = signed_in_jar(&runner, &username).await;

    assert_eq!(cached(&Jar::default().context(&runner)), "no session");
    let mut without_access = jar.clone();
    without_access
        .cookies
        .retain(|name, _| !name.ends_with(".accessToken"));
    let ctx = without_access.context(&runner);
    assert_eq!(cached(&ctx), "no session");
    assert_eq!(full(&without_access.context(&runner)).await, "signed out");
}

#[tokio::test]
async fn anything_unusual_is_left_to_the_full_check() {
    let local = Backend::start().await;
    let runner = local.runner();
    let username = local.user("unusual");
    let jar = signed_in_jar(&runner, &username).await;
    assert_eq!(full(&jar.context(&runner)).await, "allowed");
    let access = jar.ending_with(".accessToken").unwrap().to_owned();
    let access_name = jar
        .cookies
        .keys()
        .find(|name| name.ends_with(".accessToken"))
        .unwrap()
        .clone();

    // Expired by aws-amplify's clock rule: the full check refreshes.
    let mut expired = jar.clone();
    expired.set_ending_with(".clockDrift", "7200000");
    assert_eq!(cached(&expired.context(&runner)), "undecided");

    // A second, different copy of the access-token cookie (cookie tossing): the full check picks.
    let header = format!("{}; {access_name}=x{access}", jar.header());
    let mut headers = http::HeaderMap::new();
    headers.insert(http::header::COOKIE, header.parse().unwrap());
    assert_eq!(cached(&runner.context(&headers)), "undecided");

    // A tampered token is not in the cache; the full check refuses it.
    let mut tampered = jar.clone();
    tampered.set_ending_with(".accessToken", &format!("{access}x"));
    assert_eq!(cached(&tampered.context(&runner)), "undecided");
    assert_eq!(full(&tampered.context(&runner)).await, "signed out");

    // A session signed out here: refused by the full check, never allowed from the cache.
    let out = jar.context(&runner);
    sign_out(&out, SignOutOptions::default()).await.unwrap();
    assert_eq!(cached(&jar.context(&runner)), "undecided");
    assert_eq!(full(&jar.context(&runner)).await, "signed out");
}

#[tokio::test]
async fn a_context_that_wrote_cookies_reads_its_writes_through_the_full_check() {
    let local = Backend::start().await;
    let runner = local.runner();
    let username = local.user("writer");
    let jar = signed_in_jar(&runner, &username).await;
    assert_eq!(full(&jar.context(&runner)).await, "allowed");

    let ctx = jar.context(&runner);
    assert_eq!(cached(&ctx), "allowed");
    sign_out(&ctx, SignOutOptions::default()).await.unwrap();
    // The same request, after its own sign-out: the cache no longer speaks for it.
    assert_eq!(cached(&ctx), "undecided");
    assert_eq!(full(&ctx).await, "signed out");
}
