//! Amplify Data (AppSync GraphQL) from the server: [`DataClient::graphql`] in every auth mode, and the model
//! client ([`ModelClient`]) built from `data.model_introspection` (reference §8).
//!
//! ```no_run
//! # async fn demo(runner: amplify_ssr::ServerRunner, ctx: amplify_ssr::ServerContext)
//! # -> Result<(), amplify_ssr::data::DataError> {
//! use amplify_ssr::data::{AuthMode, DataClient, GraphqlRequest, ListOptions};
//! use serde_json::json;
//!
//! let client = DataClient::new(&runner)?; // once; cheap to clone
//!
//! // As the signed-in user (the default mode comes from data.default_authorization_type):
//! let todos = client.model("Todo").expect("model").list(&ctx, ListOptions::new().limit(20)).await?;
//! for todo in &todos.data {
//!     println!("{}", todo["content"]);
//! }
//! // Raw GraphQL with the API key:
//! let response = client
//!     .graphql(&ctx, GraphqlRequest::new("query { listNotes { items { id } } }").auth_mode(AuthMode::ApiKey))
//!     .await?;
//! # let _ = (response, json!({})); Ok(()) }
//! ```
//!
//! # Auth modes (reference §8.2)
//!
//! The mode of a call is the call's option, else the client's ([`DataClient::with_auth_mode`]), else
//! `data.default_authorization_type`, else `iam`.
//!
//! | mode | request | failure (before any request) |
//! |---|---|---|
//! | [`AuthMode::UserPool`], [`AuthMode::Oidc`] | `Authorization: <access token>` (no `Bearer`), from the context's session (refreshed if needed); an explicit auth token replaces the value | [`DataError::NoValidAuthTokens`] signed out, [`DataError::NoSignedUser`] session unreadable |
//! | [`AuthMode::ApiKey`] | `x-api-key`: the call's key, else the client's, else `data.api_key` | [`DataError::NoApiKey`] |
//! | [`AuthMode::Iam`] | SigV4 (service `appsync`, region `data.aws_region`) with the context's identity-pool credentials, guest or signed in | [`DataError::NoCredentials`] |
//! | [`AuthMode::Lambda`] | `Authorization: <auth token>` | [`DataError::NoAuthorizationHeader`] |
//! | [`AuthMode::None`] | nothing | |
//!
//! Custom headers come from the client ([`DataClient::with_header`]) or the call; a call's headers **replace**
//! the client's (no merge), as upstream, and override the auth headers of the same name. A request that carries
//! `authorization` or `x-api-key` is not signed. Every request has `content-type: application/json;
//! charset=UTF-8` and `x-amz-user-agent`. 429, 5xx and network failures are retried (3 attempts, jittered
//! backoff, [`DataClient::with_retry_policy`]). A `tracing` span `amplify_ssr.data.graphql` covers each call;
//! tokens, keys and signatures are never logged.
//!
//! # Errors
//!
//! A raw [`DataClient::graphql`] call fails with [`DataError::Graphql`] when the response has a non-empty
//! `errors` array (keeping AppSync's `errorType`, `path`, ...). Model operations, as upstream, **return** those
//! errors next to the (partial) data in [`ModelResult::errors`] / [`ModelListResult::errors`]; only auth-mode,
//! transport and input errors are `Err`.
//!
//! # Custom queries and mutations
//!
//! The `queries` and `mutations` of `model_introspection` are called through [`DataClient::query`] /
//! [`DataClient::mutation`] ([`CustomOperationClient::call`]) with a JSON object of arguments (checked against
//! the declared ones before any request), [`ModelOptions`] for the auth mode, selection set and headers, and the
//! same error handling as model operations.
//!
//! # Relationships
//!
//! [`ModelClient::load_many`] (a page of a `hasMany`; [`ModelClient::load_many_pages`] for every page) and
//! [`ModelClient::load_one`] (`belongsTo`, `hasOne`) load a relationship of an item on demand, as the JS client's
//! lazy loaders do; each is a read of the related model under its own rules.

mod client;
mod custom;
mod document;
mod error;
pub mod introspection;
mod model;
mod related;
mod sign;
mod variables;

pub use client::{DataClient, GraphqlRequest, GraphqlResponse};
pub use custom::CustomOperationClient;
pub use document::ModelOperation;
pub use error::{DataError, GraphqlError};
pub use introspection::Introspection;
pub use model::{
    ListOptions, ModelClient, ModelListResult, ModelOptions, ModelResult, SortDirection,
};

use crate::config::AuthorizationType;

/// How a GraphQL request is authorized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthMode {
    /// `userPool`: the signed-in user's Cognito access token.
    UserPool,
    /// `oidc`: the session's access token, as for `userPool`.
    Oidc,
    /// `apiKey`: the AppSync API key.
    ApiKey,
    /// `iam` (alias `identityPool`): SigV4 with identity-pool credentials.
    Iam,
    /// `lambda`: a custom auth token.
    Lambda,
    /// `none`: unsigned.
    None,
}

#[allow(non_upper_case_globals)]
impl AuthMode {
    /// `identityPool`, aws-amplify's alias for [`AuthMode::Iam`].
    pub const IdentityPool: Self = Self::Iam;

    /// aws-amplify's name: `userPool`, `oidc`, `apiKey`, `iam`, `lambda`, `none`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UserPool => "userPool",
            Self::Oidc => "oidc",
            Self::ApiKey => "apiKey",
            Self::Iam => "iam",
            Self::Lambda => "lambda",
            Self::None => "none",
        }
    }

    /// Parses aws-amplify's names (`identityPool` is `iam`).
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "userPool" => Self::UserPool,
            "oidc" => Self::Oidc,
            "apiKey" => Self::ApiKey,
            "iam" | "identityPool" => Self::Iam,
            "lambda" => Self::Lambda,
            "none" => Self::None,
            _ => return None,
        })
    }

    /// The mode of an outputs-file authorization type (`AMAZON_COGNITO_USER_POOLS` → `userPool`, ...); `None` for
    /// an unknown one.
    #[must_use]
    pub fn from_authorization_type(authorization_type: &AuthorizationType) -> Option<Self> {
        Some(match authorization_type {
            AuthorizationType::AmazonCognitoUserPools => Self::UserPool,
            AuthorizationType::ApiKey => Self::ApiKey,
            AuthorizationType::AwsIam => Self::Iam,
            AuthorizationType::AwsLambda => Self::Lambda,
            AuthorizationType::OpenidConnect => Self::Oidc,
            AuthorizationType::Other(_) => return None,
        })
    }
}

impl std::fmt::Display for AuthMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
