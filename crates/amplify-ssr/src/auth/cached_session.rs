//! The session decided from caches alone, for the common request: one copy of each session cookie, tokens the
//! runner verified before and that have not expired, nothing written in this context yet. Such a request is
//! answered without waiting, without allocating and without any call, which is what keeps a protected request
//! within a few microseconds of a bare one.
//!
//! This path only ever agrees with the full one ([`super::tokens::load`] and [`super::refresh::get_tokens`]): it
//! answers only when the full path would find the same valid session, and returns `None` for everything else
//! (no session, several copies of a cookie, a token not in the verified-token cache, an expired or revoked
//! token, a context that already wrote cookies), which the caller then hands to the full path. No check is
//! skipped: the tokens were verified in full when they entered the cache, and the time checks, the revocation
//! list and the one-user rule are applied again here on every request.

use std::borrow::Cow;
use std::time::SystemTime;

use super::token_user::same_user;
use super::tokens::{SignInDetails, clock_drift_ms, expired_by_rule};
use crate::context::ServerContext;
use crate::cookies::{FALLBACK_USERNAME, RequestCookies, TokenSlot, join_chunks};
use crate::jwt::{TokenUse, VerifiedJwt};

/// A valid, unexpired session read from the request's cookies and the runner's caches.
pub(crate) struct CachedSession<'c> {
    pub(crate) access: VerifiedJwt,
    pub(crate) id: Option<VerifiedJwt>,
    /// The username the tokens are stored under (`LastAuthUser`).
    pub(crate) key_username: Cow<'c, str>,
    cookies: &'c RequestCookies,
    names: &'c crate::cookies::AuthCookieNames,
}

impl CachedSession<'_> {
    /// The `signInDetails` cookie, when every copy agrees and it parses (as the full path reads it).
    pub(crate) fn sign_in_details(&self) -> Option<SignInDetails> {
        let raw =
            self.names
                .with_user_key(&self.key_username, TokenSlot::SignInDetails, |key| {
                    unanimous(self.cookies, key)
                })?;
        serde_json::from_str(&raw).ok()
    }
}

/// What the caches alone can tell about a request's session.
pub(crate) enum Lookup<'c> {
    /// A valid, unexpired session.
    Valid(CachedSession<'c>),
    /// No access-token cookie at all: signed out, as the full path would find.
    NoSession,
    /// Only the full path can tell.
    Undecided,
}

/// What [`lookup`] decided, without the session: what route protection and the eager refresh need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// A valid, unexpired session.
    Valid,
    /// No access-token cookie at all.
    NoSession,
    /// Only the full path can tell.
    Undecided,
}

/// [`lookup`]'s decision, made once per request: the eager refresh and route protection both ask, and the answer
/// stands as long as the context has written nothing (a write hands every later read to the full path).
pub(crate) fn decision(ctx: &ServerContext, now: SystemTime) -> Decision {
    if ctx.unwritten_request_cookies().is_none() {
        return Decision::Undecided;
    }
    *ctx.cached_decision()
        .get_or_init(|| match lookup(ctx, now) {
            Lookup::Valid(_) => Decision::Valid,
            Lookup::NoSession => Decision::NoSession,
            Lookup::Undecided => Decision::Undecided,
        })
}

/// The session of `ctx`, as far as the request's cookies and the runner's caches can tell. Does not record a
/// session read (callers whose response depends on it do).
pub(crate) fn lookup(ctx: &ServerContext, now: SystemTime) -> Lookup<'_> {
    match session(ctx, now) {
        Some(Some(session)) => Lookup::Valid(session),
        Some(None) => Lookup::NoSession,
        None => Lookup::Undecided,
    }
}

/// `Some(Some(_))`: valid; `Some(None)`: no access-token cookie; `None`: undecided.
fn session(ctx: &ServerContext, now: SystemTime) -> Option<Option<CachedSession<'_>>> {
    let runtime = ctx.runner().auth_runtime().ok()?;
    let cookies = ctx.unwritten_request_cookies()?;
    let names = &runtime.cookie_names;
    let key_username = one_value(cookies.values(names.last_auth_user_key()))?
        .unwrap_or(Cow::Borrowed(FALLBACK_USERNAME));
    // Whether to look for chunks of split cookies: known from the cookie index, false for the usual request.
    let chunked_request = cookies.may_have_chunks();
    // Tokens are only looked up in the cache, so they are read as bytes (no UTF-8 check, no copy).
    let token = |slot| {
        names.with_user_key(&key_username, slot, |key| {
            let found = one_value(cookies.values_raw(key))?;
            if !chunked_request {
                return Some(found);
            }
            // Chunks of a split cookie are one more copy; chunks that do not join leave the decision to the
            // full path.
            match (join_chunks(cookies, key), found) {
                (None, found) => Some(found),
                (Some(Err(_)), _) => None,
                (Some(Ok(joined)), None) => Some(Some(Cow::Owned(joined.into_bytes()))),
                (Some(Ok(joined)), Some(found)) => {
                    (*found == *joined.as_bytes()).then_some(Some(found))
                }
            }
        })
    };
    let verified = |raw: &[u8], expected| {
        let verified = runtime
            .verifier
            .verify_cached_bytes(raw, expected, now)?
            .ok()?;
        (!verified.expired && !runtime.revoked_sessions.is_revoked(&verified.claims, now))
            .then_some(verified)
    };

    let Some(access) = token(TokenSlot::AccessToken)? else {
        return Some(None);
    };
    let access = verified(&access, TokenUse::Access)?;
    // aws-amplify's route handlers once wrote the literal "undefined" when no id token came back.
    let id = match token(TokenSlot::IdToken)?.filter(|raw| **raw != *b"undefined") {
        None => None,
        Some(raw) => {
            let id = verified(&raw, TokenUse::Id)?;
            if !same_user(&access.claims, &id.claims) {
                return None;
            }
            Some(id)
        }
    };
    let drift_cookie = names.with_user_key(&key_username, TokenSlot::ClockDrift, |key| {
        unanimous(cookies, key)
    });
    let drift = clock_drift_ms(ctx.runner().cookie_mode(), drift_cookie.as_deref());
    if expired_by_rule(&access.claims, id.as_ref().map(|id| &id.claims), drift, now) {
        return None;
    }
    Some(Some(CachedSession {
        access,
        id,
        key_username,
        cookies,
        names,
    }))
}

/// The one distinct non-empty value among `values` (text or bytes): `Some(None)` when there is none, `None` when
/// copies disagree.
fn one_value<'v, B>(values: impl Iterator<Item = Cow<'v, B>>) -> Option<Option<Cow<'v, B>>>
where
    B: ToOwned + AsRef<[u8]> + PartialEq + ?Sized + 'v,
{
    let mut found: Option<Cow<'v, B>> = None;
    for value in values.filter(|value| !(**value).as_ref().is_empty()) {
        match &found {
            None => found = Some(value),
            Some(seen) if *seen == value => {}
            Some(_) => return None,
        }
    }
    Some(found)
}

/// The value of a cookie whose copies all agree (as [`super::copies::unanimous`]).
fn unanimous<'c>(cookies: &'c RequestCookies, key: &str) -> Option<Cow<'c, str>> {
    one_value(cookies.values(key)).flatten()
}
