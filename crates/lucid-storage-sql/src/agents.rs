//! Agents, and the memory store each one uses (switched by promotion and rollback).

use crate::params;
use crate::seam::{Row, Transaction};
use lucid_storage::{
    Agent, AgentFilter, AgentPatch, AgentType, NewAgent, ObjectKind, Page, PageRequest, Result,
    StorageError, ids, validate,
};
use serde_json::{Value, json};

use crate::query::{self as db, Query, to_json};
use crate::stores;

const COLUMNS: &str = "seq, id, name, model, description, system, metadata, tools, mcp_servers, \
                       skills, extra, version, memory_store_id, previous_memory_store_id, \
                       created_at, updated_at, archived_at";

fn row_to_agent(row: &Row) -> Result<(i64, Agent)> {
    Ok((
        row.get(0)?,
        Agent {
            object: AgentType::Value,
            id: row.get(1)?,
            name: row.get(2)?,
            model: row.json(3)?,
            description: row.get(4)?,
            system: row.get(5)?,
            metadata: row.json(6)?,
            tools: row.json(7)?,
            mcp_servers: row.json(8)?,
            skills: row.json(9)?,
            extra: row.json(10)?,
            version: row.get::<i64>(11)?.max(0) as u64,
            memory_store_id: row.get(12)?,
            previous_memory_store_id: row.get(13)?,
            created_at: row.get(14)?,
            updated_at: row.get(15)?,
            archived_at: row.get(16)?,
        },
    ))
}

/// Checks the name, metadata, description (at most 2,048 characters) and store, then inserts
/// the agent at version 1 and records that version.
pub fn create(conn: &dyn Transaction, ws: &str, new: NewAgent) -> Result<Agent> {
    validate::name("name", &new.name)?;
    validate::metadata(&new.metadata)?;
    if let Some(description) = &new.description {
        validate::text("description", description, 2_048)?;
    }
    let id = ids::new_id(ids::prefix::AGENT);
    if let Some(store) = &new.memory_store_id {
        usable_store(conn, ws, &id, store)?;
    }
    let now = ids::now();
    conn.execute(
        "INSERT INTO agents (id, workspace_id, name, model, description, system, metadata, tools,
                             mcp_servers, skills, extra, version, memory_store_id, created_at,
                             updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 1, ?12, ?13, ?13)",
        params![
            id,
            ws,
            new.name,
            to_json(&new.model),
            new.description,
            new.system,
            to_json(&new.metadata),
            to_json(&new.tools),
            to_json(&new.mcp_servers),
            to_json(&new.skills),
            to_json(&new.extra),
            new.memory_store_id,
            now
        ],
    )?;
    let agent = get(conn, ws, &id)?;
    record_version(conn, &agent)?;
    Ok(agent)
}

/// Keeps the snapshot of the agent's current version (sessions reference it; the versions list
/// shows it). A version already recorded is left as it is.
pub fn record_version(conn: &dyn Transaction, agent: &Agent) -> Result<()> {
    conn.execute(
        "INSERT INTO agent_versions (agent_id, version, snapshot, created_at)
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        params![
            agent.id,
            agent.version as i64,
            to_json(&snapshot(agent)),
            agent.updated_at
        ],
    )?;
    Ok(())
}

/// The agent's versions, newest first, as sessions record them (plus when each was made).
pub fn list_versions(
    conn: &dyn Transaction,
    ws: &str,
    id: &str,
    page: &PageRequest,
) -> Result<Page<Value>> {
    get(conn, ws, id)?;
    let limit = db::limit(page);
    let mut query =
        Query::new("SELECT version, snapshot, created_at FROM agent_versions WHERE agent_id = ?");
    query.params.push(id.to_string().into());
    if let Some(before) = db::cursor_seq(page)? {
        query.and("version < ?", before);
    }
    query.tail(&format!("ORDER BY version DESC LIMIT {}", limit + 1));
    let rows = query.fetch(conn, |row| {
        let mut snapshot: Value = row.json(1)?;
        if let Value::Object(map) = &mut snapshot {
            map.insert("created_at".into(), Value::String(row.get(2)?));
        }
        Ok((row.get::<i64>(0)?, snapshot))
    })?;
    Ok(db::paged(rows, limit))
}

/// The agent if it belongs to `ws`, archived or not; `NotFound` otherwise.
pub fn get(conn: &dyn Transaction, ws: &str, id: &str) -> Result<Agent> {
    conn.optional(
        &format!("SELECT {COLUMNS} FROM agents WHERE id = ?1 AND workspace_id = ?2"),
        params![id, ws],
        row_to_agent,
    )?
    .map(|(_, agent)| agent)
    .ok_or_else(|| StorageError::not_found(ObjectKind::Agent, id))
}

/// The newest agent of `ws` with this name that is not archived.
pub fn find_by_name(conn: &dyn Transaction, ws: &str, name: &str) -> Result<Option<Agent>> {
    conn.optional(
        &format!(
            "SELECT {COLUMNS} FROM agents WHERE workspace_id = ?1 AND name = ?2
               AND archived_at IS NULL ORDER BY seq DESC LIMIT 1"
        ),
        params![ws, name],
        row_to_agent,
    )
    .map(|found| found.map(|(_, agent)| agent))
}

