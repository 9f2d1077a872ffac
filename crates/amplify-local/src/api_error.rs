//! Cognito-shaped errors: HTTP 400 with `{"__type","message"}` and an
//! `x-amzn-ErrorType` header.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::LocalError;

/// Cognito error codes this backend returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum ErrorCode {
    UnknownOperation,
    Serialization,
    InvalidParameter,
    InvalidPassword,
    UsernameExists,
    UserNotFound,
    UserNotConfirmed,
    NotAuthorized,
    CodeMismatch,
    ExpiredCode,
    ResourceNotFound,
    RefreshTokenReuse,
    UnsupportedTokenType,
    LimitExceeded,
    /// TOTP set-up in a pool without software token MFA.
    SoftwareTokenMfaNotFound,
    /// VerifySoftwareToken with a wrong code.
    EnableSoftwareTokenMfa,
    /// CreateGroup with a name in use.
    GroupExists,
    /// No `Authorization` on an operation that needs a signed request.
    MissingAuthenticationToken,
    /// A malformed SigV4 `Authorization` header.
    IncompleteSignature,
    /// A signature that does not verify, is mis-scoped or expired.
    InvalidSignature,
    /// An access key that is not the pinned one.
    UnrecognizedClient,
    /// An admin operation called from a web page.
    AccessDenied,
    InternalError,
}

impl ErrorCode {
    /// The `__type` string.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::UnknownOperation => "UnknownOperationException",
            Self::Serialization => "SerializationException",
            Self::InvalidParameter => "InvalidParameterException",
            Self::InvalidPassword => "InvalidPasswordException",
            Self::UsernameExists => "UsernameExistsException",
            Self::UserNotFound => "UserNotFoundException",
            Self::UserNotConfirmed => "UserNotConfirmedException",
            Self::NotAuthorized => "NotAuthorizedException",
            Self::CodeMismatch => "CodeMismatchException",
            Self::ExpiredCode => "ExpiredCodeException",
            Self::ResourceNotFound => "ResourceNotFoundException",
            Self::RefreshTokenReuse => "RefreshTokenReuseException",
            Self::UnsupportedTokenType => "UnsupportedTokenTypeException",
            Self::LimitExceeded => "LimitExceededException",
            Self::GroupExists => "GroupExistsException",
            Self::EnableSoftwareTokenMfa => "EnableSoftwareTokenMFAException",
            Self::SoftwareTokenMfaNotFound => "SoftwareTokenMFANotFoundException",
            Self::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            Self::IncompleteSignature => "IncompleteSignatureException",
            Self::InvalidSignature => "InvalidSignatureException",
            Self::UnrecognizedClient => "UnrecognizedClientException",
            Self::AccessDenied => "AccessDeniedException",
            Self::InternalError => "InternalErrorException",
        }
    }

    fn status(self) -> StatusCode {
        match self {
            Self::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
            Self::MissingAuthenticationToken => StatusCode::FORBIDDEN,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// An error answer of the Cognito API.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) code: ErrorCode,
    pub(crate) message: String,
}

impl ApiError {
    /// An error with a message.
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// `NotAuthorizedException: Incorrect username or password.`
    pub(crate) fn bad_credentials() -> Self {
        Self::new(ErrorCode::NotAuthorized, "Incorrect username or password.")
    }

    /// `InvalidParameterException` for a missing parameter.
    pub(crate) fn missing(name: &str) -> Self {
        Self::new(
            ErrorCode::InvalidParameter,
            format!("Missing required parameter {name}"),
        )
    }

    /// An internal failure (storage, key). Logged, not detailed to the client.
    pub(crate) fn internal(error: &dyn std::fmt::Display) -> Self {
        tracing::error!(%error, "internal error");
        Self::new(ErrorCode::InternalError, "Internal server error.")
    }

    /// The HTTP response, with the request id header.
    pub(crate) fn into_response_with_id(self, request_id: &str) -> Response {
        let body = json!({ "__type": self.code.as_str(), "message": self.message });
        let mut response = (self.code.status(), axum::Json(body)).into_response();
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&format!("{}:", self.code.as_str())) {
            headers.insert("x-amzn-ErrorType", value);
        }
        if let Ok(value) = HeaderValue::from_str(request_id) {
            headers.insert("x-amzn-RequestId", value);
        }
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-amz-json-1.1"),
        );
        response
    }
}

impl From<LocalError> for ApiError {
    fn from(error: LocalError) -> Self {
        Self::internal(&error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.into_response_with_id(&uuid::Uuid::new_v4().to_string())
    }
}
