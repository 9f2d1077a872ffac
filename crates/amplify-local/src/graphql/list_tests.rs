//! Lists read only what they may return, counted item by item, and stop where the request's budget ends.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rusqlite::params;
use serde_json::{Value, json};

use super::auth::Caller;
use super::budget::Budget;
use super::model::{Catalog, default_introspection};
use super::ops::{Backend, Call, Item, ListQuery, OpError, Site};
use crate::db::Store;

const SITE: Site<'static> = Site {
    field: "listTodos",
    parent: "Query",
};

fn user(name: &str) -> Caller {
    Caller::test_user(name)
}

/// A budget no test reaches.
pub(super) fn roomy() -> Budget {
    Budget::new(1_000_000, Duration::from_secs(3600))
}

/// A backend on `dir` with the models of `introspection`.
pub(super) fn open(dir: &std::path::Path, introspection: &Value) -> Backend {
    Backend::open(
        dir,
        Catalog::parse(introspection).expect("schema"),
        crate::Clock::default(),
    )
    .expect("backend")
}

fn create(backend: &Backend, model: &str, caller: &Caller, input: Value) -> Item {
    let Value::Object(input) = input else {
        panic!("an object")
    };
    let budget = roomy();
    let call = Call {
        caller,
        site: SITE,
        budget: &budget,
    };
    let model = backend.model(model).expect("model");
    backend.create(model, call, input, None).expect("created")
}

fn list(
    backend: &Backend,
    model: &str,
    caller: &Caller,
    query: &ListQuery,
    budget: &Budget,
) -> Result<Vec<Item>, OpError> {
    let call = Call {
        caller,
        site: SITE,
        budget,
    };
    let model = backend.model(model).expect("model");
    backend
        .list(model, call, query)
        .map(|page| page.items.into_iter().map(Arc::unwrap_or_clone).collect())
}

/// What a list read: (stored items decoded, rows SQLite stepped through in full scans).
fn cost_of<T>(backend: &Backend, run: impl FnOnce() -> T) -> (T, u64, u64) {
    let (rows, scans) = (backend.rows_read(), backend.full_scan_steps());
    let outcome = run();
    (
        outcome,
        backend.rows_read() - rows,
        backend.full_scan_steps() - scans,
    )
}

#[test]
fn a_users_list_reads_only_their_own_items() {
    let dir = tempfile::tempdir().expect("dir");
    let backend = open(dir.path(), &default_introspection());
    let (alice, bob) = (user("alice"), user("bob"));
    for n in 0..3 {
        create(
            &backend,
            "Todo",
            &alice,
            json!({ "content": format!("a{n}") }),
        );
    }
    for n in 0..200 {
        create(
            &backend,
            "Todo",
            &bob,
            json!({ "content": format!("b{n}") }),
        );
    }
    let all = ListQuery::default();
    let (items, rows, scans) = cost_of(&backend, || {
        list(&backend, "Todo", &alice, &all, &roomy()).expect("list")
    });
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|item| item["owner"] == "alice"));
    assert_eq!((rows, scans), (3, 0), "alice's list read bob's items");

    // A page of one stops after the item that shows there is more.
    let one = ListQuery {
        limit: Some(1),
        ..ListQuery::default()
    };
    let (items, rows, _) = cost_of(&backend, || {
        list(&backend, "Todo", &bob, &one, &roomy()).expect("list")
    });
    assert_eq!((items.len(), rows), (1, 2));
    // A filter that matches nothing reads the caller's items, not the others'.
    let nothing = ListQuery {
        filter: json!({ "content": { "eq": "none" } }).as_object().cloned(),
        ..ListQuery::default()
    };
    let (items, rows, scans) = cost_of(&backend, || {
        list(&backend, "Todo", &alice, &nothing, &roomy()).expect("list")
    });
    assert_eq!((items.len(), rows, scans), (0, 3, 0));
}

