//! `/v1/dreams`: create, watch, cancel and archive dreams; review (report, diff) and promote
//! their output.

use axum::Json;
use axum::extract::State;
use lucid_storage::{
    Dream, DreamFilter, DreamModel, DreamStatus, NewDream, OutputBehavior, Page, Promotion,
    validate,
};
use std::collections::BTreeSet;

use lucid_core::selection::Selection;
use serde::Deserialize;
use serde_json::Value;

use crate::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::extract::{Body, Ids, Params};
use crate::review::{ReviewRequest, reviewed_promotion};
use crate::state::{AppState, Caller};

/// Create a dream: exactly one `memory_store` input and one `sessions` input.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateDream {
    /// `[{"type":"memory_store","memory_store_id":…},{"type":"sessions","session_ids":[…]}]`
    #[schema(value_type = Vec<Object>)]
    pub inputs: Vec<Value>,
    /// A model id or `{"id": …}`: `lucid-builtin` (or `builtin`) runs the built-in curator;
    /// any other id must be configured in the `[models]` section of the server's config file
    /// (an unknown one is a 400 that lists the configured ones). The report says which
    /// curator ran.
    #[schema(value_type = Object)]
    pub model: Value,
    /// 1 to 4,096 characters.
    #[serde(default)]
    pub instructions: Option<String>,
    /// `{"type":"create_new"}` (default) or `{"type":"update_existing","memory_store_id":…}`
    /// (only for a store with `auto_apply`; a result whose report has flags is not applied in
    /// place but written to a new store for review).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub output_behavior: Option<Value>,
    /// lucid: only sessions pinned `trusted` feed the dream (the others are skipped, with the
    /// reason in the report). Also accepted as `trusted_only` on the `sessions` input.
    #[serde(default)]
    pub trusted_only: Option<bool>,
    /// lucid: create and run nothing; answer what the dream would read and cost instead (a
    /// `dream_estimate`: sessions and events it would read, how many of them completed dreams
    /// already read, the model pass's work units with estimated tokens and cost (an upper
    /// bound, priced from `[prices]`), and `refusals`: the limits that would refuse it).
    #[serde(default)]
    pub dry_run: Option<bool>,
}

/// Promote a completed dream: switch these agents to its output store, atomically — or, with
/// `accept` or `reject`, to a new store built from the input store plus the accepted changes.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Promote {
    /// The agents to switch, all in one transaction.
    pub agent_ids: Vec<String>,
    /// Required (`true`) when the dream's report has flags (`flag_count > 0`): the reviewer
    /// acknowledges them. Without it such a promotion is a 409 `conflict_error`.
    #[serde(default)]
    pub accept_flags: Option<bool>,
    /// lucid: promote only these changes of the report (ids `chg_…`). Not with `reject`.
    #[serde(default)]
    pub accept: Option<Vec<String>>,
    /// lucid: promote every change but these and the changes built on them (listed in the
    /// response's `review.rejected_as_dependents`). Not with `accept`.
    #[serde(default)]
    pub reject: Option<Vec<String>>,
}

impl Promote {
    /// The reviewer's selection: `None` (the whole dream) when neither list is given.
    fn selection(&self) -> ApiResult<Option<Selection>> {
        let ids = |field: &str, list: &[String]| -> ApiResult<BTreeSet<String>> {
            if list.len() > 10_000 {
                return Err(ApiError::invalid(format!(
                    "{field} lists {} changes; at most 10,000",
                    list.len()
                )));
            }
            list.iter()
                .map(|id| {
                    let id = id.trim();
                    if id.is_empty() {
                        Err(ApiError::invalid(format!(
                            "{field} must hold change ids (chg_…), not empty strings"
                        )))
                    } else {
                        Ok(id.to_string())
                    }
                })
                .collect()
        };
        match (&self.accept, &self.reject) {
            (Some(_), Some(_)) => Err(ApiError::invalid(
                "give accept or reject, not both: accept keeps only the changes it lists, reject \
                 keeps every change but those",
            )),
            (Some(accept), None) => Ok(Some(Selection::Accept(ids("accept", accept)?))),
            (None, Some(reject)) => Ok(Some(Selection::Reject(ids("reject", reject)?))),
            (None, None) => Ok(None),
        }
    }
}

