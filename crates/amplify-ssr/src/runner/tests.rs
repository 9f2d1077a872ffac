//! Unit tests of the runner's builder: endpoint overrides and cookie settings.

use http::HeaderMap;

use super::*;
use crate::cookies::SameSite;

const OUTPUTS: &str = r#"{"version":"1.4","auth":{"aws_region":"us-east-1",
    "user_pool_id":"us-east-1_Pool","user_pool_client_id":"client1"}}"#;

const LAST: &str = "CognitoIdentityServiceProvider.client1.LastAuthUser";

fn builder() -> ServerRunnerBuilder {
    let config = AmplifyConfig::from_json(OUTPUTS).expect("config");
    ServerRunner::builder(config).ignore_env()
}

fn runner(configure: impl FnOnce(ServerRunnerBuilder) -> ServerRunnerBuilder) -> ServerRunner {
    configure(builder()).build().expect("runner")
}

#[test]
fn secure_is_on_by_default_and_can_be_dropped_for_local_http() {
    let secure = runner(|b| b).context(&HeaderMap::new());
    secure.set_auth_cookie(LAST, "alice");
    assert!(
        secure.set_cookie_headers()[0]
            .to_str()
            .unwrap()
            .contains("Secure")
    );
    let local =
        runner(ServerRunnerBuilder::insecure_cookies_for_local_http).context(&HeaderMap::new());
    local.set_auth_cookie(LAST, "alice");
    assert!(
        !local.set_cookie_headers()[0]
            .to_str()
            .unwrap()
            .contains("Secure")
    );
}

#[test]
fn builder_endpoints_win_over_the_environment_and_bad_ones_are_errors() {
    let config = AmplifyConfig::from_json(OUTPUTS).expect("config");
    let runner = ServerRunner::builder(config.clone())
        .ignore_env()
        .user_pool_endpoint("http://127.0.0.1:9/")
        .jwks_url("http://127.0.0.1:9/keys.json")
        .token_issuer("http://issuer.example/pool")
        .build()
        .expect("runner");
    assert_eq!(
        runner.config().user_pool_endpoint().unwrap().as_str(),
        "http://127.0.0.1:9/"
    );
    assert_eq!(
        runner.config().jwks_url().unwrap().as_str(),
        "http://127.0.0.1:9/keys.json"
    );
    assert_eq!(
        runner.config().token_issuer().unwrap(),
        "http://issuer.example/pool"
    );

    let error = ServerRunner::builder(config)
        .ignore_env()
        .user_pool_endpoint("ftp://x")
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("ftp://x"), "{error}");
}

/// The `Secure` attribute of the session cookies `runner` writes.
fn writes_secure(runner: &ServerRunner) -> bool {
    let ctx = runner.context(&HeaderMap::new());
    ctx.set_auth_cookie(LAST, "alice");
    ctx.set_cookie_headers()[0]
        .to_str()
        .unwrap()
        .contains("Secure")
}

#[test]
fn insecure_cookies_refuse_settings_that_ask_for_secure() {
    let insecure = ServerRunnerBuilder::insecure_cookies_for_local_http;
    let conflicts = [
        (
            "http_only_cookies(true)",
            insecure(builder()).http_only_cookies(true),
        ),
        (
            "cookie_mode(ServerAuth { secure: true })",
            insecure(builder()).cookie_mode(CookieMode::ServerAuth { secure: true }),
        ),
        (
            "an https app origin",
            insecure(builder()).app_origin("https://app.example.com"),
        ),
        (
            "SameSite=None",
            insecure(builder())
                .cookie_options(CookieOptions::default().with_same_site(SameSite::None)),
        ),
    ];
    for (what, builder) in conflicts {
        let error = builder.build().expect_err(what);
        assert!(
            matches!(error, ConfigError::ConflictingSettings { .. }),
            "{what}: {error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains("insecure_cookies_for_local_http()") && message.contains("fix:"),
            "{what}: {message}"
        );
    }
}

#[test]
fn insecure_cookies_agree_with_settings_that_leave_secure_off() {
    let insecure = ServerRunnerBuilder::insecure_cookies_for_local_http;
    let agreeing = [
        insecure(builder()).http_only_cookies(false),
        insecure(builder()).app_origin("http://localhost:3000"),
        // An explicit mode wins over the origin, and this one asks for no `Secure`.
        insecure(builder())
            .app_origin("https://app.example.com")
            .cookie_mode(CookieMode::ServerAuth { secure: false }),
        insecure(builder()).cookie_options(CookieOptions::default().with_same_site(SameSite::Lax)),
    ];
    for builder in agreeing {
        let runner = builder.build().expect("no conflict");
        assert!(!writes_secure(&runner));
    }
    // Without the flag the same settings keep `Secure` where they ask for it.
    assert!(writes_secure(&runner(|b| b.http_only_cookies(true))));
    assert!(writes_secure(&runner(
        |b| b.app_origin("https://app.example.com")
    )));
}
