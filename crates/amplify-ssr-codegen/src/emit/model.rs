//! A model's struct (as the default selection set returns it) and its key struct.

use amplify_model_introspection::{Field, FieldType, Model};

use super::names::ModelNames;
use super::out::{Out, doc_text, lit};
use super::types::{Presence, is_copy, is_string};
use super::{Ctx, DERIVE_DATA, FROM, IS_NONE, OPTION, STRING};
use crate::schema::implicit_fields;

/// The key fields of `m` in key order, then its other stored fields by name.
pub(super) fn key_and_other_fields(m: &Model) -> (Vec<&Field>, Vec<&Field>) {
    let key_names = m.key_fields();
    let keys = key_names
        .iter()
        .map(|k| m.field(k).expect("checked when parsing"))
        .collect();
    let others = m
        .fields
        .iter()
        .filter(|f| {
            !key_names.contains(&f.name.as_str()) && !matches!(f.field_type, FieldType::Model(_))
        })
        .collect();
    (keys, others)
}

/// The key fields with their Rust names.
pub(super) fn key_params<'m>(m: &'m Model, names: &ModelNames) -> Vec<(&'m Field, String)> {
    key_and_other_fields(m)
        .0
        .into_iter()
        .map(|f| (f, names.fields[&f.name].clone()))
        .collect()
}

pub(super) fn emit(o: &mut Out, ctx: &Ctx<'_>, m: &Model, names: &ModelNames) {
    emit_item(o, ctx, m, names);
    emit_key(o, ctx, m, names);
}

fn emit_item(o: &mut Out, ctx: &Ctx<'_>, m: &Model, names: &ModelNames) {
    let (ty, key, idents) = (&names.ty, &names.key, &names.fields);
    let (key_fields, others) = key_and_other_fields(m);
    o.blank();
    o.doc(
        "",
        format!(
            "The `{}` model, as the default selection set returns it.",
            doc_text(&m.name)
        ),
    );
    o.doc("", "");
    o.doc(
        "",
        "Relationship fields are not part of it (load them with their own model client); fields",
    );
    o.doc(
        "",
        "that auth rules add (`owner`, dynamic `groupsField`) are.",
    );
    o.line(DERIVE_DATA);
    o.line(format!("pub struct {ty} {{"));
    for f in key_fields.iter().chain(&others) {
        let ro = if f.is_read_only { " (read-only)." } else { "." };
        let presence = if f.value_required() {
            Presence::Required
        } else {
            Presence::Optional
        };
        ctx.emit_field(o, f, &idents[&f.name], None, presence, ro);
    }
    for implicit in implicit_fields(m) {
        let (ty, what) = if implicit.is_groups {
            (
                "::serde_json::Value",
                "the groups field of a dynamic group rule (a string or a list of strings)",
            )
        } else {
            (STRING, "the owner field of an owner rule")
        };
        o.doc("    ", format!("`{}`: {what}.", doc_text(&implicit.name)));
        o.line(format!(
            "    #[serde(rename = {}, default, skip_serializing_if = \"{IS_NONE}\")]",
            lit(&implicit.name)
        ));
        o.line(format!(
            "    pub {}: {OPTION}<{ty}>,",
            idents[&implicit.name]
        ));
    }
    o.line("}");
    o.blank();
    o.line(format!("impl {ty} {{"));
    o.doc("    ", "The key of this item, for `get` and `delete`.");
    o.line(format!("    pub fn key(&self) -> {key} {{"));
    o.line(format!("        {key} {{"));
    for (f, rust) in key_params(m, names) {
        if is_copy(f) {
            o.line(format!("            {rust}: self.{rust},"));
        } else {
            o.line(format!("            {rust}: self.{rust}.clone(),"));
        }
    }
    o.line("        }");
    o.line("    }");
    o.line("}");
}

fn emit_key(o: &mut Out, ctx: &Ctx<'_>, m: &Model, names: &ModelNames) {
    let (ty, key) = (&names.ty, &names.key);
    let key_params = key_params(m, names);
    let key_list = m
        .key_fields()
        .iter()
        .map(|k| format!("`{}`", doc_text(k)))
        .collect::<Vec<_>>()
        .join(", ");
    o.blank();
    o.doc(
        "",
        format!(
            "The primary key of a `{}` ({key_list}), for `get` and `delete`.",
            doc_text(&m.name)
        ),
    );
    o.line(DERIVE_DATA);
    o.line(format!("pub struct {key} {{"));
    for (f, rust) in &key_params {
        ctx.emit_field(o, f, rust, None, Presence::Required, ".");
    }
    o.line("}");
    o.blank();
    o.line(format!("impl {key} {{"));
    ctx.emit_constructor(o, "A key from its fields.", &key_params, &[]);
    o.line("}");
    o.blank();
    o.line(format!("impl {FROM}<&{ty}> for {key} {{"));
    o.line(format!("    fn from(item: &{ty}) -> Self {{"));
    o.line("        item.key()");
    o.line("    }");
    o.line("}");
    if let [(f, _)] = key_params.as_slice()
        && is_string(f)
    {
        for source in [STRING, "&str"] {
            o.blank();
            o.line(format!("impl {FROM}<{source}> for {key} {{"));
            o.line(format!("    fn from(value: {source}) -> Self {{"));
            o.line("        Self::new(value)");
            o.line("    }");
            o.line("}");
        }
    }
}
