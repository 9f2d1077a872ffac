//! The storage access rules: the `paths` of a bucket in
//! `amplify_outputs.json`, enforced as the IAM policies Amplify Gen 2 deploys
//! for them would be.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::LocalError;

/// What a rule may allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Action {
    /// GetObject, HeadObject, the source of CopyObject.
    Get,
    /// ListObjectsV2 under the path.
    List,
    /// PutObject, multipart uploads, the destination of CopyObject.
    Write,
    /// DeleteObject(s).
    Delete,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Self::Get => "get",
            Self::List => "list",
            Self::Write => "write",
            Self::Delete => "delete",
        }
    }
}

/// Who is calling, from the credentials that signed the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    /// The identity the credentials were issued to.
    pub(crate) identity_id: String,
    /// Whether it is a signed-in user's identity.
    pub(crate) authenticated: bool,
}

/// The grants of one path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Grants {
    guest: Vec<Action>,
    authenticated: Vec<Action>,
    entity_identity: Vec<Action>,
}

/// The placeholder for the owner's identity id in a path.
const ENTITY: &str = "{entity_id}";

/// Storage access rules: path patterns (`public/*`,
/// `private/{entity_id}/*`, ...) with the actions that guests, signed-in
/// users, and the owner (`entityidentity`, whose identity id is the
/// `{entity_id}` segment) may take. The same JSON shape as
/// `storage.buckets[].paths` in `amplify_outputs.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageRules {
    /// Pattern without its trailing `*` → grants.
    paths: BTreeMap<String, Grants>,
}

impl Default for StorageRules {
    /// The usual Gen 2 paths: `public/*` (guests get and list; signed-in
    /// users get, list, write, delete), `protected/{entity_id}/*` (signed-in
    /// users get and list; the owner everything) and
    /// `private/{entity_id}/*` (the owner only).
    fn default() -> Self {
        use Action::{Delete, Get, List, Write};
        let all = vec![Get, List, Write, Delete];
        let mut paths = BTreeMap::new();
        paths.insert(
            "public/".to_owned(),
            Grants {
                guest: vec![Get, List],
                authenticated: all.clone(),
                entity_identity: Vec::new(),
            },
        );
        paths.insert(
            "protected/{entity_id}/".to_owned(),
            Grants {
                guest: Vec::new(),
                authenticated: vec![Get, List],
                entity_identity: all.clone(),
            },
        );
        paths.insert(
            "private/{entity_id}/".to_owned(),
            Grants {
                guest: Vec::new(),
                authenticated: Vec::new(),
                entity_identity: all,
            },
        );
        Self { paths }
    }
}

fn invalid(reason: impl Into<String>) -> LocalError {
    LocalError::InvalidStorageRules(reason.into())
}

impl StorageRules {
    /// Parses rules from the JSON of a bucket's `paths`, e.g.
    /// `{"public/*": {"guest": ["get", "list"], "authenticated": ["get",
    /// "list", "write", "delete"]}}`. Paths end with `/*`; `{entity_id}` may
    /// only be a whole segment; actions are `get`, `list`, `write`, `delete`
    /// (and `read` = get + list). Other roles (groups) grant nothing here.
    pub fn from_json(text: &str) -> Result<Self, LocalError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| invalid(format!("not JSON: {e}")))?;
        let Value::Object(object) = value else {
            return Err(invalid("expected a JSON object of paths"));
        };
        let mut paths = BTreeMap::new();
        for (pattern, roles) in object {
            let prefix = parse_pattern(&pattern)?;
            let Value::Object(roles) = roles else {
                return Err(invalid(format!("{pattern:?}: expected an object of roles")));
            };
            let mut grants = Grants::default();
            for (role, actions) in roles {
                let actions = parse_actions(&pattern, &actions)?;
                match role.as_str() {
                    "guest" => grants.guest = actions,
                    "authenticated" => grants.authenticated = actions,
                    "entityidentity" => {
                        if !prefix.contains(ENTITY) {
                            return Err(invalid(format!(
                                "{pattern:?}: entityidentity needs an {ENTITY} segment"
                            )));
                        }
                        grants.entity_identity = actions;
                    }
                    // Group and resource grants have no local equivalent.
                    _ => {}
                }
            }
            paths.insert(prefix, grants);
        }
        Ok(Self { paths })
    }

    /// Reads [`StorageRules::from_json`] from a file.
    pub fn from_file(path: &std::path::Path) -> Result<Self, LocalError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
        Self::from_json(&text)
    }

    /// The rules as `amplify_outputs.json` writes them.
    pub fn to_json(&self) -> Value {
        let mut paths = Map::new();
        for (prefix, grants) in &self.paths {
            let mut roles = Map::new();
            for (role, actions) in [
                ("guest", &grants.guest),
                ("authenticated", &grants.authenticated),
                ("entityidentity", &grants.entity_identity),
            ] {
                if !actions.is_empty() {
                    let names: Vec<&str> = actions.iter().map(|a| a.as_str()).collect();
                    roles.insert(role.to_owned(), json!(names));
                }
            }
            paths.insert(format!("{prefix}*"), Value::Object(roles));
        }
        Value::Object(paths)
    }

    /// Whether `caller` may take `action` on `key` (for `List`: list with
    /// this prefix). The most specific path that covers the key decides, as
    /// Gen 2 denies a parent path's grants inside a separately defined
    /// sub-path.
    pub(crate) fn allows(&self, caller: &Caller, action: Action, key: &str) -> bool {
        // The store resolves `.` and `..` segments (and S3 signatures don't normalise paths), so a key like
        // `public/../private/<someone>/x` would be judged by one rule and touch another path. Such keys are
        // never allowed, whatever the rules say.
        if !is_plain_key(key) {
            return false;
        }
        let Some((prefix, grants)) = self
            .paths
            .iter()
            .filter(|(prefix, _)| matches(prefix, key, None))
            .max_by_key(|(prefix, _)| prefix.len())
        else {
            return false;
        };
        if caller.authenticated {
            grants.authenticated.contains(&action)
                || (grants.entity_identity.contains(&action)
                    && matches(prefix, key, Some(&caller.identity_id)))
        } else {
            grants.guest.contains(&action)
        }
    }
}

