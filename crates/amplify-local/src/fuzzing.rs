//! Entry points for the fuzz targets in `fuzz/` (cargo feature `fuzzing`): crate-private parsers and services,
//! exposed as they are. **Not a stable API**: hidden from the docs, and never enabled by the workspace build.

use std::sync::Arc;

pub use crate::graphql::fuzzing::{
    compare_sort_keys, decode_next_token, encode_next_token, filter_matches,
    verify_appsync_signature,
};
use crate::{AppState, LocalError};

/// The S3-compatible service of `state` (what [`crate::LocalBackend::s3_url`] serves), to drive without a socket.
pub fn s3_router(state: Arc<AppState>) -> Result<axum::Router, LocalError> {
    let fs = crate::s3::open_store(&state.options.data_dir, &state.storage.bucket_name)?;
    Ok(crate::s3::router(state, fs))
}

/// Signs a JWT with `claims` as the payload, with the backend's key and header (as its tokens are signed).
pub fn sign_jwt(state: &AppState, claims: &serde_json::Value) -> Result<String, LocalError> {
    state.key.sign_jwt(claims)
}

/// The backend's own JWT front end (split, base64url, header, RS256, payload): the claims of a token its key
/// signed, `None` when refused.
pub fn verify_jwt(
    state: &AppState,
    token: &str,
) -> Option<serde_json::Map<String, serde_json::Value>> {
    state.key.verify_jwt(token)
}
