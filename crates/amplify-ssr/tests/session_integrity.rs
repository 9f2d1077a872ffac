//! Whose session a request carries, end to end against an in-process amplify-local: one session is one user
//! (mixed tokens), planted copies of session cookies never win (cookie tossing), and a sign-out here is final
//! here (replayed cookies are refused without a call to Cognito).

mod common;

use amplify_ssr::{
    AuthError, FetchAuthSessionOptions, ServerContext, ServerRunner, SignOutOptions,
    fetch_auth_session, fetch_user_attributes, get_current_user, sign_out,
};
use common::{Backend, Jar, signed_in_jar};
use http::{HeaderMap, HeaderValue};

/// Makes the stored access token look expired to the library's clock rule without touching its signature.
const TWO_HOURS_MS: &str = "7200000";

/// A request carrying exactly these cookies, duplicates and order included.
fn request(runner: &ServerRunner, pairs: &[(String, String)]) -> ServerContext {
    let header = pairs
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("; ");
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::COOKIE,
        HeaderValue::from_str(&header).expect("cookie header"),
    );
    runner.context(&headers)
}

fn pairs(jar: &Jar) -> Vec<(String, String)> {
    jar.cookies
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The (encoded) cookie name of `slot` in `jar`.
fn name_of(jar: &Jar, slot: &str) -> String {
    jar.cookies
        .keys()
        .find(|k| k.ends_with(slot))
        .cloned()
        .unwrap_or_else(|| panic!("no {slot} in {jar:?}"))
}

fn value_of(jar: &Jar, slot: &str) -> String {
    jar.ending_with(slot)
        .unwrap_or_else(|| panic!("no {slot} in {jar:?}"))
        .to_owned()
}

/// `genuine` with `planted` copies inserted before (`first`) or after its own cookies.
fn tossed(genuine: &Jar, planted: &[(String, String)], first: bool) -> Vec<(String, String)> {
    let mut all = pairs(genuine);
    if first {
        let mut front = planted.to_vec();
        front.append(&mut all);
        front
    } else {
        all.extend_from_slice(planted);
        all
    }
}

/// What every session API says about a request: the user name of each, `None` for signed out.
#[derive(Debug, PartialEq, Eq)]
struct Verdict {
    current_user: Option<String>,
    attributes_sub: Option<String>,
    session_sub: Option<String>,
}

impl Verdict {
    fn signed_out() -> Self {
        Self {
            current_user: None,
            attributes_sub: None,
            session_sub: None,
        }
    }

    fn user(username: &str, sub: &str) -> Self {
        Self {
            current_user: Some(username.to_owned()),
            attributes_sub: Some(sub.to_owned()),
            session_sub: Some(sub.to_owned()),
        }
    }
}

async fn verdict(ctx: &ServerContext) -> Verdict {
    let current_user = match get_current_user(ctx).await {
        Ok(user) => Some(user.username),
        Err(AuthError::UserUnAuthenticated) => None,
        Err(other) => panic!("get_current_user: {other}"),
    };
    let attributes_sub = match fetch_user_attributes(ctx).await {
        Ok(attributes) => attributes.get("sub").cloned(),
        Err(AuthError::UserUnAuthenticated) => None,
        Err(other) => panic!("fetch_user_attributes: {other}"),
    };
    let session = fetch_auth_session(ctx, FetchAuthSessionOptions::default())
        .await
        .expect("fetch_auth_session");
    Verdict {
        current_user,
        attributes_sub,
        session_sub: session.user_sub,
    }
}

fn names_of(ctx: &ServerContext) -> Vec<String> {
    ctx.set_cookie_headers()
        .iter()
        .map(|h| h.to_str().unwrap().to_owned())
        .collect()
}

/// Two signed-in users of one backend: alice (the victim, whose browser is under test) and mallory.
struct Two {
    local: Backend,
    runner: ServerRunner,
    alice: Jar,
    mallory: Jar,
    alice_sub: String,
    mallory_sub: String,
}

async fn two_users(customise: impl FnOnce(&mut amplify_local::LocalOptions)) -> Two {
    let local = Backend::start_with(customise).await;
    let runner = local.runner();
    let alice = signed_in_jar(&runner, &local.user("alice")).await;
    let mallory = signed_in_jar(&runner, &local.user("mallory")).await;
    let sub = |jar: &Jar| {
        let runner = runner.clone();
        let ctx = jar.context(&runner);
        async move { get_current_user(&ctx).await.expect("signed in").user_id }
    };
    let (alice_sub, mallory_sub) = (sub(&alice).await, sub(&mallory).await);
    Two {
        local,
        runner,
        alice,
        mallory,
        alice_sub,
        mallory_sub,
    }
}

fn no_guests(options: &mut amplify_local::LocalOptions) {
    options.allow_guest_access = false;
}

// -----------------------------------------------------------------------------------------------------------
// One session is one user
// -----------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_id_token_of_another_user_is_not_part_of_the_session() {
    let t = two_users(|_| {}).await;
    let mallory_identity = fetch_auth_session(
        &t.mallory.context(&t.runner),
        FetchAuthSessionOptions::default(),
    )
    .await
    .unwrap()
    .identity_id
    .expect("mallory has an identity");

    // Alice's access token with mallory's (valid) id token, under alice's keys.
    let mut mixed = t.alice.clone();
    mixed.set_ending_with(".idToken", &value_of(&t.mallory, ".idToken"));
    let ctx = mixed.context(&t.runner);
    assert_eq!(verdict(&ctx).await, Verdict::user("alice", &t.alice_sub));
    let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
        .await
        .unwrap();
    let tokens = session.tokens.expect("alice is signed in");
    assert_eq!(
        tokens.access_token_claims.username(),
        Some("alice"),
        "the access token decides"
    );
    assert!(
        tokens.id_token.is_none() && tokens.id_token_claims.is_none(),
        "mallory's id token is not part of alice's session"
    );
    assert_ne!(
        session.identity_id.as_deref(),
        Some(mallory_identity.as_str()),
        "identity-pool credentials are never mallory's"
    );
    assert!(
        session.identity_id.is_none(),
        "without her own id token, alice gets no identity"
    );
    assert!(ctx.set_cookie_headers().is_empty(), "nothing is rewritten");

    // The other way round: mallory's access token with alice's id token, under alice's keys, is mallory's session.
    let mut mixed = t.alice.clone();
    mixed.set_ending_with(".accessToken", &value_of(&t.mallory, ".accessToken"));
    assert_eq!(
        verdict(&mixed.context(&t.runner)).await,
        Verdict::user("mallory", &t.mallory_sub)
    );
}

