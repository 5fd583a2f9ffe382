//! Memory stores, memories and memory versions.

use crate::params;
use crate::seam::{Row, Transaction};
use lucid_storage::{
    Actor, Document, Memory, MemoryFilter, MemoryListItem, MemoryPatch, MemoryPrefix,
    MemoryPrefixType, MemoryStore, MemoryStoreType, MemoryType, MemoryVersion, MemoryVersionType,
    Metadata, NewStore, ObjectKind, Operation, Page, PageRequest, Result, StorageError,
    StoreFilter, StorePatch, VersionFilter, ids, validate,
};

use crate::query::{self as db, Query, to_json};

const STORE_COLUMNS: &str = "seq, id, name, description, metadata, auto_apply, created_at, \
                             updated_at, archived_at";

fn store_row(row: &Row) -> Result<(i64, MemoryStore)> {
    Ok((
        row.get(0)?,
        MemoryStore {
            object: MemoryStoreType::Value,
            id: row.get(1)?,
            name: row.get(2)?,
            description: row.get(3)?,
            metadata: row.json(4)?,
            auto_apply: row.get(5)?,
            created_at: row.get(6)?,
            updated_at: row.get(7)?,
            archived_at: row.get(8)?,
        },
    ))
}

/// Checks the name, description and metadata rules and inserts an empty store.
pub fn create_store(conn: &dyn Transaction, ws: &str, new: NewStore) -> Result<MemoryStore> {
    validate::name("name", &new.name)?;
    validate::text(
        "description",
        &new.description,
        validate::MAX_DESCRIPTION_CHARS,
    )?;
    validate::metadata(&new.metadata)?;
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
    )?;
    get_store(conn, ws, &id)
}

/// The store if it belongs to `ws`, archived or not; `NotFound` otherwise. The other calls
/// check a store's workspace with it.
pub fn get_store(conn: &dyn Transaction, ws: &str, id: &str) -> Result<MemoryStore> {
    conn.optional(
        &format!("SELECT {STORE_COLUMNS} FROM memory_stores WHERE id = ?1 AND workspace_id = ?2"),
        params![id, ws],
        store_row,
    )?
    .map(|(_, store)| store)
    .ok_or_else(|| StorageError::not_found(ObjectKind::MemoryStore, id))
}

/// The store, if it can be written (exists in the workspace and is not archived).
pub fn writable_store(conn: &dyn Transaction, ws: &str, id: &str) -> Result<MemoryStore> {
    let store = get_store(conn, ws, id)?;
    if store.archived_at.is_some() {
        return Err(StorageError::Invalid(format!(
            "memory store {id} is archived; archived stores are read-only"
        )));
    }
    Ok(store)
}

