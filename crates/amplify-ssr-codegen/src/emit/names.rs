//! The Rust names of everything generated, chosen once before anything is written: type-name
//! collisions are errors (users write these names), member-name clashes get a suffix.

use std::collections::BTreeMap;

use crate::CodegenError;
use crate::naming::{Scope, snake_case, upper_camel_case};
use crate::schema::{Schema, implicit_fields};

use super::sort_key_arg;

/// Names of the support items emitted once per file.
const SUPPORT_TYPES: &[&str] = &[
    "TypedResult",
    "TypedListResult",
    "KeyCondition",
    "TypedDataError",
    "TypedModels",
    "CustomOperations",
];

/// Method names of `CustomOperations` that operation methods must not take.
const OPERATION_METHODS: &[&str] = &["new", "untyped", "clone", "fmt"];

/// Method names of a `<Model>Client` that index query methods must not take.
const CLIENT_METHODS: &[&str] = &[
    "new",
    "untyped",
    "client",
    "create",
    "get",
    "update",
    "delete",
    "list",
    "list_all",
    "list_by_key",
    "clone",
    "fmt",
];

/// Names `TypedModels` accessors must not take: inherent methods of `DataClient` win over trait
/// methods, so an accessor with one of these names could never be called. The crate's test
/// `accessors_never_take_a_data_client_method_name` checks it against `DataClient`'s source.
pub(crate) const DATA_CLIENT_METHODS: &[&str] = &[
    "new",
    "with_auth_mode",
    "with_api_key",
    "with_auth_token",
    "with_header",
    "with_retry_policy",
    "endpoint",
    "introspection",
    "default_auth_mode",
    "model",
    "model_names",
    "query",
    "mutation",
    "custom_operation",
    "query_names",
    "mutation_names",
    "graphql",
    "shared",
    "clone",
    "clone_from",
    "fmt",
];

/// Methods that prelude traits give every `DataClient` (`Into`, `TryInto`, `ToOwned` by blanket
/// impls): an accessor with one of these names would be ambiguous in method-call syntax.
const PRELUDE_TRAIT_METHODS: &[&str] = &["into", "try_into", "to_owned", "clone_into"];

/// Parameter names used by every generated method.
const METHOD_PARAMS: &[&str] = &["self", "ctx", "options", "input", "key", "args"];

/// Every name of the generated code.
pub(super) struct Names {
    /// GraphQL enum name → Rust type.
    pub(super) enums: BTreeMap<String, String>,
    /// GraphQL custom-type name → Rust type.
    pub(super) non_models: BTreeMap<String, String>,
    /// Per custom type: GraphQL field name → Rust field name.
    pub(super) non_model_fields: BTreeMap<String, BTreeMap<String, String>>,
    /// One per model, in schema order.
    pub(super) models: Vec<ModelNames>,
    /// One per custom operation, in schema order.
    pub(super) operations: Vec<OperationNames>,
}

/// Names of a custom operation's method and its arguments.
pub(super) struct OperationNames {
    /// The `CustomOperations` method.
    pub(super) method: String,
    /// The arguments struct, when the operation takes arguments.
    pub(super) args: Option<String>,
    /// GraphQL argument name → Rust field name.
    pub(super) fields: BTreeMap<String, String>,
}

/// Names of everything generated for one model.
pub(super) struct ModelNames {
    pub(super) ty: String,
    pub(super) key: String,
    pub(super) create: String,
    pub(super) update: String,
    pub(super) client: String,
    pub(super) accessor: String,
    /// GraphQL field name → Rust field name, for declared and implicit fields.
    pub(super) fields: BTreeMap<String, String>,
    pub(super) indexes: Vec<KeyQueryNames>,
    /// For `list_by_key`, when the model has a custom primary key.
    pub(super) primary: Option<KeyQueryNames>,
    /// Relationship loaders: GraphQL field name → method (`load_comments`).
    pub(super) loaders: Vec<(String, String)>,
}

/// Names of a query by partition key and sort-key condition.
pub(super) struct KeyQueryNames {
    /// The method (`list_by_key` for the primary key).
    pub(super) method: String,
    /// Rust parameter for the partition key.
    pub(super) pk_param: String,
    /// Rust parameter for the sort-key condition (when the key has a sort key).
    pub(super) sk_param: String,
    /// The struct of a composite sort key.
    pub(super) composite: Option<String>,
}

fn field_scope<'f>(fields: impl Iterator<Item = &'f str>) -> BTreeMap<String, String> {
    let mut scope = Scope::default();
    fields
        .map(|name| (name.to_owned(), scope.claim(snake_case(name))))
        .collect()
}

/// Type names, each claimed once.
struct TypeNames(BTreeMap<String, String>);

impl TypeNames {
    fn take(&mut self, name: String, what: String) -> Result<String, CodegenError> {
        if let Some(previous) = self.0.get(&name) {
            return Err(CodegenError::NameCollision(format!(
                "`{name}` would name both {previous} and {what}"
            )));
        }
        self.0.insert(name.clone(), what);
        Ok(name)
    }
}

