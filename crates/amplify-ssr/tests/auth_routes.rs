//! Protocol tests of the managed-login route handlers (`amplify_ssr::auth::routes`): every branch of the route
//! table, with a stub managed-login server for the token and revocation endpoints and an in-process amplify-local
//! for real tokens.

mod common;

use std::sync::{Arc, Mutex};

use amplify_ssr::auth::routes::{AuthRoutes, AuthRoutesError, AuthRoutesOptions};
use amplify_ssr::cognito::RetryPolicy;
use amplify_ssr::cookies::{CookieMode, CookieOptions};
use amplify_ssr::{AmplifyConfig, ServerRunner};
use aws_lc_rs::digest::{SHA256, digest};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{Backend, Jar, signed_in_jar};
use http::{HeaderMap, Method, Request, Response, StatusCode, Uri, header};
use serde_json::{Value, json};
use tower::ServiceExt as _;

const ORIGIN: &str = "https://app.example.com";
const SIGN_IN_CB: &str = "https://app.example.com/api/auth/sign-in-callback";
const SIGN_OUT_CB: &str = "https://app.example.com/api/auth/sign-out-callback";
// The flow cookies on an https origin: `__Host-` names, which no sibling host can set. On http, without the prefix.
const PKCE: &str = "__Host-com.amplify.server_auth.pkce";
const STATE: &str = "__Host-com.amplify.server_auth.state";
const SIGNING_OUT: &str = "__Host-com.amplify.server_auth.isSigningOut";
const SIGNING_OUT_REDIRECTING: &str = "__Host-com.amplify.server_auth.isSigningOutRedirecting";

/// A flow cookie's name on an http origin.
fn on_http(name: &str) -> &str {
    name.strip_prefix("__Host-").expect("a __Host- name")
}

// ---------------------------------------------------------------------------------------------------------------
// Stub managed-login server
// ---------------------------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct Recorded {
    path: String,
    content_type: Option<String>,
    cache_control: Option<String>,
    form: Vec<(String, String)>,
}

#[derive(Debug)]
struct StubState {
    token_answer: (u16, String),
    revoke_answer: (u16, String),
    requests: Vec<Recorded>,
}

#[derive(Clone, Debug)]
struct Stub {
    state: Arc<Mutex<StubState>>,
    base: String,
}

impl Stub {
    async fn start() -> Self {
        let state = Arc::new(Mutex::new(StubState {
            token_answer: (400, r#"{"error":"invalid_grant"}"#.to_owned()),
            revoke_answer: (200, String::new()),
            requests: Vec::new(),
        }));
        async fn record(
            State(state): State<Arc<Mutex<StubState>>>,
            uri: Uri,
            headers: HeaderMap,
            body: String,
        ) -> Response<Body> {
            let text = |name| {
                headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let mut state = state.lock().unwrap();
            state.requests.push(Recorded {
                path: uri.path().to_owned(),
                content_type: text(header::CONTENT_TYPE),
                cache_control: text(header::CACHE_CONTROL),
                form: url::form_urlencoded::parse(body.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect(),
            });
            let (status, body) = if uri.path().ends_with("/token") {
                state.token_answer.clone()
            } else {
                state.revoke_answer.clone()
            };
            Response::builder()
                .status(status)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap()
        }
        let app = Router::new()
            .route("/oauth2/token", post(record))
            .route("/oauth2/revoke", post(record))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            state,
            base: format!("http://{addr}"),
        }
    }

    fn answer_token(&self, status: u16, body: impl Into<String>) {
        self.state.lock().unwrap().token_answer = (status, body.into());
    }

    fn answer_revoke(&self, status: u16, body: impl Into<String>) {
        self.state.lock().unwrap().revoke_answer = (status, body.into());
    }

    fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Setup
// ---------------------------------------------------------------------------------------------------------------

fn oauth_block(sign_in: &[&str], sign_out: &[&str]) -> Value {
    json!({
        "identity_providers": ["GOOGLE"],
        "domain": "auth.example.test",
        "scopes": ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
        "redirect_sign_in_uri": sign_in,
        "redirect_sign_out_uri": sign_out,
        "response_type": "code",
    })
}

fn config_with(backend: &Backend, oauth: Option<Value>) -> AmplifyConfig {
    let mut outputs = backend.backend.outputs();
    match oauth {
        Some(oauth) => outputs["auth"]["oauth"] = oauth,
        None => {
            if let Some(auth) = outputs["auth"].as_object_mut() {
                auth.remove("oauth");
            }
        }
    }
    AmplifyConfig::from_value(&outputs).expect("config")
}

struct Setup {
    backend: Backend,
    stub: Stub,
    runner: ServerRunner,
    routes: AuthRoutes,
}

async fn setup() -> Setup {
    setup_with(ORIGIN, None, AuthRoutesOptions::default()).await
}

async fn setup_with(origin: &str, domain: Option<&str>, options: AuthRoutesOptions) -> Setup {
    let backend = Backend::start().await;
    let stub = Stub::start().await;
    let sign_in = format!("{origin}/api/auth/sign-in-callback");
    let sign_out = format!("{origin}/api/auth/sign-out-callback");
    let config = config_with(&backend, Some(oauth_block(&[&sign_in], &[&sign_out])));
    let mut cookie_options = CookieOptions::default();
    cookie_options.domain = domain.map(str::to_owned);
    let runner = ServerRunner::builder(config)
        .ignore_env()
        .app_origin(origin)
        .oauth_base_url(&stub.base)
        .cookie_options(cookie_options)
        .build()
        .expect("runner");
    let options = options
        .with_retry_policy(RetryPolicy::new().with_base_delay(std::time::Duration::from_millis(1)));
    let routes = AuthRoutes::new(runner.clone(), options).expect("routes");
    Setup {
        backend,
        stub,
        runner,
        routes,
    }
}

async fn get(routes: &AuthRoutes, slug: &str, query: &str, jar: &Jar) -> Response<String> {
    request(routes, Method::GET, slug, query, jar.headers()).await
}

async fn request(
    routes: &AuthRoutes,
    method: Method,
    slug: &str,
    query: &str,
    headers: HeaderMap,
) -> Response<String> {
    let uri: Uri = format!("/api/auth/{slug}{query}").parse().unwrap();
    routes.handle(&method, slug, &uri, &headers).await
}

/// `jar`'s cookies plus the given request headers (Fetch Metadata, `Origin`, `Referer`).
fn with_headers(jar: &Jar, pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut headers = jar.headers();
    for (name, value) in pairs {
        headers.insert(*name, value.parse().unwrap());
    }
    headers
}

/// What a browser sends when the user clicks the app's own sign-out link.
const USER_CLICK: [(&str, &str); 2] = [("sec-fetch-site", "same-origin"), ("sec-fetch-user", "?1")];

/// `GET sign-out` as the user's click on the app's own link.
async fn click_sign_out(routes: &AuthRoutes, jar: &Jar) -> Response<String> {
    request(
        routes,
        Method::GET,
        "sign-out",
        "",
        with_headers(jar, &USER_CLICK),
    )
    .await
}

// ---------------------------------------------------------------------------------------------------------------
// Response inspection
// ---------------------------------------------------------------------------------------------------------------

#[derive(Debug)]
struct SetCookie {
    name: String,
    value: String,
    attrs: Vec<(String, String)>,
}

impl SetCookie {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn has(&self, name: &str) -> bool {
        self.attr(name).is_some()
    }
    fn is_removal(&self) -> bool {
        self.value.is_empty() && self.attr("Max-Age") == Some("0")
    }
}

fn set_cookies(response: &Response<String>) -> Vec<SetCookie> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| {
            let line = v.to_str().unwrap();
            let mut parts = line.split(';').map(str::trim);
            let (name, value) = parts.next().unwrap().split_once('=').unwrap();
            SetCookie {
                name: name.to_owned(),
                value: value.to_owned(),
                attrs: parts
                    .map(|p| match p.split_once('=') {
                        Some((k, v)) => (k.to_owned(), v.to_owned()),
                        None => (p.to_owned(), String::new()),
                    })
                    .collect(),
            }
        })
        .collect()
}

fn cookie<'a>(cookies: &'a [SetCookie], name: &str) -> &'a SetCookie {
    cookies
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no Set-Cookie {name} in {cookies:#?}"))
}

fn cookie_ending<'a>(cookies: &'a [SetCookie], suffix: &str) -> Option<&'a SetCookie> {
    cookies.iter().find(|c| c.name.ends_with(suffix))
}

fn location(response: &Response<String>) -> String {
    response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned()
}

