//! `cargo run -p example-actix`: the actix-web example on the embedded amplify-local, until Ctrl-C.

#[tokio::main]
async fn main() {
    amplify_examples_support::run_until_ctrl_c(
        "actix",
        example_actix::DEFAULT_PORT,
        example_actix::start,
    )
    .await;
}
