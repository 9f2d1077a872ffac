//! Errors inside the site: a page in the layout for every failure a browser can meet (a backend that failed, a
//! refused request, an unknown URL), with a way back and the technical detail folded away.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use amplify_ssr::ServerContext;

use crate::app::AppState;
use crate::html::{Nav, escape, page};

/// What went wrong, for people.
#[derive(Debug)]
pub(crate) struct Problem {
    pub(crate) status: StatusCode,
    pub(crate) title: &'static str,
    /// What happened and what to do, in plain words.
    pub(crate) message: String,
    /// The technical detail (an error name, a backend's answer), shown folded.
    pub(crate) detail: Option<String>,
    /// Where "Try again" goes (the page that failed), if trying again can help.
    pub(crate) retry: Option<String>,
}

impl Problem {
    /// A backend call that failed (Data, Storage, Cognito): 502, with a retry link.
    pub(crate) fn backend(what: &str, detail: impl std::fmt::Display, retry: &str) -> Self {
        let detail = detail.to_string();
        // The detail goes to the log in full; the page shows it folded, never secrets (errors carry none).
        tracing::warn!(error = %detail, "{what} failed");
        Self {
            status: StatusCode::BAD_GATEWAY,
            title: "Something went wrong",
            message: format!(
                "{what} failed. The backend did not answer as expected; this is usually temporary."
            ),
            detail: Some(detail),
            retry: Some(retry.to_owned()),
        }
    }

    /// The page for `status` when nothing more specific is known (a refusal from an extractor or a guard).
    fn for_status(status: StatusCode, detail: Option<String>) -> Self {
        let (title, message) = match status {
            StatusCode::NOT_FOUND => (
                "Page not found",
                "There is no page at this address. It may have moved, or the link may be mistyped.",
            ),
            StatusCode::FORBIDDEN => (
                "Not allowed",
                "Your account is not allowed to do this. If you think it should be, ask an administrator.",
            ),
            StatusCode::UNAUTHORIZED => ("Sign in needed", "Sign in to see this page."),
            status if status.is_server_error() => (
                "Something went wrong",
                "The server could not answer this request. Try again in a moment.",
            ),
            _ => (
                "This request could not be handled",
                "The page sent something the server could not use. Go back and try again.",
            ),
        };
        Self {
            status,
            title,
            message: message.to_owned(),
            detail,
            retry: None,
        }
    }

