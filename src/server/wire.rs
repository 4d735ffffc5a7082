//! The bytes of one client connection: when a request head began, when bytes last moved and
//! whether a request is being answered (which the connection's timeouts and the connection cap
//! go by), and hyper's own answers to unreadable requests rewritten as our JSON errors.

use super::error::{ApiError, ErrorCode};
use super::metrics::CloseReason;
use axum::body::{Body, Bytes, HttpBody};
use hyper::body::{Frame, SizeHint};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::Instant;

/// "Not set" for a time kept as milliseconds.
const UNSET: u64 = u64::MAX;

/// What one connection is doing, shared by its bytes ([`Wire`]), its requests ([`InFlight`]) and
/// the accept loop. Times are milliseconds since the server's `epoch`; approximate orderings are
/// enough, since they only decide when a connection is closed.
pub struct Activity {
    epoch: Instant,
    opened: u64,
    /// Requests whose answers are not yet fully written.
    in_flight: AtomicUsize,
    /// Whether any request has reached the service on this connection.
    served: AtomicBool,
    /// When the last answer was written (the connection became idle).
    idle_since: AtomicU64,
    /// When the first byte of a request arrived on an idle connection ([`UNSET`] when none).
    head_since: AtomicU64,
    /// When a byte last moved either way.
    last_io: AtomicU64,
    /// Set once the accept loop chose this connection to close for a new one.
    evicting: AtomicBool,
    /// Tells the connection's task to close it.
    pub evict: Notify,
    /// Tells the connection's task that its deadline may have moved earlier (a request began or
    /// ended, or a head began); bytes that merely arrive only move it later, and wake no one.
    pub changed: Notify,
}

impl Activity {
    /// A connection opened now.
    pub fn new(epoch: Instant) -> Activity {
        let now = ms_since(epoch);
        Activity {
            epoch,
            opened: now,
            in_flight: AtomicUsize::new(0),
            served: AtomicBool::new(false),
            idle_since: AtomicU64::new(now),
            head_since: AtomicU64::new(UNSET),
            last_io: AtomicU64::new(now),
            evicting: AtomicBool::new(false),
            evict: Notify::new(),
            changed: Notify::new(),
        }
    }

    fn now(&self) -> u64 {
        ms_since(self.epoch)
    }

    fn read(&self, bytes: usize) {
        if bytes == 0 {
            return;
        }
        let now = self.now();
        self.last_io.store(now, Ordering::Relaxed);
        if self.in_flight.load(Ordering::Acquire) == 0 {
            // Only the first byte of a head starts its clock; later ones must not extend it.
            if self.head_since.compare_exchange(UNSET, now, Ordering::AcqRel, Ordering::Relaxed).is_ok() {
                self.changed.notify_one();
            }
        }
    }

    fn wrote(&self) {
        self.last_io.store(self.now(), Ordering::Relaxed);
    }

    /// A request reached the service; it counts as in flight until the guard (carried by the
    /// answer's body) is dropped.
    pub fn request_started(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.served.store(true, Ordering::Relaxed);
        self.head_since.store(UNSET, Ordering::Release);
        self.changed.notify_one();
        InFlight(self.clone())
    }

    /// When the connection is due to be closed if nothing changes, and why:
    /// - before its first request, `header` after it opened (a client that connects and sends
    ///   nothing, or a head slowly, holds a descriptor for no one);
    /// - between requests, `idle` after the last answer, then `header` from the next request's
    ///   first byte;
    /// - during a request, `idle` after the last byte moved either way (answers take at most the
    ///   search timeout, so only a stalled upload or a client not reading its answer gets there).
    pub fn due(&self, header: Duration, idle: Duration) -> (Instant, CloseReason) {
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX / 2);
        let (at, why) = if self.in_flight.load(Ordering::Acquire) > 0 {
            (self.last_io.load(Ordering::Relaxed).saturating_add(ms(idle)), CloseReason::IdleTimeout)
        } else if !self.served.load(Ordering::Relaxed) {
            (self.opened.saturating_add(ms(header)), CloseReason::HeaderTimeout)
        } else {
            match self.head_since.load(Ordering::Acquire) {
                UNSET => (self.idle_since.load(Ordering::Relaxed).saturating_add(ms(idle)), CloseReason::IdleTimeout),
                head => (head.saturating_add(ms(header)), CloseReason::HeaderTimeout),
            }
        };
        (self.epoch + Duration::from_millis(at), why)
    }

    /// How readily this connection is closed to admit a new one, lowest first; `None` while it
    /// answers a request or is already being closed. Connections that never sent a request go
    /// first (a flood of idle sockets is that), then the longest idle.
    pub fn eviction_rank(&self) -> Option<(bool, u64)> {
        if self.in_flight.load(Ordering::Acquire) > 0 || self.evicting.load(Ordering::Acquire) {
            return None;
        }
        let served = self.served.load(Ordering::Relaxed);
        Some((served, if served { self.idle_since.load(Ordering::Relaxed) } else { self.opened }))
    }

    /// Marks the connection chosen for closing and tells its task.
    pub fn start_eviction(&self) {
        self.evicting.store(true, Ordering::Release);
        self.evict.notify_one();
    }
}

