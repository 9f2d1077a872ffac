//! The framework examples' pages (`examples/README.md`) with axum and `amplify_ssr::axum`: the reference the
//! Leptos, Dioxus and actix-web examples are measured against.
//!
//! - `AmplifyLayer` gives every request its `ServerContext` and writes refreshed cookies back;
//! - `RequireAuthLayer` protects `/protected`, `/todos` and `/files` (signed-out visitors go to managed login
//!   with `redirect_to`, and come back);
//! - `auth_router` mounts sign-in, sign-up, sign-out and both callbacks under `/api/auth`;
//! - every form post is checked by `SameOrigin` (CSRF) and answered with `303` back to its page.

use amplify_examples_support::html::{error_body, escape, files_body, home_body, page, todos_body};
use amplify_examples_support::{files, todos};
use amplify_ssr::axum::{AmplifyLayer, RequireAuthLayer, SameOrigin, SignedInPage, auth_router};
use amplify_ssr::data::DataClient;
use amplify_ssr::{ServerContext, get_current_user};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

const FRAMEWORK: &str = "axum";

pub use amplify_examples_support::{ExampleOptions, RunningExample, StartError};

/// The example's default port.
pub const DEFAULT_PORT: u16 = 3004;

#[derive(Clone)]
struct AppState {
    data: DataClient,
}

/// Starts the example and returns once it is listening.
///
/// # Errors
///
/// The port is taken, or the embedded backend cannot start.
pub async fn start(options: ExampleOptions) -> Result<RunningExample, StartError> {
    amplify_examples_support::serve_axum("example-axum", options, |runner, routes| {
        let state = AppState {
            data: todos::data_client(&runner)?,
        };
        Ok(Router::new()
            .route("/", get(home))
            .route("/protected", get(protected))
            .route("/todos", get(todos_page).post(create_todo))
            .route("/todos/toggle", axum::routing::post(toggle_todo))
            .route("/todos/delete", axum::routing::post(delete_todo))
            .route("/files", get(files_page).post(upload_file))
            .route("/auth-error", get(auth_error))
            .nest("/api/auth", auth_router(routes))
            .layer(RequireAuthLayer::only_under([
                "/protected",
                "/todos",
                "/files",
            ]))
            .layer(DefaultBodyLimit::max(files::MAX_FILE_BYTES + 64 * 1024))
            .layer(AmplifyLayer::new(runner).sign_in_path("/api/auth/sign-in"))
            .with_state(state))
    })
    .await
}

fn failure(what: &str, error: &dyn std::fmt::Display) -> Response {
    tracing::warn!(%error, "{what} failed");
    (
        StatusCode::BAD_GATEWAY,
        Html(page(
            FRAMEWORK,
            "Something went wrong",
            &error_body(&format!("{what} failed")),
        )),
    )
        .into_response()
}

async fn home(ctx: ServerContext) -> Html<String> {
    let user = get_current_user(&ctx).await.ok().map(|u| u.username);
    Html(page(
        FRAMEWORK,
        "Home",
        &home_body(FRAMEWORK, user.as_deref()),
    ))
}

async fn protected(SignedInPage(user): SignedInPage) -> Html<String> {
    let body = format!(
        r#"<p>Only signed-in users see this page. You are <strong id="protected-user">{}</strong>.</p>"#,
        escape(&user.username)
    );
    Html(page(FRAMEWORK, "Protected", &body))
}

async fn todos_page(ctx: ServerContext, State(state): State<AppState>) -> Response {
    match todos::list(&state.data, &ctx).await {
        Ok(list) => Html(page(FRAMEWORK, "Todos", &todos_body(&list))).into_response(),
        Err(error) => failure("listing your todos", &error),
    }
}

#[derive(Deserialize)]
struct NewTodo {
    content: String,
}

#[derive(Deserialize)]
struct TodoAction {
    id: String,
    done: Option<bool>,
}

fn back_to(path: &'static str, outcome: Result<(), todos::TodoError>) -> Response {
    match outcome {
        Ok(()) => Redirect::to(path).into_response(),
        Err(todos::TodoError::InvalidContent) => (
            StatusCode::BAD_REQUEST,
            Html(page(
                FRAMEWORK,
                "Todos",
                &error_body(&todos::TodoError::InvalidContent.to_string()),
            )),
        )
            .into_response(),
        Err(error) => failure("changing your todos", &error),
    }
}

async fn create_todo(
    ctx: ServerContext,
    State(state): State<AppState>,
    _: SameOrigin,
    Form(form): Form<NewTodo>,
) -> Response {
    back_to(
        "/todos",
        todos::create(&state.data, &ctx, &form.content).await,
    )
}

async fn toggle_todo(
    ctx: ServerContext,
    State(state): State<AppState>,
    _: SameOrigin,
    Form(form): Form<TodoAction>,
) -> Response {
    let done = form.done.unwrap_or(true);
    back_to(
        "/todos",
        todos::set_done(&state.data, &ctx, &form.id, done).await,
    )
}

async fn delete_todo(
    ctx: ServerContext,
    State(state): State<AppState>,
    _: SameOrigin,
    Form(form): Form<TodoAction>,
) -> Response {
    back_to("/todos", todos::delete(&state.data, &ctx, &form.id).await)
}

async fn files_page(ctx: ServerContext) -> Response {
    match files::list(&ctx).await {
        Ok(list) => Html(page(FRAMEWORK, "Files", &files_body(&list))).into_response(),
        Err(error) => failure("listing your files", &error),
    }
}

async fn upload_file(ctx: ServerContext, _: SameOrigin, mut form: Multipart) -> Response {
    let bad_request = |message: &str| {
        (
            StatusCode::BAD_REQUEST,
            Html(page(FRAMEWORK, "Files", &error_body(message))),
        )
            .into_response()
    };
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return bad_request("choose a file to upload"),
            Err(error) => return bad_request(&format!("the upload could not be read: {error}")),
        };
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_owned();
        let content_type = field.content_type().map(str::to_owned);
        let body = match field.bytes().await {
            Ok(body) => body,
            Err(error) => return bad_request(&format!("the upload could not be read: {error}")),
        };
        return match files::save(&ctx, &name, content_type.as_deref(), body.to_vec()).await {
            Ok(()) => Redirect::to("/files").into_response(),
            Err(error @ (files::FileError::InvalidName | files::FileError::InvalidSize)) => {
                bad_request(&error.to_string())
            }
            Err(error) => failure("uploading the file", &error),
        };
    }
}

#[derive(Deserialize)]
struct AuthErrorQuery {
    error: Option<String>,
}

async fn auth_error(Query(query): Query<AuthErrorQuery>) -> Html<String> {
    let code = query.error.unwrap_or_else(|| "unknown".to_owned());
    let body = format!(
        r#"<p>Signing in did not work (<code id="auth-error-code">{}</code>). <a href="/api/auth/sign-in">Try again</a>.</p>"#,
        escape(&code)
    );
    Html(page(FRAMEWORK, "Sign-in failed", &body))
}
