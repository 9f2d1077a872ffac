//! [`ServerContext`] (one per request) and, re-exported here, the [`ServerRunner`] that creates it (built once
//! per process by its [`ServerRunnerBuilder`]).
//!
//! The runner owns everything that may be shared between requests: the parsed configuration, one HTTP client,
//! the JWKS cache and token verifier, the refresh coordinator that makes concurrent requests carrying the
//! same refresh token share one Cognito call, and the list of sessions signed out through it
//! (see [`crate::auth`]). Nothing else is shared: a context holds only its request's cookies, the cookie writes
//! made while handling it (a jar where the last write to a name wins) and the tokens it already verified, so the
//! library stays stateless across requests (apart from caches) and is safe behind a load balancer.
//!
//! # Context kinds
//!
//! | kind | reads | writes |
//! |---|---|---|
//! | [`ContextKind::RequestResponse`] | request cookies, then this request's own writes | become `Set-Cookie` headers |
//! | [`ContextKind::ReadOnly`] | request cookies, then this request's own writes | kept for later reads in the same request, never sent; a `tracing` warning says so |
//! | [`ContextKind::Static`] | nothing (no request) | kept in the context only; guest access only |
//!
//! Unlike the Next.js adapter, reads see the writes made earlier in the same context, so one request never
//! refreshes a session twice.
//!
//! # Caching
//!
//! A response whose content depended on the session must never be stored by a cache: not by a shared cache,
//! which would hand one user's page to another, and not by the browser, whose Back button would show a
//! signed-out user's pages again. So the context records every read of a session cookie (the user pool's
//! token keys, `LastAuthUser`, the guest identity id), whoever made it: the session APIs
//! ([`fetch_auth_session`](crate::fetch_auth_session), [`get_current_user`](crate::get_current_user),
//! [`fetch_user_attributes`](crate::fetch_user_attributes), Data and Storage calls with the user's session),
//! the axum extractors and `RequireAuthLayer`, or [`ServerContext::cookie`]. A read counts even when the
//! request carried no session: a signed-out page depends on the session too. Then
//! [`ServerContext::apply_to_response`] (which the axum layer calls) sets `Cache-Control: private, no-store`,
//! replacing any `Cache-Control` the handler set.
//!
//! The way out, for a response that read the session but whose content does not depend on it: put
//! [`SessionIndependent`] in the response's extensions. The handler's own `Cache-Control` (or none) then stands.
//! It does not cover a response that changes session cookies: `Set-Cookie` with tokens is always
//! `private, no-store`.
//!
//! No `Vary: Cookie` is added: `no-store` already keeps every cache from storing the response, and a response
//! marked [`SessionIndependent`] is by definition the same for every cookie.
//!
//! Only a [`ContextKind::RequestResponse`] context sets the header. A read-only context serves a response whose
//! headers are already gone: a streaming page that reads the session there must send
//! `Cache-Control: private, no-store` itself, or read the session in middleware first.

#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use http::{HeaderMap, HeaderValue};

use crate::auth::cached_session::Decision;
use crate::auth::verified::VerifiedTokens;
use crate::cookies::{
    CookieAttributes, CookieMode, MAX_SET_COOKIE_LEN, RequestCookies, carried_chunks, chunk_name,
    is_chunkable, is_server_auth_writable, join_chunks, removal, set_cookie, split_lines,
};
use crate::guard::SignInPath;

pub use crate::config::ENV_APP_ORIGIN;
pub use crate::runner::{
    ENV_COOKIE_SECRET, ENV_REDIS_PREFIX, ENV_REDIS_TIMEOUT_MS, ENV_REDIS_URL, ServerRunner,
    ServerRunnerBuilder,
};

/// Which kind of request a [`ServerContext`] serves. See the [module docs](self).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContextKind {
    /// Request and response: writes become `Set-Cookie`.
    RequestResponse,
    /// A render that can no longer set headers: writes are dropped with a warning.
    ReadOnly,
    /// No request at all: guest access only.
    Static,
}

/// One request's view of the session cookies, and the cookie writes made while handling it.
///
/// Cheap to clone; clones share the same pending writes.
#[derive(Clone)]
pub struct ServerContext {
    inner: Arc<ContextInner>,
}

