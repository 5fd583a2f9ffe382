//! The objects lucid stores, in their wire shape: serialising one gives exactly the JSON the API
//! returns (Anthropic's Managed Agents shapes, plus a few lucid fields that clients ignore).

use std::collections::BTreeMap;

pub use lucid_core::SessionTrust;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A constant `type` field: a one-variant enum, so the schema shows the literal.
macro_rules! object_type {
    ($name:ident, $literal:literal) => {
        #[doc = concat!("The `type` of a `", $literal, "` object: always `", $literal, "`.")]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub enum $name {
            #[doc = concat!("`", $literal, "`, the only value.")]
            #[default]
            #[serde(rename = $literal)]
            Value,
        }

        // Written by hand: utoipa's derive does not see a `serde(rename)` whose name comes
        // from a macro argument, and documented the variant's Rust name (`"Value"`) instead
        // of the value on the wire.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$literal]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

object_type!(MemoryStoreType, "memory_store");
object_type!(MemoryType, "memory");
object_type!(MemoryPrefixType, "memory_prefix");
object_type!(MemoryVersionType, "memory_version");
object_type!(AgentType, "agent");
object_type!(SessionType, "session");
object_type!(DreamType, "dream");
object_type!(ScheduleType, "schedule");

/// Key-value pairs for the caller's own use (at most 16).
pub type Metadata = BTreeMap<String, String>;

/// A page of a list: `next_page` is the cursor to pass as `page` for the next one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// The items of this page, in the list's order.
    pub data: Vec<T>,
    /// The cursor of the next page (pass it as `page`); `null` on the last page.
    pub next_page: Option<String>,
}

/// Where a list starts and how long a page is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    /// 1 to 100 (the server clamps and validates).
    pub limit: usize,
    /// A cursor from a previous page's `next_page`.
    pub page: Option<String>,
}

impl PageRequest {
    /// The first page of a list, `limit` items long.
    pub fn first(limit: usize) -> Self {
        PageRequest { limit, page: None }
    }
}

/// Bounds on a time (canonical RFC 3339 strings, compared as text).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimeRange {
    /// Only times after this one.
    pub gt: Option<String>,
    /// Only times at or after this one.
    pub gte: Option<String>,
    /// Only times before this one.
    pub lt: Option<String>,
    /// Only times at or before this one.
    pub lte: Option<String>,
}

impl TimeRange {
    /// Whether `at` (canonical form) meets every bound given; with no bound, always.
    pub fn contains(&self, at: &str) -> bool {
        self.gt.as_deref().is_none_or(|b| at > b)
            && self.gte.as_deref().is_none_or(|b| at >= b)
            && self.lt.as_deref().is_none_or(|b| at < b)
            && self.lte.as_deref().is_none_or(|b| at <= b)
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// Ascending: oldest, or first appended, first.
    #[default]
    Asc,
    /// Descending: newest, or last appended, first.
    Desc,
}

// ---------------------------------------------------------------------------------------------
// Workspaces and keys

/// A tenant: every object and API key belongs to exactly one, and objects never cross
/// workspaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    /// `wrkspc_…`: what every storage method takes as `ws`.
    pub id: String,
    /// Unique among workspaces: 1 to 255 characters without control characters, trimmed.
    pub name: String,
    /// When it was created (canonical RFC 3339, see [`crate::ids::now`]).
    pub created_at: String,
}

/// An API key as listed (never the secret; only its first characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    /// `apikey_…`: names the key for listing and revoking (its secret is never stored).
    pub id: String,
    /// The workspace the key acts in (`wrkspc_…`).
    pub workspace_id: String,
    /// That workspace's name.
    pub workspace_name: String,
    /// The label given when the key was created, if any.
    pub name: Option<String>,
    /// The first characters of the secret, to recognise it.
    pub hint: String,
    /// When the key was created (canonical RFC 3339).
    pub created_at: String,
    /// When it was revoked; `None` while it authenticates.
    pub revoked_at: Option<String>,
}

/// Who made a change: recorded on every memory version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Actor {
    /// A caller of the API, by the id of the key it used.
    ApiActor {
        /// The key's id (`apikey_…`).
        api_key_id: String,
    },
    /// An agent writing during a session.
    SessionActor {
        /// The session's id (`sesn_…`).
        session_id: String,
    },
    /// A dream writing its output store.
    DreamActor {
        /// The dream's id (`drm_…`).
        dream_id: String,
    },
    /// lucid: an MCP client writing through `lucid serve`'s `/mcp` tools, by the name it gave
    /// in its `initialize` request and the id of the key it used.
    McpActor {
        /// The `name` of the client's `clientInfo` (`unnamed MCP client` when it gave none).
        client_name: String,
        /// The key it connected with (`apikey_…`); absent on a server without keys.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        api_key_id: Option<String>,
    },
}

// ---------------------------------------------------------------------------------------------
// Memory stores, memories, versions

