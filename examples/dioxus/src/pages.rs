//! The pages (see `examples/README.md` for their paths and element ids), rendered on the server. Each reads
//! what it shows through a server function in `use_server_future`: on the server that is a direct call (with the
//! request's session), in a hydrating client an HTTP call.

use dioxus::prelude::*;

use crate::api::{self, FileRow, TodoRow};

/// The pages.
#[derive(Clone, Debug, PartialEq, Routable)]
#[rustfmt::skip]
pub enum Route {
    /// Everyone: who is signed in, and the links.
    #[route("/")]
    Home {},
    /// Signed in only (the router's `RequireAuthLayer` redirects the others to sign in).
    #[route("/protected")]
    Protected {},
    /// The todo list.
    #[route("/todos")]
    Todos {},
    /// The file list.
    #[route("/files")]
    Files {},
    /// Everyone: a page that reads the session only while it streams.
    #[route("/streamed")]
    Streamed {},
    /// Where managed-login failures land.
    #[route("/auth-error?:error")]
    AuthError {
        /// The error code from managed login.
        error: String,
    },
}

/// The root component.
#[component]
pub fn App() -> Element {
    rsx! {
        Router::<Route> {}
    }
}

/// `Some(Ok(value))` of a resolved server future, else an error text for the page.
fn resolved<T: Clone>(
    value: &Option<Result<T, amplify_ssr_dioxus::AmplifyFnError>>,
) -> Result<T, String> {
    match value {
        Some(Ok(value)) => Ok(value.clone()),
        Some(Err(error)) => Err(error.to_string()),
        None => Err("loading".to_owned()),
    }
}

#[component]
fn Home() -> Element {
    let user = use_server_future(api::whoami)?;
    let whoami = match resolved(&user.read()) {
        Ok(Some(name)) => name,
        Ok(None) => "signed out".to_owned(),
        Err(error) => error,
    };
    rsx! {
        h1 { "amplify-ssr with Dioxus" }
        p { "Signed in as: " span { id: "whoami", "{whoami}" } }
        nav {
            ul {
                li { a { id: "sign-in", href: "/api/auth/sign-in", "Sign in" } }
                li { a { id: "sign-up", href: "/api/auth/sign-up", "Sign up" } }
                li { a { id: "sign-out", href: "/api/auth/sign-out", "Sign out" } }
                li { a { id: "protected", href: "/protected", "Protected page" } }
                li { a { id: "todos", href: "/todos", "Todos" } }
                li { a { id: "files", href: "/files", "Files" } }
            }
        }
    }
}

/// A page whose only session read happens while it streams: the greeting renders after the page's first bytes
/// left (out-of-order streaming, a `SuspenseBoundary`), when `Set-Cookie` can no longer be sent. That is why the
/// router's `AmplifyLayer` refreshes an expired session before rendering starts. (Without JavaScript the
/// streamed part stays hidden: Dioxus swaps it in with a script.)
#[component]
fn Streamed() -> Element {
    rsx! {
        h1 { "A streamed page" }
        SuspenseBoundary {
            fallback: |_| rsx! { p { "…" } },
            StreamedGreeting {}
        }
        HomeLink {}
    }
}

#[component]
fn StreamedGreeting() -> Element {
    let user = use_server_future(api::whoami)?;
    let text = match resolved(&user.read()) {
        Ok(Some(name)) => format!("Welcome back, {name}."),
        Ok(None) => "Welcome, guest.".to_owned(),
        Err(error) => error,
    };
    rsx! { p { id: "streamed-greeting", "{text}" } }
}

/// A link back to the home page.
#[component]
fn HomeLink() -> Element {
    rsx! { p { a { href: "/", "Home" } } }
}

#[component]
fn Protected() -> Element {
    let user = use_server_future(api::signed_in_user)?;
    let body = match resolved(&user.read()) {
        Ok(name) => {
            rsx! { p { "Only for signed-in users. You are " span { id: "protected-user", "{name}" } "." } }
        }
        Err(error) => rsx! { p { class: "error", "{error}" } },
    };
    rsx! {
        h1 { "Protected page" }
        {body}
        HomeLink {}
    }
}

#[component]
fn Todos() -> Element {
    let todos = use_server_future(api::list_todos)?;
    let list = match resolved(&todos.read()) {
        Ok(items) => rsx! {
            ul { id: "todos",
                for todo in items {
                    TodoItem { key: "{todo.id}", todo: todo.clone() }
                }
            }
        },
        Err(error) => rsx! { p { class: "error", "{error}" } },
    };
    rsx! {
        h1 { "Todos" }
        form { id: "create-todo", method: "post", action: "/api/todos/create",
            input { r#type: "text", name: "content", required: true, maxlength: "500" }
            button { r#type: "submit", "Add" }
        }
        {list}
        HomeLink {}
    }
}

#[component]
fn TodoItem(todo: TodoRow) -> Element {
    let next = !todo.done;
    rsx! {
        li { class: "todo", "data-done": "{todo.done}",
            span { class: "content", "{todo.content}" }
            form { class: "toggle-todo", method: "post", action: "/api/todos/toggle",
                input { r#type: "hidden", name: "id", value: "{todo.id}" }
                input { r#type: "hidden", name: "done", value: "{next}" }
                button { r#type: "submit", if todo.done { "Not done" } else { "Done" } }
            }
            form { class: "delete-todo", method: "post", action: "/api/todos/delete",
                input { r#type: "hidden", name: "id", value: "{todo.id}" }
                button { r#type: "submit", "Delete" }
            }
        }
    }
}

#[component]
fn Files() -> Element {
    let files = use_server_future(api::list_files)?;
    let list = match resolved(&files.read()) {
        Ok(files) => rsx! {
            ul { id: "files",
                for file in files {
                    FileItem { key: "{file.name}", file: file.clone() }
                }
            }
        },
        Err(error) => rsx! { p { class: "error", "{error}" } },
    };
    rsx! {
        h1 { "Files" }
        form { id: "upload", method: "post", action: "/api/files/upload", enctype: "multipart/form-data",
            input { r#type: "file", name: "file", required: true }
            button { r#type: "submit", "Upload" }
        }
        {list}
        HomeLink {}
    }
}

#[component]
fn FileItem(file: FileRow) -> Element {
    rsx! { li { class: "file", a { class: "file-link", href: "{file.url}", "{file.name}" } } }
}

#[component]
fn AuthError(error: String) -> Element {
    rsx! {
        h1 { "Sign-in failed" }
        p { id: "auth-error", "Managed login answered: {error}" }
        HomeLink {}
    }
}
