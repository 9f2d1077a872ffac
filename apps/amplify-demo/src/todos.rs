//! Amplify Data pages: each user's own todos (the `Todo` owner rule, user-pool auth) and the public
//! announcements (API key), all through the typed client generated from the schema.

use std::fmt::Write as _;

use amplify_ssr::ServerContext;
use amplify_ssr::axum::SameOrigin;
use amplify_ssr::data::{AuthMode, ListOptions, ModelOptions};
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::app::AppState;
use crate::html::{escape, page};
use crate::models::{CreateTodoInput, CustomOperations, Todo, TypedModels, UpdateTodoInput};

fn no_data_api() -> Response {
    (
        StatusCode::NOT_FOUND,
        "this backend has no Amplify Data API (no `data` in the outputs file)",
    )
        .into_response()
}

fn failure(what: &str, error: impl std::fmt::Display) -> Response {
    tracing::warn!(%error, "{what} failed");
    (StatusCode::BAD_GATEWAY, format!("{what} failed")).into_response()
}

/// `GET /todos` (protected): the signed-in user's todos, oldest first.
pub(crate) async fn todos_page(ctx: ServerContext, State(state): State<AppState>) -> Response {
    let Some(data) = state.data.as_ref() else {
        return no_data_api();
    };
    let nav = state.nav(&ctx).await;
    let mut todos = match data.todo().list_all(&ctx, ListOptions::new()).await {
        Ok(result) => result.data,
        Err(error) => return failure("listing your todos", error),
    };
    todos.sort_by(|a, b| a.created_at.cmp(&b.created_at));
    // The `summary` custom query (a function counts them); a backend without it just shows no summary.
    let summary = match CustomOperations::new(data.clone())
        .summary(&ctx, ModelOptions::new())
        .await
    {
        Ok(result) => result.data,
        Err(error) => {
            tracing::debug!(%error, "no todo summary");
            None
        }
    };
    let mut body = String::new();
    if let Some(summary) = summary {
        let _ = write!(
            body,
            r#"<p id="todo-summary">{} open of {} (the <code>summary</code> custom query)</p>"#,
            summary.open, summary.total
        );
    }
    body.push_str(
        r#"<p>Stored in Amplify Data (AppSync) with an owner rule: only you can see or change these.</p>
<form method="post" action="/todos" id="new-todo-form"><label for="content">New todo</label>
<input id="content" name="content" required maxlength="500"><button type="submit">Add</button></form>"#,
    );
    if todos.is_empty() {
        body.push_str(r#"<p class="hint" id="no-todos">Nothing to do yet.</p>"#);
    } else {
        body.push_str(r#"<ul id="todos">"#);
        for todo in &todos {
            body.push_str(&todo_item(todo));
        }
        body.push_str("</ul>");
    }
    Html(page("Todos", &nav, &body)).into_response()
}

fn todo_item(todo: &Todo) -> String {
    let done = todo.done.unwrap_or(false);
    let mut item = String::new();
    let _ = write!(
        item,
        r#"<li class="todo{}"><span class="content">{}</span>
<form method="post" action="/todos/toggle" class="inline"><input type="hidden" name="id" value="{id}"><input type="hidden" name="done" value="{next}"><button type="submit">{label}</button></form>
<form method="post" action="/todos/delete" class="inline"><input type="hidden" name="id" value="{id}"><button type="submit">Delete</button></form></li>"#,
        if done { " done" } else { "" },
        escape(todo.content.as_deref().unwrap_or("")),
        id = escape(&todo.id),
        next = !done,
        label = if done {
            "Mark as not done"
        } else {
            "Mark as done"
        },
    );
    item
}

#[derive(Debug, Deserialize)]
pub(crate) struct NewTodo {
    content: String,
}

/// `POST /todos` (protected): creates a todo owned by the caller.
pub(crate) async fn create_todo(
    ctx: ServerContext,
    State(state): State<AppState>,
    _: SameOrigin,
    Form(form): Form<NewTodo>,
) -> Response {
    let Some(data) = state.data.as_ref() else {
        return no_data_api();
    };
    let content = form.content.trim();
    if content.is_empty() || content.chars().count() > 500 {
        return (StatusCode::BAD_REQUEST, "a todo has 1 to 500 characters").into_response();
    }
    let input = CreateTodoInput {
        content: Some(content.to_owned()),
        done: Some(false),
        ..CreateTodoInput::new()
    };
    match data.todo().create(&ctx, input, ModelOptions::new()).await {
        Ok(result) if result.errors.is_empty() => Redirect::to("/todos").into_response(),
        Ok(result) => failure("creating the todo", errors_text(&result.errors)),
        Err(error) => failure("creating the todo", error),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct TodoAction {
    id: String,
    done: Option<bool>,
}

/// `POST /todos/toggle` (protected).
pub(crate) async fn toggle_todo(
    ctx: ServerContext,
    State(state): State<AppState>,
    _: SameOrigin,
    Form(form): Form<TodoAction>,
) -> Response {
    let Some(data) = state.data.as_ref() else {
        return no_data_api();
    };
    let input = UpdateTodoInput {
        done: Some(Some(form.done.unwrap_or(true))),
        ..UpdateTodoInput::new(form.id)
    };
    match data.todo().update(&ctx, input, ModelOptions::new()).await {
        Ok(result) if result.errors.is_empty() => Redirect::to("/todos").into_response(),
        // Someone else's todo (or one that is gone): AppSync answers Unauthorized; nothing changed.
        Ok(result) => (
            StatusCode::FORBIDDEN,
            format!("not changed: {}", errors_text(&result.errors)),
        )
            .into_response(),
        Err(error) => failure("updating the todo", error),
    }
}

/// `POST /todos/delete` (protected).
pub(crate) async fn delete_todo(
    ctx: ServerContext,
    State(state): State<AppState>,
    _: SameOrigin,
    Form(form): Form<TodoAction>,
) -> Response {
    let Some(data) = state.data.as_ref() else {
        return no_data_api();
    };
    match data
        .todo()
        .delete(&ctx, form.id.as_str(), ModelOptions::new())
        .await
    {
        Ok(result) if result.errors.is_empty() => Redirect::to("/todos").into_response(),
        Ok(result) => (
            StatusCode::FORBIDDEN,
            format!("not deleted: {}", errors_text(&result.errors)),
        )
            .into_response(),
        Err(error) => failure("deleting the todo", error),
    }
}

/// `GET /announcements`: the public model, read with the API key (no sign-in needed).
pub(crate) async fn announcements_page(
    ctx: ServerContext,
    State(state): State<AppState>,
) -> Response {
    let Some(data) = state.data.as_ref() else {
        return no_data_api();
    };
    let nav = state.nav(&ctx).await;
    let options = ListOptions::new().auth_mode(AuthMode::ApiKey);
    let mut items = match data.announcement().list_all(&ctx, options).await {
        Ok(result) => result.data,
        Err(error) => return failure("listing the announcements", error),
    };
    items.sort_by(|a, b| b.created_at.cmp(&a.created_at));
    let mut body =
        String::from("<p>A public model, read with the API key: visible without signing in.</p>");
    body.push_str(r#"<ul id="announcements">"#);
    for item in &items {
        let _ = write!(
            body,
            "<li><strong>{}</strong> {}</li>",
            escape(&item.title),
            escape(item.body.as_deref().unwrap_or(""))
        );
    }
    body.push_str("</ul>");
    Html(page("Announcements", &nav, &body)).into_response()
}

fn errors_text(errors: &[amplify_ssr::data::GraphqlError]) -> String {
    errors
        .iter()
        .map(|e| {
            format!(
                "{} ({})",
                e.message,
                e.error_type.as_deref().unwrap_or("error")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
