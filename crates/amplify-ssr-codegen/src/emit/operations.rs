//! The custom queries and mutations: an arguments struct per operation that takes arguments, and
//! `CustomOperations`, with one typed method per operation.

use amplify_model_introspection::CustomOperation;

use super::names::OperationNames;
use super::out::{Out, doc_text, lit};
use super::types::Presence;
use super::{CTX, Ctx, DATA, DERIVE_DATA, RESULT};

pub(super) fn emit(o: &mut Out, ctx: &Ctx<'_>) {
    let operations = ctx.schema.operations.iter().zip(&ctx.names.operations);
    for (op, names) in operations.clone() {
        if let Some(args) = &names.args {
            emit_args(o, ctx, op, names, args);
        }
    }
    o.blank();
    o.doc(
        "",
        "Typed custom queries and mutations (`client.queries.*` / `client.mutations.*` upstream).",
    );
    o.doc("", "");
    o.doc(
        "",
        "Build it from a `DataClient`; AppSync's errors come back next to the data, as for models.",
    );
    o.line("#[derive(Clone, Debug)]");
    o.line("pub struct CustomOperations {");
    o.line(format!("    inner: {DATA}::DataClient,"));
    o.line("}");
    o.blank();
    o.line("impl CustomOperations {");
    o.doc("    ", "The typed operations of `client`.");
    o.line(format!(
        "    pub fn new(client: {DATA}::DataClient) -> Self {{"
    ));
    o.line("        Self { inner: client }");
    o.line("    }");
    o.blank();
    o.doc("    ", "The untyped client.");
    o.line(format!(
        "    pub fn untyped(&self) -> &{DATA}::DataClient {{"
    ));
    o.line("        &self.inner");
    o.line("    }");
    for (op, names) in operations {
        emit_method(o, ctx, op, names);
    }
    o.line("}");
}

fn emit_args(o: &mut Out, ctx: &Ctx<'_>, op: &CustomOperation, names: &OperationNames, args: &str) {
    o.blank();
    o.doc(
        "",
        format!(
            "The arguments of the custom {} `{}`.",
            op.kind.as_str(),
            doc_text(&op.name)
        ),
    );
    o.line(DERIVE_DATA);
    o.line(format!("pub struct {args} {{"));
    for argument in &op.arguments {
        let presence = if argument.value_required() {
            Presence::Required
        } else {
            Presence::Optional
        };
        ctx.emit_field(
            o,
            argument,
            &names.fields[&argument.name],
            None,
            presence,
            ".",
        );
    }
    o.line("}");
}

fn emit_method(o: &mut Out, ctx: &Ctx<'_>, op: &CustomOperation, names: &OperationNames) {
    let kind = op.kind.as_str();
    let ty = ctx.value_type(&op.returns, None);
    let name_lit = lit(&op.name);
    o.blank();
    o.doc(
        "    ",
        format!(
            "Calls the custom {kind} `{}`; `data` is `None` when it answers `null`.",
            doc_text(&op.name)
        ),
    );
    o.line(format!("    pub async fn {}(", names.method));
    o.line("        &self,");
    o.line(format!("        ctx: &{CTX},"));
    if let Some(args) = &names.args {
        o.line(format!("        args: &{args},"));
    }
    o.line(format!("        options: {DATA}::ModelOptions,"));
    o.line(format!(
        "    ) -> {RESULT}<TypedResult<{ty}>, TypedDataError> {{"
    ));
    // `DataClient::query` / `DataClient::mutation`.
    let getter = op.kind.as_str();
    o.line(format!(
        "        let operation = self.inner.{getter}({name_lit}).ok_or(TypedDataError::OperationNotConfigured({name_lit}))?;"
    ));
    if names.args.is_some() {
        o.line("        let args = __amplify_encode(args)?;");
    } else {
        o.line("        let args = ::serde_json::Value::Null;");
    }
    o.line("        let result = operation.call(ctx, args, options).await?;");
    o.line(format!(
        "        __amplify_decode_item({name_lit}, Some(result.data), result.errors, result.extensions)"
    ));
    o.line("    }");
}
