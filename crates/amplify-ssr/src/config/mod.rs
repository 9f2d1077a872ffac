//! Amplify configuration: `amplify_outputs.json` (Gen 2) or a Gen 1 `aws-exports` / `amplifyconfiguration.json`,
//! plus endpoint overrides for local emulators.
//!
//! # Loading
//!
//! ```no_run
//! use amplify_ssr::config::AmplifyConfig;
//!
//! let mut config = AmplifyConfig::from_path("amplify_outputs.json")?;
//! config.apply_env()?; // AMPLIFY_SSR_* overrides, see below
//! let auth = config.auth()?;
//! println!("user pool {} in {}", auth.user_pool_id, auth.region);
//! # Ok::<(), amplify_ssr::config::ConfigError>(())
//! ```
//!
//! The format is detected as aws-amplify does: any top-level key starting with `aws_` means Gen 1, otherwise
//! `version` must be a string starting with `"1"`. Unknown fields are ignored; `null` counts as absent. Every error
//! names the JSON path (e.g. `auth.user_pool_id`), what was expected, what was found and how to fix it.
//!
//! # Endpoint overrides
//!
//! By default the library talks to AWS: `https://cognito-idp.{region}.amazonaws.com/` for the user pool,
//! `https://cognito-identity.{region}.amazonaws.com/` for the identity pool (`amazonaws.com.cn` in `cn-*` regions),
//! `https://{auth.oauth.domain}` for managed login, and it expects tokens issued by
//! `https://cognito-idp.{region}.amazonaws.com/{userPoolId}` signed with keys from `{issuer}/.well-known/jwks.json`.
//! To run against a local emulator (moto, cognito-local, `amplify-local`) or a proxy, override any of them. There
//! are three sources; for each endpoint the last one that sets it wins:
//!
//! 1. **The config file**: an extension block that aws-amplify itself ignores.
//!
//!    ```json
//!    {
//!      "version": "1.4",
//!      "auth": { "user_pool_id": "local_abc", "user_pool_client_id": "client1" },
//!      "custom": {
//!        "amplify_ssr": {
//!          "version": 1,
//!          "endpoints": {
//!            "user_pool": "http://127.0.0.1:9229/",
//!            "identity_pool": "http://127.0.0.1:9229/",
//!            "oauth": "http://127.0.0.1:9229",
//!            "jwks_url": "http://127.0.0.1:9229/local_abc/.well-known/jwks.json",
//!            "token_issuer": "http://127.0.0.1:9229/local_abc",
//!            "storage": "http://127.0.0.1:9000"
//!          }
//!        }
//!      }
//!    }
//!    ```
//!
//!    Every key is optional. `version` may be omitted; if present it must be `1`.
//! 2. **Environment variables**, read by [`AmplifyConfig::apply_env`] (empty values are ignored):
//!
//!    | variable | overrides |
//!    |---|---|
//!    | `AMPLIFY_SSR_USER_POOL_ENDPOINT` | Cognito user-pool API URL |
//!    | `AMPLIFY_SSR_IDENTITY_POOL_ENDPOINT` | Cognito identity-pool API URL |
//!    | `AMPLIFY_SSR_OAUTH_BASE_URL` | managed-login base URL (may be `http://127.0.0.1:PORT`) |
//!    | `AMPLIFY_SSR_JWKS_URL` | JWKS URL |
//!    | `AMPLIFY_SSR_TOKEN_ISSUER` | expected `iss` claim (compared verbatim) |
//!    | `AMPLIFY_SSR_STORAGE_ENDPOINT` | S3 endpoint; storage requests go path-style to `{endpoint}/{bucket}/{key}` |
//!
//!    ```sh
//!    AMPLIFY_SSR_USER_POOL_ENDPOINT=http://127.0.0.1:5002/ \
//!    AMPLIFY_SSR_JWKS_URL=http://127.0.0.1:5002/us-east-1_abc/.well-known/jwks.json \
//!    cargo run
//!    ```
//! 3. **Code**: [`AmplifyConfig::with_user_pool_endpoint`], [`with_identity_pool_endpoint`],
//!    [`with_oauth_base_url`], [`with_jwks_url`], [`with_token_issuer`], [`with_storage_endpoint`] (the server
//!    runner's builder calls these after `apply_env`).
//!
//! URLs must be absolute `http` or `https` URLs with a host; a bad value is an error naming its source (JSON path,
//! variable or setter) and the value. The JWKS URL and the issuer are independent: overriding the issuer moves the
//! default JWKS URL along with it, but an explicit JWKS override always wins and never changes the issuer.
//!
//! [`with_identity_pool_endpoint`]: AmplifyConfig::with_identity_pool_endpoint
//! [`with_oauth_base_url`]: AmplifyConfig::with_oauth_base_url
//! [`with_jwks_url`]: AmplifyConfig::with_jwks_url
//! [`with_token_issuer`]: AmplifyConfig::with_token_issuer
//! [`with_storage_endpoint`]: AmplifyConfig::with_storage_endpoint