fn query_pairs(location: &str) -> Vec<(String, String)> {
    let url = url::Url::parse(location)
        .or_else(|_| {
            url::Url::parse("http://relative.invalid")
                .unwrap()
                .join(location)
        })
        .unwrap();
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn param(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

fn assert_flow_cookie(c: &SetCookie, secure: bool, domain: Option<&str>) {
    assert!(c.has("HttpOnly"), "{c:?}");
    assert_eq!(c.attr("SameSite"), Some("Lax"), "{c:?}");
    assert_eq!(c.has("Secure"), secure, "{c:?}");
    assert_eq!(c.attr("Path"), Some("/"), "{c:?}");
    assert_eq!(c.attr("Domain"), domain, "{c:?}");
    if !c.is_removal() {
        assert_eq!(c.attr("Max-Age"), Some("300"), "{c:?}");
    }
}

fn no_store(response: &Response<String>) {
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
}

/// Starts a sign-in and returns the jar holding the flow cookies and the authorize query.
async fn start_sign_in(routes: &AuthRoutes, query: &str) -> (Jar, Vec<(String, String)>) {
    let response = get(routes, "sign-in", query, &Jar::default()).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let mut jar = Jar::default();
    jar.apply(
        &response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .cloned()
            .collect::<Vec<_>>(),
    );
    (jar, query_pairs(&location(&response)))
}

fn apply(jar: &mut Jar, response: &Response<String>) {
    jar.apply(
        &response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .cloned()
            .collect::<Vec<_>>(),
    );
}

/// Real tokens for `username`, as the token endpoint would return them.
async fn token_body(setup: &Setup, username: &str, with_id_token: bool) -> String {
    setup.backend.user(username);
    let password_runner = setup.backend.runner();
    let jar = signed_in_jar(&password_runner, username).await;
    let decode = |v: &str| amplify_ssr::cookies::decode(v);
    let mut body = json!({
        "access_token": decode(jar.ending_with(".accessToken").unwrap()),
        "refresh_token": decode(jar.ending_with(".refreshToken").unwrap()),
        "expires_in": 3600,
        "token_type": "Bearer",
    });
    if with_id_token {
        body["id_token"] = json!(decode(jar.ending_with(".idToken").unwrap()));
    }
    body.to_string()
}

// ---------------------------------------------------------------------------------------------------------------
// Construction and origin
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn construction_validates_configuration_and_origin() {
    let backend = Backend::start().await;
    let good = || oauth_block(&[SIGN_IN_CB], &[SIGN_OUT_CB]);
    let build = |oauth: Option<Value>, origin: Option<&str>| {
        let mut builder = ServerRunner::builder(config_with(&backend, oauth)).ignore_env();
        if let Some(origin) = origin {
            builder = builder.app_origin(origin);
        }
        AuthRoutes::new(
            builder.build().expect("runner"),
            AuthRoutesOptions::default(),
        )
    };

    assert!(build(Some(good()), Some(ORIGIN)).is_ok());
    assert!(matches!(
        build(Some(good()), None),
        Err(AuthRoutesError::AppOriginMissing)
    ));
    assert!(matches!(
        build(None, Some(ORIGIN)),
        Err(AuthRoutesError::OAuthNotConfigured { missing: "domain" })
    ));
    // An `oauth` block without `domain` loads (an app that never uses managed login starts), and
    // the routes refuse it.
    let mut no_domain = good();
    no_domain.as_object_mut().unwrap().remove("domain");
    assert!(matches!(
        build(Some(no_domain), Some(ORIGIN)),
        Err(AuthRoutesError::OAuthNotConfigured { missing: "domain" })
    ));
    let mut no_sign_out = good();
    no_sign_out["redirect_sign_out_uri"] = json!([]);
    assert!(matches!(
        build(Some(no_sign_out), Some(ORIGIN)),
        Err(AuthRoutesError::OAuthNotConfigured {
            missing: "redirect_sign_out_uri"
        })
    ));
    let mut implicit = good();
    implicit["response_type"] = json!("token");
    assert!(matches!(
        build(Some(implicit), Some(ORIGIN)),
        Err(AuthRoutesError::ImplicitGrant)
    ));
    let error = build(Some(good()), Some("https://other.example.com")).unwrap_err();
    assert!(
        matches!(
            &error,
            AuthRoutesError::NoRedirectUri {
                flow: "redirectSignIn",
                ..
            }
        ),
        "{error}"
    );
    let message = error.to_string();
    assert!(
        message.contains("https://other.example.com/api/auth/sign-in-callback"),
        "{message}"
    );

    // No user pool at all.
    let no_auth = AmplifyConfig::from_json(r#"{"version":"1.4"}"#).unwrap();
    let runner = ServerRunner::builder(no_auth)
        .ignore_env()
        .app_origin(ORIGIN)
        .build()
        .unwrap();
    assert!(matches!(
        AuthRoutes::new(runner, AuthRoutesOptions::default()),
        Err(AuthRoutesError::UserPoolNotConfigured(_))
    ));

    // Options.
    let runner = ServerRunner::builder(config_with(&backend, Some(good())))
        .ignore_env()
        .app_origin(ORIGIN)
        .build()
        .unwrap();
    for bad in ["//evil.example", "javascript:alert(1)", "dashboard"] {
        let error = AuthRoutes::new(
            runner.clone(),
            AuthRoutesOptions::default().with_redirect_on_sign_in_complete(bad),
        )
        .unwrap_err();
        assert!(
            matches!(
                error,
                AuthRoutesError::InvalidOption {
                    option: "redirect_on_sign_in_complete",
                    ..
                }
            ),
            "{bad}: {error}"
        );
    }
}

#[tokio::test]
async fn invalid_origins_fail_the_runner_build_and_valid_ones_are_normalised() {
    let backend = Backend::start().await;
    for bad in [
        "app.example.com",
        "ftp://app.example.com",
        "https://app.example.com/path",
        "https://app.example.com?x=1",
        "http://localhost.evil.example/x",
    ] {
        let error = ServerRunner::builder(backend.config())
            .ignore_env()
            .app_origin(bad)
            .build()
            .unwrap_err();
        assert!(error.to_string().contains("app_origin"), "{bad}: {error}");
    }
    let runner = ServerRunner::builder(backend.config())
        .ignore_env()
        .app_origin("HTTPS://App.Example.COM/")
        .build()
        .unwrap();
    assert_eq!(runner.app_origin().unwrap().as_str(), ORIGIN);
    // An origin switches the token cookies to HttpOnly server-side auth, Secure iff https...
    assert_eq!(
        runner.cookie_mode(),
        CookieMode::ServerAuth { secure: true }
    );
    let http = ServerRunner::builder(backend.config())
        .ignore_env()
        .app_origin("http://localhost:3000")
        .build()
        .unwrap();
    assert_eq!(http.cookie_mode(), CookieMode::ServerAuth { secure: false });
    // ...unless a mode was chosen explicitly.
    let explicit = ServerRunner::builder(backend.config())
        .ignore_env()
        .cookie_mode(CookieMode::JsReadable)
        .app_origin(ORIGIN)
        .build()
        .unwrap();
    assert_eq!(explicit.cookie_mode(), CookieMode::JsReadable);
    // No origin: unchanged default.
    assert_eq!(backend.runner().cookie_mode(), CookieMode::JsReadable);
    assert!(backend.runner().app_origin().is_none());
}

#[tokio::test]
async fn redirect_uris_are_chosen_by_parsed_origin() {
    let backend = Backend::start().await;
    let oauth = oauth_block(
        &[
            "https://app.example.com.evil.example/api/auth/sign-in-callback",
            "http://app.example.com/api/auth/sign-in-callback",
            "https://app.example.com:8443/api/auth/sign-in-callback",
            "https://APP.example.com:443/api/auth/sign-in-callback",
            "https://app.example.com/second",
        ],
        &[
            "https://app.example.comx/api/auth/sign-out-callback",
            "https://app.example.com/api/auth/sign-out-callback",
        ],
    );
    let runner = ServerRunner::builder(config_with(&backend, Some(oauth)))
        .ignore_env()
        .app_origin(ORIGIN)
        .build()
        .unwrap();
    let routes = AuthRoutes::new(runner, AuthRoutesOptions::default()).unwrap();
    assert_eq!(
        routes.redirect_sign_in_uri(),
        "https://APP.example.com:443/api/auth/sign-in-callback"
    );
    assert_eq!(routes.redirect_sign_out_uri(), SIGN_OUT_CB);
}

// ---------------------------------------------------------------------------------------------------------------
// Dispatch
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn non_get_is_405_and_unknown_slugs_are_404() {
    let s = setup().await;
    let uri: Uri = "/api/auth/sign-in".parse().unwrap();
    for method in [Method::POST, Method::HEAD, Method::DELETE] {
        let response = s
            .routes
            .handle(&method, "sign-in", &uri, &HeaderMap::new())
            .await;
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method}"
        );
        assert_eq!(response.headers()[header::ALLOW], "GET");
        assert!(set_cookies(&response).is_empty());
    }
    for slug in ["", "nope", "sign-in/extra", "SIGN-IN"] {
        let response = get(&s.routes, slug, "", &Jar::default()).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{slug:?}");
    }
}

#[tokio::test]
async fn the_axum_router_mounts_under_any_prefix() {
    let s = setup().await;
    let app: Router = Router::new().nest(
        "/custom/prefix",
        amplify_ssr::axum::auth_router(s.routes.clone()),
    );
    let call = |method: Method, path: &str| {
        app.clone().oneshot(
            Request::builder()
                .method(method)
                .uri(path)
                .body(Body::empty())
                .unwrap(),
        )
    };
    let response = call(Method::GET, "/custom/prefix/sign-in?lang=fr")
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        location.starts_with(&format!("{}/oauth2/authorize?", s.stub.base)),
        "{location}"
    );
    assert!(location.ends_with("&lang=fr"), "{location}");
    assert_eq!(
        response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .count(),
        2
    );
    // Sign-out also takes a POST (here refused: nothing says it came from the app's pages), and nothing else.
    let response = call(Method::POST, "/custom/prefix/sign-out").await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = call(Method::PUT, "/custom/prefix/sign-out").await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()[header::ALLOW], "GET, POST");
    let response = call(Method::GET, "/custom/prefix/unknown").await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------------------------------------------------------
