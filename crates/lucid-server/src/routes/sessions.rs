//! `/v1/sessions`: agent sessions logged here (or imported from transcripts), their events, and
//! the event stream.

use std::collections::BTreeMap;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use lucid_storage::{
    EventFilter, Metadata, NewSession, Order, Page, Session, SessionEvent, SessionFilter,
    SessionPatch, SessionTrust, SessionUsers, validate,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::convert;
use crate::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::extract::{Body, Ids, Params, RawBody};
use crate::routes::agents::nullable;
use crate::routes::stores::Deleted;
use crate::state::{AppState, Caller};

/// At most this many events per append request (and initial events: 50, as the API says).
const MAX_EVENTS_PER_REQUEST: usize = 1_000;
const MAX_INITIAL_EVENTS: usize = 50;

/// Create a session (the SDK's `sessions.create`). lucid runs no environment: the agent runs
/// elsewhere and logs its events here.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateSession {
    /// An agent id, or `{"type": "agent", "id": …}`.
    #[schema(value_type = Object)]
    pub agent: Value,
    /// Stored as given.
    #[serde(default)]
    pub environment_id: Option<String>,
    /// Attached resources; `{"type": "memory_store", "memory_store_id": …}` attaches a store.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub resources: Option<Vec<Value>>,
    /// Up to 50 events to start the session with, in the shapes `POST
    /// /v1/sessions/{session_id}/events` takes.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub initial_events: Option<Vec<Map<String, Value>>>,
    /// At most 512 characters.
    #[serde(default)]
    pub title: Option<String>,
    /// At most 16 pairs; keys 1–64 characters, values up to 512.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// lucid: `default` (each event by its origin), `trusted`, `untrusted` or `quarantined`
    /// (never feeds a dream). Default `default`.
    #[serde(default)]
    pub trust: Option<String>,
    /// lucid: whose words the user messages are: `team` (trusted: they can become memories) or
    /// `external` (a customer's: untrusted, scanned for injections and flagged). Default: the
    /// server's `--session-users` (`external` unless set).
    #[serde(default)]
    pub users: Option<String>,
}

/// Change a session. An archived session takes only `trust` and `users` changes; a dream's
/// narration takes neither.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdateSession {
    /// A new title (at most 512 characters); `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    /// Keys set to a string are added or replaced; keys set to `null` are removed.
    #[serde(default)]
    #[schema(value_type = Option<BTreeMap<String, Option<String>>>)]
    pub metadata: Option<BTreeMap<String, Option<String>>>,
    /// lucid: `default`, `trusted`, `untrusted` or `quarantined` (also on an archived session).
    #[serde(default)]
    pub trust: Option<String>,
    /// lucid: `team` or `external` (whose words the user messages are).
    #[serde(default)]
    pub users: Option<String>,
}

/// Events to append, in the Managed Agents shapes (agent-side ones included). Every string in
/// them is secret-redacted before it is stored (lucid).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SendEvents {
    /// 1 to 1,000 events, each at most the server's event size limit (1 MiB of JSON by default).
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<Map<String, Value>>,
}

/// The stored events, with their ids and `processed_at`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SentEvents {
    /// The events as stored, in the order sent.
    #[schema(value_type = Vec<Object>)]
    pub data: Vec<SessionEvent>,
}

/// A page of events.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventPage {
    /// The events of this page, in the order asked for.
    #[schema(value_type = Vec<Object>)]
    pub data: Vec<SessionEvent>,
    /// The cursor for the next page (`page=…`); `null` on the last page.
    pub next_page: Option<String>,
}

