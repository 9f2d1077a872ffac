//! Generates the demo's typed models from `amplify_models.json`: the `model_introspection` of amplify-local's
//! default schema (a test checks the file is still identical to it).

fn main() {
    if let Err(error) =
        amplify_ssr_codegen::write_models("amplify_models.json", "amplify_models.rs")
    {
        panic!("cannot generate the typed models: {error}");
    }
}
