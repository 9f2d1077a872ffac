//! The adapter in a leptos_axum app, in process: a server function that needs the user, behind
//! `AmplifyRouterExt::amplify` (or not), called as Leptos' client calls it and as a plain HTML form posts it.

use amplify_local::{LocalBackend, LocalOptions};
use amplify_ssr::{AmplifyConfig, ServerRunner, SignInInput, SignInOutcome};
use amplify_ssr_leptos::{Amplify, AmplifyRouterExt, AuthFnError, require_user, require_user_with};
use axum::Router;
use axum::body::Body;
use axum::routing::post;
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode, header};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::server_fn::error::FromServerFnError;
use tower::ServiceExt;

const PASSWORD: &str = "Correct-h0rse!";
const ORIGIN: &str = "http://app.test";

/// The signed-in user's name.
#[server]
async fn whoami_required() -> Result<String, AuthFnError> {
    Ok(require_user().await?.username)
}

/// The signed-in user's name, for members of the group `admin` only.
#[server]
async fn admin_only() -> Result<String, AuthFnError> {
    let admins = amplify_ssr::guard::Requirement::group("admin");
    Ok(require_user_with(&admins).await?.username)
}

struct Local {
    backend: LocalBackend,
    _dir: tempfile::TempDir,
}

impl Local {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut options = LocalOptions::new(dir.path().to_path_buf());
        options.port = 0;
        let backend = LocalBackend::start(options).await.unwrap();
        Self { backend, _dir: dir }
    }

    fn runner(&self) -> ServerRunner {
        self.runner_with(|builder| builder)
    }

    fn runner_with(
        &self,
        customise: impl FnOnce(amplify_ssr::ServerRunnerBuilder) -> amplify_ssr::ServerRunnerBuilder,
    ) -> ServerRunner {
        let config = AmplifyConfig::from_value(&self.backend.outputs()).unwrap();
        customise(
            ServerRunner::builder(config)
                .ignore_env()
                .app_origin(ORIGIN),
        )
        .build()
        .unwrap()
    }

    /// The `Cookie` header of a fresh session of a new user `username`.
    async fn session(&self, username: &str) -> String {
        cookie_header(&self.session_cookies(username).await)
    }

    /// A session due for a refresh: its tokens were issued two hours ago by the backend's clock, so they
    /// expired an hour ago.
    async fn expired_session(&self, username: &str) -> String {
        let clock = self.backend.clock();
        clock.rewind(std::time::Duration::from_secs(2 * 3600));
        let cookies = self.session(username).await;
        clock.reset();
        cookies
    }

    async fn session_cookies(&self, username: &str) -> Vec<HeaderValue> {
        self.backend
            .create_user(username, PASSWORD, &[("email", "someone@example.com")])
            .unwrap();
        let ctx = self.runner().context(&HeaderMap::new());
        let outcome = amplify_ssr::sign_in(&ctx, SignInInput::new(username, PASSWORD))
            .await
            .unwrap();
        assert!(matches!(outcome, SignInOutcome::SignedIn(_)), "{outcome:?}");
        ctx.set_cookie_headers()
    }
}

