//! Minimal HTML helpers: escaping and the page layout. No external assets.

use std::fmt::Write as _;

/// Escapes text for HTML element content and double-quoted attributes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Wraps `body` (already-escaped HTML) in the site layout.
pub(crate) fn page(title: &str, signed_in_as: Option<&str>, body: &str) -> String {
    let mut nav = String::from(r#"<a href="/">Home</a> <a href="/dashboard">Dashboard</a>"#);
    match signed_in_as {
        Some(user) => {
            let _ = write!(
                nav,
                r#" <span class="who">Signed in as <strong>{}</strong></span>
<form method="post" action="/sign-out" class="inline"><button type="submit">Sign out</button></form>"#,
                escape(user)
            );
        }
        None => nav.push_str(r#" <a href="/sign-in">Sign in</a>"#),
    }
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · amplify-demo</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; }}
nav {{ display: flex; gap: 1rem; align-items: center; border-bottom: 1px solid #ddd; padding-bottom: .75rem; }}
nav .who {{ margin-left: auto; }}
form.inline {{ display: inline; }}
label {{ display: block; margin-top: .75rem; font-weight: 600; }}
input {{ font: inherit; padding: .4rem; width: 100%; max-width: 22rem; }}
button {{ font: inherit; padding: .4rem .9rem; margin-top: .75rem; cursor: pointer; }}
.error {{ color: #b00020; }}
.hint {{ color: #555; font-size: .9rem; }}
table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #ddd; padding: .3rem .6rem; text-align: left; vertical-align: top; }}
code {{ word-break: break-all; }}
</style>
</head>
<body>
<nav>{nav}</nav>
<main>
<h1>{title}</h1>
{body}
</main>
</body>
</html>
"#,
        title = escape(title),
    )
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
