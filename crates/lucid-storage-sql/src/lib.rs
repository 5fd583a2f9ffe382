//! One storage implementation for the SQL backends: the table logic (`keys.rs`, `stores.rs`,
//! `sessions.rs`, `agents.rs`, `dreams.rs`, `schedules.rs`) and the [`Storage`] implementation
//! exist once, here, written against [`Transaction`] (one open transaction of a database, with
//! owned [`Value`] parameters and [`Row`]s). A backend crate (`lucid-storage-sqlite`,
//! `lucid-storage-postgres`) supplies a [`Backend`]: opening and pooling connections, its
//! migrations, the transactions themselves, its memory-search index, and the few behaviours only
//! it has (SQLite's search cache and WAL checkpoint; PostgreSQL's dream leases). Its public type
//! is `SqlStorage<ItsBackend>`.
//!
//! Every `Storage` method is one transaction: `Backend::read` (a consistent snapshot) or
//! `Backend::write` (the single writer: SQLite's `BEGIN IMMEDIATE`, PostgreSQL's advisory lock).

// Crate-private items say so (`pub(crate)`): `pub` is this crate's API (issue 12 §4).
#![warn(unreachable_pub)]
// Every public item is documented.
#![warn(missing_docs)]
// A library reports failures to its caller and leaves the terminal to binaries (issue 12 §4):
// `expect` only where the message says why it cannot fail, never on input; no `println!`.
#![warn(clippy::expect_used, clippy::print_stdout)]

pub mod agents;
pub mod dreams;
pub mod keys;
pub mod query;
pub mod schedules;
mod seam;
pub mod sessions;
pub mod stores;

use lucid_storage::*;
use serde_json::Value as Json;

pub use crate::seam::{FromValue, Row, ToValue, Transaction, Value};

/// A database the shared table code runs on.
pub trait Backend: Send + Sync + 'static {
    /// Where a database is (a file path, a URL).
    type Location: ?Sized;
    /// Settings beyond the location.
    type Options: Default;

    /// Opens the database at `location` and brings its schema up to date.
    fn open_with(location: &Self::Location, options: Self::Options) -> Result<Self>
    where
        Self: Sized;
    /// The schema version of the database at `location` and the newest this binary knows,
    /// without changing anything.
    fn schema_version(location: &Self::Location) -> Result<(i64, i64)>;
    /// The newest schema version this binary knows.
    fn newest_migration() -> i64;

    /// Runs `work` in one read transaction (a consistent snapshot).
    fn read<T>(&self, work: impl FnOnce(&dyn Transaction) -> Result<T>) -> Result<T>;
    /// Runs `work` in one write transaction, writes from every process serialised; an error
    /// rolls everything back.
    fn write<T>(&self, work: impl FnOnce(&dyn Transaction) -> Result<T>) -> Result<T>;

    /// See [`Storage::health`].
    fn health(&self) -> Result<BackendHealth>;

    /// See [`Storage::follow_changes`]; by default the backend cannot push changes.
    fn follow_changes(&self, on_change: ChangeListener) -> Result<bool> {
        let _ = on_change;
        Ok(false)
    }

    /// See [`Storage::take_rate_token`]; by default the backend keeps no shared buckets.
    fn take_rate_token(&self, holder: &str, rate: BucketRate) -> Result<Option<RateToken>> {
        let _ = (holder, rate);
        Ok(None)
    }

    /// A search of a store (the store checked in the caller's workspace first).
    fn search_memories(
        &self,
        ws: &str,
        store_id: &str,
        query: &str,
        limit: usize,
    ) -> Result<Vec<MemorySearchHit>> {
        self.read(|conn| {
            stores::get_store(conn, ws, store_id)?;
            conn.search(store_id, query, limit)
        })
    }

    /// Called after a store was deleted (to drop what the backend keeps about it).
    fn store_deleted(&self, store_id: &str) {
        let _ = store_id;
    }

    /// Called after a memory version was redacted and committed (a backend that keeps old
    /// pages elsewhere, like SQLite's WAL, scrubs them here).
    fn version_redacted(&self) -> Result<()> {
        Ok(())
    }

    /// Claims the next dream to run, in the write transaction `conn`.
    fn claim(&self, conn: &dyn Transaction) -> Result<Option<Dream>> {
        dreams::claim(conn)
    }

    /// Whether this process may still write for a running dream (a backend with leases says
    /// no once another node took the dream over).
    fn holds_dream(&self, conn: &dyn Transaction, dream_id: &str) -> Result<bool> {
        let _ = (conn, dream_id);
        Ok(true)
    }
}

