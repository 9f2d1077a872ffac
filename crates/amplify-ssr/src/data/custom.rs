//! [`CustomOperationClient`]: the custom queries and mutations of `model_introspection` (`client.queries.*` and
//! `client.mutations.*` upstream), with typed arguments checked before any request, selection sets, every auth
//! mode, and AppSync's errors returned next to the data as for models.

use serde_json::{Map, Value};

use super::client::{Call, DataClient};
use super::document::return_selection_set;
use super::error::DataError;
use super::introspection::{CustomOperation, Field, FieldType, Introspection, OperationKind};
use super::model::{ModelOptions, ModelResult};
use super::variables;
use crate::context::ServerContext;

/// One custom query or mutation. Obtain one with [`DataClient::query`] or [`DataClient::mutation`]; cheap to
/// clone.
#[derive(Clone, Debug)]
pub struct CustomOperationClient {
    client: DataClient,
    kind: OperationKind,
    index: usize,
}

impl DataClient {
    /// The custom query `name` (`client.queries.<name>`), when `model_introspection` declares it.
    #[must_use]
    pub fn query(&self, name: &str) -> Option<CustomOperationClient> {
        self.custom_operation(OperationKind::Query, name)
    }

    /// The custom mutation `name` (`client.mutations.<name>`), when `model_introspection` declares it.
    #[must_use]
    pub fn mutation(&self, name: &str) -> Option<CustomOperationClient> {
        self.custom_operation(OperationKind::Mutation, name)
    }

    /// The custom query or mutation `name`.
    #[must_use]
    pub fn custom_operation(
        &self,
        kind: OperationKind,
        name: &str,
    ) -> Option<CustomOperationClient> {
        let schema = self.introspection()?;
        let index = schema
            .operations(kind)
            .iter()
            .position(|op| op.name == name)?;
        Some(CustomOperationClient {
            client: self.clone(),
            kind,
            index,
        })
    }

    /// The names of the custom queries, in file order.
    pub fn query_names(&self) -> impl Iterator<Item = &str> {
        self.introspection()
            .into_iter()
            .flat_map(|schema| schema.queries.iter().map(|op| op.name.as_str()))
    }

    /// The names of the custom mutations, in file order.
    pub fn mutation_names(&self) -> impl Iterator<Item = &str> {
        self.introspection()
            .into_iter()
            .flat_map(|schema| schema.mutations.iter().map(|op| op.name.as_str()))
    }
}

impl CustomOperationClient {
    fn schema(&self) -> &Introspection {
        // A CustomOperationClient exists only for a client that has a schema.
        self.client
            .introspection()
            .expect("a custom operation client has a schema")
    }

    /// The operation's introspection.
    #[must_use]
    pub fn definition(&self) -> &CustomOperation {
        &self.schema().operations(self.kind)[self.index]
    }

