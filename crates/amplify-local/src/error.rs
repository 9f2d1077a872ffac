//! Errors of the backend's Rust API (start-up, storage, direct user creation).

use std::path::PathBuf;

/// What went wrong starting the backend or using its Rust API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LocalError {
    /// The data directory could not be created.
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// SQLite failed.
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// The database holds something this version cannot read.
    #[error("stored data is corrupt: {0}")]
    CorruptData(String),
    /// The signing key could not be generated, stored or loaded.
    #[error("signing key error: {0}")]
    SigningKey(&'static str),
    /// Listening on 127.0.0.1 failed.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The requested port.
        port: u16,
        /// The I/O error.
        source: std::io::Error,
    },
    /// `amplify_outputs.json` could not be written.
    #[error("cannot write {path}: {source}")]
    WriteOutputs {
        /// The target file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A user with this username already exists.
    #[error("a user named {0:?} already exists")]
    UsernameExists(String),
    /// No user has this username.
    #[error("no user named {0:?}")]
    UnknownUser(String),
    /// A group name is empty, too long or has characters outside Cognito's
    /// pattern.
    #[error("invalid group name: {0}")]
    InvalidGroupName(String),
    /// The username is empty, too long or has characters outside Cognito's
    /// pattern.
    #[error("invalid username: {0}")]
    InvalidUsername(String),
    /// The password does not meet the pool's password policy.
    #[error("password did not conform with policy: {0}")]
    InvalidPassword(&'static str),
    /// Password hashing or SRP verifier creation failed.
    #[error("cannot derive password material: {0}")]
    PasswordMaterial(String),
    /// A background task failed (panicked or was cancelled).
    #[error("background task failed")]
    Task,
    /// An app origin (for managed-login callback URLs) is malformed.
    #[error("invalid app origin {origin:?}: {reason}")]
    InvalidAppOrigin {
        /// The origin as given.
        origin: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// An OIDC identity provider name is unusable.
    #[error("invalid identity provider name {0:?}: use 1 to 32 letters, digits, '-' or '.'")]
    InvalidProviderName(String),
    /// The storage access rules are malformed.
    #[error("invalid storage rules: {0}")]
    InvalidStorageRules(String),
    /// The object store could not be opened.
    #[error("object store error: {0}")]
    Storage(String),
    /// Admin credentials must be `ACCESS_KEY_ID:SECRET_ACCESS_KEY`, both
    /// non-empty.
    #[error(
        "invalid admin credentials: give them as ACCESS_KEY_ID:SECRET_ACCESS_KEY, both non-empty"
    )]
    InvalidAdminCredentials,
    /// An allowed host name or a custom attribute name is unusable.
    #[error("invalid {what} {value:?}: {reason}")]
    InvalidOption {
        /// Which option (`allowed host`, `custom attribute`).
        what: &'static str,
        /// The value as given.
        value: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// The GraphQL schema (`model_introspection`) is unusable.
    #[error("invalid GraphQL schema: {0}")]
    InvalidSchema(String),
}
