//! Who may call the admin operations: as in Cognito, only a request signed
//! with SigV4 (service `cognito-idp`), and never a web page.
//!
//! By default any well-formed signature with the right scope and a current
//! date is accepted, so SDKs with throwaway credentials work (a browser
//! cannot produce one: see [`crate::cors`]). With
//! [`crate::LocalOptions::admin_credentials`], the access key must be the
//! pinned one and the signature is verified with its secret.

use axum::http::{HeaderMap, Method, Uri, header};

use crate::api_error::{ApiError, ErrorCode};
use crate::sigv4::{self, Scope, SignatureError};
use crate::state::AppState;

/// The signing name of the user-pool service.
const SERVICE: &str = "cognito-idp";

/// Whether an operation is an admin operation.
pub(super) fn is_admin(operation: &str) -> bool {
    operation.starts_with("Admin")
}

fn refusal(error: SignatureError) -> ApiError {
    match error {
        SignatureError::Malformed(message) => {
            ApiError::new(ErrorCode::IncompleteSignature, message)
        }
        SignatureError::WrongScope(message) => ApiError::new(ErrorCode::InvalidSignature, message),
        SignatureError::Skewed => ApiError::new(
            ErrorCode::InvalidSignature,
            "Signature expired: the request time is more than 15 minutes from amplify-local's \
             clock; check the client machine's clock",
        ),
        SignatureError::Mismatch => ApiError::new(
            ErrorCode::InvalidSignature,
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key (the secret given with --admin-credentials) and \
             signing method.",
        ),
    }
}

/// Checks that a request may call an admin operation.
pub(super) fn authorize(
    state: &AppState,
    (method, uri, headers, body): (&Method, &Uri, &HeaderMap, &[u8]),
) -> Result<(), ApiError> {
    if headers.contains_key(header::ORIGIN) {
        return Err(ApiError::new(
            ErrorCode::AccessDenied,
            "Admin operations cannot be called from a web page (the request has an Origin \
             header); call them from a server or a script, with an AWS SDK.",
        ));
    }
    if !headers.contains_key(header::AUTHORIZATION) {
        return Err(ApiError::new(
            ErrorCode::MissingAuthenticationToken,
            "Missing Authentication Token: admin operations need a SigV4-signed request \
             (service cognito-idp), as in Cognito. Call them with an AWS SDK: any credentials \
             work unless amplify-local was started with --admin-credentials.",
        ));
    }
    let signed = sigv4::parse(headers).map_err(refusal)?;
    let scope = Scope {
        service: SERVICE,
        region: state.region(),
    };
    let now = state.now();
    let Some(pinned) = &state.options.admin_credentials else {
        return sigv4::check_scope(&signed, scope, now)
            .map(|_| ())
            .map_err(refusal);
    };
    if signed.access_key_id != pinned.access_key_id() {
        return Err(ApiError::new(
            ErrorCode::UnrecognizedClient,
            "The security token included in the request is invalid: sign admin operations with \
             the access key given with --admin-credentials.",
        ));
    }
    sigv4::verify(
        &signed,
        pinned.secret_access_key(),
        scope,
        (method, uri, headers, body),
        now,
    )
    .map_err(refusal)
}
