//! The `auth` section: Cognito user pool, identity pool and managed-login (OAuth) settings.

use serde_json::Value;

use super::ConfigError;
use super::json::{Fields, preview, wrong_type};

/// Cognito settings (`auth` in amplify_outputs.json).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthConfig {
    /// User pool id, `<region>_<id>`, e.g. `us-east-1_AbCdEf123`.
    pub user_pool_id: String,
    /// App client id (a public client: no secret is ever used).
    pub user_pool_client_id: String,
    /// The user pool's region: the text before `_` in [`Self::user_pool_id`].
    pub region: String,
    /// Identity pool id, `<region>:<uuid>`, when AWS credentials are wanted.
    pub identity_pool_id: Option<String>,
    /// Whether guests get identity-pool credentials (`unauthenticated_identities_enabled`).
    pub allow_guest_access: bool,
    /// Managed login (hosted UI) settings.
    pub oauth: Option<OAuthConfig>,
    /// Which attributes users sign in with.
    pub username_attributes: Vec<UsernameAttribute>,
    /// Attributes required at sign-up, e.g. `email`.
    pub standard_required_attributes: Vec<String>,
    /// The user pool's password policy.
    pub password_policy: Option<PasswordPolicy>,
    /// Whether MFA is off, optional or required.
    pub mfa_configuration: Option<MfaConfiguration>,
    /// Enabled MFA methods.
    pub mfa_methods: Vec<MfaMethod>,
    /// User pool groups.
    pub groups: Vec<UserGroup>,
    /// Attributes verified at sign-up, e.g. `email`.
    pub user_verification_types: Vec<String>,
    /// Passwordless settings, kept as written (`passwordless`).
    pub passwordless: Option<Value>,
    /// `authentication_flow_type`, e.g. `USER_SRP_AUTH`.
    pub authentication_flow_type: Option<String>,
}

impl AuthConfig {
    /// The user pool name: the part of the id after `_`.
    #[must_use]
    pub fn pool_name(&self) -> &str {
        self.user_pool_id
            .split_once('_')
            .map_or("", |(_, name)| name)
    }

    /// The identity pool's region: the text before `:` in its id.
    #[must_use]
    pub fn identity_pool_region(&self) -> Option<&str> {
        self.identity_pool_id
            .as_deref()
            .and_then(|id| id.split_once(':'))
            .map(|(region, _)| region)
    }

    /// An `AuthConfig` with only the required fields; the rest are empty / off.
    pub(super) fn minimal(
        user_pool_id: String,
        user_pool_client_id: String,
        region: String,
    ) -> Self {
        Self {
            user_pool_id,
            user_pool_client_id,
            region,
            identity_pool_id: None,
            allow_guest_access: false,
            oauth: None,
            username_attributes: Vec::new(),
            standard_required_attributes: Vec::new(),
            password_policy: None,
            mfa_configuration: None,
            mfa_methods: Vec::new(),
            groups: Vec::new(),
            user_verification_types: Vec::new(),
            passwordless: None,
            authentication_flow_type: None,
        }
    }
}

/// Managed login (hosted UI) settings (`auth.oauth`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuthConfig {
    /// The managed-login host, e.g. `myapp.auth.us-east-1.amazoncognito.com` (used as `https://{domain}`); empty
    /// when the outputs file has none (managed login then fails when used).
    pub domain: String,
    /// Requested scopes (joined with a space in the authorize request).
    pub scopes: Vec<String>,
    /// Allowed sign-in redirect URLs.
    pub redirect_sign_in: Vec<String>,
    /// Allowed sign-out redirect URLs.
    pub redirect_sign_out: Vec<String>,
    /// Authorization code (default) or implicit grant.
    pub response_type: OAuthResponseType,
    /// Social providers, in the spelling the authorize endpoint expects.
    pub identity_providers: Vec<IdentityProvider>,
}

/// The OAuth grant used by managed login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OAuthResponseType {
    /// Authorization code with PKCE (any value other than `token`).
    #[default]
    Code,
    /// Implicit grant (`token`): tokens cannot be refreshed.
    Token,
}

impl OAuthResponseType {
    fn parse(text: &str) -> Self {
        if text == "token" {
            Self::Token
        } else {
            Self::Code
        }
    }
}

/// A social identity provider.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IdentityProvider {
    /// `GOOGLE`.
    Google,
    /// `LOGIN_WITH_AMAZON`.
    Amazon,
    /// `FACEBOOK`.
    Facebook,
    /// `SIGN_IN_WITH_APPLE`.
    Apple,
    /// Any other name, kept as written (aws-amplify drops these; SAML/OIDC providers are passed by name).
    Other(String),
}