/// Prints the kind and the cookie *names* only: values are tokens.
impl std::fmt::Debug for ServerContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let writes = self.writes();
        f.debug_struct("ServerContext")
            .field("kind", &self.inner.kind)
            .field(
                "request_cookies",
                &self
                    .inner
                    .request
                    .iter()
                    .map(|(name, _)| name)
                    .collect::<Vec<_>>(),
            )
            .field("pending_writes", &writes.order)
            .finish_non_exhaustive()
    }
}

struct ContextInner {
    runner: ServerRunner,
    kind: ContextKind,
    request: RequestCookies,
    writes: Mutex<Writes>,
    /// Tokens already verified in this request, so several session reads cost one verification each.
    verified: VerifiedTokens,
    /// Whether a session cookie was read: the response then depends on the session (see the module docs).
    session_read: AtomicBool,
    /// Whether the writes were applied to a response: a later write cannot reach the browser any more.
    applied: AtomicBool,
    /// Where a framework integration sends this request when it is signed out (set by the integration that
    /// created the context, so route protection and extractors find it without another request extension).
    sign_in_path: Option<SignInPath>,
    /// The cached session check's decision, made once (see [`crate::auth::cached_session::decision`]).
    cached_decision: OnceLock<Decision>,
}

/// Marks a response whose content does not depend on the session although the handler read it, so the
/// [`ServerContext`] leaves its `Cache-Control` alone. See the [module docs](self#caching).
///
/// Put it in the response's extensions (`response.extensions_mut().insert(SessionIndependent)`); with axum,
/// return it as a response part: `(SessionIndependent, Html(page))`. Only use it when every visitor, signed in or
/// not, gets the same content: a page that greets the user by name is not session-independent. It has no effect
/// when the request changed session cookies (a refresh, a sign-out): those responses are always
/// `private, no-store`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionIndependent;

/// Cookie writes, keyed by raw name: the last write to a name wins, as in a browser's jar.
#[derive(Default)]
struct Writes {
    order: Vec<String>,
    values: HashMap<String, Write>,
    auth_changed: bool,
    /// Names whose writes are kept for reads in this context but never sent (the guest identity cookie in
    /// server-side-auth mode).
    unsent: HashSet<String>,
    /// Token cookies whose request chunks cannot be part of the session, to be cleared (unless the cookie itself
    /// is written, which clears its chunks anyway).
    cleared_chunks: Vec<String>,
}

#[derive(Clone)]
enum Write {
    Set {
        value: String,
        attributes: CookieAttributes,
    },
    Remove {
        attributes: CookieAttributes,
    },
}

impl ServerContext {
    pub(crate) fn new(runner: ServerRunner, kind: ContextKind, request: RequestCookies) -> Self {
        Self {
            inner: Arc::new(ContextInner {
                runner,
                kind,
                request,
                writes: Mutex::new(Writes::default()),
                verified: VerifiedTokens::default(),
                session_read: AtomicBool::new(false),
                applied: AtomicBool::new(false),
                sign_in_path: None,
                cached_decision: OnceLock::new(),
            }),
        }
    }

    /// Sets where signed-out visits of this request are sent: for a framework integration, on the context it
    /// just created (before the first clone: clones share the context, so a later call is logged and ignored).
    /// Route protection and the page extractors then find the path with the context.
    #[must_use]
    pub fn with_sign_in_path(mut self, path: SignInPath) -> Self {
        match Arc::get_mut(&mut self.inner) {
            Some(inner) => inner.sign_in_path = Some(path),
            None => tracing::error!("the sign-in path can only be set on a new context; ignored"),
        }
        self
    }

    /// The sign-in path the framework integration set for this request, if any.
    #[must_use]
    pub fn sign_in_path(&self) -> Option<&SignInPath> {
        self.inner.sign_in_path.as_ref()
    }

    /// The runner this context belongs to.
    #[must_use]
    pub fn runner(&self) -> &ServerRunner {
        &self.inner.runner
    }

    /// The kind of context.
    #[must_use]
    pub fn kind(&self) -> ContextKind {
        self.inner.kind
    }

