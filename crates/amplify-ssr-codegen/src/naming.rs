//! Turning GraphQL names into Rust identifiers.
//!
//! GraphQL names match `[_A-Za-z][_0-9A-Za-z]*`, but the introspection document is input we
//! do not control, so every function here accepts any string and always returns a valid Rust
//! identifier: characters outside `[_0-9A-Za-z]` become `_`, a leading digit gets a prefix,
//! keywords become raw identifiers (`r#type`), and the few keywords that cannot be raw
//! (`self`, `Self`, `super`, `crate`, `_`) get a trailing underscore.

use std::collections::BTreeSet;

/// Keywords of Rust 2024 (strict, reserved and weak-but-reserved in 2024).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be written as raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Makes `word` (already made of `[_0-9A-Za-z]`) usable as an identifier.
fn escape_keyword(word: String) -> String {
    if NOT_RAW.contains(&word.as_str()) {
        format!("{word}_")
    } else if KEYWORDS.contains(&word.as_str()) {
        format!("r#{word}")
    } else {
        word
    }
}

/// Splits a name into words: at `_` and other non-alphanumeric characters, at lower→upper
/// transitions (`createdAt`), at the end of an acronym (`HTTPServer` → `HTTP`, `Server`) and
/// at letter/digit boundaries are *not* split (`field2Name` → `field2`, `Name`).
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !current.is_empty() {
            let prev = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let boundary = prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_is_lower);
            if boundary {
                out.push(std::mem::take(&mut current));
            }
        }
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `createdAt` → `created_at`, `homepageURL` → `homepage_url`, `type` → `r#type`.
/// Leading underscores are kept (`_version` → `_version`).
pub(crate) fn snake_case(name: &str) -> String {
    let leading = name.chars().take_while(|&c| c == '_').count();
    let mut s = "_".repeat(leading);
    s.push_str(
        &words(name)
            .iter()
            .map(|w| w.to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join("_"),
    );
    if s.is_empty() || s.chars().all(|c| c == '_') {
        s = "field".to_owned();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    escape_keyword(s)
}

/// `Todo` → `Todo` (kept as written when it is already an upper-camel-case identifier, so that
/// acronyms survive: `URLRecord`), `todo_item` → `TodoItem`, `IN_PROGRESS` → `InProgress`.
pub(crate) fn upper_camel_case(name: &str) -> String {
    let already = name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric());
    let all_upper = name.chars().any(|c| c.is_ascii_uppercase())
        && !name.chars().any(|c| c.is_ascii_lowercase());
    let mut s = if already && !(all_upper && name.len() > 1) {
        name.to_owned()
    } else {
        words(name)
            .iter()
            .map(|w| {
                let lower_rest = w.chars().all(|c| !c.is_ascii_lowercase());
                let mut chars = w.chars();
                let first = chars.next().map(|c| c.to_ascii_uppercase());
                let rest: String = if lower_rest {
                    chars.as_str().to_ascii_lowercase()
                } else {
                    chars.as_str().to_owned()
                };
                first.into_iter().chain(rest.chars()).collect::<String>()
            })
            .collect()
    };
    if s.is_empty() {
        s = "Unnamed".to_owned();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'N');
    }
    escape_keyword(s)
}

/// Hands out names unique within one scope: a clash gets a `_2`, `_3`, … suffix (or `2`, `3`,
/// … for camel-case names).
#[derive(Debug, Default)]
pub(crate) struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// A scope in which `reserved` are already taken.
    pub(crate) fn with_reserved(reserved: &[&str]) -> Self {
        Self {
            taken: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// Marks `names` as taken.
    pub(crate) fn reserve(&mut self, names: &[&str]) {
        self.taken.extend(names.iter().map(|s| (*s).to_owned()));
    }

    /// Claims `name`, or the first free suffixed variant of it.
    pub(crate) fn claim(&mut self, name: String) -> String {
        if self.taken.insert(bare(&name).to_owned()) {
            return name;
        }
        let camel = name.starts_with(|c: char| c.is_ascii_uppercase());
        let base = bare(&name).to_owned();
        (2..)
            .map(|n| {
                if camel {
                    format!("{base}{n}")
                } else {
                    format!("{base}_{n}")
                }
            })
            .find(|candidate| self.taken.insert(candidate.clone()))
            .expect("an unbounded range always yields a free name")
    }
}

/// The identifier without its `r#` prefix.
fn bare(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// Capitalises the first character only (`listTodos` → `ListTodos`), as upstream does.
pub(crate) fn capitalize(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_names() {
        assert_eq!(snake_case("createdAt"), "created_at");
        assert_eq!(snake_case("homepageURL"), "homepage_url");
        assert_eq!(snake_case("HTTPServer"), "http_server");
        assert_eq!(snake_case("postID"), "post_id");
        assert_eq!(snake_case("field2Name"), "field2_name");
        assert_eq!(snake_case("_version"), "_version");
        assert_eq!(snake_case("__typename"), "__typename");
        assert_eq!(snake_case("already_snake"), "already_snake");
        assert_eq!(snake_case("type"), "r#type");
        assert_eq!(snake_case("async"), "r#async");
        assert_eq!(snake_case("gen"), "r#gen");
        assert_eq!(snake_case("self"), "self_");
        assert_eq!(snake_case("Self"), "self_");
        assert_eq!(snake_case("crate"), "crate_");
        assert_eq!(snake_case("2fa"), "_2fa");
        assert_eq!(snake_case("with-dash.dot"), "with_dash_dot");
        assert_eq!(snake_case(""), "field");
        assert_eq!(snake_case("_"), "field");
    }

    #[test]
    fn upper_camel_case_names() {
        assert_eq!(upper_camel_case("Todo"), "Todo");
        assert_eq!(upper_camel_case("URLRecord"), "URLRecord");
        assert_eq!(upper_camel_case("todo_item"), "TodoItem");
        assert_eq!(upper_camel_case("todo"), "Todo");
        assert_eq!(upper_camel_case("IN_PROGRESS"), "InProgress");
        assert_eq!(upper_camel_case("DONE"), "Done");
        assert_eq!(upper_camel_case("inProgress"), "InProgress");
        assert_eq!(upper_camel_case("A"), "A");
        assert_eq!(upper_camel_case("Self"), "Self_");
        assert_eq!(upper_camel_case("1st"), "N1st");
        assert_eq!(upper_camel_case("a-b c"), "ABC");
        assert_eq!(upper_camel_case(""), "Unnamed");
    }

    #[test]
    fn scope_suffixes_clashes() {
        let mut scope = Scope::with_reserved(&["new"]);
        assert_eq!(scope.claim("new".to_owned()), "new_2");
        assert_eq!(scope.claim("foo_bar".to_owned()), "foo_bar");
        assert_eq!(scope.claim("foo_bar".to_owned()), "foo_bar_2");
        assert_eq!(scope.claim("r#type".to_owned()), "r#type");
        assert_eq!(scope.claim("r#type".to_owned()), "type_2");
        assert_eq!(scope.claim("Draft".to_owned()), "Draft");
        assert_eq!(scope.claim("Draft".to_owned()), "Draft2");
    }
}
