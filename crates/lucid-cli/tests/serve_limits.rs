//! `lucid serve` as a process, issue 11: one server per database unless it takes over (item
//! 12), shutdown with half-sent requests and a second signal (item 8), the `[server]` config
//! section, and a request log line at the default level.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Serve, create_key};

/// `lucid serve` on `db` as a user starts it: the binary's default log level (info, so request
/// lines show) and no config file but the one a test names; every log line kept.
fn server(db: &std::path::Path) -> Serve {
    support::serve_db(db)
        .env_remove("LUCID_LOG")
        .env_remove("LUCID_CONFIG")
        .keep_log()
}

fn client() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

fn call(url: &str, key: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let mut request = client()
        .request(method.clone(), format!("{url}{path}"))
        .header("x-api-key", key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().expect("request");
    let status = response.status();
    let value: Value = response.json().unwrap_or(Value::Null);
    assert!(status.is_success(), "{method} {path}: {status} {value}");
    value
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_string()
}

/// Issue 11, item 12: a second server on the same database refuses to start (and so no longer
/// fails the first one's running dream); `--take-over` serves alongside, leaves that dream
/// alone, and holds the database once the first has stopped.
#[test]
fn a_second_server_refuses_the_database_unless_it_takes_over() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("lucid.db");
    let key = create_key(&db);
    let first = server(&db).stage_delay_ms(400).start();
    let first_url = first.url();
    let store = id(&call(
        &first_url,
        &key,
        reqwest::Method::POST,
        "/v1/memory_stores",
        Some(json!({"name": "team"})),
    ));
    let agent = id(&call(
        &first_url,
        &key,
        reqwest::Method::POST,
        "/v1/agents",
        Some(json!({"name": "a", "model": "m"})),
    ));
    let session = id(&call(
        &first_url,
        &key,
        reqwest::Method::POST,
        "/v1/sessions",
        Some(json!({"agent": agent, "users": "team", "initial_events": [
            {"type": "user.message", "content": [{"type": "text", "text": "Always run cargo fmt before committing."}]}]})),
    ));
    let dream = id(&call(
        &first_url,
        &key,
        reqwest::Method::POST,
        "/v1/dreams",
        Some(json!({"inputs": [
            {"type": "memory_store", "memory_store_id": store},
            {"type": "sessions", "session_ids": [session]}], "model": "lucid-builtin"})),
    ));
    let status = |url: &str| {
        call(
            url,
            &key,
            reqwest::Method::GET,
            &format!("/v1/dreams/{dream}"),
            None,
        )["status"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while status(&first_url) != "running" {
        assert!(Instant::now() < deadline, "the dream never started");
        std::thread::sleep(Duration::from_millis(20));
    }

    let serve_again = || support::serve_refusal(dir.path(), &db, None);
    let refused = serve_again();
    assert_eq!(refused.code, Some(2), "{refused:?}");
    let message = &refused.stderr;
    assert!(
        message.contains("holds the database") && message.contains("--take-over"),
        "{message}"
    );
    assert!(
        message.contains(&format!("pid {}", first.pid())),
        "{message}"
    );
    assert_eq!(
        status(&first_url),
        "running",
        "the refused server failed nothing"
    );

    let second = server(&db).arg("--take-over").start();
    let second_url = second.url();
    assert_eq!(status(&second_url), "running", "taking over fails nothing");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let now = status(&second_url);
        if now == "completed" {
            break;
        }
        assert_eq!(now, "running", "the first server's dream ended {now}");
        assert!(Instant::now() < deadline, "the dream never completed");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The first stops; the second then holds the database and a third is refused.
    let mut first = first;
    first.signal("TERM");
    assert!(first.exit_within(Duration::from_secs(20)).is_some());
    second.wait_for_line("about holding the database", |l| {
        l.contains("now holds the database")
    });
    let third = serve_again();
    assert_eq!(third.code, Some(2));
    assert!(third.stderr.contains(&format!("pid {}", second.pid())));
    assert_eq!(status(&second_url), "completed");
}

/// Issue 11, item 8: SIGTERM with a half-sent request open stops the server at once; with a
/// request in flight it waits (up to `[server] shutdown_seconds`), and a second signal exits
/// at once.
#[test]
fn sigterm_is_not_held_up_by_half_sent_requests_and_a_second_signal_exits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("lucid.db");
    let key = create_key(&db);
    let config = dir.path().join("lucid.toml");
    std::fs::write(
        &config,
        "[server]\nshutdown_seconds = 60\nbody_timeout_seconds = 120\n",
    )
    .expect("config");

    let mut server = self::server(&db).config(&config).start();
    let mut half = TcpStream::connect(server.addr()).expect("connect");
    half.write_all(b"POST /v1/memory_stores HTTP/1.1\r\nhost: x\r\n")
        .expect("write");
    std::thread::sleep(Duration::from_millis(200));
    server.signal("TERM");
    let (exit, took) = server
        .exit_within(Duration::from_secs(10))
        .expect("the server stops with a half-sent request open");
    assert!(exit.success(), "{exit:?}");
    assert!(took < Duration::from_secs(3), "took {took:?}");

    // A request whose body never finishes is in flight: the first signal waits for it.
    let mut server = self::server(&db).config(&config).start();
    let mut stalled = TcpStream::connect(server.addr()).expect("connect");
    let head = format!(
        "POST /v1/memory_stores HTTP/1.1\r\nhost: x\r\nx-api-key: {key}\r\ncontent-type: \
         application/json\r\ncontent-length: 100\r\n\r\n{{"
    );
    stalled.write_all(head.as_bytes()).expect("write");
    std::thread::sleep(Duration::from_millis(200));
    server.signal("TERM");
    assert!(
        server.exit_within(Duration::from_secs(1)).is_none(),
        "the first signal waits for the request in flight"
    );
    server.signal("TERM");
    let (exit, took) = server
        .exit_within(Duration::from_secs(5))
        .expect("a second signal exits");
    assert_eq!(exit.code(), Some(130), "{exit:?}");
    assert!(took < Duration::from_secs(2), "took {took:?}");
    let mut rest = Vec::new();
    let _ = stalled.read_to_end(&mut rest);
}

/// Every request is logged at the default level: method, path, status and latency, never the
/// key.
#[test]
fn every_request_is_logged_at_the_default_level() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("lucid.db");
    let key = create_key(&db);
    let server = server(&db).start();
    call(
        &server.url(),
        &key,
        reqwest::Method::GET,
        "/v1/memory_stores?limit=5",
        None,
    );
    let line = server.wait_for_line("for the request", |l| {
        l.contains("/v1/memory_stores") && l.contains("status=200")
    });
    assert!(line.contains("INFO"), "{line}");
    assert!(line.contains("method=GET"), "{line}");
    assert!(line.contains("elapsed_ms="), "{line}");
    assert!(!line.contains(&key) && !line.contains("limit=5"), "{line}");
}

