//! Gen 1 configs (`aws-exports.js` / `amplifyconfiguration.json`: top-level `aws_*` keys).

use serde_json::Value;

use super::auth::{
    self, AuthConfig, IdentityProvider, OAuthConfig, PasswordPolicy, check_client_id,
    check_identity_pool_id, check_oauth_domain, check_redirect_urls, user_pool_region,
};
use super::data::{AuthorizationType, DataConfig, parse_graphql_url};
use super::json::{Fields, wrong_type};
use super::storage::StorageConfig;
use super::{AmplifyConfig, ConfigError, endpoints};
use crate::secret::ApiKey;

/// Parses a Gen 1 document.
pub(super) fn parse(root: &Fields<'_>) -> Result<AmplifyConfig, ConfigError> {
    root.req_str(
        "aws_project_region",
        "the project's AWS region, e.g. \"us-east-1\"",
        "add `aws_project_region` (every Gen 1 config written by the Amplify CLI has it)",
    )?;
    Ok(AmplifyConfig {
        auth: parse_auth(root)?,
        data: parse_data(root)?,
        storage: parse_storage(root)?,
        endpoints: endpoints::parse_extension(root)?,
        rest_apis: super::rest::parse_legacy(root)?,
    })
}

fn parse_auth(root: &Fields<'_>) -> Result<Option<AuthConfig>, ConfigError> {
    let Some(user_pool_id) = root
        .opt_str("aws_user_pools_id")?
        .filter(|id| !id.is_empty())
    else {
        return Ok(None);
    };
    let region = user_pool_region(&root.path_of("aws_user_pools_id"), user_pool_id)?;
    let client_id = root.req_str(
        "aws_user_pools_web_client_id",
        "a non-empty app client id",
        "add the web client id of the user pool as `aws_user_pools_web_client_id`",
    )?;
    check_client_id(&root.path_of("aws_user_pools_web_client_id"), client_id)?;

    let mut config = AuthConfig::minimal(user_pool_id.to_owned(), client_id.to_owned(), region);
    if let Some(id) = root
        .opt_str("aws_cognito_identity_pool_id")?
        .filter(|id| !id.is_empty())
    {
        check_identity_pool_id(&root.path_of("aws_cognito_identity_pool_id"), id)?;
        config.identity_pool_id = Some(id.to_owned());
    }
    // Gen 1 defaults to guest access unless sign-in is mandatory.
    config.allow_guest_access = root.opt_str("aws_mandatory_sign_in")? != Some("enable");
    config.oauth = root
        .opt_object("oauth")?
        .filter(|o| !o.map.is_empty())
        .map(|o| parse_oauth(root, &o))
        .transpose()?;
    config.username_attributes =
        auth::parse_username_attributes(&root.string_list("aws_cognito_username_attributes")?);
    config.standard_required_attributes = lower(root.string_list("aws_cognito_signup_attributes")?);
    config.mfa_configuration = root
        .opt_str("aws_cognito_mfa_configuration")?
        .map(auth::parse_mfa_configuration);
    config.mfa_methods = auth::parse_mfa_methods(&root.string_list("aws_cognito_mfa_types")?);
    config.user_verification_types =
        lower(root.string_list("aws_cognito_verification_mechanisms")?);
    config.password_policy = root
        .opt_object("aws_cognito_password_protection_settings")?
        .map(|settings| parse_password_policy(&settings))
        .transpose()?;
    Ok(Some(config))
}

fn lower(values: Vec<String>) -> Vec<String> {
    values.into_iter().map(|v| v.to_ascii_lowercase()).collect()
}

