//! Start-up, routing and shutdown.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::{any, get, post};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::clients::Clients;
use crate::db::Store;
use crate::decoy::Decoys;
use crate::http_server::{self, ServerLimits};
use crate::keys::SigningKey;
use crate::state::AppState;
use crate::users::{self, LocalUser};
use crate::{
    Clock, IssuerMode, LocalError, LocalOptions, StorageRules, cors, graphql, host, identity,
    oauth, outputs, s3, user_pool, well_known,
};

/// The routes of the backend: the Cognito user-pool and identity-pool APIs
/// on `POST /` (told apart by `X-Amz-Target`), the
/// well-known documents, and managed login / OAuth 2.0 / OIDC (`/login`,
/// `/signup`, `/oauth2/*`, `/logout`), with CORS for the app origins only
/// and only for loopback or configured `Host` names. Merge more routes into
/// the returned router to serve them on the same port.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", post(user_pool::handle_any))
        .route(
            "/.well-known/openid-configuration",
            get(well_known::root_openid_configuration),
        )
        .merge(oauth::routes())
        .route("/graphql", post(graphql::handle))
        .route("/rest/{api}", any(crate::rest_api::handle))
        .route("/rest/{api}/{*path}", any(crate::rest_api::handle))
        .route("/{pool_id}/.well-known/jwks.json", get(well_known::jwks))
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(well_known::openid_configuration),
        )
        .with_state(Arc::clone(&state))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            cors::api,
        ))
        .layer(axum::middleware::from_fn_with_state(state, host::check))
}

/// A running backend. Dropping it without [`LocalBackend::shutdown`] leaves
/// the server task running until the runtime stops.
#[derive(Debug)]
pub struct LocalBackend {
    state: Arc<AppState>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
    s3_stop: Option<oneshot::Sender<()>>,
    s3_task: JoinHandle<()>,
}

/// Binds a listener on 127.0.0.1 (`port` 0 = a free port) with the configured backlog.
fn bind(port: u16, limits: &ServerLimits) -> Result<TcpListener, LocalError> {
    http_server::listen(SocketAddr::from(([127, 0, 0, 1], port)), limits.backlog)
        .map_err(|source| LocalError::Bind { port, source })
}

/// Serves `app` under `limits` until `stopped` fires (or its sender is dropped).
async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServerLimits,
    stopped: oneshot::Receiver<()>,
) {
    http_server::serve(listener, app, &limits, async {
        let _ = stopped.await;
    })
    .await;
}

