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
//! - **Shared request buckets**: the per-key and per-address rate limits are token buckets in
//!   the UNLOGGED table `rate_buckets`, taken by one function call outside the write lock, so
//!   a key gets `rate_per_key` in all, whichever node answers.
//! - Connections come from a small pool (idle ones kept up to [`PostgresOptions::pool_size`]);
//!   a broken connection (the server restarted) is dropped and a new one opened.
//!
//! The `postgres` client is synchronous (it runs its own small runtime), like the trait: call it
//! from `tokio::task::spawn_blocking`, never on an async worker thread.

// Crate-private items say so (`pub(crate)`): `pub` is this crate's API (issue 12 §4).
#![warn(unreachable_pub)]
// Every public item is documented.
#![warn(missing_docs)]
// A library reports failures to its caller and leaves the terminal to binaries (issue 12 §4):
// `expect` only where the message says why it cannot fail, never on input; no `println!`.
#![warn(clippy::expect_used, clippy::print_stdout)]

mod copy;
mod db;
mod notify;
mod search;
pub mod testing;

use std::sync::Mutex;
use std::time::Duration;

pub use copy::{CopiedTable, copy_from_sqlite};

use lucid_storage::*;
use postgres::{Client, IsolationLevel, NoTls};

use lucid_storage_sql::{Backend, SqlStorage, Transaction, params};

use crate::db::{Db, PgTx, Pooled};

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
    (
        5,
        "key_notifications",
        include_str!("../migrations/0005_key_notifications.sql"),
    ),
    (
        6,
        "rate_buckets",
        include_str!("../migrations/0006_rate_buckets.sql"),
    ),
];

/// How many shared rate-bucket takes a node makes between prunes of long-idle buckets.
const PRUNE_BUCKETS_EVERY: u64 = 4096;

/// The advisory lock key held while migrating ("lucid mig").
pub const MIGRATION_LOCK: i64 = 0x6c75_6369_646d_6967;
/// The advisory lock key every write transaction takes ("lucid wri").
pub const WRITE_LOCK: i64 = 0x6c75_6369_6477_7269;

/// Connection settings beyond the URL.
#[derive(Debug, Clone)]
pub struct PostgresOptions {
    /// Idle connections kept for reuse (more are opened under load, up to
    /// `max_connections`, and closed after use).
    pub pool_size: usize,
    /// The most connections this node holds at once (its own heartbeat and change listener
    /// aside): a request that finds them all busy waits up to `connect_timeout` for one, then
    /// fails, so a burst of requests cannot exhaust the server's `max_connections`.
    pub max_connections: usize,
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
            // Every connection a node opens stays open for reuse: opening one per request
            // (beyond a smaller idle pool) cost reads a p99 of 150–280 ms with 32 clients.
            // Sixteen per node keeps five nodes (with their heartbeat and listener
            // connections) under PostgreSQL's default max_connections of 100.
            pool_size: 16,
            max_connections: 16,
            statement_timeout: Some(Duration::from_secs(60)),
            connect_timeout: Duration::from_secs(10),
            lease: Duration::from_secs(30),
        }
    }
}

/// The PostgreSQL storage: the shared SQL storage over [`Postgres`].
pub type PostgresStorage = SqlStorage<Postgres>;

/// A PostgreSQL database: the connection settings, a pool of idle connections, this node's
/// name in dream leases.
pub struct Postgres {
    config: postgres::Config,
    options: PostgresOptions,
    /// The URL without its password, for messages.
    display: String,
    pool: Mutex<Pool>,
    /// Signalled when a connection is returned or closed (a request may be waiting for one).
    returned: std::sync::Condvar,
    /// This storage's name in leases: host, process and a random part, unique per open.
    node: String,
    /// Dropped with the storage: the heartbeat thread stops when it can no longer upgrade it.
    alive: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Shared rate-bucket takes made by this node (to prune idle buckets now and then).
    rate_takes: std::sync::atomic::AtomicU64,
}

/// The connections of one node: the idle ones, and how many are open (idle or in use).
#[derive(Default)]
struct Pool {
    idle: Vec<Pooled>,
    open: usize,
}

/// A connection taken from the pool; returned to it when dropped, even by a panic, so the
/// count of open connections never leaks.
struct Checkout<'a> {
    db: &'a Postgres,
    pooled: Option<Pooled>,
}

impl<'a> Checkout<'a> {
    fn new(db: &'a Postgres, pooled: Pooled) -> Self {
        Checkout {
            db,
            pooled: Some(pooled),
        }
    }

    #[expect(clippy::expect_used, reason = "the connection is taken only by drop")]
    fn pooled(&mut self) -> &mut Pooled {
        self.pooled
            .as_mut()
            .expect("a checkout holds its connection until it is dropped")
    }
}

