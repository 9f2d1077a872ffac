//! Is this request from the application's own pages? A framework-neutral check against cross-site request
//! forgery, for requests that change state (form posts, sign-out).
//!
//! [`check`] reads only request headers and the application's origin. The axum extractor
//! [`SameOrigin`] wraps it for handlers; the managed-login routes
//! ([`crate::auth::routes`]) use it for sign-out.
//!
//! # Security model
//!
//! A browser attaches the user's cookies to requests that another site causes (a form that posts to the app, a
//! link or an image), so a cookie-authenticated request is not proof that the user meant it. Browsers do say
//! who caused a request, and a web page cannot forge what they say:
//!
//! 1. **`Sec-Fetch-Site`** (every current browser). Accepted: `same-origin` (the app's own pages) and `none`
//!    (the user typed the address, used a bookmark, or the browser itself navigated). Refused: `cross-site`, and
//!    also `same-site`: a sibling host or port of the same site (`user-content.example.com` beside
//!    `app.example.com`, or another port of `localhost`) is a different application, and may be less trusted.
//! 2. Without it (older browsers, non-browser clients), **`Origin`** must be the application's origin; `null`
//!    (sandboxed frames, some redirects, privacy modes) is refused.
//! 3. Without `Origin` either, **`Referer`** must be on the application's origin.
//! 4. With none of the three, where the request came from cannot be told, and it is refused: browsers send
//!    `Origin` on every form post, so this only turns away non-browser clients that send none of them (they can
//!    send `Origin` themselves) and very old browsers under a `no-referrer` policy.
//!
//! The application's origin is the runner's [`app_origin`](crate::ServerRunnerBuilder::app_origin) when set.
//! Without one, the request's `Host` header stands in for it (with the scheme of the `Origin`/`Referer` being
//! checked): fine over HTTP/1.1, but over HTTP/2 there is no `Host` header, so set the app origin there.
//!
//! Limits, by design:
//!
//! - **Only state-changing requests should be checked, and they should be `POST`s.** A `GET` that changes state
//!   stays exposed to every same-origin navigation an attacker can cause: an open redirect on the site, or a
//!   sign-in `redirect_to` that the post-sign-in page follows. That is why the sign-out route, a `GET` for
//!   upstream compatibility, also wants a navigation the user made (`Sec-Fetch-User: ?1`) and otherwise asks
//!   for a confirming `POST`.
//! - Non-browser clients can send any header. That is fine: forgery needs a victim's browser, and an attacker
//!   with their own client only has their own cookies.
//! - The check is no substitute for `SameSite` cookies (the session cookies are `Strict` in server-side-auth
//!   mode), and no defence against script running on the application's own origin.
//!
#![cfg_attr(feature = "axum", doc = "[`SameOrigin`]: crate::axum::SameOrigin")]
#![cfg_attr(not(feature = "axum"), doc = "[`SameOrigin`]: crate#features")]

use http::HeaderMap;
use http::header::{HOST, ORIGIN, REFERER};
use url::Url;

use crate::auth::routes::AppOrigin;

/// The request header with the browser's own account of who caused a request.
pub const SEC_FETCH_SITE: &str = "sec-fetch-site";

/// Longest header value quoted in a [`CrossOriginRequest`] (they are attacker-controlled and only logged).
const MAX_QUOTED_CHARS: usize = 100;

/// Why [`check`] did not accept a request as coming from the application's own pages.
///
/// The texts quote request headers: log them, but do not put them in a response.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrossOriginRequest {
    /// `Sec-Fetch-Site` says another site, or another origin of the same site, caused the request.
    #[error(
        "another site caused this request (Sec-Fetch-Site: {0}); only the application's own pages may make it"
    )]
    OtherSite(String),
    /// `Origin` (or, without it, `Referer`) names another origin, or is `null`.
    #[error(
        "the request comes from `{0}`, which is not the application's origin; if it is, set the runner's \
         app origin (`ServerRunnerBuilder::app_origin` or AMPLIFY_APP_ORIGIN) to it"
    )]
    ForeignOrigin(String),
    /// None of `Sec-Fetch-Site`, `Origin` and `Referer`: where the request came from cannot be told.
    #[error(
        "the request has no Sec-Fetch-Site, Origin or Referer header, so where it came from cannot be told; \
         a client that is not a browser should send `Origin: <the application's origin>`"
    )]
    Unknown,
}

