//! Shared harness for the amplify-ssr integration tests: an in-process amplify-local, runners pointed at it,
//! and a tiny browser-like cookie jar.

#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use amplify_local::{LocalBackend, LocalOptions};
use amplify_ssr::{AmplifyConfig, ServerContext, ServerRunner, ServerRunnerBuilder};
use http::{HeaderMap, HeaderValue};

pub const PASSWORD: &str = "Correct-h0rse!";

pub struct Backend {
    pub backend: LocalBackend,
    _dir: tempfile::TempDir,
}

impl Backend {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(customise: impl FnOnce(&mut LocalOptions)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut options = LocalOptions::new(dir.path().to_path_buf());
        options.port = 0;
        customise(&mut options);
        let backend = LocalBackend::start(options)
            .await
            .expect("amplify-local starts");
        Self { backend, _dir: dir }
    }

    /// amplify-local serving `introspection` as its data schema (an outputs file in the backend's directory),
    /// with further options from `customise`.
    pub async fn start_with_schema(
        introspection: serde_json::Value,
        customise: impl FnOnce(&mut LocalOptions),
    ) -> Self {
        Self::start_with(|options| {
            let dir = options.data_dir.join("schema");
            std::fs::create_dir_all(&dir).expect("schema dir");
            let file = dir.join("amplify_outputs.json");
            std::fs::write(
                &file,
                serde_json::json!({"data": {"model_introspection": introspection}}).to_string(),
            )
            .expect("schema file");
            options.schema_file = Some(file);
            customise(options);
        })
        .await
    }

    /// A context of `username` (created here), signed in through the library.
    pub async fn signed_in(&self, runner: &ServerRunner, username: &str) -> ServerContext {
        signed_in_jar(runner, &self.user(username))
            .await
            .context(runner)
    }

    pub fn config(&self) -> AmplifyConfig {
        AmplifyConfig::from_value(&self.backend.outputs())
            .expect("amplify-local writes a valid outputs file")
    }

    pub fn runner(&self) -> ServerRunner {
        self.builder().build().expect("runner builds")
    }

    /// A runner builder for this backend that ignores the environment.
    pub fn builder(&self) -> ServerRunnerBuilder {
        ServerRunner::builder(self.config()).ignore_env()
    }

    /// A runner whose user-pool calls all go to `endpoint` (a stub); sign-in helpers still use `runner()`.
    pub fn runner_calling(&self, endpoint: &str) -> ServerRunner {
        self.builder()
            .user_pool_endpoint(endpoint)
            .build()
            .expect("runner builds")
    }

    /// Creates `username`, signs them in and makes the session due for a refresh: the `clockDrift` cookie puts
    /// the tokens two hours past their expiry by the library's clock rule, without touching their signatures.
    pub async fn expired_session(&self, username: &str) -> Jar {
        let username = self.user(username);
        let mut jar = signed_in_jar(&self.runner(), &username).await;
        jar.set_ending_with(".clockDrift", "7200000");
        jar
    }

    /// Calls a user-pool admin operation, SigV4-signed as an AWS SDK signs it (amplify-local accepts any
    /// credentials unless pinned).
    pub async fn admin(&self, operation: &str, body: &serde_json::Value) -> reqwest::Response {
        use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
        let url = format!("{}/", self.backend.base_url());
        let target = format!("AWSCognitoIdentityProviderService.{operation}");
        let body = body.to_string();
        let headers = [
            (
                "host",
                url.trim_start_matches("http://").trim_end_matches('/'),
            ),
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", target.as_str()),
        ];
        let identity =
            aws_credential_types::Credentials::new("AKIDTEST", "test-secret", None, None, "test")
                .into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(self.backend.region())
            .name("cognito-idp")
            .time(std::time::SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .expect("signing params")
            .into();
        let signable = SignableRequest::new(
            "POST",
            &url,
            headers.into_iter(),
            SignableBody::Bytes(body.as_bytes()),
        )
        .expect("signable");
        let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
        let mut request = reqwest::Client::new().post(&url).body(body.clone());
        for (name, value) in headers.into_iter().skip(1).chain(instructions.headers()) {
            request = request.header(name, value);
        }
        request.send().await.expect("admin request")
    }

    pub fn user(&self, username: &str) -> String {
        self.backend
            .create_user(
                username,
                PASSWORD,
                &[("email", "someone@example.com"), ("name", "Some One")],
            )
            .expect("create user");
        username.to_owned()
    }
}

/// A browser-like cookie jar: applies `Set-Cookie` headers and renders a `Cookie` header.
#[derive(Clone, Debug, Default)]
pub struct Jar {
    pub cookies: BTreeMap<String, String>,
}

impl Jar {
    pub fn apply(&mut self, set_cookies: &[HeaderValue]) {
        for header in set_cookies {
            let line = header.to_str().expect("ascii Set-Cookie");
            let mut parts = line.split(';');
            let pair = parts.next().unwrap_or_default();
            let (name, value) = pair.split_once('=').expect("name=value");
            let removed = parts.map(str::trim).any(|attr| {
                let lower = attr.to_ascii_lowercase();
                lower == "max-age=0" || lower.starts_with("max-age=-") || lower.contains("1970")
            });
            if removed {
                self.cookies.remove(name.trim());
            } else {
                self.cookies
                    .insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
    }

    pub fn header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if !self.cookies.is_empty() {
            headers.insert(
                http::header::COOKIE,
                HeaderValue::from_str(&self.header()).expect("cookie header"),
            );
        }
        headers
    }

    pub fn context(&self, runner: &ServerRunner) -> ServerContext {
        runner.context(&self.headers())
    }

    /// The value of the first cookie whose (encoded) name ends with `suffix`.
    pub fn ending_with(&self, suffix: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(k, _)| k.ends_with(suffix))
            .map(|(_, v)| v.as_str())
    }

