//! State survives a restart on the same data directory.

use amplify_local::{LocalBackend, LocalOptions};

use crate::helpers::{Harness, verify_jwt};

#[tokio::test]
async fn restart_keeps_pool_users_keys_and_refresh_tokens() {
    let h = Harness::start().await;
    let user = h.user("xena");
    let pool = h.backend.user_pool_id().to_owned();
    let client = h.backend.client_id().to_owned();
    let jwks_before = h.jwks().await;
    let result = h.sign_in("xena").await;
    let revoked = h.sign_in("xena").await;
    h.call(
        "RevokeToken",
        serde_json::json!({ "ClientId": client, "Token": revoked["RefreshToken"] }),
    )
    .await
    .ok();
    let Harness { backend, dir, http } = h;
    // Same port, so the local issuer (which names the port) stays the same.
    let port: u16 = backend
        .base_url()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    backend.shutdown().await;

    let backend = LocalBackend::start(LocalOptions::new(dir.path()).with_port(port))
        .await
        .expect("restart");
    let h = Harness { backend, dir, http };
    assert_eq!(h.backend.user_pool_id(), pool);
    assert_eq!(h.backend.client_id(), client);
    let jwks_after = h.jwks().await;
    assert_eq!(jwks_before, jwks_after);
    // Old tokens still verify and work.
    verify_jwt(result["AccessToken"].as_str().expect("a"), &jwks_after);
    h.get_user(result["AccessToken"].as_str().expect("a"))
        .await
        .ok();
    let refreshed = h
        .refresh(result["RefreshToken"].as_str().expect("r"))
        .await
        .ok();
    assert!(refreshed["AuthenticationResult"]["AccessToken"].is_string());
    // Revocations persist.
    h.refresh(revoked["RefreshToken"].as_str().expect("r"))
        .await
        .assert_error("NotAuthorizedException");
    // Users persist (same sub), with both password and SRP material.
    let again = h.sign_in("xena").await;
    assert_eq!(
        crate::helpers::claims(again["AccessToken"].as_str().expect("a"))["sub"],
        user.sub
    );
    h.backend
        .create_user("xena", crate::helpers::PASSWORD, &[])
        .expect_err("duplicate");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn restart_keeps_groups_and_mfa_settings() {
    let h = Harness::start_with(|o| o.with_mfa(amplify_local::MfaMode::Optional)).await;
    h.user("yael");
    h.backend.add_user_to_group("yael", "crew").expect("group");
    let secret = h.backend.set_up_totp("yael").expect("totp");
    let Harness { backend, dir, http } = h;
    backend.shutdown().await;

    let backend = LocalBackend::start(
        LocalOptions::new(dir.path()).with_mfa(amplify_local::MfaMode::Optional),
    )
    .await
    .expect("restart");
    let h = Harness { backend, dir, http };
    assert_eq!(h.backend.totp_secret("yael"), Some(secret));
    let challenge = h.password_auth("yael", crate::helpers::PASSWORD).await.ok();
    assert_eq!(challenge["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    let members = h
        .admin(
            "ListUsersInGroup",
            serde_json::json!({ "UserPoolId": h.backend.user_pool_id(), "GroupName": "crew" }),
        )
        .await
        .ok();
    assert_eq!(members["Users"][0]["Username"], "yael");
    h.backend.shutdown().await;
}
