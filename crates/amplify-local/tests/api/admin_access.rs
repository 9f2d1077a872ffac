//! No web page can drive the admin API: admin operations need a SigV4
//! signature (verified when credentials are pinned), CORS is for the app
//! origins and the operations browsers call only, and `Host` must be a
//! loopback or configured name (DNS rebinding).

use std::time::Duration;

use amplify_local::AdminCredentials;
use reqwest::Method;
use serde_json::json;

use crate::helpers::{Answer, Harness, PASSWORD, THROWAWAY_KEY, sign_headers_at};

const APP_ORIGIN: &str = "http://localhost:3000";
const EVIL_ORIGIN: &str = "http://evil.example";
const ADMIN_TARGET: &str = "AWSCognitoIdentityProviderService.AdminSetUserPassword";

/// AdminSetUserPassword's body: what an attacker would send.
fn reset_password(h: &Harness, username: &str) -> String {
    json!({
        "UserPoolId": h.backend.user_pool_id(),
        "Username": username,
        "Password": "Attacker-0wned!",
        "Permanent": true,
    })
    .to_string()
}

/// Asserts the password was not changed.
async fn password_unchanged(h: &Harness, username: &str) {
    h.sign_in(username).await;
    h.password_auth(username, "Attacker-0wned!")
        .await
        .assert_error("NotAuthorizedException");
}

fn header<'a>(answer: &'a Answer, name: &str) -> Option<&'a str> {
    answer.headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn admin_operations_need_a_well_formed_signature() {
    let h = Harness::start().await;
    h.user("ann");
    let body = reset_password(&h, "ann");

    let unsigned = h.call_raw(ADMIN_TARGET, &body).await;
    unsigned.assert_error_status(403, "MissingAuthenticationTokenException");
    assert!(
        unsigned.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("SigV4") && m.contains("--admin-credentials")),
        "{}",
        unsigned.body
    );
    let bearer = [("authorization".to_owned(), "Bearer abc".to_owned())];
    h.post_target(ADMIN_TARGET, &body, &bearer)
        .await
        .assert_error("IncompleteSignatureException");
    h.signed("AdminSetUserPassword", &body, THROWAWAY_KEY, "appsync")
        .await
        .assert_error("InvalidSignatureException");
    password_unchanged(&h, "ann").await;

    // A page cannot send a signed request, but even one that did would be
    // refused for its Origin.
    let mut from_page = h.sign_headers(ADMIN_TARGET, &body, THROWAWAY_KEY, "cognito-idp");
    from_page.push(("origin".to_owned(), APP_ORIGIN.to_owned()));
    let answer = h.post_target(ADMIN_TARGET, &body, &from_page).await;
    answer.assert_error("AccessDeniedException");
    assert_eq!(header(&answer, "access-control-allow-origin"), None);
    password_unchanged(&h, "ann").await;

    // Any SDK credentials work by default (as boto3 with dummy keys).
    h.signed("AdminSetUserPassword", &body, THROWAWAY_KEY, "cognito-idp")
        .await
        .ok();
    h.password_auth("ann", "Attacker-0wned!").await.ok();
    // Operations of signed-in users ignore a signature, as Cognito does.
    let signed_sign_in = json!({
        "AuthFlow": "USER_PASSWORD_AUTH",
        "ClientId": h.backend.client_id(),
        "AuthParameters": { "USERNAME": "ann", "PASSWORD": "Attacker-0wned!" },
    });
    h.signed(
        "InitiateAuth",
        &signed_sign_in.to_string(),
        THROWAWAY_KEY,
        "cognito-idp",
    )
    .await
    .ok();
    h.backend.shutdown().await;
}

/// The value of `name` among signed headers.
fn value_of<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .expect(name)
}

/// `headers` with `authorization` replaced.
fn with_authorization(
    headers: &[(String, String)],
    authorization: String,
) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = if name == "authorization" {
                authorization.clone()
            } else {
                value.clone()
            };
            (name.clone(), value)
        })
        .collect()
}

