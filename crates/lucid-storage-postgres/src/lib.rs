//! The PostgreSQL backend: many `lucid serve` processes on one database (issue 15).
//!
//! Same tables, same rules and same errors as the SQLite backend (the table modules are kept
//! side by side with `lucid-storage-sqlite`'s and pass the same conformance suite):
//!
//! - **One writer at a time**: every write transaction first takes the transaction-level
//!   advisory lock [`WRITE_LOCK`], so writes from every node are serialised exactly as SQLite's
//!   `BEGIN IMMEDIATE` serialises them, and the checks a write makes (a path is free, a dream is
//!   still running) hold until it commits. Reads never take it: each read is one `REPEATABLE
//!   READ, READ ONLY` transaction (a consistent snapshot), so reads scale with connections.
//! - Every acknowledged write is committed (PostgreSQL's `synchronous_commit`, on by default).
//! - Migrations are embedded SQL files (`migrations/NNNN_*.sql`), applied in order and recorded
//!   in `schema_migrations`, under the session-level advisory lock [`MIGRATION_LOCK`], so two
//!   nodes starting at once migrate once; a database newer than the binary is refused.
//! - **Dream leases**: a node claims a dream (`FOR UPDATE SKIP LOCKED`) with a lease in the
//!   database's clock, renewed by a heartbeat thread every third of [`PostgresOptions::lease`].
//!   When a node dies (kill -9, network loss) its leases expire and another node claims the
//!   dream again and re-runs it from the same inputs. Only the lease holder narrates, completes
//!   or fails a dream, and completion writes the whole output in one transaction, so a dream's
//!   output is committed once. [`Storage::recover_dreams`] keeps the single-server meaning (every
//!   running dream failed) for tools; `lucid serve` never calls it on a shared database.
//! - Connections come from a small pool (idle ones kept up to [`PostgresOptions::pool_size`]);
//!   a broken connection (the server restarted) is dropped and a new one opened.
//!
//! The `postgres` client is synchronous (it runs its own small runtime), like the trait: call it
//! from `tokio::task::spawn_blocking`, never on an async worker thread.

/// `params![a, b]`: the parameters of one call (as rusqlite's macro, for PostgreSQL).
macro_rules! params {
    () => {
        &[] as &[$crate::db::Param<'_>]
    };
    ($($value:expr),+ $(,)?) => {
        &[$(&$value as $crate::db::Param<'_>),+] as &[$crate::db::Param<'_>]
    };
}

mod agents;
mod copy;
mod db;
mod dreams;
mod keys;
mod notify;
mod schedules;
mod search;
mod sessions;
mod stores;
pub mod testing;

use std::sync::Mutex;
use std::time::Duration;

pub use copy::{CopiedTable, copy_from_sqlite};

use lucid_storage::*;
use postgres::{Client, IsolationLevel, NoTls};
use serde_json::Value;

use crate::db::{Connection, Db, OptionalExtension, Pooled};

/// The embedded migrations, in order. Append only.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "initial", include_str!("../migrations/0001_initial.sql")),
    (
        2,
        "dream_reviews",
        include_str!("../migrations/0002_dream_reviews.sql"),
    ),
    (
        3,
        "dream_leases",
        include_str!("../migrations/0003_dream_leases.sql"),
    ),
    (
        4,
        "change_notifications",
        include_str!("../migrations/0004_change_notifications.sql"),
    ),
];

/// The advisory lock key held while migrating ("lucid mig").
pub const MIGRATION_LOCK: i64 = 0x6c75_6369_646d_6967;
/// The advisory lock key every write transaction takes ("lucid wri").
pub const WRITE_LOCK: i64 = 0x6c75_6369_6477_7269;

/// Connection settings beyond the URL.
#[derive(Debug, Clone)]
pub struct PostgresOptions {
    /// Idle connections kept for reuse (more are opened under load and closed after use).
    pub pool_size: usize,
    /// Longest a statement may run before PostgreSQL cancels it (`statement_timeout`); `None`
    /// leaves the server's setting.
    pub statement_timeout: Option<Duration>,
    /// How long to wait for a connection.
    pub connect_timeout: Duration,
    /// How long a claimed dream stays this node's without a heartbeat (renewed every third of
    /// it): after a crash, another node re-runs the dream this long after the last renewal.
    pub lease: Duration,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            pool_size: 8,
            statement_timeout: Some(Duration::from_secs(60)),
            connect_timeout: Duration::from_secs(10),
            lease: Duration::from_secs(30),
        }
    }
}

