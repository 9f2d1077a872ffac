//! Uploaded files are never active content on the app's host: downloads carry `nosniff` and a sandboxing CSP,
//! active types are attachments while images stay inline, and a body that does not match its signed hash is
//! refused with 400 and not stored.

use std::time::Duration;

use crate::helpers::Harness;
use crate::s3_helpers::S3Answer;

const PAGE: &[u8] = b"<html><script>document.cookie='planted=1'</script></html>";

/// Asserts the headers every object download carries, and returns its `Content-Disposition`.
#[track_caller]
fn download_headers(answer: &S3Answer) -> String {
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.header("x-content-type-options"), "nosniff");
    assert_eq!(answer.header("content-security-policy"), "sandbox");
    answer.header("content-disposition").to_owned()
}

#[tokio::test]
async fn active_uploads_download_as_sandboxed_attachments_and_images_stay_inline() {
    let h = Harness::start().await;
    let alice = h.user_creds("alice").await;
    let guest = h.guest_creds().await;
    for (key, content_type, disposition) in [
        ("public/page.html", "text/html", None),
        (
            "public/cheat.html",
            "text/html",
            Some("inline; filename=\"cheat.html\""),
        ),
        ("public/logo.svg", "image/svg+xml", None),
        ("public/feed.xml", "application/xml", None),
        ("public/app.js", "text/javascript", None),
        ("public/photo.png", "image/png", None),
        // Declared an image, holding HTML: nosniff keeps it an image.
        ("public/fake.png", "image/png", None),
    ] {
        let mut headers = vec![("content-type", content_type)];
        if let Some(disposition) = disposition {
            headers.push(("content-disposition", disposition));
        }
        h.send(alice.sign("PUT", &h.object_url(key), &headers, PAGE))
            .await
            .ok();
    }

    for key in [
        "public/page.html",
        "public/logo.svg",
        "public/feed.xml",
        "public/app.js",
    ] {
        // Header-signed, presigned (as the demo's links are), and HEAD: all the same.
        let signed = h.get(&guest, key).await;
        assert_eq!(download_headers(&signed), "attachment", "{key}");
        let presigned = h
            .get_url(&guest.presign("GET", &h.object_url(key), Duration::from_secs(60)))
            .await;
        assert_eq!(download_headers(&presigned), "attachment", "{key}");
        assert_eq!(presigned.body.as_bytes(), PAGE);
        let head = h
            .send(guest.sign("HEAD", &h.object_url(key), &[], b""))
            .await;
        assert_eq!(download_headers(&head), "attachment", "{key}");
    }
    // The uploader's `inline` does not survive; its file name does.
    let cheat = h.get(&guest, "public/cheat.html").await;
    assert_eq!(
        download_headers(&cheat),
        "attachment; filename=\"cheat.html\""
    );
    // Images are shown inline (the gallery's <img> tags), under nosniff.
    for key in ["public/photo.png", "public/fake.png"] {
        let image = h
            .get_url(&guest.presign("GET", &h.object_url(key), Duration::from_secs(60)))
            .await;
        assert_eq!(download_headers(&image), "", "{key}");
        assert_eq!(image.header("content-type"), "image/png");
    }
    // A presigned URL's signed response overrides can't turn an image into an inline page either.
    let overridden = format!(
        "{}?response-content-type=text%2Fhtml&response-content-disposition=inline",
        h.object_url("public/fake.png")
    );
    let page = h
        .get_url(&guest.presign("GET", &overridden, Duration::from_secs(60)))
        .await;
    assert_eq!(download_headers(&page), "attachment");
    assert_eq!(page.header("content-type"), "text/html");
    // Errors and listings get nosniff too, and no download headers.
    let missing = h.get(&guest, "public/missing.html").await;
    missing.assert_error(404, "NoSuchKey");
    assert_eq!(missing.header("x-content-type-options"), "nosniff");
    assert_eq!(missing.header("content-disposition"), "");
    let listing = h
        .send(guest.sign("GET", &h.bucket_url("list-type=2&prefix=public/"), &[], b""))
        .await
        .ok();
    assert_eq!(listing.header("x-content-type-options"), "nosniff");
    assert_eq!(listing.header("content-disposition"), "");
}

/// Also guards how `s3/backend.rs` recognises s3s's hash mismatch (by its
/// `Debug` text): an s3s upgrade that changes it turns this 400 into a 500.
#[tokio::test]
async fn a_body_that_does_not_match_its_signed_hash_is_refused_and_not_stored() {
    let h = Harness::start().await;
    let alice = h.user_creds("alice").await;
    let key = format!("private/{}/note.txt", alice.identity_id);
    let url = h.object_url(&key);
    // Signed over one body, sent with another of the same length.
    let mut request = alice.sign(
        "PUT",
        &url,
        &[("content-type", "text/plain")],
        b"signed body",
    );
    *request.body_mut() = Some(b"forged body".to_vec().into());
    let refused = h.send(request).await;
    refused.assert_error(400, "XAmzContentSHA256Mismatch");
    h.get(&alice, &key).await.assert_error(404, "NoSuchKey");

    // The same for a multipart part.
    let created = h
        .send(alice.sign("POST", &format!("{url}?uploads"), &[], b""))
        .await
        .ok();
    let upload_id = created.upload_id();
    let part_url = format!("{url}?partNumber=1&uploadId={upload_id}");
    let mut request = alice.sign("PUT", &part_url, &[], b"signed part");
    *request.body_mut() = Some(b"forged part".to_vec().into());
    h.send(request)
        .await
        .assert_error(400, "XAmzContentSHA256Mismatch");

    // The genuine body is still accepted.
    h.send(alice.sign(
        "PUT",
        &url,
        &[("content-type", "text/plain")],
        b"signed body",
    ))
    .await
    .ok();
    assert_eq!(h.get(&alice, &key).await.ok().body, "signed body");
}
