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
    /// Builds the client configuration from the options, creating (once)
    /// the confidential client when it is enabled.
    pub(crate) fn load(
        store: &Store,
        origins: &[String],
        confidential: bool,
        oidc_providers: &[String],
    ) -> Result<Self, LocalError> {
        let mut callback_urls = Vec::new();
        let mut sign_out_urls = Vec::new();
        for origin in origins {
            check_origin(origin)?;
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

/// Checks that an app origin is exactly `http(s)://host[:port]`.
pub(crate) fn check_origin(origin: &str) -> Result<(), LocalError> {
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
    if url.origin().ascii_serialization() != origin {
        return Err(refuse(
            "expected exactly scheme://host[:port] in lower case, without a path or trailing slash \
             (e.g. http://localhost:3000)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_origin;

    #[test]
    fn origins_are_checked() {
        assert!(check_origin("http://localhost:3000").is_ok());
        assert!(check_origin("https://app.example.com").is_ok());
        assert!(check_origin("http://127.0.0.1:3000").is_ok());
        for bad in [
            "http://localhost:3000/",
            "http://localhost:3000/app",
            "ftp://localhost",
            "localhost:3000",
            "http://HOST:3000",
            "http://a@host",
            "http://host?x=1",
            "",
        ] {
            assert!(check_origin(bad).is_err(), "{bad}");
        }
    }
}
