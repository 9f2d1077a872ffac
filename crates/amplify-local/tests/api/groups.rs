//! Groups: the admin operations, `cognito:groups` in tokens, and the size of
//! an id token with many groups.

use serde_json::{Value, json};

use crate::helpers::{Harness, claims};

async fn create(h: &Harness, name: &str, precedence: Option<i64>) -> Value {
    let mut body = json!({ "UserPoolId": h.backend.user_pool_id(), "GroupName": name });
    if let Some(precedence) = precedence {
        body["Precedence"] = json!(precedence);
    }
    h.admin("CreateGroup", body).await.ok()
}

async fn add(h: &Harness, user: &str, group: &str) {
    h.admin(
        "AdminAddUserToGroup",
        json!({ "UserPoolId": h.backend.user_pool_id(), "Username": user, "GroupName": group }),
    )
    .await
    .ok();
}

#[tokio::test]
async fn group_operations_answer_as_cognito() {
    let h = Harness::start().await;
    let pool = h.backend.user_pool_id().to_owned();
    let created = h
        .admin(
            "CreateGroup",
            json!({
                "UserPoolId": pool,
                "GroupName": "admins",
                "Description": "Administrators",
                "Precedence": 1,
                "RoleArn": "arn:aws:iam::123456789012:role/Admins",
            }),
        )
        .await
        .ok();
    let group = &created["Group"];
    assert_eq!(group["GroupName"], "admins");
    assert_eq!(group["UserPoolId"], pool.as_str());
    assert_eq!(group["Description"], "Administrators");
    assert_eq!(group["Precedence"], 1);
    assert!(group["CreationDate"].is_number());
    h.admin(
        "CreateGroup",
        json!({ "UserPoolId": pool, "GroupName": "admins" }),
    )
    .await
    .assert_error("GroupExistsException");
    h.admin(
        "CreateGroup",
        json!({ "UserPoolId": pool, "GroupName": "two words" }),
    )
    .await
    .assert_error("InvalidParameterException");
    h.admin(
        "CreateGroup",
        json!({ "UserPoolId": pool, "GroupName": "x", "Precedence": -1 }),
    )
    .await
    .assert_error("InvalidParameterException");

    let got = h
        .admin(
            "GetGroup",
            json!({ "UserPoolId": pool, "GroupName": "admins" }),
        )
        .await
        .ok();
    assert_eq!(got["Group"], created["Group"]);
    h.admin(
        "GetGroup",
        json!({ "UserPoolId": pool, "GroupName": "nope" }),
    )
    .await
    .assert_error("ResourceNotFoundException");
    let updated = h
        .admin(
            "UpdateGroup",
            json!({ "UserPoolId": pool, "GroupName": "admins", "Precedence": 3 }),
        )
        .await
        .ok();
    assert_eq!(updated["Group"]["Precedence"], 3);
    assert_eq!(updated["Group"]["Description"], "Administrators");

    // Not callable unsigned, as in Cognito (IAM-authorized operations).
    h.call("ListGroups", json!({ "UserPoolId": pool }))
        .await
        .assert_error_status(403, "MissingAuthenticationTokenException");

    h.user("gina");
    add(&h, "gina", "admins").await;
    add(&h, "gina", "admins").await;
    h.admin(
        "AdminAddUserToGroup",
        json!({ "UserPoolId": pool, "Username": "nobody", "GroupName": "admins" }),
    )
    .await
    .assert_error("UserNotFoundException");
    h.admin(
        "AdminAddUserToGroup",
        json!({ "UserPoolId": pool, "Username": "gina", "GroupName": "nope" }),
    )
    .await
    .assert_error("ResourceNotFoundException");

    let users = h
        .admin(
            "ListUsersInGroup",
            json!({ "UserPoolId": pool, "GroupName": "admins" }),
        )
        .await
        .ok();
    assert_eq!(users["Users"].as_array().map(Vec::len), Some(1));
    assert_eq!(users["Users"][0]["Username"], "gina");
    assert_eq!(users["Users"][0]["UserStatus"], "CONFIRMED");
    let mine = h
        .admin(
            "AdminListGroupsForUser",
            json!({ "UserPoolId": pool, "Username": "gina" }),
        )
        .await
        .ok();
    assert_eq!(mine["Groups"][0]["GroupName"], "admins");
    assert!(mine.get("NextToken").is_none());

    h.admin(
        "AdminRemoveUserFromGroup",
        json!({ "UserPoolId": pool, "Username": "gina", "GroupName": "admins" }),
    )
    .await
    .ok();
    let mine = h
        .admin(
            "AdminListGroupsForUser",
            json!({ "UserPoolId": pool, "Username": "gina" }),
        )
        .await
        .ok();
    assert_eq!(mine["Groups"], json!([]));

    add(&h, "gina", "admins").await;
    h.admin(
        "DeleteGroup",
        json!({ "UserPoolId": pool, "GroupName": "admins" }),
    )
    .await
    .ok();
    h.admin(
        "DeleteGroup",
        json!({ "UserPoolId": pool, "GroupName": "admins" }),
    )
    .await
    .assert_error("ResourceNotFoundException");
    let tokens = h.sign_in("gina").await;
    assert!(
        claims(tokens["IdToken"].as_str().unwrap_or_default())
            .get("cognito:groups")
            .is_none()
    );
    h.backend.shutdown().await;
}

