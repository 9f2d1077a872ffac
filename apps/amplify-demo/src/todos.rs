//! Amplify Data pages: each user's own todos (the `Todo` owner rule, user-pool auth) and the news
//! (`Announcement`: anyone reads it with the API key, signed-in users write it), all through the typed client
//! generated from the schema.

use std::fmt::Write as _;

use amplify_ssr::ServerContext;
use amplify_ssr::axum::{SameOrigin, SignedInPage};
use amplify_ssr::data::{AuthMode, DataClient, ListOptions, ModelOptions};
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::app::AppState;
use crate::html::{Nav, escape, page};
use crate::models::{
    CreateAnnouncementInput, CreateTodoInput, CustomOperations, Todo, TypedModels, UpdateTodoInput,
};
use crate::problem::Problem;

/// The longest todo, in characters.
const MAX_TODO_CHARS: usize = 500;
/// The longest news title and text, in characters.
const MAX_TITLE_CHARS: usize = 120;
const MAX_NEWS_CHARS: usize = 2_000;

fn no_data_api(nav: &Nav) -> Response {
    Problem {
        status: StatusCode::NOT_FOUND,
        title: "No Data API",
        message: "This backend has no Amplify Data API (the outputs file has no `data` section), so there is \
                  nothing to show here."
            .to_owned(),
        detail: None,
        retry: None,
    }
    .render(nav)
}

/// What the new-todo field shows after a refused submission: the text sent back and why it was refused.
struct FieldError<'a> {
    value: &'a str,
    message: &'a str,
}

/// `GET /todos` (protected): the signed-in user's todos, oldest first.
pub(crate) async fn todos_page(ctx: ServerContext, State(state): State<AppState>) -> Response {
    let nav = state.nav(&ctx).await.at("/todos");
    match state.data.as_ref() {
        Some(data) => render_todos(&ctx, data, &nav, None).await,
        None => no_data_api(&nav),
    }
}