/// The storage of a SQL backend: [`Storage`] implemented once over `B`. It dereferences to the
/// backend, so backend-only calls (`path()`, `node()` …) read as methods of the storage.
#[derive(Debug)]
pub struct SqlStorage<B> {
    backend: B,
}

impl<B: Backend> SqlStorage<B> {
    /// Wraps a backend already opened.
    pub fn new(backend: B) -> Self {
        SqlStorage { backend }
    }

    /// Opens (creating or migrating as the backend does) the database at `location`.
    pub fn open(location: &B::Location) -> Result<Self> {
        Self::open_with(location, B::Options::default())
    }

    /// Opens the database at `location` with the backend's `options`, creating or migrating it
    /// as the backend does.
    pub fn open_with(location: &B::Location, options: B::Options) -> Result<Self> {
        B::open_with(location, options).map(Self::new)
    }

    /// See [`Backend::schema_version`].
    pub fn schema_version(location: &B::Location) -> Result<(i64, i64)> {
        B::schema_version(location)
    }

    /// See [`Backend::newest_migration`].
    pub fn newest_migration() -> i64 {
        B::newest_migration()
    }

    /// The backend itself, for calls [`Storage`] does not have (`Deref` reaches them too).
    pub fn backend(&self) -> &B {
        &self.backend
    }
}

impl<B> std::ops::Deref for SqlStorage<B> {
    type Target = B;

    fn deref(&self) -> &B {
        &self.backend
    }
}

/// The error of a node that lost a dream's lease to another node.
fn lease_lost(dream_id: &str) -> StorageError {
    StorageError::Invalid(format!(
        "dream {dream_id} is no longer this node's: its lease expired and another node runs it"
    ))
}

impl<B: Backend> Storage for SqlStorage<B> {
    fn health(&self) -> Result<BackendHealth> {
        self.backend.health()
    }

    fn follow_changes(&self, on_change: ChangeListener) -> Result<bool> {
        self.backend.follow_changes(on_change)
    }

    fn take_rate_token(&self, holder: &str, rate: BucketRate) -> Result<Option<RateToken>> {
        self.backend.take_rate_token(holder, rate)
    }

    fn ensure_workspace(&self, name: &str) -> Result<Workspace> {
        self.backend
            .write(|conn| keys::ensure_workspace(conn, name))
    }
    fn create_api_key(
        &self,
        workspace_name: &str,
        key_name: Option<&str>,
    ) -> Result<(ApiKey, String)> {
        self.backend
            .write(|conn| keys::create_key(conn, workspace_name, key_name))
    }
    fn authenticate(&self, secret: &str) -> Result<Option<ApiKey>> {
        self.backend.read(|conn| keys::authenticate(conn, secret))
    }
    fn count_api_keys(&self) -> Result<u64> {
        self.backend.read(keys::count)
    }
    fn list_api_keys(&self) -> Result<Vec<ApiKey>> {
        self.backend.read(keys::list)
    }
    fn revoke_api_key(&self, id: &str) -> Result<ApiKey> {
        self.backend.write(|conn| keys::revoke(conn, id))
    }

    fn create_store(&self, ws: &str, new: NewStore) -> Result<MemoryStore> {
        self.backend
            .write(|conn| stores::create_store(conn, ws, new))
    }
    fn get_store(&self, ws: &str, id: &str) -> Result<MemoryStore> {
        self.backend.read(|conn| stores::get_store(conn, ws, id))
    }
    fn list_stores(
        &self,
        ws: &str,
        filter: &StoreFilter,
        page: &PageRequest,
    ) -> Result<Page<MemoryStore>> {
        self.backend
            .read(|conn| stores::list_stores(conn, ws, filter, page))
    }
    fn update_store(&self, ws: &str, id: &str, patch: StorePatch) -> Result<MemoryStore> {
        self.backend
            .write(|conn| stores::update_store(conn, ws, id, patch))
    }
    fn archive_store(&self, ws: &str, id: &str) -> Result<MemoryStore> {
        self.backend
            .write(|conn| stores::archive_store(conn, ws, id))
    }
    fn delete_store(&self, ws: &str, id: &str) -> Result<()> {
        self.backend
            .write(|conn| stores::delete_store(conn, ws, id))?;
        self.backend.store_deleted(id);
        Ok(())
    }

