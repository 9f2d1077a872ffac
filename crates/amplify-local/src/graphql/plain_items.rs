//! A connection's `items` answered in one pass when every field selected on them is a stored scalar or enum
//! field, or `__typename`: what the model client's selection sets ask for.
//!
//! async-graphql resolves each field of each item through its own machinery (a boxed future, a context and a
//! path, an argument map, an extension hook, a lookup of the type and the field by name, a clone of the value),
//! which was most of a 1,000-item list's time. Here an extension ([`PlainItems`]) sees the `items` field before
//! it runs; when its selection is plain, it builds the list from the page its connection stashed for the request
//! ([`connection`]) and answers at once. Nothing about access is decided here: the page's items were read and
//! checked against the auth rules by the list that made it ([`super::ops`]), and the query was validated by
//! async-graphql before execution.
//!
//! Anything else goes the general way: fragments, directives, arguments, relationships, custom types, and any
//! item the general way would answer with an error (a required field missing, a value its scalar refuses). The
//! answers are the same byte for byte (`plain_items_tests` runs both ways on the same queries).

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::dynamic::{FieldValue, ResolverContext};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection};
use async_graphql::{Name, ServerResult, Value as GqlValue};
use serde_json::Value;

use super::fields::to_gql;
use super::model::{AWS_SCALARS, Catalog, FieldType, ModelDef};
use super::ops::{Item, Page};
use super::schema::valid_scalar;

/// The pages of the connections one request resolved, by the connection's path (`listTodos`, `a`,
/// `listPosts.items.3.comments`). Added to each HTTP request's data; without it every list goes the general way.
#[derive(Default)]
pub(super) struct StashedPages {
    pages: Mutex<HashMap<String, Arc<Page>>>,
    /// How many `items` fields were answered here (for the tests to tell which way answered).
    served: AtomicUsize,
}

impl StashedPages {
    /// How many `items` fields were answered in one pass.
    #[cfg(test)]
    pub(super) fn served(&self) -> usize {
        self.served.load(Ordering::Relaxed)
    }

    fn put(&self, path: String, page: Arc<Page>) {
        self.pages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(path, page);
    }

    fn get(&self, path: &str) -> Option<Arc<Page>> {
        self.pages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(path)
            .cloned()
    }
}

/// The value of a connection field: its page, also stashed for [`PlainItems`] when the request has a stash.
pub(super) fn connection<'a>(ctx: &ResolverContext<'_>, page: Page) -> FieldValue<'a> {
    let page = Arc::new(page);
    if let Some(stash) = ctx.data_opt::<Arc<StashedPages>>()
        && let Some(path) = &ctx.path_node
    {
        stash.put(path.to_string(), Arc::clone(&page));
    }
    FieldValue::owned_any(page)
}

/// How a stored field's value is checked and written, as the general way does it.
#[derive(Debug)]
enum Kind {
    /// `ID`, `String`, `Int`, `Float`, `Boolean`: async-graphql's built-in scalars take any value.
    BuiltIn,
    /// An AWS scalar, checked by its validator ([`valid_scalar`]).
    Aws(&'static str),
    /// `AWSJSON`: a stored value that is not a string is written as its JSON text, then checked.
    Json,
    /// An enum: the value must be one of its names.
    Enum(Arc<BTreeSet<String>>),
}

#[derive(Debug)]
struct StoredField {
    name: String,
    kind: Kind,
    is_array: bool,
    required: bool,
}

/// The stored scalar and enum fields of one model: all a plain selection may ask for.
#[derive(Debug)]
struct ModelFields {
    typename: GqlValue,
    fields: HashMap<String, StoredField>,
}

/// The extension. Built once for the schema, with every model's stored fields.
pub(super) struct PlainItems {
    /// By connection type name (`ModelTodoConnection`).
    models: Arc<HashMap<String, ModelFields>>,
}

impl PlainItems {
    pub(super) fn new(catalog: &Catalog) -> Self {
        let enums: HashMap<&String, Arc<BTreeSet<String>>> = catalog
            .enums
            .iter()
            .map(|(name, values)| (name, Arc::new(values.iter().cloned().collect())))
            .collect();
        let models = catalog
            .models
            .iter()
            .map(|model| {
                (
                    format!("Model{}Connection", model.name),
                    model_fields(model, &enums),
                )
            })
            .collect();
        Self {
            models: Arc::new(models),
        }
    }
}

fn model_fields(model: &ModelDef, enums: &HashMap<&String, Arc<BTreeSet<String>>>) -> ModelFields {
    let keys = model.key_fields();
    let fields = model
        .fields
        .iter()
        // A field with its own rules goes the general way, which checks them for each item.
        .filter(|field| field.is_stored() && field.rules.is_empty())
        .filter_map(|field| {
            let kind = match &field.ty {
                FieldType::Scalar(name) if name == "AWSJSON" => Kind::Json,
                FieldType::Scalar(name) => {
                    match AWS_SCALARS.iter().find(|aws| **aws == name.as_str()) {
                        Some(aws) => Kind::Aws(aws),
                        None => Kind::BuiltIn,
                    }
                }
                FieldType::Enum(name) => Kind::Enum(Arc::clone(enums.get(name)?)),
                FieldType::NonModel(_) | FieldType::Model(_) => return None,
            };
            let required = field.is_required || keys.contains(&field.name.as_str());
            Some((
                field.name.clone(),
                StoredField {
                    name: field.name.clone(),
                    kind,
                    is_array: field.is_array,
                    required,
                },
            ))
        })
        .collect();
    ModelFields {
        typename: GqlValue::String(model.name.clone()),
        fields,
    }
}

impl ExtensionFactory for PlainItems {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PlainItemsExtension {
            models: Arc::clone(&self.models),
        })
    }
}

