//! The typed custom operations `amplify-ssr-codegen` generates (from `fixtures/custom_operations.json`, in
//! `build.rs`), called against amplify-local, which authorises each call by the operation's rules and forwards
//! it to a local function (`LocalOptions::functions`) that sees the caller's identity.

mod operations {
    // The generated code is a whole API surface of which this test uses only part.
    #![allow(dead_code, unreachable_pub)]
    include!(concat!(env!("OUT_DIR"), "/custom_operations.rs"));
}

use std::sync::{Arc, Mutex};

use amplify_integration_tests::TestBackend;
use amplify_ssr::data::{AuthMode, DataClient, ModelOptions};
use axum::Json;
use operations::{CustomOperations, EchoQueryArgs, ShoutMutationArgs, Summary, SummaryQueryArgs};
use serde_json::{Value, json};

type Events = Arc<Mutex<Vec<Value>>>;

async fn function(
    axum::extract::State(events): axum::extract::State<Events>,
    Json(event): Json<Value>,
) -> Json<Value> {
    events.lock().expect("events").push(event.clone());
    let args = &event["arguments"];
    Json(match event["fieldName"].as_str() {
        Some("summary") => {
            json!({"open": args["limit"].as_i64().unwrap_or(0), "caller": "someone"})
        }
        Some("shout") => json!(args["text"].as_str().unwrap_or_default().to_uppercase()),
        _ => args["text"].clone(),
    })
}

#[tokio::test]
async fn typed_custom_operations_reach_the_local_function_under_their_rules() {
    let events = Events::default();
    let app = axum::Router::new()
        .route("/fn", axum::routing::post(function))
        .with_state(Arc::clone(&events));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/fn", listener.local_addr().expect("address"))
        .parse::<url::Url>()
        .expect("url");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let schema = format!(
        "{}/fixtures/custom_operations.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let backend = TestBackend::start_with(|options| {
        ["summary", "echo", "shout"]
            .into_iter()
            .fold(options.with_schema_file(&schema), |options, name| {
                options.with_function(name, url.clone())
            })
    })
    .await;
    let config = amplify_ssr::AmplifyConfig::from_value(backend.outputs()).expect("outputs");
    let runner = amplify_ssr::ServerRunner::builder(config)
        .ignore_env()
        .build()
        .expect("runner");
    let ops = CustomOperations::new(DataClient::new(&runner).expect("data"));
    let guest = runner.context(&http::HeaderMap::new());

    let echoed = ops
        .echo(
            &guest,
            &EchoQueryArgs {
                text: "typed".to_owned(),
            },
            ModelOptions::new().auth_mode(AuthMode::ApiKey),
        )
        .await
        .expect("echo");
    assert!(echoed.errors.is_empty(), "{:?}", echoed.errors);
    assert_eq!(echoed.data.as_deref(), Some("typed"));
    assert_eq!(events.lock().expect("events").len(), 1);

    // summary is for signed-in users only: a guest's IAM call is refused before the function hears of it.
    let refused = ops
        .summary(
            &guest,
            &SummaryQueryArgs {
                prefix: String::new(),
                limit: Some(3),
            },
            ModelOptions::new().auth_mode(AuthMode::Iam),
        )
        .await
        .expect("summary");
    let _: Option<Summary> = refused.data;
    assert!(
        refused
            .errors
            .iter()
            .any(|e| e.error_type.as_deref() == Some("Unauthorized")),
        "{:?}",
        refused.errors
    );
    // shout is for signed-in IAM callers only.
    let refused = ops
        .shout(
            &guest,
            &ShoutMutationArgs {
                text: "x".to_owned(),
            },
            ModelOptions::new().auth_mode(AuthMode::Iam),
        )
        .await
        .expect("shout");
    assert!(
        refused.data.is_none() && !refused.errors.is_empty(),
        "{refused:?}"
    );
    assert_eq!(
        events.lock().expect("events").len(),
        1,
        "refused calls never reach the function"
    );

    // Signed in: summary through the user pool, shout through the user's IAM credentials.
    backend.create_user("alice", PASSWORD, &[("email", "alice@example.com")]);
    let alice = signed_in(&runner, "alice").await;
    let summary = ops
        .summary(
            &alice,
            &SummaryQueryArgs {
                prefix: "x".to_owned(),
                limit: Some(3),
            },
            ModelOptions::new().auth_mode(AuthMode::UserPool),
        )
        .await
        .expect("summary");
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    let summary: Summary = summary.data.expect("a summary");
    assert_eq!(summary.open, 3);
    let shouted = ops
        .shout(
            &alice,
            &ShoutMutationArgs {
                text: "quiet".to_owned(),
            },
            ModelOptions::new().auth_mode(AuthMode::Iam),
        )
        .await
        .expect("shout");
    assert_eq!(
        shouted.data.as_deref(),
        Some("QUIET"),
        "{:?}",
        shouted.errors
    );
    let events = events.lock().expect("events");
    assert_eq!(events.len(), 3);
    assert_eq!(events[1]["identity"]["username"], "alice");
    assert_eq!(
        events[2]["identity"]["cognitoIdentityAuthType"],
        "authenticated"
    );
}

const PASSWORD: &str = "Correct-Horse-9!";

/// A context signed in as `username` (the cookies a sign-in wrote).
async fn signed_in(
    runner: &amplify_ssr::ServerRunner,
    username: &str,
) -> amplify_ssr::ServerContext {
    let ctx = runner.context(&http::HeaderMap::new());
    let outcome = amplify_ssr::sign_in(&ctx, amplify_ssr::SignInInput::new(username, PASSWORD))
        .await
        .expect("sign in");
    assert!(
        matches!(outcome, amplify_ssr::SignInOutcome::SignedIn(_)),
        "{outcome:?}"
    );
    let cookie = ctx
        .set_cookie_headers()
        .iter()
        .filter_map(|h| h.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect::<Vec<_>>()
        .join("; ");
    let mut headers = http::HeaderMap::new();
    headers.insert(http::header::COOKIE, cookie.parse().expect("cookie header"));
    runner.context(&headers)
}
