//! Storage (S3) on the server: [`get_url`], [`get_properties`], [`list`] / [`list_all`], [`remove`], [`copy`] and
//! [`upload`], with the inputs, defaults and errors of aws-amplify's `aws-amplify/storage/server`.
//!
//! Every call takes the request's [`ServerContext`]: the identity id and the AWS credentials come from
//! [`fetch_identity_credentials`](crate::fetch_identity_credentials) (a signed-in user's identity, or a
//! guest's when `unauthenticated_identities_enabled` is on; cached in the runner), the bucket from the `storage`
//! section of the configuration.
//!
//! ```no_run
//! # async fn demo(ctx: &amplify_ssr::ServerContext) -> Result<(), amplify_ssr::storage::StorageError> {
//! use std::time::Duration;
//! use amplify_ssr::storage::{self, GetUrlInput, ListInput, StoragePath, UploadInput};
//!
//! // A presigned download URL for the caller's own file, valid for 5 minutes.
//! let own = StoragePath::from_identity(|id| format!("private/{id}/photo.jpg"));
//! let url = storage::get_url(ctx, GetUrlInput::new(own).expires_in(Duration::from_secs(300))).await?;
//! println!("{}", url.url);
//!
//! // Upload, then list the shared area.
//! storage::upload(ctx, UploadInput::new("public/hello.txt", "hello").content_type("text/plain")).await?;
//! for item in storage::list_all(ctx, ListInput::new("public/")).await?.items {
//!     println!("{} ({:?} bytes)", item.path, item.size);
//! }
//! # Ok(()) }
//! ```
//!
//! # Paths, keys and buckets
//!
//! A [`StorageTarget`] is either a full path (a string, or a function of the identity id) or a legacy `key` with
//! an [`AccessLevel`]: `guest` → `public/{key}`, `protected` → `protected/{targetIdentityId ?? identityId}/{key}`,
//! `private` → `private/{identityId}/{key}`. Paths must not start with `/`. The bucket is the configuration's
//! default, a friendly name from `storage.buckets`, or an explicit name and region ([`StorageBucket`]).
//!
//! # Endpoints
//!
//! Virtual-hosted `https://{bucket}.s3.{region}.amazonaws.com/{key}` by default, path-style
//! `https://s3.{region}.amazonaws.com/{bucket}/{key}` for bucket names with dots,
//! `https://{bucket}.s3-accelerate.amazonaws.com/{key}` with `use_accelerate_endpoint`, and
//! `{endpoint}/{bucket}/{key}` (path-style, scheme and port kept, accelerate ignored) when a storage endpoint
//! override is set (`custom.amplify_ssr.endpoints.storage`, `AMPLIFY_SSR_STORAGE_ENDPOINT`,
//! [`ServerRunnerBuilder::storage_endpoint`](crate::ServerRunnerBuilder::storage_endpoint)). Each `/`-separated
//! segment of the key is percent-encoded as RFC 3986 says (everything but `A-Z a-z 0-9 - _ . ~`).
//!
//! # Signing
//!
//! All signing is done by the `aws-sigv4` crate, with S3's settings (no path normalisation, single encoding).
//! Presigned URLs use `UNSIGNED-PAYLOAD` and sign the `host` header only (plus the content headers of a
//! presigned `PUT`, see [`GetUrlInput::method`]); other calls are header-signed with the body's SHA-256.
//!
//! # Retries and logging
//!
//! Network failures, 5xx, 429 and `SlowDown` are retried with jittered exponential backoff (3 attempts) for
//! idempotent calls (all but `CreateMultipartUpload`); S3's `ExpiredToken` fetches fresh credentials once. Each
//! attempt runs in an `s3` `tracing` span (operation, method, host, attempt, status, error code). Credentials,
//! signatures and presigned URLs are never logged.

mod client;
mod endpoint;
mod error;
mod input;
mod ops;
mod presign;
mod sign;
mod upload;
mod xml;

pub use error::StorageError;
pub use input::{AccessLevel, LegacyKey, StorageBucket, StoragePath, StorageTarget};
pub use ops::{
    CopyDestination, CopyInput, CopyOutput, CopySource, GetPropertiesInput, ItemProperties,
    ListInput, ListItem, ListOutput, RemoveInput, RemoveOutput, SubpathStrategy, copy,
    get_properties, list, list_all, remove,
};
pub use presign::{
    ContentDisposition, DEFAULT_URL_EXPIRATION, GetUrlInput, GetUrlOutput, MAX_URL_EXPIRATION,
    PresignMethod, get_url,
};
pub use upload::{DEFAULT_PART_SIZE, MIN_PART_SIZE, UploadInput, UploadOutput, upload};