// sign-in / sign-up
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn sign_in_redirects_to_authorize_with_pkce_and_state_cookies() {
    let s = setup().await;
    let response = get(&s.routes, "sign-in", "", &Jar::default()).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    no_store(&response);
    let location = location(&response);
    assert!(
        location.starts_with(&format!("{}/oauth2/authorize?", s.stub.base)),
        "{location}"
    );
    let pairs = query_pairs(&location);
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "redirect_uri",
            "response_type",
            "client_id",
            "scope",
            "state",
            "code_challenge",
            "code_challenge_method"
        ]
    );
    let client_id = s
        .runner
        .config()
        .auth()
        .unwrap()
        .user_pool_client_id
        .clone();
    assert_eq!(param(&pairs, "redirect_uri").unwrap(), SIGN_IN_CB);
    assert_eq!(param(&pairs, "response_type").unwrap(), "code");
    assert_eq!(param(&pairs, "client_id").unwrap(), client_id);
    assert_eq!(
        param(&pairs, "scope").unwrap(),
        "openid email profile aws.cognito.signin.user.admin"
    );
    // Spaces as `+`, as URLSearchParams does.
    assert!(location.contains("scope=openid+email+profile+aws.cognito.signin.user.admin"));
    assert_eq!(param(&pairs, "code_challenge_method").unwrap(), "S256");

    let cookies = set_cookies(&response);
    assert_eq!(cookies.len(), 2, "{cookies:#?}");
    let pkce = cookie(&cookies, PKCE);
    let state = cookie(&cookies, STATE);
    assert_flow_cookie(pkce, true, None);
    assert_flow_cookie(state, true, None);
    assert_eq!(pkce.value.len(), 128);
    assert!(pkce.value.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(state.value.len(), 32);
    assert!(state.value.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(param(&pairs, "state").unwrap(), state.value);
    let challenge = URL_SAFE_NO_PAD.encode(digest(&SHA256, pkce.value.as_bytes()));
    assert_eq!(param(&pairs, "code_challenge").unwrap(), challenge);

    // Fresh values per request.
    let again = set_cookies(&get(&s.routes, "sign-in", "", &Jar::default()).await);
    assert_ne!(cookie(&again, PKCE).value, pkce.value);
    assert_ne!(cookie(&again, STATE).value, state.value);
}

#[tokio::test]
async fn http_origins_and_cookie_domains_shape_the_flow_cookies() {
    let s = setup_with(
        "http://localhost:3000",
        Some("example.com"),
        AuthRoutesOptions::default(),
    )
    .await;
    let response = get(&s.routes, "sign-up", "", &Jar::default()).await;
    assert!(location(&response).starts_with(&format!("{}/signup?", s.stub.base)));
    assert_eq!(
        param(&query_pairs(&location(&response)), "redirect_uri").unwrap(),
        "http://localhost:3000/api/auth/sign-in-callback"
    );
    let cookies = set_cookies(&response);
    assert_flow_cookie(cookie(&cookies, on_http(PKCE)), false, Some("example.com"));
    assert_flow_cookie(cookie(&cookies, on_http(STATE)), false, Some("example.com"));
}

#[tokio::test]
async fn sign_up_uses_the_signup_page_with_the_same_query() {
    let s = setup().await;
    let response = get(
        &s.routes,
        "sign-up",
        "?provider=google&lang=de",
        &Jar::default(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = location(&response);
    assert!(
        location.starts_with(&format!("{}/signup?", s.stub.base)),
        "{location}"
    );
    let pairs = query_pairs(&location);
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "redirect_uri",
            "response_type",
            "client_id",
            "scope",
            "state",
            "code_challenge",
            "code_challenge_method",
            "identity_provider",
            "lang"
        ]
    );
    assert_eq!(param(&pairs, "identity_provider").unwrap(), "Google");
    assert_eq!(param(&pairs, "lang").unwrap(), "de");
    assert_eq!(set_cookies(&response).len(), 2);
}

#[tokio::test]
async fn providers_are_mapped_or_passed_through() {
    let s = setup().await;
    for (given, sent) in [
        ("google", "Google"),
        ("GOOGLE", "Google"),
        ("Facebook", "Facebook"),
        ("amazon", "LoginWithAmazon"),
        ("aPPLE", "SignInWithApple"),
        ("LoginWithAmazon", "LoginWithAmazon"),
        ("MyCorp%20SAML", "MyCorp SAML"),
        ("oidc-provider", "oidc-provider"),
    ] {
        let (_, pairs) = start_sign_in(&s.routes, &format!("?provider={given}")).await;
        assert_eq!(param(&pairs, "identity_provider").unwrap(), sent, "{given}");
        assert_eq!(param(&pairs, "lang"), None);
    }
    let (_, pairs) = start_sign_in(&s.routes, "?provider=&lang=").await;
    assert_eq!(param(&pairs, "identity_provider"), None);
    assert_eq!(param(&pairs, "lang"), None);
}

#[tokio::test]
async fn redirect_to_travels_in_the_state_and_unsafe_values_are_dropped() {
    let s = setup().await;
    let (_, pairs) = start_sign_in(&s.routes, "?redirect_to=%2Forders%2F42%3Ftab%3D1").await;
    let state = param(&pairs, "state").unwrap();
    let (nonce, carried) = state
        .split_once('.')
        .expect("state carries the destination");
    assert_eq!(nonce.len(), 32);
    assert_eq!(
        URL_SAFE_NO_PAD.decode(carried).unwrap(),
        b"/orders/42?tab=1"
    );

    for bad in [
        "%2F%2Fevil.example",
        "https%3A%2F%2Fevil.example",
        "%2F%5Cevil.example",
        "evil",
    ] {
        let (jar, pairs) = start_sign_in(&s.routes, &format!("?redirect_to={bad}")).await;
        let state = param(&pairs, "state").unwrap();
        assert_eq!(state.len(), 32, "{bad}: {state}");
        assert!(!state.contains('.'), "{bad}");
        assert_eq!(jar.cookies[STATE], state);
    }
}

#[tokio::test]
async fn signed_in_users_are_sent_on_without_a_new_flow() {
    let s = setup_with(
        ORIGIN,
        None,
        AuthRoutesOptions::default().with_redirect_on_sign_in_complete("/home"),
    )
    .await;
    s.backend.user("alice");
    let jar = signed_in_jar(&s.runner, "alice").await;
    for (slug, query, expected) in [
        ("sign-in", "", "/home"),
        ("sign-up", "", "/home"),
        ("sign-in", "?redirect_to=%2Forders", "/orders"),
        ("sign-in", "?redirect_to=%2F%2Fevil.example", "/home"),
        (
            "sign-in",
            "?redirect_to=https%3A%2F%2Fevil.example",
            "/home",
        ),
    ] {
        let response = get(&s.routes, slug, query, &jar).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{slug}{query}");
        assert_eq!(location(&response), expected, "{slug}{query}");
        assert!(cookie_ending(&set_cookies(&response), "pkce").is_none());
    }
}

// ---------------------------------------------------------------------------------------------------------------
// sign-in-callback
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn idp_errors_go_to_the_error_destination_and_clear_the_flow() {
    let s = setup().await;
    let (jar, pairs) = start_sign_in(&s.routes, "").await;
    let state = param(&pairs, "state").unwrap();
    let encoded_state: String = url::form_urlencoded::byte_serialize(state.as_bytes()).collect();

    // Not the flow this browser started: only a sanitised code, no IdP text, and the flow stays intact.
    for query in [
        "?error=access_denied&error_description=Call+0800+now".to_owned(),
        "?error=access_denied&error_description=Call+0800+now&state=forged".to_owned(),
        "?error=%3Cscript%3E&error_description=x".to_owned(),
    ] {
        let response = get(&s.routes, "sign-in-callback", &query, &jar).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{query}");
        let expected = if query.contains("%3Cscript") {
            "/?error=server_error"
        } else {
            "/?error=access_denied"
        };
        assert_eq!(location(&response), expected, "{query}");
        assert!(
            set_cookies(&response).is_empty(),
            "{query}: the flow in progress is kept"
        );
    }

    let response = get(
        &s.routes,
        "sign-in-callback",
        &format!(
            "?error=access_denied&error_description=User+cancelled+%26+left&state={encoded_state}"
        ),
        &jar,
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    no_store(&response);
    assert_eq!(
        location(&response),
        "/?error=access_denied&error_description=User+cancelled+%26+left"
    );
    let cookies = set_cookies(&response);
    assert!(cookie(&cookies, PKCE).is_removal());
    assert!(cookie(&cookies, STATE).is_removal());
    assert_flow_cookie(cookie(&cookies, PKCE), true, None);
    assert!(s.stub.requests().is_empty());

    // A configured error destination with a query gets `&`, never a second `?`.
    let s = setup_with(
        ORIGIN,
        None,
        AuthRoutesOptions::default().with_error_redirect("/auth-error?from=callback"),
    )
    .await;
    let response = get(
        &s.routes,
        "sign-in-callback",
        "?error=server_error",
        &Jar::default(),
    )
    .await;
    assert_eq!(
        location(&response),
        "/auth-error?from=callback&error=server_error"
    );
    assert!(set_cookies(&response).is_empty(), "nothing to clear");
}

#[tokio::test]
async fn error_destination_defaults_to_the_sign_out_destination() {
    let s = setup_with(
        ORIGIN,
        None,
        AuthRoutesOptions::default().with_redirect_on_sign_out_complete("/bye"),
    )
    .await;
    let response = get(
        &s.routes,
        "sign-in-callback",
        "?error_description=only",
        &Jar::default(),
    )
    .await;
    // Without a matching state the description is dropped and the code defaults to access_denied.
    assert_eq!(location(&response), "/bye?error=access_denied");
}

#[tokio::test]
async fn missing_code_or_state_is_invalid_request() {
    let s = setup().await;
    let (jar, pairs) = start_sign_in(&s.routes, "").await;
    let state = param(&pairs, "state").unwrap();
    for query in [
        String::new(),
        "?code=abc".to_owned(),
        format!("?state={state}"),
        format!("?code=&state={state}"),
    ] {
        let response = get(&s.routes, "sign-in-callback", &query, &jar).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{query}");
        assert_eq!(location(&response), "/?error=invalid_request", "{query}");
        assert!(
            set_cookies(&response).is_empty(),
            "{query}: the flow stays usable"
        );
    }
    assert!(s.stub.requests().is_empty());
}

#[tokio::test]
async fn missing_flow_cookies_are_a_timeout() {
    let s = setup().await;
    let (jar, pairs) = start_sign_in(&s.routes, "").await;
    let query = format!("?code=abc&state={}", param(&pairs, "state").unwrap());
    let expected =
        "/?error=timeout&error_description=Sign+in+has+to+be+completed+within+5+minutes.";

    let response = get(&s.routes, "sign-in-callback", &query, &Jar::default()).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), expected);
    assert!(set_cookies(&response).is_empty());

    // Only one of the two cookies left: still a timeout, and the leftover is cleared.
    let mut partial = jar.clone();
    partial.cookies.remove(PKCE);
    let response = get(&s.routes, "sign-in-callback", &query, &partial).await;
    assert_eq!(location(&response), expected);
    let cookies = set_cookies(&response);
    assert_eq!(cookies.len(), 1);
    assert!(cookie(&cookies, STATE).is_removal());
    assert!(s.stub.requests().is_empty());
}

