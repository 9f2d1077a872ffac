//! The parsed `data.model_introspection` (reference §8.3): models, custom (non-model) types and enums, in the
//! order the outputs file lists them (field order drives the default selection set).
//!
//! Parsing is lenient where aws-amplify is: unknown attributes are ignored, and a field whose type this library
//! does not understand is kept as [`FieldType::Other`] and left out of selection sets.

use serde_json::{Map, Value};

use super::error::DataError;

/// The model introspection schema of a Gen 2 backend.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Introspection {
    /// The models, in file order.
    pub models: Vec<Model>,
    /// The custom types (`nonModels`), in file order.
    pub non_models: Vec<NonModel>,
    /// The enums: name and values, in file order.
    pub enums: Vec<EnumType>,
}

/// One `@model` type.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Model {
    /// The model name (`Todo`).
    pub name: String,
    /// The plural name (`Todos`), used by `list<PluralName>`.
    pub plural_name: String,
    /// The declared fields, in file order.
    pub fields: Vec<Field>,
    /// The primary key.
    pub primary_key: PrimaryKey,
    /// Secondary indexes that have a query field.
    pub indexes: Vec<SecondaryIndex>,
    /// Owner-auth fields: the `ownerField` of every `allow: owner` rule (default `owner`) and the `groupsField`
    /// of dynamic group rules, whether or not the model declares them.
    pub owner_fields: Vec<String>,
    /// Operations the `model` attribute disables.
    pub disabled: DisabledOperations,
    /// The raw `attributes` array (auth rules etc.), as written.
    pub attributes: Vec<Value>,
}

/// A custom type (`nonModels` entry).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NonModel {
    /// The type name.
    pub name: String,
    /// Its fields, in file order.
    pub fields: Vec<Field>,
}

/// An enum.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnumType {
    /// The enum name.
    pub name: String,
    /// Its values.
    pub values: Vec<String>,
}

/// A model or custom-type field.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Field {
    /// The field name.
    pub name: String,
    /// Its type.
    pub field_type: FieldType,
    /// A list (`[T]`).
    pub is_array: bool,
    /// Non-null.
    pub is_required: bool,
    /// Read-only (`createdAt`, `updatedAt`): dropped from update inputs.
    pub is_read_only: bool,
    /// The relationship, for model-typed fields.
    pub association: Option<Association>,
}

/// The type of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldType {
    /// A scalar: `ID`, `String`, `Int`, `AWSDateTime`, ...
    Scalar(String),
    /// `{"enum": "Status"}`.
    Enum(String),
    /// `{"nonModel": "Location"}`: a custom type.
    NonModel(String),
    /// `{"model": "Post"}`: a relationship.
    Model(String),
    /// Anything else, as written.
    Other(Value),
}

impl FieldType {
    /// The type's name for GraphQL variable definitions (`String`, the enum name, ...).
    #[must_use]
    pub fn graphql_name(&self) -> &str {
        match self {
            Self::Scalar(name) | Self::Enum(name) | Self::NonModel(name) | Self::Model(name) => {
                name
            }
            Self::Other(_) => "String",
        }
    }

    /// True for scalars and enums (the fields of a default selection set).
    #[must_use]
    pub fn is_leaf(&self) -> bool {
        matches!(self, Self::Scalar(_) | Self::Enum(_))
    }
}

/// A relationship (`association` of a model-typed field).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Association {
    /// `HAS_MANY`, `HAS_ONE` or `BELONGS_TO`.
    pub connection_type: String,
    /// The foreign-key fields on this model (`BELONGS_TO`, `HAS_ONE`).
    pub target_names: Vec<String>,
    /// The fields of the related model the relationship uses.
    pub associated_with: Vec<String>,
}

/// `primaryKeyInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PrimaryKey {
    /// Declared with `.identifier([...])` (otherwise `id`).
    pub is_custom: bool,
    /// The partition key field.
    pub field: String,
    /// The sort key fields (composite when more than one).
    pub sort_keys: Vec<String>,
}

/// A secondary index with a query field (an attribute `{"type": "key", "properties": {"name", "queryField",
/// "fields": [pk, ...sk]}}`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SecondaryIndex {
    /// The index name.
    pub name: Option<String>,
    /// The query field (`listTodoByStatus`), also the model-client operation name.
    pub query_field: String,
    /// The partition key field.
    pub pk: String,
    /// The sort key fields.
    pub sk: Vec<String>,
}

