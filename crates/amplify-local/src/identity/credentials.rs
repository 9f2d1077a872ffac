//! Temporary AWS credentials: issuing them for an identity, and looking
//! them up when a signed S3 request arrives.

use super::store::{self, CredentialsRow};
use crate::api_error::ApiError;
use crate::db::Store;
use crate::ids;
use crate::state::AppState;

/// Credentials as `GetCredentialsForIdentity` returns them.
pub(super) struct NewCredentials {
    pub(super) access_key_id: String,
    pub(super) secret_key: String,
    pub(super) session_token: String,
    pub(super) expires_at: i64,
}

/// Issues and persists credentials bound to an identity.
pub(super) fn issue(
    state: &AppState,
    identity_id: &str,
    authenticated: bool,
) -> Result<NewCredentials, ApiError> {
    let random = |e: ids::RandomUnavailable| ApiError::internal(&e);
    let access_key_id = ids::access_key_id().map_err(random)?;
    let secret_key = ids::secret_access_key().map_err(random)?;
    let session_token = ids::opaque_token(192).map_err(random)?;
    let now = state.now();
    let ttl = i64::try_from(state.options.credentials_ttl.as_secs().max(1)).unwrap_or(i64::MAX);
    let expires_at = now.saturating_add(ttl);
    store::insert_credentials(
        &state.store,
        &CredentialsRow {
            access_key_id: access_key_id.clone(),
            secret_key: secret_key.clone(),
            session_token_hash: ids::sha256_hex(&session_token),
            identity_id: identity_id.to_owned(),
            authenticated,
            expires_at,
        },
        now,
    )?;
    tracing::info!(identity_id, authenticated, %access_key_id, "issued AWS credentials");
    Ok(NewCredentials {
        access_key_id,
        secret_key,
        session_token,
        expires_at,
    })
}

/// Credentials this backend issued, as the S3 server needs them.
#[derive(Clone)]
pub(crate) struct IssuedCredentials {
    /// The access key id.
    pub(crate) access_key_id: String,
    /// The secret key (to verify signatures).
    pub(crate) secret_key: String,
    /// The identity the credentials are bound to.
    pub(crate) identity_id: String,
    /// Whether the identity is a signed-in user's (not a guest's).
    pub(crate) authenticated: bool,
    /// Expiry, in seconds since the Unix epoch.
    pub(crate) expires_at: i64,
    session_token_hash: String,
}

impl std::fmt::Debug for IssuedCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("identity_id", &self.identity_id)
            .field("authenticated", &self.authenticated)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl IssuedCredentials {
    /// Whether `token` is the session token issued with these credentials
    /// (compared by hash, in constant time).
    pub(crate) fn session_token_matches(&self, token: &str) -> bool {
        let given = ids::sha256_hex(token);
        aws_lc_rs::constant_time::verify_slices_are_equal(
            given.as_bytes(),
            self.session_token_hash.as_bytes(),
        )
        .is_ok()
    }

    /// Whether the credentials are past their expiry at `now`.
    pub(crate) fn is_expired(&self, now: i64) -> bool {
        now >= self.expires_at
    }

    /// The checks every signed request gets once its signature verified
    /// with these credentials' secret: the session token presented must be
    /// the one issued with them, and they must not have expired.
    pub(crate) fn check_session(
        &self,
        token: Option<&str>,
        now: i64,
    ) -> Result<(), SessionRefusal> {
        if !token.is_some_and(|token| self.session_token_matches(token)) {
            return Err(SessionRefusal::WrongToken);
        }
        if self.is_expired(now) {
            return Err(SessionRefusal::Expired);
        }
        Ok(())
    }
}

/// Why a request signed with issued credentials is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionRefusal {
    /// No session token, or not the one issued with the access key.
    WrongToken,
    /// The credentials have expired.
    Expired,
}

/// Looks up credentials by access key id.
pub(crate) fn lookup_credentials(
    store: &Store,
    access_key_id: &str,
) -> Result<Option<IssuedCredentials>, crate::LocalError> {
    Ok(
        store::credentials(store, access_key_id)?.map(|row| IssuedCredentials {
            access_key_id: row.access_key_id,
            secret_key: row.secret_key,
            identity_id: row.identity_id,
            authenticated: row.authenticated,
            expires_at: row.expires_at,
            session_token_hash: row.session_token_hash,
        }),
    )
}
