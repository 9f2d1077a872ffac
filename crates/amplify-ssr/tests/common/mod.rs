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