/// The `Cookie` header a browser sends after receiving `set_cookies`.
fn cookie_header(set_cookies: &[HeaderValue]) -> String {
    set_cookies
        .iter()
        .map(|line| line.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The server functions, without the Amplify layers.
fn bare_app() -> Router {
    Router::new().route(WhoamiRequired::PATH, post(leptos_axum::handle_server_fns))
}

fn app(runner: ServerRunner) -> Router {
    bare_app().amplify(Amplify::new(runner))
}

/// How the caller posts: Leptos' client (`fetch`), or a plain HTML form (JavaScript off).
#[derive(Clone, Copy)]
enum Caller {
    Client,
    Form,
}

async fn call(app: &Router, cookies: Option<&str>, caller: Caller) -> Response<Body> {
    let mut request = Request::post(WhoamiRequired::PATH)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .header(header::REFERER, format!("{ORIGIN}/account?tab=1"));
    request = match caller {
        Caller::Client => request.header(header::ACCEPT, "application/json"),
        Caller::Form => request.header(header::ACCEPT, "text/html,application/xhtml+xml"),
    };
    if let Some(cookies) = cookies {
        request = request.header(header::COOKIE, cookies);
    }
    app.clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

async fn error_of(response: Response<Body>) -> AuthFnError {
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    AuthFnError::de(bytes)
}

#[tokio::test]
async fn a_signed_in_call_gets_the_user() {
    let local = Local::start().await;
    let cookies = local.session("ann").await;
    let response = call(&app(local.runner()), Some(&cookies), Caller::Client).await;
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert_eq!(serde_json::from_slice::<String>(&bytes).unwrap(), "ann");
}

#[tokio::test]
async fn without_the_layer_the_call_fails_as_not_configured() {
    let response = call(&bare_app(), None, Caller::Client).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(error_of(response).await, AuthFnError::NotConfigured);
}

#[tokio::test]
async fn a_signed_out_call_answers_401_signed_out() {
    let local = Local::start().await;
    let response = call(&app(local.runner()), None, Caller::Client).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(response).await, AuthFnError::SignedOut);
}

#[tokio::test]
async fn a_signed_out_form_post_is_sent_to_sign_in_and_back() {
    let local = Local::start().await;
    let response = call(&app(local.runner()), None, Caller::Form).await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(
        response.headers()[header::LOCATION],
        "/api/auth/sign-in?redirect_to=%2Faccount%3Ftab%3D1"
    );
}

#[tokio::test]
async fn a_backend_failure_answers_503_unavailable_and_keeps_the_cookies() {
    let local = Local::start().await;
    // The tokens are due for a refresh, and Cognito is unreachable.
    let cookies = local.expired_session("bea").await;
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    let runner = local.runner_with(|builder| builder.user_pool_endpoint(&endpoint));
    let response = call(&app(runner), Some(&cookies), Caller::Client).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    assert!(
        response.headers().get(header::SET_COOKIE).is_none(),
        "the cookies are kept"
    );
    assert_eq!(error_of(response).await, AuthFnError::Unavailable);
}

#[tokio::test]
async fn cross_site_calls_are_refused_before_the_server_function_runs() {
    let local = Local::start().await;
    let cookies = local.session("cid").await;
    let app = app(local.runner());
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "http://evil.test"),
    ] {
        let request = Request::post(WhoamiRequired::PATH)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &cookies)
            .header(name, value)
            .body(Body::empty())
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}: {value}");
        // Leptos' client decodes the refusal into the typed error, told apart from a failure.
        assert_eq!(
            error_of(response).await,
            AuthFnError::CrossSite,
            "{name}: {value}"
        );
    }
    // A browser posting a plain form (JavaScript off) navigates: it gets a page, not JSON.
    let request = Request::post(WhoamiRequired::PATH)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
        .header(header::COOKIE, &cookies)
        .header("sec-fetch-site", "cross-site")
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_ne!(
        response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap()),
        Some("application/json")
    );
    // The same call from the app's own origin goes through.
    let request = Request::post(WhoamiRequired::PATH)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &cookies)
        .header(header::ORIGIN, ORIGIN)
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.oneshot(request).await.unwrap().status(), StatusCode::OK);
}

/// `Amplify::protect_with`: a group-guarded prefix redirects the signed out, forbids a signed-in outsider and
/// serves a member.
#[tokio::test]
async fn a_prefix_protected_with_a_group_forbids_outsiders_and_serves_members() {
    let local = Local::start().await;
    let outsider = local.session("olga").await;
    local
        .backend
        .create_user("mia", PASSWORD, &[("email", "mia@example.com")])
        .unwrap();
    local.backend.add_user_to_group("mia", "admin").unwrap();
    let ctx = local.runner().context(&HeaderMap::new());
    amplify_ssr::sign_in(&ctx, SignInInput::new("mia", PASSWORD))
        .await
        .unwrap();
    let member = cookie_header(&ctx.set_cookie_headers());

    let app = Router::new()
        .route("/admin", axum::routing::get(|| async { "admin" }))
        .amplify(
            Amplify::new(local.runner())
                .protect_with(["/admin"], amplify_ssr::guard::Requirement::group("admin")),
        );
    let get = |cookies: Option<&str>| {
        let mut request = Request::get("/admin");
        if let Some(cookies) = cookies {
            request = request.header(header::COOKIE, cookies);
        }
        app.clone().oneshot(request.body(Body::empty()).unwrap())
    };
    let response = get(None).await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        response.headers()[header::LOCATION],
        "/api/auth/sign-in?redirect_to=%2Fadmin"
    );
    assert_eq!(
        get(Some(&outsider)).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(get(Some(&member)).await.unwrap().status(), StatusCode::OK);
}

/// `require_user_with`: a server function for a group answers a signed-in outsider `403` `Forbidden`.
#[tokio::test]
async fn a_server_function_for_a_group_forbids_outsiders() {
    let local = Local::start().await;
    let outsider = local.session("olga2").await;
    local
        .backend
        .create_user("mia2", PASSWORD, &[("email", "mia@example.com")])
        .unwrap();
    local.backend.add_user_to_group("mia2", "admin").unwrap();
    let ctx = local.runner().context(&HeaderMap::new());
    amplify_ssr::sign_in(&ctx, SignInInput::new("mia2", PASSWORD))
        .await
        .unwrap();
    let member = cookie_header(&ctx.set_cookie_headers());

    let app = Router::new()
        .route(AdminOnly::PATH, post(leptos_axum::handle_server_fns))
        .amplify(Amplify::new(local.runner()));
    let call = |cookies: Option<String>| {
        let mut request = Request::post(AdminOnly::PATH)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .header("sec-fetch-site", "same-origin");
        if let Some(cookies) = cookies {
            request = request.header(header::COOKIE, cookies);
        }
        app.clone().oneshot(request.body(Body::empty()).unwrap())
    };
    let response = call(None).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = call(Some(outsider)).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_of(response).await, AuthFnError::Forbidden);
    let response = call(Some(member)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}
