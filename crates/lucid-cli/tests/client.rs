//! The CLI clients (`lucid stores|memories|agents|sessions|dreams`) against a real `lucid serve`:
//! memories named by path, values that start with a dash, the review loop finished from the
//! command line, output formats, a `/v1` base URL and a server that is down.

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::Ran;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running `lucid serve` on a fresh SQLite database with one key, started through the shared
/// harness.
struct Server {
    /// Stopped (killed) when the server is dropped.
    _node: support::Node,
    url: String,
    key: String,
    dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("lucid.db").display().to_string();
        let created = support::lucid(
            dir.path(),
            &["keys", "create", "--workspace", "cli", "--db", &db],
        );
        assert!(created.success(), "{created:?}");
        let key = created.stdout.trim().to_string();
        let config = dir.path().join("lucid.toml");
        std::fs::write(&config, "").expect("an empty config");
        let node = support::serve(&db, &config, "all")
            .stage_delay_ms(0)
            .start();
        Server {
            url: node.url(),
            _node: node,
            key,
            dir,
        }
    }

    /// Runs a client command against this server (stdout is a pipe, so JSON by default).
    fn run(&self, args: &[&str]) -> Ran {
        support::lucid_with(
            self.dir.path(),
            args,
            &[
                ("LUCID_URL".into(), self.url.clone().into()),
                ("LUCID_API_KEY".into(), self.key.clone().into()),
            ],
        )
    }

    /// Runs a command that must succeed and returns its JSON.
    fn json(&self, args: &[&str]) -> Value {
        let output = self.run(args);
        assert!(output.success(), "lucid {args:?}: {}", output.stderr);
        serde_json::from_str(&output.stdout)
            .unwrap_or_else(|_| panic!("lucid {args:?} prints JSON: {}", output.stdout))
    }
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_string()
}

/// Issue 11: `memories create STORE /team/a.md --content "- Cite…"` was refused ("unexpected
/// argument '- '"), and `memories get STORE /path` said "no route". A memory is named by its id
/// or its path wherever one is asked, and content may start with a dash.
#[test]
fn memory_paths_and_dash_values_work_wherever_an_id_is_asked() {
    let server = Server::start();
    let store = id(&server.json(&["stores", "create", "Fleet", "--description", "- team"]));
    let created = server.json(&[
        "memories",
        "create",
        &store,
        "/team/a.md",
        "--content",
        "- Cite the statute section.",
    ]);
    assert_eq!(created["path"], "/team/a.md");
    // A second memory in the same folder, so the path lookup has to choose.
    server.json(&[
        "memories",
        "create",
        &store,
        "/team/b.md",
        "--content",
        "- b",
    ]);

    let got = server.json(&["memories", "get", &store, "/team/a.md"]);
    assert_eq!(got["id"], created["id"]);
    assert_eq!(got["content"], "- Cite the statute section.");
    let by_id = server.json(&["memories", "get", &store, &id(&created)]);
    assert_eq!(by_id["content"], got["content"]);

    let updated = server.json(&[
        "memories",
        "update",
        &store,
        "/team/a.md",
        "--content",
        "- Cite the statute section and its year.",
        "--if-sha256",
        got["content_sha256"].as_str().expect("hash"),
    ]);
    assert_eq!(updated["id"], created["id"]);
    let stale = server.run(&[
        "memories",
        "update",
        &store,
        "/team/a.md",
        "--content",
        "- lost update",
        "--if-sha256",
        got["content_sha256"].as_str().expect("hash"),
    ]);
    assert_eq!(stale.code, Some(1), "{}", stale.stderr);
    assert!(stale.stderr.contains("409"), "{}", stale.stderr);
    let moved = server.json(&[
        "memories",
        "update",
        &store,
        "/team/a.md",
        "--path",
        "/team/citations.md",
    ]);
    assert_eq!(moved["path"], "/team/citations.md");
    assert_eq!(
        server.json(&["memories", "get", &store, "/team/citations.md"])["content"],
        "- Cite the statute section and its year."
    );

    let deleted = server.json(&["memories", "delete", &store, "/team/citations.md"]);
    assert_eq!(deleted["id"], created["id"]);
    let gone = server.run(&["memories", "get", &store, "/team/citations.md"]);
    assert_eq!(gone.code, Some(1));
    assert!(
        gone.stderr.contains("no memory at /team/citations.md"),
        "{}",
        gone.stderr
    );
}

