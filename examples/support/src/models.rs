//! Typed models generated at build time (see `build.rs`): `Todo`, `CreateTodoInput`, `client.todo()`, ...

// The generated API is complete; the examples use part of it.
#![allow(dead_code, unreachable_pub, missing_docs)]

include!(concat!(env!("OUT_DIR"), "/amplify_models.rs"));