/// A page of the workspace's agents in creation order; the cursor is the sequence number.
pub fn list(
    conn: &dyn Transaction,
    ws: &str,
    filter: &AgentFilter,
    page: &PageRequest,
) -> Result<Page<Agent>> {
    let limit = db::limit(page);
    let mut query = Query::new(&format!(
        "SELECT {COLUMNS} FROM agents WHERE workspace_id = ?"
    ));
    query.params.push(ws.to_string().into());
    if !filter.include_archived {
        query.and_raw("archived_at IS NULL");
    }
    query.time_range("created_at", &filter.created);
    if let Some(after) = db::cursor_seq(page)? {
        query.and("seq > ?", after);
    }
    query.tail(&format!("ORDER BY seq LIMIT {}", limit + 1));
    Ok(db::paged(query.fetch(conn, row_to_agent)?, limit))
}

/// Applies the patch to an agent that is not archived (a `Conflict` when `expected_version`
/// is not its version), bumps its version and records the new one; a store change is logged
/// as `update`.
pub fn update(conn: &dyn Transaction, ws: &str, id: &str, patch: AgentPatch) -> Result<Agent> {
    let mut agent = get(conn, ws, id)?;
    if agent.archived_at.is_some() {
        return Err(StorageError::Invalid(format!(
            "agent {id} is archived; archived agents are read-only"
        )));
    }
    if let Some(expected) = patch.expected_version
        && expected != agent.version
    {
        return Err(StorageError::Conflict(format!(
            "agent {id} is at version {}, not {expected}",
            agent.version
        )));
    }
    if let Some(name) = patch.name {
        validate::name("name", &name)?;
        agent.name = name;
    }
    if let Some(model) = patch.model {
        agent.model = model;
    }
    if let Some(description) = patch.description {
        agent.description = description;
    }
    if let Some(system) = patch.system {
        agent.system = system;
    }
    if let Some(changes) = patch.metadata {
        stores::apply_metadata(&mut agent.metadata, changes);
        validate::metadata(&agent.metadata)?;
    }
    if let Some(tools) = patch.tools {
        agent.tools = tools;
    }
    if let Some(servers) = patch.mcp_servers {
        agent.mcp_servers = servers;
    }
    if let Some(skills) = patch.skills {
        agent.skills = skills;
    }
    if let Some(store) = patch.memory_store_id {
        if let Some(store) = &store
            && Some(store) != agent.memory_store_id.as_ref()
        {
            usable_store(conn, ws, id, store)?;
        }
        if store != agent.memory_store_id {
            record_change(
                conn,
                id,
                None,
                agent.memory_store_id.as_deref(),
                store.as_deref(),
                "update",
            )?;
        }
        agent.memory_store_id = store;
    }
    for (key, value) in patch.extra {
        if value.is_null() {
            agent.extra.remove(&key);
        } else {
            agent.extra.insert(key, value);
        }
    }
    conn.execute(
        "UPDATE agents SET name = ?2, model = ?3, description = ?4, system = ?5, metadata = ?6,
                           tools = ?7, mcp_servers = ?8, skills = ?9, extra = ?10,
                           version = version + 1, memory_store_id = ?11, updated_at = ?12
         WHERE id = ?1",
        params![
            id,
            agent.name,
            to_json(&agent.model),
            agent.description,
            agent.system,
            to_json(&agent.metadata),
            to_json(&agent.tools),
            to_json(&agent.mcp_servers),
            to_json(&agent.skills),
            to_json(&agent.extra),
            agent.memory_store_id,
            ids::now()
        ],
    )?;
    let agent = get(conn, ws, id)?;
    record_version(conn, &agent)?;
    Ok(agent)
}

/// Sets `archived_at` once; an archived agent is returned unchanged.
pub fn archive(conn: &dyn Transaction, ws: &str, id: &str) -> Result<Agent> {
    let agent = get(conn, ws, id)?;
    if agent.archived_at.is_none() {
        let now = ids::now();
        conn.execute(
            "UPDATE agents SET archived_at = ?2, updated_at = ?2 WHERE id = ?1",
            params![id, now],
        )?;
    }
    get(conn, ws, id)
}

/// Logs a switch of the agent's store in `agent_store_changes`: from, to, why (`promote`,
/// `rollback`, `update` …) and the dream behind it.
pub fn record_change(
    conn: &dyn Transaction,
    agent_id: &str,
    dream_id: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    reason: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO agent_store_changes (agent_id, dream_id, from_store, to_store, reason,
                                          created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![agent_id, dream_id, from, to, reason, ids::now()],
    )?;
    Ok(())
}

