//! `lucid mcp` and `lucid serve`'s `/mcp` driven by the official `mcp` Python SDK
//! (`tests/mcp/test_mcp.py`): list tools, create, str_replace, search, delete, and isolation
//! between two workspaces' keys; `lucid mcp --server` over stdio. Skipped with a message when the SDK is not installed, unless
//! LUCID_REQUIRE_SDK=1 or `CI` is set (a CI run must not pass by skipping). Plus `lucid search`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

fn lucid() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lucid"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The python that has the `mcp` SDK, or `None` (after saying so) when the test may skip.
fn python_with_mcp() -> Option<String> {
    let python = std::env::var("LUCID_PYTHON").unwrap_or_else(|_| "python3".into());
    let required = std::env::var("LUCID_REQUIRE_SDK").is_ok_and(|v| v == "1")
        || std::env::var_os("CI").is_some();
    let probe = Command::new(&python)
        .args(["-c", "import mcp.client.stdio"])
        .output();
    if probe.is_ok_and(|o| o.status.success()) {
        return Some(python);
    }
    assert!(
        !required,
        "LUCID_REQUIRE_SDK=1 or CI is set, but `{python} -c 'import mcp'` fails (python3 -m venv \
         .venv && .venv/bin/pip install mcp, then LUCID_PYTHON=.venv/bin/python; .ci/run does it)"
    );
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED (not CI): the mcp Python SDK is not installed for {python} (set LUCID_PYTHON to \
         a python that has it: pip install mcp)"
    );
    None
}

fn run_python(python: &str, mode: &str, env: &[(&str, String)]) {
    let mut command = Command::new(python);
    command
        .arg(repo().join("tests/mcp/test_mcp.py"))
        .arg(mode)
        .env("LUCID_BIN", env!("CARGO_BIN_EXE_lucid"));
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("run python");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("MCP OK"),
        "the MCP client test ({mode}) failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_official_mcp_client_uses_lucid_mcp_over_stdio() {
    let Some(python) = python_with_mcp() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    run_python(
        &python,
        "stdio",
        &[("LUCID_STORE", dir.path().display().to_string())],
    );
}

/// A running `lucid serve` on a fresh database.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(db: &Path) -> Server {
        let mut child = lucid()
            .args(["serve", "--addr", "127.0.0.1:0", "--db"])
            .arg(db)
            .env("LUCID_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start lucid serve");
        let stderr = child.stderr.take().expect("stderr");
        let (found, address) = std::sync::mpsc::channel();
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
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn http() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::new()
}

fn create_store(url: &str, key: &str, name: &str) -> String {
    let store: Value = http()
        .post(format!("{url}/v1/memory_stores"))
        .header("x-api-key", key)
        .json(&json!({"name": name}))
        .send()
        .expect("create store")
        .json()
        .expect("json");
    store["id"].as_str().expect("id").to_string()
}

#[test]
fn the_official_mcp_client_uses_lucid_serve_mcp_scoped_to_its_key() {
    let Some(python) = python_with_mcp() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("lucid.db");
    let key = create_key(&db, "a");
    let other_key = create_key(&db, "b");
    let server = Server::start(&db);
    let store = create_store(&server.url, &key, "a-notes");
    let other_store = create_store(&server.url, &other_key, "b-notes");
    run_python(
        &python,
        "http",
        &[
            ("LUCID_URL", server.url.clone()),
            ("LUCID_API_KEY", key.clone()),
            ("LUCID_STORE_ID", store.clone()),
            ("LUCID_OTHER_API_KEY", other_key),
            ("LUCID_OTHER_STORE_ID", other_store),
        ],
    );
    // Writes through MCP are versions whose actor is the MCP client, by name.
    let versions: Value = http()
        .get(format!(
            "{}/v1/memory_stores/{store}/memory_versions",
            server.url
        ))
        .header("x-api-key", &key)
        .send()
        .expect("versions")
        .json()
        .expect("json");
    let actors: Vec<&Value> = versions["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|v| &v["created_by"])
        .collect();
    assert!(!actors.is_empty());
    assert!(
        actors
            .iter()
            .all(|a| a["type"] == "mcp_actor" && a["client_name"] == "mcp-sdk-test"),
        "{actors:?}"
    );
    // The same tools over stdio against the running server (`lucid mcp --server`).
    run_python(
        &python,
        "stdio-server",
        &[
            ("LUCID_URL", server.url.clone()),
            ("LUCID_API_KEY", key.clone()),
            ("LUCID_STORE_ID", store.clone()),
        ],
    );
    // And `lucid search --server` finds what MCP wrote.
    let output = lucid()
        .args([
            "search",
            "--server",
            &server.url,
            "--memory-store-id",
            &store,
            "--json",
        ])
        .arg("kept")
        .env("LUCID_API_KEY", &key)
        .output()
        .expect("search");
    assert!(output.status.success(), "{output:?}");
    let found: Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(found["results"][0]["path"], "/kept.md", "{found}");
}

#[test]
fn lucid_search_finds_identifiers_in_a_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("team")).expect("mkdir");
    std::fs::write(
        dir.path().join("team/infra.md"),
        "# Infra\n\n- The production database is db-2.internal\n- Push with --force-with-lease\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("notes.md"),
        "- render_docx needs LibreOffice\n",
    )
    .expect("write");
    let output = lucid()
        .args(["search", "--store"])
        .arg(dir.path())
        .args(["--json", "docx"])
        .output()
        .expect("search");
    assert!(output.status.success(), "{output:?}");
    let found: Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(found["results"][0]["path"], "/notes.md");
    let output = lucid()
        .args(["search", "--store"])
        .arg(dir.path())
        .arg("db-2.internal")
        .output()
        .expect("search");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("/team/infra.md:3") && stdout.contains("db-2.internal"),
        "{stdout}"
    );
    // A query of stop words only is refused (exit 2), not an empty success.
    let output = lucid()
        .args(["search", "--store"])
        .arg(dir.path())
        .arg("the")
        .output()
        .expect("search");
    assert_eq!(output.status.code(), Some(2));
}
