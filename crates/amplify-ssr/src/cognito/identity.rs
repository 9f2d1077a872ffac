//! A client for the Cognito identity-pool JSON API (`AWSCognitoIdentityService`): `GetId` and
//! `GetCredentialsForIdentity`.
//!
//! The calls are unsigned `POST`s with the same headers, retries, timeouts and tracing spans as the user-pool
//! client (see the [module docs](super)); only the `x-amz-target` prefix differs. Request bodies follow
//! aws-amplify exactly:
//!
//! * `GetId`: `{"IdentityPoolId": "<pool>", "Logins": {"<iss without scheme>": "<id token>"}}`, with
//!   `"Logins": {}` for a guest;
//! * `GetCredentialsForIdentity`: `{"IdentityId": "<id>", "Logins": {...}}`, with no `Logins` key at all for a
//!   guest.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::{Map, Value, json};
use tracing::Instrument as _;
use url::Url;

use super::{CognitoError, JsonTransport, RetryPolicy, Service};
use crate::auth::AwsCredentials;
use crate::secret::{AwsSecretAccessKey, AwsSessionToken, IdToken};

/// A client for one Cognito identity-pool endpoint. Cheap to clone (an `Arc` inside); share one per process.
///
/// ```no_run
/// # async fn run(id_token: amplify_ssr::secret::IdToken) -> Result<(), Box<dyn std::error::Error>> {
/// use amplify_ssr::cognito::IdentityClient;
///
/// let identity = IdentityClient::new(
///     reqwest::Client::new(),
///     "https://cognito-identity.eu-west-1.amazonaws.com/".parse()?,
/// );
/// let login = "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123";
/// let pool = "eu-west-1:00000000-0000-0000-0000-000000000000";
/// let identity_id = identity.get_id(pool, Some((login, &id_token))).await?;
/// let answer = identity
///     .get_credentials_for_identity(&identity_id, Some((login, &id_token)))
///     .await?;
/// println!("{:?}", answer.credentials); // the access key id only
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct IdentityClient {
    transport: Arc<JsonTransport>,
}

/// The answer of [`IdentityClient::get_credentials_for_identity`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GetCredentialsForIdentityResponse {
    /// The identity the credentials belong to, when the service names it (Cognito does; it can differ from the
    /// one asked for after identities were merged).
    pub identity_id: Option<String>,
    /// The temporary AWS credentials.
    pub credentials: AwsCredentials,
}

impl IdentityClient {
    /// A client that sends every call to `endpoint` verbatim (for AWS,
    /// `https://cognito-identity.{region}.amazonaws.com/`).
    #[must_use]
    pub fn new(http: reqwest::Client, endpoint: Url) -> Self {
        Self {
            transport: Arc::new(JsonTransport::new(http, endpoint, Service::IdentityPools)),
        }
    }