/// A memory store: a folder of memories (Markdown documents by path) that agents read and
/// dreams curate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemoryStore {
    /// Always `memory_store`.
    #[serde(rename = "type")]
    pub object: MemoryStoreType,
    /// `memstore_…`.
    pub id: String,
    /// A label for people, 1 to 255 characters; not unique. A dream's output store is named after
    /// its input store and the dream.
    pub name: String,
    /// Free text, at most 1,024 characters; may be empty.
    pub description: String,
    /// The caller's key-value pairs (at most 16). A dream's output store has `lucid_dream_id` and
    /// `lucid_input_memory_store_id`.
    pub metadata: Metadata,
    /// lucid: when true, dreams may write their result straight into this store
    /// (`output_behavior: update_existing`). Off by default.
    pub auto_apply: bool,
    /// When the store was created (RFC 3339, UTC, microseconds).
    pub created_at: String,
    /// When it was last updated or archived; writes to its memories do not count.
    pub updated_at: String,
    /// When it was archived (read-only from then on); `null` while live.
    pub archived_at: Option<String>,
}

/// A store to create.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewStore {
    /// 1 to 255 characters.
    pub name: String,
    /// At most 1,024 characters; may be empty.
    pub description: String,
    /// At most 16 pairs.
    pub metadata: Metadata,
    /// Whether dreams may write their result straight into the store (`update_existing`).
    pub auto_apply: bool,
}

/// Changes to a store; `None` leaves a field as it is. Metadata keys set to `None` are removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StorePatch {
    /// A new name, 1 to 255 characters.
    pub name: Option<String>,
    /// A new description, at most 1,024 characters.
    pub description: Option<String>,
    /// Keys to set, and keys mapped to `None` to remove; the result keeps the metadata limits.
    pub metadata: Option<BTreeMap<String, Option<String>>>,
    /// Turns the `update_existing` policy on or off.
    pub auto_apply: Option<bool>,
}

/// Which stores a listing returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreFilter {
    /// List archived stores too (left out by default).
    pub include_archived: bool,
    /// Bounds on `created_at`.
    pub created: TimeRange,
}

/// A live memory: one document of a store, at a path unique within the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Memory {
    /// Always `memory`.
    #[serde(rename = "type")]
    pub object: MemoryType,
    /// `mem_…`; stays the same when the memory moves to another path.
    pub id: String,
    /// The store holding it (`memstore_…`).
    pub memory_store_id: String,
    /// Where it lives in the store, starting with `/` (e.g. `/preferences/editor.md`).
    pub path: String,
    /// `null` with `view=basic`.
    pub content: Option<String>,
    /// Lowercase hex SHA-256 of the content's UTF-8 bytes: the precondition updates and deletes
    /// can name.
    pub content_sha256: String,
    /// The content's length in bytes of UTF-8.
    pub content_size_bytes: u64,
    /// The version holding the current content (`memver_…`).
    pub memory_version_id: String,
    /// When the memory was created.
    pub created_at: String,
    /// When its content or path last changed.
    pub updated_at: String,
}

/// A directory marker in a memory list with `depth`: stands for the memories below `path`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemoryPrefix {
    /// Always `memory_prefix`.
    #[serde(rename = "type")]
    pub object: MemoryPrefixType,
    /// The rolled-up folder, ending with `/` (e.g. `/projects/`).
    pub path: String,
}

/// One entry of a memory list: a memory or, with `depth`, a prefix standing for deeper ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum MemoryListItem {
    /// A memory within the listing's depth.
    Memory(Memory),
    /// A folder below the listing's depth, listed once in place of the memories under it.
    Prefix(MemoryPrefix),
}

/// Which memories a listing returns, and how much of each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryFilter {
    /// Ends with `/` (the server normalises it).
    pub path_prefix: Option<String>,
    /// 0: every memory below the prefix; n: at most n segments below it, deeper ones rolled up.
    pub depth: usize,
    /// Include `content`.
    pub full: bool,
}

/// Changes to a memory, with an optional precondition on its current content.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryPatch {
    /// New content (at most 100 KiB); `None` keeps it.
    pub content: Option<String>,
    /// A new path (the memory moves; a taken path is a `Conflict`); `None` keeps it.
    pub path: Option<String>,
    /// The `content_sha256` the memory must have now (compared case-insensitively); otherwise
    /// the update is a `Conflict` and nothing changes.
    pub expected_sha256: Option<String>,
}

/// What a memory version did to its memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// The memory was created with this content.
    Created,
    /// Its content and/or path changed.
    Modified,
    /// It was deleted: the version keeps its last path but no content.
    Deleted,
}

impl Operation {
    /// The API spelling: `created`, `modified` or `deleted`.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Created => "created",
            Operation::Modified => "modified",
            Operation::Deleted => "deleted",
        }
    }

    /// The operation the API spelling names; `None` for any other text.
    pub fn parse(text: &str) -> Option<Operation> {
        match text {
            "created" => Some(Operation::Created),
            "modified" => Some(Operation::Modified),
            "deleted" => Some(Operation::Deleted),
            _ => None,
        }
    }
}

