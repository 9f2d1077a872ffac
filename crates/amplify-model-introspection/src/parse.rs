//! Reading the JSON: absent or `null` members take upstream's default, members of the wrong shape are errors.

use serde_json::{Map, Value};

use crate::{
    Association, AuthRule, CustomOperation, DisabledOperations, EnumType, Field, FieldType,
    Introspection, IntrospectionError, Model, NonModel, OperationKind, PrimaryKey, SecondaryIndex,
};

type Result<T> = std::result::Result<T, IntrospectionError>;

/// A member, with `null` read as absent.
fn member<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.get(key).filter(|v| !v.is_null())
}

fn object<'a>(value: &'a Value, at: &str) -> Result<&'a Map<String, Value>> {
    value
        .as_object()
        .ok_or_else(|| IntrospectionError::new(at, "expected an object"))
}

/// The entries of an object member (none when absent).
fn entries<'a>(
    parent: &'a Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<impl Iterator<Item = (&'a String, &'a Value)>> {
    let map = match member(parent, key) {
        None => None,
        Some(v) => Some(object(v, &format!("{at}/{key}"))?),
    };
    Ok(map.into_iter().flatten())
}

/// A list of strings (empty when absent).
fn strings(parent: &Map<String, Value>, key: &str, at: &str) -> Result<Vec<String>> {
    let Some(value) = member(parent, key) else {
        return Ok(Vec::new());
    };
    value
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .ok_or_else(|| {
            IntrospectionError::new(format!("{at}/{key}"), "expected an array of strings")
        })
}

fn text<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Value::as_str)
}

fn flag(object: &Map<String, Value>, key: &str) -> Option<bool> {
    object.get(key).and_then(Value::as_bool)
}

pub(crate) fn introspection(value: &Value) -> Result<Introspection> {
    let root = object(value, "model_introspection")?;
    let mut models = Vec::new();
    for (key, v) in entries(root, "models", "")? {
        models.push(model(key, v)?);
    }
    let mut non_models = Vec::new();
    for (key, v) in entries(root, "nonModels", "")? {
        let at = format!("/nonModels/{key}");
        let o = object(v, &at)?;
        non_models.push(NonModel {
            name: text(o, "name").unwrap_or(key).to_owned(),
            fields: fields(o, &at)?,
        });
    }
    let mut enums = Vec::new();
    for (key, v) in entries(root, "enums", "")? {
        let at = format!("/enums/{key}");
        let o = object(v, &at)?;
        enums.push(EnumType {
            name: text(o, "name").unwrap_or(key).to_owned(),
            values: strings(o, "values", &at)?,
        });
    }
    let mut queries = Vec::new();
    for (key, v) in entries(root, "queries", "")? {
        queries.push(custom_operation(OperationKind::Query, key, v)?);
    }
    let mut mutations = Vec::new();
    for (key, v) in entries(root, "mutations", "")? {
        mutations.push(custom_operation(OperationKind::Mutation, key, v)?);
    }
    Ok(Introspection {
        models,
        non_models,
        enums,
        queries,
        mutations,
    })
}

/// A `queries` / `mutations` entry: `{name, type, isArray, isRequired, isArrayNullable?, arguments?}`, and
/// amplify-local's `authorization` rules.
fn custom_operation(kind: OperationKind, key: &str, value: &Value) -> Result<CustomOperation> {
    let at = format!("/{}/{key}", kind.group());
    let o = object(value, &at)?;
    let name = text(o, "name").unwrap_or(key).to_owned();
    let mut arguments = Vec::new();
    for (arg_key, arg) in entries(o, "arguments", &at)? {
        let arg_at = format!("{at}/arguments/{arg_key}");
        arguments.push(typed(arg_key, object(arg, &arg_at)?));
    }
    let auth_rules = match member(o, "authorization") {
        None => Vec::new(),
        Some(Value::Array(rules)) => rules
            .iter()
            .filter_map(Value::as_object)
            .map(auth_rule)
            .collect(),
        Some(_) => {
            return Err(IntrospectionError::new(
                format!("{at}/authorization"),
                "expected an array of rules",
            ));
        }
    };
    Ok(CustomOperation {
        kind,
        returns: typed(&name, o),
        name,
        arguments,
        auth_rules,
    })
}

