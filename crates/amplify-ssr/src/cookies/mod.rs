//! Amplify's session cookies: key names, the js-cookie codec, request parsing and `Set-Cookie` serialisation.
//!
//! The browser-side aws-amplify client (`Amplify.configure(config, { ssr: true })`) stores its session in cookies
//! written with js-cookie. This module speaks the same wire format so the server and the browser share one session:
//!
//! * [`AuthCookieNames`], [`TokenSlot`], [`identity_id_key`]: the raw (unencoded) keys, e.g.
//!   `CognitoIdentityServiceProvider.<clientId>.<username>.accessToken`.
//! * [`encode_name`], [`encode_value`], [`decode`]: js-cookie's percent-encoding. Keys are always handled raw in
//!   this crate; the codec is applied only on the wire.
//! * [`RequestCookies`]: the `Cookie` header(s), decoded; `get` returns the first copy of a duplicated name,
//!   `get_all` every copy (the session is read from every copy: see [`crate::auth`]).
//! * [`token_cookie_attributes`], [`flow_cookie_attributes`], [`set_cookie`], [`removal`]: `Set-Cookie` values with
//!   the attributes aws-amplify uses in each mode.
//! * [`join_chunks`], [`chunk_name`], [`MAX_SET_COOKIE_LEN`]: token cookies too large for one cookie.
//!
//! # Cookie modes
//!
//! [`CookieMode::JsReadable`] (the default) writes every key aws-amplify writes, readable by the browser client;
//! [`CookieMode::ServerAuth`] writes only the tokens and `LastAuthUser`, `HttpOnly`. A token cookie whose
//! `Set-Cookie` line would exceed [`MAX_SET_COOKIE_LEN`] is split into numbered chunks in the server-auth mode and
//! joined when read; in the JS-readable mode it stays one cookie (the browser client reads exact names), a
//! warning with its size is logged, and an id token is cleared instead of written, so the user is known by the
//! verified access token. The scheme and its failure rules are in the `chunks` module's docs (below, on
//! [`join_chunks`]).
//!
//! ```
//! use amplify_ssr::cookies::{
//!     AuthCookieNames, CookieMode, CookieOptions, RequestCookies, TokenSlot, set_cookie, token_cookie_attributes,
//! };
//!
//! let names = AuthCookieNames::new("1example23456789");
//! let key = names.user_key("alice@example.com", TokenSlot::AccessToken);
//!
//! let attrs = token_cookie_attributes(CookieMode::JsReadable, &CookieOptions::default());
//! assert_eq!(
//!     set_cookie(&key, "eyJ.payload.sig", &attrs),
//!     "CognitoIdentityServiceProvider.1example23456789.alice%40example.com.accessToken=eyJ.payload.sig; \
//!      SameSite=Lax; Secure; Path=/; Max-Age=31536000"
//! );
//!
//! let request = RequestCookies::parse(
//!     "CognitoIdentityServiceProvider.1example23456789.alice%40example.com.accessToken=eyJ.payload.sig",
//! );
//! assert_eq!(request.get(&key), Some("eyJ.payload.sig"));
//! ```

mod attributes;
mod chunks;
mod codec;
mod names;
mod request;
#[cfg(test)]
mod tests;

pub use attributes::{
    CookieAttributes, CookieMode, CookieOptions, DEFAULT_TOKEN_MAX_AGE, FLOW_COOKIE_MAX_AGE,
    ParseSameSiteError, SameSite, flow_cookie_attributes, removal, set_cookie,
    token_cookie_attributes,
};
pub use chunks::{
    ChunkError, MAX_CHUNKS, MAX_SET_COOKIE_LEN, chunk_name, is_chunkable, join_chunks,
};
pub(crate) use chunks::{carried_chunks, split_lines};
pub use codec::{decode, encode_name, encode_value};
pub use names::{
    AuthCookieNames, FALLBACK_USERNAME, IS_SIGNING_OUT_KEY, IS_SIGNING_OUT_REDIRECTING_KEY,
    PKCE_KEY, STATE_KEY, TokenSlot, USER_POOL_KEY_PREFIX, identity_id_key, is_server_auth_writable,
};
pub use request::RequestCookies;
