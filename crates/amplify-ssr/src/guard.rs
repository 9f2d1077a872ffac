//! Framework-neutral building blocks of route protection and of the eager refresh, which every framework
//! integration (the [`axum`](crate#features) module here, and the Leptos, Dioxus and actix-web crates) wraps in
//! its own idiom, so that they all decide the same way:
//!
//! - [`check_access`]: may this request see a protected page? It reads the session tokens only (no
//!   identity-pool call), refreshing them if they expired, and tells a signed-out request from a transient
//!   failure, which must not look like a sign-out. [`check_access_cached`] is its synchronous front: it answers
//!   the usual requests (a session verified before, or none at all) from the runner's caches without waiting or
//!   allocating, so an integration creates a future only for the rest.
//! - [`require_user`]: the signed-in user for an API or a server function, with the same three outcomes;
//!   [`require_user_meeting`] adds a [`Requirement`] (a fourth outcome, [`Unmet::Forbidden`]).
//! - [`sign_in_location`]: where a signed-out visitor is sent, with the page in `redirect_to`.
//! - [`SignInPath`]: a validated sign-in path (a same-site relative path).
//! - [`ProtectedPaths`]: which request paths a path-based route protection covers, matched on the path as any
//!   router could read it (percent-decoded, dot segments resolved, any case), so no spelling of a protected page
//!   slips past.
//! - [`refresh_ahead`]: the eager refresh. A framework that streams its responses (Leptos, Dioxus) sends the
//!   headers before the page has finished reading the session, so a refresh made while rendering cannot reach
//!   the browser. Calling this before the render starts refreshes expired tokens while `Set-Cookie` can still
//!   be sent. [`needs_refresh_ahead`] tells, without waiting, whether there is anything to refresh.
//! - [`error_body`]: the fixed JSON body of a `401` or `503` answered when there is no session or it could not
//!   be checked.
//! - [`Requirement`], [`check_requirement`], [`check_requirement_cached`]: guards finer than "signed in" (a
//!   Cognito group, a predicate over the verified claims). A signed-in user who lacks it gets
//!   [`Access::Forbidden`] (`403`, [`FORBIDDEN_BODY`]); a signed-out one still goes to sign-in.

mod requirement;

use std::time::SystemTime;

use http::StatusCode;

pub use requirement::{GROUPS_CLAIM, Requirement, SessionClaims};

use crate::auth::cached_session::{self, Decision, Lookup};
use crate::auth::refresh::get_tokens;
use crate::auth::session::{Admitted, current_user_admitted};
use crate::auth::{AuthUser, get_current_user};
use crate::context::ServerContext;
use crate::error::AuthError;
use crate::jwt::Claims;

/// The sign-in path used when none is configured.
pub const DEFAULT_SIGN_IN_PATH: &str = "/sign-in";

/// What a protected route decides for a request. See [`check_access`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Access {
    /// The request carries a valid (or refreshed) session.
    Allowed,
    /// No usable session: send the visitor to sign in. The error says why (logged at `debug`), `None` when the
    /// request carried no session at all.
    SignedOut(Option<AuthError>),
    /// The session could not be checked now (Cognito or the JWKS unreachable, a refresh past its deadline).
    /// Answer `503` and keep the cookies: the user may well still be signed in.
    Unavailable(AuthError),
    /// Signed in, but without what the [`Requirement`] asks for: answer `403` ([`FORBIDDEN_BODY`]). Only
    /// [`check_requirement`] decides this.
    Forbidden,
}

/// The plain-text body of the `403` a guard answers a signed-in user who lacks its [`Requirement`]. It says
/// nothing about what was required.
pub const FORBIDDEN_BODY: &str = "Forbidden: your account may not see this page.\n";

/// Decides whether the request behind `ctx` may see a protected page: reads its session tokens (no
/// identity-pool call), refreshing them if they expired. The refreshed cookies are among the context's pending
/// writes, which the framework integration sends with the response.
///
/// [`check_access_cached`] answers the common cases without waiting; this function tries it first.
pub async fn check_access(ctx: &ServerContext) -> Access {
    check(ctx, None).await
}

