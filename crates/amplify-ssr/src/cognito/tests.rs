use std::time::Duration;

use http::HeaderMap;
use serde_json::json;

use super::test_http::{Recorded, Reply, TestServer, closed_port_url};
use super::transport::service_error;
use super::*;
use crate::secret::{AccessToken, Password, RefreshToken};

const TARGET: &str = "AWSCognitoIdentityProviderService";

fn client(server: &TestServer) -> CognitoClient {
    CognitoClient::new(reqwest::Client::new(), server.url.clone())
        .with_retry(RetryPolicy::default().with_base_delay(Duration::from_millis(1)))
}

fn tokens_json() -> serde_json::Value {
    json!({"AuthenticationResult": {
        "AccessToken": "eyJ.access.x", "IdToken": "eyJ.id.x", "RefreshToken": "rt-new", "ExpiresIn": 3600,
        "TokenType": "Bearer", "NewDeviceMetadata": {"DeviceKey": "dk", "DeviceGroupKey": "dgk"}
    }})
}

fn service_failure(code: &str, message: &str) -> Reply {
    Reply::json(400, &json!({"__type": code, "message": message}))
}

fn assert_standard_headers(request: &Recorded, operation: &str) {
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/");
    assert_eq!(
        request.header("content-type"),
        Some("application/x-amz-json-1.1")
    );
    assert_eq!(
        request.header("x-amz-target"),
        Some(format!("{TARGET}.{operation}").as_str())
    );
    assert_eq!(request.header("cache-control"), Some("no-store"));
    assert_eq!(
        request.header("x-amz-user-agent"),
        Some(concat!("amplify-ssr/", env!("CARGO_PKG_VERSION")))
    );
    let id = request
        .header("amz-sdk-invocation-id")
        .expect("invocation id");
    let uuid = uuid::Uuid::parse_str(id).expect("uuid");
    assert_eq!(uuid.get_version_num(), 4);
    assert!(request.header("authorization").is_none());
}

#[tokio::test]
async fn get_tokens_from_refresh_token_sends_the_amplify_wire_format() {
    let server = TestServer::start(|_, _| Reply::json(200, &tokens_json())).await;
    let result = client(&server)
        .get_tokens_from_refresh_token("client-1", &RefreshToken::new("rt-old"), Some("device-9"))
        .await
        .expect("tokens");
    assert_eq!(result.access_token.secret(), "eyJ.access.x");
    assert_eq!(
        result.id_token.as_ref().map(|t| t.secret()),
        Some("eyJ.id.x")
    );
    assert_eq!(
        result.refresh_token.as_ref().map(|t| t.secret()),
        Some("rt-new")
    );
    assert_eq!(result.expires_in, Some(3600));
    assert_eq!(result.token_type.as_deref(), Some("Bearer"));
    let device = result.new_device_metadata.as_ref().expect("device");
    assert_eq!(device.device_key.as_deref(), Some("dk"));
    assert_eq!(device.device_group_key.as_deref(), Some("dgk"));
    assert!(!format!("{result:?}").contains("eyJ"));

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_standard_headers(&requests[0], "GetTokensFromRefreshToken");
    assert_eq!(
        requests[0].header("amz-sdk-request"),
        Some("attempt=1; max=3")
    );
    assert_eq!(
        requests[0].json(),
        json!({"ClientId": "client-1", "RefreshToken": "rt-old", "DeviceKey": "device-9"})
    );

    // Without a device key the field is omitted.
    client(&server)
        .get_tokens_from_refresh_token("c", &RefreshToken::new("r"), None)
        .await
        .expect("ok");
    assert_eq!(
        server.requests()[1].json(),
        json!({"ClientId": "c", "RefreshToken": "r"})
    );
}

