//! Relationship loaders: the lazy `todo.comments()` / `comment.post()` of the JS client. A `hasMany` field
//! loads the related items page by page (`list` of the related model filtered by the foreign key); a
//! `belongsTo` field, and a `hasOne` field whose foreign key is on this item, load the related item with `get`;
//! a `hasOne` whose foreign key is on the related item loads the first item that points back here. Each call is
//! an ordinary model operation of the related model, so its auth rules apply to it as to any other read.
//!
//! A custom selection set (`["id", "comments.*"]`) still fetches related items in the same request.

use futures_util::Stream;
use serde_json::{Map, Value};

use super::error::DataError;
use super::introspection::{FieldType, Model};
use super::model::{ListOptions, ModelClient, ModelListResult, ModelOptions, ModelResult};
use crate::context::ServerContext;

/// How a relationship is read.
enum Plan {
    /// `get` of the related model with these key arguments.
    Get(Value),
    /// `list` of the related model with this filter (the foreign key fields equal to this item's key).
    Filter(Value),
}

impl ModelClient {
    /// One page of the `hasMany` field `field` of `item` (an item of this model, as a model operation returned
    /// it): the related items whose foreign key names `item`. `options` carries the page size, `next_token`,
    /// an extra `filter` (combined with `and`), auth and selection set, as for [`list`](Self::list).
    ///
    /// # Errors
    ///
    /// [`DataError::NotARelationship`] when `field` is not a `hasMany` field or `item` lacks a key value;
    /// otherwise as [`list`](Self::list) (AppSync's errors are in the result).
    pub async fn load_many(
        &self,
        ctx: &ServerContext,
        item: &Value,
        field: &str,
        options: ListOptions,
    ) -> Result<ModelListResult, DataError> {
        let (related, filter) = self.has_many_filter(item, field)?;
        let options = with_filter(options, filter);
        related.list(ctx, options).await
    }

    /// Every page of a `hasMany` field, one stream item per page (as [`list_pages`](Self::list_pages)).
    ///
    /// # Errors
    ///
    /// The stream's first item is the [`DataError::NotARelationship`] of a bad field or item.
    pub fn load_many_pages<'a>(
        &'a self,
        ctx: &'a ServerContext,
        item: &Value,
        field: &str,
        options: ListOptions,
    ) -> impl Stream<Item = Result<ModelListResult, DataError>> + 'a {
        use futures_util::StreamExt as _;
        match self.has_many_filter(item, field) {
            Ok((related, filter)) => {
                super::model::pages(with_filter(options, filter), move |options| {
                    let related = related.clone();
                    async move { related.list(ctx, options).await }
                })
                .left_stream()
            }
            Err(error) => futures_util::stream::once(async move { Err(error) }).right_stream(),
        }
    }

    /// The `belongsTo` or `hasOne` field `field` of `item`: the related item, or `None` when there is none (or
    /// the foreign key is empty).
    ///
    /// # Errors
    ///
    /// [`DataError::NotARelationship`] when `field` is not such a field or `item` lacks its foreign key (left out of the selection); otherwise as [`get`](Self::get).
    pub async fn load_one(
        &self,
        ctx: &ServerContext,
        item: &Value,
        field: &str,
        options: ModelOptions,
    ) -> Result<ModelResult<Option<Value>>, DataError> {
        let expected = "hasOne or belongsTo";
        let (related, plan) = self.relation(item, field, expected)?;
        match plan {
            None => Ok(ModelResult {
                data: None,
                errors: Vec::new(),
                extensions: None,
            }),
            Some(Plan::Get(key)) => related.get(ctx, key, options).await,
            Some(Plan::Filter(filter)) => {
                let mut list = ListOptions::new().filter(filter);
                list.auth_mode = options.auth_mode;
                list.selection_set = options.selection_set;
                list.headers = options.headers;
                list.api_key = options.api_key;
                list.auth_token = options.auth_token;
                // The filter applies after each page's limit: look on until a match or the last page.
                loop {
                    let page = related.list(ctx, list.clone()).await?;
                    if !page.errors.is_empty() || !page.data.is_empty() || page.next_token.is_none()
                    {
                        return Ok(ModelResult {
                            data: page.data.into_iter().next(),
                            errors: page.errors,
                            extensions: page.extensions,
                        });
                    }
                    list.next_token = page.next_token;
                }
            }
        }
    }

    fn has_many_filter(
        &self,
        item: &Value,
        field: &str,
    ) -> Result<(ModelClient, Value), DataError> {
        match self.relation(item, field, "hasMany")? {
            (related, Some(Plan::Filter(filter))) => Ok((related, filter)),
            _ => Err(self.not_a_relationship(
                field,
                "hasMany",
                "it has no foreign key on the related model",
            )),
        }
    }

    fn not_a_relationship(&self, field: &str, expected: &'static str, problem: &str) -> DataError {
        DataError::NotARelationship {
            model: self.name().to_owned(),
            field: field.to_owned(),
            expected,
            problem: problem.to_owned(),
        }
    }

    /// The related model's client and how to read `field` of `item` (`None`: an empty foreign key, no item).
    fn relation(
        &self,
        item: &Value,
        field: &str,
        expected: &'static str,
    ) -> Result<(ModelClient, Option<Plan>), DataError> {
        let fail = |problem: String| self.not_a_relationship(field, expected, &problem);
        let model = self.definition();
        let definition = model
            .field(field)
            .ok_or_else(|| fail(format!("{} has no field `{field}`", model.name)))?;
        let (FieldType::Model(related_name), Some(association)) =
            (&definition.field_type, &definition.association)
        else {
            return Err(fail("it is not a relationship field".to_owned()));
        };
        let related = self
            .data_client()
            .model(related_name)
            .ok_or_else(|| DataError::UnknownModel(related_name.clone()))?;
        let related_model = related.definition();
        let item = item
            .as_object()
            .ok_or_else(|| DataError::InvalidInput("the item must be a JSON object".to_owned()))?;
        let kind = association.connection_type.as_str();
        let plan = match (kind, expected) {
            ("HAS_MANY", "hasMany") => {
                let foreign = foreign_fields(related_model, &association.associated_with);
                Some(Plan::Filter(
                    points_back(model, &foreign, item).map_err(fail)?,
                ))
            }
            ("BELONGS_TO", "hasOne or belongsTo") => {
                get_by_targets(related_model, &association.target_names, item).map_err(fail)?
            }
            ("HAS_ONE", "hasOne or belongsTo") => {
                let foreign = foreign_fields(related_model, &association.associated_with);
                let foreign_on_related = !foreign.is_empty()
                    && foreign.iter().all(|f| {
                        related_model
                            .field(f)
                            .is_some_and(|f| !matches!(f.field_type, FieldType::Model(_)))
                    });
                if foreign_on_related {
                    Some(Plan::Filter(
                        points_back(model, &foreign, item).map_err(fail)?,
                    ))
                } else {
                    get_by_targets(related_model, &association.target_names, item).map_err(fail)?
                }
            }
            (other, _) => {
                return Err(fail(format!("it is a {other} relationship")));
            }
        };
        Ok((related, plan))
    }
}

