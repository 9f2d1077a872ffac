//! `POST /oauth2/revoke` (RFC 7009): revokes a refresh token and the access
//! tokens issued from it.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::client_auth::{authenticate, check_form_content_type};
use super::error::{OAuthError, no_store};
use super::params::Params;
use crate::api_error::ErrorCode;
use crate::state::AppState;
use crate::user_pool::revoke_for_client;

/// `POST /oauth2/revoke`: 200 with an empty body on success, also for an
/// unknown token.
pub(crate) async fn revoke(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = tokio::task::spawn_blocking(move || run(&state, &headers, &body))
        .await
        .unwrap_or_else(|error| {
            tracing::error!(%error, "revoke task failed");
            Err(OAuthError::server_error())
        });
    match result {
        Ok(()) => {
            let mut response = StatusCode::OK.into_response();
            no_store(&mut response);
            response
        }
        Err(error) => error.into_response(),
    }
}

fn run(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<(), OAuthError> {
    check_form_content_type(headers)?;
    let params = Params::parse(body);
    let client_id = authenticate(state, headers, &params)?;
    let token = params
        .non_empty("token")
        .ok_or_else(|| OAuthError::invalid_request("token is required."))?;
    if let Some(hint) = params.non_empty("token_type_hint")
        && hint != "refresh_token"
        && hint != "access_token"
    {
        return Err(OAuthError::unsupported_token_type(format!(
            "token_type_hint {hint:?} is not supported."
        )));
    }
    revoke_for_client(state, &client_id, token).map_err(|error| match error.code {
        ErrorCode::UnsupportedTokenType => {
            OAuthError::unsupported_token_type("Only refresh tokens can be revoked.")
        }
        ErrorCode::InternalError => OAuthError::server_error(),
        _ => OAuthError::invalid_request(error.message),
    })
}
