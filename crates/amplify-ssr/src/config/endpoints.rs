//! Endpoint overrides (for local emulators and proxies) and the AWS default endpoints.

use url::Url;

use super::ConfigError;
use super::json::{Fields, describe};

/// Environment variable overriding the Cognito user-pool API endpoint.
pub const ENV_USER_POOL_ENDPOINT: &str = "AMPLIFY_SSR_USER_POOL_ENDPOINT";
/// Environment variable overriding the Cognito identity-pool API endpoint.
pub const ENV_IDENTITY_POOL_ENDPOINT: &str = "AMPLIFY_SSR_IDENTITY_POOL_ENDPOINT";
/// Environment variable overriding the managed-login (OAuth) base URL.
pub const ENV_OAUTH_BASE_URL: &str = "AMPLIFY_SSR_OAUTH_BASE_URL";
/// Environment variable overriding where the JWKS is fetched.
pub const ENV_JWKS_URL: &str = "AMPLIFY_SSR_JWKS_URL";
/// Environment variable overriding the expected `iss` claim.
pub const ENV_TOKEN_ISSUER: &str = "AMPLIFY_SSR_TOKEN_ISSUER";
/// Environment variable overriding the S3 endpoint (path-style requests go to `{endpoint}/{bucket}/{key}`).
pub const ENV_STORAGE_ENDPOINT: &str = "AMPLIFY_SSR_STORAGE_ENDPOINT";

/// What an endpoint override must look like.
pub(super) const ENDPOINT_EXPECTED: &str =
    "an absolute http or https URL with a host, e.g. \"http://127.0.0.1:9229/\"";

/// Replacements for the AWS endpoints. Each one is used verbatim when set.
///
/// Sources, later ones winning: the `custom.amplify_ssr.endpoints` block of the config file, the `AMPLIFY_SSR_*`
/// environment variables ([`AmplifyConfig::apply_env`](super::AmplifyConfig::apply_env)), and the `with_*` setters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EndpointOverrides {
    /// Cognito user-pool API (`InitiateAuth`, `GetTokensFromRefreshToken`, `GetUser`, ...): the POST URL.
    pub user_pool: Option<Url>,
    /// Cognito identity-pool API (`GetId`, `GetCredentialsForIdentity`): the POST URL.
    pub identity_pool: Option<Url>,
    /// Managed login base URL (`/oauth2/authorize`, `/oauth2/token`, `/logout` are appended), scheme included.
    pub oauth: Option<Url>,
    /// Where the user pool's JWKS is fetched.
    pub jwks_url: Option<Url>,
    /// The `iss` claim tokens must carry, compared verbatim.
    pub token_issuer: Option<String>,
    /// S3-compatible storage endpoint, e.g. `http://127.0.0.1:9000`. When set, every storage request is sent
    /// path-style to `{endpoint}/{bucket}/{key}` (scheme and port kept), and transfer acceleration is ignored.
    pub storage: Option<Url>,
}

impl EndpointOverrides {
    /// Lays `later` over these overrides: every endpoint `later` sets wins, the others stay.
    pub(crate) fn override_with(&mut self, later: Self) {
        // Destructured so that a new endpoint cannot be forgotten here.
        let Self {
            user_pool,
            identity_pool,
            oauth,
            jwks_url,
            token_issuer,
            storage,
        } = later;
        self.user_pool = user_pool.or(self.user_pool.take());
        self.identity_pool = identity_pool.or(self.identity_pool.take());
        self.oauth = oauth.or(self.oauth.take());
        self.jwks_url = jwks_url.or(self.jwks_url.take());
        self.token_issuer = token_issuer.or(self.token_issuer.take());
        self.storage = storage.or(self.storage.take());
    }
}

/// Parses an endpoint override; `origin` names where it came from (JSON path, variable or setter).
pub(crate) fn parse_endpoint(origin: &str, text: &str) -> Result<Url, ConfigError> {
    match Url::parse(text.trim()) {
        Ok(url) if is_http_with_host(&url) => Ok(url),
        _ => Err(ConfigError::invalid_endpoint(
            origin,
            text,
            ENDPOINT_EXPECTED,
        )),
    }
}