/// Import a transcript as JSON (the raw file can also be the request body, with these fields as
/// query parameters).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ImportSession {
    /// The agent: an agent id, or a name (an agent with that name is created if none exists).
    pub agent: String,
    /// The transcript file's text, in any format `lucid dream` reads.
    pub transcript: String,
    /// The file name (its stem is the session's title when the format carries no id).
    #[serde(default)]
    pub filename: Option<String>,
    /// `claude_code`, `managed_agents`, `anthropic_messages`, `openai_chat`,
    /// `openai_responses`, `cline`, `swe_agent`, `aider`, `openhands`, `copilot_cli`,
    /// `opencode`, `gemini_cli`, `specstory`, `antigravity`, `openclaw`; detected when omitted.
    #[serde(default)]
    pub format: Option<String>,
    /// Attach this memory store to the session.
    #[serde(default)]
    pub memory_store_id: Option<String>,
    /// The session's title; default: the session id the transcript carries, else the file name's
    /// stem.
    #[serde(default)]
    pub title: Option<String>,
    /// At most 16 pairs; keys 1–64 characters, values up to 512.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// lucid: the session's trust as dream input (default `default`).
    #[serde(default)]
    pub trust: Option<String>,
    /// lucid: whose words the user messages are: `team` (the default for imports: transcripts of
    /// a team member's own harness) or `external`.
    #[serde(default)]
    pub users: Option<String>,
}

/// A trust level from a request (`None`: not given).
fn parse_trust(text: Option<&str>) -> ApiResult<Option<SessionTrust>> {
    text.map(|text| {
        lucid_storage::parse_session_trust(text).ok_or_else(|| {
            ApiError::invalid(format!(
                "trust must be default, trusted, untrusted or quarantined, not {text:?}"
            ))
        })
    })
    .transpose()
}

/// Whose words a session's user messages are, from a request (`None`: not given).
fn parse_users(text: Option<&str>) -> ApiResult<Option<SessionUsers>> {
    text.map(|text| {
        SessionUsers::parse(text).ok_or_else(|| {
            ApiError::invalid(format!("users must be team or external, not {text:?}"))
        })
    })
    .transpose()
}

fn agent_id(agent: &Value) -> ApiResult<String> {
    match agent {
        Value::String(id) if !id.is_empty() => Ok(id.clone()),
        Value::Object(object) => object
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .map(str::to_string)
            .ok_or_else(|| ApiError::invalid("agent.id must be a string")),
        _ => Err(ApiError::invalid(
            "agent must be an agent id or {\"type\": \"agent\", \"id\": …}",
        )),
    }
}

#[utoipa::path(post, path = "/v1/sessions", tag = "sessions", request_body = CreateSession,
    responses((status = 200, body = Session), (status = "4XX", body = ErrorEnvelope)))]
/// Create a session with up to 50 initial events; every string in them is secret-redacted before it
/// is stored (lucid).
pub async fn create_session(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<CreateSession>,
) -> ApiResult<Json<Session>> {
    let agent = agent_id(&body.agent)?;
    let events = body.initial_events.unwrap_or_default();
    if events.len() > MAX_INITIAL_EVENTS {
        return Err(ApiError::invalid(format!(
            "{} initial events given; the limit is {MAX_INITIAL_EVENTS}",
            events.len()
        )));
    }
    convert::check_events(&events).map_err(ApiError::invalid)?;
    crate::limits::check_events(&events, state.config().max_event_bytes, "initial_events")?;
    let metadata = body.metadata.unwrap_or_default();
    validate::metadata(&metadata).map_err(ApiError::invalid)?;
    let trust = parse_trust(body.trust.as_deref())?.unwrap_or_default();
    let users = parse_users(body.users.as_deref())?.unwrap_or(state.config().session_users);
    let new = NewSession {
        agent_id: Some(agent),
        environment_id: body.environment_id,
        title: body.title,
        metadata,
        resources: body.resources.unwrap_or_default(),
        source: None,
        events,
        trust,
        users,
    };
    let session = state
        .run(move |s| s.create_session(&caller.workspace_id, new))
        .await?;
    state.wake_scheduler();
    Ok(Json(session))
}

