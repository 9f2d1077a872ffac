//! Updates and deletes of one item, run at once from several threads, behave as if run one after another:
//! conditions are checked against the item as it is, no update is lost, and no index row outlives its item.
//! (They share one connection; each holds it, in a write transaction, from its read to its write.)

use std::sync::Barrier;

use serde_json::{Value, json};

use super::auth::Caller;
use super::list_tests::{open, roomy};
use super::model::{ModelDef, default_introspection};
use super::ops::{Backend, Call, Item, OpError, Site};
use crate::db::Store;

const SITE: Site<'static> = Site {
    field: "updateTodo",
    parent: "Mutation",
};

/// Rounds of racing operations: each round starts them together on a barrier.
const ROUNDS: usize = 60;

fn object(value: Value) -> Item {
    let Value::Object(item) = value else {
        panic!("an object")
    };
    item
}

/// Runs one operation of `model` for `caller`.
fn run<T>(
    backend: &Backend,
    caller: &Caller,
    model: &str,
    operation: impl FnOnce(&Backend, &ModelDef, Call<'_>) -> Result<T, OpError>,
) -> Result<T, OpError> {
    let budget = roomy();
    let call = Call {
        caller,
        site: SITE,
        budget: &budget,
    };
    operation(backend, backend.model(model).expect("model"), call)
}

/// Runs `racers` at once, `threads` of them, each given its number; returns their results.
fn race<T: Send>(threads: usize, racer: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let start = Barrier::new(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|n| {
                let (start, racer) = (&start, &racer);
                scope.spawn(move || {
                    start.wait();
                    racer(n)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("racer"))
            .collect()
    })
}

fn orphan_index_rows(dir: &std::path::Path) -> u64 {
    Store::open(dir)
        .expect("store")
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM graphql_item_index WHERE seq NOT IN (SELECT seq FROM graphql_items)",
            [],
            |row| row.get(0),
        )
        .expect("count")
}

#[test]
fn an_update_racing_a_delete_leaves_no_index_rows_behind() {
    let dir = tempfile::tempdir().expect("dir");
    let backend = open(dir.path(), &default_introspection());
    let alice = Caller::test_user("alice");
    for round in 0..ROUNDS {
        let created = run(&backend, &alice, "Todo", |b, m, c| {
            b.create(m, c, object(json!({ "content": "new" })), None)
        })
        .expect("created");
        let key = object(json!({ "id": created["id"] }));
        // Three updates race one delete.
        let outcomes = race(4, |n| {
            run(&backend, &alice, "Todo", |b, m, c| {
                if n == 0 {
                    b.delete(m, c, &key, None).map(|_| ())
                } else {
                    let input =
                        object(json!({ "id": created["id"], "content": format!("r{round}-{n}") }));
                    b.update(m, c, input, None).map(|_| ())
                }
            })
        });
        // The delete always succeeds; an update after it finds nothing to update.
        assert!(outcomes[0].is_ok(), "round {round}");
        for outcome in &outcomes[1..] {
            if let Err(error) = outcome {
                assert_eq!(error.error_type, "DynamoDB:ConditionalCheckFailedException");
            }
        }
        assert_eq!(backend.count("Todo").expect("count"), 0, "round {round}");
    }
    assert_eq!(orphan_index_rows(dir.path()), 0);
}

#[test]
fn racing_conditional_updates_let_exactly_one_through() {
    let dir = tempfile::tempdir().expect("dir");
    let backend = open(dir.path(), &default_introspection());
    let alice = Caller::test_user("alice");
    let created = run(&backend, &alice, "Todo", |b, m, c| {
        b.create(m, c, object(json!({ "content": "v0" })), None)
    })
    .expect("created");
    for round in 0..ROUNDS {
        let expected = format!("v{round}");
        let condition = object(json!({ "content": { "eq": expected } }));
        let winners: Vec<String> = race(4, |n| {
            let content = format!("v{}-{n}", round + 1);
            let input = object(json!({ "id": created["id"], "content": content }));
            run(&backend, &alice, "Todo", |b, m, c| {
                b.update(m, c, input, Some(&condition))
            })
            .ok()
            .map(|_| content)
        })
        .into_iter()
        .flatten()
        .collect();
        assert_eq!(winners.len(), 1, "round {round}: {winners:?}");
        // Move on from the winner's value, as a client would after reading it.
        let input = object(json!({ "id": created["id"], "content": format!("v{}", round + 1) }));
        run(&backend, &alice, "Todo", |b, m, c| {
            b.update(m, c, input, None)
        })
        .expect("reset");
    }
}

#[test]
fn racing_updates_of_different_fields_keep_both() {
    let introspection = json!({
        "models": { "Note": {
            "name": "Note", "pluralName": "Notes",
            "fields": {
                "id": { "name": "id", "type": "ID", "isArray": false, "isRequired": true },
                "a": { "name": "a", "type": "String", "isArray": false, "isRequired": false },
                "b": { "name": "b", "type": "String", "isArray": false, "isRequired": false },
                "c": { "name": "c", "type": "String", "isArray": false, "isRequired": false },
            },
            "attributes": [
                { "type": "model", "properties": {} },
                { "type": "auth", "properties": { "rules": [{ "allow": "private", "provider": "userPools" }] } },
            ],
            "primaryKeyInfo": { "isCustomPrimaryKey": false, "primaryKeyFieldName": "id", "sortKeyFieldNames": [] },
        } },
    });
    let dir = tempfile::tempdir().expect("dir");
    let backend = open(dir.path(), &introspection);
    let alice = Caller::test_user("alice");
    let created = run(&backend, &alice, "Note", |b, m, c| {
        b.create(m, c, Item::new(), None)
    })
    .expect("created");
    let key = object(json!({ "id": created["id"] }));
    for round in 0..ROUNDS {
        let value = format!("r{round}");
        race(3, |n| {
            let field = ["a", "b", "c"][n];
            let input = object(json!({ "id": created["id"], field: value }));
            run(&backend, &alice, "Note", |b, m, c| {
                b.update(m, c, input, None)
            })
            .expect("update")
        });
        let stored = run(&backend, &alice, "Note", |b, m, c| b.get(m, c, &key))
            .expect("get")
            .expect("stored");
        for field in ["a", "b", "c"] {
            assert_eq!(stored[field], json!(value), "round {round}: {stored:?}");
        }
    }
}

#[test]
fn field_level_rules_guard_creates_and_updates() {
    // The default Todo, with `done` writable only by the Admin group.
    let mut introspection = default_introspection();
    introspection["models"]["Todo"]["fields"]["done"]["attributes"] = json!([
        {"type": "auth", "properties": {"rules": [
            {"allow": "groups", "groups": ["Admin"], "provider": "userPools", "operations": ["create", "update", "read"]}
        ]}}
    ]);
    let dir = tempfile::tempdir().expect("dir");
    let backend = open(dir.path(), &introspection);
    let alice = Caller::test_user("alice");
    let admin = Caller::UserPool {
        username: "alice".to_owned(),
        sub: "sub-alice".to_owned(),
        groups: vec!["Admin".to_owned()],
        claims: serde_json::Map::new(),
    };
    let create = |caller: &Caller, input: Value| {
        run(&backend, caller, "Todo", |backend, model, call| {
            backend.create(model, call, object(input), None)
        })
    };
    let refused = create(&alice, json!({"content": "a", "done": true})).unwrap_err();
    assert_eq!(refused.error_type, "Unauthorized");
    let item = create(&alice, json!({"content": "a"})).expect("without the guarded field");
    let id = item["id"].clone();
    let update = |caller: &Caller, input: Value| {
        run(&backend, caller, "Todo", |backend, model, call| {
            backend.update(model, call, object(input), None)
        })
    };
    let refused = update(&alice, json!({"id": id, "done": true})).unwrap_err();
    assert_eq!(refused.error_type, "Unauthorized");
    update(&alice, json!({"id": id, "content": "b"})).expect("other fields stay writable");
    let updated = update(&admin, json!({"id": id, "done": true})).expect("the group may");
    assert_eq!(updated["done"], true);
}

#[test]
fn an_owner_field_readable_only_is_still_filled_on_create() {
    // Amplify's documented pattern: the owner may read and delete, never set or change, its owner field.
    let mut introspection = default_introspection();
    introspection["models"]["Todo"]["fields"]["owner"]["attributes"] = json!([
        {"type": "auth", "properties": {"rules": [
            {"allow": "owner", "ownerField": "owner", "identityClaim": "cognito:username",
             "provider": "userPools", "operations": ["read", "delete"]}
        ]}}
    ]);
    let dir = tempfile::tempdir().expect("dir");
    let backend = open(dir.path(), &introspection);
    let alice = Caller::test_user("alice");
    let create = |input: Value| {
        run(&backend, &alice, "Todo", |backend, model, call| {
            backend.create(model, call, object(input), None)
        })
    };
    let item = create(json!({"content": "a"})).expect("the owner field is filled, not sent");
    assert_eq!(item["owner"], "alice");
    let refused = create(json!({"content": "b", "owner": "alice"})).unwrap_err();
    assert_eq!(
        refused.error_type, "Unauthorized",
        "sent, it is judged by its rules"
    );
}
