//! Starting the demo: the embedded backend (or another one), the runner, managed login and the HTTP server.

use std::net::SocketAddr;
use std::path::PathBuf;

use amplify_local::http_server::{self, ServerLimits};
use amplify_ssr::auth::routes::{AuthRoutes, AuthRoutesOptions};
use amplify_ssr::{AmplifyConfig, ServerRunner};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::app;

/// How to run the demo.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct DemoOptions {
    /// Port on 127.0.0.1 (0 = any free port).
    pub port: u16,
    /// The app's public origin; default `http://127.0.0.1:<port>`.
    pub origin: Option<String>,
    /// Use this `amplify_outputs.json` instead of the embedded amplify-local.
    pub outputs: Option<PathBuf>,
    /// Data directory of the embedded amplify-local.
    pub data_dir: PathBuf,
    /// Preferred port of the embedded amplify-local (a free one is used when it is taken).
    pub backend_port: u16,
    /// Header-read timeout, request deadline, connection cap and listen backlog of the app's server.
    pub server_limits: ServerLimits,
    /// A Redis (or Valkey) server shared with the demo's other instances (refreshes, sign-outs); without it,
    /// `AMPLIFY_SSR_REDIS_URL` is read.
    pub redis_url: Option<String>,
    /// How long one Redis call may take (the library's default, 250 ms, without it).
    pub store_timeout: Option<std::time::Duration>,
    /// The cookie encryption key shared by the instances; without it, `AMPLIFY_SSR_COOKIE_SECRET` is read (and a
    /// random key drawn when that is unset too).
    pub cookie_key: Option<amplify_ssr::secret::CookieEncryptionKey>,
}

impl DemoOptions {
    /// Defaults: port 3000, embedded amplify-local in `data_dir` on port 4000.
    #[must_use]
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            port: 3000,
            origin: None,
            outputs: None,
            data_dir: data_dir.into(),
            backend_port: 4000,
            server_limits: ServerLimits::default(),
            redis_url: None,
            store_timeout: None,
            cookie_key: None,
        }
    }
}

/// A running demo.
#[derive(Debug)]
pub struct RunningDemo {
    /// The URL the server listens on, e.g. `http://127.0.0.1:3000`.
    pub url: String,
    /// The app origin used for managed-login redirects.
    pub origin: String,
    backend: Option<amplify_local::LocalBackend>,
    stop: Option<oneshot::Sender<()>>,
    server: JoinHandle<()>,
}

impl RunningDemo {
    /// The embedded amplify-local, when the demo runs on it.
    #[must_use]
    pub fn backend(&self) -> Option<&amplify_local::LocalBackend> {
        self.backend.as_ref()
    }

    /// Stops the HTTP server (gracefully) and the embedded backend.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.server).await;
        if let Some(backend) = self.backend.take() {
            backend.shutdown().await;
        }
    }
}

/// Starts the demo and returns once it is listening.
///
/// # Errors
///
/// The port is taken, the outputs file is invalid, or the embedded backend cannot start.
pub async fn start(options: DemoOptions) -> Result<RunningDemo, Box<dyn std::error::Error>> {
    let addr = SocketAddr::from(([127, 0, 0, 1], options.port));
    let listener = http_server::listen(addr, options.server_limits.backlog).map_err(|e| {
        format!("cannot listen on {addr}: {e} (is another server using the port? try --port)")
    })?;
    let port = listener.local_addr()?.port();
    let url = format!("http://127.0.0.1:{port}");
    let origin = options.origin.clone().unwrap_or_else(|| url.clone());

    let (config, backend) = match &options.outputs {
        Some(path) => (AmplifyConfig::from_path(path)?, None),
        None => {
            let mut origins = vec![origin.clone()];
            if origin == url {
                origins.push(format!("http://localhost:{port}"));
            }
            let (config, backend) =
                app::start_embedded_backend(&options.data_dir, options.backend_port, origins, &url)
                    .await?;
            (config, Some(backend))
        }
    };
    let mut builder = ServerRunner::builder(config).app_origin(&origin);
    if let Some(url) = &options.redis_url {
        builder = builder.redis_url(url);
    }
    if let Some(timeout) = options.store_timeout {
        builder = builder.store_timeout(timeout);
    }
    if let Some(key) = &options.cookie_key {
        builder = builder.cookie_encryption_key(key.clone());
    }
    let runner = builder.build()?;
    let auth_routes = match AuthRoutes::new(
        runner.clone(),
        AuthRoutesOptions::default()
            .with_redirect_on_sign_in_complete("/dashboard")
            .with_redirect_on_sign_out_complete("/")
            .with_error_redirect("/auth-error"),
    ) {
        Ok(routes) => Some(routes),
        Err(error) => {
            tracing::warn!(%error, "managed login is not available; only the password form signs in");
            None
        }
    };
    let hints = backend.as_ref().map(app::DemoHints::from_backend);
    let router = app::router(runner, auth_routes, hints);
    let (stop, stopped) = oneshot::channel::<()>();
    let limits = options.server_limits.clone();
    let server = tokio::spawn(async move {
        http_server::serve(listener, router, &limits, async {
            let _ = stopped.await;
        })
        .await;
    });
    tracing::info!(%url, %origin, "amplify-demo is listening");
    Ok(RunningDemo {
        url,
        origin,
        backend,
        stop: Some(stop),
        server,
    })
}
