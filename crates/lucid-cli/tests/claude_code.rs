//! `lucid claude-code`: a fake Claude Code home (CLAUDE_CONFIG_DIR) holding the seven real
//! transcripts of `../shared/data/claude-code/`, two more sessions (a changed value, a repeated
//! preference), a project CLAUDE.md, and a memory folder with an over-long MEMORY.md, duplicate
//! topic files and a stale fact. The dream, diff, promote, rollback and hook run the real binary.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

mod support;

use support::Ran;

const PROJECT_KEY_PARENT: &str = "projects";

/// The shared transcripts, or `None` (with a message) when `../shared/data` is absent; under CI
/// their absence is a failure, not a skip.
fn shared_transcripts() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/claude-code");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is absent; CI must provide ../shared/data",
        dir.display()
    );
    eprintln!(
        "SKIPPED: {} is absent; the Claude Code round trip needs the shared transcripts",
        dir.display()
    );
    None
}

struct Home {
    _root: tempfile::TempDir,
    config: PathBuf,
    project_dir: PathBuf,
    folder: PathBuf,
}

impl Home {
    fn lucid(&self, args: &[&str]) -> Ran {
        self.lucid_with_stdin(args, None)
    }

    /// `lucid ARGS` with this home's Claude Code folder (and nothing of the caller's setup).
    fn lucid_with_stdin(&self, args: &[&str], stdin: Option<&str>) -> Ran {
        let envs = [(
            OsString::from("CLAUDE_CONFIG_DIR"),
            self.config.clone().into_os_string(),
        )];
        support::lucid_piped(self._root.path(), args, &envs, stdin)
    }

    fn project(&self) -> String {
        self.project_dir.display().to_string()
    }

    fn memory(&self) -> PathBuf {
        self.folder.join("memory")
    }

    fn draft(&self) -> PathBuf {
        self.folder.join("memory.draft")
    }
}

fn session_line(
    session: &str,
    uuid: &str,
    parent: Option<&str>,
    at: &str,
    user: bool,
    text: &str,
) -> String {
    let message = if user {
        serde_json::json!({"role": "user", "content": text})
    } else {
        serde_json::json!({
            "model": "claude-opus-4-5-20251101", "id": format!("msg_{uuid}"), "type": "message",
            "role": "assistant", "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn"
        })
    };
    serde_json::json!({
        "parentUuid": parent, "isSidechain": false, "userType": "external",
        "cwd": "/work/shop", "sessionId": session, "version": "2.1.14", "gitBranch": "main",
        "type": if user { "user" } else { "assistant" }, "message": message, "uuid": uuid,
        "timestamp": at
    })
    .to_string()
}

fn write_session(folder: &Path, session: &str, at: &str, said: &str) {
    let user = format!("{session}-u");
    let lines = [
        session_line(session, &user, None, at, true, said),
        session_line(
            session,
            &format!("{session}-a"),
            Some(&user),
            at,
            false,
            "Okay.",
        ),
    ];
    std::fs::write(
        folder.join(format!("{session}.jsonl")),
        format!("{}\n", lines.join("\n")),
    )
    .expect("session written");
}

fn topic(name: &str, kind: &str, description: &str, body: &str) -> String {
    format!("---\nname: {name}\ndescription: {description}\ntype: {kind}\n---\n\n{body}\n")
}

