//! `/v1/agents`: the agents of a fleet, and the memory store each one uses.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use lucid_storage::{Agent, AgentFilter, AgentPatch, Metadata, NewAgent, Page, validate};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value, json};

use crate::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::extract::{Body, Ids, Params};
use crate::state::{AppState, Caller};

/// `Some(None)` for an explicit `null`, `None` for a missing field.
pub(crate) fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Create an agent (the SDK's `agents.create` fields; any other field is stored and echoed).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateAgent {
    /// 1 to 255 characters, no control characters.
    pub name: String,
    /// A model id, or `{"id": …, …}`.
    #[schema(value_type = Object)]
    pub model: Value,
    /// Up to 2,048 characters.
    #[serde(default)]
    pub description: Option<String>,
    /// The agent's system prompt; at most the server's limit (100 KiB by default).
    #[serde(default)]
    pub system: Option<String>,
    /// At most 16 pairs; keys 1–64 characters, values up to 512.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// Stored and echoed as given; lucid runs no tools.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub tools: Option<Vec<Value>>,
    /// Stored and echoed as given.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub mcp_servers: Option<Vec<Value>>,
    /// Stored and echoed as given.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub skills: Option<Vec<Value>>,
    /// lucid: the memory store this agent uses.
    #[serde(default)]
    pub memory_store_id: Option<String>,
    /// Any other field: stored and echoed.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub extra: Map<String, Value>,
}

/// Change an agent. `version`, when given, must be the agent's current version (else 409).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdateAgent {
    /// A new name: 1 to 255 characters, no control characters.
    #[serde(default)]
    pub name: Option<String>,
    /// A model id, or `{"id": …, …}`.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub model: Option<Value>,
    /// A new description; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// A new system prompt (at most the server's limit); `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub system: Option<Option<String>>,
    /// Keys set to a string are added or replaced; keys set to `null` are removed.
    #[serde(default)]
    #[schema(value_type = Option<BTreeMap<String, Option<String>>>)]
    pub metadata: Option<BTreeMap<String, Option<String>>>,
    /// Replaces the whole list.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub tools: Option<Vec<Value>>,
    /// Replaces the whole list.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub mcp_servers: Option<Vec<Value>>,
    /// Replaces the whole list.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub skills: Option<Vec<Value>>,
    /// lucid: switch the agent to this store (the same rules as on create); `null` detaches it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub memory_store_id: Option<Option<String>>,
    /// The agent's current version; any other is a 409 and nothing changes.
    #[serde(default)]
    pub version: Option<u64>,
    /// Any other field: stored and echoed; `null` removes it.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub extra: Map<String, Value>,
}

/// A model given as an id or an object, as the object the API returns.
pub(crate) fn model_object(model: Value) -> ApiResult<Value> {
    match model {
        Value::String(id) if !id.trim().is_empty() => Ok(json!({ "id": id })),
        Value::Object(object)
            if object
                .get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| !id.trim().is_empty()) =>
        {
            Ok(Value::Object(object))
        }
        _ => Err(ApiError::invalid(
            "model must be a model id or an object with a string \"id\"",
        )),
    }
}

#[utoipa::path(post, path = "/v1/agents", tag = "agents", request_body = CreateAgent,
    responses((status = 200, body = Agent), (status = "4XX", body = ErrorEnvelope)))]
/// Create an agent (the SDK's `agents.create`). A `memory_store_id` must name a store that is not
/// archived and not the output of an unfinished dream or of one with unacknowledged flags (409).
pub async fn create_agent(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<CreateAgent>,
) -> ApiResult<Json<Agent>> {
    validate::name("name", &body.name).map_err(ApiError::invalid)?;
    crate::limits::check_system(body.system.as_deref(), state.config().max_system_bytes)?;
    let metadata = body.metadata.unwrap_or_default();
    validate::metadata(&metadata).map_err(ApiError::invalid)?;
    let new = NewAgent {
        name: body.name,
        model: model_object(body.model)?,
        description: body.description,
        system: body.system,
        metadata,
        tools: body.tools.unwrap_or_default(),
        mcp_servers: body.mcp_servers.unwrap_or_default(),
        skills: body.skills.unwrap_or_default(),
        memory_store_id: body.memory_store_id,
        extra: body.extra,
    };
    let agent = state
        .run(move |s| s.create_agent(&caller.workspace_id, new))
        .await?;
    Ok(Json(agent))
}

