//! Connections over real loopback sockets: a flood of idle sockets against a low cap is shed
//! (logged and counted) while another client is served; heads sent too slowly and idle
//! keep-alive connections are closed; requests hyper cannot read are answered with our JSON
//! errors; and shutdown closes idle connections and returns.

use healthsearch::index::HealthIndex;
use healthsearch::server::listen::{ConnLimits, serve_on};
use healthsearch::server::state::AppState;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Longest any wait here may take: generous for a loaded machine, and a bound on every read.
const PATIENCE: Duration = Duration::from_secs(15);
/// Timeouts a test does not exercise: far longer than the test.
const NEVER: Duration = Duration::from_secs(600);

struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
    _dir: tempfile::TempDir,
}

/// A server over an empty index (these tests are about connections, not search).
async fn start(limits: ConnLimits) -> Server {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::new(HealthIndex::create(dir.path()).expect("index"));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(serve_on(listener, state, limits, async {
        let _ = stopped.await;
    }));
    Server { addr, stop: Some(stop), task, _dir: dir }
}

/// Writes `request` on a new connection and reads until the server closes it.
async fn exchange(addr: SocketAddr, request: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(request).await.expect("write");
    read_to_close(&mut s).await
}

/// Everything the server sends until it closes the connection (panics after [`PATIENCE`]).
async fn read_to_close(s: &mut TcpStream) -> String {
    let mut out = Vec::new();
    match tokio::time::timeout(PATIENCE, s.read_to_end(&mut out)).await {
        Ok(Ok(_)) | Ok(Err(_)) => String::from_utf8_lossy(&out).into_owned(),
        Err(_) => panic!("the server did not close the connection; got {:?}", String::from_utf8_lossy(&out)),
    }
}

async fn metrics(addr: SocketAddr) -> String {
    exchange(addr, b"GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").await
}

/// The value of one metric line (`name{labels}` exactly), 0 when absent.
fn metric(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|v| v.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

/// Log output kept for a test to read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// A single-threaded runtime, so the server's tasks log to this test's subscriber.
#[tokio::test(flavor = "current_thread")]
async fn an_idle_connection_flood_is_shed_at_the_cap_while_another_client_is_served() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).with_ansi(false).finish();
    let _logging = tracing::subscriber::set_default(subscriber);
    let cap = 16;
    let server = start(ConnLimits { max_connections: cap, header_timeout: NEVER, idle_timeout: NEVER }).await;

    let mut flood = Vec::new();
    for _ in 0..300 {
        flood.push(TcpStream::connect(server.addr).await.expect("connect"));
    }
    let answer = exchange(server.addr, b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");

    let text = metrics(server.addr).await;
    assert_eq!(metric(&text, "healthsearch_connections_max"), cap as f64, "{text}");
    assert!(metric(&text, "healthsearch_connections_open") <= cap as f64, "{text}");
    assert!(metric(&text, "healthsearch_connection_cap_reached_total") >= 250.0, "{text}");
    assert!(metric(&text, r#"healthsearch_connections_dropped_total{reason="cap"}"#) >= 250.0, "{text}");
    // The oldest flood sockets were the ones closed.
    let mut first = flood.remove(0);
    assert_eq!(read_to_close(&mut first).await, "");

    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned();
    let lines: Vec<&str> = logged.lines().filter(|l| l.contains("connection cap reached")).collect();
    assert_eq!(lines.len(), 1, "one line, not one per connection: {logged}");
    assert!(lines[0].contains("WARN") && lines[0].contains("max_connections=16"), "{logged}");
    server.task.abort();
}

#[tokio::test]
async fn a_head_sent_too_slowly_or_not_at_all_is_cut_off() {
    let server =
        start(ConnLimits { header_timeout: Duration::from_millis(300), idle_timeout: NEVER, ..ConnLimits::default() })
            .await;
    let mut slow = TcpStream::connect(server.addr).await.expect("connect");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n").await.expect("write");
    let mut silent = TcpStream::connect(server.addr).await.expect("connect");
    assert_eq!(read_to_close(&mut slow).await, "", "closed without an answer");
    assert_eq!(read_to_close(&mut silent).await, "");
    let text = metrics(server.addr).await;
    assert_eq!(metric(&text, r#"healthsearch_connections_dropped_total{reason="header_timeout"}"#), 2.0, "{text}");
    server.task.abort();
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let server =
        start(ConnLimits { header_timeout: NEVER, idle_timeout: Duration::from_millis(300), ..ConnLimits::default() })
            .await;
    let answer = exchange(server.addr, b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 200 OK") && answer.ends_with('}'), "answered, then closed: {answer}");
    let text = metrics(server.addr).await;
    assert_eq!(metric(&text, r#"healthsearch_connections_dropped_total{reason="idle_timeout"}"#), 1.0, "{text}");
    server.task.abort();
}

#[tokio::test]
async fn requests_hyper_cannot_read_are_answered_with_json_errors() {
    let server = start(ConnLimits::default()).await;
    let long_uri = format!("GET /api/search?q={} HTTP/1.1\r\nHost: t\r\n\r\n", "a".repeat(70_000));
    let many_headers = format!("GET /healthz HTTP/1.1\r\nHost: t\r\n{}\r\n", "X-Pad: y\r\n".repeat(150));
    let huge_header = format!("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Pad: {}\r\n\r\n", "y".repeat(500_000));
    for (request, status, code) in [
        (long_uri, "414 URI Too Long", "uri_too_long"),
        (many_headers, "431 Request Header Fields Too Large", "headers_too_large"),
        (huge_header, "431 Request Header Fields Too Large", "headers_too_large"),
        ("GE(T / HTTP/1.1\r\nHost: t\r\n\r\n".to_string(), "400 Bad Request", "malformed_request"),
    ] {
        let answer = exchange(server.addr, request.as_bytes()).await;
        assert!(answer.starts_with(&format!("HTTP/1.1 {status}\r\n")), "{answer}");
        assert!(answer.contains("content-type: application/json\r\n"), "{answer}");
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        assert_eq!(v["code"], code, "{answer}");
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{answer}");
    }
    server.task.abort();
}

#[tokio::test]
async fn shutdown_closes_idle_connections_and_returns() {
    let mut server = start(ConnLimits { header_timeout: NEVER, idle_timeout: NEVER, ..ConnLimits::default() }).await;
    let mut kept = TcpStream::connect(server.addr).await.expect("connect");
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").await.expect("write");
    let mut first = [0u8; 15];
    tokio::time::timeout(PATIENCE, kept.read_exact(&mut first)).await.expect("answered").expect("read");
    assert_eq!(&first, b"HTTP/1.1 200 OK");
    let _ = server.stop.take().map(|stop| stop.send(()));
    tokio::time::timeout(PATIENCE, &mut server.task).await.expect("the server returns").expect("no panic");
    read_to_close(&mut kept).await;
    assert!(TcpStream::connect(server.addr).await.is_err(), "no longer listening");
}
