//! Copies of the session cookies, and which of them make the session (cookie tossing).
//!
//! A page on a sibling host or another port of the app's host can set cookies the browser then sends to the app
//! (a `Domain=` cookie from a sibling host; cookies ignore ports). A request may so carry two copies of a session
//! cookie, the genuine one and a planted one, in an order the attacker can influence (a longer `Path` is sent
//! first). Reading the first copy, as js-cookie does, would let a planted copy win: the victim would act in the
//! attacker's account, or lose their session. So the session is read from every copy:
//!
//! * each distinct `LastAuthUser` value names a set of keys, and each distinct access-token copy under those
//!   keys is verified offline (the per-request memo and the runner's verified-token cache make repeats cheap;
//!   Cognito is never called per copy);
//! * copies that fail verification, or belong to a session signed out here ([`super::revocations`]), are
//!   ignored, so garbage and stale copies never win;
//! * if the verified access tokens belong to more than one user, the request is **ambiguous** and is treated as
//!   signed out without writing anything: a removal `Set-Cookie` would hit the genuine cookie (the one written
//!   with the app's own attributes), not the planted one;
//! * otherwise that user's copy is used (an unexpired copy first, then the first sent), with the id-token copy
//!   under the same keys that verifies and belongs to the same user ([`super::token_user`]);
//! * refresh tokens are opaque and cannot be checked offline: when copies disagree, a refresh tries each in turn
//!   (at most [`MAX_COPIES`], one at a time) and passes over a copy Cognito refuses or whose refresh returns
//!   another user's tokens (the one-user rule); the session is refreshed with the copy that works, and when none
//!   does the request is signed out without clearing anything (the refused copy may be the genuine one). With a
//!   single copy, another user's tokens are a backend fault (transient, cookies kept) and a refusal clears the
//!   session, as usual;
//! * a sign-out picks the tokens to revoke the same way ([`super::sign_out_here`]): the session's own user's,
//!   never whichever copy came first;
//! * `clockDrift`, `signInDetails` and the device keys are used only when every copy agrees;
//! * more than [`MAX_COPIES`] distinct values of `LastAuthUser` or of an access-token cookie make the request
//!   signed out (nothing written); of the other cookies only the first [`MAX_COPIES`] values are looked at. That
//!   bounds the verification work one request can cause.
//!
//! The key username (`LastAuthUser`) is only where aws-amplify stored the tokens, not who the user is: it is the
//! name the user signed in with, which can be an alias or differ in case from the token's `username`, so it is
//! not required to equal it. The user is always the one the verified tokens name.

use std::time::SystemTime;

use crate::auth::runtime::AuthRuntime;
use crate::context::ServerContext;
use crate::cookies::{AuthCookieNames, FALLBACK_USERNAME, TokenSlot};
use crate::error::AuthError;
use crate::jwt::{Claims, TokenUse};

use super::token_user::{TokenUser, same_user};

/// The most distinct values of one session cookie a request may carry; more make it signed out.
pub(crate) const MAX_COPIES: usize = 4;

/// The distinct non-empty values of one cookie, in the order sent (at most [`MAX_COPIES`]).
#[derive(Debug, Default)]
pub(crate) struct Copies {
    pub(crate) values: Vec<String>,
    /// More distinct values were sent than [`MAX_COPIES`]; `values` holds the first ones.
    pub(crate) too_many: bool,
}

impl Copies {
    /// Whether the copies disagree (or are too many to tell).
    pub(crate) fn disagree(&self) -> bool {
        self.too_many || self.values.len() > 1
    }
}

/// The copies of `raw_name` in `ctx` (its own write, if any, replaces the request's copies).
pub(crate) fn copies(ctx: &ServerContext, raw_name: &str) -> Copies {
    let mut copies = Copies::default();
    for value in ctx.cookie_copies(raw_name) {
        if value.is_empty() || copies.values.contains(&value) {
            continue;
        }
        if copies.values.len() == MAX_COPIES {
            copies.too_many = true;
            break;
        }
        copies.values.push(value);
    }
    copies
}

/// The value of `raw_name` when every copy agrees.
pub(crate) fn unanimous(ctx: &ServerContext, raw_name: &str) -> Option<String> {
    let mut copies = copies(ctx, raw_name);
    if copies.disagree() {
        tracing::debug!(
            cookie = raw_name,
            "copies of a session cookie disagree; ignoring them"
        );
        return None;
    }
    copies.values.pop()
}

/// The usernames the `LastAuthUser` copies name, in the order sent (none when the cookie is absent).
pub(crate) fn usernames(ctx: &ServerContext, names: &AuthCookieNames) -> Copies {
    copies(ctx, &names.last_auth_user())
}

/// A token copy that passed verification and is not revoked here.
#[derive(Clone, Debug)]
pub(crate) struct VerifiedCopy {
    /// The key username it was stored under.
    pub(crate) username: String,
    pub(crate) raw: String,
    pub(crate) claims: Claims,
    pub(crate) expired: bool,
}

