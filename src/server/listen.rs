//! Accepting and holding client connections: a cap on how many are open (at the cap the
//! longest-idle one is closed to admit the new one), timeouts for request heads and idle
//! keep-alive connections, the open-file limit, and graceful shutdown.
//!
//! `axum::serve` has none of these: idle sockets from one client could use up the process's
//! descriptors while every other client timed out, with nothing logged.

use super::metrics::{CloseReason, Metrics};
use super::router;
use super::state::AppState;
use super::wire::{Activity, Tracked, Wire};
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::Instant;
use tower::ServiceExt;

/// Connections held at once by default (`serve --max-connections`).
pub const DEFAULT_MAX_CONNECTIONS: usize = 2048;
/// Time a client has for a request head by default (`serve --header-timeout-secs`).
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Time a kept-alive connection may wait for its next request by default
/// (`serve --idle-timeout-secs`).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Descriptors left for the index, logs and ingests when the cap is fitted to the open-file limit.
const FD_RESERVE: u64 = 256;
/// Fewest connections the cap is fitted down to, however low the open-file limit.
const MIN_CONNECTIONS: u64 = 16;
/// Shortest time between two "connection cap reached" lines.
const CAP_LOG_EVERY: Duration = Duration::from_secs(60);

/// How connections are held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnLimits {
    /// Most connections open at once.
    pub max_connections: usize,
    /// Time from connecting (or from the first byte of a later request) to the end of the head.
    pub header_timeout: Duration,
    /// Time a connection may wait between requests, or go without a byte moving during one.
    pub idle_timeout: Duration,
}

impl Default for ConnLimits {
    fn default() -> Self {
        ConnLimits {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
        }
    }
}

/// Raises the soft limit on open files to the hard limit (the default soft limit, often 1,024,
/// is what a few thousand sockets exhaust), and returns `max` lowered if the limit cannot hold
/// that many connections besides the index's own files.
pub fn fit_to_open_files(max: usize) -> usize {
    let limit = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read or raise the open-file limit");
            return max;
        }
    };
    let room = limit.saturating_sub(FD_RESERVE).max(MIN_CONNECTIONS);
    if max as u64 <= room {
        return max;
    }
    let fitted = usize::try_from(room).unwrap_or(max);
    tracing::warn!(
        open_files = limit,
        max_connections = fitted,
        asked = max,
        "the open-file limit is too low for --max-connections: holding fewer connections"
    );
    fitted
}

/// State shared by the accept loop and every connection's task.
struct Shared {
    epoch: Instant,
    limits: ConnLimits,
    metrics: Arc<Metrics>,
    open: Mutex<HashMap<u64, Arc<Activity>>>,
    next_id: AtomicU64,
}

impl Shared {
    /// The open connections, even if a task panicked holding them (the map stays consistent).
    fn open(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Activity>>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Tells the most readily closed idle connection to close; false if every one is busy.
    fn evict_one(&self) -> bool {
        let open = self.open();
        let victim = open.values().filter_map(|a| a.eviction_rank().map(|r| (r, a))).min_by_key(|(r, _)| *r);
        victim.map(|(_, a)| a.start_eviction()).is_some()
    }
}

/// Serves `state` on `listener` until `shutdown` completes, then stops accepting and waits for
/// open connections to finish their requests (idle ones close at once).
pub async fn serve_on(listener: TcpListener, state: AppState, limits: ConnLimits, shutdown: impl Future<Output = ()>) {
    let cap = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS.min(u32::MAX as usize));
    let shared = Arc::new(Shared {
        epoch: Instant::now(),
        limits,
        metrics: state.metrics.clone(),
        open: Mutex::default(),
        next_id: AtomicU64::new(0),
    });
    shared.metrics.set_max_connections(cap);
    let app = router(state);
    let permits = Arc::new(Semaphore::new(cap));
    let (stop, stopping) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    let mut cap_log = CapLog::default();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = shutdown.as_mut() => break,
        };
        let permit = match permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                shared.metrics.cap_reached();
                let shed = shared.evict_one();
                cap_log.note(cap, shed);
                // The evicted connection's task ends promptly; if all were busy, the next to
                // finish frees a place. Meanwhile new connections wait in the listen backlog.
                tokio::select! {
                    permit = permits.clone().acquire_owned() => match permit {
                        Ok(permit) => permit,
                        Err(_) => break,
                    },
                    () = shutdown.as_mut() => break,
                }
            }
        };
        tokio::spawn(connection(stream, peer, app.clone(), shared.clone(), stopping.clone(), permit));
    }
    drop(listener);
    let _ = stop.send(true);
    // Every connection's task holds a permit until it ends.
    let _ = permits.acquire_many(cap as u32).await;
}

