//! Three demo instances behind a round-robin proxy, sharing one amplify-local (refresh-token rotation on, no
//! grace period) and, for the shared cases, one Debian `redis-server` started here on a free port.
//!
//! Expired sessions come from amplify-local's clock: it is moved back two hours for a sign-in, so the tokens
//! it issues have already expired by the system clock, and then forward again for the refreshes.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use amplify_demo::app::{DEMO_PASSWORD, DEMO_USERNAME};
use amplify_local::{LocalBackend, LocalOptions};
use amplify_ssr::secret::CookieEncryptionKey;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};
use tokio::net::{TcpListener, TcpStream};

const REFRESH_OPERATION: &str = "GetTokensFromRefreshToken";
#[path = "../../../crates/amplify-ssr/tests/common/eventually.rs"]
mod eventually;
use eventually::eventually;
#[path = "../../../crates/amplify-ssr/tests/common/redis_server.rs"]
mod redis_server;

use redis_server::RedisServer;

struct Fleet {
    backend: LocalBackend,
    demos: Vec<amplify_demo::RunningDemo>,
    proxy: String,
    _dir: tempfile::TempDir,
}

impl Fleet {
    async fn start(redis: Option<&RedisServer>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let options = LocalOptions::new(dir.path().join("backend"))
            .with_rotate_refresh_tokens(true)
            .with_refresh_token_grace_period(Duration::ZERO);
        let mut options = options;
        options.port = 0;
        let backend = LocalBackend::start(options).await.unwrap();
        backend
            .create_user(DEMO_USERNAME, DEMO_PASSWORD, &[("email", DEMO_USERNAME)])
            .unwrap();
        let outputs: PathBuf = dir.path().join("amplify_outputs.json");
        backend.write_outputs(&outputs).unwrap();
        let key = CookieEncryptionKey::generate().unwrap();
        let mut demos = Vec::new();
        for n in 0..3 {
            let mut options = amplify_demo::DemoOptions::new(dir.path().join(format!("demo{n}")));
            options.port = 0;
            options.outputs = Some(outputs.clone());
            options.redis_url = redis.map(RedisServer::url);
            // Generous: a loaded test machine must not turn a slow answer into the fall-back (a stopped server
            // refuses connections at once, so the outage below is not slowed by it).
            options.store_timeout = Some(Duration::from_secs(5));
            options.cookie_key = Some(key.clone());
            demos.push(amplify_demo::start(options).await.unwrap());
        }
        let proxy = round_robin_proxy(demos.iter().map(|demo| addr(&demo.url)).collect()).await;
        Self {
            backend,
            demos,
            proxy,
            _dir: dir,
        }
    }

    fn refreshes(&self) -> u64 {
        self.backend.operation_count(REFRESH_OPERATION)
    }

    /// The cookies of a fresh sign-in whose tokens have already expired by the system clock.
    async fn expired_session(&self) -> Vec<(String, String)> {
        self.backend.clock().rewind(Duration::from_secs(2 * 3600));
        let cookies = sign_in(&self.demos[0].url).await;
        self.backend.clock().advance(Duration::from_secs(2 * 3600));
        cookies
    }
}

fn addr(url: &str) -> SocketAddr {
    url.trim_start_matches("http://").parse().unwrap()
}

/// A TCP proxy that sends each connection to the next backend in turn.
async fn round_robin_proxy(backends: Vec<SocketAddr>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let next = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        loop {
            let Ok((mut inbound, _)) = listener.accept().await else {
                return;
            };
            let backend = backends[next.fetch_add(1, Ordering::Relaxed) % backends.len()];
            tokio::spawn(async move {
                if let Ok(mut outbound) = TcpStream::connect(backend).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    url
}

/// One connection per request, so the proxy spreads requests over the instances.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Name/value pairs of a response's `Set-Cookie` headers (removals included, with empty values).
fn set_cookies(response: &reqwest::Response) -> Vec<(String, String)> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| {
            let pair = value.to_str().ok()?.split(';').next()?;
            let (name, value) = pair.split_once('=')?;
            Some((name.trim().to_owned(), value.trim().to_owned()))
        })
        .collect()
}

fn cookie_header(cookies: &[(String, String)]) -> String {
    cookies
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn value<'a>(cookies: &'a [(String, String)], suffix: &str) -> Option<&'a str> {
    cookies
        .iter()
        .find(|(name, _)| name.ends_with(suffix))
        .map(|(_, value)| value.as_str())
}

