//! An independent check of the signing: every storage API against s3s-fs, a separate S3 implementation that
//! verifies SigV4 (`s3s::auth::SimpleAuth`), served in process on 127.0.0.1 (path-style).
//!
//! s3s-fs checks the signature, the signed headers and the expiry of presigned URLs; it does not check the
//! session token (it has one key pair), which is fine here: the credentials are given explicitly
//! (`location_credentials`, string paths), with no identity pool.

use std::time::{Duration, SystemTime};

use amplify_ssr::storage::{
    self, ContentDisposition, CopyInput, GetPropertiesInput, GetUrlInput, ListInput, PresignMethod,
    RemoveInput, StorageBucket, StorageError, SubpathStrategy, UploadInput,
};
use amplify_ssr::{AmplifyConfig, AwsCredentials, ServerContext, ServerRunner};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;

const AK: &str = "AKIDEXAMPLE";
const SK: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

struct S3s {
    port: u16,
    _root: tempfile::TempDir,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for S3s {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn start_s3s(buckets: &[&str]) -> S3s {
    let root = tempfile::tempdir().expect("tempdir");
    for bucket in buckets {
        std::fs::create_dir(root.path().join(bucket)).expect("bucket dir");
    }
    let fs = s3s_fs::FileSystem::new(root.path()).expect("s3s-fs");
    let mut builder = s3s::service::S3ServiceBuilder::new(fs);
    builder.set_auth(s3s::auth::SimpleAuth::from_single(AK, SK));
    let service = builder.build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                continue;
            };
            let service = service.clone();
            tokio::spawn(async move {
                let _ = ConnBuilder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(socket), service)
                    .await;
            });
        }
    });
    S3s {
        port,
        _root: root,
        server,
    }
}

fn context(port: u16) -> ServerContext {
    let config = AmplifyConfig::from_json(
        r#"{"version":"1.4","storage":{"bucket_name":"bkt","aws_region":"us-east-1",
        "buckets":[{"name":"other","bucket_name":"other-bkt","aws_region":"us-east-1","paths":{}}]}}"#,
    )
    .expect("config");
    ServerRunner::builder(config)
        .ignore_env()
        .storage_endpoint(&format!("http://127.0.0.1:{port}"))
        .build()
        .expect("runner")
        .static_context()
}

fn creds() -> AwsCredentials {
    AwsCredentials::new(AK, SK, Some("session-token-ignored-by-s3s".to_owned()))
}

async fn fetch(url: &url::Url) -> (u16, Vec<u8>, reqwest::header::HeaderMap) {
    let response = reqwest::get(url.clone()).await.expect("GET");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (
        status,
        response.bytes().await.expect("body").to_vec(),
        headers,
    )
}

async fn url_of(ctx: &ServerContext, input: GetUrlInput) -> url::Url {
    storage::get_url(ctx, input.location_credentials(creds()))
        .await
        .expect("get_url")
        .url
}