/// The `[server]` section is checked at start: a bad value or an unknown key is refused, also
/// in a discovered `./lucid.toml`.
#[test]
fn a_bad_server_section_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("lucid.db");
    for (text, expected) in [
        ("[server]\nmax_connections = 0\n", "max_connections"),
        ("[server]\nshutdown_seconds = -1\n", "shutdown_seconds"),
        (
            "[server]\nrate_per_key = 5\nburst_per_key = 0\n",
            "burst_per_key",
        ),
        ("[server]\nmax_conections = 10\n", "max_conections"),
    ] {
        let config = dir.path().join("lucid.toml");
        std::fs::write(&config, text).expect("config");
        let output = support::lucid(
            dir.path(),
            &[
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--db",
                &db.display().to_string(),
                "--config",
                &config.display().to_string(),
            ],
        );
        assert_eq!(output.code, Some(2), "{text}: {output:?}");
        let stderr = &output.stderr;
        assert!(stderr.contains(expected), "{text}: {stderr}");
    }
    // Without --config, ./lucid.toml's [server] is read, like its other sections.
    let project = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        project.path().join("lucid.toml"),
        "[server]\nmax_connections = 0\n",
    )
    .expect("config");
    let output = support::lucid(
        project.path(),
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--db",
            &db.display().to_string(),
        ],
    );
    assert_eq!(output.code, Some(2), "{output:?}");
    assert!(output.stderr.contains("max_connections"));
}

