//! Every route and rule of the API, through `app()` with `oneshot` on a real SQLite file.
//! Every response is checked by the harness: a request id, never a 5xx, and every error in the
//! envelope.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{Harness, assert_error, example, id};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Auth, routing, envelopes

#[tokio::test]
async fn keys_are_required_and_checked() {
    let h = Harness::new();
    assert_error(
        &h.call_as(None, "GET", "/v1/memory_stores", None).await,
        401,
        "authentication_error",
    );
    assert_error(
        &h.call_as(Some("sk-lucid-wrong"), "GET", "/v1/memory_stores", None)
            .await,
        401,
        "authentication_error",
    );
    // Bearer works too, and the SDK's headers are accepted and ignored.
    let request = Request::builder()
        .uri("/v1/memory_stores")
        .header("authorization", format!("Bearer {}", h.key))
        .header("anthropic-version", "2023-06-01")
        .header(
            "anthropic-beta",
            "agent-memory-2026-07-22,dreaming-2026-04-21",
        )
        .header("x-stainless-lang", "python")
        .body(Body::empty())
        .expect("request");
    let (status, body) = h.send(request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"], json!([]));
    assert!(
        body.as_object()
            .is_some_and(|b| b.contains_key("next_page"))
    );
    // A workspace header must name the key's own workspace.
    let request = Request::builder()
        .uri("/v1/memory_stores")
        .header("x-api-key", &h.key)
        .header("anthropic-workspace-id", "wrkspc_someone_else")
        .body(Body::empty())
        .expect("request");
    assert_error(&h.send(request).await, 403, "permission_error");
    // The OpenAPI document and the health check are public.
    let (status, doc) = h.call_as(None, "GET", "/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["info"]["title"], "lucid");
    let (status, health) = h.call_as(None, "GET", "/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["status"], "ok", "{health}");
    assert_eq!(health["backend"], "sqlite", "{health}");
    assert!(health["schema_version"].as_i64() > Some(0), "{health}");
    assert_eq!(health["running_dreams"], 0, "{health}");
    assert_eq!(
        health["follows_other_nodes"], false,
        "one process owns SQLite"
    );
}

/// The review page is served at `/` beside the API, without a key (it asks for one), with the
/// self-only Content-Security-Policy; the API behind it still wants a key.
#[tokio::test]
async fn the_review_page_is_served_at_the_root_beside_the_api() {
    let h = Harness::new();
    for (path, media) in [("/", "text/html"), ("/assets/app.js", "text/javascript")] {
        let request = Request::get(path).body(Body::empty()).expect("request");
        let response = tower::ServiceExt::oneshot(h.app.clone(), request)
            .await
            .expect("infallible");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        assert!(header("content-type").starts_with(media), "{path}");
        assert!(header("content-security-policy").contains("default-src 'none'"));
        assert!(!header("request-id").is_empty());
    }
    assert_error(
        &h.call_as(None, "GET", "/v1/dreams", None).await,
        401,
        "authentication_error",
    );
}

#[tokio::test]
async fn client_errors_tell_the_sdk_not_to_retry() {
    let h = Harness::new();
    let store = h.store("s").await;
    h.memory(&store, "/a.md", "a").await;
    let request = Request::builder()
        .method("POST")
        .uri(format!("/v1/memory_stores/{store}/memories"))
        .header("x-api-key", &h.key)
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"path": "/a.md", "content": "b"}).to_string(),
        ))
        .expect("request");
    let response = tower::ServiceExt::oneshot(h.app.clone(), request)
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(
        response
            .headers()
            .get("x-should-retry")
            .and_then(|v| v.to_str().ok()),
        Some("false"),
        "the SDK retries 409s unless told not to"
    );
    assert!(response.headers().contains_key("request-id"));
}

