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
use amplify_ssr::jwt::Claims;
use amplify_ssr::redirect::safe_redirect_path;
use amplify_ssr::{
    AmplifyConfig, AuthError, FetchAuthSessionOptions, ServerContext, ServerRunner, SignInInput,
    SignOutOptions, auth::AuthTokens,
};
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::html::{Nav, escape, page};
use crate::problem::Problem;

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
    /// The header for the visitor `ctx` belongs to.
    pub(crate) async fn nav(&self, ctx: &ServerContext) -> Nav {
        let (user, username) = match amplify_ssr::fetch_auth_tokens(ctx).await {
            Ok(Some(tokens)) => (Some(name_of(&tokens)), username_of(&tokens)),
            _ => (None, None),
        };
        Nav {
            user,
            username,
            managed_login: self.managed_login,
            section: "",
        }
    }

    /// The header for a visitor known to be signed out.
    pub(crate) fn signed_out_nav(&self) -> Nav {
        Nav {
            managed_login: self.managed_login,
            ..Nav::default()
        }
    }

    /// The path of the sign-in page protected pages send visitors to.
    fn sign_in_href(&self) -> &'static str {
        if self.managed_login {
            "/api/auth/sign-in?redirect_to=%2Fdashboard"
        } else {
            "/sign-in?redirect_to=%2Fdashboard"
        }
    }
}

/// The Cognito username of a session's tokens.
fn username_of(tokens: &AuthTokens) -> Option<String> {
    tokens
        .id_token_claims
        .as_ref()
        .and_then(Claims::cognito_username)
        .or_else(|| tokens.access_token_claims.username())
        .map(str::to_owned)
}

/// The signed-in user's name as people read it: the id token's `name`, else its `email`, else the username
/// (a federated user's username is `Google_<id>`, which means nothing to them).
fn name_of(tokens: &AuthTokens) -> String {
    let id = tokens.id_token_claims.as_ref();
    let claim = |key: &str| {
        id.and_then(|claims| claims.get(key))
            .and_then(serde_json::Value::as_str)
            .map(str::trim)
            .filter(|value| !value.is_empty())
    };
    claim("name")
        .or_else(|| claim("email"))
        .map(str::to_owned)
        .or_else(|| username_of(tokens))
        .unwrap_or_else(|| "Signed-in user".to_owned())
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
        .with_function("summary", summary_function)
        .with_email_usernames(true);
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
    let csp = crate::problem::content_security_policy(&storage_origins(runner.config()));
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
            "/files/upload",
            axum::routing::post(crate::files::upload_without_script),
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
        .route(
            "/announcements",
            get(crate::todos::announcements_page).post(crate::todos::create_announcement),
        )
        .route(
            crate::assets::STYLESHEET_ROUTE,
            get(crate::assets::stylesheet),
        )
        .route(crate::assets::SCRIPT_ROUTE, get(crate::assets::script))
        .route("/readme", get(crate::assets::readme))
        // No icon: answer without a body instead of a 404 in every browser log.
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/apis/get-current-user", get(get_current_user_api))
        // Called by amplify-local (no cookies): it authorises the caller first, and the function reads with the
        // caller's own token.
        .route(
            "/functions/summary",
            axum::routing::post(crate::summary::summary_function),
        )
        .fallback(crate::problem::not_found)
        .with_state(state.clone());
    if let Some(routes) = auth_routes {
        app = app.nest("/api/auth", auth_router(routes));
    }
    app.layer(axum::middleware::from_fn_with_state(
        state,
        crate::problem::error_pages,
    ))
    .layer(AmplifyLayer::new(runner).sign_in_path(sign_in_path))
    .layer(axum::middleware::from_fn_with_state(
        csp,
        crate::problem::security_headers,
    ))
}

/// The S3 origins pages load presigned images from and upload to.
fn storage_origins(config: &AmplifyConfig) -> Vec<String> {
    let origin = |url: &url::Url| url.origin().ascii_serialization();
    match config.storage_endpoint() {
        Ok(Some(endpoint)) => vec![origin(&endpoint)],
        // AWS's own endpoints: the bucket's virtual host, or the regional path-style host.
        _ if config.storage.is_some() => {
            vec![
                "https://*.amazonaws.com".to_owned(),
                "https://*.amazonaws.com.cn".to_owned(),
            ]
        }
        _ => Vec::new(),
    }
}