#[test]
fn a_list_through_the_index_reads_in_order_without_sorting() {
    let dir = tempfile::tempdir().expect("dir");
    let backend = open(dir.path(), &default_introspection());
    let (alice, bob) = (user("alice"), user("bob"));
    for n in 0..30 {
        let owner = if n % 3 == 0 { &alice } else { &bob };
        create(
            &backend,
            "Todo",
            owner,
            json!({ "content": format!("{n}") }),
        );
    }
    for descending in [false, true] {
        let page = ListQuery {
            limit: Some(4),
            descending,
            ..ListQuery::default()
        };
        let sorts = backend.sorts();
        let (items, rows, scans) = cost_of(&backend, || {
            list(&backend, "Todo", &bob, &page, &roomy()).expect("list")
        });
        // SQLite hands the rows over in order as it finds them: the page stops after one more.
        assert_eq!((items.len(), rows, scans), (4, 5, 0));
        assert_eq!(backend.sorts() - sorts, 0, "descending: {descending}");
        let contents: Vec<i64> = items
            .iter()
            .map(|item| {
                item["content"]
                    .as_str()
                    .and_then(|c| c.parse().ok())
                    .expect("n")
            })
            .collect();
        let expected = if descending {
            [29, 28, 26, 25]
        } else {
            [1, 2, 4, 5]
        };
        assert_eq!(contents, expected);
    }
}

#[test]
fn paging_through_the_index_returns_every_item_once_in_both_directions() {
    let dir = tempfile::tempdir().expect("dir");
    let backend = open(dir.path(), &default_introspection());
    let (alice, bob) = (user("alice"), user("bob"));
    let mut mine = Vec::new();
    for n in 0..7 {
        mine.push(
            create(
                &backend,
                "Todo",
                &alice,
                json!({ "content": format!("a{n}") }),
            )["id"]
                .clone(),
        );
        create(
            &backend,
            "Todo",
            &bob,
            json!({ "content": format!("b{n}") }),
        );
    }
    for descending in [false, true] {
        let mut seen = Vec::new();
        let mut next_token = None;
        loop {
            let query = ListQuery {
                limit: Some(3),
                descending,
                next_token: next_token.clone(),
                ..ListQuery::default()
            };
            let model = backend.model("Todo").expect("model");
            let budget = roomy();
            let call = Call {
                caller: &alice,
                site: SITE,
                budget: &budget,
            };
            let page = backend.list(model, call, &query).expect("page");
            seen.extend(page.items.iter().map(|item| item["id"].clone()));
            next_token = page.next_token;
            if next_token.is_none() {
                break;
            }
        }
        let mut expected = mine.clone();
        if descending {
            expected.reverse();
        }
        assert_eq!(seen, expected, "descending: {descending}");
    }
}

#[test]
fn queries_by_an_indexed_key_read_only_that_keys_items() {
    let introspection = json!({
        "models": { "Post": {
            "name": "Post", "pluralName": "Posts",
            "fields": {
                "id": { "name": "id", "type": "ID", "isArray": false, "isRequired": true },
                "blogId": { "name": "blogId", "type": "ID", "isArray": false, "isRequired": true },
            },
            "attributes": [
                { "type": "model", "properties": {} },
                { "type": "key", "properties": { "name": "byBlog", "queryField": "postsByBlog", "fields": ["blogId"] } },
                { "type": "auth", "properties": { "rules": [{ "allow": "private", "provider": "userPools" }] } },
            ],
            "primaryKeyInfo": { "isCustomPrimaryKey": false, "primaryKeyFieldName": "id", "sortKeyFieldNames": [] },
        } },
    });
    let dir = tempfile::tempdir().expect("dir");
    let backend = open(dir.path(), &introspection);
    let alice = user("alice");
    for n in 0..50 {
        let blog = if n % 10 == 0 { "b1" } else { "b2" };
        create(&backend, "Post", &alice, json!({ "blogId": blog }));
    }
    let by_blog = ListQuery {
        equal: vec![("blogId".to_owned(), json!("b1"))],
        ..ListQuery::default()
    };
    let (items, rows, scans) = cost_of(&backend, || {
        list(&backend, "Post", &alice, &by_blog, &roomy()).expect("list")
    });
    assert_eq!((items.len(), rows, scans), (5, 5, 0));
    // A key that is no scalar matches nothing, and reads nothing.
    let odd = ListQuery {
        equal: vec![("blogId".to_owned(), json!(["b1"]))],
        ..ListQuery::default()
    };
    let (items, rows, _) = cost_of(&backend, || {
        list(&backend, "Post", &alice, &odd, &roomy()).expect("list")
    });
    assert_eq!((items.len(), rows), (0, 0));
}

