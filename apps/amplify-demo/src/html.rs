//! Minimal HTML helpers: escaping and the page layout. No external assets.

use std::fmt::Write as _;

/// Escapes text for HTML element content and double-quoted attributes (shared with the framework examples).
pub(crate) use amplify_examples_support::html::escape;

/// What the navigation bar shows.
#[derive(Clone, Debug, Default)]
pub(crate) struct Nav {
    /// The signed-in user's name, if any.
    pub(crate) user: Option<String>,
    /// Whether the managed-login routes (`/api/auth/*`) are mounted.
    pub(crate) managed_login: bool,
}

/// Wraps `body` (already-escaped HTML) in the site layout.
pub(crate) fn page(title: &str, nav: &Nav, body: &str) -> String {
    let mut links = String::from(
        r#"<a href="/">Home</a> <a href="/dashboard">Dashboard</a> <a href="/todos">Todos</a> <a href="/files">Files</a> <a href="/gallery">Gallery</a> <a href="/announcements">News</a>"#,
    );
    match (&nav.user, nav.managed_login) {
        (Some(user), managed) => {
            let _ = write!(
                links,
                r#" <span class="who">Signed in as <strong id="signed-in-user">{}</strong></span>"#,
                escape(user)
            );
            if managed {
                links.push_str(r#" <a id="nav-sign-out" href="/api/auth/sign-out">Sign out</a>"#);
            } else {
                links.push_str(
                    r#" <form method="post" action="/sign-out" class="inline"><button id="nav-sign-out" type="submit">Sign out</button></form>"#,
                );
            }
        }
        (None, true) => links.push_str(
            r#" <span class="who"><a id="nav-sign-in" href="/api/auth/sign-in?redirect_to=%2Fdashboard">Sign in</a>
<a id="nav-sign-up" href="/api/auth/sign-up?redirect_to=%2Fdashboard">Sign up</a>
<a id="nav-sign-in-google" href="/api/auth/sign-in?provider=Google&amp;redirect_to=%2Fdashboard">Sign in with Google</a>
<a id="nav-password-sign-in" href="/sign-in">Password sign-in</a></span>"#,
        ),
        (None, false) => links.push_str(
            r#" <span class="who"><a id="nav-password-sign-in" href="/sign-in">Sign in</a></span>"#,
        ),
    }
    let nav = links;
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
code, td {{ word-break: break-all; }}
select {{ font: inherit; padding: .4rem; }}
li.todo.done .content {{ text-decoration: line-through; color: #777; }}
li.todo form {{ margin-left: .5rem; }}
ul.gallery {{ list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); gap: 1rem; }}
ul.gallery img {{ width: 100%; height: 8rem; object-fit: cover; border: 1px solid #ddd; }}
ul.gallery span {{ display: block; font-size: .9rem; }}
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
