//! REST APIs from the server (`get`, `post`, `put`, `del`, `head`, `patch` of `aws-amplify/api/server`): the APIs
//! of the configuration's `custom.API` (Gen 2) or `aws_cloud_logic_custom` (Gen 1), called in the context's
//! session.
//!
//! ```no_run
//! # async fn demo(runner: amplify_ssr::ServerRunner, ctx: amplify_ssr::ServerContext)
//! # -> Result<(), amplify_ssr::rest::RestError> {
//! use amplify_ssr::rest::{RestAuth, RestClient, RestRequest};
//! use serde_json::json;
//!
//! let rest = RestClient::new(&runner); // once; cheap to clone
//! // SigV4 with the user's (or a guest's) identity-pool credentials:
//! let items = rest.get(&ctx, "myRestApi", "/items", RestRequest::new().query("limit", "10")).await?;
//! let items: serde_json::Value = items.json()?;
//! // The user's ID token in `Authorization`, for a Cognito user-pool authorizer:
//! let created = rest
//!     .post(&ctx, "myRestApi", "/items", RestRequest::new().json(json!({"name": "a"})).auth(RestAuth::UserPoolIdToken))
//!     .await?;
//! # let _ = (items, created); Ok(()) }
//! ```
//!
//! # Auth
//!
//! | [`RestAuth`] | request | failure (before any request) |
//! |---|---|---|
//! | `Iam` (default) | SigV4, service `execute-api`, with the context's identity-pool credentials (guest or signed in) | [`RestError::NoCredentials`] |
//! | `UserPoolIdToken` / `UserPoolAccessToken` | `Authorization: <token>` from the session (refreshed if needed) | [`RestError::NoValidAuthTokens`] |
//! | `None` | nothing | |
//!
//! A request that already carries an `authorization` header is not signed (as upstream). The signing region is
//! the API's `region`, else the one in an `execute-api` host name, else the configuration's. Answers outside 2xx
//! are [`RestError::Http`] with their status, headers and body. A `tracing` span `amplify_ssr.rest` covers each
//! call; tokens and signatures are never logged.

mod error;
mod sign;

use std::sync::Arc;
use std::time::SystemTime;

use http::Method;
use serde_json::Value;
use tracing::Instrument as _;
use url::Url;

pub use error::RestError;

use crate::auth::identity::client_credentials;
use crate::auth::refresh::get_tokens;
use crate::config::RestApiConfig;
use crate::context::{ServerContext, ServerRunner};
use crate::outbound::{TransportError, read_bounded};

/// The largest answer read.
const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;
/// The `x-amz-user-agent` of every request.
const USER_AGENT: &str = concat!("amplify-ssr/", env!("CARGO_PKG_VERSION"), " api/rest");

/// How a REST call is authorised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RestAuth {
    /// SigV4 (service `execute-api`) with the context's identity-pool credentials.
    #[default]
    Iam,
    /// The session's ID token in `Authorization` (what a Cognito user-pool authorizer checks by default).
    UserPoolIdToken,
    /// The session's access token in `Authorization`.
    UserPoolAccessToken,
    /// No credentials.
    None,
}

/// A request body.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum RestBody {
    /// JSON (`content-type: application/json`).
    Json(Value),
    /// Bytes with their content type.
    Bytes {
        /// The bytes.
        data: Vec<u8>,
        /// Their `content-type`.
        content_type: String,
    },
}

/// The options of one call: headers, query, body, auth. Build it with [`RestRequest::new`] and the setters.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct RestRequest {
    /// Headers (names are case-insensitive; a later one replaces an earlier one of the same name).
    pub headers: Vec<(String, String)>,
    /// Query parameters, in order.
    pub query: Vec<(String, String)>,
    /// The body.
    pub body: Option<RestBody>,
    /// How the call is authorised.
    pub auth: RestAuth,
}

impl std::fmt::Debug for RestRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Header values may be credentials: names only.
        f.debug_struct("RestRequest")
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field(
                "query",
                &self.query.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("body", &self.body.as_ref().map(|_| "…"))
            .field("auth", &self.auth)
            .finish()
    }
}

impl RestRequest {
    /// No headers, query or body; IAM auth.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Adds a query parameter.
    #[must_use]
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    /// A JSON body.
    #[must_use]
    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(RestBody::Json(body));
        self
    }

    /// A binary body of `content_type`.
    #[must_use]
    pub fn bytes(mut self, data: impl Into<Vec<u8>>, content_type: &str) -> Self {
        self.body = Some(RestBody::Bytes {
            data: data.into(),
            content_type: content_type.to_owned(),
        });
        self
    }

    /// How the call is authorised.
    #[must_use]
    pub fn auth(mut self, auth: RestAuth) -> Self {
        self.auth = auth;
        self
    }
}

/// A 2xx answer.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RestResponse {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: http::HeaderMap,
    /// The body (empty for `HEAD`).
    pub body: Vec<u8>,
}