/// Routes whose sign-in destination is `/home`, and `username` signed in.
async fn signed_in_with_home(username: &str) -> (Setup, Jar) {
    let s = setup_with(
        ORIGIN,
        None,
        AuthRoutesOptions::default().with_redirect_on_sign_in_complete("/home"),
    )
    .await;
    s.backend.user(username);
    let jar = signed_in_jar(&s.runner, username).await;
    (s, jar)
}

#[tokio::test]
async fn a_revisited_callback_sends_a_signed_in_user_on() {
    let (s, signed_in) = signed_in_with_home("alice").await;
    // Back after signing in: managed login sends the browser to the callback again, for the finished flow
    // (its state, a new or spent code), and the flow cookies are gone.
    let (_, pairs) = start_sign_in(&s.routes, "?redirect_to=%2Forders").await;
    let query = format!(
        "?code=spent&state={}",
        urlencode(&param(&pairs, "state").unwrap())
    );
    for site in [None, Some("same-site"), Some("cross-site")] {
        let headers = match site {
            Some(site) => with_headers(&signed_in, &[("sec-fetch-site", site)]),
            None => signed_in.headers(),
        };
        let response = request(&s.routes, Method::GET, "sign-in-callback", &query, headers).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{site:?}");
        // The default destination: nothing vouches for the redirect_to inside a state without its cookie.
        assert_eq!(location(&response), "/home", "{site:?}");
        no_store(&response);
        assert!(
            set_cookies(&response).is_empty(),
            "{site:?}: the session is untouched"
        );
    }
    assert!(s.stub.requests().is_empty(), "no code exchange");
    let user = amplify_ssr::get_current_user(&signed_in.context(&s.runner))
        .await
        .unwrap();
    assert_eq!(user.username, "alice");

    // Signed out, the same visit is still the timeout error.
    let response = get(&s.routes, "sign-in-callback", &query, &Jar::default()).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert!(
        location(&response).starts_with("/?error=timeout"),
        "{}",
        location(&response)
    );
}

#[tokio::test]
async fn a_cross_site_callback_without_a_visible_session_comes_back_once_before_deciding() {
    let (s, signed_in) = signed_in_with_home("bea").await;
    let (_, pairs) = start_sign_in(&s.routes, "").await;
    let state = param(&pairs, "state").unwrap();
    let query = format!("?code=spent&state={state}");

    // A cross-site arrival carries no SameSite=Strict session cookies: the jar the browser sends is empty.
    let first = request(
        &s.routes,
        Method::GET,
        "sign-in-callback",
        &query,
        with_headers(&Jar::default(), &[("sec-fetch-site", "cross-site")]),
    )
    .await;
    assert_eq!(first.status(), StatusCode::OK);
    no_store(&first);
    assert!(set_cookies(&first).is_empty());
    let again = format!("{SIGN_IN_CB}?code=spent&amp;state={state}");
    assert!(
        first.body().contains(&format!("URL='{again}'")),
        "{}",
        first.body()
    );

    // Coming back from the app's own page, the browser sends them: signed in, on to the destination.
    let second = request(
        &s.routes,
        Method::GET,
        "sign-in-callback",
        &query,
        with_headers(&signed_in, &[("sec-fetch-site", "same-origin")]),
    )
    .await;
    assert_eq!(location(&second), "/home");
    // Signed out for real: the timeout error, not another bounce.
    let second = request(
        &s.routes,
        Method::GET,
        "sign-in-callback",
        &query,
        with_headers(&Jar::default(), &[("sec-fetch-site", "same-origin")]),
    )
    .await;
    assert_eq!(second.status(), StatusCode::FOUND);
    assert!(location(&second).starts_with("/?error=timeout"));
    assert!(s.stub.requests().is_empty());
}

#[tokio::test]
async fn a_state_mismatch_is_invalid_state() {
    let s = setup().await;
    let (jar, pairs) = start_sign_in(&s.routes, "?redirect_to=%2Fa").await;
    let state = param(&pairs, "state").unwrap();
    let (nonce, _) = state.split_once('.').unwrap();
    // A swapped destination with the right nonce, another flow's state, and a truncated state all fail.
    let swapped = format!("{nonce}.{}", URL_SAFE_NO_PAD.encode("/b"));
    for returned in [swapped.as_str(), "0123456789abcdefghijABCDEFGHIJ01", nonce] {
        let query = format!("?code=abc&state={}", urlencode(returned));
        let response = get(&s.routes, "sign-in-callback", &query, &jar).await;
        assert_eq!(response.status(), StatusCode::FOUND);
        assert_eq!(location(&response), "/?error=invalid_state");
        assert!(set_cookies(&response).is_empty());
    }
    assert!(s.stub.requests().is_empty(), "no token call on a mismatch");
}

/// `jar`'s cookies with `planted` copies sent before them, duplicates kept (as a browser sends a cookie a sibling
/// host planted with a longer path).
fn with_planted(jar: &Jar, planted: &[(&str, &str)]) -> HeaderMap {
    let mut pairs: Vec<String> = planted.iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.extend(jar.cookies.iter().map(|(k, v)| format!("{k}={v}")));
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, pairs.join("; ").parse().unwrap());
    headers
}

