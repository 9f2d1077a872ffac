//! The `data.model_introspection` document of an Amplify Gen 2 `amplify_outputs.json`, parsed once for every
//! reader: the `amplify-ssr` model client, its build-time code generator, and the `amplify-local` GraphQL API.
//!
//! ```
//! use amplify_model_introspection::Introspection;
//!
//! let document = serde_json::json!({
//!     "version": 1,
//!     "models": { "Todo": {
//!         "name": "Todo", "pluralName": "Todos",
//!         "fields": { "id": { "name": "id", "type": "ID", "isArray": false, "isRequired": true } },
//!         "attributes": [{ "type": "model", "properties": {} }]
//!     } }
//! });
//! let schema = Introspection::parse(&document)?;
//! let todo = schema.model("Todo").expect("a Todo model");
//! // No `primaryKeyInfo`: the key is `id`, as upstream assumes.
//! assert_eq!(todo.primary_key.field, "id");
//! assert_eq!(todo.pascal_plural_name(), "Todos");
//! # Ok::<(), amplify_model_introspection::IntrospectionError>(())
//! ```
//!
//! # How lenient the parser is
//!
//! One rule: **a member that is absent (or `null`) takes upstream's default; a member that is present with the
//! wrong shape is an error** naming its location (`/models/Todo/primaryKeyInfo: expected an object`). Unknown
//! members are ignored (the document grows: `syncable`, `queries`, `conversations`, ...). In particular:
//!
//! * a model without `primaryKeyInfo` is keyed by `id` (not custom, no sort keys), as aws-amplify assumes;
//! * a field whose `type` this crate does not understand is kept as [`FieldType::Other`]; readers that cannot
//!   work with such a field call [`Introspection::check_types`];
//! * the key fields of the primary key must be fields of the model.
//!
//! Collections keep the order of the JSON object they come from (file order when `serde_json`'s
//! `preserve_order` feature is on, as in `amplify-ssr`, where field order drives the default selection set).

mod parse;

// The README's examples run as doc tests, so the published README stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

use serde_json::Value;

/// The model introspection schema of a Gen 2 backend.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Introspection {
    /// The models (`@model` types).
    pub models: Vec<Model>,
    /// The custom types (`nonModels`).
    pub non_models: Vec<NonModel>,
    /// The enums.
    pub enums: Vec<EnumType>,
    /// The custom queries (`queries`), in file order.
    pub queries: Vec<CustomOperation>,
    /// The custom mutations (`mutations`), in file order.
    pub mutations: Vec<CustomOperation>,
}

/// Whether a custom operation is a query or a mutation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperationKind {
    /// A `queries` entry.
    Query,
    /// A `mutations` entry.
    Mutation,
}

impl OperationKind {
    /// `query` or `mutation`, as a GraphQL document names the operation type.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Query => "query",
            Self::Mutation => "mutation",
        }
    }

    /// `queries` or `mutations`, as `model_introspection` names the group.
    #[must_use]
    pub fn group(self) -> &'static str {
        match self {
            Self::Query => "queries",
            Self::Mutation => "mutations",
        }
    }
}

/// A custom query or mutation (`queries` / `mutations` entry): a field of `Query` or `Mutation` with typed
/// arguments, resolved by a function.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CustomOperation {
    /// Query or mutation.
    pub kind: OperationKind,
    /// The field name (`summary`).
    pub name: String,
    /// The return type, with `is_array` / `is_required` as for a field (`association` is always `None`).
    pub returns: Field,
    /// The arguments, in file order (`association` is always `None`).
    pub arguments: Vec<Field>,
    /// The rules of an `authorization` member: **not written by Amplify** (its introspection carries no rules
    /// for custom operations); amplify-local reads them so that it can authorise an operation as AppSync would.
    /// Empty when absent.
    pub auth_rules: Vec<AuthRule>,
}

impl CustomOperation {
    /// The argument called `name`.
    #[must_use]
    pub fn argument(&self, name: &str) -> Option<&Field> {
        self.arguments.iter().find(|a| a.name == name)
    }
}

