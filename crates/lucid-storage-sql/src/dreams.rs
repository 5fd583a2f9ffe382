//! Dreams: the job lifecycle, the worker's transactions, review and promotion.
//!
//! Every state change is one transaction that first re-reads the status, so a cancel racing a
//! completion is decided by whichever commits first, and the loser changes nothing.

use crate::params;
use crate::seam::{Row, Transaction};
use lucid_storage::{
    Actor, Dream, DreamCompletion, DreamErrorObject, DreamFilter, DreamInput, DreamOutput,
    DreamSession, DreamStatus, DreamType, DreamUsage, NewDream, NewEvent, NewSession, ObjectKind,
    OutputBehavior, Page, PageRequest, Promotion, Result, ReviewedPromotion, SessionKind,
    StartedDream, StorageError, ids, validate,
};
use serde_json::{Map, Value, json};

use crate::query::{self as db, Query, to_json};
use crate::{agents, sessions, stores};

const COLUMNS: &str = "seq, id, status, store_id, session_ids, model, instructions, \
                       output_behavior, output_store_id, session_id, schedule_id, error, usage, \
                       curator, created_at, started_at, ended_at, archived_at, workspace_id, \
                       trusted_only, flag_count,
                       (SELECT review FROM dream_reviews r WHERE r.dream_id = dreams.id
                         ORDER BY r.seq DESC LIMIT 1)";

/// A dream row and its workspace.
struct Row2 {
    seq: i64,
    dream: Dream,
    workspace_id: String,
}

fn row_to_dream(row: &Row) -> Result<Row2> {
    let status: String = row.get(2)?;
    let store_id: String = row.get(3)?;
    let session_ids: Vec<String> = row.json(4)?;
    let output: Option<String> = row.get(8)?;
    Ok(Row2 {
        seq: row.get(0)?,
        workspace_id: row.get(18)?,
        dream: Dream {
            object: DreamType::Value,
            id: row.get(1)?,
            status: DreamStatus::parse(&status).unwrap_or(DreamStatus::Failed),
            inputs: vec![
                DreamInput::MemoryStore {
                    memory_store_id: store_id,
                },
                DreamInput::Sessions {
                    session_ids,
                    trusted_only: row.get(19)?,
                },
            ],
            outputs: output
                .map(|memory_store_id| DreamOutput::MemoryStore { memory_store_id })
                .into_iter()
                .collect(),
            model: row.json(5)?,
            instructions: row.get(6)?,
            output_behavior: row.json(7)?,
            session_id: row.get(9)?,
            schedule_id: row.get(10)?,
            error: row.json_opt(11)?,
            usage: row.json(12)?,
            curator: row.get(13)?,
            created_at: row.get(14)?,
            started_at: row.get(15)?,
            ended_at: row.get(16)?,
            archived_at: row.get(17)?,
            flag_count: row.get::<Option<i64>>(20)?.map(|n| n.max(0) as u64),
            review: row.json_opt(21)?,
        },
    })
}

fn find(conn: &dyn Transaction, id: &str) -> Result<Option<Row2>> {
    conn.optional(
        &format!("SELECT {COLUMNS} FROM dreams WHERE id = ?1"),
        params![id],
        row_to_dream,
    )
}

fn find_any(conn: &dyn Transaction, id: &str) -> Result<Row2> {
    find(conn, id)?.ok_or_else(|| StorageError::not_found(ObjectKind::Dream, id))
}

/// The dream if it belongs to `ws`; `NotFound` otherwise.
pub fn get(conn: &dyn Transaction, ws: &str, id: &str) -> Result<Dream> {
    match find(conn, id)? {
        Some(row) if row.workspace_id == ws => Ok(row.dream),
        _ => Err(StorageError::not_found(ObjectKind::Dream, id)),
    }
}

