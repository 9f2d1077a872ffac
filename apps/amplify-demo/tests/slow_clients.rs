//! The demo's server closes a connection whose request never finishes arriving (a slow client holding a
//! connection), after the configured header-read timeout.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use amplify_local::ServerLimits;

/// Far above the configured timeout: only a server that never closes the connection runs into it (a safety
/// net against hanging, not a margin).
const PATIENCE: Duration = Duration::from_secs(120);

#[tokio::test]
async fn a_half_sent_request_is_closed_after_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = amplify_demo::DemoOptions::new(dir.path());
    options.port = 0;
    options.backend_port = 0;
    options.server_limits =
        ServerLimits::default().with_header_read_timeout(Duration::from_millis(200));
    let demo = amplify_demo::start(options).await.unwrap();
    let addr = demo.url.trim_start_matches("http://").to_owned();
    let received = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        stream.write_all(b"GET /dashboard HT").unwrap();
        let mut received = Vec::new();
        // EOF (or a reset) when the server closes it; a timeout error when it never does.
        match stream.read_to_end(&mut received) {
            Ok(_) => Ok(received),
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => Ok(received),
            Err(error) => Err(error),
        }
    })
    .await
    .unwrap();
    let received = received.expect("the server closes the connection");
    let text = String::from_utf8_lossy(&received);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
    demo.shutdown().await;
}
