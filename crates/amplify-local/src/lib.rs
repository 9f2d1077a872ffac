//! `amplify-local`: an offline backend that speaks Cognito's user-pool
//! protocol (JSON 1.1 on `POST /`), serves a JWKS and an OpenID
//! configuration, and writes a Gen 2 `amplify_outputs.json` pointing at
//! itself. State lives in SQLite inside a data directory, so users, keys and
//! refresh tokens survive restarts.
//!
//! Sign-in can ask for more than a password, as Cognito's does: MFA
//! ([`LocalOptions::with_mfa`]: TOTP per RFC 6238, SMS and email codes that
//! are logged and shown instead of sent), a new password for admin-created
//! users, password reset, and groups in the tokens (`cognito:groups`).
//!
//! It also serves Cognito's managed login and its OAuth 2.0 / OpenID Connect
//! endpoints (`/oauth2/authorize`, `/login`, `/signup`, `/oauth2/token`,
//! `/oauth2/revoke`, `/oauth2/userInfo`, `/logout`), with simulated social
//! and OIDC identity providers.
//!
//! The same port serves Cognito Identity's `GetId` and
//! `GetCredentialsForIdentity` (an identity pool whose logins are the user
//! pool's id tokens, with guest identities unless disabled), issuing
//! temporary AWS credentials. A second port serves an S3-compatible store
//! ([`LocalBackend::s3_url`], path-style) that verifies SigV4 (header-signed
//! and presigned), accepts only the credentials the identity pool issued, and
//! enforces the storage access rules ([`StorageRules`]) as Amplify's IAM
//! policies would.
//!
//! The main port also serves an AppSync-compatible GraphQL API on
//! `POST /graphql` ([`LocalBackend::graphql_url`]), generated from a Gen 2
//! `model_introspection` (a default `Todo`/`Announcement` schema, or
//! [`LocalOptions::schema_file`]), that verifies API keys, user-pool JWTs
//! and SigV4 (identity-pool credentials) and enforces the models' auth
//! rules.
//!
//! Both ports are served with [`http_server::serve`]: a header-read
//! timeout, a deadline per request, a cap on open connections and a large
//! listen backlog ([`ServerLimits`], [`LocalOptions::server_limits`]).
//!
//! Start it in-process with [`LocalBackend::start`], or run the
//! `amplify-local` binary. More routes can be mounted on the same port by
//! building on [`router`].

mod api_error;
mod attempts;
mod clients;
mod clock;
mod cors;
mod db;
mod decoy;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod graphql;
mod host;
pub mod http_server;
mod identity;
mod ids;
mod keys;
mod mfa_options;
mod oauth;
mod options;
mod outputs;
mod pages;
mod password;
mod rest_api;
mod s3;
mod server;
mod sigv4;
mod state;
mod tokens;
mod totp;
mod user_pool;
mod users;
mod well_known;

// The README's examples run as doc tests, so the published README stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub use clock::Clock;
pub use error::LocalError;
pub use graphql::default_model_introspection;
pub use http_server::ServerLimits;
pub use mfa_options::{MfaFactor, MfaMode};
pub use options::{AdminCredentials, IssuerMode, LocalOptions};
pub use s3::StorageRules;
pub use server::{LocalBackend, router};
pub use state::AppState;
pub use totp::{TotpError, totp_code};
pub use users::{LocalUser, add_user_to_data_dir};