/// One entry of a memory's history: every create, change and delete appends one, and only
/// redaction ever changes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemoryVersion {
    /// Always `memory_version`.
    #[serde(rename = "type")]
    pub object: MemoryVersionType,
    /// `memver_…`.
    pub id: String,
    /// The memory it belongs to (which may have been deleted since).
    pub memory_id: String,
    /// The store of that memory.
    pub memory_store_id: String,
    /// What this version did.
    pub operation: Operation,
    /// `null` with `view=basic`, for `deleted`, and once redacted.
    pub content: Option<String>,
    /// The memory's path after this version (its last path for `deleted`); `null` once redacted.
    pub path: Option<String>,
    /// Hex SHA-256 of the content; `null` for `deleted` and once redacted.
    pub content_sha256: Option<String>,
    /// The content's length in bytes; `null` for `deleted` and once redacted.
    pub content_size_bytes: Option<u64>,
    /// Who wrote it; `null` when the write named no one (as on a server without keys).
    pub created_by: Option<Actor>,
    /// When the version was written.
    pub created_at: String,
    /// When its content and path were cleared; `null` unless redacted.
    pub redacted_at: Option<String>,
    /// Who redacted it; `null` unless redacted, or when the redaction named no one.
    pub redacted_by: Option<Actor>,
}

/// Which versions a listing returns (newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionFilter {
    /// Only this memory's versions.
    pub memory_id: Option<String>,
    /// Only versions of this operation.
    pub operation: Option<Operation>,
    /// Only versions written by this session (`session_actor`).
    pub session_id: Option<String>,
    /// Only versions written through this key (`api_actor`; MCP clients' writes do not match).
    pub api_key_id: Option<String>,
    /// Only versions written by this dream (`dream_actor`).
    pub dream_id: Option<String>,
    /// Bounds on `created_at`.
    pub created: TimeRange,
    /// Include `content` (a page then holds at most 20 versions).
    pub full: bool,
}

/// One item of a memory that matched a search (lucid extension).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemorySearchHit {
    /// The memory holding the item (`mem_…`).
    pub memory_id: String,
    /// That memory's path.
    pub path: String,
    /// 1-based line of the item's first line in the memory's content.
    pub line: u64,
    /// The item's text without its list marker.
    pub text: String,
    /// BM25 relevance, higher is better; comparable within one search only.
    pub score: f64,
    /// When the store is the output of a dream: the change that wrote this item (`id`, `op`,
    /// `reason`) and its evidence, from the dream's report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub evidence: Option<serde_json::Value>,
}

/// A document of a store as a dream reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The memory's path in the store.
    pub path: String,
    /// The memory's whole content.
    pub content: String,
    /// When its content or path last changed (canonical RFC 3339).
    pub updated_at: String,
    /// When the content was true, if the uploader said so (`metadata.as_of`).
    pub as_of: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Agents

/// An agent in Managed Agents' shape (model, system prompt, tools), plus the memory store
/// lucid points it at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agent {
    /// Always `agent`.
    #[serde(rename = "type")]
    pub object: AgentType,
    /// `agent_…`.
    pub id: String,
    /// 1 to 255 characters; not unique (a lookup by name takes the newest agent not archived).
    pub name: String,
    /// `{"id": "claude-…", …}` (a bare model id given on create is stored as `{"id": …}`).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub model: Value,
    /// What the agent is for, in free text.
    pub description: Option<String>,
    /// The agent's system prompt.
    pub system: Option<String>,
    /// The caller's key-value pairs (at most 16).
    pub metadata: Metadata,
    /// Tool definitions, stored and echoed as given.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub tools: Vec<Value>,
    /// MCP server definitions, stored and echoed as given.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub mcp_servers: Vec<Value>,
    /// Skills, stored and echoed as given.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub skills: Vec<Value>,
    /// Increases with every update.
    pub version: u64,
    /// lucid: the memory store this agent currently uses (switched by promotion).
    pub memory_store_id: Option<String>,
    /// lucid: the store it used before the last promotion (`rollback` switches back).
    pub previous_memory_store_id: Option<String>,
    /// When the agent was created.
    pub created_at: String,
    /// When it last changed: updated, archived, or switched to another store.
    pub updated_at: String,
    /// When it was archived (read-only from then on); `null` while live.
    pub archived_at: Option<String>,
    /// Any other field given on create or update, stored and echoed.
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub extra: Map<String, Value>,
}

/// An agent to create.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewAgent {
    /// 1 to 255 characters.
    pub name: String,
    /// The model object (`{"id": …}`).
    pub model: Value,
    /// At most 2,048 characters.
    pub description: Option<String>,
    /// The system prompt.
    pub system: Option<String>,
    /// At most 16 pairs.
    pub metadata: Metadata,
    /// Tool definitions, stored as given.
    pub tools: Vec<Value>,
    /// MCP server definitions, stored as given.
    pub mcp_servers: Vec<Value>,
    /// Skills, stored as given.
    pub skills: Vec<Value>,
    /// The store to use from the start; it must be usable directly (see
    /// [`crate::Storage::create_agent`]).
    pub memory_store_id: Option<String>,
    /// Any other fields of the request, stored and echoed.
    pub extra: Map<String, Value>,
}

