//! The todo list of the signed-in user, through the typed model client (Amplify Data with an owner rule: each
//! user sees and changes only their own items). Called from each example's server functions or handlers.

use amplify_ssr::data::{DataClient, ListOptions, ModelOptions};
use amplify_ssr::{ServerContext, ServerRunner};

use crate::models::{CreateTodoInput, Todo, TypedModels, UpdateTodoInput};

/// Longest todo text accepted.
pub const MAX_CONTENT_CHARS: usize = 500;

/// One todo, as the pages show it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TodoItem {
    /// The item's id.
    pub id: String,
    /// Its text.
    pub content: String,
    /// Whether it is done.
    pub done: bool,
}

impl From<Todo> for TodoItem {
    fn from(todo: Todo) -> Self {
        Self {
            done: todo.done.unwrap_or(false),
            content: todo.content.unwrap_or_default(),
            id: todo.id,
        }
    }
}

/// Why a todo operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TodoError {
    /// The text is empty or too long.
    #[error("a todo has 1 to {MAX_CONTENT_CHARS} characters")]
    InvalidContent,
    /// The backend has no Data API (no `data` section in the outputs).
    #[error("this backend has no Amplify Data API (no `data` in amplify_outputs.json)")]
    NoDataApi,
    /// AppSync answered with errors (for example, the item belongs to someone else).
    #[error("the Data API refused: {0}")]
    Refused(String),
    /// The call failed (network, session).
    #[error(transparent)]
    Data(#[from] crate::models::TypedDataError),
}

/// The Data client for `runner`.
///
/// # Errors
///
/// [`TodoError::NoDataApi`] when the outputs have no `data` section.
pub fn data_client(runner: &ServerRunner) -> Result<DataClient, TodoError> {
    DataClient::new(runner).map_err(|error| {
        tracing::warn!(%error, "Amplify Data is not available");
        TodoError::NoDataApi
    })
}

/// The signed-in user's todos, oldest first.
///
/// # Errors
///
/// [`TodoError`].
pub async fn list(data: &DataClient, ctx: &ServerContext) -> Result<Vec<TodoItem>, TodoError> {
    let mut todos = data.todo().list_all(ctx, ListOptions::new()).await?.data;
    todos.sort_by(|a, b| a.created_at.cmp(&b.created_at));
    Ok(todos.into_iter().map(TodoItem::from).collect())
}

/// Creates a todo owned by the signed-in user.
///
/// # Errors
///
/// [`TodoError`].
pub async fn create(
    data: &DataClient,
    ctx: &ServerContext,
    content: &str,
) -> Result<(), TodoError> {
    let content = content.trim();
    if content.is_empty() || content.chars().count() > MAX_CONTENT_CHARS {
        return Err(TodoError::InvalidContent);
    }
    let input = CreateTodoInput {
        content: Some(content.to_owned()),
        done: Some(false),
        ..CreateTodoInput::new()
    };
    refused(
        data.todo()
            .create(ctx, input, ModelOptions::new())
            .await?
            .errors,
    )
}

/// Marks a todo done or not done.
///
/// # Errors
///
/// [`TodoError`]; [`TodoError::Refused`] for another user's item.
pub async fn set_done(
    data: &DataClient,
    ctx: &ServerContext,
    id: &str,
    done: bool,
) -> Result<(), TodoError> {
    let input = UpdateTodoInput {
        done: Some(Some(done)),
        ..UpdateTodoInput::new(id.to_owned())
    };
    refused(
        data.todo()
            .update(ctx, input, ModelOptions::new())
            .await?
            .errors,
    )
}

/// Deletes a todo.
///
/// # Errors
///
/// [`TodoError`]; [`TodoError::Refused`] for another user's item.
pub async fn delete(data: &DataClient, ctx: &ServerContext, id: &str) -> Result<(), TodoError> {
    refused(
        data.todo()
            .delete(ctx, id, ModelOptions::new())
            .await?
            .errors,
    )
}

fn refused(errors: Vec<amplify_ssr::data::GraphqlError>) -> Result<(), TodoError> {
    if errors.is_empty() {
        return Ok(());
    }
    let messages: Vec<String> = errors.into_iter().map(|e| e.message).collect();
    Err(TodoError::Refused(messages.join("; ")))
}
