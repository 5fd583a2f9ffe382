//! Review change by change (issue 14 §1), against a real server bound to 127.0.0.1: a dream's
//! changes promoted one by one, each op rejected and accepted in turn, the resulting store
//! compared item by item with what the decision must give (computed from the input store, the
//! draft and the report, never written down by hand); dependencies, errors, versions and their
//! actors, and the review kept on the dream. And before a dream (§3): a dry run's figures,
//! with nothing created and no model called.

use std::collections::BTreeSet;
use std::sync::Arc;

use lucid_core::report::{Change, Report};
use lucid_core::selection::{Selection, apply_selection};
use lucid_core::{SafetyPolicy, Store, StoreDocument};
use lucid_server::{AppState, Config};
use lucid_storage::{DreamCompletion, DreamUsage, NewDream, Storage};
use lucid_storage_sqlite::SqliteStorage;
use serde_json::{Value, json};

/// A server on 127.0.0.1 (port 0) over a fresh SQLite file, with one key.
struct Server {
    base: String,
    key: String,
    key_id: String,
    http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Starts the server after `prepare` has written what it needs straight into the storage
    /// (before any worker runs).
    async fn start_with(prepare: impl FnOnce(&SqliteStorage, &str)) -> Server {
        Server::start_configured(Config::default(), prepare).await
    }

    async fn start_configured(
        config: Config,
        prepare: impl FnOnce(&SqliteStorage, &str),
    ) -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = Arc::new(SqliteStorage::open(&dir.path().join("lucid.db")).expect("open"));
        let (key_row, key) = storage
            .create_api_key("team", Some("reviewer"))
            .expect("key");
        prepare(&storage, &key_row.workspace_id);
        let state = AppState::new(storage.clone(), config).expect("state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(lucid_server::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        // reqwest is built without a default TLS provider (ring is the build's one).
        let _ = rustls::crypto::ring::default_provider().install_default();
        Server {
            base,
            key,
            key_id: key_row.id,
            http: reqwest::Client::new(),
            stop: Some(stop),
            server: Some(server),
            _dir: dir,
        }
    }

    async fn start() -> Server {
        Server::start_with(|_, _| {}).await
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("join").expect("served");
        }
    }

    /// Any call: the status and the JSON body. Never a 5xx; every error is the envelope.
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .header("x-api-key", &self.key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("send");
        let status = response.status().as_u16();
        let value: Value = response.json().await.expect("json");
        assert!(status < 500, "{method} {path}: {status} {value}");
        if status >= 400 {
            assert_eq!(value["type"], "error", "{value}");
            assert!(value["error"]["message"].as_str().is_some(), "{value}");
        }
        (status, value)
    }

    async fn get(&self, path: &str) -> Value {
        let (status, value) = self.call(reqwest::Method::GET, path, None).await;
        assert_eq!(status, 200, "GET {path}: {value}");
        value
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let (status, value) = self.call(reqwest::Method::POST, path, Some(body)).await;
        assert_eq!(status, 200, "POST {path}: {value}");
        value
    }

    async fn post_status(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    /// Every item of every memory of a store, as (path, text).
    async fn items(&self, store: &str) -> BTreeSet<(String, String)> {
        let listed = self
            .get(&format!(
                "/v1/memory_stores/{store}/memories?limit=100&view=full"
            ))
            .await;
        let mut out = BTreeSet::new();
        for memory in listed["data"].as_array().expect("memories") {
            let path = memory["path"].as_str().expect("path").to_string();
            let id = memory["id"].as_str().expect("id");
            let full = self
                .get(&format!("/v1/memory_stores/{store}/memories/{id}"))
                .await;
            for (path, text) in items_of(&path, full["content"].as_str().expect("content")) {
                out.insert((path, text));
            }
        }
        out
    }

    async fn store_count(&self) -> usize {
        self.get("/v1/memory_stores?limit=100").await["data"]
            .as_array()
            .expect("stores")
            .len()
    }

    async fn wait_dream(&self, id: &str) -> Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let dream = self.get(&format!("/v1/dreams/{id}")).await;
            let status = dream["status"].as_str().unwrap_or_default().to_string();
            if matches!(status.as_str(), "completed" | "failed" | "canceled") {
                return dream;
            }
            assert!(std::time::Instant::now() < deadline, "dream {id} {status}");
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    }
}

