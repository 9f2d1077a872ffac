//! The actix-web middleware, extractors and route protection against a missing middleware, signed-out
//! requests, transient failures (JWKS unreachable) and a real amplify-local (refresh, `Set-Cookie`, `no-store`).

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{
    CACHE_CONTROL, COOKIE, HeaderValue, LOCATION, RETRY_AFTER, SET_COOKIE,
};
use actix_web::{App, Error, HttpMessage, HttpResponse, test, web};
use amplify_local::{LocalBackend, LocalOptions};
use amplify_ssr::{AmplifyConfig, ServerRunner, SessionIndependent};
use amplify_ssr_actix::{
    AmplifyContext, AmplifyMiddleware, CurrentUser, CurrentUserError, RefuseCrossSite, RequireAuth,
    SameOrigin, SignedInPage, SignedInPageError,
};
use base64::Engine as _;

const OUTPUTS: &str = r#"{"version":"1.4","auth":{"aws_region":"us-east-1",
    "user_pool_id":"us-east-1_Pool","user_pool_client_id":"client1"}}"#;
const PASSWORD: &str = "Correct-h0rse!";

/// A runner whose JWKS URL is a port nothing listens on: any token check is a transient failure.
async fn runner_without_keys() -> ServerRunner {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let jwks = format!("http://{}/jwks.json", closed.local_addr().unwrap());
    drop(closed);
    ServerRunner::builder(AmplifyConfig::from_json(OUTPUTS).unwrap())
        .ignore_env()
        .jwks_url(&jwks)
        .build()
        .unwrap()
}

/// A well-formed access-token cookie for `runner_without_keys`: checking it needs the (unreachable) JWKS.
fn unverifiable_session() -> String {
    let header =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","kid":"k1"}"#);
    format!("CognitoIdentityServiceProvider.client1.username.accessToken={header}.e30.c2lnbmF0dXJl")
}

async fn user_name(CurrentUser(user): CurrentUser) -> String {
    user.username
}

async fn page(SignedInPage(user): SignedInPage) -> String {
    format!("page of {}", user.username)
}

async fn context_kind(AmplifyContext(ctx): AmplifyContext) -> String {
    format!("{:?}", ctx.kind())
}

/// The routes every test app serves; `/account` is protected by `RequireAuth`.
fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/user", web::get().to(user_name))
        .route("/page", web::get().to(page))
        .route("/context", web::get().to(context_kind))
        .route("/form", web::post().to(|_: SameOrigin| async { "done" }))
        .service(
            web::scope("/account")
                .wrap(RequireAuth::new())
                .route("", web::get().to(|| async { "account" })),
        );
}

async fn text(response: ServiceResponse<impl MessageBody>) -> String {
    String::from_utf8(test::read_body(response).await.to_vec()).unwrap()
}

fn header<B>(
    response: &ServiceResponse<B>,
    name: actix_web::http::header::HeaderName,
) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

#[actix_web::test]
async fn without_the_middleware_every_extractor_names_the_fix() {
    let app = test::init_service(App::new().configure(routes)).await;
    for path in ["/api/user", "/page", "/context", "/account"] {
        let response =
            test::call_service(&app, test::TestRequest::get().uri(path).to_request()).await;
        assert_eq!(
            response.status(),
            StatusCode::INTERNAL_SERVER_ERROR,
            "{path}"
        );
        let body = text(response).await;
        assert!(
            body.contains(".wrap(AmplifyMiddleware::new(runner))"),
            "{path}: {body}"
        );
    }
}

#[actix_web::test]
async fn the_context_is_the_request_response_one() {
    let app = test::init_service(
        App::new()
            .configure(routes)
            .wrap(AmplifyMiddleware::new(runner_without_keys().await)),
    )
    .await;
    let response =
        test::call_service(&app, test::TestRequest::get().uri("/context").to_request()).await;
    assert_eq!(response.status(), StatusCode::OK);
    // Nothing read the session: the response may be cached as the handler decides.
    assert_eq!(header(&response, CACHE_CONTROL), None);
    assert_eq!(text(response).await, "RequestResponse");
}

