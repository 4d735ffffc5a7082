//! A small OpenSearch client: JSON over HTTP with reqwest, requests spread over the node URLs in
//! turn, and a failed or overloaded node (connection refused, timeout, 429, 502-504) retried on
//! the next one with a growing pause, so one node going down costs no request.

use super::error::OsError;
use reqwest::Method;
use reqwest::blocking::Client as Http;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// How long one request may take on one node.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long to wait for a connection to a node.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Rounds over every node before a request fails.
const ROUNDS: usize = 3;
/// Pause after a round in which every node failed, doubled each round.
const FIRST_PAUSE: Duration = Duration::from_millis(200);

/// A client for one cluster, cheap to share between threads.
pub struct Client {
    nodes: Vec<reqwest::Url>,
    /// Always `Some` until dropped (see the `Drop` impl).
    http: Option<Http>,
    next: AtomicUsize,
}

/// A response body and the status it came with.
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Client {
    /// A client for the nodes at `urls` (`http://127.0.0.1:9201`, ...). Certificates are checked
    /// against the system's roots, as curl does.
    pub fn new(urls: &[String]) -> Result<Client, OsError> {
        let mut nodes = Vec::new();
        for u in urls.iter().flat_map(|u| u.split(',')).map(str::trim).filter(|u| !u.is_empty()) {
            let url = reqwest::Url::parse(u).map_err(|e| OsError::Config(format!("{u:?} is not a node URL: {e}")))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(OsError::Config(format!("{u:?} is not an http(s) URL")));
            }
            nodes.push(url);
        }
        if nodes.is_empty() {
            return Err(OsError::Config("no OpenSearch node URL given (--opensearch http://host:9200,...)".into()));
        }
        let http = Http::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| OsError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client { nodes, http: Some(http), next: AtomicUsize::new(0) })
    }

    /// The node URLs, as given.
    pub fn nodes(&self) -> String {
        self.nodes.iter().map(|u| u.as_str().trim_end_matches('/')).collect::<Vec<_>>().join(",")
    }

    /// Sends a JSON request and reads the answer, whatever its status.
    pub fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Answer, OsError> {
        let payload = body.map(|b| (serde_json::to_vec(b).unwrap_or_default(), "application/json"));
        self.send_bytes(method, path, payload)
    }

    /// Sends a request with a raw body (`application/x-ndjson` for bulk writes).
    pub fn send_bytes(
        &self,
        method: Method,
        path: &str,
        body: Option<(Vec<u8>, &'static str)>,
    ) -> Result<Answer, OsError> {
        self.try_nodes(method, path, body)
    }

    fn try_nodes(&self, method: Method, path: &str, body: Option<(Vec<u8>, &'static str)>) -> Result<Answer, OsError> {
        let Some(http) = &self.http else { return Err(OsError::Config("the client was dropped".into())) };
        let mut last = String::new();
        let mut pause = FIRST_PAUSE;
        for round in 0..ROUNDS {
            for _ in 0..self.nodes.len() {
                let i = self.next.fetch_add(1, Ordering::Relaxed) % self.nodes.len();
                let url = match self.nodes[i].join(path.trim_start_matches('/')) {
                    Ok(url) => url,
                    Err(e) => return Err(OsError::Config(format!("bad path {path}: {e}"))),
                };
                let mut req = http.request(method.clone(), url.clone());
                if let Some((bytes, kind)) = &body {
                    req = req.header(reqwest::header::CONTENT_TYPE, *kind).body(bytes.clone());
                }
                match req.send() {
                    Ok(res) if retryable(res.status().as_u16()) => {
                        last = format!("{} answered {}", self.nodes[i], res.status());
                    }
                    Ok(res) => {
                        let status = res.status().as_u16();
                        let body = match res.json::<Value>() {
                            Ok(v) => v,
                            Err(e) => {
                                last = format!("{}: unreadable answer: {e}", self.nodes[i]);
                                continue;
                            }
                        };
                        return Ok(Answer { status, body });
                    }
                    Err(e) => last = format!("{}: {}", self.nodes[i], root_cause(&e)),
                }
            }
            if round + 1 < ROUNDS {
                std::thread::sleep(pause);
                pause *= 2;
            }
        }
        Err(OsError::Unreachable { nodes: self.nodes(), last })
    }

    /// Sends a request that must succeed (2xx), returning its body as `T`.
    pub fn call<T: DeserializeOwned>(&self, method: Method, path: &str, body: Option<&Value>) -> Result<T, OsError> {
        let answer = self.send(method.clone(), path, body)?;
        let what = format!("{method} {path}");
        if !(200..300).contains(&answer.status) {
            return Err(refused(&what, &answer));
        }
        serde_json::from_value(answer.body).map_err(|e| OsError::Unexpected { what, reason: e.to_string() })
    }

    /// [`Client::call`] with a typed request body.
    pub fn call_with<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &B,
    ) -> Result<T, OsError> {
        let body = serde_json::to_value(body).map_err(|e| OsError::Config(e.to_string()))?;
        self.call(method, path, Some(&body))
    }
}

impl Drop for Client {
    /// The blocking client owns a runtime, which may not be dropped on an async thread (the
    /// service's state is dropped there at shutdown): it is dropped on a thread of its own.
    fn drop(&mut self) {
        if let Some(http) = self.http.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            std::thread::spawn(move || drop(http));
        }
    }
}

/// Statuses another node (or a moment later) may answer differently: overload and gateways.
fn retryable(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// The error OpenSearch gave for a refused request.
pub fn refused(what: &str, answer: &Answer) -> OsError {
    let reason = answer.body["error"]["reason"]
        .as_str()
        .or_else(|| answer.body["error"].as_str())
        .map_or_else(|| answer.body.to_string(), String::from);
    OsError::Refused { what: what.to_string(), status: answer.status, reason }
}

/// The innermost cause of a transport error ("Connection refused"), which says more than the
/// outer "error sending request".
fn root_cause(e: &dyn std::error::Error) -> String {
    let mut cause = e;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    cause.to_string()
}
