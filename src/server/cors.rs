//! Cross-origin access: tower-http's CORS layer, with its preflight answer kept to real
//! preflights.
//!
//! The layer answers every `OPTIONS` request as a preflight (200, whatever the path), so a plain
//! `OPTIONS` to a path no route knows would not be 404 like any other method. Here only requests
//! that carry `Origin` and `Access-Control-Request-Method` reach it as preflights; other
//! `OPTIONS` requests are routed like any method (404 `not_found`, 405 `method_not_allowed`).

use super::state::Cors;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::response::Response;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tower::{Layer, Service, ServiceExt};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The CORS layer for the configured origins, answering preflights only.
pub fn layer(cors: &Cors) -> PreflightOnly {
    let base = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        .max_age(std::time::Duration::from_secs(3600));
    PreflightOnly(match cors {
        Cors::Any => base.allow_origin(AllowOrigin::any()),
        Cors::Origins(list) => {
            let origins: Vec<HeaderValue> = list.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
            base.allow_origin(AllowOrigin::list(origins))
        }
        Cors::Off => CorsLayer::new(),
    })
}

/// Whether a request is a CORS preflight (the Fetch standard's definition).
pub fn is_preflight(req: &Request) -> bool {
    req.method() == Method::OPTIONS
        && req.headers().contains_key(header::ORIGIN)
        && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}

/// [`CorsLayer`] whose preflight answer is given to preflights only.
#[derive(Clone)]
pub struct PreflightOnly(CorsLayer);

impl<S: Clone> Layer<S> for PreflightOnly {
    type Service = PreflightOnlyService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        PreflightOnlyService { cors: self.0.layer(inner.clone()), plain: inner }
    }
}

/// The service of [`PreflightOnly`]: the CORS-wrapped service, and the bare one for `OPTIONS`
/// requests that are not preflights.
#[derive(Clone)]
pub struct PreflightOnlyService<S> {
    cors: tower_http::cors::Cors<S>,
    plain: S,
}

impl<S> Service<Request> for PreflightOnlyService<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Which service answers is known only in `call`, which readies a clone of it.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request) -> Self::Future {
        if req.method() == Method::OPTIONS && !is_preflight(&req) {
            Box::pin(self.plain.clone().oneshot(req))
        } else {
            Box::pin(self.cors.clone().oneshot(req))
        }
    }
}
