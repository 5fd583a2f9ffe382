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
    for (sessions, seed) in [(40, 1), (40, 2), (60, 5)] {
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

/// The real-transcript corpus (`tests/data/real`, plus the shared Claude Code sessions when
/// present) is dreamed and scored against its hand-written ground truth; the build fails when
/// a total falls below `tests/data/real/floors.toml`, which holds the measured figures.
#[test]
fn real_transcripts_meet_their_floors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let corpus = root.join("tests/data/real");
    let shared = root.join("../shared/data");
    if !shared.join("claude-code").is_dir() {
        // The rest of the corpus is in the repository, so the test still runs without it.
        absent(&format!(
            "{} is absent; the shared Claude Code source is left out",
            shared.join("claude-code").display()
        ));
    }
    let (code, stdout, stderr) = lucid_dev(&[
        "eval",
        "real",
        &corpus.display().to_string(),
        "--shared-data",
        &shared.display().to_string(),
        "--check",
        "-v",
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stderr.contains("all floors"), "{stderr}");
    // The table lists every source and a total.
    assert!(stdout.lines().any(|l| l.starts_with("total")), "{stdout}");
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
