//! Managed login's challenge pages (new password, TOTP, SMS/email codes,
//! factor choice, MFA set-up) and password-reset pages.

use std::time::{Duration, UNIX_EPOCH};

use amplify_local::{MfaFactor, MfaMode, totp_code};
use serde_json::json;

use crate::helpers::{Harness, PASSWORD};
use crate::oauth_helpers::{Browser, Page, authorize_params, authorize_path, exchange, pkce};

const NEW_PASSWORD: &str = "An0ther-secret!";

/// The authorize parameters of a flow plus the fields of one form.
fn form<'a>(
    params: &'a [(String, String)],
    fields: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut out: Vec<(&str, &str)> = params
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    out.extend_from_slice(fields);
    out
}

/// The hidden challenge fields of a page.
fn challenge_fields(page: &Page) -> (String, String, String) {
    (
        page.input_value_by_name("session"),
        page.input_value_by_name("challenge"),
        page.input_value_by_name("username"),
    )
}

async fn answer(
    browser: &Browser,
    params: &[(String, String)],
    page: &Page,
    fields: &[(&str, &str)],
) -> Page {
    let (session, challenge, username) = challenge_fields(page);
    let mut all = vec![
        ("session", session.as_str()),
        ("challenge", challenge.as_str()),
        ("username", username.as_str()),
    ];
    all.extend_from_slice(fields);
    browser.post("/login/challenge", &form(params, &all)).await
}

fn now_secs(h: &Harness) -> i64 {
    let since = h
        .backend
        .clock()
        .now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970");
    i64::try_from(since.as_secs()).expect("fits")
}

#[tokio::test]
async fn totp_is_set_up_and_then_asked_on_the_login_page() {
    let h = Harness::start_with(|o| {
        o.with_mfa(MfaMode::Required)
            .with_mfa_factors([MfaFactor::Totp])
    })
    .await;
    h.backend.freeze_clock();
    h.user("lena");
    let browser = Browser::new(&h);
    let p = pkce();
    let params = authorize_params(h.backend.client_id(), &p, &[]);
    browser.get(&authorize_path(&h, &p, &[])).await;
    let setup = browser
        .post(
            "/login",
            &form(&params, &[("username", "lena"), ("password", PASSWORD)]),
        )
        .await;
    assert_eq!(setup.status, 200, "{}", setup.body);
    assert!(setup.has_id("mfa-setup-form"));
    assert_eq!(setup.autofocused(), ["code"]);
    let secret = setup.text_of("totp-secret");
    assert!(
        setup
            .text_of("totp-uri")
            .starts_with("otpauth://totp/amplify-local:lena?secret=")
    );
    let wrong = answer(&browser, &params, &setup, &[("code", "12345")]).await;
    assert_eq!(wrong.status, 400);
    wrong.assert_error_has_focus();
    assert_eq!(
        wrong.text_of("totp-secret"),
        secret,
        "the same secret again"
    );
    let code = totp_code(&secret, now_secs(&h)).expect("code");
    let done = answer(&browser, &params, &wrong, &[("code", &code)]).await;
    let code = done.code("st-123");
    exchange(&h, &code, &p.verifier).await.ok();

    // Next time: the TOTP code page (after the browser's session ends).
    let browser = Browser::new(&h);
    browser.get(&authorize_path(&h, &p, &[])).await;
    let asked = browser
        .post(
            "/login",
            &form(&params, &[("username", "lena"), ("password", PASSWORD)]),
        )
        .await;
    assert!(asked.has_id("mfa-form"), "{}", asked.body);
    assert!(!asked.has_id("mfa-code"), "TOTP codes are not shown");
    assert_eq!(asked.autofocused(), ["code"]);
    h.backend.advance_clock(Duration::from_secs(30));
    let wrong = answer(&browser, &params, &asked, &[("code", "000000x")]).await;
    assert_eq!(wrong.status, 400);
    assert_eq!(
        wrong.text_of("error"),
        "The code is wrong. Please try again."
    );
    wrong.assert_error_has_focus();
    let code = totp_code(&secret, now_secs(&h)).expect("code");
    let done = answer(&browser, &params, &wrong, &[("code", &code)]).await;
    assert!(browser.has_session());
    exchange(&h, &done.code("st-123"), &p.verifier).await.ok();
    h.backend.shutdown().await;
}

