//! Snapshot tests of what is sent to providers: a prompt or schema change shows up in review.
//! `UPDATE_EXPECT=1 cargo test -p lucid-llm --test request_bodies` rewrites the expected files.

mod common;

use std::path::PathBuf;

use lucid_llm::{Wire, prompt};
use serde_json::Value;

fn check(name: &str, actual: &Value) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expected")
        .join(name);
    let rendered = format!(
        "{}\n",
        serde_json::to_string_pretty(actual).expect("serialises")
    );
    expect_test::expect_file![path].assert_eq(&rendered);
}

#[test]
fn request_bodies_match_their_snapshots() {
    let fixture = common::fixture();
    let (unit, _) = fixture.find("Don't ever ship");
    let instructions = Some("Focus on SQL conventions; ignore one-off debugging notes.");
    let anthropic = prompt::request_body(
        Wire::Anthropic,
        "claude-sonnet-4-6",
        unit,
        instructions,
        1024,
    );
    check("anthropic_request.json", &anthropic);
    let openai = prompt::request_body(
        Wire::Openai,
        "qwen2.5-14b-instruct",
        unit,
        instructions,
        1024,
    );
    check("openai_request.json", &openai);

    // What the snapshots must keep, whatever the wording.
    assert_eq!(anthropic["tool_choice"]["type"], "tool");
    assert_eq!(
        anthropic["tool_choice"]["name"],
        anthropic["tools"][0]["name"]
    );
    let system = anthropic["system"].as_array().expect("system blocks");
    assert!(
        system
            .iter()
            .all(|b| b["cache_control"]["type"] == "ephemeral")
    );
    assert_eq!(openai["response_format"]["type"], "json_schema");
    assert_eq!(openai["response_format"]["json_schema"]["strict"], true);
    assert_eq!(
        openai["response_format"]["json_schema"]["schema"],
        anthropic["tools"][0]["input_schema"]
    );
    // The model sees the unit, never a transcript or a path.
    let user = anthropic["messages"][0]["content"].as_str().expect("text");
    assert_eq!(user, unit.prompt());
    assert!(!user.contains("/agents/") && !user.contains("\"session\""));
}

#[test]
fn a_session_unit_request_body_matches_its_snapshot() {
    let fixture = common::lesson_fixture();
    let (unit, _) = fixture.find_event("Load the March export");
    let anthropic = prompt::request_body(Wire::Anthropic, "claude-sonnet-4-6", unit, None, 1024);
    check("anthropic_session_request.json", &anthropic);
    // The session digest is the user message; the system prompt and tool are the same as for
    // item units (one cached prefix for every request of a dream).
    let user = anthropic["messages"][0]["content"].as_str().expect("text");
    assert_eq!(user, unit.prompt());
    assert!(user.starts_with("## Session 1: agent "), "{user}");
    let item_unit = prompt::request_body(
        Wire::Anthropic,
        "claude-sonnet-4-6",
        fixture.find("Don't ever ship").0,
        None,
        1024,
    );
    assert_eq!(anthropic["system"], item_unit["system"]);
    assert_eq!(anthropic["tools"], item_unit["tools"]);
}

#[test]
fn units_render_the_same_bytes_in_every_run() {
    let a = common::fixture();
    let b = common::fixture();
    let ids = |f: &common::Fixture| {
        f.plan
            .units
            .iter()
            .map(|u| (u.id.clone(), u.prompt()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&a), ids(&b));
}