/// Changes to an agent. `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentPatch {
    /// A new name, 1 to 255 characters.
    pub name: Option<String>,
    /// A new model object.
    pub model: Option<Value>,
    /// A new description, or `Some(None)` to clear it.
    pub description: Option<Option<String>>,
    /// A new system prompt, or `Some(None)` to clear it.
    pub system: Option<Option<String>>,
    /// Keys to set, and keys mapped to `None` to remove.
    pub metadata: Option<BTreeMap<String, Option<String>>>,
    /// Replaces the tool definitions.
    pub tools: Option<Vec<Value>>,
    /// Replaces the MCP server definitions.
    pub mcp_servers: Option<Vec<Value>>,
    /// Replaces the skills.
    pub skills: Option<Vec<Value>>,
    /// Points the agent at another store (checked as on create) or, with `Some(None)`, at none.
    /// Not a promotion: `previous_memory_store_id` stays as it is.
    pub memory_store_id: Option<Option<String>>,
    /// Other fields to set; a `null` value removes the field.
    pub extra: Map<String, Value>,
    /// When given, the update applies only if the agent is at this version (else a conflict).
    pub expected_version: Option<u64>,
}

/// Which agents a listing returns (oldest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentFilter {
    /// List archived agents too (left out by default).
    pub include_archived: bool,
    /// Bounds on `created_at`.
    pub created: TimeRange,
}

// ---------------------------------------------------------------------------------------------
// Sessions and events

/// What a session is: an agent's log, or the narration of a dream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// An agent's log, written through the API or imported.
    Agent,
    /// A dream's narration, written only by the dream.
    Dream,
}

/// A session: an agent's log of events, or the narration of a dream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    /// Always `session`.
    #[serde(rename = "type")]
    pub object: SessionType,
    /// `sesn_…`.
    pub id: String,
    /// The agent as it was when the session was created (`{"type":"agent","id":…,…}`).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub agent: Value,
    /// The environment the caller named, stored and echoed.
    pub environment_id: Option<String>,
    /// A title for people, at most 512 characters.
    pub title: Option<String>,
    /// The caller's key-value pairs (at most 16).
    pub metadata: Metadata,
    /// Attached resources; memory stores as `{"type":"memory_store","memory_store_id":…}`.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub resources: Vec<Value>,
    /// `idle` for logged sessions; a dream's session is `running` while it dreams, then
    /// `terminated`.
    pub status: String,
    /// Always `{}`: lucid keeps no session statistics.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub stats: Value,
    /// Always `{}`: lucid tracks no usage per session.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub usage: Value,
    /// Always empty: lucid runs no outcome evaluations.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub outcome_evaluations: Vec<Value>,
    /// Always empty: lucid keeps no vaults.
    pub vault_ids: Vec<String>,
    /// When the session was created.
    pub created_at: String,
    /// When it last changed: events appended, fields updated, archived, or its narration ended.
    pub updated_at: String,
    /// When it was archived (no more events; only `trust` and `users` can change); `null` while
    /// live.
    pub archived_at: Option<String>,
    /// lucid: `agent` (a logged or imported session) or `dream` (a dream's narration).
    pub kind: SessionKind,
    /// lucid: where an imported session came from (`{"format":…,"filename":…,"session_id":…}`,
    /// and `started_in` when the transcript names the directory it started in).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub source: Option<Value>,
    /// lucid: the dream this session narrates.
    pub dream_id: Option<String>,
    /// lucid: the number of events logged.
    pub event_count: u64,
    /// lucid: how far the session is trusted as dream input: `default` (each event by its
    /// origin: user messages trusted, tool output not), `trusted` (everything), `untrusted`
    /// (nothing), `quarantined` (never feeds a dream).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = session_trust_schema))]
    pub trust: SessionTrust,
    /// lucid: whose words the user messages are: `team` (trusted; they can become memories) or
    /// `external` (untrusted content: scanned for injections and flagged, never an
    /// instruction). A session with trust `trusted` is trusted whatever this says.
    #[serde(default)]
    pub users: SessionUsers,
}

/// Whose words a session's user messages are. The curator takes statements (preferences,
/// facts) only from people it trusts; a customer of a support agent is not one of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionUsers {
    /// A team member's: user messages are trusted (they can become preferences and facts).
    Team,
    /// From outside the team (the default for sessions logged through the API): user messages
    /// are untrusted content, scanned for injections and flagged, never an instruction, like
    /// text a person pasted.
    #[default]
    External,
}

impl SessionUsers {
    /// The API spelling: `team` or `external`.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionUsers::Team => "team",
            SessionUsers::External => "external",
        }
    }

    /// The value the API spelling names; `None` for any other text.
    pub fn parse(text: &str) -> Option<SessionUsers> {
        match text {
            "team" => Some(SessionUsers::Team),
            "external" => Some(SessionUsers::External),
            _ => None,
        }
    }
}

/// The OpenAPI schema of a session's trust (the type lives in `lucid-core`).
#[cfg(feature = "openapi")]
fn session_trust_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(["default", "trusted", "untrusted", "quarantined"]))
        .default(Some(serde_json::json!("default")))
        .description(Some(
            "lucid: how far the session is trusted as dream input: `default` (each event by its \
             origin: user messages trusted, tool output not), `trusted` (everything), \
             `untrusted` (nothing), `quarantined` (never feeds a dream).",
        ))
        .build()
}

