use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use serde_json::{Value, json};

use super::decode::b64_encode;
use super::error::truncated;
use super::*;
use crate::cognito::test_http::{Reply, TestServer, closed_port_url};

const ISS: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool";
const CLIENT: &str = "client-abc";

struct TestKey {
    kid: &'static str,
    pair: KeyPair,
}

impl TestKey {
    fn jwk(&self) -> Value {
        let public = self.pair.public_key();
        json!({
            "kty": "RSA",
            "kid": self.kid,
            "alg": "RS256",
            "use": "sig",
            "n": b64_encode(public.modulus().big_endian_without_leading_zero()),
            "e": b64_encode(public.exponent().big_endian_without_leading_zero()),
        })
    }

    fn sign_raw(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            b64_encode(header.to_string().as_bytes()),
            b64_encode(claims.to_string().as_bytes())
        );
        let mut signature = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut signature,
            )
            .expect("sign");
        format!("{input}.{}", b64_encode(&signature))
    }

    fn sign(&self, claims: &Value) -> String {
        self.sign_raw(
            &json!({"alg": "RS256", "kid": self.kid, "typ": "JWT"}),
            claims,
        )
    }
}

fn keys() -> &'static [TestKey] {
    static KEYS: OnceLock<Vec<TestKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        ["key-0", "key-1", "key-2"]
            .into_iter()
            .map(|kid| TestKey {
                kid,
                pair: KeyPair::generate(KeySize::Rsa2048).expect("keygen"),
            })
            .collect()
    })
}

fn now() -> SystemTime {
    SystemTime::now()
}

fn secs(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH).expect("after epoch").as_secs() as i64
}

fn access_claims(now: SystemTime) -> Value {
    let t = secs(now);
    json!({
        "iss": ISS, "sub": "sub-1", "client_id": CLIENT, "token_use": "access", "username": "alice",
        "scope": "aws.cognito.signin.user.admin", "iat": t - 10, "auth_time": t - 10, "exp": t + 3600,
        "origin_jti": "o-1", "jti": "j-1",
    })
}

