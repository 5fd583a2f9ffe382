//! Against a real server bound to 127.0.0.1 (port 0): event streaming, cancel timing, and
//! graceful shutdown.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lucid_server::{AppState, Config};
use lucid_storage::Storage;
use lucid_storage_sqlite::SqliteStorage;
use serde_json::{Value, json};

struct Live {
    base: String,
    key: String,
    http: reqwest::Client,
    storage: Arc<SqliteStorage>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl Live {
    async fn start(config: Config) -> Live {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = Arc::new(SqliteStorage::open(&dir.path().join("lucid.db")).expect("open"));
        let (_, key) = storage.create_api_key("live", None).expect("key");
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
        Live {
            base,
            key,
            http: reqwest::Client::new(),
            storage,
            stop: Some(stop),
            server: Some(server),
            _dir: dir,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .header("x-api-key", &self.key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("send");
        let status = response.status();
        let value: Value = response.json().await.expect("json");
        assert!(status.is_success(), "{method} {path}: {status} {value}");
        value
    }

    async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    /// A store, an agent and a session with one preference; returns (store, session).
    async fn fixture(&self) -> (String, String) {
        let store = self.post("/v1/memory_stores", json!({"name": "s"})).await;
        let agent = self
            .post("/v1/agents", json!({"name": "a", "model": "m"}))
            .await;
        let session = self
            .post(
                "/v1/sessions",
                json!({"agent": agent["id"], "initial_events": [
                    {"type": "user.message", "content": [{"type": "text", "text": "Always run cargo fmt before committing."}]}
                ]}),
            )
            .await;
        (id(&store), id(&session))
    }

    async fn dream(&self, store: &str, session: &str) -> String {
        id(&self
            .post(
                "/v1/dreams",
                json!({"inputs": [
                    {"type": "memory_store", "memory_store_id": store},
                    {"type": "sessions", "session_ids": [session]}], "model": "lucid-builtin"}),
            )
            .await)
    }

    async fn wait_for(&self, dream: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let value = self.get(&format!("/v1/dreams/{dream}")).await;
            if pred(&value) {
                return value;
            }
            assert!(Instant::now() < deadline, "timed out: {value}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Opens an event stream and returns a reader of `(event type, id, data)` triples.
    async fn stream(&self, session: &str, last_event_id: Option<&str>) -> SseReader {
        let mut request = self
            .http
            .get(format!("{}/v1/sessions/{session}/events/stream", self.base))
            .header("x-api-key", &self.key);
        if let Some(last) = last_event_id {
            request = request.header("last-event-id", last);
        }
        let response = request.send().await.expect("stream");
        assert!(response.status().is_success());
        assert!(
            response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/event-stream"))
        );
        SseReader {
            response,
            buffer: String::new(),
        }
    }

    async fn shutdown(mut self) -> Arc<SqliteStorage> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            tokio::time::timeout(Duration::from_secs(30), server)
                .await
                .expect("the server stops")
                .expect("join")
                .expect("serve");
        }
        self.storage.clone()
    }
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_string()
}

struct SseReader {
    response: reqwest::Response,
    buffer: String,
}

impl SseReader {
    /// The next event, or `None` when the stream ends.
    async fn next(&mut self) -> Option<(String, String, Value)> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut kind, mut id, mut data) = (String::new(), String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        kind = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() {
                    continue; // a keep-alive comment
                }
                return Some((kind, id, serde_json::from_str(&data).expect("data is JSON")));
            }
            let chunk = tokio::time::timeout(Duration::from_secs(20), self.response.chunk())
                .await
                .expect("the stream stalls")
                .expect("chunk")?;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_replay_then_follow_and_resume() {
    let live = Live::start(Config::default()).await;
    let (_, session) = live.fixture().await;
    let mut stream = live.stream(&session, None).await;
    let (kind, first_id, data) = stream.next().await.expect("first event");
    assert_eq!(kind, "user.message");
    assert_eq!(data["id"], json!(first_id));
    // Events appended now arrive on the open stream.
    let started = Instant::now();
    live.post(
        &format!("/v1/sessions/{session}/events"),
        json!({"events": [
            {"type": "agent.tool_use", "id": "toolu_9", "name": "bash", "input": {"command": "ls"}},
            {"type": "agent.message", "content": [{"type": "text", "text": "Listed."}]},
        ]}),
    )
    .await;
    let (kind, event_id, _) = stream.next().await.expect("live event");
    assert_eq!(
        (kind.as_str(), event_id.as_str()),
        ("agent.tool_use", "toolu_9")
    );
    let (kind, _, data) = stream.next().await.expect("live event");
    assert_eq!(kind, "agent.message");
    assert_eq!(data["content"][0]["text"], "Listed.");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "delivered promptly"
    );
    drop(stream);
    // Last-Event-ID resumes after that event.
    let mut resumed = live.stream(&session, Some("toolu_9")).await;
    let (kind, _, _) = resumed.next().await.expect("resumed");
    assert_eq!(kind, "agent.message");
    drop(resumed);
    // replay=false: only what comes next.
    let response = live
        .http
        .get(format!(
            "{}/v1/sessions/{session}/events/stream?replay=false",
            live.base
        ))
        .header("x-api-key", &live.key)
        .send()
        .await
        .expect("stream");
    let mut fresh = SseReader {
        response,
        buffer: String::new(),
    };
    live.post(
        &format!("/v1/sessions/{session}/events"),
        json!({"events": [{"type": "agent.message", "content": [{"type": "text", "text": "New."}]}]}),
    )
    .await;
    let (_, _, data) = fresh.next().await.expect("new event");
    assert_eq!(
        data["content"][0]["text"], "New.",
        "no replay of stored events"
    );
    drop(fresh);
    // Unknown sessions are 404 with the envelope, before any stream starts.
    let response = live
        .http
        .get(format!("{}/v1/sessions/sesn_nope/events/stream", live.base))
        .header("x-api-key", &live.key)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["type"], "not_found_error");
    live.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dream_narration_streams_to_its_end() {
    let live = Live::start(Config {
        stage_delay: Duration::from_millis(20),
        ..Config::default()
    })
    .await;
    let (store, session) = live.fixture().await;
    let dream = live.dream(&store, &session).await;
    let running = live.wait_for(&dream, |d| d["session_id"].is_string()).await;
    let narration = running["session_id"].as_str().expect("session").to_string();
    let mut stream = live.stream(&narration, None).await;
    let mut kinds = Vec::new();
    let mut texts = String::new();
    while let Some((kind, _, data)) = stream.next().await {
        if let Some(text) = data["content"][0]["text"].as_str() {
            texts.push_str(text);
            texts.push('\n');
        }
        kinds.push(kind);
    }
    assert_eq!(
        kinds.first().map(String::as_str),
        Some("session.status_running")
    );
    assert_eq!(
        kinds.last().map(String::as_str),
        Some("session.status_terminated")
    );
    for stage in [
        "Reading",
        "Replaying memory writes",
        "Merging",
        "Superseding",
        "Flagging",
        "Writing",
    ] {
        assert!(texts.contains(stage), "{stage} in {texts}");
    }
    let done = live.get(&format!("/v1/dreams/{dream}")).await;
    assert_eq!(done["status"], "completed");
    live.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_a_running_dream_within_a_second() {
    let live = Live::start(Config {
        stage_delay: Duration::from_millis(700),
        ..Config::default()
    })
    .await;
    let (store, session) = live.fixture().await;
    let dream = live.dream(&store, &session).await;
    let running = live
        .wait_for(&dream, |d| {
            d["status"] == "running" && d["session_id"].is_string()
        })
        .await;
    let output = running["outputs"][0]["memory_store_id"]
        .as_str()
        .expect("output store recorded while running")
        .to_string();
    let archive = live
        .http
        .post(format!("{}/v1/dreams/{dream}/archive", live.base))
        .header("x-api-key", &live.key)
        .send()
        .await
        .expect("send");
    assert_eq!(archive.status(), 400, "a running dream cannot be archived");
    let started = Instant::now();
    let canceled = live
        .post(&format!("/v1/dreams/{dream}/cancel"), json!({}))
        .await;
    let elapsed = started.elapsed();
    assert_eq!(canceled["status"], "canceled");
    assert!(elapsed <= Duration::from_secs(1), "cancel took {elapsed:?}");
    let after = live.get(&format!("/v1/dreams/{dream}")).await;
    assert_eq!(after["status"], "canceled");
    // The engine stops at its next stage and never writes a result.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let later = live.get(&format!("/v1/dreams/{dream}")).await;
    assert_eq!(later["status"], "canceled");
    let report = live
        .http
        .get(format!("{}/v1/dreams/{dream}/report", live.base))
        .header("x-api-key", &live.key)
        .send()
        .await
        .expect("send");
    assert_eq!(report.status(), 404);
    let output_store = live.get(&format!("/v1/memory_stores/{output}")).await;
    assert!(
        output_store["archived_at"].is_string(),
        "a canceled dream's output is archived"
    );
    let memories = live
        .get(&format!("/v1/memory_stores/{output}/memories"))
        .await;
    assert_eq!(memories["data"], json!([]), "nothing curated was written");
    live.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_the_running_dream_and_keeps_pending_ones() {
    let live = Live::start(Config {
        workers: 1,
        stage_delay: Duration::from_millis(200),
        ..Config::default()
    })
    .await;
    let (store, session) = live.fixture().await;
    let first = live.dream(&store, &session).await;
    live.wait_for(&first, |d| d["status"] == "running").await;
    let second = live.dream(&store, &session).await;
    // An open event stream must not keep the server from stopping.
    let (_, other_session) = live.fixture().await;
    let _stream = live.stream(&other_session, None).await;
    let storage = live.shutdown().await;
    let ws = storage.ensure_workspace("live").expect("ws").id;
    assert_eq!(
        storage.get_dream(&ws, &first).expect("first").status,
        lucid_storage::DreamStatus::Completed,
        "the running dream finished"
    );
    assert_eq!(
        storage.get_dream(&ws, &second).expect("second").status,
        lucid_storage::DreamStatus::Pending,
        "the pending dream stays pending"
    );
}
