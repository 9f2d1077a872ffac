//! MFA: TOTP set up while signed in and at sign-in, SMS and email codes,
//! SELECT_MFA_TYPE, session limits, and the pool's MFA modes.

use std::time::{Duration, UNIX_EPOCH};

use amplify_local::{MfaFactor, MfaMode, totp_code};
use serde_json::{Value, json};

use crate::helpers::{Answer, Harness, PASSWORD, SECOND, other_code};
use crate::srp::srp_sign_in;

const STEP: Duration = Duration::from_secs(30);

fn now_secs(h: &Harness) -> i64 {
    let since = h
        .backend
        .clock()
        .now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970");
    i64::try_from(since.as_secs()).expect("fits")
}

/// The code an authenticator app shows now (by the backend's clock).
fn code_now(h: &Harness, secret: &str) -> String {
    totp_code(secret, now_secs(h)).expect("code")
}

fn text(value: &Value) -> String {
    value.as_str().expect("a string").to_owned()
}

async fn respond(h: &Harness, challenge: &str, session: &str, responses: Value) -> Answer {
    h.call(
        "RespondToAuthChallenge",
        json!({
            "ChallengeName": challenge,
            "ClientId": h.backend.client_id(),
            "Session": session,
            "ChallengeResponses": responses,
        }),
    )
    .await
}

/// Sets up and enables TOTP for a signed-in user; returns the secret.
async fn enable_totp(h: &Harness, username: &str) -> String {
    let tokens = h.sign_in(username).await;
    let access = text(&tokens["AccessToken"]);
    let secret = text(
        &h.call("AssociateSoftwareToken", json!({ "AccessToken": access }))
            .await
            .ok()["SecretCode"],
    );
    let verified = h
        .call(
            "VerifySoftwareToken",
            json!({ "AccessToken": access, "UserCode": code_now(h, &secret) }),
        )
        .await
        .ok();
    assert_eq!(verified["Status"], "SUCCESS");
    h.call(
        "SetUserMFAPreference",
        json!({
            "AccessToken": access,
            "SoftwareTokenMfaSettings": { "Enabled": true, "PreferredMfa": true },
        }),
    )
    .await
    .ok();
    secret
}