/// A session trust level as the API spells it.
pub fn parse_session_trust(text: &str) -> Option<SessionTrust> {
    match text {
        "default" => Some(SessionTrust::Default),
        "trusted" => Some(SessionTrust::Trusted),
        "untrusted" => Some(SessionTrust::Untrusted),
        "quarantined" => Some(SessionTrust::Quarantined),
        _ => None,
    }
}

/// The API's spelling of a session trust level.
pub fn session_trust_str(trust: SessionTrust) -> &'static str {
    match trust {
        SessionTrust::Default => "default",
        SessionTrust::Trusted => "trusted",
        SessionTrust::Untrusted => "untrusted",
        SessionTrust::Quarantined => "quarantined",
    }
}

/// A session to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSession {
    /// `None` only for a dream's narration session.
    pub agent_id: Option<String>,
    /// Stored and echoed as given.
    pub environment_id: Option<String>,
    /// At most 512 characters.
    pub title: Option<String>,
    /// At most 16 pairs.
    pub metadata: Metadata,
    /// Attached resources. A `memory_store` one must name a store of the workspace; its name,
    /// description, mount path and access (default `read_write`) are filled in.
    pub resources: Vec<Value>,
    /// Where an imported session came from, echoed as `source`.
    pub source: Option<Value>,
    /// Events appended with the session, in order.
    pub events: Vec<NewEvent>,
    /// How far the session is trusted as dream input.
    pub trust: SessionTrust,
    /// Whose words the user messages are.
    pub users: SessionUsers,
}

/// Changes to a session; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionPatch {
    /// A new title (at most 512 characters), or `Some(None)` to clear it.
    pub title: Option<Option<String>>,
    /// Keys to set, and keys mapped to `None` to remove.
    pub metadata: Option<BTreeMap<String, Option<String>>>,
    /// A new trust level; allowed on an archived session too.
    pub trust: Option<SessionTrust>,
    /// Whose words the user messages are; allowed on an archived session too.
    pub users: Option<SessionUsers>,
}

/// Which sessions a listing returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionFilter {
    /// Only this agent's sessions.
    pub agent_id: Option<String>,
    /// Only sessions with this store among their resources.
    pub memory_store_id: Option<String>,
    /// List archived sessions too (left out by default).
    pub include_archived: bool,
    /// Bounds on `created_at`.
    pub created: TimeRange,
    /// Only sessions in one of these statuses (`idle`, `running`, `terminated`); all when empty.
    pub statuses: Vec<String>,
    /// Only sessions with one of these trust levels (all when empty).
    pub trust: Vec<SessionTrust>,
    /// Default `Desc` (newest first) — set by the server.
    pub order: Order,
}

/// An event to append: a Managed Agents event object with a `type`. An `id` given by the caller
/// is kept (so tool results can name their tool calls); otherwise one is made. `processed_at`
/// given by the caller is kept when it is a valid time; otherwise it is the time of append.
pub type NewEvent = Map<String, Value>;

/// A stored event: the event object (with `id`, `type` and `processed_at`) and its position.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionEvent {
    /// Position in the session, increasing in append order; resumes streams.
    pub seq: i64,
    /// The caller's id, or a new `sevt_…`; unique within the session.
    pub id: String,
    /// The event's `type`, such as `user.message`.
    pub event_type: String,
    /// When it happened: the caller's `processed_at` when valid, else when it was appended
    /// (canonical RFC 3339).
    pub processed_at: String,
    /// The whole event object as stored, with `id`, `type` and `processed_at`: what the event
    /// serialises as.
    pub body: Map<String, Value>,
}

impl Serialize for SessionEvent {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.body.serialize(serializer)
    }
}

/// Which events a listing returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Only events of these types; all when empty.
    pub types: Vec<String>,
    /// Bounds on `processed_at`.
    pub created: TimeRange,
    /// Append order, or its reverse.
    pub order: Order,
}

// ---------------------------------------------------------------------------------------------
// Dreams

/// Where a dream is: `pending`, then `running`, then `completed`, `failed` or `canceled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DreamStatus {
    /// Queued, waiting for a worker.
    Pending,
    /// A worker claimed it and is dreaming.
    Running,
    /// Done: its output store, report and diff are written.
    Completed,
    /// Stopped with an `error`; its output store, if it is a new one, is archived.
    Failed,
    /// Canceled before it ended; its output store, if it is a new one, is archived.
    Canceled,
}

