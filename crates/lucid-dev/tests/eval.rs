//! Quality gates through `lucid-dev`: small generated fleets are dreamed and scored in CI, and
//! the build fails when a safety metric is not zero or a behaviour drops below the floor set
//! from measured runs (see BENCHMARKS.md for the measurements the floors come from); the real
//! transcripts meet their floors; the token benchmark meets its goal.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn lucid_dev(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_lucid-dev"))
        .args(args)
        .output()
        .expect("run lucid-dev");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn scorecard(sessions: usize, seed: u64) -> Value {
    let (code, stdout, stderr) = lucid_dev(&[
        "eval",
        "run",
        "--sessions",
        &sessions.to_string(),
        "--seed",
        &seed.to_string(),
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("scorecard JSON")
}

/// Floors, set below the values measured on seeds 0–4 (40 sessions) and seed 0 (100 sessions).
#[test]
fn generated_fleets_meet_the_quality_floors() {
    for (sessions, seed) in [(40, 0), (40, 1), (40, 2), (60, 5)] {
        let card = scorecard(sessions, seed);
        let ctx = format!("{sessions} sessions, seed {seed}: {card:#}");
        assert_eq!(card["poison_kept"], 0, "{ctx}");
        assert_eq!(card["secrets_leaked"], 0, "{ctx}");
        let at_least = |path: &[&str], floor: f64| {
            let mut value = &card;
            for key in path {
                value = &value[*key];
            }
            let got = value.as_f64().unwrap_or(-1.0);
            assert!(got >= floor, "{} = {got} < {floor} ({ctx})", path.join("."));
        };
        at_least(&["duplicates", "f1"], 0.85);
        at_least(&["duplicates", "precision"], 0.95);
        at_least(&["newest_value_accuracy", "value"], 0.95);
        at_least(&["pitfalls", "recall"], 0.9);
        at_least(&["pitfalls", "precision"], 0.9);
        at_least(&["workflow_recall", "value"], 0.9);
        at_least(&["workflow_order", "value"], 1.0);
        at_least(&["preference_recall", "value"], 0.9);
        at_least(&["scope_accuracy", "value"], 0.7);
        let false_retirements = card["false_retirements"]["value"].as_f64().unwrap_or(1.0);
        assert!(
            false_retirements <= 0.02,
            "false retirements {false_retirements} ({ctx})"
        );
        let temporary_kept = card["temporary_kept"]["value"].as_f64().unwrap_or(1.0);
        assert_eq!(
            temporary_kept, 0.0,
            "instructions ignore temporary notes ({ctx})"
        );
    }
}

/// Data or a program a test needs is absent. Under CI (`CI` set) the test fails: a run that
/// passes by skipping proves nothing. Elsewhere it says so on the terminal (written past the
/// test harness's capture, so it shows without --nocapture) and the test returns.
fn absent(what: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set, and {what}: a CI run must not pass by skipping"
    );
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED (not CI): {what}");
}

#[test]
fn locomo_recall_from_a_smaller_store() {
    let data =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/locomo/locomo10.json");
    if !data.is_file() {
        absent(&format!(
            "{} is absent (public evaluation data, beside the repository)",
            data.display()
        ));
        return;
    }
    let (code, stdout, stderr) =
        lucid_dev(&["eval", "locomo", "--data", &data.display().to_string()]);
    assert_eq!(code, 0, "{stderr}");
    let store_line = stdout
        .lines()
        .find(|l| l.starts_with("lucid store"))
        .expect("store row");
    let cells: Vec<&str> = store_line.split_whitespace().collect();
    // "lucid store (BM25 over items)" then n, R@5, R@10, R@50, ms.
    let numbers: Vec<f64> = cells.iter().filter_map(|c| c.parse().ok()).collect();
    let recall_at_10 = numbers.get(2).copied().unwrap_or(0.0);
    assert!(
        recall_at_10 >= 0.675,
        "R@10 {recall_at_10} below the DRAGON figure:\n{stdout}"
    );
    // Item counts say little (a store of long passages is small and recalls much per item):
    // at an equal context budget of whole items, the store must recall at least what the raw
    // turns do within 300 and 600 words. Within 150 words it does not yet (measured 0.487
    // against 0.519), so that column is printed, not asserted.
    let budget_row = |prefix: &str| -> Vec<f64> {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("row {prefix:?}:\n{stdout}"));
        line[prefix.len()..]
            .split_whitespace()
            .filter_map(|c| c.parse().ok())
            .collect()
    };
    // n, then ≤ 150, ≤ 300, ≤ 600 words.
    let store = budget_row("lucid store, whole items");
    let raw = budget_row("raw turns, whole turns");
    for (column, words) in [(2, 300), (3, 600)] {
        assert!(
            store.get(column) >= raw.get(column),
            "within {words} words the store recalls less than the raw turns:\n{stdout}"
        );
    }
}

