//! The models an API serves, read from a Gen 2 `model_introspection`
//! document, and the default document (a `Todo` with an owner rule and a
//! public `Announcement`).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::LocalError;

/// Scalars AppSync adds to GraphQL's own.
pub(crate) const AWS_SCALARS: [&str; 9] = [
    "AWSDateTime",
    "AWSDate",
    "AWSTime",
    "AWSTimestamp",
    "AWSJSON",
    "AWSEmail",
    "AWSURL",
    "AWSPhone",
    "AWSIPAddress",
];

/// The type of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FieldType {
    /// `ID`, `String`, `Int`, `Float`, `Boolean` or an AWS scalar.
    Scalar(String),
    /// An enum of the schema.
    Enum(String),
    /// A custom (non-model) type.
    NonModel(String),
    /// Another model (a relationship).
    Model(String),
}

/// How a model-typed field relates its model to the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Association {
    /// The related items hold these fields (or the belongsTo field that
    /// names them) pointing back at this item.
    HasMany { associated_with: Vec<String> },
    /// This item holds the related item's key in these fields.
    BelongsTo { target_names: Vec<String> },
    /// One related item: by this item's `target_names` when it has them,
    /// otherwise the item whose `associated_with` fields point back here.
    HasOne {
        associated_with: Vec<String>,
        target_names: Vec<String>,
    },
}

/// One field of a model or custom type.
#[derive(Debug, Clone)]
pub(crate) struct FieldDef {
    pub(crate) name: String,
    pub(crate) ty: FieldType,
    pub(crate) is_array: bool,
    pub(crate) is_required: bool,
    pub(crate) is_read_only: bool,
    pub(crate) association: Option<Association>,
}

impl FieldDef {
    /// Whether the field holds data (not a relationship).
    pub(crate) fn is_stored(&self) -> bool {
        !matches!(self.ty, FieldType::Model(_))
    }
}

/// One authorization rule of a model.
#[derive(Debug, Clone)]
pub(crate) struct AuthRule {
    /// `owner`, `private`, `public`, `groups` or `custom`.
    pub(crate) allow: String,
    /// `userPools`, `iam`, `apiKey`, `oidc` or `function`.
    pub(crate) provider: String,
    /// `None`: every operation.
    pub(crate) operations: Option<Vec<String>>,
    pub(crate) owner_field: String,
    pub(crate) identity_claim: String,
    pub(crate) groups: Vec<String>,
    pub(crate) group_claim: String,
    pub(crate) groups_field: Option<String>,
}

