//! Memory stays flat as users grow: the process's resident memory after 100,000 distinct valid sessions, and after
//! 100,000 distinct forged tokens, each checked once by route protection, against the bound of the runner's
//! verified-token cache.
//!
//! Run with `cargo bench -p amplify-ssr --bench memory` (`SESSIONS=n` to change the count); it prints a Markdown
//! table for BENCHMARKS.md. Tokens are signed here with a fresh RSA-2048 key whose JWKS is served on a loopback
//! port, so every session is a real, distinct Cognito-shaped pair of tokens (signing them takes most of the run).

#![allow(missing_docs)]

use std::time::{SystemTime, UNIX_EPOCH};

use amplify_ssr::guard::{Access, check_access};
use amplify_ssr::{AmplifyConfig, ServerRunner};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{HeaderMap, HeaderValue, header};
use serde_json::{Value, json};

const POOL: &str = "us-east-1_MemBench1";
const CLIENT: &str = "membenchclient";
const BATCH: usize = 1_000;

struct Signer {
    key: RsaKeyPair,
    kid: String,
    rng: SystemRandom,
}

impl Signer {
    fn new() -> Self {
        let key = RsaKeyPair::generate(KeySize::Rsa2048).expect("key");
        Self {
            key,
            kid: "membench".into(),
            rng: SystemRandom::new(),
        }
    }

    fn jwks(&self) -> Value {
        let components = PublicKeyComponents::<Vec<u8>>::from(self.key.public_key());
        json!({"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(&components.n), "e": URL_SAFE_NO_PAD.encode(&components.e)}]})
    }

    fn sign(&self, claims: &Value) -> String {
        let header = json!({"kid": self.kid, "alg": "RS256"});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &self.rng,
                input.as_bytes(),
                &mut signature,
            )
            .expect("sign");
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// The cookie header of session `n`: a distinct user with Cognito-shaped access and id tokens.
    fn session(&self, n: usize, forged: bool) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        let iss = format!("https://cognito-idp.us-east-1.amazonaws.com/{POOL}");
        let sub = format!("{n:08x}-1111-4222-8333-444455556666");
        let origin = format!("{n:08x}-aaaa-4bbb-8ccc-ddddeeeeffff");
        let access = json!({"sub": sub, "iss": iss, "client_id": CLIENT, "origin_jti": origin,
            "event_id": origin, "token_use": "access", "scope": "aws.cognito.signin.user.admin",
            "auth_time": now, "exp": now + 3600, "iat": now, "jti": format!("{n:08x}-a"), "username": sub});
        let id = json!({"sub": sub, "email_verified": true, "iss": iss, "cognito:username": sub,
            "origin_jti": origin, "aud": CLIENT, "event_id": origin, "token_use": "id", "auth_time": now,
            "exp": now + 3600, "iat": now, "jti": format!("{n:08x}-i"), "email": format!("user{n}@example.com")});
        let (mut access, id) = (self.sign(&access), self.sign(&id));
        if forged {
            // Another user's claims under this signature: the same shape, a signature that does not match.
            let mut parts: Vec<&str> = access.split('.').collect();
            let other = URL_SAFE_NO_PAD.encode(
                json!({"sub": "forged", "iss": format!("https://cognito-idp.us-east-1.amazonaws.com/{POOL}"),
                       "client_id": CLIENT, "token_use": "access", "exp": now + 3600, "n": n})
                .to_string(),
            );
            parts[1] = &other;
            access = parts.join(".");
        }
        let prefix = format!("CognitoIdentityServiceProvider.{CLIENT}");
        format!(
            "{prefix}.LastAuthUser={sub}; {prefix}.{sub}.accessToken={access}; {prefix}.{sub}.idToken={id}"
        )
    }
}

/// Resident and peak memory of this process, in MiB (Linux `/proc/self/status`).
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<f64>()
                    .ok()
            })
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn main() {
    let sessions: usize = std::env::var("SESSIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let signer = Signer::new();
    let jwks = signer.jwks();
    let jwks_url = rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let app = axum::Router::new().route(
            "/jwks.json",
            axum::routing::get(move || {
                let jwks = jwks.clone();
                async move { axum::Json(jwks) }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{address}/jwks.json")
    });
    let config = AmplifyConfig::from_value(
        &json!({"version": "1.4", "auth": {"aws_region": "us-east-1",
        "user_pool_id": POOL, "user_pool_client_id": CLIENT}}),
    )
    .expect("config");
    let runner = ServerRunner::builder(config)
        .ignore_env()
        .jwks_url(&jwks_url)
        .build()
        .expect("runner");

    let check = |cookie: &str| {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(cookie).expect("cookie"),
        );
        let ctx = runner.context(&headers);
        rt.block_on(check_access(&ctx))
    };
    // Warm up: the JWKS, the runtime, lazily built statics.
    for n in 0..100 {
        assert!(matches!(check(&signer.session(n, false)), Access::Allowed));
    }
    let baseline = memory();

    // Resident memory after this many sessions of the valid run, to show where it levels off.
    let checkpoints = [sessions / 10, sessions / 4, sessions / 2];
    let mut readings = Vec::new();
    let mut run = |forged: bool| {
        let mut done = 0;
        while done < sessions {
            let batch = BATCH.min(sessions - done);
            // Sign on every core (signing dominates the run), then check one session at a time.
            let cookies: Vec<String> = std::thread::scope(|scope| {
                let workers: Vec<_> = (0..2)
                    .map(|worker| {
                        let signer = &signer;
                        scope.spawn(move || {
                            (done..done + batch)
                                .filter(|n| n % 2 == worker)
                                .map(|n| signer.session(1_000 + n, forged))
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .flat_map(|w| w.join().expect("signer"))
                    .collect()
            });
            for cookie in &cookies {
                let access = check(cookie);
                assert_eq!(
                    matches!(access, Access::Allowed),
                    !forged,
                    "every valid session is allowed and every forged one refused"
                );
            }
            done += batch;
            if !forged && checkpoints.contains(&done) {
                readings.push((format!("{done} distinct valid sessions"), memory()));
            }
        }
        memory()
    };
    let after_valid = run(false);
    let after_forged = run(true);
    println!("| after | resident (VmRSS) | peak (VmHWM) |");
    println!("|---|---:|---:|");
    let rows = std::iter::once(("warm-up (100 sessions)".to_owned(), baseline))
        .chain(readings)
        .chain([
            (format!("{sessions} distinct valid sessions"), after_valid),
            (
                format!("then {sessions} distinct forged tokens"),
                after_forged,
            ),
        ]);
    for (name, (rss, hwm)) in rows {
        println!("| {name} | {rss:.1} MiB | {hwm:.1} MiB |");
    }
}
