//! Shared harness of the fuzz targets: an in-process amplify-local, driven without sockets, and a plain-text
//! request format that seeds can be written in.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use amplify_local::{AppState, LocalBackend, LocalOptions};
use axum::Router;
use axum::body::Body;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, Uri};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

/// The stack of the runtime's threads. Request handlers run on them ([`Harness::call`]), as a server's run on
/// tokio's 2 MiB worker threads; these fuzz builds are optimised and use smaller frames than the debug builds
/// amplify-local usually runs as, so the stack is smaller too, and unbounded recursion shows up as a crash.
const HANDLER_STACK: usize = 512 * 1024;

/// A runtime with one worker thread (and its blocking pool), both with [`HANDLER_STACK`]-sized stacks.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_stack_size(HANDLER_STACK)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// One amplify-local per fuzzer process, in a temporary data directory, with a confirmed user and that user's
/// identity-pool credentials.
pub struct Harness {
    pub runtime: tokio::runtime::Runtime,
    pub backend: LocalBackend,
    pub state: Arc<AppState>,
    /// The main port's routes (user pool, identity pool, OAuth, GraphQL).
    pub router: Router,
    /// `127.0.0.1:PORT`, the `Host` the main routes expect.
    pub host: String,
    /// The user's credentials from `GetCredentialsForIdentity`.
    pub credentials: UserCredentials,
    /// The directory holding the data directory: it must never gain anything besides it.
    pub sandbox: tempfile::TempDir,
}

/// The confirmed user every harness has.
pub const USERNAME: &str = "fuzz-user";
/// Its password.
pub const PASSWORD: &str = "Fuzz-Passw0rd!";

impl Harness {
    /// The process-wide harness, started on first use.
    pub fn get() -> &'static Harness {
        static HARNESS: OnceLock<Harness> = OnceLock::new();
        HARNESS.get_or_init(Harness::start)
    }

    fn start() -> Harness {
        let sandbox = tempfile::tempdir().expect("temporary directory");
        let runtime = runtime();
        let backend = runtime
            .block_on(LocalBackend::start(
                // Credentials that outlive any fuzzing run.
                LocalOptions::new(sandbox.path().join("data"))
                    .with_credentials_ttl(Duration::from_secs(7 * 24 * 3600)),
            ))
            .expect("amplify-local starts");
        backend
            .create_user(USERNAME, PASSWORD, &[("email", "fuzz@example.com")])
            .expect("user");
        let state = backend.state();
        let router = amplify_local::router(Arc::clone(&state));
        let host = state.base_url().trim_start_matches("http://").to_owned();
        let mut harness = Harness {
            runtime,
            backend,
            state,
            router,
            host,
            credentials: UserCredentials::default(),
            sandbox,
        };
        harness.credentials = harness.user_credentials();
        harness
    }

    /// Signs the user in (`USER_PASSWORD_AUTH`) and trades the id token for identity-pool credentials.
    fn user_credentials(&self) -> UserCredentials {
        let sign_in = json!({
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": self.state.client_id(),
            "AuthParameters": { "USERNAME": USERNAME, "PASSWORD": PASSWORD },
        });
        let (status, tokens) = self.json_api(
            "AWSCognitoIdentityProviderService.InitiateAuth",
            sign_in.to_string().as_bytes(),
        );
        assert_eq!(status, StatusCode::OK, "InitiateAuth: {tokens}");
        let provider = self.state.issuer().trim_start_matches("http://").to_owned();
        let logins = json!({ provider: tokens["AuthenticationResult"]["IdToken"] });
        let get_id = json!({ "IdentityPoolId": self.state.identity_pool_id(), "Logins": logins });
        let (status, id) = self.json_api(
            "AWSCognitoIdentityService.GetId",
            get_id.to_string().as_bytes(),
        );
        assert_eq!(status, StatusCode::OK, "GetId: {id}");
        let identity = json!({ "IdentityId": id["IdentityId"], "Logins": logins });
        let (status, answer) = self.json_api(
            "AWSCognitoIdentityService.GetCredentialsForIdentity",
            identity.to_string().as_bytes(),
        );
        assert_eq!(
            status,
            StatusCode::OK,
            "GetCredentialsForIdentity: {answer}"
        );
        let text = |name: &str| answer["Credentials"][name].as_str().expect(name).to_owned();
        let token = |name: &str| {
            tokens["AuthenticationResult"][name]
                .as_str()
                .expect(name)
                .to_owned()
        };
        UserCredentials {
            access_token: token("AccessToken"),
            id_token: token("IdToken"),
            refresh_token: token("RefreshToken"),
            identity_id: answer["IdentityId"]
                .as_str()
                .expect("IdentityId")
                .to_owned(),
            access_key_id: text("AccessKeyId"),
            secret_key: text("SecretKey"),
            session_token: text("SessionToken"),
        }
    }

    /// `data` with the placeholders of this backend's ids replaced by their values, so that seeds (and what the
    /// fuzzer makes of them) can name ids that are random per data directory: `$USER_POOL_ID`, `$CLIENT_ID`,
    /// `$IDENTITY_POOL_ID`, `$ISSUER`, `$HOST`, `$API_KEY`, `$BUCKET`, `$S3_HOST`, the user's `$IDENTITY_ID`,
    /// `$ACCESS_KEY_ID` and `$SESSION_TOKEN`, and the user's Cognito `$ACCESS_TOKEN`, `$ID_TOKEN` and `$REFRESH_TOKEN`.
    pub fn expand(&self, data: &[u8]) -> Vec<u8> {
        let s3_host = self.backend.s3_url().trim_start_matches("http://");
        let values = [
            ("$USER_POOL_ID", self.state.user_pool_id()),
            ("$CLIENT_ID", self.state.client_id()),
            ("$IDENTITY_POOL_ID", self.state.identity_pool_id()),
            ("$ISSUER", self.state.issuer()),
            ("$HOST", &self.host),
            ("$API_KEY", self.backend.api_key()),
            ("$BUCKET", self.backend.bucket_name()),
            ("$S3_HOST", s3_host),
            ("$IDENTITY_ID", &self.credentials.identity_id),
            ("$ACCESS_KEY_ID", &self.credentials.access_key_id),
            ("$SESSION_TOKEN", &self.credentials.session_token),
            ("$ACCESS_TOKEN", &self.credentials.access_token),
            ("$ID_TOKEN", &self.credentials.id_token),
            ("$REFRESH_TOKEN", &self.credentials.refresh_token),
        ];
        let mut out = Vec::with_capacity(data.len());
        let mut rest = data;
        'scan: while let Some((&first, tail)) = rest.split_first() {
            if first == b'$' {
                for (name, value) in values {
                    if let Some(after) = rest.strip_prefix(name.as_bytes()) {
                        out.extend_from_slice(value.as_bytes());
                        rest = after;
                        continue 'scan;
                    }
                }
            }
            out.push(first);
            rest = tail;
        }
        out
    }

    /// One JSON 1.1 call on `POST /`: the status and the body (`Value::Null` when it is not JSON).
    pub fn json_api(&self, target: &str, body: &[u8]) -> (StatusCode, Value) {
        let mut request = Request::post("/")
            .header(http::header::HOST, &self.host)
            .header(http::header::CONTENT_TYPE, "application/x-amz-json-1.1")
            .body(Body::from(body.to_vec()))
            .expect("request");
        if let Ok(value) = HeaderValue::from_str(target) {
            request.headers_mut().insert("x-amz-target", value);
        }
        let (status, _, body) = self.call(&self.router, request);
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    /// Runs one request through `router` to the end of its body, on a worker thread.
    pub fn call(
        &self,
        router: &Router,
        request: Request<Body>,
    ) -> (StatusCode, HeaderMap, Vec<u8>) {
        let router = router.clone();
        let handled = self.runtime.spawn(async move {
            let response = router.oneshot(request).await.expect("infallible router");
            let (parts, body) = response.into_parts();
            let body = body.collect().await.expect("response body").to_bytes();
            (parts.status, parts.headers, body.to_vec())
        });
        self.runtime
            .block_on(handled)
            .expect("the handler finished")
    }

    /// Panics when anything appeared in the sandbox besides the data directory (a path escaping it).
    pub fn assert_sandbox_intact(&self) {
        let entries: Vec<_> = std::fs::read_dir(self.sandbox.path())
            .expect("sandbox")
            .map(|entry| entry.expect("entry").file_name())
            .collect();
        assert_eq!(entries, ["data"], "a file escaped the data directory");
    }
}

