//! The GraphQL API's parsers and checks, for [`crate::fuzzing`].

use std::cmp::Ordering;

use axum::http::{HeaderMap, Method, Uri};
use serde_json::{Map, Value};

use super::{filter, ops};
use crate::sigv4;

/// Whether `item` satisfies a `Model…FilterInput` / `ConditionInput` (as `list` and conditional writes test it).
pub fn filter_matches(filter: &Map<String, Value>, item: &Map<String, Value>) -> bool {
    filter::matches(filter, item)
}

/// The order `list` sorts rows by (sort-key values, then insertion order).
pub fn compare_sort_keys(a: &[Value], b: &[Value]) -> Ordering {
    filter::compare_tuples(a, b)
}

/// A client's `nextToken` decoded to the sort tuple it resumes after; `None` when `list` would refuse it.
pub fn decode_next_token(token: &str) -> Option<Vec<Value>> {
    ops::decode_token(token).ok()
}

/// The `nextToken` `list` hands out after a row with this sort tuple.
pub fn encode_next_token(order: &[Value]) -> String {
    ops::encode_token(order)
}

/// Parses the SigV4 `Authorization` of an AppSync request and verifies it with `secret_key` for `region` at `now`
/// (seconds since the epoch); the refusal, as a debug string, on failure.
pub fn verify_appsync_signature(
    (method, uri, headers, body): (&Method, &Uri, &HeaderMap, &[u8]),
    secret_key: &str,
    region: &str,
    now: i64,
) -> Result<(), String> {
    let signed = sigv4::parse(headers).map_err(|error| format!("{error:?}"))?;
    sigv4::verify(
        &signed,
        secret_key,
        sigv4::Scope {
            service: "appsync",
            region,
        },
        (method, uri, headers, body),
        now,
    )
    .map_err(|error| format!("{error:?}"))
}
