//! The per-request memo of verified tokens, so that the several session reads of one request (an extractor,
//! then the handler's own calls, every copy of a cookie) cost one verification per token.
//!
//! It lives in the request's [`ServerContext`](crate::ServerContext) and dies with it; the runner-wide cache of
//! the [`TokenVerifier`] is a separate, bounded layer above it, asked first. This memo so holds only what that
//! cache does not: expired tokens (refreshed, not cached), and everything when the runner's cache is off.

use std::sync::Mutex;
use std::time::SystemTime;

use crate::jwt::{TokenUse, TokenVerifier, VerifiedJwt, VerifyError};

/// Tokens already verified in this request, with the use they were verified for.
#[derive(Default)]
pub(crate) struct VerifiedTokens {
    entries: Mutex<Vec<(String, TokenUse, VerifiedJwt)>>,
}

impl VerifiedTokens {
    /// Verifies `token` with `verifier`, remembering the result for the rest of this request. Failures are not
    /// remembered: a transient one may pass on the next read.
    pub(crate) async fn verify(
        &self,
        verifier: &TokenVerifier,
        token: &str,
        expected: TokenUse,
        now: SystemTime,
    ) -> Result<VerifiedJwt, VerifyError> {
        // The runner's cache first: a hit costs a hash and a compare, and needs nothing remembered here.
        if let Some(cached) = verifier.verify_cached(token, expected, now) {
            return cached;
        }
        let remembered = self
            .entries()
            .iter()
            .find(|(raw, used_as, _)| *used_as == expected && raw == token)
            .map(|(_, _, verified)| verified.clone());
        if let Some(verified) = remembered {
            return Ok(verified);
        }
        let verified = verifier.verify(token, expected, now).await?;
        self.entries()
            .push((token.to_owned(), expected, verified.clone()));
        Ok(verified)
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Vec<(String, TokenUse, VerifiedJwt)>> {
        // Entries are pushed whole, so a panic elsewhere cannot leave the list half-updated.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
