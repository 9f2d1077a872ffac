use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

/// Appendix A of the adapter reference.
const APPENDIX_A: &str = r#"{
  "version": "1.4",
  "auth": {
    "aws_region": "us-east-1",
    "user_pool_id": "us-east-1_AbCdEf123",
    "user_pool_client_id": "1example23456789",
    "identity_pool_id": "us-east-1:11111111-2222-3333-4444-555555555555",
    "unauthenticated_identities_enabled": true,
    "oauth": {
      "identity_providers": ["GOOGLE", "SIGN_IN_WITH_APPLE"],
      "domain": "myapp.auth.us-east-1.amazoncognito.com",
      "scopes": ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
      "redirect_sign_in_uri": ["http://localhost:3000/api/auth/sign-in-callback", "https://app.example.com/api/auth/sign-in-callback"],
      "redirect_sign_out_uri": ["http://localhost:3000/api/auth/sign-out-callback", "https://app.example.com/api/auth/sign-out-callback"],
      "response_type": "code"
    },
    "username_attributes": ["email"]
  },
  "data": {
    "url": "https://abc.appsync-api.us-east-1.amazonaws.com/graphql",
    "aws_region": "us-east-1",
    "api_key": "da2-xxxx",
    "default_authorization_type": "AMAZON_COGNITO_USER_POOLS",
    "authorization_types": ["API_KEY", "AWS_IAM"],
    "model_introspection": { "version": 1, "models": { "Todo": { "name": "Todo", "pluralName": "Todos", "fields": { "id": {"name":"id","type":"ID","isArray":false,"isRequired":true}, "content": {"name":"content","type":"String","isArray":false,"isRequired":false}, "createdAt": {"name":"createdAt","type":"AWSDateTime","isArray":false,"isRequired":false,"isReadOnly":true} }, "attributes": [{"type":"model","properties":{}}, {"type":"auth","properties":{"rules":[{"provider":"userPools","ownerField":"owner","allow":"owner","identityClaim":"cognito:username","operations":["create","update","delete","read"]}]}}], "primaryKeyInfo": {"isCustomPrimaryKey": false, "primaryKeyFieldName": "id", "sortKeyFieldNames": []} } }, "enums": {}, "nonModels": {} }
  },
  "storage": {
    "aws_region": "us-east-1",
    "bucket_name": "myapp-media-bucket",
    "buckets": [
      { "name": "media", "bucket_name": "myapp-media-bucket", "aws_region": "us-east-1",
        "paths": { "public/*": { "guest": ["get", "list"], "authenticated": ["get", "list", "write", "delete"] },
                   "protected/{entity_id}/*": { "authenticated": ["get", "list"], "entityidentity": ["get", "list", "write", "delete"] } } }
    ]
  }
}"#;

fn appendix_a() -> Value {
    serde_json::from_str(APPENDIX_A).unwrap()
}

/// Parses `value` after applying `edit`, expecting an `Invalid` error; returns (path, message).
fn invalid(edit: impl FnOnce(&mut Value)) -> (String, String) {
    let mut value = appendix_a();
    edit(&mut value);
    let error = AmplifyConfig::from_value(&value).unwrap_err();
    let message = error.to_string();
    let path = error
        .path()
        .unwrap_or_else(|| panic!("no path in {message}"))
        .to_owned();
    assert!(message.contains("fix:"), "{message}");
    (path, message)
}

