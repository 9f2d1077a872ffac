//! The `TypedModels` extension trait of `DataClient`: one accessor per model.

use super::out::{Out, doc_text, lit};
use super::{Ctx, DATA};

pub(super) fn emit(o: &mut Out, ctx: &Ctx<'_>) {
    let models = ctx.schema.models.iter().zip(&ctx.names.models);
    o.blank();
    o.doc(
        "",
        "Typed model clients on `amplify_ssr::data::DataClient`: `client.todo().list(..)`.",
    );
    o.doc("", "");
    o.doc(
        "",
        "Bring the trait into scope to use them. The untyped `DataClient::model` stays available.",
    );
    // Accessors are named after models: `to_do()` or `into_2()` are not conversions.
    o.line("#[allow(clippy::wrong_self_convention)]");
    o.line("pub trait TypedModels {");
    for (m, names) in models.clone() {
        o.doc(
            "    ",
            format!("The typed client of the `{}` model.", doc_text(&m.name)),
        );
        o.line(format!(
            "    fn {}(&self) -> {};",
            names.accessor, names.client
        ));
    }
    o.line("}");
    o.blank();
    o.line(format!("impl TypedModels for {DATA}::DataClient {{"));
    for (m, names) in models {
        o.line(format!(
            "    fn {}(&self) -> {} {{",
            names.accessor, names.client
        ));
        o.line(format!("        {} {{", names.client));
        o.line(format!(
            "            inner: {DATA}::DataClient::model(self, {}),",
            lit(&m.name)
        ));
        o.line("        }");
        o.line("    }");
    }
    o.line("}");
}
