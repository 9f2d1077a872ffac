//! Configuration errors. Every message says where the problem is, what was expected, and how to fix it.

use std::path::PathBuf;

/// Fix hint for a missing user pool.
const AUTH_FIX: &str = "add an `auth` block with `user_pool_id` and `user_pool_client_id` to amplify_outputs.json \
    (`npx ampx sandbox` or `npx ampx generate outputs` writes it), or `aws_user_pools_id` and \
    `aws_user_pools_web_client_id` to a Gen 1 aws-exports / amplifyconfiguration.json";

/// Why an Amplify configuration could not be loaded or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("could not read the Amplify config file `{}`: {source}; check the path (it is resolved against the \
        current directory)", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },

    /// The text is not JSON.
    #[error(
        "the Amplify config is not valid JSON: {source}; use the amplify_outputs.json written by `npx ampx`"
    )]
    Syntax {
        /// The parser error (it carries line and column).
        source: serde_json::Error,
    },

    /// Neither a Gen 2 `amplify_outputs.json` nor a Gen 1 `aws_*` config.
    #[error(
        "unrecognised Amplify config: found {found}; expected amplify_outputs.json (an object with \
        \"version\": \"1\") or a Gen 1 aws-exports / amplifyconfiguration.json (top-level `aws_*` keys)"
    )]
    UnknownFormat {
        /// What the document looked like.
        found: String,
    },

    /// A field is missing, has the wrong JSON type, or an unusable value.
    #[error("invalid Amplify config at `{path}`: expected {expected}, found {found}; fix: {fix}")]
    Invalid {
        /// JSON path of the field, e.g. `auth.user_pool_id` or `storage.buckets[1].name`.
        path: String,
        /// What the field must hold.
        expected: String,
        /// What it holds (type and a short preview; never a secret).
        found: String,
        /// How to fix it.
        fix: String,
    },

    /// An endpoint override is not an absolute http(s) URL with a host.
    #[error("invalid endpoint override from {origin}: `{value}`; expected {expected}")]
    InvalidEndpoint {
        /// Where the value came from: a JSON path, an environment variable or a builder method.
        origin: String,
        /// The rejected value.
        value: String,
        /// What is accepted.
        expected: String,
    },

    /// The operation needs the user pool, and the config has none (Amplify's `AuthUserPoolException`).
    #[error("Auth UserPool not configured: {AUTH_FIX}")]
    AuthNotConfigured,

    /// The operation needs a part of the config that is absent (identity pool, OAuth domain, ...).
    #[error("{what} is not configured; fix: {fix}")]
    NotConfigured {
        /// The missing part.
        what: String,
        /// How to add it.
        fix: String,
    },

    /// Two settings of the runner's builder contradict each other; neither is silently preferred.
    #[error("conflicting runner settings: {setting} contradicts {other}: {problem}; fix: {fix}")]
    ConflictingSettings {
        /// The builder setting that conflicts, e.g. `insecure_cookies_for_local_http()`.
        setting: String,
        /// What it conflicts with, e.g. `http_only_cookies(true)`.
        other: String,
        /// Why both cannot hold.
        problem: String,
        /// How to fix it.
        fix: String,
    },

    /// The HTTP client could not be built (TLS backend initialisation).
    #[error("could not build the HTTP client: {0}")]
    HttpClient(String),
}

impl ConfigError {
    /// [`ConfigError::AuthNotConfigured`].
    #[must_use]
    pub fn auth_not_configured() -> Self {
        Self::AuthNotConfigured
    }

    /// [`ConfigError::InvalidEndpoint`] for `value`, read from `origin`.
    #[must_use]
    pub fn invalid_endpoint(origin: &str, value: &str, expected: &str) -> Self {
        Self::InvalidEndpoint {
            origin: origin.to_owned(),
            value: value.to_owned(),
            expected: expected.to_owned(),
        }
    }

    /// [`ConfigError::HttpClient`].
    #[must_use]
    pub fn http_client(message: String) -> Self {
        Self::HttpClient(message)
    }

    /// The JSON path the error is about, when there is one.
    #[must_use]
    pub fn path(&self) -> Option<&str> {
        match self {
            Self::Invalid { path, .. } => Some(path),
            _ => None,
        }
    }

    pub(super) fn invalid(
        path: &str,
        expected: &str,
        found: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self::Invalid {
            path: path.to_owned(),
            expected: expected.to_owned(),
            found: found.into(),
            fix: fix.into(),
        }
    }

    pub(super) fn not_configured(what: &str, fix: &str) -> Self {
        Self::NotConfigured {
            what: what.to_owned(),
            fix: fix.to_owned(),
        }
    }
}