impl DreamStatus {
    /// The API spelling (`canceled`, one l).
    pub fn as_str(self) -> &'static str {
        match self {
            DreamStatus::Pending => "pending",
            DreamStatus::Running => "running",
            DreamStatus::Completed => "completed",
            DreamStatus::Failed => "failed",
            DreamStatus::Canceled => "canceled",
        }
    }

    /// The status the API spelling names (`cancelled` too); `None` for any other text.
    pub fn parse(text: &str) -> Option<DreamStatus> {
        match text {
            "pending" => Some(DreamStatus::Pending),
            "running" => Some(DreamStatus::Running),
            "completed" => Some(DreamStatus::Completed),
            "failed" => Some(DreamStatus::Failed),
            "canceled" | "cancelled" => Some(DreamStatus::Canceled),
            _ => None,
        }
    }

    /// Whether the dream has ended (completed, failed or canceled): its status changes no more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            DreamStatus::Completed | DreamStatus::Failed | DreamStatus::Canceled
        )
    }
}

/// One of a dream's inputs: its store or its sessions (a dream has one of each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DreamInput {
    /// The store whose memories the dream starts from.
    MemoryStore {
        /// `memstore_…`.
        memory_store_id: String,
    },
    /// The sessions whose events the dream digests.
    Sessions {
        /// 1 to 100 distinct ids, stored sorted.
        session_ids: Vec<String>,
        /// lucid: only sessions pinned `trusted` feed the dream; the others are skipped (and
        /// listed in the report with the reason). Shown only when set.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        trusted_only: bool,
    },
}

/// Where a dream's result was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DreamOutput {
    /// The store the result is written to.
    MemoryStore {
        /// `memstore_…`: a new store, or for `update_existing` the input store (unless the
        /// report has flags: then a new store holds the result for review).
        memory_store_id: String,
    },
}

/// Where a dream writes its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OutputBehavior {
    /// Write the result to a new store (the default): the input store is never modified.
    CreateNew,
    /// Write the result into the input store (needs the store's `auto_apply` policy).
    UpdateExisting {
        /// The dream's input store (anything else is refused).
        memory_store_id: String,
    },
}

/// The model a dream asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DreamModel {
    /// `lucid-builtin` (or `builtin`) for the built-in curator, or a model configured on the
    /// server.
    pub id: String,
    /// The requested speed; the API accepts only `standard`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<String>,
}

/// Why a dream failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DreamErrorObject {
    /// `input_session_unavailable`, `input_memory_store_unavailable`, `no_usable_session`,
    /// `internal_error`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// What went wrong, for people.
    pub message: String,
}

/// Model tokens a dream used (all zero for the built-in curator).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DreamUsage {
    /// Input tokens, not counting cache reads and writes.
    pub input_tokens: u64,
    /// Tokens the model generated.
    pub output_tokens: u64,
    /// Input tokens read from the provider's prompt cache.
    pub cache_read_input_tokens: u64,
    /// Input tokens written to the provider's prompt cache.
    pub cache_creation_input_tokens: u64,
}

/// A dream: a curation job that turns a memory store and sessions into a new version of the
/// store, with a report of every change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dream {
    /// Always `dream`.
    #[serde(rename = "type")]
    pub object: DreamType,
    /// `drm_…`.
    pub id: String,
    /// Where the dream is in its lifecycle.
    pub status: DreamStatus,
    /// The input store and the input sessions.
    pub inputs: Vec<DreamInput>,
    /// The store the result is written to, once the dream has started; empty before.
    pub outputs: Vec<DreamOutput>,
    /// The model the dream asked for.
    pub model: DreamModel,
    /// What to focus on or ignore, in free text (1 to 4,096 characters).
    pub instructions: Option<String>,
    /// Whether the result goes to a new store or into the input store.
    pub output_behavior: OutputBehavior,
    /// The session narrating the dream, once it has started.
    pub session_id: Option<String>,
    /// When the dream was queued.
    pub created_at: String,
    /// lucid: when a worker picked the dream up.
    pub started_at: Option<String>,
    /// When it completed, failed or was canceled.
    pub ended_at: Option<String>,
    /// When it was archived (left out of lists by default); only ended dreams are.
    pub archived_at: Option<String>,
    /// Why it failed; `null` unless it failed.
    pub error: Option<DreamErrorObject>,
    /// What the model pass cost in tokens, recorded when the dream completes (zero before).
    pub usage: DreamUsage,
    /// lucid: the curator that ran (`builtin`), once known.
    pub curator: Option<String>,
    /// lucid: the schedule that created this dream.
    pub schedule_id: Option<String>,
    /// lucid: how many changes of the report are `flag`s (refused secrets, instruction-like
    /// text, untrusted memory writes), once completed. A dream with flags is promoted only
    /// with `"accept_flags": true`, and never automatically.
    pub flag_count: Option<u64>,
    /// lucid: the latest review of the dream's changes (who accepted and rejected which), once
    /// it was promoted change by change. Kept after promotion; absent before any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<DreamReview>,
}

impl Dream {
    /// The store the dream reads (its `memory_store` input).
    pub fn memory_store_id(&self) -> Option<&str> {
        self.inputs.iter().find_map(|input| match input {
            DreamInput::MemoryStore { memory_store_id } => Some(memory_store_id.as_str()),
            DreamInput::Sessions { .. } => None,
        })
    }

