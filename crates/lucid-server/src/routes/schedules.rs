//! `/v1/schedules` (lucid): dream a store on a cron expression and/or after N new sessions.

use axum::Json;
use axum::extract::State;
use lucid_storage::{DreamModel, NewSchedule, Page, Schedule, validate};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::extract::{Body, Ids, Params};
use crate::routes::dreams::dream_model;
use crate::routes::stores::Deleted;
use crate::state::{AppState, Caller};

/// A schedule: a dream of `memory_store_id` over the sessions attached to it that no run of
/// this schedule has dreamed yet (at most 100, newest first).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateSchedule {
    /// The store to dream; it must not be archived.
    pub memory_store_id: String,
    /// A cron expression in UTC (5 fields, or 6 with seconds), e.g. `0 3 * * *`.
    #[serde(default)]
    pub cron: Option<String>,
    /// Run as soon as this many new sessions are attached to the store (1–100).
    #[serde(default)]
    pub after_sessions: Option<u32>,
    /// The instructions every dream of the schedule gets, 1 to 4,096 characters.
    #[serde(default)]
    pub instructions: Option<String>,
    /// Default `lucid-builtin`.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub model: Option<Value>,
    /// Promote each completed dream to the agents (off by default); the schedule then follows
    /// the new store.
    #[serde(default)]
    pub auto_promote: Option<bool>,
    /// The agents to promote (default: every agent using the store).
    #[serde(default)]
    pub agent_ids: Option<Vec<String>>,
}

/// The next time a cron expression fires after now.
pub(crate) fn next_cron_time(expression: &str) -> Result<Option<String>, String> {
    let cron: croner::Cron = expression
        .parse()
        .map_err(|error| format!("invalid cron expression {expression:?}: {error}"))?;
    Ok(cron
        .find_next_occurrence(&chrono::Utc::now(), false)
        .ok()
        .map(|at| lucid_storage::ids::format_time(&at)))
}

#[utoipa::path(post, path = "/v1/schedules", tag = "schedules", request_body = CreateSchedule,
    responses((status = 200, body = Schedule), (status = "4XX", body = ErrorEnvelope)))]
/// lucid: create a schedule. It needs `cron`, `after_sessions` or both; a model this server cannot
/// run is refused at once (400).
pub async fn create_schedule(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<CreateSchedule>,
) -> ApiResult<Json<Schedule>> {
    if body.cron.is_none() && body.after_sessions.is_none() {
        return Err(ApiError::invalid(
            "give cron, after_sessions, or both: a schedule needs a trigger",
        ));
    }
    let next_run_at = match &body.cron {
        Some(expression) => next_cron_time(expression).map_err(ApiError::invalid)?,
        None => None,
    };
    if let Some(n) = body.after_sessions
        && (n == 0 || n as usize > validate::MAX_DREAM_SESSIONS)
    {
        return Err(ApiError::invalid("after_sessions must be 1 to 100"));
    }
    if let Some(text) = &body.instructions {
        validate::instructions(text).map_err(ApiError::invalid)?;
    }
    let model = match &body.model {
        None | Some(Value::Null) => DreamModel {
            id: "lucid-builtin".into(),
            speed: None,
        },
        Some(model) => dream_model(model)?,
    };
    state
        .config()
        .models
        .endpoint(&model.id)
        .map_err(ApiError::invalid)?;
    let new = NewSchedule {
        memory_store_id: body.memory_store_id,
        cron: body.cron,
        after_sessions: body.after_sessions,
        instructions: body.instructions,
        model,
        auto_promote: body.auto_promote.unwrap_or(false),
        agent_ids: body.agent_ids.unwrap_or_default(),
        next_run_at,
    };
    let schedule = state
        .run(move |s| s.create_schedule(&caller.workspace_id, new))
        .await?;
    state.wake_scheduler();
    Ok(Json(schedule))
}

#[utoipa::path(get, path = "/v1/schedules", tag = "schedules",
    params(("limit" = Option<usize>, Query), ("page" = Option<String>, Query)),
    responses((status = 200, body = Page<Schedule>), (status = "4XX", body = ErrorEnvelope)))]
/// lucid: the workspace's schedules, oldest first.
pub async fn list_schedules(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<Page<Schedule>>> {
    let page = params.page()?;
    let schedules = state
        .run(move |s| s.list_schedules(&caller.workspace_id, &page))
        .await?;
    Ok(Json(schedules))
}

#[utoipa::path(get, path = "/v1/schedules/{schedule_id}", tag = "schedules",
    params(("schedule_id" = String, Path)),
    responses((status = 200, body = Schedule), (status = "4XX", body = ErrorEnvelope)))]
/// lucid: one schedule, with when it runs next and how its last run ended.
pub async fn get_schedule(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult<Json<Schedule>> {
    let schedule = state
        .run(move |s| s.get_schedule(&caller.workspace_id, &id))
        .await?;
    Ok(Json(schedule))
}

#[utoipa::path(delete, path = "/v1/schedules/{schedule_id}", tag = "schedules",
    params(("schedule_id" = String, Path)),
    responses((status = 200, body = Deleted), (status = "4XX", body = ErrorEnvelope)))]
/// lucid: delete a schedule and its record of sessions already dreamed; the dreams it created stay.
pub async fn delete_schedule(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult<Json<Deleted>> {
    let target = id.clone();
    state
        .run(move |s| s.delete_schedule(&caller.workspace_id, &target))
        .await?;
    Ok(Json(Deleted {
        id,
        object: "schedule_deleted".into(),
    }))
}