#[test]
fn a_data_directory_from_before_the_index_keeps_its_items_and_gets_indexed() {
    let dir = tempfile::tempdir().expect("dir");
    {
        // The table as earlier versions wrote it, and no index.
        let store = Store::open(dir.path()).expect("store");
        let conn = store.conn();
        conn.execute_batch(
            "CREATE TABLE graphql_items (seq INTEGER PRIMARY KEY AUTOINCREMENT, model TEXT NOT NULL, \
             key TEXT NOT NULL, item TEXT NOT NULL, UNIQUE (model, key));",
        )
        .expect("old table");
        for (n, owner) in ["alice", "bob", "bob", "alice", "bob"].iter().enumerate() {
            let item = json!({ "id": format!("t{n}"), "content": "old", "owner": owner });
            conn.execute(
                "INSERT INTO graphql_items (model, key, item) VALUES ('Todo', ?1, ?2)",
                params![json!([format!("t{n}")]).to_string(), item.to_string()],
            )
            .expect("old item");
        }
    }
    let backend = open(dir.path(), &default_introspection());
    let (items, rows, scans) = cost_of(&backend, || {
        list(
            &backend,
            "Todo",
            &user("alice"),
            &ListQuery::default(),
            &roomy(),
        )
        .expect("list")
    });
    let ids: Vec<&Value> = items.iter().map(|item| &item["id"]).collect();
    assert_eq!(ids, [&json!("t0"), &json!("t3")]);
    assert_eq!((rows, scans), (2, 0));
    assert_eq!(backend.count("Todo").expect("count"), 5);
}

/// A backend where alice owns 50 todos.
fn fifty_todos_of_alice() -> (tempfile::TempDir, Backend, Caller) {
    let dir = tempfile::tempdir().expect("dir");
    let backend = open(dir.path(), &default_introspection());
    let alice = user("alice");
    for n in 0..50 {
        create(
            &backend,
            "Todo",
            &alice,
            json!({ "content": format!("a{n}") }),
        );
    }
    (dir, backend, alice)
}

#[test]
fn the_row_budget_stops_a_list_where_it_is() {
    let (_dir, backend, alice) = fifty_todos_of_alice();
    // One unit for the lookup, then one per item: ten units read nine items.
    let budget = Budget::new(10, Duration::from_secs(3600));
    let (outcome, rows, _) = cost_of(&backend, || {
        list(&backend, "Todo", &alice, &ListQuery::default(), &budget)
    });
    let error = outcome.expect_err("over budget");
    assert_eq!(error.error_type, "ExecutionLimitExceeded");
    assert_eq!(rows, 9);
    // The rest of the request is refused without reading.
    let (outcome, rows, _) = cost_of(&backend, || {
        list(&backend, "Todo", &alice, &ListQuery::default(), &budget)
    });
    assert_eq!(
        outcome.expect_err("still over").error_type,
        "ExecutionLimitExceeded"
    );
    assert_eq!(rows, 0);
}

#[test]
fn the_time_budget_stops_reads_midway() {
    let (_dir, backend, alice) = fifty_todos_of_alice();
    // The clock runs out at the sixth look: the lookup and four items pass.
    let looks = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&looks);
    let budget = Budget::with_expiry(1_000_000, move || {
        counted.fetch_add(1, Ordering::Relaxed) >= 5
    });
    let (outcome, rows, _) = cost_of(&backend, || {
        list(&backend, "Todo", &alice, &ListQuery::default(), &budget)
    });
    let error = outcome.expect_err("out of time");
    assert_eq!(
        (error.error_type.as_str(), error.message.as_str()),
        ("ExecutionTimeout", "Execution timed out.")
    );
    assert_eq!(rows, 4);
}
