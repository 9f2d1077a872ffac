//! Shared server state.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::clients::Clients;
use crate::db::Store;
use crate::decoy::Decoys;
use crate::keys::SigningKey;
use crate::{Clock, LocalOptions};

/// The region of the local pool.
pub(crate) const REGION: &str = "us-east-1";

/// Everything request handlers share: storage, the signing key, the pool's
/// identity, options and per-operation counters. Build routes on it with
/// [`crate::router`]; get it from [`crate::LocalBackend::state`].
pub struct AppState {
    pub(crate) store: Store,
    pub(crate) key: SigningKey,
    pub(crate) user_pool_id: String,
    pub(crate) client_id: String,
    pub(crate) clients: Clients,
    pub(crate) options: LocalOptions,
    pub(crate) base_url: String,
    pub(crate) issuer: String,
    pub(crate) identity_pool_id: String,
    pub(crate) storage: crate::s3::Storage,
    pub(crate) graphql: crate::graphql::GraphqlApi,
    /// The REST APIs mounted under `/rest/` (`--rest-api`).
    pub(crate) rest_apis: crate::rest_api::RestApis,
    pub(crate) counters: Mutex<HashMap<String, u64>>,
    /// The backend's one clock ([`AppState::now`], [`crate::clock`]).
    pub(crate) clock: Clock,
    /// What unknown users seem to have.
    pub(crate) decoys: Decoys,
    /// How many password proofs were checked (hashes and SRP claims).
    pub(crate) password_checks: AtomicU64,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("user_pool_id", &self.user_pool_id)
            .field("client_id", &self.client_id)
            .field("base_url", &self.base_url)
            .field("issuer", &self.issuer)
            .field("identity_pool_id", &self.identity_pool_id)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// The user pool id (`us-east-1_XXXXXXXXX`).
    pub fn user_pool_id(&self) -> &str {
        &self.user_pool_id
    }

    /// The app client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The region (`us-east-1`).
    pub fn region(&self) -> &str {
        REGION
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The `iss` claim written into tokens.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The identity pool id (`us-east-1:<uuid>`).
    pub fn identity_pool_id(&self) -> &str {
        &self.identity_pool_id
    }

    /// The options the backend was started with.
    pub fn options(&self) -> &LocalOptions {
        &self.options
    }

    /// Whether `client_id` names one of the pool's app clients.
    pub(crate) fn is_client(&self, client_id: &str) -> bool {
        client_id == self.client_id
            || self
                .clients
                .confidential
                .as_ref()
                .is_some_and(|c| c.id == client_id)
    }

    /// The pool name used by SRP (after the `_` of the pool id).
    pub(crate) fn pool_name(&self) -> &str {
        amplify_srp::pool_name(&self.user_pool_id).unwrap_or(&self.user_pool_id)
    }

    /// Counts one request for an operation.
    pub(crate) fn count(&self, operation: &str) {
        let mut counters = self
            .counters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *counters.entry(operation.to_owned()).or_default() += 1;
    }

    /// Now, in whole seconds since the Unix epoch, on the clock that tests
    /// can freeze and move ([`crate::LocalBackend::advance_clock`]). Every
    /// validity check reads the time here.
    pub(crate) fn now(&self) -> i64 {
        self.clock.now_secs()
    }

    /// Checks a password against a stored hash (a user's, or the decoy for
    /// an unknown user), counting the check.
    pub(crate) fn password_matches(&self, password: &str, stored_hash: &str) -> bool {
        self.count_password_check();
        crate::password::verify(password, stored_hash)
    }

    /// Counts one password proof checked (a hash or an SRP claim).
    pub(crate) fn count_password_check(&self) {
        self.password_checks.fetch_add(1, Ordering::Relaxed);
    }

    /// How many password proofs were checked, for known and unknown users
    /// alike.
    pub fn password_checks(&self) -> u64 {
        self.password_checks.load(Ordering::Relaxed)
    }

    /// How many requests named this operation.
    pub fn operation_count(&self, operation: &str) -> u64 {
        self.counters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(operation)
            .copied()
            .unwrap_or(0)
    }
}
