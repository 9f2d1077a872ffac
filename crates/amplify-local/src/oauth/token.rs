//! `POST /oauth2/token`: the `authorization_code` (with PKCE) and
//! `refresh_token` grants.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::client_auth::{authenticate, check_form_content_type};
use super::error::{OAuthError, no_store};
use super::params::Params;
use crate::ids;
use crate::state::{AppState, now_secs};
use crate::tokens::{Grant, SignIn, Tokens, issue_for, new_refresh_token_for};
use crate::user_pool::refresh_for_client;

/// `POST /oauth2/token`.
pub(crate) async fn token(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = tokio::task::spawn_blocking(move || exchange(&state, &headers, &body))
        .await
        .unwrap_or_else(|error| {
            tracing::error!(%error, "token task failed");
            Err(OAuthError::server_error())
        });
    match result {
        Ok(body) => {
            let mut response = axum::Json(body).into_response();
            no_store(&mut response);
            response
        }
        Err(error) => {
            tracing::debug!(error = error.error, description = %error.description, "token request refused");
            error.into_response()
        }
    }
}

fn exchange(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<Value, OAuthError> {
    check_form_content_type(headers)?;
    let params = Params::parse(body);
    let client_id = authenticate(state, headers, &params)?;
    match params.non_empty("grant_type") {
        None => Err(OAuthError::invalid_request("grant_type is required.")),
        Some("authorization_code") => authorization_code(state, &client_id, &params),
        Some("refresh_token") => refresh(state, &client_id, &params),
        Some("client_credentials") => Err(OAuthError::unauthorized_client(
            "This app client is not allowed the client_credentials grant.",
        )),
        Some(other) => Err(OAuthError::unsupported_grant_type(format!(
            "grant_type {other:?} is not supported."
        ))),
    }
}

/// base64url(SHA-256(verifier)), the S256 code challenge.
fn s256(verifier: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
    URL_SAFE_NO_PAD.encode(digest.as_ref())
}

fn token_response(tokens: Tokens, grant: &Grant, refresh_token: Option<String>) -> Value {
    let mut body = json!({
        "access_token": tokens.access,
        "token_type": "Bearer",
        "expires_in": tokens.expires_in,
    });
    if grant.has_openid() {
        body["id_token"] = json!(tokens.id);
    }
    if let Some(refresh_token) = refresh_token {
        body["refresh_token"] = json!(refresh_token);
    }
    body
}

fn authorization_code(
    state: &AppState,
    client_id: &str,
    params: &Params,
) -> Result<Value, OAuthError> {
    let code = params
        .non_empty("code")
        .ok_or_else(|| OAuthError::invalid_request("code is required."))?;
    let redirect_uri = params
        .non_empty("redirect_uri")
        .ok_or_else(|| OAuthError::invalid_request("redirect_uri is required."))?;
    let now = now_secs();
    let code_hash = ids::sha256_hex(code);
    let invalid_code = || OAuthError::invalid_grant("Authorization code expired or invalid.");
    let record = state
        .store
        .use_code(&code_hash, now)?
        .ok_or_else(invalid_code)?;
    if record.used_at.is_some() {
        // A replayed code: revoke what the first exchange issued.
        if let Some(origin) = &record.origin_jti {
            state.store.revoke_origin(origin, now)?;
            tracing::warn!(username = %record.username, "authorization code reused; its tokens are revoked");
        }
        return Err(invalid_code());
    }
    if record.client_id != client_id || record.expires_at <= now {
        return Err(invalid_code());
    }
    if record.redirect_uri != redirect_uri {
        return Err(OAuthError::invalid_grant(
            "redirect_uri does not match the authorization request.",
        ));
    }
    if let Some(challenge) = &record.code_challenge {
        let verifier = params
            .non_empty("code_verifier")
            .ok_or_else(|| OAuthError::invalid_grant("code_verifier is required."))?;
        if s256(verifier) != *challenge {
            return Err(OAuthError::invalid_grant(
                "code_verifier does not match code_challenge.",
            ));
        }
    }
    let user = state
        .store
        .user(&record.username)?
        .filter(|user| user.enabled)
        .ok_or_else(|| OAuthError::invalid_grant("The user no longer exists or is disabled."))?;
    let sign_in = SignIn {
        auth_time: record.auth_time,
        ..SignIn::now()
    };
    let grant = Grant {
        client_id: client_id.to_owned(),
        scope: record.scope.clone(),
        nonce: record.nonce.clone(),
        oauth: true,
    };
    state
        .store
        .record_code_grant(&code_hash, &sign_in.origin_jti, client_id, &record.scope)?;
    let tokens = issue_for(state, &user, &sign_in, &grant)?;
    let refresh_token = new_refresh_token_for(state, client_id, &user.username, &sign_in)?;
    tracing::info!(username = %user.username, client_id, "authorization code exchanged");
    Ok(token_response(tokens, &grant, Some(refresh_token)))
}

fn refresh(state: &AppState, client_id: &str, params: &Params) -> Result<Value, OAuthError> {
    let token = params
        .non_empty("refresh_token")
        .ok_or_else(|| OAuthError::invalid_request("refresh_token is required."))?;
    let refreshed =
        refresh_for_client(state, client_id, token, state.options.rotate_refresh_tokens)?;
    Ok(token_response(
        refreshed.tokens,
        &refreshed.grant,
        refreshed.refresh_token,
    ))
}

#[cfg(test)]
mod tests {
    use super::s256;

    #[test]
    fn s256_matches_rfc_7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
