//! The GraphQL request pipeline (reference §8.2) against a stub AppSync that records what it receives: the
//! headers of every auth mode, precedence, custom headers, retries, errors, and the model operations' variables.

mod common;
mod data_support;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use amplify_ssr::ServerRunner;
use amplify_ssr::cognito::RetryPolicy;
use amplify_ssr::data::{
    AuthMode, DataClient, DataError, GraphqlRequest, ListOptions, ModelOptions, SortDirection,
};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use data_support::{appendix_a_introspection, blog_introspection, outputs, runner};
use serde_json::{Value, json};

#[derive(Clone, Default)]
struct Stub {
    requests: Arc<Mutex<Vec<(HeaderMap, Value)>>>,
    responses: Arc<Mutex<VecDeque<(u16, String)>>>,
}

struct Server {
    url: String,
    stub: Stub,
}

impl Server {
    async fn start() -> Self {
        let stub = Stub::default();
        let app = axum::Router::new()
            .route("/graphql", post(handle))
            .with_state(stub.clone());
        let url = format!("{}/graphql", common::serve(app).await);
        Self { url, stub }
    }

    fn respond(&self, status: u16, body: &str) {
        self.stub
            .responses
            .lock()
            .unwrap()
            .push_back((status, body.to_owned()));
    }

    fn requests(&self) -> Vec<(HeaderMap, Value)> {
        self.stub.requests.lock().unwrap().clone()
    }

    fn last(&self) -> (HeaderMap, Value) {
        self.requests().pop().expect("a request was received")
    }

    fn runner(&self, default_auth: &str) -> ServerRunner {
        runner(&outputs(&self.url, blog_introspection(), default_auth))
    }

    fn client(&self, default_auth: &str) -> DataClient {
        DataClient::new(&self.runner(default_auth))
            .expect("client")
            .with_retry_policy(fast_retries())
    }
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy::new()
        .with_base_delay(Duration::from_millis(1))
        .with_max_delay(Duration::from_millis(10))
}

