//! What every request and background task shares: the storage, the auth mode, the event hub
//! that wakes streams, the rate limiter, the worker wake-up, and the cancel flags of running
//! dreams.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lucid_storage::{Storage, StorageError};
use tokio::sync::{Notify, watch};

use crate::error::{ApiError, ApiResult};
use crate::safety::{Redacting, Safety};

/// Server settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// How many dreams run at once. 0: this server runs no dreams and fires no schedules (an
    /// API node of a shared database, `lucid serve --role api`; other servers run them).
    pub workers: usize,
    /// How often schedules are checked.
    pub schedule_interval: Duration,
    /// The largest request body (transcript uploads are the big ones); 10 MiB by default.
    pub max_body_bytes: usize,
    /// The largest session event, as JSON (appended, initial or imported); 1 MiB by default.
    pub max_event_bytes: usize,
    /// The largest agent system prompt; 100 KiB by default (sessions reference the agent's
    /// version, so a prompt is stored once per version, not once per session).
    pub max_system_bytes: usize,
    /// A pause at each stage of a dream (zero in production). Tests and demos use it to
    /// catch a dream while it runs.
    pub stage_delay: Duration,
    /// Secret patterns and trusted tools (the `[safety]` section of the config file): what is
    /// redacted before anything is stored, and the policy dreams run under.
    pub safety: Safety,
    /// The models a dream may name besides the built-in curator (the config file's
    /// `[models]`, `[prices]` and `[llm]` sections).
    pub models: crate::models::Models,
    /// Whose words the user messages of sessions created through `POST /v1/sessions` are when
    /// the request does not say (`users`): `External` by default, so a customer's text is never
    /// trusted unless a session (or this setting, `lucid serve --session-users team`) says its
    /// users are the team. Imported transcripts default to `Team`.
    pub session_users: lucid_storage::SessionUsers,
    /// Connection, stream and rate limits (the config file's `[server]` section).
    pub limits: crate::limits::Limits,
    /// Serve without authentication (everything in workspace `default`): only when asked for
    /// explicitly (`lucid serve --open`, loopback only), and never on a database that has ever
    /// had an API key. Off: every `/v1` request needs a key, even while none exists yet.
    pub open: bool,
    /// How long an idle event stream waits before reading the database again when no append
    /// through this server woke it: long on a database this server alone writes, short on a
    /// shared one, where another server's appends wake nobody here. When the backend pushes
    /// other nodes' changes ([`Storage::follow_changes`]) the wait is at least
    /// [`PUSHED_STREAM_RECHECK`]: the re-read is then only a safety net.
    pub stream_recheck: Duration,
}

/// The shortest re-read interval of an idle stream on a backend that pushes changes.
pub const PUSHED_STREAM_RECHECK: Duration = Duration::from_secs(5);

impl Default for Config {
    fn default() -> Self {
        Config {
            workers: 2,
            schedule_interval: Duration::from_secs(5),
            max_body_bytes: 10 * 1024 * 1024,
            max_event_bytes: 1024 * 1024,
            max_system_bytes: 100 * 1024,
            stage_delay: Duration::ZERO,
            safety: Safety::default(),
            models: crate::models::Models::default(),
            open: false,
            session_users: lucid_storage::SessionUsers::External,
            limits: crate::limits::Limits::default(),
            stream_recheck: Duration::from_secs(30),
        }
    }
}

/// Whether requests need a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMode {
    /// Every `/v1` request needs a key (the default, whether or not one exists yet).
    Keys,
    /// Asked for explicitly ([`Config::open`]) on a database that never had a key: requests
    /// without a key act in this workspace (`default`). The binary only allows this on a
    /// loopback address. A key created meanwhile switches the server to [`AuthMode::Keys`].
    Open {
        /// The id of workspace `default`, where requests without a key act.
        workspace_id: String,
    },
}

