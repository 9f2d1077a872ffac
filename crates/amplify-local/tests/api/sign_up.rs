//! SignUp, ConfirmSignUp, ResendConfirmationCode, USER_PASSWORD_AUTH.

use serde_json::json;

use crate::helpers::{Harness, PASSWORD};

async fn sign_up(
    h: &Harness,
    username: &str,
    password: &str,
    email: Option<&str>,
) -> crate::helpers::Answer {
    let mut attributes = vec![json!({ "Name": "given_name", "Value": "Erin" })];
    if let Some(email) = email {
        attributes.push(json!({ "Name": "email", "Value": email }));
    }
    h.call(
        "SignUp",
        json!({
            "ClientId": h.backend.client_id(),
            "Username": username,
            "Password": password,
            "UserAttributes": attributes,
        }),
    )
    .await
}

#[tokio::test]
async fn sign_up_confirm_and_sign_in() {
    let h = Harness::start().await;
    let body = sign_up(&h, "erin", PASSWORD, Some("erin@example.com"))
        .await
        .ok();
    assert_eq!(body["UserConfirmed"], false);
    let sub = body["UserSub"].as_str().expect("UserSub");
    assert_eq!(sub.len(), 36);
    assert_eq!(body["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    assert_eq!(body["CodeDeliveryDetails"]["AttributeName"], "email");
    assert_eq!(body["CodeDeliveryDetails"]["Destination"], "e***@e***");

    // Not confirmed yet: correct password, but UserNotConfirmedException.
    h.password_auth("erin", PASSWORD)
        .await
        .assert_error("UserNotConfirmedException");
    // Wrong password first is still "incorrect".
    h.password_auth("erin", "Wr0ng-password")
        .await
        .assert_error("NotAuthorizedException");

    sign_up(&h, "erin", PASSWORD, Some("erin@example.com"))
        .await
        .assert_error("UsernameExistsException");

    let first = h.backend.confirmation_code("erin").expect("code");
    assert_eq!(first.len(), 6);
    let resent = h
        .call(
            "ResendConfirmationCode",
            json!({ "ClientId": h.backend.client_id(), "Username": "erin" }),
        )
        .await
        .ok();
    assert_eq!(resent["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    let code = h.backend.confirmation_code("erin").expect("code");

    let wrong = if code == "000000" { "111111" } else { "000000" };
    h.call(
        "ConfirmSignUp",
        json!({ "ClientId": h.backend.client_id(), "Username": "erin", "ConfirmationCode": wrong }),
    )
    .await
    .assert_error("CodeMismatchException");
    h.call(
        "ConfirmSignUp",
        json!({ "ClientId": h.backend.client_id(), "Username": "erin", "ConfirmationCode": code }),
    )
    .await
    .ok();
    assert_eq!(h.backend.confirmation_code("erin"), None);
    h.call(
        "ConfirmSignUp",
        json!({ "ClientId": h.backend.client_id(), "Username": "erin", "ConfirmationCode": code }),
    )
    .await
    .assert_error("NotAuthorizedException");

    let result = h.sign_in("erin").await;
    assert_eq!(result["TokenType"], "Bearer");
    assert_eq!(result["ExpiresIn"], 3600);
    let id = crate::helpers::claims(result["IdToken"].as_str().expect("id token"));
    assert_eq!(id["sub"], sub);
    assert_eq!(id["email"], "erin@example.com");
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["given_name"], "Erin");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn sign_up_validation_errors() {
    let h = Harness::start().await;
    for weak in [
        "Sh0rt!",
        "alllower1!",
        "ALLUPPER1!",
        "NoDigits!!",
        "NoSymbols11",
    ] {
        sign_up(&h, "frank", weak, Some("f@example.com"))
            .await
            .assert_error("InvalidPasswordException");
    }
    sign_up(&h, "frank", PASSWORD, None)
        .await
        .assert_error("InvalidParameterException");
    sign_up(&h, "", PASSWORD, Some("f@example.com"))
        .await
        .assert_error("InvalidParameterException");
    h.call(
        "SignUp",
        json!({ "ClientId": "wrong", "Username": "frank", "Password": PASSWORD }),
    )
    .await
    .assert_error("ResourceNotFoundException");
    h.call(
        "ConfirmSignUp",
        json!({ "ClientId": h.backend.client_id(), "Username": "nobody", "ConfirmationCode": "123456" }),
    )
    .await
    .assert_error("CodeMismatchException");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn bad_credentials_do_not_reveal_users() {
    let h = Harness::start().await;
    h.user("gina");
    let unknown = h.password_auth("nobody", PASSWORD).await;
    unknown.assert_error("NotAuthorizedException");
    assert_eq!(unknown.body["message"], "Incorrect username or password.");
    let wrong = h.password_auth("gina", "Wr0ng-password").await;
    wrong.assert_error("NotAuthorizedException");
    assert_eq!(wrong.body["message"], "Incorrect username or password.");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn email_usernames_need_an_email_username_that_becomes_the_email_attribute() {
    let h = Harness::start_with(|options| options.with_email_usernames(true)).await;
    assert_eq!(
        h.backend.outputs()["auth"]["username_attributes"],
        json!(["email"])
    );
    let sign_up_bare = |username: &str| {
        h.call(
            "SignUp",
            json!({
                "ClientId": h.backend.client_id(),
                "Username": username,
                "Password": PASSWORD,
            }),
        )
    };
    for not_an_email in ["erin", "erin@", "@example.com", "erin@a@example.com"] {
        let answer = sign_up_bare(not_an_email).await;
        answer.assert_error("InvalidParameterException");
        assert_eq!(answer.body["message"], "Username should be an email.");
    }
    // Another address as the email attribute is refused; nothing is created.
    sign_up(&h, "erin@example.com", PASSWORD, Some("other@example.com"))
        .await
        .assert_error("InvalidParameterException");
    assert_eq!(h.backend.confirmation_code("erin@example.com"), None);

    // Without an email attribute, the username is the email.
    let body = sign_up_bare("erin@example.com").await.ok();
    assert_eq!(body["CodeDeliveryDetails"]["AttributeName"], "email");
    assert_eq!(body["CodeDeliveryDetails"]["Destination"], "e***@e***");
    // The same address (up to case) as the attribute is accepted.
    sign_up(&h, "lena@example.com", PASSWORD, Some("Lena@Example.com"))
        .await
        .ok();

    let code = h
        .backend
        .confirmation_code("erin@example.com")
        .expect("code");
    h.call(
        "ConfirmSignUp",
        json!({
            "ClientId": h.backend.client_id(),
            "Username": "erin@example.com",
            "ConfirmationCode": code,
        }),
    )
    .await
    .ok();
    let tokens = h.sign_in("erin@example.com").await;
    let user = h
        .get_user(tokens["AccessToken"].as_str().expect("access token"))
        .await
        .ok();
    assert_eq!(user["Username"], "erin@example.com");
    let email = user["UserAttributes"]
        .as_array()
        .expect("attributes")
        .iter()
        .find(|attribute| attribute["Name"] == "email")
        .map(|attribute| attribute["Value"].clone());
    assert_eq!(email, Some(json!("erin@example.com")));
    h.backend.shutdown().await;
}

#[tokio::test]
async fn plain_usernames_need_not_be_emails() {
    let h = Harness::start().await;
    assert_eq!(
        h.backend.outputs()["auth"]["username_attributes"],
        json!([])
    );
    // An email username with another email attribute is fine here.
    sign_up(&h, "erin@example.com", PASSWORD, Some("other@example.com"))
        .await
        .ok();
    h.backend.shutdown().await;
}
