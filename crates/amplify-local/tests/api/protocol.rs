//! Protocol-level behaviour: errors, CORS, counters, malformed input.

use serde_json::json;

use crate::helpers::{Harness, THROWAWAY_KEY};

#[tokio::test]
async fn malformed_and_incomplete_requests_get_cognito_shaped_400s() {
    let h = Harness::start().await;
    let target = "AWSCognitoIdentityProviderService.InitiateAuth";
    h.call_raw(target, "{not json")
        .await
        .assert_error("SerializationException");
    h.call_raw(target, "")
        .await
        .assert_error("SerializationException");
    h.call_raw(target, "[1,2]")
        .await
        .assert_error("SerializationException");
    h.call_raw(target, "{}")
        .await
        .assert_error("InvalidParameterException");
    h.call(
        "InitiateAuth",
        json!({ "AuthFlow": 7, "ClientId": h.backend.client_id() }),
    )
    .await
    .assert_error("InvalidParameterException");
    h.call(
        "InitiateAuth",
        json!({ "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": h.backend.client_id() }),
    )
    .await
    .assert_error("InvalidParameterException");
    h.call(
        "InitiateAuth",
        json!({ "AuthFlow": "CUSTOM_MAGIC", "ClientId": h.backend.client_id(), "AuthParameters": {} }),
    )
    .await
    .assert_error("InvalidParameterException");
    for operation in [
        "SignUp",
        "ConfirmSignUp",
        "AdminCreateUser",
        "AdminSetUserPassword",
        "AdminConfirmSignUp",
        "AdminGetUser",
        "RespondToAuthChallenge",
        "GetTokensFromRefreshToken",
        "RevokeToken",
        "GetUser",
        "GlobalSignOut",
    ] {
        // Admin operations are signed (see admin_access.rs); the body is
        // checked after the signature.
        let h = &h;
        let call = |body: &'static str| async move {
            if operation.starts_with("Admin") {
                h.signed(operation, body, THROWAWAY_KEY, "cognito-idp")
                    .await
            } else {
                h.call_raw(
                    &format!("AWSCognitoIdentityProviderService.{operation}"),
                    body,
                )
                .await
            }
        };
        call(r#"{"Unexpected":[null]}"#)
            .await
            .assert_error("InvalidParameterException");
        call("\u{0}").await.assert_error("SerializationException");
    }
    h.backend.shutdown().await;
}

#[tokio::test]
async fn unknown_targets_are_unknown_operations() {
    let h = Harness::start().await;
    h.call_raw("AWSCognitoIdentityProviderService.DeleteEverything", "{}")
        .await
        .assert_error("UnknownOperationException");
    h.call_raw("SomethingElse.GetId", "{}")
        .await
        .assert_error("UnknownOperationException");
    h.call_raw("", "{}")
        .await
        .assert_error("UnknownOperationException");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn wrong_client_id_is_resource_not_found() {
    let h = Harness::start().await;
    h.user("carol");
    let answer = h
        .call(
            "InitiateAuth",
            json!({
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": "nosuchclient",
                "AuthParameters": { "USERNAME": "carol", "PASSWORD": crate::helpers::PASSWORD },
            }),
        )
        .await;
    answer.assert_error("ResourceNotFoundException");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn operations_are_counted_and_json_content_type_is_accepted() {
    let h = Harness::start().await;
    h.user("dave");
    assert_eq!(h.backend.operation_count("InitiateAuth"), 0);
    let result = h.sign_in("dave").await;
    let refresh = result["RefreshToken"].as_str().expect("refresh token");
    h.refresh(refresh).await.ok();
    let response = h
        .http
        .post(format!("{}/", h.backend.base_url()))
        .header("content-type", "application/json")
        .header("x-amz-target", "AWSCognitoIdentityProviderService.GetUser")
        .body(json!({ "AccessToken": result["AccessToken"] }).to_string())
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/x-amz-json-1.1"
    );
    assert!(response.headers().contains_key("x-amzn-requestid"));
    assert_eq!(h.backend.operation_count("InitiateAuth"), 1);
    assert_eq!(h.backend.operation_count("GetTokensFromRefreshToken"), 1);
    assert_eq!(h.backend.operation_count("GetUser"), 1);
    assert_eq!(h.backend.operation_count("SignUp"), 0);
    h.backend.shutdown().await;
}
