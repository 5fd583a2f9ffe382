//! Memory stores, memories and memory versions.

use lucid_storage::{
    Actor, Document, Memory, MemoryFilter, MemoryListItem, MemoryPatch, MemoryPrefix,
    MemoryPrefixType, MemoryStore, MemoryStoreType, MemoryType, MemoryVersion, MemoryVersionType,
    Metadata, NewStore, Operation, Page, PageRequest, Result, StorageError, StoreFilter,
    StorePatch, VersionFilter, ids, validate,
};

use crate::db::{
    self, Connection, Db, OptionalExtension, Query, Row, SqlResult, json_col, to_json,
};

const STORE_COLUMNS: &str = "seq, id, name, description, metadata, auto_apply, created_at, \
                             updated_at, archived_at";

fn store_row(row: &Row<'_>) -> SqlResult<(i64, MemoryStore)> {
    Ok((
        row.get(0)?,
        MemoryStore {
            object: MemoryStoreType::Value,
            id: row.get(1)?,
            name: row.get(2)?,
            description: row.get(3)?,
            metadata: json_col(row, 4)?,
            auto_apply: row.get(5)?,
            created_at: row.get(6)?,
            updated_at: row.get(7)?,
            archived_at: row.get(8)?,
        },
    ))
}

fn invalid(message: String) -> StorageError {
    StorageError::Invalid(message)
}

pub(crate) fn create_store(conn: &Connection, ws: &str, new: NewStore) -> Result<MemoryStore> {
    validate::name("name", &new.name).map_err(invalid)?;
    validate::text(
        "description",
        &new.description,
        validate::MAX_DESCRIPTION_CHARS,
    )
    .map_err(invalid)?;
    validate::metadata(&new.metadata).map_err(invalid)?;
    let id = ids::new_id(ids::prefix::MEMORY_STORE);
    let now = ids::now();
    conn.execute(
        "INSERT INTO memory_stores (id, workspace_id, name, description, metadata, auto_apply,
                                    created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![
            id,
            ws,
            new.name,
            new.description,
            to_json(&new.metadata),
            new.auto_apply,
            now
        ],
    )
    .db()?;
    get_store(conn, ws, &id)
}

pub(crate) fn get_store(conn: &Connection, ws: &str, id: &str) -> Result<MemoryStore> {
    conn.query_row(
        &format!("SELECT {STORE_COLUMNS} FROM memory_stores WHERE id = ?1 AND workspace_id = ?2"),
        params![id, ws],
        store_row,
    )
    .optional()
    .db()?
    .map(|(_, store)| store)
    .ok_or_else(|| StorageError::not_found("memory_store", id))
}

/// The store, if it can be written (exists in the workspace and is not archived).
pub(crate) fn writable_store(conn: &Connection, ws: &str, id: &str) -> Result<MemoryStore> {
    let store = get_store(conn, ws, id)?;
    if store.archived_at.is_some() {
        return Err(StorageError::Invalid(format!(
            "memory store {id} is archived; archived stores are read-only"
        )));
    }
    Ok(store)
}

pub(crate) fn list_stores(
    conn: &Connection,
    ws: &str,
    filter: &StoreFilter,
    page: &PageRequest,
) -> Result<Page<MemoryStore>> {
    let limit = db::limit(page);
    let mut query = Query::new(&format!(
        "SELECT {STORE_COLUMNS} FROM memory_stores WHERE workspace_id = ?"
    ));
    query.params.push(Box::new(ws.to_string()));
    if !filter.include_archived {
        query.and_raw("archived_at IS NULL");
    }
    query.time_range("created_at", &filter.created);
    if let Some(after) = db::cursor_seq(page)? {
        query.and("seq > ?", after);
    }
    query.tail(&format!("ORDER BY seq LIMIT {}", limit + 1));
    Ok(db::paged(query.fetch(conn, store_row)?, limit))
}

