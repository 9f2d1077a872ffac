//! Waiting for something done in the background (a sign-out reaching the store, a watcher hearing a
//! publication): poll a condition, with an upper bound far beyond what a loaded machine needs. Shared by the
//! store tests here and the demo's `instances` test (which include this file by path).

use std::time::{Duration, Instant};

/// How long a condition may take to hold before the test fails (an upper bound, not a margin).
pub(crate) const PATIENCE: Duration = Duration::from_secs(30);

/// Polls `condition` until it holds; fails the test, naming `what`, after [`PATIENCE`].
pub(crate) async fn eventually(what: &str, mut condition: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !condition().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