/// Inserts a pending dream after checking its inputs (shared with schedules).
pub fn insert(conn: &dyn Transaction, ws: &str, new: NewDream) -> Result<Dream> {
    let session_ids = validate::dream_sessions(&new.session_ids)?;
    if let Some(text) = &new.instructions {
        validate::instructions(text)?;
    }
    let store = stores::get_store(conn, ws, &new.memory_store_id)?;
    if store.archived_at.is_some() {
        return Err(StorageError::Invalid(format!(
            "memory store {} is archived; dream over a store that is not",
            store.id
        )));
    }
    for id in &session_ids {
        let session = sessions::get(conn, ws, id)?;
        if session.kind == SessionKind::Dream {
            return Err(StorageError::Invalid(format!(
                "session {id} is a dream's narration, not an agent session"
            )));
        }
    }
    if let OutputBehavior::UpdateExisting { memory_store_id } = &new.output_behavior {
        if memory_store_id != &store.id {
            return Err(StorageError::Invalid(format!(
                "output_behavior.memory_store_id must be the input store {}",
                store.id
            )));
        }
        if !store.auto_apply {
            return Err(StorageError::Invalid(format!(
                "memory store {} has no auto-apply policy; set \"auto_apply\": true on it to let \
                 dreams update it in place, or use the default create_new",
                store.id
            )));
        }
        let busy: Option<String> = conn.optional(
            "SELECT id FROM dreams WHERE store_id = ?1 AND status IN ('pending', 'running')
                   AND output_behavior LIKE '%update_existing%' LIMIT 1",
            params![&store.id],
            |row| row.get(0),
        )?;
        if let Some(other) = busy {
            return Err(StorageError::Conflict(format!(
                "dream {other} is already updating memory store {}; wait for it to stop",
                store.id
            )));
        }
    }
    let id = ids::new_id(ids::prefix::DREAM);
    conn.execute(
        "INSERT INTO dreams (id, workspace_id, status, store_id, session_ids, model, instructions,
                             output_behavior, schedule_id, usage, created_at, trusted_only)
         VALUES (?1, ?2, 'pending', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            id,
            ws,
            store.id,
            to_json(&session_ids),
            to_json(&new.model),
            new.instructions,
            to_json(&new.output_behavior),
            new.schedule_id,
            to_json(&DreamUsage::default()),
            ids::now(),
            new.trusted_only
        ],
    )?;
    get(conn, ws, &id)
}

/// The same as [`insert`]: checks the inputs and queues the dream as `pending`.
pub fn create(conn: &dyn Transaction, ws: &str, new: NewDream) -> Result<Dream> {
    insert(conn, ws, new)
}

/// A page of the workspace's dreams, newest first; the cursor is the sequence number.
pub fn list(
    conn: &dyn Transaction,
    ws: &str,
    filter: &DreamFilter,
    page: &PageRequest,
) -> Result<Page<Dream>> {
    let limit = db::limit(page);
    let mut query = Query::new(&format!(
        "SELECT {COLUMNS} FROM dreams WHERE workspace_id = ?"
    ));
    query.params.push(ws.to_string().into());
    if !filter.include_archived {
        query.and_raw("archived_at IS NULL");
    }
    let statuses: Vec<String> = filter
        .statuses
        .iter()
        .map(|s| s.as_str().to_string())
        .collect();
    query.and_in("status", &statuses);
    query.time_range("created_at", &filter.created);
    if let Some(before) = db::cursor_seq(page)? {
        query.and("seq < ?", before);
    }
    query.tail(&format!("ORDER BY seq DESC LIMIT {}", limit + 1));
    let rows = query.fetch(conn, row_to_dream)?;
    Ok(db::paged(
        rows.into_iter().map(|r| (r.seq, r.dream)).collect(),
        limit,
    ))
}

fn text_event(kind: &str, text: &str) -> NewEvent {
    let mut event = Map::new();
    event.insert("type".into(), json!(kind));
    event.insert("content".into(), json!([{"type": "text", "text": text}]));
    event
}

fn terminated_event() -> NewEvent {
    let mut event = Map::new();
    event.insert("type".into(), json!("session.status_terminated"));
    event
}

/// Ends the narration: final events, and the session marked terminated (streams close).
fn end_narration(conn: &dyn Transaction, dream: &Dream, mut events: Vec<NewEvent>) -> Result<()> {
    let Some(session_id) = &dream.session_id else {
        return Ok(());
    };
    events.push(terminated_event());
    sessions::append(conn, session_id, events)?;
    conn.execute(
        "UPDATE sessions SET status = 'terminated', updated_at = ?2 WHERE id = ?1",
        params![session_id, ids::now()],
    )?;
    Ok(())
}

/// Archives a dream's output store unless it is the input store (update_existing).
fn archive_output(conn: &dyn Transaction, dream: &Dream) -> Result<()> {
    if let (Some(output), OutputBehavior::CreateNew) =
        (dream.output_store_id(), &dream.output_behavior)
    {
        stores::archive_store_unchecked(conn, output)?;
    }
    Ok(())
}