pub struct PostgresStorage {
    config: postgres::Config,
    options: PostgresOptions,
    /// The URL without its password, for messages.
    display: String,
    idle: Mutex<Vec<Pooled>>,
    /// This storage's name in leases: host, process and a random part, unique per open.
    node: String,
    /// Dropped with the storage: the heartbeat thread stops when it can no longer upgrade it.
    alive: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Drop for PostgresStorage {
    fn drop(&mut self) {
        self.alive.store(false, std::sync::atomic::Ordering::SeqCst);
        // Closing a client waits for the server on the client's own small runtime, which
        // panics on a thread that drives an async runtime (a server drops its state there when
        // it stops): the idle connections are closed on a thread of their own.
        let idle = std::mem::take(
            &mut *self
                .idle
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        if let Ok(closer) = std::thread::Builder::new()
            .name("lucid-pg-close".into())
            .spawn(move || drop(idle))
        {
            let _ = closer.join();
        }
    }
}

impl std::fmt::Debug for PostgresStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStorage")
            .field("database", &self.display)
            .finish()
    }
}

/// Whether `location` names a PostgreSQL database (`postgres://…` or `postgresql://…`) rather
/// than a SQLite file.
pub fn is_postgres_url(location: &str) -> bool {
    let lower = location.trim_start().to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// The URL with any password replaced by `***`, for logs and messages.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find('/') {
        Some(at) => rest.split_at(at),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

impl PostgresStorage {
    /// Connects to the database at `url` and brings its schema up to date.
    pub fn open(url: &str) -> Result<PostgresStorage> {
        Self::open_with(url, PostgresOptions::default())
    }

    pub fn open_with(url: &str, options: PostgresOptions) -> Result<PostgresStorage> {
        let display = redact_url(url);
        let mut config: postgres::Config = url.parse().map_err(|error| {
            StorageError::Backend(format!("{display} is not a PostgreSQL URL: {error}"))
        })?;
        config.connect_timeout(options.connect_timeout);
        if config.get_application_name().is_none() {
            config.application_name("lucid");
        }
        let storage = PostgresStorage {
            config,
            options,
            display,
            idle: Mutex::new(Vec::new()),
            node: node_name(),
            alive: std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true)),
        };
        let mut pooled = storage.connect()?;
        migrate(&mut pooled.client)?;
        storage.give_back(pooled);
        storage.start_heartbeat();
        Ok(storage)
    }

    /// This storage's name in dream leases.
    pub fn node(&self) -> &str {
        &self.node
    }

    fn lease_ms(&self) -> i64 {
        i64::try_from(self.options.lease.as_millis()).unwrap_or(i64::MAX)
    }

    /// Renews this node's dream leases every third of the lease, on a thread of its own with its
    /// own connection, until the storage is dropped (or [`PostgresStorage::stop_heartbeat`]).
    fn start_heartbeat(&self) {
        let alive = self.alive.clone();
        let config = self.config.clone();
        let (node, lease_ms, database) = (self.node.clone(), self.lease_ms(), self.display.clone());
        let every = self.options.lease / 3;
        let spawned = std::thread::Builder::new()
            .name("lucid-lease-heartbeat".into())
            .spawn(move || {
                let mut client: Option<Client> = None;
                let mut next = std::time::Instant::now() + every;
                while alive.load(std::sync::atomic::Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(50).min(every));
                    if std::time::Instant::now() < next {
                        continue;
                    }
                    next = std::time::Instant::now() + every;
                    if client.as_ref().is_none_or(Client::is_closed) {
                        client = config.connect(NoTls).ok();
                    }
                    let renewed = client.as_mut().map(|client| {
                        client.execute(
                            "UPDATE dreams SET lease_expires_at =
                                 now() + $2::float8 * interval '1 millisecond'
                             WHERE lease_owner = $1 AND status = 'running'",
                            &[&node, &(lease_ms as f64)],
                        )
                    });
                    if !matches!(renewed, Some(Ok(_))) {
                        tracing::warn!(%database, node, "cannot renew dream leases; another node may re-run this node's dreams");
                    }
                }
            });
        if let Err(error) = spawned {
            tracing::error!(%error, "cannot start the lease heartbeat");
        }
    }

    /// Stops renewing this node's leases, as if it had lost the database (for tests of what the
    /// other nodes do then).
    #[doc(hidden)]
    pub fn stop_heartbeat(&self) {
        self.alive.store(false, std::sync::atomic::Ordering::SeqCst);
    }

    /// Renews this node's dream leases now; returns how many it holds.
    pub fn renew_leases(&self) -> Result<u64> {
        self.write(|tx| dreams::renew_leases(tx, &self.node, self.lease_ms()))
    }

    /// The running dreams and the node holding each one's lease, with the seconds left on it
    /// (negative: expired, waiting for another node to claim it again).
    pub fn dream_leases(&self) -> Result<Vec<(String, String, f64)>> {
        self.read(|conn| {
            let rows = conn
                .prepare(
                    "SELECT id, lease_owner,
                            EXTRACT(EPOCH FROM (lease_expires_at - now()))::float8
                     FROM dreams
                     WHERE status = 'running' AND lease_owner IS NOT NULL ORDER BY seq",
                )
                .db()?
                .query_map(params![], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                .db()?;
            rows.collect::<db::SqlResult<Vec<_>>>().db()
        })
    }

    /// The database URL without its password.
    pub fn database(&self) -> &str {
        &self.display
    }

    /// The versions of the applied migrations.
    pub fn applied_migrations(&self) -> Result<Vec<i64>> {
        self.read(|conn| {
            let rows = conn
                .prepare("SELECT version FROM schema_migrations ORDER BY version")
                .db()?
                .query_map(params![], |row| row.get(0))
                .db()?;
            rows.collect::<db::SqlResult<Vec<i64>>>().db()
        })
    }

    /// The schema version of the database at `url` and the newest this binary knows, without
    /// changing anything (0: lucid has never run there).
    pub fn schema_version(url: &str) -> Result<(i64, i64)> {
        let display = redact_url(url);
        let config: postgres::Config = url.parse().map_err(|error| {
            StorageError::Backend(format!("{display} is not a PostgreSQL URL: {error}"))
        })?;
        let mut client = config.connect(NoTls).map_err(|error| {
            StorageError::Backend(format!("cannot connect to {display}: {error}"))
        })?;
        let exists: bool = client
            .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
            .db()?
            .get(0);
        let applied: i64 = if exists {
            client
                .query_one(
                    "SELECT COALESCE(MAX(version), 0)::bigint FROM schema_migrations",
                    &[],
                )
                .db()?
                .get(0)
        } else {
            0
        };
        Ok((applied, Self::newest_migration()))
    }

    /// The newest schema version this binary knows.
    pub fn newest_migration() -> i64 {
        MIGRATIONS.last().map_or(0, |m| m.0)
    }

    fn connect(&self) -> Result<Pooled> {
        let mut client = self.config.connect(NoTls).map_err(|error| {
            StorageError::Backend(format!("cannot connect to {}: {error}", self.display))
        })?;
        if let Some(timeout) = self.options.statement_timeout {
            client
                .batch_execute(&format!(
                    "SET statement_timeout = {}",
                    timeout.as_millis().max(1)
                ))
                .db()?;
        }
        Ok(Pooled {
            client,
            statements: Default::default(),
        })
    }

    fn take(&self) -> Result<Pooled> {
        loop {
            let pooled = self
                .idle
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .pop();
            match pooled {
                Some(pooled) if pooled.client.is_closed() => continue,
                Some(pooled) => return Ok(pooled),
                None => return self.connect(),
            }
        }
    }

    fn give_back(&self, pooled: Pooled) {
        if pooled.client.is_closed() {
            return;
        }
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < self.options.pool_size {
            idle.push(pooled);
        }
    }

    /// Runs `work` in one write transaction holding [`WRITE_LOCK`]; an error rolls everything
    /// back.
    pub(crate) fn write<T>(&self, work: impl FnOnce(&Connection<'_>) -> Result<T>) -> Result<T> {
        let mut pooled = self.take()?;
        let result = (|| {
            let Pooled { client, statements } = &mut pooled;
            let tx = client.transaction().db()?;
            let conn = Connection::new(tx, statements);
            conn.query_row(
                "SELECT pg_advisory_xact_lock(?1)",
                params![WRITE_LOCK],
                |_| Ok(()),
            )
            .db()?;
            let out = work(&conn)?;
            conn.commit()?;
            Ok(out)
        })();
        self.give_back(pooled);
        result
    }

    /// Runs `work` in one read-only snapshot transaction.
    pub(crate) fn read<T>(&self, work: impl FnOnce(&Connection<'_>) -> Result<T>) -> Result<T> {
        let mut pooled = self.take()?;
        let result = (|| {
            let Pooled { client, statements } = &mut pooled;
            let tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .db()?;
            let conn = Connection::new(tx, statements);
            let out = work(&conn)?;
            conn.commit()?;
            Ok(out)
        })();
        self.give_back(pooled);
        result
    }
}

/// A lease owner name unique to this open: host, process id and a random part.
fn node_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".into());
    let random = ids::new_id("node");
    format!("{host}:{}:{random}", std::process::id())
}

/// Applies the migrations not yet applied, holding [`MIGRATION_LOCK`] so that nodes starting
/// together take turns (the second finds nothing left to do).
fn migrate(client: &mut Client) -> Result<()> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .db()?;
    let result = migrate_locked(client);
    let unlocked = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .db();
    result.and(unlocked.map(|_| ()))
}

