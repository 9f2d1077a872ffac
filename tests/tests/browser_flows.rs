//! The demo app end to end in a real headless Chromium: sign-in, sign-up and sign-out through
//! managed login (amplify-local's pages behind amplify-ssr's `/api/auth/*` routes), clicked
//! through the way a user would.
//!
//! Each test starts its own demo (with its own embedded amplify-local) and runs one flow of
//! `interop/browser/flows.mjs` (playwright-core driving Debian's Chromium) in its own browser.
//! The script saves a screenshot of every step to `target/e2e-screenshots/<flow>-NN-<step>.png`
//! and reports what it saw as JSON; the assertions are made here.
//!
//! Chromium and playwright-core are installed by `scripts/test`; when they are missing the
//! tests fail with a message saying so (they are never skipped).

use amplify_demo::app::{DEMO_PASSWORD, DEMO_USERNAME};
use amplify_integration_tests::{
    BrowserRun, DemoUnderTest, PEER_TIMEOUT, PeerEnv, assert_no_peer_error, run_browser_flow,
};
use serde_json::Value;

/// The demo (with its embedded amplify-local) for one test.
struct Demo {
    demo: DemoUnderTest,
}

impl Demo {
    async fn start() -> Self {
        Self {
            demo: DemoUnderTest::start("amplify-e2e-").await,
        }
    }

    fn url(&self) -> &str {
        self.demo.url()
    }

    fn backend(&self) -> &amplify_local::LocalBackend {
        self.demo.backend()
    }

    fn client_id(&self) -> String {
        self.backend().client_id().to_owned()
    }

    /// What every flow needs: where the demo and the backend are, and the demo account.
    fn flow_env(&self, extra: &[(&str, &str)]) -> PeerEnv {
        let mut env = vec![
            ("DEMO_URL".to_owned(), self.url().to_owned()),
            ("BACKEND_URL".to_owned(), self.backend().base_url()),
            ("USERNAME".to_owned(), DEMO_USERNAME.to_owned()),
            ("PASSWORD".to_owned(), DEMO_PASSWORD.to_owned()),
            ("CLIENT_ID".to_owned(), self.client_id()),
        ];
        env.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        env
    }

    /// Runs `flow` in a fresh browser, fails the test if the flow did not get to its end or a page
    /// showed an error it should not, and returns the report.
    async fn run(&self, flow: &str, extra: &[(&str, &str)], expect: Expect) -> BrowserRun {
        let run = run_browser_flow(flow, self.flow_env(extra)).await;
        eprintln!(
            "flow {flow}: {:.1} s in all, {} ms in the browser, {} steps",
            run.elapsed.as_secs_f64(),
            run.output["flowMillis"],
            run.output["steps"].as_array().map_or(0, Vec::len)
        );
        // Captured by the test runner: shown when the test fails (or with --no-capture).
        eprintln!("{}", run.details());
        assert_no_peer_error(&run.output);
        assert_no_unexpected_errors(&run, self.url(), expect);
        run
    }

    async fn shutdown(self) {
        self.demo.shutdown().await;
    }
}

/// Which error, if any, the flow is meant to end on.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// No page shows an error.
    NoErrors,
    /// Only the last step, the demo's `/auth-error` page, shows one.
    AuthErrorPage,
    /// No page shows an error, and the JSON API answers `401` to the signed-out visits the flow makes.
    SignedOutApiCalls,
    /// No page shows an error, and the group-guarded `/admin` page answers `403`.
    ForbiddenAdminPage,
}

