//! `lucid db copy --from sqlite://… --to postgres://…` (issue 15): a SQLite installation with
//! every kind of object — keys, stores, memories with several versions (one redacted), agents
//! with versions, sessions with events (one archived), a completed and promoted dream, a
//! running one, a schedule, a cached model answer — copied into a new PostgreSQL database reads
//! back the same through the `Storage` trait, object by object; the API key still
//! authenticates, search finds the same items, the running dream is claimable again. A second
//! copy into the now full database, a copy of a SQLite file a server holds, and wrong URLs are
//! refused with messages that say why. Skipped with a message without a test PostgreSQL
//! (`LUCID_TEST_POSTGRES_URL`), failed under CI.

mod support;

use std::path::Path;

use lucid_storage::{
    AgentFilter, DreamCompletion, DreamFilter, DreamModel, MemoryFilter, MemoryPatch, NewAgent,
    NewDream, NewSchedule, NewSession, NewStore, OutputBehavior, PageRequest, SessionFilter,
    Storage, StoreFilter, VersionFilter,
};
use lucid_storage_postgres::PostgresStorage;
use lucid_storage_postgres::testing::{TestDatabase, unavailable};
use lucid_storage_sqlite::SqliteStorage;
use serde_json::{Value, json};
use support::Ran;

/// `lucid ARGS` through the shared harness, in a home of its own (every path given is absolute).
fn lucid(args: &[&str]) -> Ran {
    let home = tempfile::tempdir().expect("home");
    support::lucid(home.path(), args)
}

fn event(kind: &str, text: &str) -> lucid_storage::NewEvent {
    let mut event = serde_json::Map::new();
    event.insert("type".into(), json!(kind));
    event.insert("content".into(), json!([{"type": "text", "text": text}]));
    event
}

fn dream_of(store: &str, session: &str) -> NewDream {
    NewDream {
        memory_store_id: store.to_string(),
        session_ids: vec![session.to_string()],
        model: DreamModel {
            id: "lucid-builtin".into(),
            speed: None,
        },
        instructions: Some("Keep deploy steps.".into()),
        output_behavior: OutputBehavior::CreateNew,
        schedule_id: None,
        trusted_only: false,
    }
}

/// Fills a SQLite installation with one of everything; returns the API key's secret.
fn fill(storage: &SqliteStorage) -> String {
    let (_, secret) = storage.create_api_key("team", Some("ci")).expect("key");
    let ws = storage.ensure_workspace("team").expect("workspace").id;
    let store = storage
        .create_store(
            &ws,
            NewStore {
                name: "Fleet memory".into(),
                description: "what the coders learned".into(),
                ..NewStore::default()
            },
        )
        .expect("store")
        .id;
    let deploy = storage
        .create_memory(
            &ws,
            &store,
            "/deploy.md",
            "- Deploy with `make release`.\n",
            None,
        )
        .expect("memory");
    storage
        .update_memory(
            &ws,
            &store,
            &deploy.id,
            MemoryPatch {
                content: Some("- Deploy with `make release TAG=v2`.\n- Use `gh` for PRs.\n".into()),
                ..MemoryPatch::default()
            },
            None,
        )
        .expect("update");
    storage
        .set_memory_as_of(&ws, &store, &deploy.id, Some("2026-11-30T10:00:00Z"))
        .expect("as of");
    let leaked = storage
        .create_memory(&ws, &store, "/notes/leak.md", "- token ghp_fake\n", None)
        .expect("memory");
    let versions = storage
        .list_memory_versions(
            &ws,
            &store,
            &VersionFilter::default(),
            &PageRequest::first(100),
        )
        .expect("versions");
    let leaked_version = versions
        .data
        .iter()
        .find(|v| v.memory_id == leaked.id)
        .expect("the leak's version")
        .id
        .clone();
    storage
        .delete_memory(&ws, &store, &leaked.id, None, None)
        .expect("delete");
    storage
        .redact_memory_version(&ws, &store, &leaked_version, None)
        .expect("redact");
    let agent = storage
        .create_agent(
            &ws,
            NewAgent {
                name: "coder".into(),
                model: json!({"id": "claude-sonnet-4-5"}),
                memory_store_id: Some(store.clone()),
                ..NewAgent::default()
            },
        )
        .expect("agent")
        .id;
    let mut sessions = Vec::new();
    for (n, words) in ["Deploys need TAG now.", "Use gh, not the web UI."]
        .iter()
        .enumerate()
    {
        let session = storage
            .create_session(
                &ws,
                NewSession {
                    agent_id: Some(agent.clone()),
                    environment_id: None,
                    title: Some(format!("session {n}")),
                    metadata: Default::default(),
                    resources: vec![json!({"type": "memory_store", "memory_store_id": store})],
                    source: None,
                    events: vec![event("user.message", words), event("agent.message", "ok")],
                    trust: Default::default(),
                    users: Default::default(),
                },
            )
            .expect("session")
            .id;
        sessions.push(session);
    }
    storage
        .archive_session(&ws, &sessions[1])
        .expect("archive session");
    // A completed, promoted dream.
    let done = storage
        .create_dream(&ws, dream_of(&store, &sessions[0]))
        .expect("dream")
        .id;
    storage.claim_dream().expect("claim").expect("pending");
    storage.start_dream(&done).expect("start");
    storage
        .complete_dream(
            &done,
            DreamCompletion {
                documents: vec![(
                    "/deploy.md".into(),
                    "- Deploy with `make release TAG=v2`.\n".into(),
                )],
                report: json!({"changes": [{"op": "merge", "id": "c1"}]}),
                diff: json!({"files": 1}),
                usage: Default::default(),
                curator: "builtin".into(),
                events: vec![],
            },
        )
        .expect("complete");
    storage
        .promote_dream(&ws, &done, std::slice::from_ref(&agent), false)
        .expect("promote");
    // A dream that was running when the source stopped.
    let running = storage
        .create_dream(&ws, dream_of(&store, &sessions[0]))
        .expect("dream")
        .id;
    storage.claim_dream().expect("claim").expect("pending");
    storage.start_dream(&running).expect("start");
    storage
        .create_schedule(
            &ws,
            NewSchedule {
                memory_store_id: store.clone(),
                cron: Some("0 3 * * *".into()),
                after_sessions: None,
                instructions: None,
                model: DreamModel {
                    id: "lucid-builtin".into(),
                    speed: None,
                },
                auto_promote: false,
                agent_ids: vec![agent.clone()],
                next_run_at: Some("2026-12-05T03:00:00Z".into()),
            },
        )
        .expect("schedule");
    storage
        .cache_model_response("key-1", "{\"answer\": 1}")
        .expect("cache");
    secret
}