fn migrate_locked(client: &mut Client) -> Result<()> {
    let mut tx = client.transaction().db()?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .db()?;
    let applied: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::bigint FROM schema_migrations",
            &[],
        )
        .db()?
        .get(0);
    let newest = PostgresStorage::newest_migration();
    if applied > newest {
        return Err(StorageError::Backend(format!(
            "the database has schema version {applied}, newer than this lucid knows ({newest}); \
             upgrade lucid"
        )));
    }
    for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > applied) {
        tx.batch_execute(sql).map_err(|e| {
            StorageError::Backend(format!(
                "migration {version} ({name}): {}",
                db::SqlError::from(e)
            ))
        })?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            &[version, name, &ids::now()],
        )
        .db()?;
        tracing::info!(version, name, "applied migration");
    }
    tx.commit().db()
}

/// The error of a node that lost a dream's lease to another node.
fn lease_lost(dream_id: &str) -> StorageError {
    StorageError::Invalid(format!(
        "dream {dream_id} is no longer this node's: its lease expired and another node runs it"
    ))
}

impl Storage for PostgresStorage {
    fn health(&self) -> Result<BackendHealth> {
        let schema_version = self.applied_migrations()?.last().copied().unwrap_or(0);
        let leases = self
            .dream_leases()?
            .into_iter()
            .map(|(dream_id, node, left)| DreamLease {
                dream_id,
                node,
                expires_in_secs: Some(left),
            })
            .collect();
        Ok(BackendHealth {
            backend: "postgres",
            location: self.display.clone(),
            schema_version,
            node: self.node.clone(),
            leases,
        })
    }