impl LocalBackend {
    /// Opens (or creates) the data directory, loads or creates the pool,
    /// client and signing key, and starts serving on 127.0.0.1.
    pub async fn start(mut options: LocalOptions) -> Result<LocalBackend, LocalError> {
        options.app_origins = options
            .app_origins
            .iter()
            .map(|origin| crate::clients::canonical_origin(origin))
            .collect::<Result<_, _>>()?;
        let data_dir = options.data_dir.clone();
        let origins = options.app_origins.clone();
        let confidential = options.confidential_client;
        let providers = options.oidc_providers.clone();
        let schema_file = options.schema_file.clone();
        let functions = options.functions.clone();
        let additions = options.custom_operations.clone();
        let rest_apis = crate::rest_api::RestApis::new(&options.rest_apis)?;
        let api_key_ttl = i64::try_from(options.api_key_ttl.as_secs().max(1)).unwrap_or(i64::MAX);
        let clock = options.clock.clone();
        let graphql_clock = clock.clone();
        for name in &options.allowed_hosts {
            host::check_allowed_host(name)?;
        }
        for name in &options.custom_attributes {
            user_pool::check_declared_attribute(name)?;
        }
        let (
            store,
            (key, decoys),
            user_pool_id,
            client_id,
            clients,
            identity_pool_id,
            bucket,
            fs,
            graphql,
        ) = tokio::task::spawn_blocking(move || {
            let store = Store::open(&data_dir)?;
            let (pool_id, client_id) = users::pool_identity(&store)?;
            // The token signing key, and the secret of unknown users' decoys.
            let key = (SigningKey::load_or_create(&store)?, Decoys::load(&store)?);
            let clients = Clients::load(&store, &origins, confidential, &providers)?;
            let identity_pool_id = identity::load_pool_id(&store)?;
            let bucket = s3::load_bucket_name(&store)?;
            let fs = s3::open_store(&data_dir, &bucket)?;
            let graphql = graphql::GraphqlApi::load(
                &store,
                &data_dir,
                schema_file.as_deref(),
                api_key_ttl,
                &graphql_clock,
                &functions,
                additions.as_ref(),
            )?;
            Ok::<_, LocalError>((
                store,
                key,
                pool_id,
                client_id,
                clients,
                identity_pool_id,
                bucket,
                fs,
                graphql,
            ))
        })
        .await
        .map_err(|_| LocalError::Task)??;

        let limits = options.server_limits.clone();
        let listener = bind(options.port, &limits)?;
        let port = listener
            .local_addr()
            .map_err(|source| LocalError::Bind {
                port: options.port,
                source,
            })?
            .port();
        let base_url = format!("http://127.0.0.1:{port}");
        let s3_listener = bind(options.s3_port, &limits)?;
        let s3_port = s3_listener
            .local_addr()
            .map_err(|source| LocalError::Bind {
                port: options.s3_port,
                source,
            })?
            .port();
        let storage = s3::Storage {
            bucket_name: bucket,
            url: format!("http://127.0.0.1:{s3_port}"),
            rules: options.storage_rules.clone().unwrap_or_default(),
        };
        let issuer = match options.issuer {
            IssuerMode::Aws => format!(
                "https://cognito-idp.{}.amazonaws.com/{user_pool_id}",
                crate::state::REGION
            ),
            _ => format!("{base_url}/{user_pool_id}"),
        };
        let state = Arc::new(AppState {
            store,
            key,
            user_pool_id,
            client_id,
            clients,
            options,
            base_url,
            issuer,
            identity_pool_id,
            storage,
            graphql,
            rest_apis,
            counters: Mutex::new(HashMap::new()),
            clock,
            decoys,
            password_checks: AtomicU64::new(0),
        });
        let app = router(Arc::clone(&state));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, app, limits.clone(), stopped));
        let (s3_stop, s3_stopped) = oneshot::channel::<()>();
        let s3_app = s3::router(Arc::clone(&state), fs).layer(
            axum::middleware::from_fn_with_state(Arc::clone(&state), host::check),
        );
        let s3_task = tokio::spawn(serve(s3_listener, s3_app, limits, s3_stopped));
        tracing::info!(
            base_url = %state.base_url,
            user_pool_id = %state.user_pool_id,
            client_id = %state.client_id,
            identity_pool_id = %state.identity_pool_id,
            s3_url = %state.storage.url,
            bucket = %state.storage.bucket_name,
            "amplify-local is listening"
        );
        Ok(LocalBackend {
            state,
            stop: Some(stop),
            task,
            s3_stop: Some(s3_stop),
            s3_task,
        })
    }

    /// The shared state (for mounting more routes with [`router`]-like code).
    pub fn state(&self) -> Arc<AppState> {
        Arc::clone(&self.state)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// The user pool id.
    pub fn user_pool_id(&self) -> &str {
        &self.state.user_pool_id
    }

    /// The app client id.
    pub fn client_id(&self) -> &str {
        &self.state.client_id
    }

    /// The region (`us-east-1`).
    pub fn region(&self) -> &str {
        self.state.region()
    }

    /// The identity pool id (`us-east-1:<uuid>`), created once and kept in
    /// the data directory.
    pub fn identity_pool_id(&self) -> &str {
        &self.state.identity_pool_id
    }

    /// The confidential app client as `(client_id, client_secret)`, when
    /// [`LocalOptions::confidential_client`] is on. It authenticates to
    /// `/oauth2/token` and `/oauth2/revoke` with `client_secret_basic` (or
    /// `client_secret_post`).
    pub fn confidential_client(&self) -> Option<(String, String)> {
        self.state
            .clients
            .confidential
            .as_ref()
            .map(|c| (c.id.clone(), c.secret.clone()))
    }

    /// The OAuth callback (sign-in redirect) URLs registered on the app
    /// clients, one per app origin.
    pub fn callback_urls(&self) -> &[String] {
        &self.state.clients.callback_urls
    }

    /// The OAuth sign-out URLs registered on the app clients.
    pub fn sign_out_urls(&self) -> &[String] {
        &self.state.clients.sign_out_urls
    }

    /// The S3 endpoint, `http://127.0.0.1:S3PORT` (path-style:
    /// `/{bucket}/{key}`).
    pub fn s3_url(&self) -> &str {
        &self.state.storage.url
    }

    /// The name of the (one) bucket, created once and kept in the data
    /// directory. Its friendly name in `amplify_outputs.json` is `default`.
    pub fn bucket_name(&self) -> &str {
        &self.state.storage.bucket_name
    }

    /// The storage access rules in force.
    pub fn storage_rules(&self) -> &StorageRules {
        &self.state.storage.rules
    }

    /// The GraphQL endpoint, `http://127.0.0.1:PORT/graphql` (the outputs'
    /// `data.url`).
    pub fn graphql_url(&self) -> String {
        format!("{}/graphql", self.state.base_url)
    }

    /// The GraphQL API key (`da2-…`, the outputs' `data.api_key`).
    pub fn api_key(&self) -> &str {
        self.state.graphql.api_key()
    }

    /// The GraphQL schema being served, in SDL.
    pub fn graphql_schema_sdl(&self) -> String {
        self.state.graphql.sdl()
    }

    /// How many items of a model the GraphQL API holds (every owner's).
    pub fn graphql_item_count(&self, model: &str) -> Result<u64, LocalError> {
        self.state.graphql.item_count(model)
    }

    /// How many stored items GraphQL requests have read since the start
    /// (every model, every caller). Lists read only the items their caller
    /// may see, so this shows what a request cost.
    pub fn graphql_rows_read(&self) -> u64 {
        self.state.graphql.rows_read()
    }

    /// The `iss` claim this backend writes.
    pub fn issuer(&self) -> &str {
        &self.state.issuer
    }

    /// The `amplify_outputs.json` document for this backend.
    pub fn outputs(&self) -> Value {
        outputs::outputs(&self.state)
    }

    /// Writes [`LocalBackend::outputs`] (pretty-printed) to `path`, at once:
    /// into a temporary file beside it, then renamed over it, so that a
    /// reader never sees a half-written file.
    pub fn write_outputs(&self, path: &Path) -> Result<(), LocalError> {
        let text = serde_json::to_string_pretty(&self.outputs())
            .map_err(|e| LocalError::CorruptData(e.to_string()))?;
        let name = path.file_name().map_or_else(
            || "amplify_outputs.json".into(),
            |name| name.to_string_lossy(),
        );
        let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        std::fs::write(&temporary, text + "\n")
            .and_then(|()| std::fs::rename(&temporary, path))
            .map_err(|source| {
                let _ = std::fs::remove_file(&temporary);
                LocalError::WriteOutputs {
                    path: path.to_path_buf(),
                    source,
                }
            })
    }

    /// Creates a confirmed user with a permanent password and attributes
    /// (for example `("email", "a@example.com")`).
    pub fn create_user(
        &self,
        username: &str,
        password: &str,
        attributes: &[(&str, &str)],
    ) -> Result<LocalUser, LocalError> {
        users::create_confirmed_user(
            &self.state.store,
            self.state.pool_name(),
            username,
            password,
            attributes,
            self.state.now(),
        )
    }

    /// Adds an existing user to a group, creating the group (no precedence,
    /// no role) if it does not exist yet; the user's next tokens carry it in
    /// `cognito:groups`. Adding a member twice changes nothing.
    pub fn add_user_to_group(&self, username: &str, group: &str) -> Result<(), LocalError> {
        let state = &self.state;
        user_pool::check_group_name(group)
            .map_err(|refused| LocalError::InvalidGroupName(refused.message))?;
        if state.store.user(username)?.is_none() {
            return Err(LocalError::UnknownUser(username.to_owned()));
        }
        if state.store.group(group)?.is_none() {
            let now = state.now();
            // A group created meanwhile by someone else is as good.
            let _ = user_pool::create_group(
                state,
                &crate::db::GroupRecord {
                    name: group.to_owned(),
                    description: None,
                    precedence: None,
                    role_arn: None,
                    created_at: now,
                    updated_at: now,
                },
            );
        }
        state.store.add_member(group, username)
    }

    /// Creates a user as `AdminCreateUser` with a `TemporaryPassword` does:
    /// status `FORCE_CHANGE_PASSWORD`, so that the first sign-in asks for a
    /// new password (`NEW_PASSWORD_REQUIRED`, or managed login's
    /// new-password page).
    pub fn create_user_with_temporary_password(
        &self,
        username: &str,
        temporary_password: &str,
        attributes: &[(&str, &str)],
    ) -> Result<LocalUser, LocalError> {
        users::create_user_with_status(
            &self.state.store,
            self.state.pool_name(),
            (username, temporary_password),
            attributes,
            crate::db::UserStatus::ForceChangePassword,
            self.state.now(),
        )
    }

    /// Gives a user a verified TOTP secret, enabled and preferred (as
    /// AssociateSoftwareToken, VerifySoftwareToken and SetUserMFAPreference
    /// would), and returns it (base32). With [`LocalOptions::mfa`] not off,
    /// the user's sign-ins then ask for a code ([`crate::totp_code`]).
    ///
    /// [`LocalOptions::mfa`]: crate::LocalOptions::mfa
    pub fn set_up_totp(&self, username: &str) -> Result<String, LocalError> {
        if self.state.store.user(username)?.is_none() {
            return Err(LocalError::UnknownUser(username.to_owned()));
        }
        let secret =
            crate::totp::new_secret().map_err(|e| LocalError::PasswordMaterial(e.to_string()))?;
        let mut mfa = self.state.store.mfa(username)?;
        mfa.totp_secret = Some(secret.clone());
        mfa.totp_pending = None;
        mfa.set_enabled(crate::MfaFactor::Totp, true);
        mfa.preferred = Some(crate::MfaFactor::Totp);
        self.state.store.save_mfa(username, &mfa)?;
        Ok(secret)
    }

    /// The latest `SignUp` confirmation code of a user, if one is pending.
    pub fn confirmation_code(&self, username: &str) -> Option<String> {
        self.state
            .store
            .user(username)
            .ok()
            .flatten()
            .and_then(|user| user.confirmation_code)
    }

    /// The code of a user's newest pending sign-in challenge: an SMS_MFA
    /// or EMAIL_OTP code, or the built-in CUSTOM_CHALLENGE's. Nothing is
    /// sent; the code is also logged and shown on the managed-login page.
    pub fn mfa_code(&self, username: &str) -> Option<String> {
        self.state
            .store
            .latest_challenge_code(username, self.state.now())
            .ok()
            .flatten()
    }

    /// The pending password-reset code of a user (ForgotPassword).
    pub fn password_reset_code(&self, username: &str) -> Option<String> {
        self.state
            .store
            .user_code(username, user_pool::RESET_PURPOSE)
            .ok()
            .flatten()
            .map(|record| record.code)
    }

    /// The pending verification code of a user's `email` or `phone_number`
    /// (UpdateUserAttributes, GetUserAttributeVerificationCode).
    pub fn attribute_verification_code(&self, username: &str, attribute: &str) -> Option<String> {
        self.state
            .store
            .user_code(username, &user_pool::verification_purpose(attribute))
            .ok()
            .flatten()
            .map(|record| record.code)
    }

    /// A user's TOTP secret (base32), once verified; with
    /// [`crate::totp_code`] a test answers SOFTWARE_TOKEN_MFA challenges.
    pub fn totp_secret(&self, username: &str) -> Option<String> {
        self.state
            .store
            .mfa(username)
            .ok()
            .and_then(|mfa| mfa.totp_secret)
    }

    /// How many requests named `X-Amz-Target: …<operation>`.
    pub fn operation_count(&self, operation: &str) -> u64 {
        self.state.operation_count(operation)
    }

    /// How many password proofs (password hashes and SRP claims) were
    /// checked. Unknown usernames cost a check as known ones do, so that
    /// answer times do not tell who exists.
    pub fn password_checks(&self) -> u64 {
        self.state.password_checks()
    }

    /// The clock every lifetime is checked against
    /// ([`LocalOptions::clock`]): tests freeze and move it instead of
    /// sleeping.
    pub fn clock(&self) -> &Clock {
        &self.state.clock
    }

    /// Stops [the clock](Self::clock) at its current reading, so that a test
    /// decides when time passes ([`LocalBackend::advance_clock`]).
    pub fn freeze_clock(&self) {
        self.state.clock.freeze();
    }

    /// Moves [the clock](Self::clock) forward (whether frozen or not), so
    /// that a test can let a token, a code, credentials or a lockout expire
    /// without waiting.
    pub fn advance_clock(&self, by: Duration) {
        self.state.clock.advance(by);
    }

    /// Stops serving and waits for in-flight requests to finish.
    pub async fn shutdown(mut self) {
        for stop in [self.stop.take(), self.s3_stop.take()]
            .into_iter()
            .flatten()
        {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
        let _ = (&mut self.s3_task).await;
    }
}
