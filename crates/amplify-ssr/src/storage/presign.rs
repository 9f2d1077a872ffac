//! [`get_url`]: presigned GET and PUT URLs (reference §7.2).

use std::time::{Duration, SystemTime};

use url::Url;

use crate::auth::AwsCredentials;
use crate::context::ServerContext;

use super::endpoint::{BucketEndpoint, encode};
use super::error::StorageError;
use super::input::{StorageBucket, StorageTarget, check_bucket_owner};
use super::ops::head_object;
use super::sign::presign;
use super::{ResolvedRequest, resolve, resolve_target};

/// The default lifetime of a presigned URL: 900 s.
pub const DEFAULT_URL_EXPIRATION: Duration = Duration::from_secs(900);
/// The longest lifetime S3 accepts: 7 days.
pub const MAX_URL_EXPIRATION: Duration = Duration::from_secs(7 * 24 * 3600);

/// The HTTP method a presigned URL is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PresignMethod {
    /// Download (`GetObject`), the default.
    #[default]
    Get,
    /// Upload from the browser (`PutObject`).
    Put,
}

/// A `Content-Disposition` value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContentDisposition {
    /// Used verbatim.
    Raw(String),
    /// `attachment` (download) with an optional file name.
    Attachment {
        /// The file name the browser should save as.
        filename: Option<String>,
    },
    /// `inline` (display) with an optional file name.
    Inline {
        /// The file name.
        filename: Option<String>,
    },
}

impl ContentDisposition {
    /// `attachment; filename="{name}"`.
    pub fn attachment(filename: impl Into<String>) -> Self {
        Self::Attachment {
            filename: Some(filename.into()),
        }
    }

    /// The header value: `{type}; filename="{name}"` as aws-amplify writes it (`"` and `\` in the name are
    /// backslash-escaped).
    #[must_use]
    pub fn to_header_value(&self) -> String {
        let (kind, filename) = match self {
            Self::Raw(raw) => return raw.clone(),
            Self::Attachment { filename } => ("attachment", filename),
            Self::Inline { filename } => ("inline", filename),
        };
        match filename {
            Some(name) => {
                let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
                format!("{kind}; filename=\"{escaped}\"")
            }
            None => kind.to_owned(),
        }
    }
}

impl From<&str> for ContentDisposition {
    fn from(raw: &str) -> Self {
        Self::Raw(raw.to_owned())
    }
}

impl From<String> for ContentDisposition {
    fn from(raw: String) -> Self {
        Self::Raw(raw)
    }
}

/// The input of [`get_url`]. Build it with [`GetUrlInput::new`] and the setters.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GetUrlInput {
    /// The object.
    pub target: StorageTarget,
    /// The bucket (default: the configuration's).
    pub bucket: Option<StorageBucket>,
    /// The account that must own the bucket (12 digits), sent as `x-amz-expected-bucket-owner`.
    pub expected_bucket_owner: Option<String>,
    /// Sign with these credentials instead of the context's (Amplify's `locationCredentialsProvider`); the
    /// target must then be a string path.
    pub location_credentials: Option<AwsCredentials>,
    /// Lifetime of the URL (default 900 s), clamped to the credentials' remaining lifetime; more than 7 days is
    /// an error.
    pub expires_in: Duration,
    /// `HEAD` the object first and fail with `NotFound` when it is missing (GET only).
    pub validate_object_existence: bool,
    /// `response-content-disposition` (GET) or the signed `Content-Disposition` header (PUT).
    pub content_disposition: Option<ContentDisposition>,
    /// `response-content-type` (GET) or the signed `Content-Type` header (PUT).
    pub content_type: Option<String>,
    /// `response-cache-control` (GET) or the signed `Cache-Control` header (PUT).
    pub cache_control: Option<String>,
    /// Use `{bucket}.s3-accelerate.amazonaws.com` (ignored when a storage endpoint override is set).
    pub use_accelerate_endpoint: bool,
    /// GET (download, the default) or PUT (upload).
    pub method: PresignMethod,
}

super::ops::common_setters!(GetUrlInput);

impl GetUrlInput {
    /// A presigned GET of `target` with the defaults.
    pub fn new(target: impl Into<StorageTarget>) -> Self {
        Self {
            target: target.into(),
            bucket: None,
            expected_bucket_owner: None,
            location_credentials: None,
            expires_in: DEFAULT_URL_EXPIRATION,
            validate_object_existence: false,
            content_disposition: None,
            content_type: None,
            cache_control: None,
            use_accelerate_endpoint: false,
            method: PresignMethod::Get,
        }
    }

