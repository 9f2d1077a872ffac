//! The REST client against amplify-local's API-Gateway-like front (`LocalOptions::rest_apis`): SigV4 with guest
//! and signed-in identity credentials, the user's token as a header, headers, query, JSON and binary bodies,
//! errors that keep status and body, and forged signatures or tokens refused before the upstream hears of them.

mod common;

use std::sync::{Arc, Mutex};

use amplify_ssr::rest::{RestAuth, RestClient, RestError, RestRequest};
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// What the upstream saw, per request.
type Seen = Arc<Mutex<Vec<Value>>>;

async fn upstream(
    axum::extract::State(seen): axum::extract::State<Seen>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let identity: Value = header("x-amplify-local-identity")
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or(Value::Null);
    let record = json!({
        "method": method.as_str(),
        "path": uri.path(),
        "query": uri.query(),
        "contentType": header("content-type"),
        "custom": header("x-custom"),
        "identity": identity,
        "body": String::from_utf8_lossy(&body),
        "bytes": body.len(),
    });
    seen.lock().expect("seen").push(record.clone());
    if uri.path().ends_with("/missing") {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": "no such item"})),
        )
            .into_response();
    }
    axum::Json(record).into_response()
}

async fn start() -> (common::Backend, Seen) {
    let seen = Seen::default();
    let app = axum::Router::new()
        .fallback(upstream)
        .with_state(Arc::clone(&seen));
    let url = format!("{}/base", common::serve(app).await);
    let backend = common::Backend::start_with(|options| {
        options
            .rest_apis
            .push(("items".to_owned(), url.parse().expect("url")));
    })
    .await;
    (backend, seen)
}

#[tokio::test]
async fn iam_and_token_calls_reach_the_upstream_with_the_callers_identity() {
    let (backend, seen) = start().await;
    let runner = backend.runner();
    let rest = RestClient::new(&runner);
    assert_eq!(rest.api_names().collect::<Vec<_>>(), ["items"]);
    let guest = runner.context(&HeaderMap::new());

    // A guest's identity credentials, SigV4; query and a custom header.
    let got = rest
        .get(
            &guest,
            "items",
            "/things/1",
            RestRequest::new()
                .query("color", "red & blue")
                .header("x-custom", "yes"),
        )
        .await
        .unwrap();
    assert_eq!(got.status, 200);
    let echoed: Value = got.json().unwrap();
    assert_eq!(echoed["method"], "GET");
    assert_eq!(echoed["path"], "/base/things/1");
    assert_eq!(echoed["query"], "color=red+%26+blue");
    assert_eq!(echoed["custom"], "yes");
    assert_eq!(
        echoed["identity"]["cognitoIdentityAuthType"],
        "unauthenticated"
    );

    // Signed in: IAM with the user's identity, a JSON body.
    let alice = backend.signed_in(&runner, "alice").await;
    let posted: Value = rest
        .post(
            &alice,
            "items",
            "things",
            RestRequest::new().json(json!({"name": "cup"})),
        )
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(posted["method"], "POST");
    assert_eq!(posted["contentType"], "application/json");
    assert_eq!(posted["body"], r#"{"name":"cup"}"#);
    assert_eq!(
        posted["identity"]["cognitoIdentityAuthType"],
        "authenticated"
    );

    // The user's ID token, then access token, as the header; a binary body.
    for auth in [RestAuth::UserPoolIdToken, RestAuth::UserPoolAccessToken] {
        let put: Value = rest
            .put(
                &alice,
                "items",
                "/things/2",
                RestRequest::new()
                    .bytes(vec![0u8, 159, 146, 150], "application/octet-stream")
                    .auth(auth),
            )
            .await
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(put["method"], "PUT");
        assert_eq!(put["bytes"], 4);
        assert_eq!(put["contentType"], "application/octet-stream");
        assert_eq!(put["identity"]["username"], "alice", "{auth:?}");
    }
    for (method, name) in [
        (Method::DELETE, "DELETE"),
        (Method::PATCH, "PATCH"),
        (Method::HEAD, "HEAD"),
    ] {
        let answer = rest
            .send(&alice, method, "items", "/things/3", RestRequest::new())
            .await
            .unwrap();
        assert_eq!(answer.status, 200);
        assert_eq!(seen.lock().unwrap().last().unwrap()["method"], name);
    }

    // An error keeps its status and body.
    let error = rest
        .get(&guest, "items", "/missing", RestRequest::new())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(404));
    assert_eq!(error.json_body().unwrap(), json!({"error": "no such item"}));
    // Signed out, token mode fails before any request; an unknown API and a path that leaves the API too.
    let error = rest
        .get(
            &guest,
            "items",
            "/x",
            RestRequest::new().auth(RestAuth::UserPoolIdToken),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, RestError::NoValidAuthTokens), "{error}");
    let error = rest
        .get(&guest, "nope", "/x", RestRequest::new())
        .await
        .unwrap_err();
    assert!(matches!(error, RestError::UnknownApi { .. }), "{error}");
    let error = rest
        .get(&guest, "items", "../graphql", RestRequest::new())
        .await
        .unwrap_err();
    assert!(matches!(error, RestError::InvalidInput(_)), "{error}");
}