pub(crate) fn update_store(
    conn: &Connection,
    ws: &str,
    id: &str,
    patch: StorePatch,
) -> Result<MemoryStore> {
    let mut store = writable_store(conn, ws, id)?;
    if let Some(name) = patch.name {
        validate::name("name", &name).map_err(invalid)?;
        store.name = name;
    }
    if let Some(description) = patch.description {
        validate::text("description", &description, validate::MAX_DESCRIPTION_CHARS)
            .map_err(invalid)?;
        store.description = description;
    }
    if let Some(changes) = patch.metadata {
        apply_metadata(&mut store.metadata, changes);
        validate::metadata(&store.metadata).map_err(invalid)?;
    }
    if let Some(auto_apply) = patch.auto_apply {
        store.auto_apply = auto_apply;
    }
    conn.execute(
        "UPDATE memory_stores SET name = ?2, description = ?3, metadata = ?4, auto_apply = ?5,
                                  updated_at = ?6
         WHERE id = ?1",
        params![
            id,
            store.name,
            store.description,
            to_json(&store.metadata),
            store.auto_apply,
            ids::now()
        ],
    )
    .db()?;
    get_store(conn, ws, id)
}

/// Applies a metadata patch: a value sets the key, `None` removes it.
pub(crate) fn apply_metadata(
    metadata: &mut Metadata,
    changes: std::collections::BTreeMap<String, Option<String>>,
) {
    for (key, value) in changes {
        match value {
            Some(value) => {
                metadata.insert(key, value);
            }
            None => {
                metadata.remove(&key);
            }
        }
    }
}

pub(crate) fn archive_store(conn: &Connection, ws: &str, id: &str) -> Result<MemoryStore> {
    let store = get_store(conn, ws, id)?;
    if store.archived_at.is_none() {
        // An agent never ends up on an archived store.
        let user: Option<String> = conn
            .query_row(
                "SELECT id FROM agents WHERE memory_store_id = ?1 AND archived_at IS NULL
                 ORDER BY seq LIMIT 1",
                [id],
                |row| row.get(0),
            )
            .optional()
            .db()?;
        if let Some(agent) = user {
            return Err(StorageError::Conflict(format!(
                "agent {agent} uses memory store {id}; point it at another store (or roll it \
                 back) before archiving this one"
            )));
        }
        archive_store_unchecked(conn, id)?;
    }
    get_store(conn, ws, id)
}

pub(crate) fn archive_store_unchecked(conn: &Connection, id: &str) -> Result<()> {
    let now = ids::now();
    conn.execute(
        "UPDATE memory_stores SET archived_at = ?2, updated_at = ?2
         WHERE id = ?1 AND archived_at IS NULL",
        params![id, now],
    )
    .db()?;
    Ok(())
}