#[tokio::test]
async fn retries_5xx_429_and_throttling_with_one_invocation_id() {
    let server = TestServer::start(|i, _| match i {
        0 => Reply::raw(500, "text/plain", "oops"),
        1 => Reply::json(503, &json!({})),
        2 => Reply::json(429, &json!({"message": "slow down"})),
        3 => service_failure("ThrottlingException", "Rate exceeded"),
        _ => Reply::json(200, &tokens_json()),
    })
    .await;
    let client = client(&server).with_retry(
        RetryPolicy::new()
            .with_max_attempts(5)
            .with_base_delay(Duration::from_millis(1)),
    );
    client
        .refresh_with_initiate_auth("c", &RefreshToken::new("r"), None)
        .await
        .expect("eventually ok");
    let requests = server.requests();
    assert_eq!(requests.len(), 5);
    let id = requests[0].header("amz-sdk-invocation-id").expect("id");
    for (n, request) in requests.iter().enumerate() {
        assert_standard_headers(request, "InitiateAuth");
        assert_eq!(request.header("amz-sdk-invocation-id"), Some(id));
        assert_eq!(
            request.header("amz-sdk-request"),
            Some(format!("attempt={}; max=5", n + 1).as_str())
        );
        assert_eq!(request.body, requests[0].body);
    }
    assert_eq!(
        requests[0].json(),
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": "c", "AuthParameters": {"REFRESH_TOKEN": "r"}})
    );

    // A new call gets a new invocation id.
    let _ = client
        .refresh_with_initiate_auth("c", &RefreshToken::new("r"), Some("dk"))
        .await;
    let last = server.requests().pop().expect("request");
    assert_ne!(last.header("amz-sdk-invocation-id"), Some(id));
    assert_eq!(
        last.json()["AuthParameters"],
        json!({"REFRESH_TOKEN": "r", "DEVICE_KEY": "dk"})
    );
}

