//! A `redis-server` (Debian's package; `scripts/test` installs it) on a free port of 127.0.0.1, without
//! persistence, stopped by PID when dropped. Shared by amplify-ssr's `redis_store` test and the demo's
//! `instances` test (which includes this file by path).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the server may take to listen before the test fails (an upper bound, not a margin).
const START_PATIENCE: Duration = Duration::from_secs(30);

pub(crate) struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
}

impl RedisServer {
    /// Starts a server on a free port and waits until it listens.
    pub(crate) fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("a free port")
            .local_addr()
            .expect("its address")
            .port();
        let mut server = Self {
            child: None,
            port,
            dir: tempfile::tempdir().expect("a data directory"),
        };
        server.spawn();
        server
    }

    /// Starts the server again on the same port (after [`stop`](Self::stop)).
    pub(crate) fn spawn(&mut self) {
        let binary =
            std::env::var("AMPLIFY_IT_REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_owned());
        let child = Command::new(&binary)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start `{binary}` ({e}); install Debian's redis-server (scripts/test does)")
            });
        self.child = Some(child);
        let deadline = Instant::now() + START_PATIENCE;
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not listen on {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the server (by its PID) and waits for it to exit.
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// `redis://127.0.0.1:<port>/`.
    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
