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
    pub name: String,
    /// A model id, or `{"id": …, …}`.
    #[schema(value_type = Object)]
    pub model: Value,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub system: Option<String>,
    #[serde(default)]
    pub metadata: Option<Metadata>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub tools: Option<Vec<Value>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub mcp_servers: Option<Vec<Value>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub skills: Option<Vec<Value>>,
    /// lucid: the memory store this agent uses.
    #[serde(default)]
    pub memory_store_id: Option<String>,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub extra: Map<String, Value>,
}

/// Change an agent. `version`, when given, must be the agent's current version (else 409).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdateAgent {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub model: Option<Value>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub system: Option<Option<String>>,
    #[serde(default)]
    #[schema(value_type = Option<BTreeMap<String, Option<String>>>)]
    pub metadata: Option<BTreeMap<String, Option<String>>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub tools: Option<Vec<Value>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub mcp_servers: Option<Vec<Value>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub skills: Option<Vec<Value>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub memory_store_id: Option<Option<String>>,
    #[serde(default)]
    pub version: Option<u64>,
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
