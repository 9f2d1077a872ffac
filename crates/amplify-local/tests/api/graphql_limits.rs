//! One user can't stall the GraphQL API: a user's lists never read other users' items (counted), the
//! aliased-list attack reads nothing of the victim's and is bounded by the request's read budget, and a
//! request over its time budget is answered with AppSync's `ExecutionTimeout`.

use std::time::Duration;

use serde_json::{Value, json};

use crate::graphql::{Auth, Gql};
use crate::helpers::Harness;

/// Creates `count` todos for the token's user in one request (aliased mutations).
async fn create_todos(h: &Harness, token: &str, count: usize, content: &str) {
    let fields: String = (0..count)
        .map(|n| format!("c{n}: createTodo(input: {{ content: \"{content}\" }}) {{ id }} "))
        .collect();
    let answer = h
        .gql(
            Auth::Token(token),
            &format!("mutation {{ {fields} }}"),
            json!({}),
        )
        .await;
    answer.data();
}

/// `count` aliases of one list field.
fn aliased_lists(count: usize, arguments: &str) -> String {
    let fields: String = (0..count)
        .map(|n| format!("l{n}: listTodos({arguments}) {{ items {{ owner }} }} "))
        .collect();
    format!("query {{ {fields} }}")
}

/// The `errorType`s of an answer's errors.
fn error_types(answer: &Gql) -> Vec<String> {
    answer.body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["errorType"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_users_lists_never_read_other_users_items() {
    let h = Harness::start().await;
    let victim = h.access_token("victim").await;
    let mallory = h.access_token("mallory").await;
    create_todos(&h, &victim, 300, "secret").await;
    create_todos(&h, &mallory, 2, "mine").await;

    let before = h.backend.graphql_rows_read();
    let answer = h
        .gql(
            Auth::Token(&mallory),
            "query { listTodos { items { id owner } } }",
            json!({}),
        )
        .await;
    let items = answer.data()["listTodos"]["items"]
        .as_array()
        .expect("items")
        .clone();
    assert_eq!(items.len(), 2);
    assert_eq!(h.backend.graphql_rows_read() - before, 2);

    // The reported attack: 650 aliased `listTodos(limit: 1)`. Each reads at most two of mallory's items (one,
    // and one more to tell that there is a next page), none of the victim's 300.
    let before = h.backend.graphql_rows_read();
    let answer = h
        .gql(
            Auth::Token(&mallory),
            &aliased_lists(650, "limit: 1"),
            json!({}),
        )
        .await;
    let data = answer.data();
    assert!(
        (0..650).all(|n| data[format!("l{n}")]["items"][0]["owner"] == "mallory"),
        "{data}"
    );
    assert_eq!(h.backend.graphql_rows_read() - before, 650 * 2);
}

#[tokio::test]
async fn the_aliased_attack_is_stopped_by_the_read_budget() {
    let h = Harness::start_with(|options| options.with_graphql_row_budget(500)).await;
    let mallory = h.access_token("mallory").await;
    create_todos(&h, &mallory, 40, "mine").await;
    // 100 lists that each read all 40 items (the filter matches none) would read 4,000.
    let before = h.backend.graphql_rows_read();
    let answer = h
        .gql(
            Auth::Token(&mallory),
            &aliased_lists(100, "filter: { content: { eq: \"none\" } }"),
            json!({}),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let types = error_types(&answer);
    assert!(!types.is_empty(), "{}", answer.body);
    assert!(
        types.iter().all(|t| t == "ExecutionLimitExceeded"),
        "{types:?}"
    );
    let message = answer.body["errors"][0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("500") && message.contains("graphql_row_budget"),
        "{message}"
    );
    assert!(h.backend.graphql_rows_read() - before <= 500);
    // A request within the budget still works.
    let answer = h
        .gql(
            Auth::Token(&mallory),
            "query { listTodos(limit: 5) { items { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        answer.data()["listTodos"]["items"].as_array().map(Vec::len),
        Some(5)
    );
}

#[tokio::test]
async fn a_request_over_its_time_budget_gets_execution_timeout_and_reads_nothing() {
    let h = Harness::start_with(|options| options.with_graphql_time_budget(Duration::ZERO)).await;
    let key = h.backend.api_key().to_owned();
    let before = h.backend.graphql_rows_read();
    let answer = h
        .gql(
            Auth::ApiKey(&key),
            "query { listAnnouncements { items { id title } } }",
            json!({}),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        error_types(&answer),
        ["ExecutionTimeout"],
        "{}",
        answer.body
    );
    assert_eq!(answer.body["errors"][0]["message"], "Execution timed out.");
    assert!(
        answer
            .body
            .get("data")
            .is_some_and(|d| d.is_null() || d["listAnnouncements"] == Value::Null)
    );
    assert_eq!(h.backend.graphql_rows_read(), before);
}
