//! `/mcp` at the HTTP level (the official client's test is in lucid-cli's tests/mcp.rs): a
//! request without a valid key never reaches MCP, and a tool call acts in the key's workspace.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

/// POSTs one JSON-RPC message; returns the status, the session id header and the JSON-RPC
/// messages of the body (JSON, or the `data:` lines of an event stream).
async fn post(
    h: &Harness,
    key: Option<&str>,
    session: Option<&str>,
    uri: &str,
    message: Value,
) -> (StatusCode, Option<String>, Vec<Value>) {
    let mut request = Request::builder()
        .method("POST")
        .uri(uri)
        .header("host", "localhost")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    if let Some(session) = session {
        request = request.header("mcp-session-id", session);
    }
    let response = h
        .app
        .clone()
        .oneshot(
            request
                .body(Body::from(message.to_string()))
                .expect("request"),
        )
        .await
        .expect("infallible");
    let status = response.status();
    let session = response
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let text = String::from_utf8_lossy(&bytes);
    let messages = if let Ok(value) = serde_json::from_str::<Value>(&text) {
        vec![value]
    } else {
        text.lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .filter_map(|d| serde_json::from_str(d.trim()).ok())
            .collect()
    };
    (status, session, messages)
}

fn initialize() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "raw-test", "version": "1"}}})
}

#[tokio::test]
async fn mcp_needs_a_key_and_acts_in_its_workspace() {
    let h = Harness::new();
    let store = h.store("notes").await;
    let uri = format!("/mcp?memory_store_id={store}");

    let (status, _, messages) = post(&h, None, None, &uri, initialize()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(messages[0]["error"]["type"], "authentication_error");
    let (status, _, _) = post(&h, Some("sk-lucid-wrong"), None, &uri, initialize()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let key = h.key.clone();
    let (status, session, messages) = post(&h, Some(&key), None, &uri, initialize()).await;
    assert_eq!(status, StatusCode::OK, "{messages:?}");
    assert_eq!(messages[0]["result"]["serverInfo"]["name"], "lucid");
    let session = session.expect("a session id");
    let (status, _, _) = post(
        &h,
        Some(&key),
        Some(&session),
        &uri,
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    )
    .await;
    assert!(status.is_success(), "{status}");
    let call = |id: u64, name: &str, arguments: Value| {
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
               "params": {"name": name, "arguments": arguments}})
    };
    let (_, _, messages) = post(
        &h,
        Some(&key),
        Some(&session),
        &uri,
        call(
            2,
            "memory_create",
            json!({"path": "/a.md", "file_text": "- db-2.internal\n"}),
        ),
    )
    .await;
    assert_eq!(messages[0]["result"]["isError"], false, "{messages:?}");
    // The memory is in the store, written by the MCP client.
    let listed = h
        .get(&format!("/v1/memory_stores/{store}/memory_versions"))
        .await;
    assert_eq!(
        listed["data"][0]["created_by"],
        json!({"type": "mcp_actor", "client_name": "raw-test",
               "api_key_id": listed["data"][0]["created_by"]["api_key_id"]})
    );
    assert!(listed["data"][0]["created_by"]["api_key_id"].is_string());
    // A path outside the store is a tool error, not a protocol error.
    let (_, _, messages) = post(
        &h,
        Some(&key),
        Some(&session),
        &uri,
        call(3, "memory_view", json!({"path": "../x"})),
    )
    .await;
    assert_eq!(messages[0]["result"]["isError"], true, "{messages:?}");

    // The other workspace's key: its own session, and the store does not exist for it.
    let other = h.other_key.clone();
    let (_, session, _) = post(&h, Some(&other), None, &uri, initialize()).await;
    let session = session.expect("a session id");
    post(
        &h,
        Some(&other),
        Some(&session),
        &uri,
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    )
    .await;
    let (_, _, messages) = post(
        &h,
        Some(&other),
        Some(&session),
        &uri,
        call(2, "memory_view", json!({"path": "/a.md"})),
    )
    .await;
    assert_eq!(messages[0]["result"]["isError"], true, "{messages:?}");
    let text = messages[0]["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(text.contains("not found"), "{text}");
}

/// `dream_create` and `dream_status` through `/mcp`: an agent starts a dream of its store over
/// the store's recent sessions, polls it to the end, and the dream is the service's own.
#[tokio::test]
async fn an_agent_dreams_its_store_through_mcp() {
    let h = Harness::new();
    let workers = h.start_workers();
    let store = h.store("notes").await;
    h.memory(
        &store,
        "/infra.md",
        "- The staging database host is db-2.internal.\n",
    )
    .await;
    let agent = h.agent("coder").await;
    for _ in 0..2 {
        h.session(
            &agent,
            Some(&store),
            "The staging database host is now db-3.internal instead of db-2.internal.",
        )
        .await;
    }
    let uri = format!("/mcp?memory_store_id={store}");
    let key = h.key.clone();
    let (status, session, _) = post(&h, Some(&key), None, &uri, initialize()).await;
    assert_eq!(status, StatusCode::OK);
    let session = session.expect("a session id");
    post(
        &h,
        Some(&key),
        Some(&session),
        &uri,
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    )
    .await;
    let call = |id: u64, name: &str, arguments: Value| {
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
               "params": {"name": name, "arguments": arguments}})
    };
    let (_, _, messages) = post(
        &h,
        Some(&key),
        Some(&session),
        &uri,
        call(2, "dream_create", json!({"sessions": 10})),
    )
    .await;
    let result = &messages[0]["result"];
    assert_eq!(result["isError"], false, "{messages:?}");
    let text = result["content"][0]["text"].as_str().expect("text");
    assert!(text.contains("poll it with dream_status"), "{text}");
    let created = result["structuredContent"].clone();
    let dream_id = created["id"].as_str().expect("a dream id").to_string();
    assert_eq!(
        created["inputs"][1]["session_ids"].as_array().map(Vec::len),
        Some(2),
        "{created}"
    );

    let mut status = String::new();
    for attempt in 0..500 {
        let (_, _, messages) = post(
            &h,
            Some(&key),
            Some(&session),
            &uri,
            call(3 + attempt, "dream_status", json!({"dream_id": dream_id})),
        )
        .await;
        let text = messages[0]["result"]["content"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let dream: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        status = dream["status"].as_str().unwrap_or_default().to_string();
        if matches!(status.as_str(), "completed" | "failed" | "canceled") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(status, "completed");
    // The same dream as the REST API sees it, with the newer host in its output.
    let dream = h.get(&format!("/v1/dreams/{dream_id}")).await;
    assert_eq!(dream["status"], "completed");
    let output = dream["outputs"][0]["memory_store_id"]
        .as_str()
        .expect("output");
    let found = h
        .get(&format!(
            "/v1/memory_stores/{output}/search?q=db-3.internal"
        ))
        .await;
    assert!(
        !found["data"].as_array().expect("data").is_empty(),
        "{found}"
    );
    workers.stop(std::time::Duration::from_secs(5)).await;
}
