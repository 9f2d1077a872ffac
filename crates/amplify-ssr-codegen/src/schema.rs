//! The `model_introspection` document as the generator sees it: parsed by `amplify-model-introspection` (the
//! parser the runtime uses too), sorted by name so that the output is deterministic, and checked for what code
//! generation cannot do without: every type defined, and keys made of scalar or enum fields.

use std::collections::BTreeSet;

use amplify_model_introspection::{
    CustomOperation, EnumType, Field, FieldType, Introspection, Model, NonModel,
};
use serde_json::Value;

use crate::CodegenError;

/// A field added to the default selection set by an auth rule (`ownerField`, `groupsField`)
/// without being declared in `fields`.
#[derive(Debug, Clone)]
pub(crate) struct ImplicitField {
    pub(crate) name: String,
    /// `ownerField` (a `String`) or dynamic `groupsField` (a `String` or a list of them).
    pub(crate) is_groups: bool,
}

/// The whole document, every collection (and every type's fields) sorted by name.
#[derive(Debug, Clone)]
pub(crate) struct Schema {
    pub(crate) models: Vec<Model>,
    pub(crate) non_models: Vec<NonModel>,
    pub(crate) enums: Vec<EnumType>,
    /// Custom queries, then custom mutations, each sorted by name.
    pub(crate) operations: Vec<CustomOperation>,
}

fn invalid(at: &str, what: impl std::fmt::Display) -> CodegenError {
    CodegenError::Invalid(format!("{at}: {what}"))
}

impl Schema {
    /// Reads a `model_introspection` object.
    pub(crate) fn parse(introspection: &Value) -> Result<Self, CodegenError> {
        let parsed = Introspection::parse(introspection)
            .map_err(|e| CodegenError::Invalid(e.to_string()))?;
        parsed
            .check_types()
            .map_err(|e| CodegenError::Invalid(e.to_string()))?;
        let Introspection {
            mut models,
            mut non_models,
            mut enums,
            mut queries,
            mut mutations,
            ..
        } = parsed;
        queries.sort_by(|a, b| a.name.cmp(&b.name));
        mutations.sort_by(|a, b| a.name.cmp(&b.name));
        let operations: Vec<CustomOperation> = queries.into_iter().chain(mutations).collect();
        for model in &mut models {
            model.fields.sort_by(|a, b| a.name.cmp(&b.name));
        }
        for non_model in &mut non_models {
            non_model.fields.sort_by(|a, b| a.name.cmp(&b.name));
        }
        models.sort_by(|a, b| a.name.cmp(&b.name));
        non_models.sort_by(|a, b| a.name.cmp(&b.name));
        enums.sort_by(|a, b| a.name.cmp(&b.name));
        for model in &models {
            check_keys(model)?;
        }
        Ok(Self {
            models,
            non_models,
            enums,
            operations,
        })
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
                if let (FieldType::NonModel(next), false) = (&f.field_type, f.is_array)
                    && seen.insert(next.clone())
                {
                    stack.push(next.clone());
                }
            }
        }
        seen
    }
}

/// The fields auth rules add to a model's default selection set that it does not declare, sorted by name
/// (upstream `resolveOwnerFields`).
pub(crate) fn implicit_fields(model: &Model) -> Vec<ImplicitField> {
    let mut out: Vec<ImplicitField> = Vec::new();
    for rule in &model.auth_rules {
        let (name, is_groups) = match (rule.allow.as_str(), &rule.groups_field) {
            ("owner", _) => (&rule.owner_field, false),
            ("groups", Some(field)) => (field, true),
            _ => continue,
        };
        if model.field(name).is_some() || out.iter().any(|f| &f.name == name) {
            continue;
        }
        out.push(ImplicitField {
            name: name.clone(),
            is_groups,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Key fields (of the primary key and of every index) must be scalar or enum fields of the model.
fn check_keys(model: &Model) -> Result<(), CodegenError> {
    let at = format!("/models/{}", model.name);
    for key_field in model.key_fields() {
        check_key_field(model, key_field, &format!("{at}/primaryKeyInfo"))?;
    }
    for (i, index) in model.indexes.iter().enumerate() {
        let index_at = format!("{at}/attributes[key {i}]");
        for key_field in std::iter::once(&index.pk).chain(&index.sk) {
            check_key_field(model, key_field, &index_at)?;
        }
    }
    Ok(())
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
        Some(f) if !is_key_type(f) => Err(invalid(
            at,
            format_args!(
                "key field `{name}` of model `{}` must be a scalar or an enum",
                model.name
            ),
        )),
        Some(_) => Ok(()),
    }
}

fn is_key_type(field: &Field) -> bool {
    !field.is_array && matches!(field.field_type, FieldType::Scalar(_) | FieldType::Enum(_))
}
