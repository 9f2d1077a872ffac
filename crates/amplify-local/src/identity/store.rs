//! SQLite queries of identities and issued credentials.

use rusqlite::{OptionalExtension, params};

use crate::LocalError;
use crate::db::Store;

/// One stored identity.
#[derive(Debug, Clone)]
pub(super) struct IdentityRecord {
    /// The user's `sub`; `None` for a guest identity.
    pub(super) sub: Option<String>,
}

/// Looks an identity up by id.
pub(super) fn identity(
    store: &Store,
    identity_id: &str,
) -> Result<Option<IdentityRecord>, LocalError> {
    Ok(store
        .conn()
        .query_row(
            "SELECT sub FROM identities WHERE identity_id = ?1",
            [identity_id],
            |row| Ok(IdentityRecord { sub: row.get(0)? }),
        )
        .optional()?)
}

/// The identity id of a user, created (as `candidate`) on first use.
pub(super) fn identity_for_sub(
    store: &Store,
    sub: &str,
    candidate: &str,
    now: i64,
) -> Result<String, LocalError> {
    let conn = store.conn();
    conn.execute(
        "INSERT OR IGNORE INTO identities (identity_id, sub, created_at) VALUES (?1, ?2, ?3)",
        params![candidate, sub, now],
    )?;
    Ok(conn.query_row(
        "SELECT identity_id FROM identities WHERE sub = ?1",
        [sub],
        |row| row.get(0),
    )?)
}

/// Stores a new guest identity.
pub(super) fn insert_guest(store: &Store, identity_id: &str, now: i64) -> Result<(), LocalError> {
    store.conn().execute(
        "INSERT INTO identities (identity_id, sub, created_at) VALUES (?1, NULL, ?2)",
        params![identity_id, now],
    )?;
    Ok(())
}

/// A stored credentials row.
pub(super) struct CredentialsRow {
    pub(super) access_key_id: String,
    pub(super) secret_key: String,
    pub(super) session_token_hash: String,
    pub(super) identity_id: String,
    pub(super) authenticated: bool,
    pub(super) expires_at: i64,
}

/// Stores issued credentials and forgets those expired for a day.
pub(super) fn insert_credentials(
    store: &Store,
    row: &CredentialsRow,
    now: i64,
) -> Result<(), LocalError> {
    let conn = store.conn();
    conn.execute(
        "DELETE FROM aws_credentials WHERE expires_at < ?1",
        [now.saturating_sub(24 * 3600)],
    )?;
    conn.execute(
        "INSERT INTO aws_credentials (access_key_id, secret_key, session_token_hash, identity_id,
            authenticated, expires_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            row.access_key_id,
            row.secret_key,
            row.session_token_hash,
            row.identity_id,
            row.authenticated,
            row.expires_at,
            now,
        ],
    )?;
    Ok(())
}

/// Looks issued credentials up by access key id.
pub(super) fn credentials(
    store: &Store,
    access_key_id: &str,
) -> Result<Option<CredentialsRow>, LocalError> {
    Ok(store
        .conn()
        .query_row(
            "SELECT access_key_id, secret_key, session_token_hash, identity_id, authenticated, expires_at
             FROM aws_credentials WHERE access_key_id = ?1",
            [access_key_id],
            |row| {
                Ok(CredentialsRow {
                    access_key_id: row.get(0)?,
                    secret_key: row.get(1)?,
                    session_token_hash: row.get(2)?,
                    identity_id: row.get(3)?,
                    authenticated: row.get(4)?,
                    expires_at: row.get(5)?,
                })
            },
        )
        .optional()?)
}