/// The session's access token, chosen among every copy under every `LastAuthUser` value: `None` when no copy
/// verifies, or when verified copies belong to different users (ambiguous), or when there are too many copies.
pub(crate) async fn access_token(
    ctx: &ServerContext,
    runtime: &AuthRuntime,
    names: &AuthCookieNames,
    now: SystemTime,
) -> Result<Option<VerifiedCopy>, AuthError> {
    let Some(verified) = verified_access_tokens(ctx, runtime, names, now).await? else {
        return Ok(None);
    };
    Ok(match one_user(verified) {
        Choice::None => None,
        Choice::Ambiguous => {
            tracing::warn!(
                "the request carries valid session cookies of more than one user (a cookie planted by \
                 another site?); treating it as signed out and leaving the cookies alone"
            );
            None
        }
        Choice::One(copy) => Some(copy),
    })
}

/// Every access-token copy under every `LastAuthUser` value that verifies, in the order sent; `None` when the
/// request carries too many copies to look at (it is then signed out).
pub(crate) async fn verified_access_tokens(
    ctx: &ServerContext,
    runtime: &AuthRuntime,
    names: &AuthCookieNames,
    now: SystemTime,
) -> Result<Option<Vec<VerifiedCopy>>, AuthError> {
    let usernames = usernames(ctx, names);
    if usernames.too_many {
        tracing::warn!("too many LastAuthUser cookies; treating the request as signed out");
        return Ok(None);
    }
    let usernames = if usernames.values.is_empty() {
        vec![FALLBACK_USERNAME.to_owned()]
    } else {
        usernames.values
    };
    let mut verified = Vec::new();
    for username in usernames {
        let key = names.user_key(&username, TokenSlot::AccessToken);
        let copies = copies(ctx, &key);
        if copies.too_many {
            tracing::warn!("too many access-token cookies; treating the request as signed out");
            return Ok(None);
        }
        for raw in copies.values {
            if let Some(copy) = verify(ctx, runtime, &username, raw, TokenUse::Access, now).await? {
                verified.push(copy);
            }
        }
    }
    Ok(Some(verified))
}

/// The session's id token: the copy under `access.username`'s keys that verifies and belongs to the access
/// token's user. Any other copy is not part of the session.
pub(crate) async fn id_token(
    ctx: &ServerContext,
    runtime: &AuthRuntime,
    names: &AuthCookieNames,
    access: &VerifiedCopy,
    now: SystemTime,
) -> Result<Option<VerifiedCopy>, AuthError> {
    let copies = copies(ctx, &names.user_key(&access.username, TokenSlot::IdToken));
    let mut matching = Vec::new();
    // aws-amplify's route handlers once wrote the literal "undefined" when no id token came back.
    for raw in copies.values.into_iter().filter(|v| v != "undefined") {
        let Some(copy) = verify(ctx, runtime, &access.username, raw, TokenUse::Id, now).await?
        else {
            continue;
        };
        if same_user(&access.claims, &copy.claims) {
            matching.push(copy);
        } else {
            tracing::debug!(
                "the id-token cookie belongs to another user than the access token; it is not part of \
                 the session"
            );
        }
    }
    Ok(preferred(matching))
}

/// Verifies one copy: `Ok(None)` when it fails verification or belongs to a session signed out here; an error
/// only when the keys could not be fetched (the copy may be genuine, so no decision can be made).
async fn verify(
    ctx: &ServerContext,
    runtime: &AuthRuntime,
    username: &str,
    raw: String,
    expected: TokenUse,
    now: SystemTime,
) -> Result<Option<VerifiedCopy>, AuthError> {
    match ctx
        .verified_tokens()
        .verify(&runtime.verifier, &raw, expected, now)
        .await
    {
        Ok(verified) if runtime.revoked_sessions.is_revoked(&verified.claims, now) => {
            tracing::debug!(token = %expected, "session cookie of a session signed out here; ignoring it");
            Ok(None)
        }
        Ok(verified) => Ok(Some(VerifiedCopy {
            username: username.to_owned(),
            raw,
            claims: verified.claims,
            expired: verified.expired,
        })),
        Err(e) if e.is_transient() => Err(AuthError::KeysUnavailable(e)),
        Err(e) => {
            tracing::debug!(error = %e, token = %expected, "session cookie failed verification; ignoring it");
            Ok(None)
        }
    }
}

/// The outcome of choosing among verified copies.
#[derive(Debug)]
pub(crate) enum Choice<T> {
    None,
    /// Copies of more than one user.
    Ambiguous,
    One(T),
}

/// The copy to use when every copy belongs to one user (see [`preferred`]).
pub(crate) fn one_user(copies: Vec<VerifiedCopy>) -> Choice<VerifiedCopy> {
    let mut users = copies.iter().map(|copy| TokenUser::of(&copy.claims));
    if let Some(first) = users.next()
        && users.any(|user| user != first || user.is_none())
    {
        return Choice::Ambiguous;
    }
    match preferred(copies) {
        Some(copy) => Choice::One(copy),
        None => Choice::None,
    }
}

