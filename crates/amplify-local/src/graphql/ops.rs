//! The model operations (get, list, query, create, update, delete) over
//! items kept as JSON in SQLite (`graphql_items`, one row per item), with
//! the auth rules applied to every item read or written.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value};

use super::auth::{Caller, Grant, grant};
use super::filter::{compare_tuples, field_matches, matches};
use super::model::{Catalog, ModelDef};
use crate::LocalError;
use crate::db::Store;

/// A stored item.
pub(crate) type Item = Map<String, Value>;

/// AppSync's default page size.
const DEFAULT_LIMIT: usize = 100;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS graphql_items (
    seq   INTEGER PRIMARY KEY AUTOINCREMENT,
    model TEXT NOT NULL,
    key   TEXT NOT NULL,
    item  TEXT NOT NULL,
    UNIQUE (model, key)
);
";

/// An error of one field, in AppSync's terms.
#[derive(Debug, Clone)]
pub(crate) struct OpError {
    pub(crate) error_type: String,
    pub(crate) message: String,
}

impl OpError {
    /// `Not Authorized to access <field> on type <parent>`.
    pub(crate) fn unauthorized(field: &str, parent: &str) -> Self {
        Self {
            error_type: "Unauthorized".to_owned(),
            message: format!("Not Authorized to access {field} on type {parent}"),
        }
    }

    fn conditional() -> Self {
        Self {
            error_type: "DynamoDB:ConditionalCheckFailedException".to_owned(),
            message: "The conditional request failed".to_owned(),
        }
    }

    /// An invalid argument.
    pub(crate) fn validation(message: impl Into<String>) -> Self {
        Self {
            error_type: "ValidationError".to_owned(),
            message: message.into(),
        }
    }

    fn internal(error: &dyn std::fmt::Display) -> Self {
        tracing::error!(%error, "GraphQL data operation failed");
        Self {
            error_type: "InternalFailure".to_owned(),
            message: "An internal failure occurred.".to_owned(),
        }
    }
}

impl From<rusqlite::Error> for OpError {
    fn from(error: rusqlite::Error) -> Self {
        Self::internal(&error)
    }
}

/// Where an operation's field sits, for error messages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Site<'a> {
    pub(crate) field: &'a str,
    pub(crate) parent: &'a str,
}

impl Site<'_> {
    fn unauthorized(&self) -> OpError {
        OpError::unauthorized(self.field, self.parent)
    }
}

/// A list or query request.
#[derive(Debug, Clone, Default)]
pub(crate) struct ListQuery {
    /// Fields that must equal these values (partition key, foreign keys).
    pub(crate) equal: Vec<(String, Value)>,
    /// A sort-key condition (`{eq, beginsWith, between, …}`).
    pub(crate) key_condition: Option<(String, Map<String, Value>)>,
    /// A composite sort-key condition (several sort keys compared as one
    /// `a#b` string, as AppSync stores them).
    pub(crate) composite_condition: Option<(Vec<String>, Map<String, Value>)>,
    /// Fields to order by before insertion order.
    pub(crate) sort_by: Vec<String>,
    pub(crate) descending: bool,
    pub(crate) filter: Option<Item>,
    pub(crate) limit: Option<usize>,
    pub(crate) next_token: Option<String>,
}

/// One page of items.
#[derive(Debug, Clone, Default)]
pub(crate) struct Page {
    pub(crate) items: Vec<Item>,
    pub(crate) next_token: Option<String>,
}

/// The models and their items.
#[derive(Debug)]
pub(crate) struct Backend {
    pub(crate) catalog: Catalog,
    items: Store,
}

/// `AWSDateTime` now, with milliseconds (`2024-01-01T00:00:00.000Z`).
pub(crate) fn now_datetime() -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_owned())
}

impl Backend {
    /// Opens the item table in the data directory's database.
    pub(crate) fn open(data_dir: &Path, catalog: Catalog) -> Result<Self, LocalError> {
        let items = Store::open(data_dir)?;
        items.conn().execute_batch(SCHEMA)?;
        Ok(Self { catalog, items })
    }

