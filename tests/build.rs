//! Generates typed models with `amplify-ssr-codegen` for `tests/typed_models.rs`, the
//! compile-time check of the generator against the real `amplify_ssr::data` API:
//!
//! * `$OUT_DIR/amplify_models.rs` from `fixtures/amplify_outputs.json`;
//! * `$OUT_DIR/edge_case_models.rs` from `fixtures/model_introspection_edge_cases.json`
//!   (keywords, clashing and non-identifier names, a recursive custom type, disabled
//!   operations), which only has to compile;
//! * `$OUT_DIR/hygiene_models.rs` from `fixtures/amplify_outputs_placeholder_hygiene.json`: models
//!   named `Result`, `Option`, `String`, `Vec`, `Box`, `Error`, `Value`, `Client` and `Self_` (one
//!   without `primaryKeyInfo`), in an outputs file whose other sections are placeholders;
//! * `$OUT_DIR/custom_operations.rs` from `fixtures/custom_operations.json` (amplify-local's default models
//!   plus custom queries and a mutation) for `tests/typed_operations.rs`.

fn main() {
    for (input, output) in [
        ("fixtures/amplify_outputs.json", "amplify_models.rs"),
        (
            "fixtures/model_introspection_edge_cases.json",
            "edge_case_models.rs",
        ),
        (
            "fixtures/amplify_outputs_placeholder_hygiene.json",
            "hygiene_models.rs",
        ),
        ("fixtures/custom_operations.json", "custom_operations.rs"),
    ] {
        if let Err(error) = amplify_ssr_codegen::write_models(input, output) {
            panic!("generating typed models from {input}: {error}");
        }
    }
}
