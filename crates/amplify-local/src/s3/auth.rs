//! The secret-key lookup s3s needs to verify SigV4: only credentials this
//! backend issued (`GetCredentialsForIdentity`) are known.

use std::sync::Arc;

use s3s::auth::{S3Auth, SecretKey};
use s3s::{S3Result, s3_error};

use crate::identity::{IssuedCredentials, lookup_credentials};
use crate::state::AppState;

/// Looks access keys up among the issued credentials.
#[derive(Debug, Clone)]
pub(super) struct IssuedAuth {
    pub(super) state: Arc<AppState>,
}

/// Loads issued credentials off the async workers; `InvalidAccessKeyId`
/// when unknown.
pub(super) async fn issued(state: &Arc<AppState>, access_key: &str) -> S3Result<IssuedCredentials> {
    let shared = Arc::clone(state);
    let key = access_key.to_owned();
    let found = tokio::task::spawn_blocking(move || lookup_credentials(&shared.store, &key))
        .await
        .map_err(|_| s3_error!(InternalError))?
        .map_err(|error| {
            tracing::error!(%error, "credentials lookup failed");
            s3_error!(InternalError)
        })?;
    found.ok_or_else(|| {
        s3_error!(
            InvalidAccessKeyId,
            "The AWS Access Key Id you provided does not exist in our records."
        )
    })
}

#[async_trait::async_trait]
impl S3Auth for IssuedAuth {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<SecretKey> {
        let credentials = issued(&self.state, access_key).await?;
        Ok(SecretKey::from(credentials.secret_key))
    }
}
