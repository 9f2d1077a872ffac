//! Sessions from cookies, end to end against an in-process amplify-local: sign-in, reading the session,
//! refresh (single flight, rotation, read-your-writes), revocation, bad tokens and failing backends.

mod common;

use amplify_ssr::{
    AuthFlow, FetchAuthSessionOptions, SignInInput, SignInOutcome, SignOutOptions,
    fetch_auth_session, fetch_user_attributes, get_current_user,
};
use common::{Backend, Jar, PASSWORD, signed_in_jar};
use http::HeaderMap;

/// Makes the stored access token look expired to the library's clock rule without touching its signature.
const TWO_HOURS_MS: &str = "7200000";

fn set_cookie_names(ctx: &amplify_ssr::ServerContext) -> Vec<String> {
    ctx.set_cookie_headers()
        .iter()
        .map(|h| h.to_str().unwrap().split('=').next().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn srp_sign_in_writes_amplify_cookies_that_later_requests_read() {
    let local = Backend::start().await;
    let username = local.user("alice");
    let runner = local.runner();
    let client = local.backend.client_id().to_owned();

    let jar = signed_in_jar(&runner, &username).await;
    let prefix = format!("CognitoIdentityServiceProvider.{client}");
    assert_eq!(
        jar.cookies
            .get(&format!("{prefix}.LastAuthUser"))
            .map(String::as_str),
        Some("alice")
    );
    for slot in [
        "accessToken",
        "idToken",
        "refreshToken",
        "clockDrift",
        "signInDetails",
    ] {
        assert!(
            jar.cookies.contains_key(&format!("{prefix}.alice.{slot}")),
            "missing {slot}: {jar:?}"
        );
    }

    let ctx = jar.context(&runner);
    let user = get_current_user(&ctx).await.expect("signed in");
    assert_eq!(user.username, "alice");
    let details = user.sign_in_details.expect("signInDetails cookie");
    assert_eq!(details.auth_flow_type.as_deref(), Some("USER_SRP_AUTH"));
    assert_eq!(details.login_id.as_deref(), Some("alice"));

    let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
        .await
        .unwrap();
    assert_eq!(session.user_sub.as_deref(), Some(user.user_id.as_str()));
    let attributes = fetch_user_attributes(&ctx).await.unwrap();
    assert_eq!(
        attributes.get("email").map(String::as_str),
        Some("someone@example.com")
    );
    assert_eq!(attributes.get("sub"), Some(&user.user_id));
    // A valid session costs no write and no refresh.
    assert!(ctx.set_cookie_headers().is_empty());
    assert_eq!(
        local.backend.operation_count("GetTokensFromRefreshToken"),
        0
    );
}

#[tokio::test]
async fn password_auth_flow_and_email_usernames_work() {
    let local = Backend::start().await;
    let username = local.user("bob+test@example.com");
    let runner = local.runner();
    let ctx = runner.context(&HeaderMap::new());
    let outcome = amplify_ssr::sign_in(
        &ctx,
        SignInInput::new(&username, PASSWORD).with_auth_flow(AuthFlow::UserPasswordAuth),
    )
    .await
    .unwrap();
    assert!(
        matches!(outcome, SignInOutcome::SignedIn(ref u) if u.username == username),
        "{outcome:?}"
    );
    let mut jar = Jar::default();
    jar.apply(&ctx.set_cookie_headers());
    // js-cookie's name rule: '@' is encoded, '+' stays literal.
    let key = format!(
        "CognitoIdentityServiceProvider.{}.bob+test%40example.com.accessToken",
        local.backend.client_id()
    );
    assert!(jar.cookies.contains_key(&key), "{jar:?}");
    let user = get_current_user(&jar.context(&runner)).await.unwrap();
    assert_eq!(user.username, username);
}

async fn sign_in_with_a_wrong_password(
    runner: &amplify_ssr::ServerRunner,
    username: &str,
    flow: AuthFlow,
) -> (amplify_ssr::ServerContext, amplify_ssr::AuthError) {
    let ctx = runner.context(&HeaderMap::new());
    let error = amplify_ssr::sign_in(
        &ctx,
        SignInInput::new(username, "Wrong-passw0rd!").with_auth_flow(flow),
    )
    .await
    .unwrap_err();
    (ctx, error)
}

#[tokio::test]
async fn wrong_password_is_reported_with_cognitos_name_and_writes_nothing() {
    let local = Backend::start().await;
    let username = local.user("carol");
    let runner = local.runner();
    for flow in [AuthFlow::UserSrpAuth, AuthFlow::UserPasswordAuth] {
        let (ctx, error) = sign_in_with_a_wrong_password(&runner, &username, flow).await;
        assert_eq!(error.name(), "NotAuthorizedException", "{flow:?}: {error}");
        assert!(ctx.set_cookie_headers().is_empty());
    }
}

#[tokio::test]
async fn sign_in_refuses_flows_it_does_not_run_without_asking_cognito() {
    let local = Backend::start().await;
    let username = local.user("dora");
    let runner = local.runner();
    // CUSTOM_AUTH is run (tests/sign_in_steps.rs); these are not.
    for flow in [AuthFlow::RefreshTokenAuth, AuthFlow::UserAuth] {
        // Had Cognito been asked, the answer would be NotAuthorizedException.
        let (ctx, error) = sign_in_with_a_wrong_password(&runner, &username, flow).await;
        assert!(
            matches!(error, amplify_ssr::AuthError::UnsupportedSignInFlow(f) if f == flow),
            "{flow:?}: {error}"
        );
        assert_eq!(error.name(), "UnsupportedAuthFlow");
        assert!(error.to_string().contains(flow.as_str()), "{error}");
        assert!(ctx.set_cookie_headers().is_empty());
    }
}

#[tokio::test]
async fn signed_out_requests_are_not_errors_for_fetch_auth_session() {
    let local = Backend::start().await;
    let runner = local.runner();
    let ctx = runner.context(&HeaderMap::new());
    let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
        .await
        .unwrap();
    assert!(!session.is_signed_in());
    assert!(session.user_sub.is_none());
    let error = get_current_user(&ctx).await.unwrap_err();
    assert_eq!(error.name(), "UserUnAuthenticatedException");
    assert_eq!(
        fetch_user_attributes(&ctx).await.unwrap_err().name(),
        "UserUnAuthenticatedException"
    );

    let static_ctx = runner.static_context();
    assert!(
        !fetch_auth_session(&static_ctx, FetchAuthSessionOptions::default())
            .await
            .unwrap()
            .is_signed_in()
    );
}

#[tokio::test]
async fn expired_tokens_are_refreshed_once_and_written_back() {
    let local = Backend::start().await;
    let username = local.user("dave");
    let runner = local.runner();
    let mut jar = signed_in_jar(&runner, &username).await;
    let old_access = jar.ending_with(".accessToken").unwrap().to_owned();
    let old_refresh = jar.ending_with(".refreshToken").unwrap().to_owned();
    jar.set_ending_with(".clockDrift", TWO_HOURS_MS);

    let ctx = jar.context(&runner);
    let first = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
        .await
        .unwrap();
    assert!(first.is_signed_in());
    // Read-your-writes: the second call in the same request sees the refreshed cookies and does not refresh.
    get_current_user(&ctx).await.unwrap();
    fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
        .await
        .unwrap();
    assert_eq!(
        local.backend.operation_count("GetTokensFromRefreshToken"),
        1
    );

    let names = set_cookie_names(&ctx);
    let client = local.backend.client_id();
    let expected: Vec<String> = [
        "LastAuthUser",
        "dave.accessToken",
        "dave.idToken",
        "dave.refreshToken",
        "dave.signInDetails",
        "dave.clockDrift",
    ]
    .iter()
    .map(|s| format!("CognitoIdentityServiceProvider.{client}.{s}"))
    .collect();
    assert_eq!(names, expected, "aws-amplify's write order");
    assert!(ctx.auth_cookies_changed());
    let mut after = jar.clone();
    after.apply(&ctx.set_cookie_headers());
    assert_ne!(after.ending_with(".accessToken").unwrap(), old_access);
    assert_eq!(
        after.ending_with(".refreshToken").unwrap(),
        old_refresh,
        "no rotation: the old refresh token is kept"
    );
    let drift: i64 = after.ending_with(".clockDrift").unwrap().parse().unwrap();
    assert!(
        drift.abs() < 60_000,
        "clockDrift recomputed from iat: {drift}"
    );

    // The next request with the new cookies needs no refresh.
    get_current_user(&after.context(&runner)).await.unwrap();
    assert_eq!(
        local.backend.operation_count("GetTokensFromRefreshToken"),
        1
    );
}

#[tokio::test]
async fn concurrent_requests_with_the_same_refresh_token_share_one_refresh() {
    let local = Backend::start_with(|o| o.rotate_refresh_tokens = true).await;
    let username = local.user("erin");
    let runner = local.runner();
    let mut jar = signed_in_jar(&runner, &username).await;
    jar.set_ending_with(".clockDrift", TWO_HOURS_MS);

    let contexts: Vec<_> = (0..12).map(|_| jar.context(&runner)).collect();
    let results = futures_util::future::join_all(
        contexts
            .iter()
            .map(|ctx| fetch_auth_session(ctx, FetchAuthSessionOptions::default())),
    )
    .await;
    for result in &results {
        assert!(result.as_ref().unwrap().is_signed_in());
    }
    assert_eq!(
        local.backend.operation_count("GetTokensFromRefreshToken"),
        1
    );
    let refreshed: std::collections::BTreeSet<_> = contexts
        .iter()
        .map(|ctx| {
            let mut j = jar.clone();
            j.apply(&ctx.set_cookie_headers());
            j.ending_with(".refreshToken").unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        refreshed.len(),
        1,
        "every request got the same rotated refresh token"
    );
    assert_ne!(
        refreshed.first().unwrap(),
        jar.ending_with(".refreshToken").unwrap(),
        "rotated"
    );
}

#[tokio::test]
async fn force_refresh_refreshes_valid_tokens() {
    let local = Backend::start().await;
    let username = local.user("frank");
    let runner = local.runner();
    let jar = signed_in_jar(&runner, &username).await;
    let ctx = jar.context(&runner);
    fetch_auth_session(&ctx, FetchAuthSessionOptions::force_refresh())
        .await
        .unwrap();
    assert_eq!(
        local.backend.operation_count("GetTokensFromRefreshToken"),
        1
    );
    assert!(
        set_cookie_names(&ctx)
            .iter()
            .any(|n| n.ends_with(".accessToken"))
    );
}

#[tokio::test]
async fn revoked_refresh_token_clears_the_session_cookies() {
    let local = Backend::start_with(no_guests).await;
    let username = local.user("grace");
    let runner = local.runner();
    let mut jar = signed_in_jar(&runner, &username).await;

    // Sign out in one "tab": revokes the refresh token. The other tab still holds the old cookies. The sign-out
    // is served by another instance of the app, so this runner learns of it from Cognito (a sign-out it served
    // itself would refuse the session before any refresh: see session_integrity.rs).
    let sign_out_ctx = jar.context(&local.runner());
    let report = amplify_ssr::sign_out(&sign_out_ctx, SignOutOptions::default())
        .await
        .unwrap();
    assert!(report.revoked);
    let mut signed_out = jar.clone();
    signed_out.apply(&sign_out_ctx.set_cookie_headers());
    assert!(
        signed_out.cookies.is_empty(),
        "sign-out clears every session cookie: {signed_out:?}"
    );

    jar.set_ending_with(".clockDrift", TWO_HOURS_MS);
    let ctx = jar.context(&runner);
    let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
        .await
        .unwrap();
    assert!(!session.is_signed_in());
    jar.apply(&ctx.set_cookie_headers());
    assert!(
        jar.cookies.is_empty(),
        "NotAuthorizedException clears the cookies: {jar:?}"
    );
}

#[tokio::test]
async fn tokens_from_another_pool_or_tampered_tokens_mean_signed_out_and_cookies_stay() {
    let local = Backend::start_with(no_guests).await;
    let other = Backend::start().await;
    let runner = local.runner();
    let username = local.user("heidi");
    other.user("heidi");
    let good = signed_in_jar(&runner, &username).await;

    // Same cookie names, tokens from another user pool (another key and issuer).
    let foreign = signed_in_jar(&other.runner(), &username).await;
    let mut forged = good.clone();
    forged.set_ending_with(".accessToken", foreign.ending_with(".accessToken").unwrap());
    forged.set_ending_with(".idToken", foreign.ending_with(".idToken").unwrap());

    // A tampered payload.
    let mut tampered = good.clone();
    let token = good.ending_with(".accessToken").unwrap();
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let flipped = if parts[1].ends_with('A') { 'B' } else { 'A' };
    parts[1].pop();
    parts[1].push(flipped);
    tampered.set_ending_with(".accessToken", &parts.join("."));

    // An unsigned token.
    let mut unsigned = good.clone();
    let header = base64_url(br#"{"alg":"none","typ":"JWT"}"#);
    unsigned.set_ending_with(
        ".accessToken",
        &format!("{header}.{}.", token.split('.').nth(1).unwrap()),
    );

    for (name, jar) in [
        ("foreign", forged),
        ("tampered", tampered),
        ("alg none", unsigned),
    ] {
        let ctx = jar.context(&runner);
        let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
            .await
            .unwrap();
        assert!(!session.is_signed_in(), "{name}");
        assert!(
            ctx.set_cookie_headers().is_empty(),
            "{name}: a bad cookie is not a reason to write anything"
        );
    }
    assert_eq!(
        local.backend.operation_count("GetTokensFromRefreshToken"),
        0,
        "a forged session is never refreshed"
    );
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn read_only_contexts_refresh_for_the_render_but_emit_no_headers() {
    let local = Backend::start().await;
    let username = local.user("ivan");
    let runner = local.runner();
    let mut jar = signed_in_jar(&runner, &username).await;
    jar.set_ending_with(".clockDrift", TWO_HOURS_MS);
    let ctx = runner.read_only_context(&jar.headers());
    get_current_user(&ctx).await.unwrap();
    get_current_user(&ctx).await.unwrap();
    assert_eq!(
        local.backend.operation_count("GetTokensFromRefreshToken"),
        1
    );
    assert!(ctx.set_cookie_headers().is_empty());
    assert!(!ctx.auth_cookies_changed());
}

#[tokio::test]
async fn http_only_mode_writes_only_token_cookies_with_strict_attributes() {
    let local = Backend::start().await;
    let username = local.user("judy");
    let runner = amplify_ssr::ServerRunner::builder(local.config())
        .ignore_env()
        .http_only_cookies(true)
        .build()
        .unwrap();
    let ctx = runner.context(&HeaderMap::new());
    amplify_ssr::sign_in(&ctx, SignInInput::new(&username, PASSWORD))
        .await
        .unwrap();
    let headers: Vec<String> = ctx
        .set_cookie_headers()
        .iter()
        .map(|h| h.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(headers.len(), 4, "{headers:#?}");
    for header in &headers {
        assert!(header.contains("HttpOnly"), "{header}");
        assert!(header.contains("SameSite=Strict"), "{header}");
        assert!(header.contains("Secure"), "{header}");
        assert!(header.contains("Path=/"), "{header}");
    }
    assert!(
        !headers
            .iter()
            .any(|h| h.contains(".clockDrift=") || h.contains(".signInDetails="))
    );
}

#[tokio::test]
async fn sign_in_with_a_temporary_password_reports_the_challenge() {
    let local = Backend::start().await;
    let runner = local.runner();
    // AdminCreateUser with a temporary password, through Cognito's own (signed) API.
    let response = local
        .admin(
            "AdminCreateUser",
            &serde_json::json!({
                "UserPoolId": local.backend.user_pool_id(),
                "Username": "kim",
                "TemporaryPassword": "Temp-passw0rd!",
                "MessageAction": "SUPPRESS",
            }),
        )
        .await;
    assert!(
        response.status().is_success(),
        "{:?}",
        response.text().await
    );
    let ctx = runner.context(&HeaderMap::new());
    let outcome = amplify_ssr::sign_in(&ctx, SignInInput::new("kim", "Temp-passw0rd!"))
        .await
        .unwrap();
    match outcome {
        SignInOutcome::NextStep(step) => {
            assert_eq!(
                step.sign_in_step(),
                "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"
            );
        }
        other => panic!("expected a challenge, got {other:?}"),
    }
    // Only the sealed sign-in step cookie is written, no session cookie.
    let headers = ctx.set_cookie_headers();
    assert_eq!(headers.len(), 1, "{headers:?}");
    assert!(
        headers[0]
            .to_str()
            .unwrap()
            .starts_with("__Host-amplify-ssr.sign-in-step=v1."),
        "{headers:?}"
    );
}

#[tokio::test]
async fn the_clock_drift_cookie_cannot_keep_an_expired_token_alive() {
    let local = Backend::start().await;
    let username = local.user("olga");
    let runner = local.runner();
    // Tokens issued two hours ago by the backend's clock: expired an hour ago by the server's.
    local
        .backend
        .clock()
        .rewind(std::time::Duration::from_secs(2 * 3600));
    let mut jar = signed_in_jar(&runner, &username).await;
    local.backend.clock().reset();
    for drift in [
        "-100000000000000",
        "-9223372036854775808",
        "9223372036854775807",
    ] {
        jar.set_ending_with(".clockDrift", drift);
        let ctx = jar.context(&runner);
        let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
            .await
            .unwrap();
        assert!(session.is_signed_in(), "{drift}");
        assert!(
            ctx.set_cookie_headers()
                .iter()
                .any(|h| h.to_str().unwrap().contains(".accessToken=")),
            "{drift}: the expired token was refreshed, not trusted"
        );
    }
    assert_eq!(
        local.backend.operation_count("GetTokensFromRefreshToken"),
        1,
        "one refresh, then the reuse window"
    );
}

#[tokio::test]
async fn an_access_token_in_the_id_token_slot_is_not_an_id_token() {
    let local = Backend::start().await;
    let username = local.user("pat");
    let runner = local.runner();
    let mut jar = signed_in_jar(&runner, &username).await;
    let access = jar.ending_with(".accessToken").unwrap().to_owned();
    jar.set_ending_with(".idToken", &access);
    let session = fetch_auth_session(&jar.context(&runner), FetchAuthSessionOptions::default())
        .await
        .unwrap();
    let tokens = session.tokens.expect("the access token is still valid");
    assert!(
        tokens.id_token.is_none(),
        "an access token must never pass as the id token"
    );
    assert!(tokens.id_token_claims.is_none());
}

#[tokio::test]
async fn sign_out_closes_the_refresh_reuse_window_for_replayed_cookies() {
    let local = Backend::start_with(no_guests).await;
    let username = local.user("quinn");
    let runner = local.runner();
    let mut jar = signed_in_jar(&runner, &username).await;
    jar.set_ending_with(".clockDrift", TWO_HOURS_MS);
    // A refresh puts the result in the per-process reuse window.
    fetch_auth_session(&jar.context(&runner), FetchAuthSessionOptions::default())
        .await
        .unwrap();
    assert_eq!(
        local.backend.operation_count("GetTokensFromRefreshToken"),
        1
    );
    // Sign out, then replay the old cookies at once. The sign-out request carries only the refresh token, so the
    // session itself is not refused here (session_integrity.rs covers that) and the replay reaches the cache.
    let mut refresh_only = jar.clone();
    refresh_only
        .cookies
        .retain(|name, _| name.ends_with(".LastAuthUser") || name.ends_with(".refreshToken"));
    let sign_out = refresh_only.context(&runner);
    assert!(
        amplify_ssr::sign_out(&sign_out, SignOutOptions::default())
            .await
            .unwrap()
            .revoked
    );
    let replay = jar.context(&runner);
    let session = fetch_auth_session(&replay, FetchAuthSessionOptions::default())
        .await
        .unwrap();
    assert!(
        !session.is_signed_in(),
        "a revoked refresh token gets nothing from the cache"
    );
    jar.apply(&replay.set_cookie_headers());
    assert!(
        jar.cookies.is_empty(),
        "and the replayed cookies are cleared: {jar:?}"
    );
}

#[tokio::test]
async fn force_refresh_does_not_reuse_another_requests_result() {
    let local = Backend::start().await;
    let username = local.user("ruth");
    let runner = local.runner();
    let jar = signed_in_jar(&runner, &username).await;
    fetch_auth_session(
        &jar.context(&runner),
        FetchAuthSessionOptions::force_refresh(),
    )
    .await
    .unwrap();
    fetch_auth_session(
        &jar.context(&runner),
        FetchAuthSessionOptions::force_refresh(),
    )
    .await
    .unwrap();
    assert_eq!(
        local.backend.operation_count("GetTokensFromRefreshToken"),
        2
    );
}

#[tokio::test]
async fn expired_tokens_without_a_refresh_token_are_a_token_refresh_error_and_keep_the_cookies() {
    let local = Backend::start().await;
    let username = local.user("sam");
    let runner = local.runner();
    let mut jar = signed_in_jar(&runner, &username).await;
    jar.set_ending_with(".clockDrift", TWO_HOURS_MS);
    jar.cookies
        .retain(|name, _| !name.ends_with(".refreshToken"));
    let ctx = jar.context(&runner);
    let error = fetch_auth_session(&ctx, FetchAuthSessionOptions::default())
        .await
        .unwrap_err();
    assert_eq!(error.name(), "TokenRefreshException", "{error}");
    assert!(ctx.set_cookie_headers().is_empty());
}

#[tokio::test]
async fn global_sign_out_ends_every_session_of_the_user() {
    let local = Backend::start().await;
    let username = local.user("tess");
    let runner = local.runner();
    let laptop = signed_in_jar(&runner, &username).await;
    let phone = signed_in_jar(&runner, &username).await;
    let ctx = laptop.context(&runner);
    let report = amplify_ssr::sign_out(&ctx, SignOutOptions::global())
        .await
        .unwrap();
    assert!(report.revoked);
    assert_eq!(local.backend.operation_count("GlobalSignOut"), 1);
    // The other device's access token no longer works at Cognito, and its refresh token is dead too.
    let error = fetch_user_attributes(&phone.context(&runner))
        .await
        .unwrap_err();
    assert_eq!(error.name(), "NotAuthorizedException", "{error}");
    let mut phone = phone;
    phone.set_ending_with(".clockDrift", TWO_HOURS_MS);
    let session = fetch_auth_session(&phone.context(&runner), FetchAuthSessionOptions::default())
        .await
        .unwrap();
    assert!(!session.is_signed_in());
}

#[tokio::test]
async fn contexts_never_print_token_values() {
    let local = Backend::start().await;
    let username = local.user("uma");
    let runner = local.runner();
    let jar = signed_in_jar(&runner, &username).await;
    let ctx = jar.context(&runner);
    let session = fetch_auth_session(&ctx, FetchAuthSessionOptions::force_refresh())
        .await
        .unwrap();
    let printed = format!("{ctx:?} {session:?}");
    for value in jar.cookies.values() {
        if value.len() > 20 {
            assert!(
                !printed.contains(value.as_str()),
                "a cookie value leaked into Debug output"
            );
        }
    }
    assert!(printed.contains("[redacted]"));
}

#[tokio::test]
async fn sign_in_and_sign_out_refuse_contexts_that_cannot_send_cookies() {
    let local = Backend::start().await;
    let username = local.user("vic");
    let runner = local.runner();
    let read_only = runner.read_only_context(&HeaderMap::new());
    let error = amplify_ssr::sign_in(&read_only, SignInInput::new(&username, PASSWORD))
        .await
        .unwrap_err();
    assert!(
        matches!(error, amplify_ssr::AuthError::CookiesNotWritable(_)),
        "{error}"
    );
    let error = amplify_ssr::sign_out(&runner.static_context(), SignOutOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(error, amplify_ssr::AuthError::CookiesNotWritable(_)),
        "{error}"
    );
}

#[tokio::test]
async fn runtime_cookie_options_reach_the_set_cookie_headers() {
    use amplify_ssr::cookies::{CookieOptions, SameSite};
    let local = Backend::start().await;
    let username = local.user("wes");
    let options = CookieOptions::default()
        .with_domain("app.example.test")
        .with_same_site(SameSite::Strict)
        .with_max_age(time::Duration::hours(1));
    let runner = amplify_ssr::ServerRunner::builder(local.config())
        .ignore_env()
        .cookie_options(options)
        .build()
        .unwrap();
    let ctx = runner.context(&HeaderMap::new());
    amplify_ssr::sign_in(&ctx, SignInInput::new(&username, PASSWORD))
        .await
        .unwrap();
    let headers = ctx.set_cookie_headers();
    assert!(!headers.is_empty());
    for header in headers {
        let line = header.to_str().unwrap();
        assert!(line.contains("Domain=app.example.test"), "{line}");
        assert!(line.contains("SameSite=Strict"), "{line}");
        assert!(line.contains("Max-Age=3600"), "{line}");
        assert!(
            line.contains("Path=/") && line.contains("Secure") && !line.contains("HttpOnly"),
            "{line}"
        );
    }
}

/// Backends without guest identities: a signed-out `fetch_auth_session` then writes no identity-id cookie, so
/// these tests can assert that nothing at all is written.
fn no_guests(options: &mut amplify_local::LocalOptions) {
    options.allow_guest_access = false;
}
