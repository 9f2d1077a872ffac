//! amplify-ssr with actix-web 4: the pages of `examples/README.md` (a public page showing the signed-in user, a
//! protected page, managed login, a per-user todo list through the typed Data client, a file list with
//! presigned URLs), server-rendered, with forms that work without JavaScript. Run it with
//! `cargo run -p example-actix` (port 3003).
//!
//! actix-web runs its own runtime, so [`start`] serves the app on a thread of its own (its own actix system),
//! while the embedded amplify-local runs on the caller's tokio runtime: a tokio test or `main` can start, use
//! and stop it.

mod app;
mod upload;

use std::net::TcpListener;

use amplify_examples_support::EmbeddedBackend;

/// The port the example serves on by default.
pub const DEFAULT_PORT: u16 = 3003;

pub use amplify_examples_support::{ExampleOptions, RunningExample, StartError};

/// Starts the embedded backend and the app, and returns once the app listens.
///
/// # Errors
///
/// The port is taken, or the backend cannot start.
pub async fn start(options: ExampleOptions) -> Result<RunningExample, StartError> {
    let listener = TcpListener::bind(("127.0.0.1", options.port)).map_err(|e| {
        format!(
            "cannot listen on 127.0.0.1:{}: {e} (is another server using the port? try --port)",
            options.port
        )
    })?;
    let url = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
    let origin = url.clone();
    let backend = EmbeddedBackend::start(&options.data_dir, options.backend_port, &origin).await?;
    let state = app::AppState::new(backend.runner(&origin)?)?;

    let (ready, started) = tokio::sync::oneshot::channel();
    let thread = std::thread::Builder::new()
        .name("example-actix".to_owned())
        .spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = actix_web::HttpServer::new(move || app::app(state.clone()))
                    .workers(2)
                    .disable_signals()
                    .listen(listener)?
                    .run();
                let _ = ready.send(server.handle());
                server.await
            })
        })?;
    let Ok(server) = started.await else {
        // The thread ended before serving: its result says why.
        let error = match thread.join() {
            Ok(Err(error)) => error.to_string(),
            _ => "the actix-web server thread ended before serving".to_owned(),
        };
        backend.backend.shutdown().await;
        return Err(error.into());
    };
    tracing::info!(%url, "example-actix is listening");
    Ok(RunningExample::new(url, backend, move || async move {
        server.stop(true).await;
        match tokio::task::spawn_blocking(move || thread.join()).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(error))) => {
                tracing::warn!(%error, "the actix-web server stopped with an error");
            }
            _ => tracing::warn!("the actix-web server thread panicked"),
        }
    }))
}
