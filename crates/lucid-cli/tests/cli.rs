//! The `lucid dream` command-line contract: limits, refusals, atomic output, an untouched input
//! store, and the real Claude Code transcripts.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{dream, lucid, repo};

fn example_store() -> String {
    repo().join("examples/fleet/memory").display().to_string()
}

fn example_sessions() -> String {
    repo().join("examples/fleet/sessions").display().to_string()
}

/// Every file under a folder with its bytes, for before/after comparisons.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).expect("read")));
            }
        }
    }
    out.sort();
    out
}

/// A folder of `n` tiny valid transcripts.
fn many_sessions(dir: &Path, n: usize) -> PathBuf {
    let sessions = dir.join("sessions/agent");
    std::fs::create_dir_all(&sessions).expect("mkdir");
    for i in 0..n {
        std::fs::write(
            sessions.join(format!("s{i:03}.json")),
            format!(
                r#"{{"messages":[{{"role":"user","content":"Always reply in English ({i})."}}]}}"#
            ),
        )
        .expect("write");
    }
    dir.join("sessions")
}

#[test]
fn more_sessions_than_the_limit_is_refused_and_writes_nothing() {
    let work = tempfile::tempdir().expect("tempdir");
    let sessions = many_sessions(work.path(), 101);
    let out = work.path().join("draft");
    let result = dream(work.path())
        .sessions(&sessions)
        .out("draft")
        .report("r.json")
        .run();
    assert_eq!(result.code, Some(2), "{}", result.stderr);
    assert!(
        result.stderr.contains("100"),
        "names the limit: {}",
        result.stderr
    );
    assert!(
        !out.exists() && !work.path().join("r.json").exists(),
        "a refused dream writes nothing"
    );
    // Raising the limit lets it run.
    let result = dream(work.path())
        .sessions(&sessions)
        .out("draft")
        .args(["--max-sessions", "200"])
        .run();
    assert_eq!(result.code, Some(0), "{}", result.stderr);
    assert!(out.is_dir());
}

/// One aider chat history holds every run of aider in a repository, each a session: a dream
/// within its file limit may still hold more sessions than its limit, and reads the newest.
#[test]
fn the_runs_of_an_aider_history_count_towards_the_session_limit() {
    let work = tempfile::tempdir().expect("tempdir");
    let history = repo().join("tests/data/fleets/aider-runs/sessions");
    let result = dream(work.path())
        .sessions(&history)
        .out("draft")
        .report("r.json")
        .args(["--max-sessions", "2"])
        .run();
    assert_eq!(result.code, Some(0), "{}", result.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(work.path().join("r.json")).expect("report"))
            .expect("json");
    assert_eq!(report["stats"]["sessions_read"], 2, "{report}");
    let skipped = report["stats"]["sessions_skipped"]
        .as_array()
        .expect("skipped");
    assert_eq!(skipped.len(), 1, "{report}");
    let skip = &skipped[0];
    // The oldest run is the one left out, and the report says which and why.
    assert!(
        skip["path"]
            .as_str()
            .is_some_and(|path| path.contains("@2025-03-03T09:12:40")),
        "{skip}"
    );
    assert!(
        skip["reason"]
            .as_str()
            .is_some_and(|why| why.contains("limit of 2 sessions")),
        "{skip}"
    );
}

#[test]
fn instructions_over_the_limit_are_refused() {
    let work = tempfile::tempdir().expect("tempdir");
    let long = "x".repeat(4_097);
    let result = dream(work.path())
        .example_fleet()
        .out("draft")
        .instructions(&long)
        .run();
    assert_eq!(result.code, Some(2));
    assert!(result.stderr.contains("4096"), "{}", result.stderr);
    assert!(!work.path().join("draft").exists());
    // Exactly at the limit is fine (4,096 characters, some multi-byte).
    let at_limit = "é".repeat(4_096);
    let result = dream(work.path())
        .example_fleet()
        .out("draft")
        .instructions(&at_limit)
        .run();
    assert_eq!(result.code, Some(0), "{}", result.stderr);
    // A file at the limit with the line break an editor ends it with is at the limit too.
    let file = work.path().join("instructions.txt");
    std::fs::write(&file, format!("{}\n", "x".repeat(4_096))).expect("write instructions");
    let from_file = dream(work.path())
        .example_fleet()
        .out("draft-file")
        .args([std::ffi::OsString::from("--instructions-file"), file.into()])
        .run();
    assert_eq!(from_file.code, Some(0), "{}", from_file.stderr);
    // Instructions the rules find no directive in are said to have changed nothing; ones they
    // read are not.
    assert!(
        result.stderr.contains("no focus or ignore directive"),
        "{}",
        result.stderr
    );
    let read = dream(work.path())
        .example_fleet()
        .out("draft-read")
        .instructions("Zero in on tool quirks.")
        .run();
    assert_eq!(read.code, Some(0), "{}", read.stderr);
    assert!(
        !read.stderr.contains("no focus or ignore directive"),
        "{}",
        read.stderr
    );
}