#[tokio::test]
async fn gives_up_after_max_attempts_with_the_last_error() {
    let server = TestServer::start(|_, _| {
        Reply::json(
            503,
            &json!({"__type": "InternalErrorException", "message": "try later"}),
        )
        .with_header("x-amzn-requestid", "req-42")
    })
    .await;
    let err = client(&server)
        .get_user(&AccessToken::new("at"))
        .await
        .expect_err("503s");
    assert_eq!(server.hits(), 3);
    assert!(
        matches!(&err, CognitoError::Service { status: 503, .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), Some("InternalErrorException"));
    assert_eq!(err.message(), Some("try later"));
    assert_eq!(err.request_id(), Some("req-42"));
    assert!(err.is_retryable());
    assert!(!err.is_not_authorized());

    let throttled =
        TestServer::start(|_, _| service_failure("TooManyRequestsException", "Too many")).await;
    let err = client(&throttled)
        .global_sign_out(&AccessToken::new("at"))
        .await
        .expect_err("throttled");
    assert_eq!(throttled.hits(), 3);
    assert!(err.is_throttling() && err.is_retryable());
}

#[tokio::test]
async fn not_authorized_and_other_client_errors_are_not_retried() {
    for (code, check) in [
        (
            "NotAuthorizedException",
            CognitoError::is_not_authorized as fn(&CognitoError) -> bool,
        ),
        ("UserNotFoundException", |e: &CognitoError| {
            e.code() == Some("UserNotFoundException")
        }),
        ("InvalidParameterException", |e: &CognitoError| {
            !e.is_retryable()
        }),
    ] {
        let server =
            TestServer::start(move |_, _| service_failure(code, "Refresh Token has been revoked"))
                .await;
        let err = client(&server)
            .get_tokens_from_refresh_token("c", &RefreshToken::new("r"), None)
            .await
            .expect_err(code);
        assert_eq!(server.hits(), 1, "{code}");
        assert!(check(&err), "{code}: {err:?}");
        assert!(!err.is_retryable());
        assert_eq!(err.status(), Some(400));
    }
}

#[test]
fn error_codes_are_parsed_from_header_and_body() {
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-amzn-errortype",
        "NotAuthorizedException:http://internal.amazon.com/coral/com.amazon.coral.service/"
            .parse()
            .expect("hv"),
    );
    headers.insert("x-amzn-requestid", "rid".parse().expect("hv"));
    let err = service_error(400, &headers, br#"{"message":"Invalid Refresh Token"}"#);
    assert_eq!(err.code(), Some("NotAuthorizedException"));
    assert_eq!(err.message(), Some("Invalid Refresh Token"));
    assert_eq!(err.request_id(), Some("rid"));
    assert!(err.is_not_authorized());

    let none = HeaderMap::new();
    let err = service_error(
        400,
        &none,
        br#"{"__type":"com.amazonaws.cognito.identity.idp.model#NotAuthorizedException","Message":"Access Token has been revoked"}"#,
    );
    assert_eq!(err.code(), Some("NotAuthorizedException"));
    assert_eq!(err.message(), Some("Access Token has been revoked"));
    assert_eq!(err.request_id(), None);

    let err = service_error(
        400,
        &none,
        br#"{"code":"aws.protocol#UserNotFoundException:extra,more","message":"m"}"#,
    );
    assert_eq!(err.code(), Some("UserNotFoundException"));

    let err = service_error(400, &none, br#"{"message":"no code"}"#);
    assert_eq!(err.code(), Some("UnknownError"));

    let err = service_error(400, &none, b"");
    assert_eq!(err.code(), Some("UnknownError"));
    assert_eq!(err.status(), Some(400));

    // A code is a name; free text in its place (it would reach responses through AuthError::name) is dropped.
    let err = service_error(
        400,
        &none,
        br#"{"__type":"<b>Upstream</b> failed at db-7.internal","message":"m"}"#,
    );
    assert_eq!(err.code(), Some("UnknownError"));
    let mut spaced = HeaderMap::new();
    spaced.insert("x-amzn-errortype", "Not Authorized".parse().expect("hv"));
    let err = service_error(400, &spaced, br#"{"__type":"NotAuthorizedException"}"#);
    assert_eq!(err.code(), Some("NotAuthorizedException"));
    let long = json!({ "__type": "A".repeat(65) });
    let err = service_error(400, &none, long.to_string().as_bytes());
    assert_eq!(err.code(), Some("UnknownError"));

    // Messages are truncated and scrubbed of tokens.
    let body = json!({"__type": "X", "message": format!("bad token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln here {}", "z".repeat(2000))});
    let err = service_error(400, &none, body.to_string().as_bytes());
    let message = err.message().expect("message");
    assert!(
        message.starts_with("bad token [redacted] here zzz"),
        "{message}"
    );
    assert!(!message.contains("eyJ"));
    assert!(message.chars().count() <= 513);
}

#[tokio::test]
async fn non_json_502_is_a_service_error_with_a_clean_excerpt() {
    let page = "<html><head><title>502 Bad Gateway</title></head>\n<body><h1>Bad Gateway</h1>\
                <p>upstream sent eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln</p></body></html>";
    let server = TestServer::start(move |_, _| Reply::raw(502, "text/html", page)).await;
    let err = client(&server)
        .get_user(&AccessToken::new("at"))
        .await
        .expect_err("502");
    assert_eq!(server.hits(), 3);
    let CognitoError::Service {
        code,
        message,
        status,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*status, 502);
    assert_eq!(code, "UnknownError");
    assert_eq!(
        message,
        "502 Bad Gateway Bad Gateway upstream sent [redacted]"
    );
    assert!(err.is_retryable());
    assert!(!err.to_string().contains("eyJ"));
}

#[tokio::test]
async fn connection_refused_is_a_retried_network_error() {
    let url = closed_port_url().await;
    let client = CognitoClient::new(reqwest::Client::new(), url)
        .with_retry(RetryPolicy::new().with_base_delay(Duration::from_millis(1)));
    let started = std::time::Instant::now();
    let err = client
        .revoke_token("c", &RefreshToken::new("r"))
        .await
        .expect_err("refused");
    assert!(matches!(err, CognitoError::Network(_)), "{err:?}");
    assert!(err.is_connect());
    assert!(err.is_retryable());
    assert!(!err.is_timeout());
    assert_eq!(err.code(), None);
    // Two backoff waits of at least 2 ms and 4 ms happened.
    assert!(started.elapsed() >= Duration::from_millis(6));
}

#[tokio::test]
async fn attempt_timeout_is_a_timeout_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url =
        Url::parse(&format!("http://{}/", listener.local_addr().expect("addr"))).expect("url");
    let hold = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            open.push(stream);
        }
    });
    let client = CognitoClient::new(reqwest::Client::new(), url)
        .with_retry(RetryPolicy::no_retries())
        .with_attempt_timeout(Some(Duration::from_millis(200)));
    let err = client
        .get_user(&AccessToken::new("at"))
        .await
        .expect_err("timeout");
    assert!(err.is_timeout(), "{err:?}");
    assert!(err.is_retryable());
    hold.abort();
}