fn string_field<'a>(
    object: &'a serde_json::Map<String, Value>,
    field: &str,
    at: &str,
) -> ApiResult<&'a str> {
    object
        .get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::invalid(format!("{at}.{field} must be a non-empty string")))
}

/// Parses a dream model: an id, or `{"id": …, "speed": "standard"}`.
pub(crate) fn dream_model(model: &Value) -> ApiResult<DreamModel> {
    match model {
        Value::String(id) if !id.trim().is_empty() => Ok(DreamModel {
            id: id.clone(),
            speed: None,
        }),
        Value::Object(object) => {
            let id = string_field(object, "id", "model")?.to_string();
            let speed = match object.get("speed") {
                None | Some(Value::Null) => None,
                Some(Value::String(speed)) if speed == "standard" => Some(speed.clone()),
                Some(other) => {
                    return Err(ApiError::invalid(format!(
                        "model.speed can only be \"standard\", not {other}"
                    )));
                }
            };
            Ok(DreamModel { id, speed })
        }
        _ => Err(ApiError::invalid(
            "model must be a model id (e.g. \"lucid-builtin\") or {\"id\": …}",
        )),
    }
}

/// Parses and checks a create request (everything that needs no database).
pub(crate) fn parse_create(body: CreateDream) -> ApiResult<NewDream> {
    let (new, refusals) = parse_request(body, true)?;
    debug_assert!(refusals.is_empty(), "limits are errors when checked");
    Ok(new)
}

/// Parses a create request. With `check_limits`, a limit it breaks (too many sessions,
/// instructions too long) is a 400; without, it is returned as a refusal, for a dry run.
fn parse_request(
    body: CreateDream,
    check_limits: bool,
) -> ApiResult<(NewDream, Vec<lucid_llm::Refusal>)> {
    let mut refusals = Vec::new();
    let mut store = None;
    let mut sessions: Option<Vec<String>> = None;
    let mut trusted_only = body.trusted_only.unwrap_or(false);
    for (index, input) in body.inputs.iter().enumerate() {
        let at = format!("inputs[{index}]");
        let Value::Object(object) = input else {
            return Err(ApiError::invalid(format!("{at} must be an object")));
        };
        match object.get("type").and_then(Value::as_str) {
            Some("memory_store") => {
                if store.is_some() {
                    return Err(ApiError::invalid(
                        "a dream takes exactly one memory_store input",
                    ));
                }
                store = Some(string_field(object, "memory_store_id", &at)?.to_string());
            }
            Some("sessions") => {
                if sessions.is_some() {
                    return Err(ApiError::invalid(
                        "a dream takes exactly one sessions input",
                    ));
                }
                let ids = object
                    .get("session_ids")
                    .and_then(Value::as_array)
                    .ok_or_else(|| {
                        ApiError::invalid(format!("{at}.session_ids must be a list of session ids"))
                    })?;
                let ids: Option<Vec<String>> = ids
                    .iter()
                    .map(|id| id.as_str().filter(|s| !s.is_empty()).map(str::to_string))
                    .collect();
                sessions = Some(ids.ok_or_else(|| {
                    ApiError::invalid(format!("{at}.session_ids must hold strings"))
                })?);
                match object.get("trusted_only") {
                    None | Some(Value::Null) => {}
                    Some(Value::Bool(only)) => trusted_only |= *only,
                    Some(_) => {
                        return Err(ApiError::invalid(format!(
                            "{at}.trusted_only must be true or false"
                        )));
                    }
                }
            }
            other => {
                return Err(ApiError::invalid(format!(
                    "{at}.type must be memory_store or sessions, not {}",
                    other.map_or("missing".to_string(), |t| format!("{t:?}"))
                )));
            }
        }
    }
    let (Some(store), Some(sessions)) = (store, sessions) else {
        return Err(ApiError::invalid(
            "inputs must hold exactly one memory_store entry and exactly one sessions entry",
        ));
    };
    let sessions = if !check_limits && sessions.len() > validate::MAX_DREAM_SESSIONS {
        // Too many is a refusal of the dry run; duplicates are still a bad request.
        let distinct: BTreeSet<&String> = sessions.iter().collect();
        if distinct.len() != sessions.len() {
            return Err(ApiError::invalid("a session id is listed twice"));
        }
        refusals.push(lucid_llm::Refusal {
            limit: "max_sessions".into(),
            message: format!(
                "{} session ids given; the limit is {} per dream",
                sessions.len(),
                validate::MAX_DREAM_SESSIONS
            ),
        });
        let mut sorted = sessions;
        sorted.sort();
        sorted
    } else {
        validate::dream_sessions(&sessions).map_err(ApiError::invalid)?
    };
    if let Some(text) = &body.instructions {
        match validate::instructions(text) {
            Err(error) if !check_limits && error.rule == validate::Rule::TooLong => {
                refusals.push(lucid_llm::Refusal {
                    limit: "instructions".into(),
                    message: error.message,
                });
            }
            result => result.map_err(ApiError::invalid)?,
        }
    }
    let output_behavior = match &body.output_behavior {
        None | Some(Value::Null) => OutputBehavior::CreateNew,
        Some(Value::Object(object)) => match object.get("type").and_then(Value::as_str) {
            Some("create_new") => OutputBehavior::CreateNew,
            Some("update_existing") => OutputBehavior::UpdateExisting {
                memory_store_id: string_field(object, "memory_store_id", "output_behavior")?
                    .to_string(),
            },
            _ => {
                return Err(ApiError::invalid(
                    "output_behavior.type must be create_new or update_existing",
                ));
            }
        },
        Some(_) => return Err(ApiError::invalid("output_behavior must be an object")),
    };
    let new = NewDream {
        memory_store_id: store,
        session_ids: sessions,
        model: dream_model(&body.model)?,
        instructions: body.instructions,
        output_behavior,
        schedule_id: None,
        trusted_only,
    };
    Ok((new, refusals))
}

