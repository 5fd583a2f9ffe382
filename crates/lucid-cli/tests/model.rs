//! `lucid dream --model …` against the fake provider (real HTTP on
//! 127.0.0.1, no network): the model pass runs, usage is the provider's, a re-run is answered
//! from the cache, bad model selections are refused before any work.

mod support;

use std::path::Path;

use lucid_fake_provider::{FakeProvider, Reply};
use serde_json::{Value, json};
use support::{Ran, dream};

/// `lucid dream` of the example fleet in `dir` into `NAME.draft` with `NAME.json`, the `model`
/// arguments and `envs` added; the report read back (`null` when none was written).
fn run_dream(dir: &Path, name: &str, model: &[&str], envs: &[(&str, &str)]) -> (Ran, Value) {
    let report = dir.join(format!("{name}.json"));
    let mut run = dream(dir)
        .example_fleet()
        .out(dir.join(format!("{name}.draft")))
        .report(&report)
        .args(model.iter().copied());
    for (name, value) in envs {
        run = run.env(name, value);
    }
    let output = run.run();
    let report = std::fs::read_to_string(&report)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(Value::Null);
    (output, report)
}

fn usage_of(fake: &FakeProvider) -> Value {
    let total = fake.total_usage();
    json!({
        "input_tokens": total.input_tokens,
        "output_tokens": total.output_tokens,
        "cache_read_input_tokens": total.cache_read_input_tokens,
        "cache_creation_input_tokens": total.cache_creation_input_tokens,
    })
}

#[test]
fn a_dream_with_a_model_reports_the_providers_usage_and_reruns_from_the_cache() {
    let fake = FakeProvider::start().expect("fake provider");
    // Every answer keeps item i1: well-formed, and it changes nothing.
    fake.set_fallback(|_| Reply::operations(json!([{"op": "keep", "item_id": "i1"}])));
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = dir.path().join("cache");
    let url = fake.url();
    let envs = [
        ("ANTHROPIC_API_KEY", "test-key"),
        ("LUCID_CACHE_DIR", cache.to_str().expect("utf-8")),
    ];
    let model = [
        "--model",
        "anthropic:claude-test",
        "--base-url",
        url.as_str(),
    ];
    let (first, report) = run_dream(dir.path(), "first", &model, &envs);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    assert_eq!(report["curator"], "anthropic:claude-test");
    let requests = fake.request_count();
    assert!(requests >= 1, "the example fleet has work units");
    assert_eq!(report["usage"], usage_of(&fake));
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("model pass with anthropic:claude-test"),
        "{notes}"
    );
    let stderr = first.stderr;
    assert!(stderr.contains("anthropic:claude-test:"), "{stderr}");
    assert!(
        fake.requests()[0]
            .headers
            .get("x-api-key")
            .map(String::as_str)
            == Some("test-key")
    );

    // The same dream again: every unit from the cache, no request, no tokens.
    let (second, again) = run_dream(dir.path(), "second", &model, &envs);
    assert_eq!(second.code, Some(0), "{}", second.stderr);
    assert_eq!(
        fake.request_count(),
        requests,
        "a cache hit sends no request"
    );
    assert_eq!(
        again["usage"],
        json!({"input_tokens": 0, "output_tokens": 0, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0})
    );
    assert_eq!(again["changes"], report["changes"]);

    // --no-cache sends again; the built-in curator (no --model) sends nothing.
    let mut uncached = model.to_vec();
    uncached.push("--no-cache");
    let (third, _) = run_dream(dir.path(), "third", &uncached, &envs);
    assert_eq!(third.code, Some(0), "{}", third.stderr);
    assert_eq!(fake.request_count(), 2 * requests);
    let (builtin, plain) = run_dream(dir.path(), "builtin", &[], &envs);
    assert_eq!(builtin.code, Some(0), "{}", builtin.stderr);
    assert_eq!(plain["curator"], "builtin");
    assert_eq!(fake.request_count(), 2 * requests);
}

