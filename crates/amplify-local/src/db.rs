//! SQLite storage: schema, and small typed queries. One connection behind a
//! mutex; every call is short.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use crate::LocalError;

mod challenges;
mod groups;
mod mfa;

pub(crate) use challenges::ChallengeRecord;
pub(crate) use groups::GroupRecord;
pub(crate) use mfa::MfaRecord;

/// File name of the database inside the data directory.
const DB_FILE: &str = "amplify-local.sqlite3";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    username          TEXT PRIMARY KEY,
    sub               TEXT NOT NULL UNIQUE,
    password_hash     TEXT NOT NULL,
    srp_salt          TEXT NOT NULL,
    srp_verifier      TEXT NOT NULL,
    status            TEXT NOT NULL,
    enabled           INTEGER NOT NULL DEFAULT 1,
    attributes        TEXT NOT NULL,
    confirmation_code TEXT,
    code_expires_at   INTEGER,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token_hash  TEXT PRIMARY KEY,
    username    TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    origin_jti  TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    auth_time   INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    replaced_at INTEGER,
    revoked_at  INTEGER
);
CREATE INDEX IF NOT EXISTS refresh_tokens_origin ON refresh_tokens(origin_jti);
CREATE INDEX IF NOT EXISTS refresh_tokens_user ON refresh_tokens(username);
CREATE TABLE IF NOT EXISTS srp_challenges (
    block_hash TEXT PRIMARY KEY,
    username   TEXT NOT NULL,
    secret_b   TEXT NOT NULL,
    srp_a      TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
-- Never used (challenge sessions are in challenge_sessions): dropped from older data directories.
DROP TABLE IF EXISTS auth_sessions;
CREATE TABLE IF NOT EXISTS oauth_codes (
    code_hash      TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    username       TEXT NOT NULL,
    scope          TEXT NOT NULL,
    code_challenge TEXT,
    nonce          TEXT,
    auth_time      INTEGER NOT NULL,
    origin_jti     TEXT,
    used_at        INTEGER,
    expires_at     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS oauth_grants (
    origin_jti TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL,
    scope      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS identities (
    identity_id TEXT PRIMARY KEY,
    sub         TEXT UNIQUE,
    created_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS aws_credentials (
    access_key_id      TEXT PRIMARY KEY,
    secret_key         TEXT NOT NULL,
    session_token_hash TEXT NOT NULL,
    identity_id        TEXT NOT NULL,
    authenticated      INTEGER NOT NULL,
    expires_at         INTEGER NOT NULL,
    created_at         INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS aws_credentials_expiry ON aws_credentials(expires_at);
CREATE TABLE IF NOT EXISTS login_sessions (
    session_hash TEXT PRIMARY KEY,
    username     TEXT NOT NULL,
    auth_time    INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS attempt_failures (
    guess    TEXT NOT NULL,
    username TEXT NOT NULL,
    failures INTEGER NOT NULL,
    last_at  INTEGER NOT NULL,
    PRIMARY KEY (guess, username)
);
CREATE INDEX IF NOT EXISTS attempt_failures_last ON attempt_failures(last_at);
CREATE TABLE IF NOT EXISTS signup_bindings (
    binding_hash TEXT PRIMARY KEY,
    username     TEXT NOT NULL,
    expires_at   INTEGER NOT NULL
);
";

/// A user's lifecycle state, with Cognito's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserStatus {
    /// Signed up, code not yet confirmed.
    Unconfirmed,
    /// Normal, can sign in.
    Confirmed,
    /// Created by an admin with a temporary password.
    ForceChangePassword,
    /// Signed in through a (simulated) federated identity provider; has no
    /// usable password.
    ExternalProvider,
}

impl UserStatus {
    /// Cognito's `UserStatus` string.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Unconfirmed => "UNCONFIRMED",
            Self::Confirmed => "CONFIRMED",
            Self::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            Self::ExternalProvider => "EXTERNAL_PROVIDER",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        match value {
            "UNCONFIRMED" => Some(Self::Unconfirmed),
            "CONFIRMED" => Some(Self::Confirmed),
            "FORCE_CHANGE_PASSWORD" => Some(Self::ForceChangePassword),
            "EXTERNAL_PROVIDER" => Some(Self::ExternalProvider),
            _ => None,
        }
    }
}

/// One stored user.
#[derive(Clone)]
pub(crate) struct UserRecord {
    pub(crate) username: String,
    pub(crate) sub: String,
    pub(crate) password_hash: String,
    pub(crate) srp_salt: String,
    pub(crate) srp_verifier: String,
    pub(crate) status: UserStatus,
    pub(crate) enabled: bool,
    /// Attributes in insertion order (includes `sub`).
    pub(crate) attributes: Vec<(String, String)>,
    pub(crate) confirmation_code: Option<String>,
    pub(crate) code_expires_at: Option<i64>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("username", &self.username)
            .field("sub", &self.sub)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl UserRecord {
    /// The value of an attribute, if set.
    pub(crate) fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Marks the user confirmed and forgets any pending confirmation code. `email_verified` is set only when the
    /// user proved they receive mail at the address (the ConfirmSignUp code), not for an administrator's confirm.
    pub(crate) fn confirm(&mut self, email_proven: bool, now: i64) {
        self.status = UserStatus::Confirmed;
        self.confirmation_code = None;
        self.code_expires_at = None;
        if email_proven && self.attribute("email").is_some() {
            self.set_attribute("email_verified", "true");
        }
        self.updated_at = now;
    }

    /// Sets (or adds) an attribute.
    pub(crate) fn set_attribute(&mut self, name: &str, value: &str) {
        match self.attributes.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => value.clone_into(&mut slot.1),
            None => self.attributes.push((name.to_owned(), value.to_owned())),
        }
    }
}

/// One stored refresh token (by hash).
#[derive(Debug, Clone)]
pub(crate) struct RefreshRecord {
    pub(crate) username: String,
    pub(crate) client_id: String,
    pub(crate) origin_jti: String,
    pub(crate) event_id: String,
    pub(crate) auth_time: i64,
    pub(crate) expires_at: i64,
    pub(crate) replaced_at: Option<i64>,
    pub(crate) revoked_at: Option<i64>,
}

/// A pending SRP exchange.
#[derive(Clone)]
pub(crate) struct SrpChallengeRecord {
    pub(crate) username: String,
    pub(crate) secret_b: String,
    pub(crate) srp_a: String,
    pub(crate) expires_at: i64,
}

/// The database handle.
pub(crate) struct Store {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir`.
    pub(crate) fn open(data_dir: &Path) -> Result<Self, LocalError> {
        std::fs::create_dir_all(data_dir).map_err(|source| LocalError::DataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let conn = Connection::open(data_dir.join(DB_FILE))?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch(groups::SCHEMA)?;
        conn.execute_batch(mfa::SCHEMA)?;
        challenges::create(&conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent
        // (statements are atomic), so a poisoned lock is still usable.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    // ---- meta ----

    /// Reads a meta value.
    pub(crate) fn meta(&self, key: &str) -> Result<Option<String>, LocalError> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?)
    }

    /// Stores a meta value unless one exists; returns the stored value
    /// (so two processes starting at once agree on one value).
    pub(crate) fn meta_insert_or_get(&self, key: &str, value: &str) -> Result<String, LocalError> {
        let conn = self.conn();
        conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
            params![key, value],
        )?;
        Ok(
            conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
                row.get(0)
            })?,
        )
    }

    // ---- users ----

    /// Inserts a new user; `Ok(false)` when the username is taken.
    pub(crate) fn insert_user(&self, user: &UserRecord) -> Result<bool, LocalError> {
        let attributes = encode_attributes(&user.attributes);
        let inserted = self.conn().execute(
            "INSERT OR IGNORE INTO users (username, sub, password_hash, srp_salt, srp_verifier,
                status, enabled, attributes, confirmation_code, code_expires_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                user.username,
                user.sub,
                user.password_hash,
                user.srp_salt,
                user.srp_verifier,
                user.status.as_str(),
                user.enabled,
                attributes,
                user.confirmation_code,
                user.code_expires_at,
                user.created_at,
                user.updated_at,
            ],
        )?;
        Ok(inserted == 1)
    }

    /// Rewrites every mutable column of an existing user.
    pub(crate) fn update_user(&self, user: &UserRecord) -> Result<(), LocalError> {
        self.conn().execute(
            "UPDATE users SET password_hash = ?2, srp_salt = ?3, srp_verifier = ?4, status = ?5,
                enabled = ?6, attributes = ?7, confirmation_code = ?8, code_expires_at = ?9,
                updated_at = ?10
             WHERE username = ?1",
            params![
                user.username,
                user.password_hash,
                user.srp_salt,
                user.srp_verifier,
                user.status.as_str(),
                user.enabled,
                encode_attributes(&user.attributes),
                user.confirmation_code,
                user.code_expires_at,
                user.updated_at,
            ],
        )?;
        Ok(())
    }

    /// Looks a user up by username.
    pub(crate) fn user(&self, username: &str) -> Result<Option<UserRecord>, LocalError> {
        let row = self
            .conn()
            .query_row(
                "SELECT username, sub, password_hash, srp_salt, srp_verifier, status, enabled,
                        attributes, confirmation_code, code_expires_at, created_at, updated_at
                 FROM users WHERE username = ?1",
                [username],
                |row| {
                    Ok((
                        (
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, String>(2)?,
                            row.get::<_, String>(3)?,
                            row.get::<_, String>(4)?,
                            row.get::<_, String>(5)?,
                        ),
                        (
                            row.get::<_, bool>(6)?,
                            row.get::<_, String>(7)?,
                            row.get::<_, Option<String>>(8)?,
                            row.get::<_, Option<i64>>(9)?,
                            row.get::<_, i64>(10)?,
                            row.get::<_, i64>(11)?,
                        ),
                    ))
                },
            )
            .optional()?;
        let Some((
            (username, sub, password_hash, srp_salt, srp_verifier, status),
            (enabled, attributes, confirmation_code, code_expires_at, created_at, updated_at),
        )) = row
        else {
            return Ok(None);
        };
        let status = UserStatus::parse(&status)
            .ok_or_else(|| LocalError::CorruptData(format!("unknown user status {status:?}")))?;
        Ok(Some(UserRecord {
            username,
            sub,
            password_hash,
            srp_salt,
            srp_verifier,
            status,
            enabled,
            attributes: decode_attributes(&attributes)?,
            confirmation_code,
            code_expires_at,
            created_at,
            updated_at,
        }))
    }

    // ---- refresh tokens ----

    /// Stores a refresh token by hash.
    pub(crate) fn insert_refresh(
        &self,
        token_hash: &str,
        record: &RefreshRecord,
        now: i64,
    ) -> Result<(), LocalError> {
        self.conn().execute(
            "INSERT INTO refresh_tokens (token_hash, username, client_id, origin_jti, event_id,
                auth_time, created_at, expires_at, replaced_at, revoked_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                token_hash,
                record.username,
                record.client_id,
                record.origin_jti,
                record.event_id,
                record.auth_time,
                now,
                record.expires_at,
                record.replaced_at,
                record.revoked_at,
            ],
        )?;
        Ok(())
    }

    /// Looks a refresh token up by hash.
    pub(crate) fn refresh(&self, token_hash: &str) -> Result<Option<RefreshRecord>, LocalError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT username, client_id, origin_jti, event_id, auth_time, expires_at,
                        replaced_at, revoked_at
                 FROM refresh_tokens WHERE token_hash = ?1",
                [token_hash],
                |row| {
                    Ok(RefreshRecord {
                        username: row.get(0)?,
                        client_id: row.get(1)?,
                        origin_jti: row.get(2)?,
                        event_id: row.get(3)?,
                        auth_time: row.get(4)?,
                        expires_at: row.get(5)?,
                        replaced_at: row.get(6)?,
                        revoked_at: row.get(7)?,
                    })
                },
            )
            .optional()?)
    }

    /// Marks a refresh token as rotated away at `now` (first time only).
    /// Returns whether this call marked it (`false`: another refresh rotated it first).
    pub(crate) fn mark_replaced(&self, token_hash: &str, now: i64) -> Result<bool, LocalError> {
        let changed = self.conn().execute(
            "UPDATE refresh_tokens SET replaced_at = ?2 WHERE token_hash = ?1 AND replaced_at IS NULL",
            params![token_hash, now],
        )?;
        Ok(changed == 1)
    }

    /// Revokes every refresh token of a sign-in (same `origin_jti`).
    pub(crate) fn revoke_origin(&self, origin_jti: &str, now: i64) -> Result<(), LocalError> {
        self.conn().execute(
            "UPDATE refresh_tokens SET revoked_at = ?2 WHERE origin_jti = ?1 AND revoked_at IS NULL",
            params![origin_jti, now],
        )?;
        Ok(())
    }

    /// Revokes every refresh token of a user.
    pub(crate) fn revoke_user(&self, username: &str, now: i64) -> Result<(), LocalError> {
        self.conn().execute(
            "UPDATE refresh_tokens SET revoked_at = ?2 WHERE username = ?1 AND revoked_at IS NULL",
            params![username, now],
        )?;
        Ok(())
    }

    /// Whether the sign-in an access token belongs to has been revoked.
    pub(crate) fn origin_revoked(&self, origin_jti: &str) -> Result<bool, LocalError> {
        Ok(self.conn().query_row(
            "SELECT EXISTS(SELECT 1 FROM refresh_tokens WHERE origin_jti = ?1 AND revoked_at IS NOT NULL)",
            [origin_jti],
            |row| row.get(0),
        )?)
    }

    // ---- attempt limits (see crate::attempts) ----

    /// Counts an attempt at guessing as a failure, unless `locked(failures,
    /// last_at)` says the username is locked out (then `Ok(false)`), in one
    /// step, so that parallel attempts all see each other. Counts last
    /// changed before `forget_before` are dropped first.
    pub(crate) fn start_attempt(
        &self,
        guess: &str,
        username: &str,
        now: i64,
        forget_before: i64,
        locked: impl Fn(u32, i64) -> bool,
    ) -> Result<bool, LocalError> {
        let conn = self.conn();
        conn.execute(
            "DELETE FROM attempt_failures WHERE last_at < ?1",
            [forget_before],
        )?;
        let current: Option<(u32, i64)> = conn
            .query_row(
                "SELECT failures, last_at FROM attempt_failures WHERE guess = ?1 AND username = ?2",
                params![guess, username],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        if current.is_some_and(|(failures, last_at)| locked(failures, last_at)) {
            return Ok(false);
        }
        conn.execute(
            "INSERT INTO attempt_failures (guess, username, failures, last_at) VALUES (?1, ?2, 1, ?3)
             ON CONFLICT (guess, username) DO UPDATE SET failures = failures + 1, last_at = ?3",
            params![guess, username, now],
        )?;
        Ok(true)
    }

    /// Forgets a username's failures (a success).
    pub(crate) fn clear_attempts(&self, guess: &str, username: &str) -> Result<(), LocalError> {
        self.conn().execute(
            "DELETE FROM attempt_failures WHERE guess = ?1 AND username = ?2",
            params![guess, username],
        )?;
        Ok(())
    }

    /// Uncounts one attempt that was not a guess.
    pub(crate) fn withdraw_attempt(&self, guess: &str, username: &str) -> Result<(), LocalError> {
        self.conn().execute(
            "UPDATE attempt_failures SET failures = MAX(failures - 1, 0)
             WHERE guess = ?1 AND username = ?2",
            params![guess, username],
        )?;
        Ok(())
    }

    // ---- SRP challenges ----

    /// Stores a pending SRP exchange under the hash of its secret block.
    pub(crate) fn insert_srp_challenge(
        &self,
        block_hash: &str,
        record: &SrpChallengeRecord,
        now: i64,
    ) -> Result<(), LocalError> {
        let conn = self.conn();
        conn.execute("DELETE FROM srp_challenges WHERE expires_at < ?1", [now])?;
        conn.execute(
            "INSERT INTO srp_challenges (block_hash, username, secret_b, srp_a, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                block_hash,
                record.username,
                record.secret_b,
                record.srp_a,
                record.expires_at
            ],
        )?;
        Ok(())
    }

    /// Removes and returns a pending SRP exchange (each is usable once).
    pub(crate) fn take_srp_challenge(
        &self,
        block_hash: &str,
    ) -> Result<Option<SrpChallengeRecord>, LocalError> {
        let conn = self.conn();
        let record = conn
            .query_row(
                "SELECT username, secret_b, srp_a, expires_at FROM srp_challenges WHERE block_hash = ?1",
                [block_hash],
                |row| {
                    Ok(SrpChallengeRecord {
                        username: row.get(0)?,
                        secret_b: row.get(1)?,
                        srp_a: row.get(2)?,
                        expires_at: row.get(3)?,
                    })
                },
            )
            .optional()?;
        conn.execute(
            "DELETE FROM srp_challenges WHERE block_hash = ?1",
            [block_hash],
        )?;
        Ok(record)
    }
}

fn encode_attributes(attributes: &[(String, String)]) -> String {
    let pairs: Vec<[&str; 2]> = attributes
        .iter()
        .map(|(n, v)| [n.as_str(), v.as_str()])
        .collect();
    serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".to_owned())
}

fn decode_attributes(json: &str) -> Result<Vec<(String, String)>, LocalError> {
    let pairs: Vec<(String, String)> = serde_json::from_str(json)
        .map_err(|e| LocalError::CorruptData(format!("user attributes: {e}")))?;
    Ok(pairs)
}
