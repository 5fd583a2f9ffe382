//! lucid's storage boundary: the objects the service keeps (workspaces and keys, memory stores,
//! memories and their versions, agents, sessions and events, dreams, schedules), the [`Storage`]
//! trait every backend implements, and a [`conformance`] suite every backend must pass.
//!
//! The trait is synchronous on purpose: the embedded backend (SQLite through rusqlite) is
//! synchronous, a PostgreSQL backend can use the synchronous `postgres` client, and the server
//! calls it from `tokio::task::spawn_blocking`, so no async trait machinery is needed. Each
//! method is one transaction: a method either does all it says or nothing.
//!
//! Every object belongs to one workspace, and every method that reads or changes an object takes
//! the caller's workspace id: an object of another workspace is [`StorageError::NotFound`], the
//! same as one that does not exist. The dream-worker methods (`claim_dream`, `start_dream`, …)
//! serve every workspace and take only a dream id.
//!
//! Rules that need a transaction live here (a path is free, a store is not archived, a dream may
//! be canceled); shape rules (lengths, path syntax) are in [`validate`] and are checked by both
//! the server and the backends.
//!
//! Not for: the curation itself (that is `lucid-core`), or HTTP concerns.

// Crate-private items say so (`pub(crate)`): `pub` is this crate's API (issue 12 §4).
#![warn(unreachable_pub)]
// Every public item is documented.
#![warn(missing_docs)]
// A library reports failures to its caller and leaves the terminal to binaries (issue 12 §4):
// `expect` only where the message says why it cannot fail, never on input; no `println!`.
#![warn(clippy::expect_used, clippy::print_stdout)]

pub mod conformance;
pub mod ids;
mod types;
pub mod validate;

use serde_json::Value;

pub use types::*;

/// Errors of a storage backend.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StorageError {
    /// No such object in this workspace.
    #[error("{kind} {id} not found")]
    NotFound {
        /// What kind of object was looked for.
        kind: ObjectKind,
        /// The id asked for, as the caller gave it.
        id: String,
    },
    /// The request conflicts with the current state (a path taken, a precondition failed).
    #[error("{0}")]
    Conflict(String),
    /// The request breaks a rule (an archived store is read-only, a dream cannot be canceled…).
    #[error("{0}")]
    Invalid(String),
    /// The backend failed (I/O, corruption, a bug). Details are for the log, not the client.
    #[error("storage backend error: {0}")]
    Backend(String),
}

/// What a [`StorageError::NotFound`] could not find: callers branch on it (a dream whose input
/// session is gone fails differently from one whose store is gone), and it names the object in
/// messages (`memory_store memstore_… not found`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    /// An API key (`apikey_…`).
    ApiKey,
    /// A memory store (`memstore_…`).
    MemoryStore,
    /// A live memory of a store (`mem_…`).
    Memory,
    /// One version in a memory's history (`memver_…`).
    MemoryVersion,
    /// An agent (`agent_…`).
    Agent,
    /// A session, an agent's log or a dream's narration (`sesn_…`).
    Session,
    /// A dream (`drm_…`).
    Dream,
    /// A dream schedule (`sched_…`).
    Schedule,
}

impl ObjectKind {
    /// The object's API name (its `type`, snake case).
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::ApiKey => "api_key",
            ObjectKind::MemoryStore => "memory_store",
            ObjectKind::Memory => "memory",
            ObjectKind::MemoryVersion => "memory_version",
            ObjectKind::Agent => "agent",
            ObjectKind::Session => "session",
            ObjectKind::Dream => "dream",
            ObjectKind::Schedule => "schedule",
        }
    }
}

impl std::fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl StorageError {
    /// A [`StorageError::NotFound`] for `id`, copying the id into the error.
    pub fn not_found(kind: ObjectKind, id: &str) -> Self {
        StorageError::NotFound {
            kind,
            id: id.to_string(),
        }
    }
}

