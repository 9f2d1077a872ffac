//! REST APIs behind an API-Gateway-like front: `--rest-api NAME=URL` serves `/rest/NAME/...` on the backend's
//! port. Each request is authenticated first — SigV4 (service `execute-api`) with identity-pool credentials, or
//! a user-pool ID or access token in `Authorization` — and refused as API Gateway refuses it (`401` / `403`
//! with `{"message": …}`); an authenticated one is forwarded to `URL` + the rest of the path and query, with
//! the caller's identity in `x-amplify-local-identity` (JSON, the shape an AppSync Lambda event's `identity`
//! has), and the upstream's answer is returned as it is.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use url::Url;

use crate::graphql::{RestRefusal, authenticate_rest, caller_identity};
use crate::state::AppState;

/// The header carrying the verified caller to the upstream; a client's own value is dropped.
pub(crate) const IDENTITY_HEADER: &str = "x-amplify-local-identity";
/// The largest upstream answer relayed (API Gateway's payload limit).
const MAX_ANSWER_BYTES: usize = 10 * 1024 * 1024;
/// How long the upstream may take (API Gateway's integration timeout).
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(29);

/// Hop-by-hop and framing headers, never relayed.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
];

/// The mounted APIs and the client that forwards to them.
#[derive(Debug)]
pub(crate) struct RestApis {
    upstreams: Vec<(String, Url)>,
    /// Built only when an API is mounted (a client loads the system's root certificates).
    http: Option<reqwest::Client>,
}

impl RestApis {
    /// The `--rest-api NAME=URL` mounts; a name given twice is refused.
    pub(crate) fn new(upstreams: &[(String, Url)]) -> Result<Self, crate::LocalError> {
        for (index, (name, _)) in upstreams.iter().enumerate() {
            if upstreams[..index].iter().any(|(seen, _)| seen == name) {
                return Err(crate::LocalError::Storage(format!(
                    "--rest-api {name}=…: given twice; mount each API once"
                )));
            }
        }
        let http = if upstreams.is_empty() {
            None
        } else {
            Some(
                reqwest::Client::builder()
                    .timeout(UPSTREAM_TIMEOUT)
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .map_err(|e| crate::LocalError::Storage(format!("REST front client: {e}")))?,
            )
        };
        Ok(Self {
            upstreams: upstreams.to_vec(),
            http,
        })
    }

    /// `custom.API` of the outputs file: one entry per mounted API.
    pub(crate) fn outputs(&self, state: &AppState) -> serde_json::Value {
        let mut apis = serde_json::Map::new();
        for (name, _) in &self.upstreams {
            apis.insert(
                name.clone(),
                json!({
                    "endpoint": format!("{}/rest/{name}", state.base_url()),
                    "region": state.region(),
                    "apiName": name,
                }),
            );
        }
        serde_json::Value::Object(apis)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.upstreams.is_empty()
    }
}