fn steps(run: &BrowserRun) -> &[Value] {
    run.output["steps"].as_array().map_or(&[], Vec::as_slice)
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// What the demo's 403 page says.
const FORBIDDEN_MESSAGE: &str =
    "Your account is not allowed to do this. If you think it should be, ask an administrator.";

/// No step shows an error text it should not; no navigation answered 5xx (or 4xx outside the
/// expected error page); no script error; no failed request.
#[track_caller]
fn assert_no_unexpected_errors(run: &BrowserRun, demo_url: &str, expect: Expect) {
    let all = steps(run);
    assert!(
        !all.is_empty(),
        "the flow recorded no steps\n{}",
        run.details()
    );
    for (i, step) in all.iter().enumerate() {
        let name = step["name"].as_str().unwrap_or("?");
        let errors = strings(&step["errors"]);
        let error_expected = matches!(expect, Expect::AuthErrorPage) && i == all.len() - 1;
        if error_expected {
            assert!(
                step["url"]
                    .as_str()
                    .is_some_and(|u| u.starts_with(&format!("{demo_url}/auth-error"))),
                "the last step should be the demo's /auth-error page\n{}",
                run.details()
            );
        } else if matches!(expect, Expect::ForbiddenAdminPage)
            && step["url"].as_str() == Some(&format!("{demo_url}/admin"))
        {
            // The refused admin page says why, and nothing else.
            assert_eq!(
                errors,
                [FORBIDDEN_MESSAGE],
                "step {name} shows other errors\n{}",
                run.details()
            );
        } else {
            assert!(
                errors.is_empty(),
                "step {name} ({}) shows errors {errors:?}\n{}",
                step["url"],
                run.details()
            );
        }
    }
    let error_page = format!("{demo_url}/auth-error");
    for navigation in run.output["navigations"].as_array().into_iter().flatten() {
        let status = navigation["status"].as_u64().unwrap_or(0);
        let url = navigation["url"].as_str().unwrap_or("");
        let allowed = status < 400
            || (matches!(expect, Expect::AuthErrorPage)
                && status == 400
                && url.starts_with(&error_page))
            || (matches!(expect, Expect::SignedOutApiCalls)
                && status == 401
                && url.starts_with(&format!("{demo_url}/apis/")))
            || (matches!(expect, Expect::ForbiddenAdminPage)
                && status == 403
                && url == format!("{demo_url}/admin"));
        assert!(
            allowed,
            "{} {url} answered {status}\n{}",
            navigation["method"],
            run.details()
        );
    }
    let page_errors = strings(&run.output["pageErrors"]);
    assert!(
        page_errors.is_empty(),
        "script errors in the pages: {page_errors:?}\n{}",
        run.details()
    );
    let failed = run.output["failedRequests"].as_array().map_or(0, Vec::len);
    assert_eq!(failed, 0, "requests failed\n{}", run.details());
}

/// The names of the session cookies the flow reported under `key`.
fn cookie_names<'a>(run: &'a BrowserRun, key: &str) -> Vec<&'a str> {
    run.output[key]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect()
}

/// The session cookies are the demo's: named for the app client, HttpOnly, on 127.0.0.1.
#[track_caller]
fn assert_session_cookies(run: &BrowserRun, key: &str, client_id: &str) {
    let cookies = run.output[key].as_array().cloned().unwrap_or_default();
    assert!(
        !cookies.is_empty(),
        "no session cookies after signing in\n{}",
        run.details()
    );
    let prefix = format!("CognitoIdentityServiceProvider.{client_id}.");
    for cookie in &cookies {
        let name = cookie["name"].as_str().unwrap_or("");
        assert!(
            name.starts_with(&prefix),
            "session cookie {name} is not named for the client {client_id}\n{}",
            run.details()
        );
        assert_eq!(
            cookie["httpOnly"],
            Value::Bool(true),
            "session cookie {name} is not HttpOnly\n{}",
            run.details()
        );
        assert_eq!(
            cookie["domain"].as_str(),
            Some("127.0.0.1"),
            "session cookie {name} is not on 127.0.0.1\n{}",
            run.details()
        );
    }
    let names: Vec<&str> = cookies.iter().filter_map(|c| c["name"].as_str()).collect();
    for suffix in [".accessToken", ".idToken", ".refreshToken", "LastAuthUser"] {
        assert!(
            names.iter().any(|n| n.ends_with(suffix)),
            "no session cookie ending in {suffix} among {names:?}\n{}",
            run.details()
        );
    }
}

/// What the flow recorded after signing out (`recordSignedOut`): the home page, signed out, no session cookie
/// left, and the protected page asks to sign in again.
#[track_caller]
fn assert_signed_out(run: &BrowserRun, demo_url: &str) {
    assert_str(run, "signedOutUrl", &format!("{demo_url}/"));
    assert!(
        run.output["signedInUserAfter"].is_null(),
        "the home page still shows a signed-in user after signing out\n{}",
        run.details()
    );
    let left = cookie_names(run, "sessionCookiesAfter");
    assert!(
        left.is_empty(),
        "session cookies left after signing out: {left:?}\n{}",
        run.details()
    );
    assert_eq!(
        run.output["dashboardAfterSignOutShowsLogin"],
        Value::Bool(true),
        "after signing out, the dashboard should ask to sign in again\n{}",
        run.details()
    );
}