fn ms_since(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX / 2)
}

/// A request being answered; dropped when its answer's body has been written (or abandoned).
pub struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let now = self.0.now();
        if self.0.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle_since.store(now, Ordering::Relaxed);
            self.0.changed.notify_one();
        }
    }
}

/// An answer's body carrying its request's [`InFlight`], so the connection counts as busy until
/// hyper has taken the last byte, not merely until the handler returned.
pub struct Tracked {
    body: Body,
    _in_flight: InFlight,
}

impl Tracked {
    pub fn new(body: Body, in_flight: InFlight) -> Tracked {
        Tracked { body, _in_flight: in_flight }
    }
}

impl HttpBody for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A client's socket as hyper sees it: reads and writes are noted in the connection's
/// [`Activity`], and hyper's automatic answers are replaced (see [`json_for_automatic`]).
pub struct Wire {
    stream: TcpStream,
    activity: Arc<Activity>,
    /// Our answer being written in place of the buffer hyper gave, and that buffer's length.
    replacing: Option<(Vec<u8>, usize, usize)>,
}

impl Wire {
    pub fn new(stream: TcpStream, activity: Arc<Activity>) -> Wire {
        Wire { stream, activity, replacing: None }
    }
}

impl AsyncRead for Wire {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.stream).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            this.activity.read(buf.filled().len().saturating_sub(before));
        }
        polled
    }
}

impl AsyncWrite for Wire {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.replacing.is_none()
            && let Some(answer) = json_for_automatic(buf)
        {
            this.replacing = Some((answer, 0, buf.len()));
        }
        // Hyper calls again with the same buffer after `Pending`, so the replacement resumes.
        if let Some((answer, sent, stands_for)) = &mut this.replacing {
            while *sent < answer.len() {
                let n = ready!(Pin::new(&mut this.stream).poll_write(cx, &answer[*sent..]))?;
                if n == 0 {
                    return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                }
                *sent += n;
                this.activity.wrote();
            }
            let n = *stands_for;
            this.replacing = None;
            return Poll::Ready(Ok(n));
        }
        let polled = Pin::new(&mut this.stream).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = polled
            && n > 0
        {
            this.activity.wrote();
        }
        polled
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// Our JSON answer in place of one hyper wrote itself, if `buf` is one.
///
/// Hyper answers a request it cannot parse (a URI over 65,534 bytes: 414; more than 100 headers
/// or a head over its buffer: 431; anything else unreadable: 400) on its own, with an empty body,
/// before any service sees it, and offers no hook. Those answers are exactly a status line,
/// `connection: close`, an empty `content-length` and a `date`, written alone (the router's answers always carry
/// `x-content-type-options`, so none looks like this), so they are recognized by their bytes.
/// Writes are never vectored here (`Wire` does not ask for it), so hyper hands each answer's head
/// over whole.
pub fn json_for_automatic(buf: &[u8]) -> Option<Vec<u8>> {
    let head = std::str::from_utf8(buf).ok()?.strip_suffix("\r\n\r\n")?;
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()?;
    let mut date = None;
    for line in lines {
        match line.split_once(": ") {
            Some(("content-length", "0")) | Some(("connection", "close")) => {}
            Some(("date", d)) => date = Some(d),
            _ => return None,
        }
    }
    let (code, message) = [
        (ErrorCode::MalformedRequest, "the request is not readable HTTP/1.1"),
        (ErrorCode::UriTooLong, "the request's URI is longer than 65,534 bytes"),
        (ErrorCode::HeadersTooLarge, "the request has more than 100 headers or its head is too large"),
    ]
    .into_iter()
    .find(|(code, _)| code.status().as_u16() == status)?;
    let body = ApiError::new(code, message).json_body();
    let reason = code.status().canonical_reason().unwrap_or_default();
    let mut answer = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         x-content-type-options: nosniff\r\nconnection: close\r\n",
        body.len()
    );
    if let Some(d) = date {
        answer.push_str(&format!("date: {d}\r\n"));
    }
    answer.push_str("\r\n");
    let mut bytes = answer.into_bytes();
    bytes.extend(body);
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_bare_error_heads_are_rewritten() {
        let bare = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: Tue, 01 Dec 2026 10:00:00 GMT\r\n\r\n";
        let answer = String::from_utf8(json_for_automatic(bare).unwrap_or_default()).unwrap_or_default();
        assert!(answer.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"), "{answer}");
        assert!(answer.contains("date: Tue, 01 Dec 2026 10:00:00 GMT\r\n"), "{answer}");
        assert!(answer.ends_with(
            r#"{"code":"headers_too_large","message":"the request has more than 100 headers or its head is too large"}"#
        ));
        let ours = b"HTTP/1.1 414 URI Too Long\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n";
        for other in [
            &ours[..],
            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\n\r\n{}",
            b"{\"code\":\"x\"}",
        ] {
            assert!(json_for_automatic(other).is_none(), "{}", String::from_utf8_lossy(other));
        }
    }
}
