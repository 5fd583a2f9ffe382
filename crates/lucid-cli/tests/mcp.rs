//! `lucid mcp` and `lucid serve`'s `/mcp` driven by the official `mcp` Python SDK
//! (`tests/mcp/test_mcp.py`): list tools, create, str_replace, search, delete, and isolation
//! between two workspaces' keys; `lucid mcp --server` over stdio. Skipped with a message when the SDK is not installed, unless
//! LUCID_REQUIRE_SDK=1 or `CI` is set (a CI run must not pass by skipping). Plus `lucid search`.

mod support;

use std::ffi::OsString;

use serde_json::{Value, json};
use support::{create_key_in, serve_db};

/// The python that has the `mcp` SDK, or `None` (after saying so) when the test may skip.
fn python_with_mcp() -> Option<String> {
    support::sdk_python("mcp", "import mcp.client.stdio", "mcp")
}

/// `tests/mcp/test_mcp.py MODE`, given the lucid binary under test (`LUCID_BIN`) and `env`.
fn run_python(python: &str, mode: &str, env: &[(&str, String)]) {
    let mut envs: Vec<(OsString, OsString)> =
        vec![("LUCID_BIN".into(), env!("CARGO_BIN_EXE_lucid").into())];
    envs.extend(env.iter().map(|(name, value)| (name.into(), value.into())));
    support::python_test(python, "tests/mcp/test_mcp.py", &[mode], &envs, "MCP OK");
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
    let key = create_key_in(&db, "a");
    let other_key = create_key_in(&db, "b");
    let server = serve_db(&db).start();
    let url = server.url();
    let store = create_store(&url, &key, "a-notes");
    let other_store = create_store(&url, &other_key, "b-notes");
    run_python(
        &python,
        "http",
        &[
            ("LUCID_URL", url.clone()),
            ("LUCID_API_KEY", key.clone()),
            ("LUCID_STORE_ID", store.clone()),
            ("LUCID_OTHER_API_KEY", other_key),
            ("LUCID_OTHER_STORE_ID", other_store),
        ],
    );
    // Writes through MCP are versions whose actor is the MCP client, by name.
    let versions: Value = http()
        .get(format!("{url}/v1/memory_stores/{store}/memory_versions"))
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
            ("LUCID_URL", url.clone()),
            ("LUCID_API_KEY", key.clone()),
            ("LUCID_STORE_ID", store.clone()),
        ],
    );
    // And `lucid search --server` finds what MCP wrote.
    let output = support::lucid_with(
        dir.path(),
        &[
            "search",
            "--server",
            &url,
            "--memory-store-id",
            &store,
            "--json",
            "kept",
        ],
        &[("LUCID_API_KEY".into(), key.clone().into())],
    );
    assert!(output.success(), "{output:?}");
    let found: Value = serde_json::from_str(&output.stdout).expect("json");
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
    let store = dir.path().display().to_string();
    let output = support::lucid(dir.path(), &["search", "--store", &store, "--json", "docx"]);
    assert!(output.success(), "{output:?}");
    let found: Value = serde_json::from_str(&output.stdout).expect("json");
    assert_eq!(found["results"][0]["path"], "/notes.md");
    let output = support::lucid(dir.path(), &["search", "--store", &store, "db-2.internal"]);
    let stdout = &output.stdout;
    assert!(
        stdout.starts_with("/team/infra.md:3") && stdout.contains("db-2.internal"),
        "{stdout}"
    );
    // A query of stop words only is refused (exit 2), not an empty success.
    let output = support::lucid(dir.path(), &["search", "--store", &store, "the"]);
    assert_eq!(output.code, Some(2));
}
