//! The sign-in step cookie: where a sign-in waits between [`sign_in`](crate::sign_in) and
//! [`confirm_sign_in`](crate::confirm_sign_in) (and between two `confirm_sign_in` calls).
//!
//! Cognito links the steps of a sign-in with an opaque `Session` (valid 3 minutes): whoever holds it can answer
//! the pending challenge as the user. aws-amplify keeps it in browser memory; a server has no memory per browser
//! that survives a load balancer, so it travels in a cookie, **sealed with AES-256-GCM**:
//!
//! * The plaintext (the `Session`, the username Cognito expects in `USERNAME`, the challenge name, the auth flow,
//!   the login id and the MFA types offered, and an expiry 3 minutes out) is never visible to the browser or to
//!   anything between it and the server. The nonce is random per seal (96 bits).
//! * **Associated data binds it to this app client and this cookie name**: a value sealed for another app client
//!   (or stored under another name) does not open, even with the same key, so it cannot be moved.
//! * **The expiry is inside the seal** (the cookie's `Max-Age` is only a hint the browser may ignore).
//! * The cookie is `HttpOnly`, `SameSite=Lax`, `Path=/`, host-only, and `Secure` whenever the session cookies are
//!   (then its name carries the `__Host-` prefix, so no sibling host can plant one: see [`crate::auth`]).
//! * Anything that does not open (altered, truncated, another key, another client, expired, several disagreeing
//!   copies) is [`NoSignInReason`], never a panic, and the session cookies are never touched by it.
//!
//! The key comes from [`ServerRunnerBuilder::cookie_encryption_key`](crate::ServerRunnerBuilder::cookie_encryption_key)
//! or the `AMPLIFY_SSR_COOKIE_SECRET` environment variable; without either, each process draws a random key, so
//! **several instances behind a load balancer need a shared key** (a step started on one would not open on
//! another), and a restart ends the sign-ins in progress.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::context::ServerContext;
use crate::cookies::{CookieAttributes, SameSite};
use crate::sealing::Sealer;
use crate::secret::{CookieEncryptionKey, Redacted};

/// How long a sign-in step may wait for its answer: Cognito's `Session` lasts 3 minutes.
pub(crate) const STEP_TTL: Duration = Duration::from_secs(180);

/// The cookie's name without the `__Host-` prefix.
const COOKIE_KEY: &str = "amplify-ssr.sign-in-step";
/// The prefix browsers accept only from the host itself, with `Secure`, `Path=/` and no `Domain`.
const HOST_PREFIX: &str = "__Host-";
/// The version tag in front of the sealed value, so a later format can be told apart.
const VERSION: &str = "v1.";
/// The domain-separation label of the associated data.
const AAD_LABEL: &str = "amplify-ssr sign-in step v1";

/// Why there is no sign-in to continue (see [`AuthError::NoSignInInProgress`](crate::AuthError::NoSignInInProgress)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoSignInReason {
    /// The request carries no sign-in step cookie.
    Missing,
    /// The step is older than 3 minutes (Cognito's `Session` has expired too).
    Expired,
    /// The cookie does not open: altered, truncated, sealed with another key (another process without a shared
    /// key, or a rotated key) or for another app client.
    Invalid,
    /// The request carries several different copies of the cookie (one was planted by another site).
    Disputed,
}

impl fmt::Display for NoSignInReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Missing => "the sign-in step cookie is missing",
            Self::Expired => "the sign-in step has expired (3 minutes)",
            Self::Invalid => {
                "the sign-in step cookie does not open (altered, or sealed with another key or for another app \
                 client; instances behind a load balancer need a shared cookie encryption key)"
            }
            Self::Disputed => "the request carries several different sign-in step cookies",
        })
    }
}

/// A sign-in waiting for its next answer: the sealed cookie's plaintext.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PendingSignIn {
    /// Cognito's `Session` for the next `RespondToAuthChallenge` (or `AssociateSoftwareToken` /
    /// `VerifySoftwareToken` during TOTP set-up).
    #[serde(rename = "s")]
    pub(crate) session: Option<String>,
    /// The username Cognito expects in `USERNAME` (its `USERNAME` or `USER_ID_FOR_SRP` parameter, not an alias).
    #[serde(rename = "u")]
    pub(crate) username: String,
    /// The challenge being answered, by Cognito's name (`MFA_SETUP`, `SMS_MFA`, ...).
    #[serde(rename = "c")]
    pub(crate) challenge: String,
    /// The auth flow's wire name, for the session's sign-in details.
    #[serde(rename = "f")]
    pub(crate) flow: String,
    /// What the user typed to sign in, for the session's sign-in details.
    #[serde(rename = "l")]
    pub(crate) login_id: String,
    /// The MFA types offered (`SMS_MFA`, `SOFTWARE_TOKEN_MFA`, `EMAIL_OTP`) for a selection or a set-up, so an
    /// answer naming another is refused before it reaches Cognito.
    #[serde(rename = "m", default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) mfa_types: Vec<String>,
    /// When the step expires, in seconds since the Unix epoch.
    #[serde(rename = "e")]
    pub(crate) expires_at: u64,
}

