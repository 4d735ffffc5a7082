//! The MCP server itself: what it tells a client at initialization, and which requests it
//! answers (tools and article resources), over whichever transport carries them.

use super::{resources, tools};
use crate::server::state::AppState;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListResourceTemplatesResult, ListResourcesResult,
    ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities,
    ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};

/// What a client (and through it, the model) is told about the server as a whole.
const INSTRUCTIONS: &str = "Search and quote consumer health articles that clinicians have reviewed. \
For a reader's health question, call get_passages and answer from the passages, citing each one you use \
with its `cite` line and listing its primary sources (the answer's `sources`). Say how current the \
information is (each passage's review date). These articles inform; they do not replace a clinician: \
for urgent symptoms, tell the reader to seek care.";

/// The MCP server over one service state (index, ranking, timeout).
#[derive(Clone)]
pub struct HealthMcp {
    state: AppState,
}

impl HealthMcp {
    pub fn new(state: AppState) -> HealthMcp {
        HealthMcp { state }
    }
}

impl ServerHandler for HealthMcp {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder().enable_tools().enable_resources().build();
        let server = Implementation::new("healthsearch", env!("CARGO_PKG_VERSION"))
            .with_title("Health article search")
            .with_description("Ranked, citable passages from reviewed consumer health articles");
        ServerConfig::new(capabilities).with_server_info(server).with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tools::catalogue()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        match tools::call(&self.state, &request.name, request.arguments).await {
            Some(result) => Ok(result.into()),
            // Not a bad argument but a call to nothing: the protocol's error for it.
            None => Err(ErrorData::invalid_params(format!("no tool named {:?}", request.name), None)),
        }
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        resources::list(&self.state, request.as_ref().and_then(|r| r.cursor.as_deref())).await
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(resources::templates())
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        Ok(resources::read(&self.state, &request.uri).await?.into())
    }
}
