//! `get_properties`, `list`, `list_all`, `remove` and `copy` (reference §7.3).

use std::collections::BTreeMap;
use std::time::SystemTime;

use http::Method;

use crate::auth::AwsCredentials;
use crate::context::ServerContext;

use super::client::{S3Request, S3Response, Session};
use super::endpoint::{BucketEndpoint, encode, encode_key};
use super::error::StorageError;
use super::input::{ResolvedObject, StorageBucket, StorageTarget, check_bucket_owner};
use super::xml;
use super::{ResolvedRequest, bucket_of, precheck, resolve, resolve_target, session};

/// The most keys one ListObjectsV2 page (and one DeleteObjects batch) holds.
const MAX_PAGE: u32 = 1000;

/// Common setters of the inputs.
macro_rules! common_setters {
    ($ty:ty) => {
        impl $ty {
            /// Sets the bucket (default: the configuration's).
            #[must_use]
            pub fn bucket(mut self, bucket: impl Into<StorageBucket>) -> Self {
                self.bucket = Some(bucket.into());
                self
            }

            /// Sets the account that must own the bucket (12 digits).
            #[must_use]
            pub fn expected_bucket_owner(mut self, account_id: impl Into<String>) -> Self {
                self.expected_bucket_owner = Some(account_id.into());
                self
            }

            /// Signs with these credentials instead of the context's (Amplify's `locationCredentialsProvider`);
            /// paths must then be strings.
            #[must_use]
            pub fn location_credentials(mut self, credentials: AwsCredentials) -> Self {
                self.location_credentials = Some(credentials);
                self
            }
        }
    };
}
pub(crate) use common_setters;

/// Parses an HTTP date (`Tue, 02 Jan 2024 03:04:05 GMT`) or an ISO 8601 one (`2024-01-02T03:04:05.000Z`).
pub(crate) fn parse_date(text: &str) -> Option<SystemTime> {
    use time::format_description::well_known::{Rfc2822, Rfc3339};
    time::OffsetDateTime::parse(text, &Rfc3339)
        .or_else(|_| time::OffsetDateTime::parse(text, &Rfc2822))
        .ok()
        .map(SystemTime::from)
}

/// The input of [`get_properties`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GetPropertiesInput {
    /// The object.
    pub target: StorageTarget,
    /// The bucket (default: the configuration's).
    pub bucket: Option<StorageBucket>,
    /// The account that must own the bucket.
    pub expected_bucket_owner: Option<String>,
    /// Explicit credentials (string paths only).
    pub location_credentials: Option<AwsCredentials>,
    /// Use the accelerate endpoint.
    pub use_accelerate_endpoint: bool,
}

impl GetPropertiesInput {
    /// The properties of `target`.
    pub fn new(target: impl Into<StorageTarget>) -> Self {
        Self {
            target: target.into(),
            bucket: None,
            expected_bucket_owner: None,
            location_credentials: None,
            use_accelerate_endpoint: false,
        }
    }

    /// Use the accelerate endpoint.
    #[must_use]
    pub fn use_accelerate_endpoint(mut self, accelerate: bool) -> Self {
        self.use_accelerate_endpoint = accelerate;
        self
    }
}
common_setters!(GetPropertiesInput);

/// What [`get_properties`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ItemProperties {
    /// The full object key.
    pub path: String,
    /// For legacy key inputs: the key without its access prefix.
    pub key: Option<String>,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `Content-Length`.
    pub size: Option<u64>,
    /// `ETag` (with its quotes, as S3 sends it).
    pub e_tag: Option<String>,
    /// `Last-Modified`.
    pub last_modified: Option<SystemTime>,
    /// `x-amz-meta-*` headers, without the prefix.
    pub metadata: BTreeMap<String, String>,
    /// `x-amz-version-id`.
    pub version_id: Option<String>,
    /// `Content-Disposition`.
    pub content_disposition: Option<String>,
    /// `Cache-Control`.
    pub cache_control: Option<String>,
}

