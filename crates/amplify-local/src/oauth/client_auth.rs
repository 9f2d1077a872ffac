//! Client authentication at the token and revocation endpoints: `none`
//! (public client, `client_id` in the body), `client_secret_basic` and
//! `client_secret_post` (confidential client).

use axum::http::{HeaderMap, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::error::OAuthError;
use super::params::Params;
use crate::state::AppState;

/// Decodes one `application/x-www-form-urlencoded` component (RFC 6749
/// §2.3.1 encodes the Basic credentials that way).
fn form_decode(component: &str) -> String {
    url::form_urlencoded::parse(format!("v={component}").as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

/// `(client_id, client_secret)` from an `Authorization: Basic` header.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || OAuthError::invalid_client("Malformed Basic authorization header.");
    let value = value.to_str().map_err(|_| malformed())?;
    let Some((scheme, encoded)) = value.split_once(' ') else {
        return Err(malformed());
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(OAuthError::invalid_client(
            "Only Basic client authentication is supported.",
        ));
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    Ok(Some((form_decode(id), form_decode(secret))))
}

fn secrets_equal(given: &str, expected: &str) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(given.as_bytes(), expected.as_bytes()).is_ok()
}

/// Authenticates the calling client; returns its id.
pub(crate) fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    params: &Params,
) -> Result<String, OAuthError> {
    let body_id = params.non_empty("client_id");
    let (client_id, secret) = match basic_credentials(headers)? {
        Some((id, secret)) => {
            if body_id.is_some_and(|body_id| body_id != id) {
                return Err(OAuthError::invalid_client(
                    "client_id in the body differs from the authenticated client.",
                ));
            }
            (id, Some(secret))
        }
        None => match body_id {
            Some(id) => (
                id.to_owned(),
                params.get("client_secret").map(str::to_owned),
            ),
            None => {
                return Err(OAuthError::invalid_client(
                    "Client authentication is required (client_id).",
                ));
            }
        },
    };
    if client_id == state.client_id {
        // The public client has no secret; an empty one is tolerated.
        return match secret.as_deref() {
            None | Some("") => Ok(client_id),
            Some(_) => Err(OAuthError::invalid_client("This app client has no secret.")),
        };
    }
    match &state.clients.confidential {
        Some(confidential) if confidential.id == client_id => match secret.as_deref() {
            Some(secret) if secrets_equal(secret, &confidential.secret) => Ok(client_id),
            Some(_) => Err(OAuthError::invalid_client("Client authentication failed.")),
            None => Err(OAuthError::invalid_client(
                "This app client requires client_secret_basic authentication.",
            )),
        },
        _ => Err(OAuthError::invalid_client(format!(
            "No app client {client_id:?} exists in this user pool."
        ))),
    }
}

/// Checks that a form request has a form content type (if one is given).
pub(crate) fn check_form_content_type(headers: &HeaderMap) -> Result<(), OAuthError> {
    match headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        Some(value)
            if !value
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded") =>
        {
            Err(OAuthError::invalid_request(
                "Content-Type must be application/x-www-form-urlencoded.",
            ))
        }
        _ => Ok(()),
    }
}