/// [`check_access`] when the request's cookies and the runner's caches can answer it at once: a session whose
/// tokens were verified before and have not expired ([`Access::Allowed`]), or a request without an access-token
/// cookie ([`Access::SignedOut`]). `None` means only [`check_access`] can tell (a first visit with new tokens, a
/// refresh, several copies of a cookie, ...).
///
/// It never waits, calls nothing and allocates nothing, so a framework integration can decide most requests
/// without creating a future, and call [`check_access`] for the rest. It agrees with [`check_access`] whenever
/// it answers.
#[must_use]
pub fn check_access_cached(ctx: &ServerContext) -> Option<Access> {
    check_cached(ctx, None)
}

/// [`check_access`] with a [`Requirement`] on top: a signed-in user who does not meet it gets
/// [`Access::Forbidden`]. Signed-out and unavailable sessions are answered as by [`check_access`]; the requirement
/// is checked on the verified (and, if need be, refreshed) tokens.
pub async fn check_requirement(ctx: &ServerContext, requirement: &Requirement) -> Access {
    check(ctx, Some(requirement)).await
}

/// [`check_requirement`] when the caches can answer at once (as [`check_access_cached`]); `None` otherwise.
#[must_use]
pub fn check_requirement_cached(ctx: &ServerContext, requirement: &Requirement) -> Option<Access> {
    check_cached(ctx, Some(requirement))
}

/// [`check_requirement`], or [`check_access`] without a requirement.
async fn check(ctx: &ServerContext, requirement: Option<&Requirement>) -> Access {
    if let Some(access) = check_cached(ctx, requirement) {
        return access;
    }
    match get_tokens(ctx, false).await {
        Ok(Some(session)) => requirement.map_or(Access::Allowed, |requirement| {
            verdict(
                requirement,
                &SessionClaims::new(&session.access_claims, session.id_claims.as_ref()),
            )
        }),
        Ok(None) => Access::SignedOut(None),
        Err(e) if e.is_transient() => Access::Unavailable(e),
        Err(e) => {
            tracing::debug!(error = %e, "protected route visited without a usable session");
            Access::SignedOut(Some(e))
        }
    }
}

/// [`check_requirement_cached`], or [`check_access_cached`] without a requirement. The early answers come from
/// the request's one cached decision ([`cached_session::decision`]), which the eager refresh may already have
/// made; only a requirement on a valid session looks the session up again, for its claims.
fn check_cached(ctx: &ServerContext, requirement: Option<&Requirement>) -> Option<Access> {
    let now = SystemTime::now();
    let access = match cached_session::decision(ctx, now) {
        Decision::Undecided => return None,
        Decision::NoSession => Access::SignedOut(None),
        Decision::Valid => match requirement {
            None => Access::Allowed,
            Some(requirement) => match cached_session::lookup(ctx, now) {
                Lookup::Valid(session) => verdict(
                    requirement,
                    &SessionClaims::new(
                        &session.access.claims,
                        session.id.as_ref().map(|id| &id.claims),
                    ),
                ),
                Lookup::NoSession => Access::SignedOut(None),
                // The tokens expired since the decision: the full path decides.
                Lookup::Undecided => return None,
            },
        },
    };
    ctx.note_session_read();
    Some(access)
}

fn verdict(requirement: &Requirement, claims: &SessionClaims<'_>) -> Access {
    if requirement.is_met(claims) {
        Access::Allowed
    } else {
        tracing::debug!(
            ?requirement,
            "signed-in user lacks what the route requires; answering 403"
        );
        Access::Forbidden
    }
}

/// Why [`require_user`] found no user: the two cases a client must be able to tell apart.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Denied {
    /// No signed-in user (answer `401`, or redirect a page to sign-in).
    #[error("{0}")]
    SignedOut(AuthError),
    /// The session could not be checked now (answer `503`); the cookies are kept.
    #[error("{0}")]
    Unavailable(AuthError),
}