/// The properties of an object (`HEAD`).
///
/// # Errors
///
/// `NotFound` when there is no such object (or it is not readable and S3 hides it); the resolution errors.
pub async fn get_properties(
    ctx: &ServerContext,
    input: GetPropertiesInput,
) -> Result<ItemProperties, StorageError> {
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
    let response = head_object(
        &mut session,
        &endpoint,
        &object.path,
        input.expected_bucket_owner.as_deref(),
    )
    .await?;
    let header = |name: &str| response.header(name).map(str::to_owned);
    let metadata = response
        .headers
        .iter()
        .filter_map(|(name, value)| {
            let meta = name.as_str().strip_prefix("x-amz-meta-")?;
            Some((meta.to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect();
    Ok(ItemProperties {
        key: object.key().map(str::to_owned),
        path: object.path,
        content_type: header("content-type"),
        size: response
            .header("content-length")
            .and_then(|v| v.parse().ok()),
        e_tag: header("etag"),
        last_modified: response.header("last-modified").and_then(parse_date),
        metadata,
        version_id: header("x-amz-version-id"),
        content_disposition: header("content-disposition"),
        cache_control: header("cache-control"),
    })
}

/// `HEAD`s the object at `path`; a 404 is `NotFound`.
pub(crate) async fn head_object(
    session: &mut Session<'_>,
    endpoint: &BucketEndpoint,
    path: &str,
    expected_bucket_owner: Option<&str>,
) -> Result<S3Response, StorageError> {
    let url = endpoint.url(&endpoint.object_path(path)?, "")?;
    let request = S3Request::new("HeadObject", Method::HEAD, url)
        .opt_header("x-amz-expected-bucket-owner", expected_bucket_owner);
    session.send(&request).await.map_err(|error| {
        if error.status() == Some(404) {
            StorageError::NotFound {
                path: path.to_owned(),
            }
        } else {
            error
        }
    })
}

/// How [`list`] treats "sub-folders" below the prefix.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SubpathStrategy {
    /// List every object below the prefix (the default).
    #[default]
    Include,
    /// List only the objects directly below the prefix; deeper prefixes are returned in
    /// [`ListOutput::excluded_subpaths`]. The delimiter is `/` unless given.
    Exclude {
        /// The delimiter (default `/`).
        delimiter: Option<String>,
    },
}

/// The input of [`list`] and [`list_all`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ListInput {
    /// The prefix: a path (e.g. `public/photos/`) or a legacy key prefix.
    pub target: StorageTarget,
    /// The bucket (default: the configuration's).
    pub bucket: Option<StorageBucket>,
    /// The account that must own the bucket.
    pub expected_bucket_owner: Option<String>,
    /// Explicit credentials (string paths only).
    pub location_credentials: Option<AwsCredentials>,
    /// Items per page, 1 to 1000 (default 1000). Ignored by [`list_all`].
    pub page_size: Option<u32>,
    /// The `next_token` of the previous page. Ignored by [`list_all`].
    pub next_token: Option<String>,
    /// Whether deeper "folders" are listed.
    pub subpath_strategy: SubpathStrategy,
}

impl ListInput {
    /// Lists below `target`.
    pub fn new(target: impl Into<StorageTarget>) -> Self {
        Self {
            target: target.into(),
            bucket: None,
            expected_bucket_owner: None,
            location_credentials: None,
            page_size: None,
            next_token: None,
            subpath_strategy: SubpathStrategy::Include,
        }
    }

    /// Sets the page size (1 to 1000).
    #[must_use]
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Continues after a previous page.
    #[must_use]
    pub fn next_token(mut self, token: impl Into<String>) -> Self {
        self.next_token = Some(token.into());
        self
    }

    /// Sets the sub-path strategy.
    #[must_use]
    pub fn subpath_strategy(mut self, strategy: SubpathStrategy) -> Self {
        self.subpath_strategy = strategy;
        self
    }
}
common_setters!(ListInput);

/// One listed object.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListItem {
    /// The full object key.
    pub path: String,
    /// For legacy key inputs: the key without the access prefix.
    pub key: Option<String>,
    /// `ETag`.
    pub e_tag: Option<String>,
    /// Last modification.
    pub last_modified: Option<SystemTime>,
    /// Size in bytes.
    pub size: Option<u64>,
}

/// A page of [`list`], or everything from [`list_all`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ListOutput {
    /// The objects.
    pub items: Vec<ListItem>,
    /// With [`SubpathStrategy::Exclude`]: the deeper prefixes (full paths, or keys for legacy inputs).
    pub excluded_subpaths: Vec<String>,
    /// Pass to [`ListInput::next_token`] for the next page; `None` on the last page (always from `list_all`).
    pub next_token: Option<String>,
}

