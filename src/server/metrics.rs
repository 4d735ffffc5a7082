//! Prometheus metrics: requests and latency by route, the engine's latency per operation, index
//! size, when the index last changed, and the connections held.

use super::openapi::responses::MethodNotAllowed;
use crate::index::HealthIndex;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::prometheus_text::{CONTENT_TYPE, encode};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;
use std::time::Instant;

/// Label values come from fixed sets (known methods, route templates, statuses the service
/// answers), never from the raw request, so clients cannot grow the series without bound.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EngineLabels {
    engine: &'static str,
    operation: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DropLabels {
    reason: &'static str,
}

/// Why the server closed a connection the client had not closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The connection cap was reached and this was the longest-idle connection.
    Cap,
    /// No complete request head within the header timeout.
    HeaderTimeout,
    /// No request (or no byte moved during one) within the idle timeout.
    IdleTimeout,
}

impl CloseReason {
    /// The `reason` label.
    pub fn name(self) -> &'static str {
        match self {
            CloseReason::Cap => "cap",
            CloseReason::HeaderTimeout => "header_timeout",
            CloseReason::IdleTimeout => "idle_timeout",
        }
    }
}

/// The search pool's metrics ([`super::workers::Workers`]): clones share their values.
#[derive(Clone)]
pub struct PoolMetrics {
    /// Searches the pool runs at once.
    pub size: Gauge<i64>,
    /// Searches running now.
    pub running: Gauge<i64>,
    /// Searches waiting for a turn now.
    pub waiting: Gauge<i64>,
    /// How long each search waited for its turn.
    pub wait: Histogram,
    /// Searches whose deadline passed before their turn came.
    pub timed_out: Counter,
}

impl Default for PoolMetrics {
    fn default() -> Self {
        PoolMetrics {
            size: Gauge::default(),
            running: Gauge::default(),
            waiting: Gauge::default(),
            wait: Histogram::new(exponential_buckets(0.0001, 2.0, 18)),
            timed_out: Counter::default(),
        }
    }
}

impl PoolMetrics {
    fn register(&self, registry: &mut Registry) {
        registry.register("search_pool_size", "Searches run at once (serve --search-workers)", self.size.clone());
        registry.register("search_pool_running", "Searches running now", self.running.clone());
        registry.register(
            "search_pool_waiting",
            "Searches waiting for a turn now; often above zero means --search-workers is too small for the load",
            self.waiting.clone(),
        );
        registry.register("search_pool_wait_seconds", "Time a search waited for its turn", self.wait.clone());
        registry.register(
            "search_pool_timed_out",
            "Searches whose deadline passed before their turn came (answered 503 search_timeout)",
            self.timed_out.clone(),
        );
    }
}

/// The service's metrics and their registry.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    documents: Gauge<i64>,
    last_commit: Gauge<f64, AtomicU64>,
    cache: Family<CacheLabels, Counter>,
    rate_limited: Counter,
    connections_open: Gauge<i64>,
    connections_max: Gauge<i64>,
    cap_reached: Counter,
    dropped: Family<DropLabels, Counter>,
    engine: Family<EngineLabels, Histogram>,
    pool: PoolMetrics,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("healthsearch");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0001, 2.0, 18))
        });
        let documents = Gauge::<i64>::default();
        let last_commit = Gauge::<f64, AtomicU64>::default();
        registry.register("http_requests", "HTTP requests by route, method and status", requests.clone());
        registry.register("http_request_duration_seconds", "Time to answer a request, by route", latency.clone());
        registry.register("index_documents", "Articles visible to searches", documents.clone());
        registry.register(
            "index_last_commit_timestamp_seconds",
            "When the index last changed (Unix time of its last commit)",
            last_commit.clone(),
        );
        let cache = Family::<CacheLabels, Counter>::default();
        registry.register(
            "search_cache_lookups",
            "Search response cache lookups, by result (hit or miss)",
            cache.clone(),
        );
        let rate_limited = Counter::default();
        registry.register(
            "rate_limited_requests",
            "Requests refused by the per-client rate limit",
            rate_limited.clone(),
        );
        let connections_open = Gauge::<i64>::default();
        registry.register("connections_open", "Client connections open now", connections_open.clone());
        let connections_max = Gauge::<i64>::default();
        registry.register(
            "connections_max",
            "Most client connections held at once (serve --max-connections)",
            connections_max.clone(),
        );
        let cap_reached = Counter::default();
        registry.register(
            "connection_cap_reached",
            "Connections accepted while the connection cap was full (each closes the longest-idle connection, or waits)",
            cap_reached.clone(),
        );
        let dropped = Family::<DropLabels, Counter>::default();
        registry.register(
            "connections_dropped",
            "Connections the server closed, by reason (cap, header_timeout, idle_timeout)",
            dropped.clone(),
        );
        let engine = Family::<EngineLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0001, 2.0, 18))
        });
        registry.register(
            "engine_duration_seconds",
            "Time the engine took per call, by engine (tantivy, opensearch), operation and outcome (ok, error)",
            engine.clone(),
        );
        let pool = PoolMetrics::default();
        pool.register(&mut registry);
        Metrics {
            registry,
            requests,
            latency,
            documents,
            last_commit,
            cache,
            rate_limited,
            connections_open,
            connections_max,
            cap_reached,
            dropped,
            engine,
            pool,
        }
    }
}

