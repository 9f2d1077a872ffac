//! The `storage` section: S3 buckets.

use std::collections::BTreeMap;

use super::ConfigError;
use super::json::{Fields, preview, wrong_type};

/// S3 settings (`storage` in amplify_outputs.json).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StorageConfig {
    /// The default bucket.
    pub bucket_name: Option<String>,
    /// The default bucket's region.
    pub region: Option<String>,
    /// Named buckets (Gen 2 multi-bucket); names are unique.
    pub buckets: Vec<BucketConfig>,
}

impl StorageConfig {
    /// The bucket with the friendly name `name`.
    #[must_use]
    pub fn bucket(&self, name: &str) -> Option<&BucketConfig> {
        self.buckets.iter().find(|bucket| bucket.name == name)
    }
}

/// Access rules of one path prefix: role (`guest`, `authenticated`, `entityidentity`, `groups<Name>`) → actions.
pub type PathRules = BTreeMap<String, Vec<String>>;

/// One bucket of `storage.buckets`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BucketConfig {
    /// Friendly name used by the application.
    pub name: String,
    /// The S3 bucket name.
    pub bucket_name: String,
    /// The bucket's region.
    pub region: String,
    /// Path prefix (e.g. `public/*`, `protected/{entity_id}/*`) → access rules. Descriptive only: they mirror the
    /// IAM policies of the backend and are not enforced by the client.
    pub paths: BTreeMap<String, PathRules>,
}

/// Parses a Gen 2 `storage` block.
pub(super) fn parse_outputs(storage: &Fields<'_>) -> Result<StorageConfig, ConfigError> {
    let mut buckets: Vec<BucketConfig> = Vec::new();
    for (path, item) in storage.array("buckets")? {
        let bucket = parse_bucket(&Fields::of(item, &path)?)?;
        if let Some(first) = buckets.iter().position(|b| b.name == bucket.name) {
            return Err(ConfigError::invalid(
                &format!("{path}.name"),
                "a bucket name that is unique within `storage.buckets`",
                format!(
                    "{}, already used by {}.buckets[{first}]",
                    preview(&bucket.name),
                    storage.path
                ),
                format!(
                    "Duplicate friendly name found: {}. Name must be unique; rename one of the buckets",
                    bucket.name
                ),
            ));
        }
        buckets.push(bucket);
    }
    Ok(StorageConfig {
        bucket_name: storage.opt_str("bucket_name")?.map(str::to_owned),
        region: storage.opt_str("aws_region")?.map(str::to_owned),
        buckets,
    })
}

fn parse_bucket(bucket: &Fields<'_>) -> Result<BucketConfig, ConfigError> {
    let fix = "regenerate amplify_outputs.json, or give every bucket `name`, `bucket_name` and `aws_region`";
    let mut paths = BTreeMap::new();
    if let Some(path_map) = bucket.opt_object("paths")? {
        for (prefix, rules) in path_map.map {
            // aws-amplify drops entries without rules.
            if rules.is_null() {
                continue;
            }
            let rules_path = path_map.path_of(prefix);
            let rules = Fields::of(rules, &rules_path)?;
            let mut parsed = PathRules::new();
            for (role, actions) in rules.map {
                if actions.is_null() {
                    continue;
                }
                if !actions.is_array() {
                    return Err(wrong_type(
                        &rules.path_of(role),
                        "an array of actions",
                        actions,
                    ));
                }
                parsed.insert(role.clone(), rules.string_list(role)?);
            }
            paths.insert(prefix.clone(), parsed);
        }
    }
    Ok(BucketConfig {
        name: bucket
            .req_str("name", "the bucket's friendly name", fix)?
            .to_owned(),
        bucket_name: bucket
            .req_str("bucket_name", "the S3 bucket name", fix)?
            .to_owned(),
        region: bucket
            .req_str("aws_region", "the bucket's region, e.g. \"us-east-1\"", fix)?
            .to_owned(),
        paths,
    })
}
