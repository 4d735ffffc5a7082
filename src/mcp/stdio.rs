//! The MCP server over standard input and output, the way desktop assistants start one: a
//! single client, one JSON message per line. Standard output carries only the protocol, so
//! everything else (logs, notes) goes to standard error.

use super::HealthMcp;
use crate::server::state::AppState;
use rmcp::ServiceExt;

/// Serves one client on standard input and output until it closes them.
pub async fn serve_stdio(state: AppState) -> std::io::Result<()> {
    let running = HealthMcp::new(state).serve(rmcp::transport::stdio()).await.map_err(std::io::Error::other)?;
    running.waiting().await.map_err(std::io::Error::other)?;
    Ok(())
}
