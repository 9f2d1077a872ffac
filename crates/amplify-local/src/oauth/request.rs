//! The authorization request (`/oauth2/authorize`, `/login`, `/signup` and
//! the forms that carry its parameters) and its validation.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::ALLOWED_SCOPES;
use super::csrf::Csrf;
use super::params::{Params, append_query};
use crate::pages::{self, Lang, PageContext};
use crate::state::AppState;

/// The parameters of an authorization request, as received.
#[derive(Debug, Clone, Default)]
pub(crate) struct AuthRequest {
    fields: Vec<(&'static str, String)>,
}

/// Parameter names carried from page to page.
const CARRIED: [&str; 10] = [
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "nonce",
    "identity_provider",
    "lang",
];

impl AuthRequest {
    /// Picks the authorization parameters out of a query or form.
    pub(crate) fn from_params(params: &Params) -> Self {
        let fields = CARRIED
            .iter()
            .filter_map(|name| params.get(name).map(|value| (*name, value.to_owned())))
            .collect();
        Self { fields }
    }

    /// A parameter's value.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// The parameters as hidden form fields.
    pub(crate) fn hidden(&self) -> &[(&'static str, String)] {
        &self.fields
    }

    /// The parameters as a query string, optionally without
    /// `identity_provider`.
    pub(crate) fn query(&self, with_provider: bool) -> String {
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in &self.fields {
            if with_provider || *name != "identity_provider" {
                serializer.append_pair(name, value);
            }
        }
        serializer.finish()
    }

    /// The page language.
    pub(crate) fn lang(&self) -> Lang {
        Lang::parse(self.get("lang"))
    }
}

/// Who authenticates the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Provider {
    /// The user pool's own login form (`identity_provider` absent or
    /// `COGNITO`).
    Cognito,
    /// A simulated federated provider (Cognito's provider name).
    Federated(String),
}

/// A validated authorization request.
#[derive(Debug, Clone)]
pub(crate) struct Authorization {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    /// Granted scopes, space-separated.
    pub(crate) scope: String,
    pub(crate) state: Option<String>,
    pub(crate) code_challenge: Option<String>,
    pub(crate) nonce: Option<String>,
    pub(crate) provider: Provider,
    pub(crate) lang: Lang,
    pub(crate) request: AuthRequest,
}

impl Authorization {
    /// The page context for this request.
    pub(crate) fn page<'a>(
        &'a self,
        query: &'a str,
        providers: &'a [String],
        csrf: &'a Csrf,
    ) -> PageContext<'a> {
        PageContext {
            lang: self.lang,
            hidden: self.request.hidden(),
            query,
            providers,
            csrf: csrf.token(),
        }
    }

    /// A 302 back to the app with `extra` parameters and the `state`.
    pub(crate) fn redirect_back(&self, extra: &[(&str, &str)]) -> Response {
        let mut pairs = extra.to_vec();
        if let Some(state) = &self.state {
            pairs.push(("state", state));
        }
        found(&append_query(&self.redirect_uri, &pairs))
    }
}

/// A `302 Found` to `location`.
pub(crate) fn found(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Why an authorization request was refused.
#[derive(Debug, Clone)]
pub(crate) enum Refusal {
    /// The client or redirect URI is not trustworthy: show an error page.
    Page { lang: Lang, message: String },
    /// Report the error to the (validated) redirect URI.
    Redirect {
        redirect_uri: String,
        error: &'static str,
        description: String,
        state: Option<String>,
    },
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::Page { lang, message } => error_page(lang, StatusCode::BAD_REQUEST, &message),
            Self::Redirect {
                redirect_uri,
                error,
                description,
                state,
            } => {
                let mut pairs = vec![
                    ("error", error),
                    ("error_description", description.as_str()),
                ];
                if let Some(state) = &state {
                    pairs.push(("state", state));
                }
                found(&append_query(&redirect_uri, &pairs))
            }
        }
    }
}

/// An HTML error page.
pub(crate) fn error_page(lang: Lang, status: StatusCode, message: &str) -> Response {
    pages::html(status, pages::error_page(lang, message))
}

/// The error page for an internal failure.
pub(crate) fn internal_error_page(lang: Lang, error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, "internal error");
    error_page(
        lang,
        StatusCode::INTERNAL_SERVER_ERROR,
        lang.text().err_internal,
    )
}

