//! Server-side sign-in, sign-up and sign-out through Cognito managed login (OAuth 2.0 authorization code with
//! PKCE), as route handlers: the counterpart of upstream's `createAuthRouteHandlers`.
//!
//! # Security model
//!
//! - **PKCE (RFC 7636, `S256`).** Each sign-in draws a 128-character verifier from the system CSPRNG
//!   (`[A-Za-z0-9]`, rejection-sampled so there is no modulo bias). Only its SHA-256 challenge leaves the server;
//!   the verifier stays in an `HttpOnly` cookie and is sent to the token endpoint over the back channel, so an
//!   intercepted authorization code is useless on its own.
//! - **State.** 32 random characters, stored in an `HttpOnly` cookie and compared in constant time with the
//!   `state` Cognito echoes back. This binds the callback to the browser that started the flow (no login CSRF).
//! - **`SameSite`.** The flow cookies (PKCE verifier, state, sign-out flags) are `SameSite=Lax`, `HttpOnly`,
//!   `Max-Age=300`: the callback is a cross-site top-level navigation from the managed-login domain, which `Lax`
//!   allows and `Strict` would strip. The session cookies are `SameSite=Strict` by default in this mode.
//! - **No planted flow (cookie tossing).** A sibling host could plant its own verifier and state, then send the
//!   victim to the callback with the attacker's code: a login CSRF. On an https origin the flow cookies are
//!   named `__Host-com.amplify.server_auth.*` (`Secure`, `Path=/`, no `Domain`), which browsers let no other
//!   host set; on http (local development) copies that disagree end the flow with `error=invalid_state`, and
//!   nothing is cleared. See `flow_cookies`.
//! - **Why the HTML intermediary pages.** A `Strict` cookie set, or needed, during a navigation that started
//!   cross-site is withheld by browsers on the very next redirect hop. So the sign-in callback answers `200` with a
//!   tiny page that navigates on to the final destination (meta refresh, `location.replace` and a link), making
//!   that navigation same-site; the sign-out callback bounces through the same page once so the second arrival
//!   carries the `Strict` refresh-token cookie needed for revocation. The page brings its own
//!   `Content-Security-Policy`, which allows its one script by hash and nothing else, so it works behind an
//!   application policy that forbids inline scripts (an application's middleware should keep a policy a response
//!   already has).
//! - **No open redirect.** Redirects go to the configured application origin ([`AppOrigin`]), never to the
//!   request's `Host`, and to destinations the application configured. The only request-provided destination,
//!   `redirect_to`, must be a same-site relative path ([`crate::redirect::safe_redirect_path`]) both when the
//!   flow starts and when it ends.
//! - **Sign-out cannot be forced from elsewhere.** A sign-out revokes the refresh token, so another site must not
//!   be able to cause one (a link, an image, a form). `GET sign-out` goes ahead only for a navigation the user
//!   made on this application: [`crate::same_origin::check`] passes (`Sec-Fetch-Site: same-origin` or `none`)
//!   *and* the browser reports a user action (`Sec-Fetch-User: ?1`). The second condition matters because a
//!   script or meta refresh on this origin, which a redirect on the site (such as the page after sign-in, which
//!   follows `redirect_to`) can point at sign-out, is same-origin too. A browser without Fetch Metadata cannot
//!   tell a click from an image in content on the app's own pages (both carry the app's `Referer`), so it gets
//!   the confirmation too. Anything else, a cross-site link included, gets a small confirmation page
//!   (`200`, no cookie touched, not frameable) whose button `POST`s to the same address; a `POST` goes ahead
//!   when the same-origin check passes and is refused with `403` otherwise. A `POST` that goes ahead is
//!   answered with the intermediary page rather than a `302`: browsers apply the posting page's CSP
//!   `form-action 'self'` to the redirects after a form submission, which would block the way to managed
//!   login's `/logout`. So `<a href="/api/auth/sign-out">` on the app's pages keeps working with one click, and
//!   a script can sign out with a `POST` form. The
//!   `sign-out-callback` route must accept the cross-site return from managed login; it changes nothing unless
//!   the sign-out-in-progress cookie, which only the checked `sign-out` sets, is present.
//! - **Sign-in may start from anywhere.** `sign-in` and `sign-up` accept cross-site `GET`s (links from e-mails
//!   and other sites, and the redirect of a protected page that was opened from one). Starting a flow changes
//!   no session: the worst another site can do is show the login page, or replace a flow in progress in
//!   another tab. Login CSRF (signing the victim in as the attacker) is stopped at the callback by the state
//!   and PKCE, which bind the code to the browser that started the flow.
//! - **Coming back to the callback is no error for a signed-in user.** The success page replaces itself in the
//!   history (`location.replace`), but Back still reaches managed login's page, which, with its own session,
//!   sends the browser to the callback again with a fresh code for the spent flow. A signed-in user is then
//!   sent to `redirect_on_sign_in_complete` with a `302` (not to the `redirect_to` of that state: without the
//!   flow cookie nothing vouches for it). Because such an arrival is cross-site and withholds `SameSite=Strict`
//!   session cookies, a `Sec-Fetch-Site: cross-site` arrival without a visible session first bounces once
//!   through the intermediary page; only a signed-out arrival ends with `error=timeout`.
//! - **Nothing secret is logged.** Tokens, codes, verifiers and state values are held in redacting newtypes
//!   ([`crate::secret`]) and never appear in logs, errors or spans. Every response carries
//!   `Cache-Control: no-store`.
//!
//! # Routes
//!
//! Mount the routes under any prefix (for axum, [`auth_router`]); only the last path segment
//! selects the route. The app client's callback URLs must be `<origin>/<prefix>/sign-in-callback` and
//! `<origin>/<prefix>/sign-out-callback`.
//!
//! | route | outcome | answer |
//! |---|---|---|
//! | any but `sign-out` | method other than `GET` | `405`, `Allow: GET` |
//! | `sign-out` | method other than `GET` or `POST` | `405`, `Allow: GET, POST` |
//! | any | unknown slug | `404` |
//! | `sign-in`, `sign-up` | valid session | `302` → `redirect_to` (if safe) or `redirect_on_sign_in_complete` |
//! | `sign-in`, `sign-up` | otherwise | `302` → `{base}/oauth2/authorize` (`{base}/signup`), flow cookies set |
//! | `sign-in-callback` | `error` / `error_description` from the IdP | `302` → error destination with both |
//! | `sign-in-callback` | no `code` or `state` | `302` → error destination, `error=invalid_request` |
//! | `sign-in-callback` | flow cookies missing, signed in (Back after signing in) | `302` → `redirect_on_sign_in_complete` |
//! | `sign-in-callback` | flow cookies missing, no session seen, `Sec-Fetch-Site: cross-site` | `200` HTML intermediary → the same callback |
//! | `sign-in-callback` | flow cookies missing, signed out (over 5 minutes, other browser) | `302` → error destination, `error=timeout` |
//! | `sign-in-callback` | state mismatch, or disagreeing copies of the flow cookies | `302` → error destination, `error=invalid_state` |
//! | `sign-in-callback` | token endpoint error | `302` → error destination, `error=<code>` or `server_error` |
//! | `sign-in-callback` | success | `200` HTML intermediary → `redirect_to` or `redirect_on_sign_in_complete` |
//! | `sign-out` | `GET`: same-origin navigation by the user (`Sec-Fetch-User: ?1`) | `302` → `{base}/logout`, sign-out flag cookies set |
//! | `sign-out` | `POST`: same-origin | `200` HTML intermediary → `{base}/logout`, sign-out flag cookies set |
//! | `sign-out` | `GET` otherwise (another site, a script, a browser without Fetch Metadata) | `200` confirmation page with a `POST` form, no cookies |
//! | `sign-out` | `POST` from another origin | `403` |
//! | `sign-out-callback` | no sign-out flag | `302` → `redirect_on_sign_out_complete` |
//! | `sign-out-callback` | first arrival | `200` HTML intermediary → the sign-out callback again |
//! | `sign-out-callback` | second arrival | the session's refresh token revoked (see [`crate::sign_out`] for which), session cleared, `302` → `redirect_on_sign_out_complete` |
//!
//! The authorize query is built in upstream's order: `redirect_uri`, `response_type`, `client_id`, `scope`
//! (space-joined), `state`, `code_challenge`, `code_challenge_method=S256`, then `identity_provider` (from
//! `?provider=`: `google` → `Google`, `facebook` → `Facebook`, `amazon` → `LoginWithAmazon`, `apple` →
//! `SignInWithApple`, any other value passed through unchanged) and `lang` (from `?lang=`).
//!
//! # Improvements over upstream
//!
//! Each is deliberate:
//!
//! 1. **`redirect_to`** (amplify-js #14677): `sign-in?redirect_to=/orders/42` returns the user to that page. The
//!    path travels inside the OAuth state (`<32 random>.<base64url(path)>`), so it is covered by the state
//!    comparison and cannot be swapped; it is accepted only if it is a safe relative path.
//! 2. **Errors end on a page, never as a bare status.** A callback without `code`/`state` or with a mismatched
//!    state, and any token-endpoint failure (JSON error, non-JSON answer, 5xx, network) redirect to the error
//!    destination with an OAuth `error` code instead of upstream's `400`/`500`. The error query is appended with
//!    `&` when the destination already has a query (upstream appends a second `?`), before any fragment.
//! 3. **Configurable error destination** ([`AuthRoutesOptions::error_redirect`]); upstream always uses the
//!    sign-out destination.
//! 4. **Validation at startup.** [`AuthRoutes::new`] checks the user pool, the OAuth settings, the origin and the
//!    redirect URIs once; upstream throws from the first request (a `500`).
//! 5. **Redirect URIs are chosen by parsed origin** ([`AppOrigin::matches`]), not by string prefix, so
//!    `https://app.example.com.evil.example/cb` never matches `https://app.example.com`.
//! 6. **The app origin is validated as a URL** (see [`AppOrigin`]) and set per runner
//!    ([`ServerRunnerBuilder::app_origin`](crate::ServerRunnerBuilder::app_origin)); the HttpOnly cookie mode
//!    it implies is documented and can be overridden.
//! 7. **No `undefined` id-token cookie**: when the token endpoint returns no `id_token` (no `openid` scope), no
//!    id-token cookie is written.
//! 8. **Other users' stale session cookies are cleared** at sign-in, as the password sign-in does.
//! 9. **Cookie values are decoded** when read, so a `LastAuthUser` such as `alice%40example.com` still finds the
//!    refresh token to revoke.
//! 10. **Sign-out always completes locally.** A failed revocation (not enabled on the app client, network error)
//!     is logged and the session cookies are cleared anyway; success is any `2xx`, not inferred from
//!     `Content-Length`. A missing refresh token also clears the session.
//! 11. **A direct hit on `sign-out-callback`** (no sign-out flag) redirects to the sign-out destination rather than
//!     answering `400`.
//! 12. **Back-channel resilience**: the token and revocation calls run in `tracing` spans with bounded retries.
//!     The token exchange is retried only when the connection could not be made (a code reaching the server may
//!     be consumed); revocation is also retried on timeouts and `5xx`.
//! 13. The sign-in session check keeps refreshed session cookies on the response (upstream's App Router discards
//!     them).
//! 14. **Sign-out cannot be forced by another site** (upstream signs out on any `GET`), and a **revisited
//!     callback sends a signed-in user on** instead of showing an error: see the security model.
//! 15. **No login CSRF through planted flow cookies**: `__Host-` flow cookies on https (upstream reads the first
//!     copy of plain names), and the session's own refresh token is the one revoked at sign-out, whatever copies
//!     another site planted: see the security model.
//!
//! # Example
//!
//! ```no_run
//! use amplify_ssr::auth::routes::{AuthRoutes, AuthRoutesOptions};
//! use amplify_ssr::{AmplifyConfig, ServerRunner};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let runner = ServerRunner::builder(AmplifyConfig::from_path("amplify_outputs.json")?)
//!     .app_origin("https://app.example.com")
//!     .build()?;
//! let routes = AuthRoutes::new(
//!     runner,
//!     AuthRoutesOptions::default().with_redirect_on_sign_in_complete("/dashboard"),
//! )?;
//! // Framework-neutral: pass the method, the last path segment, the URI and the headers.
//! let uri: http::Uri = "/api/auth/sign-in?redirect_to=%2Forders".parse()?;
//! let response = routes
//!     .handle(&http::Method::GET, "sign-in", &uri, &http::HeaderMap::new())
//!     .await;
//! assert_eq!(response.status(), http::StatusCode::FOUND);
//! # Ok(()) }
//! ```
//!
#![cfg_attr(feature = "axum", doc = "[`auth_router`]: crate::axum::auth_router")]
#![cfg_attr(not(feature = "axum"), doc = "[`auth_router`]: crate#features")]

