//! A functional cross-check of amplify-local's `/graphql` against the AppSync simulator from npm
//! (`@aws-amplify/amplify-appsync-simulator` 2.16.20, run by `interop/appsync/simulator.mjs` with amplify-local's
//! own schema, rules and API key, and in-memory resolvers).
//!
//! The same documents — exactly what the library's model client sends, from `ModelClient::document` — go through
//! `DataClient` to both servers, as the same users: user-pool tokens minted by amplify-local (issuer in the AWS
//! form, which is all the simulator checks) for `Todo`, the API key for `Announcement`. What is compared is the
//! **shape** of each response: keys and JSON types of `data` (`items` / `nextToken` / `__typename` of
//! connections), and of the errors of unauthorised calls (`errorType`, `path`, the raw error object's keys, the
//! HTTP status of a refused request). Values such as ids, timestamps and messages are not compared, and nothing
//! about signatures: the simulator verifies none.
//!
//! Needs the npm packages in `interop/` (installed by `scripts/test`); without them the test fails, never skips.

use std::collections::BTreeMap;

use amplify_integration_tests::{AppSyncSimulator, TestBackend};
use amplify_local::IssuerMode;
use amplify_ssr::data::{
    AuthMode, DataClient, DataError, GraphqlError, GraphqlRequest, ListOptions, ModelClient,
    ModelOperation, ModelOptions,
};
use amplify_ssr::{AmplifyConfig, FetchAuthSessionOptions, ServerContext, ServerRunner};
use http::{HeaderMap, HeaderValue};
use serde_json::{Value, json};

const PASSWORD: &str = "Correct-Horse-9!";

/// The JSON type of every value, keys sorted; an array is the list of its elements' distinct shapes.
fn shape(value: &Value) -> Value {
    match value {
        Value::Null => json!("null"),
        Value::Bool(_) => json!("boolean"),
        Value::Number(_) => json!("number"),
        Value::String(_) => json!("string"),
        Value::Array(items) => {
            let mut shapes: Vec<Value> = Vec::new();
            for item in items {
                let item = shape(item);
                if !shapes.contains(&item) {
                    shapes.push(item);
                }
            }
            Value::Array(shapes)
        }
        Value::Object(map) => {
            let sorted: BTreeMap<&String, Value> = map.iter().map(|(k, v)| (k, shape(v))).collect();
            json!(sorted)
        }
    }
}

/// What a parsed AppSync error looks like to the library's caller, values that are part of the contract
/// (`errorType`, `path`) included, the message only as "present".
fn error_shape(error: &GraphqlError) -> Value {
    json!({
        "errorType": error.error_type,
        "path": error.path,
        "message": if error.message.is_empty() { "empty" } else { "present" },
        "locations": locations_shape(&Value::Array(error.locations.clone()), &mut Vec::new()),
        "unauthorized": error.is_unauthorized(),
    })
}

/// The shape of `locations`, without `sourceName` (see [`raw_error_shape`]).
fn locations_shape(locations: &Value, notes: &mut Vec<String>) -> Value {
    let mut locations = locations.clone();
    if let Some(items) = locations.as_array_mut() {
        for item in items.iter_mut().filter_map(Value::as_object_mut) {
            if item.remove("sourceName").is_some() {
                notes.push("locations[].sourceName".to_owned());
            }
        }
    }
    shape(&locations)
}

/// The outcome of one `DataClient::graphql` call, reduced to its shape.
fn outcome_shape(result: &Result<Value, DataError>) -> Value {
    match result {
        Ok(data) => json!({ "data": shape(data) }),
        Err(DataError::Graphql { data, errors }) => json!({
            "data": shape(data),
            "errors": errors.iter().map(error_shape).collect::<Vec<_>>(),
        }),
        Err(other) => json!({ "failure": other.name() }),
    }
}

