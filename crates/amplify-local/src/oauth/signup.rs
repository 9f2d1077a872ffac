//! `GET|POST /signup` and `POST /confirm`: managed sign-up. amplify-local
//! shows the confirmation code on the page instead of emailing it (and logs
//! it, as `SignUp` does).
//!
//! The code is shown, and a correct code signs the user in, only in the
//! browser that signed up: `POST /signup` binds that browser to the new user
//! with an HttpOnly cookie (stored by hash, with the code's expiry). Anyone
//! else who types a correct code confirms the account and is sent to the
//! login form.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::authorize::login_page;
use super::cookies;
use super::csrf::Csrf;
use super::form_post::FormPost;
use super::params::Params;
use super::request::{AuthRequest, Authorization, blocking_page, internal_error_page, validate};
use super::session;
use crate::LocalError;
use crate::api_error::{ApiError, ErrorCode};
use crate::ids;
use crate::pages::{self, Text};
use crate::state::AppState;
use crate::user_pool::{AttributeRefusal, SignUpError, confirm_with_code, register};
use crate::users::{UsernameRefusal, plausible_email};

/// The sign-up binding cookie's name before its `_<port>` suffix.
const BINDING_PREFIX: &str = "amplify_local_signup";
/// Only `/confirm` needs the binding cookie.
const BINDING_PATH: &str = "/confirm";
/// The binding's lifetime when the user has no code expiry (never expected).
const BINDING_TTL_SECS: i64 = 24 * 3600;

fn status_for(error: Option<&str>) -> StatusCode {
    if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    }
}

fn signup_form(
    state: &AppState,
    authorization: &Authorization,
    csrf: &Csrf,
    username: &str,
    email: &str,
    error: Option<&str>,
) -> Response {
    let query = authorization.request.query(false);
    let form = pages::SignupForm {
        username,
        email,
        email_usernames: state.options().email_usernames,
        error,
    };
    csrf.attach(pages::html(
        status_for(error),
        pages::signup(&authorization.page(&query, &[], csrf), form),
    ))
}

fn confirm_form(
    authorization: &Authorization,
    csrf: &Csrf,
    username: &str,
    shown_code: Option<&str>,
    error: Option<&str>,
) -> Response {
    let query = authorization.request.query(false);
    csrf.attach(pages::html(
        status_for(error),
        pages::confirm(
            &authorization.page(&query, &[], csrf),
            username,
            shown_code,
            error,
        ),
    ))
}

/// Binds this browser to a new user; returns the binding cookie.
fn bind_browser(
    state: &AppState,
    username: &str,
    expires_at: Option<i64>,
) -> Result<HeaderValue, LocalError> {
    let token = ids::opaque_token(32).map_err(|e| LocalError::PasswordMaterial(e.to_string()))?;
    let now = state.now();
    let expires_at = expires_at
        .filter(|at| *at > now)
        .unwrap_or(now + BINDING_TTL_SECS);
    state
        .store
        .insert_signup_binding(&ids::sha256_hex(&token), username, expires_at, now)?;
    cookies::set(
        &cookies::name(state, BINDING_PREFIX),
        &token,
        BINDING_PATH,
        expires_at - now,
    )
}

/// The hash of this browser's binding, if it is bound to `username`.
fn binding_for(
    state: &AppState,
    headers: &HeaderMap,
    username: &str,
) -> Result<Option<String>, LocalError> {
    let Some(token) = cookies::value(headers, &cookies::name(state, BINDING_PREFIX)) else {
        return Ok(None);
    };
    let hash = ids::sha256_hex(token);
    Ok(state
        .store
        .signup_binding(&hash, state.now())?
        .filter(|bound| bound == username)
        .map(|_| hash))
}

/// The pending confirmation code of a user.
fn pending_code(state: &AppState, username: &str) -> Option<String> {
    state
        .store
        .user(username)
        .ok()
        .flatten()
        .and_then(|user| user.confirmation_code)
}

/// What the page says about a refused sign-up, in the page's language;
/// `None` for a failure that is not the user's (the error page says so).
fn explain(text: &Text, error: &SignUpError) -> Option<String> {
    let message = match error {
        SignUpError::Username(UsernameRefusal::TooLong) => text.err_username_length.to_owned(),
        SignUpError::Username(UsernameRefusal::Empty) | SignUpError::MissingEmail => {
            text.err_required.to_owned()
        }
        SignUpError::Username(UsernameRefusal::Character(_)) => text.err_username.to_owned(),
        SignUpError::UsernameNotEmail | SignUpError::EmailMismatch => text.err_email.to_owned(),
        SignUpError::Attribute(AttributeRefusal::TooLong(name)) => {
            text.err_attribute_length.replace("{}", name)
        }
        SignUpError::Attribute(refusal) => text.err_attribute.replace("{}", refusal.name()),
        SignUpError::Api(error) => match error.code {
            ErrorCode::UsernameExists => text.err_user_exists.to_owned(),
            ErrorCode::InvalidPassword => text.err_password_policy.to_owned(),
            _ => return None,
        },
    };
    Some(message)
}

/// `GET /signup`.
pub(crate) async fn signup_page(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    blocking_page(move || {
        let request = AuthRequest::from_params(&Params::query(query.as_deref()));
        match validate(&state, request) {
            Ok(authorization) => match Csrf::for_page(&state, &headers) {
                Ok(csrf) => signup_form(&state, &authorization, &csrf, "", "", None),
                Err(error) => internal_error_page(authorization.lang, &error),
            },
            Err(refusal) => refusal.into_response(),
        }
    })
    .await
}

