//! `GET /oauth2/authorize` and `GET|POST /login`: the login form, single
//! sign-on with the session cookie, and password sign-in.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::csrf::Csrf;
use super::form_post::FormPost;
use super::params::Params;
use super::request::{
    AuthRequest, Authorization, Provider, blocking_page, internal_error_page, offered_providers,
    validate,
};
use super::{federated, session};
use crate::api_error::ErrorCode;
use crate::db::UserStatus;
use crate::pages;
use crate::state::AppState;
use crate::user_pool::user_with_password;

/// `GET /oauth2/authorize` and `GET /login`.
pub(crate) async fn authorize(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    blocking_page(move || {
        let request = AuthRequest::from_params(&Params::query(query.as_deref()));
        match validate(&state, request) {
            Ok(authorization) => show(&state, &headers, &authorization),
            Err(refusal) => refusal.into_response(),
        }
    })
    .await
}

/// Whether a session's user may still be signed in without a password.
fn may_continue(state: &AppState, username: &str) -> Result<bool, crate::LocalError> {
    Ok(state.store.user(username)?.is_some_and(|user| {
        user.enabled
            && matches!(
                user.status,
                UserStatus::Confirmed | UserStatus::ExternalProvider
            )
    }))
}

fn show(state: &AppState, headers: &HeaderMap, authorization: &Authorization) -> Response {
    let csrf = match Csrf::for_page(state, headers) {
        Ok(csrf) => csrf,
        Err(error) => return internal_error_page(authorization.lang, &error),
    };
    if let Provider::Federated(provider) = &authorization.provider {
        return federated::consent_page(authorization, &csrf, provider, None, None, None);
    }
    let resumed = session::current(state, headers).and_then(|current| match current {
        Some(current) if may_continue(state, &current.username)? => session::complete(
            state,
            authorization,
            &current.username,
            current.auth_time,
            false,
        )
        .map(Some),
        _ => Ok(None),
    });
    match resumed {
        Ok(Some(response)) => response,
        Ok(None) => login_page(state, authorization, &csrf, "", None, None),
        Err(error) => internal_error_page(authorization.lang, &error),
    }
}

/// Renders the login form with its anti-CSRF cookie (status 400 when it
/// shows an error); `notice` is an informational message.
pub(crate) fn login_page(
    state: &AppState,
    authorization: &Authorization,
    csrf: &Csrf,
    username: &str,
    notice: Option<&str>,
    error: Option<&str>,
) -> Response {
    let query = authorization.request.query(false);
    let providers = offered_providers(state);
    let page = pages::login(
        &authorization.page(&query, &providers, csrf),
        username,
        state.options().email_usernames,
        notice,
        error,
    );
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    csrf.attach(pages::html(status, page))
}

/// `POST /login`: checks the password like `USER_PASSWORD_AUTH`.
pub(crate) async fn login(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    blocking_page(move || {
        let post = match FormPost::parse(&state, &body) {
            Ok(post) => post,
            Err(refusal) => return *refusal,
        };
        let authorization = &post.authorization;
        let text = authorization.lang.text();
        let username = post.field("username");
        let password = post.field("password");
        let form = |csrf: &Csrf, message: &str| {
            login_page(&state, authorization, csrf, username, None, Some(message))
        };
        let csrf = match post.check_csrf(&state, &headers, form) {
            Ok(csrf) => csrf,
            Err(refused) => return *refused,
        };
        let refuse = |message: &str| form(&csrf, message);
        if username.trim().is_empty() || password.is_empty() {
            return refuse(text.err_required);
        }
        let user = match user_with_password(&state, username, password) {
            Ok(Some(user)) => user,
            Ok(None) => {
                tracing::debug!(username, "managed login: incorrect username or password");
                return refuse(text.err_credentials);
            }
            Err(error) if error.code == ErrorCode::NotAuthorized => {
                return refuse(text.err_attempts);
            }
            Err(error) => return internal_error_page(authorization.lang, &error.message),
        };
        if !user.enabled {
            return refuse(text.err_disabled);
        }
        match user.status {
            UserStatus::Unconfirmed => refuse(text.err_unconfirmed),
            UserStatus::ExternalProvider => refuse(text.err_credentials),
            // A new password and the second factor come first, when needed.
            UserStatus::ForceChangePassword | UserStatus::Confirmed => {
                super::challenge_pages::after_password(&state, authorization, &csrf, &user)
            }
        }
    })
    .await
}