fn id_claims(now: SystemTime) -> Value {
    let t = secs(now);
    json!({
        "iss": ISS, "sub": "sub-1", "aud": CLIENT, "token_use": "id", "cognito:username": "alice",
        "email": "alice@example.com", "iat": t - 10, "exp": t + 3600,
    })
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

fn without(mut claims: Value, key: &str) -> Value {
    claims.as_object_mut().expect("object").remove(key);
    claims
}

/// A JWKS server whose document can be swapped.
struct Jwks {
    server: TestServer,
    doc: Arc<Mutex<Value>>,
}

impl Jwks {
    async fn serving(kids: &[usize]) -> Self {
        let doc = Arc::new(Mutex::new(Value::Null));
        let shared = Arc::clone(&doc);
        let server =
            TestServer::start(move |_, _| Reply::json(200, &shared.lock().expect("lock"))).await;
        let jwks = Self { server, doc };
        jwks.serve(kids);
        jwks
    }

    fn serve(&self, kids: &[usize]) {
        let keys: Vec<Value> = kids.iter().map(|&i| keys()[i].jwk()).collect();
        *self.doc.lock().expect("lock") = json!({ "keys": keys });
    }

    fn set_doc(&self, doc: Value) {
        *self.doc.lock().expect("lock") = doc;
    }

    fn url(&self) -> url::Url {
        self.server
            .url
            .join("us-east-1_TestPool/.well-known/jwks.json")
            .expect("url")
    }

    fn verifier(&self) -> TokenVerifier {
        self.verifier_with(|c| c)
    }

    fn verifier_with(&self, configure: impl FnOnce(JwksCache) -> JwksCache) -> TokenVerifier {
        let cache = configure(JwksCache::new(reqwest::Client::new(), self.url()));
        TokenVerifier::new(Arc::new(cache), ISS, CLIENT)
    }
}

#[tokio::test]
async fn valid_access_and_id_tokens_verify() {
    let jwks = Jwks::serving(&[0, 1]).await;
    let verifier = jwks.verifier();
    let now = now();

    let access = verifier
        .verify(&keys()[0].sign(&access_claims(now)), TokenUse::Access, now)
        .await
        .expect("access");
    assert!(!access.expired);
    assert_eq!(access.claims.username(), Some("alice"));
    assert_eq!(access.claims.client_id(), Some(CLIENT));
    assert_eq!(access.claims.sub(), Some("sub-1"));
    assert_eq!(access.claims.iss(), Some(ISS));
    assert_eq!(access.claims.token_use(), Some("access"));
    assert_eq!(access.claims.origin_jti(), Some("o-1"));
    assert_eq!(access.claims.exp(), Some(secs(now) + 3600));
    assert_eq!(access.claims.iat(), Some(secs(now) - 10));
    assert_eq!(access.claims.nbf(), None);

    let id = verifier
        .verify(&keys()[1].sign(&id_claims(now)), TokenUse::Id, now)
        .await
        .expect("id");
    assert!(!id.expired);
    assert_eq!(id.claims.cognito_username(), Some("alice"));
    assert_eq!(id.claims.str("email"), Some("alice@example.com"));

    // aud as an array containing the client id.
    let token = keys()[0].sign(&with(id_claims(now), "aud", json!(["other", CLIENT])));
    verifier
        .verify(&token, TokenUse::Id, now)
        .await
        .expect("aud array");

    // One fetch served everything.
    assert_eq!(jwks.server.hits(), 1);
    let request = &jwks.server.requests()[0];
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/us-east-1_TestPool/.well-known/jwks.json");
}

#[tokio::test]
async fn expired_token_is_reported_as_refreshable() {
    let jwks = Jwks::serving(&[0]).await;
    let verifier = jwks.verifier();
    let now = now();
    let t = secs(now);
    let token = keys()[0].sign(&with(access_claims(now), "exp", json!(t - 1)));
    let verified = verifier
        .verify(&token, TokenUse::Access, now)
        .await
        .expect("expired is Ok");
    assert!(verified.expired);
    // exp == now is expired too (no grace).
    let token = keys()[0].sign(&with(id_claims(now), "exp", json!(t)));
    assert!(
        verifier
            .verify(&token, TokenUse::Id, now)
            .await
            .expect("ok")
            .expired
    );
}

#[tokio::test]
async fn expired_token_must_still_pass_issuer_and_client_checks() {
    let jwks = Jwks::serving(&[0]).await;
    let verifier = jwks.verifier();
    let now = now();
    let past = json!(secs(now) - 100);

    let token = keys()[0].sign(&with(
        with(access_claims(now), "exp", past.clone()),
        "client_id",
        json!("other"),
    ));
    let err = verifier
        .verify(&token, TokenUse::Access, now)
        .await
        .expect_err("wrong client");
    assert!(matches!(err, VerifyError::WrongClientId), "{err:?}");

    let token = keys()[0].sign(&with(
        with(id_claims(now), "exp", past.clone()),
        "aud",
        json!("other"),
    ));
    let err = verifier
        .verify(&token, TokenUse::Id, now)
        .await
        .expect_err("wrong aud");
    assert!(matches!(err, VerifyError::WrongAudience), "{err:?}");

    let token = keys()[0].sign(&with(
        with(access_claims(now), "exp", past.clone()),
        "iss",
        json!("https://evil"),
    ));
    let err = verifier
        .verify(&token, TokenUse::Access, now)
        .await
        .expect_err("wrong iss");
    assert!(matches!(err, VerifyError::WrongIssuer { .. }), "{err:?}");

    let token = keys()[0].sign(&with(access_claims(now), "exp", past));
    let err = verifier
        .verify(&token, TokenUse::Id, now)
        .await
        .expect_err("wrong use");
    assert!(
        matches!(
            err,
            VerifyError::WrongTokenUse {
                expected: TokenUse::Id,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn alg_none_and_other_algorithms_are_rejected_without_fetching_keys() {
    let jwks = Jwks::serving(&[0]).await;
    let verifier = jwks.verifier();
    let now = now();
    let payload = b64_encode(access_claims(now).to_string().as_bytes());
    for alg in ["none", "None", "HS256", "RS512", "PS256", "ES256", ""] {
        let header = b64_encode(json!({"alg": alg, "kid": "key-0"}).to_string().as_bytes());
        for signature in ["", "c2lnbmF0dXJl"] {
            let token = format!("{header}.{payload}.{signature}");
            let err = verifier
                .verify(&token, TokenUse::Access, now)
                .await
                .expect_err(alg);
            assert!(
                matches!(&err, VerifyError::UnsupportedAlgorithm(a) if a == alg),
                "{alg}: {err:?}"
            );
            assert!(!err.is_transient());
        }
    }
    assert_eq!(jwks.server.hits(), 0);
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_is_rejected() {
    let jwks = Jwks::serving(&[0]).await;
    let verifier = jwks.verifier();
    let now = now();
    let public = keys()[0].pair.public_key();
    let header = b64_encode(
        json!({"alg": "HS256", "kid": "key-0"})
            .to_string()
            .as_bytes(),
    );
    let payload = b64_encode(access_claims(now).to_string().as_bytes());
    let input = format!("{header}.{payload}");
    for secret in [
        public.as_ref().to_vec(),
        keys()[0].jwk().to_string().into_bytes(),
    ] {
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &secret);
        let tag = aws_lc_rs::hmac::sign(&key, input.as_bytes());
        let token = format!("{input}.{}", b64_encode(tag.as_ref()));
        let err = verifier
            .verify(&token, TokenUse::Access, now)
            .await
            .expect_err("hs256");
        assert!(
            matches!(err, VerifyError::UnsupportedAlgorithm(ref a) if a == "HS256"),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn signature_by_another_key_with_the_same_kid_is_rejected() {
    let jwks = Jwks::serving(&[0]).await;
    let verifier = jwks.verifier();
    let now = now();
    let forged = keys()[1].sign_raw(
        &json!({"alg": "RS256", "kid": "key-0"}),
        &access_claims(now),
    );
    let err = verifier
        .verify(&forged, TokenUse::Access, now)
        .await
        .expect_err("forged");
    assert!(matches!(err, VerifyError::BadSignature), "{err:?}");
    assert!(err.is_signature_error());
}

#[tokio::test]
async fn tampered_payload_or_signature_is_rejected() {
    let jwks = Jwks::serving(&[0]).await;
    let verifier = jwks.verifier();
    let now = now();
    let token = keys()[0].sign(&access_claims(now));
    let parts: Vec<&str> = token.split('.').collect();

    let evil = b64_encode(
        with(access_claims(now), "username", json!("admin"))
            .to_string()
            .as_bytes(),
    );
    let tampered = format!("{}.{evil}.{}", parts[0], parts[2]);
    let err = verifier
        .verify(&tampered, TokenUse::Access, now)
        .await
        .expect_err("tampered");
    assert!(matches!(err, VerifyError::BadSignature), "{err:?}");

    // Garbage payload with the original signature: the signature check comes first.
    let garbage = format!("{}.{}.{}", parts[0], b64_encode(b"not json"), parts[2]);
    let err = verifier
        .verify(&garbage, TokenUse::Access, now)
        .await
        .expect_err("garbage");
    assert!(matches!(err, VerifyError::BadSignature), "{err:?}");

    let mut sig = parts[2].to_owned().into_bytes();
    sig[10] = if sig[10] == b'A' { b'B' } else { b'A' };
    let bad_sig = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        String::from_utf8(sig).expect("ascii")
    );
    let err = verifier
        .verify(&bad_sig, TokenUse::Access, now)
        .await
        .expect_err("bad sig");
    assert!(matches!(err, VerifyError::BadSignature), "{err:?}");

    let truncated_sig = format!("{}.{}.{}", parts[0], parts[1], &parts[2][..20]);
    let err = verifier
        .verify(&truncated_sig, TokenUse::Access, now)
        .await
        .expect_err("short sig");
    assert!(matches!(err, VerifyError::BadSignature), "{err:?}");

    let no_sig = format!("{}.{}.", parts[0], parts[1]);
    let err = verifier
        .verify(&no_sig, TokenUse::Access, now)
        .await
        .expect_err("no sig");
    assert!(matches!(err, VerifyError::BadSignature), "{err:?}");
}

#[tokio::test]
async fn malformed_tokens_are_rejected() {
    let jwks = Jwks::serving(&[0]).await;
    let verifier = jwks.verifier();
    let now = now();
    let good = keys()[0].sign(&access_claims(now));
    let parts: Vec<&str> = good.split('.').collect();
    let header_not_json = format!("{}.{}.{}", b64_encode(b"{nope"), parts[1], parts[2]);
    let header_array = format!("{}.{}.{}", b64_encode(b"[1]"), parts[1], parts[2]);
    let kid_number = format!(
        "{}.{}.{}",
        b64_encode(br#"{"alg":"RS256","kid":5}"#),
        parts[1],
        parts[2]
    );
    let crit = format!(
        "{}.{}.{}",
        b64_encode(br#"{"alg":"RS256","kid":"key-0","crit":["x"]}"#),
        parts[1],
        parts[2]
    );
    let no_alg = format!(
        "{}.{}.{}",
        b64_encode(br#"{"kid":"key-0"}"#),
        parts[1],
        parts[2]
    );
    let huge = "a".repeat(MAX_TOKEN_LEN + 1);
    let cases: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("one part", "abc".into()),
        ("two parts", format!("{}.{}", parts[0], parts[1])),
        ("four parts", format!("{good}.x")),
        ("empty header", format!(".{}.{}", parts[1], parts[2])),
        (
            "bad base64 header",
            format!("!!!.{}.{}", parts[1], parts[2]),
        ),
        (
            "bad base64 signature",
            format!("{}.{}.***", parts[0], parts[1]),
        ),
        ("header not json", header_not_json),
        ("header array", header_array),
        ("kid not a string", kid_number),
        ("crit", crit),
        ("no alg", no_alg),
        ("huge", huge),
        ("unicode", "é.é.é".into()),
    ];
    for (name, token) in cases {
        let err = verifier
            .verify(&token, TokenUse::Access, now)
            .await
            .expect_err(name);
        assert!(err.is_malformed(), "{name}: {err:?}");
        assert!(!err.is_transient(), "{name}");
    }
    let no_kid = format!(
        "{}.{}.{}",
        b64_encode(br#"{"alg":"RS256"}"#),
        parts[1],
        parts[2]
    );
    let err = verifier
        .verify(&no_kid, TokenUse::Access, now)
        .await
        .expect_err("no kid");
    assert!(matches!(err, VerifyError::MissingKeyId), "{err:?}");
    assert_eq!(jwks.server.hits(), 0);

    // A validly signed payload that is not a JSON object.
    let signed_array = keys()[0].sign(&json!([1, 2]));
    let err = verifier
        .verify(&signed_array, TokenUse::Access, now)
        .await
        .expect_err("array payload");
    assert!(err.is_malformed(), "{err:?}");
}

#[tokio::test]
async fn wrong_claims_are_rejected() {
    let jwks = Jwks::serving(&[0]).await;
    let verifier = jwks.verifier();
    let now = now();
    let sign = |claims: Value| keys()[0].sign(&claims);
    let check = |err: VerifyError, what: &str, ok: fn(&VerifyError) -> bool| {
        assert!(ok(&err), "{what}: {err:?}")
    };

    let e = verifier
        .verify(
            &sign(with(access_claims(now), "iss", json!(format!("{ISS}/")))),
            TokenUse::Access,
            now,
        )
        .await
        .expect_err("iss");
    check(
        e,
        "iss trailing slash",
        |e| matches!(e, VerifyError::WrongIssuer { expected, .. } if expected == ISS),
    );
    let e = verifier
        .verify(
            &sign(with(access_claims(now), "token_use", json!("id"))),
            TokenUse::Access,
            now,
        )
        .await
        .expect_err("use");
    check(
        e,
        "token_use",
        |e| matches!(e, VerifyError::WrongTokenUse { expected: TokenUse::Access, actual } if actual == "id"),
    );
    let e = verifier
        .verify(&sign(id_claims(now)), TokenUse::Access, now)
        .await
        .expect_err("id as access");
    check(e, "id as access", |e| {
        matches!(e, VerifyError::WrongTokenUse { .. })
    });
    let e = verifier
        .verify(&sign(access_claims(now)), TokenUse::Id, now)
        .await
        .expect_err("access as id");
    check(e, "access as id", |e| {
        matches!(e, VerifyError::WrongTokenUse { .. })
    });
    let e = verifier
        .verify(
            &sign(with(id_claims(now), "aud", json!(["a", "b"]))),
            TokenUse::Id,
            now,
        )
        .await
        .expect_err("aud");
    check(e, "aud", |e| matches!(e, VerifyError::WrongAudience));
    let e = verifier
        .verify(&sign(without(id_claims(now), "aud")), TokenUse::Id, now)
        .await
        .expect_err("no aud");
    check(e, "no aud", |e| {
        matches!(e, VerifyError::MissingClaim("aud"))
    });
    let e = verifier
        .verify(
            &sign(with(access_claims(now), "client_id", json!("x"))),
            TokenUse::Access,
            now,
        )
        .await
        .expect_err("client");
    check(e, "client_id", |e| matches!(e, VerifyError::WrongClientId));
    let e = verifier
        .verify(
            &sign(without(access_claims(now), "client_id")),
            TokenUse::Access,
            now,
        )
        .await
        .expect_err("no client");
    check(e, "no client_id", |e| {
        matches!(e, VerifyError::MissingClaim("client_id"))
    });
    let e = verifier
        .verify(
            &sign(without(access_claims(now), "exp")),
            TokenUse::Access,
            now,
        )
        .await
        .expect_err("no exp");
    check(e, "no exp", |e| {
        matches!(e, VerifyError::MissingClaim("exp"))
    });
    let e = verifier
        .verify(
            &sign(with(access_claims(now), "exp", json!("soon"))),
            TokenUse::Access,
            now,
        )
        .await
        .expect_err("exp type");
    check(e, "exp string", |e| {
        matches!(e, VerifyError::InvalidClaim("exp"))
    });
    let e = verifier
        .verify(
            &sign(without(access_claims(now), "iss")),
            TokenUse::Access,
            now,
        )
        .await
        .expect_err("no iss");
    check(e, "no iss", |e| {
        matches!(e, VerifyError::MissingClaim("iss"))
    });
    let e = verifier
        .verify(
            &sign(with(access_claims(now), "iss", json!(7))),
            TokenUse::Access,
            now,
        )
        .await
        .expect_err("iss type");
    check(e, "iss number", |e| {
        matches!(e, VerifyError::InvalidClaim("iss"))
    });
    let e = verifier
        .verify(
            &sign(without(access_claims(now), "token_use")),
            TokenUse::Access,
            now,
        )
        .await
        .expect_err("no use");
    check(e, "no token_use", |e| {
        matches!(e, VerifyError::MissingClaim("token_use"))
    });
}

#[tokio::test]
async fn nbf_in_the_future_is_rejected_beyond_the_leeway() {
    let jwks = Jwks::serving(&[0]).await;
    let verifier = jwks.verifier();
    let now = now();
    let t = secs(now);
    let token = keys()[0].sign(&with(access_claims(now), "nbf", json!(t + 60)));
    let err = verifier
        .verify(&token, TokenUse::Access, now)
        .await
        .expect_err("nbf");
    assert!(matches!(err, VerifyError::NotYetValid), "{err:?}");
    let token = keys()[0].sign(&with(
        access_claims(now),
        "nbf",
        json!(t + NBF_LEEWAY.as_secs() as i64),
    ));
    verifier
        .verify(&token, TokenUse::Access, now)
        .await
        .expect("within leeway");
    let token = keys()[0].sign(&with(access_claims(now), "nbf", json!(t - 5)));
    verifier
        .verify(&token, TokenUse::Access, now)
        .await
        .expect("past nbf");
}

/// Moves tokio's clock (which the JWKS cache reads) forward by `by`, without waiting; the test keeps running
/// on the real clock afterwards, so the fetches' own timers are not jumped over.
async fn let_time_pass(by: Duration) {
    tokio::time::pause();
    tokio::time::advance(by).await;
    tokio::time::resume();
}

#[tokio::test]
async fn unknown_kid_refetches_once_per_interval() {
    let jwks = Jwks::serving(&[0]).await;
    // Long enough that no machine crosses it by itself; the test crosses it with `let_time_pass`.
    let interval = Duration::from_secs(3600);
    let verifier = jwks.verifier_with(|c| c.with_min_refetch_interval(interval));
    let now = now();

    verifier
        .verify(&keys()[0].sign(&access_claims(now)), TokenUse::Access, now)
        .await
        .expect("key-0");
    assert_eq!(jwks.server.hits(), 1);

    // The pool rotates to key-1. Within the interval a key-1 token cannot trigger a fetch.
    jwks.serve(&[1, 2]);
    let rotated = keys()[1].sign(&access_claims(now));
    let err = verifier
        .verify(&rotated, TokenUse::Access, now)
        .await
        .expect_err("rate limited");
    assert!(
        matches!(&err, VerifyError::UnknownKey { kid } if kid == "key-1"),
        "{err:?}"
    );
    assert_eq!(jwks.server.hits(), 1);

    let_time_pass(interval).await;
    verifier
        .verify(&rotated, TokenUse::Access, now)
        .await
        .expect("rotated key verifies after refetch");
    assert_eq!(jwks.server.hits(), 2);

    // Keys are replaced: key-0 is gone, and neither it nor a random kid triggers another fetch now.
    for kid in ["key-0", "random-kid", "another"] {
        let token = keys()[0].sign_raw(&json!({"alg": "RS256", "kid": kid}), &access_claims(now));
        let err = verifier
            .verify(&token, TokenUse::Access, now)
            .await
            .expect_err(kid);
        assert!(matches!(err, VerifyError::UnknownKey { .. }), "{err:?}");
        assert!(!err.is_transient());
    }
    assert_eq!(jwks.server.hits(), 2);

    // Known keys keep working with no fetch.
    verifier
        .verify(&keys()[2].sign(&id_claims(now)), TokenUse::Id, now)
        .await
        .expect("key-2");
    assert_eq!(jwks.server.hits(), 2);

    // After the interval an unknown kid may fetch again (once).
    let_time_pass(interval).await;
    let token = keys()[0].sign_raw(
        &json!({"alg": "RS256", "kid": "random"}),
        &access_claims(now),
    );
    let _ = verifier
        .verify(&token, TokenUse::Access, now)
        .await
        .expect_err("unknown");
    let _ = verifier
        .verify(&token, TokenUse::Access, now)
        .await
        .expect_err("unknown");
    assert_eq!(jwks.server.hits(), 3);
}

#[tokio::test]
async fn concurrent_first_fetches_share_one_request() {
    let jwks = Jwks::serving(&[0, 1]).await;
    let verifier = Arc::new(jwks.verifier());
    let now = now();
    let tokens: Vec<String> = (0..16)
        .map(|i| keys()[i % 2].sign(&access_claims(now)))
        .collect();
    let results = futures_util::future::join_all(tokens.iter().map(|t| {
        let verifier = Arc::clone(&verifier);
        async move { verifier.verify(t, TokenUse::Access, now).await }
    }))
    .await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(jwks.server.hits(), 1);

    // The same with spawned tasks on a fresh cache and an unknown kid: still at most one fetch.
    let jwks = Jwks::serving(&[0]).await;
    let verifier = Arc::new(jwks.verifier());
    let token = keys()[0].sign_raw(&json!({"alg": "RS256", "kid": "nope"}), &access_claims(now));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let verifier = Arc::clone(&verifier);
            let token = token.clone();
            tokio::spawn(async move { verifier.verify(&token, TokenUse::Access, now).await })
        })
        .collect();
    for handle in handles {
        let err = handle.await.expect("join").expect_err("unknown kid");
        assert!(matches!(err, VerifyError::UnknownKey { .. }), "{err:?}");
    }
    assert_eq!(jwks.server.hits(), 1);
}

#[tokio::test]
async fn jwks_server_down_is_transient() {
    let cache = JwksCache::new(reqwest::Client::new(), closed_port_url().await);
    let verifier = TokenVerifier::new(Arc::new(cache), ISS, CLIENT);
    let now = now();
    let err = verifier
        .verify(&keys()[0].sign(&access_claims(now)), TokenUse::Access, now)
        .await
        .expect_err("down");
    assert!(err.is_transient(), "{err:?}");
    let VerifyError::JwksUnavailable(inner) = &err else {
        panic!("{err:?}")
    };
    assert!(inner.is_connect(), "{inner:?}");
    // The next call tries again (no key set yet) and fails the same way.
    let err = verifier
        .verify(&keys()[0].sign(&access_claims(now)), TokenUse::Access, now)
        .await
        .expect_err("down");
    assert!(err.is_transient());
}

#[tokio::test]
async fn bad_jwks_responses_are_transient_and_recoverable() {
    let jwks = Jwks::serving(&[0]).await;
    let verifier = jwks.verifier();
    let now = now();
    let token = keys()[0].sign(&access_claims(now));

    for (doc, expect) in [
        (json!({"nokeys": []}), "no \"keys\" array"),
        (json!("just a string"), "no \"keys\" array"),
        (json!({"keys": {"a": 1}}), "no \"keys\" array"),
    ] {
        jwks.set_doc(doc);
        let err = verifier
            .verify(&token, TokenUse::Access, now)
            .await
            .expect_err("bad doc");
        assert!(err.is_transient(), "{err:?}");
        assert!(err.to_string().contains(expect), "{err}");
    }

    // Recovers as soon as the document is good again (no key set was ever loaded, so no rate limit).
    jwks.serve(&[0]);
    verifier
        .verify(&token, TokenUse::Access, now)
        .await
        .expect("recovered");
}

#[tokio::test]
async fn non_json_and_error_status_jwks_responses() {
    let html =
        TestServer::start(|_, _| Reply::raw(502, "text/html", "<html>Bad Gateway</html>")).await;
    let cache = Arc::new(JwksCache::new(reqwest::Client::new(), html.url.clone()));
    let verifier = TokenVerifier::new(Arc::clone(&cache), ISS, CLIENT);
    let now = now();
    let err = verifier
        .verify(&keys()[0].sign(&access_claims(now)), TokenUse::Access, now)
        .await
        .expect_err("502");
    assert!(
        matches!(
            err,
            VerifyError::JwksUnavailable(JwksError::Status { status: 502 })
        ),
        "{err:?}"
    );

    let html =
        TestServer::start(|_, _| Reply::raw(200, "text/html", "<html>login page</html>")).await;
    let cache = JwksCache::new(reqwest::Client::new(), html.url.clone());
    let err = cache.refresh().await.expect_err("html");
    assert!(matches!(err, JwksError::InvalidDocument(_)), "{err:?}");
    assert!(!err.to_string().contains("login page"));
}

#[tokio::test]
async fn jwks_fetch_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = url::Url::parse(&format!(
        "http://{}/jwks.json",
        listener.local_addr().expect("addr")
    ))
    .expect("url");
    // Accepts connections but never answers.
    let hold = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            open.push(stream);
        }
    });
    let cache =
        JwksCache::new(reqwest::Client::new(), url).with_fetch_timeout(Duration::from_millis(200));
    let err = cache.refresh().await.expect_err("timeout");
    assert!(err.is_timeout(), "{err:?}");
    hold.abort();
}

#[tokio::test]
async fn unusable_jwks_keys_are_reported() {
    let jwks = Jwks::serving(&[]).await;
    let mut rs512 = keys()[0].jwk();
    rs512["alg"] = json!("RS512");
    let mut enc = keys()[1].jwk();
    enc["use"] = json!("enc");
    let mut ec = keys()[2].jwk();
    ec["kty"] = json!("EC");
    let short = json!({"kty": "RSA", "kid": "short", "n": b64_encode(&[0xC5; 128]), "e": "AQAB"});
    let bad_b64 = json!({"kty": "RSA", "kid": "bad", "n": "***", "e": "AQAB"});
    let no_kid = json!({"kty": "RSA", "n": "AQAB", "e": "AQAB"});
    jwks.set_doc(json!({"keys": [rs512, enc, ec, short, bad_b64, no_kid, 42, null]}));
    let verifier = jwks.verifier();
    let now = now();
    for (kid, reason) in [
        ("key-0", "alg"),
        ("key-1", "use"),
        ("key-2", "kty"),
        ("short", "2048"),
        ("bad", "base64url"),
    ] {
        let token = keys()[0].sign_raw(&json!({"alg": "RS256", "kid": kid}), &access_claims(now));
        let err = verifier
            .verify(&token, TokenUse::Access, now)
            .await
            .expect_err(kid);
        assert!(
            matches!(&err, VerifyError::UnusableKey { reason: r, .. } if r.contains(reason)),
            "{kid}: {err:?}"
        );
    }
    assert_eq!(jwks.server.hits(), 1);
}

#[tokio::test]
async fn jwk_modulus_with_leading_zero_and_no_alg_is_accepted() {
    let jwks = Jwks::serving(&[]).await;
    let public = keys()[0].pair.public_key();
    let mut n = vec![0u8];
    n.extend_from_slice(public.modulus().big_endian_without_leading_zero());
    jwks.set_doc(json!({"keys": [{
        "kty": "RSA", "kid": "key-0", "n": b64_encode(&n),
        "e": b64_encode(public.exponent().big_endian_without_leading_zero()),
    }]}));
    let verifier = jwks.verifier();
    let now = now();
    verifier
        .verify(&keys()[0].sign(&access_claims(now)), TokenUse::Access, now)
        .await
        .expect("ok");
}

#[tokio::test]
async fn verified_cache_skips_work_but_rechecks_time() {
    let jwks = Jwks::serving(&[0]).await;
    let verifier = jwks.verifier().with_verified_cache(2);
    let now = now();
    let token = keys()[0].sign(&access_claims(now));
    let first = verifier
        .verify(&token, TokenUse::Access, now)
        .await
        .expect("first");
    let second = verifier
        .verify(&token, TokenUse::Access, now)
        .await
        .expect("cached");
    assert_eq!(first, second);
    // Cached as an access token only.
    let err = verifier
        .verify(&token, TokenUse::Id, now)
        .await
        .expect_err("as id");
    assert!(matches!(err, VerifyError::WrongTokenUse { .. }), "{err:?}");
    // Time moves on: the cached token is now expired.
    let later = now + Duration::from_secs(7200);
    assert!(
        verifier
            .verify(&token, TokenUse::Access, later)
            .await
            .expect("later")
            .expired
    );
    // Eviction keeps the map bounded and entries still verify.
    for i in 0..5 {
        let token = keys()[0].sign(&with(access_claims(now), "jti", json!(i)));
        verifier
            .verify(&token, TokenUse::Access, now)
            .await
            .expect("fill");
        verifier
            .verify(&token, TokenUse::Access, now)
            .await
            .expect("fill again");
    }
    // A tampered token with a cached sibling is still checked.
    let parts: Vec<&str> = token.split('.').collect();
    let evil = b64_encode(
        with(access_claims(now), "username", json!("admin"))
            .to_string()
            .as_bytes(),
    );
    let err = verifier
        .verify(
            &format!("{}.{evil}.{}", parts[0], parts[2]),
            TokenUse::Access,
            now,
        )
        .await;
    assert!(matches!(err, Err(VerifyError::BadSignature)), "{err:?}");
}

#[test]
fn decode_claims_unverified_reads_payloads() {
    let now = now();
    let token = keys()[0].sign(&id_claims(now));
    let claims = decode_claims_unverified(&token).expect("decode");
    assert_eq!(claims.cognito_username(), Some("alice"));
    assert!(claims.has_audience(CLIENT));
    assert_eq!(
        claims.as_map().len(),
        id_claims(now).as_object().expect("obj").len()
    );
    assert!(
        decode_claims_unverified("a.b")
            .expect_err("2 parts")
            .is_malformed()
    );
    assert!(
        decode_claims_unverified("a.!!.c")
            .expect_err("b64")
            .is_malformed()
    );
    assert!(
        decode_claims_unverified(&format!("a.{}.c", b64_encode(b"[]")))
            .expect_err("array")
            .is_malformed()
    );
    assert!(
        decode_claims_unverified(&format!("a.{}.c", b64_encode(b"{x")))
            .expect_err("json")
            .is_malformed()
    );
    // Padding is tolerated.
    use base64::Engine as _;
    let padded = format!(
        "a.{}.c",
        base64::engine::general_purpose::URL_SAFE.encode(br#"{"sub":"s"}"#)
    );
    assert!(padded.contains('='));
    assert_eq!(
        decode_claims_unverified(&padded).expect("padded").sub(),
        Some("s")
    );
}

#[test]
fn claims_accessors_are_type_safe() {
    let claims = Claims::from_map(
        json!({"exp": 1.7e9, "iat": "x", "nbf": u64::MAX, "aud": [1, "c"], "sub": 5})
            .as_object()
            .expect("obj")
            .clone(),
    );
    assert_eq!(claims.exp(), Some(1_700_000_000));
    assert_eq!(claims.iat(), None);
    assert_eq!(claims.nbf(), Some(i64::MAX));
    assert_eq!(claims.sub(), None);
    assert!(claims.has_audience("c"));
    assert!(!claims.has_audience("1"));
    assert_eq!(claims.get("sub"), Some(&json!(5)));
}

#[test]
fn errors_do_not_leak_token_content() {
    let err = VerifyError::UnsupportedAlgorithm("x".repeat(100));
    assert!(err.to_string().len() < 200);
    let long = "y".repeat(1000);
    assert!(truncated(&long, 64).chars().count() <= 65);
    assert_eq!(truncated("é".repeat(70).as_str(), 64).chars().count(), 65);
}

mod properties {
    use proptest::prelude::*;

    use super::super::decode;
    use super::*;

    proptest! {
        #[test]
        fn decoding_arbitrary_strings_never_panics(s in ".{0,300}") {
            let _ = decode_claims_unverified(&s);
            if let Ok(parts) = decode::split(&s) {
                let _ = decode::header(&parts);
            }
        }

        #[test]
        fn decoding_dotted_base64ish_strings_never_panics(parts in proptest::collection::vec("[A-Za-z0-9_=-]{0,40}", 0..5)) {
            let s = parts.join(".");
            let _ = decode_claims_unverified(&s);
            if let Ok(parts) = decode::split(&s) {
                let _ = decode::header(&parts);
            }
        }
    }
}