    fn create_memory(
        &self,
        ws: &str,
        store_id: &str,
        path: &str,
        content: &str,
        actor: Option<&Actor>,
    ) -> Result<Memory> {
        self.backend
            .write(|conn| stores::create_memory(conn, ws, store_id, path, content, actor))
    }
    fn get_memory(&self, ws: &str, store_id: &str, memory_id: &str, full: bool) -> Result<Memory> {
        self.backend
            .read(|conn| stores::get_memory(conn, ws, store_id, memory_id, full))
    }
    fn list_memories(
        &self,
        ws: &str,
        store_id: &str,
        filter: &MemoryFilter,
        page: &PageRequest,
    ) -> Result<Page<MemoryListItem>> {
        self.backend
            .read(|conn| stores::list_memories(conn, ws, store_id, filter, page))
    }
    fn update_memory(
        &self,
        ws: &str,
        store_id: &str,
        memory_id: &str,
        patch: MemoryPatch,
        actor: Option<&Actor>,
    ) -> Result<Memory> {
        self.backend
            .write(|conn| stores::update_memory(conn, ws, store_id, memory_id, patch, actor))
    }
    fn set_memory_as_of(
        &self,
        ws: &str,
        store_id: &str,
        memory_id: &str,
        as_of: Option<&str>,
    ) -> Result<()> {
        self.backend
            .write(|conn| stores::set_memory_as_of(conn, ws, store_id, memory_id, as_of))
    }
    fn delete_memory(
        &self,
        ws: &str,
        store_id: &str,
        memory_id: &str,
        expected_sha256: Option<&str>,
        actor: Option<&Actor>,
    ) -> Result<()> {
        self.backend.write(|conn| {
            stores::delete_memory(conn, ws, store_id, memory_id, expected_sha256, actor)
        })
    }
    fn get_memory_version(
        &self,
        ws: &str,
        store_id: &str,
        version_id: &str,
        full: bool,
    ) -> Result<MemoryVersion> {
        self.backend
            .read(|conn| stores::get_version(conn, ws, store_id, version_id, full))
    }
    fn list_memory_versions(
        &self,
        ws: &str,
        store_id: &str,
        filter: &VersionFilter,
        page: &PageRequest,
    ) -> Result<Page<MemoryVersion>> {
        self.backend
            .read(|conn| stores::list_versions(conn, ws, store_id, filter, page))
    }
    fn redact_memory_version(
        &self,
        ws: &str,
        store_id: &str,
        version_id: &str,
        actor: Option<&Actor>,
    ) -> Result<MemoryVersion> {
        let version = self
            .backend
            .write(|conn| stores::redact_version(conn, ws, store_id, version_id, actor))?;
        self.backend.version_redacted()?;
        Ok(version)
    }
    fn memory_at_path(&self, ws: &str, store_id: &str, path: &str) -> Result<Option<Memory>> {
        self.backend
            .read(|conn| stores::memory_at_path(conn, ws, store_id, path))
    }
    fn search_memories(
        &self,
        ws: &str,
        store_id: &str,
        query: &str,
        limit: usize,
    ) -> Result<Vec<MemorySearchHit>> {
        self.backend.search_memories(ws, store_id, query, limit)
    }
    fn store_documents(&self, ws: &str, store_id: &str) -> Result<Vec<Document>> {
        self.backend.read(|conn| {
            stores::get_store(conn, ws, store_id)?;
            stores::documents(conn, store_id)
        })
    }

    fn create_agent(&self, ws: &str, new: NewAgent) -> Result<Agent> {
        self.backend.write(|conn| agents::create(conn, ws, new))
    }
    fn get_agent(&self, ws: &str, id: &str) -> Result<Agent> {
        self.backend.read(|conn| agents::get(conn, ws, id))
    }
    fn find_agent_by_name(&self, ws: &str, name: &str) -> Result<Option<Agent>> {
        self.backend
            .read(|conn| agents::find_by_name(conn, ws, name))
    }
    fn list_agents(
        &self,
        ws: &str,
        filter: &AgentFilter,
        page: &PageRequest,
    ) -> Result<Page<Agent>> {
        self.backend
            .read(|conn| agents::list(conn, ws, filter, page))
    }
    fn update_agent(&self, ws: &str, id: &str, patch: AgentPatch) -> Result<Agent> {
        self.backend
            .write(|conn| agents::update(conn, ws, id, patch))
    }
    fn archive_agent(&self, ws: &str, id: &str) -> Result<Agent> {
        self.backend.write(|conn| agents::archive(conn, ws, id))
    }
    fn rollback_agent(&self, ws: &str, id: &str) -> Result<Agent> {
        self.backend.write(|conn| agents::rollback(conn, ws, id))
    }
    fn list_agent_versions(&self, ws: &str, id: &str, page: &PageRequest) -> Result<Page<Json>> {
        self.backend
            .read(|conn| agents::list_versions(conn, ws, id, page))
    }

