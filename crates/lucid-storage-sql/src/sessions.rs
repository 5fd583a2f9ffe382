//! Sessions and their events.

use crate::params;
use crate::seam::{Row, Transaction};
use lucid_storage::{
    EventFilter, NewEvent, NewSession, ObjectKind, Order, Page, PageRequest, Result, Session,
    SessionEvent, SessionFilter, SessionKind, SessionPatch, SessionType, SessionUsers,
    StorageError, ids, validate,
};
use serde_json::{Map, Value, json};

use crate::query::{self as db, Query, to_json};
use crate::{agents, stores};

/// A session's agent is the snapshot of the version it references (sessions made before
/// migration 5 without a recorded version keep their own copy).
const COLUMNS: &str = "seq, id, kind, COALESCE((SELECT snapshot FROM agent_versions av \
                       WHERE av.agent_id = sessions.agent_id \
                       AND av.version = sessions.agent_version), agent), \
                       environment_id, title, metadata, resources, status, \
                       source, dream_id, event_count, created_at, updated_at, archived_at, trust, \
                       users";

fn row_to_session(row: &Row) -> Result<(i64, Session)> {
    let kind: String = row.get(2)?;
    Ok((
        row.get(0)?,
        Session {
            object: SessionType::Value,
            id: row.get(1)?,
            kind: if kind == "dream" {
                SessionKind::Dream
            } else {
                SessionKind::Agent
            },
            agent: row.json(3)?,
            environment_id: row.get(4)?,
            title: row.get(5)?,
            metadata: row.json(6)?,
            resources: row.json(7)?,
            status: row.get(8)?,
            source: row.json_opt(9)?,
            dream_id: row.get(10)?,
            event_count: row.get::<i64>(11)?.max(0) as u64,
            created_at: row.get(12)?,
            updated_at: row.get(13)?,
            archived_at: row.get(14)?,
            trust: lucid_storage::parse_session_trust(&row.get::<String>(15)?).unwrap_or_default(),
            users: SessionUsers::parse(&row.get::<String>(16)?).unwrap_or(SessionUsers::Team),
            stats: json!({}),
            usage: json!({}),
            outcome_evaluations: Vec::new(),
            vault_ids: Vec::new(),
        },
    ))
}

/// The directory name of a store under `/mnt/memory/`: lowercased, runs of other characters as
/// one hyphen.
fn mount_name(name: &str) -> String {
    let mut out = String::new();
    let mut hyphen = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            hyphen = false;
        } else if !hyphen && !out.is_empty() {
            out.push('-');
            hyphen = true;
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() { "store".into() } else { out }
}

/// Checks memory-store resources against the workspace and fills in what the API reports.
fn resolve_resources(
    conn: &dyn Transaction,
    ws: &str,
    resources: Vec<Value>,
) -> Result<Vec<Value>> {
    let mut out = Vec::with_capacity(resources.len());
    for resource in resources {
        let Value::Object(mut object) = resource else {
            return Err(StorageError::Invalid(
                "each resource must be an object with a type".into(),
            ));
        };
        if object.get("type").and_then(Value::as_str) == Some("memory_store") {
            let Some(store_id) = object.get("memory_store_id").and_then(Value::as_str) else {
                return Err(StorageError::Invalid(
                    "a memory_store resource needs a memory_store_id".into(),
                ));
            };
            let store = stores::get_store(conn, ws, store_id)?;
            let access = object
                .get("access")
                .and_then(Value::as_str)
                .unwrap_or("read_write")
                .to_string();
            if access != "read_write" && access != "read_only" {
                return Err(StorageError::Invalid(format!(
                    "access must be read_write or read_only, not {access:?}"
                )));
            }
            object.insert("access".into(), Value::String(access));
            object
                .entry("mount_path")
                .or_insert_with(|| json!(format!("/mnt/memory/{}", mount_name(&store.name))));
            object.insert("name".into(), json!(store.name));
            object.insert("description".into(), json!(store.description));
            object.entry("instructions").or_insert(Value::Null);
        }
        out.push(Value::Object(object));
    }
    Ok(out)
}