impl fmt::Debug for PendingSignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingSignIn")
            .field("session", &self.session.as_ref().map(Redacted))
            .field("username", &self.username)
            .field("challenge", &self.challenge)
            .field("flow", &self.flow)
            .field("mfa_types", &self.mfa_types)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

fn unix_seconds(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl PendingSignIn {
    /// The expiry of a step that starts at `now`.
    pub(crate) fn expiry_from(now: SystemTime) -> u64 {
        unix_seconds(now + STEP_TTL)
    }
}

/// Seals and opens sign-in steps with the runner's cookie encryption key ([`crate::sealing`]).
#[derive(Debug)]
pub(crate) struct StepSealer {
    sealer: Sealer,
}

impl StepSealer {
    pub(crate) fn new(key: &CookieEncryptionKey) -> Self {
        Self {
            sealer: Sealer::new(key),
        }
    }

    /// The cookie value for `step`: `v1.` and the URL-safe base64 of nonce, ciphertext and tag, bound to the app
    /// client and the cookie name.
    pub(crate) fn seal(
        &self,
        step: &PendingSignIn,
        client_id: &str,
        cookie_name: &str,
    ) -> Option<String> {
        let data = serde_json::to_vec(step).ok()?;
        let sealed = self
            .sealer
            .seal(data, AAD_LABEL, &[client_id, cookie_name])?;
        Some(format!("{VERSION}{}", URL_SAFE_NO_PAD.encode(sealed)))
    }

    /// The step sealed in `value`, if it opens for this client and name and has not expired at `now`.
    pub(crate) fn open(
        &self,
        value: &str,
        client_id: &str,
        cookie_name: &str,
        now: SystemTime,
    ) -> Result<PendingSignIn, NoSignInReason> {
        let encoded = value.strip_prefix(VERSION).ok_or(NoSignInReason::Invalid)?;
        let mut sealed = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| NoSignInReason::Invalid)?;
        let plain = self
            .sealer
            .open(&mut sealed, AAD_LABEL, &[client_id, cookie_name])
            .ok_or(NoSignInReason::Invalid)?;
        let step: PendingSignIn =
            serde_json::from_slice(plain).map_err(|_| NoSignInReason::Invalid)?;
        if unix_seconds(now) >= step.expires_at {
            return Err(NoSignInReason::Expired);
        }
        Ok(step)
    }
}

/// The cookie's name and attributes for a runner whose session cookies are (or are not) `Secure`.
fn cookie(secure: bool) -> (String, CookieAttributes) {
    let name = if secure {
        format!("{HOST_PREFIX}{COOKIE_KEY}")
    } else {
        COOKIE_KEY.to_owned()
    };
    let attributes = CookieAttributes {
        path: "/".to_owned(),
        domain: None,
        same_site: Some(SameSite::Lax),
        secure,
        http_only: true,
        expires: None,
        max_age: Some(time::Duration::seconds(STEP_TTL.as_secs() as i64)),
    };
    (name, attributes)
}

fn context_cookie(ctx: &ServerContext) -> (String, CookieAttributes) {
    cookie(ctx.runner().token_cookie_attributes().secure)
}

/// Writes `step` to the context's response.
pub(crate) fn save(
    ctx: &ServerContext,
    sealer: &StepSealer,
    client_id: &str,
    step: &PendingSignIn,
) -> Result<(), crate::AuthError> {
    let (name, attributes) = context_cookie(ctx);
    // A response that carries a sign-in step is one browser's: no cache may store it.
    ctx.note_session_read();
    let value = sealer.seal(step, client_id, &name).ok_or_else(|| {
        crate::AuthError::UnexpectedResponse("the sign-in step could not be sealed".into())
    })?;
    ctx.set_cookie(&name, &value, attributes);
    Ok(())
}

/// Opens the request's sign-in step (this context's own writes first).
pub(crate) fn load(
    ctx: &ServerContext,
    sealer: &StepSealer,
    client_id: &str,
    now: SystemTime,
) -> Result<PendingSignIn, NoSignInReason> {
    let (name, _) = context_cookie(ctx);
    ctx.note_session_read();
    let mut values = ctx.cookie_copies(&name);
    values.retain(|value| !value.is_empty());
    values.dedup();
    match values.as_slice() {
        [] => Err(NoSignInReason::Missing),
        [value] => sealer.open(value, client_id, &name, now),
        _ => Err(NoSignInReason::Disputed),
    }
}