    /// Reads a cookie by its raw (unencoded) name, seeing this context's own earlier writes first.
    ///
    /// Reading a session cookie (present or not) makes the response session-dependent: see the
    /// [module docs](self#caching).
    #[must_use]
    pub fn cookie(&self, raw_name: &str) -> Option<String> {
        if is_session_key(raw_name, &self.inner.runner) {
            self.inner.session_read.store(true, Ordering::Relaxed);
        }
        self.lookup(raw_name)
    }

    /// True when this context read the session: the response's content depended on it, so no cache may
    /// store it. See the [module docs](self#caching).
    #[must_use]
    pub fn session_was_read(&self) -> bool {
        self.inner.session_read.load(Ordering::Relaxed)
    }

    /// Records that the response depends on the session (a read made without [`cookie`](Self::cookie)).
    pub(crate) fn note_session_read(&self) {
        self.inner.session_read.store(true, Ordering::Relaxed);
    }

    /// Where the cached session check keeps its decision for this request.
    pub(crate) fn cached_decision(&self) -> &OnceLock<Decision> {
        &self.inner.cached_decision
    }

    /// The request's cookies, while they are all there is to read: `None` once this context wrote a cookie
    /// (reads must then see the writes). Reading through it records no session read.
    pub(crate) fn unwritten_request_cookies(&self) -> Option<&RequestCookies> {
        self.writes()
            .values
            .is_empty()
            .then_some(&self.inner.request)
    }

    /// Forgets the session reads made so far, for a read that does not shape the response (the layer's eager
    /// refresh, which runs before anything else read the session).
    pub(crate) fn forget_session_read(&self) {
        self.inner.session_read.store(false, Ordering::Relaxed);
    }

    /// The cookie's current value (this context's writes first) without recording a session read.
    fn lookup(&self, raw_name: &str) -> Option<String> {
        if let Some(write) = self.writes().values.get(raw_name) {
            return match write {
                Write::Set { value, .. } => Some(value.clone()),
                Write::Remove { .. } => None,
            };
        }
        self.inner
            .request
            .get(raw_name)
            .map(str::to_owned)
            .or_else(|| self.joined_chunks(raw_name))
    }

    /// The value of a token cookie the request split into chunks (see [`crate::cookies`]), when they join.
    fn joined_chunks(&self, raw_name: &str) -> Option<String> {
        if !is_chunkable(raw_name) {
            return None;
        }
        match join_chunks(&self.inner.request, raw_name)? {
            Ok(joined) => Some(joined),
            Err(e) => {
                tracing::debug!(cookie = raw_name, error = %e, "ignoring the chunks of a split cookie");
                None
            }
        }
    }

    /// Every copy of a cookie the request carried, in the order sent (see [`RequestCookies::get_all`]); after a
    /// write in this context, only the written value (none after a removal).
    ///
    /// Like [`cookie`](Self::cookie), reading a session cookie this way records a session read.
    pub(crate) fn cookie_copies(&self, raw_name: &str) -> Vec<String> {
        if is_session_key(raw_name, &self.inner.runner) {
            self.inner.session_read.store(true, Ordering::Relaxed);
        }
        if let Some(write) = self.writes().values.get(raw_name) {
            return match write {
                Write::Set { value, .. } => vec![value.clone()],
                Write::Remove { .. } => Vec::new(),
            };
        }
        // Chunks that join are one more copy, under the usual copy rules.
        self.inner
            .request
            .get_all(raw_name)
            .map(str::to_owned)
            .chain(self.joined_chunks(raw_name))
            .collect()
    }

    /// Clears the request's chunks of the token cookie `raw_name` (see [`crate::cookies`]) when they cannot be
    /// part of the session: they do not join, or the token they join to is not `used`, the copy the session
    /// uses. Otherwise the browser would send them again with every request, each of which would then take the
    /// full path to find them unusable again. Only a request-response context writes; nothing else of the cookie
    /// is touched.
    pub(crate) fn clear_unusable_chunks(&self, raw_name: &str, used: Option<&str>) {
        if self.inner.kind != ContextKind::RequestResponse || !is_chunkable(raw_name) {
            return;
        }
        let usable = match join_chunks(&self.inner.request, raw_name) {
            None => return,
            Some(Ok(joined)) => used == Some(joined.as_str()),
            Some(Err(_)) => false,
        };
        if usable {
            return;
        }
        tracing::debug!(
            cookie = raw_name,
            "the chunks of a split cookie are not part of the session; clearing them"
        );
        let mut writes = self.writes();
        if !writes.cleared_chunks.iter().any(|name| name == raw_name) {
            writes.cleared_chunks.push(raw_name.to_owned());
        }
        writes.auth_changed = true;
    }

