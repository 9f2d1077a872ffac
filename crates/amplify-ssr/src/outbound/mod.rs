//! Outbound HTTP shared by every service client (Cognito, S3, AppSync, managed login, JWKS): the retry policy and
//! the one retry driver, the bounded body read, and [`TransportError`], the opaque error for a request that did
//! not complete.
//!
//! Each service keeps only its wire format and its error mapping: it sends one attempt, reads the answer with
//! `read_bounded`, and tells the driver through a classifier whether the outcome is done, worth another attempt,
//! or final.

mod body;
mod error;
#[cfg(any(feature = "data", feature = "rest"))]
mod headers;
mod retry;
#[cfg(any(feature = "data", feature = "rest"))]
pub(crate) mod sigv4_headers;

pub use error::TransportError;
pub use retry::RetryPolicy;

pub(crate) use body::read_bounded;
#[cfg(any(feature = "data", feature = "rest"))]
pub(crate) use headers::with_headers;
pub(crate) use retry::Verdict;
