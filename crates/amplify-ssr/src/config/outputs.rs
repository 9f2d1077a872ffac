//! Gen 2 `amplify_outputs.json` (schema version "1").

use super::json::Fields;
use super::{AmplifyConfig, ConfigError, auth, data, endpoints, rest, storage};

/// Parses a Gen 2 document whose `version` was already checked.
pub(super) fn parse(root: &Fields<'_>) -> Result<AmplifyConfig, ConfigError> {
    Ok(AmplifyConfig {
        auth: root
            .opt_object("auth")?
            .map(|block| auth::parse_outputs(&block))
            .transpose()?,
        data: root
            .opt_object("data")?
            .map(|block| data::parse_outputs(&block))
            .transpose()?
            .flatten(),
        storage: root
            .opt_object("storage")?
            .map(|block| storage::parse_outputs(&block))
            .transpose()?,
        endpoints: endpoints::parse_extension(root)?,
        rest_apis: rest::parse_outputs(root)?,
    })
}
