//! The model client listing 1,000 items over real HTTP against an in-process amplify-local.
//!
//! Run with `cargo bench -p amplify-ssr --bench model_list`; the figures go in BENCHMARKS.md ("## Model client: list
//! of 1,000 items"). A load script rather than criterion (`harness = false`): it starts amplify-local on a free port
//! of 127.0.0.1 with a fresh data directory, signs a user in through the library, creates 1,000 todos owned by that
//! user with `ModelClient::create` (8 in flight), and then, per case, runs a warm-up followed by at most
//! `MODEL_LIST_ITERATIONS` (default 200) calls or `MODEL_LIST_SECONDS` (default 30) seconds, whichever comes first,
//! once sequentially and once from 8 concurrent tasks. Every call is a real request: a fresh `ServerContext` from
//! the Cookie header (as a handler would build per request), the user-pool token, `POST /graphql` over TCP,
//! amplify-local's JWT check, list and auth filtering, and the client's JSON parsing and flattening. Extra cases
//! show where the time goes: a one-field selection set, the same request without the library (raw HTTP, body not
//! parsed), and a request with no items (`{ __typename }`); the client's JSON parse of a 1,000-item body is timed
//! on its own.
//!
//! It prints a markdown table of requests per second and p50 / p90 / p99 latency (nearest rank over the recorded
//! durations). Nothing is asserted about the timings; the results are checked (1,000 / 20 items, no errors) outside
//! the timed section.

#![allow(missing_docs)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use amplify_ssr::ServerRunner;
use amplify_ssr::data::{
    DataClient, GraphqlRequest, ListOptions, ModelClient, ModelOperation, ModelOptions,
};
use http::{HeaderMap, HeaderValue, header};
use serde_json::{Value, json};

const ITEMS: usize = 1_000;
const CONCURRENCY: usize = 8;
const WARM_UP: usize = 10;

/// What one measured call does; returns the number of items it got back.
#[derive(Clone, Copy, Debug)]
enum Case {
    /// `list_all` with `limit(1000)`: one request, 1,000 items.
    ListAll1000,
    /// The same with the selection set `["id"]`: 1,000 items of one field each (how much the fields cost).
    ListAll1000IdOnly,
    /// `list` with `limit(20)`: one request, the first 20 items.
    Page20,
    /// The `limit(1000)` request without the library: the same document and access token POSTed with the runner's
    /// reqwest client, the body read but not parsed (amplify-local and HTTP only).
    RawHttp1000,
    /// `list_all` with the default page size (amplify-local's 100): 10 requests.
    ListAllDefaultPages,
    /// `DataClient::graphql` with `query { __typename }`: the fixed cost of a request (context, token, HTTP, JWT
    /// check), no items.
    Baseline,
}

impl Case {
    fn label(self) -> &'static str {
        match self {
            Self::ListAll1000 => "`list_all`, `limit(1000)`: 1 request, 1,000 items",
            Self::ListAll1000IdOnly => {
                "`list_all`, `limit(1000)`, selection set `[\"id\"]`: 1 request, 1,000 items"
            }
            Self::Page20 => "`list`, `limit(20)`: 1 request, 20 items",
            Self::RawHttp1000 => {
                "raw HTTP, same 1,000-item request, body not parsed (amplify-local + HTTP only)"
            }
            Self::ListAllDefaultPages => {
                "`list_all`, default page size (100): 10 requests, 1,000 items"
            }
            Self::Baseline => "baseline: `DataClient::graphql` `{ __typename }`, no items",
        }
    }

    fn expected_items(self) -> usize {
        match self {
            Self::ListAll1000
            | Self::ListAll1000IdOnly
            | Self::ListAllDefaultPages
            | Self::RawHttp1000 => ITEMS,
            Self::Page20 => 20,
            Self::Baseline => 0,
        }
    }
}

struct Bench {
    runner: ServerRunner,
    client: DataClient,
    todo: ModelClient,
    cookie: HeaderMap,
    /// For [`Case::RawHttp1000`]: the list document, the access token, and the body length of the answer.
    list_document: String,
    access_token: String,
    raw_len: usize,
}