#[track_caller]
fn assert_str(run: &BrowserRun, key: &str, expected: &str) {
    assert_eq!(
        run.str(key),
        Some(expected),
        "{key} should be {expected:?}\n{}",
        run.details()
    );
}

/// 1. A signed-out visit to a protected page goes through the login form and comes back to the
/// same page (query included), signed in.
#[tokio::test(flavor = "multi_thread")]
async fn protected_page_sign_in_returns_to_the_page() {
    let demo = Demo::start().await;
    let run = demo.run("protected-page", &[], Expect::NoErrors).await;

    let backend_url = demo.backend().base_url();
    assert!(
        run.str("loginPageUrl")
            .is_some_and(|u| u.starts_with(&backend_url)),
        "the protected page should send the browser to amplify-local's login page at {backend_url}\n{}",
        run.details()
    );
    assert_str(
        &run,
        "finalUrl",
        &format!("{}/dashboard?tab=keys", demo.url()),
    );
    assert_str(&run, "signedInUser", DEMO_USERNAME);
    let dashboard = steps(&run).last().expect("steps");
    assert_eq!(
        dashboard["h1"].as_str(),
        Some("Dashboard"),
        "{}",
        run.details()
    );
    assert_session_cookies(&run, "sessionCookies", &demo.client_id());
    demo.shutdown().await;
}

/// 2. Signing out ends on the home page signed out, with no session cookies left, and the
/// refresh token revoked at the token endpoint.
#[tokio::test(flavor = "multi_thread")]
async fn sign_out_signs_out_and_revokes_the_refresh_token() {
    let demo = Demo::start().await;
    let run = demo.run("sign-out", &[], Expect::NoErrors).await;

    assert_str(&run, "signedInUser", DEMO_USERNAME);
    assert_session_cookies(&run, "sessionCookiesBefore", &demo.client_id());
    let refresh_token = run
        .str("refreshToken")
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| panic!("no refresh-token cookie while signed in\n{}", run.details()))
        .to_owned();
    let control = &run.output["refreshBeforeSignOut"];
    assert!(
        control["status"] == 200 && control["accessToken"] == true && control["rotated"] == false,
        "while signed in, the token endpoint should accept the refresh token (and keep it)\n{}",
        run.details()
    );

    assert_signed_out(&run, demo.url());

    // The refresh token the browser held is revoked.
    let response = reqwest::Client::new()
        .post(format!("{}/oauth2/token", demo.backend().base_url()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", demo.backend().client_id()),
            ("refresh_token", refresh_token.as_str()),
        ])
        // A safety net against hanging, not a margin.
        .timeout(PEER_TIMEOUT)
        .send()
        .await
        .expect("POST /oauth2/token");
    let status = response.status();
    let body: Value = response
        .json()
        .await
        .expect("the token endpoint answers JSON");
    assert_eq!(
        (status.as_u16(), body["error"].as_str()),
        (400, Some("invalid_grant")),
        "the old refresh token should be revoked; the token endpoint answered {status} {body}"
    );
    demo.shutdown().await;
}