#[tokio::test]
async fn unknown_operations_are_recognised_and_not_retried() {
    // moto: HTTP 500 with a plain-text NotImplementedError.
    let moto = TestServer::start(|_, _| {
        Reply::raw(500, "text/html", "NotImplementedError: The get_tokens_from_refresh_token action has not been implemented")
    })
    .await;
    let err = client(&moto)
        .get_tokens_from_refresh_token("c", &RefreshToken::new("r"), None)
        .await
        .expect_err("moto");
    assert!(err.is_unknown_operation(), "{err:?}");
    assert!(!err.is_retryable());
    assert_eq!(moto.hits(), 1);

    // cognito-local.
    let local = TestServer::start(|_, _| {
        Reply::json(500, &json!({"code": "CognitoLocal#Unsupported", "message": "Cognito Local unsupported feature: Unsupported x-amz-target header \"GetTokensFromRefreshToken\""}))
    })
    .await;
    let err = client(&local)
        .get_tokens_from_refresh_token("c", &RefreshToken::new("r"), None)
        .await
        .expect_err("local");
    assert!(err.is_unknown_operation(), "{err:?}");
    assert_eq!(local.hits(), 1);

    let none = HeaderMap::new();
    for (status, body) in [
        (400, r#"{"__type":"UnknownOperationException"}"#),
        (
            400,
            r#"{"__type":"com.amazon.coral.service#UnknownOperationException","message":""}"#,
        ),
        (
            400,
            r#"{"code":"InvalidAction","message":"The action X is not valid"}"#,
        ),
        (501, "Not Implemented"),
        (
            500,
            r#"{"message":"The revoke_token action has not been implemented"}"#,
        ),
    ] {
        let err = service_error(status, &none, body.as_bytes());
        assert!(err.is_unknown_operation(), "{body}: {err:?}");
        assert!(!err.is_retryable());
    }
    for body in [
        r#"{"__type":"NotAuthorizedException","message":"Invalid token"}"#,
        r#"{"__type":"InternalErrorException"}"#,
    ] {
        assert!(
            !service_error(400, &none, body.as_bytes()).is_unknown_operation(),
            "{body}"
        );
    }
    let network = CognitoClient::new(reqwest::Client::new(), closed_port_url().await)
        .with_retry(RetryPolicy::no_retries())
        .get_user(&AccessToken::new("x"))
        .await
        .expect_err("net");
    assert!(!network.is_unknown_operation());
}

#[tokio::test]
async fn initiate_auth_and_challenges() {
    let server = TestServer::start(|i, _| match i {
        0 => Reply::json(
            200,
            &json!({
                "ChallengeName": "NEW_PASSWORD_REQUIRED",
                "ChallengeParameters": {"USER_ID_FOR_SRP": "alice", "requiredAttributes": "[]"},
                "Session": "sess-secret"
            }),
        ),
        _ => Reply::json(200, &tokens_json()),
    })
    .await;
    let cognito = client(&server);
    let request =
        InitiateAuthRequest::user_password("client-1", "alice", &Password::new("hunter2"));
    let debug = format!("{request:?}");
    assert!(
        debug.contains("PASSWORD") && !debug.contains("hunter2"),
        "{debug}"
    );
    let step = cognito.initiate_auth(&request).await.expect("challenge");
    assert_eq!(
        step.challenge_name.as_deref(),
        Some("NEW_PASSWORD_REQUIRED")
    );
    assert_eq!(
        step.challenge_parameters
            .get("USER_ID_FOR_SRP")
            .map(String::as_str),
        Some("alice")
    );
    assert!(step.authentication_result.is_none());
    assert!(!format!("{step:?}").contains("sess-secret"));
    assert_eq!(
        server.requests()[0].json(),
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": "client-1",
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": "hunter2"}})
    );

    let answer = RespondToAuthChallengeRequest::new(
        "client-1",
        "NEW_PASSWORD_REQUIRED",
        step.session.clone(),
    )
    .with_response("USERNAME", "alice")
    .with_response("NEW_PASSWORD", "correct horse");
    assert!(!format!("{answer:?}").contains("correct horse"));
    assert!(!format!("{answer:?}").contains("sess-secret"));
    let done = cognito
        .respond_to_auth_challenge(&answer)
        .await
        .expect("tokens");
    assert_eq!(
        done.authentication_result
            .expect("result")
            .access_token
            .secret(),
        "eyJ.access.x"
    );
    let sent = &server.requests()[1];
    assert_standard_headers(sent, "RespondToAuthChallenge");
    assert_eq!(
        sent.json(),
        json!({"ClientId": "client-1", "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": "sess-secret",
               "ChallengeResponses": {"USERNAME": "alice", "NEW_PASSWORD": "correct horse"}})
    );
}

#[tokio::test]
async fn get_user_sign_out_revoke_sign_up_confirm() {
    let server = TestServer::start(|_, request| {
        match request.header("x-amz-target").unwrap_or_default().rsplit('.').next().unwrap_or_default() {
            "GetUser" => Reply::json(200, &json!({
                "Username": "alice",
                "UserAttributes": [{"Name": "sub", "Value": "s-1"}, {"Name": "email_verified", "Value": "true"}, {"Name": "novalue"}],
                "UserMFASettingList": ["SOFTWARE_TOKEN_MFA"]
            })),
            "GlobalSignOut" => Reply::json(200, &json!({})),
            "RevokeToken" => Reply::raw(200, "application/x-amz-json-1.1", ""),
            "SignUp" => Reply::json(200, &json!({"UserConfirmed": false, "UserSub": "s-2",
                "CodeDeliveryDetails": {"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}})),
            "ConfirmSignUp" => Reply::json(200, &json!({})),
            _ => service_failure("UnknownOperationException", ""),
        }
    })
    .await;
    let cognito = client(&server);

    let user = cognito
        .get_user(&AccessToken::new("at-1"))
        .await
        .expect("user");
    assert_eq!(user.username, "alice");
    assert_eq!(
        user.user_attributes.get("sub").map(String::as_str),
        Some("s-1")
    );
    assert_eq!(
        user.user_attributes
            .get("email_verified")
            .map(String::as_str),
        Some("true")
    );
    assert!(!user.user_attributes.contains_key("novalue"));
    assert_eq!(
        user.user_mfa_setting_list,
        vec!["SOFTWARE_TOKEN_MFA".to_owned()]
    );

    cognito
        .global_sign_out(&AccessToken::new("at-2"))
        .await
        .expect("sign out");
    cognito
        .revoke_token("client-1", &RefreshToken::new("rt-3"))
        .await
        .expect("revoke");

    let sign_up = SignUpRequest::new("client-1", "alice", Password::new("pw-secret"))
        .with_attribute("email", "a@e.x");
    assert!(!format!("{sign_up:?}").contains("pw-secret"));
    let signed_up = cognito.sign_up(&sign_up).await.expect("sign up");
    assert!(!signed_up.user_confirmed);
    assert_eq!(signed_up.user_sub, "s-2");
    assert_eq!(
        signed_up
            .code_delivery_details
            .expect("cdd")
            .delivery_medium
            .as_deref(),
        Some("EMAIL")
    );

    let confirm = ConfirmSignUpRequest::new("client-1", "alice", "123456");
    assert!(!format!("{confirm:?}").contains("123456"));
    cognito.confirm_sign_up(&confirm).await.expect("confirm");

    let bodies: Vec<(String, serde_json::Value)> = server
        .requests()
        .iter()
        .map(|r| {
            (
                r.header("x-amz-target").unwrap_or_default().to_owned(),
                r.json(),
            )
        })
        .collect();
    assert_eq!(
        bodies[0],
        (format!("{TARGET}.GetUser"), json!({"AccessToken": "at-1"}))
    );
    assert_eq!(
        bodies[1],
        (
            format!("{TARGET}.GlobalSignOut"),
            json!({"AccessToken": "at-2"})
        )
    );
    assert_eq!(
        bodies[2],
        (
            format!("{TARGET}.RevokeToken"),
            json!({"ClientId": "client-1", "Token": "rt-3"})
        )
    );
    assert_eq!(
        bodies[3],
        (
            format!("{TARGET}.SignUp"),
            json!({"ClientId": "client-1", "Username": "alice", "Password": "pw-secret",
            "UserAttributes": [{"Name": "email", "Value": "a@e.x"}]})
        )
    );
    assert_eq!(
        bodies[4],
        (
            format!("{TARGET}.ConfirmSignUp"),
            json!({"ClientId": "client-1", "Username": "alice", "ConfirmationCode": "123456"})
        )
    );

    let raw = cognito
        .call_json("ListDevices", &json!({"AccessToken": "x"}))
        .await
        .expect_err("unknown op");
    assert!(raw.is_unknown_operation());
}

#[tokio::test]
async fn invalid_success_responses_are_reported_without_content() {
    let server = TestServer::start(|i, _| match i {
        0 => Reply::raw(200, "text/html", "<html>not json</html>"),
        1 => Reply::json(200, &json!({})),
        2 => Reply::json(
            200,
            &json!({"AuthenticationResult": {"IdToken": "eyJ.only.id"}}),
        ),
        3 => Reply::json(
            200,
            &json!({"Username": "u", "UserAttributes": "eyJsecret.token.here"}),
        ),
        4 => Reply::json(200, &json!({"ChallengeName": "SMS_MFA", "Session": "s"})),
        _ => Reply::json(200, &json!({})),
    })
    .await;
    let cognito = client(&server);
    let rt = RefreshToken::new("r");
    for n in 0..3 {
        let err = cognito
            .get_tokens_from_refresh_token("c", &rt, None)
            .await
            .expect_err("invalid");
        assert!(
            matches!(
                err,
                CognitoError::InvalidResponse {
                    operation: "GetTokensFromRefreshToken",
                    ..
                }
            ),
            "{n}: {err:?}"
        );
        // Not retried at once (the call may have taken effect), but the backend's fault, not the caller's.
        assert!(!err.is_retryable() && err.is_transient(), "{n}: {err:?}");
    }
    let err = cognito
        .get_user(&AccessToken::new("a"))
        .await
        .expect_err("bad attrs");
    let text = err.to_string();
    assert!(
        text.contains("invalid type") && !text.contains("eyJ"),
        "{text}"
    );
    let err = cognito
        .refresh_with_initiate_auth("c", &rt, None)
        .await
        .expect_err("challenge");
    assert!(
        matches!(
            err,
            CognitoError::InvalidResponse {
                operation: "InitiateAuth",
                ..
            }
        ),
        "{err:?}"
    );
    let err = cognito
        .initiate_auth(&InitiateAuthRequest::new(AuthFlow::UserSrpAuth, "c"))
        .await
        .expect_err("empty");
    assert!(
        matches!(err, CognitoError::InvalidResponse { .. }),
        "{err:?}"
    );
    assert_eq!(server.hits(), 6);
}

#[test]
fn retry_policy_delays_are_jittered_and_capped() {
    let policy = RetryPolicy::default();
    assert_eq!(policy.max_attempts(), 3);
    for _ in 0..50 {
        let first = policy.delay_after(1);
        assert!(
            first >= Duration::from_millis(200) && first < Duration::from_millis(300),
            "{first:?}"
        );
        let second = policy.delay_after(2);
        assert!(
            second >= Duration::from_millis(400) && second < Duration::from_millis(500),
            "{second:?}"
        );
    }
    assert_eq!(policy.delay_after(40), Duration::from_secs(5));
    assert_eq!(policy.delay_after(u32::MAX), Duration::from_secs(5));
    assert_eq!(RetryPolicy::new().with_max_attempts(0).max_attempts(), 1);
    assert_eq!(RetryPolicy::no_retries().max_attempts(), 1);
    assert_eq!(
        RetryPolicy::new()
            .with_base_delay(Duration::ZERO)
            .delay_after(3),
        Duration::ZERO
    );
}

#[test]
fn throttling_and_retry_classification() {
    let none = HeaderMap::new();
    for code in [
        "ThrottlingException",
        "TooManyRequestsException",
        "LimitExceededException",
        "RequestLimitExceeded",
    ] {
        let err = service_error(400, &none, json!({"__type": code}).to_string().as_bytes());
        assert!(err.is_throttling() && err.is_retryable(), "{code}");
    }
    for status in [500, 502, 503, 504, 429] {
        assert!(
            service_error(status, &none, b"{}").is_retryable(),
            "{status}"
        );
    }
    for status in [400, 401, 403, 404, 413] {
        assert!(
            !service_error(status, &none, b"{}").is_retryable(),
            "{status}"
        );
        assert!(
            !service_error(status, &none, b"{}").is_transient(),
            "{status}"
        );
    }
    // Transient: the service's or the network's fault, whether or not it is retried at once.
    for status in [500, 501, 502, 503, 504, 429] {
        assert!(
            service_error(status, &none, b"{}").is_transient(),
            "{status}"
        );
    }
    let unknown_operation = service_error(
        500,
        &none,
        br#"{"__type":"InternalFailure","message":"The GetTokensFromRefreshToken action has not been implemented"}"#,
    );
    assert!(!unknown_operation.is_retryable() && unknown_operation.is_transient());
    let throttled = service_error(400, &none, br#"{"__type":"TooManyRequestsException"}"#);
    assert!(throttled.is_transient());
    let refused = service_error(400, &none, br#"{"__type":"NotAuthorizedException"}"#);
    assert!(!refused.is_transient());
    let deadline = CognitoError::DeadlineExceeded {
        deadline: std::time::Duration::from_secs(10),
    };
    assert!(deadline.is_transient() && deadline.is_timeout() && !deadline.is_retryable());
    let unencodable = CognitoError::InvalidRequest {
        operation: "SignUp",
        detail: "x".into(),
    };
    assert!(!unencodable.is_transient());
    // Clock-skew codes are not retried: these requests are unsigned.
    assert!(
        !service_error(400, &none, br#"{"__type":"InvalidSignatureException"}"#).is_retryable()
    );
    assert!(service_error(408, &none, br#"{"__type":"RequestTimeoutException"}"#).is_timeout());
}
