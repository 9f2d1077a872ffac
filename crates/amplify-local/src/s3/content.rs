//! How objects are served, so that a user's upload never runs as a page of the app.
//!
//! The S3 port shares its host (127.0.0.1) with the app, so an uploaded `text/html` file opened in a tab would
//! run its script with the app's cookies (cookies are scoped by host, not port). Every response therefore
//! carries `X-Content-Type-Options: nosniff` (a body is never taken for a type other than the one declared),
//! and every object download (GetObject, header-signed or presigned, and HeadObject) carries
//! `Content-Security-Policy: sandbox` (a document opened from it has no origin and runs no script). Only
//! passive types a browser shows by itself ([`INLINE_TYPES`]: raster images, audio, video, plain text) are
//! served inline, so an `<img>` of the gallery keeps working; everything else (HTML, SVG, XML, JavaScript,
//! PDF, unknown or missing types) is served as `Content-Disposition: attachment`, keeping the uploader's
//! file name.
//!
//! The declared type is the uploader's `Content-Type`: a PNG-typed upload holding HTML stays an image to the
//! browser, because of `nosniff`. In production, serve user content from its own domain as well (an S3
//! bucket or CDN domain), never from the app's.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;

/// The media types shown inline: they cannot run script in the app's origin.
const INLINE_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "image/bmp",
    "image/x-icon",
    "image/vnd.microsoft.icon",
    "audio/mpeg",
    "audio/ogg",
    "audio/wav",
    "audio/webm",
    "audio/aac",
    "audio/flac",
    "audio/mp4",
    "video/mp4",
    "video/webm",
    "video/ogg",
    "text/plain",
];

/// Whether a `Content-Type` value names a type on the inline list (parameters such as `charset` aside).
fn is_inline_type(content_type: Option<&HeaderValue>) -> bool {
    let Some(essence) = content_type
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
    else {
        return false;
    };
    let essence = essence.trim();
    INLINE_TYPES
        .iter()
        .any(|inline| inline.eq_ignore_ascii_case(essence))
}

/// `attachment`, keeping the parameters (the file name) of the disposition the uploader stored, if any.
fn attachment(stored: Option<&HeaderValue>) -> HeaderValue {
    let stored = stored.and_then(|value| value.to_str().ok()).unwrap_or("");
    let (kind, parameters) = stored.split_once(';').unwrap_or((stored, ""));
    if kind.trim().eq_ignore_ascii_case("attachment") {
        if let Ok(value) = HeaderValue::from_str(stored) {
            return value;
        }
    } else if !parameters.trim().is_empty()
        && let Ok(value) = HeaderValue::from_str(&format!("attachment;{parameters}"))
    {
        return value;
    }
    HeaderValue::from_static("attachment")
}

/// Whether a path-style request names an object (`/{bucket}/{key}`), not the bucket.
fn names_object(path: &str) -> bool {
    path.trim_start_matches('/')
        .split_once('/')
        .is_some_and(|(_, key)| !key.is_empty())
}

/// Sets the download headers of an object response.
fn protect_download(headers: &mut HeaderMap) {
    if !is_inline_type(headers.get(header::CONTENT_TYPE)) {
        let disposition = attachment(headers.get(header::CONTENT_DISPOSITION));
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
}

/// The S3 port's middleware: `nosniff` on every response, and the download headers on objects read.
pub(super) async fn content_headers(request: Request, next: Next) -> Response {
    let reads_object = matches!(*request.method(), Method::GET | Method::HEAD)
        && names_object(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if reads_object && response.status().is_success() {
        protect_download(response.headers_mut());
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn download(content_type: Option<&str>, disposition: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(value) = content_type {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(value).unwrap());
        }
        if let Some(value) = disposition {
            headers.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(value).unwrap(),
            );
        }
        protect_download(&mut headers);
        assert_eq!(headers[header::CONTENT_SECURITY_POLICY], "sandbox");
        headers
    }

    fn disposition(headers: &HeaderMap) -> Option<&str> {
        headers
            .get(header::CONTENT_DISPOSITION)
            .map(|v| v.to_str().unwrap())
    }

    #[test]
    fn active_and_unknown_types_are_attachments() {
        for active in [
            "text/html",
            "TEXT/HTML; charset=utf-8",
            "image/svg+xml",
            "application/xhtml+xml",
            "text/xml",
            "application/xml",
            "application/javascript",
            "text/javascript",
            "application/pdf",
            "application/octet-stream",
            "image/png, text/html",
            "",
        ] {
            assert_eq!(
                disposition(&download(Some(active), None)),
                Some("attachment"),
                "{active}"
            );
        }
        assert_eq!(disposition(&download(None, None)), Some("attachment"));
    }

    #[test]
    fn passive_types_stay_inline() {
        for passive in [
            "image/png",
            "image/jpeg",
            "Image/GIF",
            "image/webp",
            "text/plain; charset=utf-8",
            "video/mp4",
        ] {
            assert_eq!(
                disposition(&download(Some(passive), None)),
                None,
                "{passive}"
            );
        }
        assert_eq!(
            disposition(&download(
                Some("image/png"),
                Some("inline; filename=\"a.png\"")
            )),
            Some("inline; filename=\"a.png\"")
        );
    }

    #[test]
    fn a_stored_inline_disposition_becomes_an_attachment_with_its_file_name() {
        assert_eq!(
            disposition(&download(
                Some("text/html"),
                Some("inline; filename=\"page.html\"")
            )),
            Some("attachment; filename=\"page.html\"")
        );
        assert_eq!(
            disposition(&download(
                Some("text/html"),
                Some("Attachment; filename=\"page.html\"")
            )),
            Some("Attachment; filename=\"page.html\"")
        );
        assert_eq!(
            disposition(&download(Some("text/html"), Some("inline"))),
            Some("attachment")
        );
    }

    #[test]
    fn only_object_paths_are_downloads() {
        assert!(names_object("/bucket/public/a.html"));
        assert!(!names_object("/bucket"));
        assert!(!names_object("/bucket/"));
        assert!(!names_object("/"));
    }
}
