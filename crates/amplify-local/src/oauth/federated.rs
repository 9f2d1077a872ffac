//! Simulated federated identity providers: a local consent page stands in
//! for Google, Facebook, Apple, Amazon or a configured OIDC provider, and
//! `POST /oauth2/idpresponse` creates or updates the federated user the way
//! Cognito names it (`<ProviderName>_<provider user id>`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::csrf::Csrf;
use super::form_post::FormPost;
use super::request::{Authorization, Provider, blocking_page, internal_error_page};
use super::session;
use crate::LocalError;
use crate::clients::SOCIAL_PROVIDERS;
use crate::db::{UserRecord, UserStatus};
use crate::ids;
use crate::pages::{self, ConsentPage};
use crate::state::AppState;
use crate::users::{new_user, plausible_email};

/// Renders the consent page with its anti-CSRF cookie (status 400 when it
/// shows an error).
pub(crate) fn consent_page(
    authorization: &Authorization,
    csrf: &Csrf,
    provider: &str,
    email: Option<&str>,
    name: Option<&str>,
    error: Option<&str>,
) -> Response {
    let default_email = if provider == "Google" {
        "jane.doe@gmail.com"
    } else {
        "jane.doe@example.com"
    };
    let query = authorization.request.query(false);
    let page = pages::consent(
        &authorization.page(&query, &[], csrf),
        ConsentPage {
            provider,
            email: email.unwrap_or(default_email),
            name: name.unwrap_or("Jane Doe"),
            error,
        },
    );
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    csrf.attach(pages::html(status, page))
}

/// A stable, numeric-looking provider user id derived from the provider and
/// email (21 digits, like a Google subject).
pub(crate) fn provider_user_id(provider: &str, email: &str) -> String {
    let digest = ids::sha256_hex(&format!("{provider}\n{}", email.to_lowercase()));
    let mut value: u128 = 0;
    for byte in digest.as_bytes().iter().take(30) {
        value = value
            .wrapping_mul(16)
            .wrapping_add(u128::from(char::from(*byte).to_digit(16).unwrap_or(0)));
    }
    format!("1{:020}", value % 100_000_000_000_000_000_000)
}

/// `POST /oauth2/idpresponse`: the simulated provider "returns" the email
/// and name from the consent form.
pub(crate) async fn consent(
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
        let Provider::Federated(provider) = &authorization.provider else {
            return super::request::error_page(
                authorization.lang,
                StatusCode::BAD_REQUEST,
                "identity_provider is required for /oauth2/idpresponse.",
            );
        };
        let text = authorization.lang.text();
        let email = post.field("email").trim();
        let name = post.field("name").trim();
        let form = |csrf: &Csrf, message: &str| {
            consent_page(
                authorization,
                csrf,
                provider,
                Some(email),
                Some(name),
                Some(message),
            )
        };
        let csrf = match post.check_csrf(&state, &headers, form) {
            Ok(csrf) => csrf,
            Err(refused) => return *refused,
        };
        let refuse = |message: &str| form(&csrf, message);
        if email.is_empty() || name.is_empty() {
            return refuse(text.err_required);
        }
        if !plausible_email(email) || name.chars().count() > 256 {
            return refuse(text.err_email);
        }
        match federated_user(&state, provider, email, name) {
            Ok(user) => session::complete(&state, authorization, &user.username, state.now(), true)
                .unwrap_or_else(|error| internal_error_page(authorization.lang, &error)),
            Err(error) => internal_error_page(authorization.lang, &error),
        }
    })
    .await
}

/// Creates the federated user, or refreshes its email and name (Cognito
/// updates mapped attributes on every federated sign-in).
fn federated_user(
    state: &AppState,
    provider: &str,
    email: &str,
    name: &str,
) -> Result<UserRecord, LocalError> {
    let user_id = provider_user_id(provider, email);
    let username = format!("{provider}_{user_id}");
    if let Some(mut user) = state.store.user(&username)? {
        user.set_attribute("email", email);
        user.set_attribute("name", name);
        user.updated_at = state.now();
        state.store.update_user(&user)?;
        tracing::info!(username = %user.username, provider, "federated sign-in (existing user)");
        return Ok(user);
    }
    let provider_type = if SOCIAL_PROVIDERS.contains(&provider) {
        provider
    } else {
        "OIDC"
    };
    let identities = json!([{
        "userId": user_id,
        "providerName": provider,
        "providerType": provider_type,
        "issuer": null,
        "primary": "true",
        "dateCreated": (state.now().saturating_mul(1000)).to_string(),
    }])
    .to_string();
    // Federated users have no usable password: derive the stored material
    // from a random secret nobody knows.
    let secret = ids::opaque_token(32).map_err(|e| LocalError::PasswordMaterial(e.to_string()))?;
    let attributes = vec![
        ("email".to_owned(), email.to_owned()),
        ("name".to_owned(), name.to_owned()),
        ("identities".to_owned(), identities),
    ];
    let user = new_user(
        state.pool_name(),
        &username,
        &secret,
        &attributes,
        UserStatus::ExternalProvider,
        state.now(),
    )?;
    if !state.store.insert_user(&user)? {
        // Created concurrently by another request: use that one.
        return state
            .store
            .user(&username)?
            .ok_or_else(|| LocalError::CorruptData("federated user vanished".to_owned()));
    }
    tracing::info!(username = %user.username, provider, "federated sign-in (new user)");
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::{plausible_email, provider_user_id};

    #[test]
    fn provider_ids_are_stable_and_numeric() {
        let one = provider_user_id("Google", "Jane.Doe@gmail.com");
        assert_eq!(one, provider_user_id("Google", "jane.doe@gmail.com"));
        assert_ne!(one, provider_user_id("Facebook", "jane.doe@gmail.com"));
        assert_eq!(one.len(), 21);
        assert!(one.bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn emails_are_checked() {
        assert!(plausible_email("a@b"));
        assert!(!plausible_email("a@"));
        assert!(!plausible_email("a b@c"));
        assert!(!plausible_email("abc"));
    }
}
