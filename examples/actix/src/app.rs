//! The actix-web app: routes, handlers, and the Amplify middleware around them.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use actix_web::{App, Error, HttpRequest, HttpResponse, web};
use amplify_examples_support::backend::auth_routes_options;
use amplify_examples_support::files::{self, FileError, MAX_FILE_BYTES};
use amplify_examples_support::html::{error_body, escape, files_body, home_body, page, todos_body};
use amplify_examples_support::todos::{self, TodoError};
use amplify_ssr::ServerRunner;
use amplify_ssr::auth::routes::AuthRoutes;
use amplify_ssr::data::DataClient;
use amplify_ssr::guard::{Denied, require_user};
use amplify_ssr_actix::{
    AmplifyContext, AmplifyMiddleware, CurrentUser, RefuseCrossSite, RequireAuth, SignedInPage,
    auth_scope,
};
use futures_util::{StreamExt, stream};

use crate::{StartError, upload};

/// What every worker's app shares: the runner, the managed-login routes and the Data client.
#[derive(Clone, Debug)]
pub(crate) struct AppState {
    runner: ServerRunner,
    auth_routes: AuthRoutes,
    data: DataClient,
}

impl AppState {
    pub(crate) fn new(runner: ServerRunner) -> Result<Self, StartError> {
        Ok(Self {
            auth_routes: AuthRoutes::new(runner.clone(), auth_routes_options())?,
            data: todos::data_client(&runner)?,
            runner,
        })
    }
}

/// The app: the pages of `examples/README.md`, the managed-login routes, and `AmplifyMiddleware` outermost.
pub(crate) fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(state.data.clone()))
        .service(auth_scope("/api/auth", state.auth_routes.clone()))
        .route("/", web::get().to(home))
        .route("/auth-error", web::get().to(auth_error))
        .route("/api/me", web::get().to(me))
        // RequireAuth protects a resource or a whole scope; SignedInPage then has the user at hand.
        .service(
            web::resource("/protected")
                .wrap(RequireAuth::new())
                .get(protected),
        )
        .service(web::resource("/todos").get(todos_page).post(create_todo))
        .route("/todos/toggle", web::post().to(toggle_todo))
        .route("/todos/delete", web::post().to(delete_todo))
        .service(
            web::resource("/files")
                // The upload is read whole: a little more than the largest file, for the multipart framing.
                .app_data(web::PayloadConfig::new(MAX_FILE_BYTES + 64 * 1024))
                .get(files_page)
                .post(upload_file),
        )
        // Every state-changing request (each form post below) is checked once, for the whole app.
        .wrap(RefuseCrossSite)
        .wrap(AmplifyMiddleware::new(state.runner).sign_in_path("/api/auth/sign-in"))
}

const FRAMEWORK: &str = "actix-web";

fn html(status: StatusCode, page: String) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .body(page)
}

/// The `303` that brings a form's browser back to `location`.
fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, location))
        .finish()
}

/// A page saying what could not be done (details in the logs only).
fn failure(what: &str, error: &dyn std::fmt::Display) -> HttpResponse {
    tracing::warn!(%error, "{what} failed");
    let body = error_body(&format!("{what} failed"));
    html(
        StatusCode::BAD_GATEWAY,
        page(FRAMEWORK, "Something went wrong", &body),
    )
}

/// A form that cannot be accepted as sent.
fn bad_request(title: &str, message: &str) -> HttpResponse {
    html(
        StatusCode::BAD_REQUEST,
        page(FRAMEWORK, title, &error_body(message)),
    )
}

/// `/`, streamed: the top of the page goes out before the session is read, as in a framework that streams its
/// rendering. The middleware's eager refresh has already renewed an expired session, so the new cookies are in
/// the headers; the session read while streaming comes too late to mark the response private, so the page says
/// `no-store` itself.
async fn home(ctx: AmplifyContext) -> HttpResponse {
    // The frame around a marker, cut in two: what goes before the content and what goes after.
    let frame = page(FRAMEWORK, "Home", "\u{0}");
    let (head, tail) = frame.split_once('\u{0}').unwrap_or((&frame, ""));
    let (head, tail) = (head.to_owned(), tail.to_owned());
    let content = async move {
        match require_user(&ctx).await {
            Ok(user) => home_body(FRAMEWORK, Some(&user.username)),
            Err(Denied::SignedOut(_)) => home_body(FRAMEWORK, None),
            Err(error) => {
                tracing::warn!(%error, "the session could not be checked");
                error_body("Sign-in is unavailable right now; reload in a moment.")
            }
        }
    };
    let chunks = stream::iter([head])
        .chain(stream::once(content))
        .chain(stream::iter([tail]))
        .map(|chunk| Ok::<_, Error>(web::Bytes::from(chunk)));
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "private, no-store"))
        .streaming(chunks)
}