    /// The operation's field name (`summary`).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.definition().name
    }

    /// The exact GraphQL document a call sends, for the default (`None`) or a custom selection set:
    /// `query summary($prefix: String!) { summary(prefix: $prefix) { open done } }`.
    ///
    /// # Errors
    ///
    /// [`DataError::InvalidSelectionSet`] for a bad path, or any selection set on a scalar result.
    pub fn document(&self, selection_set: Option<&[&str]>) -> Result<String, DataError> {
        let custom: Option<Vec<String>> =
            selection_set.map(|paths| paths.iter().map(|p| (*p).to_owned()).collect());
        document(self.schema(), self.definition(), custom.as_deref())
    }

    /// Calls the operation with `arguments` (a JSON object of the declared arguments). The result's `data` is the
    /// operation's value (`null` when AppSync answers none); a model result has its relationship collections
    /// flattened, as model operations do.
    ///
    /// # Errors
    ///
    /// [`DataError::InvalidInput`] before any request for arguments that are not an object, an undeclared
    /// argument, or a missing required one; auth-mode, transport and selection-set errors as for models.
    /// AppSync's errors (a refusal, the function's own error) are in the result.
    pub async fn call(
        &self,
        ctx: &ServerContext,
        arguments: Value,
        options: ModelOptions,
    ) -> Result<ModelResult<Value>, DataError> {
        let op = self.definition();
        let variables = check_arguments(op, arguments)?;
        let query = document(self.schema(), op, options.selection_set.as_deref())?;
        let mut response = self
            .client
            .execute(
                ctx,
                Call {
                    query: &query,
                    variables: Some(&variables),
                    operation_name: None,
                    auth_mode: options.auth_mode,
                    api_key: options.api_key.as_deref(),
                    auth_token: options.auth_token.as_deref(),
                    headers: &options.headers,
                    label: Some(&op.name),
                },
            )
            .await?;
        let mut data = response
            .data
            .get_mut(&op.name)
            .map(Value::take)
            .unwrap_or(Value::Null);
        if let FieldType::Model(name) = &op.returns.field_type
            && let Some(model) = self.schema().model(name)
        {
            data = match data {
                Value::Array(items) => Value::Array(
                    items
                        .into_iter()
                        .map(|item| variables::flatten(self.schema(), model, item))
                        .collect(),
                ),
                Value::Null => Value::Null,
                item => variables::flatten(self.schema(), model, item),
            };
        }
        Ok(ModelResult {
            data,
            errors: response.errors,
            extensions: response.extensions,
        })
    }
}

/// The arguments as variables: an object of declared arguments, every required one present and non-null.
fn check_arguments(op: &CustomOperation, arguments: Value) -> Result<Value, DataError> {
    let arguments = match arguments {
        Value::Null => Map::new(),
        Value::Object(object) => object,
        other => {
            return Err(DataError::InvalidInput(format!(
                "the arguments of {} must be a JSON object, not {other}",
                op.name
            )));
        }
    };
    if let Some(unknown) = arguments.keys().find(|k| op.argument(k).is_none()) {
        let declared: Vec<&str> = op.arguments.iter().map(|a| a.name.as_str()).collect();
        return Err(DataError::InvalidInput(format!(
            "{} has no argument `{unknown}` (it takes: {})",
            op.name,
            if declared.is_empty() {
                "none".to_owned()
            } else {
                declared.join(", ")
            }
        )));
    }
    for argument in &op.arguments {
        if argument.value_required() && arguments.get(&argument.name).is_none_or(Value::is_null) {
            return Err(DataError::InvalidInput(format!(
                "{} needs the argument `{}`",
                op.name, argument.name
            )));
        }
    }
    Ok(Value::Object(arguments))
}

/// The type of an argument in a variable definition (`String!`, `[ID!]`, `LocationInput`).
fn argument_type(argument: &Field) -> String {
    let base = match &argument.field_type {
        FieldType::NonModel(name) => format!("{name}Input"),
        other => other.graphql_name().to_owned(),
    };
    if argument.is_array {
        let element = if argument.is_required {
            format!("[{base}!]")
        } else {
            format!("[{base}]")
        };
        if argument.is_array_nullable {
            element
        } else {
            format!("{element}!")
        }
    } else if argument.is_required {
        format!("{base}!")
    } else {
        base
    }
}

/// `<query|mutation> <name>(<$arg: Type>, …) { <name>(<arg: $arg>, …) <selection> }`.
fn document(
    schema: &Introspection,
    op: &CustomOperation,
    custom: Option<&[String]>,
) -> Result<String, DataError> {
    let selection = return_selection_set(schema, &op.returns.field_type, custom)?;
    let (definitions, arguments) = if op.arguments.is_empty() {
        (String::new(), String::new())
    } else {
        (
            format!(
                "({})",
                op.arguments
                    .iter()
                    .map(|a| format!("${}: {}", a.name, argument_type(a)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            format!(
                "({})",
                op.arguments
                    .iter()
                    .map(|a| format!("{}: ${}", a.name, a.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    };
    let selection = selection.map(|s| format!(" {{ {s} }}")).unwrap_or_default();
    Ok(format!(
        "{kind} {name}{definitions} {{ {name}{arguments}{selection} }}",
        kind = op.kind.as_str(),
        name = op.name
    ))
}
