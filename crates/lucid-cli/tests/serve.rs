//! `lucid serve` as a process: the CLI clients against it, the official Python SDK against it,
//! and kill -9 in the middle of a dream and a burst of writes. All on 127.0.0.1 with a fresh
//! SQLite file per test (the SDK also on a fresh PostgreSQL database of the test server), using
//! the one `lucid` binary cargo builds for these tests.

mod support;

use std::ffi::{OsStr, OsString};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Ran, create_key_in, repo, serve_db};

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

/// `LUCID_URL` and `LUCID_API_KEY` for a CLI client of the server at `url`.
fn client_env(url: &str, key: &str) -> [(OsString, OsString); 2] {
    [
        ("LUCID_URL".into(), url.into()),
        ("LUCID_API_KEY".into(), key.into()),
    ]
}

/// A command's stdout as JSON, once it has succeeded.
fn stdout_json(output: &Ran) -> Value {
    assert!(output.success(), "{}", output.text());
    output.json()
}

#[test]
fn cli_clients_drive_a_running_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("lucid.db");
    let key = create_key_in(&db, "cli");
    let server = serve_db(&db).stage_delay_ms(0).start();
    let url = server.url();
    let client = |args: &[&str]| support::lucid_with(dir.path(), args, &client_env(&url, &key));

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
        assert!(output.success(), "{output:?}");
        for line in output.stdout.lines() {
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
    let text = watched.stdout.clone();
    assert!(watched.success(), "{text}\n{}", watched.stderr);
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
    assert!(diff.success());
    assert!(diff.stdout.contains("@@"));
    // The example fleet holds an injection: the dream has a flag, listed by `diff` and gating
    // promotion until it is acknowledged.
    assert!(
        dream["flag_count"].as_u64().is_some_and(|n| n >= 1),
        "{dream}"
    );
    let review = diff.stderr.clone();
    assert!(review.contains("flagged change(s)"), "{review}");
    let agent = dream_session_agent(&url, &key, &sessions[0]);
    let refused = client(&["dreams", "promote", &dream_id, "--agent", &agent]);
    let message = refused.stderr.clone();
    assert!(!refused.success(), "{message}");
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
    assert!(again.success());

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
    assert!(canceled.success() || !canceled.stderr.is_empty());

    // The imported agents use the store: archiving it is refused, naming one of them.
    let in_use = client(&["stores", "archive", &store_id]);
    assert_eq!(in_use.code, Some(1));
    assert!(in_use.stderr.contains("409"));
    let spare = id(&stdout_json(&client(&["stores", "create", "Spare"])));
    let archived = stdout_json(&client(&["stores", "archive", &spare]));
    assert!(archived["archived_at"].is_string());

    // Errors print the server's message and exit 1; usage errors exit 2.
    let missing = client(&["stores", "get", "memstore_nope"]);
    assert_eq!(missing.code, Some(1));
    assert!(missing.stderr.contains("not_found_error"));
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
    assert_eq!(bad.code, Some(1));
    assert!(bad.stderr.contains("4096"));
    assert_eq!(client(&["dreams", "frobnicate"]).code, Some(2));
    // No key at all (the harness passes on none of the caller's).
    let unauthorized = support::lucid_with(
        dir.path(),
        &["stores", "list"],
        &[("LUCID_URL".into(), url.clone().into())],
    );
    assert_eq!(unauthorized.code, Some(1));
    assert!(unauthorized.stderr.contains("authentication_error"));
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
    let open = dir.path().join("open.db").display().to_string();
    let output = support::lucid(
        dir.path(),
        &["serve", "--open", "--addr", "0.0.0.0:0", "--db", &open],
    );
    assert_eq!(output.code, Some(2));
    let stderr = &output.stderr;
    assert!(
        stderr.contains("refusing to listen") && stderr.contains("lucid keys create"),
        "{stderr}"
    );
    // With a key it binds anywhere (checked on port 0 of every interface, then stopped).
    let db = dir.path().join("keyed.db");
    create_key_in(&db, "w");
    let server = serve_db(&db).addr("0.0.0.0:0").keep_log().start();
    let line = server.lines().first().cloned().unwrap_or_default();
    assert!(line.starts_with("listening on http://0.0.0.0:"), "{line}");
    drop(server);
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
    // At info, so what the server says at start is there to check.
    let logged = || serve_db(&db).env("LUCID_LOG", "info").keep_log();
    let server = logged().start();
    let log = server.lines_before_ready();
    assert_eq!(
        status_without_key(&server.url()),
        401,
        "no key, no --open: refused"
    );
    assert!(
        log.iter().any(|l| l.contains("no active API key")),
        "{log:?}"
    );
    drop(server);
    let server = logged().arg("--open").start();
    let log = server.lines_before_ready();
    assert_eq!(status_without_key(&server.url()), 200, "--open serves");
    assert!(
        log.iter().any(|l| l.contains("WITHOUT authentication")),
        "open mode is logged at start: {log:?}"
    );
    drop(server);
    // A key, revoked: the database never runs open again.
    create_key_in(&db, "team");
    let db_arg = db.display().to_string();
    let listed = support::lucid(dir.path(), &["keys", "list", "--db", &db_arg]);
    let key_id = listed
        .stdout
        .split_whitespace()
        .next()
        .expect("a key")
        .to_string();
    assert!(support::lucid(dir.path(), &["keys", "revoke", &key_id, "--db", &db_arg]).success());
    let server = logged().start();
    assert_eq!(
        status_without_key(&server.url()),
        401,
        "revoking the last key opens nothing"
    );
    drop(server);
    let refused = support::lucid(
        dir.path(),
        &["serve", "--open", "--addr", "127.0.0.1:0", "--db", &db_arg],
    );
    assert_eq!(refused.code, Some(2));
    assert!(
        refused
            .stderr
            .contains("never served without authentication"),
        "{}",
        refused.stderr
    );
}