/// A page of the workspace's stores in creation order; the cursor is the sequence number.
pub fn list_stores(
    conn: &dyn Transaction,
    ws: &str,
    filter: &StoreFilter,
    page: &PageRequest,
) -> Result<Page<MemoryStore>> {
    let limit = db::limit(page);
    let mut query = Query::new(&format!(
        "SELECT {STORE_COLUMNS} FROM memory_stores WHERE workspace_id = ?"
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
    Ok(db::paged(query.fetch(conn, store_row)?, limit))
}

/// Applies the patch to a store that is not archived, checking each field it changes.
pub fn update_store(
    conn: &dyn Transaction,
    ws: &str,
    id: &str,
    patch: StorePatch,
) -> Result<MemoryStore> {
    let mut store = writable_store(conn, ws, id)?;
    if let Some(name) = patch.name {
        validate::name("name", &name)?;
        store.name = name;
    }
    if let Some(description) = patch.description {
        validate::text("description", &description, validate::MAX_DESCRIPTION_CHARS)?;
        store.description = description;
    }
    if let Some(changes) = patch.metadata {
        apply_metadata(&mut store.metadata, changes);
        validate::metadata(&store.metadata)?;
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
    )?;
    get_store(conn, ws, id)
}

/// Applies a metadata patch: a value sets the key, `None` removes it.
pub fn apply_metadata(
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

/// Archives the store unless a live agent uses it (a `Conflict` naming the agent); an archived
/// store is returned unchanged.
pub fn archive_store(conn: &dyn Transaction, ws: &str, id: &str) -> Result<MemoryStore> {
    let store = get_store(conn, ws, id)?;
    if store.archived_at.is_none() {
        // An agent never ends up on an archived store.
        let user: Option<String> = conn.optional(
            "SELECT id FROM agents WHERE memory_store_id = ?1 AND archived_at IS NULL
                 ORDER BY seq LIMIT 1",
            params![id],
            |row| row.get(0),
        )?;
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

/// Archives the store without checking who uses it (a dream's output store when the dream
/// fails, is canceled or is discarded, and [`archive_store`] after its check); an archived
/// store stays as it was.
pub fn archive_store_unchecked(conn: &dyn Transaction, id: &str) -> Result<()> {
    let now = ids::now();
    conn.execute(
        "UPDATE memory_stores SET archived_at = ?2, updated_at = ?2
         WHERE id = ?1 AND archived_at IS NULL",
        params![id, now],
    )?;
    Ok(())
}

/// Deletes the store with its memories, versions, search index and session links; `Invalid`
/// while an unfinished dream reads or writes it or a live agent uses it.
pub fn delete_store(conn: &dyn Transaction, ws: &str, id: &str) -> Result<()> {
    get_store(conn, ws, id)?;
    let active: Option<String> = conn.optional(
        "SELECT id FROM dreams WHERE (store_id = ?1 OR output_store_id = ?1)
                AND status IN ('pending', 'running') LIMIT 1",
        params![id],
        |row| row.get(0),
    )?;
    if let Some(dream) = active {
        return Err(StorageError::Invalid(format!(
            "memory store {id} is used by dream {dream}, which has not finished; cancel it first"
        )));
    }
    let agent: Option<String> = conn.optional(
        "SELECT id FROM agents WHERE memory_store_id = ?1 AND archived_at IS NULL LIMIT 1",
        params![id],
        |row| row.get(0),
    )?;
    if let Some(agent) = agent {
        return Err(StorageError::Invalid(format!(
            "agent {agent} uses memory store {id}; switch it to another store first"
        )));
    }
    conn.unindex_store(id)?;
    conn.execute("DELETE FROM memories WHERE store_id = ?1", params![id])?;
    conn.execute(
        "DELETE FROM memory_versions WHERE store_id = ?1",
        params![id],
    )?;
    conn.execute(
        "DELETE FROM session_stores WHERE store_id = ?1",
        params![id],
    )?;
    conn.execute("DELETE FROM memory_stores WHERE id = ?1", params![id])?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Memories

const MEMORY_COLUMNS: &str =
    "id, store_id, path, content, sha256, size, version_id, created_at, updated_at";

fn memory_row(full: bool) -> impl Fn(&Row) -> Result<Memory> {
    move |row| {
        Ok(Memory {
            object: MemoryType::Value,
            id: row.get(0)?,
            memory_store_id: row.get(1)?,
            path: row.get(2)?,
            content: if full { Some(row.get(3)?) } else { None },
            content_sha256: row.get(4)?,
            content_size_bytes: row.get::<i64>(5)?.max(0) as u64,
            memory_version_id: row.get(6)?,
            created_at: row.get(7)?,
            updated_at: row.get(8)?,
        })
    }
}

fn find_memory(conn: &dyn Transaction, store_id: &str, memory_id: &str) -> Result<Memory> {
    conn.optional(
        &format!("SELECT {MEMORY_COLUMNS} FROM memories WHERE id = ?1 AND store_id = ?2"),
        params![memory_id, store_id],
        memory_row(true),
    )?
    .ok_or_else(|| StorageError::not_found(ObjectKind::Memory, memory_id))
}

fn path_taken(conn: &dyn Transaction, store_id: &str, path: &str) -> Result<Option<String>> {
    conn.optional(
        "SELECT id FROM memories WHERE store_id = ?1 AND path = ?2",
        params![store_id, path],
        |row| row.get(0),
    )
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
#[expect(
    clippy::too_many_arguments,
    reason = "each argument is a column or input of one call; a struct would only rename them"
)]
fn add_version(
    conn: &dyn Transaction,
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
    conn.execute(
        "INSERT INTO memory_versions (id, store_id, memory_id, operation, content, path, sha256,
                                      size, actor_type, actor_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
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
        ],
    )?;
    Ok(id)
}

/// [`insert_memory`] into a store of `ws` that is not archived.
pub fn create_memory(
    conn: &dyn Transaction,
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
pub fn insert_memory(
    conn: &dyn Transaction,
    store_id: &str,
    path: &str,
    content: &str,
    actor: Option<&Actor>,
) -> Result<Memory> {
    validate::memory_path(path)?;
    validate::content(content)?;
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
    conn.execute(
        "INSERT INTO memories (id, store_id, path, content, sha256, size, version_id, created_at,
                               updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![
            id,
            store_id,
            path,
            content,
            ids::sha256_hex(content.as_bytes()),
            content.len() as i64,
            version,
            now
        ],
    )?;
    conn.index_memory(store_id, &id, path, content)?;
    find_memory(conn, store_id, &id)
}

/// The memory, in a store of `ws`, with its content only when `full`.
pub fn get_memory(
    conn: &dyn Transaction,
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

/// Checks the `expected_sha256` precondition (a `Conflict`), then changes content and/or
/// path with one `modified` version; none when nothing changes.
pub fn update_memory(
    conn: &dyn Transaction,
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
    conn: &dyn Transaction,
    store_id: &str,
    current: &Memory,
    content: Option<String>,
    path: Option<String>,
    actor: Option<&Actor>,
) -> Result<Memory> {
    let old_content = current.content.clone().unwrap_or_default();
    let content = content.unwrap_or_else(|| old_content.clone());
    let path = path.unwrap_or_else(|| current.path.clone());
    validate::content(&content)?;
    if path != current.path {
        validate::memory_path(&path)?;
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
    conn.execute(
        "UPDATE memories SET path = ?2, content = ?3, sha256 = ?4, size = ?5, version_id = ?6,
                             updated_at = ?7
         WHERE id = ?1",
        params![
            current.id,
            path,
            content,
            ids::sha256_hex(content.as_bytes()),
            content.len() as i64,
            version,
            now
        ],
    )?;
    if content != old_content {
        conn.index_memory(store_id, &current.id, &path, &content)?;
    } else {
        // A move changes the path searches report.
        conn.bump_search_generation(store_id)?;
    }
    find_memory(conn, store_id, &current.id)
}

/// Sets or clears the memory's `as_of` time; no version, since the content stays.
pub fn set_memory_as_of(
    conn: &dyn Transaction,
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
    )?;
    Ok(())
}

/// Checks the `expected_sha256` precondition (a `Conflict`, nothing deleted), then appends
/// a `deleted` version, unindexes the memory and deletes its row.
pub fn delete_memory(
    conn: &dyn Transaction,
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
    conn: &dyn Transaction,
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
    conn.unindex_memory(store_id, &current.id)?;
    conn.execute("DELETE FROM memories WHERE id = ?1", params![&current.id])?;
    Ok(())
}

/// The documents of a store, sorted by path.
pub fn documents(conn: &dyn Transaction, store_id: &str) -> Result<Vec<Document>> {
    conn.all(
        "SELECT path, content, updated_at, as_of FROM memories WHERE store_id = ?1 \
         ORDER BY path",
        params![store_id],
        |row| {
            Ok(Document {
                path: row.get(0)?,
                content: row.get(1)?,
                updated_at: row.get(2)?,
                as_of: row.get(3)?,
            })
        },
    )
}

/// Copies every memory of `from` into the empty store `to` (`created` versions by `actor`).
pub fn clone_memories(
    conn: &dyn Transaction,
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
pub fn sync_memories(
    conn: &dyn Transaction,
    store_id: &str,
    documents: &[(String, String)],
    actor: &Actor,
) -> Result<()> {
    let wanted: std::collections::BTreeMap<&str, &str> = documents
        .iter()
        .map(|(path, content)| (path.as_str(), content.as_str()))
        .collect();
    let current = conn.all(
        &format!("SELECT {MEMORY_COLUMNS} FROM memories WHERE store_id = ?1 ORDER BY path"),
        params![store_id],
        memory_row(true),
    )?;
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
pub fn put_document(
    conn: &dyn Transaction,
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

/// A page of the store's memories by path, under `path_prefix`; with a `depth`, deeper
/// paths rolled up into prefixes. The cursor is the last path; pages with content hold at
/// most 20.
pub fn list_memories(
    conn: &dyn Transaction,
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
    query.params.push(store_id.to_string().into());
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
    conn.query_each(&query.sql, &query.params, &mut |row| {
        let memory = memory_row(filter.full)(&row)?;
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
            return Ok(true);
        }
        if items.len() == limit {
            more = true;
            return Ok(false);
        }
        items.push(item);
        Ok(true)
    })?;
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

fn version_row(full: bool) -> impl Fn(&Row) -> Result<(i64, MemoryVersion)> {
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
                content_size_bytes: row.get::<Option<i64>>(8)?.map(|n| n.max(0) as u64),
                created_by: actor_from(row.get(9)?, row.get(10)?),
                created_at: row.get(11)?,
                redacted_at: row.get(12)?,
                redacted_by: redacted_by.and_then(|text| serde_json::from_str(&text).ok()),
            },
        ))
    }
}

/// A version of the store's memories (a deleted memory's too), with its content only when
/// `full`.
pub fn get_version(
    conn: &dyn Transaction,
    ws: &str,
    store_id: &str,
    version_id: &str,
    full: bool,
) -> Result<MemoryVersion> {
    get_store(conn, ws, store_id)?;
    conn.optional(
        &format!("SELECT {VERSION_COLUMNS} FROM memory_versions WHERE id = ?1 AND store_id = ?2"),
        params![version_id, store_id],
        version_row(full),
    )?
    .map(|(_, version)| version)
    .ok_or_else(|| StorageError::not_found(ObjectKind::MemoryVersion, version_id))
}

/// A page of the store's versions, newest first, filtered by memory, operation, actor and
/// time; pages with content hold at most 20.
pub fn list_versions(
    conn: &dyn Transaction,
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
    query.params.push(store_id.to_string().into());
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

/// Clears a version's content, path, hash and size and records who redacted it; a redacted
/// version is returned unchanged, the current version of a live memory is `Invalid`.
pub fn redact_version(
    conn: &dyn Transaction,
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
    let current: Option<String> = conn.optional(
        "SELECT id FROM memories WHERE version_id = ?1",
        params![version_id],
        |row| row.get(0),
    )?;
    if current.is_some() {
        return Err(StorageError::Invalid(format!(
            "memory version {version_id} holds the memory's current content; change or delete \
             the memory before redacting it"
        )));
    }
    conn.purge_deleted_terms()?;
    conn.execute(
        "UPDATE memory_versions SET content = NULL, path = NULL, sha256 = NULL, size = NULL,
                                    redacted_at = ?2, redacted_by = ?3
         WHERE id = ?1",
        params![version_id, ids::now(), actor.map(to_json)],
    )?;
    get_version(conn, ws, store_id, version_id, true)
}

/// The live memory at `path`, if any.
pub fn memory_at_path(
    conn: &dyn Transaction,
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
