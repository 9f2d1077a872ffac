//! The AppSync-compatible GraphQL API: every auth mode, positive and
//! negative, the owner rule, filters and paging, `--schema FILE`, and
//! persistence.

use std::time::{Duration, SystemTime};

use amplify_local::{LocalBackend, LocalOptions};
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use serde_json::{Value, json};

use crate::helpers::{HOUR, Harness, SECOND, serve_binary};
use crate::s3_helpers::Creds;

const TODO_FIELDS: &str = "id content done owner createdAt updatedAt __typename";

/// A GraphQL answer.
#[derive(Debug)]
pub(crate) struct Gql {
    pub(crate) status: u16,
    pub(crate) body: Value,
}

impl Gql {
    /// Asserts HTTP 200 without errors and returns `data`.
    #[track_caller]
    pub(crate) fn data(&self) -> &Value {
        assert_eq!(self.status, 200, "{}", self.body);
        assert!(self.body.get("errors").is_none(), "{}", self.body);
        &self.body["data"]
    }

    /// Asserts AppSync's field-level refusal of `field` on `parent`.
    #[track_caller]
    pub(crate) fn assert_unauthorized(&self, field: &str, parent: &str) {
        assert_eq!(self.status, 200, "{}", self.body);
        assert!(self.body["data"][field].is_null(), "{}", self.body);
        let error = &self.body["errors"][0];
        assert_eq!(error["errorType"], "Unauthorized", "{}", self.body);
        assert_eq!(
            error["message"],
            format!("Not Authorized to access {field} on type {parent}"),
            "{}",
            self.body
        );
        assert_eq!(error["path"][0], field, "{}", self.body);
        assert!(error["locations"][0]["line"].is_number(), "{}", self.body);
        assert!(error.get("errorInfo").is_some(), "{}", self.body);
    }

    /// Asserts a request-level refusal (`{"errors": [...]}` only).
    #[track_caller]
    pub(crate) fn assert_refused(&self, status: u16, error_type: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert!(self.body.get("data").is_none(), "{}", self.body);
        assert_eq!(
            self.body["errors"][0]["errorType"], error_type,
            "{}",
            self.body
        );
        assert!(self.body["errors"][0]["message"].is_string());
    }
}

