//! Running an example: its options, the running app with its backend, serving an axum-based app (axum, Leptos,
//! Dioxus), and the binaries' `main`.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;

use amplify_local::http_server::{self, ServerLimits};
use amplify_ssr::ServerRunner;
use amplify_ssr::auth::routes::AuthRoutes;

use crate::backend::{EmbeddedBackend, ExampleArgs, auth_routes_options};

/// Why an example could not start (a taken port, a backend that cannot start): shown to the user as is.
pub type StartError = Box<dyn std::error::Error + Send + Sync>;

/// How to run an example.
#[derive(Clone, Debug)]
pub struct ExampleOptions {
    /// Port on 127.0.0.1 (0 = any free port).
    pub port: u16,
    /// Data directory of the embedded amplify-local.
    pub data_dir: PathBuf,
    /// Preferred port of the embedded amplify-local (0 = any free port).
    pub backend_port: u16,
}

impl ExampleOptions {
    /// Any free port for the app and for the backend, whose data goes to `data_dir` (what tests want).
    #[must_use]
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            port: 0,
            data_dir: data_dir.into(),
            backend_port: 0,
        }
    }

    /// From the command line: `--port` or `default_port`, `--data` or `.amplify-local/<example>`.
    #[must_use]
    pub fn from_args(args: &ExampleArgs, example: &str, default_port: u16) -> Self {
        Self {
            port: args.port.unwrap_or(default_port),
            data_dir: args.data_dir(example),
            backend_port: args.backend_port,
        }
    }
}

type Stop = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// A running example and its embedded backend.
pub struct RunningExample {
    /// The URL the app listens on, e.g. `http://127.0.0.1:3001`.
    pub url: String,
    /// The app's origin (managed-login redirects, the same-origin rule): the same as `url`.
    pub origin: String,
    backend: EmbeddedBackend,
    stop: Stop,
}

impl std::fmt::Debug for RunningExample {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningExample")
            .field("url", &self.url)
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl RunningExample {
    /// An app serving at `url` on `backend`; `stop` stops its server (gracefully) when the example shuts down.
    pub fn new<F, Fut>(url: String, backend: EmbeddedBackend, stop: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Self {
            origin: url.clone(),
            url,
            backend,
            stop: Box::new(move || Box::pin(stop())),
        }
    }

    /// The embedded amplify-local (its clock, users and counters are there for tests).
    #[must_use]
    pub fn backend(&self) -> &amplify_local::LocalBackend {
        &self.backend.backend
    }

    /// Stops the app's server (letting requests in flight finish), then the backend.
    pub async fn shutdown(self) {
        (self.stop)().await;
        self.backend.backend.shutdown().await;
    }
}

/// Starts an example served by axum (axum itself, Leptos, Dioxus): listens on 127.0.0.1 at `options.port`, starts
/// the embedded backend for that origin, builds the app with `app(runner, auth_routes)` and serves it with
/// amplify-local's HTTP server (header-read timeout, request deadline, connection cap).
///
/// # Errors
///
/// The port is taken, the backend cannot start, or `app` fails.
pub async fn serve_axum<F>(
    name: &str,
    options: ExampleOptions,
    app: F,
) -> Result<RunningExample, StartError>
where
    F: FnOnce(ServerRunner, AuthRoutes) -> Result<axum::Router, StartError>,
{
    let limits = ServerLimits::default();
    let addr = SocketAddr::from(([127, 0, 0, 1], options.port));
    let listener = http_server::listen(addr, limits.backlog).map_err(|e| {
        format!("cannot listen on {addr}: {e} (is another server using the port? try --port)")
    })?;
    let url = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
    let backend = EmbeddedBackend::start(&options.data_dir, options.backend_port, &url).await?;
    let runner = backend.runner(&url)?;
    let auth_routes = AuthRoutes::new(runner.clone(), auth_routes_options())?;
    let router = app(runner, auth_routes)?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        http_server::serve(listener, router, &limits, async {
            let _ = stopped.await;
        })
        .await;
    });
    tracing::info!(%url, "{name} is listening");
    Ok(RunningExample::new(url, backend, move || async move {
        let _ = stop.send(());
        let _ = server.await;
    }))
}

/// The examples' `main`: reads the command line, starts the example with `start`, says where it is, and stops it
/// on Ctrl-C. Exits with status 1 when it cannot start.
pub async fn run_until_ctrl_c<F, Fut>(example: &str, default_port: u16, start: F)
where
    F: FnOnce(ExampleOptions) -> Fut,
    Fut: Future<Output = Result<RunningExample, StartError>>,
{
    let args = ExampleArgs::init();
    let running = match start(ExampleOptions::from_args(&args, example, default_port)).await {
        Ok(running) => running,
        Err(error) => {
            eprintln!("example-{example}: {error}");
            std::process::exit(1);
        }
    };
    println!(
        "example-{example}: open {} (demo accounts {} and {}, password {}; Ctrl-C stops it)",
        running.url,
        crate::DEMO_USERS[0],
        crate::DEMO_USERS[1],
        crate::DEMO_PASSWORD
    );
    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("example-{example}: cannot wait for Ctrl-C ({error}); stopping");
    }
    running.shutdown().await;
}
