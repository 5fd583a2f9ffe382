//! The rmcp handler: lists the tools, runs a call on the blocking pool against the backend the
//! [`BackendSource`] picks for the request, and turns a [`ToolError`] into an MCP tool error.

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ContentBlock, Extensions, Implementation,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
    ToolAnnotations,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::{ErrorData, ServerHandler, ServiceExt};

use crate::{MemoryBackend, ToolError, tools};

/// What a call knows about who is calling: the request's extensions (over HTTP they hold the
/// request's `http::request::Parts`) and the client's name from its `initialize`.
pub struct CallScope<'a> {
    /// The request's extensions (the HTTP request's parts, over HTTP).
    pub extensions: &'a Extensions,
    /// The name the client gave in `initialize`, if it gave one.
    pub client_name: Option<&'a str>,
}

/// Picks the backend a call runs against: one fixed folder (stdio), or the store and
/// workspace an HTTP request names and is allowed to reach.
pub trait BackendSource: Send + Sync + 'static {
    /// The backend this call runs against, or why the caller may not reach one.
    fn backend(&self, scope: &CallScope<'_>) -> Result<Arc<dyn MemoryBackend>, ToolError>;
    /// Whether the dream tools are listed.
    fn dreams(&self) -> bool;
    /// The server's instructions to the model.
    fn instructions(&self) -> String;
}

/// One backend for every call (stdio: a folder, or a server's store through its API).
pub struct Fixed(pub Arc<dyn MemoryBackend>);

impl BackendSource for Fixed {
    fn backend(&self, _: &CallScope<'_>) -> Result<Arc<dyn MemoryBackend>, ToolError> {
        Ok(self.0.clone())
    }
    fn dreams(&self) -> bool {
        self.0.dreams()
    }
    fn instructions(&self) -> String {
        instructions(&self.0.describe())
    }
}

/// The instructions a model reads on connecting.
pub fn instructions(what: &str) -> String {
    format!(
        "lucid memory: {what}. Memories are Markdown files, one fact per line (`- fact`). \
         Before answering from memory or adding a fact, memory_search for it; memory_view / \
         lists the files. Record durable lessons (corrections, preferences, decisions, \
         pitfalls), not one-off details; fix a wrong memory with memory_str_replace rather \
         than adding a contradicting one."
    )
}

/// The MCP server: lucid's memory tools over a [`BackendSource`].
#[derive(Clone)]
pub struct LucidMcp {
    source: Arc<dyn BackendSource>,
}

impl LucidMcp {
    /// The MCP server over the backends `source` picks.
    pub fn new(source: Arc<dyn BackendSource>) -> LucidMcp {
        LucidMcp { source }
    }

    fn tool_list(&self) -> Vec<Tool> {
        tools::specs(self.source.dreams())
            .into_iter()
            .map(|spec| {
                let schema = match spec.schema {
                    serde_json::Value::Object(map) => map,
                    _ => serde_json::Map::new(),
                };
                Tool::new(spec.name, spec.description, Arc::new(schema)).annotate(
                    ToolAnnotations::new()
                        .read_only(spec.read_only)
                        .destructive(matches!(
                            spec.name,
                            "memory_delete" | "memory_str_replace" | "memory_rename"
                        )),
                )
            })
            .collect()
    }
}

fn tool_error(error: &ToolError) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(format!("Error: {error}"))])
}

impl ServerHandler for LucidMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("lucid", env!("CARGO_PKG_VERSION")))
            .with_instructions(self.source.instructions())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tool_list()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<rmcp::model::CallToolResponse, ErrorData> {
        let client_name = context
            .peer
            .peer_info()
            .map(|info| info.client_info.name.clone());
        let scope = CallScope {
            extensions: &context.extensions,
            client_name: client_name.as_deref(),
        };
        let backend = match self.source.backend(&scope) {
            Ok(backend) => backend,
            Err(error) => return Ok(tool_error(&error).into()),
        };
        let name = request.name.to_string();
        let args = request.arguments.unwrap_or_default();
        let outcome =
            tokio::task::spawn_blocking(move || tools::call(backend.as_ref(), &name, &args)).await;
        let result = match outcome {
            Ok(Ok(output)) => {
                let mut result = CallToolResult::success(vec![ContentBlock::text(output.text)]);
                result.structured_content = output.structured;
                result
            }
            Ok(Err(error)) => tool_error(&error),
            // A panic in a backend is a bug; the model still gets an answer, not a dead server.
            Err(join) => {
                tracing::error!(error = %join, "an MCP tool call failed unexpectedly");
                tool_error(&ToolError::Backend(
                    "the tool failed unexpectedly; this is a bug in lucid".into(),
                ))
            }
        };
        Ok(result.into())
    }
}

/// Serves `source` over stdin/stdout until the client disconnects. Logs must go to stderr.
pub async fn serve_stdio(source: Arc<dyn BackendSource>) -> Result<(), std::io::Error> {
    let running = LucidMcp::new(source)
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| std::io::Error::other(format!("MCP initialisation failed: {e}")))?;
    running
        .waiting()
        .await
        .map_err(|e| std::io::Error::other(format!("MCP server task failed: {e}")))?;
    Ok(())
}

/// The streamable HTTP service for `source` (mount it with `nest_service("/mcp", …)`).
/// `allowed_hosts` are the `Host` headers accepted (rmcp defaults to loopback names only, a
/// guard against DNS rebinding; a server listening elsewhere names its hosts).
#[cfg(feature = "http")]
pub fn http_service(
    source: Arc<dyn BackendSource>,
    allowed_hosts: Option<Vec<String>>,
) -> rmcp::transport::streamable_http_server::StreamableHttpService<
    LucidMcp,
    rmcp::transport::streamable_http_server::session::local::LocalSessionManager,
> {
    use rmcp::transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService, session::local::LocalSessionManager,
    };
    let mut config = StreamableHttpServerConfig::default();
    if let Some(hosts) = allowed_hosts {
        config = if hosts.is_empty() {
            config.disable_allowed_hosts()
        } else {
            config.with_allowed_hosts(hosts)
        };
    }
    let handler = LucidMcp::new(source);
    StreamableHttpService::new(
        move || Ok(handler.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    )
}