/// One page of objects below a prefix (ListObjectsV2, `encoding-type=url`).
///
/// # Errors
///
/// `InvalidStorageOperationInput` for a page size outside 1..=1000; S3's errors (`AccessDenied`, ...).
pub async fn list(ctx: &ServerContext, input: ListInput) -> Result<ListOutput, StorageError> {
    let page_size = input.page_size.unwrap_or(MAX_PAGE);
    if !(1..=MAX_PAGE).contains(&page_size) {
        return Err(StorageError::InvalidStorageOperationInput(format!(
            "page_size must be between 1 and {MAX_PAGE} (got {page_size})"
        )));
    }
    let (mut session, endpoint, object) = list_setup(ctx, &input).await?;
    list_page(
        &mut session,
        &endpoint,
        &object,
        &input,
        page_size,
        input.next_token.clone(),
    )
    .await
}

/// Every object below a prefix, following continuation tokens.
///
/// # Errors
///
/// As [`list`].
pub async fn list_all(ctx: &ServerContext, input: ListInput) -> Result<ListOutput, StorageError> {
    let (mut session, endpoint, object) = list_setup(ctx, &input).await?;
    let mut all = ListOutput::default();
    let mut token = None;
    loop {
        let page = list_page(&mut session, &endpoint, &object, &input, MAX_PAGE, token).await?;
        all.items.extend(page.items);
        all.excluded_subpaths.extend(page.excluded_subpaths);
        match page.next_token {
            Some(next) => token = Some(next),
            None => return Ok(all),
        }
    }
}

async fn list_setup<'a>(
    ctx: &'a ServerContext,
    input: &ListInput,
) -> Result<(Session<'a>, BucketEndpoint, ResolvedObject), StorageError> {
    let ResolvedRequest {
        session,
        endpoint,
        object,
    } = resolve_target(
        ctx,
        &input.target,
        input.bucket.as_ref(),
        input.expected_bucket_owner.as_deref(),
        input.location_credentials.as_ref(),
        false,
    )
    .await?;
    Ok((session, endpoint, object))
}

/// One ListObjectsV2 call with `prefix = object.path`.
pub(crate) async fn list_objects(
    session: &mut Session<'_>,
    endpoint: &BucketEndpoint,
    prefix: &str,
    max_keys: u32,
    delimiter: Option<&str>,
    token: Option<&str>,
    expected_bucket_owner: Option<&str>,
) -> Result<xml::ListBucketResult, StorageError> {
    let mut query = format!("list-type=2&prefix={}&max-keys={max_keys}", encode(prefix));
    if let Some(token) = token {
        query.push_str("&continuation-token=");
        query.push_str(&encode(token));
    }
    if let Some(delimiter) = delimiter {
        query.push_str("&delimiter=");
        query.push_str(&encode(delimiter));
    }
    query.push_str("&encoding-type=url");
    let url = endpoint.url(&endpoint.bucket_path(), &query)?;
    let request = S3Request::new("ListObjectsV2", Method::GET, url)
        .opt_header("x-amz-expected-bucket-owner", expected_bucket_owner);
    let response = session.send(&request).await?;
    let result = xml::parse_list(&response.body)?;
    // Amplify's echo check: the answer must be about the prefix asked for.
    if let Some(echoed) = &result.prefix
        && echoed != prefix
    {
        return Err(StorageError::InvalidResponse(format!(
            "ListObjectsV2 answered for prefix `{echoed}` instead of `{prefix}`"
        )));
    }
    Ok(result)
}

