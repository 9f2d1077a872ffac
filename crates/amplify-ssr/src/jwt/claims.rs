//! The claims of a token and the kinds of token Cognito issues.

use serde_json::{Map, Value};

/// Which of Cognito's two JWTs a token is meant to be, as named by its `token_use` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenUse {
    /// An access token (`token_use: "access"`): carries `client_id`, `username` and `scope`.
    Access,
    /// An id token (`token_use: "id"`): carries `aud`, `cognito:username` and the user's attributes.
    Id,
}

impl TokenUse {
    /// The value of the `token_use` claim for this kind of token: `"access"` or `"id"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Id => "id",
        }
    }
}

impl std::fmt::Display for TokenUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The decoded payload of a JWT: a JSON object, with typed accessors for the claims Cognito uses.
///
/// A `Claims` value says nothing about whether the token was verified: it comes either from
/// [`TokenVerifier::verify`](super::TokenVerifier::verify) (inside a [`VerifiedJwt`](super::VerifiedJwt)) or from
/// [`decode_claims_unverified`](super::decode_claims_unverified).
///
/// Accessors return `None` when a claim is absent **or** has an unexpected JSON type; numeric date claims accept
/// integers and (truncated) finite floats.
///
/// Cheap to clone: the object is shared (claims are read-only once verified), so caches can hand out copies.
/// The claims every request reads (`sub`, the usernames, `token_use`, `exp`) are looked up once per object and
/// kept beside it.
#[derive(Clone, Default)]
pub struct Claims(std::sync::Arc<ClaimsInner>);

#[derive(Default)]
struct ClaimsInner {
    map: Map<String, Value>,
    hot: std::sync::OnceLock<HotClaims>,
}

/// The claims read on every request, as the accessors return them.
#[derive(Default)]
struct HotClaims {
    sub: Option<Box<str>>,
    username: Option<Box<str>>,
    cognito_username: Option<Box<str>>,
    token_use: Option<Box<str>>,
    exp: Option<i64>,
}

/// Prints the claims object.
impl std::fmt::Debug for Claims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Claims").field(&self.0.map).finish()
    }
}

/// Claims are equal when their objects are.
impl PartialEq for Claims {
    fn eq(&self, other: &Self) -> bool {
        self.0.map == other.0.map
    }
}

impl Claims {
    /// Wraps an already-decoded claims object.
    #[must_use]
    pub fn from_map(map: Map<String, Value>) -> Self {
        Self(std::sync::Arc::new(ClaimsInner {
            map,
            hot: std::sync::OnceLock::new(),
        }))
    }

    fn hot(&self) -> &HotClaims {
        self.0.hot.get_or_init(|| {
            let text = |key: &str| self.str(key).map(Box::from);
            HotClaims {
                sub: text("sub"),
                username: text("username"),
                cognito_username: text("cognito:username"),
                token_use: text("token_use"),
                exp: self.int("exp"),
            }
        })
    }

    /// The raw value of claim `key`.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.map.get(key)
    }

    /// Claim `key` if it is a JSON string.
    #[must_use]
    pub fn str(&self, key: &str) -> Option<&str> {
        self.0.map.get(key).and_then(Value::as_str)
    }

    /// Claim `key` as a whole number of seconds (integers, or finite floats truncated toward zero).
    #[must_use]
    pub fn int(&self, key: &str) -> Option<i64> {
        let value = self.0.map.get(key)?;
        if let Some(i) = value.as_i64() {
            return Some(i);
        }
        if value.is_u64() {
            // Larger than i64::MAX: saturate rather than wrap.
            return Some(i64::MAX);
        }
        value.as_f64().filter(|f| f.is_finite()).map(|f| f as i64)
    }

    /// `sub`: the user's immutable id (a UUID in Cognito).
    #[must_use]
    pub fn sub(&self) -> Option<&str> {
        self.hot().sub.as_deref()
    }

    /// `exp`: expiry time, seconds since the Unix epoch.
    #[must_use]
    pub fn exp(&self) -> Option<i64> {
        self.hot().exp
    }

    /// `iat`: issue time, seconds since the Unix epoch (Amplify derives its clock drift from it).
    #[must_use]
    pub fn iat(&self) -> Option<i64> {
        self.int("iat")
    }

    /// `nbf`: not-before time, seconds since the Unix epoch (Cognito does not set it; other issuers may).
    #[must_use]
    pub fn nbf(&self) -> Option<i64> {
        self.int("nbf")
    }

    /// `iss`: the issuer, `https://cognito-idp.{region}.amazonaws.com/{userPoolId}` for Cognito.
    #[must_use]
    pub fn iss(&self) -> Option<&str> {
        self.str("iss")
    }

    /// `token_use`: `"access"` or `"id"`.
    #[must_use]
    pub fn token_use(&self) -> Option<&str> {
        self.hot().token_use.as_deref()
    }

    /// `username`: the user name in an **access** token.
    #[must_use]
    pub fn username(&self) -> Option<&str> {
        self.hot().username.as_deref()
    }

    /// `cognito:username`: the user name in an **id** token.
    #[must_use]
    pub fn cognito_username(&self) -> Option<&str> {
        self.hot().cognito_username.as_deref()
    }

    /// `client_id`: the app client an **access** token was issued to.
    #[must_use]
    pub fn client_id(&self) -> Option<&str> {
        self.str("client_id")
    }

    /// `origin_jti`: the id of the authentication event the token descends from (set by Cognito when token
    /// revocation is enabled).
    #[must_use]
    pub fn origin_jti(&self) -> Option<&str> {
        self.str("origin_jti")
    }

    /// Whether the `aud` claim (a string or an array of strings, as in an **id** token) contains `audience`.
    #[must_use]
    pub fn has_audience(&self, audience: &str) -> bool {
        match self.0.map.get("aud") {
            Some(Value::String(s)) => s == audience,
            Some(Value::Array(items)) => items.iter().any(|v| v.as_str() == Some(audience)),
            _ => false,
        }
    }

    /// The whole claims object.
    #[must_use]
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0.map
    }

    /// Consumes the claims and returns the JSON object.
    #[must_use]
    pub fn into_map(self) -> Map<String, Value> {
        match std::sync::Arc::try_unwrap(self.0) {
            Ok(inner) => inner.map,
            Err(shared) => shared.map.clone(),
        }
    }
}

#[cfg(test)]
impl Claims {
    /// Claims from a JSON object literal, for tests.
    pub(crate) fn from_json(value: Value) -> Self {
        match value {
            Value::Object(map) => Self::from_map(map),
            other => panic!("claims must be a JSON object, not {other}"),
        }
    }
}
