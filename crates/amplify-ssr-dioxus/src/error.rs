//! [`AmplifyFnError`]: the error type of server functions, the same type on the server and in the client.

use dioxus::fullstack::{AsStatusCode, ServerFnError};
use http::StatusCode;
use serde::{Deserialize, Serialize};

/// The public text of a failure whose details must stay on the server.
const INTERNAL_MESSAGE: &str = "the server could not complete the request";

/// What a server function answers when it cannot do its work: use it as the error type of an app's server
/// functions (`Result<T, AmplifyFnError>`). It is serialised with the answer, so the client gets the same
/// variant back and can tell "signed out" ([`SignedOut`](Self::SignedOut), `401`) from "failed"
/// ([`Unavailable`](Self::Unavailable), `503`, and [`Failed`](Self::Failed)).
///
/// It compiles without the `server` feature (in a WASM client). On the server, `?` converts amplify-ssr's
/// `guard::Denied` (from `require_user`) and the errors of server function extractors (a `401` rejection becomes
/// `SignedOut`, a `503` `Unavailable`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AmplifyFnError {
    /// No signed-in user: the client should send the user to sign in (`401`).
    #[error("you are signed out; sign in to continue")]
    SignedOut,
    /// The session could not be checked now (Cognito or its keys unreachable): the user may well still be signed
    /// in, and the cookies were kept; try again shortly (`503`).
    #[error("the session could not be checked just now; try again")]
    Unavailable,
    /// Another site caused the request, and it was refused (`403`; see `refuse_cross_site`).
    #[error(
        "this request came from another site and was refused; go back to the application and try again"
    )]
    CrossSite,
    /// Anything else: the request was invalid or the work failed. `message` is safe to show (details of internal
    /// failures stay in the server's logs).
    #[error("{message}")]
    Failed {
        /// The HTTP status it is answered with.
        status: u16,
        /// A message for the user.
        message: String,
    },
}

impl AmplifyFnError {
    /// A failure the user caused (a `4xx` `status`) with a message for them.
    #[must_use]
    pub fn rejected(status: StatusCode, message: impl Into<String>) -> Self {
        Self::Failed {
            status: status.as_u16(),
            message: message.into(),
        }
    }

    /// An internal failure: logs `error` (at `error` level) and answers `500` with a fixed message, so the
    /// details never reach the client.
    #[must_use]
    pub fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "server function failed");
        Self::Failed {
            status: StatusCode::INTERNAL_SERVER_ERROR.as_u16(),
            message: INTERNAL_MESSAGE.to_owned(),
        }
    }

    /// The HTTP status this error is answered with.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::SignedOut => StatusCode::UNAUTHORIZED,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::CrossSite => StatusCode::FORBIDDEN,
            Self::Failed { status, .. } => StatusCode::from_u16(*status)
                .ok()
                .filter(|s| s.is_client_error() || s.is_server_error())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        }
    }
}

impl AsStatusCode for AmplifyFnError {
    fn as_status_code(&self) -> StatusCode {
        self.status()
    }
}

/// Dioxus's own errors: an extractor's rejection, a body that did not decode, a request that did not reach the
/// server. The status decides: `401` is [`SignedOut`](AmplifyFnError::SignedOut), `503`
/// [`Unavailable`](AmplifyFnError::Unavailable); a `5xx` keeps only a fixed message.
impl From<ServerFnError> for AmplifyFnError {
    fn from(error: ServerFnError) -> Self {
        let status = match &error {
            ServerFnError::ServerError { code, .. } => *code,
            ServerFnError::Args(_) | ServerFnError::MissingArg(_) => {
                StatusCode::BAD_REQUEST.as_u16()
            }
            _ => StatusCode::INTERNAL_SERVER_ERROR.as_u16(),
        };
        match StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR) {
            StatusCode::UNAUTHORIZED => Self::SignedOut,
            StatusCode::SERVICE_UNAVAILABLE => Self::Unavailable,
            status if status.is_client_error() => Self::rejected(status, client_message(&error)),
            _ => Self::internal(error),
        }
    }
}

/// The message of a client error: the server function's own message, without Dioxus's wrapping.
fn client_message(error: &ServerFnError) -> String {
    match error {
        ServerFnError::ServerError { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_tell_signed_out_from_failed() {
        assert_eq!(AmplifyFnError::SignedOut.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            AmplifyFnError::Unavailable.status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(AmplifyFnError::CrossSite.status(), StatusCode::FORBIDDEN);
        let odd = AmplifyFnError::Failed {
            status: 200,
            message: "x".to_owned(),
        };
        assert_eq!(odd.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn the_variant_survives_the_wire() {
        for error in [
            AmplifyFnError::SignedOut,
            AmplifyFnError::Unavailable,
            AmplifyFnError::CrossSite,
            AmplifyFnError::rejected(StatusCode::BAD_REQUEST, "too long"),
        ] {
            let json = serde_json::to_value(&error).unwrap();
            assert_eq!(
                serde_json::from_value::<AmplifyFnError>(json).unwrap(),
                error
            );
        }
        assert_eq!(
            serde_json::to_value(AmplifyFnError::SignedOut).unwrap(),
            serde_json::json!({ "kind": "signed_out" })
        );
    }

    #[test]
    fn dioxus_errors_map_by_status_and_hide_internal_details() {
        let from = |code: u16, message: &str| {
            AmplifyFnError::from(ServerFnError::ServerError {
                message: message.to_owned(),
                code,
                details: None,
            })
        };
        assert_eq!(from(401, "{}"), AmplifyFnError::SignedOut);
        assert_eq!(from(503, "{}"), AmplifyFnError::Unavailable);
        assert_eq!(
            from(400, "bad form"),
            AmplifyFnError::rejected(StatusCode::BAD_REQUEST, "bad form")
        );
        let internal = from(500, "database password is hunter2");
        assert!(!internal.to_string().contains("hunter2"), "{internal}");
        assert_eq!(internal.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