/// How a request authenticates.
#[derive(Clone, Copy)]
pub(crate) enum Auth<'a> {
    None,
    ApiKey(&'a str),
    Token(&'a str),
    Iam(&'a Creds),
}

fn body(query: &str, variables: Value) -> String {
    json!({ "query": query, "variables": variables }).to_string()
}

/// A SigV4-signed (service `appsync`) POST of `body`.
pub(crate) fn sign_appsync(
    creds: &Creds,
    url: &str,
    body: &str,
    time: SystemTime,
) -> reqwest::Request {
    let identity = aws_credential_types::Credentials::new(
        &creds.access_key,
        &creds.secret_key,
        Some(creds.token.clone()),
        None,
        "test",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("appsync")
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .expect("params")
        .into();
    let headers = [("content-type", "application/json; charset=UTF-8")];
    let signable = SignableRequest::new(
        "POST",
        url,
        headers.iter().copied(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .expect("signable");
    let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
    let mut request = http::Request::builder().method("POST").uri(url);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let mut request = request.body(body.as_bytes().to_vec()).expect("request");
    instructions.apply_to_request_http1x(&mut request);
    reqwest::Request::try_from(request).expect("reqwest request")
}

impl Harness {
    pub(crate) async fn send_gql(&self, request: reqwest::Request) -> Gql {
        let response = self.http.execute(request).await.expect("send");
        let status = response.status().as_u16();
        let text = response.text().await.expect("text");
        Gql {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
        }
    }

    pub(crate) async fn gql(&self, auth: Auth<'_>, query: &str, variables: Value) -> Gql {
        let url = self.backend.graphql_url();
        let body = body(query, variables);
        let request = match auth {
            Auth::Iam(creds) => sign_appsync(creds, &url, &body, creds.clock.now()),
            _ => {
                let mut request = self
                    .http
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body);
                match auth {
                    Auth::ApiKey(key) => request = request.header("x-api-key", key),
                    Auth::Token(token) => request = request.header("authorization", token),
                    _ => {}
                }
                request.build().expect("request")
            }
        };
        self.send_gql(request).await
    }

    /// A user's access token.
    pub(crate) async fn access_token(&self, username: &str) -> String {
        self.user(username);
        self.sign_in(username).await["AccessToken"]
            .as_str()
            .expect("access token")
            .to_owned()
    }
}

async fn create_todo(h: &Harness, token: &str, content: &str) -> Value {
    let answer = h
        .gql(
            Auth::Token(token),
            &format!(
                "mutation($input: CreateTodoInput!) {{ createTodo(input: $input) {{ {TODO_FIELDS} }} }}"
            ),
            json!({ "input": { "content": content, "done": false } }),
        )
        .await;
    answer.data()["createTodo"].clone()
}

const LIST_TODOS: &str = "query($filter: ModelTodoFilterInput,$limit: Int,$nextToken: String) { listTodos(filter: $filter,limit: $limit,nextToken: $nextToken) { items { id content done owner createdAt } nextToken __typename } }";
const GET_TODO: &str = "query($id: ID!) { getTodo(id: $id) { id content owner } }";
const UPDATE_TODO: &str = "mutation($input: UpdateTodoInput!) { updateTodo(input: $input) { id content done owner updatedAt createdAt } }";
const DELETE_TODO: &str =
    "mutation($input: DeleteTodoInput!) { deleteTodo(input: $input) { id content } }";
const LIST_ANNOUNCEMENTS: &str =
    "query { listAnnouncements { items { id title body createdAt } nextToken } }";
const CREATE_ANNOUNCEMENT: &str =
    "mutation($input: CreateAnnouncementInput!) { createAnnouncement(input: $input) { id title } }";

fn is_uuid(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|s| s.len() == 36 && s.split('-').count() == 5)
}

#[tokio::test]
async fn owners_see_and_change_only_their_todos() {
    let h = Harness::start().await;
    h.backend.freeze_clock();
    let alice = h.access_token("alice").await;
    let bob = h.access_token("bob").await;

    let todo = create_todo(&h, &alice, "buy milk").await;
    assert!(is_uuid(&todo["id"]), "{todo}");
    assert_eq!(todo["owner"], "alice");
    assert_eq!(todo["done"], false);
    assert_eq!(todo["__typename"], "Todo");
    let created_at = todo["createdAt"].as_str().expect("createdAt").to_owned();
    assert!(
        created_at.ends_with('Z') && created_at.len() == 24,
        "{created_at}"
    );
    assert_eq!(todo["updatedAt"], todo["createdAt"]);
    let id = todo["id"].as_str().expect("id").to_owned();
    create_todo(&h, &bob, "bob's own").await;

    // Alice lists and gets hers.
    let list = h.gql(Auth::Token(&alice), LIST_TODOS, json!({})).await;
    let items = list.data()["listTodos"]["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], id.as_str());
    assert_eq!(
        list.data()["listTodos"]["__typename"],
        "ModelTodoConnection"
    );
    let got = h
        .gql(Auth::Token(&alice), GET_TODO, json!({ "id": id }))
        .await;
    assert_eq!(got.data()["getTodo"]["content"], "buy milk");

    // Bob sees only his own, and cannot read Alice's.
    let list = h.gql(Auth::Token(&bob), LIST_TODOS, json!({})).await;
    let items = list.data()["listTodos"]["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["owner"], "bob");
    h.gql(Auth::Token(&bob), GET_TODO, json!({ "id": id }))
        .await
        .assert_unauthorized("getTodo", "Query");
    // ...nor change or delete it, nor create one in her name.
    h.gql(
        Auth::Token(&bob),
        UPDATE_TODO,
        json!({ "input": { "id": id, "content": "hacked" } }),
    )
    .await
    .assert_unauthorized("updateTodo", "Mutation");
    h.gql(
        Auth::Token(&bob),
        UPDATE_TODO,
        json!({ "input": { "id": id, "owner": "bob" } }),
    )
    .await
    .assert_unauthorized("updateTodo", "Mutation");
    h.gql(
        Auth::Token(&bob),
        DELETE_TODO,
        json!({ "input": { "id": id } }),
    )
    .await
    .assert_unauthorized("deleteTodo", "Mutation");
    h.gql(
        Auth::Token(&bob),
        &format!(
            "mutation($input: CreateTodoInput!) {{ createTodo(input: $input) {{ {TODO_FIELDS} }} }}"
        ),
        json!({ "input": { "content": "forged", "owner": "alice" } }),
    )
    .await
    .assert_unauthorized("createTodo", "Mutation");

    // Alice's todo is untouched; she updates and deletes it.
    let got = h
        .gql(Auth::Token(&alice), GET_TODO, json!({ "id": id }))
        .await;
    assert_eq!(got.data()["getTodo"]["content"], "buy milk");
    h.backend.advance_clock(Duration::from_millis(1_500));
    let updated = h
        .gql(
            Auth::Token(&alice),
            UPDATE_TODO,
            json!({ "input": { "id": id, "done": true, "createdAt": null } }),
        )
        .await;
    // createdAt is read-only: not part of UpdateTodoInput.
    assert_eq!(updated.status, 200);
    assert!(updated.body["errors"].is_array(), "{}", updated.body);
    let updated = h
        .gql(
            Auth::Token(&alice),
            UPDATE_TODO,
            json!({ "input": { "id": id, "done": true } }),
        )
        .await;
    let updated = &updated.data()["updateTodo"];
    assert_eq!(updated["done"], true);
    assert_eq!(updated["content"], "buy milk");
    assert_eq!(updated["createdAt"], created_at.as_str());
    // Dated by the backend's clock, to the millisecond.
    let parse = |stamp: &str| {
        time::OffsetDateTime::parse(stamp, &time::format_description::well_known::Rfc3339)
            .expect("AWSDateTime")
    };
    assert_eq!(
        parse(updated["updatedAt"].as_str().expect("updatedAt")) - parse(&created_at),
        Duration::from_millis(1_500)
    );
    let deleted = h
        .gql(
            Auth::Token(&alice),
            DELETE_TODO,
            json!({ "input": { "id": id } }),
        )
        .await;
    assert_eq!(deleted.data()["deleteTodo"]["id"], id.as_str());
    let got = h
        .gql(Auth::Token(&alice), GET_TODO, json!({ "id": id }))
        .await;
    assert!(got.data()["getTodo"].is_null());
    // Deleting again fails the condition, as on AppSync.
    let again = h
        .gql(
            Auth::Token(&alice),
            DELETE_TODO,
            json!({ "input": { "id": id } }),
        )
        .await;
    assert_eq!(
        again.body["errors"][0]["errorType"],
        "DynamoDB:ConditionalCheckFailedException"
    );
    h.backend.shutdown().await;
}

#[tokio::test]
async fn id_tokens_and_bearer_prefix_are_accepted() {
    let h = Harness::start().await;
    h.user("carol");
    let tokens = h.sign_in("carol").await;
    let id_token = tokens["IdToken"].as_str().expect("id");
    let todo = create_todo(&h, id_token, "via id token").await;
    assert_eq!(todo["owner"], "carol");
    let bearer = format!("Bearer {}", tokens["AccessToken"].as_str().expect("a"));
    let list = h.gql(Auth::Token(&bearer), LIST_TODOS, json!({})).await;
    assert_eq!(list.data()["listTodos"]["items"][0]["id"], todo["id"]);
    h.backend.shutdown().await;
}

fn tamper(token: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut claims: Value =
        serde_json::from_slice(&engine.decode(&parts[1]).expect("b64")).expect("json");
    claims["username"] = json!("mallory");
    parts[1] = engine.encode(claims.to_string());
    parts.join(".")
}

#[tokio::test]
async fn bad_user_pool_tokens_are_refused() {
    let h = Harness::start().await;
    h.backend.freeze_clock();
    let token = h.access_token("dave").await;
    h.gql(Auth::Token(&tamper(&token)), LIST_TODOS, json!({}))
        .await
        .assert_refused(401, "UnauthorizedException");
    h.gql(Auth::Token("not-a-jwt"), LIST_TODOS, json!({}))
        .await
        .assert_refused(401, "UnauthorizedException");
    h.gql(Auth::None, LIST_TODOS, json!({}))
        .await
        .assert_refused(401, "UnauthorizedException");
    // Valid until its last second, expired at its `exp`.
    h.backend.advance_clock(HOUR - SECOND);
    h.gql(Auth::Token(&token), LIST_TODOS, json!({}))
        .await
        .data();
    h.backend.advance_clock(SECOND);
    let expired = h.gql(Auth::Token(&token), LIST_TODOS, json!({})).await;
    expired.assert_refused(401, "UnauthorizedException");
    assert_eq!(expired.body["errors"][0]["message"], "Token has expired.");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn the_api_key_reads_public_models_only() {
    let h = Harness::start().await;
    let key = h.backend.api_key().to_owned();
    assert!(key.starts_with("da2-") && key.len() == 30, "{key}");
    let list = h
        .gql(Auth::ApiKey(&key), LIST_ANNOUNCEMENTS, json!({}))
        .await;
    let items = list.data()["listAnnouncements"]["items"]
        .as_array()
        .expect("items");
    assert_eq!(items.len(), 2, "seed data");
    assert!(items.iter().all(|i| i["title"].is_string()));

    h.gql(
        Auth::ApiKey("da2-wrongwrongwrongwrongwrong12"),
        LIST_ANNOUNCEMENTS,
        json!({}),
    )
    .await
    .assert_refused(401, "UnauthorizedException");
    h.gql(Auth::ApiKey(&key), LIST_TODOS, json!({}))
        .await
        .assert_unauthorized("listTodos", "Query");
    h.gql(
        Auth::ApiKey(&key),
        CREATE_ANNOUNCEMENT,
        json!({ "input": { "title": "spam" } }),
    )
    .await
    .assert_unauthorized("createAnnouncement", "Mutation");

    // Signed-in users read and write announcements.
    let erin = h.access_token("erin").await;
    let created = h
        .gql(
            Auth::Token(&erin),
            CREATE_ANNOUNCEMENT,
            json!({ "input": { "title": "hello" } }),
        )
        .await;
    assert_eq!(created.data()["createAnnouncement"]["title"], "hello");
    let list = h
        .gql(Auth::ApiKey(&key), LIST_ANNOUNCEMENTS, json!({}))
        .await;
    assert_eq!(
        list.data()["listAnnouncements"]["items"]
            .as_array()
            .expect("items")
            .len(),
        3
    );
    // Introspection works (clients and tools use it).
    let schema = h
        .gql(
            Auth::ApiKey(&key),
            "{ __type(name: \"ModelTodoFilterInput\") { inputFields { name } } }",
            json!({}),
        )
        .await;
    let names: Vec<&str> = schema.data()["__type"]["inputFields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    for expected in [
        "id",
        "content",
        "done",
        "owner",
        "createdAt",
        "and",
        "or",
        "not",
    ] {
        assert!(names.contains(&expected), "{names:?}");
    }
    h.backend.shutdown().await;
}

/// Stops the backend and starts another on its data directory, sharing
/// `clock`.
async fn restart(h: Harness, clock: &amplify_local::Clock) -> Harness {
    let Harness { backend, dir, http } = h;
    backend.shutdown().await;
    let backend = LocalBackend::start(LocalOptions::new(dir.path()).with_clock(clock.clone()))
        .await
        .expect("restart");
    Harness { backend, dir, http }
}

#[tokio::test]
async fn an_expired_api_key_is_refused_and_replaced_at_restart() {
    let clock = amplify_local::Clock::default();
    clock.freeze();
    let h = Harness::start_with(|o| o.with_api_key_ttl(HOUR).with_clock(clock.clone())).await;
    let key = h.backend.api_key().to_owned();
    h.gql(Auth::ApiKey(&key), LIST_ANNOUNCEMENTS, json!({}))
        .await
        .data();
    // Kept across a restart while it is valid.
    let h = restart(h, &clock).await;
    assert_eq!(h.backend.api_key(), key);
    clock.advance(HOUR - SECOND);
    h.gql(Auth::ApiKey(&key), LIST_ANNOUNCEMENTS, json!({}))
        .await
        .data();
    clock.advance(SECOND);
    let expired = h
        .gql(Auth::ApiKey(&key), LIST_ANNOUNCEMENTS, json!({}))
        .await;
    expired.assert_refused(401, "UnauthorizedException");
    assert_eq!(
        expired.body["errors"][0]["message"],
        "You are not authorized to make this call."
    );
    let h = restart(h, &clock).await;
    let fresh = h.backend.api_key().to_owned();
    assert_ne!(fresh, key);
    h.gql(Auth::ApiKey(&fresh), LIST_ANNOUNCEMENTS, json!({}))
        .await
        .data();
    assert_eq!(h.backend.outputs()["data"]["api_key"], fresh.as_str());
    h.backend.shutdown().await;
}

#[tokio::test]
async fn iam_requests_are_verified() {
    let h = Harness::start().await;
    let guest = h.guest_creds().await;
    let frank = h.user_creds("frank").await;

    // Guests read announcements, signed-in identities write them.
    let list = h
        .gql(Auth::Iam(&guest), LIST_ANNOUNCEMENTS, json!({}))
        .await;
    assert_eq!(
        list.data()["listAnnouncements"]["items"]
            .as_array()
            .expect("items")
            .len(),
        2
    );
    h.gql(
        Auth::Iam(&guest),
        CREATE_ANNOUNCEMENT,
        json!({ "input": { "title": "guest" } }),
    )
    .await
    .assert_unauthorized("createAnnouncement", "Mutation");
    let created = h
        .gql(
            Auth::Iam(&frank),
            CREATE_ANNOUNCEMENT,
            json!({ "input": { "title": "from IAM" } }),
        )
        .await;
    assert_eq!(created.data()["createAnnouncement"]["title"], "from IAM");
    // Owner-only todos are not for IAM callers.
    h.gql(Auth::Iam(&frank), LIST_TODOS, json!({}))
        .await
        .assert_unauthorized("listTodos", "Query");

    let url = h.backend.graphql_url();
    let payload = body(LIST_ANNOUNCEMENTS, json!({}));
    // A wrong secret: the signature does not match.
    let wrong = Creds {
        secret_key: format!("{}x", guest.secret_key),
        ..guest.clone()
    };
    h.send_gql(sign_appsync(&wrong, &url, &payload, SystemTime::now()))
        .await
        .assert_refused(403, "InvalidSignatureException");
    // The body changed after signing.
    let mut request = sign_appsync(&guest, &url, &payload, SystemTime::now());
    *request.body_mut() = Some(body("query { listTodos { items { id } } }", json!({})).into());
    h.send_gql(request)
        .await
        .assert_refused(403, "InvalidSignatureException");
    // Someone else's session token.
    let foreign = Creds {
        token: frank.token.clone(),
        ..guest.clone()
    };
    h.send_gql(sign_appsync(&foreign, &url, &payload, SystemTime::now()))
        .await
        .assert_refused(403, "UnrecognizedClientException");
    // An access key this backend never issued.
    let unknown = Creds {
        access_key: "ASIAUNKNOWNUNKNOWN12".to_owned(),
        ..guest.clone()
    };
    h.send_gql(sign_appsync(&unknown, &url, &payload, SystemTime::now()))
        .await
        .assert_refused(403, "UnrecognizedClientException");
    // Signed 20 minutes ago.
    let stale = SystemTime::now() - Duration::from_secs(20 * 60);
    h.send_gql(sign_appsync(&guest, &url, &payload, stale))
        .await
        .assert_refused(403, "InvalidSignatureException");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn filters_and_paging() {
    let h = Harness::start().await;
    let token = h.access_token("gina").await;
    for i in 0..7 {
        let todo = create_todo(&h, &token, &format!("task {i}")).await;
        if i % 2 == 0 {
            h.gql(
                Auth::Token(&token),
                UPDATE_TODO,
                json!({ "input": { "id": todo["id"], "done": true } }),
            )
            .await
            .data();
        }
    }
    let count = |answer: &Gql| {
        answer.data()["listTodos"]["items"]
            .as_array()
            .expect("items")
            .len()
    };
    let done = h
        .gql(
            Auth::Token(&token),
            LIST_TODOS,
            json!({ "filter": { "done": { "eq": true } } }),
        )
        .await;
    assert_eq!(count(&done), 4);
    let filtered = h
        .gql(
            Auth::Token(&token),
            LIST_TODOS,
            json!({ "filter": { "or": [
                { "content": { "eq": "task 1" } },
                { "content": { "beginsWith": "task 6" } },
            ] } }),
        )
        .await;
    assert_eq!(count(&filtered), 2);
    let filtered = h
        .gql(
            Auth::Token(&token),
            LIST_TODOS,
            json!({ "filter": { "and": [
                { "content": { "contains": "task" } },
                { "not": { "done": { "eq": true } } },
                { "content": { "between": ["task 2", "task 5"] } },
            ] } }),
        )
        .await;
    assert_eq!(count(&filtered), 2, "{}", filtered.body);

    // Pages of 3: every item exactly once.
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = h
            .gql(
                Auth::Token(&token),
                LIST_TODOS,
                json!({ "limit": 3, "nextToken": next }),
            )
            .await;
        let list = &page.data()["listTodos"];
        pages += 1;
        for item in list["items"].as_array().expect("items") {
            seen.push(item["content"].as_str().expect("content").to_owned());
        }
        match list["nextToken"].as_str() {
            Some(token) => next = Some(token.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 7);
    let bad = h
        .gql(
            Auth::Token(&token),
            LIST_TODOS,
            json!({ "nextToken": "garbage!" }),
        )
        .await;
    assert_eq!(
        bad.body["errors"][0]["errorType"],
        "InvalidNextTokenException"
    );
    // Condition inputs are enforced.
    let todo = create_todo(&h, &token, "conditional").await;
    let refused = h
        .gql(
            Auth::Token(&token),
            "mutation($input: UpdateTodoInput!,$condition: ModelTodoConditionInput) { updateTodo(input: $input,condition: $condition) { id } }",
            json!({ "input": { "id": todo["id"], "done": true }, "condition": { "done": { "eq": true } } }),
        )
        .await;
    assert_eq!(
        refused.body["errors"][0]["errorType"],
        "DynamoDB:ConditionalCheckFailedException"
    );
    h.backend.shutdown().await;
}

#[tokio::test]
async fn outputs_describe_the_api_and_data_survives_a_restart() {
    let h = Harness::start().await;
    let outputs = h.backend.outputs();
    let data = &outputs["data"];
    assert_eq!(data["url"], h.backend.graphql_url());
    assert!(h.backend.graphql_url().ends_with("/graphql"));
    assert_eq!(data["aws_region"], "us-east-1");
    assert_eq!(data["api_key"], h.backend.api_key());
    assert_eq!(
        data["default_authorization_type"],
        "AMAZON_COGNITO_USER_POOLS"
    );
    assert_eq!(data["authorization_types"], json!(["API_KEY", "AWS_IAM"]));
    let todo = &data["model_introspection"]["models"]["Todo"];
    assert_eq!(todo["pluralName"], "Todos");
    assert_eq!(todo["fields"]["content"]["type"], "String");
    assert_eq!(todo["fields"]["createdAt"]["isReadOnly"], true);
    assert_eq!(todo["primaryKeyInfo"]["primaryKeyFieldName"], "id");
    assert_eq!(
        todo["attributes"][1]["properties"]["rules"][0]["allow"],
        "owner"
    );
    assert_eq!(data["model_introspection"]["version"], 1);
    // Existing keys stay.
    for key in ["auth", "storage", "custom", "version"] {
        assert!(outputs.get(key).is_some(), "{key}");
    }

    let token = h.access_token("hana").await;
    let todo = create_todo(&h, &token, "persisted").await;
    let key = h.backend.api_key().to_owned();
    let Harness { backend, dir, http } = h;
    let port: u16 = backend
        .base_url()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    backend.shutdown().await;
    let backend = LocalBackend::start(LocalOptions::new(dir.path()).with_port(port))
        .await
        .expect("restart");
    let h = Harness { backend, dir, http };
    assert_eq!(h.backend.api_key(), key);
    let list = h.gql(Auth::Token(&token), LIST_TODOS, json!({})).await;
    assert_eq!(list.data()["listTodos"]["items"][0]["id"], todo["id"]);
    // Seed data is written once.
    assert_eq!(
        h.backend.graphql_item_count("Announcement").expect("count"),
        2
    );
    h.backend.shutdown().await;
}

/// The reference's Appendix A `amplify_outputs.json` (data part).
fn appendix_a() -> Value {
    json!({
        "version": "1.4",
        "data": {
            "url": "https://abc.appsync-api.us-east-1.amazonaws.com/graphql",
            "aws_region": "us-east-1",
            "api_key": "da2-xxxx",
            "default_authorization_type": "AMAZON_COGNITO_USER_POOLS",
            "authorization_types": ["API_KEY", "AWS_IAM"],
            "model_introspection": { "version": 1, "models": { "Todo": { "name": "Todo", "pluralName": "Todos", "fields": { "id": {"name":"id","type":"ID","isArray":false,"isRequired":true}, "content": {"name":"content","type":"String","isArray":false,"isRequired":false}, "createdAt": {"name":"createdAt","type":"AWSDateTime","isArray":false,"isRequired":false,"isReadOnly":true} }, "attributes": [{"type":"model","properties":{}}, {"type":"auth","properties":{"rules":[{"provider":"userPools","ownerField":"owner","allow":"owner","identityClaim":"cognito:username","operations":["create","update","delete","read"]}]}}], "primaryKeyInfo": {"isCustomPrimaryKey": false, "primaryKeyFieldName": "id", "sortKeyFieldNames": []} } }, "enums": {}, "nonModels": {} }
        }
    })
}

#[tokio::test]
async fn a_schema_file_is_served_with_the_documents_the_client_sends() {
    let files = tempfile::tempdir().expect("tempdir");
    let path = files.path().join("amplify_outputs.json");
    std::fs::write(&path, appendix_a().to_string()).expect("write");
    let h = Harness::start_with(|o| o.with_schema_file(&path)).await;
    assert_eq!(
        h.backend.outputs()["data"]["model_introspection"],
        appendix_a()["data"]["model_introspection"]
    );
    assert!(!h.backend.graphql_schema_sdl().contains("Announcement"));
    let token = h.access_token("ivan").await;
    let created = h
        .gql(
            Auth::Token(&token),
            "mutation($input: CreateTodoInput!) { createTodo(input: $input) { id content createdAt owner } }",
            json!({ "input": { "content": "from appendix A" } }),
        )
        .await;
    assert_eq!(created.data()["createTodo"]["owner"], "ivan");
    let list = h
        .gql(
            Auth::Token(&token),
            "query($filter: ModelTodoFilterInput,$limit: Int,$nextToken: String) { listTodos(filter: $filter,limit: $limit,nextToken: $nextToken) { items { id content createdAt owner } nextToken __typename } }",
            json!({ "filter": null, "limit": null, "nextToken": null }),
        )
        .await;
    let connection = &list.data()["listTodos"];
    assert_eq!(connection["items"][0]["content"], "from appendix A");
    assert!(connection["nextToken"].is_null());
    assert_eq!(h.backend.graphql_item_count("Todo").expect("count"), 1);
    h.backend.shutdown().await;
}

/// A schema with enums, custom types, relationships, a custom primary key
/// and a secondary index, open to the API key.
fn rich_schema() -> Value {
    let public = json!([{ "allow": "public", "provider": "apiKey", "operations": ["create", "update", "delete", "read"] }]);
    let f = |name: &str, ty: Value, required: bool| {
        (
            name.to_owned(),
            json!({ "name": name, "type": ty, "isArray": false, "isRequired": required, "attributes": [] }),
        )
    };
    let fields = |list: Vec<(String, Value)>| Value::Object(list.into_iter().collect());
    let mut comments = f("comments", json!({ "model": "Comment" }), false);
    comments.1["isArray"] = json!(true);
    comments.1["association"] =
        json!({ "connectionType": "HAS_MANY", "associatedWith": ["postId"] });
    let mut cover = f("cover", json!({ "model": "Cover" }), false);
    cover.1["association"] =
        json!({ "connectionType": "HAS_ONE", "associatedWith": ["postId"], "targetNames": [] });
    let mut post = f("post", json!({ "model": "Post" }), false);
    post.1["association"] = json!({ "connectionType": "BELONGS_TO", "targetNames": ["postId"] });
    json!({
        "version": 1,
        "models": {
            "Post": {
                "name": "Post", "pluralName": "Posts",
                "fields": fields(vec![
                    f("id", json!("ID"), true),
                    f("title", json!("String"), true),
                    f("status", json!({ "enum": "Status" }), false),
                    f("location", json!({ "nonModel": "Location" }), false),
                    f("meta", json!("AWSJSON"), false),
                    f("contact", json!("AWSEmail"), false),
                    comments,
                    cover,
                ]),
                "attributes": [
                    { "type": "model", "properties": {} },
                    { "type": "key", "properties": { "name": "byStatus", "queryField": "postsByStatus", "fields": ["status", "title"] } },
                    { "type": "auth", "properties": { "rules": public } },
                ],
                "primaryKeyInfo": { "isCustomPrimaryKey": false, "primaryKeyFieldName": "id", "sortKeyFieldNames": [] },
            },
            "Comment": {
                "name": "Comment", "pluralName": "Comments",
                "fields": fields(vec![
                    f("id", json!("ID"), true),
                    f("postId", json!("ID"), false),
                    f("body", json!("String"), false),
                    post,
                ]),
                "attributes": [
                    { "type": "model", "properties": {} },
                    { "type": "auth", "properties": { "rules": public } },
                ],
                "primaryKeyInfo": { "isCustomPrimaryKey": false, "primaryKeyFieldName": "id", "sortKeyFieldNames": [] },
            },
            "Cover": {
                "name": "Cover", "pluralName": "Covers",
                "fields": fields(vec![
                    f("id", json!("ID"), true),
                    f("postId", json!("ID"), false),
                    f("url", json!("AWSURL"), false),
                ]),
                "attributes": [
                    { "type": "model", "properties": {} },
                    { "type": "auth", "properties": { "rules": public } },
                ],
                "primaryKeyInfo": { "isCustomPrimaryKey": false, "primaryKeyFieldName": "id", "sortKeyFieldNames": [] },
            },
            "Slot": {
                "name": "Slot", "pluralName": "Slots",
                "fields": fields(vec![
                    f("venue", json!("String"), true),
                    f("day", json!("AWSDate"), true),
                    f("hour", json!("String"), true),
                ]),
                "attributes": [
                    { "type": "model", "properties": {} },
                    { "type": "key", "properties": { "fields": ["venue", "day", "hour"] } },
                    { "type": "auth", "properties": { "rules": public } },
                ],
                "primaryKeyInfo": { "isCustomPrimaryKey": true, "primaryKeyFieldName": "venue", "sortKeyFieldNames": ["day", "hour"] },
            },
            "Reading": {
                "name": "Reading", "pluralName": "Readings",
                "fields": fields(vec![
                    f("sensor", json!("String"), true),
                    f("at", json!("AWSTimestamp"), true),
                    f("value", json!("Float"), false),
                ]),
                "attributes": [
                    { "type": "model", "properties": {} },
                    { "type": "key", "properties": { "fields": ["sensor", "at"] } },
                    { "type": "auth", "properties": { "rules": public } },
                ],
                "primaryKeyInfo": { "isCustomPrimaryKey": true, "primaryKeyFieldName": "sensor", "sortKeyFieldNames": ["at"] },
            },
        },
        "enums": { "Status": { "name": "Status", "values": ["DRAFT", "PUBLISHED"] } },
        "nonModels": {
            "Location": {
                "name": "Location",
                "fields": fields(vec![f("lat", json!("Float"), true), f("lng", json!("Float"), true)]),
            },
        },
    })
}

#[tokio::test]
async fn relationships_enums_custom_types_and_keys() {
    let files = tempfile::tempdir().expect("tempdir");
    let path = files.path().join("amplify_outputs.json");
    std::fs::write(
        &path,
        json!({ "data": { "model_introspection": rich_schema() } }).to_string(),
    )
    .expect("write");
    let h = Harness::start_with(|o| o.with_schema_file(&path)).await;
    let key = h.backend.api_key().to_owned();
    let k = Auth::ApiKey(&key);
    let post = h
        .gql(
            k,
            "mutation($input: CreatePostInput!) { createPost(input: $input) { id title status location { lat lng } meta contact } }",
            json!({ "input": {
                "title": "First", "status": "PUBLISHED",
                "location": { "lat": 1.5, "lng": 2.5 },
                "meta": "{\"a\":1}", "contact": "a@example.com",
            } }),
        )
        .await;
    let post = post.data()["createPost"].clone();
    assert_eq!(post["status"], "PUBLISHED");
    assert_eq!(post["location"]["lng"], 2.5);
    assert_eq!(post["meta"], "{\"a\":1}");
    // AWS scalars are validated.
    let bad = h
        .gql(
            k,
            "mutation($input: CreatePostInput!) { createPost(input: $input) { id } }",
            json!({ "input": { "title": "x", "contact": "not-an-email" } }),
        )
        .await;
    assert!(bad.body["errors"].is_array(), "{}", bad.body);
    h.gql(
        k,
        "mutation($input: CreatePostInput!) { createPost(input: $input) { id } }",
        json!({ "input": { "title": "Draft one", "status": "DRAFT" } }),
    )
    .await
    .data();
    for body in ["c1", "c2"] {
        h.gql(
            k,
            "mutation($input: CreateCommentInput!) { createComment(input: $input) { id } }",
            json!({ "input": { "postId": post["id"], "body": body } }),
        )
        .await
        .data();
    }
    let got = h
        .gql(
            k,
            "query($id: ID!) { getPost(id: $id) { title comments { items { body post { title } } nextToken } } }",
            json!({ "id": post["id"] }),
        )
        .await;
    let comments = got.data()["getPost"]["comments"]["items"]
        .as_array()
        .expect("items")
        .clone();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0]["post"]["title"], "First");
    // hasOne, found by the child's foreign key.
    h.gql(
        k,
        "mutation($input: CreateCoverInput!) { createCover(input: $input) { id } }",
        json!({ "input": { "postId": post["id"], "url": "https://example.com/c.png" } }),
    )
    .await
    .data();
    let with_cover = h
        .gql(
            k,
            "query($id: ID!) { getPost(id: $id) { cover { url } } }",
            json!({ "id": post["id"] }),
        )
        .await;
    assert_eq!(
        with_cover.data()["getPost"]["cover"]["url"],
        "https://example.com/c.png"
    );
    // Composite sort keys, as the model client queries them.
    for (day, hour) in [
        ("2024-01-02", "09"),
        ("2024-01-01", "10"),
        ("2024-01-01", "08"),
    ] {
        h.gql(
            k,
            "mutation($input: CreateSlotInput!) { createSlot(input: $input) { venue } }",
            json!({ "input": { "venue": "hall", "day": day, "hour": hour } }),
        )
        .await
        .data();
    }
    let slots = h
        .gql(
            k,
            "query($venue: String,$sortDirection: ModelSortDirection,$dayHour: ModelSlotPrimaryCompositeKeyConditionInput,$filter: ModelSlotFilterInput,$limit: Int,$nextToken: String) { listSlots(venue: $venue,sortDirection: $sortDirection,dayHour: $dayHour,filter: $filter,limit: $limit,nextToken: $nextToken) { items { day hour } nextToken __typename } }",
            json!({ "venue": "hall", "dayHour": { "beginsWith": { "day": "2024-01-01" } } }),
        )
        .await;
    assert_eq!(
        slots.data()["listSlots"]["items"],
        json!([{ "day": "2024-01-01", "hour": "08" }, { "day": "2024-01-01", "hour": "10" }])
    );
    // The secondary index query field.
    let by_status = h
        .gql(
            k,
            "query($status: Status!,$title: ModelStringKeyConditionInput) { postsByStatus(status: $status,title: $title) { items { title } } }",
            json!({ "status": "DRAFT", "title": { "beginsWith": "Draft" } }),
        )
        .await;
    assert_eq!(
        by_status.data()["postsByStatus"]["items"][0]["title"],
        "Draft one"
    );
    // A custom primary key with a sort key.
    for at in [30, 10, 20] {
        h.gql(
            k,
            "mutation($input: CreateReadingInput!) { createReading(input: $input) { sensor at } }",
            json!({ "input": { "sensor": "s1", "at": at, "value": 0.5 } }),
        )
        .await
        .data();
    }
    let readings = h
        .gql(
            k,
            "query($sensor: String,$at: ModelIntKeyConditionInput,$sortDirection: ModelSortDirection) { listReadings(sensor: $sensor,at: $at,sortDirection: $sortDirection) { items { at } } }",
            json!({ "sensor": "s1", "at": { "ge": 15 }, "sortDirection": "DESC" }),
        )
        .await;
    assert_eq!(
        readings.data()["listReadings"]["items"],
        json!([{ "at": 30 }, { "at": 20 }])
    );
    let one = h
        .gql(
            k,
            "query { getReading(sensor: \"s1\", at: 10) { value } }",
            json!({}),
        )
        .await;
    assert_eq!(one.data()["getReading"]["value"], 0.5);
    h.backend.shutdown().await;
}

#[tokio::test]
async fn the_binary_serves_a_schema_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let schema = dir.path().join("backend_outputs.json");
    std::fs::write(&schema, appendix_a().to_string()).expect("write");
    let outputs = dir.path().join("amplify_outputs.json");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"data\": {}}").expect("write");
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_amplify-local"))
        .args(["serve", "--port", "0", "--s3-port", "0", "--data"])
        .arg(dir.path().join("data"))
        .arg("--outputs")
        .arg(&outputs)
        .arg("--schema")
        .arg(&bad)
        .output()
        .expect("run amplify-local");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("model_introspection"));

    let schema = schema.to_str().expect("UTF-8 temporary path");
    let child = serve_binary(&dir.path().join("data"), &outputs, &["--schema", schema]).await;
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&outputs).expect("outputs written"))
            .expect("outputs JSON");
    let data = &written["data"];
    assert_eq!(
        data["model_introspection"],
        appendix_a()["data"]["model_introspection"]
    );
    let answer: Value = reqwest::Client::new()
        .post(data["url"].as_str().expect("url"))
        .header("x-api-key", data["api_key"].as_str().expect("key"))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    drop(child);
    assert_eq!(answer, json!({ "data": { "__typename": "Query" } }));
}

#[tokio::test]
async fn deeply_nested_queries_are_refused_and_the_server_stays_up() {
    const MAX_NESTING: usize = 64;
    let h = Harness::start().await;
    let key = h.backend.api_key().to_owned();
    let nested = |levels: usize| {
        format!(
            "query {{ listAnnouncements(filter: {}{{title: {{eq: \"x\"}}}}{}) {{ items {{ id }} }} }}",
            "{not: ".repeat(levels),
            "}".repeat(levels)
        )
    };
    // Without a bound, the GraphQL parser recursed once per level, and 300 levels overflowed the stack of the
    // thread serving the request, which aborted the whole process (this test binary with it).
    for levels in [300, 400, 5000, MAX_NESTING - 3] {
        h.gql(Auth::ApiKey(&key), &nested(levels), json!({}))
            .await
            .assert_refused(400, "ValidationError");
    }
    // The document's other levels (`query {`, `(`, `{title:`, `{eq:`) leave 60 for the filter.
    let answer = h
        .gql(Auth::ApiKey(&key), &nested(MAX_NESTING - 4), json!({}))
        .await;
    assert_eq!(answer.data()["listAnnouncements"]["items"], json!([]));
}
