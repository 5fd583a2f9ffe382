//! Model-backed dreams in the service: a dream's `model` maps to a provider through the
//! config file (unknown ones are a 400 with the list), the model pass runs against the fake
//! provider (real HTTP on 127.0.0.1), its usage lands on the dream object, its answers are
//! cached in the database, and a cancel stops a dream waiting on the model within a second.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::{Harness, assert_error, example, id};
use lucid_fake_provider::{FakeProvider, Reply};
use lucid_server::{Config, Models};
use serde_json::{Value, json};

fn harness(fake: &FakeProvider, workers: usize) -> Harness {
    harness_with(fake, workers, "")
}

/// A harness whose config's `[llm]` section gets `extra` lines.
fn harness_with(fake: &FakeProvider, workers: usize, extra: &str) -> Harness {
    let config = lucid_llm::LlmConfig::from_toml(&format!(
        r#"
        [models."claude-sonnet-4-6"]
        provider = "anthropic"
        base_url = "{anthropic}"
        api_key_env = "FAKE_ANTHROPIC_KEY"

        [models."openai:qwen2.5-14b"]
        provider = "openai"
        model = "qwen2.5-14b-instruct"
        base_url = "{openai}"

        [llm]
        max_retries = 0
        {extra}
        "#,
        anthropic = fake.url(),
        openai = fake.openai_base_url(),
    ))
    .expect("valid config");
    let env = BTreeMap::from([("FAKE_ANTHROPIC_KEY".to_string(), "fake-key".to_string())]);
    Harness::with_config(Config {
        models: Models::new(config, env),
        workers,
        ..Config::default()
    })
}

/// A store and the example fleet's sessions, imported through the API.
async fn fleet(h: &Harness) -> (String, Vec<String>) {
    let store = h.store("team").await;
    for (path, content) in [
        (
            "/conventions.md",
            include_str!("../../../examples/fleet/memory/conventions.md"),
        ),
        (
            "/infra.md",
            include_str!("../../../examples/fleet/memory/infra.md"),
        ),
    ] {
        h.memory(&store, path, content).await;
    }
    let mut sessions = Vec::new();
    for (agent, file) in [
        ("coder", "sessions/coder/fix-login.jsonl"),
        ("coder", "sessions/coder/rate-limit.jsonl"),
        ("drafter", "sessions/drafter/nda-review.json"),
        ("drafter", "sessions/drafter/engagement-letter.json"),
        ("reviewer", "sessions/reviewer/memo-review.jsonl"),
        ("reviewer", "sessions/reviewer/review-815.jsonl"),
    ] {
        let name = file.rsplit('/').next().unwrap_or(file);
        let (status, session) = h
            .post_bytes(
                &format!("/v1/sessions/import?agent={agent}&filename={name}"),
                "application/octet-stream",
                example(file),
            )
            .await;
        assert_eq!(status, 200, "{session}");
        sessions.push(id(&session));
    }
    (store, sessions)
}

fn dream_body(store: &str, sessions: &[String], model: Value) -> Value {
    json!({
        "inputs": [
            {"type": "memory_store", "memory_store_id": store},
            {"type": "sessions", "session_ids": sessions},
        ],
        "model": model,
    })
}

#[tokio::test]
async fn unknown_models_are_refused_with_the_configured_list() {
    let fake = FakeProvider::start().expect("fake provider");
    let h = harness(&fake, 2);
    let store = h.store("s").await;
    let agent = h.agent("a").await;
    let session = h.session(&agent, Some(&store), "I prefer tabs.").await;
    for model in [
        json!("claude-opus-4"),
        json!({"id": "anthropic:claude-opus-4"}),
        json!("gpt-5"),
    ] {
        let result = h
            .call(
                "POST",
                "/v1/dreams",
                Some(dream_body(&store, std::slice::from_ref(&session), model)),
            )
            .await;
        assert_error(&result, 400, "invalid_request_error");
        let message = result.1["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("lucid-builtin, claude-sonnet-4-6, openai:qwen2.5-14b"),
            "{message}"
        );
    }
    // Schedules name models too.
    let result = h
        .call(
            "POST",
            "/v1/schedules",
            Some(json!({"memory_store_id": store, "after_sessions": 5, "model": "gpt-5"})),
        )
        .await;
    assert_error(&result, 400, "invalid_request_error");
    // Configured names and the built-in are accepted.
    for model in [
        json!("lucid-builtin"),
        json!("claude-sonnet-4-6"),
        json!({"id": "openai:qwen2.5-14b"}),
    ] {
        let (status, dream) = h
            .call(
                "POST",
                "/v1/dreams",
                Some(dream_body(&store, std::slice::from_ref(&session), model)),
            )
            .await;
        assert_eq!(status, 200, "{dream}");
    }
}

