//! The application's public origin (`AMPLIFY_APP_ORIGIN`): parsing and validation.

use std::fmt;
use std::net::IpAddr;

use url::Url;

use super::ConfigError;

/// Environment variable holding the application's public origin (see
/// [`ServerRunnerBuilder::app_origin`](crate::ServerRunnerBuilder::app_origin)).
pub const ENV_APP_ORIGIN: &str = "AMPLIFY_APP_ORIGIN";

/// The public origin the application is served from, e.g. `https://app.example.com`.
///
/// The auth routes send every redirect to this origin (never to the request's `Host` header, which a client
/// controls) and pick the OAuth redirect URIs registered for it. Obtain one with [`AppOrigin::parse`], or let
/// [`ServerRunnerBuilder::app_origin`](crate::ServerRunnerBuilder::app_origin) / the `AMPLIFY_APP_ORIGIN`
/// environment variable do it.
///
/// # Accepted values
///
/// An absolute `http` or `https` URL with a host, an optional port and nothing else: no user info, no path other
/// than `/`, no query, no fragment. Improvements over upstream's regular expression, which rejects some valid
/// origins and accepts some invalid ones:
///
/// - upper-case schemes and hosts are accepted and normalised to lower case (`HTTPS://App.Example.com` is
///   `https://app.example.com`);
/// - one trailing slash is accepted and trimmed (`https://app.example.com/`);
/// - IP literals (`http://127.0.0.1:3000`, `http://[::1]:3000`) and internationalised hosts are accepted;
/// - strings that merely *start* with `http://localhost` (`http://localhost.evil.example/path`) are rejected;
/// - the default port is dropped (`https://app.example.com:443` is `https://app.example.com`).
///
/// A plain-`http` origin on a host that is not a loopback address is accepted with a `tracing` warning: it is
/// only fit for local development.
#[derive(Clone, PartialEq, Eq)]
pub struct AppOrigin {
    url: Url,
    serialized: String,
}

impl AppOrigin {
    /// Parses and validates an origin.
    ///
    /// ```
    /// use amplify_ssr::config::AppOrigin;
    ///
    /// let origin = AppOrigin::parse("HTTPS://App.Example.com/")?;
    /// assert_eq!(origin.as_str(), "https://app.example.com");
    /// assert!(origin.is_https());
    /// assert!(AppOrigin::parse("https://app.example.com/path").is_err());
    /// # Ok::<(), amplify_ssr::config::AppOriginError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`AppOriginError`] saying what is wrong and how to write the value.
    pub fn parse(text: &str) -> Result<Self, AppOriginError> {
        let trimmed = text.trim();
        let error = |problem| AppOriginError {
            value: preview(text),
            problem,
        };
        if trimmed.is_empty() {
            return Err(error(AppOriginProblem::Empty));
        }
        let url = Url::parse(trimmed).map_err(|_| error(AppOriginProblem::NotAUrl))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(error(AppOriginProblem::UnsupportedScheme));
        }
        if url.host().is_none() {
            return Err(error(AppOriginProblem::NoHost));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(error(AppOriginProblem::HasUserInfo));
        }
        if url.path() != "/" {
            return Err(error(AppOriginProblem::HasPath));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(error(AppOriginProblem::HasQueryOrFragment));
        }
        let serialized = url.origin().ascii_serialization();
        let origin = Self { url, serialized };
        if !origin.is_https() && !origin.is_loopback() {
            tracing::warn!(
                origin = %origin.serialized,
                "HTTP origin detected. This is insecure and should only be used for local development."
            );
        }
        Ok(origin)
    }

    /// The origin as `scheme://host[:port]`, lower case, without a trailing slash.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.serialized
    }

    /// The origin as a URL (path `/`).
    #[must_use]
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Whether the origin is `https` (cookies then carry `Secure`).
    #[must_use]
    pub fn is_https(&self) -> bool {
        self.url.scheme() == "https"
    }

    /// Whether the host is `localhost` (or a `*.localhost` name) or a loopback IP address.
    #[must_use]
    pub fn is_loopback(&self) -> bool {
        match self.url.host() {
            Some(url::Host::Domain(domain)) => {
                domain == "localhost" || domain.ends_with(".localhost")
            }
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
            None => false,
        }
    }

    /// Whether `url` has this origin (same scheme, host and effective port). Parsed origins are compared, not
    /// string prefixes, so `https://app.example.com.evil.example/` does not match `https://app.example.com`.
    #[must_use]
    pub fn matches(&self, url: &Url) -> bool {
        url.origin() == self.url.origin()
    }
}

impl fmt::Debug for AppOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AppOrigin").field(&self.serialized).finish()
    }
}