#[tokio::test]
async fn malformed_admin_signatures_are_refused() {
    let h = Harness::start().await;
    h.user("di");
    let body = reset_password(&h, "di");
    let base = h.backend.base_url();
    let signed = h.sign_headers(ADMIN_TARGET, &body, THROWAWAY_KEY, "cognito-idp");
    let authorization = value_of(&signed, "authorization");
    let day = &value_of(&signed, "x-amz-date")[..8];
    let signature = authorization
        .rsplit_once("Signature=")
        .map(|(_, s)| s)
        .expect("signature");
    let signed_headers = "SignedHeaders=content-type;host;x-amz-date;x-amz-target";
    assert!(authorization.contains(signed_headers), "{authorization}");
    let edit = |from: &str, to: &str| authorization.replacen(from, to, 1);
    let incomplete = "IncompleteSignatureException";
    let cases = [
        (
            "another algorithm",
            edit("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"),
            incomplete,
        ),
        ("no access key id", edit("AKIDTHROWAWAY/", "/"), incomplete),
        (
            "a scope without date",
            edit(&format!("/{day}/"), "//"),
            incomplete,
        ),
        (
            "a scope dated another day",
            edit(&format!("/{day}/"), "/20000101/"),
            incomplete,
        ),
        (
            "a scope not ending aws4_request",
            edit("/aws4_request", "/aws4"),
            incomplete,
        ),
        (
            "a scope for another region",
            edit("/us-east-1/", "/eu-west-1/"),
            "InvalidSignatureException",
        ),
        (
            "host unsigned",
            edit(
                signed_headers,
                "SignedHeaders=content-type;x-amz-date;x-amz-target",
            ),
            incomplete,
        ),
        (
            "x-amz-date unsigned",
            edit(
                signed_headers,
                "SignedHeaders=content-type;host;x-amz-target",
            ),
            incomplete,
        ),
        (
            "x-amz-target unsigned",
            edit(signed_headers, "SignedHeaders=content-type;host;x-amz-date"),
            incomplete,
        ),
        (
            "content-type unsigned",
            edit(signed_headers, "SignedHeaders=host;x-amz-date;x-amz-target"),
            incomplete,
        ),
        (
            "an absent header signed",
            edit(
                signed_headers,
                "SignedHeaders=content-type;host;x-amz-date;x-amz-target;x-other",
            ),
            incomplete,
        ),
        (
            "unsorted signed headers",
            edit(
                signed_headers,
                "SignedHeaders=host;content-type;x-amz-date;x-amz-target",
            ),
            incomplete,
        ),
        ("an empty signature", edit(signature, ""), incomplete),
        (
            "a signature of any text",
            edit(signature, "not-a-signature"),
            incomplete,
        ),
        (
            "an uppercase signature",
            edit(signature, &signature.to_uppercase()),
            incomplete,
        ),
        (
            "a short signature",
            edit(signature, &signature[1..]),
            incomplete,
        ),
        (
            "a repeated parameter",
            format!("{authorization}, Signature={signature}"),
            incomplete,
        ),
    ];
    for (case, authorization, code) in cases {
        let headers = with_authorization(&signed, authorization);
        let answer = h.post_target(ADMIN_TARGET, &body, &headers).await;
        assert_eq!(answer.error_type(), code, "{case}: {}", answer.body);
        assert_eq!(answer.status, 400, "{case}");
    }
    // A signature made more than 15 minutes from amplify-local's clock.
    let stale = sign_headers_at(
        &base,
        ADMIN_TARGET,
        &body,
        THROWAWAY_KEY,
        "cognito-idp",
        h.backend.clock().now() - Duration::from_secs(16 * 60),
    );
    let answer = h.post_target(ADMIN_TARGET, &body, &stale).await;
    answer.assert_error("InvalidSignatureException");
    assert!(
        answer.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("15 minutes")),
        "{}",
        answer.body
    );
    password_unchanged(&h, "di").await;

    // What boto3 sends, with a signature no key made: well formed, so
    // accepted while credentials are not pinned.
    let boto3 = format!(
        "AWS4-HMAC-SHA256 Credential=local/{day}/us-east-1/cognito-idp/aws4_request, \
         {signed_headers}, Signature={}",
        "0123456789abcdef".repeat(4)
    );
    h.post_target(ADMIN_TARGET, &body, &with_authorization(&signed, boto3))
        .await
        .ok();
    h.password_auth("di", "Attacker-0wned!").await.ok();
    h.backend.shutdown().await;
}

