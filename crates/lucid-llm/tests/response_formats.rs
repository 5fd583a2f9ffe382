//! Servers that refuse lucid's first response format (real HTTP on 127.0.0.1, the fake
//! provider refusing as llama-cpp-python's server does), and a model's word that is not enough
//! to drop a valid fact.

mod common;

use std::sync::{Arc, Mutex};

use common::{Fixture, curator, draft_text, fixture, fixture_with_store, memory_cache, session};
use lucid_fake_provider::{FakeProvider, Formats, Reply, Rule};
use lucid_llm::{CancelFlag, ModelCurator, NoCache, Refined, ResponseFormat, Wire, ops};
use serde_json::json;

/// Work units of the common fixture (see tests/model_pass.rs).
const UNITS: usize = 4;

fn fake(formats: Formats) -> FakeProvider {
    let fake = FakeProvider::start().expect("the fake provider starts");
    fake.set_formats(formats);
    fake
}

/// Refines the fixture, keeping what the pass narrated.
fn refine_narrated(curator: &ModelCurator, fixture: &Fixture) -> (Refined, String) {
    let lines = Mutex::new(Vec::<String>::new());
    let refined = lucid_llm::refine_blocking(
        curator,
        fixture.output.clone(),
        &fixture.digests,
        None,
        &CancelFlag::new(),
        &|line| {
            lines
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(line.to_string())
        },
    )
    .expect("not canceled");
    let narration = lines.into_inner().unwrap_or_default().join("\n");
    (refined, narration)
}

fn format_of(body: &serde_json::Value) -> &str {
    body.pointer("/response_format/type")
        .and_then(|v| v.as_str())
        .unwrap_or("none")
}

#[test]
fn a_server_that_refuses_json_schema_is_asked_for_json_object_for_the_rest_of_the_dream() {
    let fake = fake(Formats::LlamaCppPython);
    let fixture = fixture();
    assert_eq!(fixture.plan.units.len(), UNITS);
    let (_, first) = fixture.find("Don't ever ship");
    let (_, second) = fixture.find("Under no circumstances");
    fake.script(Rule::when(
        "Don't ever ship",
        Reply::operations(json!([
            {"op": "merge", "item_ids": [first, second], "text": "Never ship queries that use SELECT *."}
        ])),
    ));
    let cache = memory_cache();
    // Several requests at once: only one of them may pay the refused attempt.
    let mut curator = curator(&fake, Wire::Openai, cache.clone());
    curator.settings.concurrency = 4;
    let (refined, narration) = refine_narrated(&curator, &fixture);

    let requests = fake.requests();
    let sent: Vec<(&str, u16)> = requests
        .iter()
        .map(|r| (format_of(&r.body), r.status))
        .collect();
    assert_eq!(sent.len(), UNITS + 1, "{sent:?}");
    assert_eq!(sent[0], ("json_schema", 500), "{sent:?}");
    assert!(
        sent[1..].iter().all(|s| *s == ("json_object", 200)),
        "{sent:?}"
    );
    // The json_object form carries the same schema the json_schema form did.
    assert_eq!(
        requests[1].body["response_format"]["schema"],
        ops::answer_schema()
    );
    assert_eq!(
        requests[1].body["messages"], requests[0].body["messages"],
        "only the response format changes"
    );

    // The refusal was not retried as a server error, and the answers were used.
    assert!(refined.stats.retry_waits.is_empty());
    assert_eq!(refined.stats.failed, 0);
    assert_eq!(refined.stats.format_rejections, 1);
    assert_eq!(
        refined.stats.response_format,
        Some(ResponseFormat::JsonObject)
    );
    let report = &refined.output.report;
    assert_eq!(report.curator, "openai:test-model");
    assert!(
        draft_text(&refined.output).contains("- Never ship queries that use SELECT *."),
        "{}",
        draft_text(&refined.output)
    );

    // The report and the narration say which form was used.
    let pass = report.model_pass.as_ref().expect("a model pass summary");
    assert_eq!(pass.response_format.as_deref(), Some("json_object"));
    assert_eq!(pass.status, "complete");
    assert_eq!(pass.requests, UNITS + 1);
    assert_eq!(pass.answers, UNITS);
    assert_eq!(pass.format_rejections, 1);
    assert_eq!(pass.verified, 1);
    assert_eq!(pass.rejected, 0);
    assert!(pass.latency_ms_max >= pass.latency_ms_mean);
    let notes = report.notes.join("\n");
    assert!(
        notes.contains("refused 1 request for their response format")
            && notes.contains("(json_object)"),
        "{notes}"
    );
    assert!(
        narration.contains("refused the json_schema response format (HTTP 500")
            && narration.contains("Input should be 'text' or 'json_object'")
            && narration.contains("accepts the json_object response format with the schema"),
        "{narration}"
    );

    // A re-run is answered from the cache, whatever form the answers came in.
    fake.clear_requests();
    let (again, _) = refine_narrated(&curator, &fixture);
    assert_eq!(fake.request_count(), 0);
    assert_eq!(again.stats.cached, UNITS);
    assert_eq!(again.output.draft, refined.output.draft);
}