fn store_ids(resources: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = resources
        .iter()
        .filter(|r| r.get("type").and_then(Value::as_str) == Some("memory_store"))
        .filter_map(|r| r.get("memory_store_id").and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Creates an agent session: its agent must be of `ws` and not archived, and the session
/// references the agent's current version.
pub fn create(conn: &dyn Transaction, ws: &str, new: NewSession) -> Result<Session> {
    let agent_id = new
        .agent_id
        .ok_or_else(|| StorageError::Invalid("a session needs an agent".into()))?;
    let agent = agents::get(conn, ws, &agent_id)?;
    if agent.archived_at.is_some() {
        return Err(StorageError::Invalid(format!(
            "agent {agent_id} is archived; it cannot start sessions"
        )));
    }
    agents::record_version(conn, &agent)?;
    insert(
        conn,
        ws,
        SessionKind::Agent,
        Some((&agent_id, agent.version)),
        &Value::Object(Map::new()),
        NewSession {
            agent_id: Some(agent_id.clone()),
            ..new
        },
        None,
        "idle",
    )
}

/// Inserts a session (of either kind) with its initial events. An agent session references
/// its agent's version (`agent` is then a placeholder); a dream's narration has no agent id and
/// keeps its own small `agent` object.
#[expect(
    clippy::too_many_arguments,
    reason = "each argument is a column or input of one call; a struct would only rename them"
)]
pub fn insert(
    conn: &dyn Transaction,
    ws: &str,
    kind: SessionKind,
    agent: Option<(&str, u64)>,
    agent_object: &Value,
    new: NewSession,
    dream_id: Option<&str>,
    status: &str,
) -> Result<Session> {
    validate::metadata(&new.metadata)?;
    if let Some(title) = &new.title {
        validate::text("title", title, validate::MAX_TITLE_CHARS)?;
    }
    let resources = resolve_resources(conn, ws, new.resources)?;
    let id = ids::new_id(ids::prefix::SESSION);
    let now = ids::now();
    conn.execute(
        "INSERT INTO sessions (id, workspace_id, kind, agent_id, agent, environment_id, title,
                               metadata, resources, status, source, dream_id, created_at,
                               updated_at, trust, agent_version, users)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14, ?15, ?16)",
        params![
            id,
            ws,
            match kind {
                SessionKind::Agent => "agent",
                SessionKind::Dream => "dream",
            },
            agent.map(|(id, _)| id),
            to_json(agent_object),
            new.environment_id,
            new.title,
            to_json(&new.metadata),
            to_json(&resources),
            status,
            new.source.as_ref().map(to_json),
            dream_id,
            now,
            lucid_storage::session_trust_str(new.trust),
            agent.map(|(_, version)| version as i64),
            new.users.as_str()
        ],
    )?;
    for store in store_ids(&resources) {
        conn.execute(
            "INSERT INTO session_stores (store_id, session_id) VALUES (?1, ?2)
             ON CONFLICT DO NOTHING",
            params![store, id],
        )?;
    }
    if !new.events.is_empty() {
        append(conn, &id, new.events)?;
    }
    get(conn, ws, &id)
}

/// The session if it belongs to `ws`, its `agent` as of the version it references;
/// `NotFound` otherwise.
pub fn get(conn: &dyn Transaction, ws: &str, id: &str) -> Result<Session> {
    conn.optional(
        &format!("SELECT {COLUMNS} FROM sessions WHERE id = ?1 AND workspace_id = ?2"),
        params![id, ws],
        row_to_session,
    )?
    .map(|(_, session)| session)
    .ok_or_else(|| StorageError::not_found(ObjectKind::Session, id))
}

/// A page of the workspace's sessions, filtered, in creation order or its reverse
/// (`filter.order`); the cursor is the sequence number.
pub fn list(
    conn: &dyn Transaction,
    ws: &str,
    filter: &SessionFilter,
    page: &PageRequest,
) -> Result<Page<Session>> {
    let limit = db::limit(page);
    let mut query = Query::new(&format!(
        "SELECT {COLUMNS} FROM sessions WHERE workspace_id = ?"
    ));
    query.params.push(ws.to_string().into());
    if !filter.include_archived {
        query.and_raw("archived_at IS NULL");
    }
    if let Some(agent) = &filter.agent_id {
        query.and("agent_id = ?", agent.clone());
    }
    if let Some(store) = &filter.memory_store_id {
        query.and(
            "id IN (SELECT session_id FROM session_stores WHERE store_id = ?)",
            store.clone(),
        );
    }
    query.and_in("status", &filter.statuses);
    let trust: Vec<String> = filter
        .trust
        .iter()
        .map(|t| lucid_storage::session_trust_str(*t).to_string())
        .collect();
    query.and_in("trust", &trust);
    query.time_range("created_at", &filter.created);
    let cursor = db::cursor_seq(page)?;
    match filter.order {
        Order::Asc => {
            if let Some(after) = cursor {
                query.and("seq > ?", after);
            }
            query.tail(&format!("ORDER BY seq ASC LIMIT {}", limit + 1));
        }
        Order::Desc => {
            if let Some(before) = cursor {
                query.and("seq < ?", before);
            }
            query.tail(&format!("ORDER BY seq DESC LIMIT {}", limit + 1));
        }
    }
    Ok(db::paged(query.fetch(conn, row_to_session)?, limit))
}