/// Checks an issuer override; it stays a string because `iss` is compared byte for byte.
pub(super) fn check_issuer(origin: &str, text: &str) -> Result<String, ConfigError> {
    parse_endpoint(origin, text)?;
    Ok(text.trim().to_owned())
}

pub(super) fn is_http_with_host(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|host| !host.is_empty())
}

/// Reads `custom.amplify_ssr` (version 1) from a config document.
pub(super) fn parse_extension(root: &Fields<'_>) -> Result<EndpointOverrides, ConfigError> {
    let mut overrides = EndpointOverrides::default();
    let Some(custom) = root.opt_object("custom")? else {
        return Ok(overrides);
    };
    let Some(block) = custom.opt_object("amplify_ssr")? else {
        return Ok(overrides);
    };
    if let Some(version) = block.get("version") {
        let supported = version.as_u64() == Some(1) || version.as_str() == Some("1");
        if !supported {
            return Err(ConfigError::invalid(
                &block.path_of("version"),
                "1",
                describe(version),
                "set `custom.amplify_ssr.version` to 1 (the only version this library understands)",
            ));
        }
    }
    let Some(endpoints) = block.opt_object("endpoints")? else {
        return Ok(overrides);
    };
    let url = |key: &str| -> Result<Option<Url>, ConfigError> {
        endpoints
            .opt_str(key)?
            .map(|text| parse_endpoint(&format!("`{}`", endpoints.path_of(key)), text))
            .transpose()
    };
    overrides.user_pool = url("user_pool")?;
    overrides.identity_pool = url("identity_pool")?;
    overrides.oauth = url("oauth")?;
    overrides.jwks_url = url("jwks_url")?;
    overrides.token_issuer = endpoints
        .opt_str("token_issuer")?
        .map(|text| check_issuer(&format!("`{}`", endpoints.path_of("token_issuer")), text))
        .transpose()?;
    overrides.storage = url("storage")?;
    Ok(overrides)
}

/// Applies the `AMPLIFY_SSR_*` variables found by `lookup`; empty values count as unset.
pub(super) fn apply_env(
    overrides: &mut EndpointOverrides,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    let read = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
    let origin = |name: &str| format!("environment variable {name}");
    if let Some(value) = read(ENV_USER_POOL_ENDPOINT) {
        overrides.user_pool = Some(parse_endpoint(&origin(ENV_USER_POOL_ENDPOINT), &value)?);
    }
    if let Some(value) = read(ENV_IDENTITY_POOL_ENDPOINT) {
        overrides.identity_pool =
            Some(parse_endpoint(&origin(ENV_IDENTITY_POOL_ENDPOINT), &value)?);
    }
    if let Some(value) = read(ENV_OAUTH_BASE_URL) {
        overrides.oauth = Some(parse_endpoint(&origin(ENV_OAUTH_BASE_URL), &value)?);
    }
    if let Some(value) = read(ENV_JWKS_URL) {
        overrides.jwks_url = Some(parse_endpoint(&origin(ENV_JWKS_URL), &value)?);
    }
    if let Some(value) = read(ENV_TOKEN_ISSUER) {
        overrides.token_issuer = Some(check_issuer(&origin(ENV_TOKEN_ISSUER), &value)?);
    }
    if let Some(value) = read(ENV_STORAGE_ENDPOINT) {
        overrides.storage = Some(parse_endpoint(&origin(ENV_STORAGE_ENDPOINT), &value)?);
    }
    Ok(())
}

/// The AWS DNS suffix of a region: `amazonaws.com.cn` in China, `amazonaws.com` elsewhere.
#[must_use]
pub fn aws_dns_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    }
}

/// `https://{service}.{region}.{suffix}/`.
pub(super) fn aws_service_url(service: &str, region: &str) -> Result<Url, ConfigError> {
    let text = format!("https://{service}.{region}.{}/", aws_dns_suffix(region));
    Url::parse(&text).map_err(|_| {
        ConfigError::invalid_endpoint("the region of the pool id", &text, ENDPOINT_EXPECTED)
    })
}
