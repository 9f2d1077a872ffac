//! CORS for browser clients (aws-amplify in a page): only the app origins
//! ([`crate::LocalOptions::app_origins`]) get it, and only for what a
//! browser client calls: the user-pool operations of sign-up, sign-in and
//! the signed-in user, the identity pool, `/graphql`, `/oauth2/token`,
//! `/oauth2/revoke`, `/oauth2/userInfo`, the discovery documents and JWKS,
//! and the S3 port.
//!
//! Admin operations stay out of a web page's reach: they need a signed
//! request, and the preflight that would let a page send `Authorization`
//! to `POST /` is refused (a preflight cannot tell which operation follows,
//! and only admin operations take that header there); their responses
//! never carry `Access-Control-Allow-Origin`; and they refuse any request
//! with an `Origin` ([`crate::user_pool`]).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

/// Headers a preflight may ask for when it names none.
const ALLOWED_HEADERS: &str = "authorization, content-type, x-amz-target, x-amz-user-agent, \
     amz-sdk-invocation-id, amz-sdk-request, cache-control, x-amz-date, x-amz-security-token, \
     x-amz-content-sha256, x-api-key, content-md5, content-disposition, range, x-amz-copy-source";
const EXPOSED_HEADERS: &str = "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date, \
     ETag, x-amz-request-id, x-amz-id-2, x-amz-version-id, Content-Length, Content-Range, \
     Content-Type, Content-Disposition, Last-Modified";
/// How long a browser may cache a preflight answer.
const MAX_AGE_SECS: &str = "600";

/// The main port's CORS.
pub(crate) async fn api(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    guard(&state, Port::Api, request, next).await
}

/// The S3 port's CORS (browsers PUT to presigned URLs and read `ETag`).
pub(crate) async fn storage(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    guard(&state, Port::Storage, request, next).await
}

/// Which server a request reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Port {
    Api,
    Storage,
}

/// Why a cross-origin request gets no CORS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closed {
    /// The origin is not an app origin.
    Origin,
    /// The endpoint is not one a browser client calls.
    Endpoint,
    /// `Authorization` on `POST /`: only admin operations take it.
    Admin,
}

impl Port {
    /// The methods a preflight may be granted.
    fn methods(self) -> &'static str {
        match self {
            Self::Api => "GET, POST",
            Self::Storage => "GET, PUT, POST, DELETE, HEAD",
        }
    }

    /// Whether a browser client calls `method path` (with `X-Amz-Target`
    /// `target`, unknown for a preflight).
    fn is_open(self, method: &Method, path: &str, target: Option<&str>) -> bool {
        if self == Self::Storage {
            return true;
        }
        match path {
            "/" => *method == Method::POST && target.is_none_or(is_browser_target),
            "/graphql" | "/oauth2/token" | "/oauth2/revoke" => *method == Method::POST,
            "/oauth2/userInfo" => *method == Method::POST || *method == Method::GET,
            _ => {
                *method == Method::GET
                    && (path.ends_with("/.well-known/jwks.json")
                        || path.ends_with("/.well-known/openid-configuration"))
            }
        }
    }
}

/// Whether an `X-Amz-Target` names an operation browser clients call.
fn is_browser_target(target: &str) -> bool {
    let user_pool = target
        .strip_prefix(crate::user_pool::TARGET_PREFIX)
        .is_some_and(|operation| crate::user_pool::BROWSER_OPERATIONS.contains(&operation));
    let identity = target
        .strip_prefix(crate::identity::TARGET_PREFIX)
        .is_some_and(|operation| crate::identity::BROWSER_OPERATIONS.contains(&operation));
    user_pool || identity
}

/// Whether `origin` is one of the app origins, compared as origins
/// (scheme, host and port, case and default ports aside): a client that
/// writes `http://localhost:80` means `http://localhost`.
fn is_app_origin(state: &AppState, origin: &str) -> bool {
    let Some(origin) = web_origin(origin) else {
        return false;
    };
    state
        .options
        .app_origins
        .iter()
        .any(|app| web_origin(app).as_ref() == Some(&origin))
}

