//! App clients: the public client, the optional confidential client, their
//! callback and sign-out URLs, and the identity providers they may use.

use crate::LocalError;
use crate::db::Store;
use crate::ids;

/// Path of the sign-in callback under an app origin.
const SIGN_IN_CALLBACK: &str = "/api/auth/sign-in-callback";
/// Path of the sign-out callback under an app origin.
const SIGN_OUT_CALLBACK: &str = "/api/auth/sign-out-callback";

/// The social providers every pool offers (Cognito's names).
pub(crate) const SOCIAL_PROVIDERS: [&str; 4] =
    ["Google", "Facebook", "SignInWithApple", "LoginWithAmazon"];

/// The confidential app client.
#[derive(Clone)]
pub(crate) struct ConfidentialClient {
    pub(crate) id: String,
    pub(crate) secret: String,
}

impl std::fmt::Debug for ConfidentialClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfidentialClient")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Everything about the app clients that the OAuth endpoints check.
#[derive(Debug, Clone)]
pub(crate) struct Clients {
    pub(crate) confidential: Option<ConfidentialClient>,
    pub(crate) callback_urls: Vec<String>,
    pub(crate) sign_out_urls: Vec<String>,
    pub(crate) oidc_providers: Vec<String>,
}

impl Clients {
    /// Builds the client configuration from the options (app origins as
    /// [`canonical_origin`] writes them), creating (once) the confidential
    /// client when it is enabled.
    pub(crate) fn load(
        store: &Store,
        origins: &[String],
        confidential: bool,
        oidc_providers: &[String],
    ) -> Result<Self, LocalError> {
        let mut callback_urls = Vec::new();
        let mut sign_out_urls = Vec::new();
        for origin in origins {
            callback_urls.push(format!("{origin}{SIGN_IN_CALLBACK}"));
            sign_out_urls.push(format!("{origin}{SIGN_OUT_CALLBACK}"));
        }
        for name in oidc_providers {
            let valid = !name.is_empty()
                && name.len() <= 32
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
                && name != "COGNITO";
            if !valid {
                return Err(LocalError::InvalidProviderName(name.clone()));
            }
        }
        let confidential = if confidential {
            Some(confidential_client(store)?)
        } else {
            None
        };
        Ok(Self {
            confidential,
            callback_urls,
            sign_out_urls,
            oidc_providers: oidc_providers.to_vec(),
        })
    }

    /// The identity provider names accepted as `identity_provider`
    /// (besides `COGNITO`).
    pub(crate) fn provider(&self, name: &str) -> Option<String> {
        SOCIAL_PROVIDERS
            .iter()
            .copied()
            .find(|p| *p == name)
            .map(str::to_owned)
            .or_else(|| self.oidc_providers.iter().find(|p| *p == name).cloned())
    }
}

fn confidential_client(store: &Store) -> Result<ConfidentialClient, LocalError> {
    let random = |value: Result<String, ids::RandomUnavailable>| {
        value.map_err(|e| LocalError::PasswordMaterial(e.to_string()))
    };
    let id = match store.meta("confidential_client_id")? {
        Some(id) => id,
        None => store.meta_insert_or_get("confidential_client_id", &random(ids::client_id())?)?,
    };
    let secret = match store.meta("confidential_client_secret")? {
        Some(secret) => secret,
        None => store
            .meta_insert_or_get("confidential_client_secret", &random(ids::client_secret())?)?,
    };
    Ok(ConfidentialClient { id, secret })
}

/// An app origin in the form browsers send in `Origin`
/// (`scheme://host[:port]`, lower case, without the scheme's default
/// port), from one given as `scheme://host[:port]`: `http://LocalHost:80`
/// is `http://localhost`. Anything with a path (a trailing `/` included),
/// a query or user information is refused, as it names more than an
/// origin.
pub(crate) fn canonical_origin(origin: &str) -> Result<String, LocalError> {
    let refuse = |reason: &'static str| LocalError::InvalidAppOrigin {
        origin: origin.to_owned(),
        reason,
    };
    let url = url::Url::parse(origin).map_err(|_| refuse("not an absolute URL"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(refuse("the scheme must be http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(refuse("a host is required"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("user information is not allowed"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refuse("a query or fragment is not allowed"));
    }
    // `Url` reads `http://host` and `http://host/` alike: look at the text.
    let after_scheme = origin.split_once("://").map_or("", |(_, rest)| rest);
    if after_scheme.contains('/') {
        return Err(refuse(
            "expected scheme://host[:port], without a path or trailing slash \
             (e.g. http://localhost:3000)",
        ));
    }
    Ok(url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::canonical_origin;

    #[test]
    fn origins_are_checked_and_written_as_browsers_send_them() {
        for (given, canonical) in [
            ("http://localhost:3000", "http://localhost:3000"),
            ("https://app.example.com", "https://app.example.com"),
            ("http://127.0.0.1:3000", "http://127.0.0.1:3000"),
            ("http://localhost:80", "http://localhost"),
            ("https://App.Example.COM:443", "https://app.example.com"),
            ("HTTP://HOST:3000", "http://host:3000"),
            ("http://localhost:443", "http://localhost:443"),
        ] {
            assert_eq!(canonical_origin(given).expect(given), canonical);
        }
        for bad in [
            "http://localhost:3000/",
            "http://localhost:3000/app",
            "ftp://localhost",
            "localhost:3000",
            "http://a@host",
            "http://host?x=1",
            "",
        ] {
            assert!(canonical_origin(bad).is_err(), "{bad}");
        }
    }
}
