//! Extractors ([`FromRequest`]): the request's [`ServerContext`] ([`AmplifyContext`]), and the signed-in user for
//! APIs ([`CurrentUser`], 401 JSON) and for pages ([`SignedInPage`], a redirect to sign-in).

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use amplify_ssr::guard::{Denied, require_user};
use amplify_ssr::{AuthUser, ServerContext};
use futures_util::future::{LocalBoxFuture, Ready, ready};

use crate::{denied_response, sign_in_redirect};

/// Error when a handler asks for the Amplify context but [`AmplifyMiddleware`](crate::AmplifyMiddleware) does not
/// wrap its route. A programming error: answered with `500` and this message, and logged.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error(
    "AmplifyMiddleware is not installed on this route: add `.wrap(AmplifyMiddleware::new(runner))` to the App"
)]
pub struct MissingAmplifyMiddleware;

impl ResponseError for MissingAmplifyMiddleware {
    fn status_code(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }

    fn error_response(&self) -> HttpResponse {
        tracing::error!("{self}");
        HttpResponse::InternalServerError().body(self.to_string())
    }
}

/// The request's [`ServerContext`], created by [`AmplifyMiddleware`](crate::AmplifyMiddleware): pass it to any
/// `amplify-ssr` call (session, Data, Storage). Its cookie changes reach the browser with the response.
///
/// ```no_run
/// use amplify_ssr_actix::AmplifyContext;
///
/// async fn handler(AmplifyContext(ctx): AmplifyContext) -> String {
///     match amplify_ssr::get_current_user(&ctx).await {
///         Ok(user) => format!("hello {}", user.username),
///         Err(_) => "hello, guest".to_owned(),
///     }
/// }
/// ```
#[derive(Clone, Debug)]
pub struct AmplifyContext(pub ServerContext);

impl AmplifyContext {
    /// The context `request` carries, or [`MissingAmplifyMiddleware`].
    ///
    /// # Errors
    ///
    /// [`MissingAmplifyMiddleware`] when the middleware does not wrap the route.
    pub fn of(request: &HttpRequest) -> Result<Self, MissingAmplifyMiddleware> {
        request
            .extensions()
            .get::<ServerContext>()
            .cloned()
            .map(Self)
            .ok_or(MissingAmplifyMiddleware)
    }
}

impl std::ops::Deref for AmplifyContext {
    type Target = ServerContext;

    fn deref(&self) -> &ServerContext {
        &self.0
    }
}

impl FromRequest for AmplifyContext {
    type Error = MissingAmplifyMiddleware;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::of(request))
    }
}

/// The signed-in user, for API handlers. A signed-out request is refused with `401` and a JSON body
/// `{"error": "UserUnAuthenticatedException", "message": ...}`; a session that could not be checked now with
/// `503` and `Retry-After: 1` (the cookies are kept).
#[derive(Clone, Debug)]
pub struct CurrentUser(pub AuthUser);

/// Why [`CurrentUser`] was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CurrentUserError {
    /// The middleware is missing (500).
    #[error(transparent)]
    MissingMiddleware(#[from] MissingAmplifyMiddleware),
    /// No signed-in user (401), or the session could not be checked now (503, the cookies are kept): see
    /// [`Denied`].
    #[error(transparent)]
    Denied(#[from] Denied),
}

impl CurrentUserError {
    /// True for a request without a usable session (as opposed to a failure).
    #[must_use]
    pub fn is_signed_out(&self) -> bool {
        matches!(self, Self::Denied(Denied::SignedOut(_)))
    }
}

impl ResponseError for CurrentUserError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::MissingMiddleware(e) => e.status_code(),
            Self::Denied(denied) => crate::headers::to_actix_status(denied.status()),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::MissingMiddleware(e) => e.error_response(),
            Self::Denied(denied) => denied_response(denied),
        }
    }
}

impl CurrentUser {
    async fn of(request: &HttpRequest) -> Result<Self, CurrentUserError> {
        let ctx = AmplifyContext::of(request)?;
        Ok(Self(require_user(&ctx).await?))
    }
}

impl FromRequest for CurrentUser {
    type Error = CurrentUserError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move { Self::of(&request).await })
    }
}

/// The signed-in user, for page handlers. A signed-out visit is redirected (`302`) to the sign-in path set on
/// [`AmplifyMiddleware`](crate::AmplifyMiddleware), with the current path and query in `redirect_to`; a session
/// that could not be checked now gets `503` (JSON, `Retry-After: 1`).
///
/// Take `Result<SignedInPage, SignedInPageError>` to answer an outage with a page of your own
/// ([`SignedInPageError::kind`]).
#[derive(Clone, Debug)]
pub struct SignedInPage(pub AuthUser);

/// Why [`SignedInPage`] was refused: see [`kind`](Self::kind); as a response it is the redirect or error itself.
#[derive(Debug, thiserror::Error)]
#[error("this page needs a signed-in user ({kind:?})")]
pub struct SignedInPageError {
    kind: SignedInPageErrorKind,
    answer: PageAnswer,
}

/// What a refused page visit is answered with.
#[derive(Debug)]
enum PageAnswer {
    /// A redirect to this sign-in location.
    SignIn(String),
    /// The user check's own error response.
    Error(CurrentUserError),
}

/// What kind of [`SignedInPageError`] a request got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignedInPageErrorKind {
    /// No signed-in user: `302` to the sign-in path, with the page in `redirect_to`.
    SignInRedirect,
    /// The session could not be checked now: `503` with `Retry-After`; the cookies are kept.
    Unavailable,
    /// [`AmplifyMiddleware`](crate::AmplifyMiddleware) does not wrap the route (a programming error): `500`.
    MissingMiddleware,
}

impl SignedInPageError {
    /// What kind of refusal this is.
    #[must_use]
    pub fn kind(&self) -> SignedInPageErrorKind {
        self.kind
    }
}

impl ResponseError for SignedInPageError {
    fn status_code(&self) -> StatusCode {
        match &self.answer {
            PageAnswer::SignIn(_) => StatusCode::FOUND,
            PageAnswer::Error(cause) => cause.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match &self.answer {
            PageAnswer::SignIn(location) => sign_in_redirect(location),
            PageAnswer::Error(cause) => cause.error_response(),
        }
    }
}

impl FromRequest for SignedInPage {
    type Error = SignedInPageError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let request = request.clone();
        Box::pin(async move {
            let cause = match CurrentUser::of(&request).await {
                Ok(CurrentUser(user)) => return Ok(Self(user)),
                Err(cause) => cause,
            };
            let (kind, answer) = if cause.is_signed_out() {
                let location = crate::sign_in_location(&request);
                (
                    SignedInPageErrorKind::SignInRedirect,
                    PageAnswer::SignIn(location),
                )
            } else if matches!(cause, CurrentUserError::MissingMiddleware(_)) {
                (
                    SignedInPageErrorKind::MissingMiddleware,
                    PageAnswer::Error(cause),
                )
            } else {
                (SignedInPageErrorKind::Unavailable, PageAnswer::Error(cause))
            };
            Err(SignedInPageError { kind, answer })
        })
    }
}