    fn create_session(&self, ws: &str, new: NewSession) -> Result<Session> {
        self.backend.write(|conn| sessions::create(conn, ws, new))
    }
    fn get_session(&self, ws: &str, id: &str) -> Result<Session> {
        self.backend.read(|conn| sessions::get(conn, ws, id))
    }
    fn list_sessions(
        &self,
        ws: &str,
        filter: &SessionFilter,
        page: &PageRequest,
    ) -> Result<Page<Session>> {
        self.backend
            .read(|conn| sessions::list(conn, ws, filter, page))
    }
    fn update_session(&self, ws: &str, id: &str, patch: SessionPatch) -> Result<Session> {
        self.backend
            .write(|conn| sessions::update(conn, ws, id, patch))
    }
    fn archive_session(&self, ws: &str, id: &str) -> Result<Session> {
        self.backend.write(|conn| sessions::archive(conn, ws, id))
    }
    fn delete_session(&self, ws: &str, id: &str) -> Result<()> {
        self.backend.write(|conn| sessions::delete(conn, ws, id))
    }
    fn append_events(
        &self,
        ws: &str,
        session_id: &str,
        events: Vec<NewEvent>,
    ) -> Result<Vec<SessionEvent>> {
        self.backend.write(|conn| {
            let session = sessions::get(conn, ws, session_id)?;
            if session.kind == SessionKind::Dream {
                return Err(StorageError::Invalid(format!(
                    "session {session_id} narrates dream {}; only the dream writes to it",
                    session.dream_id.as_deref().unwrap_or("?")
                )));
            }
            if session.archived_at.is_some() {
                return Err(StorageError::Invalid(format!(
                    "session {session_id} is archived; it takes no more events"
                )));
            }
            sessions::append(conn, session_id, events)
        })
    }
    fn list_events(
        &self,
        ws: &str,
        session_id: &str,
        filter: &EventFilter,
        page: &PageRequest,
    ) -> Result<Page<SessionEvent>> {
        self.backend
            .read(|conn| sessions::list_events(conn, ws, session_id, filter, page))
    }
    fn events_after(
        &self,
        ws: &str,
        session_id: &str,
        after: i64,
        limit: usize,
    ) -> Result<(Vec<SessionEvent>, bool)> {
        self.backend
            .read(|conn| sessions::events_after(conn, ws, session_id, after, limit))
    }
    fn event_position(&self, ws: &str, session_id: &str, event_id: &str) -> Result<Option<i64>> {
        self.backend.read(|conn| {
            sessions::get(conn, ws, session_id)?;
            sessions::event_position(conn, session_id, event_id)
        })
    }

    fn create_dream(&self, ws: &str, new: NewDream) -> Result<Dream> {
        self.backend.write(|conn| dreams::create(conn, ws, new))
    }
    fn get_dream(&self, ws: &str, id: &str) -> Result<Dream> {
        self.backend.read(|conn| dreams::get(conn, ws, id))
    }
    fn list_dreams(
        &self,
        ws: &str,
        filter: &DreamFilter,
        page: &PageRequest,
    ) -> Result<Page<Dream>> {
        self.backend
            .read(|conn| dreams::list(conn, ws, filter, page))
    }
    fn cancel_dream(&self, ws: &str, id: &str) -> Result<Dream> {
        self.backend.write(|conn| dreams::cancel(conn, ws, id))
    }
    fn archive_dream(&self, ws: &str, id: &str) -> Result<Dream> {
        self.backend.write(|conn| dreams::archive(conn, ws, id))
    }
    fn dream_report(&self, ws: &str, id: &str) -> Result<Option<Json>> {
        self.backend
            .read(|conn| dreams::result_column(conn, ws, id, "report"))
    }
    fn dream_diff(&self, ws: &str, id: &str) -> Result<Option<Json>> {
        self.backend
            .read(|conn| dreams::result_column(conn, ws, id, "diff"))
    }
    fn promote_dream(
        &self,
        ws: &str,
        id: &str,
        agent_ids: &[String],
        accept_flags: bool,
    ) -> Result<Promotion> {
        self.backend
            .write(|conn| dreams::promote(conn, ws, id, agent_ids, accept_flags))
    }
    fn dream_input_documents(&self, ws: &str, id: &str) -> Result<Option<Vec<(String, String)>>> {
        self.backend
            .read(|conn| dreams::input_documents(conn, ws, id))
    }
    fn promote_reviewed_dream(
        &self,
        ws: &str,
        id: &str,
        promotion: ReviewedPromotion,
    ) -> Result<Promotion> {
        self.backend
            .write(|conn| dreams::promote_reviewed(conn, ws, id, &promotion))
    }
    fn discard_dream(&self, ws: &str, id: &str) -> Result<Dream> {
        self.backend.write(|conn| dreams::discard(conn, ws, id))
    }