/// The model operations the `model` attribute turns off (`"queries": null`, `"mutations": {"delete": null}`, ...).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DisabledOperations {
    /// `get` is disabled.
    pub get: bool,
    /// `list` is disabled.
    pub list: bool,
    /// `create` is disabled.
    pub create: bool,
    /// `update` is disabled.
    pub update: bool,
    /// `delete` is disabled.
    pub delete: bool,
}

impl Introspection {
    /// Parses a `model_introspection` object.
    ///
    /// # Errors
    ///
    /// [`DataError::InvalidIntrospection`] when a model lacks its name, fields or primary key.
    pub fn parse(value: &Value) -> Result<Self, DataError> {
        let root = value
            .as_object()
            .ok_or_else(|| invalid("model_introspection is not an object"))?;
        let mut models = Vec::new();
        for (key, model) in object_entries(root.get("models"), "models")? {
            models.push(parse_model(key, model)?);
        }
        let mut non_models = Vec::new();
        for (key, non_model) in object_entries(root.get("nonModels"), "nonModels")? {
            let object = non_model
                .as_object()
                .ok_or_else(|| invalid(&format!("nonModels.{key} is not an object")))?;
            non_models.push(NonModel {
                name: str_of(object, "name").unwrap_or(key).to_owned(),
                fields: parse_fields(object, &format!("nonModels.{key}"))?,
            });
        }
        let mut enums = Vec::new();
        for (key, enum_type) in object_entries(root.get("enums"), "enums")? {
            enums.push(EnumType {
                name: enum_type
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or(key)
                    .to_owned(),
                values: enum_type
                    .get("values")
                    .and_then(Value::as_array)
                    .map(|values| {
                        values
                            .iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
        Ok(Self {
            models,
            non_models,
            enums,
        })
    }

    /// The model called `name`.
    #[must_use]
    pub fn model(&self, name: &str) -> Option<&Model> {
        self.models.iter().find(|model| model.name == name)
    }

    /// The custom type called `name`.
    #[must_use]
    pub fn non_model(&self, name: &str) -> Option<&NonModel> {
        self.non_models
            .iter()
            .find(|non_model| non_model.name == name)
    }
}

impl Model {
    /// The field called `name`.
    #[must_use]
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|field| field.name == name)
    }

    /// The secondary index whose query field is `query_field`.
    #[must_use]
    pub fn index(&self, query_field: &str) -> Option<&SecondaryIndex> {
        self.indexes
            .iter()
            .find(|index| index.query_field == query_field)
    }

    /// The model name with its first letter upper-cased, as in `createTodo`.
    #[must_use]
    pub fn pascal_name(&self) -> String {
        capitalize(&self.name)
    }

    /// The plural name with its first letter upper-cased, as in `listTodos`.
    #[must_use]
    pub fn pascal_plural_name(&self) -> String {
        capitalize(&self.plural_name)
    }
}

impl NonModel {
    /// The field called `name`.
    #[must_use]
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|field| field.name == name)
    }
}

/// Upper-cases the first letter.
pub(crate) fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn invalid(message: &str) -> DataError {
    DataError::InvalidIntrospection(message.to_owned())
}

fn str_of<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Value::as_str)
}

fn object_entries<'a>(
    value: Option<&'a Value>,
    what: &str,
) -> Result<Vec<(&'a str, &'a Value)>, DataError> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(map)) => Ok(map.iter().map(|(k, v)| (k.as_str(), v)).collect()),
        Some(_) => Err(invalid(&format!(
            "model_introspection.{what} is not an object"
        ))),
    }
}

