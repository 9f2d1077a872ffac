//! The models an API serves, read from a Gen 2 `model_introspection`
//! document, and the default document (a `Todo` with an owner rule and a
//! public `Announcement`).

use std::collections::BTreeMap;

use amplify_model_introspection::{self as parsed, Introspection};
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
    /// Field-level rules: when present, reading, creating or updating this field also needs their grant.
    pub(crate) rules: Vec<AuthRule>,
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
    /// Custom queries and mutations, resolved by the developer's functions.
    pub(crate) custom: Vec<CustomOpDef>,
    pub(crate) introspection: Value,
}

/// A custom query or mutation.
#[derive(Debug, Clone)]
pub(crate) struct CustomOpDef {
    /// `Query` or `Mutation`.
    pub(crate) parent: &'static str,
    pub(crate) name: String,
    /// The return type (its name is the operation's).
    pub(crate) returns: FieldDef,
    pub(crate) arguments: Vec<FieldDef>,
    /// Its `authorization` rules (none: user-pool callers only, as for a model without rules).
    pub(crate) rules: Vec<AuthRule>,
}

impl Catalog {
    /// A model by name.
    pub(crate) fn model(&self, name: &str) -> Option<&ModelDef> {
        self.models.iter().find(|m| m.name == name)
    }

    /// Reads a `model_introspection` document (with the parser `amplify-ssr` and its code generator use), and
    /// checks that it names only types this API can serve.
    pub(crate) fn parse(introspection: &Value) -> Result<Self, LocalError> {
        let bad = |what: String| LocalError::InvalidSchema(what);
        if !introspection.get("models").is_some_and(Value::is_object) {
            return Err(bad("model_introspection has no `models` object".to_owned()));
        }
        let schema = Introspection::parse(introspection).map_err(|e| bad(e.to_string()))?;
        schema.check_types().map_err(|e| bad(e.to_string()))?;
        let enums = schema
            .enums
            .iter()
            .map(|e| (e.name.clone(), e.values.clone()))
            .collect();
        let non_models = schema
            .non_models
            .iter()
            .map(|n| {
                (
                    n.name.clone(),
                    n.fields.iter().map(FieldDef::from_parsed).collect(),
                )
            })
            .collect();
        let models: Vec<ModelDef> = schema.models.iter().map(ModelDef::from_parsed).collect();
        for model in &models {
            for field in &model.fields {
                if let FieldType::Scalar(s) = &field.ty
                    && !is_scalar(s)
                {
                    return Err(bad(format!(
                        "field {}.{} has an unknown type {:?}",
                        model.name, field.name, field.ty
                    )));
                }
            }
        }
        let custom: Vec<CustomOpDef> = schema
            .queries
            .iter()
            .chain(&schema.mutations)
            .map(CustomOpDef::from_parsed)
            .collect();
        for op in &custom {
            for field in std::iter::once(&op.returns).chain(&op.arguments) {
                if let FieldType::Scalar(s) = &field.ty
                    && !is_scalar(s)
                {
                    return Err(bad(format!(
                        "custom operation {}.{} has an unknown type {s:?} ({})",
                        op.parent, op.name, field.name
                    )));
                }
            }
            if op
                .arguments
                .iter()
                .any(|a| matches!(a.ty, FieldType::Model(_)))
            {
                return Err(bad(format!(
                    "custom operation {}.{}: an argument cannot be a model",
                    op.parent, op.name
                )));
            }
        }
        Ok(Self {
            models,
            enums,
            non_models,
            custom,
            introspection: introspection.clone(),
        })
    }
}

/// Whether a type name is a built-in or AWS scalar.
pub(crate) fn is_scalar(name: &str) -> bool {
    matches!(name, "ID" | "String" | "Int" | "Float" | "Boolean") || AWS_SCALARS.contains(&name)
}