pub(crate) fn delete_store(conn: &Connection, ws: &str, id: &str) -> Result<()> {
    get_store(conn, ws, id)?;
    let active: Option<String> = conn
        .query_row(
            "SELECT id FROM dreams WHERE (store_id = ?1 OR output_store_id = ?1)
                AND status IN ('pending', 'running') LIMIT 1",
            [id],
            |row| row.get(0),
        )
        .optional()
        .db()?;
    if let Some(dream) = active {
        return Err(StorageError::Invalid(format!(
            "memory store {id} is used by dream {dream}, which has not finished; cancel it first"
        )));
    }
    let agent: Option<String> = conn
        .query_row(
            "SELECT id FROM agents WHERE memory_store_id = ?1 AND archived_at IS NULL LIMIT 1",
            [id],
            |row| row.get(0),
        )
        .optional()
        .db()?;
    if let Some(agent) = agent {
        return Err(StorageError::Invalid(format!(
            "agent {agent} uses memory store {id}; switch it to another store first"
        )));
    }
    crate::search::unindex_store(conn, id)?;
    conn.execute("DELETE FROM memories WHERE store_id = ?1", [id])
        .db()?;
    conn.execute("DELETE FROM memory_versions WHERE store_id = ?1", [id])
        .db()?;
    conn.execute("DELETE FROM session_stores WHERE store_id = ?1", [id])
        .db()?;
    conn.execute("DELETE FROM memory_stores WHERE id = ?1", [id])
        .db()?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Memories

const MEMORY_COLUMNS: &str =
    "id, store_id, path, content, sha256, size, version_id, created_at, updated_at";

fn memory_row(full: bool) -> impl Fn(&Row<'_>) -> SqlResult<Memory> {
    move |row| {
        Ok(Memory {
            object: MemoryType::Value,
            id: row.get(0)?,
            memory_store_id: row.get(1)?,
            path: row.get(2)?,
            content: if full { Some(row.get(3)?) } else { None },
            content_sha256: row.get(4)?,
            content_size_bytes: row.get::<_, i64>(5)?.max(0) as u64,
            memory_version_id: row.get(6)?,
            created_at: row.get(7)?,
            updated_at: row.get(8)?,
        })
    }
}

fn find_memory(conn: &Connection, store_id: &str, memory_id: &str) -> Result<Memory> {
    conn.query_row(
        &format!("SELECT {MEMORY_COLUMNS} FROM memories WHERE id = ?1 AND store_id = ?2"),
        params![memory_id, store_id],
        memory_row(true),
    )
    .optional()
    .db()?
    .ok_or_else(|| StorageError::not_found("memory", memory_id))
}

fn path_taken(conn: &Connection, store_id: &str, path: &str) -> Result<Option<String>> {
    conn.query_row(
        "SELECT id FROM memories WHERE store_id = ?1 AND path = ?2",
        params![store_id, path],
        |row| row.get(0),
    )
    .optional()
    .db()
}

fn actor_columns(actor: Option<&Actor>) -> (Option<&'static str>, Option<String>) {
    match actor {
        None => (None, None),
        Some(Actor::ApiActor { api_key_id }) => (Some("api_actor"), Some(api_key_id.clone())),
        Some(Actor::SessionActor { session_id }) => {
            (Some("session_actor"), Some(session_id.clone()))
        }
        Some(Actor::DreamActor { dream_id }) => (Some("dream_actor"), Some(dream_id.clone())),
        // Two fields in one column: the actor as JSON, read back whole.
        Some(actor @ Actor::McpActor { .. }) => (Some("mcp_actor"), Some(to_json(actor))),
    }
}

fn actor_from(kind: Option<String>, id: Option<String>) -> Option<Actor> {
    let id = id?;
    match kind?.as_str() {
        "api_actor" => Some(Actor::ApiActor { api_key_id: id }),
        "session_actor" => Some(Actor::SessionActor { session_id: id }),
        "dream_actor" => Some(Actor::DreamActor { dream_id: id }),
        "mcp_actor" => serde_json::from_str(&id).ok(),
        _ => None,
    }
}

/// Appends a version; returns its id.
#[allow(clippy::too_many_arguments)]
fn add_version(
    conn: &Connection,
    store_id: &str,
    memory_id: &str,
    operation: Operation,
    path: &str,
    content: Option<&str>,
    actor: Option<&Actor>,
    at: &str,
) -> Result<String> {
    let id = ids::new_id(ids::prefix::MEMORY_VERSION);
    let (actor_type, actor_id) = actor_columns(actor);
    conn.prepare_cached(
        "INSERT INTO memory_versions (id, store_id, memory_id, operation, content, path, sha256,
                                      size, actor_type, actor_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )
    .db()?
    .execute(params![
        id,
        store_id,
        memory_id,
        operation.as_str(),
        content,
        path,
        content.map(|c| ids::sha256_hex(c.as_bytes())),
        content.map(|c| c.len() as i64),
        actor_type,
        actor_id,
        at
    ])
    .db()?;
    Ok(id)
}

pub(crate) fn create_memory(
    conn: &Connection,
    ws: &str,
    store_id: &str,
    path: &str,
    content: &str,
    actor: Option<&Actor>,
) -> Result<Memory> {
    writable_store(conn, ws, store_id)?;
    insert_memory(conn, store_id, path, content, actor)
}

/// Creates a memory in a store known to be writable.
pub(crate) fn insert_memory(
    conn: &Connection,
    store_id: &str,
    path: &str,
    content: &str,
    actor: Option<&Actor>,
) -> Result<Memory> {
    validate::memory_path(path).map_err(invalid)?;
    validate::content(content).map_err(invalid)?;
    if path_taken(conn, store_id, path)?.is_some() {
        return Err(StorageError::Conflict(format!(
            "a memory already exists at {path}; update it instead (creating never overwrites)"
        )));
    }
    let id = ids::new_id(ids::prefix::MEMORY);
    let now = ids::now();
    let version = add_version(
        conn,
        store_id,
        &id,
        Operation::Created,
        path,
        Some(content),
        actor,
        &now,
    )?;
    conn.prepare_cached(
        "INSERT INTO memories (id, store_id, path, content, sha256, size, version_id, created_at,
                               updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )
    .db()?
    .execute(params![
        id,
        store_id,
        path,
        content,
        ids::sha256_hex(content.as_bytes()),
        content.len() as i64,
        version,
        now
    ])
    .db()?;
    crate::search::index_memory(conn, store_id, &id, path, content)?;
    find_memory(conn, store_id, &id)
}

pub(crate) fn get_memory(
    conn: &Connection,
    ws: &str,
    store_id: &str,
    memory_id: &str,
    full: bool,
) -> Result<Memory> {
    get_store(conn, ws, store_id)?;
    let mut memory = find_memory(conn, store_id, memory_id)?;
    if !full {
        memory.content = None;
    }
    Ok(memory)
}

pub(crate) fn update_memory(
    conn: &Connection,
    ws: &str,
    store_id: &str,
    memory_id: &str,
    patch: MemoryPatch,
    actor: Option<&Actor>,
) -> Result<Memory> {
    writable_store(conn, ws, store_id)?;
    let current = find_memory(conn, store_id, memory_id)?;
    if let Some(expected) = &patch.expected_sha256
        && !expected.eq_ignore_ascii_case(&current.content_sha256)
    {
        return Err(StorageError::Conflict(format!(
            "precondition failed: the memory's content_sha256 is {}, not {expected}",
            current.content_sha256
        )));
    }
    modify_memory(conn, store_id, &current, patch.content, patch.path, actor)
}

/// Changes a memory's content and/or path; no version when nothing changes.
fn modify_memory(
    conn: &Connection,
    store_id: &str,
    current: &Memory,
    content: Option<String>,
    path: Option<String>,
    actor: Option<&Actor>,
) -> Result<Memory> {
    let old_content = current.content.clone().unwrap_or_default();
    let content = content.unwrap_or_else(|| old_content.clone());
    let path = path.unwrap_or_else(|| current.path.clone());
    validate::content(&content).map_err(invalid)?;
    if path != current.path {
        validate::memory_path(&path).map_err(invalid)?;
        if path_taken(conn, store_id, &path)?.is_some() {
            return Err(StorageError::Conflict(format!(
                "a memory already exists at {path}"
            )));
        }
    }
    if content == old_content && path == current.path {
        return find_memory(conn, store_id, &current.id);
    }
    let now = ids::now();
    let version = add_version(
        conn,
        store_id,
        &current.id,
        Operation::Modified,
        &path,
        Some(&content),
        actor,
        &now,
    )?;
    conn.prepare_cached(
        "UPDATE memories SET path = ?2, content = ?3, sha256 = ?4, size = ?5, version_id = ?6,
                             updated_at = ?7
         WHERE id = ?1",
    )
    .db()?
    .execute(params![
        current.id,
        path,
        content,
        ids::sha256_hex(content.as_bytes()),
        content.len() as i64,
        version,
        now
    ])
    .db()?;
    if content != old_content {
        crate::search::index_memory(conn, store_id, &current.id, &path, &content)?;
    } else {
        // A move changes the path searches report.
        crate::search::bump_generation(conn, store_id)?;
    }
    find_memory(conn, store_id, &current.id)
}

pub(crate) fn set_memory_as_of(
    conn: &Connection,
    ws: &str,
    store_id: &str,
    memory_id: &str,
    as_of: Option<&str>,
) -> Result<()> {
    writable_store(conn, ws, store_id)?;
    let current = find_memory(conn, store_id, memory_id)?;
    conn.execute(
        "UPDATE memories SET as_of = ?1 WHERE id = ?2",
        params![as_of, current.id],
    )
    .db()?;
    Ok(())
}

pub(crate) fn delete_memory(
    conn: &Connection,
    ws: &str,
    store_id: &str,
    memory_id: &str,
    expected_sha256: Option<&str>,
    actor: Option<&Actor>,
) -> Result<()> {
    writable_store(conn, ws, store_id)?;
    let current = find_memory(conn, store_id, memory_id)?;
    if let Some(expected) = expected_sha256
        && !expected.eq_ignore_ascii_case(&current.content_sha256)
    {
        return Err(StorageError::Conflict(format!(
            "precondition failed: the memory's content_sha256 is {}, not {expected}; \
                 nothing was deleted",
            current.content_sha256
        )));
    }
    remove_memory(conn, store_id, &current, actor)
}

fn remove_memory(
    conn: &Connection,
    store_id: &str,
    current: &Memory,
    actor: Option<&Actor>,
) -> Result<()> {
    add_version(
        conn,
        store_id,
        &current.id,
        Operation::Deleted,
        &current.path,
        None,
        actor,
        &ids::now(),
    )?;
    crate::search::unindex_memory(conn, store_id, &current.id)?;
    conn.execute("DELETE FROM memories WHERE id = ?1", [&current.id])
        .db()?;
    Ok(())
}

/// The documents of a store, sorted by path.
pub(crate) fn documents(conn: &Connection, store_id: &str) -> Result<Vec<Document>> {
    let mut statement = conn
        .prepare_cached(
            "SELECT path, content, updated_at, as_of FROM memories WHERE store_id = ?1 \
             ORDER BY path",
        )
        .db()?;
    let rows = statement
        .query_map([store_id], |row| {
            Ok(Document {
                path: row.get(0)?,
                content: row.get(1)?,
                updated_at: row.get(2)?,
                as_of: row.get(3)?,
            })
        })
        .db()?;
    rows.collect::<SqlResult<Vec<_>>>().db()
}

/// Copies every memory of `from` into the empty store `to` (`created` versions by `actor`).
pub(crate) fn clone_memories(
    conn: &Connection,
    from: &str,
    to: &str,
    actor: &Actor,
) -> Result<Vec<Document>> {
    let documents = documents(conn, from)?;
    for document in &documents {
        insert_memory(conn, to, &document.path, &document.content, Some(actor))?;
    }
    Ok(documents)
}

/// Makes a store hold exactly `documents` (path → content): creates, modifies and deletes
/// memories, each change a version by `actor`.
pub(crate) fn sync_memories(
    conn: &Connection,
    store_id: &str,
    documents: &[(String, String)],
    actor: &Actor,
) -> Result<()> {
    let wanted: std::collections::BTreeMap<&str, &str> = documents
        .iter()
        .map(|(path, content)| (path.as_str(), content.as_str()))
        .collect();
    let mut statement = conn
        .prepare(&format!(
            "SELECT {MEMORY_COLUMNS} FROM memories WHERE store_id = ?1 ORDER BY path"
        ))
        .db()?;
    let current = statement
        .query_map([store_id], memory_row(true))
        .db()?
        .collect::<SqlResult<Vec<Memory>>>()
        .db()?;
    drop(statement);
    for memory in &current {
        match wanted.get(memory.path.as_str()) {
            None => remove_memory(conn, store_id, memory, Some(actor))?,
            Some(content) => {
                if memory.content.as_deref() != Some(*content) {
                    modify_memory(
                        conn,
                        store_id,
                        memory,
                        Some((*content).to_string()),
                        None,
                        Some(actor),
                    )?;
                }
            }
        }
    }
    let existing: std::collections::BTreeSet<&str> =
        current.iter().map(|m| m.path.as_str()).collect();
    for (path, content) in &wanted {
        if !existing.contains(path) {
            insert_memory(conn, store_id, path, content, Some(actor))?;
        }
    }
    Ok(())
}

/// Makes the document at `path` hold `content` (created or modified), or deletes it for
/// `None`: one version by `actor`, none when nothing changes.
pub(crate) fn put_document(
    conn: &Connection,
    store_id: &str,
    path: &str,
    content: Option<&str>,
    actor: &Actor,
) -> Result<()> {
    let current = match path_taken(conn, store_id, path)? {
        Some(id) => Some(find_memory(conn, store_id, &id)?),
        None => None,
    };
    match (current, content) {
        (Some(memory), Some(content)) => {
            modify_memory(
                conn,
                store_id,
                &memory,
                Some(content.to_string()),
                None,
                Some(actor),
            )?;
        }
        (Some(memory), None) => remove_memory(conn, store_id, &memory, Some(actor))?,
        (None, Some(content)) => {
            insert_memory(conn, store_id, path, content, Some(actor))?;
        }
        (None, None) => {}
    }
    Ok(())
}

/// The end of the path range starting with `prefix` (`/a/` → `/a0`): paths with the prefix are
/// exactly those `>= prefix` and `< end` in byte order.
fn prefix_end(prefix: &str) -> String {
    let mut end = prefix.to_string();
    // Prefixes end with '/', whose successor is '0'.
    end.pop();
    end.push('0');
    end
}

pub(crate) fn list_memories(
    conn: &Connection,
    ws: &str,
    store_id: &str,
    filter: &MemoryFilter,
    page: &PageRequest,
) -> Result<Page<MemoryListItem>> {
    get_store(conn, ws, store_id)?;
    let mut limit = db::limit(page);
    if filter.full {
        limit = limit.min(20);
    }
    let after = match &page.page {
        Some(cursor) if !cursor.is_empty() => {
            Some(ids::decode_cursor(cursor).ok_or_else(|| db::invalid_cursor(cursor))?)
        }
        _ => None,
    };
    let prefix = filter
        .path_prefix
        .clone()
        .unwrap_or_else(|| "/".to_string());
    let mut query = Query::new(&format!(
        "SELECT {MEMORY_COLUMNS} FROM memories WHERE store_id = ?"
    ));
    query.params.push(Box::new(store_id.to_string()));
    if prefix != "/" {
        query.and("path >= ?", prefix.clone());
        query.and("path < ?", prefix_end(&prefix));
    }
    if let Some(after) = &after {
        if after.ends_with('/') {
            // The previous page ended on a rolled-up prefix: skip everything under it.
            query.and("path >= ?", prefix_end(after));
        } else {
            query.and("path > ?", after.clone());
        }
    }
    query.tail("ORDER BY path");
    if filter.depth == 0 {
        query.tail(&format!("LIMIT {}", limit + 1));
        let mut rows = query.fetch(conn, memory_row(filter.full))?;
        let next_page = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|m| ids::encode_cursor(&m.path))
        } else {
            None
        };
        return Ok(Page {
            data: rows.into_iter().map(MemoryListItem::Memory).collect(),
            next_page,
        });
    }
    // With a depth, roll deeper paths up into prefixes. Paths sharing a prefix are contiguous in
    // path order, so consecutive duplicates are the only duplicates.
    let mut items: Vec<MemoryListItem> = Vec::new();
    let mut more = false;
    let mut statement = conn.prepare_cached(&query.sql).db()?;
    let mut rows = statement.query(&query.params).db()?;
    while let Some(row) = rows.next().db()? {
        let memory = memory_row(filter.full)(&row).db()?;
        let rest = &memory.path[prefix.len()..];
        let segments: Vec<&str> = rest.split('/').collect();
        let item = if segments.len() <= filter.depth {
            MemoryListItem::Memory(memory)
        } else {
            MemoryListItem::Prefix(MemoryPrefix {
                object: MemoryPrefixType::Value,
                path: format!("{prefix}{}/", segments[..filter.depth].join("/")),
            })
        };
        if let (MemoryListItem::Prefix(new), Some(MemoryListItem::Prefix(last))) =
            (&item, items.last())
            && new.path == last.path
        {
            continue;
        }
        if items.len() == limit {
            more = true;
            break;
        }
        items.push(item);
    }
    let next_page = if more {
        items.last().map(|item| match item {
            MemoryListItem::Memory(m) => ids::encode_cursor(&m.path),
            MemoryListItem::Prefix(p) => ids::encode_cursor(&p.path),
        })
    } else {
        None
    };
    Ok(Page {
        data: items,
        next_page,
    })
}

