//! RS256 signature verification and Cognito's claim rules.

use std::hash::BuildHasher;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use super::decode::{self, b64};
use super::error::truncated;
use super::{Claims, JwksCache, TokenUse, VerifyError};

/// How far in the future an `nbf` claim may be and still be accepted, to absorb clock skew between the issuer and
/// this server. Cognito does not set `nbf`; this matters only for other issuers. There is no leeway on `exp`.
pub const NBF_LEEWAY: Duration = Duration::from_secs(5);

/// A token whose signature and claims check out.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedJwt {
    /// The token's claims.
    pub claims: Claims,
    /// `true` when every check passed except that `exp` is not after `now`. The token is genuine but stale: the
    /// session layer should refresh it rather than treat the user as signed out.
    pub expired: bool,
}

/// Verifies Cognito access and id tokens for one user pool and one app client.
///
/// # Checks, in order
///
/// 1. Structure: three base64url parts, JSON header and payload, at most
///    [`MAX_TOKEN_LEN`](super::MAX_TOKEN_LEN) bytes.
/// 2. Header `alg` is exactly `RS256` (so `none`, `HS256` and every other algorithm are refused before any key is
///    looked at), `kid` is present and has no `crit` extensions.
/// 3. The key named by `kid` comes from the [`JwksCache`]; if that JWK declares an `alg`, it must be `RS256`.
/// 4. **The signature** (RSASSA-PKCS1-v1_5 with SHA-256, 2048 to 8192-bit keys, by aws-lc-rs). No claim is
///    read before this succeeds.
/// 5. `iss` equals the configured issuer exactly.
/// 6. `token_use` equals the expected one.
/// 7. Id token: `aud` (a string or an array) contains the client id. Access token: `client_id` equals it.
/// 8. `nbf`, if present, is no later than `now` + [`NBF_LEEWAY`].
/// 9. `exp` is present. If `now` is at or after it, the result is `Ok` with [`VerifiedJwt::expired`] set.
///
/// # Difference from Amplify
///
/// aws-jwt-verify (used by the Next.js adapter) checks `exp` *before* the issuer and client checks, and the
/// adapter treats "expired" as valid so that a refresh can run. The effect is that an expired token with a valid
/// signature passes whatever its issuer, `token_use` or client. Here, expiry is the last check: an expired token
/// is reported as refreshable only when it was issued by the configured pool, for the configured client, for the
/// expected use.
///
/// # Verified-token cache
///
/// With [`with_verified_cache`](Self::with_verified_cache), tokens that passed every check are remembered (keyed
/// by the whole token, compared in full on a hit), so a repeated request with the same cookie skips the RSA
/// operation (the time-dependent checks are still made on every call). A key removed from the JWKS later does not
/// evict tokens it signed. Each entry holds the token and its claims (about 2 to 3 KB for a Cognito token), so
/// the cache's memory is bounded by its capacity.
#[derive(Debug, Clone)]
pub struct TokenVerifier {
    jwks: Arc<JwksCache>,
    issuer: String,
    client_id: String,
    cache: Option<Arc<VerifiedCache>>,
}

impl TokenVerifier {
    /// A verifier for tokens issued by `issuer` (for Cognito, `https://cognito-idp.{region}.amazonaws.com/{userPoolId}`,
    /// compared byte for byte) to app client `client_id`, with keys from `jwks`.
    #[must_use]
    pub fn new(
        jwks: Arc<JwksCache>,
        issuer: impl Into<String>,
        client_id: impl Into<String>,
    ) -> Self {
        Self {
            jwks,
            issuer: issuer.into(),
            client_id: client_id.into(),
            cache: None,
        }
    }

    /// Remembers up to `capacity` verified tokens (see the type's documentation). `0` disables the cache (the
    /// default).
    #[must_use]
    pub fn with_verified_cache(mut self, capacity: usize) -> Self {
        self.cache = (capacity > 0).then(|| Arc::new(VerifiedCache::new(capacity)));
        self
    }

    /// The configured issuer.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The configured app client id.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The JWKS cache this verifier takes its keys from.
    #[must_use]
    pub fn jwks(&self) -> &Arc<JwksCache> {
        &self.jwks
    }