/// Builds the fake home; `None` when the shared transcripts are absent.
fn home() -> Option<Home> {
    let shared = shared_transcripts()?;
    let root = tempfile::tempdir().expect("temp dir");
    let config = root.path().join("claude");
    let project_dir = root.path().join("work").join("shop.app");
    std::fs::create_dir_all(&project_dir).expect("project dir");
    std::fs::write(
        project_dir.join("CLAUDE.md"),
        "# Shop\n\n- Always use pnpm instead of npm in this repository.\n",
    )
    .expect("CLAUDE.md");
    let key = lucid_key(&project_dir);
    let folder = config.join(PROJECT_KEY_PARENT).join(key);
    let memory = folder.join("memory");
    std::fs::create_dir_all(&memory).expect("memory dir");
    for entry in std::fs::read_dir(&shared).expect("shared transcripts") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            std::fs::copy(&path, folder.join(path.file_name().expect("name"))).expect("copied");
        }
    }
    write_session(
        &folder,
        "0d9e8f7a-0000-4000-8000-0000000000a1",
        "2026-03-04T10:00:00Z",
        "Heads up: we moved staging yesterday, so the staging database host is now \
         db-3.internal instead of db-2.internal.",
    );
    for (n, day) in [(1, "05"), (2, "06")] {
        write_session(
            &folder,
            &format!("0d9e8f7a-0000-4000-8000-0000000000b{n}"),
            &format!("2026-03-{day}T09:00:00Z"),
            "Please always use pnpm instead of npm in this repository.",
        );
    }
    // Files Claude Code keeps beside the memory: never to be touched.
    std::fs::write(config.join("settings.json"), "{\"theme\": \"dark\"}\n").expect("settings");
    std::fs::create_dir_all(config.join("todos")).expect("todos");
    std::fs::write(config.join("todos").join("t.json"), "[]\n").expect("todo");

    let mut index = String::from("# Memory\n\n");
    for n in 0..230 {
        let file = format!("service-{n:03}.md");
        std::fs::write(
            memory.join(&file),
            topic(
                &format!("service-{n:03}"),
                "reference",
                &format!("where service {n} listens"),
                &format!("The service svc{n:03} listens on port {}.", 9000 + n),
            ),
        )
        .expect("topic");
        index.push_str(&format!(
            "- [Service {n}]({file}) — where service {n} listens on the internal network\n"
        ));
    }
    for (file, description) in [
        ("testing.md", "integration tests hit a real database"),
        ("testing-again.md", "same rule, saved twice"),
    ] {
        std::fs::write(
            memory.join(file),
            topic(
                file.trim_end_matches(".md"),
                "feedback",
                description,
                "Integration tests must hit a real database, not mocks.",
            ),
        )
        .expect("topic");
        index.push_str(&format!("- [Testing]({file}) — {description}\n"));
    }
    std::fs::write(
        memory.join("staging.md"),
        topic(
            "staging",
            "project",
            "the staging database host",
            "The staging database host is db-2.internal.",
        ),
    )
    .expect("topic");
    index.push_str("- [Staging](staging.md) — the staging database host\n");
    index.push_str("- Deploys need a green CI run before merging.\n");
    std::fs::write(memory.join("MEMORY.md"), index).expect("index");
    Some(Home {
        _root: root,
        config,
        project_dir,
        folder,
    })
}

/// Claude Code's key: the absolute path with `/` and `.` replaced by `-`.
fn lucid_key(dir: &Path) -> String {
    dir.display().to_string().replace(['/', '.'], "-")
}

/// Every file under `dir` (path → bytes), skipping entries whose name starts with `memory`
/// directly under `skip_memory_in`.
fn tree(dir: &Path, skip_memory_in: Option<&Path>) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).expect("readable") {
            let path = entry.expect("entry").path();
            if skip_memory_in == Some(current.as_path())
                && path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("memory"))
            {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(
                    path.strip_prefix(dir).expect("inside").to_path_buf(),
                    std::fs::read(&path).expect("file"),
                );
            }
        }
    }
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The draft folder's files (name → content), without the index.
fn topic_files(dir: &Path) -> BTreeMap<String, String> {
    tree(dir, None)
        .into_iter()
        .filter(|(p, _)| p != Path::new("MEMORY.md"))
        .map(|(p, b)| (p.display().to_string(), String::from_utf8(b).expect("text")))
        .collect()
}

