//! Managed login's "Forgot your password?" pages: `GET|POST /forgotPassword`
//! (the username) and `POST /confirmForgotPassword` (the code and the new
//! password). They run ForgotPassword's and ConfirmForgotPassword's logic
//! ([`crate::user_pool::start_reset`], [`crate::user_pool::finish_reset`]),
//! with the same codes and attempt limits; the code is shown on the page
//! (nothing is sent), as sign-up codes are, but only on the answer to the
//! `POST /forgotPassword` that made it: never on a refused or wrong answer,
//! whatever username the form names. An unknown username, or a user who
//! cannot reset (disabled, no verified address, temporary password), gets the
//! same page with a decoy code that no answer matches (the reason is only
//! logged), so the pages tell nothing about who exists.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::authorize::login_page;
use super::csrf::Csrf;
use super::form_post::FormPost;
use super::params::Params;
use super::request::{
    AuthRequest, Authorization, blocking_page, internal_error_page, offered_providers, validate,
};
use crate::api_error::ErrorCode;
use crate::pages;
use crate::state::AppState;
use crate::user_pool;

fn page(
    state: &AppState,
    authorization: &Authorization,
    csrf: &Csrf,
    error: Option<&str>,
    render: impl FnOnce(&pages::PageContext<'_>) -> String,
) -> Response {
    let query = authorization.request.query(false);
    let providers = offered_providers(state);
    let body = render(&authorization.page(&query, &providers, csrf));
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    csrf.attach(pages::html(status, body))
}

fn forgot_form(
    state: &AppState,
    authorization: &Authorization,
    csrf: &Csrf,
    username: &str,
    error: Option<&str>,
) -> Response {
    page(state, authorization, csrf, error, |ctx| {
        pages::forgot(ctx, username, state.options().email_usernames, error)
    })
}

/// The reset page; `shown_code` only right after the code was made.
fn reset_form(
    state: &AppState,
    authorization: &Authorization,
    csrf: &Csrf,
    username: &str,
    shown_code: Option<&str>,
    error: Option<&str>,
) -> Response {
    page(state, authorization, csrf, error, |ctx| {
        pages::reset(ctx, username, shown_code, error)
    })
}

/// `GET /forgotPassword`.
pub(crate) async fn forgot_page(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    blocking_page(move || {
        let request = AuthRequest::from_params(&Params::query(query.as_deref()));
        match validate(&state, request) {
            Ok(authorization) => match Csrf::for_page(&state, &headers) {
                Ok(csrf) => forgot_form(&state, &authorization, &csrf, "", None),
                Err(error) => internal_error_page(authorization.lang, &error),
            },
            Err(refusal) => refusal.into_response(),
        }
    })
    .await
}

/// `POST /forgotPassword`: a reset code, then the reset page.
pub(crate) async fn forgot(
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
        let username = post.field("username").trim();
        let csrf = match post.check_csrf(&state, &headers, |csrf, message| {
            forgot_form(&state, authorization, csrf, username, Some(message))
        }) {
            Ok(csrf) => csrf,
            Err(refused) => return *refused,
        };
        let text = authorization.lang.text();
        if username.is_empty() {
            return forgot_form(
                &state,
                authorization,
                &csrf,
                username,
                Some(text.err_required),
            );
        }
        let shown = match user_pool::start_reset(&state, username) {
            Ok(started) => Ok(started.code),
            Err(error)
                if matches!(
                    error.code,
                    ErrorCode::NotAuthorized | ErrorCode::InvalidParameter
                ) =>
            {
                tracing::info!(username, reason = %error.message, "managed login: password reset refused");
                user_pool::decoy_reset_code()
            }
            Err(error) => Err(error),
        };
        match shown {
            Ok(code) => reset_form(&state, authorization, &csrf, username, Some(&code), None),
            Err(error) => internal_error_page(authorization.lang, &error.message),
        }
    })
    .await
}

/// `POST /confirmForgotPassword`: the new password, then the login form.
pub(crate) async fn confirm(
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
        let username = post.field("username");
        let csrf = match post.check_csrf(&state, &headers, |csrf, message| {
            reset_form(&state, authorization, csrf, username, None, Some(message))
        }) {
            Ok(csrf) => csrf,
            Err(refused) => return *refused,
        };
        let text = authorization.lang.text();
        let code = post.field("code").trim();
        let password = post.field("new-password");
        let again =
            |message: &str| reset_form(&state, authorization, &csrf, username, None, Some(message));
        if username.is_empty() || code.is_empty() || password.is_empty() {
            return again(text.err_required);
        }
        if crate::password::check_policy(password).is_err() {
            return again(text.err_password_policy);
        }
        match user_pool::finish_reset(&state, username, code, password) {
            Ok(()) => login_page(
                &state,
                authorization,
                &csrf,
                username,
                Some(authorization.lang.account().reset_done),
                None,
            ),
            Err(error) => match error.code {
                // A disabled user's answer looks like a wrong code: the pages tell nothing about accounts.
                ErrorCode::CodeMismatch | ErrorCode::NotAuthorized => {
                    again(authorization.lang.account().err_code)
                }
                ErrorCode::ExpiredCode => again(text.err_code_expired),
                ErrorCode::LimitExceeded => again(text.err_attempts),
                ErrorCode::InvalidPassword => again(text.err_password_policy),
                _ => internal_error_page(authorization.lang, &error.message),
            },
        }
    })
    .await
}
