//! No user enumeration, and Cognito's limits on guessing passwords and
//! confirmation codes, through the JSON API and the managed-login pages.
//! Lockouts are crossed by advancing the backend's clock, never by sleeping.

use std::time::Duration;

use amplify_local::{LocalBackend, LocalOptions};
use amplify_srp::SrpClient;
use serde_json::{Value, json};

use crate::helpers::{Answer, Harness, PASSWORD};
use crate::oauth_helpers::{Browser, authorize_params, form_of, pkce, sign_up_page};
use crate::srp::{initiate, srp_sign_in};

const WRONG: &str = "Wr0ng-passw0rd!";

/// The salt a USER_SRP_AUTH challenge names for `username`.
async fn salt(h: &Harness, username: &str) -> String {
    initiate(h, username, &SrpClient::new()).await["SALT"]
        .as_str()
        .expect("SALT")
        .to_owned()
}

/// Salts are what amplify-srp makes: lower-case hex of 16 bytes, minimal,
/// with a 00 byte in front when the top bit is set.
#[track_caller]
fn assert_salt_shape(salt: &str) {
    assert!(
        salt.len().is_multiple_of(2) && (20..=34).contains(&salt.len()),
        "{salt}"
    );
    assert!(
        salt.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{salt}"
    );
    let bytes: Vec<u8> = (0..salt.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&salt[i..i + 2], 16).expect("hex"))
        .collect();
    match bytes.as_slice() {
        [0, second, ..] => assert!(*second >= 0x80, "{salt}"),
        [first, ..] => assert!(*first < 0x80, "{salt}"),
        [] => panic!("empty salt"),
    }
}

#[tokio::test]
async fn unknown_users_get_a_stable_salt_shaped_like_a_real_one() {
    let h = Harness::start().await;
    h.user("real");
    let real = salt(&h, "real").await;
    assert_eq!(salt(&h, "real").await, real);
    let ghost = salt(&h, "ghost").await;
    assert_eq!(
        salt(&h, "ghost").await,
        ghost,
        "same unknown user, same salt"
    );
    assert_ne!(salt(&h, "ghost2").await, ghost, "other unknown user");
    assert_ne!(ghost, real);
    for salt in [&real, &ghost] {
        assert_salt_shape(salt);
    }
    // The decoy secret is kept in the data directory: stable over restarts.
    let Harness { backend, dir, http } = h;
    backend.shutdown().await;
    let backend = LocalBackend::start(LocalOptions::new(dir.path()))
        .await
        .expect("restart");
    let h = Harness { backend, dir, http };
    assert_eq!(salt(&h, "ghost").await, ghost);
    assert_eq!(salt(&h, "real").await, real);
    h.backend.shutdown().await;
}

#[tokio::test]
async fn unknown_users_cost_a_password_check_like_known_ones() {
    let h = Harness::start().await;
    h.user("kate");
    let checks = h.backend.password_checks();
    h.password_auth("kate", WRONG)
        .await
        .assert_error("NotAuthorizedException");
    assert_eq!(h.backend.password_checks(), checks + 1);
    let unknown = h.password_auth("nobody", WRONG).await;
    unknown.assert_error("NotAuthorizedException");
    assert_eq!(unknown.body["message"], "Incorrect username or password.");
    assert_eq!(h.backend.password_checks(), checks + 2);
    // SRP: the claim of an unknown user is checked against its decoy.
    srp_sign_in(&h, "nobody", PASSWORD)
        .await
        .assert_error("NotAuthorizedException");
    assert_eq!(h.backend.password_checks(), checks + 3);
    // The managed login form.
    let browser = Browser::new(&h);
    let params = authorize_params(h.backend.client_id(), &pkce(), &[]);
    let mut form = form_of(&params);
    form.extend([("username", "nobody"), ("password", WRONG)]);
    let page = browser.post("/login", &form).await;
    assert_eq!(page.text_of("error"), "Incorrect username or password.");
    assert_eq!(h.backend.password_checks(), checks + 4);
    h.backend.shutdown().await;
}

#[track_caller]
fn assert_message(answer: &Answer, code: &str, message: &str) {
    answer.assert_error(code);
    assert_eq!(answer.body["message"], message, "{}", answer.body);
}

