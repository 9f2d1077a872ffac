//! A bound on how deeply a GraphQL document nests, checked before it is parsed.
//!
//! The GraphQL parser (async-graphql's), the validation and the filter evaluation all recurse once per level of
//! `{`, `[` or `(`. Without a bound, one request nested a few hundred levels deep (`filter: {not: {not: …}}`)
//! overflows the stack of the worker thread running it, which aborts the whole server, whoever sent it.

/// The deepest nesting a document may have; real queries and filters stay far below it.
pub(super) const MAX_DEPTH: usize = 64;

/// Whether `document` nests `{`, `[` and `(` deeper than [`MAX_DEPTH`], not counting strings and comments.
pub(super) fn too_deep(document: &str) -> bool {
    let bytes = document.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' if bytes[i..].starts_with(b"\"\"\"") => i = block_string_end(bytes, i + 3),
            b'"' => i = string_end(bytes, i + 1),
            b'#' => i = line_end(bytes, i + 1),
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return true;
                }
                i += 1;
            }
            b'}' | b']' | b')' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    false
}

/// Just past the `"` closing a string whose text starts at `i` (or the end of the line: the parser refuses it).
fn string_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'\n' | b'\r' => return i,
            _ => i += 1,
        }
    }
    i
}

/// Just past the `"""` closing a block string whose text starts at `i` (`\"""` does not close it).
fn block_string_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        if bytes[i..].starts_with(b"\\\"\"\"") {
            i += 4;
        } else if bytes[i..].starts_with(b"\"\"\"") {
            return i + 3;
        } else {
            i += 1;
        }
    }
    i
}

fn line_end(bytes: &[u8], i: usize) -> usize {
    bytes[i..]
        .iter()
        .position(|b| matches!(b, b'\n' | b'\r'))
        .map_or(bytes.len(), |at| i + at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested_filter(levels: usize) -> String {
        format!(
            "query {{ listTodos(filter: {}{{done: {{eq: true}}}}{}) {{ items {{ id }} }} }}",
            "{not: ".repeat(levels),
            "}".repeat(levels)
        )
    }

    #[test]
    fn counts_braces_brackets_and_parentheses() {
        // `query {`, `(`, then the nots, then `{done:` and `{eq:`: 4 levels besides the nots.
        assert!(!too_deep(&nested_filter(MAX_DEPTH - 4)));
        assert!(too_deep(&nested_filter(MAX_DEPTH - 3)));
        assert!(too_deep(&"[".repeat(MAX_DEPTH + 1)));
        assert!(!too_deep(&"[]".repeat(10 * MAX_DEPTH)));
    }

    #[test]
    fn strings_and_comments_do_not_count() {
        let brackets = "{[(".repeat(MAX_DEPTH);
        for document in [
            format!(r#"query {{ a(s: "{brackets}") }}"#),
            format!(r#"query {{ a(s: "\"{brackets}") }}"#),
            format!("query {{ a(s: \"\"\"\n{brackets}\\\"\"\" {brackets}\"\"\") }}"),
            format!("# {brackets}\nquery {{ a }}"),
        ] {
            assert!(!too_deep(&document), "{document}");
        }
        // An unterminated string ends at its line; what follows counts.
        assert!(too_deep(&format!("query {{ a(s: \"x\n{brackets}")));
    }
}