#[utoipa::path(get, path = "/v1/sessions", tag = "sessions",
    params(("agent_id" = Option<String>, Query), ("memory_store_id" = Option<String>, Query),
           ("include_archived" = Option<bool>, Query), ("statuses[]" = Option<Vec<String>>, Query),
           ("trust" = Option<Vec<String>>, Query, description = "lucid: only these trust levels (trust=untrusted,quarantined or trust[]=…)"),
           ("order" = Option<String>, Query, description = "desc (default, newest first) or asc"),
           ("created_at[gt]" = Option<String>, Query), ("created_at[gte]" = Option<String>, Query),
           ("created_at[lt]" = Option<String>, Query), ("created_at[lte]" = Option<String>, Query),
           ("limit" = Option<usize>, Query), ("page" = Option<String>, Query)),
    responses((status = 200, body = Page<Session>), (status = "4XX", body = ErrorEnvelope)))]
/// The workspace's sessions, newest first unless `order=asc`; archived ones only with
/// `include_archived=true`.
pub async fn list_sessions(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<Value>> {
    let filter = SessionFilter {
        agent_id: params.str("agent_id").map(str::to_string),
        memory_store_id: params.str("memory_store_id").map(str::to_string),
        include_archived: params.bool("include_archived")?.unwrap_or(false),
        created: params.time_range("created_at")?,
        statuses: params.list("statuses"),
        trust: params
            .list("trust")
            .iter()
            .map(|t| parse_trust(Some(t)).map(Option::unwrap_or_default))
            .collect::<ApiResult<Vec<SessionTrust>>>()?,
        order: params.order(Order::Desc)?,
    };
    let page = params.page()?;
    let sessions = state
        .run(move |s| s.list_sessions(&caller.workspace_id, &filter, &page))
        .await?;
    // The SDK pages sessions with a bidirectional cursor: `prev_page` is part of the shape.
    Ok(Json(json!({
        "data": sessions.data,
        "next_page": sessions.next_page,
        "prev_page": null,
    })))
}

#[utoipa::path(get, path = "/v1/sessions/{session_id}", tag = "sessions",
    params(("session_id" = String, Path)),
    responses((status = 200, body = Session), (status = "4XX", body = ErrorEnvelope)))]
/// One session, archived or not: an agent's log or a dream's narration.
pub async fn get_session(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult<Json<Session>> {
    let session = state
        .run(move |s| s.get_session(&caller.workspace_id, &id))
        .await?;
    Ok(Json(session))
}

#[utoipa::path(post, path = "/v1/sessions/{session_id}", tag = "sessions",
    params(("session_id" = String, Path)), request_body = UpdateSession,
    responses((status = 200, body = Session), (status = "4XX", body = ErrorEnvelope)))]
/// Change a session's title, metadata, trust or users.
pub async fn update_session(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
    Body(body): Body<UpdateSession>,
) -> ApiResult<Json<Session>> {
    let patch = SessionPatch {
        title: body.title,
        metadata: body.metadata,
        trust: parse_trust(body.trust.as_deref())?,
        users: parse_users(body.users.as_deref())?,
    };
    let session = state
        .run(move |s| s.update_session(&caller.workspace_id, &id, patch))
        .await?;
    Ok(Json(session))
}

#[utoipa::path(delete, path = "/v1/sessions/{session_id}", tag = "sessions",
    params(("session_id" = String, Path)),
    responses((status = 200, body = Deleted), (status = "4XX", body = ErrorEnvelope)))]
/// Delete a session with its events. Refused (400) for the narration of a dream that is still
/// pending or running.
pub async fn delete_session(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult<Json<Deleted>> {
    let target = id.clone();
    state
        .run(move |s| s.delete_session(&caller.workspace_id, &target))
        .await?;
    state.session_changed(&id);
    Ok(Json(Deleted {
        id,
        object: "session_deleted".into(),
    }))
}

#[utoipa::path(post, path = "/v1/sessions/{session_id}/archive", tag = "sessions",
    params(("session_id" = String, Path)),
    responses((status = 200, body = Session), (status = "4XX", body = ErrorEnvelope)))]