/// 3. Sign-up on the managed-login page, confirmation with the code the page shows, and back on
/// the dashboard signed in as the new user. The demo's usernames are emails, so the page asks
/// only for the email and the password, and the email is the username.
#[tokio::test(flavor = "multi_thread")]
async fn sign_up_confirm_signs_in() {
    let demo = Demo::start().await;
    let new_username = "e2e-new-user@example.com";
    let run = demo
        .run(
            "sign-up",
            &[
                ("NEW_EMAIL", new_username),
                ("NEW_PASSWORD", "New-user-passw0rd!"),
            ],
            Expect::NoErrors,
        )
        .await;
    assert_eq!(
        run.output.get("signUpFields"),
        Some(&serde_json::json!(["email", "password"])),
        "the sign-up form should ask only for the email and the password\n{}",
        run.details()
    );

    let backend_url = demo.backend().base_url();
    for key in ["signUpPageUrl", "confirmPageUrl"] {
        assert!(
            run.str(key).is_some_and(|u| u.starts_with(&backend_url)),
            "{key} should be on amplify-local ({backend_url})\n{}",
            run.details()
        );
    }
    assert!(
        run.str("displayedCode").is_some_and(|c| !c.is_empty()),
        "the confirm page shows no code\n{}",
        run.details()
    );
    assert_str(&run, "finalUrl", &format!("{}/dashboard", demo.url()));
    assert_str(&run, "signedInUser", new_username);
    assert_session_cookies(&run, "sessionCookies", &demo.client_id());
    assert_eq!(
        demo.backend().confirmation_code(new_username),
        None,
        "the new user should be confirmed"
    );
    demo.shutdown().await;
}

/// 4. "Sign in with Google" goes through the simulated provider's consent page and signs in as a
/// federated `Google_…` user.
#[tokio::test(flavor = "multi_thread")]
async fn google_sign_in_signs_in_a_federated_user() {
    let demo = Demo::start().await;
    let google_email = "jane.doe@gmail.example";
    let run = demo
        .run(
            "google",
            &[("GOOGLE_EMAIL", google_email), ("GOOGLE_NAME", "Jane Doe")],
            Expect::NoErrors,
        )
        .await;

    assert!(
        run.str("provider").is_some_and(|p| p.contains("Google")),
        "the consent page should name Google\n{}",
        run.details()
    );
    assert!(
        run.str("consentPageUrl")
            .is_some_and(|u| u.starts_with(&demo.backend().base_url())),
        "the consent page should be amplify-local's\n{}",
        run.details()
    );
    assert_str(&run, "finalUrl", &format!("{}/dashboard", demo.url()));
    assert!(
        run.str("signedInUser")
            .is_some_and(|u| u.starts_with("Google_") && u.len() > "Google_".len()),
        "the signed-in user should be a Google_… user\n{}",
        run.details()
    );
    // The header shows the name the provider gave, not the Google_… username.
    assert_str(&run, "signedInName", "Jane Doe");
    assert!(
        run.str("dashboardText")
            .is_some_and(|t| t.contains(google_email)),
        "the dashboard should list the email given on the consent page\n{}",
        run.details()
    );
    assert!(
        run.str("dashboardText")
            .is_some_and(|t| t.contains("Google") && !t.contains("providerName")),
        "the dashboard should say the user signed in with Google, without the raw identities JSON\n{}",
        run.details()
    );
    assert_session_cookies(&run, "sessionCookies", &demo.client_id());
    demo.shutdown().await;
}

/// 5. `lang=fr` on the sign-in route shows the login page in French.
#[tokio::test(flavor = "multi_thread")]
async fn sign_in_with_lang_fr_shows_french() {
    let demo = Demo::start().await;
    let run = demo.run("lang-fr", &[], Expect::NoErrors).await;

    assert_eq!(
        run.output["loginPageOnBackend"],
        Value::Bool(true),
        "{}",
        run.details()
    );
    assert_str(&run, "lang", "fr");
    assert_str(&run, "h1", "Connexion");
    demo.shutdown().await;
}

/// 6. A `state` changed on the login page is refused: the flow ends on the error page with
/// `invalid_state`, signed out.
#[tokio::test(flavor = "multi_thread")]
async fn tampered_state_ends_on_the_error_page() {
    let demo = Demo::start().await;
    let run = demo.run("tampered-state", &[], Expect::AuthErrorPage).await;

    let original = run.str("originalState").unwrap_or_default();
    assert!(
        !original.is_empty(),
        "the login form carries no state\n{}",
        run.details()
    );
    assert_ne!(
        run.str("stateSubmitted"),
        Some(original),
        "the state was not changed\n{}",
        run.details()
    );
    assert!(
        run.str("finalUrl")
            .is_some_and(|u| u.starts_with(&format!("{}/auth-error", demo.url()))),
        "{}",
        run.details()
    );
    assert_str(&run, "errorCode", "invalid_state");
    let cookies = cookie_names(&run, "sessionCookies");
    assert!(
        cookies.is_empty() && run.output["signedInUser"].is_null(),
        "a refused sign-in must not sign in (cookies {cookies:?})\n{}",
        run.details()
    );
    demo.shutdown().await;
}

