//! `lucid serve` as a process: the CLI clients against it, the official Python SDK against it,
//! and kill -9 in the middle of a dream and a burst of writes. All on 127.0.0.1 with a fresh
//! SQLite file per test (the SDK also on a fresh PostgreSQL database of the test server), using
//! the one `lucid` binary cargo builds for these tests.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn lucid() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lucid"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running `lucid serve`.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(db: &Path, stage_delay_ms: u64) -> Server {
        Self::start_with(db, stage_delay_ms, &[])
    }

    fn start_with(db: &Path, stage_delay_ms: u64, args: &[&str]) -> Server {
        let mut child = lucid()
            .args(["serve", "--addr", "127.0.0.1:0", "--db"])
            .arg(db)
            .args(args)
            .env("LUCID_LOG", "warn")
            .env("LUCID_STAGE_DELAY_MS", stage_delay_ms.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start lucid serve");
        let stderr = child.stderr.take().expect("stderr");
        let (found, address) = std::sync::mpsc::channel();
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut found = Some(found);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("listening on ") {
                    if let Some(found) = found.take() {
                        let _ = found.send(url.trim().to_string());
                    }
                } else if std::env::var_os("LUCID_TEST_LOG").is_some() {
                    eprintln!("server: {line}");
                }
            }
        });
        let url = address
            .recv_timeout(Duration::from_secs(30))
            .expect("the server prints its address");
        Server { child, url }
    }

    /// kill -9.
    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn create_key(db: &Path, workspace: &str) -> String {
    let output = lucid()
        .args(["keys", "create", "--workspace", workspace, "--db"])
        .arg(db)
        .output()
        .expect("keys create");
    assert!(output.status.success(), "{output:?}");
    let key = String::from_utf8_lossy(&output.stdout).trim().to_string();
    assert!(key.starts_with("sk-lucid-"), "{key}");
    key
}

struct Api {
    url: String,
    key: String,
    http: reqwest::blocking::Client,
}

impl Api {
    fn new(url: &str, key: &str) -> Api {
        // reqwest is built without a default TLS provider (ring is the build's one).
        let _ = rustls::crypto::ring::default_provider().install_default();
        Api {
            url: url.to_string(),
            key: key.to_string(),
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .expect("client"),
        }
    }

    fn send(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .header("x-api-key", &self.key);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().expect("request");
        let status = response.status().as_u16();
        (status, response.json().unwrap_or(Value::Null))
    }

    fn get(&self, path: &str) -> Value {
        let (status, value) = self.send(reqwest::Method::GET, path, None);
        assert_eq!(status, 200, "GET {path}: {value}");
        value
    }

    fn post(&self, path: &str, body: Value) -> Value {
        let (status, value) = self.send(reqwest::Method::POST, path, Some(&body));
        assert_eq!(status, 200, "POST {path}: {value}");
        value
    }
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_string()
}

fn run(command: &mut Command) -> Output {
    command.output().expect("run lucid")
}

fn stdout_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

