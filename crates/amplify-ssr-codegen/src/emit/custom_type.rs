//! A custom type (`nonModels` entry) as a struct.

use amplify_model_introspection::{FieldType, NonModel};

use super::out::{Out, doc_text};
use super::types::Presence;
use super::{Ctx, DERIVE_DATA};

pub(super) fn emit(o: &mut Out, ctx: &Ctx<'_>, n: &NonModel) {
    let name = &ctx.names.non_models[&n.name];
    let idents = &ctx.names.non_model_fields[&n.name];
    o.blank();
    o.doc("", format!("The `{}` custom type.", doc_text(&n.name)));
    o.line(DERIVE_DATA);
    o.line(format!("pub struct {name} {{"));
    for f in &n.fields {
        if matches!(f.field_type, FieldType::Model(_)) {
            continue;
        }
        let presence = if f.value_required() {
            Presence::Required
        } else {
            Presence::Optional
        };
        ctx.emit_field(o, f, &idents[&f.name], Some(&n.name), presence, ".");
    }
    o.line("}");
}