/// A key without relative segments (`.`, `..`), backslashes or a leading `/`: what the rules see is then
/// exactly the object the store reads or writes.
fn is_plain_key(key: &str) -> bool {
    !key.starts_with('/')
        && !key.contains('\\')
        && key
            .split('/')
            .all(|segment| segment != "." && segment != "..")
}

/// Checks a `.../*` pattern and returns it without the `*`.
fn parse_pattern(pattern: &str) -> Result<String, LocalError> {
    let Some(prefix) = pattern.strip_suffix('*') else {
        return Err(invalid(format!("{pattern:?}: a path must end with /*")));
    };
    if !prefix.ends_with('/') || prefix.starts_with('/') || prefix.contains('*') {
        return Err(invalid(format!(
            "{pattern:?}: a path is like \"folder/*\" or \"folder/{ENTITY}/*\""
        )));
    }
    for segment in prefix.trim_end_matches('/').split('/') {
        if segment.is_empty() || (segment.contains('{') && segment != ENTITY) {
            return Err(invalid(format!(
                "{pattern:?}: empty segment, or {ENTITY} not a whole segment"
            )));
        }
    }
    Ok(prefix.to_owned())
}

fn parse_actions(pattern: &str, actions: &Value) -> Result<Vec<Action>, LocalError> {
    let Value::Array(list) = actions else {
        return Err(invalid(format!("{pattern:?}: actions must be an array")));
    };
    let mut out = Vec::new();
    for action in list {
        match action.as_str() {
            Some("get") => out.push(Action::Get),
            Some("list") => out.push(Action::List),
            Some("write") => out.push(Action::Write),
            Some("delete") => out.push(Action::Delete),
            Some("read") => out.extend([Action::Get, Action::List]),
            _ => return Err(invalid(format!("{pattern:?}: unknown action {action}"))),
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Whether `key` starts with the pattern prefix. An `{entity_id}` segment
/// matches `entity` when given, else any non-empty segment.
fn matches(prefix: &str, key: &str, entity: Option<&str>) -> bool {
    let mut rest = key;
    for segment in prefix.split_inclusive('/') {
        if segment == "{entity_id}/" {
            let Some((value, tail)) = rest.split_once('/') else {
                return false;
            };
            if value.is_empty() || entity.is_some_and(|e| e != value) {
                return false;
            }
            rest = tail;
        } else {
            let Some(tail) = rest.strip_prefix(segment) else {
                return false;
            };
            rest = tail;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guest() -> Caller {
        Caller {
            identity_id: "us-east-1:g".to_owned(),
            authenticated: false,
        }
    }

    fn user(id: &str) -> Caller {
        Caller {
            identity_id: id.to_owned(),
            authenticated: true,
        }
    }

    #[test]
    fn default_rules_follow_gen2() {
        let rules = StorageRules::default();
        let a = user("us-east-1:a");
        assert!(rules.allows(&guest(), Action::Get, "public/x.txt"));
        assert!(rules.allows(&guest(), Action::List, "public/"));
        assert!(!rules.allows(&guest(), Action::List, "public"));
        assert!(!rules.allows(&guest(), Action::Write, "public/x.txt"));
        assert!(!rules.allows(&guest(), Action::Get, "private/us-east-1:g/x"));
        assert!(!rules.allows(&guest(), Action::Get, "protected/us-east-1:a/x"));
        assert!(rules.allows(&a, Action::Write, "public/x"));
        assert!(rules.allows(&a, Action::Delete, "public/x"));
        assert!(rules.allows(&a, Action::Get, "protected/us-east-1:b/x"));
        assert!(!rules.allows(&a, Action::Write, "protected/us-east-1:b/x"));
        assert!(rules.allows(&a, Action::Write, "protected/us-east-1:a/x"));
        assert!(rules.allows(&a, Action::Get, "private/us-east-1:a/deep/x"));
        assert!(!rules.allows(&a, Action::Get, "private/us-east-1:b/x"));
        assert!(!rules.allows(&a, Action::List, "private/"));
        assert!(!rules.allows(&a, Action::List, ""));
        assert!(!rules.allows(&a, Action::Get, "other/x"));
        assert!(!rules.allows(&a, Action::Get, "private//x"));
    }

    #[test]
    fn rules_round_trip_and_reject_bad_input() {
        let rules = StorageRules::default();
        let text = rules.to_json().to_string();
        assert_eq!(StorageRules::from_json(&text).expect("parse"), rules);
        for bad in [
            "[]",
            r#"{"public": {}}"#,
            r#"{"/x/*": {}}"#,
            r#"{"a/b{entity_id}/*": {}}"#,
            r#"{"a/*": {"guest": ["fly"]}}"#,
            r#"{"a/*": {"entityidentity": ["get"]}}"#,
            r#"{"a/*": []}"#,
        ] {
            StorageRules::from_json(bad).expect_err(bad);
        }
    }

    #[test]
    fn the_most_specific_path_decides() {
        let rules = StorageRules::from_json(
            r#"{"media/*": {"guest": ["read"]}, "media/secret/*": {"authenticated": ["get"]}}"#,
        )
        .expect("parse");
        assert!(rules.allows(&guest(), Action::Get, "media/a"));
        assert!(rules.allows(&guest(), Action::List, "media/"));
        assert!(!rules.allows(&guest(), Action::Get, "media/secret/a"));
        assert!(rules.allows(&user("x"), Action::Get, "media/secret/a"));
    }
}

#[cfg(test)]
mod relative_key_tests {
    use super::{Action, Caller, StorageRules, is_plain_key};

    #[test]
    fn the_default_rules_refuse_keys_that_climb_out_of_their_path() {
        let rules = StorageRules::default();
        let guest = Caller {
            identity_id: "us-east-1:guest".to_owned(),
            authenticated: false,
        };
        let me = Caller {
            identity_id: "us-east-1:me".to_owned(),
            authenticated: true,
        };
        // The plain paths work as the rules say...
        assert!(rules.allows(&guest, Action::Get, "public/photo.jpg"));
        assert!(rules.allows(&me, Action::Write, "private/us-east-1:me/x"));
        assert!(rules.allows(&me, Action::Delete, "protected/us-east-1:me/x"));
        // ...and the same grants never reach another path through `..` or `.`.
        for (caller, action, key) in [
            (
                &guest,
                Action::Get,
                "public/../private/us-east-1:victim/photo.jpg",
            ),
            (&guest, Action::Get, "public/../../.bucket-x.metadata.json"),
            (&me, Action::Write, "public/../private/us-east-1:victim/x"),
            (
                &me,
                Action::Delete,
                "protected/us-east-1:me/../us-east-1:victim/x",
            ),
            (
                &me,
                Action::Write,
                "private/us-east-1:me/./../us-east-1:victim/x",
            ),
            (&me, Action::List, "public/../private/"),
        ] {
            assert!(!rules.allows(caller, action, key), "{key}");
        }
    }

    #[test]
    fn relative_segments_are_never_plain() {
        for key in [
            "public/a.txt",
            "private/us-east-1:x/a..b",
            "public/",
            "public/.hidden",
        ] {
            assert!(is_plain_key(key), "{key}");
        }
        for key in [
            "public/../private/us-east-1:x/a",
            "protected/me/../you/x",
            "public/./a",
            "..",
            "/public/a",
            "public\\..\\private",
            "public/..",
        ] {
            assert!(!is_plain_key(key), "{key}");
        }
    }
}
