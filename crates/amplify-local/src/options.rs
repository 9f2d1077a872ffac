//! Start-up options of the backend.

use std::path::PathBuf;
use std::time::Duration;

use crate::http_server::ServerLimits;
use crate::{Clock, LocalError, MfaFactor, MfaMode, StorageRules};

/// The AWS access key that admin operations (`AdminCreateUser`, …) must be
/// signed with, when pinned ([`LocalOptions::admin_credentials`]). Its
/// `Debug` output never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct AdminCredentials {
    access_key_id: String,
    secret_access_key: String,
}

impl AdminCredentials {
    /// An access key id and its secret access key; neither may be empty.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Result<Self, LocalError> {
        let credentials = Self {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
        };
        if credentials.access_key_id.is_empty() || credentials.secret_access_key.is_empty() {
            return Err(LocalError::InvalidAdminCredentials);
        }
        Ok(credentials)
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }
}

impl std::fmt::Debug for AdminCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

impl std::str::FromStr for AdminCredentials {
    type Err = LocalError;

    /// Parses `ACCESS_KEY_ID:SECRET_ACCESS_KEY`.
    fn from_str(value: &str) -> Result<Self, LocalError> {
        let (key, secret) = value
            .split_once(':')
            .ok_or(LocalError::InvalidAdminCredentials)?;
        Self::new(key, secret)
    }
}

/// Which `iss` claim the backend writes into tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum IssuerMode {
    /// `http://127.0.0.1:PORT/<userPoolId>` (the default).
    #[default]
    Local,
    /// `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`, as real
    /// Cognito writes; the JWKS is still only served locally.
    Aws,
}

