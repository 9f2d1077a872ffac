//! `GET /logout`: ends the managed-login session and redirects to a
//! registered sign-out URL (`logout_uri`), or — Cognito's other form, with
//! `redirect_uri` and `response_type` — back to the login page.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

use super::params::Params;
use super::request::{AuthRequest, blocking_page, error_page, found, internal_error_page};
use super::session;
use crate::pages::Lang;
use crate::state::AppState;

/// `GET /logout`.
pub(crate) async fn logout(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    blocking_page(move || {
        let params = Params::query(query.as_deref());
        let lang = Lang::parse(params.get("lang"));
        let refuse = |message: String| error_page(lang, StatusCode::BAD_REQUEST, &message);
        let Some(client_id) = params.non_empty("client_id") else {
            return refuse("Missing required parameter client_id.".to_owned());
        };
        if !state.is_client(client_id) {
            return refuse(format!(
                "Invalid client_id: no app client {client_id:?} exists in this user pool."
            ));
        }
        let location = if let Some(logout_uri) = params.non_empty("logout_uri") {
            if !state
                .clients
                .sign_out_urls
                .iter()
                .any(|url| url == logout_uri)
            {
                return refuse(format!(
                    "{logout_uri:?} is not a sign-out URL of this app client. Registered: {}.",
                    state.clients.sign_out_urls.join(", ")
                ));
            }
            logout_uri.to_owned()
        } else if let Some(redirect_uri) = params.non_empty("redirect_uri") {
            if !state
                .clients
                .callback_urls
                .iter()
                .any(|url| url == redirect_uri)
            {
                return refuse(format!(
                    "{redirect_uri:?} is not a callback URL of this app client."
                ));
            }
            if params.non_empty("response_type").is_none() {
                return refuse("Missing required parameter response_type.".to_owned());
            }
            format!("/login?{}", AuthRequest::from_params(&params).query(true))
        } else {
            return refuse("Missing required parameter logout_uri.".to_owned());
        };
        match session::end(&state, &headers) {
            Ok(cookie) => {
                tracing::info!(client_id, "managed login: signed out");
                let mut response = found(&location);
                response.headers_mut().append(header::SET_COOKIE, cookie);
                response
            }
            Err(error) => internal_error_page(lang, &error),
        }
    })
    .await
}