#[test]
fn parses_appendix_a() {
    let config = AmplifyConfig::from_json(APPENDIX_A).unwrap();
    let auth = config.auth().unwrap();
    assert_eq!(auth.user_pool_id, "us-east-1_AbCdEf123");
    assert_eq!(auth.pool_name(), "AbCdEf123");
    assert_eq!(auth.region, "us-east-1");
    assert_eq!(auth.user_pool_client_id, "1example23456789");
    assert_eq!(
        auth.identity_pool_id.as_deref(),
        Some("us-east-1:11111111-2222-3333-4444-555555555555")
    );
    assert_eq!(auth.identity_pool_region(), Some("us-east-1"));
    assert!(auth.allow_guest_access);
    assert_eq!(auth.username_attributes, [UsernameAttribute::Email]);
    let oauth = auth.oauth.as_ref().unwrap();
    assert_eq!(oauth.domain, "myapp.auth.us-east-1.amazoncognito.com");
    assert_eq!(
        oauth.scopes,
        [
            "openid",
            "email",
            "profile",
            "aws.cognito.signin.user.admin"
        ]
    );
    assert_eq!(oauth.redirect_sign_in.len(), 2);
    assert_eq!(
        oauth.redirect_sign_out[1],
        "https://app.example.com/api/auth/sign-out-callback"
    );
    assert_eq!(oauth.response_type, OAuthResponseType::Code);
    assert_eq!(
        oauth.identity_providers,
        [IdentityProvider::Google, IdentityProvider::Apple]
    );
    assert_eq!(
        oauth.identity_providers[1].cognito_name(),
        "SignInWithApple"
    );

    let data = config.data.as_ref().unwrap();
    assert_eq!(
        data.url.as_str(),
        "https://abc.appsync-api.us-east-1.amazonaws.com/graphql"
    );
    assert_eq!(data.region, "us-east-1");
    assert_eq!(data.api_key.as_ref().unwrap().secret(), "da2-xxxx");
    assert!(!format!("{data:?}").contains("da2-xxxx"));
    assert_eq!(
        data.default_authorization_type,
        Some(AuthorizationType::AmazonCognitoUserPools)
    );
    assert_eq!(
        data.authorization_types,
        [AuthorizationType::ApiKey, AuthorizationType::AwsIam]
    );
    assert_eq!(
        data.model_introspection.as_ref().unwrap()["models"]["Todo"]["pluralName"],
        "Todos"
    );

    let storage = config.storage.as_ref().unwrap();
    assert_eq!(storage.bucket_name.as_deref(), Some("myapp-media-bucket"));
    assert_eq!(storage.region.as_deref(), Some("us-east-1"));
    let media = storage.bucket("media").unwrap();
    assert_eq!(media.bucket_name, "myapp-media-bucket");
    assert_eq!(media.paths["public/*"]["guest"], ["get", "list"]);
    assert_eq!(
        media.paths["protected/{entity_id}/*"]["entityidentity"].len(),
        4
    );

    assert_eq!(config.endpoints, EndpointOverrides::default());
    assert_eq!(
        config.user_pool_endpoint().unwrap().as_str(),
        "https://cognito-idp.us-east-1.amazonaws.com/"
    );
    assert_eq!(
        config.identity_pool_endpoint().unwrap().as_str(),
        "https://cognito-identity.us-east-1.amazonaws.com/"
    );
    assert_eq!(
        config.oauth_base_url().unwrap().as_str(),
        "https://myapp.auth.us-east-1.amazoncognito.com/"
    );
    assert_eq!(
        config.token_issuer().unwrap(),
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123"
    );
    assert_eq!(
        config.jwks_url().unwrap().as_str(),
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123/.well-known/jwks.json"
    );
}

