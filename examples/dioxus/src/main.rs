//! `cargo run -p example-dioxus`: the Dioxus example on an embedded amplify-local, on
//! <http://127.0.0.1:3002> (`--port`, `--data`, `--backend-port`; `--help`).

#[cfg(feature = "server")]
#[tokio::main]
async fn main() {
    amplify_examples_support::run_until_ctrl_c(
        "dioxus",
        example_dioxus::DEFAULT_PORT,
        example_dioxus::start,
    )
    .await;
}

/// With `web` instead of `server`, this crate is the hydrating client, which `dx` builds for the browser.
#[cfg(all(feature = "web", not(feature = "server")))]
fn main() {
    dioxus::launch(example_dioxus::pages::App);
}

#[cfg(not(any(feature = "server", feature = "web")))]
fn main() {
    eprintln!(
        "example-dioxus: build it with the `server` feature (the default), or with `web` through `dx`"
    );
    std::process::exit(2);
}