/// pending or running → canceled, archiving a new output store and ending the narration;
/// a canceled dream is returned unchanged, a completed or failed one is `Invalid`.
pub fn cancel(conn: &dyn Transaction, ws: &str, id: &str) -> Result<Dream> {
    let dream = get(conn, ws, id)?;
    match dream.status {
        DreamStatus::Canceled => Ok(dream),
        DreamStatus::Completed | DreamStatus::Failed => Err(StorageError::Invalid(format!(
            "dream {id} is {}; only pending or running dreams can be canceled",
            dream.status.as_str()
        ))),
        DreamStatus::Pending | DreamStatus::Running => {
            conn.execute(
                "UPDATE dreams SET status = 'canceled', ended_at = ?2 WHERE id = ?1",
                params![id, ids::now()],
            )?;
            archive_output(conn, &dream)?;
            end_narration(
                conn,
                &dream,
                vec![text_event("agent.message", "Dream canceled.")],
            )?;
            get(conn, ws, id)
        }
    }
}

/// Sets `archived_at` on an ended dream once; a pending or running one is `Invalid`.
pub fn archive(conn: &dyn Transaction, ws: &str, id: &str) -> Result<Dream> {
    let dream = get(conn, ws, id)?;
    if !dream.status.is_final() {
        return Err(StorageError::Invalid(format!(
            "dream {id} is {}; cancel it before archiving",
            dream.status.as_str()
        )));
    }
    if dream.archived_at.is_none() {
        conn.execute(
            "UPDATE dreams SET archived_at = ?2 WHERE id = ?1",
            params![id, ids::now()],
        )?;
    }
    get(conn, ws, id)
}

/// The stored `diff` when `column` is `"diff"`, else the `report`; `None` before the dream
/// completed.
pub fn result_column(
    conn: &dyn Transaction,
    ws: &str,
    id: &str,
    column: &str,
) -> Result<Option<Value>> {
    get(conn, ws, id)?;
    let column = if column == "diff" { "diff" } else { "report" };
    let text: Option<String> = conn.optional(
        &format!("SELECT {column} FROM dream_results WHERE dream_id = ?1"),
        params![id],
        |row| row.get(0),
    )?;
    text.map(|t| serde_json::from_str(&t))
        .transpose()
        .map_err(|e| StorageError::Backend(format!("corrupt dream result of {id}: {e}")))
}

/// Why a completed dream with flags needs an acknowledgement (the 409 of promotion).
pub fn flags_need_review(id: &str, flags: u64) -> String {
    format!(
        "dream {id} has {flags} flagged change(s) (refused secrets, instruction-like text or \
         untrusted memory writes). {}",
        promote_hint(id)
    )
}

/// How to promote a flagged dream after review, for the API and the CLI.
pub fn promote_hint(id: &str) -> String {
    format!(
        "Review them (GET /v1/dreams/{id}/diff, or `lucid dreams diff {id}`), then promote with \
         \"accept_flags\": true (CLI: `lucid dreams promote {id} --agent … --accept-flags`)"
    )
}

/// The input documents a dream kept when it started.
pub fn input_documents(
    conn: &dyn Transaction,
    ws: &str,
    id: &str,
) -> Result<Option<Vec<(String, String)>>> {
    get(conn, ws, id)?;
    let text: Option<String> = conn.one(
        "SELECT input_documents FROM dreams WHERE id = ?1",
        params![id],
        |row| row.get(0),
    )?;
    text.map(|t| serde_json::from_str(&t))
        .transpose()
        .map_err(|e| StorageError::Backend(format!("corrupt input documents of {id}: {e}")))
}

