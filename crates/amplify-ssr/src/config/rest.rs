//! REST APIs: `custom.API.<name>` of a Gen 2 `amplify_outputs.json` (as the Amplify docs have `backend.addOutput`
//! write them: `{endpoint, region, apiName}`) and `aws_cloud_logic_custom` of a Gen 1 config (`[{name, endpoint,
//! region}]`).

use serde_json::Value;
use url::Url;

use super::ConfigError;
use super::json::{Fields, wrong_type};

/// One REST API (an API Gateway stage, or amplify-local's REST front).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RestApiConfig {
    /// The name calls use (`myRestApi`).
    pub name: String,
    /// The stage's base URL (`https://abc.execute-api.us-east-1.amazonaws.com/prod/`).
    pub endpoint: Url,
    /// The region requests are signed for, when the config gives one.
    pub region: Option<String>,
}

fn endpoint(path: &str, value: &str) -> Result<Url, ConfigError> {
    Url::parse(value)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
        .ok_or_else(|| {
            ConfigError::invalid(
                path,
                "an absolute http(s) URL",
                super::json::describe(&Value::from(value)),
                "set the API's endpoint to its stage URL (e.g. https://abc.execute-api.us-east-1.amazonaws.com/prod/)",
            )
        })
}

/// `custom.API` of a Gen 2 document.
pub(super) fn parse_outputs(root: &Fields<'_>) -> Result<Vec<RestApiConfig>, ConfigError> {
    let Some(custom) = root.opt_object("custom")? else {
        return Ok(Vec::new());
    };
    let Some(apis) = custom.get("API") else {
        return Ok(Vec::new());
    };
    let path = custom.path_of("API");
    let Value::Object(map) = apis else {
        return Err(wrong_type(&path, "an object of REST APIs by name", apis));
    };
    let mut out = Vec::new();
    for (name, api) in map {
        let api = Fields::of(api, &format!("{path}.{name}"))?;
        let url = api.req_str(
            "endpoint",
            "the API's stage URL",
            "write the API's `endpoint` with backend.addOutput({ custom: { API: { … } } })",
        )?;
        out.push(RestApiConfig {
            name: api.opt_str("apiName")?.unwrap_or(name).to_owned(),
            endpoint: endpoint(&api.path_of("endpoint"), url)?,
            region: api.opt_str("region")?.map(str::to_owned),
        });
    }
    Ok(out)
}

/// `aws_cloud_logic_custom` of a Gen 1 document.
pub(super) fn parse_legacy(root: &Fields<'_>) -> Result<Vec<RestApiConfig>, ConfigError> {
    let mut out = Vec::new();
    for (path, api) in root.array("aws_cloud_logic_custom")? {
        let api = Fields::of(api, &path)?;
        let name = api.req_str("name", "the API's name", "add the API's `name`")?;
        let url = api.req_str(
            "endpoint",
            "the API's stage URL",
            "add the API's `endpoint`",
        )?;
        out.push(RestApiConfig {
            name: name.to_owned(),
            endpoint: endpoint(&api.path_of("endpoint"), url)?,
            region: api.opt_str("region")?.map(str::to_owned),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::config::{AmplifyConfig, ConfigError};

    #[test]
    fn gen2_custom_api_and_gen1_cloud_logic() {
        let gen2 = AmplifyConfig::from_value(&json!({
            "version": "1.4",
            "custom": {"API": {"myRestApi": {
                "endpoint": "https://abc.execute-api.eu-west-1.amazonaws.com/prod/",
                "region": "eu-west-1", "apiName": "myRestApi",
            }}},
        }))
        .unwrap();
        assert_eq!(gen2.rest_apis.len(), 1);
        assert_eq!(gen2.rest_apis[0].name, "myRestApi");
        assert_eq!(gen2.rest_apis[0].region.as_deref(), Some("eu-west-1"));

        let gen1 = AmplifyConfig::from_value(&json!({
            "aws_project_region": "us-east-1",
            "aws_cloud_logic_custom": [{"name": "legacy", "endpoint": "https://x.execute-api.us-east-1.amazonaws.com/dev", "region": "us-east-1"}],
        }))
        .unwrap();
        assert_eq!(gen1.rest_apis[0].name, "legacy");
        assert_eq!(gen1.rest_apis[0].endpoint.path(), "/dev");

        let error = AmplifyConfig::from_value(&json!({
            "version": "1.4",
            "custom": {"API": {"bad": {"endpoint": "not a url"}}},
        }))
        .unwrap_err();
        assert!(
            matches!(&error, ConfigError::Invalid { path, .. } if path == "custom.API.bad.endpoint"),
            "{error}"
        );
    }
}