#[test]
fn a_server_without_response_formats_gets_the_schema_in_the_prompt() {
    let fake = fake(Formats::NoResponseFormat);
    let fixture = fixture();
    let mut curator = curator(&fake, Wire::Openai, Arc::new(NoCache));
    curator.settings.concurrency = 3;
    let (refined, narration) = refine_narrated(&curator, &fixture);
    let requests = fake.requests();
    let sent: Vec<(&str, u16)> = requests
        .iter()
        .map(|r| (format_of(&r.body), r.status))
        .collect();
    assert_eq!(
        sent[..2],
        [("json_schema", 400), ("json_object", 400)],
        "{sent:?}"
    );
    assert_eq!(sent.len(), UNITS + 2, "{sent:?}");
    assert!(sent[2..].iter().all(|s| *s == ("none", 200)), "{sent:?}");
    let system = requests[2].body["messages"][0]["content"]
        .as_str()
        .unwrap_or_default();
    assert!(
        system.contains("valid against this JSON schema")
            && system.contains(&ops::answer_schema().to_string()),
        "{system}"
    );
    assert_eq!(refined.stats.failed, 0);
    let pass = refined
        .output
        .report
        .model_pass
        .as_ref()
        .expect("a summary");
    assert_eq!(pass.response_format.as_deref(), Some("prompt"));
    assert_eq!(pass.format_rejections, 2);
    assert!(
        narration.contains("accepts plain JSON with the schema in the prompt"),
        "{narration}"
    );
}

#[test]
fn a_server_that_takes_json_schema_is_asked_once_per_unit() {
    let fake = fake(Formats::All);
    let fixture = fixture();
    let (refined, narration) =
        refine_narrated(&curator(&fake, Wire::Openai, Arc::new(NoCache)), &fixture);
    assert_eq!(fake.request_count(), UNITS);
    assert!(
        fake.requests()
            .iter()
            .all(|r| format_of(&r.body) == "json_schema")
    );
    let report = &refined.output.report;
    let pass = report.model_pass.as_ref().expect("a summary");
    assert_eq!(pass.response_format.as_deref(), Some("json_schema"));
    assert_eq!((pass.requests, pass.format_rejections), (UNITS, 0));
    assert!(!report.notes.join("\n").contains("response format"));
    assert!(
        narration.contains("(the json_schema response format)"),
        "{narration}"
    );
}

/// The example fleet's infrastructure document, as a store of its own.
const INFRA: &str = include_str!("../../../examples/fleet/memory/infra.md");

#[test]
fn a_models_drop_of_a_valid_fact_without_a_ground_is_not_applied() {
    let sessions = [session(
        "s1",
        "coder",
        10,
        &["FYI the staging database host is db-2.internal now."],
    )];
    let fixture = fixture_with_store("/infra.md", INFRA, &sessions);
    let (unit, prod) = fixture.find("The production database host is db-3.internal");
    // The unit also holds a newer item about another host: newer, but no contradiction.
    assert!(
        unit.items
            .iter()
            .any(|i| i.text.contains("staging database host is db-2"))
    );
    for wire in [Wire::Anthropic, Wire::Openai] {
        let fake = fake(Formats::All);
        fake.script(Rule::when(
            "db-3.internal",
            Reply::operations(json!([
                {"op": "drop", "item_id": prod, "reason": "outdated: the database host changed"}
            ])),
        ));
        let (refined, _) = refine_narrated(&curator(&fake, wire, Arc::new(NoCache)), &fixture);
        let report = &refined.output.report;
        assert!(
            draft_text(&refined.output).contains("The production database host is db-3.internal"),
            "{wire:?}: {}",
            draft_text(&refined.output)
        );
        let rejected = report
            .rejected
            .iter()
            .find(|r| r.operation["op"] == "drop")
            .expect("the drop is rejected");
        assert!(
            rejected
                .reason
                .contains("a drop needs a ground the engine can check"),
            "{}",
            rejected.reason
        );
        assert!(
            !report
                .changes
                .iter()
                .any(|c| c.text.contains("db-3.internal") && c.op == lucid_core::report::Op::Remove),
            "{:#?}",
            report.changes
        );
        let pass = report.model_pass.as_ref().expect("a summary");
        assert_eq!((pass.verified, pass.rejected), (0, 1), "{wire:?}");
        assert_eq!(refined.output.draft, fixture.output.draft);
    }
}

#[test]
fn a_refusal_stands_when_the_probe_then_fails_for_another_reason() {
    let fake = fake(Formats::LlamaCppPython);
    let fixture = fixture();
    // The first unit's json_object attempt meets a server error on every retry.
    fake.script(
        Rule {
            when: None,
            wire: None,
            reply: Reply::Error {
                status: 503,
                headers: Vec::new(),
                body: "busy".into(),
            },
            times: None,
        }
        .times(3),
    );
    let mut curator = curator(&fake, Wire::Openai, Arc::new(NoCache));
    curator.settings.concurrency = 1;
    let (refined, _) = refine_narrated(&curator, &fixture);
    let sent: Vec<(String, u16)> = fake
        .requests()
        .iter()
        .map(|r| (format_of(&r.body).to_string(), r.status))
        .collect();
    // json_schema is not asked again for the next units: the refusal was remembered.
    let mut expected = vec![("json_schema".to_string(), 500)];
    expected.extend((0..3).map(|_| ("json_object".to_string(), 503)));
    expected.extend((1..UNITS).map(|_| ("json_object".to_string(), 200)));
    assert_eq!(sent, expected);
    assert_eq!(refined.stats.failed, 1);
    assert_eq!(refined.stats.format_rejections, 1);
    let pass = refined
        .output
        .report
        .model_pass
        .as_ref()
        .expect("a summary");
    assert_eq!(pass.status, "partial");
    assert_eq!(pass.response_format.as_deref(), Some("json_object"));
    assert_eq!(
        (pass.requests, pass.answers, pass.retries),
        (UNITS + 3, UNITS - 1, 2)
    );
}
