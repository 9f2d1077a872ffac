//! The embedded amplify-local every example runs on, its demo accounts, and the examples' command-line options.

use std::path::{Path, PathBuf};

use amplify_ssr::auth::routes::AuthRoutesOptions;
use amplify_ssr::{AmplifyConfig, ServerRunner};

/// The demo accounts created in the embedded backend: two, so each example shows that one user's todos and
/// files are invisible to the other.
pub const DEMO_USERS: [&str; 2] = ["alice@example.com", "bob@example.com"];
/// The demo accounts' password.
pub const DEMO_PASSWORD: &str = "Demo-passw0rd!";

/// Command-line options shared by the examples (`cargo run -p example-leptos -- --help`).
#[derive(Clone, Debug, clap::Parser)]
pub struct ExampleArgs {
    /// Port to serve the app on (127.0.0.1); each example has its own default.
    #[arg(long, env = "PORT")]
    pub port: Option<u16>,
    /// Data directory of the embedded amplify-local (default `.amplify-local/<example>`).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Preferred port of the embedded amplify-local (a free one is used when it is taken).
    #[arg(long, default_value_t = 0)]
    pub backend_port: u16,
}

impl ExampleArgs {
    /// Parses the command line, and sets up `tracing` output (`RUST_LOG`, default `info`).
    #[must_use]
    pub fn init() -> Self {
        tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
            )
            .init();
        <Self as clap::Parser>::parse()
    }

    /// The data directory: `--data`, or `.amplify-local/<example>`.
    #[must_use]
    pub fn data_dir(&self, example: &str) -> PathBuf {
        self.data
            .clone()
            .unwrap_or_else(|| Path::new(".amplify-local").join(example))
    }
}

/// A running embedded amplify-local, with the demo accounts created and managed login open to the app.
#[derive(Debug)]
pub struct EmbeddedBackend {
    /// The backend's `amplify_outputs.json`, parsed.
    pub config: AmplifyConfig,
    /// The backend itself (its clock, users and URLs are there for tests).
    pub backend: amplify_local::LocalBackend,
}

impl EmbeddedBackend {
    /// Starts amplify-local in `data_dir` (on `port` when free, else on any free port; 0 = any), lets
    /// `app_origin` (and its `localhost` twin) use managed login, and creates the demo accounts if missing.
    ///
    /// # Errors
    ///
    /// The backend cannot start, or its outputs cannot be written or parsed.
    pub async fn start(
        data_dir: &Path,
        port: u16,
        app_origin: &str,
    ) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let mut origins = vec![app_origin.to_owned()];
        if let Some(port) = app_origin.strip_prefix("http://127.0.0.1:") {
            origins.push(format!("http://localhost:{port}"));
        }
        let mut options =
            amplify_local::LocalOptions::new(data_dir.to_path_buf()).with_app_origins(origins);
        options.port = port;
        let backend = match amplify_local::LocalBackend::start(options.clone()).await {
            Ok(backend) => backend,
            Err(error) if port != 0 => {
                tracing::info!(%error, port, "port unavailable for amplify-local; using a free port");
                options.port = 0;
                amplify_local::LocalBackend::start(options).await?
            }
            Err(error) => return Err(error.into()),
        };
        for username in DEMO_USERS {
            let name = username.split('@').next().unwrap_or(username);
            match backend.create_user(
                username,
                DEMO_PASSWORD,
                &[("email", username), ("name", name)],
            ) {
                Ok(_) => tracing::info!(username, "created a demo account"),
                Err(error) => {
                    tracing::debug!(%error, "demo account not created (it probably exists)")
                }
            }
        }
        backend.write_outputs(&data_dir.join("amplify_outputs.json"))?;
        let config = AmplifyConfig::from_value(&backend.outputs())?;
        tracing::info!(url = %backend.base_url(), "embedded amplify-local is running");
        Ok(Self { config, backend })
    }

    /// A runner for an app served at `app_origin`.
    ///
    /// # Errors
    ///
    /// The origin is not a valid URL origin.
    pub fn runner(
        &self,
        app_origin: &str,
    ) -> Result<ServerRunner, amplify_ssr::config::ConfigError> {
        ServerRunner::builder(self.config.clone())
            .app_origin(app_origin)
            .build()
    }
}

/// The managed-login route options every example uses: back to `/` after sign-in (unless the visitor came from a
/// protected page, which `redirect_to` brings them back to) and after sign-out; failures to `/auth-error`.
#[must_use]
pub fn auth_routes_options() -> AuthRoutesOptions {
    AuthRoutesOptions::default()
        .with_redirect_on_sign_in_complete("/")
        .with_redirect_on_sign_out_complete("/")
        .with_error_redirect("/auth-error")
}
