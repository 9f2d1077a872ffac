//! `GetId` and `GetCredentialsForIdentity`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{credentials, store};
use crate::api_error::{ApiError, ErrorCode};
use crate::ids;
use crate::state::AppState;

/// `GetId` input.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetIdRequest {
    identity_pool_id: String,
    #[serde(default)]
    logins: Option<BTreeMap<String, String>>,
}

/// `GetCredentialsForIdentity` input.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetCredentialsRequest {
    identity_id: String,
    #[serde(default)]
    logins: Option<BTreeMap<String, String>>,
}

fn guests_not_allowed() -> ApiError {
    ApiError::new(
        ErrorCode::NotAuthorized,
        "Unauthenticated access is not supported for this identity pool.",
    )
}

fn forbidden(identity_id: &str) -> ApiError {
    ApiError::new(
        ErrorCode::NotAuthorized,
        format!("Access to Identity '{identity_id}' is forbidden."),
    )
}

/// Returns (creating on first use) the identity of a user, or a new guest
/// identity.
pub(super) fn get_id(state: &AppState, request: GetIdRequest) -> Result<Value, ApiError> {
    if request.identity_pool_id != state.identity_pool_id {
        return Err(ApiError::new(
            ErrorCode::ResourceNotFound,
            format!("IdentityPool '{}' not found.", request.identity_pool_id),
        ));
    }
    let now = state.now();
    let identity_id = match login_sub(state, request.logins.as_ref(), now)? {
        Some(sub) => store::identity_for_sub(&state.store, &sub, &new_identity_id(), now)?,
        None => {
            if !state.options.allow_guest_access {
                return Err(guests_not_allowed());
            }
            let id = new_identity_id();
            store::insert_guest(&state.store, &id, now)?;
            id
        }
    };
    Ok(json!({ "IdentityId": identity_id }))
}

/// Issues temporary credentials for an identity: a user's identity needs a
/// valid login of that user; a guest identity needs no login and a pool
/// that allows guests.
pub(super) fn get_credentials_for_identity(
    state: &AppState,
    request: GetCredentialsRequest,
) -> Result<Value, ApiError> {
    let identity_id = request.identity_id;
    let record = store::identity(&state.store, &identity_id)?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::ResourceNotFound,
            format!("Identity '{identity_id}' not found."),
        )
    })?;
    let now = state.now();
    let login = login_sub(state, request.logins.as_ref(), now)?;
    let authenticated = match (&record.sub, login) {
        (Some(owner), Some(sub)) if *owner == sub => true,
        (Some(_), _) => return Err(forbidden(&identity_id)),
        (None, None) if state.options.allow_guest_access => false,
        (None, None) => return Err(guests_not_allowed()),
        // Linking a login to a guest identity is not supported.
        (None, Some(_)) => return Err(forbidden(&identity_id)),
    };
    let issued = credentials::issue(state, &identity_id, authenticated)?;
    Ok(json!({
        "IdentityId": identity_id,
        "Credentials": {
            "AccessKeyId": issued.access_key_id,
            "SecretKey": issued.secret_key,
            "SessionToken": issued.session_token,
            "Expiration": issued.expires_at,
        },
    }))
}

/// A new identity id: `<region>:<uuid>`.
fn new_identity_id() -> String {
    format!("{}:{}", crate::state::REGION, ids::uuid())
}

fn invalid_login(detail: &str) -> ApiError {
    ApiError::new(
        ErrorCode::NotAuthorized,
        format!("Invalid login token. {detail}"),
    )
}

/// The `sub` of the user that `Logins` proves, or `None` for no (or empty)
/// `Logins`. The one key must be this pool's issuer without its scheme, and
/// the value an id token of the pool that verifies.
fn login_sub(
    state: &AppState,
    logins: Option<&BTreeMap<String, String>>,
    now: i64,
) -> Result<Option<String>, ApiError> {
    let Some(logins) = logins.filter(|logins| !logins.is_empty()) else {
        return Ok(None);
    };
    let provider = state
        .issuer
        .split_once("://")
        .map_or(state.issuer.as_str(), |(_, rest)| rest);
    let mut entries = logins.iter();
    let (Some((key, token)), None) = (entries.next(), entries.next()) else {
        return Err(ApiError::new(
            ErrorCode::NotAuthorized,
            "Only one login provider is supported by this identity pool.",
        ));
    };
    if key != provider {
        return Err(ApiError::new(
            ErrorCode::NotAuthorized,
            "Token is not from a supported provider of this identity pool.",
        ));
    }
    let claims = state
        .key
        .verify_jwt(token)
        .ok_or_else(|| invalid_login("Not a valid OpenId Connect identity token."))?;
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    if text("iss") != Some(state.issuer.as_str()) {
        return Err(invalid_login("Issuer doesn't match providerName"));
    }
    if text("token_use") != Some("id") {
        return Err(invalid_login("Not a valid OpenId Connect identity token."));
    }
    if !text("aud").is_some_and(|aud| state.is_client(aud)) {
        return Err(invalid_login("Incorrect token audience."));
    }
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    if exp <= now {
        return Err(invalid_login("Token expired."));
    }
    if let Some(origin) = text("origin_jti")
        && state.store.origin_revoked(origin)?
    {
        return Err(invalid_login("Token has been revoked."));
    }
    let sub = text("sub")
        .filter(|sub| !sub.is_empty())
        .ok_or_else(|| invalid_login("Not a valid OpenId Connect identity token."))?;
    Ok(Some(sub.to_owned()))
}