fn message(status: StatusCode, error_type: &str, text: &str) -> Response {
    let mut response = (status, json!({ "message": text }).to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(value) = HeaderValue::from_str(error_type) {
        response.headers_mut().insert("x-amzn-errortype", value);
    }
    response
}

fn refused(refusal: &RestRefusal) -> Response {
    message(refusal.status, refusal.error_type, &refusal.message)
}

/// `/rest/{api}` and `/rest/{api}/{*path}`, any method.
pub(crate) async fn handle(
    State(state): State<Arc<AppState>>,
    Path(params): Path<Vec<(String, String)>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state.count("REST");
    let api = params
        .iter()
        .find(|(k, _)| k == "api")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let rest_of_path = params
        .iter()
        .find(|(k, _)| k == "path")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    // The path stays below the mount (the extractor has decoded `%2e%2e` already).
    if rest_of_path
        .split('/')
        .any(|segment| segment == "." || segment == "..")
    {
        return message(
            StatusCode::BAD_REQUEST,
            "BadRequestException",
            "Invalid request path",
        );
    }
    let (Some(upstream), Some(http)) = (
        state
            .rest_apis
            .upstreams
            .iter()
            .find(|(name, _)| *name == api)
            .map(|(_, url)| url.clone()),
        &state.rest_apis.http,
    ) else {
        return message(
            StatusCode::FORBIDDEN,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        );
    };
    let mut target = upstream;
    let base = target.path().trim_end_matches('/').to_owned();
    target.set_path(&format!("{base}/{}", rest_of_path.trim_start_matches('/')));
    // `set_path` parses again (a decoded `%2e%2e` or a `\` becomes a dot
    // segment or a separator): the result must still be below the mount.
    let path = target.path();
    if !(path == base
        || path
            .strip_prefix(base.as_str())
            .is_some_and(|rest| rest.starts_with('/')))
    {
        return message(
            StatusCode::BAD_REQUEST,
            "BadRequestException",
            "Invalid request path",
        );
    }
    let shared = Arc::clone(&state);
    let (checked_method, checked_uri, checked_headers, checked_body) =
        (method.clone(), uri.clone(), headers.clone(), body.clone());
    // RS256 verification, HMACs and SQLite look-ups: off the async workers.
    let caller = tokio::task::spawn_blocking(move || {
        authenticate_rest(
            &shared,
            &checked_method,
            &checked_uri,
            &checked_headers,
            &checked_body,
        )
    })
    .await;
    let caller = match caller {
        Ok(Ok(caller)) => caller,
        Ok(Err(refusal)) => return refused(&refusal),
        Err(_) => {
            return message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServerErrorException",
                "Internal server error",
            );
        }
    };
    tracing::debug!(api = %api, caller = %caller.describe(), "REST request");
    let identity = caller_identity(&caller, state.issuer(), state.identity_pool_id());

    target.set_query(uri.query());
    let mut request = http.request(method, target);
    for (name, value) in &headers {
        let name_str = name.as_str();
        if HOP_BY_HOP.contains(&name_str) || name_str == "host" || name_str == IDENTITY_HEADER {
            continue;
        }
        request = request.header(name.clone(), value.clone());
    }
    if let Ok(value) = HeaderValue::from_str(&identity.to_string()) {
        request = request.header(HeaderName::from_static(IDENTITY_HEADER), value);
    }
    let mut answer = match request.body(body).send().await {
        Ok(answer) => answer,
        Err(error) => {
            tracing::warn!(api = %api, error = %error, "the REST upstream did not answer");
            return message(
                StatusCode::BAD_GATEWAY,
                "BadGatewayException",
                "Internal server error",
            );
        }
    };
    let status = answer.status();
    let answer_headers = answer.headers().clone();
    let mut relayed = Vec::new();
    loop {
        match answer.chunk().await {
            Ok(Some(chunk)) => {
                if relayed.len() + chunk.len() > MAX_ANSWER_BYTES {
                    return message(
                        StatusCode::BAD_GATEWAY,
                        "BadGatewayException",
                        "Response payload size exceeded maximum allowed payload size",
                    );
                }
                relayed.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(_) => {
                return message(
                    StatusCode::BAD_GATEWAY,
                    "BadGatewayException",
                    "Internal server error",
                );
            }
        }
    }
    let mut response = (status, relayed).into_response();
    for (name, value) in &answer_headers {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            response.headers_mut().append(name.clone(), value.clone());
        }
    }
    response
}

#[cfg(test)]
mod registry_tests {
    use super::*;

    #[test]
    fn an_api_mounted_twice_is_refused_and_none_needs_no_client() {
        let url: Url = "http://127.0.0.1:9/".parse().expect("url");
        let twice = [
            ("items".to_owned(), url.clone()),
            ("items".to_owned(), url.clone()),
        ];
        assert!(RestApis::new(&twice).is_err());
        assert!(RestApis::new(&[]).expect("empty").http.is_none());
        assert!(RestApis::new(&twice[..1]).expect("one").http.is_some());
    }
}