#[actix_web::test]
async fn signed_out_requests_get_401_json_or_a_sign_in_redirect_and_no_store() {
    let middleware = AmplifyMiddleware::new(runner_without_keys().await).sign_in_path("/login");
    let app = test::init_service(App::new().configure(routes).wrap(middleware)).await;

    let response =
        test::call_service(&app, test::TestRequest::get().uri("/api/user").to_request()).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        header(&response, CACHE_CONTROL).as_deref(),
        Some("private, no-store")
    );
    let body: serde_json::Value = serde_json::from_str(&text(response).await).unwrap();
    assert_eq!(body["error"], "UserUnAuthenticatedException");

    for (path, back) in [
        ("/page?tab=1", "%2Fpage%3Ftab%3D1"),
        ("/account", "%2Faccount"),
    ] {
        let response =
            test::call_service(&app, test::TestRequest::get().uri(path).to_request()).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{path}");
        assert_eq!(
            header(&response, LOCATION).unwrap(),
            format!("/login?redirect_to={back}")
        );
        assert_eq!(
            header(&response, CACHE_CONTROL).as_deref(),
            Some("private, no-store"),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn a_transient_failure_is_503_and_keeps_the_cookies() {
    let app = test::init_service(
        App::new()
            .configure(routes)
            .wrap(AmplifyMiddleware::new(runner_without_keys().await)),
    )
    .await;
    for path in ["/api/user", "/page", "/account"] {
        let request = test::TestRequest::get()
            .uri(path)
            .insert_header((COOKIE, unverifiable_session()))
            .to_request();
        let response = test::call_service(&app, request).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert_eq!(
            header(&response, RETRY_AFTER).as_deref(),
            Some("1"),
            "{path}"
        );
        assert!(
            response.headers().get(SET_COOKIE).is_none(),
            "{path}: cookies kept"
        );
    }
}

#[actix_web::test]
async fn handlers_can_tell_signed_out_from_unavailable() {
    let page_kind = |page: Result<SignedInPage, SignedInPageError>| async move {
        format!("{:?}", page.map(|_| ()).map_err(|e| e.kind()))
    };
    let api_kind = |user: Result<CurrentUser, CurrentUserError>| async move {
        format!("{:?}", user.map(|_| ()).map_err(|e| e.is_signed_out()))
    };
    let app = test::init_service(
        App::new()
            .route("/page", web::get().to(page_kind))
            .route("/api", web::get().to(api_kind))
            .wrap(AmplifyMiddleware::new(runner_without_keys().await)),
    )
    .await;
    for (cookie, page, api) in [
        (None, "Err(SignInRedirect)", "Err(true)"),
        (
            Some(unverifiable_session()),
            "Err(Unavailable)",
            "Err(false)",
        ),
    ] {
        for (path, expected) in [("/page", page), ("/api", api)] {
            let mut request = test::TestRequest::get().uri(path);
            if let Some(cookie) = &cookie {
                request = request.insert_header((COOKIE, cookie.clone()));
            }
            let response = test::call_service(&app, request.to_request()).await;
            assert_eq!(text(response).await, expected, "{path} {cookie:?}");
        }
    }
}

#[actix_web::test]
async fn cross_site_posts_are_refused() {
    let app = test::init_service(
        App::new()
            .configure(routes)
            .wrap(AmplifyMiddleware::new(runner_without_keys().await)),
    )
    .await;
    let post = |site: &'static str| {
        test::TestRequest::post()
            .uri("/form")
            .insert_header(("sec-fetch-site", site))
            .to_request()
    };
    let refused = test::call_service(&app, post("cross-site")).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(header(&refused, CACHE_CONTROL).as_deref(), Some("no-store"));
    let accepted = test::call_service(&app, post("same-origin")).await;
    assert_eq!(accepted.status(), StatusCode::OK);
    assert_eq!(text(accepted).await, "done");
}

#[actix_web::test]
async fn refuse_cross_site_guards_every_state_changing_request_of_the_app() {
    let app = test::init_service(
        App::new()
            // No `SameOrigin` on these handlers: the app-wide middleware does the check.
            .route("/todos", web::post().to(|| async { "created" }))
            .route("/todos", web::delete().to(|| async { "deleted" }))
            .route("/todos", web::get().to(|| async { "listed" }))
            .wrap(RefuseCrossSite)
            .wrap(AmplifyMiddleware::new(runner_without_keys().await)),
    )
    .await;
    let request = |method: actix_web::http::Method, site: &'static str| {
        test::TestRequest::default()
            .method(method)
            .uri("/todos")
            .insert_header(("sec-fetch-site", site))
    };
    for method in [
        actix_web::http::Method::POST,
        actix_web::http::Method::DELETE,
    ] {
        let refused =
            test::call_service(&app, request(method.clone(), "cross-site").to_request()).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{method}");
        assert_eq!(header(&refused, CACHE_CONTROL).as_deref(), Some("no-store"));
        let accepted =
            test::call_service(&app, request(method.clone(), "same-origin").to_request()).await;
        assert_eq!(accepted.status(), StatusCode::OK, "{method}");
    }
    // Reads stay open to links from other sites; a WebSocket upgrade does not.
    let read = test::call_service(
        &app,
        request(actix_web::http::Method::GET, "cross-site").to_request(),
    )
    .await;
    assert_eq!(text(read).await, "listed");
    let upgrade = request(actix_web::http::Method::GET, "cross-site")
        .insert_header(("upgrade", "websocket"))
        .to_request();
    assert_eq!(
        test::call_service(&app, upgrade).await.status(),
        StatusCode::FORBIDDEN
    );
}

