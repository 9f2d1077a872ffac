//! Where an object lives: paths, legacy keys with access levels, and bucket choice (reference §7.1).

use std::fmt;
use std::sync::Arc;

use crate::config::{AmplifyConfig, StorageConfig};

use super::error::StorageError;

/// An object path: a string, or a function of the caller's identity id.
///
/// ```
/// use amplify_ssr::storage::StoragePath;
///
/// let shared = StoragePath::from("public/photo.jpg");
/// let own = StoragePath::from_identity(|id| format!("private/{id}/photo.jpg"));
/// # let _ = (shared, own);
/// ```
#[derive(Clone)]
pub enum StoragePath {
    /// The full object key, used verbatim.
    Static(String),
    /// Built from the identity id of the caller (guest or signed in); needs an identity pool.
    FromIdentity(Arc<dyn Fn(&str) -> String + Send + Sync>),
}

impl StoragePath {
    /// A path computed from the identity id, e.g. `|id| format!("private/{id}/")`.
    pub fn from_identity(f: impl Fn(&str) -> String + Send + Sync + 'static) -> Self {
        Self::FromIdentity(Arc::new(f))
    }
}

impl fmt::Debug for StoragePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Static(path) => f.debug_tuple("Static").field(path).finish(),
            Self::FromIdentity(_) => f.write_str("FromIdentity(..)"),
        }
    }
}

impl From<&str> for StoragePath {
    fn from(path: &str) -> Self {
        Self::Static(path.to_owned())
    }
}

impl From<String> for StoragePath {
    fn from(path: String) -> Self {
        Self::Static(path)
    }
}

impl From<&String> for StoragePath {
    fn from(path: &String) -> Self {
        Self::Static(path.clone())
    }
}

/// The access level of a legacy `key` input, which decides its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AccessLevel {
    /// `public/` (the default).
    #[default]
    Guest,
    /// `protected/{target_identity_id ?? identity_id}/`: readable by signed-in users, writable by the owner.
    Protected,
    /// `private/{identity_id}/`: the owner only.
    Private,
}

/// What an operation acts on: a full path, or a legacy key with an access level.
///
/// An enum makes Amplify's rule "exactly one of `path` and `key`" a compile-time one.
#[derive(Debug, Clone)]
pub enum StorageTarget {
    /// A full object path (Gen 2 style).
    Path(StoragePath),
    /// A key under the prefix of an access level (Gen 1 style).
    Key(LegacyKey),
}

/// A Gen 1 style key: the object key is the access level's prefix followed by `key`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LegacyKey {
    /// The key below the prefix.
    pub key: String,
    /// The access level (default [`AccessLevel::Guest`]).
    pub access_level: AccessLevel,
    /// For [`AccessLevel::Protected`] only: read another identity's protected area.
    pub target_identity_id: Option<String>,
}

impl StorageTarget {
    /// A full path (a string, or [`StoragePath::from_identity`]).
    pub fn path(path: impl Into<StoragePath>) -> Self {
        Self::Path(path.into())
    }

    /// A legacy key at `level`.
    pub fn key(key: impl Into<String>, level: AccessLevel) -> Self {
        Self::Key(LegacyKey {
            key: key.into(),
            access_level: level,
            target_identity_id: None,
        })
    }

    /// A legacy key in another identity's protected area.
    pub fn protected_key_of(key: impl Into<String>, target_identity_id: impl Into<String>) -> Self {
        Self::Key(LegacyKey {
            key: key.into(),
            access_level: AccessLevel::Protected,
            target_identity_id: Some(target_identity_id.into()),
        })
    }

    /// Whether resolving this target needs the identity id.
    pub(crate) fn needs_identity(&self) -> bool {
        match self {
            Self::Path(StoragePath::Static(_)) => false,
            Self::Path(StoragePath::FromIdentity(_)) => true,
            Self::Key(key) => match key.access_level {
                AccessLevel::Guest => false,
                AccessLevel::Protected => key.target_identity_id.is_none(),
                AccessLevel::Private => true,
            },
        }
    }
}

impl<T: Into<StoragePath>> From<T> for StorageTarget {
    fn from(path: T) -> Self {
        Self::Path(path.into())
    }
}

/// Which bucket to use.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StorageBucket {
    /// A friendly name from `storage.buckets[].name`.
    Name(String),
    /// An explicit bucket and region.
    Explicit {
        /// The S3 bucket name.
        bucket_name: String,
        /// Its region.
        region: String,
    },
}

impl StorageBucket {
    /// A bucket by its friendly name.
    pub fn name(name: impl Into<String>) -> Self {
        Self::Name(name.into())
    }

    /// An explicit bucket and region.
    pub fn explicit(bucket_name: impl Into<String>, region: impl Into<String>) -> Self {
        Self::Explicit {
            bucket_name: bucket_name.into(),
            region: region.into(),
        }
    }
}

impl From<&str> for StorageBucket {
    fn from(name: &str) -> Self {
        Self::Name(name.to_owned())
    }
}

