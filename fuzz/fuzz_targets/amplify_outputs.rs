//! The `amplify_outputs.json` parser (Gen 2 and legacy Gen 1 `aws-exports` shapes), and everything the library
//! derives from a parsed configuration without a network call: the endpoints, a `ServerRunner`, the Data client's
//! model introspection and the GraphQL documents of every model operation.
//!
//! Input: the file's text. The part after the first NUL, if any, is a list of `;`-separated selection-set paths
//! tried on every model.
#![no_main]

use std::sync::OnceLock;

use amplify_ssr::data::ModelOperation;
use amplify_ssr::{AmplifyConfig, DataClient, ServerRunner};
use libfuzzer_sys::fuzz_target;

/// One HTTP client for every runner (building one loads the TLS roots).
fn http() -> reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(reqwest::Client::new).clone()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (document, paths) = text.split_once('\0').unwrap_or((text, ""));
    let Ok(config) = AmplifyConfig::from_json(document) else {
        return;
    };
    assert_eq!(config.clone(), config);
    let _ = format!("{config:?}");
    let _ = config.storage_endpoint();
    if let Ok(auth) = config.auth() {
        let _ = (auth.pool_name(), auth.identity_pool_region());
        let _ = config.user_pool_endpoint();
        let _ = config.identity_pool_endpoint();
        let _ = config.oauth_base_url();
        let _ = config.token_issuer();
        let _ = config.jwks_url();
    }

    let Ok(runner) = ServerRunner::builder(config)
        .ignore_env()
        .http_client(http())
        .build()
    else {
        return;
    };
    let Ok(client) = DataClient::new(&runner) else {
        return;
    };
    let paths: Vec<&str> = paths.split(';').filter(|p| !p.is_empty()).collect();
    let names: Vec<String> = client.model_names().map(str::to_owned).collect();
    for name in names {
        let model = client.model(&name).expect("listed model");
        let mut operations = vec![
            ModelOperation::Create,
            ModelOperation::Get,
            ModelOperation::Update,
            ModelOperation::Delete,
            ModelOperation::List,
        ];
        operations.extend(
            model
                .definition()
                .indexes
                .iter()
                .map(|index| ModelOperation::IndexQuery(index.query_field.clone())),
        );
        for operation in operations {
            let _ = model.document(operation.clone(), None);
            if !paths.is_empty() {
                let _ = model.document(operation, Some(&paths));
            }
        }
    }
});