/// What every storage call returns: the value, or a [`StorageError`].
pub type Result<T> = std::result::Result<T, StorageError>;

/// The storage a lucid server runs on. See the crate documentation for the rules every
/// implementation follows; [`conformance`] checks them.
pub trait Storage: Send + Sync + 'static {
    // --- workspaces and API keys ------------------------------------------------------------

    /// The workspace with this name, created if needed.
    fn ensure_workspace(&self, name: &str) -> Result<Workspace>;
    /// A new key for the workspace (created if needed). Returns the key and its secret, which is
    /// stored only as a SHA-256 hash and cannot be shown again.
    fn create_api_key(
        &self,
        workspace_name: &str,
        key_name: Option<&str>,
    ) -> Result<(ApiKey, String)>;
    /// The active key with this secret, if any.
    fn authenticate(&self, secret: &str) -> Result<Option<ApiKey>>;
    /// How many keys are active (none: the server may run without authentication).
    fn count_api_keys(&self) -> Result<u64>;
    /// Every key of every workspace, revoked ones included, oldest first (for operators; no
    /// workspace is checked).
    fn list_api_keys(&self) -> Result<Vec<ApiKey>>;
    /// Marks the key revoked so it no longer authenticates, and returns it; revoking a revoked
    /// key returns it unchanged. `NotFound` for an unknown id, whatever its workspace.
    fn revoke_api_key(&self, id: &str) -> Result<ApiKey>;

    // --- memory stores ------------------------------------------------------------------------

    /// Creates an empty store; a name, description or metadata breaking [`validate`]'s limits
    /// is `Invalid`.
    fn create_store(&self, ws: &str, new: NewStore) -> Result<MemoryStore>;
    /// The store, archived or not.
    fn get_store(&self, ws: &str, id: &str) -> Result<MemoryStore>;
    /// Oldest first.
    fn list_stores(
        &self,
        ws: &str,
        filter: &StoreFilter,
        page: &PageRequest,
    ) -> Result<Page<MemoryStore>>;
    /// Refused (`Invalid`) for an archived store.
    fn update_store(&self, ws: &str, id: &str, patch: StorePatch) -> Result<MemoryStore>;
    /// One-way; archiving an archived store returns it unchanged. A `Conflict` while an agent
    /// uses the store (an agent never ends up on an archived store).
    fn archive_store(&self, ws: &str, id: &str) -> Result<MemoryStore>;
    /// Deletes the store with its memories and versions. Refused while a pending or running
    /// dream reads or writes it, or while an agent uses it.
    fn delete_store(&self, ws: &str, id: &str) -> Result<()>;

    // --- memories -----------------------------------------------------------------------------

    /// Never overwrites: a taken path is a `Conflict`. Appends a `created` version.
    fn create_memory(
        &self,
        ws: &str,
        store_id: &str,
        path: &str,
        content: &str,
        actor: Option<&Actor>,
    ) -> Result<Memory>;
    /// The live memory, with its content only when `full`.
    fn get_memory(&self, ws: &str, store_id: &str, memory_id: &str, full: bool) -> Result<Memory>;
    /// Sorted by path; with `depth`, deeper memories are rolled up into prefixes.
    fn list_memories(
        &self,
        ws: &str,
        store_id: &str,
        filter: &MemoryFilter,
        page: &PageRequest,
    ) -> Result<Page<MemoryListItem>>;
    /// Changes content and/or path (appending a `modified` version; nothing when nothing
    /// changes). A failed precondition or a taken path is a `Conflict`.
    fn update_memory(
        &self,
        ws: &str,
        store_id: &str,
        memory_id: &str,
        patch: MemoryPatch,
        actor: Option<&Actor>,
    ) -> Result<Memory>;
    /// Sets (or clears) when the memory's content was true: a dream dates the memory's items
    /// by it instead of treating them as older than any session evidence.
    fn set_memory_as_of(
        &self,
        ws: &str,
        store_id: &str,
        memory_id: &str,
        as_of: Option<&str>,
    ) -> Result<()>;
    /// Appends a `deleted` version; the memory's versions stay.
    fn delete_memory(
        &self,
        ws: &str,
        store_id: &str,
        memory_id: &str,
        expected_sha256: Option<&str>,
        actor: Option<&Actor>,
    ) -> Result<()>;
    /// One version of the store's memories (of a deleted memory too), with its content only
    /// when `full`.
    fn get_memory_version(
        &self,
        ws: &str,
        store_id: &str,
        version_id: &str,
        full: bool,
    ) -> Result<MemoryVersion>;
    /// Newest first.
    fn list_memory_versions(
        &self,
        ws: &str,
        store_id: &str,
        filter: &VersionFilter,
        page: &PageRequest,
    ) -> Result<Page<MemoryVersion>>;
    /// Clears a version's content and path (the only change a version ever gets). Refused for
    /// the current version of a live memory.
    fn redact_memory_version(
        &self,
        ws: &str,
        store_id: &str,
        version_id: &str,
        actor: Option<&Actor>,
    ) -> Result<MemoryVersion>;
    /// Every document of the store, sorted by path.
    fn store_documents(&self, ws: &str, store_id: &str) -> Result<Vec<Document>>;
    /// The live memory at `path` (with content), if any.
    fn memory_at_path(&self, ws: &str, store_id: &str, path: &str) -> Result<Option<Memory>>;
    /// The `limit` items of the store's memories that best match `query` (BM25 over
    /// `lucid_search` terms: stemmed words, identifiers whole and by part), best first. The
    /// backend keeps its index up to date on every write: a search never rebuilds it.
    fn search_memories(
        &self,
        ws: &str,
        store_id: &str,
        query: &str,
        limit: usize,
    ) -> Result<Vec<MemorySearchHit>>;

    // --- agents -------------------------------------------------------------------------------

    /// A `memory_store_id` must name a store the agent may use directly: not archived, and not
    /// the output of a dream that is unfinished or has unacknowledged flags (that store is
    /// reached through promotion); otherwise a `Conflict` naming the reason.
    fn create_agent(&self, ws: &str, new: NewAgent) -> Result<Agent>;
    /// The agent, archived or not.
    fn get_agent(&self, ws: &str, id: &str) -> Result<Agent>;
    /// The newest non-archived agent with this name.
    fn find_agent_by_name(&self, ws: &str, name: &str) -> Result<Option<Agent>>;
    /// Oldest first.
    fn list_agents(
        &self,
        ws: &str,
        filter: &AgentFilter,
        page: &PageRequest,
    ) -> Result<Page<Agent>>;
    /// A new `memory_store_id` follows the rules of [`Storage::create_agent`].
    fn update_agent(&self, ws: &str, id: &str, patch: AgentPatch) -> Result<Agent>;
    /// One-way: an archived agent is read-only and starts no sessions; archiving it again
    /// returns it unchanged.
    fn archive_agent(&self, ws: &str, id: &str) -> Result<Agent>;
    /// Switches the agent back to the store it used before the last promotion (and remembers
    /// the one it leaves, so a second rollback undoes the first). `Invalid` without one; a
    /// `Conflict` when that store is archived (a discarded dream's output) or deleted.
    fn rollback_agent(&self, ws: &str, id: &str) -> Result<Agent>;
    /// The agent's versions, newest first: each the snapshot sessions of that version report as
    /// their `agent` (`type`, `id`, `name`, `model`, `description`, `system`, `tools`,
    /// `mcp_servers`, `skills`, `version`, extra fields) plus `created_at`. Sessions reference
    /// a version rather than holding a copy of the agent.
    fn list_agent_versions(&self, ws: &str, id: &str, page: &PageRequest) -> Result<Page<Value>>;

    // --- sessions and events ------------------------------------------------------------------

    /// Creates the session with its initial events. Memory-store resources must name stores of
    /// the workspace.
    fn create_session(&self, ws: &str, new: NewSession) -> Result<Session>;
    /// The session, archived or not, of either kind.
    fn get_session(&self, ws: &str, id: &str) -> Result<Session>;
    /// In creation order, the direction set by `filter.order`.
    fn list_sessions(
        &self,
        ws: &str,
        filter: &SessionFilter,
        page: &PageRequest,
    ) -> Result<Page<Session>>;
    /// An archived session takes only trust and users changes; a dream's narration takes
    /// neither (both `Invalid`).
    fn update_session(&self, ws: &str, id: &str, patch: SessionPatch) -> Result<Session>;
    /// One-way: an archived session takes no more events; archiving it again returns it
    /// unchanged.
    fn archive_session(&self, ws: &str, id: &str) -> Result<Session>;
    /// Deletes the session with its events. Refused (`Invalid`) for the narration of a dream
    /// that is still pending or running.
    fn delete_session(&self, ws: &str, id: &str) -> Result<()>;
    /// Appends events in order. A caller's event id must be new in the session (`Conflict`).
    /// Refused for archived sessions and dream narrations.
    fn append_events(
        &self,
        ws: &str,
        session_id: &str,
        events: Vec<NewEvent>,
    ) -> Result<Vec<SessionEvent>>;
    /// In append order, the direction set by `filter.order`.
    fn list_events(
        &self,
        ws: &str,
        session_id: &str,
        filter: &EventFilter,
        page: &PageRequest,
    ) -> Result<Page<SessionEvent>>;
    /// Up to `limit` events after position `after` (exclusive) in append order, and whether more
    /// may still come (false once a dream's narration has ended or the session is archived).
    fn events_after(
        &self,
        ws: &str,
        session_id: &str,
        after: i64,
        limit: usize,
    ) -> Result<(Vec<SessionEvent>, bool)>;
    /// The position of an event (to resume a stream from `Last-Event-ID`).
    fn event_position(&self, ws: &str, session_id: &str, event_id: &str) -> Result<Option<i64>>;

    // --- dreams -------------------------------------------------------------------------------

    /// Checks the inputs (store exists and is not archived, sessions exist) and queues the
    /// dream as `pending`.
    fn create_dream(&self, ws: &str, new: NewDream) -> Result<Dream>;
    /// The dream, in any state, archived or not.
    fn get_dream(&self, ws: &str, id: &str) -> Result<Dream>;
    /// Newest first.
    fn list_dreams(
        &self,
        ws: &str,
        filter: &DreamFilter,
        page: &PageRequest,
    ) -> Result<Page<Dream>>;
    /// pending/running → canceled (the output store, if any, is archived); canceled: unchanged;
    /// completed/failed: `Invalid`.
    fn cancel_dream(&self, ws: &str, id: &str) -> Result<Dream>;
    /// Only final dreams; archiving twice returns it unchanged.
    fn archive_dream(&self, ws: &str, id: &str) -> Result<Dream>;
    /// The engine's report (`None` until the dream has one).
    fn dream_report(&self, ws: &str, id: &str) -> Result<Option<Value>>;
    /// Per-document differences between the input as read and the output (`None` until done).
    fn dream_diff(&self, ws: &str, id: &str) -> Result<Option<Value>>;
    /// Atomically switches the agents to the dream's output store, recording the previous one.
    /// A dream whose report has flags (`flag_count > 0`) is a `Conflict` naming their number
    /// unless `accept_flags`: a person has to acknowledge them. An archived (discarded) or
    /// deleted output store is a `Conflict` too.
    fn promote_dream(
        &self,
        ws: &str,
        id: &str,
        agent_ids: &[String],
        accept_flags: bool,
    ) -> Result<Promotion>;
    /// The input store's documents (path, content, sorted by path) as the dream read them,
    /// kept by [`Storage::start_dream`]; `None` before the dream started (or for a dream started
    /// by a backend that did not keep them yet).
    fn dream_input_documents(&self, ws: &str, id: &str) -> Result<Option<Vec<(String, String)>>>;
    /// Promotes part of a completed dream, in one transaction, with the same checks as
    /// [`Storage::promote_dream`] (status, flags, agents; nothing is written when one fails):
    /// creates a new store named after the input store and the dream (`… (dream drm_…,
    /// reviewed)`) holding `base` (`created` versions by the dream), writes each step's
    /// documents as versions by `reviewer` (create, modify, or delete for `None`), records the
    /// review on the dream (the dream's `review`, and the returned promotion's) and switches
    /// the agents to the new store. The dream's own output store is left as it is.
    fn promote_reviewed_dream(
        &self,
        ws: &str,
        id: &str,
        promotion: ReviewedPromotion,
    ) -> Result<Promotion>;
    /// Archives the output store of a finished dream (a `Conflict` while an agent uses it).
    fn discard_dream(&self, ws: &str, id: &str) -> Result<Dream>;

    // --- the dream worker (every workspace) ---------------------------------------------------

    /// Marks the oldest pending dream `running` and returns it.
    fn claim_dream(&self) -> Result<Option<Dream>>;
    /// In one transaction: reads the input store, checks the sessions exist, creates the
    /// narration session and (for `create_new`) the output store as a clone of the input, and
    /// records both on the dream, with the input documents as read (for
    /// [`Storage::dream_input_documents`]). A missing input is `NotFound` with kind `memory_store` or
    /// `session`; a dream no longer running is `Invalid`.
    fn start_dream(&self, dream_id: &str) -> Result<StartedDream>;
    /// The input sessions with their events.
    fn dream_sessions(&self, dream_id: &str) -> Result<Vec<DreamSession>>;
    /// Appends narration events to the dream's session.
    fn narrate(&self, dream_id: &str, events: Vec<NewEvent>) -> Result<()>;
    /// In one transaction, if the dream is still running: writes the output store, the report
    /// and diff, records the report's flag count, marks it completed, and promotes it when its
    /// schedule says so — unless the report has flags (the schedule's `last_run_note` says
    /// why). An `update_existing` dream whose report has flags is not applied in place: its
    /// result goes to a new store for review, as a `create_new` dream's would. `false` (and
    /// nothing written) when the dream was canceled meanwhile.
    fn complete_dream(&self, dream_id: &str, completion: DreamCompletion) -> Result<bool>;
    /// pending/running → failed with `error` (the output store is archived). `false` when the
    /// dream had already ended.
    fn fail_dream(&self, dream_id: &str, error: DreamErrorObject) -> Result<bool>;
    /// After a crash: every `running` dream becomes `failed` with `internal_error`. Returns
    /// their ids.
    fn recover_dreams(&self) -> Result<Vec<String>>;
    /// The dream's current status (a worker polls it to stop a dream canceled meanwhile,
    /// possibly through another server).
    fn dream_status(&self, dream_id: &str) -> Result<DreamStatus>;

    // --- schedules ----------------------------------------------------------------------------

    /// Needs `cron`, `after_sessions` (1 to 100) or both, a store that is not archived, and
    /// agents of the workspace; otherwise `Invalid` or `NotFound`.
    fn create_schedule(&self, ws: &str, new: NewSchedule) -> Result<Schedule>;
    /// The schedule, with when it runs next and how its last run ended.
    fn get_schedule(&self, ws: &str, id: &str) -> Result<Schedule>;
    /// Oldest first.
    fn list_schedules(&self, ws: &str, page: &PageRequest) -> Result<Page<Schedule>>;
    /// Deletes the schedule and its record of sessions already dreamed; the dreams it created
    /// stay.
    fn delete_schedule(&self, ws: &str, id: &str) -> Result<()>;
    /// Every schedule of every workspace (the scheduler checks them).
    fn all_schedules(&self) -> Result<Vec<Schedule>>;
    /// Fires a schedule if its trigger still holds: creates a dream over the sessions attached
    /// to its store that it has not dreamed yet (at most 100, newest first) and records them.
    /// Returns `None` when the trigger no longer holds or no session is waiting (a cron run
    /// then only moves `next_run_at`).
    fn fire_schedule(&self, schedule_id: &str, trigger: ScheduleTrigger) -> Result<Option<Dream>>;

    // --- model response cache -----------------------------------------------------------------

    /// A model answer kept under its content address (the hash of provider, model and exact
    /// request body, computed by `lucid-llm`), or `None`.
    fn cached_model_response(&self, key: &str) -> Result<Option<String>>;
    /// Keeps a model answer under its content address; a second answer for the same key
    /// replaces the first.
    fn cache_model_response(&self, key: &str, answer: &str) -> Result<()>;

    // --- operations ---------------------------------------------------------------------------

    /// What a health check reports: the backend, where it is, its schema version, and the
    /// leases of the dreams running now. Touches the database, so an unreachable one is an
    /// error.
    fn health(&self) -> Result<BackendHealth>;

    /// Calls `on_change` for changes other processes make to the same database (events
    /// appended, dreams queued), so followers need not poll. Returns `false` when the backend
    /// cannot push changes (one process owns the database, as with SQLite): the caller's own
    /// writes are all there is to follow. After `StorageChange::Resync` (the backend lost and
    /// regained its channel) the caller re-reads whatever it follows: changes may have been
    /// missed in between.
    fn follow_changes(&self, on_change: ChangeListener) -> Result<bool> {
        let _ = on_change;
        Ok(false)
    }

    /// Takes a token from the request bucket `holder` that every process on this database
    /// shares (refilled at `rate.per_second` up to `rate.burst`, by the database's clock, so
    /// nodes' clocks need not agree), or says how long until one. `None` when the backend
    /// keeps no shared buckets (one process owns the database): the caller counts in memory.
    fn take_rate_token(&self, holder: &str, rate: BucketRate) -> Result<Option<RateToken>> {
        let _ = (holder, rate);
        Ok(None)
    }
}

