//! `cargo run -p example-axum`: the axum example on the embedded amplify-local, at <http://127.0.0.1:3004>.

#[tokio::main]
async fn main() {
    amplify_examples_support::run_until_ctrl_c(
        "axum",
        example_axum::DEFAULT_PORT,
        example_axum::start,
    )
    .await;
}
