//! Slow and numerous clients: a half-sent request is closed after the header-read timeout, a request whose body
//! never finishes gets 408, connections over the cap wait for a free slot while the others keep working, and
//! the listen backlog absorbs a burst of connections.

use std::net::SocketAddr;
use std::time::Duration;

use amplify_local::ServerLimits;
use amplify_local::http_server;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::Harness;

/// Far above every timeout the tests configure: only a server that never acts runs into it (a safety net
/// against hanging, not a margin).
const PATIENCE: Duration = Duration::from_secs(120);

fn addr(url: &str) -> SocketAddr {
    url.trim_start_matches("http://")
        .parse()
        .expect("127.0.0.1:port")
}

/// Reads until the server closes the connection (EOF or reset) and returns what it sent.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let outcome = tokio::time::timeout(PATIENCE, async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    assert!(
        outcome.is_ok(),
        "the server kept the connection open for {PATIENCE:?}; it sent {:?}",
        String::from_utf8_lossy(&received)
    );
    String::from_utf8_lossy(&received).into_owned()
}

/// Sends one keep-alive request and reads its (bodiless or small) response head and body.
async fn round_trip(stream: &mut TcpStream, path: &str) -> String {
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut received = Vec::new();
    tokio::time::timeout(PATIENCE, async {
        let mut buffer = [0u8; 4096];
        loop {
            let n = stream.read(&mut buffer).await.expect("read");
            assert!(n > 0, "the server closed a keep-alive connection");
            received.extend_from_slice(&buffer[..n]);
            let text = String::from_utf8_lossy(&received);
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .find_map(|line| {
                        let (name, value) = line.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse::<usize>().ok())?
                    })
                    .expect("content-length");
                if body.len() >= length {
                    return;
                }
            }
        }
    })
    .await
    .expect("a response in time");
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn half_sent_requests_are_closed_after_the_header_timeout_on_both_ports() {
    let h = Harness::start_with(|options| {
        options.with_server_limits(
            ServerLimits::default().with_header_read_timeout(Duration::from_millis(200)),
        )
    })
    .await;
    for url in [h.backend.base_url(), h.backend.s3_url().to_owned()] {
        let mut stream = TcpStream::connect(addr(&url)).await.expect("connect");
        stream
            .write_all(b"GET /.well-known/openid-con")
            .await
            .expect("write");
        let answer = read_until_closed(&mut stream).await;
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
            "{url}: {answer}"
        );
    }
    // A whole request is still served. It is in the socket before the server first reads the connection
    // (the blocking connect and write keep this test's single-threaded runtime from running the server
    // meanwhile), so however slow the machine, the header timeout cannot start before the request is there.
    let mut whole = std::net::TcpStream::connect(addr(&h.backend.base_url())).expect("connect");
    std::io::Write::write_all(
        &mut whole,
        b"GET /.well-known/openid-configuration HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )
    .expect("write");
    whole.set_nonblocking(true).expect("non-blocking");
    let mut whole = TcpStream::from_std(whole).expect("tokio stream");
    let answer = read_until_closed(&mut whole).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn a_request_whose_body_never_arrives_gets_408() {
    let h = Harness::start_with(|options| {
        options.with_server_limits(
            ServerLimits::default().with_request_timeout(Duration::from_millis(200)),
        )
    })
    .await;
    let mut stream = TcpStream::connect(addr(&h.backend.base_url()))
        .await
        .expect("connect");
    // The headers promise 100 bytes; only a few follow.
    stream
        .write_all(
            b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"query\":",
        )
        .await
        .expect("write");
    let answer = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn connections_over_the_cap_wait_for_a_free_slot_while_the_others_work() {
    let h = Harness::start_with(|options| {
        options.with_server_limits(
            ServerLimits::default()
                .with_max_connections(2)
                .with_header_read_timeout(Duration::from_secs(300)),
        )
    })
    .await;
    let server = addr(&h.backend.base_url());
    let path = "/.well-known/openid-configuration";
    // Two keep-alive connections take both slots (each answered once, so the server holds them).
    let mut first = TcpStream::connect(server).await.expect("connect");
    let mut second = TcpStream::connect(server).await.expect("connect");
    assert!(
        round_trip(&mut first, path)
            .await
            .starts_with("HTTP/1.1 200")
    );
    assert!(
        round_trip(&mut second, path)
            .await
            .starts_with("HTTP/1.1 200")
    );
    // A third connection's request waits...
    let mut third = TcpStream::connect(server).await.expect("connect");
    third
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await
        .expect("write");
    // ...while the connections being served keep working...
    assert!(
        round_trip(&mut second, path)
            .await
            .starts_with("HTTP/1.1 200")
    );
    assert!(
        round_trip(&mut first, path)
            .await
            .starts_with("HTTP/1.1 200")
    );
    let mut probe = [0u8; 1];
    match third.try_read(&mut probe) {
        Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("the connection over the cap was served at once: {other:?}"),
    }
    // ...and is served once a slot frees.
    drop(first);
    let answer = read_until_closed(&mut third).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn the_listen_backlog_queues_a_burst_of_connections() {
    // Nothing accepts: every connection must fit in the kernel's queue. tokio's default backlog (128) would
    // drop the SYNs past it, and those connects would hang.
    let burst = 600;
    let backlog = ServerLimits::default().backlog;
    assert!(backlog >= 1024, "{backlog}");
    let listener =
        http_server::listen(SocketAddr::from(([127, 0, 0, 1], 0)), backlog).expect("listen");
    let server = listener.local_addr().expect("addr");
    let connects = (0..burst).map(|_| TcpStream::connect(server));
    let connected = tokio::time::timeout(PATIENCE, all_at_once(connects))
        .await
        .expect("every connection of the burst was queued");
    assert_eq!(connected.iter().filter(|c| c.is_ok()).count(), burst);
    drop(listener);
}

/// Runs the futures concurrently on the runtime and collects their outputs.
async fn all_at_once<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let mut set = tokio::task::JoinSet::new();
    for future in futures {
        set.spawn(future);
    }
    let mut outputs = Vec::new();
    while let Some(output) = set.join_next().await {
        outputs.push(output.expect("task"));
    }
    outputs
}
