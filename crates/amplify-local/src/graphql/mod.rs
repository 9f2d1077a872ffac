//! An AppSync-compatible GraphQL API on `POST /graphql`.
//!
//! The schema is generated at start-up from a Gen 2 `model_introspection`
//! ([`model`]): the default one (a `Todo` with an owner rule and a public
//! `Announcement`) or the one of a real backend's `amplify_outputs.json`
//! (`--schema FILE`). It has AppSync's names: model types, `Model…Connection`,
//! `Model…FilterInput` / `ConditionInput`, `Create/Update/Delete…Input`,
//! `get…`, `list…`, index query fields and `create/update/delete…`
//! mutations ([`schema`]); items live in SQLite ([`ops`]).
//!
//! Every request is authenticated by what it presents, each credential
//! verified for real ([`auth`]): `x-api-key` (the issued key, unexpired),
//! SigV4 with identity-pool credentials ([`crate::sigv4`]), or a user-pool JWT.
//! The model's auth rules are then enforced on every item read or written,
//! with AppSync's error shapes.
//!
//! One request can't stall the API: lists read through an index of owners
//! and keys ([`item_index`]), never every item of a model (and decode an
//! item again only when its stored text changed, [`item_cache`]), and each request
//! has a budget of item reads and of time ([`budget`],
//! `LocalOptions::graphql_row_budget` / `graphql_time_budget`) that every
//! field, alias and nested connection draws on.

mod auth;
mod budget;
mod custom;
mod depth;
mod field_order;
mod field_rules;
mod fields;
mod filter;
#[cfg(feature = "fuzzing")]
pub(crate) mod fuzzing;
mod item_cache;
mod item_index;
#[cfg(test)]
mod list_tests;
mod model;
mod ops;
mod plain_items;
#[cfg(test)]
mod plain_items_tests;
mod schema;
#[cfg(test)]
mod write_tests;

use std::path::Path;
use std::sync::Arc;

use async_graphql::Variables;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rusqlite::params;
use serde_json::{Value, json};

use self::auth::{Caller, Refusal};
pub(crate) use self::auth::{Refusal as RestRefusal, authenticate_rest};
use self::budget::Budget;
pub(crate) use self::custom::identity as caller_identity;
use self::model::Catalog;
use self::ops::Backend;
use crate::db::Store;
use crate::state::AppState;
use crate::{Clock, LocalError};

/// The meta key of the persisted API key (`{"key", "expires_at"}`).
const API_KEY_META: &str = "graphql_api_key";
/// The meta key recording that the default seed data was written.
const SEEDED_META: &str = "graphql_seeded";
/// Characters after `da2-` in an API key.
const API_KEY_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// The GraphQL side of the shared state.
pub(crate) struct GraphqlApi {
    schema: async_graphql::dynamic::Schema,
    backend: Arc<Backend>,
    api_key: String,
    api_key_expires_at: i64,
}

impl std::fmt::Debug for GraphqlApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphqlApi")
            .field("models", &self.backend.catalog.models.len())
            .field("api_key_expires_at", &self.api_key_expires_at)
            .finish_non_exhaustive()
    }
}

/// Reads `data.model_introspection` from an `amplify_outputs.json` (or a
/// bare introspection document).
fn read_schema_file(path: &Path) -> Result<Value, LocalError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| LocalError::InvalidSchema(format!("cannot read {}: {e}", path.display())))?;
    let document: Value = serde_json::from_str(&text)
        .map_err(|e| LocalError::InvalidSchema(format!("{}: {e}", path.display())))?;
    let introspection = document
        .pointer("/data/model_introspection")
        .or_else(|| document.get("model_introspection"))
        .unwrap_or(&document);
    if introspection.get("models").is_none() {
        return Err(LocalError::InvalidSchema(format!(
            "{} has no data.model_introspection.models",
            path.display()
        )));
    }
    Ok(introspection.clone())
}

