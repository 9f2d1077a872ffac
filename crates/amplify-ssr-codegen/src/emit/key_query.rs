//! A query by partition key and optional sort-key condition: a secondary-index query, or (without
//! a query field) `list_by_key`, a `list` with the primary key's arguments.

use amplify_model_introspection::{FieldType, Model};

use super::names::{KeyQueryNames, ModelNames};
use super::out::{Out, doc_text, lit};
use super::types::{is_string, scalar};
use super::{CTX, Ctx, DATA, INTO, OPTION, RESULT, STRING, sort_key_arg};

/// What one key-query method is made of.
pub(super) struct KeyQuery<'q> {
    doc: String,
    names: &'q KeyQueryNames,
    pk: &'q str,
    sk: &'q [String],
    /// The index's query field; `None` for `list_by_key`.
    query_field: Option<&'q str>,
}

impl<'q> KeyQuery<'q> {
    pub(super) fn new(
        doc: String,
        names: &'q KeyQueryNames,
        pk: &'q str,
        sk: &'q [String],
        query_field: Option<&'q str>,
    ) -> Self {
        Self {
            doc,
            names,
            pk,
            sk,
            query_field,
        }
    }

    pub(super) fn emit(&self, o: &mut Out, ctx: &Ctx<'_>, m: &Model, model: &ModelNames) {
        let KeyQueryNames {
            method,
            pk_param,
            sk_param,
            composite,
        } = self.names;
        let pk_field = m.field(self.pk).expect("checked when parsing");
        let sk_ty = match (composite, self.sk) {
            (Some(composite), _) => Some(composite.clone()),
            (None, [sk]) => Some(ctx.value_type(m.field(sk).expect("checked when parsing"), None)),
            (None, _) => None,
        };
        o.blank();
        o.doc("    ", &self.doc);
        if sk_ty.is_some() {
            o.doc(
                "    ",
                format!(
                    "`{sk_param}` narrows them by the sort key ({}).",
                    self.sk
                        .iter()
                        .map(|s| format!("`{}`", doc_text(s)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        o.line(format!("    pub async fn {method}("));
        o.line("        &self,");
        o.line(format!("        ctx: &{CTX},"));
        let string_pk = is_string(pk_field);
        let pk_arg_ty = if string_pk {
            format!("impl {INTO}<{STRING}>")
        } else {
            // Key fields are never lists or custom types (checked when parsing).
            match &pk_field.field_type {
                FieldType::Scalar(s) => scalar(s).rust.to_owned(),
                FieldType::Enum(e) => ctx.names.enums[e].clone(),
                _ => unreachable!("checked when parsing"),
            }
        };
        o.line(format!("        {pk_param}: {pk_arg_ty},"));
        if let Some(sk_ty) = &sk_ty {
            o.line(format!(
                "        {sk_param}: {OPTION}<KeyCondition<{sk_ty}>>,"
            ));
        }
        o.line(format!("        options: {DATA}::ListOptions,"));
        o.line(format!(
            "    ) -> {RESULT}<TypedListResult<{}>, TypedDataError> {{",
            model.ty
        ));
        o.line("        let mut args = ::serde_json::Map::new();");
        let pk_value = if string_pk {
            format!("::serde_json::Value::String({pk_param}.into())")
        } else {
            format!("__amplify_encode(&{pk_param})?")
        };
        o.line(format!(
            "        args.insert({}.to_owned(), {pk_value});",
            lit(&pk_field.name)
        ));
        if sk_ty.is_some() {
            o.line(format!("        if let Some(condition) = {sk_param} {{"));
            o.line(format!(
                "            args.insert({}.to_owned(), __amplify_encode(&condition)?);",
                lit(&sort_key_arg(self.sk))
            ));
            o.line("        }");
        }
        match self.query_field {
            Some(query_field) => {
                o.line("        let result = self");
                o.line("            .client()?");
                o.line(format!(
                    "            .index_query(ctx, {}, ::serde_json::Value::Object(args), options)",
                    lit(query_field)
                ));
                o.line("            .await?;");
            }
            None => {
                o.line("        let options = options.key(::serde_json::Value::Object(args));");
                o.line("        let result = self.client()?.list(ctx, options).await?;");
            }
        }
        o.line(format!(
            "        __amplify_decode_list({}, result)",
            lit(&m.name)
        ));
        o.line("    }");
    }
}