#[test]
fn cli_clients_drive_a_running_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("lucid.db");
    let key = create_key(&db, "cli");
    let server = Server::start(&db, 0);
    let client = |args: &[&str]| {
        let mut command = lucid();
        command
            .args(args)
            .env("LUCID_URL", &server.url)
            .env("LUCID_API_KEY", &key);
        run(&mut command)
    };

    let store = stdout_json(&client(&[
        "stores",
        "create",
        "Fleet",
        "--metadata",
        "team=legal",
    ]));
    let store_id = id(&store);
    assert_eq!(store["metadata"]["team"], "legal");
    let memory = stdout_json(&client(&[
        "memories",
        "create",
        &store_id,
        "/conventions.md",
        "--file",
        &repo()
            .join("examples/fleet/memory/conventions.md")
            .display()
            .to_string(),
    ]));
    let listed = stdout_json(&client(&["memories", "list", &store_id]));
    assert_eq!(listed["data"][0]["id"], memory["id"]);
    let got = stdout_json(&client(&["memories", "get", &store_id, &id(&memory)]));
    assert!(got["content"].as_str().is_some_and(|c| !c.is_empty()));

    let mut sessions = Vec::new();
    for agent in ["coder", "reviewer"] {
        let folder = repo().join("examples/fleet/sessions").join(agent);
        let output = client(&[
            "sessions",
            "import",
            &folder.display().to_string(),
            "--agent",
            agent,
            "--store",
            &store_id,
        ]);
        assert!(output.status.success(), "{output:?}");
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            sessions.push(line.split('\t').next().expect("id").to_string());
        }
    }
    assert_eq!(sessions.len(), 4, "{sessions:?}");
    assert!(sessions.iter().all(|s| s.starts_with("sesn_")));

    let mut args = vec![
        "dreams",
        "create",
        "--store",
        store_id.as_str(),
        "--watch",
        "--sessions",
    ];
    args.extend(sessions.iter().map(String::as_str));
    let watched = client(&args);
    let text = String::from_utf8_lossy(&watched.stdout).to_string();
    assert!(
        watched.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&watched.stderr)
    );
    assert!(
        text.contains("Merging") && text.contains("completed"),
        "{text}"
    );
    let dreams = stdout_json(&client(&["dreams", "list", "--status", "completed"]));
    let dream_id = id(&dreams["data"][0]);
    let dream = stdout_json(&client(&["dreams", "get", &dream_id]));
    assert_eq!(dream["status"], "completed");
    let report = stdout_json(&client(&["dreams", "report", &dream_id]));
    assert_eq!(report["curator"], "builtin");
    let diff = client(&["dreams", "diff", &dream_id]);
    assert!(diff.status.success());
    assert!(String::from_utf8_lossy(&diff.stdout).contains("@@"));
    // The example fleet holds an injection: the dream has a flag, listed by `diff` and gating
    // promotion until it is acknowledged.
    assert!(
        dream["flag_count"].as_u64().is_some_and(|n| n >= 1),
        "{dream}"
    );
    let review = String::from_utf8_lossy(&diff.stderr).to_string();
    assert!(review.contains("flagged change(s)"), "{review}");
    let agent = dream_session_agent(&server.url, &key, &sessions[0]);
    let refused = client(&["dreams", "promote", &dream_id, "--agent", &agent]);
    let message = String::from_utf8_lossy(&refused.stderr).to_string();
    assert!(!refused.status.success(), "{message}");
    assert!(
        message.contains("409") && message.contains("accept_flags"),
        "{message}"
    );
    let promoted = stdout_json(&client(&[
        "dreams",
        "promote",
        &dream_id,
        "--agent",
        &agent,
        "--accept-flags",
    ]));
    assert_eq!(
        promoted["agents"][0]["memory_store_id"],
        dream["outputs"][0]["memory_store_id"]
    );
    // `watch` on a finished dream returns at once with its status.
    let again = client(&["dreams", "watch", &dream_id]);
    assert!(again.status.success());

    // A dream canceled while pending.
    let pending = stdout_json(&client(&[
        "dreams",
        "create",
        "--store",
        &store_id,
        "--sessions",
        &sessions[0],
    ]));
    let canceled = client(&["dreams", "cancel", &id(&pending)]);
    assert!(canceled.status.success() || !canceled.stderr.is_empty());

    // The imported agents use the store: archiving it is refused, naming one of them.
    let in_use = client(&["stores", "archive", &store_id]);
    assert_eq!(in_use.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&in_use.stderr).contains("409"));
    let spare = id(&stdout_json(&client(&["stores", "create", "Spare"])));
    let archived = stdout_json(&client(&["stores", "archive", &spare]));
    assert!(archived["archived_at"].is_string());

    // Errors print the server's message and exit 1; usage errors exit 2.
    let missing = client(&["stores", "get", "memstore_nope"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("not_found_error"));
    let bad = client(&[
        "dreams",
        "create",
        "--store",
        &store_id,
        "--sessions",
        "sesn_1",
        "--instructions",
        &"x".repeat(4097),
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("4096"));
    assert_eq!(client(&["dreams", "frobnicate"]).status.code(), Some(2));
    let unauthorized = run(lucid()
        .args(["stores", "list"])
        .env("LUCID_URL", &server.url)
        .env_remove("LUCID_API_KEY"));
    assert_eq!(unauthorized.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unauthorized.stderr).contains("authentication_error"));
    drop(server);
}

