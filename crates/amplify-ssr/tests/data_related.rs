//! Relationship loaders against amplify-local: a `hasMany` read page by page, a `belongsTo` read with `get`
//! under the related model's own rules (refused across owners), a `hasOne` found through the related model's
//! foreign key, and related items in one request through a custom selection set.

mod common;
mod data_support;

use amplify_ssr::data::{DataClient, DataError, ListOptions, ModelOptions};
use data_support::{field, unauthorized};
use futures_util::StreamExt as _;
use serde_json::{Value, json};

fn owner_model(name: &str, plural: &str, fields: Value) -> Value {
    json!({
        "name": name, "pluralName": plural, "fields": fields,
        "attributes": [
            {"type": "model", "properties": {}},
            {"type": "auth", "properties": {"rules": [{"provider": "userPools", "ownerField": "owner", "allow": "owner", "identityClaim": "cognito:username", "operations": ["create", "update", "delete", "read"]}]}},
        ],
        "primaryKeyInfo": {"isCustomPrimaryKey": false, "primaryKeyFieldName": "id", "sortKeyFieldNames": []},
    })
}

fn schema() -> Value {
    let mut comments = field("comments", json!({"model": "Comment"}));
    comments["isArray"] = json!(true);
    comments["association"] = json!({"connectionType": "HAS_MANY", "associatedWith": ["postId"]});
    let mut post = field("post", json!({"model": "Post"}));
    post["association"] = json!({"connectionType": "BELONGS_TO", "targetNames": ["postId"]});
    // Post hasOne Cover, whose `postId` points back (Gen 2 writes `associatedWith` and no target names).
    let mut cover = field("cover", json!({"model": "Cover"}));
    cover["association"] =
        json!({"connectionType": "HAS_ONE", "associatedWith": ["postId"], "targetNames": []});
    let mut cover_post = field("post", json!({"model": "Post"}));
    cover_post["association"] = json!({"connectionType": "BELONGS_TO", "targetNames": ["postId"]});
    json!({
        "version": 1,
        "models": {
            "Post": owner_model("Post", "Posts", json!({
                "id": field("id", json!("ID")),
                "title": field("title", json!("String")),
                "comments": comments,
                "cover": cover,
            })),
            "Cover": owner_model("Cover", "Covers", json!({
                "id": field("id", json!("ID")),
                "caption": field("caption", json!("String")),
                "postId": field("postId", json!("ID")),
                "post": cover_post,
            })),
            "Comment": owner_model("Comment", "Comments", json!({
                "id": field("id", json!("ID")),
                "text": field("text", json!("String")),
                "postId": field("postId", json!("ID")),
                "post": post,
            })),
        },
        "enums": {}, "nonModels": {},
    })
}

