//! [`DataClient`]: the request pipeline of reference §8.2 (auth headers, custom headers, signing, retries,
//! response parsing).

use std::sync::Arc;
use std::time::SystemTime;

use serde_json::Value;
use tracing::Instrument as _;
use url::Url;

use super::AuthMode;
use super::error::{DataError, GraphqlError, UNAUTHORIZED_RECOVERY};
use super::introspection::Introspection;
use super::model::ModelClient;
use super::sign::sign_request;
use crate::auth::AwsCredentials;
use crate::auth::identity::client_credentials;
use crate::auth::refresh::get_tokens;
use crate::context::{ServerContext, ServerRunner};
use crate::outbound::{RetryPolicy, TransportError, Verdict, read_bounded};
use crate::secret::{Redacted, redacted_opt};

/// The `x-amz-user-agent` of every request.
const USER_AGENT: &str = concat!("amplify-ssr/", env!("CARGO_PKG_VERSION"), " api/1");
/// Bodies larger than this are refused.
const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;
/// How much of a non-GraphQL error body ends up in [`DataError::Http`].
const MAX_ERROR_PREVIEW: usize = 200;

/// A GraphQL client for the API of the runner's `data` section, used with a per-request [`ServerContext`].
///
/// Build one per process (or per auth setting) with [`DataClient::new`]; it is cheap to clone. See the
/// [module docs](super) for the auth modes and error handling.
#[derive(Clone, Debug)]
pub struct DataClient {
    shared: Arc<Shared>,
    auth_mode: Option<AuthMode>,
    api_key: Option<Redacted<String>>,
    auth_token: Option<Redacted<String>>,
    headers: Vec<(String, String)>,
    retry: RetryPolicy,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) endpoint: Url,
    pub(crate) region: String,
    pub(crate) api_key: Option<Redacted<String>>,
    pub(crate) default_mode: Option<AuthMode>,
    pub(crate) schema: Option<Introspection>,
}

/// A raw GraphQL request. Build it with [`GraphqlRequest::new`] and the setters.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct GraphqlRequest {
    /// The document.
    pub query: String,
    /// The variables (`null` when `None`).
    pub variables: Option<Value>,
    /// `operationName`, for documents with several operations.
    pub operation_name: Option<String>,
    /// The auth mode of this call (wins over the client's).
    pub auth_mode: Option<AuthMode>,
    /// The API key of this call (wins over the client's and `data.api_key`).
    pub api_key: Option<String>,
    /// The `Authorization` value for `lambda` mode (also replaces the access token in `userPool`/`oidc` mode).
    pub auth_token: Option<String>,
    /// Headers of this call. When non-empty they **replace** the client's custom headers (no merge), as upstream.
    pub headers: Vec<(String, String)>,
}

impl std::fmt::Debug for GraphqlRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphqlRequest")
            .field("query", &self.query)
            .field("operation_name", &self.operation_name)
            .field("auth_mode", &self.auth_mode)
            .field("api_key", &redacted_opt(self.api_key.as_ref()))
            .field("auth_token", &redacted_opt(self.auth_token.as_ref()))
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(name, _)| name)
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl GraphqlRequest {
    /// A request for `query`.
    #[must_use]
    pub fn new(query: impl Into<String>) -> Self {
        Self {
            query: query.into(),
            ..Self::default()
        }
    }

    /// Sets the variables.
    #[must_use]
    pub fn variables(mut self, variables: Value) -> Self {
        self.variables = Some(variables);
        self
    }

    /// Sets `operationName`.
    #[must_use]
    pub fn operation_name(mut self, name: impl Into<String>) -> Self {
        self.operation_name = Some(name.into());
        self
    }

    /// Sets the auth mode of this call.
    #[must_use]
    pub fn auth_mode(mut self, mode: AuthMode) -> Self {
        self.auth_mode = Some(mode);
        self
    }

    /// Sets the API key of this call.
    #[must_use]
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Sets the auth token of this call (`lambda` mode).
    #[must_use]
    pub fn auth_token(mut self, token: impl Into<String>) -> Self {
        self.auth_token = Some(token.into());
        self
    }

    /// Adds a header of this call (the call's headers replace the client's).
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// A successful GraphQL response (no `errors`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GraphqlResponse {
    /// `data`.
    pub data: Value,
    /// `extensions`, when present.
    pub extensions: Option<Value>,
}

