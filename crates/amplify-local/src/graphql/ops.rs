//! The model operations (get, list, query, create, update, delete) over
//! items kept as JSON in SQLite (`graphql_items`, one row per item), with
//! the auth rules applied to every item read or written.
//!
//! Lists read through the item index ([`super::item_index`]): a caller
//! whose rules grant only their own items reads only those, and a query by
//! a key reads only that key's items. Every lookup and every item read is
//! charged to the request's [`Budget`], and counted.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{OptionalExtension, StatementStatus, TransactionBehavior, params, params_from_iter};
use serde_json::{Map, Value};

use super::auth::{Caller, Grant, grant};
use super::budget::Budget;
use super::filter::{compare_tuples, field_matches, matches};
use super::item_cache::ItemCache;
use super::item_index::{self, IndexedFields};
use super::model::{Catalog, ModelDef};
use crate::db::Store;
use crate::{Clock, LocalError};

/// A stored item.
pub(crate) type Item = Map<String, Value>;

/// AppSync's default page size.
const DEFAULT_LIMIT: usize = 100;
/// How many data operations run at once.
const WORKERS: usize = 4;

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

    /// The request ran out of time (AppSync's shape).
    pub(crate) fn timed_out() -> Self {
        Self {
            error_type: "ExecutionTimeout".to_owned(),
            message: "Execution timed out.".to_owned(),
        }
    }

    /// The request read as many items as it may.
    pub(crate) fn over_budget(reads: u64) -> Self {
        Self {
            error_type: "ExecutionLimitExceeded".to_owned(),
            message: format!(
                "The request needs more than {reads} item reads. Ask for less in one request (a smaller limit, \
                 fewer aliases or nested lists, a key or a narrower filter), or raise the backend's \
                 graphql_row_budget."
            ),
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

/// One data operation of a request: who asks, for which field, within which budget.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'a> {
    pub(crate) caller: &'a Caller,
    pub(crate) site: Site<'a>,
    pub(crate) budget: &'a Budget,
}

impl Call<'_> {
    /// What the rules grant the caller for `operation`; refused when nothing.
    fn grant(&self, model: &ModelDef, operation: &str) -> Result<Grant, OpError> {
        match grant(model, self.caller, operation) {
            Grant::Denied => Err(self.unauthorized()),
            granted => Ok(granted),
        }
    }

    fn unauthorized(&self) -> OpError {
        OpError::unauthorized(self.site.field, self.site.parent)
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

/// The stored item an update or delete changes, as loaded in its transaction.
struct Existing {
    seq: i64,
    item: Item,
    /// What the rules grant the caller on it.
    grant: Grant,
}

/// One page of items.
#[derive(Debug, Clone, Default)]
pub(crate) struct Page {
    /// Shared with the decoded-item cache ([`ItemCache`]).
    pub(crate) items: Vec<Arc<Item>>,
    pub(crate) next_token: Option<String>,
}

/// The models and their items.
#[derive(Debug)]
pub(crate) struct Backend {
    pub(crate) catalog: Catalog,
    items: Store,
    indexed: IndexedFields,
    /// Items as lists last decoded them.
    decoded: ItemCache,
    /// Stored items read (decoded) by every operation so far.
    rows_read: AtomicU64,
    /// Rows SQLite stepped through in full-table scans while listing.
    full_scan_steps: AtomicU64,
    /// Sorts SQLite made while listing (a list in insertion order needs none).
    sorts: AtomicU64,
    /// Turns to run data operations: they share one connection, so more
    /// would only park threads.
    pub(crate) workers: tokio::sync::Semaphore,
    /// Dates `createdAt` and `updatedAt`.
    clock: Clock,
}

impl Backend {
    /// Opens the item table in the data directory's database.
    pub(crate) fn open(
        data_dir: &Path,
        catalog: Catalog,
        clock: Clock,
    ) -> Result<Self, LocalError> {
        let items = Store::open(data_dir)?;
        items.conn().execute_batch(SCHEMA)?;
        items.conn().execute_batch(item_index::SCHEMA)?;
        let indexed = IndexedFields::of(&catalog);
        item_index::rebuild_if_changed(&items, &indexed)?;
        Ok(Self {
            catalog,
            items,
            indexed,
            decoded: ItemCache::default(),
            rows_read: AtomicU64::new(0),
            full_scan_steps: AtomicU64::new(0),
            sorts: AtomicU64::new(0),
            workers: tokio::sync::Semaphore::new(WORKERS),
            clock,
        })
    }

    /// `AWSDateTime` now by the backend's clock, with milliseconds
    /// (`2024-01-01T00:00:00.000Z`).
    fn now_datetime(&self) -> String {
        let format = time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        );
        time::OffsetDateTime::from(self.clock.now())
            .format(&format)
            .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_owned())
    }

    /// Stored items read so far.
    pub(crate) fn rows_read(&self) -> u64 {
        self.rows_read.load(Ordering::Relaxed)
    }

    /// Rows stepped through in full-table scans while listing, so far.
    #[cfg(test)]
    pub(crate) fn full_scan_steps(&self) -> u64 {
        self.full_scan_steps.load(Ordering::Relaxed)
    }

    /// Sorts made while listing, so far.
    #[cfg(test)]
    pub(crate) fn sorts(&self) -> u64 {
        self.sorts.load(Ordering::Relaxed)
    }

    /// Counts and decodes a stored item.
    fn read(&self, text: &str) -> Result<Item, OpError> {
        self.rows_read.fetch_add(1, Ordering::Relaxed);
        decode(text.as_bytes())
    }

    /// Counts a stored item a list reads, and decodes it unless it is cached as this very text.
    fn read_listed(&self, seq: i64, text: &[u8]) -> Result<Arc<Item>, OpError> {
        self.rows_read.fetch_add(1, Ordering::Relaxed);
        self.decoded.decode(seq, text)
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

    /// The item with this key, and its row number.
    fn load(
        &self,
        model: &str,
        key: &str,
        budget: &Budget,
    ) -> Result<Option<(i64, Item)>, OpError> {
        self.load_in(&self.items.conn(), model, key, budget)
    }

    /// [`Self::load`] on a connection the caller holds (inside its transaction).
    fn load_in(
        &self,
        conn: &rusqlite::Connection,
        model: &str,
        key: &str,
        budget: &Budget,
    ) -> Result<Option<(i64, Item)>, OpError> {
        budget.charge(1)?;
        let row: Option<(i64, String)> = conn
            .query_row(
                "SELECT seq, item FROM graphql_items WHERE model = ?1 AND key = ?2",
                params![model, key],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        row.map(|(seq, text)| Ok((seq, self.read(&text)?)))
            .transpose()
    }

    /// The SQL selecting the rows a list may return, in `seq` order: through
    /// the index when the query names an indexed key or the grant covers
    /// only the caller's own items.
    fn selection(
        &self,
        model: &ModelDef,
        grant: &Grant,
        query: &ListQuery,
        after_seq: Option<i64>,
    ) -> (String, Vec<SqlValue>) {
        // The conditions after the model's; `model` comes first in `values` (`?1`).
        let mut sql = String::new();
        let mut values = vec![SqlValue::from(model.name.clone())];
        let placeholder = |values: &mut Vec<SqlValue>, value: String| {
            values.push(SqlValue::from(value));
            format!("?{}", values.len())
        };
        const INDEXED: &str = "seq IN (SELECT seq FROM graphql_item_index WHERE model = ?1 AND ";
        for (field, value) in &query.equal {
            if !self.indexed.contains(&model.name, field) {
                continue;
            }
            let field = placeholder(&mut values, field.clone());
            // A key that is not a scalar matches nothing; the empty key list says so.
            let keys: Vec<String> = item_index::keys(value)
                .into_iter()
                .filter(|_| !value.is_array())
                .map(|key| placeholder(&mut values, key))
                .collect();
            sql.push_str(&format!(
                " AND {INDEXED}field = {field} AND value IN ({}))",
                keys.join(", ")
            ));
        }
        if let Grant::Owned(checks) = grant {
            let alternatives: Vec<String> = checks
                .iter()
                .map(|check| {
                    let field = placeholder(&mut values, check.field.clone());
                    let keys: Vec<String> = check
                        .accepted
                        .iter()
                        .map(|accepted| {
                            placeholder(&mut values, Value::from(accepted.as_str()).to_string())
                        })
                        .collect();
                    format!("(field = {field} AND value IN ({}))", keys.join(", "))
                })
                .collect();
            sql.push_str(&format!(" AND {INDEXED}({}))", alternatives.join(" OR ")));
        }
        // Through the index, each row is found by `seq` (its rowid), in `seq` order. `+model` keeps SQLite
        // from going through the (model, seq) index instead: a second b-tree lookup per row.
        let model_term = if sql.is_empty() {
            "model = ?1"
        } else {
            "+model = ?1"
        };
        if let Some(seq) = after_seq {
            values.push(SqlValue::from(seq));
            let bound = if query.descending { "<" } else { ">" };
            sql.push_str(&format!(" AND seq {bound} ?{}", values.len()));
        }
        let order = if query.descending {
            " ORDER BY seq DESC"
        } else {
            " ORDER BY seq"
        };
        (
            format!("SELECT seq, item FROM graphql_items WHERE {model_term}{sql}{order}"),
            values,
        )
    }

    /// Whether an item satisfies the query's conditions and the grant.
    fn selects(query: &ListQuery, grant: &Grant, item: &Item) -> bool {
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
                .is_none_or(|(fields, condition)| composite_matches(item, fields, condition))
            && grant.allows(item)
            && query.filter.as_ref().is_none_or(|f| matches(f, item))
    }

    /// `get<M>`: the item with this key, if the caller may read it.
    pub(crate) fn get(
        &self,
        model: &ModelDef,
        call: Call<'_>,
        key: &Item,
    ) -> Result<Option<Item>, OpError> {
        let grant = call.grant(model, "get")?;
        let Some((_, item)) = self.load(&model.name, &Self::key_of(model, key)?, call.budget)?
        else {
            return Ok(None);
        };
        if grant.allows(&item) {
            Ok(Some(item))
        } else {
            Err(call.unauthorized())
        }
    }

    /// `list<Plural>` / index queries / hasMany: matching items the caller
    /// may read, one page at a time. Without sort keys, items come in
    /// insertion order and reading stops once the page is full.
    pub(crate) fn list(
        &self,
        model: &ModelDef,
        call: Call<'_>,
        query: &ListQuery,
    ) -> Result<Page, OpError> {
        let grant = call.grant(model, "list")?;
        let budget = call.budget;
        budget.charge(1)?;
        let after = match &query.next_token {
            Some(token) => Some(decode_token(token)?),
            None => None,
        };
        let in_order = query.sort_by.is_empty();
        let after_seq = match after.as_deref() {
            Some([seq]) if in_order => seq.as_i64(),
            _ => None,
        };
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT).max(1);
        let past = |order: &[Value], after: &[Value]| {
            let ordering = compare_tuples(order, after);
            if query.descending {
                ordering.is_lt()
            } else {
                ordering.is_gt()
            }
        };
        let (sql, values) = self.selection(model, &grant, query, after_seq);
        let mut rows: Vec<(Vec<Value>, Arc<Item>)> = Vec::new();
        {
            let conn = self.items.conn();
            let mut statement = conn.prepare_cached(&sql)?;
            let mut selected = statement.query(params_from_iter(values))?;
            while let Some(row) = selected.next()? {
                budget.charge(1)?;
                let seq: i64 = row.get(0)?;
                // Read in SQLite's buffer, without a copy first; its UTF-8 is checked if it is decoded.
                let ValueRef::Text(text) = row.get_ref(1)? else {
                    return Err(OpError::internal(&"a stored item is not text"));
                };
                let item = self.read_listed(seq, text)?;
                if !Self::selects(query, &grant, &item) {
                    continue;
                }
                let mut order: Vec<Value> = query
                    .sort_by
                    .iter()
                    .map(|f| item.get(f).cloned().unwrap_or(Value::Null))
                    .collect();
                order.push(Value::from(seq));
                if in_order && after.as_ref().is_some_and(|after| !past(&order, after)) {
                    continue;
                }
                rows.push((order, item));
                // In insertion order, one item past the page tells that there is more.
                if in_order && rows.len() > limit {
                    break;
                }
            }
            drop(selected);
            // Reset as read: the statement is cached, and its counters would add up over its runs.
            for (status, total) in [
                (StatementStatus::FullscanStep, &self.full_scan_steps),
                (StatementStatus::Sort, &self.sorts),
            ] {
                let count = statement.reset_status(status);
                total.fetch_add(u64::try_from(count).unwrap_or(0), Ordering::Relaxed);
            }
        }
        if !in_order {
            rows.sort_by(|a, b| compare_tuples(&a.0, &b.0));
            if query.descending {
                rows.reverse();
            }
            if let Some(after) = &after {
                rows.retain(|(order, _)| past(order, after));
            }
        }
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
        call: Call<'_>,
        input: Item,
        condition: Option<&Item>,
    ) -> Result<Item, OpError> {
        let grant = call.grant(model, "create")?;
        call.budget.charge(1)?;
        let mut item = Item::new();
        for (name, value) in input {
            if model.field(&name).is_some_and(|f| f.is_stored()) && !value.is_null() {
                item.insert(name, value);
            }
        }
        // Field rules judge what the caller sent, not what is filled in for it (an owner field whose rules
        // allow only read and delete is still filled on create, as AppSync does).
        let sent: Vec<String> = item.keys().cloned().collect();
        if model.primary_key == "id" && !item.contains_key("id") {
            item.insert("id".to_owned(), Value::String(crate::ids::uuid()));
        }
        let now = self.now_datetime();
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
        if !grant.allows(&item) || !fields_allowed(model, &call, "create", &item, sent.iter()) {
            return Err(call.unauthorized());
        }
        if condition.is_some_and(|c| !matches(c, &Item::new())) {
            return Err(OpError::conditional());
        }
        let key = Self::key_of(model, &item)?;
        if !self.insert(&model.name, &key, &item)? {
            return Err(OpError::conditional());
        }
        Ok(item)
    }

    /// Stores a new item and its index rows; `false` when its key is taken.
    fn insert(&self, model: &str, key: &str, item: &Item) -> rusqlite::Result<bool> {
        let mut conn = self.items.conn();
        let transaction = conn.transaction()?;
        let inserted = transaction.execute(
            "INSERT OR IGNORE INTO graphql_items (model, key, item) VALUES (?1, ?2, ?3)",
            params![model, key, Value::Object(item.clone()).to_string()],
        )?;
        if inserted == 0 {
            return Ok(false);
        }
        let seq = transaction.last_insert_rowid();
        item_index::write(&transaction, &self.indexed, model, seq, item)?;
        transaction.commit()?;
        Ok(true)
    }

    /// Runs an update or delete in one write transaction, holding the
    /// connection from the load of the item to the write of it and its
    /// index rows: a concurrent update or delete of the same item waits, so
    /// none is lost, no condition is checked against a stale item, and no
    /// index row outlives its item.
    fn change<T>(
        &self,
        model: &ModelDef,
        call: Call<'_>,
        (operation, input, condition): (&str, &Item, Option<&Item>),
        write: impl FnOnce(&rusqlite::Transaction<'_>, Existing) -> Result<T, OpError>,
    ) -> Result<T, OpError> {
        let grant = call.grant(model, operation)?;
        let key = Self::key_of(model, input)?;
        let mut conn = self.items.conn();
        // IMMEDIATE: the write lock is taken before the read, so another
        // connection to the file cannot write in between either.
        let transaction = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (seq, item) = self
            .load_in(&transaction, &model.name, &key, call.budget)?
            .ok_or_else(OpError::conditional)?;
        if !grant.allows(&item) {
            return Err(call.unauthorized());
        }
        if condition.is_some_and(|c| !matches(c, &item)) {
            return Err(OpError::conditional());
        }
        let changed = write(&transaction, Existing { seq, item, grant })?;
        transaction.commit()?;
        Ok(changed)
    }

    /// `update<M>`: merges the input (null removes a field).
    pub(crate) fn update(
        &self,
        model: &ModelDef,
        call: Call<'_>,
        input: Item,
        condition: Option<&Item>,
    ) -> Result<Item, OpError> {
        let request = ("update", &input, condition);
        self.change(model, call, request, |transaction, existing| {
            let Existing {
                seq,
                mut item,
                grant,
            } = existing;
            let keys = model.key_fields();
            for (name, value) in &input {
                let Some(field) = model.field(name) else {
                    continue;
                };
                if !field.is_stored() || keys.contains(&name.as_str()) {
                    continue;
                }
                if value.is_null() {
                    item.remove(name);
                } else {
                    item.insert(name.clone(), value.clone());
                }
            }
            item.insert("updatedAt".to_owned(), Value::String(self.now_datetime()));
            if !grant.allows(&item) || !fields_allowed(model, &call, "update", &item, input.keys())
            {
                return Err(call.unauthorized());
            }
            transaction.execute(
                "UPDATE graphql_items SET item = ?2 WHERE seq = ?1",
                params![seq, Value::Object(item.clone()).to_string()],
            )?;
            item_index::write(transaction, &self.indexed, &model.name, seq, &item)?;
            Ok(item)
        })
    }

    /// `delete<M>`: removes the item and returns it.
    pub(crate) fn delete(
        &self,
        model: &ModelDef,
        call: Call<'_>,
        input: &Item,
        condition: Option<&Item>,
    ) -> Result<Item, OpError> {
        self.change(
            model,
            call,
            ("delete", input, condition),
            |transaction, existing| {
                transaction.execute("DELETE FROM graphql_items WHERE seq = ?1", [existing.seq])?;
                item_index::remove(transaction, existing.seq)?;
                self.decoded.forget(existing.seq);
                Ok(existing.item)
            },
        )
    }

    /// Stores an item as is (seed data), unless one with its key exists.
    pub(crate) fn put_seed(&self, model: &str, mut item: Item) -> Result<(), LocalError> {
        let Some(def) = self.catalog.model(model) else {
            return Ok(());
        };
        let now = self.now_datetime();
        for stamp in ["createdAt", "updatedAt"] {
            item.entry(stamp)
                .or_insert_with(|| Value::String(now.clone()));
        }
        let key = Self::key_of(def, &item).map_err(|e| LocalError::InvalidSchema(e.message))?;
        self.insert(model, &key, &item)?;
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

pub(super) fn decode(text: &[u8]) -> Result<Item, OpError> {
    match serde_json::from_slice(text) {
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

/// Whether the field-level rules of every written field (`written`) grant `operation` on `item`.
fn fields_allowed<'a>(
    model: &ModelDef,
    call: &Call<'_>,
    operation: &str,
    item: &Item,
    written: impl Iterator<Item = &'a String>,
) -> bool {
    written
        .filter_map(|name| model.field(name))
        .filter(|field| !field.rules.is_empty())
        .all(|field| super::auth::grant_by_rules(&field.rules, call.caller, operation).allows(item))
}