#[utoipa::path(post, path = "/v1/dreams", tag = "dreams", request_body = CreateDream,
    responses((status = 200, description = "The dream, pending (with `dry_run`: a \
                `dream_estimate`, and nothing created)", body = Dream),
              (status = "4XX", body = ErrorEnvelope)))]
/// Queue a dream (`pending`) for a worker to run. A model this server cannot run is refused at once
/// (400), listing the configured ones.
pub async fn create_dream(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<CreateDream>,
) -> ApiResult<Json<Value>> {
    if body.dry_run == Some(true) {
        let (new, refusals) = parse_request(body, false)?;
        let worker_state = state.clone();
        let estimate = tokio::task::spawn_blocking(move || {
            crate::estimate::dry_run(&worker_state, &caller.workspace_id, &new, refusals)
        })
        .await
        .map_err(|error| ApiError::internal(format!("estimate task failed: {error}")))?
        .map_err(ApiError::from)?;
        return Ok(Json(estimate));
    }
    let new = parse_create(body)?;
    // A model this server cannot run is refused now, with the list, not failed later.
    state
        .config()
        .models
        .endpoint(&new.model.id)
        .map_err(ApiError::invalid)?;
    let dream = state
        .run(move |s| s.create_dream(&caller.workspace_id, new))
        .await?;
    state.wake_workers();
    Ok(Json(serde_json::to_value(&dream).map_err(|error| {
        ApiError::internal(format!("cannot serialise dream {}: {error}", dream.id))
    })?))
}

#[utoipa::path(get, path = "/v1/dreams", tag = "dreams",
    params(("statuses[]" = Option<Vec<String>>, Query), ("include_archived" = Option<bool>, Query),
           ("created_at[gt]" = Option<String>, Query), ("created_at[lt]" = Option<String>, Query),
           ("limit" = Option<usize>, Query), ("page" = Option<String>, Query)),
    responses((status = 200, description = "Newest first", body = Page<Dream>),
              (status = "4XX", body = ErrorEnvelope)))]
