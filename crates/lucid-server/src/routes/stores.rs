//! `/v1/memory_stores`: stores, their memories, and memory versions.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use lucid_storage::{
    Memory, MemoryFilter, MemoryListItem, MemoryPatch, MemoryStore, MemoryVersion, Metadata,
    NewStore, Operation, Page, StoreFilter, StorePatch, VersionFilter, validate,
};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::extract::{Body, Ids, Params};
use crate::state::{AppState, Caller};

/// Create a memory store.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateStore {
    /// 1 to 255 characters, no control characters.
    pub name: String,
    /// Up to 1,024 characters.
    #[serde(default)]
    pub description: Option<String>,
    /// At most 16 pairs; keys 1–64 characters, values up to 512.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// lucid: allow dreams with `output_behavior: update_existing` on this store.
    #[serde(default)]
    pub auto_apply: Option<bool>,
}

/// Change a memory store (archived stores are read-only).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdateStore {
    /// A new name: 1 to 255 characters, no control characters.
    #[serde(default)]
    pub name: Option<String>,
    /// A new description, up to 1,024 characters.
    #[serde(default)]
    pub description: Option<String>,
    /// Keys set to a string are added or replaced; keys set to `null` are removed.
    #[serde(default)]
    #[schema(value_type = Option<BTreeMap<String, Option<String>>>)]
    pub metadata: Option<BTreeMap<String, Option<String>>>,
    /// lucid: allow or stop allowing dreams with `output_behavior: update_existing` on this store.
    #[serde(default)]
    pub auto_apply: Option<bool>,
}

/// A deleted object's id and type.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Deleted {
    /// The id of the deleted object.
    pub id: String,
    /// `memory_store_deleted`, `memory_deleted`, `session_deleted`, `schedule_deleted`.
    #[serde(rename = "type")]
    pub object: String,
}

/// Create a memory: never overwrites an existing path (409).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateMemory {
    /// Starts with `/`, 1–20 segments, no `.`/`..`, at most 1,024 bytes.
    pub path: String,
    /// UTF-8 text, at most 100 kB; `null` is an empty memory.
    #[serde(default)]
    pub content: Option<String>,
    /// lucid: `{"as_of": "<RFC 3339 time>"}`, when the content was true. Without it, a dream
    /// treats the memory as older than any session it reads.
    #[serde(default)]
    pub metadata: Option<MemoryMetadata>,
}

/// lucid: facts about a memory's content that the API does not store in the content.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct MemoryMetadata {
    /// When the content was true (RFC 3339). A dream dates the memory's items by it.
    #[serde(default)]
    pub as_of: Option<String>,
}

/// The as-of time of a request, checked and in canonical form.
fn as_of_of(metadata: Option<&MemoryMetadata>) -> ApiResult<Option<String>> {
    let Some(text) = metadata.and_then(|m| m.as_of.as_deref()) else {
        return Ok(None);
    };
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| {
            Some(
                t.with_timezone(&chrono::Utc)
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            )
        })
        .map_err(|_| {
            ApiError::invalid(format!(
                "metadata.as_of {text:?} is not an RFC 3339 time (e.g. 2026-03-04T10:00:00Z)"
            ))
        })
}

/// The only precondition kind: the memory's current content hash.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Precondition {
    /// `content_sha256`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The SHA-256 (hex) the memory's current content must have.
    #[serde(default)]
    pub content_sha256: Option<String>,
}

/// Change a memory's content and/or path.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdateMemory {
    /// New content: UTF-8 text, at most 100 kB.
    #[serde(default)]
    pub content: Option<String>,
    /// A new path, by the rules of a created memory's; a path another memory holds is a 409.
    #[serde(default)]
    pub path: Option<String>,
    /// Update only if the memory's content still has this hash (else 409, and nothing changes).
    #[serde(default)]
    pub precondition: Option<Precondition>,
    /// lucid: `{"as_of": …}`. A content update without it clears the memory's as-of time.
    #[serde(default)]
    pub metadata: Option<MemoryMetadata>,
}

