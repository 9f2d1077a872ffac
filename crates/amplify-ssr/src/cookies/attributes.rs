//! Cookie attributes per writer and mode, and `Set-Cookie` serialisation.

use std::fmt;
use std::str::FromStr;

use cookie::Cookie;
use time::{Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset};

use super::codec::{encode_name, encode_value};

/// Lifetime of token cookies when the application sets neither `expires` nor `max_age`: 365 days.
pub const DEFAULT_TOKEN_MAX_AGE: Duration = Duration::seconds(31_536_000);

/// Lifetime of the OAuth flow cookies (PKCE verifier, state, sign-out flags): 5 minutes, Cognito's limit for a
/// social-provider round trip.
pub const FLOW_COOKIE_MAX_AGE: Duration = Duration::seconds(300);

/// The `SameSite` cookie attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SameSite {
    /// `SameSite=Strict`.
    Strict,
    /// `SameSite=Lax`.
    Lax,
    /// `SameSite=None` (browsers require `Secure` with it).
    None,
}

impl SameSite {
    /// The lower-case spelling used by aws-amplify's options: `strict`, `lax` or `none`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Strict => "strict",
            Self::Lax => "lax",
            Self::None => "none",
        }
    }

    fn to_cookie(self) -> cookie::SameSite {
        match self {
            Self::Strict => cookie::SameSite::Strict,
            Self::Lax => cookie::SameSite::Lax,
            Self::None => cookie::SameSite::None,
        }
    }
}

impl fmt::Display for SameSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `SameSite` spelling other than `strict`, `lax` or `none`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid SameSite value `{value}`: expected \"strict\", \"lax\" or \"none\"")]
#[non_exhaustive]
pub struct ParseSameSiteError {
    /// The rejected text.
    pub value: String,
}

impl FromStr for SameSite {
    type Err = ParseSameSiteError;

    /// Case-insensitive `strict`, `lax` or `none`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "strict" => Ok(Self::Strict),
            "lax" => Ok(Self::Lax),
            "none" => Ok(Self::None),
            _ => Err(ParseSameSiteError {
                value: text.to_owned(),
            }),
        }
    }
}

/// The cookie settings an application may choose (aws-amplify's `runtimeOptions.cookies`).
///
/// `Path`, `Secure` and `HttpOnly` are decided by the library, not by the application.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CookieOptions {
    /// `Domain`, e.g. `example.com` to share the session with subdomains. Must match the browser client's
    /// `CookieStorage` domain, or refreshes create host-only duplicates.
    pub domain: Option<String>,
    /// `SameSite`; the default depends on the mode (see [`token_cookie_attributes`]).
    pub same_site: Option<SameSite>,
    /// Absolute expiry (fixed when the options are built).
    pub expires: Option<OffsetDateTime>,
    /// Relative lifetime.
    pub max_age: Option<Duration>,
}

impl CookieOptions {
    /// Sets `Domain`.
    #[must_use]
    pub fn with_domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Sets `SameSite`.
    #[must_use]
    pub fn with_same_site(mut self, same_site: SameSite) -> Self {
        self.same_site = Some(same_site);
        self
    }

    /// Sets an absolute expiry.
    #[must_use]
    pub fn with_expires(mut self, expires: OffsetDateTime) -> Self {
        self.expires = Some(expires);
        self
    }

    /// Sets a relative lifetime (`Max-Age`).
    #[must_use]
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }
}

/// Who may read the token cookies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CookieMode {
    /// Cookies the browser-side Amplify client can read (`ssr: true` interop). The default.
    #[default]
    JsReadable,
    /// Server-side auth: `HttpOnly` token cookies; `secure` is true iff the application origin is https.
    ServerAuth {
        /// Whether to add `Secure`.
        secure: bool,
    },
}

/// The attributes of one `Set-Cookie`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CookieAttributes {
    /// `Path`.
    pub path: String,
    /// `Domain`; `None` makes a host-only cookie.
    pub domain: Option<String>,
    /// `SameSite`; `None` omits the attribute.
    pub same_site: Option<SameSite>,
    /// `Secure`.
    pub secure: bool,
    /// `HttpOnly`.
    pub http_only: bool,
    /// `Expires`.
    pub expires: Option<OffsetDateTime>,
    /// `Max-Age` (whole seconds).
    pub max_age: Option<Duration>,
}

