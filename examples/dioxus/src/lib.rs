//! example-dioxus: the framework examples' pages (see `examples/README.md`) as a Dioxus 0.7 fullstack app,
//! server-rendered without hydration, on amplify-ssr through `amplify-ssr-dioxus`.
//!
//! `cargo run -p example-dioxus` starts an embedded amplify-local and serves the app on
//! <http://127.0.0.1:3002>. The binary is `src/main.rs`; [`start`] runs it in-process for the tests.

pub mod api;
pub mod pages;
#[cfg(feature = "server")]
mod server;

#[cfg(feature = "server")]
pub use server::{
    DEFAULT_PORT, ExampleOptions, PROTECTED_PAGES, RunningExample, StartError, start,
};
