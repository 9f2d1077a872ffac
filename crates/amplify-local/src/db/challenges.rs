//! Sign-in challenge sessions (the `Session` of InitiateAuth and
//! RespondToAuthChallenge) and one-time codes (password reset, attribute
//! verification).

use rusqlite::{OptionalExtension, params};

use super::Store;
use crate::LocalError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS challenge_sessions (
    session_hash TEXT PRIMARY KEY,
    username     TEXT NOT NULL,
    challenge    TEXT NOT NULL,
    code         TEXT,
    setup_email  TEXT,
    client_id    TEXT NOT NULL DEFAULT '',
    failures     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS challenge_sessions_user ON challenge_sessions(username);
CREATE TABLE IF NOT EXISTS user_codes (
    username   TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    code       TEXT NOT NULL,
    failures   INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (username, purpose)
);
";

/// A pending challenge.
#[derive(Clone)]
pub(crate) struct ChallengeRecord {
    pub(crate) username: String,
    /// The challenge name the session answers (`SMS_MFA`, `MFA_SETUP`, …).
    pub(crate) challenge: String,
    /// The expected code (SMS, email, custom challenge) or a state marker.
    pub(crate) code: Option<String>,
    /// During an email MFA set-up (EMAIL_OTP after MFA_SETUP): the address
    /// the code went to, which becomes the user's only when it is answered.
    pub(crate) setup_email: Option<String>,
    /// The app client the sign-in started with: only it may answer.
    pub(crate) client_id: String,
    pub(crate) failures: u32,
    pub(crate) expires_at: i64,
}

impl std::fmt::Debug for ChallengeRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChallengeRecord")
            .field("username", &self.username)
            .field("challenge", &self.challenge)
            .field("failures", &self.failures)
            .finish_non_exhaustive()
    }
}

/// A one-time code for a purpose.
#[derive(Clone)]
pub(crate) struct CodeRecord {
    pub(crate) code: String,
    pub(crate) failures: u32,
    pub(crate) expires_at: i64,
}

impl std::fmt::Debug for CodeRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeRecord")
            .field("failures", &self.failures)
            .finish_non_exhaustive()
    }
}

/// Creates the tables. Challenge sessions live three minutes, so a table
/// from an older version (without a column this one needs) is dropped, which
/// only ends the sign-ins in progress.
pub(super) fn create(conn: &rusqlite::Connection) -> Result<(), LocalError> {
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('challenge_sessions')")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let current = ["setup_email", "client_id"]
        .iter()
        .all(|needed| columns.iter().any(|name| name == needed));
    if !columns.is_empty() && !current {
        conn.execute_batch("DROP TABLE challenge_sessions;")?;
    }
    conn.execute_batch(SCHEMA)?;
    Ok(())
}

impl Store {
    /// Stores a challenge session by the hash of its value.
    pub(crate) fn insert_challenge(
        &self,
        session_hash: &str,
        record: &ChallengeRecord,
        now: i64,
    ) -> Result<(), LocalError> {
        let conn = self.conn();
        conn.execute(
            "DELETE FROM challenge_sessions WHERE expires_at < ?1",
            [now],
        )?;
        conn.execute(
            "INSERT INTO challenge_sessions
                (session_hash, username, challenge, code, setup_email, client_id, failures,
                 created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                session_hash,
                record.username,
                record.challenge,
                record.code,
                record.setup_email,
                record.client_id,
                record.failures,
                now,
                record.expires_at
            ],
        )?;
        Ok(())
    }

