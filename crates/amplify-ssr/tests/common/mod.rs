//! Shared harness for the amplify-ssr integration tests: an in-process amplify-local, runners pointed at it,
//! and a tiny browser-like cookie jar.

#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;

use amplify_local::{LocalBackend, LocalOptions};
use amplify_ssr::{AmplifyConfig, ServerContext, ServerRunner};
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

    pub fn config(&self) -> AmplifyConfig {
        AmplifyConfig::from_value(&self.backend.outputs())
            .expect("amplify-local writes a valid outputs file")
    }

    pub fn runner(&self) -> ServerRunner {
        ServerRunner::builder(self.config())
            .ignore_env()
            .build()
            .expect("runner builds")
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
