//! Who may call the admin operations: as in Cognito, only a request signed
//! with SigV4 (service `cognito-idp`), and never a web page.
//!
//! By default any well-formed signature is accepted, so SDKs with throwaway
//! credentials work (a browser cannot produce one: see [`crate::cors`]).
//! Well formed means what every AWS SDK sends: `AWS4-HMAC-SHA256`, an
//! access key id, the scope `<date>/<region>/cognito-idp/aws4_request` with
//! the date of `X-Amz-Date`, `X-Amz-Date` within 15 minutes of
//! amplify-local's clock, signed `host`, `x-amz-date`, `x-amz-target` (and
//! `content-type` when sent), and a 64-hex-digit signature. With
//! [`crate::LocalOptions::admin_credentials`], the access key must be the
//! pinned one and the signature is verified with its secret.

use axum::http::{HeaderMap, Method, Uri, header};

use crate::api_error::{ApiError, ErrorCode};
use crate::sigv4::{self, Scope, SignatureError};
use crate::state::AppState;

/// The signing name of the user-pool service.
const SERVICE: &str = "cognito-idp";

/// Operations without the `Admin` prefix that Cognito still authorizes with
/// IAM (a signed request) only.
const SIGNED_ONLY: [&str; 6] = [
    "CreateGroup",
    "GetGroup",
    "UpdateGroup",
    "DeleteGroup",
    "ListGroups",
    "ListUsersInGroup",
];

/// Whether an operation is an admin operation (needs a signed request).
pub(super) fn is_admin(operation: &str) -> bool {
    operation.starts_with("Admin") || SIGNED_ONLY.contains(&operation)
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

/// Checks that the signature covers what names the operation, as every
/// AWS SDK's does: `X-Amz-Target` and, when sent, `Content-Type`.
fn signs_the_operation(signed: &sigv4::SignedRequest, headers: &HeaderMap) -> Result<(), ApiError> {
    let must_sign = ["x-amz-target", "content-type"]
        .into_iter()
        .filter(|name| headers.contains_key(*name));
    for name in must_sign {
        if !signed.signs(name) {
            return Err(ApiError::new(
                ErrorCode::IncompleteSignature,
                format!("'{name}' must be a signed header: sign the request with an AWS SDK"),
            ));
        }
    }
    Ok(())
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
    signs_the_operation(&signed, headers)?;
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
