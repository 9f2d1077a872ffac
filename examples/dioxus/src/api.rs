//! The server functions: the session, the todo list and the file list. Each compiles on both sides (a
//! hydrating client would call them over HTTP); their bodies and extractors run on the server only.
//!
//! The forms post to them as plain HTML forms (`Form<T>`, `MultipartFormData`), so they work without
//! JavaScript; they answer with a `303` back to the page.

// The server macro wraps each function in a block, which `unreachable_pub` reads as unexported.
#![allow(unreachable_pub)]

#[cfg(feature = "server")]
use amplify_ssr::ServerContext;
use amplify_ssr_dioxus::AmplifyFnError;
use dioxus::fullstack::{Form, MultipartFormData, Redirect};
use dioxus::prelude::*;
use serde::{Deserialize, Serialize};

/// One todo as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodoRow {
    /// The item's id.
    pub id: String,
    /// Its text.
    pub content: String,
    /// Whether it is done.
    pub done: bool,
}

/// One stored file as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRow {
    /// Its name.
    pub name: String,
    /// A presigned download URL.
    pub url: String,
}

/// The create form.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NewTodo {
    /// The text.
    pub content: String,
}

/// The toggle form.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ToggleTodo {
    /// The item.
    pub id: String,
    /// Its new state.
    pub done: bool,
}

/// The delete form.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TodoId {
    /// The item.
    pub id: String,
}

/// The signed-in user's name, or `None` when signed out (a transient failure is an error, not `None`).
#[get("/api/session/whoami", ctx: ServerContext)]
pub async fn whoami() -> Result<Option<String>, AmplifyFnError> {
    match amplify_ssr_dioxus::require_user(&ctx).await {
        Ok(user) => Ok(Some(user.username)),
        Err(AmplifyFnError::SignedOut) => Ok(None),
        Err(other) => Err(other),
    }
}

/// The signed-in user's name; [`AmplifyFnError::SignedOut`] without a session.
#[get("/api/session/user", ctx: ServerContext)]
pub async fn signed_in_user() -> Result<String, AmplifyFnError> {
    Ok(amplify_ssr_dioxus::require_user(&ctx).await?.username)
}

/// The signed-in user's todos.
#[get("/api/todos", ctx: ServerContext)]
pub async fn list_todos() -> Result<Vec<TodoRow>, AmplifyFnError> {
    amplify_ssr_dioxus::require_user(&ctx).await?;
    let data = server::data(&ctx)?;
    let items = amplify_examples_support::todos::list(&data, &ctx)
        .await
        .map_err(server::todo_error)?;
    Ok(items.into_iter().map(server::todo_row).collect())
}

/// Adds a todo (form `content`).
#[post("/api/todos/create", ctx: ServerContext)]
pub async fn create_todo(form: Form<NewTodo>) -> Result<Redirect, AmplifyFnError> {
    amplify_ssr_dioxus::require_user(&ctx).await?;
    let data = server::data(&ctx)?;
    amplify_examples_support::todos::create(&data, &ctx, &form.0.content)
        .await
        .map_err(server::todo_error)?;
    Ok(Redirect::to("/todos"))
}

/// Marks a todo done or not done (form `id`, `done`).
#[post("/api/todos/toggle", ctx: ServerContext)]
pub async fn toggle_todo(form: Form<ToggleTodo>) -> Result<Redirect, AmplifyFnError> {
    amplify_ssr_dioxus::require_user(&ctx).await?;
    let data = server::data(&ctx)?;
    amplify_examples_support::todos::set_done(&data, &ctx, &form.0.id, form.0.done)
        .await
        .map_err(server::todo_error)?;
    Ok(Redirect::to("/todos"))
}

/// Deletes a todo (form `id`).
#[post("/api/todos/delete", ctx: ServerContext)]
pub async fn delete_todo(form: Form<TodoId>) -> Result<Redirect, AmplifyFnError> {
    amplify_ssr_dioxus::require_user(&ctx).await?;
    let data = server::data(&ctx)?;
    amplify_examples_support::todos::delete(&data, &ctx, &form.0.id)
        .await
        .map_err(server::todo_error)?;
    Ok(Redirect::to("/todos"))
}

/// The signed-in user's files, with presigned links.
#[get("/api/files", ctx: ServerContext)]
pub async fn list_files() -> Result<Vec<FileRow>, AmplifyFnError> {
    amplify_ssr_dioxus::require_user(&ctx).await?;
    let files = amplify_examples_support::files::list(&ctx)
        .await
        .map_err(server::file_error)?;
    Ok(files
        .into_iter()
        .map(|file| FileRow {
            name: file.name,
            url: file.url,
        })
        .collect())
}

/// Stores the uploaded file (multipart field `file`) in the user's private folder.
#[post("/api/files/upload", ctx: ServerContext)]
pub async fn upload_file(form: MultipartFormData) -> Result<Redirect, AmplifyFnError> {
    amplify_ssr_dioxus::require_user(&ctx).await?;
    let mut form = form;
    let (name, content_type, body) = server::file_field(&mut form).await?;
    amplify_examples_support::files::save(&ctx, &name, content_type.as_deref(), body)
        .await
        .map_err(server::file_error)?;
    Ok(Redirect::to("/files"))
}

/// Server-only helpers of the server functions.
#[cfg(feature = "server")]
mod server {
    use amplify_examples_support::files::FileError;
    use amplify_examples_support::todos::{TodoError, TodoItem};
    use amplify_ssr::ServerContext;
    use amplify_ssr::data::DataClient;
    use amplify_ssr_dioxus::AmplifyFnError;
    use dioxus::fullstack::MultipartFormData;
    use http::StatusCode;

    pub(super) fn data(ctx: &ServerContext) -> Result<DataClient, AmplifyFnError> {
        amplify_examples_support::todos::data_client(ctx.runner()).map_err(AmplifyFnError::internal)
    }

    pub(super) fn todo_row(item: TodoItem) -> super::TodoRow {
        super::TodoRow {
            id: item.id,
            content: item.content,
            done: item.done,
        }
    }

    pub(super) fn todo_error(error: TodoError) -> AmplifyFnError {
        match error {
            TodoError::InvalidContent => {
                AmplifyFnError::rejected(StatusCode::BAD_REQUEST, error.to_string())
            }
            other => AmplifyFnError::internal(other),
        }
    }

    pub(super) fn file_error(error: FileError) -> AmplifyFnError {
        match error {
            FileError::InvalidName | FileError::InvalidSize => {
                AmplifyFnError::rejected(StatusCode::BAD_REQUEST, error.to_string())
            }
            other => AmplifyFnError::internal(other),
        }
    }

    /// The `file` field of an upload: its name, content type and bytes.
    pub(super) async fn file_field(
        form: &mut MultipartFormData,
    ) -> Result<(String, Option<String>, Vec<u8>), AmplifyFnError> {
        let bad = |message: &str| AmplifyFnError::rejected(StatusCode::BAD_REQUEST, message);
        while let Some(field) = form
            .next_field()
            .await
            .map_err(|_| bad("the upload is not a valid multipart form"))?
        {
            if field.name() != Some("file") {
                continue;
            }
            let name = field.file_name().unwrap_or_default().to_owned();
            let content_type = field.content_type().map(str::to_owned);
            let body = field
                .bytes()
                .await
                .map_err(|_| bad("the upload could not be read (1 MiB at most)"))?;
            return Ok((name, content_type, body.to_vec()));
        }
        Err(bad("choose a file to upload"))
    }
}