#[tokio::test]
async fn has_many_pages_belongs_to_under_its_own_rules_and_one_request_selections() {
    let backend = common::Backend::start_with_schema(schema(), |_| {}).await;
    let runner = backend.runner();
    let client = DataClient::new(&runner).expect("data section");
    let (posts, comments) = (
        client.model("Post").unwrap(),
        client.model("Comment").unwrap(),
    );
    let alice = backend.signed_in(&runner, "alice").await;
    let bob = backend.signed_in(&runner, "bob").await;

    let post = posts
        .create(&alice, json!({"title": "hello"}), ModelOptions::new())
        .await
        .unwrap()
        .data
        .expect("post");
    for n in 0..5 {
        let created = comments
            .create(
                &alice,
                json!({"text": format!("c{n}"), "postId": post["id"]}),
                ModelOptions::new(),
            )
            .await
            .unwrap();
        assert!(created.errors.is_empty(), "{:?}", created.errors);
    }
    // Another post's comment is not this post's.
    let other = posts
        .create(&alice, json!({"title": "other"}), ModelOptions::new())
        .await
        .unwrap()
        .data
        .expect("post");
    comments
        .create(
            &alice,
            json!({"text": "elsewhere", "postId": other["id"]}),
            ModelOptions::new(),
        )
        .await
        .unwrap();

    // hasMany, two at a time: more than one page, every comment once.
    let first = posts
        .load_many(&alice, &post, "comments", ListOptions::new().limit(2))
        .await
        .unwrap();
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    assert!(
        first.data.len() <= 2 && first.next_token.is_some(),
        "{first:?}"
    );
    let mut pages = 0;
    let mut texts = Vec::new();
    let mut stream = std::pin::pin!(posts.load_many_pages(
        &alice,
        &post,
        "comments",
        ListOptions::new().limit(2)
    ));
    while let Some(page) = stream.next().await {
        let page = page.unwrap();
        pages += 1;
        texts.extend(
            page.data
                .iter()
                .map(|c| c["text"].as_str().unwrap().to_owned()),
        );
    }
    texts.sort();
    assert_eq!(texts, ["c0", "c1", "c2", "c3", "c4"]);
    assert!(pages >= 3, "{pages} pages");

    // belongsTo: the comment's post.
    let comment = comments
        .list(
            &alice,
            ListOptions::new().filter(json!({"text": {"eq": "c3"}})),
        )
        .await
        .unwrap()
        .data
        .into_iter()
        .next()
        .expect("c3");
    let loaded = comments
        .load_one(&alice, &comment, "post", ModelOptions::new())
        .await
        .unwrap();
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert_eq!(loaded.data.expect("post")["title"], "hello");

    // Bob's comment on alice's post: its post is alice's, and her rules refuse him.
    let bobs = comments
        .create(
            &bob,
            json!({"text": "bob was here", "postId": post["id"]}),
            ModelOptions::new(),
        )
        .await
        .unwrap()
        .data
        .expect("bob's comment");
    let refused = comments
        .load_one(&bob, &bobs, "post", ModelOptions::new())
        .await
        .unwrap();
    assert!(refused.data.is_none(), "{refused:?}");
    assert!(unauthorized(&refused.errors), "{refused:?}");
    // The same through a nested selection: the comment is bob's, its post is not.
    let nested = comments
        .get(
            &bob,
            json!({"id": bobs["id"]}),
            ModelOptions::new().selection_set(["id", "text", "post.title"]),
        )
        .await
        .unwrap();
    let nested_item = nested.data.expect("bob's comment");
    assert_eq!(nested_item["text"], "bob was here");
    assert!(nested_item["post"].is_null(), "{nested_item}");
    assert!(unauthorized(&nested.errors), "{:?}", nested.errors);
    // An empty foreign key has no related item, without a request.
    let orphan = comments
        .load_one(
            &alice,
            &json!({"id": "x", "postId": null}),
            "post",
            ModelOptions::new(),
        )
        .await
        .unwrap();
    assert!(orphan.data.is_none() && orphan.errors.is_empty());
    // A foreign key left out of the selection can't tell: an error, not "no post".
    let unselected = comments
        .load_one(&alice, &json!({"id": "x"}), "post", ModelOptions::new())
        .await;
    assert!(
        matches!(unselected, Err(DataError::NotARelationship { .. })),
        "{unselected:?}"
    );

    // Related items in the same request through a custom selection set.
    let with_comments = posts
        .get(
            &alice,
            json!({"id": post["id"]}),
            ModelOptions::new().selection_set(["id", "title", "comments.text"]),
        )
        .await
        .unwrap();
    assert!(
        with_comments.errors.is_empty(),
        "{:?}",
        with_comments.errors
    );
    let nested = with_comments.data.expect("post")["comments"]
        .as_array()
        .expect("flattened comments")
        .len();
    assert_eq!(nested, 5, "alice's own comments on her post");

    // Not a relationship of that kind.
    for (model, field, call_many) in [
        (&posts, "title", true),
        (&posts, "comments", false),
        (&comments, "post", true),
        (&posts, "cover", true),
    ] {
        let error = if call_many {
            model
                .load_many(&alice, &post, field, ListOptions::new())
                .await
                .unwrap_err()
        } else {
            model
                .load_one(&alice, &post, field, ModelOptions::new())
                .await
                .unwrap_err()
        };
        assert_eq!(error.name(), "NotARelationship", "{field}: {error}");
    }
}