/// Promotes part of a dream: a new store from the input as read plus the accepted changes,
/// each change's documents a version by the reviewer; the review recorded on the dream.
pub fn promote_reviewed(
    conn: &dyn Transaction,
    ws: &str,
    id: &str,
    promotion: &ReviewedPromotion,
) -> Result<Promotion> {
    let (dream, output, chosen) =
        promotable(conn, ws, id, &promotion.agent_ids, promotion.accept_flags)?;
    let named_after = match dream.memory_store_id() {
        Some(input) => {
            stores::get_store(conn, ws, input).or_else(|_| stores::get_store(conn, ws, &output))?
        }
        None => stores::get_store(conn, ws, &output)?,
    };
    let reviewed = output_store(conn, ws, &named_after, id, &format!("dream {id}, reviewed"))?;
    let dream_actor = Actor::DreamActor {
        dream_id: id.to_string(),
    };
    for (path, content) in &promotion.base {
        stores::put_document(conn, &reviewed.id, path, Some(content), &dream_actor)?;
    }
    // Without a key (an open server) the accepted changes are still the dream's proposals.
    let reviewer = promotion.reviewer.clone().unwrap_or(dream_actor);
    for step in &promotion.steps {
        for (path, content) in &step.documents {
            stores::put_document(conn, &reviewed.id, path, content.as_deref(), &reviewer)?;
        }
    }
    let review = lucid_storage::DreamReview {
        reviewed_by: promotion.reviewer.clone(),
        reviewed_at: ids::now(),
        accepted: promotion.accepted.clone(),
        rejected: promotion.rejected.clone(),
        rejected_as_dependents: promotion.rejected_as_dependents.clone(),
        memory_store_id: reviewed.id.clone(),
        agent_ids: chosen.iter().map(|a| a.id.clone()).collect(),
    };
    conn.execute(
        "INSERT INTO dream_reviews (dream_id, review, created_at) VALUES (?1, ?2, ?3)",
        params![id, to_json(&review), review.reviewed_at],
    )?;
    let mut promoted = Vec::new();
    for agent in &chosen {
        agents::switch_store(conn, agent, &reviewed.id, Some(id), "promote_reviewed")?;
        promoted.push(agents::get(conn, ws, &agent.id)?);
    }
    Ok(Promotion {
        object: "dream_promotion".into(),
        dream_id: id.to_string(),
        memory_store_id: reviewed.id,
        agents: promoted,
        review: Some(review),
    })
}

/// Checks the promotion (status, flags, output store, agents), then switches each agent to
/// the dream's output store, logged as `promote`.
pub fn promote(
    conn: &dyn Transaction,
    ws: &str,
    id: &str,
    agent_ids: &[String],
    accept_flags: bool,
) -> Result<Promotion> {
    let (_, output, chosen) = promotable(conn, ws, id, agent_ids, accept_flags)?;
    let mut promoted = Vec::new();
    for agent in &chosen {
        agents::switch_store(conn, agent, &output, Some(id), "promote")?;
        promoted.push(agents::get(conn, ws, &agent.id)?);
    }
    Ok(Promotion {
        object: "dream_promotion".into(),
        dream_id: id.to_string(),
        memory_store_id: output,
        agents: promoted,
        review: None,
    })
}

