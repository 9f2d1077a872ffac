//! Cookie key grammar shared with aws-amplify (raw, unencoded keys; [`super::encode_name`] is applied on the wire).

/// Prefix of every user-pool token key.
pub const USER_POOL_KEY_PREFIX: &str = "CognitoIdentityServiceProvider";

/// Username aws-amplify uses in token keys when the `LastAuthUser` cookie is missing.
pub const FALLBACK_USERNAME: &str = "username";

/// Server-side OAuth flow: the PKCE code verifier (`HttpOnly`, 5 minutes). On an https app origin the routes
/// name this and the other flow cookies with a `__Host-` prefix (see [`crate::auth::routes`]).
pub const PKCE_KEY: &str = "com.amplify.server_auth.pkce";
/// Server-side OAuth flow: the `state` parameter (`HttpOnly`, 5 minutes).
pub const STATE_KEY: &str = "com.amplify.server_auth.state";
/// Server-side sign-out flow: set while the user is sent to the Cognito logout page.
pub const IS_SIGNING_OUT_KEY: &str = "com.amplify.server_auth.isSigningOut";
/// Server-side sign-out flow: set during the HTML bounce on the sign-out callback.
pub const IS_SIGNING_OUT_REDIRECTING_KEY: &str = "com.amplify.server_auth.isSigningOutRedirecting";

/// Suffixes of the only keys written in server-side-auth (HttpOnly) mode.
const SERVER_AUTH_WRITABLE_SUFFIXES: [&str; 4] =
    [".accessToken", ".idToken", ".refreshToken", ".LastAuthUser"];

/// One per-user value stored under `CognitoIdentityServiceProvider.<clientId>.<username>.<slot>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenSlot {
    /// The access token (JWT).
    AccessToken,
    /// The id token (JWT).
    IdToken,
    /// The refresh token (opaque).
    RefreshToken,
    /// Clock drift in milliseconds (`iat * 1000 - now` when the tokens were issued), as a decimal string.
    ClockDrift,
    /// JSON such as `{"loginId":"alice@example.com","authFlowType":"USER_SRP_AUTH"}`.
    SignInDetails,
    /// Device tracking: device key.
    DeviceKey,
    /// Device tracking: device group key.
    DeviceGroupKey,
    /// Device tracking: random password.
    RandomPasswordKey,
    /// JSON `{"oauthSignIn": true}` after a hosted-UI sign-in.
    OauthMetadata,
}

impl TokenSlot {
    /// Every slot, in the order aws-amplify writes them after a sign-in.
    pub const ALL: [Self; 9] = [
        Self::AccessToken,
        Self::IdToken,
        Self::RefreshToken,
        Self::SignInDetails,
        Self::ClockDrift,
        Self::DeviceKey,
        Self::DeviceGroupKey,
        Self::RandomPasswordKey,
        Self::OauthMetadata,
    ];

    /// The last key segment, e.g. `accessToken`.
    #[must_use]
    pub const fn suffix(self) -> &'static str {
        match self {
            Self::AccessToken => "accessToken",
            Self::IdToken => "idToken",
            Self::RefreshToken => "refreshToken",
            Self::ClockDrift => "clockDrift",
            Self::SignInDetails => "signInDetails",
            Self::DeviceKey => "deviceKey",
            Self::DeviceGroupKey => "deviceGroupKey",
            Self::RandomPasswordKey => "randomPasswordKey",
            Self::OauthMetadata => "oauthMetadata",
        }
    }
}

/// Builds the raw cookie keys of one user-pool app client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthCookieNames {
    client_id: String,
    /// `CognitoIdentityServiceProvider.<clientId>.LastAuthUser`, built once.
    last_auth_user: String,
}

impl AuthCookieNames {
    /// Keys for the app client `client_id` (`auth.user_pool_client_id`).
    #[must_use]
    pub fn new(client_id: &str) -> Self {
        Self {
            client_id: client_id.to_owned(),
            last_auth_user: format!("{USER_POOL_KEY_PREFIX}.{client_id}.LastAuthUser"),
        }
    }

    /// The app client id the keys are built for.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Whether `raw_key` is one of this app client's keys: `CognitoIdentityServiceProvider.<clientId>.` followed
    /// by anything (`LastAuthUser` or a per-user slot). Another client's keys, and keys that merely share a
    /// prefix with the client id, are not.
    #[must_use]
    pub fn owns(&self, raw_key: &str) -> bool {
        raw_key
            .strip_prefix(USER_POOL_KEY_PREFIX)
            .and_then(|rest| rest.strip_prefix('.'))
            .and_then(|rest| rest.strip_prefix(self.client_id.as_str()))
            .is_some_and(|rest| rest.starts_with('.'))
    }

    /// `CognitoIdentityServiceProvider.<clientId>.LastAuthUser`: holds the signed-in username.
    #[must_use]
    pub fn last_auth_user(&self) -> String {
        self.last_auth_user.clone()
    }

    /// [`last_auth_user`](Self::last_auth_user), borrowed.
    pub(crate) fn last_auth_user_key(&self) -> &str {
        &self.last_auth_user
    }

    /// Calls `f` with [`user_key`](Self::user_key)`(username, slot)`, built on the stack when it is short (any
    /// key of a usual client id and username), so the hot path of a request allocates nothing for it.
    pub(crate) fn with_user_key<R>(
        &self,
        username: &str,
        slot: TokenSlot,
        f: impl FnOnce(&str) -> R,
    ) -> R {
        let parts = [
            USER_POOL_KEY_PREFIX,
            ".",
            self.client_id.as_str(),
            ".",
            username,
            ".",
            slot.suffix(),
        ];
        // Joined from `&str`s, so no UTF-8 check is needed (a third of this function's cost when it made one).
        let mut key = arrayvec::ArrayString::<256>::new();
        for part in parts {
            if key.try_push_str(part).is_err() {
                return f(&self.user_key(username, slot));
            }
        }
        f(&key)
    }

    /// `CognitoIdentityServiceProvider.<clientId>.<username>.<slot>`; `username` is used raw (the codec encodes it).
    #[must_use]
    pub fn user_key(&self, username: &str, slot: TokenSlot) -> String {
        format!(
            "{USER_POOL_KEY_PREFIX}.{}.{username}.{}",
            self.client_id,
            slot.suffix()
        )
    }
}

/// `com.amplify.Cognito.<identityPoolId>.identityId`: the guest identity id.
#[must_use]
pub fn identity_id_key(identity_pool_id: &str) -> String {
    format!("com.amplify.Cognito.{identity_pool_id}.identityId")
}

/// Whether a key may be written in server-side-auth (HttpOnly) mode.
///
/// Only the access, id and refresh tokens and `LastAuthUser` are; clock drift, sign-in details, device keys and the
/// identity id are never written there (aws-amplify's rule, reference §2.3).
#[must_use]
pub fn is_server_auth_writable(raw_key: &str) -> bool {
    SERVER_AUTH_WRITABLE_SUFFIXES
        .iter()
        .any(|suffix| raw_key.ends_with(suffix))
}
