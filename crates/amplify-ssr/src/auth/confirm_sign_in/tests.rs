//! The wire requests of every sign-in step, against a stub user-pool endpoint.

use std::collections::BTreeMap;

use base64::Engine as _;
use http::{HeaderMap, HeaderValue};
use serde_json::{Value, json};

use super::*;
use crate::auth::{NoSignInReason, SignInInput, sign_in};
use crate::cognito::AuthFlow;
use crate::cognito::test_http::{Recorded, Reply, TestServer};
use crate::secret::CookieEncryptionKey;
use crate::{AmplifyConfig, ServerRunner};

const STEP_COOKIE: &str = "__Host-amplify-ssr.sign-in-step";

fn jwt(claims: &Value) -> String {
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.sig", b64(&json!({"alg": "RS256"})), b64(claims))
}

fn tokens() -> Reply {
    let now = SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let access = jwt(
        &json!({"token_use": "access", "sub": "sub-kim", "username": "kim-internal",
        "iat": now, "exp": now + 3600}),
    );
    Reply::json(
        200,
        &json!({"AuthenticationResult": {"AccessToken": access, "RefreshToken": "rt", "ExpiresIn": 3600}}),
    )
}

fn challenge(name: &str, session: &str, params: &Value) -> Reply {
    Reply::json(
        200,
        &json!({"ChallengeName": name, "Session": session, "ChallengeParameters": params}),
    )
}

fn error(code: &str) -> Reply {
    Reply::json(400, &json!({"__type": code, "message": "refused"}))
}

fn target(request: &Recorded) -> String {
    request
        .header("x-amz-target")
        .unwrap_or_default()
        .trim_start_matches("AWSCognitoIdentityProviderService.")
        .to_owned()
}

fn runner(server: &TestServer, key: u8) -> ServerRunner {
    let config = AmplifyConfig::from_json(
        r#"{"version":"1.4","auth":{"aws_region":"us-east-1",
            "user_pool_id":"us-east-1_Pool","user_pool_client_id":"client1"}}"#,
    )
    .expect("config");
    ServerRunner::builder(config)
        .ignore_env()
        .user_pool_endpoint(server.url.as_str())
        .cookie_encryption_key(CookieEncryptionKey::from_bytes([key; 32]))
        .build()
        .expect("runner")
}

/// A browser's cookie jar, enough for these tests.
#[derive(Default)]
struct Jar(BTreeMap<String, String>);