async fn handle(
    State(stub): State<Stub>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, [(&'static str, &'static str); 1], String) {
    let body: Value = serde_json::from_str(&body).expect("JSON body");
    stub.requests.lock().unwrap().push((headers, body));
    let (status, body) = stub
        .responses
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or((200, r#"{"data":{"ok":true}}"#.to_owned()));
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        body,
    )
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

const QUERY: &str = "query { ok }";

#[tokio::test]
async fn api_key_mode_sends_the_key_and_the_common_headers() {
    let server = Server::start().await;
    let client = server.client("API_KEY");
    let ctx = server.runner("API_KEY").static_context();
    let response = client
        .graphql(&ctx, GraphqlRequest::new(QUERY))
        .await
        .unwrap();
    assert_eq!(response.data, json!({"ok": true}));
    let (headers, body) = server.last();
    assert_eq!(header(&headers, "x-api-key"), Some("da2-xxxx"));
    assert_eq!(header(&headers, "authorization"), None);
    assert_eq!(
        header(&headers, "content-type"),
        Some("application/json; charset=UTF-8")
    );
    assert!(header(&headers, "x-amz-user-agent").is_some_and(|ua| ua.starts_with("amplify-ssr/")));
    assert_eq!(body, json!({"query": QUERY, "variables": null}));

    // The call's key wins over the client's, which wins over the configuration's.
    let client = client.with_api_key("da2-client");
    client
        .graphql(&ctx, GraphqlRequest::new(QUERY))
        .await
        .unwrap();
    assert_eq!(header(&server.last().0, "x-api-key"), Some("da2-client"));
    client
        .graphql(
            &ctx,
            GraphqlRequest::new(QUERY)
                .api_key("da2-call")
                .variables(json!({"a": 1}))
                .operation_name("Op"),
        )
        .await
        .unwrap();
    let (headers, body) = server.last();
    assert_eq!(header(&headers, "x-api-key"), Some("da2-call"));
    assert_eq!(
        body,
        json!({"query": QUERY, "variables": {"a": 1}, "operationName": "Op"})
    );
}

#[tokio::test]
async fn auth_mode_precedence_call_then_client_then_config_then_iam() {
    let server = Server::start().await;
    let ctx = server.runner("API_KEY").static_context();
    // Config: API_KEY.
    let client = server.client("API_KEY");
    assert_eq!(client.default_auth_mode(), AuthMode::ApiKey);
    client
        .graphql(&ctx, GraphqlRequest::new(QUERY))
        .await
        .unwrap();
    assert!(server.last().0.contains_key("x-api-key"));
    // Client: lambda.
    let client = client
        .with_auth_mode(AuthMode::Lambda)
        .with_auth_token("tok-client");
    client
        .graphql(&ctx, GraphqlRequest::new(QUERY))
        .await
        .unwrap();
    let (headers, _) = server.last();
    assert_eq!(header(&headers, "authorization"), Some("tok-client"));
    assert!(!headers.contains_key("x-api-key"));
    // Call: none.
    client
        .graphql(&ctx, GraphqlRequest::new(QUERY).auth_mode(AuthMode::None))
        .await
        .unwrap();
    let (headers, _) = server.last();
    assert!(!headers.contains_key("authorization") && !headers.contains_key("x-api-key"));
    // Call: lambda with its own token.
    client
        .graphql(
            &ctx,
            GraphqlRequest::new(QUERY)
                .auth_mode(AuthMode::Lambda)
                .auth_token("tok-call"),
        )
        .await
        .unwrap();
    assert_eq!(header(&server.last().0, "authorization"), Some("tok-call"));

    // No default_authorization_type: iam, and without an identity pool that is NoCredentials.
    let mut bare = outputs(&server.url, appendix_a_introspection(), "API_KEY");
    bare["data"]
        .as_object_mut()
        .unwrap()
        .remove("default_authorization_type");
    let client = DataClient::new(&runner(&bare)).unwrap();
    assert_eq!(client.default_auth_mode(), AuthMode::Iam);
    assert_eq!(AuthMode::IdentityPool, AuthMode::Iam);
    let error = client
        .graphql(&ctx, GraphqlRequest::new(QUERY))
        .await
        .unwrap_err();
    assert_eq!(error.name(), "NoCredentials", "{error}");
    assert_eq!(server.requests().len(), 4, "no request without credentials");
}

#[tokio::test]
async fn missing_credentials_are_named_errors_before_any_request() {
    let server = Server::start().await;
    let ctx = server.runner("API_KEY").static_context();
    let mut no_key = outputs(&server.url, appendix_a_introspection(), "API_KEY");
    no_key["data"].as_object_mut().unwrap().remove("api_key");
    let client = DataClient::new(&runner(&no_key)).unwrap();
    let name = |result: Result<_, DataError>| result.unwrap_err().name().to_owned();
    assert_eq!(
        name(client.graphql(&ctx, GraphqlRequest::new(QUERY)).await),
        "NoApiKey"
    );
    assert_eq!(
        name(
            client
                .graphql(&ctx, GraphqlRequest::new(QUERY).auth_mode(AuthMode::Lambda))
                .await
        ),
        "NoAuthorizationHeader"
    );
    for mode in [AuthMode::UserPool, AuthMode::Oidc] {
        assert_eq!(
            name(
                client
                    .graphql(&ctx, GraphqlRequest::new(QUERY).auth_mode(mode))
                    .await
            ),
            "NoValidAuthTokens"
        );
    }
    assert_eq!(
        name(
            client
                .graphql(&ctx, GraphqlRequest::new(QUERY).auth_mode(AuthMode::Iam))
                .await
        ),
        "NoCredentials"
    );
    // Model operations report them as errors too (not as returned GraphQL errors).
    let todo = client.model("Todo").unwrap();
    assert_eq!(
        todo.list(&ctx, ListOptions::new())
            .await
            .unwrap_err()
            .name(),
        "NoApiKey"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn per_call_headers_replace_client_headers() {
    let server = Server::start().await;
    let ctx = server.runner("API_KEY").static_context();
    let client = server
        .client("API_KEY")
        .with_header("x-a", "1")
        .with_header("X-B", "2");
    client
        .graphql(&ctx, GraphqlRequest::new(QUERY))
        .await
        .unwrap();
    let (headers, _) = server.last();
    assert_eq!(header(&headers, "x-a"), Some("1"));
    assert_eq!(header(&headers, "x-b"), Some("2"));

    client
        .graphql(&ctx, GraphqlRequest::new(QUERY).header("x-c", "3"))
        .await
        .unwrap();
    let (headers, _) = server.last();
    assert_eq!(header(&headers, "x-c"), Some("3"));
    assert!(!headers.contains_key("x-a") && !headers.contains_key("x-b"));

    // Model options too; a custom header overrides an auth header of the same name.
    let post = client.model("Post").unwrap();
    post.get(
        &ctx,
        json!({"id": "1"}),
        ModelOptions::new().header("x-api-key", "da2-header"),
    )
    .await
    .unwrap();
    let (headers, _) = server.last();
    assert_eq!(header(&headers, "x-api-key"), Some("da2-header"));
    assert!(!headers.contains_key("x-a"));
}

#[tokio::test]
async fn retries_429_and_5xx_then_succeeds() {
    let server = Server::start().await;
    let ctx = server.runner("API_KEY").static_context();
    let client = server.client("API_KEY");
    server.respond(503, "unavailable");
    server.respond(
        429,
        r#"{"errors":[{"errorType":"TooManyRequests","message":"slow down"}]}"#,
    );
    let response = client
        .graphql(&ctx, GraphqlRequest::new(QUERY))
        .await
        .unwrap();
    assert_eq!(response.data, json!({"ok": true}));
    assert_eq!(server.requests().len(), 3);

    // Three failures: the last one is reported.
    for _ in 0..3 {
        server.respond(502, "bad gateway");
    }
    let error = client
        .graphql(&ctx, GraphqlRequest::new(QUERY))
        .await
        .unwrap_err();
    assert!(
        matches!(error, DataError::Http { status: 502, .. }),
        "{error:?}"
    );
    assert_eq!(server.requests().len(), 6);

    // A 400 is not retried.
    server.respond(400, "bad request");
    let error = client
        .graphql(&ctx, GraphqlRequest::new(QUERY))
        .await
        .unwrap_err();
    assert!(
        matches!(error, DataError::Http { status: 400, .. }),
        "{error:?}"
    );
    assert_eq!(server.requests().len(), 7);
}

#[tokio::test]
async fn network_errors_are_retried_then_reported() {
    // Nothing listens on this port.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/graphql", listener.local_addr().unwrap());
    drop(listener);
    let runner = runner(&outputs(&url, appendix_a_introspection(), "API_KEY"));
    let client = DataClient::new(&runner)
        .unwrap()
        .with_retry_policy(fast_retries());
    let error = client
        .graphql(&runner.static_context(), GraphqlRequest::new(QUERY))
        .await
        .unwrap_err();
    assert_eq!(error.name(), "NetworkError", "{error}");
}

const PARTIAL: &str = r#"{"data":{"getPost":{"id":"p1","title":null}},"errors":[{"path":["getPost","title"],
    "locations":[{"line":1,"column":2}],"errorType":"Unauthorized","errorInfo":null,
    "message":"Not Authorized to access title on type Post"}]}"#;

#[tokio::test]
async fn errors_reject_raw_graphql_but_are_returned_by_model_operations() {
    let server = Server::start().await;
    let ctx = server.runner("API_KEY").static_context();
    let client = server.client("API_KEY");
    server.respond(200, PARTIAL);
    let error = client
        .graphql(&ctx, GraphqlRequest::new(QUERY))
        .await
        .unwrap_err();
    let DataError::Graphql { data, errors } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(data["getPost"]["id"], "p1");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].error_type.as_deref(), Some("Unauthorized"));
    assert_eq!(errors[0].path, [json!("getPost"), json!("title")]);
    assert_eq!(
        errors[0].message,
        "Not Authorized to access title on type Post"
    );
    assert_eq!(error.name(), "Unauthorized");
    assert!(error.is_unauthorized());

    server.respond(200, PARTIAL);
    let result = client
        .model("Post")
        .unwrap()
        .get(&ctx, json!({"id": "p1"}), ModelOptions::new())
        .await
        .unwrap();
    assert_eq!(result.data, Some(json!({"id": "p1", "title": null})));
    assert_eq!(result.errors.len(), 1);

    // An HTTP-level UnauthorizedException, as aws-amplify rewrites it.
    server.respond(
        401,
        r#"{"errors":[{"errorType":"UnauthorizedException","message":"You are not authorized to make this call."}]}"#,
    );
    let result = client
        .model("Post")
        .unwrap()
        .list(&ctx, ListOptions::new())
        .await
        .unwrap();
    assert!(result.data.is_empty());
    assert_eq!(result.errors[0].message, "Unauthorized");
    assert_eq!(
        result.errors[0].error_type.as_deref(),
        Some("UnauthorizedException")
    );
    assert!(
        result.errors[0]
            .recovery_suggestion
            .as_deref()
            .unwrap()
            .contains("authMode")
    );

    // Not JSON with a success status.
    server.respond(200, "<html>");
    let error = client
        .graphql(&ctx, GraphqlRequest::new(QUERY))
        .await
        .unwrap_err();
    assert_eq!(error.name(), "InvalidResponse");
}

