//! The parts of `model_introspection` the generator uses, read leniently from JSON.
//!
//! Unknown keys are ignored (the document grows over time: `syncable`, `queries`,
//! `mutations`, `conversations`, …). What the generator cannot do without is checked and
//! reported as [`CodegenError::Invalid`] with a JSON-pointer-like location.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::CodegenError;

/// The type of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FieldType {
    /// `ID`, `String`, `Int`, `AWSDateTime`, …
    Scalar(String),
    /// `{ "enum": "Name" }`
    Enum(String),
    /// `{ "nonModel": "Name" }`
    NonModel(String),
    /// `{ "model": "Name" }`: a relationship.
    Model(String),
}

/// One field of a model or custom type.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub(crate) name: String,
    pub(crate) ty: FieldType,
    pub(crate) is_array: bool,
    /// For arrays: whether the *elements* are non-null.
    pub(crate) is_required: bool,
    /// For arrays: whether the list itself may be null (absent → nullable).
    pub(crate) is_array_nullable: bool,
    pub(crate) is_read_only: bool,
}

impl Field {
    /// Whether a value must always be present (a non-null scalar, or a non-null list).
    pub(crate) fn value_required(&self) -> bool {
        if self.is_array {
            !self.is_array_nullable
        } else {
            self.is_required
        }
    }
}

/// A secondary index (`attributes[] = {type: "key", properties: {name, queryField, fields}}`).
#[derive(Debug, Clone)]
pub(crate) struct Index {
    pub(crate) name: String,
    pub(crate) query_field: String,
    pub(crate) pk: String,
    pub(crate) sk: Vec<String>,
}

/// A field added to the default selection set by an auth rule (`ownerField`, `groupsField`)
/// without being declared in `fields`.
#[derive(Debug, Clone)]
pub(crate) struct ImplicitField {
    pub(crate) name: String,
    /// `ownerField` (a `String`) or dynamic `groupsField` (a `String` or a list of them).
    pub(crate) is_groups: bool,
}

/// Model operations that can be disabled through the `model` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Operations {
    pub(crate) create: bool,
    pub(crate) get: bool,
    pub(crate) update: bool,
    pub(crate) delete: bool,
    pub(crate) list: bool,
}

/// A model.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub(crate) name: String,
    pub(crate) plural_name: String,
    /// Sorted by name.
    pub(crate) fields: Vec<Field>,
    pub(crate) is_custom_primary_key: bool,
    pub(crate) primary_key: String,
    pub(crate) sort_keys: Vec<String>,
    pub(crate) indexes: Vec<Index>,
    pub(crate) implicit_fields: Vec<ImplicitField>,
    pub(crate) operations: Operations,
}

impl Model {
    pub(crate) fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Primary key then sort key field names.
    pub(crate) fn key_fields(&self) -> Vec<&str> {
        std::iter::once(self.primary_key.as_str())
            .chain(self.sort_keys.iter().map(String::as_str))
            .collect()
    }
}

/// A custom type (`nonModels`).
#[derive(Debug, Clone)]
pub(crate) struct NonModel {
    pub(crate) name: String,
    /// Sorted by name.
    pub(crate) fields: Vec<Field>,
}

/// An enum.
#[derive(Debug, Clone)]
pub(crate) struct Enum {
    pub(crate) name: String,
    /// In declaration order.
    pub(crate) values: Vec<String>,
}

/// The whole document, every collection sorted by name.
#[derive(Debug, Clone)]
pub(crate) struct Schema {
    pub(crate) models: Vec<Model>,
    pub(crate) non_models: Vec<NonModel>,
    pub(crate) enums: Vec<Enum>,
}

fn invalid(at: &str, what: impl std::fmt::Display) -> CodegenError {
    CodegenError::Invalid(format!("{at}: {what}"))
}

fn object<'a>(v: &'a Value, at: &str) -> Result<&'a Map<String, Value>, CodegenError> {
    v.as_object()
        .ok_or_else(|| invalid(at, "expected an object"))
}

/// A map member that may be absent or null (→ empty).
fn optional_object<'a>(
    parent: &'a Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<Option<&'a Map<String, Value>>, CodegenError> {
    match parent.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => object(v, &format!("{at}/{key}")).map(Some),
    }
}

fn string<'a>(
    parent: &'a Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<&'a str, CodegenError> {
    parent
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(&format!("{at}/{key}"), "expected a string"))
}

fn flag(parent: &Map<String, Value>, key: &str) -> Option<bool> {
    parent.get(key).and_then(Value::as_bool)
}

fn parse_type(v: &Value, at: &str) -> Result<FieldType, CodegenError> {
    if let Some(s) = v.as_str() {
        return Ok(FieldType::Scalar(s.to_owned()));
    }
    let o = object(v, at)?;
    for (key, make) in [
        ("enum", FieldType::Enum as fn(String) -> FieldType),
        ("nonModel", FieldType::NonModel),
        ("model", FieldType::Model),
    ] {
        if let Some(name) = o.get(key).and_then(Value::as_str) {
            return Ok(make(name.to_owned()));
        }
    }
    Err(invalid(
        at,
        "expected a scalar name or an object with `model`, `nonModel` or `enum`",
    ))
}

