//! An enum, with a fallback variant for values added after the build.

use amplify_model_introspection::EnumType;

use crate::naming::{Scope, upper_camel_case};

use super::out::{Out, doc_text, lit};
use super::{Ctx, FROM, RESULT, STRING};

pub(super) fn emit(o: &mut Out, ctx: &Ctx<'_>, e: &EnumType) {
    let name = &ctx.names.enums[&e.name];
    let mut scope = Scope::default();
    let variants: Vec<(String, String)> = e
        .values
        .iter()
        .map(|v| (v.clone(), scope.claim(upper_camel_case(v))))
        .collect();
    let fallback = scope.claim("Unknown".to_owned());
    o.blank();
    o.doc("", format!("The `{}` enum.", doc_text(&e.name)));
    o.doc("", "");
    o.doc(
        "",
        format!(
            "Values unknown when this code was generated (added to the schema later) are kept in\n`{name}::{fallback}`, so that reading them never fails."
        ),
    );
    o.line("#[derive(Debug, Clone, PartialEq, Eq, Hash)]");
    o.line(format!("pub enum {name} {{"));
    for (value, variant) in &variants {
        o.doc("    ", format!("`{}`", doc_text(value)));
        o.line(format!("    {variant},"));
    }
    o.doc("    ", "A value this build does not know.");
    o.line(format!("    {fallback}({STRING}),"));
    o.line("}");
    o.blank();
    o.line(format!("impl {name} {{"));
    o.doc(
        "    ",
        "Every value known when this code was generated, in schema order.",
    );
    let values: Vec<String> = e.values.iter().map(|v| lit(v)).collect();
    o.line(format!(
        "    pub const VALUES: &'static [&'static str] = &[{}];",
        values.join(", ")
    ));
    o.blank();
    o.doc("    ", "The GraphQL value.");
    o.line("    pub fn as_str(&self) -> &str {");
    o.line("        match self {");
    for (value, variant) in &variants {
        o.line(format!("            Self::{variant} => {},", lit(value)));
    }
    o.line(format!("            Self::{fallback}(value) => value,"));
    o.line("        }");
    o.line("    }");
    o.line("}");
    o.blank();
    o.line(format!("impl {FROM}<&str> for {name} {{"));
    o.line("    fn from(value: &str) -> Self {");
    o.line("        match value {");
    for (value, variant) in &variants {
        o.line(format!("            {} => Self::{variant},", lit(value)));
    }
    o.line(format!(
        "            other => Self::{fallback}(other.to_owned()),"
    ));
    o.line("        }");
    o.line("    }");
    o.line("}");
    o.blank();
    o.line(format!("impl ::std::fmt::Display for {name} {{"));
    o.line("    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {");
    o.line("        f.write_str(self.as_str())");
    o.line("    }");
    o.line("}");
    o.blank();
    o.line(format!("impl ::serde::Serialize for {name} {{"));
    o.line(format!(
        "    fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> {RESULT}<S::Ok, S::Error> {{"
    ));
    o.line("        serializer.serialize_str(self.as_str())");
    o.line("    }");
    o.line("}");
    o.blank();
    o.line(format!("impl<'de> ::serde::Deserialize<'de> for {name} {{"));
    o.line(format!(
        "    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> {RESULT}<Self, D::Error> {{"
    ));
    o.line("        let value = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;");
    o.line("        Ok(Self::from(&*value))");
    o.line("    }");
    o.line("}");
}
