//! The request's [`ServerContext`] and its signed-in user, inside server functions and server-side rendering.

use amplify_ssr::guard::{Denied, FORBIDDEN_BODY, Requirement, Unmet, require_user_meeting};
use amplify_ssr::{AuthUser, ServerContext};
use dioxus::fullstack::FullstackContext;
use http::HeaderValue;
use http::header::RETRY_AFTER;

use crate::AmplifyFnError;

/// The [`ServerContext`] of the request being handled: inside a server function, or while a page renders on
/// the server (a component, or a server future it starts). Server functions can also take it as an extractor
/// (`#[post("/api/x", ctx: ServerContext)]`), which is the same thing.
///
/// # Errors
///
/// [`AmplifyFnError::Failed`] (`500`, logged) outside a request, or when the app has no
/// [`AmplifyLayer`](amplify_ssr::axum::AmplifyLayer) around the Dioxus router.
pub fn server_context() -> Result<ServerContext, AmplifyFnError> {
    let request = FullstackContext::current().ok_or_else(|| {
        AmplifyFnError::internal(
            "server_context() called outside a request (no Dioxus FullstackContext)",
        )
    })?;
    request
        .extension::<ServerContext>()
        .ok_or_else(|| AmplifyFnError::internal(amplify_ssr::axum::MissingAmplifyLayer))
}

/// The signed-in user of `ctx`'s request, for server functions: [`AmplifyFnError::SignedOut`] (`401`) without a
/// usable session, [`AmplifyFnError::Unavailable`] (`503`, with `Retry-After: 1`) when it could not be checked
/// now. A refresh it makes reaches the browser with the server function's response.
///
/// # Errors
///
/// [`AmplifyFnError::SignedOut`] or [`AmplifyFnError::Unavailable`].
pub async fn require_user(ctx: &ServerContext) -> Result<AuthUser, AmplifyFnError> {
    Ok(amplify_ssr::guard::require_user(ctx).await?)
}

/// [`require_user`] that also requires `requirement` (a Cognito group, a predicate over the verified claims; see
/// [`Requirement`]): a signed-in user who lacks it gets [`AmplifyFnError::Failed`] with status `403` and a short
/// message, the same answer route protection gives.
///
/// ```no_run
/// use amplify_ssr::guard::Requirement;
/// use amplify_ssr_dioxus::{AmplifyFnError, require_user_with, server_context};
///
/// async fn delete_everything() -> Result<(), AmplifyFnError> {
///     let ctx = server_context()?;
///     let admin = require_user_with(&ctx, &Requirement::group("admin")).await?;
///     tracing::info!(user = %admin.username, "deleting everything");
///     Ok(())
/// }
/// ```
///
/// # Errors
///
/// [`AmplifyFnError::SignedOut`], [`AmplifyFnError::Unavailable`], or the `403` failure.
pub async fn require_user_with(
    ctx: &ServerContext,
    requirement: &Requirement,
) -> Result<AuthUser, AmplifyFnError> {
    match require_user_meeting(ctx, requirement).await {
        Ok(user) => Ok(user),
        Err(Unmet::Denied(denied)) => Err(denied.into()),
        // Unmet::Forbidden, and anything a later version adds: the route protection's 403.
        Err(_) => Err(AmplifyFnError::rejected(
            http::StatusCode::FORBIDDEN,
            FORBIDDEN_BODY.trim_end(),
        )),
    }
}

/// A signed-out request is [`AmplifyFnError::SignedOut`]; a session that could not be checked is
/// [`AmplifyFnError::Unavailable`], and the current response gets `Retry-After: 1`.
impl From<Denied> for AmplifyFnError {
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::SignedOut(_) => Self::SignedOut,
            other => {
                tracing::warn!(error = %other.error(), "session check failed transiently; answering 503");
                if let Some(request) = FullstackContext::current() {
                    request.add_response_header(RETRY_AFTER, HeaderValue::from_static("1"));
                }
                Self::Unavailable
            }
        }
    }
}