/// Who is calling: their workspace and, with a key, the key's id (recorded on memory versions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The workspace every storage call of the request is scoped to.
    pub workspace_id: String,
    /// The id of the API key presented; `None` when the request acts without a known key (open
    /// mode).
    pub api_key_id: Option<String>,
}

impl Caller {
    /// Who the memory versions this request writes name: its API key, or nobody without one.
    pub fn actor(&self) -> Option<lucid_storage::Actor> {
        self.api_key_id
            .as_ref()
            .map(|id| lucid_storage::Actor::ApiActor {
                api_key_id: id.clone(),
            })
    }
}

/// How long a verified key is trusted without asking the database again (a revoked key stops
/// working within this time).
const KEY_CACHE_TTL: Duration = Duration::from_secs(10);

/// How often a server running without keys looks for new ones.
const KEY_CHECK_INTERVAL: Duration = Duration::from_secs(2);

struct Inner {
    storage: Arc<dyn Storage>,
    auth: AuthMode,
    /// In open mode: set once a key has been created (the server then requires keys).
    keys_appeared: std::sync::atomic::AtomicBool,
    /// When open mode last looked for keys.
    keys_checked: Mutex<Instant>,
    config: Config,
    /// The event streams open now, by session (an append wakes only its session's streams)
    /// and by key (for the per-key cap).
    streams: Mutex<Streams>,
    /// The per-key and per-address request buckets.
    rate: crate::rate::RateLimiter,
    /// How many times a stream has read the database (what an idle stream must not do).
    stream_reads: AtomicU64,
    /// The narration session of each running dream (its stream is woken by the dream).
    narrations: Mutex<HashMap<String, String>>,
    /// True once the server is shutting down: streams end so connections can close.
    shutdown: watch::Sender<bool>,
    /// Wakes idle dream workers when a dream is queued.
    work: Notify,
    /// Wakes the scheduler when sessions arrive.
    schedules: Notify,
    /// Cancel flags of the dreams running now.
    cancels: Mutex<HashMap<String, Arc<AtomicBool>>>,
    keys: Mutex<HashMap<String, (Caller, Instant)>>,
    /// True when the backend pushes other nodes' writes (events, queued dreams) to this
    /// server, so idle streams and workers need not poll for them.
    changes_pushed: std::sync::atomic::AtomicBool,
}

/// Shared state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

impl AppState {
    /// Keys are required unless `config.open` asks for open mode; open mode on a database
    /// that has ever had a key (revoked ones count) is refused (`Invalid`), so revoking the
    /// last key never opens a server. Every write of session or dream text then goes through
    /// [`Redacting`].
    pub fn new(storage: Arc<dyn Storage>, config: Config) -> Result<AppState, StorageError> {
        let storage: Arc<dyn Storage> =
            Arc::new(Redacting::new(storage, config.safety.events().clone()));
        let auth = if !config.open {
            AuthMode::Keys
        } else if !storage.list_api_keys()?.is_empty() {
            return Err(StorageError::Invalid(
                "this database has had API keys, so it is never served without \
                 authentication (open mode); create a key with `lucid keys create` and send it"
                    .into(),
            ));
        } else {
            AuthMode::Open {
                workspace_id: storage.ensure_workspace("default")?.id,
            }
        };
        let (shutdown, _) = watch::channel(false);
        let rate =
            crate::rate::RateLimiter::new(config.limits.key_rate, config.limits.address_rate);
        Ok(AppState {
            inner: Arc::new(Inner {
                storage,
                auth,
                keys_appeared: std::sync::atomic::AtomicBool::new(false),
                keys_checked: Mutex::new(Instant::now()),
                config,
                rate,
                streams: Mutex::new(Streams::default()),
                stream_reads: AtomicU64::new(0),
                narrations: Mutex::new(HashMap::new()),
                shutdown,
                work: Notify::new(),
                schedules: Notify::new(),
                cancels: Mutex::new(HashMap::new()),
                keys: Mutex::new(HashMap::new()),
                changes_pushed: std::sync::atomic::AtomicBool::new(false),
            }),
        })
    }