#[tokio::test]
async fn on_https_the_flow_cookies_are_host_prefixed_so_a_sibling_cannot_plant_a_login() {
    // A cookie domain for the session cookies does not widen the flow cookies: `__Host-` cookies are host-only.
    let s = setup_with(ORIGIN, Some("example.com"), AuthRoutesOptions::default()).await;
    let (_, pairs) = start_sign_in(&s.routes, "").await;
    let cookies = set_cookies(&get(&s.routes, "sign-in", "", &Jar::default()).await);
    for name in [PKCE, STATE] {
        assert_flow_cookie(cookie(&cookies, name), true, None);
    }

    // The attacker started a flow of their own and got a code for their account. From a sibling host they can only
    // plant cookies without the prefix, which are not the flow's: the victim is not signed in as the attacker.
    let attacker_state = param(&pairs, "state").unwrap();
    s.stub
        .answer_token(200, token_body(&s, "mallory", true).await);
    s.backend.user("alice");
    let victim = signed_in_jar(&s.runner, "alice").await;
    let headers = with_planted(
        &victim,
        &[
            (on_http(PKCE), &"v".repeat(64)),
            (on_http(STATE), &attacker_state),
        ],
    );
    let query = format!("?code=attackers-code&state={}", urlencode(&attacker_state));
    let response = request(&s.routes, Method::GET, "sign-in-callback", &query, headers).await;
    assert!(
        s.stub.requests().iter().all(|r| r.path != "/oauth2/token"),
        "the attacker's code is never exchanged"
    );
    assert!(
        set_cookies(&response)
            .iter()
            .all(|c| !c.name.starts_with("CognitoIdentityServiceProvider.")),
        "the victim's session is untouched"
    );
    let user = amplify_ssr::get_current_user(&victim.context(&s.runner))
        .await
        .unwrap();
    assert_eq!(user.username, "alice");

    // Nor can a planted sign-out flag make a link to the sign-out callback sign the victim out.
    let headers = with_planted(&victim, &[(on_http(SIGNING_OUT), "true")]);
    let response = request(&s.routes, Method::GET, "sign-out-callback", "", headers).await;
    assert_eq!(location(&response), "/");
    assert!(
        set_cookies(&response).is_empty(),
        "{:#?}",
        set_cookies(&response)
    );
    assert!(
        s.stub.requests().iter().all(|r| r.path != "/oauth2/revoke"),
        "nothing is revoked"
    );
}

