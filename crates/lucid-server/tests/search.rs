//! `GET /v1/memory_stores/{id}/search`: BM25 over a store's items through the persistent index,
//! identifier-aware, scoped to the caller's workspace.

mod common;

use common::*;

#[tokio::test]
async fn search_finds_items_by_identifier_and_follows_writes() {
    let h = Harness::new();
    let store = h.store("ops").await;
    let memory = h
        .memory(
            &store,
            "/infra.md",
            "# Infra\n\n- The production database host is db-2.internal\n- Deploy with render_docx off\n",
        )
        .await;
    h.memory(&store, "/other.md", "- Lunch is at noon\n").await;

    let found = h
        .get(&format!(
            "/v1/memory_stores/{store}/search?q=db-2.internal&limit=5"
        ))
        .await;
    let data = found["data"].as_array().expect("data");
    assert_eq!(data.len(), 1, "{found}");
    assert_eq!(data[0]["path"], "/infra.md");
    assert_eq!(data[0]["line"], 3);
    assert_eq!(
        data[0]["text"],
        "The production database host is db-2.internal"
    );
    assert_eq!(data[0]["memory_id"], memory["id"]);
    assert!(data[0]["score"].as_f64().expect("score") > 0.0);
    // A part of an identifier finds it.
    let found = h
        .get(&format!("/v1/memory_stores/{store}/search?q=docx"))
        .await;
    assert_eq!(found["data"][0]["line"], 4);

    // An update is searchable at once.
    h.post(
        &format!("/v1/memory_stores/{store}/memories/{}", id(&memory)),
        serde_json::json!({"content": "- The host moved to db-3.internal\n"}),
    )
    .await;
    let found = h
        .get(&format!("/v1/memory_stores/{store}/search?q=db-3"))
        .await;
    assert_eq!(found["data"][0]["text"], "The host moved to db-3.internal");
    let found = h
        .get(&format!("/v1/memory_stores/{store}/search?q=docx"))
        .await;
    assert_eq!(found["data"].as_array().map(Vec::len), Some(0));

    // No query, a bad limit: 400s that say what is wrong.
    assert_error(
        &h.call("GET", &format!("/v1/memory_stores/{store}/search"), None)
            .await,
        400,
        "invalid_request_error",
    );
    assert_error(
        &h.call(
            "GET",
            &format!("/v1/memory_stores/{store}/search?q=x&limit=0"),
            None,
        )
        .await,
        400,
        "invalid_request_error",
    );
    // Another workspace's key cannot search this store.
    let other = h.other_key.clone();
    assert_error(
        &h.call_as(
            Some(&other),
            "GET",
            &format!("/v1/memory_stores/{store}/search?q=host"),
            None,
        )
        .await,
        404,
        "not_found_error",
    );
}

/// Issue 13 §2: a store a dream wrote answers searches with each item's evidence — the change
/// of the dream's report that wrote it, with its events.
#[tokio::test]
async fn hits_in_a_dreams_output_carry_their_evidence() {
    let h = Harness::new();
    let workers = h.start_workers();
    let store = h.store("team").await;
    h.memory(
        &store,
        "/infra.md",
        "- The staging database host is db-2.internal.\n",
    )
    .await;
    let agent = h.agent("coder").await;
    let mut sessions = Vec::new();
    for _ in 0..2 {
        sessions.push(
            h.session(
                &agent,
                Some(&store),
                "We moved staging: the staging database host is now db-3.internal instead of \
                 db-2.internal.",
            )
            .await,
        );
    }
    let ids: Vec<&str> = sessions.iter().map(String::as_str).collect();
    let dream = h.dream(&store, &ids).await;
    let dream = h.wait_dream(&id(&dream)).await;
    assert_eq!(dream["status"], "completed", "{dream}");
    let output = dream["outputs"][0]["memory_store_id"]
        .as_str()
        .expect("an output store")
        .to_string();

    let found = h
        .get(&format!(
            "/v1/memory_stores/{output}/search?q=db-3.internal"
        ))
        .await;
    let hit = &found["data"][0];
    assert!(
        hit["text"]
            .as_str()
            .is_some_and(|t| t.contains("db-3.internal")),
        "{found}"
    );
    let evidence = &hit["evidence"];
    assert_eq!(evidence["op"], "supersede", "{found}");
    assert!(
        evidence["change_id"]
            .as_str()
            .is_some_and(|c| c.starts_with("chg_")),
        "{found}"
    );
    let events = evidence["evidence"].as_array().expect("evidence list");
    assert!(
        events.iter().any(|e| e["session"].is_string()),
        "the session events behind it: {found}"
    );
    // The input store was not written by a dream: its hits carry no evidence.
    let plain = h
        .get(&format!("/v1/memory_stores/{store}/search?q=staging"))
        .await;
    assert!(plain["data"][0]["evidence"].is_null(), "{plain}");
    workers.stop(std::time::Duration::from_secs(5)).await;
}