/// Options for [`crate::LocalBackend::start`]. Build with
/// [`LocalOptions::new`] and adjust the public fields or use the `with_*`
/// methods.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LocalOptions {
    /// Directory holding the SQLite database (created if missing).
    pub data_dir: PathBuf,
    /// TCP port on 127.0.0.1; 0 picks a free port.
    pub port: u16,
    /// Lifetime of access and id tokens (default 3600 s).
    pub access_token_ttl: Duration,
    /// Lifetime of refresh tokens (default 30 days, Cognito's default).
    pub refresh_token_ttl: Duration,
    /// Which issuer the tokens name.
    pub issuer: IssuerMode,
    /// Whether `GetTokensFromRefreshToken` returns a new refresh token and
    /// retires the old one (default false). With rotation on, Cognito rejects
    /// `InitiateAuth` `REFRESH_TOKEN_AUTH`, and so does this backend.
    pub rotate_refresh_tokens: bool,
    /// With rotation on: how long a rotated-away refresh token keeps working
    /// (like Cognito's `RetryGracePeriodSeconds`). Default 0: it stops at once.
    pub refresh_token_grace_period: Duration,
    /// Origins (`http(s)://host[:port]`, no path) of the apps that use
    /// managed login and may call amplify-local from their pages (CORS).
    /// For each, `ORIGIN/api/auth/sign-in-callback` becomes a callback URL
    /// and `ORIGIN/api/auth/sign-out-callback` a sign-out URL of the app
    /// client(s). They are taken as origins: `http://LocalHost:80` is
    /// `http://localhost`. Default: `http://127.0.0.1:3000` and
    /// `http://localhost:3000`.
    pub app_origins: Vec<String>,
    /// Whether a second, confidential app client (with a secret,
    /// `client_secret_basic`) is enabled. It is created once and persisted.
    pub confidential_client: bool,
    /// Names of extra (simulated) OIDC identity providers accepted as
    /// `identity_provider`, besides Google, Facebook, SignInWithApple and
    /// LoginWithAmazon.
    pub oidc_providers: Vec<String>,
    /// Lifetime of OAuth authorization codes (default 300 s, Cognito's).
    pub authorization_code_ttl: Duration,
    /// Whether the identity pool gives guests (no sign-in) an identity and
    /// credentials (default true). Written to `amplify_outputs.json` as
    /// `auth.unauthenticated_identities_enabled`.
    pub allow_guest_access: bool,
    /// Lifetime of the AWS credentials `GetCredentialsForIdentity` issues
    /// (default 3600 s, Cognito's).
    pub credentials_ttl: Duration,
    /// TCP port of the S3 server on 127.0.0.1; 0 (the default) picks a free
    /// port.
    pub s3_port: u16,
    /// The storage access rules; `None` (the default) uses
    /// [`StorageRules::default`].
    pub storage_rules: Option<StorageRules>,
    /// An `amplify_outputs.json` (or a bare `model_introspection`
    /// document) whose `data.model_introspection` the GraphQL API serves;
    /// `None` (the default) serves the built-in `Todo` / `Announcement`
    /// schema, with seed data.
    pub schema_file: Option<PathBuf>,
    /// The functions resolving the schema's custom queries and mutations: operation name and the URL of an
    /// HTTP endpoint that takes AppSync's Lambda event (`POST`, JSON) and answers the result as JSON
    /// (`--function NAME=URL`). A custom operation without one answers a `Lambda:Unhandled` error.
    pub functions: Vec<(String, url::Url)>,
    /// REST APIs served under `/rest/NAME/` behind an API-Gateway-like front that checks SigV4 (service
    /// `execute-api`) or a user-pool token, then forwards to the URL (`--rest-api NAME=URL`). Written to the
    /// outputs file as `custom.API.NAME`.
    pub rest_apis: Vec<(String, url::Url)>,
    /// Custom types and operations added to the served schema (the default one or `schema_file`'s): an object
    /// with `nonModels`, `queries` and/or `mutations`, each merged entry by entry. Default: none.
    pub custom_operations: Option<serde_json::Value>,
    /// Lifetime of a newly issued GraphQL API key (default 7 days, as
    /// Amplify's). An expired key is refused, and replaced at the next start.
    pub api_key_ttl: Duration,
    /// How long one GraphQL request may run (default 10 s). Past it the
    /// request is answered with AppSync's `ExecutionTimeout` error and its
    /// reads stop.
    pub graphql_time_budget: Duration,
    /// How many stored items one GraphQL request may read, over all its
    /// fields, aliases and nested connections (default 50,000). Past it the
    /// remaining fields fail with `ExecutionLimitExceeded`.
    pub graphql_row_budget: u64,
    /// Timeouts, connection cap and listen backlog of both ports.
    pub server_limits: ServerLimits,
    /// Admin operations always need a SigV4-signed request (service
    /// `cognito-idp`), as in Cognito. `None` (the default) accepts any
    /// well-formed signature, so SDKs with throwaway credentials work; with
    /// credentials, the signature is verified against them.
    pub admin_credentials: Option<AdminCredentials>,
    /// Host names, besides the loopback addresses (`127.0.0.1`, `localhost`,
    /// `[::1]`), that requests may name in `Host` (any port). Requests for
    /// other hosts are refused, so that a web page cannot reach the backend
    /// through DNS rebinding. Default: none.
    pub allowed_hosts: Vec<String>,
    /// Custom attributes the pool declares (`custom:team` or `team`).
    /// Sign-up and the other attribute-writing operations refuse undeclared
    /// ones. Default: none.
    pub custom_attributes: Vec<String>,
    /// Whether usernames are email addresses, as in a Gen 2 pool with the
    /// default `loginWith: { email: true }` (default false). Then
    /// `amplify_outputs.json` says `"username_attributes": ["email"]`,
    /// `SignUp` refuses a username that is not an email address and sets the
    /// `email` attribute from it, and the managed sign-up page asks only for
    /// the email and the password. Unlike Cognito, which gives such users a
    /// generated username, the username stays the email address (it is the
    /// `cognito:username` claim).
    pub email_usernames: bool,
    /// The clock every lifetime is checked against (default: one that
    /// follows the system clock). Tests freeze and move it instead of
    /// sleeping; see [`Clock`].
    pub clock: Clock,
    /// Whether sign-in asks for a second factor (default [`MfaMode::Off`]).
    pub mfa: MfaMode,
    /// The factors users may use when [`LocalOptions::mfa`] is not off
    /// (default: SMS, TOTP and email).
    pub mfa_factors: Vec<MfaFactor>,
}

