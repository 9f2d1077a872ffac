//! Token claims, JWKS, OpenID configuration, outputs.

use std::time::Duration;

use amplify_local::IssuerMode;
use serde_json::json;

use crate::helpers::{Harness, PASSWORD, verify_jwt};

#[tokio::test]
async fn tokens_have_cognito_claims_and_verify_against_the_jwks() {
    let h = Harness::start().await;
    let user = h
        .backend
        .create_user(
            "olga",
            PASSWORD,
            &[
                ("email", "olga@example.com"),
                ("email_verified", "true"),
                ("custom:team", "blue"),
                ("name", "Olga"),
            ],
        )
        .expect("user");
    let result = h.sign_in("olga").await;
    let jwks = h.jwks().await;
    let issuer = format!("{}/{}", h.backend.base_url(), h.backend.user_pool_id());

    let (header, access) = verify_jwt(result["AccessToken"].as_str().expect("access"), &jwks);
    assert!(header["kid"].is_string());
    assert_eq!(access["sub"], user.sub);
    assert_eq!(access["iss"], issuer);
    assert_eq!(access["client_id"], h.backend.client_id());
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(access["username"], "olga");
    for claim in ["origin_jti", "event_id", "jti"] {
        assert!(access[claim].is_string(), "{claim}");
    }
    let iat = access["iat"].as_i64().expect("iat");
    assert_eq!(access["exp"].as_i64().expect("exp") - iat, 3600);
    assert!(access["auth_time"].as_i64().expect("auth_time") <= iat);

    let (_, id) = verify_jwt(result["IdToken"].as_str().expect("id"), &jwks);
    assert_eq!(id["sub"], user.sub);
    assert_eq!(id["aud"], h.backend.client_id());
    assert_eq!(id["iss"], issuer);
    assert_eq!(id["cognito:username"], "olga");
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["email"], "olga@example.com");
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["custom:team"], "blue");
    assert_eq!(id["name"], "Olga");
    assert_eq!(id["origin_jti"], access["origin_jti"]);
    assert_eq!(id["event_id"], access["event_id"]);
    assert_ne!(id["jti"], access["jti"]);

    let refresh = result["RefreshToken"].as_str().expect("refresh");
    assert!(refresh.len() >= 64);
    assert!(!refresh.contains("olga"));

    let user_info = h
        .get_user(result["AccessToken"].as_str().expect("access"))
        .await
        .ok();
    assert_eq!(user_info["Username"], "olga");
    let attributes = user_info["UserAttributes"].as_array().expect("attributes");
    assert!(attributes.contains(&json!({ "Name": "sub", "Value": user.sub })));
    assert!(attributes.contains(&json!({ "Name": "custom:team", "Value": "blue" })));
    h.backend.shutdown().await;
}