fn is_pkce_value(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Validates an authorization request against the app clients.
pub(crate) fn validate(state: &AppState, request: AuthRequest) -> Result<Authorization, Refusal> {
    let lang = request.lang();
    let page = |message: String| Refusal::Page { lang, message };
    let Some(client_id) = request.non_empty("client_id") else {
        return Err(page("Missing required parameter client_id.".to_owned()));
    };
    if !state.is_client(client_id) {
        return Err(page(format!(
            "Invalid client_id: no app client {client_id:?} exists in this user pool."
        )));
    }
    let Some(redirect_uri) = request.non_empty("redirect_uri") else {
        return Err(page("Missing required parameter redirect_uri.".to_owned()));
    };
    if !state
        .clients
        .callback_urls
        .iter()
        .any(|url| url == redirect_uri)
    {
        return Err(page(format!(
            "redirect_mismatch: {redirect_uri:?} is not a callback URL of this app client. \
             Registered: {}. Add the app's origin with --app-origin.",
            state.clients.callback_urls.join(", ")
        )));
    }
    let redirect = |error: &'static str, description: String| Refusal::Redirect {
        redirect_uri: redirect_uri.to_owned(),
        error,
        description,
        state: request.get("state").map(str::to_owned),
    };
    match request.get("response_type") {
        Some("code") => {}
        None | Some("") => {
            return Err(redirect(
                "invalid_request",
                "response_type is required".to_owned(),
            ));
        }
        Some(other) => {
            return Err(redirect(
                "unsupported_response_type",
                format!("response_type {other:?} is not supported; use code"),
            ));
        }
    }
    let mut scopes: Vec<&str> = Vec::new();
    for scope in request.get("scope").unwrap_or_default().split(' ') {
        if scope.is_empty() || scopes.contains(&scope) {
            continue;
        }
        if !ALLOWED_SCOPES.contains(&scope) {
            return Err(redirect(
                "invalid_scope",
                format!("scope {scope:?} is not allowed for this client"),
            ));
        }
        scopes.push(scope);
    }
    if scopes.is_empty() {
        scopes = ALLOWED_SCOPES.to_vec();
    }
    let public = client_id == state.client_id;
    let code_challenge = request.non_empty("code_challenge");
    let method = request.non_empty("code_challenge_method");
    match (code_challenge, method) {
        (None, _) if public => {
            return Err(redirect(
                "invalid_request",
                "code_challenge is required (PKCE with S256) for this public client".to_owned(),
            ));
        }
        (None, _) => {}
        (Some(challenge), Some("S256")) => {
            if !is_pkce_value(challenge) {
                return Err(redirect(
                    "invalid_request",
                    "code_challenge must be 43 to 128 base64url characters".to_owned(),
                ));
            }
        }
        (Some(_), _) => {
            return Err(redirect(
                "invalid_request",
                "code_challenge_method must be S256 (plain is not allowed)".to_owned(),
            ));
        }
    }
    let provider = match request.non_empty("identity_provider") {
        None | Some("COGNITO") => Provider::Cognito,
        Some(name) => match state.clients.provider(name) {
            Some(name) => Provider::Federated(name),
            None => {
                return Err(redirect(
                    "invalid_request",
                    format!("identity_provider {name:?} is not enabled for this client"),
                ));
            }
        },
    };
    Ok(Authorization {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        scope: scopes.join(" "),
        state: request.get("state").map(str::to_owned),
        code_challenge: code_challenge.map(str::to_owned),
        nonce: request.non_empty("nonce").map(str::to_owned),
        provider,
        lang,
        request,
    })
}

/// Runs a page handler's body off the async workers (SQLite, password
/// hashing); a failed task becomes an internal error page.
pub(crate) async fn blocking_page(handler: impl FnOnce() -> Response + Send + 'static) -> Response {
    tokio::task::spawn_blocking(handler)
        .await
        .unwrap_or_else(|error| internal_error_page(Lang::En, &error))
}

/// The federated providers offered as buttons on the login page.
pub(crate) fn offered_providers(state: &AppState) -> Vec<String> {
    crate::clients::SOCIAL_PROVIDERS
        .iter()
        .map(|p| (*p).to_owned())
        .chain(state.clients.oidc_providers.iter().cloned())
        .collect()
}
