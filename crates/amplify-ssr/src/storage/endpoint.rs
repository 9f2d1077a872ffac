//! Object URLs: virtual-hosted, path-style, accelerate, or a custom endpoint (reference §7.1 step 6).

use std::net::IpAddr;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use url::Url;

use crate::config::aws_dns_suffix;

use super::error::StorageError;

/// RFC 3986 encoding: everything but the unreserved characters `A-Z a-z 0-9 - _ . ~` (`encodeURIComponent` plus
/// `! ' ( ) *`).
pub(crate) const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes one path segment or query component.
pub(crate) fn encode(text: &str) -> String {
    utf8_percent_encode(text, RFC3986).to_string()
}

/// Encodes an object key for a URL path: each `/`-separated segment on its own.
pub(crate) fn encode_key(key: &str) -> String {
    key.split('/').map(encode).collect::<Vec<_>>().join("/")
}

/// Where a bucket's objects are addressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BucketEndpoint {
    /// `scheme://host[:port]` followed by any path prefix, no trailing slash.
    base: String,
    /// The bucket is in the path (path-style) rather than in the host.
    path_style: bool,
    bucket: String,
}

impl BucketEndpoint {
    /// Chooses the endpoint: `custom` (always path-style), else accelerate, else virtual-hosted, or path-style for
    /// bucket names with dots.
    pub(crate) fn new(
        bucket: &str,
        region: &str,
        accelerate: bool,
        custom: Option<&Url>,
    ) -> Result<Self, StorageError> {
        if !is_dns_compatible(bucket) {
            return Err(StorageError::DnsIncompatibleBucketName {
                bucket: bucket.to_owned(),
            });
        }
        if let Some(custom) = custom {
            let mut base = custom.clone();
            base.set_query(None);
            base.set_fragment(None);
            let base = base.as_str().trim_end_matches('/').to_owned();
            return Ok(Self {
                base,
                path_style: true,
                bucket: bucket.to_owned(),
            });
        }
        let suffix = aws_dns_suffix(region);
        let dotted = bucket.contains('.');
        if accelerate {
            if dotted {
                return Err(StorageError::InvalidStorageOperationInput(format!(
                    "transfer acceleration needs a bucket name without dots (got `{bucket}`)"
                )));
            }
            return Ok(Self {
                base: format!("https://{bucket}.s3-accelerate.{suffix}"),
                path_style: false,
                bucket: bucket.to_owned(),
            });
        }
        if dotted {
            Ok(Self {
                base: format!("https://s3.{region}.{suffix}"),
                path_style: true,
                bucket: bucket.to_owned(),
            })
        } else {
            Ok(Self {
                base: format!("https://{bucket}.s3.{region}.{suffix}"),
                path_style: false,
                bucket: bucket.to_owned(),
            })
        }
    }

    /// The encoded URL path of `key` (starting with `/`).
    ///
    /// # Errors
    ///
    /// An empty key, which would address the bucket itself: a presigned GET of it is a listing of the bucket.
    pub(crate) fn object_path(&self, key: &str) -> Result<String, StorageError> {
        if key.is_empty() {
            return Err(StorageError::InvalidStorageOperationInput(
                "Input `path` is empty: give the object's path (for example `public/photo.jpg`)"
                    .to_owned(),
            ));
        }
        let prefix = self.bucket_path_prefix();
        Ok(format!("{prefix}/{}", encode_key(key)))
    }

    /// The path of the bucket itself (for `?list-type=2`, `?delete`): `/` or `/{bucket}/`... as S3 expects.
    pub(crate) fn bucket_path(&self) -> String {
        if self.path_style {
            format!("{}/", self.bucket_path_prefix())
        } else {
            format!("{}/", self.url_path_prefix())
        }
    }

    /// The path prefix of a custom endpoint (e.g. `/s3`), empty for AWS endpoints.
    fn url_path_prefix(&self) -> &str {
        let after_scheme = self.base.split_once("://").map_or("", |(_, rest)| rest);
        after_scheme.find('/').map_or("", |i| &after_scheme[i..])
    }

    fn bucket_path_prefix(&self) -> String {
        if self.path_style {
            format!("{}/{}", self.url_path_prefix(), encode(&self.bucket))
        } else {
            self.url_path_prefix().to_owned()
        }
    }

    /// `scheme://authority`, without a path.
    pub(crate) fn origin(&self) -> &str {
        let after_scheme = self.base.find("://").map_or(0, |i| i + 3);
        match self.base[after_scheme..].find('/') {
            Some(i) => &self.base[..after_scheme + i],
            None => &self.base,
        }
    }