/// Issue 11: the review loop can be finished from the CLI: a Markdown folder uploaded in one
/// call, transcripts imported, a dream promoted by agent name, the agent inspected and rolled
/// back.
#[test]
fn the_review_loop_finishes_from_the_cli() {
    let server = Server::start();
    let memory = repo().join("examples/fleet/memory");
    let upload = server.json(&[
        "stores",
        "upload",
        &memory.display().to_string(),
        "--name",
        "Fleet memory",
    ]);
    let store = upload["memory_store_id"]
        .as_str()
        .expect("store id")
        .to_string();
    let paths: Vec<&str> = upload["data"]
        .as_array()
        .expect("uploaded memories")
        .iter()
        .filter_map(|m| m["path"].as_str())
        .collect();
    assert_eq!(paths, ["/conventions.md", "/infra.md"]);
    let listed = server.json(&["memories", "list", &store]);
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(2));
    // Uploading again is refused per file unless --replace.
    let again = server.run(&[
        "stores",
        "upload",
        &memory.display().to_string(),
        "--store",
        &store,
    ]);
    assert_eq!(again.code, Some(1));
    assert!(again.stderr.contains("--replace"), "{}", again.stderr);
    let replaced = server.json(&[
        "stores",
        "upload",
        &memory.display().to_string(),
        "--store",
        &store,
        "--replace",
    ]);
    assert_eq!(replaced["data"].as_array().map(Vec::len), Some(2));

    let import = server.run(&[
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
        "-q",
    ]);
    assert!(import.success(), "{}", import.stderr);
    let sessions: Vec<String> = import.stdout.lines().map(str::to_string).collect();
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    assert!(
        sessions.iter().all(|s| s.starts_with("sesn_")),
        "{sessions:?}"
    );

    let agents = server.json(&["agents", "list"]);
    let agent = agents["data"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["name"] == "coder"))
        .expect("the imported agent");
    assert_eq!(agent["memory_store_id"], store.as_str());
    assert_eq!(server.json(&["agents", "get", "coder"])["id"], agent["id"]);

    let mut args = vec!["dreams", "create", "--store", &store, "--sessions"];
    args.extend(sessions.iter().map(String::as_str));
    let dream = id(&server.json(&args));
    let watched = server.run(&["dreams", "watch", &dream]);
    assert!(watched.success(), "{}", watched.stdout);
    let output_store = server.json(&["dreams", "get", &dream])["outputs"][0]["memory_store_id"]
        .as_str()
        .expect("output store")
        .to_string();

    // Promote by agent name (the flags, if any, acknowledged).
    let promoted = server.json(&[
        "dreams",
        "promote",
        &dream,
        "--agent",
        "coder",
        "--accept-flags",
    ]);
    assert_eq!(promoted["agents"][0]["id"], agent["id"]);
    assert_eq!(
        server.json(&["agents", "get", "coder"])["memory_store_id"],
        output_store.as_str()
    );
    let unknown = server.run(&["dreams", "promote", &dream, "--agent", "nobody"]);
    assert_eq!(unknown.code, Some(1));
    assert!(
        unknown
            .stderr
            .contains("no agent with the id or name \"nobody\""),
        "{}",
        unknown.stderr
    );

    let rolled_back = server.json(&["agents", "rollback", "coder"]);
    assert_eq!(rolled_back["memory_store_id"], store.as_str());

    // Issue 14: promote all but one change; the review names it and the new store lacks it.
    let report = server.json(&["dreams", "report", &dream]);
    let add = report["changes"]
        .as_array()
        .and_then(|changes| changes.iter().find(|c| c["op"] == "add"))
        .expect("the dream adds something");
    let add_id = add["id"].as_str().expect("change id");
    let partial = server.json(&[
        "dreams",
        "promote",
        &dream,
        "--agent",
        "coder",
        "--accept-flags",
        "--reject",
        add_id,
    ]);
    assert_eq!(partial["review"]["rejected"][0], add_id, "{partial}");
    let reviewed_store = partial["memory_store_id"].as_str().expect("new store");
    assert_ne!(reviewed_store, output_store);
    let memories = server.json(&["memories", "list", reviewed_store]);
    let add_path = add["path"].as_str().expect("path");
    for memory in memories["data"].as_array().expect("memories") {
        if memory["path"] == add_path {
            let full = server.json(&["memories", "get", reviewed_store, add_path]);
            let content = full["content"].as_str().unwrap_or_default();
            assert!(
                !content.contains(add["text"].as_str().expect("text")),
                "{content}"
            );
        }
    }
    let both = server.run(&[
        "dreams", "promote", &dream, "--agent", "coder", "--accept", add_id, "--reject", add_id,
    ]);
    assert_eq!(both.code, Some(2), "{}", both.stderr);
}