#[tokio::test]
async fn presigned_urls_are_accepted_and_tampered_ones_refused() {
    let s3 = start_s3s(&["bkt"]).await;
    let ctx = context(s3.port);
    for key in [
        "public/hello.txt",
        "public/dir/sp ace+ü ñ=eq&amp.txt",
        "public/a~b_c-d.e!*'()",
        "public/deep/%41.txt",
    ] {
        storage::upload(
            &ctx,
            UploadInput::new(key, format!("content of {key}"))
                .content_type("text/plain")
                .location_credentials(creds()),
        )
        .await
        .unwrap_or_else(|e| panic!("upload {key}: {e}"));
        let url = url_of(&ctx, GetUrlInput::new(key)).await;
        let (status, body, _) = fetch(&url).await;
        assert_eq!(status, 200, "{key}");
        assert_eq!(body, format!("content of {key}").into_bytes(), "{key}");
    }

    // Response overrides are signed and honoured.
    let url = url_of(
        &ctx,
        GetUrlInput::new("public/hello.txt")
            .content_disposition(ContentDisposition::attachment("x y.txt"))
            .content_type("application/x-test"),
    )
    .await;
    let (status, _, headers) = fetch(&url).await;
    assert_eq!(status, 200);
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"x y.txt\""
    );
    assert_eq!(headers["content-type"], "application/x-test");

    // A tampered signature, a tampered key and a tampered override are refused.
    let good = url_of(&ctx, GetUrlInput::new("public/hello.txt")).await;
    let mut bad_signature = good.clone();
    let query: String = good
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "X-Amz-Signature" {
                let mut s = v.into_owned();
                let last = if s.ends_with('0') { "1" } else { "0" };
                s.replace_range(s.len() - 1.., last);
                s
            } else {
                v.into_owned()
            };
            format!("{k}={}", urlencode(&v))
        })
        .collect::<Vec<_>>()
        .join("&");
    bad_signature.set_query(Some(&query));
    assert_eq!(fetch(&bad_signature).await.0, 403);
    let mut bad_key = good.clone();
    bad_key.set_path("/bkt/public/dir/sp%20ace%2B%C3%BC%20%C3%B1%3Deq%26amp.txt");
    assert_eq!(fetch(&bad_key).await.0, 403);
    let bad_override = url::Url::parse(&good.as_str().replace(
        "x-id=GetObject",
        "x-id=GetObject&response-content-type=text%2Fhtml",
    ))
    .unwrap();
    assert_eq!(fetch(&bad_override).await.0, 403);

    // Signed with the wrong secret.
    let wrong = storage::get_url(
        &ctx,
        GetUrlInput::new("public/hello.txt").location_credentials(AwsCredentials::new(
            AK,
            "not-the-secret",
            None,
        )),
    )
    .await
    .unwrap();
    assert_eq!(fetch(&wrong.url).await.0, 403);

    // Expired: the same one-minute URL, signed now and an hour ago (by s3s's clock, the system's).
    let endpoint = url::Url::parse(&format!("http://127.0.0.1:{}", s3.port)).unwrap();
    let signed_at = |time: SystemTime| {
        storage::__presign_get_url_at(
            Some(&endpoint),
            "bkt",
            "us-east-1",
            &GetUrlInput::new("public/hello.txt").expires_in(Duration::from_secs(60)),
            &creds(),
            time,
        )
        .unwrap()
        .url
    };
    assert_eq!(fetch(&signed_at(SystemTime::now())).await.0, 200);
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    assert_eq!(fetch(&signed_at(an_hour_ago)).await.0, 403);
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[tokio::test]
async fn a_presigned_put_uploads_with_its_signed_content_type() {
    let s3 = start_s3s(&["bkt"]).await;
    let ctx = context(s3.port);
    let out = storage::get_url(
        &ctx,
        GetUrlInput::new("public/up load.png")
            .method(PresignMethod::Put)
            .content_type("image/png")
            .location_credentials(creds()),
    )
    .await
    .unwrap();
    assert_eq!(
        out.headers,
        [("content-type".to_owned(), "image/png".to_owned())]
    );
    let http = reqwest::Client::new();
    // Without the signed header: refused, nothing written.
    let refused = http
        .put(out.url.clone())
        .header("content-type", "text/html")
        .body("<script>")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    let missing = storage::get_properties(
        &ctx,
        GetPropertiesInput::new("public/up load.png").location_credentials(creds()),
    )
    .await
    .unwrap_err();
    assert!(missing.is_not_found(), "{missing:?}");

    let mut put = http.put(out.url.clone()).body(vec![1u8, 2, 3]);
    for (name, value) in &out.headers {
        put = put.header(name, value);
    }
    assert_eq!(put.send().await.unwrap().status().as_u16(), 200);
    let url = url_of(&ctx, GetUrlInput::new("public/up load.png")).await;
    let (status, body, headers) = fetch(&url).await;
    assert_eq!((status, body), (200, vec![1, 2, 3]));
    assert_eq!(headers["content-type"], "image/png");
}