/// Logs that the cap was reached: at once the first time, then at most once a minute with how
/// many connections arrived at the cap since the last line.
#[derive(Default)]
struct CapLog {
    last: Option<Instant>,
    arrived: u64,
    shed: u64,
}

impl CapLog {
    fn note(&mut self, cap: usize, shed: bool) {
        self.arrived += 1;
        self.shed += u64::from(shed);
        if self.last.is_some_and(|t| t.elapsed() < CAP_LOG_EVERY) {
            return;
        }
        tracing::warn!(
            max_connections = cap,
            arrived = self.arrived,
            closed_idle = self.shed,
            "connection cap reached: closing the longest-idle connections to admit new ones (serve --max-connections)"
        );
        *self = CapLog { last: Some(Instant::now()), arrived: 0, shed: 0 };
    }
}

/// After a failed accept: connection-level errors (the client gave up) are ignored; others (out
/// of descriptors) are logged and retried after a pause rather than in a busy loop.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(e.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset) {
        return;
    }
    tracing::error!(error = %e, "cannot accept connections");
    tokio::time::sleep(Duration::from_millis(200)).await;
}

/// Removes a connection from the open set however its task ends.
struct Registered {
    id: u64,
    shared: Arc<Shared>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.shared.open().remove(&self.id);
        self.shared.metrics.connection(false);
    }
}

/// Serves one connection until the client closes it, a timeout or the cap closes it, or the
/// server shuts down.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    shared: Arc<Shared>,
    mut stopping: watch::Receiver<bool>,
    permit: OwnedSemaphorePermit,
) {
    let activity = Arc::new(Activity::new(shared.epoch));
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
    shared.open().insert(id, activity.clone());
    shared.metrics.connection(true);
    let _registered = Registered { id, shared: shared.clone(), _permit: permit };

    let requests = activity.clone();
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let in_flight = requests.request_started();
        let mut req = req.map(Body::new);
        req.extensions_mut().insert(ConnectInfo(peer));
        let app = app.clone();
        async move {
            let Ok(res) = app.oneshot(req).await;
            Ok::<_, Infallible>(res.map(|body| Body::new(Tracked::new(body, in_flight))))
        }
    });
    let io = TokioIo::new(Wire::new(stream, activity.clone()));
    let mut conn = pin!(http1::Builder::new().serve_connection(io, service));
    let limits = shared.limits;
    let (due, _) = activity.due(limits.header_timeout, limits.idle_timeout);
    let mut timer = pin!(tokio::time::sleep_until(due));
    let mut shutting_down = false;
    loop {
        tokio::select! {
            served = conn.as_mut() => {
                if let Err(e) = served {
                    tracing::debug!(error = %e, %peer, "connection ended with an error");
                }
                return;
            }
            () = timer.as_mut() => {
                // Bytes arriving move the deadline later without waking this task: look again.
                let (due, why) = activity.due(limits.header_timeout, limits.idle_timeout);
                if due <= Instant::now() {
                    tracing::debug!(%peer, reason = why.name(), "closing a connection");
                    shared.metrics.dropped(why);
                    return;
                }
                timer.as_mut().reset(due);
            }
            () = activity.changed.notified() => {
                timer.as_mut().reset(activity.due(limits.header_timeout, limits.idle_timeout).0);
            }
            () = activity.evict.notified() => {
                shared.metrics.dropped(CloseReason::Cap);
                return;
            }
            _ = stopping.wait_for(|stop| *stop), if !shutting_down => {
                shutting_down = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}