/// A target resolved to a bucket, region and object key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResolvedObject {
    pub(crate) bucket: String,
    pub(crate) region: String,
    /// The full object key.
    pub(crate) path: String,
    /// For legacy key inputs: the access prefix (`public/`, `private/{id}/`, ...) and the key below it.
    pub(crate) legacy: Option<(String, String)>,
}

impl ResolvedObject {
    /// The key as the caller named it: the legacy key without its prefix, else the full path.
    pub(crate) fn key(&self) -> Option<&str> {
        self.legacy.as_ref().map(|(_, key)| key.as_str())
    }
}

/// Resolves bucket and region (reference §7.1 step 3).
pub(crate) fn resolve_bucket(
    config: &AmplifyConfig,
    bucket: Option<&StorageBucket>,
) -> Result<(String, String), StorageError> {
    let empty = StorageConfig::default();
    let storage = config.storage.as_ref().unwrap_or(&empty);
    let (name, region) = match bucket {
        Some(StorageBucket::Name(name)) => {
            let found = storage
                .bucket(name)
                .ok_or_else(|| StorageError::InvalidStorageBucket { name: name.clone() })?;
            (found.bucket_name.clone(), found.region.clone())
        }
        Some(StorageBucket::Explicit {
            bucket_name,
            region,
        }) => (bucket_name.clone(), region.clone()),
        None => {
            let name = storage
                .bucket_name
                .clone()
                .filter(|name| !name.is_empty())
                .ok_or(StorageError::NoBucket)?;
            (name, storage.region.clone().unwrap_or_default())
        }
    };
    if name.is_empty() {
        return Err(StorageError::NoBucket);
    }
    if region.is_empty() {
        return Err(StorageError::NoRegion);
    }
    Ok((name, region))
}

/// Resolves a target to its object key (reference §7.1 steps 4–5). `identity_id` is the caller's, if known.
pub(crate) fn resolve_path(
    target: &StorageTarget,
    identity_id: Option<&str>,
) -> Result<(String, Option<(String, String)>), StorageError> {
    let identity = || {
        identity_id
            .filter(|id| !id.is_empty())
            .ok_or(StorageError::NoIdentityId)
    };
    match target {
        StorageTarget::Path(StoragePath::Static(path)) => {
            check_path(path)?;
            Ok((path.clone(), None))
        }
        StorageTarget::Path(StoragePath::FromIdentity(f)) => {
            let path = f(identity()?);
            check_path(&path)?;
            Ok((path, None))
        }
        StorageTarget::Key(LegacyKey {
            key,
            access_level,
            target_identity_id,
        }) => {
            let prefix = match (access_level, target_identity_id) {
                (AccessLevel::Guest, None) => "public/".to_owned(),
                (AccessLevel::Protected, Some(target)) if !target.is_empty() => {
                    format!("protected/{target}/")
                }
                (AccessLevel::Protected, None) => format!("protected/{}/", identity()?),
                (AccessLevel::Private, None) => format!("private/{}/", identity()?),
                (AccessLevel::Protected, Some(_)) => {
                    return Err(StorageError::InvalidStorageOperationInput(
                        "targetIdentityId must not be empty".to_owned(),
                    ));
                }
                (_, Some(_)) => {
                    return Err(StorageError::InvalidStorageOperationInput(
                        "targetIdentityId is only allowed with the protected access level"
                            .to_owned(),
                    ));
                }
            };
            let path = format!("{prefix}{key}");
            check_segments(&path)?;
            Ok((path, Some((prefix, key.clone()))))
        }
    }
}

fn check_path(path: &str) -> Result<(), StorageError> {
    if path.starts_with('/') {
        return Err(StorageError::InvalidStoragePathInput(format!(
            "Input `path` does not allow a leading slash (/). (got `{path}`)"
        )));
    }
    check_segments(path)
}

/// `.` and `..` segments are rewritten by every URL parser (browsers included), so a presigned URL could not
/// name such an object: refuse them up front.
fn check_segments(path: &str) -> Result<(), StorageError> {
    if path
        .split('/')
        .any(|segment| segment == "." || segment == "..")
    {
        return Err(StorageError::InvalidStoragePathInput(format!(
            "`.` and `..` path segments cannot be addressed in a URL (got `{path}`)"
        )));
    }
    Ok(())
}

