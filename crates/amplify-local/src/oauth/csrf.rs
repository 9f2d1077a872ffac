//! Login-CSRF protection of the managed-login forms (double-submit token).
//!
//! Every page with a form sets an HttpOnly, SameSite=Lax cookie holding a
//! random token and puts the same token in the form's hidden `_csrf` field.
//! A POST is accepted only when both are present and equal (compared in
//! constant time), `Sec-Fetch-Site` is not `cross-site`, and an `Origin`
//! header, when sent, names this server (the host of the request). The
//! Origin check also stops pages of other ports on the same host, which are
//! "same-site" and could plant a cookie (cookies ignore ports).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use super::cookies;
use super::params::Params;
use crate::LocalError;
use crate::ids;
use crate::pages::CSRF_FIELD;
use crate::state::AppState;

/// The cookie name (before the `_<port>` suffix).
const COOKIE_PREFIX: &str = "amplify_local_csrf";
/// The token lifetime; every page showing a form renews it.
const TTL_SECS: i64 = 3600;
/// Random bytes per token (43 base64url characters).
const TOKEN_BYTES: usize = 32;

fn well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The token a rendered form carries, and the cookie that goes with it.
#[derive(Debug, Clone)]
pub(crate) struct Csrf {
    token: String,
    cookie: HeaderValue,
}

impl Csrf {
    fn with_token(state: &AppState, token: String) -> Result<Self, LocalError> {
        let cookie = cookies::set(&cookies::name(state, COOKIE_PREFIX), &token, "/", TTL_SECS)?;
        Ok(Self { token, cookie })
    }

    /// A new random token.
    pub(crate) fn fresh(state: &AppState) -> Result<Self, LocalError> {
        let token = ids::opaque_token(TOKEN_BYTES)
            .map_err(|e| LocalError::PasswordMaterial(e.to_string()))?;
        Self::with_token(state, token)
    }

    /// The browser's current token (so several open tabs keep working), or a
    /// new one.
    pub(crate) fn for_page(state: &AppState, headers: &HeaderMap) -> Result<Self, LocalError> {
        match cookies::value(headers, &cookies::name(state, COOKIE_PREFIX)) {
            Some(token) if well_formed(token) => Self::with_token(state, token.to_owned()),
            _ => Self::fresh(state),
        }
    }

    /// The value of the hidden `_csrf` field.
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    /// Adds the token cookie to a page.
    pub(crate) fn attach(&self, mut response: Response) -> Response {
        response
            .headers_mut()
            .append(header::SET_COOKIE, self.cookie.clone());
        response
    }
}

/// Turns a re-rendered form into the answer to a refused post (403).
pub(crate) fn forbidden(mut response: Response) -> Response {
    *response.status_mut() = StatusCode::FORBIDDEN;
    response
}

/// Whether the request comes from a page of this server, as far as the
/// browser tells: not `Sec-Fetch-Site: cross-site`, and `Origin` (if sent)
/// is the request's own host.
fn from_this_origin(headers: &HeaderMap) -> bool {
    let header_text = |name: header::HeaderName| {
        headers
            .get(name)
            .map(|value| value.to_str().unwrap_or("\u{fffd}").trim())
    };
    if header_text(header::HeaderName::from_static("sec-fetch-site"))
        .is_some_and(|site| site.eq_ignore_ascii_case("cross-site"))
    {
        return false;
    }
    match (header_text(header::ORIGIN), header_text(header::HOST)) {
        (Some(origin), Some(host)) => origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            .is_some_and(|authority| authority.eq_ignore_ascii_case(host)),
        _ => true,
    }
}

/// Checks a form POST: the origin headers and the double-submit token.
pub(crate) fn verify(state: &AppState, headers: &HeaderMap, params: &Params) -> bool {
    if !from_this_origin(headers) {
        tracing::warn!("managed login: cross-site form post refused");
        return false;
    }
    let cookie = cookies::value(headers, &cookies::name(state, COOKIE_PREFIX));
    let field = params.get(CSRF_FIELD);
    let valid = match (cookie, field) {
        (Some(cookie), Some(field)) => {
            well_formed(cookie)
                && aws_lc_rs::constant_time::verify_slices_are_equal(
                    cookie.as_bytes(),
                    field.as_bytes(),
                )
                .is_ok()
        }
        _ => false,
    };
    if !valid {
        tracing::warn!("managed login: form post without a matching anti-CSRF token refused");
    }
    valid
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue};

    use super::{from_this_origin, well_formed};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn origin_checks() {
        assert!(from_this_origin(&headers(&[])));
        assert!(from_this_origin(&headers(&[
            ("sec-fetch-site", "same-origin"),
            ("origin", "http://127.0.0.1:4000"),
            ("host", "127.0.0.1:4000"),
        ])));
        assert!(!from_this_origin(&headers(&[(
            "sec-fetch-site",
            "cross-site"
        )])));
        // Another port of the same host is same-site, but not this server.
        assert!(!from_this_origin(&headers(&[
            ("sec-fetch-site", "same-site"),
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:4000"),
        ])));
        assert!(!from_this_origin(&headers(&[
            ("origin", "null"),
            ("host", "127.0.0.1:4000"),
        ])));
    }

    #[test]
    fn tokens_are_43_base64url_characters() {
        assert!(well_formed("abcdefghijklmnopqrstuvwxyzABCDEFGHIJK-_0123"));
        assert!(!well_formed("short"));
        assert!(!well_formed("abcdefghijklmnopqrstuvwxyzABCDEFGHIJK-_012="));
    }
}