// ---------------------------------------------------------------------------------------------
// Versions

const VERSION_COLUMNS: &str = "seq, id, store_id, memory_id, operation, content, path, sha256, \
                               size, actor_type, actor_id, created_at, redacted_at, redacted_by";

fn version_row(full: bool) -> impl Fn(&Row<'_>) -> SqlResult<(i64, MemoryVersion)> {
    move |row| {
        let operation: String = row.get(4)?;
        let redacted_by: Option<String> = row.get(13)?;
        Ok((
            row.get(0)?,
            MemoryVersion {
                object: MemoryVersionType::Value,
                id: row.get(1)?,
                memory_store_id: row.get(2)?,
                memory_id: row.get(3)?,
                operation: Operation::parse(&operation).unwrap_or(Operation::Modified),
                content: if full { row.get(5)? } else { None },
                path: row.get(6)?,
                content_sha256: row.get(7)?,
                content_size_bytes: row.get::<_, Option<i64>>(8)?.map(|n| n.max(0) as u64),
                created_by: actor_from(row.get(9)?, row.get(10)?),
                created_at: row.get(11)?,
                redacted_at: row.get(12)?,
                redacted_by: redacted_by.and_then(|text| serde_json::from_str(&text).ok()),
            },
        ))
    }
}

pub(crate) fn get_version(
    conn: &Connection,
    ws: &str,
    store_id: &str,
    version_id: &str,
    full: bool,
) -> Result<MemoryVersion> {
    get_store(conn, ws, store_id)?;
    conn.query_row(
        &format!("SELECT {VERSION_COLUMNS} FROM memory_versions WHERE id = ?1 AND store_id = ?2"),
        params![version_id, store_id],
        version_row(full),
    )
    .optional()
    .db()?
    .map(|(_, version)| version)
    .ok_or_else(|| StorageError::not_found("memory_version", version_id))
}