mod app_origin;
mod auth;
mod data;
mod endpoints;
mod error;
mod json;
mod legacy;
mod outputs;
mod rest;
mod storage;
#[cfg(test)]
mod tests;

use std::path::Path;

use serde_json::Value;
use url::Url;

pub use app_origin::{AppOrigin, AppOriginError, AppOriginProblem, ENV_APP_ORIGIN};
pub use auth::{
    AuthConfig, IdentityProvider, MfaConfiguration, MfaMethod, OAuthConfig, OAuthResponseType,
    PasswordPolicy, UserGroup, UsernameAttribute,
};
pub use data::{AuthorizationType, DataConfig};
pub use endpoints::{
    ENV_IDENTITY_POOL_ENDPOINT, ENV_JWKS_URL, ENV_OAUTH_BASE_URL, ENV_STORAGE_ENDPOINT,
    ENV_TOKEN_ISSUER, ENV_USER_POOL_ENDPOINT, EndpointOverrides, aws_dns_suffix,
};
pub use error::ConfigError;
pub use rest::RestApiConfig;
pub use storage::{BucketConfig, PathRules, StorageConfig};

pub(crate) use endpoints::parse_endpoint;
use endpoints::{ENDPOINT_EXPECTED, aws_service_url, is_http_with_host};
use json::Fields;

/// A parsed Amplify configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AmplifyConfig {
    /// Cognito settings; `None` when the app has no auth.
    pub auth: Option<AuthConfig>,
    /// AppSync settings.
    pub data: Option<DataConfig>,
    /// S3 settings.
    pub storage: Option<StorageConfig>,
    /// Endpoint overrides (see the [module docs](self)).
    pub endpoints: EndpointOverrides,
    /// REST APIs (`custom.API`, or Gen 1 `aws_cloud_logic_custom`), for the `rest` module.
    pub rest_apis: Vec<RestApiConfig>,
}