/// Everything the pipeline needs from a raw request or a model operation.
#[derive(Debug, Default)]
pub(crate) struct Call<'a> {
    pub(crate) query: &'a str,
    pub(crate) variables: Option<&'a Value>,
    pub(crate) operation_name: Option<&'a str>,
    pub(crate) auth_mode: Option<AuthMode>,
    pub(crate) api_key: Option<&'a str>,
    pub(crate) auth_token: Option<&'a str>,
    pub(crate) headers: &'a [(String, String)],
    /// For the span: `listTodos`, ...
    pub(crate) label: Option<&'a str>,
}

/// A parsed response, errors included.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) data: Value,
    pub(crate) errors: Vec<GraphqlError>,
    pub(crate) extensions: Option<Value>,
}

/// One attempt's outcome: the parsed answer (GraphQL errors included) or the failure, and whether another
/// attempt may do better (network failures, 429 and 5xx).
struct Attempt {
    result: Result<RawResponse, DataError>,
    retryable: bool,
}

impl Attempt {
    fn retry(result: Result<RawResponse, DataError>) -> Self {
        Self {
            result,
            retryable: true,
        }
    }

    fn last(result: Result<RawResponse, DataError>) -> Self {
        Self {
            result,
            retryable: false,
        }
    }
}

impl DataClient {
    /// A client for the runner's `data` section (URL, region, API key, default auth mode, model introspection).
    ///
    /// # Errors
    ///
    /// [`DataError::NoEndpoint`] without a `data` section (or with one without `url`); [`DataError::InvalidIntrospection`] when
    /// `model_introspection` is present but malformed.
    pub fn new(runner: &ServerRunner) -> Result<Self, DataError> {
        let data = runner.config().data.as_ref().ok_or(DataError::NoEndpoint)?;
        let schema = match &data.model_introspection {
            Some(value) if !value.is_null() => Some(Introspection::parse(value)?),
            _ => None,
        };
        Ok(Self {
            shared: Arc::new(Shared {
                endpoint: data.url.clone(),
                region: data.region.clone(),
                api_key: data
                    .api_key
                    .as_ref()
                    .map(|key| Redacted(key.secret().to_owned())),
                default_mode: data
                    .default_authorization_type
                    .as_ref()
                    .and_then(AuthMode::from_authorization_type),
                schema,
            }),
            auth_mode: None,
            api_key: None,
            auth_token: None,
            headers: Vec::new(),
            retry: RetryPolicy::default(),
        })
    }

    /// The auth mode of calls that name none (wins over `data.default_authorization_type`).
    #[must_use]
    pub fn with_auth_mode(mut self, mode: AuthMode) -> Self {
        self.auth_mode = Some(mode);
        self
    }