impl AuthRule {
    fn parse(rule: &Value) -> Self {
        let text = |name: &str| rule.get(name).and_then(Value::as_str).map(str::to_owned);
        let allow = text("allow").unwrap_or_else(|| "owner".to_owned());
        let provider = text("provider").unwrap_or_else(|| {
            match allow.as_str() {
                "public" => "apiKey",
                "custom" => "function",
                _ => "userPools",
            }
            .to_owned()
        });
        let strings = |name: &str| {
            rule.get(name).and_then(Value::as_array).map(|list| {
                list.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
        };
        Self {
            operations: strings("operations"),
            owner_field: text("ownerField").unwrap_or_else(|| "owner".to_owned()),
            identity_claim: text("identityClaim").unwrap_or_else(|| "sub::username".to_owned()),
            groups: strings("groups").unwrap_or_default(),
            group_claim: text("groupClaim").unwrap_or_else(|| "cognito:groups".to_owned()),
            groups_field: text("groupsField"),
            allow,
            provider,
        }
    }

    /// Whether the rule covers an operation (`create`, `get`, `list`,
    /// `update`, `delete`); `read` covers `get` and `list`.
    pub(crate) fn covers(&self, operation: &str) -> bool {
        let Some(operations) = &self.operations else {
            return true;
        };
        operations.iter().any(|o| {
            o == operation
                || (o == "read" && matches!(operation, "get" | "list" | "listen" | "sync"))
        })
    }
}

/// A secondary index with a query field.
#[derive(Debug, Clone)]
pub(crate) struct IndexDef {
    /// The index name (`byStatus`).
    pub(crate) name: String,
    pub(crate) query_field: String,
    /// Partition key, then sort keys.
    pub(crate) fields: Vec<String>,
}

/// One model.
#[derive(Debug, Clone)]
pub(crate) struct ModelDef {
    pub(crate) name: String,
    pub(crate) plural: String,
    /// Declared fields, plus `createdAt`/`updatedAt` and owner fields the
    /// service manages.
    pub(crate) fields: Vec<FieldDef>,
    pub(crate) primary_key: String,
    pub(crate) sort_keys: Vec<String>,
    pub(crate) custom_primary_key: bool,
    pub(crate) rules: Vec<AuthRule>,
    pub(crate) indexes: Vec<IndexDef>,
}

impl ModelDef {
    /// A field by name.
    pub(crate) fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The primary key fields: partition key, then sort keys.
    pub(crate) fn key_fields(&self) -> Vec<&str> {
        std::iter::once(self.primary_key.as_str())
            .chain(self.sort_keys.iter().map(String::as_str))
            .collect()
    }

    /// The foreign-key fields of this (child) model that a parent's
    /// hasMany/hasOne names: its stored fields by name, or the target names of
    /// the belongsTo field named.
    pub(crate) fn foreign_keys(&self, associated_with: &[String]) -> Vec<String> {
        let mut keys = Vec::new();
        for name in associated_with {
            match self.field(name) {
                Some(FieldDef {
                    association: Some(Association::BelongsTo { target_names }),
                    ..
                }) => keys.extend(target_names.iter().cloned()),
                Some(field) if field.is_stored() => keys.push(name.clone()),
                _ => {}
            }
        }
        keys
    }

    /// The scalar type name of a stored field (`String` for enums).
    pub(crate) fn scalar_of(&self, name: &str) -> String {
        match self.field(name).map(|f| &f.ty) {
            Some(FieldType::Scalar(s)) => s.clone(),
            _ => "String".to_owned(),
        }
    }
}

/// Every model, enum and custom type of an API, and the introspection
/// document they came from.
#[derive(Debug, Clone)]
pub(crate) struct Catalog {
    pub(crate) models: Vec<ModelDef>,
    pub(crate) enums: BTreeMap<String, Vec<String>>,
    pub(crate) non_models: BTreeMap<String, Vec<FieldDef>>,
    pub(crate) introspection: Value,
}

impl Catalog {
    /// A model by name.
    pub(crate) fn model(&self, name: &str) -> Option<&ModelDef> {
        self.models.iter().find(|m| m.name == name)
    }

    /// Reads a `model_introspection` document.
    pub(crate) fn parse(introspection: &Value) -> Result<Self, LocalError> {
        let bad = |what: String| LocalError::InvalidSchema(what);
        let enums: BTreeMap<String, Vec<String>> = introspection
            .get("enums")
            .and_then(Value::as_object)
            .map(|enums| {
                enums
                    .iter()
                    .map(|(name, def)| {
                        let values = def
                            .get("values")
                            .and_then(Value::as_array)
                            .map(|v| {
                                v.iter()
                                    .filter_map(Value::as_str)
                                    .map(str::to_owned)
                                    .collect()
                            })
                            .unwrap_or_default();
                        (name.clone(), values)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut non_models = BTreeMap::new();
        if let Some(defs) = introspection.get("nonModels").and_then(Value::as_object) {
            for (name, def) in defs {
                non_models.insert(name.clone(), parse_fields(def, name)?);
            }
        }
        let mut models = Vec::new();
        let defs = introspection
            .get("models")
            .and_then(Value::as_object)
            .ok_or_else(|| bad("model_introspection has no `models` object".to_owned()))?;
        for (name, def) in defs {
            models.push(parse_model(name, def)?);
        }
        for model in &models {
            for field in &model.fields {
                let known = match &field.ty {
                    FieldType::Scalar(s) => is_scalar(s),
                    FieldType::Enum(e) => enums.contains_key(e),
                    FieldType::NonModel(n) => non_models.contains_key(n),
                    FieldType::Model(m) => defs.contains_key(m),
                };
                if !known {
                    return Err(bad(format!(
                        "field {}.{} has an unknown type {:?}",
                        model.name, field.name, field.ty
                    )));
                }
            }
        }
        Ok(Self {
            models,
            enums,
            non_models,
            introspection: introspection.clone(),
        })
    }
}

/// Whether a type name is a built-in or AWS scalar.
pub(crate) fn is_scalar(name: &str) -> bool {
    matches!(name, "ID" | "String" | "Int" | "Float" | "Boolean") || AWS_SCALARS.contains(&name)
}

fn parse_type(ty: &Value) -> Option<FieldType> {
    match ty {
        Value::String(s) => Some(FieldType::Scalar(s.clone())),
        Value::Object(o) => {
            let get = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
            get("model")
                .map(FieldType::Model)
                .or_else(|| get("enum").map(FieldType::Enum))
                .or_else(|| get("nonModel").map(FieldType::NonModel))
        }
        _ => None,
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|v| {
            v.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn parse_fields(def: &Value, owner: &str) -> Result<Vec<FieldDef>, LocalError> {
    let fields = def
        .get("fields")
        .and_then(Value::as_object)
        .ok_or_else(|| LocalError::InvalidSchema(format!("type {owner} has no `fields`")))?;
    let mut out = Vec::new();
    for (name, field) in fields {
        let ty = field.get("type").and_then(parse_type).ok_or_else(|| {
            LocalError::InvalidSchema(format!("field {owner}.{name} has no usable `type`"))
        })?;
        let flag = |k: &str| field.get(k).and_then(Value::as_bool).unwrap_or(false);
        let association = field.get("association").and_then(|a| {
            let kind = a.get("connectionType").and_then(Value::as_str)?;
            let associated_with = strings(a.get("associatedWith"));
            let target_names = strings(a.get("targetNames"));
            match kind {
                "HAS_MANY" => Some(Association::HasMany { associated_with }),
                "BELONGS_TO" => Some(Association::BelongsTo { target_names }),
                "HAS_ONE" => Some(Association::HasOne {
                    associated_with,
                    target_names,
                }),
                _ => None,
            }
        });
        out.push(FieldDef {
            name: name.clone(),
            ty,
            is_array: flag("isArray"),
            is_required: flag("isRequired"),
            is_read_only: flag("isReadOnly"),
            association,
        });
    }
    Ok(out)
}

fn parse_model(name: &str, def: &Value) -> Result<ModelDef, LocalError> {
    let mut fields = parse_fields(def, name)?;
    let attributes = def
        .get("attributes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut rules = Vec::new();
    let mut indexes = Vec::new();
    for attribute in &attributes {
        let properties = attribute.get("properties").unwrap_or(&Value::Null);
        match attribute.get("type").and_then(Value::as_str) {
            Some("auth") => {
                for rule in properties
                    .get("rules")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    rules.push(AuthRule::parse(rule));
                }
            }
            Some("key") => {
                if let Some(query_field) = properties.get("queryField").and_then(Value::as_str) {
                    indexes.push(IndexDef {
                        name: properties
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or(query_field)
                            .to_owned(),
                        query_field: query_field.to_owned(),
                        fields: strings(properties.get("fields")),
                    });
                }
            }
            _ => {}
        }
    }
    let info = def.get("primaryKeyInfo");
    let primary_key = info
        .and_then(|i| i.get("primaryKeyFieldName"))
        .and_then(Value::as_str)
        .unwrap_or("id")
        .to_owned();
    let sort_keys = strings(info.and_then(|i| i.get("sortKeyFieldNames")));
    let custom_primary_key = info
        .and_then(|i| i.get("isCustomPrimaryKey"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    // The service manages timestamps and owner fields even when the
    // introspection does not list them.
    for managed in ["createdAt", "updatedAt"] {
        if !fields.iter().any(|f| f.name == managed) {
            fields.push(FieldDef {
                name: managed.to_owned(),
                ty: FieldType::Scalar("AWSDateTime".to_owned()),
                is_array: false,
                is_required: false,
                is_read_only: true,
                association: None,
            });
        }
    }
    for rule in &rules {
        let extra = match rule.allow.as_str() {
            "owner" => Some((rule.owner_field.clone(), false)),
            "groups" => rule.groups_field.clone().map(|f| (f, true)),
            _ => None,
        };
        if let Some((field, is_array)) = extra
            && !fields.iter().any(|f| f.name == field)
        {
            fields.push(FieldDef {
                name: field,
                ty: FieldType::Scalar("String".to_owned()),
                is_array,
                is_required: false,
                is_read_only: false,
                association: None,
            });
        }
    }
    for key in std::iter::once(&primary_key).chain(&sort_keys) {
        if !fields.iter().any(|f| &f.name == key) {
            return Err(LocalError::InvalidSchema(format!(
                "model {name}: key field {key} is not a field"
            )));
        }
    }
    Ok(ModelDef {
        name: name.to_owned(),
        plural: def
            .get("pluralName")
            .and_then(Value::as_str)
            .map_or_else(|| format!("{name}s"), str::to_owned),
        fields,
        primary_key,
        sort_keys,
        custom_primary_key,
        rules,
        indexes,
    })
}

fn field(name: &str, ty: &str, required: bool, read_only: bool) -> (String, Value) {
    let mut def = Map::new();
    def.insert("name".into(), json!(name));
    def.insert("isArray".into(), json!(false));
    def.insert("type".into(), json!(ty));
    def.insert("isRequired".into(), json!(required));
    def.insert("attributes".into(), json!([]));
    if read_only {
        def.insert("isReadOnly".into(), json!(true));
    }
    (name.to_owned(), Value::Object(def))
}

fn model(name: &str, plural: &str, fields: Vec<(String, Value)>, rules: Value) -> Value {
    json!({
        "name": name,
        "fields": Map::from_iter(fields),
        "syncable": true,
        "pluralName": plural,
        "attributes": [
            { "type": "model", "properties": {} },
            { "type": "auth", "properties": { "rules": rules } },
        ],
        "primaryKeyInfo": {
            "isCustomPrimaryKey": false,
            "primaryKeyFieldName": "id",
            "sortKeyFieldNames": [],
        },
    })
}

/// The default `model_introspection`: a `Todo` only its owner can see and
/// change, and an `Announcement` anyone can read (API key, guest IAM
/// credentials, or signed in) and signed-in users (user pool or
/// authenticated IAM credentials) can write.
pub(crate) fn default_introspection() -> Value {
    let todo = model(
        "Todo",
        "Todos",
        vec![
            field("id", "ID", true, false),
            field("content", "String", false, false),
            field("done", "Boolean", false, false),
            field("owner", "String", false, false),
            field("createdAt", "AWSDateTime", false, true),
            field("updatedAt", "AWSDateTime", false, true),
        ],
        json!([{
            "provider": "userPools",
            "ownerField": "owner",
            "allow": "owner",
            "identityClaim": "cognito:username",
            "operations": ["create", "update", "delete", "read"],
        }]),
    );
    let announcement = model(
        "Announcement",
        "Announcements",
        vec![
            field("id", "ID", true, false),
            field("title", "String", true, false),
            field("body", "String", false, false),
            field("createdAt", "AWSDateTime", false, true),
            field("updatedAt", "AWSDateTime", false, true),
        ],
        json!([
            { "allow": "public", "provider": "apiKey", "operations": ["read"] },
            { "allow": "public", "provider": "iam", "operations": ["read"] },
            { "allow": "private", "provider": "userPools", "operations": ["create", "update", "delete", "read"] },
            { "allow": "private", "provider": "iam", "operations": ["create", "update", "delete", "read"] },
        ]),
    );
    json!({
        "version": 1,
        "models": { "Todo": todo, "Announcement": announcement },
        "enums": {},
        "nonModels": {},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_schema_parses() {
        let catalog = Catalog::parse(&default_introspection()).expect("parses");
        let todo = catalog.model("Todo").expect("Todo");
        assert_eq!(todo.plural, "Todos");
        assert_eq!(todo.primary_key, "id");
        assert_eq!(todo.rules[0].owner_field, "owner");
        assert!(todo.rules[0].covers("list"));
        let announcement = catalog.model("Announcement").expect("Announcement");
        assert!(announcement.rules[0].covers("get"));
        assert!(!announcement.rules[0].covers("create"));
    }
}
