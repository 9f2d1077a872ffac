//! [`upload`]: a single `PUT`, or a multipart upload for large bodies (aborted on failure).

use std::collections::BTreeMap;

use bytes::Bytes;
use http::Method;

use crate::auth::AwsCredentials;
use crate::context::ServerContext;

use super::client::{S3Request, Session};
use super::endpoint::{BucketEndpoint, encode};
use super::error::StorageError;
use super::input::{StorageBucket, StorageTarget};
use super::ops::common_setters;
use super::presign::ContentDisposition;
use super::xml;
use super::{ResolvedRequest, resolve_target};

/// The default part size, and the body size above which [`upload`] goes multipart: 5 MiB.
pub const DEFAULT_PART_SIZE: usize = 5 * 1024 * 1024;
/// S3's smallest part (except the last): 5 MiB.
pub const MIN_PART_SIZE: usize = 5 * 1024 * 1024;
/// S3's largest number of parts.
const MAX_PARTS: usize = 10_000;

/// The input of [`upload`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UploadInput {
    /// Where the object goes.
    pub target: StorageTarget,
    /// The content.
    pub body: Bytes,
    /// `Content-Type` (default `application/octet-stream`).
    pub content_type: Option<String>,
    /// `Content-Disposition`.
    pub content_disposition: Option<ContentDisposition>,
    /// `Cache-Control`.
    pub cache_control: Option<String>,
    /// `Content-Encoding`.
    pub content_encoding: Option<String>,
    /// User metadata, sent as `x-amz-meta-{name}` (names are lower-cased).
    pub metadata: BTreeMap<String, String>,
    /// The bucket (default: the configuration's).
    pub bucket: Option<StorageBucket>,
    /// The account that must own the bucket.
    pub expected_bucket_owner: Option<String>,
    /// Explicit credentials (string paths only).
    pub location_credentials: Option<AwsCredentials>,
    /// Use the accelerate endpoint.
    pub use_accelerate_endpoint: bool,
    /// Bodies larger than this go multipart (default 5 MiB).
    pub multipart_threshold: usize,
    /// The part size of a multipart upload (default and minimum 5 MiB).
    pub part_size: usize,
}

impl UploadInput {
    /// Uploads `body` to `target`.
    pub fn new(target: impl Into<StorageTarget>, body: impl Into<Bytes>) -> Self {
        Self {
            target: target.into(),
            body: body.into(),
            content_type: None,
            content_disposition: None,
            cache_control: None,
            content_encoding: None,
            metadata: BTreeMap::new(),
            bucket: None,
            expected_bucket_owner: None,
            location_credentials: None,
            use_accelerate_endpoint: false,
            multipart_threshold: DEFAULT_PART_SIZE,
            part_size: DEFAULT_PART_SIZE,
        }
    }

    /// Sets the content type.
    #[must_use]
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Sets the content disposition.
    #[must_use]
    pub fn content_disposition(mut self, disposition: impl Into<ContentDisposition>) -> Self {
        self.content_disposition = Some(disposition.into());
        self
    }

    /// Sets the cache control.
    #[must_use]
    pub fn cache_control(mut self, cache_control: impl Into<String>) -> Self {
        self.cache_control = Some(cache_control.into());
        self
    }

    /// Adds a metadata entry.
    #[must_use]
    pub fn metadata(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata
            .insert(name.into().to_ascii_lowercase(), value.into());
        self
    }

    /// Sets the multipart threshold and part size (the part size is raised to 5 MiB if smaller).
    #[must_use]
    pub fn multipart(mut self, threshold: usize, part_size: usize) -> Self {
        self.multipart_threshold = threshold;
        self.part_size = part_size;
        self
    }
}
common_setters!(UploadInput);

/// What [`upload`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadOutput {
    /// The object key.
    pub path: String,
    /// For legacy key inputs: the key without its access prefix.
    pub key: Option<String>,
    /// The object's ETag.
    pub e_tag: Option<String>,
    /// `x-amz-version-id`.
    pub version_id: Option<String>,
    /// The body size.
    pub size: u64,
    /// How many parts were sent (0 for a single `PUT`).
    pub parts: usize,
}