    /// The API key of calls that give none (wins over `data.api_key`).
    #[must_use]
    pub fn with_api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(Redacted(key.into()));
        self
    }

    /// The auth token of calls that give none (`lambda` mode).
    #[must_use]
    pub fn with_auth_token(mut self, token: impl Into<String>) -> Self {
        self.auth_token = Some(Redacted(token.into()));
        self
    }

    /// Adds a client-level custom header (replaced, as a whole, by a call's own headers).
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// How 429 / 5xx / network failures are retried (default: 3 attempts, jittered backoff).
    #[must_use]
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The GraphQL endpoint (`data.url`).
    #[must_use]
    pub fn endpoint(&self) -> &Url {
        &self.shared.endpoint
    }

    /// The parsed `model_introspection`, when the configuration has one.
    #[must_use]
    pub fn introspection(&self) -> Option<&Introspection> {
        self.shared.schema.as_ref()
    }

    /// The auth mode a call without its own would use.
    #[must_use]
    pub fn default_auth_mode(&self) -> AuthMode {
        self.auth_mode
            .or(self.shared.default_mode)
            .unwrap_or(AuthMode::Iam)
    }

    /// The model client of `name`, when `model_introspection` has that model.
    #[must_use]
    pub fn model(&self, name: &str) -> Option<ModelClient> {
        let schema = self.shared.schema.as_ref()?;
        let index = schema.models.iter().position(|m| m.name == name)?;
        Some(ModelClient::new(self.clone(), index))
    }

    /// The names of the models in `model_introspection`, in file order.
    pub fn model_names(&self) -> impl Iterator<Item = &str> {
        self.shared
            .schema
            .iter()
            .flat_map(|schema| schema.models.iter().map(|m| m.name.as_str()))
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    /// Runs a raw GraphQL request in the context's session.
    ///
    /// # Errors
    ///
    /// [`DataError::Graphql`] when the response has errors; the auth-mode errors of the [module docs](super);
    /// [`DataError::Transport`] / [`DataError::Http`] / [`DataError::InvalidResponse`] after retries.
    pub async fn graphql(
        &self,
        ctx: &ServerContext,
        request: GraphqlRequest,
    ) -> Result<GraphqlResponse, DataError> {
        let response = self
            .execute(
                ctx,
                Call {
                    query: &request.query,
                    variables: request.variables.as_ref(),
                    operation_name: request.operation_name.as_deref(),
                    auth_mode: request.auth_mode,
                    api_key: request.api_key.as_deref(),
                    auth_token: request.auth_token.as_deref(),
                    headers: &request.headers,
                    label: request.operation_name.as_deref(),
                },
            )
            .await?;
        if !response.errors.is_empty() {
            return Err(DataError::Graphql {
                data: response.data,
                errors: response.errors,
            });
        }
        Ok(GraphqlResponse {
            data: response.data,
            extensions: response.extensions,
        })
    }

    /// The pipeline: auth, headers, body, signing, retries, parsing. GraphQL errors are returned, not `Err`.
    pub(crate) async fn execute(
        &self,
        ctx: &ServerContext,
        call: Call<'_>,
    ) -> Result<RawResponse, DataError> {
        let mode = call
            .auth_mode
            .or(self.auth_mode)
            .or(self.shared.default_mode)
            .unwrap_or(AuthMode::Iam);
        let span = tracing::debug_span!(
            "amplify_ssr.data.graphql",
            auth_mode = mode.as_str(),
            operation = call.label.unwrap_or_default(),
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            errors = tracing::field::Empty,
        );
        async {
            let result = self.execute_in_span(ctx, &call, mode).await;
            match &result {
                Ok(response) => {
                    tracing::Span::current().record("errors", response.errors.len());
                }
                Err(error) => {
                    tracing::debug!(error = %error, name = error.name(), "GraphQL call failed")
                }
            }
            result
        }
        .instrument(span)
        .await
    }

    async fn execute_in_span(
        &self,
        ctx: &ServerContext,
        call: &Call<'_>,
        mode: AuthMode,
    ) -> Result<RawResponse, DataError> {
        let (mut headers, credentials) = self.auth_headers(ctx, call, mode).await?;
        let custom = if call.headers.is_empty() {
            &self.headers
        } else {
            call.headers
        };
        for (name, value) in custom {
            set_header(&mut headers, name, value);
        }
        if !has_header(&headers, "content-type") {
            set_header(
                &mut headers,
                "content-type",
                "application/json; charset=UTF-8",
            );
        }
        if !has_header(&headers, "x-amz-user-agent") {
            set_header(&mut headers, "x-amz-user-agent", USER_AGENT);
        }
        let mut body = serde_json::Map::new();
        body.insert("query".to_owned(), Value::from(call.query));
        body.insert(
            "variables".to_owned(),
            call.variables.cloned().unwrap_or(Value::Null),
        );
        if let Some(name) = call.operation_name {
            body.insert("operationName".to_owned(), Value::from(name));
        }
        let body = serde_json::to_vec(&Value::Object(body))
            .map_err(|e| DataError::InvalidInput(format!("variables: {e}")))?;
        // As upstream: SigV4 only when no other credential travels in the headers.
        let signing = credentials.filter(|_| {
            !has_header(&headers, "authorization") && !has_header(&headers, "x-api-key")
        });

        let max = self.retry.max_attempts();
        let call_span = tracing::Span::current();
        let outcome = self
            .retry
            .drive(
                max,
                "GraphQL",
                |attempt| {
                    call_span.record("attempts", attempt);
                    tracing::debug_span!(
                        "amplify_ssr.data.attempt",
                        attempt,
                        max_attempts = max,
                        status = tracing::field::Empty,
                    )
                },
                |_| async {
                    self.attempt(ctx, &headers, &body, signing.as_ref(), &call_span)
                        .await
                        // Signing and header errors: no attempt will do better.
                        .unwrap_or_else(|error| Attempt::last(Err(error)))
                },
                |outcome| match outcome {
                    Attempt {
                        retryable: true,
                        result,
                    } => Verdict::Retry(match result {
                        Ok(response) => response
                            .errors
                            .first()
                            .map(ToString::to_string)
                            .unwrap_or_default(),
                        Err(error) => error.to_string(),
                    }),
                    Attempt { result: Ok(_), .. } => Verdict::Done,
                    Attempt {
                        result: Err(error), ..
                    } => Verdict::GiveUp(error.to_string()),
                },
            )
            .await;
        outcome.result
    }

    /// The auth headers of `mode`, or the credentials to sign with.
    async fn auth_headers(
        &self,
        ctx: &ServerContext,
        call: &Call<'_>,
        mode: AuthMode,
    ) -> Result<(Vec<(String, String)>, Option<AwsCredentials>), DataError> {
        let auth_token = call
            .auth_token
            .or(self.auth_token.as_ref().map(|t| t.0.as_str()));
        let mut headers = Vec::new();
        match mode {
            AuthMode::ApiKey => {
                let key = call
                    .api_key
                    .or(self.api_key.as_ref().map(|k| k.0.as_str()))
                    .or(self.shared.api_key.as_ref().map(|k| k.0.as_str()))
                    .ok_or(DataError::NoApiKey)?;
                headers.push(("x-api-key".to_owned(), key.to_owned()));
            }
            AuthMode::UserPool | AuthMode::Oidc => {
                if ctx.runner().config().auth.is_none() {
                    return Err(DataError::NoValidAuthTokens);
                }
                let session = get_tokens(ctx, false)
                    .await
                    .map_err(|source| DataError::NoSignedUser { source })?
                    .ok_or(DataError::NoValidAuthTokens)?;
                let value = auth_token.unwrap_or(session.access_token.secret());
                headers.push(("authorization".to_owned(), value.to_owned()));
            }
            AuthMode::Iam => {
                let credentials = client_credentials::<DataError>(ctx, false).await?;
                return Ok((headers, Some(credentials.credentials)));
            }
            AuthMode::Lambda => {
                let token = auth_token.ok_or(DataError::NoAuthorizationHeader)?;
                headers.push(("authorization".to_owned(), token.to_owned()));
            }
            AuthMode::None => {}
        }
        Ok((headers, None))
    }

    async fn attempt(
        &self,
        ctx: &ServerContext,
        headers: &[(String, String)],
        body: &[u8],
        credentials: Option<&AwsCredentials>,
        call_span: &tracing::Span,
    ) -> Result<Attempt, DataError> {
        let url = &self.shared.endpoint;
        let mut all = headers.to_vec();
        if let Some(credentials) = credentials {
            let signed = sign_request(
                url,
                headers,
                body,
                credentials,
                &self.shared.region,
                SystemTime::now(),
            )?;
            all.extend(signed.into_iter().map(|(k, v)| (k.to_owned(), v)));
        }
        let builder =
            crate::outbound::with_headers(ctx.runner().http_client().post(url.clone()), &all)
                .map_err(DataError::InvalidHeader)?;
        let mut response = match builder.body(body.to_vec()).send().await {
            Ok(response) => response,
            Err(error) => {
                return Ok(Attempt::retry(Err(DataError::Transport(
                    TransportError::new(error),
                ))));
            }
        };
        let status = response.status();
        tracing::Span::current().record("status", status.as_u16());
        call_span.record("status", status.as_u16());
        let body = match read_bounded(&mut response, MAX_RESPONSE_BYTES).await {
            Ok(body) if body.truncated => {
                return Ok(Attempt::last(Err(DataError::InvalidResponse(format!(
                    "the answer is larger than {MAX_RESPONSE_BYTES} bytes"
                )))));
            }
            Ok(body) => body.bytes,
            Err(error) => return Ok(Attempt::retry(Err(DataError::Transport(error)))),
        };
        let parsed = parse_body(status, &body, response.headers());
        Ok(if status.as_u16() == 429 || status.is_server_error() {
            Attempt::retry(parsed)
        } else {
            Attempt::last(parsed)
        })
    }
}

