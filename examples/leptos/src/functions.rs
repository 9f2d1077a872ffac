//! The example's server functions: the signed-in user, the todo list and the files. Each one takes the
//! request's context from `amplify-ssr-leptos` and calls the shared operations of `amplify-examples-support`.
//!
//! They all return [`AuthFnError`], so a caller tells a signed-out answer (`401`) from a failure. Without
//! JavaScript, leptos_axum answers a form post with a redirect back to the page the form was on.

// `#[server]` turns each function's arguments into the fields of a generated struct, which cannot be documented.
#![allow(missing_docs)]

use amplify_ssr_leptos::AuthFnError;
use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};

use amplify_examples_support::files::FileItem;
use amplify_examples_support::todos::TodoItem;

/// The signed-in user's name, or `None` when signed out.
#[server]
pub async fn whoami() -> Result<Option<String>, AuthFnError> {
    let ctx = amplify_ssr_leptos::server_context()?;
    match amplify_ssr::guard::require_user(&ctx).await {
        Ok(user) => Ok(Some(user.username)),
        Err(amplify_ssr::guard::Denied::SignedOut(_)) => Ok(None),
        Err(denied) => {
            tracing::warn!(error = %denied.error(), "could not check the session");
            Err(AuthFnError::Unavailable)
        }
    }
}

/// The signed-in user's todos.
#[server]
pub async fn list_todos() -> Result<Vec<TodoItem>, AuthFnError> {
    let (ctx, data) = todo_access().await?;
    amplify_examples_support::todos::list(&data, &ctx)
        .await
        .map_err(todo_failure)
}

/// Adds a todo.
#[server]
pub async fn create_todo(content: String) -> Result<(), AuthFnError> {
    let (ctx, data) = todo_access().await?;
    amplify_examples_support::todos::create(&data, &ctx, &content)
        .await
        .map_err(todo_failure)
}

/// Marks a todo done or not done.
#[server]
pub async fn toggle_todo(id: String, done: bool) -> Result<(), AuthFnError> {
    let (ctx, data) = todo_access().await?;
    amplify_examples_support::todos::set_done(&data, &ctx, &id, done)
        .await
        .map_err(todo_failure)
}

/// Deletes a todo.
#[server]
pub async fn delete_todo(id: String) -> Result<(), AuthFnError> {
    let (ctx, data) = todo_access().await?;
    amplify_examples_support::todos::delete(&data, &ctx, &id)
        .await
        .map_err(todo_failure)
}

/// The signed-in user's files, with presigned links.
#[server]
pub async fn list_files() -> Result<Vec<FileItem>, AuthFnError> {
    amplify_ssr_leptos::require_user().await?;
    let ctx = amplify_ssr_leptos::server_context()?;
    amplify_examples_support::files::list(&ctx)
        .await
        .map_err(file_failure)
}

/// Stores the uploaded file (the `file` field of a `multipart/form-data` post, which a plain HTML form sends).
#[server(input = MultipartFormData)]
pub async fn upload_file(data: MultipartData) -> Result<(), AuthFnError> {
    amplify_ssr_leptos::require_user().await?;
    let ctx = amplify_ssr_leptos::server_context()?;
    let Some(mut multipart) = data.into_inner() else {
        return Err(AuthFnError::failed("no file was sent"));
    };
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|_| AuthFnError::failed("the upload could not be read"))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_owned();
        let content_type = field.content_type().map(ToString::to_string);
        let mut body = Vec::new();
        while let Some(chunk) = field
            .chunk()
            .await
            .map_err(|_| AuthFnError::failed("the upload could not be read"))?
        {
            if body.len() + chunk.len() > amplify_examples_support::files::MAX_FILE_BYTES {
                return Err(file_failure(
                    amplify_examples_support::files::FileError::InvalidSize,
                ));
            }
            body.extend_from_slice(&chunk);
        }
        return amplify_examples_support::files::save(&ctx, &name, content_type.as_deref(), body)
            .await
            .map_err(file_failure);
    }
    Err(AuthFnError::failed("choose a file to upload"))
}

/// The request's context and the Data client, for a signed-in user.
async fn todo_access() -> Result<(amplify_ssr::ServerContext, amplify_ssr::DataClient), AuthFnError>
{
    amplify_ssr_leptos::require_user().await?;
    let ctx = amplify_ssr_leptos::server_context()?;
    let data = amplify_examples_support::todos::data_client(ctx.runner())
        .map_err(|error| AuthFnError::failed(error.to_string()))?;
    Ok((ctx, data))
}

/// A todo failure as the user may see it (the details go to the log).
fn todo_failure(error: amplify_examples_support::todos::TodoError) -> AuthFnError {
    use amplify_examples_support::todos::TodoError;
    tracing::warn!(%error, "todo operation failed");
    match error {
        TodoError::InvalidContent | TodoError::NoDataApi => AuthFnError::failed(error.to_string()),
        _ => AuthFnError::failed("the todo list is not available right now"),
    }
}

/// A file failure as the user may see it (the details go to the log).
fn file_failure(error: amplify_examples_support::files::FileError) -> AuthFnError {
    use amplify_examples_support::files::FileError;
    tracing::warn!(%error, "file operation failed");
    match error {
        FileError::InvalidName | FileError::InvalidSize => AuthFnError::failed(error.to_string()),
        _ => AuthFnError::failed("the files are not available right now"),
    }
}
