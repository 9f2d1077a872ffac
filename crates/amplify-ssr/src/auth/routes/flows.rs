//! The four flows: start (sign-in / sign-up), sign-in callback, sign-out, sign-out callback.

use std::time::SystemTime;

use http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use http::{HeaderMap, HeaderValue, Response, StatusCode};

use super::flow_cookies::FlowCookie;
use super::oauth_client::{self, CodeExchange, SERVER_ERROR};
use super::{AuthRoutes, Inner, SignInComplete, html, pkce, state};
use crate::auth::AuthEvent;
use crate::auth::sign_out_here::{self, RevokeRefreshToken};
use crate::auth::tokens;
use crate::context::ServerContext;
use crate::cookies::{IS_SIGNING_OUT_KEY, IS_SIGNING_OUT_REDIRECTING_KEY, PKCE_KEY, STATE_KEY};
use crate::error::AuthError;
use crate::secret::{AuthorizationCode, OAuthState, PkceVerifier, RefreshToken};

/// Longest IdP `error` / `error_description` passed on to the error destination.
const MAX_IDP_ERROR_CHARS: usize = 512;

/// Upstream's message for an expired (or foreign) flow.
const TIMEOUT_DESCRIPTION: &str = "Sign in has to be completed within 5 minutes.";

/// Which managed-login page a start route opens.
#[derive(Clone, Copy, Debug)]
pub(super) enum Start {
    SignIn,
    SignUp,
}

/// The query parameters the routes read; the first occurrence of a name wins.
#[derive(Default)]
pub(super) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub(super) fn parse(uri: &http::Uri) -> Self {
        let pairs = uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Self { pairs }
    }

    /// The value of `name`, if present and non-empty.
    fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

impl AuthRoutes {
    /// `GET sign-in` / `GET sign-up`.
    pub(super) async fn sign_in(
        &self,
        start: Start,
        query: &Query,
        headers: &HeaderMap,
    ) -> Response<String> {
        let inner = &self.inner;
        let ctx = inner.runner.context(headers);
        let redirect_to = query.get("redirect_to").and_then(|candidate| {
            let accepted = state::acceptable_redirect(candidate);
            if accepted.is_none() {
                tracing::debug!("ignoring a redirect_to that is not a safe relative path");
            }
            accepted
        });

        match crate::auth::get_current_user(&ctx).await {
            Ok(_) => {
                let target = redirect_to.unwrap_or(&inner.sign_in_complete);
                return redirect(&ctx, target);
            }
            Err(AuthError::UserUnAuthenticated) => {}
            Err(e) => {
                tracing::debug!(error = %e, "session check before sign-in failed; starting a new sign-in");
            }
        }

        let custom_state = query.get("custom_state").filter(|custom| {
            let fits = custom.len() <= state::MAX_CUSTOM_STATE_LEN;
            if !fits {
                tracing::warn!(
                    size = custom.len(),
                    limit = state::MAX_CUSTOM_STATE_LEN,
                    "dropping a custom_state longer than the limit"
                );
            }
            fits
        });
        let (verifier, oauth_state) = match (
            pkce::new_verifier(),
            state::new_state(redirect_to, custom_state),
        ) {
            (Ok(verifier), Ok(oauth_state)) => (verifier, oauth_state),
            (Err(e), _) | (_, Err(e)) => {
                tracing::error!(error = %e, "cannot start sign-in");
                return self.error_redirect(&ctx, &[("error", SERVER_ERROR)]);
            }
        };
        let mut url = match start {
            Start::SignIn => inner.authorize_url.clone(),
            Start::SignUp => inner.signup_url.clone(),
        };
        {
            let challenge = pkce::challenge(&verifier);
            let mut pairs = url.query_pairs_mut();
            pairs
                .append_pair("redirect_uri", &inner.redirect_sign_in)
                .append_pair("response_type", "code")
                .append_pair("client_id", &inner.client_id)
                .append_pair("scope", &inner.scopes)
                .append_pair("state", oauth_state.secret())
                .append_pair("code_challenge", &challenge)
                .append_pair("code_challenge_method", "S256");
            if let Some(provider) = query.get("provider") {
                pairs.append_pair("identity_provider", &identity_provider(provider));
            }
            if let Some(lang) = query.get("lang") {
                pairs.append_pair("lang", lang);
            }
        }
        let flow = &inner.flow_cookies;
        flow.set(&ctx, PKCE_KEY, verifier.secret());
        flow.set(&ctx, STATE_KEY, oauth_state.secret());
        redirect(&ctx, url.as_str())
    }

