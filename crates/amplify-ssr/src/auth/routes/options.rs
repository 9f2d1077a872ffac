//! [`AuthRoutesOptions`]: where the flows end.

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
}

impl Default for AuthRoutesOptions {
    fn default() -> Self {
        Self {
            redirect_on_sign_in_complete: "/".to_owned(),
            redirect_on_sign_out_complete: "/".to_owned(),
            error_redirect: None,
            retry: RetryPolicy::default(),
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
