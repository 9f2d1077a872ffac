//! The S3 server: SigV4 verification, the storage rules, the operations.

use std::time::{Duration, SystemTime};

use serde_json::json;

use crate::helpers::{Harness, SECOND};
use crate::s3_helpers::Creds;

const HELLO_MD5: &str = "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"";

#[tokio::test]
async fn objects_can_be_put_read_listed_copied_and_deleted() {
    let h = Harness::start().await;
    let alice = h.user_creds("alice").await;
    let own = format!("private/{}", alice.identity_id);

    // PUT with a content type and metadata.
    let put = h
        .send(alice.sign(
            "PUT",
            &h.object_url("public/hello.txt"),
            &[
                ("content-type", "text/plain"),
                ("x-amz-meta-owner", "alice"),
            ],
            b"hello world",
        ))
        .await
        .ok();
    assert_eq!(put.header("etag"), HELLO_MD5);
    // No Origin, no CORS (the app origins get it: see admin_access.rs).
    assert_eq!(put.header("access-control-allow-origin"), "");

    // GET, ranged GET, HEAD.
    let got = h.get(&alice, "public/hello.txt").await.ok();
    assert_eq!(got.body, "hello world");
    assert_eq!(got.header("content-type"), "text/plain");
    assert_eq!(got.header("x-amz-meta-owner"), "alice");
    assert_eq!(got.header("etag"), HELLO_MD5);
    let ranged = h
        .send(alice.sign(
            "GET",
            &h.object_url("public/hello.txt"),
            &[("range", "bytes=0-4")],
            b"",
        ))
        .await;
    assert_eq!((ranged.status, ranged.body.as_str()), (206, "hello"));
    let head = h
        .send(alice.sign("HEAD", &h.object_url("public/hello.txt"), &[], b""))
        .await
        .ok();
    assert_eq!(head.header("content-length"), "11");
    assert!(!head.header("last-modified").is_empty());
    h.send(alice.sign("HEAD", &h.object_url("public/missing"), &[], b""))
        .await
        .status
        .eq(&404)
        .then_some(())
        .expect("HEAD of a missing object is 404");
    h.get(&alice, "public/missing")
        .await
        .assert_error(404, "NoSuchKey");

    // More objects, for listing.
    for key in ["public/a/1.txt", "public/a/2.txt", "public/b.txt"] {
        h.put(&alice, key, b"x").await.ok();
    }
    h.put(&alice, "public/sp%20ace%2Bplus.txt", b"s").await.ok();
    let list = h
        .send(alice.sign(
            "GET",
            &h.bucket_url("delimiter=%2F&list-type=2&prefix=public%2F"),
            &[],
            b"",
        ))
        .await
        .ok();
    assert!(
        list.body.contains("<Prefix>public/a/</Prefix>"),
        "{}",
        list.body
    );
    assert!(
        list.body.contains("<Key>public/b.txt</Key>"),
        "{}",
        list.body
    );
    assert!(
        !list.body.contains("<Key>public/a/1.txt</Key>"),
        "{}",
        list.body
    );
    // Paging.
    let page = h
        .send(alice.sign(
            "GET",
            &h.bucket_url("list-type=2&max-keys=2&prefix=public%2F"),
            &[],
            b"",
        ))
        .await
        .ok();
    assert!(
        page.body.contains("<IsTruncated>true</IsTruncated>"),
        "{}",
        page.body
    );
    let token = page
        .body
        .split_once("<NextContinuationToken>")
        .and_then(|(_, rest)| rest.split_once("</NextContinuationToken>"))
        .map(|(token, _)| token.to_owned())
        .expect("continuation token");
    let encoded: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
    let next = h
        .send(alice.sign(
            "GET",
            &h.bucket_url(&format!(
                "continuation-token={}&list-type=2&max-keys=1000&prefix=public%2F",
                encoded.replace('+', "%20")
            )),
            &[],
            b"",
        ))
        .await
        .ok();
    assert!(
        next.body.contains("<Key>public/hello.txt</Key>"),
        "{}",
        next.body
    );
    assert!(
        !next.body.contains("<Key>public/a/1.txt</Key>"),
        "{}",
        next.body
    );
    // start-after and encoding-type=url.
    let after = h
        .send(alice.sign(
            "GET",
            &h.bucket_url(
                "encoding-type=url&list-type=2&prefix=public%2Fs&start-after=public%2Fb.txt",
            ),
            &[],
            b"",
        ))
        .await
        .ok();
    assert!(
        after.body.contains("<Key>public%2Fsp+ace%2Bplus.txt</Key>"),
        "{}",
        after.body
    );

    // Copy into the caller's private folder.
    let copied = h
        .send(alice.sign(
            "PUT",
            &h.object_url(&format!("{own}/copy.txt")),
            &[(
                "x-amz-copy-source",
                &format!("{}/public/hello.txt", h.backend.bucket_name()),
            )],
            b"",
        ))
        .await
        .ok();
    assert!(copied.body.contains("<ETag>"), "{}", copied.body);
    assert_eq!(
        h.get(&alice, &format!("{own}/copy.txt")).await.ok().body,
        "hello world"
    );

    // Delete one, then several.
    let deleted = h
        .send(alice.sign("DELETE", &h.object_url("public/b.txt"), &[], b""))
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    h.get(&alice, "public/b.txt")
        .await
        .assert_error(404, "NoSuchKey");
    let batch = b"<Delete><Object><Key>public/a/1.txt</Key></Object><Object><Key>public/a/2.txt</Key></Object></Delete>";
    let removed = h
        .send(alice.sign(
            "POST",
            &h.bucket_url("delete"),
            &[("content-type", "application/xml")],
            batch,
        ))
        .await
        .ok();
    assert!(removed.body.contains("<Deleted>"), "{}", removed.body);
    h.get(&alice, "public/a/1.txt")
        .await
        .assert_error(404, "NoSuchKey");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn multipart_uploads_and_presigned_urls() {
    let h = Harness::start().await;
    let bob = h.user_creds("bob").await;
    let key = format!("protected/{}/big.bin", bob.identity_id);
    let url = h.object_url(&key);
    let created = h
        .send(bob.sign("POST", &format!("{url}?uploads"), &[], b""))
        .await
        .ok();
    let upload_id = created.upload_id();
    let part1 = vec![b'a'; 5 * 1024 * 1024];
    let part2 = b"tail".to_vec();
    let mut etags = Vec::new();
    for (number, part) in [(1, &part1), (2, &part2)] {
        let answer = h
            .send(bob.sign(
                "PUT",
                &format!("{url}?partNumber={number}&uploadId={upload_id}"),
                &[],
                part,
            ))
            .await
            .ok();
        etags.push(answer.header("etag").to_owned());
    }
    let complete = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>{}</ETag></Part></CompleteMultipartUpload>",
        etags[0], etags[1]
    );
    h.send(bob.sign(
        "POST",
        &format!("{url}?uploadId={upload_id}"),
        &[],
        complete.as_bytes(),
    ))
    .await
    .ok();
    let head = h.send(bob.sign("HEAD", &url, &[], b"")).await.ok();
    assert_eq!(head.header("content-length"), (part1.len() + 4).to_string());
    // Abort another upload.
    let created = h
        .send(bob.sign("POST", &format!("{url}.2?uploads"), &[], b""))
        .await
        .ok();
    let upload_id = created.upload_id();
    let aborted = h
        .send(bob.sign("DELETE", &format!("{url}.2?uploadId={upload_id}"), &[], b""))
        .await;
    assert_eq!(aborted.status, 204, "{}", aborted.body);

    // Presigned PUT (as a browser would) and GET.
    let put_url = bob.presign(
        "PUT",
        &h.object_url("public/presigned.txt"),
        Duration::from_secs(300),
    );
    assert!(put_url.contains("X-Amz-Security-Token="));
    let put = h
        .send(
            h.http
                .put(&put_url)
                .header("origin", "http://localhost:3000")
                .body("via url")
                .build()
                .expect("request"),
        )
        .await
        .ok();
    // CORS for the app origins only (see admin_access.rs).
    assert_eq!(
        put.header("access-control-allow-origin"),
        "http://localhost:3000"
    );
    let get_url = bob.presign(
        "GET",
        &h.object_url("public/presigned.txt"),
        Duration::from_secs(300),
    );
    assert_eq!(h.get_url(&get_url).await.ok().body, "via url");

    // CORS preflight.
    let preflight = h
        .http
        .request(
            reqwest::Method::OPTIONS,
            h.object_url("public/presigned.txt"),
        )
        .header("origin", "http://localhost:3000")
        .header("access-control-request-method", "PUT")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .expect("preflight");
    assert!(preflight.status().is_success());
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    assert!(
        preflight.headers()["access-control-allow-methods"]
            .to_str()
            .expect("methods")
            .contains("PUT")
    );
    h.backend.shutdown().await;
}