/// The type members of a field, argument or operation, without an association.
fn typed(key: &str, f: &Map<String, Value>) -> Field {
    Field {
        name: text(f, "name").unwrap_or(key).to_owned(),
        field_type: field_type(f.get("type")),
        is_array: flag(f, "isArray").unwrap_or(false),
        is_required: flag(f, "isRequired").unwrap_or(false),
        is_array_nullable: flag(f, "isArrayNullable").unwrap_or(true),
        is_read_only: flag(f, "isReadOnly").unwrap_or(false),
        association: None,
        auth_rules: Vec::new(),
    }
}

fn field_type(value: Option<&Value>) -> FieldType {
    match value {
        Some(Value::String(scalar)) => FieldType::Scalar(scalar.clone()),
        Some(Value::Object(kind)) => {
            let name = |k: &str| text(kind, k).map(str::to_owned);
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
    }
}

fn fields(parent: &Map<String, Value>, at: &str) -> Result<Vec<Field>> {
    let Some(declared) = member(parent, "fields") else {
        return Err(IntrospectionError::new(format!("{at}/fields"), "missing"));
    };
    let declared = object(declared, &format!("{at}/fields"))?;
    let mut out = Vec::with_capacity(declared.len());
    for (key, v) in declared {
        let at = format!("{at}/fields/{key}");
        let f = object(v, &at)?;
        let association = match member(f, "association") {
            None => None,
            Some(a) => {
                let at = format!("{at}/association");
                let a = object(a, &at)?;
                Some(Association {
                    connection_type: text(a, "connectionType").unwrap_or_default().to_owned(),
                    target_names: strings(a, "targetNames", &at)?,
                    associated_with: strings(a, "associatedWith", &at)?,
                })
            }
        };
        let field_attributes = match member(f, "attributes") {
            Some(Value::Array(items)) => items.as_slice(),
            _ => &[],
        };
        out.push(Field {
            association,
            auth_rules: auth_rules(field_attributes),
            ..typed(key, f)
        });
    }
    Ok(out)
}

fn model(key: &str, value: &Value) -> Result<Model> {
    let at = format!("/models/{key}");
    let o = object(value, &at)?;
    let name = text(o, "name").unwrap_or(key).to_owned();
    let plural_name = text(o, "pluralName")
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{name}s"));
    let fields = fields(o, &at)?;
    let attributes = match member(o, "attributes") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(_) => {
            return Err(IntrospectionError::new(
                format!("{at}/attributes"),
                "expected an array",
            ));
        }
    };
    let pk_at = format!("{at}/primaryKeyInfo");
    let primary_key = match member(o, "primaryKeyInfo") {
        None => PrimaryKey::default(),
        Some(info) => {
            let info = object(info, &pk_at)?;
            PrimaryKey {
                is_custom: flag(info, "isCustomPrimaryKey").unwrap_or(false),
                field: text(info, "primaryKeyFieldName")
                    .ok_or_else(|| {
                        IntrospectionError::new(
                            format!("{pk_at}/primaryKeyFieldName"),
                            "expected a string",
                        )
                    })?
                    .to_owned(),
                sort_keys: strings(info, "sortKeyFieldNames", &pk_at)?,
            }
        }
    };
    for key_field in std::iter::once(&primary_key.field).chain(&primary_key.sort_keys) {
        if !fields.iter().any(|f| &f.name == key_field) {
            return Err(IntrospectionError::new(
                &pk_at,
                format_args!("key field `{key_field}` is not a field of model `{name}`"),
            ));
        }
    }
    let auth_rules = auth_rules(&attributes);
    Ok(Model {
        indexes: indexes(&attributes, &at)?,
        owner_fields: owner_fields(&auth_rules),
        disabled: disabled_operations(&attributes),
        auth_rules,
        name,
        plural_name,
        fields,
        primary_key,
        attributes,
    })
}

