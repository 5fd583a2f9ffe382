//! The embedded storage backend: one SQLite file, created on first open.
//!
//! - **WAL** journal, so readers never block the writer and a crash never corrupts the file.
//! - **`synchronous=FULL`** by default: a commit is on disk before the call returns, so every
//!   write the API acknowledged survives a crash *and* a power loss. `NORMAL` (crash-safe, but
//!   the last commits may roll back on power loss) is available as [`Durability::Normal`];
//!   `lucid bench-serve` measures both.
//! - Writes go through one connection behind a mutex and run in `BEGIN IMMEDIATE` transactions
//!   with a `busy_timeout`, so other processes on the same file (`lucid keys create` while the
//!   server runs) wait for the write lock instead of failing. Reads use a small pool of
//!   connections, each read one deferred transaction (a consistent snapshot).
//! - `secure_delete` is on, and redacting a memory version checkpoints the WAL (truncating
//!   it), so redacted content leaves no copy in the database file or its `-wal`.
//! - Migrations are embedded SQL files, applied in order and recorded in `schema_migrations`.
//!   They are append-only: a released migration is never edited.

// Crate-private items say so (`pub(crate)`): `pub` is this crate's API (issue 12 §4).
#![warn(unreachable_pub)]
// Every public item is documented.
#![warn(missing_docs)]
// A library reports failures to its caller and leaves the terminal to binaries (issue 12 §4):
// `expect` only where the message says why it cannot fail, never on input; no `println!`.
#![warn(clippy::expect_used, clippy::print_stdout)]

mod db;
mod lock;
mod search;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use lucid_storage::*;
use lucid_storage_sql::{Backend, SqlStorage, Transaction, params};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::db::{Db, SqliteTx};
pub use crate::lock::{DatabaseLock, HeldElsewhere};

/// The embedded migrations, in order. Append only.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "initial", include_str!("../migrations/0001_initial.sql")),
    (
        2,
        "agent_previous_store",
        include_str!("../migrations/0002_agent_previous_store.sql"),
    ),
    (
        3,
        "trust_and_review",
        include_str!("../migrations/0003_trust_and_review.sql"),
    ),
    (
        4,
        "model_responses",
        include_str!("../migrations/0004_model_responses.sql"),
    ),
    (
        5,
        "agent_versions",
        include_str!("../migrations/0005_agent_versions.sql"),
    ),
    (
        6,
        "session_users",
        include_str!("../migrations/0006_session_users.sql"),
    ),
    (
        7,
        "memory_search",
        include_str!("../migrations/0007_memory_search.sql"),
    ),
    (
        8,
        "search_generations",
        include_str!("../migrations/0008_search_generations.sql"),
    ),
    (
        9,
        "memory_as_of",
        include_str!("../migrations/0009_memory_as_of.sql"),
    ),
    (
        10,
        "dream_reviews",
        include_str!("../migrations/0010_dream_reviews.sql"),
    ),
];

/// The migration that adds the memory-search index; memories older than it are indexed by
/// Rust code (the terms come from `lucid-search`) in the same transaction.
const MEMORY_SEARCH_MIGRATION: i64 = 7;

/// How hard a commit waits for the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// `synchronous=FULL`: acknowledged writes survive power loss.
    #[default]
    Full,
    /// `synchronous=NORMAL` in WAL mode: acknowledged writes survive a process crash; the last
    /// ones may be lost on power loss.
    Normal,
}

impl Durability {
    fn pragma(self) -> &'static str {
        match self {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        }
    }
}

/// Idle read connections kept for reuse.
const MAX_IDLE_READERS: usize = 8;

/// The embedded SQLite storage: the shared SQL storage over [`Sqlite`].
pub type SqliteStorage = SqlStorage<Sqlite>;

/// A SQLite database file: one writer connection, a pool of readers, the search cache.
pub struct Sqlite {
    path: PathBuf,
    durability: Durability,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    search_cache: std::sync::Arc<search::SearchCache>,
}

impl std::fmt::Debug for Sqlite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sqlite").field("path", &self.path).finish()
    }
}

