//! [`StorageError`]: Amplify's validation errors by name, and S3's error codes from its XML error bodies.

use crate::AuthError;
use crate::config::ConfigError;
use crate::outbound::TransportError;

/// What went wrong in a storage call.
///
/// [`StorageError::name`] returns the name aws-amplify gives the same failure: its validation names
/// (`NoCredentials`, `InvalidStoragePathInput`, `UrlExpirationMaxLimitExceed`, ...), `NotFound` for a `HEAD` that
/// found nothing, or S3's own error code (`NoSuchKey`, `AccessDenied`, `SignatureDoesNotMatch`, ...).
///
/// Validation errors are reported before any network call. Service errors leave the bucket as it was, except
/// where documented on the operation (a folder [`remove`](super::remove) that fails half-way reports what it
/// removed).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// No AWS credentials: no identity pool, or signed out without guest access (Amplify's `NoCredentials`,
    /// "Credentials should not be empty.").
    #[error("Credentials should not be empty. ({reason})")]
    NoCredentials {
        /// Why, in words.
        reason: String,
    },

    /// A `protected`/`private` key or a path function needs the identity id, and there is none (`NoIdentityId`).
    #[error("Missing identity ID when accessing objects in protected or private access level.")]
    NoIdentityId,

    /// `bucket` named a friendly name that is not in `storage.buckets` (`InvalidStorageBucket`).
    #[error(
        "Unable to lookup bucket from provided name in Amplify configuration. (no bucket named `{name}` in \
         storage.buckets)"
    )]
    InvalidStorageBucket {
        /// The friendly name asked for.
        name: String,
    },

    /// No bucket was given and the configuration has no default bucket (`NoBucket`).
    #[error(
        "Missing bucket name while accessing object. (add a `storage` section to the configuration)"
    )]
    NoBucket,

    /// No region for the bucket (`NoRegion`).
    #[error("Missing region while accessing object.")]
    NoRegion,

    /// The input is inconsistent (`InvalidStorageOperationInput`).
    #[error("{0}")]
    InvalidStorageOperationInput(String),

    /// The resolved object path is not valid (`InvalidStoragePathInput`), e.g. it starts with `/`.
    #[error("{0}")]
    InvalidStoragePathInput(String),

    /// Explicit location credentials were given with a path that is not a plain string (`InvalidStorageInput`).
    #[error("The input needs to have a path as a string value.")]
    InvalidStorageInput,

    /// `expires_in` is more than 7 days (`UrlExpirationMaxLimitExceed`).
    #[error("Url Expiration can not be greater than 7 Days. (asked for {seconds} s)")]
    UrlExpirationMaxLimitExceed {
        /// The requested lifetime after clamping to the credentials' lifetime.
        seconds: u64,
    },

    /// The bucket name cannot be used in a host name (`DnsIncompatibleBucketName`).
    #[error("The bucket name isn't DNS compatible: `{bucket}`")]
    DnsIncompatibleBucketName {
        /// The bucket name.
        bucket: String,
    },

    /// `expected_bucket_owner` is not a 12-digit AWS account id (`InvalidAWSAccountID`).
    #[error("Invalid AWS account ID was provided: `{value}`")]
    InvalidAwsAccountId {
        /// The value given.
        value: String,
    },

    /// A `HEAD` found no object (`NotFound`): `get_properties`, or `get_url` with `validate_object_existence`.
    #[error("Object not found: `{path}`")]
    NotFound {
        /// The object key.
        path: String,
    },

    /// S3 answered with an error. `code` is S3's (`NoSuchKey`, `AccessDenied`, `SignatureDoesNotMatch`,
    /// `ExpiredToken`, ...), or the status text for a body-less answer.
    #[error("S3 error {status} {code}: {message}")]
    Service {
        /// S3's error code.
        code: String,
        /// S3's message (truncated).
        message: String,
        /// The HTTP status.
        status: u16,
        /// `x-amz-request-id`, when S3 sent one.
        request_id: Option<String>,
    },

    /// The request could not be sent or the answer not read (retried first when the call is idempotent).
    #[error("network error talking to S3: {0}")]
    Network(#[source] TransportError),

    /// S3 answered with success but with something this library cannot read, or an answer that does not match
    /// the request (Amplify's `IntegrityError`).
    #[error("unexpected answer from S3: {0}")]
    InvalidResponse(String),

    /// Getting credentials failed for a reason other than their absence (e.g. Cognito Identity unreachable).
    #[error("could not get AWS credentials: {0}")]
    Auth(#[source] AuthError),

    /// The configuration is not usable for storage (e.g. an invalid storage endpoint set in code).
    #[error(transparent)]
    Config(ConfigError),

    /// Signing failed (an invalid header value or URL given as input).
    #[error("could not sign the request: {0}")]
    Signing(String),
}

impl StorageError {
    /// The name aws-amplify uses for this error (S3's error code for service errors).
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::NoCredentials { .. } => "NoCredentials",
            Self::NoIdentityId => "NoIdentityId",
            Self::InvalidStorageBucket { .. } => "InvalidStorageBucket",
            Self::NoBucket => "NoBucket",
            Self::NoRegion => "NoRegion",
            Self::InvalidStorageOperationInput(_) => "InvalidStorageOperationInput",
            Self::InvalidStoragePathInput(_) => "InvalidStoragePathInput",
            Self::InvalidStorageInput => "InvalidStorageInput",
            Self::UrlExpirationMaxLimitExceed { .. } => "UrlExpirationMaxLimitExceed",
            Self::DnsIncompatibleBucketName { .. } => "DnsIncompatibleBucketName",
            Self::InvalidAwsAccountId { .. } => "InvalidAWSAccountID",
            Self::NotFound { .. } => "NotFound",
            Self::Service { code, .. } => code,
            Self::Network(_) => "NetworkError",
            Self::InvalidResponse(_) => "IntegrityError",
            Self::Auth(e) => e.name(),
            Self::Config(_) => "InvalidConfiguration",
            Self::Signing(_) => "SigningError",
        }
    }

    /// S3's error code, for service errors.
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The HTTP status of a service error or of a `NotFound`.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Service { status, .. } => Some(*status),
            Self::NotFound { .. } => Some(404),
            _ => None,
        }
    }

    /// True when the object (or bucket) does not exist: `NotFound`, `NoSuchKey`, `NoSuchBucket`, or a 404.
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        match self {
            Self::NotFound { .. } => true,
            Self::Service { code, status, .. } => {
                *status == 404 || matches!(code.as_str(), "NoSuchKey" | "NoSuchBucket" | "NotFound")
            }
            _ => false,
        }
    }

    /// True when S3 refused the request for lack of permission (`AccessDenied`, or a body-less 403), as opposed
    /// to a bad signature ([`is_signature_error`](Self::is_signature_error)).
    #[must_use]
    pub fn is_access_denied(&self) -> bool {
        match self {
            Self::Service { code, status, .. } => {
                code == "AccessDenied" || (*status == 403 && code == "Forbidden")
            }
            _ => false,
        }
    }

    /// True when S3 refused the signature or the credentials themselves: `SignatureDoesNotMatch`,
    /// `InvalidAccessKeyId`, `ExpiredToken`, `InvalidToken`, `RequestTimeTooSkewed`, ...
    #[must_use]
    pub fn is_signature_error(&self) -> bool {
        matches!(
            self.code(),
            Some(
                "SignatureDoesNotMatch"
                    | "InvalidAccessKeyId"
                    | "ExpiredToken"
                    | "InvalidToken"
                    | "TokenRefreshRequired"
                    | "RequestTimeTooSkewed"
                    | "AuthorizationQueryParametersError"
                    | "AuthorizationHeaderMalformed"
            )
        )
    }

    /// True when a later attempt may succeed: network failures, 5xx, throttling (429, `SlowDown`).
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Network(_) => true,
            Self::Service { code, status, .. } => {
                *status >= 500
                    || *status == 429
                    || matches!(
                        code.as_str(),
                        "SlowDown"
                            | "Throttling"
                            | "ThrottlingException"
                            | "RequestTimeout"
                            | "InternalError"
                            | "ServiceUnavailable"
                    )
            }
            Self::Auth(e) => e.is_transient(),
            _ => false,
        }
    }

    /// True when the credentials expired between fetching and use: fetch fresh ones and try once more.
    pub(crate) fn is_expired_credentials(&self) -> bool {
        matches!(
            self.code(),
            Some("ExpiredToken" | "TokenRefreshRequired" | "ExpiredTokenException")
        )
    }
}

impl crate::auth::identity::CredentialsError for StorageError {
    fn no_credentials(reason: String) -> Self {
        Self::NoCredentials { reason }
    }

    fn auth(error: AuthError) -> Self {
        Self::Auth(error)
    }
}