    /// A model by name (the schema only names existing ones).
    pub(crate) fn model(&self, name: &str) -> Result<&ModelDef, OpError> {
        self.catalog
            .model(name)
            .ok_or_else(|| OpError::validation(format!("unknown model {name}")))
    }

    /// The stored key of an item: its key field values as a JSON array.
    fn key_of(model: &ModelDef, item: &Item) -> Result<String, OpError> {
        let mut values = Vec::new();
        for field in model.key_fields() {
            match item.get(field) {
                Some(value) if !value.is_null() => values.push(value.clone()),
                _ => {
                    return Err(OpError::validation(format!(
                        "The key field {field} of {} is missing",
                        model.name
                    )));
                }
            }
        }
        Ok(Value::Array(values).to_string())
    }

    fn load(&self, model: &str, key: &str) -> Result<Option<Item>, OpError> {
        let text: Option<String> = self
            .items
            .conn()
            .query_row(
                "SELECT item FROM graphql_items WHERE model = ?1 AND key = ?2",
                params![model, key],
                |row| row.get(0),
            )
            .optional()?;
        text.map(|t| decode(&t)).transpose()
    }

    fn all(&self, model: &str) -> Result<Vec<(i64, Item)>, OpError> {
        let conn = self.items.conn();
        let mut statement =
            conn.prepare("SELECT seq, item FROM graphql_items WHERE model = ?1 ORDER BY seq")?;
        let rows = statement
            .query_map([model], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(seq, text)| Ok((seq, decode(&text)?)))
            .collect()
    }

    /// `get<M>`: the item with this key, if the caller may read it.
    pub(crate) fn get(
        &self,
        model: &ModelDef,
        caller: &Caller,
        key: &Item,
        site: Site<'_>,
    ) -> Result<Option<Item>, OpError> {
        let grant = grant(model, caller, "get");
        if matches!(grant, Grant::Denied) {
            return Err(site.unauthorized());
        }
        let Some(item) = self.load(&model.name, &Self::key_of(model, key)?)? else {
            return Ok(None);
        };
        if grant.allows(&item) {
            Ok(Some(item))
        } else {
            Err(site.unauthorized())
        }
    }

