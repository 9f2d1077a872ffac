//! The identity-pool API: GetId and GetCredentialsForIdentity.

use amplify_local::{LocalBackend, LocalOptions};
use serde_json::{Value, json};

use crate::helpers::{Answer, HOUR, Harness, SECOND, claims};

impl Harness {
    /// Calls `AWSCognitoIdentityService.<operation>`.
    pub(crate) async fn identity(&self, operation: &str, body: Value) -> Answer {
        self.call_raw(
            &format!("AWSCognitoIdentityService.{operation}"),
            &body.to_string(),
        )
        .await
    }

    /// The `Logins` key of this backend's user pool.
    pub(crate) fn provider(&self) -> String {
        self.backend
            .issuer()
            .trim_start_matches("http://")
            .trim_start_matches("https://")
            .to_owned()
    }

    /// `GetId` with an id token (or as a guest with `None`).
    pub(crate) async fn get_id(&self, id_token: Option<&str>) -> Answer {
        let mut body = json!({ "IdentityPoolId": self.backend.identity_pool_id() });
        body["Logins"] = match id_token {
            Some(token) => json!({ self.provider(): token }),
            None => json!({}),
        };
        self.identity("GetId", body).await
    }

    /// `GetCredentialsForIdentity` with an id token (or none).
    pub(crate) async fn get_credentials(
        &self,
        identity_id: &str,
        id_token: Option<&str>,
    ) -> Answer {
        let mut body = json!({ "IdentityId": identity_id });
        if let Some(token) = id_token {
            body["Logins"] = json!({ self.provider(): token });
        }
        self.identity("GetCredentialsForIdentity", body).await
    }

    /// A signed-in user's id token.
    pub(crate) async fn id_token(&self, username: &str) -> String {
        self.sign_in(username).await["IdToken"]
            .as_str()
            .expect("id token")
            .to_owned()
    }
}

#[track_caller]
fn identity_id(body: &Value) -> String {
    let id = body["IdentityId"].as_str().expect("IdentityId").to_owned();
    let (region, uuid) = id.split_once(':').expect("region:uuid");
    assert_eq!(region, "us-east-1");
    uuid::Uuid::parse_str(uuid).expect("uuid");
    id
}

/// Checks credentials issued while `h`'s clock is frozen: they expire `ttl`
/// seconds after its reading.
#[track_caller]
fn assert_credentials(h: &Harness, body: &Value, identity: &str, ttl: u64) {
    assert_eq!(body["IdentityId"], identity);
    let creds = &body["Credentials"];
    let key = creds["AccessKeyId"].as_str().expect("AccessKeyId");
    assert_eq!(key.len(), 20);
    assert!(key.starts_with("ASIA"));
    assert!(
        key.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    );
    assert_eq!(creds["SecretKey"].as_str().expect("SecretKey").len(), 40);
    assert!(creds["SessionToken"].as_str().expect("SessionToken").len() >= 100);
    let expiration = creds["Expiration"]
        .as_i64()
        .expect("Expiration is a number");
    let expected = h.backend.clock().now() + std::time::Duration::from_secs(ttl);
    let expected = expected
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    assert_eq!(u64::try_from(expiration).ok(), Some(expected));
}

#[tokio::test]
async fn guest_identity_and_credentials() {
    let h = Harness::start().await;
    h.backend.freeze_clock();
    let pool = h.backend.identity_pool_id().to_owned();
    assert!(pool.starts_with("us-east-1:"));
    uuid::Uuid::parse_str(&pool["us-east-1:".len()..]).expect("uuid");
    let first = identity_id(&h.get_id(None).await.ok());
    // Without a Logins key at all, too.
    let second = identity_id(
        &h.identity("GetId", json!({ "IdentityPoolId": pool }))
            .await
            .ok(),
    );
    assert_ne!(first, second, "every guest GetId is a new identity");
    let answer = h.get_credentials(&first, None).await;
    assert_eq!(answer.headers["content-type"], "application/x-amz-json-1.1");
    let body = answer.ok();
    assert_credentials(&h, &body, &first, 3600);
    // Fresh credentials on every call.
    let again = h.get_credentials(&first, None).await.ok();
    assert_ne!(
        body["Credentials"]["AccessKeyId"],
        again["Credentials"]["AccessKeyId"]
    );
    assert_eq!(h.backend.operation_count("GetId"), 2);
    h.backend.shutdown().await;
}

