//! Lists answered in one pass ([`super::plain_items`]) give the same answer, byte for byte, as the general way,
//! and only plain selections take the pass.

use std::sync::Arc;

use async_graphql::dynamic::Schema;
use serde_json::{Value, json};

use super::auth::Caller;
use super::list_tests::{open, roomy};
use super::ops::Backend;
use super::plain_items::StashedPages;

/// The fixture's `Project` / `Ticket` models: enums, AWS scalars, lists, custom types, JSON, relationships.
fn introspection() -> Value {
    let outputs: Value = serde_json::from_str(include_str!(
        "../../../../tests/fixtures/amplify_outputs.json"
    ))
    .expect("fixture");
    outputs["data"]["model_introspection"].clone()
}

fn seed(backend: &Backend, model: &str, item: Value) {
    let Value::Object(item) = item else {
        panic!("an object")
    };
    backend.put_seed(model, item).expect("seeded");
}

fn ticket(project: &str, seq: i64, extra: Value) -> Value {
    let mut item = json!({
        "projectId": project, "createdOn": "2026-12-01", "seq": seq, "title": format!("ticket {seq}"),
        "status": "OPEN", "tags": ["a", "b"],
    });
    for (key, value) in extra.as_object().expect("object") {
        item[key] = value.clone();
    }
    item
}

struct Fixture {
    schema: Schema,
    _dir: tempfile::TempDir,
}

/// Valid items of every kind, then stored values the schema refuses (written straight to the store, as an older
/// schema or a hand edit could leave them).
fn fixture(odd: &[Value]) -> Fixture {
    fixture_of(&introspection(), odd)
}

fn fixture_of(introspection: &Value, odd: &[Value]) -> Fixture {
    let dir = tempfile::tempdir().expect("dir");
    let backend = open(dir.path(), introspection);
    for project in ["p1", "p2"] {
        seed(
            &backend,
            "Project",
            json!({ "id": project, "name": format!("project {project}"), "owner": "alice" }),
        );
    }
    seed(
        &backend,
        "Ticket",
        ticket(
            "p1",
            1,
            json!({
                "priority": 2, "estimate": 1.5, "archived": false, "dueAt": 1_800_000_000,
                "assignee": "dev@example.com", "type": "bug", "metadata": { "a": [1, 2] },
                "location": { "lat": 1.0, "lng": 2.0 }, "checklist": [],
            }),
        ),
    );
    seed(
        &backend,
        "Ticket",
        ticket(
            "p1",
            2,
            json!({ "metadata": "{\"text\":true}", "tags": ["x", null] }),
        ),
    );
    seed(
        &backend,
        "Ticket",
        ticket("p2", 3, json!({ "status": "DONE", "estimate": 3 })),
    );
    for (n, extra) in odd.iter().enumerate() {
        seed(
            &backend,
            "Ticket",
            ticket("p2", 10 + n as i64, extra.clone()),
        );
    }
    let functions = super::custom::Functions::new(&[]).expect("functions");
    let schema = super::schema::build(Arc::new(backend), Arc::new(functions)).expect("schema");
    Fixture { schema, _dir: dir }
}

/// The answer with the one-pass stash and without it, and how many `items` the pass answered.
async fn both_ways(fixture: &Fixture, query: &str) -> (Value, Value, usize) {
    let request = |with_stash: Option<Arc<StashedPages>>| {
        let mut request = async_graphql::Request::new(query)
            .data(Caller::ApiKey)
            .data(Arc::new(roomy()));
        if let Some(stash) = with_stash {
            request = request.data(stash);
        }
        request
    };
    let stash = Arc::new(StashedPages::default());
    let fast = fixture
        .schema
        .execute(request(Some(Arc::clone(&stash))))
        .await;
    let general = fixture.schema.execute(request(None)).await;
    let text = |response: &async_graphql::Response| {
        serde_json::from_slice::<Value>(&serde_json::to_vec(response).expect("serialises"))
            .expect("json")
    };
    // Byte for byte: the same text, not only the same JSON value (key order matters to clients that keep it).
    assert_eq!(
        serde_json::to_string(&fast).expect("serialises"),
        serde_json::to_string(&general).expect("serialises"),
        "{query}"
    );
    (text(&fast), text(&general), stash.served())
}

const ALL_PLAIN: &str = "projectId createdOn seq title status priority estimate archived dueAt assignee type \
                         tags metadata createdAt updatedAt __typename";