/// Uploads an object: one `PUT` up to the multipart threshold, else CreateMultipartUpload, UploadPart for each
/// part and CompleteMultipartUpload. A multipart upload that fails is aborted (AbortMultipartUpload, best
/// effort), so no parts are left behind.
///
/// # Errors
///
/// The resolution errors; S3's errors (`AccessDenied`, ...).
pub async fn upload(ctx: &ServerContext, input: UploadInput) -> Result<UploadOutput, StorageError> {
    let ResolvedRequest {
        mut session,
        endpoint,
        object,
    } = resolve_target(
        ctx,
        &input.target,
        input.bucket.as_ref(),
        input.expected_bucket_owner.as_deref(),
        input.location_credentials.as_ref(),
        input.use_accelerate_endpoint,
    )
    .await?;
    let object_path = endpoint.object_path(&object.path)?;
    let owner = input.expected_bucket_owner.as_deref();
    let disposition = input
        .content_disposition
        .as_ref()
        .map(ContentDisposition::to_header_value);
    let with_content_headers = |request: S3Request| {
        let mut request = request
            .header(
                "content-type",
                input
                    .content_type
                    .as_deref()
                    .unwrap_or("application/octet-stream"),
            )
            .opt_header("content-disposition", disposition.as_deref())
            .opt_header("cache-control", input.cache_control.as_deref())
            .opt_header("content-encoding", input.content_encoding.as_deref())
            .opt_header("x-amz-expected-bucket-owner", owner);
        for (name, value) in &input.metadata {
            request = request.header(&format!("x-amz-meta-{name}"), value.as_str());
        }
        request
    };
    let size = input.body.len() as u64;

    if input.body.len() <= input.multipart_threshold {
        let url = endpoint.url(&object_path, "x-id=PutObject")?;
        let request = with_content_headers(S3Request::new("PutObject", Method::PUT, url))
            .body(input.body.clone());
        let response = session.send(&request).await?;
        return Ok(UploadOutput {
            key: object.key().map(str::to_owned),
            e_tag: response.header("etag").map(str::to_owned),
            version_id: response.header("x-amz-version-id").map(str::to_owned),
            path: object.path,
            size,
            parts: 0,
        });
    }

    let part_size = input
        .part_size
        .max(MIN_PART_SIZE)
        .max(input.body.len().div_ceil(MAX_PARTS));
    let url = endpoint.url(&object_path, "uploads")?;
    let create = with_content_headers(S3Request::new("CreateMultipartUpload", Method::POST, url))
        .not_idempotent();
    let response = session.send(&create).await?;
    let upload_id = xml::parse_initiate(&response.body)?;
    let result = upload_parts(
        &mut session,
        &endpoint,
        &object_path,
        &upload_id,
        &input.body,
        part_size,
        owner,
    )
    .await;
    match result {
        Ok((e_tag, version_id, parts)) => Ok(UploadOutput {
            key: object.key().map(str::to_owned),
            path: object.path,
            e_tag,
            version_id,
            size,
            parts,
        }),
        Err(error) => {
            let query = format!("uploadId={}", encode(&upload_id));
            if let Ok(url) = endpoint.url(&object_path, &query) {
                let abort = S3Request::new("AbortMultipartUpload", Method::DELETE, url)
                    .opt_header("x-amz-expected-bucket-owner", owner);
                if let Err(abort_error) = session.send(&abort).await {
                    tracing::warn!(error = %abort_error, "could not abort a failed multipart upload");
                }
            }
            Err(error)
        }
    }
}

async fn upload_parts(
    session: &mut Session<'_>,
    endpoint: &BucketEndpoint,
    object_path: &str,
    upload_id: &str,
    body: &Bytes,
    part_size: usize,
    owner: Option<&str>,
) -> Result<(Option<String>, Option<String>, usize), StorageError> {
    let mut parts = Vec::new();
    for (index, start) in (0..body.len()).step_by(part_size).enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let end = (start + part_size).min(body.len());
        let query = format!("partNumber={number}&uploadId={}", encode(upload_id));
        let url = endpoint.url(object_path, &query)?;
        let request = S3Request::new("UploadPart", Method::PUT, url)
            .opt_header("x-amz-expected-bucket-owner", owner)
            .body(body.slice(start..end));
        let response = session.send(&request).await?;
        let e_tag = response.header("etag").map(str::to_owned).ok_or_else(|| {
            StorageError::InvalidResponse(format!("UploadPart {number}: no ETag"))
        })?;
        parts.push((number, e_tag));
    }
    let body = xml::complete_request(&parts)?;
    let query = format!("uploadId={}", encode(upload_id));
    let url = endpoint.url(object_path, &query)?;
    let request = S3Request::new("CompleteMultipartUpload", Method::POST, url)
        .header("content-type", "application/xml")
        .opt_header("x-amz-expected-bucket-owner", owner)
        .body(body);
    let response = session.send(&request).await?;
    let result = xml::parse_etag_result(&response.body, "CompleteMultipartUpload")?;
    Ok((
        result.e_tag,
        response.header("x-amz-version-id").map(str::to_owned),
        parts.len(),
    ))
}
