//! Custom queries and mutations, resolved for real: each is authorised by its rules, then forwarded to the
//! developer's function — an HTTP endpoint given with `--function NAME=URL` — as the event AppSync gives a Lambda
//! resolver (`arguments`, `identity`, `source`, `request.headers`, `info`). The function's JSON answer is the
//! field's value; an answer with an error status (or Lambda's `errorType` / `errorMessage`) is the field's error.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::dynamic::{Field, FieldFuture, FieldValue, InputValue, ResolverContext};
use axum::http::HeaderMap;
use serde_json::{Map, Value, json};
use tracing::Instrument as _;
use url::Url;

use super::auth::{Caller, Grant, grant_by_rules};
use super::fields::to_gql;
use super::model::{CustomOpDef, FieldDef, FieldType};
use super::ops::{Item, OpError};
use super::schema::{gql_error, input_base, output_base, soft, wrap};
use crate::LocalError;

/// The largest answer a function may give (Lambda's synchronous response limit).
const MAX_ANSWER_BYTES: usize = 6 * 1024 * 1024;
/// How long a function may take (the request's own time budget usually ends it sooner).
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// The functions that resolve custom operations, by operation name.
#[derive(Debug)]
pub(crate) struct Functions {
    endpoints: BTreeMap<String, Url>,
    /// Built only when a function is registered (a client loads the system's root certificates).
    http: Option<reqwest::Client>,
}

impl Functions {
    /// The registry of `--function NAME=URL` pairs; a name given twice is refused.
    pub(crate) fn new(endpoints: &[(String, Url)]) -> Result<Self, LocalError> {
        let mut registry = BTreeMap::new();
        for (name, url) in endpoints {
            if registry.insert(name.clone(), url.clone()).is_some() {
                return Err(LocalError::InvalidSchema(format!(
                    "--function {name}=…: given twice; give each operation one function"
                )));
            }
        }
        let http = if registry.is_empty() {
            None
        } else {
            Some(
                reqwest::Client::builder()
                    .timeout(CALL_TIMEOUT)
                    // The function is the developer's own local server; a redirect elsewhere is not followed.
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .map_err(|e| LocalError::InvalidSchema(format!("function client: {e}")))?,
            )
        };
        Ok(Self {
            endpoints: registry,
            http,
        })
    }

    /// Checks that every registered function names a custom operation of the schema, so a typo is caught at
    /// start-up rather than as a missing handler later.
    pub(crate) fn check(&self, custom: &[CustomOpDef]) -> Result<(), LocalError> {
        for name in self.endpoints.keys() {
            if !custom.iter().any(|op| &op.name == name) {
                let known: Vec<&str> = custom.iter().map(|op| op.name.as_str()).collect();
                return Err(LocalError::InvalidSchema(format!(
                    "--function {name}=…: the schema has no custom query or mutation `{name}` (it has: {})",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                )));
            }
        }
        Ok(())
    }

    async fn call(&self, op: &CustomOpDef, event: &Value) -> Result<Value, OpError> {
        let span = tracing::debug_span!(
            "amplify_local.function",
            operation = %op.name,
            status = tracing::field::Empty
        );
        self.call_in_span(op, event).instrument(span).await
    }