#[test]
fn a_claude_code_memory_folder_is_dreamed_in_place_promoted_and_rolled_back() {
    let Some(home) = home() else { return };
    let outside_before = tree(&home.config, Some(&home.folder));
    let live_before = tree(&home.memory(), None);

    let dreamed = home.lucid(&["claude-code", "dream", &home.project()]);
    assert!(dreamed.success(), "{}", dreamed.text());

    // The index fits what Claude Code loads, and nothing is cut silently.
    let index = read(&home.draft().join("MEMORY.md"));
    assert!(
        index.lines().count() <= 200,
        "{} lines",
        index.lines().count()
    );
    assert!(index.len() <= 25_000, "{} bytes", index.len());
    let files = topic_files(&home.draft());
    let more = files.get("more-memories.md").expect("an overflow file");
    assert!(index.contains("](more-memories.md)"));
    let report: serde_json::Value =
        serde_json::from_str(&read(&home.folder.join("memory.lucid/dream.json"))).expect("json");
    let not_indexed = report["claude_code"]["not_indexed"]
        .as_array()
        .expect("not_indexed listed");
    assert!(!not_indexed.is_empty());
    for file in files.keys().filter(|f| *f != "more-memories.md") {
        let linked = format!("]({file})");
        let in_index = index.contains(&linked);
        let in_more = more.contains(&linked);
        assert!(
            in_index != in_more,
            "{file}: indexed {in_index}, in more {in_more}"
        );
        assert_eq!(
            in_more,
            not_indexed.iter().any(|f| f.as_str() == Some(file)),
            "{file}"
        );
    }
    for n in 0..230 {
        let fact = format!("svc{n:03} listens on port {}", 9000 + n);
        assert_eq!(
            files.values().filter(|c| c.contains(&fact)).count(),
            1,
            "{fact}"
        );
    }

    // Duplicates merged, the stale value replaced, the index's own fact kept in a topic file.
    let holding = |needle: &str| files.values().filter(|c| c.contains(needle)).count();
    assert_eq!(holding("Integration tests must hit a real database"), 1);
    assert_eq!(holding("db-2.internal"), 0, "the stale host is gone");
    assert_eq!(holding("db-3.internal"), 1, "the new host is there");
    assert_eq!(holding("Deploys need a green CI run before merging."), 1);
    // The preference the user repeated is in CLAUDE.md already: every session reads it.
    assert_eq!(holding("pnpm"), 0, "a CLAUDE.md instruction was copied");
    assert!(
        report["claude_code"]["repeats_claude_md"]
            .as_array()
            .is_some_and(|r| !r.is_empty()),
        "the skipped repeat is reported"
    );

    // Every topic file has Claude Code's front matter; changed files carry their evidence.
    for (file, content) in &files {
        let front = content
            .strip_prefix("---\n")
            .and_then(|rest| rest.split_once("\n---\n"))
            .map(|(front, _)| front)
            .unwrap_or_else(|| panic!("{file} has no front matter"));
        assert!(front.contains("name:"), "{file}");
        assert!(front.contains("description:"), "{file}");
        let kind = front
            .lines()
            .find_map(|l| l.strip_prefix("type: "))
            .unwrap_or_else(|| panic!("{file} has no type"));
        assert!(
            ["user", "feedback", "project", "reference"].contains(&kind),
            "{file}: {kind}"
        );
    }
    let staging = files
        .values()
        .find(|c| c.contains("db-3.internal"))
        .expect("staging file");
    assert!(
        staging.contains("lucid_evidence:")
            && staging.contains("0d9e8f7a-0000-4000-8000-0000000000a1"),
        "{staging}"
    );

    // The review shows the change with the words that justify it.
    let diff = home.lucid(&["claude-code", "diff", &home.project()]);
    let diff_text = diff.text();
    assert!(diff.success(), "{diff_text}");
    assert!(diff_text.contains("supersede"), "{diff_text}");
    assert!(
        diff_text.contains("instead of db-2.internal"),
        "{diff_text}"
    );

    // Nothing outside the memory* folders changed, and the live folder is as it was.
    assert_eq!(tree(&home.config, Some(&home.folder)), outside_before);
    assert_eq!(tree(&home.memory(), None), live_before);

    // Promote swaps the draft in and keeps the old folder; rollback swaps back.
    let draft_before = tree(&home.draft(), None);
    let promoted = home.lucid(&["claude-code", "promote", &home.project()]);
    assert!(promoted.success(), "{}", promoted.text());
    assert_eq!(tree(&home.memory(), None), draft_before);
    assert_eq!(tree(&home.folder.join("memory.prev"), None), live_before);
    assert!(!home.draft().exists());

    let rolled = home.lucid(&["claude-code", "rollback", &home.project()]);
    assert!(rolled.success(), "{}", rolled.text());
    assert_eq!(tree(&home.memory(), None), live_before);
    assert_eq!(tree(&home.folder.join("memory.prev"), None), draft_before);
    assert_eq!(tree(&home.config, Some(&home.folder)), outside_before);

    // After the promote, the transcripts count as dreamed: a new dream has no session to read.
    let again = home.lucid(&["claude-code", "dream", &home.project(), "--json"]);
    assert!(again.success(), "{}", again.text());
    let again: serde_json::Value = serde_json::from_str(&again.stdout).expect("json");
    assert_eq!(
        again["claude_code"]["transcripts_read"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
}

#[test]
fn the_session_end_hook_dreams_once_enough_sessions_have_passed() {
    let Some(home) = home() else { return };
    let input = serde_json::json!({
        "session_id": "s-1", "cwd": home.project(), "hook_event_name": "SessionEnd",
        "transcript_path": "ignored"
    })
    .to_string();

    // Ten sessions, fewer than asked for: the hook records and waits.
    let waiting = home.lucid_with_stdin(
        &["claude-code", "hook", "--min-sessions", "50"],
        Some(&input),
    );
    assert!(waiting.success(), "{}", waiting.text());
    assert!(!home.draft().exists());

    // A dream already running (its lock held): the hook starts no second one and still exits 0.
    let lock = home.folder.join("memory.lucid/lock");
    std::fs::create_dir_all(lock.parent().expect("parent")).expect("mkdir");
    std::fs::write(&lock, "pid 1\n").expect("lock");
    let locked = home.lucid_with_stdin(
        &[
            "claude-code",
            "hook",
            "--min-sessions",
            "1",
            "--min-hours",
            "0",
        ],
        Some(&input),
    );
    assert!(locked.success(), "{}", locked.text());
    assert!(
        locked.text().contains("already running"),
        "{}",
        locked.text()
    );
    assert!(!home.draft().exists());
    let refused = home.lucid(&["claude-code", "dream", &home.project()]);
    assert!(!refused.success());
    assert!(
        refused.text().contains("another dream"),
        "{}",
        refused.text()
    );
    std::fs::remove_file(&lock).expect("unlock");

    // Enough sessions: the hook dreams, and promotes only when asked to.
    let due = home.lucid_with_stdin(
        &[
            "claude-code",
            "hook",
            "--min-sessions",
            "1",
            "--min-hours",
            "0",
        ],
        Some(&input),
    );
    assert!(due.success(), "{}", due.text());
    assert!(home.draft().join("MEMORY.md").is_file(), "{}", due.text());
    assert!(
        !home.folder.join("memory.prev").exists(),
        "no promote without --auto-promote"
    );

    // The sessions that draft read are not new: the next hook waits.
    let after = home.lucid_with_stdin(
        &[
            "claude-code",
            "hook",
            "--min-sessions",
            "1",
            "--min-hours",
            "0",
            "--auto-promote",
        ],
        Some(&input),
    );
    assert!(after.success(), "{}", after.text());
    assert!(
        !home.folder.join("memory.prev").exists(),
        "{}",
        after.text()
    );
}

#[test]
fn a_project_claude_code_never_ran_in_is_a_clear_error() {
    let root = tempfile::tempdir().expect("temp dir");
    let home = tempfile::tempdir().expect("temp dir");
    let output = support::lucid_with(
        home.path(),
        &["claude-code", "dream", "/nowhere/project"],
        &[(
            OsString::from("CLAUDE_CONFIG_DIR"),
            root.path().as_os_str().to_owned(),
        )],
    );
    assert_eq!(output.code, Some(2), "{}", output.text());
    let text = output.text();
    assert!(text.contains("no Claude Code project folder"), "{text}");
    assert!(text.contains("-nowhere-project"), "{text}");
    assert_eq!(
        std::fs::read_dir(root.path()).expect("dir").count(),
        0,
        "nothing written"
    );
}

#[test]
fn a_rejected_change_is_left_out_of_the_promoted_memory() {
    let Some(home) = home() else { return };
    let dreamed = home.lucid(&["claude-code", "dream", &home.project(), "--json"]);
    assert!(dreamed.success(), "{}", dreamed.text());
    let report: serde_json::Value = serde_json::from_str(&dreamed.stdout).expect("json");
    let changes = report["report"]["changes"].as_array().expect("changes");
    let supersede = changes
        .iter()
        .find(|c| c["op"] == "supersede" && c["text"].as_str().is_some_and(|t| t.contains("db-3")))
        .expect("the staging host supersede");
    let id = supersede["id"].as_str().expect("an id");
    let diff = home.lucid(&["claude-code", "diff", &home.project()]);
    assert!(diff.text().contains(id), "diff names the change ids");

    let promoted = home.lucid(&["claude-code", "promote", &home.project(), "--reject", id]);
    assert!(promoted.success(), "{}", promoted.text());
    let files = topic_files(&home.memory());
    let holding = |needle: &str| files.values().filter(|c| c.contains(needle)).count();
    assert_eq!(
        holding("db-2.internal"),
        1,
        "the rejected supersede kept the old value"
    );
    assert_eq!(holding("db-3.internal"), 0);
    // The other changes were promoted: the duplicate topic files were merged.
    assert_eq!(holding("Integration tests must hit a real database"), 1);
    let index = read(&home.memory().join("MEMORY.md"));
    assert!(index.lines().count() <= 200 && index.len() <= 25_000);

    let unknown = home.lucid(&["claude-code", "rollback", &home.project()]);
    assert!(unknown.success(), "{}", unknown.text());
    let dreamed_again = home.lucid(&["claude-code", "dream", &home.project(), "--all"]);
    assert!(dreamed_again.success(), "{}", dreamed_again.text());
    let refused = home.lucid(&[
        "claude-code",
        "promote",
        &home.project(),
        "--accept",
        "chg_0000000000000000",
    ]);
    assert_eq!(refused.code, Some(2), "{}", refused.text());
    assert!(
        refused.text().contains("no change with id"),
        "{}",
        refused.text()
    );
    assert!(home.draft().is_dir(), "a refused promote leaves the draft");
}