async fn list_page(
    session: &mut Session<'_>,
    endpoint: &BucketEndpoint,
    object: &ResolvedObject,
    input: &ListInput,
    page_size: u32,
    token: Option<String>,
) -> Result<ListOutput, StorageError> {
    let delimiter = match &input.subpath_strategy {
        SubpathStrategy::Include => None,
        SubpathStrategy::Exclude { delimiter } => Some(delimiter.as_deref().unwrap_or("/")),
    };
    let result = list_objects(
        session,
        endpoint,
        &object.path,
        page_size,
        delimiter,
        token.as_deref(),
        input.expected_bucket_owner.as_deref(),
    )
    .await?;
    let strip = |path: &str| -> Option<String> {
        object.legacy.as_ref().map(|(prefix, _)| {
            path.strip_prefix(prefix.as_str())
                .unwrap_or(path)
                .to_owned()
        })
    };
    let items = result
        .contents
        .into_iter()
        .map(|item| ListItem {
            key: strip(&item.key),
            e_tag: item.e_tag,
            last_modified: item.last_modified.as_deref().and_then(parse_date),
            size: item.size,
            path: item.key,
        })
        .collect();
    let excluded_subpaths = result
        .common_prefixes
        .into_iter()
        .map(|p| strip(&p.prefix).unwrap_or(p.prefix))
        .collect();
    let next_token = if result.is_truncated == Some(true) {
        result.next_continuation_token.filter(|t| !t.is_empty())
    } else {
        None
    };
    Ok(ListOutput {
        items,
        excluded_subpaths,
        next_token,
    })
}

/// The input of [`remove`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RemoveInput {
    /// The object, or a "folder" (a path ending in `/`, or a path with objects below `{path}/`).
    pub target: StorageTarget,
    /// The bucket (default: the configuration's).
    pub bucket: Option<StorageBucket>,
    /// The account that must own the bucket.
    pub expected_bucket_owner: Option<String>,
    /// Explicit credentials (string paths only).
    pub location_credentials: Option<AwsCredentials>,
}

impl RemoveInput {
    /// Removes `target`.
    pub fn new(target: impl Into<StorageTarget>) -> Self {
        Self {
            target: target.into(),
            bucket: None,
            expected_bucket_owner: None,
            location_credentials: None,
        }
    }
}
common_setters!(RemoveInput);

/// What [`remove`] removed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RemoveOutput {
    /// The path asked for.
    pub path: String,
    /// For legacy key inputs: the key without its access prefix.
    pub key: Option<String>,
    /// Every object key deleted (one for a plain object; S3 reports deletes of missing keys as success).
    pub removed: Vec<String>,
}

/// Removes an object, or everything below a "folder".
///
/// A path ending in `/`, or one with objects below `{path}/` (checked with a one-key ListObjectsV2), is a folder:
/// its objects are deleted in batches of 1000 (`POST /?delete`), as upstream; an object named exactly like the
/// folder without its `/` is left alone. `''`, `'/'` and `'*'` are refused. If a batch fails half-way, the
/// error names the first key S3 refused; the keys deleted before it are gone.
///
/// # Errors
///
/// `InvalidStorageOperationInput` for the root paths; S3's errors (`AccessDenied`, ...).
pub async fn remove(ctx: &ServerContext, input: RemoveInput) -> Result<RemoveOutput, StorageError> {
    let root = |text: &str| matches!(text, "" | "/" | "*");
    let refused = match &input.target {
        StorageTarget::Path(super::StoragePath::Static(path)) => root(path),
        StorageTarget::Key(key) => root(&key.key),
        StorageTarget::Path(super::StoragePath::FromIdentity(_)) => false,
    };
    if refused {
        return Err(root_error());
    }
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
        false,
    )
    .await?;
    if root(&object.path) {
        return Err(root_error());
    }
    let owner = input.expected_bucket_owner.as_deref();
    let mut removed = Vec::new();
    let folder = if object.path.ends_with('/') {
        Some(object.path.clone())
    } else {
        let children = format!("{}/", object.path);
        match list_objects(&mut session, &endpoint, &children, 1, None, None, owner).await {
            Ok(page) if !page.contents.is_empty() => Some(children),
            Ok(_) => None,
            // Without list permission this can only be a single object.
            Err(error) if error.is_access_denied() => None,
            Err(error) => return Err(error),
        }
    };
    if let Some(prefix) = &folder {
        let mut token: Option<String> = None;
        loop {
            let page = list_objects(
                &mut session,
                &endpoint,
                prefix,
                MAX_PAGE,
                None,
                token.as_deref(),
                owner,
            )
            .await?;
            let keys: Vec<String> = page.contents.into_iter().map(|item| item.key).collect();
            if !keys.is_empty() {
                removed.extend(delete_batch(&mut session, &endpoint, &keys, owner).await?);
            }
            match page
                .next_continuation_token
                .filter(|_| page.is_truncated == Some(true))
            {
                Some(next) => token = Some(next),
                None => break,
            }
        }
    }
    if folder.is_none() {
        let url = endpoint.url(&endpoint.object_path(&object.path)?, "")?;
        let request = S3Request::new("DeleteObject", Method::DELETE, url)
            .opt_header("x-amz-expected-bucket-owner", owner);
        session.send(&request).await?;
        removed.push(object.path.clone());
    }
    Ok(RemoveOutput {
        key: object.key().map(str::to_owned),
        path: object.path,
        removed,
    })
}