/// Issue 11, item 11: Ctrl-C while a dream waits on a model that never answers. The server
/// stops by its shutdown deadline without a panic (the model pass runs on a runtime of its own,
/// so a shutting-down server's runtime is never asked to run it), and after a restart the dream
/// is not left `running`.
#[test]
fn ctrl_c_during_a_model_dream_stops_cleanly_without_a_panic() {
    let fake = lucid_fake_provider::FakeProvider::start().expect("fake provider");
    fake.set_fallback(|_| lucid_fake_provider::Reply::Hang);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("lucid.db");
    let key = create_key(&db);
    let config = dir.path().join("lucid.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nshutdown_seconds = 2\n\n[models.hanging]\nprovider = \"openai\"\nmodel = \
             \"qwen\"\nbase_url = \"{}\"\n\n[llm]\nmax_retries = 0\n",
            fake.openai_base_url()
        ),
    )
    .expect("config");
    let mut server = self::server(&db).config(&config).start();
    let url = server.url();
    let store = id(&call(
        &url,
        &key,
        reqwest::Method::POST,
        "/v1/memory_stores",
        Some(json!({"name": "team"})),
    ));
    let agent = id(&call(
        &url,
        &key,
        reqwest::Method::POST,
        "/v1/agents",
        Some(json!({"name": "a", "model": "m"})),
    ));
    let _ = agent;
    // The example fleet: its store and sessions give the model pass work units.
    let examples = support::repo().join("examples/fleet");
    for name in ["conventions.md", "infra.md"] {
        let content = std::fs::read_to_string(examples.join("memory").join(name)).expect("memory");
        call(
            &url,
            &key,
            reqwest::Method::POST,
            &format!("/v1/memory_stores/{store}/memories"),
            Some(json!({"path": format!("/{name}"), "content": content})),
        );
    }
    let mut sessions = Vec::new();
    for (agent, file) in [
        ("coder", "coder/fix-login.jsonl"),
        ("coder", "coder/rate-limit.jsonl"),
        ("reviewer", "reviewer/memo-review.jsonl"),
        ("reviewer", "reviewer/review-815.jsonl"),
    ] {
        let bytes = std::fs::read(examples.join("sessions").join(file)).expect("session");
        let name = file.rsplit('/').next().unwrap_or(file);
        let response = client()
            .post(format!(
                "{url}/v1/sessions/import?agent={agent}&filename={name}"
            ))
            .header("x-api-key", &key)
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .expect("import");
        assert!(response.status().is_success(), "import {file}");
        let value: Value = response.json().expect("json");
        sessions.push(id(&value));
    }
    let dream = id(&call(
        &url,
        &key,
        reqwest::Method::POST,
        "/v1/dreams",
        Some(json!({"inputs": [
            {"type": "memory_store", "memory_store_id": store},
            {"type": "sessions", "session_ids": sessions}], "model": "hanging"})),
    ));
    // Wait until the model has been asked (the dream is inside its model pass).
    let deadline = Instant::now() + Duration::from_secs(30);
    while fake.request_count() == 0 {
        assert!(Instant::now() < deadline, "the model was never asked");
        std::thread::sleep(Duration::from_millis(20));
    }
    server.signal("INT");
    let (exit, took) = server
        .exit_within(Duration::from_secs(20))
        .expect("the server stops by its shutdown deadline");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    let log = server.lines().join("\n");
    assert!(!log.contains("panicked"), "{log}");
    assert!(exit.code().is_some(), "ended by a signal: {exit:?}\n{log}");

    let restarted = self::server(&db).config(&config).start();
    let status = call(
        &restarted.url(),
        &key,
        reqwest::Method::GET,
        &format!("/v1/dreams/{dream}"),
        None,
    )["status"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        ["failed", "canceled"].contains(&status.as_str()),
        "after the restart the dream is {status}"
    );
}
