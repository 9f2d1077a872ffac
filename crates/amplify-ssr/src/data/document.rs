//! GraphQL documents of the model operations, exactly as aws-amplify prints them (reference §8.3): variable
//! definitions and arguments comma-joined without spaces, selection sets space-joined.

use super::error::DataError;
use amplify_model_introspection::capitalize;

use super::introspection::{FieldType, Introspection, Model};

/// A model operation, for [`ModelClient::document`](super::ModelClient::document).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ModelOperation {
    /// `create<Name>`.
    Create,
    /// `get<Name>`.
    Get,
    /// `update<Name>`.
    Update,
    /// `delete<Name>`.
    Delete,
    /// `list<PluralName>`.
    List,
    /// A secondary index query, by its query field.
    IndexQuery(String),
}

impl ModelOperation {
    /// The operation's name as the model attribute spells it (`get`, `list`, ...), or the query field.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Create => "create",
            Self::Get => "get",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::List => "list",
            Self::IndexQuery(field) => field,
        }
    }
}

/// One node of a selection set: a leaf, a nested object, or a relation list (`field { items { … } }`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Leaf,
    Object(Selection),
    Items(Selection),
}

/// An ordered selection: fields in first-mention order.
type Selection = Vec<(String, Node)>;

/// The most fields one generated selection set may have. A custom type is expanded again at every use, so custom
/// types that nest each other several times per level would otherwise ask for exponentially many fields (26
/// levels of two fields each: 2^26).
const MAX_SELECTION_FIELDS: usize = 10_000;

/// The fields a selection set may still add.
struct Budget(usize);

impl Budget {
    fn new() -> Self {
        Self(MAX_SELECTION_FIELDS)
    }

    /// Counts one more field, or fails when there are too many.
    fn spend(&mut self) -> Result<(), DataError> {
        self.0 = self.0.checked_sub(1).ok_or_else(|| {
            DataError::InvalidIntrospection(format!(
                "the selection set would have more than {MAX_SELECTION_FIELDS} fields: the custom types \
                 (nonModels) nest too deeply; select fewer fields with a custom selection set"
            ))
        })?;
        Ok(())
    }
}

/// The printed selection set of `model` (default, or from custom paths).
pub(crate) fn selection_set(
    schema: &Introspection,
    model: &Model,
    custom: Option<&[String]>,
) -> Result<String, DataError> {
    let budget = &mut Budget::new();
    let selection = match custom {
        None => default_model_selection(schema, model, budget)?,
        Some(paths) => {
            let mut selection = Selection::new();
            for path in paths {
                let node = path_selection(schema, Container::Model(model), path, budget)?;
                merge(&mut selection, node);
            }
            selection
        }
    };
    Ok(print(&selection))
}

/// The printed selection set of a custom operation's return type: `None` for scalars and enums (no selection),
/// the default or custom selection of a model or custom type.
pub(crate) fn return_selection_set(
    schema: &Introspection,
    returns: &FieldType,
    custom: Option<&[String]>,
) -> Result<Option<String>, DataError> {
    let budget = &mut Budget::new();
    let container = match returns {
        FieldType::Model(name) => Container::Model(
            schema
                .model(name)
                .ok_or_else(|| DataError::UnknownModel(name.clone()))?,
        ),
        FieldType::NonModel(name) => {
            Container::NonModel(schema.non_model(name).ok_or_else(|| {
                DataError::InvalidIntrospection(format!("no custom type named `{name}`"))
            })?)
        }
        _ if custom.is_some_and(|paths| !paths.is_empty()) => {
            return Err(DataError::InvalidSelectionSet(
                "the operation returns a scalar: it takes no selection set".to_owned(),
            ));
        }
        _ => return Ok(None),
    };
    let selection = match (custom, container) {
        (None, Container::Model(model)) => default_model_selection(schema, model, budget)?,
        (None, Container::NonModel(non_model)) => {
            non_model_selection(schema, &non_model.name, &mut Vec::new(), budget)?
                .unwrap_or_default()
        }
        (Some(paths), container) => {
            let mut selection = Selection::new();
            for path in paths {
                merge(
                    &mut selection,
                    path_selection(schema, container, path, budget)?,
                );
            }
            selection
        }
    };
    Ok(Some(print(&selection)))
}

/// The field name of an operation (`createTodo`, `listTodos`, the index query field).
pub(crate) fn field_name(model: &Model, operation: &ModelOperation) -> String {
    match operation {
        ModelOperation::Create => format!("create{}", model.pascal_name()),
        ModelOperation::Get => format!("get{}", model.pascal_name()),
        ModelOperation::Update => format!("update{}", model.pascal_name()),
        ModelOperation::Delete => format!("delete{}", model.pascal_name()),
        ModelOperation::List => format!("list{}", model.pascal_plural_name()),
        ModelOperation::IndexQuery(field) => field.clone(),
    }
}