    /// Verifies `token` as a token of kind `expected`, at time `now` (see the type's documentation for the
    /// checks).
    ///
    /// # Errors
    ///
    /// The first check that failed. [`VerifyError::is_transient`] tells a JWKS outage apart from a bad token.
    pub async fn verify(
        &self,
        token: &str,
        expected: TokenUse,
        now: SystemTime,
    ) -> Result<VerifiedJwt, VerifyError> {
        if let Some(cached) = self.verify_cached(token, expected, now) {
            return cached;
        }
        let now = unix_seconds(now);

        let parts = decode::split(token)?;
        let header = decode::header(&parts)?;
        if header.alg != "RS256" {
            return Err(VerifyError::UnsupportedAlgorithm(truncated(
                &header.alg,
                32,
            )));
        }
        let kid = header.kid.ok_or(VerifyError::MissingKeyId)?;
        if parts.signature.is_empty() {
            return Err(VerifyError::BadSignature);
        }
        let signature = b64(parts.signature, "signature is not valid base64url")?;
        let key = self.jwks.key(&kid).await?;
        key.verify_sig(parts.signing_input.as_bytes(), &signature)
            .map_err(|_| VerifyError::BadSignature)?;

        // The signature is good: from here on the payload is the issuer's.
        let claims = decode::payload(&parts)?;
        self.claim_checks(&claims, expected)?;
        let result = time_checks(claims, now)?;
        if let (Some(cache), false) = (&self.cache, result.expired) {
            cache.insert(token, expected, &result.claims, now);
        }
        Ok(result)
    }

    /// [`verify`](Self::verify) answered from the verified-token cache alone: `Some` when `token` passed every
    /// check before as a token of kind `expected` (the time checks are made again, at `now`), `None` when it
    /// would need the signature check (or the cache is off). Never waits and makes no network call.
    ///
    /// # Errors
    ///
    /// Inside the `Some`: [`VerifyError::NotYetValid`] or a malformed time claim, as from `verify`.
    pub fn verify_cached(
        &self,
        token: &str,
        expected: TokenUse,
        now: SystemTime,
    ) -> Option<Result<VerifiedJwt, VerifyError>> {
        self.verify_cached_bytes(token.as_bytes(), expected, now)
    }

    /// [`verify_cached`](Self::verify_cached) for a token as raw bytes (a cookie value as received, not yet
    /// checked for UTF-8: a hit means the bytes are a token this verifier checked).
    pub(crate) fn verify_cached_bytes(
        &self,
        token: &[u8],
        expected: TokenUse,
        now: SystemTime,
    ) -> Option<Result<VerifiedJwt, VerifyError>> {
        let hit = self.cache.as_ref()?.get(token, expected)?;
        let now = unix_seconds(now);
        // The same time checks as `time_checks`, on the entry's own `nbf` and `exp` (read when it was stored).
        if hit
            .nbf
            .is_some_and(|nbf| nbf > now.saturating_add(NBF_LEEWAY.as_secs() as i64))
        {
            return Some(Err(VerifyError::NotYetValid));
        }
        Some(Ok(VerifiedJwt {
            expired: now >= hit.exp,
            claims: hit.claims,
        }))
    }

    /// The time-independent claim checks (issuer, use, client).
    fn claim_checks(&self, claims: &Claims, expected: TokenUse) -> Result<(), VerifyError> {
        let iss = required_str(claims, "iss")?;
        if iss != self.issuer {
            return Err(VerifyError::WrongIssuer {
                expected: self.issuer.clone(),
                actual: truncated(iss, 256),
            });
        }
        let token_use = required_str(claims, "token_use")?;
        if token_use != expected.as_str() {
            return Err(VerifyError::WrongTokenUse {
                expected,
                actual: truncated(token_use, 64),
            });
        }
        match expected {
            TokenUse::Id => {
                if claims.get("aud").is_none() {
                    return Err(VerifyError::MissingClaim("aud"));
                }
                if !claims.has_audience(&self.client_id) {
                    return Err(VerifyError::WrongAudience);
                }
            }
            TokenUse::Access => {
                if required_str(claims, "client_id")? != self.client_id {
                    return Err(VerifyError::WrongClientId);
                }
            }
        }
        Ok(())
    }
}

fn required_str<'c>(claims: &'c Claims, name: &'static str) -> Result<&'c str, VerifyError> {
    match claims.get(name) {
        None | Some(serde_json::Value::Null) => Err(VerifyError::MissingClaim(name)),
        Some(value) => value.as_str().ok_or(VerifyError::InvalidClaim(name)),
    }
}

