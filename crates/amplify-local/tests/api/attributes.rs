//! What attribute-writing calls accept: no reserved or undeclared
//! attributes, values of at most 2,048 characters, usernames in Cognito's
//! pattern; administrators may set the `*_verified` flags.

use serde_json::{Value, json};

use crate::helpers::{Answer, Harness, PASSWORD};
use crate::oauth_helpers::{Browser, sign_up_page, sign_up_page_in};

/// SignUp with an email and more attributes.
pub(crate) async fn sign_up(h: &Harness, username: &str, attributes: &[(&str, &str)]) -> Answer {
    let mut list = vec![json!({ "Name": "email", "Value": format!("{username}@example.com") })];
    list.extend(
        attributes
            .iter()
            .map(|(name, value)| json!({ "Name": name, "Value": value })),
    );
    h.call(
        "SignUp",
        json!({
            "ClientId": h.backend.client_id(),
            "Username": username,
            "Password": PASSWORD,
            "UserAttributes": list,
        }),
    )
    .await
}

async fn admin_create(h: &Harness, username: &str, attributes: &[(&str, &str)]) -> Answer {
    let list: Vec<Value> = attributes
        .iter()
        .map(|(name, value)| json!({ "Name": name, "Value": value }))
        .collect();
    h.admin(
        "AdminCreateUser",
        json!({
            "UserPoolId": h.backend.user_pool_id(),
            "Username": username,
            "TemporaryPassword": "Temp-Pass1",
            "MessageAction": "SUPPRESS",
            "UserAttributes": list,
        }),
    )
    .await
}

/// Asserts an InvalidParameterException whose message names `what`.
#[track_caller]
fn assert_refused(answer: &Answer, what: &str) {
    answer.assert_error("InvalidParameterException");
    let message = answer.body["message"].as_str().unwrap_or_default();
    assert!(message.contains(what), "{what}: {message}");
}

#[tokio::test]
async fn sign_up_refuses_reserved_undeclared_and_oversized_attributes() {
    let h = Harness::start().await;
    for name in [
        "email_verified",
        "phone_number_verified",
        "identities",
        "cognito:groups",
        "cognito:username",
        "sub",
        "custom:team",
        "nonsense",
    ] {
        assert_refused(&sign_up(&h, "quin", &[(name, "true")]).await, name);
    }
    let long = "x".repeat(2049);
    assert_refused(&sign_up(&h, "quin", &[("name", &long)]).await, "2048");
    // Nothing was created by the refused calls.
    let fits = "x".repeat(2048);
    sign_up(&h, "quin", &[("name", &fits), ("given_name", "Q")])
        .await
        .ok();
    h.backend.shutdown().await;
}