/// Archive a session, for good: it takes no more events. Archiving it again returns it unchanged.
pub async fn archive_session(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult<Json<Session>> {
    let session = state
        .run(move |s| s.archive_session(&caller.workspace_id, &id))
        .await?;
    state.session_changed(&session.id);
    Ok(Json(session))
}

#[utoipa::path(post, path = "/v1/sessions/{session_id}/events", tag = "sessions",
    params(("session_id" = String, Path)), request_body = SendEvents,
    responses((status = 200, body = SentEvents), (status = "4XX", body = ErrorEnvelope)))]
/// Append 1 to 1,000 events, in order. Refused for archived sessions and dream narrations; an event
/// id already in the session is a 409.
pub async fn send_events(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
    Body(body): Body<SendEvents>,
) -> ApiResult<Json<SentEvents>> {
    if body.events.is_empty() || body.events.len() > MAX_EVENTS_PER_REQUEST {
        return Err(ApiError::invalid(format!(
            "send 1 to {MAX_EVENTS_PER_REQUEST} events per request ({} given)",
            body.events.len()
        )));
    }
    convert::check_events(&body.events).map_err(ApiError::invalid)?;
    crate::limits::check_events(&body.events, state.config().max_event_bytes, "events")?;
    let events = body.events;
    let session = id.clone();
    let stored = state
        .run(move |s| s.append_events(&caller.workspace_id, &session, events))
        .await?;
    state.session_changed(&id);
    Ok(Json(SentEvents { data: stored }))
}

#[utoipa::path(get, path = "/v1/sessions/{session_id}/events", tag = "sessions",
    params(("session_id" = String, Path), ("types[]" = Option<Vec<String>>, Query),
           ("order" = Option<String>, Query, description = "asc (default) or desc"),
           ("created_at[gt]" = Option<String>, Query), ("created_at[gte]" = Option<String>, Query),
           ("created_at[lt]" = Option<String>, Query), ("created_at[lte]" = Option<String>, Query),
           ("limit" = Option<usize>, Query), ("page" = Option<String>, Query)),
    responses((status = 200, body = EventPage), (status = "4XX", body = ErrorEnvelope)))]
/// The session's events, oldest first unless `order=desc`.
pub async fn list_events(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
    params: Params,
) -> ApiResult<Json<EventPage>> {
    let filter = EventFilter {
        types: params.list("types"),
        created: params.time_range("created_at")?,
        order: params.order(Order::Asc)?,
    };
    let page = params.page()?;
    let events = state
        .run(move |s| s.list_events(&caller.workspace_id, &id, &filter, &page))
        .await?;
    Ok(Json(EventPage {
        data: events.data,
        next_page: events.next_page,
    }))
}

/// The session's resources (the SDK's `sessions.resources.list`), as the session reports them.
#[utoipa::path(get, path = "/v1/sessions/{session_id}/resources", tag = "sessions",
    params(("session_id" = String, Path), ("limit" = Option<usize>, Query),
           ("page" = Option<String>, Query)),
    responses((status = 200, body = Page<Object>), (status = "4XX", body = ErrorEnvelope)))]
pub async fn list_resources(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
    params: Params,
) -> ApiResult<Json<Page<Value>>> {
    let page = params.page()?;
    let session = state
        .run(move |s| s.get_session(&caller.workspace_id, &id))
        .await?;
    // A session has a handful of resources; the cursor is the index of the next one.
    let start = match page.page.as_deref() {
        None | Some("") => 0,
        Some(cursor) => lucid_storage::ids::decode_cursor(cursor)
            .and_then(|position| position.parse::<usize>().ok())
            .ok_or_else(|| {
                ApiError::invalid(format!(
                    "page {cursor:?} is not a cursor from a previous response's next_page"
                ))
            })?,
    };
    let end = (start + page.limit).min(session.resources.len());
    let data = session
        .resources
        .get(start..end)
        .unwrap_or_default()
        .to_vec();
    let next_page = (end < session.resources.len())
        .then(|| lucid_storage::ids::encode_cursor(&end.to_string()));
    Ok(Json(Page { data, next_page }))
}

