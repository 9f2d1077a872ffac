//! The variables of the model operations (reference §8.3), and the flattening of relationship collections in
//! their results.

use serde_json::{Map, Value};

use super::document::sort_key_arg;
use super::error::DataError;
use super::introspection::{FieldType, Introspection, Model};

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>, DataError> {
    value
        .as_object()
        .ok_or_else(|| DataError::InvalidInput(format!("{what} must be a JSON object")))
}

/// A create or update input: related-model objects in `belongsTo` / `hasOne` fields become their foreign keys.
fn normalize_input(
    schema: &Introspection,
    model: &Model,
    input: &Map<String, Value>,
) -> Map<String, Value> {
    let mut normalized = Map::new();
    for (name, value) in input {
        let field = model.field(name);
        let related = match field.map(|f| &f.field_type) {
            Some(FieldType::Model(related)) => schema.model(related),
            _ => None,
        };
        let (Some(field), Some(related)) = (field, related) else {
            normalized.insert(name.clone(), value.clone());
            continue;
        };
        let Some(association) = &field.association else {
            continue;
        };
        match association.connection_type.as_str() {
            "HAS_ONE" => {
                for (target, associated) in association
                    .target_names
                    .iter()
                    .zip(&association.associated_with)
                {
                    if let Some(v) = value.get(associated) {
                        normalized.insert(target.clone(), v.clone());
                    }
                }
            }
            "BELONGS_TO" => {
                let keys = std::iter::once(&related.primary_key.field)
                    .chain(&related.primary_key.sort_keys);
                for (target, key) in association.target_names.iter().zip(keys) {
                    if let Some(v) = value.get(key) {
                        normalized.insert(target.clone(), v.clone());
                    }
                }
            }
            // A hasMany collection cannot be written through the parent.
            _ => {}
        }
    }
    normalized
}

/// `{input}` of a create.
pub(crate) fn create(
    schema: &Introspection,
    model: &Model,
    input: &Value,
) -> Result<Value, DataError> {
    let input = normalize_input(schema, model, object(input, "a create input")?);
    Ok(Value::Object(Map::from_iter([(
        "input".to_owned(),
        Value::Object(input),
    )])))
}

/// `{input}` of an update, without read-only fields and owner fields the model does not declare.
pub(crate) fn update(
    schema: &Introspection,
    model: &Model,
    input: &Value,
) -> Result<Value, DataError> {
    let mut input = normalize_input(schema, model, object(input, "an update input")?);
    input.retain(|name, _| match model.field(name) {
        Some(field) => !field.is_read_only,
        None => !model.owner_fields.iter().any(|owner| owner == name),
    });
    Ok(Value::Object(Map::from_iter([(
        "input".to_owned(),
        Value::Object(input),
    )])))
}

/// The primary-key fields of `key` (partition key, then sort keys), nothing else.
pub(crate) fn key(model: &Model, key: &Value) -> Result<Value, DataError> {
    let key = object(key, "a model key")?;
    let mut out = Map::new();
    for name in std::iter::once(&model.primary_key.field).chain(&model.primary_key.sort_keys) {
        if let Some(value) = key.get(name) {
            out.insert(name.clone(), value.clone());
        }
    }
    Ok(Value::Object(out))
}

/// `{input: {pk, sk…}}` of a delete.
pub(crate) fn delete(model: &Model, key_value: &Value) -> Result<Value, DataError> {
    Ok(Value::Object(Map::from_iter([(
        "input".to_owned(),
        key(model, key_value)?,
    )])))
}

/// The paging and filtering variables of a list or index query, only those present.
#[derive(Debug, Default)]
pub(crate) struct ListArgs<'a> {
    pub(crate) filter: Option<&'a Value>,
    pub(crate) sort_direction: Option<&'static str>,
    pub(crate) limit: Option<u32>,
    pub(crate) next_token: Option<&'a str>,
    pub(crate) key: Option<&'a Value>,
}

fn paging(out: &mut Map<String, Value>, args: &ListArgs<'_>) {
    if let Some(limit) = args.limit {
        out.insert("limit".to_owned(), Value::from(limit));
    }
    if let Some(token) = args.next_token {
        out.insert("nextToken".to_owned(), Value::from(token));
    }
}

/// Variables of a `list<Plural>` query.
pub(crate) fn list(model: &Model, args: &ListArgs<'_>) -> Result<Value, DataError> {
    let mut out = Map::new();
    if let Some(filter) = args.filter {
        out.insert("filter".to_owned(), filter.clone());
    }
    if let Some(direction) = args.sort_direction {
        out.insert("sortDirection".to_owned(), Value::from(direction));
    }
    if let Some(key) = args.key {
        let key = object(key, "a list key")?;
        let primary = &model.primary_key;
        if let Some(pk) = key.get(&primary.field) {
            out.insert(primary.field.clone(), pk.clone());
        }
        if let Some(sk) = sort_key_arg(&primary.sort_keys)
            && let Some(value) = key.get(&sk)
        {
            out.insert(sk, value.clone());
        }
    }
    paging(&mut out, args);
    Ok(Value::Object(out))
}

/// Variables of a secondary-index query: `key` holds the partition key and, optionally, the sort-key condition.
pub(crate) fn index_query(
    model: &Model,
    query_field: &str,
    key: &Value,
    args: &ListArgs<'_>,
) -> Result<Value, DataError> {
    let index = model
        .index(query_field)
        .ok_or_else(|| DataError::UnknownIndex {
            model: model.name.clone(),
            query_field: query_field.to_owned(),
        })?;
    let key = object(key, "the index query arguments")?;
    let mut out = Map::new();
    let pk = key.get(&index.pk).ok_or_else(|| {
        DataError::InvalidInput(format!(
            "{query_field} needs the partition key `{}`",
            index.pk
        ))
    })?;
    out.insert(index.pk.clone(), pk.clone());
    if let Some(sk) = sort_key_arg(&index.sk)
        && let Some(value) = key.get(&sk).filter(|v| !v.is_null())
    {
        out.insert(sk, value.clone());
    }
    if let Some(filter) = args.filter {
        out.insert("filter".to_owned(), filter.clone());
    }
    if let Some(direction) = args.sort_direction {
        out.insert("sortDirection".to_owned(), Value::from(direction));
    }
    paging(&mut out, args);
    Ok(Value::Object(out))
}

/// Replaces relationship collections (`{items: […]}`) with plain arrays, recursively through related models.
pub(crate) fn flatten(schema: &Introspection, model: &Model, mut record: Value) -> Value {
    flatten_in_place(schema, model, &mut record);
    record
}

/// [`flatten`] in place: only the model's relationship fields are visited, so an item without any (most list
/// results) is left as it is instead of being rebuilt.
fn flatten_in_place(schema: &Introspection, model: &Model, record: &mut Value) {
    let Value::Object(record) = record else {
        return;
    };
    for field in &model.fields {
        let FieldType::Model(related) = &field.field_type else {
            continue;
        };
        // As a lookup of the record's key would: the first field of a name decides.
        if !model
            .field(&field.name)
            .is_some_and(|first| std::ptr::eq(first, field))
        {
            continue;
        }
        let (Some(related), Some(value)) = (schema.model(related), record.get_mut(&field.name))
        else {
            continue;
        };
        if field.is_array {
            if let Value::Object(connection) = value
                && let Some(Value::Array(items)) = connection.get_mut("items")
            {
                let mut items = std::mem::take(items);
                for item in &mut items {
                    flatten_in_place(schema, related, item);
                }
                *value = Value::Array(items);
            }
        } else if value.is_object() {
            flatten_in_place(schema, related, value);
        }
    }
}
