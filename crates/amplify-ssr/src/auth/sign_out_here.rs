//! The part of a sign-out that happens on this server whatever Cognito answers: shared by
//! [`sign_out`](crate::sign_out) and the managed-login sign-out callback.

use std::time::SystemTime;

use super::copies::{self, MAX_COPIES};
use super::identity::forget_session_credentials;
use super::tokens;
use crate::context::{AuthRuntime, ServerContext};
use crate::cookies::{AuthCookieNames, TokenSlot};
use crate::jwt::TokenUse;
use crate::secret::{AccessToken, RefreshToken};

/// The tokens a sign-out found, for revocation with Cognito.
#[derive(Debug, Default)]
pub(crate) struct FoundTokens {
    /// Distinct access tokens, in the order sent (the session's, first, in the usual case of one copy).
    pub(crate) access_tokens: Vec<AccessToken>,
    /// Distinct refresh tokens, in the order sent (at most [`MAX_COPIES`]).
    pub(crate) refresh_tokens: Vec<RefreshToken>,
}

impl FoundTokens {
    /// Whether there is anything to revoke.
    pub(crate) fn is_empty(&self) -> bool {
        self.access_tokens.is_empty() && self.refresh_tokens.is_empty()
    }
}

/// Ends the session on this server, under every username in `usernames` (the `LastAuthUser` copies):
///
/// * each access and id token copy that verifies is remembered as signed out here, so this runner refuses its
///   session until the tokens expire ([`super::revocations`]);
/// * each refresh token copy is refused by the refresh cache for its reuse window;
/// * the cached identity-pool credentials of the id tokens are dropped;
/// * every session cookie of those usernames, and `LastAuthUser`, is cleared.
///
/// Every copy is covered, not only the first: the user asked to sign out, and a copy left behind (or planted in
/// front of the genuine one) must not keep the session alive.
pub(crate) async fn end_session(
    ctx: &ServerContext,
    runtime: &AuthRuntime,
    usernames: &[String],
) -> FoundTokens {
    let client_id = runtime.config.user_pool_client_id.as_str();
    let names = AuthCookieNames::new(client_id);
    let now = SystemTime::now();
    let mut found = FoundTokens::default();
    for username in usernames {
        for (slot, token_use) in [
            (TokenSlot::AccessToken, TokenUse::Access),
            (TokenSlot::IdToken, TokenUse::Id),
        ] {
            for raw in copies::copies(ctx, &names.user_key(username, slot)).values {
                match ctx
                    .verify_token(&runtime.verifier, &raw, token_use, now)
                    .await
                {
                    Ok(verified) => runtime.revoked_sessions.revoke(&verified.claims, now),
                    Err(e) if e.is_transient() => tracing::warn!(
                        error = %e,
                        "the signing keys are unavailable; this session's tokens stay valid here until they expire"
                    ),
                    Err(e) => {
                        tracing::debug!(error = %e, token = %token_use, "a signed-out token failed verification")
                    }
                }
                if slot == TokenSlot::AccessToken {
                    found.access_tokens.push(AccessToken::new(raw));
                }
            }
        }
        for raw in copies::copies(ctx, &names.user_key(username, TokenSlot::RefreshToken)).values {
            let token = RefreshToken::new(raw);
            // Old cookies replayed right after sign-out must not get tokens from the refresh cache.
            runtime.refresher.revoke(&token);
            if found.refresh_tokens.len() < MAX_COPIES {
                found.refresh_tokens.push(token);
            }
        }
        forget_session_credentials(ctx, runtime, username);
        tokens::clear(ctx, client_id, username);
    }
    found
}
