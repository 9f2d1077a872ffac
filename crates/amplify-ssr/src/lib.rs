#![doc = include_str!("../README.md")]
// The README links the items of every feature; with a feature off they point at the feature list instead (a
// reference definition must follow a blank line, and fragments are joined by one newline: hence two).
#![cfg_attr(
    not(feature = "axum"),
    doc = "\n\n[`axum`]: crate#features\n[`axum::AmplifyLayer`]: crate#features\n[`axum::RequireAuthLayer`]: crate#features"
)]
#![cfg_attr(not(feature = "storage"), doc = "\n\n[`storage`]: crate#features")]
#![cfg_attr(not(feature = "rest"), doc = "\n\n[`rest`]: crate#features")]
#![cfg_attr(
    not(feature = "data"),
    doc = "\n\n[`data`]: crate#features\n[`DataClient`]: crate#features"
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod auth;
pub mod cache;
pub mod cognito;
pub mod config;
pub mod context;
pub mod cookies;
#[cfg(feature = "data")]
#[cfg_attr(docsrs, doc(cfg(feature = "data")))]
pub mod data;
mod error;
pub mod guard;
pub mod jwt;
pub mod outbound;
pub mod redirect;
#[cfg(feature = "rest")]
#[cfg_attr(docsrs, doc(cfg(feature = "rest")))]
pub mod rest;
mod runner;
pub mod same_origin;
mod sealing;
pub mod secret;
#[cfg(feature = "storage")]
#[cfg_attr(docsrs, doc(cfg(feature = "storage")))]
pub mod storage;
pub mod store;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;

pub use auth::routes::{AuthRoutes, AuthRoutesError, AuthRoutesOptions};
pub use auth::{
    AuthFlow, AuthSession, AuthUser, ConfirmSignInInput, FetchAuthSessionOptions, SignInInput,
    SignInNextStep, SignInOutcome, SignOutOptions, confirm_sign_in, fetch_auth_session,
    fetch_auth_tokens, fetch_user_attributes, get_current_user, sign_in, sign_out,
};
pub use auth::{AwsCredentials, IdentityCredentials, fetch_identity_credentials};
pub use config::{AmplifyConfig, AppOrigin};
pub use context::{
    ContextKind, ServerContext, ServerRunner, ServerRunnerBuilder, SessionIndependent,
};
#[cfg(feature = "data")]
#[cfg_attr(docsrs, doc(cfg(feature = "data")))]
pub use data::{AuthMode, DataClient, DataError, GraphqlRequest, ModelClient};
pub use error::AuthError;