/// The harness's user's Cognito tokens and identity-pool credentials.
#[derive(Debug, Default)]
pub struct UserCredentials {
    pub access_token: String,
    pub id_token: String,
    pub refresh_token: String,
    pub identity_id: String,
    pub access_key_id: String,
    pub secret_key: String,
    pub session_token: String,
}

/// A request in plain text: `METHOD TARGET` on the first line, then `name: value` header lines, an empty line
/// and the body. Lines end with `\n`. Header lines that are not valid HTTP are skipped; `None` when the first line
/// is not a method and a URI.
pub struct TextRequest {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TextRequest {
    pub fn parse(data: &[u8]) -> Option<TextRequest> {
        let (head, body) = match find(data, b"\n\n") {
            Some(at) => (&data[..at], data[at + 2..].to_vec()),
            None => (data, Vec::new()),
        };
        let mut lines = head.split(|b| *b == b'\n');
        let first = std::str::from_utf8(lines.next()?).ok()?;
        let (method, target) = first.split_once(' ')?;
        let method = Method::from_bytes(method.as_bytes()).ok()?;
        let uri: Uri = target.parse().ok()?;
        let mut headers = HeaderMap::new();
        for line in lines {
            let Some(colon) = line.iter().position(|b| *b == b':') else {
                continue;
            };
            let value = line[colon + 1..].trim_ascii_start();
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(&line[..colon]),
                HeaderValue::from_bytes(value),
            ) {
                headers.append(name, value);
            }
        }
        Some(TextRequest {
            method,
            uri,
            headers,
            body,
        })
    }

    /// As an axum request.
    pub fn into_request(self) -> Request<Body> {
        let mut request = Request::new(Body::from(self.body));
        *request.method_mut() = self.method;
        *request.uri_mut() = self.uri;
        *request.headers_mut() = self.headers;
        request
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