fn check(result: Result<(), validate::ValidationError>) -> ApiResult<()> {
    result.map_err(ApiError::invalid)
}

#[utoipa::path(post, path = "/v1/memory_stores", tag = "memory_stores",
    request_body = CreateStore,
    responses((status = 200, body = MemoryStore), (status = "4XX", body = ErrorEnvelope)))]
/// Create an empty memory store.
pub async fn create_store(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<CreateStore>,
) -> ApiResult<Json<MemoryStore>> {
    check(validate::name("name", &body.name))?;
    let description = body.description.unwrap_or_default();
    check(validate::text(
        "description",
        &description,
        validate::MAX_DESCRIPTION_CHARS,
    ))?;
    let metadata = body.metadata.unwrap_or_default();
    check(validate::metadata(&metadata))?;
    let new = NewStore {
        name: body.name,
        description,
        metadata,
        auto_apply: body.auto_apply.unwrap_or(false),
    };
    let store = state
        .run(move |s| s.create_store(&caller.workspace_id, new))
        .await?;
    Ok(Json(store))
}

#[utoipa::path(get, path = "/v1/memory_stores", tag = "memory_stores",
    params(("limit" = Option<usize>, Query, description = "1 to 100, default 20"),
           ("page" = Option<String>, Query, description = "next_page of the previous response"),
           ("include_archived" = Option<bool>, Query),
           ("created_at[gte]" = Option<String>, Query), ("created_at[lte]" = Option<String>, Query)),
    responses((status = 200, body = Page<MemoryStore>), (status = "4XX", body = ErrorEnvelope)))]
/// The workspace's memory stores, oldest first; archived ones only with `include_archived=true`.
pub async fn list_stores(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<Page<MemoryStore>>> {
    let filter = StoreFilter {
        include_archived: params.bool("include_archived")?.unwrap_or(false),
        created: params.time_range("created_at")?,
    };
    let page = params.page()?;
    let stores = state
        .run(move |s| s.list_stores(&caller.workspace_id, &filter, &page))
        .await?;
    Ok(Json(stores))
}

#[utoipa::path(get, path = "/v1/memory_stores/{memory_store_id}", tag = "memory_stores",
    params(("memory_store_id" = String, Path)),
    responses((status = 200, body = MemoryStore), (status = "4XX", body = ErrorEnvelope)))]
/// One memory store, archived or not.
pub async fn get_store(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult<Json<MemoryStore>> {
    let store = state
        .run(move |s| s.get_store(&caller.workspace_id, &id))
        .await?;
    Ok(Json(store))
}

#[utoipa::path(post, path = "/v1/memory_stores/{memory_store_id}", tag = "memory_stores",
    params(("memory_store_id" = String, Path)), request_body = UpdateStore,
    responses((status = 200, body = MemoryStore), (status = "4XX", body = ErrorEnvelope)))]
/// Change a store's name, description, metadata or `auto_apply`. An archived store is read-only
/// (400).
pub async fn update_store(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
    Body(body): Body<UpdateStore>,
) -> ApiResult<Json<MemoryStore>> {
    let patch = StorePatch {
        name: body.name,
        description: body.description,
        metadata: body.metadata,
        auto_apply: body.auto_apply,
    };
    let store = state
        .run(move |s| s.update_store(&caller.workspace_id, &id, patch))
        .await?;
    Ok(Json(store))
}

#[utoipa::path(delete, path = "/v1/memory_stores/{memory_store_id}", tag = "memory_stores",
    params(("memory_store_id" = String, Path)),
    responses((status = 200, body = Deleted), (status = "4XX", body = ErrorEnvelope)))]
/// Delete a store with its memories and versions. Refused while an agent uses it or a pending or
/// running dream reads or writes it.
pub async fn delete_store(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult<Json<Deleted>> {
    let target = id.clone();
    state
        .run(move |s| s.delete_store(&caller.workspace_id, &target))
        .await?;
    Ok(Json(Deleted {
        id,
        object: "memory_store_deleted".into(),
    }))
}

#[utoipa::path(post, path = "/v1/memory_stores/{memory_store_id}/archive", tag = "memory_stores",
    params(("memory_store_id" = String, Path)),
    responses((status = 200, body = MemoryStore), (status = "4XX", body = ErrorEnvelope)))]