/// `POST /signup`: `SignUp`'s logic, then the confirm page with the code
/// (and this browser bound to the new user).
pub(crate) async fn signup(
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
        let email = post.field("email").trim();
        // When usernames are emails the form has no username field.
        let username = if state.options().email_usernames {
            email
        } else {
            post.field("username").trim()
        };
        let password = post.field("password");
        let form = |csrf: &Csrf, message: &str| {
            signup_form(&state, authorization, csrf, username, email, Some(message))
        };
        let csrf = match post.check_csrf(&state, &headers, form) {
            Ok(csrf) => csrf,
            Err(refused) => return *refused,
        };
        let refuse = |message: &str| form(&csrf, message);
        if username.is_empty() || email.is_empty() || password.is_empty() {
            return refuse(text.err_required);
        }
        if !plausible_email(email) {
            return refuse(text.err_email);
        }
        let attributes = [("email".to_owned(), email.to_owned())];
        match register(&state, username, password, &attributes) {
            Ok(user) => match bind_browser(&state, &user.username, user.code_expires_at) {
                Ok(binding) => {
                    let mut response = confirm_form(
                        authorization,
                        &csrf,
                        &user.username,
                        user.confirmation_code.as_deref(),
                        None,
                    );
                    response.headers_mut().append(header::SET_COOKIE, binding);
                    response
                }
                Err(error) => internal_error_page(authorization.lang, &error),
            },
            Err(error) => match explain(text, &error) {
                Some(message) => refuse(&message),
                None => internal_error_page(authorization.lang, &ApiError::from(error).message),
            },
        }
    })
    .await
}

/// `POST /confirm`: `ConfirmSignUp`'s logic; then, in the browser that
/// signed up, sign-in and redirect; elsewhere, the login form.
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
        let text = authorization.lang.text();
        let username = post.field("username");
        let code = post.field("code").trim();
        let binding = match binding_for(&state, &headers, username) {
            Ok(binding) => binding,
            Err(error) => return internal_error_page(authorization.lang, &error),
        };
        // The pending code stays visible while its own browser retries.
        let pending = binding
            .as_ref()
            .and_then(|_| pending_code(&state, username));
        let form = |csrf: &Csrf, message: &str| {
            confirm_form(
                authorization,
                csrf,
                username,
                pending.as_deref(),
                Some(message),
            )
        };
        let csrf = match post.check_csrf(&state, &headers, form) {
            Ok(csrf) => csrf,
            Err(refused) => return *refused,
        };
        if username.is_empty() {
            return signup_form(
                &state,
                authorization,
                &csrf,
                "",
                "",
                Some(text.err_required),
            );
        }
        let refuse = |message: &str| form(&csrf, message);
        if code.is_empty() {
            return refuse(text.err_required);
        }
        let user = match confirm_with_code(&state, username, code) {
            Ok(user) => user,
            Err(error) => {
                return match error.code {
                    ErrorCode::ExpiredCode => refuse(text.err_code_expired),
                    ErrorCode::LimitExceeded => refuse(text.err_attempts),
                    ErrorCode::InternalError => {
                        internal_error_page(authorization.lang, &error.message)
                    }
                    _ => refuse(text.err_code_mismatch),
                };
            }
        };
        let Some(binding) = binding else {
            tracing::info!(username = %user.username, "managed login: confirmed from another browser; asking for the password");
            return login_page(
                &state,
                authorization,
                &csrf,
                &user.username,
                Some(text.confirmed_sign_in),
                None,
            );
        };
        let signed_in = state
            .store
            .delete_signup_binding(&binding)
            .and_then(|()| {
                let mut response =
                    session::complete(&state, authorization, &user.username, state.now(), true)?;
                response.headers_mut().append(
                    header::SET_COOKIE,
                    cookies::clear(&cookies::name(&state, BINDING_PREFIX), BINDING_PATH)?,
                );
                Ok(response)
            });
        signed_in.unwrap_or_else(|error| internal_error_page(authorization.lang, &error))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::Lang;

    #[test]
    fn each_refusal_gets_its_own_message_in_every_language() {
        let refusals = [
            SignUpError::Username(UsernameRefusal::Character(0x200B)),
            SignUpError::Username(UsernameRefusal::TooLong),
            SignUpError::Attribute(AttributeRefusal::Reserved("cognito:groups".to_owned())),
            SignUpError::Attribute(AttributeRefusal::Undeclared("custom:team".to_owned())),
            SignUpError::Attribute(AttributeRefusal::TooLong("email".to_owned())),
        ];
        for lang in [Lang::En, Lang::Fr, Lang::De, Lang::Es, Lang::Ja] {
            let text = lang.text();
            let messages: Vec<String> = refusals
                .iter()
                .map(|refusal| explain(text, refusal).expect("the user's mistake"))
                .collect();
            assert_eq!(messages[0], text.err_username, "{lang:?}");
            assert_eq!(messages[1], text.err_username_length, "{lang:?}");
            for (message, name) in
                messages[2..]
                    .iter()
                    .zip(["cognito:groups", "custom:team", "email"])
            {
                assert!(message.contains(name), "{lang:?}: {message}");
                assert!(!message.contains("{}"), "{lang:?}: {message}");
            }
            for (n, message) in messages.iter().enumerate() {
                // Only the username refusals speak of the username.
                let about_username = messages[..2].contains(message);
                assert_eq!(about_username, n < 2, "{lang:?}: {message}");
            }
            assert_ne!(messages[3], messages[4], "{lang:?}");
            if lang != Lang::En {
                assert_ne!(
                    text.err_attribute_length,
                    Lang::En.text().err_attribute_length
                );
            }
        }
        let other = SignUpError::Api(ApiError::internal(&"disk full"));
        assert_eq!(explain(Lang::En.text(), &other), None);
    }
}