#[tokio::test]
async fn a_challenge_page_answers_only_for_its_sessions_user() {
    let h = Harness::start_with(|o| {
        o.with_mfa(MfaMode::Required)
            .with_mfa_factors([MfaFactor::Totp])
    })
    .await;
    h.user("lena");
    h.user("mallory");
    let p = pkce();
    let params = authorize_params(h.backend.client_id(), &p, &[]);
    let setup_of = |name: &'static str| {
        let h = &h;
        let p = &p;
        let params = &params;
        async move {
            let browser = Browser::new(h);
            browser.get(&authorize_path(h, p, &[])).await;
            let setup = browser
                .post(
                    "/login",
                    &form(params, &[("username", name), ("password", PASSWORD)]),
                )
                .await;
            assert!(setup.has_id("mfa-setup-form"), "{}", setup.body);
            (browser, setup)
        }
    };
    let (_lena, lena_setup) = setup_of("lena").await;
    let lena_secret = lena_setup.text_of("totp-secret");
    let (mallory, setup) = setup_of("mallory").await;
    // Mallory's own session, naming Lena: refused, and Lena's secret unseen.
    let (session, challenge, _) = challenge_fields(&setup);
    let forged = mallory
        .post(
            "/login/challenge",
            &form(
                &params,
                &[
                    ("session", session.as_str()),
                    ("challenge", challenge.as_str()),
                    ("username", "lena"),
                    ("code", "12345"),
                ],
            ),
        )
        .await;
    assert!(!forged.body.contains(&lena_secret), "{}", forged.body);
    assert!(forged.has_id("login-form"), "{}", forged.body);
    assert_eq!(
        forged.text_of("error"),
        "This sign-in took too long or was already used. Please sign in again."
    );
    h.backend.shutdown().await;
}

#[tokio::test]
async fn a_session_is_answered_only_with_the_client_it_started_with() {
    let h =
        Harness::start_with(|o| o.with_mfa(MfaMode::Optional).with_confidential_client(true)).await;
    h.backend
        .create_user("cleo", PASSWORD, &[("phone_number", "+15555550123")])
        .expect("user");
    h.admin(
        "AdminSetUserMFAPreference",
        json!({
            "UserPoolId": h.backend.user_pool_id(),
            "Username": "cleo",
            "SMSMfaSettings": { "Enabled": true, "PreferredMfa": true },
        }),
    )
    .await
    .ok();
    // A session of the public client (the JSON API)…
    let sms = h.password_auth("cleo", PASSWORD).await.ok();
    let session = sms["Session"].as_str().expect("session").to_owned();
    let code = h.backend.mfa_code("cleo").expect("a pending code");
    // …answered on the confidential client's login page: refused.
    let (id, _) = h
        .backend
        .confidential_client()
        .expect("confidential client");
    let p = pkce();
    let params = authorize_params(&id, &p, &[]);
    let browser = Browser::new(&h);
    browser
        .get(&authorize_path(&h, &p, &[]).replace(h.backend.client_id(), &id))
        .await;
    let answered = browser
        .post(
            "/login/challenge",
            &form(
                &params,
                &[
                    ("session", session.as_str()),
                    ("challenge", "SMS_MFA"),
                    ("username", "cleo"),
                    ("code", code.as_str()),
                ],
            ),
        )
        .await;
    assert!(answered.has_id("login-form"), "{}", answered.body);
    assert_eq!(
        answered.text_of("error"),
        "This sign-in took too long or was already used. Please sign in again."
    );
    assert!(!browser.has_session());
    // The session still works with its own client.
    let done = h
        .call(
            "RespondToAuthChallenge",
            json!({
                "ChallengeName": "SMS_MFA",
                "ClientId": h.backend.client_id(),
                "Session": session,
                "ChallengeResponses": { "USERNAME": "cleo", "SMS_MFA_CODE": code },
            }),
        )
        .await
        .ok();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
    h.backend.shutdown().await;
}

