//! The fields whose value is already in their parent: the stored fields of an item (or of a custom-type
//! value), and a connection's `items` and `nextToken`.
//!
//! They resolve at once, without a future, and borrow from the parent instead of copying it: a 1,000-item
//! list has thousands of such fields, and a future, a clone of the resolver's captures and a clone of each
//! item per field were most of its cost. The items themselves were read, checked against the auth rules and
//! filtered by the list that made the page ([`super::ops`]); nothing here decides access.

use std::sync::Arc;

use async_graphql::dynamic::{Field, FieldFuture, FieldValue, ResolverContext, TypeRef};
use async_graphql::{Name, Value as GqlValue};
use serde_json::Value;

use super::model::{FieldDef, FieldType};
use super::ops::{Item, Page};

/// A resolver's answer from a value it has, or the error of a parent that is not what the schema expects.
fn ready(value: async_graphql::Result<Option<FieldValue<'_>>>) -> FieldFuture<'_> {
    match value {
        Ok(value) => FieldFuture::Value(value),
        // Reported as the field's error, with its position, as a failed future would be.
        Err(error) => FieldFuture::new(async move { Err::<Option<FieldValue<'_>>, _>(error) }),
    }
}

/// A JSON value as a GraphQL value, without copying it first.
pub(super) fn to_gql(value: &Value) -> GqlValue {
    match value {
        Value::Null => GqlValue::Null,
        Value::Bool(b) => GqlValue::Boolean(*b),
        Value::Number(n) => GqlValue::Number(n.clone()),
        Value::String(s) => GqlValue::String(s.clone()),
        Value::Array(values) => GqlValue::List(values.iter().map(to_gql).collect()),
        Value::Object(object) => GqlValue::Object(
            object
                .iter()
                .map(|(k, v)| (Name::new(k), to_gql(v)))
                .collect(),
        ),
    }
}

/// The value of a stored field of `parent`: custom-type values are borrowed for their own fields to read.
pub(super) fn stored_value<'a>(
    parent: &'a Item,
    name: &str,
    kind: &FieldType,
    is_array: bool,
) -> Option<FieldValue<'a>> {
    let value = match parent.get(name) {
        None | Some(Value::Null) => return None,
        Some(value) => value,
    };
    Some(match (kind, value) {
        (FieldType::NonModel(_), Value::Array(values)) if is_array => {
            FieldValue::list(values.iter().map(|v| match v.as_object() {
                Some(object) => FieldValue::borrowed_any(object),
                None => FieldValue::owned_any(Item::new()),
            }))
        }
        (FieldType::NonModel(_), Value::Object(object)) => FieldValue::borrowed_any(object),
        (FieldType::Scalar(s), value) if s == "AWSJSON" && !value.is_string() => {
            FieldValue::value(GqlValue::String(value.to_string()))
        }
        (_, value) => FieldValue::value(to_gql(value)),
    })
}

/// Resolves a stored (scalar, enum or custom-type) field of a parent item.
pub(super) fn stored_field(def: &FieldDef, ty: TypeRef) -> Field {
    let name = def.name.clone();
    let kind = def.ty.clone();
    let is_array = def.is_array;
    Field::new(def.name.clone(), ty, move |ctx: ResolverContext<'_>| {
        let parent = ctx.parent_value;
        ready(
            parent
                .try_downcast_ref::<Item>()
                .map(|item| stored_value(item, &name, &kind, is_array)),
        )
    })
}

/// `items` of a `Model…Connection`: the page's items, borrowed.
pub(super) fn connection_items(model: &str) -> Field {
    Field::new(
        "items",
        TypeRef::named_list_nn(model.to_owned()),
        |ctx: ResolverContext<'_>| {
            let parent = ctx.parent_value;
            ready(parent.try_downcast_ref::<Arc<Page>>().map(|page| {
                Some(FieldValue::list(
                    page.items
                        .iter()
                        .map(|item| FieldValue::borrowed_any(&**item)),
                ))
            }))
        },
    )
}

/// `nextToken` of a `Model…Connection`.
pub(super) fn connection_next_token() -> Field {
    Field::new(
        "nextToken",
        TypeRef::named(TypeRef::STRING),
        |ctx: ResolverContext<'_>| {
            let parent = ctx.parent_value;
            ready(
                parent
                    .try_downcast_ref::<Arc<Page>>()
                    .map(|page| page.next_token.clone().map(FieldValue::value)),
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn json_converts_as_from_json_does() {
        let value = json!({
            "s": "text", "n": 5, "f": 1.5, "neg": -3, "b": true, "null": null,
            "list": [1, "two", {"three": [3]}], "nested": {"a": {"b": "c"}},
        });
        assert_eq!(
            to_gql(&value),
            GqlValue::from_json(value.clone()).expect("converts")
        );
    }
}