#[tokio::test]
async fn admin_signature_time_is_checked_on_amplify_locals_clock() {
    let h = Harness::start().await;
    h.user("ed");
    let body = reset_password(&h, "ed");
    let base = h.backend.base_url();
    let before = h.backend.clock().now();
    h.backend.freeze_clock();
    h.backend.advance_clock(Duration::from_secs(16 * 60));
    let on_the_system_clock = sign_headers_at(
        &base,
        ADMIN_TARGET,
        &body,
        THROWAWAY_KEY,
        "cognito-idp",
        before,
    );
    h.post_target(ADMIN_TARGET, &body, &on_the_system_clock)
        .await
        .assert_error("InvalidSignatureException");
    password_unchanged(&h, "ed").await;
    let on_its_clock = h.sign_headers(ADMIN_TARGET, &body, THROWAWAY_KEY, "cognito-idp");
    h.post_target(ADMIN_TARGET, &body, &on_its_clock).await.ok();
    h.password_auth("ed", "Attacker-0wned!").await.ok();
    h.backend.shutdown().await;
}

#[tokio::test]
async fn pinned_admin_credentials_are_verified() {
    let pinned = AdminCredentials::new("AKIDPINNED", "pinned-secret").expect("credentials");
    let h = Harness::start_with(|o| o.with_admin_credentials(pinned)).await;
    h.user("bo");
    let body = reset_password(&h, "bo");
    h.signed("AdminSetUserPassword", &body, THROWAWAY_KEY, "cognito-idp")
        .await
        .assert_error("UnrecognizedClientException");
    h.signed(
        "AdminSetUserPassword",
        &body,
        ("AKIDPINNED", "wrong-secret"),
        "cognito-idp",
    )
    .await
    .assert_error("InvalidSignatureException");
    // A signature for another body does not carry over.
    let other = reset_password(&h, "someone-else");
    let headers = h.sign_headers(
        ADMIN_TARGET,
        &other,
        ("AKIDPINNED", "pinned-secret"),
        "cognito-idp",
    );
    h.post_target(ADMIN_TARGET, &body, &headers)
        .await
        .assert_error("InvalidSignatureException");
    password_unchanged(&h, "bo").await;

    h.signed(
        "AdminSetUserPassword",
        &body,
        ("AKIDPINNED", "pinned-secret"),
        "cognito-idp",
    )
    .await
    .ok();
    h.password_auth("bo", "Attacker-0wned!").await.ok();
    h.backend.shutdown().await;
}

#[test]
fn admin_credentials_parse_and_hide_their_secret() {
    let parsed: AdminCredentials = "AKID:se:cret".parse().expect("parses");
    assert_eq!(parsed.access_key_id(), "AKID");
    assert_eq!(parsed.secret_access_key(), "se:cret");
    assert!(!format!("{parsed:?}").contains("se:cret"));
    for bad in ["", "AKID", ":secret", "AKID:"] {
        let error = bad.parse::<AdminCredentials>().expect_err(bad);
        assert!(
            error
                .to_string()
                .contains("ACCESS_KEY_ID:SECRET_ACCESS_KEY")
        );
    }
}

/// A CORS preflight.
async fn preflight(
    h: &Harness,
    url: &str,
    origin: &str,
    method: &str,
    headers: &str,
) -> reqwest::Response {
    h.http
        .request(Method::OPTIONS, url)
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", headers)
        .send()
        .await
        .expect("preflight")
}

