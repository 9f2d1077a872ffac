//! The framework examples (`examples/*`) end to end in headless Chromium, with JavaScript off: one
//! script (`interop/browser/examples.mjs`) drives every example, since they all serve the pages of
//! `examples/README.md`. Each function runs one flow against a running example and asserts what a
//! user must see; an example's test file calls them, one test per flow.

use amplify_examples_support::{
    DEMO_PASSWORD, DEMO_USERS, ExampleOptions, RunningExample, StartError,
};
use std::future::Future;

use serde_json::Value;

use crate::{BrowserRun, run_browser_script};

/// Runs `flow` of `examples.mjs` against the example `example` (its name, for the screenshots)
/// served at `app_url`, with JavaScript off, and fails the test if the flow did not get to its
/// end, a page showed an error, or a page script failed.
pub async fn run_example_flow(example: &str, app_url: &str, flow: &str) -> BrowserRun {
    let run = run_browser_script(
        "examples.mjs",
        flow,
        &format!("{example}-{flow}"),
        [
            ("APP_URL", app_url),
            ("USER_A", DEMO_USERS[0]),
            ("USER_B", DEMO_USERS[1]),
            ("PASSWORD", DEMO_PASSWORD),
            ("JAVASCRIPT", "off"),
        ],
    )
    .await;
    assert!(
        run.output["error"].is_null(),
        "the {example} example failed in the browser\n{}",
        run.details()
    );
    for step in run.output["steps"].as_array().into_iter().flatten() {
        let errors = step["errors"].as_array().map_or(0, Vec::len);
        assert_eq!(
            errors,
            0,
            "step {} showed errors\n{}",
            step["name"],
            run.details()
        );
    }
    run
}

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item[key].as_str().map(str::to_owned))
        .collect()
}

/// A signed-out visit to `/protected` goes through managed login and comes back to `/protected`,
/// signed in, with HttpOnly session cookies; the home page then shows the user.
pub async fn protected_page(example: &str, app_url: &str) {
    let run = run_example_flow(example, app_url, "protected-page").await;
    let out = &run.output;
    assert_eq!(out["loginPageOnApp"], false, "{}", run.details());
    assert!(
        out["protectedUrl"]
            .as_str()
            .is_some_and(|u| u.ends_with("/protected")),
        "{}",
        run.details()
    );
    assert_eq!(out["protectedUser"], DEMO_USERS[0], "{}", run.details());
    assert_eq!(out["whoami"], DEMO_USERS[0], "{}", run.details());
    let cookies = out["sessionCookies"].as_array().expect("cookies");
    assert!(
        cookies.iter().any(|c| c["name"]
            .as_str()
            .is_some_and(|n| n.ends_with(".accessToken"))),
        "{}",
        run.details()
    );
    assert!(
        cookies.iter().all(|c| c["httpOnly"] == true),
        "session cookies set by server-side sign-in are HttpOnly\n{}",
        run.details()
    );
}

/// Sign-out clears the session: the home page says signed out, no session cookie is left, and the
/// protected page asks to sign in again.
pub async fn sign_out(example: &str, app_url: &str) {
    let run = run_example_flow(example, app_url, "sign-out").await;
    let out = &run.output;
    assert_eq!(out["whoamiBefore"], "signed out", "{}", run.details());
    assert_eq!(out["whoamiSignedIn"], DEMO_USERS[0], "{}", run.details());
    assert_eq!(out["whoamiAfter"], "signed out", "{}", run.details());
    assert_eq!(
        out["sessionCookiesAfter"].as_array().map(Vec::len),
        Some(0),
        "{}",
        run.details()
    );
    assert_eq!(
        out["protectedAfterSignOutShowsLogin"],
        true,
        "{}",
        run.details()
    );
}

/// Todos through the typed Data client, per user: A creates, toggles and deletes; B sees none of
/// A's items and A none of B's.
pub async fn todos(example: &str, app_url: &str) {
    let run = run_example_flow(example, app_url, "todos").await;
    let out = &run.output;
    let kept = out["contents"]["kept"].as_str().expect("kept");
    let deleted = out["contents"]["deleted"].as_str().expect("deleted");
    let of_b = out["contents"]["ofB"].as_str().expect("ofB");

    let of_a: Vec<&Value> = out["todosOfA"]
        .as_array()
        .expect("A's todos")
        .iter()
        .collect();
    let kept_item = of_a
        .iter()
        .find(|t| t["content"] == kept)
        .unwrap_or_else(|| panic!("A's todo is listed\n{}", run.details()));
    assert_eq!(kept_item["done"], "true", "{}", run.details());
    assert!(
        !names(&out["todosOfA"], "content").contains(&deleted.to_owned()),
        "the deleted todo is gone\n{}",
        run.details()
    );
    let b_before = names(&out["todosOfBBefore"], "content");
    assert!(
        !b_before.contains(&kept.to_owned()),
        "B must not see A's todo\n{}",
        run.details()
    );
    assert!(
        names(&out["todosOfB"], "content").contains(&of_b.to_owned()),
        "{}",
        run.details()
    );
    let a_again = names(&out["todosOfAAgain"], "content");
    assert!(a_again.contains(&kept.to_owned()), "{}", run.details());
    assert!(
        !a_again.contains(&of_b.to_owned()),
        "A must not see B's todo\n{}",
        run.details()
    );
}