/// The checks every promotion makes: the dream completed, its flags acknowledged, its output
/// store live, every agent listed once and not archived. Returns the dream, its output store
/// and the agents.
fn promotable(
    conn: &dyn Transaction,
    ws: &str,
    id: &str,
    agent_ids: &[String],
    accept_flags: bool,
) -> Result<(Dream, String, Vec<lucid_storage::Agent>)> {
    let dream = get(conn, ws, id)?;
    if dream.status != DreamStatus::Completed {
        return Err(StorageError::Invalid(format!(
            "dream {id} is {}; only completed dreams can be promoted",
            dream.status.as_str()
        )));
    }
    if let Some(flags) = dream.flag_count.filter(|n| *n > 0)
        && !accept_flags
    {
        return Err(StorageError::Conflict(flags_need_review(id, flags)));
    }
    let Some(output) = dream.output_store_id().map(str::to_string) else {
        return Err(StorageError::Invalid(format!(
            "dream {id} has no output store"
        )));
    };
    let store = stores::get_store(conn, ws, &output).map_err(|_| {
        StorageError::Conflict(format!("dream {id}'s output store {output} was deleted"))
    })?;
    if store.archived_at.is_some() {
        return Err(StorageError::Conflict(format!(
            "dream {id}'s output store {output} is archived (discarded); an agent never moves \
             to an archived store"
        )));
    }
    if agent_ids.is_empty() {
        return Err(StorageError::Invalid(
            "agent_ids must name at least one agent".into(),
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut chosen = Vec::new();
    for agent_id in agent_ids {
        if !seen.insert(agent_id.as_str()) {
            return Err(StorageError::Invalid(format!(
                "agent id {agent_id} is listed twice"
            )));
        }
        let agent = agents::get(conn, ws, agent_id)?;
        if agent.archived_at.is_some() {
            return Err(StorageError::Invalid(format!(
                "agent {agent_id} is archived"
            )));
        }
        chosen.push(agent);
    }
    Ok((dream, output, chosen))
}

/// Archives the separate output store of an ended dream; `Invalid` for an unfinished dream
/// or one that wrote into its input store, a `Conflict` while a live agent uses the output.
pub fn discard(conn: &dyn Transaction, ws: &str, id: &str) -> Result<Dream> {
    let dream = get(conn, ws, id)?;
    if !dream.status.is_final() {
        return Err(StorageError::Invalid(format!(
            "dream {id} is {}; cancel it instead",
            dream.status.as_str()
        )));
    }
    let Some(output) = dream.output_store_id() else {
        return Err(StorageError::Invalid(format!(
            "dream {id} has no output store"
        )));
    };
    if Some(output) == dream.memory_store_id() {
        return Err(StorageError::Invalid(format!(
            "dream {id} wrote into its input store; there is no separate output to discard"
        )));
    }
    let user: Option<String> = conn.optional(
        "SELECT id FROM agents WHERE memory_store_id = ?1 AND archived_at IS NULL LIMIT 1",
        params![output],
        |row| row.get(0),
    )?;
    if let Some(agent) = user {
        return Err(StorageError::Conflict(format!(
            "agent {agent} uses dream {id}'s output store {output}; roll it back first \
             (POST /v1/agents/{agent}/rollback, or `lucid agents rollback {agent}`)"
        )));
    }
    stores::archive_store_unchecked(conn, output)?;
    get(conn, ws, id)
}

/// A dream in any workspace, by id (for the worker's calls, which name no workspace).
pub fn by_id(conn: &dyn Transaction, id: &str) -> Result<Dream> {
    Ok(find_any(conn, id)?.dream)
}

/// Claims the oldest pending dream (a backend with leases claims its own way, see
/// `Backend::claim`).
pub fn claim(conn: &dyn Transaction) -> Result<Option<Dream>> {
    let next: Option<String> = conn.optional(
        "SELECT id FROM dreams WHERE status = 'pending' ORDER BY seq LIMIT 1",
        params![],
        |row| row.get(0),
    )?;
    let Some(id) = next else {
        return Ok(None);
    };
    conn.execute(
        "UPDATE dreams SET status = 'running', started_at = ?2
         WHERE id = ?1 AND status = 'pending'",
        params![id, ids::now()],
    )?;
    Ok(Some(find_any(conn, &id)?.dream))
}

fn dreamer_agent(dream: &Dream) -> Value {
    json!({
        "type": "agent",
        "id": "agent_lucid_dreamer",
        "name": "lucid-dreamer",
        "model": {"id": dream.model.id},
        "description": "lucid's dream curator",
        "system": null,
        "tools": [],
        "mcp_servers": [],
        "skills": [],
        "version": 1,
    })
}

/// A new store for a dream's output, named after its input store and the dream (`team (dream
/// drm_…)`), so the outputs of successive dreams of one store can be told apart in a list.
fn output_store(
    conn: &dyn Transaction,
    ws: &str,
    input: &lucid_storage::MemoryStore,
    dream_id: &str,
    label: &str,
) -> Result<lucid_storage::MemoryStore> {
    let name: String = format!("{} ({label})", input.name)
        .chars()
        .take(255)
        .collect();
    let mut metadata = lucid_storage::Metadata::new();
    metadata.insert("lucid_dream_id".into(), dream_id.to_string());
    metadata.insert("lucid_input_memory_store_id".into(), input.id.clone());
    stores::create_store(
        conn,
        ws,
        lucid_storage::NewStore {
            name,
            description: format!(
                "Written by dream {dream_id} from memory store {}.",
                input.id
            ),
            metadata,
            auto_apply: false,
        },
    )
}

/// Starts a claimed (`running`) dream: checks its inputs, creates its narration and, for
/// `create_new`, its output store as a clone of the input, and records both with the input
/// documents. A dream started before (its lease expired) keeps its narration and output.
pub fn start(conn: &dyn Transaction, dream_id: &str) -> Result<StartedDream> {
    let Row2 {
        dream,
        workspace_id: ws,
        ..
    } = find_any(conn, dream_id)?;
    if dream.status != DreamStatus::Running {
        return Err(StorageError::Invalid(format!(
            "dream {dream_id} is {}, not running",
            dream.status.as_str()
        )));
    }
    let store_id = dream.memory_store_id().unwrap_or_default().to_string();
    let store = stores::get_store(conn, &ws, &store_id)?;
    for session_id in dream.session_ids() {
        sessions::get(conn, &ws, session_id)?;
    }
    if let (Some(narration), Some(output)) = (dream.session_id.clone(), output_of(conn, dream_id)?)
    {
        return restart(conn, dream, ws, narration, output);
    }
    let narration = sessions::insert(
        conn,
        &ws,
        SessionKind::Dream,
        None,
        &dreamer_agent(&dream),
        NewSession {
            agent_id: None,
            environment_id: None,
            title: Some(format!("Dream {dream_id}")),
            metadata: Default::default(),
            resources: vec![
                json!({"type": "memory_store", "memory_store_id": store_id, "access": "read_only"}),
            ],
            source: None,
            events: vec![{
                let mut event = Map::new();
                event.insert("type".into(), json!("session.status_running"));
                event
            }],
            trust: lucid_storage::SessionTrust::Default,
            users: lucid_storage::SessionUsers::Team,
        },
        Some(dream_id),
        "running",
    )?;
    let actor = Actor::DreamActor {
        dream_id: dream_id.to_string(),
    };
    let (output_store_id, documents) = match &dream.output_behavior {
        OutputBehavior::CreateNew => {
            let output = output_store(conn, &ws, &store, dream_id, &format!("dream {dream_id}"))?;
            let documents = stores::clone_memories(conn, &store_id, &output.id, &actor)?;
            (output.id, documents)
        }
        OutputBehavior::UpdateExisting { .. } => {
            if store.archived_at.is_some() {
                return Err(StorageError::not_found(ObjectKind::MemoryStore, &store_id));
            }
            (store_id.clone(), stores::documents(conn, &store_id)?)
        }
    };
    // The input as read, for a promotion of part of the dream (built from exactly this).
    let input_documents: Vec<(&str, &str)> = documents
        .iter()
        .map(|d| (d.path.as_str(), d.content.as_str()))
        .collect();
    conn.execute(
        "UPDATE dreams SET session_id = ?2, output_store_id = ?3, input_documents = ?4
         WHERE id = ?1",
        params![
            dream_id,
            narration.id,
            output_store_id,
            to_json(&input_documents)
        ],
    )?;
    Ok(StartedDream {
        dream: find_any(conn, dream_id)?.dream,
        workspace_id: ws,
        documents,
        output_store_id,
        session_id: narration.id,
    })
}

/// The output store a started dream recorded.
fn output_of(conn: &dyn Transaction, dream_id: &str) -> Result<Option<String>> {
    conn.one(
        "SELECT output_store_id FROM dreams WHERE id = ?1",
        params![dream_id],
        |row| row.get(0),
    )
}

/// A re-run after a lease expired: the narration and output store of the first start are kept
/// (nothing was written to the output: a dream's result is written only by its completion, in
/// one transaction), and the dream reads what it read then — for `create_new`, the output store
/// still holds exactly the input as the first start cloned it.
fn restart(
    conn: &dyn Transaction,
    dream: Dream,
    ws: String,
    narration: String,
    output_store_id: String,
) -> Result<StartedDream> {
    let documents = stores::documents(conn, &output_store_id)?;
    let mut event = Map::new();
    event.insert("type".into(), json!("session.status_rescheduled"));
    sessions::append(conn, &narration, vec![event])?;
    Ok(StartedDream {
        dream,
        workspace_id: ws,
        documents,
        output_store_id,
        session_id: narration,
    })
}

/// The dream's input sessions with all their events, in the dream's order (sorted ids); a
/// deleted one is `NotFound`.
pub fn input_sessions(conn: &dyn Transaction, dream_id: &str) -> Result<Vec<DreamSession>> {
    let Row2 {
        dream,
        workspace_id: ws,
        ..
    } = find_any(conn, dream_id)?;
    let mut out = Vec::new();
    for session_id in dream.session_ids() {
        let session = sessions::get(conn, &ws, session_id)?;
        let agent_name = session
            .agent
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("default")
            .to_string();
        let events = sessions::all_events(conn, session_id)?;
        out.push(DreamSession {
            session,
            agent_name,
            events,
        });
    }
    Ok(out)
}

/// Appends narration events while the dream is running; afterwards they are dropped, not
/// refused.
pub fn narrate(conn: &dyn Transaction, dream_id: &str, events: Vec<NewEvent>) -> Result<()> {
    let row = find_any(conn, dream_id)?;
    if let Some(session_id) = &row.dream.session_id {
        // Narration stops once the dream has ended (a canceled dream's engine may still talk).
        if row.dream.status == DreamStatus::Running {
            sessions::append(conn, session_id, events)?;
        }
    }
    Ok(())
}

/// Writes a running dream's output, report and diff, marks it completed and, when its schedule
/// says so and the report has no flags, promotes it; `false`, with nothing written, when the
/// dream is no longer running.
pub fn complete(
    conn: &dyn Transaction,
    dream_id: &str,
    completion: DreamCompletion,
) -> Result<bool> {
    let Row2 {
        dream,
        workspace_id: ws,
        ..
    } = find_any(conn, dream_id)?;
    if dream.status != DreamStatus::Running {
        return Ok(false);
    }
    let Some(mut output) = dream.output_store_id().map(str::to_string) else {
        return Err(StorageError::Invalid(format!(
            "dream {dream_id} was never started"
        )));
    };
    let flags = completion.flag_count();
    let mut diff = completion.diff;
    let mut events = completion.events;
    // Applying in place is a promotion without review: with flags, the result is held in a
    // new store instead, and promoting it needs the same acknowledgement as any other draft.
    if flags > 0 && output == dream.memory_store_id().unwrap_or_default() {
        let input = stores::get_store(conn, &ws, &output)?;
        let held = output_store(
            conn,
            &ws,
            &input,
            dream_id,
            &format!("dream {dream_id}, held for review"),
        )?;
        conn.execute(
            "UPDATE dreams SET output_store_id = ?2 WHERE id = ?1",
            params![dream_id, held.id],
        )?;
        if let Value::Object(map) = &mut diff {
            map.insert("output_memory_store_id".into(), json!(held.id));
        }
        events.push(text_event(
            "agent.message",
            &format!(
                "Not applied to memory store {output}: the report has {flags} flagged \
                 change(s). The result is in memory store {} for review; promote it with \
                 \"accept_flags\": true.",
                held.id
            ),
        ));
        output = held.id;
    }
    let actor = Actor::DreamActor {
        dream_id: dream_id.to_string(),
    };
    stores::sync_memories(conn, &output, &completion.documents, &actor)?;
    conn.execute(
        "INSERT INTO dream_results (dream_id, report, diff) VALUES (?1, ?2, ?3)
         ON CONFLICT (dream_id) DO UPDATE SET report = excluded.report, diff = excluded.diff",
        params![dream_id, to_json(&completion.report), to_json(&diff)],
    )?;
    conn.execute(
        "UPDATE dreams SET status = 'completed', ended_at = ?2, usage = ?3, curator = ?4,
                           flag_count = ?5
         WHERE id = ?1",
        params![
            dream_id,
            ids::now(),
            to_json(&completion.usage),
            completion.curator,
            flags as i64
        ],
    )?;
    if let Some(schedule_id) = &dream.schedule_id
        && let Some(text) = auto_promote(conn, &ws, &dream, schedule_id, &output, flags)?
    {
        events.push(text_event("agent.message", &text));
    }
    let mut idle = Map::new();
    idle.insert("type".into(), json!("session.status_idle"));
    idle.insert("stop_reason".into(), json!({"type": "end_turn"}));
    events.push(idle);
    end_narration(conn, &dream, events)?;
    Ok(true)
}

/// Records how a scheduled dream's run ended on its schedule.
fn note_schedule_run(conn: &dyn Transaction, schedule_id: &str, note: &str) -> Result<()> {
    conn.execute(
        "UPDATE schedules SET last_run_note = ?2, updated_at = ?3 WHERE id = ?1",
        params![schedule_id, note, ids::now()],
    )?;
    Ok(())
}

/// Promotes a scheduled dream's output when its schedule says so and its report has no flags;
/// the schedule then follows the new store. Notes the outcome on the schedule and returns a
/// line for the narration.
fn auto_promote(
    conn: &dyn Transaction,
    ws: &str,
    dream: &Dream,
    schedule_id: &str,
    output: &str,
    flags: u64,
) -> Result<Option<String>> {
    let row: Option<(bool, String)> = conn.optional(
        "SELECT auto_promote, agent_ids FROM schedules WHERE id = ?1",
        params![schedule_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let Some((auto_promote, agent_ids)) = row else {
        return Ok(None);
    };
    if !auto_promote || output == dream.memory_store_id().unwrap_or_default() {
        note_schedule_run(
            conn,
            schedule_id,
            &format!(
                "dream {} completed; its output is memory store {output}",
                dream.id
            ),
        )?;
        return Ok(None);
    }
    if flags > 0 {
        let text = format!(
            "Not promoted automatically: {}",
            flags_need_review(&dream.id, flags)
        );
        note_schedule_run(conn, schedule_id, &text)?;
        return Ok(Some(text));
    }
    let listed: Vec<String> = serde_json::from_str(&agent_ids).unwrap_or_default();
    let input = dream.memory_store_id().unwrap_or_default();
    let agents_to_move: Vec<String> = if listed.is_empty() {
        conn.all(
            "SELECT id FROM agents WHERE workspace_id = ?1 AND memory_store_id = ?2
               AND archived_at IS NULL ORDER BY seq",
            params![ws, input],
            |row| row.get(0),
        )?
    } else {
        listed
    };
    let mut moved = Vec::new();
    for agent_id in &agents_to_move {
        if let Ok(agent) = agents::get(conn, ws, agent_id)
            && agent.archived_at.is_none()
        {
            agents::switch_store(conn, &agent, output, Some(&dream.id), "auto_promote")?;
            moved.push(agent.id);
        }
    }
    conn.execute(
        "UPDATE schedules SET store_id = ?2, updated_at = ?3 WHERE id = ?1",
        params![schedule_id, output, ids::now()],
    )?;
    let agents = if moved.is_empty() {
        "no agent".to_string()
    } else {
        moved.join(", ")
    };
    note_schedule_run(
        conn,
        schedule_id,
        &format!(
            "dream {} completed and was promoted to {agents}: memory store {output}",
            dream.id
        ),
    )?;
    Ok(Some(format!(
        "Promoted to {agents}: memory store {output} (schedule {schedule_id})."
    )))
}

/// Marks an unfinished dream `failed` with `error`, archives a new output store, notes the
/// failure on its schedule and ends the narration with a `session.error` event; `false` when
/// it had already ended.
pub fn fail(conn: &dyn Transaction, dream_id: &str, error: &DreamErrorObject) -> Result<bool> {
    let dream = find_any(conn, dream_id)?.dream;
    if dream.status.is_final() {
        return Ok(false);
    }
    conn.execute(
        "UPDATE dreams SET status = 'failed', ended_at = ?2, error = ?3 WHERE id = ?1",
        params![dream_id, ids::now(), to_json(error)],
    )?;
    archive_output(conn, &dream)?;
    if let Some(schedule_id) = &dream.schedule_id {
        note_schedule_run(
            conn,
            schedule_id,
            &format!(
                "dream {} failed ({}): {}",
                dream.id, error.kind, error.message
            ),
        )?;
    }
    let mut event = Map::new();
    event.insert("type".into(), json!("session.error"));
    // The Managed Agents shape of an error the session cannot recover from; lucid's own
    // error type (the dream's `error.type`) rides along as `lucid_type`.
    event.insert(
        "error".into(),
        json!({
            "type": "unknown_error",
            "message": error.message,
            "retry_status": {"type": "terminal"},
            "lucid_type": error.kind,
        }),
    );
    end_narration(conn, &dream, vec![event])?;
    Ok(true)
}

/// Fails every running dream with `internal_error` (after a crash) and returns their ids,
/// oldest first.
pub fn recover(conn: &dyn Transaction) -> Result<Vec<String>> {
    let running: Vec<String> = conn.all(
        "SELECT id FROM dreams WHERE status = 'running' ORDER BY seq",
        params![],
        |row| row.get(0),
    )?;
    let error = DreamErrorObject {
        kind: "internal_error".into(),
        message: "the server stopped while this dream was running; nothing was promoted. \
                  Create the dream again."
            .into(),
    };
    for id in &running {
        fail(conn, id, &error)?;
    }
    Ok(running)
}

/// The dream's status, whatever its workspace.
pub fn status(conn: &dyn Transaction, dream_id: &str) -> Result<DreamStatus> {
    Ok(find_any(conn, dream_id)?.dream.status)
}
