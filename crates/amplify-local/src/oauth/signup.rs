//! `GET|POST /signup` and `POST /confirm`: managed sign-up. amplify-local
//! shows the confirmation code on the page instead of emailing it (and logs
//! it, as `SignUp` does).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::federated::plausible_email;
use super::params::Params;
use super::request::{AuthRequest, Authorization, blocking_page, internal_error_page, validate};
use super::session;
use crate::api_error::ErrorCode;
use crate::pages;
use crate::state::{AppState, now_secs};
use crate::user_pool::{confirm_with_code, register};

fn status_for(error: Option<&str>) -> StatusCode {
    if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    }
}

fn signup_form(
    authorization: &Authorization,
    username: &str,
    email: &str,
    error: Option<&str>,
) -> Response {
    let query = authorization.request.query(false);
    pages::html(
        status_for(error),
        pages::signup(&authorization.page(&query, &[]), username, email, error),
    )
}

fn confirm_form(
    authorization: &Authorization,
    username: &str,
    shown_code: Option<&str>,
    error: Option<&str>,
) -> Response {
    let query = authorization.request.query(false);
    pages::html(
        status_for(error),
        pages::confirm(
            &authorization.page(&query, &[]),
            username,
            shown_code,
            error,
        ),
    )
}

/// `GET /signup`.
pub(crate) async fn signup_page(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Response {
    blocking_page(move || {
        let request = AuthRequest::from_params(&Params::query(query.as_deref()));
        match validate(&state, request) {
            Ok(authorization) => signup_form(&authorization, "", "", None),
            Err(refusal) => refusal.into_response(),
        }
    })
    .await
}

/// `POST /signup`: `SignUp`'s logic, then the confirm page with the code.
pub(crate) async fn signup(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    blocking_page(move || {
        let params = Params::parse(&body);
        let authorization = match validate(&state, AuthRequest::from_params(&params)) {
            Ok(authorization) => authorization,
            Err(refusal) => return refusal.into_response(),
        };
        let text = authorization.lang.text();
        let username = params.get("username").unwrap_or_default().trim();
        let email = params.get("email").unwrap_or_default().trim();
        let password = params.get("password").unwrap_or_default();
        let refuse = |message: &str| signup_form(&authorization, username, email, Some(message));
        if username.is_empty() || email.is_empty() || password.is_empty() {
            return refuse(text.err_required);
        }
        if !plausible_email(email) {
            return refuse(text.err_email);
        }
        let attributes = [("email".to_owned(), email.to_owned())];
        match register(&state, username, password, &attributes) {
            Ok(user) => confirm_form(
                &authorization,
                &user.username,
                user.confirmation_code.as_deref(),
                None,
            ),
            Err(error) => match error.code {
                ErrorCode::UsernameExists => refuse(text.err_user_exists),
                ErrorCode::InvalidPassword => refuse(text.err_password_policy),
                ErrorCode::InvalidParameter => refuse(text.err_username),
                _ => internal_error_page(authorization.lang, &error.message),
            },
        }
    })
    .await
}

/// `POST /confirm`: `ConfirmSignUp`'s logic, then sign-in and redirect.
pub(crate) async fn confirm(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    blocking_page(move || {
        let params = Params::parse(&body);
        let authorization = match validate(&state, AuthRequest::from_params(&params)) {
            Ok(authorization) => authorization,
            Err(refusal) => return refusal.into_response(),
        };
        let text = authorization.lang.text();
        let username = params.get("username").unwrap_or_default();
        let code = params.get("code").unwrap_or_default().trim();
        if username.is_empty() {
            return signup_form(&authorization, "", "", Some(text.err_required));
        }
        // The pending code stays visible while the user retries.
        let pending = state
            .store
            .user(username)
            .ok()
            .flatten()
            .and_then(|user| user.confirmation_code);
        let refuse = |message: &str| {
            confirm_form(&authorization, username, pending.as_deref(), Some(message))
        };
        if code.is_empty() {
            return refuse(text.err_required);
        }
        match confirm_with_code(&state, username, code) {
            Ok(user) => session::complete(&state, &authorization, &user.username, now_secs(), true)
                .unwrap_or_else(|error| internal_error_page(authorization.lang, &error)),
            Err(error) => match error.code {
                ErrorCode::ExpiredCode => refuse(text.err_code_expired),
                ErrorCode::InternalError => internal_error_page(authorization.lang, &error.message),
                _ => refuse(text.err_code_mismatch),
            },
        }
    })
    .await
}
