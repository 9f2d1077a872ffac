//! Shared harness for the cross-crate and cross-language tests in `tests/tests/`.
//!
//! * [`TestBackend`] runs [`amplify_local::LocalBackend`] in-process on a free port of
//!   127.0.0.1 with a fresh data directory, and hands out the settings the peers need.
//! * [`run_node`] and [`run_python`] run the real client peers in `interop/` (aws-amplify in
//!   Node.js, boto3 and PyJWT in Python). Each prints one JSON object, which is returned.
//!   The processes get a timeout and are killed if the test gives up on them.
//! * [`cookies`] takes apart what the aws-amplify scripts report: raw `document.cookie`
//!   writes and Cookie headers.
//! * [`run_browser_flow`] runs one end-to-end flow of `interop/browser/flows.mjs`
//!   (playwright-core driving Debian's Chromium, `AMPLIFY_IT_CHROMIUM`) against a running
//!   demo app, with a screenshot of every step in [`screenshot_dir`].
//!
//! The peers are installed by `scripts/test` (npm packages from `interop/package-lock.json`,
//! a venv at `.venv` from `interop/requirements.txt`), which also exports where they are:
//! `AMPLIFY_IT_NODE`, `AMPLIFY_IT_PYTHON` and `AMPLIFY_IT_INTEROP_DIR`. Without those the
//! harness falls back to `node` on the PATH, `.venv/bin/python` and `interop/` in this
//! checkout. A missing peer fails the test with a message saying how to install it; tests
//! are never skipped silently.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

pub mod cookies;
pub mod example_flows;

/// How long one peer process may run before the test fails and the process is killed.
pub const PEER_TIMEOUT: Duration = Duration::from_secs(90);

/// Environment variables for a peer process, as (name, value) pairs.
pub type PeerEnv = Vec<(String, String)>;

/// The repository root (the directory holding the workspace's Cargo.toml).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the test crate lives one level below the repository root")
        .to_path_buf()
}