    /// The full URL of `path` (from [`object_path`](Self::object_path) or [`bucket_path`](Self::bucket_path))
    /// with an already-encoded query string.
    pub(crate) fn url(&self, path: &str, query: &str) -> Result<Url, StorageError> {
        let text = if query.is_empty() {
            format!("{}{path}", self.origin())
        } else {
            format!("{}{path}?{query}", self.origin())
        };
        let url = Url::parse(&text).map_err(|e| {
            StorageError::InvalidStoragePathInput(format!("invalid object URL: {e}"))
        })?;
        // Amplify's integrity check: the URL must still name exactly this object.
        if url.path() != path {
            return Err(StorageError::InvalidStoragePathInput(format!(
                "the object URL path changed when parsed (`{path}` became `{}`)",
                url.path()
            )));
        }
        Ok(url)
    }
}

/// `^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`, not an IP address, no `..`.
pub(crate) fn is_dns_compatible(bucket: &str) -> bool {
    let bytes = bucket.as_bytes();
    let edge = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    (3..=63).contains(&bytes.len())
        && edge(bytes[0])
        && edge(bytes[bytes.len() - 1])
        && bytes.iter().all(|&b| edge(b) || b == b'.' || b == b'-')
        && !bucket.contains("..")
        && bucket.parse::<IpAddr>().is_err()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_encoded_segment_by_segment() {
        assert_eq!(encode_key("dir/sp ace+ü.txt"), "dir/sp%20ace%2B%C3%BC.txt");
        assert_eq!(encode_key("a~b_c-d.e!*'()"), "a~b_c-d.e%21%2A%27%28%29");
        assert_eq!(encode_key("a//b/"), "a//b/");
        assert_eq!(encode_key("%41&=?#"), "%2541%26%3D%3F%23");
    }

    #[test]
    fn endpoints_follow_the_bucket_and_options() {
        let e = BucketEndpoint::new("bkt", "us-east-1", false, None).unwrap();
        assert_eq!(
            e.url(&e.object_path("a b").unwrap(), "").unwrap().as_str(),
            "https://bkt.s3.us-east-1.amazonaws.com/a%20b"
        );
        assert_eq!(e.bucket_path(), "/");
        let e = BucketEndpoint::new("my.bkt", "eu-west-1", false, None).unwrap();
        assert_eq!(
            e.url(&e.object_path("k").unwrap(), "").unwrap().as_str(),
            "https://s3.eu-west-1.amazonaws.com/my.bkt/k"
        );
        assert_eq!(e.bucket_path(), "/my.bkt/");
        let e = BucketEndpoint::new("bkt", "us-west-2", true, None).unwrap();
        assert_eq!(
            e.url(&e.object_path("k").unwrap(), "").unwrap().as_str(),
            "https://bkt.s3-accelerate.amazonaws.com/k"
        );
        let e = BucketEndpoint::new("bkt", "cn-north-1", false, None).unwrap();
        assert_eq!(e.origin(), "https://bkt.s3.cn-north-1.amazonaws.com.cn");
        assert_eq!(
            BucketEndpoint::new("my.bkt", "us-west-2", true, None)
                .unwrap_err()
                .name(),
            "InvalidStorageOperationInput"
        );
    }

    #[test]
    fn custom_endpoints_are_path_style_and_keep_scheme_port_and_prefix() {
        let custom = Url::parse("http://127.0.0.1:9000").unwrap();
        let e = BucketEndpoint::new("bkt", "us-east-1", true, Some(&custom)).unwrap();
        assert_eq!(
            e.url(&e.object_path("public/x.txt").unwrap(), "x-id=GetObject")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9000/bkt/public/x.txt?x-id=GetObject"
        );
        assert_eq!(e.bucket_path(), "/bkt/");
        let custom = Url::parse("https://proxy.example/s3/").unwrap();
        let e = BucketEndpoint::new("bkt", "us-east-1", false, Some(&custom)).unwrap();
        assert_eq!(
            e.url(&e.object_path("k").unwrap(), "").unwrap().as_str(),
            "https://proxy.example/s3/bkt/k"
        );
        assert_eq!(e.bucket_path(), "/s3/bkt/");
    }

    #[test]
    fn bucket_names_must_be_dns_compatible() {
        for good in ["bkt", "my-bucket.2", "a.b.c"] {
            assert!(is_dns_compatible(good), "{good}");
        }
        for bad in [
            "ab",
            "Bkt",
            "-bkt",
            "bkt-",
            "a..b",
            "192.168.0.1",
            "b_k",
            &"a".repeat(64),
        ] {
            assert!(!is_dns_compatible(bad), "{bad}");
            assert_eq!(
                BucketEndpoint::new(bad, "us-east-1", false, None)
                    .unwrap_err()
                    .name(),
                "DnsIncompatibleBucketName"
            );
        }
    }
}