/// Adds the `nonModels`, `queries` and `mutations` entries of `additions` to `introspection`.
fn merge_additions(introspection: &mut Value, additions: &Value) -> Result<(), LocalError> {
    let bad = |what: &str| LocalError::InvalidSchema(format!("custom operations: {what}"));
    let additions = additions
        .as_object()
        .ok_or_else(|| bad("expected an object with nonModels, queries or mutations"))?;
    for (group, entries) in additions {
        if !matches!(group.as_str(), "nonModels" | "queries" | "mutations") {
            return Err(bad(&format!("unexpected member `{group}`")));
        }
        let entries = entries
            .as_object()
            .ok_or_else(|| bad(&format!("`{group}` must be an object")))?;
        let target = introspection
            .as_object_mut()
            .ok_or_else(|| bad("the schema is not an object"))?
            .entry(group.clone())
            .or_insert_with(|| json!({}));
        if target.is_null() {
            *target = json!({});
        }
        let target = target
            .as_object_mut()
            .ok_or_else(|| bad(&format!("the schema's `{group}` is not an object")))?;
        for (name, entry) in entries {
            target.insert(name.clone(), entry.clone());
        }
    }
    Ok(())
}

/// Loads the API key, creating one (`da2-` + 26 characters) on first start
/// or when the stored one has expired.
fn load_api_key(store: &Store, ttl_secs: i64, now: i64) -> Result<(String, i64), LocalError> {
    if let Some(stored) = store.meta(API_KEY_META)?
        && let Ok(value) = serde_json::from_str::<Value>(&stored)
        && let (Some(key), Some(expires_at)) = (
            value.get("key").and_then(Value::as_str),
            value.get("expires_at").and_then(Value::as_i64),
        )
        && expires_at > now
    {
        return Ok((key.to_owned(), expires_at));
    }
    let mut key = String::from("da2-");
    let limit = 256 - (256 % API_KEY_ALPHABET.len());
    while key.len() < 30 {
        let mut byte = [0u8; 1];
        crate::ids::fill_random(&mut byte).map_err(|e| LocalError::Storage(e.to_string()))?;
        if usize::from(byte[0]) < limit {
            key.push(char::from(
                API_KEY_ALPHABET[usize::from(byte[0]) % API_KEY_ALPHABET.len()],
            ));
        }
    }
    let expires_at = now.saturating_add(ttl_secs);
    store.conn().execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
        params![
            API_KEY_META,
            json!({ "key": key, "expires_at": expires_at }).to_string()
        ],
    )?;
    tracing::info!(expires_at, "issued a new GraphQL API key");
    Ok((key, expires_at))
}

impl GraphqlApi {
    /// Builds the API from the options: reads the schema, opens the item
    /// table, loads or issues the API key and writes the seed data once.
    pub(crate) fn load(
        store: &Store,
        data_dir: &Path,
        schema_file: Option<&Path>,
        api_key_ttl_secs: i64,
        clock: &Clock,
        functions: &[(String, url::Url)],
        additions: Option<&Value>,
    ) -> Result<Self, LocalError> {
        let mut introspection = match schema_file {
            Some(path) => read_schema_file(path)?,
            None => model::default_introspection(),
        };
        if let Some(additions) = additions {
            merge_additions(&mut introspection, additions)?;
        }
        let catalog = Catalog::parse(&introspection)?;
        let backend = Arc::new(Backend::open(data_dir, catalog, clock.clone())?);
        if schema_file.is_none() && store.meta(SEEDED_META)?.is_none() {
            seed(&backend)?;
            store.meta_insert_or_get(SEEDED_META, "1")?;
        }
        let (api_key, api_key_expires_at) =
            load_api_key(store, api_key_ttl_secs, clock.now_secs())?;
        let functions = custom::Functions::new(functions)?;
        functions.check(&backend.catalog.custom)?;
        let schema = schema::build(Arc::clone(&backend), Arc::new(functions))?;
        Ok(Self {
            schema,
            backend,
            api_key,
            api_key_expires_at,
        })
    }

