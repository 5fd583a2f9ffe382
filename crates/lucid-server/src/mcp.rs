//! `/mcp`: lucid's memory tools over MCP streamable HTTP (the `lucid-mcp` crate's handler,
//! rmcp's transport), authenticated like `/v1` and scoped to the key's workspace.
//!
//! A middleware authenticates every request with the same [`Caller`] extractor as the API (a
//! bad key is a 401 envelope before any MCP session starts) and puts the caller in the request;
//! each tool call then reads it, with the store named by the URL's `memory_store_id` query
//! parameter, from the request parts rmcp hands the handler. So two clients of two workspaces
//! on one server never see each other's stores: the storage scopes every call to the caller's
//! workspace. Writes are memory versions whose actor is the MCP client's name and key.
//!
//! rmcp checks the `Host` header against loopback names by default (against DNS rebinding of a
//! local server). With keys required, a rebinding page cannot send the key, so the check is off
//! and `/mcp` works on any address the server listens on; in open mode (no key, loopback only)
//! it stays on.

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lucid_mcp::server::{BackendSource, CallScope, instructions};
use lucid_mcp::storage::{DreamHooks, StorageBackend};
use lucid_mcp::{MemoryBackend, ToolError};

use crate::state::{AppState, AuthMode, Caller};

/// The `/mcp` routes (merge into the app's router).
pub(crate) fn router<S: Clone + Send + Sync + 'static>(state: &AppState) -> Router<S> {
    let hosts = match state.auth() {
        AuthMode::Keys => Some(Vec::new()),
        AuthMode::Open { .. } => None,
    };
    let service = lucid_mcp::server::http_service(
        Arc::new(ServerSource {
            state: state.clone(),
        }),
        hosts,
    );
    Router::new()
        .nest_service("/mcp", service)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            authenticate,
        ))
}

/// Refuses a request without a valid key (as `/v1` does) and records who is calling.
async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    match Caller::from_request_parts(&mut parts, &state).await {
        Ok(caller) => {
            parts.extensions.insert(caller);
            next.run(Request::from_parts(parts, body)).await
        }
        Err(error) => error.into_response(),
    }
}

struct ServerSource {
    state: AppState,
}

struct Hooks {
    state: AppState,
}

impl DreamHooks for Hooks {
    fn check_model(&self, model: &str) -> Result<(), String> {
        self.state.config().models.endpoint(model).map(|_| ())
    }
    fn queued(&self) {
        self.state.wake_workers();
    }
}

impl BackendSource for ServerSource {
    fn backend(&self, scope: &CallScope<'_>) -> Result<Arc<dyn MemoryBackend>, ToolError> {
        let parts = scope
            .extensions
            .get::<axum::http::request::Parts>()
            .ok_or_else(|| ToolError::Backend("the request carried no HTTP parts".into()))?;
        let caller = parts
            .extensions
            .get::<Caller>()
            .ok_or_else(|| ToolError::Backend("the request was not authenticated".into()))?;
        let store_id = form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
            .find(|(name, _)| name == "memory_store_id")
            .map(|(_, value)| value.into_owned())
            .filter(|value| !value.is_empty())
            .ok_or_else(|| {
                ToolError::Invalid(
                    "this MCP server needs the store in its URL: /mcp?memory_store_id=memstore_… \
                     (ask the user to fix the MCP server's URL)"
                        .into(),
                )
            })?;
        Ok(Arc::new(StorageBackend {
            storage: self.state.storage().clone(),
            workspace_id: caller.workspace_id.clone(),
            store_id,
            actor: Some(lucid_storage::Actor::McpActor {
                client_name: scope
                    .client_name
                    .unwrap_or("unnamed MCP client")
                    .to_string(),
                api_key_id: caller.api_key_id.clone(),
            }),
            dreams: Some(Arc::new(Hooks {
                state: self.state.clone(),
            })),
        }))
    }

    fn dreams(&self) -> bool {
        true
    }

    fn instructions(&self) -> String {
        instructions("a memory store of a lucid server")
    }
}