/// amplify-local with one user, and the cookies of that user's session made due for a refresh.
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
        backend
            .create_user("alice", PASSWORD, &[("email", "alice@example.com")])
            .unwrap();
        Self { backend, _dir: dir }
    }

    fn runner(&self) -> ServerRunner {
        ServerRunner::builder(AmplifyConfig::from_value(&self.backend.outputs()).unwrap())
            .ignore_env()
            .build()
            .unwrap()
    }

    /// The `Cookie` header of a signed-in session whose tokens the library takes as two hours past expiry (the
    /// `clockDrift` cookie), so the next read refreshes them.
    async fn expired_session(&self) -> String {
        let ctx = self.runner().context(&http::HeaderMap::new());
        amplify_ssr::sign_in(&ctx, amplify_ssr::SignInInput::new("alice", PASSWORD))
            .await
            .unwrap();
        let pairs: Vec<String> = ctx
            .set_cookie_headers()
            .iter()
            .map(|line| {
                let pair = line.to_str().unwrap().split(';').next().unwrap().to_owned();
                match pair.split_once('=') {
                    Some((name, _)) if name.ends_with(".clockDrift") => format!("{name}=7200000"),
                    _ => pair,
                }
            })
            .collect();
        assert!(
            pairs.iter().any(|p| p.contains(".clockDrift=")),
            "{pairs:?}"
        );
        pairs.join("; ")
    }
}

fn set_cookies<B>(response: &ServiceResponse<B>) -> Vec<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

fn sets_access_token(lines: &[String]) -> bool {
    lines
        .iter()
        .any(|l| l.contains(".accessToken=") && !l.contains("Max-Age=0"))
}