    /// The API key (`da2-…`).
    pub(crate) fn api_key(&self) -> &str {
        &self.api_key
    }

    /// Whether `key` is the API key and has not expired.
    pub(crate) fn api_key_valid(&self, key: &str, now: i64) -> bool {
        aws_lc_rs::constant_time::verify_slices_are_equal(key.as_bytes(), self.api_key.as_bytes())
            .is_ok()
            && now < self.api_key_expires_at
    }

    /// The schema in SDL.
    pub(crate) fn sdl(&self) -> String {
        self.schema.sdl()
    }

    /// How many stored items the API's operations have read.
    pub(crate) fn rows_read(&self) -> u64 {
        self.backend.rows_read()
    }

    /// How many items a model holds.
    pub(crate) fn item_count(&self, model: &str) -> Result<u64, LocalError> {
        self.backend.count(model)
    }

    /// The `data` block of `amplify_outputs.json`.
    pub(crate) fn outputs(&self, state: &AppState) -> Value {
        json!({
            "url": format!("{}/graphql", state.base_url()),
            "aws_region": state.region(),
            "api_key": self.api_key,
            "default_authorization_type": "AMAZON_COGNITO_USER_POOLS",
            "authorization_types": ["API_KEY", "AWS_IAM"],
            "model_introspection": self.backend.catalog.introspection,
        })
    }
}

/// Two announcements for the default schema's first start.
fn seed(backend: &Backend) -> Result<(), LocalError> {
    for (title, body) in [
        (
            "Welcome to amplify-local",
            "This API runs offline and enforces the same auth rules as AppSync.",
        ),
        (
            "Announcements are public",
            "Anyone with the API key can read them; signed-in users can write them.",
        ),
    ] {
        let item = json!({ "id": crate::ids::uuid(), "title": title, "body": body });
        if let Value::Object(item) = item {
            backend.put_seed("Announcement", item)?;
        }
    }
    Ok(())
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    json_bytes_response(status, body.to_string().into_bytes())
}

/// A response with a JSON body already written.
fn json_bytes_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    if let Ok(id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        response.headers_mut().insert("x-amzn-requestid", id);
    }
    response
}

fn refusal_response(refusal: &Refusal) -> Response {
    let mut response = json_response(
        refusal.status,
        &json!({ "errors": [{ "errorType": refusal.error_type, "message": refusal.message }] }),
    );
    if let Ok(value) = HeaderValue::from_str(refusal.error_type) {
        response.headers_mut().insert("x-amzn-errortype", value);
    }
    response
}

/// Rewrites async-graphql's errors into AppSync's shape: `errorType` at
/// the top level, and `data` / `errorInfo` present.
fn appsync_errors(mut body: Value) -> Value {
    if let Some(errors) = body.get_mut("errors").and_then(Value::as_array_mut) {
        for error in errors {
            let Some(error) = error.as_object_mut() else {
                continue;
            };
            let error_type = error
                .get_mut("extensions")
                .and_then(Value::as_object_mut)
                .and_then(|ext| ext.remove("errorType"));
            if error
                .get("extensions")
                .and_then(Value::as_object)
                .is_some_and(serde_json::Map::is_empty)
            {
                error.remove("extensions");
            }
            let error_type = error_type.unwrap_or_else(|| {
                if error.contains_key("path") {
                    Value::Null
                } else {
                    json!("ValidationError")
                }
            });
            error.insert("errorType".to_owned(), error_type);
            error.entry("path").or_insert(Value::Null);
            error.insert("data".to_owned(), Value::Null);
            error.insert("errorInfo".to_owned(), Value::Null);
        }
    }
    body
}