#[tokio::test]
async fn a_refresh_that_returns_another_users_tokens_is_refused_and_keeps_the_cookies() {
    let t = two_users(no_guests).await;
    // Alice's expired session holding mallory's refresh token.
    let mut jar = t.alice.clone();
    jar.set_ending_with(".refreshToken", &value_of(&t.mallory, ".refreshToken"));
    jar.set_ending_with(".clockDrift", TWO_HOURS_MS);
    let ctx = jar.context(&t.runner);
    let error = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(error, AuthError::TokenUserMismatch(_)),
        "{error:?}"
    );
    assert!(
        error.is_transient(),
        "a backend fault (503), not a sign-out"
    );
    assert!(
        ctx.set_cookie_headers().is_empty(),
        "mallory's tokens are not stored, alice's cookies are kept: {:?}",
        names_of(&ctx)
    );
    assert_eq!(
        t.local.backend.operation_count("GetTokensFromRefreshToken"),
        1
    );
}

// -----------------------------------------------------------------------------------------------------------
// Cookie tossing
// -----------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn planted_copies_that_do_not_verify_never_win() {
    let t = two_users(no_guests).await;
    let access = name_of(&t.alice, ".accessToken");
    let id = name_of(&t.alice, ".idToken");
    let last = name_of(&t.alice, ".LastAuthUser");
    let forged = value_of(&t.mallory, ".accessToken").replace('.', ".x");
    let planted = [
        vec![(access.clone(), "garbage".to_owned())],
        vec![(access.clone(), forged)],
        // An id token that is not one: an access token in the id slot.
        vec![(id.clone(), value_of(&t.alice, ".accessToken"))],
        // A LastAuthUser naming keys that hold nothing.
        vec![(last.clone(), "nobody".to_owned())],
        // A LastAuthUser naming keys that hold garbage.
        vec![
            (last, "mallory".to_owned()),
            (name_of(&t.mallory, ".accessToken"), "garbage".to_owned()),
        ],
    ];
    for planted in planted {
        for first in [true, false] {
            let ctx = request(&t.runner, &tossed(&t.alice, &planted, first));
            let label = format!("{planted:?} first={first}");
            assert_eq!(
                verdict(&ctx).await,
                Verdict::user("alice", &t.alice_sub),
                "{label}"
            );
            let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
                .await
                .unwrap();
            assert_eq!(
                session.tokens.unwrap().id_token_claims.unwrap().sub(),
                Some(t.alice_sub.as_str()),
                "{label}: alice's own id token is used"
            );
            assert!(ctx.set_cookie_headers().is_empty(), "{label}");
        }
    }
}