impl IdentityProvider {
    /// Maps an amplify_outputs.json name (`GOOGLE`, `LOGIN_WITH_AMAZON`, ...).
    #[must_use]
    pub fn from_outputs_name(name: &str) -> Self {
        match name {
            "GOOGLE" => Self::Google,
            "LOGIN_WITH_AMAZON" => Self::Amazon,
            "FACEBOOK" => Self::Facebook,
            "SIGN_IN_WITH_APPLE" => Self::Apple,
            other => Self::Other(other.to_owned()),
        }
    }

    /// aws-amplify's provider name: `Google`, `Amazon`, `Facebook`, `Apple`, or the name as written.
    #[must_use]
    pub fn amplify_name(&self) -> &str {
        match self {
            Self::Google => "Google",
            Self::Amazon => "Amazon",
            Self::Facebook => "Facebook",
            Self::Apple => "Apple",
            Self::Other(name) => name,
        }
    }

    /// The `identity_provider` value of the authorize request: `Google`, `LoginWithAmazon`, `Facebook`,
    /// `SignInWithApple`, or the name as written.
    #[must_use]
    pub fn cognito_name(&self) -> &str {
        match self {
            Self::Google => "Google",
            Self::Amazon => "LoginWithAmazon",
            Self::Facebook => "Facebook",
            Self::Apple => "SignInWithApple",
            Self::Other(name) => name,
        }
    }
}

/// An attribute users sign in with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UsernameAttribute {
    /// `email`.
    Email,
    /// `phone_number`.
    PhoneNumber,
    /// `username`.
    Username,
    /// Any other value, as written.
    Other(String),
}

impl UsernameAttribute {
    /// Case-insensitive: Gen 2 writes `email`, Gen 1 `EMAIL`.
    fn parse(text: &str) -> Self {
        match text.to_ascii_lowercase().as_str() {
            "email" => Self::Email,
            "phone_number" | "phone" => Self::PhoneNumber,
            "username" => Self::Username,
            _ => Self::Other(text.to_owned()),
        }
    }
}

/// The user pool's password rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PasswordPolicy {
    /// Minimum length.
    pub min_length: Option<u32>,
    /// Requires a lower-case letter.
    pub require_lowercase: bool,
    /// Requires an upper-case letter.
    pub require_uppercase: bool,
    /// Requires a digit.
    pub require_numbers: bool,
    /// Requires a symbol.
    pub require_symbols: bool,
}

/// Whether MFA is used.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MfaConfiguration {
    /// `NONE` (Gen 1: `OFF`).
    Off,
    /// `OPTIONAL`.
    Optional,
    /// `REQUIRED` (Gen 1: `ON`).
    Required,
    /// Any other value, as written.
    Other(String),
}

impl MfaConfiguration {
    fn parse(text: &str) -> Self {
        match text.to_ascii_uppercase().as_str() {
            "NONE" | "OFF" => Self::Off,
            "OPTIONAL" => Self::Optional,
            "REQUIRED" | "ON" => Self::Required,
            _ => Self::Other(text.to_owned()),
        }
    }
}

/// An MFA method.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MfaMethod {
    /// `SMS`.
    Sms,
    /// `TOTP`.
    Totp,
    /// `EMAIL`.
    Email,
    /// Any other value, as written.
    Other(String),
}

impl MfaMethod {
    fn parse(text: &str) -> Self {
        match text.to_ascii_uppercase().as_str() {
            "SMS" => Self::Sms,
            "TOTP" => Self::Totp,
            "EMAIL" => Self::Email,
            _ => Self::Other(text.to_owned()),
        }
    }
}

/// A user pool group.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserGroup {
    /// Group name (the `cognito:groups` claim value).
    pub name: String,
    /// Precedence (lower wins), when set.
    pub precedence: Option<i64>,
}

const USER_POOL_ID_EXPECTED: &str = "a user pool id `<region>_<id>`, e.g. \"us-east-1_AbCdEf123\"";
const USER_POOL_ID_FIX: &str =
    "copy the user pool id from the Cognito console or `npx ampx sandbox` output";
const CLIENT_ID_EXPECTED: &str = "a non-empty app client id";
const CLIENT_ID_FIX: &str = "copy the app client id of the user pool's web client";