/// Issue 11 polish: lists print as a table (`--format table`, the default on a terminal) or
/// ids only (`-q`), JSON stays available; a `--url` ending in `/v1` works (with a note) instead
/// of "no route for GET /v1/v1/…".
#[test]
fn client_output_formats_and_a_v1_url() {
    let server = Server::start();
    let first = id(&server.json(&["stores", "create", "First"]));
    let second = id(&server.json(&["stores", "create", "Second"]));

    let quiet = server.run(&["stores", "list", "-q"]);
    assert!(quiet.success(), "{}", quiet.stderr);
    assert_eq!(quiet.stdout, format!("{first}\n{second}\n"));

    let table = server.run(&["stores", "list", "--format", "table"]);
    assert!(table.success(), "{}", table.stderr);
    let text = table.stdout;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("NAME"),
        "{text}"
    );
    assert!(
        lines[1].starts_with(&first) && lines[1].contains("First"),
        "{text}"
    );

    let json = server.json(&["stores", "list", "--json"]);
    assert_eq!(json["data"].as_array().map(Vec::len), Some(2));

    let v1 = support::lucid_with(
        server.dir.path(),
        &[
            "stores",
            "get",
            &first,
            "--url",
            &format!("{}/v1/", server.url),
        ],
        &[("LUCID_API_KEY".into(), server.key.clone().into())],
    );
    assert!(v1.success(), "{}", v1.stderr);
    assert!(v1.stderr.contains("ends with /v1"), "{}", v1.stderr);
    let store: Value = serde_json::from_str(&v1.stdout).expect("json");
    assert_eq!(store["id"], first.as_str());
}

/// Issue 11 polish: importing against a server that is down printed the connection error once
/// per file; it stops after the first, with one clear message.
#[test]
fn importing_against_a_down_server_stops_at_the_first_connection_error() {
    // A port nobody listens on: bind, note it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let home = tempfile::tempdir().expect("home");
    let sessions = repo().join("examples/fleet/sessions").display().to_string();
    let url = format!("http://127.0.0.1:{port}");
    let output = support::lucid(
        home.path(),
        &[
            "sessions", "import", &sessions, "--agent", "coder", "--url", &url,
        ],
    );
    let text = output.stderr;
    assert_eq!(output.code, Some(1), "{text}");
    assert_eq!(
        text.matches("cannot reach the lucid server").count(),
        1,
        "{text}"
    );
    assert!(text.contains("stopped: 0 of 6 files imported"), "{text}");
    assert!(output.stdout.is_empty());
}