    /// Sets a session cookie with the runner's token-cookie attributes.
    pub(crate) fn set_auth_cookie(&self, raw_name: &str, value: &str) {
        let attributes = self.token_attributes();
        self.write(
            raw_name,
            Write::Set {
                value: value.to_owned(),
                attributes,
            },
        );
    }

    /// Removes a session cookie (with matching Path/Domain so the browser drops it).
    pub(crate) fn remove_auth_cookie(&self, raw_name: &str) {
        if self.lookup(raw_name).is_none()
            && !self.inner.request.contains(raw_name)
            && carried_chunks(&self.inner.request, raw_name)
                .next()
                .is_none()
        {
            return;
        }
        let attributes = self.token_attributes();
        self.write(raw_name, Write::Remove { attributes });
    }

    /// Sets the guest identity-id cookie with the token-cookie attributes. With `send` false the value is only
    /// remembered for later reads in this context (server-side-auth mode, where upstream never writes it).
    pub(crate) fn set_identity_cookie(&self, raw_name: &str, value: &str, send: bool) {
        let attributes = self.token_attributes();
        self.write_identity(
            raw_name,
            Write::Set {
                value: value.to_owned(),
                attributes,
            },
            send,
        );
    }

    /// Removes the guest identity-id cookie (when present); with `send` false only for this context's reads.
    pub(crate) fn remove_identity_cookie(&self, raw_name: &str, send: bool) {
        if self.lookup(raw_name).is_none() && !self.inner.request.contains(raw_name) {
            return;
        }
        let attributes = self.token_attributes();
        self.write_identity(raw_name, Write::Remove { attributes }, send);
    }

    fn write_identity(&self, raw_name: &str, write: Write, send: bool) {
        self.write(raw_name, write);
        let mut writes = self.writes();
        if send {
            writes.unsent.remove(raw_name);
            // A per-browser identity: a shared cache must not store the response.
            writes.auth_changed = true;
        } else {
            writes.unsent.insert(raw_name.to_owned());
        }
    }

    /// Sets any cookie with explicit attributes (used by flows that need other attributes than tokens).
    pub fn set_cookie(&self, raw_name: &str, value: &str, attributes: CookieAttributes) {
        self.write(
            raw_name,
            Write::Set {
                value: value.to_owned(),
                attributes,
            },
        );
    }

    /// Removes any cookie, with the Path/Domain given in `attributes`.
    pub fn remove_cookie(&self, raw_name: &str, attributes: CookieAttributes) {
        self.write(raw_name, Write::Remove { attributes });
    }

    fn token_attributes(&self) -> CookieAttributes {
        self.inner.runner.token_cookie_attributes()
    }

    /// Whether a write to `raw_name` may become a `Set-Cookie`. In server-side-auth mode only the token
    /// cookies and LastAuthUser are sent, as upstream: the other keys are client-side bookkeeping that HttpOnly
    /// cookies would hide from the browser anyway. Filtered writes still count for reads in this context, and
    /// removals are always sent.
    fn is_emitted(&self, raw_name: &str) -> bool {
        !(matches!(
            self.inner.runner.cookie_mode(),
            CookieMode::ServerAuth { .. }
        ) && is_auth_key(raw_name, &self.inner.runner)
            && !is_server_auth_writable(raw_name))
    }