fn to_json<T: serde::Serialize>(value: T) -> Value {
    serde_json::to_value(value).expect("serialisable")
}

/// Everything a client can read of workspace `team`, as one JSON value.
fn read_everything(storage: &dyn Storage) -> Value {
    let ws = storage.ensure_workspace("team").expect("workspace").id;
    let page = PageRequest::first(100);
    let stores = storage
        .list_stores(
            &ws,
            &StoreFilter {
                include_archived: true,
                ..StoreFilter::default()
            },
            &page,
        )
        .expect("stores");
    let mut store_views = Vec::new();
    for store in &stores.data {
        let memories = storage
            .list_memories(
                &ws,
                &store.id,
                &MemoryFilter {
                    full: true,
                    ..MemoryFilter::default()
                },
                &page,
            )
            .expect("memories");
        let versions = storage
            .list_memory_versions(&ws, &store.id, &VersionFilter::default(), &page)
            .expect("versions");
        let search = storage
            .search_memories(&ws, &store.id, "deploy release", 10)
            .expect("search");
        // Hits and their order; not the scores: SQLite ranks with FTS5's bm25 until its
        // in-process index is built, and the numbers of the two differ.
        let search: Vec<Value> = search
            .iter()
            .map(|hit| json!([hit.memory_id, hit.path, hit.line, hit.text]))
            .collect();
        store_views.push(json!({
            "store": to_json(store),
            "memories": to_json(&memories.data),
            "versions": to_json(&versions.data),
            "documents": storage
                .store_documents(&ws, &store.id)
                .expect("documents")
                .iter()
                .map(|d| json!([d.path, d.content, d.updated_at, d.as_of]))
                .collect::<Vec<_>>(),
            "search": search,
        }));
    }
    let agents = storage
        .list_agents(
            &ws,
            &AgentFilter {
                include_archived: true,
                ..AgentFilter::default()
            },
            &page,
        )
        .expect("agents");
    let agent_versions: Vec<Value> = agents
        .data
        .iter()
        .map(|agent| {
            to_json(
                storage
                    .list_agent_versions(&ws, &agent.id, &page)
                    .expect("agent versions")
                    .data,
            )
        })
        .collect();
    let sessions = storage
        .list_sessions(
            &ws,
            &SessionFilter {
                include_archived: true,
                ..SessionFilter::default()
            },
            &page,
        )
        .expect("sessions");
    let events: Vec<Value> = sessions
        .data
        .iter()
        .map(|session| {
            to_json(
                storage
                    .events_after(&ws, &session.id, 0, 1000)
                    .expect("events")
                    .0,
            )
        })
        .collect();
    let dreams = storage
        .list_dreams(
            &ws,
            &DreamFilter {
                include_archived: true,
                ..DreamFilter::default()
            },
            &page,
        )
        .expect("dreams");
    let dream_outputs: Vec<Value> = dreams
        .data
        .iter()
        .map(|dream| {
            json!({
                "report": storage.dream_report(&ws, &dream.id).expect("report"),
                "diff": storage.dream_diff(&ws, &dream.id).expect("diff"),
                "inputs": storage.dream_input_documents(&ws, &dream.id).expect("inputs"),
            })
        })
        .collect();
    json!({
        "keys": to_json(storage.list_api_keys().expect("keys")),
        "stores": store_views,
        "agents": to_json(&agents.data),
        "agent_versions": agent_versions,
        "sessions": to_json(&sessions.data),
        "events": events,
        "dreams": to_json(&dreams.data),
        "dream_outputs": dream_outputs,
        "schedules": to_json(storage.list_schedules(&ws, &page).expect("schedules").data),
        "cached": storage.cached_model_response("key-1").expect("cache"),
    })
}