#[tokio::test]
async fn a_model_dream_runs_the_model_pass_and_reruns_from_the_database_cache() {
    let fake = FakeProvider::start().expect("fake provider");
    fake.set_fallback(|_| Reply::operations(json!([{"op": "keep", "item_id": "i1"}])));
    let h = harness(&fake, 2);
    let _workers = h.start_workers();
    let (store, sessions) = fleet(&h).await;

    let created = h
        .post(
            "/v1/dreams",
            dream_body(&store, &sessions, json!("claude-sonnet-4-6")),
        )
        .await;
    let dream = h.wait_dream(&id(&created)).await;
    assert_eq!(dream["status"], "completed", "{dream}");
    let requests = fake.request_count();
    assert!(requests >= 1, "the example fleet has work units");
    assert_eq!(
        fake.requests()[0]
            .headers
            .get("x-api-key")
            .map(String::as_str),
        Some("fake-key")
    );
    let total = fake.total_usage();
    let expected_usage = json!({
        "input_tokens": total.input_tokens,
        "output_tokens": total.output_tokens,
        "cache_read_input_tokens": total.cache_read_input_tokens,
        "cache_creation_input_tokens": total.cache_creation_input_tokens,
    });
    assert_eq!(dream["usage"], expected_usage, "{dream}");
    let report = h.get(&format!("/v1/dreams/{}/report", id(&dream))).await;
    assert_eq!(report["curator"], "anthropic:claude-sonnet-4-6");
    assert_eq!(report["usage"], expected_usage);
    // The model pass narrates into the dream's session.
    let events = h
        .get(&format!(
            "/v1/sessions/{}/events?limit=100",
            dream["session_id"].as_str().unwrap_or_default()
        ))
        .await;
    assert!(
        events.to_string().contains("\"lucid_stage\":\"model\""),
        "{events}"
    );

    // The same dream again: answered from the database, no request, no tokens.
    let again = h
        .post(
            "/v1/dreams",
            dream_body(&store, &sessions, json!("claude-sonnet-4-6")),
        )
        .await;
    let again = h.wait_dream(&id(&again)).await;
    assert_eq!(again["status"], "completed", "{again}");
    assert_eq!(fake.request_count(), requests, "a cache hit sends nothing");
    assert_eq!(
        again["usage"],
        json!({"input_tokens": 0, "output_tokens": 0, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0})
    );
    let rerun = h.get(&format!("/v1/dreams/{}/report", id(&again))).await;
    assert_eq!(rerun["changes"], report["changes"]);
}

#[tokio::test]
async fn canceling_a_dream_waiting_on_the_model_ends_it_within_a_second() {
    let fake = FakeProvider::start().expect("fake provider");
    fake.set_fallback(|_| Reply::Hang);
    // One worker: the next dream can only run once the canceled one has let go.
    let h = harness(&fake, 1);
    let _workers = h.start_workers();
    let (store, sessions) = fleet(&h).await;
    let created = h
        .post(
            "/v1/dreams",
            dream_body(&store, &sessions, json!({"id": "openai:qwen2.5-14b"})),
        )
        .await;
    let dream_id = id(&created);
    let deadline = Instant::now() + Duration::from_secs(30);
    while fake.request_count() == 0 {
        assert!(Instant::now() < deadline, "the model was never asked");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let asked = Instant::now();
    let canceled = h
        .post(&format!("/v1/dreams/{dream_id}/cancel"), json!({}))
        .await;
    assert_eq!(canceled["status"], "canceled");
    let next = h
        .post(
            "/v1/dreams",
            dream_body(&store, &sessions, json!("lucid-builtin")),
        )
        .await;
    let next = h.wait_dream(&id(&next)).await;
    assert_eq!(next["status"], "completed");
    let freed = asked.elapsed();
    // The in-flight requests were dropped (not waited out: the fake never answers), and the
    // built-in dream after it took milliseconds.
    assert!(
        freed < Duration::from_secs(1),
        "the worker was held {freed:?}"
    );
    let dream = h.get(&format!("/v1/dreams/{dream_id}")).await;
    assert_eq!(dream["status"], "canceled");
    // Nothing was written: the output store (cloned from the input when the dream started) is
    // archived and holds exactly the input's documents.
    let shas = |memories: &Value| -> Vec<String> {
        memories["data"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| m["content_sha256"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let input = h.get(&format!("/v1/memory_stores/{store}/memories")).await;
    for output in dream["outputs"].as_array().into_iter().flatten() {
        let output_id = output["memory_store_id"].as_str().unwrap_or_default();
        let output_store = h.get(&format!("/v1/memory_stores/{output_id}")).await;
        assert!(output_store["archived_at"].is_string(), "{output_store}");
        let memories = h
            .get(&format!("/v1/memory_stores/{output_id}/memories"))
            .await;
        assert_eq!(shas(&memories), shas(&input));
    }
}

/// Issue 11: a dream that asked for a model whose server never answers fails (with the reason)
/// once the model-pass deadline passes; with `allow_fallback` it completes on the built-in
/// result and its report says the model did not answer.
#[tokio::test]
async fn a_dream_whose_model_never_answers_fails_unless_fallback_is_allowed() {
    let fake = FakeProvider::start().expect("fake provider");
    fake.set_fallback(|_| Reply::Hang);
    for (allow, expected) in [(false, "failed"), (true, "completed")] {
        let h = harness_with(
            &fake,
            1,
            &format!("deadline_seconds = 1\nallow_fallback = {allow}"),
        );
        let _workers = h.start_workers();
        let (store, sessions) = fleet(&h).await;
        let created = h
            .post(
                "/v1/dreams",
                dream_body(&store, &sessions, json!({"id": "openai:qwen2.5-14b"})),
            )
            .await;
        let dream = h.wait_dream(&id(&created)).await;
        assert_eq!(dream["status"], expected, "{dream:#}");
        if allow {
            let report = h.get(&format!("/v1/dreams/{}/report", id(&created))).await;
            let curator = report["curator"].as_str().unwrap_or_default();
            assert!(curator.contains("did not answer"), "{report:#}");
        } else {
            let message = dream["error"]["message"].as_str().unwrap_or_default();
            assert!(message.contains("never answered"), "{dream:#}");
        }
    }
}