#[test]
fn parses_every_other_gen2_auth_field() {
    let mut value = appendix_a();
    let auth = value["auth"].as_object_mut().unwrap();
    auth.insert("unauthenticated_identities_enabled".into(), json!(false));
    auth.insert("standard_required_attributes".into(), json!(["email"]));
    auth.insert(
        "password_policy".into(),
        json!({"min_length": 8, "require_numbers": true, "require_symbols": false}),
    );
    auth.insert("mfa_configuration".into(), json!("OPTIONAL"));
    auth.insert("mfa_methods".into(), json!(["SMS", "TOTP"]));
    auth.insert(
        "groups".into(),
        json!([{"ADMINS": {"precedence": 0}}, {"EDITORS": {}}]),
    );
    auth.insert("user_verification_types".into(), json!(["email"]));
    auth.insert("passwordless".into(), json!({"email_otp_enabled": true}));
    auth.insert("authentication_flow_type".into(), json!("USER_SRP_AUTH"));
    auth.insert("future_field".into(), json!({"anything": [1, 2]}));
    value["auth"]["oauth"]["identity_providers"] =
        json!(["LOGIN_WITH_AMAZON", "FACEBOOK", "MyOidc"]);
    value["auth"]["oauth"]["response_type"] = json!("token");
    value["custom"] =
        json!({"events": {"url": "https://x.appsync-api.us-east-1.amazonaws.com/event"}});
    let config = AmplifyConfig::from_value(&value).unwrap();
    let auth = config.auth().unwrap();
    assert!(!auth.allow_guest_access);
    assert_eq!(auth.standard_required_attributes, ["email"]);
    let policy = auth.password_policy.as_ref().unwrap();
    assert_eq!(
        (
            policy.min_length,
            policy.require_numbers,
            policy.require_symbols
        ),
        (Some(8), true, false)
    );
    assert_eq!(auth.mfa_configuration, Some(MfaConfiguration::Optional));
    assert_eq!(auth.mfa_methods, [MfaMethod::Sms, MfaMethod::Totp]);
    assert_eq!(auth.groups.len(), 2);
    assert_eq!(
        (auth.groups[0].name.as_str(), auth.groups[0].precedence),
        ("ADMINS", Some(0))
    );
    assert_eq!(auth.groups[1].precedence, None);
    assert_eq!(auth.user_verification_types, ["email"]);
    assert_eq!(auth.passwordless, Some(json!({"email_otp_enabled": true})));
    assert_eq!(
        auth.authentication_flow_type.as_deref(),
        Some("USER_SRP_AUTH")
    );
    let oauth = auth.oauth.as_ref().unwrap();
    assert_eq!(oauth.response_type, OAuthResponseType::Token);
    assert_eq!(
        oauth.identity_providers,
        [
            IdentityProvider::Amazon,
            IdentityProvider::Facebook,
            IdentityProvider::Other("MyOidc".into())
        ]
    );
}