/// The session's threads (the SDK's `sessions.threads.list`). lucid logs sessions rather than
/// running them, so a session has no threads: always an empty page.
#[utoipa::path(get, path = "/v1/sessions/{session_id}/threads", tag = "sessions",
    params(("session_id" = String, Path), ("limit" = Option<usize>, Query),
           ("page" = Option<String>, Query)),
    responses((status = 200, body = Page<Object>), (status = "4XX", body = ErrorEnvelope)))]
pub async fn list_threads(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
    params: Params,
) -> ApiResult<Json<Page<Value>>> {
    params.page()?;
    state
        .run(move |s| s.get_session(&caller.workspace_id, &id))
        .await?;
    Ok(Json(Page {
        data: Vec::new(),
        next_page: None,
    }))
}

/// How many events one storage read hands the stream.
const STREAM_BATCH: usize = 200;

struct StreamState {
    app: AppState,
    workspace: String,
    session: String,
    after: i64,
    buffer: VecDeque<SessionEvent>,
    open: bool,
    /// Woken only by changes to this session; counts against the key's stream cap until the
    /// stream is dropped.
    ticket: crate::state::StreamTicket,
    shutdown: tokio::sync::watch::Receiver<bool>,
}

fn sse_event(event: &SessionEvent) -> Event {
    Event::default()
        .event(event.event_type.as_str())
        .id(event.id.as_str())
        .data(Value::Object(event.body.clone()).to_string())
}

/// Server-Sent Events: every event of the session from the start (or after `Last-Event-ID`, or
/// only new ones with `replay=false`), then new ones as they are appended. Each is
/// `event: <type>`, `id: <event id>`, `data: <event JSON>`; comments keep the connection alive.
/// A dream's narration stream ends when the dream ends; an archived session's when it is read.
/// A `Last-Event-ID` that is not an event of this session is a 400 (not a replay from the
/// start). One key holds at most `[server] max_streams_per_key` streams (429 beyond).
#[utoipa::path(get, path = "/v1/sessions/{session_id}/events/stream", tag = "sessions",
    params(("session_id" = String, Path),
           ("Last-Event-ID" = Option<String>, Header, description = "resume after this event"),
           ("after_id" = Option<String>, Query, description = "resume after this event (as Last-Event-ID)"),
           ("replay" = Option<bool>, Query, description = "false: skip the stored events, send only new ones")),
    responses((status = 200, description = "text/event-stream", content_type = "text/event-stream"),
              (status = "4XX", body = ErrorEnvelope)))]
