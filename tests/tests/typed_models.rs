//! The typed models that `amplify-ssr-codegen` generates (from `fixtures/amplify_outputs.json`,
//! in `build.rs`) compile against the real `amplify_ssr::data` API, have the expected shapes,
//! and round-trip through serde as AppSync's JSON.
//!
//! The fixture is the reference document of Appendix A (`Todo` with an owner rule) plus a
//! `Project` (`delete` disabled, a hasMany) and a `Ticket` with a custom primary key and a
//! composite sort key, two secondary indexes (enum partition key; composite sort key), an enum,
//! custom types, a list, `AWSJSON` and a field named `type`.

mod models {
    // The generated code is a whole API surface of which a test binary uses only part: the
    // unused rest would be dead code, and its `pub` items are unreachable from outside.
    #![allow(dead_code, unreachable_pub)]
    include!(concat!(env!("OUT_DIR"), "/amplify_models.rs"));
}

mod edge_cases {
    // As above.
    #![allow(dead_code, unreachable_pub)]
    include!(concat!(env!("OUT_DIR"), "/edge_case_models.rs"));
}

/// Models named after the std items generated code uses (`Result`, `Option`, `String`, `Vec`,
/// `Box`, …), a custom type `From`, a model `Into` and enum values `SOME`, `NONE`, `OK`: they
/// shadow the prelude in this module, and the generated code must still compile.
mod hygiene {
    // As above.
    #![allow(dead_code, unreachable_pub)]
    include!(concat!(env!("OUT_DIR"), "/hygiene_models.rs"));
}

use amplify_ssr::context::ServerContext;
use amplify_ssr::data::{DataClient, ListOptions, ModelOptions};
use models::{
    ChecklistItem, CreateProjectInput, CreateTicketInput, CreateTodoInput, KeyCondition, Location,
    Project, Ticket, TicketKey, TicketPrimarySortKey, TicketStatus, TicketTicketsByAssigneeSortKey,
    Todo, TodoKey, TypedDataError, TypedListResult, TypedModels, TypedResult, UpdateTicketInput,
    UpdateTodoInput,
};
use serde_json::{Value, json};

/// Every typed operation, with the types spelled out: this function is type-checked (it is
/// what makes `client.todo().list(..)` "checked by the compiler"), and run against a stub
/// AppSync by nothing here.
#[allow(clippy::too_many_lines)]
async fn every_operation(client: &DataClient, ctx: &ServerContext) -> Result<(), TypedDataError> {
    let page: TypedListResult<Todo> = client
        .todo()
        .list(ctx, ListOptions::new().limit(10))
        .await?;
    let _: Option<String> = page.next_token;
    for todo in &page.data {
        let _: &String = &todo.id;
        let _: Option<&str> = todo.content.as_deref();
        let _: &Option<String> = &todo.owner;
    }
    let all: TypedListResult<Todo> = client.todo().list_all(ctx, ListOptions::new()).await?;
    let _ = all.data.len();

    let created: TypedResult<Todo> = client
        .todo()
        .create(
            ctx,
            CreateTodoInput {
                content: Some("buy milk".to_owned()),
                ..CreateTodoInput::new()
            },
            ModelOptions::new(),
        )
        .await?;
    if let Some(todo) = created.data {
        let _: TypedResult<Todo> = client.todo().get(ctx, &todo, ModelOptions::new()).await?;
        let _: TypedResult<Todo> = client
            .todo()
            .get(ctx, todo.id.as_str(), ModelOptions::new())
            .await?;
        let update = UpdateTodoInput {
            content: Some(None),
            ..UpdateTodoInput::for_key(todo.key())
        };
        let _: TypedResult<Todo> = client
            .todo()
            .update(ctx, update, ModelOptions::new())
            .await?;
        let _: TypedResult<Todo> = client
            .todo()
            .delete(ctx, TodoKey::new(todo.id), ModelOptions::new())
            .await?;
    }

    let project = client
        .project()
        .create(ctx, CreateProjectInput::new("Apollo"), ModelOptions::new())
        .await?;
    let _: Option<Project> = project.data;
    // `Project` has `delete` disabled: `client.project().delete(..)` does not exist.

    let key = TicketKey::new("p1", "2025-01-31", 7);
    let _: TypedResult<Ticket> = client
        .ticket()
        .get(ctx, key.clone(), ModelOptions::new())
        .await?;
    let _: TypedResult<Ticket> = client
        .ticket()
        .delete(ctx, key, ModelOptions::new())
        .await?;
    let by_status: TypedListResult<Ticket> = client
        .ticket()
        .list_tickets_by_status(
            ctx,
            TicketStatus::InProgress,
            Some(KeyCondition::Ge(2)),
            ListOptions::new(),
        )
        .await?;
    let _: Vec<Ticket> = by_status.data;
    let _: TypedListResult<Ticket> = client
        .ticket()
        .list_tickets_by_assignee_and_due(
            ctx,
            "ada@example.com",
            Some(KeyCondition::BeginsWith(TicketTicketsByAssigneeSortKey {
                due_at: Some(1_700_000_000),
                ..Default::default()
            })),
            ListOptions::new(),
        )
        .await?;
    let _: TypedListResult<Ticket> = client
        .ticket()
        .list_by_key(
            ctx,
            "p1",
            Some(KeyCondition::Between(
                TicketPrimarySortKey {
                    created_on: Some("2025-01-01".to_owned()),
                    seq: None,
                },
                TicketPrimarySortKey {
                    created_on: Some("2025-12-31".to_owned()),
                    seq: None,
                },
            )),
            ListOptions::new(),
        )
        .await?;

    // Untyped access stays available, from the typed client or the data client.
    if let Some(untyped) = client.ticket().untyped() {
        let _ = untyped.list(ctx, ListOptions::new()).await?;
    }
    if let Some(untyped) = client.model("Ticket") {
        let _ = untyped.get(ctx, json!({}), ModelOptions::new()).await;
    }
    Ok(())
}