/// `lucid-dev eval real` over the repository's corpus (with the shared Claude Code source when
/// it is beside the repository), with `extra` arguments.
fn eval_real_corpus(extra: &[&str]) -> (i32, String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let corpus = root.join("tests/data/real").display().to_string();
    let shared = root.join("../shared/data");
    if !shared.join("claude-code").is_dir() {
        // The rest of the corpus is in the repository, so the tests still run without it.
        absent(&format!(
            "{} is absent; the shared Claude Code source is left out",
            shared.join("claude-code").display()
        ));
    }
    let shared = shared.display().to_string();
    let mut args = vec!["eval", "real", &corpus, "--shared-data", &shared];
    args.extend_from_slice(extra);
    lucid_dev(&args)
}

/// The real-transcript corpus (`tests/data/real`, plus the shared Claude Code sessions when
/// present) is dreamed and scored against its hand-written ground truth; the build fails when
/// a total falls below `tests/data/real/floors.toml`, which holds the measured figures.
#[test]
fn real_transcripts_meet_their_floors() {
    let (code, stdout, stderr) = eval_real_corpus(&["--check", "-v"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stderr.contains("all floors"), "{stderr}");
    // The table lists every source and a total.
    assert!(stdout.lines().any(|l| l.starts_with("total")), "{stdout}");
}

/// The engine must let a model that proposes the planted answers reach them: every planted
/// duplicate pair shown together in one unit and merged, outdated items superseded or updated
/// from the statements that outdate them, all through verification (`[reference]` floors).
#[test]
fn reference_answers_reach_the_planted_fates_through_verification() {
    let (code, stdout, stderr) = eval_real_corpus(&["--reference-answers", "--check"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("model pass (reference answers):"),
        "{stdout}"
    );
    // The lessons whose key terms the units show a model are counted, per source and in all.
    assert!(
        stdout.contains("expected lessons whose key terms the model is shown"),
        "{stdout}"
    );
    assert!(stdout.contains("  total: "), "{stdout}");
    // Verification refused none of the planted answers.
    let passes: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("operations accepted"))
        .collect();
    assert!(!passes.is_empty(), "{stdout}");
    assert!(
        passes.iter().all(|l| l.contains(" accepted, 0 rejected,")),
        "{stdout}"
    );
    // It is a scripted model, never mixed up with a real one.
    let (code, _, stderr) =
        eval_real_corpus(&["--reference-answers", "--model", "openai:some-model"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}

/// `lucid eval locomo` exited 0 when its data was missing.
#[test]
fn a_command_missing_its_data_exits_non_zero() {
    let (code, _, stderr) = lucid_dev(&["eval", "locomo", "--data", "no/such/locomo10.json"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("LoCoMo data file no/such/locomo10.json is absent"),
        "{stderr}"
    );
}

/// Per-session digests (issue 10) cost tokens: the goal is at most a fifth of the naive prompt
/// (measured on the fake provider: real HTTP on 127.0.0.1, no network).
#[test]
fn the_token_benchmark_stays_under_a_fifth_of_the_naive_prompt() {
    let (code, stdout, stderr) =
        lucid_dev(&["bench-tokens", "--sessions", "20", "--max-ratio", "0.20"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("naive (every transcript"), "{stdout}");
    assert!(
        stdout.contains("re-run of the same dream (0 requests"),
        "{stdout}"
    );
}

/// A one-source corpus whose only lesson the built-in curator leaves out: a convention the
/// person states once, without a standing marker ("it may be for that task only").
fn one_lesson_corpus(root: &Path) {
    let source = root.join("tracker");
    std::fs::create_dir_all(source.join("sessions")).expect("sessions folder");
    std::fs::create_dir_all(source.join("store")).expect("store folder");
    let record = |n: u32, kind: &str, content: Value| {
        serde_json::json!({
            "type": kind,
            "sessionId": "7bbbbbbb-aaaa-4333-8444-555555555555",
            "cwd": "/home/dev/tracker",
            "uuid": format!("00000000-0000-4000-8000-{n:012}"),
            "timestamp": format!("2026-05-01T10:0{n}:00.000Z"),
            "message": {"role": kind, "content": content},
        })
        .to_string()
    };
    let lines = [
        record(
            1,
            "user",
            Value::from("Track the follow-ups of the release in the issue tracker."),
        ),
        record(
            2,
            "user",
            Value::from("Use plain `bd` commands for the tracker, not the web UI."),
        ),
        record(
            3,
            "assistant",
            serde_json::json!([{"type": "text", "text": "I will file them with bd."}]),
        ),
    ];
    std::fs::write(source.join("sessions/s1.jsonl"), lines.join("\n") + "\n")
        .expect("session file");
    std::fs::write(
        source.join("expected.toml"),
        r#"[source]
harness = "claude_code"
description = "one session, one convention"

[[lesson]]
id = "bd-for-tracker"
kind = "preference"
text = "Use plain `bd` commands for the issue tracker."
evidence = ["sessions/s1.jsonl: line 2"]
terms = [["bd"], ["tracker"]]
"#,
    )
    .expect("expected.toml");
}

/// `eval real --model` scores the model path on the same ground truth: the fake provider (real
/// HTTP on 127.0.0.1) proposes, from the session's digest, the convention the built-in curator
/// skipped, citing the person's event; the engine verifies it and the lesson counts as found.
#[test]
fn eval_real_scores_the_model_pass_too() {
    use lucid_fake_provider::{FakeProvider, Reply};
    let dir = tempfile::tempdir().expect("temp dir");
    one_lesson_corpus(dir.path());
    let corpus = dir.path().to_str().expect("utf-8 path");
    let lessons = |json: &Value| json["total"]["lessons"]["hits"].as_u64();

    let (code, stdout, stderr) = lucid_dev(&["eval", "real", corpus, "--json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let builtin: Value = serde_json::from_str(&stdout).expect("scores JSON");
    assert_eq!(lessons(&builtin), Some(0), "{stdout}");
    assert!(builtin.get("model").is_none(), "{stdout}");

    let fake = FakeProvider::start().expect("the fake provider starts");
    // Answers the unit that shows the person's sentence (an excerpt the built-in pass did not
    // keep, `"id":"e<N>"` before its text) by proposing it as a preference that cites it; other
    // units get no operations.
    fake.set_fallback(|request| {
        let prompt = request.raw.replace("\\\"", "\"");
        let cited = prompt.find("\"text\":\"Use plain `bd`").and_then(|at| {
            let before = &prompt[..at];
            let id_at = before.rfind("\"id\":\"")? + "\"id\":\"".len();
            let id: String = before[id_at..].chars().take_while(|c| *c != '"').collect();
            Some(id)
        });
        match cited {
            Some(id) => Reply::operations(serde_json::json!([{
                "op": "add", "kind": "preference", "scope": "agent",
                "text": "Use plain `bd` commands for the tracker, not the web UI.",
                "evidence_ids": [id],
            }])),
            None => Reply::operations(serde_json::json!([])),
        }
    });
    let base_url = fake.openai_base_url();
    let with_fake_model = |extra: &[&str]| {
        let mut args = vec![
            "eval",
            "real",
            corpus,
            "--model",
            "openai:fake-model",
            "--base-url",
            &base_url,
            "--no-cache",
        ];
        args.extend_from_slice(extra);
        lucid_dev(&args)
    };
    let (code, stdout, stderr) = with_fake_model(&["--json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let with_model: Value = serde_json::from_str(&stdout).expect("scores JSON");
    assert_eq!(lessons(&with_model), Some(1), "{stdout}");
    let pass = &with_model["model"]["passes"][0];
    assert_eq!(pass["source"], "tracker", "{stdout}");
    assert_eq!(pass["accepted"], 1, "{stdout}");
    // The excerpt carries the built-in pass's reason for leaving it out.
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.raw.replace("\\\"", "\"").contains(
                "\"skipped\":\"an instruction said in one session without a standing marker"
            )),
        "{:?}",
        fake.requests().iter().map(|r| &r.raw).collect::<Vec<_>>()
    );

    // The table says what the pass did, per source.
    let (code, stdout, stderr) = with_fake_model(&[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("model pass (openai:fake-model):"),
        "{stdout}"
    );
    assert!(stdout.contains("tracker: "), "{stdout}");
    assert!(stdout.contains("1 operations accepted"), "{stdout}");
}

/// A model name lucid cannot use is refused before anything is dreamed.
#[test]
fn eval_real_refuses_an_unknown_model() {
    let dir = tempfile::tempdir().expect("temp dir");
    one_lesson_corpus(dir.path());
    let corpus = dir.path().to_str().expect("utf-8 path");
    let (code, stdout, stderr) = lucid_dev(&["eval", "real", corpus, "--model", "nonsense"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("error:"), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
}