async fn sign_in(url: &str) -> Vec<(String, String)> {
    let response = client()
        .post(format!("{url}/sign-in"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("username", DEMO_USERNAME), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookies = set_cookies(&response);
    assert!(value(&cookies, ".refreshToken").is_some(), "{cookies:?}");
    cookies
}

/// `count` concurrent requests to the current-user API, through `url`, with `cookies`: each answer's status and
/// new cookies.
async fn storm(
    url: &str,
    cookies: &[(String, String)],
    count: usize,
) -> Vec<(StatusCode, Vec<(String, String)>)> {
    let header = cookie_header(cookies);
    let client = client();
    let requests = (0..count).map(|_| {
        let request = client
            .get(format!("{url}/apis/get-current-user"))
            .header(COOKIE, header.clone());
        async move {
            let response = request.send().await.unwrap();
            (response.status(), set_cookies(&response))
        }
    });
    futures_util::future::join_all(requests).await
}

async fn status_with(url: &str, cookies: &[(String, String)]) -> StatusCode {
    client()
        .get(format!("{url}/apis/get-current-user"))
        .header(COOKIE, cookie_header(cookies))
        .send()
        .await
        .unwrap()
        .status()
}

/// The access, id and LastAuthUser cookies only: with no refresh token, a refused access token cannot be
/// replaced by a refresh.
fn without_refresh(cookies: &[(String, String)]) -> Vec<(String, String)> {
    cookies
        .iter()
        .filter(|(name, value)| !name.ends_with(".refreshToken") && !value.is_empty())
        .cloned()
        .collect()
}

/// The new session every response of a storm set: asserts they all agree and returns it.
fn one_new_session(answers: &[(StatusCode, Vec<(String, String)>)]) -> Vec<(String, String)> {
    let first = &answers[0].1;
    let access = value(first, ".accessToken").expect("a new access token");
    for (status, cookies) in answers {
        assert_eq!(*status, StatusCode::OK);
        assert_eq!(
            value(cookies, ".accessToken"),
            Some(access),
            "every response carries the same tokens"
        );
        assert_eq!(
            value(cookies, ".refreshToken"),
            value(first, ".refreshToken")
        );
        assert_eq!(value(cookies, ".idToken"), value(first, ".idToken"));
    }
    first.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_share_refreshes_and_sign_outs_through_redis_and_survive_its_outage() {
    let mut redis = RedisServer::start();
    let fleet = Fleet::start(Some(&redis)).await;

    // 300 concurrent requests with one expired session, spread over the three instances: one refresh.
    let expired = fleet.expired_session().await;
    let before = fleet.refreshes();
    let answers = storm(&fleet.proxy, &expired, 300).await;
    assert_eq!(
        fleet.refreshes() - before,
        1,
        "exactly one refresh reaches amplify-local"
    );
    let session = one_new_session(&answers);
    assert_ne!(
        value(&session, ".refreshToken"),
        value(&expired, ".refreshToken"),
        "rotated"
    );

    // A sign-out through one instance: every instance refuses the old access token.
    let access_only = without_refresh(&session);
    for demo in &fleet.demos {
        assert_eq!(status_with(&demo.url, &access_only).await, StatusCode::OK);
    }
    let signed_out = client()
        .post(format!("{}/sign-out", fleet.demos[1].url))
        .header("sec-fetch-site", "same-origin")
        .header(COOKIE, cookie_header(&session))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
    for demo in &fleet.demos {
        eventually(
            "every instance refuses the signed-out session",
            async || status_with(&demo.url, &access_only).await == StatusCode::UNAUTHORIZED,
        )
        .await;
    }

    // Redis stops: a valid session keeps working everywhere, and refreshes still happen, one per instance at most.
    let valid = one_new_session(&storm(&fleet.proxy, &fleet.expired_session().await, 30).await);
    // A session signed out while Redis is down (verified by every instance first).
    let doomed = one_new_session(&storm(&fleet.proxy, &fleet.expired_session().await, 30).await);
    for demo in &fleet.demos {
        assert_eq!(
            status_with(&demo.url, &without_refresh(&doomed)).await,
            StatusCode::OK
        );
    }
    redis.stop();
    let signed_out = client()
        .post(format!("{}/sign-out", fleet.demos[0].url))
        .header("sec-fetch-site", "same-origin")
        .header(COOKIE, cookie_header(&doomed))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        status_with(&fleet.demos[0].url, &without_refresh(&doomed)).await,
        StatusCode::UNAUTHORIZED,
        "the instance that saw the sign-out refuses it at once"
    );
    for demo in &fleet.demos {
        assert_eq!(
            status_with(&demo.url, &without_refresh(&valid)).await,
            StatusCode::OK
        );
    }
    let expired = fleet.expired_session().await;
    let before = fleet.refreshes();
    let answers = storm(&fleet.proxy, &expired, 30).await;
    let during = fleet.refreshes() - before;
    assert!(
        (1..=3).contains(&during),
        "{during} refreshes during the outage"
    );
    assert!(answers.iter().any(|(status, _)| *status == StatusCode::OK));

    // Redis returns: nothing was lost, and sharing resumes.
    redis.spawn();
    for demo in &fleet.demos {
        assert_eq!(
            status_with(&demo.url, &without_refresh(&valid)).await,
            StatusCode::OK
        );
    }
    eventually("refreshes are shared again", async || {
        let expired = fleet.expired_session().await;
        let before = fleet.refreshes();
        let answers = storm(&fleet.proxy, &expired, 30).await;
        fleet.refreshes() - before == 1
            && answers.iter().all(|(status, _)| *status == StatusCode::OK)
    })
    .await;
    // The sign-out made during the outage reaches the other instances now that Redis is back.
    for demo in &fleet.demos {
        eventually(
            "every instance refuses the session signed out during the outage",
            async || {
                status_with(&demo.url, &without_refresh(&doomed)).await == StatusCode::UNAUTHORIZED
            },
        )
        .await;
    }
    let signed_out = client()
        .post(format!("{}/sign-out", fleet.demos[2].url))
        .header("sec-fetch-site", "same-origin")
        .header(COOKIE, cookie_header(&valid))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
    for demo in &fleet.demos {
        eventually(
            "every instance refuses the session signed out after the outage",
            async || {
                status_with(&demo.url, &without_refresh(&valid)).await == StatusCode::UNAUTHORIZED
            },
        )
        .await;
    }
    for demo in fleet.demos {
        demo.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_a_shared_store_each_instance_refreshes_at_most_once() {
    let fleet = Fleet::start(None).await;
    let expired = fleet.expired_session().await;
    let before = fleet.refreshes();
    let answers = storm(&fleet.proxy, &expired, 300).await;
    let refreshes = fleet.refreshes() - before;
    // One refresh per instance (each got requests): one wins, and Cognito refuses the other two as reuses of a
    // rotated token, so their requests lose the session. Rotation without grace needs the shared store.
    assert_eq!(refreshes, 3, "one refresh per instance");
    assert!(answers.iter().any(|(status, _)| *status == StatusCode::OK));
    assert!(
        answers.iter().any(|(status, _)| *status != StatusCode::OK),
        "the instances that lost the race sign their requests out"
    );
    for demo in fleet.demos {
        demo.shutdown().await;
    }
}