    fn follow_changes(&self, on_change: ChangeListener) -> Result<bool> {
        notify::follow(&self.config, &self.display, self.alive.clone(), on_change)?;
        Ok(true)
    }
    fn ensure_workspace(&self, name: &str) -> Result<Workspace> {
        self.write(|tx| keys::ensure_workspace(tx, name))
    }
    fn create_api_key(
        &self,
        workspace_name: &str,
        key_name: Option<&str>,
    ) -> Result<(ApiKey, String)> {
        self.write(|tx| keys::create_key(tx, workspace_name, key_name))
    }
    fn authenticate(&self, secret: &str) -> Result<Option<ApiKey>> {
        self.read(|conn| keys::authenticate(conn, secret))
    }
    fn count_api_keys(&self) -> Result<u64> {
        self.read(keys::count)
    }
    fn list_api_keys(&self) -> Result<Vec<ApiKey>> {
        self.read(keys::list)
    }
    fn revoke_api_key(&self, id: &str) -> Result<ApiKey> {
        self.write(|tx| keys::revoke(tx, id))
    }

    fn create_store(&self, ws: &str, new: NewStore) -> Result<MemoryStore> {
        self.write(|tx| stores::create_store(tx, ws, new))
    }
    fn get_store(&self, ws: &str, id: &str) -> Result<MemoryStore> {
        self.read(|conn| stores::get_store(conn, ws, id))
    }
    fn list_stores(
        &self,
        ws: &str,
        filter: &StoreFilter,
        page: &PageRequest,
    ) -> Result<Page<MemoryStore>> {
        self.read(|conn| stores::list_stores(conn, ws, filter, page))
    }
    fn update_store(&self, ws: &str, id: &str, patch: StorePatch) -> Result<MemoryStore> {
        self.write(|tx| stores::update_store(tx, ws, id, patch))
    }
    fn archive_store(&self, ws: &str, id: &str) -> Result<MemoryStore> {
        self.write(|tx| stores::archive_store(tx, ws, id))
    }
    fn delete_store(&self, ws: &str, id: &str) -> Result<()> {
        self.write(|tx| stores::delete_store(tx, ws, id))
    }

