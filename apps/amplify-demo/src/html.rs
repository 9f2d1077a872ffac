//! The site's layout: header with the navigation and the user's menu, main content, footer. The look is in one
//! stylesheet and the behaviour in one script, both served by the app ([`crate::assets`]); pages carry no inline
//! style or script, so their CSP can forbid both.

use std::fmt::Write as _;

/// Escapes text for HTML element content and double-quoted attributes (shared with the framework examples).
pub(crate) use amplify_examples_support::html::escape;

/// The sections of the main navigation: path and label.
const SECTIONS: [(&str, &str); 6] = [
    ("/", "Home"),
    ("/dashboard", "Dashboard"),
    ("/todos", "Todos"),
    ("/files", "Files"),
    ("/gallery", "Gallery"),
    ("/announcements", "News"),
];

/// What the header shows.
#[derive(Clone, Debug, Default)]
pub(crate) struct Nav {
    /// The signed-in user, as people read it (name, else email, else username), if anyone is signed in.
    pub(crate) user: Option<String>,
    /// The signed-in user's username (in the header's `data-username`, for scripts and tests).
    pub(crate) username: Option<String>,
    /// Whether the managed-login routes (`/api/auth/*`) are mounted.
    pub(crate) managed_login: bool,
    /// The section the page belongs to (one of the navigation's paths), marked as the current page.
    pub(crate) section: &'static str,
}

impl Nav {
    /// The same navigation, with `section` marked current.
    pub(crate) fn at(mut self, section: &'static str) -> Self {
        self.section = section;
        self
    }
}

/// The first letter of a name, for the avatar.
fn initial(name: &str) -> String {
    name.chars()
        .find(|c| c.is_alphanumeric())
        .map_or_else(|| "?".to_owned(), |c| c.to_uppercase().collect())
}

fn account_menu(nav: &Nav) -> String {
    match (&nav.user, nav.managed_login) {
        (Some(user), managed) => {
            let sign_out = if managed {
                r#"<a class="button secondary small" id="nav-sign-out" href="/api/auth/sign-out">Sign out</a>"#
            } else {
                r#"<form method="post" action="/sign-out" class="plain"><button id="nav-sign-out" class="secondary small" type="submit">Sign out</button></form>"#
            };
            format!(
                r#"<span class="who"><span class="avatar" aria-hidden="true">{initial}</span><span class="visually-hidden">Signed in as </span><strong id="signed-in-user" title="{name}" data-username="{username}">{name}</strong></span>{sign_out}"#,
                initial = escape(&initial(user)),
                name = escape(user),
                username = escape(nav.username.as_deref().unwrap_or_default()),
            )
        }
        (None, true) => r#"<a class="button small" id="nav-sign-in" href="/api/auth/sign-in?redirect_to=%2Fdashboard">Sign in</a>
<a class="button secondary small" id="nav-sign-up" href="/api/auth/sign-up?redirect_to=%2Fdashboard">Sign up</a>
<a class="button secondary small" id="nav-sign-in-google" href="/api/auth/sign-in?provider=Google&amp;redirect_to=%2Fdashboard">Sign in with Google</a>"#
            .to_owned(),
        (None, false) => {
            r#"<a class="button small" id="nav-password-sign-in" href="/sign-in">Sign in</a>"#
                .to_owned()
        }
    }
}

/// Wraps `body` (already-escaped HTML) in the site layout, under an `<h1>` of `title`.
pub(crate) fn page(title: &str, nav: &Nav, body: &str) -> String {
    let mut links = String::new();
    for (path, label) in SECTIONS {
        let current = if path == nav.section {
            r#" aria-current="page""#
        } else {
            ""
        };
        let _ = write!(links, r#"<li><a href="{path}"{current}>{label}</a></li>"#);
    }
    format!(
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{title} · amplify-ssr demo</title>
<link rel="stylesheet" href="{css}">
<script src="{js}" defer></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
<div class="header-inner">
<a class="brand" href="/"><span class="mark" aria-hidden="true"></span>amplify-ssr <small>demo</small></a>
<button type="button" class="menu-toggle secondary small" aria-expanded="false" aria-controls="site-menu" hidden>Menu</button>
<div class="site-menu" id="site-menu">
<nav class="site-nav" aria-label="Main"><ul>{links}</ul></nav>
<div class="account">{account}</div>
</div>
</div>
</header>
<main id="main" tabindex="-1">
<h1>{title}</h1>
{body}
</main>
<footer class="site-footer"><div class="inner">
<span>amplify-ssr: Amplify Auth, Data and Storage from server-rendered Rust.</span>
<a href="/readme">Read the README</a>
</div></footer>
</body>
</html>
"##,
        title = escape(title),
        css = crate::assets::STYLESHEET_PATH,
        js = crate::assets::SCRIPT_PATH,
        account = account_menu(nav),
    )
}

#[cfg(test)]
mod tests {
    use super::{Nav, escape, page};

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn the_layout_marks_the_current_section_and_escapes_the_user() {
        let nav = Nav {
            user: Some("<Ann>".to_owned()),
            username: Some("ann".to_owned()),
            managed_login: true,
            section: "/todos",
        };
        let html = page("T", &nav, "<p>x</p>");
        assert!(html.contains(r#"<a href="/todos" aria-current="page">"#));
        assert_eq!(html.matches("aria-current").count(), 1);
        assert!(html.contains("&lt;Ann&gt;") && !html.contains("<Ann>"));
        assert!(html.contains(r##"<a class="skip-link" href="#main">"##));
        assert!(!html.contains("<style") && !html.contains("<script>"));
    }
}
