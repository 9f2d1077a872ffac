//! `pub fn new(…) -> Self` of keys and inputs: the required fields as parameters (strings as
//! `impl Into<String>`), the others `None`.

use amplify_model_introspection::Field;

use super::out::Out;
use super::types::is_string;
use super::{Ctx, INTO, STRING};

impl Ctx<'_> {
    /// `new` with `params` as parameters, `defaults` set to `None`, and `doc` as its doc comment.
    pub(super) fn emit_constructor(
        &self,
        o: &mut Out,
        doc: &str,
        params: &[(&Field, String)],
        defaults: &[String],
    ) {
        o.doc("    ", doc);
        if params.len() > 7 {
            o.line("    #[allow(clippy::too_many_arguments)]");
        }
        o.line(self.signature(params));
        o.line("        Self {");
        for (f, rust) in params {
            if is_string(f) {
                o.line(format!("            {rust}: {rust}.into(),"));
            } else {
                o.line(format!("            {rust},"));
            }
        }
        for rust in defaults {
            o.line(format!("            {rust}: None,"));
        }
        o.line("        }");
        o.line("    }");
    }

    /// `pub fn new(…) -> Self {`, one parameter a line when they do not fit on one.
    fn signature(&self, params: &[(&Field, String)]) -> String {
        let args: Vec<String> = params
            .iter()
            .map(|(f, rust)| {
                if is_string(f) {
                    format!("{rust}: impl {INTO}<{STRING}>")
                } else {
                    format!("{rust}: {}", self.value_type(f, None))
                }
            })
            .collect();
        if args.join(", ").len() <= 70 {
            return format!("    pub fn new({}) -> Self {{", args.join(", "));
        }
        let mut s = "    pub fn new(\n".to_owned();
        for arg in args {
            s.push_str(&format!("        {arg},\n"));
        }
        s.push_str("    ) -> Self {");
        s
    }
}