async fn assert_incorrect(h: &Harness, username: &str, password: &str) {
    let answer = h.password_auth(username, password).await;
    assert_message(
        &answer,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
}

async fn assert_locked_out(h: &Harness, username: &str, password: &str) {
    let answer = h.password_auth(username, password).await;
    assert_message(
        &answer,
        "NotAuthorizedException",
        "Password attempts exceeded",
    );
}

#[tokio::test]
async fn five_wrong_passwords_lock_a_username_out_with_a_growing_back_off() {
    let h = Harness::start().await;
    h.backend.freeze_clock();
    h.user("liam");
    for username in ["liam", "ghost"] {
        for _ in 0..5 {
            assert_incorrect(&h, username, WRONG).await;
        }
        // The right password does not help during the lockout, and the
        // lockout looks the same whether the user exists or not.
        assert_locked_out(&h, username, PASSWORD).await;
    }
    let checks = h.backend.password_checks();
    assert_locked_out(&h, "liam", PASSWORD).await;
    assert_eq!(
        h.backend.password_checks(),
        checks,
        "no hash during a lockout"
    );
    // SRP is limited the same way.
    let srp = srp_sign_in(&h, "liam", PASSWORD).await;
    assert_message(&srp, "NotAuthorizedException", "Password attempts exceeded");

    // The first lockout lasts one second; one more failure doubles it.
    h.backend.advance_clock(Duration::from_secs(1));
    assert_incorrect(&h, "liam", WRONG).await;
    assert_locked_out(&h, "liam", PASSWORD).await;
    h.backend.advance_clock(Duration::from_secs(1));
    assert_locked_out(&h, "liam", PASSWORD).await;
    h.backend.advance_clock(Duration::from_secs(1));
    // A success clears the count: five more failures before a lockout.
    h.sign_in("liam").await;
    for _ in 0..5 {
        assert_incorrect(&h, "liam", WRONG).await;
    }
    assert_locked_out(&h, "liam", PASSWORD).await;
    // Other users are not affected.
    h.user("mona");
    h.sign_in("mona").await;
    h.backend.shutdown().await;
}

#[tokio::test]
async fn the_login_page_is_limited_too() {
    let h = Harness::start().await;
    h.backend.freeze_clock();
    h.user("nick");
    let browser = Browser::new(&h);
    let params = authorize_params(h.backend.client_id(), &pkce(), &[]);
    let post = |password: &'static str| {
        let mut form = form_of(&params);
        form.extend([("username", "nick"), ("password", password)]);
        let browser = &browser;
        async move { browser.post("/login", &form).await }
    };
    for _ in 0..5 {
        let page = post(WRONG).await;
        assert_eq!(page.text_of("error"), "Incorrect username or password.");
    }
    let page = post(PASSWORD).await;
    assert_eq!(page.status, 400);
    assert_eq!(
        page.text_of("error"),
        "Too many failed attempts. Wait a moment, then try again."
    );
    // The API and the pages share the count.
    assert_locked_out(&h, "nick", PASSWORD).await;
    h.backend.advance_clock(Duration::from_secs(1));
    let page = post(PASSWORD).await;
    assert_eq!(page.status, 302, "{}", page.body);
    h.backend.shutdown().await;
}

async fn confirm(h: &Harness, username: &str, code: &str) -> Answer {
    h.call(
        "ConfirmSignUp",
        json!({
            "ClientId": h.backend.client_id(),
            "Username": username,
            "ConfirmationCode": code,
        }),
    )
    .await
}

/// A wrong code for a user (codes are six digits).
fn wrong_code(right: &str) -> &'static str {
    if right == "000000" {
        "000001"
    } else {
        "000000"
    }
}

#[tokio::test]
async fn wrong_confirmation_codes_are_limited() {
    let h = Harness::start().await;
    h.backend.freeze_clock();
    crate::attributes::sign_up(&h, "olly", &[]).await.ok();
    let code = h.backend.confirmation_code("olly").expect("code");
    for username in ["olly", "ghost"] {
        for _ in 0..5 {
            let answer = confirm(&h, username, wrong_code(&code)).await;
            answer.assert_error("CodeMismatchException");
        }
        let answer = confirm(&h, username, &code).await;
        assert_message(
            &answer,
            "LimitExceededException",
            "Attempt limit exceeded, please try after some time.",
        );
    }
    h.backend.advance_clock(Duration::from_secs(1));
    confirm(&h, "olly", &code).await.ok();
    h.sign_in("olly").await;
    // Confirming again is not a guess: it never locks anyone out.
    for _ in 0..6 {
        confirm(&h, "olly", &code)
            .await
            .assert_error("NotAuthorizedException");
    }
    h.backend.shutdown().await;
}

#[tokio::test]
async fn the_confirm_page_is_limited_too() {
    let h = Harness::start().await;
    h.backend.freeze_clock();
    let browser = Browser::new(&h);
    let page = sign_up_page(&h, &browser, "pete", "pete@example.com", PASSWORD).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let params = authorize_params(h.backend.client_id(), &pkce(), &[]);
    let code = page.text_of("confirmation-code");
    let post = |code: String| {
        let (params, browser) = (&params, &browser);
        async move {
            let mut form = form_of(params);
            form.extend([("username", "pete"), ("code", code.as_str())]);
            browser.post("/confirm", &form).await
        }
    };
    for _ in 0..5 {
        let page = post(wrong_code(&code).to_owned()).await;
        assert_eq!(
            page.text_of("error"),
            "Invalid verification code provided, please try again."
        );
    }
    let page = post(code.clone()).await;
    assert_eq!(
        page.text_of("error"),
        "Too many failed attempts. Wait a moment, then try again."
    );
    h.backend.advance_clock(Duration::from_secs(1));
    let page = post(code).await;
    assert_eq!(page.status, 302, "{}", page.body);
    let status: Value = h
        .admin(
            "AdminGetUser",
            json!({ "UserPoolId": h.backend.user_pool_id(), "Username": "pete" }),
        )
        .await
        .ok();
    assert_eq!(status["UserStatus"], "CONFIRMED");
    h.backend.shutdown().await;
}