/// Archive a store, for good: it becomes read-only. Refused (409) while an agent uses it; archiving
/// it again returns it unchanged.
pub async fn archive_store(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult<Json<MemoryStore>> {
    let store = state
        .run(move |s| s.archive_store(&caller.workspace_id, &id))
        .await?;
    Ok(Json(store))
}

// ---------------------------------------------------------------------------------------------
// Memories

#[utoipa::path(post, path = "/v1/memory_stores/{memory_store_id}/memories", tag = "memories",
    params(("memory_store_id" = String, Path),
           ("view" = Option<String>, Query, description = "basic (default) or full")),
    request_body = CreateMemory,
    responses((status = 200, body = Memory), (status = "4XX", body = ErrorEnvelope)))]
/// Create a memory at a new path, recorded as a `created` version; a taken path is a 409 (nothing
/// is overwritten).
pub async fn create_memory(
    State(state): State<AppState>,
    caller: Caller,
    Ids(store_id): Ids<String>,
    params: Params,
    Body(body): Body<CreateMemory>,
) -> ApiResult<Json<Memory>> {
    let full = params.full_view(false)?;
    let content = body.content.unwrap_or_default();
    check(validate::memory_path(&body.path))?;
    check(validate::content(&content))?;
    let as_of = as_of_of(body.metadata.as_ref())?;
    let actor = caller.actor();
    let mut memory = state
        .run(move |s| {
            let memory = s.create_memory(
                &caller.workspace_id,
                &store_id,
                &body.path,
                &content,
                actor.as_ref(),
            )?;
            // A second write: a crash between the two leaves the memory without an as-of
            // time, which a dream reads as older than its sessions (the safe side).
            if as_of.is_some() {
                s.set_memory_as_of(
                    &caller.workspace_id,
                    &store_id,
                    &memory.id,
                    as_of.as_deref(),
                )?;
            }
            Ok(memory)
        })
        .await?;
    if !full {
        memory.content = None;
    }
    Ok(Json(memory))
}

#[utoipa::path(get, path = "/v1/memory_stores/{memory_store_id}/memories", tag = "memories",
    params(("memory_store_id" = String, Path),
           ("path_prefix" = Option<String>, Query, description = "e.g. /notes/ (whole segments)"),
           ("depth" = Option<usize>, Query, description = "0: everything below the prefix; n: n levels, deeper ones as memory_prefix items"),
           ("view" = Option<String>, Query, description = "basic (default) or full (at most 20 per page)"),
           ("limit" = Option<usize>, Query), ("page" = Option<String>, Query)),
    responses((status = 200, body = Page<MemoryListItem>), (status = "4XX", body = ErrorEnvelope)))]
/// The store's live memories, sorted by path; with `depth`, deeper ones are rolled up into
/// `memory_prefix` items.
pub async fn list_memories(
    State(state): State<AppState>,
    caller: Caller,
    Ids(store_id): Ids<String>,
    params: Params,
) -> ApiResult<Json<Page<MemoryListItem>>> {
    let path_prefix = match params.str("path_prefix") {
        None => None,
        Some(prefix) => Some(validate::path_prefix(prefix).map_err(ApiError::invalid)?),
    };
    let filter = MemoryFilter {
        path_prefix,
        depth: params.usize("depth", 0, 20)?.unwrap_or(0),
        full: params.full_view(false)?,
    };
    let page = params.page()?;
    let memories = state
        .run(move |s| s.list_memories(&caller.workspace_id, &store_id, &filter, &page))
        .await?;
    Ok(Json(memories))
}

/// The items that best match a search, best first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    /// At most `limit` items, best first. When the store is a completed dream's output, an item
    /// that dream wrote carries the report's change as `evidence`.
    pub data: Vec<lucid_storage::MemorySearchHit>,
}

