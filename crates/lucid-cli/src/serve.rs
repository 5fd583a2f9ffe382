//! `lucid serve`: the dream service on a SQLite file, or on a PostgreSQL database shared by
//! several servers.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use lucid_server::{AppState, AuthMode, Config, Limits, Rate};
use lucid_storage::Storage;
use lucid_storage_postgres::{PostgresOptions, PostgresStorage};
use lucid_storage_sqlite::SqliteStorage;

use crate::EXIT_REFUSED;

/// Run the dream service: an HTTP API compatible with Anthropic's memory-store, session and
/// dream APIs (point the official SDK's base_url at it), on one SQLite file, or on a PostgreSQL
/// database (`--db postgres://user:password@host/database`) that several servers share.
///
/// The database (or the schema in PostgreSQL's) is created on first start. Authentication: every request needs an API key
/// (`lucid keys create --workspace NAME`, sent as `x-api-key` or `Authorization: Bearer`),
/// even before one exists. `--open` serves without keys (everything in workspace `default`),
/// only on a loopback address and only on a database that has never had a key; it is logged
/// at every start.
///
/// Prints `listening on http://ADDR` to stderr once bound, and one line per request at the
/// default log level. SIGINT/SIGTERM stop it gracefully: no new connections, idle ones and
/// half-sent requests closed, in-flight requests and running dreams finish for up to
/// `[server] shutdown_seconds` (30), then what is still open is closed; a second signal exits at
/// once. Pending dreams stay pending for the next start. Dreams a crash left running are marked
/// failed on start.
///
/// Limits (the config file's `[server]` section, defaults in brackets): max_connections [1024],
/// header_timeout_seconds [30], body_timeout_seconds [30], shutdown_seconds [30],
/// max_streams_per_key [64], rate_per_key [100/s] with burst_per_key [1000], rate_per_address
/// [200/s] with burst_per_address [2000], max_uri_kb [8], max_header_kb [32].
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  lucid keys create --workspace team --db lucid.db\n  lucid serve --addr 0.0.0.0:8787 --db lucid.db\n  lucid serve --open --db scratch.db            # no keys, 127.0.0.1 only\n  LUCID_ADDR=127.0.0.1:0 lucid serve   # any free port"
)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port).
    #[arg(long, env = "LUCID_ADDR", default_value = "127.0.0.1:8787")]
    addr: String,

    /// The SQLite database file (created if missing), or a PostgreSQL URL
    /// (`postgres://user:password@host:5432/database`, the database must exist) shared by every
    /// server of an installation.
    #[arg(long, env = "LUCID_DB", default_value = "lucid.db")]
    db: PathBuf,

    /// Whose words the user messages of sessions logged through the API are, unless a session
    /// says (`"users"`): `external` (the default: a customer's text is untrusted, scanned for
    /// injections and flagged, never a memory) or `team` (for agents only the team talks to).
    /// Imported transcripts default to `team`.
    #[arg(long, env = "LUCID_SESSION_USERS", default_value = "external", value_parser = ["team", "external"])]
    session_users: String,

    /// Start even though another `lucid serve` holds this database (a rolling restart): serve at
    /// once, leave the other server's running dreams alone, and take the database over (marking
    /// dreams it left running as failed) once it has stopped. Without it a second server on the
    /// same file refuses to start.
    #[arg(long)]
    take_over: bool,

    /// Serve without authentication: requests act in workspace `default`. Loopback addresses
    /// only, and refused on a database that has ever had an API key (revoked ones count).
    #[arg(long)]
    open: bool,

    /// What this server does on a shared (PostgreSQL) database: `all` (the API and dreams),
    /// `api` (the API only: other servers run the dreams and fire the schedules) or `worker`
    /// (dreams and schedules only, no HTTP listener). A SQLite file takes only `all`.
    #[arg(long, env = "LUCID_ROLE", default_value = "all", value_parser = ["all", "api", "worker"])]
    role: String,

    /// How many dreams run at once.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64))]
    workers: u16,

    /// The largest request body in MiB (transcript uploads are the large ones); beyond it, 413.
    #[arg(long, env = "LUCID_MAX_BODY_MB", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1024))]
    max_body_mb: u32,

    /// The largest session event in KiB of JSON (appended, initial or imported); beyond it,
    /// 413.
    #[arg(long, env = "LUCID_MAX_EVENT_KB", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=1_048_576))]
    max_event_kb: u32,

    /// The largest agent system prompt in KiB; beyond it, 413.
    #[arg(long, env = "LUCID_MAX_SYSTEM_KB", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1_048_576))]
    max_system_kb: u32,

    /// Pause this long at each stage of a dream (for demos and tests that need a dream to be
    /// running for a while).
    #[arg(long, env = "LUCID_STAGE_DELAY_MS", default_value_t = 0, hide = true)]
    stage_delay_ms: u64,

    /// Log filter (tracing's syntax): error, warn, info, debug, or per target.
    #[arg(long, env = "LUCID_LOG", default_value = "info")]
    log: String,

    /// A TOML config file (the one `lucid dream --config` reads): `[safety] secret_patterns`
    /// are redacted from every stored session event, like the built-in ones; `trusted_tools`
    /// results are trusted in dreams. `[models.NAME]` entries (provider = "anthropic" or
    /// "openai", model, base_url, api_key_env) are the models a dream's `model` may name
    /// besides lucid-builtin; `[prices]` and `[llm]` (token_budget, concurrency,
    /// timeout_seconds, max_retries) tune the model pass. `[server]` sets the limits above.
    #[arg(long, value_name = "FILE", env = "LUCID_CONFIG")]
    config: Option<PathBuf>,
}