impl Denied {
    /// The underlying error (its [`name`](AuthError::name) and
    /// [`public_message`](AuthError::public_message) are safe to show).
    #[must_use]
    pub fn error(&self) -> &AuthError {
        match self {
            Self::SignedOut(e) | Self::Unavailable(e) => e,
        }
    }

    /// The HTTP status this denial is answered with: `401` or `503`.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::SignedOut(_) => StatusCode::UNAUTHORIZED,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

/// The signed-in user of the request behind `ctx` (see [`get_current_user`]), or why there is none, with a
/// transient failure kept apart from a signed-out request.
///
/// # Errors
///
/// [`Denied::SignedOut`] without a usable session, [`Denied::Unavailable`] when it could not be checked.
pub async fn require_user(ctx: &ServerContext) -> Result<AuthUser, Denied> {
    get_current_user(ctx).await.map_err(denial)
}

/// The [`Denied`] for a failed session read.
fn denial(e: AuthError) -> Denied {
    if e.is_transient() {
        return Denied::Unavailable(e);
    }
    if !e.is_unauthenticated() {
        tracing::warn!(error = %e, "session check failed; treating the request as signed out");
    }
    Denied::SignedOut(e)
}

/// Why [`require_user_meeting`] gives no user.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Unmet {
    /// No usable session, or it could not be checked: as [`require_user`].
    #[error(transparent)]
    Denied(#[from] Denied),
    /// Signed in, without what the [`Requirement`] asks for: answer `403` ([`FORBIDDEN_BODY`]).
    #[error("the signed-in user does not meet the requirement")]
    Forbidden,
}

/// [`require_user`] that also requires `requirement`: the signed-in user when they meet it, from one read of the
/// session (the requirement is checked on the same verified, and if need be refreshed, tokens the user comes
/// from). The framework integrations' `require_user_with` map its answer to their errors.
///
/// # Errors
///
/// [`Unmet::Denied`] as [`require_user`]; [`Unmet::Forbidden`] for a signed-in user who lacks `requirement`.
pub async fn require_user_meeting(
    ctx: &ServerContext,
    requirement: &Requirement,
) -> Result<AuthUser, Unmet> {
    let admit = |access: &Claims, id: Option<&Claims>| {
        !matches!(
            verdict(requirement, &SessionClaims::new(access, id)),
            Access::Forbidden
        )
    };
    match current_user_admitted(ctx, admit).await {
        Ok(Admitted::User(user)) => Ok(user),
        Ok(Admitted::Refused) => Err(Unmet::Forbidden),
        Err(error) => Err(Unmet::Denied(denial(error))),
    }
}

/// A sign-in path: a same-site relative path such as `/sign-in` (anything else could send users to another
/// site).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInPath(std::sync::Arc<str>);

impl SignInPath {
    /// `path` when it is a same-site relative path.
    ///
    /// # Errors
    ///
    /// [`InvalidSignInPath`] naming the path, otherwise.
    pub fn new(path: impl Into<String>) -> Result<Self, InvalidSignInPath> {
        let path = path.into();
        if crate::redirect::safe_redirect_path(&path).is_some() {
            Ok(Self(path.into()))
        } else {
            Err(InvalidSignInPath(path))
        }
    }

    /// `path` when valid; otherwise logs the problem and keeps [`DEFAULT_SIGN_IN_PATH`] (for builders whose
    /// setters cannot fail).
    pub fn or_default(path: impl Into<String>) -> Self {
        Self::new(path).unwrap_or_else(|e| {
            tracing::error!("{e}; keeping {DEFAULT_SIGN_IN_PATH}");
            Self::default()
        })
    }

