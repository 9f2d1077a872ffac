//! Typed Rust models and model clients for [`amplify-ssr`], generated at build time from the
//! `data.model_introspection` of an `amplify_outputs.json`.
//!
//! For every model `Todo` the generated code has:
//!
//! * `Todo`: the item as the default selection set returns it (scalar, enum and custom-type
//!   fields, plus owner fields added by auth rules; relationships are left out);
//! * `TodoKey`: the primary key (partition key and sort keys), for `get` and `delete`;
//! * `CreateTodoInput`: required fields required, read-only fields (`createdAt`, `updatedAt`)
//!   left out, and `id` optional when the service generates it;
//! * `UpdateTodoInput`: the key required; every other writable field `None` = unchanged, and
//!   `Some(None)` = cleared for nullable fields;
//! * `TodoClient`: `create`, `get`, `update`, `delete`, `list` (only the operations the schema
//!   enables) and one method per secondary index (`list_todos_by_status(ctx, status,
//!   sort_key_condition, options)`), returning `ModelResult<Option<Todo>>` or
//!   `TypedListResult<Todo>`;
//! * a method `todo()` in the `TypedModels` extension trait of `amplify_ssr::data::DataClient`.
//!
//! Enums become Rust enums (with an `Unknown(String)` variant for values added after the build)
//! and custom types (`nonModels`) become structs. Field names are snake case with a
//! `#[serde(rename = "…")]` of the GraphQL name; keywords become raw identifiers (`r#type`).
//! Scalars: `ID`, `String` and the string-like `AWS*` scalars → `String`; `Int` and
//! `AWSTimestamp` → `i64`; `Float` → `f64`; `Boolean` → `bool`; `AWSJSON` (and any scalar this
//! crate does not know) → `serde_json::Value`.
//!
//! The generated code is hygienic: it names std and crate items by absolute path
//! (`::core::option::Option`, `::std::string::String`, `::amplify_ssr::data::…`), so models named
//! `Option`, `Result`, `String` or `Vec` shadow nothing it relies on; an accessor that would be
//! ambiguous with a prelude trait method (`into` for a model `Into`) gets a suffix (`into_2`).
//! A model without `primaryKeyInfo` is keyed by `id`, as upstream assumes.
//!
//! # Use from a build script
//!
//! ```toml
//! [dependencies]
//! amplify-ssr = "…"   # the generated code needs its `data` feature (on by default)
//! serde = { version = "1", features = ["derive"] }
//! serde_json = "1"
//!
//! [build-dependencies]
//! amplify-ssr-codegen = "…"
//! ```
//!
//! ```no_run
//! // build.rs: writes $OUT_DIR/amplify_models.rs and prints cargo:rerun-if-changed.
//! # #[allow(clippy::needless_doctest_main)]
//! fn main() {
//!     if let Err(error) =
//!         amplify_ssr_codegen::write_models("amplify_outputs.json", "amplify_models.rs")
//!     {
//!         panic!("generating the typed models: {error}");
//!     }
//! }
//! ```
//!
//! ```ignore
//! // src/models.rs
//! include!(concat!(env!("OUT_DIR"), "/amplify_models.rs"));
//!
//! // a handler
//! use crate::models::{CreateTodoInput, TypedModels};
//! let page = data.todo().list(&ctx, ListOptions::default()).await?;
//! for todo in &page.data { println!("{}", todo.content.as_deref().unwrap_or("")); }
//! let created = data.todo().create(&ctx, CreateTodoInput { content: Some("milk".into()), ..CreateTodoInput::new() }, ModelOptions::default()).await?;
//! ```
//!
//! The output is deterministic (models, types and fields are sorted) and is written only when it
//! changes, so that it does not trigger rebuilds by itself.
//!
//! [`amplify-ssr`]: https://docs.rs/amplify-ssr

mod emit;
mod naming;
mod schema;

// The README's examples run as doc tests, so the published README stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

use std::path::{Path, PathBuf};

use serde_json::Value;

/// Why code could not be generated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodegenError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file is not JSON.
    #[error("{path}: not valid JSON: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// The outputs file has no `data.model_introspection`.
    #[error("{0}: has no `data.model_introspection` (is the Amplify Data backend deployed?)")]
    NoIntrospection(PathBuf),
    /// The introspection document does not have the expected shape.
    #[error("invalid model_introspection at {0}")]
    Invalid(String),
    /// Two generated items would have the same Rust name.
    #[error("name collision in the generated code: {0}")]
    NameCollision(String),
}

/// Generates the Rust source for a `model_introspection` object (the value of
/// `data.model_introspection` in `amplify_outputs.json`).
pub fn generate(introspection: &Value) -> Result<String, CodegenError> {
    let schema = schema::Schema::parse(introspection)?;
    emit::generate(&schema)
}

/// Generates the Rust source from a file: an `amplify_outputs.json` (its
/// `data.model_introspection`), or a bare `model_introspection` document (an object with
/// `models`).
pub fn generate_from_outputs(path: impl AsRef<Path>) -> Result<String, CodegenError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|source| CodegenError::Io {
        path: path.to_owned(),
        source,
    })?;
    let document: Value = serde_json::from_str(&text).map_err(|source| CodegenError::Json {
        path: path.to_owned(),
        source,
    })?;
    let introspection = match document.pointer("/data/model_introspection") {
        Some(introspection) if !introspection.is_null() => introspection,
        _ if document.get("models").is_some() => &document,
        _ => return Err(CodegenError::NoIntrospection(path.to_owned())),
    };
    generate(introspection)
}

/// For build scripts: generates from `outputs_path` (see [`generate_from_outputs`]) and writes
/// the source to `out_file`, and prints `cargo:rerun-if-changed=<outputs_path>`.
///
/// A relative `out_file` is placed in `$OUT_DIR` when that is set (it is, in build scripts).
/// The file is left untouched when its content would not change. Returns the path written.
pub fn write_models(
    outputs_path: impl AsRef<Path>,
    out_file: impl AsRef<Path>,
) -> Result<PathBuf, CodegenError> {
    let outputs_path = outputs_path.as_ref();
    // Printed first, so that a fixed outputs file re-runs the build script after an error.
    println!("cargo:rerun-if-changed={}", outputs_path.display());
    let source = generate_from_outputs(outputs_path)?;
    let out_file = out_file.as_ref();
    let out_file = match std::env::var_os("OUT_DIR") {
        Some(out_dir) if out_file.is_relative() => Path::new(&out_dir).join(out_file),
        _ => out_file.to_owned(),
    };
    let io_error = |source| CodegenError::Io {
        path: out_file.clone(),
        source,
    };
    if std::fs::read_to_string(&out_file).ok().as_deref() != Some(source.as_str()) {
        if let Some(parent) = out_file.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io_error)?;
        }
        std::fs::write(&out_file, source).map_err(io_error)?;
    }
    Ok(out_file)
}

#[cfg(test)]
mod tests;
