//! `lucid dream --estimate` (issue 14 §3): what a dream over folders would read and cost,
//! printed without running it. The figures are checked against a real run of the same dream
//! and against the fake model provider, which must receive no request.

mod support;

use serde_json::Value;
use support::{Dream, dream, repo};

/// `lucid dream` over the example fleet, run from the repository's root.
fn fleet() -> Dream {
    dream(&repo()).example_fleet()
}

#[test]
fn the_estimate_counts_what_the_dream_reads_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("draft");
    let report = dir.path().join("dream.json");

    let estimated = fleet().out(&out).args(["--estimate", "--json"]).run();
    assert_eq!(estimated.code, Some(0), "{estimated:?}");
    assert!(!out.exists(), "an estimate writes no draft");
    let estimate = estimated.json();

    // The same dream, run: it reads what the estimate said it would.
    let ran = fleet().out(&out).report(&report).run();
    assert_eq!(ran.code, Some(0), "{ran:?}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("json");
    let stats = &report["stats"];
    assert_eq!(estimate["sessions_read"], stats["sessions_read"]);
    assert_eq!(estimate["events"], stats["events_read"]);
    assert_eq!(estimate["store_documents"], stats["input_documents"]);
    assert_eq!(estimate["curator"], "builtin");
    assert_eq!(estimate["estimated_cost_usd"], 0.0);
    assert_eq!(estimate["refusals"], serde_json::json!([]));

    // The text says the same, and --out is not needed.
    let text = fleet().args(["--estimate"]).run().stdout;
    for line in [
        format!(
            "sessions: {} found, {} would be read, 0 skipped",
            estimate["sessions"], estimate["sessions_read"]
        ),
        format!("events: {}", estimate["events"]),
        "would run: yes".to_string(),
    ] {
        assert!(text.contains(&line), "{line:?} in:\n{text}");
    }
}

#[test]
fn a_model_estimate_prices_the_work_units_and_sends_nothing() {
    let fake = lucid_fake_provider::FakeProvider::start().expect("fake provider");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("lucid.toml");
    std::fs::write(
        &config,
        format!(
            "[models.local]\nprovider = \"openai\"\nmodel = \"qwen\"\nbase_url = \"{}\"\n\n\
             [prices.qwen]\ninput = 2.0\noutput = 8.0\n",
            fake.openai_base_url()
        ),
    )
    .expect("config");
    let output = fleet()
        .config(&config)
        .args(["--estimate", "--json", "--model", "local", "--no-cache"])
        .run();
    assert_eq!(output.code, Some(0), "{output:?}");
    let estimate = output.json();
    let pass = &estimate["model_pass"];
    let requests = pass["requests"].as_u64().expect("requests");
    assert!(requests > 0, "{estimate}");
    let (input, output_tokens) = (
        pass["input_tokens"].as_u64().expect("input"),
        pass["output_tokens"].as_u64().expect("output"),
    );
    assert!(input > 0);
    assert_eq!(
        output_tokens,
        requests * 1024,
        "the output limit per request"
    );
    let cost = estimate["estimated_cost_usd"].as_f64().expect("cost");
    let expected = (input as f64 * 2.0 + output_tokens as f64 * 8.0) / 1_000_000.0;
    assert!((cost - expected).abs() < 1e-9, "{cost} vs {expected}");
    assert_eq!(fake.request_count(), 0, "an estimate calls no model");

    let text = fleet()
        .config(&config)
        .args(["--estimate", "--model", "local", "--no-cache"])
        .run()
        .stdout;
    assert!(
        text.contains(&format!("estimated cost: at most ${cost:.4}")),
        "{text}"
    );
    assert!(text.contains(&format!("{requests} requests")), "{text}");
}

#[test]
fn the_limits_that_would_refuse_the_dream_are_named() {
    let long = "x".repeat(5_000);
    let output = fleet()
        .instructions(&long)
        .args(["--estimate", "--max-sessions", "2"])
        .run();
    assert_eq!(output.code, Some(2), "{output:?}");
    let text = &output.stdout;
    assert!(text.contains("would be refused:"), "{text}");
    assert!(
        text.contains("max_sessions: 6 sessions given; the limit is 2 per dream"),
        "{text}"
    );
    assert!(text.contains("instructions: "), "{text}");
}