/// Accepts a request made by the application's own pages or directly by the user, and refuses one another site
/// (or another origin of the same site) caused. See the [module docs](self) for the rules.
///
/// `app_origin` is the application's public origin ([`ServerRunner::app_origin`](crate::ServerRunner::app_origin));
/// without it the `Host` header stands in.
///
/// ```
/// use amplify_ssr::auth::routes::AppOrigin;
/// use amplify_ssr::same_origin::{CrossOriginRequest, check};
/// use http::{HeaderMap, HeaderValue};
///
/// let app = AppOrigin::parse("https://app.example.com")?;
/// let mut headers = HeaderMap::new();
/// headers.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
/// assert_eq!(check(&headers, Some(&app)), Ok(()));
///
/// let mut headers = HeaderMap::new();
/// headers.insert("origin", HeaderValue::from_static("https://evil.example"));
/// assert!(matches!(check(&headers, Some(&app)), Err(CrossOriginRequest::ForeignOrigin(_))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`CrossOriginRequest`], saying which header refused the request.
pub fn check(
    headers: &HeaderMap,
    app_origin: Option<&AppOrigin>,
) -> Result<(), CrossOriginRequest> {
    if let Some(site) = headers.get(SEC_FETCH_SITE) {
        return match site.to_str().unwrap_or_default() {
            "same-origin" | "none" => Ok(()),
            other => Err(CrossOriginRequest::OtherSite(quote(other))),
        };
    }
    let claimed = headers.get(ORIGIN).or_else(|| headers.get(REFERER));
    let Some(claimed) = claimed else {
        return Err(CrossOriginRequest::Unknown);
    };
    let claimed = claimed.to_str().unwrap_or_default();
    let foreign = || CrossOriginRequest::ForeignOrigin(quote(claimed));
    // `Origin: null` and anything that is not an absolute URL fail here.
    let url = Url::parse(claimed).map_err(|_| foreign())?;
    let same = match app_origin {
        Some(app) => app.matches(&url),
        None => host_origin(headers, url.scheme()).is_some_and(|own| own == url.origin()),
    };
    if same { Ok(()) } else { Err(foreign()) }
}

/// Whether a request with `method` and `headers` can change state, so that [`check`] must accept it: every
/// method but `GET`, `HEAD`, `OPTIONS` and `TRACE`, and also a WebSocket upgrade (a `GET` that opens a channel
/// carrying the user's cookies, which browsers let any page open). For middleware that guards a whole router
/// (every server function of a Leptos or Dioxus app); see [`check_unless_safe`].
#[must_use]
pub fn changes_state(method: &http::Method, headers: &HeaderMap) -> bool {
    let websocket = headers
        .get(http::header::UPGRADE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.eq_ignore_ascii_case("websocket"));
    !method.is_safe() || websocket
}

/// [`check`] for a request that [`changes_state`]; every other request is accepted.
///
/// # Errors
///
/// [`CrossOriginRequest`], as [`check`].
pub fn check_unless_safe(
    method: &http::Method,
    headers: &HeaderMap,
    app_origin: Option<&AppOrigin>,
) -> Result<(), CrossOriginRequest> {
    if changes_state(method, headers) {
        check(headers, app_origin)
    } else {
        Ok(())
    }
}

/// The origin the `Host` header names, with `scheme`.
fn host_origin(headers: &HeaderMap, scheme: &str) -> Option<url::Origin> {
    let host = headers.get(HOST)?.to_str().ok()?;
    if host.is_empty() || host.contains(['/', '?', '#', '@']) {
        return None;
    }
    Url::parse(&format!("{scheme}://{host}"))
        .ok()
        .map(|url| url.origin())
}