#[tokio::test]
async fn header_signed_operations_work() {
    let s3 = start_s3s(&["bkt", "other-bkt"]).await;
    let ctx = context(s3.port);
    let up = |path: &'static str, body: &'static str| {
        let ctx = ctx.clone();
        async move {
            storage::upload(
                &ctx,
                UploadInput::new(path, body)
                    .content_type("text/plain")
                    .metadata("Owner", "test")
                    .location_credentials(creds()),
            )
            .await
            .unwrap_or_else(|e| panic!("upload {path}: {e}"))
        }
    };
    let first = up("public/photos/a.txt", "aaa").await;
    assert_eq!(first.size, 3);
    assert_eq!(first.parts, 0);
    up("public/photos/b c.txt", "bbbb").await;
    up("public/photos/2024/x.txt", "x").await;
    up("public/other.txt", "o").await;

    // get_properties
    let props = storage::get_properties(
        &ctx,
        GetPropertiesInput::new("public/photos/b c.txt").location_credentials(creds()),
    )
    .await
    .unwrap();
    assert_eq!(props.size, Some(4));
    assert_eq!(props.content_type.as_deref(), Some("text/plain"));
    assert_eq!(
        props.metadata.get("owner").map(String::as_str),
        Some("test")
    );
    assert!(props.e_tag.is_some() && props.last_modified.is_some());
    let missing = storage::get_properties(
        &ctx,
        GetPropertiesInput::new("public/nope").location_credentials(creds()),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(missing, StorageError::NotFound { .. }),
        "{missing:?}"
    );
    let validated = storage::get_url(
        &ctx,
        GetUrlInput::new("public/nope")
            .validate_object_existence(true)
            .location_credentials(creds()),
    )
    .await
    .unwrap_err();
    assert_eq!(validated.name(), "NotFound");
    storage::get_url(
        &ctx,
        GetUrlInput::new("public/other.txt")
            .validate_object_existence(true)
            .location_credentials(creds()),
    )
    .await
    .expect("existing object validates");

    // list: one page, paging, list_all, excluded sub-paths
    let all = storage::list_all(
        &ctx,
        ListInput::new("public/photos/").location_credentials(creds()),
    )
    .await
    .unwrap();
    let mut paths: Vec<_> = all.items.iter().map(|i| i.path.as_str()).collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "public/photos/2024/x.txt",
            "public/photos/a.txt",
            "public/photos/b c.txt"
        ]
    );
    let page = storage::list(
        &ctx,
        ListInput::new("public/photos/")
            .page_size(2)
            .location_credentials(creds()),
    )
    .await
    .unwrap();
    assert_eq!(page.items.len(), 2);
    let token = page.next_token.expect("a second page");
    let rest = storage::list(
        &ctx,
        ListInput::new("public/photos/")
            .page_size(2)
            .next_token(token)
            .location_credentials(creds()),
    )
    .await
    .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert!(rest.next_token.is_none());
    let shallow = storage::list(
        &ctx,
        ListInput::new("public/photos/")
            .subpath_strategy(SubpathStrategy::Exclude { delimiter: None })
            .location_credentials(creds()),
    )
    .await
    .unwrap();
    assert_eq!(shallow.items.len(), 2);
    assert_eq!(shallow.excluded_subpaths, ["public/photos/2024/"]);

    // copy, within the bucket and to another bucket (by friendly name)
    let copied = storage::copy(
        &ctx,
        CopyInput::new("public/photos/b c.txt", "public/copy of b.txt")
            .location_credentials(creds()),
    )
    .await
    .unwrap();
    assert_eq!(copied.path, "public/copy of b.txt");
    let url = url_of(&ctx, GetUrlInput::new("public/copy of b.txt")).await;
    assert_eq!(fetch(&url).await.1, b"bbbb");
    storage::copy(
        &ctx,
        CopyInput::new(
            storage::CopySource::new("public/other.txt")
                .bucket(StorageBucket::explicit("bkt", "us-east-1")),
            storage::CopyDestination::new("public/other.txt").bucket("other"),
        )
        .location_credentials(creds()),
    )
    .await
    .unwrap();
    let url = url_of(&ctx, GetUrlInput::new("public/other.txt").bucket("other")).await;
    assert_eq!(fetch(&url).await.1, b"o");
    let missing_source = storage::copy(
        &ctx,
        CopyInput::new("public/nope", "public/x").location_credentials(creds()),
    )
    .await
    .unwrap_err();
    assert!(missing_source.is_not_found(), "{missing_source:?}");

    // remove: an object, then a folder (by its name without the slash: it has children)
    let removed = storage::remove(
        &ctx,
        RemoveInput::new("public/copy of b.txt").location_credentials(creds()),
    )
    .await
    .unwrap();
    assert_eq!(removed.removed, ["public/copy of b.txt"]);
    let folder = storage::remove(
        &ctx,
        RemoveInput::new("public/photos").location_credentials(creds()),
    )
    .await
    .unwrap();
    let mut gone = folder.removed.clone();
    gone.sort();
    assert!(
        gone.starts_with(&[
            "public/photos/2024/x.txt".to_owned(),
            "public/photos/a.txt".to_owned(),
            "public/photos/b c.txt".to_owned()
        ]),
        "{gone:?}"
    );
    let left = storage::list_all(
        &ctx,
        ListInput::new("public/").location_credentials(creds()),
    )
    .await
    .unwrap();
    let left: Vec<_> = left.items.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(left, ["public/other.txt"]);
    for root in ["", "/", "*"] {
        let err = storage::remove(&ctx, RemoveInput::new(root).location_credentials(creds()))
            .await
            .unwrap_err();
        assert_eq!(err.name(), "InvalidStorageOperationInput", "{root:?}");
    }
}