struct PlainItemsExtension {
    models: Arc<HashMap<String, ModelFields>>,
}

#[async_trait::async_trait]
impl Extension for PlainItemsExtension {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<GqlValue>> {
        if info.name == "items"
            && let Some(model) = self.models.get(info.parent_type)
            && let Some(stash) = ctx.data_opt::<Arc<StashedPages>>()
            && let Some(connection_path) = info.path_node.parent
            && let Some(page) = stash.get(&connection_path.to_string())
            && let Some(items) = plain_items(model, info.field, &page)
        {
            stash.served.fetch_add(1, Ordering::Relaxed);
            return Ok(Some(items));
        }
        next.run(ctx, info).await
    }
}

/// The selected fields of a plain selection, by response key, in order; `None` if the selection is not plain.
fn plain_selection<'f>(
    model: &'f ModelFields,
    field: &'f Field,
) -> Option<Vec<(&'f Name, Option<&'f StoredField>)>> {
    let mut selected = Vec::with_capacity(field.selection_set.node.items.len());
    for selection in &field.selection_set.node.items {
        let Selection::Field(sub) = &selection.node else {
            return None;
        };
        let sub = &sub.node;
        if !sub.arguments.is_empty()
            || !sub.directives.is_empty()
            || !sub.selection_set.node.items.is_empty()
        {
            return None;
        }
        let key = &sub.response_key().node;
        // A key selected twice names the same field (validation saw to that): the first one stands.
        if selected.iter().any(|(seen, _)| *seen == key) {
            continue;
        }
        let name = sub.name.node.as_str();
        if name == "__typename" {
            selected.push((key, None));
        } else {
            selected.push((key, Some(model.fields.get(name)?)));
        }
    }
    Some(selected)
}

/// The `items` of `page` for a plain selection, or `None` when the general way must answer.
fn plain_items(model: &ModelFields, field: &Field, page: &Page) -> Option<GqlValue> {
    if !field.directives.is_empty() {
        return None;
    }
    let selected = plain_selection(model, field)?;
    let mut items = Vec::with_capacity(page.items.len());
    for item in &page.items {
        let mut object = IndexMap::with_capacity(selected.len());
        for (key, stored) in &selected {
            let value = match stored {
                None => model.typename.clone(),
                Some(stored) => stored_value(stored, item)?,
            };
            object.insert((*key).clone(), value);
        }
        items.push(GqlValue::Object(object));
    }
    Some(GqlValue::List(items))
}

/// A stored field's value as the general way writes it, or `None` where the general way reports an error.
fn stored_value(stored: &StoredField, item: &Item) -> Option<GqlValue> {
    let value = match item.get(&stored.name) {
        None | Some(Value::Null) => return (!stored.required).then_some(GqlValue::Null),
        Some(value) => value,
    };
    if !stored.is_array {
        return scalar(&stored.kind, value);
    }
    // The general way writes a whole `[AWSJSON]` value as one JSON text, which is then not a list: an error.
    let (Value::Array(values), false) = (value, matches!(stored.kind, Kind::Json)) else {
        return None;
    };
    values
        .iter()
        .map(|value| scalar(&stored.kind, value))
        .collect::<Option<Vec<_>>>()
        .map(GqlValue::List)
}

/// One (list element or field) value, checked as the schema's type checks it.
fn scalar(kind: &Kind, value: &Value) -> Option<GqlValue> {
    match kind {
        Kind::BuiltIn => Some(to_gql(value)),
        Kind::Aws(name) => {
            let value = to_gql(value);
            valid_scalar(name, &value).then_some(value)
        }
        Kind::Json => {
            let value = match value {
                Value::String(text) => GqlValue::String(text.clone()),
                other => GqlValue::String(other.to_string()),
            };
            valid_scalar("AWSJSON", &value).then_some(value)
        }
        Kind::Enum(names) => match value {
            Value::String(name) if names.contains(name) => Some(GqlValue::Enum(Name::new(name))),
            _ => None,
        },
    }
}