#[tokio::test]
async fn a_user_keeps_one_identity_across_sign_ins_and_restarts() {
    let h =
        Harness::start_with(|o| o.with_credentials_ttl(std::time::Duration::from_secs(900))).await;
    h.backend.freeze_clock();
    let user = h.user("ida");
    h.user("other");
    let token = h.id_token("ida").await;
    let id = identity_id(&h.get_id(Some(&token)).await.ok());
    let token2 = h.id_token("ida").await;
    assert_eq!(identity_id(&h.get_id(Some(&token2)).await.ok()), id);
    let other = identity_id(&h.get_id(Some(&h.id_token("other").await)).await.ok());
    assert_ne!(other, id);
    let body = h.get_credentials(&id, Some(&token2)).await.ok();
    assert_credentials(&h, &body, &id, 900);
    assert_eq!(claims(&token)["sub"], user.sub);

    let pool = h.backend.identity_pool_id().to_owned();
    let port: u16 = h
        .backend
        .base_url()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let Harness { backend, dir, http } = h;
    backend.shutdown().await;
    let backend = LocalBackend::start(LocalOptions::new(dir.path()).with_port(port))
        .await
        .expect("restart");
    let h = Harness { backend, dir, http };
    assert_eq!(h.backend.identity_pool_id(), pool);
    let token3 = h.id_token("ida").await;
    assert_eq!(identity_id(&h.get_id(Some(&token3)).await.ok()), id);
    // Tokens from before the restart still verify.
    assert_eq!(identity_id(&h.get_id(Some(&token)).await.ok()), id);
    h.get_credentials(&id, Some(&token3)).await.ok();
    h.backend.shutdown().await;
}

/// Replaces the signature of a JWT by another token's.
fn tamper(token: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let payload = claims(token);
    let mut changed = payload.clone();
    changed["sub"] = json!(uuid::Uuid::new_v4().to_string());
    use base64::Engine as _;
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&changed).expect("json"));
    parts.join(".")
}