    /// Sets [`expires_in`](Self::expires_in).
    #[must_use]
    pub fn expires_in(mut self, expires_in: Duration) -> Self {
        self.expires_in = expires_in;
        self
    }

    /// Sets [`validate_object_existence`](Self::validate_object_existence).
    #[must_use]
    pub fn validate_object_existence(mut self, validate: bool) -> Self {
        self.validate_object_existence = validate;
        self
    }

    /// Sets [`content_disposition`](Self::content_disposition).
    #[must_use]
    pub fn content_disposition(mut self, disposition: impl Into<ContentDisposition>) -> Self {
        self.content_disposition = Some(disposition.into());
        self
    }

    /// Sets [`content_type`](Self::content_type).
    #[must_use]
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Sets [`cache_control`](Self::cache_control).
    #[must_use]
    pub fn cache_control(mut self, cache_control: impl Into<String>) -> Self {
        self.cache_control = Some(cache_control.into());
        self
    }

    /// Sets [`use_accelerate_endpoint`](Self::use_accelerate_endpoint).
    #[must_use]
    pub fn use_accelerate_endpoint(mut self, accelerate: bool) -> Self {
        self.use_accelerate_endpoint = accelerate;
        self
    }

    /// Sets [`method`](Self::method). For [`PresignMethod::Put`] the content type, disposition and cache
    /// control are signed as headers, so the uploader must send exactly [`GetUrlOutput::headers`].
    #[must_use]
    pub fn method(mut self, method: PresignMethod) -> Self {
        self.method = method;
        self
    }
}

/// A presigned URL.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetUrlOutput {
    /// The URL. It is a bearer credential until it expires: don't log it.
    pub url: Url,
    /// When it stops working.
    pub expires_at: SystemTime,
    /// Headers the request must carry (a presigned PUT's signed content headers); empty for GET.
    pub headers: Vec<(String, String)>,
}

/// Shows the URL without its query (the signature and the session token).
impl std::fmt::Debug for GetUrlOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut shown = self.url.clone();
        shown.set_query(None);
        f.debug_struct("GetUrlOutput")
            .field("url", &format_args!("{shown}?{}", crate::secret::REDACTED))
            .field("expires_at", &self.expires_at)
            .field("headers", &self.headers)
            .finish()
    }
}

/// A presigned URL for an object: download (GET, the default) or upload (PUT).
///
/// No network call is made except the credential fetch (cached in the runner) and, with
/// `validate_object_existence`, a `HEAD` of the object.
///
/// # Errors
///
/// The resolution errors of [`StorageError`] (`NoCredentials`, `NoIdentityId`, `InvalidStoragePathInput`, ...),
/// `UrlExpirationMaxLimitExceed` above 7 days, `NotFound` when validating a missing object.
pub async fn get_url(
    ctx: &ServerContext,
    input: GetUrlInput,
) -> Result<GetUrlOutput, StorageError> {
    check_bucket_owner(input.expected_bucket_owner.as_deref())?;
    if input.expires_in.is_zero() {
        return Err(StorageError::InvalidStorageOperationInput(
            "expires_in must be at least one second".to_owned(),
        ));
    }
    // The owner is checked again (a no-op) by `resolve_target`; checking it first keeps its error ahead of
    // the `expires_in` one.
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

    if input.validate_object_existence && input.method == PresignMethod::Get {
        head_object(
            &mut session,
            &endpoint,
            &object.path,
            input.expected_bucket_owner.as_deref(),
        )
        .await?;
    }

    let now = SystemTime::now();
    presign_object(
        &endpoint,
        &object.path,
        &input,
        &session.credentials,
        &object.region,
        now,
    )
}