impl RestResponse {
    /// The body as JSON.
    ///
    /// # Errors
    ///
    /// [`RestError::InvalidInput`] when it is not JSON of that shape.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, RestError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            RestError::InvalidInput(format!("the answer is not the JSON expected: {e}"))
        })
    }

    /// The body as text (invalid UTF-8 replaced).
    #[must_use]
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A client for the configuration's REST APIs, used with a per-request [`ServerContext`]; cheap to clone.
#[derive(Clone, Debug)]
pub struct RestClient {
    apis: Arc<Vec<RestApiConfig>>,
    fallback_region: Option<String>,
}

macro_rules! verbs {
    ($($(#[$doc:meta])* $name:ident => $method:expr;)*) => {$(
        $(#[$doc])*
        ///
        /// # Errors
        ///
        /// As [`send`](Self::send).
        pub async fn $name(
            &self,
            ctx: &ServerContext,
            api: &str,
            path: &str,
            request: RestRequest,
        ) -> Result<RestResponse, RestError> {
            self.send(ctx, $method, api, path, request).await
        }
    )*};
}

impl RestClient {
    /// A client for the runner's REST APIs (none is fine: calls then fail with [`RestError::UnknownApi`]).
    #[must_use]
    pub fn new(runner: &ServerRunner) -> Self {
        let config = runner.config();
        Self {
            apis: Arc::new(config.rest_apis.clone()),
            fallback_region: config
                .auth
                .as_ref()
                .map(|auth| auth.region.clone())
                .or_else(|| config.data.as_ref().map(|data| data.region.clone())),
        }
    }

    /// The names of the configured APIs.
    pub fn api_names(&self) -> impl Iterator<Item = &str> {
        self.apis.iter().map(|api| api.name.as_str())
    }

    verbs! {
        /// `GET` (upstream `get`).
        get => Method::GET;
        /// `POST` (upstream `post`).
        post => Method::POST;
        /// `PUT` (upstream `put`).
        put => Method::PUT;
        /// `DELETE` (upstream `del`).
        delete => Method::DELETE;
        /// `HEAD` (upstream `head`).
        head => Method::HEAD;
        /// `PATCH` (upstream `patch`).
        patch => Method::PATCH;
    }

    /// Calls `path` (below the API's endpoint) of the API `api` with `method`.
    ///
    /// # Errors
    ///
    /// [`RestError::UnknownApi`]; [`RestError::InvalidInput`] for a path that leaves the API (`..`) or carries a
    /// query, or a bad header; the auth errors of the [module docs](self); [`RestError::Transport`];
    /// [`RestError::Http`] for an answer outside 2xx.
    pub async fn send(
        &self,
        ctx: &ServerContext,
        method: Method,
        api: &str,
        path: &str,
        request: RestRequest,
    ) -> Result<RestResponse, RestError> {
        let config = self.api(api)?;
        let url = url_of(&config.endpoint, path, &request.query)?;
        let span = tracing::debug_span!(
            "amplify_ssr.rest",
            api = %config.name,
            method = %method,
            path = url.path(),
            status = tracing::field::Empty,
        );
        self.send_in_span(ctx, method, config, url, request)
            .instrument(span)
            .await
    }

    fn api(&self, name: &str) -> Result<&RestApiConfig, RestError> {
        self.apis
            .iter()
            .find(|api| api.name == name)
            .ok_or_else(|| {
                let known: Vec<&str> = self.api_names().collect();
                RestError::UnknownApi {
                    name: name.to_owned(),
                    known: if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    },
                }
            })
    }

    fn region(&self, api: &RestApiConfig) -> Option<String> {
        api.region
            .clone()
            .or_else(|| {
                // {id}.execute-api.{region}.amazonaws.com
                let host = api.endpoint.host_str()?;
                let rest = host.split_once(".execute-api.")?.1;
                Some(rest.split('.').next()?.to_owned())
            })
            .or_else(|| self.fallback_region.clone())
    }

    async fn send_in_span(
        &self,
        ctx: &ServerContext,
        method: Method,
        api: &RestApiConfig,
        url: Url,
        request: RestRequest,
    ) -> Result<RestResponse, RestError> {
        let mut headers: Vec<(String, String)> = Vec::new();
        let (body, content_type) = match request.body {
            None => (Vec::new(), None),
            Some(RestBody::Json(value)) => (
                serde_json::to_vec(&value)
                    .map_err(|e| RestError::InvalidInput(format!("the JSON body: {e}")))?,
                Some("application/json".to_owned()),
            ),
            Some(RestBody::Bytes { data, content_type }) => (data, Some(content_type)),
        };
        if let Some(content_type) = content_type {
            set_header(&mut headers, "content-type", &content_type);
        }
        set_header(&mut headers, "x-amz-user-agent", USER_AGENT);
        for (name, value) in &request.headers {
            set_header(&mut headers, name, value);
        }
        let explicit_authorization = headers.iter().any(|(k, _)| k == "authorization");
        let mut signing = None;
        if !explicit_authorization {
            match request.auth {
                RestAuth::Iam => {
                    let credentials = client_credentials::<RestError>(ctx, false).await?;
                    signing = Some(credentials.credentials);
                }
                RestAuth::UserPoolIdToken | RestAuth::UserPoolAccessToken => {
                    if ctx.runner().config().auth.is_none() {
                        return Err(RestError::NoValidAuthTokens);
                    }
                    let session = get_tokens(ctx, false)
                        .await
                        .map_err(RestError::Auth)?
                        .ok_or(RestError::NoValidAuthTokens)?;
                    let token = if request.auth == RestAuth::UserPoolIdToken {
                        session
                            .id_token
                            .as_ref()
                            .map(|t| t.secret().to_owned())
                            .ok_or(RestError::NoValidAuthTokens)?
                    } else {
                        session.access_token.secret().to_owned()
                    };
                    set_header(&mut headers, "authorization", &token);
                }
                RestAuth::None => {}
            }
        }
        if let Some(credentials) = &signing {
            let region = self.region(api).ok_or_else(|| {
                RestError::Signing(format!(
                    "no region to sign for: add `region` to the API `{}` in the configuration",
                    api.name
                ))
            })?;
            let signed = sign::sign_request(
                method.as_str(),
                &url,
                &headers,
                &body,
                credentials,
                &region,
                SystemTime::now(),
            )?;
            for (name, value) in signed {
                set_header(&mut headers, name, &value);
            }
        }
        let builder = crate::outbound::with_headers(
            ctx.runner().http_client().request(method.clone(), url),
            &headers,
        )
        .map_err(RestError::InvalidInput)?;
        let mut response = builder
            .body(body)
            .send()
            .await
            .map_err(|e| RestError::Transport(TransportError::new(e)))?;
        let status = response.status();
        tracing::Span::current().record("status", status.as_u16());
        let headers = response.headers().clone();
        let body = if method == Method::HEAD {
            Vec::new()
        } else {
            let read = read_bounded(&mut response, MAX_RESPONSE_BYTES)
                .await
                .map_err(RestError::Transport)?;
            // An error keeps its status and the start of its body; a success can't be handed out in part.
            if read.truncated && status.is_success() {
                return Err(RestError::ResponseTooLarge {
                    status: status.as_u16(),
                    limit: MAX_RESPONSE_BYTES,
                });
            }
            read.bytes.to_vec()
        };
        if !status.is_success() {
            return Err(RestError::Http {
                status: status.as_u16(),
                headers,
                body,
            });
        }
        Ok(RestResponse {
            status: status.as_u16(),
            headers,
            body,
        })
    }
}

/// The endpoint joined with `path` and the query; a path that would leave the endpoint is refused.
fn url_of(endpoint: &Url, path: &str, query: &[(String, String)]) -> Result<Url, RestError> {
    if path.contains(['?', '#']) {
        return Err(RestError::InvalidInput(format!(
            "the path {path:?} carries a query or fragment: pass query parameters with RestRequest::query"
        )));
    }
    if path
        .split('/')
        .any(|segment| segment == "." || segment == "..")
    {
        return Err(RestError::InvalidInput(format!(
            "the path {path:?} has `.` or `..` segments: it must stay below the API's endpoint"
        )));
    }
    let base = endpoint.as_str().trim_end_matches('/');
    let joined = if path.is_empty() {
        base.to_owned()
    } else {
        format!("{base}/{}", path.trim_start_matches('/'))
    };
    let mut url = Url::parse(&joined)
        .map_err(|e| RestError::InvalidInput(format!("the path {path:?}: {e}")))?;
    // The URL parser resolves more than literal dot segments (`%2e%2e`, `.%2e`, `\` as `/`, tabs and newlines
    // dropped), so the parsed URL itself is what is checked: same origin, and under the endpoint's path.
    let base_path = endpoint.path().trim_end_matches('/');
    let below = url
        .path()
        .strip_prefix(base_path)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if url.origin() != endpoint.origin() || !below {
        return Err(RestError::InvalidInput(format!(
            "the path {path:?} resolves outside the API's endpoint: it must stay below it"
        )));
    }
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    Ok(url)
}

/// Sets `name` (stored lower-case), replacing any value of the same name.
fn set_header(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    let name = name.to_ascii_lowercase();
    headers.retain(|(k, _)| *k != name);
    headers.push((name, value.to_owned()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_below_the_endpoint() {
        let endpoint = Url::parse("https://abc.execute-api.eu-west-1.amazonaws.com/prod/").unwrap();
        let url = url_of(&endpoint, "/items/a b", &[("q".into(), "x&y".into())]).unwrap();
        assert_eq!(
            url.as_str(),
            "https://abc.execute-api.eu-west-1.amazonaws.com/prod/items/a%20b?q=x%26y"
        );
        for bad in [
            "../admin",
            "/items/../../x",
            "a?b=c",
            "a#b",
            // Spellings the URL parser also resolves as `..`.
            "/items/%2e%2e/%2e%2e/admin",
            "/%2E%2E/admin",
            ".%2e/admin",
            "%2e./admin",
            "..\\..\\admin",
            ".\n./admin",
            ".\t./admin",
        ] {
            assert!(
                matches!(url_of(&endpoint, bad, &[]), Err(RestError::InvalidInput(_))),
                "{bad}"
            );
        }
    }
}