    /// Asks the backend to push other nodes' writes to this server (PostgreSQL's
    /// LISTEN/NOTIFY): their events wake this server's streams and their queued dreams wake
    /// its workers at once. Returns whether the backend pushes; without it, streams re-read
    /// every [`Config::stream_recheck`].
    pub fn follow_storage_changes(&self) -> Result<bool, StorageError> {
        let weak = Arc::downgrade(&self.inner);
        let listener: lucid_storage::ChangeListener = Arc::new(move |change| {
            let Some(inner) = weak.upgrade() else {
                return;
            };
            let state = AppState { inner };
            match change {
                lucid_storage::StorageChange::SessionChanged(session) => {
                    state.session_changed(&session);
                }
                lucid_storage::StorageChange::DreamQueued(_) => state.wake_workers(),
                // The cache is keyed by the secret's hash, which the notice cannot name:
                // forget every cached key (each is verified again on its next request).
                lucid_storage::StorageChange::KeyRevoked(_) => state.lock_keys().clear(),
                lucid_storage::StorageChange::Resync => {
                    state.lock_keys().clear();
                    state.all_sessions_changed();
                    state.wake_workers();
                    state.wake_scheduler();
                }
            }
        });
        let pushed = self.inner.storage.follow_changes(listener)?;
        self.inner
            .changes_pushed
            .store(pushed, std::sync::atomic::Ordering::SeqCst);
        Ok(pushed)
    }

    /// Whether other nodes' writes reach this server as they commit.
    pub fn follows_other_nodes(&self) -> bool {
        self.inner
            .changes_pushed
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// How long an idle stream waits before re-reading the database unprompted.
    pub(crate) fn stream_recheck(&self) -> Duration {
        let configured = self.inner.config.stream_recheck;
        if self
            .inner
            .changes_pushed
            .load(std::sync::atomic::Ordering::SeqCst)
        {
            configured.max(PUSHED_STREAM_RECHECK)
        } else {
            configured
        }
    }

    /// The storage requests use, wrapped so that session and dream text is redacted before every
    /// write.
    pub fn storage(&self) -> &Arc<dyn Storage> {
        &self.inner.storage
    }

    /// The auth mode the server started in.
    pub fn auth(&self) -> &AuthMode {
        &self.inner.auth
    }

    /// The auth mode now: a server started open requires keys once one has been created
    /// (`lucid keys create` on the same database), noticed within a few seconds, and from then
    /// on for good (revoking that key does not reopen it).
    pub async fn current_auth(&self) -> ApiResult<AuthMode> {
        if matches!(self.inner.auth, AuthMode::Keys)
            || self.inner.keys_appeared.load(Ordering::SeqCst)
        {
            return Ok(AuthMode::Keys);
        }
        let due = {
            let mut checked = self
                .inner
                .keys_checked
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if checked.elapsed() >= KEY_CHECK_INTERVAL {
                *checked = Instant::now();
                true
            } else {
                false
            }
        };
        if due && self.run(|s| s.count_api_keys()).await? > 0 {
            tracing::warn!("an API key was created: requests now need a key");
            self.inner.keys_appeared.store(true, Ordering::SeqCst);
            return Ok(AuthMode::Keys);
        }
        Ok(self.inner.auth.clone())
    }

    /// Takes a token from the request's address and key buckets: in memory on a backend one
    /// process owns, in the database's shared buckets (on the blocking pool) where several
    /// nodes share it, so a key's rate holds across every node.
    pub(crate) async fn check_rate(
        &self,
        key: Option<String>,
        address: Option<std::net::IpAddr>,
    ) -> ApiResult<()> {
        let rate = &self.inner.rate;
        if rate.is_off() {
            return Ok(());
        }
        if rate.counts_in_memory() {
            return rate.check(key.as_deref(), address);
        }
        let state = self.clone();
        match tokio::task::spawn_blocking(move || {
            let inner = &state.inner;
            inner
                .rate
                .check_shared(inner.storage.as_ref(), key.as_deref(), address)
        })
        .await
        {
            Ok(result) => result,
            Err(error) => Err(ApiError::internal(format!(
                "rate limit task failed: {error}"
            ))),
        }
    }

    /// The settings the server was started with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The server's safety policies.
    pub fn safety(&self) -> &Safety {
        &self.inner.config.safety
    }

    /// Runs a storage call on the blocking pool.
    pub async fn run<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Storage) -> lucid_storage::Result<T> + Send + 'static,
    {
        let storage = self.inner.storage.clone();
        match tokio::task::spawn_blocking(move || work(storage.as_ref())).await {
            Ok(result) => result.map_err(ApiError::from),
            Err(error) => Err(ApiError::internal(format!("storage task failed: {error}"))),
        }
    }

