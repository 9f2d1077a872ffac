//! The routes' own short-lived cookies (PKCE verifier, state, sign-out flags): their names and attributes, and
//! how they are read when a request carries more than one copy.
//!
//! A sibling host can plant cookies the browser then sends to the app (cookie tossing, see
//! [`crate::auth`]). Planted flow cookies are a login CSRF: with the attacker's verifier and state in the victim's
//! browser, a link to `sign-in-callback?code=<the attacker's code>&state=…` would sign the victim in as the
//! attacker (and clear the victim's own session). So:
//!
//! * **On an https origin the names carry the `__Host-` prefix.** Browsers accept such a cookie only from the host
//!   itself, with `Secure`, `Path=/` and no `Domain`, so no sibling host can set one, and a copy with another path
//!   cannot exist. Only this server reads these cookies, so the names are the library's to choose; the session
//!   cookies keep aws-amplify's names.
//! * **On http (local development) there is no such prefix.** There, copies that disagree make the flow invalid
//!   (`error=invalid_state`): which copy is the browser's own cannot be told, and nothing is cleared, since a
//!   removal would hit the genuine cookie. A sibling (another port of `localhost`) can still plant the sign-out
//!   flags and so sign the user out; serve anything that matters over https.

use crate::context::ServerContext;
use crate::cookies::{CookieAttributes, CookieOptions, flow_cookie_attributes};

/// The prefix that makes browsers refuse a cookie set by any other host, or with a `Domain`.
const HOST_PREFIX: &str = "__Host-";

/// What a request carries of one flow cookie.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum FlowCookie {
    /// No copy, or only empty ones.
    Absent,
    /// One value (every copy agrees).
    One(String),
    /// Copies with different values: one of them was planted.
    Disputed,
}

/// Names and attributes of the flow cookies for one application origin.
#[derive(Clone, Debug)]
pub(super) struct FlowCookies {
    prefix: &'static str,
    attributes: CookieAttributes,
}

impl FlowCookies {
    /// The flow cookies of an app origin that is https (`__Host-` names, host-only) or not (the runner's domain).
    pub(super) fn new(https: bool, options: &CookieOptions) -> Self {
        let mut attributes = flow_cookie_attributes(https, options);
        let prefix = if https {
            attributes.domain = None;
            HOST_PREFIX
        } else {
            ""
        };
        Self { prefix, attributes }
    }

    /// The cookie name of a flow key (one of the `cookies::*_KEY` constants).
    pub(super) fn name(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// What the request carries of `key`, this context's own writes first.
    pub(super) fn read(&self, ctx: &ServerContext, key: &str) -> FlowCookie {
        let mut values = ctx.cookie_copies(&self.name(key));
        values.retain(|value| !value.is_empty());
        values.dedup();
        match values.len() {
            0 => FlowCookie::Absent,
            1 => FlowCookie::One(values.remove(0)),
            _ => FlowCookie::Disputed,
        }
    }

    /// Whether the request carries `key` at all.
    pub(super) fn is_present(&self, ctx: &ServerContext, key: &str) -> bool {
        self.read(ctx, key) != FlowCookie::Absent
    }

    pub(super) fn set(&self, ctx: &ServerContext, key: &str, value: &str) {
        ctx.set_cookie(&self.name(key), value, self.attributes.clone());
    }

    pub(super) fn remove(&self, ctx: &ServerContext, key: &str) {
        ctx.remove_cookie(&self.name(key), self.attributes.clone());
    }
}

#[cfg(test)]
mod tests {
    use http::{HeaderMap, HeaderValue};

    use super::*;
    use crate::cookies::PKCE_KEY;
    use crate::{AmplifyConfig, ServerRunner};

    fn context(cookie: &str) -> ServerContext {
        let config = AmplifyConfig::from_json(
            r#"{"version":"1.4","auth":{"aws_region":"us-east-1",
                "user_pool_id":"us-east-1_Pool","user_pool_client_id":"client1"}}"#,
        )
        .expect("config");
        let runner = ServerRunner::builder(config)
            .ignore_env()
            .build()
            .expect("runner");
        let mut headers = HeaderMap::new();
        headers.insert(http::header::COOKIE, HeaderValue::from_str(cookie).unwrap());
        runner.context(&headers)
    }

    #[test]
    fn https_names_are_host_prefixed_and_host_only() {
        let options = CookieOptions {
            domain: Some("example.com".to_owned()),
            ..CookieOptions::default()
        };
        let https = FlowCookies::new(true, &options);
        assert_eq!(https.name(PKCE_KEY), "__Host-com.amplify.server_auth.pkce");
        assert!(https.attributes.secure && https.attributes.domain.is_none());
        assert_eq!(https.attributes.path, "/");
        let http = FlowCookies::new(false, &options);
        assert_eq!(http.name(PKCE_KEY), PKCE_KEY);
        assert_eq!(http.attributes.domain.as_deref(), Some("example.com"));
    }

    #[test]
    fn copies_that_disagree_are_disputed() {
        let flow = FlowCookies::new(false, &CookieOptions::default());
        let read = |cookie: &str| flow.read(&context(cookie), PKCE_KEY);
        assert_eq!(read("other=1"), FlowCookie::Absent);
        assert_eq!(read("com.amplify.server_auth.pkce="), FlowCookie::Absent);
        assert_eq!(
            read("com.amplify.server_auth.pkce=a; com.amplify.server_auth.pkce=a"),
            FlowCookie::One("a".to_owned())
        );
        assert_eq!(
            read("com.amplify.server_auth.pkce=a; com.amplify.server_auth.pkce=; x=1"),
            FlowCookie::One("a".to_owned())
        );
        assert_eq!(
            read("com.amplify.server_auth.pkce=a; com.amplify.server_auth.pkce=b"),
            FlowCookie::Disputed
        );
        // The bare name is not the https flow's.
        let https = FlowCookies::new(true, &CookieOptions::default());
        assert_eq!(
            https.read(&context("com.amplify.server_auth.pkce=a"), PKCE_KEY),
            FlowCookie::Absent
        );
    }
}
