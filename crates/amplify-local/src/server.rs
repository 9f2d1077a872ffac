//! Start-up, routing and shutdown.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::{get, post};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::clients::Clients;
use crate::db::Store;
use crate::keys::SigningKey;
use crate::state::AppState;
use crate::users::{self, LocalUser};
use crate::{IssuerMode, LocalError, LocalOptions, cors, oauth, outputs, user_pool, well_known};

/// The routes of the backend: the Cognito user-pool API on `POST /`, the
/// well-known documents, and managed login / OAuth 2.0 / OIDC (`/login`,
/// `/signup`, `/oauth2/*`, `/logout`), with permissive CORS. Merge more
/// routes into the returned router to serve them on the same port.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", post(user_pool::handle))
        .route(
            "/.well-known/openid-configuration",
            get(well_known::root_openid_configuration),
        )
        .merge(oauth::routes())
        .route("/{pool_id}/.well-known/jwks.json", get(well_known::jwks))
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(well_known::openid_configuration),
        )
        .with_state(state)
        .layer(axum::middleware::from_fn(cors::cors))
}

/// A running backend. Dropping it without [`LocalBackend::shutdown`] leaves
/// the server task running until the runtime stops.
#[derive(Debug)]
pub struct LocalBackend {
    state: Arc<AppState>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl LocalBackend {
    /// Opens (or creates) the data directory, loads or creates the pool,
    /// client and signing key, and starts serving on 127.0.0.1.
    pub async fn start(options: LocalOptions) -> Result<LocalBackend, LocalError> {
        let data_dir = options.data_dir.clone();
        let origins = options.app_origins.clone();
        let confidential = options.confidential_client;
        let providers = options.oidc_providers.clone();
        for origin in &origins {
            crate::clients::check_origin(origin)?;
        }
        let (store, key, user_pool_id, client_id, clients) =
            tokio::task::spawn_blocking(move || {
                let store = Store::open(&data_dir)?;
                let (pool_id, client_id) = users::pool_identity(&store)?;
                let key = SigningKey::load_or_create(&store)?;
                let clients = Clients::load(&store, &origins, confidential, &providers)?;
                Ok::<_, LocalError>((store, key, pool_id, client_id, clients))
            })
            .await
            .map_err(|_| LocalError::Task)??;

        let listener = TcpListener::bind(("127.0.0.1", options.port))
            .await
            .map_err(|source| LocalError::Bind {
                port: options.port,
                source,
            })?;
        let port = listener
            .local_addr()
            .map_err(|source| LocalError::Bind {
                port: options.port,
                source,
            })?
            .port();
        let base_url = format!("http://127.0.0.1:{port}");
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
            counters: Mutex::new(HashMap::new()),
        });
        let app = router(Arc::clone(&state));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
            if let Err(error) = served {
                tracing::error!(%error, "server stopped with an error");
            }
        });
        tracing::info!(
            base_url = %state.base_url,
            user_pool_id = %state.user_pool_id,
            client_id = %state.client_id,
            "amplify-local is listening"
        );
        Ok(LocalBackend {
            state,
            stop: Some(stop),
            task,
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

    /// The `iss` claim this backend writes.
    pub fn issuer(&self) -> &str {
        &self.state.issuer
    }

    /// The `amplify_outputs.json` document for this backend.
    pub fn outputs(&self) -> Value {
        outputs::outputs(&self.state)
    }

    /// Writes [`LocalBackend::outputs`] (pretty-printed) to `path`.
    pub fn write_outputs(&self, path: &Path) -> Result<(), LocalError> {
        let text = serde_json::to_string_pretty(&self.outputs())
            .map_err(|e| LocalError::CorruptData(e.to_string()))?;
        std::fs::write(path, text + "\n").map_err(|source| LocalError::WriteOutputs {
            path: path.to_path_buf(),
            source,
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
        )
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

    /// How many requests named `X-Amz-Target: …<operation>`.
    pub fn operation_count(&self, operation: &str) -> u64 {
        self.state.operation_count(operation)
    }

    /// Stops serving and waits for in-flight requests to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}