#[test]
fn openai_compatible_servers_need_no_key() {
    let fake = FakeProvider::start().expect("fake provider");
    let dir = tempfile::tempdir().expect("temp dir");
    let base = fake.openai_base_url();
    let model = [
        "--model",
        "openai:qwen2.5-14b",
        "--base-url",
        base.as_str(),
        "--no-cache",
        "--concurrency",
        "1",
    ];
    let (output, report) = run_dream(dir.path(), "openai", &model, &[]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    assert_eq!(report["curator"], "openai:qwen2.5-14b");
    assert!(fake.request_count() >= 1);
    assert!(!fake.requests()[0].headers.contains_key("authorization"));
    assert_eq!(report["usage"], usage_of(&fake));
}

#[test]
fn a_token_budget_of_zero_keeps_the_builtin_decision_and_says_so() {
    let fake = FakeProvider::start().expect("fake provider");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = fake.url();
    let model = [
        "--model",
        "anthropic:claude-test",
        "--base-url",
        url.as_str(),
        "--token-budget",
        "0",
        "--no-cache",
    ];
    let (output, report) = run_dream(dir.path(), "budget", &model, &[("ANTHROPIC_API_KEY", "k")]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    assert_eq!(fake.request_count(), 0);
    assert!(
        report["notes"]
            .to_string()
            .contains("token budget of 0 tokens reached"),
        "{}",
        report["notes"]
    );
}

#[test]
fn bad_model_selections_are_refused_before_any_work() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (model, envs, message) in [
        (
            vec!["--model", "anthropic:claude-sonnet-4-6"],
            vec![],
            "ANTHROPIC_API_KEY is not set",
        ),
        (
            vec!["--model", "gemini-pro"],
            vec![("ANTHROPIC_API_KEY", "k")],
            "unknown model \"gemini-pro\"",
        ),
    ] {
        let (output, _) = run_dream(dir.path(), "refused", &model, &envs);
        assert_eq!(output.code, Some(2));
        let stderr = output.stderr;
        assert!(stderr.contains(message), "{stderr}");
        assert!(!dir.path().join("refused.draft").exists());
    }
    // A model named in the config file.
    let config = dir.path().join("lucid.toml");
    std::fs::write(
        &config,
        "[models.local]\nprovider = \"openai\"\nmodel = \"llama3\"\nbase_url = \"http://127.0.0.1:9/v1\"\n\n[llm]\ntoken_budget = 0\n",
    )
    .expect("write config");
    let config = config.display().to_string();
    let (output, report) = run_dream(
        dir.path(),
        "configured",
        &[
            "--model",
            "local",
            "--config",
            config.as_str(),
            "--no-cache",
        ],
        &[],
    );
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    assert_eq!(report["curator"], "openai:llama3");
}

/// Issue 11: a model server that accepts connections and never answers. The dream ends within
/// the model-pass deadline (not after minutes of silent retries), says on stderr what it is
/// waiting for and that the model did not answer, and the report's `curator` says the model
/// pass failed; with `--require-model` the dream fails (exit 1) and writes no draft.
#[test]
fn a_model_that_never_answers_is_reported_as_such() {
    use lucid_fake_provider::{Reply, Rule};
    let fake = FakeProvider::start().expect("fake provider");
    fake.script(Rule::when("", Reply::Hang));
    let dir = tempfile::tempdir().expect("temp dir");
    let base = fake.openai_base_url();
    let model = [
        "--model",
        "openai:qwen",
        "--base-url",
        base.as_str(),
        "--no-cache",
        "--model-timeout",
        "2",
    ];
    let started = std::time::Instant::now();
    let (output, report) = run_dream(dir.path(), "hang", &model, &[]);
    let stderr = output.stderr;
    assert_eq!(output.code, Some(0), "{stderr}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    let curator = report["curator"].as_str().unwrap_or("");
    assert!(
        curator.starts_with("builtin (openai:qwen did not answer")
            && curator.contains("timed out after 2 s"),
        "{curator}"
    );
    assert!(stderr.contains("did not answer"), "{stderr}");
    assert!(
        dir.path().join("hang.draft").is_dir(),
        "the built-in draft is kept"
    );

    let mut required = model.to_vec();
    required.push("--require-model");
    let (output, report) = run_dream(dir.path(), "required", &required, &[]);
    assert_eq!(output.code, Some(1), "{}", output.stderr);
    assert_eq!(report["status"], "failed");
    assert!(
        report["error"]
            .as_str()
            .unwrap_or("")
            .contains("never answered"),
        "{report}"
    );
    assert!(
        !dir.path().join("required.draft").exists(),
        "no draft without the model"
    );
}