#[tokio::test]
async fn lists_page_with_next_token() {
    let h = Harness::start().await;
    let pool = h.backend.user_pool_id().to_owned();
    for n in 0..5 {
        create(&h, &format!("g{n}"), None).await;
    }
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let mut body = json!({ "UserPoolId": pool, "Limit": 2 });
        if let Some(token) = &next {
            body["NextToken"] = json!(token);
        }
        let page = h.admin("ListGroups", body).await.ok();
        for group in page["Groups"].as_array().into_iter().flatten() {
            seen.push(group["GroupName"].as_str().unwrap_or_default().to_owned());
        }
        match page["NextToken"].as_str() {
            Some(token) => next = Some(token.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ["g0", "g1", "g2", "g3", "g4"]);
    h.admin("ListGroups", json!({ "UserPoolId": pool, "Limit": 61 }))
        .await
        .assert_error("InvalidParameterException");
    h.admin(
        "ListGroups",
        json!({ "UserPoolId": pool, "NextToken": "%%%" }),
    )
    .await
    .assert_error("InvalidParameterException");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn tokens_carry_groups_in_precedence_order() {
    let h = Harness::start().await;
    let pool = h.backend.user_pool_id().to_owned();
    create(&h, "zeta", Some(1)).await;
    create(&h, "alpha", None).await;
    create(&h, "beta", Some(5)).await;
    h.admin(
        "CreateGroup",
        json!({
            "UserPoolId": pool,
            "GroupName": "roled",
            "Precedence": 3,
            "RoleArn": "arn:aws:iam::123456789012:role/Roled",
        }),
    )
    .await
    .ok();
    h.user("hal");
    for group in ["alpha", "beta", "zeta", "roled"] {
        add(&h, "hal", group).await;
    }
    let tokens = h.sign_in("hal").await;
    let id = claims(tokens["IdToken"].as_str().unwrap_or_default());
    let access = claims(tokens["AccessToken"].as_str().unwrap_or_default());
    let expected = json!(["zeta", "roled", "beta", "alpha"]);
    assert_eq!(id["cognito:groups"], expected);
    assert_eq!(access["cognito:groups"], expected);
    assert_eq!(
        id["cognito:preferred_role"],
        "arn:aws:iam::123456789012:role/Roled"
    );
    assert_eq!(
        id["cognito:roles"],
        json!(["arn:aws:iam::123456789012:role/Roled"])
    );
    // A refresh reads the groups again.
    h.admin(
        "AdminRemoveUserFromGroup",
        json!({ "UserPoolId": pool, "Username": "hal", "GroupName": "zeta" }),
    )
    .await
    .ok();
    let refreshed = h
        .refresh(tokens["RefreshToken"].as_str().unwrap_or_default())
        .await
        .ok();
    let id = claims(
        refreshed["AuthenticationResult"]["IdToken"]
            .as_str()
            .unwrap_or_default(),
    );
    assert_eq!(id["cognito:groups"], json!(["roled", "beta", "alpha"]));
    // The outputs list the groups as Gen 2 writes them.
    assert_eq!(
        h.backend.outputs()["auth"]["groups"],
        json!([{ "alpha": {} }, { "beta": { "precedence": 5 } }, { "roled": { "precedence": 3 } }, { "zeta": { "precedence": 1 } }])
    );
    h.backend.shutdown().await;
}

#[tokio::test]
async fn many_long_named_groups_make_an_id_token_over_six_kilobytes() {
    let h = Harness::start().await;
    h.user("maxine");
    for n in 0..60 {
        let group = format!("{n:02}-{}", "long-group-name-for-chunking-tests-".repeat(3));
        h.backend
            .add_user_to_group("maxine", &group)
            .expect("add to group");
    }
    // Twice is harmless; an unknown user is refused.
    h.backend
        .add_user_to_group("maxine", "00-x")
        .expect("add to group");
    h.backend
        .add_user_to_group("maxine", "00-x")
        .expect("add again");
    assert!(h.backend.add_user_to_group("nobody", "g").is_err());
    assert!(h.backend.add_user_to_group("maxine", "bad name").is_err());

    let tokens = h.sign_in("maxine").await;
    let id_token = tokens["IdToken"].as_str().unwrap_or_default();
    assert!(
        id_token.len() > 6 * 1024,
        "id token is {} bytes",
        id_token.len()
    );
    let groups = claims(id_token)["cognito:groups"].as_array().map(Vec::len);
    assert_eq!(groups, Some(61));
    h.backend.shutdown().await;
}
