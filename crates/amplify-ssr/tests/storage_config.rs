//! The storage endpoint override: outputs block, environment variable and builder, later ones winning.

use amplify_ssr::config::ENV_STORAGE_ENDPOINT;
use amplify_ssr::{AmplifyConfig, ServerRunner};

const OUTPUTS: &str = r#"{"version":"1.4","storage":{"bucket_name":"bkt","aws_region":"us-east-1"},
    "custom":{"amplify_ssr":{"version":1,"endpoints":{"storage":"http://127.0.0.1:9000"}}}}"#;

#[test]
fn the_storage_endpoint_comes_from_outputs_env_and_builder() {
    let mut config = AmplifyConfig::from_json(OUTPUTS).expect("config");
    assert_eq!(
        config.storage_endpoint().unwrap().unwrap().as_str(),
        "http://127.0.0.1:9000/"
    );
    config
        .apply_env_from(|name| {
            (name == ENV_STORAGE_ENDPOINT).then(|| "http://127.0.0.1:9001".to_owned())
        })
        .expect("env");
    assert_eq!(
        config.storage_endpoint().unwrap().unwrap().as_str(),
        "http://127.0.0.1:9001/"
    );
    let runner = ServerRunner::builder(config)
        .ignore_env()
        .storage_endpoint("http://localhost:9002")
        .build()
        .expect("runner");
    assert_eq!(
        runner
            .config()
            .storage_endpoint()
            .unwrap()
            .unwrap()
            .as_str(),
        "http://localhost:9002/"
    );
    assert_eq!(AmplifyConfig::default().storage_endpoint().unwrap(), None);

    let bad = AmplifyConfig::from_json(&OUTPUTS.replace("http://127.0.0.1:9000", "127.0.0.1:9000"))
        .unwrap_err();
    assert!(bad.to_string().contains("endpoints.storage"), "{bad}");
    let err = ServerRunner::builder(AmplifyConfig::default())
        .ignore_env()
        .storage_endpoint("ftp://x")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("ftp://x"), "{err}");
    let mut config = AmplifyConfig::default();
    let err = config
        .apply_env_from(|name| (name == ENV_STORAGE_ENDPOINT).then(|| "nope".to_owned()))
        .unwrap_err();
    assert!(err.to_string().contains(ENV_STORAGE_ENDPOINT), "{err}");
}
