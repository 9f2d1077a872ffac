//! Safe post-sign-in destinations.
//!
//! A `redirect_to` value travels through sign-in forms and query strings, so an attacker can set it. Only
//! same-site relative paths are accepted: a single leading `/`, no scheme, no authority (`//host`), no
//! backslashes (browsers treat `/\host` as `//host`) and no control characters. Anything else falls back to
//! the caller's default.

/// Returns `candidate` if it is a safe same-site relative path (with optional query and fragment), else `None`.
///
/// ```
/// use amplify_ssr::redirect::safe_redirect_path;
/// assert_eq!(safe_redirect_path("/dashboard?tab=1"), Some("/dashboard?tab=1"));
/// assert_eq!(safe_redirect_path("//evil.example"), None);
/// assert_eq!(safe_redirect_path("https://evil.example/"), None);
/// assert_eq!(safe_redirect_path("/\\evil.example"), None);
/// ```
#[must_use]
pub fn safe_redirect_path(candidate: &str) -> Option<&str> {
    let mut chars = candidate.chars();
    if chars.next() != Some('/') {
        return None;
    }
    if matches!(chars.next(), Some('/' | '\\')) {
        return None;
    }
    // Only printable ASCII without spaces: anything else is not a valid `Location` value.
    if candidate
        .chars()
        .any(|c| c == '\\' || !c.is_ascii_graphic())
    {
        return None;
    }
    Some(candidate)
}

#[cfg(test)]
mod tests {
    use super::safe_redirect_path;

    #[test]
    fn accepts_relative_paths() {
        for ok in ["/", "/a", "/a/b?c=d#e", "/caf%C3%A9", "/a//b"] {
            assert_eq!(safe_redirect_path(ok), Some(ok), "{ok}");
        }
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "",
            "a",
            "//evil",
            "/é",
            "/a b",
            "/\\evil",
            "\\\\evil",
            "https://evil",
            "javascript:alert(1)",
            "/a\nb",
            "/a\\b",
            "%2F%2Fevil",
            " /a",
        ] {
            assert_eq!(safe_redirect_path(bad), None, "{bad:?}");
        }
    }
}