#[utoipa::path(get, path = "/v1/agents", tag = "agents",
    params(("limit" = Option<usize>, Query), ("page" = Option<String>, Query),
           ("include_archived" = Option<bool>, Query),
           ("created_at[gte]" = Option<String>, Query), ("created_at[lte]" = Option<String>, Query)),
    responses((status = 200, body = Page<Agent>), (status = "4XX", body = ErrorEnvelope)))]
/// The workspace's agents, oldest first; archived ones only with `include_archived=true`.
pub async fn list_agents(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<Page<Agent>>> {
    let filter = AgentFilter {
        include_archived: params.bool("include_archived")?.unwrap_or(false),
        created: params.time_range("created_at")?,
    };
    let page = params.page()?;
    let agents = state
        .run(move |s| s.list_agents(&caller.workspace_id, &filter, &page))
        .await?;
    Ok(Json(agents))
}

#[utoipa::path(get, path = "/v1/agents/{agent_id}", tag = "agents",
    params(("agent_id" = String, Path)),
    responses((status = 200, body = Agent), (status = "4XX", body = ErrorEnvelope)))]
/// One agent, archived or not.
pub async fn get_agent(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult<Json<Agent>> {
    let agent = state
        .run(move |s| s.get_agent(&caller.workspace_id, &id))
        .await?;
    Ok(Json(agent))
}

#[utoipa::path(post, path = "/v1/agents/{agent_id}", tag = "agents",
    params(("agent_id" = String, Path)), request_body = UpdateAgent,
    responses((status = 200, body = Agent), (status = "4XX", body = ErrorEnvelope)))]
/// Change an agent: every update makes a new version. An archived agent is read-only (400).
pub async fn update_agent(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
    Body(body): Body<UpdateAgent>,
) -> ApiResult<Json<Agent>> {
    if let Some(Some(system)) = &body.system {
        crate::limits::check_system(Some(system), state.config().max_system_bytes)?;
    }
    let patch = AgentPatch {
        name: body.name,
        model: body.model.map(model_object).transpose()?,
        description: body.description,
        system: body.system,
        metadata: body.metadata,
        tools: body.tools,
        mcp_servers: body.mcp_servers,
        skills: body.skills,
        memory_store_id: body.memory_store_id,
        extra: body.extra,
        expected_version: body.version,
    };
    let agent = state
        .run(move |s| s.update_agent(&caller.workspace_id, &id, patch))
        .await?;
    Ok(Json(agent))
}

#[utoipa::path(post, path = "/v1/agents/{agent_id}/archive", tag = "agents",
    params(("agent_id" = String, Path)),
    responses((status = 200, body = Agent), (status = "4XX", body = ErrorEnvelope)))]
/// Archive an agent, for good: it becomes read-only and starts no sessions. Archiving it again
/// returns it unchanged.
pub async fn archive_agent(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult<Json<Agent>> {
    let agent = state
        .run(move |s| s.archive_agent(&caller.workspace_id, &id))
        .await?;
    Ok(Json(agent))
}

/// lucid: switch the agent back to the memory store it used before the last promotion.
#[utoipa::path(post, path = "/v1/agents/{agent_id}/rollback", tag = "agents",
    params(("agent_id" = String, Path)),
    responses((status = 200, body = Agent), (status = "4XX", body = ErrorEnvelope)))]
pub async fn rollback_agent(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult<Json<Agent>> {
    let agent = state
        .run(move |s| s.rollback_agent(&caller.workspace_id, &id))
        .await?;
    Ok(Json(agent))
}

/// The agent's versions, newest first (the SDK's `agents.versions.list`): each version as
/// sessions of that version report their agent, with `created_at`. Sessions reference a
/// version instead of holding a copy of the agent.
#[utoipa::path(get, path = "/v1/agents/{agent_id}/versions", tag = "agents",
    params(("agent_id" = String, Path), ("limit" = Option<usize>, Query),
           ("page" = Option<String>, Query)),
    responses((status = 200, body = Page<Object>), (status = "4XX", body = ErrorEnvelope)))]
pub async fn list_agent_versions(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
    params: Params,
) -> ApiResult<Json<Page<Value>>> {
    let page = params.page()?;
    let versions = state
        .run(move |s| s.list_agent_versions(&caller.workspace_id, &id, &page))
        .await?;
    Ok(Json(versions))
}