#[test]
fn unreadable_store_and_bad_outputs_are_refused() {
    let work = tempfile::tempdir().expect("tempdir");
    let missing = dream(work.path())
        .store("no-such-store")
        .example_sessions()
        .out("draft")
        .run();
    assert_eq!(missing.code, Some(2));
    assert!(
        missing.stderr.contains("no-such-store"),
        "{}",
        missing.stderr
    );

    let store = work.path().join("store");
    std::fs::create_dir(&store).expect("mkdir");
    std::fs::write(store.join("a.md"), "- keep me\n").expect("write");
    let into_store = dream(work.path())
        .store("store")
        .example_sessions()
        .out("store")
        .run();
    assert_eq!(into_store.code, Some(2));
    let inside_store = dream(work.path())
        .store("store")
        .example_sessions()
        .out("store/draft")
        .run();
    assert_eq!(inside_store.code, Some(2));
    assert!(!store.join("draft").exists());

    std::fs::create_dir(work.path().join("full")).expect("mkdir");
    std::fs::write(work.path().join("full/x"), "x").expect("write");
    let not_empty = dream(work.path())
        .store("store")
        .example_sessions()
        .out("full")
        .run();
    assert_eq!(not_empty.code, Some(2));
    assert!(
        not_empty.stderr.contains("not empty"),
        "{}",
        not_empty.stderr
    );

    let no_sessions = dream(work.path())
        .store("store")
        .sessions("nowhere")
        .out("d")
        .run();
    assert_eq!(no_sessions.code, Some(2));
}

#[test]
fn the_input_store_is_never_modified_and_output_is_deterministic() {
    let work = tempfile::tempdir().expect("tempdir");
    let store = work.path().join("store");
    let copy = Command::new("cp")
        .args(["-r", &example_store(), &store.display().to_string()])
        .status()
        .expect("cp");
    assert!(copy.success());
    let before = snapshot(&store);
    let run = |out: &str| {
        let result = dream(work.path())
            .store("store")
            .example_sessions()
            .out(out)
            .report(format!("{out}.json"))
            .run();
        assert_eq!(result.code, Some(0), "{}", result.stderr);
    };
    run("a");
    run("b");
    assert_eq!(snapshot(&store), before, "the input store changed");
    let strip = |dir: &str| -> Vec<(String, Vec<u8>)> {
        snapshot(&work.path().join(dir))
            .into_iter()
            .map(|(p, b)| {
                (
                    p.strip_prefix(work.path().join(dir))
                        .expect("prefix")
                        .display()
                        .to_string(),
                    b,
                )
            })
            .collect()
    };
    assert_eq!(
        strip("a"),
        strip("b"),
        "drafts differ between identical runs"
    );
    assert_eq!(
        std::fs::read(work.path().join("a.json")).expect("report a"),
        std::fs::read(work.path().join("b.json")).expect("report b"),
        "reports differ between identical runs"
    );
    // No staging folder is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(work.path())
        .expect("read")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("lucid-tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_dream_with_no_usable_session_fails_with_a_report() {
    let work = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(work.path().join("t")).expect("mkdir");
    std::fs::write(work.path().join("t/bad.jsonl"), "not json\n").expect("write");
    let result = dream(work.path())
        .sessions("t")
        .out("d")
        .report("r.json")
        .run();
    assert_eq!(result.code, Some(1), "{}", result.stderr);
    assert!(!work.path().join("d").exists());
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(work.path().join("r.json")).expect("report"))
            .expect("json");
    assert_eq!(report["status"], "failed");
    assert_eq!(
        report["stats"]["sessions_skipped"][0]["path"],
        "t/bad.jsonl"
    );
    assert!(result.stderr.contains("bad.jsonl"));
}