/// A token bucket's refill rate and size: see [`Storage::take_rate_token`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketRate {
    /// Tokens added each second.
    pub per_second: f64,
    /// The most tokens the bucket holds (a full bucket allows this many requests at once).
    pub burst: f64,
}

/// What taking a token from a shared bucket gave.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RateToken {
    /// A token was taken: the request may go ahead.
    Taken,
    /// The bucket is empty: the next token comes after this long.
    Wait(std::time::Duration),
}

/// Receives [`StorageChange`]s from a backend's own thread.
pub type ChangeListener = std::sync::Arc<dyn Fn(StorageChange) + Send + Sync>;

/// A change another process made to a shared database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageChange {
    /// Events were appended to this session (a dream's narration included), or it was
    /// archived or deleted.
    SessionChanged(String),
    /// A dream became pending (created, or its lease expired): a worker may claim it.
    DreamQueued(String),
    /// This API key was revoked: forget any cached verification of it.
    KeyRevoked(String),
    /// The backend's channel was lost and is back: anything may have changed meanwhile.
    Resync,
}

/// A backend's health: see [`Storage::health`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BackendHealth {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// The file path, or the URL without its password.
    pub location: String,
    /// The newest migration applied to the database.
    pub schema_version: i64,
    /// This process's name among the nodes sharing the database.
    pub node: String,
    /// The running dreams' leases, oldest dream first.
    pub leases: Vec<DreamLease>,
}

/// Who runs a dream now, and for how long the lease still holds.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DreamLease {
    /// The running dream (`drm_…`).
    pub dream_id: String,
    /// The node holding the lease.
    pub node: String,
    /// Seconds left on the lease (negative: expired, waiting for another worker to claim it);
    /// `None` where the backend has no leases (SQLite: this process runs all its dreams).
    pub expires_in_secs: Option<f64>,
}
