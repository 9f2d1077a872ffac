#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod auth;
pub mod cognito;
pub mod config;
pub mod context;
pub mod cookies;
pub mod data;
mod error;
pub mod jwt;
pub mod outbound;
pub mod redirect;
mod runner;
pub mod same_origin;
pub mod secret;
pub mod storage;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;

pub use auth::routes::{AuthRoutes, AuthRoutesError, AuthRoutesOptions};
pub use auth::{
    AuthFlow, AuthSession, AuthUser, FetchAuthSessionOptions, SignInInput, SignInOutcome,
    SignOutOptions, fetch_auth_session, fetch_user_attributes, get_current_user, sign_in, sign_out,
};
pub use auth::{AwsCredentials, IdentityCredentials, fetch_identity_credentials};
pub use config::{AmplifyConfig, AppOrigin};
pub use context::{
    ContextKind, ServerContext, ServerRunner, ServerRunnerBuilder, SessionIndependent,
};
pub use data::{AuthMode, DataClient, DataError, GraphqlRequest, ModelClient};
pub use error::AuthError;