/// The limits from the `[server]` section of `config` (the defaults without one).
fn server_limits(config: Option<&Path>) -> anyhow::Result<Limits> {
    let section = crate::config::server_section(config)?;
    let defaults = Limits::default();
    let seconds = |name: &str, value: Option<f64>, default: Duration| match value {
        None => Ok(default),
        Some(v) if v.is_finite() && v > 0.0 && v <= 86_400.0 => Ok(Duration::from_secs_f64(v)),
        Some(v) => Err(anyhow::anyhow!(
            "[server] {name} must be a number of seconds above 0 and at most 86400, not {v}"
        )),
    };
    let rate = |name: &str, per_second: Option<f64>, burst: Option<f64>, default: Rate| {
        let per_second = per_second.unwrap_or(default.per_second);
        let burst = burst.unwrap_or(default.burst);
        if !(per_second.is_finite() && per_second >= 0.0) {
            anyhow::bail!("[server] rate_per_{name} must be 0 (off) or more, not {per_second}");
        }
        if per_second > 0.0 && !(burst.is_finite() && burst >= 1.0) {
            anyhow::bail!("[server] burst_per_{name} must be at least 1, not {burst}");
        }
        Ok(Rate { per_second, burst })
    };
    let max_connections = section.max_connections.unwrap_or(defaults.max_connections);
    if max_connections == 0 {
        anyhow::bail!("[server] max_connections must be at least 1");
    }
    Ok(Limits {
        max_connections,
        header_timeout: seconds(
            "header_timeout_seconds",
            section.header_timeout_seconds,
            defaults.header_timeout,
        )?,
        body_timeout: seconds(
            "body_timeout_seconds",
            section.body_timeout_seconds,
            defaults.body_timeout,
        )?,
        shutdown_timeout: seconds(
            "shutdown_seconds",
            section.shutdown_seconds,
            defaults.shutdown_timeout,
        )?,
        max_streams_per_key: section
            .max_streams_per_key
            .unwrap_or(defaults.max_streams_per_key),
        max_uri_bytes: section
            .max_uri_kb
            .map_or(defaults.max_uri_bytes, |kb| kb.saturating_mul(1024)),
        max_header_bytes: section
            .max_header_kb
            .map_or(defaults.max_header_bytes, |kb| kb.saturating_mul(1024)),
        key_rate: rate(
            "key",
            section.rate_per_key,
            section.burst_per_key,
            defaults.key_rate,
        )?,
        address_rate: rate(
            "address",
            section.rate_per_address,
            section.burst_per_address,
            defaults.address_rate,
        )?,
    })
}

