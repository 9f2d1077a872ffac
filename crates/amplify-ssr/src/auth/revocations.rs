//! What this process has revoked: the sessions signed out here, and the refresh tokens revoked at sign-out.
//!
//! # Sessions signed out here
//!
//! Access and id tokens are verified offline, so without more a signed-out session's tokens would still be
//! accepted until they expire. After a sign-out through this server ([`sign_out`](crate::sign_out) or the
//! managed-login sign-out callback), [`RevokedSessions`] remembers the session by Cognito's `origin_jti` claim
//! (the id of the sign-in, carried by both the access and the id token and kept across refreshes) until the
//! tokens' `exp` plus [`CLOCK_SKEW_SECS`]. Reading the session treats a token of a revoked session as no token at
//! all, so replayed cookies are signed out without a call to Cognito. Tokens without `origin_jti` (issuers that
//! do not set it) are remembered by their own `jti`. Only tokens that pass verification are recorded, so a
//! request cannot fill the list with made-up ids.
//!
//! **In this process only.** Other instances of the application (behind the same load balancer, or after a
//! restart) do not see these revocations: they accept the tokens until they expire (the access-token lifetime,
//! 1 hour by default), unless the runner has a shared store ([`crate::store`]): then a sign-out is published to
//! the store, and every instance adds it to its own list from a subscription (and loads the store's live list
//! when it starts or reconnects). Requests only ever read the in-process list.
//!
//! # Bounds
//!
//! Both lists are [`ExpiringSet`]s: swept on every insert and capped, so memory stays flat however many
//! sign-outs arrive (about 150 bytes an entry). [`RevokedSessions`] holds at most
//! [`REVOKED_SESSIONS_CAPACITY`] sessions (about 7.5 MB when full); [`RefreshTombstones`] at most
//! [`REFRESH_TOMBSTONES_CAPACITY`] refresh tokens, each for the refresh reuse window (30 s). When a list is full
//! of live entries, the one that would expire first is forgotten: for a session, that means this server accepts
//! its remaining tokens again until they expire, as it would without the list.

use std::sync::{Mutex, PoisonError};
use std::time::{Instant, SystemTime};

use super::expiring_set::ExpiringSet;
use crate::jwt::Claims;
use crate::jwt::unix_seconds;
use crate::secret::hash_key;
use crate::store::Revocation;

/// How many signed-out sessions a runner remembers.
pub(crate) const REVOKED_SESSIONS_CAPACITY: usize = 50_000;

/// How many refresh tokens revoked at sign-out a runner refuses at once (each for the refresh reuse window).
pub(crate) const REFRESH_TOMBSTONES_CAPACITY: usize = 10_000;

/// How long after a token's `exp` its session is still remembered. The verifier allows no leeway on `exp`,
/// so this is only a margin for the clock being read at slightly different moments.
pub(crate) const CLOCK_SKEW_SECS: i64 = 60;

/// The longest a revocation heard from the shared store is kept: 24 hours, Cognito's longest access and id token
/// lifetime.
pub(crate) const MAX_SHARED_REVOCATION_SECS: i64 = 24 * 60 * 60;

/// Sessions signed out through this runner, refused until their tokens expire (see the [module docs](self)).
#[derive(Debug)]
pub(crate) struct RevokedSessions {
    sessions: Mutex<ExpiringSet<[u8; 32], i64>>,
}

impl Default for RevokedSessions {
    fn default() -> Self {
        Self::with_capacity(REVOKED_SESSIONS_CAPACITY)
    }
}

