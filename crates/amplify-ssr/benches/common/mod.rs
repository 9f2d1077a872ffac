//! The signed-in session every request benchmark starts from: an in-process amplify-local, one user signed in
//! through the library, and the `Cookie` header the browser would then send.

use amplify_local::{LocalBackend, LocalOptions};
use amplify_ssr::axum::{AmplifyLayer, CurrentUser, RequireAuthLayer};
use amplify_ssr::{AmplifyConfig, ServerContext, ServerRunner, SignInInput};
use axum::Router;
use axum::body::Body;
use axum::routing::get;
use http::{HeaderMap, Request};
use tower::util::MapRequestLayer;

/// A running amplify-local with a signed-in user. (Each benchmark uses some of it.)
#[allow(dead_code)]
pub(crate) struct SignedIn {
    /// The runner the session was signed in with (its JWKS is fetched).
    pub(crate) runner: ServerRunner,
    /// `name=value; ...` of every cookie the sign-in set.
    pub(crate) cookie: String,
    /// The backend, running for the benchmark's duration.
    pub(crate) backend: LocalBackend,
    /// Its data directory, removed at the end.
    pub(crate) _dir: tempfile::TempDir,
}

impl SignedIn {
    /// The value of the session cookie whose name ends with `suffix` (e.g. `.accessToken`).
    #[allow(dead_code)]
    pub(crate) fn cookie_ending_with(&self, suffix: &str) -> &str {
        self.cookie
            .split("; ")
            .find_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                name.ends_with(suffix).then_some(value)
            })
            .expect("session cookie")
    }
}

/// The password of the benchmarks' users.
#[allow(dead_code)]
pub(crate) const PASSWORD: &str = "Bench-passw0rd!";

/// Starts amplify-local and signs `bench` in.
pub(crate) async fn signed_in() -> SignedIn {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut options = LocalOptions::new(dir.path().to_path_buf());
    options.port = 0;
    let backend = LocalBackend::start(options).await.expect("amplify-local");
    backend
        .create_user("bench", PASSWORD, &[("email", "bench@example.com")])
        .expect("user");
    let config = AmplifyConfig::from_value(&backend.outputs()).expect("config");
    let mut builder = ServerRunner::builder(config).ignore_env();
    // `BENCH_SHARED_STORE=1`: the same runner with a shared store, to show requests with a valid session do not
    // touch it (the figures are the same).
    if std::env::var_os("BENCH_SHARED_STORE").is_some() {
        builder = builder
            .store(std::sync::Arc::new(amplify_ssr::store::MemoryStore::new()))
            .cookie_encryption_key(amplify_ssr::secret::CookieEncryptionKey::from_bytes(
                [7; 32],
            ));
    }
    let runner = builder.build().expect("runner");
    let ctx = runner.context(&HeaderMap::new());
    amplify_ssr::sign_in(&ctx, SignInInput::new("bench", PASSWORD))
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
    SignedIn {
        runner,
        cookie,
        backend,
        _dir: dir,
    }
}

/// The routers the request benchmarks compare, each serving `GET /`.
#[allow(dead_code)]
pub(crate) struct Routes {
    /// No layer at all.
    pub(crate) bare: Router,
    /// Two layers that do nothing (a route layer and a router layer): axum's own cost of layering.
    pub(crate) bare_layered: Router,
    /// `AmplifyLayer` + `RequireAuthLayer`, a handler that reads nothing.
    pub(crate) guarded: Router,
    /// The same with `refresh_eagerly`.
    pub(crate) eager: Router,
    /// The guard, and a handler that takes the `ServerContext`.
    pub(crate) with_context: Router,
    /// The guard, and a handler that takes the `CurrentUser`.
    pub(crate) with_user: Router,
}

impl Routes {
    #[allow(dead_code)]
    pub(crate) fn new(runner: &ServerRunner) -> Self {
        let hello = || get(|| async { "hello" });
        let protect = |router: Router, layer: AmplifyLayer| {
            router.route_layer(RequireAuthLayer::new()).layer(layer)
        };
        let noop = || MapRequestLayer::new(|request: Request<Body>| request);
        let amplify = || AmplifyLayer::new(runner.clone());
        Self {
            bare: Router::new().route("/", hello()),
            bare_layered: Router::new()
                .route("/", hello())
                .route_layer(noop())
                .layer(noop()),
            guarded: protect(Router::new().route("/", hello()), amplify()),
            eager: protect(
                Router::new().route("/", hello()),
                amplify().refresh_eagerly(),
            ),
            with_context: protect(
                Router::new().route("/", get(|_: ServerContext| async { "hello" })),
                amplify(),
            ),
            with_user: protect(
                Router::new().route(
                    "/",
                    get(|CurrentUser(user): CurrentUser| async move { user.username }),
                ),
                amplify(),
            ),
        }
    }
}
