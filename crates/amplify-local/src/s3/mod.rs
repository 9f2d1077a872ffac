//! An S3-compatible object store on its own port (path-style
//! `/{bucket}/{key}`), with objects under `<data dir>/s3/<bucket>/`.
//!
//! s3s carries the protocol (parsing, XML, errors) and verifies SigV4
//! signatures of header-signed and presigned requests. This module supplies
//! the secret keys of the credentials the identity pool issued ([`auth`]),
//! checks the request time against the backend's clock ([`request_time`]),
//! each request's session token, expiry, region and the storage access rules
//! ([`access`], [`rules`]), keeps objects with
//! s3s-fs ([`backend`]), and serves them so that no upload runs as a page of
//! the app ([`content`]).

mod access;
mod auth;
mod backend;
mod content;
mod keys;
mod request_time;
mod rules;

pub use rules::StorageRules;

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::error_handling::HandleError;
use axum::http::StatusCode;
use s3s::service::S3ServiceBuilder;

use crate::db::Store;
use crate::state::AppState;
use crate::{LocalError, cors, ids};

/// The meta key of the persisted bucket name.
const BUCKET_META: &str = "s3_bucket_name";

/// The storage side of the shared state.
#[derive(Debug, Clone)]
pub(crate) struct Storage {
    /// The one bucket's name.
    pub(crate) bucket_name: String,
    /// `http://127.0.0.1:S3PORT`.
    pub(crate) url: String,
    /// The access rules in force.
    pub(crate) rules: StorageRules,
}

/// Loads the bucket name, creating `amplify-local-bucket-<random>` on
/// first start.
pub(crate) fn load_bucket_name(store: &Store) -> Result<String, LocalError> {
    if let Some(name) = store.meta(BUCKET_META)? {
        return Ok(name);
    }
    let suffix = ids::opaque_token(6)
        .map_err(|e| LocalError::Storage(e.to_string()))?
        .to_ascii_lowercase()
        .replace(['-', '_'], "0");
    store.meta_insert_or_get(BUCKET_META, &format!("amplify-local-bucket-{suffix}"))
}

/// Opens the object store in `<data_dir>/s3`, creating the bucket folder.
pub(crate) fn open_store(data_dir: &Path, bucket: &str) -> Result<s3s_fs::FileSystem, LocalError> {
    let root = data_dir.join("s3");
    std::fs::create_dir_all(root.join(bucket)).map_err(|source| LocalError::DataDir {
        path: root.clone(),
        source,
    })?;
    s3s_fs::FileSystem::new(&root).map_err(|e| LocalError::Storage(format!("{e:?}")))
}

/// The S3 routes: every path goes to the s3s service, with CORS for the app
/// origins (browsers PUT to presigned URLs and read `ETag`), and objects served
/// as [`content`] describes (never active content on the app's host).
pub(crate) fn router(state: Arc<AppState>, fs: s3s_fs::FileSystem) -> Router {
    let cors = axum::middleware::from_fn_with_state(Arc::clone(&state), cors::storage);
    let root = state.options.data_dir.join("s3");
    let mut builder = S3ServiceBuilder::new(backend::LocalS3 { fs, root });
    builder.set_auth(auth::IssuedAuth {
        state: Arc::clone(&state),
    });
    builder.set_access(access::RuleAccess { state });
    builder.set_config(request_time::s3s_config());
    let service = HandleError::new(builder.build(), |error: s3s::HttpError| async move {
        tracing::error!(?error, "S3 request failed");
        StatusCode::INTERNAL_SERVER_ERROR
    });
    Router::new()
        .fallback_service(service)
        .layer(axum::middleware::from_fn(content::content_headers))
        .layer(cors)
}
