//! The OAuth `state` value, which also carries the post-sign-in destination and the application's custom state.
//!
//! Layout: `<32 random [A-Za-z0-9]>`, then optionally `.<base64url(redirect_to)>` (empty when there is none but
//! a custom state follows), then optionally `.<base64url(custom_state)>`. The whole value is stored in the
//! HttpOnly state cookie and compared (in constant time) with the `state` Cognito echoes back, so neither part
//! can be swapped without failing the comparison, and both are read from the cookie's copy. The destination is
//! re-checked with [`safe_redirect_path`] when it is used; the custom state is handed over as text.

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

/// Longest custom state carried through the flow, in bytes (the state travels in a URL and a cookie, with
/// `redirect_to` beside it).
pub const MAX_CUSTOM_STATE_LEN: usize = 512;

/// A fresh state, carrying `redirect_to` when it is a safe relative path of reasonable length, and
/// `custom_state` (the caller checks its length).
pub(crate) fn new_state(
    redirect_to: Option<&str>,
    custom_state: Option<&str>,
) -> Result<OAuthState, RandomError> {
    let mut state = random_alphanumeric(NONCE_LEN)?;
    let redirect = redirect_to.and_then(acceptable_redirect);
    if redirect.is_some() || custom_state.is_some() {
        state.push('.');
        if let Some(path) = redirect {
            state.push_str(&URL_SAFE_NO_PAD.encode(path.as_bytes()));
        }
    }
    if let Some(custom) = custom_state {
        state.push('.');
        state.push_str(&URL_SAFE_NO_PAD.encode(custom.as_bytes()));
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

/// Part `index` (1: redirect, 2: custom state) of a state, decoded; `None` when absent, empty or malformed.
fn part(state: &OAuthState, index: usize) -> Option<String> {
    let mut parts = state.secret().split('.');
    let encoded = parts.nth(index).filter(|p| !p.is_empty())?;
    if index == 2 && parts.next().is_some() {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(encoded).ok()?;
    String::from_utf8(bytes).ok()
}

/// The destination carried by a (verified) state, if any and still safe.
pub(crate) fn redirect_of(state: &OAuthState) -> Option<String> {
    part(state, 1).and_then(|path| acceptable_redirect(&path).map(str::to_owned))
}

/// The custom state carried by a (verified) state, if any and within [`MAX_CUSTOM_STATE_LEN`].
pub(crate) fn custom_state_of(state: &OAuthState) -> Option<String> {
    part(state, 2).filter(|custom| custom.len() <= MAX_CUSTOM_STATE_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejections() {
        let plain = new_state(None, None).unwrap();
        assert_eq!(plain.secret().len(), NONCE_LEN);
        assert_eq!(redirect_of(&plain), None);

        let with = new_state(Some("/orders?id=1#x"), None).unwrap();
        assert_eq!(redirect_of(&with).as_deref(), Some("/orders?id=1#x"));
        assert!(states_match(&with, with.secret()));
        assert!(!states_match(&with, plain.secret()));

        for bad in ["//evil", "https://evil", "/\\evil", "evil"] {
            let state = new_state(Some(bad), None).unwrap();
            assert_eq!(state.secret().len(), NONCE_LEN, "{bad}");
        }
        let long = format!("/{}", "a".repeat(MAX_REDIRECT_TO_LEN));
        assert_eq!(
            new_state(Some(&long), None).unwrap().secret().len(),
            NONCE_LEN
        );

        // A state forged to carry an unsafe destination is still refused when used.
        let forged = OAuthState::new(format!("x.{}", URL_SAFE_NO_PAD.encode("//evil")));
        assert_eq!(redirect_of(&forged), None);
    }

    #[test]
    fn custom_state_rides_beside_the_destination() {
        let both = new_state(Some("/orders"), Some("tab=billing.{\"a\":1}")).unwrap();
        assert_eq!(redirect_of(&both).as_deref(), Some("/orders"));
        assert_eq!(
            custom_state_of(&both).as_deref(),
            Some("tab=billing.{\"a\":1}")
        );
        let custom_only = new_state(None, Some("x")).unwrap();
        assert_eq!(redirect_of(&custom_only), None);
        assert_eq!(custom_state_of(&custom_only).as_deref(), Some("x"));
        let unsafe_destination = new_state(Some("//evil"), Some("x")).unwrap();
        assert_eq!(redirect_of(&unsafe_destination), None);
        assert_eq!(custom_state_of(&unsafe_destination).as_deref(), Some("x"));
        assert_eq!(custom_state_of(&new_state(Some("/a"), None).unwrap()), None);

        // Forged or oversized parts are not handed over.
        let forged = |tail: &str| OAuthState::new(format!("n.{tail}"));
        assert_eq!(custom_state_of(&forged(".!!")), None);
        assert_eq!(custom_state_of(&forged(".eA.eA")), None);
        let long = URL_SAFE_NO_PAD.encode("a".repeat(MAX_CUSTOM_STATE_LEN + 1));
        assert_eq!(custom_state_of(&forged(&format!(".{long}"))), None);
    }
}