impl Sqlite {
    /// Builds a store's in-process search index on a thread of its own (one build per store at
    /// a time); queries use it once it matches the store's current generation.
    fn build_search_cache(&self, store_id: &str) {
        if !self.search_cache.start_build(store_id) {
            return;
        }
        let (cache, path, durability) = (
            self.search_cache.clone(),
            self.path.clone(),
            self.durability,
        );
        let owned = store_id.to_string();
        let spawned = std::thread::Builder::new()
            .name("lucid-search-cache".into())
            .spawn(move || {
                let snapshot = connect(&path, durability, true).and_then(|mut conn| {
                    let tx = conn.transaction().db()?;
                    let snapshot = search::Snapshot::load(&tx, &owned);
                    tx.commit().db()?;
                    snapshot
                });
                if let Err(error) = &snapshot {
                    tracing::warn!(%error, store = %owned, "building the search cache failed; searches use the FTS5 index");
                }
                cache.finish_build(&owned, snapshot.ok());
            });
        if spawned.is_err() {
            self.search_cache.finish_build(store_id, None);
        }
    }

    /// A search answered from the FTS5 index alone (what a search gets while the cache is
    /// missing or stale); for benchmarks.
    pub fn search_memories_in_index(
        &self,
        ws: &str,
        store_id: &str,
        query: &str,
        limit: usize,
    ) -> Result<Vec<MemorySearchHit>> {
        self.read(|conn| {
            lucid_storage_sql::stores::get_store(conn, ws, store_id)?;
            conn.search(store_id, query, limit)
        })
    }

    /// Waits (up to `timeout`) until searches of the store are served from the in-process
    /// cache; for tests and benchmarks that measure that path. True when it is.
    pub fn wait_for_search_cache(&self, ws: &str, store_id: &str, timeout: Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let generation = self.read_native(|conn| search::generation(conn, store_id));
            if let Ok(generation) = generation
                && self.search_cache.current(store_id, generation).is_some()
            {
                return true;
            }
            if std::time::Instant::now() >= deadline {
                return false;
            }
            // A search starts the build when none runs.
            let _ = self.search_memories(ws, store_id, "warm", 1);
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The versions of the applied migrations.
    pub fn applied_migrations(&self) -> Result<Vec<i64>> {
        self.read_native(|conn| {
            let mut statement = conn
                .prepare("SELECT version FROM schema_migrations ORDER BY version")
                .db()?;
            let rows = statement.query_map([], |row| row.get(0)).db()?;
            rows.collect::<rusqlite::Result<Vec<i64>>>().db()
        })
    }

    /// Runs `work` in one `BEGIN IMMEDIATE` transaction; an error rolls everything back.
    fn write_native<T>(&self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let mut conn = self
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        let out = work(&tx)?;
        tx.commit().db()?;
        Ok(out)
    }

    /// Copies the write-ahead log into the database file and truncates it to zero bytes, so
    /// the WAL keeps no earlier copy of a page that was just scrubbed (with `secure_delete`
    /// the database file's copy is zeroed). Waits for readers like any write.
    pub fn checkpoint(&self) -> Result<()> {
        let conn = self
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (busy, _, _): (i64, i64, i64) = conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .db()?;
        if busy != 0 {
            tracing::warn!(path = %self.path.display(), "the checkpoint after a redaction could not finish; the WAL keeps old pages until the next one");
        }
        Ok(())
    }

    /// Runs `work` in one read transaction on a pooled connection.
    pub(crate) fn read_native<T>(&self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let pooled = self
            .readers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        let mut conn = match pooled {
            Some(conn) => conn,
            None => connect(&self.path, self.durability, true)?,
        };
        let result = (|| {
            let tx = conn.transaction().db()?;
            let out = work(&tx)?;
            tx.commit().db()?;
            Ok(out)
        })();
        let mut readers = self
            .readers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if readers.len() < MAX_IDLE_READERS {
            readers.push(conn);
        }
        result
    }
}

fn connect(path: &Path, durability: Durability, read_only: bool) -> Result<Connection> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|e| StorageError::Backend(format!("cannot open {}: {e}", path.display())))?;
    conn.busy_timeout(Duration::from_secs(10)).db()?;
    if !read_only {
        // journal_mode returns a row; query it rather than execute.
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .db()?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StorageError::Backend(format!(
                "cannot switch {} to WAL mode (got {mode})",
                path.display()
            )));
        }
    }
    // secure_delete: deleted or overwritten content (a redacted memory version, a deleted
    // session) is zeroed in the pages that held it, including pages returned to the freelist,
    // instead of lingering in the file until the page is reused.
    conn.execute_batch(&format!(
        "PRAGMA synchronous = {}; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;",
        durability.pragma()
    ))
    .db()?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .db()?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .db()?;
    let applied: i64 = tx
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |row| row.get(0),
        )
        .db()?;
    let newest = MIGRATIONS.last().map_or(0, |m| m.0);
    if applied > newest {
        return Err(StorageError::Backend(format!(
            "the database has schema version {applied}, newer than this lucid knows ({newest}); \
             upgrade lucid"
        )));
    }
    let mut reindex = false;
    for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > applied) {
        tx.execute_batch(sql)
            .map_err(|e| StorageError::Backend(format!("migration {version} ({name}): {e}")))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![version, name, ids::now()],
        )
        .db()?;
        tracing::info!(version, name, "applied migration");
        reindex |= *version == MEMORY_SEARCH_MIGRATION;
    }
    // After every migration, so the index's later tables (search_generations) exist.
    if reindex {
        search::index_all(&tx)?;
    }
    tx.commit().db()
}

