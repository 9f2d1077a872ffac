//! A protected request with valid session cookies against the same route without auth.
//!
//! Run with `cargo bench -p amplify-ssr --bench protected_request`; the figures go in BENCHMARKS.md. The session
//! is a real one from an in-process amplify-local; the benchmark measures the whole axum stack in-process
//! (`tower::ServiceExt::oneshot`, no sockets), so the difference between the two routes is the cost of
//! amplify-ssr: cookie parsing, token verification and the layer.

#![allow(missing_docs)]

use amplify_local::{LocalBackend, LocalOptions};
use amplify_ssr::axum::{AmplifyLayer, CurrentUser, RequireAuthLayer};
use amplify_ssr::{AmplifyConfig, ServerRunner, SignInInput};
use axum::Router;
use axum::body::Body;
use axum::routing::get;
use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderMap, Request, header};
use tower::ServiceExt;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let (bare, protected, cookie, runner, _backend) = rt.block_on(async {
        let mut options = LocalOptions::new(dir.path().to_path_buf());
        options.port = 0;
        let backend = LocalBackend::start(options).await.expect("amplify-local");
        backend
            .create_user(
                "bench",
                "Bench-passw0rd!",
                &[("email", "bench@example.com")],
            )
            .expect("user");
        let config = AmplifyConfig::from_value(&backend.outputs()).expect("config");
        let runner = ServerRunner::builder(config)
            .ignore_env()
            .build()
            .expect("runner");
        let ctx = runner.context(&HeaderMap::new());
        amplify_ssr::sign_in(&ctx, SignInInput::new("bench", "Bench-passw0rd!"))
            .await
            .expect("sign in");
        let cookie = ctx
            .set_cookie_headers()
            .iter()
            .map(|h| {
                h.to_str()
                    .expect("ascii")
                    .split(';')
                    .next()
                    .expect("pair")
                    .to_owned()
            })
            .collect::<Vec<_>>()
            .join("; ");
        let bare = Router::new().route("/", get(|| async { "hello" }));
        let protected = Router::new()
            .route(
                "/",
                get(|CurrentUser(user): CurrentUser| async move { user.username }),
            )
            .route_layer(RequireAuthLayer::new())
            .layer(AmplifyLayer::new(runner.clone()));
        (bare, protected, cookie, runner, backend)
    });
    let request = |with_cookie: bool| {
        let mut builder = Request::get("/");
        if with_cookie {
            builder = builder.header(header::COOKIE, cookie.as_str());
        }
        builder.body(Body::empty()).expect("request")
    };
    // Warm the JWKS cache once, as a running server would have.
    rt.block_on(async {
        let response = protected
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
    group.bench_function("bare route, no auth", |b| {
        b.to_async(&rt).iter(|| async {
            bare.clone()
                .oneshot(request(false))
                .await
                .expect("response")
        });
    });
    group.bench_function("protected route, valid session cookies", |b| {
        b.to_async(&rt).iter(|| async {
            protected
                .clone()
                .oneshot(request(true))
                .await
                .expect("response")
        });
    });
    group.bench_function("protected route, no cookies (redirect)", |b| {
        b.to_async(&rt).iter(|| async {
            protected
                .clone()
                .oneshot(request(false))
                .await
                .expect("response")
        });
    });
    group.finish();

    // The parts of the protected path, to see where its time goes.
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, cookie.parse().expect("cookie header"));
    let mut parts = c.benchmark_group("session parts");
    parts.bench_function("context: parse and decode the Cookie header", |b| {
        b.iter(|| runner.context(&headers));
    });
    parts.bench_function("get_current_user: verify (cached) and read claims", |b| {
        b.to_async(&rt).iter(|| async {
            let ctx = runner.context(&headers);
            amplify_ssr::get_current_user(&ctx).await.expect("user")
        });
    });
    parts.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