    /// `GET sign-in-callback`.
    pub(super) async fn sign_in_callback(
        &self,
        query: &Query,
        headers: &HeaderMap,
    ) -> Response<String> {
        let inner = &self.inner;
        let ctx = inner.runner.context(headers);

        let idp_error = query.get("error");
        let idp_description = query.get("error_description");
        if idp_error.is_some() || idp_description.is_some() {
            // Anyone can send a user to this URL with an `?error=`. Only a response to the flow this browser
            // started (its state matches the state cookie) may end that flow or put the IdP's description on
            // the app's error page; otherwise only a sanitised code goes through, and the flow stays intact.
            let state_matches = match (inner.flow_cookies.read(&ctx, STATE_KEY), query.get("state"))
            {
                (FlowCookie::One(cookie_state), Some(returned)) => {
                    state::states_match(&OAuthState::new(cookie_state), returned)
                }
                _ => false,
            };
            tracing::info!(
                state_matches,
                "managed login returned an error to the sign-in callback"
            );
            let code = oauth_client::sanitize_code(idp_error.unwrap_or("access_denied"));
            let mut pairs = vec![("error", code.as_str())];
            if state_matches {
                self.clear_sign_in_flow(&ctx, false);
                if let Some(description) = idp_description {
                    pairs.push(("error_description", truncate(description)));
                }
            }
            return self.error_redirect(&ctx, &pairs);
        }

        let (Some(code), Some(returned_state)) = (query.get("code"), query.get("state")) else {
            tracing::info!("sign-in callback without code or state");
            return self.error_redirect(&ctx, &[("error", "invalid_request")]);
        };

        let flow = &inner.flow_cookies;
        let (verifier, cookie_state) = match (flow.read(&ctx, PKCE_KEY), flow.read(&ctx, STATE_KEY))
        {
            (FlowCookie::One(verifier), FlowCookie::One(cookie_state)) => (verifier, cookie_state),
            (FlowCookie::Disputed, _) | (_, FlowCookie::Disputed) => {
                // One copy was planted (a login CSRF), and which one cannot be told. Nothing is cleared: a removal
                // would hit the browser's own cookie, not the planted one.
                tracing::warn!(
                    "the sign-in flow cookies come in disagreeing copies (planted by another site?); refusing the flow"
                );
                return self.error_redirect(&ctx, &[("error", "invalid_state")]);
            }
            _ => {
                return self
                    .callback_without_flow(&ctx, code, returned_state, headers)
                    .await;
            }
        };
        let verifier = PkceVerifier::new(verifier);
        let cookie_state = OAuthState::new(cookie_state);
        if !state::states_match(&cookie_state, returned_state) {
            tracing::warn!("sign-in callback state does not match the state cookie");
            return self.error_redirect(&ctx, &[("error", "invalid_state")]);
        }

        // From here on the code is spent whatever happens, so the flow cookies go.
        self.clear_sign_in_flow(&ctx, true);
        let code = AuthorizationCode::new(code);
        let exchange = CodeExchange {
            client_id: &inner.client_id,
            code: &code,
            redirect_uri: &inner.redirect_sign_in,
            verifier: &verifier,
        };
        let result = match oauth_client::exchange_code(
            inner.runner.http_client(),
            &inner.token_url,
            &exchange,
            &inner.options.retry,
        )
        .await
        {
            Ok(result) => result,
            Err(e) => {
                tracing::warn!(error = %e, "authorization code exchange failed");
                return self.error_redirect(&ctx, &[("error", e.oauth_code())]);
            }
        };
        let session =
            match tokens::session_from_result(&result, None, None, None, SystemTime::now()) {
                Ok(session) => session,
                Err(e) => {
                    tracing::warn!(error = %e, "the token endpoint returned unusable tokens");
                    return self.error_redirect(&ctx, &[("error", SERVER_ERROR)]);
                }
            };
        tokens::replace(&ctx, &inner.client_id, &session);
        tracing::info!("signed in through managed login");

        let mut target =
            state::redirect_of(&cookie_state).unwrap_or_else(|| inner.sign_in_complete.clone());
        if let Some(handler) = &inner.options.on_sign_in_complete {
            // From the cookie's copy of the state, which matched the returned one.
            let custom_state = state::custom_state_of(&cookie_state);
            let user = AuthEvent::of(&ctx, &session.access_claims, &session.username);
            let complete = SignInComplete {
                custom_state: custom_state.as_deref(),
                user: &user,
                destination: &target,
            };
            if let Some(chosen) = handler.call(&complete) {
                match super::options::check_destination(&chosen) {
                    Some(checked) => target = checked,
                    None => tracing::error!(
                        "the sign-in-complete handler returned a destination that is neither a relative path \
                         nor an http(s) URL; keeping the destination"
                    ),
                }
            }
        }
        html_page(&ctx, &target)
    }