mod error;
mod flow_cookies;
mod flows;
mod html;
mod oauth_client;
mod options;
mod pkce;
mod state;

use std::sync::Arc;

use url::Url;

pub use crate::config::{AppOrigin, AppOriginError, AppOriginProblem};
pub use error::AuthRoutesError;
pub use options::{AuthRoutesOptions, SignInComplete, SignInCompleteHandler};
pub use state::MAX_CUSTOM_STATE_LEN;

use crate::config::OAuthResponseType;
use crate::context::ServerRunner;

/// The route slugs, as the last path segment.
pub const SIGN_IN: &str = "sign-in";
/// Starts a sign-up on the managed-login `/signup` page.
pub const SIGN_UP: &str = "sign-up";
/// Starts a sign-out.
pub const SIGN_OUT: &str = "sign-out";
/// Where managed login returns after sign-in (register `<origin>/<prefix>/sign-in-callback`).
pub const SIGN_IN_CALLBACK: &str = "sign-in-callback";
/// Where managed login returns after sign-out (register `<origin>/<prefix>/sign-out-callback`).
pub const SIGN_OUT_CALLBACK: &str = "sign-out-callback";

/// The server-side sign-in, sign-up and sign-out routes. Cheap to clone (an `Arc` inside).
///
/// See the [module docs](self) for the flows and the security model.
#[derive(Clone, Debug)]
pub struct AuthRoutes {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    runner: ServerRunner,
    client_id: String,
    scopes: String,
    authorize_url: Url,
    signup_url: Url,
    token_url: Url,
    logout_url: Url,
    revoke_url: Url,
    redirect_sign_in: String,
    redirect_sign_out: String,
    flow_cookies: flow_cookies::FlowCookies,
    sign_in_complete: String,
    sign_out_complete: String,
    error_destination: String,
    options: AuthRoutesOptions,
}