/// Parameter names of a key query on `pk` and the sort keys `sk`.
fn key_query(
    types: &mut TypeNames,
    method: String,
    pk: &str,
    sk: &[String],
    composite: impl FnOnce() -> (String, String),
) -> Result<KeyQueryNames, CodegenError> {
    let mut params = Scope::with_reserved(METHOD_PARAMS);
    let composite = if sk.len() > 1 {
        let (name, what) = composite();
        Some(types.take(name, what)?)
    } else {
        None
    };
    Ok(KeyQueryNames {
        method,
        pk_param: params.claim(snake_case(pk)),
        sk_param: if sk.is_empty() {
            String::new()
        } else {
            params.claim(snake_case(&sort_key_arg(sk)))
        },
        composite,
    })
}

impl Names {
    pub(super) fn new(schema: &Schema) -> Result<Self, CodegenError> {
        let mut types = TypeNames(
            SUPPORT_TYPES
                .iter()
                .map(|t| {
                    (
                        (*t).to_owned(),
                        "a support item of the generated code".to_owned(),
                    )
                })
                .collect(),
        );
        let mut enums = BTreeMap::new();
        for e in &schema.enums {
            let name = types.take(upper_camel_case(&e.name), format!("enum `{}`", e.name))?;
            enums.insert(e.name.clone(), name);
        }
        let mut non_models = BTreeMap::new();
        let mut non_model_fields = BTreeMap::new();
        for n in &schema.non_models {
            let name = types.take(
                upper_camel_case(&n.name),
                format!("custom type `{}`", n.name),
            )?;
            non_models.insert(n.name.clone(), name);
            non_model_fields.insert(
                n.name.clone(),
                field_scope(n.fields.iter().map(|f| f.name.as_str())),
            );
        }
        let mut accessors = Scope::with_reserved(DATA_CLIENT_METHODS);
        accessors.reserve(PRELUDE_TRAIT_METHODS);
        let mut models = Vec::new();
        for m in &schema.models {
            let ty = upper_camel_case(&m.name);
            let bare = ty.trim_end_matches('_').to_owned();
            let what = |item: &str| format!("{item} of model `{}`", m.name);
            let implicit = implicit_fields(m);
            let fields = field_scope(
                m.fields
                    .iter()
                    .map(|f| f.name.as_str())
                    .chain(implicit.iter().map(|f| f.name.as_str())),
            );
            let mut methods = Scope::with_reserved(CLIENT_METHODS);
            let mut indexes = Vec::new();
            for index in &m.indexes {
                let index_name = index.name_or_query_field();
                indexes.push(key_query(
                    &mut types,
                    methods.claim(snake_case(&index.query_field)),
                    &index.pk,
                    &index.sk,
                    || {
                        (
                            format!(
                                "{bare}{}SortKey",
                                upper_camel_case(index_name).trim_end_matches('_')
                            ),
                            what(&format!("the composite sort key of index `{index_name}`")),
                        )
                    },
                )?);
            }
            let loaders = m
                .fields
                .iter()
                .filter(|f| {
                    matches!(
                        f.field_type,
                        amplify_model_introspection::FieldType::Model(_)
                    ) && f.association.is_some()
                })
                .map(|f| {
                    (
                        f.name.clone(),
                        methods.claim(format!(
                            "load_{}",
                            snake_case(&f.name).trim_start_matches("r#")
                        )),
                    )
                })
                .collect();
            let primary = if m.primary_key.is_custom {
                Some(key_query(
                    &mut types,
                    "list_by_key".to_owned(),
                    &m.primary_key.field,
                    &m.primary_key.sort_keys,
                    || {
                        (
                            format!("{bare}PrimarySortKey"),
                            what("the composite sort key of the primary key"),
                        )
                    },
                )?)
            } else {
                None
            };
            models.push(ModelNames {
                primary,
                key: types.take(format!("{bare}Key"), what("the key struct"))?,
                create: types.take(format!("Create{bare}Input"), what("the create input"))?,
                update: types.take(format!("Update{bare}Input"), what("the update input"))?,
                client: types.take(format!("{bare}Client"), what("the typed client"))?,
                ty: types.take(ty, format!("model `{}`", m.name))?,
                accessor: accessors.claim(snake_case(&m.name)),
                fields,
                indexes,
                loaders,
            });
        }
        let mut methods = Scope::with_reserved(OPERATION_METHODS);
        let mut operations = Vec::new();
        for op in &schema.operations {
            let kind = op.kind.as_str();
            let args = if op.arguments.is_empty() {
                None
            } else {
                let base = upper_camel_case(&op.name);
                let base = base.trim_end_matches('_');
                let suffix = match op.kind {
                    amplify_model_introspection::OperationKind::Query => "QueryArgs",
                    amplify_model_introspection::OperationKind::Mutation => "MutationArgs",
                };
                Some(types.take(
                    format!("{base}{suffix}"),
                    format!("the arguments of custom {kind} `{}`", op.name),
                )?)
            };
            operations.push(OperationNames {
                method: methods.claim(snake_case(&op.name)),
                args,
                fields: field_scope(op.arguments.iter().map(|a| a.name.as_str())),
            });
        }
        Ok(Self {
            enums,
            non_models,
            non_model_fields,
            models,
            operations,
        })
    }
}