/// Changes the last character of the signature.
fn tamper_signature(url: &str) -> String {
    let mut url = url.to_owned();
    let last = url.pop().expect("char");
    url.push(if last == '0' { '1' } else { '0' });
    url
}

#[tokio::test]
async fn bad_signatures_urls_and_tokens_are_refused_and_change_nothing() {
    let h = Harness::start().await;
    let alice = h.user_creds("alice").await;
    let bob = h.user_creds("bob").await;
    let guest = h.guest_creds().await;
    let private_key = format!("private/{}/secret.txt", alice.identity_id);
    let protected_key = format!("protected/{}/shared.txt", alice.identity_id);
    h.put(&alice, &private_key, b"alice only").await.ok();
    h.put(&alice, &protected_key, b"alice shares").await.ok();
    h.put(&alice, "public/pub.txt", b"for everyone").await.ok();

    // A tampered presigned URL: signature, or the key.
    let url = alice.presign("GET", &h.object_url(&private_key), Duration::from_secs(300));
    h.get_url(&url).await.ok();
    h.get_url(&tamper_signature(&url))
        .await
        .assert_error(403, "SignatureDoesNotMatch");
    h.get_url(&url.replace("secret.txt", "secret.txx"))
        .await
        .assert_error(403, "SignatureDoesNotMatch");
    // Longer lifetime claimed than signed.
    h.get_url(&url.replace("X-Amz-Expires=300", "X-Amz-Expires=301"))
        .await
        .assert_error(403, "SignatureDoesNotMatch");
    // An expired URL.
    let old = alice.presign_at(
        "GET",
        &h.object_url(&private_key),
        Duration::from_secs(60),
        SystemTime::now() - Duration::from_secs(120),
    );
    h.get_url(&old).await.assert_error(403, "AccessDenied");
    // More than 7 days.
    let long = alice.presign(
        "GET",
        &h.object_url(&private_key),
        Duration::from_secs(604_801),
    );
    h.get_url(&long)
        .await
        .assert_error(400, "AuthorizationQueryParametersError");
    // A header-signed request from 20 minutes ago.
    let skewed = alice.sign_at(
        "GET",
        &h.object_url(&private_key),
        &[],
        b"",
        SystemTime::now() - Duration::from_secs(20 * 60),
    );
    h.send(skewed)
        .await
        .assert_error(403, "RequestTimeTooSkewed");

    // Unsigned.
    h.get_url(&h.object_url("public/pub.txt"))
        .await
        .assert_error(403, "AccessDenied");
    let unsigned_put = h
        .http
        .put(h.object_url("public/pub.txt"))
        .body("overwritten")
        .build()
        .expect("request");
    h.send(unsigned_put).await.assert_error(403, "AccessDenied");
    // A made-up access key, and a wrong secret.
    let forged = Creds {
        access_key: "ASIAFORGEDFORGED0000".to_owned(),
        ..alice.clone()
    };
    h.put(&forged, "public/pub.txt", b"forged")
        .await
        .assert_error(403, "InvalidAccessKeyId");
    let wrong_secret = Creds {
        secret_key: bob.secret_key.clone(),
        ..alice.clone()
    };
    h.put(&wrong_secret, "public/pub.txt", b"forged")
        .await
        .assert_error(403, "SignatureDoesNotMatch");
    // Alice's keys with a foreign (Bob's) or made-up session token.
    for token in [bob.token.clone(), "forged-token".to_owned(), String::new()] {
        let with_token = Creds {
            token,
            ..alice.clone()
        };
        h.put(&with_token, "public/pub.txt", b"forged")
            .await
            .assert_error(400, "InvalidToken");
        let url = with_token.presign("GET", &h.object_url(&private_key), Duration::from_secs(60));
        h.get_url(&url).await.assert_error(400, "InvalidToken");
    }

    // The storage rules.
    h.put(&guest, "public/pub.txt", b"guest write")
        .await
        .assert_error(403, "AccessDenied");
    h.get(&guest, &private_key)
        .await
        .assert_error(403, "AccessDenied");
    h.get(&guest, &protected_key)
        .await
        .assert_error(403, "AccessDenied");
    assert_eq!(
        h.get(&guest, "public/pub.txt").await.ok().body,
        "for everyone"
    );
    h.get(&bob, &private_key)
        .await
        .assert_error(403, "AccessDenied");
    let bob_url = bob.presign("GET", &h.object_url(&private_key), Duration::from_secs(60));
    h.get_url(&bob_url).await.assert_error(403, "AccessDenied");
    assert_eq!(h.get(&bob, &protected_key).await.ok().body, "alice shares");
    h.put(&bob, &protected_key, b"bob was here")
        .await
        .assert_error(403, "AccessDenied");
    h.send(bob.sign("DELETE", &h.object_url(&private_key), &[], b""))
        .await
        .assert_error(403, "AccessDenied");
    h.send(bob.sign("DELETE", &h.object_url(&protected_key), &[], b""))
        .await
        .assert_error(403, "AccessDenied");
    // Copying Alice's private object out, or into her folder.
    let copy_out = bob.sign(
        "PUT",
        &h.object_url(&format!("private/{}/stolen.txt", bob.identity_id)),
        &[(
            "x-amz-copy-source",
            &format!("{}/{private_key}", h.backend.bucket_name()),
        )],
        b"",
    );
    h.send(copy_out).await.assert_error(403, "AccessDenied");
    // A batch delete with one refused key deletes nothing.
    let batch = format!(
        "<Delete><Object><Key>public/pub.txt</Key></Object><Object><Key>{private_key}</Key></Object></Delete>"
    );
    h.send(bob.sign("POST", &h.bucket_url("delete"), &[], batch.as_bytes()))
        .await
        .assert_error(403, "AccessDenied");
    // Listing someone else's private folder, or the whole bucket.
    let prefix: String =
        url::form_urlencoded::byte_serialize(format!("private/{}/", alice.identity_id).as_bytes())
            .collect();
    h.send(bob.sign(
        "GET",
        &h.bucket_url(&format!("list-type=2&prefix={prefix}")),
        &[],
        b"",
    ))
    .await
    .assert_error(403, "AccessDenied");
    h.send(guest.sign("GET", &h.bucket_url("list-type=2"), &[], b""))
        .await
        .assert_error(403, "AccessDenied");
    let listed = h
        .send(alice.sign(
            "GET",
            &h.bucket_url(&format!("list-type=2&prefix={prefix}")),
            &[],
            b"",
        ))
        .await
        .ok();
    assert!(listed.body.contains("secret.txt"), "{}", listed.body);
    // Another bucket.
    let other = alice.sign(
        "GET",
        &format!("{}/another-bucket/public/pub.txt", h.backend.s3_url()),
        &[],
        b"",
    );
    h.send(other).await.assert_error(404, "NoSuchBucket");

    // Nothing changed.
    assert_eq!(h.get(&alice, &private_key).await.ok().body, "alice only");
    assert_eq!(
        h.get(&alice, &protected_key).await.ok().body,
        "alice shares"
    );
    assert_eq!(
        h.get(&alice, "public/pub.txt").await.ok().body,
        "for everyone"
    );
    h.get(&bob, &format!("private/{}/stolen.txt", bob.identity_id))
        .await
        .assert_error(404, "NoSuchKey");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn expired_credentials_are_refused() {
    let h = Harness::start_with(|o| o.with_credentials_ttl(Duration::from_secs(300))).await;
    h.backend.freeze_clock();
    let carol = h.user_creds("carol").await;
    let url = carol.presign("GET", &h.object_url("public/x"), Duration::from_secs(600));
    // Usable until their last second, refused at their expiry (the URL
    // itself would live longer).
    h.backend.advance_clock(Duration::from_secs(299));
    h.put(&carol, "public/x", b"in time").await.ok();
    h.backend.advance_clock(SECOND);
    h.put(&carol, "public/x", b"late")
        .await
        .assert_error(400, "ExpiredToken");
    h.get_url(&url).await.assert_error(400, "ExpiredToken");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn request_times_are_checked_on_the_backends_clock() {
    let h = Harness::start().await;
    h.backend.freeze_clock();
    let alice = h.user_creds("alice").await;
    let key = format!("private/{}/note.txt", alice.identity_id);
    h.put(&alice, &key, b"note").await.ok();
    let url = alice.presign("GET", &h.object_url(&key), Duration::from_secs(60));
    let signed = alice.sign("GET", &h.object_url(&key), &[], b"");
    // A presigned URL works for exactly its X-Amz-Expires...
    h.backend.advance_clock(Duration::from_secs(60));
    assert_eq!(h.get_url(&url).await.ok().body, "note");
    h.backend.advance_clock(SECOND);
    let expired = h.get_url(&url).await;
    expired.assert_error(403, "AccessDenied");
    assert!(expired.body.contains("expired"), "{}", expired.body);
    // ...and a header-signed request for 15 minutes after its X-Amz-Date.
    h.backend
        .advance_clock(Duration::from_secs(15 * 60) - Duration::from_secs(61));
    let in_time = signed.try_clone().expect("a bodiless request clones");
    assert_eq!(h.send(in_time).await.ok().body, "note");
    h.backend.advance_clock(SECOND);
    h.send(signed)
        .await
        .assert_error(403, "RequestTimeTooSkewed");
    h.backend.shutdown().await;
}

#[tokio::test]
async fn outputs_and_custom_rules() {
    let rules = amplify_local::StorageRules::from_json(
        r#"{"uploads/{entity_id}/*": {"entityidentity": ["read", "write"]}, "gallery/*": {"guest": ["get"], "authenticated": ["get", "write"]}}"#,
    )
    .expect("rules");
    let h = Harness::start_with(|o| o.with_storage_rules(rules)).await;
    let outputs = h.backend.outputs();
    let storage = &outputs["storage"];
    assert_eq!(storage["aws_region"], "us-east-1");
    assert_eq!(storage["bucket_name"], h.backend.bucket_name());
    assert_eq!(storage["buckets"][0]["name"], "default");
    assert_eq!(
        storage["buckets"][0]["bucket_name"],
        h.backend.bucket_name()
    );
    assert_eq!(
        storage["buckets"][0]["paths"],
        json!({
            "gallery/*": { "guest": ["get"], "authenticated": ["get", "write"] },
            "uploads/{entity_id}/*": { "entityidentity": ["get", "list", "write"] },
        })
    );
    assert_eq!(
        outputs["custom"]["amplify_ssr"]["endpoints"]["storage"],
        h.backend.s3_url()
    );
    assert!(h.backend.s3_url().starts_with("http://127.0.0.1:"));
    let dave = h.user_creds("dave").await;
    h.put(&dave, "gallery/a.png", b"png").await.ok();
    h.put(&dave, "public/a.txt", b"no")
        .await
        .assert_error(403, "AccessDenied");
    h.put(&dave, &format!("uploads/{}/f", dave.identity_id), b"mine")
        .await
        .ok();
    h.send(dave.sign("DELETE", &h.object_url("gallery/a.png"), &[], b""))
        .await
        .assert_error(403, "AccessDenied");
    let guest = h.guest_creds().await;
    assert_eq!(h.get(&guest, "gallery/a.png").await.ok().body, "png");
    h.backend.shutdown().await;

    // Objects live under the data directory and survive a restart.
    let dir = h.dir;
    assert!(std::fs::read_dir(dir.path().join("s3")).is_ok());
}

#[tokio::test]
async fn keys_the_file_store_cannot_hold_get_client_errors() {
    // Found by fuzzing (fuzz/s3_presigned): each of these reached the file system and answered 500.
    let h = Harness::start().await;
    let dave = h.user_creds("dave").await;
    h.put(&dave, "public/a%00b.txt", b"x")
        .await
        .assert_error(400, "InvalidArgument");
    // The file store's longest key with the default bucket name is 139 bytes (S3's is 1024).
    let longest = format!("public/{}", "n".repeat(132));
    h.put(&dave, &longest, b"kept").await.ok();
    assert_eq!(h.get(&dave, &longest).await.ok().body, "kept");
    h.put(&dave, &format!("{longest}n"), b"x")
        .await
        .assert_error(400, "KeyTooLongError");
    // A folder marker is kept as a folder: creating and listing it work, reading it as an object is a 404.
    h.put(&dave, "public/folder/", b"").await.ok();
    h.put(&dave, "public/folder/inside.txt", b"in").await.ok();
    h.get(&dave, "public/folder/")
        .await
        .assert_error(404, "NoSuchKey");
    let head = dave.sign("HEAD", &h.object_url("public/folder/"), &[], b"");
    assert_eq!(h.send(head).await.status, 404);
    assert_eq!(
        h.get(&dave, "public/folder/inside.txt").await.ok().body,
        "in"
    );
    // S3 keeps `a` and `a/b` side by side; a file system cannot: a clear refusal, and nothing is lost.
    h.get(&dave, "public/folder")
        .await
        .assert_error(404, "NoSuchKey");
    h.put(&dave, "public/folder", b"x")
        .await
        .assert_error(400, "InvalidArgument");
    h.put(&dave, "public/folder/inside.txt/below", b"x")
        .await
        .assert_error(400, "InvalidArgument");
    let delete = dave.sign("DELETE", &h.object_url("public/folder"), &[], b"");
    assert_eq!(h.send(delete).await.status, 204);
    // `a//b` would be stored as `a/b`, over that object.
    h.put(&dave, "public/folder//inside.txt", b"over")
        .await
        .assert_error(400, "InvalidArgument");
    assert_eq!(
        h.get(&dave, "public/folder/inside.txt").await.ok().body,
        "in"
    );
}

#[tokio::test]
async fn malformed_dates_in_signatures_are_client_errors() {
    // Found by fuzzing (fuzz/s3_presigned): s3s's date parser computes `c - b'0'` before checking that `c` is a
    // digit, which overflowed in debug builds on a character below `0` and dropped the connection with a panic.
    let h = Harness::start().await;
    let alice = h.user_creds("alice").await;
    let url = alice.presign(
        "GET",
        &h.object_url("public/x.txt"),
        Duration::from_secs(300),
    );
    let date = url
        .split("X-Amz-Date=")
        .nth(1)
        .and_then(|rest| rest.get(..8))
        .expect("a date")
        .to_owned();
    let bad_date = format!("{}&{}", &date[..4], &date[5..]);
    for bad in [
        url.replace(
            &format!("X-Amz-Date={date}"),
            &format!("X-Amz-Date={bad_date}"),
        ),
        url.replace(
            &format!("%2F{date}%2F"),
            &format!("%2F{}%2F", bad_date.replace('&', "%26")),
        ),
    ] {
        let answer = h.get_url(&bad).await;
        assert!(
            (400..500).contains(&answer.status),
            "{bad}: {} {}",
            answer.status,
            answer.body
        );
    }
}
