//! Shared helpers.

use std::time::{Duration, SystemTime};

use amplify_local::{LocalBackend, LocalOptions};
use aws_credential_types::Credentials;
use aws_lc_rs::signature;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

pub(crate) const PASSWORD: &str = "Sup3r-secret!";

/// Steps to move the backend's clock by ([`LocalBackend::advance_clock`]):
/// tests cross lifetimes this way, never by sleeping.
pub(crate) const SECOND: Duration = Duration::from_secs(1);
/// The default lifetime of access and id tokens, and of identity credentials.
pub(crate) const HOUR: Duration = Duration::from_secs(3600);

/// Throwaway credentials, as an SDK user would configure them: admin
/// operations accept any well-formed signature unless credentials are pinned.
pub(crate) const THROWAWAY_KEY: (&str, &str) = ("AKIDTHROWAWAY", "throwaway-secret");

/// A running backend plus its temporary directory.
pub(crate) struct Harness {
    pub(crate) backend: LocalBackend,
    pub(crate) dir: tempfile::TempDir,
    pub(crate) http: reqwest::Client,
}

/// An answer from the JSON 1.1 API.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Value,
}

impl Answer {
    /// The `__type` of an error answer.
    pub(crate) fn error_type(&self) -> &str {
        self.body["__type"].as_str().unwrap_or("")
    }

    /// Asserts a Cognito-shaped error.
    #[track_caller]
    pub(crate) fn assert_error(&self, code: &str) {
        assert_eq!(self.status, 400, "body: {}", self.body);
        assert_eq!(self.error_type(), code, "body: {}", self.body);
        assert!(self.body["message"].is_string(), "body: {}", self.body);
        let header = self.headers["x-amzn-errortype"].to_str().unwrap_or("");
        assert_eq!(header, format!("{code}:"));
        assert!(self.headers.contains_key("x-amzn-requestid"));
    }

    /// Asserts an error with its HTTP status (for the ones that are not 400).
    #[track_caller]
    pub(crate) fn assert_error_status(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(self.error_type(), code, "body: {}", self.body);
    }

    /// Asserts success and returns the body.
    #[track_caller]
    pub(crate) fn ok(self) -> Value {
        assert_eq!(self.status, 200, "body: {}", self.body);
        self.body
    }
}

impl Harness {
    pub(crate) async fn start() -> Self {
        Self::start_with(|options| options).await
    }

    pub(crate) async fn start_with(adjust: impl FnOnce(LocalOptions) -> LocalOptions) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let backend = LocalBackend::start(adjust(LocalOptions::new(dir.path())))
            .await
            .expect("backend starts");
        Self {
            backend,
            dir,
            http: reqwest::Client::new(),
        }
    }

    /// Calls an operation with a raw body.
    pub(crate) async fn call_raw(&self, target: &str, body: &str) -> Answer {
        self.post_target(target, body, &[]).await
    }

    /// Sends `POST /` with a target, a body and more headers.
    pub(crate) async fn post_target(
        &self,
        target: &str,
        body: &str,
        headers: &[(String, String)],
    ) -> Answer {
        let mut request = self
            .http
            .post(format!("{}/", self.backend.base_url()))
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", target)
            .body(body.to_owned());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer {
            status,
            headers,
            body,
        }
    }

    /// Calls an admin operation, signed as an AWS SDK signs it (throwaway
    /// credentials).
    pub(crate) async fn admin(&self, operation: &str, body: Value) -> Answer {
        self.signed(operation, &body.to_string(), THROWAWAY_KEY, "cognito-idp")
            .await
    }

    /// Calls `operation` with SigV4 headers from `(key, secret)` scoped to
    /// `service` in us-east-1.
    pub(crate) async fn signed(
        &self,
        operation: &str,
        body: &str,
        credentials: (&str, &str),
        service: &str,
    ) -> Answer {
        let target = format!("AWSCognitoIdentityProviderService.{operation}");
        let headers = self.sign_headers(&target, body, credentials, service);
        self.post_target(&target, body, &headers).await
    }

    /// The SigV4 headers (`authorization`, `x-amz-date`) for `POST /` with
    /// this target and body, as an AWS SDK computes them at the backend's
    /// time.
    pub(crate) fn sign_headers(
        &self,
        target: &str,
        body: &str,
        credentials: (&str, &str),
        service: &str,
    ) -> Vec<(String, String)> {
        sign_headers_at(
            &self.backend.base_url(),
            target,
            body,
            credentials,
            service,
            self.backend.clock().now(),
        )
    }

    /// Calls `AWSCognitoIdentityProviderService.<operation>`.
    pub(crate) async fn call(&self, operation: &str, body: Value) -> Answer {
        self.call_raw(
            &format!("AWSCognitoIdentityProviderService.{operation}"),
            &body.to_string(),
        )
        .await
    }

    /// Creates a confirmed user with an email.
    pub(crate) fn user(&self, username: &str) -> amplify_local::LocalUser {
        self.backend
            .create_user(
                username,
                PASSWORD,
                &[
                    ("email", &format!("{username}@example.com")),
                    ("email_verified", "true"),
                ],
            )
            .expect("create user")
    }

    /// USER_PASSWORD_AUTH.
    pub(crate) async fn password_auth(&self, username: &str, password: &str) -> Answer {
        self.call(
            "InitiateAuth",
            json!({
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": self.backend.client_id(),
                "AuthParameters": { "USERNAME": username, "PASSWORD": password },
            }),
        )
        .await
    }

    /// Signs in with USER_PASSWORD_AUTH and returns AuthenticationResult.
    pub(crate) async fn sign_in(&self, username: &str) -> Value {
        self.password_auth(username, PASSWORD).await.ok()["AuthenticationResult"].clone()
    }

    pub(crate) async fn get_user(&self, access_token: &str) -> Answer {
        self.call("GetUser", json!({ "AccessToken": access_token }))
            .await
    }

    pub(crate) async fn refresh(&self, refresh_token: &str) -> Answer {
        self.call(
            "GetTokensFromRefreshToken",
            json!({ "ClientId": self.backend.client_id(), "RefreshToken": refresh_token }),
        )
        .await
    }

    /// The JWKS served by the backend.
    pub(crate) async fn jwks(&self) -> Value {
        self.http
            .get(format!(
                "{}/{}/.well-known/jwks.json",
                self.backend.base_url(),
                self.backend.user_pool_id()
            ))
            .send()
            .await
            .expect("jwks")
            .json()
            .await
            .expect("jwks json")
    }
}

