//! The demo's routes and pages.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use amplify_ssr::auth::routes::AuthRoutes;
use amplify_ssr::auth::{SignInNextStep, SignInOutcome};
use amplify_ssr::axum::{
    AmplifyLayer, CurrentUser, RequireAuthLayer, SameOrigin, SignedInPage, auth_router,
};
use amplify_ssr::redirect::safe_redirect_path;
use amplify_ssr::{
    AmplifyConfig, AuthError, FetchAuthSessionOptions, ServerContext, ServerRunner, SignInInput,
    SignOutOptions,
};
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::html::{Nav, escape, page};

/// The demo account created in the embedded backend.
pub const DEMO_USERNAME: &str = "demo@example.com";
/// Its password.
pub const DEMO_PASSWORD: &str = "Demo-passw0rd!";

/// Things the pages show when the app runs on the embedded backend.
#[derive(Clone, Debug)]
pub struct DemoHints {
    backend_url: String,
}

impl DemoHints {
    /// Hints for an app running on `backend`.
    pub fn from_backend(backend: &amplify_local::LocalBackend) -> Self {
        Self {
            backend_url: backend.base_url(),
        }
    }
}

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) runner: ServerRunner,
    /// The Amplify Data client, when the backend has a `data` section.
    pub(crate) data: Option<amplify_ssr::data::DataClient>,
    hints: Option<Arc<DemoHints>>,
    pub(crate) managed_login: bool,
    /// The gallery's presigned URLs: public files signed with guest credentials, the same for every visitor, so
    /// one signing serves them all until shortly before the URL expires.
    pub(crate) gallery_urls:
        amplify_ssr::cache::ExpiringCache<String, String, amplify_ssr::storage::StorageError>,
}

impl AppState {
    pub(crate) async fn nav(&self, ctx: &ServerContext) -> Nav {
        Nav {
            user: signed_in_username(ctx).await,
            managed_login: self.managed_login,
        }
    }

    fn nav_for(&self, user: Option<&str>) -> Nav {
        Nav {
            user: user.map(str::to_owned),
            managed_login: self.managed_login,
        }
    }
}

/// Starts amplify-local in `data_dir` (on `port` when free, so the token issuer stays stable across restarts, else
/// on any free port), registers the app's origins for managed login and the app's `summary` function (at
/// `app_url`), and makes sure the demo user exists.
pub async fn start_embedded_backend(
    data_dir: &Path,
    port: u16,
    app_origins: Vec<String>,
    app_url: &str,
) -> Result<(AmplifyConfig, amplify_local::LocalBackend), Box<dyn std::error::Error>> {
    // The `summary` custom query, resolved by the app's own `/functions/summary`.
    let summary_function = format!("{app_url}/functions/summary").parse()?;
    let mut options = amplify_local::LocalOptions::new(data_dir.to_path_buf())
        .with_app_origins(app_origins)
        .with_custom_operations(crate::summary::custom_operations())
        .with_function("summary", summary_function);
    options.port = port;
    let backend = match amplify_local::LocalBackend::start(options.clone()).await {
        Ok(backend) => backend,
        Err(error) => {
            tracing::info!(%error, port, "port unavailable for the embedded amplify-local; using a free port");
            options.port = 0;
            amplify_local::LocalBackend::start(options).await?
        }
    };
    match backend.create_user(
        DEMO_USERNAME,
        DEMO_PASSWORD,
        &[("email", DEMO_USERNAME), ("name", "Demo User")],
    ) {
        Ok(_) => tracing::info!(username = DEMO_USERNAME, "created the demo user"),
        Err(error) => tracing::debug!(%error, "demo user not created (it probably exists already)"),
    }
    let outputs_path = data_dir.join("amplify_outputs.json");
    backend.write_outputs(&outputs_path)?;
    tracing::info!(url = %backend.base_url(), outputs = %outputs_path.display(), "embedded amplify-local is running");
    let config = AmplifyConfig::from_value(&backend.outputs())?;
    Ok((config, backend))
}