/// The agent id of a session (imports create agents by name).
fn dream_session_agent(url: &str, key: &str, session: &str) -> String {
    let api = Api::new(url, key);
    api.get(&format!("/v1/sessions/{session}"))["agent"]["id"]
        .as_str()
        .expect("agent id")
        .to_string()
}

#[test]
fn serve_without_keys_stays_on_loopback() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = run(lucid()
        .args(["serve", "--open", "--addr", "0.0.0.0:0", "--db"])
        .arg(dir.path().join("open.db")));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("refusing to listen") && stderr.contains("lucid keys create"),
        "{stderr}"
    );
    // With a key it binds anywhere (checked on port 0 of every interface, then stopped).
    let db = dir.path().join("keyed.db");
    create_key(&db, "w");
    let mut child = lucid()
        .args(["serve", "--addr", "0.0.0.0:0", "--db"])
        .arg(&db)
        .env("LUCID_LOG", "warn")
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stderr.take().expect("stderr"))
        .read_line(&mut line)
        .expect("read");
    assert!(line.starts_with("listening on http://0.0.0.0:"), "{line}");
    let _ = child.kill();
    let _ = child.wait();
}

/// Starts `lucid serve` with `args` and returns it with every stderr line before `listening on`.
fn start_logged(db: &Path, args: &[&str]) -> (Server, Vec<String>) {
    let mut child = lucid()
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(db)
        .args(args)
        .env("LUCID_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start lucid serve");
    let stderr = child.stderr.take().expect("stderr");
    let (found, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut before = Vec::new();
        let mut found = Some(found);
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("listening on ") {
                if let Some(found) = found.take() {
                    let _ = found.send((url.trim().to_string(), std::mem::take(&mut before)));
                }
            } else if found.is_some() {
                before.push(line);
            }
        }
    });
    let (url, before) = lines
        .recv_timeout(Duration::from_secs(30))
        .expect("the server prints its address");
    (Server { child, url }, before)
}

/// Issue 11, item 13: open mode is an explicit flag, logged at every start, and never on a
/// database that has had a key; without it a keyless server refuses requests.
#[test]
fn open_mode_is_explicit_logged_and_never_after_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let status_without_key = |url: &str| {
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::blocking::Client::new()
            .get(format!("{url}/v1/memory_stores"))
            .send()
            .expect("request")
            .status()
            .as_u16()
    };
    let db = dir.path().join("fresh.db");
    let (server, log) = start_logged(&db, &[]);
    assert_eq!(
        status_without_key(&server.url),
        401,
        "no key, no --open: refused"
    );
    assert!(
        log.iter().any(|l| l.contains("no active API key")),
        "{log:?}"
    );
    drop(server);
    let (server, log) = start_logged(&db, &["--open"]);
    assert_eq!(status_without_key(&server.url), 200, "--open serves");
    assert!(
        log.iter().any(|l| l.contains("WITHOUT authentication")),
        "open mode is logged at start: {log:?}"
    );
    drop(server);
    // A key, revoked: the database never runs open again.
    create_key(&db, "team");
    let listed = run(lucid().args(["keys", "list", "--db"]).arg(&db));
    let key_id = String::from_utf8_lossy(&listed.stdout)
        .split_whitespace()
        .next()
        .expect("a key")
        .to_string();
    assert!(
        run(lucid().args(["keys", "revoke", &key_id, "--db"]).arg(&db))
            .status
            .success()
    );
    let (server, _) = start_logged(&db, &[]);
    assert_eq!(
        status_without_key(&server.url),
        401,
        "revoking the last key opens nothing"
    );
    drop(server);
    let refused = run(lucid()
        .args(["serve", "--open", "--addr", "127.0.0.1:0", "--db"])
        .arg(&db));
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("never served without authentication"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

#[test]
fn sigterm_stops_the_server_gracefully() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("lucid.db");
    let key = create_key(&db, "w");
    // Address and database from the environment this time.
    let mut child = lucid()
        .arg("serve")
        .env("LUCID_ADDR", "127.0.0.1:0")
        .env("LUCID_DB", &db)
        .env("LUCID_LOG", "warn")
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stderr.take().expect("stderr"))
        .read_line(&mut line)
        .expect("read");
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("address line")
        .to_string();
    let mut server = Server { child, url };
    let api = Api::new(&server.url, &key);
    api.post("/v1/memory_stores", json!({"name": "kept"}));
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(status.success());
    let started = Instant::now();
    loop {
        if let Some(exit) = server.child.try_wait().expect("wait") {
            assert!(exit.success(), "graceful exit: {exit:?}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the server did not stop"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The official SDK, from `tests/sdk/test_sdk.py`. Skipped (with a message) when the SDK is not
/// installed, unless LUCID_REQUIRE_SDK=1 or `CI` is set (a CI run must not pass by skipping).
#[test]
fn the_official_python_sdk_works_with_only_base_url_changed() {
    let Some(python) = sdk_python() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    run_the_official_sdk(&python, &dir.path().join("lucid.db"));
}

/// The same SDK suite on the PostgreSQL backend (`lucid serve --db postgres://…`), on a new
/// database of the test server (`LUCID_TEST_POSTGRES_URL`; skipped with a message without it,
/// failed under CI).
#[test]
fn the_official_python_sdk_works_on_postgresql() {
    if let Some(reason) = lucid_storage_postgres::testing::unavailable() {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "SKIPPED (not CI): {reason}");
        return;
    }
    let Some(python) = sdk_python() else { return };
    let database = lucid_storage_postgres::testing::TestDatabase::create().expect("test server");
    run_the_official_sdk(&python, Path::new(database.url()));
}

/// The python that has the SDK; `None` (with a message) when none has it and the SDK is not
/// required.
fn sdk_python() -> Option<String> {
    let python = std::env::var("LUCID_PYTHON").unwrap_or_else(|_| "python3".into());
    let required = std::env::var("LUCID_REQUIRE_SDK").is_ok_and(|v| v == "1")
        || std::env::var_os("CI").is_some();
    let probe = Command::new(&python)
        .args(["-c", "import anthropic; print(anthropic.__version__)"])
        .output();
    match probe {
        Ok(output) if output.status.success() => {}
        _ => {
            assert!(
                !required,
                "LUCID_REQUIRE_SDK=1 or CI is set, but `{python} -c 'import anthropic'` fails \
                 (python3 -m venv .venv && .venv/bin/pip install 'anthropic>=2.10', then \
                 LUCID_PYTHON=.venv/bin/python)"
            );
            // Past the harness's capture, so the skip shows in a plain `cargo test`.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED (not CI): the anthropic SDK is not installed for {python} (set \
                 LUCID_PYTHON to a python that has it)"
            );
            return None;
        }
    }
    Some(python)
}