    fn write(&self, raw_name: &str, write: Write) {
        match self.inner.kind {
            ContextKind::ReadOnly => {
                tracing::warn!(
                    cookie = raw_name,
                    "cookie write in a read-only context is dropped (the response can no longer carry \
                     Set-Cookie); refresh the session in middleware so the browser receives the new cookies"
                );
            }
            ContextKind::RequestResponse if self.inner.applied.load(Ordering::Relaxed) => {
                tracing::warn!(
                    cookie = raw_name,
                    "cookie write after the response headers were built (a streamed body?) is not sent; \
                     use AmplifyLayer::refresh_eagerly, or read the session before returning the response"
                );
            }
            ContextKind::Static | ContextKind::RequestResponse => {}
        }
        let mut writes = self.writes();
        if is_auth_key(raw_name, &self.inner.runner) {
            writes.auth_changed = true;
        }
        if !writes.values.contains_key(raw_name) {
            writes.order.push(raw_name.to_owned());
        }
        writes.values.insert(raw_name.to_owned(), write);
    }

    /// True when this context changed a session cookie (the response should then not be cached).
    #[must_use]
    pub fn auth_cookies_changed(&self) -> bool {
        self.inner.kind == ContextKind::RequestResponse && self.writes().auth_changed
    }

    /// The `Set-Cookie` header values for the writes made so far, in write order. Empty for read-only and
    /// static contexts. Calling it again returns the same headers: writes are not consumed.
    ///
    /// In the server-auth mode a token cookie too large for one cookie becomes several chunks, and every write
    /// or removal of a token cookie also clears the chunks (or the unsplit cookie) it replaces; see
    /// [`crate::cookies`].
    #[must_use]
    pub fn set_cookie_headers(&self) -> Vec<HeaderValue> {
        if self.inner.kind != ContextKind::RequestResponse {
            return Vec::new();
        }
        let writes = self.writes();
        if writes.order.is_empty() && writes.cleared_chunks.is_empty() {
            return Vec::new();
        }
        let mut lines = Vec::with_capacity(writes.order.len());
        for name in &writes.order {
            if writes.unsent.contains(name) {
                continue;
            }
            match writes.values.get(name) {
                // Removals always go out: they clean up what a browser-side client left behind.
                Some(Write::Set { .. }) if !self.is_emitted(name) => {}
                Some(Write::Set { value, attributes }) => {
                    self.set_lines(name, value, attributes, &mut lines);
                }
                Some(Write::Remove { attributes }) => {
                    lines.push(removal(name, attributes));
                    self.clear_chunks(name, 0, attributes, &mut lines);
                }
                None => {}
            }
        }
        if !writes.cleared_chunks.is_empty() {
            let attributes = self.token_attributes();
            // A write of the cookie itself already cleared the chunks it replaces.
            for name in writes
                .cleared_chunks
                .iter()
                .filter(|name| !writes.values.contains_key(*name))
            {
                self.clear_chunks(name, 0, &attributes, &mut lines);
            }
        }
        lines
            .into_iter()
            .filter_map(|line| match HeaderValue::from_str(&line) {
                Ok(value) => Some(value),
                Err(_) => {
                    tracing::error!("a Set-Cookie line was not a valid header value; dropped");
                    None
                }
            })
            .collect()
    }

    /// The lines that write `value` under `name`: split into chunks when a token cookie is too large in the
    /// server-auth mode, clearing whatever form of the cookie it replaces.
    fn set_lines(
        &self,
        name: &str,
        value: &str,
        attributes: &CookieAttributes,
        lines: &mut Vec<String>,
    ) {
        let token = is_chunkable(name) && is_auth_key(name, &self.inner.runner);
        let server_auth = matches!(
            self.inner.runner.cookie_mode(),
            CookieMode::ServerAuth { .. }
        );
        // Built once: its length decides whether it is split, and unsplit it is the line written.
        let line = set_cookie(name, value, attributes);
        if token
            && server_auth
            && let Some(chunks) = split_lines(name, value, attributes, line.len())
        {
            let count = chunks.len();
            lines.extend(chunks);
            if self.inner.request.contains(name) {
                lines.push(removal(name, attributes));
            }
            self.clear_chunks(name, count, attributes, lines);
            return;
        }
        if token && !server_auth && line.len() > MAX_SET_COOKIE_LEN {
            // The browser-side client reads exact names, so no chunks here; the browser would drop the cookie.
            tracing::warn!(
                cookie = name,
                size = line.len(),
                limit = MAX_SET_COOKIE_LEN,
                "a token cookie is too large for one cookie in the JS-readable mode; browsers drop it. \
                 An id token is cleared instead (the user is then known by the access token); use the \
                 HttpOnly server-auth mode, which splits it, or trim the token's groups and attributes"
            );
            if name.ends_with(".idToken") {
                lines.push(removal(name, attributes));
                self.clear_chunks(name, 0, attributes, lines);
                return;
            }
        }
        lines.push(line);
        if token {
            self.clear_chunks(name, 0, attributes, lines);
        }
    }