/// The `[server]` section's PostgreSQL settings (the defaults without a config file).
fn postgres_options(config: Option<&Path>) -> anyhow::Result<PostgresOptions> {
    let section = crate::config::server_section(config)?;
    let mut options = PostgresOptions::default();
    if let Some(size) = section.database_pool_size {
        if !(1..=1000).contains(&size) {
            anyhow::bail!("[server] database_pool_size must be 1 to 1000, not {size}");
        }
        options.pool_size = size;
    }
    if let Some(most) = section.database_max_connections {
        if !(1..=10_000).contains(&most) {
            anyhow::bail!("[server] database_max_connections must be 1 to 10000, not {most}");
        }
        options.max_connections = most;
    }
    if section.database_max_connections.is_none() {
        // A larger idle pool alone asks for that many connections.
        options.max_connections = options.max_connections.max(options.pool_size);
    }
    if options.pool_size > options.max_connections {
        anyhow::bail!(
            "[server] database_pool_size ({}) cannot exceed database_max_connections ({})",
            options.pool_size,
            options.max_connections
        );
    }
    if let Some(seconds) = section.database_statement_timeout_seconds {
        if !(seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0) {
            anyhow::bail!(
                "[server] database_statement_timeout_seconds must be above 0 and at most 86400, \
                 not {seconds}"
            );
        }
        options.statement_timeout = Some(Duration::from_secs_f64(seconds));
    }
    if let Some(seconds) = section.dream_lease_seconds {
        if !(seconds.is_finite() && (0.3..=86_400.0).contains(&seconds)) {
            anyhow::bail!(
                "[server] dream_lease_seconds must be at least 0.3 and at most 86400, not {seconds}"
            );
        }
        options.lease = Duration::from_secs_f64(seconds);
    }
    Ok(options)
}

/// The database `--db` names: a PostgreSQL URL, else a SQLite file.
pub(crate) fn postgres_url(db: &Path) -> Option<&str> {
    db.to_str()
        .filter(|text| lucid_storage_postgres::is_postgres_url(text))
}

/// `--db` for messages: the file's path, or the URL without its password.
pub(crate) fn database_label(db: &Path) -> String {
    match postgres_url(db) {
        Some(url) => lucid_storage_postgres::redact_url(url),
        None => db.display().to_string(),
    }
}

/// Opens the storage `--db` names (creating a SQLite file, or PostgreSQL's tables, if needed).
pub(crate) fn open_storage(
    db: &Path,
    options: PostgresOptions,
) -> anyhow::Result<Arc<dyn Storage>> {
    Ok(match postgres_url(db) {
        Some(url) => Arc::new(
            PostgresStorage::open_with(url, options)
                .with_context(|| format!("opening the database {}", database_label(db)))?,
        ),
        None => Arc::new(
            SqliteStorage::open(db)
                .with_context(|| format!("opening the database {}", db.display()))?,
        ),
    })
}

/// `--role worker`: runs dreams and fires schedules, with no HTTP listener, until SIGINT or
/// SIGTERM; then finishes the running dreams (up to the shutdown deadline) like a full server.
async fn run_worker(state: AppState, db_label: String) -> anyhow::Result<u8> {
    let background = lucid_server::Background::start(&state);
    tracing::info!(db = %db_label, workers = state.config().workers, "dream worker started");
    eprintln!("worker running on {db_label}");
    shutdown_then_exit_on_second_signal().await;
    tracing::info!("stopping: finishing running dreams");
    state.begin_shutdown();
    background
        .stop(state.config().limits.shutdown_timeout)
        .await;
    tracing::info!("stopped");
    Ok(0)
}