impl Jar {
    fn apply(&mut self, ctx: &ServerContext) {
        for header in ctx.set_cookie_headers() {
            let line = header.to_str().unwrap();
            let (pair, attributes) = line.split_once(';').unwrap_or((line, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") {
                self.0.remove(name);
            } else {
                self.0.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    fn context(&self, runner: &ServerRunner) -> ServerContext {
        let mut headers = HeaderMap::new();
        let cookie = self
            .0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        if !cookie.is_empty() {
            headers.insert(
                http::header::COOKIE,
                HeaderValue::from_str(&cookie).unwrap(),
            );
        }
        runner.context(&headers)
    }

    fn has_session(&self) -> bool {
        self.0.keys().any(|k| k.ends_with(".accessToken"))
    }
}

/// Signs in with USER_PASSWORD_AUTH (one InitiateAuth call) and keeps the cookies.
async fn start(runner: &ServerRunner, jar: &mut Jar) -> SignInOutcome {
    let ctx = jar.context(runner);
    let outcome = sign_in(
        &ctx,
        SignInInput::new("kim@example.com", "pw").with_auth_flow(AuthFlow::UserPasswordAuth),
    )
    .await
    .expect("sign-in starts");
    jar.apply(&ctx);
    outcome
}

async fn confirm(
    runner: &ServerRunner,
    jar: &mut Jar,
    input: ConfirmSignInInput,
) -> Result<SignInOutcome, AuthError> {
    let ctx = jar.context(runner);
    let result = confirm_sign_in(&ctx, input).await;
    jar.apply(&ctx);
    result
}

#[tokio::test]
async fn totp_setup_associates_verifies_and_answers_mfa_setup_with_each_new_session() {
    let server = TestServer::start(|_, request| match target(request).as_str() {
        "InitiateAuth" => challenge(
            "MFA_SETUP",
            "s1",
            &json!({"MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\"]", "USER_ID_FOR_SRP": "kim-internal"}),
        ),
        "AssociateSoftwareToken" => Reply::json(200, &json!({"SecretCode": "JBSWY3DPEHPK3PXP", "Session": "s2"})),
        "VerifySoftwareToken" => Reply::json(200, &json!({"Status": "SUCCESS", "Session": "s3"})),
        "RespondToAuthChallenge" => tokens(),
        other => panic!("unexpected {other}"),
    })
    .await;
    let runner = runner(&server, 1);
    let mut jar = Jar::default();
    let outcome = start(&runner, &mut jar).await;
    let Some(SignInNextStep::ContinueSignInWithTotpSetup { totp_setup_details }) =
        outcome.next_step()
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        totp_setup_details.shared_secret.secret(),
        "JBSWY3DPEHPK3PXP"
    );
    assert_eq!(totp_setup_details.username, "kim-internal");
    let sealed = jar.0.get(STEP_COOKIE).expect("step cookie").clone();
    assert!(sealed.starts_with("v1.") && !sealed.contains("JBSWY3DPEHPK3PXP"));
    assert!(!jar.has_session());

    let outcome = confirm(
        &runner,
        &mut jar,
        ConfirmSignInInput::new("123456").with_friendly_device_name("phone"),
    )
    .await
    .expect("signed in");
    assert!(outcome.is_signed_in(), "{outcome:?}");
    assert_eq!(outcome.sign_in_step(), "DONE");
    assert!(jar.has_session());
    assert!(
        !jar.0.contains_key(STEP_COOKIE),
        "the step cookie is cleared"
    );

    let requests = server.requests();
    let ops: Vec<String> = requests.iter().map(target).collect();
    assert_eq!(
        ops,
        [
            "InitiateAuth",
            "AssociateSoftwareToken",
            "VerifySoftwareToken",
            "RespondToAuthChallenge"
        ]
    );
    assert_eq!(requests[1].json(), json!({"Session": "s1"}));
    assert_eq!(
        requests[2].json(),
        json!({"Session": "s2", "UserCode": "123456", "FriendlyDeviceName": "phone"})
    );
    let answer = requests[3].json();
    assert_eq!(answer["ChallengeName"], "MFA_SETUP");
    assert_eq!(answer["Session"], "s3");
    assert_eq!(
        answer["ChallengeResponses"],
        json!({"USERNAME": "kim-internal"})
    );
}

#[tokio::test]
async fn mfa_selection_sends_cognitos_name_and_refuses_types_not_offered() {
    let server = TestServer::start(|_, request| {
        let body = request.json();
        match (target(request).as_str(), body["ChallengeName"].as_str()) {
            ("InitiateAuth", _) => challenge(
                "SELECT_MFA_TYPE",
                "s1",
                &json!({"MFAS_CAN_CHOOSE": "[\"SMS_MFA\",\"SOFTWARE_TOKEN_MFA\"]", "USERNAME": "kim-internal"}),
            ),
            ("RespondToAuthChallenge", Some("SELECT_MFA_TYPE")) => {
                challenge("SOFTWARE_TOKEN_MFA", "s2", &json!({}))
            }
            ("RespondToAuthChallenge", Some("SOFTWARE_TOKEN_MFA")) => tokens(),
            other => panic!("unexpected {other:?}"),
        }
    })
    .await;
    let runner = runner(&server, 1);
    let mut jar = Jar::default();
    let outcome = start(&runner, &mut jar).await;
    assert_eq!(
        outcome.sign_in_step(),
        "CONTINUE_SIGN_IN_WITH_MFA_SELECTION"
    );
    let Some(SignInNextStep::ContinueSignInWithMfaSelection { allowed_mfa_types }) =
        outcome.next_step()
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(allowed_mfa_types, &[MfaType::Sms, MfaType::Totp]);

    let refused = confirm(&runner, &mut jar, ConfirmSignInInput::new("EMAIL"))
        .await
        .expect_err("EMAIL was not offered");
    assert!(
        matches!(refused, AuthError::InvalidChallengeResponse { .. }),
        "{refused}"
    );
    assert_eq!(refused.name(), "SignInException");
    assert_eq!(server.hits(), 1, "nothing was sent");
    assert!(
        jar.0.contains_key(STEP_COOKIE),
        "the step is still in progress"
    );

    let outcome = confirm(&runner, &mut jar, ConfirmSignInInput::new("TOTP"))
        .await
        .unwrap();
    assert_eq!(outcome.sign_in_step(), "CONFIRM_SIGN_IN_WITH_TOTP_CODE");
    let outcome = confirm(&runner, &mut jar, ConfirmSignInInput::new(" 654321 "))
        .await
        .unwrap();
    assert!(outcome.is_signed_in());
    let requests = server.requests();
    assert_eq!(
        requests[1].json()["ChallengeResponses"],
        json!({"USERNAME": "kim-internal", "ANSWER": "SOFTWARE_TOKEN_MFA"})
    );
    assert_eq!(requests[1].json()["Session"], "s1");
    assert_eq!(
        requests[2].json()["ChallengeResponses"],
        json!({"USERNAME": "kim-internal", "SOFTWARE_TOKEN_MFA_CODE": "654321"})
    );
    assert_eq!(requests[2].json()["Session"], "s2");
}

#[tokio::test]
async fn email_setup_chooses_locally_then_sends_the_address_then_the_code() {
    let server = TestServer::start(|_, request| {
        let body = request.json();
        match (target(request).as_str(), body["ChallengeName"].as_str()) {
            ("InitiateAuth", _) => challenge(
                "MFA_SETUP",
                "s1",
                &json!({"MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\",\"EMAIL_OTP\"]"}),
            ),
            ("RespondToAuthChallenge", Some("MFA_SETUP")) => challenge(
                "EMAIL_OTP",
                "s2",
                &json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL", "CODE_DELIVERY_DESTINATION": "k***@e***"}),
            ),
            ("RespondToAuthChallenge", Some("EMAIL_OTP")) => tokens(),
            other => panic!("unexpected {other:?}"),
        }
    })
    .await;
    let runner = runner(&server, 1);
    let mut jar = Jar::default();
    let outcome = start(&runner, &mut jar).await;
    assert_eq!(
        outcome.sign_in_step(),
        "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION"
    );
    let outcome = confirm(&runner, &mut jar, ConfirmSignInInput::new("EMAIL"))
        .await
        .unwrap();
    assert_eq!(outcome.sign_in_step(), "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP");
    assert_eq!(server.hits(), 1, "the choice is made here");
    let wrong = confirm(&runner, &mut jar, ConfirmSignInInput::new("123456"))
        .await
        .expect_err("a code is not an address");
    assert!(
        matches!(wrong, AuthError::InvalidChallengeResponse { .. }),
        "{wrong}"
    );
    let outcome = confirm(
        &runner,
        &mut jar,
        ConfirmSignInInput::new("kim@example.com"),
    )
    .await
    .unwrap();
    let Some(SignInNextStep::ConfirmSignInWithEmailCode {
        code_delivery_details,
    }) = outcome.next_step()
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        code_delivery_details.destination.as_deref(),
        Some("k***@e***")
    );
    let outcome = confirm(&runner, &mut jar, ConfirmSignInInput::new("111222"))
        .await
        .unwrap();
    assert!(outcome.is_signed_in());
    let requests = server.requests();
    assert_eq!(
        requests[1].json()["ChallengeResponses"],
        json!({"USERNAME": "kim@example.com", "EMAIL": "kim@example.com"})
    );
    assert_eq!(
        requests[2].json()["ChallengeResponses"],
        json!({"USERNAME": "kim@example.com", "EMAIL_OTP_CODE": "111222"})
    );
}

#[tokio::test]
async fn a_new_password_carries_the_attributes_with_their_prefix() {
    let server = TestServer::start(|_, request| match target(request).as_str() {
        "InitiateAuth" => challenge(
            "NEW_PASSWORD_REQUIRED",
            "s1",
            &json!({"requiredAttributes": "[\"userAttributes.name\"]", "USER_ID_FOR_SRP": "kim-internal"}),
        ),
        "RespondToAuthChallenge" => tokens(),
        other => panic!("unexpected {other}"),
    })
    .await;
    let runner = runner(&server, 1);
    let mut jar = Jar::default();
    let outcome = start(&runner, &mut jar).await;
    let Some(SignInNextStep::ConfirmSignInWithNewPasswordRequired { missing_attributes }) =
        outcome.next_step()
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(missing_attributes, &["name"]);
    let outcome = confirm(
        &runner,
        &mut jar,
        ConfirmSignInInput::new(" New-passw0rd ").with_user_attribute("name", "Kim"),
    )
    .await
    .unwrap();
    assert!(outcome.is_signed_in());
    assert_eq!(
        server.requests()[1].json()["ChallengeResponses"],
        json!({"USERNAME": "kim-internal", "NEW_PASSWORD": " New-passw0rd ", "userAttributes.name": "Kim"})
    );
}

#[tokio::test]
async fn a_wrong_code_keeps_the_step_and_a_dead_session_ends_it() {
    let server = TestServer::start(|index, request| match (index, target(request).as_str()) {
        (_, "InitiateAuth") => challenge(
            "SMS_MFA",
            "s1",
            &json!({"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": "+***1234"}),
        ),
        (1, _) => error("CodeMismatchException"),
        _ => error("NotAuthorizedException"),
    })
    .await;
    let runner = runner(&server, 1);
    let mut jar = Jar::default();
    let outcome = start(&runner, &mut jar).await;
    assert_eq!(outcome.sign_in_step(), "CONFIRM_SIGN_IN_WITH_SMS_CODE");
    let mismatch = confirm(&runner, &mut jar, ConfirmSignInInput::new("000000"))
        .await
        .expect_err("wrong code");
    assert_eq!(mismatch.name(), "CodeMismatchException");
    assert!(
        jar.0.contains_key(STEP_COOKIE),
        "a wrong code may be corrected"
    );
    assert_eq!(
        server.requests()[1].json()["ChallengeResponses"],
        json!({"USERNAME": "kim@example.com", "SMS_MFA_CODE": "000000"})
    );
    let dead = confirm(&runner, &mut jar, ConfirmSignInInput::new("123456"))
        .await
        .expect_err("session refused");
    assert_eq!(dead.name(), "NotAuthorizedException");
    assert!(!jar.0.contains_key(STEP_COOKIE), "the sign-in is over");
    let none = confirm(&runner, &mut jar, ConfirmSignInInput::new("123456"))
        .await
        .expect_err("nothing to continue");
    assert!(
        matches!(none, AuthError::NoSignInInProgress(NoSignInReason::Missing)),
        "{none}"
    );
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn a_step_cookie_from_another_key_or_a_tampered_one_continues_nothing() {
    let server = TestServer::start(|_, request| match target(request).as_str() {
        "InitiateAuth" => challenge("SOFTWARE_TOKEN_MFA", "s1", &json!({})),
        other => panic!("unexpected {other}"),
    })
    .await;
    let mut jar = Jar::default();
    start(&runner(&server, 1), &mut jar).await;
    // Another process without the shared key.
    let other = confirm(
        &runner(&server, 2),
        &mut jar,
        ConfirmSignInInput::new("123456"),
    )
    .await
    .expect_err("foreign key");
    assert!(
        matches!(
            other,
            AuthError::NoSignInInProgress(NoSignInReason::Invalid)
        ),
        "{other}"
    );
    assert!(
        jar.0.contains_key(STEP_COOKIE),
        "a foreign cookie is not removed by this runner"
    );
    let value = jar.0.get_mut(STEP_COOKIE).unwrap();
    value.truncate(value.len() - 3);
    let tampered = confirm(
        &runner(&server, 1),
        &mut jar,
        ConfirmSignInInput::new("123456"),
    )
    .await
    .expect_err("tampered");
    assert!(matches!(
        tampered,
        AuthError::NoSignInInProgress(NoSignInReason::Invalid)
    ));
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn refusals_before_any_call() {
    let server = TestServer::start(|_, _| panic!("no call expected")).await;
    let runner = runner(&server, 1);
    let empty = confirm_sign_in(
        &runner.context(&HeaderMap::new()),
        ConfirmSignInInput::new("123456"),
    )
    .await
    .expect_err("no step");
    assert!(matches!(
        empty,
        AuthError::NoSignInInProgress(NoSignInReason::Missing)
    ));
    let read_only = confirm_sign_in(
        &runner.read_only_context(&HeaderMap::new()),
        ConfirmSignInInput::new("123456"),
    )
    .await
    .expect_err("read-only");
    assert!(matches!(read_only, AuthError::CookiesNotWritable(_)));
    let blank = sign_in(
        &runner.context(&HeaderMap::new()),
        SignInInput::new(" ", "pw"),
    )
    .await
    .expect_err("blank username");
    assert!(matches!(
        blank,
        AuthError::EmptyInput {
            code: "EmptySignInUsername",
            ..
        }
    ));
    assert_eq!(server.hits(), 0);
}

#[tokio::test]
async fn unconfirmed_users_and_required_resets_are_steps_not_errors() {
    let server = TestServer::start(|index, _| {
        error(if index == 0 {
            "UserNotConfirmedException"
        } else {
            "PasswordResetRequiredException"
        })
    })
    .await;
    let runner = runner(&server, 1);
    let mut jar = Jar::default();
    assert_eq!(
        start(&runner, &mut jar).await.sign_in_step(),
        "CONFIRM_SIGN_UP"
    );
    assert_eq!(
        start(&runner, &mut jar).await.sign_in_step(),
        "RESET_PASSWORD"
    );
    assert!(jar.0.is_empty(), "{:?}", jar.0);
}

#[tokio::test]
async fn custom_auth_sends_the_username_alone_then_the_answer() {
    let server = TestServer::start(|_, request| match target(request).as_str() {
        "InitiateAuth" => challenge(
            "CUSTOM_CHALLENGE",
            "s1",
            &json!({"USERNAME": "kim-internal", "question": "2+2?"}),
        ),
        "RespondToAuthChallenge" => tokens(),
        other => panic!("unexpected {other}"),
    })
    .await;
    let runner = runner(&server, 1);
    let mut jar = Jar::default();
    let ctx = jar.context(&runner);
    let outcome = sign_in(&ctx, SignInInput::custom_auth("kim"))
        .await
        .unwrap();
    jar.apply(&ctx);
    let Some(SignInNextStep::ConfirmSignInWithCustomChallenge { additional_info }) =
        outcome.next_step()
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(additional_info["question"], "2+2?");
    let outcome = confirm(&runner, &mut jar, ConfirmSignInInput::new("4"))
        .await
        .unwrap();
    assert!(outcome.is_signed_in());
    let requests = server.requests();
    assert_eq!(
        requests[0].json(),
        json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": "client1", "AuthParameters": {"USERNAME": "kim"}})
    );
    assert_eq!(
        requests[1].json()["ChallengeResponses"],
        json!({"USERNAME": "kim-internal", "ANSWER": "4"})
    );
}

#[test]
fn inputs_print_no_answers_passwords_or_metadata_values() {
    let input = ConfirmSignInInput::new("654321")
        .with_client_metadata([("invite".to_owned(), "meta-secret".to_owned())].into());
    let printed = format!("{input:?}");
    assert!(
        !printed.contains("654321") && !printed.contains("meta-secret"),
        "{printed}"
    );
    let sign_up = crate::auth::SignUpInput::new("kim", "pw-secret")
        .with_client_metadata([("k".to_owned(), "meta-secret".to_owned())].into());
    let printed = format!("{sign_up:?}");
    assert!(
        !printed.contains("pw-secret") && !printed.contains("meta-secret"),
        "{printed}"
    );
    let reset = crate::auth::ConfirmResetPasswordInput::new("kim", "112233", "pw-secret");
    let printed = format!("{reset:?}");
    assert!(
        !printed.contains("112233") && !printed.contains("pw-secret"),
        "{printed}"
    );
}

#[tokio::test]
async fn a_response_carrying_a_step_is_never_cached() {
    let server = TestServer::start(|_, _| challenge("SOFTWARE_TOKEN_MFA", "s1", &json!({}))).await;
    let runner = runner(&server, 1);
    let ctx = runner.context(&HeaderMap::new());
    sign_in(
        &ctx,
        SignInInput::new("kim", "pw").with_auth_flow(AuthFlow::UserPasswordAuth),
    )
    .await
    .unwrap();
    let mut response = http::Response::new(());
    ctx.apply_to_response(&mut response);
    assert_eq!(
        response.headers()[http::header::CACHE_CONTROL],
        "private, no-store"
    );
}