fn parse_model(key: &str, value: &Value) -> Result<Model, DataError> {
    let object = value
        .as_object()
        .ok_or_else(|| invalid(&format!("models.{key} is not an object")))?;
    let name = str_of(object, "name").unwrap_or(key).to_owned();
    let plural_name = str_of(object, "pluralName")
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{name}s"));
    let fields = parse_fields(object, &format!("models.{key}"))?;
    let attributes = object
        .get("attributes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let primary_key = match object.get("primaryKeyInfo").and_then(Value::as_object) {
        Some(info) => PrimaryKey {
            is_custom: info
                .get("isCustomPrimaryKey")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            field: str_of(info, "primaryKeyFieldName")
                .ok_or_else(|| {
                    invalid(&format!(
                        "models.{key}.primaryKeyInfo has no primaryKeyFieldName"
                    ))
                })?
                .to_owned(),
            sort_keys: strings(info.get("sortKeyFieldNames")),
        },
        None => PrimaryKey {
            is_custom: false,
            field: "id".to_owned(),
            sort_keys: Vec::new(),
        },
    };
    for key_field in std::iter::once(&primary_key.field).chain(&primary_key.sort_keys) {
        if !fields.iter().any(|field| &field.name == key_field) {
            return Err(invalid(&format!(
                "models.{key}: the key field `{key_field}` is not a field of the model"
            )));
        }
    }
    Ok(Model {
        indexes: indexes(&attributes),
        owner_fields: owner_fields(&attributes),
        disabled: disabled_operations(&attributes),
        name,
        plural_name,
        fields,
        primary_key,
        attributes,
    })
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn parse_fields(object: &Map<String, Value>, path: &str) -> Result<Vec<Field>, DataError> {
    let fields = object
        .get("fields")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid(&format!("{path} has no `fields` object")))?;
    fields
        .iter()
        .map(|(key, field)| {
            let field = field
                .as_object()
                .ok_or_else(|| invalid(&format!("{path}.fields.{key} is not an object")))?;
            let field_type = match field.get("type") {
                Some(Value::String(scalar)) => FieldType::Scalar(scalar.clone()),
                Some(Value::Object(kind)) => {
                    let name = |k: &str| kind.get(k).and_then(Value::as_str).map(str::to_owned);
                    if let Some(model) = name("model") {
                        FieldType::Model(model)
                    } else if let Some(non_model) = name("nonModel") {
                        FieldType::NonModel(non_model)
                    } else if let Some(enum_name) = name("enum") {
                        FieldType::Enum(enum_name)
                    } else {
                        FieldType::Other(Value::Object(kind.clone()))
                    }
                }
                other => FieldType::Other(other.cloned().unwrap_or(Value::Null)),
            };
            let flag = |k: &str| field.get(k).and_then(Value::as_bool).unwrap_or(false);
            Ok(Field {
                name: str_of(field, "name").unwrap_or(key).to_owned(),
                field_type,
                is_array: flag("isArray"),
                is_required: flag("isRequired"),
                is_read_only: flag("isReadOnly"),
                association: field
                    .get("association")
                    .and_then(Value::as_object)
                    .map(|a| Association {
                        connection_type: str_of(a, "connectionType").unwrap_or_default().to_owned(),
                        target_names: strings(a.get("targetNames")),
                        associated_with: strings(a.get("associatedWith")),
                    }),
            })
        })
        .collect()
}

fn properties(attribute: &Value) -> Option<&Map<String, Value>> {
    attribute.get("properties").and_then(Value::as_object)
}

fn indexes(attributes: &[Value]) -> Vec<SecondaryIndex> {
    attributes
        .iter()
        .filter(|a| a.get("type").and_then(Value::as_str) == Some("key"))
        .filter_map(properties)
        .filter_map(|p| {
            let query_field = str_of(p, "queryField")?.to_owned();
            let mut fields = strings(p.get("fields")).into_iter();
            let pk = fields.next()?;
            Some(SecondaryIndex {
                name: str_of(p, "name").map(str::to_owned),
                query_field,
                pk,
                sk: fields.collect(),
            })
        })
        .collect()
}

fn owner_fields(attributes: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let rules = attributes
        .iter()
        .filter(|a| a.get("type").and_then(Value::as_str) == Some("auth"))
        .filter_map(properties)
        .filter_map(|p| p.get("rules").and_then(Value::as_array))
        .flatten();
    for rule in rules {
        let field = match rule.get("allow").and_then(Value::as_str) {
            Some("owner") => Some(
                rule.get("ownerField")
                    .and_then(Value::as_str)
                    .unwrap_or("owner"),
            ),
            // Only dynamic group rules name a field; static ones list their groups.
            Some("groups") => rule.get("groupsField").and_then(Value::as_str),
            _ => None,
        };
        if let Some(field) = field
            && !out.iter().any(|f| f == field)
        {
            out.push(field.to_owned());
        }
    }
    out
}

fn disabled_operations(attributes: &[Value]) -> DisabledOperations {
    let mut disabled = DisabledOperations::default();
    let Some(model) = attributes
        .iter()
        .find(|a| a.get("type").and_then(Value::as_str) == Some("model"))
        .and_then(properties)
    else {
        return disabled;
    };
    // `"queries": null` turns off get and list; `"queries": {"get": null}` only get. Same for mutations.
    let off = |group: &str, op: &str| match model.get(group) {
        Some(Value::Null) => true,
        Some(Value::Object(ops)) => matches!(ops.get(op), Some(Value::Null)),
        _ => false,
    };
    disabled.get = off("queries", "get");
    disabled.list = off("queries", "list");
    disabled.create = off("mutations", "create");
    disabled.update = off("mutations", "update");
    disabled.delete = off("mutations", "delete");
    disabled
}