impl Bench {
    async fn call(&self, case: Case) -> usize {
        // A handler builds a context per request from the request's cookies.
        let ctx = self.runner.context(&self.cookie);
        match case {
            Case::ListAll1000
            | Case::ListAll1000IdOnly
            | Case::Page20
            | Case::ListAllDefaultPages => {
                let result = match case {
                    Case::ListAll1000 => {
                        self.todo
                            .list_all(&ctx, ListOptions::new().limit(1000))
                            .await
                    }
                    Case::ListAll1000IdOnly => {
                        self.todo
                            .list_all(&ctx, ListOptions::new().limit(1000).selection_set(["id"]))
                            .await
                    }
                    Case::Page20 => self.todo.list(&ctx, ListOptions::new().limit(20)).await,
                    _ => self.todo.list_all(&ctx, ListOptions::new()).await,
                }
                .expect("list");
                assert!(result.errors.is_empty(), "{:?}", result.errors);
                result.data.len()
            }
            Case::RawHttp1000 => {
                let body = self.raw_list().await;
                // The same 1,000 items every time, so the same bytes: checked without parsing.
                assert_eq!(body.len(), self.raw_len);
                ITEMS
            }
            Case::Baseline => {
                let response = self
                    .client
                    .graphql(&ctx, GraphqlRequest::new("query { __typename }"))
                    .await
                    .expect("graphql");
                assert_eq!(response.data["__typename"], "Query");
                0
            }
        }
    }
}

impl Bench {
    async fn raw_list(&self) -> bytes::Bytes {
        let body = json!({"query": self.list_document, "variables": {"limit": 1000}}).to_string();
        let response = self
            .runner
            .http_client()
            .post(self.client.endpoint().clone())
            .header(header::CONTENT_TYPE, "application/json; charset=UTF-8")
            .header(header::AUTHORIZATION, &self.access_token)
            .body(body)
            .send()
            .await
            .expect("raw request");
        assert!(response.status().is_success(), "{}", response.status());
        response.bytes().await.expect("raw body")
    }
}

/// The outcome of one case in one mode.
struct Run {
    durations: Vec<Duration>,
    wall: Duration,
}

impl Run {
    fn per_second(&self) -> f64 {
        self.durations.len() as f64 / self.wall.as_secs_f64()
    }

    /// Nearest-rank percentile of the recorded durations, in milliseconds.
    fn percentile_ms(&self, p: f64) -> f64 {
        let mut sorted = self.durations.clone();
        sorted.sort_unstable();
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1e3
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `case` from `tasks` concurrent tasks until `iterations` calls have completed or `budget` has passed.
async fn measure(
    bench: &Arc<Bench>,
    case: Case,
    tasks: usize,
    iterations: usize,
    budget: Duration,
) -> Run {
    // Warm-up: connections, verified-token cache, allocator.
    for _ in 0..WARM_UP {
        assert_eq!(bench.call(case).await, case.expected_items());
    }
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + budget;
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..tasks {
        let (bench, next) = (Arc::clone(bench), Arc::clone(&next));
        set.spawn(async move {
            let mut durations = Vec::new();
            let mut counts = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < iterations && Instant::now() < deadline {
                let call = Instant::now();
                let items = bench.call(case).await;
                durations.push(call.elapsed());
                counts.push(items);
            }
            (durations, counts)
        });
    }
    let mut durations = Vec::with_capacity(iterations);
    while let Some(joined) = set.join_next().await {
        let (mut mine, counts) = joined.expect("task");
        // Checked after the clock: every call got the whole page.
        assert!(
            counts.iter().all(|&n| n == case.expected_items()),
            "{case:?}"
        );
        durations.append(&mut mine);
    }
    Run {
        durations,
        wall: started.elapsed(),
    }
}

async fn setup() -> (common::SignedIn, Bench) {
    // Signed in through the library, its cookies kept as a Cookie header.
    let session = common::signed_in().await;
    let runner = session.runner.clone();
    let mut headers = HeaderMap::new();
    headers.insert(
        header::COOKIE,
        HeaderValue::from_str(&session.cookie).expect("cookie header"),
    );

    let client = DataClient::new(&runner).expect("data section");
    let todo = client.model("Todo").expect("Todo model");
    let list_document = todo
        .document(ModelOperation::List, None)
        .expect("list document");
    let access_token =
        amplify_ssr::fetch_auth_session(&runner.context(&headers), Default::default())
            .await
            .expect("session")
            .tokens
            .expect("signed in")
            .access_token
            .secret()
            .to_owned();
    let bench = Bench {
        runner,
        client,
        todo,
        cookie: headers,
        list_document,
        access_token,
        raw_len: 0,
    };
    (session, bench)
}

/// Creates the todos through the model client, `CONCURRENCY` in flight.
async fn create_todos(bench: &Arc<Bench>) -> Duration {
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (bench, next) = (Arc::clone(bench), Arc::clone(&next));
        set.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= ITEMS {
                    break;
                }
                let ctx = bench.runner.context(&bench.cookie);
                let created = bench
                    .todo
                    .create(
                        &ctx,
                        json!({"content": format!("todo number {n:04}, with a little text"), "done": n % 3 == 0}),
                        ModelOptions::new(),
                    )
                    .await
                    .expect("create");
                assert!(created.errors.is_empty(), "{:?}", created.errors);
            }
        });
    }
    while let Some(joined) = set.join_next().await {
        joined.expect("create task");
    }
    started.elapsed()
}