/// `expected_bucket_owner` must start with 12 digits, as in aws-amplify.
pub(crate) fn check_bucket_owner(owner: Option<&str>) -> Result<(), StorageError> {
    match owner {
        Some(value)
            if !(value.len() >= 12 && value.as_bytes()[..12].iter().all(u8::is_ascii_digit)) =>
        {
            Err(StorageError::InvalidAwsAccountId {
                value: value.to_owned(),
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> AmplifyConfig {
        AmplifyConfig::from_json(
            r#"{"version":"1.4","storage":{"bucket_name":"default-bkt","aws_region":"us-east-1",
            "buckets":[{"name":"media","bucket_name":"media-bkt","aws_region":"eu-west-1","paths":{}}]}}"#,
        )
        .expect("config")
    }

    #[test]
    fn buckets_resolve_by_default_name_and_explicitly() {
        let config = config();
        assert_eq!(
            resolve_bucket(&config, None).unwrap(),
            ("default-bkt".to_owned(), "us-east-1".to_owned())
        );
        assert_eq!(
            resolve_bucket(&config, Some(&StorageBucket::name("media"))).unwrap(),
            ("media-bkt".to_owned(), "eu-west-1".to_owned())
        );
        assert_eq!(
            resolve_bucket(
                &config,
                Some(&StorageBucket::explicit("x-bkt", "ap-south-1"))
            )
            .unwrap(),
            ("x-bkt".to_owned(), "ap-south-1".to_owned())
        );
        let err = resolve_bucket(&config, Some(&"nope".into())).unwrap_err();
        assert_eq!(err.name(), "InvalidStorageBucket");
        let err = resolve_bucket(&AmplifyConfig::default(), None).unwrap_err();
        assert_eq!(err.name(), "NoBucket");
        let err = resolve_bucket(&config, Some(&StorageBucket::explicit("b", ""))).unwrap_err();
        assert_eq!(err.name(), "NoRegion");
    }

    #[test]
    fn legacy_keys_get_their_access_prefix() {
        let id = Some("us-east-1:abc");
        let resolve = |t: StorageTarget| resolve_path(&t, id).map(|(p, _)| p);
        assert_eq!(
            resolve(StorageTarget::key("a.jpg", AccessLevel::Guest)).unwrap(),
            "public/a.jpg"
        );
        assert_eq!(
            resolve(StorageTarget::key("a.jpg", AccessLevel::Protected)).unwrap(),
            "protected/us-east-1:abc/a.jpg"
        );
        assert_eq!(
            resolve(StorageTarget::protected_key_of("a.jpg", "us-east-1:other")).unwrap(),
            "protected/us-east-1:other/a.jpg"
        );
        assert_eq!(
            resolve(StorageTarget::key("a.jpg", AccessLevel::Private)).unwrap(),
            "private/us-east-1:abc/a.jpg"
        );
        let (_, legacy) = resolve_path(&StorageTarget::key("k", AccessLevel::Private), id).unwrap();
        assert_eq!(
            legacy,
            Some(("private/us-east-1:abc/".to_owned(), "k".to_owned()))
        );
    }

    #[test]
    fn identity_is_required_where_the_prefix_needs_it() {
        for target in [
            StorageTarget::key("a", AccessLevel::Private),
            StorageTarget::key("a", AccessLevel::Protected),
            StorageTarget::path(StoragePath::from_identity(|id| format!("private/{id}/a"))),
        ] {
            assert!(target.needs_identity());
            let err = resolve_path(&target, None).unwrap_err();
            assert_eq!(err.name(), "NoIdentityId", "{target:?}");
            assert_eq!(
                resolve_path(&target, Some("")).unwrap_err().name(),
                "NoIdentityId"
            );
        }
        for target in [
            StorageTarget::key("a", AccessLevel::Guest),
            StorageTarget::protected_key_of("a", "x"),
            StorageTarget::path("public/a"),
        ] {
            assert!(!target.needs_identity());
            resolve_path(&target, None).expect("no identity needed");
        }
    }

    #[test]
    fn paths_are_checked() {
        let err = resolve_path(&StorageTarget::path("/public/a"), None).unwrap_err();
        assert_eq!(err.name(), "InvalidStoragePathInput");
        let f = StorageTarget::path(StoragePath::from_identity(|id| format!("/private/{id}")));
        assert_eq!(
            resolve_path(&f, Some("x")).unwrap_err().name(),
            "InvalidStoragePathInput"
        );
        for bad in ["public/../x", "./a", "a/."] {
            assert_eq!(
                resolve_path(&StorageTarget::path(bad), None)
                    .unwrap_err()
                    .name(),
                "InvalidStoragePathInput"
            );
        }
        let (path, legacy) = resolve_path(&StorageTarget::path("public/a b.txt"), None).unwrap();
        assert_eq!(path, "public/a b.txt");
        assert_eq!(legacy, None);
        let bad = StorageTarget::Key(LegacyKey {
            key: "a".to_owned(),
            access_level: AccessLevel::Private,
            target_identity_id: Some("x".to_owned()),
        });
        assert_eq!(
            resolve_path(&bad, Some("id")).unwrap_err().name(),
            "InvalidStorageOperationInput"
        );
    }

    #[test]
    fn bucket_owner_must_be_an_account_id() {
        check_bucket_owner(None).unwrap();
        check_bucket_owner(Some("123456789012")).unwrap();
        for bad in ["12345678901", "abcdefghijkl", ""] {
            assert_eq!(
                check_bucket_owner(Some(bad)).unwrap_err().name(),
                "InvalidAWSAccountID"
            );
        }
    }
}