#[tokio::test]
async fn plain_selections_take_the_pass_and_answer_the_same() {
    let fixture = fixture(&[]);
    let cases = [
        (format!("{{ listTickets {{ items {{ {ALL_PLAIN} }} nextToken }} }}"), 1),
        // Aliases, a key selected twice, __typename aliased, a limit and a page token.
        (
            "{ a: listTickets(limit: 2) { items { t: title title t: title n: seq kind: __typename } nextToken } \
               b: listTickets(limit: 1) { nextToken items { seq } } }"
                .to_owned(),
            2,
        ),
        // `items` twice under one connection: each is answered, and the two lists merge as the general way merges.
        ("{ listTickets { items { seq } items { title status } } }".to_owned(), 2),
        // Nested connections inside a general-way item: each project's tickets take the pass.
        (
            "{ listProjects { items { name tickets { items { seq title tags } } } } }".to_owned(),
            2,
        ),
        // async-graphql applies @skip and @include before execution: what remains is plain.
        (
            "{ listTickets { items @skip(if: false) { seq title @include(if: true) \
               status @skip(if: true) } } }"
                .to_owned(),
            1,
        ),
        // A query through an operation with variables.
        (
            "query Q($n: Int) { listTickets(limit: $n) { items { seq status } } }".to_owned(),
            1,
        ),
    ];
    for (query, expected) in cases {
        let (fast, _, served) = both_ways(&fixture, &query).await;
        assert_eq!(served, expected, "{query}: {fast}");
        assert!(fast.get("errors").is_none(), "{query}: {fast}");
    }
    // A spot check of the values themselves: JSON written as text, the enum by name, a null in a list.
    let (fast, _, _) = both_ways(
        &fixture,
        "{ listTickets { items { seq status metadata tags estimate } } }",
    )
    .await;
    let items = fast["data"]["listTickets"]["items"]
        .as_array()
        .expect("items");
    let first = items
        .iter()
        .find(|item| item["seq"] == 1)
        .expect("ticket 1");
    assert_eq!(first["metadata"], json!("{\"a\":[1,2]}"));
    assert_eq!(first["status"], json!("OPEN"));
    let second = items
        .iter()
        .find(|item| item["seq"] == 2)
        .expect("ticket 2");
    assert_eq!(second["tags"], json!(["x", null]));
    assert_eq!(second["metadata"], json!("{\"text\":true}"));
}

#[tokio::test]
async fn other_selections_go_the_general_way() {
    let fixture = fixture(&[]);
    for query in [
        "{ listTickets { items { seq location { lat } } } }",
        "{ listTickets { items { seq project { name } } } }",
        "{ listTickets { items { ... on Ticket { seq } } } }",
        "{ listTickets { items { ...T } } } fragment T on Ticket { seq }",
        "{ listTickets { items { seq checklist { text } } } }",
    ] {
        let (fast, _, served) = both_ways(&fixture, query).await;
        assert_eq!(served, 0, "{query}: {fast}");
    }
}

#[tokio::test]
async fn items_the_general_way_refuses_are_answered_by_it() {
    // Each of these makes the general way report an error for the item: the pass steps aside for the list.
    for odd in [
        json!({ "status": "BOGUS" }),
        json!({ "status": 3 }),
        json!({ "title": null }),
        json!({ "tags": "not a list" }),
        json!({ "tags": null }),
        json!({ "assignee": "not an email" }),
        json!({ "createdOn": "yesterday" }),
        json!({ "metadata": "{not json" }),
    ] {
        let fixture = fixture(std::slice::from_ref(&odd));
        let query = format!("{{ listTickets {{ items {{ {ALL_PLAIN} }} }} }}");
        let (fast, _, served) = both_ways(&fixture, &query).await;
        assert_eq!(served, 0, "{odd}: {fast}");
        assert!(fast.get("errors").is_some(), "{odd}: {fast}");
        // A selection without the odd field takes the pass again.
        let (_, _, served) = both_ways(&fixture, "{ listTickets { items { seq } } }").await;
        assert_eq!(served, 1, "{odd}");
    }
}

#[tokio::test]
async fn fields_with_their_own_rules_go_the_general_way_which_enforces_them() {
    // `type` readable with the API key, `assignee` only by the Admin group.
    let mut introspection = introspection();
    let fields = &mut introspection["models"]["Ticket"]["fields"];
    fields["type"]["attributes"] = json!([{"type": "auth", "properties": {"rules": [
        {"allow": "public", "provider": "apiKey", "operations": ["read"]}
    ]}}]);
    fields["assignee"]["attributes"] = json!([{"type": "auth", "properties": {"rules": [
        {"allow": "groups", "groups": ["Admin"], "provider": "userPools", "operations": ["read"]}
    ]}}]);
    let fixture = fixture_of(&introspection, &[]);

    let (fast, _, served) = both_ways(&fixture, "{ listTickets { items { seq type } } }").await;
    assert_eq!(served, 0, "{fast}");
    assert!(fast.get("errors").is_none(), "{fast}");
    let items = fast["data"]["listTickets"]["items"]
        .as_array()
        .expect("items");
    assert!(items.iter().any(|item| item["type"] == "bug"), "{fast}");

    let (fast, _, served) = both_ways(&fixture, "{ listTickets { items { seq assignee } } }").await;
    assert_eq!(served, 0, "{fast}");
    let items = fast["data"]["listTickets"]["items"]
        .as_array()
        .expect("items");
    assert!(
        items.iter().all(|item| item["assignee"].is_null()),
        "{fast}"
    );
    let errors = fast["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), items.len(), "one refusal per item: {fast}");
    assert!(
        errors.iter().all(
            |e| e["message"] == "Not Authorized to access assignee on type Ticket"
                && e["path"][0] == "listTickets"
                && e["path"][3] == "assignee"
        ),
        "{fast}"
    );

    // Fields without rules still take the pass.
    let (_, _, served) =
        both_ways(&fixture, "{ listTickets { items { seq title status } } }").await;
    assert_eq!(served, 1);
}