/// The app's router. With `auth_routes`, managed login is mounted under `/api/auth` and protected pages send
/// signed-out users there; without, they go to the password form.
pub fn router(
    runner: ServerRunner,
    auth_routes: Option<AuthRoutes>,
    hints: Option<DemoHints>,
) -> Router {
    let data = match amplify_ssr::data::DataClient::new(&runner) {
        Ok(data) => Some(data),
        Err(error) => {
            tracing::warn!(%error, "Amplify Data is not available; the todo pages are disabled");
            None
        }
    };
    let state = AppState {
        runner: runner.clone(),
        data,
        hints: hints.map(Arc::new),
        managed_login: auth_routes.is_some(),
        gallery_urls: amplify_ssr::cache::ExpiringCache::new(
            crate::files::GALLERY_URL_CACHE_SIZE,
            crate::files::GALLERY_URL_REFRESH_BEFORE,
        ),
    };
    let sign_in_path = if auth_routes.is_some() {
        "/api/auth/sign-in"
    } else {
        "/sign-in"
    };
    let protected = Router::new()
        .route("/dashboard", get(dashboard))
        .route("/files", get(crate::files::files_page))
        .route(
            "/files/upload-url",
            axum::routing::post(crate::files::upload_url),
        )
        .route(
            "/files/delete",
            axum::routing::post(crate::files::delete_file),
        )
        .route(
            "/todos",
            get(crate::todos::todos_page).post(crate::todos::create_todo),
        )
        .route(
            "/todos/toggle",
            axum::routing::post(crate::todos::toggle_todo),
        )
        .route(
            "/todos/delete",
            axum::routing::post(crate::todos::delete_todo),
        )
        .route_layer(RequireAuthLayer::new());
    // Members of the Cognito group `admin` only: others get 403, signed-out visitors the sign-in redirect.
    let admins = Router::new()
        .route("/admin", get(admin_page))
        .route_layer(RequireAuthLayer::new().require_group(ADMIN_GROUP));
    let mut app = Router::new()
        .merge(protected)
        .merge(admins)
        .route("/", get(home))
        .route("/sign-in", get(sign_in_page).post(sign_in_submit))
        .route("/sign-out", axum::routing::post(sign_out_submit))
        .route("/auth-error", get(auth_error_page))
        .route("/gallery", get(crate::files::gallery))
        .route("/announcements", get(crate::todos::announcements_page))
        // No icon: answer without a body instead of a 404 in every browser log.
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/apis/get-current-user", get(get_current_user_api))
        // Called by amplify-local (no cookies): it authorises the caller first, and the function reads with the
        // caller's own token.
        .route(
            "/functions/summary",
            axum::routing::post(crate::summary::summary_function),
        )
        .with_state(state);
    if let Some(routes) = auth_routes {
        app = app.nest("/api/auth", auth_router(routes));
    }
    app.layer(AmplifyLayer::new(runner).sign_in_path(sign_in_path))
}

async fn signed_in_username(ctx: &ServerContext) -> Option<String> {
    amplify_ssr::get_current_user(ctx)
        .await
        .ok()
        .map(|u| u.username)
}

async fn home(ctx: ServerContext, State(state): State<AppState>) -> Html<String> {
    let nav = state.nav(&ctx).await;
    let body = match &nav.user {
        Some(name) => format!(
            r#"<p>Welcome back, <strong>{}</strong>. Your session was read from the Amplify cookies on the server.</p>
<p><a href="/dashboard">Open your dashboard</a></p>"#,
            escape(name)
        ),
        None => r#"<p>This page is public. It is rendered on the server, which reads the visitor's Amplify session
from the same cookies the aws-amplify JavaScript client writes.</p>
<p>Sign in to see the protected <a href="/dashboard">dashboard</a>: through managed login (the links above,
including a simulated Google sign-in), or with the <a href="/sign-in">password form</a>, which signs in on the
server with SRP.</p>"#
            .to_owned(),
    };
    Html(page("amplify-ssr demo", &nav, &body))
}

/// The Cognito group whose members may see `/admin`.
pub const ADMIN_GROUP: &str = "admin";

async fn admin_page(State(state): State<AppState>, SignedInPage(user): SignedInPage) -> Response {
    let nav = state.nav_for(Some(&user.username));
    let body = format!(
        "<p id=\"admin-note\">Only members of the <code>{ADMIN_GROUP}</code> group see this page; {} is one.</p>",
        escape(&user.username)
    );
    Html(page("Admin", &nav, &body)).into_response()
}