    /// The sessions the dream reads; empty when its inputs name none.
    pub fn session_ids(&self) -> &[String] {
        self.inputs
            .iter()
            .find_map(|input| match input {
                DreamInput::Sessions { session_ids, .. } => Some(session_ids.as_slice()),
                DreamInput::MemoryStore { .. } => None,
            })
            .unwrap_or(&[])
    }

    /// Whether only sessions pinned `trusted` may feed the dream.
    pub fn trusted_only(&self) -> bool {
        self.inputs.iter().any(|input| {
            matches!(
                input,
                DreamInput::Sessions {
                    trusted_only: true,
                    ..
                }
            )
        })
    }

    /// The store the result goes to; `None` until the dream has started.
    pub fn output_store_id(&self) -> Option<&str> {
        self.outputs.first().map(|output| match output {
            DreamOutput::MemoryStore { memory_store_id } => memory_store_id.as_str(),
        })
    }
}

/// A dream to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDream {
    /// The input store; it must not be archived.
    pub memory_store_id: String,
    /// 1 to 100 distinct ids (stored sorted).
    pub session_ids: Vec<String>,
    /// The model for the dream.
    pub model: DreamModel,
    /// Focus and ignore directives, 1 to 4,096 characters.
    pub instructions: Option<String>,
    /// Where the result goes; `update_existing` needs the store's `auto_apply`.
    pub output_behavior: OutputBehavior,
    /// The schedule creating the dream, if any.
    pub schedule_id: Option<String>,
    /// Only sessions pinned `trusted` feed the dream.
    pub trusted_only: bool,
}

/// Which dreams a listing returns (newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DreamFilter {
    /// Only dreams in one of these statuses; all when empty.
    pub statuses: Vec<DreamStatus>,
    /// Bounds on `created_at`.
    pub created: TimeRange,
    /// List archived dreams too (left out by default).
    pub include_archived: bool,
}

/// What a worker starts a dream with: read in the same transaction that marks it started.
#[derive(Debug, Clone, PartialEq)]
pub struct StartedDream {
    /// The dream as it is now (`running`, with its output and narration recorded).
    pub dream: Dream,
    /// The workspace the dream belongs to (the worker's calls name none).
    pub workspace_id: String,
    /// The input store's documents at the start.
    pub documents: Vec<Document>,
    /// Where the result goes (a new store, or the input store for `update_existing`).
    pub output_store_id: String,
    /// The narration session.
    pub session_id: String,
}

/// A session as a dream reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct DreamSession {
    /// The session as stored.
    pub session: Session,
    /// The agent's name (what reports call the agent).
    pub agent_name: String,
    /// All its events, in append order.
    pub events: Vec<SessionEvent>,
}

/// What a finished dream writes, all in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct DreamCompletion {
    /// The curated store (the output store is made equal to it).
    pub documents: Vec<(String, String)>,
    /// The engine's report as JSON; its `changes` give [`DreamCompletion::flag_count`].
    pub report: Value,
    /// Per-document differences between the input as read and the result, as JSON.
    pub diff: Value,
    /// What the model pass cost in tokens, recorded on the dream.
    pub usage: DreamUsage,
    /// Which curator ran: `builtin`, or `provider:model`.
    pub curator: String,
    /// The last narration events (appended in the same transaction).
    pub events: Vec<NewEvent>,
}

impl DreamCompletion {
    /// How many changes of the report are `flag`s (what gates promotion).
    pub fn flag_count(&self) -> u64 {
        self.report
            .get("changes")
            .and_then(Value::as_array)
            .map_or(0, |changes| {
                changes
                    .iter()
                    .filter(|change| change.get("op").and_then(Value::as_str) == Some("flag"))
                    .count() as u64
            })
    }
}

/// The result of promoting a dream: the agents now on its output store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Promotion {
    /// Always `dream_promotion`.
    #[serde(rename = "type")]
    pub object: String,
    /// The promoted dream.
    pub dream_id: String,
    /// The store the agents now use: the dream's output, or the store built for a promotion of
    /// part of the dream.
    pub memory_store_id: String,
    /// The promoted agents as they are now.
    pub agents: Vec<Agent>,
    /// lucid: for a promotion of part of the dream (`accept` or `reject` given), the review it
    /// recorded: which changes were accepted, rejected, and rejected with a change they build on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<DreamReview>,
}

/// lucid: a change rejected because a change it builds on (its `parent`) was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RejectedDependent {
    /// The dependent change (`chg_…`).
    pub id: String,
    /// The rejected change it builds on.
    pub parent: String,
}

/// lucid: a reviewer's decisions on a dream's changes, recorded when the dream is promoted
/// change by change and shown on the dream (`review`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DreamReview {
    /// Who decided: the reviewer's key (`api_actor`); `null` on a server running without keys.
    pub reviewed_by: Option<Actor>,
    /// When the review was recorded.
    pub reviewed_at: String,
    /// The changes kept (ids `chg_…`, in report order). `keep` and `flag` changes write nothing
    /// and are never listed.
    pub accepted: Vec<String>,
    /// The changes left out: those the reviewer rejected and their dependents.
    pub rejected: Vec<String>,
    /// Of the rejected, those left out because a change they build on was rejected.
    pub rejected_as_dependents: Vec<RejectedDependent>,
    /// The store built from the input store and the accepted changes.
    pub memory_store_id: String,
    /// The agents promoted onto that store.
    pub agent_ids: Vec<String>,
}

