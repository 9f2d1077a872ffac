//! Storage of authorization codes, OAuth grants, managed-login sessions and
//! sign-up bindings. Codes, session ids and binding cookies are stored by
//! hash only.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::LocalError;
use crate::db::{RefreshRecord, Store};

/// How long used codes, and grants whose refresh tokens ended, are kept.
const REPLAY_MEMORY_SECS: i64 = 24 * 3600;

/// What redeeming a code stores besides marking it used.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CodeGrant<'a> {
    /// The granted scopes.
    pub(crate) scope: &'a str,
    /// The hash of the new refresh token.
    pub(crate) refresh_hash: &'a str,
    /// The new refresh token (its `origin_jti` names the sign-in).
    pub(crate) refresh: &'a RefreshRecord,
}

/// The outcome of [`Store::redeem_code`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Redemption {
    /// The code was unused and is now exchanged.
    Redeemed,
    /// The code had been used (concurrently): the sign-in it was exchanged
    /// for, if any.
    AlreadyUsed(Option<String>),
}

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
    /// Stores a new authorization code, and drops expired ones: unused codes
    /// at once, used codes a day after expiry (until then a replay is still
    /// detected and revokes what the code issued).
    pub(crate) fn insert_code(
        &self,
        code_hash: &str,
        record: &CodeRecord,
        now: i64,
    ) -> Result<(), LocalError> {
        let conn = self.conn();
        conn.execute(
            "DELETE FROM oauth_codes
             WHERE (used_at IS NULL AND expires_at <= ?1) OR expires_at < ?2",
            params![now, now - REPLAY_MEMORY_SECS],
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

    /// A stored code, without using it.
    pub(crate) fn code(&self, code_hash: &str) -> Result<Option<CodeRecord>, LocalError> {
        Ok(self
            .conn()
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
            .optional()?)
    }

    /// Marks a code used without issuing anything (a failed exchange by its
    /// own client).
    pub(crate) fn consume_code(&self, code_hash: &str, now: i64) -> Result<(), LocalError> {
        self.conn().execute(
            "UPDATE oauth_codes SET used_at = ?2 WHERE code_hash = ?1 AND used_at IS NULL",
            params![code_hash, now],
        )?;
        Ok(())
    }

    /// Redeems an unused code in one transaction: marks it used with the
    /// sign-in it is exchanged for, records the grant and stores the refresh
    /// token. A replay therefore always finds what to revoke. Also drops
    /// grants none of whose refresh tokens is usable any more.
    pub(crate) fn redeem_code(
        &self,
        code_hash: &str,
        grant: &CodeGrant<'_>,
        now: i64,
    ) -> Result<Redemption, LocalError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let claimed = tx.execute(
            "UPDATE oauth_codes SET used_at = ?2, origin_jti = ?3
             WHERE code_hash = ?1 AND used_at IS NULL",
            params![code_hash, now, grant.refresh.origin_jti],
        )?;
        if claimed != 1 {
            // Used meanwhile: report the sign-in that use was exchanged for.
            let origin: Option<Option<String>> = tx
                .query_row(
                    "SELECT origin_jti FROM oauth_codes WHERE code_hash = ?1",
                    [code_hash],
                    |row| row.get(0),
                )
                .optional()?;
            return Ok(Redemption::AlreadyUsed(origin.flatten()));
        }
        tx.execute(
            "DELETE FROM oauth_grants WHERE NOT EXISTS (
                SELECT 1 FROM refresh_tokens r
                WHERE r.origin_jti = oauth_grants.origin_jti
                  AND r.expires_at > ?1 AND (r.revoked_at IS NULL OR r.revoked_at > ?1))",
            [now - REPLAY_MEMORY_SECS],
        )?;
        tx.execute(
            "INSERT OR REPLACE INTO oauth_grants (origin_jti, client_id, scope) VALUES (?1, ?2, ?3)",
            params![grant.refresh.origin_jti, grant.refresh.client_id, grant.scope],
        )?;
        let refresh = grant.refresh;
        tx.execute(
            "INSERT INTO refresh_tokens (token_hash, username, client_id, origin_jti, event_id,
                auth_time, created_at, expires_at, replaced_at, revoked_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, NULL)",
            params![
                grant.refresh_hash,
                refresh.username,
                refresh.client_id,
                refresh.origin_jti,
                refresh.event_id,
                refresh.auth_time,
                now,
                refresh.expires_at,
            ],
        )?;
        tx.commit()?;
        Ok(Redemption::Redeemed)
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

    /// Binds a browser (by the hash of its cookie) to a user who just
    /// signed up; drops expired bindings.
    pub(crate) fn insert_signup_binding(
        &self,
        binding_hash: &str,
        username: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), LocalError> {
        let conn = self.conn();
        conn.execute("DELETE FROM signup_bindings WHERE expires_at <= ?1", [now])?;
        conn.execute(
            "INSERT OR REPLACE INTO signup_bindings (binding_hash, username, expires_at)
             VALUES (?1, ?2, ?3)",
            params![binding_hash, username, expires_at],
        )?;
        Ok(())
    }

    /// The user a live binding names.
    pub(crate) fn signup_binding(
        &self,
        binding_hash: &str,
        now: i64,
    ) -> Result<Option<String>, LocalError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT username FROM signup_bindings WHERE binding_hash = ?1 AND expires_at > ?2",
                params![binding_hash, now],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Removes a binding (used once).
    pub(crate) fn delete_signup_binding(&self, binding_hash: &str) -> Result<(), LocalError> {
        self.conn().execute(
            "DELETE FROM signup_bindings WHERE binding_hash = ?1",
            [binding_hash],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{CodeGrant, CodeRecord, Redemption};
    use crate::db::{RefreshRecord, Store};

    fn code(expires_at: i64) -> CodeRecord {
        CodeRecord {
            client_id: "client".to_owned(),
            redirect_uri: "http://localhost/cb".to_owned(),
            username: "ada".to_owned(),
            scope: "openid".to_owned(),
            code_challenge: None,
            nonce: None,
            auth_time: 0,
            origin_jti: None,
            used_at: None,
            expires_at,
        }
    }

    fn refresh(origin: &str, expires_at: i64) -> RefreshRecord {
        RefreshRecord {
            username: "ada".to_owned(),
            client_id: "client".to_owned(),
            origin_jti: origin.to_owned(),
            event_id: "event".to_owned(),
            auth_time: 0,
            expires_at,
            replaced_at: None,
            revoked_at: None,
        }
    }

    fn redeem(
        store: &Store,
        code_hash: &str,
        origin: &str,
        expires_at: i64,
        now: i64,
    ) -> Redemption {
        store
            .redeem_code(
                code_hash,
                &CodeGrant {
                    scope: "openid",
                    refresh_hash: &format!("refresh-{code_hash}"),
                    refresh: &refresh(origin, expires_at),
                },
                now,
            )
            .expect("redeem")
    }

    #[test]
    fn redemption_is_atomic_and_single_use() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("store");
        let now = 1_000_000;
        store
            .insert_code("c1", &code(now + 300), now)
            .expect("insert");
        assert_eq!(
            redeem(&store, "c1", "o1", now + 3600, now),
            Redemption::Redeemed
        );
        // The code, its grant and its refresh token appear together.
        let used = store.code("c1").expect("read").expect("code");
        assert_eq!(used.used_at, Some(now));
        assert_eq!(used.origin_jti.as_deref(), Some("o1"));
        assert!(store.oauth_grant("o1").expect("grant").is_some());
        assert!(store.refresh("refresh-c1").expect("refresh").is_some());
        // A second redemption reports the first one's sign-in.
        assert_eq!(
            redeem(&store, "c1", "o2", now + 3600, now),
            Redemption::AlreadyUsed(Some("o1".to_owned()))
        );
        assert!(store.oauth_grant("o2").expect("grant").is_none());
        // A consumed code (failed exchange) has nothing to revoke.
        store
            .insert_code("c2", &code(now + 300), now)
            .expect("insert");
        store.consume_code("c2", now).expect("consume");
        assert_eq!(
            redeem(&store, "c2", "o3", now + 3600, now),
            Redemption::AlreadyUsed(None)
        );
    }

    #[test]
    fn expired_rows_are_purged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("store");
        let day = 24 * 3600;
        let then = 1_000_000;
        // Codes: unused and expired; used and expired long ago; used and
        // recently expired (kept for replay detection); live.
        store
            .insert_code("unused", &code(then + 300), then)
            .expect("insert");
        store
            .insert_code("old", &code(then + 300), then)
            .expect("insert");
        store.consume_code("old", then).expect("consume");
        let now = then + 2 * day;
        store
            .insert_code("recent", &code(now - 10), now - 400)
            .expect("insert");
        store.consume_code("recent", now - 300).expect("consume");
        // Grants: one whose refresh token expired long ago, one live.
        store
            .insert_code("g1", &code(then + 300), then)
            .expect("insert");
        assert_eq!(
            redeem(&store, "g1", "expired", then + 60, then),
            Redemption::Redeemed
        );
        store
            .insert_code("g2", &code(now + 300), now)
            .expect("insert");
        assert_eq!(
            redeem(&store, "g2", "live", now + day, now),
            Redemption::Redeemed
        );
        assert!(store.code("unused").expect("read").is_none());
        assert!(store.code("old").expect("read").is_none());
        assert!(store.code("recent").expect("read").is_some());
        assert!(store.oauth_grant("expired").expect("grant").is_none());
        assert!(store.oauth_grant("live").expect("grant").is_some());
        // A revoked grant goes a day after its revocation.
        store.revoke_origin("live", now).expect("revoke");
        store
            .insert_code("g3", &code(now + day + 400), now + day + 1)
            .expect("insert");
        assert_eq!(
            redeem(&store, "g3", "next", now + 3 * day, now + day + 1),
            Redemption::Redeemed
        );
        assert!(store.oauth_grant("live").expect("grant").is_none());

        // Sign-up bindings and login sessions expire.
        store
            .insert_signup_binding("b1", "ada", then + 10, then)
            .expect("bind");
        assert_eq!(
            store.signup_binding("b1", then).expect("read").as_deref(),
            Some("ada")
        );
        assert_eq!(store.signup_binding("b1", then + 10).expect("read"), None);
        store
            .insert_signup_binding("b2", "bob", now + 10, now)
            .expect("bind");
        let count: i64 = store
            .conn()
            .query_row("SELECT COUNT(*) FROM signup_bindings", [], |row| row.get(0))
            .expect("count");
        assert_eq!(count, 1);
    }
}
