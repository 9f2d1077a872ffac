//! Rust types of GraphQL fields, and struct fields.

use amplify_model_introspection::{Field, FieldType};

use super::out::{Out, doc_text, lit};
use super::{BOX, Ctx, IS_NONE, OPTION, STRING, VEC};

/// How a scalar maps to Rust.
pub(super) struct ScalarType {
    pub(super) rust: &'static str,
    copy: bool,
    string: bool,
}

pub(super) fn scalar(name: &str) -> ScalarType {
    let (rust, copy, string) = match name {
        "ID" | "String" | "AWSDate" | "AWSTime" | "AWSDateTime" | "AWSEmail" | "AWSPhone"
        | "AWSURL" | "AWSIPAddress" => (STRING, false, true),
        "Int" | "AWSTimestamp" => ("i64", true, false),
        "Float" => ("f64", true, false),
        "Boolean" => ("bool", true, false),
        // AWSJSON, and any scalar this generator does not know yet.
        _ => ("::serde_json::Value", false, false),
    };
    ScalarType { rust, copy, string }
}

/// A `Copy` value (read out of `&self` without `clone`).
pub(super) fn is_copy(f: &Field) -> bool {
    !f.is_array && matches!(&f.field_type, FieldType::Scalar(s) if scalar(s).copy)
}

/// A string value (taken as `impl Into<String>` by constructors).
pub(super) fn is_string(f: &Field) -> bool {
    !f.is_array && matches!(&f.field_type, FieldType::Scalar(s) if scalar(s).string)
}

/// `String!`, `[String!]`, `TicketStatus`, … for documentation.
fn graphql_type(f: &Field) -> String {
    let base = f.field_type.graphql_name();
    let element = if f.is_required {
        format!("{base}!")
    } else {
        base.to_owned()
    };
    let value = if f.is_array {
        format!("[{element}]{}", if f.is_array_nullable { "" } else { "!" })
    } else {
        element
    };
    doc_text(&value)
}

/// How a struct field is wrapped.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Presence {
    /// Always there: the value itself.
    Required,
    /// `Option`: absent → `None`, and `None` is not serialised.
    Optional,
    /// `Option<Option<_>>` for updates: `None` unchanged, `Some(None)` cleared.
    Patch,
}

impl Ctx<'_> {
    /// The Rust type of the model named `name`, if the schema has it.
    pub(super) fn model_type(&self, name: &str) -> Option<String> {
        self.schema
            .models
            .iter()
            .zip(&self.names.models)
            .find(|(model, _)| model.name == name)
            .map(|(_, names)| names.ty.clone())
    }

    /// The Rust type of one value of `f` (an element, for lists). `owner` is the custom type
    /// being written, to box recursive fields.
    pub(super) fn base_type(&self, f: &Field, owner: Option<&str>) -> String {
        match &f.field_type {
            FieldType::Scalar(s) => scalar(s).rust.to_owned(),
            FieldType::Enum(e) => self.names.enums[e].clone(),
            FieldType::NonModel(n) => {
                let name = self.names.non_models[n].clone();
                let recursive = owner.is_some_and(|owner| {
                    !f.is_array && (n == owner || self.schema.inline_reach(n).contains(owner))
                });
                if recursive {
                    format!("{BOX}<{name}>")
                } else {
                    name
                }
            }
            // A custom operation's model value (relationship fields are never emitted).
            FieldType::Model(m) => self
                .model_type(m)
                .unwrap_or_else(|| "::serde_json::Value".to_owned()),
            _ => unreachable!("other types are refused"),
        }
    }

    /// The type of the whole value of `f`, without the outer `Option` of a nullable field.
    pub(super) fn value_type(&self, f: &Field, owner: Option<&str>) -> String {
        let base = self.base_type(f, owner);
        if f.is_array {
            if f.is_required {
                format!("{VEC}<{base}>")
            } else {
                format!("{VEC}<{OPTION}<{base}>>")
            }
        } else {
            base
        }
    }

    /// One struct field named `rust`, documented with its GraphQL name and type then `doc`.
    pub(super) fn emit_field(
        &self,
        o: &mut Out,
        f: &Field,
        rust: &str,
        owner: Option<&str>,
        presence: Presence,
        doc: &str,
    ) {
        let value = self.value_type(f, owner);
        let rename = lit(&f.name);
        o.doc(
            "    ",
            format!("`{}`: `{}`{doc}", doc_text(&f.name), graphql_type(f)),
        );
        match presence {
            Presence::Patch => {
                o.line(format!(
                    "    #[serde(rename = {rename}, default, skip_serializing_if = \"{IS_NONE}\", deserialize_with = \"__amplify_double_option\")]"
                ));
                o.line(format!("    pub {rust}: {OPTION}<{OPTION}<{value}>>,"));
            }
            Presence::Optional => {
                o.line(format!(
                    "    #[serde(rename = {rename}, default, skip_serializing_if = \"{IS_NONE}\")]"
                ));
                o.line(format!("    pub {rust}: {OPTION}<{value}>,"));
            }
            Presence::Required => {
                o.line(format!("    #[serde(rename = {rename})]"));
                o.line(format!("    pub {rust}: {value},"));
            }
        }
    }
}