    /// Replaces the retry policy (default: [`RetryPolicy::default`]).
    #[must_use]
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        Arc::make_mut(&mut self.transport).set_retry(policy);
        self
    }

    /// The time limit of one attempt (default [`DEFAULT_ATTEMPT_TIMEOUT`](super::DEFAULT_ATTEMPT_TIMEOUT));
    /// `None` leaves only the `reqwest::Client`'s own timeouts.
    #[must_use]
    pub fn with_attempt_timeout(mut self, timeout: Option<Duration>) -> Self {
        Arc::make_mut(&mut self.transport).set_attempt_timeout(timeout);
        self
    }

    /// The endpoint calls are sent to.
    #[must_use]
    pub fn endpoint(&self) -> &Url {
        self.transport.endpoint()
    }

    /// `GetId`: the identity id of the login in `logins` (`(key, id token)`, the key being the id token's `iss`
    /// without its scheme, see [`logins_key`]), or a new guest identity when `logins` is `None`.
    ///
    /// # Errors
    ///
    /// See [`CognitoError`]; guests in a pool that does not allow them get `NotAuthorizedException`, and an
    /// answer without `IdentityId` is [`CognitoError::InvalidResponse`].
    pub async fn get_id(
        &self,
        identity_pool_id: &str,
        logins: Option<(&str, &IdToken)>,
    ) -> Result<String, CognitoError> {
        const OP: &str = "GetId";
        let body = json!({
            "IdentityPoolId": identity_pool_id,
            "Logins": logins_map(logins),
        });
        let span = tracing::info_span!(
            "amplify_ssr.identity.get_id",
            authenticated = logins.is_some(),
            identity_id = tracing::field::Empty,
        );
        async {
            let wire: WireGetId = self.transport.call(OP, &body).await?;
            let id = wire
                .identity_id
                .filter(|id| !id.trim().is_empty())
                .ok_or_else(|| CognitoError::InvalidResponse {
                    operation: OP,
                    detail: "no IdentityId in the response".to_owned(),
                })?;
            tracing::Span::current().record("identity_id", id.as_str());
            Ok(id)
        }
        .instrument(span)
        .await
    }

    /// `GetCredentialsForIdentity`: temporary AWS credentials for `identity_id`, as the signed-in user in
    /// `logins`, or as a guest when `logins` is `None` (the request then has no `Logins` key).
    ///
    /// # Errors
    ///
    /// See [`CognitoError`]; an answer without `Credentials.AccessKeyId` or `Credentials.SecretKey` is
    /// [`CognitoError::InvalidResponse`].
    pub async fn get_credentials_for_identity(
        &self,
        identity_id: &str,
        logins: Option<(&str, &IdToken)>,
    ) -> Result<GetCredentialsForIdentityResponse, CognitoError> {
        const OP: &str = "GetCredentialsForIdentity";
        let mut body = json!({ "IdentityId": identity_id });
        if logins.is_some() {
            body["Logins"] = logins_map(logins);
        }
        let span = tracing::info_span!(
            "amplify_ssr.identity.get_credentials",
            authenticated = logins.is_some(),
            identity_id,
            access_key_id = tracing::field::Empty,
        );
        async {
            let wire: WireGetCredentials = self.transport.call(OP, &body).await?;
            let missing = |what: &str| CognitoError::InvalidResponse {
                operation: OP,
                detail: format!("no Credentials.{what} in the response"),
            };
            let credentials = wire.credentials.ok_or_else(|| missing("AccessKeyId"))?;
            let access_key_id = credentials
                .access_key_id
                .filter(|k| !k.is_empty())
                .ok_or_else(|| missing("AccessKeyId"))?;
            let secret = credentials
                .secret_key
                .filter(|k| !k.is_empty())
                .ok_or_else(|| missing("SecretKey"))?;
            tracing::Span::current().record("access_key_id", access_key_id.as_str());
            Ok(GetCredentialsForIdentityResponse {
                identity_id: wire.identity_id.filter(|id| !id.is_empty()),
                credentials: AwsCredentials {
                    access_key_id,
                    secret_access_key: AwsSecretAccessKey::new(secret),
                    session_token: credentials
                        .session_token
                        .filter(|t| !t.is_empty())
                        .map(AwsSessionToken::new),
                    expiration: credentials.expiration.as_ref().and_then(parse_expiration),
                },
            })
        }
        .instrument(span)
        .await
    }
}

/// The `Logins` key of a Cognito user-pool id token: its `iss` claim without the scheme, e.g.
/// `cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC` (aws-amplify's rule; for a local emulator
/// `http://127.0.0.1:9229/local_abc` becomes `127.0.0.1:9229/local_abc`).
#[must_use]
pub fn logins_key(issuer: &str) -> &str {
    match issuer.split_once("://") {
        Some((scheme, rest))
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) =>
        {
            rest
        }
        _ => issuer.strip_prefix("//").unwrap_or(issuer),
    }
}

fn logins_map(logins: Option<(&str, &IdToken)>) -> Value {
    let mut map = Map::new();
    if let Some((key, token)) = logins {
        map.insert(key.to_owned(), Value::String(token.secret().to_owned()));
    }
    Value::Object(map)
}

