//! Storage of authorization codes, OAuth grants and managed-login sessions.
//! Codes and session ids are stored by hash only.

use rusqlite::{OptionalExtension, params};

use crate::LocalError;
use crate::db::Store;

/// An issued authorization code.
#[derive(Debug, Clone)]
pub(crate) struct CodeRecord {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) username: String,
    pub(crate) scope: String,
    pub(crate) code_challenge: Option<String>,
    pub(crate) nonce: Option<String>,
    pub(crate) auth_time: i64,
    /// The sign-in the code was exchanged for (set once used).
    pub(crate) origin_jti: Option<String>,
    /// When the code was first used (`None` on its first use).
    pub(crate) used_at: Option<i64>,
    pub(crate) expires_at: i64,
}

/// A managed-login browser session.
#[derive(Debug, Clone)]
pub(crate) struct LoginSession {
    pub(crate) username: String,
    pub(crate) auth_time: i64,
}

impl Store {
    /// Stores a new authorization code (and drops long-expired ones).
    pub(crate) fn insert_code(
        &self,
        code_hash: &str,
        record: &CodeRecord,
        now: i64,
    ) -> Result<(), LocalError> {
        let conn = self.conn();
        // Keep used codes a while after expiry so a replay is still detected.
        conn.execute(
            "DELETE FROM oauth_codes WHERE expires_at < ?1",
            [now - 24 * 3600],
        )?;
        conn.execute(
            "INSERT INTO oauth_codes (code_hash, client_id, redirect_uri, username, scope,
                code_challenge, nonce, auth_time, origin_jti, used_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, NULL, ?9)",
            params![
                code_hash,
                record.client_id,
                record.redirect_uri,
                record.username,
                record.scope,
                record.code_challenge,
                record.nonce,
                record.auth_time,
                record.expires_at,
            ],
        )?;
        Ok(())
    }

    /// Returns a code and marks it used; the returned `used_at` is the
    /// earlier use, if any (a replay).
    pub(crate) fn use_code(
        &self,
        code_hash: &str,
        now: i64,
    ) -> Result<Option<CodeRecord>, LocalError> {
        let conn = self.conn();
        let record = conn
            .query_row(
                "SELECT client_id, redirect_uri, username, scope, code_challenge, nonce, auth_time,
                        origin_jti, used_at, expires_at
                 FROM oauth_codes WHERE code_hash = ?1",
                [code_hash],
                |row| {
                    Ok(CodeRecord {
                        client_id: row.get(0)?,
                        redirect_uri: row.get(1)?,
                        username: row.get(2)?,
                        scope: row.get(3)?,
                        code_challenge: row.get(4)?,
                        nonce: row.get(5)?,
                        auth_time: row.get(6)?,
                        origin_jti: row.get(7)?,
                        used_at: row.get(8)?,
                        expires_at: row.get(9)?,
                    })
                },
            )
            .optional()?;
        conn.execute(
            "UPDATE oauth_codes SET used_at = ?2 WHERE code_hash = ?1 AND used_at IS NULL",
            params![code_hash, now],
        )?;
        Ok(record)
    }

    /// Records the sign-in a code was exchanged for, and its grant.
    pub(crate) fn record_code_grant(
        &self,
        code_hash: &str,
        origin_jti: &str,
        client_id: &str,
        scope: &str,
    ) -> Result<(), LocalError> {
        let conn = self.conn();
        conn.execute(
            "UPDATE oauth_codes SET origin_jti = ?2 WHERE code_hash = ?1",
            params![code_hash, origin_jti],
        )?;
        conn.execute(
            "INSERT OR REPLACE INTO oauth_grants (origin_jti, client_id, scope) VALUES (?1, ?2, ?3)",
            params![origin_jti, client_id, scope],
        )?;
        Ok(())
    }

    /// The OAuth grant `(client_id, scope)` of a sign-in, if it came from
    /// `/oauth2/token`.
    pub(crate) fn oauth_grant(
        &self,
        origin_jti: &str,
    ) -> Result<Option<(String, String)>, LocalError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT client_id, scope FROM oauth_grants WHERE origin_jti = ?1",
                [origin_jti],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?)
    }

    /// Stores a managed-login session.
    pub(crate) fn insert_login_session(
        &self,
        session_hash: &str,
        session: &LoginSession,
        expires_at: i64,
        now: i64,
    ) -> Result<(), LocalError> {
        let conn = self.conn();
        conn.execute("DELETE FROM login_sessions WHERE expires_at < ?1", [now])?;
        conn.execute(
            "INSERT INTO login_sessions (session_hash, username, auth_time, expires_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                session_hash,
                session.username,
                session.auth_time,
                expires_at
            ],
        )?;
        Ok(())
    }

    /// A live managed-login session.
    pub(crate) fn login_session(
        &self,
        session_hash: &str,
        now: i64,
    ) -> Result<Option<LoginSession>, LocalError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT username, auth_time FROM login_sessions
                 WHERE session_hash = ?1 AND expires_at > ?2",
                params![session_hash, now],
                |row| {
                    Ok(LoginSession {
                        username: row.get(0)?,
                        auth_time: row.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// Ends a managed-login session.
    pub(crate) fn delete_login_session(&self, session_hash: &str) -> Result<(), LocalError> {
        self.conn().execute(
            "DELETE FROM login_sessions WHERE session_hash = ?1",
            [session_hash],
        )?;
        Ok(())
    }
}