/// Clamps the lifetime to the credentials', checks the 7-day cap, and signs (steps 3–5 of reference §7.2).
fn presign_object(
    endpoint: &BucketEndpoint,
    key: &str,
    input: &GetUrlInput,
    credentials: &AwsCredentials,
    region: &str,
    now: SystemTime,
) -> Result<GetUrlOutput, StorageError> {
    let mut expires_in = input.expires_in.as_secs();
    if let Some(remaining) = credentials.remaining_lifetime(now) {
        expires_in = expires_in.min(remaining.as_secs());
    }
    if expires_in > MAX_URL_EXPIRATION.as_secs() {
        return Err(StorageError::UrlExpirationMaxLimitExceed {
            seconds: expires_in,
        });
    }
    if expires_in == 0 {
        return Err(StorageError::NoCredentials {
            reason: "the credentials have expired".to_owned(),
        });
    }
    let disposition = input
        .content_disposition
        .as_ref()
        .map(ContentDisposition::to_header_value);
    let mut query = String::new();
    let mut push = |name: &str, value: &str| {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(name);
        query.push('=');
        query.push_str(&encode(value));
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    let method = match input.method {
        PresignMethod::Get => {
            push("x-id", "GetObject");
            if let Some(value) = &input.cache_control {
                push("response-cache-control", value);
            }
            if let Some(value) = &input.content_type {
                push("response-content-type", value);
            }
            if let Some(value) = &disposition {
                push("response-content-disposition", value);
            }
            "GET"
        }
        PresignMethod::Put => {
            push("x-id", "PutObject");
            for (name, value) in [
                ("cache-control", &input.cache_control),
                ("content-disposition", &disposition),
                ("content-type", &input.content_type),
            ] {
                if let Some(value) = value {
                    headers.push((name.to_owned(), value.clone()));
                }
            }
            "PUT"
        }
    };
    if let Some(owner) = &input.expected_bucket_owner {
        push("x-amz-expected-bucket-owner", owner);
    }
    let url = endpoint.url(&endpoint.object_path(key)?, &query)?;
    let header_refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let url = presign(
        method,
        &url,
        &header_refs,
        credentials,
        region,
        Duration::from_secs(expires_in),
        now,
    )?;
    Ok(GetUrlOutput {
        url,
        expires_at: now + Duration::from_secs(expires_in),
        headers,
    })
}

/// **Test hook, not a stable API.** The object URL `get_url` would use (before its query).
#[doc(hidden)]
pub fn __object_url(
    endpoint: Option<&Url>,
    bucket: &str,
    region: &str,
    key: &str,
    accelerate: bool,
) -> Result<Url, StorageError> {
    let endpoint = BucketEndpoint::new(bucket, region, accelerate, endpoint)?;
    endpoint.url(&endpoint.object_path(key)?, "")
}

/// **Test hook, not a stable API.** Presigns `url` as is (its query kept) for `method` with `aws-sigv4`, signing
/// `headers` besides `host`, at `time`.
#[doc(hidden)]
pub fn __presign_url_at(
    method: &str,
    url: &Url,
    headers: &[(&str, &str)],
    credentials: &AwsCredentials,
    region: &str,
    expires_in: Duration,
    time: SystemTime,
) -> Result<Url, StorageError> {
    presign(method, url, headers, credentials, region, expires_in, time)
}

/// **Test hook, not a stable API.** What [`get_url`] returns for `input` (a string path) in `bucket`/`region`
/// with these credentials, signed at `time`, with no network call.
#[doc(hidden)]
pub fn __presign_get_url_at(
    endpoint: Option<&Url>,
    bucket: &str,
    region: &str,
    input: &GetUrlInput,
    credentials: &AwsCredentials,
    time: SystemTime,
) -> Result<GetUrlOutput, StorageError> {
    check_bucket_owner(input.expected_bucket_owner.as_deref())?;
    let endpoint = BucketEndpoint::new(bucket, region, input.use_accelerate_endpoint, endpoint)?;
    let object = resolve(bucket, region, &input.target, None)?;
    presign_object(&endpoint, &object.path, input, credentials, region, time)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials() -> AwsCredentials {
        AwsCredentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some("TOKEN/+=".to_owned()),
        )
    }

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn presign_at(
        input: &GetUrlInput,
        creds: &AwsCredentials,
    ) -> Result<GetUrlOutput, StorageError> {
        __presign_get_url_at(None, "bkt", "us-east-1", input, creds, at(1_704_164_645))
    }

    #[test]
    fn the_query_has_amplifys_shape_and_order() {
        let input = GetUrlInput::new("public/a b.txt")
            .cache_control("no-cache")
            .content_type("text/plain")
            .content_disposition(ContentDisposition::attachment("x y.txt"))
            .expected_bucket_owner("123456789012");
        let out = presign_at(&input, &credentials()).unwrap();
        let names: Vec<String> = out.url.query_pairs().map(|(k, _)| k.into_owned()).collect();
        assert_eq!(
            names,
            [
                "x-id",
                "response-cache-control",
                "response-content-type",
                "response-content-disposition",
                "x-amz-expected-bucket-owner",
                "X-Amz-Algorithm",
                "X-Amz-Credential",
                "X-Amz-Date",
                "X-Amz-SignedHeaders",
                "X-Amz-Expires",
                "X-Amz-Security-Token",
                "X-Amz-Signature"
            ]
        );
        let query = out.url.query().unwrap();
        assert!(
            query.contains(
                "X-Amz-Credential=AKIDEXAMPLE%2F20240102%2Fus-east-1%2Fs3%2Faws4_request"
            )
        );
        assert!(query.contains("X-Amz-Date=20240102T030405Z"));
        assert!(query.contains("X-Amz-Expires=900"));
        assert!(query.contains("X-Amz-SignedHeaders=host"));
        assert!(query.contains("X-Amz-Security-Token=TOKEN%2F%2B%3D"));
        assert!(
            query.contains(
                "response-content-disposition=attachment%3B%20filename%3D%22x%20y.txt%22"
            )
        );
        assert_eq!(out.url.path(), "/public/a%20b.txt");
        assert_eq!(out.url.host_str(), Some("bkt.s3.us-east-1.amazonaws.com"));
        assert_eq!(out.expires_at, at(1_704_164_645 + 900));
        assert!(out.headers.is_empty());
        assert!(!format!("{out:?}").contains("Signature"), "{out:?}");
    }

    #[test]
    fn put_urls_sign_the_content_headers() {
        let input = GetUrlInput::new("public/up.png")
            .method(PresignMethod::Put)
            .content_type("image/png");
        let out = presign_at(&input, &credentials()).unwrap();
        let query = out.url.query().unwrap();
        assert!(
            query.starts_with("x-id=PutObject&X-Amz-Algorithm="),
            "{query}"
        );
        assert!(
            query.contains("X-Amz-SignedHeaders=content-type%3Bhost"),
            "{query}"
        );
        assert_eq!(
            out.headers,
            [("content-type".to_owned(), "image/png".to_owned())]
        );
    }

    #[test]
    fn expiry_is_clamped_to_the_credentials_and_capped_at_seven_days() {
        let mut creds = credentials();
        creds.expiration = Some(at(1_704_164_645 + 120));
        let out = presign_at(&GetUrlInput::new("k"), &creds).unwrap();
        assert!(out.url.query().unwrap().contains("X-Amz-Expires=120"));
        let long = GetUrlInput::new("k").expires_in(Duration::from_secs(7 * 24 * 3600 + 1));
        // Clamped first, as upstream: short-lived credentials never hit the cap.
        assert!(presign_at(&long, &creds).is_ok());
        let err = presign_at(&long, &credentials()).unwrap_err();
        assert_eq!(err.name(), "UrlExpirationMaxLimitExceed");
        let week = GetUrlInput::new("k").expires_in(MAX_URL_EXPIRATION);
        assert!(presign_at(&week, &credentials()).is_ok());
        creds.expiration = Some(at(1_704_164_645));
        assert_eq!(
            presign_at(&GetUrlInput::new("k"), &creds)
                .unwrap_err()
                .name(),
            "NoCredentials"
        );
    }

    #[test]
    fn dispositions_are_written_as_amplify_does() {
        assert_eq!(
            ContentDisposition::attachment("a \"b\".txt").to_header_value(),
            "attachment; filename=\"a \\\"b\\\".txt\""
        );
        assert_eq!(
            ContentDisposition::Inline { filename: None }.to_header_value(),
            "inline"
        );
        assert_eq!(ContentDisposition::from("x").to_header_value(), "x");
    }

    #[test]
    fn an_empty_path_is_refused_not_signed_as_the_bucket() {
        // Found by fuzzing (s3_presigned): the URL of an empty path was the bucket's, a signed listing.
        for method in [PresignMethod::Get, PresignMethod::Put] {
            let err = presign_at(&GetUrlInput::new("").method(method), &credentials()).unwrap_err();
            assert_eq!(err.name(), "InvalidStorageOperationInput");
            assert!(err.to_string().contains("`path` is empty"), "{err}");
        }
        // A legacy key of "" is the level's folder-marker object (`public/`), which stays addressable.
        let marker = GetUrlInput::new(StorageTarget::key("", crate::storage::AccessLevel::Guest));
        let out = presign_at(&marker, &credentials()).unwrap();
        assert_eq!(out.url.path(), "/public/");
    }

    #[test]
    fn invalid_inputs_fail_before_signing() {
        let err = presign_at(
            &GetUrlInput::new("k").expected_bucket_owner("12"),
            &credentials(),
        )
        .unwrap_err();
        assert_eq!(err.name(), "InvalidAWSAccountID");
        let err = presign_at(&GetUrlInput::new("/k"), &credentials()).unwrap_err();
        assert_eq!(err.name(), "InvalidStoragePathInput");
        let err = __presign_get_url_at(
            None,
            "Bad_Bucket",
            "us-east-1",
            &GetUrlInput::new("k"),
            &credentials(),
            at(0),
        )
        .unwrap_err();
        assert_eq!(err.name(), "DnsIncompatibleBucketName");
    }
}
