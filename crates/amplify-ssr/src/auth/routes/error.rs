//! [`AuthRoutesError`]: why [`AuthRoutes::new`](super::AuthRoutes::new) refused the configuration.

use crate::config::ConfigError;

/// Why the auth routes cannot be built. Every message says how to fix it. These are startup errors: a request is
/// never answered with one (request-time failures end on the error destination instead).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthRoutesError {
    /// The configuration has no user pool.
    #[error("the auth routes need a user pool: {0}")]
    UserPoolNotConfigured(#[source] ConfigError),

    /// A managed-login (`auth.oauth`) setting is missing.
    #[error(
        "oauth param not configured: `auth.oauth.{missing}` is missing or empty; fix: configure managed login \
         (Gen 2: `loginWith.externalProviders` with `callbackUrls` and `logoutUrls`; the URLs must include \
         `<origin>/api/auth/sign-in-callback` and `<origin>/api/auth/sign-out-callback`), then regenerate \
         amplify_outputs.json"
    )]
    OAuthNotConfigured {
        /// The missing key: `domain`, `redirect_sign_in_uri` or `redirect_sign_out_uri`.
        missing: &'static str,
    },

    /// `auth.oauth.response_type` is `token` (implicit grant).
    #[error(
        "`auth.oauth.response_type` is `token`, but the server-side flow uses the authorization code grant with \
         PKCE; fix: set the response type to `code`"
    )]
    ImplicitGrant,

    /// The managed-login base URL could not be built.
    #[error("the managed-login URL is unusable: {0}")]
    ManagedLoginUrl(#[source] ConfigError),

    /// No application origin was configured.
    #[error(
        "Could not find the AMPLIFY_APP_ORIGIN environment variable; fix: set AMPLIFY_APP_ORIGIN (e.g. \
         `https://app.example.com` or `http://localhost:3000`) or call `ServerRunnerBuilder::app_origin`"
    )]
    AppOriginMissing,

    /// None of the configured redirect URIs has the application's origin.
    #[error(
        "No valid {flow} url found in the OAuth config for origin {origin} (configured: {configured:?}); fix: \
         add `{origin}{suggested_path}` to `auth.oauth.{config_key}` (and to the app client's allowed URLs), or \
         correct the application origin"
    )]
    NoRedirectUri {
        /// `redirectSignIn` or `redirectSignOut`.
        flow: &'static str,
        /// The key in amplify_outputs.json: `redirect_sign_in_uri` or `redirect_sign_out_uri`.
        config_key: &'static str,
        /// The application's origin.
        origin: String,
        /// The URIs that are configured.
        configured: Vec<String>,
        /// The conventional callback path, for the hint.
        suggested_path: &'static str,
    },

    /// An [`AuthRoutesOptions`](super::AuthRoutesOptions) destination is unusable.
    #[error(
        "invalid auth route option `{option}`: `{value}`; fix: use a relative path such as `/dashboard` or an \
         absolute http(s) URL"
    )]
    InvalidOption {
        /// The option's name.
        option: &'static str,
        /// The rejected value.
        value: String,
    },
}