/// Points an agent at `store`, remembering the one it used.
pub fn switch_store(
    conn: &dyn Transaction,
    agent: &Agent,
    store: &str,
    dream_id: Option<&str>,
    reason: &str,
) -> Result<()> {
    if agent.memory_store_id.as_deref() == Some(store) {
        return Ok(());
    }
    record_change(
        conn,
        &agent.id,
        dream_id,
        agent.memory_store_id.as_deref(),
        Some(store),
        reason,
    )?;
    conn.execute(
        "UPDATE agents SET previous_memory_store_id = memory_store_id, memory_store_id = ?2,
                           has_previous = TRUE, updated_at = ?3
         WHERE id = ?1",
        params![agent.id, store, ids::now()],
    )?;
    Ok(())
}

/// Swaps the agent's current and previous stores, so a second rollback undoes the first;
/// `Invalid` without a previous store, a `Conflict` when it is archived or deleted.
pub fn rollback(conn: &dyn Transaction, ws: &str, id: &str) -> Result<Agent> {
    let agent = get(conn, ws, id)?;
    if agent.archived_at.is_some() {
        return Err(StorageError::Invalid(format!(
            "agent {id} is archived; archived agents are read-only"
        )));
    }
    let has_previous: bool = conn.one(
        "SELECT has_previous FROM agents WHERE id = ?1",
        params![id],
        |row| row.get(0),
    )?;
    if !has_previous {
        return Err(StorageError::Invalid(format!(
            "agent {id} has no previous memory store to roll back to"
        )));
    }
    let previous = agent.previous_memory_store_id.clone();
    if let Some(previous) = &previous {
        let store = stores::get_store(conn, ws, previous).map_err(|_| {
            StorageError::Conflict(format!(
                "agent {id}'s previous memory store {previous} no longer exists; it stays on \
                 its current store"
            ))
        })?;
        if store.archived_at.is_some() {
            return Err(StorageError::Conflict(format!(
                "agent {id}'s previous memory store {previous} is archived{}; an agent never \
                 goes back to an archived store, so it stays on its current one",
                match output_of(conn, previous)? {
                    Some(dream) => format!(" (the output of dream {dream}, discarded)"),
                    None => String::new(),
                }
            )));
        }
    }
    record_change(
        conn,
        id,
        None,
        agent.memory_store_id.as_deref(),
        previous.as_deref(),
        "rollback",
    )?;
    // Swap, so a second rollback undoes the first.
    conn.execute(
        "UPDATE agents SET memory_store_id = previous_memory_store_id,
                           previous_memory_store_id = memory_store_id, updated_at = ?2
         WHERE id = ?1",
        params![id, ids::now()],
    )?;
    get(conn, ws, id)
}

/// The dream whose separate output store this is, if any (an `update_existing` dream writes
/// into its input store, which is no dream's output in this sense).
pub fn output_of(conn: &dyn Transaction, store_id: &str) -> Result<Option<String>> {
    conn.optional(
        "SELECT id FROM dreams WHERE output_store_id = ?1 AND store_id != ?1
         ORDER BY seq DESC LIMIT 1",
        params![store_id],
        |row| row.get(0),
    )
}

/// Checks that `agent_id` may be pointed straight at `store_id` (create or update): the store
/// exists and is not archived, and it is not the output of a dream that has not finished or
/// whose flags nobody acknowledged — that store is reached through promotion, whose review
/// gate an update must not skip. Each refusal is a `Conflict` naming the reason.
pub fn usable_store(
    conn: &dyn Transaction,
    ws: &str,
    agent_id: &str,
    store_id: &str,
) -> Result<()> {
    let store = stores::get_store(conn, ws, store_id)?;
    if store.archived_at.is_some() {
        return Err(StorageError::Conflict(format!(
            "memory store {store_id} is archived; agent {agent_id} cannot use it"
        )));
    }
    let Some(dream_id) = output_of(conn, store_id)? else {
        return Ok(());
    };
    let (status, flags): (String, Option<i64>) = conn.one(
        "SELECT status, flag_count FROM dreams WHERE id = ?1",
        params![&dream_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    if status != "completed" {
        return Err(StorageError::Conflict(format!(
            "memory store {store_id} is the output of dream {dream_id}, which is {status}; \
             agent {agent_id} can use it once the dream completes, through \
             POST /v1/dreams/{dream_id}/promote"
        )));
    }
    if let Some(flags) = flags.filter(|n| *n > 0) {
        return Err(StorageError::Conflict(format!(
            "memory store {store_id} is the output of dream {dream_id}, which has {flags} \
             flagged change(s); pointing agent {agent_id} at it directly would skip their review. \
             {}",
            crate::dreams::promote_hint(&dream_id)
        )));
    }
    Ok(())
}

/// The agent as a session records it (`BetaManagedAgentsSessionAgent`).
pub fn snapshot(agent: &Agent) -> Value {
    let mut value = json!({
        "type": "agent",
        "id": agent.id,
        "name": agent.name,
        "model": agent.model,
        "description": agent.description,
        "system": agent.system,
        "tools": agent.tools,
        "mcp_servers": agent.mcp_servers,
        "skills": agent.skills,
        "version": agent.version,
    });
    if let Value::Object(map) = &mut value {
        for (key, extra) in &agent.extra {
            map.entry(key.clone()).or_insert_with(|| extra.clone());
        }
    }
    value
}
