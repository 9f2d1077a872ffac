//! A model's typed client: `create`, `get`, `update`, `delete`, `list` (those the schema enables),
//! `list_by_key` for a custom primary key, and one method per secondary index.

use amplify_model_introspection::Model;

use crate::naming::capitalize;

use super::key_query::KeyQuery;
use super::names::ModelNames;
use super::out::{Out, doc_text, lit};
use super::{CTX, Ctx, DATA, INTO, OPTION, RESULT};

/// One of `create`, `get`, `update`, `delete`: one argument in, one item out.
struct Single<'a> {
    name: &'a str,
    doc: String,
    arg: &'a str,
    arg_ty: String,
    /// The expression encoded (`key.into()` for keys).
    call: &'a str,
}

pub(super) fn emit(o: &mut Out, ctx: &Ctx<'_>, m: &Model, names: &ModelNames) {
    let client = &names.client;
    let model_lit = lit(&m.name);
    let model_name = doc_text(&m.name);
    o.blank();
    o.doc(
        "",
        format!(
            "Typed operations on the `{model_name}` model, from `TypedModels::{}`.",
            names.accessor
        ),
    );
    o.doc("", "");
    o.doc("", "Results mirror upstream: GraphQL errors come back next to the data. Options that change the");
    o.doc(
        "",
        "selection set must keep every required field of the generated struct; use the untyped",
    );
    o.doc("", "client (`untyped()`) for anything else.");
    o.line("#[derive(Clone)]");
    o.line(format!("pub struct {client} {{"));
    o.line(format!("    inner: {OPTION}<{DATA}::ModelClient>,"));
    o.line("}");
    o.blank();
    o.line(format!("impl ::std::fmt::Debug for {client} {{"));
    o.line("    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {");
    o.line(format!("        f.debug_struct({})", lit(client)));
    o.line(format!("            .field(\"model\", &{model_lit})"));
    o.line("            .field(\"configured\", &self.inner.is_some())");
    o.line("            .finish()");
    o.line("    }");
    o.line("}");
    o.blank();
    o.line(format!("impl {client} {{"));
    o.doc(
        "    ",
        format!("Wraps the untyped client of `{model_name}` (`DataClient::model({model_lit})`)."),
    );
    o.line(format!(
        "    pub fn new(inner: {DATA}::ModelClient) -> Self {{"
    ));
    o.line("        Self { inner: Some(inner) }");
    o.line("    }");
    o.blank();
    o.doc(
        "    ",
        "The untyped client, for `serde_json::Value` access; `None` when the runtime configuration",
    );
    o.doc("    ", "has no such model.");
    o.line(format!(
        "    pub fn untyped(&self) -> {OPTION}<&{DATA}::ModelClient> {{"
    ));
    o.line("        self.inner.as_ref()");
    o.line("    }");
    o.blank();
    o.line(format!(
        "    fn client(&self) -> {RESULT}<&{DATA}::ModelClient, TypedDataError> {{"
    ));
    o.line("        self.inner");
    o.line("            .as_ref()");
    o.line(format!(
        "            .ok_or(TypedDataError::ModelNotConfigured({model_lit}))"
    ));
    o.line("    }");
    for single in singles(m, names) {
        emit_single(o, &single, &names.ty, &model_lit);
    }
    if !m.disabled.list {
        emit_lists(o, &names.ty, &model_name, &model_lit, m);
        if let Some(primary) = &names.primary {
            let doc = format!(
                "Lists the `{model_name}` items whose `{}` is `{}` (`list{}` with its key arguments).",
                doc_text(&m.primary_key.field),
                primary.pk_param,
                doc_text(&capitalize(&m.plural_name))
            );
            KeyQuery::new(
                doc,
                primary,
                &m.primary_key.field,
                &m.primary_key.sort_keys,
                None,
            )
            .emit(o, ctx, m, names);
        }
    }
    for (index, index_names) in m.indexes.iter().zip(&names.indexes) {
        let doc = format!(
            "Queries the secondary index `{}` (`{}`): the items whose `{}` is `{}`.",
            doc_text(index.name_or_query_field()),
            doc_text(&index.query_field),
            doc_text(&index.pk),
            index_names.pk_param
        );
        KeyQuery::new(
            doc,
            index_names,
            &index.pk,
            &index.sk,
            Some(&index.query_field),
        )
        .emit(o, ctx, m, names);
    }
    emit_loaders(o, ctx, m, names);
    o.line("}");
}

