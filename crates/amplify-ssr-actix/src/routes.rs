//! [`auth_scope`]: the managed-login routes of [`AuthRoutes`] as an actix-web scope.

use actix_web::http::header::ALLOW;
use actix_web::{HttpRequest, HttpResponse, Scope, web};
use amplify_ssr::auth::routes::AuthRoutes;

use crate::headers::{to_actix_response, to_http_headers};

/// A scope at `path` serving `/{slug}` (`sign-in`, `sign-up`, `sign-out`, `sign-in-callback`,
/// `sign-out-callback`) with `routes`, mounted in one line. The app client's callback URLs must match the path:
///
/// ```no_run
/// use actix_web::App;
/// use amplify_ssr::auth::routes::{AuthRoutes, AuthRoutesOptions};
/// use amplify_ssr::{AmplifyConfig, ServerRunner};
/// use amplify_ssr_actix::{AmplifyMiddleware, auth_scope};
///
/// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let runner = ServerRunner::builder(AmplifyConfig::from_path("amplify_outputs.json")?)
///     .app_origin("https://app.example.com")
///     .build()?;
/// let routes = AuthRoutes::new(runner.clone(), AuthRoutesOptions::default())?;
/// // Callback URLs: https://app.example.com/api/auth/sign-in-callback and .../sign-out-callback
/// let app = App::new()
///     .service(auth_scope("/api/auth", routes))
///     .wrap(AmplifyMiddleware::new(runner));
/// # let _ = app;
/// # Ok(()) }
/// ```
///
/// Every method reaches the routes, so non-`GET` requests get `405` with `Allow: GET`; other paths under the
/// scope get `404`. The routes write their own cookies: put the scope inside
/// [`AmplifyMiddleware`](crate::AmplifyMiddleware) all the same, whose eager refresh then never overrides them
/// (a cookie the response sets itself wins).
pub fn auth_scope(path: &str, routes: AuthRoutes) -> Scope {
    web::scope(path)
        .app_data(web::Data::new(routes))
        .route("/{slug}", web::route().to(handle))
}

async fn handle(
    routes: web::Data<AuthRoutes>,
    slug: web::Path<String>,
    request: HttpRequest,
) -> HttpResponse {
    let Ok(method) = http::Method::from_bytes(request.method().as_str().as_bytes()) else {
        return HttpResponse::MethodNotAllowed()
            .insert_header((ALLOW, "GET"))
            .finish();
    };
    let path_and_query = request.uri().path_and_query().map_or("/", |p| p.as_str());
    // Only the query is read; a URI http 1 refuses (it accepts what http 0.2 does) loses it.
    let uri = http::Uri::try_from(path_and_query).unwrap_or_else(|_| http::Uri::from_static("/"));
    let response = routes
        .handle(&method, &slug, &uri, &to_http_headers(request.headers()))
        .await;
    to_actix_response(response)
}