/// The shape of one raw AppSync error object. Two differences are tolerated, and listed in `notes`:
/// * `data` and `errorInfo`: the simulator sends `{}` for `Unauthorized` where AppSync (and amplify-local) send
///   `null`; both are reduced to "null or object";
/// * `locations[].sourceName`: the simulator sends it (AppSync sends `"sourceName": null`), amplify-local does
///   not; it is left out of the comparison.
fn raw_error_shape(error: &Value, notes: &mut Vec<String>) -> Value {
    let Some(map) = error.as_object() else {
        return shape(error);
    };
    let mut out = BTreeMap::new();
    for (key, value) in map {
        let reduced = match key.as_str() {
            "data" | "errorInfo" if value.is_null() || value.is_object() => json!("null or object"),
            "locations" => locations_shape(value, notes),
            _ => shape(value),
        };
        out.insert(key.clone(), reduced);
    }
    json!(out)
}

/// Signs `username` in through the library and returns the session's Cookie header.
async fn signed_in(runner: &ServerRunner, username: &str) -> HeaderMap {
    let ctx = runner.context(&HeaderMap::new());
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
        .map(|h| {
            let line = h.to_str().expect("ascii Set-Cookie");
            line.split(';').next().expect("name=value").to_owned()
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::COOKIE,
        HeaderValue::from_str(&cookie).expect("cookie header"),
    );
    headers
}

/// One GraphQL server and the library pointed at it.
struct Peer {
    name: &'static str,
    url: String,
    runner: ServerRunner,
    client: DataClient,
    todo: ModelClient,
    announcement: ModelClient,
    alice: ServerContext,
    bob: ServerContext,
    api_key: String,
}

impl Peer {
    fn new(
        name: &'static str,
        outputs: &Value,
        url: &str,
        alice: &HeaderMap,
        bob: &HeaderMap,
    ) -> Self {
        let mut outputs = outputs.clone();
        outputs["data"]["url"] = json!(url);
        let config = AmplifyConfig::from_value(&outputs).expect("config");
        let runner = ServerRunner::builder(config)
            .ignore_env()
            .build()
            .expect("runner");
        let client = DataClient::new(&runner).expect("data section");
        let todo = client.model("Todo").expect("Todo");
        let announcement = client.model("Announcement").expect("Announcement");
        let api_key = outputs["data"]["api_key"]
            .as_str()
            .expect("api key")
            .to_owned();
        Self {
            name,
            url: url.to_owned(),
            alice: runner.context(alice),
            bob: runner.context(bob),
            runner,
            client,
            todo,
            announcement,
            api_key,
        }
    }

    async fn graphql(
        &self,
        ctx: &ServerContext,
        query: &str,
        variables: Value,
        mode: AuthMode,
    ) -> Result<Value, DataError> {
        self.client
            .graphql(
                ctx,
                GraphqlRequest::new(query)
                    .variables(variables)
                    .auth_mode(mode),
            )
            .await
            .map(|response| response.data)
    }

    /// The same request without the library: the HTTP status and the raw body.
    async fn raw(&self, query: &str, variables: Value, header: (&str, String)) -> (u16, Value) {
        let response = reqwest::Client::new()
            .post(&self.url)
            .header("content-type", "application/json; charset=UTF-8")
            .header(header.0, header.1)
            .body(json!({ "query": query, "variables": variables }).to_string())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{}: raw request: {e}", self.name));
        let status = response.status().as_u16();
        let body = response
            .json()
            .await
            .unwrap_or_else(|e| panic!("{}: raw body: {e}", self.name));
        (status, body)
    }

    async fn access_token(&self, ctx: &ServerContext) -> String {
        amplify_ssr::fetch_auth_session(ctx, FetchAuthSessionOptions::default())
            .await
            .expect("session")
            .tokens
            .expect("signed in")
            .access_token
            .secret()
            .to_owned()
    }

    /// Runs the scenario; returns (step, shape) pairs, and the raw error shapes of the unauthorised calls.
    async fn scenario(&self) -> (Vec<(&'static str, Value)>, Vec<(&'static str, Value)>) {
        let doc = |model: &ModelClient, operation| {
            model
                .document(operation, None)
                .unwrap_or_else(|e| panic!("document: {e}"))
        };
        let (create, get, list, update, delete) = (
            doc(&self.todo, ModelOperation::Create),
            doc(&self.todo, ModelOperation::Get),
            doc(&self.todo, ModelOperation::List),
            doc(&self.todo, ModelOperation::Update),
            doc(&self.todo, ModelOperation::Delete),
        );
        let list_announcements = doc(&self.announcement, ModelOperation::List);
        let user = AuthMode::UserPool;
        let mut steps = Vec::new();
        let mut step = |name: &'static str, result: Result<Value, DataError>| {
            let shape = outcome_shape(&result);
            steps.push((name, shape));
            result
        };

        let first = step(
            "createTodo (owner)",
            self.graphql(
                &self.alice,
                &create,
                json!({"input": {"content": "first", "done": false}}),
                user,
            )
            .await,
        )
        .unwrap_or_else(|e| panic!("{}: create: {e}", self.name));
        let id = first["createTodo"]["id"].clone();
        step(
            "createTodo, a second one",
            self.graphql(
                &self.alice,
                &create,
                json!({"input": {"content": "second", "done": true}}),
                user,
            )
            .await,
        )
        .unwrap_or_else(|e| panic!("{}: create: {e}", self.name));
        step(
            "getTodo (owner)",
            self.graphql(&self.alice, &get, json!({"id": id}), user)
                .await,
        )
        .ok();
        step(
            "listTodos (owner, one page)",
            self.graphql(&self.alice, &list, json!({}), user).await,
        )
        .ok();
        let page = step(
            "listTodos limit 1 (nextToken is a string)",
            self.graphql(&self.alice, &list, json!({"limit": 1}), user)
                .await,
        )
        .unwrap_or_else(|e| panic!("{}: list: {e}", self.name));
        let token = page["listTodos"]["nextToken"].clone();
        step(
            "listTodos limit 1 with nextToken (last page)",
            self.graphql(
                &self.alice,
                &list,
                json!({"limit": 1, "nextToken": token}),
                user,
            )
            .await,
        )
        .ok();
        step(
            "updateTodo (owner)",
            self.graphql(
                &self.alice,
                &update,
                json!({"input": {"id": id, "done": true}}),
                user,
            )
            .await,
        )
        .ok();
        step(
            "getTodo by another user (Unauthorized)",
            self.graphql(&self.bob, &get, json!({"id": id}), user).await,
        )
        .ok();
        step(
            "updateTodo by another user (Unauthorized)",
            self.graphql(
                &self.bob,
                &update,
                json!({"input": {"id": id, "content": "mine now"}}),
                user,
            )
            .await,
        )
        .ok();
        step(
            "listTodos by another user (empty)",
            self.graphql(&self.bob, &list, json!({}), user).await,
        )
        .ok();
        let guest = self.runner.context(&HeaderMap::new());
        step(
            "listTodos with the API key (Unauthorized)",
            self.graphql(&guest, &list, json!({}), AuthMode::ApiKey)
                .await,
        )
        .ok();
        step(
            "deleteTodo (owner)",
            self.graphql(&self.alice, &delete, json!({"input": {"id": id}}), user)
                .await,
        )
        .ok();
        step(
            "getTodo after delete (null)",
            self.graphql(&self.alice, &get, json!({"id": id}), user)
                .await,
        )
        .ok();
        step(
            "listAnnouncements with the API key",
            self.graphql(&guest, &list_announcements, json!({}), AuthMode::ApiKey)
                .await,
        )
        .ok();
        step(
            "listAnnouncements with a wrong API key (refused request)",
            self.client
                .graphql(
                    &guest,
                    GraphqlRequest::new(list_announcements.as_str())
                        .auth_mode(AuthMode::ApiKey)
                        .api_key("da2-wrongwrongwrongwrongwrong0"),
                )
                .await
                .map(|response| response.data),
        )
        .ok();

        // The raw error objects of the unauthorised calls, as AppSync's clients see them.
        let mut notes = Vec::new();
        let mut raw = Vec::new();
        let token = self.access_token(&self.bob).await;
        let mut raw_step = |name: &'static str, (status, body): (u16, Value)| {
            let errors = body["errors"]
                .as_array()
                .unwrap_or_else(|| panic!("{}: {name}: no errors: {body}", self.name))
                .iter()
                .map(|e| raw_error_shape(e, &mut notes))
                .collect::<Vec<_>>();
            let mut top: Vec<&String> = body.as_object().expect("object").keys().collect();
            top.sort();
            raw.push((
                name,
                json!({"status": status, "keys": top, "data": shape(&body["data"]), "errors": errors}),
            ));
        };
        // Bob's token against a todo that exists only for alice: create one for this.
        let kept = self
            .graphql(
                &self.alice,
                &create,
                json!({"input": {"content": "kept", "done": false}}),
                user,
            )
            .await
            .unwrap_or_else(|e| panic!("{}: create: {e}", self.name));
        raw_step(
            "raw getTodo by another user",
            self.raw(
                &get,
                json!({"id": kept["createTodo"]["id"]}),
                ("authorization", token),
            )
            .await,
        );
        raw_step(
            "raw listTodos with the API key",
            self.raw(&list, json!({}), ("x-api-key", self.api_key.clone()))
                .await,
        );
        raw_step(
            "raw listAnnouncements with a wrong API key",
            self.raw(
                &list_announcements,
                json!({}),
                ("x-api-key", "da2-wrongwrongwrongwrongwrong0".to_owned()),
            )
            .await,
        );
        notes.sort();
        notes.dedup();
        if !notes.is_empty() {
            eprintln!("{}: tolerated in raw errors: {notes:?}", self.name);
        }
        (steps, raw)
    }

    /// The model client's own operations (documents, variables and result handling of the library).
    async fn model_client(&self) -> Vec<(&'static str, Value)> {
        let created = self
            .todo
            .create(
                &self.alice,
                json!({"content": "via the model client", "done": false}),
                ModelOptions::new(),
            )
            .await
            .expect("create");
        assert!(
            created.errors.is_empty(),
            "{}: {:?}",
            self.name,
            created.errors
        );
        let item = created.data.expect("created");
        let listed = self
            .todo
            .list_all(&self.alice, ListOptions::new().limit(1))
            .await
            .expect("list");
        let refused = self
            .todo
            .get(&self.bob, json!({"id": item["id"]}), ModelOptions::new())
            .await
            .expect("get");
        let public = self
            .announcement
            .list(
                &self.runner.context(&HeaderMap::new()),
                ListOptions::new().auth_mode(AuthMode::ApiKey),
            )
            .await
            .expect("list announcements");
        vec![
            ("ModelClient::create", shape(&item)),
            (
                "ModelClient::list_all limit 1",
                json!({
                    "items": shape(&Value::Array(listed.data)),
                    "next_token": listed.next_token.is_some(),
                    "errors": listed.errors.len(),
                }),
            ),
            (
                "ModelClient::get by another user",
                json!({
                    "data": refused.data.is_some(),
                    "errors": refused.errors.iter().map(error_shape).collect::<Vec<_>>(),
                }),
            ),
            (
                "ModelClient::list Announcement with the API key",
                json!({
                    "items": shape(&Value::Array(public.data)),
                    "next_token": public.next_token.is_some(),
                    "errors": public.errors.len(),
                }),
            ),
        ]
    }
}