    /// `list<Plural>` / index queries / hasMany: matching items the caller
    /// may read, one page at a time.
    pub(crate) fn list(
        &self,
        model: &ModelDef,
        caller: &Caller,
        query: &ListQuery,
        site: Site<'_>,
    ) -> Result<Page, OpError> {
        let grant = grant(model, caller, "list");
        if matches!(grant, Grant::Denied) {
            return Err(site.unauthorized());
        }
        let after = match &query.next_token {
            Some(token) => Some(decode_token(token)?),
            None => None,
        };
        let mut rows: Vec<(Vec<Value>, Item)> = self
            .all(&model.name)?
            .into_iter()
            .filter(|(_, item)| {
                query
                    .equal
                    .iter()
                    .all(|(field, value)| item.get(field) == Some(value))
                    && query
                        .key_condition
                        .as_ref()
                        .is_none_or(|(field, condition)| field_matches(item.get(field), condition))
                    && query
                        .composite_condition
                        .as_ref()
                        .is_none_or(|(fields, condition)| {
                            composite_matches(item, fields, condition)
                        })
                    && grant.allows(item)
                    && query.filter.as_ref().is_none_or(|f| matches(f, item))
            })
            .map(|(seq, item)| {
                let mut order: Vec<Value> = query
                    .sort_by
                    .iter()
                    .map(|f| item.get(f).cloned().unwrap_or(Value::Null))
                    .collect();
                order.push(Value::from(seq));
                (order, item)
            })
            .collect();
        rows.sort_by(|a, b| compare_tuples(&a.0, &b.0));
        if query.descending {
            rows.reverse();
        }
        if let Some(after) = after {
            rows.retain(|(order, _)| {
                let ordering = compare_tuples(order, &after);
                if query.descending {
                    ordering.is_lt()
                } else {
                    ordering.is_gt()
                }
            });
        }
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT).max(1);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_token = if more {
            rows.last().map(|(order, _)| encode_token(order))
        } else {
            None
        };
        Ok(Page {
            items: rows.into_iter().map(|(_, item)| item).collect(),
            next_token,
        })
    }

    /// `create<M>`: fills `id`, timestamps and owner fields, then stores.
    pub(crate) fn create(
        &self,
        model: &ModelDef,
        caller: &Caller,
        input: Item,
        condition: Option<&Item>,
        site: Site<'_>,
    ) -> Result<Item, OpError> {
        let grant = grant(model, caller, "create");
        if matches!(grant, Grant::Denied) {
            return Err(site.unauthorized());
        }
        let mut item = Item::new();
        for (name, value) in input {
            if model.field(&name).is_some_and(|f| f.is_stored()) && !value.is_null() {
                item.insert(name, value);
            }
        }
        if model.primary_key == "id" && !item.contains_key("id") {
            item.insert("id".to_owned(), Value::String(crate::ids::uuid()));
        }
        let now = now_datetime();
        for stamp in ["createdAt", "updatedAt"] {
            item.entry(stamp)
                .or_insert_with(|| Value::String(now.clone()));
        }
        if let Grant::Owned(checks) = &grant {
            for check in checks {
                if let Some(write) = &check.write {
                    item.entry(check.field.clone())
                        .or_insert_with(|| Value::String(write.clone()));
                }
            }
        }
        if !grant.allows(&item) {
            return Err(site.unauthorized());
        }
        if condition.is_some_and(|c| !matches(c, &Item::new())) {
            return Err(OpError::conditional());
        }
        let key = Self::key_of(model, &item)?;
        let inserted = self.items.conn().execute(
            "INSERT OR IGNORE INTO graphql_items (model, key, item) VALUES (?1, ?2, ?3)",
            params![model.name, key, Value::Object(item.clone()).to_string()],
        )?;
        if inserted == 0 {
            return Err(OpError::conditional());
        }
        Ok(item)
    }

    /// Loads the item an update or delete names and checks it may be
    /// changed.
    fn existing(
        &self,
        model: &ModelDef,
        caller: &Caller,
        operation: &str,
        input: &Item,
        condition: Option<&Item>,
        site: Site<'_>,
    ) -> Result<(String, Item, Grant), OpError> {
        let grant = grant(model, caller, operation);
        if matches!(grant, Grant::Denied) {
            return Err(site.unauthorized());
        }
        let key = Self::key_of(model, input)?;
        let item = self
            .load(&model.name, &key)?
            .ok_or_else(OpError::conditional)?;
        if !grant.allows(&item) {
            return Err(site.unauthorized());
        }
        if condition.is_some_and(|c| !matches(c, &item)) {
            return Err(OpError::conditional());
        }
        Ok((key, item, grant))
    }

    /// `update<M>`: merges the input (null removes a field).
    pub(crate) fn update(
        &self,
        model: &ModelDef,
        caller: &Caller,
        input: Item,
        condition: Option<&Item>,
        site: Site<'_>,
    ) -> Result<Item, OpError> {
        let (key, mut item, grant) =
            self.existing(model, caller, "update", &input, condition, site)?;
        let keys = model.key_fields();
        for (name, value) in input {
            let Some(field) = model.field(&name) else {
                continue;
            };
            if !field.is_stored() || keys.contains(&name.as_str()) {
                continue;
            }
            if value.is_null() {
                item.remove(&name);
            } else {
                item.insert(name, value);
            }
        }
        item.insert("updatedAt".to_owned(), Value::String(now_datetime()));
        if !grant.allows(&item) {
            return Err(site.unauthorized());
        }
        self.items.conn().execute(
            "UPDATE graphql_items SET item = ?3 WHERE model = ?1 AND key = ?2",
            params![model.name, key, Value::Object(item.clone()).to_string()],
        )?;
        Ok(item)
    }

    /// `delete<M>`: removes the item and returns it.
    pub(crate) fn delete(
        &self,
        model: &ModelDef,
        caller: &Caller,
        input: &Item,
        condition: Option<&Item>,
        site: Site<'_>,
    ) -> Result<Item, OpError> {
        let (key, item, _) = self.existing(model, caller, "delete", input, condition, site)?;
        self.items.conn().execute(
            "DELETE FROM graphql_items WHERE model = ?1 AND key = ?2",
            params![model.name, key],
        )?;
        Ok(item)
    }

    /// Stores an item as is (seed data), unless one with its key exists.
    pub(crate) fn put_seed(&self, model: &str, mut item: Item) -> Result<(), LocalError> {
        let Some(def) = self.catalog.model(model) else {
            return Ok(());
        };
        let now = now_datetime();
        for stamp in ["createdAt", "updatedAt"] {
            item.entry(stamp)
                .or_insert_with(|| Value::String(now.clone()));
        }
        let key = Self::key_of(def, &item).map_err(|e| LocalError::InvalidSchema(e.message))?;
        self.items.conn().execute(
            "INSERT OR IGNORE INTO graphql_items (model, key, item) VALUES (?1, ?2, ?3)",
            params![model, key, Value::Object(item).to_string()],
        )?;
        Ok(())
    }

    /// How many items a model has (all owners).
    pub(crate) fn count(&self, model: &str) -> Result<u64, LocalError> {
        Ok(self.items.conn().query_row(
            "SELECT COUNT(*) FROM graphql_items WHERE model = ?1",
            [model],
            |row| row.get(0),
        )?)
    }
}

