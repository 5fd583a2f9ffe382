//! The objects lucid stores, in their wire shape: serialising one gives exactly the JSON the API
//! returns (Anthropic's Managed Agents shapes, plus a few lucid fields that clients ignore).

use std::collections::BTreeMap;

pub use lucid_core::SessionTrust;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A constant `type` field: a one-variant enum, so the schema shows the literal.
macro_rules! object_type {
    ($name:ident, $literal:literal) => {
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum $name {
            #[default]
            #[serde(rename = $literal)]
            Value,
        }
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
    pub data: Vec<T>,
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
    pub fn first(limit: usize) -> Self {
        PageRequest { limit, page: None }
    }
}

/// Bounds on a time (canonical RFC 3339 strings, compared as text).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimeRange {
    pub gt: Option<String>,
    pub gte: Option<String>,
    pub lt: Option<String>,
    pub lte: Option<String>,
}

impl TimeRange {
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
    #[default]
    Asc,
    Desc,
}

// ---------------------------------------------------------------------------------------------
// Workspaces and keys

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    pub id: String,
    pub name: String,
    pub created_at: String,
}

/// An API key as listed (never the secret; only its first characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: String,
    pub workspace_id: String,
    pub workspace_name: String,
    pub name: Option<String>,
    /// The first characters of the secret, to recognise it.
    pub hint: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// Who made a change: recorded on every memory version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Actor {
    /// A caller of the API, by the id of the key it used.
    ApiActor { api_key_id: String },
    /// An agent writing during a session.
    SessionActor { session_id: String },
    /// A dream writing its output store.
    DreamActor { dream_id: String },
    /// lucid: an MCP client writing through `lucid serve`'s `/mcp` tools, by the name it gave
    /// in its `initialize` request and the id of the key it used.
    McpActor {
        client_name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        api_key_id: Option<String>,
    },
}

