//! The pages, as Leptos components rendered on the server (no hydration: every form is a plain HTML form that
//! posts to a server function). The paths and element ids are those of `examples/README.md`.
//!
//! Pages render in order (`SsrMode::InOrder`): the HTML streams as it is ready, and a resource's content comes
//! in its place, so the pages also read right with JavaScript off. (Out-of-order streaming moves content into
//! place with inline scripts.)

use amplify_examples_support::todos::TodoItem;
use amplify_ssr_leptos::{AuthFnError, private_page};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_query_map;
use leptos_router::{SsrMode, path};

use crate::functions::{
    CreateTodo, DeleteTodo, ToggleTodo, UploadFile, list_files, list_todos, whoami,
};

/// The whole document: what leptos_axum renders for every page.
pub fn shell() -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>"amplify-ssr on Leptos"</title>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The routes.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <nav>
                <a href="/">"Home"</a>" · "<a href="/protected">"Protected"</a>" · "
                <a href="/todos">"Todos"</a>" · "<a href="/files">"Files"</a>
            </nav>
            <main>
                <Routes fallback=|| view! { <p>"Not found."</p> }>
                    <Route path=path!("/") view=Home ssr=SsrMode::InOrder/>
                    <Route path=path!("/protected") view=Protected ssr=SsrMode::InOrder/>
                    <Route path=path!("/todos") view=Todos ssr=SsrMode::InOrder/>
                    <Route path=path!("/files") view=Files ssr=SsrMode::InOrder/>
                    <Route path=path!("/auth-error") view=AuthErrorPage/>
                </Routes>
            </main>
        </Router>
    }
}

/// Public: who is signed in, and the links.
#[component]
fn Home() -> impl IntoView {
    // The page shows the session, so no cache may keep it (set before the headers go out).
    private_page();
    let user = Resource::new(|| (), |()| whoami());
    view! {
        <h1>"amplify-ssr on Leptos"</h1>
        <p>
            "Signed in as: "
            <Suspense fallback=|| "…">
                <span id="whoami">
                    {move || user.get().map(|answer| match answer {
                        Ok(Some(name)) => name,
                        Ok(None) => "signed out".to_owned(),
                        Err(error) => format!("unknown ({error})"),
                    })}
                </span>
            </Suspense>
        </p>
        <ul>
            <li><a id="sign-in" href="/api/auth/sign-in">"Sign in"</a></li>
            <li><a id="sign-up" href="/api/auth/sign-up">"Sign up"</a></li>
            <li><a id="sign-out" href="/api/auth/sign-out">"Sign out"</a></li>
            <li><a id="protected" href="/protected">"A protected page"</a></li>
            <li><a id="todos" href="/todos">"Todos"</a></li>
            <li><a id="files" href="/files">"Files"</a></li>
        </ul>
    }
}

/// Signed in only (route protection redirects the others to sign in).
#[component]
fn Protected() -> impl IntoView {
    let user = Resource::new(|| (), |()| whoami());
    view! {
        <h1>"Protected"</h1>
        <Suspense fallback=|| "…">
            {move || user.get().map(|answer| match answer {
                Ok(Some(name)) => view! { <p>"Hello, "<span id="protected-user">{name}</span></p> }.into_any(),
                Ok(None) => view! { <p>"You are signed out."</p> }.into_any(),
                Err(error) => failure(&error).into_any(),
            })}
        </Suspense>
    }
}

/// The user's todos: add, toggle, delete.
#[component]
fn Todos() -> impl IntoView {
    let create = ServerAction::<CreateTodo>::new();
    let toggle = ServerAction::<ToggleTodo>::new();
    let delete = ServerAction::<DeleteTodo>::new();
    let todos = Resource::new(
        move || {
            (
                create.version().get(),
                toggle.version().get(),
                delete.version().get(),
            )
        },
        |_| list_todos(),
    );
    view! {
        <h1>"Todos"</h1>
        <ActionForm action=create attr:id="create-todo">
            <input type="text" name="content" required=true maxlength="500"/>
            <button type="submit">"Add"</button>
        </ActionForm>
        <Suspense fallback=|| "…">
            {move || todos.get().map(|answer| match answer {
                Ok(items) => view! {
                    <ul id="todos">
                        {items.into_iter().map(|todo| view! { <TodoRow todo toggle delete/> }).collect_view()}
                    </ul>
                }.into_any(),
                Err(error) => failure(&error).into_any(),
            })}
        </Suspense>
    }
}

/// One todo: its text, and the forms that toggle and delete it.
#[component]
fn TodoRow(
    todo: TodoItem,
    toggle: ServerAction<ToggleTodo>,
    delete: ServerAction<DeleteTodo>,
) -> impl IntoView {
    let TodoItem { id, content, done } = todo;
    let delete_id = id.clone();
    view! {
        <li class="todo" data-done=done.to_string()>
            <span class="content">{content}</span>
            <ActionForm action=toggle attr:class="toggle-todo">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="done" value=(!done).to_string()/>
                <button type="submit">{if done { "Undo" } else { "Done" }}</button>
            </ActionForm>
            <ActionForm action=delete attr:class="delete-todo">
                <input type="hidden" name="id" value=delete_id/>
                <button type="submit">"Delete"</button>
            </ActionForm>
        </li>
    }
}

/// The user's files: upload (a multipart form posted to a server function) and presigned links.
#[component]
fn Files() -> impl IntoView {
    let files = Resource::new(|| (), |()| list_files());
    view! {
        <h1>"Files"</h1>
        <form id="upload" method="post" enctype="multipart/form-data" action=UploadFile::url()>
            <input type="file" name="file" required=true/>
            <button type="submit">"Upload"</button>
        </form>
        <Suspense fallback=|| "…">
            {move || files.get().map(|answer| match answer {
                Ok(items) => view! {
                    <ul id="files">
                        {items.into_iter().map(|file| view! {
                            <li class="file"><a class="file-link" href=file.url>{file.name}</a></li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Err(error) => failure(&error).into_any(),
            })}
        </Suspense>
    }
}

/// Where managed-login failures land.
#[component]
fn AuthErrorPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || {
        query
            .read()
            .get("error")
            .unwrap_or_else(|| "unknown".to_owned())
    };
    view! {
        <h1>"Sign-in failed"</h1>
        <p id="auth-error">{error}</p>
        <p><a href="/">"Back to the home page"</a></p>
    }
}

/// A server function's error, as a page shows it: a sign-in link for a signed-out user, the message otherwise.
fn failure(error: &AuthFnError) -> impl IntoView + use<> {
    if error.is_signed_out() {
        view! { <p class="error">"You are signed out. "<a href="/api/auth/sign-in">"Sign in"</a></p> }
            .into_any()
    } else {
        view! { <p class="error">{error.to_string()}</p> }.into_any()
    }
}