fn key_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The leading sort-key values given, joined with `#`.
fn composite_prefix(values: &Value, fields: &[String]) -> Option<String> {
    let values = values.as_object()?;
    let parts: Vec<String> = fields
        .iter()
        .map_while(|f| values.get(f).filter(|v| !v.is_null()).map(key_text))
        .collect();
    (!parts.is_empty()).then(|| parts.join("#"))
}

/// Whether an item's composite sort key satisfies a condition.
fn composite_matches(item: &Item, fields: &[String], condition: &Map<String, Value>) -> bool {
    let Some(parts) = fields
        .iter()
        .map(|f| item.get(f).filter(|v| !v.is_null()).map(key_text))
        .collect::<Option<Vec<_>>>()
    else {
        return false;
    };
    let full = parts.join("#");
    condition.iter().all(|(op, operand)| {
        if operand.is_null() {
            return true;
        }
        if op == "between" {
            let bounds: Vec<Option<String>> = operand
                .as_array()
                .map(|b| b.iter().map(|v| composite_prefix(v, fields)).collect())
                .unwrap_or_default();
            return match bounds.as_slice() {
                [Some(low), Some(high)] => {
                    low.as_str() <= full.as_str() && full.as_str() <= high.as_str()
                }
                _ => false,
            };
        }
        let Some(key) = composite_prefix(operand, fields) else {
            return false;
        };
        match op.as_str() {
            "eq" => full == key,
            "lt" => full < key,
            "le" => full <= key,
            "gt" => full > key,
            "ge" => full >= key,
            "beginsWith" => full.starts_with(&key),
            _ => false,
        }
    })
}

fn decode(text: &str) -> Result<Item, OpError> {
    match serde_json::from_str(text) {
        Ok(Value::Object(item)) => Ok(item),
        Ok(_) => Err(OpError::internal(&"stored item is not an object")),
        Err(error) => Err(OpError::internal(&error)),
    }
}

pub(super) fn encode_token(order: &[Value]) -> String {
    URL_SAFE_NO_PAD.encode(Value::Array(order.to_vec()).to_string())
}

pub(super) fn decode_token(token: &str) -> Result<Vec<Value>, OpError> {
    let invalid = || OpError {
        error_type: "InvalidNextTokenException".to_owned(),
        message: "Invalid pagination token given.".to_owned(),
    };
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Array(order)) if !order.is_empty() => Ok(order),
        _ => Err(invalid()),
    }
}