/// `sk1` for one sort key, `sk1Sk2…` for a composite one.
pub(crate) fn sort_key_arg(sort_keys: &[String]) -> Option<String> {
    let (first, rest) = sort_keys.split_first()?;
    Some(rest.iter().fold(first.clone(), |mut name, key| {
        name.push_str(&capitalize(key));
        name
    }))
}

/// The key-condition input type of a single sort key (`ModelStringKeyConditionInput`, ...).
fn key_condition_type(model: &Model, field: &str) -> String {
    let normalized = match model.field(field).map(|f| &f.field_type) {
        Some(FieldType::Scalar(scalar)) => match scalar.as_str() {
            "ID" => "ID",
            "AWSTimestamp" | "Int" => "Int",
            "Float" => "Float",
            "Boolean" => "Boolean",
            _ => "String",
        },
        _ => "String",
    };
    format!("Model{normalized}KeyConditionInput")
}

fn type_of(model: &Model, field: &str) -> String {
    model
        .field(field)
        .map(|f| f.field_type.graphql_name().to_owned())
        .unwrap_or_else(|| "String".to_owned())
}

/// The variable definitions of an operation, in aws-amplify's order.
pub(crate) fn arguments(
    model: &Model,
    operation: &ModelOperation,
) -> Result<Vec<(String, String)>, DataError> {
    let name = model.pascal_name();
    let key = &model.primary_key;
    let mut args: Vec<(String, String)> = Vec::new();
    match operation {
        ModelOperation::Create | ModelOperation::Update | ModelOperation::Delete => {
            let prefix = capitalize(operation.as_str());
            args.push(("input".to_owned(), format!("{prefix}{name}Input!")));
        }
        ModelOperation::Get => {
            args.push((
                key.field.clone(),
                format!("{}!", type_of(model, &key.field)),
            ));
            if key.is_custom {
                for sk in &key.sort_keys {
                    args.push((sk.clone(), format!("{}!", type_of(model, sk))));
                }
            }
        }
        ModelOperation::List => {
            if key.is_custom {
                args.push((key.field.clone(), type_of(model, &key.field)));
                args.push(("sortDirection".to_owned(), "ModelSortDirection".to_owned()));
                match key.sort_keys.as_slice() {
                    [] => {}
                    [sk] => args.push((sk.clone(), key_condition_type(model, sk))),
                    composite => args.push((
                        sort_key_arg(composite).unwrap_or_default(),
                        format!("Model{name}PrimaryCompositeKeyConditionInput"),
                    )),
                }
            }
            args.push(("filter".to_owned(), format!("Model{name}FilterInput")));
            args.push(("limit".to_owned(), "Int".to_owned()));
            args.push(("nextToken".to_owned(), "String".to_owned()));
        }
        ModelOperation::IndexQuery(query_field) => {
            let index = model
                .index(query_field)
                .ok_or_else(|| DataError::UnknownIndex {
                    model: model.name.clone(),
                    query_field: query_field.clone(),
                })?;
            args.push((index.pk.clone(), format!("{}!", type_of(model, &index.pk))));
            match index.sk.as_slice() {
                [] => {}
                [sk] => args.push((sk.clone(), key_condition_type(model, sk))),
                composite => {
                    let index_name = capitalize(index.name.as_deref().unwrap_or_default());
                    args.push((
                        sort_key_arg(composite).unwrap_or_default(),
                        format!("Model{name}{index_name}CompositeKeyConditionInput"),
                    ));
                }
            }
            args.push(("filter".to_owned(), format!("Model{name}FilterInput")));
            args.push(("sortDirection".to_owned(), "ModelSortDirection".to_owned()));
            args.push(("limit".to_owned(), "Int".to_owned()));
            args.push(("nextToken".to_owned(), "String".to_owned()));
        }
    }
    Ok(args)
}

/// The whole document of a model operation.
pub(crate) fn document(
    schema: &Introspection,
    model: &Model,
    operation: &ModelOperation,
    custom_selection: Option<&[String]>,
) -> Result<String, DataError> {
    let args = arguments(model, operation)?;
    let selection = selection_set(schema, model, custom_selection)?;
    let (kind, body) = match operation {
        ModelOperation::Create | ModelOperation::Update | ModelOperation::Delete => {
            ("mutation", selection)
        }
        ModelOperation::Get => ("query", selection),
        ModelOperation::List | ModelOperation::IndexQuery(_) => (
            "query",
            format!("items {{ {selection} }} nextToken __typename"),
        ),
    };
    let definitions = args
        .iter()
        .map(|(name, ty)| format!("${name}: {ty}"))
        .collect::<Vec<_>>()
        .join(",");
    let arguments = args
        .iter()
        .map(|(name, _)| format!("{name}: ${name}"))
        .collect::<Vec<_>>()
        .join(",");
    let field = field_name(model, operation);
    Ok(format!(
        "{kind}({definitions}) {{ {field}({arguments}) {{ {body} }} }}"
    ))
}