pub(crate) fn list_versions(
    conn: &Connection,
    ws: &str,
    store_id: &str,
    filter: &VersionFilter,
    page: &PageRequest,
) -> Result<Page<MemoryVersion>> {
    get_store(conn, ws, store_id)?;
    let mut limit = db::limit(page);
    if filter.full {
        limit = limit.min(20);
    }
    let mut query = Query::new(&format!(
        "SELECT {VERSION_COLUMNS} FROM memory_versions WHERE store_id = ?"
    ));
    query.params.push(Box::new(store_id.to_string()));
    if let Some(memory_id) = &filter.memory_id {
        query.and("memory_id = ?", memory_id.clone());
    }
    if let Some(operation) = filter.operation {
        query.and("operation = ?", operation.as_str().to_string());
    }
    for (kind, id) in [
        ("session_actor", &filter.session_id),
        ("api_actor", &filter.api_key_id),
        ("dream_actor", &filter.dream_id),
    ] {
        if let Some(id) = id {
            query.and("actor_type = ?", kind.to_string());
            query.and("actor_id = ?", id.clone());
        }
    }
    query.time_range("created_at", &filter.created);
    if let Some(before) = db::cursor_seq(page)? {
        query.and("seq < ?", before);
    }
    query.tail(&format!("ORDER BY seq DESC LIMIT {}", limit + 1));
    Ok(db::paged(
        query.fetch(conn, version_row(filter.full))?,
        limit,
    ))
}

