//! The Rust server of the side-by-side benchmark (`scripts/bench-vs-node`), with the routes of the perf-anchor
//! harness's Node servers:
//!
//! - `GET /public`: a trivial page, no Amplify work;
//! - `GET /mw-noop`: the same page through `AmplifyLayer` (a context per request, no session read);
//! - `GET /protected`: the page behind `RequireAuthLayer` (the session's tokens verified against the JWKS, with
//!   Cognito's claim rules), else a redirect to `/sign-in`;
//! - `GET /sign-in`: a trivial page.
//!
//! The JWKS comes from the harness's `fixtures.json` and is served by this process on a loopback port of its
//! own, so nothing goes to the network. The runner is what an application would build from the same
//! `amplify_outputs.json`, with the JWKS address overridden.

use amplify_ssr::axum::{AmplifyLayer, RequireAuthLayer};
use amplify_ssr::{AmplifyConfig, ServerRunner};
use axum::Router;
use axum::response::Html;
use axum::routing::get;
use clap::Parser;

/// The command line (the harness's contract: `servers/extra/*.sh`).
#[derive(Debug, Parser)]
#[command(about = "amplify-ssr's server for the perf-anchor side-by-side benchmark")]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on.
    #[arg(long)]
    port: u16,
    /// The harness's fixtures.json (its `config` and `jwks`).
    #[arg(long)]
    jwks_from: std::path::PathBuf,
    /// Tokio worker threads.
    #[arg(long, default_value_t = 1)]
    threads: usize,
}

const PAGE: &str = "<!doctype html><title>ok</title><p>ok</p>";

async fn page() -> Html<&'static str> {
    Html(PAGE)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let fixtures: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&args.jwks_from)
            .map_err(|e| format!("cannot read {}: {e}", args.jwks_from.display()))?,
    )?;
    let config = AmplifyConfig::from_value(&fixtures["config"])?;
    let jwks = fixtures["jwks"].clone();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()?
        .block_on(serve(args, config, jwks))
}

async fn serve(
    args: Args,
    config: AmplifyConfig,
    jwks: serde_json::Value,
) -> Result<(), Box<dyn std::error::Error>> {
    // The JWKS on a loopback port of this process: fetched once, on the first protected request.
    let jwks_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let jwks_url = format!("http://{}/jwks.json", jwks_listener.local_addr()?);
    let jwks_app = Router::new().route(
        "/jwks.json",
        get(move || {
            let jwks = jwks.clone();
            async move { axum::Json(jwks) }
        }),
    );
    tokio::spawn(async move { axum::serve(jwks_listener, jwks_app).await });

    let runner = ServerRunner::builder(config)
        .ignore_env()
        .jwks_url(&jwks_url)
        .build()?;
    let amplified = Router::new()
        .route("/protected", get(page))
        .route_layer(RequireAuthLayer::new())
        .route("/mw-noop", get(page))
        .route("/sign-in", get(page))
        .layer(AmplifyLayer::new(runner).sign_in_path("/sign-in"));
    let app = Router::new().route("/public", get(page)).merge(amplified);
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port)).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
