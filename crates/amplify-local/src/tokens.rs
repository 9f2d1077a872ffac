//! Access, id and refresh token issuance, and access token verification.

use serde_json::{Map, Value, json};

use crate::api_error::{ApiError, ErrorCode};
use crate::db::{RefreshRecord, UserRecord};
use crate::ids;
use crate::state::AppState;

/// The scope Cognito puts in access tokens from the user-pool API.
pub(crate) const API_SCOPE: &str = "aws.cognito.signin.user.admin";
/// Attributes whose values are booleans in id tokens.
const BOOLEAN_ATTRIBUTES: [&str; 2] = ["email_verified", "phone_number_verified"];
/// Claims an attribute may not overwrite.
const RESERVED: [&str; 12] = [
    "sub",
    "aud",
    "iss",
    "cognito:username",
    "origin_jti",
    "event_id",
    "token_use",
    "auth_time",
    "iat",
    "exp",
    "jti",
    "username",
];

/// The sign-in a set of tokens belongs to.
#[derive(Debug, Clone)]
pub(crate) struct SignIn {
    pub(crate) origin_jti: String,
    pub(crate) event_id: String,
    pub(crate) auth_time: i64,
}

impl SignIn {
    /// A fresh sign-in happening now (by the backend's clock).
    pub(crate) fn now(state: &AppState) -> Self {
        Self {
            origin_jti: ids::uuid(),
            event_id: ids::uuid(),
            auth_time: state.now(),
        }
    }
}

/// Which client the tokens are for and what they may do.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) client_id: String,
    /// Space-separated scopes.
    pub(crate) scope: String,
    /// The `nonce` of the authorization request, echoed in the id token.
    pub(crate) nonce: Option<String>,
    /// Whether the tokens come from the OAuth endpoints (adds `version` to
    /// the access token and `at_hash` to the id token, as Cognito does).
    pub(crate) oauth: bool,
}

impl Grant {
    /// The grant of the user-pool API (public client, admin scope).
    pub(crate) fn api(state: &AppState) -> Self {
        Self {
            client_id: state.client_id.clone(),
            scope: API_SCOPE.to_owned(),
            nonce: None,
            oauth: false,
        }
    }

    /// Whether the `openid` scope was granted.
    pub(crate) fn has_openid(&self) -> bool {
        self.scope.split(' ').any(|s| s == "openid")
    }
}

/// The group claims of a user: `cognito:groups` in Cognito's order (by
/// precedence, groups without one last), then the federated groups
/// `<poolId>_<provider>`; and the groups' role ARNs, the preferred one being
/// that of the first group with a role.
struct GroupClaims {
    names: Vec<String>,
    roles: Vec<String>,
}

fn group_claims(state: &AppState, user: &UserRecord) -> Result<GroupClaims, ApiError> {
    let stored = state.store.groups_of(&user.username)?;
    let roles = stored.iter().filter_map(|g| g.role_arn.clone()).collect();
    let mut names: Vec<String> = stored.into_iter().map(|g| g.name).collect();
    if let Some(identities) = user.attribute("identities")
        && let Ok(Value::Array(list)) = serde_json::from_str::<Value>(identities)
    {
        names.extend(
            list.iter()
                .filter_map(|identity| identity.get("providerName").and_then(Value::as_str))
                .map(|provider| format!("{}_{provider}", state.user_pool_id)),
        );
    }
    Ok(GroupClaims { names, roles })
}

/// Issued access and id tokens.
pub(crate) struct Tokens {
    pub(crate) access: String,
    pub(crate) id: String,
    pub(crate) expires_in: u64,
}

/// Issues access and id tokens for a user (user-pool API grant).
pub(crate) fn issue(
    state: &AppState,
    user: &UserRecord,
    sign_in: &SignIn,
) -> Result<Tokens, ApiError> {
    issue_for(state, user, sign_in, &Grant::api(state))
}