#[test]
fn minimal_and_lenient_documents() {
    let config = AmplifyConfig::from_json(r#"{"version": "1"}"#).unwrap();
    assert_eq!(config, AmplifyConfig::default());
    assert!(matches!(config.auth(), Err(ConfigError::AuthNotConfigured)));
    assert!(
        config
            .auth()
            .unwrap_err()
            .to_string()
            .starts_with("Auth UserPool not configured")
    );
    assert!(config.user_pool_endpoint().is_err());

    // moto's pool ids and null fields are fine.
    let config = AmplifyConfig::from_value(&json!({
        "version": "1.3",
        "auth": {"user_pool_id": "us-east-1_0123456789abcdef0123456789abcdef", "user_pool_client_id": "c",
                 "identity_pool_id": null, "oauth": null},
        "data": null
    }))
    .unwrap();
    let auth = config.auth().unwrap();
    assert_eq!(auth.identity_pool_id, None);
    assert!(matches!(
        config.identity_pool_endpoint(),
        Err(ConfigError::NotConfigured { .. })
    ));
    assert!(
        config
            .oauth_base_url()
            .unwrap_err()
            .to_string()
            .contains("auth.oauth")
    );
}

#[test]
fn parses_legacy_config() {
    let legacy = json!({
        "aws_project_region": "eu-west-1",
        "aws_cognito_region": "eu-west-1",
        "aws_user_pools_id": "eu-west-1_Legacy1",
        "aws_user_pools_web_client_id": "legacyclient",
        "aws_cognito_identity_pool_id": "eu-west-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "aws_cognito_username_attributes": ["EMAIL"],
        "aws_cognito_signup_attributes": ["EMAIL"],
        "aws_cognito_mfa_configuration": "OFF",
        "aws_cognito_mfa_types": ["SMS"],
        "aws_cognito_password_protection_settings": {"passwordPolicyMinLength": 8, "passwordPolicyCharacters": ["REQUIRES_UPPERCASE"]},
        "aws_cognito_verification_mechanisms": ["EMAIL"],
        "aws_cognito_social_providers": ["GOOGLE"],
        "oauth": {
            "domain": "legacy.auth.eu-west-1.amazoncognito.com",
            "scope": ["openid", "email"],
            "redirectSignIn": "http://localhost:3000/,https://app.example.com/",
            "redirectSignOut": "http://localhost:3000/",
            "responseType": "code"
        },
        "aws_appsync_graphqlEndpoint": "https://legacy.appsync-api.eu-west-1.amazonaws.com/graphql",
        "aws_appsync_region": "eu-west-1",
        "aws_appsync_authenticationType": "API_KEY",
        "aws_appsync_apiKey": "da2-legacy",
        "aws_user_files_s3_bucket": "legacy-bucket",
        "aws_user_files_s3_bucket_region": "eu-west-1"
    });
    let config = AmplifyConfig::from_value(&legacy).unwrap();
    let auth = config.auth().unwrap();
    assert_eq!(
        (auth.region.as_str(), auth.pool_name()),
        ("eu-west-1", "Legacy1")
    );
    assert_eq!(auth.user_pool_client_id, "legacyclient");
    assert!(auth.allow_guest_access, "Gen 1 defaults to guest access");
    assert_eq!(auth.username_attributes, [UsernameAttribute::Email]);
    assert_eq!(auth.standard_required_attributes, ["email"]);
    assert_eq!(auth.mfa_configuration, Some(MfaConfiguration::Off));
    assert_eq!(auth.password_policy.as_ref().unwrap().min_length, Some(8));
    assert!(auth.password_policy.as_ref().unwrap().require_uppercase);
    let oauth = auth.oauth.as_ref().unwrap();
    assert_eq!(
        oauth.redirect_sign_in,
        ["http://localhost:3000/", "https://app.example.com/"]
    );
    assert_eq!(oauth.redirect_sign_out, ["http://localhost:3000/"]);
    assert_eq!(oauth.scopes, ["openid", "email"]);
    assert_eq!(oauth.identity_providers, [IdentityProvider::Google]);
    let data = config.data.as_ref().unwrap();
    assert_eq!(
        data.default_authorization_type,
        Some(AuthorizationType::ApiKey)
    );
    assert_eq!(data.api_key.as_ref().unwrap().secret(), "da2-legacy");
    let storage = config.storage.as_ref().unwrap();
    assert_eq!(storage.bucket_name.as_deref(), Some("legacy-bucket"));
    assert_eq!(storage.region.as_deref(), Some("eu-west-1"));
    assert_eq!(
        config.user_pool_endpoint().unwrap().as_str(),
        "https://cognito-idp.eu-west-1.amazonaws.com/"
    );

    let mut mandatory = legacy.clone();
    mandatory["aws_mandatory_sign_in"] = json!("enable");
    assert!(
        !AmplifyConfig::from_value(&mandatory)
            .unwrap()
            .auth()
            .unwrap()
            .allow_guest_access
    );

    let mut no_region = legacy;
    no_region
        .as_object_mut()
        .unwrap()
        .remove("aws_project_region");
    let error = AmplifyConfig::from_value(&no_region).unwrap_err();
    assert_eq!(error.path(), Some("aws_project_region"));
    assert!(error.to_string().contains("fix:"));
}

#[test]
fn legacy_without_user_pool_has_no_auth() {
    let config = AmplifyConfig::from_value(&json!({"aws_project_region": "us-east-1"})).unwrap();
    assert!(config.auth.is_none());
}

type Edit = Box<dyn FnOnce(&mut Value)>;

#[test]
fn every_validation_error_names_its_path() {
    let cases: Vec<(&str, Edit)> = vec![
        (
            "auth.user_pool_id",
            Box::new(|v| v["auth"]["user_pool_id"] = json!("nounderscore")),
        ),
        (
            "auth.user_pool_id",
            Box::new(|v| v["auth"]["user_pool_id"] = json!("_abc")),
        ),
        (
            "auth.user_pool_id",
            Box::new(|v| v["auth"]["user_pool_id"] = json!("us/east_abc")),
        ),
        (
            "auth.user_pool_id",
            Box::new(|v| v["auth"]["user_pool_id"] = json!(42)),
        ),
        (
            "auth.user_pool_id",
            Box::new(|v| _ = v["auth"].as_object_mut().unwrap().remove("user_pool_id")),
        ),
        (
            "auth.user_pool_client_id",
            Box::new(|v| v["auth"]["user_pool_client_id"] = json!("")),
        ),
        (
            "auth.user_pool_client_id",
            Box::new(|v| {
                _ = v["auth"]
                    .as_object_mut()
                    .unwrap()
                    .remove("user_pool_client_id")
            }),
        ),
        (
            "auth.identity_pool_id",
            Box::new(|v| v["auth"]["identity_pool_id"] = json!("us-east-1-no-colon")),
        ),
        (
            "auth.unauthenticated_identities_enabled",
            Box::new(|v| v["auth"]["unauthenticated_identities_enabled"] = json!("yes")),
        ),
        ("auth.oauth", Box::new(|v| v["auth"]["oauth"] = json!([]))),
        (
            "auth.oauth.domain",
            Box::new(|v| v["auth"]["oauth"]["domain"] = json!("https://x.example.com/path")),
        ),
        (
            "auth.oauth.scopes[1]",
            Box::new(|v| v["auth"]["oauth"]["scopes"][1] = json!(7)),
        ),
        (
            "auth.oauth.redirect_sign_in_uri[0]",
            Box::new(|v| v["auth"]["oauth"]["redirect_sign_in_uri"][0] = json!("/relative")),
        ),
        (
            "auth.oauth.redirect_sign_out_uri",
            Box::new(|v| v["auth"]["oauth"]["redirect_sign_out_uri"] = json!("http://x/")),
        ),
        (
            "auth.password_policy.min_length",
            Box::new(|v| v["auth"]["password_policy"] = json!({"min_length": -1})),
        ),
        (
            "auth.groups[0].ADMINS.precedence",
            Box::new(|v| v["auth"]["groups"] = json!([{"ADMINS": {"precedence": "high"}}])),
        ),
        (
            "data.url",
            Box::new(|v| v["data"]["url"] = json!("not a url")),
        ),
        (
            "data.aws_region",
            Box::new(|v| _ = v["data"].as_object_mut().unwrap().remove("aws_region")),
        ),
        (
            "data.api_key",
            Box::new(|v| v["data"]["api_key"] = json!(123)),
        ),
        (
            "storage.buckets[0].aws_region",
            Box::new(|v| {
                _ = v["storage"]["buckets"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("aws_region")
            }),
        ),
        (
            "storage.buckets[0].paths.public/*.guest",
            Box::new(|v| v["storage"]["buckets"][0]["paths"]["public/*"]["guest"] = json!("get")),
        ),
        ("storage", Box::new(|v| v["storage"] = json!("bucket"))),
        ("version", Box::new(|v| v["version"] = json!("2"))),
        ("version", Box::new(|v| v["version"] = json!(1))),
        (
            "custom.amplify_ssr.version",
            Box::new(|v| v["custom"] = json!({"amplify_ssr": {"version": 2}})),
        ),
        (
            "custom.amplify_ssr.endpoints.user_pool",
            Box::new(|v| v["custom"] = json!({"amplify_ssr": {"endpoints": {"user_pool": 5}}})),
        ),
    ];
    for (expected_path, edit) in cases {
        let (path, message) = invalid(edit);
        assert_eq!(path, expected_path, "{message}");
        assert!(message.contains(&format!("`{expected_path}`")), "{message}");
        assert!(message.contains("expected"), "{message}");
        assert!(message.contains("found"), "{message}");
    }
}

#[test]
fn unused_sections_without_their_endpoint_load_and_fail_when_used() {
    let mut value = appendix_a();
    value["data"] = json!({"model_introspection": value["data"]["model_introspection"].take()});
    value["auth"]["oauth"]
        .as_object_mut()
        .unwrap()
        .remove("domain");
    let config = AmplifyConfig::from_value(&value).expect("loads");
    assert!(config.data.is_none());
    let oauth = config.auth().unwrap().oauth.as_ref().unwrap();
    assert_eq!(oauth.domain, "");
    assert_eq!(
        oauth.redirect_sign_in.len(),
        2,
        "the rest of the block is read"
    );
    let error = config.oauth_base_url().unwrap_err();
    assert_eq!(error.path(), Some("auth.oauth.domain"));
    assert!(
        error.to_string().contains("set it to the Cognito domain"),
        "{error}"
    );
    // An override still works without the domain.
    let config = config.with_oauth_base_url("http://127.0.0.1:9229".parse().unwrap());
    assert_eq!(
        config.oauth_base_url().unwrap().as_str(),
        "http://127.0.0.1:9229/"
    );
    // Present but wrong is still an error on load.
    let (path, _) = invalid(|v| v["auth"]["oauth"]["domain"] = json!(""));
    assert_eq!(path, "auth.oauth.domain");
}

#[test]
fn wrong_type_reports_expected_and_found() {
    let (_, message) = invalid(|v| v["auth"]["user_pool_id"] = json!(42));
    assert!(message.contains("found a number (42)"), "{message}");
    let (_, message) = invalid(|v| v["auth"]["unauthenticated_identities_enabled"] = json!("yes"));
    assert!(
        message.contains("expected true or false, found a string (\"yes\")"),
        "{message}"
    );
}

#[test]
fn secrets_stay_out_of_errors() {
    let (_, message) = invalid(|v| v["data"]["api_key"] = json!(["da2-secret"]));
    assert!(!message.contains("da2-secret"), "{message}");
}

#[test]
fn duplicate_bucket_name_is_named() {
    let (path, message) = invalid(|v| {
        let bucket = v["storage"]["buckets"][0].clone();
        v["storage"]["buckets"].as_array_mut().unwrap().push(bucket);
    });
    assert_eq!(path, "storage.buckets[1].name");
    assert!(
        message.contains("Duplicate friendly name found: media"),
        "{message}"
    );
    assert!(message.contains("storage.buckets[0]"), "{message}");
}

#[test]
fn format_detection() {
    assert!(matches!(
        AmplifyConfig::from_json("{"),
        Err(ConfigError::Syntax { .. })
    ));
    assert!(matches!(
        AmplifyConfig::from_json("[]"),
        Err(ConfigError::UnknownFormat { .. })
    ));
    assert!(matches!(
        AmplifyConfig::from_json("{}"),
        Err(ConfigError::UnknownFormat { .. })
    ));
    // Any aws_* key wins over `version`, as in aws-amplify.
    let error =
        AmplifyConfig::from_json(r#"{"version": "1", "aws_user_pools_id": "x"}"#).unwrap_err();
    assert_eq!(error.path(), Some("aws_project_region"));
}

#[test]
fn from_path_reads_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("amplify_outputs.json");
    std::fs::write(&file, APPENDIX_A).unwrap();
    assert!(AmplifyConfig::from_path(&file).unwrap().auth.is_some());
    let missing = dir.path().join("missing.json");
    let error = AmplifyConfig::from_path(&missing).unwrap_err();
    assert!(matches!(error, ConfigError::Read { .. }));
    assert!(error.to_string().contains("missing.json"));
}

// ---------- endpoints ----------

fn with_extension(endpoints: Value) -> AmplifyConfig {
    let mut value = appendix_a();
    value["custom"] = json!({"amplify_ssr": {"version": 1, "endpoints": endpoints}});
    AmplifyConfig::from_value(&value).unwrap()
}

fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

#[test]
fn extension_block_overrides() {
    let config = with_extension(json!({
        "user_pool": "http://127.0.0.1:9229/",
        "identity_pool": "http://127.0.0.1:9230",
        "oauth": "http://127.0.0.1:9231",
        "jwks_url": "http://127.0.0.1:9229/pool/.well-known/jwks.json",
        "token_issuer": "http://127.0.0.1:9229/pool"
    }));
    assert_eq!(
        config.user_pool_endpoint().unwrap().as_str(),
        "http://127.0.0.1:9229/"
    );
    assert_eq!(
        config.identity_pool_endpoint().unwrap().as_str(),
        "http://127.0.0.1:9230/"
    );
    assert_eq!(
        config.oauth_base_url().unwrap().as_str(),
        "http://127.0.0.1:9231/"
    );
    assert_eq!(
        config.jwks_url().unwrap().as_str(),
        "http://127.0.0.1:9229/pool/.well-known/jwks.json"
    );
    assert_eq!(config.token_issuer().unwrap(), "http://127.0.0.1:9229/pool");

    let mut value = appendix_a();
    value["custom"] = json!({"amplify_ssr": {"endpoints": {"jwks_url": "ftp://example.com/jwks"}}});
    let error = AmplifyConfig::from_value(&value).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("custom.amplify_ssr.endpoints.jwks_url"),
        "{message}"
    );
    assert!(message.contains("ftp://example.com/jwks"), "{message}");
}

#[test]
fn precedence_is_code_over_env_over_file() {
    let mut config =
        with_extension(json!({"user_pool": "http://file/", "identity_pool": "http://file/"}));
    config
        .apply_env_from(env(&[
            (ENV_USER_POOL_ENDPOINT, "http://env/"),
            (ENV_OAUTH_BASE_URL, "http://env-oauth:9000"),
            (ENV_JWKS_URL, ""),
        ]))
        .unwrap();
    assert_eq!(config.user_pool_endpoint().unwrap().as_str(), "http://env/");
    assert_eq!(
        config.identity_pool_endpoint().unwrap().as_str(),
        "http://file/"
    );
    assert_eq!(
        config.oauth_base_url().unwrap().as_str(),
        "http://env-oauth:9000/"
    );
    let config = config.with_user_pool_endpoint(Url::parse("http://code/").unwrap());
    assert_eq!(
        config.user_pool_endpoint().unwrap().as_str(),
        "http://code/"
    );
    assert_eq!(
        config.identity_pool_endpoint().unwrap().as_str(),
        "http://file/"
    );
}

#[test]
fn bad_env_value_names_the_variable() {
    let mut config = AmplifyConfig::from_json(APPENDIX_A).unwrap();
    for var in [
        ENV_USER_POOL_ENDPOINT,
        ENV_IDENTITY_POOL_ENDPOINT,
        ENV_OAUTH_BASE_URL,
        ENV_JWKS_URL,
        ENV_TOKEN_ISSUER,
    ] {
        let error = config
            .apply_env_from(env(&[(var, "localhost:9229")]))
            .unwrap_err();
        let message = error.to_string();
        assert!(message.contains(var), "{message}");
        assert!(message.contains("localhost:9229"), "{message}");
    }
    let error = config
        .apply_env_from(env(&[(ENV_JWKS_URL, "http://")]))
        .unwrap_err();
    assert!(matches!(error, ConfigError::InvalidEndpoint { .. }));
}

#[test]
fn overrides_set_in_code_are_checked_when_resolved() {
    let config = AmplifyConfig::from_json(APPENDIX_A)
        .unwrap()
        .with_identity_pool_endpoint(Url::parse("file:///tmp/x").unwrap())
        .with_token_issuer("not a url");
    let message = config.identity_pool_endpoint().unwrap_err().to_string();
    assert!(
        message.contains("with_identity_pool_endpoint") && message.contains("file:///tmp/x"),
        "{message}"
    );
    assert!(
        config
            .token_issuer()
            .unwrap_err()
            .to_string()
            .contains("with_token_issuer")
    );
}

#[test]
fn jwks_and_issuer_are_independent() {
    let base = AmplifyConfig::from_json(APPENDIX_A).unwrap();
    let default_issuer = base.token_issuer().unwrap();

    let jwks_only = base
        .clone()
        .with_jwks_url(Url::parse("http://127.0.0.1:1/keys").unwrap());
    assert_eq!(
        jwks_only.jwks_url().unwrap().as_str(),
        "http://127.0.0.1:1/keys"
    );
    assert_eq!(jwks_only.token_issuer().unwrap(), default_issuer);

    let issuer_only = base.clone().with_token_issuer("http://127.0.0.1:2/pool/");
    assert_eq!(
        issuer_only.token_issuer().unwrap(),
        "http://127.0.0.1:2/pool/"
    );
    assert_eq!(
        issuer_only.jwks_url().unwrap().as_str(),
        "http://127.0.0.1:2/pool/.well-known/jwks.json"
    );

    let both = issuer_only.with_jwks_url(Url::parse("http://127.0.0.1:1/keys").unwrap());
    assert_eq!(both.jwks_url().unwrap().as_str(), "http://127.0.0.1:1/keys");
    assert_eq!(both.token_issuer().unwrap(), "http://127.0.0.1:2/pool/");

    // Overriding the user-pool API does not move the issuer (moto keeps AWS issuers).
    let api_only = base.with_user_pool_endpoint(Url::parse("http://127.0.0.1:5002").unwrap());
    assert_eq!(api_only.token_issuer().unwrap(), default_issuer);
}

#[test]
fn china_regions_use_the_cn_suffix() {
    let mut value = appendix_a();
    value["auth"]["user_pool_id"] = json!("cn-north-1_AbC");
    value["auth"]["identity_pool_id"] = json!("cn-northwest-1:1111");
    let config = AmplifyConfig::from_value(&value).unwrap();
    assert_eq!(
        config.user_pool_endpoint().unwrap().as_str(),
        "https://cognito-idp.cn-north-1.amazonaws.com.cn/"
    );
    assert_eq!(
        config.identity_pool_endpoint().unwrap().as_str(),
        "https://cognito-identity.cn-northwest-1.amazonaws.com.cn/"
    );
    assert_eq!(
        config.token_issuer().unwrap(),
        "https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_AbC"
    );
    assert_eq!(aws_dns_suffix("us-gov-west-1"), "amazonaws.com");
}

// ---------- properties ----------

const KEYS: [&str; 24] = [
    "version",
    "auth",
    "data",
    "storage",
    "custom",
    "amplify_ssr",
    "endpoints",
    "user_pool_id",
    "user_pool_client_id",
    "identity_pool_id",
    "oauth",
    "domain",
    "redirect_sign_in_uri",
    "groups",
    "password_policy",
    "buckets",
    "name",
    "paths",
    "url",
    "aws_region",
    "aws_project_region",
    "aws_user_pools_id",
    "redirectSignIn",
    "jwks_url",
];

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop_oneof![
            Just("1".to_owned()),
            Just("us-east-1_a".to_owned()),
            Just("a:b".to_owned()),
            any::<String>()
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec(
                (
                    prop_oneof![
                        proptest::sample::select(KEYS.as_slice()).prop_map(str::to_owned),
                        any::<String>()
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn arbitrary_documents_never_panic(doc in arbitrary_json(), version in any::<bool>()) {
        let mut doc = doc;
        if let (Value::Object(map), true) = (&mut doc, version) {
            map.insert("version".into(), json!("1"));
        }
        if let Ok(config) = AmplifyConfig::from_value(&doc) {
            let _ = (config.user_pool_endpoint(), config.identity_pool_endpoint(), config.oauth_base_url());
            let _ = (config.token_issuer(), config.jwks_url());
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = AmplifyConfig::from_json(&text);
    }
}