#[tokio::test]
async fn a_revoked_key_stops_working() {
    let h = Harness::new();
    let (key, secret) =
        lucid_storage::Storage::create_api_key(h.storage.as_ref(), "c", None).expect("key");
    assert_eq!(
        h.call_as(Some(&secret), "GET", "/v1/memory_stores", None)
            .await
            .0,
        StatusCode::OK
    );
    lucid_storage::Storage::revoke_api_key(h.storage.as_ref(), &key.id).expect("revoke");
    // A fresh app (no cache) refuses it at once; a running one within the cache's 10 s.
    let fresh = lucid_server::app(
        lucid_server::AppState::new(h.storage.clone(), Default::default()).expect("state"),
    );
    let response = tower::ServiceExt::oneshot(
        fresh,
        Request::builder()
            .uri("/v1/memory_stores")
            .header("x-api-key", &secret)
            .body(Body::empty())
            .expect("request"),
    )
    .await
    .expect("response");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn without_keys_the_server_is_open_in_the_default_workspace() {
    let h = Harness::open();
    let (status, store) = h
        .call_as(
            None,
            "POST",
            "/v1/memory_stores",
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // SDKs always send a key: any key is accepted and lands in the same workspace.
    let (status, list) = h
        .call_as(Some("anything"), "GET", "/v1/memory_stores", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["data"][0]["id"], store["id"]);
    // Once a key is created on the database, the running server requires keys.
    let (_, secret) =
        lucid_storage::Storage::create_api_key(h.storage.as_ref(), "team", None).expect("key");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (status, _) = h.call_as(None, "GET", "/v1/memory_stores", None).await;
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "keys are never required"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (status, list) = h
        .call_as(Some(&secret), "GET", "/v1/memory_stores", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        list["data"],
        json!([]),
        "the new key's workspace is its own"
    );
}

/// Issue 11, item 13: a database that ever had a key never falls back to open mode — not after
/// the last key is revoked, not on request — and without `open` a keyless server refuses every
/// request instead of serving it.
#[tokio::test]
async fn a_server_that_had_keys_never_runs_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let storage = std::sync::Arc::new(
        lucid_storage_sqlite::SqliteStorage::open(&dir.path().join("lucid.db")).expect("open"),
    );
    let without_key = || {
        Request::builder()
            .uri("/v1/memory_stores")
            .body(Body::empty())
            .expect("request")
    };
    // No key yet, open not asked for: refused, not served.
    let state = lucid_server::AppState::new(storage.clone(), lucid_server::Config::default())
        .expect("state");
    assert_eq!(state.auth(), &lucid_server::AuthMode::Keys);
    let response = tower::ServiceExt::oneshot(lucid_server::app(state), without_key())
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // A key, then its revocation: the next start still requires keys.
    let (key, _) =
        lucid_storage::Storage::create_api_key(storage.as_ref(), "team", None).expect("key");
    lucid_storage::Storage::revoke_api_key(storage.as_ref(), &key.id).expect("revoke");
    let state = lucid_server::AppState::new(storage.clone(), lucid_server::Config::default())
        .expect("state");
    let response = tower::ServiceExt::oneshot(lucid_server::app(state), without_key())
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // And asking for open mode on that database is refused.
    let open = lucid_server::Config {
        open: true,
        ..lucid_server::Config::default()
    };
    let refused = lucid_server::AppState::new(storage.clone(), open).err();
    assert!(
        refused.is_some_and(|e| e
            .to_string()
            .contains("never served without authentication")),
        "open mode on a database that had keys"
    );
}

/// Issue 11, item 9: events, system prompts and bodies have limits (413 envelopes beyond), and
/// sessions reference their agent's version instead of each storing a copy of it.
#[tokio::test]
async fn sizes_are_limited_and_sessions_reference_agent_versions() {
    let h = Harness::new();
    let too_long = "p".repeat(150 * 1024);
    let refused = h
        .call(
            "POST",
            "/v1/agents",
            Some(json!({"name": "big", "model": "m", "system": too_long})),
        )
        .await;
    assert_error(&refused, 413, "request_too_large");
    assert!(
        refused.1["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("--max-system-kb")),
        "{}",
        refused.1
    );
    let marker = "SYSTEM-PROMPT-MARKER-5e1d";
    let system = format!("{marker} {}", "Answer with care. ".repeat(5_000));
    assert!(system.len() < 100 * 1024);
    let agent = id(&h
        .post(
            "/v1/agents",
            json!({"name": "support", "model": "m", "system": system}),
        )
        .await);
    let mut sessions = Vec::new();
    for _ in 0..20 {
        sessions.push(id(&h.post("/v1/sessions", json!({"agent": agent})).await));
    }
    let session = h.get(&format!("/v1/sessions/{}", sessions[7])).await;
    assert_eq!(session["agent"]["system"], json!(system));
    assert_eq!(session["agent"]["version"], 1);
    let mut bytes = Vec::new();
    for name in ["lucid.db", "lucid.db-wal"] {
        bytes.extend(std::fs::read(h.dir.path().join(name)).unwrap_or_default());
    }
    let copies = bytes
        .windows(marker.len())
        .filter(|w| *w == marker.as_bytes())
        .count();
    assert!(
        (1..=4).contains(&copies),
        "the prompt is stored per agent version, not per session: {copies} copies"
    );
    let versions = h.get(&format!("/v1/agents/{agent}/versions")).await;
    assert_eq!(versions["data"][0]["version"], 1);
    assert_eq!(versions["data"][0]["system"], json!(system));

    // One event over 1 MiB of JSON: 413, nothing appended.
    let big_event = json!({"type": "user.message",
        "content": [{"type": "text", "text": "x".repeat(1_100_000)}]});
    let refused = h
        .call(
            "POST",
            &format!("/v1/sessions/{}/events", sessions[0]),
            Some(json!({"events": [big_event]})),
        )
        .await;
    assert_error(&refused, 413, "request_too_large");
    assert_eq!(
        h.get(&format!("/v1/sessions/{}", sessions[0])).await["event_count"],
        0
    );
    assert_error(
        &h.call(
            "POST",
            "/v1/sessions",
            Some(json!({"agent": agent, "initial_events": [big_event]})),
        )
        .await,
        413,
        "request_too_large",
    );
    // A body over 10 MiB: 413.
    let huge =
        json!({"events": [{"type": "user.message", "content": "y".repeat(11 * 1024 * 1024)}]});
    assert_error(
        &h.call(
            "POST",
            &format!("/v1/sessions/{}/events", sessions[0]),
            Some(huge),
        )
        .await,
        413,
        "request_too_large",
    );

    // The SDK's sessions.resources.list and sessions.threads.list.
    let store = h.store("s").await;
    let attached = id(&h
        .post(
            "/v1/sessions",
            json!({"agent": agent, "resources": [{"type": "memory_store", "memory_store_id": store}]}),
        )
        .await);
    let resources = h.get(&format!("/v1/sessions/{attached}/resources")).await;
    assert_eq!(resources["data"][0]["memory_store_id"], json!(store));
    assert_eq!(resources["next_page"], Value::Null);
    let threads = h.get(&format!("/v1/sessions/{attached}/threads")).await;
    assert_eq!(threads, json!({"data": [], "next_page": null}));
    assert_error(
        &h.call_as(
            Some(&h.other_key.clone()),
            "GET",
            &format!("/v1/sessions/{attached}/resources"),
            None,
        )
        .await,
        404,
        "not_found_error",
    );
}

#[tokio::test]
async fn unknown_routes_wrong_methods_and_bad_input_answer_with_the_envelope() {
    let h = Harness::new();
    assert_error(
        &h.call("GET", "/v1/nothing", None).await,
        404,
        "not_found_error",
    );
    assert_error(
        &h.call("GET", "/nothing", None).await,
        404,
        "not_found_error",
    );
    assert_error(
        &h.call("GET", "/assets/nothing.js", None).await,
        404,
        "not_found_error",
    );
    assert_error(
        &h.call("POST", "/", None).await,
        405,
        "invalid_request_error",
    );
    assert_error(
        &h.call("PUT", "/v1/memory_stores", None).await,
        405,
        "invalid_request_error",
    );
    assert_error(
        &h.call("DELETE", "/v1/dreams", None).await,
        405,
        "invalid_request_error",
    );
    // Bad JSON, wrong types, missing fields, wrong top-level type.
    for body in [
        "{\"name\":",
        "{\"name\": 5}",
        "{}",
        "[1, 2]",
        "\"just a string\"",
        "{\"name\": \"x\", \"metadata\": [1]}",
    ] {
        let (status, value) = h
            .post_bytes(
                "/v1/memory_stores",
                "application/json",
                body.as_bytes().to_vec(),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {value}");
        assert_eq!(value["error"]["type"], "invalid_request_error");
    }
    // Not UTF-8 at all.
    let (status, _) = h
        .post_bytes(
            "/v1/memory_stores",
            "application/json",
            vec![0xff, 0xfe, 0x00],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Bad query strings.
    for query in [
        "limit=0",
        "limit=101",
        "limit=ten",
        "include_archived=maybe",
        "created_at[gte]=yesterday",
        "page=not-a-cursor",
    ] {
        assert_error(
            &h.call("GET", &format!("/v1/memory_stores?{query}"), None)
                .await,
            400,
            "invalid_request_error",
        );
    }
    // Percent-encoding that is not UTF-8 in a path id.
    assert_error(
        &h.call("GET", "/v1/memory_stores/%ff%fe", None).await,
        400,
        "invalid_request_error",
    );
    // A body over the limit is 413 with the envelope.
    let small = Harness::with_config(lucid_server::Config {
        max_body_bytes: 1024,
        ..Default::default()
    });
    let (status, value) = small
        .post_bytes(
            "/v1/memory_stores",
            "application/json",
            format!("{{\"name\": \"{}\"}}", "x".repeat(4096)).into_bytes(),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{value}");
    assert_eq!(value["error"]["type"], "request_too_large");
}

// ---------------------------------------------------------------------------------------------
// Memory stores

#[tokio::test]
async fn memory_store_crud_paging_and_archiving() {
    let h = Harness::new();
    let created = h
        .post(
            "/v1/memory_stores",
            json!({"name": "Team", "description": "shared", "metadata": {"team": "support"}}),
        )
        .await;
    assert_eq!(created["type"], "memory_store");
    assert!(
        created["id"]
            .as_str()
            .is_some_and(|i| i.starts_with("memstore_"))
    );
    assert_eq!(created["archived_at"], Value::Null);
    for key in ["created_at", "updated_at"] {
        let at = created[key].as_str().expect("time");
        assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
    }
    let a = id(&created);
    let b = h.store("second").await;
    assert_eq!(h.get(&format!("/v1/memory_stores/{a}")).await, created);

    let page = h.get("/v1/memory_stores?limit=1").await;
    assert_eq!(page["data"].as_array().map(Vec::len), Some(1));
    let next = page["next_page"].as_str().expect("next page");
    let page2 = h
        .get(&format!("/v1/memory_stores?limit=1&page={next}"))
        .await;
    assert_eq!(page2["data"][0]["id"], json!(b));
    assert_eq!(page2["next_page"], Value::Null);

    let updated = h
        .post(
            &format!("/v1/memory_stores/{a}"),
            json!({"name": "Team 2", "metadata": {"team": null, "tier": "gold"}}),
        )
        .await;
    assert_eq!(updated["name"], "Team 2");
    assert_eq!(updated["metadata"], json!({"tier": "gold"}));
    assert_eq!(updated["description"], "shared");

    for bad in [
        json!({"name": ""}),
        json!({"name": "x".repeat(256)}),
        json!({"name": "a\u{0007}b"}),
        json!({"name": "x", "description": "d".repeat(1025)}),
        json!({"name": "x", "metadata": (0..17).map(|i| (format!("k{i}"), json!("v"))).collect::<serde_json::Map<_, _>>()}),
        json!({"name": "x", "metadata": {"k": "v".repeat(513)}}),
        json!({"name": "x", "metadata": {"": "v"}}),
    ] {
        assert_error(
            &h.call("POST", "/v1/memory_stores", Some(bad.clone())).await,
            400,
            "invalid_request_error",
        );
    }

    let archived = h
        .post(&format!("/v1/memory_stores/{a}/archive"), json!({}))
        .await;
    assert!(archived["archived_at"].is_string());
    // One-way and idempotent; read-only afterwards.
    let again = h
        .post(&format!("/v1/memory_stores/{a}/archive"), json!({}))
        .await;
    assert_eq!(again["archived_at"], archived["archived_at"]);
    assert_error(
        &h.call(
            "POST",
            &format!("/v1/memory_stores/{a}"),
            Some(json!({"name": "n"})),
        )
        .await,
        400,
        "invalid_request_error",
    );
    assert_error(
        &h.call(
            "POST",
            &format!("/v1/memory_stores/{a}/memories"),
            Some(json!({"path": "/x.md", "content": "x"})),
        )
        .await,
        400,
        "invalid_request_error",
    );
    let active = h.get("/v1/memory_stores").await;
    assert_eq!(active["data"].as_array().map(Vec::len), Some(1));
    let all = h.get("/v1/memory_stores?include_archived=true").await;
    assert_eq!(all["data"].as_array().map(Vec::len), Some(2));
    let recent = h
        .get(&format!(
            "/v1/memory_stores?include_archived=true&created_at[gte]={}",
            created["created_at"].as_str().unwrap_or_default()
        ))
        .await;
    assert_eq!(recent["data"].as_array().map(Vec::len), Some(2));

    let deleted = h
        .call("DELETE", &format!("/v1/memory_stores/{b}"), None)
        .await;
    assert_eq!(deleted.0, StatusCode::OK);
    assert_eq!(deleted.1, json!({"id": b, "type": "memory_store_deleted"}));
    assert_error(
        &h.call("GET", &format!("/v1/memory_stores/{b}"), None).await,
        404,
        "not_found_error",
    );
    assert_error(
        &h.call("GET", "/v1/memory_stores/memstore_unknown", None)
            .await,
        404,
        "not_found_error",
    );
}

// ---------------------------------------------------------------------------------------------
// Memories and versions

#[tokio::test]
async fn memories_never_overwrite_and_honour_preconditions() {
    let h = Harness::new();
    let store = h.store("s").await;
    let base = format!("/v1/memory_stores/{store}/memories");
    let memory = h
        .memory(&store, "/team/conventions.md", "- cite statutes\n")
        .await;
    assert_eq!(memory["type"], "memory");
    assert_eq!(
        memory["content"],
        Value::Null,
        "create defaults to view=basic"
    );
    assert_eq!(memory["content_size_bytes"], 16);
    assert_eq!(
        memory["content_sha256"],
        lucid_storage::ids::sha256_hex(b"- cite statutes\n")
    );
    assert!(
        memory["memory_version_id"]
            .as_str()
            .is_some_and(|v| v.starts_with("memver_"))
    );
    let mid = id(&memory);
    let full = h
        .post(
            &format!("{base}?view=full"),
            json!({"path": "/b.md", "content": "b"}),
        )
        .await;
    assert_eq!(full["content"], "b");
    let null_content = h
        .post(&base, json!({"path": "/empty.md", "content": null}))
        .await;
    assert_eq!(null_content["content_size_bytes"], 0);

    assert_error(
        &h.call(
            "POST",
            &base,
            Some(json!({"path": "/team/conventions.md", "content": "x"})),
        )
        .await,
        409,
        "conflict_error",
    );
    for path in [
        "/a/../b.md",
        "/a/./b.md",
        "relative.md",
        "/a//b.md",
        "/",
        "/a\u{2028}b",
    ] {
        assert_error(
            &h.call("POST", &base, Some(json!({"path": path, "content": "x"})))
                .await,
            400,
            "invalid_request_error",
        );
    }
    assert_error(
        &h.call(
            "POST",
            &base,
            Some(json!({"path": format!("/{}", "x".repeat(1024)), "content": "x"})),
        )
        .await,
        400,
        "invalid_request_error",
    );
    assert_error(
        &h.call(
            "POST",
            &base,
            Some(json!({"path": "/big.md", "content": "x".repeat(102_401)})),
        )
        .await,
        400,
        "invalid_request_error",
    );
    h.memory(&store, "/limit.md", &"x".repeat(102_400)).await;
    assert_error(
        &h.call("POST", &base, Some(json!({"content": "no path"})))
            .await,
        400,
        "invalid_request_error",
    );

    let got = h.get(&format!("{base}/{mid}")).await;
    assert_eq!(
        got["content"], "- cite statutes\n",
        "retrieve defaults to view=full"
    );
    let basic = h.get(&format!("{base}/{mid}?view=basic")).await;
    assert_eq!(basic["content"], Value::Null);
    assert_error(
        &h.call("GET", &format!("{base}/{mid}?view=everything"), None)
            .await,
        400,
        "invalid_request_error",
    );

    // Updates: precondition mismatch is 409; a match applies; nothing to change is 400.
    assert_error(
        &h.call(
            "POST",
            &format!("{base}/{mid}"),
            Some(json!({"content": "new", "precondition": {"type": "content_sha256", "content_sha256": "0".repeat(64)}})),
        )
        .await,
        409,
        "conflict_error",
    );
    let updated = h
        .post(
            &format!("{base}/{mid}?view=full"),
            json!({"content": "- cite statutes and cases\n", "precondition": {"type": "content_sha256", "content_sha256": memory["content_sha256"]}}),
        )
        .await;
    assert_eq!(updated["content"], "- cite statutes and cases\n");
    assert_ne!(updated["memory_version_id"], memory["memory_version_id"]);
    assert_error(
        &h.call("POST", &format!("{base}/{mid}"), Some(json!({})))
            .await,
        400,
        "invalid_request_error",
    );
    assert_error(
        &h.call(
            "POST",
            &format!("{base}/{mid}"),
            Some(json!({"content": "x", "precondition": {"type": "etag"}})),
        )
        .await,
        400,
        "invalid_request_error",
    );
    assert_error(
        &h.call(
            "POST",
            &format!("{base}/{mid}"),
            Some(json!({"path": "/b.md"})),
        )
        .await,
        409,
        "conflict_error",
    );
    assert_error(
        &h.call(
            "POST",
            &format!("{base}/{mid}"),
            Some(json!({"path": "/../x"})),
        )
        .await,
        400,
        "invalid_request_error",
    );
    let renamed = h
        .post(
            &format!("{base}/{mid}"),
            json!({"path": "/team/renamed.md"}),
        )
        .await;
    assert_eq!(renamed["path"], "/team/renamed.md");
    assert_eq!(renamed["id"], json!(mid));

    // Deletes: a stale hash is 409 and deletes nothing.
    let b = id(&full);
    assert_error(
        &h.call(
            "DELETE",
            &format!("{base}/{b}?expected_content_sha256={}", "0".repeat(64)),
            None,
        )
        .await,
        409,
        "conflict_error",
    );
    let deleted = h
        .call(
            "DELETE",
            &format!(
                "{base}/{b}?expected_content_sha256={}",
                full["content_sha256"].as_str().unwrap_or_default()
            ),
            None,
        )
        .await;
    assert_eq!(deleted.1, json!({"id": b, "type": "memory_deleted"}));
    assert_error(
        &h.call("GET", &format!("{base}/{b}"), None).await,
        404,
        "not_found_error",
    );
    assert_error(
        &h.call("DELETE", &format!("{base}/{b}"), None).await,
        404,
        "not_found_error",
    );
    assert_error(
        &h.call("GET", &format!("{base}/mem_nope"), None).await,
        404,
        "not_found_error",
    );
    assert_error(
        &h.call("GET", "/v1/memory_stores/memstore_nope/memories", None)
            .await,
        404,
        "not_found_error",
    );
}

#[tokio::test]
async fn memory_lists_filter_by_prefix_and_roll_up_by_depth() {
    let h = Harness::new();
    let store = h.store("s").await;
    for path in [
        "/a.md",
        "/notes/one.md",
        "/notes/deep/x.md",
        "/notes/deep/y.md",
        "/notes-archive/z.md",
    ] {
        h.memory(&store, path, path).await;
    }
    let base = format!("/v1/memory_stores/{store}/memories");
    let paths = |v: &Value| -> Vec<String> {
        v["data"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| {
                format!(
                    "{}:{}",
                    i["type"].as_str().unwrap_or(""),
                    i["path"].as_str().unwrap_or("")
                )
            })
            .collect()
    };
    let notes = h.get(&format!("{base}?path_prefix=/notes/")).await;
    assert_eq!(
        paths(&notes),
        vec![
            "memory:/notes/deep/x.md",
            "memory:/notes/deep/y.md",
            "memory:/notes/one.md"
        ]
    );
    assert_eq!(
        notes["data"][0]["content"],
        Value::Null,
        "list defaults to basic"
    );
    let top = h.get(&format!("{base}?depth=1")).await;
    assert_eq!(
        paths(&top),
        vec![
            "memory:/a.md",
            "memory_prefix:/notes-archive/",
            "memory_prefix:/notes/"
        ]
    );
    let full = h.get(&format!("{base}?view=full&limit=100")).await;
    assert_eq!(full["data"].as_array().map(Vec::len), Some(5));
    assert_eq!(full["data"][0]["content"], "/a.md");
    let mut seen = Vec::new();
    let mut url = format!("{base}?path_prefix=/notes/&depth=1&limit=1");
    loop {
        let page = h.get(&url).await;
        seen.extend(paths(&page));
        match page["next_page"].as_str() {
            Some(next) => url = format!("{base}?path_prefix=/notes/&depth=1&limit=1&page={next}"),
            None => break,
        }
    }
    assert_eq!(
        seen,
        vec!["memory_prefix:/notes/deep/", "memory:/notes/one.md"]
    );
    for query in [
        "path_prefix=notes/",
        "path_prefix=/a/../",
        "depth=-1",
        "depth=21",
        "view=all",
    ] {
        assert_error(
            &h.call("GET", &format!("{base}?{query}"), None).await,
            400,
            "invalid_request_error",
        );
    }
}

#[tokio::test]
async fn every_change_appends_a_version_with_its_author() {
    let h = Harness::new();
    let key_id = lucid_storage::Storage::list_api_keys(h.storage.as_ref())
        .expect("keys")
        .into_iter()
        .find(|k| k.workspace_name == "a")
        .expect("key a")
        .id;
    let store = h.store("s").await;
    let base = format!("/v1/memory_stores/{store}");
    let memory = h.memory(&store, "/a.md", "one").await;
    let mid = id(&memory);
    h.post(&format!("{base}/memories/{mid}"), json!({"content": "two"}))
        .await;
    h.call("DELETE", &format!("{base}/memories/{mid}"), None)
        .await;
    let versions = h
        .get(&format!("{base}/memory_versions?memory_id={mid}"))
        .await;
    let operations: Vec<&str> = versions["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["operation"].as_str())
        .collect();
    assert_eq!(
        operations,
        vec!["deleted", "modified", "created"],
        "newest first"
    );
    let first = &versions["data"][2];
    assert_eq!(first["type"], "memory_version");
    assert_eq!(
        first["created_by"],
        json!({"type": "api_actor", "api_key_id": key_id})
    );
    assert_eq!(first["content"], Value::Null, "lists default to basic");
    assert_eq!(
        first["content_sha256"],
        lucid_storage::ids::sha256_hex(b"one")
    );
    assert_eq!(
        versions["data"][0]["content_sha256"],
        Value::Null,
        "deleted has no content"
    );
    let vid = id(first);
    let one = h.get(&format!("{base}/memory_versions/{vid}")).await;
    assert_eq!(one["content"], "one");
    let created = h
        .get(&format!(
            "{base}/memory_versions?operation=created&view=full"
        ))
        .await;
    assert_eq!(created["data"].as_array().map(Vec::len), Some(1));
    let by_key = h
        .get(&format!("{base}/memory_versions?api_key_id={key_id}"))
        .await;
    assert_eq!(by_key["data"].as_array().map(Vec::len), Some(3));
    assert_error(
        &h.call(
            "GET",
            &format!("{base}/memory_versions?operation=renamed"),
            None,
        )
        .await,
        400,
        "invalid_request_error",
    );
    assert_error(
        &h.call("GET", &format!("{base}/memory_versions/memver_nope"), None)
            .await,
        404,
        "not_found_error",
    );
    let redacted = h
        .post(&format!("{base}/memory_versions/{vid}/redact"), json!({}))
        .await;
    assert!(redacted["redacted_at"].is_string());
    assert_eq!(redacted["content"], Value::Null);
    assert_eq!(redacted["path"], Value::Null);
}

// ---------------------------------------------------------------------------------------------
// Agents

#[tokio::test]
async fn agents_take_the_sdk_fields_and_echo_the_rest() {
    let h = Harness::new();
    let store = h.store("s").await;
    let agent = h
        .post(
            "/v1/agents",
            json!({
                "name": "coder", "model": "claude-sonnet-4-5", "system": "be brief",
                "tools": [{"type": "agent_toolset_20260401"}], "metadata": {"team": "x"},
                "memory_store_id": store, "custom_field": {"kept": true}
            }),
        )
        .await;
    assert_eq!(agent["type"], "agent");
    assert_eq!(agent["model"], json!({"id": "claude-sonnet-4-5"}));
    assert_eq!(agent["custom_field"], json!({"kept": true}));
    assert_eq!(agent["tools"][0]["type"], "agent_toolset_20260401");
    assert_eq!(agent["version"], 1);
    assert_eq!(agent["memory_store_id"], json!(store));
    let aid = id(&agent);
    let object_model = h
        .post(
            "/v1/agents",
            json!({"name": "b", "model": {"id": "m", "speed": "fast"}}),
        )
        .await;
    assert_eq!(object_model["model"]["speed"], "fast");
    for bad in [
        json!({"name": "x"}),
        json!({"model": "m"}),
        json!({"name": "x", "model": 5}),
        json!({"name": "x", "model": {"speed": "fast"}}),
        json!({"name": "", "model": "m"}),
    ] {
        assert_error(
            &h.call("POST", "/v1/agents", Some(bad)).await,
            400,
            "invalid_request_error",
        );
    }
    assert_error(
        &h.call(
            "POST",
            "/v1/agents",
            Some(json!({"name": "x", "model": "m", "memory_store_id": "memstore_nope"})),
        )
        .await,
        404,
        "not_found_error",
    );
    let updated = h
        .post(
            &format!("/v1/agents/{aid}"),
            json!({"version": 1, "description": "writes code", "system": null}),
        )
        .await;
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["system"], Value::Null);
    assert_eq!(updated["description"], "writes code");
    assert_error(
        &h.call(
            "POST",
            &format!("/v1/agents/{aid}"),
            Some(json!({"version": 1, "name": "y"})),
        )
        .await,
        409,
        "conflict_error",
    );
    assert_error(
        &h.call("POST", &format!("/v1/agents/{aid}/rollback"), None)
            .await,
        400,
        "invalid_request_error",
    );
    let list = h.get("/v1/agents").await;
    assert_eq!(list["data"].as_array().map(Vec::len), Some(2));
    let archived = h
        .post(&format!("/v1/agents/{aid}/archive"), json!({}))
        .await;
    assert!(archived["archived_at"].is_string());
    assert_eq!(
        h.get("/v1/agents").await["data"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        h.get("/v1/agents?include_archived=true").await["data"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_error(
        &h.call("GET", "/v1/agents/agent_nope", None).await,
        404,
        "not_found_error",
    );
}

// ---------------------------------------------------------------------------------------------
// Sessions and events

#[tokio::test]
async fn sessions_log_events_of_every_kind() {
    let h = Harness::new();
    let store = h.store("Team Memory").await;
    let agent = h.agent("coder").await;
    let other = h.agent("reviewer").await;
    let session = h
        .post(
            "/v1/sessions",
            json!({
                "agent": {"type": "agent", "id": agent},
                "environment_id": "env_123",
                "title": "Fix login",
                "metadata": {"ticket": "42"},
                "resources": [{"type": "memory_store", "memory_store_id": store}],
                "initial_events": [{"type": "user.message", "content": [{"type": "text", "text": "hi"}]}],
                "vault_ids": [], "budget": null
            }),
        )
        .await;
    assert_eq!(session["type"], "session");
    assert_eq!(session["agent"]["id"], json!(agent));
    assert_eq!(session["agent"]["type"], "agent");
    assert_eq!(session["environment_id"], "env_123");
    assert_eq!(session["status"], "idle");
    assert_eq!(
        session["resources"][0]["mount_path"],
        "/mnt/memory/team-memory"
    );
    let sid = id(&session);
    let second = h.session(&other, None, "Never force-push.").await;

    let sent = h
        .post(
            &format!("/v1/sessions/{sid}/events"),
            json!({"events": [
                {"type": "agent.tool_use", "id": "toolu_1", "name": "bash", "input": {"command": "cargo test"}},
                {"type": "agent.tool_result", "tool_use_id": "toolu_1", "content": [{"type": "text", "text": "ok"}], "is_error": false},
                {"type": "agent.message", "content": [{"type": "text", "text": "Done."}], "processed_at": "2026-01-01T00:00:00Z"},
                {"type": "session.status_idle", "stop_reason": {"type": "end_turn"}},
            ]}),
        )
        .await;
    let data = sent["data"].as_array().expect("data");
    assert_eq!(data.len(), 4);
    assert_eq!(data[0]["id"], "toolu_1", "a caller's id is kept");
    assert!(
        data[1]["id"]
            .as_str()
            .is_some_and(|i| i.starts_with("sevt_"))
    );
    assert_eq!(data[2]["processed_at"], "2026-01-01T00:00:00.000000Z");
    assert!(data[3]["processed_at"].is_string());

    for bad in [
        json!({"events": []}),
        json!({"events": [{"content": []}]}),
        json!({"events": [{"type": "agent.unknown"}]}),
        json!({"events": [{"type": "user.message", "processed_at": "soon"}]}),
        json!({"events": "nope"}),
    ] {
        assert_error(
            &h.call("POST", &format!("/v1/sessions/{sid}/events"), Some(bad))
                .await,
            400,
            "invalid_request_error",
        );
    }
    assert_error(
        &h.call(
            "POST",
            &format!("/v1/sessions/{sid}/events"),
            Some(json!({"events": [{"type": "agent.tool_use", "id": "toolu_1", "name": "x", "input": {}}]})),
        )
        .await,
        409,
        "conflict_error",
    );
    let too_many: Vec<Value> = (0..51)
        .map(|_| json!({"type": "user.message", "content": []}))
        .collect();
    assert_error(
        &h.call(
            "POST",
            "/v1/sessions",
            Some(json!({"agent": agent, "initial_events": too_many})),
        )
        .await,
        400,
        "invalid_request_error",
    );
    assert_error(
        &h.call("POST", "/v1/sessions", Some(json!({"agent": "agent_nope"})))
            .await,
        404,
        "not_found_error",
    );
    assert_error(
        &h.call(
            "POST",
            "/v1/sessions",
            Some(json!({"agent": agent, "resources": [{"type": "memory_store", "memory_store_id": "memstore_nope"}]})),
        )
        .await,
        404,
        "not_found_error",
    );
    assert_error(
        &h.call("POST", "/v1/sessions", Some(json!({"agent": 7})))
            .await,
        400,
        "invalid_request_error",
    );

    // Events: types[] filter, order, paging.
    let messages = h
        .get(&format!(
            "/v1/sessions/{sid}/events?types[]=user.message&types[]=agent.message"
        ))
        .await;
    assert_eq!(messages["data"].as_array().map(Vec::len), Some(2));
    let desc = h
        .get(&format!("/v1/sessions/{sid}/events?order=desc&limit=2"))
        .await;
    assert_eq!(desc["data"][0]["type"], "session.status_idle");
    let next = desc["next_page"].as_str().expect("next page");
    let rest = h
        .get(&format!(
            "/v1/sessions/{sid}/events?order=desc&limit=2&page={next}"
        ))
        .await;
    assert_eq!(rest["data"][1]["type"], "agent.tool_use");
    assert_error(
        &h.call(
            "GET",
            &format!("/v1/sessions/{sid}/events?order=sideways"),
            None,
        )
        .await,
        400,
        "invalid_request_error",
    );
    let old = h
        .get(&format!(
            "/v1/sessions/{sid}/events?created_at[lt]=2026-06-01T00:00:00Z"
        ))
        .await;
    assert_eq!(old["data"].as_array().map(Vec::len), Some(1));

    // Session lists: filters, newest first, the SDK's prev_page.
    let all = h.get("/v1/sessions").await;
    assert_eq!(all["data"][0]["id"], json!(second), "newest first");
    assert!(all.as_object().is_some_and(|o| o.contains_key("prev_page")));
    let by_store = h
        .get(&format!("/v1/sessions?memory_store_id={store}"))
        .await;
    assert_eq!(by_store["data"].as_array().map(Vec::len), Some(1));
    let by_agent = h.get(&format!("/v1/sessions?agent_id={other}")).await;
    assert_eq!(by_agent["data"][0]["id"], json!(second));
    let asc = h.get("/v1/sessions?order=asc").await;
    assert_eq!(asc["data"][0]["id"], json!(sid));

    let updated = h
        .post(
            &format!("/v1/sessions/{sid}"),
            json!({"title": null, "metadata": {"ticket": null}}),
        )
        .await;
    assert_eq!(updated["title"], Value::Null);
    assert_eq!(updated["metadata"], json!({}));
    let archived = h
        .post(&format!("/v1/sessions/{sid}/archive"), json!({}))
        .await;
    assert!(archived["archived_at"].is_string());
    assert_error(
        &h.call(
            "POST",
            &format!("/v1/sessions/{sid}/events"),
            Some(json!({"events": [{"type": "user.message", "content": []}]})),
        )
        .await,
        400,
        "invalid_request_error",
    );
    assert_eq!(
        h.get("/v1/sessions").await["data"].as_array().map(Vec::len),
        Some(1)
    );
    let deleted = h
        .call("DELETE", &format!("/v1/sessions/{second}"), None)
        .await;
    assert_eq!(deleted.1, json!({"id": second, "type": "session_deleted"}));
    assert_error(
        &h.call("GET", &format!("/v1/sessions/{second}"), None).await,
        404,
        "not_found_error",
    );
    assert_error(
        &h.call("GET", &format!("/v1/sessions/{second}/events"), None)
            .await,
        404,
        "not_found_error",
    );
}

/// Every format the importers read can be named on import: each importer fixture (one per
/// format folder of `crates/lucid-import/tests/data`) imports with its folder's name as
/// `format` and is stored as that format. A format the service's parser forgot fails here.
#[tokio::test]
async fn every_transcript_format_imports_by_name() {
    let h = Harness::new();
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../lucid-import/tests/data");
    let mut folders: Vec<std::path::PathBuf> = std::fs::read_dir(&data)
        .expect("importer fixtures")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_dir() && !path.ends_with("malformed"))
        .collect();
    folders.sort();
    let mut imported = Vec::new();
    for folder in folders {
        let format = folder
            .file_name()
            .and_then(|name| name.to_str())
            .expect("folder name")
            .to_string();
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&folder)
            .expect("fixtures")
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| {
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                path.is_file()
                    && !name.starts_with("bad-")
                    && ["json", "jsonl", "md", "traj"]
                        .iter()
                        .any(|ext| path.extension().is_some_and(|e| e == *ext))
            })
            .collect();
        files.sort();
        let file = files
            .first()
            .unwrap_or_else(|| panic!("a fixture in {format}"));
        let text = std::fs::read_to_string(file).expect("utf-8 fixture");
        let name = file.file_name().and_then(|n| n.to_str()).expect("name");
        let session = h
            .post(
                "/v1/sessions/import",
                json!({"agent": "formats", "transcript": text, "filename": name, "format": format}),
            )
            .await;
        assert_eq!(session["source"]["format"], json!(format), "{name}");
        imported.push(format);
    }
    assert!(imported.len() >= 11, "{imported:?}");
}

#[tokio::test]
async fn transcripts_import_as_sessions() {
    let h = Harness::new();
    let store = h.store("s").await;
    // Raw upload (how the CLI sends files): a Claude Code transcript.
    let (status, session) = h
        .post_bytes(
            &format!(
                "/v1/sessions/import?agent=coder&filename=fix-login.jsonl&memory_store_id={store}"
            ),
            "application/octet-stream",
            example("sessions/coder/fix-login.jsonl"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(session["source"]["format"], "claude_code");
    // Where the session started (its first `cwd`), which a dream reads back from the source.
    assert_eq!(
        session["source"]["started_in"], "/home/dev/project",
        "{session}"
    );
    assert_eq!(session["agent"]["name"], "coder");
    assert!(session["event_count"].as_u64().is_some_and(|n| n > 3));
    assert_eq!(session["resources"][0]["memory_store_id"], json!(store));
    let events = h
        .get(&format!("/v1/sessions/{}/events?limit=100", id(&session)))
        .await;
    let types: Vec<&str> = events["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert!(
        types.contains(&"user.message") && types.contains(&"agent.tool_use"),
        "{types:?}"
    );
    // The same agent name reuses the agent.
    let (_, again) = h
        .post_bytes(
            "/v1/sessions/import?agent=coder",
            "application/octet-stream",
            example("sessions/coder/rate-limit.jsonl"),
        )
        .await;
    assert_eq!(again["agent"]["id"], session["agent"]["id"]);
    // JSON form, with an explicit format.
    let text = String::from_utf8(example("sessions/drafter/nda-review.json")).expect("utf8");
    let json_import = h
        .post(
            "/v1/sessions/import",
            json!({"agent": "drafter", "transcript": text, "filename": "nda-review.json", "title": "NDA"}),
        )
        .await;
    assert_eq!(json_import["title"], "NDA");
    assert_error(
        &h.call(
            "POST",
            "/v1/sessions/import",
            Some(json!({"agent": "x", "transcript": "not a transcript"})),
        )
        .await,
        400,
        "invalid_request_error",
    );
    assert_error(
        &h.call(
            "POST",
            "/v1/sessions/import",
            Some(json!({"agent": "x", "transcript": text, "format": "wordperfect"})),
        )
        .await,
        400,
        "invalid_request_error",
    );
    assert_error(
        &h.post_bytes(
            "/v1/sessions/import",
            "application/octet-stream",
            b"{}".to_vec(),
        )
        .await,
        400,
        "invalid_request_error",
    );
    assert_error(
        &h.post_bytes(
            "/v1/sessions/import?agent=x&memory_store_id=memstore_nope",
            "application/octet-stream",
            example("sessions/coder/rate-limit.jsonl"),
        )
        .await,
        404,
        "not_found_error",
    );
}

// ---------------------------------------------------------------------------------------------
// Dreams: validation

#[tokio::test]
async fn dream_requests_are_validated() {
    let h = Harness::new();
    let store = h.store("s").await;
    let agent = h.agent("a").await;
    let session = h.session(&agent, Some(&store), "Always use UTC.").await;
    let body = |sessions: Value, extra: Value| {
        let mut body = json!({
            "inputs": [
                {"type": "memory_store", "memory_store_id": store},
                {"type": "sessions", "session_ids": sessions},
            ],
            "model": "lucid-builtin",
        });
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        body
    };
    let many: Vec<String> = (0..101).map(|i| format!("sesn_{i:03}")).collect();
    let cases = [
        (body(json!(many), json!({})), 400),
        (body(json!([session, session]), json!({})), 400),
        (body(json!([]), json!({})), 400),
        (body(json!([5]), json!({})), 400),
        (
            body(json!([session]), json!({"instructions": "x".repeat(4097)})),
            400,
        ),
        (body(json!([session]), json!({"instructions": ""})), 400),
        (body(json!([session]), json!({"model": 5})), 400),
        (
            body(
                json!([session]),
                json!({"model": {"id": "m", "speed": "warp"}}),
            ),
            400,
        ),
        (
            body(
                json!([session]),
                json!({"output_behavior": {"type": "overwrite"}}),
            ),
            400,
        ),
        (
            body(
                json!([session]),
                json!({"output_behavior": {"type": "update_existing", "memory_store_id": store}}),
            ),
            400,
        ),
        (body(json!(["sesn_unknown"]), json!({})), 404),
        (
            json!({"inputs": [{"type": "sessions", "session_ids": [session]}], "model": "lucid-builtin"}),
            400,
        ),
        (
            json!({"inputs": [
                {"type": "memory_store", "memory_store_id": store},
                {"type": "memory_store", "memory_store_id": store},
                {"type": "sessions", "session_ids": [session]}], "model": "lucid-builtin"}),
            400,
        ),
        (
            json!({"inputs": [{"type": "files"}], "model": "lucid-builtin"}),
            400,
        ),
        (
            json!({"inputs": "everything", "model": "lucid-builtin"}),
            400,
        ),
        (json!({"model": "lucid-builtin"}), 400),
        (
            json!({"inputs": [
                {"type": "memory_store", "memory_store_id": "memstore_nope"},
                {"type": "sessions", "session_ids": [session]}], "model": "lucid-builtin"}),
            404,
        ),
    ];
    for (request, status) in cases {
        let result = h.call("POST", "/v1/dreams", Some(request.clone())).await;
        assert_eq!(result.0.as_u16(), status, "{request}: {}", result.1);
    }
    // Exactly 100 sessions and 4,096 characters are fine.
    let mut hundred = vec![session.clone()];
    for i in 0..99 {
        hundred.push(h.session(&agent, None, &format!("Note {i}.")).await);
    }
    let dream = h
        .post("/v1/dreams", body(json!(hundred), json!({"instructions": "x".repeat(4096), "model": {"id": "lucid-builtin", "speed": "standard"}})))
        .await;
    assert_eq!(dream["status"], "pending");
    assert_eq!(dream["outputs"], json!([]));
    assert_eq!(
        dream["model"],
        json!({"id": "lucid-builtin", "speed": "standard"})
    );
    assert_eq!(dream["output_behavior"], json!({"type": "create_new"}));
    let listed: Vec<String> = dream["inputs"][1]["session_ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted, "session ids are listed sorted");
    assert_eq!(listed.len(), 100);
    // An archived store cannot be dreamed.
    h.post(&format!("/v1/memory_stores/{store}/archive"), json!({}))
        .await;
    assert_error(
        &h.call(
            "POST",
            "/v1/dreams",
            Some(body(json!([session]), json!({}))),
        )
        .await,
        400,
        "invalid_request_error",
    );
}

#[tokio::test]
async fn pending_dreams_cancel_and_archive_by_the_rules() {
    let h = Harness::new(); // no workers: dreams stay pending
    let store = h.store("s").await;
    let agent = h.agent("a").await;
    let session = h.session(&agent, None, "Always use UTC.").await;
    let dream = h.dream(&store, &[&session]).await;
    let did = id(&dream);
    assert_error(
        &h.call("POST", &format!("/v1/dreams/{did}/archive"), None)
            .await,
        400,
        "invalid_request_error",
    );
    assert_error(
        &h.call("GET", &format!("/v1/dreams/{did}/report"), None)
            .await,
        400,
        "invalid_request_error",
    );
    assert_error(
        &h.call("GET", &format!("/v1/dreams/{did}/diff"), None).await,
        400,
        "invalid_request_error",
    );
    let canceled = h.post(&format!("/v1/dreams/{did}/cancel"), json!({})).await;
    assert_eq!(canceled["status"], "canceled");
    assert!(canceled["ended_at"].is_string());
    let again = h.post(&format!("/v1/dreams/{did}/cancel"), json!({})).await;
    assert_eq!(again, canceled, "canceling a canceled dream is a no-op");
    assert_error(
        &h.call("GET", &format!("/v1/dreams/{did}/report"), None)
            .await,
        404,
        "not_found_error",
    );
    let archived = h
        .post(&format!("/v1/dreams/{did}/archive"), json!({}))
        .await;
    assert!(archived["archived_at"].is_string());
    assert_eq!(h.get("/v1/dreams").await["data"], json!([]));
    assert_eq!(
        h.get("/v1/dreams?include_archived=true").await["data"][0]["id"],
        json!(did)
    );
    assert_error(
        &h.call("GET", "/v1/dreams/drm_nope", None).await,
        404,
        "not_found_error",
    );
    assert_error(
        &h.call("POST", "/v1/dreams/drm_nope/cancel", None).await,
        404,
        "not_found_error",
    );
    assert_error(
        &h.call("GET", "/v1/dreams?statuses[]=sleeping", None).await,
        400,
        "invalid_request_error",
    );
}

// ---------------------------------------------------------------------------------------------
// Dreams: running, review, promotion

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dream_curates_a_clone_and_never_touches_its_input() {
    let h = Harness::new();
    let workers = h.start_workers();
    let store = h.store("team").await;
    h.memory(
        &store,
        "/infra.md",
        "# Infra\n\n- The staging database is on port 5432.\n",
    )
    .await;
    h.memory(
        &store,
        "/conventions.md",
        "- Always cite statutes.\n- Always cite statutes.\n",
    )
    .await;
    let versions_before = h
        .get(&format!(
            "/v1/memory_stores/{store}/memory_versions?view=full&limit=100"
        ))
        .await;
    let coder = h.agent("coder").await;
    let reviewer = h.agent("reviewer").await;
    let s1 = h
        .session(
            &coder,
            Some(&store),
            "Always run cargo fmt before committing.",
        )
        .await;
    let s2 = h
        .session(
            &reviewer,
            Some(&store),
            "Always run cargo fmt before committing.",
        )
        .await;
    let created = h.dream(&store, &[&s2, &s1]).await;
    let did = id(&created);
    let dream = h.wait_dream(&did).await;
    assert_eq!(dream["status"], "completed", "{dream}");
    assert!(dream["ended_at"].is_string());
    assert_eq!(dream["error"], Value::Null);
    assert_eq!(
        dream["usage"],
        json!({"input_tokens": 0, "output_tokens": 0, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0})
    );
    let output = dream["outputs"][0]["memory_store_id"]
        .as_str()
        .expect("output")
        .to_string();
    assert_eq!(dream["outputs"][0]["type"], "memory_store");
    assert_ne!(output, store);

    // The output store holds the curated documents, written by the dream.
    let memories = h
        .get(&format!("/v1/memory_stores/{output}/memories?view=full"))
        .await;
    let contents: Vec<String> = memories["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            format!(
                "{}\n{}",
                m["path"].as_str().unwrap_or(""),
                m["content"].as_str().unwrap_or("")
            )
        })
        .collect();
    let all = contents.join("\n");
    assert!(all.contains("cargo fmt"), "{all}");
    assert_eq!(
        all.matches("Always cite statutes.").count(),
        1,
        "duplicates merged: {all}"
    );
    let by_dream = h
        .get(&format!(
            "/v1/memory_stores/{output}/memory_versions?dream_id={did}&limit=100"
        ))
        .await;
    assert!(by_dream["data"].as_array().is_some_and(|v| !v.is_empty()));
    assert!(
        by_dream["data"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|v| v["created_by"] == json!({"type": "dream_actor", "dream_id": did}))
    );
    // The input store's versions are exactly as before.
    let versions_after = h
        .get(&format!(
            "/v1/memory_stores/{store}/memory_versions?view=full&limit=100"
        ))
        .await;
    assert_eq!(versions_before, versions_after);

    // Review: the report and the diff.
    let report = h.get(&format!("/v1/dreams/{did}/report")).await;
    assert_eq!(report["status"], "completed");
    assert_eq!(report["curator"], "builtin");
    assert_eq!(report["model"], "lucid-builtin");
    assert!(report["changes"].as_array().is_some_and(|c| !c.is_empty()));
    let diff = h.get(&format!("/v1/dreams/{did}/diff")).await;
    assert_eq!(diff["input_memory_store_id"], json!(store));
    assert_eq!(diff["output_memory_store_id"], json!(output));
    let changed: Vec<&str> = diff["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["status"].as_str())
        .collect();
    assert!(
        changed.contains(&"added") && changed.contains(&"changed"),
        "{diff}"
    );
    assert!(
        diff["data"][0]["diff"]
            .as_str()
            .is_some_and(|d| d.contains("@@"))
    );

    // The narration session tells the pipeline.
    let narration = dream["session_id"].as_str().expect("session");
    let events = h
        .get(&format!("/v1/sessions/{narration}/events?limit=100"))
        .await;
    let text = events.to_string();
    for stage in ["Reading", "Merging", "Superseding", "Flagging", "Wrote"] {
        assert!(text.contains(stage), "narration mentions {stage}: {text}");
    }
    assert_eq!(
        h.get(&format!("/v1/sessions/{narration}")).await["status"],
        "terminated"
    );

    // Lists and filters.
    let completed = h
        .get("/v1/dreams?statuses[]=completed&statuses[]=failed")
        .await;
    assert_eq!(completed["data"][0]["id"], json!(did));
    let none = h.get("/v1/dreams?statuses[]=running").await;
    assert_eq!(none["data"], json!([]));
    let before = h
        .get(&format!(
            "/v1/dreams?created_at[lt]={}",
            created["created_at"].as_str().unwrap_or_default()
        ))
        .await;
    assert_eq!(before["data"], json!([]));
    let after = h
        .get("/v1/dreams?created_at[gt]=2020-01-01T00:00:00Z")
        .await;
    assert_eq!(after["data"].as_array().map(Vec::len), Some(1));
    assert_error(
        &h.call("POST", &format!("/v1/dreams/{did}/cancel"), None)
            .await,
        400,
        "invalid_request_error",
    );

    // Promotion switches agents atomically; rollback switches back; discard archives.
    assert_error(
        &h.call(
            "POST",
            &format!("/v1/dreams/{did}/promote"),
            Some(json!({"agent_ids": [coder, "agent_nope"]})),
        )
        .await,
        404,
        "not_found_error",
    );
    assert_eq!(
        h.get(&format!("/v1/agents/{coder}")).await["memory_store_id"],
        Value::Null
    );
    assert_error(
        &h.call(
            "POST",
            &format!("/v1/dreams/{did}/promote"),
            Some(json!({"agent_ids": []})),
        )
        .await,
        400,
        "invalid_request_error",
    );
    let promotion = h
        .post(
            &format!("/v1/dreams/{did}/promote"),
            json!({"agent_ids": [coder, reviewer]}),
        )
        .await;
    assert_eq!(promotion["memory_store_id"], json!(output));
    assert_eq!(promotion["agents"][0]["memory_store_id"], json!(output));
    assert_error(
        &h.call("POST", &format!("/v1/dreams/{did}/discard"), None)
            .await,
        409,
        "conflict_error",
    );
    let rolled = h
        .post(&format!("/v1/agents/{coder}/rollback"), json!({}))
        .await;
    assert_eq!(rolled["memory_store_id"], Value::Null);
    assert_eq!(rolled["previous_memory_store_id"], json!(output));
    h.post(&format!("/v1/agents/{reviewer}/rollback"), json!({}))
        .await;
    let discarded = h
        .post(&format!("/v1/dreams/{did}/discard"), json!({}))
        .await;
    assert_eq!(discarded["status"], "completed");
    assert!(h.get(&format!("/v1/memory_stores/{output}")).await["archived_at"].is_string());
    // Issue 11, item 6: rolling back onto the discarded store is a 409 naming why, and the
    // agent stays where it is; so is pointing an agent at the archived store directly.
    let refused = h
        .call("POST", &format!("/v1/agents/{coder}/rollback"), None)
        .await;
    assert_error(&refused, 409, "conflict_error");
    let message = refused.1["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("archived") && message.contains(&output),
        "{message}"
    );
    assert_eq!(
        h.get(&format!("/v1/agents/{coder}")).await["memory_store_id"],
        Value::Null
    );
    assert_error(
        &h.call(
            "POST",
            &format!("/v1/agents/{reviewer}"),
            Some(json!({"memory_store_id": output})),
        )
        .await,
        409,
        "conflict_error",
    );
    let archived = h
        .post(&format!("/v1/dreams/{did}/archive"), json!({}))
        .await;
    assert!(archived["archived_at"].is_string());
    workers.stop(std::time::Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_carry_an_error_type() {
    let h = Harness::new();
    let store = h.store("s").await;
    let agent = h.agent("a").await;
    let good = h.session(&agent, None, "Always use UTC.").await;
    let gone = h.session(&agent, None, "Never log secrets.").await;
    let dream = h.dream(&store, &[&good, &gone]).await;
    h.call("DELETE", &format!("/v1/sessions/{gone}"), None)
        .await;
    let empty = id(&h.post("/v1/sessions", json!({"agent": agent})).await);
    let unusable = h.dream(&store, &[&empty]).await;
    let workers = h.start_workers();
    let failed = h.wait_dream(&id(&dream)).await;
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["error"]["type"], "input_session_unavailable");
    let failed = h.wait_dream(&id(&unusable)).await;
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["error"]["type"], "no_usable_session");
    let narration = failed["session_id"].as_str().expect("narration session");
    let errors = h
        .get(&format!(
            "/v1/sessions/{narration}/events?types[]=session.error"
        ))
        .await;
    assert_eq!(errors["data"][0]["error"]["type"], "unknown_error");
    assert_eq!(
        errors["data"][0]["error"]["lucid_type"],
        "no_usable_session"
    );
    assert_error(
        &h.call("POST", &format!("/v1/dreams/{}/cancel", id(&dream)), None)
            .await,
        400,
        "invalid_request_error",
    );
    workers.stop(std::time::Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_existing_needs_the_auto_apply_policy() {
    let h = Harness::new();
    let store = id(&h
        .post(
            "/v1/memory_stores",
            json!({"name": "s", "auto_apply": true}),
        )
        .await);
    h.memory(&store, "/a.md", "- Always cite statutes.\n").await;
    let agent = h.agent("a").await;
    let session = h
        .session(&agent, None, "Always run cargo fmt before committing.")
        .await;
    let request = json!({
        "inputs": [
            {"type": "memory_store", "memory_store_id": store},
            {"type": "sessions", "session_ids": [session]},
        ],
        "model": "lucid-builtin",
        "output_behavior": {"type": "update_existing", "memory_store_id": store},
    });
    let dream = h.post("/v1/dreams", request.clone()).await;
    assert_error(
        &h.call("POST", "/v1/dreams", Some(request)).await,
        409,
        "conflict_error",
    );
    let workers = h.start_workers();
    let done = h.wait_dream(&id(&dream)).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["outputs"][0]["memory_store_id"], json!(store));
    let memories = h
        .get(&format!("/v1/memory_stores/{store}/memories?view=full"))
        .await;
    assert!(memories.to_string().contains("cargo fmt"));
    workers.stop(std::time::Duration::from_secs(5)).await;
    // A store archived before its update_existing dream starts: the input is unavailable.
    let request = json!({
        "inputs": [
            {"type": "memory_store", "memory_store_id": store},
            {"type": "sessions", "session_ids": [session]},
        ],
        "model": "lucid-builtin",
        "output_behavior": {"type": "update_existing", "memory_store_id": store},
    });
    let late = h.post("/v1/dreams", request).await;
    h.post(&format!("/v1/memory_stores/{store}/archive"), json!({}))
        .await;
    let workers = h.start_workers();
    let failed = h.wait_dream(&id(&late)).await;
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["error"]["type"], "input_memory_store_unavailable");
    workers.stop(std::time::Duration::from_secs(5)).await;
}

// ---------------------------------------------------------------------------------------------
// Workspaces

#[tokio::test]
async fn another_workspace_sees_nothing() {
    let h = Harness::new();
    let store = h.store("mine").await;
    let memory = id(&h.memory(&store, "/a.md", "a").await);
    let agent = h.agent("a").await;
    let session = h.session(&agent, Some(&store), "Always use UTC.").await;
    let dream = id(&h.dream(&store, &[&session]).await);
    let schedule = id(&h
        .post(
            "/v1/schedules",
            json!({"memory_store_id": store, "after_sessions": 5}),
        )
        .await);
    let versions = h
        .get(&format!("/v1/memory_stores/{store}/memory_versions"))
        .await;
    let version = id(&versions["data"][0]);
    let other = Some(h.other_key.as_str());
    for (method, path) in [
        ("GET", format!("/v1/memory_stores/{store}")),
        ("POST", format!("/v1/memory_stores/{store}/archive")),
        ("DELETE", format!("/v1/memory_stores/{store}")),
        ("GET", format!("/v1/memory_stores/{store}/memories")),
        (
            "GET",
            format!("/v1/memory_stores/{store}/memories/{memory}"),
        ),
        (
            "DELETE",
            format!("/v1/memory_stores/{store}/memories/{memory}"),
        ),
        ("GET", format!("/v1/memory_stores/{store}/memory_versions")),
        (
            "GET",
            format!("/v1/memory_stores/{store}/memory_versions/{version}"),
        ),
        ("GET", format!("/v1/agents/{agent}")),
        ("POST", format!("/v1/agents/{agent}/rollback")),
        ("GET", format!("/v1/sessions/{session}")),
        ("GET", format!("/v1/sessions/{session}/events")),
        ("GET", format!("/v1/sessions/{session}/events/stream")),
        ("DELETE", format!("/v1/sessions/{session}")),
        ("GET", format!("/v1/dreams/{dream}")),
        ("POST", format!("/v1/dreams/{dream}/cancel")),
        ("GET", format!("/v1/dreams/{dream}/report")),
        ("GET", format!("/v1/schedules/{schedule}")),
        ("DELETE", format!("/v1/schedules/{schedule}")),
    ] {
        assert_error(
            &h.call_as(other, method, &path, None).await,
            404,
            "not_found_error",
        );
    }
    assert_error(
        &h.call_as(
            other,
            "POST",
            &format!("/v1/memory_stores/{store}/memories"),
            Some(json!({"path": "/x.md", "content": "x"})),
        )
        .await,
        404,
        "not_found_error",
    );
    assert_error(
        &h.call_as(
            other,
            "POST",
            &format!("/v1/sessions/{session}/events"),
            Some(json!({"events": [{"type": "user.message", "content": []}]})),
        )
        .await,
        404,
        "not_found_error",
    );
    // Their own objects cannot reach into ours either.
    let theirs = id(&h
        .call_as(
            other,
            "POST",
            "/v1/memory_stores",
            Some(json!({"name": "theirs"})),
        )
        .await
        .1);
    assert_error(
        &h.call_as(
            other,
            "POST",
            "/v1/dreams",
            Some(json!({"inputs": [
                {"type": "memory_store", "memory_store_id": theirs},
                {"type": "sessions", "session_ids": [session]}], "model": "lucid-builtin"})),
        )
        .await,
        404,
        "not_found_error",
    );
    for path in [
        "/v1/memory_stores",
        "/v1/agents",
        "/v1/sessions",
        "/v1/dreams",
        "/v1/schedules",
    ] {
        let (status, list) = h.call_as(other, "GET", path, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !list.to_string().contains(&store) && !list.to_string().contains(&session),
            "{path}: {list}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Schedules

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedules_dream_after_enough_new_sessions() {
    let h = Harness::with_config(lucid_server::Config {
        schedule_interval: std::time::Duration::from_millis(50),
        ..Default::default()
    });
    let store = h.store("s").await;
    let agent = id(&h
        .post(
            "/v1/agents",
            json!({"name": "a", "model": "m", "memory_store_id": store}),
        )
        .await);
    for bad in [
        json!({"memory_store_id": store}),
        json!({"memory_store_id": store, "cron": "every day"}),
        json!({"memory_store_id": store, "after_sessions": 0}),
        json!({"memory_store_id": store, "after_sessions": 101}),
        json!({"memory_store_id": store, "cron": "0 3 * * *", "instructions": ""}),
    ] {
        assert_error(
            &h.call("POST", "/v1/schedules", Some(bad)).await,
            400,
            "invalid_request_error",
        );
    }
    assert_error(
        &h.call(
            "POST",
            "/v1/schedules",
            Some(json!({"memory_store_id": "memstore_nope", "after_sessions": 1})),
        )
        .await,
        404,
        "not_found_error",
    );
    let cron = h
        .post(
            "/v1/schedules",
            json!({"memory_store_id": store, "cron": "0 3 * * *"}),
        )
        .await;
    assert!(cron["next_run_at"].is_string());
    assert_eq!(cron["type"], "schedule");
    let schedule = h
        .post(
            "/v1/schedules",
            json!({"memory_store_id": store, "after_sessions": 2, "auto_promote": true,
                   "instructions": "Focus on conventions."}),
        )
        .await;
    let sid = id(&schedule);
    assert_eq!(
        h.get("/v1/schedules").await["data"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let workers = h.start_workers();
    h.session(
        &agent,
        Some(&store),
        "Always run cargo fmt before committing.",
    )
    .await;
    h.session(&agent, Some(&store), "Always run clippy before committing.")
        .await;
    // The scheduler notices, the dream runs, and auto-promote moves the agent.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let dream_id = loop {
        let current = h.get(&format!("/v1/schedules/{sid}")).await;
        if let Some(dream) = current["last_dream_id"].as_str() {
            break dream.to_string();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the schedule never fired"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let dream = h.wait_dream(&dream_id).await;
    assert_eq!(dream["status"], "completed", "{dream}");
    assert_eq!(dream["schedule_id"], json!(sid));
    assert_eq!(dream["instructions"], "Focus on conventions.");
    let output = dream["outputs"][0]["memory_store_id"].clone();
    assert_eq!(
        h.get(&format!("/v1/agents/{agent}")).await["memory_store_id"],
        output
    );
    assert_eq!(
        h.get(&format!("/v1/schedules/{sid}")).await["memory_store_id"],
        output
    );
    let deleted = h
        .call("DELETE", &format!("/v1/schedules/{sid}"), None)
        .await;
    assert_eq!(deleted.1, json!({"id": sid, "type": "schedule_deleted"}));
    assert_error(
        &h.call("GET", &format!("/v1/schedules/{sid}"), None).await,
        404,
        "not_found_error",
    );
    workers.stop(std::time::Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cron_schedules_fire_when_due() {
    let h = Harness::with_config(lucid_server::Config {
        schedule_interval: std::time::Duration::from_millis(50),
        ..Default::default()
    });
    let store = h.store("s").await;
    let agent = h.agent("a").await;
    h.session(&agent, Some(&store), "Always use UTC.").await;
    // Every second (six fields: with seconds).
    let schedule = h
        .post(
            "/v1/schedules",
            json!({"memory_store_id": store, "cron": "* * * * * *"}),
        )
        .await;
    let sid = id(&schedule);
    let workers = h.start_workers();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let dream = loop {
        let current = h.get(&format!("/v1/schedules/{sid}")).await;
        if let Some(dream) = current["last_dream_id"].as_str() {
            assert!(current["last_run_at"].is_string());
            break dream.to_string();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the cron schedule never fired"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(h.wait_dream(&dream).await["status"], "completed");
    // Nothing new to dream: later ticks move next_run_at but create no dream.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let dreams = h.get("/v1/dreams").await;
    assert_eq!(dreams["data"].as_array().map(Vec::len), Some(1));
    workers.stop(std::time::Duration::from_secs(5)).await;
}

// ---------------------------------------------------------------------------------------------
// OpenAPI

/// The checked-in `openapi.json` is what the code generates (`UPDATE_EXPECT=1` rewrites it).
#[test]
fn openapi_json_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi.json");
    let generated = lucid_server::openapi_json();
    // Stale: `UPDATE_EXPECT=1 cargo test -p lucid-server --test api openapi`, then commit it.
    expect_test::expect_file![path].assert_eq(&generated);
    let doc: Value = serde_json::from_str(&generated).expect("json");
    for path in [
        "/v1/memory_stores",
        "/v1/dreams/{dream_id}/promote",
        "/v1/sessions/{session_id}/events/stream",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
}