#[test]
fn sigterm_stops_the_server_gracefully() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("lucid.db");
    let key = create_key_in(&db, "w");
    // Address and database from the environment this time.
    let mut server = support::serve_from_env(&db).keep_log().start();
    let line = server.lines().first().cloned().unwrap_or_default();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("address line")
        .to_string();
    let api = Api::new(&url, &key);
    api.post("/v1/memory_stores", json!({"name": "kept"}));
    server.signal("TERM");
    let (exit, _) = server
        .exit_within(Duration::from_secs(20))
        .expect("the server did not stop");
    assert!(exit.success(), "graceful exit: {exit:?}");
}

/// The official SDK, from `tests/sdk/test_sdk.py`. Skipped (with a message) when the SDK is not
/// installed, unless LUCID_REQUIRE_SDK=1 or `CI` is set (a CI run must not pass by skipping).
#[test]
fn the_official_python_sdk_works_with_only_base_url_changed() {
    let Some(python) = sdk_python() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    run_the_official_sdk(&python, dir.path().join("lucid.db").as_os_str());
}

/// The same SDK suite on the PostgreSQL backend (`lucid serve --db postgres://…`), on a new
/// database of the test server (`LUCID_TEST_POSTGRES_URL`; skipped with a message without it,
/// failed under CI).
#[test]
fn the_official_python_sdk_works_on_postgresql() {
    let Some(database) = support::postgres_database() else {
        return;
    };
    let Some(python) = sdk_python() else { return };
    run_the_official_sdk(&python, OsStr::new(database.url()));
}

/// The python that has the `anthropic` SDK; `None` (with a message) when none has it and the SDK
/// is not required.
fn sdk_python() -> Option<String> {
    support::sdk_python(
        "anthropic",
        "import anthropic; print(anthropic.__version__)",
        "'anthropic>=2.10'",
    )
}

/// Runs `tests/sdk/test_sdk.py` against a server on `db` (a SQLite file or a PostgreSQL URL).
fn run_the_official_sdk(python: &str, db: &OsStr) {
    let key = create_key_in(db, "sdk");
    let server = serve_db(db).stage_delay_ms(50).start();
    let mut envs = client_env(&server.url(), &key).to_vec();
    envs.push(("LUCID_FLEET".into(), repo().join("examples/fleet").into()));
    support::python_test(python, "tests/sdk/test_sdk.py", &[], &envs, "SDK OK");
}

/// kill -9 during a dream and during a burst of concurrent memory writes: after a restart on the
/// same file every acknowledged write is there, and no dream is stuck running.
#[test]
fn kill_9_loses_no_acknowledged_write_and_leaves_no_dream_running() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("lucid.db");
    let key = create_key_in(&db, "crash");
    let server = serve_db(&db).stage_delay_ms(400).start();
    let api = Api::new(&server.url(), &key);
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
        let (url, key, store) = (server.url(), key.clone(), store.clone());
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

    let server = serve_db(&db).stage_delay_ms(0).start();
    let api = Api::new(&server.url(), &key);
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
    let refused = support::serve_refusal(dir.path(), &db, Some(&bad));
    assert_eq!(refused.code, Some(2), "{refused:?}");
    assert!(refused.stderr.contains("secret pattern"));

    let config = dir.path().join("lucid.toml");
    std::fs::write(
        &config,
        "[safety]\nsecret_patterns = [\"ACME-[0-9]{6}\"]\ntrusted_tools = [\"internal_kb\"]\n",
    )
    .expect("write");
    let key = create_key_in(&db, "cfg");
    let server = serve_db(&db).stage_delay_ms(0).config(&config).start();
    let api = Api::new(&server.url(), &key);
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
    let cli = support::dream(dir.path())
        .store(&store)
        .sessions(dir.path().join("sessions"))
        .out(&out)
        .args(["--json"])
        .run();
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
    let key = create_key_in(&db, "asof");
    let server = serve_db(&db).stage_delay_ms(0).start();
    let url = server.url();
    let client = |args: &[&str]| support::lucid_with(dir.path(), args, &client_env(&url, &key));
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
    assert!(imported.success(), "{imported:?}");
    let session_ids: Vec<String> = imported
        .stdout
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
    assert!(watched.success(), "{watched:?}");
    let dreams = stdout_json(&client(&["dreams", "list", "--status", "completed"]));
    let dream_id = id(&dreams["data"][0]);
    let server_report = stdout_json(&client(&["dreams", "report", &dream_id]));
    assert_eq!(superseding(&server_report), expected, "{server_report:#}");
}