#[tokio::test]
async fn email_and_sms_codes_are_shown_after_choosing_a_factor() {
    let h = Harness::start_with(|o| o.with_mfa(MfaMode::Optional)).await;
    h.backend
        .create_user(
            "mona",
            PASSWORD,
            &[
                ("email", "mona@example.com"),
                ("phone_number", "+15555550111"),
            ],
        )
        .expect("user");
    h.admin(
        "AdminSetUserMFAPreference",
        json!({
            "UserPoolId": h.backend.user_pool_id(),
            "Username": "mona",
            "SMSMfaSettings": { "Enabled": true },
            "EmailMfaSettings": { "Enabled": true },
        }),
    )
    .await
    .ok();
    let browser = Browser::new(&h);
    let p = pkce();
    let params = authorize_params(h.backend.client_id(), &p, &[("lang", "fr")]);
    browser
        .get(&authorize_path(&h, &p, &[("lang", "fr")]))
        .await;
    let select = browser
        .post(
            "/login",
            &form(&params, &[("username", "mona"), ("password", PASSWORD)]),
        )
        .await;
    assert!(select.has_id("select-mfa-form"), "{}", select.body);
    assert!(select.has_id("choose-SMS_MFA") && select.has_id("choose-EMAIL_OTP"));
    assert!(select.body.contains("<html lang=\"fr\">"));
    let sms = answer(&browser, &params, &select, &[("answer", "SMS_MFA")]).await;
    assert!(sms.has_id("mfa-form"), "{}", sms.body);
    assert_eq!(sms.autofocused(), ["code"]);
    let shown = sms.text_of("mfa-code");
    assert_eq!(Some(shown.clone()), h.backend.mfa_code("mona"));
    assert!(
        sms.body
            .contains("amplify-local n&#39;envoie ni SMS ni e-mail")
    );
    let done = answer(&browser, &params, &sms, &[("code", &shown)]).await;
    exchange(&h, &done.code("st-123"), &p.verifier).await.ok();
    h.backend.shutdown().await;
}

#[tokio::test]
async fn admin_created_user_chooses_a_password_on_the_login_page() {
    let h = Harness::start().await;
    h.admin(
        "AdminCreateUser",
        json!({
            "UserPoolId": h.backend.user_pool_id(),
            "Username": "nick",
            "TemporaryPassword": "Temp-Pass1!",
            "MessageAction": "SUPPRESS",
        }),
    )
    .await
    .ok();
    let browser = Browser::new(&h);
    let p = pkce();
    let params = authorize_params(h.backend.client_id(), &p, &[]);
    browser.get(&authorize_path(&h, &p, &[])).await;
    let page = browser
        .post(
            "/login",
            &form(
                &params,
                &[("username", "nick"), ("password", "Temp-Pass1!")],
            ),
        )
        .await;
    assert!(page.has_id("new-password-form"), "{}", page.body);
    assert!(page.has_id("email"), "the pool requires an email");
    assert_eq!(page.visible_inputs(), ["new-password", "email"]);
    assert_eq!(page.autofocused(), ["new-password"]);
    // A weak password is explained, and the page still works.
    let weak = answer(
        &browser,
        &params,
        &page,
        &[("new-password", "weak"), ("email", "nick@example.com")],
    )
    .await;
    assert_eq!(weak.status, 400);
    assert!(weak.has_id("new-password-form"));
    weak.assert_error_has_focus();
    let done = answer(
        &browser,
        &params,
        &weak,
        &[
            ("new-password", NEW_PASSWORD),
            ("email", "nick@example.com"),
        ],
    )
    .await;
    let tokens = exchange(&h, &done.code("st-123"), &p.verifier).await.ok();
    assert!(tokens["id_token"].is_string());
    h.password_auth("nick", NEW_PASSWORD).await.ok();
    // A forged session is refused with the login form.
    let forged = browser
        .post(
            "/login/challenge",
            &form(
                &params,
                &[
                    ("session", "forged"),
                    ("challenge", "NEW_PASSWORD_REQUIRED"),
                    ("username", "nick"),
                    ("new-password", NEW_PASSWORD),
                ],
            ),
        )
        .await;
    assert!(forged.has_id("login-form"));
    assert!(forged.has_id("error"));
    h.backend.shutdown().await;
}