#[test]
fn every_typed_operation_type_checks() {
    // Naming the function is enough for the compiler to check its body.
    let _ = every_operation;
}

fn ticket_json() -> Value {
    json!({
        "projectId": "p1",
        "createdOn": "2025-01-31",
        "seq": 7,
        "title": "Fix the lights",
        "status": "IN_PROGRESS",
        "priority": 2,
        "estimate": 1.5,
        "archived": false,
        "dueAt": 1_700_000_000,
        "assignee": "ada@example.com",
        "type": "bug",
        "tags": ["electrical", "urgent"],
        "location": { "lat": 51.5, "lng": -0.12, "label": "Hall" },
        "checklist": [{ "text": "buy bulbs", "done": true }],
        "metadata": "{\"source\":\"email\"}",
        "createdAt": "2025-01-31T10:00:00.000Z",
        "updatedAt": "2025-01-31T11:00:00.000Z"
    })
}

#[test]
fn a_model_round_trips_through_appsync_json() {
    let ticket: Ticket = serde_json::from_value(ticket_json()).unwrap();
    assert_eq!(ticket.project_id, "p1");
    assert_eq!(ticket.seq, 7);
    assert_eq!(ticket.status, TicketStatus::InProgress);
    assert_eq!(ticket.r#type.as_deref(), Some("bug"));
    assert_eq!(ticket.due_at, Some(1_700_000_000));
    assert_eq!(ticket.estimate, Some(1.5));
    assert_eq!(
        ticket.tags.as_deref(),
        Some(&["electrical".to_owned(), "urgent".to_owned()][..])
    );
    assert_eq!(
        ticket.location,
        Some(Location {
            lat: 51.5,
            lng: -0.12,
            label: Some("Hall".to_owned())
        })
    );
    assert_eq!(
        ticket.checklist,
        vec![ChecklistItem {
            text: "buy bulbs".to_owned(),
            done: true
        }]
    );
    // AWSJSON arrives as a JSON string; it is kept as the JSON value it is.
    assert_eq!(ticket.metadata, Some(json!("{\"source\":\"email\"}")));
    assert_eq!(ticket.created_at, "2025-01-31T10:00:00.000Z");
    assert_eq!(ticket.editors, None);
    assert_eq!(serde_json::to_value(&ticket).unwrap(), ticket_json());
    assert_eq!(
        ticket.key(),
        TicketKey::new("p1", "2025-01-31", 7),
        "the key of an item"
    );
}

#[test]
fn nullable_fields_may_be_null_or_absent_and_unknown_fields_are_ignored() {
    let todo: Todo = serde_json::from_value(json!({
        "id": "t1",
        "content": null,
        "owner": "ada",
        "__typename": "Todo"
    }))
    .unwrap();
    assert_eq!(
        todo,
        Todo {
            id: "t1".to_owned(),
            content: None,
            created_at: None,
            owner: Some("ada".to_owned()),
        }
    );
    // `None` is left out, not sent as null.
    assert_eq!(
        serde_json::to_value(&todo).unwrap(),
        json!({"id": "t1", "owner": "ada"})
    );
    let missing_required = serde_json::from_value::<Todo>(json!({"content": "x"}));
    assert!(missing_required.is_err());
}

#[test]
fn enums_keep_unknown_values() {
    assert_eq!(
        serde_json::to_value(TicketStatus::InProgress).unwrap(),
        json!("IN_PROGRESS")
    );
    let later: TicketStatus = serde_json::from_value(json!("BLOCKED")).unwrap();
    assert_eq!(later, TicketStatus::Unknown("BLOCKED".to_owned()));
    assert_eq!(serde_json::to_value(&later).unwrap(), json!("BLOCKED"));
    assert_eq!(TicketStatus::VALUES, ["OPEN", "IN_PROGRESS", "DONE"]);
    assert_eq!(TicketStatus::Done.to_string(), "DONE");
    assert_eq!(TicketStatus::from("OPEN"), TicketStatus::Open);
}

#[test]
fn create_inputs_require_what_the_schema_requires() {
    // `id` is generated by the service and `createdAt` is read-only: neither is needed.
    assert_eq!(
        serde_json::to_value(CreateTodoInput::default()).unwrap(),
        json!({})
    );
    let input = CreateTicketInput {
        priority: Some(2),
        ..CreateTicketInput::new(
            "p1",
            "2025-01-31",
            7,
            vec![],
            TicketStatus::Open,
            "Fix the lights",
        )
    };
    assert_eq!(
        serde_json::to_value(&input).unwrap(),
        json!({
            "projectId": "p1",
            "createdOn": "2025-01-31",
            "seq": 7,
            "checklist": [],
            "status": "OPEN",
            "title": "Fix the lights",
            "priority": 2
        })
    );
    let round_trip: CreateTicketInput =
        serde_json::from_value(serde_json::to_value(&input).unwrap()).unwrap();
    assert_eq!(round_trip, input);
}

#[test]
fn update_inputs_send_only_what_changes_and_clear_with_null() {
    let update = UpdateTicketInput {
        title: Some("Renamed".to_owned()),
        priority: Some(None),
        estimate: Some(Some(3.0)),
        ..UpdateTicketInput::new("p1", "2025-01-31", 7)
    };
    let value = serde_json::to_value(&update).unwrap();
    assert_eq!(
        value,
        json!({
            "projectId": "p1",
            "createdOn": "2025-01-31",
            "seq": 7,
            "title": "Renamed",
            "priority": null,
            "estimate": 3.0
        })
    );
    // null and absent stay apart when read back.
    let back: UpdateTicketInput = serde_json::from_value(value).unwrap();
    assert_eq!(back, update);
    assert_eq!(back.priority, Some(None));
    assert_eq!(back.archived, None);
}

#[test]
fn keys_and_key_conditions_have_appsync_shapes() {
    assert_eq!(
        serde_json::to_value(TicketKey::new("p1", "2025-01-31", 7)).unwrap(),
        json!({"projectId": "p1", "createdOn": "2025-01-31", "seq": 7})
    );
    assert_eq!(TodoKey::from("t1"), TodoKey::new("t1".to_owned()));
    assert_eq!(
        serde_json::to_value(KeyCondition::Between(1, 5)).unwrap(),
        json!({"between": [1, 5]})
    );
    assert_eq!(
        serde_json::to_value(KeyCondition::BeginsWith(TicketTicketsByAssigneeSortKey {
            due_at: Some(5),
            seq: None,
        }))
        .unwrap(),
        json!({"beginsWith": {"dueAt": 5}})
    );
}

#[test]
fn awkward_names_become_usable_identifiers() {
    use edge_cases::{Node, OddKind, Type, TypedModels as _};

    let item: Type = serde_json::from_value(json!({
        "self": "s1",
        "type": "t",
        "fooBar": 1,
        "foo_bar": 2,
        "2fa": true,
        "_version": 3,
        "kind": "Self",
        "blob": {"any": ["json"]},
        "matrix": [1.0, null],
        "tree": {"value": "root", "left": {"value": "l"}, "children": [{"value": "c"}]}
    }))
    .unwrap();
    assert_eq!(item.self_, "s1");
    assert_eq!(item.r#type.as_deref(), Some("t"));
    assert_eq!((item.foo_bar, item.foo_bar_2), (Some(1), Some(2)));
    assert_eq!(item._2fa, Some(true));
    assert_eq!(item.kind, Some(OddKind::Self_));
    assert_eq!(item.matrix, Some(vec![Some(1.0), None]));
    let tree: &Node = item.tree.as_ref().unwrap();
    assert_eq!(tree.left.as_ref().unwrap().value.as_deref(), Some("l"));
    assert_eq!(
        serde_json::to_value(OddKind::Unknown).unwrap(),
        json!("UNKNOWN"),
        "a value named UNKNOWN does not clash with the fallback variant"
    );
    assert_eq!(OddKind::from("NEW"), OddKind::Unknown2("NEW".to_owned()));
    // A model called `type` gets the accessor `r#type`; one called `Model` does not shadow
    // `DataClient::model`.
    let _ = |client: &DataClient| (client.r#type(), client.model_2());
}

#[test]
fn generated_code_names_std_items_by_absolute_path() {
    use hygiene::{
        Client, ClientKey, CreateResultInput, From as Spot, Into as Custom, IntoKey, Map, Option,
        Result, Self_, String, TypedModels as _, UpdateStringInput,
    };

    let item: Result = serde_json::from_value(json!({
        "id": "r1",
        "tags": ["a"],
        "kind": "NONE",
        "spot": {"x": 1.5, "next": {"x": 2.0}},
        "owner": "alice"
    }))
    .unwrap();
    assert_eq!(item.id, "r1");
    assert_eq!(item.kind, Some(Map::None));
    assert_eq!(item.spot.as_ref().unwrap().next.as_ref().unwrap().x, 2.0);
    assert_eq!(item.owner.as_deref(), Some("alice"));
    let create = CreateResultInput {
        tags: Some(vec!["t".to_owned()]),
        ..CreateResultInput::new()
    };
    assert_eq!(
        serde_json::to_value(&create).unwrap(),
        json!({"tags": ["t"]})
    );
    let patch = UpdateStringInput {
        label: Some(None),
        ..UpdateStringInput::new("s1")
    };
    assert_eq!(
        serde_json::to_value(&patch).unwrap(),
        json!({"id": "s1", "label": null})
    );
    // `Client` has no `primaryKeyInfo`: it is keyed by `id`.
    let client_key: ClientKey = ClientKey::from("c1");
    assert_eq!(
        serde_json::to_value(&client_key).unwrap(),
        json!({"id": "c1"})
    );
    let custom: Custom =
        serde_json::from_value(json!({"owner": "o", "day": "2024-01-01", "seq": 1, "kind": "OK"}))
            .unwrap();
    assert_eq!(custom.key(), IntoKey::new("o", "2024-01-01", 1));
    let _: core::option::Option<Spot> = None;
    let _ = |client: &DataClient| {
        let _ = (
            client.result(),
            client.option(),
            client.string(),
            client.vec(),
        );
        let _ = (
            client.r#box(),
            client.error(),
            client.value(),
            client.client(),
        );
        // `into` would be ambiguous with `Into::into`.
        let _ = (client.self_(), client.into_2());
    };
    let _ = (
        std::any::type_name::<Option>(),
        std::any::type_name::<Self_>(),
    );
    let _ = (
        std::any::type_name::<String>(),
        std::any::type_name::<Client>(),
    );
}
