//! The JWT front ends: amplify-ssr's (`decode_claims_unverified`, `TokenVerifier::verify`: split, size limit,
//! base64url, header JSON, `alg`/`kid`, then, once the signature holds, the claims JSON and Cognito's claim
//! rules) and amplify-local's own (`verify_jwt`, used by `GetUser`, the identity pool and GraphQL).
//!
//! Input: one mode byte, then
//! * mode 0, a token as text. Nothing it can spell verifies: the signing key is made when the fuzzer starts.
//! * mode 1, a JSON payload (with placeholders such as `$ISSUER`, see `Harness::expand`), which amplify-local signs with its key; amplify-ssr fetches that key from
//!   amplify-local's JWKS and must then apply every claim rule (issuer, `token_use`, client, `nbf`, `exp`).
#![no_main]

use std::sync::{Arc, OnceLock};
use std::time::{Duration, UNIX_EPOCH};

use amplify_fuzz::Harness;
use amplify_ssr::jwt::{
    Claims, JwksCache, TokenUse, TokenVerifier, VerifiedJwt, decode_claims_unverified,
};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// A fixed clock, so that a crash replays.
const NOW: u64 = 1_750_000_000;

fn verifier() -> &'static TokenVerifier {
    static VERIFIER: OnceLock<TokenVerifier> = OnceLock::new();
    VERIFIER.get_or_init(|| {
        let harness = Harness::get();
        let state = &harness.state;
        let url = format!(
            "{}/{}/.well-known/jwks.json",
            state.base_url(),
            state.user_pool_id()
        );
        let jwks = JwksCache::new(reqwest::Client::new(), url.parse().expect("JWKS URL"))
            .with_min_refetch_interval(Duration::from_secs(24 * 3600));
        harness
            .runtime
            .block_on(jwks.refresh())
            .expect("JWKS fetch");
        TokenVerifier::new(Arc::new(jwks), state.issuer(), state.client_id())
            .with_verified_cache(64)
    })
}

/// Reads every accessor, as the session code does.
fn touch(claims: &Claims) {
    let _ = (
        claims.sub(),
        claims.exp(),
        claims.iat(),
        claims.nbf(),
        claims.iss(),
    );
    let _ = (
        claims.token_use(),
        claims.username(),
        claims.cognito_username(),
    );
    let _ = (
        claims.client_id(),
        claims.origin_jti(),
        claims.has_audience("x"),
    );
}

/// The rules an accepted token must satisfy.
fn check_accepted(verified: &VerifiedJwt, expected: TokenUse, verifier: &TokenVerifier) {
    let claims = &verified.claims;
    touch(claims);
    assert_eq!(claims.iss(), Some(verifier.issuer()));
    assert_eq!(claims.token_use(), Some(expected.as_str()));
    match expected {
        TokenUse::Access => assert_eq!(claims.client_id(), Some(verifier.client_id())),
        TokenUse::Id => assert!(claims.has_audience(verifier.client_id())),
    }
    let exp = claims.exp().expect("an accepted token has exp");
    assert_eq!(verified.expired, NOW as i64 >= exp);
    if let Some(nbf) = claims.nbf() {
        assert!(nbf <= NOW as i64 + 5);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let harness = Harness::get();
    let verifier = verifier();
    let now = UNIX_EPOCH + Duration::from_secs(NOW);
    let verify = |token: &str, expected| {
        harness
            .runtime
            .block_on(verifier.verify(token, expected, now))
    };
    match mode % 2 {
        0 => {
            let token = String::from_utf8_lossy(rest);
            if let Ok(claims) = decode_claims_unverified(&token) {
                touch(&claims);
            }
            for expected in [TokenUse::Access, TokenUse::Id] {
                assert!(verify(&token, expected).is_err(), "a forged token verified");
            }
            assert!(amplify_local::fuzzing::verify_jwt(&harness.state, &token).is_none());
        }
        _ => {
            let Ok(payload) = serde_json::from_slice::<Value>(&harness.expand(rest)) else {
                return;
            };
            let token = amplify_local::fuzzing::sign_jwt(&harness.state, &payload).expect("signs");
            let is_object = payload.is_object();
            assert_eq!(decode_claims_unverified(&token).is_ok(), is_object);
            assert_eq!(
                amplify_local::fuzzing::verify_jwt(&harness.state, &token).is_some(),
                is_object
            );
            for expected in [TokenUse::Access, TokenUse::Id] {
                let first = verify(&token, expected);
                if let Ok(verified) = &first {
                    check_accepted(verified, expected, verifier);
                }
                // Again, from the verified-token cache when it was cached.
                let second = verify(&token, expected);
                assert_eq!(format!("{first:?}"), format!("{second:?}"));
            }
        }
    }
});
