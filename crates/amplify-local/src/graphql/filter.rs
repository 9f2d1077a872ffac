//! `Model…FilterInput` / `Model…ConditionInput` and key conditions,
//! evaluated against stored items with DynamoDB's semantics (a missing
//! attribute fails every comparison except `ne`, `notContains` and
//! `attributeExists: false`).

use std::cmp::Ordering;

use serde_json::{Map, Value};

/// Orders two JSON values: numbers numerically, strings by bytes, `null`
/// (missing) first. Values of different kinds do not compare.
pub(crate) fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        (Value::Null, _) => Some(Ordering::Less),
        (_, Value::Null) => Some(Ordering::Greater),
        _ => None,
    }
}

/// Orders two sort tuples element by element.
pub(crate) fn compare_tuples(a: &[Value], b: &[Value]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        match compare(x, y).unwrap_or(Ordering::Equal) {
            Ordering::Equal => continue,
            other => return other,
        }
    }
    a.len().cmp(&b.len())
}

fn equal(a: &Value, b: &Value) -> bool {
    compare(a, b) == Some(Ordering::Equal) || a == b
}

fn ordered(value: Option<&Value>, operand: &Value, test: fn(Ordering) -> bool) -> bool {
    value
        .filter(|v| !v.is_null())
        .and_then(|v| compare(v, operand))
        .is_some_and(test)
}

fn between(value: Option<&Value>, operand: &Value) -> bool {
    let Some([low, high]) = operand.as_array().map(Vec::as_slice) else {
        return false;
    };
    ordered(value, low, Ordering::is_ge) && ordered(value, high, Ordering::is_le)
}

fn contains(value: Option<&Value>, operand: &Value) -> bool {
    match (value, operand) {
        (Some(Value::String(s)), Value::String(part)) => s.contains(part.as_str()),
        (Some(Value::Array(items)), _) => items.iter().any(|i| equal(i, operand)),
        _ => false,
    }
}

fn attribute_type(value: Option<&Value>) -> &'static str {
    match value {
        None => "",
        Some(Value::Null) => "_null",
        Some(Value::Bool(_)) => "bool",
        Some(Value::Number(_)) => "number",
        Some(Value::String(_)) => "string",
        Some(Value::Array(_)) => "list",
        Some(Value::Object(_)) => "map",
    }
}

fn size(value: Option<&Value>) -> Option<Value> {
    match value? {
        Value::String(s) => Some(Value::from(s.chars().count())),
        Value::Array(a) => Some(Value::from(a.len())),
        Value::Object(o) => Some(Value::from(o.len())),
        _ => None,
    }
}

/// Whether one field's condition (`{eq: …, beginsWith: …}`) holds.
pub(crate) fn field_matches(value: Option<&Value>, condition: &Map<String, Value>) -> bool {
    let present = value.filter(|v| !v.is_null());
    condition.iter().all(|(op, operand)| {
        if operand.is_null() {
            return true;
        }
        match op.as_str() {
            "eq" => present.is_some_and(|v| equal(v, operand)),
            "ne" => !present.is_some_and(|v| equal(v, operand)),
            "lt" => ordered(present, operand, Ordering::is_lt),
            "le" => ordered(present, operand, Ordering::is_le),
            "gt" => ordered(present, operand, Ordering::is_gt),
            "ge" => ordered(present, operand, Ordering::is_ge),
            "between" => between(present, operand),
            "beginsWith" => match (present, operand) {
                (Some(Value::String(s)), Value::String(prefix)) => s.starts_with(prefix.as_str()),
                _ => false,
            },
            "contains" => contains(present, operand),
            "notContains" => !contains(present, operand),
            "attributeExists" => operand.as_bool() == Some(present.is_some()),
            "attributeType" => operand.as_str() == Some(attribute_type(value)),
            "size" => match (size(present), operand.as_object()) {
                (Some(n), Some(inner)) => field_matches(Some(&n), inner),
                _ => false,
            },
            _ => false,
        }
    })
}

/// Whether an item satisfies a filter (or condition) input.
pub(crate) fn matches(filter: &Map<String, Value>, item: &Map<String, Value>) -> bool {
    filter.iter().all(|(key, operand)| match key.as_str() {
        "and" => operand.as_array().is_none_or(|all| {
            all.iter()
                .all(|f| f.as_object().is_none_or(|f| matches(f, item)))
        }),
        "or" => operand.as_array().is_none_or(|any| {
            any.is_empty()
                || any
                    .iter()
                    .any(|f| f.as_object().is_none_or(|f| matches(f, item)))
        }),
        "not" => operand.as_object().is_none_or(|f| !matches(f, item)),
        field => operand
            .as_object()
            .is_none_or(|condition| field_matches(item.get(field), condition)),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(filter: Value, item: Value) -> bool {
        matches(
            filter.as_object().expect("filter"),
            item.as_object().expect("item"),
        )
    }

    #[test]
    fn comparisons_follow_dynamodb() {
        let item = json!({ "title": "Hello world", "n": 5, "tags": ["a", "b"] });
        assert!(check(
            json!({ "title": { "beginsWith": "Hello" } }),
            item.clone()
        ));
        assert!(check(json!({ "n": { "between": [1, 5] } }), item.clone()));
        assert!(!check(json!({ "n": { "gt": 5 } }), item.clone()));
        assert!(check(json!({ "tags": { "contains": "b" } }), item.clone()));
        assert!(check(json!({ "missing": { "ne": "x" } }), item.clone()));
        assert!(!check(json!({ "missing": { "eq": "x" } }), item.clone()));
        assert!(check(
            json!({ "missing": { "attributeExists": false } }),
            item.clone()
        ));
        assert!(check(
            json!({ "or": [{ "n": { "eq": 1 } }, { "title": { "contains": "world" } }] }),
            item.clone()
        ));
        assert!(!check(json!({ "not": { "n": { "eq": 5 } } }), item.clone()));
        assert!(check(json!({ "title": { "size": { "eq": 11 } } }), item));
    }
}
