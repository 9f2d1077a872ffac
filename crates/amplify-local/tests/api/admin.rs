//! Admin operations and the NEW_PASSWORD_REQUIRED challenge.

use serde_json::json;

use crate::helpers::{Harness, PASSWORD};

#[tokio::test]
async fn a_user_disabled_during_the_new_password_step_gets_no_tokens() {
    let h = Harness::start().await;
    let pool = h.backend.user_pool_id().to_owned();
    h.admin(
        "AdminCreateUser",
        json!({ "UserPoolId": pool, "Username": "ivy", "TemporaryPassword": "Temp-Pass1" }),
    )
    .await
    .ok();
    let challenge = h.password_auth("ivy", "Temp-Pass1").await.ok();
    let session = challenge["Session"].as_str().expect("Session").to_owned();
    h.admin(
        "AdminDisableUser",
        json!({ "UserPoolId": pool, "Username": "ivy" }),
    )
    .await
    .ok();
    h.call(
        "RespondToAuthChallenge",
        json!({
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "ClientId": h.backend.client_id(),
            "Session": session,
            "ChallengeResponses": { "USERNAME": "ivy", "NEW_PASSWORD": PASSWORD },
        }),
    )
    .await
    .assert_error("NotAuthorizedException");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn admin_created_user_must_set_a_new_password() {
    let h = Harness::start().await;
    let pool = h.backend.user_pool_id().to_owned();
    let created = h
        .admin(
            "AdminCreateUser",
            json!({
                "UserPoolId": pool,
                "Username": "hank",
                "TemporaryPassword": "Temp-Pass1",
                "MessageAction": "SUPPRESS",
                "UserAttributes": [{ "Name": "email", "Value": "hank@example.com" }],
            }),
        )
        .await
        .ok();
    assert_eq!(created["User"]["Username"], "hank");
    assert_eq!(created["User"]["UserStatus"], "FORCE_CHANGE_PASSWORD");
    assert_eq!(created["User"]["Enabled"], true);
    h.admin(
        "AdminCreateUser",
        json!({ "UserPoolId": pool, "Username": "hank", "TemporaryPassword": "Temp-Pass1" }),
    )
    .await
    .assert_error("UsernameExistsException");

    let challenge = h.password_auth("hank", "Temp-Pass1").await.ok();
    assert_eq!(challenge["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let session = challenge["Session"].as_str().expect("Session").to_owned();
    assert_eq!(challenge["ChallengeParameters"]["USER_ID_FOR_SRP"], "hank");

    let respond = |session: String, new_password: &str| {
        h.call(
            "RespondToAuthChallenge",
            json!({
                "ChallengeName": "NEW_PASSWORD_REQUIRED",
                "ClientId": h.backend.client_id(),
                "Session": session,
                "ChallengeResponses": { "USERNAME": "hank", "NEW_PASSWORD": new_password },
            }),
        )
    };
    respond("not-a-session".to_owned(), PASSWORD)
        .await
        .assert_error("NotAuthorizedException");
    // A weak password is rejected, and the session is consumed.
    respond(session.clone(), "weak")
        .await
        .assert_error("InvalidPasswordException");
    respond(session, PASSWORD)
        .await
        .assert_error("NotAuthorizedException");

    let challenge = h.password_auth("hank", "Temp-Pass1").await.ok();
    let session = challenge["Session"].as_str().expect("Session").to_owned();
    let done = respond(session, PASSWORD).await.ok();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
    assert!(done["AuthenticationResult"]["RefreshToken"].is_string());

    let user = h
        .admin(
            "AdminGetUser",
            json!({ "UserPoolId": pool, "Username": "hank" }),
        )
        .await
        .ok();
    assert_eq!(user["UserStatus"], "CONFIRMED");
    h.password_auth("hank", "Temp-Pass1")
        .await
        .assert_error("NotAuthorizedException");
    h.sign_in("hank").await;
    h.backend.shutdown().await;
}

#[tokio::test]
async fn admin_set_password_confirm_and_get() {
    let h = Harness::start().await;
    let pool = h.backend.user_pool_id().to_owned();
    h.admin(
        "AdminCreateUser",
        json!({ "UserPoolId": pool, "Username": "ivy", "MessageAction": "SUPPRESS" }),
    )
    .await
    .ok();
    h.admin(
        "AdminSetUserPassword",
        json!({ "UserPoolId": pool, "Username": "ivy", "Password": PASSWORD, "Permanent": true }),
    )
    .await
    .ok();
    let user = h
        .admin(
            "AdminGetUser",
            json!({ "UserPoolId": pool, "Username": "ivy" }),
        )
        .await
        .ok();
    assert_eq!(user["Username"], "ivy");
    assert_eq!(user["UserStatus"], "CONFIRMED");
    assert_eq!(user["Enabled"], true);
    assert!(user["UserCreateDate"].is_number());
    let attributes = user["UserAttributes"].as_array().expect("attributes");
    assert!(attributes.iter().any(|a| a["Name"] == "sub"));
    h.sign_in("ivy").await;

    h.admin(
        "AdminSetUserPassword",
        json!({ "UserPoolId": pool, "Username": "ivy", "Password": "Another-Pass1", "Permanent": false }),
    )
    .await
    .ok();
    let challenge = h.password_auth("ivy", "Another-Pass1").await.ok();
    assert_eq!(challenge["ChallengeName"], "NEW_PASSWORD_REQUIRED");

    h.admin(
        "AdminSetUserPassword",
        json!({ "UserPoolId": pool, "Username": "ivy", "Password": "weak", "Permanent": true }),
    )
    .await
    .assert_error("InvalidPasswordException");
    h.admin(
        "AdminGetUser",
        json!({ "UserPoolId": pool, "Username": "nobody" }),
    )
    .await
    .assert_error("UserNotFoundException");
    h.admin(
        "AdminGetUser",
        json!({ "UserPoolId": "us-east-1_wrong", "Username": "ivy" }),
    )
    .await
    .assert_error("ResourceNotFoundException");
    h.admin(
        "AdminConfirmSignUp",
        json!({ "UserPoolId": pool, "Username": "ivy" }),
    )
    .await
    .assert_error("NotAuthorizedException");

    // AdminConfirmSignUp on a signed-up user.
    h.call(
        "SignUp",
        json!({
            "ClientId": h.backend.client_id(),
            "Username": "jack",
            "Password": PASSWORD,
            "UserAttributes": [{ "Name": "email", "Value": "jack@example.com" }],
        }),
    )
    .await
    .ok();
    h.admin(
        "AdminConfirmSignUp",
        json!({ "UserPoolId": pool, "Username": "jack" }),
    )
    .await
    .ok();
    h.sign_in("jack").await;
    h.backend.shutdown().await;
}