// ---------------------------------------------------------------------------------------------
// Memory stores, memories, versions

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemoryStore {
    #[serde(rename = "type")]
    pub object: MemoryStoreType,
    pub id: String,
    pub name: String,
    pub description: String,
    pub metadata: Metadata,
    /// lucid: when true, dreams may write their result straight into this store
    /// (`output_behavior: update_existing`). Off by default.
    pub auto_apply: bool,
    pub created_at: String,
    pub updated_at: String,
    pub archived_at: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewStore {
    pub name: String,
    pub description: String,
    pub metadata: Metadata,
    pub auto_apply: bool,
}

/// Changes to a store; `None` leaves a field as it is. Metadata keys set to `None` are removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StorePatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub metadata: Option<BTreeMap<String, Option<String>>>,
    pub auto_apply: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreFilter {
    pub include_archived: bool,
    pub created: TimeRange,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Memory {
    #[serde(rename = "type")]
    pub object: MemoryType,
    pub id: String,
    pub memory_store_id: String,
    pub path: String,
    /// `null` with `view=basic`.
    pub content: Option<String>,
    pub content_sha256: String,
    pub content_size_bytes: u64,
    pub memory_version_id: String,
    pub created_at: String,
    pub updated_at: String,
}

/// A directory marker in a memory list with `depth`: stands for the memories below `path`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemoryPrefix {
    #[serde(rename = "type")]
    pub object: MemoryPrefixType,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum MemoryListItem {
    Memory(Memory),
    Prefix(MemoryPrefix),
}

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
    pub content: Option<String>,
    pub path: Option<String>,
    pub expected_sha256: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Created,
    Modified,
    Deleted,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Created => "created",
            Operation::Modified => "modified",
            Operation::Deleted => "deleted",
        }
    }

    pub fn parse(text: &str) -> Option<Operation> {
        match text {
            "created" => Some(Operation::Created),
            "modified" => Some(Operation::Modified),
            "deleted" => Some(Operation::Deleted),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemoryVersion {
    #[serde(rename = "type")]
    pub object: MemoryVersionType,
    pub id: String,
    pub memory_id: String,
    pub memory_store_id: String,
    pub operation: Operation,
    /// `null` with `view=basic`, for `deleted`, and once redacted.
    pub content: Option<String>,
    pub path: Option<String>,
    pub content_sha256: Option<String>,
    pub content_size_bytes: Option<u64>,
    pub created_by: Option<Actor>,
    pub created_at: String,
    pub redacted_at: Option<String>,
    pub redacted_by: Option<Actor>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionFilter {
    pub memory_id: Option<String>,
    pub operation: Option<Operation>,
    pub session_id: Option<String>,
    pub api_key_id: Option<String>,
    pub dream_id: Option<String>,
    pub created: TimeRange,
    pub full: bool,
}

/// One item of a memory that matched a search (lucid extension).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemorySearchHit {
    pub memory_id: String,
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
    pub path: String,
    pub content: String,
    pub updated_at: String,
    /// When the content was true, if the uploader said so (`metadata.as_of`).
    pub as_of: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Agents

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agent {
    #[serde(rename = "type")]
    pub object: AgentType,
    pub id: String,
    pub name: String,
    /// `{"id": "claude-…", …}` (a bare model id given on create is stored as `{"id": …}`).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub model: Value,
    pub description: Option<String>,
    pub system: Option<String>,
    pub metadata: Metadata,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub tools: Vec<Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub mcp_servers: Vec<Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub skills: Vec<Value>,
    /// Increases with every update.
    pub version: u64,
    /// lucid: the memory store this agent currently uses (switched by promotion).
    pub memory_store_id: Option<String>,
    /// lucid: the store it used before the last promotion (`rollback` switches back).
    pub previous_memory_store_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub archived_at: Option<String>,
    /// Any other field given on create or update, stored and echoed.
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewAgent {
    pub name: String,
    pub model: Value,
    pub description: Option<String>,
    pub system: Option<String>,
    pub metadata: Metadata,
    pub tools: Vec<Value>,
    pub mcp_servers: Vec<Value>,
    pub skills: Vec<Value>,
    pub memory_store_id: Option<String>,
    pub extra: Map<String, Value>,
}

/// Changes to an agent. `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentPatch {
    pub name: Option<String>,
    pub model: Option<Value>,
    pub description: Option<Option<String>>,
    pub system: Option<Option<String>>,
    pub metadata: Option<BTreeMap<String, Option<String>>>,
    pub tools: Option<Vec<Value>>,
    pub mcp_servers: Option<Vec<Value>>,
    pub skills: Option<Vec<Value>>,
    pub memory_store_id: Option<Option<String>>,
    pub extra: Map<String, Value>,
    /// When given, the update applies only if the agent is at this version (else a conflict).
    pub expected_version: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentFilter {
    pub include_archived: bool,
    pub created: TimeRange,
}

// ---------------------------------------------------------------------------------------------
// Sessions and events

/// What a session is: an agent's log, or the narration of a dream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    Agent,
    Dream,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    #[serde(rename = "type")]
    pub object: SessionType,
    pub id: String,
    /// The agent as it was when the session was created (`{"type":"agent","id":…,…}`).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub agent: Value,
    pub environment_id: Option<String>,
    pub title: Option<String>,
    pub metadata: Metadata,
    /// Attached resources; memory stores as `{"type":"memory_store","memory_store_id":…}`.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub resources: Vec<Value>,
    /// `idle` for logged sessions; a dream's session is `running` while it dreams, then
    /// `terminated`.
    pub status: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub stats: Value,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub usage: Value,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub outcome_evaluations: Vec<Value>,
    pub vault_ids: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub archived_at: Option<String>,
    /// lucid: `agent` (a logged or imported session) or `dream` (a dream's narration).
    pub kind: SessionKind,
    /// lucid: where an imported session came from (`{"format":…,"filename":…,"session_id":…}`).
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
    pub fn as_str(self) -> &'static str {
        match self {
            SessionUsers::Team => "team",
            SessionUsers::External => "external",
        }
    }

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

#[derive(Debug, Clone, PartialEq)]
pub struct NewSession {
    /// `None` only for a dream's narration session.
    pub agent_id: Option<String>,
    pub environment_id: Option<String>,
    pub title: Option<String>,
    pub metadata: Metadata,
    pub resources: Vec<Value>,
    pub source: Option<Value>,
    pub events: Vec<NewEvent>,
    /// How far the session is trusted as dream input.
    pub trust: SessionTrust,
    /// Whose words the user messages are.
    pub users: SessionUsers,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionPatch {
    pub title: Option<Option<String>>,
    pub metadata: Option<BTreeMap<String, Option<String>>>,
    pub trust: Option<SessionTrust>,
    pub users: Option<SessionUsers>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionFilter {
    pub agent_id: Option<String>,
    pub memory_store_id: Option<String>,
    pub include_archived: bool,
    pub created: TimeRange,
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
    pub id: String,
    pub event_type: String,
    pub processed_at: String,
    pub body: Map<String, Value>,
}

impl Serialize for SessionEvent {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.body.serialize(serializer)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub types: Vec<String>,
    pub created: TimeRange,
    pub order: Order,
}

// ---------------------------------------------------------------------------------------------
// Dreams

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DreamStatus {
    Pending,
    Running,
    Completed,
    Failed,
    Canceled,
}

impl DreamStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DreamStatus::Pending => "pending",
            DreamStatus::Running => "running",
            DreamStatus::Completed => "completed",
            DreamStatus::Failed => "failed",
            DreamStatus::Canceled => "canceled",
        }
    }

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

    pub fn is_final(self) -> bool {
        matches!(
            self,
            DreamStatus::Completed | DreamStatus::Failed | DreamStatus::Canceled
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DreamInput {
    MemoryStore {
        memory_store_id: String,
    },
    Sessions {
        session_ids: Vec<String>,
        /// lucid: only sessions pinned `trusted` feed the dream; the others are skipped (and
        /// listed in the report with the reason). Shown only when set.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        trusted_only: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DreamOutput {
    MemoryStore { memory_store_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OutputBehavior {
    /// Write the result to a new store (the default): the input store is never modified.
    CreateNew,
    /// Write the result into the input store (needs the store's `auto_apply` policy).
    UpdateExisting { memory_store_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DreamModel {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DreamErrorObject {
    /// `input_session_unavailable`, `input_memory_store_unavailable`, `no_usable_session`,
    /// `internal_error`, …
    #[serde(rename = "type")]
    pub kind: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DreamUsage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_input_tokens: u64,
    pub cache_creation_input_tokens: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dream {
    #[serde(rename = "type")]
    pub object: DreamType,
    pub id: String,
    pub status: DreamStatus,
    pub inputs: Vec<DreamInput>,
    pub outputs: Vec<DreamOutput>,
    pub model: DreamModel,
    pub instructions: Option<String>,
    pub output_behavior: OutputBehavior,
    pub session_id: Option<String>,
    pub created_at: String,
    /// lucid: when a worker picked the dream up.
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    pub archived_at: Option<String>,
    pub error: Option<DreamErrorObject>,
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
    pub fn memory_store_id(&self) -> Option<&str> {
        self.inputs.iter().find_map(|input| match input {
            DreamInput::MemoryStore { memory_store_id } => Some(memory_store_id.as_str()),
            DreamInput::Sessions { .. } => None,
        })
    }

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

    pub fn output_store_id(&self) -> Option<&str> {
        self.outputs.first().map(|output| match output {
            DreamOutput::MemoryStore { memory_store_id } => memory_store_id.as_str(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDream {
    pub memory_store_id: String,
    /// 1 to 100 distinct ids (stored sorted).
    pub session_ids: Vec<String>,
    pub model: DreamModel,
    pub instructions: Option<String>,
    pub output_behavior: OutputBehavior,
    pub schedule_id: Option<String>,
    /// Only sessions pinned `trusted` feed the dream.
    pub trusted_only: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DreamFilter {
    pub statuses: Vec<DreamStatus>,
    pub created: TimeRange,
    pub include_archived: bool,
}

/// What a worker starts a dream with: read in the same transaction that marks it started.
#[derive(Debug, Clone, PartialEq)]
pub struct StartedDream {
    pub dream: Dream,
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
    pub session: Session,
    /// The agent's name (what reports call the agent).
    pub agent_name: String,
    pub events: Vec<SessionEvent>,
}

/// What a finished dream writes, all in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct DreamCompletion {
    /// The curated store (the output store is made equal to it).
    pub documents: Vec<(String, String)>,
    pub report: Value,
    pub diff: Value,
    pub usage: DreamUsage,
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
    #[serde(rename = "type")]
    pub object: String,
    pub dream_id: String,
    pub memory_store_id: String,
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
    pub agent_ids: Vec<String>,
    /// The acknowledgement of the report's flags, as for a whole promotion.
    pub accept_flags: bool,
    /// Who decided (the reviewer's key); each accepted change is a version by them.
    pub reviewer: Option<Actor>,
    pub accepted: Vec<String>,
    pub rejected: Vec<String>,
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
    pub change_id: String,
    pub documents: Vec<(String, Option<String>)>,
}

// ---------------------------------------------------------------------------------------------
// Schedules

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Schedule {
    #[serde(rename = "type")]
    pub object: ScheduleType,
    pub id: String,
    pub memory_store_id: String,
    /// A cron expression (5 or 6 fields, UTC).
    pub cron: Option<String>,
    /// Run once this many sessions attached to the store have not been dreamed yet.
    pub after_sessions: Option<u32>,
    pub instructions: Option<String>,
    pub model: DreamModel,
    /// Promote the output to the agents on the store when the dream completes.
    pub auto_promote: bool,
    /// The agents to promote (default: every agent using the store).
    pub agent_ids: Vec<String>,
    pub next_run_at: Option<String>,
    pub last_run_at: Option<String>,
    pub last_dream_id: Option<String>,
    /// lucid: how the last run ended, e.g. promoted, or held back for review because its
    /// report has flags.
    pub last_run_note: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSchedule {
    pub memory_store_id: String,
    pub cron: Option<String>,
    pub after_sessions: Option<u32>,
    pub instructions: Option<String>,
    pub model: DreamModel,
    pub auto_promote: bool,
    pub agent_ids: Vec<String>,
    pub next_run_at: Option<String>,
}

/// Why a schedule fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleTrigger {
    /// The cron time `due` has come; `next` is the following one. Fires only if the schedule's
    /// `next_run_at` is still `due` (so one node fires it).
    Cron { due: String, next: Option<String> },
    /// Enough new sessions: fires if at least `after_sessions` are waiting.
    Sessions,
}