/// AWS JSON 1.1 timestamps are epoch seconds, possibly fractional; a numeric string is accepted too.
fn parse_expiration(value: &Value) -> Option<SystemTime> {
    let seconds = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    UNIX_EPOCH.checked_add(Duration::try_from_secs_f64(seconds).ok()?)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireGetId {
    identity_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireGetCredentials {
    identity_id: Option<String>,
    credentials: Option<WireCredentials>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct WireCredentials {
    access_key_id: Option<String>,
    secret_key: Option<String>,
    session_token: Option<String>,
    expiration: Option<Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cognito::test_http::{Reply, TestServer};

    const LOGIN: &str = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool";

    #[test]
    fn logins_key_strips_the_scheme_only() {
        assert_eq!(
            logins_key("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool"),
            LOGIN
        );
        assert_eq!(
            logins_key("http://127.0.0.1:9229/local_abc"),
            "127.0.0.1:9229/local_abc"
        );
        assert_eq!(logins_key(LOGIN), LOGIN);
    }

    #[test]
    fn expiration_accepts_epoch_seconds() {
        let t = parse_expiration(&json!(1_700_000_000.5)).unwrap();
        assert_eq!(
            t.duration_since(UNIX_EPOCH).unwrap(),
            Duration::from_millis(1_700_000_000_500)
        );
        assert!(parse_expiration(&json!("1700000000")).is_some());
        assert!(parse_expiration(&json!(true)).is_none());
        assert!(parse_expiration(&json!(-1)).is_none());
    }

    #[tokio::test]
    async fn wire_format_matches_aws_amplify() {
        let server = TestServer::start(|_, request| {
            let target = request
                .header("x-amz-target")
                .unwrap_or_default()
                .to_owned();
            match target.as_str() {
                "AWSCognitoIdentityService.GetId" => {
                    Reply::json(200, &json!({ "IdentityId": "us-east-1:abc" }))
                }
                _ => Reply::json(
                    200,
                    &json!({ "IdentityId": "us-east-1:abc", "Credentials": {
                        "AccessKeyId": "ASIAEXAMPLE", "SecretKey": "s3cr3t", "SessionToken": "tok",
                        "Expiration": 1_700_000_000 } }),
                ),
            }
        })
        .await;
        let client = IdentityClient::new(reqwest::Client::new(), server.url.clone());
        let token = IdToken::new("eyJ.id.token");

        assert_eq!(
            client.get_id("us-east-1:pool", None).await.unwrap(),
            "us-east-1:abc"
        );
        client
            .get_id("us-east-1:pool", Some((LOGIN, &token)))
            .await
            .unwrap();
        let guest = client
            .get_credentials_for_identity("us-east-1:abc", None)
            .await
            .unwrap();
        let user = client
            .get_credentials_for_identity("us-east-1:abc", Some((LOGIN, &token)))
            .await
            .unwrap();
        assert_eq!(guest.credentials.access_key_id, "ASIAEXAMPLE");
        assert_eq!(user.identity_id.as_deref(), Some("us-east-1:abc"));
        assert_eq!(user.credentials.secret_access_key.secret(), "s3cr3t");
        assert!(!format!("{user:?}").contains("s3cr3t"));
        assert!(!format!("{user:?}").contains("tok\""));

        let requests = server.requests();
        assert_eq!(requests.len(), 4);
        for r in &requests {
            assert_eq!(r.method, "POST");
            assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
            assert_eq!(r.header("cache-control"), Some("no-store"));
            assert!(r.header("amz-sdk-invocation-id").is_some());
            assert_eq!(r.header("amz-sdk-request"), Some("attempt=1; max=3"));
            assert!(r.header("authorization").is_none(), "unsigned");
        }
        assert_eq!(
            requests[0].header("x-amz-target"),
            Some("AWSCognitoIdentityService.GetId")
        );
        assert_eq!(
            requests[0].json(),
            json!({ "IdentityPoolId": "us-east-1:pool", "Logins": {} })
        );
        assert_eq!(
            requests[1].json(),
            json!({ "IdentityPoolId": "us-east-1:pool", "Logins": { LOGIN: "eyJ.id.token" } })
        );
        assert_eq!(
            requests[2].header("x-amz-target"),
            Some("AWSCognitoIdentityService.GetCredentialsForIdentity")
        );
        assert_eq!(requests[2].json(), json!({ "IdentityId": "us-east-1:abc" }));
        assert_eq!(
            requests[3].json(),
            json!({ "IdentityId": "us-east-1:abc", "Logins": { LOGIN: "eyJ.id.token" } })
        );
    }

    #[tokio::test]
    async fn missing_fields_are_invalid_responses() {
        let server = TestServer::start(|_, request| {
            if request.header("x-amz-target") == Some("AWSCognitoIdentityService.GetId") {
                Reply::json(200, &json!({}))
            } else {
                Reply::json(
                    200,
                    &json!({ "Credentials": { "AccessKeyId": "ASIA", "SessionToken": "t" } }),
                )
            }
        })
        .await;
        let client = IdentityClient::new(reqwest::Client::new(), server.url.clone());
        let e = client.get_id("p", None).await.unwrap_err();
        assert!(
            matches!(
                e,
                CognitoError::InvalidResponse {
                    operation: "GetId",
                    ..
                }
            ),
            "{e:?}"
        );
        let e = client
            .get_credentials_for_identity("id", None)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("SecretKey"), "{e}");
    }
}