/// Runs `tests/sdk/test_sdk.py` against a server on `db` (a SQLite file or a PostgreSQL URL).
fn run_the_official_sdk(python: &str, db: &Path) {
    let key = create_key(db, "sdk");
    let server = Server::start(db, 50);
    let output = Command::new(python)
        .arg(repo().join("tests/sdk/test_sdk.py"))
        .env("LUCID_URL", &server.url)
        .env("LUCID_API_KEY", &key)
        .env("LUCID_FLEET", repo().join("examples/fleet"))
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("SDK OK"),
        "SDK test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// kill -9 during a dream and during a burst of concurrent memory writes: after a restart on the
/// same file every acknowledged write is there, and no dream is stuck running.
#[test]
fn kill_9_loses_no_acknowledged_write_and_leaves_no_dream_running() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("lucid.db");
    let key = create_key(&db, "crash");
    let server = Server::start(&db, 400);
    let api = Api::new(&server.url, &key);
    let store = id(&api.post("/v1/memory_stores", json!({"name": "s"})));
    api.post(
        &format!("/v1/memory_stores/{store}/memories"),
        json!({"path": "/before.md", "content": "- written before the crash\n"}),
    );
    let agent = id(&api.post("/v1/agents", json!({"name": "a", "model": "m"})));
    let session = id(&api.post(
        "/v1/sessions",
        json!({"agent": agent, "initial_events": [
            {"type": "user.message", "content": [{"type": "text", "text": "Always run cargo fmt before committing."}]}]}),
    ));
    let dream = id(&api.post(
        "/v1/dreams",
        json!({"inputs": [
            {"type": "memory_store", "memory_store_id": store},
            {"type": "sessions", "session_ids": [session]}], "model": "lucid-builtin"}),
    ));
    let deadline = Instant::now() + Duration::from_secs(20);
    while api.get(&format!("/v1/dreams/{dream}"))["status"] != "running" {
        assert!(Instant::now() < deadline, "the dream never started");
        std::thread::sleep(Duration::from_millis(10));
    }

    // A burst of concurrent writes; each acknowledged one is recorded.
    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for writer in 0..8 {
        let (acked, stop) = (acked.clone(), stop.clone());
        let (url, key, store) = (server.url.clone(), key.clone(), store.clone());
        writers.push(std::thread::spawn(move || {
            let api = Api::new(&url, &key);
            for n in 0.. {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let content = format!("- write {writer}-{n}\n");
                let response = api
                    .http
                    .post(format!("{url}/v1/memory_stores/{store}/memories"))
                    .header("x-api-key", &key)
                    .json(&json!({"path": format!("/burst/{writer}/{n}.md"), "content": content}))
                    .send();
                match response {
                    Ok(r) if r.status().is_success() => match r.json::<Value>() {
                        Ok(memory) => acked
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push((id(&memory), content)),
                        Err(_) => break,
                    },
                    _ => break,
                }
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while acked.lock().unwrap_or_else(|p| p.into_inner()).len() < 200 {
        assert!(Instant::now() < deadline, "the burst is too slow");
        std::thread::sleep(Duration::from_millis(5));
    }
    server.kill();
    stop.store(true, Ordering::SeqCst);
    for writer in writers {
        let _ = writer.join();
    }
    let acked = acked.lock().unwrap_or_else(|p| p.into_inner()).clone();
    assert!(acked.len() >= 200);

    let server = Server::start(&db, 0);
    let api = Api::new(&server.url, &key);
    for (memory, content) in &acked {
        let got = api.get(&format!("/v1/memory_stores/{store}/memories/{memory}"));
        assert_eq!(
            got["content"].as_str(),
            Some(content.as_str()),
            "acknowledged write {memory}"
        );
    }
    let crashed = api.get(&format!("/v1/dreams/{dream}"));
    assert_eq!(crashed["status"], "failed", "{crashed}");
    assert_eq!(crashed["error"]["type"], "internal_error");
    assert_eq!(api.get("/v1/dreams?statuses[]=running")["data"], json!([]));
    // Never half-promoted: no report, and the partial output store is archived.
    let (status, _) = api.send(
        reqwest::Method::GET,
        &format!("/v1/dreams/{dream}/report"),
        None,
    );
    assert_eq!(status, 404);
    if let Some(output) = crashed["outputs"][0]["memory_store_id"].as_str() {
        assert!(api.get(&format!("/v1/memory_stores/{output}"))["archived_at"].is_string());
    }
    // The restarted server dreams normally.
    let again = id(&api.post(
        "/v1/dreams",
        json!({"inputs": [
            {"type": "memory_store", "memory_store_id": store},
            {"type": "sessions", "session_ids": [session]}], "model": "lucid-builtin"}),
    ));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = api.get(&format!("/v1/dreams/{again}"))["status"].clone();
        if status == "completed" {
            break;
        }
        assert!(status == "pending" || status == "running", "{status}");
        assert!(Instant::now() < deadline, "the new dream never completed");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `lucid serve --config`: the `[safety]` section's secret patterns are redacted from stored
/// events; a pattern that does not compile refuses to start (exit 2).
#[test]
fn serve_redacts_the_config_file_secret_patterns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("lucid.db");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[safety]\nsecret_patterns = [\"(\"]\n").expect("write");
    let refused = run(lucid()
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(&db)
        .arg("--config")
        .arg(&bad));
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("secret pattern"));

    let config = dir.path().join("lucid.toml");
    std::fs::write(
        &config,
        "[safety]\nsecret_patterns = [\"ACME-[0-9]{6}\"]\ntrusted_tools = [\"internal_kb\"]\n",
    )
    .expect("write");
    let key = create_key(&db, "cfg");
    let server = Server::start_with(&db, 0, &["--config", &config.display().to_string()]);
    let api = Api::new(&server.url, &key);
    let agent = id(&api.post("/v1/agents", json!({"name": "a", "model": "m"})));
    let session = api.post(
        "/v1/sessions",
        json!({"agent": agent, "initial_events": [
            {"type": "user.message", "content": [{"type": "text", "text": "Badge ACME-482913 opens the lab."}]}
        ]}),
    );
    let events = api.get(&format!("/v1/sessions/{}/events", id(&session)));
    let text = events["data"][0]["content"][0]["text"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(text, "Badge …[redacted] opens the lab.");
    drop(server);
    let bytes = std::fs::read(&db).expect("db");
    let wal = std::fs::read(dir.path().join("lucid.db-wal")).unwrap_or_default();
    for file in [bytes, wal] {
        assert!(
            !file.windows(6).any(|w| w == b"482913"),
            "the raw badge is on disk"
        );
    }
}

/// Issue 11: an uploaded memory has no "as of" time, so it is older than any session evidence:
/// a value a person stated in a session (here an older transcript, imported after the upload)
/// replaces it — on the server as in the CLI, with the same change.
#[test]
fn the_server_and_the_cli_agree_on_the_newest_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    std::fs::create_dir_all(&store).expect("mkdir");
    std::fs::write(
        store.join("infra.md"),
        "# Infrastructure\n\n- The staging database host is db-2.internal.\n",
    )
    .expect("write");
    let sessions = dir.path().join("sessions/ops");
    std::fs::create_dir_all(&sessions).expect("mkdir");
    let record = |uuid: &str, kind: &str, time: &str, content: &str| {
        serde_json::json!({
            "type": kind, "uuid": uuid, "sessionId": "asof-1", "timestamp": time,
            "message": {"role": kind, "content": content}
        })
        .to_string()
    };
    std::fs::write(
        sessions.join("asof-1.jsonl"),
        [
            record(
                "u1",
                "user",
                "2025-03-01T10:00:00Z",
                "FYI the staging database host is db-9.internal now.",
            ),
            record("u2", "assistant", "2025-03-01T10:00:05Z", "Noted."),
        ]
        .join("\n"),
    )
    .expect("write");

    // The CLI.
    let out = dir.path().join("draft");
    let cli = run(lucid()
        .args(["dream", "--store"])
        .arg(&store)
        .arg("--sessions")
        .arg(dir.path().join("sessions"))
        .arg("--out")
        .arg(&out)
        .arg("--json"));
    let cli_report = stdout_json(&cli);
    let superseding = |report: &Value| -> Vec<(String, Vec<Value>)> {
        report["changes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["op"] == "supersede")
            .map(|c| {
                (
                    c["text"].as_str().unwrap_or("").to_string(),
                    c["superseded"].as_array().cloned().unwrap_or_default(),
                )
            })
            .collect()
    };
    let expected = superseding(&cli_report);
    assert_eq!(expected.len(), 1, "{cli_report:#}");
    assert!(expected[0].0.contains("db-9.internal"), "{expected:?}");

    // The server, the store uploaded *after* the session happened.
    let db = dir.path().join("lucid.db");
    let key = create_key(&db, "asof");
    let server = Server::start(&db, 0);
    let client = |args: &[&str]| {
        let mut command = lucid();
        command
            .args(args)
            .env("LUCID_URL", &server.url)
            .env("LUCID_API_KEY", &key);
        run(&mut command)
    };
    let store_id = id(&stdout_json(&client(&["stores", "create", "Infra"])));
    stdout_json(&client(&[
        "memories",
        "create",
        &store_id,
        "/infra.md",
        "--file",
        &store.join("infra.md").display().to_string(),
    ]));
    let imported = client(&[
        "sessions",
        "import",
        &sessions.display().to_string(),
        "--agent",
        "ops",
        "--store",
        &store_id,
    ]);
    assert!(imported.status.success(), "{imported:?}");
    let session_ids: Vec<String> = String::from_utf8_lossy(&imported.stdout)
        .lines()
        .filter_map(|l| l.split('\t').next().map(str::to_string))
        .collect();
    let mut args = vec![
        "dreams",
        "create",
        "--store",
        store_id.as_str(),
        "--watch",
        "--sessions",
    ];
    args.extend(session_ids.iter().map(String::as_str));
    let watched = client(&args);
    assert!(watched.status.success(), "{watched:?}");
    let dreams = stdout_json(&client(&["dreams", "list", "--status", "completed"]));
    let dream_id = id(&dreams["data"][0]);
    let server_report = stdout_json(&client(&["dreams", "report", &dream_id]));
    assert_eq!(superseding(&server_report), expected, "{server_report:#}");
}
