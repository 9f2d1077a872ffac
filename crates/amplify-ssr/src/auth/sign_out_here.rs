//! The part of a sign-out that happens on this server whatever Cognito answers, and the choice of what to revoke
//! with Cognito: shared by [`sign_out`](crate::sign_out) and the managed-login sign-out callback.
//!
//! A request may carry copies of the session cookies planted by another site (cookie tossing, see
//! [`super::copies`]), sent first. So the tokens revoked with Cognito are chosen as the session is chosen when it
//! is read, not by the order the copies came in:
//!
//! * the session's user is the one its verified access-token copies name ([`copies::verified_access_tokens`]);
//!   only that user's access token may be used for `GlobalSignOut`, and only when the copies name one user;
//! * the refresh tokens under that user's keys are the session's own: they are always revoked, first, and the
//!   sign-out reports a revocation only when Cognito confirmed theirs;
//! * the copies under other keys are revoked after them, at most [`MAX_COPIES`], so planted copies can neither
//!   crowd out the session's own nor make one request call Cognito without bound.
//!
//! When verified copies of two users arrive together, which one is the browser's own cannot be told: both users'
//! refresh tokens count as the session's own (revoking the other user's harms nobody but whoever planted it), and
//! no `GlobalSignOut` is made. When no copy verifies, the keys `LastAuthUser` names are the session's, provided
//! all its copies agree.

use std::time::SystemTime;

use super::copies::{self, Choice, MAX_COPIES};
use super::hooks::{self, AuthEvent};
use super::identity::forget_session_credentials;
use super::shared::SignOutNotice;
use super::tokens;
use crate::auth::runtime::AuthRuntime;
use crate::context::ServerContext;
use crate::cookies::{AuthCookieNames, FALLBACK_USERNAME, TokenSlot};
use crate::jwt::{Claims, TokenUse};
use crate::secret::{AccessToken, RefreshToken};
use crate::store::Revocation;

/// The tokens a sign-out found, for revocation with Cognito.
#[derive(Debug, Default)]
pub(crate) struct FoundTokens {
    /// The session's own verified access token, for `GlobalSignOut`: `None` when no copy verifies or copies of
    /// more than one user do.
    pub(crate) access_token: Option<AccessToken>,
    /// The distinct refresh-token copies under the session's own keys, in the order sent.
    own_refresh_tokens: Vec<RefreshToken>,
    /// Whether `own_refresh_tokens` holds the session's own refresh token for sure: the session's keys are known
    /// and none of them carried more copies than are looked at.
    own_complete: bool,
    /// Distinct refresh-token copies under other keys, in the order sent (at most [`MAX_COPIES`]).
    other_refresh_tokens: Vec<RefreshToken>,
    /// Whether the request carried any access- or refresh-token cookie at all.
    any: bool,
}

impl FoundTokens {
    /// Whether there is nothing to revoke: the request carried no token cookie.
    pub(crate) fn is_empty(&self) -> bool {
        !self.any
    }

    /// Revokes the session's own refresh tokens, then the other copies, with `revoker`. Returns whether Cognito
    /// confirmed the revocation of the session's own refresh token (every copy under its keys); failures are
    /// logged, never returned: the user is signed out locally whatever Cognito answers.
    pub(crate) async fn revoke_refresh_tokens(&self, revoker: &impl RevokeRefreshToken) -> bool {
        let mut own_revoked = self.own_complete && !self.own_refresh_tokens.is_empty();
        for token in &self.own_refresh_tokens {
            if let Err(e) = revoker.revoke(token).await {
                tracing::warn!(error = %e, "refresh token revocation failed; signing out locally anyway");
                own_revoked = false;
            }
        }
        for token in &self.other_refresh_tokens {
            if let Err(e) = revoker.revoke(token).await {
                tracing::debug!(error = %e, "revocation of another refresh-token copy failed");
            }
        }
        if !self.own_complete {
            tracing::warn!(
                "the session's own refresh token could not be told apart from other copies (cookies planted by \
                 another site?); it may not have been revoked"
            );
        }
        own_revoked
    }
}

/// Where refresh tokens are revoked: Cognito's `RevokeToken` API, or managed login's `/oauth2/revoke`.
pub(crate) trait RevokeRefreshToken {
    /// Why a revocation failed (logged).
    type Error: std::fmt::Display;

    /// Revokes one refresh token.
    fn revoke(&self, token: &RefreshToken) -> impl Future<Output = Result<(), Self::Error>> + Send;
}