#[tokio::test]
async fn declared_custom_attributes_may_be_written() {
    let h = Harness::start_with(|o| o.with_custom_attribute("custom:team")).await;
    sign_up(&h, "rae", &[("custom:team", "blue")]).await.ok();
    assert_refused(
        &sign_up(&h, "rae2", &[("custom:other", "x")]).await,
        "--custom-attribute other",
    );
    let code = h.backend.confirmation_code("rae").expect("code");
    h.call(
        "ConfirmSignUp",
        json!({ "ClientId": h.backend.client_id(), "Username": "rae", "ConfirmationCode": code }),
    )
    .await
    .ok();
    let id = crate::helpers::claims(h.sign_in("rae").await["IdToken"].as_str().expect("id"));
    assert_eq!(id["custom:team"], "blue");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn usernames_outside_cognitos_pattern_are_refused() {
    let h = Harness::start().await;
    let too_long = "u".repeat(129);
    for username in [
        "zero\u{200B}width",
        "right\u{202E}left",
        "soft\u{AD}hyphen",
        "two words",
        "tab\tbed",
        too_long.as_str(),
    ] {
        let answer = sign_up(&h, username, &[]).await;
        assert_refused(&answer, "username");
        let answer = admin_create(&h, username, &[]).await;
        assert_refused(&answer, "username");
    }
    let pattern = sign_up(&h, "zero\u{200B}width", &[]).await;
    assert_refused(&pattern, "U+200B");
    // Letters, marks, symbols, numbers and punctuation of any script are fine.
    sign_up(&h, "zoë-用户+1@example.com", &[]).await.ok();

    // The managed sign-up page says so too.
    let browser = Browser::new(&h);
    let page = sign_up_page(
        &h,
        &browser,
        "page\u{200B}user",
        "page@example.com",
        PASSWORD,
    )
    .await;
    assert_eq!(page.status, 400);
    assert!(
        page.text_of("error").contains("invisible characters"),
        "{}",
        page.body
    );
    h.backend.shutdown().await;
}

#[tokio::test]
async fn the_sign_up_page_names_what_is_wrong_in_the_users_language() {
    let h = Harness::start().await;
    let browser = Browser::new(&h);
    let too_long = "u".repeat(129);
    for (lang, length, characters) in [
        (
            "en",
            "The username must have at most 128 characters.",
            "invisible characters",
        ),
        (
            "ja",
            "ユーザー名は128文字以内で入力してください。",
            "不可視文字",
        ),
    ] {
        let form = (too_long.as_str(), "long@example.com", PASSWORD);
        let page = sign_up_page_in(&h, &browser, lang, form).await;
        assert_eq!(page.status, 400);
        assert_eq!(page.text_of("error"), length, "{lang}");
        let form = ("page\u{200B}user", "page@example.com", PASSWORD);
        let page = sign_up_page_in(&h, &browser, lang, form).await;
        assert_eq!(page.status, 400);
        assert!(page.text_of("error").contains(characters), "{lang}");
    }
    h.backend.shutdown().await;
}

#[tokio::test]
async fn admins_may_set_verified_flags_but_not_reserved_attributes() {
    let h = Harness::start().await;
    admin_create(
        &h,
        "sam",
        &[("email", "sam@example.com"), ("email_verified", "true")],
    )
    .await
    .ok();
    let user = h
        .admin(
            "AdminGetUser",
            json!({ "UserPoolId": h.backend.user_pool_id(), "Username": "sam" }),
        )
        .await
        .ok();
    assert!(
        user["UserAttributes"]
            .as_array()
            .expect("attributes")
            .contains(&json!({ "Name": "email_verified", "Value": "true" }))
    );
    for (name, value) in [
        ("identities", "[]"),
        ("cognito:groups", "admins"),
        ("sub", "mine"),
        ("custom:team", "blue"),
        ("email_verified", "yes"),
    ] {
        assert_refused(&admin_create(&h, "sam2", &[(name, value)]).await, name);
    }
    h.backend.shutdown().await;
}

#[tokio::test]
async fn new_password_challenge_refuses_reserved_attributes_and_keeps_the_session() {
    let h = Harness::start().await;
    admin_create(&h, "tia", &[("email", "tia@example.com")])
        .await
        .ok();
    let challenge = h.password_auth("tia", "Temp-Pass1").await.ok();
    let session = challenge["Session"].as_str().expect("Session").to_owned();
    let respond = |attributes: Value| {
        let mut responses = json!({ "USERNAME": "tia", "NEW_PASSWORD": PASSWORD });
        if let (Some(responses), Some(attributes)) =
            (responses.as_object_mut(), attributes.as_object())
        {
            responses.extend(attributes.clone());
        }
        h.call(
            "RespondToAuthChallenge",
            json!({
                "ChallengeName": "NEW_PASSWORD_REQUIRED",
                "ClientId": h.backend.client_id(),
                "Session": session,
                "ChallengeResponses": responses,
            }),
        )
    };
    for name in ["email_verified", "cognito:groups", "identities", "sub"] {
        let answer = respond(json!({ format!("userAttributes.{name}"): "true" })).await;
        assert_refused(&answer, name);
    }
    let long = "y".repeat(2049);
    assert_refused(
        &respond(json!({ "userAttributes.name": long })).await,
        "2048",
    );
    // The refusals did not use the session up.
    let done = respond(json!({ "userAttributes.name": "Tia" })).await.ok();
    let id = crate::helpers::claims(
        done["AuthenticationResult"]["IdToken"]
            .as_str()
            .expect("id"),
    );
    assert_eq!(id["name"], "Tia");
    assert_eq!(id["email_verified"], false);
    h.backend.shutdown().await;
}