async fn home(ctx: ServerContext, State(state): State<AppState>) -> Html<String> {
    let nav = state.nav(&ctx).await.at("/");
    let mut body = String::from(
        r#"<p class="lead">amplify-ssr lets a Rust web server use an Amplify Gen 2 backend on behalf of the signed-in
user: sessions from the aws-amplify cookies, managed login, Data and Storage. Every page here is rendered on the
server.</p>"#,
    );
    match &nav.user {
        Some(name) => {
            let _ = write!(
                body,
                r#"<div class="notice" id="welcome">Welcome back, <strong>{}</strong>. <a href="/dashboard">Open your dashboard</a>.</div>"#,
                escape(name)
            );
        }
        None => {
            let _ = write!(
                body,
                r#"<div class="actions"><a class="button" id="home-sign-in" href="{}">Sign in</a>"#,
                state.sign_in_href()
            );
            if state.managed_login {
                body.push_str(
                    r#"<a class="button secondary" href="/api/auth/sign-up?redirect_to=%2Fdashboard">Create an account</a>
<a class="button secondary" href="/sign-in">Sign in with a password form</a>"#,
                );
            }
            body.push_str("</div>");
        }
    }
    if let Some(hints) = &state.hints {
        let _ = write!(
            body,
            r#"<section class="card credentials demo-credentials" aria-labelledby="credentials-title"><h2 id="credentials-title">Try it with the demo account</h2>
<p>This demo runs on <strong>amplify-local</strong> (at <code>{}</code>), an offline backend that speaks Cognito's,
AppSync's and S3's protocols. No AWS account is needed, and nothing leaves this machine.</p>
<dl><dt>Email</dt><dd id="demo-username">{}</dd><dt>Password</dt><dd id="demo-password">{}</dd></dl>
<p class="hint">"Sign in with Google" is simulated: it asks for a name and creates that user. Codes that a real pool
would email are shown on the sign-up and reset pages.</p></section>"#,
            escape(&hints.backend_url),
            escape(DEMO_USERNAME),
            escape(DEMO_PASSWORD)
        );
    }
    body.push_str(r#"<h2>What the demo shows</h2><div class="cards">"#);
    for (title, text, links) in CAPABILITIES {
        let _ = write!(
            body,
            r#"<section class="card"><h3>{title}</h3><p>{text}</p><div class="actions">"#
        );
        for (index, (href, label)) in links.iter().enumerate() {
            let class = if index == 0 {
                "button small"
            } else {
                "button secondary small"
            };
            let _ = write!(body, r#"<a class="{class}" href="{href}">{label}</a>"#);
        }
        body.push_str("</div></section>");
    }
    body.push_str(
        r#"</div><p>How it works, how to use it in your own app, and how to run it against AWS:
<a href="/readme">the README</a>.</p>"#,
    );
    Html(page("amplify-ssr demo", &nav, &body))
}

/// A link on a card: where, and its text.
type CardLink = (&'static str, &'static str);

/// The home page's cards: a capability, what it does, and where to see it.
const CAPABILITIES: [(&str, &str, &[CardLink]); 6] = [
    (
        "Sessions from cookies",
        "The server reads the cookies the aws-amplify JavaScript client writes, verifies the tokens against the user \
         pool's keys, and refreshes them when they expire.",
        &[("/dashboard", "Your dashboard")],
    ),
    (
        "Managed login",
        "Sign-in, sign-up and sign-out through Cognito's hosted pages: OAuth2 code flow with PKCE, HttpOnly cookies, \
         a social provider, token revocation on sign-out.",
        &[
            ("/api/auth/sign-in?redirect_to=%2Fdashboard", "Sign in"),
            ("/sign-in", "Password form"),
        ],
    ),
    (
        "Route protection",
        "Signed-out visitors of a protected page go to sign-in and come back to it; the admin page also requires a \
         Cognito group.",
        &[("/todos", "A protected page"), ("/admin", "Admins only")],
    ),
    (
        "Data",
        "GraphQL calls to AppSync through a client typed from the schema: your own todos under an owner rule, and \
         news anyone can read with the API key.",
        &[("/todos", "Todos"), ("/announcements", "News")],
    ),
    (
        "Storage",
        "S3 with the identity pool's credentials: uploads go from the browser straight to S3 through presigned URLs, \
         in a private and a public area.",
        &[("/files", "Files")],
    ),
    (
        "Static guest rendering",
        "A page rendered without the visitor's session: guest credentials sign the image URLs, shared by every \
         visitor until shortly before they expire.",
        &[("/gallery", "Gallery")],
    ),
];

/// The Cognito group whose members may see `/admin`.
pub const ADMIN_GROUP: &str = "admin";

async fn admin_page(ctx: ServerContext, State(state): State<AppState>) -> Response {
    let nav = state.nav(&ctx).await;
    let body = format!(
        "<div class=\"card\"><p id=\"admin-note\">Only members of the <code>{ADMIN_GROUP}</code> group see this page, and {} is one.</p></div>",
        escape(nav.user.as_deref().unwrap_or("you"))
    );
    Html(page("Admin", &nav, &body)).into_response()
}

/// The providers named by a federated user's `identities` attribute (`[{"providerName": "Google", ...}]`).
fn identity_providers(identities: &str) -> Vec<String> {
    serde_json::from_str::<Vec<serde_json::Value>>(identities)
        .unwrap_or_default()
        .iter()
        .filter_map(|identity| identity.get("providerName")?.as_str().map(str::to_owned))
        .collect()
}

async fn dashboard(
    ctx: ServerContext,
    State(state): State<AppState>,
    SignedInPage(user): SignedInPage,
) -> Response {
    let nav = state.nav(&ctx).await.at("/dashboard");
    let attributes = match amplify_ssr::fetch_user_attributes(&ctx).await {
        Ok(attributes) => attributes,
        Err(error) => return error_page(&error, &nav, "/dashboard"),
    };
    let session =
        match amplify_ssr::fetch_auth_session(&ctx, FetchAuthSessionOptions::default()).await {
            Ok(session) => session,
            Err(error) => return error_page(&error, &nav, "/dashboard"),
        };
    let signed_in_with = match attributes.get("identities").map(|i| identity_providers(i)) {
        Some(providers) if !providers.is_empty() => Some(providers.join(", ")),
        _ => user
            .sign_in_details
            .as_ref()
            .and_then(|details| details.auth_flow_type.as_deref())
            .map(|flow| match flow {
                "USER_SRP_AUTH" => "password (SRP)".to_owned(),
                "USER_PASSWORD_AUTH" => "password".to_owned(),
                other => other.to_owned(),
            }),
    };
    let mut body = String::from(
        r#"<p class="lead">Everything on this page was read on the server from your session cookies.</p>
<section class="card"><h2>Account</h2><table class="properties">"#,
    );
    let mut row = |name: &str, value: &str| {
        let _ = write!(
            body,
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            escape(name),
            escape(value)
        );
    };
    row("Name", nav.user.as_deref().unwrap_or(""));
    row("Username", &user.username);
    row("User id", &user.user_id);
    if let Some(signed_in_with) = &signed_in_with {
        row("Signed in with", signed_in_with);
    }
    if let Some(groups) = session
        .tokens
        .as_ref()
        .and_then(|tokens| tokens.access_token_claims.get("cognito:groups"))
        .and_then(serde_json::Value::as_array)
    {
        let groups: Vec<&str> = groups
            .iter()
            .filter_map(serde_json::Value::as_str)
            .collect();
        row("Groups", &groups.join(", "));
    }
    body.push_str(
        r#"</table></section><section class="card"><h2>Attributes</h2><p class="hint">From Cognito's GetUser.</p><table class="properties">"#,
    );
    for (name, value) in &attributes {
        // The raw identities JSON says what "Signed in with" already says.
        if name == "identities" {
            continue;
        }
        let _ = write!(
            body,
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            escape(name),
            escape(value)
        );
    }
    body.push_str("</table></section>");
    if let Some(tokens) = &session.tokens {
        let exp = tokens.access_token_claims.exp().unwrap_or_default();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let minutes = (exp - now).max(0) / 60;
        let _ = write!(
            body,
            "<section class=\"card\"><h2>Session</h2><p>The access token expires in {minutes} min. The server refreshes \
             it when it expires and writes the new cookies back.</p>"
        );
        if let Some(identity_id) = &session.identity_id {
            let _ = write!(
                body,
                "<p>AWS credentials for identity <code>{}</code> come from the identity pool, for Storage.</p>",
                escape(identity_id)
            );
        }
        body.push_str("</section>");
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
    if amplify_ssr::get_current_user(&ctx).await.is_ok() {
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
    // After a refusal, focus goes to the error (a screen reader reads it); a fresh page leaves the first Tab to
    // the skip link, as every page of the site does.
    let (error_html, invalid) = match error {
        Some(error) => (
            format!(
                r#"<p class="error" id="sign-in-error" role="alert" tabindex="-1" autofocus>{}</p>"#,
                escape(error)
            ),
            r#" aria-invalid="true" aria-describedby="sign-in-error""#,
        ),
        None => (String::new(), ""),
    };
    let hint = if state.hints.is_some() {
        format!(
            r#"<p class="hint demo-credentials">Demo account: <code>{}</code> / <code>{}</code>.</p>"#,
            escape(DEMO_USERNAME),
            escape(DEMO_PASSWORD)
        )
    } else {
        String::new()
    };
    let body = format!(
        r#"<div class="card">
<p>Signs in on the server with Cognito's SRP flow; the response sets the session cookies.</p>
{error_html}
<form method="post" action="/sign-in" id="sign-in-form">
<input type="hidden" name="redirect_to" value="{redirect_to}">
<div class="field"><label for="username">Email or username</label>
<input id="username" name="username" autocomplete="username" required value="{username}"{invalid}></div>
<div class="field"><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required{invalid}></div>
<button type="submit" id="sign-in-submit">Sign in</button>
</form>
{hint}</div>"#,
        redirect_to = escape(redirect_to),
        username = escape(username),
    );
    (
        status,
        Html(page("Sign in", &state.signed_out_nav(), &body)),
    )
        .into_response()
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
        Err(error) => error_page(&error, &state.signed_out_nav(), "/"),
    }
}

async fn get_current_user_api(CurrentUser(user): CurrentUser) -> Json<amplify_ssr::AuthUser> {
    Json(user)
}

/// An auth call that failed, as a page in the layout; `retry` is the page to try again.
fn error_page(error: &AuthError, nav: &Nav, retry: &str) -> Response {
    let status = if error.is_transient() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    // The detail stays in the log: a page never shows internal error text.
    tracing::warn!(error = %error, "request failed");
    Problem {
        status,
        title: "Something went wrong",
        message: "Your account's details could not be read just now. Try again in a moment."
            .to_owned(),
        detail: Some(format!("{}: {}", error.name(), error.public_message())),
        retry: Some(retry.to_owned()),
    }
    .render(nav)
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
        r#"<div class="card"><p class="error" role="alert">{}</p><p class="hint">Error code: <code id="auth-error-code">{}</code></p><div class="actions"><a class="button" href="{}">Try signing in again</a><a class="button secondary" href="/">Go to the home page</a></div>
<details class="technical"><summary>Technical detail</summary>"#,
        escape(explanation),
        escape(code),
        state.sign_in_href(),
    );
    match &query.error_description {
        Some(description) => {
            let _ = write!(
                body,
                r#"<p id="auth-error-description">{}</p>"#,
                escape(description)
            );
        }
        None => body.push_str("<p>The identity provider gave no description.</p>"),
    }
    body.push_str("</details></div>");
    let nav = state.nav(&ctx).await;
    (
        StatusCode::BAD_REQUEST,
        Html(page("Sign-in did not complete", &nav, &body)),
    )
        .into_response()
}
