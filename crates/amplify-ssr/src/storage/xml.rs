//! S3's XML bodies, read and written with `quick-xml`'s serde support.

use serde::{Deserialize, Serialize};

use super::error::StorageError;

const S3_NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// Longest error message kept.
const MAX_MESSAGE_CHARS: usize = 512;

/// `<Error>`: S3's error body.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct ErrorBody {
    pub(crate) code: Option<String>,
    pub(crate) message: Option<String>,
    pub(crate) request_id: Option<String>,
}

/// Builds a [`StorageError::Service`] from an error answer (the body may be empty, e.g. for `HEAD`).
pub(crate) fn service_error(status: u16, request_id: Option<String>, body: &[u8]) -> StorageError {
    let parsed = std::str::from_utf8(body)
        .ok()
        .filter(|text| text.contains("<Error"))
        .and_then(|text| quick_xml::de::from_str::<ErrorBody>(text).ok())
        .unwrap_or_default();
    let code = parsed
        .code
        .filter(|code| !code.is_empty() && code.len() <= 64)
        .unwrap_or_else(|| status_code_name(status).to_owned());
    let message = parsed
        .message
        .map(|m| m.chars().take(MAX_MESSAGE_CHARS).collect())
        .unwrap_or_else(|| format!("HTTP {status} with no error body"));
    StorageError::Service {
        code,
        message,
        status,
        request_id: request_id.or(parsed.request_id),
    }
}

/// The code used when S3 sends no body (a `HEAD`, or a proxy's error).
fn status_code_name(status: u16) -> &'static str {
    match status {
        301 => "PermanentRedirect",
        304 => "NotModified",
        400 => "BadRequest",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        412 => "PreconditionFailed",
        429 => "TooManyRequests",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        _ => "UnknownError",
    }
}

/// Some operations (CompleteMultipartUpload, CopyObject) may answer `200 OK` with an `<Error>` body.
pub(crate) fn error_in_success(body: &[u8]) -> Option<StorageError> {
    let text = std::str::from_utf8(body).ok()?.trim_start();
    let root = match text.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>")?.1.trim_start(),
        None => text,
    };
    if !(root.starts_with("<Error>") || root.starts_with("<Error ")) {
        return None;
    }
    match service_error(200, None, body) {
        // A 200 carrying an error is a server-side failure: report it as a 500 so it is retried.
        StorageError::Service {
            code,
            message,
            request_id,
            ..
        } => Some(StorageError::Service {
            code,
            message,
            status: 500,
            request_id,
        }),
        other => Some(other),
    }
}

fn parse<T: for<'de> Deserialize<'de>>(body: &[u8], what: &str) -> Result<T, StorageError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| StorageError::InvalidResponse(format!("{what}: the body is not UTF-8")))?;
    quick_xml::de::from_str(text)
        .map_err(|e| StorageError::InvalidResponse(format!("{what}: unreadable XML ({e})")))
}

/// `<ListBucketResult>` of ListObjectsV2.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct ListBucketResult {
    pub(crate) prefix: Option<String>,
    pub(crate) is_truncated: Option<bool>,
    pub(crate) next_continuation_token: Option<String>,
    pub(crate) encoding_type: Option<String>,
    pub(crate) contents: Vec<ListedObject>,
    pub(crate) common_prefixes: Vec<CommonPrefix>,
}

/// One `<Contents>` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct ListedObject {
    pub(crate) key: String,
    pub(crate) last_modified: Option<String>,
    #[serde(rename = "ETag")]
    pub(crate) e_tag: Option<String>,
    pub(crate) size: Option<u64>,
}

/// One `<CommonPrefixes>` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct CommonPrefix {
    pub(crate) prefix: String,
}

pub(crate) fn parse_list(body: &[u8]) -> Result<ListBucketResult, StorageError> {
    let mut result: ListBucketResult = parse(body, "ListObjectsV2")?;
    // Keys are URL-encoded only when S3 says so (it echoes `EncodingType`); `+` stands for a space.
    if result.encoding_type.as_deref() == Some("url") {
        let decode = |text: &str| -> Result<String, StorageError> {
            let text = text.replace('+', " ");
            percent_encoding::percent_decode_str(&text)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| {
                    StorageError::InvalidResponse(
                        "ListObjectsV2: a URL-encoded key is not UTF-8".to_owned(),
                    )
                })
        };
        for object in &mut result.contents {
            object.key = decode(&object.key)?;
        }
        for prefix in &mut result.common_prefixes {
            prefix.prefix = decode(&prefix.prefix)?;
        }
        if let Some(prefix) = &result.prefix {
            result.prefix = Some(decode(prefix)?);
        }
    }
    Ok(result)
}