impl RevokedSessions {
    /// A list remembering at most `capacity` sessions.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            sessions: Mutex::new(ExpiringSet::new(capacity)),
        }
    }

    /// Refuses the session of a verified token (access or id) until the token's `exp` plus the clock skew.
    /// A token with neither `origin_jti` nor `jti`, or without `exp`, cannot be remembered.
    /// Returns the revocation to share with other instances.
    pub(crate) fn revoke(&self, claims: &Claims, now: SystemTime) -> Option<Revocation> {
        let (Some(key), Some(exp)) = (session_key(claims), claims.exp()) else {
            tracing::debug!(
                "a signed-out token has no origin_jti, jti or exp; it cannot be refused here"
            );
            return None;
        };
        let until = exp.saturating_add(CLOCK_SKEW_SECS);
        self.lock().insert(key, until, unix_seconds(now));
        Some(Revocation::new(key, until))
    }

    /// Refuses a session another instance signed out (from the shared store), for at most
    /// [`MAX_SHARED_REVOCATION_SECS`]: `until` comes from the store, so a far-future value written there by
    /// anyone who can write to it does not stay in the list for ever.
    pub(crate) fn insert_shared(&self, revocation: Revocation) {
        self.insert_shared_at(revocation, SystemTime::now());
    }

    fn insert_shared_at(&self, revocation: Revocation, now: SystemTime) {
        let now = unix_seconds(now);
        let until = revocation
            .until
            .min(now.saturating_add(MAX_SHARED_REVOCATION_SECS));
        self.lock().insert(revocation.session, until, now);
    }

    /// Whether the token belongs to a session signed out here.
    pub(crate) fn is_revoked(&self, claims: &Claims, now: SystemTime) -> bool {
        let sessions = self.lock();
        // Nothing signed out here (the usual case on a fresh process): no digest to compute.
        !sessions.is_empty()
            && session_key(claims).is_some_and(|key| sessions.contains(&key, unix_seconds(now)))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ExpiringSet<[u8; 32], i64>> {
        // Each update is a single insert or sweep step; the set stays usable after a panic elsewhere.
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }
}

/// The session a token belongs to: its `origin_jti`, or failing that its own `jti` (namespaced, so the two can
/// never collide).
fn session_key(claims: &Claims) -> Option<[u8; 32]> {
    let (kind, id) = match (claims.origin_jti(), claims.str("jti")) {
        (Some(origin), _) => ("origin_jti", origin),
        (None, Some(jti)) => ("jti", jti),
        (None, None) => return None,
    };
    Some(hash_key(&[kind, id]))
}

/// Refresh tokens revoked at sign-out (by their hash), refused by the refresh coordinator for the reuse window
/// so that cookies replayed right after a sign-out get nothing from its cache. Capped at
/// [`REFRESH_TOMBSTONES_CAPACITY`]: a sign-out with a made-up refresh token costs a bounded amount of memory.
#[derive(Debug)]
pub(crate) struct RefreshTombstones(ExpiringSet<[u8; 32], Instant>);

impl Default for RefreshTombstones {
    fn default() -> Self {
        Self(ExpiringSet::new(REFRESH_TOMBSTONES_CAPACITY))
    }
}

impl RefreshTombstones {
    /// Refuses the refresh token hashed to `key` until `until`.
    pub(crate) fn insert(&mut self, key: [u8; 32], until: Instant, now: Instant) {
        self.0.insert(key, until, now);
    }

