//! [`AuthHooks`]: callbacks on sign-in, sign-out, refresh and refresh failure, for audit logs and metrics.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use crate::context::{ContextKind, ServerContext};
use crate::jwt::Claims;

/// Who an event is about. No token or secret is included.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthEvent {
    /// The Cognito username (the access token's `username`), or the cookie key's when the token names none.
    pub username: String,
    /// The user's `sub`, when known.
    pub user_id: Option<String>,
    /// The kind of context the event happened in.
    pub context: ContextKind,
}

/// A refresh that failed: who, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefreshFailure {
    /// Whose session it was.
    pub user: AuthEvent,
    /// Cognito's error code (`NotAuthorizedException`, ...), `None` for a failure without one (network,
    /// timeout, an unusable answer).
    pub code: Option<String>,
    /// Whether the session ended (its cookies were cleared, or no copy of the refresh token worked): the user
    /// must sign in again. Otherwise the failure is transient and the cookies were kept.
    pub session_ended: bool,
}

/// Callbacks on the session's life events, for audit logs and metrics. Every method has an empty default:
/// implement those you need.
///
/// Register them with [`ServerRunnerBuilder::auth_hooks`](crate::ServerRunnerBuilder::auth_hooks). Each event
/// is reported **once**, by the request it happened in, **after** that request's cookies were decided: a hook
/// sees what happened and cannot change it (it gets no context, only non-secret facts: username, `sub`, the
/// kind of context, a Cognito error code). In particular:
///
/// - **sign-in**: every path that writes a new session (password sign-in, a completed challenge, the
///   managed-login callback) reports it where the session is stored;
/// - **refresh**: concurrent requests carrying the same refresh token share one Cognito call (see
///   [`crate::auth`]); the call is reported once, by the first request that stores its result, not once per
///   waiting request. A refused refresh is reported once per Cognito call likewise; when the request carried
///   disagreeing copies of the refresh token and none worked, the failure is reported by the request that got
///   a refusal first (copies refused earlier are remembered for a short while, so replaying them reports
///   nothing more), and not at all when no copy was refused (every copy was another user's);
/// - **sign-out**: [`sign_out`](crate::sign_out), [`delete_user`](crate::auth::delete_user) and the managed-login
///   sign-out callback report it once the session cookies are cleared, when the request carried a session.
///
/// Hooks run synchronously on the request's task: keep them quick (hand the event to a channel for slow work).
/// A hook that panics is caught and logged; the request goes on as if it had returned.
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use amplify_ssr::auth::{AuthEvent, AuthHooks};
///
/// #[derive(Default)]
/// struct SignInCounter(AtomicUsize);
///
/// impl AuthHooks for SignInCounter {
///     fn on_sign_in(&self, event: &AuthEvent) {
///         self.0.fetch_add(1, Ordering::Relaxed);
///         tracing::info!(user = %event.username, "audit: signed in");
///     }
/// }
/// ```
pub trait AuthHooks: Send + Sync + 'static {
    /// A new session was stored (its cookies are among the response's writes).
    fn on_sign_in(&self, event: &AuthEvent) {
        let _ = event;
    }

    /// A session was signed out and its cookies cleared.
    fn on_sign_out(&self, event: &AuthEvent) {
        let _ = event;
    }

    /// A session's tokens were refreshed with Cognito (once per Cognito call).
    fn on_refresh(&self, event: &AuthEvent) {
        let _ = event;
    }

    /// A refresh failed (once per Cognito call).
    fn on_refresh_failure(&self, failure: &RefreshFailure) {
        let _ = failure;
    }
}

/// The runner's hooks, if any (a `Debug` that shows only whether they are set).
#[derive(Clone, Default)]
pub(crate) struct HookSlot(pub(crate) Option<Arc<dyn AuthHooks>>);

impl std::fmt::Debug for HookSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "AuthHooks(set)"
        } else {
            "AuthHooks(none)"
        })
    }
}

impl AuthEvent {
    /// The event for the session whose access token has `claims`, stored under `key_username`.
    pub(crate) fn of(ctx: &ServerContext, claims: &Claims, key_username: &str) -> Self {
        Self {
            username: claims.username().unwrap_or(key_username).to_owned(),
            user_id: claims.sub().map(str::to_owned),
            context: ctx.kind(),
        }
    }
}

/// Calls `call` with the runner's hooks, if any; a panic is caught and logged.
pub(crate) fn fire(ctx: &ServerContext, event: &'static str, call: impl FnOnce(&dyn AuthHooks)) {
    let Some(hooks) = ctx.runner().auth().and_then(|auth| auth.hooks.0.as_deref()) else {
        return;
    };
    if catch_unwind(AssertUnwindSafe(|| call(hooks))).is_err() {
        tracing::error!(event, "an auth hook panicked; the request goes on");
    }
}