/// One loader per relationship field: `hasMany` → a page of the related items, `hasOne` / `belongsTo` →
/// the related item.
fn emit_loaders(o: &mut Out, ctx: &Ctx<'_>, m: &Model, names: &ModelNames) {
    for (field_name, method) in &names.loaders {
        let Some(field) = m.field(field_name) else {
            continue;
        };
        let (amplify_model_introspection::FieldType::Model(related), Some(association)) =
            (&field.field_type, &field.association)
        else {
            continue;
        };
        let Some(related_ty) = ctx.model_type(related) else {
            continue;
        };
        let many = association.connection_type == "HAS_MANY";
        let field_lit = lit(field_name);
        let related_lit = lit(related);
        o.blank();
        o.doc(
            "    ",
            format!(
                "Loads the `{}` relationship of `item` ({}), under `{}`'s own auth rules.",
                doc_text(field_name),
                if many {
                    "one page of a hasMany"
                } else {
                    "a hasOne or belongsTo"
                },
                doc_text(related)
            ),
        );
        o.line(format!("    pub async fn {method}("));
        o.line("        &self,");
        o.line(format!("        ctx: &{CTX},"));
        o.line(format!("        item: &{},", names.ty));
        if many {
            o.line(format!("        options: {DATA}::ListOptions,"));
            o.line(format!(
                "    ) -> {RESULT}<TypedListResult<{related_ty}>, TypedDataError> {{"
            ));
            o.line("        let item = __amplify_encode(item)?;");
            o.line(format!(
                "        let result = self.client()?.load_many(ctx, &item, {field_lit}, options).await?;"
            ));
            o.line(format!(
                "        __amplify_decode_list({related_lit}, result)"
            ));
        } else {
            o.line(format!("        options: {DATA}::ModelOptions,"));
            o.line(format!(
                "    ) -> {RESULT}<TypedResult<{related_ty}>, TypedDataError> {{"
            ));
            o.line("        let item = __amplify_encode(item)?;");
            o.line(format!(
                "        let result = self.client()?.load_one(ctx, &item, {field_lit}, options).await?;"
            ));
            o.line(format!(
                "        __amplify_decode_one({related_lit}, result)"
            ));
        }
        o.line("    }");
    }
}

/// The single-item operations the schema enables.
fn singles<'a>(m: &Model, names: &'a ModelNames) -> Vec<Single<'a>> {
    let model_name = doc_text(&m.name);
    let pascal = doc_text(&capitalize(&m.name));
    let key_ty = format!("impl {INTO}<{}>", names.key);
    let mut out = Vec::new();
    if !m.disabled.create {
        out.push(Single {
            name: "create",
            doc: format!("Creates a `{model_name}` (`create{pascal}`)."),
            arg: "input",
            arg_ty: names.create.clone(),
            call: "input",
        });
    }
    if !m.disabled.get {
        out.push(Single {
            name: "get",
            doc: format!(
                "Reads the `{model_name}` with this key (`get{pascal}`); `data` is `None` when there is none."
            ),
            arg: "key",
            arg_ty: key_ty.clone(),
            call: "key.into()",
        });
    }
    if !m.disabled.update {
        out.push(Single {
            name: "update",
            doc: format!("Updates a `{model_name}` (`update{pascal}`)."),
            arg: "input",
            arg_ty: names.update.clone(),
            call: "input",
        });
    }
    if !m.disabled.delete {
        out.push(Single {
            name: "delete",
            doc: format!(
                "Deletes the `{model_name}` with this key (`delete{pascal}`) and returns it."
            ),
            arg: "key",
            arg_ty: key_ty,
            call: "key.into()",
        });
    }
    out
}

fn emit_single(o: &mut Out, s: &Single<'_>, ty: &str, model_lit: &str) {
    let (name, arg) = (s.name, s.arg);
    o.blank();
    o.doc("    ", &s.doc);
    o.line(format!("    pub async fn {name}("));
    o.line("        &self,");
    o.line(format!("        ctx: &{CTX},"));
    o.line(format!("        {arg}: {},", s.arg_ty));
    o.line(format!("        options: {DATA}::ModelOptions,"));
    o.line(format!(
        "    ) -> {RESULT}<TypedResult<{ty}>, TypedDataError> {{"
    ));
    o.line(format!(
        "        let {arg} = __amplify_encode(&{})?;",
        s.call
    ));
    o.line(format!(
        "        let result = self.client()?.{name}(ctx, {arg}, options).await?;"
    ));
    o.line(format!("        __amplify_decode_one({model_lit}, result)"));
    o.line("    }");
}

/// `list` (one page) and `list_all` (every page).
fn emit_lists(o: &mut Out, ty: &str, model_name: &str, model_lit: &str, m: &Model) {
    let plural = doc_text(&capitalize(&m.plural_name));
    for (method, doc) in [
        (
            "list",
            format!("Lists `{model_name}` items, one page (`list{plural}`)."),
        ),
        (
            "list_all",
            format!("Lists every `{model_name}` item, following `next_token` from page to page."),
        ),
    ] {
        o.blank();
        o.doc("    ", doc);
        o.line(format!("    pub async fn {method}("));
        o.line("        &self,");
        o.line(format!("        ctx: &{CTX},"));
        o.line(format!("        options: {DATA}::ListOptions,"));
        o.line(format!(
            "    ) -> {RESULT}<TypedListResult<{ty}>, TypedDataError> {{"
        ));
        o.line(format!(
            "        let result = self.client()?.{method}(ctx, options).await?;"
        ));
        o.line(format!(
            "        __amplify_decode_list({model_lit}, result)"
        ));
        o.line("    }");
    }
}