impl AuthRoutes {
    /// Validates the configuration and builds the routes.
    ///
    /// # Errors
    ///
    /// [`AuthRoutesError`] when the runner's configuration has no user pool, no complete `auth.oauth` block
    /// (`domain`, `redirect_sign_in_uri`, `redirect_sign_out_uri`, `response_type` `code`), no application origin
    /// ([`ServerRunnerBuilder::app_origin`](crate::ServerRunnerBuilder::app_origin) or `AMPLIFY_APP_ORIGIN`), no
    /// sign-in or sign-out redirect URI on that origin, or an unusable option.
    pub fn new(runner: ServerRunner, options: AuthRoutesOptions) -> Result<Self, AuthRoutesError> {
        let config = runner.config();
        let auth = config
            .auth()
            .map_err(AuthRoutesError::UserPoolNotConfigured)?;
        let oauth = auth
            .oauth
            .as_ref()
            .ok_or(AuthRoutesError::OAuthNotConfigured { missing: "domain" })?;
        if oauth.domain.trim().is_empty() {
            return Err(AuthRoutesError::OAuthNotConfigured { missing: "domain" });
        }
        if oauth.redirect_sign_in.is_empty() {
            return Err(AuthRoutesError::OAuthNotConfigured {
                missing: "redirect_sign_in_uri",
            });
        }
        if oauth.redirect_sign_out.is_empty() {
            return Err(AuthRoutesError::OAuthNotConfigured {
                missing: "redirect_sign_out_uri",
            });
        }
        if oauth.response_type != OAuthResponseType::Code {
            return Err(AuthRoutesError::ImplicitGrant);
        }
        let base = config
            .oauth_base_url()
            .map_err(AuthRoutesError::ManagedLoginUrl)?;
        let origin = runner
            .app_origin()
            .ok_or(AuthRoutesError::AppOriginMissing)?;
        let redirect_sign_in = resolve_redirect(
            origin,
            &oauth.redirect_sign_in,
            "redirectSignIn",
            "redirect_sign_in_uri",
            "/api/auth/sign-in-callback",
        )?;
        let redirect_sign_out = resolve_redirect(
            origin,
            &oauth.redirect_sign_out,
            "redirectSignOut",
            "redirect_sign_out_uri",
            "/api/auth/sign-out-callback",
        )?;
        let destination = |option: &'static str, value: &str| {
            options::check_destination(value).ok_or_else(|| AuthRoutesError::InvalidOption {
                option,
                value: value.to_owned(),
            })
        };
        let sign_in_complete = destination(
            "redirect_on_sign_in_complete",
            &options.redirect_on_sign_in_complete,
        )?;
        let sign_out_complete = destination(
            "redirect_on_sign_out_complete",
            &options.redirect_on_sign_out_complete,
        )?;
        let error_destination = match &options.error_redirect {
            Some(value) => destination("error_redirect", value)?,
            None => sign_out_complete.clone(),
        };
        let inner = Inner {
            client_id: auth.user_pool_client_id.clone(),
            scopes: oauth.scopes.join(" "),
            authorize_url: endpoint(&base, "oauth2/authorize"),
            signup_url: endpoint(&base, "signup"),
            token_url: endpoint(&base, "oauth2/token"),
            logout_url: endpoint(&base, "logout"),
            revoke_url: endpoint(&base, "oauth2/revoke"),
            redirect_sign_in,
            redirect_sign_out,
            flow_cookies: flow_cookies::FlowCookies::new(
                origin.is_https(),
                runner.cookie_options(),
            ),
            sign_in_complete,
            sign_out_complete,
            error_destination,
            options,
            runner,
        };
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// The runner the routes were built with.
    #[must_use]
    pub fn runner(&self) -> &ServerRunner {
        &self.inner.runner
    }

