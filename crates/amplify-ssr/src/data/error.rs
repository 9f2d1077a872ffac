//! [`DataError`] and [`GraphqlError`]: Amplify's GraphQL errors by name, and AppSync's `errors` array.

use serde_json::Value;

use crate::AuthError;
use crate::outbound::TransportError;

/// The recovery suggestion aws-amplify attaches to AppSync `UnauthorizedException` errors.
pub(crate) const UNAUTHORIZED_RECOVERY: &str = "If you're calling an Amplify-generated API, make sure to set \
     the \"authMode\" in generateClient({ authMode: '...' }) to the backend authorization rule's auth provider \
     ('apiKey', 'userPool', 'iam', 'oidc', 'lambda')";

/// One entry of AppSync's `errors` array.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GraphqlError {
    /// The message (`"Unauthorized"` for an AppSync `UnauthorizedException`, as aws-amplify rewrites it).
    pub message: String,
    /// AppSync's `errorType`, e.g. `Unauthorized`, `DynamoDB:ConditionalCheckFailedException`.
    pub error_type: Option<String>,
    /// The response path of the failing field.
    pub path: Vec<Value>,
    /// Where in the document the error is.
    pub locations: Vec<Value>,
    /// AppSync's `errorInfo`.
    pub error_info: Option<Value>,
    /// What to do about it, when aws-amplify says (unauthorized calls).
    pub recovery_suggestion: Option<String>,
}

impl GraphqlError {
    /// An error with only a message (for tests and custom transports).
    #[must_use]
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            error_type: None,
            path: Vec::new(),
            locations: Vec::new(),
            error_info: None,
            recovery_suggestion: None,
        }
    }

    /// Parses one entry of an `errors` array (lenient: missing parts are empty).
    pub(crate) fn from_value(value: &Value) -> Self {
        let list = |key: &str| {
            value
                .get(key)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        Self {
            message: match value.get("message") {
                Some(Value::String(message)) => message.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            },
            error_type: value
                .get("errorType")
                .and_then(Value::as_str)
                .map(str::to_owned),
            path: list("path"),
            locations: list("locations"),
            error_info: value.get("errorInfo").filter(|v| !v.is_null()).cloned(),
            recovery_suggestion: None,
        }
    }

    /// True for AppSync's authorization failures (`Unauthorized`, `UnauthorizedException`).
    #[must_use]
    pub fn is_unauthorized(&self) -> bool {
        self.error_type
            .as_deref()
            .is_some_and(|t| t.starts_with("Unauthorized"))
    }
}