    /// Removals of the chunks of `name` the request carried, from index `from` on.
    fn clear_chunks(
        &self,
        name: &str,
        from: usize,
        attributes: &CookieAttributes,
        lines: &mut Vec<String>,
    ) {
        if !is_chunkable(name) {
            return;
        }
        for index in carried_chunks(&self.inner.request, name).filter(|index| *index >= from) {
            lines.push(removal(&chunk_name(name, index), attributes));
        }
    }

    /// Appends this context's `Set-Cookie` headers to `response` and, when the response must not be cached,
    /// sets `Cache-Control: private, no-store` (replacing the handler's): when a session cookie changed, or when
    /// the session was read and the response does not carry [`SessionIndependent`] in its extensions. See the
    /// [module docs](self#caching). The axum layer calls this for every response.
    ///
    /// A cookie the response already sets itself is left to the response: this context's write of the same name
    /// (say, an eager refresh before a handler that then signed the user out) is not sent after it.
    pub fn apply_to_response<B>(&self, response: &mut http::Response<B>) {
        let independent = response.extensions().get::<SessionIndependent>().is_some();
        self.apply(response.headers_mut(), independent);
    }

    /// Like [`apply_to_response`](Self::apply_to_response) for a response whose extensions are not at hand: the
    /// `Set-Cookie` headers, and `Cache-Control: private, no-store` when a session cookie changed or the session
    /// was read (there is no way out here).
    pub fn apply_to_response_headers(&self, headers: &mut HeaderMap) {
        self.apply(headers, false);
    }

    fn apply(&self, headers: &mut HeaderMap, session_independent: bool) {
        self.inner.applied.store(true, Ordering::Relaxed);
        // A cookie the response already sets (a handler that signed the user out and cleared the session) keeps
        // the response's value: this context's write of the same name, made before the handler ran (an eager
        // refresh), would come after it and undo it in the browser.
        let set_by_response: HashSet<String> = headers
            .get_all(http::header::SET_COOKIE)
            .iter()
            .filter_map(set_cookie_name)
            .collect();
        for value in self.set_cookie_headers() {
            if set_cookie_name(&value).is_some_and(|name| set_by_response.contains(&name)) {
                continue;
            }
            headers.append(http::header::SET_COOKIE, value);
        }
        if self.inner.kind != ContextKind::RequestResponse {
            return;
        }
        let depends_on_session = self.session_was_read() && !session_independent;
        if self.auth_cookies_changed() || depends_on_session {
            // Deliberately wins over the handler's own Cache-Control (see the module docs).
            headers.insert(
                http::header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
        }
    }

    /// The tokens this request already verified (see [`crate::auth`]'s token loading).
    pub(crate) fn verified_tokens(&self) -> &VerifiedTokens {
        &self.inner.verified
    }

    fn writes(&self) -> MutexGuard<'_, Writes> {
        // A panic while holding this lock cannot leave the map half-updated in a harmful way, so recover.
        self.inner
            .writes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Whether reading `raw_name` reads the session (a user-pool key of this app client or the guest identity id).
fn is_session_key(raw_name: &str, runner: &ServerRunner) -> bool {
    runner
        .auth()
        .is_some_and(|auth| auth.is_session_cookie(raw_name))
}

/// Whether a raw cookie name belongs to the Amplify session of this runner's app client.
fn is_auth_key(raw_name: &str, runner: &ServerRunner) -> bool {
    runner
        .auth()
        .is_some_and(|auth| auth.is_auth_cookie(raw_name))
}

/// The name of the cookie a `Set-Cookie` value sets, as sent (before the first `=`).
fn set_cookie_name(value: &HeaderValue) -> Option<String> {
    let line = value.to_str().ok()?;
    let (name, _) = line.split_once('=')?;
    Some(name.trim().to_owned())
}