fn allowed_origin(response: &reqwest::Response) -> Option<&str> {
    response
        .headers()
        .get("access-control-allow-origin")
        .and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn cors_is_for_app_origins_and_browser_operations_only() {
    let h = Harness::start().await;
    h.user("cy");
    let base = h.backend.base_url();
    let root = format!("{base}/");
    let amplify_headers = "content-type,x-amz-target,x-amz-user-agent,cache-control";

    // The app's page may call the user-pool operations aws-amplify uses.
    let granted = preflight(&h, &root, APP_ORIGIN, "POST", amplify_headers).await;
    assert_eq!(granted.status(), 204);
    assert_eq!(allowed_origin(&granted), Some(APP_ORIGIN));
    assert_eq!(granted.headers()["vary"], "Origin");
    let allowed = granted.headers()["access-control-allow-headers"]
        .to_str()
        .expect("ascii");
    assert!(allowed.contains("x-amz-target"), "{allowed}");
    let sign_in = json!({
        "AuthFlow": "USER_PASSWORD_AUTH",
        "ClientId": h.backend.client_id(),
        "AuthParameters": { "USERNAME": "cy", "PASSWORD": PASSWORD },
    })
    .to_string();
    let target = "AWSCognitoIdentityProviderService.InitiateAuth";
    let from_app = [("origin".to_owned(), APP_ORIGIN.to_owned())];
    let answer = h.post_target(target, &sign_in, &from_app).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        header(&answer, "access-control-allow-origin"),
        Some(APP_ORIGIN)
    );

    // Other origins get nothing, with the fix in the refusal.
    let refused = preflight(&h, &root, EVIL_ORIGIN, "POST", amplify_headers).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(allowed_origin(&refused), None);
    assert_eq!(
        refused.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert_eq!(refused.headers()["vary"], "Origin");
    let text = refused.text().await.expect("text");
    assert!(text.contains("--app-origin http://evil.example"), "{text}");
    let from_evil = [("origin".to_owned(), EVIL_ORIGIN.to_owned())];
    let answer = h.post_target(target, &sign_in, &from_evil).await;
    assert_eq!(header(&answer, "access-control-allow-origin"), None);
    let answer = h.post_target(target, &sign_in, &[]).await;
    assert_eq!(header(&answer, "access-control-allow-origin"), None);

    // Not even the app may send Authorization to POST / (only admin
    // operations take it there), and admin answers never carry CORS.
    let admin = preflight(
        &h,
        &root,
        APP_ORIGIN,
        "POST",
        "authorization,content-type,x-amz-date,x-amz-target",
    )
    .await;
    assert_eq!(admin.status(), 403);
    assert_eq!(allowed_origin(&admin), None);
    let get_user = json!({ "UserPoolId": h.backend.user_pool_id(), "Username": "cy" });
    let answer = h
        .post_target(
            "AWSCognitoIdentityProviderService.AdminGetUser",
            &get_user.to_string(),
            &from_app,
        )
        .await;
    assert_eq!(header(&answer, "access-control-allow-origin"), None);
    let answer = h
        .post_target(
            "AWSCognitoIdentityProviderService.NotAnOperation",
            "{}",
            &from_app,
        )
        .await;
    assert_eq!(header(&answer, "access-control-allow-origin"), None);
    // The account operations aws-amplify calls are open to the app; the
    // signed-only group operations are not.
    let forgot = json!({ "ClientId": h.backend.client_id(), "Username": "cy" });
    let answer = h
        .post_target(
            "AWSCognitoIdentityProviderService.ForgotPassword",
            &forgot.to_string(),
            &from_app,
        )
        .await;
    assert_eq!(
        header(&answer, "access-control-allow-origin"),
        Some(APP_ORIGIN)
    );
    let groups = json!({ "UserPoolId": h.backend.user_pool_id() });
    let answer = h
        .post_target(
            "AWSCognitoIdentityProviderService.ListGroups",
            &groups.to_string(),
            &from_app,
        )
        .await;
    assert_eq!(header(&answer, "access-control-allow-origin"), None);

    // GraphQL (with a JWT) and the token endpoint are for browsers; the
    // login pages are not.
    let graphql = preflight(
        &h,
        &format!("{base}/graphql"),
        APP_ORIGIN,
        "POST",
        "authorization,content-type",
    )
    .await;
    assert_eq!(allowed_origin(&graphql), Some(APP_ORIGIN));
    let token = preflight(
        &h,
        &format!("{base}/oauth2/token"),
        APP_ORIGIN,
        "POST",
        "content-type",
    )
    .await;
    assert_eq!(allowed_origin(&token), Some(APP_ORIGIN));
    let login = preflight(&h, &format!("{base}/login"), APP_ORIGIN, "POST", "").await;
    assert_eq!(login.status(), 403);
    assert_eq!(allowed_origin(&login), None);

    // The discovery document (which names the pool) only to app origins.
    let discovery = format!("{base}/.well-known/openid-configuration");
    for (origin, expected) in [(APP_ORIGIN, Some(APP_ORIGIN)), (EVIL_ORIGIN, None)] {
        let response = h
            .http
            .get(&discovery)
            .header("origin", origin)
            .send()
            .await
            .expect("discovery");
        assert_eq!(response.status(), 200);
        assert_eq!(allowed_origin(&response), expected, "{origin}");
    }

    // The S3 port: the app's pages upload through presigned PUT URLs.
    let object = format!(
        "{}/{}/public/a.txt",
        h.backend.s3_url(),
        h.backend.bucket_name()
    );
    let put = preflight(&h, &object, APP_ORIGIN, "PUT", "content-type").await;
    assert_eq!(put.status(), 204);
    assert_eq!(allowed_origin(&put), Some(APP_ORIGIN));
    assert!(
        put.headers()["access-control-allow-methods"]
            .to_str()
            .expect("ascii")
            .contains("PUT")
    );
    let put = preflight(&h, &object, EVIL_ORIGIN, "PUT", "content-type").await;
    assert_eq!(put.status(), 403);
    assert_eq!(allowed_origin(&put), None);
    h.backend.shutdown().await;
}

#[tokio::test]
async fn app_origins_compare_as_origins() {
    // Configured with the default port and capitals; browsers send neither.
    let h = Harness::start_with(|o| {
        o.with_app_origins(["http://LocalHost:80", "https://app.example.test:443"])
    })
    .await;
    let root = format!("{}/", h.backend.base_url());
    for origin in [
        "http://localhost",
        "https://app.example.test",
        "http://localhost:80",
    ] {
        let granted = preflight(&h, &root, origin, "POST", "content-type,x-amz-target").await;
        assert_eq!(granted.status(), 204, "{origin}");
        assert_eq!(allowed_origin(&granted), Some(origin));
    }
    for origin in [
        "http://localhost:8080",
        "https://localhost",
        "http://app.example.test",
        "null",
    ] {
        let refused = preflight(&h, &root, origin, "POST", "content-type,x-amz-target").await;
        assert_eq!(refused.status(), 403, "{origin}");
        assert_eq!(allowed_origin(&refused), None, "{origin}");
    }
    h.backend.shutdown().await;
}

/// GETs a URL with a `Host` header.
async fn status_for_host(h: &Harness, url: &str, host: &str) -> (u16, String) {
    let response = h
        .http
        .get(url)
        .header("host", host)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    if status == 421 {
        assert_eq!(
            response.headers()["content-type"],
            "text/plain; charset=utf-8"
        );
    }
    (status, response.text().await.expect("text"))
}

#[tokio::test]
async fn only_loopback_and_configured_host_names_are_served() {
    let h = Harness::start_with(|o| o.with_allowed_host("dev.example.test")).await;
    let base = h.backend.base_url();
    let port = base.rsplit(':').next().expect("port").to_owned();
    let discovery = format!("{base}/.well-known/openid-configuration");
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        "dev.example.test".to_owned(),
    ] {
        assert_eq!(
            status_for_host(&h, &discovery, &host).await.0,
            200,
            "{host}"
        );
    }
    for host in ["evil.example", "evil.example:4000", "127.0.0.1.nip.io"] {
        let (status, text) = status_for_host(&h, &discovery, host).await;
        assert_eq!(status, 421, "{host}");
        assert!(text.contains("--allowed-host"), "{text}");
    }
    // A rebound page cannot reach the admin API either.
    let answer = h
        .post_target(
            ADMIN_TARGET,
            "{}",
            &[("host".to_owned(), "evil.example".to_owned())],
        )
        .await;
    assert_eq!(answer.status, 421);
    // Nor the S3 port.
    let bucket = format!("{}/{}", h.backend.s3_url(), h.backend.bucket_name());
    assert_eq!(status_for_host(&h, &bucket, "evil.example").await.0, 421);
    h.backend.shutdown().await;
}

#[tokio::test]
async fn bad_host_and_custom_attribute_options_are_refused_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let options = amplify_local::LocalOptions::new(dir.path());
    let error =
        amplify_local::LocalBackend::start(options.clone().with_allowed_host("http://dev.test:80"))
            .await
            .expect_err("bad host");
    assert!(error.to_string().contains("allowed host"), "{error}");
    let error = amplify_local::LocalBackend::start(options.with_custom_attribute("has space"))
        .await
        .expect_err("bad attribute");
    assert!(error.to_string().contains("custom attribute"), "{error}");
}