/// Removes the sign-in step cookie, when the request carries one or this context wrote one.
pub(crate) fn clear(ctx: &ServerContext) {
    let (name, attributes) = context_cookie(ctx);
    if !ctx.cookie_copies(&name).is_empty() {
        ctx.remove_cookie(&name, attributes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::aead::NONCE_LEN;

    const CLIENT: &str = "client-1";
    const NAME: &str = "__Host-amplify-ssr.sign-in-step";

    fn key(byte: u8) -> CookieEncryptionKey {
        CookieEncryptionKey::from_bytes([byte; 32])
    }

    fn step(now: SystemTime) -> PendingSignIn {
        PendingSignIn {
            session: Some("cognito-session-value".to_owned()),
            username: "kim".to_owned(),
            challenge: "SMS_MFA".to_owned(),
            flow: "USER_SRP_AUTH".to_owned(),
            login_id: "kim@example.com".to_owned(),
            mfa_types: vec!["SMS_MFA".to_owned()],
            expires_at: PendingSignIn::expiry_from(now),
        }
    }

    #[test]
    fn a_sealed_step_opens_with_the_same_key_client_and_name_only() {
        let now = SystemTime::now();
        let sealer = StepSealer::new(&key(7));
        let sealed = sealer.seal(&step(now), CLIENT, NAME).unwrap();
        assert!(sealed.starts_with("v1."));
        assert!(!sealed.contains("cognito-session-value") && !sealed.contains("kim"));
        assert_eq!(sealer.open(&sealed, CLIENT, NAME, now), Ok(step(now)));
        // Another key, another app client, another cookie name: none opens it.
        assert_eq!(
            StepSealer::new(&key(8)).open(&sealed, CLIENT, NAME, now),
            Err(NoSignInReason::Invalid)
        );
        assert_eq!(
            sealer.open(&sealed, "client-2", NAME, now),
            Err(NoSignInReason::Invalid)
        );
        assert_eq!(
            sealer.open(&sealed, CLIENT, COOKIE_KEY, now),
            Err(NoSignInReason::Invalid)
        );
        // Two seals of the same step differ (random nonces).
        assert_ne!(sealed, sealer.seal(&step(now), CLIENT, NAME).unwrap());
    }

    #[test]
    fn a_step_expires_after_three_minutes() {
        let start = SystemTime::now();
        let sealer = StepSealer::new(&key(1));
        let sealed = sealer.seal(&step(start), CLIENT, NAME).unwrap();
        let just_before = start + STEP_TTL - Duration::from_secs(1);
        assert!(sealer.open(&sealed, CLIENT, NAME, just_before).is_ok());
        assert_eq!(
            sealer.open(&sealed, CLIENT, NAME, start + STEP_TTL),
            Err(NoSignInReason::Expired)
        );
    }

    #[test]
    fn altered_or_truncated_values_are_invalid_not_panics() {
        let now = SystemTime::now();
        let sealer = StepSealer::new(&key(3));
        let sealed = sealer.seal(&step(now), CLIENT, NAME).unwrap();
        let body = &sealed[VERSION.len()..];
        let mut bytes = URL_SAFE_NO_PAD.decode(body).unwrap();
        for index in [0, NONCE_LEN, bytes.len() / 2, bytes.len() - 1] {
            bytes[index] ^= 0x01;
            let altered = format!("{VERSION}{}", URL_SAFE_NO_PAD.encode(&bytes));
            assert_eq!(
                sealer.open(&altered, CLIENT, NAME, now),
                Err(NoSignInReason::Invalid),
                "byte {index}"
            );
            bytes[index] ^= 0x01;
        }
        for cut in [0, 1, 10, NONCE_LEN + 15, body.len() - 1] {
            let truncated = format!("{VERSION}{}", &body[..cut]);
            assert_eq!(
                sealer.open(&truncated, CLIENT, NAME, now),
                Err(NoSignInReason::Invalid),
                "cut at {cut}"
            );
        }
        for junk in ["", "v1.", "v2.abc", "v1.!!!", body, "v1.%00"] {
            assert_eq!(
                sealer.open(junk, CLIENT, NAME, now),
                Err(NoSignInReason::Invalid)
            );
        }
    }

    #[test]
    fn debug_hides_the_session() {
        let printed = format!("{:?}", step(SystemTime::now()));
        assert!(!printed.contains("cognito-session-value"), "{printed}");
        assert!(printed.contains("[redacted]"));
    }

    #[test]
    fn the_cookie_is_host_only_http_only_lax_and_short_lived() {
        let (name, attributes) = cookie(true);
        assert_eq!(name, NAME);
        assert!(attributes.secure && attributes.http_only && attributes.domain.is_none());
        assert_eq!(attributes.path, "/");
        assert_eq!(attributes.same_site, Some(SameSite::Lax));
        assert_eq!(attributes.max_age, Some(time::Duration::seconds(180)));
        let (plain, attributes) = cookie(false);
        assert_eq!(plain, COOKIE_KEY);
        assert!(!attributes.secure && attributes.http_only);
    }
}