/// Ends the session on this server, under every username the `LastAuthUser` copies name (or the fallback
/// username without one), and returns what to revoke with Cognito (see the [module docs](self)):
///
/// * each access and id token copy that verifies is remembered as signed out here, so this runner refuses its
///   session until the tokens expire ([`super::revocations`]);
/// * each refresh token copy is refused by the refresh cache for its reuse window;
/// * the cached identity-pool credentials of the id tokens are dropped;
/// * every session cookie of those usernames, and `LastAuthUser`, is cleared.
///
/// Every copy is covered, not only the first: the user asked to sign out, and a copy left behind (or planted in
/// front of the genuine one) must not keep the session alive.
pub(crate) async fn end_session(ctx: &ServerContext, runtime: &AuthRuntime) -> FoundTokens {
    let client_id = runtime.config.user_pool_client_id.as_str();
    let names = AuthCookieNames::new(client_id);
    let now = SystemTime::now();
    // Chosen before anything is revoked here: a session signed out here no longer verifies.
    let owner = owner(ctx, runtime, &names, now).await;
    let mut usernames = tokens::usernames(ctx, client_id);
    if usernames.is_empty() {
        usernames.push(FALLBACK_USERNAME.to_owned());
    }
    // The session's own keys first (a stable sort keeps the order sent otherwise).
    usernames.sort_by_key(|username| !owner.usernames.contains(username));

    let mut found = FoundTokens {
        access_token: owner.access_token.clone(),
        own_complete: !owner.usernames.is_empty(),
        ..FoundTokens::default()
    };
    let mut seen = Vec::new();
    // What the shared store is told, once per session, in one background task after the loop.
    let mut notice = SignOutNotice::default();
    for username in &usernames {
        for (slot, token_use) in [
            (TokenSlot::AccessToken, TokenUse::Access),
            (TokenSlot::IdToken, TokenUse::Id),
        ] {
            for raw in copies::copies(ctx, &names.user_key(username, slot)).values {
                found.any |= slot == TokenSlot::AccessToken;
                if let Some(revocation) = revoke_here(ctx, runtime, &raw, token_use, now).await {
                    notice.revoke(revocation);
                }
            }
        }
        let own = owner.usernames.contains(username);
        let refresh = copies::copies(ctx, &names.user_key(username, TokenSlot::RefreshToken));
        if own && refresh.too_many {
            found.own_complete = false;
        }
        for raw in refresh.values {
            found.any = true;
            if seen.contains(&raw) {
                continue;
            }
            seen.push(raw.clone());
            let token = RefreshToken::new(raw);
            // Old cookies replayed right after sign-out must not get tokens from the refresh cache.
            notice.forget_refresh(runtime.refresher.revoke(&token));
            if own {
                found.own_refresh_tokens.push(token);
            } else if found.other_refresh_tokens.len() < MAX_COPIES {
                found.other_refresh_tokens.push(token);
            }
        }
        forget_session_credentials(ctx, runtime, username, &mut notice);
        tokens::clear(ctx, client_id, username);
    }
    if let Some(shared) = &runtime.shared {
        // The in-process lists are up to date: the response does not wait on the store.
        shared.sign_out(notice);
    }
    if found.any {
        let event = match &owner.claims {
            Some((claims, key_username)) => AuthEvent::of(ctx, claims, key_username),
            None => AuthEvent {
                username: owner.usernames.first().cloned().unwrap_or_default(),
                user_id: None,
                context: ctx.kind(),
            },
        };
        hooks::fire(ctx, "sign_out", |hooks| hooks.on_sign_out(&event));
    }
    found
}

/// Whose session a sign-out ends.
struct Owner {
    /// The verified access token, when the copies name one user.
    access_token: Option<AccessToken>,
    /// The key usernames whose refresh tokens are the session's own; empty when that cannot be told.
    usernames: Vec<String>,
    /// The verified access token's claims and key username, when the copies name one user (for the hooks).
    claims: Option<(Claims, String)>,
}

async fn owner(
    ctx: &ServerContext,
    runtime: &AuthRuntime,
    names: &AuthCookieNames,
    now: SystemTime,
) -> Owner {
    match copies::verified_access_tokens(ctx, runtime, names, now).await {
        Ok(Some(verified)) if !verified.is_empty() => {
            let mut usernames = Vec::new();
            for copy in &verified {
                if !usernames.contains(&copy.username) {
                    usernames.push(copy.username.clone());
                }
            }
            let (access_token, claims) = match copies::one_user(verified) {
                Choice::One(copy) => (
                    Some(AccessToken::new(copy.raw)),
                    Some((copy.claims, copy.username)),
                ),
                Choice::None | Choice::Ambiguous => (None, None),
            };
            return Owner {
                access_token,
                usernames,
                claims,
            };
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(
            error = %e,
            "the signing keys are unavailable; the session's tokens cannot be checked at sign-out"
        ),
    }
    // No copy to go by: the keys LastAuthUser names, when its copies agree.
    let named = copies::usernames(ctx, names);
    let usernames = match (named.disagree(), named.values.first()) {
        (true, _) => Vec::new(),
        (false, Some(username)) => vec![username.clone()],
        (false, None) => vec![FALLBACK_USERNAME.to_owned()],
    };
    Owner {
        access_token: None,
        usernames,
        claims: None,
    }
}

/// Remembers the session of a token copy as signed out here, when it verifies; returns the revocation to share.
async fn revoke_here(
    ctx: &ServerContext,
    runtime: &AuthRuntime,
    raw: &str,
    token_use: TokenUse,
    now: SystemTime,
) -> Option<Revocation> {
    match ctx
        .verified_tokens()
        .verify(&runtime.verifier, raw, token_use, now)
        .await
    {
        Ok(verified) => runtime.revoked_sessions.revoke(&verified.claims, now),
        Err(e) if e.is_transient() => {
            tracing::warn!(
                error = %e,
                "the signing keys are unavailable; this session's tokens stay valid here until they expire"
            );
            None
        }
        Err(e) => {
            tracing::debug!(error = %e, token = %token_use, "a signed-out token failed verification");
            None
        }
    }
}