/// One `@model` type.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Model {
    /// The model name (`Todo`).
    pub name: String,
    /// The plural name (`Todos`), used by `list<PluralName>`; `<name>s` when absent.
    pub plural_name: String,
    /// The declared fields.
    pub fields: Vec<Field>,
    /// The primary key (`id` when the document has no `primaryKeyInfo`).
    pub primary_key: PrimaryKey,
    /// Secondary indexes that have a query field and at least one key field.
    pub indexes: Vec<SecondaryIndex>,
    /// The rules of the `auth` attributes, in order.
    pub auth_rules: Vec<AuthRule>,
    /// Owner-auth fields: the `ownerField` of every `allow: owner` rule and the `groupsField` of dynamic group
    /// rules, whether or not the model declares them, without repeats.
    pub owner_fields: Vec<String>,
    /// Operations the `model` attribute disables.
    pub disabled: DisabledOperations,
    /// The raw `attributes` array, as written.
    pub attributes: Vec<Value>,
}

/// A custom type (`nonModels` entry).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NonModel {
    /// The type name.
    pub name: String,
    /// Its fields.
    pub fields: Vec<Field>,
}

/// An enum.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnumType {
    /// The enum name.
    pub name: String,
    /// Its values, in declaration order.
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
    /// Non-null (for lists: the elements are non-null).
    pub is_required: bool,
    /// For lists: the list itself may be null (`true` when absent).
    pub is_array_nullable: bool,
    /// Read-only (`createdAt`, `updatedAt`): set by the service.
    pub is_read_only: bool,
    /// The relationship, for model-typed fields.
    pub association: Option<Association>,
    /// Field-level rules (the field's `auth` attributes), in order; empty when the field has none (the model's
    /// rules then decide alone).
    pub auth_rules: Vec<AuthRule>,
}

impl Field {
    /// Whether a value is always present: a non-null value, or a non-null list.
    #[must_use]
    pub fn value_required(&self) -> bool {
        if self.is_array {
            !self.is_array_nullable
        } else {
            self.is_required
        }
    }
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
    /// Anything else, as written (`null` when the field has no `type`).
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
    /// `HAS_MANY`, `HAS_ONE` or `BELONGS_TO`, as written.
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

impl Default for PrimaryKey {
    /// Upstream's key of a model without `primaryKeyInfo`: `id`, no sort keys.
    fn default() -> Self {
        Self {
            is_custom: false,
            field: "id".to_owned(),
            sort_keys: Vec::new(),
        }
    }
}

/// A secondary index with a query field (an attribute `{"type": "key", "properties": {"name", "queryField",
/// "fields": [pk, ...sk]}}`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SecondaryIndex {
    /// The index name, when the document gives one.
    pub name: Option<String>,
    /// The query field (`listTodoByStatus`), also the model-client operation name.
    pub query_field: String,
    /// The partition key field.
    pub pk: String,
    /// The sort key fields.
    pub sk: Vec<String>,
}

impl SecondaryIndex {
    /// The index name, or its query field when it has none.
    #[must_use]
    pub fn name_or_query_field(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.query_field)
    }
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

/// One rule of a model's `auth` attribute, with upstream's defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthRule {
    /// `owner`, `private`, `public`, `groups` or `custom` (`owner`, the narrowest, when absent).
    pub allow: String,
    /// `userPools`, `iam`, `apiKey`, `oidc` or `function` (by `allow` when absent: `apiKey` for `public`,
    /// `function` for `custom`, otherwise `userPools`).
    pub provider: String,
    /// The operations the rule grants; `None`: every operation.
    pub operations: Option<Vec<String>>,
    /// The field holding the owner (`owner` when absent).
    pub owner_field: String,
    /// The token claim identifying the owner (`sub::username` when absent).
    pub identity_claim: String,
    /// The groups of a static group rule.
    pub groups: Vec<String>,
    /// The token claim holding the groups (`cognito:groups` when absent).
    pub group_claim: String,
    /// The field holding the groups of a dynamic group rule.
    pub groups_field: Option<String>,
}