/// Checks a user pool id and returns its region. Lenient on the part after `_` (moto uses 32 hex digits).
pub(super) fn user_pool_region(path: &str, id: &str) -> Result<String, ConfigError> {
    match id.split_once('_') {
        Some((region, name)) if is_region(region) && !name.is_empty() => Ok(region.to_owned()),
        _ => Err(ConfigError::invalid(
            path,
            USER_POOL_ID_EXPECTED,
            format!("a string ({})", preview(id)),
            USER_POOL_ID_FIX,
        )),
    }
}

/// Checks an identity pool id (`<region>:<uuid>`).
pub(super) fn check_identity_pool_id(path: &str, id: &str) -> Result<(), ConfigError> {
    match id.split_once(':') {
        Some((region, rest)) if is_region(region) && !rest.is_empty() => Ok(()),
        _ => Err(ConfigError::invalid(
            path,
            "an identity pool id `<region>:<uuid>`, e.g. \"us-east-1:11111111-2222-3333-4444-555555555555\"",
            format!("a string ({})", preview(id)),
            "copy the identity pool id from the Cognito console, or remove the field if no AWS credentials are needed",
        )),
    }
}

pub(super) fn check_client_id(path: &str, id: &str) -> Result<(), ConfigError> {
    if id.trim().is_empty() {
        return Err(ConfigError::invalid(
            path,
            CLIENT_ID_EXPECTED,
            "an empty string",
            CLIENT_ID_FIX,
        ));
    }
    Ok(())
}

