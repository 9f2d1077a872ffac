//! amplify-local's GraphQL filters (`Model…FilterInput` / `ConditionInput`, DynamoDB semantics), its sort order
//! and its `nextToken` codec; then the same through `POST /graphql`.
//!
//! Input: one mode byte, then JSON.
//! * mode 0: `{"filter": {…}, "items": [{…}, …], "nextToken": "…", "sort": ["field", …]}` (any part may be
//!   missing) evaluated directly: the filter against every item (with the `and`/`or`/`not` laws checked), the
//!   token decoded and re-encoded, and the items sorted by `sort` as `list` sorts them (a total order).
//! * mode 1: the variables of `listAnnouncements(filter, limit, nextToken, sortDirection)`, sent with the API key.
//! * mode 2: a whole GraphQL request body, sent with the API key.
//!
//! In modes 1 and 2, placeholders such as `$API_KEY` are replaced by the backend's values (`Harness::expand`).
#![no_main]

use std::cmp::Ordering;
use std::mem::discriminant;

use amplify_fuzz::Harness;
use amplify_local::fuzzing::{
    compare_sort_keys, decode_next_token, encode_next_token, filter_matches,
};
use axum::body::Body;
use http::Request;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

const LIST: &str = "query List($filter: ModelAnnouncementFilterInput, $limit: Int, $nextToken: String, \
    $sortDirection: ModelSortDirection) { listAnnouncements(filter: $filter, limit: $limit, \
    nextToken: $nextToken, sortDirection: $sortDirection) { items { id title } nextToken } }";

fn direct(input: &Map<String, Value>) {
    let empty = Map::new();
    let filter = input
        .get("filter")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let items: Vec<&Map<String, Value>> = input
        .get("items")
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_object).take(16).collect())
        .unwrap_or_default();
    for item in &items {
        let matched = filter_matches(filter, item);
        let wrap = |key: &str, operand: Value| {
            let mut map = Map::new();
            map.insert(key.to_owned(), operand);
            map
        };
        let filter_value = Value::Object(filter.clone());
        assert_eq!(
            filter_matches(&wrap("not", filter_value.clone()), item),
            !matched
        );
        assert_eq!(
            filter_matches(&wrap("and", json!([filter_value, {}])), item),
            matched
        );
        assert_eq!(
            filter_matches(&wrap("or", json!([filter_value, {"not": {}}])), item),
            matched
        );
    }

    if let Some(token) = input.get("nextToken").and_then(Value::as_str)
        && let Some(after) = decode_next_token(token)
    {
        let again = decode_next_token(&encode_next_token(&after)).expect("re-encoded token");
        assert_eq!(again.len(), after.len());
    }

    // Sort as `list` does: the sort fields, then the insertion order. Stored values of one field share a type
    // (or are missing), so only such columns are sorted.
    let fields: Vec<&str> = input
        .get("sort")
        .and_then(Value::as_array)
        .map(|fields| fields.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut rows: Vec<Vec<Value>> = items
        .iter()
        .enumerate()
        .map(|(seq, item)| {
            let mut row: Vec<Value> = fields
                .iter()
                .map(|field| item.get(*field).cloned().unwrap_or(Value::Null))
                .collect();
            row.push(Value::from(seq));
            row
        })
        .collect();
    let typed = (0..fields.len()).all(|column| {
        let mut kinds = rows
            .iter()
            .map(|row| &row[column])
            .filter(|value| !value.is_null())
            .map(discriminant);
        kinds
            .next()
            .is_none_or(|first| kinds.all(|kind| kind == first))
    });
    if typed {
        rows.sort_by(|a, b| compare_sort_keys(a, b));
        for pair in rows.windows(2) {
            assert_ne!(compare_sort_keys(&pair[0], &pair[1]), Ordering::Greater);
        }
    }
}

fn graphql(harness: &Harness, body: Vec<u8>) {
    let request = Request::post("/graphql")
        .header(http::header::HOST, &harness.host)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header("x-api-key", harness.backend.api_key())
        .body(Body::from(body))
        .expect("request");
    let (status, _, answer) = harness.call(&harness.router, request);
    let answer: Value = serde_json::from_slice(&answer).expect("a JSON answer");
    assert!(
        status.is_success() || status.is_client_error(),
        "{status} {answer}"
    );
    assert!(
        answer.get("data").is_some() || answer.get("errors").is_some(),
        "{answer}"
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => {
            if let Ok(Value::Object(input)) = serde_json::from_slice(rest) {
                direct(&input);
            }
        }
        1 => {
            let harness = Harness::get();
            let Ok(variables @ Value::Object(_)) =
                serde_json::from_slice::<Value>(&harness.expand(rest))
            else {
                return;
            };
            let body = json!({ "query": LIST, "variables": variables });
            graphql(harness, body.to_string().into_bytes());
        }
        _ => {
            let harness = Harness::get();
            graphql(harness, harness.expand(rest));
        }
    }
});