/// Equal, or a failure that shows the differing lines (not two pages of JSON).
fn assert_same(before: &Value, after: &Value) {
    let before = serde_json::to_string_pretty(before).expect("json");
    let after = serde_json::to_string_pretty(after).expect("json");
    let differing: Vec<String> = before
        .lines()
        .zip(after.lines())
        .enumerate()
        .filter(|(_, (b, a))| b != a)
        .take(10)
        .map(|(n, (b, a))| format!("line {n}: SQLite {b} | PostgreSQL {a}"))
        .collect();
    assert!(
        differing.is_empty() && before.lines().count() == after.lines().count(),
        "the copy reads back differently:\n{}",
        differing.join("\n")
    );
}

#[test]
fn a_sqlite_installation_copied_to_postgresql_reads_back_the_same() {
    if let Some(reason) = unavailable() {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "SKIPPED (not CI): {reason}");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("lucid.db");
    let secret = {
        let source = SqliteStorage::open(&path).expect("sqlite");
        fill(&source)
    };
    let before = read_everything(&SqliteStorage::open(&path).expect("sqlite"));
    let source_bytes = std::fs::read(&path).expect("source");
    let database = TestDatabase::create().expect("test server");
    let from = format!("sqlite://{}", path.display());

    let copied = lucid(&["db", "copy", "--from", &from, "--to", database.url()]);
    let report = copied.text();
    assert!(copied.success(), "{report}");
    for table in ["memory_versions", "session_events", "dreams", "schedules"] {
        assert!(report.contains(table), "{report}");
    }
    assert!(report.contains("match the source"), "{report}");
    assert_eq!(
        std::fs::read(&path).expect("source"),
        source_bytes,
        "the source is only read"
    );

    let target = PostgresStorage::open(database.url()).expect("postgres");
    let after = read_everything(&target);
    assert_same(&before, &after);
    assert!(
        target.authenticate(&secret).expect("auth").is_some(),
        "the API key still works"
    );
    // The dream that was running has no lease on PostgreSQL: the first worker runs it again.
    let reclaimed = target
        .claim_dream()
        .expect("claim")
        .expect("the running dream");
    assert_eq!(reclaimed.status, lucid_storage::DreamStatus::Running);
    // New rows are numbered after the copied ones (no identity clash).
    let ws = target.ensure_workspace("team").expect("workspace").id;
    let store = before["stores"][0]["store"]["id"]
        .as_str()
        .expect("store id");
    target
        .create_memory(&ws, store, "/new.md", "- after the copy\n", None)
        .expect("a write after the copy");
    drop(target);

    // The target is no longer empty: a second copy is refused and changes nothing.
    let again = lucid(&["db", "copy", "--from", &from, "--to", database.url()]);
    assert_eq!(again.code, Some(1), "{}", again.text());
    assert!(
        again.text().contains("already holds data"),
        "{}",
        again.text()
    );
}

#[test]
fn a_copy_is_refused_with_a_reason_for_wrong_or_busy_databases() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("lucid.db");
    drop(SqliteStorage::open(&path).expect("sqlite"));
    let from = path.display().to_string();
    let cases: [(&[&str], &str); 3] = [
        (
            &["--from", "postgres://a@b/c", "--to", "postgres://a@b/d"],
            "--from must be a SQLite database",
        ),
        (
            &["--from", &from, "--to", "/tmp/other.db"],
            "--to must be a PostgreSQL URL",
        ),
        (
            &[
                "--from",
                "/nonexistent/lucid.db",
                "--to",
                "postgres://a@127.0.0.1:1/d",
            ],
            "there is no database",
        ),
    ];
    for (args, says) in cases {
        let mut full = vec!["db", "copy"];
        full.extend_from_slice(args);
        let output = lucid(&full);
        assert_eq!(output.code, Some(1), "{args:?}: {}", output.text());
        assert!(output.text().contains(says), "{args:?}: {}", output.text());
        assert!(!output.text().contains("panicked"), "{}", output.text());
    }
    // A server holds the source: the copy would miss its writes.
    let _held = lucid_storage_sqlite::DatabaseLock::try_acquire(Path::new(&path))
        .expect("lock")
        .expect("free");
    let busy = lucid(&[
        "db",
        "copy",
        "--from",
        &from,
        "--to",
        "postgres://a@127.0.0.1:1/d",
    ]);
    assert_eq!(busy.code, Some(1), "{}", busy.text());
    assert!(busy.text().contains("stop it first"), "{}", busy.text());
}