impl Backend for Sqlite {
    type Location = Path;
    type Options = Durability;

    /// Opens (creating if needed) the database file and brings its schema up to date.
    fn open_with(path: &Path, durability: Durability) -> Result<Sqlite> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
            && !parent.exists()
        {
            return Err(StorageError::Backend(format!(
                "the folder {} does not exist",
                parent.display()
            )));
        }
        let mut writer = connect(path, durability, false)?;
        migrate(&mut writer)?;
        Ok(Sqlite {
            path: path.to_path_buf(),
            durability,
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            search_cache: Default::default(),
        })
    }

    /// The schema version of the file at `path` and the newest this binary knows, without
    /// changing anything (an error when there is no file).
    fn schema_version(path: &Path) -> Result<(i64, i64)> {
        if !path.exists() {
            return Err(StorageError::Backend(format!(
                "there is no database at {}",
                path.display()
            )));
        }
        let conn = connect(path, Durability::Full, true)?;
        let exists: bool = conn
            .query_row(
                "SELECT COUNT(*) > 0 FROM sqlite_master WHERE name = 'schema_migrations'",
                [],
                |row| row.get(0),
            )
            .db()?;
        let applied: i64 = if exists {
            conn.query_row(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                [],
                |row| row.get(0),
            )
            .db()?
        } else {
            0
        };
        Ok((applied, Self::newest_migration()))
    }

    fn newest_migration() -> i64 {
        MIGRATIONS.last().map_or(0, |m| m.0)
    }

    fn read<T>(&self, work: impl FnOnce(&dyn Transaction) -> Result<T>) -> Result<T> {
        self.read_native(|conn| work(&SqliteTx(conn)))
    }

    fn write<T>(&self, work: impl FnOnce(&dyn Transaction) -> Result<T>) -> Result<T> {
        self.write_native(|conn| work(&SqliteTx(conn)))
    }

    fn health(&self) -> Result<BackendHealth> {
        let schema_version = self.applied_migrations()?.last().copied().unwrap_or(0);
        let node = format!("pid {}", std::process::id());
        let running: Vec<String> = self.read(|conn| {
            conn.all(
                "SELECT id FROM dreams WHERE status = 'running' ORDER BY seq",
                params![],
                |row| row.get(0),
            )
        })?;
        Ok(BackendHealth {
            backend: "sqlite",
            location: self.path.display().to_string(),
            schema_version,
            leases: running
                .into_iter()
                .map(|dream_id| DreamLease {
                    dream_id,
                    node: node.clone(),
                    expires_in_secs: None,
                })
                .collect(),
            node,
        })
    }
    /// Answered from the store's in-process index when it is current, else from FTS5 (and a
    /// build of the index started).
    fn search_memories(
        &self,
        ws: &str,
        store_id: &str,
        query: &str,
        limit: usize,
    ) -> Result<Vec<MemorySearchHit>> {
        let (hits, stale) = self.read_native(|conn| {
            lucid_storage_sql::stores::get_store(&SqliteTx(conn), ws, store_id)?;
            let generation = search::generation(conn, store_id)?;
            match self.search_cache.current(store_id, generation) {
                Some(snapshot) => Ok((snapshot.search(query, limit), false)),
                None => Ok((search::search(conn, store_id, query, limit)?, true)),
            }
        })?;
        if stale {
            self.build_search_cache(store_id);
        }
        Ok(hits)
    }

    fn store_deleted(&self, store_id: &str) {
        self.search_cache.forget(store_id);
    }

    /// The redacted content must not survive in the WAL either.
    fn version_redacted(&self) -> Result<()> {
        self.checkpoint()
    }
}