#[tokio::test]
async fn forged_signatures_and_tokens_are_refused_before_the_upstream() {
    let (backend, seen) = start().await;
    let runner = backend.runner();
    let endpoint = format!("{}/rest/items/things", backend.backend.base_url());
    let guest = runner.context(&HeaderMap::new());
    let credentials = amplify_ssr::fetch_identity_credentials(&guest, false)
        .await
        .expect("guest credentials")
        .credentials;
    let http = reqwest::Client::new();
    let amz_date = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap();
    let forged_signature = format!(
        "AWS4-HMAC-SHA256 Credential={}/{}/{}/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature={}",
        credentials.access_key_id,
        &amz_date[..8],
        backend.config().auth.expect("auth").region,
        "0".repeat(64)
    );
    let forged_token = {
        // A real-looking token: alice's, with its payload changed to name bob.
        let jar = common::signed_in_jar(&runner, &backend.user("alice")).await;
        let id = jar
            .ending_with(".idToken")
            .expect("id token cookie")
            .to_owned();
        let mut parts: Vec<String> = id.split('.').map(str::to_owned).collect();
        let mut claims: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(&parts[1])
                .expect("base64url payload"),
        )
        .expect("JSON claims");
        for claim in ["cognito:username", "username"] {
            if claims.get(claim).is_some() {
                claims[claim] = Value::from("bob");
            }
        }
        claims["sub"] = Value::from("forged-sub");
        parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
        // Well-formed: only the signature (alice's, over other bytes) gives it away.
        parts.join(".")
    };
    for (authorization, status) in [
        (None, 401),
        (Some(forged_signature.as_str()), 403),
        (Some(forged_token.as_str()), 401),
        (Some("Bearer not-a-jwt"), 401),
    ] {
        let mut request = http.get(&endpoint).header("x-amz-date", &amz_date);
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status().as_u16(), status, "{authorization:?}");
        let body: Value = answer.json().await.unwrap();
        assert!(body["message"].is_string(), "{body}");
    }
    // A path that climbs out of the mount, however it is spelled (sent raw: an HTTP client would normalise it).
    let address = backend
        .backend
        .base_url()
        .trim_start_matches("http://")
        .to_owned();
    for (path, status) in [
        ("/rest/items/%2e%2e/secret", "400"),
        ("/rest/items/a/%2E%2E/%2e%2e/secret", "400"),
        // Decoded once by the router, `%252e%252e` is `%2e%2e`, and `%5C` is a `\`: both would climb when the
        // upstream URL is parsed again.
        ("/rest/items/%252e%252e/secret", "400"),
        ("/rest/items/a/%252E%252e/%252e%252E/secret", "400"),
        ("/rest/items/..%5Csecret", "400"),
        ("/rest/items/a/..%5C..%5Csecret", "400"),
        // The same request below the mount gets as far as authentication.
        ("/rest/items/a/secret", "401"),
    ] {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{path}: {answer}"
        );
    }
    assert!(
        seen.lock().unwrap().is_empty(),
        "the upstream heard nothing"
    );

    // And an identity header a client sends is not what the upstream sees.
    let rest = RestClient::new(&runner);
    let echoed: Value = rest
        .get(
            &guest,
            "items",
            "/things",
            RestRequest::new().header("x-amplify-local-identity", r#"{"username":"admin"}"#),
        )
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        echoed["identity"]["cognitoIdentityAuthType"],
        "unauthenticated"
    );
}