/// Why a `model_introspection` document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IntrospectionError {
    /// Where: a JSON-pointer-like path, e.g. `/models/Todo/primaryKeyInfo`.
    pub at: String,
    /// What is wrong there.
    pub problem: String,
}

impl std::fmt::Display for IntrospectionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.problem)
    }
}

impl std::error::Error for IntrospectionError {}

impl IntrospectionError {
    pub(crate) fn new(at: impl Into<String>, problem: impl std::fmt::Display) -> Self {
        Self {
            at: at.into(),
            problem: problem.to_string(),
        }
    }
}

impl Introspection {
    /// Parses a `model_introspection` object (see the [crate docs](crate) for what is accepted).
    ///
    /// # Errors
    ///
    /// [`IntrospectionError`] naming the first member with the wrong shape, or a key field that is not a field
    /// of its model.
    pub fn parse(value: &Value) -> Result<Self, IntrospectionError> {
        parse::introspection(value)
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

    /// The enum called `name`.
    #[must_use]
    pub fn enum_type(&self, name: &str) -> Option<&EnumType> {
        self.enums.iter().find(|e| e.name == name)
    }

    /// The custom query (`Query`) or mutation called `name`.
    #[must_use]
    pub fn custom_operation(&self, kind: OperationKind, name: &str) -> Option<&CustomOperation> {
        self.operations(kind).iter().find(|op| op.name == name)
    }

    /// The custom queries or the custom mutations, in file order.
    #[must_use]
    pub fn operations(&self, kind: OperationKind) -> &[CustomOperation] {
        match kind {
            OperationKind::Query => &self.queries,
            OperationKind::Mutation => &self.mutations,
        }
    }

    /// Checks that every field has a type this crate understands, and that every enum, custom type and model a
    /// field names is defined. Readers that need the whole type of every field (code generation, a GraphQL
    /// server) call this; the model client does not (it leaves such fields out of selection sets).
    ///
    /// # Errors
    ///
    /// [`IntrospectionError`] at the first field whose type is unknown or undefined.
    pub fn check_types(&self) -> Result<(), IntrospectionError> {
        let mut located: Vec<(String, &Field)> = Vec::new();
        for model in &self.models {
            for field in &model.fields {
                located.push((
                    format!("/models/{}/fields/{}/type", model.name, field.name),
                    field,
                ));
            }
        }
        for non_model in &self.non_models {
            for field in &non_model.fields {
                located.push((
                    format!("/nonModels/{}/fields/{}/type", non_model.name, field.name),
                    field,
                ));
            }
        }
        for op in self.queries.iter().chain(&self.mutations) {
            let at = format!("/{}/{}", op.kind.group(), op.name);
            located.push((format!("{at}/type"), &op.returns));
            for argument in &op.arguments {
                located.push((format!("{at}/arguments/{}/type", argument.name), argument));
            }
        }
        for (at, field) in located {
            let defined = match &field.field_type {
                FieldType::Scalar(_) => true,
                FieldType::Enum(name) => self.enum_type(name).is_some(),
                FieldType::NonModel(name) => self.non_model(name).is_some(),
                FieldType::Model(name) => self.model(name).is_some(),
                FieldType::Other(_) => {
                    return Err(IntrospectionError::new(
                        at,
                        "expected a scalar name or an object with `model`, `nonModel` or `enum`",
                    ));
                }
            };
            if !defined {
                return Err(IntrospectionError::new(
                    at,
                    format_args!("refers to an undefined type {:?}", field.field_type),
                ));
            }
        }
        Ok(())
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

    /// The primary key fields: the partition key, then the sort keys.
    #[must_use]
    pub fn key_fields(&self) -> Vec<&str> {
        std::iter::once(self.primary_key.field.as_str())
            .chain(self.primary_key.sort_keys.iter().map(String::as_str))
            .collect()
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

/// Upper-cases the first letter only (`listTodos` → `ListTodos`), as upstream builds operation names.
#[must_use]
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests;
