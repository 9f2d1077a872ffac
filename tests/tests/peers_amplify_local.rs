//! amplify-local against real Cognito clients: boto3 (Python) and aws-amplify 6.22.1 (Node).
//!
//! The peers are installed by `scripts/test`; see the `amplify_integration_tests` harness.

use std::collections::BTreeSet;
use std::time::Duration;

use amplify_integration_tests::cookies::{self, CookieWrite};
use amplify_integration_tests::{
    TestBackend, assert_no_peer_error, assert_peer_error, boto3, run_node,
};
use serde_json::{Value, json};

const PASSWORD: &str = "Correct-Horse-9!";
const WRONG_PASSWORD: &str = "Wrong-Horse-9!";

/// The encoded names of the cookies a write sets (deletions left out).
fn set_names(writes: &[CookieWrite]) -> BTreeSet<String> {
    writes
        .iter()
        .filter(|w| !w.is_deletion())
        .map(|w| w.name.clone())
        .collect()
}

/// The last value written to cookie `name` (encoded form).
fn last_value<'a>(writes: &'a [CookieWrite], name: &str) -> Option<&'a str> {
    writes
        .iter()
        .rev()
        .find(|w| w.name == name && !w.is_deletion())
        .map(|w| w.value.as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boto3_signs_up_confirms_signs_in_and_verifies_tokens_with_pyjwt() {
    let backend = TestBackend::start().await;
    let env = backend.boto3_env();

    let signed_up = boto3(
        &["sign-up", "bob", PASSWORD, "bob@example.com"],
        env.clone(),
    )
    .await;
    assert_no_peer_error(&signed_up);
    assert_eq!(signed_up["UserConfirmed"], json!(false), "{signed_up:#}");
    assert!(signed_up["UserSub"].is_string(), "{signed_up:#}");

    let unconfirmed = boto3(&["sign-in", "bob", PASSWORD], env.clone()).await;
    assert_peer_error(&unconfirmed, "UserNotConfirmedException");

    let code = backend
        .confirmation_code("bob")
        .expect("amplify-local recorded a confirmation code for bob");
    let wrong_code = if code == "000000" { "111111" } else { "000000" };
    let mismatch = boto3(&["confirm", "bob", wrong_code], env.clone()).await;
    assert_peer_error(&mismatch, "CodeMismatchException");

    let confirmed = boto3(&["confirm", "bob", &code], env.clone()).await;
    assert_no_peer_error(&confirmed);

    let signed_in = boto3(&["sign-in", "bob", PASSWORD], env.clone()).await;
    assert_no_peer_error(&signed_in);
    let result = &signed_in["AuthenticationResult"];
    assert_eq!(result["TokenType"], json!("Bearer"), "{signed_in:#}");
    let access = result["AccessToken"].as_str().expect("AccessToken");
    let id = result["IdToken"].as_str().expect("IdToken");
    assert!(result["RefreshToken"].is_string(), "{signed_in:#}");

    let verified = boto3(&["verify", access, id], env.clone()).await;
    assert_no_peer_error(&verified);
    assert_eq!(verified["verified"], json!(true));
    let access_claims = &verified["access"]["claims"];
    let id_claims = &verified["id"]["claims"];
    assert_eq!(access_claims["username"], json!("bob"), "{verified:#}");
    assert_eq!(access_claims["iss"], json!(backend.token_issuer()));
    assert_eq!(id_claims["cognito:username"], json!("bob"), "{verified:#}");
    assert_eq!(id_claims["email"], json!("bob@example.com"), "{verified:#}");
    assert_eq!(id_claims["sub"], signed_up["UserSub"], "{verified:#}");
    assert_eq!(access_claims["sub"], id_claims["sub"]);

    let wrong = boto3(&["sign-in", "bob", WRONG_PASSWORD], env.clone()).await;
    assert_peer_error(&wrong, "NotAuthorizedException");

    backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boto3_signatures_pass_amplify_locals_admin_check() {
    let credentials =
        amplify_local::AdminCredentials::new("AKIDBOTO3", "boto3-secret").expect("credentials");
    let backend = TestBackend::start_with(|o| o.with_admin_credentials(credentials)).await;
    backend.create_user("carl", PASSWORD, &[("email", "carl@example.com")]);
    let env_with = |key: &str, secret: &str| {
        let mut env = backend.boto3_env();
        env.push(("ADMIN_KEY".to_owned(), key.to_owned()));
        env.push(("ADMIN_SECRET".to_owned(), secret.to_owned()));
        env
    };

    // botocore's signature verifies against the pinned secret ...
    let user = boto3(
        &["admin-get-user", "carl"],
        env_with("AKIDBOTO3", "boto3-secret"),
    )
    .await;
    assert_no_peer_error(&user);
    assert_eq!(user["Username"], json!("carl"), "{user:#}");
    // ... and not against another.
    let forged = boto3(
        &["admin-get-user", "carl"],
        env_with("AKIDBOTO3", "guessed-secret"),
    )
    .await;
    assert_peer_error(&forged, "InvalidSignatureException");
    let stranger = boto3(&["admin-get-user", "carl"], env_with("local", "local")).await;
    assert_peer_error(&stranger, "UnrecognizedClientException");
    backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_amplify_default_srp_sign_in_writes_amplify_cookies() {
    let backend = TestBackend::start().await;
    let username = "alice+test@example.com";
    backend.create_user(username, PASSWORD, &[("email", username)]);

    // No AUTH_FLOW: Amplify's default flow, USER_SRP_AUTH, which amplify-local verifies.
    let out = run_node(
        "sign_in.mjs",
        backend.amplify_env_with(&[("USERNAME", username), ("PASSWORD", PASSWORD)]),
    )
    .await;
    assert_no_peer_error(&out);
    assert_eq!(out["signIn"]["isSignedIn"], json!(true), "{out:#}");
    assert_eq!(out["signIn"]["nextStep"]["signInStep"], json!("DONE"));
    assert_eq!(out["currentUser"]["username"], json!(username), "{out:#}");
    assert_eq!(
        out["currentUser"]["signInDetails"]["authFlowType"],
        json!("USER_SRP_AUTH")
    );
    // SRP is two round trips: InitiateAuth (SRP_A) and RespondToAuthChallenge
    // (PASSWORD_VERIFIER), whose signature amplify-local checks.
    assert_eq!(backend.operation_count("InitiateAuth"), 1);
    assert_eq!(backend.operation_count("RespondToAuthChallenge"), 1);

    // js-cookie percent-encodes the name but leaves '+' literal.
    let encoded_user = "alice+test%40example.com";
    assert_eq!(cookies::js_cookie_encode_name(username), encoded_user);
    let prefix = cookies::key_prefix(&backend.client_id());
    let user_prefix = format!("{prefix}.{encoded_user}");
    let writes = cookies::writes(&out);
    let expected: BTreeSet<String> = [
        format!("{prefix}.LastAuthUser"),
        format!("{user_prefix}.accessToken"),
        format!("{user_prefix}.idToken"),
        format!("{user_prefix}.refreshToken"),
        format!("{user_prefix}.clockDrift"),
        format!("{user_prefix}.signInDetails"),
    ]
    .into_iter()
    .collect();
    assert_eq!(set_names(&writes), expected, "{out:#}");

    for write in writes.iter().filter(|w| !w.is_deletion()) {
        assert_eq!(write.attribute("path"), Some("/"), "{write:?}");
        assert_eq!(
            write.attribute("samesite").map(str::to_ascii_lowercase),
            Some("lax".to_owned()),
            "{write:?}"
        );
        assert!(write.attribute("expires").is_some(), "{write:?}");
    }

    let last_auth_user = last_value(&writes, &format!("{prefix}.LastAuthUser")).unwrap();
    assert_eq!(cookies::decode(last_auth_user), username);

    let details = last_value(&writes, &format!("{user_prefix}.signInDetails")).unwrap();
    let details: Value = serde_json::from_str(&cookies::decode(details)).unwrap();
    assert_eq!(
        details,
        json!({"loginId": username, "authFlowType": "USER_SRP_AUTH"})
    );

    let drift = last_value(&writes, &format!("{user_prefix}.clockDrift")).unwrap();
    assert!(drift.parse::<i64>().is_ok(), "clockDrift {drift:?}");

    let access = last_value(&writes, &format!("{user_prefix}.accessToken")).unwrap();
    let access = cookies::jwt_claims(access);
    assert_eq!(access["username"], json!(username), "{access:#}");
    assert_eq!(access["client_id"], json!(backend.client_id()));
    assert_eq!(access["token_use"], json!("access"));
    assert_eq!(access["iss"], json!(backend.token_issuer()));
    let id = last_value(&writes, &format!("{user_prefix}.idToken")).unwrap();
    let id = cookies::jwt_claims(id);
    assert_eq!(id["aud"], json!(backend.client_id()), "{id:#}");
    assert_eq!(id["token_use"], json!("id"));
    assert_eq!(id["email"], json!(username));

    // The jar a browser would now send holds exactly these cookies.
    let jar = cookies::parse_header(&cookies::header_of(&out));
    let jar_names: BTreeSet<String> = jar.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(jar_names, expected);

    backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_amplify_srp_sign_in_with_wrong_password_is_not_authorized() {
    let backend = TestBackend::start().await;
    backend.create_user("erin", PASSWORD, &[("email", "erin@example.com")]);

    let out = run_node(
        "sign_in.mjs",
        backend.amplify_env_with(&[("USERNAME", "erin"), ("PASSWORD", WRONG_PASSWORD)]),
    )
    .await;
    assert_peer_error(&out, "NotAuthorizedException");
    // The password was rejected at the PASSWORD_VERIFIER step, by the SRP signature.
    assert_eq!(backend.operation_count("RespondToAuthChallenge"), 1);
    let token_writes: Vec<_> = cookies::writes(&out)
        .into_iter()
        .filter(|w| !w.is_deletion())
        .collect();
    assert!(
        token_writes.is_empty(),
        "no cookies after a failed sign-in: {token_writes:?}"
    );

    // An unknown user fails the same way from the client's point of view.
    let out = run_node(
        "sign_in.mjs",
        backend.amplify_env_with(&[("USERNAME", "nobody"), ("PASSWORD", PASSWORD)]),
    )
    .await;
    assert!(
        matches!(
            amplify_integration_tests::peer_error(&out),
            Some((name, _)) if name == "NotAuthorizedException" || name == "UserNotFoundException"
        ),
        "{out:#}"
    );

    backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_amplify_forced_refresh_from_cookies_rewrites_the_access_token() {
    let backend = TestBackend::start().await;
    backend.backend.freeze_clock();
    backend.create_user("dave", PASSWORD, &[("email", "dave@example.com")]);
    let signed_in = run_node(
        "sign_in.mjs",
        backend.amplify_env_with(&[("USERNAME", "dave"), ("PASSWORD", PASSWORD)]),
    )
    .await;
    assert_no_peer_error(&signed_in);
    let jar = cookies::header_of(&signed_in);
    let prefix = format!("{}.dave", cookies::key_prefix(&backend.client_id()));
    let pairs = cookies::parse_header(&jar);
    let old_access = cookies::get(&pairs, &format!("{prefix}.accessToken"))
        .expect("accessToken cookie")
        .to_owned();
    let old_refresh = cookies::get(&pairs, &format!("{prefix}.refreshToken"))
        .expect("refreshToken cookie")
        .to_owned();

    // Tokens carry whole seconds: a minute later by the backend's clock, the new one cannot share the
    // old iat.
    backend.backend.advance_clock(Duration::from_secs(60));
    let refreshes_before = backend.operation_count("GetTokensFromRefreshToken");
    let refreshed = run_node(
        "read_session.mjs",
        backend.amplify_env_with(&[("COOKIE", &jar), ("FORCE_REFRESH", "1")]),
    )
    .await;
    assert_no_peer_error(&refreshed);
    assert_eq!(
        backend.operation_count("GetTokensFromRefreshToken"),
        refreshes_before + 1,
        "aws-amplify 6.22.1 refreshes with GetTokensFromRefreshToken"
    );
    assert_eq!(
        refreshed["session"]["signedIn"],
        json!(true),
        "{refreshed:#}"
    );
    assert_eq!(refreshed["session"]["username"], json!("dave"));
    assert_eq!(refreshed["currentUser"]["username"], json!("dave"));

    let writes = cookies::writes(&refreshed);
    let new_access = last_value(&writes, &format!("{prefix}.accessToken"))
        .expect("the refresh rewrote the accessToken cookie");
    assert_ne!(new_access, old_access);
    let (old_claims, new_claims) = (
        cookies::jwt_claims(&old_access),
        cookies::jwt_claims(new_access),
    );
    assert_eq!(new_claims["sub"], old_claims["sub"]);
    assert!(
        new_claims["iat"].as_i64() > old_claims["iat"].as_i64(),
        "old {old_claims:#} new {new_claims:#}"
    );
    assert_eq!(
        refreshed["session"]["accessTokenExp"], new_claims["exp"],
        "fetchAuthSession returned the new token"
    );

    // The jar afterwards has the new access token and still a refresh token (the old one
    // unless the server rotated it).
    let after = cookies::parse_header(&cookies::header_of(&refreshed));
    assert_eq!(
        cookies::get(&after, &format!("{prefix}.accessToken")),
        Some(new_access)
    );
    let refresh_after =
        cookies::get(&after, &format!("{prefix}.refreshToken")).expect("refreshToken cookie kept");
    if refresh_after != old_refresh {
        eprintln!("amplify-local rotated the refresh token on GetTokensFromRefreshToken");
    }

    // Reading the refreshed jar again needs no refresh, and GetUser accepts the new token.
    let reread = run_node(
        "read_session.mjs",
        backend.amplify_env_with(&[
            ("COOKIE", &cookies::header_of(&refreshed)),
            ("ATTRIBUTES", "1"),
        ]),
    )
    .await;
    assert_no_peer_error(&reread);
    assert_eq!(reread["session"]["signedIn"], json!(true));
    assert_eq!(
        reread["attributes"]["email"],
        json!("dave@example.com"),
        "{reread:#}"
    );
    assert_eq!(
        backend.operation_count("GetTokensFromRefreshToken"),
        refreshes_before + 1
    );
    assert!(
        set_names(&cookies::writes(&reread)).is_empty(),
        "no cookie writes without a refresh: {reread:#}"
    );

    backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_amplify_sign_out_deletes_the_cookies_and_revokes_the_refresh_token() {
    let backend = TestBackend::start().await;
    backend.create_user("frank", PASSWORD, &[("email", "frank@example.com")]);
    let signed_in = run_node(
        "sign_in.mjs",
        backend.amplify_env_with(&[("USERNAME", "frank"), ("PASSWORD", PASSWORD)]),
    )
    .await;
    assert_no_peer_error(&signed_in);
    let jar = cookies::header_of(&signed_in);
    let prefix = cookies::key_prefix(&backend.client_id());

    let signed_out = run_node(
        "sign_out.mjs",
        backend.amplify_env_with(&[("COOKIE", &jar)]),
    )
    .await;
    assert_no_peer_error(&signed_out);
    assert_eq!(backend.operation_count("RevokeToken"), 1, "{signed_out:#}");
    let deleted: BTreeSet<String> = cookies::writes(&signed_out)
        .into_iter()
        .filter(CookieWrite::is_deletion)
        .map(|w| w.name)
        .collect();
    for suffix in [
        ".LastAuthUser",
        ".frank.accessToken",
        ".frank.idToken",
        ".frank.refreshToken",
        ".frank.clockDrift",
        ".frank.signInDetails",
    ] {
        let name = format!("{prefix}{suffix}");
        assert!(
            deleted.contains(&name),
            "{name} not deleted: {signed_out:#}"
        );
    }
    let left = cookies::parse_header(&cookies::header_of(&signed_out));
    assert!(
        left.iter().all(|(name, _)| !name.starts_with(&prefix)),
        "token cookies left after sign-out: {left:?}"
    );

    // A stolen copy of the old jar can no longer refresh: amplify-local revoked the token,
    // and aws-amplify drops the session when the refresh is refused.
    let replay = run_node(
        "read_session.mjs",
        backend.amplify_env_with(&[("COOKIE", &jar), ("FORCE_REFRESH", "1")]),
    )
    .await;
    assert_eq!(backend.operation_count("GetTokensFromRefreshToken"), 1);
    assert_eq!(replay["session"]["signedIn"], json!(false), "{replay:#}");
    let after = cookies::parse_header(&cookies::header_of(&replay));
    assert!(
        cookies::get(&after, &format!("{prefix}.frank.accessToken")).is_none(),
        "{replay:#}"
    );

    backend.shutdown().await;
}

/// The backend's clock, in Unix seconds (TOTP codes are computed for it).
fn backend_secs(backend: &TestBackend) -> String {
    backend
        .backend
        .clock()
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        .to_string()
}

fn text(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("expected a string, got {value}"))
        .to_owned()
}

/// Calls a cognito-idp operation through boto3 (its own validation and serialization).
async fn boto3_call(
    operation: &str,
    arguments: Value,
    env: &amplify_integration_tests::PeerEnv,
) -> Value {
    boto3(&["call", operation, &arguments.to_string()], env.clone()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boto3_groups_reach_the_tokens() {
    let backend = TestBackend::start().await;
    let env = backend.boto3_env();
    backend.create_user("gail", PASSWORD, &[("email", "gail@example.com")]);
    for (group, precedence) in [("readers", 10), ("admins", 1)] {
        let created = boto3_call(
            "create_group",
            json!({ "UserPoolId": "$POOL", "GroupName": group, "Precedence": precedence }),
            &env,
        )
        .await;
        assert_no_peer_error(&created);
        let added = boto3_call(
            "admin_add_user_to_group",
            json!({ "UserPoolId": "$POOL", "Username": "gail", "GroupName": group }),
            &env,
        )
        .await;
        assert_no_peer_error(&added);
    }
    let again = boto3_call(
        "create_group",
        json!({ "UserPoolId": "$POOL", "GroupName": "admins" }),
        &env,
    )
    .await;
    assert_peer_error(&again, "GroupExistsException");
    let listed = boto3_call(
        "admin_list_groups_for_user",
        json!({ "UserPoolId": "$POOL", "Username": "gail" }),
        &env,
    )
    .await;
    assert_no_peer_error(&listed);
    assert_eq!(
        listed["Groups"].as_array().map(Vec::len),
        Some(2),
        "{listed:#}"
    );

    let signed_in = boto3(&["sign-in", "gail", PASSWORD], env.clone()).await;
    let result = &signed_in["AuthenticationResult"];
    let verified = boto3(
        &[
            "verify",
            &text(&result["AccessToken"]),
            &text(&result["IdToken"]),
        ],
        env.clone(),
    )
    .await;
    assert_no_peer_error(&verified);
    assert_eq!(
        verified["id"]["claims"]["cognito:groups"],
        json!(["admins", "readers"]),
        "{verified:#}"
    );
    assert_eq!(
        verified["access"]["claims"]["cognito:groups"],
        json!(["admins", "readers"])
    );
    backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boto3_admin_created_user_totp_and_password_reset() {
    let backend = TestBackend::start_with(|o| o.with_mfa(amplify_local::MfaMode::Optional)).await;
    backend.backend.freeze_clock();
    let env = backend.boto3_env();

    // An admin-created user must choose a password at first sign-in.
    let created = boto3_call(
        "admin_create_user",
        json!({
            "UserPoolId": "$POOL",
            "Username": "nina",
            "TemporaryPassword": "Temp-Pass-1!",
            "MessageAction": "SUPPRESS",
            "UserAttributes": [
                { "Name": "email", "Value": "nina@example.com" },
                { "Name": "email_verified", "Value": "true" },
            ],
        }),
        &env,
    )
    .await;
    assert_no_peer_error(&created);
    assert_eq!(
        created["User"]["UserStatus"],
        json!("FORCE_CHANGE_PASSWORD")
    );
    let challenge = boto3(&["sign-in", "nina", "Temp-Pass-1!"], env.clone()).await;
    assert_eq!(
        challenge["ChallengeName"],
        json!("NEW_PASSWORD_REQUIRED"),
        "{challenge:#}"
    );
    let respond = |name: &str, session: &Value, responses: Value| {
        json!({
            "ClientId": "$CLIENT",
            "ChallengeName": name,
            "Session": session,
            "ChallengeResponses": responses,
        })
    };
    let done = boto3_call(
        "respond_to_auth_challenge",
        respond(
            "NEW_PASSWORD_REQUIRED",
            &challenge["Session"],
            json!({ "USERNAME": "nina", "NEW_PASSWORD": PASSWORD }),
        ),
        &env,
    )
    .await;
    assert_no_peer_error(&done);
    let access = text(&done["AuthenticationResult"]["AccessToken"]);

    // TOTP set up while signed in, codes computed by Python.
    let associated = boto3_call(
        "associate_software_token",
        json!({ "AccessToken": access }),
        &env,
    )
    .await;
    let secret = text(&associated["SecretCode"]);
    let code = boto3(&["totp", &secret, &backend_secs(&backend)], env.clone()).await;
    let verified = boto3_call(
        "verify_software_token",
        json!({ "AccessToken": access, "UserCode": code["code"] }),
        &env,
    )
    .await;
    assert_eq!(verified["Status"], json!("SUCCESS"), "{verified:#}");
    let preferred = boto3_call(
        "set_user_mfa_preference",
        json!({
            "AccessToken": access,
            "SoftwareTokenMfaSettings": { "Enabled": true, "PreferredMfa": true },
        }),
        &env,
    )
    .await;
    assert_no_peer_error(&preferred);
    let user = boto3(&["get-user", &access], env.clone()).await;
    assert_eq!(
        user["PreferredMfaSetting"],
        json!("SOFTWARE_TOKEN_MFA"),
        "{user:#}"
    );

    let challenge = boto3(&["sign-in", "nina", PASSWORD], env.clone()).await;
    assert_eq!(
        challenge["ChallengeName"],
        json!("SOFTWARE_TOKEN_MFA"),
        "{challenge:#}"
    );
    // The verifying code does not work twice; the next step's does.
    let reused = boto3_call(
        "respond_to_auth_challenge",
        respond(
            "SOFTWARE_TOKEN_MFA",
            &challenge["Session"],
            json!({ "USERNAME": "nina", "SOFTWARE_TOKEN_MFA_CODE": code["code"] }),
        ),
        &env,
    )
    .await;
    assert_peer_error(&reused, "CodeMismatchException");
    backend.backend.advance_clock(Duration::from_secs(30));
    let code = boto3(&["totp", &secret, &backend_secs(&backend)], env.clone()).await;
    let done = boto3_call(
        "respond_to_auth_challenge",
        respond(
            "SOFTWARE_TOKEN_MFA",
            &challenge["Session"],
            json!({ "USERNAME": "nina", "SOFTWARE_TOKEN_MFA_CODE": code["code"] }),
        ),
        &env,
    )
    .await;
    assert!(
        done["AuthenticationResult"]["IdToken"].is_string(),
        "{done:#}"
    );

    // Password reset with the code amplify-local shows.
    let forgot = boto3_call(
        "forgot_password",
        json!({ "ClientId": "$CLIENT", "Username": "nina" }),
        &env,
    )
    .await;
    assert_eq!(
        forgot["CodeDeliveryDetails"]["DeliveryMedium"],
        json!("EMAIL"),
        "{forgot:#}"
    );
    let code = backend
        .backend
        .password_reset_code("nina")
        .expect("a reset code");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let confirm = |code: &str| {
        json!({
            "ClientId": "$CLIENT",
            "Username": "nina",
            "ConfirmationCode": code,
            "Password": WRONG_PASSWORD,
        })
    };
    let mismatch = boto3_call("confirm_forgot_password", confirm(wrong), &env).await;
    assert_peer_error(&mismatch, "CodeMismatchException");
    let reset = boto3_call("confirm_forgot_password", confirm(&code), &env).await;
    assert_no_peer_error(&reset);
    let old = boto3(&["sign-in", "nina", PASSWORD], env.clone()).await;
    assert_peer_error(&old, "NotAuthorizedException");
    let new = boto3(&["sign-in", "nina", WRONG_PASSWORD], env.clone()).await;
    assert_eq!(new["ChallengeName"], json!("SOFTWARE_TOKEN_MFA"), "{new:#}");
    backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boto3_email_and_sms_codes_and_mfa_setup() {
    let backend = TestBackend::start_with(|o| {
        o.with_mfa(amplify_local::MfaMode::Required)
            .with_mfa_factors([
                amplify_local::MfaFactor::Totp,
                amplify_local::MfaFactor::Email,
            ])
    })
    .await;
    let env = backend.boto3_env();
    backend.create_user("omar", PASSWORD, &[("email", "omar@example.com")]);
    let setup = boto3(&["sign-in", "omar", PASSWORD], env.clone()).await;
    assert_eq!(setup["ChallengeName"], json!("MFA_SETUP"), "{setup:#}");
    assert_eq!(
        setup["ChallengeParameters"]["MFAS_CAN_SETUP"],
        json!("[\"SOFTWARE_TOKEN_MFA\",\"EMAIL_OTP\"]")
    );
    let otp = boto3_call(
        "respond_to_auth_challenge",
        json!({
            "ClientId": "$CLIENT",
            "ChallengeName": "MFA_SETUP",
            "Session": setup["Session"],
            "ChallengeResponses": { "USERNAME": "omar", "EMAIL": "omar@example.com" },
        }),
        &env,
    )
    .await;
    assert_eq!(otp["ChallengeName"], json!("EMAIL_OTP"), "{otp:#}");
    assert_eq!(
        otp["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"],
        json!("EMAIL")
    );
    let code = backend.backend.mfa_code("omar").expect("an email code");
    let done = boto3_call(
        "respond_to_auth_challenge",
        json!({
            "ClientId": "$CLIENT",
            "ChallengeName": "EMAIL_OTP",
            "Session": otp["Session"],
            "ChallengeResponses": { "USERNAME": "omar", "EMAIL_OTP_CODE": code },
        }),
        &env,
    )
    .await;
    assert!(
        done["AuthenticationResult"]["AccessToken"].is_string(),
        "{done:#}"
    );
    let user = boto3_call(
        "admin_get_user",
        json!({ "UserPoolId": "$POOL", "Username": "omar" }),
        &env,
    )
    .await;
    assert_eq!(user["UserMFASettingList"], json!(["EMAIL_OTP"]), "{user:#}");
    backend.shutdown().await;
}

/// Runs `interop/js/totp_sign_in.mjs` in a mode, with TOTP codes for the backend's time.
async fn amplify_totp(backend: &TestBackend, mode: &str, username: &str, secret: &str) -> Value {
    let time = backend_secs(backend);
    let out = run_node(
        "totp_sign_in.mjs",
        backend.amplify_env_with(&[
            ("MODE", mode),
            ("USERNAME", username),
            ("PASSWORD", PASSWORD),
            ("TOTP_TIME", &time),
            ("SECRET", secret),
        ]),
    )
    .await;
    assert!(out["error"].is_null(), "{mode}: {out:#}");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_amplify_sets_up_totp_at_sign_in_and_confirms_sign_in_with_it() {
    let backend = TestBackend::start_with(|o| {
        o.with_mfa(amplify_local::MfaMode::Required)
            .with_mfa_factors([amplify_local::MfaFactor::Totp])
    })
    .await;
    backend.backend.freeze_clock();
    backend.create_user("tess", PASSWORD, &[("email", "tess@example.com")]);

    let setup = amplify_totp(&backend, "setup-at-sign-in", "tess", "").await;
    assert_eq!(
        setup["steps"],
        json!(["CONTINUE_SIGN_IN_WITH_TOTP_SETUP", "DONE"]),
        "{setup:#}"
    );
    assert_eq!(setup["isSignedIn"], json!(true));
    let secret = text(&setup["secret"]);
    assert_eq!(
        backend.backend.totp_secret("tess").as_deref(),
        Some(secret.as_str())
    );
    assert!(
        text(&setup["setupUri"]).starts_with("otpauth://totp/amplify-local:tess?secret="),
        "{setup:#}"
    );

    // The next sign-in asks for a code of a later step (codes are single-use).
    backend.backend.advance_clock(Duration::from_secs(30));
    let signed_in = amplify_totp(&backend, "sign-in-with-totp", "tess", &secret).await;
    assert_eq!(
        signed_in["steps"],
        json!(["CONFIRM_SIGN_IN_WITH_TOTP_CODE", "DONE"]),
        "{signed_in:#}"
    );
    assert_eq!(signed_in["currentUser"]["username"], json!("tess"));
    backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_amplify_sets_up_totp_while_signed_in() {
    let backend = TestBackend::start_with(|o| o.with_mfa(amplify_local::MfaMode::Optional)).await;
    backend.backend.freeze_clock();
    backend.create_user("toby", PASSWORD, &[("email", "toby@example.com")]);
    let setup = amplify_totp(&backend, "setup-signed-in", "toby", "").await;
    assert_eq!(setup["steps"], json!(["DONE"]), "{setup:#}");
    assert_eq!(setup["preference"]["preferred"], json!("TOTP"), "{setup:#}");
    assert_eq!(setup["preference"]["enabled"], json!(["TOTP"]), "{setup:#}");
    let secret = text(&setup["secret"]);

    backend.backend.advance_clock(Duration::from_secs(30));
    let signed_in = amplify_totp(&backend, "sign-in-with-totp", "toby", &secret).await;
    assert_eq!(
        signed_in["steps"],
        json!(["CONFIRM_SIGN_IN_WITH_TOTP_CODE", "DONE"]),
        "{signed_in:#}"
    );
    backend.shutdown().await;
}
