//! amplify-demo as a library, so its routes can be tested in-process. The binary is `src/main.rs`.

pub mod app;
mod assets;
mod files;
mod html;
mod models;
mod problem;
pub mod server;
pub mod summary;
mod todos;

pub use server::{DemoOptions, RunningDemo, start};