async fn dashboard(
    ctx: ServerContext,
    State(state): State<AppState>,
    SignedInPage(user): SignedInPage,
) -> Response {
    let nav = state.nav_for(Some(&user.username));
    let attributes = match amplify_ssr::fetch_user_attributes(&ctx).await {
        Ok(attributes) => attributes,
        Err(error) => return error_page(&error, &nav),
    };
    let session =
        match amplify_ssr::fetch_auth_session(&ctx, FetchAuthSessionOptions::default()).await {
            Ok(session) => session,
            Err(error) => return error_page(&error, &nav),
        };
    let mut body = String::from("<h2>User</h2><table>");
    let _ = write!(
        body,
        "<tr><th>username</th><td>{}</td></tr><tr><th>userId</th><td><code>{}</code></td></tr>",
        escape(&user.username),
        escape(&user.user_id)
    );
    if let Some(details) = &user.sign_in_details {
        let _ = write!(
            body,
            "<tr><th>signed in with</th><td>{} as {}</td></tr>",
            escape(details.auth_flow_type.as_deref().unwrap_or("?")),
            escape(details.login_id.as_deref().unwrap_or("?"))
        );
    }
    body.push_str("</table><h2>Attributes (Cognito GetUser)</h2><table>");
    for (name, value) in &attributes {
        let _ = write!(
            body,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(name),
            escape(value)
        );
    }
    body.push_str("</table>");
    if let Some(tokens) = &session.tokens {
        let exp = tokens.access_token_claims.exp().unwrap_or_default();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let _ = write!(
            body,
            "<h2>Session</h2><p>The access token expires in {} s; the server refreshes it when it expires and \
             writes the new cookies back.</p>",
            exp - now
        );
    }
    Html(page("Dashboard", &nav, &body)).into_response()
}

#[derive(Debug, Deserialize)]
struct SignInQuery {
    redirect_to: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SignInForm {
    username: String,
    password: String,
    redirect_to: Option<String>,
}

fn destination(redirect_to: Option<&str>) -> String {
    redirect_to
        .and_then(safe_redirect_path)
        .unwrap_or("/dashboard")
        .to_owned()
}

async fn sign_in_page(
    ctx: ServerContext,
    State(state): State<AppState>,
    Query(query): Query<SignInQuery>,
) -> Response {
    if signed_in_username(&ctx).await.is_some() {
        return Redirect::to(&destination(query.redirect_to.as_deref())).into_response();
    }
    sign_in_form(
        &state,
        query.redirect_to.as_deref(),
        "",
        None,
        StatusCode::OK,
    )
}

fn sign_in_form(
    state: &AppState,
    redirect_to: Option<&str>,
    username: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let redirect_to = redirect_to.and_then(safe_redirect_path).unwrap_or("");
    let error_html = error.map_or_else(String::new, |e| {
        format!(
            r#"<p class="error" id="sign-in-error" role="alert">{}</p>"#,
            escape(e)
        )
    });
    let hint = state.hints.as_ref().map_or_else(String::new, |hints| {
        format!(
            r#"<p class="hint">Embedded amplify-local at <code>{}</code>. Demo account: <code>{}</code> /
<code>{}</code>. Add users with <code>amplify-local add-user</code>.</p>"#,
            escape(&hints.backend_url),
            escape(DEMO_USERNAME),
            escape(DEMO_PASSWORD)
        )
    });
    let body = format!(
        r#"<p>Signs in on the server with Cognito's SRP flow; the session cookies are set by the response.</p>
{error_html}
<form method="post" action="/sign-in">
<input type="hidden" name="redirect_to" value="{redirect_to}">
<label for="username">Username or email</label>
<input id="username" name="username" autocomplete="username" required value="{username}"{describedby}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required{describedby}>
<button type="submit">Sign in</button>
</form>
{hint}"#,
        redirect_to = escape(redirect_to),
        username = escape(username),
        describedby = if error.is_some() {
            r#" aria-describedby="sign-in-error""#
        } else {
            ""
        },
    );
    (status, Html(page("Sign in", &state.nav_for(None), &body))).into_response()
}

async fn sign_in_submit(
    ctx: ServerContext,
    State(state): State<AppState>,
    _: SameOrigin,
    Form(form): Form<SignInForm>,
) -> Response {
    let input = SignInInput::new(form.username.trim(), form.password);
    match amplify_ssr::sign_in(&ctx, input).await {
        Ok(SignInOutcome::SignedIn(_)) => {
            Redirect::to(&destination(form.redirect_to.as_deref())).into_response()
        }
        Ok(SignInOutcome::NextStep(step)) => {
            let message = match step {
                SignInNextStep::ConfirmSignInWithNewPasswordRequired { .. } => {
                    "This account must set a new password before it can sign in (an administrator created it with \
                     a temporary password)."
                }
                _ => {
                    "This account requires another sign-in step (such as MFA) that the demo does not support."
                }
            };
            sign_in_form(
                &state,
                form.redirect_to.as_deref(),
                &form.username,
                Some(message),
                StatusCode::OK,
            )
        }
        Ok(_) => sign_in_form(
            &state,
            form.redirect_to.as_deref(),
            &form.username,
            Some("This sign-in needs a step the demo does not support."),
            StatusCode::OK,
        ),
        Err(error) => {
            let (status, message) = if error.is_transient() {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The sign-in service is unavailable right now. Try again.".to_owned(),
                )
            } else {
                (StatusCode::UNAUTHORIZED, sign_in_error_message(&error))
            };
            sign_in_form(
                &state,
                form.redirect_to.as_deref(),
                &form.username,
                Some(&message),
                status,
            )
        }
    }
}

