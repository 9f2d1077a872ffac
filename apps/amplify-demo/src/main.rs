//! amplify-demo: a server-rendered app that shows amplify-ssr end to end.
//!
//! `cargo run --release -p amplify-demo` starts an embedded amplify-local (data in `.amplify-local/`) and serves
//! the app on <http://127.0.0.1:3000>. `--outputs FILE` points it at another backend instead.
//!
//! Several instances behind a load balancer: start one amplify-local, then each instance with `--outputs` (its
//! `amplify_outputs.json`), its own `--port`, the same `AMPLIFY_SSR_COOKIE_SECRET` and the same `--redis-url`.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use amplify_demo::DemoOptions;

/// Command-line options.
#[derive(Debug, Parser)]
#[command(
    version,
    about = "Server-rendered demo of amplify-ssr, backed by an embedded amplify-local by default"
)]
struct Cli {
    /// Port to serve the app on (127.0.0.1).
    #[arg(long, default_value_t = 3000, env = "PORT")]
    port: u16,
    /// The app's public origin, for managed-login redirects (default http://127.0.0.1:PORT).
    #[arg(long)]
    origin: Option<String>,
    /// Use this amplify_outputs.json (another backend) instead of starting the embedded amplify-local.
    #[arg(long)]
    outputs: Option<PathBuf>,
    /// Data directory of the embedded amplify-local.
    #[arg(long, default_value = ".amplify-local")]
    data: PathBuf,
    /// Seconds a client may take to send a request's headers; also how long an idle keep-alive connection
    /// stays open (default 10).
    #[arg(long, value_name = "SECONDS")]
    header_read_timeout: Option<u64>,
    /// Connections served at once; more wait until one closes (default 512).
    #[arg(long, value_name = "N")]
    max_connections: Option<usize>,
    /// A Redis (or Valkey) server shared by several demo instances (refreshes and sign-outs are shared); they
    /// also need one AMPLIFY_SSR_COOKIE_SECRET and one backend (`--outputs`).
    #[arg(long, value_name = "URL", env = "AMPLIFY_SSR_REDIS_URL")]
    redis_url: Option<String>,
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        // Colours only on a terminal: a log written to a file stays plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    if let Err(error) = run(Cli::parse()).await {
        eprintln!("amplify-demo: {error}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let mut options = DemoOptions::new(cli.data);
    options.port = cli.port;
    options.origin = cli.origin;
    options.outputs = cli.outputs;
    options.redis_url = cli.redis_url;
    if let Some(seconds) = cli.header_read_timeout {
        options.server_limits.header_read_timeout = Duration::from_secs(seconds.max(1));
    }
    if let Some(connections) = cli.max_connections {
        options.server_limits.max_connections = connections.max(1);
    }
    let demo = amplify_demo::start(options).await?;
    println!("amplify-demo: open {} (Ctrl-C to stop)", demo.origin);
    shutdown_signal().await;
    demo.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