    fn create_memory(
        &self,
        ws: &str,
        store_id: &str,
        path: &str,
        content: &str,
        actor: Option<&Actor>,
    ) -> Result<Memory> {
        self.write(|tx| stores::create_memory(tx, ws, store_id, path, content, actor))
    }
    fn get_memory(&self, ws: &str, store_id: &str, memory_id: &str, full: bool) -> Result<Memory> {
        self.read(|conn| stores::get_memory(conn, ws, store_id, memory_id, full))
    }
    fn list_memories(
        &self,
        ws: &str,
        store_id: &str,
        filter: &MemoryFilter,
        page: &PageRequest,
    ) -> Result<Page<MemoryListItem>> {
        self.read(|conn| stores::list_memories(conn, ws, store_id, filter, page))
    }
    fn update_memory(
        &self,
        ws: &str,
        store_id: &str,
        memory_id: &str,
        patch: MemoryPatch,
        actor: Option<&Actor>,
    ) -> Result<Memory> {
        self.write(|tx| stores::update_memory(tx, ws, store_id, memory_id, patch, actor))
    }
    fn set_memory_as_of(
        &self,
        ws: &str,
        store_id: &str,
        memory_id: &str,
        as_of: Option<&str>,
    ) -> Result<()> {
        self.write(|tx| stores::set_memory_as_of(tx, ws, store_id, memory_id, as_of))
    }
    fn delete_memory(
        &self,
        ws: &str,
        store_id: &str,
        memory_id: &str,
        expected_sha256: Option<&str>,
        actor: Option<&Actor>,
    ) -> Result<()> {
        self.write(|tx| stores::delete_memory(tx, ws, store_id, memory_id, expected_sha256, actor))
    }
    fn get_memory_version(
        &self,
        ws: &str,
        store_id: &str,
        version_id: &str,
        full: bool,
    ) -> Result<MemoryVersion> {
        self.read(|conn| stores::get_version(conn, ws, store_id, version_id, full))
    }
    fn list_memory_versions(
        &self,
        ws: &str,
        store_id: &str,
        filter: &VersionFilter,
        page: &PageRequest,
    ) -> Result<Page<MemoryVersion>> {
        self.read(|conn| stores::list_versions(conn, ws, store_id, filter, page))
    }
    fn redact_memory_version(
        &self,
        ws: &str,
        store_id: &str,
        version_id: &str,
        actor: Option<&Actor>,
    ) -> Result<MemoryVersion> {
        self.write(|tx| stores::redact_version(tx, ws, store_id, version_id, actor))
    }
    fn memory_at_path(&self, ws: &str, store_id: &str, path: &str) -> Result<Option<Memory>> {
        self.read(|conn| stores::memory_at_path(conn, ws, store_id, path))
    }
    fn search_memories(
        &self,
        ws: &str,
        store_id: &str,
        query: &str,
        limit: usize,
    ) -> Result<Vec<MemorySearchHit>> {
        self.read(|conn| {
            stores::get_store(conn, ws, store_id)?;
            search::search(conn, store_id, query, limit)
        })
    }
    fn store_documents(&self, ws: &str, store_id: &str) -> Result<Vec<Document>> {
        self.read(|conn| {
            stores::get_store(conn, ws, store_id)?;
            stores::documents(conn, store_id)
        })
    }