async fn render_todos(
    ctx: &ServerContext,
    data: &DataClient,
    nav: &Nav,
    refused: Option<FieldError<'_>>,
) -> Response {
    let mut todos = match data.todo().list_all(ctx, ListOptions::new()).await {
        Ok(result) => result.data,
        Err(error) => return Problem::backend("Listing your todos", error, "/todos").render(nav),
    };
    todos.sort_by(|a, b| a.created_at.cmp(&b.created_at));
    // The `summary` custom query (a function counts them); a backend without it just shows no summary.
    let summary = match CustomOperations::new(data.clone())
        .summary(ctx, ModelOptions::new())
        .await
    {
        Ok(result) => result.data,
        Err(error) => {
            tracing::debug!(%error, "no todo summary");
            None
        }
    };
    let mut body = String::from(
        r#"<p class="lead">Stored in Amplify Data (AppSync) under an owner rule: only you can see or change these.</p>
<section class="card">"#,
    );
    let (value, error_html, field_state) = match &refused {
        Some(refused) => (
            refused.value,
            format!(
                r#"<p class="field-error" id="content-error">{}</p>"#,
                escape(refused.message)
            ),
            r#" aria-invalid="true" aria-describedby="content-error" autofocus"#,
        ),
        None => ("", String::new(), ""),
    };
    let _ = write!(
        body,
        r#"<form method="post" action="/todos" id="new-todo-form" class="inline-form" novalidate>
<div class="field"><label for="content">New todo</label>
<input id="content" name="content" maxlength="{MAX_TODO_CHARS}" value="{value}" autocomplete="off"{field_state}>{error_html}</div>
<button type="submit" id="add-todo">Add</button></form></section>
<section class="card" aria-labelledby="todos-title"><h2 id="todos-title">Your todos</h2>"#,
        value = escape(value),
    );
    if let Some(summary) = summary {
        let _ = write!(
            body,
            r#"<p id="todo-summary"><span class="summary">{} open of {}</span> <span class="hint">(counted by the <code>summary</code> custom query)</span></p>"#,
            summary.open, summary.total
        );
    }
    if todos.is_empty() {
        body.push_str(r#"<p class="hint" id="no-todos">Nothing to do yet. Add one above.</p>"#);
    } else {
        body.push_str(r#"<ul id="todos" class="todo-list">"#);
        for todo in &todos {
            body.push_str(&todo_item(todo));
        }
        body.push_str("</ul>");
    }
    body.push_str("</section>");
    let status = if refused.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    (status, Html(page("Todos", nav, &body))).into_response()
}

/// One todo: a checkbox that saves when it changes (with a Save button when scripts don't run), and a Delete
/// button that names the todo for screen readers.
fn todo_item(todo: &Todo) -> String {
    let done = todo.done.unwrap_or(false);
    let content = escape(todo.content.as_deref().unwrap_or(""));
    let id = escape(&todo.id);
    format!(
        r#"<li class="todo{done_class}"><form method="post" action="/todos/toggle" class="toggle"><input type="hidden" name="id" value="{id}"><input type="hidden" name="done" value="{next}">
<input type="checkbox" id="todo-{id}"{checked}><label for="todo-{id}">{content}</label>
<button type="submit" class="save secondary small">Save<span class="visually-hidden"> “{content}” as {next_label}</span></button></form>
<form method="post" action="/todos/delete" class="plain"><input type="hidden" name="id" value="{id}"><button type="submit" class="danger small">Delete<span class="visually-hidden"> “{content}”</span></button></form></li>"#,
        done_class = if done { " done" } else { "" },
        next = !done,
        checked = if done { " checked" } else { "" },
        next_label = if done { "not done" } else { "done" },
    )
}

#[derive(Debug, Deserialize)]
pub(crate) struct NewTodo {
    content: String,
}

/// `POST /todos` (protected): creates a todo owned by the caller; a blank or too long one gets the form back
/// with the reason next to the field.
pub(crate) async fn create_todo(
    ctx: ServerContext,
    State(state): State<AppState>,
    _: SameOrigin,
    Form(form): Form<NewTodo>,
) -> Response {
    let nav = state.nav(&ctx).await.at("/todos");
    let Some(data) = state.data.as_ref() else {
        return no_data_api(&nav);
    };
    let content = form.content.trim();
    let refusal = if content.is_empty() {
        Some("Write something first: a todo can't be blank.")
    } else if content.chars().count() > MAX_TODO_CHARS {
        Some("A todo has at most 500 characters.")
    } else {
        None
    };
    if let Some(message) = refusal {
        let refused = FieldError {
            value: &form.content,
            message,
        };
        return render_todos(&ctx, data, &nav, Some(refused)).await;
    }
    let input = CreateTodoInput {
        content: Some(content.to_owned()),
        done: Some(false),
        ..CreateTodoInput::new()
    };
    match data.todo().create(&ctx, input, ModelOptions::new()).await {
        Ok(result) if result.errors.is_empty() => Redirect::to("/todos").into_response(),
        Ok(result) => {
            Problem::backend("Saving the todo", errors_text(&result.errors), "/todos").render(&nav)
        }
        Err(error) => Problem::backend("Saving the todo", error, "/todos").render(&nav),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct TodoAction {
    id: String,
    done: Option<bool>,
}

/// A change AppSync refused: someone else's todo, or one that is gone. Nothing changed.
fn not_yours(nav: &Nav, errors: &[amplify_ssr::data::GraphqlError]) -> Response {
    Problem {
        status: StatusCode::FORBIDDEN,
        title: "Not changed",
        message: "This todo is not yours, or it was deleted. Nothing was changed.".to_owned(),
        detail: Some(errors_text(errors)),
        retry: Some("/todos".to_owned()),
    }
    .render(nav)
}

/// `POST /todos/toggle` (protected).
pub(crate) async fn toggle_todo(
    ctx: ServerContext,
    State(state): State<AppState>,
    _: SameOrigin,
    Form(form): Form<TodoAction>,
) -> Response {
    let nav = state.nav(&ctx).await.at("/todos");
    let Some(data) = state.data.as_ref() else {
        return no_data_api(&nav);
    };
    let input = UpdateTodoInput {
        done: Some(Some(form.done.unwrap_or(true))),
        ..UpdateTodoInput::new(form.id)
    };
    match data.todo().update(&ctx, input, ModelOptions::new()).await {
        Ok(result) if result.errors.is_empty() => Redirect::to("/todos").into_response(),
        Ok(result) => not_yours(&nav, &result.errors),
        Err(error) => Problem::backend("Updating the todo", error, "/todos").render(&nav),
    }
}

/// `POST /todos/delete` (protected).
pub(crate) async fn delete_todo(
    ctx: ServerContext,
    State(state): State<AppState>,
    _: SameOrigin,
    Form(form): Form<TodoAction>,
) -> Response {
    let nav = state.nav(&ctx).await.at("/todos");
    let Some(data) = state.data.as_ref() else {
        return no_data_api(&nav);
    };
    match data
        .todo()
        .delete(&ctx, form.id.as_str(), ModelOptions::new())
        .await
    {
        Ok(result) if result.errors.is_empty() => Redirect::to("/todos").into_response(),
        Ok(result) => not_yours(&nav, &result.errors),
        Err(error) => Problem::backend("Deleting the todo", error, "/todos").render(&nav),
    }
}

/// `GET /announcements`: the news, read with the API key (no sign-in needed); signed-in users also get a form.
pub(crate) async fn announcements_page(
    ctx: ServerContext,
    State(state): State<AppState>,
) -> Response {
    let nav = state.nav(&ctx).await.at("/announcements");
    render_news(&ctx, &state, &nav, None).await
}

async fn render_news(
    ctx: &ServerContext,
    state: &AppState,
    nav: &Nav,
    refused: Option<(&NewAnnouncement, &str)>,
) -> Response {
    let Some(data) = state.data.as_ref() else {
        return no_data_api(nav);
    };
    let options = ListOptions::new().auth_mode(AuthMode::ApiKey);
    let mut items = match data.announcement().list_all(ctx, options).await {
        Ok(result) => result.data,
        Err(error) => {
            return Problem::backend("Listing the news", error, "/announcements").render(nav);
        }
    };
    items.sort_by(|a, b| b.created_at.cmp(&a.created_at));
    let mut body = String::from(
        r#"<p class="lead">A public model: anyone reads it with the API key, without signing in; signed-in users
write it with their own token.</p>"#,
    );
    if nav.user.is_some() {
        let (title, text, error_html, invalid) = match refused {
            Some((form, message)) => (
                form.title.as_str(),
                form.body.as_str(),
                format!(
                    r#"<p class="field-error" id="news-error">{}</p>"#,
                    escape(message)
                ),
                r#" aria-invalid="true" aria-describedby="news-error" autofocus"#,
            ),
            None => ("", "", String::new(), ""),
        };
        let _ = write!(
            body,
            r#"<section class="card" aria-labelledby="post-title"><h2 id="post-title">Post news</h2>
<form method="post" action="/announcements" id="news-form" novalidate>
<div class="field"><label for="title">Title</label><input id="title" name="title" maxlength="{MAX_TITLE_CHARS}" value="{title}"{invalid}>{error_html}</div>
<div class="field"><label for="body">Text <span class="hint">(optional)</span></label><textarea id="body" name="body" rows="3" maxlength="{MAX_NEWS_CHARS}">{text}</textarea></div>
<button type="submit" id="post-news">Post</button></form></section>"#,
            title = escape(title),
            text = escape(text),
        );
    }
    body.push_str(r#"<section class="card"><h2>Latest</h2>"#);
    if items.is_empty() {
        body.push_str(r#"<p class="hint" id="no-news">No news yet.</p>"#);
    } else {
        body.push_str(r#"<ul id="announcements" class="news">"#);
        for item in &items {
            let _ = write!(
                body,
                "<li><strong>{}</strong><br>{}</li>",
                escape(&item.title),
                escape(item.body.as_deref().unwrap_or(""))
            );
        }
        body.push_str("</ul>");
    }
    body.push_str("</section>");
    let status = if refused.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    (status, Html(page("News", nav, &body))).into_response()
}

#[derive(Debug, Deserialize)]
pub(crate) struct NewAnnouncement {
    title: String,
    #[serde(default)]
    body: String,
}

/// `POST /announcements` (signed-in users; others are sent to sign in): posts news with the user's token.
pub(crate) async fn create_announcement(
    ctx: ServerContext,
    State(state): State<AppState>,
    _: SameOrigin,
    _: SignedInPage,
    Form(form): Form<NewAnnouncement>,
) -> Response {
    let nav = state.nav(&ctx).await.at("/announcements");
    let Some(data) = state.data.as_ref() else {
        return no_data_api(&nav);
    };
    let title = form.title.trim();
    let text = form.body.trim();
    let refusal = if title.is_empty() {
        Some("Give the news a title.")
    } else if title.chars().count() > MAX_TITLE_CHARS || text.chars().count() > MAX_NEWS_CHARS {
        Some("The title has at most 120 characters and the text at most 2,000.")
    } else {
        None
    };
    if let Some(message) = refusal {
        return render_news(&ctx, &state, &nav, Some((&form, message))).await;
    }
    let input = CreateAnnouncementInput {
        body: (!text.is_empty()).then(|| text.to_owned()),
        ..CreateAnnouncementInput::new(title.to_owned())
    };
    match data
        .announcement()
        .create(&ctx, input, ModelOptions::new())
        .await
    {
        Ok(result) if result.errors.is_empty() => Redirect::to("/announcements").into_response(),
        Ok(result) => Problem::backend(
            "Posting the news",
            errors_text(&result.errors),
            "/announcements",
        )
        .render(&nav),
        Err(error) => Problem::backend("Posting the news", error, "/announcements").render(&nav),
    }
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
