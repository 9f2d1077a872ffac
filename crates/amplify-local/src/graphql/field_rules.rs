//! Field-level auth rules on reads: a stored field with its own rules resolves to `null` with AppSync's
//! `Unauthorized` error for a caller they do not grant `read` (owner and dynamic-group rules are checked against
//! the item). Writes are checked in [`super::ops`]; the one-pass list ([`super::plain_items`]) leaves such fields
//! to this resolver.

use async_graphql::dynamic::{Field, FieldFuture, ResolverContext, TypeRef};

use super::auth::{Caller, grant_by_rules};
use super::fields::stored_value;
use super::model::FieldDef;
use super::ops::{Item, OpError};
use super::schema::gql_error;

/// The resolver of a stored field of `model` that has field-level rules.
pub(super) fn guarded_field(model: &str, def: &FieldDef, ty: TypeRef) -> Field {
    let (name, kind, is_array) = (def.name.clone(), def.ty.clone(), def.is_array);
    let (rules, model) = (def.rules.clone(), model.to_owned());
    Field::new(def.name.clone(), ty, move |ctx: ResolverContext<'_>| {
        let item = match ctx.parent_value.try_downcast_ref::<Item>() {
            Ok(item) => item,
            Err(error) => {
                return FieldFuture::new(async move {
                    Err::<Option<async_graphql::dynamic::FieldValue<'_>>, _>(error)
                });
            }
        };
        let allowed = ctx
            .data_opt::<Caller>()
            .is_some_and(|caller| grant_by_rules(&rules, caller, "get").allows(item));
        if !allowed {
            // Recorded with the field's path, as AppSync reports it; the field is null.
            let error = gql_error(OpError::unauthorized(&name, &model));
            ctx.add_error(ctx.set_error_path(error.into_server_error(ctx.item.pos)));
            return FieldFuture::Value(None);
        }
        FieldFuture::Value(stored_value(item, &name, &kind, is_array))
    })
}
