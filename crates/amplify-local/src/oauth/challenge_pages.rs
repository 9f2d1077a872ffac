//! Managed login's sign-in challenges after the password (`POST
//! /login/challenge`): a new password for admin-created users, SMS / email /
//! TOTP codes, the choice of a factor, and MFA set-up. They answer the same
//! challenges as the JSON API's RespondToAuthChallenge
//! ([`crate::user_pool::answer_challenge`]), with the same sessions, limits
//! and errors; SMS and email codes are shown on the page (nothing is sent).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;

use super::authorize::login_page;
use super::csrf::Csrf;
use super::form_post::FormPost;
use super::request::{Authorization, blocking_page, internal_error_page, offered_providers};
use super::session;
use crate::api_error::{ApiError, ErrorCode};
use crate::db::UserRecord;
use crate::pages::{self, ChallengeForm};
use crate::state::AppState;
use crate::user_pool::{self, Next};

/// What a challenge page shows.
struct Shown<'a> {
    name: &'a str,
    session: &'a str,
    username: &'a str,
    parameters: &'a Value,
}

fn list(parameters: &Value, name: &str) -> Vec<String> {
    parameters[name]
        .as_str()
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default()
}

fn respond(csrf: &Csrf, error: Option<&str>, page: String) -> Response {
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    csrf.attach(pages::html(status, page))
}

/// Renders a challenge page. `fresh` is false when the same step is shown
/// again after a wrong answer (the TOTP set-up keeps its secret then).
fn render(
    state: &AppState,
    authorization: &Authorization,
    csrf: &Csrf,
    shown: &Shown<'_>,
    fresh: bool,
    error: Option<&str>,
) -> Response {
    let query = authorization.request.query(false);
    let providers = offered_providers(state);
    let ctx = authorization.page(&query, &providers, csrf);
    // The TOTP set-up shows a secret: a new one (with the session that
    // replaces this one), or, after a wrong code, the pending one.
    let mut session = shown.session.to_owned();
    let mut totp_secret = None;
    if shown.name == "MFA_SETUP" {
        if !fresh {
            totp_secret = state
                .store
                .mfa(shown.username)
                .ok()
                .and_then(|mfa| mfa.totp_pending);
        } else if list(shown.parameters, "MFAS_CAN_SETUP")
            .iter()
            .any(|f| f == "SOFTWARE_TOKEN_MFA")
        {
            match user_pool::associate_in_sign_in(state, shown.session) {
                Ok((secret, next_session)) => {
                    session = next_session;
                    totp_secret = Some(secret);
                }
                Err(error) => return api_failure(state, authorization, csrf, &error),
            }
        }
    }
    let form = ChallengeForm {
        session: &session,
        challenge: shown.name,
        username: shown.username,
    };
    let page = match shown.name {
        "NEW_PASSWORD_REQUIRED" => {
            let needs_email = list(shown.parameters, "requiredAttributes")
                .iter()
                .any(|name| name == "userAttributes.email");
            pages::new_password(&ctx, &form, needs_email, error)
        }
        "SMS_MFA" | "EMAIL_OTP" => {
            let code = user_pool::session_code(state, shown.session).ok().flatten();
            pages::mfa_code(&ctx, &form, code.as_deref(), error)
        }
        "SOFTWARE_TOKEN_MFA" => pages::mfa_code(&ctx, &form, None, error),
        "SELECT_MFA_TYPE" => {
            let choices = list(shown.parameters, "MFAS_CAN_CHOOSE");
            pages::select_mfa(&ctx, &form, &choices, error)
        }
        "MFA_SETUP" => match &totp_secret {
            Some(secret) => {
                let uri = crate::totp::otpauth_uri("amplify-local", shown.username, secret);
                pages::totp_setup(&ctx, &form, secret, &uri, error)
            }
            None => pages::email_setup(&ctx, &form, error),
        },
        other => {
            return internal_error_page(
                authorization.lang,
                &format!("unexpected challenge {other}"),
            );
        }
    };
    respond(csrf, error, page)
}

/// Shows the next step of a sign-in: the app, with a code, or a challenge.
pub(crate) fn next_step(
    state: &AppState,
    authorization: &Authorization,
    csrf: &Csrf,
    next: Next,
) -> Response {
    match next {
        Next::SignedIn(user) => {
            session::complete(state, authorization, &user.username, state.now(), true)
                .unwrap_or_else(|error| internal_error_page(authorization.lang, &error))
        }
        Next::Challenge(challenge) => {
            let shown = Shown {
                name: challenge["ChallengeName"].as_str().unwrap_or_default(),
                session: challenge["Session"].as_str().unwrap_or_default(),
                username: challenge["ChallengeParameters"]["USER_ID_FOR_SRP"]
                    .as_str()
                    .unwrap_or_default(),
                parameters: &challenge["ChallengeParameters"],
            };
            render(state, authorization, csrf, &shown, true, None)
        }
    }
}

/// The step after a proven password on the login form.
pub(crate) fn after_password(
    state: &AppState,
    authorization: &Authorization,
    csrf: &Csrf,
    user: &UserRecord,
) -> Response {
    let next = if user.status == crate::db::UserStatus::ForceChangePassword {
        user_pool::new_password_challenge(state, &authorization.client_id, user)
            .map(Next::Challenge)
    } else {
        user_pool::next_after_first_factor(state, &authorization.client_id, user)
    };
    match next {
        Ok(next) => next_step(state, authorization, csrf, next),
        Err(error) => api_failure(state, authorization, csrf, &error),
    }
}