/// `<InitiateMultipartUploadResult>`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct InitiateMultipartUploadResult {
    pub(crate) upload_id: String,
}

pub(crate) fn parse_initiate(body: &[u8]) -> Result<String, StorageError> {
    let result: InitiateMultipartUploadResult = parse(body, "CreateMultipartUpload")?;
    if result.upload_id.is_empty() {
        return Err(StorageError::InvalidResponse(
            "CreateMultipartUpload: no UploadId".to_owned(),
        ));
    }
    Ok(result.upload_id)
}

/// `<CompleteMultipartUploadResult>` / `<CopyObjectResult>`: the parts used here.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct ETagResult {
    #[serde(rename = "ETag")]
    pub(crate) e_tag: Option<String>,
    pub(crate) last_modified: Option<String>,
}

pub(crate) fn parse_etag_result(body: &[u8], what: &str) -> Result<ETagResult, StorageError> {
    if let Some(error) = error_in_success(body) {
        return Err(error);
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(ETagResult::default());
    }
    parse(body, what)
}

/// `<DeleteResult>` of DeleteObjects.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct DeleteResult {
    pub(crate) deleted: Vec<DeletedObject>,
    pub(crate) error: Vec<DeleteError>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct DeletedObject {
    pub(crate) key: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct DeleteError {
    pub(crate) key: String,
    pub(crate) code: String,
    pub(crate) message: String,
}

pub(crate) fn parse_delete(body: &[u8]) -> Result<DeleteResult, StorageError> {
    parse(body, "DeleteObjects")
}

#[derive(Serialize)]
#[serde(rename = "Delete")]
struct DeleteRequest<'a> {
    #[serde(rename = "@xmlns")]
    xmlns: &'static str,
    #[serde(rename = "Object")]
    objects: Vec<ObjectId<'a>>,
    #[serde(rename = "Quiet")]
    quiet: bool,
}

#[derive(Serialize)]
struct ObjectId<'a> {
    #[serde(rename = "Key")]
    key: &'a str,
}

/// The body of `POST /?delete`.
pub(crate) fn delete_request(keys: &[String]) -> Result<String, StorageError> {
    let request = DeleteRequest {
        xmlns: S3_NAMESPACE,
        objects: keys.iter().map(|key| ObjectId { key }).collect(),
        quiet: false,
    };
    quick_xml::se::to_string(&request)
        .map_err(|e| StorageError::Signing(format!("DeleteObjects body: {e}")))
}

#[derive(Serialize)]
#[serde(rename = "CompleteMultipartUpload")]
struct CompleteRequest<'a> {
    #[serde(rename = "@xmlns")]
    xmlns: &'static str,
    #[serde(rename = "Part")]
    parts: Vec<CompletedPart<'a>>,
}

#[derive(Serialize)]
struct CompletedPart<'a> {
    #[serde(rename = "PartNumber")]
    number: u32,
    #[serde(rename = "ETag")]
    e_tag: &'a str,
}