    async fn call_in_span(&self, op: &CustomOpDef, event: &Value) -> Result<Value, OpError> {
        let unhandled = |message: String| OpError {
            error_type: "Lambda:Unhandled".to_owned(),
            message,
        };
        let (Some(url), Some(http)) = (self.endpoints.get(&op.name), &self.http) else {
            return Err(unhandled(format!(
                "No function resolves {}.{}: start amplify-local with --function {}=URL (an HTTP endpoint that \
                 takes the AppSync Lambda event)",
                op.parent, op.name, op.name
            )));
        };
        let mut response = http
            .post(url.clone())
            .json(event)
            .send()
            .await
            .map_err(|e| unhandled(format!("The function of {} did not answer: {e}", op.name)))?;
        let status = response.status();
        tracing::Span::current().record("status", status.as_u16());
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| unhandled(format!("The function of {} did not answer: {e}", op.name)))?
        {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(unhandled(format!(
                    "The answer of the function of {} is larger than {MAX_ANSWER_BYTES} bytes",
                    op.name
                )));
            }
            body.extend_from_slice(&chunk);
        }
        let answer: Option<Value> = if body.is_empty() {
            Some(Value::Null)
        } else {
            serde_json::from_slice(&body).ok()
        };
        if !status.is_success() {
            let text = |key: &str| {
                answer
                    .as_ref()
                    .and_then(|a| a.get(key))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            return Err(OpError {
                error_type: text("errorType").unwrap_or_else(|| "Lambda:Unhandled".to_owned()),
                message: text("errorMessage").unwrap_or_else(|| {
                    format!("The function of {} answered HTTP {status}", op.name)
                }),
            });
        }
        answer.ok_or_else(|| {
            unhandled(format!(
                "The answer of the function of {} is not JSON",
                op.name
            ))
        })
    }
}

/// What a function's event takes from the request: its headers and the caller's identity.
#[derive(Debug)]
pub(crate) struct RequestInfo {
    headers: Map<String, Value>,
    identity: Value,
}

impl RequestInfo {
    /// The event parts of one request.
    pub(crate) fn new(headers: &HeaderMap, caller: &Caller, issuer: &str, pool_id: &str) -> Self {
        let mut map = Map::new();
        for (name, value) in headers {
            let Ok(value) = value.to_str() else { continue };
            match map.get_mut(name.as_str()) {
                Some(Value::String(existing)) => {
                    existing.push_str(", ");
                    existing.push_str(value);
                }
                _ => {
                    map.insert(name.as_str().to_owned(), Value::from(value));
                }
            }
        }
        Self {
            headers: map,
            identity: identity(caller, issuer, pool_id),
        }
    }
}

/// The event's `identity`, as AppSync writes it for each auth mode (`null` for the API key).
pub(crate) fn identity(caller: &Caller, issuer: &str, pool_id: &str) -> Value {
    match caller {
        Caller::ApiKey => Value::Null,
        Caller::UserPool {
            username,
            sub,
            groups,
            claims,
        } => json!({
            "sub": sub,
            "issuer": issuer,
            "username": username,
            "claims": claims,
            "sourceIp": ["127.0.0.1"],
            "defaultAuthStrategy": "ALLOW",
            "groups": if groups.is_empty() { Value::Null } else { json!(groups) },
        }),
        Caller::Iam {
            identity_id,
            authenticated,
        } => json!({
            "accountId": "000000000000",
            "cognitoIdentityPoolId": pool_id,
            "cognitoIdentityId": identity_id,
            "sourceIp": ["127.0.0.1"],
            "username": identity_id,
            "userArn": format!("arn:aws:sts::000000000000:assumed-role/amplify-local/{identity_id}"),
            "cognitoIdentityAuthType": if *authenticated { "authenticated" } else { "unauthenticated" },
            "cognitoIdentityAuthProvider": Value::Null,
        }),
    }
}

/// The `Query` / `Mutation` field of a custom operation.
pub(super) fn field(op: &CustomOpDef) -> Field {
    let ty = wrap(
        output_base(&op.returns.ty),
        op.returns.is_array,
        op.returns.is_required,
    );
    let shared = Arc::new(op.clone());
    let mut field = Field::new(op.name.clone(), ty, move |ctx: ResolverContext<'_>| {
        let op = Arc::clone(&shared);
        // As for model fields: the error is recorded with the field's path, and the field is null.
        FieldFuture::new(async move {
            let result = resolve(&ctx, &op).await;
            Ok(soft(&ctx, result).flatten())
        })
    });
    for argument in &op.arguments {
        field = field.argument(InputValue::new(
            argument.name.clone(),
            wrap(
                input_base(&argument.ty),
                argument.is_array,
                argument.is_required,
            ),
        ));
    }
    field
}

