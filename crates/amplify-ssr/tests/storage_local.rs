//! Storage against an in-process amplify-local (Cognito Identity + its SigV4-verifying S3), with credentials from
//! `fetch_identity_credentials`: every API as a signed-in user, and the refusals the issue lists (tampered and
//! expired URLs, a foreign session token, a guest writing, one user reading another's private path), each
//! checked to change nothing.

mod common;

use amplify_local::{LocalBackend, LocalOptions};
use amplify_ssr::storage::{self, GetUrlInput, ListInput, UploadInput};
use amplify_ssr::{AmplifyConfig, ServerRunner};

#[tokio::test]
async fn a_guest_lists_and_reads_public_but_cannot_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let options = LocalOptions::new(dir.path().to_path_buf())
        .with_port(0)
        .with_s3_port(0)
        .with_guest_access(true);
    let backend = LocalBackend::start(options).await.expect("amplify-local");
    let config = AmplifyConfig::from_value(&backend.outputs()).expect("config");
    let runner = ServerRunner::builder(config)
        .ignore_env()
        .build()
        .expect("runner");
    let ctx = runner.static_context();

    let listed = storage::list(&ctx, ListInput::new("public/"))
        .await
        .expect("guest list");
    assert!(listed.items.is_empty(), "{listed:?}");
    let url = storage::get_url(&ctx, GetUrlInput::new("public/none.txt"))
        .await
        .expect("get_url");
    let status = reqwest::get(url.url).await.expect("GET").status().as_u16();
    assert_eq!(status, 404, "a valid guest URL for a missing object");

    let err = storage::upload(&ctx, UploadInput::new("public/x.txt", "x"))
        .await
        .unwrap_err();
    assert!(err.is_access_denied(), "{err:?}");
    let err = storage::upload(&ctx, UploadInput::new("private/someone/x.txt", "x"))
        .await
        .unwrap_err();
    assert!(err.is_access_denied(), "{err:?}");
}

use amplify_ssr::storage::{
    AccessLevel, CopyInput, GetPropertiesInput, PresignMethod, RemoveInput, StoragePath,
    StorageTarget, SubpathStrategy,
};
use amplify_ssr::{ServerContext, fetch_identity_credentials};
use common::{Backend, signed_in_jar};

struct User {
    ctx: ServerContext,
    identity_id: String,
}

async fn user(local: &Backend, runner: &ServerRunner, name: &str) -> User {
    let username = local.user(name);
    let jar = signed_in_jar(runner, &username).await;
    let ctx = jar.context(runner);
    let identity_id = fetch_identity_credentials(&ctx, false)
        .await
        .expect("credentials")
        .identity_id;
    User { ctx, identity_id }
}

fn own(path: &str) -> StorageTarget {
    let path = path.to_owned();
    StorageTarget::path(StoragePath::from_identity(move |id| {
        format!("private/{id}/{path}")
    }))
}

async fn read(url: &url::Url) -> (u16, String) {
    let response = reqwest::get(url.clone()).await.expect("GET");
    (
        response.status().as_u16(),
        response.text().await.unwrap_or_default(),
    )
}