/// A file uploaded by A is listed with a presigned link that downloads its exact content, and B
/// does not see it.
pub async fn files(example: &str, app_url: &str) {
    let run = run_example_flow(example, app_url, "files").await;
    let out = &run.output;
    let name = out["fileName"].as_str().expect("fileName");
    assert!(
        names(&out["filesOfA"], "name").contains(&name.to_owned()),
        "{}",
        run.details()
    );
    assert_eq!(out["download"]["status"], 200, "{}", run.details());
    assert_eq!(out["downloadMatches"], true, "{}", run.details());
    assert!(
        !names(&out["filesOfB"], "name").contains(&name.to_owned()),
        "B must not see A's file\n{}",
        run.details()
    );
}

/// Starts an example (its `start` function) on free ports with a fresh data directory, which lives as long as
/// the returned guard.
pub async fn start_example<F, Fut>(name: &str, start: F) -> (RunningExample, tempfile::TempDir)
where
    F: FnOnce(ExampleOptions) -> Fut,
    Fut: Future<Output = Result<RunningExample, StartError>>,
{
    let data_dir = tempfile::Builder::new()
        .prefix(&format!("example-{name}-"))
        .tempdir()
        .expect("a temporary data directory");
    let running = start(ExampleOptions::new(data_dir.path()))
        .await
        .unwrap_or_else(|e| panic!("start the {name} example: {e}"));
    (running, data_dir)
}

/// The four browser tests every example passes ([`protected_page`], [`sign_out`], [`todos`], [`files`]), for
/// the example `$name` started by `$start`, in a module `browser` of the calling test file.
#[macro_export]
macro_rules! example_browser_tests {
    ($name:literal, $start:path) => {
        mod browser {
            use $crate::example_flows;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn protected_page_round_trip() {
                let (running, _dir) = example_flows::start_example($name, $start).await;
                example_flows::protected_page($name, &running.url).await;
                running.shutdown().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sign_out() {
                let (running, _dir) = example_flows::start_example($name, $start).await;
                example_flows::sign_out($name, &running.url).await;
                running.shutdown().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn todos_of_two_users() {
                let (running, _dir) = example_flows::start_example($name, $start).await;
                example_flows::todos($name, &running.url).await;
                running.shutdown().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn file_upload_and_presigned_link() {
                let (running, _dir) = example_flows::start_example($name, $start).await;
                example_flows::files($name, &running.url).await;
                running.shutdown().await;
            }
        }
    };
}

/// A browser's cookie jar for one site, for tests that talk to an example over HTTP: name -> value, updated
/// from `Set-Cookie` (a `Max-Age=0` or an expiry in 1970 removes the cookie).
#[derive(Clone, Debug, Default)]
pub struct CookieJar(std::collections::BTreeMap<String, String>);

impl CookieJar {
    /// Applies `Set-Cookie` lines.
    pub fn apply_lines<'a>(&mut self, set_cookies: impl IntoIterator<Item = &'a str>) {
        for line in set_cookies {
            let (pair, attributes) = line.split_once(';').unwrap_or((line, ""));
            let (name, value) = pair
                .split_once('=')
                .expect("Set-Cookie starts with name=value");
            let attributes = attributes.to_ascii_lowercase();
            if attributes.contains("max-age=0") || attributes.contains("1970") {
                self.0.remove(name.trim());
            } else {
                self.insert(name.trim(), value.trim());
            }
        }
    }

    /// Applies a response's `Set-Cookie` headers.
    pub fn apply(&mut self, response: &reqwest::Response) {
        self.apply_lines(
            response
                .headers()
                .get_all(reqwest::header::SET_COOKIE)
                .iter()
                .map(|value| value.to_str().expect("an ASCII Set-Cookie")),
        );
    }

    /// Sets a cookie.
    pub fn insert(&mut self, name: &str, value: &str) {
        self.0.insert(name.to_owned(), value.to_owned());
    }

    /// Whether the jar holds no cookie.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The `Cookie` header a browser would send.
    pub fn header(&self) -> String {
        let pairs: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
        pairs.join("; ")
    }

    /// The value of the first cookie whose name ends with `suffix` (`.accessToken`, ...).
    pub fn ending_with(&self, suffix: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.ends_with(suffix))
            .map(|(_, v)| v.as_str())
    }
}