async fn resolve<'a>(
    ctx: &ResolverContext<'a>,
    op: &CustomOpDef,
) -> async_graphql::Result<Option<FieldValue<'a>>> {
    let caller = ctx.data::<Caller>()?;
    // Authorised by the operation's rules before the function hears of the call.
    if !matches!(grant_by_rules(&op.rules, caller, "custom"), Grant::All) {
        return Err(gql_error(OpError::unauthorized(&op.name, op.parent)));
    }
    let functions = ctx.data::<Arc<Functions>>()?;
    let info = ctx.data::<Arc<RequestInfo>>()?;
    let mut arguments = Map::new();
    for argument in &op.arguments {
        if let Some(value) = ctx.args.get(&argument.name) {
            arguments.insert(argument.name.clone(), value.as_value().clone().into_json()?);
        }
    }
    let selection: Vec<String> = ctx
        .field()
        .selection_set()
        .map(|f| f.name().to_owned())
        .collect();
    let event = json!({
        "typeName": op.parent,
        "fieldName": op.name,
        "arguments": arguments,
        "identity": info.identity,
        "source": Value::Null,
        "request": { "headers": info.headers, "domainName": Value::Null },
        "prev": Value::Null,
        "info": {
            "fieldName": op.name,
            "parentTypeName": op.parent,
            "variables": {},
            "selectionSetList": selection,
        },
        "stash": {},
    });
    let answer = functions.call(op, &event).await.map_err(gql_error)?;
    answer_value(&op.returns, answer).map_err(|message| {
        gql_error(OpError {
            error_type: "Lambda:Unhandled".to_owned(),
            message,
        })
    })
}

/// The function's answer as the field's value: objects for custom types and models, values for scalars.
fn answer_value(def: &FieldDef, answer: Value) -> Result<Option<FieldValue<'static>>, String> {
    let object = |value: Value| match value {
        Value::Object(object) => Ok(FieldValue::owned_any::<Item>(object)),
        other => Err(format!(
            "The function's answer for {} is not an object: {other}",
            def.name
        )),
    };
    Ok(match (&def.ty, answer) {
        (_, Value::Null) => None,
        (FieldType::NonModel(_) | FieldType::Model(_), Value::Array(values)) if def.is_array => {
            Some(FieldValue::list(
                values
                    .into_iter()
                    .map(|v| {
                        if v.is_null() {
                            Ok(FieldValue::NULL)
                        } else {
                            object(v)
                        }
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ))
        }
        (FieldType::NonModel(_) | FieldType::Model(_), value) if !def.is_array => {
            Some(object(value)?)
        }
        (FieldType::Scalar(s), value) if s == "AWSJSON" && !value.is_string() && !def.is_array => {
            Some(FieldValue::value(async_graphql::Value::String(
                value.to_string(),
            )))
        }
        (_, value) if def.is_array != value.is_array() => {
            return Err(format!(
                "The function's answer for {} should {}be a list",
                def.name,
                if def.is_array { "" } else { "not " }
            ));
        }
        (_, value) => Some(FieldValue::value(to_gql(&value))),
    })
}

#[cfg(test)]
mod registry_tests {
    use super::*;

    #[test]
    fn a_function_named_twice_is_refused_and_none_needs_no_client() {
        let url: Url = "http://127.0.0.1:9/f".parse().expect("url");
        let twice = [
            ("summary".to_owned(), url.clone()),
            ("summary".to_owned(), url.clone()),
        ];
        assert!(Functions::new(&twice).is_err());
        assert!(Functions::new(&[]).expect("empty").http.is_none());
        assert!(Functions::new(&twice[..1]).expect("one").http.is_some());
    }
}