#[tokio::test]
async fn on_http_disagreeing_copies_of_the_flow_cookies_end_the_flow() {
    let s = setup_with("http://localhost:3000", None, AuthRoutesOptions::default()).await;
    s.stub
        .answer_token(200, token_body(&s, "mallory", true).await);
    // The attacker's own flow, and the victim's flow in progress.
    let (attacker, attacker_pairs) = start_sign_in(&s.routes, "").await;
    let (victim, victim_pairs) = start_sign_in(&s.routes, "").await;
    let attacker_state = param(&attacker_pairs, "state").unwrap();
    let victim_state = param(&victim_pairs, "state").unwrap();
    let planted: Vec<(&str, &str)> = [on_http(PKCE), on_http(STATE)]
        .into_iter()
        .map(|name| (name, attacker.cookies[name].as_str()))
        .collect();
    // Sent to the callback with the attacker's code, or the victim's own: copies disagree, so neither flow is
    // trusted (which copy is the victim's cannot be told), nothing is exchanged and nothing is cleared.
    for state in [&attacker_state, &victim_state] {
        let query = format!("?code=some-code&state={}", urlencode(state));
        let headers = with_planted(&victim, &planted);
        let response = request(&s.routes, Method::GET, "sign-in-callback", &query, headers).await;
        assert_eq!(response.status(), StatusCode::FOUND);
        assert_eq!(location(&response), "/?error=invalid_state");
        assert!(
            set_cookies(&response).is_empty(),
            "{:#?}",
            set_cookies(&response)
        );
    }
    assert!(s.stub.requests().is_empty(), "no code was exchanged");
    // Control: the victim's flow alone completes.
    let query = format!("?code=some-code&state={}", urlencode(&victim_state));
    let response = get(&s.routes, "sign-in-callback", &query, &victim).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(s.stub.requests().len(), 1);
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn token_endpoint_failures_end_on_the_error_destination_without_retrying() {
    let s = setup().await;
    for (status, body, expected) in [
        (400, r#"{"error":"invalid_grant"}"#, "invalid_grant"),
        (400, r#"{"error":"invalid_client"}"#, "invalid_client"),
        (400, r#"{"error":"<script>"}"#, "server_error"),
        (502, "<html>Bad gateway</html>", "server_error"),
        (500, "", "server_error"),
        (200, "not json", "server_error"),
        (200, r#"{"token_type":"Bearer"}"#, "server_error"),
    ] {
        s.stub.answer_token(status, body);
        let before = s.stub.requests().len();
        let (jar, pairs) = start_sign_in(&s.routes, "").await;
        let query = format!("?code=the-code&state={}", param(&pairs, "state").unwrap());
        let response = get(&s.routes, "sign-in-callback", &query, &jar).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{status} {body}");
        assert_eq!(
            location(&response),
            format!("/?error={expected}"),
            "{status} {body}"
        );
        let cookies = set_cookies(&response);
        assert!(cookie(&cookies, PKCE).is_removal());
        assert!(cookie(&cookies, STATE).is_removal());
        assert!(cookie_ending(&cookies, "accessToken").is_none());
        assert_eq!(
            s.stub.requests().len(),
            before + 1,
            "{status}: a sent code is never retried"
        );
    }
}

#[tokio::test]
async fn an_unreachable_token_endpoint_is_a_server_error() {
    let backend = Backend::start().await;
    // A port with nothing listening.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let runner = ServerRunner::builder(config_with(
        &backend,
        Some(oauth_block(&[SIGN_IN_CB], &[SIGN_OUT_CB])),
    ))
    .ignore_env()
    .app_origin(ORIGIN)
    .oauth_base_url(&dead)
    .build()
    .unwrap();
    let routes = AuthRoutes::new(
        runner,
        AuthRoutesOptions::default().with_retry_policy(
            RetryPolicy::new().with_base_delay(std::time::Duration::from_millis(1)),
        ),
    )
    .unwrap();
    let (jar, pairs) = start_sign_in(&routes, "").await;
    let query = format!("?code=c&state={}", param(&pairs, "state").unwrap());
    let response = get(&routes, "sign-in-callback", &query, &jar).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), "/?error=server_error");
}

#[tokio::test]
async fn a_successful_callback_exchanges_the_code_and_writes_the_session() {
    let s = setup_with(
        ORIGIN,
        Some("example.com"),
        AuthRoutesOptions::default().with_redirect_on_sign_in_complete("/welcome"),
    )
    .await;
    let body = token_body(&s, "carol", true).await;
    s.stub.answer_token(200, body);
    let (mut jar, pairs) = start_sign_in(&s.routes, "").await;
    let verifier = jar.cookies[PKCE].clone();
    let state = param(&pairs, "state").unwrap();
    let response = get(
        &s.routes,
        "sign-in-callback",
        &format!("?code=the%2Bcode&state={state}"),
        &jar,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    no_store(&response);
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    // Its one inline script is allowed by hash, so an app's strict policy need not allow inline scripts.
    let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        policy.starts_with("default-src 'none'; script-src 'sha256-"),
        "{policy}"
    );
    let page = response.body();
    assert!(page.contains("content=\"0; URL='/welcome'\""), "{page}");
    assert!(
        page.contains("window.location.replace(\"/welcome\")"),
        "{page}"
    );
    assert!(page.contains("href=\"/welcome\""), "{page}");

    // The token request, field by field.
    let requests = s.stub.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.path, "/oauth2/token");
    assert_eq!(
        request.content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(request.cache_control.as_deref(), Some("no-cache"));
    let client_id = s
        .runner
        .config()
        .auth()
        .unwrap()
        .user_pool_client_id
        .clone();
    let expected: Vec<(String, String)> = [
        ("client_id", client_id.as_str()),
        ("code", "the+code"),
        ("redirect_uri", SIGN_IN_CB),
        ("code_verifier", verifier.as_str()),
        ("grant_type", "authorization_code"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    assert_eq!(request.form, expected);
    let challenge = URL_SAFE_NO_PAD.encode(digest(&SHA256, verifier.as_bytes()));
    assert_eq!(param(&pairs, "code_challenge").unwrap(), challenge);

    // The cookies.
    let cookies = set_cookies(&response);
    let prefix = format!("CognitoIdentityServiceProvider.{client_id}");
    let last = cookie(&cookies, &format!("{prefix}.LastAuthUser"));
    assert_eq!(last.value, "carol");
    for suffix in [
        "LastAuthUser",
        "carol.accessToken",
        "carol.idToken",
        "carol.refreshToken",
    ] {
        let c = cookie(&cookies, &format!("{prefix}.{suffix}"));
        assert!(!c.value.is_empty(), "{suffix}");
        assert!(c.has("HttpOnly"), "{c:?}");
        assert_eq!(c.attr("SameSite"), Some("Strict"), "{c:?}");
        assert!(c.has("Secure"), "{c:?}");
        assert_eq!(c.attr("Path"), Some("/"), "{c:?}");
        assert_eq!(c.attr("Domain"), Some("example.com"), "{c:?}");
        assert_eq!(c.attr("Max-Age"), Some("31536000"), "{c:?}");
    }
    assert!(
        cookie_ending(&cookies, ".clockDrift").is_none(),
        "not written in HttpOnly mode"
    );
    assert!(cookie_ending(&cookies, ".signInDetails").is_none());
    for name in [PKCE, STATE] {
        let c = cookie(&cookies, name);
        assert!(c.is_removal(), "{c:?}");
        // `__Host-` cookies carry no Domain, whatever the session cookies' domain.
        assert_flow_cookie(c, true, None);
    }

    apply(&mut jar, &response);
    assert!(!jar.cookies.contains_key(PKCE));
    let user = amplify_ssr::get_current_user(&jar.context(&s.runner))
        .await
        .unwrap();
    assert_eq!(user.username, "carol");
}

#[tokio::test]
async fn the_callback_returns_to_redirect_to_and_writes_no_id_token_when_none_came_back() {
    let s = setup().await;
    let body = token_body(&s, "dave", false).await;
    s.stub.answer_token(200, body);
    let (mut jar, pairs) =
        start_sign_in(&s.routes, "?redirect_to=%2Forders%3Fid%3D7%26x%3D%27").await;
    let query = format!(
        "?code=c&state={}",
        urlencode(&param(&pairs, "state").unwrap())
    );
    let response = get(&s.routes, "sign-in-callback", &query, &jar).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.body();
    assert!(page.contains("URL='/orders?id=7&amp;x=%27'"), "{page}");
    let cookies = set_cookies(&response);
    assert!(
        cookie_ending(&cookies, ".idToken").is_none(),
        "{cookies:#?}"
    );
    assert!(!cookies.iter().any(|c| c.value == "undefined"));
    assert!(cookie_ending(&cookies, "dave.accessToken").is_some());
    apply(&mut jar, &response);
    let user = amplify_ssr::get_current_user(&jar.context(&s.runner))
        .await
        .unwrap();
    assert_eq!(user.username, "dave");
}

#[tokio::test]
async fn another_users_stale_session_is_cleared_at_sign_in() {
    let s = setup().await;
    s.backend.user("erin");
    let mut jar = signed_in_jar(&s.runner, "erin").await;
    // Erin's tokens are present, but the flow signs in frank (e.g. a shared computer after a failed sign-out).
    let body = token_body(&s, "frank", true).await;
    s.stub.answer_token(200, body);
    let start = get(&s.routes, "sign-in", "?redirect_to=%2F", &Jar::default()).await;
    apply(&mut jar, &start);
    let state = param(&query_pairs(&location(&start)), "state").unwrap();
    let response = get(
        &s.routes,
        "sign-in-callback",
        &format!("?code=c&state={state}"),
        &jar,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookies = set_cookies(&response);
    for suffix in ["erin.accessToken", "erin.idToken", "erin.refreshToken"] {
        assert!(
            cookie_ending(&cookies, suffix).unwrap().is_removal(),
            "{suffix}"
        );
    }
    assert!(
        !cookie_ending(&cookies, "frank.accessToken")
            .unwrap()
            .is_removal()
    );
    assert_eq!(
        cookie_ending(&cookies, ".LastAuthUser").unwrap().value,
        "frank"
    );
}

// ---------------------------------------------------------------------------------------------------------------
// sign-out / sign-out-callback
// ---------------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn sign_out_redirects_to_logout_with_flag_cookies_even_when_signed_out() {
    let s = setup_with(
        "http://127.0.0.1:3000",
        Some("127.0.0.1"),
        AuthRoutesOptions::default(),
    )
    .await;
    let response = click_sign_out(&s.routes, &Jar::default()).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    no_store(&response);
    let location = location(&response);
    assert!(
        location.starts_with(&format!("{}/logout?", s.stub.base)),
        "{location}"
    );
    let client_id = s
        .runner
        .config()
        .auth()
        .unwrap()
        .user_pool_client_id
        .clone();
    assert_eq!(
        query_pairs(&location),
        vec![
            ("client_id".to_owned(), client_id),
            (
                "logout_uri".to_owned(),
                "http://127.0.0.1:3000/api/auth/sign-out-callback".to_owned()
            ),
        ]
    );
    let cookies = set_cookies(&response);
    assert_eq!(cookies.len(), 2);
    for name in [SIGNING_OUT, SIGNING_OUT_REDIRECTING] {
        let c = cookie(&cookies, on_http(name));
        assert_eq!(c.value, "true");
        assert_flow_cookie(c, false, Some("127.0.0.1"));
    }
}

/// A sign-out that went ahead: off to managed login's `/logout`, with the sign-out flags set. A `GET` gets a
/// `302`; a `POST` gets the intermediary page, because a browser applies the posting page's CSP `form-action` to
/// the redirects that follow a form submission, and `/logout` is on another origin.
#[track_caller]
fn assert_sign_out_started(s: &Setup, method: &Method, response: &Response<String>, case: &str) {
    let logout = format!("{}/logout?", s.stub.base);
    if method == Method::POST {
        assert_eq!(response.status(), StatusCode::OK, "{case}");
        assert!(response.headers().get(header::LOCATION).is_none(), "{case}");
        let page = response.body();
        assert!(page.contains(&format!("URL='{logout}")), "{case}: {page}");
        assert!(
            page.contains(&format!("window.location.replace(\"{logout}")),
            "{case}: {page}"
        );
        assert_eq!(response.headers()[header::REFERRER_POLICY], "no-referrer");
    } else {
        assert_eq!(response.status(), StatusCode::FOUND, "{case}");
        assert!(location(response).starts_with(&logout), "{case}");
    }
    no_store(response);
    let cookies = set_cookies(response);
    assert_eq!(cookie(&cookies, SIGNING_OUT).value, "true", "{case}");
}

#[tokio::test]
async fn sign_out_from_another_site_or_a_script_asks_for_confirmation_and_changes_nothing() {
    let s = setup().await;
    s.backend.user("mia");
    let jar = signed_in_jar(&s.runner, "mia").await;
    for (case, pairs) in [
        (
            "a cross-site link",
            vec![("sec-fetch-site", "cross-site"), ("sec-fetch-user", "?1")],
        ),
        (
            "a sibling site",
            vec![("sec-fetch-site", "same-site"), ("sec-fetch-user", "?1")],
        ),
        (
            "a script or redirect on the app",
            vec![("sec-fetch-site", "same-origin")],
        ),
        ("no signal at all", vec![]),
        (
            "another site's Referer",
            vec![("referer", "https://evil.example/page")],
        ),
        // An old browser (no Fetch Metadata) loading `<img src=/api/auth/sign-out>` from content on the app's own
        // pages: the Referer is the app's, and nothing says the user asked.
        (
            "a browser without Fetch Metadata, from the app's page",
            vec![("referer", "https://app.example.com/dashboard")],
        ),
        (
            "a browser without Fetch Metadata, with the app's Origin",
            vec![("origin", ORIGIN)],
        ),
        ("a null Origin", vec![("origin", "null")]),
    ] {
        let response = request(
            &s.routes,
            Method::GET,
            "sign-out",
            "",
            with_headers(&jar, &pairs),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK, "{case}");
        assert!(response.headers().get(header::LOCATION).is_none(), "{case}");
        assert!(
            set_cookies(&response).is_empty(),
            "{case}: no cookie touched"
        );
        no_store(&response);
        let page = response.body();
        assert!(page.contains("<form method=\"post\">"), "{case}: {page}");
        assert!(page.contains("id=\"confirm-sign-out\""), "{case}");
        let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(response.headers()[header::X_FRAME_OPTIONS], "DENY");
    }
    // Whatever the other site does next, nothing is revoked and the session stays.
    let callback = get(&s.routes, "sign-out-callback", "", &jar).await;
    assert_eq!(location(&callback), "/");
    assert!(set_cookies(&callback).is_empty());
    assert!(s.stub.requests().is_empty(), "no revocation");
    let user = amplify_ssr::get_current_user(&jar.context(&s.runner))
        .await
        .unwrap();
    assert_eq!(user.username, "mia");

    // A cross-origin POST is refused outright.
    for pairs in [
        vec![("sec-fetch-site", "cross-site")],
        vec![("origin", "https://evil.example")],
        vec![],
    ] {
        let response = request(
            &s.routes,
            Method::POST,
            "sign-out",
            "",
            with_headers(&jar, &pairs),
        )
        .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{pairs:?}");
        assert!(set_cookies(&response).is_empty(), "{pairs:?}");
    }
    assert!(s.stub.requests().is_empty());
}

#[tokio::test]
async fn sign_out_goes_ahead_for_the_user_on_the_apps_own_pages() {
    let s = setup().await;
    for (case, method, pairs) in [
        (
            "a click on the app's link",
            Method::GET,
            USER_CLICK.to_vec(),
        ),
        (
            "a typed address or bookmark",
            Method::GET,
            vec![("sec-fetch-site", "none"), ("sec-fetch-user", "?1")],
        ),
        (
            "the confirmation page's button",
            Method::POST,
            vec![("sec-fetch-site", "same-origin"), ("origin", ORIGIN)],
        ),
        (
            "an app's own form, Origin only",
            Method::POST,
            vec![("origin", ORIGIN)],
        ),
    ] {
        let response = request(
            &s.routes,
            method.clone(),
            "sign-out",
            "",
            with_headers(&Jar::default(), &pairs),
        )
        .await;
        assert_sign_out_started(&s, &method, &response, case);
    }

    // And completes: the confirmed POST leads to the revocation as the click does.
    s.backend.user("noa");
    let mut jar = signed_in_jar(&s.runner, "noa").await;
    let start = request(
        &s.routes,
        Method::POST,
        "sign-out",
        "",
        with_headers(&jar, &[("sec-fetch-site", "same-origin")]),
    )
    .await;
    apply(&mut jar, &start);
    let first = get(&s.routes, "sign-out-callback", "", &jar).await;
    apply(&mut jar, &first);
    let second = get(&s.routes, "sign-out-callback", "", &jar).await;
    assert_session_cleared(&second, "noa");
    assert_eq!(s.stub.requests().len(), 1, "revoked once");
}

#[tokio::test]
async fn sign_out_callback_without_a_sign_out_in_progress_goes_home() {
    let s = setup_with(
        ORIGIN,
        None,
        AuthRoutesOptions::default().with_redirect_on_sign_out_complete("/signed-out"),
    )
    .await;
    s.backend.user("gina");
    let jar = signed_in_jar(&s.runner, "gina").await;
    let response = get(&s.routes, "sign-out-callback", "", &jar).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), "/signed-out");
    assert!(
        set_cookies(&response).is_empty(),
        "the session is untouched"
    );
    assert!(s.stub.requests().is_empty());
}

/// Runs sign-out → first arrival → second arrival for a signed-in `username`; returns the final response and the
/// jar before the second arrival.
async fn sign_out_flow(s: &Setup, username: &str) -> (Response<String>, Jar) {
    s.backend.user(username);
    let mut jar = signed_in_jar(&s.runner, username).await;
    let start = click_sign_out(&s.routes, &jar).await;
    apply(&mut jar, &start);

    let first = get(&s.routes, "sign-out-callback", "", &jar).await;
    assert_eq!(first.status(), StatusCode::OK);
    no_store(&first);
    assert!(
        first.body().contains(&format!("URL='{SIGN_OUT_CB}'")),
        "{}",
        first.body()
    );
    let cookies = set_cookies(&first);
    assert_eq!(cookies.len(), 1, "{cookies:#?}");
    let c = cookie(&cookies, SIGNING_OUT_REDIRECTING);
    assert!(c.is_removal());
    assert_flow_cookie(c, true, None);
    assert!(
        s.stub.requests().is_empty(),
        "no revocation on the first arrival"
    );
    apply(&mut jar, &first);

    let second = get(&s.routes, "sign-out-callback", "", &jar).await;
    (second, jar)
}

fn assert_session_cleared(response: &Response<String>, username_cookie: &str) {
    let cookies = set_cookies(response);
    for suffix in ["accessToken", "idToken", "refreshToken"] {
        let c = cookie_ending(&cookies, &format!("{username_cookie}.{suffix}"))
            .unwrap_or_else(|| panic!("{suffix} not cleared: {cookies:#?}"));
        assert!(c.is_removal(), "{c:?}");
        assert!(c.has("HttpOnly") && c.attr("Path") == Some("/"), "{c:?}");
    }
    assert!(
        cookie_ending(&cookies, ".LastAuthUser")
            .unwrap()
            .is_removal()
    );
    assert!(cookie(&cookies, SIGNING_OUT).is_removal());
}

#[tokio::test]
async fn sign_out_callback_revokes_and_clears_the_session() {
    let s = setup().await;
    let (response, jar) = sign_out_flow(&s, "henry").await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), "/");
    no_store(&response);
    assert_session_cleared(&response, "henry");

    let requests = s.stub.requests();
    assert_eq!(requests.len(), 1);
    let revoke = &requests[0];
    assert_eq!(revoke.path, "/oauth2/revoke");
    assert_eq!(
        revoke.content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(revoke.cache_control.as_deref(), Some("no-cache"));
    let client_id = s
        .runner
        .config()
        .auth()
        .unwrap()
        .user_pool_client_id
        .clone();
    let refresh = amplify_ssr::cookies::decode(jar.ending_with("henry.refreshToken").unwrap());
    assert_eq!(
        revoke.form,
        vec![
            ("token".to_owned(), refresh),
            ("client_id".to_owned(), client_id)
        ]
    );
}