pub async fn stream_events(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
    params: Params,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| params.str("after_id").map(str::to_string));
    let replay = params.bool("replay")?.unwrap_or(true);
    let workspace = caller.workspace_id.clone();
    let session = id.clone();
    // Checks the session exists (404 before the stream starts) and finds the resume point.
    let after = state
        .run(move |s| {
            s.get_session(&workspace, &session)?;
            if let Some(event_id) = resume {
                // An unknown id is the client's mistake (or another session's event): replaying
                // everything would hand it a stream it did not ask for.
                return s
                    .event_position(&workspace, &session, &event_id)?
                    .ok_or_else(|| {
                        lucid_storage::StorageError::Invalid(format!(
                            "Last-Event-ID {event_id:?} is not an event of session {session}; \
                             resume from an id this stream sent, or omit it to replay"
                        ))
                    });
            }
            if replay {
                return Ok(0);
            }
            let newest = s.list_events(
                &workspace,
                &session,
                &EventFilter {
                    order: Order::Desc,
                    ..EventFilter::default()
                },
                &lucid_storage::PageRequest::first(1),
            )?;
            Ok(newest.data.first().map_or(0, |event| event.seq))
        })
        .await?;
    let holder = caller.api_key_id.as_deref().unwrap_or("open").to_string();
    let ticket = state.open_stream(&holder, &id)?;
    let stream_state = StreamState {
        ticket,
        shutdown: state.subscribe_shutdown(),
        app: state,
        workspace: caller.workspace_id,
        session: id,
        after,
        buffer: VecDeque::new(),
        open: true,
    };
    let stream = futures_util::stream::unfold(stream_state, |mut st| async move {
        loop {
            if let Some(event) = st.buffer.pop_front() {
                st.after = event.seq;
                return Some((Ok(sse_event(&event)), st));
            }
            if !st.open || *st.shutdown.borrow() {
                return None;
            }
            // Mark the current change count as seen before reading, so an append that lands
            // after the read still wakes us.
            st.ticket.changes().borrow_and_update();
            st.app.count_stream_read();
            let (workspace, session, after) = (st.workspace.clone(), st.session.clone(), st.after);
            match st
                .app
                .run(move |s| s.events_after(&workspace, &session, after, STREAM_BATCH))
                .await
            {
                Ok((events, open)) => {
                    let got = !events.is_empty();
                    st.buffer.extend(events);
                    if got {
                        continue;
                    }
                    if !open {
                        return None;
                    }
                    // With exact wake-ups (this server's writes, and other nodes' when the
                    // backend pushes them) a stream needs no polling; the re-check catches
                    // writes nothing announced.
                    let recheck = st.app.stream_recheck();
                    // Nothing new: wait for a change to this session (or re-check: rarely on a database
                    // this server alone writes, often on a shared one).
                    tokio::select! {
                        _ = st.ticket.changes().changed() => {}
                        _ = st.shutdown.changed() => {}
                        _ = tokio::time::sleep(recheck) => {}
                    }
                }
                Err(error) => {
                    // The session was deleted (or the store failed): tell the client and stop.
                    st.open = false;
                    // Never an empty `data:` line: the envelope is two strings and a kind.
                    #[expect(clippy::expect_used, reason = "an error envelope always serialises")]
                    let body = serde_json::to_string(&error.envelope())
                        .expect("an error envelope (strings and a unit enum) always serialises");
                    return Some((Ok(Event::default().event("error").data(body)), st));
                }
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// Resolves the agent of an import: an id of this workspace, else a name (created if new).
fn import_agent(
    storage: &dyn lucid_storage::Storage,
    workspace: &str,
    agent: &str,
    store: Option<&str>,
) -> lucid_storage::Result<String> {
    if lucid_storage::ids::has_prefix(agent, lucid_storage::ids::prefix::AGENT)
        && let Ok(found) = storage.get_agent(workspace, agent)
    {
        return Ok(found.id);
    }
    if let Some(found) = storage.find_agent_by_name(workspace, agent)? {
        return Ok(found.id);
    }
    let created = storage.create_agent(
        workspace,
        lucid_storage::NewAgent {
            name: agent.to_string(),
            model: json!({"id": "unknown"}),
            description: Some("Created by a transcript import.".into()),
            memory_store_id: store.map(str::to_string),
            ..Default::default()
        },
    )?;
    Ok(created.id)
}

/// lucid: create a session from a transcript file in any format the engine reads (Claude Code
/// JSONL, Managed Agents events, Anthropic Messages, OpenAI Chat, OpenAI Responses / Codex,
/// Cline / Roo Code task histories, SWE-agent trajectories, aider chat transcripts, OpenHands
/// trajectories, GitHub Copilot CLI session logs).
///
/// Send JSON (`ImportSession`), or the raw file as the body with `agent` (required),
/// `filename`, `format`, `memory_store_id`, `title` and `trust` as query parameters. Secrets in
/// the transcript are redacted before anything is stored.
#[utoipa::path(post, path = "/v1/sessions/import", tag = "sessions", request_body = ImportSession,
    params(("agent" = Option<String>, Query, description = "raw-body uploads: the agent id or name"),
           ("filename" = Option<String>, Query), ("format" = Option<String>, Query),
           ("memory_store_id" = Option<String>, Query), ("title" = Option<String>, Query),
           ("trust" = Option<String>, Query)),
    responses((status = 200, body = Session), (status = "4XX", body = ErrorEnvelope)))]
pub async fn import_session(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
    headers: HeaderMap,
    RawBody(bytes): RawBody,
) -> ApiResult<Json<Session>> {
    let is_json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let wrapped: Option<ImportSession> = if is_json {
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(object)) if object.contains_key("transcript") => Some(
                serde_json::from_value(Value::Object(object))
                    .map_err(|e| ApiError::invalid(format!("invalid request body: {e}")))?,
            ),
            _ => None,
        }
    } else {
        None
    };
    let request = match wrapped {
        Some(request) => request,
        None => ImportSession {
            agent: params
                .str("agent")
                .ok_or_else(|| {
                    ApiError::invalid(
                        "name the agent: send JSON with \"agent\" and \"transcript\", or the raw \
                         file with ?agent=NAME",
                    )
                })?
                .to_string(),
            transcript: String::from_utf8(bytes.to_vec())
                .map_err(|_| ApiError::invalid("the transcript is not UTF-8 text"))?,
            filename: params.str("filename").map(str::to_string),
            format: params.str("format").map(str::to_string),
            memory_store_id: params.str("memory_store_id").map(str::to_string),
            title: params.str("title").map(str::to_string),
            metadata: None,
            trust: params.str("trust").map(str::to_string),
            users: params.str("users").map(str::to_string),
        },
    };
    validate::name("agent", &request.agent).map_err(ApiError::invalid)?;
    let trust = parse_trust(request.trust.as_deref())?.unwrap_or_default();
    let users = parse_users(request.users.as_deref())?.unwrap_or(SessionUsers::Team);
    let metadata = request.metadata.unwrap_or_default();
    validate::metadata(&metadata).map_err(ApiError::invalid)?;
    let filename = request
        .filename
        .clone()
        .unwrap_or_else(|| "upload.jsonl".to_string());
    let source = lucid_import::Source {
        path: &filename,
        folder_name: Some(&request.agent),
        folder_above: None,
        modified: None,
    };
    let imported = match request.format.as_deref() {
        None => lucid_import::import_session(request.transcript.as_bytes(), &source),
        Some(name) => {
            let format = convert::parse_format(name).ok_or_else(|| {
                ApiError::invalid(format!(
                    "unknown format {name:?}; use claude_code, managed_agents, \
                     anthropic_messages, openai_chat, openai_responses, cline, swe_agent, \
                     aider, openhands, copilot_cli, opencode, gemini_cli, specstory, \
                     antigravity or openclaw"
                ))
            })?;
            lucid_import::import_session_as(format, request.transcript.as_bytes(), &source)
        }
    }
    .map_err(|error| ApiError::invalid(format!("cannot import {filename}: {error}")))?;
    let events = convert::session_to_events(&imported);
    crate::limits::check_events(
        &events,
        state.config().max_event_bytes,
        "the transcript's events",
    )?;
    let title = request.title.or_else(|| Some(imported.id.clone()));
    let mut source_info = json!({
        "format": imported.format.as_str(),
        "filename": filename,
        "session_id": imported.id,
        "agent": imported.agent,
    });
    // Kept with the source: the stored events are Managed Agents events, which have no place
    // for it, and a dream reads it back (see `convert::stored_to_session`).
    if let Some(dir) = &imported.started_in {
        source_info["started_in"] = json!(dir);
    }
    if let Some(parent) = &imported.part_of {
        source_info["part_of"] = json!(parent);
    }
    let store = request.memory_store_id.clone();
    let agent = request.agent.clone();
    let session = state
        .run(move |s| {
            let workspace = caller.workspace_id.as_str();
            if let Some(store) = &store {
                s.get_store(workspace, store)?;
            }
            let agent_id = import_agent(s, workspace, &agent, store.as_deref())?;
            s.create_session(
                workspace,
                NewSession {
                    agent_id: Some(agent_id),
                    environment_id: None,
                    title,
                    metadata,
                    resources: store
                        .map(|id| json!({"type": "memory_store", "memory_store_id": id}))
                        .into_iter()
                        .collect(),
                    source: Some(source_info),
                    events,
                    trust,
                    users,
                },
            )
        })
        .await?;
    state.wake_scheduler();
    Ok(Json(session))
}