/// 7. A flow whose cookies expired (5 minutes) ends on the error page with `timeout`.
#[tokio::test(flavor = "multi_thread")]
async fn expired_flow_ends_on_the_error_page() {
    let demo = Demo::start().await;
    let run = demo.run("expired-flow", &[], Expect::AuthErrorPage).await;

    let removed = strings(&run.output["removedFlowCookies"]);
    for name in [
        "com.amplify.server_auth.pkce",
        "com.amplify.server_auth.state",
    ] {
        assert!(
            removed.contains(&name),
            "the flow cookie {name} was not there to expire (removed {removed:?})\n{}",
            run.details()
        );
    }
    assert!(
        strings(&run.output["flowCookiesLeft"]).is_empty(),
        "{}",
        run.details()
    );
    assert!(
        run.str("finalUrl")
            .is_some_and(|u| u.starts_with(&format!("{}/auth-error", demo.url()))),
        "{}",
        run.details()
    );
    assert_str(&run, "errorCode", "timeout");
    let cookies = cookie_names(&run, "sessionCookies");
    assert!(
        cookies.is_empty() && run.output["signedInUser"].is_null(),
        "an expired sign-in must not sign in (cookies {cookies:?})\n{}",
        run.details()
    );
    demo.shutdown().await;
}

/// What the flow saw on a page it reached with the Back button.
#[derive(Debug)]
struct BackPage<'a> {
    url: &'a str,
    h1: Option<&'a str>,
    signed_in_user: Option<&'a str>,
    shows_username: Option<bool>,
}

fn back_page(value: &Value) -> BackPage<'_> {
    BackPage {
        url: value["url"].as_str().unwrap_or(""),
        h1: value["h1"].as_str(),
        signed_in_user: value["signedInUser"].as_str(),
        shows_username: value["showsUsername"].as_bool(),
    }
}