/// Issues access and id tokens for a user and a grant.
pub(crate) fn issue_for(
    state: &AppState,
    user: &UserRecord,
    sign_in: &SignIn,
    grant: &Grant,
) -> Result<Tokens, ApiError> {
    let iat = state.now();
    let ttl = state.options.access_token_ttl.as_secs().max(1);
    let exp = iat.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX));
    let GroupClaims {
        names: groups,
        roles,
    } = group_claims(state, user)?;
    let mut access_claims = Map::new();
    access_claims.insert("sub".into(), json!(user.sub));
    if !groups.is_empty() {
        access_claims.insert("cognito:groups".into(), json!(groups));
    }
    for (name, value) in [
        ("iss", json!(state.issuer)),
        ("client_id", json!(grant.client_id)),
        ("origin_jti", json!(sign_in.origin_jti)),
        ("event_id", json!(sign_in.event_id)),
        ("token_use", json!("access")),
        ("scope", json!(grant.scope)),
        ("auth_time", json!(sign_in.auth_time)),
        ("exp", json!(exp)),
        ("iat", json!(iat)),
        ("jti", json!(ids::uuid())),
        ("username", json!(user.username)),
    ] {
        access_claims.insert(name.into(), value);
    }
    if grant.oauth {
        access_claims.insert("version".into(), json!(2));
    }
    let access = state.key.sign_jwt(&Value::Object(access_claims))?;
    let mut id_claims = Map::new();
    id_claims.insert("sub".into(), json!(user.sub));
    if !groups.is_empty() {
        id_claims.insert("cognito:groups".into(), json!(groups));
    }
    if let Some(preferred) = roles.first() {
        id_claims.insert("cognito:preferred_role".into(), json!(preferred));
        id_claims.insert("cognito:roles".into(), json!(roles));
    }
    for (name, value) in &user.attributes {
        if RESERVED.contains(&name.as_str()) {
            continue;
        }
        let value = if BOOLEAN_ATTRIBUTES.contains(&name.as_str()) {
            json!(value == "true")
        } else if name == "identities" {
            // Stored as a JSON string (as AdminGetUser shows it); the id
            // token carries the array itself, like Cognito's.
            serde_json::from_str(value).unwrap_or_else(|_| json!(value))
        } else {
            json!(value)
        };
        id_claims.insert(name.clone(), value);
    }
    if user.attribute("email").is_some() && user.attribute("email_verified").is_none() {
        id_claims.insert("email_verified".into(), json!(false));
    }
    if grant.oauth {
        id_claims.insert("at_hash".into(), json!(at_hash(&access)));
    }
    if let Some(nonce) = &grant.nonce {
        id_claims.insert("nonce".into(), json!(nonce));
    }
    for (name, value) in [
        ("aud", json!(grant.client_id)),
        ("iss", json!(state.issuer)),
        ("cognito:username", json!(user.username)),
        ("origin_jti", json!(sign_in.origin_jti)),
        ("event_id", json!(sign_in.event_id)),
        ("token_use", json!("id")),
        ("auth_time", json!(sign_in.auth_time)),
        ("exp", json!(exp)),
        ("iat", json!(iat)),
        ("jti", json!(ids::uuid())),
    ] {
        id_claims.insert(name.into(), value);
    }
    Ok(Tokens {
        access,
        id: state.key.sign_jwt(&Value::Object(id_claims))?,
        expires_in: ttl,
    })
}

/// OIDC `at_hash`: base64url of the left half of SHA-256(access token).
fn at_hash(access_token: &str) -> String {
    use base64::Engine as _;
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, access_token.as_bytes());
    let bytes = digest.as_ref();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes[..bytes.len() / 2])
}

/// Creates and stores a new refresh token of the public client for a
/// sign-in; returns the token.
pub(crate) fn new_refresh_token(
    state: &AppState,
    username: &str,
    sign_in: &SignIn,
) -> Result<String, ApiError> {
    new_refresh_token_for(state, &state.client_id, username, sign_in)
}

/// Creates and stores a new refresh token of a client for a sign-in.
pub(crate) fn new_refresh_token_for(
    state: &AppState,
    client_id: &str,
    username: &str,
    sign_in: &SignIn,
) -> Result<String, ApiError> {
    let token = ids::opaque_token(96).map_err(|e| ApiError::internal(&e))?;
    let now = state.now();
    let ttl = i64::try_from(state.options.refresh_token_ttl.as_secs()).unwrap_or(i64::MAX);
    state.store.insert_refresh(
        &ids::sha256_hex(&token),
        &RefreshRecord {
            username: username.to_owned(),
            client_id: client_id.to_owned(),
            origin_jti: sign_in.origin_jti.clone(),
            event_id: sign_in.event_id.clone(),
            auth_time: sign_in.auth_time,
            expires_at: now.saturating_add(ttl),
            replaced_at: None,
            revoked_at: None,
        },
        now,
    )?;
    Ok(token)
}

/// A full `AuthenticationResult` for a fresh sign-in (with a refresh token).
pub(crate) fn sign_in_result(state: &AppState, user: &UserRecord) -> Result<Value, ApiError> {
    let sign_in = SignIn::now(state);
    let tokens = issue(state, user, &sign_in)?;
    let refresh = new_refresh_token(state, &user.username, &sign_in)?;
    tracing::info!(username = %user.username, "signed in");
    Ok(json!({
        "AuthenticationResult": {
            "AccessToken": tokens.access,
            "IdToken": tokens.id,
            "RefreshToken": refresh,
            "ExpiresIn": tokens.expires_in,
            "TokenType": "Bearer",
        },
        "ChallengeParameters": {},
    }))
}

/// The claims of a verified access token that handlers need.
#[derive(Debug, Clone)]
pub(crate) struct AccessClaims {
    pub(crate) username: String,
    /// The space-separated `scope` claim.
    pub(crate) scope: String,
}

fn invalid_access_token() -> ApiError {
    ApiError::new(ErrorCode::NotAuthorized, "Invalid Access Token")
}

/// Verifies an access token: signature, expiry, `token_use`, issuer, client,
/// and that its sign-in was not revoked.
pub(crate) fn verify_access_token(state: &AppState, token: &str) -> Result<AccessClaims, ApiError> {
    let claims = state
        .key
        .verify_jwt(token)
        .ok_or_else(invalid_access_token)?;
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    if text("token_use") != Some("access")
        || text("iss") != Some(state.issuer.as_str())
        || !text("client_id").is_some_and(|id| state.is_client(id))
    {
        return Err(invalid_access_token());
    }
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or_else(invalid_access_token)?;
    if exp <= state.now() {
        return Err(ApiError::new(
            ErrorCode::NotAuthorized,
            "Access Token has expired",
        ));
    }
    let origin = text("origin_jti").ok_or_else(invalid_access_token)?;
    if state.store.origin_revoked(origin)? {
        return Err(ApiError::new(
            ErrorCode::NotAuthorized,
            "Access Token has been revoked",
        ));
    }
    let username = text("username").ok_or_else(invalid_access_token)?;
    Ok(AccessClaims {
        username: username.to_owned(),
        scope: text("scope").unwrap_or_default().to_owned(),
    })
}
