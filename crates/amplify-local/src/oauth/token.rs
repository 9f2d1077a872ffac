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
use super::store::{CodeGrant, Redemption};
use crate::api_error::ApiError;
use crate::db::RefreshRecord;
use crate::ids;
use crate::state::AppState;
use crate::tokens::{Grant, SignIn, Tokens, issue_for};
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

/// Checks the PKCE verifier against the stored challenge. A verifier for a
/// code requested without a challenge is refused too: accepting it would
/// let an attacker who strips the challenge downgrade PKCE (RFC 9700
/// §2.1.1).
fn check_pkce(challenge: Option<&str>, verifier: Option<&str>) -> Result<(), OAuthError> {
    match (challenge, verifier) {
        (Some(_), None) => Err(OAuthError::invalid_grant("code_verifier is required.")),
        (Some(challenge), Some(verifier)) => {
            if aws_lc_rs::constant_time::verify_slices_are_equal(
                s256(verifier).as_bytes(),
                challenge.as_bytes(),
            )
            .is_ok()
            {
                Ok(())
            } else {
                Err(OAuthError::invalid_grant(
                    "code_verifier does not match code_challenge.",
                ))
            }
        }
        (None, Some(_)) => Err(OAuthError::invalid_grant(
            "code_verifier was sent, but the authorization request had no code_challenge.",
        )),
        (None, None) => Ok(()),
    }
}

/// A replayed code: revoke what its first exchange issued.
fn revoke_replayed(
    state: &AppState,
    origin: Option<&str>,
    username: &str,
    now: i64,
) -> Result<(), OAuthError> {
    if let Some(origin) = origin {
        state.store.revoke_origin(origin, now)?;
        tracing::warn!(
            username,
            "authorization code reused; its tokens are revoked"
        );
    }
    Ok(())
}

/// The `authorization_code` grant. The client is already authenticated;
/// the code is used only once it is known to be this client's, for this
/// redirect URI, and a replay by the same client revokes what it issued.
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
    let now = state.now();
    let code_hash = ids::sha256_hex(code);
    let invalid_code = || OAuthError::invalid_grant("Authorization code expired or invalid.");
    let record = state.store.code(&code_hash)?.ok_or_else(invalid_code)?;
    if record.client_id != client_id {
        // Another client's code: neither used up nor a reason to revoke.
        return Err(invalid_code());
    }
    if record.used_at.is_some() {
        revoke_replayed(state, record.origin_jti.as_deref(), &record.username, now)?;
        return Err(invalid_code());
    }
    if record.expires_at <= now {
        return Err(invalid_code());
    }
    if record.redirect_uri != redirect_uri {
        return Err(OAuthError::invalid_grant(
            "redirect_uri does not match the authorization request.",
        ));
    }
    if let Err(error) = check_pkce(
        record.code_challenge.as_deref(),
        params.non_empty("code_verifier"),
    ) {
        // A failed verification by the code's own client uses it up.
        state.store.consume_code(&code_hash, now)?;
        return Err(error);
    }
    let Some(user) = state
        .store
        .user(&record.username)?
        .filter(|user| user.enabled)
    else {
        state.store.consume_code(&code_hash, now)?;
        return Err(OAuthError::invalid_grant(
            "The user no longer exists or is disabled.",
        ));
    };
    let sign_in = SignIn {
        auth_time: record.auth_time,
        ..SignIn::now(state)
    };
    let grant = Grant {
        client_id: client_id.to_owned(),
        scope: record.scope.clone(),
        nonce: record.nonce.clone(),
        oauth: true,
    };
    let refresh_token =
        ids::opaque_token(96).map_err(|e| OAuthError::from(ApiError::internal(&e)))?;
    let ttl = i64::try_from(state.options.refresh_token_ttl.as_secs()).unwrap_or(i64::MAX);
    let refresh = RefreshRecord {
        username: user.username.clone(),
        client_id: client_id.to_owned(),
        origin_jti: sign_in.origin_jti.clone(),
        event_id: sign_in.event_id.clone(),
        auth_time: sign_in.auth_time,
        expires_at: now.saturating_add(ttl),
        replaced_at: None,
        revoked_at: None,
    };
    let redeemed = state.store.redeem_code(
        &code_hash,
        &CodeGrant {
            scope: &record.scope,
            refresh_hash: &ids::sha256_hex(&refresh_token),
            refresh: &refresh,
        },
        now,
    )?;
    if let Redemption::AlreadyUsed(origin) = redeemed {
        // Exchanged concurrently: as for any replay.
        revoke_replayed(state, origin.as_deref(), &record.username, now)?;
        return Err(invalid_code());
    }
    let tokens = issue_for(state, &user, &sign_in, &grant)?;
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
    use super::{check_pkce, s256};

    #[test]
    fn pkce_cannot_be_downgraded() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(check_pkce(Some(challenge), Some(verifier)).is_ok());
        assert!(check_pkce(None, None).is_ok());
        for (challenge, verifier) in [
            (Some(challenge), None),
            (Some(challenge), Some("x")),
            (None, Some(verifier)),
        ] {
            assert_eq!(
                check_pkce(challenge, verifier).map_err(|e| e.error),
                Err("invalid_grant")
            );
        }
    }

    #[test]
    fn s256_matches_rfc_7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
