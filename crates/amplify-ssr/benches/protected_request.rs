//! A protected request with valid session cookies against the same route without auth, and the parts of the
//! verification path.
//!
//! Run with `cargo bench -p amplify-ssr --bench protected_request`; the figures go in BENCHMARKS.md. The session
//! is a real one from an in-process amplify-local; the benchmark measures the whole axum stack in-process
//! (`tower::ServiceExt::oneshot`, no sockets), so the difference between the routes is the cost of amplify-ssr:
//! finding the session cookies, the verified-token cache and the layers.

#![allow(missing_docs)]

mod common;

use std::sync::Arc;
use std::time::SystemTime;

use amplify_ssr::jwt::{JwksCache, TokenUse, TokenVerifier};
use amplify_ssr::{AmplifyConfig, guard};
use axum::body::Body;
use base64::Engine as _;
use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderMap, Request, header};
use tower::ServiceExt;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let session = rt.block_on(common::signed_in());
    let runner = session.runner.clone();
    let cookie = session.cookie.clone();
    let common::Routes {
        bare,
        bare_layered,
        guarded,
        with_user,
        ..
    } = common::Routes::new(&runner);
    let request = |with_cookie: bool| {
        let mut builder = Request::get("/");
        if with_cookie {
            builder = builder.header(header::COOKIE, cookie.as_str());
        }
        builder.body(Body::empty()).expect("request")
    };
    // Warm the JWKS and the verified-token cache once, as a running server would have.
    rt.block_on(async {
        let response = with_user
            .clone()
            .oneshot(request(true))
            .await
            .expect("response");
        assert_eq!(
            response.status(),
            200,
            "the benchmark session must be valid"
        );
    });

    let mut group = c.benchmark_group("request");
    let routes = [
        ("bare route, no auth", &bare, false),
        (
            "bare route under two no-op layers, same cookies",
            &bare_layered,
            true,
        ),
        (
            "protected route (guard only), valid session cookies",
            &guarded,
            true,
        ),
        (
            "protected route + CurrentUser extractor, valid session cookies",
            &with_user,
            true,
        ),
        ("protected route, no cookies (redirect)", &guarded, false),
    ];
    for (name, router, with_cookie) in routes {
        group.bench_function(name, |b| {
            b.to_async(&rt).iter(|| async {
                router
                    .clone()
                    .oneshot(request(with_cookie))
                    .await
                    .expect("response")
            });
        });
    }
    group.finish();

    // The parts of the protected path, to see where its time goes.
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, cookie.parse().expect("cookie header"));
    let mut parts = c.benchmark_group("session parts");
    parts.bench_function("context: keep the Cookie header", |b| {
        b.iter(|| runner.context(&headers));
    });
    parts.bench_function("context + check_access_cached", |b| {
        b.iter(|| {
            let ctx = runner.context(&headers);
            assert!(matches!(
                guard::check_access_cached(&ctx),
                Some(guard::Access::Allowed)
            ));
        });
    });
    parts.bench_function("context + get_current_user", |b| {
        b.to_async(&rt).iter(|| async {
            let ctx = runner.context(&headers);
            amplify_ssr::get_current_user(&ctx).await.expect("user")
        });
    });

    // Token verification alone: a cache hit, a cold verification, and aws-lc-rs's RS256 verify (the floor).
    let config = AmplifyConfig::from_value(&session.backend.outputs()).expect("config");
    let access = session.cookie_ending_with(".accessToken").to_owned();
    let verifier = |cached: bool| {
        let jwks = JwksCache::new(reqwest::Client::new(), config.jwks_url().expect("jwks url"));
        let verifier = TokenVerifier::new(
            Arc::new(jwks),
            config.token_issuer().expect("issuer"),
            config.auth().expect("auth").user_pool_client_id.clone(),
        );
        if cached {
            verifier.with_verified_cache(16)
        } else {
            verifier
        }
    };
    let (cached, cold) = (verifier(true), verifier(false));
    rt.block_on(async {
        for verifier in [&cached, &cold] {
            verifier
                .verify(&access, TokenUse::Access, SystemTime::now())
                .await
                .expect("valid token");
        }
    });
    parts.bench_function("verify: verified-token cache hit", |b| {
        b.iter(|| {
            cached
                .verify_cached(&access, TokenUse::Access, SystemTime::now())
                .expect("hit")
                .expect("valid")
        });
    });
    parts.bench_function("verify: cold (decode, RS256, claim checks)", |b| {
        b.to_async(&rt).iter(|| async {
            cold.verify(&access, TokenUse::Access, SystemTime::now())
                .await
                .expect("valid")
        });
    });
    let (floor_key, signing_input, signature) = rs256_floor_inputs(&rt, &config, &access);
    parts.bench_function("verify: aws-lc-rs RS256 alone (the floor)", |b| {
        b.iter(|| {
            floor_key
                .verify(
                    &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
                    &signing_input,
                    &signature,
                )
                .expect("signature")
        });
    });
    parts.finish();
}

/// The user pool's RSA key (from its JWKS) and the token's signing input and signature, for a bare RS256 verify.
fn rs256_floor_inputs(
    rt: &tokio::runtime::Runtime,
    config: &AmplifyConfig,
    token: &str,
) -> (
    aws_lc_rs::signature::RsaPublicKeyComponents<Vec<u8>>,
    Vec<u8>,
    Vec<u8>,
) {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let jwks: serde_json::Value = rt.block_on(async {
        reqwest::get(config.jwks_url().expect("jwks url"))
            .await
            .expect("jwks")
            .json()
            .await
            .expect("jwks json")
    });
    let (signing_input, signature) = token.rsplit_once('.').expect("jwt");
    let header: serde_json::Value = serde_json::from_slice(
        &b64.decode(signing_input.split('.').next().expect("header"))
            .expect("header base64"),
    )
    .expect("header json");
    let key = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|key| key["kid"] == header["kid"])
        .expect("the token's key");
    let component = |name: &str| b64.decode(key[name].as_str().expect(name)).expect(name);
    (
        aws_lc_rs::signature::RsaPublicKeyComponents {
            n: component("n"),
            e: component("e"),
        },
        signing_input.as_bytes().to_vec(),
        b64.decode(signature).expect("signature base64"),
    )
}

criterion_group!(benches, bench);
criterion_main!(benches);