/// The body of CompleteMultipartUpload.
pub(crate) fn complete_request(parts: &[(u32, String)]) -> Result<String, StorageError> {
    let request = CompleteRequest {
        xmlns: S3_NAMESPACE,
        parts: parts
            .iter()
            .map(|(number, e_tag)| CompletedPart {
                number: *number,
                e_tag,
            })
            .collect(),
    };
    quick_xml::se::to_string(&request)
        .map_err(|e| StorageError::Signing(format!("CompleteMultipartUpload body: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_read_from_the_body_or_the_status() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>a</Key><RequestId>R1</RequestId></Error>"#;
        let error = service_error(404, None, body);
        assert_eq!(error.name(), "NoSuchKey");
        assert!(error.is_not_found());
        assert!(matches!(&error, StorageError::Service { request_id: Some(id), .. } if id == "R1"));
        let error = service_error(403, Some("R2".to_owned()), b"");
        assert_eq!(error.name(), "Forbidden");
        assert!(error.is_access_denied());
        let error = service_error(403, None, b"<Error><Code>AccessDenied</Code></Error>");
        assert!(error.is_access_denied());
        let error = service_error(
            403,
            None,
            b"<Error><Code>SignatureDoesNotMatch</Code><Message>m</Message></Error>",
        );
        assert!(error.is_signature_error() && !error.is_access_denied());
        let error = service_error(503, None, b"<html>busy</html>");
        assert_eq!(error.name(), "ServiceUnavailable");
        assert!(error.is_retryable());
    }

    #[test]
    fn an_error_inside_a_200_is_detected() {
        let body = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code><Message>x</Message></Error>";
        let error = parse_etag_result(body, "CopyObject").unwrap_err();
        assert_eq!(error.name(), "InternalError");
        assert!(error.is_retryable());
        let ok = parse_etag_result(
            b"<CopyObjectResult><ETag>\"abc\"</ETag><LastModified>2024-01-02T03:04:05.000Z</LastModified></CopyObjectResult>",
            "CopyObject",
        )
        .unwrap();
        assert_eq!(ok.e_tag.as_deref(), Some("\"abc\""));
    }

    #[test]
    fn list_results_are_parsed_and_url_decoded() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bkt</Name><Prefix>public%2F</Prefix>
<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><Delimiter>%2F</Delimiter><EncodingType>url</EncodingType>
<IsTruncated>true</IsTruncated><NextContinuationToken>tok/en=</NextContinuationToken>
<Contents><Key>public/a+b%2B%C3%BC.txt</Key><LastModified>2024-01-02T03:04:05.000Z</LastModified><ETag>"e1"</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass></Contents>
<Contents><Key>public/c</Key><Size>0</Size></Contents>
<CommonPrefixes><Prefix>public/sub%20dir/</Prefix></CommonPrefixes></ListBucketResult>"#;
        let list = parse_list(body).unwrap();
        assert_eq!(list.prefix.as_deref(), Some("public/"));
        assert_eq!(list.is_truncated, Some(true));
        assert_eq!(list.next_continuation_token.as_deref(), Some("tok/en="));
        assert_eq!(list.contents.len(), 2);
        assert_eq!(list.contents[0].key, "public/a b+ü.txt");
        assert_eq!(list.contents[0].size, Some(5));
        assert_eq!(list.contents[0].e_tag.as_deref(), Some("\"e1\""));
        assert_eq!(list.common_prefixes[0].prefix, "public/sub dir/");

        let raw = parse_list(
            b"<ListBucketResult><Contents><Key>a+b%41</Key></Contents></ListBucketResult>",
        )
        .unwrap();
        assert_eq!(
            raw.contents[0].key, "a+b%41",
            "not decoded without EncodingType"
        );
        let empty =
            parse_list(b"<ListBucketResult><KeyCount>0</KeyCount></ListBucketResult>").unwrap();
        assert!(empty.contents.is_empty());
    }

    #[test]
    fn request_bodies_are_well_formed_and_escaped() {
        let body = delete_request(&["a&b".to_owned(), "<c>".to_owned()]).unwrap();
        assert_eq!(
            body,
            "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Object><Key>a&amp;b</Key></Object>\
             <Object><Key>&lt;c&gt;</Key></Object><Quiet>false</Quiet></Delete>"
        );
        let body = complete_request(&[(1, "\"e1\"".to_owned()), (2, "\"e2\"".to_owned())]).unwrap();
        assert!(
            body.starts_with("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Part><PartNumber>1</PartNumber><ETag>"),
            "{body}"
        );
        let result = parse_delete(
            b"<DeleteResult><Deleted><Key>a</Key></Deleted><Error><Key>b</Key><Code>AccessDenied</Code><Message>no</Message></Error></DeleteResult>",
        )
        .unwrap();
        assert_eq!(result.deleted[0].key, "a");
        assert_eq!(result.error[0].code, "AccessDenied");
        assert_eq!(parse_initiate(b"<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>u1</UploadId></InitiateMultipartUploadResult>").unwrap(), "u1");
    }
}
