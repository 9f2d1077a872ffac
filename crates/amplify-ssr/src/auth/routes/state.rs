//! The OAuth `state` value, which also carries the post-sign-in destination.
//!
//! Layout: `<32 random [A-Za-z0-9]>` or `<32 random [A-Za-z0-9]>.<base64url(redirect_to)>`. The whole value is
//! stored in the HttpOnly state cookie and compared (in constant time) with the `state` Cognito echoes back, so
//! the destination cannot be swapped without failing the comparison. It is re-checked with
//! [`safe_redirect_path`] when it is used.

use aws_lc_rs::constant_time::verify_slices_are_equal;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::pkce::{RandomError, random_alphanumeric};
use crate::redirect::safe_redirect_path;
use crate::secret::OAuthState;

/// Length of the random part (as upstream).
pub(crate) const NONCE_LEN: usize = 32;

/// Longest `redirect_to` carried through the flow; longer values are dropped (the state travels in a URL and a
/// cookie).
pub(crate) const MAX_REDIRECT_TO_LEN: usize = 1024;

/// A fresh state, carrying `redirect_to` when it is a safe relative path of reasonable length.
pub(crate) fn new_state(redirect_to: Option<&str>) -> Result<OAuthState, RandomError> {
    let mut state = random_alphanumeric(NONCE_LEN)?;
    if let Some(path) = redirect_to.and_then(acceptable_redirect) {
        state.push('.');
        state.push_str(&URL_SAFE_NO_PAD.encode(path.as_bytes()));
    }
    Ok(OAuthState::new(state))
}

/// `redirect_to` if it may be carried: a safe relative path no longer than [`MAX_REDIRECT_TO_LEN`].
pub(crate) fn acceptable_redirect(path: &str) -> Option<&str> {
    safe_redirect_path(path).filter(|p| p.len() <= MAX_REDIRECT_TO_LEN)
}

/// Constant-time equality of the cookie's state and the callback's state.
pub(crate) fn states_match(cookie: &OAuthState, returned: &str) -> bool {
    verify_slices_are_equal(cookie.secret().as_bytes(), returned.as_bytes()).is_ok()
}

/// The destination carried by a (verified) state, if any and still safe.
pub(crate) fn redirect_of(state: &OAuthState) -> Option<String> {
    let (_, encoded) = state.secret().split_once('.')?;
    let bytes = URL_SAFE_NO_PAD.decode(encoded).ok()?;
    let path = String::from_utf8(bytes).ok()?;
    acceptable_redirect(&path).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejections() {
        let plain = new_state(None).unwrap();
        assert_eq!(plain.secret().len(), NONCE_LEN);
        assert_eq!(redirect_of(&plain), None);

        let with = new_state(Some("/orders?id=1#x")).unwrap();
        assert_eq!(redirect_of(&with).as_deref(), Some("/orders?id=1#x"));
        assert!(states_match(&with, with.secret()));
        assert!(!states_match(&with, plain.secret()));

        for bad in ["//evil", "https://evil", "/\\evil", "evil"] {
            let state = new_state(Some(bad)).unwrap();
            assert_eq!(state.secret().len(), NONCE_LEN, "{bad}");
        }
        let long = format!("/{}", "a".repeat(MAX_REDIRECT_TO_LEN));
        assert_eq!(new_state(Some(&long)).unwrap().secret().len(), NONCE_LEN);

        // A state forged to carry an unsafe destination is still refused when used.
        let forged = OAuthState::new(format!("x.{}", URL_SAFE_NO_PAD.encode("//evil")));
        assert_eq!(redirect_of(&forged), None);
    }
}