/// Region names become DNS labels in endpoint URLs: letters, digits and `-` only.
fn is_region(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Checks that every redirect URL is an absolute URL.
pub(super) fn check_redirect_urls(path: &str, urls: &[String]) -> Result<(), ConfigError> {
    for (i, url) in urls.iter().enumerate() {
        if url::Url::parse(url).is_err() {
            return Err(ConfigError::invalid(
                &format!("{path}[{i}]"),
                "an absolute URL, e.g. \"https://app.example.com/api/auth/sign-in-callback\"",
                format!("a string ({})", preview(url)),
                "write the full URL including the scheme, as registered on the Cognito app client",
            ));
        }
    }
    Ok(())
}

pub(super) fn check_oauth_domain(path: &str, domain: &str) -> Result<(), ConfigError> {
    let parsed = url::Url::parse(&format!("https://{domain}"));
    match parsed {
        Ok(url)
            if !domain.is_empty()
                && url.host().is_some()
                && url.path() == "/"
                && !domain.contains(['/', '?', '#']) =>
        {
            Ok(())
        }
        _ => Err(ConfigError::invalid(
            path,
            "the managed-login host name without scheme, e.g. \"myapp.auth.us-east-1.amazoncognito.com\"",
            format!("a string ({})", preview(domain)),
            "use the Cognito domain (or custom domain) only; to point OAuth at a local server, set the \
             `oauth` endpoint override (see the config module docs)",
        )),
    }
}

/// Parses a Gen 2 `auth` block.
pub(super) fn parse_outputs(auth: &Fields<'_>) -> Result<AuthConfig, ConfigError> {
    let user_pool_id = auth.req_str("user_pool_id", USER_POOL_ID_EXPECTED, USER_POOL_ID_FIX)?;
    let region = user_pool_region(&auth.path_of("user_pool_id"), user_pool_id)?;
    let client_id = auth.req_str("user_pool_client_id", CLIENT_ID_EXPECTED, CLIENT_ID_FIX)?;
    check_client_id(&auth.path_of("user_pool_client_id"), client_id)?;

    let mut config = AuthConfig::minimal(user_pool_id.to_owned(), client_id.to_owned(), region);
    config.identity_pool_id = match auth.opt_str("identity_pool_id")? {
        Some(id) if !id.is_empty() => {
            check_identity_pool_id(&auth.path_of("identity_pool_id"), id)?;
            Some(id.to_owned())
        }
        _ => None,
    };
    config.allow_guest_access = auth
        .opt_bool("unauthenticated_identities_enabled")?
        .unwrap_or(false);
    config.oauth = auth
        .opt_object("oauth")?
        .map(|oauth| parse_outputs_oauth(&oauth))
        .transpose()?;
    config.username_attributes = auth
        .string_list("username_attributes")?
        .iter()
        .map(|a| UsernameAttribute::parse(a))
        .collect();
    config.standard_required_attributes = auth.string_list("standard_required_attributes")?;
    config.password_policy = auth
        .opt_object("password_policy")?
        .map(|p| parse_password_policy(&p))
        .transpose()?;
    config.mfa_configuration = auth
        .opt_str("mfa_configuration")?
        .map(MfaConfiguration::parse);
    config.mfa_methods = auth
        .string_list("mfa_methods")?
        .iter()
        .map(|m| MfaMethod::parse(m))
        .collect();
    config.groups = parse_groups(auth)?;
    config.user_verification_types = auth.string_list("user_verification_types")?;
    config.passwordless = auth.get("passwordless").cloned();
    config.authentication_flow_type = auth.opt_str("authentication_flow_type")?.map(str::to_owned);
    Ok(config)
}

/// The error of an `auth.oauth` block without `domain`, given when managed login is used (the block itself loads,
/// as in aws-amplify, so that an app that never uses managed login starts).
pub(super) fn missing_oauth_domain() -> ConfigError {
    ConfigError::invalid(
        "auth.oauth.domain",
        "the managed-login host name",
        "nothing (the field is missing)",
        "set it to the Cognito domain, e.g. \"myapp.auth.us-east-1.amazoncognito.com\", or remove `oauth`",
    )
}

fn parse_outputs_oauth(oauth: &Fields<'_>) -> Result<OAuthConfig, ConfigError> {
    let domain = match oauth.opt_str("domain")? {
        Some(domain) => {
            check_oauth_domain(&oauth.path_of("domain"), domain)?;
            domain
        }
        None => {
            tracing::warn!(
                "`auth.oauth` has no `domain`: managed login is not configured (its routes will not start)"
            );
            ""
        }
    };
    let redirect_sign_in = oauth.string_list("redirect_sign_in_uri")?;
    check_redirect_urls(&oauth.path_of("redirect_sign_in_uri"), &redirect_sign_in)?;
    let redirect_sign_out = oauth.string_list("redirect_sign_out_uri")?;
    check_redirect_urls(&oauth.path_of("redirect_sign_out_uri"), &redirect_sign_out)?;
    Ok(OAuthConfig {
        domain: domain.to_owned(),
        scopes: oauth.string_list("scopes")?,
        redirect_sign_in,
        redirect_sign_out,
        response_type: oauth
            .opt_str("response_type")?
            .map_or(OAuthResponseType::Code, OAuthResponseType::parse),
        identity_providers: oauth
            .string_list("identity_providers")?
            .iter()
            .map(|name| IdentityProvider::from_outputs_name(name))
            .collect(),
    })
}

fn parse_password_policy(policy: &Fields<'_>) -> Result<PasswordPolicy, ConfigError> {
    Ok(PasswordPolicy {
        min_length: policy.opt_u32("min_length")?,
        require_lowercase: policy.opt_bool("require_lowercase")?.unwrap_or(false),
        require_uppercase: policy.opt_bool("require_uppercase")?.unwrap_or(false),
        require_numbers: policy.opt_bool("require_numbers")?.unwrap_or(false),
        require_symbols: policy.opt_bool("require_symbols")?.unwrap_or(false),
    })
}

/// Gen 2 writes groups as `[{"ADMINS": {"precedence": 0}}, ...]`.
fn parse_groups(auth: &Fields<'_>) -> Result<Vec<UserGroup>, ConfigError> {
    let mut groups = Vec::new();
    for (path, item) in auth.array("groups")? {
        let entry = Fields::of(item, &path)?;
        for (name, properties) in entry.map {
            let precedence = match properties {
                Value::Object(_) => Fields::of(properties, &entry.path_of(name))?
                    .get("precedence")
                    .map(|p| {
                        p.as_i64().ok_or_else(|| {
                            wrong_type(
                                &format!("{}.precedence", entry.path_of(name)),
                                "an integer",
                                p,
                            )
                        })
                    }),
                Value::Null => None,
                other => return Err(wrong_type(&entry.path_of(name), "an object", other)),
            };
            groups.push(UserGroup {
                name: name.clone(),
                precedence: precedence.transpose()?,
            });
        }
    }
    Ok(groups)
}

pub(super) fn parse_username_attributes(values: &[String]) -> Vec<UsernameAttribute> {
    values.iter().map(|a| UsernameAttribute::parse(a)).collect()
}

pub(super) fn parse_mfa_configuration(text: &str) -> MfaConfiguration {
    MfaConfiguration::parse(text)
}

pub(super) fn parse_mfa_methods(values: &[String]) -> Vec<MfaMethod> {
    values.iter().map(|m| MfaMethod::parse(m)).collect()
}

pub(super) fn parse_response_type(text: &str) -> OAuthResponseType {
    OAuthResponseType::parse(text)
}