fn root_error() -> StorageError {
    StorageError::InvalidStorageOperationInput("Cannot delete root or bucket-wide paths".to_owned())
}

/// One DeleteObjects call; returns the deleted keys, or the first refusal.
async fn delete_batch(
    session: &mut Session<'_>,
    endpoint: &BucketEndpoint,
    keys: &[String],
    owner: Option<&str>,
) -> Result<Vec<String>, StorageError> {
    let body = xml::delete_request(keys)?;
    let checksum = {
        use base64::Engine as _;
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, body.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
    };
    let url = endpoint.url(&endpoint.bucket_path(), "delete")?;
    let request = S3Request::new("DeleteObjects", Method::POST, url)
        .header("content-type", "application/xml")
        .header("x-amz-checksum-sha256", checksum)
        .header("x-amz-sdk-checksum-algorithm", "SHA256")
        .opt_header("x-amz-expected-bucket-owner", owner)
        .body(body);
    let response = session.send(&request).await?;
    if let Some(error) = xml::error_in_success(&response.body) {
        return Err(error);
    }
    let result = xml::parse_delete(&response.body)?;
    if let Some(failed) = result.error.into_iter().next() {
        return Err(StorageError::Service {
            code: failed.code,
            message: format!("{} (key `{}`)", failed.message, failed.key),
            status: 200,
            request_id: None,
        });
    }
    Ok(result.deleted.into_iter().map(|d| d.key).collect())
}

/// The source of a [`copy`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CopySource {
    /// The object copied.
    pub target: StorageTarget,
    /// Its bucket (give both buckets or neither).
    pub bucket: Option<StorageBucket>,
    /// The account that must own the source bucket (`x-amz-source-expected-bucket-owner`).
    pub expected_bucket_owner: Option<String>,
    /// Copy only if the source still has this ETag (`x-amz-copy-source-if-match`).
    pub e_tag: Option<String>,
    /// Copy only if the source has not changed since (`x-amz-copy-source-if-unmodified-since`).
    pub not_modified_since: Option<SystemTime>,
}

impl CopySource {
    /// Copies from `target`.
    pub fn new(target: impl Into<StorageTarget>) -> Self {
        Self {
            target: target.into(),
            bucket: None,
            expected_bucket_owner: None,
            e_tag: None,
            not_modified_since: None,
        }
    }

    /// Sets the source bucket.
    #[must_use]
    pub fn bucket(mut self, bucket: impl Into<StorageBucket>) -> Self {
        self.bucket = Some(bucket.into());
        self
    }

    /// Sets the source's expected ETag.
    #[must_use]
    pub fn e_tag(mut self, e_tag: impl Into<String>) -> Self {
        self.e_tag = Some(e_tag.into());
        self
    }
}

/// The destination of a [`copy`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CopyDestination {
    /// Where the copy goes.
    pub target: StorageTarget,
    /// Its bucket (give both buckets or neither).
    pub bucket: Option<StorageBucket>,
    /// The account that must own the destination bucket.
    pub expected_bucket_owner: Option<String>,
}

impl CopyDestination {
    /// Copies to `target`.
    pub fn new(target: impl Into<StorageTarget>) -> Self {
        Self {
            target: target.into(),
            bucket: None,
            expected_bucket_owner: None,
        }
    }

    /// Sets the destination bucket.
    #[must_use]
    pub fn bucket(mut self, bucket: impl Into<StorageBucket>) -> Self {
        self.bucket = Some(bucket.into());
        self
    }
}

/// The input of [`copy`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CopyInput {
    /// What is copied.
    pub source: CopySource,
    /// Where to.
    pub destination: CopyDestination,
    /// Explicit credentials (string paths only).
    pub location_credentials: Option<AwsCredentials>,
}

impl CopyInput {
    /// Copies `source` to `destination`.
    pub fn new(source: impl Into<CopySource>, destination: impl Into<CopyDestination>) -> Self {
        Self {
            source: source.into(),
            destination: destination.into(),
            location_credentials: None,
        }
    }