#[tokio::test]
async fn another_users_valid_id_token_copy_is_passed_over_for_the_users_own() {
    let t = two_users(no_guests).await;
    let planted = [(
        name_of(&t.alice, ".idToken"),
        value_of(&t.mallory, ".idToken"),
    )];
    for first in [true, false] {
        let ctx = request(&t.runner, &tossed(&t.alice, &planted, first));
        let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
            .await
            .unwrap();
        let tokens = session.tokens.expect("alice is signed in");
        assert_eq!(
            tokens.id_token_claims.unwrap().sub(),
            Some(t.alice_sub.as_str())
        );
        assert_eq!(get_current_user(&ctx).await.unwrap().username, "alice");
    }
}

#[tokio::test]
async fn valid_copies_of_two_users_make_the_request_signed_out_and_clear_nothing() {
    let t = two_users(no_guests).await;
    let access = name_of(&t.alice, ".accessToken");
    let scenarios = [
        // Mallory's valid access token planted under alice's own key.
        vec![(access, value_of(&t.mallory, ".accessToken"))],
        // Mallory's whole session: a LastAuthUser copy naming mallory, and her complete, valid key set.
        pairs(&t.mallory),
    ];
    for planted in scenarios {
        for first in [true, false] {
            let label = format!("first={first} {:?}", planted.first());
            let ctx = request(&t.runner, &tossed(&t.alice, &planted, first));
            assert_eq!(verdict(&ctx).await, Verdict::signed_out(), "{label}");
            let forced = fetch_auth_session(&ctx, FetchAuthSessionOptions::force_refresh())
                .await
                .unwrap();
            assert!(!forced.is_signed_in(), "{label}");
            assert!(
                ctx.set_cookie_headers().is_empty(),
                "{label}: a removal would hit alice's genuine cookies: {:?}",
                names_of(&ctx)
            );
        }
    }
    assert_eq!(t.local.backend.operation_count("GetUser"), 0);
    assert_eq!(
        t.local.backend.operation_count("GetTokensFromRefreshToken"),
        0
    );
}

#[tokio::test]
async fn a_planted_refresh_token_copy_never_takes_over_or_clears_the_session() {
    let t = two_users(no_guests).await;
    let refresh = name_of(&t.alice, ".refreshToken");
    let alice_refresh = value_of(&t.alice, ".refreshToken");
    let mut expired = t.alice.clone();
    expired.set_ending_with(".clockDrift", TWO_HOURS_MS);

    // Mallory's valid refresh token (its refresh yields mallory's tokens, which are refused) or a made-up one,
    // sent first or after the genuine copy: the next copy is tried, and alice's own refresh keeps her session.
    for planted in [value_of(&t.mallory, ".refreshToken"), "made-up".to_owned()] {
        for first in [true, false] {
            let label = format!("{planted:.12} first={first}");
            let ctx = request(
                &t.runner,
                &tossed(&expired, &[(refresh.clone(), planted.clone())], first),
            );
            assert_eq!(
                get_current_user(&ctx).await.unwrap().username,
                "alice",
                "{label}"
            );
            let written = names_of(&ctx);
            assert!(
                written
                    .iter()
                    .any(|line| line.starts_with(&format!("{refresh}={alice_refresh};"))),
                "{label}: alice's refreshed session keeps her own refresh token: {written:?}"
            );
        }
    }

    // No copy works: signed out (not a 503), and nothing is cleared, since a removal would hit the genuine cookie.
    // Four planted copies ahead of alice's fill the copies looked at, so hers is never tried.
    let crowd: Vec<_> = (0..4)
        .map(|n| (refresh.clone(), format!("made-up-{n}")))
        .collect();
    let ctx = request(&t.runner, &tossed(&expired, &crowd, true));
    assert!(matches!(
        get_current_user(&ctx).await,
        Err(AuthError::UserUnAuthenticated)
    ));
    assert!(ctx.set_cookie_headers().is_empty(), "{:?}", names_of(&ctx));
    // Mallory's valid token ahead of alice's own, revoked one: another user's tokens, then a refusal.
    let fresh = t.local.runner();
    sign_out(&t.alice.context(&fresh), SignOutOptions::default())
        .await
        .unwrap();
    let elsewhere = t.local.runner();
    let planted = [(refresh.clone(), value_of(&t.mallory, ".refreshToken"))];
    let ctx = request(&elsewhere, &tossed(&expired, &planted, true));
    assert!(matches!(
        get_current_user(&ctx).await,
        Err(AuthError::UserUnAuthenticated)
    ));
    assert!(ctx.set_cookie_headers().is_empty(), "{:?}", names_of(&ctx));
}

