//! Issue 11, item 2: a memory's as-of time comes through the API (`metadata.as_of`). Without
//! one, an uploaded memory is older than any session a dream reads, so a person's newer value
//! replaces it; with an as-of time after the session, the memory is the newer value and stays.

mod common;

use common::*;
use serde_json::json;

/// Dreams a store holding the staging host (with `metadata`) over two sessions that announce
/// a new host, and returns the output's `/infra.md`.
async fn dream_with(h: &Harness, metadata: Option<serde_json::Value>) -> String {
    let store = h.store("team").await;
    let mut body =
        json!({"path": "/infra.md", "content": "- The staging database host is db-2.internal.\n"});
    if let Some(metadata) = metadata {
        body["metadata"] = metadata;
    }
    h.post(&format!("/v1/memory_stores/{store}/memories"), body)
        .await;
    let agent = h.agent("coder").await;
    let mut sessions = Vec::new();
    for _ in 0..2 {
        sessions.push(
            h.session(
                &agent,
                Some(&store),
                "The staging database host is now db-3.internal instead of db-2.internal.",
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
        .expect("output store");
    let listed = h
        .get(&format!("/v1/memory_stores/{output}/memories?view=full"))
        .await;
    listed["data"]
        .as_array()
        .expect("data")
        .iter()
        .find(|m| m["path"] == "/infra.md")
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn an_as_of_time_given_through_the_api_decides_which_value_is_newer() {
    let h = Harness::new();
    let workers = h.start_workers();
    let undated = dream_with(&h, None).await;
    assert!(
        undated.contains("db-3.internal"),
        "no as-of: the session is newer\n{undated}"
    );
    assert!(!undated.contains("db-2.internal"), "{undated}");

    let dated = dream_with(&h, Some(json!({"as_of": "2099-01-01T00:00:00Z"}))).await;
    assert!(
        dated.contains("db-2.internal"),
        "as of 2099: the memory is newer\n{dated}"
    );
    assert!(!dated.contains("db-3.internal"), "{dated}");

    let (status, body) = h
        .call(
            "POST",
            &format!("/v1/memory_stores/{}/memories", h.store("bad").await),
            Some(json!({"path": "/a.md", "content": "- x\n", "metadata": {"as_of": "yesterday"}})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("RFC 3339")),
        "{body}"
    );
    workers.stop(std::time::Duration::from_secs(5)).await;
}
