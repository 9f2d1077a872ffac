//! The Gen 2 `amplify_outputs.json` document describing this backend.

use serde_json::{Value, json};

use crate::state::AppState;

/// Builds `amplify_outputs.json`, including the project's
/// `custom.amplify_ssr.endpoints` override block.
pub(crate) fn outputs(state: &AppState) -> Value {
    let base = state.base_url();
    let storage = &state.storage;
    let mut outputs = json!({
        "version": "1.4",
        "auth": {
            "aws_region": state.region(),
            "user_pool_id": state.user_pool_id(),
            "user_pool_client_id": state.client_id(),
            "username_attributes": username_attributes(state),
            "standard_required_attributes": ["email"],
            "password_policy": {
                "min_length": 8,
                "require_lowercase": true,
                "require_uppercase": true,
                "require_numbers": true,
                "require_symbols": true,
            },
            "user_verification_types": ["email"],
            "identity_pool_id": state.identity_pool_id(),
            "unauthenticated_identities_enabled": state.options().allow_guest_access,
            "mfa_configuration": state.options().mfa.outputs_name(),
            "mfa_methods": mfa_methods(state),
            "groups": groups(state),
            "oauth": {
                "identity_providers": ["GOOGLE", "FACEBOOK", "SIGN_IN_WITH_APPLE", "LOGIN_WITH_AMAZON"],
                "domain": base.trim_start_matches("http://").trim_start_matches("https://"),
                "scopes": crate::oauth::ALLOWED_SCOPES,
                "redirect_sign_in_uri": state.clients.callback_urls,
                "redirect_sign_out_uri": state.clients.sign_out_urls,
                "response_type": "code",
            },
        },
        "storage": {
            "aws_region": state.region(),
            "bucket_name": storage.bucket_name,
            "buckets": [{
                "name": "default",
                "bucket_name": storage.bucket_name,
                "aws_region": state.region(),
                "paths": storage.rules.to_json(),
            }],
        },
        "data": state.graphql.outputs(state),
        "custom": {
            "amplify_ssr": {
                "version": 1,
                "endpoints": {
                    "user_pool": format!("{base}/"),
                    "identity_pool": format!("{base}/"),
                    "storage": storage.url,
                    "jwks_url": format!("{base}/{}/.well-known/jwks.json", state.user_pool_id()),
                    "token_issuer": state.issuer(),
                    "oauth": base,
                },
            },
        },
    });
    if !state.rest_apis.is_empty()
        && let Some(custom) = outputs.get_mut("custom").and_then(Value::as_object_mut)
    {
        // Where Gen 2 apps write REST APIs (`backend.addOutput({ custom: { API: … } })`).
        custom.insert("API".to_owned(), state.rest_apis.outputs(state));
    }
    outputs
}

/// `auth.username_attributes`: `["email"]` when usernames are email
/// addresses, else none (plain usernames).
fn username_attributes(state: &AppState) -> Vec<&'static str> {
    if state.options().email_usernames {
        vec!["email"]
    } else {
        Vec::new()
    }
}

/// `auth.mfa_methods`: the enabled factors, none when MFA is off.
fn mfa_methods(state: &AppState) -> Vec<&'static str> {
    let options = state.options();
    crate::MfaFactor::ALL
        .into_iter()
        .filter(|factor| options.mfa_allows(*factor))
        .map(crate::MfaFactor::outputs_name)
        .collect()
}

/// `auth.groups` as Gen 2 writes them (`[{"NAME": {"precedence": N}}]`):
/// the groups that exist when the document is made.
fn groups(state: &AppState) -> Vec<Value> {
    let groups = state
        .store
        .list_groups(None, u32::MAX)
        .unwrap_or_else(|error| {
            tracing::warn!(%error, "cannot list the groups for amplify_outputs.json");
            Vec::new()
        });
    groups
        .into_iter()
        .map(|group| {
            let properties = match group.precedence {
                Some(precedence) => json!({ "precedence": precedence }),
                None => json!({}),
            };
            json!({ group.name: properties })
        })
        .collect()
}