/// An unexpired copy first (no refresh needed), then the first sent.
fn preferred(copies: Vec<VerifiedCopy>) -> Option<VerifiedCopy> {
    let fresh = copies.iter().position(|copy| !copy.expired);
    copies.into_iter().nth(fresh.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn copy(username: &str, sub: &str, cognito_username: &str, expired: bool) -> VerifiedCopy {
        let claims = Claims::from_json(
            json!({"token_use": "access", "sub": sub, "username": cognito_username}),
        );
        VerifiedCopy {
            username: username.to_owned(),
            raw: format!("{username}:{sub}:{expired}"),
            claims,
            expired,
        }
    }

    fn chosen(copies: Vec<VerifiedCopy>) -> Option<String> {
        match one_user(copies) {
            Choice::One(copy) => Some(copy.raw),
            Choice::None => None,
            Choice::Ambiguous => Some("ambiguous".to_owned()),
        }
    }

    #[test]
    fn no_copy_is_signed_out() {
        assert_eq!(chosen(Vec::new()), None);
    }

    #[test]
    fn copies_of_two_users_are_ambiguous_in_any_order() {
        let alice = copy("alice", "s-a", "alice", false);
        let mallory = copy("mallory", "s-m", "mallory", false);
        assert_eq!(
            chosen(vec![alice.clone(), mallory.clone()]).as_deref(),
            Some("ambiguous")
        );
        assert_eq!(
            chosen(vec![mallory, alice.clone()]).as_deref(),
            Some("ambiguous")
        );
        // Same sub, another username: still another user.
        let twin = copy("alice", "s-a", "alice2", false);
        assert_eq!(chosen(vec![alice, twin]).as_deref(), Some("ambiguous"));
    }

    #[test]
    fn copies_of_one_user_prefer_an_unexpired_one_then_the_first() {
        let stale = copy("alice", "s-a", "alice", true);
        let fresh = copy("Alice", "s-a", "alice", false);
        assert_eq!(
            chosen(vec![stale.clone(), fresh.clone()]),
            Some(fresh.raw.clone())
        );
        let other_fresh = copy("alice@example.com", "s-a", "alice", false);
        assert_eq!(
            chosen(vec![stale.clone(), fresh.clone(), other_fresh]),
            Some(fresh.raw)
        );
        let stale_too = copy("Alice", "s-a", "alice", true);
        assert_eq!(chosen(vec![stale.clone(), stale_too]), Some(stale.raw));
    }

    fn context(cookie: &str) -> ServerContext {
        let config = crate::AmplifyConfig::from_json(
            r#"{"version":"1.4","auth":{"aws_region":"us-east-1",
            "user_pool_id":"us-east-1_Pool","user_pool_client_id":"client1"}}"#,
        )
        .expect("config");
        let runner = crate::ServerRunner::builder(config)
            .ignore_env()
            .build()
            .expect("runner");
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            http::HeaderValue::from_str(cookie).expect("header"),
        );
        runner.context(&headers)
    }

    #[test]
    fn copies_are_distinct_non_empty_and_in_order() {
        let ctx = context("k=b; k=; k=a; k=b; other=1");
        let found = copies(&ctx, "k");
        assert_eq!(found.values, ["b", "a"]);
        assert!(!found.too_many);
        assert!(found.disagree());
        assert!(!copies(&ctx, "other").disagree());
        assert!(copies(&ctx, "missing").values.is_empty());
    }

    #[test]
    fn too_many_distinct_copies_are_flagged() {
        let ctx = context("k=1; k=2; k=3; k=4; k=4; k=5");
        let found = copies(&ctx, "k");
        assert_eq!(found.values, ["1", "2", "3", "4"]);
        assert!(found.too_many && found.disagree());
        assert!(!copies(&context("k=1; k=2; k=3; k=4; k=1"), "k").too_many);
    }

    #[test]
    fn a_value_is_unanimous_only_when_every_copy_agrees() {
        let ctx = context("d=5; d=5; e=1; e=2");
        assert_eq!(unanimous(&ctx, "d").as_deref(), Some("5"));
        assert_eq!(unanimous(&ctx, "e"), None);
        assert_eq!(unanimous(&ctx, "missing"), None);
    }

    #[test]
    fn this_contexts_own_write_replaces_the_requests_copies() {
        let ctx = context(
            "CognitoIdentityServiceProvider.client1.LastAuthUser=a; \
             CognitoIdentityServiceProvider.client1.LastAuthUser=b",
        );
        let names = AuthCookieNames::new("client1");
        assert_eq!(usernames(&ctx, &names).values, ["a", "b"]);
        ctx.set_auth_cookie(&names.last_auth_user(), "c");
        assert_eq!(usernames(&ctx, &names).values, ["c"]);
        ctx.remove_auth_cookie(&names.last_auth_user());
        assert!(usernames(&ctx, &names).values.is_empty());
    }
}