#[tokio::test]
async fn bad_logins_are_refused() {
    let h = Harness::start().await;
    h.user("bob");
    let result = h.sign_in("bob").await;
    let id_token = result["IdToken"].as_str().expect("id").to_owned();
    let access_token = result["AccessToken"].as_str().expect("access").to_owned();
    let pool = h.backend.identity_pool_id().to_owned();
    let bob = identity_id(&h.get_id(Some(&id_token)).await.ok());

    let foreign = Harness::start().await;
    foreign.user("bob");
    let foreign_token = foreign.id_token("bob").await;

    let bad_tokens = [
        tamper(&id_token),
        access_token.clone(),
        foreign_token.clone(),
        "garbage".to_owned(),
        String::new(),
        format!("{id_token}x"),
    ];
    for token in &bad_tokens {
        let answer = h.get_id(Some(token)).await;
        answer.assert_error("NotAuthorizedException");
        assert!(
            answer.body["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("Invalid login token")),
            "{}",
            answer.body
        );
        h.get_credentials(&bob, Some(token))
            .await
            .assert_error("NotAuthorizedException");
    }
    // The foreign pool's own provider key is not this pool's.
    for key in [
        foreign.provider(),
        format!("https://{}", h.provider()),
        "accounts.google.com".to_owned(),
    ] {
        h.identity(
            "GetId",
            json!({ "IdentityPoolId": pool, "Logins": { key: id_token } }),
        )
        .await
        .assert_error("NotAuthorizedException");
    }
    // Two providers.
    h.identity(
        "GetId",
        json!({ "IdentityPoolId": pool, "Logins": { h.provider(): id_token, "x": id_token } }),
    )
    .await
    .assert_error("NotAuthorizedException");
    // A wrong type for the token value.
    h.identity(
        "GetId",
        json!({ "IdentityPoolId": pool, "Logins": { h.provider(): 42 } }),
    )
    .await
    .assert_error("InvalidParameterException");
    foreign.backend.shutdown().await;
    h.backend.shutdown().await;
}

#[tokio::test]
async fn expired_id_tokens_are_refused() {
    let h = Harness::start().await;
    h.backend.freeze_clock();
    h.user("eve");
    let token = h.id_token("eve").await;
    let id = identity_id(&h.get_id(Some(&token)).await.ok());
    // Valid up to the last second of its hour, expired at its `exp`.
    h.backend.advance_clock(HOUR - SECOND);
    h.get_id(Some(&token)).await.ok();
    h.backend.advance_clock(SECOND);
    let answer = h.get_id(Some(&token)).await;
    answer.assert_error("NotAuthorizedException");
    assert!(
        answer.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("expired"))
    );
    h.get_credentials(&id, Some(&token))
        .await
        .assert_error("NotAuthorizedException");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn an_authenticated_identity_needs_its_own_users_login() {
    let h = Harness::start().await;
    h.user("ann");
    h.user("ben");
    let ann_token = h.id_token("ann").await;
    let ben_token = h.id_token("ben").await;
    let ann = identity_id(&h.get_id(Some(&ann_token)).await.ok());
    let guest = identity_id(&h.get_id(None).await.ok());
    // No Logins for a user's identity.
    h.get_credentials(&ann, None)
        .await
        .assert_error("NotAuthorizedException");
    h.identity(
        "GetCredentialsForIdentity",
        json!({ "IdentityId": ann, "Logins": {} }),
    )
    .await
    .assert_error("NotAuthorizedException");
    // Another user's (valid) token.
    h.get_credentials(&ann, Some(&ben_token))
        .await
        .assert_error("NotAuthorizedException");
    // A guest identity with a login is not linked.
    h.get_credentials(&guest, Some(&ann_token))
        .await
        .assert_error("NotAuthorizedException");
    h.get_credentials(&ann, Some(&ann_token)).await.ok();
    h.backend.shutdown().await;
}

#[tokio::test]
async fn guests_can_be_disallowed() {
    let h = Harness::start_with(|o| o.with_guest_access(false)).await;
    let answer = h.get_id(None).await;
    answer.assert_error("NotAuthorizedException");
    assert_eq!(
        answer.body["message"],
        "Unauthenticated access is not supported for this identity pool."
    );
    assert_eq!(
        h.backend.outputs()["auth"]["unauthenticated_identities_enabled"],
        false
    );
    h.user("sam");
    let token = h.id_token("sam").await;
    let id = identity_id(&h.get_id(Some(&token)).await.ok());
    h.get_credentials(&id, Some(&token)).await.ok();
    // A guest identity made while guests were allowed gets nothing now.
    let Harness { backend, dir, http } = h;
    backend.shutdown().await;
    let backend = LocalBackend::start(LocalOptions::new(dir.path()))
        .await
        .expect("start");
    let h = Harness { backend, dir, http };
    let guest = identity_id(&h.get_id(None).await.ok());
    let Harness { backend, dir, http } = h;
    backend.shutdown().await;
    let backend = LocalBackend::start(LocalOptions::new(dir.path()).with_guest_access(false))
        .await
        .expect("start");
    let h = Harness { backend, dir, http };
    h.get_credentials(&guest, None)
        .await
        .assert_error("NotAuthorizedException");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn unknown_pools_and_identities_and_malformed_requests() {
    let h = Harness::start().await;
    h.identity(
        "GetId",
        json!({ "IdentityPoolId": "us-east-1:00000000-0000-0000-0000-000000000000" }),
    )
    .await
    .assert_error("ResourceNotFoundException");
    h.get_credentials("us-east-1:00000000-0000-0000-0000-000000000000", None)
        .await
        .assert_error("ResourceNotFoundException");
    h.get_credentials("", None)
        .await
        .assert_error("ResourceNotFoundException");
    h.identity("GetId", json!({}))
        .await
        .assert_error("InvalidParameterException");
    h.identity("GetCredentialsForIdentity", json!({ "IdentityId": 7 }))
        .await
        .assert_error("InvalidParameterException");
    h.call_raw("AWSCognitoIdentityService.GetId", "{not json")
        .await
        .assert_error("SerializationException");
    h.call_raw("AWSCognitoIdentityService.GetId", "[]")
        .await
        .assert_error("SerializationException");
    h.call_raw("AWSCognitoIdentityService.DeleteIdentities", "{}")
        .await
        .assert_error("UnknownOperationException");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn outputs_name_the_identity_pool() {
    let h = Harness::start().await;
    let outputs = h.backend.outputs();
    assert_eq!(
        outputs["auth"]["identity_pool_id"],
        h.backend.identity_pool_id()
    );
    assert_eq!(outputs["auth"]["unauthenticated_identities_enabled"], true);
    assert_eq!(
        outputs["custom"]["amplify_ssr"]["endpoints"]["identity_pool"],
        format!("{}/", h.backend.base_url())
    );
    assert!(outputs["custom"]["amplify_ssr"]["endpoints"]["user_pool"].is_string());
    h.backend.shutdown().await;
}