#[tokio::test]
async fn get_user_rejects_bad_tokens() {
    let h = Harness::start_with(|o| o.with_access_token_ttl(Duration::from_secs(600))).await;
    h.backend.freeze_clock();
    h.user("pia");
    let result = h.sign_in("pia").await;
    let access = result["AccessToken"].as_str().expect("access").to_owned();
    let id = result["IdToken"].as_str().expect("id").to_owned();
    h.get_user(&access).await.ok();

    // An id token is not an access token.
    h.get_user(&id).await.assert_error("NotAuthorizedException");
    // A tampered token fails the signature check.
    let mut parts: Vec<String> = access.split('.').map(str::to_owned).collect();
    let mut claims = crate::helpers::claims(&access);
    claims["username"] = json!("someone-else");
    use base64::Engine as _;
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
    h.get_user(&parts.join("."))
        .await
        .assert_error("NotAuthorizedException");
    h.get_user("garbage")
        .await
        .assert_error("NotAuthorizedException");
    h.get_user("").await.assert_error("NotAuthorizedException");

    // Valid until its last second, expired at its `exp` (by the backend's clock).
    h.backend.advance_clock(Duration::from_secs(599));
    h.get_user(&access).await.ok();
    h.backend.advance_clock(Duration::from_secs(1));
    let expired = h.get_user(&access).await;
    expired.assert_error("NotAuthorizedException");
    assert_eq!(expired.body["message"], "Access Token has expired");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn well_known_documents_and_outputs() {
    let h = Harness::start().await;
    let base = h.backend.base_url();
    let pool = h.backend.user_pool_id().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"));
    let (region, name) = pool.split_once('_').expect("pool id");
    assert_eq!(region, "us-east-1");
    assert_eq!(name.len(), 9);
    assert_eq!(h.backend.client_id().len(), 26);
    assert_eq!(h.backend.region(), "us-east-1");

    let config: serde_json::Value = h
        .http
        .get(format!("{base}/{pool}/.well-known/openid-configuration"))
        .send()
        .await
        .expect("config")
        .json()
        .await
        .expect("json");
    assert_eq!(config["issuer"], format!("{base}/{pool}"));
    assert_eq!(
        config["jwks_uri"],
        format!("{base}/{pool}/.well-known/jwks.json")
    );
    assert_eq!(
        config["authorization_endpoint"],
        format!("{base}/oauth2/authorize")
    );
    assert_eq!(config["token_endpoint"], format!("{base}/oauth2/token"));
    assert_eq!(
        config["userinfo_endpoint"],
        format!("{base}/oauth2/userInfo")
    );
    assert_eq!(
        config["revocation_endpoint"],
        format!("{base}/oauth2/revoke")
    );
    assert_eq!(config["end_session_endpoint"], format!("{base}/logout"));

    let missing = h
        .http
        .get(format!("{base}/us-east-1_nothere/.well-known/jwks.json"))
        .send()
        .await
        .expect("jwks");
    assert_eq!(missing.status(), 404);

    let outputs = h.backend.outputs();
    assert_eq!(outputs["version"], "1.4");
    assert_eq!(outputs["auth"]["aws_region"], "us-east-1");
    assert_eq!(outputs["auth"]["user_pool_id"], pool);
    assert_eq!(
        outputs["auth"]["user_pool_client_id"],
        h.backend.client_id()
    );
    assert_eq!(outputs["auth"]["password_policy"]["min_length"], 8);
    assert_eq!(outputs["auth"]["mfa_configuration"], "NONE");
    let endpoints = &outputs["custom"]["amplify_ssr"]["endpoints"];
    assert_eq!(outputs["custom"]["amplify_ssr"]["version"], 1);
    assert_eq!(endpoints["user_pool"], format!("{base}/"));
    assert_eq!(
        endpoints["jwks_url"],
        format!("{base}/{pool}/.well-known/jwks.json")
    );
    assert_eq!(endpoints["token_issuer"], format!("{base}/{pool}"));
    assert_eq!(endpoints["oauth"], base);

    let path = h.dir.path().join("amplify_outputs.json");
    h.backend.write_outputs(&path).expect("write");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    assert_eq!(written, outputs);
    h.backend.shutdown().await;
}

#[tokio::test]
async fn aws_issuer_mode() {
    let h = Harness::start_with(|o| o.with_issuer(IssuerMode::Aws)).await;
    h.user("quinn");
    let pool = h.backend.user_pool_id().to_owned();
    let issuer = format!("https://cognito-idp.us-east-1.amazonaws.com/{pool}");
    let result = h.sign_in("quinn").await;
    let (_, access) = verify_jwt(result["AccessToken"].as_str().expect("a"), &h.jwks().await);
    assert_eq!(access["iss"], issuer);
    assert_eq!(
        h.backend.outputs()["custom"]["amplify_ssr"]["endpoints"]["token_issuer"],
        issuer
    );
    h.get_user(result["AccessToken"].as_str().expect("a"))
        .await
        .ok();
    h.backend.shutdown().await;
}

#[tokio::test]
async fn account_operations_need_the_admin_scope() {
    let h = Harness::start().await;
    h.user("uma");
    let token_for = |scope: &'static str| {
        let h = &h;
        async move {
            let browser = crate::oauth_helpers::Browser::new(h);
            let p = crate::oauth_helpers::pkce();
            let code =
                crate::oauth_helpers::login(h, &browser, &p, "uma", &[("scope", scope)]).await;
            let tokens = crate::oauth_helpers::exchange(h, &code, &p.verifier)
                .await
                .ok();
            tokens["access_token"].as_str().expect("access").to_owned()
        }
    };
    let openid_only = token_for("openid email").await;
    for operation in ["GetUser", "GlobalSignOut"] {
        let answer = h
            .call(operation, json!({ "AccessToken": openid_only }))
            .await;
        answer.assert_error("NotAuthorizedException");
        assert_eq!(
            answer.body["message"], "Access Token does not have required scopes",
            "{operation}"
        );
    }
    // Requested, the scope is granted; InitiateAuth's tokens always have it.
    let with_admin = token_for("openid aws.cognito.signin.user.admin").await;
    h.get_user(&with_admin).await.ok();
    let api = h.sign_in("uma").await;
    h.get_user(api["AccessToken"].as_str().expect("access"))
        .await
        .ok();
    h.call("GlobalSignOut", json!({ "AccessToken": with_admin }))
        .await
        .ok();
    h.backend.shutdown().await;
}
