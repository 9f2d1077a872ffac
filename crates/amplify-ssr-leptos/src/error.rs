//! [`AuthFnError`]: the error a server function returns when it needs a session, on both sides (server and
//! hydrating client), so the client can tell "signed out" from "failed".

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};

/// Why a server function that needs the session did not run, or failed. Serialisable, so the hydrating client
/// receives the same value the server returned; compiled with or without the `ssr` feature.
///
/// Return it from `#[server]` functions (`Result<T, AuthFnError>`), or wrap it in your own error type. Its
/// texts are fixed and safe to show: the details of a failure stay in the server's logs.
///
/// ```
/// use amplify_ssr_leptos::AuthFnError;
/// assert!(AuthFnError::SignedOut.is_signed_out());
/// assert!(!AuthFnError::Unavailable.is_signed_out());
/// assert_eq!(AuthFnError::failed("the list is full").to_string(), "the list is full");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum AuthFnError {
    /// There is no signed-in user (answered with `401`): show a sign-in link, or send the user there.
    #[error("you are signed out: sign in to continue")]
    SignedOut,
    /// The session could not be checked now (answered with `503`): the user may well still be signed in, so
    /// keep the page and try again.
    #[error("the session could not be checked right now; try again in a moment")]
    Unavailable,
    /// Signed in, but without the group or claim the server function requires (answered with `403`): see
    /// [`require_user_with`](crate#features).
    #[error("your account may not do this")]
    Forbidden,
    /// The server is not set up for Amplify sessions here (no `AmplifyLayer` around the route): a
    /// deployment error, logged on the server with the fix.
    #[error("the server is not set up for sessions on this route")]
    NotConfigured,
    /// Another site caused the call, and it was refused (answered with `403`, before the function ran): nothing
    /// changed. See [`refuse_cross_site`](crate#features).
    #[error("this request came from another site and was refused")]
    CrossSite,
    /// The server function failed; the text is the application's own, meant to be shown.
    #[error("{0}")]
    Failed(String),
    /// Leptos could not call the server function or read its answer (network, encoding).
    #[error(transparent)]
    ServerFn(ServerFnErrorErr),
}

impl AuthFnError {
    /// A failure with a message meant for the user (log the details yourself).
    #[must_use]
    pub fn failed(message: impl Into<String>) -> Self {
        Self::Failed(message.into())
    }

    /// True for [`SignedOut`](Self::SignedOut): the client should offer to sign in, not to retry.
    #[must_use]
    pub fn is_signed_out(&self) -> bool {
        matches!(self, Self::SignedOut)
    }
}

impl FromServerFnError for AuthFnError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::ServerFn(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_survives_the_wire() {
        for error in [
            AuthFnError::SignedOut,
            AuthFnError::Unavailable,
            AuthFnError::Forbidden,
            AuthFnError::NotConfigured,
            AuthFnError::CrossSite,
            AuthFnError::failed("the list is full"),
            AuthFnError::ServerFn(ServerFnErrorErr::Request("offline".into())),
        ] {
            assert_eq!(AuthFnError::de(error.ser()), error);
        }
    }

    #[test]
    fn an_unreadable_answer_is_a_failure_not_a_sign_out() {
        let error = AuthFnError::de("<html>bad gateway</html>".into());
        assert!(matches!(
            error,
            AuthFnError::ServerFn(ServerFnErrorErr::Deserialization(_))
        ));
        assert!(!error.is_signed_out());
    }
}