    fn claim_dream(&self) -> Result<Option<Dream>> {
        self.backend.write(|conn| self.backend.claim(conn))
    }
    fn start_dream(&self, dream_id: &str) -> Result<StartedDream> {
        self.backend.write(|conn| {
            if !self.backend.holds_dream(conn, dream_id)? {
                return Err(lease_lost(dream_id));
            }
            dreams::start(conn, dream_id)
        })
    }
    fn dream_sessions(&self, dream_id: &str) -> Result<Vec<DreamSession>> {
        self.backend
            .read(|conn| dreams::input_sessions(conn, dream_id))
    }
    fn narrate(&self, dream_id: &str, events: Vec<NewEvent>) -> Result<()> {
        self.backend.write(|conn| {
            if !self.backend.holds_dream(conn, dream_id)? {
                return Err(lease_lost(dream_id));
            }
            dreams::narrate(conn, dream_id, events)
        })
    }
    fn complete_dream(&self, dream_id: &str, completion: DreamCompletion) -> Result<bool> {
        // A node whose lease expired writes nothing: the node that claimed the dream since
        // writes its output, once.
        self.backend.write(|conn| {
            if !self.backend.holds_dream(conn, dream_id)? {
                return Ok(false);
            }
            dreams::complete(conn, dream_id, completion)
        })
    }
    fn fail_dream(&self, dream_id: &str, error: DreamErrorObject) -> Result<bool> {
        self.backend.write(|conn| {
            if !self.backend.holds_dream(conn, dream_id)? {
                return Ok(false);
            }
            dreams::fail(conn, dream_id, &error)
        })
    }
    fn recover_dreams(&self) -> Result<Vec<String>> {
        self.backend.write(dreams::recover)
    }
    fn dream_status(&self, dream_id: &str) -> Result<DreamStatus> {
        self.backend.read(|conn| dreams::status(conn, dream_id))
    }

    fn create_schedule(&self, ws: &str, new: NewSchedule) -> Result<Schedule> {
        self.backend.write(|conn| schedules::create(conn, ws, new))
    }
    fn get_schedule(&self, ws: &str, id: &str) -> Result<Schedule> {
        self.backend.read(|conn| schedules::get(conn, ws, id))
    }
    fn list_schedules(&self, ws: &str, page: &PageRequest) -> Result<Page<Schedule>> {
        self.backend.read(|conn| schedules::list(conn, ws, page))
    }
    fn delete_schedule(&self, ws: &str, id: &str) -> Result<()> {
        self.backend.write(|conn| schedules::delete(conn, ws, id))
    }
    fn all_schedules(&self) -> Result<Vec<Schedule>> {
        self.backend.read(schedules::all)
    }
    fn fire_schedule(&self, schedule_id: &str, trigger: ScheduleTrigger) -> Result<Option<Dream>> {
        self.backend
            .write(|conn| schedules::fire(conn, schedule_id, trigger))
    }

    fn cached_model_response(&self, key: &str) -> Result<Option<String>> {
        self.backend.read(|conn| {
            conn.optional(
                "SELECT answer FROM model_responses WHERE key = ?1",
                params![key],
                |row| row.get(0),
            )
        })
    }

    fn cache_model_response(&self, key: &str, answer: &str) -> Result<()> {
        self.backend.write(|conn| {
            conn.execute(
                "INSERT INTO model_responses (key, answer, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET answer = excluded.answer",
                params![key, answer, ids::now()],
            )?;
            Ok(())
        })
    }
}