#[tokio::test]
async fn forgot_password_pages_reset_the_password() {
    let h = Harness::start().await;
    h.user("owen");
    let browser = Browser::new(&h);
    let p = pkce();
    let params = authorize_params(h.backend.client_id(), &p, &[]);
    let login = browser.get(&authorize_path(&h, &p, &[])).await;
    assert!(login.body.contains("href=\"/forgotPassword?"));
    let forgot = browser
        .get(&authorize_path(&h, &p, &[]).replace("/oauth2/authorize", "/forgotPassword"))
        .await;
    assert_eq!(forgot.status, 200, "{}", forgot.body);
    assert!(forgot.has_id("forgot-form"));
    assert_eq!(forgot.autofocused(), ["username"]);
    let reset = browser
        .post("/forgotPassword", &form(&params, &[("username", "owen")]))
        .await;
    assert!(reset.has_id("reset-form"), "{}", reset.body);
    assert_eq!(reset.autofocused(), ["code"]);
    assert_eq!(reset.visible_inputs(), ["code", "new-password"]);
    let code = reset.text_of("reset-code");
    assert_eq!(Some(code.clone()), h.backend.password_reset_code("owen"));
    // An unknown username gets the same page, with a decoy code.
    let unknown = browser
        .post("/forgotPassword", &form(&params, &[("username", "nobody")]))
        .await;
    assert_eq!(unknown.status, reset.status);
    let decoy = unknown.text_of("reset-code");
    assert_eq!(decoy.len(), code.len());
    assert_eq!(
        unknown
            .body
            .replace("nobody", "owen")
            .replace(&decoy, &code),
        reset.body
    );
    // Another browser naming Owen never sees his code: not on a wrong
    // answer, not on a refused form.
    let other = Browser::new(&h);
    other.get(&authorize_path(&h, &p, &[])).await;
    let guess = other
        .post(
            "/confirmForgotPassword",
            &form(
                &params,
                &[
                    ("username", "owen"),
                    ("code", "12345"),
                    ("new-password", NEW_PASSWORD),
                ],
            ),
        )
        .await;
    assert_eq!(guess.status, 400);
    assert!(!guess.has_id("reset-code"), "{}", guess.body);
    assert!(!guess.body.contains(&code), "{}", guess.body);
    let forged = other
        .post_with(
            "/confirmForgotPassword",
            &form(
                &params,
                &[("username", "owen"), ("code", "1"), ("_csrf", "forged")],
            ),
            &[],
        )
        .await;
    assert!(!forged.body.contains(&code), "{}", forged.body);
    let wrong_code = if code == "000000" { "111111" } else { "000000" };
    let wrong = browser
        .post(
            "/confirmForgotPassword",
            &form(
                &params,
                &[
                    ("username", "owen"),
                    ("code", wrong_code),
                    ("new-password", NEW_PASSWORD),
                ],
            ),
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(
        wrong.text_of("error"),
        "The code is wrong. Please try again."
    );
    wrong.assert_error_has_focus();
    let done = browser
        .post(
            "/confirmForgotPassword",
            &form(
                &params,
                &[
                    ("username", "owen"),
                    ("code", &code),
                    ("new-password", NEW_PASSWORD),
                ],
            ),
        )
        .await;
    assert!(done.has_id("login-form"), "{}", done.body);
    assert!(done.has_id("notice"));
    // The username is filled in: the password has focus.
    assert_eq!(done.input_value("username"), "owen");
    assert_eq!(done.autofocused(), ["password"]);
    h.password_auth("owen", NEW_PASSWORD).await.ok();

    // Without the anti-CSRF token, nothing happens.
    let refused = browser
        .post_with(
            "/forgotPassword",
            &form(&params, &[("username", "owen"), ("_csrf", "forged")]),
            &[],
        )
        .await;
    assert_eq!(refused.status, 403);
    h.backend.shutdown().await;
}