/// For `--take-over`: waits (on a thread of its own, so the runtime never waits for it) until
/// the other server releases the database, then holds it for the rest of this process and
/// marks the dreams the other server left running as failed.
fn wait_for_the_other_server(db: PathBuf, state: AppState) {
    let (taken, acquired) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = taken.send(lucid_storage_sqlite::DatabaseLock::acquire_blocking(&db));
    });
    tokio::spawn(async move {
        match acquired.await {
            Ok(Ok(lock)) => {
                tracing::info!(
                    lock = %lock.path().display(),
                    "the other server stopped: this server now holds the database"
                );
                if let Err(error) = lucid_server::recover_dreams(&state).await {
                    tracing::error!(error = %error.message, "cannot recover interrupted dreams");
                }
                // Held until the runtime ends with the process.
                std::future::pending::<()>().await;
                drop(lock);
            }
            Ok(Err(error)) => tracing::error!(%error, "cannot lock the database"),
            Err(_) => {}
        }
    });
}

/// Logs to stderr with the given filter.
pub fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

fn resolve(addr: &str) -> anyhow::Result<SocketAddr> {
    addr.to_socket_addrs()
        .with_context(|| format!("cannot resolve --addr {addr}"))?
        .next()
        .with_context(|| format!("--addr {addr} resolves to no address"))
}

/// Resolves at the first SIGINT or SIGTERM; a second one exits the process at once (exit 130):
/// whoever sends it does not want to wait for the shutdown deadline. Dreams it interrupts are
/// marked failed at the next start.
pub async fn shutdown_then_exit_on_second_signal() {
    shutdown_signal().await;
    tokio::spawn(async {
        shutdown_signal().await;
        eprintln!("second signal: exiting now without waiting for requests or dreams");
        std::process::exit(130);
    });
}

/// Resolves when SIGINT or SIGTERM arrives.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
}