    fn create_agent(&self, ws: &str, new: NewAgent) -> Result<Agent> {
        self.write(|tx| agents::create(tx, ws, new))
    }
    fn get_agent(&self, ws: &str, id: &str) -> Result<Agent> {
        self.read(|conn| agents::get(conn, ws, id))
    }
    fn find_agent_by_name(&self, ws: &str, name: &str) -> Result<Option<Agent>> {
        self.read(|conn| agents::find_by_name(conn, ws, name))
    }
    fn list_agents(
        &self,
        ws: &str,
        filter: &AgentFilter,
        page: &PageRequest,
    ) -> Result<Page<Agent>> {
        self.read(|conn| agents::list(conn, ws, filter, page))
    }
    fn update_agent(&self, ws: &str, id: &str, patch: AgentPatch) -> Result<Agent> {
        self.write(|tx| agents::update(tx, ws, id, patch))
    }
    fn archive_agent(&self, ws: &str, id: &str) -> Result<Agent> {
        self.write(|tx| agents::archive(tx, ws, id))
    }
    fn rollback_agent(&self, ws: &str, id: &str) -> Result<Agent> {
        self.write(|tx| agents::rollback(tx, ws, id))
    }
    fn list_agent_versions(&self, ws: &str, id: &str, page: &PageRequest) -> Result<Page<Value>> {
        self.read(|conn| agents::list_versions(conn, ws, id, page))
    }

    fn create_session(&self, ws: &str, new: NewSession) -> Result<Session> {
        self.write(|tx| sessions::create(tx, ws, new))
    }
    fn get_session(&self, ws: &str, id: &str) -> Result<Session> {
        self.read(|conn| sessions::get(conn, ws, id))
    }
    fn list_sessions(
        &self,
        ws: &str,
        filter: &SessionFilter,
        page: &PageRequest,
    ) -> Result<Page<Session>> {
        self.read(|conn| sessions::list(conn, ws, filter, page))
    }
    fn update_session(&self, ws: &str, id: &str, patch: SessionPatch) -> Result<Session> {
        self.write(|tx| sessions::update(tx, ws, id, patch))
    }
    fn archive_session(&self, ws: &str, id: &str) -> Result<Session> {
        self.write(|tx| sessions::archive(tx, ws, id))
    }
    fn delete_session(&self, ws: &str, id: &str) -> Result<()> {
        self.write(|tx| sessions::delete(tx, ws, id))
    }
    fn append_events(
        &self,
        ws: &str,
        session_id: &str,
        events: Vec<NewEvent>,
    ) -> Result<Vec<SessionEvent>> {
        self.write(|tx| {
            let session = sessions::get(tx, ws, session_id)?;
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
            sessions::append(tx, session_id, events)
        })
    }
    fn list_events(
        &self,
        ws: &str,
        session_id: &str,
        filter: &EventFilter,
        page: &PageRequest,
    ) -> Result<Page<SessionEvent>> {
        self.read(|conn| sessions::list_events(conn, ws, session_id, filter, page))
    }
    fn events_after(
        &self,
        ws: &str,
        session_id: &str,
        after: i64,
        limit: usize,
    ) -> Result<(Vec<SessionEvent>, bool)> {
        self.read(|conn| sessions::events_after(conn, ws, session_id, after, limit))
    }
    fn event_position(&self, ws: &str, session_id: &str, event_id: &str) -> Result<Option<i64>> {
        self.read(|conn| {
            sessions::get(conn, ws, session_id)?;
            sessions::event_position(conn, session_id, event_id)
        })
    }

    fn create_dream(&self, ws: &str, new: NewDream) -> Result<Dream> {
        self.write(|tx| dreams::create(tx, ws, new))
    }
    fn get_dream(&self, ws: &str, id: &str) -> Result<Dream> {
        self.read(|conn| dreams::get(conn, ws, id))
    }
    fn list_dreams(
        &self,
        ws: &str,
        filter: &DreamFilter,
        page: &PageRequest,
    ) -> Result<Page<Dream>> {
        self.read(|conn| dreams::list(conn, ws, filter, page))
    }
    fn cancel_dream(&self, ws: &str, id: &str) -> Result<Dream> {
        self.write(|tx| dreams::cancel(tx, ws, id))
    }
    fn archive_dream(&self, ws: &str, id: &str) -> Result<Dream> {
        self.write(|tx| dreams::archive(tx, ws, id))
    }
    fn dream_report(&self, ws: &str, id: &str) -> Result<Option<Value>> {
        self.read(|conn| dreams::result_column(conn, ws, id, "report"))
    }
    fn dream_diff(&self, ws: &str, id: &str) -> Result<Option<Value>> {
        self.read(|conn| dreams::result_column(conn, ws, id, "diff"))
    }
    fn promote_dream(
        &self,
        ws: &str,
        id: &str,
        agent_ids: &[String],
        accept_flags: bool,
    ) -> Result<Promotion> {
        self.write(|tx| dreams::promote(tx, ws, id, agent_ids, accept_flags))
    }
    fn dream_input_documents(&self, ws: &str, id: &str) -> Result<Option<Vec<(String, String)>>> {
        self.read(|conn| dreams::input_documents(conn, ws, id))
    }
    fn promote_reviewed_dream(
        &self,
        ws: &str,
        id: &str,
        promotion: ReviewedPromotion,
    ) -> Result<Promotion> {
        self.write(|tx| dreams::promote_reviewed(tx, ws, id, &promotion))
    }
    fn discard_dream(&self, ws: &str, id: &str) -> Result<Dream> {
        self.write(|tx| dreams::discard(tx, ws, id))
    }