    pub fn set_ending_with(&mut self, suffix: &str, value: &str) {
        let key = self
            .cookies
            .keys()
            .find(|k| k.ends_with(suffix))
            .cloned()
            .expect("cookie present");
        self.cookies.insert(key, value.to_owned());
    }
}

/// Signs `username` in through the library and returns the resulting jar.
pub async fn signed_in_jar(runner: &ServerRunner, username: &str) -> Jar {
    let ctx = runner.context(&HeaderMap::new());
    let outcome = amplify_ssr::sign_in(&ctx, amplify_ssr::SignInInput::new(username, PASSWORD))
        .await
        .expect("sign in succeeds");
    assert!(
        matches!(outcome, amplify_ssr::SignInOutcome::SignedIn(_)),
        "{outcome:?}"
    );
    let mut jar = Jar::default();
    jar.apply(&ctx.set_cookie_headers());
    jar
}

/// Serves `app` on a free local port until the test ends; its base URL (`http://127.0.0.1:<port>`).
pub async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// A user-pool endpoint that answers every call with `status` and `body` (as `application/x-amz-json-1.1`) and
/// counts the calls.
pub async fn failing_endpoint(
    status: http::StatusCode,
    body: &'static str,
) -> (String, Arc<AtomicUsize>) {
    use axum::response::IntoResponse;
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = axum::Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            (
                status,
                [("content-type", "application/x-amz-json-1.1")],
                body,
            )
                .into_response()
        }
    });
    (format!("{}/", serve(app).await), hits)
}

/// Sends a user-pool call (`x-amz-target` and JSON body) on to `upstream` (amplify-local's base URL) and returns
/// its answer, for stubs that sit in front of amplify-local.
pub async fn forward_to(
    upstream: &str,
    target: &str,
    body: axum::body::Bytes,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let response = reqwest::Client::new()
        .post(format!("{upstream}/"))
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", target)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = http::StatusCode::from_u16(response.status().as_u16()).unwrap();
    (status, response.bytes().await.unwrap()).into_response()
}

/// `GET path` through `app` with `jar`'s cookies, in process.
pub async fn call(app: &axum::Router, path: &str, jar: &Jar) -> http::Response<axum::body::Body> {
    use tower::ServiceExt as _;
    let mut request = http::Request::get(path);
    if !jar.cookies.is_empty() {
        request = request.header(http::header::COOKIE, jar.header());
    }
    app.clone()
        .oneshot(request.body(axum::body::Body::empty()).unwrap())
        .await
        .unwrap()
}

/// The whole body of `response`, as text.
pub async fn body_text(response: http::Response<axum::body::Body>) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The 6-digit code an authenticator app shows for Cognito's base32 `SecretCode` at `at`: amplify-local's
/// [`amplify_local::totp_code`] (checked against RFC 6238's vectors there).
pub fn totp(secret_base32: &str, at: std::time::SystemTime) -> String {
    let seconds = at
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    amplify_local::totp_code(secret_base32, i64::try_from(seconds).expect("in range"))
        .expect("the shared secret is base32")
}
