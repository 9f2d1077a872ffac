//! Heap allocations per request: the bare route against the protected routes, counted by a counting global
//! allocator (`stats_alloc`), so the figure is exact and independent of the machine's speed or load.
//!
//! Run with `cargo bench -p amplify-ssr --bench allocations`; it prints a Markdown table for BENCHMARKS.md. The
//! session is a real one from an in-process amplify-local. Requests are built before counting starts, and the
//! `Cookie` header shares its bytes the way hyper's parsed headers do (a slice of one shared buffer), so the
//! counts are those of serving a request, not of building one. The last rows count the token write path: turning
//! a sign-in's cookie writes into `Set-Cookie` lines, unsplit and in chunks.

#![allow(missing_docs)]

mod common;

use std::alloc::System;

use amplify_ssr::{AmplifyConfig, ServerRunner, SignInInput, guard};
use axum::Router;
use axum::body::Body;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Request, header};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use tower::ServiceExt;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const REQUESTS: usize = 10_000;

/// Requests per case: [`REQUESTS`], or `ALLOCATIONS_REQUESTS` (two runs with different counts, under callgrind,
/// give one request's instructions without the warm-up's).
fn requests_per_case() -> usize {
    std::env::var("ALLOCATIONS_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(REQUESTS)
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let session = rt.block_on(common::signed_in());
    let runner = session.runner.clone();
    // One shared buffer, as hyper's parsed headers are (cloning it is a reference count, not a copy).
    let shared_cookie = Bytes::from(session.cookie.clone());
    drop(shared_cookie.clone());
    let cookie = || HeaderValue::from_maybe_shared(shared_cookie.clone()).expect("cookie header");

    let common::Routes {
        bare,
        bare_layered,
        guarded,
        eager,
        with_context,
        with_user,
    } = common::Routes::new(&runner);

    let count = |router: &Router, with_cookie: bool| -> (f64, u16) {
        let requests = |n: usize| -> Vec<Request<Body>> {
            (0..n)
                .map(|_| {
                    let mut request = Request::get("/").body(Body::empty()).expect("request");
                    if with_cookie {
                        request.headers_mut().insert(header::COOKIE, cookie());
                    }
                    request
                })
                .collect()
        };
        let mut status = 0;
        // Warm up: the JWKS, the verified-token cache, lazily built statics.
        for request in requests(100) {
            status = rt
                .block_on(router.clone().oneshot(request))
                .expect("response")
                .status()
                .as_u16();
        }
        let per_case = requests_per_case();
        let batch = requests(per_case);
        let region = Region::new(GLOBAL);
        for request in batch {
            let response = rt
                .block_on(router.clone().oneshot(request))
                .expect("response");
            drop(response);
        }
        let stats = region.change();
        (stats.allocations as f64 / per_case as f64, status)
    };

    let cases = [
        ("bare route, no auth", &bare, false),
        (
            "bare route under two no-op layers (axum's cost of layering)",
            &bare_layered,
            true,
        ),
        (
            "protected route (guard only), valid session cookies",
            &guarded,
            true,
        ),
        (
            "protected route with `refresh_eagerly`, valid session cookies",
            &eager,
            true,
        ),
        (
            "protected route + `ServerContext` extractor, valid session cookies",
            &with_context,
            true,
        ),
        (
            "protected route + `CurrentUser` extractor, valid session cookies",
            &with_user,
            true,
        ),
        ("protected route, no cookies (redirect)", &guarded, false),
    ];
    // `ALLOCATIONS_ONLY=<part of a case's name>` serves only that case (and not the check alone): run under
    // `valgrind --tool=callgrind`, two such runs give the instructions one case costs more than another.
    let only = std::env::var("ALLOCATIONS_ONLY").ok();
    // Without the bare route's count (a single case was asked for) the last column has nothing to compare with.
    let bare_allocs = only.is_none().then(|| count(&bare, false).0);
    println!("| case | status | allocations per request | over the bare route |");
    println!("|---|---:|---:|---:|");
    for (name, router, with_cookie) in cases {
        if only.as_deref().is_some_and(|only| !name.contains(only)) {
            continue;
        }
        let (allocs, status) = count(router, with_cookie);
        let over =
            bare_allocs.map_or_else(|| "n/a".to_owned(), |bare| format!("{:+.1}", allocs - bare));
        println!("| {name} | {status} | {allocs:.1} | {over} |");
    }

    if only.is_some() {
        return;
    }
    // The check alone, without axum: a context, then the cached session check.
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, cookie());
    let region = Region::new(GLOBAL);
    for _ in 0..REQUESTS {
        let ctx = runner.context(&headers);
        assert!(matches!(
            guard::check_access_cached(&ctx),
            Some(guard::Access::Allowed)
        ));
    }
    let allocs = region.change().allocations as f64 / REQUESTS as f64;
    println!(
        "| `ServerRunner::context` + `guard::check_access_cached` alone | - | {allocs:.1} | - |"
    );

    // The token write path: a sign-in's writes, turned into `Set-Cookie` lines (`set_cookie_headers` does not
    // consume the writes, so one sign-in serves every call).
    let config = AmplifyConfig::from_value(&session.backend.outputs()).expect("config");
    let server_auth = ServerRunner::builder(config)
        .ignore_env()
        .http_only_cookies(true)
        .build()
        .expect("server-auth runner");
    // An id token over 6 KB (two large custom attributes), written as chunks in the server-auth mode.
    let (bio, notes) = ("b".repeat(3200), "n".repeat(3200));
    session
        .backend
        .create_user(
            "bench-big",
            common::PASSWORD,
            &[
                ("email", "big@example.com"),
                ("custom:bio", &bio),
                ("custom:notes", &notes),
            ],
        )
        .expect("large user");
    let writes = [
        ("JS-readable mode", &runner, "bench"),
        ("server-auth mode", &server_auth, "bench"),
        (
            "server-auth mode, 6 KB id token (chunked)",
            &server_auth,
            "bench-big",
        ),
    ];
    for (name, runner, username) in writes {
        let ctx = runner.context(&HeaderMap::new());
        rt.block_on(amplify_ssr::sign_in(
            &ctx,
            SignInInput::new(username, common::PASSWORD),
        ))
        .expect("sign in");
        let lines = ctx.set_cookie_headers().len();
        let region = Region::new(GLOBAL);
        for _ in 0..REQUESTS {
            drop(ctx.set_cookie_headers());
        }
        let allocs = region.change().allocations as f64 / REQUESTS as f64;
        println!(
            "| `set_cookie_headers` after a sign-in, {name} ({lines} lines) | - | {allocs:.1} | - |"
        );
    }
}
