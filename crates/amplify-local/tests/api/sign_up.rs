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