    /// A callback this browser has no flow for: the flow cookies expired, the flow started in another browser,
    /// or the user came back to it (Back) after the sign-in completed, when the code is spent and the cookies gone.
    async fn callback_without_flow(
        &self,
        ctx: &ServerContext,
        code: &str,
        returned_state: &str,
        headers: &HeaderMap,
    ) -> Response<String> {
        let inner = &self.inner;
        self.clear_sign_in_flow(ctx, false);
        match crate::auth::get_current_user(ctx).await {
            Ok(_) => {
                // Not an error for a signed-in user. Only the default destination: the `redirect_to` inside this
                // state was never checked against a flow cookie, so it is not followed.
                tracing::info!("sign-in callback revisited while signed in; sending the user on");
                return redirect(ctx, &inner.sign_in_complete);
            }
            Err(AuthError::UserUnAuthenticated) => {}
            Err(e) => {
                tracing::debug!(error = %e, "no usable session at a sign-in callback without a flow")
            }
        }
        if is_cross_site(headers) {
            // A cross-site arrival (managed login redirecting, e.g. after Back) carries no SameSite=Strict session
            // cookies. Come back once from this origin, so the next arrival shows whether the user is signed in.
            let again = with_query(
                &inner.redirect_sign_in,
                &[("code", code), ("state", returned_state)],
            );
            return html_page(ctx, &again);
        }
        tracing::info!("sign-in callback without flow cookies (expired or another browser)");
        self.error_redirect(
            ctx,
            &[
                ("error", "timeout"),
                ("error_description", TIMEOUT_DESCRIPTION),
            ],
        )
    }

    /// `GET` or `POST sign-out`. Only a sign-out the user asked for on this application's pages goes ahead:
    /// see the [module docs](super#security-model).
    pub(super) fn sign_out(&self, method: &http::Method, headers: &HeaderMap) -> Response<String> {
        let inner = &self.inner;
        let ctx = inner.runner.context(headers);
        let same_origin = crate::same_origin::check(headers, inner.runner.app_origin());
        let post = method == http::Method::POST;
        match (post, same_origin) {
            (true, Ok(())) => {}
            (false, Ok(())) if is_user_navigation(headers) => {}
            (false, outcome) => {
                match outcome {
                    Err(reason) => {
                        tracing::info!(%reason, "sign-out asked for from elsewhere; asking the user to confirm")
                    }
                    Ok(()) => tracing::info!(
                        "sign-out navigation the user did not make; asking the user to confirm"
                    ),
                }
                return confirm_page(&ctx);
            }
            (true, Err(reason)) => {
                tracing::warn!(%reason, "refused a cross-origin sign-out post");
                return plain(
                    StatusCode::FORBIDDEN,
                    "Sign-out refused: the request came from another site.",
                );
            }
        }
        let mut url = inner.logout_url.clone();
        url.query_pairs_mut()
            .append_pair("client_id", &inner.client_id)
            .append_pair("logout_uri", &inner.redirect_sign_out);
        inner.flow_cookies.set(&ctx, IS_SIGNING_OUT_KEY, "true");
        inner
            .flow_cookies
            .set(&ctx, IS_SIGNING_OUT_REDIRECTING_KEY, "true");
        if post {
            // Browsers apply the posting page's CSP `form-action` to the redirects that follow a form submission
            // (the confirmation page allows only 'self'), and `/logout` is on managed login's origin: a `302`
            // would be blocked. The intermediary page navigates there as a new, unrestricted document.
            html_page(&ctx, url.as_str())
        } else {
            redirect(&ctx, url.as_str())
        }
    }