impl fmt::Display for AppOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.serialized)
    }
}

impl std::str::FromStr for AppOrigin {
    type Err = AppOriginError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl AppOrigin {
    /// Parses an origin read from `source` (a builder method or [`ENV_APP_ORIGIN`]), reporting a bad value as a
    /// configuration error that names the source.
    pub(crate) fn from_setting(source: &str, text: &str) -> Result<Self, ConfigError> {
        Self::parse(text).map_err(|e| ConfigError::Invalid {
            path: source.to_owned(),
            expected: "the application's origin: http(s), a host and an optional port, nothing else"
                .to_owned(),
            found: format!("`{}` ({})", e.value, e.problem),
            fix: "write it like `https://app.example.com` or `http://localhost:3000` (no path, query or fragment)"
                .to_owned(),
        })
    }
}

/// Why a string is not a usable application origin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid application origin `{value}`: {problem}; write it as scheme and host with an optional port, \
     e.g. `https://app.example.com` or `http://localhost:3000`"
)]
#[non_exhaustive]
pub struct AppOriginError {
    /// The rejected value (shortened when long).
    pub value: String,
    /// What is wrong with it.
    pub problem: AppOriginProblem,
}

/// What is wrong with a rejected origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AppOriginProblem {
    /// The value is empty.
    #[error("it is empty")]
    Empty,
    /// The value is not an absolute URL.
    #[error("it is not an absolute URL")]
    NotAUrl,
    /// The scheme is neither `http` nor `https`.
    #[error("the scheme must be http or https")]
    UnsupportedScheme,
    /// The URL has no host.
    #[error("it has no host")]
    NoHost,
    /// The URL carries a user name or password.
    #[error("it must not contain a user name or password")]
    HasUserInfo,
    /// The URL has a path other than `/`.
    #[error("an origin has no path (remove everything after the host and port)")]
    HasPath,
    /// The URL has a query or a fragment.
    #[error("an origin has no query or fragment")]
    HasQueryOrFragment,
}

fn preview(text: &str) -> String {
    const MAX: usize = 100;
    let mut out: String = text
        .chars()
        .take(MAX)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if text.chars().count() > MAX {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        for (input, expected) in [
            ("https://app.example.com", "https://app.example.com"),
            ("https://app.example.com/", "https://app.example.com"),
            ("HTTPS://App.EXAMPLE.com", "https://app.example.com"),
            ("http://localhost:3000", "http://localhost:3000"),
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
            ("http://[::1]:8080", "http://[::1]:8080"),
            ("https://app.example.com:443", "https://app.example.com"),
            (
                "https://app.example.com:8443",
                "https://app.example.com:8443",
            ),
            ("  https://app.example.com  ", "https://app.example.com"),
        ] {
            let origin = AppOrigin::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(origin.as_str(), expected, "{input}");
        }
    }

    #[test]
    fn rejects_with_a_reason() {
        for (input, problem) in [
            ("", AppOriginProblem::Empty),
            ("app.example.com", AppOriginProblem::NotAUrl),
            ("ftp://app.example.com", AppOriginProblem::UnsupportedScheme),
            ("https://app.example.com/path", AppOriginProblem::HasPath),
            ("https://app.example.com//", AppOriginProblem::HasPath),
            ("http://localhost.evil.example/x", AppOriginProblem::HasPath),
            (
                "https://app.example.com?x",
                AppOriginProblem::HasQueryOrFragment,
            ),
            (
                "https://app.example.com/#x",
                AppOriginProblem::HasQueryOrFragment,
            ),
            (
                "https://user:pw@app.example.com",
                AppOriginProblem::HasUserInfo,
            ),
        ] {
            let error = AppOrigin::parse(input).expect_err(input);
            assert_eq!(error.problem, problem, "{input}");
            assert!(
                error.to_string().contains("https://app.example.com`"),
                "{error}"
            );
        }
    }

    #[test]
    fn loopback_and_matching() {
        assert!(
            AppOrigin::parse("http://localhost:1")
                .unwrap()
                .is_loopback()
        );
        assert!(AppOrigin::parse("http://127.0.0.2").unwrap().is_loopback());
        assert!(
            !AppOrigin::parse("http://example.com")
                .unwrap()
                .is_loopback()
        );
        let origin = AppOrigin::parse("https://app.example.com").unwrap();
        for (url, same) in [
            ("https://app.example.com/api/auth/sign-in-callback", true),
            ("https://APP.example.com:443/x", true),
            ("http://app.example.com/x", false),
            ("https://app.example.com:444/x", false),
            ("https://app.example.com.evil.example/x", false),
        ] {
            assert_eq!(origin.matches(&Url::parse(url).unwrap()), same, "{url}");
        }
    }
}
