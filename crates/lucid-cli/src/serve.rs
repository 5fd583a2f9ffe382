//! `lucid serve`: the dream service on a SQLite file.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use lucid_server::{AppState, AuthMode, Config};
use lucid_storage::Storage;
use lucid_storage_sqlite::SqliteStorage;

use crate::EXIT_REFUSED;

/// Run the dream service: an HTTP API compatible with Anthropic's memory-store, session and
/// dream APIs (point the official SDK's base_url at it), on one SQLite file.
///
/// The database is created on first start. Authentication: every request needs an API key
/// (`lucid keys create --workspace NAME`, sent as `x-api-key` or `Authorization: Bearer`),
/// even before one exists. `--open` serves without keys (everything in workspace `default`),
/// only on a loopback address and only on a database that has never had a key; it is logged
/// at every start.
///
/// Prints `listening on http://ADDR` to stderr once bound. SIGINT/SIGTERM stop it gracefully:
/// no new connections, in-flight requests and running dreams finish, pending dreams stay
/// pending for the next start. Dreams a crash left running are marked failed on start.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  lucid keys create --workspace team --db lucid.db\n  lucid serve --addr 0.0.0.0:8787 --db lucid.db\n  lucid serve --open --db scratch.db            # no keys, 127.0.0.1 only\n  LUCID_ADDR=127.0.0.1:0 lucid serve   # any free port"
)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port).
    #[arg(long, env = "LUCID_ADDR", default_value = "127.0.0.1:8787")]
    addr: String,

    /// The SQLite database file (created if missing).
    #[arg(long, env = "LUCID_DB", default_value = "lucid.db")]
    db: PathBuf,

    /// Whose words the user messages of sessions logged through the API are, unless a session
    /// says (`"users"`): `external` (the default: a customer's text is untrusted, scanned for
    /// injections and flagged, never a memory) or `team` (for agents only the team talks to).
    /// Imported transcripts default to `team`.
    #[arg(long, env = "LUCID_SESSION_USERS", default_value = "external", value_parser = ["team", "external"])]
    session_users: String,

    /// Serve without authentication: requests act in workspace `default`. Loopback addresses
    /// only, and refused on a database that has ever had an API key (revoked ones count).
    #[arg(long)]
    open: bool,

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
    /// timeout_seconds, max_retries) tune the model pass.
    #[arg(long, value_name = "FILE", env = "LUCID_CONFIG")]
    config: Option<PathBuf>,
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
            args.db.display()
        );
        return Ok(EXIT_REFUSED);
    }
    let storage = SqliteStorage::open(&args.db)
        .with_context(|| format!("opening the database {}", args.db.display()))?;
    let config = Config {
        workers: usize::from(args.workers),
        stage_delay: std::time::Duration::from_millis(args.stage_delay_ms),
        max_body_bytes: args.max_body_mb as usize * 1024 * 1024,
        max_event_bytes: args.max_event_kb as usize * 1024,
        max_system_bytes: args.max_system_kb as usize * 1024,
        safety,
        models,
        open: args.open,
        session_users: lucid_storage::SessionUsers::parse(&args.session_users).unwrap_or_default(),
        ..Config::default()
    };
    let storage: Arc<dyn Storage> = Arc::new(storage);
    let active_keys = storage.count_api_keys().context("reading the API keys")?;
    let state = match AppState::new(storage, config) {
        Ok(state) => state,
        Err(lucid_storage::StorageError::Invalid(message)) => {
            eprintln!("error: {message}");
            return Ok(EXIT_REFUSED);
        }
        Err(error) => return Err(error).context("reading the API keys"),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let bound = listener.local_addr().context("reading the bound address")?;
        match state.auth() {
            AuthMode::Keys if active_keys == 0 => tracing::warn!(
                db = %args.db.display(),
                "no active API key: every request is refused until one is created \
                 (lucid keys create --workspace NAME --db {})",
                args.db.display()
            ),
            AuthMode::Keys => tracing::info!(db = %args.db.display(), "API keys required"),
            AuthMode::Open { .. } => tracing::warn!(
                db = %args.db.display(),
                "--open: serving WITHOUT authentication, every request in workspace default \
                 (loopback only; a key created on this database ends open mode for good)"
            ),
        }
        eprintln!("listening on http://{bound}");
        lucid_server::serve(listener, state, shutdown_signal())
            .await
            .context("serving")?;
        tracing::info!("stopped");
        anyhow::Ok(0)
    })
}