/// The list items and paragraphs of one document, as (path, text).
fn items_of(path: &str, content: &str) -> Vec<(String, String)> {
    content
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let text = line.strip_prefix("- ").unwrap_or(line);
            (path.to_string(), text.to_string())
        })
        .collect()
}

fn example(path: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/fleet");
    std::fs::read_to_string(root.join(path)).expect("example file")
}

/// The example fleet dreamed through the API with an ignore directive: its report holds adds,
/// merges, supersedes, a remove (the ignored store item) and flags.
struct Fixture {
    input: String,
    dream: String,
    output: String,
    agent: String,
    report: Value,
}

/// The example fleet's store and sessions imported through the API: (store, session ids).
async fn import_fleet(server: &Server) -> (String, Vec<String>) {
    let input = server
        .post("/v1/memory_stores", json!({"name": "fleet"}))
        .await["id"]
        .as_str()
        .expect("store")
        .to_string();
    for name in ["conventions.md", "infra.md"] {
        server
            .post(
                &format!("/v1/memory_stores/{input}/memories"),
                json!({"path": format!("/{name}"), "content": example(&format!("memory/{name}"))}),
            )
            .await;
    }
    let mut sessions = Vec::new();
    for (agent, file) in [
        ("coder", "fix-login.jsonl"),
        ("coder", "rate-limit.jsonl"),
        ("drafter", "engagement-letter.json"),
        ("drafter", "nda-review.json"),
        ("reviewer", "memo-review.jsonl"),
        ("reviewer", "review-815.jsonl"),
    ] {
        let session = server
            .post(
                "/v1/sessions/import",
                json!({"agent": agent, "filename": file,
                       "transcript": example(&format!("sessions/{agent}/{file}"))}),
            )
            .await;
        sessions.push(session["id"].as_str().expect("session").to_string());
    }
    (input, sessions)
}

impl Fixture {
    async fn dream(server: &Server) -> Fixture {
        let (input, sessions) = import_fleet(server).await;
        let created = server
            .post(
                "/v1/dreams",
                json!({
                    "inputs": [{"type": "memory_store", "memory_store_id": input},
                               {"type": "sessions", "session_ids": sessions}],
                    "model": "lucid-builtin",
                    "instructions": "Ignore anything about the sync job.",
                }),
            )
            .await;
        let dream = created["id"].as_str().expect("dream").to_string();
        let done = server.wait_dream(&dream).await;
        assert_eq!(done["status"], "completed", "{done}");
        let output = done["outputs"][0]["memory_store_id"]
            .as_str()
            .expect("output")
            .to_string();
        let report = server.get(&format!("/v1/dreams/{dream}/report")).await;
        let agent = server
            .post(
                "/v1/agents",
                json!({"name": "bot", "model": "claude-sonnet-4-5", "memory_store_id": input}),
            )
            .await["id"]
            .as_str()
            .expect("agent")
            .to_string();
        Fixture {
            input,
            dream,
            output,
            agent,
            report,
        }
    }

    fn changes(&self) -> &Vec<Value> {
        self.report["changes"].as_array().expect("changes")
    }

    /// The first change with this op.
    fn first(&self, op: &str) -> &Value {
        self.changes()
            .iter()
            .find(|c| c["op"] == op)
            .unwrap_or_else(|| panic!("the fixture's report has no {op}: {}", self.report))
    }

    async fn promote(&self, server: &Server, decision: Value) -> (u16, Value) {
        let mut body = json!({"agent_ids": [self.agent], "accept_flags": true});
        if let (Value::Object(body), Value::Object(decision)) = (&mut body, decision) {
            body.extend(decision);
        }
        server
            .post_status(&format!("/v1/dreams/{}/promote", self.dream), body)
            .await
    }
}

fn text(change: &Value) -> String {
    change["text"].as_str().expect("text").to_string()
}

