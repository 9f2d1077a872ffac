//! [`Requirement`]: what a signed-in user must have to see a page, finer than "signed in": a Cognito group, or a
//! predicate over the session's verified claims.
//!
//! Which token the groups come from, and that claims are only read from verified tokens: see [`Requirement`]
//! (this module is private; that is where the public docs are).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use serde_json::Value;

use crate::jwt::Claims;

/// The claim that lists a user's Cognito groups.
pub const GROUPS_CLAIM: &str = "cognito:groups";

/// The verified claims of a signed-in session, as a [`Requirement`] sees them.
#[derive(Clone, Copy, Debug)]
pub struct SessionClaims<'a> {
    access: &'a Claims,
    id: Option<&'a Claims>,
}

impl<'a> SessionClaims<'a> {
    pub(crate) fn new(access: &'a Claims, id: Option<&'a Claims>) -> Self {
        Self { access, id }
    }

    /// The access token's verified claims.
    #[must_use]
    pub fn access(&self) -> &'a Claims {
        self.access
    }

    /// The id token's verified claims, when the session has an id token.
    #[must_use]
    pub fn id(&self) -> Option<&'a Claims> {
        self.id
    }

    /// The user's groups: the access token's `cognito:groups` (see [`Requirement`] for why). A claim that is
    /// not a list of strings counts as no group.
    pub fn groups(&self) -> impl Iterator<Item = &'a str> + 'a {
        let list = match self.access.get(GROUPS_CLAIM) {
            Some(Value::Array(list)) => list.as_slice(),
            _ => &[],
        };
        list.iter().filter_map(Value::as_str)
    }

    /// Whether the user is in `group` (compared exactly: Cognito group names are case-sensitive).
    #[must_use]
    pub fn in_group(&self, group: &str) -> bool {
        self.groups().any(|g| g == group)
    }
}

type Predicate = dyn Fn(&SessionClaims<'_>) -> bool + Send + Sync;

/// What a signed-in user must have to pass a guard, finer than "signed in": a Cognito group, or a predicate
/// over the session's verified claims. Cheap to clone.
///
/// Groups are read from the **access token's** `cognito:groups` claim. Cognito writes the same groups into both
/// tokens, but the access token is the one every session has: the id token is missing without the `openid`
/// scope, and in the JS-readable cookie mode one too large for a cookie is not stored (see
/// [`crate::cookies`]). It is also the token Cognito and AppSync authorize with, so a page guard and the API it
/// calls agree. A predicate ([`Requirement::claims`]) sees both tokens' verified claims and may read either.
/// Claims are only ever read from tokens that passed verification (signature, issuer, client, expiry,
/// revocation), never from raw cookies.
///
/// ```
/// use amplify_ssr::guard::Requirement;
///
/// let admins = Requirement::group("admin");
/// let staff = Requirement::any_group(["admin", "support"]);
/// let verified_email = Requirement::claims(|claims| {
///     claims.id().and_then(|id| id.get("email_verified")) == Some(&serde_json::Value::Bool(true))
/// });
/// # let _ = (admins, staff, verified_email);
/// ```
#[derive(Clone)]
pub struct Requirement(Arc<Kind>);

enum Kind {
    AnyGroup(Vec<String>),
    Claims(Box<Predicate>),
}

impl Requirement {
    /// Membership of the Cognito group `group`.
    pub fn group(group: impl Into<String>) -> Self {
        Self(Arc::new(Kind::AnyGroup(vec![group.into()])))
    }

    /// Membership of at least one of `groups` (none given: nobody passes).
    pub fn any_group<I, G>(groups: I) -> Self
    where
        I: IntoIterator<Item = G>,
        G: Into<String>,
    {
        Self(Arc::new(Kind::AnyGroup(
            groups.into_iter().map(Into::into).collect(),
        )))
    }

    /// A predicate over the session's verified claims. It should be quick and must not block: it runs on every
    /// guarded request. A predicate that panics denies access (the panic is caught and logged).
    pub fn claims(check: impl Fn(&SessionClaims<'_>) -> bool + Send + Sync + 'static) -> Self {
        Self(Arc::new(Kind::Claims(Box::new(check))))
    }

    /// Whether `claims` meet the requirement.
    #[must_use]
    pub fn is_met(&self, claims: &SessionClaims<'_>) -> bool {
        match &*self.0 {
            Kind::AnyGroup(groups) => claims.groups().any(|g| groups.iter().any(|w| w == g)),
            Kind::Claims(check) => {
                catch_unwind(AssertUnwindSafe(|| check(claims))).unwrap_or_else(|_| {
                    tracing::error!("a route requirement's predicate panicked; denying access");
                    false
                })
            }
        }
    }
}

/// Shows the groups, not the predicate (a closure has no useful `Debug`).
impl std::fmt::Debug for Requirement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.0 {
            Kind::AnyGroup(groups) => f
                .debug_tuple("Requirement::any_group")
                .field(groups)
                .finish(),
            Kind::Claims(_) => f.write_str("Requirement::claims(..)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn access(groups: Value) -> Claims {
        Claims::from_json(json!({"token_use": "access", "sub": "s", GROUPS_CLAIM: groups}))
    }

    #[test]
    fn groups_come_from_the_access_token_and_are_exact() {
        let claims = access(json!(["admin", "Support", 7]));
        let id = Claims::from_json(json!({"token_use": "id", GROUPS_CLAIM: ["root"]}));
        let session = SessionClaims::new(&claims, Some(&id));
        assert_eq!(session.groups().collect::<Vec<_>>(), ["admin", "Support"]);
        assert!(Requirement::group("admin").is_met(&session));
        assert!(!Requirement::group("Admin").is_met(&session));
        assert!(!Requirement::group("support").is_met(&session));
        // Only the access token's groups count.
        assert!(!Requirement::group("root").is_met(&session));
        assert!(Requirement::any_group(["x", "Support"]).is_met(&session));
        assert!(!Requirement::any_group(Vec::<String>::new()).is_met(&session));
    }

    #[test]
    fn a_malformed_groups_claim_is_no_group() {
        for groups in [
            json!("admin"),
            json!({"admin": true}),
            json!(null),
            json!(1),
        ] {
            let claims = access(groups.clone());
            let session = SessionClaims::new(&claims, None);
            assert!(!Requirement::group("admin").is_met(&session), "{groups}");
        }
    }

    #[test]
    fn predicates_see_both_tokens_and_a_panic_denies() {
        let claims = access(json!([]));
        let id = Claims::from_json(json!({"token_use": "id", "email_verified": true}));
        let session = SessionClaims::new(&claims, Some(&id));
        let verified = Requirement::claims(|c| {
            c.id().and_then(|id| id.get("email_verified")) == Some(&Value::Bool(true))
        });
        assert!(verified.is_met(&session));
        assert!(!verified.is_met(&SessionClaims::new(&claims, None)));
        let panicking = Requirement::claims(|_| panic!("boom"));
        assert!(!panicking.is_met(&session));
        assert_eq!(format!("{panicking:?}"), "Requirement::claims(..)");
    }
}
