//! Typed reads from a `serde_json::Value` that report the JSON path on error.
//!
//! Hand-written rather than `#[derive(Deserialize)]` so that every error names the full path, the expected type and
//! a fix, unknown fields are tolerated, and `null` means "absent" as it does for aws-amplify.

use serde_json::{Map, Value};

use super::ConfigError;

/// The generic fix for a wrongly typed field.
fn type_fix(path: &str, expected: &str) -> String {
    format!(
        "set `{path}` to {expected}; if the file was generated, regenerate it (`npx ampx generate outputs`) \
         instead of editing it by hand"
    )
}

/// Describes a value for an error message: its JSON type and, for short scalars, the value itself.
pub(super) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::String(s) => format!("a string ({})", preview(s)),
        Value::Array(items) => format!("an array of {} item(s)", items.len()),
        Value::Object(_) => "an object".to_owned(),
    }
}

/// A quoted, shortened copy of `text` for error messages.
pub(super) fn preview(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        format!("{text:?}")
    } else {
        let head: String = text.chars().take(MAX).collect();
        format!("{head:?}…")
    }
}

/// `parent.key`, or `key` at the root.
pub(super) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// A JSON object together with its path.
#[derive(Debug, Clone)]
pub(super) struct Fields<'a> {
    pub(super) map: &'a Map<String, Value>,
    pub(super) path: String,
}

impl<'a> Fields<'a> {
    /// `value` as an object, or an error naming `path`.
    pub(super) fn of(value: &'a Value, path: &str) -> Result<Self, ConfigError> {
        match value {
            Value::Object(map) => Ok(Self {
                map,
                path: path.to_owned(),
            }),
            other => Err(wrong_type(path, "an object", other)),
        }
    }

    pub(super) fn path_of(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// The field, treating `null` as absent.
    pub(super) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|value| !value.is_null())
    }

    pub(super) fn opt_str(&self, key: &str) -> Result<Option<&'a str>, ConfigError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(wrong_type(&self.path_of(key), "a string", other)),
        }
    }

    /// A string that must be present; `fix` says how to provide it.
    pub(super) fn req_str(
        &self,
        key: &str,
        expected: &str,
        fix: &str,
    ) -> Result<&'a str, ConfigError> {
        match self.opt_str(key)? {
            Some(s) => Ok(s),
            None => Err(ConfigError::invalid(
                &self.path_of(key),
                expected,
                "nothing (the field is missing)",
                fix,
            )),
        }
    }

    pub(super) fn opt_bool(&self, key: &str) -> Result<Option<bool>, ConfigError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(wrong_type(&self.path_of(key), "true or false", other)),
        }
    }

    pub(super) fn opt_u32(&self, key: &str) -> Result<Option<u32>, ConfigError> {
        match self.get(key) {
            None => Ok(None),
            Some(value) => value
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| wrong_type(&self.path_of(key), "a non-negative integer", value)),
        }
    }

    pub(super) fn opt_object(&self, key: &str) -> Result<Option<Fields<'a>>, ConfigError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Fields {
                map,
                path: self.path_of(key),
            })),
            Some(other) => Err(wrong_type(&self.path_of(key), "an object", other)),
        }
    }

    /// An array (absent → empty), with each item's path.
    pub(super) fn array(&self, key: &str) -> Result<Vec<(String, &'a Value)>, ConfigError> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => {
                let path = self.path_of(key);
                Ok(items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| (format!("{path}[{i}]"), item))
                    .collect())
            }
            Some(other) => Err(wrong_type(&self.path_of(key), "an array", other)),
        }
    }

    /// An array of strings (absent → empty).
    pub(super) fn string_list(&self, key: &str) -> Result<Vec<String>, ConfigError> {
        self.array(key)?
            .into_iter()
            .map(|(path, item)| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(wrong_type(&path, "a string", other)),
            })
            .collect()
    }
}

/// The error for a field of the wrong JSON type.
pub(super) fn wrong_type(path: &str, expected: &str, found: &Value) -> ConfigError {
    ConfigError::invalid(path, expected, describe(found), type_fix(path, expected))
}