#[actix_web::test]
async fn the_eager_refresh_sends_new_cookies_before_a_streamed_body_reads_the_session() {
    let local = Local::start().await;
    let cookies = local.expired_session().await;
    // The body reads the session while streaming, after the headers were built.
    let streamed = |AmplifyContext(ctx): AmplifyContext| async move {
        let body = futures_util::stream::once(async move {
            let user = amplify_ssr::get_current_user(&ctx).await;
            Ok::<_, Error>(web::Bytes::from(format!("{:?}", user.map(|u| u.username))))
        });
        HttpResponse::Ok().streaming(body)
    };
    let app = test::init_service(
        App::new()
            .route("/streamed", web::get().to(streamed))
            .wrap(AmplifyMiddleware::new(local.runner())),
    )
    .await;
    let request = test::TestRequest::get()
        .uri("/streamed")
        .insert_header((COOKIE, cookies.as_str()));
    let response = test::call_service(&app, request.to_request()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        sets_access_token(&set_cookies(&response)),
        "{:?}",
        set_cookies(&response)
    );
    assert_eq!(
        header(&response, CACHE_CONTROL).as_deref(),
        Some("private, no-store")
    );
    assert_eq!(text(response).await, r#"Ok("alice")"#);

    // Without the eager refresh, the same page loses the refreshed session.
    let app = test::init_service(
        App::new()
            .route("/streamed", web::get().to(streamed))
            .wrap(AmplifyMiddleware::new(local.runner()).refresh_eagerly(false)),
    )
    .await;
    let request = test::TestRequest::get()
        .uri("/streamed")
        .insert_header((COOKIE, cookies.as_str()));
    let response = test::call_service(&app, request.to_request()).await;
    assert!(
        set_cookies(&response).is_empty(),
        "{:?}",
        set_cookies(&response)
    );
    local.backend.shutdown().await;
}

#[actix_web::test]
async fn a_refresh_in_an_extractor_reaches_the_browser_without_the_eager_refresh() {
    let local = Local::start().await;
    let cookies = local.expired_session().await;
    let app = test::init_service(
        App::new()
            .configure(routes)
            .wrap(AmplifyMiddleware::new(local.runner()).refresh_eagerly(false)),
    )
    .await;
    let request = test::TestRequest::get()
        .uri("/api/user")
        .insert_header((COOKIE, cookies.as_str()));
    let response = test::call_service(&app, request.to_request()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        sets_access_token(&set_cookies(&response)),
        "{:?}",
        set_cookies(&response)
    );
    assert_eq!(
        header(&response, CACHE_CONTROL).as_deref(),
        Some("private, no-store")
    );
    assert_eq!(text(response).await, "alice");
    local.backend.shutdown().await;
}

#[actix_web::test]
async fn session_dependent_responses_are_no_store_unless_marked_independent() {
    let local = Local::start().await;
    let cookies = local.expired_session().await;
    let cached = |read: bool, independent: bool| {
        move |AmplifyContext(ctx): AmplifyContext| async move {
            if read {
                let _ = amplify_ssr::get_current_user(&ctx).await;
            }
            let mut response = HttpResponse::Ok()
                .insert_header((CACHE_CONTROL, "public, max-age=60"))
                .body("same for everyone");
            if independent {
                response.extensions_mut().insert(SessionIndependent);
            }
            response
        }
    };
    let app = test::init_service(
        App::new()
            .route("/reads", web::get().to(cached(true, false)))
            .route("/independent", web::get().to(cached(true, true)))
            .route("/untouched", web::get().to(cached(false, false)))
            .wrap(AmplifyMiddleware::new(local.runner()).refresh_eagerly(false)),
    )
    .await;
    let get = |path: &str, cookie: Option<&str>| {
        let mut request = test::TestRequest::get().uri(path);
        if let Some(cookie) = cookie {
            request = request.insert_header((COOKIE, cookie.to_owned()));
        }
        request.to_request()
    };
    for (path, expected) in [
        ("/reads", "private, no-store"),
        ("/independent", "public, max-age=60"),
        ("/untouched", "public, max-age=60"),
    ] {
        let response = test::call_service(&app, get(path, None)).await;
        assert_eq!(
            header(&response, CACHE_CONTROL).as_deref(),
            Some(expected),
            "{path}"
        );
    }
    // A refresh changed session cookies: never cacheable, whatever the handler says.
    let response = test::call_service(&app, get("/independent", Some(&cookies))).await;
    assert!(sets_access_token(&set_cookies(&response)));
    assert_eq!(
        header(&response, CACHE_CONTROL).as_deref(),
        Some("private, no-store")
    );
    local.backend.shutdown().await;
}

/// An inner middleware that refuses with an error instead of a response.
async fn refuse(
    _: ServiceRequest,
    _: actix_web::middleware::Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    Err::<ServiceResponse<String>, _>(actix_web::error::ErrorForbidden("refused"))
}

#[actix_web::test]
async fn errors_and_the_handlers_own_cookies_keep_the_refresh_right() {
    let local = Local::start().await;
    let cookies = local.expired_session().await;
    let access_name = cookies
        .split("; ")
        .find_map(|pair| {
            pair.split_once('=')
                .map(|(n, _)| n)
                .filter(|n| n.ends_with(".accessToken"))
        })
        .unwrap()
        .to_owned();
    let clearing = access_name.clone();
    let app = test::init_service(
        App::new()
            .service(
                web::scope("/refused")
                    .wrap(actix_web::middleware::from_fn(refuse))
                    .route("", web::get().to(|| async { "unreachable" })),
            )
            // A handler that clears the session itself (as sign-out does) after the eager refresh renewed it.
            .route(
                "/clears",
                web::get().to(move || {
                    let name = clearing.clone();
                    async move {
                        HttpResponse::Ok()
                            .insert_header((SET_COOKIE, format!("{name}=; Path=/; Max-Age=0")))
                            .finish()
                    }
                }),
            )
            .wrap(AmplifyMiddleware::new(local.runner())),
    )
    .await;
    let get = |path: &str| {
        test::TestRequest::get()
            .uri(path)
            .insert_header((COOKIE, cookies.as_str()))
            .to_request()
    };

    // The dispatcher turns the error into its response: that response carries the refreshed cookies.
    let error = test::try_call_service(&app, get("/refused"))
        .await
        .unwrap_err();
    let response = error.error_response();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let lines: Vec<String> = response
        .headers()
        .get_all(SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(sets_access_token(&lines), "{lines:?}");
    assert_eq!(
        response.headers().get(CACHE_CONTROL),
        Some(&HeaderValue::from_static("private, no-store"))
    );

    let response = test::call_service(&app, get("/clears")).await;
    let lines = set_cookies(&response);
    let access: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with(&format!("{access_name}=")))
        .collect();
    assert_eq!(access.len(), 1, "{lines:?}");
    assert!(access[0].contains("Max-Age=0"), "{lines:?}");
    // The other refreshed cookies still go out.
    assert!(lines.iter().any(|l| l.contains(".idToken=")), "{lines:?}");
    local.backend.shutdown().await;
}

/// The middleware's context is the one a service inside it sees.
#[actix_web::test]
async fn inner_middleware_reads_the_context_from_extensions() {
    let app = test::init_service(
        App::new()
            .route("/", web::get().to(|| async { "ok" }))
            .wrap_fn(|request, service| {
                let found = request
                    .extensions()
                    .get::<amplify_ssr::ServerContext>()
                    .is_some();
                let call = service.call(request);
                async move {
                    assert!(found, "the context is in the request extensions");
                    call.await
                }
            })
            .wrap(AmplifyMiddleware::new(runner_without_keys().await)),
    )
    .await;
    let response = test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
    assert_eq!(response.status(), StatusCode::OK);
}

/// The `Cookie` header of a fresh session of a new user `username` in `groups`.
async fn session_in_groups(local: &Local, username: &str, groups: &[&str]) -> String {
    local
        .backend
        .create_user(username, PASSWORD, &[("email", "someone@example.com")])
        .unwrap();
    for group in groups {
        local.backend.add_user_to_group(username, group).unwrap();
    }
    let ctx = local.runner().context(&http::HeaderMap::new());
    amplify_ssr::sign_in(&ctx, amplify_ssr::SignInInput::new(username, PASSWORD))
        .await
        .unwrap();
    ctx.set_cookie_headers()
        .iter()
        .map(|line| line.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("; ")
}

#[actix_web::test]
async fn a_group_guard_forbids_outsiders_redirects_the_signed_out_and_serves_members() {
    let local = Local::start().await;
    let app = test::init_service(
        App::new()
            .service(
                web::scope("/admin")
                    .wrap(RequireAuth::new().require_group("admin"))
                    .route("", web::get().to(|| async { "admin" })),
            )
            .wrap(AmplifyMiddleware::new(local.runner())),
    )
    .await;
    let get = |cookie: Option<String>| {
        let mut request = test::TestRequest::get().uri("/admin");
        if let Some(cookie) = cookie {
            request = request.insert_header((COOKIE, cookie));
        }
        request.to_request()
    };

    let response = test::call_service(&app, get(None)).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        header(&response, LOCATION).as_deref(),
        Some("/sign-in?redirect_to=%2Fadmin")
    );

    for (username, groups) in [("olga", &[][..]), ("oleg", &["users", "Admin"][..])] {
        let cookie = session_in_groups(&local, username, groups).await;
        let response = test::call_service(&app, get(Some(cookie))).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            header(&response, CACHE_CONTROL).as_deref(),
            Some("private, no-store")
        );
        assert_eq!(text(response).await, amplify_ssr::guard::FORBIDDEN_BODY);
    }

    let member = session_in_groups(&local, "mia", &["admin"]).await;
    let response = test::call_service(&app, get(Some(member))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(response).await, "admin");
}