/// Applies title, metadata, trust and users changes: an archived session takes only trust
/// and users, a dream's narration neither (`Invalid`).
pub fn update(conn: &dyn Transaction, ws: &str, id: &str, patch: SessionPatch) -> Result<Session> {
    let mut session = get(conn, ws, id)?;
    // Trust can still change on an archived session: it may still be named as dream input, and
    // quarantining a poisoned one must always be possible.
    if session.archived_at.is_some() && (patch.title.is_some() || patch.metadata.is_some()) {
        return Err(StorageError::Invalid(format!(
            "session {id} is archived; archived sessions are read-only except for their trust"
        )));
    }
    if let Some(title) = patch.title {
        if let Some(title) = &title {
            validate::text("title", title, validate::MAX_TITLE_CHARS)?;
        }
        session.title = title;
    }
    if let Some(changes) = patch.metadata {
        stores::apply_metadata(&mut session.metadata, changes);
        validate::metadata(&session.metadata)?;
    }
    if let Some(users) = patch.users {
        if session.kind == SessionKind::Dream {
            return Err(StorageError::Invalid(format!(
                "session {id} narrates a dream; it has no users to set"
            )));
        }
        session.users = users;
    }
    if let Some(trust) = patch.trust {
        if session.kind == SessionKind::Dream {
            return Err(StorageError::Invalid(format!(
                "session {id} narrates a dream; it never feeds one, so it has no trust to set"
            )));
        }
        session.trust = trust;
    }
    conn.execute(
        "UPDATE sessions SET title = ?2, metadata = ?3, trust = ?4, updated_at = ?5, users = ?6
         WHERE id = ?1",
        params![
            id,
            session.title,
            to_json(&session.metadata),
            lucid_storage::session_trust_str(session.trust),
            ids::now(),
            session.users.as_str()
        ],
    )?;
    get(conn, ws, id)
}

/// Sets `archived_at` once; an archived session is returned unchanged.
pub fn archive(conn: &dyn Transaction, ws: &str, id: &str) -> Result<Session> {
    let session = get(conn, ws, id)?;
    if session.archived_at.is_none() {
        let now = ids::now();
        conn.execute(
            "UPDATE sessions SET archived_at = ?2, updated_at = ?2 WHERE id = ?1",
            params![id, now],
        )?;
    }
    get(conn, ws, id)
}

/// Deletes the session with its events and store links; `Invalid` for the narration of a
/// dream still pending or running.
pub fn delete(conn: &dyn Transaction, ws: &str, id: &str) -> Result<()> {
    let session = get(conn, ws, id)?;
    if session.kind == SessionKind::Dream {
        let running: Option<String> = conn.optional(
            "SELECT id FROM dreams WHERE session_id = ?1 AND status IN ('pending', 'running')",
            params![id],
            |row| row.get(0),
        )?;
        if let Some(dream) = running {
            return Err(StorageError::Invalid(format!(
                "session {id} narrates dream {dream}, which is still running"
            )));
        }
    }
    conn.execute(
        "DELETE FROM session_events WHERE session_id = ?1",
        params![id],
    )?;
    conn.execute(
        "DELETE FROM session_stores WHERE session_id = ?1",
        params![id],
    )?;
    conn.execute("DELETE FROM sessions WHERE id = ?1", params![id])?;
    Ok(())
}

