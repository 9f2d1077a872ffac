//! Plain HTML for the examples that render with strings (axum, actix-web): escaping, and the page frame every
//! example shares (the links of `examples/README.md`).

use std::fmt::Write as _;

/// `text` with the five HTML-special characters escaped, safe in element content and quoted attributes.
#[must_use]
pub fn escape(text: &str) -> String {
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

/// A whole page: `title` in `<title>` and `<h1>`, the navigation links, then `body` (already HTML).
#[must_use]
pub fn page(framework: &str, title: &str, body: &str) -> String {
    let mut html = String::with_capacity(body.len() + 1024);
    let _ = write!(
        html,
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · amplify-ssr + {framework}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}}
nav a{{margin-right:1rem}} li.todo[data-done=true] .content{{text-decoration:line-through}} form.inline{{display:inline}}</style>
</head><body>
<nav><a href="/">Home</a><a id="protected" href="/protected">Protected</a><a id="todos" href="/todos">Todos</a><a id="files" href="/files">Files</a></nav>
<h1>{title}</h1>
{body}
</body></html>"#,
        title = escape(title),
        framework = escape(framework),
    );
    html
}

/// The home page's body: who is signed in (`None`: signed out) and the auth links.
#[must_use]
pub fn home_body(framework: &str, user: Option<&str>) -> String {
    format!(
        r#"<p>Signed in as: <strong id="whoami">{who}</strong></p>
<p><a id="sign-in" href="/api/auth/sign-in">Sign in</a> · <a id="sign-up" href="/api/auth/sign-up">Sign up</a> · <a id="sign-out" href="/api/auth/sign-out">Sign out</a></p>
<p>A server-rendered {framework} app on amplify-ssr: sessions from the Amplify cookies, managed login, Data and Storage.</p>"#,
        who = escape(user.unwrap_or("signed out")),
        framework = escape(framework),
    )
}

/// The todo page's body: the create form and the list.
#[must_use]
pub fn todos_body(todos: &[crate::todos::TodoItem]) -> String {
    let mut body = String::from(
        r#"<form id="create-todo" method="post" action="/todos"><label>New todo <input name="content" required maxlength="500"></label> <button type="submit">Add</button></form>
<ul id="todos">"#,
    );
    for todo in todos {
        let _ = write!(
            body,
            r#"<li class="todo" data-done="{done}"><span class="content">{content}</span>
<form class="toggle-todo inline" method="post" action="/todos/toggle"><input type="hidden" name="id" value="{id}"><input type="hidden" name="done" value="{next}"><button type="submit">{label}</button></form>
<form class="delete-todo inline" method="post" action="/todos/delete"><input type="hidden" name="id" value="{id}"><button type="submit">Delete</button></form></li>"#,
            done = todo.done,
            content = escape(&todo.content),
            id = escape(&todo.id),
            next = !todo.done,
            label = if todo.done { "Undo" } else { "Done" },
        );
    }
    body.push_str("</ul>");
    body
}

/// The file page's body: the upload form and the list with presigned links.
#[must_use]
pub fn files_body(files: &[crate::files::FileItem]) -> String {
    let mut body = String::from(
        r#"<form id="upload" method="post" action="/files" enctype="multipart/form-data"><input type="file" name="file" required> <button type="submit">Upload</button></form>
<ul id="files">"#,
    );
    for file in files {
        let _ = write!(
            body,
            r#"<li class="file"><a class="file-link" href="{url}">{name}</a> ({size} B)</li>"#,
            url = escape(&file.url),
            name = escape(&file.name),
            size = file.size,
        );
    }
    body.push_str("</ul>");
    body
}

/// An error paragraph (`.error`, which the browser tests look for).
#[must_use]
pub fn error_body(message: &str) -> String {
    format!(r#"<p class="error" role="alert">{}</p>"#, escape(message))
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
