//! `get_url`: presigns per second with credentials at hand, and the whole call on a warm runner, where the
//! credentials come from the runner's cache through `fetch_identity_credentials`.
//!
//! Run with `cargo bench -p amplify-ssr --bench get_url`; the figures go in BENCHMARKS.md ("## get_url"). The
//! warm-runner cases use an in-process amplify-local with guest access (a static context, as in static
//! rendering): the first call fetches guest credentials from its Cognito Identity API, every measured call hits
//! the cache. No call in the measured loops touches the network.

#![allow(missing_docs)]

use std::time::{Duration, SystemTime};

use amplify_local::{LocalBackend, LocalOptions};
use amplify_ssr::storage::{self, __presign_get_url_at, ContentDisposition, GetUrlInput};
use amplify_ssr::{AmplifyConfig, AwsCredentials, ServerRunner, fetch_identity_credentials};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let creds = AwsCredentials::new(
        "ASIAEXAMPLEEXAMPLE01",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Some("IQoJb3JpZ2luX2VjE".repeat(40)),
    );
    let mut group = c.benchmark_group("get_url");
    group.throughput(Throughput::Elements(1));

    // 1. Signing only: endpoint, key encoding, query, aws-sigv4 (credentials at hand).
    let input = GetUrlInput::new("public/photos/sp ace+ü.jpg");
    group.bench_function("presign (signing only)", |b| {
        b.iter(|| {
            __presign_get_url_at(None, "bkt", "us-east-1", &input, &creds, SystemTime::now())
                .expect("presign")
        });
    });
    let overrides = GetUrlInput::new("public/photos/report.pdf")
        .content_disposition(ContentDisposition::attachment("report 2024.pdf"))
        .content_type("application/pdf")
        .cache_control("no-cache");
    group.bench_function("presign with response overrides", |b| {
        b.iter(|| {
            __presign_get_url_at(
                None,
                "bkt",
                "us-east-1",
                &overrides,
                &creds,
                SystemTime::now(),
            )
            .expect("presign")
        });
    });

    // 2. The public API with explicit credentials: config and bucket resolution too.
    let config = AmplifyConfig::from_json(
        r#"{"version":"1.4","storage":{"bucket_name":"bkt","aws_region":"us-east-1"}}"#,
    )
    .expect("config");
    let plain = ServerRunner::builder(config)
        .ignore_env()
        .build()
        .expect("runner");
    let ctx = plain.static_context();
    group.bench_function("storage::get_url, explicit credentials", |b| {
        b.to_async(&rt).iter(|| {
            let input = GetUrlInput::new("public/photos/a.jpg").location_credentials(creds.clone());
            let ctx = &ctx;
            async move { storage::get_url(ctx, input).await.expect("get_url") }
        });
    });

    // 3. A warm runner: credentials from the runner's cache (guest, static context).
    let dir = tempfile::tempdir().expect("tempdir");
    let (runner, _backend) = rt.block_on(async {
        let options = LocalOptions::new(dir.path().to_path_buf())
            .with_port(0)
            .with_s3_port(0)
            .with_guest_access(true);
        let backend = LocalBackend::start(options).await.expect("amplify-local");
        let config = AmplifyConfig::from_value(&backend.outputs()).expect("config");
        let runner = ServerRunner::builder(config)
            .ignore_env()
            .build()
            .expect("runner");
        fetch_identity_credentials(&runner.static_context(), false)
            .await
            .expect("guest credentials from amplify-local");
        (runner, backend)
    });
    group.bench_function("fetch_identity_credentials, cache hit", |b| {
        b.to_async(&rt).iter(|| {
            let ctx = runner.static_context();
            async move {
                fetch_identity_credentials(&ctx, false)
                    .await
                    .expect("credentials")
            }
        });
    });
    group.bench_function(
        "storage::get_url, warm runner (context + cache hit + presign)",
        |b| {
            b.to_async(&rt).iter(|| {
                let ctx = runner.static_context();
                async move {
                    storage::get_url(&ctx, GetUrlInput::new("public/photos/a.jpg"))
                        .await
                        .expect("get_url")
                }
            });
        },
    );
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