pub fn run(args: ServeArgs) -> anyhow::Result<u8> {
    init_logging(&args.log);
    let addr = match resolve(&args.addr) {
        Ok(addr) => addr,
        Err(error) => {
            eprintln!("error: {error:#}");
            return Ok(EXIT_REFUSED);
        }
    };
    let safety = match crate::config::server_safety(args.config.as_deref()) {
        Ok(safety) => safety,
        Err(error) => {
            eprintln!("error: {error:#}");
            return Ok(EXIT_REFUSED);
        }
    };
    // The same file the other sections come from: --config, else the discovered lucid.toml.
    let limits = match server_limits(crate::config::discover(args.config.as_deref()).as_deref()) {
        Ok(limits) => limits,
        Err(error) => {
            eprintln!("error: {error:#}");
            return Ok(EXIT_REFUSED);
        }
    };
    let postgres_options =
        match postgres_options(crate::config::discover(args.config.as_deref()).as_deref()) {
            Ok(options) => options,
            Err(error) => {
                eprintln!("error: {error:#}");
                return Ok(EXIT_REFUSED);
            }
        };
    let models = match crate::config::llm_config(args.config.as_deref()) {
        Ok(config) => lucid_server::Models::from_process_env(config),
        Err(error) => {
            eprintln!("error: {error:#}");
            return Ok(EXIT_REFUSED);
        }
    };
    // A configured model whose key is missing is caught now, not at the first dream.
    for name in models.names() {
        if let Err(message) = models.endpoint(&name) {
            eprintln!("error: {message}");
            return Ok(EXIT_REFUSED);
        }
    }
    if args.open && !addr.ip().is_loopback() {
        eprintln!(
            "error: --open serves without authentication, so only on a loopback address \
             (127.0.0.1 or ::1); refusing to listen on {addr}.\n  Create a key instead: lucid \
             keys create --workspace NAME --db {}",
            database_label(&args.db)
        );
        return Ok(EXIT_REFUSED);
    }
    let shared = postgres_url(&args.db).is_some();
    let db_label = database_label(&args.db);
    if args.role != "all" && !shared {
        eprintln!(
            "error: --role {} needs a database several servers share (--db postgres://…); \
             a SQLite file has one server, which does everything",
            args.role
        );
        return Ok(EXIT_REFUSED);
    }
    // One server per SQLite file: a second one would mark the first one's running dreams as
    // crashed. The lock lives as long as this process. A PostgreSQL database is shared by
    // design: no lock, and no server marks running dreams failed at start (another server may
    // be running them).
    let lock = if shared {
        None
    } else {
        match lucid_storage_sqlite::DatabaseLock::try_acquire(&args.db) {
            Ok(Ok(lock)) => Some(lock),
            Ok(Err(held)) if args.take_over => {
                tracing::warn!(
                    db = %args.db.display(),
                    holder = held.holder.as_deref().unwrap_or("another process"),
                    "--take-over: another server holds this database; serving alongside it and \
                     taking the database over when it stops (its running dreams are left alone)"
                );
                None
            }
            Ok(Err(held)) => {
                eprintln!(
                    "error: another lucid serve ({}) holds the database {} (lock file {}).\n  Stop \
                 it first, or start this one with --take-over for a rolling restart: it serves \
                 at once and takes the database over when the other stops.",
                    held.holder.as_deref().unwrap_or("holder unknown"),
                    args.db.display(),
                    held.path.display()
                );
                return Ok(EXIT_REFUSED);
            }
            Err(error) => {
                return Err(error).context("locking the database");
            }
        }
    };
    let storage = open_storage(&args.db, postgres_options)?;
    let config = Config {
        workers: if args.role == "api" {
            0
        } else {
            usize::from(args.workers)
        },
        // Another server's appends wake no stream here: re-read often on a shared database.
        stream_recheck: if shared {
            Duration::from_millis(500)
        } else {
            Config::default().stream_recheck
        },
        stage_delay: std::time::Duration::from_millis(args.stage_delay_ms),
        max_body_bytes: args.max_body_mb as usize * 1024 * 1024,
        max_event_bytes: args.max_event_kb as usize * 1024,
        max_system_bytes: args.max_system_kb as usize * 1024,
        safety,
        models,
        open: args.open,
        session_users: lucid_storage::SessionUsers::parse(&args.session_users).unwrap_or_default(),
        limits,
        ..Config::default()
    };
    let active_keys = storage.count_api_keys().context("reading the API keys")?;
    let state = match AppState::new(storage, config) {
        Ok(state) => state,
        Err(lucid_storage::StorageError::Invalid(message)) => {
            eprintln!("error: {message}");
            return Ok(EXIT_REFUSED);
        }
        Err(error) => return Err(error).context("reading the API keys"),
    };
    match state.follow_storage_changes() {
        Ok(true) => tracing::info!(db = %db_label, "following other nodes' writes as they commit"),
        Ok(false) => {}
        // Not fatal: streams still see other nodes' writes, by re-reading twice a second.
        Err(error) => {
            tracing::warn!(db = %db_label, %error, "cannot follow other nodes' writes; streams poll instead")
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    if args.role == "worker" {
        return runtime.block_on(run_worker(state, db_label));
    }
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let bound = listener.local_addr().context("reading the bound address")?;
        match state.auth() {
            AuthMode::Keys if active_keys == 0 => tracing::warn!(
                db = %db_label,
                "no active API key: every request is refused until one is created \
                 (lucid keys create --workspace NAME --db {db_label})",
            ),
            AuthMode::Keys => tracing::info!(db = %db_label, "API keys required"),
            AuthMode::Open { .. } => tracing::warn!(
                db = %db_label,
                "--open: serving WITHOUT authentication, every request in workspace default \
                 (loopback only; a key created on this database ends open mode for good)"
            ),
        }
        eprintln!("listening on http://{bound}");
        let holds_database = lock.is_some();
        if !holds_database && !shared {
            wait_for_the_other_server(args.db.clone(), state.clone());
        }
        lucid_server::serve_with(
            listener,
            state,
            shutdown_then_exit_on_second_signal(),
            holds_database,
        )
        .await
        .context("serving")?;
        drop(lock);
        tracing::info!("stopped");
        anyhow::Ok(0)
    })
}