/// `POST /graphql`.
pub(crate) async fn handle(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state.count("GraphQL");
    let shared = Arc::clone(&state);
    let (checked_headers, checked_body) = (headers.clone(), body.clone());
    // RS256 verification, HMACs and SQLite look-ups: off the async workers.
    let caller = tokio::task::spawn_blocking(move || {
        auth::authenticate(&shared, &method, &uri, &checked_headers, &checked_body)
    })
    .await;
    let caller: Caller = match caller {
        Ok(Ok(caller)) => caller,
        Ok(Err(refusal)) => return refusal_response(&refusal),
        Err(_) => {
            return json_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                &json!({ "errors": [{ "errorType": "InternalFailure", "message": "An internal failure occurred." }] }),
            );
        }
    };
    tracing::debug!(caller = %caller.describe(), "GraphQL request");
    let request: Value = match serde_json::from_slice(&body) {
        Ok(Value::Object(request)) => Value::Object(request),
        _ => {
            return json_response(
                StatusCode::BAD_REQUEST,
                &json!({ "errors": [{ "errorType": "MalformedHttpRequestException", "message": "Unable to parse GraphQL query." }] }),
            );
        }
    };
    let Some(query) = request.get("query").and_then(Value::as_str) else {
        return json_response(
            StatusCode::BAD_REQUEST,
            &json!({ "errors": [{ "errorType": "MalformedHttpRequestException", "message": "Unable to parse GraphQL query." }] }),
        );
    };
    if depth::too_deep(query) {
        return json_response(
            StatusCode::BAD_REQUEST,
            &json!({ "errors": [{ "errorType": "ValidationError", "message": format!("The query is nested more than {} levels deep.", depth::MAX_DEPTH) }] }),
        );
    }
    let options = state.options();
    let budget = Arc::new(Budget::new(
        options.graphql_row_budget,
        options.graphql_time_budget,
    ));
    let mut graphql_request = async_graphql::Request::new(query);
    if !state.graphql.backend.catalog.custom.is_empty() {
        // Only a custom operation's event needs them.
        graphql_request = graphql_request.data(Arc::new(custom::RequestInfo::new(
            &headers,
            &caller,
            &state.issuer,
            &state.identity_pool_id,
        )));
    }
    let mut graphql_request = graphql_request
        .data(caller)
        .data(Arc::clone(&budget))
        .data(Arc::new(plain_items::StashedPages::default()));
    if let Some(variables) = request.get("variables").filter(|v| v.is_object()) {
        graphql_request = graphql_request.variables(Variables::from_json(variables.clone()));
    }
    if let Some(name) = request.get("operationName").and_then(Value::as_str) {
        graphql_request = graphql_request.operation_name(name);
    }
    let execution = state.graphql.schema.execute(graphql_request);
    let Ok(response) = tokio::time::timeout(options.graphql_time_budget, execution).await else {
        // Out of time: stop the reads still running, and answer as AppSync does.
        budget.cancel();
        let timed_out = json!({
            "data": null,
            "errors": [{ "message": "Execution timed out.", "extensions": { "errorType": "ExecutionTimeout" } }],
        });
        return json_response(StatusCode::OK, &appsync_errors(timed_out));
    };
    json_bytes_response(StatusCode::OK, response_body(&response))
}

/// The body of an executed request. Without errors there is nothing to rewrite, so the response is written
/// straight out rather than through a JSON tree (for a long list, that tree was a copy of every item).
fn response_body(response: &async_graphql::Response) -> Vec<u8> {
    let fallback = || json!({ "data": null }).to_string().into_bytes();
    if response.errors.is_empty() {
        return serde_json::to_vec(response).unwrap_or_else(|_| fallback());
    }
    serde_json::to_value(response)
        .map(|body| appsync_errors(body).to_string().into_bytes())
        .unwrap_or_else(|_| fallback())
}

/// The `model_introspection` of the default schema (a `Todo` with an owner rule and a public `Announcement`),
/// as amplify-local writes it into the outputs file when no `--schema` is given. Apps can generate their typed
/// models from it.
#[must_use]
pub fn default_model_introspection() -> Value {
    model::default_introspection()
}