pub(crate) fn redact_version(
    conn: &Connection,
    ws: &str,
    store_id: &str,
    version_id: &str,
    actor: Option<&Actor>,
) -> Result<MemoryVersion> {
    writable_store(conn, ws, store_id)?;
    let version = get_version(conn, ws, store_id, version_id, false)?;
    if version.redacted_at.is_some() {
        return Ok(version);
    }
    let current: Option<String> = conn
        .query_row(
            "SELECT id FROM memories WHERE version_id = ?1",
            [version_id],
            |row| row.get(0),
        )
        .optional()
        .db()?;
    if current.is_some() {
        return Err(StorageError::Invalid(format!(
            "memory version {version_id} holds the memory's current content; change or delete \
             the memory before redacting it"
        )));
    }
    crate::search::purge_deleted(conn)?;
    conn.execute(
        "UPDATE memory_versions SET content = NULL, path = NULL, sha256 = NULL, size = NULL,
                                    redacted_at = ?2, redacted_by = ?3
         WHERE id = ?1",
        params![version_id, ids::now(), actor.map(to_json)],
    )
    .db()?;
    get_version(conn, ws, store_id, version_id, true)
}

/// The live memory at `path`, if any.
pub(crate) fn memory_at_path(
    conn: &Connection,
    ws: &str,
    store_id: &str,
    path: &str,
) -> Result<Option<Memory>> {
    get_store(conn, ws, store_id)?;
    match path_taken(conn, store_id, path)? {
        Some(id) => find_memory(conn, store_id, &id).map(Some),
        None => Ok(None),
    }
}
