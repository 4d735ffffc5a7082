//! The HTTP service: router, handlers, errors and shared state.

pub mod error;
pub mod page;
pub mod params;
pub mod routes;
pub mod state;

use axum::Router;
use axum::routing::get;
use state::AppState;
use std::net::SocketAddr;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

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
        .route("/healthz", get(routes::healthz))
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Binds `addr` and serves until Ctrl-C or SIGTERM.
pub async fn serve(state: AppState, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(addr = %listener.local_addr()?, articles = state.index.num_docs(), "serving");
    let warm = state.clone();
    tokio::task::spawn_blocking(move || warm.suggester().map(|_| ()));
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown_signal()).await
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
