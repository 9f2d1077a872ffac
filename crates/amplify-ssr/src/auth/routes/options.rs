//! [`AuthRoutesOptions`]: where the flows end.

use std::sync::Arc;

use crate::auth::AuthEvent;
use crate::cognito::RetryPolicy;

/// Where the auth routes send the browser when a flow ends, and how the back-channel calls are retried.
///
/// Destinations are relative paths (`/dashboard`) or absolute `http(s)` URLs; they are set by the application,
/// never taken from the request. An empty string means `/`, as upstream.
///
/// ```
/// use amplify_ssr::auth::routes::AuthRoutesOptions;
///
/// let options = AuthRoutesOptions::default()
///     .with_redirect_on_sign_in_complete("/dashboard")
///     .with_error_redirect("/auth-error");
/// assert_eq!(options.redirect_on_sign_out_complete, "/");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthRoutesOptions {
    /// Where a completed sign-in (or a sign-in attempt with a valid session) lands, unless the flow carried a
    /// safe `redirect_to`. Default `/`.
    pub redirect_on_sign_in_complete: String,
    /// Where a completed sign-out lands. Default `/`.
    pub redirect_on_sign_out_complete: String,
    /// Where sign-in failures go (identity-provider errors, expired or tampered flows, token-endpoint errors),
    /// with `error` (and for some `error_description`) added to the query. `None` (the default) means
    /// [`redirect_on_sign_out_complete`](Self::redirect_on_sign_out_complete), as upstream.
    pub error_redirect: Option<String>,
    /// Retries of the token and revocation calls. The token exchange is only retried when the connection could
    /// not be established (a sent code may already be consumed); revocation is also retried on timeouts and 5xx.
    pub retry: RetryPolicy,
    /// Called when a managed-login sign-in completes, with the verified custom state: see
    /// [`with_on_sign_in_complete`](Self::with_on_sign_in_complete).
    pub on_sign_in_complete: Option<SignInCompleteHandler>,
}

/// What [`AuthRoutesOptions::on_sign_in_complete`] is told about a completed sign-in.
#[derive(Debug)]
#[non_exhaustive]
pub struct SignInComplete<'a> {
    /// The `custom_state` the sign-in started with (`sign-in?custom_state=…`), read back from the verified OAuth
    /// state: exactly what this server put there. `None` when the flow carried none.
    pub custom_state: Option<&'a str>,
    /// Who signed in.
    pub user: &'a AuthEvent,
    /// Where the browser is about to be sent (`redirect_to`, or `redirect_on_sign_in_complete`).
    pub destination: &'a str,
}

type OnSignInComplete = dyn Fn(&SignInComplete<'_>) -> Option<String> + Send + Sync;

/// The callback of [`AuthRoutesOptions::with_on_sign_in_complete`]. Two handlers are equal when they are the
/// same callback (clones of one handler).
#[derive(Clone)]
pub struct SignInCompleteHandler(Arc<OnSignInComplete>);

impl SignInCompleteHandler {
    /// Wraps `handler`.
    pub fn new(
        handler: impl Fn(&SignInComplete<'_>) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        Self(Arc::new(handler))
    }

    /// Calls the handler; a panic is caught and logged (no other destination then).
    pub(crate) fn call(&self, complete: &SignInComplete<'_>) -> Option<String> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (self.0)(complete)))
            .unwrap_or_else(|_| {
                tracing::error!("the sign-in-complete handler panicked; keeping the destination");
                None
            })
    }
}

impl std::fmt::Debug for SignInCompleteHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignInCompleteHandler(..)")
    }
}

impl PartialEq for SignInCompleteHandler {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for SignInCompleteHandler {}

impl Default for AuthRoutesOptions {
    fn default() -> Self {
        Self {
            redirect_on_sign_in_complete: "/".to_owned(),
            redirect_on_sign_out_complete: "/".to_owned(),
            error_redirect: None,
            retry: RetryPolicy::default(),
            on_sign_in_complete: None,
        }
    }
}

impl AuthRoutesOptions {
    /// Sets [`redirect_on_sign_in_complete`](Self::redirect_on_sign_in_complete).
    #[must_use]
    pub fn with_redirect_on_sign_in_complete(mut self, destination: impl Into<String>) -> Self {
        self.redirect_on_sign_in_complete = destination.into();
        self
    }

    /// Sets [`redirect_on_sign_out_complete`](Self::redirect_on_sign_out_complete).
    #[must_use]
    pub fn with_redirect_on_sign_out_complete(mut self, destination: impl Into<String>) -> Self {
        self.redirect_on_sign_out_complete = destination.into();
        self
    }

    /// Sets [`error_redirect`](Self::error_redirect).
    #[must_use]
    pub fn with_error_redirect(mut self, destination: impl Into<String>) -> Self {
        self.error_redirect = Some(destination.into());
        self
    }

    /// Calls `handler` after a managed-login sign-in completes (the session cookies are written), with the
    /// verified custom state, the user and the destination: upstream's `customState`, delivered on the server.
    ///
    /// A sign-in carries a custom state when it starts as `sign-in?custom_state=<text>` (or `sign-up?…`), at most
    /// [`MAX_CUSTOM_STATE_LEN`](super::MAX_CUSTOM_STATE_LEN) bytes (a longer one is dropped and logged). It
    /// travels base64url-encoded inside the OAuth `state`, which the HttpOnly state cookie holds and the callback
    /// compares in constant time, and it is read back from the cookie's copy: a custom state handed to the
    /// handler is exactly what this server put in the flow, never what the callback URL says. The request that
    /// started the sign-in is anyone's to craft, though (a link), so treat the value as a hint from the
    /// browser, not as the application's own decision.
    ///
    /// The handler returns `Some(destination)` to send the browser elsewhere (a relative path or an absolute
    /// http(s) URL, checked like the other destinations; one that fails the check is logged and ignored), or
    /// `None` to keep the destination. It is called only for a completed flow: not for a signed-in visit of
    /// `sign-in`, nor for a revisited callback. It should be quick; a panic is caught and logged.
    ///
    /// ```
    /// use amplify_ssr::auth::routes::AuthRoutesOptions;
    ///
    /// let options = AuthRoutesOptions::default().with_on_sign_in_complete(|complete| {
    ///     // `sign-in?custom_state=billing` brings the user to the billing page.
    ///     (complete.custom_state == Some("billing")).then(|| "/account/billing".to_owned())
    /// });
    /// # let _ = options;
    /// ```
    #[must_use]
    pub fn with_on_sign_in_complete(
        mut self,
        handler: impl Fn(&SignInComplete<'_>) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.on_sign_in_complete = Some(SignInCompleteHandler::new(handler));
        self
    }

    /// Sets [`retry`](Self::retry).
    #[must_use]
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }
}

/// Checks an application-provided destination: a safe relative path or an absolute http(s) URL, printable
/// ASCII-safe for a `Location` header. Empty means `/`.
pub(crate) fn check_destination(value: &str) -> Option<String> {
    if value.is_empty() {
        return Some("/".to_owned());
    }
    if value.chars().any(char::is_control) {
        return None;
    }
    if crate::redirect::safe_redirect_path(value).is_some() {
        return Some(value.to_owned());
    }
    match url::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
            Some(value.to_owned())
        }
        _ => None,
    }
}