    fn claim_dream(&self) -> Result<Option<Dream>> {
        self.write(|tx| dreams::claim(tx, &self.node, self.lease_ms()))
    }
    fn start_dream(&self, dream_id: &str) -> Result<StartedDream> {
        self.write(|tx| {
            if !dreams::holds_lease(tx, dream_id, &self.node)? {
                return Err(lease_lost(dream_id));
            }
            dreams::start(tx, dream_id)
        })
    }
    fn dream_sessions(&self, dream_id: &str) -> Result<Vec<DreamSession>> {
        self.read(|conn| dreams::input_sessions(conn, dream_id))
    }
    fn narrate(&self, dream_id: &str, events: Vec<NewEvent>) -> Result<()> {
        self.write(|tx| {
            if !dreams::holds_lease(tx, dream_id, &self.node)? {
                return Err(lease_lost(dream_id));
            }
            dreams::narrate(tx, dream_id, events)
        })
    }
    fn complete_dream(&self, dream_id: &str, completion: DreamCompletion) -> Result<bool> {
        // A node whose lease expired writes nothing: the node that claimed the dream since
        // writes its output, once.
        self.write(|tx| {
            if !dreams::holds_lease(tx, dream_id, &self.node)? {
                return Ok(false);
            }
            dreams::complete(tx, dream_id, completion)
        })
    }
    fn fail_dream(&self, dream_id: &str, error: DreamErrorObject) -> Result<bool> {
        self.write(|tx| {
            if !dreams::holds_lease(tx, dream_id, &self.node)? {
                return Ok(false);
            }
            dreams::fail(tx, dream_id, &error)
        })
    }
    fn recover_dreams(&self) -> Result<Vec<String>> {
        self.write(dreams::recover)
    }
    fn dream_status(&self, dream_id: &str) -> Result<DreamStatus> {
        self.read(|conn| dreams::status(conn, dream_id))
    }

    fn create_schedule(&self, ws: &str, new: NewSchedule) -> Result<Schedule> {
        self.write(|tx| schedules::create(tx, ws, new))
    }
    fn get_schedule(&self, ws: &str, id: &str) -> Result<Schedule> {
        self.read(|conn| schedules::get(conn, ws, id))
    }
    fn list_schedules(&self, ws: &str, page: &PageRequest) -> Result<Page<Schedule>> {
        self.read(|conn| schedules::list(conn, ws, page))
    }
    fn delete_schedule(&self, ws: &str, id: &str) -> Result<()> {
        self.write(|tx| schedules::delete(tx, ws, id))
    }
    fn all_schedules(&self) -> Result<Vec<Schedule>> {
        self.read(schedules::all)
    }
    fn fire_schedule(&self, schedule_id: &str, trigger: ScheduleTrigger) -> Result<Option<Dream>> {
        self.write(|tx| schedules::fire(tx, schedule_id, trigger))
    }

    fn cached_model_response(&self, key: &str) -> Result<Option<String>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT answer FROM model_responses WHERE key = ?1",
                [key],
                |row| row.get(0),
            )
            .optional()
            .db()
        })
    }

    fn cache_model_response(&self, key: &str, answer: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO model_responses (key, answer, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET answer = excluded.answer",
                params![key, answer, ids::now()],
            )
            .db()?;
            Ok(())
        })
    }
}
