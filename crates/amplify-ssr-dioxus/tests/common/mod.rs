//! What the adapter's test binaries share: an in-process amplify-local and signed-in sessions on it.
#![allow(dead_code, unreachable_pub)]

use amplify_local::{LocalBackend, LocalOptions};
use amplify_ssr::{AmplifyConfig, ServerRunner, SignInInput, SignInOutcome};
use http::{HeaderMap, HeaderValue, header};

const PASSWORD: &str = "Correct-h0rse!";

pub struct Backend {
    pub backend: LocalBackend,
    _dir: tempfile::TempDir,
}

impl Backend {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut options = LocalOptions::new(dir.path().to_path_buf());
        options.port = 0;
        let backend = LocalBackend::start(options).await.unwrap();
        Self { backend, _dir: dir }
    }

    pub fn runner(&self) -> ServerRunner {
        self.builder().build().unwrap()
    }

    pub fn builder(&self) -> amplify_ssr::ServerRunnerBuilder {
        ServerRunner::builder(AmplifyConfig::from_value(&self.backend.outputs()).unwrap())
            .ignore_env()
    }

    /// The request headers (`Cookie`) of a signed-in session of `username`, a new user.
    pub async fn signed_in_cookies(&self, username: &str) -> HeaderMap {
        self.signed_in_cookies_in(username, &[]).await
    }

    /// [`signed_in_cookies`](Self::signed_in_cookies) of a new user in the Cognito `groups`.
    pub async fn signed_in_cookies_in(&self, username: &str, groups: &[&str]) -> HeaderMap {
        self.backend
            .create_user(username, PASSWORD, &[("email", "someone@example.com")])
            .unwrap();
        for group in groups {
            self.backend.add_user_to_group(username, group).unwrap();
        }
        let ctx = self.runner().context(&HeaderMap::new());
        let outcome = amplify_ssr::sign_in(&ctx, SignInInput::new(username, PASSWORD))
            .await
            .unwrap();
        assert!(matches!(outcome, SignInOutcome::SignedIn(_)), "{outcome:?}");
        let cookie = ctx
            .set_cookie_headers()
            .iter()
            .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned())
            .collect::<Vec<_>>()
            .join("; ");
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(&cookie).unwrap());
        headers
    }
}
