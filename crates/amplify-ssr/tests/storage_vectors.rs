//! Presigned URLs compared with botocore's, byte for byte, at a frozen signing time.
//!
//! `interop/py/presign_vectors.py` prints the vectors (botocore with `botocore.auth.datetime.datetime` patched).
//! For each one amplify-ssr computes the same URL and the test compares scheme, host, path, every query parameter
//! and the signature exactly. Only the *order* of the `X-Amz-*` parameters may differ: botocore writes `Expires`
//! before `SignedHeaders` and aws-amplify (and amplify-ssr) after it; the order is not part of the signature.
//!
//! The Python interpreter is `AMPLIFY_IT_PYTHON`, or `.venv/bin/python` at the repository root (`scripts/test`
//! creates it). A missing interpreter fails the test with that hint; it is never skipped.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use amplify_ssr::AwsCredentials;
use amplify_ssr::storage::{
    __object_url, __presign_get_url_at, __presign_url_at, ContentDisposition, GetUrlInput,
    PresignMethod,
};
use serde_json::Value;
use url::Url;

const AK: &str = "AKIAIOSFODNN7EXAMPLE";
const SK: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/// RFC 3986 unreserved characters stay, everything else is encoded.
const RFC3986: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
const DOC_SIGNATURE: &str = "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

fn vectors() -> Vec<Value> {
    let python = std::env::var_os("AMPLIFY_IT_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv/bin/python"));
    let script = repo_root().join("interop/py/presign_vectors.py");
    let output = Command::new(&python)
        .arg(&script)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {} ({e}): run scripts/test, which creates the venv with botocore",
                python.display()
            )
        });
    assert!(
        output.status.success(),
        "presign_vectors.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let doc: Value = serde_json::from_slice(&output.stdout).expect("JSON from presign_vectors.py");
    doc["vectors"].as_array().expect("vectors").clone()
}

fn credentials(token: Option<&str>) -> AwsCredentials {
    AwsCredentials::new(AK, SK, token.map(str::to_owned))
}

fn time_of(url: &Url) -> SystemTime {
    let date = param(url, "X-Amz-Date");
    let parsed = time::PrimitiveDateTime::parse(
        &date,
        time::macros::format_description!("[year][month][day]T[hour][minute][second]Z"),
    )
    .expect("X-Amz-Date");
    UNIX_EPOCH + Duration::from_secs(parsed.assume_utc().unix_timestamp() as u64)
}

fn param(url: &Url, name: &str) -> String {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("{name} missing from {url}"))
}

/// Raw `k=v` pieces of the query, sorted (encoding included, so `%20` vs `+` would show).
fn raw_params(url: &Url) -> Vec<String> {
    let mut pieces: Vec<String> = url
        .query()
        .unwrap_or_default()
        .split('&')
        .map(str::to_owned)
        .collect();
    pieces.sort();
    pieces
}