#[doc(hidden)]
pub use presign::{__object_url, __presign_get_url_at, __presign_url_at};

use crate::auth::AwsCredentials;
use crate::auth::identity::client_credentials;
use crate::context::ServerContext;
use crate::outbound::RetryPolicy;

use client::Session;
use endpoint::BucketEndpoint;
use input::{
    ResolvedObject, StorageTarget as Target, check_bucket_owner, resolve_bucket, resolve_path,
};

/// Gets the credentials (explicit ones, or the context's) and the identity id for one call.
pub(crate) async fn session<'a>(
    ctx: &'a ServerContext,
    region: &str,
    location_credentials: Option<&AwsCredentials>,
    targets: &[&Target],
) -> Result<Session<'a>, StorageError> {
    if let Some(credentials) = location_credentials {
        // As upstream: explicit credentials come with no identity, so only string paths can be resolved.
        if targets
            .iter()
            .any(|t| !matches!(t, Target::Path(StoragePath::Static(_))))
        {
            return Err(StorageError::InvalidStorageInput);
        }
        return Ok(Session {
            ctx,
            credentials: credentials.clone(),
            identity_id: None,
            refreshable: false,
            region: region.to_owned(),
            retry: RetryPolicy::default(),
        });
    }
    let fetched = client_credentials::<StorageError>(ctx, false).await?;
    Ok(Session {
        ctx,
        credentials: fetched.credentials,
        identity_id: Some(fetched.identity_id),
        refreshable: true,
        region: region.to_owned(),
        retry: RetryPolicy::default(),
    })
}

/// What a single-object call works with: the session, the bucket's endpoint and the resolved object.
pub(crate) struct ResolvedRequest<'a> {
    pub(crate) session: Session<'a>,
    pub(crate) endpoint: BucketEndpoint,
    pub(crate) object: ResolvedObject,
}

/// The common preamble of the single-target calls, in this order: checks the expected bucket owner, picks the
/// bucket, validates a path-only target, builds the endpoint, gets the session (credentials and identity) and
/// resolves the target with its identity id.
pub(crate) async fn resolve_target<'a>(
    ctx: &'a ServerContext,
    target: &Target,
    bucket: Option<&StorageBucket>,
    expected_bucket_owner: Option<&str>,
    location_credentials: Option<&AwsCredentials>,
    use_accelerate_endpoint: bool,
) -> Result<ResolvedRequest<'a>, StorageError> {
    check_bucket_owner(expected_bucket_owner)?;
    let (bucket, region, custom) = bucket_of(ctx, bucket)?;
    precheck(target)?;
    let endpoint = BucketEndpoint::new(&bucket, &region, use_accelerate_endpoint, custom.as_ref())?;
    let session = session(ctx, &region, location_credentials, &[target]).await?;
    let object = resolve(&bucket, &region, target, session.identity_id.as_deref())?;
    Ok(ResolvedRequest {
        session,
        endpoint,
        object,
    })
}

/// Resolves a target against a bucket choice (validation that needs no credentials happens first).
pub(crate) fn resolve(
    bucket: &str,
    region: &str,
    target: &Target,
    identity_id: Option<&str>,
) -> Result<ResolvedObject, StorageError> {
    let (path, legacy) = resolve_path(target, identity_id)?;
    Ok(ResolvedObject {
        bucket: bucket.to_owned(),
        region: region.to_owned(),
        path,
        legacy,
    })
}

/// The bucket and region of a call, and the storage endpoint override.
pub(crate) fn bucket_of(
    ctx: &ServerContext,
    bucket: Option<&StorageBucket>,
) -> Result<(String, String, Option<url::Url>), StorageError> {
    let config = ctx.runner().config();
    let (name, region) = resolve_bucket(config, bucket)?;
    let endpoint = config.storage_endpoint().map_err(StorageError::Config)?;
    Ok((name, region, endpoint))
}

/// Validates a path-only target before any credentials are fetched (a leading `/` fails fast).
pub(crate) fn precheck(target: &Target) -> Result<(), StorageError> {
    if !target.needs_identity() {
        resolve_path(target, None)?;
    }
    Ok(())
}