impl AmplifyConfig {
    /// Parses a Gen 2 or Gen 1 config document.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Syntax`] for invalid JSON, otherwise as [`Self::from_value`].
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let value: Value =
            serde_json::from_str(text).map_err(|source| ConfigError::Syntax { source })?;
        Self::from_value(&value)
    }

    /// Parses an already-decoded config document.
    ///
    /// # Errors
    ///
    /// [`ConfigError::UnknownFormat`] when the document is neither format, [`ConfigError::Invalid`] for a missing or
    /// malformed field, [`ConfigError::InvalidEndpoint`] for a bad override in `custom.amplify_ssr.endpoints`.
    pub fn from_value(value: &Value) -> Result<Self, ConfigError> {
        let Value::Object(map) = value else {
            return Err(ConfigError::UnknownFormat {
                found: json::describe(value),
            });
        };
        let root = Fields {
            map,
            path: String::new(),
        };
        if map.keys().any(|key| key.starts_with("aws_")) {
            return legacy::parse(&root);
        }
        match root.get("version") {
            Some(Value::String(version)) if version.starts_with('1') => outputs::parse(&root),
            Some(other) => Err(ConfigError::invalid(
                "version",
                "a string starting with \"1\" (amplify_outputs.json schema version 1.x)",
                json::describe(other),
                "regenerate amplify_outputs.json with a current `@aws-amplify/backend` (`npx ampx generate outputs`)",
            )),
            None => Err(ConfigError::UnknownFormat {
                found: "an object with neither `version` nor `aws_*` keys".to_owned(),
            }),
        }
    }

    /// Reads and parses a config file.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Read`] when the file cannot be read, otherwise as [`Self::from_json`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_json(&text)
    }

    /// Applies the `AMPLIFY_SSR_*` endpoint variables of the process environment (see the [module docs](self)).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidEndpoint`] naming the variable.
    pub fn apply_env(&mut self) -> Result<(), ConfigError> {
        self.apply_env_from(|name| std::env::var(name).ok())
    }

    /// Applies the `AMPLIFY_SSR_*` endpoint variables as returned by `lookup` (for tests and custom sources).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidEndpoint`] naming the variable.
    pub fn apply_env_from(
        &mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        endpoints::apply_env(&mut self.endpoints, lookup)
    }

    /// Overrides the Cognito user-pool API endpoint.
    #[must_use]
    pub fn with_user_pool_endpoint(mut self, url: Url) -> Self {
        self.endpoints.user_pool = Some(url);
        self
    }

    /// Overrides the Cognito identity-pool API endpoint.
    #[must_use]
    pub fn with_identity_pool_endpoint(mut self, url: Url) -> Self {
        self.endpoints.identity_pool = Some(url);
        self
    }

    /// Overrides the managed-login (OAuth) base URL.
    #[must_use]
    pub fn with_oauth_base_url(mut self, url: Url) -> Self {
        self.endpoints.oauth = Some(url);
        self
    }

    /// Overrides the JWKS URL.
    #[must_use]
    pub fn with_jwks_url(mut self, url: Url) -> Self {
        self.endpoints.jwks_url = Some(url);
        self
    }

    /// Overrides the expected `iss` claim.
    #[must_use]
    pub fn with_token_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.endpoints.token_issuer = Some(issuer.into());
        self
    }

    /// Overrides the S3 endpoint (storage requests then go path-style to `{endpoint}/{bucket}/{key}`).
    #[must_use]
    pub fn with_storage_endpoint(mut self, url: Url) -> Self {
        self.endpoints.storage = Some(url);
        self
    }

    /// The S3 endpoint override, if any (`None` means the AWS endpoints derived from the bucket and region).
    ///
    /// # Errors
    ///
    /// An override set in code that is not an http(s) URL.
    pub fn storage_endpoint(&self) -> Result<Option<Url>, ConfigError> {
        self.endpoints
            .storage
            .as_ref()
            .map(|url| checked(url, "with_storage_endpoint / endpoints.storage"))
            .transpose()
    }

    /// The user pool settings.
    ///
    /// # Errors
    ///
    /// [`ConfigError::AuthNotConfigured`] (Amplify's `AuthUserPoolException`) when the config has no `auth`.
    pub fn auth(&self) -> Result<&AuthConfig, ConfigError> {
        self.auth.as_ref().ok_or(ConfigError::AuthNotConfigured)
    }

    /// The Cognito user-pool API URL: the override, else `https://cognito-idp.{region}.amazonaws.com/`.
    ///
    /// # Errors
    ///
    /// No `auth`, or an override set in code that is not an http(s) URL.
    pub fn user_pool_endpoint(&self) -> Result<Url, ConfigError> {
        match &self.endpoints.user_pool {
            Some(url) => checked(url, "with_user_pool_endpoint / endpoints.user_pool"),
            None => aws_service_url("cognito-idp", &self.auth()?.region),
        }
    }

    /// The Cognito identity-pool API URL: the override, else `https://cognito-identity.{region}.amazonaws.com/`
    /// with the region of the identity pool id.
    ///
    /// # Errors
    ///
    /// No `auth`, no identity pool, or an override set in code that is not an http(s) URL.
    pub fn identity_pool_endpoint(&self) -> Result<Url, ConfigError> {
        if let Some(url) = &self.endpoints.identity_pool {
            return checked(url, "with_identity_pool_endpoint / endpoints.identity_pool");
        }
        let region = self.auth()?.identity_pool_region().ok_or_else(|| {
            ConfigError::not_configured(
                "the Cognito identity pool (`auth.identity_pool_id`)",
                "add an identity pool to the auth resource (Gen 2 creates one by default) to get AWS credentials",
            )
        })?;
        aws_service_url("cognito-identity", region)
    }

    /// The managed-login base URL: the override, else `https://{auth.oauth.domain}`.
    ///
    /// # Errors
    ///
    /// No `auth`, no `auth.oauth`, or an override set in code that is not an http(s) URL.
    pub fn oauth_base_url(&self) -> Result<Url, ConfigError> {
        if let Some(url) = &self.endpoints.oauth {
            return checked(url, "with_oauth_base_url / endpoints.oauth");
        }
        let oauth = self.auth()?.oauth.as_ref().ok_or_else(|| {
            ConfigError::not_configured(
                "managed login (`auth.oauth`)",
                "add `loginWith.externalProviders` (with callback and logout URLs) to the Gen 2 auth resource, or \
                 set the `oauth` endpoint override",
            )
        })?;
        if oauth.domain.is_empty() {
            return Err(auth::missing_oauth_domain());
        }
        Url::parse(&format!("https://{}", oauth.domain)).map_err(|_| {
            ConfigError::invalid(
                "auth.oauth.domain",
                "a host name",
                json::preview(&oauth.domain),
                "use the Cognito domain without scheme or path",
            )
        })
    }

    /// The expected `iss` claim: the override, else `https://cognito-idp.{region}.amazonaws.com/{userPoolId}`.
    ///
    /// # Errors
    ///
    /// No `auth`, or an override set in code that is not an http(s) URL.
    pub fn token_issuer(&self) -> Result<String, ConfigError> {
        if let Some(issuer) = &self.endpoints.token_issuer {
            return endpoints::check_issuer("with_token_issuer / endpoints.token_issuer", issuer);
        }
        let auth = self.auth()?;
        let base = aws_service_url("cognito-idp", &auth.region)?;
        Ok(format!("{base}{}", auth.user_pool_id))
    }

    /// The JWKS URL: the override, else `{token_issuer}/.well-known/jwks.json`.
    ///
    /// # Errors
    ///
    /// No `auth` (without a JWKS override), or an override that is not an http(s) URL.
    pub fn jwks_url(&self) -> Result<Url, ConfigError> {
        if let Some(url) = &self.endpoints.jwks_url {
            return checked(url, "with_jwks_url / endpoints.jwks_url");
        }
        let issuer = self.token_issuer()?;
        let text = format!("{}/.well-known/jwks.json", issuer.trim_end_matches('/'));
        Url::parse(&text).map_err(|_| {
            ConfigError::invalid_endpoint("the token issuer", &text, ENDPOINT_EXPECTED)
        })
    }
}

/// Re-checks an override that may have been set in code (the file and env sources are checked on load).
fn checked(url: &Url, origin: &str) -> Result<Url, ConfigError> {
    if is_http_with_host(url) {
        Ok(url.clone())
    } else {
        Err(ConfigError::invalid_endpoint(
            origin,
            url.as_str(),
            ENDPOINT_EXPECTED,
        ))
    }
}
