//! The session APIs: `fetch_auth_session`, `get_current_user` and `fetch_user_attributes`.

use std::collections::BTreeMap;

use tracing::Instrument;

use crate::auth::refresh::get_tokens;
use crate::auth::tokens::{SignInDetails, StoredSession};
use crate::context::ServerContext;
use crate::error::AuthError;
use crate::jwt::Claims;
use crate::secret::{AccessToken, IdToken};

/// Options for [`fetch_auth_session`].
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct FetchAuthSessionOptions {
    /// Refresh the tokens even if they have not expired.
    pub force_refresh: bool,
}

impl FetchAuthSessionOptions {
    /// Options that force a refresh.
    #[must_use]
    pub fn force_refresh() -> Self {
        Self {
            force_refresh: true,
        }
    }
}

/// The verified tokens of a session.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AuthTokens {
    /// The access token.
    pub access_token: AccessToken,
    /// The access token's claims (verified).
    pub access_token_claims: Claims,
    /// The id token, when the session has a valid one.
    pub id_token: Option<IdToken>,
    /// The id token's claims (verified).
    pub id_token_claims: Option<Claims>,
    /// How the user signed in, when the client recorded it.
    pub sign_in_details: Option<SignInDetails>,
}

/// The result of [`fetch_auth_session`].
///
/// Identity-pool fields (`identity_id`, AWS credentials) arrive with the Storage work; until then this type
/// carries the user-pool session only.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct AuthSession {
    /// The session's tokens; `None` when signed out.
    pub tokens: Option<AuthTokens>,
    /// The user's `sub`; `None` when signed out.
    pub user_sub: Option<String>,
}

impl AuthSession {
    /// True when there is a signed-in user.
    #[must_use]
    pub fn is_signed_in(&self) -> bool {
        self.tokens.is_some()
    }
}

/// The signed-in user, as [`get_current_user`] returns it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AuthUser {
    /// The Cognito username (`cognito:username`).
    pub username: String,
    /// The user's `sub`.
    pub user_id: String,
    /// How the user signed in, when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_in_details: Option<SignInDetails>,
}

/// Returns the session of the signed-in user, refreshing it first if it has expired (or if
/// `options.force_refresh`). A signed-out request is not an error: it yields a session with no tokens.
///
/// # Errors
///
/// [`AuthError::TokenRefresh`] when expired tokens have no refresh token, [`AuthError::SessionRevoked`] when
/// Cognito ended the session, [`AuthError::Cognito`] / [`AuthError::KeysUnavailable`] for transient failures (the
/// cookies are kept), [`AuthError::UserPoolNotConfigured`] without a user pool.
pub async fn fetch_auth_session(
    ctx: &ServerContext,
    options: FetchAuthSessionOptions,
) -> Result<AuthSession, AuthError> {
    let span = tracing::debug_span!(
        "amplify_ssr.fetch_auth_session",
        force_refresh = options.force_refresh
    );
    async {
        if ctx.runner().config().auth.is_none() {
            // As upstream: a config without auth yields an empty session rather than an error.
            return Ok(AuthSession::default());
        }
        let session = get_tokens(ctx, options.force_refresh).await?;
        Ok(match session {
            Some(session) => AuthSession {
                user_sub: session.access_claims.sub().map(str::to_owned),
                tokens: Some(tokens_of(session)),
            },
            None => AuthSession::default(),
        })
    }
    .instrument(span)
    .await
}

fn tokens_of(session: StoredSession) -> AuthTokens {
    AuthTokens {
        access_token: session.access_token,
        access_token_claims: session.access_claims,
        id_token: session.id_token,
        id_token_claims: session.id_claims,
        sign_in_details: session.sign_in_details,
    }
}

/// Returns the signed-in user's username, user id and sign-in details. Makes no network call unless the
/// session needs a refresh.
///
/// Upstream reads both fields from the id token only; when the id token is missing (too large for a cookie,
/// or dropped), this falls back to the access token's `username` and `sub`, which name the same user.
///
/// # Errors
///
/// [`AuthError::UserUnAuthenticated`] when signed out, plus the refresh errors of [`fetch_auth_session`].
pub async fn get_current_user(ctx: &ServerContext) -> Result<AuthUser, AuthError> {
    let session = get_tokens(ctx, false)
        .await?
        .ok_or(AuthError::UserUnAuthenticated)?;
    user_of(&session)
}

pub(crate) fn user_of(session: &StoredSession) -> Result<AuthUser, AuthError> {
    let id = session.id_claims.as_ref();
    let username = id
        .and_then(Claims::cognito_username)
        .or_else(|| session.access_claims.username())
        .unwrap_or(&session.username)
        .to_owned();
    let user_id = id
        .and_then(Claims::sub)
        .or_else(|| session.access_claims.sub())
        .ok_or_else(|| {
            AuthError::UnexpectedResponse("the session's tokens carry no sub claim".into())
        })?
        .to_owned();
    Ok(AuthUser {
        username,
        user_id,
        sign_in_details: session.sign_in_details.clone(),
    })
}

/// Fetches the signed-in user's attributes from Cognito (`GetUser`), as a map from attribute name to value
/// (`sub`, `email`, `email_verified`, `custom:*`, ...).
///
/// Unlike upstream this does not fetch identity-pool credentials first: only the access token is needed.
///
/// # Errors
///
/// [`AuthError::UserUnAuthenticated`] when signed out; [`AuthError::Cognito`] when `GetUser` fails (for example
/// `NotAuthorizedException` after a global sign-out).
pub async fn fetch_user_attributes(
    ctx: &ServerContext,
) -> Result<BTreeMap<String, String>, AuthError> {
    let session = get_tokens(ctx, false)
        .await?
        .ok_or(AuthError::UserUnAuthenticated)?;
    let runtime = ctx
        .runner()
        .auth_runtime()
        .map_err(AuthError::UserPoolNotConfigured)?;
    let user = runtime.cognito.get_user(&session.access_token).await?;
    Ok(user.user_attributes.into_iter().collect())
}
