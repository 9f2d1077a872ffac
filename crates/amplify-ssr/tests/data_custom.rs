//! Custom queries and mutations end to end: the library calls them against amplify-local, which authorises each
//! call by the operation's rules and forwards it to a local function (an HTTP endpoint that records the AppSync
//! Lambda event it receives). Every auth mode, allowed and refused; the function sees the caller's identity.
//! Arguments of every kind (enum, custom type input, list) reach the function as sent, and a model comes back.

mod common;
mod data_support;

use std::sync::{Arc, Mutex};

use amplify_ssr::data::{AuthMode, DataClient, ModelOptions};
use axum::Json;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use data_support::unauthorized;
use http::HeaderMap;
use serde_json::{Value, json};

/// Every event the function received.
type Events = Arc<Mutex<Vec<Value>>>;

/// The function behind all operations: answers by `fieldName`, and records the event.
async fn function(
    axum::extract::State(events): axum::extract::State<Events>,
    Json(event): Json<Value>,
) -> axum::response::Response {
    events.lock().expect("events").push(event.clone());
    let args = &event["arguments"];
    let identity = &event["identity"];
    let caller = identity["username"]
        .as_str()
        .or_else(|| identity["cognitoIdentityId"].as_str())
        .unwrap_or("api key")
        .to_owned();
    match event["fieldName"].as_str() {
        Some("summary") => Json(json!({
            "open": args["limit"].as_i64().unwrap_or(0) + 1,
            "caller": format!("{}{caller}", args["prefix"].as_str().unwrap_or_default()),
        }))
        .into_response(),
        Some("echo") => Json(json!(args["text"])).into_response(),
        Some("shout") if args["text"] == "fail" => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"errorType": "ShoutError", "errorMessage": "cannot shout that"})),
        )
            .into_response(),
        Some("shout") => Json(json!(
            args["text"].as_str().unwrap_or_default().to_uppercase()
        ))
        .into_response(),
        // The arguments, as the function received them, in one line.
        Some("classify") => {
            let tags: Vec<&str> = args["tags"]
                .as_array()
                .map(|tags| tags.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            Json(json!(format!(
                "{} {}..{} [{}]",
                args["level"].as_str().unwrap_or("?"),
                args["range"]["from"],
                args["range"]["to"],
                tags.join(",")
            )))
            .into_response()
        }
        // Models made up from the arguments, owned by the caller.
        Some("findTodo") => {
            Json(todo(args["id"].as_str().unwrap_or_default(), &caller)).into_response()
        }
        Some("pickTodos") => Json(Value::Array(
            args["ids"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|id| todo(id.as_str().unwrap_or_default(), &caller))
                .collect(),
        ))
        .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A `Todo` as the function answers it.
fn todo(id: &str, owner: &str) -> Value {
    json!({"id": id, "content": format!("found {id}"), "done": true, "owner": owner})
}

/// The default schema plus six custom operations, each with its own rules.
fn schema() -> Value {
    let mut introspection = amplify_local::default_model_introspection();
    let arg = |name: &str, ty: &str, required: bool| json!({"name": name, "type": ty, "isArray": false, "isRequired": required});
    introspection["nonModels"]["Summary"] = json!({
        "name": "Summary",
        "fields": {
            "open": {"name": "open", "type": "Int", "isArray": false, "isRequired": true},
            "caller": {"name": "caller", "type": "String", "isArray": false, "isRequired": false},
        },
    });
    introspection["queries"] = json!({
        "summary": {
            "name": "summary", "type": {"nonModel": "Summary"}, "isArray": false, "isRequired": false,
            "arguments": {"prefix": arg("prefix", "String", true), "limit": arg("limit", "Int", false)},
            "authorization": [{"allow": "private", "provider": "userPools"}],
        },
        "echo": {
            "name": "echo", "type": "String", "isArray": false, "isRequired": false,
            "arguments": {"text": arg("text", "String", true)},
            "authorization": [{"allow": "public", "provider": "apiKey"}, {"allow": "public", "provider": "iam"}],
        },
    });
    introspection["enums"]["Level"] = json!({"name": "Level", "values": ["LOW", "HIGH"]});
    introspection["nonModels"]["Range"] = json!({
        "name": "Range",
        "fields": {
            "from": {"name": "from", "type": "Int", "isArray": false, "isRequired": true},
            "to": {"name": "to", "type": "Int", "isArray": false, "isRequired": false},
        },
    });
    let signed_in = json!([{"allow": "private", "provider": "userPools"}]);
    let queries = introspection["queries"].as_object_mut().expect("queries");
    queries.insert("classify".to_owned(), json!({
        "name": "classify", "type": "String", "isArray": false, "isRequired": false,
        "arguments": {
            "level": {"name": "level", "type": {"enum": "Level"}, "isArray": false, "isRequired": true},
            "range": {"name": "range", "type": {"nonModel": "Range"}, "isArray": false, "isRequired": false},
            "tags": {"name": "tags", "type": "String", "isArray": true, "isRequired": true, "isArrayNullable": true},
        },
        "authorization": signed_in,
    }));
    queries.insert(
        "findTodo".to_owned(),
        json!({
            "name": "findTodo", "type": {"model": "Todo"}, "isArray": false, "isRequired": false,
            "arguments": {"id": arg("id", "ID", true)},
            "authorization": signed_in,
        }),
    );
    queries.insert("pickTodos".to_owned(), json!({
        "name": "pickTodos", "type": {"model": "Todo"}, "isArray": true, "isRequired": false,
        "arguments": {"ids": {"name": "ids", "type": "ID", "isArray": true, "isRequired": true}},
        "authorization": signed_in,
    }));
    introspection["mutations"] = json!({
        "shout": {
            "name": "shout", "type": "String", "isArray": false, "isRequired": false,
            "arguments": {"text": arg("text", "String", true)},
            "authorization": [{"allow": "private", "provider": "iam"}],
        },
    });
    introspection
}

/// Every operation the schema declares, each forwarded to the function.
const OPERATIONS: [&str; 6] = [
    "summary",
    "echo",
    "classify",
    "findTodo",
    "pickTodos",
    "shout",
];

struct Fixture {
    backend: common::Backend,
    events: Events,
}

async fn start() -> Fixture {
    let events = Events::default();
    let app = axum::Router::new()
        .route("/fn", axum::routing::post(function))
        .with_state(Arc::clone(&events));
    let url = format!("{}/fn", common::serve(app).await);
    let backend = common::Backend::start_with_schema(schema(), |options| {
        for name in OPERATIONS {
            options
                .functions
                .push((name.to_owned(), url.parse().expect("url")));
        }
    })
    .await;
    Fixture { backend, events }
}

impl Fixture {
    fn calls(&self) -> usize {
        self.events.lock().expect("events").len()
    }

    fn last_event(&self) -> Value {
        self.events
            .lock()
            .expect("events")
            .last()
            .cloned()
            .expect("an event")
    }
}

#[tokio::test]
async fn a_user_pool_query_reaches_the_function_with_the_callers_identity() {
    let fixture = start().await;
    let runner = fixture.backend.runner();
    let client = DataClient::new(&runner).expect("data section");
    assert_eq!(
        client.query_names().collect::<Vec<_>>(),
        ["summary", "echo", "classify", "findTodo", "pickTodos"]
    );
    assert_eq!(client.mutation_names().collect::<Vec<_>>(), ["shout"]);
    let summary = client.query("summary").expect("summary");
    assert_eq!(
        summary.document(None).unwrap(),
        "query summary($prefix: String!, $limit: Int) { summary(prefix: $prefix, limit: $limit) { open caller } }"
    );
    let alice = fixture.backend.signed_in(&runner, "alice").await;

    let result = summary
        .call(
            &alice,
            json!({"prefix": "by ", "limit": 4}),
            ModelOptions::new(),
        )
        .await
        .unwrap();
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(result.data, json!({"open": 5, "caller": "by alice"}));
    let event = fixture.last_event();
    assert_eq!(event["arguments"], json!({"prefix": "by ", "limit": 4}));
    assert_eq!(event["identity"]["username"], "alice");
    assert!(
        event["identity"]["sub"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{event}"
    );
    assert_eq!(event["identity"]["claims"]["sub"], event["identity"]["sub"]);
    assert_eq!(event["source"], Value::Null);
    assert_eq!(event["info"]["parentTypeName"], "Query");
    assert!(
        event["request"]["headers"]["authorization"].is_string(),
        "{event}"
    );

    // A custom selection set.
    let only_open = summary
        .call(
            &alice,
            json!({"prefix": ""}),
            ModelOptions::new().selection_set(["open"]),
        )
        .await
        .unwrap();
    assert_eq!(only_open.data, json!({"open": 1}));

    // Refused before the function hears of it: the API key and a guest's IAM credentials.
    let guest = runner.context(&HeaderMap::new());
    let before = fixture.calls();
    for mode in [AuthMode::ApiKey, AuthMode::Iam] {
        let refused = summary
            .call(
                &guest,
                json!({"prefix": ""}),
                ModelOptions::new().auth_mode(mode),
            )
            .await
            .unwrap();
        assert!(refused.data.is_null(), "{mode}: {refused:?}");
        assert!(unauthorized(&refused.errors), "{mode}: {refused:?}");
    }
    assert_eq!(
        fixture.calls(),
        before,
        "refused calls never reach the function"
    );

    // Bad arguments never leave the library.
    for (arguments, expected) in [
        (json!({}), "needs the argument `prefix`"),
        (json!({"prefix": "x", "other": 1}), "no argument `other`"),
        (json!(["x"]), "must be a JSON object"),
    ] {
        let error = summary
            .call(&alice, arguments, ModelOptions::new())
            .await
            .unwrap_err();
        assert_eq!(error.name(), "InvalidInput");
        assert!(error.to_string().contains(expected), "{error}");
    }
    // Signed out, the user-pool mode fails before any request.
    let error = summary
        .call(&guest, json!({"prefix": ""}), ModelOptions::new())
        .await
        .unwrap_err();
    assert_eq!(error.name(), "NoValidAuthTokens");
}

#[tokio::test]
async fn a_public_query_answers_the_api_key_and_guests_but_not_the_user_pool() {
    let fixture = start().await;
    let runner = fixture.backend.runner();
    let client = DataClient::new(&runner).expect("data section");
    let echo = client.query("echo").expect("echo");
    assert_eq!(
        echo.document(None).unwrap(),
        "query echo($text: String!) { echo(text: $text) }"
    );
    let guest = runner.context(&HeaderMap::new());

    let by_key = echo
        .call(
            &guest,
            json!({"text": "hi"}),
            ModelOptions::new().auth_mode(AuthMode::ApiKey),
        )
        .await
        .unwrap();
    assert!(by_key.errors.is_empty(), "{:?}", by_key.errors);
    assert_eq!(by_key.data, "hi");
    assert_eq!(fixture.last_event()["identity"], Value::Null);

    let by_guest = echo
        .call(
            &guest,
            json!({"text": "hello"}),
            ModelOptions::new().auth_mode(AuthMode::Iam),
        )
        .await
        .unwrap();
    assert!(by_guest.errors.is_empty(), "{:?}", by_guest.errors);
    assert_eq!(by_guest.data, "hello");
    let identity = fixture.last_event()["identity"].clone();
    assert_eq!(identity["cognitoIdentityAuthType"], "unauthenticated");
    assert!(
        identity["cognitoIdentityId"]
            .as_str()
            .is_some_and(|id| id.contains(':')),
        "{identity}"
    );

    let bob = fixture.backend.signed_in(&runner, "bob").await;
    let refused = echo
        .call(&bob, json!({"text": "x"}), ModelOptions::new())
        .await
        .unwrap();
    assert!(
        refused.data.is_null() && unauthorized(&refused.errors),
        "{refused:?}"
    );
    // A scalar result takes no selection set.
    let error = echo
        .call(
            &guest,
            json!({"text": "x"}),
            ModelOptions::new()
                .auth_mode(AuthMode::ApiKey)
                .selection_set(["x"]),
        )
        .await
        .unwrap_err();
    assert_eq!(error.name(), "InvalidSelectionSet");
}

#[tokio::test]
async fn a_mutation_for_signed_in_iam_callers_returns_the_functions_errors() {
    let fixture = start().await;
    let runner = fixture.backend.runner();
    let client = DataClient::new(&runner).expect("data section");
    let shout = client.mutation("shout").expect("shout");
    assert!(client.query("shout").is_none());
    assert_eq!(
        shout.document(None).unwrap(),
        "mutation shout($text: String!) { shout(text: $text) }"
    );
    let carol = fixture.backend.signed_in(&runner, "carol").await;
    let iam = ModelOptions::new().auth_mode(AuthMode::Iam);

    let loud = shout
        .call(&carol, json!({"text": "quiet"}), iam.clone())
        .await
        .unwrap();
    assert!(loud.errors.is_empty(), "{:?}", loud.errors);
    assert_eq!(loud.data, "QUIET");
    let event = fixture.last_event();
    assert_eq!(
        event["identity"]["cognitoIdentityAuthType"],
        "authenticated"
    );
    assert_eq!(event["info"]["parentTypeName"], "Mutation");

    // The function's own error comes back as AppSync's, in the result.
    let failed = shout
        .call(&carol, json!({"text": "fail"}), iam)
        .await
        .unwrap();
    assert!(failed.data.is_null(), "{failed:?}");
    assert_eq!(failed.errors.len(), 1, "{failed:?}");
    assert_eq!(failed.errors[0].error_type.as_deref(), Some("ShoutError"));
    assert_eq!(failed.errors[0].message, "cannot shout that");

    // Refused for the user pool (the rule names IAM only), for guests, and for the API key.
    let guest = runner.context(&HeaderMap::new());
    let before = fixture.calls();
    for (ctx, mode) in [
        (&carol, AuthMode::UserPool),
        (&guest, AuthMode::Iam),
        (&guest, AuthMode::ApiKey),
    ] {
        let refused = shout
            .call(
                ctx,
                json!({"text": "x"}),
                ModelOptions::new().auth_mode(mode),
            )
            .await
            .unwrap();
        assert!(
            refused.data.is_null() && unauthorized(&refused.errors),
            "{mode}: {refused:?}"
        );
    }
    assert_eq!(fixture.calls(), before);
}

#[tokio::test]
async fn a_function_for_an_operation_the_schema_lacks_is_refused_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let options = amplify_local::LocalOptions::new(dir.path().to_path_buf())
        .with_function("sumary", "http://127.0.0.1:9/fn".parse().expect("url"));
    let error = amplify_local::LocalBackend::start(options)
        .await
        .expect_err("a typo in --function is caught");
    assert!(
        error
            .to_string()
            .contains("no custom query or mutation `sumary`"),
        "{error}"
    );
}

#[tokio::test]
async fn enum_custom_type_and_list_arguments_reach_the_function_and_models_come_back() {
    let fixture = start().await;
    let runner = fixture.backend.runner();
    let client = DataClient::new(&runner).expect("data section");
    let alice = fixture.backend.signed_in(&runner, "alice").await;

    let classify = client.query("classify").expect("classify");
    assert_eq!(
        classify.document(None).unwrap(),
        "query classify($level: Level!, $range: RangeInput, $tags: [String!]) \
         { classify(level: $level, range: $range, tags: $tags) }"
    );
    let arguments = json!({"level": "HIGH", "range": {"from": 2, "to": 5}, "tags": ["a", "b"]});
    let result = classify
        .call(&alice, arguments.clone(), ModelOptions::new())
        .await
        .unwrap();
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(result.data, json!("HIGH 2..5 [a,b]"));
    assert_eq!(fixture.last_event()["arguments"], arguments);
    // Optional arguments may be left out (the function sees no value for them).
    let result = classify
        .call(&alice, json!({"level": "LOW"}), ModelOptions::new())
        .await
        .unwrap();
    assert_eq!(result.data, json!("LOW null..null []"), "{result:?}");
    let event = fixture.last_event();
    assert_eq!(event["arguments"]["level"], "LOW");
    assert!(
        event["arguments"]["range"].is_null() && event["arguments"]["tags"].is_null(),
        "{event}"
    );

    // The declared types are checked by AppSync before the function hears of the call: an enum value it
    // lacks, a custom type input without its required field, a list of the wrong elements.
    let before = fixture.calls();
    for bad in [
        json!({"level": "MEDIUM"}),
        json!({"level": "LOW", "range": {"to": 1}}),
        json!({"level": "LOW", "tags": [{"not": "a string"}]}),
    ] {
        let refused = classify
            .call(&alice, bad.clone(), ModelOptions::new())
            .await
            .unwrap();
        assert!(
            refused.data.is_null() && !refused.errors.is_empty(),
            "{bad}: {refused:?}"
        );
    }
    assert_eq!(
        fixture.calls(),
        before,
        "refused calls never reach the function"
    );

    // A model value: the model's default selection set, and a custom one.
    let find = client.query("findTodo").expect("findTodo");
    assert!(
        find.document(None)
            .unwrap()
            .starts_with("query findTodo($id: ID!) { findTodo(id: $id) { id content done owner"),
        "{}",
        find.document(None).unwrap()
    );
    let found = find
        .call(&alice, json!({"id": "t1"}), ModelOptions::new())
        .await
        .unwrap();
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    assert_eq!(found.data["id"], "t1");
    assert_eq!(found.data["content"], "found t1");
    assert_eq!(found.data["done"], true);
    assert_eq!(found.data["owner"], "alice");
    let slim = find
        .call(
            &alice,
            json!({"id": "t2"}),
            ModelOptions::new().selection_set(["id", "done"]),
        )
        .await
        .unwrap();
    assert_eq!(slim.data, json!({"id": "t2", "done": true}));

    // A list of models, in the function's order.
    let pick = client.query("pickTodos").expect("pickTodos");
    let picked = pick
        .call(&alice, json!({"ids": ["a", "b", "c"]}), ModelOptions::new())
        .await
        .unwrap();
    assert!(picked.errors.is_empty(), "{:?}", picked.errors);
    let picked = picked.data.as_array().expect("a list").clone();
    let ids: Vec<&Value> = picked.iter().map(|todo| &todo["id"]).collect();
    assert_eq!(ids, [&json!("a"), &json!("b"), &json!("c")]);
    assert!(
        picked.iter().all(|todo| todo["owner"] == "alice"),
        "{picked:?}"
    );
}