/// lucid: search a store's memories. BM25 over the store's items (list entries, paragraphs),
/// with stemming; identifiers (`db-2.internal`, `render_docx`, `--force-with-lease`) match
/// whole and by part. The index follows every write, so a search never rebuilds it.
#[utoipa::path(get, path = "/v1/memory_stores/{memory_store_id}/search", tag = "memories",
    params(("memory_store_id" = String, Path),
           ("q" = String, Query, description = "the query: words and identifiers, no syntax"),
           ("limit" = Option<usize>, Query, description = "1–100, default 10")),
    responses((status = 200, body = SearchResults), (status = "4XX", body = ErrorEnvelope)))]
pub async fn search_memories(
    State(state): State<AppState>,
    caller: Caller,
    Ids(store_id): Ids<String>,
    params: Params,
) -> ApiResult<Json<SearchResults>> {
    let query = params
        .str("q")
        .ok_or_else(|| ApiError::invalid("q is required: the words to search for"))?
        .to_string();
    if query.len() > 4096 {
        return Err(ApiError::invalid("q is longer than 4,096 bytes"));
    }
    let limit = params.usize("limit", 1, 100)?.unwrap_or(10);
    let data = state
        .run(move |s| {
            let mut hits = s.search_memories(&caller.workspace_id, &store_id, &query, limit)?;
            if !hits.is_empty()
                && let Some(report) = report_of_dream_writing(s, &caller.workspace_id, &store_id)?
            {
                attach_evidence(&mut hits, &report);
            }
            Ok(hits)
        })
        .await?;
    Ok(Json(SearchResults { data }))
}

/// The report of the completed dream whose output is `store_id`, if there is one. The dream
/// is named in the store's metadata (`lucid_dream_id`, set when the dream created it) and must
/// list the store among its outputs (metadata can be edited): two key lookups per search, the
/// hot path, instead of a scan of the workspace's dreams.
fn report_of_dream_writing(
    storage: &dyn lucid_storage::Storage,
    workspace: &str,
    store_id: &str,
) -> lucid_storage::Result<Option<serde_json::Value>> {
    let store = storage.get_store(workspace, store_id)?;
    let Some(dream_id) = store.metadata.get("lucid_dream_id") else {
        return Ok(None);
    };
    let dream = match storage.get_dream(workspace, dream_id) {
        Ok(dream) => dream,
        Err(lucid_storage::StorageError::NotFound { .. }) => return Ok(None),
        Err(error) => return Err(error),
    };
    let wrote_it = dream.outputs.iter().any(|output| {
        let lucid_storage::DreamOutput::MemoryStore { memory_store_id } = output;
        memory_store_id == store_id
    });
    if dream.status != lucid_storage::DreamStatus::Completed || !wrote_it {
        return Ok(None);
    }
    storage.dream_report(workspace, &dream.id)
}

/// Gives each hit the change of the report that wrote its item (same document, same text).
fn attach_evidence(hits: &mut [lucid_storage::MemorySearchHit], report: &serde_json::Value) {
    let collapse = lucid_core::text::collapse_whitespace;
    let Some(changes) = report["changes"].as_array() else {
        return;
    };
    for hit in hits {
        let text = collapse(&hit.text);
        let change = changes.iter().find(|c| {
            c["path"].as_str() == Some(hit.path.as_str())
                && c["text"].as_str().map(collapse).as_deref() == Some(text.as_str())
        });
        if let Some(change) = change {
            hit.evidence = Some(serde_json::json!({
                "change_id": change["id"],
                "op": change["op"],
                "reason": change["reason"],
                "evidence": change["evidence"],
            }));
        }
    }
}

#[utoipa::path(get, path = "/v1/memory_stores/{memory_store_id}/memories/{memory_id}", tag = "memories",
    params(("memory_store_id" = String, Path), ("memory_id" = String, Path),
           ("view" = Option<String>, Query, description = "full (default) or basic")),
    responses((status = 200, body = Memory), (status = "4XX", body = ErrorEnvelope)))]