fn compare(what: &str, local: &[(&str, Value)], simulator: &[(&str, Value)], log: &str) {
    assert_eq!(local.len(), simulator.len(), "{what}: step counts");
    let mut differences = Vec::new();
    for ((name, ours), (_, theirs)) in local.iter().zip(simulator) {
        if ours != theirs {
            differences.push(format!(
                "{name}:\n  amplify-local: {ours}\n  simulator:     {theirs}"
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{what}: response shapes differ between amplify-local and the AppSync simulator:\n{}\n--- simulator output\n{log}",
        differences.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn model_client_documents_get_the_same_response_shapes_from_amplify_local_and_the_appsync_simulator()
 {
    let backend = TestBackend::start_with(|o| o.with_issuer(IssuerMode::Aws)).await;
    assert!(
        backend.token_issuer().starts_with("https://cognito-idp."),
        "{}",
        backend.token_issuer()
    );
    let simulator = AppSyncSimulator::start(&backend.backend).await;
    for user in ["alice", "bob"] {
        backend.create_user(user, PASSWORD, &[("email", "someone@example.com")]);
    }
    let outputs = backend.outputs().clone();
    let sign_in_runner =
        ServerRunner::builder(AmplifyConfig::from_value(&outputs).expect("config"))
            .ignore_env()
            .build()
            .expect("runner");
    let alice = signed_in(&sign_in_runner, "alice").await;
    let bob = signed_in(&sign_in_runner, "bob").await;

    let local = Peer::new(
        "amplify-local",
        &outputs,
        &backend.backend.graphql_url(),
        &alice,
        &bob,
    );
    let sim = Peer::new("simulator", &outputs, simulator.url(), &alice, &bob);

    let (local_steps, local_raw) = local.scenario().await;
    let (sim_steps, sim_raw) = sim.scenario().await;
    let log = simulator.output();

    // The scenario did what it should on both (so equal shapes are not two equal failures).
    for (peer, steps) in [("amplify-local", &local_steps), ("simulator", &sim_steps)] {
        let get = |name: &str| {
            steps
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("no step {name}"))
        };
        let list = get("listTodos (owner, one page)");
        assert_eq!(
            list["data"]["listTodos"]["items"].as_array().map(Vec::len),
            Some(1),
            "{peer}: {list}"
        );
        assert_eq!(
            list["data"]["listTodos"]["__typename"], "string",
            "{peer}: {list}"
        );
        let page = get("listTodos limit 1 (nextToken is a string)");
        assert_eq!(
            page["data"]["listTodos"]["nextToken"], "string",
            "{peer}: {page}"
        );
        for refused in [
            "getTodo by another user (Unauthorized)",
            "updateTodo by another user (Unauthorized)",
            "listTodos with the API key (Unauthorized)",
        ] {
            let outcome = get(refused);
            assert_eq!(
                outcome["errors"][0]["errorType"], "Unauthorized",
                "{peer}: {refused}: {outcome}"
            );
        }
        let wrong_key = get("listAnnouncements with a wrong API key (refused request)");
        assert_eq!(
            wrong_key["errors"][0]["errorType"], "UnauthorizedException",
            "{peer}: {wrong_key}"
        );
        let public = get("listAnnouncements with the API key");
        assert!(public.get("errors").is_none(), "{peer}: {public}");
    }
    compare(
        "DataClient::graphql with the model client's documents",
        &local_steps,
        &sim_steps,
        &log,
    );
    compare(
        "raw error objects of unauthorised calls",
        &local_raw,
        &sim_raw,
        &log,
    );

    let local_model = local.model_client().await;
    let sim_model = sim.model_client().await;
    compare(
        "ModelClient operations",
        &local_model,
        &sim_model,
        &simulator.output(),
    );
}

/// What each custom operation of `fixtures/custom_operations.json` answers, on both servers.
fn custom_answers() -> Value {
    json!({
        "summary": {"open": 2, "caller": "alice"},
        "echo": "hello",
        "shout": "LOUD",
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_operations_get_the_same_response_shapes_from_amplify_local_and_the_appsync_simulator()
 {
    // amplify-local forwards to a function that answers what the simulator's resolvers answer.
    let app = axum::Router::new().route(
        "/fn",
        axum::routing::post(|axum::Json(event): axum::Json<Value>| async move {
            let name = event["fieldName"].as_str().unwrap_or_default().to_owned();
            axum::Json(custom_answers()[name.as_str()].clone())
        }),
    );
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
    let backend = TestBackend::start_with(|o| {
        ["summary", "echo", "shout"].into_iter().fold(
            o.with_issuer(IssuerMode::Aws).with_schema_file(&schema),
            |o, name| o.with_function(name, url.clone()),
        )
    })
    .await;
    let simulator = AppSyncSimulator::start_with_answers(&backend.backend, custom_answers()).await;
    backend.create_user("alice", PASSWORD, &[("email", "someone@example.com")]);
    let outputs = backend.outputs().clone();
    let sign_in_runner =
        ServerRunner::builder(AmplifyConfig::from_value(&outputs).expect("config"))
            .ignore_env()
            .build()
            .expect("runner");
    let alice = signed_in(&sign_in_runner, "alice").await;

    let mut results: Vec<Vec<(&'static str, Value)>> = Vec::new();
    for url in [backend.backend.graphql_url(), simulator.url().to_owned()] {
        let mut peer_outputs = outputs.clone();
        peer_outputs["data"]["url"] = json!(url);
        let runner =
            ServerRunner::builder(AmplifyConfig::from_value(&peer_outputs).expect("config"))
                .ignore_env()
                .build()
                .expect("runner");
        let client = DataClient::new(&runner).expect("data");
        let (user, guest) = (runner.context(&alice), runner.context(&HeaderMap::new()));
        let summary = client.query("summary").expect("summary");
        let echo = client.query("echo").expect("echo");
        let shout = client.mutation("shout").expect("shout");
        let options = |mode| ModelOptions::new().auth_mode(mode);
        let outcome =
            |result: Result<amplify_ssr::data::ModelResult<Value>, DataError>| match result {
                Ok(result) => json!({
                    "data": shape(&result.data),
                    "errors": result.errors.iter().map(error_shape).collect::<Vec<_>>(),
                }),
                Err(error) => json!({"error": error.name()}),
            };
        let mut steps = Vec::new();
        steps.push((
            "summary as a signed-in user",
            outcome(
                summary
                    .call(&user, json!({"prefix": "by "}), options(AuthMode::UserPool))
                    .await,
            ),
        ));
        steps.push((
            "summary with a custom selection set",
            outcome(
                summary
                    .call(
                        &user,
                        json!({"prefix": ""}),
                        options(AuthMode::UserPool).selection_set(["open"]),
                    )
                    .await,
            ),
        ));
        steps.push((
            "summary with the API key (Unauthorized)",
            outcome(
                summary
                    .call(&guest, json!({"prefix": ""}), options(AuthMode::ApiKey))
                    .await,
            ),
        ));
        steps.push((
            "echo with the API key",
            outcome(
                echo.call(&guest, json!({"text": "hi"}), options(AuthMode::ApiKey))
                    .await,
            ),
        ));
        steps.push((
            "echo as a signed-in user (Unauthorized)",
            outcome(
                echo.call(&user, json!({"text": "hi"}), options(AuthMode::UserPool))
                    .await,
            ),
        ));
        steps.push((
            "shout as a signed-in user (Unauthorized)",
            outcome(
                shout
                    .call(&user, json!({"text": "x"}), options(AuthMode::UserPool))
                    .await,
            ),
        ));
        results.push(steps);
    }
    let log = simulator.output();
    for (peer, steps) in [("amplify-local", &results[0]), ("simulator", &results[1])] {
        assert_eq!(
            steps[0].1["data"],
            json!({"open": "number", "caller": "string"}),
            "{peer}: {steps:?}\n{log}"
        );
        assert_eq!(steps[3].1["data"], "string", "{peer}: {steps:?}");
        for refused in [2, 4, 5] {
            assert_eq!(
                steps[refused].1["errors"][0]["errorType"], "Unauthorized",
                "{peer}: {}: {steps:?}\n{log}",
                steps[refused].0
            );
        }
    }
    compare("custom operations", &results[0], &results[1], &log);
}