fn required_int(claims: &Claims, name: &'static str) -> Result<Option<i64>, VerifyError> {
    match claims.get(name) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(_) => claims
            .int(name)
            .map(Some)
            .ok_or(VerifyError::InvalidClaim(name)),
    }
}

/// `nbf` and `exp`, made on every call (also for cached tokens).
fn time_checks(claims: Claims, now: i64) -> Result<VerifiedJwt, VerifyError> {
    if let Some(nbf) = required_int(&claims, "nbf")?
        && nbf > now.saturating_add(NBF_LEEWAY.as_secs() as i64)
    {
        return Err(VerifyError::NotYetValid);
    }
    let exp = required_int(&claims, "exp")?.ok_or(VerifyError::MissingClaim("exp"))?;
    Ok(VerifiedJwt {
        expired: now >= exp,
        claims,
    })
}

/// Seconds since the Unix epoch (negative before it), saturating.
pub(crate) fn unix_seconds(now: SystemTime) -> i64 {
    match now.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// A bounded map from token to the claims of a fully verified, unexpired token.
///
/// Keyed by the token itself: a lookup hashes the token's tail (its signature, which tells genuine tokens apart)
/// with foldhash, seeded per process, and a hit compares the whole token, so two tokens that collide can never
/// share an entry. No cryptographic digest on the hot path. Only tokens that passed every check are stored, so an
/// attacker can neither fill it with junk nor plant colliding entries; valid tokens are bounded by `capacity`.
#[derive(Debug)]
struct VerifiedCache {
    capacity: usize,
    hasher: foldhash::fast::RandomState,
    entries: RwLock<hashbrown::HashTable<CachedClaims>>,
}

#[derive(Debug)]
struct CachedClaims {
    token: Box<[u8]>,
    token_use: TokenUse,
    claims: Claims,
    exp: i64,
    nbf: Option<i64>,
}

/// What a cache hit hands out: the shared claims and their time claims, read once when stored.
struct CacheHit {
    claims: Claims,
    exp: i64,
    nbf: Option<i64>,
}

/// How many bytes at the end of a token are hashed (an RS256 signature is 342 characters).
const HASHED_TAIL: usize = 64;

impl VerifiedCache {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            hasher: foldhash::fast::RandomState::default(),
            entries: RwLock::new(hashbrown::HashTable::new()),
        }
    }

    fn hash(&self, token: &[u8]) -> u64 {
        let tail = &token[token.len().saturating_sub(HASHED_TAIL)..];
        self.hasher.hash_one((token.len(), tail))
    }

    /// The claims of `token` when it was verified as a `token_use` token (a shared copy: no allocation).
    fn get(&self, token: &[u8], token_use: TokenUse) -> Option<CacheHit> {
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        entries
            .find(self.hash(token), |entry| *entry.token == *token)
            .filter(|entry| entry.token_use == token_use)
            .map(|entry| CacheHit {
                claims: entry.claims.clone(),
                exp: entry.exp,
                nbf: entry.nbf,
            })
    }

    /// Stores a token that passed every check (so its `exp` and any `nbf` are well-formed).
    fn insert(&self, token: &str, token_use: TokenUse, claims: &Claims, now: i64) {
        let (Ok(Some(exp)), Ok(nbf)) = (required_int(claims, "exp"), required_int(claims, "nbf"))
        else {
            return;
        };
        let token = token.as_bytes();
        let hash = self.hash(token);
        let rehash = |entry: &CachedClaims| self.hash(&entry.token);
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        let known = entries.find(hash, |entry| *entry.token == *token).is_some();
        if entries.len() >= self.capacity && !known {
            entries.retain(|entry| entry.exp > now);
            if entries.len() >= self.capacity {
                // Still full of live tokens: drop an arbitrary eighth (the hasher is seeded per process, so the
                // order is not predictable), so the cost of the sweep above is amortised over many inserts.
                let mut victims = (self.capacity / 8).max(1);
                entries.retain(|_| {
                    let keep = victims == 0;
                    victims = victims.saturating_sub(1);
                    keep
                });
            }
        }
        let entry = CachedClaims {
            token: token.into(),
            token_use,
            claims: claims.clone(),
            exp,
            nbf,
        };
        match entries.entry(hash, |stored| *stored.token == *token, rehash) {
            hashbrown::hash_table::Entry::Occupied(mut stored) => *stored.get_mut() = entry,
            hashbrown::hash_table::Entry::Vacant(slot) => {
                slot.insert(entry);
            }
        }
    }
}