/// 8. Sign in, open every private page, sign out, then press Back through all of them: no page shows the
/// signed-out user's content (the browser cannot have kept a copy, so each page is asked for again and
/// answered as signed out).
#[tokio::test(flavor = "multi_thread")]
async fn back_after_sign_out_shows_no_private_page() {
    let demo = Demo::start().await;
    let run = demo
        .run("back-after-sign-out", &[], Expect::SignedOutApiCalls)
        .await;

    assert_str(&run, "signedInUser", DEMO_USERNAME);
    // Control: while signed in, every private page did show the user, so the checks below can fail.
    let private = run.output["privatePages"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(private.len(), 3, "{}", run.details());
    for visited in &private {
        assert_eq!(
            (
                visited["status"].as_u64(),
                visited["showsUsername"].as_bool()
            ),
            (Some(200), Some(true)),
            "{visited} while signed in\n{}",
            run.details()
        );
        assert_eq!(
            visited["cacheControl"].as_str(),
            Some("private, no-store"),
            "{visited}\n{}",
            run.details()
        );
    }
    assert!(
        cookie_names(&run, "sessionCookiesAfter").is_empty(),
        "{}",
        run.details()
    );
    let back = run.output["backPages"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(back.len(), 5, "{}", run.details());
    for value in &back {
        let page = back_page(value);
        assert!(
            page.signed_in_user.is_none() && page.shows_username == Some(false),
            "Back showed the signed-out user's page: {page:?}\n{}",
            run.details()
        );
    }
    // Back reached the pages themselves (asked again, answered signed out), not something else.
    let urls: Vec<&str> = back.iter().map(|v| back_page(v).url).collect();
    assert_eq!(urls[0], format!("{}/", demo.url()), "{}", run.details());
    assert_eq!(
        urls[1],
        format!("{}/apis/get-current-user", demo.url()),
        "{}",
        run.details()
    );
    demo.shutdown().await;
}

/// 9. Sign in from a protected page, then press Back once: the revisited sign-in callback does not show
/// "Sign-in did not complete" to the signed-in user, who stays signed in.
#[tokio::test(flavor = "multi_thread")]
async fn back_after_sign_in_keeps_the_user_signed_in() {
    let demo = Demo::start().await;
    let run = demo.run("back-after-sign-in", &[], Expect::NoErrors).await;

    assert_str(&run, "signedInUser", DEMO_USERNAME);
    let page = back_page(&run.output["afterBack"]);
    assert_ne!(
        page.h1,
        Some("Sign-in did not complete"),
        "{page:?}\n{}",
        run.details()
    );
    assert!(
        !page.url.starts_with(&format!("{}/auth-error", demo.url())),
        "{page:?}\n{}",
        run.details()
    );
    assert_eq!(
        page.signed_in_user,
        Some(DEMO_USERNAME),
        "after Back the user should be on a page of the demo, signed in: {page:?}\n{}",
        run.details()
    );
    assert_str(&run, "signedInUserLater", DEMO_USERNAME);
    demo.shutdown().await;
}

/// 10. Another site links to `/api/auth/sign-out`: the user gets the confirmation page, still signed in, and its
/// button signs them out for real (the posted confirmation must reach managed login's `/logout`, on another
/// origin, past the page's CSP `form-action 'self'`).
#[tokio::test(flavor = "multi_thread")]
async fn a_sign_out_confirmed_on_the_confirmation_page_signs_out() {
    let demo = Demo::start().await;
    let run = demo.run("confirm-sign-out", &[], Expect::NoErrors).await;

    assert_str(&run, "signedInUser", DEMO_USERNAME);
    assert_str(
        &run,
        "confirmationUrl",
        &format!("{}/api/auth/sign-out", demo.url()),
    );
    assert_str(&run, "confirmationH1", "Sign out?");
    assert_session_cookies(&run, "sessionCookiesAtConfirmation", &demo.client_id());

    assert_signed_out(&run, demo.url());
    demo.shutdown().await;
}

/// A user whose id token is over 6 KB, from 100 Cognito groups (in both tokens, so the access token
/// is too large too): the token cookies are split into chunks that each fit, the protected page is
/// served, the session is refreshed (its tokens are issued two hours in the past by amplify-local's
/// clock, so every visit of a protected page refreshes them and writes the chunks again), and signing
/// out clears every chunk.
#[tokio::test(flavor = "multi_thread")]
async fn a_user_with_an_id_token_over_6_kb_signs_in_refreshes_and_signs_out() {
    const BIG_USER: &str = "big-token-user";
    let demo = Demo::start().await;
    demo.backend()
        .create_user(
            BIG_USER,
            DEMO_PASSWORD,
            &[("email", "big-token-user@example.com")],
        )
        .expect("create the user");
    for i in 0..100 {
        let group = format!("team-{i:03}-with-a-rather-long-name-for-the-cookie-size-test");
        demo.backend()
            .add_user_to_group(BIG_USER, &group)
            .expect("add the user to a group");
    }
    demo.backend()
        .clock()
        .rewind(std::time::Duration::from_secs(2 * 3600));
    let run = demo
        .run("sign-out", &[("USERNAME", BIG_USER)], Expect::NoErrors)
        .await;

    assert_str(&run, "signedInUser", BIG_USER);
    let before = run.output["sessionCookiesBefore"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let chunks_of = |slot: &str| -> Vec<&Value> {
        before
            .iter()
            .filter(|c| c["name"].as_str().is_some_and(|n| n.contains(slot)))
            .collect()
    };
    let id_chunks = chunks_of(".idToken.");
    assert!(
        chunks_of(".accessToken.").len() >= 2,
        "the access token should be split too\n{}",
        run.details()
    );
    assert!(
        id_chunks.len() >= 2,
        "the id token should be split into chunks\n{}",
        run.details()
    );
    let joined: u64 = id_chunks.iter().filter_map(|c| c["size"].as_u64()).sum();
    assert!(joined > 6 * 1024, "{joined} bytes\n{}", run.details());
    for cookie in &before {
        let name = cookie["name"].as_str().unwrap_or("");
        assert!(!name.ends_with(".idToken"), "an unsplit id token {name}");
        assert_eq!(cookie["httpOnly"], Value::Bool(true), "{name}");
        assert!(
            cookie["size"].as_u64().is_some_and(|size| size <= 4096),
            "{name} does not fit in a cookie\n{}",
            run.details()
        );
    }
    let refreshes = demo.backend().operation_count("GetTokensFromRefreshToken")
        + demo.backend().operation_count("InitiateAuth");
    assert!(refreshes >= 1, "the session was never refreshed");
    assert_signed_out(&run, demo.url());
    demo.shutdown().await;
}

/// The statuses the flow's navigations to `/admin` got, in order.
fn admin_statuses(run: &BrowserRun, demo_url: &str) -> Vec<u64> {
    run.output["navigations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|n| n["url"].as_str() == Some(&format!("{demo_url}/admin")))
        .filter_map(|n| n["status"].as_u64())
        .collect()
}

/// The group guard: a signed-out visit of `/admin` goes to sign-in, and back on `/admin` a member of
/// the `admin` group sees the page.
#[tokio::test(flavor = "multi_thread")]
async fn the_admin_page_is_served_to_a_member_of_the_group_after_signing_in() {
    let demo = Demo::start().await;
    demo.backend()
        .add_user_to_group(DEMO_USERNAME, amplify_demo::app::ADMIN_GROUP)
        .expect("add the demo user to the group");
    let run = demo.run("admin-page", &[], Expect::NoErrors).await;
    assert_eq!(
        run.output["loginPageOnBackend"],
        Value::Bool(true),
        "{}",
        run.details()
    );
    assert_eq!(
        admin_statuses(&run, demo.url()),
        [302, 200],
        "{}",
        run.details()
    );
    assert_str(&run, "adminH1", "Admin");
    assert_str(&run, "finalUrl", &format!("{}/admin", demo.url()));
    demo.shutdown().await;
}

/// The group guard: a signed-in user outside the group gets `403` (the site's error page around the guard's
/// short body), not the page and not another trip to sign-in.
#[tokio::test(flavor = "multi_thread")]
async fn the_admin_page_is_403_for_a_signed_in_user_outside_the_group() {
    let demo = Demo::start().await;
    let run = demo
        .run("admin-page", &[], Expect::ForbiddenAdminPage)
        .await;
    assert_eq!(
        admin_statuses(&run, demo.url()),
        [302, 403],
        "{}",
        run.details()
    );
    // The site's error page, in its layout, with the guard's own answer as the folded detail.
    assert_str(&run, "adminH1", "Not allowed");
    assert_eq!(
        run.str("adminDetail").map(str::trim),
        Some(amplify_ssr::guard::FORBIDDEN_BODY.trim()),
        "{}",
        run.details()
    );
    demo.shutdown().await;
}

/// 12. "Forgot your password?" on amplify-local's login page: the reset page shows the code, the new
/// password works, the old one no longer does.
#[tokio::test(flavor = "multi_thread")]
async fn forgot_password_resets_the_password_and_signs_in() {
    let demo = Demo::start().await;
    let username = "e2e-forgetful";
    demo.backend()
        .create_user(
            username,
            "Old-passw0rd!",
            &[
                ("email", "forgetful@example.com"),
                ("email_verified", "true"),
            ],
        )
        .expect("create the user");
    let run = demo
        .run(
            "forgot-password",
            &[("USERNAME", username), ("NEW_PASSWORD", "New-passw0rd!")],
            Expect::NoErrors,
        )
        .await;
    let backend_url = demo.backend().base_url();
    assert!(
        run.str("forgotPageUrl")
            .is_some_and(|u| u.starts_with(&format!("{backend_url}/forgotPassword"))),
        "{}",
        run.details()
    );
    assert!(
        run.str("displayedCode")
            .is_some_and(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())),
        "the reset page shows no code\n{}",
        run.details()
    );
    assert!(
        run.str("notice").is_some_and(|n| n.contains("reset")),
        "{}",
        run.details()
    );
    assert_str(&run, "finalUrl", &format!("{}/dashboard", demo.url()));
    assert_str(&run, "signedInUser", username);
    assert_session_cookies(&run, "sessionCookies", &demo.client_id());
    assert_eq!(demo.backend().password_reset_code(username), None);
    demo.shutdown().await;
}

/// 13. The first sign-in of an admin-created user (temporary password) goes through the
/// new-password page to the dashboard.
#[tokio::test(flavor = "multi_thread")]
async fn admin_created_user_sets_a_password_at_first_sign_in() {
    let demo = Demo::start().await;
    let username = "e2e-invited";
    demo.backend()
        .create_user_with_temporary_password(username, "Temp-passw0rd!", &[])
        .expect("create the user");
    let run = demo
        .run(
            "admin-created-user",
            &[
                ("USERNAME", username),
                ("TEMPORARY_PASSWORD", "Temp-passw0rd!"),
                ("NEW_PASSWORD", "Chosen-passw0rd!"),
                ("NEW_EMAIL", "invited@example.com"),
            ],
            Expect::NoErrors,
        )
        .await;
    assert!(
        run.str("newPasswordPageUrl")
            .is_some_and(|u| u.starts_with(&demo.backend().base_url())),
        "{}",
        run.details()
    );
    assert_str(&run, "finalUrl", &format!("{}/dashboard", demo.url()));
    assert_str(&run, "signedInUser", username);
    assert_session_cookies(&run, "sessionCookies", &demo.client_id());
    demo.shutdown().await;
}

/// 14. Sign-in with TOTP on amplify-local's login page (a pool with optional MFA, so amplify-local
/// alone: the app's callback is answered by the browser script), the code computed from the
/// secret as an authenticator app would.
#[tokio::test(flavor = "multi_thread")]
async fn totp_sign_in_on_the_login_page_returns_a_code() {
    let data_dir = tempfile::Builder::new()
        .prefix("amplify-e2e-")
        .tempdir()
        .expect("create a temporary data directory");
    let backend = amplify_local::LocalBackend::start(
        amplify_local::LocalOptions::new(data_dir.path())
            .with_mfa(amplify_local::MfaMode::Optional),
    )
    .await
    .expect("start amplify-local");
    backend
        .create_user(DEMO_USERNAME, DEMO_PASSWORD, &[("email", DEMO_USERNAME)])
        .expect("create the user");
    let secret = backend.set_up_totp(DEMO_USERNAME).expect("TOTP");
    let callback = backend.callback_urls()[0].clone();
    let authorize = format!(
        "{}/oauth2/authorize?response_type=code&client_id={}&redirect_uri={}&scope=openid&state=e2e-totp\
         &code_challenge_method=S256&code_challenge={PKCE_CHALLENGE}",
        backend.base_url(),
        backend.client_id(),
        url_encode(&callback),
    );
    let env: PeerEnv = [
        ("DEMO_URL", backend.base_url()),
        ("BACKEND_URL", backend.base_url()),
        ("USERNAME", DEMO_USERNAME.to_owned()),
        ("PASSWORD", DEMO_PASSWORD.to_owned()),
        ("AUTHORIZE_URL", authorize),
        ("CALLBACK_URL", callback.clone()),
        ("TOTP_SECRET", secret),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let run = run_browser_flow("totp-sign-in", env).await;
    eprintln!("{}", run.details());
    assert_no_peer_error(&run.output);
    assert_eq!(
        run.output["shownCode"],
        0,
        "TOTP codes are not shown\n{}",
        run.details()
    );
    let landed = run.str("callbackUrl").unwrap_or_default();
    assert!(
        landed.starts_with(&callback)
            && landed.contains("code=")
            && landed.contains("state=e2e-totp"),
        "the sign-in should end on the callback with a code: {landed}\n{}",
        run.details()
    );
    // The code is good for tokens.
    let code = landed
        .split(['?', '&'])
        .find_map(|pair| pair.strip_prefix("code="))
        .expect("a code");
    let tokens: Value = reqwest::Client::new()
        .post(format!("{}/oauth2/token", backend.base_url()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", backend.client_id()),
            ("code", code),
            ("redirect_uri", &callback),
            ("code_verifier", PKCE_VERIFIER),
        ])
        .send()
        .await
        .expect("token request")
        .json()
        .await
        .expect("token JSON");
    assert!(tokens["id_token"].is_string(), "{tokens}");
    backend.shutdown().await;
}

/// A PKCE verifier and its S256 challenge.
const PKCE_VERIFIER: &str = "e2e-totp-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";
const PKCE_CHALLENGE: &str = "_aYhmZ5udt_w5BjOjd7PPRk72Psgum9M1b0P0ygHM0w";

/// Percent-encodes a query value.
fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
