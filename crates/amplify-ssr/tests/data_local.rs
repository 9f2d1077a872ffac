//! End to end against amplify-local's AppSync-compatible `/graphql`: owner rules across two users, the public
//! model read with the API key and with guest SigV4, and refused credentials.

mod common;

use amplify_ssr::data::{AuthMode, DataClient, GraphqlRequest, ListOptions, ModelOptions};
use http::HeaderMap;
use serde_json::json;

#[tokio::test]
async fn owners_see_and_change_only_their_own_todos() {
    let backend = common::Backend::start().await;
    let runner = backend.runner();
    let client = DataClient::new(&runner).expect("data section");
    assert_eq!(client.default_auth_mode(), AuthMode::UserPool);
    let todo = client.model("Todo").expect("Todo");
    let alice = backend.signed_in(&runner, "alice").await;
    let bob = backend.signed_in(&runner, "bob").await;

    let created = todo
        .create(
            &alice,
            json!({"content": "alice's", "done": false}),
            ModelOptions::new(),
        )
        .await
        .unwrap();
    assert!(created.errors.is_empty(), "{:?}", created.errors);
    let item = created.data.expect("created item");
    assert_eq!(item["content"], "alice's");
    assert!(
        item["owner"].as_str().unwrap_or_default().contains("alice"),
        "{item}"
    );
    let id = item["id"].clone();

    let mine = todo.list(&alice, ListOptions::new()).await.unwrap();
    assert!(mine.errors.is_empty(), "{:?}", mine.errors);
    assert_eq!(mine.data.len(), 1);
    let theirs = todo.list_all(&bob, ListOptions::new()).await.unwrap();
    assert!(theirs.data.is_empty(), "{:?}", theirs.data);

    // Bob can neither read nor change alice's todo.
    let got = todo
        .get(&bob, json!({"id": id}), ModelOptions::new())
        .await
        .unwrap();
    assert!(got.data.is_none() || !got.errors.is_empty(), "{got:?}");
    let updated = todo
        .update(&bob, json!({"id": id, "done": true}), ModelOptions::new())
        .await
        .unwrap();
    assert!(
        updated.data.is_none() && !updated.errors.is_empty(),
        "{updated:?}"
    );
    let deleted = todo
        .delete(&bob, json!({"id": id}), ModelOptions::new())
        .await
        .unwrap();
    assert!(
        deleted.data.is_none() && !deleted.errors.is_empty(),
        "{deleted:?}"
    );

    // Alice can; read-only fields in her input are dropped, not refused.
    let updated = todo
        .update(
            &alice,
            json!({"id": id, "done": true, "createdAt": "2000-01-01T00:00:00Z"}),
            ModelOptions::new(),
        )
        .await
        .unwrap();
    assert!(updated.errors.is_empty(), "{:?}", updated.errors);
    assert_eq!(updated.data.unwrap()["done"], true);
    let deleted = todo
        .delete(&alice, json!({"id": id}), ModelOptions::new())
        .await
        .unwrap();
    assert!(deleted.errors.is_empty(), "{:?}", deleted.errors);
    assert!(
        todo.list(&alice, ListOptions::new())
            .await
            .unwrap()
            .data
            .is_empty()
    );

    // Signed out: the user-pool mode fails before any request.
    let error = todo
        .list(&runner.context(&HeaderMap::new()), ListOptions::new())
        .await
        .unwrap_err();
    assert_eq!(error.name(), "NoValidAuthTokens");
}

#[tokio::test]
async fn the_public_model_reads_with_the_api_key_and_guest_sigv4() {
    let backend = common::Backend::start().await;
    let runner = backend.runner();
    let client = DataClient::new(&runner).expect("data section");
    let announcements = client.model("Announcement").expect("Announcement");
    let guest = runner.context(&HeaderMap::new());

    let by_key = announcements
        .list(&guest, ListOptions::new().auth_mode(AuthMode::ApiKey))
        .await
        .unwrap();
    assert!(by_key.errors.is_empty(), "{:?}", by_key.errors);
    assert!(!by_key.data.is_empty(), "seeded announcements");

    let by_iam = announcements
        .list(&guest, ListOptions::new().auth_mode(AuthMode::Iam))
        .await
        .unwrap();
    assert!(by_iam.errors.is_empty(), "{:?}", by_iam.errors);
    assert_eq!(by_iam.data.len(), by_key.data.len());

    // The API key cannot write, and a wrong key is refused.
    let created = announcements
        .create(
            &guest,
            json!({"title": "nope"}),
            ModelOptions::new().auth_mode(AuthMode::ApiKey),
        )
        .await
        .unwrap();
    assert!(
        created.data.is_none() && !created.errors.is_empty(),
        "{created:?}"
    );
    let error = client
        .graphql(
            &guest,
            GraphqlRequest::new("query { listAnnouncements { items { id } } }")
                .auth_mode(AuthMode::ApiKey)
                .api_key("da2-wrong"),
        )
        .await
        .unwrap_err();
    assert!(error.is_unauthorized(), "{error:?}");

    // Paging follows nextToken.
    let pages = announcements
        .list_all(
            &guest,
            ListOptions::new().auth_mode(AuthMode::ApiKey).limit(1),
        )
        .await
        .unwrap();
    assert_eq!(pages.data.len(), by_key.data.len());
}
