//! Typed models generated at build time from `amplify_models.json` by `amplify-ssr-codegen` (see `build.rs`):
//! `Todo`, `CreateTodoInput`, `client.todo().list(..)`, ... are checked by the compiler.

// The generated API is complete; the demo uses part of it.
#![allow(dead_code, unreachable_pub)]

include!(concat!(env!("OUT_DIR"), "/amplify_models.rs"));