    /// Signs with explicit credentials.
    #[must_use]
    pub fn location_credentials(mut self, credentials: AwsCredentials) -> Self {
        self.location_credentials = Some(credentials);
        self
    }
}

impl<T: Into<StorageTarget>> From<T> for CopySource {
    fn from(target: T) -> Self {
        Self::new(target)
    }
}

impl<T: Into<StorageTarget>> From<T> for CopyDestination {
    fn from(target: T) -> Self {
        Self::new(target)
    }
}

/// What [`copy`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CopyOutput {
    /// The destination path.
    pub path: String,
    /// For legacy key inputs: the destination key without its prefix.
    pub key: Option<String>,
    /// The new object's ETag.
    pub e_tag: Option<String>,
}

/// Copies an object (CopyObject, `x-amz-copy-source`), within a bucket or between buckets of one region.
///
/// # Errors
///
/// `InvalidCopyOperationStorageBucket` (as `InvalidStorageOperationInput`) when only one bucket is given; S3's
/// errors (`NoSuchKey` for a missing source, `PreconditionFailed` for a changed ETag, `AccessDenied`, ...).
pub async fn copy(ctx: &ServerContext, input: CopyInput) -> Result<CopyOutput, StorageError> {
    let CopyInput {
        source,
        destination,
        location_credentials,
    } = input;
    if source.bucket.is_some() != destination.bucket.is_some() {
        return Err(StorageError::InvalidStorageOperationInput(
            "InvalidCopyOperationStorageBucket: give both source and destination buckets, or neither".to_owned(),
        ));
    }
    check_bucket_owner(source.expected_bucket_owner.as_deref())?;
    check_bucket_owner(destination.expected_bucket_owner.as_deref())?;
    let (source_bucket, source_region, _) = bucket_of(ctx, source.bucket.as_ref())?;
    let (bucket, region, custom) = bucket_of(ctx, destination.bucket.as_ref())?;
    precheck(&source.target)?;
    precheck(&destination.target)?;
    let endpoint = BucketEndpoint::new(&bucket, &region, false, custom.as_ref())?;
    let mut session = session(
        ctx,
        &region,
        location_credentials.as_ref(),
        &[&source.target, &destination.target],
    )
    .await?;
    let identity = session.identity_id.clone();
    let from = resolve(
        &source_bucket,
        &source_region,
        &source.target,
        identity.as_deref(),
    )?;
    let to = resolve(&bucket, &region, &destination.target, identity.as_deref())?;
    let url = endpoint.url(&endpoint.object_path(&to.path)?, "")?;
    let if_unmodified = source.not_modified_since.map(httpdate);
    let request = S3Request::new("CopyObject", Method::PUT, url)
        .header(
            "x-amz-copy-source",
            format!("{}/{}", encode(&from.bucket), encode_key(&from.path)),
        )
        .header("x-amz-metadata-directive", "COPY")
        .opt_header("x-amz-copy-source-if-match", source.e_tag.as_deref())
        .opt_header(
            "x-amz-copy-source-if-unmodified-since",
            if_unmodified.as_deref(),
        )
        .opt_header(
            "x-amz-source-expected-bucket-owner",
            source.expected_bucket_owner.as_deref(),
        )
        .opt_header(
            "x-amz-expected-bucket-owner",
            destination.expected_bucket_owner.as_deref(),
        );
    let response = session.send(&request).await?;
    let result = xml::parse_etag_result(&response.body, "CopyObject")?;
    Ok(CopyOutput {
        key: to.key().map(str::to_owned),
        path: to.path,
        e_tag: result.e_tag,
    })
}

/// An HTTP date (`Tue, 02 Jan 2024 03:04:05 GMT`).
fn httpdate(time: SystemTime) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::OffsetDateTime::from(time)
        .to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates_parse_and_format() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_164_645);
        assert_eq!(httpdate(t), "Tue, 02 Jan 2024 03:04:05 GMT");
        assert_eq!(parse_date("Tue, 02 Jan 2024 03:04:05 GMT"), Some(t));
        assert_eq!(parse_date("2024-01-02T03:04:05.000Z"), Some(t));
        assert_eq!(parse_date("yesterday"), None);
    }
}
