//! A line-oriented writer, and text made safe for the output.

/// A line-oriented writer.
#[derive(Default)]
pub(super) struct Out(String);

impl Out {
    pub(super) fn line(&mut self, text: impl AsRef<str>) {
        self.0.push_str(text.as_ref());
        self.0.push('\n');
    }

    pub(super) fn blank(&mut self) {
        self.0.push('\n');
    }

    /// Text written as is (a template).
    pub(super) fn raw(&mut self, text: &str) {
        self.0.push_str(text);
    }

    /// A doc comment (one `///` line per input line), indented by `indent`.
    pub(super) fn doc(&mut self, indent: &str, text: impl AsRef<str>) {
        if text.as_ref().is_empty() {
            self.line(format!("{indent}///"));
        }
        for line in text.as_ref().lines() {
            if line.is_empty() {
                self.line(format!("{indent}///"));
            } else {
                self.line(format!("{indent}/// {line}"));
            }
        }
    }

    pub(super) fn finish(self) -> String {
        self.0
    }
}

/// Text from the schema, made safe for a one-line doc comment.
pub(super) fn doc_text(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A Rust string literal.
pub(super) fn lit(text: &str) -> String {
    format!("{text:?}")
}