fn replaces(change: &Value) -> Vec<String> {
    change["replaces"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The items of `input` whose text is one of `texts`.
fn holding(input: &BTreeSet<(String, String)>, texts: &[String]) -> BTreeSet<(String, String)> {
    input
        .iter()
        .filter(|(_, t)| texts.contains(t))
        .cloned()
        .collect()
}

/// What rejecting `change` alone must give: the draft without what it wrote, with the input's
/// items it consumed (or rewrote in place) as they were.
fn without(
    draft: &BTreeSet<(String, String)>,
    input: &BTreeSet<(String, String)>,
    change: &Value,
) -> BTreeSet<(String, String)> {
    let mut expected = draft.clone();
    match change["op"].as_str() {
        Some("remove") => expected.extend(holding(input, &[text(change)])),
        _ => {
            expected.retain(|(_, t)| *t != text(change));
            let mut consumed = replaces(change);
            consumed.push(text(change));
            expected.extend(holding(input, &consumed));
        }
    }
    expected
}

/// What accepting `change` alone must give: the input with it applied.
fn only(input: &BTreeSet<(String, String)>, change: &Value) -> BTreeSet<(String, String)> {
    let mut expected = input.clone();
    match change["op"].as_str() {
        Some("remove") => expected.retain(|(_, t)| *t != text(change)),
        _ => {
            let consumed = replaces(change);
            expected.retain(|(_, t)| !consumed.contains(t));
            let path = change["path"]
                .as_str()
                .expect("a writing change has a path");
            expected.insert((path.to_string(), text(change)));
        }
    }
    expected
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_op_rejected_and_accepted_in_turn_gives_the_input_plus_the_accepted_changes() {
    let server = Server::start().await;
    let fixture = Fixture::dream(&server).await;
    let input = server.items(&fixture.input).await;
    let draft = server.items(&fixture.output).await;
    assert_ne!(input, draft, "the dream changed something");

    // Nothing rejected: the draft, item by item.
    let (status, everything) = fixture.promote(&server, json!({"reject": []})).await;
    assert_eq!(status, 200, "{everything}");
    let everything_store = everything["memory_store_id"].as_str().expect("store");
    assert_ne!(everything_store, fixture.output);
    assert_eq!(server.items(everything_store).await, draft);

    for op in ["add", "merge", "supersede", "remove"] {
        // The first change of the op that changes the input on its own (a merge into an item
        // the input already holds, with originals only sessions said, writes nothing).
        let change = fixture
            .changes()
            .iter()
            .find(|c| c["op"] == op && only(&input, c) != input)
            .unwrap_or_else(|| panic!("no {op} that changes the input: {}", fixture.report))
            .clone();
        let id = change["id"].as_str().expect("id").to_string();

        // Rejected: the draft without it, the input's items it consumed back in place.
        let (status, rejected) = fixture.promote(&server, json!({"reject": [id]})).await;
        assert_eq!(status, 200, "reject {op}: {rejected}");
        assert_eq!(
            rejected["review"]["rejected_as_dependents"],
            json!([]),
            "{op}"
        );
        assert!(
            rejected["review"]["rejected"]
                .as_array()
                .expect("rejected")
                .contains(&json!(id))
        );
        let store = rejected["memory_store_id"].as_str().expect("store");
        assert_eq!(
            server.items(store).await,
            without(&draft, &input, &change),
            "rejecting the {op} {id}"
        );

        // Accepted alone: the input with it applied, and nothing else.
        let (status, accepted) = fixture.promote(&server, json!({"accept": [id]})).await;
        assert_eq!(status, 200, "accept {op}: {accepted}");
        assert_eq!(accepted["review"]["accepted"], json!([id]));
        let store = accepted["memory_store_id"]
            .as_str()
            .expect("store")
            .to_string();
        assert_eq!(
            server.items(&store).await,
            only(&input, &change),
            "accepting only the {op} {id}"
        );
        // The agent is on it, and the input and the dream's own output are untouched.
        let agent = server.get(&format!("/v1/agents/{}", fixture.agent)).await;
        assert_eq!(agent["memory_store_id"], json!(store));
        assert_eq!(server.items(&fixture.input).await, input);
        assert_eq!(server.items(&fixture.output).await, draft);

        // Versions: the input as the dream read it is the dream's; the one accepted change is
        // the reviewer's, and it wrote the change's text (or took the removed item out).
        let by_reviewer = server
            .get(&format!(
                "/v1/memory_stores/{store}/memory_versions?api_key_id={}&view=full",
                server.key_id
            ))
            .await;
        let versions = by_reviewer["data"].as_array().expect("versions");
        assert_eq!(versions.len(), 1, "one version for the {op}: {by_reviewer}");
        assert_eq!(
            versions[0]["created_by"],
            json!({"type": "api_actor", "api_key_id": server.key_id})
        );
        let written = versions[0]["content"].as_str().unwrap_or_default();
        if op == "remove" {
            assert!(!written.contains(&text(&change)), "{op}: {written}");
        } else {
            assert!(written.contains(&text(&change)), "{op}: {written}");
        }
        let by_dream = server
            .get(&format!(
                "/v1/memory_stores/{store}/memory_versions?dream_id={}",
                fixture.dream
            ))
            .await;
        assert_eq!(
            by_dream["data"].as_array().expect("versions").len(),
            2,
            "the two input documents: {by_dream}"
        );
    }

    // The last review is on the dream, and stays there after a whole promotion.
    let dream = server.get(&format!("/v1/dreams/{}", fixture.dream)).await;
    let review = dream["review"].clone();
    assert_eq!(review["reviewed_by"]["api_key_id"], json!(server.key_id));
    assert_eq!(
        review["accepted"].as_array().map(Vec::len),
        Some(1),
        "the last decision accepted the remove alone: {review}"
    );
    assert_eq!(
        fixture
            .changes()
            .iter()
            .find(|c| c["id"] == review["accepted"][0])
            .map(|c| c["op"].clone()),
        Some(json!("remove"))
    );
    assert_eq!(review["agent_ids"], json!([fixture.agent]));
    assert!(
        review["reviewed_at"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    let whole = fixture.promote(&server, json!({})).await;
    assert_eq!(whole.0, 200, "{}", whole.1);
    assert_eq!(whole.1["memory_store_id"], json!(fixture.output));
    assert!(whole.1.get("review").is_none(), "{}", whole.1);
    let after = server.get(&format!("/v1/dreams/{}", fixture.dream)).await;
    assert_eq!(after["review"], review);
    let listed = server.get("/v1/dreams").await;
    assert_eq!(listed["data"][0]["review"], review);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_decisions_are_refused_and_write_nothing() {
    let server = Server::start().await;
    let fixture = Fixture::dream(&server).await;
    let stores = server.store_count().await;
    let add = fixture.first("add")["id"].clone();

    let unknown = fixture
        .promote(&server, json!({"reject": ["chg_0000000000000000"]}))
        .await;
    assert_eq!(unknown.0, 400, "{}", unknown.1);
    let message = unknown.1["error"]["message"].as_str().expect("message");
    assert!(message.contains("chg_0000000000000000"), "{message}");

    let both = fixture
        .promote(&server, json!({"accept": [add], "reject": [add]}))
        .await;
    assert_eq!(both.0, 400, "{}", both.1);
    let empty = fixture.promote(&server, json!({"accept": [""]})).await;
    assert_eq!(empty.0, 400, "{}", empty.1);

    // Flags still need their acknowledgement.
    let (status, flagged) = server
        .post_status(
            &format!("/v1/dreams/{}/promote", fixture.dream),
            json!({"agent_ids": [fixture.agent], "accept": [add]}),
        )
        .await;
    assert_eq!(status, 409, "{flagged}");
    assert!(
        flagged["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("flag")),
        "{flagged}"
    );

    assert_eq!(server.store_count().await, stores, "nothing was created");
    let dream = server.get(&format!("/v1/dreams/{}", fixture.dream)).await;
    assert!(dream.get("review").is_none(), "no review recorded: {dream}");
    let agent = server.get(&format!("/v1/agents/{}", fixture.agent)).await;
    assert_eq!(agent["memory_store_id"], json!(fixture.input));
    server.stop().await;
}

/// A report with a chain: a supersede of the item a merge wrote depends on the merge.
fn chained_report(input: &Store) -> (Report, Vec<(String, String)>) {
    let change = |op: &str, path: &str, text: &str, replaces: &[&str]| -> Change {
        serde_json::from_value(json!({
            "id": "", "op": op, "kind": "fact", "scope": "team", "path": path, "text": text,
            "replaces": replaces, "reason": "fixture",
            "evidence": [{"store_path": path}],
        }))
        .expect("a change")
    };
    let mut report = Report::failed("builtin", String::new(), Default::default());
    report.status = lucid_core::report::DreamStatus::Completed;
    report.changes = vec![
        change(
            "merge",
            "/team/facts.md",
            "CI runs on arm64 runners.",
            &["CI runs on arm64."],
        ),
        change(
            "supersede",
            "/team/facts.md",
            "CI runs on arm64 runners in eu-west-1.",
            &["CI runs on arm64 runners."],
        ),
        change("add", "/team/preferences.md", "Use pnpm, never npm.", &[]),
    ];
    report.count_changes();
    let draft = apply_selection(input, &report, &Selection::All, &SafetyPolicy::default())
        .expect("the fixture applies");
    let documents = draft
        .store
        .documents
        .into_iter()
        .map(|d| (d.path, d.content))
        .collect();
    (report, documents)
}

const FACTS: &str = "# Facts\n\n- CI runs on arm64.\n- CI runs on arm64 runners.\n- The wiki lives at wiki.example.\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejecting_a_parent_rejects_its_dependents_and_a_dependent_alone_is_a_409() {
    let input = Store::new(vec![StoreDocument {
        path: "/team/facts.md".into(),
        content: FACTS.into(),
        updated_at: None,
        as_of: None,
    }]);
    let (report, draft) = chained_report(&input);
    let ids: Vec<String> = report.changes.iter().map(|c| c.id.clone()).collect();
    let mut names = (String::new(), String::new(), String::new());
    // The chained dream is written straight into the storage before the server starts, so no
    // worker runs it: its report is the fixture's.
    let server = Server::start_with(|storage, ws| {
        let store = storage
            .create_store(
                ws,
                lucid_storage::NewStore {
                    name: "facts".into(),
                    ..Default::default()
                },
            )
            .expect("store");
        storage
            .create_memory(ws, &store.id, "/team/facts.md", FACTS, None)
            .expect("memory");
        let agent = storage
            .create_agent(
                ws,
                lucid_storage::NewAgent {
                    name: "bot".into(),
                    model: json!({"id": "m"}),
                    memory_store_id: Some(store.id.clone()),
                    ..Default::default()
                },
            )
            .expect("agent");
        let session = storage
            .create_session(
                ws,
                lucid_storage::NewSession {
                    agent_id: Some(agent.id.clone()),
                    environment_id: None,
                    title: None,
                    metadata: Default::default(),
                    resources: Vec::new(),
                    source: None,
                    events: Vec::new(),
                    trust: lucid_storage::SessionTrust::Default,
                    users: lucid_storage::SessionUsers::Team,
                },
            )
            .expect("session");
        let dream = storage
            .create_dream(
                ws,
                NewDream {
                    memory_store_id: store.id.clone(),
                    session_ids: vec![session.id],
                    model: lucid_storage::DreamModel {
                        id: "lucid-builtin".into(),
                        speed: None,
                    },
                    instructions: None,
                    output_behavior: lucid_storage::OutputBehavior::CreateNew,
                    schedule_id: None,
                    trusted_only: false,
                },
            )
            .expect("dream");
        storage.claim_dream().expect("claim");
        storage.start_dream(&dream.id).expect("start");
        storage
            .complete_dream(
                &dream.id,
                DreamCompletion {
                    documents: draft,
                    report: serde_json::to_value(&report).expect("json"),
                    diff: json!({"data": []}),
                    usage: DreamUsage::default(),
                    curator: "builtin".into(),
                    events: Vec::new(),
                },
            )
            .expect("complete");
        names = (dream.id, agent.id, store.id);
    })
    .await;
    let (dream, agent, store) = names;
    let promote = |decision: Value| {
        let mut body = json!({"agent_ids": [agent]});
        if let (Value::Object(body), Value::Object(decision)) = (&mut body, decision) {
            body.extend(decision);
        }
        let (server, path) = (&server, format!("/v1/dreams/{dream}/promote"));
        async move { server.post_status(&path, body).await }
    };
    let stores = server.store_count().await;

    // The dependent alone: 409 naming the parent; nothing written.
    let (status, refused) = promote(json!({"accept": [ids[1]]})).await;
    assert_eq!(status, 409, "{refused}");
    let message = refused["error"]["message"].as_str().expect("message");
    assert!(message.contains(&ids[0]), "names the parent: {message}");
    assert_eq!(server.store_count().await, stores);
    assert!(
        server
            .get(&format!("/v1/dreams/{dream}"))
            .await
            .get("review")
            .is_none()
    );

    // With its parent it is accepted.
    let (status, both) = promote(json!({"accept": [ids[0], ids[1]]})).await;
    assert_eq!(status, 200, "{both}");
    let both_store = both["memory_store_id"].as_str().expect("store");
    assert!(server.items(both_store).await.contains(&(
        "/team/facts.md".into(),
        "CI runs on arm64 runners in eu-west-1.".into()
    )));

    // Rejecting the parent rejects the dependent, and the response lists it.
    let (status, rejected) = promote(json!({"reject": [ids[0]]})).await;
    assert_eq!(status, 200, "{rejected}");
    assert_eq!(
        rejected["review"]["rejected_as_dependents"],
        json!([{"id": ids[1], "parent": ids[0]}])
    );
    assert_eq!(rejected["review"]["rejected"], json!([ids[0], ids[1]]));
    assert_eq!(rejected["review"]["accepted"], json!([ids[2]]));
    let kept = server
        .items(rejected["memory_store_id"].as_str().expect("store"))
        .await;
    let expected: BTreeSet<(String, String)> = items_of("/team/facts.md", FACTS)
        .into_iter()
        .chain(items_of("/team/preferences.md", "- Use pnpm, never npm.\n"))
        .collect();
    assert_eq!(kept, expected);
    // Kept on the dream.
    let shown = server.get(&format!("/v1/dreams/{dream}")).await;
    assert_eq!(shown["review"], rejected["review"]);
    // The input is as it was.
    assert_eq!(
        server.items(&store).await,
        items_of("/team/facts.md", FACTS).into_iter().collect()
    );
    server.stop().await;
}

fn dream_body(store: &str, sessions: &[String], model: &str) -> Value {
    json!({
        "inputs": [{"type": "memory_store", "memory_store_id": store},
                   {"type": "sessions", "session_ids": sessions}],
        "model": model,
        "dry_run": true,
    })
}

/// The events a dream's narration says it read ("Read N sessions (E events)").
async fn narrated_events(server: &Server, dream: &Value) -> u64 {
    let session = dream["session_id"].as_str().expect("narration");
    let events = server
        .get(&format!("/v1/sessions/{session}/events?limit=100"))
        .await;
    events["data"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["content"][0]["text"].as_str())
        .find_map(|text| {
            let rest = text.strip_prefix("Read ")?;
            let inner = rest.split('(').nth(1)?;
            inner.split(' ').next()?.parse().ok()
        })
        .expect("the narration says how many events were read")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_returns_the_figures_and_creates_nothing() {
    let fake = lucid_fake_provider::FakeProvider::start().expect("fake provider");
    let llm = lucid_llm::LlmConfig::from_toml(&format!(
        r#"
        [models."claude-sonnet-4-6"]
        provider = "anthropic"
        base_url = "{}"
        api_key_env = "FAKE_ANTHROPIC_KEY"

        [prices."claude-sonnet-4-6"]
        input = 3.0
        output = 15.0
        "#,
        fake.url()
    ))
    .expect("config");
    let env = std::collections::BTreeMap::from([("FAKE_ANTHROPIC_KEY".into(), "k".into())]);
    let config = Config {
        models: lucid_server::Models::new(llm, env),
        ..Config::default()
    };
    let server = Server::start_configured(config, |_, _| {}).await;
    let (store, sessions) = import_fleet(&server).await;

    // Two sessions dreamed for real first: the dry run counts them as already dreamed, and its
    // events are the ones the worker narrates reading.
    let first = server
        .post(
            "/v1/dreams",
            json!({"inputs": [{"type": "memory_store", "memory_store_id": store},
                              {"type": "sessions", "session_ids": &sessions[..2]}],
                   "model": "lucid-builtin"}),
        )
        .await;
    let first = server
        .wait_dream(first["id"].as_str().expect("dream"))
        .await;
    assert_eq!(first["status"], "completed", "{first}");
    let first_events = narrated_events(&server, &first).await;
    let partial = server
        .post(
            "/v1/dreams",
            dream_body(&store, &sessions[..2], "lucid-builtin"),
        )
        .await;
    assert_eq!(partial["events"], json!(first_events), "{partial}");

    let dreams_before = server.get("/v1/dreams?include_archived=true").await;
    let stores_before = server.store_count().await;
    let estimate = server
        .post("/v1/dreams", dream_body(&store, &sessions, "lucid-builtin"))
        .await;
    assert_eq!(estimate["type"], "dream_estimate", "{estimate}");
    assert_eq!(estimate["would_run"], true, "{estimate}");
    assert_eq!(estimate["sessions"], 6);
    assert_eq!(estimate["sessions_read"], 6);
    assert_eq!(estimate["sessions_already_dreamed"], 2);
    assert!(
        estimate["events"]
            .as_u64()
            .is_some_and(|n| n > first_events)
    );
    assert_eq!(estimate["store_documents"], 2);
    assert_eq!(estimate["curator"], "builtin");
    assert_eq!(estimate["estimated_cost_usd"], 0.0);
    assert_eq!(estimate["refusals"], json!([]));

    // With the configured model: its work units, tokens and cost at the [prices] rates, and
    // not one request sent.
    let priced = server
        .post(
            "/v1/dreams",
            dream_body(&store, &sessions, "claude-sonnet-4-6"),
        )
        .await;
    let pass = &priced["model_pass"];
    assert_eq!(pass["model"], "anthropic:claude-sonnet-4-6", "{priced}");
    let requests = pass["requests"].as_u64().expect("requests");
    assert!(requests > 0, "{priced}");
    assert_eq!(
        pass["work_units"].as_u64(),
        Some(requests + pass["cached_units"].as_u64().expect("cached"))
    );
    let (input, output) = (
        pass["input_tokens"].as_u64().expect("input tokens"),
        pass["output_tokens"].as_u64().expect("output tokens"),
    );
    assert!(input > 0);
    // At most the output limit per request (1,024 by default).
    assert_eq!(output, requests * 1024);
    assert_eq!(pass["price_per_million"], json!([3.0, 15.0]));
    let cost = priced["estimated_cost_usd"].as_f64().expect("cost");
    let expected = (input as f64 * 3.0 + output as f64 * 15.0) / 1_000_000.0;
    assert!((cost - expected).abs() < 1e-9, "{cost} vs {expected}");
    assert_eq!(fake.request_count(), 0, "a dry run calls no model");

    // The limits that would refuse it, each named; still nothing created.
    let mut too_many: Vec<String> = (0..101).map(|n| format!("sesn_missing{n:03}")).collect();
    too_many[0] = sessions[0].clone();
    let mut body = dream_body(&store, &too_many, "gpt-unknown");
    body["instructions"] = json!("x".repeat(5_000));
    let refused = server.post("/v1/dreams", body).await;
    assert_eq!(refused["would_run"], false, "{refused}");
    let limits: BTreeSet<&str> = refused["refusals"]
        .as_array()
        .expect("refusals")
        .iter()
        .filter_map(|r| r["limit"].as_str())
        .collect();
    for limit in ["max_sessions", "instructions", "session", "model"] {
        assert!(limits.contains(limit), "{limit} in {refused}");
    }
    // A malformed request is still a 400, dry run or not.
    let (status, _) = server
        .post_status(
            "/v1/dreams",
            json!({"inputs": [], "model": "lucid-builtin", "dry_run": true}),
        )
        .await;
    assert_eq!(status, 400);

    assert_eq!(
        server.get("/v1/dreams?include_archived=true").await["data"],
        dreams_before["data"],
        "the dream list is unchanged"
    );
    assert_eq!(server.store_count().await, stores_before);
    server.stop().await;
}
