//! The `summary` custom query: how many of the signed-in user's todos are open. amplify-local serves it
//! ([`custom_operations`] is added to its default schema) and forwards each call, once its rule (signed-in users)
//! has let it through, to `summary_function`: the demo's stand-in for the Lambda function a Gen 2 backend would
//! run, reached at `POST /functions/summary` with AppSync's Lambda event.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::app::AppState;

/// The most pages of todos one summary reads.
const MAX_PAGES: usize = 100;

/// The custom type and query the demo adds to amplify-local's default schema.
#[must_use]
pub fn custom_operations() -> Value {
    let int = |name: &str| json!({"name": name, "isArray": false, "type": "Int", "isRequired": true, "attributes": []});
    json!({
        "nonModels": {
            "TodoSummary": {"name": "TodoSummary", "fields": {"open": int("open"), "total": int("total")}},
        },
        "queries": {
            "summary": {
                "name": "summary", "isArray": false, "isRequired": false, "type": {"nonModel": "TodoSummary"},
                "authorization": [{"allow": "private", "provider": "userPools"}],
            },
        },
    })
}

/// `POST /functions/summary`: counts the caller's todos. It reads them with the caller's own token (the event's
/// request headers carry it), so it can only ever count what that caller may read; an event without one is
/// refused.
pub(crate) async fn summary_function(
    State(state): State<AppState>,
    Json(event): Json<Value>,
) -> Response {
    let Some(token) = event
        .pointer("/request/headers/authorization")
        .and_then(Value::as_str)
    else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"errorType": "Unauthorized", "errorMessage": "the event carries no caller token"})),
        )
            .into_response();
    };
    let Some(data) = state.runner.config().data.as_ref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (mut open, mut total) = (0u64, 0u64);
    let mut next: Value = Value::Null;
    for _ in 0..MAX_PAGES {
        let body = json!({
            "query": "query($t: String) { listTodos(limit: 1000, nextToken: $t) { items { done } nextToken } }",
            "variables": {"t": next},
        });
        let answer = state
            .runner
            .http_client()
            .post(data.url.clone())
            .header("authorization", token)
            .json(&body)
            .send()
            .await;
        let page: Option<Value> = match answer {
            Ok(answer) => answer.json().await.ok(),
            Err(error) => {
                tracing::warn!(%error, "the summary function could not read the todos");
                None
            }
        };
        // A page that isn't a clean list (an error, a refused token, a body that isn't GraphQL) fails the call:
        // a count of zero would be a wrong answer, not an empty list.
        let Some(connection) = page
            .as_ref()
            .filter(|page| page.get("errors").is_none_or(Value::is_null))
            .and_then(|page| page.pointer("/data/listTodos"))
            .filter(|connection| connection["items"].is_array())
        else {
            return unavailable("the todos could not be read");
        };
        for item in connection["items"].as_array().into_iter().flatten() {
            total += 1;
            if item["done"] != true {
                open += 1;
            }
        }
        next = connection["nextToken"].clone();
        if next.is_null() {
            return Json(json!({"open": open, "total": total})).into_response();
        }
    }
    unavailable("too many todos to count")
}

/// The function's failure, as a Lambda reports one (AppSync turns it into the field's error).
fn unavailable(message: &str) -> Response {
    (
        StatusCode::BAD_GATEWAY,
        Json(json!({"errorType": "Unavailable", "errorMessage": message})),
    )
        .into_response()
}