/// The SigV4 headers (`authorization`, `x-amz-date`) for `POST {base_url}/`
/// with this target and body, as an AWS SDK computes them at `time`.
pub(crate) fn sign_headers_at(
    base_url: &str,
    target: &str,
    body: &str,
    (key, secret): (&str, &str),
    service: &str,
    time: SystemTime,
) -> Vec<(String, String)> {
    let url = format!("{base_url}/");
    let host = base_url.trim_start_matches("http://");
    let signed_headers = [
        ("host", host),
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", target),
    ];
    let identity = Credentials::new(key, secret, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .expect("signing params")
        .into();
    let signable = SignableRequest::new(
        "POST",
        &url,
        signed_headers.into_iter(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .expect("signable request");
    let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
    instructions
        .headers()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
}

/// Far above any start-up time: only a binary that never gets ready runs into
/// it (it keeps a broken build from hanging the suite; it is no margin).
const PATIENCE: Duration = Duration::from_secs(300);

/// The line `amplify-local serve` prints once it serves and its outputs file
/// is written.
const READY: &str = "amplify-local is ready:";

/// Runs `amplify-local serve` on free ports with a data directory, an
/// outputs file and `more` arguments, waits for its ready line (so the
/// outputs file is complete) and returns the process (killed when dropped).
pub(crate) async fn serve_binary(
    data: &std::path::Path,
    outputs: &std::path::Path,
    more: &[&str],
) -> tokio::process::Child {
    use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, BufReader};
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_amplify-local"))
        .args(["serve", "--port", "0", "--s3-port", "0", "--data"])
        .arg(data)
        .arg("--outputs")
        .arg(outputs)
        .args(more)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn amplify-local");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let ready = tokio::time::timeout(PATIENCE, async {
        while let Some(line) = lines.next_line().await.expect("read stdout") {
            if line.starts_with(READY) {
                return true;
            }
        }
        false
    })
    .await
    .expect("amplify-local printed its ready line");
    if !ready {
        let mut stderr = String::new();
        let _ = child
            .stderr
            .take()
            .expect("stderr")
            .read_to_string(&mut stderr)
            .await;
        panic!("amplify-local exited before it was ready: {stderr}");
    }
    // Keep reading its output, so that it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let mut stderr = child.stderr.take().expect("stderr");
    tokio::spawn(async move { tokio::io::copy(&mut stderr, &mut tokio::io::sink()).await });
    child
}

/// Verifies an RS256 JWT against a JWKS with aws-lc-rs and returns its
/// header and claims.
pub(crate) fn verify_jwt(token: &str, jwks: &Value) -> (Value, Value) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "three JWT parts");
    let decode = |s: &str| URL_SAFE_NO_PAD.decode(s).expect("base64url");
    let header: Value = serde_json::from_slice(&decode(parts[0])).expect("header json");
    let claims: Value = serde_json::from_slice(&decode(parts[1])).expect("claims json");
    assert_eq!(header["alg"], "RS256");
    let kid = header["kid"].as_str().expect("kid");
    let jwk = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kid"] == kid)
        .expect("key with this kid");
    assert_eq!(jwk["kty"], "RSA");
    assert_eq!(jwk["alg"], "RS256");
    assert_eq!(jwk["use"], "sig");
    let n = decode(jwk["n"].as_str().expect("n"));
    let e = decode(jwk["e"].as_str().expect("e"));
    let public = signature::RsaPublicKeyComponents { n: &n, e: &e };
    let signed = format!("{}.{}", parts[0], parts[1]);
    public
        .verify(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            signed.as_bytes(),
            &decode(parts[2]),
        )
        .expect("RS256 signature verifies");
    (header, claims)
}

/// Decodes JWT claims without verification.
pub(crate) fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("b64")).expect("json")
}

/// A six-digit code that is not `code`.
pub(crate) fn other_code(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}