/// The default selection of a model: scalars and enums, custom types expanded, owner fields added.
fn default_model_selection(
    schema: &Introspection,
    model: &Model,
    budget: &mut Budget,
) -> Result<Selection, DataError> {
    let mut selection = Selection::new();
    for field in &model.fields {
        match &field.field_type {
            FieldType::Scalar(_) | FieldType::Enum(_) => {
                budget.spend()?;
                selection.push((field.name.clone(), Node::Leaf));
            }
            FieldType::NonModel(name) => {
                if let Some(nested) = non_model_selection(schema, name, &mut Vec::new(), budget)? {
                    budget.spend()?;
                    selection.push((field.name.clone(), Node::Object(nested)));
                }
            }
            // Relationships, and types this library does not understand.
            _ => {}
        }
    }
    for owner in &model.owner_fields {
        if !selection.iter().any(|(name, _)| name == owner) {
            budget.spend()?;
            selection.push((owner.clone(), Node::Leaf));
        }
    }
    Ok(selection)
}

/// Every scalar, enum and nested custom-type field of a custom type. A type already being expanded (a
/// self-referencing custom type) is not expanded again.
fn non_model_selection<'a>(
    schema: &'a Introspection,
    name: &'a str,
    stack: &mut Vec<&'a str>,
    budget: &mut Budget,
) -> Result<Option<Selection>, DataError> {
    if stack.contains(&name) {
        return Ok(None);
    }
    let Some(non_model) = schema.non_model(name) else {
        return Ok(None);
    };
    stack.push(name);
    let mut selection = Selection::new();
    for field in &non_model.fields {
        match &field.field_type {
            FieldType::Scalar(_) | FieldType::Enum(_) => {
                budget.spend()?;
                selection.push((field.name.clone(), Node::Leaf));
            }
            FieldType::NonModel(nested) => {
                if let Some(nested) = non_model_selection(schema, nested, stack, budget)? {
                    budget.spend()?;
                    selection.push((field.name.clone(), Node::Object(nested)));
                }
            }
            // Relationships, and types this library does not understand.
            _ => {}
        }
    }
    stack.pop();
    Ok(Some(selection))
}

#[derive(Clone, Copy)]
enum Container<'a> {
    Model(&'a Model),
    NonModel(&'a super::introspection::NonModel),
}

/// The selection one dotted path (`author.*`, `comments.content`) stands for.
fn path_selection(
    schema: &Introspection,
    container: Container<'_>,
    path: &str,
    budget: &mut Budget,
) -> Result<Selection, DataError> {
    let (head, rest) = match path.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (path, None),
    };
    let field = match container {
        Container::Model(model) => model.field(head),
        Container::NonModel(non_model) => non_model.field(head),
    };
    let wildcard = rest.is_some_and(|rest| rest.split('.').next() == Some("*"));
    match field.map(|f| (&f.field_type, f.is_array)) {
        Some((FieldType::NonModel(type_name), _)) => {
            let non_model = schema.non_model(type_name).ok_or_else(|| {
                DataError::InvalidIntrospection(format!("no custom type named `{type_name}`"))
            })?;
            let nested = match rest {
                None => {
                    return Err(DataError::InvalidSelectionSet(format!(
                        "{head} must declare a wildcard (*) or a field of custom type {type_name}"
                    )));
                }
                Some(_) if wildcard => {
                    non_model_selection(schema, type_name, &mut Vec::new(), budget)?
                        .unwrap_or_default()
                }
                Some(rest) => path_selection(schema, Container::NonModel(non_model), rest, budget)?,
            };
            Ok(vec![(head.to_owned(), Node::Object(nested))])
        }
        Some((FieldType::Model(type_name), is_array)) => {
            let related = schema
                .model(type_name)
                .ok_or_else(|| DataError::UnknownModel(type_name.clone()))?;
            let nested = match rest {
                None => {
                    return Err(DataError::InvalidSelectionSet(format!(
                        "{head} must declare a wildcard (*) or a field of model {type_name}"
                    )));
                }
                Some(_) if wildcard => default_model_selection(schema, related, budget)?,
                Some(rest) => path_selection(schema, Container::Model(related), rest, budget)?,
            };
            let node = if is_array {
                Node::Items(nested)
            } else {
                Node::Object(nested)
            };
            Ok(vec![(head.to_owned(), node)])
        }
        Some(_) => Ok(vec![(head.to_owned(), Node::Leaf)]),
        None => match container {
            // `*` alone: the default set of this model or custom type.
            Container::Model(model) if head == "*" => {
                default_model_selection(schema, model, budget)
            }
            Container::NonModel(non_model) if head == "*" => {
                Ok(
                    non_model_selection(schema, &non_model.name, &mut Vec::new(), budget)?
                        .unwrap_or_default(),
                )
            }
            // Owner fields may be selected even when the model does not declare them.
            Container::Model(model) if model.owner_fields.iter().any(|f| f == head) => {
                Ok(vec![(head.to_owned(), Node::Leaf)])
            }
            Container::Model(model) => Err(DataError::InvalidSelectionSet(format!(
                "{head} is not a field of model {}",
                model.name
            ))),
            Container::NonModel(non_model) => Err(DataError::InvalidSelectionSet(format!(
                "{head} is not a field of custom type {}",
                non_model.name
            ))),
        },
    }
}