impl Drop for Checkout<'_> {
    fn drop(&mut self) {
        if let Some(pooled) = self.pooled.take() {
            self.db.give_back(pooled);
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.alive.store(false, std::sync::atomic::Ordering::SeqCst);
        // Closing a client waits for the server on the client's own small runtime, which
        // panics on a thread that drives an async runtime (a server drops its state there when
        // it stops): the idle connections are closed on a thread of their own.
        let idle = std::mem::take(&mut self.lock_pool().idle);
        if let Ok(closer) = std::thread::Builder::new()
            .name("lucid-pg-close".into())
            .spawn(move || drop(idle))
        {
            let _ = closer.join();
        }
    }
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres")
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

impl Postgres {
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
        self.write(|conn| {
            conn.execute(
                "UPDATE dreams SET lease_expires_at = now() + ?2 * interval '1 millisecond'
                 WHERE lease_owner = ?1 AND status = 'running'",
                params![self.node, self.lease_ms() as f64],
            )
        })
    }

    /// The running dreams and the node holding each one's lease, with the seconds left on it
    /// (negative: expired, waiting for another node to claim it again).
    pub fn dream_leases(&self) -> Result<Vec<(String, String, f64)>> {
        self.read(|conn| {
            conn.all(
                "SELECT id, lease_owner, EXTRACT(EPOCH FROM (lease_expires_at - now()))::float8
                 FROM dreams
                 WHERE status = 'running' AND lease_owner IS NOT NULL ORDER BY seq",
                params![],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
        })
    }

    /// The database URL without its password.
    pub fn database(&self) -> &str {
        &self.display
    }

    /// The versions of the applied migrations.
    pub fn applied_migrations(&self) -> Result<Vec<i64>> {
        self.read(|conn| {
            conn.all(
                "SELECT version FROM schema_migrations ORDER BY version",
                params![],
                |row| row.get(0),
            )
        })
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

    fn lock_pool(&self) -> std::sync::MutexGuard<'_, Pool> {
        self.pool
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// An idle connection, or a new one while fewer than `max_connections` are open, or — all
    /// busy — the first one returned within `connect_timeout`.
    fn take(&self) -> Result<Checkout<'_>> {
        let deadline = std::time::Instant::now() + self.options.connect_timeout;
        let mut pool = self.lock_pool();
        loop {
            if let Some(pooled) = pool.idle.pop() {
                if pooled.client.is_closed() {
                    pool.open -= 1;
                    continue;
                }
                return Ok(Checkout::new(self, pooled));
            }
            if pool.open < self.options.max_connections.max(1) {
                pool.open += 1;
                drop(pool);
                return match self.connect() {
                    Ok(pooled) => Ok(Checkout::new(self, pooled)),
                    Err(error) => {
                        self.lock_pool().open -= 1;
                        self.returned.notify_one();
                        Err(error)
                    }
                };
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(StorageError::Backend(format!(
                    "all {} connections to {} stayed busy for {:?}; raise [server] \
                     database_max_connections or add nodes",
                    pool.open, self.display, self.options.connect_timeout
                )));
            }
            pool = self
                .returned
                .wait_timeout(pool, left)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }

    /// Keeps a healthy connection for reuse (up to `pool_size`), closes the others.
    fn give_back(&self, pooled: Pooled) {
        let mut pool = self.lock_pool();
        if !pooled.client.is_closed() && pool.idle.len() < self.options.pool_size {
            pool.idle.push(pooled);
        } else {
            pool.open -= 1;
            drop(pool);
            drop(pooled);
        }
        self.returned.notify_one();
    }

    /// Runs `work` in one write transaction holding [`WRITE_LOCK`]; an error rolls everything
    /// back.
    fn write_tx<T>(&self, work: impl FnOnce(&PgTx<'_>) -> Result<T>) -> Result<T> {
        let mut checkout = self.take()?;
        let result = (|| {
            let Pooled { client, statements } = checkout.pooled();
            let tx = client.transaction().db()?;
            let conn = PgTx::new(tx, statements);
            conn.native_rows("SELECT pg_advisory_xact_lock(?1)", &[&WRITE_LOCK])?;
            let out = work(&conn)?;
            conn.commit()?;
            Ok(out)
        })();
        drop(checkout);
        result
    }

    /// Runs `work` in one read-only snapshot transaction.
    fn read_tx<T>(&self, work: impl FnOnce(&PgTx<'_>) -> Result<T>) -> Result<T> {
        let mut checkout = self.take()?;
        let result = (|| {
            let Pooled { client, statements } = checkout.pooled();
            let tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .db()?;
            let conn = PgTx::new(tx, statements);
            let out = work(&conn)?;
            conn.commit()?;
            Ok(out)
        })();
        drop(checkout);
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
    let newest = Postgres::newest_migration();
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
                db::describe(&e)
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

impl Backend for Postgres {
    type Location = str;
    type Options = PostgresOptions;

    /// Connects to the database at `url` and brings its schema up to date.
    fn open_with(url: &str, options: PostgresOptions) -> Result<Postgres> {
        let display = redact_url(url);
        let mut config: postgres::Config = url.parse().map_err(|error| {
            StorageError::Backend(format!("{display} is not a PostgreSQL URL: {error}"))
        })?;
        config.connect_timeout(options.connect_timeout);
        if config.get_application_name().is_none() {
            config.application_name("lucid");
        }
        let storage = Postgres {
            config,
            options,
            display,
            pool: Mutex::new(Pool::default()),
            returned: std::sync::Condvar::new(),
            node: node_name(),
            alive: std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true)),
            rate_takes: std::sync::atomic::AtomicU64::new(0),
        };
        let mut checkout = storage.take()?;
        migrate(&mut checkout.pooled().client)?;
        drop(checkout);
        storage.start_heartbeat();
        Ok(storage)
    }

    /// The schema version of the database at `url` and the newest this binary knows, without
    /// changing anything (0: lucid has never run there).
    fn schema_version(url: &str) -> Result<(i64, i64)> {
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
    fn newest_migration() -> i64 {
        MIGRATIONS.last().map_or(0, |m| m.0)
    }

    /// Runs `work` in one write transaction holding [`WRITE_LOCK`]; an error rolls everything
    /// back.
    fn write<T>(&self, work: impl FnOnce(&dyn Transaction) -> Result<T>) -> Result<T> {
        self.write_tx(|conn| work(conn))
    }

    /// Runs `work` in one read-only snapshot transaction.
    fn read<T>(&self, work: impl FnOnce(&dyn Transaction) -> Result<T>) -> Result<T> {
        self.read_tx(|conn| work(conn))
    }

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

    /// One statement outside the write lock, on a table without WAL (no flush per request);
    /// every 4,096 takes (`PRUNE_BUCKETS_EVERY`), buckets untouched for an hour (full by then at any
    /// sensible rate) are dropped.
    fn take_rate_token(&self, holder: &str, rate: BucketRate) -> Result<Option<RateToken>> {
        let mut checkout = self.take()?;
        let client = &mut checkout.pooled().client;
        let takes = self
            .rate_takes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if takes % PRUNE_BUCKETS_EVERY == PRUNE_BUCKETS_EVERY - 1 {
            client
                .execute(
                    "DELETE FROM rate_buckets WHERE refreshed_at < now() - interval '1 hour'",
                    &[],
                )
                .db()?;
        }
        let wait: f64 = client
            .query_one(
                "SELECT lucid_take_rate_token($1, $2, $3)",
                &[&holder, &rate.per_second, &rate.burst],
            )
            .db()?
            .get(0);
        Ok(Some(if wait > 0.0 {
            RateToken::Wait(Duration::from_secs_f64(wait.min(86_400.0)))
        } else {
            RateToken::Taken
        }))
    }

    /// Claims the oldest pending dream, or else the oldest running one whose lease expired (its
    /// node died or lost the database: it is re-run), with a lease for this node.
    fn claim(&self, conn: &dyn Transaction) -> Result<Option<Dream>> {
        let next: Option<(String, String)> = conn.optional(
            "SELECT id, status FROM dreams
             WHERE status = 'pending' OR (status = 'running' AND lease_expires_at < now())
             ORDER BY (status = 'running') DESC, seq LIMIT 1
             FOR UPDATE SKIP LOCKED",
            params![],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let Some((id, status)) = next else {
            return Ok(None);
        };
        if status == "running" {
            tracing::warn!(dream = %id, node = %self.node, "the lease of a running dream expired: running it again");
        }
        conn.execute(
            "UPDATE dreams SET status = 'running', started_at = COALESCE(started_at, ?2),
                               lease_owner = ?3,
                               lease_expires_at = now() + ?4 * interval '1 millisecond',
                               attempts = attempts + 1
             WHERE id = ?1",
            params![id, ids::now(), self.node, self.lease_ms() as f64],
        )?;
        lucid_storage_sql::dreams::by_id(conn, &id).map(Some)
    }

    /// This node holds the dream's lease, or the dream has no lease (claimed by a backend
    /// without leases, or never claimed). Locks the dream's row until the transaction ends.
    fn holds_dream(&self, conn: &dyn Transaction, dream_id: &str) -> Result<bool> {
        let owner: Option<Option<String>> = conn.optional(
            "SELECT lease_owner FROM dreams WHERE id = ?1 FOR UPDATE",
            params![dream_id],
            |row| row.get(0),
        )?;
        Ok(match owner {
            Some(Some(owner)) => owner == self.node,
            _ => true,
        })
    }
}
