//! The HTTP service: router, handlers, errors and shared state.

pub mod admin;
pub mod admin_job;
pub mod bearer;
pub mod cache;
pub mod cors;
pub mod editors;
pub mod error;
pub mod limits;
pub mod listen;
pub mod metrics;
pub mod openapi;
pub mod page;
pub mod params;
pub mod retrieval;
pub mod routes;
pub mod state;
pub mod wire;
pub mod workers;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use listen::ConnLimits;
use state::AppState;
use std::net::SocketAddr;
use tower_http::LatencyUnit;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Builds the application's router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(page::search_page))
        .route("/assets/style.css", get(page::stylesheet))
        .route("/assets/app.js", get(page::app_script))
        .route("/widget.js", get(page::widget_script))
        .route("/api/search", get(routes::api_search))
        .route("/api/suggest", get(routes::api_suggest))
        .route("/api/passages", get(retrieval::api_passages))
        .route("/api/retrieve", post(retrieval::api_retrieve))
        .route("/api/related", get(editors::api_related))
        .route("/api/citations", get(editors::api_citations))
        .route("/api/stale", get(editors::api_stale))
        .route("/api/articles/{id}", get(editors::api_article))
        .route("/healthz", get(routes::healthz))
        .route("/metrics", get(metrics::render))
        .route("/openapi.json", get(openapi::serve))
        .route("/admin/reload", post(admin::reload))
        .route("/admin/ingest", post(admin::start_ingest).get(admin::ingest_status))
        .merge(crate::mcp::http::routes(&state))
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), limits::limit))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(cors::layer(&state.cors))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::DEBUG))
                .on_response(DefaultOnResponse::new().level(Level::DEBUG).latency_unit(LatencyUnit::Micros)),
        )
        .with_state(state)
}

/// Content Security Policy of every response: our own scripts and styles only, nothing inline,
/// no plugins, no framing by other sites.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

/// Binds `addr` and serves until Ctrl-C or SIGTERM, holding connections within `limits` (the
/// cap fitted to the open-file limit, raised first).
pub async fn serve(state: AppState, addr: SocketAddr, limits: ConnLimits) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let limits = ConnLimits { max_connections: listen::fit_to_open_files(limits.max_connections), ..limits };
    tracing::info!(
        addr = %listener.local_addr()?,
        engine = state.engine.name(),
        max_connections = limits.max_connections,
        header_timeout_secs = limits.header_timeout.as_secs_f64(),
        idle_timeout_secs = limits.idle_timeout.as_secs_f64(),
        "serving"
    );
    let warm = state.clone();
    tokio::task::spawn_blocking(move || warm.suggester().map(|_| ()));
    if let Some(limit) = state.rate_limit.clone() {
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                every.tick().await;
                limit.forget_idle();
            }
        });
    }
    listen::serve_on(listener, state, limits, shutdown_signal()).await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