impl FieldDef {
    /// The service's view of a parsed field (types were checked by `Introspection::check_types`).
    fn from_parsed(field: &parsed::Field) -> Self {
        let ty = match &field.field_type {
            parsed::FieldType::Enum(name) => FieldType::Enum(name.clone()),
            parsed::FieldType::NonModel(name) => FieldType::NonModel(name.clone()),
            parsed::FieldType::Model(name) => FieldType::Model(name.clone()),
            other => FieldType::Scalar(other.graphql_name().to_owned()),
        };
        let association = field.association.as_ref().and_then(|a| {
            let (associated_with, target_names) =
                (a.associated_with.clone(), a.target_names.clone());
            match a.connection_type.as_str() {
                "HAS_MANY" => Some(Association::HasMany { associated_with }),
                "BELONGS_TO" => Some(Association::BelongsTo { target_names }),
                "HAS_ONE" => Some(Association::HasOne {
                    associated_with,
                    target_names,
                }),
                _ => None,
            }
        });
        Self {
            name: field.name.clone(),
            ty,
            is_array: field.is_array,
            is_required: field.is_required,
            is_read_only: field.is_read_only,
            association,
            rules: field.auth_rules.iter().map(AuthRule::from_parsed).collect(),
        }
    }
}

impl CustomOpDef {
    fn from_parsed(op: &parsed::CustomOperation) -> Self {
        Self {
            parent: match op.kind {
                parsed::OperationKind::Query => "Query",
                parsed::OperationKind::Mutation => "Mutation",
            },
            name: op.name.clone(),
            returns: FieldDef::from_parsed(&op.returns),
            arguments: op.arguments.iter().map(FieldDef::from_parsed).collect(),
            // Operation lists mean nothing for a custom operation: each rule covers the call.
            rules: op
                .auth_rules
                .iter()
                .map(|rule| AuthRule {
                    operations: None,
                    ..AuthRule::from_parsed(rule)
                })
                .collect(),
        }
    }
}

impl ModelDef {
    /// The service's view of a parsed model: its declared fields plus the timestamps and owner fields the
    /// service manages even when the introspection does not list them.
    fn from_parsed(model: &parsed::Model) -> Self {
        let mut fields: Vec<FieldDef> = model.fields.iter().map(FieldDef::from_parsed).collect();
        for managed in ["createdAt", "updatedAt"] {
            if !fields.iter().any(|f| f.name == managed) {
                fields.push(FieldDef {
                    name: managed.to_owned(),
                    ty: FieldType::Scalar("AWSDateTime".to_owned()),
                    is_array: false,
                    is_required: false,
                    is_read_only: true,
                    association: None,
                    rules: Vec::new(),
                });
            }
        }
        let rules: Vec<AuthRule> = model.auth_rules.iter().map(AuthRule::from_parsed).collect();
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
                    rules: Vec::new(),
                });
            }
        }
        Self {
            name: model.name.clone(),
            plural: model.plural_name.clone(),
            fields,
            primary_key: model.primary_key.field.clone(),
            sort_keys: model.primary_key.sort_keys.clone(),
            custom_primary_key: model.primary_key.is_custom,
            rules,
            indexes: model
                .indexes
                .iter()
                .map(|index| IndexDef {
                    name: index.name_or_query_field().to_owned(),
                    query_field: index.query_field.clone(),
                    fields: std::iter::once(index.pk.clone())
                        .chain(index.sk.iter().cloned())
                        .collect(),
                })
                .collect(),
        }
    }
}

impl AuthRule {
    fn from_parsed(rule: &parsed::AuthRule) -> Self {
        Self {
            allow: rule.allow.clone(),
            provider: rule.provider.clone(),
            operations: rule.operations.clone(),
            owner_field: rule.owner_field.clone(),
            identity_claim: rule.identity_claim.clone(),
            groups: rule.groups.clone(),
            group_claim: rule.group_claim.clone(),
            groups_field: rule.groups_field.clone(),
        }
    }
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