#[tokio::test]
async fn has_one_is_found_through_the_related_foreign_key_under_its_own_rules() {
    let backend = common::Backend::start_with_schema(schema(), |_| {}).await;
    let runner = backend.runner();
    let client = DataClient::new(&runner).expect("data section");
    let (posts, covers) = (
        client.model("Post").unwrap(),
        client.model("Cover").unwrap(),
    );
    let alice = backend.signed_in(&runner, "alice").await;
    let bob = backend.signed_in(&runner, "bob").await;
    let create = async |model: &amplify_ssr::data::ModelClient,
                        ctx: &amplify_ssr::ServerContext,
                        item: Value| {
        let created = model.create(ctx, item, ModelOptions::new()).await.unwrap();
        assert!(created.errors.is_empty(), "{:?}", created.errors);
        created.data.expect("created")
    };

    let post = create(&posts, &alice, json!({"title": "with a cover"})).await;
    let bare = create(&posts, &alice, json!({"title": "without"})).await;
    // Two covers, on two posts: the loader must pick the one whose `postId` is this post's id.
    create(
        &covers,
        &alice,
        json!({"caption": "elsewhere", "postId": bare["id"]}),
    )
    .await;
    let cover = create(
        &covers,
        &alice,
        json!({"caption": "sunset", "postId": post["id"]}),
    )
    .await;
    covers
        .delete(&alice, json!({"id": cover["id"]}), ModelOptions::new())
        .await
        .unwrap();
    let cover = create(
        &covers,
        &alice,
        json!({"caption": "dawn", "postId": post["id"]}),
    )
    .await;

    let loaded = posts
        .load_one(&alice, &post, "cover", ModelOptions::new())
        .await
        .unwrap();
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let loaded = loaded.data.expect("the post's cover");
    assert_eq!(
        (&loaded["id"], &loaded["caption"]),
        (&cover["id"], &json!("dawn"))
    );
    // A custom selection set applies to the related item.
    let caption_only = posts
        .load_one(
            &alice,
            &post,
            "cover",
            ModelOptions::new().selection_set(["caption"]),
        )
        .await
        .unwrap();
    assert_eq!(caption_only.data, Some(json!({"caption": "dawn"})));

    // The cover's own owner rule: bob sees no cover on alice's post.
    let as_bob = posts
        .load_one(&bob, &post, "cover", ModelOptions::new())
        .await
        .unwrap();
    assert!(as_bob.data.is_none(), "{as_bob:?}");
    // After the cover is gone there is none, without an error.
    covers
        .delete(&alice, json!({"id": cover["id"]}), ModelOptions::new())
        .await
        .unwrap();
    let gone = posts
        .load_one(&alice, &post, "cover", ModelOptions::new())
        .await
        .unwrap();
    assert!(gone.data.is_none() && gone.errors.is_empty(), "{gone:?}");
    // The post's key must be selected to find its cover.
    let unselected = posts
        .load_one(
            &alice,
            &json!({"title": "no id"}),
            "cover",
            ModelOptions::new(),
        )
        .await;
    assert!(
        matches!(unselected, Err(DataError::NotARelationship { .. })),
        "{unselected:?}"
    );

    // In the same request, through a custom selection set.
    let with_cover = posts
        .get(
            &alice,
            json!({"id": bare["id"]}),
            ModelOptions::new().selection_set(["id", "cover.caption"]),
        )
        .await
        .unwrap();
    assert!(with_cover.errors.is_empty(), "{:?}", with_cover.errors);
    assert_eq!(
        with_cover.data.expect("post")["cover"]["caption"],
        "elsewhere"
    );
}