/// The ceiling for `lucid bench-serve`: `rows` inserts into a fresh file with the server's
/// settings (WAL, the same `synchronous`), one `BEGIN IMMEDIATE` transaction per row as each
/// API write is. Returns the time taken.
pub fn raw_insert_benchmark(
    path: &Path,
    rows: usize,
    durability: Durability,
) -> Result<std::time::Duration> {
    let mut conn = connect(path, durability, false)?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS bench (id TEXT PRIMARY KEY, store_id TEXT NOT NULL,
             path TEXT NOT NULL, content TEXT NOT NULL, sha256 TEXT NOT NULL)",
    )
    .db()?;
    let content = "x".repeat(200);
    let started = std::time::Instant::now();
    for row in 0..rows {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        tx.prepare_cached("INSERT INTO bench VALUES (?1, ?2, ?3, ?4, ?5)")
            .db()?
            .execute(rusqlite::params![
                ids::new_id("mem"),
                "memstore_bench",
                format!("/bench/{row}.md"),
                content,
                ids::sha256_hex(content.as_bytes())
            ])
            .db()?;
        tx.commit().db()?;
    }
    Ok(started.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn migrations_are_recorded_and_reopening_is_idempotent() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("lucid.db");
        let storage = SqliteStorage::open(&path).expect("open");
        assert_eq!(
            storage.applied_migrations().expect("migrations"),
            vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        );
        let store = storage
            .create_store(
                &storage.ensure_workspace("w").expect("ws").id,
                NewStore {
                    name: "kept".into(),
                    ..NewStore::default()
                },
            )
            .expect("store");
        drop(storage);
        let reopened = SqliteStorage::open(&path).expect("reopen");
        assert_eq!(
            reopened.applied_migrations().expect("migrations"),
            vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        );
        let ws = reopened.ensure_workspace("w").expect("ws").id;
        assert_eq!(
            reopened.get_store(&ws, &store.id).expect("get").name,
            "kept"
        );
    }

    /// A database written before migration 3: its sessions read back with `default` trust, its
    /// dreams as not trusted-only, and a completed dream's flag count comes from its report (so
    /// the review gate holds for it).
    #[test]
    fn a_schema_2_database_upgrades_in_place() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("lucid.db");
        let conn = Connection::open(&path).expect("raw");
        conn.execute_batch(
            "CREATE TABLE schema_migrations (
                version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .expect("table");
        for (version, name, sql) in &MIGRATIONS[..2] {
            conn.execute_batch(sql).expect("old migration");
            conn.execute(
                "INSERT INTO schema_migrations VALUES (?1, ?2, '2026-01-01T00:00:00.000000Z')",
                rusqlite::params![version, name],
            )
            .expect("record");
        }
        conn.execute_batch(
            "INSERT INTO sessions (id, workspace_id, kind, agent, metadata, resources, status,
                                   created_at, updated_at)
             VALUES ('sesn_old', 'ws_old', 'agent', '{}', '{}', '[]', 'idle',
                     '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z');
             INSERT INTO dreams (id, workspace_id, status, store_id, session_ids, model,
                                 output_behavior, usage, created_at)
             VALUES ('drm_old', 'ws_old', 'completed', 'memstore_old', '[\"sesn_old\"]',
                     '{\"id\": \"lucid-builtin\"}', '{\"type\": \"create_new\"}',
                     '{\"input_tokens\": 0, \"output_tokens\": 0, \"cache_read_input_tokens\": 0,
                       \"cache_creation_input_tokens\": 0}',
                     '2026-01-01T00:00:00.000000Z');
             INSERT INTO dream_results (dream_id, report, diff)
             VALUES ('drm_old', '{\"changes\": [{\"op\": \"flag\"}, {\"op\": \"add\"}]}', '{}');",
        )
        .expect("old rows");
        drop(conn);
        let storage = SqliteStorage::open(&path).expect("upgrade");
        assert_eq!(
            storage.applied_migrations().expect("migrations"),
            vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        );
        let session = storage.get_session("ws_old", "sesn_old").expect("session");
        assert_eq!(session.trust, SessionTrust::Default);
        let dream = storage.get_dream("ws_old", "drm_old").expect("dream");
        assert!(!dream.trusted_only());
        assert_eq!(dream.flag_count, Some(1));
    }

    /// Searches are served from the in-process cache once it is built, find what FTS5 finds,
    /// and never return stale results: a write makes the next search use FTS5 again.
    #[test]
    fn the_search_cache_agrees_with_the_index_and_never_serves_stale_results() {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = SqliteStorage::open(&dir.path().join("lucid.db")).expect("open");
        let ws = storage.ensure_workspace("w").expect("ws").id;
        let store = storage
            .create_store(
                &ws,
                NewStore {
                    name: "s".into(),
                    ..NewStore::default()
                },
            )
            .expect("store")
            .id;
        for n in 0..20 {
            storage
                .create_memory(
                    &ws,
                    &store,
                    &format!("/t{n}.md"),
                    &format!("- host db-{n}.internal serves deploys\n- deploy window {n}\n"),
                    None,
                )
                .expect("memory");
        }
        let fts: Vec<(String, u64)> = storage
            .search_memories(&ws, &store, "db-7.internal", 3)
            .expect("search")
            .into_iter()
            .map(|h| (h.path, h.line))
            .collect();
        assert!(storage.wait_for_search_cache(&ws, &store, Duration::from_secs(10)));
        let cached: Vec<(String, u64)> = storage
            .search_memories(&ws, &store, "db-7.internal", 3)
            .expect("search")
            .into_iter()
            .map(|h| (h.path, h.line))
            .collect();
        assert_eq!(cached[0], ("/t7.md".to_string(), 1));
        assert_eq!(fts[0], cached[0]);
        // A rename and a delete are visible to the very next search.
        let memory = storage
            .memory_at_path(&ws, &store, "/t7.md")
            .expect("at path")
            .expect("memory");
        storage
            .update_memory(
                &ws,
                &store,
                &memory.id,
                MemoryPatch {
                    path: Some("/moved.md".into()),
                    ..MemoryPatch::default()
                },
                None,
            )
            .expect("rename");
        let hits = storage
            .search_memories(&ws, &store, "db-7.internal", 1)
            .expect("search");
        assert_eq!(hits[0].path, "/moved.md");
        storage
            .delete_memory(&ws, &store, &memory.id, None, None)
            .expect("delete");
        assert!(
            storage
                .search_memories(&ws, &store, "db-7.internal", 5)
                .expect("search")
                .iter()
                .all(|h| !h.text.contains("db-7."))
        );
    }

    /// A database written before migration 7 gets its memories indexed for search on open.
    #[test]
    fn a_schema_6_database_indexes_its_memories_for_search() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("lucid.db");
        let storage = SqliteStorage::open(&path).expect("open");
        let ws = storage.ensure_workspace("w").expect("ws").id;
        let store = storage
            .create_store(
                &ws,
                NewStore {
                    name: "s".into(),
                    ..NewStore::default()
                },
            )
            .expect("store");
        storage
            .create_memory(
                &ws,
                &store.id,
                "/a.md",
                "- render_docx needs LibreOffice\n",
                None,
            )
            .expect("memory");
        drop(storage);
        // Back to schema 6: the index and its migration record are gone.
        let conn = Connection::open(&path).expect("raw");
        conn.execute_batch(
            "DROP TABLE memory_items; DROP TABLE memory_items_fts; DROP TABLE search_generations;
             ALTER TABLE memories DROP COLUMN as_of;
             DROP TABLE dream_reviews; ALTER TABLE dreams DROP COLUMN input_documents;
             DELETE FROM schema_migrations WHERE version >= 7;",
        )
        .expect("downgrade");
        drop(conn);
        let storage = SqliteStorage::open(&path).expect("upgrade");
        let hits = storage
            .search_memories(&ws, &store.id, "docx", 5)
            .expect("search");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].text, "render_docx needs LibreOffice");
    }

    /// A database written before migration 5: the copy of its agent each session held moves
    /// into `agent_versions` (once per version), and the sessions still report it.
    #[test]
    fn a_schema_4_database_moves_agent_copies_into_versions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("lucid.db");
        let conn = Connection::open(&path).expect("raw");
        conn.execute_batch(
            "CREATE TABLE schema_migrations (
                version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .expect("table");
        for (version, name, sql) in &MIGRATIONS[..4] {
            conn.execute_batch(sql).expect("old migration");
            conn.execute(
                "INSERT INTO schema_migrations VALUES (?1, ?2, '2026-01-01T00:00:00.000000Z')",
                rusqlite::params![version, name],
            )
            .expect("record");
        }
        let old_copy = r#"{"type":"agent","id":"agent_old","name":"old","model":{"id":"m"},"description":null,"system":"OLD PROMPT","tools":[],"mcp_servers":[],"skills":[],"version":1}"#;
        conn.execute(
            "INSERT INTO agents (id, workspace_id, name, model, description, system, metadata,
                                 tools, mcp_servers, skills, extra, version, created_at,
                                 updated_at)
             VALUES ('agent_old', 'ws_old', 'old', '{\"id\":\"m\"}', NULL, 'NEW PROMPT', '{}',
                     '[]', '[]', '[]', '{\"custom\":1}', 2, '2026-01-01T00:00:00.000000Z',
                     '2026-01-02T00:00:00.000000Z')",
            [],
        )
        .expect("agent");
        for n in 0..3 {
            conn.execute(
                "INSERT INTO sessions (id, workspace_id, kind, agent_id, agent, metadata,
                                       resources, status, created_at, updated_at)
                 VALUES (?1, 'ws_old', 'agent', 'agent_old', ?2, '{}', '[]', 'idle',
                         '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
                rusqlite::params![format!("sesn_old{n}"), old_copy],
            )
            .expect("session");
        }
        drop(conn);
        let storage = SqliteStorage::open(&path).expect("upgrade");
        let session = storage.get_session("ws_old", "sesn_old1").expect("session");
        assert_eq!(session.agent["system"], "OLD PROMPT");
        assert_eq!(session.agent["version"], 1);
        let versions = storage
            .list_agent_versions("ws_old", "agent_old", &PageRequest::first(10))
            .expect("versions");
        let listed: Vec<(Value, Value)> = versions
            .data
            .iter()
            .map(|v| (v["version"].clone(), v["system"].clone()))
            .collect();
        assert_eq!(
            listed,
            vec![
                (serde_json::json!(2), serde_json::json!("NEW PROMPT")),
                (serde_json::json!(1), serde_json::json!("OLD PROMPT"))
            ]
        );
        assert_eq!(versions.data[0]["custom"], 1, "extra fields ride along");
        let copies: i64 = storage
            .read_native(|conn| {
                conn.query_row(
                    "SELECT COUNT(*) FROM sessions WHERE agent LIKE '%OLD PROMPT%'",
                    [],
                    |row| row.get(0),
                )
                .db()
            })
            .expect("count");
        assert_eq!(copies, 0, "sessions no longer hold copies");
    }

    #[test]
    fn a_database_from_a_newer_lucid_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("lucid.db");
        drop(SqliteStorage::open(&path).expect("open"));
        let conn = Connection::open(&path).expect("raw");
        conn.execute(
            "INSERT INTO schema_migrations VALUES (999, 'future', '2099-01-01T00:00:00.000000Z')",
            [],
        )
        .expect("insert");
        drop(conn);
        let error = SqliteStorage::open(&path).expect_err("newer schema");
        assert!(error.to_string().contains("newer"), "{error}");
    }
}
