//! USER_SRP_AUTH / PASSWORD_VERIFIER with amplify-srp's client.

use amplify_srp::{PasswordVerifierChallenge, SrpClient, cognito_timestamp, pool_name};
use serde_json::{Value, json};

use crate::helpers::{Answer, Harness, PASSWORD};

pub(crate) async fn initiate(h: &Harness, username: &str, client: &SrpClient) -> Value {
    let answer = h
        .call(
            "InitiateAuth",
            json!({
                "AuthFlow": "USER_SRP_AUTH",
                "ClientId": h.backend.client_id(),
                "AuthParameters": { "USERNAME": username, "SRP_A": client.public_a_hex() },
            }),
        )
        .await
        .ok();
    assert_eq!(answer["ChallengeName"], "PASSWORD_VERIFIER");
    answer["ChallengeParameters"].clone()
}

fn claim(
    h: &Harness,
    client: &SrpClient,
    params: &Value,
    password: &str,
    timestamp: &str,
) -> String {
    let text = |name: &str| params[name].as_str().expect(name).to_owned();
    let (user_id, salt, b, block) = (
        text("USER_ID_FOR_SRP"),
        text("SALT"),
        text("SRP_B"),
        text("SECRET_BLOCK"),
    );
    client
        .password_claim(
            &PasswordVerifierChallenge {
                pool_name: pool_name(h.backend.user_pool_id()).expect("pool name"),
                user_id_for_srp: &user_id,
                salt_hex: &salt,
                srp_b_hex: &b,
                secret_block_b64: &block,
            },
            password,
            timestamp,
        )
        .expect("claim")
}

async fn respond(h: &Harness, params: &Value, signature: &str, timestamp: &str) -> Answer {
    h.call(
        "RespondToAuthChallenge",
        json!({
            "ChallengeName": "PASSWORD_VERIFIER",
            "ClientId": h.backend.client_id(),
            "ChallengeResponses": {
                "USERNAME": params["USERNAME"],
                "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
                "PASSWORD_CLAIM_SIGNATURE": signature,
                "TIMESTAMP": timestamp,
            },
        }),
    )
    .await
}

pub(crate) async fn srp_sign_in(h: &Harness, username: &str, password: &str) -> Answer {
    let client = SrpClient::new();
    let params = initiate(h, username, &client).await;
    let timestamp = cognito_timestamp(time::OffsetDateTime::now_utc());
    let signature = claim(h, &client, &params, password, &timestamp);
    respond(h, &params, &signature, &timestamp).await
}

#[tokio::test]
async fn srp_sign_in_succeeds_with_the_right_password() {
    let h = Harness::start().await;
    let user = h.user("kim");
    let client = SrpClient::new();
    let params = initiate(&h, "kim", &client).await;
    assert_eq!(params["USERNAME"], "kim");
    assert_eq!(params["USER_ID_FOR_SRP"], "kim");
    for name in ["SALT", "SRP_B", "SECRET_BLOCK"] {
        assert!(
            params[name].as_str().is_some_and(|s| !s.is_empty()),
            "{name}"
        );
    }
    let timestamp = cognito_timestamp(time::OffsetDateTime::now_utc());
    let signature = claim(&h, &client, &params, PASSWORD, &timestamp);
    let result = respond(&h, &params, &signature, &timestamp).await.ok();
    let access = result["AuthenticationResult"]["AccessToken"]
        .as_str()
        .expect("access");
    assert_eq!(crate::helpers::claims(access)["sub"], user.sub);
    assert!(result["AuthenticationResult"]["RefreshToken"].is_string());

    // The secret block is single-use: replaying the same answer fails.
    respond(&h, &params, &signature, &timestamp)
        .await
        .assert_error("NotAuthorizedException");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn srp_rejects_wrong_password_tampering_and_unknown_users() {
    let h = Harness::start().await;
    h.user("lee");
    let wrong = srp_sign_in(&h, "lee", "Wr0ng-password").await;
    wrong.assert_error("NotAuthorizedException");
    assert_eq!(wrong.body["message"], "Incorrect username or password.");

    // Tampered timestamp.
    let client = SrpClient::new();
    let params = initiate(&h, "lee", &client).await;
    let signature = claim(
        &h,
        &client,
        &params,
        PASSWORD,
        "Mon Jan 5 00:00:00 UTC 2026",
    );
    respond(&h, &params, &signature, "Mon Jan 5 00:00:01 UTC 2026")
        .await
        .assert_error("NotAuthorizedException");

    // Forged secret block.
    let client = SrpClient::new();
    let mut params = initiate(&h, "lee", &client).await;
    params["SECRET_BLOCK"] = json!("Zm9yZ2VkIGJsb2Nr");
    let signature = claim(
        &h,
        &client,
        &params,
        PASSWORD,
        "Mon Jan 5 00:00:00 UTC 2026",
    );
    respond(&h, &params, &signature, "Mon Jan 5 00:00:00 UTC 2026")
        .await
        .assert_error("NotAuthorizedException");

    // Tampered signature.
    let client = SrpClient::new();
    let params = initiate(&h, "lee", &client).await;
    let signature = claim(
        &h,
        &client,
        &params,
        PASSWORD,
        "Mon Jan 5 00:00:00 UTC 2026",
    );
    let forged = format!("A{}", &signature[1..]);
    let forged = if forged == signature {
        format!("B{}", &signature[1..])
    } else {
        forged
    };
    respond(&h, &params, &forged, "Mon Jan 5 00:00:00 UTC 2026")
        .await
        .assert_error("NotAuthorizedException");

    // Unknown user: a decoy challenge, then the usual error.
    let unknown = srp_sign_in(&h, "nobody", PASSWORD).await;
    unknown.assert_error("NotAuthorizedException");
    assert_eq!(unknown.body["message"], "Incorrect username or password.");

    // Still works afterwards.
    srp_sign_in(&h, "lee", PASSWORD).await.ok();
    h.backend.shutdown().await;
}

#[tokio::test]
async fn srp_rejects_degenerate_a() {
    let h = Harness::start().await;
    h.user("max");
    let n_hex = concat!(
        "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD",
        "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
        "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
        "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
        "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
        "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
        "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
        "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    );
    for a in ["0", n_hex] {
        let answer = h
            .call(
                "InitiateAuth",
                json!({
                    "AuthFlow": "USER_SRP_AUTH",
                    "ClientId": h.backend.client_id(),
                    "AuthParameters": { "USERNAME": "max", "SRP_A": a },
                }),
            )
            .await;
        answer.assert_error("InvalidParameterException");
    }
    h.call(
        "InitiateAuth",
        json!({
            "AuthFlow": "USER_SRP_AUTH",
            "ClientId": h.backend.client_id(),
            "AuthParameters": { "USERNAME": "max", "SRP_A": "not hex" },
        }),
    )
    .await
    .assert_error("InvalidParameterException");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn srp_for_force_change_password_users_asks_for_a_new_password() {
    let h = Harness::start().await;
    h.admin(
        "AdminCreateUser",
        json!({
            "UserPoolId": h.backend.user_pool_id(),
            "Username": "ned",
            "TemporaryPassword": "Temp-Pass1",
        }),
    )
    .await
    .ok();
    let answer = srp_sign_in(&h, "ned", "Temp-Pass1").await.ok();
    assert_eq!(answer["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    assert!(answer["Session"].is_string());
    h.backend.shutdown().await;
}