/// Attributes of the token cookies (`LastAuthUser`, tokens, clock drift, sign-in details, identity id).
///
/// | attribute | [`CookieMode::JsReadable`] | [`CookieMode::ServerAuth`] |
/// |---|---|---|
/// | `Path` | `/` | `/` |
/// | `SameSite` | option, else `Lax` | option, else `Strict` |
/// | `Secure` | always | iff `secure` |
/// | `HttpOnly` | no | yes |
/// | `Domain` | option | option |
/// | lifetime | options; if neither `expires` nor `max_age`: `Max-Age=31536000` | same |
#[must_use]
pub fn token_cookie_attributes(mode: CookieMode, options: &CookieOptions) -> CookieAttributes {
    let (default_same_site, secure, http_only) = match mode {
        CookieMode::JsReadable => (SameSite::Lax, true, false),
        CookieMode::ServerAuth { secure } => (SameSite::Strict, secure, true),
    };
    let max_age = match (options.expires, options.max_age) {
        (None, None) => Some(DEFAULT_TOKEN_MAX_AGE),
        (_, max_age) => max_age,
    };
    CookieAttributes {
        path: "/".to_owned(),
        domain: options.domain.clone(),
        same_site: Some(options.same_site.unwrap_or(default_same_site)),
        secure,
        http_only,
        expires: options.expires,
        max_age,
    }
}

/// Attributes of the short-lived OAuth flow cookies (PKCE verifier, state, sign-out flags).
///
/// `HttpOnly; SameSite=Lax; Path=/; Max-Age=300`, `Secure` iff `secure`, `Domain` from the options. `Lax` is fixed:
/// the callback arrives as a cross-site top-level navigation from the hosted UI, which `Strict` would strip.
#[must_use]
pub fn flow_cookie_attributes(secure: bool, options: &CookieOptions) -> CookieAttributes {
    CookieAttributes {
        path: "/".to_owned(),
        domain: options.domain.clone(),
        same_site: Some(SameSite::Lax),
        secure,
        http_only: true,
        expires: None,
        max_age: Some(FLOW_COOKIE_MAX_AGE),
    }
}

/// A `Set-Cookie` header value: `encode_name(name)=encode_value(value)` followed by the attributes.
///
/// The js-cookie codec is used for both parts so the browser-side Amplify client reads the cookie back and the name
/// is byte-identical to the one the browser writes (no duplicates).
#[must_use]
pub fn set_cookie(raw_name: &str, raw_value: &str, attrs: &CookieAttributes) -> String {
    build(encode_name(raw_name), encode_value(raw_value), attrs).to_string()
}

/// A `Set-Cookie` header value that deletes a cookie: empty value, `Max-Age=0` and `Expires` in 1970.
///
/// Pass the attributes the cookie was written with: browsers only replace a cookie with the same name, `Path` and
/// `Domain`, and reject an overwrite of a `Secure` cookie that lacks `Secure`.
#[must_use]
pub fn removal(raw_name: &str, attrs: &CookieAttributes) -> String {
    let attrs = CookieAttributes {
        expires: Some(OffsetDateTime::UNIX_EPOCH),
        max_age: Some(Duration::ZERO),
        ..attrs.clone()
    };
    build(encode_name(raw_name), String::new(), &attrs).to_string()
}

fn build(name: String, value: String, attrs: &CookieAttributes) -> Cookie<'static> {
    let mut cookie = Cookie::build((name, value))
        .path(attrs.path.clone())
        .secure(attrs.secure)
        .http_only(attrs.http_only);
    if let Some(domain) = &attrs.domain {
        cookie = cookie.domain(domain.clone());
    }
    if let Some(same_site) = attrs.same_site {
        cookie = cookie.same_site(same_site.to_cookie());
    }
    if let Some(max_age) = attrs.max_age {
        cookie = cookie.max_age(max_age);
    }
    if let Some(expires) = attrs.expires {
        cookie = cookie.expires(in_utc(expires));
    }
    cookie.build()
}

/// `expires` in UTC, clamped to 1970..=9999: the `cookie` crate's own conversion panics when UTC falls outside the
/// supported years, and any date before 1970 already means "expired".
fn in_utc(expires: OffsetDateTime) -> OffsetDateTime {
    let utc = match expires.checked_to_offset(UtcOffset::UTC) {
        Some(utc) => utc,
        None if expires.year() < 0 => OffsetDateTime::UNIX_EPOCH,
        None => PrimitiveDateTime::MAX.assume_utc(),
    };
    utc.max(OffsetDateTime::UNIX_EPOCH)
}