/// The related model's foreign-key fields: `associatedWith` names them (Gen 2), or names the related model's
/// `belongsTo` field, whose `targetNames` they are.
fn foreign_fields(related: &Model, associated_with: &[String]) -> Vec<String> {
    associated_with
        .iter()
        .flat_map(|name| match related.field(name) {
            Some(field) if matches!(field.field_type, FieldType::Model(_)) => field
                .association
                .as_ref()
                .map(|a| a.target_names.clone())
                .unwrap_or_default(),
            _ => vec![name.clone()],
        })
        .collect()
}

/// `{"and": [{fk1: {eq: pk}}, {fk2: {eq: sk1}}, …]}` (a single condition without `and`): the related items whose
/// foreign key is this item's primary key.
fn points_back(
    model: &Model,
    foreign: &[String],
    item: &Map<String, Value>,
) -> Result<Value, String> {
    let keys = model.key_fields();
    if foreign.is_empty() || foreign.len() > keys.len() {
        return Err(format!(
            "its foreign key ({}) does not match the key of {} ({})",
            foreign.join(", "),
            model.name,
            keys.join(", ")
        ));
    }
    let mut conditions = Vec::new();
    for (fk, key) in foreign.iter().zip(keys) {
        let value = item
            .get(key)
            .filter(|v| !v.is_null())
            .ok_or_else(|| format!("the item has no `{key}` (select it to load relationships)"))?;
        let mut condition = Map::new();
        condition.insert(fk.clone(), serde_json::json!({ "eq": value }));
        conditions.push(Value::Object(condition));
    }
    Ok(if conditions.len() == 1 {
        conditions.remove(0)
    } else {
        serde_json::json!({ "and": conditions })
    })
}

/// `get` of the related item named by this item's `targetNames` (the related primary key, then its sort keys);
/// `None` when the foreign key is empty (null); an error when the item lacks it.
fn get_by_targets(
    related: &Model,
    target_names: &[String],
    item: &Map<String, Value>,
) -> Result<Option<Plan>, String> {
    let keys = related.key_fields();
    if target_names.is_empty() || target_names.len() != keys.len() {
        return Err(format!(
            "its target fields ({}) do not match the key of {} ({})",
            target_names.join(", "),
            related.name,
            keys.join(", ")
        ));
    }
    let mut key = Map::new();
    for (target, related_key) in target_names.iter().zip(keys) {
        match item.get(target) {
            // An empty foreign key: no related item. An absent one: the selection left it out, which can't tell.
            Some(Value::Null) => return Ok(None),
            None => {
                return Err(format!(
                    "the item has no `{target}` (select it to load relationships)"
                ));
            }
            Some(value) => {
                key.insert(related_key.to_owned(), value.clone());
            }
        }
    }
    Ok(Some(Plan::Get(Value::Object(key))))
}

/// Adds the relationship's filter to the caller's own (both must hold).
fn with_filter(mut options: ListOptions, filter: Value) -> ListOptions {
    options.filter = Some(match options.filter.take() {
        Some(own) => serde_json::json!({ "and": [filter, own] }),
        None => filter,
    });
    options
}