/// One live memory, with its content unless `view=basic`.
pub async fn get_memory(
    State(state): State<AppState>,
    caller: Caller,
    Ids((store_id, memory_id)): Ids<(String, String)>,
    params: Params,
) -> ApiResult<Json<Memory>> {
    let full = params.full_view(true)?;
    let memory = state
        .run(move |s| s.get_memory(&caller.workspace_id, &store_id, &memory_id, full))
        .await?;
    Ok(Json(memory))
}

#[utoipa::path(post, path = "/v1/memory_stores/{memory_store_id}/memories/{memory_id}", tag = "memories",
    params(("memory_store_id" = String, Path), ("memory_id" = String, Path),
           ("view" = Option<String>, Query, description = "basic (default) or full")),
    request_body = UpdateMemory,
    responses((status = 200, body = Memory), (status = "4XX", body = ErrorEnvelope)))]
/// Change a memory's content and/or path, recorded as a `modified` version (none when nothing
/// changes).
pub async fn update_memory(
    State(state): State<AppState>,
    caller: Caller,
    Ids((store_id, memory_id)): Ids<(String, String)>,
    params: Params,
    Body(body): Body<UpdateMemory>,
) -> ApiResult<Json<Memory>> {
    let full = params.full_view(false)?;
    if body.content.is_none() && body.path.is_none() {
        return Err(ApiError::invalid(
            "give content, path, or both to update a memory",
        ));
    }
    if let Some(path) = &body.path {
        check(validate::memory_path(path))?;
    }
    if let Some(content) = &body.content {
        check(validate::content(content))?;
    }
    let expected_sha256 = match body.precondition {
        None => None,
        Some(p) if p.kind == "content_sha256" => Some(p.content_sha256.ok_or_else(|| {
            ApiError::invalid("precondition content_sha256 needs a content_sha256 value")
        })?),
        Some(p) => {
            return Err(ApiError::invalid(format!(
                "unknown precondition type {:?}; the only one is content_sha256",
                p.kind
            )));
        }
    };
    let as_of = as_of_of(body.metadata.as_ref())?;
    // New content is as of the time given, or of no known time; a rename keeps it.
    let set_as_of = as_of.is_some() || body.content.is_some();
    let patch = MemoryPatch {
        content: body.content,
        path: body.path,
        expected_sha256,
    };
    let actor = caller.actor();
    let mut memory = state
        .run(move |s| {
            let memory = s.update_memory(
                &caller.workspace_id,
                &store_id,
                &memory_id,
                patch,
                actor.as_ref(),
            )?;
            if set_as_of {
                s.set_memory_as_of(
                    &caller.workspace_id,
                    &store_id,
                    &memory.id,
                    as_of.as_deref(),
                )?;
            }
            Ok(memory)
        })
        .await?;
    if !full {
        memory.content = None;
    }
    Ok(Json(memory))
}

/// Optional JSON body of a memory delete (the SDK sends the hash as a query parameter).
#[derive(Debug, Default, Deserialize)]
pub struct DeleteMemory {
    /// Delete only if the content still has this SHA-256 (else 409); the query parameter of the
    /// same name wins over it.
    #[serde(default)]
    pub expected_content_sha256: Option<String>,
}

#[utoipa::path(delete, path = "/v1/memory_stores/{memory_store_id}/memories/{memory_id}", tag = "memories",
    params(("memory_store_id" = String, Path), ("memory_id" = String, Path),
           ("expected_content_sha256" = Option<String>, Query, description = "delete only if the content still has this hash (else 409)")),
    responses((status = 200, body = Deleted), (status = "4XX", body = ErrorEnvelope)))]
/// Delete a memory: a `deleted` version is recorded, and its earlier versions stay.
pub async fn delete_memory(
    State(state): State<AppState>,
    caller: Caller,
    Ids((store_id, memory_id)): Ids<(String, String)>,
    params: Params,
    Body(body): Body<DeleteMemory>,
) -> ApiResult<Json<Deleted>> {
    let expected = params
        .str("expected_content_sha256")
        .map(str::to_string)
        .or(body.expected_content_sha256);
    let actor = caller.actor();
    let target = memory_id.clone();
    state
        .run(move |s| {
            s.delete_memory(
                &caller.workspace_id,
                &store_id,
                &target,
                expected.as_deref(),
                actor.as_ref(),
            )
        })
        .await?;
    Ok(Json(Deleted {
        id: memory_id,
        object: "memory_deleted".into(),
    }))
}

