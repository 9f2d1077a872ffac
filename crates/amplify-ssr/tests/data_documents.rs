//! The GraphQL documents of the model client equal aws-amplify's for the same introspection (reference §8.3,
//! Appendix A).

mod data_support;

use amplify_ssr::data::{DataClient, DataError, ModelClient, ModelOperation};
use data_support::{appendix_a_introspection, blog_introspection, outputs, runner};

const URL: &str = "https://abc.appsync-api.us-east-1.amazonaws.com/graphql";

fn client(introspection: serde_json::Value) -> DataClient {
    let runner = runner(&outputs(URL, introspection, "AMAZON_COGNITO_USER_POOLS"));
    DataClient::new(&runner).expect("data client")
}

fn todo() -> ModelClient {
    client(appendix_a_introspection())
        .model("Todo")
        .expect("Todo")
}

fn blog(name: &str) -> ModelClient {
    client(blog_introspection()).model(name).expect("model")
}

#[test]
fn appendix_a_list_document_is_exact() {
    assert_eq!(
        todo().document(ModelOperation::List, None).unwrap(),
        "query($filter: ModelTodoFilterInput,$limit: Int,$nextToken: String) { listTodos(filter: $filter,limit: \
         $limit,nextToken: $nextToken) { items { id content createdAt owner } nextToken __typename } }"
    );
}

#[test]
fn appendix_a_singular_documents() {
    let todo = todo();
    let selection = "id content createdAt owner";
    assert_eq!(
        todo.document(ModelOperation::Create, None).unwrap(),
        format!(
            "mutation($input: CreateTodoInput!) {{ createTodo(input: $input) {{ {selection} }} }}"
        )
    );
    assert_eq!(
        todo.document(ModelOperation::Get, None).unwrap(),
        format!("query($id: ID!) {{ getTodo(id: $id) {{ {selection} }} }}")
    );
    assert_eq!(
        todo.document(ModelOperation::Update, None).unwrap(),
        format!(
            "mutation($input: UpdateTodoInput!) {{ updateTodo(input: $input) {{ {selection} }} }}"
        )
    );
    assert_eq!(
        todo.document(ModelOperation::Delete, None).unwrap(),
        format!(
            "mutation($input: DeleteTodoInput!) {{ deleteTodo(input: $input) {{ {selection} }} }}"
        )
    );
}

#[test]
fn model_names_and_lookup() {
    let client = client(blog_introspection());
    assert_eq!(
        client.model_names().collect::<Vec<_>>(),
        [
            "Post", "Author", "Comment", "Order", "Reading", "AuditLog", "Secret"
        ]
    );
    assert!(client.model("Nope").is_none());
}

#[test]
fn custom_primary_key_with_composite_sort_key() {
    let order = blog("Order");
    let selection = "customerId orderDate orderNumber total createdAt updatedAt";
    assert_eq!(
        order.document(ModelOperation::List, None).unwrap(),
        format!(
            "query($customerId: ID,$sortDirection: ModelSortDirection,$orderDateOrderNumber: \
             ModelOrderPrimaryCompositeKeyConditionInput,$filter: ModelOrderFilterInput,$limit: Int,$nextToken: \
             String) {{ listOrders(customerId: $customerId,sortDirection: $sortDirection,orderDateOrderNumber: \
             $orderDateOrderNumber,filter: $filter,limit: $limit,nextToken: $nextToken) {{ items {{ {selection} }} \
             nextToken __typename }} }}"
        )
    );
    assert_eq!(
        order.document(ModelOperation::Get, None).unwrap(),
        format!(
            "query($customerId: ID!,$orderDate: AWSDate!,$orderNumber: Int!) {{ getOrder(customerId: \
             $customerId,orderDate: $orderDate,orderNumber: $orderNumber) {{ {selection} }} }}"
        )
    );
    assert_eq!(
        order.document(ModelOperation::Delete, None).unwrap(),
        format!(
            "mutation($input: DeleteOrderInput!) {{ deleteOrder(input: $input) {{ {selection} }} }}"
        )
    );
}

#[test]
fn custom_primary_key_with_one_sort_key_maps_the_key_condition_type() {
    let reading = blog("Reading");
    assert_eq!(
        reading.document(ModelOperation::List, None).unwrap(),
        "query($sensorId: String,$sortDirection: ModelSortDirection,$timestamp: ModelIntKeyConditionInput,$filter: \
         ModelReadingFilterInput,$limit: Int,$nextToken: String) { listReadings(sensorId: $sensorId,sortDirection: \
         $sortDirection,timestamp: $timestamp,filter: $filter,limit: $limit,nextToken: $nextToken) { items { \
         sensorId timestamp value } nextToken __typename } }"
    );
    assert_eq!(
        reading.document(ModelOperation::Get, None).unwrap(),
        "query($sensorId: String!,$timestamp: AWSTimestamp!) { getReading(sensorId: $sensorId,timestamp: \
         $timestamp) { sensorId timestamp value } }"
    );
}

const POST_DEFAULT: &str = "id title status location { lat long address { street city } } authorId createdAt \
                            updatedAt editor editors";

