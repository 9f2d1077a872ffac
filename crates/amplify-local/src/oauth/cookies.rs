//! The cookies of the managed-login pages. Browsers do not separate cookies
//! by port, so every name ends with the server's port: two amplify-local
//! instances on one host keep their own sessions.

use axum::http::{HeaderMap, HeaderValue, header};

use crate::LocalError;
use crate::state::AppState;

/// `<prefix>_<port>`.
pub(crate) fn name(state: &AppState, prefix: &str) -> String {
    match url::Url::parse(&state.base_url)
        .ok()
        .and_then(|url| url.port_or_known_default())
    {
        Some(port) => format!("{prefix}_{port}"),
        None => prefix.to_owned(),
    }
}

/// The (first) non-empty value of a request cookie.
pub(crate) fn value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(candidate, _)| *candidate == name)
        .map(|(_, value)| value.trim_matches('"'))
        .filter(|value| !value.is_empty())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, with a lifetime.
pub(crate) fn set(
    name: &str,
    value: &str,
    path: &str,
    max_age_secs: i64,
) -> Result<HeaderValue, LocalError> {
    HeaderValue::from_str(&format!(
        "{name}={value}; HttpOnly; SameSite=Lax; Path={path}; Max-Age={max_age_secs}"
    ))
    .map_err(|_| LocalError::CorruptData(format!("cookie {name}")))
}

/// A `Set-Cookie` value that removes a cookie.
pub(crate) fn clear(name: &str, path: &str) -> Result<HeaderValue, LocalError> {
    HeaderValue::from_str(&format!(
        "{name}=; HttpOnly; SameSite=Lax; Path={path}; Max-Age=0"
    ))
    .map_err(|_| LocalError::CorruptData(format!("cookie {name}")))
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue, header};

    use super::value;

    #[test]
    fn finds_a_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; amplify_local_session_4000=\"xyz\"; b="),
        );
        assert_eq!(value(&headers, "amplify_local_session_4000"), Some("xyz"));
        assert_eq!(value(&headers, "amplify_local_session"), None);
        assert_eq!(value(&headers, "b"), None);
    }
}