fn assert_same(name: &str, ours: &Url, theirs: &Url) {
    assert_eq!(ours.scheme(), theirs.scheme(), "{name}: scheme");
    assert_eq!(ours.host_str(), theirs.host_str(), "{name}: host");
    assert_eq!(ours.port(), theirs.port(), "{name}: port");
    assert_eq!(ours.path(), theirs.path(), "{name}: path");
    assert_eq!(
        raw_params(ours),
        raw_params(theirs),
        "{name}: query parameters"
    );
    assert_eq!(
        param(ours, "X-Amz-Signature"),
        param(theirs, "X-Amz-Signature"),
        "{name}: signature"
    );
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

#[test]
fn presigned_urls_match_botocore() {
    let vectors = vectors();
    assert!(vectors.len() >= 10, "{vectors:?}");
    let mut checked = Vec::new();
    for v in &vectors {
        let name = str_of(v, "name").unwrap();
        let theirs = Url::parse(str_of(v, "url").unwrap()).unwrap();
        let method = str_of(v, "method").unwrap();
        let region = str_of(v, "region").unwrap();
        let expires = Duration::from_secs(v["expires"].as_u64().unwrap());
        let creds = credentials(str_of(v, "token"));
        let time = time_of(&theirs);
        let ours = match str_of(v, "kind").unwrap() {
            "raw" => {
                let url = Url::parse(str_of(v, "unsigned_url").unwrap()).unwrap();
                __presign_url_at(method, &url, &[], &creds, region, expires, time).unwrap()
            }
            "boto" => {
                // The object URL comes from amplify-ssr's endpoint and key encoding, not from botocore.
                let endpoint = str_of(v, "endpoint").map(|e| Url::parse(e).unwrap());
                let mut url = __object_url(
                    endpoint.as_ref(),
                    str_of(v, "bucket").unwrap(),
                    region,
                    str_of(v, "key").unwrap(),
                    false,
                )
                .unwrap();
                if let Some(disposition) = str_of(v, "content_disposition") {
                    url.set_query(Some(&format!(
                        "response-content-disposition={}",
                        percent_encoding::utf8_percent_encode(disposition, RFC3986)
                    )));
                }
                let headers: Vec<(&str, &str)> = str_of(v, "content_type")
                    .map(|t| vec![("content-type", t)])
                    .unwrap_or_default();
                __presign_url_at(method, &url, &headers, &creds, region, expires, time).unwrap()
            }
            "amplify" => {
                let ours = amplify_case(name, &creds, time);
                // The unsigned part is exactly the URL the Python side signed, in aws-amplify's order.
                let unsigned = str_of(v, "unsigned_url").unwrap();
                let ours_text = ours.as_str();
                let cut = ours_text.find("&X-Amz-Algorithm=").unwrap();
                assert_eq!(&ours_text[..cut], unsigned, "{name}: unsigned URL");
                ours
            }
            other => panic!("unknown kind {other}"),
        };
        assert_same(name, &ours, &theirs);
        checked.push(name.to_owned());
    }
    let doc = vectors
        .iter()
        .find(|v| str_of(v, "name") == Some("aws-doc-example"))
        .expect("the AWS documentation example");
    let url = Url::parse(str_of(doc, "url").unwrap()).unwrap();
    assert_eq!(param(&url, "X-Amz-Signature"), DOC_SIGNATURE);
    eprintln!("matched botocore on: {checked:#?}");
}

/// What `get_url` builds for the "amplify" vectors (see presign_vectors.py).
fn amplify_case(name: &str, creds: &AwsCredentials, time: SystemTime) -> Url {
    let local = Url::parse("http://127.0.0.1:8014").unwrap();
    let (endpoint, input) = match name {
        "amplify-get-overrides" => (
            Some(&local),
            GetUrlInput::new("dir/sp ace+ü.txt")
                .cache_control("no-cache")
                .content_type("text/plain")
                .content_disposition(ContentDisposition::attachment("x y.txt"))
                .expected_bucket_owner("123456789012"),
        ),
        "amplify-get-virtual" => (None, GetUrlInput::new("a~b_c-d.e!*'()")),
        "amplify-put" => (
            Some(&local),
            GetUrlInput::new("public/up load.png")
                .method(PresignMethod::Put)
                .content_type("image/png"),
        ),
        other => panic!("no amplify case {other}"),
    };
    let out = __presign_get_url_at(endpoint, "bkt", "us-east-1", &input, creds, time).unwrap();
    out.url
}

#[test]
fn the_aws_documentation_example_matches_without_python() {
    let url = Url::parse("https://examplebucket.s3.amazonaws.com/test.txt").unwrap();
    let time = UNIX_EPOCH + Duration::from_secs(1_369_353_600); // 2013-05-24T00:00:00Z
    let signed = __presign_url_at(
        "GET",
        &url,
        &[],
        &credentials(None),
        "us-east-1",
        Duration::from_secs(86_400),
        time,
    )
    .unwrap();
    assert_eq!(
        signed.as_str(),
        "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
         &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
         &X-Amz-Date=20130524T000000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=86400\
         &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    );
}
