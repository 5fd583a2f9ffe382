//! Several `lucid serve` processes on one PostgreSQL database (issue 15): an API node that runs
//! no dreams, worker nodes with no HTTP listener, a client following a dream's live narration on
//! the API node while a worker runs it, a cancel made on the API node stopping the worker's
//! engine, and a worker killed with SIGKILL mid-dream whose dream another worker re-runs once its
//! lease expires — completed exactly once; SIGTERM then stops each node cleanly. Skipped with a
//! message without a test server (`LUCID_TEST_POSTGRES_URL`), failed under CI.

mod support;

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{Ran, create_key, lucid, lucid_with, postgres_database, repo, serve};

/// A command's stdout as JSON, once it has succeeded.
fn stdout_json(output: &Ran) -> Value {
    assert!(output.success(), "{}", output.text());
    output.json()
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_string()
}

/// Polls the dream (through the API node) until `done` holds, for at most `limit`.
fn wait_for(
    client: &dyn Fn(&[&str]) -> Ran,
    dream: &str,
    limit: Duration,
    done: &dyn Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + limit;
    loop {
        let got = stdout_json(&client(&["dreams", "get", dream]));
        if done(&got) {
            return got;
        }
        assert!(Instant::now() < deadline, "dream {dream} still {got}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn api_and_worker_nodes_share_one_database() {
    let Some(database) = postgres_database() else {
        return;
    };
    let db = database.url().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("lucid.toml");
    std::fs::write(&config, "[server]\ndream_lease_seconds = 2\n").expect("config");
    let key = create_key(&db);
    let api = serve(&db, &config, "api")
        .workers(1)
        .stage_delay_ms(0)
        .start();
    let url = api.url.clone().expect("the API node listens");
    // The clients run in a folder of their own: in `dir` they would read the nodes' lucid.toml.
    let client_dir = tempfile::tempdir().expect("tempdir");
    let client_env: [(OsString, OsString); 2] = [
        ("LUCID_URL".into(), url.clone().into()),
        ("LUCID_API_KEY".into(), key.clone().into()),
    ];
    let client = |args: &[&str]| lucid_with(client_dir.path(), args, &client_env);
    let store = id(&stdout_json(&client(&["stores", "create", "Fleet"])));
    let imported = client(&[
        "sessions",
        "import",
        &repo()
            .join("examples/fleet/sessions/coder")
            .display()
            .to_string(),
        "--agent",
        "coder",
        "--store",
        &store,
    ]);
    assert!(imported.success(), "{imported:?}");
    let sessions: Vec<String> = imported
        .stdout
        .lines()
        .filter_map(|line| line.split('\t').next().map(str::to_string))
        .collect();
    let create = |extra: &[&str]| {
        let mut args = vec!["dreams", "create", "--store", store.as_str()];
        args.extend_from_slice(extra);
        args.push("--sessions");
        args.extend(sessions.iter().map(String::as_str));
        client(&args)
    };

    // The API node runs no dreams: one created there stays pending.
    let waiting = id(&stdout_json(&create(&[])));
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        stdout_json(&client(&["dreams", "get", &waiting]))["status"],
        "pending"
    );
    // A worker (no HTTP) runs it, and a client watching on the API node follows its narration
    // as the worker writes it, to the end.
    let worker = serve(&db, &config, "worker")
        .workers(1)
        .stage_delay_ms(300)
        .start();
    assert!(worker.url.is_none());
    let watched = client(&["dreams", "watch", &waiting]);
    let text = &watched.stdout;
    assert!(watched.success(), "{text}");
    assert!(
        text.contains("Merging") && text.contains("completed"),
        "{text}"
    );

    // A cancel on the API node stops the worker's engine within a second: the worker (one dream
    // at a time) is free to start the next dream right away, not after the canceled one's
    // remaining stages.
    let canceled = id(&stdout_json(&create(&[])));
    wait_for(&client, &canceled, Duration::from_secs(20), &|d| {
        d["status"] == "running"
    });
    let next = id(&stdout_json(&create(&[])));
    let asked = Instant::now();
    assert!(client(&["dreams", "cancel", &canceled]).success());
    wait_for(&client, &next, Duration::from_secs(20), &|d| {
        d["status"] == "running"
    });
    let freed = asked.elapsed();
    assert!(
        freed < Duration::from_millis(1800),
        "the worker was busy for {freed:?}"
    );
    assert_eq!(
        stdout_json(&client(&["dreams", "get", &canceled]))["status"],
        "canceled"
    );
    wait_for(&client, &next, Duration::from_secs(30), &|d| {
        d["status"] == "completed"
    });

    // SIGKILL the worker in the middle of a dream: the dream stays running (no node fails it),
    // and a new worker re-runs it once the lease has expired; it completes exactly once.
    let killed = id(&stdout_json(&create(&[])));
    wait_for(&client, &killed, Duration::from_secs(20), &|d| {
        d["status"] == "running"
    });
    std::thread::sleep(Duration::from_millis(500));
    worker.kill();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        stdout_json(&client(&["dreams", "get", &killed]))["status"],
        "running"
    );
    let replacement = serve(&db, &config, "worker")
        .workers(1)
        .stage_delay_ms(0)
        .start();
    let done = wait_for(&client, &killed, Duration::from_secs(30), &|d| {
        d["status"] != "running"
    });
    assert_eq!(done["status"], "completed", "{done}");
    let narration = done["session_id"]
        .as_str()
        .expect("narration session")
        .to_string();
    let (status, events) = {
        // reqwest is built without a default TLS provider (ring is the build's one).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::blocking::Client::new();
        let response = http
            .get(format!("{url}/v1/sessions/{narration}/events?limit=100"))
            .header("x-api-key", &key)
            .send()
            .expect("events");
        (
            response.status().as_u16(),
            response.json::<Value>().expect("json"),
        )
    };
    assert_eq!(status, 200, "{events}");
    let types: Vec<&str> = events["data"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert!(types.contains(&"session.status_rescheduled"), "{types:?}");
    for end in ["session.status_idle", "session.status_terminated"] {
        let times = types.iter().filter(|t| **t == end).count();
        assert_eq!(times, 1, "the result was narrated once: {types:?}");
    }
    // Both stop cleanly on SIGTERM (their database connections are closed off the runtime).
    assert!(replacement.terminate().success(), "the worker's exit");
    assert!(api.terminate().success(), "the API node's exit");
}

/// Two API nodes on one database: an event appended through node B reaches a stream open on
/// node A at once — pushed by LISTEN/NOTIFY, well before A's own re-read (5 s on a database that
/// pushes) — each node's `/healthz` reports the backend, the schema and that it follows the
/// other nodes' writes, and a key revoked on the database is refused by node A at once,
/// although A had just verified it (its cache keeps keys 10 s).
#[test]
fn an_append_on_one_node_reaches_a_stream_on_another_at_once() {
    let Some(database) = postgres_database() else {
        return;
    };
    let db = database.url().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("lucid.toml");
    std::fs::write(&config, "").expect("config");
    let key = create_key(&db);
    let (a, b) = (
        serve(&db, &config, "api")
            .workers(1)
            .stage_delay_ms(0)
            .start(),
        serve(&db, &config, "api")
            .workers(1)
            .stage_delay_ms(0)
            .start(),
    );
    let (url_a, url_b) = (a.url.clone().expect("url"), b.url.clone().expect("url"));
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::blocking::Client::new();
    for url in [&url_a, &url_b] {
        let health: Value = http
            .get(format!("{url}/healthz"))
            .send()
            .expect("healthz")
            .json()
            .expect("json");
        assert_eq!(health["status"], "ok", "{health}");
        assert_eq!(health["backend"], "postgres", "{health}");
        assert_eq!(health["follows_other_nodes"], true, "{health}");
        assert!(health["schema_version"].as_i64() >= Some(4), "{health}");
        assert_eq!(health["workers"], 0, "an API node runs no dreams");
    }
    let agent: Value = http
        .post(format!("{url_b}/v1/agents"))
        .header("x-api-key", &key)
        .json(&serde_json::json!({"name": "coder", "model": "claude-sonnet-4-5"}))
        .send()
        .expect("agent")
        .json()
        .expect("json");
    let session: Value = http
        .post(format!("{url_b}/v1/sessions"))
        .header("x-api-key", &key)
        .json(&serde_json::json!({"agent": id(&agent)}))
        .send()
        .expect("session")
        .json()
        .expect("json");
    let session = id(&session);

    // A follows the session's stream on a thread; each line it reads is timestamped.
    let (lines, seen) = std::sync::mpsc::channel::<(Instant, String)>();
    {
        let (url_a, key, session) = (url_a.clone(), key.clone(), session.clone());
        std::thread::spawn(move || {
            let response = reqwest::blocking::Client::new()
                .get(format!("{url_a}/v1/sessions/{session}/events/stream"))
                .header("x-api-key", &key)
                .send()
                .expect("stream");
            for line in BufReader::new(response).lines().map_while(Result::ok) {
                if lines.send((Instant::now(), line)).is_err() {
                    return;
                }
            }
        });
    }
    // Let the stream go idle (it has read the empty session and waits), then append on B.
    std::thread::sleep(Duration::from_millis(1000));
    let sent = Instant::now();
    let appended = http
        .post(format!("{url_b}/v1/sessions/{session}/events"))
        .header("x-api-key", &key)
        .json(&serde_json::json!({"events": [
            {"type": "user.message", "content": [{"type": "text", "text": "pushed across nodes"}]}
        ]}))
        .send()
        .expect("append");
    assert!(appended.status().is_success(), "{:?}", appended.text());
    let arrived = loop {
        let (at, line) = seen
            .recv_timeout(Duration::from_secs(10))
            .expect("the event reaches node A's stream");
        if line.contains("pushed across nodes") {
            break at;
        }
    };
    let latency = arrived.saturating_duration_since(sent);
    assert!(
        latency < Duration::from_millis(1500),
        "node A's stream saw node B's append after {latency:?}: pushed, it arrives at once"
    );

    // A key node A has just verified (and caches for 10 s) is refused there as soon as it is
    // revoked elsewhere: the revocation is pushed too.
    let second = create_key(&db);
    let status_on_a = |secret: &str| {
        http.get(format!("{url_a}/v1/memory_stores"))
            .header("x-api-key", secret)
            .send()
            .expect("request")
            .status()
            .as_u16()
    };
    assert_eq!(status_on_a(&second), 200);
    // Run in a folder of their own: in `dir` they would read the nodes' lucid.toml.
    let keys_dir = tempfile::tempdir().expect("tempdir");
    let listed = lucid(keys_dir.path(), &["keys", "list", "--db", &db]);
    let listing = listed.stdout;
    let hint = &second[..13];
    let key_id = listing
        .lines()
        .find(|line| line.contains(hint))
        .and_then(|line| {
            line.split_whitespace()
                .find(|word| word.starts_with("apikey_"))
        })
        .unwrap_or_else(|| panic!("the new key in {listing}"))
        .to_string();
    let revoked = lucid(keys_dir.path(), &["keys", "revoke", &key_id, "--db", &db]);
    assert!(revoked.success(), "{revoked:?}");
    let asked = Instant::now();
    while status_on_a(&second) != 401 {
        assert!(
            asked.elapsed() < Duration::from_secs(2),
            "node A still accepts a key revoked {:?} ago",
            asked.elapsed()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop((a, b));
}

/// A key's rate limit holds across nodes: with two API nodes on one database, a key allowed
/// bursts of 4 (and a token every 100 s) gets 4 requests in all, whichever node it asks, not 4
/// per node; the fifth is a 429 with `retry-after` from either node.
#[test]
fn a_keys_rate_limit_is_counted_across_nodes() {
    let Some(database) = postgres_database() else {
        return;
    };
    let db = database.url().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("lucid.toml");
    std::fs::write(
        &config,
        "[server]\nrate_per_key = 0.01\nburst_per_key = 4\nrate_per_address = 0\n",
    )
    .expect("config");
    let key = create_key(&db);
    let (a, b) = (
        serve(&db, &config, "api").start(),
        serve(&db, &config, "api").start(),
    );
    let urls = [a.url.clone().expect("url"), b.url.clone().expect("url")];
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::blocking::Client::new();
    let mut statuses = Vec::new();
    let mut retry_after = Vec::new();
    for n in 0..8 {
        let response = http
            .get(format!("{}/v1/memory_stores", urls[n % 2]))
            .header("x-api-key", &key)
            .send()
            .expect("request");
        statuses.push(response.status().as_u16());
        if response.status().as_u16() == 429 {
            retry_after.push(
                response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok())
                    .expect("a 429 says when to retry"),
            );
        }
    }
    assert_eq!(
        statuses,
        [200, 200, 200, 200, 429, 429, 429, 429],
        "four in all across both nodes, not four per node"
    );
    assert!(
        retry_after.iter().all(|&s| (60..=101).contains(&s)),
        "about one token's time (100 s): {retry_after:?}"
    );
    // Another key has its own bucket.
    let other = create_key(&db);
    let status = http
        .get(format!("{}/v1/memory_stores", urls[1]))
        .header("x-api-key", &other)
        .send()
        .expect("request")
        .status();
    assert_eq!(status.as_u16(), 200);
    drop((a, b));
}
