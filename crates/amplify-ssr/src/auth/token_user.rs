//! One session is one user: the rule that decides whether two tokens belong to the same user.
//!
//! A session's tokens come from separate cookies (and from separate fields of Cognito's answers), and nothing but
//! this rule ties them together. Without it, cookies carrying user A's access token and user B's valid id token
//! would give a session where `get_current_user` names B, `fetch_user_attributes` and Data act as A, and the
//! identity-pool credentials (which are obtained with the id token) are B's.
//!
//! Two tokens belong to the same user when their `sub` claims are equal and so are their Cognito usernames
//! (`username` in an access token, `cognito:username` in an id token). The rule is applied wherever tokens are
//! combined:
//!
//! * reading the cookies: an id token of another user than the access token is not part of the session (it is
//!   dropped, as if absent), and copies of the access token that belong to different users make the request
//!   ambiguous (see [`super::copies`]);
//! * Cognito's answers (password sign-in, the managed-login code exchange, refresh): an answer whose id token
//!   names another user than its access token is refused;
//! * refresh: tokens of another user than the session being refreshed are refused (a backend fault, or a
//!   refresh-token cookie planted by another site), so the session never silently becomes someone else's.

use crate::jwt::Claims;

/// Who a token names: its `sub` and its Cognito username.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TokenUser<'a> {
    sub: &'a str,
    username: Option<&'a str>,
}

impl<'a> TokenUser<'a> {
    /// The user of a token; `None` without a `sub` (no Cognito token lacks one).
    pub(crate) fn of(claims: &'a Claims) -> Option<Self> {
        let username = match claims.token_use() {
            Some("id") => claims.cognito_username(),
            _ => claims.username(),
        };
        Some(Self {
            sub: claims.sub()?,
            username,
        })
    }
}

/// Whether two tokens (access or id, in any combination) belong to the same user.
pub(crate) fn same_user(a: &Claims, b: &Claims) -> bool {
    matches!((TokenUser::of(a), TokenUser::of(b)), (Some(a), Some(b)) if a == b)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn access(sub: &str, username: &str) -> Claims {
        Claims::from_json(json!({"token_use": "access", "sub": sub, "username": username}))
    }

    fn id(sub: &str, username: &str) -> Claims {
        Claims::from_json(json!({"token_use": "id", "sub": sub, "cognito:username": username}))
    }

    #[test]
    fn tokens_of_one_user_match_across_kinds() {
        assert!(same_user(&access("s-a", "alice"), &id("s-a", "alice")));
        assert!(same_user(&access("s-a", "alice"), &access("s-a", "alice")));
        assert!(same_user(&id("s-a", "alice"), &id("s-a", "alice")));
        // Email usernames and federated usernames compare as they are.
        assert!(same_user(
            &access("s-e", "dana+ssr@example.com"),
            &id("s-e", "dana+ssr@example.com")
        ));
    }

    #[test]
    fn another_sub_or_another_username_is_another_user() {
        assert!(!same_user(&access("s-a", "alice"), &id("s-b", "bob")));
        assert!(!same_user(&access("s-a", "alice"), &id("s-b", "alice")));
        assert!(!same_user(&access("s-a", "alice"), &id("s-a", "bob")));
        assert!(!same_user(&access("s-a", "alice"), &id("s-a", "Alice")));
    }

    #[test]
    fn the_username_claim_is_read_by_token_use() {
        // An id token's `username` claim (an attribute, not the Cognito username) does not count.
        let id_with_attribute = Claims::from_json(json!({
            "token_use": "id", "sub": "s-a", "username": "alice", "cognito:username": "mallory"
        }));
        assert!(!same_user(&access("s-a", "alice"), &id_with_attribute));
    }

    #[test]
    fn tokens_without_a_sub_match_nothing() {
        let no_sub = Claims::from_json(json!({"token_use": "access", "username": "alice"}));
        assert!(!same_user(&no_sub, &no_sub));
        assert!(!same_user(&access("s-a", "alice"), &no_sub));
    }

    #[test]
    fn a_missing_username_on_one_side_only_is_a_mismatch() {
        let anonymous = Claims::from_json(json!({"token_use": "id", "sub": "s-a"}));
        assert!(!same_user(&access("s-a", "alice"), &anonymous));
    }
}
