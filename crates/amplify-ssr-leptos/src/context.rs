//! The request's [`ServerContext`] inside Leptos: in components and resources rendered on the server, and in
//! server functions. [`AmplifyLayer`](amplify_ssr::axum::AmplifyLayer) puts the context in the request's
//! extensions; leptos_axum provides the request's [`Parts`] as Leptos context to the render and to server
//! functions, and [`server_context`] takes it from there.

use amplify_ssr::guard::{self, Denied, Requirement, SignInPath, Unmet};
use amplify_ssr::{AuthUser, ServerContext};
use http::header::{ACCEPT, CACHE_CONTROL, LOCATION, REFERER, RETRY_AFTER};
use http::request::Parts;
use http::{HeaderValue, Uri};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use leptos_router::location::RequestUrl;

use crate::AuthFnError;

/// The [`ServerContext`] of the request being rendered or served.
///
/// - In a component, or a server function (also one a resource calls during the render): the request's
///   context, which `AmplifyLayer` created. Taking it during a render also marks the page
///   `Cache-Control: private, no-store` (through [`ResponseOptions`]), because a page that reads the session is
///   private; call it in the component's body, before any `.await`, so the header is set before a streamed
///   page sends its headers, and move the context into the resource's future.
/// - With no request at all (a page generated ahead of time): the context provided with Leptos'
///   `provide_context`, normally [`ServerRunner::static_context`](amplify_ssr::ServerRunner::static_context)
///   (guest access only).
///
/// # Errors
///
/// [`AuthFnError::NotConfigured`] when the request did not pass through `AmplifyLayer` (or, without a request,
/// no context was provided); the log says which.
pub fn server_context() -> Result<ServerContext, AuthFnError> {
    let Some(parts) = use_context::<Parts>() else {
        return use_context::<ServerContext>().ok_or_else(|| {
            tracing::error!(
                "no request and no ServerContext in the Leptos context: provide \
                 `runner.static_context()` with provide_context for pages rendered without a request"
            );
            AuthFnError::NotConfigured
        });
    };
    let ctx = parts.extensions.get::<ServerContext>().cloned().ok_or_else(|| {
        tracing::error!(
            path = parts.uri.path(),
            "no ServerContext in the request: install the Amplify layers on the router \
             (`AmplifyRouterExt::amplify`, or amplify_ssr::axum::AmplifyLayer) after adding the Leptos routes"
        );
        AuthFnError::NotConfigured
    })?;
    mark_private();
    Ok(ctx)
}

/// See [`private_page`](crate::private_page).
pub(crate) fn mark_private() {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.insert_header(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
}

/// Whether the code runs while a page is rendered (rather than in a server function called over HTTP):
/// leptos_axum provides the page's URL to the router then.
fn rendering_a_page() -> bool {
    use_context::<RequestUrl>().is_some()
}

/// The signed-in user, for a server function (or a server-side render) that needs one, refreshing the session
/// if its tokens expired.
///
/// When there is none, the answer says why, so the caller can tell the two apart:
///
/// - signed out: [`AuthFnError::SignedOut`] with status `401`;
/// - the session could not be checked (Cognito or its keys unreachable): [`AuthFnError::Unavailable`] with
///   status `503` and `Retry-After: 1`; the cookies are kept.
///
/// The status is only set on a server function's own response: while a page renders (a resource calling a
/// server function on the server), the page keeps its status, and route protection is what redirects it.
///
/// A plain HTML form post (JavaScript off, `Accept: text/html`) is not given a status, so leptos_axum's
/// redirect stands: a signed-out visitor is sent to the sign-in page with the form's page in `redirect_to`, and
/// a failure goes back to the form's page with the error in the query (see leptos' `ServerFnUrlError`).
///
/// # Errors
///
/// [`AuthFnError::SignedOut`], [`AuthFnError::Unavailable`], or [`AuthFnError::NotConfigured`] (see
/// [`server_context`]).
pub async fn require_user() -> Result<AuthUser, AuthFnError> {
    let ctx = server_context()?;
    guard::require_user(&ctx)
        .await
        .map_err(|denied| deny(&denied))
}

/// [`require_user`] that also requires `requirement` (a Cognito group, a predicate over the verified claims;
/// see [`Requirement`]): a signed-in user who lacks it gets [`AuthFnError::Forbidden`] with status `403` (on a
/// server function's own response, as [`require_user`] sets its statuses).
///
/// # Errors
///
/// [`AuthFnError::Forbidden`], and those of [`require_user`].
pub async fn require_user_with(requirement: &Requirement) -> Result<AuthUser, AuthFnError> {
    let ctx = server_context()?;
    match guard::require_user_meeting(&ctx, requirement).await {
        Ok(user) => Ok(user),
        Err(Unmet::Denied(denied)) => Err(deny(&denied)),
        // Unmet::Forbidden, and anything a later version adds.
        Err(_) => Err(forbid()),
    }
}

/// [`AuthFnError::Forbidden`], with `403` set on a server function's own response (not while a page renders,
/// and not for a plain form post, whose redirect back to the form leptos_axum makes).
fn forbid() -> AuthFnError {
    if let (Some(parts), Some(response)) =
        (use_context::<Parts>(), use_context::<ResponseOptions>())
        && !rendering_a_page()
        && !accepts_html(&parts)
    {
        response.set_status(http::StatusCode::FORBIDDEN);
    }
    AuthFnError::Forbidden
}

/// The error for `denied`, with the status (or, for a plain form, the redirect) set on the response.
fn deny(denied: &Denied) -> AuthFnError {
    let error = match denied {
        Denied::SignedOut(_) => AuthFnError::SignedOut,
        _ => {
            tracing::warn!(error = %denied.error(), "session check failed transiently");
            AuthFnError::Unavailable
        }
    };
    let (Some(parts), Some(response)) = (use_context::<Parts>(), use_context::<ResponseOptions>())
    else {
        return error;
    };
    if rendering_a_page() {
        return error;
    }
    if accepts_html(&parts) {
        if error.is_signed_out() {
            let location = sign_in_location(&parts);
            if let Ok(location) = HeaderValue::from_str(&location) {
                response.insert_header(LOCATION, location);
            }
        }
        return error;
    }
    response.set_status(denied.status());
    if matches!(error, AuthFnError::Unavailable) {
        response.insert_header(RETRY_AFTER, HeaderValue::from_static("1"));
    }
    error
}

/// Whether the request is a browser navigation or a plain form post rather than a call from Leptos' client
/// (the test leptos_axum uses for its own redirects).
fn accepts_html(parts: &Parts) -> bool {
    parts
        .headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// The sign-in page, with the page the form was on (its `Referer`, a same-origin page: the
/// [`refuse_cross_site`](crate::refuse_cross_site) refused others) to come back to.
fn sign_in_location(parts: &Parts) -> String {
    let sign_in = parts
        .extensions
        .get::<ServerContext>()
        .and_then(ServerContext::sign_in_path)
        .cloned()
        .unwrap_or_else(|| SignInPath::or_default(crate::DEFAULT_SIGN_IN_PATH));
    let back = parts
        .headers
        .get(REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<Uri>().ok())
        .and_then(|uri| uri.path_and_query().map(|pq| pq.as_str().to_owned()))
        .unwrap_or_else(|| "/".to_owned());
    sign_in.location_for(&back)
}
