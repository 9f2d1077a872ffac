//! `/{userPoolId}/.well-known/jwks.json` and `openid-configuration`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::state::AppState;

/// The pool's JWKS.
pub(crate) async fn jwks(
    State(state): State<Arc<AppState>>,
    Path(pool_id): Path<String>,
) -> Response {
    if pool_id != state.user_pool_id {
        return StatusCode::NOT_FOUND.into_response();
    }
    Json(json!({ "keys": [state.key.jwk()] })).into_response()
}

/// The pool's OpenID configuration. The OAuth endpoints it lists are served
/// on this same base URL.
pub(crate) async fn openid_configuration(
    State(state): State<Arc<AppState>>,
    Path(pool_id): Path<String>,
) -> Response {
    if pool_id != state.user_pool_id {
        return StatusCode::NOT_FOUND.into_response();
    }
    Json(configuration(&state)).into_response()
}

/// The same OpenID configuration at the root, where OIDC clients that use
/// the managed-login domain as their issuer look for it.
pub(crate) async fn root_openid_configuration(State(state): State<Arc<AppState>>) -> Response {
    Json(configuration(&state)).into_response()
}

fn configuration(state: &AppState) -> Value {
    let base = &state.base_url;
    let pool_id = &state.user_pool_id;
    json!({
        "issuer": state.issuer,
        "jwks_uri": format!("{base}/{pool_id}/.well-known/jwks.json"),
        "authorization_endpoint": format!("{base}/oauth2/authorize"),
        "token_endpoint": format!("{base}/oauth2/token"),
        "userinfo_endpoint": format!("{base}/oauth2/userInfo"),
        "revocation_endpoint": format!("{base}/oauth2/revoke"),
        "end_session_endpoint": format!("{base}/logout"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": crate::oauth::ALLOWED_SCOPES,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "cognito:username",
            "cognito:groups", "email", "email_verified", "name", "phone_number",
            "phone_number_verified", "identities",
        ],
    })
}
