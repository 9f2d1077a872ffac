//! The Cognito Identity (identity pool) JSON 1.1 API on `POST /`, next to
//! the user-pool API: `GetId` and `GetCredentialsForIdentity`.
//!
//! Identities are persisted: each user (by `sub`) keeps one identity id, and
//! every guest `GetId` creates a new guest identity. Issued AWS credentials
//! are persisted too (the secret key, and only a hash of the session token),
//! so that the S3 server can verify signatures and tell who is calling.

mod api;
mod credentials;
mod store;

pub(crate) use credentials::{IssuedCredentials, SessionRefusal, lookup_credentials};

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::response::Response;

use crate::api_error::{ApiError, ErrorCode};
use crate::state::AppState;
use crate::{ids, user_pool};

/// The `X-Amz-Target` prefix of the identity-pool service.
pub(crate) const TARGET_PREFIX: &str = "AWSCognitoIdentityService.";

/// The operations a browser client calls (all of them): CORS opens them to
/// the app origins.
pub(crate) const BROWSER_OPERATIONS: [&str; 2] = ["GetId", "GetCredentialsForIdentity"];

/// The meta key of the persisted identity pool id.
const POOL_ID_META: &str = "identity_pool_id";

/// Loads the identity pool id, creating `<region>:<uuid>` on first start.
pub(crate) fn load_pool_id(store: &crate::db::Store) -> Result<String, crate::LocalError> {
    if let Some(id) = store.meta(POOL_ID_META)? {
        return Ok(id);
    }
    store.meta_insert_or_get(
        POOL_ID_META,
        &format!("{}:{}", crate::state::REGION, ids::uuid()),
    )
}

/// Handles one identity-pool JSON 1.1 request (the caller checked the
/// target prefix).
pub(crate) async fn handle(state: Arc<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let target = headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let operation = target
        .strip_prefix(TARGET_PREFIX)
        .unwrap_or_default()
        .to_owned();
    state.count(&operation);
    let shared = Arc::clone(&state);
    // RS256 verification and SQLite writes: keep them off the async workers.
    let result = tokio::task::spawn_blocking(move || dispatch(&shared, &operation, &body))
        .await
        .unwrap_or_else(|error| Err(ApiError::internal(&error)));
    user_pool::json_response(result, &request_id, &target)
}

/// Routes an operation name to its handler.
fn dispatch(state: &AppState, operation: &str, body: &[u8]) -> Result<serde_json::Value, ApiError> {
    match operation {
        "GetId" => user_pool::run(state, body, api::get_id),
        "GetCredentialsForIdentity" => {
            user_pool::run(state, body, api::get_credentials_for_identity)
        }
        other => Err(ApiError::new(
            ErrorCode::UnknownOperation,
            format!("Unknown operation {other}"),
        )),
    }
}
