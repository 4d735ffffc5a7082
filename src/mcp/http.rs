//! The MCP server over streamable HTTP at `/mcp` (on `serve --mcp`): stateless, so nothing is
//! kept per client and no stream stays open (shutdown never waits on one), answering with plain
//! JSON; behind the service's rate limit (see [`crate::server::limits`]) and, when configured, a
//! bearer token.

use super::HealthMcp;
use crate::server::MAX_BODY_BYTES;
use crate::server::bearer::{BearerToken, WeakToken};
use crate::server::state::AppState;
use axum::Router;
use axum::body::HttpBody;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use std::sync::Arc;

/// The path the MCP endpoint is served at.
pub const PATH: &str = "/mcp";

/// How `/mcp` is served.
pub struct McpHttp {
    /// Requests must carry it as `Authorization: Bearer` (`None`: open, like the API).
    token: Option<BearerToken>,
    /// Whether the `Host` header must name this machine: a server bound to loopback is thereby
    /// kept from web pages that rebind their own host name to it (DNS rebinding). A server bound
    /// to another address is meant to be reached under names we cannot know.
    loopback_only: bool,
}

impl McpHttp {
    /// `/mcp` with an optional token (held to the same rule as the admin token).
    pub fn new(token: Option<&str>, loopback_only: bool) -> Result<McpHttp, WeakToken> {
        Ok(McpHttp { token: token.map(BearerToken::new).transpose()?, loopback_only })
    }
}

/// The `/mcp` route when the state turns it on, else no route.
pub fn routes(state: &AppState) -> Router<AppState> {
    let Some(mcp) = state.mcp.clone() else { return Router::new() };
    let mut config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .with_max_request_body_bytes(MAX_BODY_BYTES);
    if !mcp.loopback_only {
        config = config.disable_allowed_hosts();
    }
    let for_requests = state.clone();
    let service = StreamableHttpService::new(
        move || Ok(HealthMcp::new(for_requests.clone())),
        Arc::new(NeverSessionManager::default()),
        config,
    );
    Router::new()
        .route_service(PATH, service)
        .route_layer(axum::middleware::map_response(label_text))
        .route_layer(axum::middleware::from_fn_with_state(mcp, require_token))
}

/// The MCP SDK sends its refusals (a missing `Accept`, another `Content-Type`) as plain text
/// without saying so; an answer with a body always says what it is.
async fn label_text(mut res: Response) -> Response {
    if !res.headers().contains_key(header::CONTENT_TYPE) && res.body().size_hint().exact() != Some(0) {
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    }
    res
}

/// Refuses a request without the configured token: 401 `invalid_token`.
async fn require_token(State(mcp): State<Arc<McpHttp>>, req: Request, next: Next) -> Response {
    match &mcp.token {
        Some(token) if !token.allows(req.headers()) => BearerToken::refusal("MCP").into_response(),
        _ => next.run(req).await,
    }
}
