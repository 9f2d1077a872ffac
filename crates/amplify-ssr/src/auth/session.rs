//! The session APIs: `fetch_auth_session`, `fetch_auth_tokens`, `get_current_user` and `fetch_user_attributes`.

use std::collections::BTreeMap;
use std::time::SystemTime;

use tracing::Instrument;

use crate::auth::cached_session::{self, Lookup};
use crate::auth::identity::{AwsCredentials, session_credentials};
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

/// The result of [`fetch_auth_session`]. Its `Debug` shows no secret: tokens, the secret key and the session
/// token are redacted.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct AuthSession {
    /// The session's tokens; `None` when signed out.
    pub tokens: Option<AuthTokens>,
    /// The user's `sub`; `None` when signed out.
    pub user_sub: Option<String>,
    /// The Cognito identity id (the signed-in user's, or a guest's); `None` without an identity pool, or when
    /// signed out with guest access off.
    pub identity_id: Option<String>,
    /// AWS credentials of that identity (cached in the runner, see [`crate::auth::identity`]); `None` when
    /// `identity_id` is.
    pub credentials: Option<AwsCredentials>,
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
/// When the configuration has an identity pool, `identity_id` and `credentials` are filled as by
/// [`fetch_identity_credentials`](crate::fetch_identity_credentials): the signed-in user's, or a guest's when
/// guest access is on (`None` otherwise). They come from the runner's cache when it has them, so a repeated
/// call costs no network; `force_refresh` fetches new ones. For a route guard, prefer [`get_current_user`] or
/// [`RequireAuthLayer`], which never call Cognito Identity.
///
/// # Errors
///
/// For a signed-in user, the Cognito Identity errors of
/// [`fetch_identity_credentials`](crate::fetch_identity_credentials), as upstream (but a session without a
/// valid id token just gets no credentials, where upstream throws `UserUnAuthenticatedException`); for a
/// guest, a Cognito Identity refusal or failure (e.g. an identity pool that does not allow guests).
///
/// [`AuthError::TokenRefresh`] when expired tokens have no refresh token, [`AuthError::SessionRevoked`] when
/// Cognito ended the session, [`AuthError::Cognito`] / [`AuthError::KeysUnavailable`] for transient failures (the
/// cookies are kept), [`AuthError::UserPoolNotConfigured`] without a user pool.
///
#[cfg_attr(
    feature = "axum",
    doc = "[`RequireAuthLayer`]: crate::axum::RequireAuthLayer"
)]
#[cfg_attr(not(feature = "axum"), doc = "[`RequireAuthLayer`]: crate#features")]
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
        // As upstream, the identity-pool credentials come with the session (from the runner's cache when it
        // has them); an identity failure for a signed-in user is an error, a guest without guest access is not.
        let identity = session_credentials(ctx, session.as_ref(), options.force_refresh).await?;
        let (identity_id, credentials) = match identity {
            Some(identity) => (Some(identity.identity_id), Some(identity.credentials)),
            None => (None, None),
        };
        Ok(match session {
            Some(session) => AuthSession {
                user_sub: session.access_claims.sub().map(str::to_owned),
                tokens: Some(tokens_of(session)),
                identity_id,
                credentials,
            },
            None => AuthSession {
                identity_id,
                credentials,
                ..AuthSession::default()
            },
        })
    }
    .instrument(span)
    .await
}

/// Returns the signed-in user's verified tokens and their claims, refreshing them first if they have expired;
/// `None` when signed out. Unlike [`fetch_auth_session`] it fetches no identity-pool credentials, so it never
/// calls Cognito Identity: for reading the id token's claims (`name`, `email`, `cognito:groups`) to render a page.
///
/// # Errors
///
/// The refresh errors of [`fetch_auth_session`].
pub async fn fetch_auth_tokens(ctx: &ServerContext) -> Result<Option<AuthTokens>, AuthError> {
    if ctx.runner().config().auth.is_none() {
        return Ok(None);
    }
    Ok(get_tokens(ctx, false).await?.map(tokens_of))
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
    match current_user_admitted(ctx, |_, _| true).await? {
        Admitted::User(user) => Ok(user),
        // Everyone is admitted: not reached.
        Admitted::Refused => Err(AuthError::UserUnAuthenticated),
    }
}

/// What [`current_user_admitted`] found.
pub(crate) enum Admitted {
    /// A signed-in user whose claims `admit` accepted.
    User(AuthUser),
    /// A signed-in user whose claims `admit` refused.
    Refused,
}

/// [`get_current_user`]'s one read of the session, with `admit` judging the same verified (and if need be
/// refreshed) access and id claims the user comes from; route guards pass their requirement.
pub(crate) async fn current_user_admitted(
    ctx: &ServerContext,
    admit: impl Fn(&Claims, Option<&Claims>) -> bool,
) -> Result<Admitted, AuthError> {
    match cached_session::lookup(ctx, SystemTime::now()) {
        Lookup::Valid(session) => {
            ctx.note_session_read();
            let id = session.id.as_ref().map(|id| &id.claims);
            if !admit(&session.access.claims, id) {
                return Ok(Admitted::Refused);
            }
            return user_from_claims(
                &session.access.claims,
                id,
                &session.key_username,
                session.sign_in_details(),
            )
            .map(Admitted::User);
        }
        Lookup::NoSession => {
            ctx.note_session_read();
            return Err(AuthError::UserUnAuthenticated);
        }
        Lookup::Undecided => {}
    }
    let session = get_tokens(ctx, false)
        .await?
        .ok_or(AuthError::UserUnAuthenticated)?;
    if !admit(&session.access_claims, session.id_claims.as_ref()) {
        return Ok(Admitted::Refused);
    }
    user_of(&session).map(Admitted::User)
}

pub(crate) fn user_of(session: &StoredSession) -> Result<AuthUser, AuthError> {
    user_from_claims(
        &session.access_claims,
        session.id_claims.as_ref(),
        &session.username,
        session.sign_in_details.clone(),
    )
}

/// The user a session's verified claims name (the id token first, as upstream, then the access token, then the
/// key username).
pub(crate) fn user_from_claims(
    access: &Claims,
    id: Option<&Claims>,
    key_username: &str,
    sign_in_details: Option<SignInDetails>,
) -> Result<AuthUser, AuthError> {
    let username = id
        .and_then(Claims::cognito_username)
        .or_else(|| access.username())
        .unwrap_or(key_username)
        .to_owned();
    let user_id = id
        .and_then(Claims::sub)
        .or_else(|| access.sub())
        .ok_or_else(|| {
            AuthError::UnexpectedResponse("the session's tokens carry no sub claim".into())
        })?
        .to_owned();
    Ok(AuthUser {
        username,
        user_id,
        sign_in_details,
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