/// `interop/`: `AMPLIFY_IT_INTEROP_DIR`, or the one in this checkout.
pub fn interop_dir() -> PathBuf {
    std::env::var_os("AMPLIFY_IT_INTEROP_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("interop"))
}

/// The Node.js binary: `AMPLIFY_IT_NODE`, or `node` on the PATH.
pub fn node_program() -> PathBuf {
    std::env::var_os("AMPLIFY_IT_NODE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("node"))
}

/// The Python interpreter with the test packages: `AMPLIFY_IT_PYTHON`, or `.venv/bin/python`.
pub fn python_program() -> PathBuf {
    std::env::var_os("AMPLIFY_IT_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv").join("bin").join("python"))
}

const INSTALL_HINT: &str = "run scripts/test, which installs them (npm ci in interop/, and a venv at .venv from interop/requirements.txt)";

fn assert_node_peers_installed() {
    let marker = interop_dir()
        .join("node_modules")
        .join("aws-amplify")
        .join("package.json");
    assert!(
        marker.is_file(),
        "the npm packages for the interop tests are missing ({} not found): {INSTALL_HINT}",
        marker.display()
    );
}

fn assert_python_peers_installed() {
    let python = python_program();
    // A bare program name is looked up on the PATH when it runs; only check real paths.
    if python.components().count() > 1 {
        assert!(
            python.is_file(),
            "the Python venv for the interop tests is missing ({} not found): {INSTALL_HINT}",
            python.display()
        );
    }
}

/// The variables the scripts in `interop/js/` read.
const NODE_SCRIPT_VARS: &[&str] = &[
    "POOL",
    "CLIENT",
    "IDP_EP",
    "USERNAME",
    "PASSWORD",
    "AUTH_FLOW",
    "COOKIE",
    "FORCE_REFRESH",
    "ATTRIBUTES",
    "GLOBAL",
];

/// The variables the scripts in `interop/py/` read.
const PYTHON_SCRIPT_VARS: &[&str] = &["ENDPOINT", "REGION", "CLIENT", "POOL", "JWKS_URL", "ISSUER"];

/// Runs `interop/js/<script>` with Node.js and returns the JSON object it prints.
///
/// Panics (failing the test) when the npm packages are not installed, when the script
/// exits non-zero, prints no JSON, or runs longer than [`PEER_TIMEOUT`].
pub async fn run_node<I, K, V>(script: &str, envs: I) -> Value
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<OsStr>,
    V: AsRef<OsStr>,
{
    assert_node_peers_installed();
    let path = interop_dir().join("js").join(script);
    assert!(path.is_file(), "no such peer script: {}", path.display());
    let mut command = tokio::process::Command::new(node_program());
    command.arg(&path);
    // Only what the test passes may steer the script, not the developer's shell.
    for name in NODE_SCRIPT_VARS {
        command.env_remove(name);
    }
    run_peer(command, &format!("node {script}"), envs).await
}

/// Runs `interop/py/<script> <args...>` with the venv's Python and returns the JSON object
/// it prints. Panics like [`run_node`].
pub async fn run_python<I, K, V>(script: &str, args: &[&str], envs: I) -> Value
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<OsStr>,
    V: AsRef<OsStr>,
{
    assert_python_peers_installed();
    let path = interop_dir().join("py").join(script);
    assert!(path.is_file(), "no such peer script: {}", path.display());
    let mut command = tokio::process::Command::new(python_program());
    command.arg(&path).args(args);
    for name in PYTHON_SCRIPT_VARS {
        command.env_remove(name);
    }
    // Keep the developer's AWS configuration away from boto3.
    command
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_DEFAULT_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1");
    run_peer(
        command,
        &format!("python {script} {}", args.join(" ")),
        envs,
    )
    .await
}

/// Runs `interop/py/boto3_cognito.py <args...>`; see [`run_python`].
pub async fn boto3<I, K, V>(args: &[&str], envs: I) -> Value
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<OsStr>,
    V: AsRef<OsStr>,
{
    run_python("boto3_cognito.py", args, envs).await
}

async fn run_peer<I, K, V>(mut command: tokio::process::Command, label: &str, envs: I) -> Value
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<OsStr>,
    V: AsRef<OsStr>,
{
    command
        .envs(envs)
        .current_dir(interop_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = command
        .spawn()
        .unwrap_or_else(|e| panic!("could not start `{label}` ({e}): {INSTALL_HINT}"));
    // On timeout the future is dropped, and with it the child, which kill_on_drop ends.
    let output = tokio::time::timeout(PEER_TIMEOUT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("`{label}` did not finish within {PEER_TIMEOUT:?}"))
        .unwrap_or_else(|e| panic!("waiting for `{label}` failed: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "`{label}` failed with {}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status
    );
    let line = stdout
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or_else(|| panic!("`{label}` printed nothing\n--- stderr\n{stderr}"));
    serde_json::from_str(line).unwrap_or_else(|e| {
        panic!("`{label}` did not print JSON ({e})\n--- stdout\n{stdout}\n--- stderr\n{stderr}")
    })
}

/// Converts `[("NAME", "value"), ...]` into a [`PeerEnv`].
pub fn env_of(pairs: &[(&str, &str)]) -> PeerEnv {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The `error` member of a peer's JSON output: `Some((name, message))`, or `None` when it
/// is absent or null.
pub fn peer_error(output: &Value) -> Option<(String, String)> {
    let error = output.get("error").filter(|e| !e.is_null())?;
    let text = |key: &str| {
        error
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Some((text("name"), text("message")))
}

/// Fails the test, showing the whole output, when a peer reported an error.
#[track_caller]
pub fn assert_no_peer_error(output: &Value) {
    if let Some((name, message)) = peer_error(output) {
        panic!("peer reported {name}: {message}\nfull output: {output:#}");
    }
}

/// Fails the test unless a peer reported the error `expected_name`.
#[track_caller]
pub fn assert_peer_error(output: &Value, expected_name: &str) {
    match peer_error(output) {
        Some((name, _)) if name == expected_name => {}
        Some((name, message)) => {
            panic!(
                "expected {expected_name}, peer reported {name}: {message}\nfull output: {output:#}"
            )
        }
        None => panic!("expected {expected_name}, but the peer succeeded\nfull output: {output:#}"),
    }
}

/// amplify-local running in-process for one test, with its own data directory.
#[derive(Debug)]
pub struct TestBackend {
    /// The running backend.
    pub backend: amplify_local::LocalBackend,
    outputs: Value,
    _data_dir: tempfile::TempDir,
}

impl TestBackend {
    /// Starts amplify-local on a free port of 127.0.0.1 with a fresh temporary data directory.
    pub async fn start() -> Self {
        Self::start_with(|options| options).await
    }

    /// Like [`Self::start`], with options changed by `configure` (for example
    /// `|o| o.with_rotate_refresh_tokens(true)`).
    pub async fn start_with(
        configure: impl FnOnce(amplify_local::LocalOptions) -> amplify_local::LocalOptions,
    ) -> Self {
        let data_dir = tempfile::Builder::new()
            .prefix("amplify-it-")
            .tempdir()
            .expect("create a temporary data directory");
        let options = configure(amplify_local::LocalOptions::new(data_dir.path()));
        let backend = amplify_local::LocalBackend::start(options)
            .await
            .expect("start amplify-local");
        let outputs = backend.outputs();
        Self {
            backend,
            outputs,
            _data_dir: data_dir,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.backend.base_url()
    }

    /// The user-pool id.
    pub fn user_pool_id(&self) -> String {
        self.backend.user_pool_id().to_owned()
    }

    /// The app client id.
    pub fn client_id(&self) -> String {
        self.backend.client_id().to_owned()
    }

    /// The region, e.g. `us-east-1`.
    pub fn region(&self) -> String {
        self.backend.region().to_owned()
    }

    /// The amplify_outputs.json document the backend describes itself with.
    pub fn outputs(&self) -> &Value {
        &self.outputs
    }

    fn endpoint(&self, key: &str) -> String {
        self.outputs["custom"]["amplify_ssr"]["endpoints"][key]
            .as_str()
            .unwrap_or_else(|| {
                panic!(
                    "amplify-local's outputs lack custom.amplify_ssr.endpoints.{key}: {:#}",
                    self.outputs
                )
            })
            .to_owned()
    }

    /// The user-pool (Cognito IdP JSON protocol) endpoint, as given in the outputs.
    pub fn user_pool_endpoint(&self) -> String {
        self.endpoint("user_pool")
    }

    /// Where the user pool's JWKS is served.
    pub fn jwks_url(&self) -> String {
        self.endpoint("jwks_url")
    }

    /// The `iss` the backend puts into its tokens.
    pub fn token_issuer(&self) -> String {
        self.endpoint("token_issuer")
    }

    /// Environment for the aws-amplify scripts (`interop/js/*.mjs`): POOL, CLIENT, IDP_EP.
    pub fn amplify_env(&self) -> PeerEnv {
        vec![
            ("POOL".to_owned(), self.user_pool_id()),
            ("CLIENT".to_owned(), self.client_id()),
            ("IDP_EP".to_owned(), self.user_pool_endpoint()),
        ]
    }

    /// [`Self::amplify_env`] plus `extra`.
    pub fn amplify_env_with(&self, extra: &[(&str, &str)]) -> PeerEnv {
        let mut env = self.amplify_env();
        env.extend(env_of(extra));
        env
    }

    /// Environment for `interop/py/boto3_cognito.py`: ENDPOINT, REGION, CLIENT, POOL,
    /// JWKS_URL, ISSUER.
    pub fn boto3_env(&self) -> PeerEnv {
        vec![
            ("ENDPOINT".to_owned(), self.user_pool_endpoint()),
            ("REGION".to_owned(), self.region()),
            ("CLIENT".to_owned(), self.client_id()),
            ("POOL".to_owned(), self.user_pool_id()),
            ("JWKS_URL".to_owned(), self.jwks_url()),
            ("ISSUER".to_owned(), self.token_issuer()),
        ]
    }

    /// Creates a confirmed user with a permanent password and attributes such as
    /// `("email", "a@example.com")`.
    pub fn create_user(
        &self,
        username: &str,
        password: &str,
        attributes: &[(&str, &str)],
    ) -> amplify_local::LocalUser {
        self.backend
            .create_user(username, password, attributes)
            .unwrap_or_else(|e| panic!("create user {username}: {e}"))
    }

    /// The pending `SignUp` confirmation code of a user.
    pub fn confirmation_code(&self, username: &str) -> Option<String> {
        self.backend.confirmation_code(username)
    }

    /// How many requests for the Cognito operation `name` (e.g. `GetTokensFromRefreshToken`)
    /// the backend has served.
    pub fn operation_count(&self, name: &str) -> u64 {
        self.backend.operation_count(name)
    }

    /// Stops the backend and removes its data directory.
    pub async fn shutdown(self) {
        self.backend.shutdown().await;
    }
}

/// How long one browser flow (`interop/browser/flows.mjs`) may run before the test fails and
/// the process group (Node.js and its Chromium) is killed. The script gives up on its own
/// after [`BROWSER_FLOW_SCRIPT_TIMEOUT`] and still reports what it saw.
pub const BROWSER_FLOW_TIMEOUT: Duration = Duration::from_secs(180);

/// The flow script's own deadline (its `FLOW_TIMEOUT_MS`), below [`BROWSER_FLOW_TIMEOUT`].
/// A flow takes a few seconds; the rest is headroom for a loaded machine, and for the failure
/// screenshot and closing the browser after the deadline.
pub const BROWSER_FLOW_SCRIPT_TIMEOUT: Duration = Duration::from_secs(100);

/// How long each wait inside a flow (a page, an element) may take (its `STEP_TIMEOUT_MS`).
pub const BROWSER_STEP_TIMEOUT: Duration = Duration::from_secs(30);

const BROWSER_INSTALL_HINT: &str = "run scripts/test, which installs Chromium and playwright-core (Debian's chromium with apt-get, and npm ci in interop/)";

/// The Chromium binary for the browser tests: `AMPLIFY_IT_CHROMIUM`, or `/usr/bin/chromium`.
pub fn chromium_program() -> PathBuf {
    std::env::var_os("AMPLIFY_IT_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Where the browser flows save a screenshot of every step: `target/e2e-screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    repo_root().join("target").join("e2e-screenshots")
}

/// What one run of a browser flow reported.
#[derive(Debug)]
pub struct BrowserRun {
    /// The flow's name (`FLOW`).
    pub flow: String,
    /// The JSON object the script printed.
    pub output: Value,
    /// The script's diagnostics.
    pub stderr: String,
    /// Wall-clock time of the whole process, Chromium's start included.
    pub elapsed: Duration,
}

impl BrowserRun {
    /// The string member `key` of the output, if present and a string.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.output.get(key).and_then(Value::as_str)
    }

    /// The output and diagnostics, for failure messages.
    pub fn details(&self) -> String {
        format!(
            "--- output of flow {}\n{:#}\n--- stderr\n{}\nscreenshots: {}",
            self.flow,
            self.output,
            self.stderr,
            screenshot_dir().display()
        )
    }
}

/// Kills a process group (Node.js and the Chromium it started) when dropped.
struct ProcessGroupGuard(Option<u32>);

impl Drop for ProcessGroupGuard {
    fn drop(&mut self) {
        if let Some(pid) = self.0.take() {
            // `kill` the program: no unsafe code for libc::kill. Fails harmlessly when the
            // group is gone already.
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// Runs the browser flow `flow` of the demo's `interop/browser/flows.mjs` in headless Chromium
/// and returns what it reported. `envs` must give at least `DEMO_URL` and `BACKEND_URL`. See
/// [`run_browser_script`].
pub async fn run_browser_flow<I, K, V>(flow: &str, envs: I) -> BrowserRun
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<OsStr>,
    V: AsRef<OsStr>,
{
    run_browser_script("flows.mjs", flow, flow, envs).await
}

/// Runs the flow `flow` of the browser script `interop/browser/<script>` (built on
/// `harness.mjs`) in headless Chromium and returns what it reported. `FLOW`, `CHROMIUM`,
/// `SCREENSHOT_DIR`, `SHOT_PREFIX` (= `shot_prefix`, which names its screenshots) and the
/// timeouts are set here; `envs` gives the rest. Screenshots of an earlier run with the same
/// prefix are removed first.
///
/// Panics (failing the test, never skipping it) when Chromium or playwright-core is missing,
/// when the script cannot run or prints no JSON, or when it runs longer than
/// [`BROWSER_FLOW_TIMEOUT`]; then the process group is killed. A flow that fails in the
/// browser is not a panic here: its output has an `error` member (see [`assert_no_peer_error`]).
pub async fn run_browser_script<I, K, V>(
    script: &str,
    flow: &str,
    shot_prefix: &str,
    envs: I,
) -> BrowserRun
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<OsStr>,
    V: AsRef<OsStr>,
{
    let chromium = chromium_program();
    assert!(
        chromium.is_file(),
        "Chromium is missing ({} not found): {BROWSER_INSTALL_HINT}",
        chromium.display()
    );
    let marker = interop_dir()
        .join("node_modules")
        .join("playwright-core")
        .join("package.json");
    assert!(
        marker.is_file(),
        "the npm package playwright-core is missing ({} not found): {BROWSER_INSTALL_HINT}",
        marker.display()
    );
    let script_path = interop_dir().join("browser").join(script);
    assert!(
        script_path.is_file(),
        "no such script: {}",
        script_path.display()
    );

    let shots = screenshot_dir();
    std::fs::create_dir_all(&shots).unwrap_or_else(|e| panic!("create {}: {e}", shots.display()));
    if let Ok(entries) = std::fs::read_dir(&shots) {
        let prefix = format!("{shot_prefix}-");
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    let label = format!("node browser/{script} (FLOW={flow})");
    let mut command = tokio::process::Command::new(node_program());
    command.arg(&script_path);
    for name in [
        "USERNAME",
        "CLIENT_ID",
        "PASSWORD",
        "NEW_USERNAME",
        "NEW_EMAIL",
        "NEW_PASSWORD",
        "GOOGLE_EMAIL",
        "GOOGLE_NAME",
    ] {
        command.env_remove(name);
    }
    command
        .envs(envs)
        .env("FLOW", flow)
        .env("SHOT_PREFIX", shot_prefix)
        .env("CHROMIUM", &chromium)
        .env("SCREENSHOT_DIR", &shots)
        .env(
            "STEP_TIMEOUT_MS",
            BROWSER_STEP_TIMEOUT.as_millis().to_string(),
        )
        .env(
            "FLOW_TIMEOUT_MS",
            BROWSER_FLOW_SCRIPT_TIMEOUT.as_millis().to_string(),
        )
        .current_dir(interop_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group, so that Chromium goes with it (see ProcessGroupGuard).
        .process_group(0)
        .kill_on_drop(true);
    let started = std::time::Instant::now();
    let child = command
        .spawn()
        .unwrap_or_else(|e| panic!("could not start `{label}` ({e}): {BROWSER_INSTALL_HINT}"));
    let _group = ProcessGroupGuard(child.id());
    let output = tokio::time::timeout(BROWSER_FLOW_TIMEOUT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| {
            panic!(
                "`{label}` did not finish within {BROWSER_FLOW_TIMEOUT:?} (screenshots so far: {})",
                shots.display()
            )
        })
        .unwrap_or_else(|e| panic!("waiting for `{label}` failed: {e}"));
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "`{label}` failed with {}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status
    );
    let line = stdout
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or_else(|| panic!("`{label}` printed nothing\n--- stderr\n{stderr}"));
    let output = serde_json::from_str(line).unwrap_or_else(|e| {
        panic!("`{label}` did not print JSON ({e})\n--- stdout\n{stdout}\n--- stderr\n{stderr}")
    });
    BrowserRun {
        flow: flow.to_owned(),
        output,
        stderr,
        elapsed,
    }
}

/// How long the AppSync simulator may take to start (it prints its URL after about 3 s): a safety net
/// against hanging, far above what a loaded machine needs.
pub const APPSYNC_SIMULATOR_START_TIMEOUT: Duration = Duration::from_secs(120);

const APPSYNC_INSTALL_HINT: &str = "run scripts/test, which installs the npm packages (npm ci in interop/, \
     from interop/package-lock.json)";

/// The AppSync simulator from npm (`@aws-amplify/amplify-appsync-simulator`), run by
/// `interop/appsync/simulator.mjs` on a free port of 127.0.0.1 with the schema, model rules and
/// API key of an amplify-local, and in-memory resolvers.
///
/// It checks only the shape of credentials (no JWT or SigV4 signature is verified, and a user-pool
/// token is any JWT whose `iss` starts with `https://cognito-idp.`), so start amplify-local with
/// [`amplify_local::IssuerMode::Aws`] for user-pool calls. The process ends when this value is
/// dropped: its stdin closes (the script exits on that) and it is killed as well.
#[derive(Debug)]
pub struct AppSyncSimulator {
    url: String,
    output: std::sync::Arc<std::sync::Mutex<String>>,
    _stdin: tokio::process::ChildStdin,
    _child: tokio::process::Child,
    _config: tempfile::NamedTempFile,
}

impl AppSyncSimulator {
    /// Starts the simulator with `backend`'s schema SDL, `model_introspection` and API key.
    ///
    /// Panics (failing the test, never skipping it) when the npm package is not installed, or when
    /// the simulator does not print its URL within [`APPSYNC_SIMULATOR_START_TIMEOUT`].
    pub async fn start(backend: &amplify_local::LocalBackend) -> Self {
        Self::start_with_answers(backend, Value::Null).await
    }

    /// Like [`Self::start`]; the schema's custom queries and mutations answer `custom_answers[name]` (an object
    /// by operation name) to the callers their rules let through.
    pub async fn start_with_answers(
        backend: &amplify_local::LocalBackend,
        custom_answers: Value,
    ) -> Self {
        use tokio::io::{AsyncBufReadExt as _, AsyncRead, BufReader};

        let marker = interop_dir()
            .join("node_modules")
            .join("@aws-amplify")
            .join("amplify-appsync-simulator")
            .join("package.json");
        assert!(
            marker.is_file(),
            "the AppSync simulator (npm @aws-amplify/amplify-appsync-simulator) is missing ({} not \
             found): {APPSYNC_INSTALL_HINT}",
            marker.display()
        );
        let script = interop_dir().join("appsync").join("simulator.mjs");
        assert!(script.is_file(), "no such script: {}", script.display());

        let outputs = backend.outputs();
        let config = serde_json::json!({
            "sdl": backend.graphql_schema_sdl(),
            "modelIntrospection": outputs["data"]["model_introspection"],
            "apiKey": backend.api_key(),
            "customAnswers": custom_answers,
        });
        let mut file = tempfile::Builder::new()
            .prefix("appsync-simulator-")
            .suffix(".json")
            .tempfile()
            .expect("create the simulator's config file");
        std::io::Write::write_all(&mut file, config.to_string().as_bytes())
            .expect("write the simulator's config file");

        let label = "node appsync/simulator.mjs";
        let mut child = tokio::process::Command::new(node_program())
            .arg(&script)
            .arg(file.path())
            .current_dir(interop_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("could not start `{label}` ({e}): {APPSYNC_INSTALL_HINT}"));
        let stdin = child.stdin.take().expect("piped stdin");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let output = std::sync::Arc::new(std::sync::Mutex::new(String::new()));

        // Keep draining stderr (and, below, stdout) so the simulator never blocks on a full pipe.
        fn drain(
            stream: impl AsyncRead + Unpin + Send + 'static,
            sink: std::sync::Arc<std::sync::Mutex<String>>,
        ) {
            tokio::spawn(async move {
                let mut lines = BufReader::new(stream).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    let mut sink = sink
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    sink.push_str(&line);
                    sink.push('\n');
                }
            });
        }
        drain(
            child.stderr.take().expect("piped stderr"),
            std::sync::Arc::clone(&output),
        );

        let seen = std::sync::Arc::clone(&output);
        let started = tokio::time::timeout(APPSYNC_SIMULATOR_START_TIMEOUT, async {
            while let Ok(Some(line)) = stdout.next_line().await {
                if let Ok(value) = serde_json::from_str::<Value>(&line)
                    && let Some(url) = value.get("url").and_then(Value::as_str)
                {
                    return Some(url.to_owned());
                }
                let mut seen = seen
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                seen.push_str(&line);
                seen.push('\n');
            }
            None
        })
        .await;
        let log = || {
            output
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone()
        };
        let url = match started {
            Ok(Some(url)) => url,
            Ok(None) => panic!(
                "`{label}` exited without printing its URL\n--- output\n{}",
                log()
            ),
            Err(_) => panic!(
                "`{label}` did not print its URL within {APPSYNC_SIMULATOR_START_TIMEOUT:?}\n--- output\n{}",
                log()
            ),
        };
        tokio::spawn(async move { while let Ok(Some(_)) = stdout.next_line().await {} });
        Self {
            url,
            output,
            _stdin: stdin,
            _child: child,
            _config: file,
        }
    }

    /// `http://127.0.0.1:PORT/graphql`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// What the simulator wrote to stderr so far (and stdout before its URL), for failure messages.
    pub fn output(&self) -> String {
        self.output
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// The demo app on free ports, with its embedded amplify-local in a temporary directory, for one test.
#[derive(Debug)]
pub struct DemoUnderTest {
    demo: amplify_demo::RunningDemo,
    _data_dir: tempfile::TempDir,
}

impl DemoUnderTest {
    /// Starts the demo; its data directory's name starts with `prefix`.
    pub async fn start(prefix: &str) -> Self {
        let data_dir = tempfile::Builder::new()
            .prefix(prefix)
            .tempdir()
            .expect("create a temporary data directory");
        let mut options = amplify_demo::DemoOptions::new(data_dir.path());
        options.port = 0;
        options.backend_port = 0;
        let demo = amplify_demo::start(options)
            .await
            .unwrap_or_else(|e| panic!("start the demo: {e}"));
        assert!(
            demo.backend().is_some(),
            "the demo should run on its embedded amplify-local"
        );
        Self {
            demo,
            _data_dir: data_dir,
        }
    }

    /// Where the demo listens.
    pub fn url(&self) -> &str {
        &self.demo.url
    }

    /// Its embedded amplify-local.
    pub fn backend(&self) -> &amplify_local::LocalBackend {
        self.demo.backend().expect("embedded backend")
    }

    /// Stops the demo and its backend.
    pub async fn shutdown(self) {
        self.demo.shutdown().await;
    }
}