/// Parses a response body: a JSON object with `data` or `errors` is a GraphQL response whatever the status.
fn parse_body(
    status: http::StatusCode,
    body: &[u8],
    headers: &http::HeaderMap,
) -> Result<RawResponse, DataError> {
    // Checking the whole body as UTF-8 at once is much cheaper than string by string while parsing.
    let parsed = match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str::<Value>(text).ok(),
        Err(_) => None,
    };
    let graphql =
        parsed.filter(|v| v.get("data").is_some() || v.get("errors").is_some_and(Value::is_array));
    let Some(mut json) = graphql else {
        if status.is_success() {
            return Err(DataError::InvalidResponse(format!(
                "HTTP {status} with a body that is not a GraphQL JSON response: {}",
                preview(body)
            )));
        }
        let error_type = headers
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(':').next().unwrap_or(v).to_owned());
        return Err(DataError::Http {
            status: status.as_u16(),
            message: error_type.unwrap_or_else(|| preview(body)),
        });
    };
    let mut errors: Vec<GraphqlError> = json
        .get("errors")
        .and_then(Value::as_array)
        .map(|errors| errors.iter().map(GraphqlError::from_value).collect())
        .unwrap_or_default();
    if !status.is_success() {
        // As aws-amplify: an HTTP-level UnauthorizedException becomes "Unauthorized" with a recovery suggestion.
        for error in &mut errors {
            if error.is_unauthorized() {
                tracing::debug!(message = %error.message, "AppSync refused the call as unauthorized");
                error.message = "Unauthorized".to_owned();
                error.recovery_suggestion = Some(UNAUTHORIZED_RECOVERY.to_owned());
            }
        }
        if errors.is_empty() {
            errors.push(GraphqlError::new(format!("HTTP {status}")));
        }
    }
    let data = json.get_mut("data").map(Value::take).unwrap_or(Value::Null);
    let extensions = json
        .get_mut("extensions")
        .map(Value::take)
        .filter(|v| !v.is_null());
    Ok(RawResponse {
        data,
        errors,
        extensions,
    })
}

fn preview(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(MAX_ERROR_PREVIEW).collect();
    if text.chars().count() > MAX_ERROR_PREVIEW {
        out.push('…');
    }
    out
}

fn has_header(headers: &[(String, String)], name: &str) -> bool {
    headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
}

/// Sets `name` (stored lower-case), replacing any value of the same name.
fn set_header(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    let name = name.to_ascii_lowercase();
    headers.retain(|(k, _)| *k != name);
    headers.push((name, value.to_owned()));
}