/// The workspace's dreams, newest first; archived ones only with `include_archived=true`.
pub async fn list_dreams(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<Page<Dream>>> {
    let mut statuses = Vec::new();
    for text in params.list("statuses") {
        statuses.push(DreamStatus::parse(&text).ok_or_else(|| {
            ApiError::invalid(format!(
                "statuses: {text:?} is not pending, running, completed, failed or canceled"
            ))
        })?);
    }
    let filter = DreamFilter {
        statuses,
        created: params.time_range("created_at")?,
        include_archived: params.bool("include_archived")?.unwrap_or(false),
    };
    let page = params.page()?;
    let dreams = state
        .run(move |s| s.list_dreams(&caller.workspace_id, &filter, &page))
        .await?;
    Ok(Json(dreams))
}

#[utoipa::path(get, path = "/v1/dreams/{dream_id}", tag = "dreams",
    params(("dream_id" = String, Path)),
    responses((status = 200, body = Dream), (status = "4XX", body = ErrorEnvelope)))]
/// One dream, in any state, archived or not.
pub async fn get_dream(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult<Json<Dream>> {
    let dream = state
        .run(move |s| s.get_dream(&caller.workspace_id, &id))
        .await?;
    Ok(Json(dream))
}

/// pending/running → canceled at once (a running engine stops at its next stage and writes
/// nothing); canceled: returned unchanged; completed/failed: 400.
#[utoipa::path(post, path = "/v1/dreams/{dream_id}/cancel", tag = "dreams",
    params(("dream_id" = String, Path)),
    responses((status = 200, body = Dream), (status = "4XX", body = ErrorEnvelope)))]
pub async fn cancel_dream(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult<Json<Dream>> {
    let target = id.clone();
    let dream = state
        .run(move |s| s.cancel_dream(&caller.workspace_id, &target))
        .await?;
    state.signal_cancel(&id);
    if let Some(session) = &dream.session_id {
        state.session_changed(session);
    }
    Ok(Json(dream))
}

#[utoipa::path(post, path = "/v1/dreams/{dream_id}/archive", tag = "dreams",
    params(("dream_id" = String, Path)),
    responses((status = 200, body = Dream), (status = "4XX", body = ErrorEnvelope)))]
/// Archive a finished dream (completed, failed or canceled); archiving it again returns it
/// unchanged.
pub async fn archive_dream(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult<Json<Dream>> {
    let dream = state
        .run(move |s| s.archive_dream(&caller.workspace_id, &id))
        .await?;
    Ok(Json(dream))
}

/// Why a finished-or-not dream has no report or diff.
async fn missing_result(state: &AppState, caller: Caller, id: String, what: &str) -> ApiError {
    match state
        .run(move |s| s.get_dream(&caller.workspace_id, &id))
        .await
    {
        Ok(dream) if !dream.status.is_final() => ApiError::invalid(format!(
            "dream {} is {}; its {what} is ready when it completes",
            dream.id,
            dream.status.as_str()
        )),
        Ok(dream) => ApiError::not_found(format!(
            "dream {} is {} and has no {what}",
            dream.id,
            dream.status.as_str()
        )),
        Err(error) => error,
    }
}

/// lucid: the engine's report: status, curator, stats, usage, and every change with its
/// evidence.
#[utoipa::path(get, path = "/v1/dreams/{dream_id}/report", tag = "dreams",
    params(("dream_id" = String, Path)),
    responses((status = 200, description = "The report (see lucid's report schema)", body = Object),
              (status = "4XX", body = ErrorEnvelope)))]