impl LocalOptions {
    /// Defaults for a data directory: port 0, one-hour access tokens,
    /// local issuer, no refresh-token rotation.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            port: 0,
            access_token_ttl: Duration::from_secs(3600),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            issuer: IssuerMode::Local,
            rotate_refresh_tokens: false,
            refresh_token_grace_period: Duration::ZERO,
            app_origins: vec![
                "http://127.0.0.1:3000".to_owned(),
                "http://localhost:3000".to_owned(),
            ],
            confidential_client: false,
            oidc_providers: Vec::new(),
            authorization_code_ttl: Duration::from_secs(300),
            allow_guest_access: true,
            credentials_ttl: Duration::from_secs(3600),
            s3_port: 0,
            storage_rules: None,
            schema_file: None,
            functions: Vec::new(),
            rest_apis: Vec::new(),
            custom_operations: None,
            api_key_ttl: Duration::from_secs(7 * 24 * 3600),
            graphql_time_budget: Duration::from_secs(10),
            graphql_row_budget: 50_000,
            server_limits: ServerLimits::default(),
            admin_credentials: None,
            allowed_hosts: Vec::new(),
            custom_attributes: Vec::new(),
            email_usernames: false,
            clock: Clock::default(),
            mfa: MfaMode::Off,
            mfa_factors: MfaFactor::ALL.to_vec(),
        }
    }

    /// Sets the port (0 = free port).
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Sets the access/id token lifetime.
    pub fn with_access_token_ttl(mut self, ttl: Duration) -> Self {
        self.access_token_ttl = ttl;
        self
    }

    /// Sets the refresh token lifetime.
    pub fn with_refresh_token_ttl(mut self, ttl: Duration) -> Self {
        self.refresh_token_ttl = ttl;
        self
    }

    /// Sets the issuer mode.
    pub fn with_issuer(mut self, issuer: IssuerMode) -> Self {
        self.issuer = issuer;
        self
    }

    /// Turns refresh-token rotation on or off.
    pub fn with_rotate_refresh_tokens(mut self, rotate: bool) -> Self {
        self.rotate_refresh_tokens = rotate;
        self
    }

    /// Sets the grace period of rotated-away refresh tokens.
    pub fn with_refresh_token_grace_period(mut self, grace: Duration) -> Self {
        self.refresh_token_grace_period = grace;
        self
    }

    /// Replaces the app origins whose callback URLs are registered.
    pub fn with_app_origins<I, S>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.app_origins = origins.into_iter().map(Into::into).collect();
        self
    }

    /// Enables or disables the confidential app client.
    pub fn with_confidential_client(mut self, enabled: bool) -> Self {
        self.confidential_client = enabled;
        self
    }

    /// Adds a simulated OIDC identity provider name.
    pub fn with_oidc_provider(mut self, name: impl Into<String>) -> Self {
        self.oidc_providers.push(name.into());
        self
    }

    /// Sets the lifetime of OAuth authorization codes.
    pub fn with_authorization_code_ttl(mut self, ttl: Duration) -> Self {
        self.authorization_code_ttl = ttl;
        self
    }

    /// Allows or refuses guest identities.
    pub fn with_guest_access(mut self, allowed: bool) -> Self {
        self.allow_guest_access = allowed;
        self
    }

    /// Sets the lifetime of issued AWS credentials.
    pub fn with_credentials_ttl(mut self, ttl: Duration) -> Self {
        self.credentials_ttl = ttl;
        self
    }

    /// Sets the S3 server's port (0 = free port).
    pub fn with_s3_port(mut self, port: u16) -> Self {
        self.s3_port = port;
        self
    }

    /// Replaces the default storage access rules.
    pub fn with_storage_rules(mut self, rules: StorageRules) -> Self {
        self.storage_rules = Some(rules);
        self
    }

    /// Resolves the custom query or mutation `operation` with the HTTP endpoint `url` (see
    /// [`LocalOptions::functions`]).
    #[must_use]
    pub fn with_function(mut self, operation: impl Into<String>, url: url::Url) -> Self {
        self.functions.push((operation.into(), url));
        self
    }

    /// Adds custom types and operations to the served schema (see [`LocalOptions::custom_operations`]).
    #[must_use]
    pub fn with_custom_operations(mut self, additions: serde_json::Value) -> Self {
        self.custom_operations = Some(additions);
        self
    }

    /// Mounts the REST API `name` (forwarding to `upstream`) under `/rest/NAME/` (see
    /// [`LocalOptions::rest_apis`]).
    #[must_use]
    pub fn with_rest_api(mut self, name: impl Into<String>, upstream: url::Url) -> Self {
        self.rest_apis.push((name.into(), upstream));
        self
    }

    /// Serves the `model_introspection` of this `amplify_outputs.json`
    /// instead of the default schema.
    pub fn with_schema_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.schema_file = Some(path.into());
        self
    }

    /// Sets the lifetime of newly issued GraphQL API keys.
    pub fn with_api_key_ttl(mut self, ttl: Duration) -> Self {
        self.api_key_ttl = ttl;
        self
    }

    /// Sets how long one GraphQL request may run.
    pub fn with_graphql_time_budget(mut self, budget: Duration) -> Self {
        self.graphql_time_budget = budget;
        self
    }

    /// Sets how many stored items one GraphQL request may read.
    pub fn with_graphql_row_budget(mut self, rows: u64) -> Self {
        self.graphql_row_budget = rows;
        self
    }

    /// Sets the timeouts, connection cap and backlog of both ports.
    pub fn with_server_limits(mut self, limits: ServerLimits) -> Self {
        self.server_limits = limits;
        self
    }

    /// Pins the credentials admin operations must be signed with.
    pub fn with_admin_credentials(mut self, credentials: AdminCredentials) -> Self {
        self.admin_credentials = Some(credentials);
        self
    }

    /// Adds a host name that requests may name in `Host`.
    pub fn with_allowed_host(mut self, host: impl Into<String>) -> Self {
        self.allowed_hosts.push(host.into());
        self
    }

    /// Uses `clock` (for example one shared with an earlier start on the
    /// same data directory).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Declares a custom attribute (`custom:team` or `team`).
    pub fn with_custom_attribute(mut self, name: impl Into<String>) -> Self {
        self.custom_attributes.push(name.into());
        self
    }

    /// Makes usernames email addresses, or not (see
    /// [`LocalOptions::email_usernames`]).
    pub fn with_email_usernames(mut self, enabled: bool) -> Self {
        self.email_usernames = enabled;
        self
    }

    /// Sets the pool's MFA mode.
    pub fn with_mfa(mut self, mode: MfaMode) -> Self {
        self.mfa = mode;
        self
    }

    /// Sets which factors users may use (duplicates are ignored).
    pub fn with_mfa_factors(mut self, factors: impl IntoIterator<Item = MfaFactor>) -> Self {
        let mut factors: Vec<MfaFactor> = factors.into_iter().collect();
        factors.sort_unstable();
        factors.dedup();
        self.mfa_factors = factors;
        self
    }

    /// Whether users may use `factor` (MFA is on and the factor enabled).
    pub(crate) fn mfa_allows(&self, factor: MfaFactor) -> bool {
        self.mfa != MfaMode::Off && self.mfa_factors.contains(&factor)
    }
}
