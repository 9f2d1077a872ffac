//! The support items written once per file, before the models: `TypedResult`, `TypedListResult`,
//! `KeyCondition`, `TypedDataError` and the private `__amplify_*` helpers. They do not depend on the
//! schema, so they are templates (`support.rs.in`, and `support_patch.rs.in` for the helper that
//! update inputs with nullable fields need), written as they are.

use amplify_model_introspection::FieldType;

use super::out::Out;
use crate::schema::Schema;

const SUPPORT: &str = include_str!("support.rs.in");
const PATCH_SUPPORT: &str = include_str!("support_patch.rs.in");

pub(super) fn emit(o: &mut Out, schema: &Schema) {
    o.blank();
    o.raw(SUPPORT);
    let needs_patch = schema.models.iter().any(|m| {
        let keys = m.key_fields();
        m.fields.iter().any(|f| {
            !f.is_read_only
                && !f.value_required()
                && !matches!(f.field_type, FieldType::Model(_))
                && !keys.contains(&f.name.as_str())
        })
    });
    if needs_patch {
        o.blank();
        o.raw(PATCH_SUPPORT);
    }
}
