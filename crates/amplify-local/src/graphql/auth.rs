//! Who is calling (decided by the credential the request presents, each
//! verified for real), and what the model's auth rules let them do.

use axum::http::{HeaderMap, Method, StatusCode, Uri};
use serde_json::{Map, Value};

use super::model::{AuthRule, ModelDef};
use crate::identity::{SessionRefusal, lookup_credentials};
use crate::sigv4::{self, SignatureError};
use crate::state::AppState;

/// The verified caller of one request.
#[derive(Debug, Clone)]
pub(crate) enum Caller {
    /// `x-api-key` with the issued, unexpired key (`API_KEY`).
    ApiKey,
    /// A user-pool JWT (`AMAZON_COGNITO_USER_POOLS`).
    UserPool {
        username: String,
        sub: String,
        groups: Vec<String>,
        claims: Map<String, Value>,
    },
    /// SigV4 with identity-pool credentials (`AWS_IAM`).
    Iam {
        identity_id: String,
        authenticated: bool,
    },
}

impl Caller {
    /// A signed-in user without groups or other claims (`sub-<name>`).
    #[cfg(test)]
    pub(crate) fn test_user(name: &str) -> Self {
        Self::UserPool {
            username: name.to_owned(),
            sub: format!("sub-{name}"),
            groups: Vec::new(),
            claims: Map::new(),
        }
    }

    /// The auth mode and who, for logs.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::ApiKey => "API_KEY".to_owned(),
            Self::UserPool { username, .. } => format!("AMAZON_COGNITO_USER_POOLS {username}"),
            Self::Iam {
                identity_id,
                authenticated,
            } => format!("AWS_IAM {identity_id} (authenticated: {authenticated})"),
        }
    }
}

/// A request refused before execution: HTTP status, `errorType`, message.
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    pub(crate) status: StatusCode,
    pub(crate) error_type: &'static str,
    pub(crate) message: String,
}

fn unauthorized(message: &str) -> Refusal {
    Refusal {
        status: StatusCode::UNAUTHORIZED,
        error_type: "UnauthorizedException",
        message: message.to_owned(),
    }
}

fn forbidden(error_type: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        status: StatusCode::FORBIDDEN,
        error_type,
        message: message.into(),
    }
}

fn internal() -> Refusal {
    Refusal {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        error_type: "InternalFailure",
        message: "An internal failure occurred.".to_owned(),
    }
}

