//! Permissive CORS, so a browser `aws-amplify` client can call the backend.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

const ALLOWED_HEADERS: &str = "authorization, content-type, x-amz-target, x-amz-user-agent, \
     amz-sdk-invocation-id, amz-sdk-request, cache-control, x-amz-date, x-amz-security-token, \
     x-amz-content-sha256, x-api-key, content-md5, content-disposition, cache-control, range, \
     x-amz-copy-source";
const EXPOSED_HEADERS: &str = "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date, \
     ETag, x-amz-request-id, x-amz-id-2, x-amz-version-id, Content-Length, Content-Range, \
     Content-Type, Content-Disposition, Last-Modified";

/// Answers preflights and adds `Access-Control-Allow-Origin: *` to every response.
pub(crate) async fn cors(request: Request, next: Next) -> Response {
    if request.method() == Method::OPTIONS {
        let requested = request
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .cloned();
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        add_common(headers);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, PUT, DELETE, HEAD, OPTIONS"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            requested.unwrap_or(HeaderValue::from_static(ALLOWED_HEADERS)),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
        return response;
    }
    let mut response = next.run(request).await;
    add_common(response.headers_mut());
    response
}

fn add_common(headers: &mut HeaderMap) {
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSED_HEADERS),
    );
}