    /// The path.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Where to send a signed-out visitor of `original` (a path and query): see [`sign_in_location`].
    #[must_use]
    pub fn location_for(&self, original: &str) -> String {
        sign_in_location(&self.0, original)
    }
}

impl Default for SignInPath {
    fn default() -> Self {
        Self(DEFAULT_SIGN_IN_PATH.into())
    }
}

/// The path prefixes a path-based route protection covers (for routers whose routes are generated, such as
/// Leptos' and Dioxus'): a prefix covers itself and everything under it (`/account` covers `/account` and
/// `/account/settings`, not `/accounts`).
///
/// # Security model
///
/// The protection and the router must agree on which page a request path names, or a spelling the router
/// accepts and the protection does not know (`/%70rotected`, `/x/../protected`, `/Protected`, `/x\..\protected`)
/// reaches a protected page signed out. Routers differ here: Dioxus percent-decodes segments, Leptos' router reads
/// the URL with the `url` crate, which resolves dot segments and treats `\` as `/`. So a path is covered when
/// either its raw form or its canonical form is: backslashes as slashes, percent-decoded (repeatedly, so a double
/// encoding does not hide a segment), empty and `.` segments dropped, `..` resolved, compared without regard to
/// ASCII case. Covering more spellings only sends more visitors to sign in; it never opens a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtectedPaths {
    prefixes: Vec<String>,
}

impl ProtectedPaths {
    /// The prefixes. Each should start with `/`; one that does not is taken as if it did (and logged), and `/`
    /// covers every path.
    pub fn new<I, P>(prefixes: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        let prefixes = prefixes
            .into_iter()
            .map(|prefix| {
                let prefix = prefix.into();
                if !prefix.starts_with('/') {
                    tracing::error!(prefix = %prefix, "protected path prefixes start with /; protecting /{prefix}");
                }
                canonical_path(&prefix)
            })
            .collect();
        Self { prefixes }
    }

