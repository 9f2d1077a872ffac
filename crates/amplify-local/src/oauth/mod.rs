//! Cognito managed login and its OAuth 2.0 / OpenID Connect endpoints:
//! `/oauth2/authorize`, `/login`, `/login/challenge` (new password, MFA),
//! `/forgotPassword`, `/confirmForgotPassword`, `/signup`, `/confirm`,
//! `/oauth2/idpresponse` (simulated federated providers), `/oauth2/token`,
//! `/oauth2/revoke`, `/oauth2/userInfo` and `/logout`.

mod authorize;
mod challenge_pages;
mod client_auth;
mod cookies;
mod csrf;
mod error;
mod federated;
mod forgot_pages;
mod form_post;
mod logout;
mod params;
mod request;
mod revoke;
mod session;
mod signup;
mod store;
mod token;
mod userinfo;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// The scopes an app client may request (all are allowed by default).
pub(crate) const ALLOWED_SCOPES: [&str; 5] = [
    "openid",
    "email",
    "profile",
    "phone",
    "aws.cognito.signin.user.admin",
];

/// The managed-login and OAuth routes.
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/oauth2/authorize", get(authorize::authorize))
        .route("/login", get(authorize::authorize).post(authorize::login))
        .route("/login/challenge", post(challenge_pages::answer))
        .route(
            "/forgotPassword",
            get(forgot_pages::forgot_page).post(forgot_pages::forgot),
        )
        .route("/confirmForgotPassword", post(forgot_pages::confirm))
        .route("/signup", get(signup::signup_page).post(signup::signup))
        .route("/confirm", post(signup::confirm))
        .route("/oauth2/idpresponse", post(federated::consent))
        .route("/oauth2/token", post(token::token))
        .route("/oauth2/revoke", post(revoke::revoke))
        .route(
            "/oauth2/userInfo",
            get(userinfo::userinfo).post(userinfo::userinfo),
        )
        .route("/logout", get(logout::logout))
}