/// Merges `source` into `target`: new fields go last, known nested fields merge, a leaf becomes an object when
/// a path goes deeper.
fn merge(target: &mut Selection, source: Selection) {
    for (name, node) in source {
        match target.iter_mut().find(|(existing, _)| *existing == name) {
            None => target.push((name, node)),
            Some((_, existing)) => match (existing, node) {
                (Node::Object(into), Node::Object(from))
                | (Node::Items(into), Node::Items(from)) => {
                    merge(into, from);
                }
                (existing @ Node::Leaf, node) => *existing = node,
                _ => {}
            },
        }
    }
}

fn print(selection: &Selection) -> String {
    selection
        .iter()
        .map(|(name, node)| match node {
            Node::Leaf => name.clone(),
            Node::Object(nested) => format!("{name} {{ {} }}", print(nested)),
            Node::Items(nested) => format!("{name} {{ items {{ {} }} }}", print(nested)),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn field(name: &str, ty: Value) -> Value {
        json!({ "name": name, "isArray": false, "type": ty, "isRequired": false, "attributes": [] })
    }

    /// A `Doc` model whose `root` field is custom type `N0`; each `Ni` has a scalar and two fields of type
    /// `N(i+1)`, so the full selection has about 2^(levels + 1) fields.
    fn nested_schema(levels: usize) -> Introspection {
        let mut non_models = serde_json::Map::new();
        for level in 0..levels {
            let mut fields = serde_json::Map::new();
            fields.insert("leaf".into(), field("leaf", json!("String")));
            if level + 1 < levels {
                for name in ["left", "right"] {
                    fields.insert(
                        name.into(),
                        field(name, json!({ "nonModel": format!("N{}", level + 1) })),
                    );
                }
            }
            non_models.insert(
                format!("N{level}"),
                json!({ "name": format!("N{level}"), "fields": fields }),
            );
        }
        let model = json!({
            "name": "Doc", "pluralName": "Docs", "attributes": [],
            "fields": { "id": field("id", json!("ID")), "root": field("root", json!({ "nonModel": "N0" })) },
            "primaryKeyInfo": { "isCustomPrimaryKey": false, "primaryKeyFieldName": "id", "sortKeyFieldNames": [] },
        });
        let document = json!({ "version": 1, "models": { "Doc": model }, "nonModels": non_models, "enums": {} });
        Introspection::parse(&document).expect("introspection")
    }

    #[test]
    fn custom_types_nested_without_bound_are_refused_not_expanded() {
        // 2^31 fields: before the budget this ran out of memory.
        let schema = nested_schema(30);
        let model = schema.model("Doc").expect("model");
        for custom in [
            None,
            Some(&["root.*".to_owned()][..]),
            Some(&["*".to_owned()][..]),
        ] {
            let error = document(&schema, model, &ModelOperation::Get, custom).unwrap_err();
            assert!(
                matches!(&error, DataError::InvalidIntrospection(message) if message.contains("nest too deeply")),
                "{error:?}"
            );
        }
    }

    #[test]
    fn nested_custom_types_within_the_budget_are_expanded_in_full() {
        let schema = nested_schema(3);
        let model = schema.model("Doc").expect("model");
        let document = document(&schema, model, &ModelOperation::Get, None).expect("document");
        assert!(
            document.contains(
                "root { leaf left { leaf left { leaf } right { leaf } } right { leaf left { leaf } right { leaf } } }"
            ),
            "{document}"
        );
    }
}