/// Appends events to a session (no kind or archive checks: callers do them).
pub fn append(
    conn: &dyn Transaction,
    session_id: &str,
    events: Vec<NewEvent>,
) -> Result<Vec<SessionEvent>> {
    let mut stored = Vec::with_capacity(events.len());
    let now = ids::now();
    for (index, mut body) in events.into_iter().enumerate() {
        let event_type = match body.get("type") {
            Some(Value::String(t)) if !t.is_empty() => t.clone(),
            _ => {
                return Err(StorageError::Invalid(format!(
                    "event {index} needs a string \"type\" such as \"user.message\""
                )));
            }
        };
        let id = match body.get("id") {
            None | Some(Value::Null) => ids::new_id(ids::prefix::EVENT),
            Some(Value::String(id)) if !id.is_empty() && id.len() <= 128 => id.clone(),
            Some(_) => {
                return Err(StorageError::Invalid(format!(
                    "event {index}: \"id\" must be a string of 1 to 128 characters"
                )));
            }
        };
        let processed_at = body
            .get("processed_at")
            .and_then(Value::as_str)
            .and_then(ids::parse_time)
            .unwrap_or_else(|| now.clone());
        body.insert("id".into(), Value::String(id.clone()));
        body.insert("processed_at".into(), Value::String(processed_at.clone()));
        let text = to_json(&body);
        let inserted: Option<i64> = conn.optional(
            "INSERT INTO session_events (session_id, id, type, processed_at, body)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING RETURNING seq",
            params![session_id, id, event_type, processed_at, text],
            |row| row.get(0),
        )?;
        let Some(seq) = inserted else {
            return Err(StorageError::Conflict(format!(
                "session {session_id} already has an event with id {id}"
            )));
        };
        stored.push(SessionEvent {
            seq,
            id,
            event_type,
            processed_at,
            body,
        });
    }
    conn.execute(
        "UPDATE sessions SET event_count = event_count + ?2, updated_at = ?3 WHERE id = ?1",
        params![session_id, stored.len() as i64, now],
    )?;
    Ok(stored)
}

fn event_row(row: &Row) -> Result<(i64, SessionEvent)> {
    let body: Map<String, Value> = row.json(4)?;
    let seq: i64 = row.get(0)?;
    Ok((
        seq,
        SessionEvent {
            seq,
            id: row.get(1)?,
            event_type: row.get(2)?,
            processed_at: row.get(3)?,
            body,
        },
    ))
}

/// A page of the session's events, filtered by type and `processed_at`, in append order or
/// its reverse; the cursor is the sequence number.
pub fn list_events(
    conn: &dyn Transaction,
    ws: &str,
    session_id: &str,
    filter: &EventFilter,
    page: &PageRequest,
) -> Result<Page<SessionEvent>> {
    get(conn, ws, session_id)?;
    let limit = db::limit(page);
    let mut query = Query::new(
        "SELECT seq, id, type, processed_at, body FROM session_events WHERE session_id = ?",
    );
    query.params.push(session_id.to_string().into());
    query.and_in("type", &filter.types);
    query.time_range("processed_at", &filter.created);
    let cursor = db::cursor_seq(page)?;
    // Ordered by processed_at as the API says, with append order breaking ties; the cursor is
    // the sequence number, which works because events are appended in time order in practice
    // and the tie-break keeps pages disjoint either way.
    match filter.order {
        Order::Asc => {
            if let Some(after) = cursor {
                query.and("seq > ?", after);
            }
            query.tail(&format!("ORDER BY seq ASC LIMIT {}", limit + 1));
        }
        Order::Desc => {
            if let Some(before) = cursor {
                query.and("seq < ?", before);
            }
            query.tail(&format!("ORDER BY seq DESC LIMIT {}", limit + 1));
        }
    }
    Ok(db::paged(query.fetch(conn, event_row)?, limit))
}

/// All events of a session in append order.
pub fn all_events(conn: &dyn Transaction, session_id: &str) -> Result<Vec<SessionEvent>> {
    let query = {
        let mut q = Query::new(
            "SELECT seq, id, type, processed_at, body FROM session_events WHERE session_id = ?",
        );
        q.params.push(session_id.to_string().into());
        q.tail("ORDER BY seq");
        q
    };
    Ok(query
        .fetch(conn, event_row)?
        .into_iter()
        .map(|(_, e)| e)
        .collect())
}

/// Up to `limit` (at least one) events after position `after`, in append order, and whether
/// more may come: `false` once the session is archived or terminated.
pub fn events_after(
    conn: &dyn Transaction,
    ws: &str,
    session_id: &str,
    after: i64,
    limit: usize,
) -> Result<(Vec<SessionEvent>, bool)> {
    let session = get(conn, ws, session_id)?;
    let mut query = Query::new(
        "SELECT seq, id, type, processed_at, body FROM session_events WHERE session_id = ?",
    );
    query.params.push(session_id.to_string().into());
    query.and("seq > ?", after);
    query.tail(&format!("ORDER BY seq LIMIT {}", limit.max(1)));
    let events = query
        .fetch(conn, event_row)?
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    let open = session.archived_at.is_none() && session.status != "terminated";
    Ok((events, open))
}

/// The position (`seq`) of the event with this id, if the session has one; the caller checks
/// the session's workspace.
pub fn event_position(
    conn: &dyn Transaction,
    session_id: &str,
    event_id: &str,
) -> Result<Option<i64>> {
    conn.optional(
        "SELECT seq FROM session_events WHERE session_id = ?1 AND id = ?2",
        params![session_id, event_id],
        |row| row.get(0),
    )
}