#[tokio::test]
async fn the_sign_out_callback_revokes_the_sessions_own_refresh_token_whatever_was_planted() {
    let s = setup().await;
    s.backend.user("olga");
    let mut jar = signed_in_jar(&s.runner, "olga").await;
    let start = click_sign_out(&s.routes, &jar).await;
    apply(&mut jar, &start);
    let first = get(&s.routes, "sign-out-callback", "", &jar).await;
    apply(&mut jar, &first);
    // Sent first: a LastAuthUser naming mallory and four refresh-token copies under mallory's keys.
    let client_id = s
        .runner
        .config()
        .auth()
        .unwrap()
        .user_pool_client_id
        .clone();
    let prefix = format!("CognitoIdentityServiceProvider.{client_id}");
    let (last, mallory_refresh) = (
        format!("{prefix}.LastAuthUser"),
        format!("{prefix}.mallory.refreshToken"),
    );
    let fillers: Vec<String> = (0..4).map(|n| format!("planted-{n}")).collect();
    let mut planted = vec![(last.as_str(), "mallory")];
    planted.extend(
        fillers
            .iter()
            .map(|v| (mallory_refresh.as_str(), v.as_str())),
    );
    let second = request(
        &s.routes,
        Method::GET,
        "sign-out-callback",
        "",
        with_planted(&jar, &planted),
    )
    .await;
    assert_session_cleared(&second, "olga");
    let revoked: Vec<String> = s
        .stub
        .requests()
        .iter()
        .filter(|r| r.path == "/oauth2/revoke")
        .filter_map(|r| param(&r.form, "token"))
        .collect();
    let own = amplify_ssr::cookies::decode(jar.ending_with("olga.refreshToken").unwrap());
    assert_eq!(
        revoked.first(),
        Some(&own),
        "olga's own token first: {revoked:?}"
    );
    assert!(revoked.len() <= 5, "and at most four others: {revoked:?}");
}

#[tokio::test]
async fn a_failed_revocation_still_signs_out_locally() {
    let s = setup().await;
    s.stub
        .answer_revoke(400, r#"{"error":"unsupported_token_type"}"#);
    let (response, _) = sign_out_flow(&s, "ivan").await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), "/");
    assert_session_cleared(&response, "ivan");
    assert_eq!(s.stub.requests().len(), 1, "a 4xx is not retried");

    let s = setup().await;
    s.stub.answer_revoke(503, "<html>down</html>");
    let (response, _) = sign_out_flow(&s, "judy").await;
    assert_session_cleared(&response, "judy");
    assert_eq!(
        s.stub.requests().len(),
        3,
        "a 5xx is retried (revocation is idempotent)"
    );
}

#[tokio::test]
async fn usernames_with_at_and_plus_are_revoked_and_cleared() {
    let s = setup().await;
    let (response, jar) = sign_out_flow(&s, "kim+test@example.com").await;
    // The cookie names carry the js-cookie encoding of the username.
    assert!(
        jar.ending_with("kim+test%40example.com.refreshToken")
            .is_some(),
        "{jar:?}"
    );
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_session_cleared(&response, "kim+test%40example.com");
    let requests = s.stub.requests();
    assert_eq!(
        requests.len(),
        1,
        "the refresh token was found despite the encoded name"
    );
    assert_eq!(requests[0].form[0].0, "token");
    assert!(!requests[0].form[0].1.is_empty());
}

#[tokio::test]
async fn sign_out_callback_without_a_session_just_finishes() {
    let s = setup().await;
    let mut jar = Jar::default();
    let start = click_sign_out(&s.routes, &jar).await;
    apply(&mut jar, &start);
    let first = get(&s.routes, "sign-out-callback", "", &jar).await;
    apply(&mut jar, &first);
    let second = get(&s.routes, "sign-out-callback", "", &jar).await;
    assert_eq!(second.status(), StatusCode::FOUND);
    assert_eq!(location(&second), "/");
    let cookies = set_cookies(&second);
    assert_eq!(cookies.len(), 1);
    assert!(cookie(&cookies, SIGNING_OUT).is_removal());
    assert!(s.stub.requests().is_empty());
}

#[tokio::test]
async fn replayed_cookies_of_a_session_signed_out_through_the_callback_are_refused() {
    let s = setup().await;
    let (response, jar) = sign_out_flow(&s, "lena").await;
    assert_session_cleared(&response, "lena");
    // The jar from before the final arrival still holds lena's (unexpired) tokens.
    assert!(jar.ending_with("lena.accessToken").is_some());
    let error = amplify_ssr::get_current_user(&jar.context(&s.runner))
        .await
        .unwrap_err();
    assert!(
        matches!(error, amplify_ssr::AuthError::UserUnAuthenticated),
        "{error}"
    );
}

#[tokio::test]
async fn a_callback_whose_id_token_names_another_user_stores_no_session() {
    let s = setup().await;
    let gina: Value = serde_json::from_str(&token_body(&s, "gina", true).await).unwrap();
    let hank: Value = serde_json::from_str(&token_body(&s, "hank", true).await).unwrap();
    let mut mixed = gina.clone();
    mixed["id_token"] = hank["id_token"].clone();
    s.stub.answer_token(200, mixed.to_string());
    let (jar, pairs) = start_sign_in(&s.routes, "").await;
    let query = format!("?code=c&state={}", param(&pairs, "state").unwrap());
    let response = get(&s.routes, "sign-in-callback", &query, &jar).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        param(&query_pairs(&location(&response)), "error").as_deref(),
        Some("server_error")
    );
    let cookies = set_cookies(&response);
    assert!(
        cookies.iter().all(|c| c.is_removal()),
        "only the flow cookies go, no session is written: {cookies:#?}"
    );
}

