//! Users' MFA settings: TOTP secrets and the factors they enabled.

use rusqlite::{OptionalExtension, params};

use super::Store;
use crate::LocalError;
use crate::MfaFactor;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS user_mfa (
    username       TEXT PRIMARY KEY,
    totp_secret    TEXT,
    totp_pending   TEXT,
    totp_last_step INTEGER,
    sms_enabled    INTEGER NOT NULL DEFAULT 0,
    totp_enabled   INTEGER NOT NULL DEFAULT 0,
    email_enabled  INTEGER NOT NULL DEFAULT 0,
    preferred      TEXT
);
";

/// One user's MFA settings (all off for a user without a row).
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct MfaRecord {
    /// The verified TOTP secret (base32).
    pub(crate) totp_secret: Option<String>,
    /// A secret from AssociateSoftwareToken, not yet verified.
    pub(crate) totp_pending: Option<String>,
    pub(crate) sms_enabled: bool,
    pub(crate) totp_enabled: bool,
    pub(crate) email_enabled: bool,
    pub(crate) preferred: Option<MfaFactor>,
}

impl std::fmt::Debug for MfaRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MfaRecord")
            .field("totp_verified", &self.totp_secret.is_some())
            .field("sms_enabled", &self.sms_enabled)
            .field("totp_enabled", &self.totp_enabled)
            .field("email_enabled", &self.email_enabled)
            .field("preferred", &self.preferred)
            .finish_non_exhaustive()
    }
}

impl MfaRecord {
    /// Whether the user enabled a factor.
    pub(crate) fn enabled(&self, factor: MfaFactor) -> bool {
        match factor {
            MfaFactor::Sms => self.sms_enabled,
            MfaFactor::Totp => self.totp_enabled,
            MfaFactor::Email => self.email_enabled,
        }
    }

    /// Enables or disables a factor; disabling the preferred one forgets
    /// the preference.
    pub(crate) fn set_enabled(&mut self, factor: MfaFactor, on: bool) {
        match factor {
            MfaFactor::Sms => self.sms_enabled = on,
            MfaFactor::Totp => self.totp_enabled = on,
            MfaFactor::Email => self.email_enabled = on,
        }
        if !on && self.preferred == Some(factor) {
            self.preferred = None;
        }
    }
}

impl Store {
    /// A user's MFA settings.
    pub(crate) fn mfa(&self, username: &str) -> Result<MfaRecord, LocalError> {
        let row = self
            .conn()
            .query_row(
                "SELECT totp_secret, totp_pending, sms_enabled, totp_enabled, email_enabled, preferred
                 FROM user_mfa WHERE username = ?1",
                [username],
                |row| {
                    Ok((
                        row.get::<_, Option<String>>(0)?,
                        row.get::<_, Option<String>>(1)?,
                        row.get::<_, bool>(2)?,
                        row.get::<_, bool>(3)?,
                        row.get::<_, bool>(4)?,
                        row.get::<_, Option<String>>(5)?,
                    ))
                },
            )
            .optional()?;
        let Some((totp_secret, totp_pending, sms_enabled, totp_enabled, email_enabled, preferred)) =
            row
        else {
            return Ok(MfaRecord::default());
        };
        Ok(MfaRecord {
            totp_secret,
            totp_pending,
            sms_enabled,
            totp_enabled,
            email_enabled,
            preferred: preferred
                .as_deref()
                .and_then(MfaFactor::from_challenge_name),
        })
    }

    /// Stores a user's MFA settings (keeping the last used TOTP step).
    pub(crate) fn save_mfa(&self, username: &str, record: &MfaRecord) -> Result<(), LocalError> {
        self.conn().execute(
            "INSERT INTO user_mfa (username, totp_secret, totp_pending, sms_enabled, totp_enabled,
                email_enabled, preferred)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (username) DO UPDATE SET totp_secret = ?2, totp_pending = ?3,
                sms_enabled = ?4, totp_enabled = ?5, email_enabled = ?6, preferred = ?7",
            params![
                username,
                record.totp_secret,
                record.totp_pending,
                record.sms_enabled,
                record.totp_enabled,
                record.email_enabled,
                record.preferred.map(MfaFactor::challenge_name),
            ],
        )?;
        Ok(())
    }

    /// Records that a TOTP step was used; `Ok(false)` when it (or a later
    /// one) was used already, so that no code works twice.
    pub(crate) fn use_totp_step(&self, username: &str, step: i64) -> Result<bool, LocalError> {
        let conn = self.conn();
        conn.execute(
            "INSERT OR IGNORE INTO user_mfa (username) VALUES (?1)",
            [username],
        )?;
        let changed = conn.execute(
            "UPDATE user_mfa SET totp_last_step = ?2
             WHERE username = ?1 AND (totp_last_step IS NULL OR totp_last_step < ?2)",
            params![username, step],
        )?;
        Ok(changed == 1)
    }
}