#[test]
fn the_summary_and_json_outputs() {
    let work = tempfile::tempdir().expect("tempdir");
    let summary = dream(work.path()).example_fleet().out("d").run();
    let text = &summary.stdout;
    assert!(
        text.contains("changes by op") && text.contains("draft:"),
        "{text}"
    );
    let json = dream(work.path())
        .example_fleet()
        .out("e")
        .args(["--json"])
        .run();
    let report = json.json();
    assert_eq!(report["status"], "completed");
    assert_eq!(report["usage"]["input_tokens"], 0);
    assert_eq!(report["usage"]["output_tokens"], 0);
    for change in report["changes"].as_array().expect("changes") {
        for field in [
            "op", "kind", "scope", "path", "text", "replaces", "reason", "evidence",
        ] {
            assert!(change.get(field).is_some(), "{field} missing in {change}");
        }
        assert!(
            !change["evidence"].as_array().expect("evidence").is_empty(),
            "{change}"
        );
        if change["scope"] == "agent" {
            assert!(change["agent"].is_string(), "{change}");
        }
    }
    let help = lucid(work.path(), &["dream", "--help"]);
    let help = help.stdout;
    for needle in [
        "--max-sessions",
        "--instructions",
        "Exit codes",
        // Every format the importers detect is named (the list once lagged five behind).
        "Claude Code",
        "Managed Agents",
        "Messages API",
        "Chat Completions",
        "Codex CLI",
        "Cline",
        "SWE-agent",
        "aider",
        "OpenHands",
        "Copilot CLI",
        "OpenCode",
        ".traj",
    ] {
        assert!(help.contains(needle), "help lacks {needle}");
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
fn the_real_claude_code_transcripts_dream() {
    let data = repo().join("../shared/data/claude-code");
    if !data.is_dir() {
        absent(&format!(
            "{} is absent (public evaluation data, beside the repository)",
            data.display()
        ));
        return;
    }
    let work = tempfile::tempdir().expect("tempdir");
    let result = dream(work.path())
        .sessions(&data)
        .out("d")
        .args(["--json"])
        .run();
    assert_eq!(result.code, Some(0), "{}", result.stderr);
    let report = result.json();
    assert_eq!(report["stats"]["sessions_read"], 7, "all seven import");
    assert_eq!(
        report["stats"]["sessions_skipped"].as_array().map(Vec::len),
        Some(0)
    );
}

/// Issue 11 (data loss): a `--report` inside the input store, on a transcript, inside the
/// sessions folder or inside `--out`, or in a folder that does not exist, is refused before any
/// work (exit 2): every input keeps its bytes and nothing is written.
#[test]
fn a_report_path_that_would_overwrite_an_input_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let sessions = dir.path().join("sessions");
    copy_tree(&repo().join("examples/fleet/memory"), &store);
    copy_tree(&repo().join("examples/fleet/sessions"), &sessions);
    let before_store = snapshot(&store);
    let before_sessions = snapshot(&sessions);
    let transcript = before_sessions[0].0.clone();
    let out = dir.path().join("draft");
    let cases = [
        (store.join("conventions.md"), "inside the input store"),
        (transcript.clone(), "transcripts"),
        (sessions.join("report.json"), "transcripts"),
        (out.join("report.json"), "inside the draft folder"),
        (dir.path().join("missing/report.json"), "does not exist"),
    ];
    for (report, why) in cases {
        let output = dream(dir.path())
            .store(&store)
            .sessions(&sessions)
            .out(&out)
            .report(&report)
            .run();
        assert_eq!(output.code, Some(2), "{report:?}: {}", output.stderr);
        assert!(output.stderr.contains(why), "{report:?}: {}", output.stderr);
        assert!(!out.exists(), "nothing is written for {report:?}");
        assert_eq!(snapshot(&store), before_store, "the store is untouched");
        assert_eq!(
            snapshot(&sessions),
            before_sessions,
            "the transcripts are untouched"
        );
    }
    // Zero sessions and empty instructions are refused too, not accepted silently.
    for args in [["--max-sessions", "0"], ["--instructions", " "]] {
        let mut full = vec![
            "dream",
            "--sessions",
            sessions.to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
        ];
        full.extend(args);
        let output = lucid(dir.path(), &full);
        assert_eq!(output.code, Some(2), "{args:?}: {}", output.stderr);
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// `lucid … | head -1`: a reader that closes the pipe early is not an error.
#[test]
fn a_closed_stdout_pipe_ends_quietly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("draft");
    // Not the harness: it reads stdout to the end, and this test needs the pipe closed early.
    let mut child = Command::new(env!("CARGO_BIN_EXE_lucid"))
        .args([
            "dream",
            "--store",
            &example_store(),
            "--sessions",
            &example_sessions(),
            "--out",
            &out.display().to_string(),
            "--json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // Close the read end before lucid writes its report.
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(output.status.code(), Some(101), "{err}");
}

/// Issue 11: a store file the curator does not read (here a JSON file holding an API key) is
/// never copied silently: the draft holds it with the key redacted, and the report lists it.
#[test]
fn uncurated_store_files_are_redacted_and_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    copy_tree(&repo().join("examples/fleet/memory"), &store);
    let key = "sk-ant-api03-Xq7vB2nL9kR4tY8wE1zU6cF3hJ5mP0sD2gA7xN4bV9qW1eT6yU3iO8pL5kJ2hG0fD";
    std::fs::write(
        store.join("settings.json"),
        format!("{{\n  \"provider\": \"anthropic\",\n  \"api_key\": \"{key}\"\n}}\n"),
    )
    .expect("write");
    let out = dir.path().join("draft");
    let report = dir.path().join("report.json");
    let output = dream(dir.path())
        .store(&store)
        .example_sessions()
        .out(&out)
        .report(&report)
        .run();
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    let copied = std::fs::read_to_string(out.join("settings.json")).expect("copied");
    assert!(!copied.contains(key), "{copied}");
    assert!(copied.contains("\"provider\": \"anthropic\""), "{copied}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("json");
    assert_eq!(
        report["stats"]["uncurated_documents"],
        serde_json::json!([{"path": "/settings.json", "secrets_redacted": 1}])
    );
    let summary = dream(dir.path())
        .store(&store)
        .out(dir.path().join("draft2"))
        .run();
    let stdout = summary.stdout.clone();
    assert!(stdout.contains("/settings.json"), "{stdout}");
}
