//! Refuses requests whose `Host` is not a loopback address or a configured
//! host name ([`crate::LocalOptions::allowed_hosts`]). A web page that
//! points its own domain at 127.0.0.1 (DNS rebinding) would otherwise talk
//! to the backend as a same-origin page, past every CORS rule.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::LocalError;
use crate::state::AppState;

/// The loopback names every request may use.
const LOOPBACK: [&str; 3] = ["127.0.0.1", "localhost", "[::1]"];

/// The host name of a `Host` value (`name`, `name:port`, `[v6]:port`).
fn host_name(value: &str) -> &str {
    if value.starts_with('[') {
        return value.find(']').map_or(value, |end| &value[..=end]);
    }
    match value.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => value,
    }
}

/// Whether `name` is a loopback name or one of `allowed`.
fn is_allowed(name: &str, allowed: &[String]) -> bool {
    LOOPBACK
        .iter()
        .copied()
        .chain(allowed.iter().map(String::as_str))
        .any(|known| known.eq_ignore_ascii_case(name))
}

/// Checks a configured host name: a DNS name or an IP address, without a
/// scheme, port or path.
pub(crate) fn check_allowed_host(name: &str) -> Result<(), LocalError> {
    let valid = !name.is_empty()
        && name.len() <= 253
        && (name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            || (name.starts_with('[')
                && name.ends_with(']')
                && name[1..name.len() - 1]
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')));
    if valid {
        Ok(())
    } else {
        Err(LocalError::InvalidOption {
            what: "allowed host",
            value: name.to_owned(),
            reason: "give a host name or IP address only, without scheme, port or path",
        })
    }
}

/// The middleware: passes requests for an allowed host, answers others
/// `421 Misdirected Request` with the fix.
pub(crate) async fn check(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()))
        .unwrap_or_default();
    let name = host_name(host);
    if is_allowed(name, &state.options.allowed_hosts) {
        return next.run(request).await;
    }
    tracing::warn!(
        host,
        "request for a host amplify-local does not serve refused"
    );
    let message = format!(
        "amplify-local refused a request for host {name:?}: it answers only requests for \
         127.0.0.1, localhost or [::1] (so that web pages cannot reach it through DNS \
         rebinding). To use another name, start it with --allowed-host {name}.\n"
    );
    // A `String` body goes out as `text/plain; charset=utf-8`.
    (StatusCode::MISDIRECTED_REQUEST, message).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_lose_their_port() {
        assert_eq!(host_name("127.0.0.1:4000"), "127.0.0.1");
        assert_eq!(host_name("localhost"), "localhost");
        assert_eq!(host_name("[::1]:4000"), "[::1]");
        assert_eq!(host_name("[::1]"), "[::1]");
        assert_eq!(host_name("evil.example:80"), "evil.example");
        assert_eq!(host_name("a:b"), "a:b");
    }

    #[test]
    fn only_loopback_and_configured_names_pass() {
        let configured = vec!["dev.example.test".to_owned()];
        for name in [
            "127.0.0.1",
            "localhost",
            "LOCALHOST",
            "[::1]",
            "dev.example.test",
        ] {
            assert!(is_allowed(name, &configured), "{name}");
        }
        for name in [
            "",
            "evil.example",
            "127.0.0.2",
            "localhost.",
            "sub.localhost",
            "0.0.0.0",
        ] {
            assert!(!is_allowed(name, &configured), "{name}");
        }
    }

    #[test]
    fn configured_names_are_bare_hosts() {
        for good in ["dev.example.test", "10.0.0.5", "[fe80::1]"] {
            assert!(check_allowed_host(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "http://dev.test",
            "dev.test:8080",
            "dev.test/path",
            "[::1",
            "a b",
        ] {
            assert!(check_allowed_host(bad).is_err(), "{bad}");
        }
    }
}