#[tokio::test]
async fn too_many_copies_of_a_session_cookie_make_the_request_signed_out() {
    let t = two_users(no_guests).await;
    let access = name_of(&t.alice, ".accessToken");
    let planted: Vec<_> = (0..4)
        .map(|n| (access.clone(), format!("garbage{n}")))
        .collect();
    let ctx = request(&t.runner, &tossed(&t.alice, &planted, false));
    assert!(matches!(
        get_current_user(&ctx).await,
        Err(AuthError::UserUnAuthenticated)
    ));
    assert!(ctx.set_cookie_headers().is_empty());
    // Three planted copies (four in all) are still read.
    let ctx = request(&t.runner, &tossed(&t.alice, &planted[..3], false));
    assert_eq!(get_current_user(&ctx).await.unwrap().username, "alice");
}

// -----------------------------------------------------------------------------------------------------------
// A sign-out here is final here
// -----------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn replayed_cookies_of_a_session_signed_out_here_are_refused_without_calling_cognito() {
    let local = Backend::start_with(no_guests).await;
    let runner = local.runner();
    let username = local.user("rita");
    let laptop = signed_in_jar(&runner, &username).await;
    let phone = signed_in_jar(&runner, &username).await;

    let ctx = laptop.context(&runner);
    assert!(
        sign_out(&ctx, SignOutOptions::default())
            .await
            .unwrap()
            .revoked
    );
    let (get_user, refreshes) = (
        local.backend.operation_count("GetUser"),
        local.backend.operation_count("GetTokensFromRefreshToken"),
    );

    // The old cookies, replayed while the access token is still valid.
    let replay = laptop.context(&runner);
    assert_eq!(verdict(&replay).await, Verdict::signed_out());
    let forced = fetch_auth_session(&replay, FetchAuthSessionOptions::force_refresh())
        .await
        .unwrap();
    assert!(!forced.is_signed_in());
    assert!(replay.set_cookie_headers().is_empty());
    assert_eq!(local.backend.operation_count("GetUser"), get_user);
    assert_eq!(
        local.backend.operation_count("GetTokensFromRefreshToken"),
        refreshes,
        "refused here, without asking Cognito"
    );

    // Another session of the same user is not affected.
    assert_eq!(
        get_current_user(&phone.context(&runner))
            .await
            .unwrap()
            .username,
        username
    );

    // Another instance (another runner) does not know of the sign-out: documented, shared by a later change.
    let elsewhere = local.runner();
    assert_eq!(
        get_current_user(&laptop.context(&elsewhere))
            .await
            .unwrap()
            .username,
        username
    );
}

#[tokio::test]
async fn a_sign_out_also_refuses_the_sessions_earlier_and_later_tokens() {
    let local = Backend::start_with(no_guests).await;
    let runner = local.runner();
    let username = local.user("sven");
    let before = signed_in_jar(&runner, &username).await;
    // A refresh issues new tokens of the same sign-in (same origin_jti).
    let ctx = before.context(&runner);
    fetch_auth_session(&ctx, FetchAuthSessionOptions::force_refresh())
        .await
        .unwrap();
    let mut after = before.clone();
    after.apply(&ctx.set_cookie_headers());
    assert_ne!(
        after.ending_with(".accessToken"),
        before.ending_with(".accessToken")
    );

    sign_out(&after.context(&runner), SignOutOptions::default())
        .await
        .unwrap();
    for jar in [&before, &after] {
        assert!(matches!(
            get_current_user(&jar.context(&runner)).await,
            Err(AuthError::UserUnAuthenticated)
        ));
    }
}

#[tokio::test]
async fn sign_out_covers_every_copy_so_a_planted_last_auth_user_cannot_keep_the_session() {
    let t = two_users(no_guests).await;
    // Mallory's whole session planted, sent first (its LastAuthUser copy names mallory); alice signs out.
    let ctx = request(&t.runner, &tossed(&t.alice, &pairs(&t.mallory), true));
    sign_out(&ctx, SignOutOptions::default()).await.unwrap();
    let cleared = names_of(&ctx);
    for slot in [".accessToken", ".idToken", ".refreshToken"] {
        let name = name_of(&t.alice, slot);
        assert!(
            cleared
                .iter()
                .any(|line| line.starts_with(&format!("{name}=;"))),
            "alice's {slot} is cleared: {cleared:?}"
        );
    }
    // Alice's genuine cookies, replayed alone, are refused.
    assert!(matches!(
        get_current_user(&t.alice.context(&t.runner)).await,
        Err(AuthError::UserUnAuthenticated)
    ));
}