    /// Resolves a key to its caller, with a short cache.
    pub async fn caller_for_key(&self, secret: &str) -> ApiResult<Option<Caller>> {
        let hash = lucid_storage::ids::sha256_hex(secret.as_bytes());
        if let Some((caller, at)) = self.lock_keys().get(&hash)
            && at.elapsed() < KEY_CACHE_TTL
        {
            return Ok(Some(caller.clone()));
        }
        let secret = secret.to_string();
        let key = self.run(move |s| s.authenticate(&secret)).await?;
        let caller = key.map(|key| Caller {
            workspace_id: key.workspace_id,
            api_key_id: Some(key.id),
        });
        let mut keys = self.lock_keys();
        match &caller {
            Some(caller) => {
                if keys.len() > 10_000 {
                    keys.clear();
                }
                keys.insert(hash, (caller.clone(), Instant::now()));
            }
            None => {
                keys.remove(&hash);
            }
        }
        Ok(caller)
    }

    fn lock_keys(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Caller, Instant)>> {
        self.inner
            .keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn lock_streams(&self) -> std::sync::MutexGuard<'_, Streams> {
        self.inner
            .streams
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Tells the streams of `session_id` (only them) that its events changed: appended, or the
    /// session archived or deleted. Streams of other sessions are not woken, so idle streams
    /// cost nothing per append.
    pub fn session_changed(&self, session_id: &str) {
        if let Some(sender) = self.lock_streams().sessions.get(session_id) {
            sender.send_modify(|n| *n = n.wrapping_add(1));
        }
    }

    /// Wakes every open stream (the backend may have missed changes while reconnecting).
    fn all_sessions_changed(&self) {
        for sender in self.lock_streams().sessions.values() {
            sender.send_modify(|n| *n = n.wrapping_add(1));
        }
    }

    /// Tells the stream of a dream's narration session that the dream narrated or ended.
    pub(crate) fn dream_changed(&self, dream_id: &str) {
        let session = self
            .inner
            .narrations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(dream_id)
            .cloned();
        if let Some(session) = session {
            self.session_changed(&session);
        }
    }

    /// Records the narration session of a running dream (until [`Self::unregister_dream`]).
    pub(crate) fn set_narration(&self, dream_id: &str, session_id: &str) {
        self.inner
            .narrations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(dream_id.to_string(), session_id.to_string());
    }

    /// Opens a stream on `session_id` for `holder` (a key id, or `open` without one): a 429
    /// once the holder has [`crate::limits::Limits::max_streams_per_key`] streams open. The
    /// stream is counted until the returned ticket is dropped.
    pub fn open_stream(&self, holder: &str, session_id: &str) -> ApiResult<StreamTicket> {
        let max = self.inner.config.limits.max_streams_per_key;
        let mut streams = self.lock_streams();
        let open = streams.per_holder.get(holder).copied().unwrap_or(0);
        if max > 0 && open >= max {
            return Err(ApiError::rate_limited(
                format!(
                    "this key already has {open} event streams open, the limit ([server] \
                     max_streams_per_key); close one first"
                ),
                Duration::from_secs(5),
            ));
        }
        streams.per_holder.insert(holder.to_string(), open + 1);
        let changes = streams
            .sessions
            .entry(session_id.to_string())
            .or_insert_with(|| watch::channel(0).0)
            .subscribe();
        Ok(StreamTicket {
            state: self.clone(),
            holder: holder.to_string(),
            session: session_id.to_string(),
            changes,
        })
    }

    /// Counts one database read by a stream.
    pub(crate) fn count_stream_read(&self) {
        self.inner.stream_reads.fetch_add(1, Ordering::Relaxed);
    }

    /// How many times event streams have read the database since the start: an append must
    /// not make the idle streams of other sessions read it.
    pub fn stream_reads(&self) -> u64 {
        self.inner.stream_reads.load(Ordering::Relaxed)
    }

    /// How many event streams are open now.
    pub fn open_streams(&self) -> usize {
        self.lock_streams().per_holder.values().sum()
    }

    /// Ends event streams (called when shutdown starts).
    pub fn begin_shutdown(&self) {
        self.inner.shutdown.send_replace(true);
    }

    /// Watches for shutdown: the value turns `true` once [`AppState::begin_shutdown`] is called.
    pub fn subscribe_shutdown(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.subscribe()
    }

    /// Wakes a dream worker.
    pub fn wake_workers(&self) {
        self.inner.work.notify_one();
    }

    pub(crate) fn work(&self) -> &Notify {
        &self.inner.work
    }

    /// Asks the scheduler to look at session-count triggers now.
    pub fn wake_scheduler(&self) {
        self.inner.schedules.notify_one();
    }

    pub(crate) fn schedules(&self) -> &Notify {
        &self.inner.schedules
    }

    fn lock_cancels(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<AtomicBool>>> {
        self.inner
            .cancels
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Raises the cancel flag of every running dream: the shutdown deadline has passed, so
    /// in-flight model requests stop and the workers return (dropping the runtime waits for
    /// blocking tasks, so a dream waiting on a silent model would otherwise hold the exit).
    pub(crate) fn cancel_running_dreams(&self) -> usize {
        let cancels = self.lock_cancels();
        for flag in cancels.values() {
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        cancels.len()
    }

    /// Registers a running dream and returns its cancel flag.
    pub(crate) fn register_dream(&self, dream_id: &str) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        self.lock_cancels()
            .insert(dream_id.to_string(), flag.clone());
        flag
    }

    pub(crate) fn unregister_dream(&self, dream_id: &str) {
        self.lock_cancels().remove(dream_id);
        self.inner
            .narrations
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(dream_id);
    }

    /// Raises the cancel flag of a running dream (its engine stops at the next stage).
    pub(crate) fn signal_cancel(&self, dream_id: &str) {
        if let Some(flag) = self.lock_cancels().get(dream_id) {
            flag.store(true, Ordering::SeqCst);
        }
    }
}

/// The open event streams: one wake-up channel per streamed session, and a count per holder.
#[derive(Default)]
struct Streams {
    sessions: HashMap<String, watch::Sender<u64>>,
    per_holder: HashMap<String, usize>,
}

/// One open event stream: its session's wake-ups, counted against its holder until dropped.
pub struct StreamTicket {
    state: AppState,
    holder: String,
    session: String,
    changes: watch::Receiver<u64>,
}

impl StreamTicket {
    /// The session's change counter; `changed()` resolves when it is bumped.
    pub fn changes(&mut self) -> &mut watch::Receiver<u64> {
        &mut self.changes
    }
}

impl Drop for StreamTicket {
    fn drop(&mut self) {
        let mut streams = self.state.lock_streams();
        if let Some(open) = streams.per_holder.get_mut(&self.holder) {
            *open = open.saturating_sub(1);
            if *open == 0 {
                streams.per_holder.remove(&self.holder);
            }
        }
        // This ticket's receiver is still alive here: the channel goes with the last stream.
        if streams
            .sessions
            .get(&self.session)
            .is_some_and(|sender| sender.receiver_count() <= 1)
        {
            streams.sessions.remove(&self.session);
        }
    }
}