#[derive(Debug, serde::Deserialize)]
struct AuthErrorQuery {
    error: Option<String>,
}

async fn auth_error(query: web::Query<AuthErrorQuery>) -> HttpResponse {
    let code = query.error.as_deref().unwrap_or("unknown");
    let body = format!(
        r#"<p>Signing in did not work (<code id="auth-error-code">{}</code>). <a href="/api/auth/sign-in">Try again</a>.</p>"#,
        escape(code)
    );
    html(StatusCode::OK, page(FRAMEWORK, "Sign-in failed", &body))
}

/// The signed-in user as JSON: `401` signed out, `503` when the session cannot be checked.
async fn me(CurrentUser(user): CurrentUser) -> HttpResponse {
    HttpResponse::Ok().json(user)
}

async fn protected(SignedInPage(user): SignedInPage) -> HttpResponse {
    let body = format!(
        r#"<p>Only signed-in users see this page. You are <strong id="protected-user">{}</strong>.</p>"#,
        escape(&user.username)
    );
    html(StatusCode::OK, page(FRAMEWORK, "Protected", &body))
}

async fn todos_page(
    _: SignedInPage,
    ctx: AmplifyContext,
    data: web::Data<DataClient>,
) -> HttpResponse {
    match todos::list(&data, &ctx).await {
        Ok(list) => html(StatusCode::OK, page(FRAMEWORK, "Todos", &todos_body(&list))),
        Err(error) => failure("listing your todos", &error),
    }
}

/// Back to the todo list, or what went wrong.
fn back_to_todos(outcome: Result<(), TodoError>) -> HttpResponse {
    match outcome {
        Ok(()) => see_other("/todos"),
        Err(error @ TodoError::InvalidContent) => bad_request("Todos", &error.to_string()),
        Err(error) => failure("changing your todos", &error),
    }
}

#[derive(Debug, serde::Deserialize)]
struct NewTodo {
    content: String,
}

#[derive(Debug, serde::Deserialize)]
struct TodoAction {
    id: String,
    done: Option<bool>,
}

// Every state-changing handler: `CurrentUser` (401 signed out, 503 failure); `RefuseCrossSite` on the app already
// refused cross-site posts (a handler outside it would take `SameOrigin` first).
async fn create_todo(
    _: CurrentUser,
    ctx: AmplifyContext,
    data: web::Data<DataClient>,
    form: web::Form<NewTodo>,
) -> HttpResponse {
    back_to_todos(todos::create(&data, &ctx, &form.content).await)
}

async fn toggle_todo(
    _: CurrentUser,
    ctx: AmplifyContext,
    data: web::Data<DataClient>,
    form: web::Form<TodoAction>,
) -> HttpResponse {
    let done = form.done.unwrap_or(true);
    back_to_todos(todos::set_done(&data, &ctx, &form.id, done).await)
}

async fn delete_todo(
    _: CurrentUser,
    ctx: AmplifyContext,
    data: web::Data<DataClient>,
    form: web::Form<TodoAction>,
) -> HttpResponse {
    back_to_todos(todos::delete(&data, &ctx, &form.id).await)
}

async fn files_page(_: SignedInPage, ctx: AmplifyContext) -> HttpResponse {
    match files::list(&ctx).await {
        Ok(list) => html(StatusCode::OK, page(FRAMEWORK, "Files", &files_body(&list))),
        Err(error) => failure("listing your files", &error),
    }
}

async fn upload_file(
    _: CurrentUser,
    ctx: AmplifyContext,
    request: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let file = match upload::file_field(&request, body).await {
        Ok(file) => file,
        Err(message) => return bad_request("Files", message),
    };
    match files::save(&ctx, &file.name, file.content_type.as_deref(), file.bytes).await {
        Ok(()) => see_other("/files"),
        Err(error @ (FileError::InvalidName | FileError::InvalidSize)) => {
            bad_request("Files", &error.to_string())
        }
        Err(error) => failure("uploading the file", &error),
    }
}