/// The origin an `Origin` value names; `None` for `null`, opaque origins
/// and anything that is not a bare `scheme://host[:port]`.
fn web_origin(text: &str) -> Option<url::Origin> {
    let url = url::Url::parse(text).ok()?;
    let bare = url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    let origin = url.origin();
    (bare && origin.is_tuple()).then_some(origin)
}

fn text(headers: &HeaderMap, name: impl header::AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

async fn guard(state: &AppState, port: Port, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let origin = text(headers, header::ORIGIN).map(str::to_owned);
    let path = request.uri().path().to_owned();
    if request.method() == Method::OPTIONS
        && let Some(method) = text(headers, header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        let method = Method::from_bytes(method.as_bytes()).unwrap_or(Method::OPTIONS);
        let requested = text(headers, header::ACCESS_CONTROL_REQUEST_HEADERS)
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let origin = origin.unwrap_or_default();
        let closed = if !is_app_origin(state, &origin) {
            Some(Closed::Origin)
        } else if !port.is_open(&method, &path, None) {
            Some(Closed::Endpoint)
        } else if port == Port::Api
            && path == "/"
            && requested
                .split(',')
                .any(|name| name.trim() == "authorization")
        {
            Some(Closed::Admin)
        } else {
            None
        };
        return match closed {
            Some(closed) => refused_preflight(&origin, closed),
            None => granted_preflight(&origin, port, &requested),
        };
    }
    // An actual request is judged by its operation (none: not a browser one).
    let target = text(headers, "x-amz-target").unwrap_or_default().to_owned();
    let open = origin.as_deref().filter(|origin| {
        is_app_origin(state, origin) && port.is_open(request.method(), &path, Some(&target))
    });
    let open = open.and_then(|origin| HeaderValue::from_str(origin).ok());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.remove(header::ACCESS_CONTROL_ALLOW_ORIGIN);
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = open {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
    }
    response
}

fn granted_preflight(origin: &str, port: Port, requested: &str) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    if let Ok(origin) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(port.methods()),
    );
    let allowed = if requested.is_empty() {
        HeaderValue::from_static(ALLOWED_HEADERS)
    } else {
        HeaderValue::from_str(requested).unwrap_or(HeaderValue::from_static(ALLOWED_HEADERS))
    };
    headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, allowed);
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(MAX_AGE_SECS),
    );
    response
}

fn refused_preflight(origin: &str, closed: Closed) -> Response {
    let reason = match closed {
        Closed::Origin => format!(
            "{origin:?} is not an app origin of amplify-local; start it with --app-origin {origin} \
             (or LocalOptions::app_origins) to let that page call it"
        ),
        Closed::Endpoint => "this endpoint is not one a browser client calls".to_owned(),
        Closed::Admin => "admin operations (the only ones that take Authorization on POST /) \
                          cannot be called from a web page; call them from a server or a script"
            .to_owned(),
    };
    tracing::info!(origin, ?closed, "CORS preflight refused");
    let mut response = (
        StatusCode::FORBIDDEN,
        format!("amplify-local refused a cross-origin request: {reason}.\n"),
    )
        .into_response();
    // The `String` body sets `text/plain; charset=utf-8`.
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Origin"));
    response
}

#[cfg(test)]
mod tests {
    use super::web_origin;

    #[test]
    fn origins_compare_without_default_ports_or_case() {
        let same = |a: &str, b: &str| web_origin(a).is_some() && web_origin(a) == web_origin(b);
        assert!(same("http://localhost:80", "http://localhost"));
        assert!(same("http://localhost", "http://localhost:80"));
        assert!(same(
            "https://app.example.com:443",
            "https://app.example.com"
        ));
        assert!(same("HTTP://LocalHost:3000", "http://localhost:3000"));
        assert!(same("http://localhost:3000/", "http://localhost:3000"));
        assert!(!same("http://localhost:443", "https://localhost"));
        assert!(!same("http://localhost:3000", "http://localhost:3001"));
        assert!(!same("http://localhost:3000", "https://localhost:3000"));
        assert!(!same("http://127.0.0.1:3000", "http://localhost:3000"));
        for not_an_origin in [
            "null",
            "",
            "file:///etc",
            "http://localhost:3000/app",
            "http://user@localhost:3000",
            "http://localhost:3000?x",
        ] {
            assert_eq!(web_origin(not_an_origin), None, "{not_an_origin}");
        }
    }
}
