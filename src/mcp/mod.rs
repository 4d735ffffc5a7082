//! The Model Context Protocol server, for assistants and agent frameworks: tools to search,
//! retrieve citable passages, read articles and help editors, and each article as a resource.
//! One handler serves both transports: standard input/output (`healthsearch mcp`) and
//! streamable HTTP at `/mcp` (`serve --mcp`). Every tool runs through the functions the JSON
//! API's handlers call, so ranking, validation and limits are the API's.

mod answers;
pub mod args;
mod cite;
mod handler;
pub mod http;
pub mod resources;
mod stdio;
mod tools;

pub use handler::HealthMcp;
pub use http::McpHttp;
pub use stdio::serve_stdio;
