//! The `data` section: the AppSync GraphQL API.

use serde_json::Value;
use url::Url;

use super::ConfigError;
use super::json::{Fields, preview};
use crate::secret::ApiKey;

/// AppSync settings (`data` in amplify_outputs.json).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DataConfig {
    /// The GraphQL endpoint.
    pub url: Url,
    /// SigV4 region for `AWS_IAM` requests.
    pub region: String,
    /// API key for `API_KEY` requests (redacted in `Debug`).
    pub api_key: Option<ApiKey>,
    /// Auth mode used when a request names none.
    pub default_authorization_type: Option<AuthorizationType>,
    /// Auth modes the API accepts (informative: aws-amplify does not check requests against it).
    pub authorization_types: Vec<AuthorizationType>,
    /// The model introspection schema, kept as written (drives model operations).
    pub model_introspection: Option<Value>,
    /// DataStore conflict resolution mode, as written.
    pub conflict_resolution_mode: Option<String>,
}

/// An AppSync authorization mode.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AuthorizationType {
    /// `AMAZON_COGNITO_USER_POOLS`: the user's access token.
    AmazonCognitoUserPools,
    /// `API_KEY`.
    ApiKey,
    /// `AWS_IAM`: SigV4 with identity-pool credentials.
    AwsIam,
    /// `AWS_LAMBDA`: a custom token.
    AwsLambda,
    /// `OPENID_CONNECT`.
    OpenidConnect,
    /// Any other value, as written.
    Other(String),
}

impl AuthorizationType {
    /// Parses the amplify_outputs.json spelling (`AMAZON_COGNITO_USER_POOLS`, `API_KEY`, ...).
    #[must_use]
    pub fn parse(text: &str) -> Self {
        match text {
            "AMAZON_COGNITO_USER_POOLS" => Self::AmazonCognitoUserPools,
            "API_KEY" => Self::ApiKey,
            "AWS_IAM" => Self::AwsIam,
            "AWS_LAMBDA" => Self::AwsLambda,
            "OPENID_CONNECT" => Self::OpenidConnect,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The amplify_outputs.json spelling.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::AmazonCognitoUserPools => "AMAZON_COGNITO_USER_POOLS",
            Self::ApiKey => "API_KEY",
            Self::AwsIam => "AWS_IAM",
            Self::AwsLambda => "AWS_LAMBDA",
            Self::OpenidConnect => "OPENID_CONNECT",
            Self::Other(other) => other,
        }
    }
}

/// Parses an AppSync URL.
pub(super) fn parse_graphql_url(path: &str, text: &str) -> Result<Url, ConfigError> {
    match Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(url),
        _ => Err(ConfigError::invalid(
            path,
            "an absolute http(s) URL, e.g. \"https://abc.appsync-api.us-east-1.amazonaws.com/graphql\"",
            format!("a string ({})", preview(text)),
            "copy the GraphQL endpoint from the AppSync console or regenerate amplify_outputs.json",
        )),
    }
}

/// Parses a Gen 2 `data` block. A block without `url` (some outputs carry only `model_introspection`, which
/// the code generator reads from the file itself) has no usable API: it loads as no `data` section, with a
/// warning, and a [`DataClient`](crate::data::DataClient) then fails with `NoEndpoint`, as aws-amplify does.
pub(super) fn parse_outputs(data: &Fields<'_>) -> Result<Option<DataConfig>, ConfigError> {
    if data.get("url").is_none() {
        tracing::warn!(
            path = %data.path_of("url"),
            "the `data` block has no `url`: Amplify Data is not configured (calls fail with NoEndpoint)"
        );
        return Ok(None);
    }
    let url = data.req_str(
        "url",
        "the AppSync GraphQL URL",
        "add `url`, or remove the `data` block",
    )?;
    let region = data.req_str(
        "aws_region",
        "the AppSync region, e.g. \"us-east-1\"",
        "add `aws_region`",
    )?;
    Ok(Some(DataConfig {
        url: parse_graphql_url(&data.path_of("url"), url)?,
        region: region.to_owned(),
        api_key: data
            .opt_str("api_key")?
            .filter(|key| !key.is_empty())
            .map(ApiKey::new),
        default_authorization_type: data
            .opt_str("default_authorization_type")?
            .map(AuthorizationType::parse),
        authorization_types: data
            .string_list("authorization_types")?
            .iter()
            .map(|t| AuthorizationType::parse(t))
            .collect(),
        model_introspection: data.get("model_introspection").cloned(),
        conflict_resolution_mode: data.opt_str("conflict_resolution_mode")?.map(str::to_owned),
    }))
}
