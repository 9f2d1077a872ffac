//! Password reset, ChangePassword, attribute updates and verification,
//! DeleteUser, and the built-in CUSTOM_CHALLENGE.

use serde_json::{Value, json};

use crate::helpers::{Harness, PASSWORD, SECOND, other_code};

const NEW_PASSWORD: &str = "An0ther-secret!";

fn text(value: &Value) -> String {
    value.as_str().expect("a string").to_owned()
}

#[tokio::test]
async fn forgot_password_resets_with_the_shown_code() {
    let h = Harness::start().await;
    h.backend.freeze_clock();
    h.user("rita");
    let client = h.backend.client_id().to_owned();
    let forgot = |username: &str| {
        h.call(
            "ForgotPassword",
            json!({ "ClientId": client, "Username": username }),
        )
    };
    let confirm = |code: &str, password: &str| {
        h.call(
            "ConfirmForgotPassword",
            json!({
                "ClientId": client,
                "Username": "rita",
                "ConfirmationCode": code,
                "Password": password,
            }),
        )
    };
    let sent = forgot("rita").await.ok();
    assert_eq!(
        sent["CodeDeliveryDetails"],
        json!({ "Destination": "r***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email" })
    );
    let code = h.backend.password_reset_code("rita").expect("a code");
    confirm(other_code(&code), NEW_PASSWORD)
        .await
        .assert_error("CodeMismatchException");
    confirm(&code, "weak")
        .await
        .assert_error("InvalidPasswordException");
    confirm(&code, NEW_PASSWORD).await.ok();
    assert_eq!(h.backend.password_reset_code("rita"), None);
    confirm(&code, NEW_PASSWORD)
        .await
        .assert_error("CodeMismatchException");
    h.password_auth("rita", PASSWORD)
        .await
        .assert_error("NotAuthorizedException");
    h.password_auth("rita", NEW_PASSWORD).await.ok();

    // Codes expire after an hour.
    forgot("rita").await.ok();
    let code = h.backend.password_reset_code("rita").expect("a code");
    h.backend.advance_clock(SECOND * 3601);
    confirm(&code, PASSWORD)
        .await
        .assert_error("ExpiredCodeException");

    // Wrong answers are limited: the code is void after five, and the
    // username is locked out for a while.
    forgot("rita").await.ok();
    let code = h.backend.password_reset_code("rita").expect("a code");
    for _ in 0..5 {
        confirm(other_code(&code), PASSWORD)
            .await
            .assert_error("CodeMismatchException");
    }
    confirm(&code, PASSWORD)
        .await
        .assert_error("LimitExceededException");
    h.backend.advance_clock(SECOND * 60);
    confirm(&code, PASSWORD)
        .await
        .assert_error("ExpiredCodeException");

    // Unknown users get a plausible answer.
    let fake = forgot("nobody").await.ok();
    assert_eq!(fake["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn forgot_password_needs_a_verified_address_and_a_settled_account() {
    let h = Harness::start().await;
    let client = h.backend.client_id().to_owned();
    h.backend
        .create_user("una", PASSWORD, &[("email", "una@example.com")])
        .expect("user");
    h.call(
        "ForgotPassword",
        json!({ "ClientId": client, "Username": "una" }),
    )
    .await
    .assert_error("InvalidParameterException");
    h.admin(
        "AdminCreateUser",
        json!({
            "UserPoolId": h.backend.user_pool_id(),
            "Username": "temp",
            "TemporaryPassword": "Temp-Pass1",
            "UserAttributes": [
                { "Name": "email", "Value": "temp@example.com" },
                { "Name": "email_verified", "Value": "true" },
            ],
        }),
    )
    .await
    .ok();
    h.call(
        "ForgotPassword",
        json!({ "ClientId": client, "Username": "temp" }),
    )
    .await
    .assert_error("NotAuthorizedException");
    h.call(
        "ForgotPassword",
        json!({ "ClientId": "wrong", "Username": "una" }),
    )
    .await
    .assert_error("ResourceNotFoundException");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn a_reset_code_resets_nothing_once_the_user_is_disabled() {
    let h = Harness::start().await;
    h.user("vic");
    let access = text(&h.sign_in("vic").await["AccessToken"]);
    let client = h.backend.client_id().to_owned();
    h.call(
        "ForgotPassword",
        json!({ "ClientId": client, "Username": "vic" }),
    )
    .await
    .ok();
    let code = h.backend.password_reset_code("vic").expect("a code");
    h.admin(
        "AdminDisableUser",
        json!({ "UserPoolId": h.backend.user_pool_id(), "Username": "vic" }),
    )
    .await
    .ok();
    h.call(
        "ConfirmForgotPassword",
        json!({
            "ClientId": client,
            "Username": "vic",
            "ConfirmationCode": code,
            "Password": NEW_PASSWORD,
        }),
    )
    .await
    .assert_error("NotAuthorizedException");
    // Disabled: no sign-in, and the tokens issued before are revoked (AdminDisableUser, as in Cognito).
    h.password_auth("vic", PASSWORD)
        .await
        .assert_error("NotAuthorizedException");
    h.get_user(&access)
        .await
        .assert_error("NotAuthorizedException");
    // The password is the old one: re-enabled, the user signs in with it, not with the one the code proposed.
    h.admin(
        "AdminEnableUser",
        json!({ "UserPoolId": h.backend.user_pool_id(), "Username": "vic" }),
    )
    .await
    .ok();
    h.password_auth("vic", NEW_PASSWORD)
        .await
        .assert_error("NotAuthorizedException");
    h.password_auth("vic", PASSWORD).await.ok();
    h.backend.shutdown().await;
}

#[tokio::test]
async fn an_attribute_code_is_void_after_five_wrong_answers() {
    let h = Harness::start().await;
    h.backend.freeze_clock();
    h.user("eve");
    let access = text(&h.sign_in("eve").await["AccessToken"]);
    h.call(
        "UpdateUserAttributes",
        json!({
            "AccessToken": access,
            "UserAttributes": [{ "Name": "email", "Value": "eve@example.org" }],
        }),
    )
    .await
    .ok();
    let code = h
        .backend
        .attribute_verification_code("eve", "email")
        .expect("a code");
    let verify = |code: &str| {
        h.call(
            "VerifyUserAttribute",
            json!({ "AccessToken": access, "AttributeName": "email", "Code": code }),
        )
    };
    for _ in 0..5 {
        verify(other_code(&code))
            .await
            .assert_error("CodeMismatchException");
    }
    // Locked out for a while, then the code itself is void: a new one must be asked for.
    verify(&code).await.assert_error("LimitExceededException");
    h.backend.advance_clock(SECOND * 60);
    verify(&code).await.assert_error("ExpiredCodeException");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn change_password_checks_the_previous_one() {
    let h = Harness::start().await;
    h.user("carl");
    let access = text(&h.sign_in("carl").await["AccessToken"]);
    let change = |previous: &str, proposed: &str| {
        h.call(
            "ChangePassword",
            json!({
                "AccessToken": access,
                "PreviousPassword": previous,
                "ProposedPassword": proposed,
            }),
        )
    };
    change("Wr0ng-password!", NEW_PASSWORD)
        .await
        .assert_error("NotAuthorizedException");
    change(PASSWORD, "weak")
        .await
        .assert_error("InvalidPasswordException");
    change(PASSWORD, NEW_PASSWORD).await.ok();
    h.password_auth("carl", NEW_PASSWORD).await.ok();
    h.call(
        "ChangePassword",
        json!({ "AccessToken": "forged", "PreviousPassword": PASSWORD, "ProposedPassword": NEW_PASSWORD }),
    )
    .await
    .assert_error("NotAuthorizedException");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn changed_email_is_unverified_until_its_code_is_given() {
    let h = Harness::start().await;
    h.user("dora");
    let access = text(&h.sign_in("dora").await["AccessToken"]);
    let updated = h
        .call(
            "UpdateUserAttributes",
            json!({
                "AccessToken": access,
                "UserAttributes": [
                    { "Name": "email", "Value": "dora@example.org" },
                    { "Name": "name", "Value": "Dora" },
                ],
            }),
        )
        .await
        .ok();
    assert_eq!(
        updated["CodeDeliveryDetailsList"],
        json!([{ "Destination": "d***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email" }])
    );
    let attribute = |user: &Value, name: &str| {
        user["UserAttributes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["Name"] == name)
            .map(|a| a["Value"].clone())
    };
    let user = h.get_user(&access).await.ok();
    assert_eq!(attribute(&user, "email"), Some(json!("dora@example.org")));
    assert_eq!(attribute(&user, "email_verified"), Some(json!("false")));
    assert_eq!(attribute(&user, "name"), Some(json!("Dora")));
    h.call(
        "UpdateUserAttributes",
        json!({
            "AccessToken": access,
            "UserAttributes": [{ "Name": "email_verified", "Value": "true" }],
        }),
    )
    .await
    .assert_error("InvalidParameterException");

    let code = h
        .backend
        .attribute_verification_code("dora", "email")
        .expect("a code");
    let verify = |code: &str| {
        h.call(
            "VerifyUserAttribute",
            json!({ "AccessToken": access, "AttributeName": "email", "Code": code }),
        )
    };
    verify(other_code(&code))
        .await
        .assert_error("CodeMismatchException");
    verify(&code).await.ok();
    let user = h.get_user(&access).await.ok();
    assert_eq!(attribute(&user, "email_verified"), Some(json!("true")));

    let again = h
        .call(
            "GetUserAttributeVerificationCode",
            json!({ "AccessToken": access, "AttributeName": "email" }),
        )
        .await
        .ok();
    assert_eq!(again["CodeDeliveryDetails"]["AttributeName"], "email");
    h.call(
        "GetUserAttributeVerificationCode",
        json!({ "AccessToken": access, "AttributeName": "phone_number" }),
    )
    .await
    .assert_error("InvalidParameterException");

    h.call(
        "DeleteUserAttributes",
        json!({ "AccessToken": access, "UserAttributeNames": ["email"] }),
    )
    .await
    .assert_error("InvalidParameterException");
    h.call(
        "DeleteUserAttributes",
        json!({ "AccessToken": access, "UserAttributeNames": ["name"] }),
    )
    .await
    .ok();
    let user = h.get_user(&access).await.ok();
    assert_eq!(attribute(&user, "name"), None);
    h.backend.shutdown().await;
}

#[tokio::test]
async fn delete_user_removes_the_account_and_its_tokens() {
    let h = Harness::start().await;
    h.user("eve");
    h.backend.add_user_to_group("eve", "staff").expect("group");
    let tokens = h.sign_in("eve").await;
    let access = text(&tokens["AccessToken"]);
    h.call("DeleteUser", json!({ "AccessToken": access }))
        .await
        .ok();
    h.get_user(&access)
        .await
        .assert_error("NotAuthorizedException");
    h.refresh(&text(&tokens["RefreshToken"]))
        .await
        .assert_error("NotAuthorizedException");
    h.password_auth("eve", PASSWORD)
        .await
        .assert_error("NotAuthorizedException");
    let members = h
        .admin(
            "ListUsersInGroup",
            json!({ "UserPoolId": h.backend.user_pool_id(), "GroupName": "staff" }),
        )
        .await
        .ok();
    assert_eq!(members["Users"], json!([]));
    // The name is free again.
    h.user("eve");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn custom_auth_asks_the_built_in_one_time_code() {
    let h = Harness::start().await;
    h.user("finn");
    let client = h.backend.client_id().to_owned();
    let start = |username: &str| {
        h.call(
            "InitiateAuth",
            json!({
                "AuthFlow": "CUSTOM_AUTH",
                "ClientId": client,
                "AuthParameters": { "USERNAME": username },
            }),
        )
    };
    let answer = |session: &str, username: &str, answer: &str| {
        h.call(
            "RespondToAuthChallenge",
            json!({
                "ChallengeName": "CUSTOM_CHALLENGE",
                "ClientId": client,
                "Session": session,
                "ChallengeResponses": { "USERNAME": username, "ANSWER": answer },
            }),
        )
    };
    let challenge = start("finn").await.ok();
    assert_eq!(challenge["ChallengeName"], "CUSTOM_CHALLENGE");
    assert_eq!(challenge["ChallengeParameters"]["USERNAME"], "finn");
    let code = h.backend.mfa_code("finn").expect("a code");
    // A wrong answer gets the challenge again, with a new session.
    let again = answer(&text(&challenge["Session"]), "finn", other_code(&code))
        .await
        .ok();
    assert_eq!(again["ChallengeName"], "CUSTOM_CHALLENGE");
    answer(&text(&challenge["Session"]), "finn", &code)
        .await
        .assert_error("NotAuthorizedException");
    let done = answer(&text(&again["Session"]), "finn", &code).await.ok();
    assert!(done["AuthenticationResult"]["IdToken"].is_string());

    // Three wrong answers end the flow.
    let mut session = text(&start("finn").await.ok()["Session"]);
    let code = h.backend.mfa_code("finn").expect("a code");
    for _ in 0..2 {
        let next = answer(&session, "finn", other_code(&code)).await.ok();
        session = text(&next["Session"]);
    }
    answer(&session, "finn", other_code(&code))
        .await
        .assert_error("NotAuthorizedException");

    // Unknown users get a challenge no answer passes.
    let decoy = start("ghost").await.ok();
    assert_eq!(decoy["ChallengeName"], "CUSTOM_CHALLENGE");
    let guess = h.backend.mfa_code("ghost").unwrap_or_default();
    let after = answer(&text(&decoy["Session"]), "ghost", &guess).await.ok();
    assert_eq!(after["ChallengeName"], "CUSTOM_CHALLENGE");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn custom_auth_codes_count_towards_the_lockout_across_sessions() {
    let h = Harness::start().await;
    h.backend.freeze_clock();
    h.user("gil");
    let client = h.backend.client_id().to_owned();
    let start = || {
        h.call(
            "InitiateAuth",
            json!({
                "AuthFlow": "CUSTOM_AUTH",
                "ClientId": client,
                "AuthParameters": { "USERNAME": "gil" },
            }),
        )
    };
    let answer = |session: String, answer: String| {
        h.call(
            "RespondToAuthChallenge",
            json!({
                "ChallengeName": "CUSTOM_CHALLENGE",
                "ClientId": client,
                "Session": session,
                "ChallengeResponses": { "USERNAME": "gil", "ANSWER": answer },
            }),
        )
    };
    // CUSTOM_AUTH asks no password: a new flow must not start the count over.
    for _ in 0..5 {
        let session = text(&start().await.ok()["Session"]);
        let code = h.backend.mfa_code("gil").expect("a code");
        answer(session, other_code(&code).to_owned()).await.ok();
    }
    let session = text(&start().await.ok()["Session"]);
    let code = h.backend.mfa_code("gil").expect("a code");
    answer(session, code)
        .await
        .assert_error("LimitExceededException");
    // After the lockout, a right answer signs in.
    h.backend.advance_clock(SECOND * 2);
    let session = text(&start().await.ok()["Session"]);
    let code = h.backend.mfa_code("gil").expect("a code");
    let done = answer(session, code).await.ok();
    assert!(done["AuthenticationResult"]["IdToken"].is_string());
    h.backend.shutdown().await;
}