#[tokio::test]
async fn a_signed_in_user_uses_every_storage_api() {
    let local = Backend::start().await;
    let runner = local.runner();
    let alice = user(&local, &runner, "alice").await;
    let ctx = &alice.ctx;

    // upload (single PUT and multipart) and get_properties
    storage::upload(
        ctx,
        UploadInput::new(own("a.txt"), "hello alice")
            .content_type("text/plain")
            .metadata("k", "v"),
    )
    .await
    .expect("upload");
    let big = vec![b'x'; 11 * 1024 * 1024];
    let output = storage::upload(
        ctx,
        UploadInput::new(own("big.bin"), big.clone()).multipart(5 * 1024 * 1024, 5 * 1024 * 1024),
    )
    .await
    .expect("multipart upload");
    assert_eq!(output.parts, 3, "{output:?}");
    let props = storage::get_properties(ctx, GetPropertiesInput::new(own("a.txt")))
        .await
        .expect("properties");
    assert_eq!(props.size, Some(11));
    assert_eq!(props.content_type.as_deref(), Some("text/plain"));
    assert_eq!(props.metadata.get("k").map(String::as_str), Some("v"));
    assert_eq!(props.path, format!("private/{}/a.txt", alice.identity_id));
    let big_props = storage::get_properties(ctx, GetPropertiesInput::new(own("big.bin")))
        .await
        .unwrap();
    assert_eq!(big_props.size, Some(big.len() as u64));

    // get_url (GET, with existence check) and a presigned PUT
    let url = storage::get_url(
        ctx,
        GetUrlInput::new(own("a.txt")).validate_object_existence(true),
    )
    .await
    .unwrap();
    assert_eq!(read(&url.url).await, (200, "hello alice".to_owned()));
    let missing = storage::get_url(
        ctx,
        GetUrlInput::new(own("none.txt")).validate_object_existence(true),
    )
    .await;
    assert!(missing.unwrap_err().is_not_found());
    let put = storage::get_url(
        ctx,
        GetUrlInput::new(own("put.txt"))
            .method(PresignMethod::Put)
            .content_type("text/plain"),
    )
    .await
    .unwrap();
    let mut request = reqwest::Client::new()
        .put(put.url.clone())
        .body("via presigned put");
    for (name, value) in &put.headers {
        request = request.header(name, value);
    }
    assert!(request.send().await.unwrap().status().is_success());

    // legacy keys with access levels, and the public area
    storage::upload(
        ctx,
        UploadInput::new(
            StorageTarget::key("p.txt", AccessLevel::Protected),
            "protected",
        ),
    )
    .await
    .expect("protected upload");
    storage::upload(ctx, UploadInput::new("public/shared.txt", "shared"))
        .await
        .expect("public upload");

    // list (paged, all, subpaths excluded)
    storage::upload(ctx, UploadInput::new(own("dir/deep.txt"), "deep"))
        .await
        .unwrap();
    let prefix = format!("private/{}/", alice.identity_id);
    let page = storage::list(ctx, ListInput::new(prefix.as_str()).page_size(2))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert!(page.next_token.is_some());
    let all = storage::list_all(ctx, ListInput::new(prefix.as_str()))
        .await
        .unwrap();
    let names: Vec<_> = all
        .items
        .iter()
        .map(|i| i.path.trim_start_matches(&prefix).to_owned())
        .collect();
    assert_eq!(names, ["a.txt", "big.bin", "dir/deep.txt", "put.txt"]);
    let shallow = storage::list_all(
        ctx,
        ListInput::new(prefix.as_str())
            .subpath_strategy(SubpathStrategy::Exclude { delimiter: None }),
    )
    .await
    .unwrap();
    assert_eq!(shallow.items.len(), 3);
    assert_eq!(shallow.excluded_subpaths, [format!("{prefix}dir/")]);

    // copy, then remove an object and a folder
    storage::copy(ctx, CopyInput::new(own("a.txt"), own("copy.txt")))
        .await
        .expect("copy");
    let url = storage::get_url(ctx, GetUrlInput::new(own("copy.txt")))
        .await
        .unwrap();
    assert_eq!(read(&url.url).await.1, "hello alice");
    storage::remove(ctx, RemoveInput::new(own("copy.txt")))
        .await
        .expect("remove");
    storage::remove(ctx, RemoveInput::new(own("dir/")))
        .await
        .expect("remove folder");
    let all = storage::list_all(ctx, ListInput::new(prefix.as_str()))
        .await
        .unwrap();
    assert_eq!(all.items.len(), 3, "{all:?}");
}