fn parse_password_policy(settings: &Fields<'_>) -> Result<PasswordPolicy, ConfigError> {
    let characters = settings.string_list("passwordPolicyCharacters")?;
    let requires = |name: &str| characters.iter().any(|c| c == name);
    let min_length = match settings.get("passwordPolicyMinLength") {
        None => None,
        // The CLI writes a number; hand-edited files sometimes hold a string.
        Some(Value::String(s)) => s.parse().ok(),
        Some(_) => settings.opt_u32("passwordPolicyMinLength")?,
    };
    Ok(PasswordPolicy {
        min_length,
        require_lowercase: requires("REQUIRES_LOWERCASE"),
        require_uppercase: requires("REQUIRES_UPPERCASE"),
        require_numbers: requires("REQUIRES_NUMBERS"),
        require_symbols: requires("REQUIRES_SYMBOLS"),
    })
}

fn parse_oauth(root: &Fields<'_>, oauth: &Fields<'_>) -> Result<OAuthConfig, ConfigError> {
    let domain = oauth.req_str(
        "domain",
        "the managed-login host name",
        "set it to the Cognito domain, e.g. \"myapp.auth.us-east-1.amazoncognito.com\", or remove `oauth`",
    )?;
    check_oauth_domain(&oauth.path_of("domain"), domain)?;
    let redirect_sign_in = url_list(oauth, "redirectSignIn")?;
    check_redirect_urls(&oauth.path_of("redirectSignIn"), &redirect_sign_in)?;
    let redirect_sign_out = url_list(oauth, "redirectSignOut")?;
    check_redirect_urls(&oauth.path_of("redirectSignOut"), &redirect_sign_out)?;
    Ok(OAuthConfig {
        domain: domain.to_owned(),
        scopes: oauth.string_list("scope")?,
        redirect_sign_in,
        redirect_sign_out,
        response_type: oauth
            .opt_str("responseType")?
            .map_or_else(Default::default, auth::parse_response_type),
        identity_providers: root
            .string_list("aws_cognito_social_providers")?
            .iter()
            .map(|name| IdentityProvider::from_outputs_name(&name.to_ascii_uppercase()))
            .collect(),
    })
}

/// Gen 1 writes redirect URLs as one comma-separated string; an array is accepted too.
fn url_list(oauth: &Fields<'_>, key: &str) -> Result<Vec<String>, ConfigError> {
    match oauth.get(key) {
        None => Ok(Vec::new()),
        Some(Value::String(text)) => Ok(text
            .split(',')
            .map(str::trim)
            .filter(|url| !url.is_empty())
            .map(str::to_owned)
            .collect()),
        Some(Value::Array(_)) => oauth.string_list(key),
        Some(other) => Err(wrong_type(
            &oauth.path_of(key),
            "a comma-separated string of URLs",
            other,
        )),
    }
}

fn parse_data(root: &Fields<'_>) -> Result<Option<DataConfig>, ConfigError> {
    let Some(url) = root
        .opt_str("aws_appsync_graphqlEndpoint")?
        .filter(|url| !url.is_empty())
    else {
        return Ok(None);
    };
    let region = root
        .opt_str("aws_appsync_region")?
        .or(root.opt_str("aws_project_region")?)
        .unwrap_or_default();
    let default_type = root
        .opt_str("aws_appsync_authenticationType")?
        .map(AuthorizationType::parse);
    Ok(Some(DataConfig {
        url: parse_graphql_url(&root.path_of("aws_appsync_graphqlEndpoint"), url)?,
        region: region.to_owned(),
        api_key: root
            .opt_str("aws_appsync_apiKey")?
            .filter(|key| !key.is_empty())
            .map(ApiKey::new),
        authorization_types: default_type.iter().cloned().collect(),
        default_authorization_type: default_type,
        model_introspection: None,
        conflict_resolution_mode: None,
    }))
}

fn parse_storage(root: &Fields<'_>) -> Result<Option<StorageConfig>, ConfigError> {
    let bucket = root
        .opt_str("aws_user_files_s3_bucket")?
        .filter(|b| !b.is_empty());
    let region = root.opt_str("aws_user_files_s3_bucket_region")?;
    Ok(bucket.map(|bucket| StorageConfig {
        bucket_name: Some(bucket.to_owned()),
        region: region.map(str::to_owned),
        buckets: Vec::new(),
    }))
}
