//! The item index: one row per (model, field, value, item) for the fields lists select on, so that a list
//! reads only the items it may return, never every item of the model.
//!
//! Indexed are the owner and group fields of the models' auth rules (a user's list reads only the items they
//! own), the partition keys of custom primary keys and of secondary indexes, and the foreign keys that
//! relationships follow. Values are indexed as their JSON text; an array is indexed by each of its scalars
//! (multi-owner and group fields). The index is only a pre-selection: every row it yields is still checked
//! against the auth rules and the query in full.
//!
//! The indexed fields follow from the schema. When they change (a new schema file, or a data directory from
//! before the index existed), the index is rebuilt from the stored items at start-up; the items themselves
//! are never touched.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{Connection, params};
use serde_json::Value;

use super::model::{Association, Catalog, FieldType};
use super::ops::Item;
use crate::LocalError;
use crate::db::Store;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS graphql_item_index (
    model TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    seq   INTEGER NOT NULL,
    PRIMARY KEY (model, field, value, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS graphql_item_index_seq ON graphql_item_index (seq);
CREATE INDEX IF NOT EXISTS graphql_items_by_model ON graphql_items (model, seq);
";

/// The meta key recording which fields the stored index covers.
const INDEXED_META: &str = "graphql_item_index_fields";

/// The indexed fields of each model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct IndexedFields(BTreeMap<String, BTreeSet<String>>);

impl IndexedFields {
    /// The fields lists select on, from the schema.
    pub(super) fn of(catalog: &Catalog) -> Self {
        let mut fields: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for model in &catalog.models {
            let own = fields.entry(model.name.clone()).or_default();
            for rule in &model.rules {
                match rule.allow.as_str() {
                    "owner" => {
                        own.insert(rule.owner_field.clone());
                    }
                    "groups" => own.extend(rule.groups_field.clone()),
                    _ => {}
                }
            }
            if model.custom_primary_key {
                own.insert(model.primary_key.clone());
            }
            own.extend(
                model
                    .indexes
                    .iter()
                    .filter_map(|index| index.fields.first().cloned()),
            );
            // The children's foreign keys that this model's relationships query by.
            for field in &model.fields {
                let (FieldType::Model(target), Some(association)) = (&field.ty, &field.association)
                else {
                    continue;
                };
                let associated_with = match association {
                    Association::HasMany { associated_with }
                    | Association::HasOne {
                        associated_with, ..
                    } => associated_with,
                    Association::BelongsTo { .. } => continue,
                };
                if let Some(child) = catalog.model(target) {
                    fields
                        .entry(target.clone())
                        .or_default()
                        .extend(child.foreign_keys(associated_with));
                }
            }
        }
        Self(fields)
    }

    /// Whether a model's field is indexed.
    pub(super) fn contains(&self, model: &str, field: &str) -> bool {
        self.0
            .get(model)
            .is_some_and(|fields| fields.contains(field))
    }

    fn signature(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_default()
    }
}

/// The index keys of a value: a scalar's JSON text, or that of each scalar of an array.
pub(super) fn keys(value: &Value) -> Vec<String> {
    let scalar = |v: &Value| match v {
        Value::String(_) | Value::Number(_) | Value::Bool(_) => Some(v.to_string()),
        _ => None,
    };
    match value {
        Value::Array(values) => values.iter().filter_map(scalar).collect(),
        other => scalar(other).into_iter().collect(),
    }
}

/// Replaces the index rows of an item.
pub(super) fn write(
    conn: &Connection,
    indexed: &IndexedFields,
    model: &str,
    seq: i64,
    item: &Item,
) -> rusqlite::Result<()> {
    remove(conn, seq)?;
    let Some(fields) = indexed.0.get(model) else {
        return Ok(());
    };
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO graphql_item_index (model, field, value, seq) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for field in fields {
        for key in item.get(field).map(keys).unwrap_or_default() {
            insert.execute(params![model, field, key, seq])?;
        }
    }
    Ok(())
}

/// Removes the index rows of an item.
pub(super) fn remove(conn: &Connection, seq: i64) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM graphql_item_index WHERE seq = ?1", [seq])?;
    Ok(())
}

/// Rebuilds the index from the stored items when the indexed fields differ from those it was built for.
pub(super) fn rebuild_if_changed(store: &Store, indexed: &IndexedFields) -> Result<(), LocalError> {
    let signature = indexed.signature();
    if store.meta(INDEXED_META)?.as_deref() == Some(signature.as_str()) {
        return Ok(());
    }
    let mut conn = store.conn();
    let transaction = conn.transaction()?;
    transaction.execute("DELETE FROM graphql_item_index", [])?;
    let mut rebuilt = 0u64;
    {
        let mut items = transaction.prepare("SELECT seq, model, item FROM graphql_items")?;
        let mut rows = items.query([])?;
        while let Some(row) = rows.next()? {
            let (seq, model, text): (i64, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
            // An unreadable item stays stored; it is just not indexed (reads report it).
            if let Ok(Value::Object(item)) = serde_json::from_str::<Value>(&text) {
                write(&transaction, indexed, &model, seq, &item)?;
                rebuilt += 1;
            }
        }
    }
    transaction.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
        params![INDEXED_META, signature],
    )?;
    transaction.commit()?;
    tracing::info!(items = rebuilt, "rebuilt the GraphQL item index");
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::graphql::model::default_introspection;

    #[test]
    fn the_default_schema_indexes_the_todo_owner() {
        let catalog = Catalog::parse(&default_introspection()).expect("parses");
        let indexed = IndexedFields::of(&catalog);
        assert!(indexed.contains("Todo", "owner"));
        assert!(!indexed.contains("Todo", "content"));
        assert!(!indexed.contains("Announcement", "title"));
    }

    #[test]
    fn scalars_and_array_elements_are_keys() {
        assert_eq!(keys(&json!("alice")), ["\"alice\""]);
        assert_eq!(keys(&json!(5)), ["5"]);
        assert_eq!(keys(&json!(["a", "b", null, {"x": 1}])), ["\"a\"", "\"b\""]);
        assert!(keys(&json!(null)).is_empty());
        assert!(keys(&json!({"owner": "a"})).is_empty());
    }
}