pub async fn dream_report(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult<Json<Value>> {
    let (workspace, target) = (caller.workspace_id.clone(), id.clone());
    match state
        .run(move |s| s.dream_report(&workspace, &target))
        .await?
    {
        Some(report) => Ok(Json(report)),
        None => Err(missing_result(&state, caller, id, "report").await),
    }
}

/// lucid: per document of the input store as the dream read it against the output: `added`,
/// `removed` or `changed`, each with a unified diff and the report's `changes` that touched it
/// (each with its evidence and the evidence's `trust`: `trusted`, `untrusted`, `mixed`, or
/// `store`); `flags` lists the refused items (`summary.flags` counts them).
#[utoipa::path(get, path = "/v1/dreams/{dream_id}/diff", tag = "dreams",
    params(("dream_id" = String, Path)),
    responses((status = 200, body = Object), (status = "4XX", body = ErrorEnvelope)))]
pub async fn dream_diff(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult<Json<Value>> {
    let (workspace, target) = (caller.workspace_id.clone(), id.clone());
    let found = state
        .run(move |s| {
            let Some(diff) = s.dream_diff(&workspace, &target)? else {
                return Ok(None);
            };
            Ok(Some((diff, s.dream_report(&workspace, &target)?)))
        })
        .await?;
    match found {
        Some((mut diff, report)) => {
            if let Some(report) = report {
                crate::review::annotate_diff(&mut diff, &report);
            }
            Ok(Json(diff))
        }
        None => Err(missing_result(&state, caller, id, "diff").await),
    }
}

/// lucid: atomically switch agents to the dream's output store (each remembers its previous
/// store; `POST /v1/agents/{id}/rollback` switches back). A dream whose report has flags
/// (`flag_count > 0`) needs `"accept_flags": true`; without it: 409 `conflict_error`.
///
/// With `accept` or `reject` (change ids of the report), the agents move to a **new store**
/// built from the input store as the dream read it plus the accepted changes only: a rejected
/// add is not added, a rejected merge keeps the originals, a rejected supersede keeps the old
/// value, a rejected remove keeps the item. Each accepted change is written as its own memory
/// version by the caller's key. Rejecting a change rejects the changes built on it (listed in
/// `review.rejected_as_dependents`); accepting one without the change it builds on is a 409
/// naming that change; an unknown id is a 400 naming it. Nothing is written on error. The
/// decisions are kept on the dream (`review` on `GET /v1/dreams/{id}`).
#[utoipa::path(post, path = "/v1/dreams/{dream_id}/promote", tag = "dreams",
    params(("dream_id" = String, Path)), request_body = Promote,
    responses((status = 200, body = Promotion), (status = "4XX", body = ErrorEnvelope)))]
pub async fn promote_dream(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
    Body(body): Body<Promote>,
) -> ApiResult<Json<Promotion>> {
    if body.agent_ids.is_empty() || body.agent_ids.len() > 100 {
        return Err(ApiError::invalid("agent_ids must list 1 to 100 agents"));
    }
    let accept_flags = body.accept_flags.unwrap_or(false);
    let Some(selection) = body.selection()? else {
        let promotion = state
            .run(move |s| s.promote_dream(&caller.workspace_id, &id, &body.agent_ids, accept_flags))
            .await?;
        return Ok(Json(promotion));
    };
    let safety = state.safety().dreams().clone();
    let promotion = state
        .run(move |s| {
            let request = ReviewRequest {
                selection,
                agent_ids: body.agent_ids,
                accept_flags,
                reviewer: caller.actor(),
            };
            let reviewed = reviewed_promotion(s, &caller.workspace_id, &id, request, &safety)?;
            s.promote_reviewed_dream(&caller.workspace_id, &id, reviewed)
        })
        .await?;
    Ok(Json(promotion))
}

/// lucid: archive a finished dream's output store (refused while an agent uses it).
#[utoipa::path(post, path = "/v1/dreams/{dream_id}/discard", tag = "dreams",
    params(("dream_id" = String, Path)),
    responses((status = 200, body = Dream), (status = "4XX", body = ErrorEnvelope)))]
pub async fn discard_dream(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult<Json<Dream>> {
    let dream = state
        .run(move |s| s.discard_dream(&caller.workspace_id, &id))
        .await?;
    Ok(Json(dream))
}