#[tokio::test]
async fn refused_requests_are_rejected_and_change_nothing() {
    let local = Backend::start().await;
    let runner = local.runner();
    let alice = user(&local, &runner, "alice").await;
    let bob = user(&local, &runner, "bob").await;
    storage::upload(
        &alice.ctx,
        UploadInput::new(own("secret.txt"), "alice's secret"),
    )
    .await
    .unwrap();
    let alice_path = format!("private/{}/secret.txt", alice.identity_id);
    let intact = || async {
        let url = storage::get_url(&alice.ctx, GetUrlInput::new(alice_path.as_str()))
            .await
            .unwrap();
        assert_eq!(
            read(&url.url).await,
            (200, "alice's secret".to_owned()),
            "alice's object is intact"
        );
    };

    // A tampered URL.
    let url = storage::get_url(&alice.ctx, GetUrlInput::new(alice_path.as_str()))
        .await
        .unwrap();
    let tampered = url.url.as_str().replace("secret.txt", "secreT.txt");
    assert_eq!(
        reqwest::get(&tampered).await.unwrap().status().as_u16(),
        403
    );
    let mut resigned = url.url.clone();
    let pairs: Vec<(String, String)> = resigned
        .query_pairs()
        .map(|(k, v)| {
            if k == "X-Amz-Signature" {
                (k.into_owned(), "0".repeat(64))
            } else {
                (k.into_owned(), v.into_owned())
            }
        })
        .collect();
    resigned.query_pairs_mut().clear().extend_pairs(pairs);
    assert_eq!(read(&resigned).await.0, 403);

    // An expired URL: ten minutes and a second later by amplify-local's clock.
    let short = storage::get_url(
        &alice.ctx,
        GetUrlInput::new(alice_path.as_str()).expires_in(std::time::Duration::from_secs(600)),
    )
    .await
    .unwrap();
    assert_eq!(read(&short.url).await.0, 200);
    let clock = local.backend.clock();
    clock.advance(std::time::Duration::from_secs(601));
    assert_eq!(read(&short.url).await.0, 403);
    clock.reset();

    // A foreign session token: bob's URL carrying alice's session token.
    let bobs = storage::get_url(&bob.ctx, GetUrlInput::new(own("mine.txt")))
        .await
        .unwrap();
    let alice_token = fetch_identity_credentials(&alice.ctx, false)
        .await
        .unwrap()
        .credentials
        .session_token
        .unwrap();
    let mut foreign = bobs.url.clone();
    let pairs: Vec<(String, String)> = foreign
        .query_pairs()
        .map(|(k, v)| {
            if k == "X-Amz-Security-Token" {
                (k.into_owned(), alice_token.secret().to_owned())
            } else {
                (k.into_owned(), v.into_owned())
            }
        })
        .collect();
    foreign.query_pairs_mut().clear().extend_pairs(pairs);
    let status = read(&foreign).await.0;
    assert!(
        status == 400 || status == 403,
        "a foreign session token is refused: {status}"
    );

    // Bob reading, listing, overwriting or deleting alice's private path.
    let err = storage::get_properties(&bob.ctx, GetPropertiesInput::new(alice_path.as_str()))
        .await
        .unwrap_err();
    assert!(err.is_access_denied(), "{err:?}");
    let url = storage::get_url(&bob.ctx, GetUrlInput::new(alice_path.as_str()))
        .await
        .unwrap();
    assert_eq!(
        read(&url.url).await.0,
        403,
        "bob's presigned URL for alice's object is refused"
    );
    let err = storage::list(
        &bob.ctx,
        ListInput::new(format!("private/{}/", alice.identity_id)),
    )
    .await
    .unwrap_err();
    assert!(err.is_access_denied(), "{err:?}");
    let err = storage::upload(
        &bob.ctx,
        UploadInput::new(alice_path.as_str(), "overwritten"),
    )
    .await
    .unwrap_err();
    assert!(err.is_access_denied(), "{err:?}");
    let err = storage::remove(&bob.ctx, RemoveInput::new(alice_path.as_str()))
        .await
        .unwrap_err();
    assert!(err.is_access_denied(), "{err:?}");
    let err = storage::copy(
        &bob.ctx,
        CopyInput::new(alice_path.as_str(), own("stolen.txt")),
    )
    .await
    .unwrap_err();
    assert!(err.is_access_denied(), "{err:?}");

    // A guest writing to a private path (and to public/).
    let guest = runner.static_context();
    for path in [alice_path.as_str(), "public/guest.txt"] {
        let err = storage::upload(&guest, UploadInput::new(path, "guest"))
            .await
            .unwrap_err();
        assert!(err.is_access_denied(), "{path}: {err:?}");
    }

    intact().await;
    let listed = storage::list_all(
        &alice.ctx,
        ListInput::new(format!("private/{}/", alice.identity_id)),
    )
    .await
    .unwrap();
    assert_eq!(listed.items.len(), 1, "nothing was added: {listed:?}");
}