fn attributes_of<'a>(
    attributes: &'a [Value],
    kind: &'a str,
) -> impl Iterator<Item = (usize, &'a Map<String, Value>)> + 'a {
    attributes
        .iter()
        .enumerate()
        .filter(move |(_, a)| a.get("type").and_then(Value::as_str) == Some(kind))
        .filter_map(|(i, a)| Some((i, a.get("properties")?.as_object()?)))
}

/// `key` attributes with a `queryField` and at least one field (the primary key's own `key` attribute has no
/// `queryField`).
fn indexes(attributes: &[Value], at: &str) -> Result<Vec<SecondaryIndex>> {
    let mut out = Vec::new();
    for (i, props) in attributes_of(attributes, "key") {
        let Some(query_field) = text(props, "queryField") else {
            continue;
        };
        let fields = strings(props, "fields", &format!("{at}/attributes/{i}/properties"))?;
        let Some((pk, sk)) = fields.split_first() else {
            continue;
        };
        out.push(SecondaryIndex {
            name: text(props, "name").map(str::to_owned),
            query_field: query_field.to_owned(),
            pk: pk.clone(),
            sk: sk.to_vec(),
        });
    }
    Ok(out)
}

fn auth_rules(attributes: &[Value]) -> Vec<AuthRule> {
    attributes_of(attributes, "auth")
        .filter_map(|(_, props)| props.get("rules")?.as_array())
        .flatten()
        .filter_map(Value::as_object)
        .map(auth_rule)
        .collect()
}

fn auth_rule(rule: &Map<String, Value>) -> AuthRule {
    let owned = |key: &str| text(rule, key).map(str::to_owned);
    let list = |key: &str| {
        rule.get(key).and_then(Value::as_array).map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
    };
    let allow = owned("allow").unwrap_or_else(|| "owner".to_owned());
    let provider = owned("provider").unwrap_or_else(|| {
        match allow.as_str() {
            "public" => "apiKey",
            "custom" => "function",
            _ => "userPools",
        }
        .to_owned()
    });
    AuthRule {
        operations: list("operations"),
        owner_field: owned("ownerField").unwrap_or_else(|| "owner".to_owned()),
        identity_claim: owned("identityClaim").unwrap_or_else(|| "sub::username".to_owned()),
        groups: list("groups").unwrap_or_default(),
        group_claim: owned("groupClaim").unwrap_or_else(|| "cognito:groups".to_owned()),
        groups_field: owned("groupsField"),
        allow,
        provider,
    }
}

/// As upstream `resolveOwnerFields`: the owner field of owner rules and the groups field of dynamic group rules
/// (static group rules name no field).
fn owner_fields(rules: &[AuthRule]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for rule in rules {
        let field = match rule.allow.as_str() {
            "owner" => Some(&rule.owner_field),
            "groups" => rule.groups_field.as_ref(),
            _ => None,
        };
        if let Some(field) = field
            && !out.contains(field)
        {
            out.push(field.clone());
        }
    }
    out
}

/// `"queries": null` turns off `get` and `list`, `"queries": {"get": null}` only `get`; the same for `mutations`.
fn disabled_operations(attributes: &[Value]) -> DisabledOperations {
    let Some((_, model)) = attributes_of(attributes, "model").next() else {
        return DisabledOperations::default();
    };
    let off = |group: &str, op: &str| match model.get(group) {
        Some(Value::Null) => true,
        Some(Value::Object(ops)) => matches!(ops.get(op), Some(Value::Null)),
        _ => false,
    };
    DisabledOperations {
        get: off("queries", "get"),
        list: off("queries", "list"),
        create: off("mutations", "create"),
        update: off("mutations", "update"),
        delete: off("mutations", "delete"),
    }
}