/// Client-side JSON cost of a 1,000-item response, without HTTP: parsing a body of the same shape and
/// serialising it back (about what amplify-local does to write it).
fn json_costs(items: &[Value]) -> (usize, Duration, Duration) {
    let body =
        serde_json::to_vec(&json!({"data": {"listTodos": {"items": items, "nextToken": null}}}))
            .expect("serialise");
    let rounds = 50;
    let started = Instant::now();
    let mut parsed = Value::Null;
    for _ in 0..rounds {
        parsed = serde_json::from_slice(std::hint::black_box(&body)).expect("parse");
    }
    let parse = started.elapsed() / rounds;
    let started = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(serde_json::to_vec(&parsed).expect("serialise"));
    }
    let write = started.elapsed() / rounds;
    (body.len(), parse, write)
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    let iterations = env_number("MODEL_LIST_ITERATIONS", 200) as usize;
    let budget = Duration::from_secs(env_number("MODEL_LIST_SECONDS", 30));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (session, bench) = setup().await;
        let backend = &session.backend;
        let mut bench = Arc::new(bench);
        let took = create_todos(&bench).await;
        assert_eq!(
            backend.graphql_item_count("Todo").expect("count"),
            ITEMS as u64
        );
        eprintln!(
            "created {ITEMS} todos in {:.1} s ({CONCURRENCY} in flight, {:.0} creates/s)",
            took.as_secs_f64(),
            ITEMS as f64 / took.as_secs_f64()
        );

        let ctx = bench.runner.context(&bench.cookie);
        let all = bench
            .todo
            .list_all(&ctx, ListOptions::new().limit(1000))
            .await
            .expect("list");
        let (bytes, parse, write) = json_costs(&all.data);
        let raw = bench.raw_list().await;
        let parsed: Value = serde_json::from_slice(&raw).expect("raw body is JSON");
        assert_eq!(
            parsed["data"]["listTodos"]["items"].as_array().map(Vec::len),
            Some(ITEMS)
        );
        Arc::get_mut(&mut bench).expect("no other handle").raw_len = raw.len();

        println!(
            "\n| case | tasks | calls | requests/s | p50 | p90 | p99 |\n|---|---|---|---|---|---|---|"
        );
        for case in [
            Case::ListAll1000,
            Case::ListAll1000IdOnly,
            Case::Page20,
            Case::RawHttp1000,
            Case::ListAllDefaultPages,
            Case::Baseline,
        ] {
            for tasks in [1, CONCURRENCY] {
                let run = measure(&bench, case, tasks, iterations, budget).await;
                let requests = match case {
                    Case::ListAllDefaultPages => 10.0,
                    _ => 1.0,
                };
                println!(
                    "| {} | {tasks} | {} | {:.1}{} | {:.2} ms | {:.2} ms | {:.2} ms |",
                    case.label(),
                    run.durations.len(),
                    run.per_second() * requests,
                    if requests > 1.0 {
                        format!(" ({:.1} lists/s)", run.per_second())
                    } else {
                        String::new()
                    },
                    run.percentile_ms(50.0),
                    run.percentile_ms(90.0),
                    run.percentile_ms(99.0),
                );
            }
        }
        println!(
            "\nclient-side JSON of a 1,000-item `listTodos` response ({:.0} KB): parse {:.2} ms, serialise {:.2} ms",
            bytes as f64 / 1024.0,
            parse.as_secs_f64() * 1e3,
            write.as_secs_f64() * 1e3
        );
        drop(bench);
        session.backend.shutdown().await;
    });
}