    /// Whether the refresh token hashed to `key` is refused at `now`.
    pub(crate) fn contains(&self, key: &[u8; 32], now: Instant) -> bool {
        self.0.contains(key, now)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use serde_json::json;

    use super::*;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn a_revoked_session_is_refused_until_exp_plus_the_skew() {
        let revoked = RevokedSessions::default();
        let access = Claims::from_json(json!({"origin_jti": "o1", "jti": "a1", "exp": 1_000}));
        let id = Claims::from_json(json!({"origin_jti": "o1", "jti": "i1", "exp": 1_000}));
        let refreshed = Claims::from_json(json!({"origin_jti": "o1", "jti": "a2", "exp": 4_600}));
        let other = Claims::from_json(json!({"origin_jti": "o2", "jti": "a3", "exp": 1_000}));
        revoked.revoke(&access, at(500));
        // Every token of the sign-in, the id token and later refreshes included, is refused.
        assert!(revoked.is_revoked(&access, at(500)));
        assert!(revoked.is_revoked(&id, at(500)));
        assert!(revoked.is_revoked(&refreshed, at(1_000)));
        assert!(!revoked.is_revoked(&other, at(500)));
        assert!(revoked.is_revoked(&access, at(1_000 + 59)));
        assert!(!revoked.is_revoked(&access, at(1_000 + 60)));
    }

    #[test]
    fn without_origin_jti_each_token_is_refused_by_its_jti() {
        let revoked = RevokedSessions::default();
        let access = Claims::from_json(json!({"jti": "a1", "exp": 1_000}));
        let id = Claims::from_json(json!({"jti": "i1", "exp": 1_000}));
        revoked.revoke(&access, at(0));
        assert!(revoked.is_revoked(&access, at(0)));
        assert!(
            !revoked.is_revoked(&id, at(0)),
            "another token, not covered"
        );
        // A jti never matches an origin_jti of the same text.
        assert!(!revoked.is_revoked(
            &Claims::from_json(json!({"origin_jti": "a1", "exp": 1_000})),
            at(0)
        ));
    }

    #[test]
    fn tokens_without_an_id_or_an_expiry_are_not_remembered() {
        let revoked = RevokedSessions::default();
        revoked.revoke(&Claims::from_json(json!({"exp": 1_000})), at(0));
        revoked.revoke(&Claims::from_json(json!({"origin_jti": "o1"})), at(0));
        assert_eq!(revoked.len(), 0);
        assert!(!revoked.is_revoked(&Claims::from_json(json!({"origin_jti": "o1"})), at(0)));
    }

    #[test]
    fn the_session_list_stays_at_its_cap() {
        let revoked = RevokedSessions::with_capacity(100);
        for n in 0..10_000 {
            revoked.revoke(
                &Claims::from_json(json!({"origin_jti": format!("o{n}"), "exp": 1_000 + n})),
                at(0),
            );
        }
        assert_eq!(revoked.len(), 100);
        assert!(revoked.is_revoked(&Claims::from_json(json!({"origin_jti": "o9999"})), at(0)));
    }

    #[test]
    fn a_shared_revocation_is_kept_at_most_a_day() {
        let revoked = RevokedSessions::default();
        let claims = Claims::from_json(json!({"origin_jti": "o1", "exp": 1_000}));
        let session = session_key(&claims).unwrap();
        revoked.insert_shared_at(Revocation::new(session, i64::MAX), at(0));
        let day = MAX_SHARED_REVOCATION_SECS as u64;
        assert!(revoked.is_revoked(&claims, at(day - 1)));
        assert!(
            !revoked.is_revoked(&claims, at(day)),
            "a far-future expiry from the store is clamped"
        );
        // An ordinary expiry is kept as is.
        let other = Claims::from_json(json!({"origin_jti": "o2", "exp": 1_000}));
        revoked.insert_shared_at(Revocation::new(session_key(&other).unwrap(), 500), at(0));
        assert!(revoked.is_revoked(&other, at(499)));
        assert!(!revoked.is_revoked(&other, at(500)));
    }

    /// Far more sign-outs with made-up refresh tokens than the cap, all within one reuse window: the tombstones
    /// stay at the cap (no clock involved: every tombstone is still live).
    #[test]
    fn refresh_tombstones_stay_at_their_cap() {
        let mut tombstones = RefreshTombstones::default();
        let now = Instant::now();
        let until = now + Duration::from_secs(30);
        for n in 0..(REFRESH_TOMBSTONES_CAPACITY as u64 * 5) {
            let mut key = [0u8; 32];
            key[..8].copy_from_slice(&n.to_be_bytes());
            tombstones.insert(key, until, now);
        }
        assert_eq!(tombstones.0.len(), REFRESH_TOMBSTONES_CAPACITY);
        // And they expire: the next insert after the window sweeps them all.
        tombstones.insert([0xff; 32], until + Duration::from_secs(30), until);
        assert_eq!(tombstones.0.len(), 1);
    }
}