// ---------------------------------------------------------------------------------------------------------------
// End to end against amplify-local's managed login
// ---------------------------------------------------------------------------------------------------------------

fn html_unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The hidden inputs of `form#login-form`.
fn hidden_fields(page: &str) -> Vec<(String, String)> {
    let form_start = page.find("id=\"login-form\"").expect("login form");
    let form = &page[form_start
        ..page[form_start..]
            .find("</form>")
            .map_or(page.len(), |i| form_start + i)];
    form.split("<input")
        .skip(1)
        .filter(|input| input.contains("type=\"hidden\""))
        .filter_map(|input| {
            let attr = |name: &str| {
                let start = input.find(&format!("{name}=\""))? + name.len() + 2;
                let end = start + input[start..].find('"')?;
                Some(html_unescape(&input[start..end]))
            };
            Some((attr("name")?, attr("value")?))
        })
        .collect()
}

#[tokio::test]
async fn end_to_end_through_amplify_locals_managed_login() {
    let origin = "http://127.0.0.1:3000";
    let backend = Backend::start_with(|options| {
        options.app_origins = vec![origin.to_owned()];
    })
    .await;
    let username = backend.user("lena+e2e@example.com");
    let runner = ServerRunner::builder(backend.config())
        .ignore_env()
        .app_origin(origin)
        .build()
        .unwrap();
    let routes = AuthRoutes::new(
        runner.clone(),
        AuthRoutesOptions::default().with_redirect_on_sign_in_complete("/dashboard"),
    )
    .unwrap();
    // Managed login's pages set cookies (CSRF, session) like any site: the client keeps them as a browser would.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // 1. sign-in → managed login's form.
    let mut jar = Jar::default();
    let start = get(&routes, "sign-in", "?redirect_to=%2Forders%2F1", &jar).await;
    assert_eq!(start.status(), StatusCode::FOUND);
    apply(&mut jar, &start);
    let authorize = location(&start);
    assert!(authorize.starts_with(&format!("{}/oauth2/authorize?", backend.backend.base_url())));
    let mut page = browser.get(&authorize).send().await.unwrap();
    if page.status().is_redirection() {
        let next = page.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .to_owned();
        let next = url::Url::parse(&authorize).unwrap().join(&next).unwrap();
        page = browser.get(next).send().await.unwrap();
    }
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let mut form = hidden_fields(&html);
    assert!(!form.is_empty(), "{html}");
    form.push(("username".to_owned(), username.clone()));
    form.push(("password".to_owned(), common::PASSWORD.to_owned()));

    // 2. POST /login → 302 to our callback with code and state.
    let login = browser
        .post(format!("{}/login", backend.backend.base_url()))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        login.status(),
        StatusCode::FOUND,
        "{:?}",
        login.text().await
    );
    let callback = login.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let callback_prefix = format!("{origin}/api/auth/sign-in-callback?");
    assert!(callback.starts_with(&callback_prefix), "{callback}");
    let query = &callback[callback_prefix.len() - 1..];

    // 3. The callback exchanges the code; the session works.
    let done = get(&routes, "sign-in-callback", query, &jar).await;
    assert_eq!(
        done.status(),
        StatusCode::OK,
        "{:?}",
        done.headers().get(header::LOCATION)
    );
    assert!(done.body().contains("URL='/orders/1'"), "{}", done.body());
    apply(&mut jar, &done);
    let user = amplify_ssr::get_current_user(&jar.context(&runner))
        .await
        .unwrap();
    assert_eq!(user.username, username);
    let signed_in = jar.clone();

    // 4. sign-out → managed login's /logout → callback twice → revoked and cleared.
    let start = click_sign_out(&routes, &jar).await;
    apply(&mut jar, &start);
    let logout = browser.get(location(&start)).send().await.unwrap();
    assert!(logout.status().is_redirection(), "{}", logout.status());
    let back = logout.headers()[header::LOCATION].to_str().unwrap();
    assert!(
        back.starts_with(&format!("{origin}/api/auth/sign-out-callback")),
        "{back}"
    );
    let first = get(&routes, "sign-out-callback", "", &jar).await;
    assert_eq!(first.status(), StatusCode::OK);
    apply(&mut jar, &first);
    let second = get(&routes, "sign-out-callback", "", &jar).await;
    assert_eq!(second.status(), StatusCode::FOUND);
    apply(&mut jar, &second);
    assert!(jar.ending_with(".accessToken").is_none(), "{jar:?}");
    assert!(
        amplify_ssr::get_current_user(&jar.context(&runner))
            .await
            .is_err()
    );

    // The old refresh token no longer works.
    let refreshed = amplify_ssr::fetch_auth_session(
        &signed_in.context(&runner),
        amplify_ssr::FetchAuthSessionOptions::force_refresh(),
    )
    .await;
    // (amplify-local, like Cognito, also invalidates the access tokens issued from a revoked refresh token, so
    // the old cookies read as signed out or fail to refresh.)
    assert!(
        !matches!(&refreshed, Ok(session) if session.is_signed_in()),
        "the refresh token was revoked: {refreshed:?}"
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Custom state
// ---------------------------------------------------------------------------------------------------------------

/// Routes whose sign-in-complete handler records what it was told and returns `answer`.
async fn custom_state_setup(answer: Option<&'static str>) -> (Setup, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let options = AuthRoutesOptions::default()
        .with_redirect_on_sign_in_complete("/home")
        .with_on_sign_in_complete(move |complete| {
            record.lock().unwrap().push(format!(
                "{:?} {} {}",
                complete.custom_state, complete.user.username, complete.destination
            ));
            answer.map(str::to_owned)
        });
    (setup_with(ORIGIN, None, options).await, seen)
}

async fn complete_flow(s: &Setup, username: &str, start_query: &str) -> Response<String> {
    let body = token_body(s, username, true).await;
    s.stub.answer_token(200, body);
    let (jar, pairs) = start_sign_in(&s.routes, start_query).await;
    let query = format!(
        "?code=c&state={}",
        urlencode(&param(&pairs, "state").unwrap())
    );
    get(&s.routes, "sign-in-callback", &query, &jar).await
}

#[tokio::test]
async fn custom_state_reaches_the_sign_in_complete_handler_which_may_pick_the_destination() {
    let (s, seen) = custom_state_setup(Some("/account/billing")).await;
    let response = complete_flow(
        &s,
        "erin",
        "?redirect_to=%2Forders&custom_state=billing.%7B%22plan%22%3A2%7D",
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.body().contains("URL='/account/billing'"),
        "{}",
        response.body()
    );
    assert!(cookie_ending(&set_cookies(&response), "erin.accessToken").is_some());
    assert_eq!(
        *seen.lock().unwrap(),
        [r#"Some("billing.{\"plan\":2}") erin /orders"#]
    );
}

#[tokio::test]
async fn without_or_with_an_oversized_custom_state_the_handler_gets_none() {
    let (s, seen) = custom_state_setup(None).await;
    let response = complete_flow(&s, "fay", "").await;
    assert!(
        response.body().contains("URL='/home'"),
        "{}",
        response.body()
    );
    let long = "x".repeat(amplify_ssr::auth::routes::MAX_CUSTOM_STATE_LEN + 1);
    let response = complete_flow(&s, "fay2", &format!("?custom_state={long}")).await;
    assert!(response.body().contains("URL='/home'"));
    assert_eq!(*seen.lock().unwrap(), ["None fay /home", "None fay2 /home"]);
}

#[tokio::test]
async fn a_tampered_custom_state_fails_the_state_check_and_an_unsafe_destination_is_ignored() {
    let (s, seen) = custom_state_setup(Some("javascript:alert(1)")).await;
    s.stub.answer_token(200, token_body(&s, "gus", true).await);
    let (jar, pairs) = start_sign_in(&s.routes, "?custom_state=role%3Duser").await;
    let state = param(&pairs, "state").unwrap();
    let (nonce_and_redirect, custom) = state.rsplit_once('.').unwrap();
    assert_eq!(URL_SAFE_NO_PAD.decode(custom).unwrap(), b"role=user");
    let forged = format!(
        "{nonce_and_redirect}.{}",
        URL_SAFE_NO_PAD.encode("role=admin")
    );
    let response = get(
        &s.routes,
        "sign-in-callback",
        &format!("?code=c&state={}", urlencode(&forged)),
        &jar,
    )
    .await;
    assert_eq!(
        param(&query_pairs(&location(&response)), "error").as_deref(),
        Some("invalid_state")
    );
    assert!(
        seen.lock().unwrap().is_empty(),
        "no handler for a forged state"
    );

    // The genuine state completes; the handler's unsafe destination is ignored.
    let response = get(
        &s.routes,
        "sign-in-callback",
        &format!("?code=c&state={}", urlencode(&state)),
        &jar,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.body().contains("URL='/home'"),
        "{}",
        response.body()
    );
    assert_eq!(*seen.lock().unwrap(), [r#"Some("role=user") gus /home"#]);
}