    /// Looks a challenge session up.
    pub(crate) fn challenge(
        &self,
        session_hash: &str,
    ) -> Result<Option<ChallengeRecord>, LocalError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT username, challenge, code, setup_email, client_id, failures, expires_at
                 FROM challenge_sessions WHERE session_hash = ?1",
                [session_hash],
                |row| {
                    Ok(ChallengeRecord {
                        username: row.get(0)?,
                        challenge: row.get(1)?,
                        code: row.get(2)?,
                        setup_email: row.get(3)?,
                        client_id: row.get(4)?,
                        failures: row.get(5)?,
                        expires_at: row.get(6)?,
                    })
                },
            )
            .optional()?)
    }

    /// Removes a challenge session; `Ok(false)` when it was gone already
    /// (so that two answers racing cannot both use it).
    pub(crate) fn delete_challenge(&self, session_hash: &str) -> Result<bool, LocalError> {
        Ok(self.conn().execute(
            "DELETE FROM challenge_sessions WHERE session_hash = ?1",
            [session_hash],
        )? == 1)
    }

    /// Counts an answer as a failure before it is checked, so that parallel
    /// answers cannot all get past `max`; returns the failures so far, or
    /// `None` when the session is gone or has used up its `max` tries.
    pub(crate) fn claim_challenge_try(
        &self,
        session_hash: &str,
        max: u32,
    ) -> Result<Option<u32>, LocalError> {
        Ok(self
            .conn()
            .query_row(
                "UPDATE challenge_sessions SET failures = failures + 1
                 WHERE session_hash = ?1 AND failures < ?2 RETURNING failures",
                rusqlite::params![session_hash, max],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// The code of a user's newest pending challenge that has one.
    pub(crate) fn latest_challenge_code(
        &self,
        username: &str,
        now: i64,
    ) -> Result<Option<String>, LocalError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT code FROM challenge_sessions
                 WHERE username = ?1 AND expires_at >= ?2 AND code GLOB '[0-9]*'
                 ORDER BY created_at DESC, rowid DESC LIMIT 1",
                params![username, now],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Replaces a user's code for a purpose.
    pub(crate) fn set_code(
        &self,
        username: &str,
        purpose: &str,
        code: &str,
        expires_at: i64,
    ) -> Result<(), LocalError> {
        self.conn().execute(
            "INSERT INTO user_codes (username, purpose, code, failures, expires_at)
             VALUES (?1, ?2, ?3, 0, ?4)
             ON CONFLICT (username, purpose) DO UPDATE SET code = ?3, failures = 0, expires_at = ?4",
            params![username, purpose, code, expires_at],
        )?;
        Ok(())
    }

    /// A user's code for a purpose.
    pub(crate) fn user_code(
        &self,
        username: &str,
        purpose: &str,
    ) -> Result<Option<CodeRecord>, LocalError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT code, failures, expires_at FROM user_codes WHERE username = ?1 AND purpose = ?2",
                params![username, purpose],
                |row| {
                    Ok(CodeRecord {
                        code: row.get(0)?,
                        failures: row.get(1)?,
                        expires_at: row.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// Counts a wrong answer to a code.
    pub(crate) fn fail_code(&self, username: &str, purpose: &str) -> Result<(), LocalError> {
        self.conn().execute(
            "UPDATE user_codes SET failures = failures + 1 WHERE username = ?1 AND purpose = ?2",
            params![username, purpose],
        )?;
        Ok(())
    }

    /// Forgets a user's code for a purpose.
    pub(crate) fn delete_code(&self, username: &str, purpose: &str) -> Result<(), LocalError> {
        self.conn().execute(
            "DELETE FROM user_codes WHERE username = ?1 AND purpose = ?2",
            params![username, purpose],
        )?;
        Ok(())
    }

    /// Deletes a user and everything kept for them (memberships, MFA
    /// settings, codes, sessions); their refresh tokens are revoked.
    pub(crate) fn delete_user(&self, username: &str, now: i64) -> Result<(), LocalError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for table in [
            "group_members",
            "user_mfa",
            "user_codes",
            "challenge_sessions",
            "login_sessions",
        ] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE username = ?1"),
                [username],
            )?;
        }
        tx.execute(
            "UPDATE refresh_tokens SET revoked_at = ?2 WHERE username = ?1 AND revoked_at IS NULL",
            params![username, now],
        )?;
        tx.execute("DELETE FROM users WHERE username = ?1", [username])?;
        tx.commit()?;
        Ok(())
    }
}