impl crate::engine::Timings for Metrics {
    fn engine_call(&self, engine: &'static str, operation: &'static str, ok: bool, seconds: f64) {
        let outcome = if ok { "ok" } else { "error" };
        self.engine.get_or_create(&EngineLabels { engine, operation, outcome }).observe(seconds);
    }
}

impl Metrics {
    /// The search pool's metrics, for [`super::workers::Workers::observed`].
    pub fn pool(&self) -> PoolMetrics {
        self.pool.clone()
    }

    /// Counts a request refused by the rate limit.
    pub fn rate_limited(&self) {
        self.rate_limited.inc();
    }

    /// Counts a response cache lookup.
    pub fn cache_lookup(&self, hit: bool) {
        self.cache.get_or_create(&CacheLabels { result: if hit { "hit" } else { "miss" } }).inc();
    }

    /// Sets the connection cap in force.
    pub fn set_max_connections(&self, max: usize) {
        self.connections_max.set(i64::try_from(max).unwrap_or(i64::MAX));
    }

    /// Counts a connection opened (`true`) or closed.
    pub fn connection(&self, opened: bool) {
        self.connections_open.inc_by(if opened { 1 } else { -1 });
    }

    /// Counts a connection accepted while the cap was full.
    pub fn cap_reached(&self) {
        self.cap_reached.inc();
    }

    /// Counts a connection the server closed.
    pub fn dropped(&self, why: CloseReason) {
        self.dropped.get_or_create(&DropLabels { reason: why.name() }).inc();
    }

    fn observe(&self, route: &str, method: &Method, status: u16, seconds: f64) {
        let labels = RequestLabels { route: route.to_string(), method: method_label(method), status };
        self.requests.get_or_create(&labels).inc();
        self.latency.get_or_create(&RouteLabels { route: route.to_string() }).observe(seconds);
    }
}

/// A method as a label: the standard ones by name, any other as `other` (a client may send any
/// token as a method, thousands of characters long).
fn method_label(m: &Method) -> &'static str {
    const KNOWN: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::OPTIONS,
        Method::PATCH,
        Method::TRACE,
        Method::CONNECT,
    ];
    KNOWN.iter().find(|k| *k == m).map_or("other", |k| k.as_str())
}

/// What the metrics middleware and `/metrics` read from the shared state (taken from it by
/// `FromRef`).
#[derive(Clone)]
pub struct Tracking {
    pub metrics: Arc<Metrics>,
    pub engine: Arc<dyn crate::engine::Engine>,
    pub index: Option<Arc<HealthIndex>>,
    pub slow_request: Duration,
}

/// Middleware that counts and times every request under its route pattern (`unmatched` for
/// paths no route knows, so stray URLs cannot grow the label set), and logs slow ones.
pub async fn track(State(st): State<Tracking>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_string();
    let method = req.method().clone();
    let uri = req.uri().clone();
    let started = Instant::now();
    let response = next.run(req).await;
    let took = started.elapsed();
    let status = response.status().as_u16();
    st.metrics.observe(&route, &method, status, took.as_secs_f64());
    if took >= st.slow_request {
        // The slow-request log (as Elasticsearch's slow log): every request is logged only at
        // DEBUG, since a line per request costs real CPU and disk at tens of thousands a second.
        tracing::warn!(%method, %uri, status, ms = took.as_secs_f64() * 1e3, "slow request");
    }
    response
}

/// `GET /metrics` in the Prometheus text format.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "service",
    operation_id = "metrics",
    summary = "Prometheus metrics",
    description = "Metrics in the Prometheus text format (not rate limited): requests by route template (or \
        `unmatched`), method and status; a latency histogram by route; articles in the index and the time of the \
        last commit; connections open, the cap, arrivals at it and connections closed by reason; rate-limited \
        requests and response-cache lookups; the engine's time per call, by engine, operation and outcome.",
    responses(
        (status = 200, description = "The metrics.", body = String, content_type = "text/plain; version=0.0.4"),
        (status = 405, response = MethodNotAllowed),
        (status = 500, description = "The metrics could not be encoded.", body = String, content_type = "text/plain"),
    )
)]
pub async fn render(State(st): State<Tracking>) -> Response {
    let index = st.index.clone();
    let engine = st.engine.clone();
    let articles = tokio::task::spawn_blocking(move || match &index {
        Some(index) => Some(index.num_docs()),
        None => engine.health().ok().map(|h| h.articles),
    });
    if let Ok(Some(n)) = articles.await {
        st.metrics.documents.set(n as i64);
    }
    let meta = st.index.as_ref().map(|i| i.dir().join("meta.json"));
    if let Some(secs) = meta
        .and_then(|meta| std::fs::metadata(meta).ok())
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
    {
        st.metrics.last_commit.set(secs.as_secs_f64());
    }
    let mut body = String::new();
    if encode(&mut body, &st.metrics.registry).is_err() {
        return (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "metrics could not be encoded").into_response();
    }
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], body).into_response()
}