    /// `GET sign-out-callback`.
    pub(super) async fn sign_out_callback(&self, headers: &HeaderMap) -> Response<String> {
        let inner = &self.inner;
        let ctx = inner.runner.context(headers);
        let flow = &inner.flow_cookies;
        if !flow.is_present(&ctx, IS_SIGNING_OUT_KEY) {
            tracing::debug!("sign-out callback without a sign-out in progress");
            return redirect(&ctx, &inner.sign_out_complete);
        }
        if flow.is_present(&ctx, IS_SIGNING_OUT_REDIRECTING_KEY) {
            // First arrival, possibly cross-site: bounce once so the next arrival carries SameSite=Strict cookies.
            flow.remove(&ctx, IS_SIGNING_OUT_REDIRECTING_KEY);
            return html_page(&ctx, &inner.redirect_sign_out);
        }
        self.end_session(&ctx).await;
        flow.remove(&ctx, IS_SIGNING_OUT_KEY);
        redirect(&ctx, &inner.sign_out_complete)
    }

    /// Signs the session out on this server and revokes its refresh tokens: the session's own first, then other
    /// copies found (see [`sign_out_here`]).
    async fn end_session(&self, ctx: &ServerContext) {
        let inner = &self.inner;
        let found = match inner.runner.auth_runtime() {
            Ok(runtime) => sign_out_here::end_session(ctx, runtime).await,
            Err(e) => {
                tracing::error!(error = %e, "sign-out callback without a user pool");
                return;
            }
        };
        if found.is_empty() {
            tracing::debug!("sign-out callback without a session; nothing to revoke");
            return;
        }
        let revoked = found.revoke_refresh_tokens(inner.as_ref()).await;
        if revoked {
            tracing::info!("refresh token revoked");
        }
    }

    /// Removes the PKCE and state cookies; with `always` false only those the request carried.
    fn clear_sign_in_flow(&self, ctx: &ServerContext, always: bool) {
        let flow = &self.inner.flow_cookies;
        for key in [PKCE_KEY, STATE_KEY] {
            if always || flow.is_present(ctx, key) {
                flow.remove(ctx, key);
            }
        }
    }

    fn error_redirect(&self, ctx: &ServerContext, pairs: &[(&str, &str)]) -> Response<String> {
        redirect(ctx, &with_query(&self.inner.error_destination, pairs))
    }
}

/// Revocation through managed login's `/oauth2/revoke` endpoint.
impl RevokeRefreshToken for Inner {
    type Error = oauth_client::OAuthCallError;

    async fn revoke(&self, token: &RefreshToken) -> Result<(), Self::Error> {
        oauth_client::revoke(
            self.runner.http_client(),
            &self.revoke_url,
            &self.client_id,
            token,
            &self.options.retry,
        )
        .await
    }
}

/// `?provider=` → `identity_provider`: upstream's capitalisation and mapping; unknown names pass through as given.
pub(super) fn identity_provider(provider: &str) -> String {
    let mut chars = provider.chars();
    let capitalised: String = match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.as_str().to_lowercase().chars())
            .collect(),
        None => String::new(),
    };
    match capitalised.as_str() {
        "Google" => "Google".to_owned(),
        "Facebook" => "Facebook".to_owned(),
        "Amazon" => "LoginWithAmazon".to_owned(),
        "Apple" => "SignInWithApple".to_owned(),
        _ => provider.to_owned(),
    }
}

/// Appends form-encoded `pairs` to `destination`'s query (with `&` if it already has one), before any fragment.
pub(super) fn with_query(destination: &str, pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return destination.to_owned();
    }
    let (base, fragment) = match destination.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (destination, None),
    };
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let mut out = base.to_owned();
    if !base.contains('?') {
        out.push('?');
    } else if !base.ends_with(['?', '&']) {
        out.push('&');
    }
    out.push_str(&encoded);
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

fn truncate(text: &str) -> &str {
    match text.char_indices().nth(MAX_IDP_ERROR_CHARS) {
        Some((idx, _)) => &text[..idx],
        None => text,
    }
}