fn parse_fields(o: &Map<String, Value>, at: &str) -> Result<Vec<Field>, CodegenError> {
    let Some(fields) = optional_object(o, "fields", at)? else {
        return Err(invalid(&format!("{at}/fields"), "missing"));
    };
    let mut out = Vec::with_capacity(fields.len());
    for (key, v) in fields {
        let at = format!("{at}/fields/{key}");
        let f = object(v, &at)?;
        let name = f
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(key)
            .to_owned();
        let ty = parse_type(
            f.get("type")
                .ok_or_else(|| invalid(&format!("{at}/type"), "missing"))?,
            &format!("{at}/type"),
        )?;
        out.push(Field {
            name,
            ty,
            is_array: flag(f, "isArray").unwrap_or(false),
            is_required: flag(f, "isRequired").unwrap_or(false),
            is_array_nullable: flag(f, "isArrayNullable").unwrap_or(true),
            is_read_only: flag(f, "isReadOnly").unwrap_or(false),
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Which operations the `model` attribute turns off, as `amplify_ssr::data` reads it:
/// `"queries": null` turns off `get` and `list`, `"queries": {"get": null}` only `get`; the
/// same for `mutations` (`create`, `update`, `delete`).
fn parse_operations(attributes: &[Value]) -> Operations {
    let props = attributes
        .iter()
        .find(|a| a.get("type").and_then(Value::as_str) == Some("model"))
        .and_then(|a| a.get("properties"))
        .and_then(Value::as_object);
    let on = |group: &str, op: &str| match props.and_then(|p| p.get(group)) {
        Some(Value::Null) => false,
        Some(Value::Object(ops)) => !matches!(ops.get(op), Some(Value::Null)),
        _ => true,
    };
    Operations {
        create: on("mutations", "create"),
        get: on("queries", "get"),
        update: on("mutations", "update"),
        delete: on("mutations", "delete"),
        list: on("queries", "list"),
    }
}

/// Secondary indexes: `key` attributes with a `queryField` and at least one field (the
/// primary key's `key` attribute has neither `name` nor `queryField`).
fn parse_indexes(attributes: &[Value], at: &str) -> Result<Vec<Index>, CodegenError> {
    let mut out = Vec::new();
    for (i, attr) in attributes.iter().enumerate() {
        if attr.get("type").and_then(Value::as_str) != Some("key") {
            continue;
        }
        let Some(props) = attr.get("properties").and_then(Value::as_object) else {
            continue;
        };
        let Some(query_field) = props.get("queryField").and_then(Value::as_str) else {
            continue;
        };
        let name = props
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(query_field);
        let fields = props
            .get("fields")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|f| f.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
            })
            .ok_or_else(|| {
                invalid(
                    &format!("{at}/attributes/{i}/properties/fields"),
                    "expected an array of strings",
                )
            })?
            .ok_or_else(|| {
                invalid(
                    &format!("{at}/attributes/{i}/properties/fields"),
                    "expected an array of strings",
                )
            })?;
        let Some((pk, sk)) = fields.split_first() else {
            continue;
        };
        out.push(Index {
            name: name.to_owned(),
            query_field: query_field.to_owned(),
            pk: pk.clone(),
            sk: sk.to_vec(),
        });
    }
    Ok(out)
}

/// Mirrors upstream `resolveOwnerFields`: `ownerField` of owner rules (default `owner`) and
/// `groupsField` of dynamic group rules.
fn parse_implicit_fields(attributes: &[Value], fields: &[Field]) -> Vec<ImplicitField> {
    let mut out: Vec<ImplicitField> = Vec::new();
    let rules = attributes
        .iter()
        .filter(|a| a.get("type").and_then(Value::as_str) == Some("auth"))
        .filter_map(|a| a.pointer("/properties/rules").and_then(Value::as_array))
        .flatten();
    for rule in rules {
        let (name, is_groups) = match rule.get("allow").and_then(Value::as_str) {
            Some("owner") => (
                rule.get("ownerField")
                    .and_then(Value::as_str)
                    .unwrap_or("owner"),
                false,
            ),
            Some("groups") => match rule.get("groupsField").and_then(Value::as_str) {
                Some(field) => (field, true),
                None => continue,
            },
            _ => continue,
        };
        if fields.iter().any(|f| f.name == name) || out.iter().any(|f| f.name == name) {
            continue;
        }
        out.push(ImplicitField {
            name: name.to_owned(),
            is_groups,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn parse_model(key: &str, v: &Value) -> Result<Model, CodegenError> {
    let at = format!("/models/{key}");
    let o = object(v, &at)?;
    let name = o
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or(key)
        .to_owned();
    let plural_name = match o.get("pluralName").and_then(Value::as_str) {
        Some(plural) => plural.to_owned(),
        None => format!("{name}s"),
    };
    let fields = parse_fields(o, &at)?;
    let attributes: &[Value] = match o.get("attributes") {
        None | Some(Value::Null) => &[],
        Some(Value::Array(a)) => a,
        Some(_) => return Err(invalid(&format!("{at}/attributes"), "expected an array")),
    };
    let pk_at = format!("{at}/primaryKeyInfo");
    let pk = o
        .get("primaryKeyInfo")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid(&pk_at, "expected an object"))?;
    let primary_key = string(pk, "primaryKeyFieldName", &pk_at)?.to_owned();
    let sort_keys = match pk.get("sortKeyFieldNames") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => v
            .as_array()
            .and_then(|a| a.iter().map(|s| s.as_str().map(str::to_owned)).collect())
            .ok_or_else(|| {
                invalid(
                    &format!("{pk_at}/sortKeyFieldNames"),
                    "expected an array of strings",
                )
            })?,
    };
    let model = Model {
        implicit_fields: parse_implicit_fields(attributes, &fields),
        indexes: parse_indexes(attributes, &at)?,
        operations: parse_operations(attributes),
        is_custom_primary_key: flag(pk, "isCustomPrimaryKey").unwrap_or(false),
        name,
        plural_name,
        fields,
        primary_key,
        sort_keys,
    };
    for key_field in model.key_fields() {
        check_key_field(&model, key_field, &pk_at)?;
    }
    for (i, index) in model.indexes.iter().enumerate() {
        let index_at = format!("{at}/attributes[key {i}]");
        for key_field in std::iter::once(&index.pk).chain(&index.sk) {
            check_key_field(&model, key_field, &index_at)?;
        }
    }
    Ok(model)
}

fn check_key_field(model: &Model, name: &str, at: &str) -> Result<(), CodegenError> {
    match model.field(name) {
        None => Err(invalid(
            at,
            format_args!(
                "key field `{name}` is not a field of model `{}`",
                model.name
            ),
        )),
        Some(f) if f.is_array || matches!(f.ty, FieldType::Model(_) | FieldType::NonModel(_)) => {
            Err(invalid(
                at,
                format_args!(
                    "key field `{name}` of model `{}` must be a scalar or an enum",
                    model.name
                ),
            ))
        }
        Some(_) => Ok(()),
    }
}

impl Schema {
    /// Reads a `model_introspection` object.
    pub(crate) fn parse(introspection: &Value) -> Result<Self, CodegenError> {
        let root = object(introspection, "model_introspection")?;
        let mut models = Vec::new();
        for (key, v) in optional_object(root, "models", "")?.into_iter().flatten() {
            models.push(parse_model(key, v)?);
        }
        let mut non_models = Vec::new();
        for (key, v) in optional_object(root, "nonModels", "")?
            .into_iter()
            .flatten()
        {
            let at = format!("/nonModels/{key}");
            let o = object(v, &at)?;
            non_models.push(NonModel {
                name: o
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or(key)
                    .to_owned(),
                fields: parse_fields(o, &at)?,
            });
        }
        let mut enums = Vec::new();
        for (key, v) in optional_object(root, "enums", "")?.into_iter().flatten() {
            let at = format!("/enums/{key}");
            let o = object(v, &at)?;
            let values = o
                .get("values")
                .and_then(Value::as_array)
                .and_then(|a| a.iter().map(|s| s.as_str().map(str::to_owned)).collect())
                .ok_or_else(|| invalid(&format!("{at}/values"), "expected an array of strings"))?;
            enums.push(Enum {
                name: o
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or(key)
                    .to_owned(),
                values,
            });
        }
        models.sort_by(|a, b| a.name.cmp(&b.name));
        non_models.sort_by(|a, b| a.name.cmp(&b.name));
        enums.sort_by(|a, b| a.name.cmp(&b.name));
        let schema = Self {
            models,
            non_models,
            enums,
        };
        schema.check_references()?;
        Ok(schema)
    }

    fn check_references(&self) -> Result<(), CodegenError> {
        let owners = self
            .models
            .iter()
            .map(|m| (format!("/models/{}", m.name), &m.fields))
            .chain(
                self.non_models
                    .iter()
                    .map(|n| (format!("/nonModels/{}", n.name), &n.fields)),
            );
        for (at, fields) in owners {
            for f in fields {
                let known = match &f.ty {
                    FieldType::Scalar(_) => true,
                    FieldType::Enum(e) => self.enums.iter().any(|x| &x.name == e),
                    FieldType::NonModel(n) => self.non_models.iter().any(|x| &x.name == n),
                    FieldType::Model(m) => self.models.iter().any(|x| &x.name == m),
                };
                if !known {
                    return Err(invalid(
                        &format!("{at}/fields/{}/type", f.name),
                        format_args!("refers to an undefined type {:?}", f.ty),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Non-model names reachable from `from` through fields that are not lists (lists are
    /// heap-allocated already, so they never make a type infinitely sized).
    pub(crate) fn inline_reach(&self, from: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(name) = stack.pop() {
            let Some(nm) = self.non_models.iter().find(|n| n.name == name) else {
                continue;
            };
            for f in &nm.fields {
                if let (FieldType::NonModel(next), false) = (&f.ty, f.is_array)
                    && seen.insert(next.clone())
                {
                    stack.push(next.clone());
                }
            }
        }
        seen
    }
}