impl std::fmt::Display for GraphqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.error_type {
            Some(error_type) => write!(f, "{error_type}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// What went wrong in a data call.
///
/// [`DataError::name`] returns aws-amplify's name for the same failure (`NoApiKey`, `NoValidAuthTokens`,
/// `NoCredentials`, ...). Auth-mode errors are reported before any request is sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// The configuration has no `data` section, or one without `url` (`NoEndpoint`).
    #[error(
        "No graphql endpoint provided. (the configuration has no `data` section with a `url`; fix: deploy the \
         Amplify Data backend and regenerate amplify_outputs.json)"
    )]
    NoEndpoint,

    /// `apiKey` mode without an API key in the call, the client or `data.api_key` (`NoApiKey`).
    #[error("No api-key configured")]
    NoApiKey,

    /// `userPool` / `oidc` mode and the session could not be read (`NoSignedUser`): the refresh failed, the
    /// keys could not be fetched, ...
    #[error("No current user ({source})")]
    NoSignedUser {
        /// Why the session could not be read.
        #[source]
        source: AuthError,
    },

    /// `userPool` / `oidc` mode and nobody is signed in (`NoValidAuthTokens`).
    #[error("No federated jwt")]
    NoValidAuthTokens,

    /// `iam` mode and no AWS credentials: no identity pool, or signed out with guest access off
    /// (`NoCredentials`).
    #[error("No credentials ({reason})")]
    NoCredentials {
        /// Why, in words.
        reason: String,
    },

    /// `lambda` mode without an auth token (`NoAuthorizationHeader`).
    #[error("No auth token specified")]
    NoAuthorizationHeader,

    /// Fetching identity-pool credentials failed for another reason (Cognito refused or was unreachable).
    #[error("could not get AWS credentials: {0}")]
    Auth(#[source] AuthError),

    /// The response carried a non-empty `errors` array (raw [`graphql`](super::DataClient::graphql) calls;
    /// model operations return these errors in their result instead).
    #[error("GraphQL error: {}", join_errors(.errors))]
    Graphql {
        /// The (partial) `data`, `null` when none.
        data: Value,
        /// AppSync's errors.
        errors: Vec<GraphqlError>,
    },

    /// The request could not be sent or the answer not read, after retries (`NetworkError`).
    #[error("network error calling the GraphQL endpoint: {0}")]
    Transport(#[source] TransportError),

    /// A non-success HTTP status without a GraphQL `errors` body, after retries.
    #[error("the GraphQL endpoint answered HTTP {status}: {message}")]
    Http {
        /// The status code.
        status: u16,
        /// The start of the body, or the error type header.
        message: String,
    },

    /// The answer was not a GraphQL JSON response.
    #[error("invalid GraphQL response: {0}")]
    InvalidResponse(String),

    /// No model of this name in `model_introspection`.
    #[error("no model named `{0}` in data.model_introspection")]
    UnknownModel(String),

    /// No secondary index with this query field.
    #[error("model {model} has no secondary index with query field `{query_field}`")]
    UnknownIndex {
        /// The model.
        model: String,
        /// The query field asked for.
        query_field: String,
    },

    /// The model's `model` attribute disables this operation (`"queries": null`, ...).
    #[error("the {operation} operation of model {model} is disabled in the schema")]
    OperationDisabled {
        /// The model.
        model: String,
        /// `get`, `list`, `create`, `update` or `delete`.
        operation: &'static str,
    },

    /// A relationship loader was asked for a field that is not a relationship of the expected kind.
    #[error("{model}.{field} is not a {expected} relationship: {problem}")]
    NotARelationship {
        /// The model.
        model: String,
        /// The field asked for.
        field: String,
        /// `hasMany`, or `hasOne or belongsTo`.
        expected: &'static str,
        /// What is wrong (no such field, another kind, a key value missing from the item).
        problem: String,
    },

    /// A custom selection set names something the model does not have.
    #[error("{0}")]
    InvalidSelectionSet(String),

    /// The input of a model operation is not usable (e.g. not a JSON object).
    #[error("{0}")]
    InvalidInput(String),

    /// `model_introspection` could not be understood.
    #[error("invalid data.model_introspection: {0}")]
    InvalidIntrospection(String),

    /// A custom header name or value is not valid HTTP.
    #[error("invalid header: {0}")]
    InvalidHeader(String),

    /// SigV4 signing failed.
    #[error("could not sign the request: {0}")]
    Signing(String),
}

fn join_errors(errors: &[GraphqlError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl DataError {
    /// The name aws-amplify uses for this failure (for [`DataError::Graphql`], the first error's `errorType`,
    /// or `GraphQLError`).
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::NoEndpoint => "NoEndpoint",
            Self::NoApiKey => "NoApiKey",
            Self::NoSignedUser { .. } => "NoSignedUser",
            Self::NoValidAuthTokens => "NoValidAuthTokens",
            Self::NoCredentials { .. } => "NoCredentials",
            Self::NoAuthorizationHeader => "NoAuthorizationHeader",
            Self::Auth(error) => error.name(),
            Self::Graphql { errors, .. } => errors
                .iter()
                .find_map(|e| e.error_type.as_deref())
                .unwrap_or("GraphQLError"),
            Self::Transport(_) => "NetworkError",
            Self::Http { .. } => "HttpError",
            Self::InvalidResponse(_) => "InvalidResponse",
            Self::UnknownModel(_) => "UnknownModel",
            Self::UnknownIndex { .. } => "UnknownIndex",
            Self::OperationDisabled { .. } => "OperationDisabled",
            Self::NotARelationship { .. } => "NotARelationship",
            Self::InvalidSelectionSet(_) => "InvalidSelectionSet",
            Self::InvalidInput(_) => "InvalidInput",
            Self::InvalidIntrospection(_) => "InvalidIntrospection",
            Self::InvalidHeader(_) => "InvalidHeader",
            Self::Signing(_) => "SigningError",
        }
    }

    /// The GraphQL errors, for [`DataError::Graphql`]; empty otherwise.
    #[must_use]
    pub fn graphql_errors(&self) -> &[GraphqlError] {
        match self {
            Self::Graphql { errors, .. } => errors,
            _ => &[],
        }
    }

    /// True when AppSync refused the call as unauthorized.
    #[must_use]
    pub fn is_unauthorized(&self) -> bool {
        self.graphql_errors()
            .iter()
            .any(GraphqlError::is_unauthorized)
    }
}

impl crate::auth::identity::CredentialsError for DataError {
    fn no_credentials(reason: String) -> Self {
        Self::NoCredentials { reason }
    }

    fn auth(error: AuthError) -> Self {
        Self::Auth(error)
    }
}