    /// The page, in the layout.
    pub(crate) fn render(&self, nav: &Nav) -> Response {
        let mut body = format!(
            r#"<div class="card" id="problem"><p class="error" role="alert">{}</p><div class="actions">"#,
            escape(&self.message)
        );
        if let Some(retry) = &self.retry {
            body.push_str(&format!(
                r#"<a class="button" id="retry" href="{}">Try again</a>"#,
                escape(retry)
            ));
        }
        body.push_str(r#"<a class="button secondary" href="/">Go to the home page</a></div>"#);
        if let Some(detail) = &self.detail {
            body.push_str(&format!(
                r#"<details class="technical"><summary>Technical detail (HTTP {})</summary><pre id="problem-detail">{}</pre></details>"#,
                self.status.as_u16(),
                escape(detail)
            ));
        }
        body.push_str("</div>");
        (
            self.status,
            [(header::CACHE_CONTROL, "no-store")],
            Html(page(self.title, nav, &body)),
        )
            .into_response()
    }
}

/// The fallback route: a 404 page in the layout (a plain 404 under the paths programs call).
pub(crate) async fn not_found(
    ctx: ServerContext,
    State(state): State<AppState>,
    uri: axum::http::Uri,
) -> Response {
    if answers_programs(uri.path()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let nav = state.nav(&ctx).await;
    Problem::for_status(StatusCode::NOT_FOUND, None).render(&nav)
}

/// Paths whose answers are for programs, not people: never turned into pages.
fn answers_programs(path: &str) -> bool {
    [
        "/api/",
        "/apis/",
        "/functions/",
        "/assets/",
        "/files/upload-url",
    ]
    .iter()
    .any(|prefix| path.starts_with(prefix))
}

/// The most of a refusal's text body read to show it as the technical detail.
const MAX_DETAIL_BYTES: usize = 2048;

/// Middleware: a browser (`Accept: text/html`) that gets an error answer without a page (axum's plain-text
/// refusals, a guard's 403) gets the site's error page instead, with the original text as its detail. Programs
/// (JSON APIs, the function endpoint, fetch calls) get the original answer.
pub(crate) async fn error_pages(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let wants_page = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
        && !answers_programs(request.uri().path());
    let ctx = request.extensions().get::<ServerContext>().cloned();
    let response = next.run(request).await;
    let status = response.status();
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if !wants_page || is_page || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let detail = axum::body::to_bytes(body, MAX_DETAIL_BYTES)
        .await
        .ok()
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_owned())
        .filter(|text| !text.is_empty());
    let nav = match &ctx {
        Some(ctx) => state.nav(ctx).await,
        None => state.signed_out_nav(),
    };
    let rendered = Problem::for_status(status, detail).render(&nav);
    // The original headers stay (Set-Cookie, Cache-Control, WWW-Authenticate), with the page's type and length.
    parts.headers.remove(header::CONTENT_LENGTH);
    let (page_parts, page_body) = rendered.into_parts();
    for (name, value) in &page_parts.headers {
        parts.headers.insert(name, value.clone());
    }
    Response::from_parts(parts, Body::new(page_body))
}

/// The security headers of every answer; `csp` is the Content-Security-Policy built for the backend's origins.
pub(crate) async fn security_headers(
    State(csp): State<HeaderValue>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // An answer that brings its own policy keeps it: the auth routes' redirect page allows its script by hash,
    // and the sign-in callback sends `no-referrer` (its URL carries the authorization code).
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(csp);
    headers
        .entry(header::X_FRAME_OPTIONS)
        .or_insert(HeaderValue::from_static("DENY"));
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("same-origin"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// The pages' Content-Security-Policy: scripts and styles from the app only (none inline), no framing, forms
/// posted to the app, images and uploads from `storage` (the S3 origins presigned URLs point to). The auth routes'
/// pages that post or redirect elsewhere bring their own policy, which [`security_headers`] keeps.
pub(crate) fn content_security_policy(storage: &[String]) -> HeaderValue {
    let storage = storage.join(" ");
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: {storage}; \
         connect-src 'self' {storage}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; \
         object-src 'none'"
    );
    // The origins are serialised URL origins (no quotes, no control characters); the fallback keeps pages up.
    HeaderValue::from_str(&policy).unwrap_or_else(|_| {
        HeaderValue::from_static(
            "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_storage_and_nothing_inline() {
        let csp = content_security_policy(&["http://127.0.0.1:4001".to_owned()]);
        let csp = csp.to_str().unwrap();
        assert!(csp.contains("form-action 'self';"), "{csp}");
        assert!(
            csp.contains("img-src 'self' data: http://127.0.0.1:4001;"),
            "{csp}"
        );
        assert!(
            csp.contains("connect-src 'self' http://127.0.0.1:4001;"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    }

    #[tokio::test]
    async fn error_pages_keep_the_detail_folded_and_escaped() {
        let problem = Problem::for_status(StatusCode::FORBIDDEN, Some("<no>".to_owned()));
        assert_eq!(problem.title, "Not allowed");
        let response = problem.render(&Nav::default());
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        let html = String::from_utf8(body.to_vec()).expect("utf-8");
        assert!(
            html.contains(r#"<details class="technical">"#) && html.contains("&lt;no&gt;"),
            "{html}"
        );
        assert!(!html.contains("<no>"), "{html}");
    }

    #[tokio::test]
    async fn an_answer_keeps_the_policies_it_brings() {
        use tower::ServiceExt as _;
        let csp = content_security_policy(&[]);
        let app = axum::Router::new()
            .route(
                "/own",
                axum::routing::get(|| async {
                    (
                        [
                            (header::REFERRER_POLICY, "no-referrer"),
                            (header::CONTENT_SECURITY_POLICY, "default-src 'none'"),
                        ],
                        "x",
                    )
                }),
            )
            .route("/plain", axum::routing::get(|| async { "x" }))
            .layer(axum::middleware::from_fn_with_state(csp, security_headers));
        let get = |path: &'static str| {
            app.clone()
                .oneshot(Request::get(path).body(Body::empty()).expect("request"))
        };
        let own = get("/own").await.expect("answer");
        assert_eq!(own.headers()[header::REFERRER_POLICY], "no-referrer");
        assert_eq!(
            own.headers()[header::CONTENT_SECURITY_POLICY],
            "default-src 'none'"
        );
        assert_eq!(own.headers()[header::X_FRAME_OPTIONS], "DENY");
        let plain = get("/plain").await.expect("answer");
        assert_eq!(plain.headers()[header::REFERRER_POLICY], "same-origin");
        assert!(
            plain.headers()[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .starts_with("default-src 'self'")
        );
        assert_eq!(plain.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    }
}