#[tokio::test]
async fn totp_set_up_while_signed_in_is_asked_at_the_next_sign_in() {
    let h = Harness::start_with(|o| o.with_mfa(MfaMode::Optional)).await;
    h.backend.freeze_clock();
    h.user("tara");
    // Without a factor, an optional pool signs in at once.
    let tokens = h.sign_in("tara").await;
    let access = text(&tokens["AccessToken"]);
    let secret = text(
        &h.call("AssociateSoftwareToken", json!({ "AccessToken": access }))
            .await
            .ok()["SecretCode"],
    );
    assert_eq!(secret.len(), 32, "160 bits in base32: {secret}");
    h.call(
        "SetUserMFAPreference",
        json!({ "AccessToken": access, "SoftwareTokenMfaSettings": { "Enabled": true } }),
    )
    .await
    .assert_error("InvalidParameterException");
    let wrong = if code_now(&h, &secret) == "000000" {
        "111111"
    } else {
        "000000"
    };
    h.call(
        "VerifySoftwareToken",
        json!({ "AccessToken": access, "UserCode": wrong }),
    )
    .await
    .assert_error("EnableSoftwareTokenMFAException");
    let used = code_now(&h, &secret);
    h.call(
        "VerifySoftwareToken",
        json!({ "AccessToken": access, "UserCode": used, "FriendlyDeviceName": "phone" }),
    )
    .await
    .ok();
    // Verified, not yet enabled: GetUser lists no factor.
    let user = h.get_user(&access).await.ok();
    assert!(user.get("UserMFASettingList").is_none(), "{user}");
    assert_eq!(
        h.backend.totp_secret("tara").as_deref(),
        Some(secret.as_str())
    );
    h.call(
        "SetUserMFAPreference",
        json!({
            "AccessToken": access,
            "SoftwareTokenMfaSettings": { "Enabled": true, "PreferredMfa": true },
        }),
    )
    .await
    .ok();
    let user = h.get_user(&access).await.ok();
    assert_eq!(user["UserMFASettingList"], json!(["SOFTWARE_TOKEN_MFA"]));
    assert_eq!(user["PreferredMfaSetting"], "SOFTWARE_TOKEN_MFA");

    let challenge = h.password_auth("tara", PASSWORD).await.ok();
    assert_eq!(challenge["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    assert_eq!(challenge["ChallengeParameters"]["USER_ID_FOR_SRP"], "tara");
    assert!(challenge.get("AuthenticationResult").is_none());
    let session = text(&challenge["Session"]);
    // The code used to verify the secret does not work twice.
    respond(
        &h,
        "SOFTWARE_TOKEN_MFA",
        &session,
        json!({ "USERNAME": "tara", "SOFTWARE_TOKEN_MFA_CODE": used }),
    )
    .await
    .assert_error("CodeMismatchException");
    h.backend.advance_clock(STEP * 2);
    // One step back is accepted.
    let previous = totp_code(&secret, now_secs(&h) - 30).expect("code");
    let done = respond(
        &h,
        "SOFTWARE_TOKEN_MFA",
        &session,
        json!({ "USERNAME": "tara", "SOFTWARE_TOKEN_MFA_CODE": previous }),
    )
    .await
    .ok();
    assert!(done["AuthenticationResult"]["IdToken"].is_string());
    // A session works for one right answer.
    respond(
        &h,
        "SOFTWARE_TOKEN_MFA",
        &session,
        json!({ "USERNAME": "tara", "SOFTWARE_TOKEN_MFA_CODE": code_now(&h, &secret) }),
    )
    .await
    .assert_error("NotAuthorizedException");

    // SRP sign-in is followed by the same challenge.
    let srp = srp_sign_in(&h, "tara", PASSWORD).await.ok();
    assert_eq!(srp["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn sms_and_email_codes_with_a_choice_of_factor() {
    let h = Harness::start_with(|o| o.with_mfa(MfaMode::Optional)).await;
    h.backend.freeze_clock();
    h.backend
        .create_user(
            "sam",
            PASSWORD,
            &[
                ("email", "sam@example.com"),
                ("email_verified", "true"),
                ("phone_number", "+15555550123"),
            ],
        )
        .expect("user");
    let pool = h.backend.user_pool_id().to_owned();
    h.admin(
        "AdminSetUserMFAPreference",
        json!({
            "UserPoolId": pool,
            "Username": "sam",
            "SMSMfaSettings": { "Enabled": true },
            "EmailMfaSettings": { "Enabled": true },
        }),
    )
    .await
    .ok();
    let got = h
        .admin(
            "AdminGetUser",
            json!({ "UserPoolId": pool, "Username": "sam" }),
        )
        .await
        .ok();
    assert_eq!(got["UserMFASettingList"], json!(["SMS_MFA", "EMAIL_OTP"]));
    assert!(got.get("PreferredMfaSetting").is_none());

    let select = h.password_auth("sam", PASSWORD).await.ok();
    assert_eq!(select["ChallengeName"], "SELECT_MFA_TYPE");
    let choices: Vec<String> = serde_json::from_str(
        select["ChallengeParameters"]["MFAS_CAN_CHOOSE"]
            .as_str()
            .expect("a JSON string"),
    )
    .expect("a JSON list");
    assert_eq!(choices, ["SMS_MFA", "EMAIL_OTP"]);
    let session = text(&select["Session"]);
    respond(
        &h,
        "SELECT_MFA_TYPE",
        &session,
        json!({ "USERNAME": "sam", "ANSWER": "SOFTWARE_TOKEN_MFA" }),
    )
    .await
    .assert_error("InvalidParameterException");
    let email = respond(
        &h,
        "SELECT_MFA_TYPE",
        &session,
        json!({ "USERNAME": "sam", "ANSWER": "EMAIL_OTP" }),
    )
    .await
    .ok();
    assert_eq!(email["ChallengeName"], "EMAIL_OTP");
    let parameters = &email["ChallengeParameters"];
    assert_eq!(parameters["CODE_DELIVERY_DELIVERY_MEDIUM"], "EMAIL");
    assert_eq!(parameters["CODE_DELIVERY_DESTINATION"], "s***@e***");
    let code = h.backend.mfa_code("sam").expect("a pending code");
    let session = text(&email["Session"]);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    // Three wrong answers, and the session is gone.
    for _ in 0..3 {
        respond(
            &h,
            "EMAIL_OTP",
            &session,
            json!({ "USERNAME": "sam", "EMAIL_OTP_CODE": wrong }),
        )
        .await
        .assert_error("CodeMismatchException");
    }
    let gone = respond(
        &h,
        "EMAIL_OTP",
        &session,
        json!({ "USERNAME": "sam", "EMAIL_OTP_CODE": code }),
    )
    .await;
    gone.assert_error("NotAuthorizedException");
    assert_eq!(
        gone.body["message"],
        "Invalid session for the user, session is expired."
    );

    // SMS is preferred now: no choice.
    h.admin(
        "AdminSetUserMFAPreference",
        json!({
            "UserPoolId": pool,
            "Username": "sam",
            "SMSMfaSettings": { "Enabled": true, "PreferredMfa": true },
        }),
    )
    .await
    .ok();
    let sms = h.password_auth("sam", PASSWORD).await.ok();
    assert_eq!(sms["ChallengeName"], "SMS_MFA");
    assert_eq!(
        sms["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"],
        "SMS"
    );
    assert_eq!(
        sms["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"],
        "+*******0123"
    );
    let code = h.backend.mfa_code("sam").expect("a pending code");
    // Another user's name with this session is refused.
    respond(
        &h,
        "SMS_MFA",
        &text(&sms["Session"]),
        json!({ "USERNAME": "someone", "SMS_MFA_CODE": code }),
    )
    .await
    .assert_error("NotAuthorizedException");
    let done = respond(
        &h,
        "SMS_MFA",
        &text(&sms["Session"]),
        json!({ "USERNAME": "sam", "SMS_MFA_CODE": code }),
    )
    .await
    .ok();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());

    // Sessions expire after three minutes (by the backend's clock).
    let sms = h.password_auth("sam", PASSWORD).await.ok();
    let code = h.backend.mfa_code("sam").expect("a pending code");
    h.backend.advance_clock(SECOND * 181);
    respond(
        &h,
        "SMS_MFA",
        &text(&sms["Session"]),
        json!({ "USERNAME": "sam", "SMS_MFA_CODE": code }),
    )
    .await
    .assert_error("NotAuthorizedException");
    assert_eq!(h.backend.mfa_code("sam"), None);
    h.backend.shutdown().await;
}

#[tokio::test]
async fn required_mfa_sets_up_totp_during_sign_in() {
    let h = Harness::start_with(|o| {
        o.with_mfa(MfaMode::Required)
            .with_mfa_factors([MfaFactor::Totp])
    })
    .await;
    h.backend.freeze_clock();
    let outputs = h.backend.outputs();
    assert_eq!(outputs["auth"]["mfa_configuration"], "REQUIRED");
    assert_eq!(outputs["auth"]["mfa_methods"], json!(["TOTP"]));
    h.user("uma");
    let setup = h.password_auth("uma", PASSWORD).await.ok();
    assert_eq!(setup["ChallengeName"], "MFA_SETUP");
    assert_eq!(
        setup["ChallengeParameters"]["MFAS_CAN_SETUP"],
        "[\"SOFTWARE_TOKEN_MFA\"]"
    );
    let session = text(&setup["Session"]);
    // Nothing set up yet.
    respond(&h, "MFA_SETUP", &session, json!({ "USERNAME": "uma" }))
        .await
        .assert_error("InvalidParameterException");
    let associated = h
        .call("AssociateSoftwareToken", json!({ "Session": session }))
        .await
        .ok();
    let secret = text(&associated["SecretCode"]);
    let session = text(&associated["Session"]);
    h.call(
        "VerifySoftwareToken",
        json!({ "Session": session, "UserCode": "12345" }),
    )
    .await
    .assert_error("EnableSoftwareTokenMFAException");
    let verified = h
        .call(
            "VerifySoftwareToken",
            json!({ "Session": session, "UserCode": code_now(&h, &secret) }),
        )
        .await
        .ok();
    assert_eq!(verified["Status"], "SUCCESS");
    // The old session is used up; the new one finishes the sign-in.
    respond(&h, "MFA_SETUP", &session, json!({ "USERNAME": "uma" }))
        .await
        .assert_error("NotAuthorizedException");
    let done = respond(
        &h,
        "MFA_SETUP",
        &text(&verified["Session"]),
        json!({ "USERNAME": "uma" }),
    )
    .await
    .ok();
    assert!(done["AuthenticationResult"]["IdToken"].is_string());
    let got = h
        .admin(
            "AdminGetUser",
            json!({ "UserPoolId": h.backend.user_pool_id(), "Username": "uma" }),
        )
        .await
        .ok();
    assert_eq!(got["PreferredMfaSetting"], "SOFTWARE_TOKEN_MFA");
    let next = h.password_auth("uma", PASSWORD).await.ok();
    assert_eq!(next["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn required_mfa_sets_up_email_during_sign_in() {
    let h = Harness::start_with(|o| {
        o.with_mfa(MfaMode::Required)
            .with_mfa_factors([MfaFactor::Email, MfaFactor::Totp])
    })
    .await;
    h.user("vic");
    let setup = h.password_auth("vic", PASSWORD).await.ok();
    assert_eq!(
        setup["ChallengeParameters"]["MFAS_CAN_SETUP"],
        "[\"SOFTWARE_TOKEN_MFA\",\"EMAIL_OTP\"]"
    );
    let otp = respond(
        &h,
        "MFA_SETUP",
        &text(&setup["Session"]),
        json!({ "USERNAME": "vic", "EMAIL": "vic@example.org" }),
    )
    .await
    .ok();
    assert_eq!(otp["ChallengeName"], "EMAIL_OTP");
    assert_eq!(
        otp["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"],
        "v***@e***"
    );
    let code = h.backend.mfa_code("vic").expect("code");
    let done = respond(
        &h,
        "EMAIL_OTP",
        &text(&otp["Session"]),
        json!({ "USERNAME": "vic", "EMAIL_OTP_CODE": code }),
    )
    .await
    .ok();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
    h.backend.shutdown().await;
}

#[tokio::test]
async fn admin_created_user_sets_a_password_then_meets_required_mfa() {
    let h = Harness::start_with(|o| o.with_mfa(MfaMode::Required)).await;
    let pool = h.backend.user_pool_id().to_owned();
    h.admin(
        "AdminCreateUser",
        json!({
            "UserPoolId": pool,
            "Username": "wes",
            "TemporaryPassword": "Temp-Pass1",
            "MessageAction": "SUPPRESS",
            "UserAttributes": [{ "Name": "phone_number", "Value": "+15555550199" }],
        }),
    )
    .await
    .ok();
    let challenge = h.password_auth("wes", "Temp-Pass1").await.ok();
    assert_eq!(challenge["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    assert_eq!(
        challenge["ChallengeParameters"]["requiredAttributes"],
        "[\"userAttributes.email\"]"
    );
    let attributes: Value = serde_json::from_str(
        challenge["ChallengeParameters"]["userAttributes"]
            .as_str()
            .expect("JSON text"),
    )
    .expect("JSON");
    assert_eq!(attributes["phone_number"], "+15555550199");
    let session = text(&challenge["Session"]);
    respond(
        &h,
        "NEW_PASSWORD_REQUIRED",
        &session,
        json!({ "USERNAME": "wes", "NEW_PASSWORD": PASSWORD }),
    )
    .await
    .assert_error("InvalidParameterException");
    let next = respond(
        &h,
        "NEW_PASSWORD_REQUIRED",
        &session,
        json!({
            "USERNAME": "wes",
            "NEW_PASSWORD": PASSWORD,
            "userAttributes.email": "wes@example.com",
        }),
    )
    .await
    .ok();
    // Required MFA, and a phone number: an SMS code follows.
    assert_eq!(next["ChallengeName"], "SMS_MFA");
    let code = h.backend.mfa_code("wes").expect("code");
    let done = respond(
        &h,
        "SMS_MFA",
        &text(&next["Session"]),
        json!({ "USERNAME": "wes", "SMS_MFA_CODE": code }),
    )
    .await
    .ok();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
    let got = h
        .admin(
            "AdminGetUser",
            json!({ "UserPoolId": pool, "Username": "wes" }),
        )
        .await
        .ok();
    assert_eq!(got["UserStatus"], "CONFIRMED");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn without_mfa_factors_cannot_be_enabled_and_outputs_say_none() {
    let h = Harness::start().await;
    let outputs = h.backend.outputs();
    assert_eq!(outputs["auth"]["mfa_configuration"], "NONE");
    assert_eq!(outputs["auth"]["mfa_methods"], json!([]));
    h.user("xena");
    let access = text(&h.sign_in("xena").await["AccessToken"]);
    h.call("AssociateSoftwareToken", json!({ "AccessToken": access }))
        .await
        .assert_error("SoftwareTokenMFANotFoundException");
    h.call(
        "AssociateSoftwareToken",
        json!({ "AccessToken": access, "Session": "also" }),
    )
    .await
    .assert_error("InvalidParameterException");
    h.call(
        "SetUserMFAPreference",
        json!({ "AccessToken": access, "EmailMfaSettings": { "Enabled": true } }),
    )
    .await
    .assert_error("InvalidParameterException");
    h.call("AssociateSoftwareToken", json!({ "Session": "forged" }))
        .await
        .assert_error("NotAuthorizedException");
    h.call("AssociateSoftwareToken", json!({}))
        .await
        .assert_error("InvalidParameterException");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn totp_user_signs_in_with_the_totp_code_helper() {
    let h = Harness::start_with(|o| o.with_mfa(MfaMode::Optional)).await;
    h.backend.freeze_clock();
    h.user("yuri");
    let secret = enable_totp(&h, "yuri").await;
    h.backend.advance_clock(STEP);
    let challenge = h.password_auth("yuri", PASSWORD).await.ok();
    let done = respond(
        &h,
        "SOFTWARE_TOKEN_MFA",
        &text(&challenge["Session"]),
        json!({ "USERNAME": "yuri", "SOFTWARE_TOKEN_MFA_CODE": code_now(&h, &secret) }),
    )
    .await
    .ok();
    assert!(done["AuthenticationResult"]["RefreshToken"].is_string());
    // Disabling TOTP signs in without a challenge again.
    let access = text(&done["AuthenticationResult"]["AccessToken"]);
    h.call(
        "SetUserMFAPreference",
        json!({ "AccessToken": access, "SoftwareTokenMfaSettings": { "Enabled": false } }),
    )
    .await
    .ok();
    let user = h.get_user(&access).await.ok();
    assert!(user.get("PreferredMfaSetting").is_none(), "{user}");
    h.sign_in("yuri").await;
    h.backend.shutdown().await;
}

/// A user whose sign-in asks an SMS code.
async fn sms_user(h: &Harness, username: &str) {
    h.backend
        .create_user(username, PASSWORD, &[("phone_number", "+15555550123")])
        .expect("user");
    h.admin(
        "AdminSetUserMFAPreference",
        json!({
            "UserPoolId": h.backend.user_pool_id(),
            "Username": username,
            "SMSMfaSettings": { "Enabled": true, "PreferredMfa": true },
        }),
    )
    .await
    .ok();
}

#[tokio::test]
async fn wrong_mfa_codes_lock_the_user_out_across_sessions() {
    let h = Harness::start_with(|o| o.with_mfa(MfaMode::Optional)).await;
    h.backend.freeze_clock();
    sms_user(&h, "sid").await;
    // Three wrong answers use a session up; a new session does not start
    // the count over: after five, the user is locked out.
    for wrong in [3, 2] {
        let sms = h.password_auth("sid", PASSWORD).await.ok();
        let code = h.backend.mfa_code("sid").expect("a pending code");
        for _ in 0..wrong {
            respond(
                &h,
                "SMS_MFA",
                &text(&sms["Session"]),
                json!({ "USERNAME": "sid", "SMS_MFA_CODE": other_code(&code) }),
            )
            .await
            .assert_error("CodeMismatchException");
        }
    }
    let sms = h.password_auth("sid", PASSWORD).await.ok();
    let code = h.backend.mfa_code("sid").expect("a pending code");
    respond(
        &h,
        "SMS_MFA",
        &text(&sms["Session"]),
        json!({ "USERNAME": "sid", "SMS_MFA_CODE": code }),
    )
    .await
    .assert_error("LimitExceededException");
    // After the lockout, the right code works (and clears the count).
    h.backend.advance_clock(SECOND * 2);
    let done = respond(
        &h,
        "SMS_MFA",
        &text(&sms["Session"]),
        json!({ "USERNAME": "sid", "SMS_MFA_CODE": code }),
    )
    .await
    .ok();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
    h.backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_answers_on_one_session_gets_at_most_three_tries() {
    let h = Harness::start_with(|o| o.with_mfa(MfaMode::Optional)).await;
    h.backend.freeze_clock();
    sms_user(&h, "bea").await;
    let sms = h.password_auth("bea", PASSWORD).await.ok();
    let session = text(&sms["Session"]);
    let code = h.backend.mfa_code("bea").expect("a pending code");
    let wrong = other_code(&code);
    let answers = futures_util::future::join_all((0..12).map(|_| {
        respond(
            &h,
            "SMS_MFA",
            &session,
            json!({ "USERNAME": "bea", "SMS_MFA_CODE": wrong }),
        )
    }))
    .await;
    let tried = answers
        .iter()
        .filter(|answer| answer.error_type() == "CodeMismatchException")
        .count();
    assert!((1..=3).contains(&tried), "{tried} answers were checked");
    h.backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_totp_set_up_codes_on_one_session_gets_at_most_three_tries() {
    let h = Harness::start_with(|o| {
        o.with_mfa(MfaMode::Required)
            .with_mfa_factors([MfaFactor::Totp])
    })
    .await;
    h.backend.freeze_clock();
    h.user("tia");
    let setup = h.password_auth("tia", PASSWORD).await.ok();
    let associated = h
        .call(
            "AssociateSoftwareToken",
            json!({ "Session": text(&setup["Session"]) }),
        )
        .await
        .ok();
    let session = text(&associated["Session"]);
    let secret = text(&associated["SecretCode"]);
    // Codes the (frozen) clock's window accepts are left out: every guess is wrong.
    let valid: Vec<String> = [-30, 0, 30]
        .iter()
        .map(|step| totp_code(&secret, now_secs(&h) + step).expect("code"))
        .collect();
    let wrong: Vec<String> = (100_000..)
        .map(|n: u32| n.to_string())
        .filter(|code| !valid.contains(code))
        .take(12)
        .collect();
    let answers = futures_util::future::join_all(wrong.iter().map(|code| {
        h.call(
            "VerifySoftwareToken",
            json!({ "Session": session, "UserCode": code }),
        )
    }))
    .await;
    let tried = answers
        .iter()
        .filter(|answer| answer.error_type() == "EnableSoftwareTokenMFAException")
        .count();
    assert!((1..=3).contains(&tried), "{tried} codes were checked");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn email_mfa_set_up_changes_the_user_only_when_the_code_is_answered() {
    let h = Harness::start_with(|o| {
        o.with_mfa(MfaMode::Required)
            .with_mfa_factors([MfaFactor::Email])
    })
    .await;
    h.backend
        .create_user("val", PASSWORD, &[("email", "val@example.com")])
        .expect("user");
    let attributes = || async {
        let user = h
            .admin(
                "AdminGetUser",
                json!({ "UserPoolId": h.backend.user_pool_id(), "Username": "val" }),
            )
            .await
            .ok();
        user["UserAttributes"]
            .as_array()
            .expect("attributes")
            .iter()
            .map(|a| (text(&a["Name"]), text(&a["Value"])))
            .filter(|(name, _)| name.starts_with("email"))
            .collect::<Vec<_>>()
    };
    let before = attributes().await;
    let hr = &h;
    let set_up = |email: &'static str| async move {
        let h = hr;
        let setup = h.password_auth("val", PASSWORD).await.ok();
        assert_eq!(setup["ChallengeName"], "MFA_SETUP", "{setup}");
        respond(
            h,
            "MFA_SETUP",
            &text(&setup["Session"]),
            json!({ "USERNAME": "val", "EMAIL": email }),
        )
        .await
        .ok()
    };
    // Abandoned, or answered wrongly: nothing changes, set-up is asked again.
    let otp = set_up("mallory@example.org").await;
    let code = h.backend.mfa_code("val").expect("code");
    respond(
        &h,
        "EMAIL_OTP",
        &text(&otp["Session"]),
        json!({ "USERNAME": "val", "EMAIL_OTP_CODE": if code == "000000" { "111111" } else { "000000" } }),
    )
    .await
    .assert_error("CodeMismatchException");
    assert_eq!(attributes().await, before);
    // Answered: the address is the user's, verified.
    let otp = set_up("val@example.org").await;
    let code = h.backend.mfa_code("val").expect("code");
    let done = respond(
        &h,
        "EMAIL_OTP",
        &text(&otp["Session"]),
        json!({ "USERNAME": "val", "EMAIL_OTP_CODE": code }),
    )
    .await
    .ok();
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
    let after = attributes().await;
    assert!(
        after.contains(&("email".to_owned(), "val@example.org".to_owned())),
        "{after:?}"
    );
    assert!(
        after.contains(&("email_verified".to_owned(), "true".to_owned())),
        "{after:?}"
    );
    let next = h.password_auth("val", PASSWORD).await.ok();
    assert_eq!(next["ChallengeName"], "EMAIL_OTP");
    h.backend.shutdown().await;
}
