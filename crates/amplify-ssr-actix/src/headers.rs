//! The edge between actix-web 4 (on `http` 0.2) and `amplify-ssr` (on `http` 1): request headers in, the
//! context's `Set-Cookie` and `Cache-Control` out, and the managed-login routes' responses.
//!
//! Both `http` versions accept the same bytes in names and values, so a conversion only fails for a value one
//! of them would reject; such a header is dropped (and logged), never a panic.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{
    CACHE_CONTROL, HeaderMap as ActixHeaderMap, HeaderName as ActixHeaderName,
    HeaderValue as ActixHeaderValue, SET_COOKIE,
};
use amplify_ssr::{ServerContext, SessionIndependent};

/// The request headers of actix-web as an `http` 1 [`http::HeaderMap`] (what
/// [`ServerRunner::context`](amplify_ssr::ServerRunner::context), [`amplify_ssr::same_origin::check`] and
/// [`AuthRoutes::handle`](amplify_ssr::auth::routes::AuthRoutes::handle) read). Every value of a repeated header
/// is kept, in order; a header `http` 1 would reject is dropped.
#[must_use]
pub fn to_http_headers(headers: &ActixHeaderMap) -> http::HeaderMap {
    let mut converted = http::HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let name = http::HeaderName::from_bytes(name.as_str().as_bytes());
        let value = http::HeaderValue::from_bytes(value.as_bytes());
        match (name, value) {
            (Ok(name), Ok(value)) => {
                converted.append(name, value);
            }
            _ => tracing::debug!("dropped a request header that http 1 does not accept"),
        }
    }
    converted
}

/// One `http` 1 header as actix-web's, or `None` (logged) when actix-web would reject it.
pub(crate) fn to_actix_header(
    name: &http::HeaderName,
    value: &http::HeaderValue,
) -> Option<(ActixHeaderName, ActixHeaderValue)> {
    let converted = ActixHeaderName::from_bytes(name.as_str().as_bytes())
        .ok()
        .zip(ActixHeaderValue::from_bytes(value.as_bytes()).ok());
    if converted.is_none() {
        tracing::error!(header = %name, "dropped a response header that actix-web does not accept");
    }
    converted
}

/// Writes `ctx`'s pending cookie changes to `response`, with `Cache-Control: private, no-store` when the
/// response depends on the session, by the rules of [`ServerContext::apply_to_response`]: a response with
/// [`SessionIndependent`] in its extensions keeps its own `Cache-Control`, and a cookie the response already sets
/// itself (sign-out clearing the session) keeps the response's value.
pub(crate) fn write_context<B>(ctx: &ServerContext, response: &mut HttpResponse<B>) {
    // The core decides on an `http` 1 copy of what it looks at (the response's own cookies and its opt-out);
    // what it adds is copied back.
    let mut decided = http::Response::new(());
    if response.extensions().contains::<SessionIndependent>() {
        decided.extensions_mut().insert(SessionIndependent);
    }
    for value in response.headers().get_all(SET_COOKIE) {
        if let Ok(value) = http::HeaderValue::from_bytes(value.as_bytes()) {
            decided
                .headers_mut()
                .append(http::header::SET_COOKIE, value);
        }
    }
    let already_set = decided
        .headers()
        .get_all(http::header::SET_COOKIE)
        .iter()
        .count();
    ctx.apply_to_response(&mut decided);
    let headers = response.headers_mut();
    let added = decided
        .headers()
        .get_all(http::header::SET_COOKIE)
        .iter()
        .skip(already_set);
    for value in added {
        if let Some((name, value)) = to_actix_header(&http::header::SET_COOKIE, value) {
            headers.append(name, value);
        }
    }
    if let Some(value) = decided.headers().get(http::header::CACHE_CONTROL)
        && let Some((_, value)) = to_actix_header(&http::header::CACHE_CONTROL, value)
    {
        headers.insert(CACHE_CONTROL, value);
    }
}

/// An `http` 1 status as actix-web's (`500`, logged, for one it does not accept).
pub(crate) fn to_actix_status(status: http::StatusCode) -> StatusCode {
    StatusCode::from_u16(status.as_u16()).unwrap_or_else(|_| {
        tracing::error!(%status, "a status actix-web does not accept; answering 500");
        StatusCode::INTERNAL_SERVER_ERROR
    })
}

/// An `http` 1 response (the managed-login routes' answer) as an actix-web response.
pub(crate) fn to_actix_response(response: http::Response<String>) -> HttpResponse {
    let (parts, body) = response.into_parts();
    let mut converted =
        HttpResponse::with_body(to_actix_status(parts.status), body).map_into_boxed_body();
    let headers = converted.headers_mut();
    for (name, value) in &parts.headers {
        if let Some((name, value)) = to_actix_header(name, value) {
            headers.append(name, value);
        }
    }
    converted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_headers_keep_every_value_in_order() {
        let mut actix = ActixHeaderMap::new();
        actix.append(
            ActixHeaderName::from_static("cookie"),
            ActixHeaderValue::from_static("a=1"),
        );
        actix.append(
            ActixHeaderName::from_static("cookie"),
            ActixHeaderValue::from_static("b=2"),
        );
        actix.insert(
            ActixHeaderName::from_static("x-empty"),
            ActixHeaderValue::from_static(""),
        );
        // obs-text (bytes above 0x7F) is valid in both versions and must survive byte for byte.
        actix.insert(
            ActixHeaderName::from_static("x-latin1"),
            ActixHeaderValue::from_bytes(b"caf\xe9").unwrap(),
        );
        let converted = to_http_headers(&actix);
        let cookies: Vec<_> = converted.get_all(http::header::COOKIE).iter().collect();
        assert_eq!(cookies, ["a=1", "b=2"]);
        assert_eq!(converted["x-empty"], "");
        assert_eq!(converted["x-latin1"].as_bytes(), b"caf\xe9");
        assert_eq!(converted.len(), 4);
        assert!(to_http_headers(&ActixHeaderMap::new()).is_empty());
    }

    #[test]
    fn response_headers_convert_and_keep_repeats() {
        let response = http::Response::builder()
            .status(http::StatusCode::FOUND)
            .header(http::header::LOCATION, "/sign-in")
            .header(http::header::SET_COOKIE, "a=1; Path=/")
            .header(http::header::SET_COOKIE, "b=2; Path=/")
            .header(
                "x-latin1",
                http::HeaderValue::from_bytes(b"caf\xe9").unwrap(),
            )
            .body("moved".to_owned())
            .unwrap();
        let converted = to_actix_response(response);
        assert_eq!(converted.status(), StatusCode::FOUND);
        assert_eq!(converted.headers().get("location").unwrap(), "/sign-in");
        let cookies: Vec<_> = converted.headers().get_all(SET_COOKIE).collect();
        assert_eq!(cookies, ["a=1; Path=/", "b=2; Path=/"]);
        assert_eq!(
            converted.headers().get("x-latin1").unwrap().as_bytes(),
            b"caf\xe9"
        );
    }
}
