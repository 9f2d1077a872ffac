//! Refresh, rotation, revocation and global sign-out.

use std::time::Duration;

use serde_json::json;

use crate::helpers::{Harness, claims};

#[tokio::test]
async fn refresh_without_rotation() {
    let h = Harness::start().await;
    h.user("rita");
    let result = h.sign_in("rita").await;
    let refresh = result["RefreshToken"].as_str().expect("refresh").to_owned();
    let origin = claims(result["AccessToken"].as_str().expect("a"))["origin_jti"].clone();

    let refreshed = h.refresh(&refresh).await.ok();
    let auth = &refreshed["AuthenticationResult"];
    assert!(auth["AccessToken"].is_string());
    assert!(auth["IdToken"].is_string());
    assert!(auth.get("RefreshToken").is_none(), "no rotation: {auth}");
    assert_eq!(auth["TokenType"], "Bearer");
    let access = claims(auth["AccessToken"].as_str().expect("a"));
    assert_eq!(access["origin_jti"], origin);
    h.get_user(auth["AccessToken"].as_str().expect("a"))
        .await
        .ok();

    // The old InitiateAuth flow and its alias also work.
    for flow in ["REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"] {
        let answer = h
            .call(
                "InitiateAuth",
                json!({
                    "AuthFlow": flow,
                    "ClientId": h.backend.client_id(),
                    "AuthParameters": { "REFRESH_TOKEN": refresh },
                }),
            )
            .await
            .ok();
        assert!(answer["AuthenticationResult"]["AccessToken"].is_string());
        assert!(answer["AuthenticationResult"].get("RefreshToken").is_none());
    }
    // The same refresh token keeps working.
    h.refresh(&refresh).await.ok();
    h.refresh("not-a-token")
        .await
        .assert_error("NotAuthorizedException");
    h.call(
        "GetTokensFromRefreshToken",
        json!({ "ClientId": "wrong", "RefreshToken": refresh }),
    )
    .await
    .assert_error("ResourceNotFoundException");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn refresh_with_rotation() {
    let h = Harness::start_with(|o| o.with_rotate_refresh_tokens(true)).await;
    h.user("sam");
    let result = h.sign_in("sam").await;
    let first = result["RefreshToken"].as_str().expect("refresh").to_owned();
    let refreshed = h.refresh(&first).await.ok();
    let second = refreshed["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .expect("rotated refresh token")
        .to_owned();
    assert_ne!(first, second);
    // The old one stops working (grace period 0).
    h.refresh(&first)
        .await
        .assert_error("RefreshTokenReuseException");
    // The new one works, and rotates again.
    let third = h.refresh(&second).await.ok()["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .expect("rotated")
        .to_owned();
    assert_ne!(third, second);
    // InitiateAuth refresh is refused while rotation is on (as Cognito does).
    h.call(
        "InitiateAuth",
        json!({
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "ClientId": h.backend.client_id(),
            "AuthParameters": { "REFRESH_TOKEN": third },
        }),
    )
    .await
    .assert_error("NotAuthorizedException");
    h.backend.shutdown().await;
}

/// Many refreshes racing with one token, rotation on and no grace period: exactly one gets new tokens, every
/// other is refused as a reuse (the token is claimed before anything is issued), as Cognito does.
#[tokio::test]
async fn concurrent_refreshes_of_one_rotated_token_succeed_once() {
    let h = Harness::start_with(|o| o.with_rotate_refresh_tokens(true)).await;
    h.user("ravi");
    let token = h.sign_in("ravi").await["RefreshToken"]
        .as_str()
        .expect("refresh")
        .to_owned();
    let answers = futures_util::future::join_all((0..16).map(|_| h.refresh(&token))).await;
    let mut succeeded = 0;
    for answer in answers {
        if answer.status == 200 {
            succeeded += 1;
        } else {
            answer.assert_error("RefreshTokenReuseException");
        }
    }
    assert_eq!(succeeded, 1);
    h.backend.shutdown().await;
}

#[tokio::test]
async fn rotation_grace_period_lets_the_old_token_work_briefly() {
    let h = Harness::start_with(|o| {
        o.with_rotate_refresh_tokens(true)
            .with_refresh_token_grace_period(Duration::from_secs(60))
    })
    .await;
    h.backend.freeze_clock();
    h.user("tess");
    let first = h.sign_in("tess").await["RefreshToken"]
        .as_str()
        .expect("refresh")
        .to_owned();
    h.refresh(&first).await.ok();
    // Still usable for the last second of its grace period, not after.
    h.backend.advance_clock(Duration::from_secs(59));
    h.refresh(&first).await.ok();
    h.backend.advance_clock(Duration::from_secs(1));
    h.refresh(&first)
        .await
        .assert_error("RefreshTokenReuseException");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn revoke_token_stops_refresh_and_access_tokens() {
    let h = Harness::start().await;
    h.user("uma");
    let kept = h.sign_in("uma").await;
    let result = h.sign_in("uma").await;
    let refresh = result["RefreshToken"].as_str().expect("refresh").to_owned();
    let access = result["AccessToken"].as_str().expect("access").to_owned();
    let refreshed = h.refresh(&refresh).await.ok();
    let refreshed_access = refreshed["AuthenticationResult"]["AccessToken"]
        .as_str()
        .expect("access")
        .to_owned();

    h.call(
        "RevokeToken",
        json!({ "ClientId": h.backend.client_id(), "Token": refresh }),
    )
    .await
    .ok();
    let answer = h.refresh(&refresh).await;
    answer.assert_error("NotAuthorizedException");
    assert_eq!(answer.body["message"], "Refresh Token has been revoked");
    h.get_user(&access)
        .await
        .assert_error("NotAuthorizedException");
    h.get_user(&refreshed_access)
        .await
        .assert_error("NotAuthorizedException");

    // The other sign-in is unaffected.
    h.get_user(kept["AccessToken"].as_str().expect("a"))
        .await
        .ok();
    h.refresh(kept["RefreshToken"].as_str().expect("r"))
        .await
        .ok();

    // Unknown tokens are accepted silently; access tokens are refused.
    h.call(
        "RevokeToken",
        json!({ "ClientId": h.backend.client_id(), "Token": "unknown" }),
    )
    .await
    .ok();
    h.call(
        "RevokeToken",
        json!({ "ClientId": h.backend.client_id(), "Token": access }),
    )
    .await
    .assert_error("UnsupportedTokenTypeException");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn global_sign_out_revokes_everything_of_the_user() {
    let h = Harness::start().await;
    h.user("vera");
    h.user("walt");
    let one = h.sign_in("vera").await;
    let two = h.sign_in("vera").await;
    let other = h.sign_in("walt").await;
    h.call(
        "GlobalSignOut",
        json!({ "AccessToken": one["AccessToken"] }),
    )
    .await
    .ok();
    for result in [&one, &two] {
        h.get_user(result["AccessToken"].as_str().expect("a"))
            .await
            .assert_error("NotAuthorizedException");
        h.refresh(result["RefreshToken"].as_str().expect("r"))
            .await
            .assert_error("NotAuthorizedException");
    }
    h.get_user(other["AccessToken"].as_str().expect("a"))
        .await
        .ok();
    // Signing in again works.
    let again = h.sign_in("vera").await;
    h.get_user(again["AccessToken"].as_str().expect("a"))
        .await
        .ok();
    h.call("GlobalSignOut", json!({ "AccessToken": "bogus" }))
        .await
        .assert_error("NotAuthorizedException");
    h.backend.shutdown().await;
}
