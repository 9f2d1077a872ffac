//! `GET|POST /oauth2/userInfo`: the signed-in user's attributes for an
//! access token with the `openid` scope. Values are strings, as Cognito
//! returns them (`"email_verified": "true"`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::error::no_store;
use crate::api_error::ErrorCode;
use crate::db::UserRecord;
use crate::state::AppState;
use crate::tokens::verify_access_token;

/// Attributes released by the `email` and `phone` scopes.
const EMAIL_ATTRIBUTES: [&str; 2] = ["email", "email_verified"];
const PHONE_ATTRIBUTES: [&str; 2] = ["phone_number", "phone_number_verified"];

/// A 401 with `WWW-Authenticate: Bearer error="invalid_token"`.
fn invalid_token(description: &str) -> Response {
    let body = json!({ "error": "invalid_token", "error_description": description });
    let mut response = (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    let challenge = format!(
        "Bearer error=\"invalid_token\", error_description=\"{}\"",
        description.replace(['"', '\\'], "'")
    );
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    no_store(&mut response);
    response
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

/// The claims released for a user and the token's scopes: `email` releases
/// the email claims, `phone` the phone claims and `profile` the other
/// attributes; `aws.cognito.signin.user.admin` releases nothing more (as in
/// Cognito). `sub`, `username` and `identities` are always released.
fn claims(user: &UserRecord, scopes: &[&str]) -> Value {
    let released = |name: &str| {
        if name == "identities" {
            return true;
        }
        if EMAIL_ATTRIBUTES.contains(&name) {
            return scopes.contains(&"email");
        }
        if PHONE_ATTRIBUTES.contains(&name) {
            return scopes.contains(&"phone");
        }
        scopes.contains(&"profile")
    };
    let mut out = Map::new();
    out.insert("sub".into(), json!(user.sub));
    for (name, value) in &user.attributes {
        if name != "sub" && released(name) {
            out.insert(name.clone(), json!(value));
        }
    }
    if user.attribute("email").is_some()
        && user.attribute("email_verified").is_none()
        && released("email_verified")
    {
        out.insert("email_verified".into(), json!("false"));
    }
    out.insert("username".into(), json!(user.username));
    Value::Object(out)
}

/// `GET|POST /oauth2/userInfo`.
pub(crate) async fn userinfo(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let Some(token) = bearer(&headers).map(str::to_owned) else {
        return invalid_token("A Bearer access token is required.");
    };
    let result = tokio::task::spawn_blocking(move || {
        let access = verify_access_token(&state, &token)?;
        let user = state.store.user(&access.username)?;
        Ok::<_, crate::api_error::ApiError>((access, user))
    })
    .await;
    let (access, user) = match result {
        Ok(Ok(found)) => found,
        Ok(Err(error)) if error.code == ErrorCode::InternalError => {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        Ok(Err(error)) => return invalid_token(&error.message),
        Err(error) => {
            tracing::error!(%error, "userinfo task failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let scopes: Vec<&str> = access.scope.split(' ').collect();
    if !scopes.contains(&"openid") {
        return invalid_token("The access token does not have the openid scope.");
    }
    let Some(user) = user.filter(|user| user.enabled) else {
        return invalid_token("The user no longer exists or is disabled.");
    };
    let mut response = axum::Json(claims(&user, &scopes)).into_response();
    no_store(&mut response);
    response
}