/// Whether Cognito still honours `jar`'s refresh token, asked through a runner that has seen no sign-out (so no
/// tombstone of this process answers instead).
async fn refresh_token_alive(t: &Two, jar: &Jar) -> bool {
    let mut expired = jar.clone();
    expired.set_ending_with(".clockDrift", TWO_HOURS_MS);
    match get_current_user(&expired.context(&t.local.runner())).await {
        Ok(_) => true,
        Err(AuthError::UserUnAuthenticated) => false,
        Err(other) => panic!("refresh: {other}"),
    }
}

#[tokio::test]
async fn a_global_sign_out_runs_with_the_sessions_own_token_not_a_planted_one() {
    let t = two_users(no_guests).await;
    // Alice is signed in on her phone too: a global sign-out of her laptop ends that session as well.
    let phone = signed_in_jar(&t.runner, "alice").await;
    assert!(refresh_token_alive(&t, &phone).await, "control");
    // Sent first: a LastAuthUser naming mallory, and under mallory's keys an access token that does not verify
    // and a refresh token.
    let planted = [
        (name_of(&t.alice, ".LastAuthUser"), "mallory".to_owned()),
        (
            name_of(&t.mallory, ".accessToken"),
            value_of(&t.mallory, ".accessToken").replace('.', ".x"),
        ),
        (name_of(&t.mallory, ".refreshToken"), "made-up".to_owned()),
    ];
    let ctx = request(&t.runner, &tossed(&t.alice, &planted, true));
    let report = sign_out(&ctx, SignOutOptions::global()).await.unwrap();
    assert!(report.revoked);
    assert_eq!(t.local.backend.operation_count("GlobalSignOut"), 1);
    assert!(
        !refresh_token_alive(&t, &phone).await,
        "the global sign-out ran with alice's own access token"
    );
    assert!(!refresh_token_alive(&t, &t.alice).await);
}

#[tokio::test]
async fn a_sign_out_with_another_users_valid_session_planted_revokes_the_users_own_refresh_token() {
    let t = two_users(no_guests).await;
    // Mallory's whole valid session, sent first: whose session this is cannot be told.
    let ctx = request(&t.runner, &tossed(&t.alice, &pairs(&t.mallory), true));
    let report = sign_out(&ctx, SignOutOptions::global()).await.unwrap();
    assert_eq!(
        t.local.backend.operation_count("GlobalSignOut"),
        0,
        "no global sign-out with a token that may not be the user's"
    );
    assert!(
        !refresh_token_alive(&t, &t.alice).await,
        "alice's refresh token is revoked"
    );
    assert!(
        report.revoked,
        "every refresh token the session may own was revoked"
    );
}

#[tokio::test]
async fn planted_refresh_token_copies_cannot_crowd_out_the_sessions_own_at_sign_out() {
    let t = two_users(no_guests).await;
    // A LastAuthUser naming mallory, sent first, with four refresh-token copies under mallory's keys.
    let mut planted = vec![(name_of(&t.alice, ".LastAuthUser"), "mallory".to_owned())];
    planted.extend((0..4).map(|n| (name_of(&t.mallory, ".refreshToken"), format!("planted-{n}"))));
    let ctx = request(&t.runner, &tossed(&t.alice, &planted, true));
    let report = sign_out(&ctx, SignOutOptions::default()).await.unwrap();
    assert!(report.revoked);
    assert!(!refresh_token_alive(&t, &t.alice).await);
    assert!(
        t.local.backend.operation_count("RevokeToken") <= 5,
        "alice's own, and at most four others"
    );

    // Four planted copies under alice's own key, sent first, hide hers: the report does not claim a revocation.
    let t = two_users(no_guests).await;
    let planted: Vec<_> = (0..4)
        .map(|n| (name_of(&t.alice, ".refreshToken"), format!("planted-{n}")))
        .collect();
    let ctx = request(&t.runner, &tossed(&t.alice, &planted, true));
    let report = sign_out(&ctx, SignOutOptions::default()).await.unwrap();
    assert!(!report.revoked, "alice's own refresh token was not sent");
}