/// Decides the auth mode from what the request presents and verifies it.
pub(crate) fn authenticate(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Caller, Refusal> {
    if let Some(key) = headers.get("x-api-key") {
        let key = key.to_str().unwrap_or_default();
        return if state.graphql.api_key_valid(key, state.now()) {
            Ok(Caller::ApiKey)
        } else {
            Err(unauthorized("You are not authorized to make this call."))
        };
    }
    let Some(authorization) = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
    else {
        return Err(unauthorized("Valid authorization header not provided."));
    };
    if authorization.starts_with("AWS4-HMAC-SHA256") {
        return iam(state, (method, uri, headers, body));
    }
    let token = authorization
        .strip_prefix("Bearer ")
        .unwrap_or(authorization)
        .trim();
    user_pool(state, token)
}

fn user_pool(state: &AppState, token: &str) -> Result<Caller, Refusal> {
    let invalid = || unauthorized("Valid authorization header not provided.");
    let claims = state.key.verify_jwt(token).ok_or_else(invalid)?;
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    if text("iss") != Some(state.issuer.as_str()) {
        return Err(invalid());
    }
    // AppSync takes access and id tokens of the pool's app clients.
    let client = match text("token_use") {
        Some("access") => text("client_id"),
        Some("id") => text("aud"),
        _ => None,
    };
    if !client.is_some_and(|id| state.is_client(id)) {
        return Err(invalid());
    }
    if claims.get("exp").and_then(Value::as_i64).unwrap_or(0) <= state.now() {
        return Err(unauthorized("Token has expired."));
    }
    if let Some(origin) = text("origin_jti") {
        match state.store.origin_revoked(origin) {
            Ok(false) => {}
            Ok(true) => return Err(unauthorized("Token has been revoked.")),
            Err(_) => return Err(internal()),
        }
    }
    let username = text("cognito:username")
        .or_else(|| text("username"))
        .ok_or_else(invalid)?
        .to_owned();
    let sub = text("sub").ok_or_else(invalid)?.to_owned();
    let groups = claims
        .get("cognito:groups")
        .and_then(Value::as_array)
        .map(|g| {
            g.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Ok(Caller::UserPool {
        username,
        sub,
        groups,
        claims,
    })
}

fn iam(state: &AppState, request: (&Method, &Uri, &HeaderMap, &[u8])) -> Result<Caller, Refusal> {
    iam_for(state, request, "appsync")
}

/// Who calls a REST API behind amplify-local's API-Gateway-like front: SigV4 (service `execute-api`) with
/// identity-pool credentials, or a user-pool ID or access token in `Authorization`.
pub(crate) fn authenticate_rest(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Caller, Refusal> {
    let Some(authorization) = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
    else {
        return Err(unauthorized("Unauthorized"));
    };
    if authorization.starts_with("AWS4-HMAC-SHA256") {
        return iam_for(state, (method, uri, headers, body), "execute-api");
    }
    let token = authorization
        .strip_prefix("Bearer ")
        .unwrap_or(authorization)
        .trim();
    user_pool(state, token).map_err(|_| unauthorized("Unauthorized"))
}

fn iam_for(
    state: &AppState,
    request: (&Method, &Uri, &HeaderMap, &[u8]),
    service: &str,
) -> Result<Caller, Refusal> {
    let headers = request.2;
    let signature_refusal = |error: SignatureError| match error {
        SignatureError::Malformed(message) | SignatureError::WrongScope(message) => {
            forbidden("IncompleteSignatureException", message)
        }
        SignatureError::Skewed => forbidden(
            "InvalidSignatureException",
            "Signature expired: the request time is more than 15 minutes from the server time.",
        ),
        SignatureError::Mismatch => forbidden(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. \
             Consult the service documentation for details.",
        ),
    };
    let invalid_token = || {
        forbidden(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        )
    };
    let signed = sigv4::parse(headers).map_err(signature_refusal)?;
    let credentials = lookup_credentials(&state.store, &signed.access_key_id)
        .map_err(|_| internal())?
        .ok_or_else(invalid_token)?;
    let now = state.now();
    sigv4::verify(
        &signed,
        &credentials.secret_key,
        sigv4::Scope {
            service,
            region: state.region(),
        },
        request,
        now,
    )
    .map_err(signature_refusal)?;
    let token = headers
        .get("x-amz-security-token")
        .and_then(|v| v.to_str().ok());
    match credentials.check_session(token, now) {
        Ok(()) => Ok(Caller::Iam {
            identity_id: credentials.identity_id,
            authenticated: credentials.authenticated,
        }),
        Err(SessionRefusal::WrongToken) => Err(invalid_token()),
        Err(SessionRefusal::Expired) => Err(forbidden(
            "ExpiredTokenException",
            "The security token included in the request is expired",
        )),
    }
}

/// An item-level condition under which an owner or dynamic-group rule
/// grants access.
#[derive(Debug, Clone)]
pub(crate) struct OwnerCheck {
    /// The item field holding the owner(s) or group(s).
    pub(crate) field: String,
    /// Values of that field that grant access to this caller.
    pub(crate) accepted: Vec<String>,
    /// The value to write on create when the field is empty (owner rules).
    pub(crate) write: Option<String>,
}

impl OwnerCheck {
    /// Whether the item's field holds an accepted value.
    pub(crate) fn allows(&self, item: &Map<String, Value>) -> bool {
        let accepted = |v: &Value| {
            v.as_str()
                .is_some_and(|s| self.accepted.iter().any(|a| a == s))
        };
        match item.get(&self.field) {
            Some(Value::Array(values)) => values.iter().any(accepted),
            Some(value) => accepted(value),
            None => false,
        }
    }
}

/// What the rules grant one caller for one operation.
#[derive(Debug, Clone)]
pub(crate) enum Grant {
    /// Nothing.
    Denied,
    /// Every item.
    All,
    /// Only items passing one of these checks.
    Owned(Vec<OwnerCheck>),
}

impl Grant {
    /// Whether the grant covers an item.
    pub(crate) fn allows(&self, item: &Map<String, Value>) -> bool {
        match self {
            Self::Denied => false,
            Self::All => true,
            Self::Owned(checks) => checks.iter().any(|c| c.allows(item)),
        }
    }
}

/// The owner values of a user-pool caller: what the rule's identity claim writes, and what it accepts when
/// reading. As AppSync: for the default `sub::username` claim the `sub`, the username and `sub::username` all
/// match (items written by older clients); for any other claim only that claim's value does. `None` when the
/// token lacks the claim: the owner rule then grants nothing.
fn owner_values(
    rule: &AuthRule,
    username: &str,
    sub: &str,
    claims: &Map<String, Value>,
) -> Option<(String, Vec<String>)> {
    match rule.identity_claim.as_str() {
        "sub::username" => {
            let combined = format!("{sub}::{username}");
            let accepted = vec![combined.clone(), sub.to_owned(), username.to_owned()];
            Some((combined, accepted))
        }
        "cognito:username" | "username" => Some((username.to_owned(), vec![username.to_owned()])),
        "sub" => Some((sub.to_owned(), vec![sub.to_owned()])),
        claim => {
            let value = claims.get(claim).and_then(Value::as_str)?.to_owned();
            Some((value.clone(), vec![value]))
        }
    }
}

/// What the model's rules grant `caller` for `operation` (`create`, `get`,
/// `list`, `update`, `delete`). A model without rules is open to user-pool
/// callers only (the API's default mode).
pub(crate) fn grant(model: &ModelDef, caller: &Caller, operation: &str) -> Grant {
    grant_by_rules(&model.rules, caller, operation)
}

/// What `rules` grant `caller` for `operation`; no rules at all: user-pool callers only (the API's default
/// mode). Custom operations use this too (their owner rules grant nothing: there is no item to own).
pub(crate) fn grant_by_rules(rules: &[AuthRule], caller: &Caller, operation: &str) -> Grant {
    if rules.is_empty() {
        return match caller {
            Caller::UserPool { .. } => Grant::All,
            _ => Grant::Denied,
        };
    }
    let mut checks = Vec::new();
    for rule in rules.iter().filter(|r| r.covers(operation)) {
        let provider = rule.provider.as_str();
        match (rule.allow.as_str(), provider, caller) {
            ("public", "apiKey", Caller::ApiKey)
            | (
                "public",
                "iam",
                Caller::Iam {
                    authenticated: false,
                    ..
                },
            )
            | ("private", "userPools", Caller::UserPool { .. })
            | (
                "private",
                "iam",
                Caller::Iam {
                    authenticated: true,
                    ..
                },
            ) => return Grant::All,
            ("groups", "userPools", Caller::UserPool { groups, claims, .. }) => {
                let caller_groups: Vec<String> = if rule.group_claim == "cognito:groups" {
                    groups.clone()
                } else {
                    match claims.get(&rule.group_claim) {
                        Some(Value::Array(values)) => values
                            .iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect(),
                        Some(Value::String(value)) => vec![value.clone()],
                        _ => Vec::new(),
                    }
                };
                match &rule.groups_field {
                    None => {
                        if rule.groups.iter().any(|g| caller_groups.contains(g)) {
                            return Grant::All;
                        }
                    }
                    Some(field) => checks.push(OwnerCheck {
                        field: field.clone(),
                        accepted: caller_groups,
                        write: None,
                    }),
                }
            }
            (
                "owner",
                "userPools",
                Caller::UserPool {
                    username,
                    sub,
                    claims,
                    ..
                },
            ) => {
                if let Some((written, accepted)) = owner_values(rule, username, sub, claims) {
                    checks.push(OwnerCheck {
                        field: rule.owner_field.clone(),
                        accepted,
                        write: Some(written),
                    });
                }
            }
            _ => {}
        }
    }
    if checks.is_empty() {
        Grant::Denied
    } else {
        Grant::Owned(checks)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::graphql::model::{Catalog, default_introspection};

    fn rule(identity_claim: &str) -> AuthRule {
        AuthRule {
            allow: "owner".to_owned(),
            provider: "userPools".to_owned(),
            operations: None,
            owner_field: "owner".to_owned(),
            identity_claim: identity_claim.to_owned(),
            groups: Vec::new(),
            group_claim: "cognito:groups".to_owned(),
            groups_field: None,
        }
    }

    #[test]
    fn owner_claims_accept_only_their_own_value() {
        let mut claims = Map::new();
        claims.insert("email".to_owned(), json!("mallory@example.com"));
        // A user named after someone else's email gains nothing under an `email` owner claim.
        let (written, accepted) =
            owner_values(&rule("email"), "victim@example.com", "sub-m", &claims).unwrap();
        assert_eq!(written, "mallory@example.com");
        assert_eq!(accepted, ["mallory@example.com"]);
        // No such claim in the token: the owner rule grants nothing.
        assert!(owner_values(&rule("email"), "victim@example.com", "sub-m", &Map::new()).is_none());
        // `sub` and username claims accept exactly that value.
        assert_eq!(
            owner_values(&rule("sub"), "u", "s", &claims).unwrap().1,
            ["s"]
        );
        assert_eq!(
            owner_values(&rule("cognito:username"), "u", "s", &claims)
                .unwrap()
                .1,
            ["u"]
        );
        // The default `sub::username` also matches items written with the sub or the username alone.
        assert_eq!(
            owner_values(&rule("sub::username"), "u", "s", &claims)
                .unwrap()
                .1,
            ["s::u", "s", "u"]
        );
    }

    #[test]
    fn group_rules_and_identity_claims() {
        let introspection = json!({
            "models": { "Doc": {
                "name": "Doc", "pluralName": "Docs",
                "fields": { "id": { "name": "id", "type": "ID", "isArray": false, "isRequired": true } },
                "attributes": [{ "type": "auth", "properties": { "rules": [
                    { "allow": "groups", "provider": "userPools", "groups": ["Admin"], "groupClaim": "cognito:groups", "operations": ["read"] },
                    { "allow": "owner", "provider": "userPools", "ownerField": "author", "identityClaim": "sub::username" },
                    { "allow": "groups", "provider": "userPools", "groupsField": "editors" },
                ] } }],
                "primaryKeyInfo": { "isCustomPrimaryKey": false, "primaryKeyFieldName": "id", "sortKeyFieldNames": [] },
            } },
        });
        let catalog = Catalog::parse(&introspection).expect("parses");
        let doc = catalog.model("Doc").expect("Doc");
        assert!(doc.field("author").is_some() && doc.field("editors").is_some());
        let admin = Caller::UserPool {
            username: "root".to_owned(),
            sub: "s".to_owned(),
            groups: vec!["Admin".to_owned()],
            claims: Map::new(),
        };
        assert!(matches!(grant(doc, &admin, "list"), Grant::All));
        let Grant::Owned(checks) = grant(doc, &admin, "update") else {
            panic!("owner and dynamic group checks");
        };
        assert_eq!(checks[0].write.as_deref(), Some("s::root"));
        let item = |v: Value| v.as_object().cloned().expect("object");
        let update = grant(doc, &admin, "update");
        assert!(update.allows(&item(json!({ "author": "root" }))));
        assert!(update.allows(&item(json!({ "editors": ["Admin"] }))));
        assert!(!update.allows(&item(json!({ "author": "other", "editors": ["Staff"] }))));
        assert!(matches!(grant(doc, &Caller::ApiKey, "list"), Grant::Denied));
    }

    #[test]
    fn default_rules() {
        let catalog = Catalog::parse(&default_introspection()).expect("parses");
        let todo = catalog.model("Todo").expect("Todo");
        let announcement = catalog.model("Announcement").expect("Announcement");
        assert!(matches!(
            grant(todo, &Caller::ApiKey, "list"),
            Grant::Denied
        ));
        let alice = grant(todo, &Caller::test_user("alice"), "get");
        let item = json!({ "owner": "alice" });
        let theirs = json!({ "owner": "bob" });
        assert!(alice.allows(item.as_object().expect("object")));
        assert!(!alice.allows(theirs.as_object().expect("object")));
        assert!(matches!(
            grant(announcement, &Caller::ApiKey, "list"),
            Grant::All
        ));
        assert!(matches!(
            grant(announcement, &Caller::ApiKey, "create"),
            Grant::Denied
        ));
        assert!(matches!(
            grant(announcement, &Caller::test_user("a"), "create"),
            Grant::All
        ));
        let guest = Caller::Iam {
            identity_id: "x".to_owned(),
            authenticated: false,
        };
        assert!(matches!(grant(announcement, &guest, "get"), Grant::All));
        assert!(matches!(
            grant(announcement, &guest, "create"),
            Grant::Denied
        ));
        assert!(matches!(grant(todo, &guest, "list"), Grant::Denied));
    }
}