    /// Whether `path` (a request path as received, without the query) is one of the prefixes or under one.
    #[must_use]
    pub fn covers(&self, path: &str) -> bool {
        // The raw form too: a router matching raw paths serves `/account/../x` from a route under `/account`.
        let raw = path.to_ascii_lowercase();
        let canonical = canonical_path(path);
        self.prefixes.iter().any(|prefix| {
            let under = |path: &str| {
                path.strip_prefix(prefix.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            };
            prefix == "/" || under(&raw) || under(&canonical)
        })
    }
}

/// `path` as a lenient router could read it: `/`-separated, percent-decoded until stable, without empty or `.`
/// segments, `..` resolved, in ASCII lower case; always starting with `/`.
fn canonical_path(path: &str) -> String {
    let mut decoded = path.replace('\\', "/");
    // A few rounds cover any double encoding a router could undo; more only costs time on hostile input.
    for _ in 0..4 {
        let next = percent_encoding::percent_decode_str(&decoded)
            .decode_utf8_lossy()
            .replace('\\', "/");
        if next == decoded {
            break;
        }
        decoded = next;
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    format!("/{}", segments.join("/")).to_ascii_lowercase()
}

/// A sign-in path that is not a same-site relative path.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the sign-in path `{0}` must be a relative path on this site, like /sign-in")]
pub struct InvalidSignInPath(pub String);

/// The `Location` of the redirect that sends a signed-out visitor of `original` (the page's path and query, as
/// the client sent it) to `sign_in_path`, with `original` in `redirect_to` when it is a safe same-site path
/// (see [`crate::redirect`]) other than the sign-in page itself.
///
/// ```
/// use amplify_ssr::guard::sign_in_location;
/// assert_eq!(sign_in_location("/sign-in", "/account?tab=1"), "/sign-in?redirect_to=%2Faccount%3Ftab%3D1");
/// assert_eq!(sign_in_location("/sign-in", "//evil.example"), "/sign-in");
/// ```
#[must_use]
pub fn sign_in_location(sign_in_path: &str, original: &str) -> String {
    let mut location = sign_in_path.to_owned();
    if crate::redirect::safe_redirect_path(original).is_some() && original != sign_in_path {
        location.push(if sign_in_path.contains('?') { '&' } else { '?' });
        location.push_str("redirect_to=");
        location.extend(url::form_urlencoded::byte_serialize(original.as_bytes()));
    }
    location
}

/// Reads the session of the request behind `ctx`, refreshing it if its tokens expired, so that the new cookies
/// are among the context's pending writes before a streamed response sends its headers.
///
/// Call it before rendering starts (the axum layer's [`refresh_eagerly`](crate#features), the Leptos and Dioxus
/// integrations and the actix-web middleware do). It does not by itself make the response session-dependent:
/// only the handler's own reads do (see [`crate::context`], Caching). A failure is logged and swallowed: whatever
/// reads the session next meets it and answers as usual.
pub async fn refresh_ahead(ctx: &ServerContext) {
    if ctx.runner().auth_runtime().is_err() {
        return;
    }
    if !needs_refresh_ahead(ctx) {
        return;
    }
    let read_before = ctx.session_was_read();
    match get_tokens(ctx, false).await {
        Ok(_) => {}
        Err(e) if e.is_transient() => {
            tracing::warn!(error = %e, "eager session refresh failed transiently; the handler decides");
        }
        Err(e) => tracing::debug!(error = %e, "eager session refresh found no usable session"),
    }
    if !read_before {
        ctx.forget_session_read();
    }
}

/// Whether [`refresh_ahead`] has anything to do for `ctx`: false when the caches tell at once that the session is
/// valid and unexpired, or that the request carries none. Lets a framework integration skip creating the refresh
/// future for most requests. Records no session read.
#[must_use]
pub fn needs_refresh_ahead(ctx: &ServerContext) -> bool {
    ctx.runner().auth_runtime().is_ok()
        && cached_session::decision(ctx, SystemTime::now()) == Decision::Undecided
}

/// The JSON body of a `401` or `503` answered for `error`: its name and its fixed public message (never the
/// details, which go to the logs). Send `503`s with `Retry-After: 1`.
#[must_use]
pub fn error_body(error: &AuthError) -> String {
    serde_json::json!({ "error": error.name(), "message": error.public_message() }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protected_paths_cover_every_spelling_of_their_pages() {
        let paths = ProtectedPaths::new(["/protected", "/todos/", "files"]);
        for covered in [
            "/protected",
            "/protected/",
            "/protected/deeper",
            "/todos",
            "/todos/1",
            "/files",
            "/%70rotected",
            "/%2570rotected",
            "/x/../protected",
            "/x/%2e%2e/protected",
            "/x/%2E%2E/protected",
            "//protected",
            "/./protected",
            "/Protected",
            "/TODOS/1",
            "/x\\..\\protected",
            "/x%5C..%5Cprotected",
            "/protected%2Fdeeper",
            "/protected/../public",
        ] {
            assert!(paths.covers(covered), "{covered} is a protected page");
        }
        for open in [
            "/",
            "/protectedx",
            "/public/protected",
            "/todo",
            "/api/auth/sign-in",
        ] {
            assert!(!paths.covers(open), "{open} is not protected");
        }
        assert!(ProtectedPaths::new(["/"]).covers("/anything"));
    }

    #[test]
    fn sign_in_paths_must_be_same_site() {
        assert_eq!(SignInPath::new("/login").unwrap().as_str(), "/login");
        for bad in ["https://evil.example/", "//evil.example", "login", ""] {
            let err = SignInPath::new(bad).unwrap_err();
            assert!(err.to_string().contains("relative path"), "{err}");
        }
        assert_eq!(SignInPath::or_default("//x").as_str(), DEFAULT_SIGN_IN_PATH);
    }

    #[test]
    fn the_location_keeps_the_page_unless_unsafe_or_the_sign_in_page() {
        let path = SignInPath::new("/sign-in?lang=fr").unwrap();
        assert_eq!(
            path.location_for("/todos"),
            "/sign-in?lang=fr&redirect_to=%2Ftodos"
        );
        assert_eq!(sign_in_location("/sign-in", "/sign-in"), "/sign-in");
        assert_eq!(sign_in_location("/sign-in", "/\\evil"), "/sign-in");
    }
}