// ---------------------------------------------------------------------------------------------
// Versions

#[utoipa::path(get, path = "/v1/memory_stores/{memory_store_id}/memory_versions", tag = "memory_versions",
    params(("memory_store_id" = String, Path),
           ("memory_id" = Option<String>, Query), ("operation" = Option<String>, Query),
           ("session_id" = Option<String>, Query), ("api_key_id" = Option<String>, Query),
           ("dream_id" = Option<String>, Query, description = "lucid: versions written by this dream"),
           ("created_at[gte]" = Option<String>, Query), ("created_at[lte]" = Option<String>, Query),
           ("view" = Option<String>, Query), ("limit" = Option<usize>, Query), ("page" = Option<String>, Query)),
    responses((status = 200, body = Page<MemoryVersion>), (status = "4XX", body = ErrorEnvelope)))]
/// The store's memory versions, newest first, filtered by memory, operation, session, API key,
/// dream or time.
pub async fn list_versions(
    State(state): State<AppState>,
    caller: Caller,
    Ids(store_id): Ids<String>,
    params: Params,
) -> ApiResult<Json<Page<MemoryVersion>>> {
    let operation = match params.str("operation") {
        None => None,
        Some(text) => Some(Operation::parse(text).ok_or_else(|| {
            ApiError::invalid(format!(
                "operation must be created, modified or deleted, not {text:?}"
            ))
        })?),
    };
    let filter = VersionFilter {
        memory_id: params.str("memory_id").map(str::to_string),
        operation,
        session_id: params.str("session_id").map(str::to_string),
        api_key_id: params.str("api_key_id").map(str::to_string),
        dream_id: params.str("dream_id").map(str::to_string),
        created: params.time_range("created_at")?,
        full: params.full_view(false)?,
    };
    let page = params.page()?;
    let versions = state
        .run(move |s| s.list_memory_versions(&caller.workspace_id, &store_id, &filter, &page))
        .await?;
    Ok(Json(versions))
}

#[utoipa::path(get, path = "/v1/memory_stores/{memory_store_id}/memory_versions/{memory_version_id}", tag = "memory_versions",
    params(("memory_store_id" = String, Path), ("memory_version_id" = String, Path),
           ("view" = Option<String>, Query, description = "full (default) or basic")),
    responses((status = 200, body = MemoryVersion), (status = "4XX", body = ErrorEnvelope)))]
/// One memory version, of a deleted memory too; with its content unless `view=basic`.
pub async fn get_version(
    State(state): State<AppState>,
    caller: Caller,
    Ids((store_id, version_id)): Ids<(String, String)>,
    params: Params,
) -> ApiResult<Json<MemoryVersion>> {
    let full = params.full_view(true)?;
    let version = state
        .run(move |s| s.get_memory_version(&caller.workspace_id, &store_id, &version_id, full))
        .await?;
    Ok(Json(version))
}

#[utoipa::path(post, path = "/v1/memory_stores/{memory_store_id}/memory_versions/{memory_version_id}/redact", tag = "memory_versions",
    params(("memory_store_id" = String, Path), ("memory_version_id" = String, Path)),
    responses((status = 200, body = MemoryVersion), (status = "4XX", body = ErrorEnvelope)))]
/// Clear a version's content and path for good (the only change a version ever gets). Refused for
/// the current version of a live memory.
pub async fn redact_version(
    State(state): State<AppState>,
    caller: Caller,
    Ids((store_id, version_id)): Ids<(String, String)>,
) -> ApiResult<Json<MemoryVersion>> {
    let actor = caller.actor();
    let version = state
        .run(move |s| {
            s.redact_memory_version(&caller.workspace_id, &store_id, &version_id, actor.as_ref())
        })
        .await?;
    Ok(Json(version))
}