/// An error that ends the challenge: back to the login form with a message.
fn api_failure(
    state: &AppState,
    authorization: &Authorization,
    csrf: &Csrf,
    error: &ApiError,
) -> Response {
    let text = authorization.lang.text();
    let message = match error.code {
        ErrorCode::NotAuthorized => authorization.lang.account().err_session,
        ErrorCode::LimitExceeded => text.err_attempts,
        ErrorCode::InternalError => text.err_internal,
        _ => return login_page(state, authorization, csrf, "", None, Some(&error.message)),
    };
    login_page(state, authorization, csrf, "", None, Some(message))
}

/// `POST /login/challenge`.
pub(crate) async fn answer(
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
        let csrf = match post.check_csrf(&state, &headers, |csrf, message| {
            login_page(&state, authorization, csrf, "", None, Some(message))
        }) {
            Ok(csrf) => csrf,
            Err(refused) => return *refused,
        };
        answer_post(&state, &post, &csrf)
    })
    .await
}

fn answer_post(state: &AppState, post: &FormPost, csrf: &Csrf) -> Response {
    let authorization = &post.authorization;
    let text = authorization.lang.text();
    let account = authorization.lang.account();
    let name = post.field("challenge");
    let session = post.field("session");
    // The user is the session's: a form naming anyone else is refused, so
    // that no page shows another user's pending secret or attributes.
    let username = match user_pool::session_username(state, session) {
        Ok(owner) if owner == post.field("username") => owner,
        Ok(_) => {
            let refusal = ApiError::new(
                ErrorCode::NotAuthorized,
                "Invalid session for the user, session is expired.",
            );
            return api_failure(state, authorization, csrf, &refusal);
        }
        Err(error) => return api_failure(state, authorization, csrf, &error),
    };
    let username = username.as_str();
    let code = post.field("code").trim();
    // Shown again on a wrong answer, with the same session.
    let parameters = match (name, state.store.user(username)) {
        ("NEW_PASSWORD_REQUIRED", Ok(Some(user))) => serde_json::json!({
            "requiredAttributes": serde_json::json!(user_pool::missing_required(&user)).to_string(),
        }),
        _ => Value::Null,
    };
    let again = |error: &str| {
        let shown = Shown {
            name,
            session,
            username,
            parameters: &parameters,
        };
        render(state, authorization, csrf, &shown, false, Some(error))
    };
    let mut responses = HashMap::from([("USERNAME".to_owned(), username.to_owned())]);
    let mut session = session.to_owned();
    match name {
        "NEW_PASSWORD_REQUIRED" => {
            let password = post.field("new-password");
            if password.is_empty() {
                return again(text.err_required);
            }
            // Checked here, so that a weak password does not use the session up.
            if crate::password::check_policy(password).is_err() {
                return again(text.err_password_policy);
            }
            responses.insert("NEW_PASSWORD".to_owned(), password.to_owned());
            let email = post.field("email").trim();
            if !email.is_empty() {
                responses.insert("userAttributes.email".to_owned(), email.to_owned());
            }
        }
        "SMS_MFA" | "EMAIL_OTP" | "SOFTWARE_TOKEN_MFA" => {
            if code.is_empty() {
                return again(text.err_required);
            }
            let field = match name {
                "SMS_MFA" => "SMS_MFA_CODE",
                "EMAIL_OTP" => "EMAIL_OTP_CODE",
                _ => "SOFTWARE_TOKEN_MFA_CODE",
            };
            responses.insert(field.to_owned(), code.to_owned());
        }
        "SELECT_MFA_TYPE" => {
            responses.insert("ANSWER".to_owned(), post.field("answer").to_owned());
        }
        "MFA_SETUP" => {
            let email = post.field("email").trim();
            if !code.is_empty() {
                match user_pool::verify_in_sign_in(state, &session, code) {
                    Ok(next_session) => session = next_session,
                    Err(error) if error.code == ErrorCode::EnableSoftwareTokenMfa => {
                        return again(account.err_code);
                    }
                    Err(error) => return api_failure(state, authorization, csrf, &error),
                }
            } else if !email.is_empty() {
                responses.insert("EMAIL".to_owned(), email.to_owned());
            } else {
                return again(text.err_required);
            }
        }
        _ => {
            return api_failure(
                state,
                authorization,
                csrf,
                &ApiError::new(ErrorCode::NotAuthorized, "unknown challenge"),
            );
        }
    }
    match user_pool::answer_challenge(
        state,
        &authorization.client_id,
        name,
        Some(&session),
        &responses,
    ) {
        Ok(next) => next_step(state, authorization, csrf, next),
        Err(error) if error.code == ErrorCode::CodeMismatch => again(account.err_code),
        Err(error) if error.code == ErrorCode::InvalidParameter => again(&error.message),
        Err(error) if error.code == ErrorCode::InvalidPassword => again(text.err_password_policy),
        Err(error) => api_failure(state, authorization, csrf, &error),
    }
}
