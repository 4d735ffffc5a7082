//! Per-client rate limiting of the public endpoints (the page, `/api/`, `/admin/` and `/mcp`), off
//! unless configured: a token bucket per client address (per /64 for IPv6, which one client usually
//! holds whole), answered with 429 `rate_limited` and `Retry-After` when empty.

use super::error::{ApiError, ErrorCode};
use super::metrics::Metrics;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

/// Requests per second and burst allowed to each client.
pub struct RateLimit {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl RateLimit {
    /// `per_second` requests a second on average, up to `burst` at once.
    pub fn new(per_second: NonZeroU32, burst: NonZeroU32) -> RateLimit {
        RateLimit { limiter: RateLimiter::keyed(Quota::per_second(per_second).allow_burst(burst)) }
    }

    /// `Ok` if `client` may make a request now, else how many seconds until it may.
    pub fn check(&self, client: IpAddr) -> Result<(), u64> {
        self.limiter.check_key(&key(client)).map_err(|not_until| {
            not_until.wait_time_from(DefaultClock::default().now()).as_secs_f64().ceil().max(1.0) as u64
        })
    }

    /// Forgets clients whose buckets are full again, so memory follows recent clients only.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// The address a client is limited by: IPv6 addresses by their /64.
fn key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// What the rate-limit middleware reads from the shared state (taken from it by `FromRef`).
#[derive(Clone)]
pub struct Limiting {
    pub rate_limit: Option<Arc<RateLimit>>,
    pub metrics: Arc<Metrics>,
}

/// Middleware: limits requests to the page, the API, the admin endpoints and MCP by the peer
/// address of the connection.
/// Requests without one (in-process calls) and other paths (health, metrics, assets) pass.
pub async fn limit(State(st): State<Limiting>, req: Request, next: Next) -> Response {
    let Some(limit) = st.rate_limit.as_ref() else { return next.run(req).await };
    let path = req.uri().path();
    // Admin endpoints count too: a wrong token costs a hash, and guessing should not be free.
    let public =
        path == "/" || path.starts_with("/api/") || path.starts_with("/admin/") || path == crate::mcp::http::PATH;
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if let (true, Some(ip)) = (public, peer)
        && let Err(wait) = limit.check(ip)
    {
        st.metrics.rate_limited();
        let msg = "too many requests from this address; retry later";
        return ApiError::new(ErrorCode::RateLimited, msg)
            .with_header(header::RETRY_AFTER, HeaderValue::from(wait))
            .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_limited_after_its_burst_and_others_are_not() {
        let limit = RateLimit::new(NonZeroU32::MIN, NonZeroU32::new(3).unwrap_or(NonZeroU32::MIN));
        let a: IpAddr = "192.0.2.1".parse().unwrap_or(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
        let b: IpAddr = "192.0.2.2".parse().unwrap_or(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
        for _ in 0..3 {
            assert!(limit.check(a).is_ok());
        }
        assert_eq!(limit.check(a), Err(1));
        assert!(limit.check(b).is_ok());
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        let one: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap_or(IpAddr::V6(Ipv6Addr::LOCALHOST));
        let other: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap_or(IpAddr::V6(Ipv6Addr::LOCALHOST));
        assert_eq!(key(one), key(other));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap_or(IpAddr::V6(Ipv6Addr::LOCALHOST));
        assert_eq!(key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap_or(mapped));
    }
}
