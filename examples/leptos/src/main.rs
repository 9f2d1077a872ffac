//! `cargo run -p example-leptos`: the Leptos example on the embedded amplify-local, on
//! <http://127.0.0.1:3001> (`--port`, `--data`, `--backend-port`; see `--help`).

#[tokio::main]
async fn main() {
    amplify_examples_support::run_until_ctrl_c(
        "leptos",
        example_leptos::DEFAULT_PORT,
        example_leptos::start,
    )
    .await;
}