/// A plain-text answer without cookies.
pub(super) fn plain(status: StatusCode, text: &str) -> Response<String> {
    let mut response = Response::new(text.to_owned());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `302 Found` to `target`, with the context's cookie writes.
fn redirect(ctx: &ServerContext, target: &str) -> Response<String> {
    let mut response = Response::new(String::new());
    *response.status_mut() = StatusCode::FOUND;
    response
        .headers_mut()
        .insert(LOCATION, location_value(target));
    finish(ctx, response)
}

/// `200` with the page asking the user to confirm a sign-out with a `POST`; no cookie is touched.
fn confirm_page(ctx: &ServerContext) -> Response<String> {
    html_response(
        ctx,
        html::CONFIRM_SIGN_OUT_PAGE.to_owned(),
        // No other site may frame the button (clickjacking), and the form may only post back here.
        &[
            (
                http::header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
            (http::header::X_FRAME_OPTIONS, "DENY"),
        ],
    )
}

/// Whether the browser says another site caused this request (its redirects included).
fn is_cross_site(headers: &HeaderMap) -> bool {
    headers
        .get(crate::same_origin::SEC_FETCH_SITE)
        .is_some_and(|v| v == "cross-site")
}

/// Whether a (same-origin) navigation was made by the user: a click, a typed address. The browser says so in
/// `Sec-Fetch-User`; a page's script or meta refresh, which a redirect on the site could point here, does not
/// get it, and neither does an image. A browser without Fetch Metadata cannot tell: its `Referer` on the app
/// origin is also what an `<img src=/api/auth/sign-out>` in content on the app's own pages sends, so it gets the
/// confirmation page.
fn is_user_navigation(headers: &HeaderMap) -> bool {
    headers.get("sec-fetch-user").is_some_and(|v| v == "?1")
}

/// `200` with the HTML intermediary page to `target`, with the context's cookie writes.
fn html_page(ctx: &ServerContext, target: &str) -> Response<String> {
    let (page, policy) = html::redirect_page(target);
    // The callback URL carries the authorization code; do not leak it to the next page.
    let mut response = html_response(ctx, page, &[(http::header::REFERRER_POLICY, "no-referrer")]);
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(http::header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

/// `200` with an HTML `page` and `extra` headers, with the context's cookie writes.
fn html_response(
    ctx: &ServerContext,
    page: String,
    extra: &[(http::HeaderName, &'static str)],
) -> Response<String> {
    let mut response = Response::new(page);
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    for (name, value) in extra {
        headers.insert(name.clone(), HeaderValue::from_static(value));
    }
    finish(ctx, response)
}

fn finish(ctx: &ServerContext, mut response: Response<String>) -> Response<String> {
    let headers = response.headers_mut();
    ctx.apply_to_response_headers(headers);
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A `Location` value: characters a header cannot carry (non-ASCII, controls, spaces) are percent-encoded.
fn location_value(target: &str) -> HeaderValue {
    let mut encoded = String::with_capacity(target.len());
    for c in target.chars() {
        if c.is_ascii_graphic() {
            encoded.push(c);
        } else {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                encoded.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    HeaderValue::from_str(&encoded).unwrap_or_else(|_| HeaderValue::from_static("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers() {
        for (input, expected) in [
            ("google", "Google"),
            ("GOOGLE", "Google"),
            ("facebook", "Facebook"),
            ("amazon", "LoginWithAmazon"),
            ("apple", "SignInWithApple"),
            ("LoginWithAmazon", "LoginWithAmazon"),
            ("MyOidc", "MyOidc"),
            ("ß", "ß"),
        ] {
            assert_eq!(identity_provider(input), expected, "{input}");
        }
    }

    #[test]
    fn queries_are_appended() {
        let pairs = [("error", "access_denied"), ("error_description", "a b&c")];
        assert_eq!(
            with_query("/", &pairs),
            "/?error=access_denied&error_description=a+b%26c"
        );
        assert_eq!(
            with_query("/x?y=1", &pairs[..1]),
            "/x?y=1&error=access_denied"
        );
        assert_eq!(with_query("/x?", &pairs[..1]), "/x?error=access_denied");
        assert_eq!(
            with_query("/x#top", &pairs[..1]),
            "/x?error=access_denied#top"
        );
    }

    #[test]
    fn location_values_are_header_safe() {
        assert_eq!(location_value("/café x"), "/caf%C3%A9%20x");
    }
}