#[test]
fn default_selection_expands_custom_types_keeps_enums_adds_owner_and_group_fields_and_skips_relations()
 {
    assert_eq!(
        blog("Post").document(ModelOperation::Get, None).unwrap(),
        format!("query($id: ID!) {{ getPost(id: $id) {{ {POST_DEFAULT} }} }}")
    );
}

#[test]
fn secondary_index_query() {
    let post = blog("Post");
    assert_eq!(
        post.index_query_fields().collect::<Vec<_>>(),
        ["listPostByStatusAndCreatedAt"]
    );
    assert_eq!(
        post.document(
            ModelOperation::IndexQuery("listPostByStatusAndCreatedAt".into()),
            None
        )
        .unwrap(),
        format!(
            "query($status: PostStatus!,$createdAt: ModelStringKeyConditionInput,$filter: ModelPostFilterInput,\
             $sortDirection: ModelSortDirection,$limit: Int,$nextToken: String) {{ \
             listPostByStatusAndCreatedAt(status: $status,createdAt: $createdAt,filter: $filter,sortDirection: \
             $sortDirection,limit: $limit,nextToken: $nextToken) {{ items {{ {POST_DEFAULT} }} nextToken \
             __typename }} }}"
        )
    );
    let error = post
        .document(ModelOperation::IndexQuery("listNope".into()), None)
        .unwrap_err();
    assert_eq!(error.name(), "UnknownIndex");
}

#[test]
fn custom_selection_sets_with_wildcards_and_relation_lists() {
    let post = blog("Post");
    let document = post
        .document(
            ModelOperation::Get,
            Some(&["id", "author.*", "comments.content"]),
        )
        .unwrap();
    assert_eq!(
        document,
        "query($id: ID!) { getPost(id: $id) { id author { id name createdAt updatedAt } comments { items { content \
         } } } }"
    );
    // Paths merge in first-mention order; nested relations and custom types.
    let document = post
        .document(
            ModelOperation::List,
            Some(&[
                "comments.content",
                "location.lat",
                "comments.post.title",
                "comments.id",
                "location.address.*",
                "editor",
            ]),
        )
        .unwrap();
    assert!(
        document.contains(
            "items { comments { items { content post { title } id } } location { lat address { street city } } \
             editor } nextToken __typename"
        ),
        "{document}"
    );
    // `*` alone is the default set.
    assert!(
        post.document(ModelOperation::Get, Some(&["*"]))
            .unwrap()
            .contains(POST_DEFAULT)
    );
}

#[test]
fn custom_selection_set_errors() {
    let post = blog("Post");
    let message = |paths: &[&str]| match post.document(ModelOperation::Get, Some(paths)) {
        Err(DataError::InvalidSelectionSet(message)) => message,
        other => panic!("{paths:?}: {other:?}"),
    };
    assert_eq!(
        message(&["author"]),
        "author must declare a wildcard (*) or a field of model Author"
    );
    assert_eq!(
        message(&["comments"]),
        "comments must declare a wildcard (*) or a field of model Comment"
    );
    assert_eq!(message(&["nope"]), "nope is not a field of model Post");
    assert_eq!(
        message(&["author.nope"]),
        "nope is not a field of model Author"
    );
    assert_eq!(
        message(&["location"]),
        "location must declare a wildcard (*) or a field of custom type Location"
    );
    assert_eq!(
        message(&["location.nope"]),
        "nope is not a field of custom type Location"
    );
}

#[test]
fn disabled_operations_are_refused() {
    let log = blog("AuditLog");
    assert!(log.document(ModelOperation::List, None).is_ok());
    assert!(log.document(ModelOperation::Create, None).is_ok());
    for op in [
        ModelOperation::Get,
        ModelOperation::Update,
        ModelOperation::Delete,
    ] {
        let error = log.document(op.clone(), None).unwrap_err();
        assert_eq!(error.name(), "OperationDisabled", "{op:?}");
    }
    let secret = blog("Secret");
    assert!(secret.document(ModelOperation::List, None).is_err());
    assert!(secret.document(ModelOperation::Get, None).is_err());
    assert!(secret.document(ModelOperation::Create, None).is_ok());
}

#[test]
fn no_data_section_is_no_endpoint() {
    let runner = runner(
        &serde_json::json!({"version": "1.4", "auth": {"aws_region": "us-east-1",
        "user_pool_id": "us-east-1_Pool", "user_pool_client_id": "client1"}}),
    );
    let error = DataClient::new(&runner).unwrap_err();
    assert_eq!(error.name(), "NoEndpoint");
}

#[test]
fn a_data_block_without_url_loads_and_is_no_endpoint() {
    // Only `model_introspection`: the config loads, and the data client is what fails.
    let runner = runner(
        &serde_json::json!({"version": "1.4", "auth": {"aws_region": "us-east-1",
        "user_pool_id": "us-east-1_Pool", "user_pool_client_id": "client1"},
        "data": {"model_introspection": appendix_a_introspection()}}),
    );
    assert!(runner.config().data.is_none());
    let error = DataClient::new(&runner).unwrap_err();
    assert_eq!(error.name(), "NoEndpoint");
    assert!(error.to_string().contains("`url`"), "{error}");
}