fn sign_in_error_message(error: &AuthError) -> String {
    match error.name() {
        "NotAuthorizedException" | "UserNotFoundException" => {
            "Incorrect username or password.".to_owned()
        }
        "UserNotConfirmedException" => "This account has not been confirmed yet.".to_owned(),
        "PasswordResetRequiredException" => "This account must reset its password.".to_owned(),
        other => format!("Sign-in failed ({other})."),
    }
}

async fn sign_out_submit(
    ctx: ServerContext,
    State(state): State<AppState>,
    _: SameOrigin,
) -> Response {
    match amplify_ssr::sign_out(&ctx, SignOutOptions::default()).await {
        Ok(_) => Redirect::to("/").into_response(),
        Err(error) => error_page(&error, &state.nav_for(None)),
    }
}

async fn get_current_user_api(CurrentUser(user): CurrentUser) -> Json<amplify_ssr::AuthUser> {
    Json(user)
}

fn error_page(error: &AuthError, nav: &Nav) -> Response {
    let status = if error.is_transient() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    // The detail stays in the log: a page never shows internal error text.
    tracing::warn!(error = %error, "request failed");
    let body = format!(
        "<p class=\"error\">{}: {}</p>",
        escape(error.name()),
        escape(error.public_message())
    );
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Html(page("Something went wrong", nav, &body)),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
struct AuthErrorQuery {
    error: Option<String>,
    error_description: Option<String>,
}

/// Where managed-login errors land (IdP errors, an expired flow, a tampered state).
async fn auth_error_page(
    ctx: ServerContext,
    State(state): State<AppState>,
    Query(query): Query<AuthErrorQuery>,
) -> Response {
    let code = query.error.as_deref().unwrap_or("unknown_error");
    let explanation = match code {
        "timeout" => {
            "The sign-in took longer than 5 minutes, or was finished in another browser. Please start again."
        }
        "invalid_state" => {
            "The sign-in response did not match the request this browser started, so it was refused."
        }
        "access_denied" => "The sign-in was cancelled or refused.",
        _ => "The sign-in could not be completed.",
    };
    let mut body = format!(
        r#"<p class="error" role="alert">{}</p><p>Error code: <code id="auth-error-code">{}</code></p>"#,
        escape(explanation),
        escape(code)
    );
    if let Some(description) = &query.error_description {
        let _ = write!(
            body,
            r#"<p id="auth-error-description">{}</p>"#,
            escape(description)
        );
    }
    body.push_str(
        r#"<p><a href="/api/auth/sign-in?redirect_to=%2Fdashboard">Try signing in again</a></p>"#,
    );
    let nav = state.nav(&ctx).await;
    (
        StatusCode::BAD_REQUEST,
        Html(page("Sign-in did not complete", &nav, &body)),
    )
        .into_response()
}