#[tokio::test]
async fn model_operation_variables() {
    let server = Server::start().await;
    let ctx = server.runner("API_KEY").static_context();
    let client = server.client("API_KEY");
    let post = client.model("Post").unwrap();

    // CREATE: a related model object in a belongsTo field becomes its foreign key.
    server.respond(200, r#"{"data":{"createPost":{"id":"p1","title":"Hi"}}}"#);
    let created = post
        .create(
            &ctx,
            json!({"title": "Hi", "author": {"id": "a1", "name": "Ann"}}),
            ModelOptions::new(),
        )
        .await
        .unwrap();
    assert_eq!(created.data, Some(json!({"id": "p1", "title": "Hi"})));
    assert!(created.errors.is_empty());
    let (_, body) = server.last();
    assert_eq!(
        body["variables"],
        json!({"input": {"title": "Hi", "authorId": "a1"}})
    );
    assert!(
        body["query"]
            .as_str()
            .unwrap()
            .starts_with("mutation($input: CreatePostInput!)")
    );

    // UPDATE: read-only fields and undeclared owner fields are dropped.
    post.update(
        &ctx,
        json!({"id": "p1", "title": "New", "createdAt": "x", "updatedAt": "y", "editor": "bob",
            "editors": ["g"]}),
        ModelOptions::new(),
    )
    .await
    .unwrap();
    assert_eq!(
        server.last().1["variables"],
        json!({"input": {"id": "p1", "title": "New"}})
    );

    // GET and DELETE: only the key.
    post.get(
        &ctx,
        json!({"id": "p1", "title": "ignored"}),
        ModelOptions::new(),
    )
    .await
    .unwrap();
    assert_eq!(server.last().1["variables"], json!({"id": "p1"}));
    post.delete(
        &ctx,
        json!({"id": "p1", "title": "ignored"}),
        ModelOptions::new(),
    )
    .await
    .unwrap();
    assert_eq!(server.last().1["variables"], json!({"input": {"id": "p1"}}));

    // LIST: only what is set.
    post.list(&ctx, ListOptions::new()).await.unwrap();
    assert_eq!(server.last().1["variables"], json!({}));
    post.list(
        &ctx,
        ListOptions::new()
            .filter(json!({"title": {"eq": "Hi"}}))
            .limit(5)
            .next_token("t1"),
    )
    .await
    .unwrap();
    assert_eq!(
        server.last().1["variables"],
        json!({"filter": {"title": {"eq": "Hi"}}, "limit": 5, "nextToken": "t1"})
    );

    // Custom primary key with a composite sort key.
    let order = client.model("Order").unwrap();
    order
        .list(
            &ctx,
            ListOptions::new()
                .key(json!({"customerId": "c1", "orderDateOrderNumber": {"beginsWith": {"orderDate": "2024"}}}))
                .sort_direction(SortDirection::Desc),
        )
        .await
        .unwrap();
    assert_eq!(
        server.last().1["variables"],
        json!({"sortDirection": "DESC", "customerId": "c1",
            "orderDateOrderNumber": {"beginsWith": {"orderDate": "2024"}}})
    );
    order
        .get(
            &ctx,
            json!({"customerId": "c1", "orderDate": "2024-01-01", "orderNumber": 7, "total": 1.5}),
            ModelOptions::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        server.last().1["variables"],
        json!({"customerId": "c1", "orderDate": "2024-01-01", "orderNumber": 7})
    );

    // Secondary index query.
    server.respond(
        200,
        r#"{"data":{"listPostByStatusAndCreatedAt":{"items":[{"id":"p1"}],"nextToken":null,"__typename":"ModelPostConnection"}}}"#,
    );
    let page = post
        .index_query(
            &ctx,
            "listPostByStatusAndCreatedAt",
            json!({"status": "PUBLISHED", "createdAt": {"gt": "2024"}}),
            ListOptions::new()
                .sort_direction(SortDirection::Asc)
                .limit(10),
        )
        .await
        .unwrap();
    assert_eq!(page.data, [json!({"id": "p1"})]);
    assert_eq!(
        server.last().1["variables"],
        json!({"status": "PUBLISHED", "createdAt": {"gt": "2024"}, "sortDirection": "ASC", "limit": 10})
    );
    // Disabled operations never reach the server.
    let requests = server.requests().len();
    let error = client
        .model("AuditLog")
        .unwrap()
        .delete(&ctx, json!({"id": "1"}), ModelOptions::new())
        .await
        .unwrap_err();
    assert_eq!(error.name(), "OperationDisabled");
    assert_eq!(server.requests().len(), requests);
}

#[tokio::test]
async fn relationship_collections_are_flattened_and_pages_are_followed() {
    let server = Server::start().await;
    let ctx = server.runner("API_KEY").static_context();
    let client = server.client("API_KEY");
    let post = client.model("Post").unwrap();
    server.respond(
        200,
        r#"{"data":{"getPost":{"id":"p1","author":{"id":"a1","posts":{"items":[{"id":"p1"}]}},
            "comments":{"items":[{"content":"a"},{"content":"b"}],"nextToken":null}}}}"#,
    );
    let result = post
        .get(
            &ctx,
            json!({"id": "p1"}),
            ModelOptions::new().selection_set(["id", "author.posts.id", "comments.content"]),
        )
        .await
        .unwrap();
    assert_eq!(
        result.data,
        Some(
            json!({"id": "p1", "author": {"id": "a1", "posts": [{"id": "p1"}]},
            "comments": [{"content": "a"}, {"content": "b"}]})
        )
    );
    assert!(
        server.last().1["query"]
            .as_str()
            .unwrap()
            .contains("{ id author { posts { items { id } } } comments { items { content } } }")
    );

    for (items, token) in [
        (r#"[{"id":"1"},{"id":"2"}]"#, r#""t1""#),
        (r#"[]"#, r#""t2""#),
        (r#"[{"id":"3"}]"#, "null"),
    ] {
        server.respond(
            200,
            &format!(r#"{{"data":{{"listPosts":{{"items":{items},"nextToken":{token},"__typename":"ModelPostConnection"}}}}}}"#),
        );
    }
    let all = post
        .list_all(&ctx, ListOptions::new().limit(2))
        .await
        .unwrap();
    assert_eq!(
        all.data,
        [json!({"id": "1"}), json!({"id": "2"}), json!({"id": "3"})]
    );
    assert_eq!(all.next_token, None);
    let tokens: Vec<Value> = server
        .requests()
        .iter()
        .rev()
        .take(3)
        .rev()
        .map(|(_, body)| body["variables"]["nextToken"].clone())
        .collect();
    assert_eq!(tokens, [Value::Null, json!("t1"), json!("t2")]);
}

#[tokio::test]
async fn secrets_stay_out_of_debug_output() {
    let request = GraphqlRequest::new(QUERY)
        .api_key("da2-very-secret")
        .auth_token("tok-very-secret");
    let printed = format!("{request:?}");
    assert!(!printed.contains("very-secret"), "{printed}");
    let server = Server::start().await;
    let client = server
        .client("API_KEY")
        .with_api_key("da2-very-secret")
        .with_auth_token("tok-very-secret");
    let printed = format!("{client:?}");
    assert!(
        !printed.contains("very-secret") && !printed.contains("da2-xxxx"),
        "{printed}"
    );
}

/// Outputs of an in-process amplify-local (user pool, identity pool) whose `data` section points at the stub.
fn local_runner(backend: &common::Backend, server: &Server, default_auth: &str) -> ServerRunner {
    let mut config = backend.backend.outputs();
    config["data"] = outputs(&server.url, appendix_a_introspection(), default_auth)["data"].clone();
    ServerRunner::builder(amplify_ssr::AmplifyConfig::from_value(&config).expect("config"))
        .ignore_env()
        .build()
        .expect("runner")
}

#[tokio::test]
async fn user_pool_mode_sends_the_raw_access_token_of_the_session() {
    let backend = common::Backend::start().await;
    let server = Server::start().await;
    let runner = local_runner(&backend, &server, "AMAZON_COGNITO_USER_POOLS");
    let client = DataClient::new(&runner).unwrap();
    let alice = backend.user("alice");
    let jar = common::signed_in_jar(&runner, &alice).await;
    let access_token = jar
        .ending_with(".accessToken")
        .expect("access token")
        .to_owned();

    let ctx = jar.context(&runner);
    let todo = client.model("Todo").unwrap();
    todo.list(&ctx, ListOptions::new()).await.unwrap();
    let (headers, _) = server.last();
    assert_eq!(
        header(&headers, "authorization"),
        Some(access_token.as_str())
    );
    assert!(
        !header(&headers, "authorization")
            .unwrap()
            .starts_with("Bearer")
    );
    assert!(!headers.contains_key("x-api-key"));

    // oidc reads the same token; an explicit auth token replaces the value but still needs the session.
    client
        .graphql(&ctx, GraphqlRequest::new(QUERY).auth_mode(AuthMode::Oidc))
        .await
        .unwrap();
    assert_eq!(
        header(&server.last().0, "authorization"),
        Some(access_token.as_str())
    );
    client
        .graphql(&ctx, GraphqlRequest::new(QUERY).auth_token("custom"))
        .await
        .unwrap();
    assert_eq!(header(&server.last().0, "authorization"), Some("custom"));
    let signed_out = runner.context(&HeaderMap::new());
    let error = client
        .graphql(&signed_out, GraphqlRequest::new(QUERY).auth_token("custom"))
        .await
        .unwrap_err();
    assert_eq!(error.name(), "NoValidAuthTokens");
}

#[tokio::test]
async fn iam_mode_signs_with_identity_pool_credentials_for_guests_and_users() {
    let backend = common::Backend::start().await;
    let server = Server::start().await;
    let runner = local_runner(&backend, &server, "AWS_IAM");
    let client = DataClient::new(&runner).unwrap();

    let check = |headers: &HeaderMap| {
        let authorization = header(headers, "authorization").expect("signed");
        assert!(
            authorization.starts_with("AWS4-HMAC-SHA256 Credential=")
                && authorization.contains("/us-east-1/appsync/aws4_request")
                && authorization.contains("SignedHeaders=")
                && authorization.contains("x-amz-security-token"),
            "{authorization}"
        );
        assert!(headers.contains_key("x-amz-security-token"));
        assert!(headers.contains_key("x-amz-date"));
        assert!(!headers.contains_key("x-api-key"));
        authorization.to_owned()
    };
    // A guest.
    let guest = runner.context(&HeaderMap::new());
    client
        .graphql(&guest, GraphqlRequest::new(QUERY))
        .await
        .unwrap();
    let guest_auth = check(&server.last().0);

    // A signed-in user: different (authenticated) credentials.
    let bob = backend.user("bob");
    let jar = common::signed_in_jar(&runner, &bob).await;
    client
        .graphql(&jar.context(&runner), GraphqlRequest::new(QUERY))
        .await
        .unwrap();
    let user_auth = check(&server.last().0);
    let key_id = |auth: &str| auth.split('/').next().unwrap().to_owned();
    assert_ne!(key_id(&guest_auth), key_id(&user_auth));

    // An explicit API key header disables signing, as upstream.
    client
        .graphql(&guest, GraphqlRequest::new(QUERY).header("x-api-key", "k"))
        .await
        .unwrap();
    assert!(!server.last().0.contains_key("authorization"));

    // Guest access off: NoCredentials.
    let backend = common::Backend::start_with(|o| o.allow_guest_access = false).await;
    let runner = local_runner(&backend, &server, "AWS_IAM");
    let client = DataClient::new(&runner).unwrap();
    let error = client
        .graphql(
            &runner.context(&HeaderMap::new()),
            GraphqlRequest::new(QUERY),
        )
        .await
        .unwrap_err();
    assert_eq!(error.name(), "NoCredentials", "{error}");
}