    /// The sign-in redirect URI chosen for the application origin (the `redirect_uri` sent to Cognito).
    #[must_use]
    pub fn redirect_sign_in_uri(&self) -> &str {
        &self.inner.redirect_sign_in
    }

    /// The sign-out redirect URI chosen for the application origin (the `logout_uri` sent to Cognito).
    #[must_use]
    pub fn redirect_sign_out_uri(&self) -> &str {
        &self.inner.redirect_sign_out
    }

    /// The options the routes were built with.
    #[must_use]
    pub fn options(&self) -> &AuthRoutesOptions {
        &self.inner.options
    }

    /// Handles one request, framework-neutrally.
    ///
    /// `slug` is the last path segment (`sign-in`, `sign-up`, `sign-out`, `sign-in-callback`,
    /// `sign-out-callback`); `uri` is only read for its query; `headers` for the `Cookie` header(s) and for who
    /// caused the request (`Sec-Fetch-Site`, `Sec-Fetch-User`, `Origin`, `Referer`). The answer always has a
    /// status and headers a browser can act on (never a bare `500`): see the [module docs](self).
    pub async fn handle(
        &self,
        method: &http::Method,
        slug: &str,
        uri: &http::Uri,
        headers: &http::HeaderMap,
    ) -> http::Response<String> {
        let known = matches!(
            slug,
            SIGN_IN | SIGN_UP | SIGN_OUT | SIGN_IN_CALLBACK | SIGN_OUT_CALLBACK
        );
        if !known {
            return flows::plain(http::StatusCode::NOT_FOUND, "Not Found");
        }
        // Sign-out also takes the confirming POST of its confirmation page.
        let allow = if slug == SIGN_OUT { "GET, POST" } else { "GET" };
        let allowed =
            method == http::Method::GET || (slug == SIGN_OUT && method == http::Method::POST);
        if !allowed {
            let mut response =
                flows::plain(http::StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
            response
                .headers_mut()
                .insert(http::header::ALLOW, http::HeaderValue::from_static(allow));
            return response;
        }
        let query = flows::Query::parse(uri);
        match slug {
            SIGN_IN => self.sign_in(flows::Start::SignIn, &query, headers).await,
            SIGN_UP => self.sign_in(flows::Start::SignUp, &query, headers).await,
            SIGN_IN_CALLBACK => self.sign_in_callback(&query, headers).await,
            SIGN_OUT => self.sign_out(method, headers),
            _ => self.sign_out_callback(headers).await,
        }
    }
}

/// `{base}/{path}`, keeping any path prefix of the base URL.
fn endpoint(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let prefix = base.path().trim_end_matches('/');
    url.set_path(&format!("{prefix}/{path}"));
    url.set_query(None);
    url.set_fragment(None);
    url
}

/// The first configured URI whose parsed origin is the application's.
fn resolve_redirect(
    origin: &AppOrigin,
    configured: &[String],
    flow: &'static str,
    config_key: &'static str,
    suggested_path: &'static str,
) -> Result<String, AuthRoutesError> {
    configured
        .iter()
        .find(|uri| Url::parse(uri).is_ok_and(|url| origin.matches(&url)))
        .cloned()
        .ok_or_else(|| AuthRoutesError::NoRedirectUri {
            flow,
            config_key,
            origin: origin.as_str().to_owned(),
            configured: configured.to_vec(),
            suggested_path,
        })
}