/// lucid: what promoting part of a dream writes. The server builds it from the dream's input
/// documents ([`crate::Storage::dream_input_documents`]) and report with
/// `lucid_core::selection`; the backend writes it in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewedPromotion {
    /// The agents to switch; at least one, each once, none archived.
    pub agent_ids: Vec<String>,
    /// The acknowledgement of the report's flags, as for a whole promotion.
    pub accept_flags: bool,
    /// Who decided (the reviewer's key); each accepted change is a version by them.
    pub reviewer: Option<Actor>,
    /// The accepted changes (`chg_…`), recorded in the review.
    pub accepted: Vec<String>,
    /// The rejected changes, dependents included, recorded in the review.
    pub rejected: Vec<String>,
    /// The rejected changes left out for their parent, recorded in the review.
    pub rejected_as_dependents: Vec<RejectedDependent>,
    /// The input store as the dream read it, items holding a secret left out: the new store
    /// starts as these documents (path, content), `created` versions by the dream.
    pub base: Vec<(String, String)>,
    /// Each accepted change in report order with the documents it changes: content, or `None`
    /// when the change empties the document. Each document becomes one version by `reviewer`.
    pub steps: Vec<ChangeEdits>,
}

/// The documents one accepted change writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeEdits {
    /// The change (`chg_…`).
    pub change_id: String,
    /// Each document it writes: path, and content or `None` to delete it.
    pub documents: Vec<(String, Option<String>)>,
}

// ---------------------------------------------------------------------------------------------
// Schedules

/// A schedule: dreams of one store on a cron expression, after enough new sessions, or both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Schedule {
    /// Always `schedule`.
    #[serde(rename = "type")]
    pub object: ScheduleType,
    /// `sched_…`.
    pub id: String,
    /// The store it dreams over; when it promotes automatically, it follows the promoted output.
    pub memory_store_id: String,
    /// A cron expression (5 or 6 fields, UTC).
    pub cron: Option<String>,
    /// Run once this many sessions attached to the store have not been dreamed yet.
    pub after_sessions: Option<u32>,
    /// Given to each dream it creates.
    pub instructions: Option<String>,
    /// The model of each dream it creates.
    pub model: DreamModel,
    /// Promote the output to the agents on the store when the dream completes.
    pub auto_promote: bool,
    /// The agents to promote (default: every agent using the store).
    pub agent_ids: Vec<String>,
    /// The next cron time; `null` without `cron`.
    pub next_run_at: Option<String>,
    /// When it last created a dream.
    pub last_run_at: Option<String>,
    /// The dream it last created.
    pub last_dream_id: Option<String>,
    /// lucid: how the last run ended, e.g. promoted, or held back for review because its
    /// report has flags.
    pub last_run_note: Option<String>,
    /// When the schedule was created.
    pub created_at: String,
    /// When it last changed: a run, its next cron time, its store or its note.
    pub updated_at: String,
}

/// A schedule to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSchedule {
    /// The store to dream over; it must not be archived.
    pub memory_store_id: String,
    /// A cron expression (5 or 6 fields, UTC), checked by the caller.
    pub cron: Option<String>,
    /// Run once this many new sessions are waiting (1 to 100).
    pub after_sessions: Option<u32>,
    /// At most 4,096 characters.
    pub instructions: Option<String>,
    /// The model of each dream.
    pub model: DreamModel,
    /// Promote each output without flags automatically.
    pub auto_promote: bool,
    /// The agents to promote; empty: every agent on the store at the time.
    pub agent_ids: Vec<String>,
    /// The first cron time, computed by the caller.
    pub next_run_at: Option<String>,
}

/// Why a schedule fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleTrigger {
    /// The cron time `due` has come; `next` is the following one. Fires only if the schedule's
    /// `next_run_at` is still `due` (so one node fires it).
    Cron {
        /// The cron time that has come (RFC 3339).
        due: String,
        /// The cron time after it, the schedule's new `next_run_at`; `None` when there is none.
        next: Option<String>,
    },
    /// Enough new sessions: fires if at least `after_sessions` are waiting.
    Sessions,
}

#[cfg(all(test, feature = "openapi"))]
mod openapi_tests {
    use super::*;
    use utoipa::PartialSchema;

    /// The schema of each constant `type` names the value serde writes, not the Rust variant.
    #[test]
    fn object_type_schemas_name_the_wire_value() {
        fn check<T: PartialSchema + Default + Serialize>() {
            let wire = serde_json::to_value(T::default()).expect("a string");
            let schema = serde_json::to_value(T::schema()).expect("a schema");
            assert_eq!(schema["enum"], serde_json::json!([wire]), "{schema}");
        }
        check::<MemoryStoreType>();
        check::<MemoryType>();
        check::<MemoryPrefixType>();
        check::<MemoryVersionType>();
        check::<AgentType>();
        check::<SessionType>();
        check::<DreamType>();
        check::<ScheduleType>();
    }
}