#[tokio::test]
async fn large_bodies_go_multipart() {
    let s3 = start_s3s(&["bkt"]).await;
    let ctx = context(s3.port);
    let body: Vec<u8> = (0..(11 * 1024 * 1024 + 17))
        .map(|i: u32| (i % 251) as u8)
        .collect();
    let out = storage::upload(
        &ctx,
        UploadInput::new("public/big.bin", body.clone()).location_credentials(creds()),
    )
    .await
    .unwrap();
    assert_eq!(out.parts, 3);
    assert_eq!(out.size, body.len() as u64);
    let url = url_of(&ctx, GetUrlInput::new("public/big.bin")).await;
    let (status, got, _) = fetch(&url).await;
    assert_eq!(status, 200);
    assert!(got == body, "multipart content differs");
}

#[tokio::test]
async fn s3_errors_are_typed() {
    let s3 = start_s3s(&["bkt"]).await;
    let ctx = context(s3.port);
    let wrong = AwsCredentials::new(AK, "not-the-secret", None);
    let err = storage::upload(
        &ctx,
        UploadInput::new("public/x", "x").location_credentials(wrong),
    )
    .await
    .unwrap_err();
    assert_eq!(err.name(), "SignatureDoesNotMatch", "{err:?}");
    assert!(err.is_signature_error() && !err.is_retryable());
    assert_eq!(err.status(), Some(403));

    // No identity pool in the configuration: the context has no credentials.
    let err = storage::get_url(&ctx, GetUrlInput::new("public/x"))
        .await
        .unwrap_err();
    assert_eq!(err.name(), "NoCredentials", "{err:?}");
    // Explicit credentials need a string path.
    let err = storage::get_url(
        &ctx,
        GetUrlInput::new(storage::StoragePath::from_identity(|id| {
            format!("private/{id}/x")
        }))
        .location_credentials(creds()),
    )
    .await
    .unwrap_err();
    assert_eq!(err.name(), "InvalidStorageInput");
    let err = storage::get_url(&ctx, GetUrlInput::new("x").bucket("missing"))
        .await
        .unwrap_err();
    assert_eq!(err.name(), "InvalidStorageBucket");
}