/// A header value fit for an error text: at most [`MAX_QUOTED_CHARS`] characters.
fn quote(value: &str) -> String {
    value.chars().take(MAX_QUOTED_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    fn app() -> AppOrigin {
        AppOrigin::parse("https://app.example.com").unwrap()
    }

    #[test]
    fn only_state_changing_requests_are_checked_and_websocket_upgrades_are() {
        let cross = headers(&[("sec-fetch-site", "cross-site")]);
        assert_eq!(check_unless_safe(&http::Method::GET, &cross, None), Ok(()));
        assert_eq!(check_unless_safe(&http::Method::HEAD, &cross, None), Ok(()));
        for method in [
            http::Method::POST,
            http::Method::PUT,
            http::Method::PATCH,
            http::Method::DELETE,
        ] {
            assert!(
                check_unless_safe(&method, &cross, None).is_err(),
                "{method}"
            );
        }
        let upgrade = headers(&[("sec-fetch-site", "cross-site"), ("upgrade", "WebSocket")]);
        assert!(changes_state(&http::Method::GET, &upgrade));
        assert!(check_unless_safe(&http::Method::GET, &upgrade, None).is_err());
        let own = headers(&[("sec-fetch-site", "same-origin"), ("upgrade", "websocket")]);
        assert_eq!(check_unless_safe(&http::Method::GET, &own, None), Ok(()));
    }

    #[test]
    fn sec_fetch_site_decides_when_present() {
        for ok in ["same-origin", "none"] {
            assert_eq!(
                check(&headers(&[("sec-fetch-site", ok)]), Some(&app())),
                Ok(()),
                "{ok}"
            );
        }
        for refused in ["cross-site", "same-site", "", "SAME-ORIGIN"] {
            let found = headers(&[("sec-fetch-site", refused)]);
            assert_eq!(
                check(&found, Some(&app())),
                Err(CrossOriginRequest::OtherSite(refused.to_owned())),
                "{refused}"
            );
        }
        // The browser's own account wins over an Origin that would pass, and over one that would not.
        let cross = headers(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://app.example.com"),
        ]);
        assert!(check(&cross, Some(&app())).is_err());
        let same = headers(&[
            ("sec-fetch-site", "same-origin"),
            ("origin", "https://evil.example"),
        ]);
        assert_eq!(check(&same, Some(&app())), Ok(()));
    }

    #[test]
    fn origin_is_compared_with_the_app_origin_as_a_parsed_origin() {
        for ok in ["https://app.example.com", "https://APP.example.com:443"] {
            assert_eq!(
                check(&headers(&[("origin", ok)]), Some(&app())),
                Ok(()),
                "{ok}"
            );
        }
        for refused in [
            "https://evil.example",
            "http://app.example.com",
            "https://app.example.com:8443",
            "https://app.example.com.evil.example",
            "https://sub.app.example.com",
            "null",
            "app.example.com",
            "",
        ] {
            assert_eq!(
                check(&headers(&[("origin", refused)]), Some(&app())),
                Err(CrossOriginRequest::ForeignOrigin(refused.to_owned())),
                "{refused}"
            );
        }
    }

    #[test]
    fn referer_stands_in_for_a_missing_origin() {
        let ok = headers(&[("referer", "https://app.example.com/todos?x=1")]);
        assert_eq!(check(&ok, Some(&app())), Ok(()));
        let refused = headers(&[("referer", "https://evil.example/app.example.com")]);
        assert!(matches!(
            check(&refused, Some(&app())),
            Err(CrossOriginRequest::ForeignOrigin(_))
        ));
        // Origin wins over Referer.
        let both = headers(&[
            ("origin", "https://evil.example"),
            ("referer", "https://app.example.com/"),
        ]);
        assert!(check(&both, Some(&app())).is_err());
    }

    #[test]
    fn no_signal_at_all_is_refused() {
        assert_eq!(
            check(&HeaderMap::new(), Some(&app())),
            Err(CrossOriginRequest::Unknown)
        );
        assert_eq!(
            check(&headers(&[("host", "app.example.com")]), None),
            Err(CrossOriginRequest::Unknown)
        );
    }

    #[test]
    fn without_an_app_origin_the_host_header_stands_in() {
        let ok = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
        ]);
        assert_eq!(check(&ok, None), Ok(()));
        let default_port = headers(&[
            ("host", "app.example.com"),
            ("origin", "https://app.example.com"),
        ]);
        assert_eq!(check(&default_port, None), Ok(()));
        for (host, origin) in [
            ("127.0.0.1:3000", "http://127.0.0.1:4000"),
            ("app.example.com", "https://evil.example"),
            ("evil.example/x", "https://evil.example"),
            ("", "https://app.example.com"),
        ] {
            let mut refused = HeaderMap::new();
            refused.insert(HOST, HeaderValue::from_str(host).unwrap());
            refused.insert(ORIGIN, HeaderValue::from_str(origin).unwrap());
            assert!(check(&refused, None).is_err(), "{host} {origin}");
        }
        // No Host at all: nothing to compare with.
        assert!(check(&headers(&[("origin", "https://app.example.com")]), None).is_err());
    }

    #[test]
    fn quoted_values_are_bounded() {
        let long = format!("https://{}.example", "a".repeat(500));
        let mut found = HeaderMap::new();
        found.insert(ORIGIN, HeaderValue::from_str(&long).unwrap());
        let Err(CrossOriginRequest::ForeignOrigin(quoted)) = check(&found, Some(&app())) else {
            panic!("refused");
        };
        assert_eq!(quoted.chars().count(), MAX_QUOTED_CHARS);
    }
}
