//! Generates the typed models from the demo's `amplify_models.json` (amplify-local's default schema), so every
//! example uses the same `Todo` types as the demo.

fn main() {
    if let Err(error) = amplify_ssr_codegen::write_models(
        "../../apps/amplify-demo/amplify_models.json",
        "amplify_models.rs",
    ) {
        panic!("cannot generate the typed models: {error}");
    }
}
